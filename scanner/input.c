/*
 * input.c - buffered, bounded, sequential reads over a borrowed fd, plain
 * or through gzip.
 *
 * A line that lies wholly inside the current window is returned in place
 * (no copy); only a line that straddles two reads is assembled in in->line,
 * whose hard maximum is the line limit.  A longer line is skipped to its end
 * and reported, so one runaway line costs an error, not the rest of the
 * file.
 *
 * Everything above input_source_read() sees only "bytes into a buffer": the
 * gzip transport is one more way to fill the window, so lines, chunks and
 * limits behave the same whatever the transport.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "input.h"

#define GZ_IN_CHUNK (64u * 1024u)                /* compressed bytes per read */
#define GZ_PEEK_MAX_IN ((uint64_t)4 << 20)       /* compressed bytes a peek may read */
#define GZ_NAME_MAX 4096u                        /* FNAME bytes kept from a header */

#define UTF16_RAW_CHUNK (64u * 1024u)           /* UTF-16 bytes decoded at a time */

/* The UTF-16 decoder's state; see utf16_read(). */
struct ps_utf16 {
    unsigned char raw[UTF16_RAW_CHUNK];
    size_t pos, end;       /* undecoded bytes are raw[pos..end) */
    int be;                /* big-endian */
    int started;           /* the byte-order mark was looked for */
    int raw_eof;           /* the transport has no more bytes */
};

struct ps_inflate {
    z_stream zs;
    unsigned char in[GZ_IN_CHUNK];
    int src_eof;        /* the fd has no more compressed bytes */
    int member_done;    /* inflate ended a member; another may follow */
    int done;           /* the last member ended with the data */
    uint64_t produced;  /* decompressed bytes so far, all members */
    uint64_t consumed;  /* compressed bytes inflate has used so far */
    uint64_t max_out;
    unsigned max_ratio;
};

/* Record the source's failure once; later calls return it again. */
static ps_status input_fail(ps_input *in, ps_status st, const char *fmt, ...)
    PS_PRINTF(3, 4);

static ps_status input_fail(ps_input *in, ps_status st, const char *fmt, ...)
{
    va_list ap;

    if (in->fail != PS_OK)
        return in->fail;
    in->fail = st;
    va_start(ap, fmt);
    vsnprintf(in->errmsg, sizeof(in->errmsg), fmt, ap);
    va_end(ap);
    return st;
}

ps_status ps_input_init(ps_input *in, int fd, size_t max_line)
{
    struct stat st;

    memset(in, 0, sizeof(*in));
    in->fd = fd;
    if (max_line == 0)
        max_line = PS_MAX_RECORD_DEFAULT;
    /* One byte of slack so that a "\r" before the "\n" does not count. */
    ps_buf_init(&in->line, max_line < SIZE_MAX ? max_line + 1 : max_line);
    in->buf = malloc(PS_INPUT_CHUNK);
    if (in->buf == NULL)
        return PS_ERR_NOMEM;
    /*
     * The end of a regular file is the size it has now: one that grows
     * while it is read must not be chased to an end that keeps moving.
     * Pipes and the like have no size and are read to their end.
     */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t at = lseek(fd, 0, SEEK_CUR);

        in->raw_bounded = 1;
        if (at >= 0 && at < st.st_size)
            in->raw_left = (uint64_t)(st.st_size - at);
    }
    /* Only a hint: pipes and some filesystems refuse it, which is fine. */
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return PS_OK;
}

/* The UTF-16 decoder over whatever transport in has, for enc. */
static ps_status input_open_utf16(ps_input *in, ps_encoding enc)
{
    if (enc == PS_ENC_BYTES)
        return PS_OK;
    if (enc != PS_ENC_UTF16LE && enc != PS_ENC_UTF16BE)
        return PS_ERR_USAGE;
    in->u = calloc(1, sizeof(*in->u));
    if (in->u == NULL)
        return PS_ERR_NOMEM;
    in->u->be = enc == PS_ENC_UTF16BE;
    return PS_OK;
}

ps_status ps_input_open(ps_input *in, const ps_source *src)
{
    struct ps_inflate *z;
    ps_status st = ps_input_init(in, src->fd, src->max_record);

    if (st != PS_OK)
        return st;
    if (src->transport == PS_TRANSPORT_PLAIN)
        return input_open_utf16(in, src->sniff.encoding);
    if (src->transport != PS_TRANSPORT_GZIP)
        return PS_ERR_USAGE;
    z = calloc(1, sizeof(*z));
    if (z == NULL)
        return PS_ERR_NOMEM;
    /* 16 + MAX_WBITS: gzip wrapper only, so zlib or raw deflate is corrupt. */
    if (inflateInit2(&z->zs, 16 + MAX_WBITS) != Z_OK) {
        free(z);
        return PS_ERR_NOMEM;
    }
    z->max_out = src->max_inflate ? src->max_inflate : PS_INFLATE_MAX_DEFAULT;
    z->max_ratio = src->max_ratio ? src->max_ratio : PS_INFLATE_RATIO_DEFAULT;
    in->z = z;
    return input_open_utf16(in, src->sniff.encoding);
}

void ps_input_free(ps_input *in)
{
    if (in == NULL)
        return;
    if (in->z != NULL) {
        inflateEnd(&in->z->zs);
        free(in->z);
        in->z = NULL;
    }
    free(in->u);
    in->u = NULL;
    free(in->buf);
    in->buf = NULL;
    ps_buf_free(&in->line);
    in->pos = in->end = 0;
}

const char *ps_input_error(const ps_input *in)
{
    return in->fail != PS_OK ? in->errmsg : NULL;
}

/* read(2) into dst, retrying on EINTR.  -1 with errno set on failure. */
static ssize_t read_retry(int fd, void *dst, size_t n)
{
    ssize_t r;

    do {
        r = read(fd, dst, n);
    } while (r < 0 && errno == EINTR);
    return r;
}

/*
 * The fd's own bytes, up to the size taken at set-up for a regular file.
 * *got == 0 means the end.  A regular file that ends before that size has
 * shrunk under us: what it held at open was not all read, so say so.
 */
static ps_status raw_read(ps_input *in, void *dst, size_t n, size_t *got)
{
    ssize_t r;

    *got = 0;
    if (in->raw_bounded) {
        if (in->raw_left == 0)
            return PS_OK;
        if (n > in->raw_left)
            n = (size_t)in->raw_left;
    }
    r = read_retry(in->fd, dst, n);
    if (r < 0) {
        in->err = errno;
        return input_fail(in, PS_ERR_IO, "read failed (errno %d)", in->err);
    }
    if (r == 0 && in->raw_bounded)
        return input_fail(in, PS_ERR_IO, "file shrank while it was read");
    if (in->raw_bounded)
        in->raw_left -= (uint64_t)r;
    *got = (size_t)r;
    return PS_OK;
}

/*
 * The gzip transport: inflate into dst until at least one byte comes out,
 * the data ends (*got == 0) or something fails.  The two
 * limits are checked on every call, so a bomb stops after at most one
 * window past the limit has been inflated, and what comes out past the
 * total limit is never handed on.
 */
static ps_status gzip_read(ps_input *in, void *dst, size_t n, size_t *got)
{
    struct ps_inflate *z = in->z;
    unsigned char probe;

    while (*got == 0) {
        uint64_t room = z->max_out - z->produced;
        unsigned char *out = dst;
        size_t want = n;
        uInt before_in, before_out;
        int rc, probing = 0;

        if (z->done)
            return PS_OK;
        if (z->zs.avail_in == 0 && !z->src_eof) {
            size_t r;
            ps_status st = raw_read(in, z->in, sizeof(z->in), &r);

            if (st != PS_OK)
                return st;
            if (r == 0)
                z->src_eof = 1;
            z->zs.next_in = z->in;
            z->zs.avail_in = (uInt)r;
        }
        if (z->member_done) {
            /* Another member, or the end: gzip(1) reads members back to back. */
            if (z->zs.avail_in == 0) {
                if (z->src_eof)
                    z->done = 1;
                continue;
            }
            if (z->zs.avail_in == 1 && !z->src_eof) {
                /* One byte cannot show the magic: move it to the front, read on. */
                size_t r;
                ps_status st;

                z->in[0] = z->zs.next_in[0];
                st = raw_read(in, z->in + 1, sizeof(z->in) - 1, &r);
                if (st != PS_OK)
                    return st;
                z->src_eof = r == 0;
                z->zs.next_in = z->in;
                z->zs.avail_in = (uInt)(1 + r);
                continue;
            }
            if (z->zs.avail_in < 2 || z->zs.next_in[0] != 0x1f || z->zs.next_in[1] != 0x8b) {
                /*
                 * Not another member: junk or padding after complete data,
                 * which gzip(1) also ignores with a warning.  Everything
                 * before it has been handed on; what follows is not read,
                 * and that is said, not hidden.
                 */
                z->done = 1;
                in->fail_at_end = 1;
                return input_fail(in, PS_ERR_FORMAT, "data after the end of the gzip data: not read");
            }
            if (inflateReset(&z->zs) != Z_OK)
                return input_fail(in, PS_ERR_FORMAT, "corrupt gzip data");
            z->member_done = 0;
        }
        if (room == 0) {
            /* At the limit: one more byte out means the data is larger. */
            out = &probe;
            want = 1;
            probing = 1;
        } else if (want > room) {
            want = (size_t)room;
        }
        if (want > UINT_MAX)
            want = UINT_MAX;
        z->zs.next_out = out;
        z->zs.avail_out = (uInt)want;
        before_in = z->zs.avail_in;
        before_out = z->zs.avail_out;
        rc = inflate(&z->zs, Z_NO_FLUSH);
        z->consumed += before_in - z->zs.avail_in;
        if (rc == Z_MEM_ERROR)
            return input_fail(in, PS_ERR_NOMEM, "out of memory while inflating gzip data");
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return input_fail(in, PS_ERR_FORMAT, "corrupt gzip data");
        /*
         * No progress: with input left that is corruption; without, either
         * more must be read or, at the end of the file, the data was cut.
         * (Output may still be pending inside zlib when the input is used
         * up, which is why the end of the file alone proves nothing.)
         */
        if (rc == Z_BUF_ERROR && z->zs.avail_in > 0)
            return input_fail(in, PS_ERR_FORMAT, "corrupt gzip data");
        if (rc == Z_BUF_ERROR && z->src_eof)
            return input_fail(in, PS_ERR_FORMAT, "corrupt gzip data (cut short)");
        if (rc == Z_STREAM_END)
            z->member_done = 1;
        if (probing) {
            if (before_out - z->zs.avail_out > 0)
                return input_fail(in, PS_ERR_LIMIT,
                                  "decompressed size exceeds the limit of %llu bytes",
                                  (unsigned long long)z->max_out);
            continue;
        }
        z->produced += before_out - z->zs.avail_out;
        if (z->produced > PS_INFLATE_RATIO_FLOOR &&
            z->produced > (uint64_t)z->max_ratio * z->consumed)
            return input_fail(in, PS_ERR_LIMIT,
                              "compression ratio above %u:1 (a decompression bomb?)",
                              z->max_ratio);
        *got = before_out - z->zs.avail_out;
    }
    return PS_OK;
}

/* The transport's bytes (the fd's own, or inflated); *got == 0 at the end. */
static ps_status transport_read(ps_input *in, void *dst, size_t n, size_t *got)
{
    *got = 0;
    return in->z != NULL ? gzip_read(in, dst, n, got) : raw_read(in, dst, n, got);
}

/*
 * UTF-16 decoding, on top of the transport: its bytes are collected in
 * u->raw, and what dst has room for comes out as UTF-8.  A unit or a
 * surrogate pair cut by the end of a read waits in u->raw for the rest; one
 * cut by the end of the data becomes U+FFFD.  A leading byte-order mark is
 * dropped.  n is a window or more (input_fill, the large reads of
 * ps_input_read), never less than the 4 bytes one character may need.
 */
static ps_status utf16_read(ps_input *in, void *dst, size_t n, size_t *got)
{
    struct ps_utf16 *u = in->u;

    *got = 0;
    if (n < 4)
        return input_fail(in, PS_ERR_USAGE, "UTF-16 decoding needs room for a character");
    while (*got == 0) {
        size_t used, k;
        ps_status st;

        if (u->end - u->pos < 4 && !u->raw_eof) {
            /* Too little left to be sure of a character: read more. */
            memmove(u->raw, u->raw + u->pos, u->end - u->pos);
            u->end -= u->pos;
            u->pos = 0;
            st = transport_read(in, u->raw + u->end, sizeof(u->raw) - u->end, &k);
            if (st != PS_OK)
                return st;
            u->end += k;
            u->raw_eof = k == 0;
            continue;
        }
        if (!u->started) {
            u->started = 1;
            if (u->end - u->pos >= 2 &&
                ((u->be && u->raw[u->pos] == 0xFE && u->raw[u->pos + 1] == 0xFF) ||
                 (!u->be && u->raw[u->pos] == 0xFF && u->raw[u->pos + 1] == 0xFE)))
                u->pos += 2;
        }
        if (u->pos == u->end)
            break; /* the end of the data */
        *got = ps_utf16_decode(u->raw + u->pos, u->end - u->pos, u->be,
                               dst, n, &used, u->raw_eof);
        u->pos += used;
    }
    return PS_OK;
}

/* Fill dst from the source, whatever the transport.  Sets in->eof. */
static ps_status input_source_read(ps_input *in, void *dst, size_t n, size_t *got)
{
    ps_status st;

    *got = 0;
    if (in->fail != PS_OK)
        return in->fail;
    if (in->eof)
        return PS_OK;
    st = in->u != NULL ? utf16_read(in, dst, n, got) : transport_read(in, dst, n, got);
    if (st == PS_OK && *got == 0)
        in->eof = 1;
    return st;
}

/* Refill the (empty) window.  At end of input pos == end == 0 afterwards. */
static ps_status input_fill(ps_input *in)
{
    size_t got;
    ps_status st;

    in->pos = in->end = 0;
    st = input_source_read(in, in->buf, PS_INPUT_CHUNK, &got);
    in->end = got;
    return st;
}

/* Consume k bytes of the window. */
static void input_advance(ps_input *in, size_t k)
{
    in->pos += k;
    in->offset += k;
}

ps_status ps_input_line(ps_input *in, const char **line, size_t *len)
{
    size_t limit = in->line.max > 0 ? in->line.max - 1 : 0;
    int over = 0;   /* this line passed the limit; its rest is skipped */
    int partial = 0; /* bytes of this line were seen before the refill */
    ps_status st;

    *line = NULL;
    *len = 0;
    ps_buf_reset(&in->line);
    for (;;) {
        const unsigned char *start, *nl;
        size_t avail, seg;

        if (in->pos == in->end) {
            st = input_fill(in);
            /* A failure after all the data: the last line comes first. */
            if (st != PS_OK && !(partial && in->fail_at_end))
                return st;
            if (in->end == 0) {
                /* End of input: flush a last line without its "\n". */
                if (!partial)
                    return PS_ERR_STOP;
                in->line_no++;
                if (over)
                    return PS_ERR_LIMIT;
                break;
            }
        }
        start = in->buf + in->pos;
        avail = in->end - in->pos;
        nl = memchr(start, '\n', avail);
        seg = nl != NULL ? (size_t)(nl - start) : avail;

        if (nl != NULL && !partial) {
            /* The whole line is in the window: hand it out in place. */
            input_advance(in, seg + 1);
            in->line_no++;
            if (seg > 0 && start[seg - 1] == '\r')
                seg--;
            if (seg > limit)
                return PS_ERR_LIMIT;
            *line = (const char *)start;
            *len = seg;
            return PS_OK;
        }
        partial = 1;
        if (!over && ps_buf_append(&in->line, start, seg) != PS_OK) {
            /* Too long (or no memory): drop it and skip to its end. */
            over = 1;
            ps_buf_reset(&in->line);
        }
        input_advance(in, nl != NULL ? seg + 1 : seg);
        if (nl != NULL) {
            in->line_no++;
            if (over)
                return PS_ERR_LIMIT;
            break;
        }
    }
    if (in->line.len > 0 && in->line.data[in->line.len - 1] == '\r')
        in->line.data[--in->line.len] = '\0';
    if (in->line.len > limit)
        return PS_ERR_LIMIT;
    *line = ps_buf_cstr(&in->line);
    *len = in->line.len;
    return PS_OK;
}

ps_status ps_input_read(ps_input *in, void *dst, size_t n, size_t *got)
{
    size_t k;
    ps_status st;

    *got = 0;
    if (n == 0)
        return PS_OK;
    if (in->pos == in->end) {
        /* Large reads bypass the window: one copy fewer. */
        if (n >= PS_INPUT_CHUNK) {
            st = input_source_read(in, dst, n, got);
            in->offset += *got;
            return st;
        }
        st = input_fill(in);
        if (st != PS_OK)
            return st;
    }
    k = in->end - in->pos;
    if (k > n)
        k = n;
    memcpy(dst, in->buf + in->pos, k);
    input_advance(in, k);
    *got = k;
    return PS_OK;
}

ps_status ps_input_chunk(ps_input *in, const unsigned char **p, size_t *n)
{
    size_t k;
    ps_status st;

    *p = NULL;
    *n = 0;
    if (in->pos == in->end) {
        st = input_fill(in);
        if (st != PS_OK)
            return st;
    }
    k = in->end - in->pos;
    *p = in->buf + in->pos;
    *n = k;
    input_advance(in, k);
    return PS_OK;
}

/* ----------------------------------------------------------- gzip peek */

/*
 * Reduce a gzip FNAME to something safe to print and to sniff by: its last
 * path component (either slash), printable ASCII and valid UTF-8 kept,
 * everything else turned into '_' (a control or C1 character as a whole, a
 * broken sequence byte by byte), cut at a character boundary to fit
 * cap - 1 bytes.  "." and ".." become "".
 */
static void gz_inner_name(const char *raw, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)raw;
    size_t n, o = 0;

    if (cap == 0)
        return;
    out[0] = '\0';
    for (const char *p = raw; *p; p++) {
        if (*p == '/' || *p == '\\')
            s = (const unsigned char *)p + 1;
    }
    n = strlen((const char *)s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = s[i] >= 0x80 ? ps_utf8_seq(s + i, n - i, &cp) : 1;
        int ok = s[i] >= 0x80 ? (k > 0 && cp >= 0xA0) : (s[i] >= 0x20 && s[i] < 0x7F);

        if (k == 0)
            k = 1; /* a broken sequence: one '_' per byte */
        if (o + (ok ? k : 1) > cap - 1)
            break;
        if (ok) {
            memcpy(out + o, s + i, k);
            o += k;
        } else {
            out[o++] = '_';
        }
        i += k;
    }
    out[o] = '\0';
    if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        out[0] = '\0';
}

/* pread(2) retrying on EINTR.  -1 with errno set on failure. */
static ssize_t pread_retry(int fd, void *dst, size_t n, uint64_t off)
{
    ssize_t r;

    do {
        r = pread(fd, dst, n, (off_t)off);
    } while (r < 0 && errno == EINTR);
    return r;
}

ps_status ps_gzip_peek(int fd, unsigned char *head, size_t cap, size_t *got,
                       char *inner, size_t inner_cap)
{
    unsigned char *cbuf = NULL;
    char *name = NULL;
    unsigned char dummy;
    z_stream zs;
    gz_header hdr;
    uint64_t off = 0;
    int src_eof = 0, member_done = 0, init = 0;
    ps_status st = PS_OK;

    *got = 0;
    if (inner_cap > 0)
        inner[0] = '\0';
    memset(&zs, 0, sizeof(zs));
    memset(&hdr, 0, sizeof(hdr));
    cbuf = malloc(GZ_IN_CHUNK);
    name = calloc(1, GZ_NAME_MAX + 1);
    if (cbuf == NULL || name == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    init = 1;
    hdr.name = (Bytef *)name;
    hdr.name_max = GZ_NAME_MAX; /* one byte more is allocated, always NUL */
    if (inflateGetHeader(&zs, &hdr) != Z_OK) {
        st = PS_ERR_FORMAT;
        goto done;
    }
    /* Stop once cap bytes are out and the header (with its name) is known. */
    while (*got < cap || hdr.done == 0) {
        int rc;

        if (zs.avail_in == 0 && !src_eof) {
            ssize_t r;

            if (off >= GZ_PEEK_MAX_IN)
                break;
            r = pread_retry(fd, cbuf, GZ_IN_CHUNK, off);
            if (r < 0) {
                st = PS_ERR_IO;
                goto done;
            }
            if (off == 0 && (r < 3 || cbuf[0] != 0x1f || cbuf[1] != 0x8b || cbuf[2] != 8)) {
                st = PS_ERR_FORMAT;
                goto done;
            }
            off += (uint64_t)r;
            src_eof = r == 0;
            zs.next_in = cbuf;
            zs.avail_in = (uInt)r;
        }
        if (member_done) {
            if (zs.avail_in == 0)
                break; /* the data ended with a member */
            if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b)
                break; /* not a member (junk, padding): the reader will say so */
            if (inflateReset(&zs) != Z_OK) {
                st = PS_ERR_FORMAT;
                goto done;
            }
            member_done = 0;
        }
        /* inflate wants somewhere to write even while it only reads the header. */
        zs.next_out = *got < cap ? head + *got : &dummy;
        zs.avail_out = *got < cap ? (uInt)(cap - *got < UINT_MAX ? cap - *got : UINT_MAX) : 0;
        {
            uInt before = zs.avail_out;

            rc = inflate(&zs, Z_NO_FLUSH);
            *got += before - zs.avail_out;
        }
        if (rc == Z_STREAM_END) {
            member_done = 1;
        } else if (rc == Z_MEM_ERROR) {
            st = PS_ERR_NOMEM;
            goto done;
        } else if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
            break; /* head full; the header is as known as it will get */
        } else if (rc == Z_BUF_ERROR && zs.avail_in == 0 && src_eof) {
            /*
             * Cut short.  With a full head the reader will say so; with the
             * whole (short) stream in hand there may be no reader to say it
             * (an empty or binary inner file), so say it here: fail closed.
             */
            if (*got < cap) {
                st = PS_ERR_FORMAT;
                goto done;
            }
            break;
        } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_in == 0)) {
            st = PS_ERR_FORMAT;
            goto done;
        }
    }
    if (hdr.done == 0 && *got == 0 && !member_done) {
        /* Not even the header could be read. */
        st = PS_ERR_FORMAT;
        goto done;
    }
    if (hdr.done == 1 && inner_cap > 0)
        gz_inner_name(name, inner, inner_cap);
done:
    if (init)
        inflateEnd(&zs);
    free(cbuf);
    free(name);
    if (st != PS_OK)
        *got = 0;
    return st;
}

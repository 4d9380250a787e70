/*
 * test_input.c - buffered line and byte input: chunk boundaries, CRLF, a
 * last line without "\n", over-long lines, empty input, pipes, files that
 * grow or shrink while they are read; and the gzip
 * transport: members back to back, corrupt and cut data, the size and
 * ratio limits, and ps_gzip_peek with its inner-name sanitizing; and UTF-16
 * decoded on the way in.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "input.h"
#include "scratch.h"

/* Per-run state: a scratch directory and a file counter. */
typedef struct tmp_state {
    char dir[64];
    int next;
} tmp_state;

/* Write n bytes to a fresh file and return it opened read-only. */
static int make_file(void **state, const void *data, size_t n)
{
    tmp_state *ts = *state;
    char path[128];
    int fd;

    snprintf(path, sizeof(path), "%s/f%d", ts->dir, ts->next++);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    return fd;
}

static int setup(void **state)
{
    tmp_state *ts = calloc(1, sizeof(*ts));

    if (ts == NULL)
        return -1;
    if (ps_scratch_make(ts->dir, sizeof(ts->dir), "test_input") != 0) {
        free(ts);
        return -1;
    }
    *state = ts;
    return 0;
}

static int teardown(void **state)
{
    tmp_state *ts = *state;
    char path[128];

    for (int i = 0; i < ts->next; i++) {
        snprintf(path, sizeof(path), "%s/f%d", ts->dir, i);
        unlink(path);
    }
    rmdir(ts->dir);
    free(ts);
    return 0;
}

typedef struct line_case {
    const char *what;
    const char *data;
    size_t max_line;
    /* Expected results, in order; NULL line means PS_ERR_LIMIT. */
    const char *lines[6];
    int nlines;
} line_case;

static const line_case line_cases[] = {
    {"plain", "a\nbb\nccc\n", 0, {"a", "bb", "ccc"}, 3},
    {"crlf", "one\r\ntwo\r\n\r\nthree", 0, {"one", "two", "", "three"}, 4},
    {"no final newline", "x\ny", 0, {"x", "y"}, 2},
    {"lone cr stays", "a\rb\n", 0, {"a\rb"}, 1},
    {"over-long then continue", "short\nxxxxxxxxxxxxxxxxxxxx\nafter\n", 8,
     {"short", NULL, "after"}, 3},
    {"over-long last line", "ok\n0123456789", 5, {"ok", NULL}, 2},
    {"exactly max, with cr", "12345\r\n", 5, {"12345"}, 1},
    {"empty lines", "\n\n", 0, {"", ""}, 2},
};

static void test_lines_table(void **state)
{
    for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        const line_case *t = &line_cases[i];
        int fd = make_file(state, t->data, strlen(t->data));
        ps_input in;
        const char *line;
        size_t len;

        print_message("case: %s\n", t->what);
        assert_int_equal(ps_input_init(&in, fd, t->max_line), PS_OK);
        for (int k = 0; k < t->nlines; k++) {
            ps_status st = ps_input_line(&in, &line, &len);
            if (t->lines[k] == NULL) {
                assert_int_equal(st, PS_ERR_LIMIT);
            } else {
                assert_int_equal(st, PS_OK);
                assert_int_equal(len, strlen(t->lines[k]));
                assert_memory_equal(line, t->lines[k], len);
            }
            assert_int_equal(in.line_no, (uint64_t)k + 1);
        }
        assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
        assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
        assert_int_equal(in.offset, strlen(t->data));
        ps_input_free(&in);
        close(fd);
    }
}

/* Lines that straddle the 256 KiB read boundary come back whole. */
static void test_chunk_boundary(void **state)
{
    size_t n = PS_INPUT_CHUNK * 2 + 100, pos = 0;
    char *data = malloc(n);
    size_t lens[] = {PS_INPUT_CHUNK - 10, 100, PS_INPUT_CHUNK - 50, 7};
    ps_input in;
    const char *line;
    size_t len;
    int fd;

    assert_non_null(data);
    for (size_t k = 0; k < 4; k++) {
        memset(data + pos, 'a' + (int)k, lens[k]);
        pos += lens[k];
        data[pos++] = '\n';
    }
    fd = make_file(state, data, pos);
    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
        assert_int_equal(len, lens[k]);
        assert_true(line[0] == 'a' + (int)k && line[len - 1] == 'a' + (int)k);
    }
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    ps_input_free(&in);
    close(fd);
    free(data);
}

/* A CRLF split exactly across the boundary loses its "\r". */
static void test_crlf_across_boundary(void **state)
{
    size_t n = PS_INPUT_CHUNK + 10;
    char *data = malloc(n);
    ps_input in;
    const char *line;
    size_t len;
    int fd;

    assert_non_null(data);
    memset(data, 'q', n);
    data[PS_INPUT_CHUNK - 1] = '\r';
    data[PS_INPUT_CHUNK] = '\n';
    data[n - 1] = '\n';
    fd = make_file(state, data, n);
    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, PS_INPUT_CHUNK - 1);
    assert_int_equal(line[len - 1], 'q');
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, 8);
    ps_input_free(&in);
    close(fd);
    free(data);
}

/* An over-long line that spans reads is skipped to its end; reading goes on. */
static void test_long_line_across_chunks(void **state)
{
    size_t n = PS_INPUT_CHUNK * 3;
    char *data = malloc(n + 16);
    ps_input in;
    const char *line;
    size_t len;
    int fd;

    assert_non_null(data);
    memcpy(data, "first\n", 6);
    memset(data + 6, 'z', n - 6);
    memcpy(data + n, "\nlast\n", 6);
    fd = make_file(state, data, n + 6);
    assert_int_equal(ps_input_init(&in, fd, 1000), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_LIMIT);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(line, "last", 4);
    assert_int_equal(in.line_no, 3);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    ps_input_free(&in);
    close(fd);
    free(data);
}

static void test_empty_file(void **state)
{
    int fd = make_file(state, "", 0);
    ps_input in;
    const char *line;
    size_t len, got;
    char buf[4];
    const unsigned char *p;

    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    assert_null(line);
    assert_int_equal(ps_input_read(&in, buf, sizeof(buf), &got), PS_OK);
    assert_int_equal(got, 0);
    assert_int_equal(ps_input_chunk(&in, &p, &got), PS_OK);
    assert_int_equal(got, 0);
    ps_input_free(&in);
    close(fd);
}

/* read and chunk together return every byte exactly once, in order. */
static void test_read_and_chunk(void **state)
{
    size_t n = PS_INPUT_CHUNK + 12345, total = 0;
    unsigned char *data = malloc(n), *back = malloc(n);
    ps_input in;
    int fd, turn = 0;

    assert_non_null(data);
    assert_non_null(back);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 7);
    fd = make_file(state, data, n);
    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    for (;;) {
        size_t got;

        if (turn++ % 2 == 0) {
            assert_int_equal(ps_input_read(&in, back + total, 1000 < n - total ? 1000 : n - total, &got), PS_OK);
        } else {
            const unsigned char *p;
            assert_int_equal(ps_input_chunk(&in, &p, &got), PS_OK);
            assert_true(total + got <= n);
            memcpy(back + total, p, got);
        }
        if (got == 0)
            break;
        total += got;
    }
    assert_int_equal(total, n);
    assert_memory_equal(back, data, n);
    assert_int_equal(in.offset, n);
    ps_input_free(&in);
    close(fd);
    free(data);
    free(back);
}

/* posix_fadvise fails on a pipe; input must not care. */
static void test_pipe(void **state)
{
    int fds[2];
    ps_input in;
    const char *line;
    size_t len;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "p1\np2", 5), 5);
    close(fds[1]);
    assert_int_equal(ps_input_init(&in, fds[0], 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "p1", 2);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "p2", 2);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    ps_input_free(&in);
    close(fds[0]);
}

static void test_bad_fd(void **state)
{
    ps_input in;
    const char *line;
    size_t len;

    (void)state;
    assert_int_equal(ps_input_init(&in, -1, 0), PS_OK);
    assert_null(ps_input_error(&in));
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_IO);
    assert_int_not_equal(in.err, 0);
    assert_non_null(ps_input_error(&in));
    assert_non_null(strstr(ps_input_error(&in), "read failed (errno "));
    ps_input_free(&in);
    ps_input_free(NULL);
}

/* The path of the file make_file() made last. */
static void last_path(void **state, char *path, size_t cap)
{
    tmp_state *ts = *state;

    snprintf(path, cap, "%s/f%d", ts->dir, ts->next - 1);
}

/* Append n bytes to path (another writer, as a growing log has). */
static void append_to(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* "one\ntwo\n" in a fresh file, its path, and an input set up over it. */
static int two_lines(void **state, ps_input *in, char *path, size_t cap)
{
    int fd = make_file(state, "one\ntwo\n", 8);

    last_path(state, path, cap);
    assert_int_equal(ps_input_init(in, fd, 0), PS_OK);
    return fd;
}

/*
 * A file that grows while it is read is read to the size it had when the
 * input was set up, and no further: chasing its end never finishes.
 */
static void test_growing_file(void **state)
{
    char path[128];
    const char *line;
    size_t len;
    ps_input in;
    int fd = two_lines(state, &in, path, sizeof(path));

    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "one", 3);
    append_to(path, "three\n", 6);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "two", 3);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    assert_null(ps_input_error(&in));
    assert_int_equal(in.offset, 8);
    ps_input_free(&in);

    /* Set up at a later position: the bound is what is left from there. */
    assert_int_equal(lseek(fd, 4, SEEK_SET), 4);
    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "two", 3);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "three", 5);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    ps_input_free(&in);
    close(fd);
}

/* A file cut short under the reader fails the source: bytes went unread. */
static void test_shrinking_file(void **state)
{
    char path[128];
    const char *line;
    size_t len;
    ps_input in;
    int fd = two_lines(state, &in, path, sizeof(path));

    assert_int_equal(truncate(path, 2), 0);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_IO);
    assert_string_equal(ps_input_error(&in), "file shrank while it was read");
    ps_input_free(&in);
    close(fd);
}

/* ------------------------------------------------------------- gzip */

/*
 * One gzip member of data[0..n) appended to *out (grown with realloc), with
 * FNAME set to name when name is not NULL.
 */
static void gz_member(const void *data, size_t n, const char *name, int level,
                      unsigned char **out, size_t *outlen)
{
    z_stream zs;
    gz_header hdr;
    uLong bound;
    unsigned char *p;

    memset(&zs, 0, sizeof(zs));
    memset(&hdr, 0, sizeof(hdr));
    assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    if (name != NULL) {
        hdr.name = (Bytef *)name;
        assert_int_equal(deflateSetHeader(&zs, &hdr), Z_OK);
    }
    bound = deflateBound(&zs, (uLong)n) + 64 + (name ? strlen(name) : 0);
    p = realloc(*out, *outlen + bound);
    assert_non_null(p);
    *out = p;
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)n;
    zs.next_out = p + *outlen;
    zs.avail_out = (uInt)bound;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *outlen += bound - zs.avail_out;
    deflateEnd(&zs);
}

/* A ps_input over the gzip bytes gz[0..n), with the given limits. */
static int open_gz(void **state, ps_input *in, const unsigned char *gz, size_t n,
                   size_t max_line, uint64_t max_inflate, unsigned max_ratio)
{
    ps_source src;
    int fd = make_file(state, gz, n);

    memset(&src, 0, sizeof(src));
    src.fd = fd;
    src.max_record = max_line;
    src.transport = PS_TRANSPORT_GZIP;
    src.max_inflate = max_inflate;
    src.max_ratio = max_ratio;
    assert_int_equal(ps_input_open(in, &src), PS_OK);
    return fd;
}

/* Read everything; returns the status that ended it, total bytes in *total. */
static ps_status drain(ps_input *in, unsigned char *back, size_t cap, size_t *total)
{
    *total = 0;
    for (;;) {
        const unsigned char *p;
        size_t got;
        ps_status st = ps_input_chunk(in, &p, &got);

        if (st != PS_OK)
            return st;
        if (got == 0)
            return PS_OK;
        if (back != NULL && *total + got <= cap)
            memcpy(back + *total, p, got);
        *total += got;
    }
}

/* Lines across windows, through the transport; bytes and offset exact. */
static void test_gzip_lines_and_bytes(void **state)
{
    size_t n = PS_INPUT_CHUNK * 2 + 777, total, k = 0;
    unsigned char *data = malloc(n), *back = malloc(n), *gz = NULL;
    size_t gzlen = 0;
    const char *line;
    size_t len;
    ps_input in;
    int fd;

    assert_non_null(data);
    assert_non_null(back);
    /* Lines of growing length, each "L<i>:xxxx..." */
    while (k < n) {
        size_t l = 1 + (k * 13) % 5000;
        for (size_t j = 0; j < l && k < n; j++)
            data[k++] = (unsigned char)('a' + (j % 26));
        if (k < n)
            data[k++] = '\n';
    }
    gz_member(data, n, NULL, 6, &gz, &gzlen);
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
    assert_int_equal(drain(&in, back, n, &total), PS_OK);
    assert_int_equal(total, n);
    assert_memory_equal(back, data, n);
    assert_int_equal(in.offset, n);
    assert_null(ps_input_error(&in));
    ps_input_free(&in);
    close(fd);

    /* The same through ps_input_line: every line, then STOP, no error. */
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
    total = 0;
    while (ps_input_line(&in, &line, &len) == PS_OK) {
        assert_memory_equal(line, data + total, len);
        total += len + 1;
    }
    assert_true(total >= n);
    assert_null(ps_input_error(&in));
    ps_input_free(&in);
    close(fd);

    /* ps_input_read with a large buffer bypasses the window, inflating directly. */
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
    total = 0;
    for (;;) {
        size_t got;
        assert_int_equal(ps_input_read(&in, back + total, n - total < PS_INPUT_CHUNK ? PS_INPUT_CHUNK : n - total, &got), PS_OK);
        if (got == 0)
            break;
        total += got;
        if (total == n) {
            assert_int_equal(ps_input_read(&in, back, 10, &got), PS_OK);
            assert_int_equal(got, 0);
            break;
        }
    }
    assert_int_equal(total, n);
    assert_memory_equal(back, data, n);
    ps_input_free(&in);
    close(fd);
    free(gz);
    free(data);
    free(back);
}

/* gzip(1) reads members back to back (cat a.gz b.gz > c.gz); so do we. */
static void test_gzip_members(void **state)
{
    unsigned char *gz = NULL, back[64];
    size_t gzlen = 0, total;
    ps_input in;
    int fd;

    gz_member("one\ntw", 6, "a.txt", 9, &gz, &gzlen);
    gz_member("", 0, NULL, 9, &gz, &gzlen); /* an empty member in between */
    gz_member("o\nthree\n", 8, NULL, 1, &gz, &gzlen);
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
    assert_int_equal(drain(&in, back, sizeof(back), &total), PS_OK);
    assert_int_equal(total, 14);
    assert_memory_equal(back, "one\ntwo\nthree\n", 14);
    ps_input_free(&in);
    close(fd);
    free(gz);
}

/* ----------------------------------------------------------- UTF-16 */

/* Append code point cp as UTF-16 (be or le) to u, and as UTF-8 to o. */
static void put_cp(uint32_t cp, int be, unsigned char *u, size_t *nu,
                   unsigned char *o, size_t *no)
{
    uint32_t units[2];
    int k = 1;

    if (cp >= 0x10000) {
        units[0] = 0xD800 + ((cp - 0x10000) >> 10);
        units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
        k = 2;
    } else {
        units[0] = cp;
    }
    for (int i = 0; i < k; i++) {
        u[(*nu)++] = (unsigned char)(be ? units[i] >> 8 : units[i]);
        u[(*nu)++] = (unsigned char)(be ? units[i] : units[i] >> 8);
    }
    if (cp < 0x80) {
        o[(*no)++] = (unsigned char)cp;
    } else if (cp < 0x800) {
        o[(*no)++] = (unsigned char)(0xC0 | cp >> 6);
        o[(*no)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        o[(*no)++] = (unsigned char)(0xE0 | cp >> 12);
        o[(*no)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[(*no)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        o[(*no)++] = (unsigned char)(0xF0 | cp >> 18);
        o[(*no)++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        o[(*no)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[(*no)++] = (unsigned char)(0x80 | (cp & 0x3F));
    }
}

/* An input over the UTF-16 bytes u[0..n), decoded as enc, gzipped first if gz. */
static int open_utf16(void **state, ps_input *in, const unsigned char *u, size_t n,
                      ps_encoding enc, int gz)
{
    unsigned char *z = NULL;
    size_t zlen = 0;
    ps_source src;
    int fd;

    if (gz)
        gz_member(u, n, NULL, 6, &z, &zlen);
    fd = gz ? make_file(state, z, zlen) : make_file(state, u, n);
    free(z);
    memset(&src, 0, sizeof(src));
    src.fd = fd;
    src.transport = gz ? PS_TRANSPORT_GZIP : PS_TRANSPORT_PLAIN;
    src.sniff.encoding = enc;
    assert_int_equal(ps_input_open(in, &src), PS_OK);
    return fd;
}

/*
 * UTF-16 comes out as UTF-8, byte for byte what the text is, whatever the
 * byte order, with or without a BOM, gzipped or not.  About 300 KB of it,
 * so a surrogate pair (and a unit) is cut by the 64 KiB reads: a prefix of
 * 0 to 6 units moves the pattern across that boundary.
 */
static void test_utf16_decode_stream(void **state)
{
    static const uint32_t pattern[] = {'a', 'b', 0x1F600, 0xE9, 0x20AC, '\n'};
    size_t cap = 400000;
    unsigned char *u = malloc(cap), *o = malloc(cap), *back = malloc(cap);

    assert_non_null(u);
    assert_non_null(o);
    assert_non_null(back);
    for (int variant = 0; variant < 7 * 4; variant++) {
        int prefix = variant % 7, be = (variant / 7) & 1, bom = (variant / 14) & 1;
        size_t nu = 0, no = 0, nbom = 0, total;
        ps_input in;
        int fd;

        if (bom)
            put_cp(0xFEFF, be, u, &nu, back, &nbom); /* the BOM is not output */
        for (int i = 0; i < prefix; i++)
            put_cp('x', be, u, &nu, o, &no);
        while (nu < 300000)
            for (size_t i = 0; i < sizeof(pattern) / sizeof(pattern[0]); i++)
                put_cp(pattern[i], be, u, &nu, o, &no);
        print_message("prefix %d, %s, %s\n", prefix, be ? "be" : "le", bom ? "bom" : "no bom");
        fd = open_utf16(state, &in, u, nu, be ? PS_ENC_UTF16BE : PS_ENC_UTF16LE, variant == 27);
        assert_int_equal(drain(&in, back, cap, &total), PS_OK);
        assert_int_equal(total, no);
        assert_memory_equal(back, o, no);
        assert_int_equal(in.offset, no);
        ps_input_free(&in);
        close(fd);
    }
    free(u);
    free(o);
    free(back);
}

/* Lines are those of the decoded text; broken surrogates become U+FFFD. */
static void test_utf16_lines(void **state)
{
    static const unsigned char le[] = "\xFF\xFE" "o\x00n\x00" "e\x00\r\x00\n\x00"
                                      "\x00\xDC" "!\x00\n\x00" "t\x00\x3D\xD8";
    const char *line;
    size_t len;
    ps_input in;
    int fd = open_utf16(state, &in, le, sizeof(le) - 1, PS_ENC_UTF16LE, 0);

    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(line, "one", 3);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(line, "\xEF\xBF\xBD!", 4);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(line, "t\xEF\xBF\xBD", 4); /* a high surrogate cut by the end */
    assert_int_equal(in.line_no, 3);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    assert_null(ps_input_error(&in));
    ps_input_free(&in);
    close(fd);
}

/* An encoding that is not one is refused, not read as bytes. */
static void test_open_bad_encoding(void **state)
{
    ps_source src;
    ps_input in;

    (void)state;
    memset(&src, 0, sizeof(src));
    src.fd = -1;
    src.sniff.encoding = (ps_encoding)42;
    assert_int_equal(ps_input_open(&in, &src), PS_ERR_USAGE);
    ps_input_free(&in);
}

/* A gzip file that grows after set-up: what was appended is not read. */
static void test_gzip_growing(void **state)
{
    unsigned char *gz = NULL, back[64];
    size_t gzlen = 0, total;
    char path[128];
    ps_input in;
    int fd;

    gz_member("one\ntwo\n", 8, NULL, 6, &gz, &gzlen);
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
    last_path(state, path, sizeof(path));
    append_to(path, "junk appended later", 19);
    assert_int_equal(drain(&in, back, sizeof(back), &total), PS_OK);
    assert_int_equal(total, 8);
    assert_memory_equal(back, "one\ntwo\n", 8);
    assert_null(ps_input_error(&in));
    ps_input_free(&in);
    close(fd);
    free(gz);
}

typedef struct gz_bad_case {
    const char *what;
    int damage;           /* 0 flip a byte mid-data, 1 cut the tail, 2 a broken second member, 3 not gzip */
    const char *message;  /* expected prefix of ps_input_error */
} gz_bad_case;

static void test_gzip_corrupt(void **state)
{
    static const gz_bad_case cases[] = {
        {"flipped byte", 0, "corrupt gzip data"},
        {"cut short", 1, "corrupt gzip data (cut short)"},
        {"a second member, broken", 2, "corrupt gzip data"},
        {"not gzip at all", 3, "corrupt gzip data"},
    };
    unsigned char text[20000];

    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (unsigned char)("lorem ipsum dolor sit amet\n"[i % 27] ^ (i / 997));
    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
        unsigned char *gz = NULL;
        size_t gzlen = 0, total;
        ps_input in;
        ps_status st;
        const char *line;
        size_t len;
        int fd;

        print_message("case: %s\n", cases[t].what);
        gz_member(text, sizeof(text), NULL, 6, &gz, &gzlen);
        switch (cases[t].damage) {
        case 0:
            gz[gzlen / 2] ^= 0x55;
            gz[gzlen / 2 + 1] ^= 0xAA;
            break;
        case 1:
            gzlen -= 12;
            break;
        case 2:
            gz = realloc(gz, gzlen + 5);
            assert_non_null(gz);
            memcpy(gz + gzlen, "\x1f\x8b\x08\xff!", 5); /* a member header, then nonsense */
            gzlen += 5;
            break;
        default:
            memcpy(gz, "PLAIN TEXT", 10);
            break;
        }
        fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
        st = drain(&in, NULL, 0, &total);
        assert_int_equal(st, PS_ERR_FORMAT);
        assert_non_null(ps_input_error(&in));
        assert_string_equal(ps_input_error(&in), cases[t].message);
        /* Sticky: the source stays failed, for every kind of call. */
        assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_FORMAT);
        assert_int_equal(ps_input_read(&in, text, 10, &len), PS_ERR_FORMAT);
        ps_input_free(&in);
        close(fd);
        free(gz);
    }
}

/*
 * Bytes after complete gzip data that are not another member: everything
 * before them is handed out (a last line without its newline included),
 * then the source fails with a message of its own, not "corrupt".  Junk of
 * one byte, of many, and zero padding; the peek reads the member too.
 */
static void test_gzip_trailing_junk(void **state)
{
    static const struct { const char *what; const char *junk; size_t n; } cases[] = {
        {"one byte", "x", 1},
        {"text", "\x00\x01garbage after the member", 27},
        {"zero padding", "\0\0\0\0\0\0\0\0", 8},
    };

    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
        unsigned char *gz = NULL, head[64], back[64];
        size_t gzlen = 0, total, len, got;
        const char *line;
        char inner[16];
        ps_input in;
        int fd;

        print_message("case: %s\n", cases[t].what);
        gz_member("one\ntwo", 7, NULL, 6, &gz, &gzlen);
        gz = realloc(gz, gzlen + cases[t].n);
        assert_non_null(gz);
        memcpy(gz + gzlen, cases[t].junk, cases[t].n);
        gzlen += cases[t].n;

        fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
        assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
        assert_memory_equal(line, "one", 3);
        assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
        assert_int_equal(len, 3);
        assert_memory_equal(line, "two", 3);
        assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_FORMAT);
        assert_string_equal(ps_input_error(&in), "data after the end of the gzip data: not read");
        ps_input_free(&in);
        close(fd);

        fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
        assert_int_equal(drain(&in, back, sizeof(back), &total), PS_ERR_FORMAT);
        assert_int_equal(total, 7);
        assert_memory_equal(back, "one\ntwo", 7);
        ps_input_free(&in);
        close(fd);

        fd = make_file(state, gz, gzlen);
        assert_int_equal(ps_gzip_peek(fd, head, sizeof(head), &got, inner, sizeof(inner)), PS_OK);
        assert_int_equal(got, 7);
        close(fd);
        free(gz);
    }
}

/* A gzip bomb stops on the ratio long before it has been inflated. */
static void test_gzip_bomb(void **state)
{
    size_t n = 64u << 20, total;
    unsigned char *zeros = calloc(1, n), *gz = NULL;
    size_t gzlen = 0;
    ps_input in;
    int fd;

    assert_non_null(zeros);
    gz_member(zeros, n, NULL, 9, &gz, &gzlen);
    free(zeros);
    assert_true(gzlen < 128u * 1024u);
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 200);
    assert_int_equal(drain(&in, NULL, 0, &total), PS_ERR_LIMIT);
    assert_string_equal(ps_input_error(&in), "compression ratio above 200:1 (a decompression bomb?)");
    /* Stopped within a few windows of the 1 MiB floor, not at 64 MiB. */
    assert_true(total <= (2u << 20));
    ps_input_free(&in);
    close(fd);

    /* The default ratio (0 = 200) applies too. */
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 0);
    assert_int_equal(drain(&in, NULL, 0, &total), PS_ERR_LIMIT);
    assert_non_null(strstr(ps_input_error(&in), "a decompression bomb?"));
    ps_input_free(&in);
    close(fd);

    /* A looser ratio lets it through: the limit, not zlib, stopped it. */
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 100000);
    assert_int_equal(drain(&in, NULL, 0, &total), PS_OK);
    assert_int_equal(total, n);
    ps_input_free(&in);
    close(fd);
    free(gz);
}

/* Below the 1 MiB floor the ratio is not judged: small repetitive files pass. */
static void test_gzip_ratio_floor(void **state)
{
    size_t n = 1u << 20, total;
    unsigned char *zeros = calloc(1, n), *gz = NULL;
    size_t gzlen = 0;
    ps_input in;
    int fd;

    assert_non_null(zeros);
    gz_member(zeros, n, NULL, 9, &gz, &gzlen);
    free(zeros);
    fd = open_gz(state, &in, gz, gzlen, 0, 0, 2);
    assert_int_equal(drain(&in, NULL, 0, &total), PS_OK);
    assert_int_equal(total, n);
    ps_input_free(&in);
    close(fd);
    free(gz);
}

/* max_inflate: exactly the limit passes; one byte more fails, and is not handed on. */
static void test_gzip_max_inflate(void **state)
{
    static const struct { uint64_t max; ps_status st; size_t total; } cases[] = {
        {10000, PS_OK, 10000},
        {9999, PS_ERR_LIMIT, 9999},
        {100, PS_ERR_LIMIT, 100},
    };
    unsigned char data[10000], *gz = NULL;
    size_t gzlen = 0;

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i % 251);
    /* Two members, so the limit also holds across a member boundary. */
    gz_member(data, 6000, NULL, 6, &gz, &gzlen);
    gz_member(data + 6000, 4000, NULL, 6, &gz, &gzlen);
    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
        ps_input in;
        size_t total;
        char msg[96];
        int fd = open_gz(state, &in, gz, gzlen, 0, cases[t].max, 0);

        assert_int_equal(drain(&in, NULL, 0, &total), cases[t].st);
        assert_int_equal(total, cases[t].total);
        if (cases[t].st != PS_OK) {
            snprintf(msg, sizeof(msg), "decompressed size exceeds the limit of %llu bytes",
                     (unsigned long long)cases[t].max);
            assert_string_equal(ps_input_error(&in), msg);
        } else {
            assert_null(ps_input_error(&in));
        }
        ps_input_free(&in);
        close(fd);
    }
    free(gz);
}

/* An unknown transport is refused, not read as plain. */
static void test_open_bad_transport(void **state)
{
    ps_source src;
    ps_input in;

    (void)state;
    memset(&src, 0, sizeof(src));
    src.fd = -1;
    src.transport = (ps_transport)42;
    assert_int_equal(ps_input_open(&in, &src), PS_ERR_USAGE);
    ps_input_free(&in);
}

typedef struct peek_case {
    const char *what;
    const char *fname;  /* NULL: no FNAME in the header */
    size_t inner_cap;
    const char *inner;  /* expected */
} peek_case;

static void test_gzip_peek_names(void **state)
{
    static const peek_case cases[] = {
        {"plain", "backup.sql", 64, "backup.sql"},
        {"no name", NULL, 64, ""},
        {"path stripped", "../../etc/passwd", 64, "passwd"},
        {"windows path", "C:\\dumps\\win.sql", 64, "win.sql"},
        {"escape sequence", "evil\x1b[31m.sql", 64, "evil_[31m.sql"},
        {"utf-8 kept", "caf\xc3\xa9.csv", 64, "caf\xc3\xa9.csv"},
        {"broken utf-8", "bad\xff\xfe.txt", 64, "bad__.txt"},
        {"c1 control", "a\xc2\x85" "b", 64, "a_b"},
        {"dot-dot", "..", 64, ""},
        {"trailing slash", "dir/", 64, ""},
        {"truncated", "abcdefghij", 8, "abcdefg"},
        {"no split sequence", "abcdef\xc3\xa9", 8, "abcdef"},
        {"cap one", "abc", 1, ""},
    };
    static const char body[] = "-- MySQL dump 10.13\nINSERT INTO t VALUES (1);\n";

    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
        unsigned char *gz = NULL, head[256];
        size_t gzlen = 0, got;
        char inner[64];
        int fd;

        print_message("case: %s\n", cases[t].what);
        gz_member(body, sizeof(body) - 1, cases[t].fname, 6, &gz, &gzlen);
        fd = make_file(state, gz, gzlen);
        assert_int_equal(lseek(fd, 7, SEEK_SET), 7);
        memset(inner, 'Z', sizeof(inner));
        assert_int_equal(ps_gzip_peek(fd, head, sizeof(head), &got, inner, cases[t].inner_cap), PS_OK);
        assert_int_equal(got, sizeof(body) - 1);
        assert_memory_equal(head, body, got);
        assert_string_equal(inner, cases[t].inner);
        /* pread only: the descriptor's position is untouched. */
        assert_int_equal(lseek(fd, 0, SEEK_CUR), 7);
        close(fd);
        free(gz);
    }
}

/* Peek: a head smaller than the data, members, and what is not gzip. */
static void test_gzip_peek_head(void **state)
{
    unsigned char *gz = NULL, head[8];
    size_t gzlen = 0, got;
    char inner[32];
    int fd;

    gz_member("first ", 6, "first.txt", 6, &gz, &gzlen);
    gz_member("second", 6, "second.txt", 6, &gz, &gzlen);
    fd = make_file(state, gz, gzlen);
    assert_int_equal(ps_gzip_peek(fd, head, sizeof(head), &got, inner, sizeof(inner)), PS_OK);
    assert_int_equal(got, 8);
    assert_memory_equal(head, "first se", 8);
    assert_string_equal(inner, "first.txt"); /* the first member names the file */
    close(fd);

    /* Not gzip, and a gzip header that breaks off: PS_ERR_FORMAT. */
    fd = make_file(state, "hello world", 11);
    assert_int_equal(ps_gzip_peek(fd, head, sizeof(head), &got, inner, sizeof(inner)), PS_ERR_FORMAT);
    assert_int_equal(got, 0);
    close(fd);
    fd = make_file(state, gz, 12); /* inside the FNAME */
    assert_int_equal(ps_gzip_peek(fd, head, sizeof(head), &got, inner, sizeof(inner)), PS_ERR_FORMAT);
    close(fd);
    gz[3] = 0xE0; /* reserved flag bits: zlib refuses the header */
    fd = make_file(state, gz, gzlen);
    assert_int_equal(ps_gzip_peek(fd, head, sizeof(head), &got, inner, sizeof(inner)), PS_ERR_FORMAT);
    close(fd);
    assert_int_equal(ps_gzip_peek(-1, head, sizeof(head), &got, inner, sizeof(inner)), PS_ERR_IO);
    free(gz);
}

/*
 * The scratch helper (scratch.c) every reader test cleans up with.  cmocka
 * does not fail a program whose group teardown fails, so a broken removal
 * would only leave directories in /tmp; this case is what would notice.
 * A symbolic link inside is removed, never followed.
 */
static void test_scratch_remove_tree(void **state)
{
    char dir[256], outside[256], path[600];
    struct stat st;
    FILE *f;

    (void)state;
    assert_int_equal(ps_scratch_make(dir, sizeof(dir), "scratch_rm"), 0);
    assert_int_equal(ps_scratch_make(outside, sizeof(outside), "scratch_keep"), 0);
    snprintf(path, sizeof(path), "%s/file", outside);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);

    snprintf(path, sizeof(path), "%s/a", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/a/b", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/a/b/deep", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/top", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/link", dir);
    assert_int_equal(symlink(outside, path), 0);

    assert_int_equal(ps_scratch_remove(dir), 0);
    assert_int_equal(lstat(dir, &st), -1);
    /* The link's target and its file are untouched. */
    snprintf(path, sizeof(path), "%s/file", outside);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(ps_scratch_remove(outside), 0);
    assert_int_equal(ps_scratch_remove(dir), -1); /* gone already */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_table),
        cmocka_unit_test(test_chunk_boundary),
        cmocka_unit_test(test_crlf_across_boundary),
        cmocka_unit_test(test_long_line_across_chunks),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_read_and_chunk),
        cmocka_unit_test(test_pipe),
        cmocka_unit_test(test_bad_fd),
        cmocka_unit_test(test_growing_file),
        cmocka_unit_test(test_shrinking_file),
        cmocka_unit_test(test_gzip_lines_and_bytes),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_gzip_growing),
        cmocka_unit_test(test_gzip_corrupt),
        cmocka_unit_test(test_gzip_trailing_junk),
        cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_gzip_ratio_floor),
        cmocka_unit_test(test_gzip_max_inflate),
        cmocka_unit_test(test_open_bad_transport),
        cmocka_unit_test(test_gzip_peek_names),
        cmocka_unit_test(test_gzip_peek_head),
        cmocka_unit_test(test_utf16_decode_stream),
        cmocka_unit_test(test_utf16_lines),
        cmocka_unit_test(test_open_bad_encoding),
        cmocka_unit_test(test_scratch_remove_tree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

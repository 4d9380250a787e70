/*
 * input.c - buffered, bounded, sequential reads over a borrowed fd.
 *
 * A line that lies wholly inside the current window is returned in place
 * (no copy); only a line that straddles two reads is assembled in in->line,
 * whose hard maximum is the line limit.  A longer line is skipped to its end
 * and reported, so one runaway line costs an error, not the rest of the
 * file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

ps_status ps_input_init(ps_input *in, int fd, size_t max_line)
{
    memset(in, 0, sizeof(*in));
    in->fd = fd;
    if (max_line == 0)
        max_line = PS_MAX_RECORD_DEFAULT;
    /* One byte of slack so that a "\r" before the "\n" does not count. */
    ps_buf_init(&in->line, max_line < SIZE_MAX ? max_line + 1 : max_line);
    in->buf = malloc(PS_INPUT_CHUNK);
    if (in->buf == NULL)
        return PS_ERR_NOMEM;
    /* Only a hint: pipes and some filesystems refuse it, which is fine. */
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return PS_OK;
}

void ps_input_free(ps_input *in)
{
    if (in == NULL)
        return;
    free(in->buf);
    in->buf = NULL;
    ps_buf_free(&in->line);
    in->pos = in->end = 0;
}

/* Read into dst, retrying on EINTR.  Sets in->eof / in->err. */
static ps_status input_sysread(ps_input *in, void *dst, size_t n, size_t *got)
{
    ssize_t r;

    *got = 0;
    if (in->eof)
        return PS_OK;
    do {
        r = read(in->fd, dst, n);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        in->err = errno;
        return PS_ERR_IO;
    }
    if (r == 0)
        in->eof = 1;
    *got = (size_t)r;
    return PS_OK;
}

/* Refill the (empty) window.  At end of input pos == end == 0 afterwards. */
static ps_status input_fill(ps_input *in)
{
    size_t got;
    ps_status st;

    in->pos = in->end = 0;
    st = input_sysread(in, in->buf, PS_INPUT_CHUNK, &got);
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
            if (st != PS_OK)
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

    *got = 0;
    if (n == 0)
        return PS_OK;
    if (in->pos == in->end) {
        /* Large reads bypass the window: one copy fewer. */
        if (n >= PS_INPUT_CHUNK) {
            ps_status st = input_sysread(in, dst, n, got);
            in->offset += *got;
            return st;
        }
        if (input_fill(in) != PS_OK)
            return PS_ERR_IO;
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

    *p = NULL;
    *n = 0;
    if (in->pos == in->end && input_fill(in) != PS_OK)
        return PS_ERR_IO;
    k = in->end - in->pos;
    *p = in->buf + in->pos;
    *n = k;
    input_advance(in, k);
    return PS_OK;
}

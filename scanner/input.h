/*
 * input.h - a read-only, buffered byte source over an open file descriptor.
 *
 * Readers pull bytes and lines through this instead of touching the fd, so
 * that a later transport (gzip, a slice of a large file) is one new source,
 * not a change to every reader.  Reads are large and sequential, and the
 * kernel is told so (posix_fadvise SEQUENTIAL).  No line may exceed the
 * configured maximum: a longer one fails with PS_ERR_LIMIT rather than
 * growing without bound.
 */
#ifndef PS_INPUT_H
#define PS_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "util.h"

#define PS_INPUT_CHUNK (256u * 1024u)          /* one read(2) */
#define PS_MAX_RECORD_DEFAULT (16u * 1024u * 1024u) /* longest line/record */

typedef struct ps_input {
    int fd;             /* borrowed; the caller opened it read-only */
    unsigned char *buf; /* PS_INPUT_CHUNK bytes of window */
    size_t pos, end;    /* unread bytes are buf[pos..end) */
    ps_buf line;        /* holds a line that straddles reads */
    uint64_t offset;    /* bytes consumed so far */
    uint64_t line_no;   /* number of the last line returned, 1-based */
    int eof;
    int err;            /* errno of a failed read, else 0 */
} ps_input;

/* max_line bounds a single line; 0 means PS_MAX_RECORD_DEFAULT. */
ps_status ps_input_init(ps_input *in, int fd, size_t max_line) PS_WARN_UNUSED;
void ps_input_free(ps_input *in);

/*
 * Next line without its "\n" (a "\r\n" loses the "\r" too).  *line points
 * into the input's own storage and is valid until the next call.  Returns
 * PS_OK with *line set, PS_ERR_STOP at end of input (a last line without a
 * newline is still returned first), PS_ERR_LIMIT for an over-long line (the
 * rest of that line is skipped, so reading may go on), or PS_ERR_IO.
 */
ps_status ps_input_line(ps_input *in, const char **line, size_t *len);

/*
 * Up to n bytes into dst.  *got is 0 only at end of input.  Returns PS_OK or
 * PS_ERR_IO.
 */
ps_status ps_input_read(ps_input *in, void *dst, size_t n, size_t *got);

/*
 * The next run of unread bytes, without copying: *p points into the input's
 * window and is valid until the next call on in; the bytes count as
 * consumed.  For byte-level readers (CSV, SQL dumps) whose records do not
 * follow lines.  *n is 0 only at end of input.  Returns PS_OK or PS_ERR_IO.
 */
ps_status ps_input_chunk(ps_input *in, const unsigned char **p, size_t *n);

#endif /* PS_INPUT_H */

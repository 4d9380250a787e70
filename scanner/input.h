/*
 * input.h - a read-only, buffered byte source over an open file descriptor.
 *
 * Readers pull bytes and lines through this instead of touching the fd, so
 * that a transport (gzip today) is one source, not a change to every
 * reader.  Reads are large and sequential, and the kernel is told so
 * (posix_fadvise SEQUENTIAL).  No line may exceed the configured maximum: a
 * longer one fails with PS_ERR_LIMIT rather than growing without bound.
 *
 * Transports.  ps_input_open() looks at src->transport: PS_TRANSPORT_GZIP
 * inflates the fd (concatenated members included) into the same window, so
 * readers see decompressed bytes and never know.  Inflating is bounded
 * twice, because a small file can expand to fill a disk's worth of memory
 * and time: by a total (src->max_inflate) and, once more than 1 MiB has come
 * out, by the ratio of bytes out to bytes in (src->max_ratio).
 *
 * A moving end.  A regular file is read up to the size fstat(2) gives when
 * the input is set up, never further: a log that grows faster than it can
 * be read would otherwise be chased forever.  Bytes appended later are not
 * read (docs/limits.md).  A file that shrinks under the reader fails the
 * source (PS_ERR_IO), because bytes that were there at open went unread.
 *
 * Encodings.  When src->sniff.encoding says UTF-16 (LE or BE, sniff.h),
 * ps_input_open() decodes it to UTF-8 on top of the transport (so a gzipped
 * UTF-16 file works too): readers see UTF-8 text, offsets and line numbers
 * are those of the decoded text, a leading byte-order mark is dropped, and
 * broken surrogates become U+FFFD.  Memory stays bounded: 64 KiB of UTF-16
 * at a time.
 *
 * Failure of the source.  When the source itself fails (a read error,
 * corrupt gzip data, a decompression limit), every later call returns the
 * same status and ps_input_error() gives a one-line message that names no
 * data.  Bytes after complete gzip data that are not another member (junk,
 * padding) are such a failure too, PS_ERR_FORMAT "data after the end of the
 * gzip data: not read", but only once everything before them has been
 * handed out: a last line without its newline is still returned first.  Readers tell that apart from an over-long line (also
 * PS_ERR_LIMIT, but recoverable) by ps_input_error() being non-NULL.
 */
#ifndef PS_INPUT_H
#define PS_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "read.h"
#include "util.h"

/*
 * One read(2), and so the window that ps_input_chunk lends.  A build may
 * make it smaller (at least 4, for UTF-16), as the fuzzing campaigns do
 * with -DPS_INPUT_CHUNK=61u: their inputs of a few KiB then cross many
 * refills, where the readers that lend bytes straight from the window must
 * copy instead, and which a 256 KiB window never shows them.
 */
#ifndef PS_INPUT_CHUNK
#define PS_INPUT_CHUNK (256u * 1024u)
#endif
_Static_assert(PS_INPUT_CHUNK >= 4u, "PS_INPUT_CHUNK must hold a UTF-16 code unit pair");
#define PS_MAX_RECORD_DEFAULT (16u * 1024u * 1024u) /* longest line/record */
#define PS_INFLATE_MAX_DEFAULT ((uint64_t)4 << 30)  /* 4 GiB decompressed */
#define PS_INFLATE_RATIO_DEFAULT 200u               /* out:in, past 1 MiB */
#define PS_INFLATE_RATIO_FLOOR ((uint64_t)1 << 20)  /* ratio checked past this */

struct ps_inflate; /* gzip state; private to input.c */
struct ps_utf16;   /* UTF-16 decoder state; private to input.c */

typedef struct ps_input {
    int fd;             /* borrowed; the caller opened it read-only */
    unsigned char *buf; /* PS_INPUT_CHUNK bytes of window */
    size_t pos, end;    /* unread bytes are buf[pos..end) */
    ps_buf line;        /* holds a line that straddles reads */
    uint64_t offset;    /* bytes consumed so far (decompressed for gzip) */
    uint64_t line_no;   /* number of the last line returned, 1-based */
    int eof;
    int err;            /* errno of a failed read, else 0 */
    int raw_bounded;    /* the fd is a regular file: stop at raw_left */
    uint64_t raw_left;  /* fd bytes still to read, of the size at set-up */
    struct ps_inflate *z; /* NULL for a plain fd */
    struct ps_utf16 *u;   /* NULL unless the text is UTF-16 */
    ps_status fail;     /* sticky failure of the source, PS_OK when none */
    int fail_at_end;    /* it came after all the data (gzip trailing junk) */
    char errmsg[96];    /* what ps_input_error() returns */
} ps_input;

/*
 * A plain fd.  max_line bounds a single line; 0 means PS_MAX_RECORD_DEFAULT.
 * A regular file is read up to the size it has now (see "A moving end").
 * On failure in is still safe to pass to ps_input_free().
 */
ps_status ps_input_init(ps_input *in, int fd, size_t max_line) PS_WARN_UNUSED;

/*
 * The byte source a reader should use for src: src->fd through
 * src->transport, decoded from src->sniff.encoding to UTF-8, lines bounded
 * by src->max_record, inflating bounded by src->max_inflate and
 * src->max_ratio (0 = the defaults above).  Returns PS_OK, PS_ERR_NOMEM or
 * PS_ERR_USAGE (unknown transport or encoding).  On failure in is still safe
 * to pass to ps_input_free().
 */
ps_status ps_input_open(ps_input *in, const ps_source *src) PS_WARN_UNUSED;

void ps_input_free(ps_input *in);

/*
 * Why the source failed ("corrupt gzip data", "compression ratio above 200:1
 * (a decompression bomb?)", "read failed (errno 5)", ...), or NULL while it
 * has not.  The text never quotes input.
 */
const char *ps_input_error(const ps_input *in);

/*
 * Next line without its "\n" (a "\r\n" loses the "\r" too).  *line points
 * into the input's own storage and is valid until the next call.  Returns
 * PS_OK with *line set, PS_ERR_STOP at end of input (a last line without a
 * newline is still returned first), PS_ERR_LIMIT for an over-long line (the
 * rest of that line is skipped, so reading may go on), or the source's
 * failure (ps_input_error() non-NULL: PS_ERR_IO, and for gzip also
 * PS_ERR_FORMAT, PS_ERR_LIMIT or PS_ERR_NOMEM).
 */
ps_status ps_input_line(ps_input *in, const char **line, size_t *len);

/*
 * Up to n bytes into dst.  *got is 0 only at end of input.  Returns PS_OK or
 * the source's failure (see ps_input_line).
 */
ps_status ps_input_read(ps_input *in, void *dst, size_t n, size_t *got);

/*
 * The next run of unread bytes, without copying: *p points into the input's
 * window and is valid until the next call on in; the bytes count as
 * consumed.  For byte-level readers (CSV, SQL dumps) whose records do not
 * follow lines.  *n is 0 only at end of input.  Returns PS_OK or the
 * source's failure (see ps_input_line).
 */
ps_status ps_input_chunk(ps_input *in, const unsigned char **p, size_t *n);

/*
 * The scan driver's look inside a gzip file before choosing a reader:
 * decompress up to cap bytes from offset 0 of fd into head (pread, so the
 * fd's position does not matter and is left alone), *got bytes.  Fewer than
 * cap only when the data ends first.  inner receives the FNAME stored in the
 * gzip header, reduced to a safe basename (printable ASCII and valid UTF-8,
 * at most inner_cap - 1 bytes, never "." or ".."), or "" when there is none.
 * Returns PS_OK, PS_ERR_FORMAT when fd is not gzip or its header or first
 * bytes are corrupt, PS_ERR_IO, or PS_ERR_NOMEM.
 */
ps_status ps_gzip_peek(int fd, unsigned char *head, size_t cap, size_t *got,
                       char *inner, size_t inner_cap) PS_WARN_UNUSED;

#endif /* PS_INPUT_H */

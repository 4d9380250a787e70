/*
 * util.h - small shared helpers: a bounded growable buffer, array growth,
 * and string duplication that reports failure instead of aborting.
 *
 * Every buffer fed by input is a ps_buf with a hard maximum set at init (the
 * curl dynbuf habit): hostile input can make a buffer fail, never make it
 * eat the machine.
 */
#ifndef PS_UTIL_H
#define PS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"

typedef struct ps_buf {
    char *data;   /* NUL-terminated when len > 0 or after ps_buf_cstr */
    size_t len;
    size_t cap;
    size_t max;   /* hard limit on len; appends past it fail with PS_ERR_LIMIT */
} ps_buf;

void ps_buf_init(ps_buf *b, size_t max);
void ps_buf_free(ps_buf *b);
/* Keeps the allocation; len becomes 0. */
void ps_buf_reset(ps_buf *b);
ps_status ps_buf_append(ps_buf *b, const void *p, size_t n) PS_WARN_UNUSED;
ps_status ps_buf_putc(ps_buf *b, char c) PS_WARN_UNUSED;
/* Append the byte sep, then n bytes of p: one reservation (a path step, a key). */
ps_status ps_buf_append_sep(ps_buf *b, char sep, const void *p, size_t n) PS_WARN_UNUSED;
ps_status ps_buf_printf(ps_buf *b, const char *fmt, ...) PS_PRINTF(2, 3) PS_WARN_UNUSED;
/* Always returns a NUL-terminated string (an empty one for an empty buffer). */
const char *ps_buf_cstr(ps_buf *b);

/*
 * Grow *arr (element size elem) so that it can hold at least need elements.
 * *cap is updated.  Returns PS_OK or PS_ERR_NOMEM; on failure *arr is kept.
 */
ps_status ps_grow(void *arr, size_t *cap, size_t need, size_t elem) PS_WARN_UNUSED;

/* strdup/strndup that return NULL on failure (callers map it to PS_ERR_NOMEM). */
char *ps_strdup(const char *s);
char *ps_strndup(const char *s, size_t n);

/* Bounded copy that always terminates dst (dstsize > 0).  Returns strlen(src). */
size_t ps_strlcpy(char *dst, const char *src, size_t dstsize);

/*
 * FNV-1a of s[0..n): for the small tables of names kept per file (field
 * names, table names), whose keys are short and whose collisions cost an
 * extra compare, never a wrong answer.  The constants are for hashes that
 * mix in more than bytes (findings.c, people.c).
 */
#define PS_FNV_BASIS UINT64_C(14695981039346656037)
#define PS_FNV_PRIME UINT64_C(1099511628211)
uint64_t ps_fnv1a(const char *s, size_t n);

/* The value of hex digit ch (either case), or -1 for anything else (EOF included). */
int ps_hex_digit(int ch);

/*
 * A name read from a scanned file (a table, an identifier) made fit for a
 * one-line diagnostic: bytes outside printable ASCII become '?', and a name
 * longer than dstsize - 1 is cut with "...".  dstsize must be at least 4.
 */
void ps_printable(char *dst, size_t dstsize, const char *src);

/*
 * Readers go on past a bad spot and report the first problem of a file:
 * set *first = st and the message only while *first is still PS_OK.
 */
void ps_diag_first(ps_diag *d, ps_status *first, ps_status st,
                   const char *fmt, ...) PS_PRINTF(4, 5);

/* Case-insensitive ASCII comparisons; locale-independent on purpose. */
int ps_strcaseeq(const char *a, const char *b);

/* Parse a whole decimal string into *out; -1 on junk, overflow or empty. */
int ps_parse_u64(const char *s, uint64_t *out);

/*
 * Decode the UTF-8 sequence at s[0..n): its length (1..4) with the code point
 * in *cp, or 0 when the bytes are not valid UTF-8 (overlong forms, surrogates,
 * code points past U+10FFFF and truncated sequences included).
 */
size_t ps_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

#endif /* PS_UTIL_H */

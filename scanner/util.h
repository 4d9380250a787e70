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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/*
 * A zeroed object of size bytes on cache lines of its own (aligned, its
 * size rounded up to PS_CACHE_LINE), or NULL; free it with free().  For the
 * state a worker writes on every record: allocated one after another from
 * the main thread, two workers' objects could otherwise share a line, and
 * each write would take it from the other core.
 */
#define PS_CACHE_LINE 64u
void *ps_calloc_line(size_t size);

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

/*
 * Whether a[0..n) equals b[0..n).  For the short keys the hot paths compare
 * (a JSON Lines separator, a cached cell value), a word or two read so that
 * they overlap rather than past either end cost less than a call to memcmp.
 */
static inline bool ps_same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    uint32_t u, v;

    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return false;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        if (u != v)
            return false;
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return u == v;
    }
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return false;
    }
    return true;
}

/*
 * The decimal digits of u, written so that they end just before end (which
 * has room for 20); returns where they start.  By hand, because ids and
 * counts are most of what the readers turn into text and printf's parsing
 * costs more than the digits.  Inline: it is called once a cell.
 */
static inline char *ps_u64_text(uint64_t u, char *end)
{
    char *p = end;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    return p;
}

/*
 * Stop sets: where the run of bytes that a reader can hand out as they lie
 * ends.  Runs are most of the bytes of a CSV, a JSON line or an SQL dump,
 * and their ends are a few bytes (a delimiter, a quote, a backslash, a line
 * end) and, for JSON, any control byte: so a set is up to PS_STOPS_MAX
 * bytes, and a search may add every byte below a bound.  ps_span_until
 * looks at sixteen bytes at a time where SSE2 is there (x86-64 always has
 * it), at eight (a word) elsewhere or with -DPS_NO_SIMD; both find the same
 * byte, and -DPS_NO_SIMD lets the portable path be tested on x86-64 too.
 * A set is made once (its bytes spread over a vector and a word), then
 * used for every run.
 */
#if defined(__SSE2__) && !defined(PS_NO_SIMD)
#define PS_STOPS_SSE2 1
#include <emmintrin.h>
#endif

#define PS_STOPS_MAX 3

/*
 * Inlined into each reader's loop whatever the compiler thinks of their
 * size, so that a search compares only what its set holds (nb and below
 * are constants where it is inlined), a set made from constants folds
 * away, and one held in a context is not reloaded for every run.
 */
#if defined(__GNUC__)
#define PS_STOPS_INLINE static inline __attribute__((always_inline))
#else
#define PS_STOPS_INLINE static inline
#endif

typedef struct ps_stops {
#ifdef PS_STOPS_SSE2
    __m128i v[PS_STOPS_MAX];  /* each stop byte in every byte of a vector */
#endif
    uint64_t w[PS_STOPS_MAX]; /* and of a word */
    unsigned char b[PS_STOPS_MAX];
} ps_stops;

/*
 * Make *s the set of bytes[0..nb), nb from 1 to PS_STOPS_MAX.  Every
 * search in it must be given the same nb.
 */
PS_STOPS_INLINE void ps_stops_init(ps_stops *s, const unsigned char *bytes, size_t nb)
{
    for (size_t k = 0; k < PS_STOPS_MAX; k++) {
        /* Places past nb repeat the last byte: never a stop more. */
        unsigned char b = bytes[k < nb ? k : nb - 1];

        s->b[k] = b;
        s->w[k] = UINT64_C(0x0101010101010101) * b;
#ifdef PS_STOPS_SSE2
        s->v[k] = _mm_set1_epi8((char)b);
#endif
    }
}

/* Whether the byte ch stops a run: one of the nb bytes of s, or below `below`. */
PS_STOPS_INLINE int ps_stops_has(const ps_stops *s, size_t nb, unsigned below, unsigned char ch)
{
    return ch == s->b[0] || (nb > 1 && ch == s->b[1]) || (nb > 2 && ch == s->b[2]) ||
           ch < below;
}

#ifdef PS_STOPS_SSE2
/* Bit j set: p[j] stops a run, for j < 16. */
PS_STOPS_INLINE unsigned ps_stops_hits16(const ps_stops *s, size_t nb, unsigned below,
                                         const unsigned char *p)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_cmpeq_epi8(v, s->v[0]);

    if (nb > 1)
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, s->v[1]));
    if (nb > 2)
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, s->v[2]));
    if (below != 0) {
        /* Unsigned v <= below - 1: a signed compare would be wrong for bytes >= 0x80. */
        const __m128i top = _mm_set1_epi8((char)(below - 1));

        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(v, top), v));
    }
    return (unsigned)_mm_movemask_epi8(hit);
}
#endif

/*
 * The index of the first byte of p[i..n) that stops a run (one of the nb
 * bytes of s, or below `below`), or n.  below is at most 0x80 (the word
 * test holds that far), 0 for none.  Pass nb and below as constants: the
 * search then holds just their compares.  By index, as the readers walk a
 * window by index: a pointer and a length would cost their conversions on
 * every run.  It never reads outside p[i..n), and reads each byte once
 * (twice for some of the last sixteen), however many stop bytes a hostile
 * input holds.
 */
PS_STOPS_INLINE size_t ps_span_until(const ps_stops *s, size_t nb, unsigned below,
                                     const unsigned char *p, size_t i, size_t n)
{
#ifdef PS_STOPS_SSE2
    unsigned m;

    if (n - i < 16) {
        /* Fewer than sixteen bytes in all (a run cut by the end of a window or a line). */
        while (i < n && !ps_stops_has(s, nb, below, p[i]))
            i++;
        return i;
    }
    do {
        m = ps_stops_hits16(s, nb, below, p + i);
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    } while (n - i >= 16);
    if (i == n)
        return n;
    /* The last sixteen bytes, which end at p + n, less those already seen. */
    m = ps_stops_hits16(s, nb, below, p + n - 16) >> (16 - (n - i));
    return m != 0 ? i + (size_t)__builtin_ctz(m) : n;
#else
    const uint64_t ones = UINT64_C(0x0101010101010101);
    const uint64_t highs = UINT64_C(0x8080808080808080);

    for (; n - i >= 8; i += 8) {
        uint64_t w, x, hit;

        memcpy(&w, p + i, 8);
        /* A zero byte of w ^ a stop byte repeated, or a byte below the bound. */
        x = w ^ s->w[0];
        hit = (x - ones) & ~x;
        if (nb > 1) {
            x = w ^ s->w[1];
            hit |= (x - ones) & ~x;
        }
        if (nb > 2) {
            x = w ^ s->w[2];
            hit |= (x - ones) & ~x;
        }
        if (below != 0)
            hit |= (w - ones * below) & ~w;
        hit &= highs;
        if (hit != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* The lowest flag is exact (a borrow only runs upwards): the first stop. */
            return i + (size_t)__builtin_ctzll(hit) / 8;
#else
            break;
#endif
        }
    }
    while (i < n && !ps_stops_has(s, nb, below, p[i]))
        i++;
    return i;
#endif
}

#endif /* PS_UTIL_H */

/*
 * util.c - bounded buffers, array growth, and the shared vocabulary tables
 * (status, severity and category names).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *ps_strerror(ps_status st)
{
    switch (st) {
    case PS_OK: return "success";
    case PS_ERR_NOMEM: return "out of memory";
    case PS_ERR_IO: return "input/output error";
    case PS_ERR_USAGE: return "usage error";
    case PS_ERR_RULE: return "invalid rule or config";
    case PS_ERR_FORMAT: return "malformed input";
    case PS_ERR_LIMIT: return "input exceeds a hard limit";
    case PS_ERR_CRYPTO: return "cryptographic failure";
    case PS_ERR_STOP: return "stopped";
    }
    return "unknown error";
}

static const char *const severity_names[PS_SEV_COUNT] = {
    "info", "low", "medium", "high", "critical"
};

const char *ps_severity_name(ps_severity sev)
{
    if ((unsigned)sev >= PS_SEV_COUNT)
        return "unknown";
    return severity_names[sev];
}

int ps_severity_parse(const char *name, ps_severity *out)
{
    for (int i = 0; i < PS_SEV_COUNT; i++) {
        if (strcmp(name, severity_names[i]) == 0) {
            *out = (ps_severity)i;
            return 0;
        }
    }
    return -1;
}

static const char *const category_names[PS_CAT_COUNT] = {
    "plaintext-message",
    "unencrypted-media",
    "child-record",
    "plaintext-pii",
    "weak-password-hash",
    "plaintext-password",
    "plaintext-secret-answer",
    "key-exposure",
    "insecure-permissions",
    "plaintext-payment",
    "retention-exceeded",
    "weak-encryption",
};

const char *ps_category_name(ps_category cat)
{
    if ((unsigned)cat >= PS_CAT_COUNT)
        return "unknown";
    return category_names[cat];
}

int ps_category_parse(const char *name, ps_category *out)
{
    for (int i = 0; i < PS_CAT_COUNT; i++) {
        if (strcmp(name, category_names[i]) == 0) {
            *out = (ps_category)i;
            return 0;
        }
    }
    return -1;
}

void ps_diag_set(ps_diag *d, const char *fmt, ...)
{
    va_list ap;

    if (d == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

void ps_diag_at(ps_diag *d, const char *file, unsigned long line,
                unsigned long col, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (d == NULL)
        return;
    n = snprintf(d->msg, sizeof(d->msg), "%s:%lu:%lu: ", file, line, col);
    if (n < 0 || (size_t)n >= sizeof(d->msg))
        return;
    va_start(ap, fmt);
    vsnprintf(d->msg + n, sizeof(d->msg) - (size_t)n, fmt, ap);
    va_end(ap);
}

void ps_diag_first(ps_diag *d, ps_status *first, ps_status st, const char *fmt, ...)
{
    va_list ap;

    if (*first != PS_OK)
        return;
    *first = st;
    if (d == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

void ps_buf_init(ps_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ps_buf_free(ps_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void ps_buf_reset(ps_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

/* Make room for n more bytes plus a terminator, within the hard maximum. */
static ps_status buf_reserve(ps_buf *b, size_t n)
{
    size_t need, cap;
    char *p;

    if (n > b->max || b->len > b->max - n)
        return PS_ERR_LIMIT;
    need = b->len + n + 1;
    if (need <= b->cap)
        return PS_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (p == NULL)
        return PS_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return PS_OK;
}

ps_status ps_buf_append(ps_buf *b, const void *p, size_t n)
{
    ps_status st = buf_reserve(b, n);

    if (st != PS_OK)
        return st;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return PS_OK;
}

ps_status ps_buf_putc(ps_buf *b, char c)
{
    return ps_buf_append(b, &c, 1);
}

ps_status ps_buf_append_sep(ps_buf *b, char sep, const void *p, size_t n)
{
    ps_status st = n < SIZE_MAX ? buf_reserve(b, n + 1) : PS_ERR_LIMIT;

    if (st != PS_OK)
        return st;
    b->data[b->len++] = sep;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return PS_OK;
}

ps_status ps_buf_printf(ps_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n;
    ps_status st;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return PS_ERR_FORMAT;
    if ((size_t)n < sizeof(small))
        return ps_buf_append(b, small, (size_t)n);
    st = buf_reserve(b, (size_t)n);
    if (st != PS_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return PS_OK;
}

const char *ps_buf_cstr(ps_buf *b)
{
    return b->data != NULL ? b->data : "";
}

ps_status ps_grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    void **pa = arr;
    size_t ncap;
    void *p;

    if (need <= *cap)
        return PS_OK;
    ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return PS_ERR_NOMEM;
        ncap *= 2;
    }
    p = realloc(*pa, ncap * elem);
    if (p == NULL)
        return PS_ERR_NOMEM;
    *pa = p;
    *cap = ncap;
    return PS_OK;
}

void *ps_calloc_line(size_t size)
{
    size_t n = size + (PS_CACHE_LINE - 1);
    void *p;

    if (size == 0 || n < size)
        return NULL;
    n -= n % PS_CACHE_LINE;
    p = aligned_alloc(PS_CACHE_LINE, n);
    if (p != NULL)
        memset(p, 0, n);
    return p;
}

char *ps_strdup(const char *s)
{
    return s != NULL ? ps_strndup(s, strlen(s)) : NULL;
}

char *ps_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

uint64_t ps_fnv1a(const char *s, size_t n)
{
    uint64_t h = PS_FNV_BASIS;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= PS_FNV_PRIME;
    }
    return h;
}

size_t ps_strlcpy(char *dst, const char *src, size_t dstsize)
{
    size_t n = strlen(src);

    if (dstsize > 0) {
        size_t k = n < dstsize - 1 ? n : dstsize - 1;
        memcpy(dst, src, k);
        dst[k] = '\0';
    }
    return n;
}

void ps_printable(char *dst, size_t dstsize, const char *src)
{
    size_t n = strlen(src), k = 0;
    bool cut = n > dstsize - 1;
    size_t keep = cut ? dstsize - 4 : n;

    for (; k < keep; k++) {
        unsigned char c = (unsigned char)src[k];
        dst[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (cut) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = '\0';
}

int ps_strcaseeq(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb)
            return 0;
        if (ca == '\0')
            return 1;
    }
}

int ps_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (s == NULL || *s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/*
 * Decode the UTF-8 sequence at s[0..n).  Returns its length (1..4) and sets
 * *cp, or returns 0 when the bytes are not valid UTF-8 (overlong forms,
 * surrogates, code points past U+10FFFF and truncated sequences included).
 */
size_t ps_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c, min;
    size_t len;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        c &= 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        c &= 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

int ps_hex_digit(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

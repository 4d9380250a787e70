/* test_util.c - bounded buffers, growth, parsing, stop sets and the vocabulary tables. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void test_buf_append_and_limit(void **state)
{
    ps_buf b;

    (void)state;
    ps_buf_init(&b, 8);
    assert_string_equal(ps_buf_cstr(&b), "");
    assert_int_equal(ps_buf_append(&b, "abcd", 4), PS_OK);
    assert_int_equal(ps_buf_putc(&b, 'e'), PS_OK);
    assert_string_equal(ps_buf_cstr(&b), "abcde");
    /* The hard maximum holds: 5 + 4 > 8 fails and leaves the buffer intact. */
    assert_int_equal(ps_buf_append(&b, "fghi", 4), PS_ERR_LIMIT);
    assert_int_equal(b.len, 5);
    assert_string_equal(ps_buf_cstr(&b), "abcde");
    assert_int_equal(ps_buf_append(&b, "fgh", 3), PS_OK);
    assert_int_equal(b.len, 8);
    ps_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(ps_buf_cstr(&b), "");
    ps_buf_free(&b);
}

/* A separator and a run in one append: the same limit, all or nothing. */
static void test_buf_append_sep(void **state)
{
    ps_buf b;

    (void)state;
    ps_buf_init(&b, 8);
    assert_int_equal(ps_buf_append_sep(&b, '/', "ab", 2), PS_OK);
    assert_int_equal(ps_buf_append_sep(&b, '/', "", 0), PS_OK);
    assert_string_equal(ps_buf_cstr(&b), "/ab/");
    assert_int_equal(b.len, 4);
    /* 4 + 1 + 4 > 8 fails and leaves the buffer intact; 4 + 1 + 3 fits. */
    assert_int_equal(ps_buf_append_sep(&b, '/', "cdef", 4), PS_ERR_LIMIT);
    assert_string_equal(ps_buf_cstr(&b), "/ab/");
    assert_int_equal(ps_buf_append_sep(&b, '.', "cde", 3), PS_OK);
    assert_string_equal(ps_buf_cstr(&b), "/ab/.cde");
    assert_int_equal(b.len, 8);
    ps_buf_free(&b);
}

static void test_buf_printf(void **state)
{
    ps_buf b;
    char big[600];

    (void)state;
    ps_buf_init(&b, 4096);
    assert_int_equal(ps_buf_printf(&b, "%s:%d", "x", 42), PS_OK);
    assert_string_equal(ps_buf_cstr(&b), "x:42");
    /* Longer than the internal 256-byte fast path. */
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ps_buf_printf(&b, "[%s]", big), PS_OK);
    assert_int_equal(b.len, 4 + 2 + 599);
    assert_int_equal(b.data[b.len - 1], ']');
    ps_buf_free(&b);
    ps_buf_init(&b, 10);
    assert_int_equal(ps_buf_printf(&b, "%s", big), PS_ERR_LIMIT);
    ps_buf_free(&b);
}

static void test_grow(void **state)
{
    int *arr = NULL;
    size_t cap = 0;

    (void)state;
    assert_int_equal(ps_grow(&arr, &cap, 3, sizeof(int)), PS_OK);
    assert_true(cap >= 3);
    for (int i = 0; i < 3; i++)
        arr[i] = i;
    assert_int_equal(ps_grow(&arr, &cap, 1000, sizeof(int)), PS_OK);
    assert_true(cap >= 1000);
    assert_int_equal(arr[2], 2);
    /* An impossible size fails instead of overflowing. */
    assert_int_equal(ps_grow(&arr, &cap, SIZE_MAX / 2, sizeof(int)), PS_ERR_NOMEM);
    free(arr);
}

static void test_parse_u64(void **state)
{
    static const struct { const char *in; int rc; uint64_t v; } cases[] = {
        { "0", 0, 0 },
        { "42", 0, 42 },
        { "18446744073709551615", 0, UINT64_MAX },
        { "18446744073709551616", -1, 0 },
        { "", -1, 0 },
        { "-1", -1, 0 },
        { "12a", -1, 0 },
        { " 1", -1, 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t v = 7;
        assert_int_equal(ps_parse_u64(cases[i].in, &v), cases[i].rc);
        if (cases[i].rc == 0)
            assert_true(v == cases[i].v);
    }
}

static void test_strings(void **state)
{
    char small[4];
    char *d;

    (void)state;
    assert_int_equal(ps_strlcpy(small, "abcdef", sizeof(small)), 6);
    assert_string_equal(small, "abc");
    d = ps_strndup("hello", 3);
    assert_string_equal(d, "hel");
    free(d);
    assert_true(ps_strcaseeq("Hello", "hELLO"));
    assert_false(ps_strcaseeq("Hello", "Hell"));
    assert_null(ps_strdup(NULL));
}

static void test_vocabulary(void **state)
{
    ps_severity sev;
    ps_category cat;

    (void)state;
    for (int i = 0; i < PS_SEV_COUNT; i++) {
        assert_int_equal(ps_severity_parse(ps_severity_name((ps_severity)i), &sev), 0);
        assert_int_equal(sev, i);
    }
    assert_true(PS_SEV_CRITICAL > PS_SEV_HIGH && PS_SEV_HIGH > PS_SEV_MEDIUM);
    assert_int_equal(ps_severity_parse("severe", &sev), -1);
    for (int i = 0; i < PS_CAT_COUNT; i++) {
        assert_int_equal(ps_category_parse(ps_category_name((ps_category)i), &cat), 0);
        assert_int_equal(cat, i);
    }
    assert_string_equal(ps_category_name(PS_CAT_WEAK_PASSWORD_HASH), "weak-password-hash");
    assert_int_equal(ps_category_parse("plaintext-secrets", &cat), -1);
    assert_string_equal(ps_strerror(PS_ERR_LIMIT), "input exceeds a hard limit");
}

/* The published FNV-1a 64-bit test vectors, and bytes past a NUL count. */
static void test_hex_digit(void **state)
{
    (void)state;
    assert_int_equal(ps_hex_digit('0'), 0);
    assert_int_equal(ps_hex_digit('9'), 9);
    assert_int_equal(ps_hex_digit('a'), 10);
    assert_int_equal(ps_hex_digit('F'), 15);
    assert_int_equal(ps_hex_digit('f'), 15);
    /* the neighbours of each range, EOF and a high byte */
    assert_int_equal(ps_hex_digit('/'), -1);
    assert_int_equal(ps_hex_digit(':'), -1);
    assert_int_equal(ps_hex_digit('@'), -1);
    assert_int_equal(ps_hex_digit('G'), -1);
    assert_int_equal(ps_hex_digit('`'), -1);
    assert_int_equal(ps_hex_digit('g'), -1);
    assert_int_equal(ps_hex_digit(-1), -1);
    assert_int_equal(ps_hex_digit(0xC3), -1);
}

static void test_fnv1a(void **state)
{
    (void)state;
    assert_true(ps_fnv1a("", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(ps_fnv1a("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(ps_fnv1a("foobar", 6) == UINT64_C(0x85944171f73967e8));
    assert_true(ps_fnv1a("a\0b", 3) != ps_fnv1a("a\0c", 3));
}

static void test_diag(void **state)
{
    ps_diag d;

    (void)state;
    ps_diag_at(&d, "rules/x.yml", 3, 7, "unknown key '%s'", "colour");
    assert_string_equal(d.msg, "rules/x.yml:3:7: unknown key 'colour'");
    ps_diag_set(&d, "%s: %d", "n", 5);
    assert_string_equal(d.msg, "n: 5");
}

/* Names from scanned files in diagnostics: one line, printable, bounded. */
static void test_printable(void **state)
{
    static const struct {
        const char *in;
        size_t cap;
        const char *want;
    } cases[] = {
        {"parents", 80, "parents"},
        {"a\nb", 80, "a?b"},
        {"evil\033[2J", 80, "evil?[2J"},
        {"caf\xc3\xa9", 80, "caf??"},
        {"", 80, ""},
        {"abcdefgh", 8, "abcd..."},
        {"abcdefg", 8, "abcdefg"},
        {"\r\t\x7f", 4, "???"},
    };
    char out[80];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(out, 'X', sizeof(out));
        ps_printable(out, cases[i].cap, cases[i].in);
        assert_string_equal(out, cases[i].want);
        assert_true(strlen(out) < cases[i].cap);
    }
}

/* ps_u64_text against printf, at the ends of the range and where digits carry. */
/*
 * ps_same_bytes against memcmp: every length 0..70 (both word paths and
 * the byte loop), equal, and with one byte changed at every position (so
 * each word, the overlapping last word and every tail byte are checked),
 * each side in an allocation of exactly n bytes, so that valgrind sees a
 * read past either end.
 */
static void test_same_bytes(void **state)
{
    (void)state;
    for (size_t n = 0; n <= 70; n++) {
        char *a = malloc(n > 0 ? n : 1), *b = malloc(n > 0 ? n : 1);

        assert_non_null(a);
        assert_non_null(b);
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = (char)('a' + i % 26);
        assert_true(ps_same_bytes(a, b, n));
        for (size_t k = 0; k < n; k++) {
            b[k] ^= 0x20;
            if (ps_same_bytes(a, b, n))
                fail_msg("length %zu: a difference at %zu not seen", n, k);
            b[k] ^= 0x20;
        }
        free(a);
        free(b);
    }
}

/* ps_calloc_line: aligned to a line, zeroed to its rounded size, refuses 0 and overflow. */
static void test_calloc_line(void **state)
{
    static const size_t sizes[] = {1, 63, 64, 65, 200, 4096, 100000};

    (void)state;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i], rounded = (n + PS_CACHE_LINE - 1) / PS_CACHE_LINE * PS_CACHE_LINE;
        unsigned char *p = ps_calloc_line(n);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % PS_CACHE_LINE, 0);
        for (size_t k = 0; k < rounded; k++) /* valgrind: all of it is ours */
            assert_int_equal(p[k], 0);
        free(p);
    }
    assert_null(ps_calloc_line(0));
    assert_null(ps_calloc_line(SIZE_MAX - 10));
}

static void test_u64_text(void **state)
{
    static const uint64_t cases[] = {
        0, 1, 9, 10, 99, 100, 4294967295u, 4294967296u, UINT64_MAX / 10, UINT64_MAX - 1, UINT64_MAX,
    };
    char buf[21], want[32];

    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char *at = ps_u64_text(cases[k], buf + sizeof(buf));

        snprintf(want, sizeof(want), "%llu", (unsigned long long)cases[k]);
        assert_int_equal((size_t)(buf + sizeof(buf) - at), strlen(want));
        assert_memory_equal(at, want, strlen(want));
    }
}

/* The reference: the first byte of p[i..n) among bytes[0..nb) or below `below`, or n. */
static size_t span_ref(const unsigned char *bytes, size_t nb, unsigned below,
                       const unsigned char *p, size_t i, size_t n)
{
    for (; i < n; i++) {
        if (p[i] < below || memchr(bytes, p[i], nb) != NULL)
            return i;
    }
    return n;
}

/*
 * Check ps_span_until with the shape NB, BELOW as constants, as the
 * readers inline it: every stop byte of the shape at every place of every
 * buffer of 0..40 bytes, searched from several starts, with a second stop
 * byte further on.  Each buffer is an allocation of exactly n bytes, so
 * that valgrind sees any read past its end.
 */
#define SPAN_CHECK(BYTES, NB, BELOW, FILL)                                           \
    do {                                                                             \
        ps_stops set_;                                                               \
        ps_stops_init(&set_, (BYTES), (NB));                                         \
        for (size_t n_ = 0; n_ <= 40; n_++) {                                        \
            unsigned char *p_ = malloc(n_ > 0 ? n_ : 1);                            \
            assert_non_null(p_);                                                     \
            for (size_t x_ = 0; x_ < sizeof(stops_) / sizeof(stops_[0]); x_++) {     \
                unsigned char stop_ = stops_[x_];                                    \
                if (span_ref((BYTES), (NB), (BELOW), &stop_, 0, 1) != 0)             \
                    continue; /* not a stop of this shape */                         \
                for (size_t at_ = 0; at_ <= n_; at_++) {                             \
                    for (size_t k_ = 0; k_ < n_; k_++)                               \
                        p_[k_] = (FILL)[k_ % (sizeof(FILL) - 1)];                    \
                    if (at_ < n_)                                                    \
                        p_[at_] = stop_;                                             \
                    if (at_ + 5 < n_)                                                \
                        p_[at_ + 5] = (BYTES)[0];                                    \
                    for (size_t i_ = 0; i_ <= n_ && i_ <= 18; i_++) {                \
                        size_t got_ = ps_span_until(&set_, NB, BELOW, p_, i_, n_);   \
                        size_t want_ = span_ref((BYTES), (NB), (BELOW), p_, i_, n_); \
                        if (got_ != want_)                                           \
                            fail_msg("stop 0x%02x at %zu of %zu from %zu: %zu, not %zu", \
                                     stop_, at_, n_, i_, got_, want_);               \
                    }                                                                \
                }                                                                    \
            }                                                                        \
            free(p_);                                                                \
        }                                                                            \
    } while (0)

static void test_span_until(void **state)
{
    /* Candidate stop bytes; each shape checks those that are its stops. */
    static const unsigned char stops_[] = {
        0x00, 0x01, 0x1f, 0x20, '\t', '\n', '\r', ',', '"', '\'', '\\', ';',
        0x7f, 0x80, 0x81, 0xc3, 0xfe, 0xff,
    };
    /* Fillers (strings: their NUL is not used), bytes >= 0x80 among them. */
    static const unsigned char text[] = "caf\xc3\xa9 \xff\x80""de 0x20 ~/{}";
    static const unsigned char high[] = "\x01\x7e\x7f\x81\xc2\xa0\xfd";
    static const unsigned char plain[] = { ',', '\n', '\r' };
    static const unsigned char tsv[] = { '\t', '\n', '\r' };
    static const unsigned char quoted[] = { '"', '\n' };
    static const unsigned char sql[] = { '\'', '\\' };
    static const unsigned char json[] = { '"', '\\' };
    static const unsigned char odd[] = { 0x00, 0xff, 0x80 };

    (void)state;
    SPAN_CHECK(plain, 3, 0, text);
    SPAN_CHECK(tsv, 3, 0, text);
    SPAN_CHECK(quoted, 2, 0, text);
    SPAN_CHECK(sql, 2, 0, text);
    SPAN_CHECK(sql, 1, 0, text);
    SPAN_CHECK(json, 2, 0x20, text);
    SPAN_CHECK(odd, 3, 0, high);
    SPAN_CHECK(odd, 1, 0, high);
    SPAN_CHECK(json, 2, 0x80, text);
}

/* ps_stops_has agrees with the reference on every byte. */
static void test_stops_has(void **state)
{
    static const unsigned char json[] = { '"', '\\' };
    static const unsigned char odd[] = { 0x00, 0xff, 0x80 };
    ps_stops a, b;

    (void)state;
    ps_stops_init(&a, json, 2);
    ps_stops_init(&b, odd, 3);
    for (unsigned ch = 0; ch < 256; ch++) {
        unsigned char c = (unsigned char)ch;

        assert_int_equal(ps_stops_has(&a, 2, 0x20, c) != 0, span_ref(json, 2, 0x20, &c, 0, 1) == 0);
        assert_int_equal(ps_stops_has(&a, 1, 0, c) != 0, span_ref(json, 1, 0, &c, 0, 1) == 0);
        assert_int_equal(ps_stops_has(&b, 3, 0, c) != 0, span_ref(odd, 3, 0, &c, 0, 1) == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_and_limit),
        cmocka_unit_test(test_buf_append_sep),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_hex_digit),
        cmocka_unit_test(test_fnv1a),
        cmocka_unit_test(test_diag),
        cmocka_unit_test(test_printable),
        cmocka_unit_test(test_u64_text),
        cmocka_unit_test(test_calloc_line),
        cmocka_unit_test(test_same_bytes),
        cmocka_unit_test(test_span_until),
        cmocka_unit_test(test_stops_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_detect.c - the generic detectors, table-driven: readable text, Luhn
 * numbers, hash formats, weak password-hash parameters, media embedded as
 * base64.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "sniff.h"

/* n == 0 means strlen(v); values holding NULs give their length. */
typedef struct bool_case {
    const char *name;
    const char *v;
    size_t n;
    bool want;
} bool_case;

static size_t case_len(const bool_case *c)
{
    return c->n != 0 ? c->n : strlen(c->v);
}

static void run_bool_table(const bool_case *t, size_t n, bool (*fn)(const char *, size_t))
{
    int bad = 0;

    for (size_t i = 0; i < n; i++) {
        bool got = fn(t[i].v, case_len(&t[i]));

        if (got != t[i].want) {
            print_error("case '%s': want %d, got %d\n", t[i].name, t[i].want, got);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* --- readable ---------------------------------------------------------------- */

static const bool_case readable_text[] = {
    {"sentence", "see you at the park after school, don't tell mum", 0, true},
    {"sentence with newline", "hi!\nwhere are you?\n", 0, true},
    {"email", "jo.smith@example.com", 0, true},
    {"name", "Jo Smith", 0, true},
    {"single word", "sparkle7", 0, true},
    {"address", "12 Nathan Road, Kowloon, Hong Kong", 0, true},
    {"date", "2015-11-27", 0, true},
    {"iso timestamp", "2024-01-05T10:22:33Z", 0, true},
    {"long word", "internationalization", 0, true},
    {"password-like", "MyPassword123456", 0, true},
    {"name and year", "PrincessSparkle2009", 0, true},
    {"identifier", "Hello_World_2024", 0, true},
    {"card number digits", "4111111111111111", 0, true},
    {"hex-only word short", "deadbeef", 0, true},
    {"utf-8 accented", "Ren\xc3\xa9" "e \xc3\xa0 l'\xc3\xa9" "cole, \xc3\xa7" "a va?", 0, true},
    {"utf-8 cjk", "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c", 0, true},
    {"emoji", "good night \xf0\x9f\x8c\x99", 0, true},
    {"tab inside", "name\tage", 0, true},
    {"equals sign in text", "x=1", 0, true},
    {"key=value", "colour=blue_and_green", 0, true},
    {"bad padding position", "abcdefghijklmnopq=", 0, true},
    /* protection look-alikes that are still words */
    {"psf1 prefix, short", "psf1:hello", 0, true},
    {"psf1 prefix, sentence", "psf1: see you at the park", 0, true},
    {"dollar word", "$7 for the ice cream", 0, true},
    {"argon2 mentioned", "we hash with $argon2id$ now", 0, true},
    /* not UTF-8, but single-byte legacy text: its ASCII words still count */
    {"latin-1 log line", "2015-11-14 connexion r\xe9ussie pour latin1.parent@mail.com (caf\xe9 cr\xe8me)", 0, true},
    {"utf-8 line, one stray byte", "2015-11-14 login user=utf8.parent@mail.com \xc3", 0, true},
    {"windows-1252 quotes", "\x93" "see you at the park\x94 \x96 don\x92t tell mum", 0, true},
    {"latin-1 street", "M\xfcller Stra\xdf" "e 5, Z\xfcrich", 0, true},
};

static const bool_case readable_opaque[] = {
    {"empty", "", 0, false},
    {"only spaces", "   ", 0, false},
    {"md5", "03bccfc2f2bbc59bbcb1341037b14261", 0, false},
    {"sha256", "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", 0, false},
    {"bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", 0, false},
    {"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", 0, false},
    {"base64 of 32 random bytes", "SeV3WdAD6J+Fwvo6X38o7KZhPWvBK9jj4d+bvylt6rM=", 0, false},
    {"base64url token", "WpqydGtYMvSaNEdoMlvmSg", 0, false},
    {"padded base64, low entropy", "3q2+7w==3q2+7w==3q2+7w==3q2+7w==", 0, false},
    {"base64 of text", "aGVsbG8gd29ybGQ=", 0, false},
    {"jwt-like", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", 0, false},
    {"hex key 24 bytes", "08a9faf84309134e97dca96d3b31ba638139daa2f7044a3b", 0, false},
    {"hex token 8 bytes", "3ffcaf0e86077c9a", 0, false},
    {"hex key with newline", "08a9faf84309134e97dca96d3b31ba638139daa2f7044a3b\n", 0, false},
    {"envelope magic", PS_ENVELOPE_MAGIC "\x01" "abcdef", 15, false},
    {"binary bytes", "\x00\x01\x02\x03\xff\xfe", 6, false},
    {"jpeg head", "\xff\xd8\xff\xe0\x00\x10JFIF", 10, false},
    {"invalid utf-8 lone continuation", "caf\xa9", 0, false},
    {"invalid utf-8 overlong", "\xc0\xaf", 0, false},
    {"invalid utf-8 surrogate", "a\xed\xa0\x80z", 0, false},
    {"truncated utf-8", "abc\xe4\xbd", 0, false},
    {"control heavy", "ab\x01\x02\x03\x04 text", 0, false},
    /* single-byte text needs 16 bytes, mostly ASCII words, few high bytes */
    {"latin-1, too short to judge", "caf\xe9 cr\xe8me", 0, false},
    {"latin-1, high bytes over a fifth", "\xe9\xe8\xe0\xe7\xf4 abcdefghijklmn", 0, false},
    {"latin-1, too few word bytes", "a\xe9;;;;;;;;;;;;;;;;;;;;;;;;;;;;;", 0, false},
    {"latin-1, control bytes", "abcdefghij\x01klmnopqrs\x02tu\xe9", 0, false},
    {"random 32 bytes", "\x8f\x1c\xd2\x47\x9a\x03\xee\x5b\x71\xc4\x2f\xb8\x66\x0d\xf3\x94"
                        "\x3a\xe1\x58\xcc\x07\x9e\x42\xbd\x15\x80\x6f\xd9\x23\xa7\x4e\xf0", 32, false},
    /* what `plainsight protect` and libsodium leave behind: never plain text */
    {"psf1 sealed field", "psf1:eVZivW_ZPwvWMpq-Cx4uPLCEa8dk9h95LLx7QA_lBKiyU65g1p5PlaCYdOMmu7lr10nJYnMo27G-dTVDrQ", 0, false},
    {"secretstream header, base64", "9wi/NbxMozHAdr+2nijfr1ofXTzjuq/Z", 0, false},
    {"aead 40 bytes, base64 padded", "6BgPvxKxQI3d3XKY0xJ63uq0o4AyNx1qAsmN7CIZc/Dfk4bsdaALNQ==", 0, false},
    {"aead 40 bytes, base64url unpadded", "A8ypaHN3gQpNv605z4mRpM0t9kZNuVnLPV84tIVtpR-kuXt2PQmwuw", 0, false},
    {"aead 57 bytes, base64 no padding needed", "q92GbwNv0fyJ2ompFSuldGE/rPv3d1hzsNDfsSodaVvwWeGlxBuz999oTnifr3pfLct5ja6Yi0j2", 0, false},
    {"aead 40 bytes, hex", "f89df103c1c561870f98b2f620c3512b3fdb7912039cb1ed6ad5e9557780c331622c83f13c126bf4", 0, false},
    {"aead 40 bytes, hex upper", "A907209C1620748CF0477E9DCDCD73D74FD0E550719106A164FD267D381EA07810A468716F08F487", 0, false},
    {"argon2i", "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ", 0, false},
    {"bcrypt 2y", "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", 0, false},
    {"scrypt passlib", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E", 0, false},
    {"scrypt $7$", "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D", 0, false},
};

static void test_readable_text(void **state)
{
    (void)state;
    run_bool_table(readable_text, sizeof(readable_text) / sizeof(readable_text[0]),
                   ps_detect_readable);
}

static void test_readable_opaque(void **state)
{
    (void)state;
    run_bool_table(readable_opaque, sizeof(readable_opaque) / sizeof(readable_opaque[0]),
                   ps_detect_readable);
}

/* A few control characters in a long text are noise, not binary. */
static void test_readable_control_threshold(void **state)
{
    char buf[200];

    (void)state;
    memset(buf, 'a', sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i += 10)
        buf[i] = ' ';
    buf[50] = '\x01';  /* 1 of 200: 0.5% */
    assert_true(ps_detect_readable(buf, sizeof(buf)));
    for (size_t i = 0; i < 11; i++)
        buf[i * 17 + 3] = '\x02'; /* 12 of 200: 6% */
    assert_false(ps_detect_readable(buf, sizeof(buf)));
    assert_false(ps_detect_readable(NULL, 0));
}

/*
 * Random bytes must not pass for single-byte legacy text: from a fixed
 * xorshift stream, none of 100,000 32-byte values and a handful at most of
 * 100,000 16-byte values (about 3 expected) are readable.
 */
static void test_readable_random_bytes(void **state)
{
    static const size_t lens[] = {16, 32};
    static const size_t most[] = {12, 0};
    uint64_t x = 0x9E3779B97F4A7C15u;
    unsigned char v[32];

    (void)state;
    for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
        size_t readable = 0;

        for (int i = 0; i < 100000; i++) {
            for (size_t k = 0; k < lens[l]; k++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v[k] = (unsigned char)(x >> 24);
            }
            readable += ps_detect_readable((const char *)v, lens[l]);
        }
        print_message("%zu-byte random values readable: %zu of 100000\n", lens[l], readable);
        assert_true(readable <= most[l]);
    }
}

/*
 * The short path (under 16 bytes of printable ASCII) must agree with the
 * full rules for every such value, including the edges: exactly 15 and 16
 * bytes, all spaces, a leading '$' or 'p' (hash prefixes), a tab (not in
 * the short path).  The full rules for these inputs reduce to "readable
 * unless only whitespace", checked here on 200,000 random values.
 */
static void test_readable_short_ascii(void **state)
{
    static const bool_case edges[] = {
        {"15 letters", "abcdefghijklmno", 0, true},
        {"15 spaces", "               ", 0, false},
        {"one space", " ", 0, false},
        {"dollar prefix", "$2b$10$abc", 0, true},
        {"pbkdf2-shaped prefix", "pbkdf2_sha256$1", 0, true},
        {"tab only", "\t", 0, false},
        {"tab and word", "\tx", 0, true},
        {"15 hex digits", "5f4dcc3b5aa765d", 0, true},
        {"16 hex digits, a token", "5f4dcc3b5aa765d6", 0, false},
    };
    uint64_t x = 0x2545F4914F6CDD1Du;
    char v[16];

    (void)state;
    run_bool_table(edges, sizeof(edges) / sizeof(edges[0]), ps_detect_readable);
    for (int i = 0; i < 200000; i++) {
        size_t n, k;
        bool word = false;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        n = 1 + (size_t)(x % 15);
        for (k = 0; k < n; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* a space one time in four, so all-space values come up */
            v[k] = (x & 3u) == 0 ? ' ' : (char)(0x21 + (x >> 8) % 94);
            word = word || v[k] != ' ';
        }
        if (ps_detect_readable(v, n) != word)
            fail_msg("value %d (%zu bytes) judged %d", i, n, (int)!word);
    }
}

/*
 * The long path's first step (16 bytes or more) decides printable ASCII
 * eight bytes at a time.  A value of 16 to 19 printable bytes with an '@'
 * is readable; one byte below 0x20 or of 0x7f, at any position (so in
 * either half of each word and in the tail), makes it one control in fewer
 * than 20 characters: not readable.  A byte that slips through the word
 * test would give "readable".  The printable edges 0x20 and 0x7e must not
 * trip it.
 */
static void test_readable_printable_words(void **state)
{
    static const unsigned char bad[] = {0x00, 0x01, 0x1f, 0x7f};
    static const unsigned char good[] = {0x20, 0x7e, '@', 'z'};
    char v[19];

    (void)state;
    for (size_t n = 16; n <= sizeof(v); n++) {
        for (size_t q = 0; q < n; q++) {
            size_t at = q == 5 ? 6 : 5;

            for (size_t b = 0; b < sizeof(bad); b++) {
                memset(v, 'a', n);
                v[at] = '@';
                v[q] = (char)bad[b];
                if (ps_detect_readable(v, n))
                    fail_msg("%zu bytes, 0x%02x at %zu: judged readable", n, bad[b], q);
            }
            for (size_t b = 0; b < sizeof(good); b++) {
                memset(v, 'a', n);
                v[at] = '@';
                v[q] = (char)good[b];
                if (!ps_detect_readable(v, n))
                    fail_msg("%zu bytes, 0x%02x at %zu: judged unreadable", n, good[b], q);
            }
        }
    }
}

/* --- Luhn -------------------------------------------------------------------- */

static const bool_case luhn_cases[] = {
    {"visa plain", "4111111111111111", 0, true},
    {"visa spaces", "4111 1111 1111 1111", 0, true},
    {"visa dashes", "4111-1111-1111-1111", 0, true},
    {"mastercard spaced", "5500 0000 0000 0004", 0, true},
    {"amex 15", "378282246310005", 0, true},
    {"embedded in text", "card: 4012-8888-8888-1881 exp 12/25", 0, true},
    {"embedded no spaces", "cc=4012888888881881;", 0, true},
    {"second run valid", "order 12345 card 4111111111111111", 0, true},
    {"invalid checksum", "4111 1111 1111 1112", 0, false},
    {"too short", "411111111116", 0, false},
    {"all zeros", "0000000000000000", 0, false},
    {"all zeros spaced", "0000 0000 0000 0000", 0, false},
    {"too long", "41111111111111111111111", 0, false},
    {"double separator", "4111  1111  1111  1111", 0, false},
    {"phone number", "+1 555 123 4567", 0, false},
    {"no digits", "hello world", 0, false},
    {"empty", "", 0, false},
    {"trailing separator", "4111111111111111-", 0, true},
    {"with nul", "x\0" "4111111111111111", 18, true},
    {"inside a hex hash", "5f4dcc4111111111111111ab", 0, false},
    {"glued to letters before", "id4111111111111111", 0, false},
    {"glued to letters after", "4111111111111111x", 0, false},
    {"glued token then card", "ab4111111111111111, 4111111111111111", 0, true},
};

static void test_luhn_table(void **state)
{
    (void)state;
    run_bool_table(luhn_cases, sizeof(luhn_cases) / sizeof(luhn_cases[0]), ps_detect_luhn);
}

/* 19 digits that do pass Luhn: the upper bound is inclusive. */
static void test_luhn_bounds(void **state)
{
    char d[32];
    unsigned sum = 0;

    (void)state;
    /* build "123456789012345678X" with X the Luhn check digit */
    memcpy(d, "123456789012345678", 18);
    for (int i = 17, pos = 1; i >= 0; i--, pos++) {
        unsigned v = (unsigned)(d[i] - '0');
        if (pos % 2 == 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    d[18] = (char)('0' + (10 - sum % 10) % 10);
    assert_true(ps_detect_luhn(d, 19));
    d[19] = '1'; /* 20 digits: no longer a card number */
    assert_false(ps_detect_luhn(d, 20));
    /* 13 digits, Luhn-valid */
    assert_true(ps_detect_luhn("4222222222222", 13));
}

/* --- hash formats --------------------------------------------------------------- */

typedef struct hash_case {
    const char *name;
    const char *v;
    int want;
} hash_case;

static const hash_case hash_cases[] = {
    {"md5", "03bccfc2f2bbc59bbcb1341037b14261", PS_HASH_MD5},
    {"md5 upper", "03BCCFC2F2BBC59BBCB1341037B14261", PS_HASH_MD5},
    {"sha1", "11f6ad8ec52a2984abaafd7c3b516503785c2072", PS_HASH_SHA1},
    {"sha256", "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", PS_HASH_SHA256},
    {"sha512", "a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238b"
               "c13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62", PS_HASH_SHA512},
    {"bcrypt 2b", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", PS_HASH_BCRYPT},
    {"bcrypt 2a", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", PS_HASH_BCRYPT},
    {"bcrypt 2y", "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", PS_HASH_BCRYPT},
    {"argon2id", "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", PS_HASH_ARGON2},
    {"argon2i", "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ", PS_HASH_ARGON2},
    {"argon2d no v", "$argon2d$m=4096,t=3,p=1$c2FsdHNhbHQ$9sTbSlTio3Biev89thdrlKKi", PS_HASH_ARGON2},
    {"scrypt", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E", PS_HASH_SCRYPT},
    {"scrypt $7$", "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D", PS_HASH_SCRYPT},
    {"pbkdf2 passlib", "$pbkdf2-sha256$29000$N2bsPWEMYUyJkTIGgPDeOw$Jd4nAGy9W/eUkqmWMpiH9MzHtVw6V7bhrlbVCMzKQ7c", PS_HASH_PBKDF2},
    {"pbkdf2 django", "pbkdf2_sha256$260000$q0VSf3RkfSvy$W1hIumaGLs1jMa1ddyO5PVtsVwyJRX2sx/v3RvBxHuw=", PS_HASH_PBKDF2},
    {"pbkdf2 plain", "$pbkdf2$131000$cK6T8p4z$O6hLEifUb3sRu3/BfPkD3U7xHZg", PS_HASH_PBKDF2},
    /* near misses */
    {"31 hex", "03bccfc2f2bbc59bbcb1341037b1426", -1},
    {"33 hex", "03bccfc2f2bbc59bbcb1341037b142611", -1},
    {"32 non-hex", "03bccfc2f2bbc59bbcb1341037b1426g", -1},
    {"32 mixed case", "03bccfc2f2bbc59bbcb1341037B14261", -1},
    {"md5 with space", " 03bccfc2f2bbc59bbcb1341037b14261", -1},
    {"md5 with prefix", "md5:03bccfc2f2bbc59bbcb1341037b14261", -1},
    {"bcrypt too short", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMU", -1},
    {"bcrypt prefix only", "$2b$", -1},
    {"bcrypt bad cost", "$2b$x2$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", -1},
    {"bcrypt bad variant", "$2c$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", -1},
    {"argon2 missing hash", "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ", -1},
    {"argon2 bad params", "$argon2id$v=19$m=x,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub", -1},
    {"scrypt too short", "$scrypt$", -1},
    {"pbkdf2 no fields", "pbkdf2_sha256$", -1},
    {"word", "password", -1},
    {"empty", "", -1},
};

static void test_hash_table(void **state)
{
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(hash_cases) / sizeof(hash_cases[0]); i++) {
        int got = ps_detect_hash(hash_cases[i].v, strlen(hash_cases[i].v));

        if (got != hash_cases[i].want) {
            print_error("case '%s': want %d, got %d\n", hash_cases[i].name,
                        hash_cases[i].want, got);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* The hash check is on the whole value: NUL-terminated prefixes do not count. */
static void test_hash_exact_length(void **state)
{
    const char *md5 = "03bccfc2f2bbc59bbcb1341037b14261";

    (void)state;
    assert_int_equal(ps_detect_hash(md5, 32), PS_HASH_MD5);
    assert_int_equal(ps_detect_hash(md5, 31), -1);
    assert_int_equal(ps_detect_hash("03bccfc2f2bbc59bbcb1341037b14261\0", 33), -1);
    assert_int_equal(ps_detect_hash(NULL, 0), -1);
}

/* --- weak password-hash parameters ---------------------------------------------- */

/* Salt and hash parts shared by the argon2 cases: only the parameters vary. */
#define A2_TAIL "$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
#define BC_TAIL "$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
#define SC_TAIL "$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"
#define S7_TAIL "6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D"

static const bool_case weak_params_cases[] = {
    /* argon2i and argon2d are weak whatever their cost */
    {"argon2i", "$argon2i$v=19$m=65536,t=3,p=4" A2_TAIL, 0, true},
    {"argon2d", "$argon2d$v=19$m=65536,t=3,p=4" A2_TAIL, 0, true},
    {"argon2d without v", "$argon2d$m=4096,t=3,p=1" A2_TAIL, 0, true},
    /* argon2id: each OWASP row, and one KiB below it */
    {"argon2id t=1 at floor", "$argon2id$v=19$m=47104,t=1,p=1" A2_TAIL, 0, false},
    {"argon2id t=1 below", "$argon2id$v=19$m=47103,t=1,p=1" A2_TAIL, 0, true},
    {"argon2id t=1 19 MiB", "$argon2id$v=19$m=19456,t=1,p=1" A2_TAIL, 0, true},
    {"argon2id t=2 at floor", "$argon2id$v=19$m=19456,t=2,p=1" A2_TAIL, 0, false},
    {"argon2id t=2 below", "$argon2id$v=19$m=19455,t=2,p=1" A2_TAIL, 0, true},
    {"argon2id t=3 at floor", "$argon2id$v=19$m=12288,t=3,p=1" A2_TAIL, 0, false},
    {"argon2id t=3 below", "$argon2id$v=19$m=12287,t=3,p=1" A2_TAIL, 0, true},
    {"argon2id t=4 at floor", "$argon2id$v=19$m=9216,t=4,p=1" A2_TAIL, 0, false},
    {"argon2id t=4 below", "$argon2id$v=19$m=9215,t=4,p=1" A2_TAIL, 0, true},
    {"argon2id t=5 at floor", "$argon2id$v=19$m=7168,t=5,p=1" A2_TAIL, 0, false},
    {"argon2id t=5 below", "$argon2id$v=19$m=7167,t=5,p=1" A2_TAIL, 0, true},
    {"argon2id t=10 at floor", "$argon2id$v=19$m=7168,t=10,p=1" A2_TAIL, 0, false},
    {"argon2id t=10 below", "$argon2id$v=19$m=4096,t=10,p=1" A2_TAIL, 0, true},
    {"argon2id t=0", "$argon2id$v=19$m=1048576,t=0,p=1" A2_TAIL, 0, true},
    {"argon2id libsodium moderate", "$argon2id$v=19$m=262144,t=3,p=1" A2_TAIL, 0, false},
    {"argon2id without v, weak", "$argon2id$m=4096,t=3,p=1" A2_TAIL, 0, true},
    {"argon2id without v, fine", "$argon2id$m=65536,t=3,p=1" A2_TAIL, 0, false},
    {"argon2id huge memory", "$argon2id$v=19$m=99999999999999999999,t=1,p=1" A2_TAIL, 0, false},
    /* bcrypt: cost 10 is the floor */
    {"bcrypt 04", "$2b$04" BC_TAIL, 0, true},
    {"bcrypt 09", "$2a$09" BC_TAIL, 0, true},
    {"bcrypt 10", "$2y$10" BC_TAIL, 0, false},
    {"bcrypt 12", "$2b$12" BC_TAIL, 0, false},
    {"bcrypt 31", "$2b$31" BC_TAIL, 0, false},
    /* scrypt: N = 2^17 is the floor */
    {"scrypt ln=14", "$scrypt$ln=14,r=8,p=1" SC_TAIL, 0, true},
    {"scrypt ln=16", "$scrypt$ln=16,r=8,p=1" SC_TAIL, 0, true},
    {"scrypt ln=17", "$scrypt$ln=17,r=8,p=1" SC_TAIL, 0, false},
    {"scrypt ln=20", "$scrypt$ln=20,r=8,p=1" SC_TAIL, 0, false},
    {"scrypt ln after r", "$scrypt$r=8,ln=12,p=1" SC_TAIL, 0, true},
    {"scrypt without ln", "$scrypt$r=8,p=1" SC_TAIL, 0, false},
    {"$7$ N=2^14 (C)", "$7$C" S7_TAIL, 0, true},
    {"$7$ N=2^16 (E)", "$7$E" S7_TAIL, 0, true},
    {"$7$ N=2^17 (F)", "$7$F" S7_TAIL, 0, false},
    {"$7$ N=2^20 (I)", "$7$I" S7_TAIL, 0, false},
    /* not a hash, or a hash without cost parameters */
    {"md5", "5f4dcc3b5aa765d61d8327deb882cf99", 0, false},
    {"pbkdf2", "$pbkdf2-sha256$29000$N2bsPWEMYUyJkTIGgPDeOw$Jd4nAGy9W/eUkqmWMpiH9MzHtVw6V7bhrlbVCMzKQ7c", 0, false},
    {"argon2i in a sentence", "hash: $argon2i$v=19$m=65536,t=3,p=4" A2_TAIL, 0, false},
    {"argon2i, broken", "$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ", 0, false},
    {"bcrypt, short", "$2b$04$R9h/cIPz0gi", 0, false},
    {"plain password", "sparkle7", 0, false},
    {"empty", "", 0, false},
};

static bool weak_params(const char *v, size_t n)
{
    return ps_detect_weak_hash_params(v, n);
}

static void test_weak_hash_params_table(void **state)
{
    (void)state;
    run_bool_table(weak_params_cases, sizeof(weak_params_cases) / sizeof(weak_params_cases[0]),
                   weak_params);
    assert_false(ps_detect_weak_hash_params(NULL, 0));
}

/* Only v[0..n) counts: a weak hash cut short is no hash at all. */
static void test_weak_hash_params_bounds(void **state)
{
    static const char v[] = "$argon2i$v=19$m=65536,t=3,p=4" A2_TAIL;

    (void)state;
    assert_true(ps_detect_weak_hash_params(v, sizeof(v) - 1));
    /* up to the '$' before the hash: the hash part is missing */
    assert_false(ps_detect_weak_hash_params(v, strlen("$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$")));
    assert_false(ps_detect_weak_hash_params(v, 12));
}

/* --- base64-embedded media ------------------------------------------------------ */

/* The base64 of a JFIF head (SOI, APP0, DQT), 76 characters. */
#define B64_JPEG "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYn"
/* The same bytes in the URL-safe alphabet. */
#define B64URL_JPEG "_9j_4AAQSkZJRgABAQAAAQABAAD_2wBDAAgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYn"
/* PNG signature, IHDR and sBIT chunks. */
#define B64_PNG "iVBORw0KGgoAAAANSUhEUgAAAQAAAAEACAYAAABccqhmAAAABHNCSVQICAgI"

typedef struct media_case {
    const char *name;
    const char *v;
    ps_media want;
} media_case;

static const media_case b64_media_cases[] = {
    {"jpeg", B64_JPEG, PS_MEDIA_JPEG},
    {"jpeg, longer than the decoded head", B64_JPEG B64_JPEG "\n" B64_JPEG, PS_MEDIA_JPEG},
    {"jpeg, url-safe alphabet", B64URL_JPEG, PS_MEDIA_JPEG},
    {"jpeg, exactly 24 characters", "/9j/4AAQSkZJRgABAQAAAQAB", PS_MEDIA_JPEG},
    {"jpeg, data url", "data:image/jpeg;base64," B64_JPEG, PS_MEDIA_JPEG},
    {"png", B64_PNG, PS_MEDIA_PNG},
    {"png, data url upper case", "DATA:image/png;BASE64," B64_PNG, PS_MEDIA_PNG},
    {"png, data url with parameters", "data:image/png;name=kid.png;base64," B64_PNG,
     PS_MEDIA_PNG},
    {"png behind a lying mime type", "data:text/plain;base64," B64_PNG, PS_MEDIA_PNG},
    {"gif, short and padded", "R0lGODlhEAAQAIAAAP///wAAACH5BAEAAAAALA==", PS_MEDIA_GIF},
    {"mp3 with id3 tag", "SUQzBAAAAAAAI1RJVDIAAAAFAAAAc29uZw==", PS_MEDIA_MP3},
    {"too short", "/9j/4AAQSkZJRgABAQAA", PS_MEDIA_NONE},
    {"too short, data url", "data:image/jpeg;base64,/9j/4AAQSkZJ", PS_MEDIA_NONE},
    {"random base64", "DdKXXCHmq3A1+r+ESQ7TmF0i56xxNvvAhUoP1JleI+itcjf8wYZLENWaXyTprnM4",
     PS_MEDIA_NONE},
    {"base64 of text", "aGVsbG8gdGhpcyBpcyBhIHBsYWluIHRleHQgbWVzc2FnZSBmb3IgeW91",
     PS_MEDIA_NONE},
    {"plain text", "see you at the park after school, don't tell mum", PS_MEDIA_NONE},
    {"long word", "Supercalifragilisticexpialidocious", PS_MEDIA_NONE},
    {"space inside the head", "/9j/4AAQSkZJRgABAQAAAQAB AAD/2wBDAAgJCgsMDQ4PEBESExQVFhcY",
     PS_MEDIA_NONE},
    {"newline inside the head", "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBD\nAAgJCgsMDQ4PEBESExQVFhcY",
     PS_MEDIA_NONE},
    {"leading quote", "\"" B64_JPEG, PS_MEDIA_NONE},
    {"leading space", " " B64_JPEG, PS_MEDIA_NONE},
    {"padding too early", "/9j/4AAQSkZJRgABAQ==", PS_MEDIA_NONE},
    {"data url, not base64", "data:image/jpeg,%FF%D8%FF%E0%00%10JFIF%00%01%01", PS_MEDIA_NONE},
    {"data url without comma", "data:image/jpeg;base64" B64_JPEG, PS_MEDIA_NONE},
    {"data url, empty", "data:;base64,", PS_MEDIA_NONE},
    {"data alone", "data:", PS_MEDIA_NONE},
    {"empty", "", PS_MEDIA_NONE},
};

static void test_b64_media_table(void **state)
{
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(b64_media_cases) / sizeof(b64_media_cases[0]); i++) {
        const media_case *c = &b64_media_cases[i];
        ps_media got = ps_detect_b64_media(c->v, strlen(c->v));

        if (got != c->want) {
            print_error("case '%s': want %s, got %s\n", c->name, ps_media_name(c->want),
                        ps_media_name(got));
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/*
 * Only v[0..n) is read: a JPEG cut below 24 characters is not media even
 * though the bytes after n would make it one, and a NULL value is none.
 */
static void test_b64_media_bounds(void **state)
{
    (void)state;
    assert_int_equal(ps_detect_b64_media(B64_JPEG, 24), PS_MEDIA_JPEG);
    assert_int_equal(ps_detect_b64_media(B64_JPEG, 23), PS_MEDIA_NONE);
    assert_int_equal(ps_detect_b64_media(B64_JPEG, 0), PS_MEDIA_NONE);
    assert_int_equal(ps_detect_b64_media(NULL, 0), PS_MEDIA_NONE);
    /* A NUL inside the head is not base64. */
    assert_int_equal(ps_detect_b64_media("/9j/4AAQSkZJ\0RgABAQAAAQABAAD/2wBD", 33),
                     PS_MEDIA_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readable_text),
        cmocka_unit_test(test_readable_opaque),
        cmocka_unit_test(test_readable_control_threshold),
        cmocka_unit_test(test_readable_random_bytes),
        cmocka_unit_test(test_readable_short_ascii),
        cmocka_unit_test(test_readable_printable_words),
        cmocka_unit_test(test_luhn_table),
        cmocka_unit_test(test_luhn_bounds),
        cmocka_unit_test(test_hash_table),
        cmocka_unit_test(test_hash_exact_length),
        cmocka_unit_test(test_weak_hash_params_table),
        cmocka_unit_test(test_weak_hash_params_bounds),
        cmocka_unit_test(test_b64_media_table),
        cmocka_unit_test(test_b64_media_bounds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_redact.c - every redaction rule by exact output, and the invariant:
 * no word of 3+ characters of the input survives into the output (except
 * an email's TLD).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "redact.h"
#include "util.h"

struct redact_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *want;
};

static const struct redact_case cases[] = {
    /* email */
    { "jane.doe@example.com", 0, "j***@e***.com" },
    { "zoé@exemple.fr", 0, "z***@e***.fr" },
    { "Élodie@mail.example.org", 0, "É***@m***.org" },
    /* mostly digits */
    { "4111 1111 1111 1111", 0, "**** **** **** **11" },
    { "+1 555-0100", 0, "+* ***-****" },
    { "(555) 010-0199", 0, "(***) ***-**99" },
    { "2024-01-05", 0, "****-**-**" },
    { "123456", 0, "******" },
    /* IPv4 */
    { "10.1.2.3", 0, "10.*.*.*" },
    { "192.168.0.17", 0, "192.*.*.*" },
    /* hashes */
    { "5f4dcc3b5aa765d61d8327deb882cf99", 0, "5f4d***" },
    { "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", 0, "$2b$***" },
    { "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ", 0, "$ar***" },
    { "$abc$defghijklmnopq", 0, "$a***" },
    /* text */
    { "Hi grandma, see you", 0, "\"Hi gr*** ...\"" },
    { "Hello world", 0, "\"He*** ...\"" },
    { "I am here", 0, "\"I am ***\"" },
    { "Hi grandma", 0, "\"Hi gr***\"" },
    { "see\tyou later", 0, "\"s*** ...\"" },
    { "  padded words  ", 0, "\"pa*** ...\"" },
    { "abcdefgh abc", 0, "\"ab*** ...\"" },
    /* single words */
    { "Emma", 0, "E***" },
    { "abc", 0, "***" },
    { "Zoé", 0, "***" },
    { "Zoéy", 0, "Z***" },
    { "O'Brien", 0, "O***" },
    { "sparkle7", 0, "s***" },
    { "$1$x", 0, "$***" },
    { "  Emma\n", 0, "E***" },
    { "", 0, "" },
    { "   ", 0, "" },
    /* binary, control characters, invalid UTF-8 */
    { "\0\1abc", 5, "<binary 5 bytes>" },
    { "\1\2\3ab", 5, "<binary 5 bytes>" },
    { "abc\0defghijk", 12, "<binary 12 bytes>" },
    { "\xff\xfe" "abcdefghij", 0, "?***" },
    { "\x1bX hello there", 0, "\"?X he*** ...\"" },
    { "\xc0\xaf overlong slash", 0, "\"?? ov*** ...\"" },
    { "\xed\xa0\x80 surrogate here", 0, "\"??? s*** ...\"" },
};

static void test_redact_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ps_buf out;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

        ps_buf_init(&out, 4096);
        assert_int_equal(ps_redact(cases[i].in, len, &out), PS_OK);
        if (strcmp(ps_buf_cstr(&out), cases[i].want) != 0)
            print_error("case %zu: got '%s', want '%s'\n", i, ps_buf_cstr(&out), cases[i].want);
        assert_string_equal(ps_buf_cstr(&out), cases[i].want);
        ps_buf_free(&out);
    }
}

/* Appends to what is already in out, as the header says. */
static void test_redact_appends(void **state)
{
    ps_buf out;

    (void)state;
    ps_buf_init(&out, 4096);
    assert_int_equal(ps_buf_append(&out, "x=", 2), PS_OK);
    assert_int_equal(ps_redact("Emma", 4, &out), PS_OK);
    assert_string_equal(ps_buf_cstr(&out), "x=E***");
    ps_buf_free(&out);
}

/* Output never holds a byte < 0x20 or DEL, and stays short for a huge value. */
static void test_redact_bounded_and_clean(void **state)
{
    static char big[1 << 20];
    ps_buf out;

    (void)state;
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (i % 7 == 6) ? ' ' : (char)('a' + i % 26);
    ps_buf_init(&out, 4096);
    assert_int_equal(ps_redact(big, sizeof(big), &out), PS_OK);
    assert_true(out.len < 100);
    assert_string_equal(ps_buf_cstr(&out), "\"ab*** ...\"");
    ps_buf_reset(&out);
    assert_int_equal(ps_redact("a\x7f\x01 bcdefg\r\nhijk", 16, &out), PS_OK);
    for (size_t i = 0; i < out.len; i++)
        assert_true((unsigned char)out.data[i] >= 0x20 && out.data[i] != 0x7f);
    ps_buf_free(&out);
}

/* A buffer that cannot take the output fails with the buffer's error. */
static void test_redact_limit(void **state)
{
    ps_buf out;

    (void)state;
    ps_buf_init(&out, 3);
    assert_int_equal(ps_redact("jane.doe@example.com", 20, &out), PS_ERR_LIMIT);
    ps_buf_free(&out);
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

static int word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c >= 0x80;
}

/* The TLD of an email-shaped value, or NULL. */
static const char *email_tld(const char *v)
{
    const char *dot = strrchr(v, '.');

    if (strchr(v, '@') == NULL || strchr(v, ' ') != NULL || dot == NULL)
        return NULL;
    return dot + 1;
}

/*
 * For each word (run of letters/digits) of 3+ characters in v, assert that
 * redact(v) does not contain it.
 */
static void check_invariant(const char *v)
{
    ps_buf out;
    const char *tld = email_tld(v);
    size_t n = strlen(v);

    ps_buf_init(&out, 4096);
    assert_int_equal(ps_redact(v, n, &out), PS_OK);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        char word[256];

        while (j < n && word_byte((unsigned char)v[j]))
            j++;
        if (j > i && utf8_chars(v + i, j - i) >= 3 && j - i < sizeof(word)) {
            memcpy(word, v + i, j - i);
            word[j - i] = '\0';
            if (tld == NULL || strcmp(word, tld) != 0) {
                if (strstr(ps_buf_cstr(&out), word) != NULL)
                    print_error("'%s' -> '%s' shows the word '%s'\n", v, ps_buf_cstr(&out), word);
                assert_null(strstr(ps_buf_cstr(&out), word));
            }
        }
        i = j > i ? j : i + 1;
    }
    ps_buf_free(&out);
}

static const char *const realistic[] = {
    /* names */
    "Emma", "Liam", "O'Brien", "Zoé", "Zoë Saldaña", "Jean-Luc Picard", "Mary Ann",
    "Søren Kierkegaard", "Nguyễn Văn An", "李小龙", "Ali", "Bob", "Eve",
    "van der Berg", "Dr. Jane Smith", "Anne-Marie", "José", "Müller",
    /* passwords */
    "sparkle7", "password123", "P@ssw0rd!", "letmein", "ilovemydog", "hunter2",
    "correct horse battery staple", "abc123", "qwerty", "Summer2015!", "123abc",
    "princess", "monkey1", "dragon", "trustno1", "iloveyou",
    /* secret answers */
    "Fluffy", "blue", "Springfield Elementary", "my first pet was Rex", "pizza",
    "Main Street", "Grandma Rose", "red", "1999",
    /* emails */
    "jane.doe@example.com", "emma.smith@gmail.com", "kid123@vtech-kids.co.uk",
    "o'brien@mail.ie", "support@example.org", "a@b.co", "zoé@exemple.fr",
    "parent+kids@family.net",
    /* numbers */
    "4111 1111 1111 1111", "+1 555-0100", "(555) 010-0199", "078-05-1120",
    "5555555555554444", "10.1.2.3",
    /* hashes */
    "5f4dcc3b5aa765d61d8327deb882cf99", "e10adc3949ba59abbe56e057f20f883e",
    "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub",
    "$abc$defghijklmnopqrst",
    /* messages */
    "Hi grandma, see you", "Hello world", "I am here", "see you at school tomorrow",
    "My password is sparkle7", "Call me at 555-0100 after school",
    "Don't tell mom!!", "ok", "lol ok", "We live at 42 Elm Street, Springfield",
    "ab abc abcd", "x abc-de fgh", "a bcd", "abcdefgh abc", "Hi    there\tfriend",
    "where r u", "I <3 you", "brb dinner",
};

static void test_redact_invariant(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(realistic) / sizeof(realistic[0]); i++)
        check_invariant(realistic[i]);
    /* And the table's inputs, except the IPv4 one (its first octet is shown by design). */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].len == 0 && strcmp(cases[i].in, "192.168.0.17") != 0)
            check_invariant(cases[i].in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact_table),
        cmocka_unit_test(test_redact_appends),
        cmocka_unit_test(test_redact_bounded_and_clean),
        cmocka_unit_test(test_redact_limit),
        cmocka_unit_test(test_redact_invariant),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

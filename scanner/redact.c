/*
 * redact.c - show the shape of a value, never the value.
 *
 * The rules, tried in this order on the value with leading and trailing
 * whitespace removed:
 *
 *   binary      a NUL byte, or fewer than 80% printable characters
 *               -> "<binary N bytes>" (N = the untrimmed length)
 *   empty       only whitespace -> "" (there is nothing to hide)
 *   email       local@domain.tld with no whitespace and a plausible TLD
 *               -> "j***@e***.com": first character of the local part and
 *               of the domain, and the TLD (the one word shown whole)
 *   IPv4        four dotted octets -> "10.*.*.*" (the first octet only: it
 *               says which network, not which host)
 *   digits      at most 40 bytes of digits and " -+().:/", with >= 6
 *               digits (phones, cards, ids, dates) -> every digit becomes
 *               '*', except the last two when there are >= 10 digits:
 *               "4111 1111 1111 1111" -> "**** **** **** **11"
 *   hash        no whitespace, >= 16 bytes, all hex or starting with '$'
 *               -> first 4 characters + "***" ("5f4d***", "$2b$***"); for
 *               "$id$..." strings the word limit below applies too
 *   text        several words -> at most 5 leading characters, of which
 *               a word of 1-2 characters may be whole, a longer word at
 *               most 2 characters and at most half; then
 *               "***", then " ..." when more words follow, all in double
 *               quotes: "Hi grandma, see you" -> "\"Hi gr*** ...\""
 *   word        anything else (names, passwords, answers) -> the first
 *               character + "***" when it has >= 4 characters, else "***"
 *
 * The invariant (tests/test_redact.c proves it over a table and a list of
 * realistic values): no word of 3 or more characters of the input appears
 * in the output, except an email's TLD (and an IPv4 first octet, which is
 * a number, not a word of anyone's).  "Word" means a run of letters and
 * digits, so "O'Brien" has the word "Brien" and "abc-def" has two.
 *
 * Characters are counted, not bytes: "Zoé" has three.  Control characters
 * and invalid UTF-8 are never copied: each control character and each
 * byte of an invalid sequence becomes '?'.  The output is
 * short and bounded (under 100 bytes) whatever the input size.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "redact.h"

#define TEXT_SHOW_MAX 5   /* characters shown of a multi-word value */
#define WORD_SHOW_MAX 2   /* characters shown of any one word */
#define DIGITS_MAX_LEN 40 /* longer digit runs are not phone/card shaped */
#define HASH_MIN_LEN 16
#define HASH_SHOW_MAX 4
#define TLD_MAX_LEN 24


/* C0, DEL and C1 controls: never copied to a report. */
static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Length in bytes of the character at s[0..n), at least 1 so callers always
 * advance; *ok says whether it is a valid, printable character.
 */
static size_t char_at(const unsigned char *s, size_t n, uint32_t *cp, bool *ok)
{
    size_t len = ps_utf8_seq(s, n, cp);

    if (len == 0) {
        *cp = 0xfffd; /* the replacement character: never a tab or newline */
        *ok = false;
        return 1;
    }
    *ok = !is_control(*cp);
    return len;
}

/* A letter or digit: ASCII alphanumerics and any printable non-ASCII character. */
static bool is_word_char(const unsigned char *s, size_t n, size_t *len)
{
    uint32_t cp;
    bool ok;

    *len = char_at(s, n, &cp, &ok);
    if (!ok)
        return false;
    if (cp < 0x80)
        return is_alnum((unsigned char)cp);
    return cp >= 0xa0;
}

/* Append one character of s (the sanitised form: '?' for control/invalid); returns its length. */
static size_t put_char(ps_buf *out, const unsigned char *s, size_t n, ps_status *st)
{
    uint32_t cp;
    bool ok;
    size_t len = char_at(s, n, &cp, &ok);

    if (*st == PS_OK)
        *st = ok ? ps_buf_append(out, s, len) : ps_buf_putc(out, '?');
    return len;
}

static ps_status put_str(ps_buf *out, const char *s, ps_status st)
{
    return st == PS_OK ? ps_buf_append(out, s, strlen(s)) : st;
}

/* NUL anywhere, or fewer than 80% printable characters (tab/CR/LF count as printable). */
static bool looks_binary(const unsigned char *s, size_t n)
{
    size_t total = 0, printable = 0;

    if (memchr(s, '\0', n) != NULL)
        return true;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool ok;

        i += char_at(s + i, n - i, &cp, &ok);
        total++;
        if (ok || cp == '\t' || cp == '\n' || cp == '\r')
            printable++;
    }
    return printable * 5 < total * 4;
}

static bool has_space(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (is_space(s[i]))
            return true;
    }
    return false;
}

/* local@domain.tld: one '@', no whitespace, a dot in the domain, TLD of 2..24 letters/digits/'-'. */
static bool looks_email(const unsigned char *s, size_t n, size_t *at, size_t *tld)
{
    const unsigned char *p = memchr(s, '@', n);
    size_t a, dot = 0;

    if (p == NULL || has_space(s, n))
        return false;
    a = (size_t)(p - s);
    if (a == 0 || memchr(p + 1, '@', n - a - 1) != NULL)
        return false;
    for (size_t i = a + 1; i < n; i++) {
        if (s[i] == '.')
            dot = i;
    }
    if (dot == 0 || dot == a + 1 || n - dot - 1 < 2 || n - dot - 1 > TLD_MAX_LEN)
        return false;
    if (!((s[dot + 1] >= 'a' && s[dot + 1] <= 'z') || (s[dot + 1] >= 'A' && s[dot + 1] <= 'Z')))
        return false;
    for (size_t i = dot + 1; i < n; i++) {
        if (!is_alnum(s[i]) && s[i] != '-')
            return false;
    }
    *at = a;
    *tld = dot;
    return true;
}

/* Four dotted decimal octets, each 0..255. */
static bool looks_ipv4(const unsigned char *s, size_t n, size_t *first_len)
{
    size_t i = 0;

    for (int octet = 0; octet < 4; octet++) {
        unsigned v = 0;
        size_t start = i;

        while (i < n && is_digit(s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255)
            return false;
        if (octet == 0)
            *first_len = i;
        if (octet < 3) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == n;
}

static bool looks_digits(const unsigned char *s, size_t n, size_t *ndigits)
{
    size_t d = 0;

    if (n > DIGITS_MAX_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (is_digit(s[i]))
            d++;
        else if (strchr(" -+().:/", s[i]) == NULL || s[i] == '\0')
            return false;
    }
    *ndigits = d;
    return d >= 6;
}

static bool looks_hash(const unsigned char *s, size_t n)
{
    if (n < HASH_MIN_LEN || has_space(s, n))
        return false;
    if (s[0] == '$')
        return true;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex(s[i]))
            return false;
    }
    return true;
}

static ps_status redact_email(const unsigned char *s, size_t n, size_t at, size_t dot, ps_buf *out)
{
    ps_status st = PS_OK;

    put_char(out, s, at, &st);
    st = put_str(out, "***@", st);
    put_char(out, s + at + 1, dot - at - 1, &st);
    st = put_str(out, "***.", st);
    if (st == PS_OK)
        st = ps_buf_append(out, s + dot + 1, n - dot - 1);
    return st;
}

static ps_status redact_digits(const unsigned char *s, size_t n, size_t ndigits, ps_buf *out)
{
    size_t keep_from = ndigits >= 10 ? ndigits - 2 : ndigits, seen = 0;
    ps_status st = PS_OK;

    for (size_t i = 0; i < n && st == PS_OK; i++) {
        if (is_digit(s[i]))
            st = ps_buf_putc(out, seen++ >= keep_from ? (char)s[i] : '*');
        else
            st = ps_buf_putc(out, (char)s[i]);
    }
    return st;
}

/* Number of characters and bytes of the word (run of word characters) at s. */
static size_t word_span(const unsigned char *s, size_t n, size_t *bytes)
{
    size_t chars = 0, i = 0, len;

    while (i < n && is_word_char(s + i, n - i, &len)) {
        i += len;
        chars++;
    }
    *bytes = i;
    return chars;
}

/*
 * Show a prefix of s[0..n) of at most budget characters, and stop at the
 * first word not shown whole.  A word (run of letters and digits) of 1-2
 * characters may be shown whole; of a longer word at most 2 characters and
 * at most half are shown.  So no run of letters and digits in the output is
 * longer than 2, and no input word of 3+ characters can appear in it, not
 * even as part of a longer word's prefix.  Whitespace runs show as one
 * space, punctuation as itself (controls and invalid bytes as '?').
 * *stop receives the offset where showing stopped.
 */
static ps_status show_prefix(const unsigned char *s, size_t n, size_t budget,
                             ps_buf *out, size_t *stop)
{
    size_t i = 0;
    ps_status st = PS_OK;

    while (i < n && budget > 0 && st == PS_OK) {
        size_t wbytes, wchars, len, allowed, take;

        if (is_space(s[i])) {
            while (i < n && is_space(s[i]))
                i++;
            st = ps_buf_putc(out, ' ');
            budget--;
            continue;
        }
        if (!is_word_char(s + i, n - i, &len)) {
            i += put_char(out, s + i, n - i, &st);
            budget--;
            continue;
        }
        wchars = word_span(s + i, n - i, &wbytes);
        allowed = wchars <= WORD_SHOW_MAX ? wchars : wchars / 2;
        if (allowed > WORD_SHOW_MAX)
            allowed = WORD_SHOW_MAX;
        take = allowed < budget ? allowed : budget;
        for (size_t k = 0; k < take; k++)
            i += put_char(out, s + i, n - i, &st);
        budget -= take;
        if (take < wchars)
            break;
    }
    *stop = i;
    return st;
}

/* Several words: "\"Hi gr*** ...\"" (see show_prefix for what may be shown). */
static ps_status redact_text(const unsigned char *s, size_t n, ps_buf *out)
{
    size_t i = 0;
    ps_status st = ps_buf_putc(out, '"');

    if (st == PS_OK)
        st = show_prefix(s, n, TEXT_SHOW_MAX, out, &i);
    st = put_str(out, "***", st);
    /* " ..." when a whitespace-separated word follows the one cut into. */
    while (i < n && !is_space(s[i]))
        i++;
    while (i < n && is_space(s[i]))
        i++;
    if (i < n)
        st = put_str(out, " ...", st);
    if (st == PS_OK)
        st = ps_buf_putc(out, '"');
    return st;
}

static ps_status redact_word(const unsigned char *s, size_t n, ps_buf *out)
{
    size_t chars = 0;
    ps_status st = PS_OK;

    for (size_t i = 0; i < n && chars < 4; chars++) {
        uint32_t cp;
        bool ok;

        i += char_at(s + i, n - i, &cp, &ok);
    }
    if (chars >= 4)
        put_char(out, s, n, &st);
    return put_str(out, "***", st);
}

/*
 * Append the redacted form of v[0..n) to out (see the rules at the top).
 * Returns PS_OK, or the ps_buf error (PS_ERR_NOMEM, or PS_ERR_LIMIT when out
 * has less than ~100 bytes of room left).
 */
ps_status ps_redact(const char *v, size_t n, ps_buf *out)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t a, b, ndigits;

    if (n == 0)
        return ps_buf_append(out, "", 0);
    if (looks_binary(s, n))
        return ps_buf_printf(out, "<binary %zu bytes>", n);
    while (n > 0 && is_space(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_space(s[n - 1]))
        n--;
    if (n == 0)
        return ps_buf_append(out, "", 0);
    if (looks_email(s, n, &a, &b))
        return redact_email(s, n, a, b, out);
    if (looks_ipv4(s, n, &a)) {
        ps_status st = ps_buf_append(out, s, a);
        return put_str(out, ".*.*.*", st);
    }
    if (looks_digits(s, n, &ndigits))
        return redact_digits(s, n, ndigits, out);
    if (looks_hash(s, n)) {
        ps_status st = PS_OK;
        size_t stop;

        /* A hex digest is one word, so its first 4 digits hide it; a "$id$..." string may hold words. */
        if (s[0] == '$')
            st = show_prefix(s, n, HASH_SHOW_MAX, out, &stop);
        else
            st = ps_buf_append(out, s, HASH_SHOW_MAX);
        return put_str(out, "***", st);
    }
    if (has_space(s, n))
        return redact_text(s, n, out);
    return redact_word(s, n, out);
}

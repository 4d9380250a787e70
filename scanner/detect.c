/*
 * detect.c - generic detectors: readable text, Luhn numbers, hash formats,
 * media files embedded as base64.
 *
 * Pure functions over one value: no allocation, no I/O, no state.  They are
 * the questions a regex cannot answer well; rules combine them in YAML.
 *
 * Nothing here depends on libm: the entropy estimate uses its own small
 * base-2 logarithm, so the library links with no extra flags.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect.h"
#include "protect.h"
#include "sniff.h"

/* --- small character helpers (ASCII only, locale-independent) ----------- */

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alnum(unsigned char c)
{
    return is_digit(c) || is_lower(c) || is_upper(c);
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The alphabet of base64 (+/), base64url (-_) and JWT's '.' separators. */
static bool is_b64(unsigned char c)
{
    return is_alnum(c) || c == '+' || c == '/' || c == '-' || c == '_' || c == '.';
}

/* --- entropy without libm ------------------------------------------------- */

/*
 * log2(x) for x >= 1, to about 2^-30: the integer part by halving, the
 * fraction one bit at a time by squaring the mantissa.  Good enough for
 * comparing an entropy against a threshold, and keeps -lm off the link line.
 */
static double log2_pos(double x)
{
    double r = 0.0, bit = 0.5;

    while (x >= 2.0) {
        x /= 2.0;
        r += 1.0;
    }
    for (int i = 0; i < 30; i++) {
        x *= x;
        if (x >= 2.0) {
            x /= 2.0;
            r += bit;
        }
        bit /= 2.0;
    }
    return r;
}

/* Shannon entropy of the byte distribution of s[0..n), in bits per byte. */
static double char_entropy(const unsigned char *s, size_t n)
{
    uint32_t counts[256] = {0};
    double sum = 0.0;

    if (n == 0)
        return 0.0;
    for (size_t i = 0; i < n; i++)
        counts[s[i]]++;
    /* H = log2(n) - (1/n) * sum(c * log2(c)) */
    for (int i = 0; i < 256; i++) {
        if (counts[i] > 1)
            sum += (double)counts[i] * log2_pos((double)counts[i]);
    }
    return log2_pos((double)n) - sum / (double)n;
}

/* --- readable ------------------------------------------------------------- */

/*
 * Walk s[0..n) as UTF-8.  Returns false on any invalid sequence (overlong
 * forms, surrogates, code points past U+10FFFF, truncation).  Otherwise
 * *ncp is the number of code points and *nctrl the number of those that are
 * control characters (C0 other than tab/LF/CR, DEL, C1).
 */
static bool utf8_scan(const unsigned char *s, size_t n, size_t *ncp, size_t *nctrl)
{
    size_t i = 0;

    *ncp = 0;
    *nctrl = 0;
    while (i < n) {
        unsigned char c = s[i];
        uint32_t cp;
        size_t len;

        if (c < 0x80) {
            cp = c;
            len = 1;
        } else if (c >= 0xc2 && c <= 0xdf) {
            cp = c & 0x1fu;
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            cp = c & 0x0fu;
            len = 3;
        } else if (c >= 0xf0 && c <= 0xf4) {
            cp = c & 0x07u;
            len = 4;
        } else {
            return false; /* continuation byte, 0xc0/0xc1 or 0xf5.. */
        }
        if (len > n - i)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            (cp >= 0x7f && cp <= 0x9f))
            (*nctrl)++;
        (*ncp)++;
        i += len;
    }
    return true;
}

/*
 * Text in a single-byte legacy encoding (ISO-8859-1, Windows-1252): what a
 * value that is not UTF-8 may still be, such as a Latin-1 log line or a
 * UTF-8 line with one stray byte, whose ASCII address must not go unseen.
 * Random bytes (ciphertext, keys) must not pass for it, so the bar is high:
 *   - at least SB_MIN_LEN bytes: shorter runs give too little evidence;
 *   - at most 5% control bytes (C0 other than tab/LF/CR, DEL, and the five
 *     bytes Windows-1252 leaves undefined), as for UTF-8;
 *   - at least two thirds ASCII letters, digits and spaces: words;
 *   - at most one fifth bytes >= 0x80: accented letters and symbols are
 *     the minority in Western European text.
 * Measured on random bytes: about 3 in 100,000 16-byte values pass, 1 in a
 * million 24-byte values, none of a million 32-byte values.  Text whose
 * letters are mostly above 0x80 (Greek, Cyrillic in a legacy code page) is
 * not recognised: see docs/limits.md.
 */
#define SB_MIN_LEN 16

static bool single_byte_text(const unsigned char *s, size_t n)
{
    size_t nctrl = 0, nword = 0, nhigh = 0;

    if (n < SB_MIN_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];

        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ||
            c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d)
            nctrl++;
        else if (c >= 0x80)
            nhigh++;
        else if (is_alnum(c) || c == ' ')
            nword++;
    }
    return nctrl * 20 <= n && nword * 3 >= n * 2 && nhigh * 5 <= n;
}

/*
 * Base64 with its '=' padding, possibly several encodings back to back
 * ("3q2+7w==3q2+7w=="): every chunk that ends in one or two '=' is a
 * multiple of 4 characters long, and so is an unpadded tail.  Padding is
 * the mark of an encoder, never of a word, so this holds whatever the
 * entropy of the data inside.
 */
static bool is_padded_base64(const unsigned char *s, size_t n)
{
    size_t chunk = 0, i = 0;
    bool padded = false;

    while (i < n) {
        if (is_alnum(s[i]) || s[i] == '+' || s[i] == '/' || s[i] == '-' || s[i] == '_') {
            chunk++;
            i++;
        } else if (s[i] == '=') {
            size_t run = 0;

            while (i < n && s[i] == '=') {
                run++;
                i++;
            }
            if (run > 2 || chunk < 2 || (chunk + run) % 4 != 0)
                return false;
            padded = true;
            chunk = 0;
        } else {
            return false;
        }
    }
    return padded && chunk % 4 == 0;
}

/*
 * The shortest opaque token (below).  Every hash format ps_detect_hash
 * knows is longer too, which ps_detect_readable's short path relies on.
 */
#define SHORT_PRINTABLE 16u

/*
 * Whether every byte of s[0..n) is printable ASCII (0x20 .. 0x7e), eight
 * bytes a step: a word holds a byte below 0x20 when subtracting 0x20 from
 * every byte borrows into a clear high bit, and one above 0x7e when adding
 * 1 sets a high bit.  Carries between bytes only happen in a word already
 * caught, so the word's answer is exact.
 */
static bool all_printable(const unsigned char *s, size_t n)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80u;
    size_t i = 0;

    for (; n - i >= 8; i += 8) {
        uint64_t w;

        memcpy(&w, s + i, 8);
        if ((((w - ones * 0x20u) & ~w) | ((w + ones) | w)) & highs)
            return false;
    }
    for (; i < n; i++) {
        if (s[i] < 0x20 || s[i] >= 0x7f)
            return false;
    }
    return true;
}

/* Valid UTF-8 with few controls (one in twenty), or single-byte legacy text. */
static bool decodes_as_text(const unsigned char *s, size_t n)
{
    size_t ncp, nctrl;

    if (utf8_scan(s, n, &ncp, &nctrl))
        return nctrl * 20 <= ncp;
    return single_byte_text(s, n);
}

/* A byte that no hash, token or sealed field holds, nor a space ('@', ':', '!', ...). */
static bool has_odd(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_b64(s[i]) && s[i] != '=' && s[i] != ' ')
            return true;
    }
    return false;
}

/*
 * Is s[0..n) (already trimmed, no whitespace inside) an opaque token: a key,
 * ciphertext or session token rendered as hex or base64?
 *
 * Hex: at least 16 characters, one letter case, both digits and letters
 * (a run of digits alone is a number a person reads, e.g. a card number),
 * and a character entropy above 2.7 bits (3.0 from 32 characters).  Random
 * hex sits around 3.2 bits at 16 characters and 3.6 at 32.
 *
 * Base64 / base64url: at least 16 characters of that alphabet with at most
 * two '=' of padding at the end, at least two character classes (upper,
 * lower, digit, symbol), an entropy above min(4.0, log2(n) - 0.75) (random
 * base64 reaches about log2(n) - 0.25 for short runs, 4.9 bits at 44
 * characters), and frequent class changes between neighbours: random text
 * changes class at about 65% of positions, words and passwords such as
 * "MyPassword123456" or "PrincessSparkle2009" at well under 40%.  Padded
 * base64 (is_padded_base64) is opaque on structure alone.
 *
 * Measured on random strings: 16-character base64 is caught ~94% of the
 * time, 22 characters (16 bytes) ~98%, 44 characters (32 bytes) ~99.7%;
 * hex from 16 characters ~99%.  Misses read as text: a false "readable".
 */
static bool is_opaque_token(const unsigned char *s, size_t n)
{
    bool all_hex = true, all_b64 = true, has_upper = false, has_lower = false;
    bool has_digit = false, has_sym = false;
    size_t body = n, classes, changes = 0;
    double h;
    int prev_class = -1;

    if (n < SHORT_PRINTABLE)
        return false;
    if (is_padded_base64(s, n))
        return true;
    /* base64 padding: at most two '=' and only at the very end */
    while (body > 0 && s[body - 1] == '=' && n - body < 2)
        body--;
    for (size_t i = 0; i < body; i++) {
        unsigned char c = s[i];
        int cls;

        if (!is_hex(c))
            all_hex = false;
        if (!is_b64(c)) {
            all_b64 = false;
            break;
        }
        if (is_upper(c)) {
            has_upper = true;
            cls = 0;
        } else if (is_lower(c)) {
            has_lower = true;
            cls = 1;
        } else if (is_digit(c)) {
            has_digit = true;
            cls = 2;
        } else {
            has_sym = true;
            cls = 3;
        }
        if (prev_class >= 0 && cls != prev_class)
            changes++;
        prev_class = cls;
    }
    if (!all_b64 || body < 16)
        return false;
    h = char_entropy(s, body);
    if (all_hex && body == n && has_digit && !(has_upper && has_lower) &&
        (has_upper || has_lower))
        return h > (n < 32 ? 2.7 : 3.0);
    classes = (size_t)has_upper + (size_t)has_lower + (size_t)has_digit + (size_t)has_sym;
    if (classes < 2)
        return false;
    {
        double limit = log2_pos((double)body) - 0.75;

        if (limit > 4.0)
            limit = 4.0;
        if (h <= limit)
            return false;
    }
    /* changes / (body - 1) > 0.42, in integers */
    return changes * 100 > (body - 1) * 42;
}

/*
 * Readable text, decided in this order (cheapest and surest first):
 *   1. empty -> no; starts with the plainsight envelope magic -> no;
 *   2. not UTF-8: readable only when it looks like single-byte legacy text
 *      (single_byte_text: Latin-1 / Windows-1252), else no (binary); valid
 *      UTF-8 with more than 5% control characters -> no (binary that
 *      happens to decode);
 *   3. exactly a recognised password-hash format -> no;
 *   4. after trimming surrounding whitespace, a single run that is an opaque
 *      hex/base64 token (see is_opaque_token) -> no;
 *   5. anything else -> yes: words, sentences, emails, names, dates and short
 *      tokens like "sparkle7" are all things a person reads.
 */
bool ps_detect_readable(const char *v, size_t n)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t a = 0, b = n;
    bool printable = false; /* every byte is printable ASCII */

    if (v == NULL || n == 0)
        return false;
    if (n < SHORT_PRINTABLE) {
        /*
         * Most cells are short printable ASCII (names, dates, ids, short
         * passwords), and this runs on every one of them.  Below 16 bytes
         * none of the steps below can say no to such a value (no hash
         * format, opaque token, sealed field or envelope is that short, and
         * nothing is a control character), so it is readable unless it is
         * all spaces.  One pass instead of five.
         */
        bool word = false;
        size_t i;

        for (i = 0; i < n && s[i] >= 0x20 && s[i] < 0x7f; i++)
            word = word || s[i] != ' ';
        if (i == n)
            return word;
    } else if (s[0] != '$' && s[0] != 'p') {
        /*
         * Longer printable ASCII with a character no hash, token or sealed
         * field holds ('@', ':', '!', '?', ',' ...) is readable: such a
         * character fails the hex and base64 alphabets, and the formats
         * that allow it start with '$' (crypt strings) or 'p' ("psf1:",
         * "pbkdf2"), left to the steps below.  Emails, sentences and
         * timestamps take one pass instead of five.
         */
        printable = all_printable(s, n);
        if (printable && has_odd(s, n))
            return true;
    }
    if (n >= PS_ENVELOPE_MAGIC_LEN &&
        memcmp(v, PS_ENVELOPE_MAGIC, PS_ENVELOPE_MAGIC_LEN) == 0)
        return false;
    /* A field sealed by `plainsight protect` ("psf1:" + base64url) is ciphertext. */
    if (ps_field_is_sealed(v, n))
        return false;
    /* Printable ASCII is valid UTF-8 without a control: hex hashes skip the pass. */
    if (!printable && !decodes_as_text(s, n))
        return false;
    if (ps_detect_hash(v, n) >= 0)
        return false;
    while (a < b && is_space(s[a]))
        a++;
    while (b > a && is_space(s[b - 1]))
        b--;
    if (a == b)
        return false; /* only whitespace: nothing to read */
    for (size_t i = a; i < b; i++) {
        if (is_space(s[i]))
            return true; /* more than one word */
    }
    return !is_opaque_token(s + a, b - a);
}

/* --- Luhn ------------------------------------------------------------------ */

/* Luhn check over the digits of s[0..n) (separators skipped). */
static bool luhn_ok(const unsigned char *s, size_t n)
{
    unsigned sum = 0;
    size_t pos = 0; /* digit position counted from the right, 0-based */
    bool same = true;
    unsigned char first = 0;

    for (size_t i = n; i-- > 0;) {
        unsigned d;

        if (!is_digit(s[i]))
            continue;
        if (pos == 0)
            first = s[i];
        else if (s[i] != first)
            same = false;
        d = (unsigned)(s[i] - '0');
        if (pos % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        pos++;
    }
    return !same && sum % 10 == 0;
}

/*
 * Find maximal runs of digits in which a single ' ' or '-' may sit between
 * two digits ("4111 1111-1111 1111").  A run of 13..19 digits that passes
 * Luhn (and is not one digit repeated, which passes trivially for zeros)
 * makes the value hold a card-like number.  Longer runs are some other
 * identifier and never count, not even a 16-digit window inside them; so do
 * runs glued to letters ("a1234567890123456b" is a hex hash or a token, not a
 * card printed in text).
 */
bool ps_detect_luhn(const char *v, size_t n)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t i = 0;

    if (v == NULL)
        return false;
    while (i < n) {
        size_t start, ndigits = 0;

        if (!is_digit(s[i])) {
            i++;
            continue;
        }
        start = i;
        for (;;) {
            if (i < n && is_digit(s[i])) {
                ndigits++;
                i++;
            } else if (i + 1 < n && (s[i] == ' ' || s[i] == '-') &&
                       is_digit(s[i + 1])) {
                i++;
            } else {
                break;
            }
        }
        if (ndigits >= 13 && ndigits <= 19 && luhn_ok(s + start, i - start) &&
            (start == 0 || !is_alnum(s[start - 1])) && (i == n || !is_alnum(s[i])))
            return true;
        while (i < n && is_alnum(s[i]))
            i++; /* the rest of a token the run was glued to */
    }
    return false;
}

/* --- hash formats ------------------------------------------------------------- */

static bool has_prefix(const char *v, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && memcmp(v, prefix, k) == 0;
}

/* Hex digits in one case only: "a1b2" or "A1B2", never "a1B2". */
static bool is_hex_one_case(const unsigned char *s, size_t n)
{
    bool lower = false, upper = false;

    for (size_t i = 0; i < n; i++) {
        if (!is_hex(s[i]))
            return false;
        if (s[i] >= 'a' && s[i] <= 'f')
            lower = true;
        else if (s[i] >= 'A' && s[i] <= 'F')
            upper = true;
    }
    return !(lower && upper);
}

/* bcrypt's own base64 alphabet. */
static bool is_bcrypt_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '/';
}

/* Unpadded standard base64, as argon2 writes salts and hashes. */
static bool is_b64_std(unsigned char c)
{
    return is_alnum(c) || c == '+' || c == '/';
}

/* "$2a$NN$" + 22 salt + 31 hash characters: 60 in all. */
static bool is_bcrypt(const unsigned char *s, size_t n)
{
    if (n != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$')
        return false;
    if (s[2] != 'a' && s[2] != 'b' && s[2] != 'y')
        return false;
    if (!is_digit(s[4]) || !is_digit(s[5]))
        return false;
    for (size_t i = 7; i < n; i++) {
        if (!is_bcrypt_char(s[i]))
            return false;
    }
    return true;
}

/* Consume "key=digits" at s[*i]; true when present. */
static bool take_param(const unsigned char *s, size_t n, size_t *i, char key)
{
    size_t k = *i, start;

    if (k + 2 > n || s[k] != (unsigned char)key || s[k + 1] != '=')
        return false;
    k += 2;
    start = k;
    while (k < n && is_digit(s[k]))
        k++;
    if (k == start)
        return false;
    *i = k;
    return true;
}

/* Consume a non-empty run of standard base64 characters. */
static bool take_b64(const unsigned char *s, size_t n, size_t *i)
{
    size_t k = *i;

    while (k < n && is_b64_std(s[k]))
        k++;
    if (k == *i)
        return false;
    *i = k;
    return true;
}

/* PHC string: $argon2id$v=19$m=65536,t=3,p=4$salt$hash (v= is optional: old encoders). */
static bool is_argon2(const unsigned char *s, size_t n)
{
    const char *v = (const char *)s;
    size_t i;

    if (has_prefix(v, n, "$argon2id$"))
        i = 10;
    else if (has_prefix(v, n, "$argon2i$") || has_prefix(v, n, "$argon2d$"))
        i = 9;
    else
        return false;
    if (take_param(s, n, &i, 'v')) {
        if (i >= n || s[i] != '$')
            return false;
        i++;
    }
    if (!take_param(s, n, &i, 'm') || i >= n || s[i++] != ',' ||
        !take_param(s, n, &i, 't') || i >= n || s[i++] != ',' ||
        !take_param(s, n, &i, 'p') || i >= n || s[i++] != '$')
        return false;
    if (!take_b64(s, n, &i) || i >= n || s[i++] != '$')
        return false;
    if (!take_b64(s, n, &i))
        return false;
    return i == n;
}

/*
 * The tail of a "$scheme$..." string: printable ASCII without spaces, at
 * least min characters, and at least need_dollar more '$' separators.
 */
static bool is_tail(const unsigned char *s, size_t n, size_t min, size_t need_dollar)
{
    size_t dollars = 0;

    if (n < min)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= ' ' || s[i] >= 0x7f)
            return false;
        if (s[i] == '$')
            dollars++;
    }
    return dollars >= need_dollar;
}

/* "$pbkdf2-sha256$", "$pbkdf2$" (passlib), "pbkdf2_sha256$" (Django). */
static bool is_pbkdf2(const unsigned char *s, size_t n)
{
    const char *v = (const char *)s;
    size_t i;

    if (has_prefix(v, n, "$pbkdf2$")) {
        i = 8;
    } else if (has_prefix(v, n, "$pbkdf2-") || has_prefix(v, n, "pbkdf2_")) {
        i = v[0] == '$' ? 8 : 7;
        if (i >= n || !is_alnum(s[i]))
            return false;
        while (i < n && is_alnum(s[i]))
            i++;
        if (i >= n || s[i] != '$')
            return false;
        i++;
    } else {
        return false;
    }
    /* iterations, salt and hash follow, '$'-separated */
    return is_tail(s + i, n - i, 8, 2);
}

/*
 * The whole value, exactly, as a hash format: no surrounding whitespace, no
 * prefix such as "md5:".  Hex digests are told apart by length only, so a
 * 32-hex value is reported as MD5 even if it was something else of the same
 * width; rules that care combine this with a field-name pattern.
 */
int ps_detect_hash(const char *v, size_t n)
{
    const unsigned char *s = (const unsigned char *)v;

    if (v == NULL || n == 0)
        return -1;
    if (s[0] == '$' || s[0] == 'p') {
        if (is_bcrypt(s, n))
            return PS_HASH_BCRYPT;
        if (is_argon2(s, n))
            return PS_HASH_ARGON2;
        if (has_prefix(v, n, "$scrypt$") && is_tail(s + 8, n - 8, 16, 1))
            return PS_HASH_SCRYPT;
        if (has_prefix(v, n, "$7$") && is_tail(s + 3, n - 3, 16, 1))
            return PS_HASH_SCRYPT;
        if (is_pbkdf2(s, n))
            return PS_HASH_PBKDF2;
    }
    if ((n == 32 || n == 40 || n == 64 || n == 128) && is_hex_one_case(s, n)) {
        switch (n) {
        case 32: return PS_HASH_MD5;
        case 40: return PS_HASH_SHA1;
        case 64: return PS_HASH_SHA256;
        default: return PS_HASH_SHA512;
        }
    }
    return -1;
}

/* --- weak password-hash parameters ------------------------------------------ */

/*
 * The number after "key=" somewhere in the '$'-field that starts at s[i]
 * (fields are ','-separated "k=v" pairs), capped at UINT32_MAX.  False when
 * the key is absent or has no digits.
 */
static bool field_param(const unsigned char *s, size_t n, size_t i, const char *key,
                        uint32_t *out)
{
    size_t k = strlen(key);

    while (i < n && s[i] != '$') {
        size_t j = i;
        uint64_t v = 0;

        if (n - i > k && memcmp(s + i, key, k) == 0 && s[i + k] == '=') {
            j = i + k + 1;
            if (j >= n || !is_digit(s[j]))
                return false;
            while (j < n && is_digit(s[j])) {
                if (v <= UINT32_MAX)
                    v = v * 10 + (uint64_t)(s[j] - '0');
                j++;
            }
            *out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
            return true;
        }
        while (j < n && s[j] != ',' && s[j] != '$')
            j++;
        i = j < n && s[j] == ',' ? j + 1 : j;
    }
    return false;
}

/*
 * argon2id's OWASP floor: the least memory (KiB) for t passes.  The
 * cheat sheet lists five equivalent settings; fewer passes need more
 * memory, and past t=5 it does not go below 7 MiB.
 */
static uint32_t argon2id_min_memory(uint32_t t)
{
    static const uint32_t floor_kib[] = {0, 47104, 19456, 12288, 9216, 7168};

    if (t == 0)
        return UINT32_MAX; /* no pass at all: nothing is enough */
    return t < 5 ? floor_kib[t] : floor_kib[5];
}

/* Index of c in the "./0-9A-Za-z" alphabet of crypt(3) and "$7$", or -1. */
static int itoa64_value(unsigned char c)
{
    if (c == '.')
        return 0;
    if (c == '/')
        return 1;
    if (is_digit(c))
        return c - '0' + 2;
    if (is_upper(c))
        return c - 'A' + 12;
    if (is_lower(c))
        return c - 'a' + 38;
    return -1;
}

bool ps_detect_weak_hash_params(const char *v, size_t n)
{
    const unsigned char *s = (const unsigned char *)v;
    uint32_t m, t, ln;
    size_t i;

    switch (ps_detect_hash(v, n)) {
    case PS_HASH_ARGON2:
        if (!has_prefix(v, n, "$argon2id$"))
            return true; /* argon2i or argon2d */
        /* skip "$argon2id$" and an optional "v=NN$" to the m,t,p field */
        i = 10;
        if (n - i > 2 && s[i] == 'v' && s[i + 1] == '=') {
            while (i < n && s[i] != '$')
                i++;
            i++;
        }
        if (i >= n || !field_param(s, n, i, "m", &m) || !field_param(s, n, i, "t", &t))
            return false;
        return m < argon2id_min_memory(t);
    case PS_HASH_BCRYPT:
        /* "$2b$NN$": is_bcrypt checked the two cost digits */
        return (s[4] - '0') * 10 + (s[5] - '0') < 10;
    case PS_HASH_SCRYPT:
        if (has_prefix(v, n, "$7$")) {
            int l = itoa64_value(s[3]);

            return l >= 0 && l < 17;
        }
        /* passlib: "$scrypt$ln=16,r=8,p=1$salt$hash" */
        if (!field_param(s, n, 8, "ln", &ln))
            return false;
        return ln < 17;
    default:
        return false;
    }
}

/* --- base64-embedded media ------------------------------------------------- */

/* How many characters of an embedded file are decoded: 48 bytes of head. */
#define B64_HEAD 64
/* Fewer characters than this are too short to be a file: 18 bytes. */
#define B64_MIN 24

/*
 * The 6-bit value of a base64 character, standard (+/) or URL-safe (-_)
 * alphabet, or -1.
 */
static int b64_value(unsigned char c)
{
    if (is_upper(c))
        return c - 'A';
    if (is_lower(c))
        return c - 'a' + 26;
    if (is_digit(c))
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Case-insensitive "does s[0..n) start with the lower-case prefix". */
static bool has_prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[i];

        if (is_upper(c))
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)prefix[i])
            return false;
    }
    return true;
}

/*
 * Where the base64 of a "data:<mime>[;param]*;base64," URL starts: the
 * offset just past the ',' in *start.  False for a data URL that is not
 * base64 (percent-encoded) or whose header is implausibly long.  A value
 * that is not a data URL starts at 0.
 */
static bool data_url_start(const char *v, size_t n, size_t *start)
{
    size_t i = 5, limit;

    *start = 0;
    if (!has_prefix_ci(v, n, "data:"))
        return true;
    /* RFC 2045 media types are short; a long header is not a data URL. */
    limit = n < 5 + 256 ? n : 5 + 256;
    while (i < limit && v[i] != ',')
        i++;
    if (i == limit || i < 5 + 7 || !has_prefix_ci(v + i - 7, 7, ";base64"))
        return false;
    *start = i + 1;
    return true;
}

/*
 * Decode the head of the base64 in v, then ask sniffing what the bytes are.
 * Only the first B64_HEAD characters are looked at, so a long value costs
 * no more than a short one; beyond them line breaks or anything else are
 * fine (MIME wraps base64 at 76 characters).
 */
ps_media ps_detect_b64_media(const char *v, size_t n)
{
    const unsigned char *s;
    unsigned char head[B64_HEAD / 4 * 3];
    size_t start, run = 0, avail, k, out = 0;
    ps_sniff sn;

    /* Runs on every value of every record: the cheap refusals come first. */
    if (v == NULL || n < B64_MIN || !data_url_start(v, n, &start) || n - start < B64_MIN)
        return PS_MEDIA_NONE;
    s = (const unsigned char *)v + start;
    /*
     * Every media magic starts with one of a few bytes (JPEG FF, PNG 89,
     * GIF 'G', RIFF 'R', ISO BMFF 00, ID3 'I', AMR '#', Ogg 'O', MPEG sync
     * FF).  Checking the first decoded byte first keeps hex hashes, names
     * and tokens, which are base64-shaped too, away from the full sniff.
     */
    if (b64_value(s[0]) < 0 || b64_value(s[1]) < 0)
        return PS_MEDIA_NONE;
    {
        unsigned char b0 = (unsigned char)(b64_value(s[0]) << 2 | b64_value(s[1]) >> 4);
        if (b0 != 0xFF && b0 != 0x89 && b0 != 'G' && b0 != 'R' && b0 != 0x00 &&
            b0 != 'I' && b0 != '#' && b0 != 'O')
            return PS_MEDIA_NONE;
    }
    avail = n - start < B64_HEAD ? n - start : B64_HEAD;
    while (run < avail && b64_value(s[run]) >= 0)
        run++;
    /* What stops the run early must be padding, or the value's end. */
    if (run < avail && s[run] != '=')
        return PS_MEDIA_NONE;
    if (run < B64_MIN)
        return PS_MEDIA_NONE;
    k = run / 4 * 4;
    for (size_t i = 0; i < k; i += 4) {
        uint32_t q = (uint32_t)b64_value(s[i]) << 18 | (uint32_t)b64_value(s[i + 1]) << 12 |
                     (uint32_t)b64_value(s[i + 2]) << 6 | (uint32_t)b64_value(s[i + 3]);

        head[out++] = (unsigned char)(q >> 16);
        head[out++] = (unsigned char)(q >> 8);
        head[out++] = (unsigned char)q;
    }
    sn = ps_sniff_buffer(head, out, NULL, out);
    return sn.format == PS_FMT_MEDIA ? sn.media : PS_MEDIA_NONE;
}

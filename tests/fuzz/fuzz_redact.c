/*
 * fuzz_redact.c - the two places where scanned bytes reach a report:
 * redaction (redact.c) and JSON string escaping (jsonw.c).
 *
 * Redaction is checked against its documented invariant (redact.c's top
 * comment): the output is under 100 bytes, valid UTF-8 without control
 * characters, and no word of 3 or more letters and digits of the input
 * appears in it, except an email's TLD, an IPv4 address's first octet and
 * the byte count of "<binary N bytes>".  Words are runs of ASCII letters
 * and digits here; a non-ASCII letter splits them on both sides alike, so
 * the check is the same or stricter than redact.c's own.
 *
 * Escaping is checked by parsing: the escaped input between quotes, and a
 * one-member object written through ps_jsonw, must be valid JSON to yajl;
 * and when the input is valid UTF-8 the string yajl decodes is the input,
 * byte for byte (invalid UTF-8 is replaced by U+FFFD, by design).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "fuzz.h"
#include "jsonw.h"
#include "redact.h"
#include "util.h"

#define REDACT_OUT_MAX 100u

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Is s[0..len) a whole ASCII word somewhere in in[0..n)? */
static bool is_input_word(const uint8_t *in, size_t n, const char *s, size_t len)
{
    size_t p;

    for (p = 0; p + len <= n; p++) {
        if (memcmp(in + p, s, len) != 0)
            continue;
        if ((p == 0 || !is_alnum(in[p - 1])) && (p + len == n || !is_alnum(in[p + len])))
            return true;
    }
    return false;
}

/* "<binary N bytes>" with N the input's length: says nothing of the bytes. */
static bool is_binary_form(const char *out, size_t len, size_t size)
{
    char want[64];
    int w = snprintf(want, sizeof(want), "<binary %zu bytes>", size);

    return w > 0 && (size_t)w == len && memcmp(out, want, len) == 0;
}

static void check_redacted(const uint8_t *in, size_t n, const char *out, size_t len)
{
    size_t i = 0, skip_from = len, skip_to = len;

    ps_fuzz_check(len < REDACT_OUT_MAX, "redacted output of 100 bytes or more");
    ps_fuzz_check(ps_fuzz_utf8(out, len), "redacted output is not UTF-8");
    while (i < len) {
        uint32_t cp;
        size_t k = ps_utf8_seq((const unsigned char *)out + i, len - i, &cp);

        ps_fuzz_check(!(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)),
                      "a control character in redacted output");
        i += k;
    }
    if (is_binary_form(out, len, n))
        return;
    /* An email's TLD, after the last '.', is shown on purpose. */
    if (memchr(out, '@', len) != NULL) {
        const char *dot = NULL;

        for (i = 0; i < len; i++)
            if (out[i] == '.')
                dot = out + i;
        if (dot != NULL) {
            skip_from = (size_t)(dot - out) + 1;
            skip_to = len;
        }
    }
    /* "10.*.*.*": the first octet names a network, not a person. */
    if (len > 6 && memcmp(out + len - 6, ".*.*.*", 6) == 0) {
        skip_from = 0;
        skip_to = len - 6;
    }
    for (i = 0; i < len;) {
        size_t j = i;

        while (j < len && is_alnum((unsigned char)out[j]))
            j++;
        if (j - i >= 3 && !(i >= skip_from && j <= skip_to))
            ps_fuzz_check(!is_input_word(in, n, out + i, j - i),
                          "a whole word of the input survived redaction");
        i = j > i ? j : i + 1;
    }
}

/* What yajl decodes: the concatenated strings, to compare with the input. */
typedef struct decoded {
    ps_buf text;
    unsigned strings;
} decoded;

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    decoded *d = ctx;

    d->strings++;
    return ps_buf_append(&d->text, s, len) == PS_OK;
}

static const yajl_callbacks string_only = {
    .yajl_string = on_string,
};

/* Parse json[0..n) to its end; true when yajl accepts it. */
static bool parse_json(const char *json, size_t n, decoded *d)
{
    yajl_handle h = yajl_alloc(&string_only, NULL, d);
    bool ok;

    ps_fuzz_check(h != NULL, "yajl_alloc failed");
    ok = yajl_parse(h, (const unsigned char *)json, n) == yajl_status_ok &&
         yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

static void check_escape(const uint8_t *data, size_t size)
{
    char *json = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&json, &n);
    decoded d;

    if (f == NULL)
        return;
    fputc('"', f);
    ps_json_escape(f, (const char *)data, size);
    fputc('"', f);
    if (fclose(f) != 0) {
        free(json);
        return;
    }
    ps_buf_init(&d.text, 8 * size + 16);
    d.strings = 0;
    ps_fuzz_check(parse_json(json, n, &d), "ps_json_escape output is not a JSON string");
    ps_fuzz_check(d.strings == 1, "ps_json_escape output is not one JSON string");
    if (ps_fuzz_utf8((const char *)data, size))
        ps_fuzz_check(d.text.len == size && (size == 0 || memcmp(d.text.data, data, size) == 0),
                      "ps_json_escape does not round-trip valid UTF-8");
    ps_buf_free(&d.text);
    free(json);
}

/* A whole document through the writer: key = input up to its first NUL. */
static void check_writer(const uint8_t *data, size_t size, const char *redacted)
{
    char *json = NULL, *key;
    size_t n = 0, klen = strnlen((const char *)data, size);
    FILE *f;
    ps_jsonw w;
    decoded d;

    key = ps_strndup((const char *)data, klen);
    if (key == NULL)
        return;
    f = open_memstream(&json, &n);
    if (f == NULL) {
        free(key);
        return;
    }
    ps_jsonw_init(&w, f, size % 2 == 0);
    ps_jsonw_object_begin(&w);
    ps_jsonw_key(&w, key);
    ps_jsonw_stringn(&w, (const char *)data, size);
    ps_jsonw_key(&w, "redacted");
    ps_jsonw_string(&w, redacted);
    ps_jsonw_key(&w, "list");
    ps_jsonw_array_begin(&w);
    ps_jsonw_int(&w, -(int64_t)size);
    ps_jsonw_uint(&w, size);
    ps_jsonw_bool(&w, true);
    ps_jsonw_null(&w);
    ps_jsonw_array_end(&w);
    ps_jsonw_object_end(&w);
    if (fclose(f) == 0) {
        ps_buf_init(&d.text, 16 * size + 256);
        d.strings = 0;
        ps_fuzz_check(parse_json(json, n, &d), "ps_jsonw wrote invalid JSON");
        ps_buf_free(&d.text);
    }
    free(json);
    free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_buf out;

    ps_buf_init(&out, 4 * REDACT_OUT_MAX);
    ps_fuzz_check(ps_redact((const char *)data, size, &out) == PS_OK, "ps_redact failed");
    check_redacted(data, size, out.data != NULL ? out.data : "", out.len);
    check_escape(data, size);
    check_writer(data, size, ps_buf_cstr(&out));
    ps_buf_free(&out);
    return 0;
}

/*
 * test_report.c - the JSON writer, and the text and JSON reports compared
 * byte for byte with hand-written expected files in tests/data/report/.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "findings.h"
#include "jsonw.h"
#include "report.h"
#include "rules.h"
#include "util.h"

/* --- capture ---------------------------------------------------------------- */

typedef struct capture {
    FILE *f;
    char *buf;
    size_t len;
} capture;

static void capture_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
}

/* Closes the stream; the text stays in c->buf until capture_free. */
static const char *capture_done(capture *c)
{
    assert_int_equal(fclose(c->f), 0);
    c->f = NULL;
    return c->buf;
}

static void capture_free(capture *c)
{
    free(c->buf);
    c->buf = NULL;
}

static char *read_expected(const char *name)
{
    const char *dir = getenv("PS_TEST_DATA");
    char path[1024];
    FILE *f;
    char *data;
    long n;

    snprintf(path, sizeof(path), "%s/report/%s", dir != NULL ? dir : "tests/data", name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (set PS_TEST_DATA)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    return data;
}

/* Compare line by line first, so a failure names the first line that differs. */
static void assert_same_text(const char *got, const char *want)
{
    size_t line = 1;
    const char *g = got, *w = want;

    while (*g != '\0' && *w != '\0') {
        size_t gl = strcspn(g, "\n"), wl = strcspn(w, "\n");

        if (gl != wl || memcmp(g, w, gl) != 0)
            fail_msg("line %zu differs:\n got: %.*s\nwant: %.*s", line, (int)gl, g, (int)wl, w);
        g += gl + (g[gl] == '\n');
        w += wl + (w[wl] == '\n');
        line++;
    }
    assert_string_equal(got, want);
}

/* --- jsonw ------------------------------------------------------------------ */

static void write_sample(ps_jsonw *w)
{
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "a");
    ps_jsonw_array_begin(w);
    ps_jsonw_int(w, 1);
    ps_jsonw_int(w, -2);
    ps_jsonw_bool(w, true);
    ps_jsonw_null(w);
    ps_jsonw_string(w, "x");
    ps_jsonw_uint(w, UINT64_MAX);
    ps_jsonw_array_end(w);
    ps_jsonw_key(w, "b");
    ps_jsonw_object_begin(w);
    ps_jsonw_object_end(w);
    ps_jsonw_key(w, "c");
    ps_jsonw_array_begin(w);
    ps_jsonw_array_end(w);
    ps_jsonw_key(w, "d");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "e");
    ps_jsonw_string(w, NULL);
    ps_jsonw_key(w, "f");
    ps_jsonw_stringn(w, "ab\0c", 4);
    ps_jsonw_object_end(w);
    ps_jsonw_object_end(w);
}

static void test_jsonw_layout(void **state)
{
    capture c;
    ps_jsonw w;

    (void)state;
    capture_open(&c);
    ps_jsonw_init(&w, c.f, false);
    write_sample(&w);
    write_sample(&w); /* NDJSON: a second top-level value is a second line */
    assert_string_equal(capture_done(&c),
                        "{\"a\":[1,-2,true,null,\"x\",18446744073709551615],\"b\":{},\"c\":[],"
                        "\"d\":{\"e\":null,\"f\":\"ab\\u0000c\"}}\n"
                        "{\"a\":[1,-2,true,null,\"x\",18446744073709551615],\"b\":{},\"c\":[],"
                        "\"d\":{\"e\":null,\"f\":\"ab\\u0000c\"}}\n");
    capture_free(&c);

    capture_open(&c);
    ps_jsonw_init(&w, c.f, true);
    write_sample(&w);
    assert_string_equal(capture_done(&c),
                        "{\n"
                        "  \"a\": [\n"
                        "    1,\n"
                        "    -2,\n"
                        "    true,\n"
                        "    null,\n"
                        "    \"x\",\n"
                        "    18446744073709551615\n"
                        "  ],\n"
                        "  \"b\": {},\n"
                        "  \"c\": [],\n"
                        "  \"d\": {\n"
                        "    \"e\": null,\n"
                        "    \"f\": \"ab\\u0000c\"\n"
                        "  }\n"
                        "}\n");
    capture_free(&c);
}

static const struct {
    const char *in;
    size_t len; /* 0: strlen */
    const char *want;
} escape_cases[] = {
    { "plain ascii", 0, "plain ascii" },
    { "\"quoted\" \\ back", 0, "\\\"quoted\\\" \\\\ back" },
    { "\n\t\r\b\f", 0, "\\n\\t\\r\\b\\f" },
    { "\x01\x1f\x7f", 0, "\\u0001\\u001f\\u007f" },
    { "a\0b", 3, "a\\u0000b" },
    { "Zo\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "Zo\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
    { "\xc0\xaf", 0, "\\ufffd\\ufffd" },                   /* overlong '/' */
    { "\xe0\x80\xaf", 0, "\\ufffd\\ufffd\\ufffd" },        /* overlong, 3 bytes */
    { "\xed\xa0\x80", 0, "\\ufffd\\ufffd\\ufffd" },        /* surrogate D800 */
    { "\xf4\x90\x80\x80", 0, "\\ufffd\\ufffd\\ufffd\\ufffd" }, /* past U+10FFFF */
    { "x\xe2\x82", 0, "x\\ufffd\\ufffd" },                 /* truncated at the end */
    { "\xff" "ok", 0, "\\ufffdok" },
    { "\xc2\x80", 0, "\xc2\x80" },                         /* U+0080 is valid JSON */
};

static void test_json_escape(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
        capture c;
        size_t len = escape_cases[i].len ? escape_cases[i].len : strlen(escape_cases[i].in);

        capture_open(&c);
        ps_json_escape(c.f, escape_cases[i].in, len);
        assert_string_equal(capture_done(&c), escape_cases[i].want);
        capture_free(&c);
    }
}

/* --- reporters -------------------------------------------------------------- */

static void test_reporter_table(void **state)
{
    (void)state;
    assert_ptr_equal(ps_reporter_find("text"), &ps_reporter_text);
    assert_ptr_equal(ps_reporter_find("json"), &ps_reporter_json);
    assert_ptr_equal(ps_reporter_find("ndjson"), &ps_reporter_ndjson);
    assert_ptr_equal(ps_reporter_find("sarif"), &ps_reporter_sarif);
    assert_null(ps_reporter_find("xml"));
    assert_null(ps_reporter_find(""));
    assert_null(ps_reporter_find(NULL));
    assert_string_equal(ps_reporter_names(), "text, json, ndjson, sarif, html");
}

struct rdef {
    const char *id, *title, *fix;
    ps_category cat;
    ps_severity sev;
};

static const struct rdef rule_defs[] = {
    { "chat-plaintext", "Readable chat messages",
      "Encrypt chat messages at rest with a per-conversation key. Keys belong in a KMS, "
      "not beside the data.",
      PS_CAT_PLAINTEXT_MESSAGE, PS_SEV_CRITICAL },
    { "md5-unsalted", "Unsalted MD5 password hashes",
      "Rehash with Argon2id on next login.\nUntil then, force a reset.",
      PS_CAT_WEAK_PASSWORD_HASH, PS_SEV_HIGH },
    { "key-beside-ciphertext", "Key stored beside the data it protects",
      "Move the key to a KMS or HSM and rotate it; a key next to its ciphertext protects "
      "nothing, as anyone with the folder has both halves of the secret forever.",
      PS_CAT_KEY_EXPOSURE, PS_SEV_CRITICAL },
    { "parent-email", "Parent e-mail addresses in clear", "Encrypt contact columns.",
      PS_CAT_PLAINTEXT_PII, PS_SEV_MEDIUM },
};

static ps_ruleset *make_rules(void)
{
    ps_ruleset *rs;

    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    for (size_t i = 0; i < sizeof(rule_defs) / sizeof(rule_defs[0]); i++) {
        ps_rule r;

        memset(&r, 0, sizeof(r));
        r.id = ps_strdup(rule_defs[i].id);
        r.title = ps_strdup(rule_defs[i].title);
        r.fix = ps_strdup(rule_defs[i].fix);
        r.category = rule_defs[i].cat;
        r.severity = rule_defs[i].sev;
        assert_int_equal(ps_ruleset_add_rule(rs, &r), PS_OK);
    }
    return rs;
}

struct fdef {
    uint32_t rule;
    const char *path;
    ps_loc_kind kind;
    uint64_t line;
    const char *table, *column;
    int64_t row;
    const char *pointer, *evidence, *value;
    uint64_t count;
};

/* Deliberately out of order: the test sorts them as the scanner would. */
static const struct fdef finding_defs[] = {
    { 3, "logs/app.log", PS_LOC_LINE, 12, NULL, NULL, 0, NULL, "j***@e***.com",
      "mail jane.doe@example.com", 3 },
    { 2, "keys/master.key", PS_LOC_NONE, 0, NULL, NULL, 0, NULL, "", NULL, 1 },
    { 1, "db/accounts.sqlite", PS_LOC_CELL, 0, "parents", "password", 1, NULL, "5f4d***",
      "5f4dcc3b5aa765d61d8327deb882cf99", 5 },
    { 0, "kidconnect/chat.jsonl", PS_LOC_LINE, 3, NULL, NULL, 0, "/body",
      "\"Hi gr*** ...\"", "Hi grandma, see you", 42 },
    { 3, "export/parents.csv", PS_LOC_LINE, 2, NULL, "email", 0, NULL, "j***@e***.com",
      "jane.doe@example.com", 1 },
    { 2, "backup/k.pem", PS_LOC_NONE, 0, NULL, NULL, 0, NULL, "", NULL, 1 },
};

static char *opt_dup(const char *s)
{
    return s != NULL ? ps_strdup(s) : NULL;
}

static void add_finding(ps_findings *fs, const ps_ruleset *rs, const struct fdef *d,
                        bool with_value)
{
    ps_finding *f;

    assert_int_equal(ps_grow(&fs->items, &fs->cap, fs->n + 1, sizeof(ps_finding)), PS_OK);
    f = &fs->items[fs->n++];
    memset(f, 0, sizeof(*f));
    f->rule = d->rule;
    f->severity = rs->rules[d->rule].severity;
    f->path = ps_strdup(d->path);
    f->loc_kind = d->kind;
    f->line = d->line;
    f->table = opt_dup(d->table);
    f->column = opt_dup(d->column);
    f->row = d->row;
    f->pointer = opt_dup(d->pointer);
    f->evidence = ps_strdup(d->evidence);
    f->value = with_value ? opt_dup(d->value) : NULL;
    f->count = d->count;
    f->oldest = PS_DAY_NONE; /* no date seen, as ps_agg_hit leaves it */
}

typedef struct fixture {
    ps_ruleset *rs;
    ps_findings fs;
    ps_errors es;
    ps_report r;
} fixture;

static void fixture_init(fixture *x, bool show_values)
{
    memset(x, 0, sizeof(*x));
    x->rs = make_rules();
    for (size_t i = 0; i < sizeof(finding_defs) / sizeof(finding_defs[0]); i++)
        add_finding(&x->fs, x->rs, &finding_defs[i], show_values);
    ps_findings_sort(&x->fs, x->rs);
    assert_int_equal(ps_errors_add(&x->es, "broken.csv", "line 4: unterminated quote"), PS_OK);
    ps_errors_sort(&x->es);
    x->r.tool_name = "plainsight";
    x->r.tool_version = "0.1.0";
    x->r.root = "fixtures/vtech";
    x->r.rules = x->rs;
    x->r.findings = &x->fs;
    x->r.errors = &x->es;
    x->r.files_scanned = 12;
    x->r.bytes_scanned = 1536000;
    x->r.files_skipped = 1;
    x->r.fail_on = PS_SEV_HIGH;
    x->r.show_values = show_values;
}

static void fixture_free(fixture *x)
{
    ps_findings_free(&x->fs);
    ps_errors_free(&x->es);
    ps_ruleset_destroy(x->rs);
}

/* Render with reporter rep and compare to tests/data/report/<expected>. */
static void check_render(const ps_reporter *rep, const ps_report *r, const char *expected)
{
    capture c;
    char *want = read_expected(expected);

    capture_open(&c);
    assert_int_equal(rep->write(c.f, r), PS_OK);
    assert_same_text(capture_done(&c), want);
    capture_free(&c);
    free(want);
}

static void test_report_json_expected(void **state)
{
    fixture x;

    (void)state;
    fixture_init(&x, false);
    check_render(&ps_reporter_json, &x.r, "vtech.json");
    fixture_free(&x);
}

static void test_report_text_expected(void **state)
{
    fixture x;

    (void)state;
    fixture_init(&x, false);
    check_render(&ps_reporter_text, &x.r, "vtech.txt");
    fixture_free(&x);
}

static void test_report_empty(void **state)
{
    ps_findings fs = { 0 };
    ps_errors es = { 0 };
    ps_report r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.tool_name = "plainsight";
    r.tool_version = "0.1.0";
    r.root = ".";
    r.findings = &fs;
    r.errors = &es;
    r.files_scanned = 1;
    r.bytes_scanned = 10;
    check_render(&ps_reporter_json, &r, "empty.json");
    check_render(&ps_reporter_text, &r, "empty.txt");
}

static char *render(const ps_reporter *rep, const ps_report *r)
{
    capture c;
    char *out;

    capture_open(&c);
    assert_int_equal(rep->write(c.f, r), PS_OK);
    capture_done(&c);
    out = c.buf;
    return out;
}

/* Raw values appear only with show_values, and the text report says so first. */
static void test_report_show_values(void **state)
{
    fixture x;
    char *out;

    (void)state;
    fixture_init(&x, false);
    out = render(&ps_reporter_json, &x.r);
    assert_null(strstr(out, "\"value\""));
    assert_null(strstr(out, "grandma"));
    free(out);
    out = render(&ps_reporter_text, &x.r);
    assert_null(strstr(out, "WARNING"));
    assert_null(strstr(out, "grandma"));
    free(out);
    fixture_free(&x);

    fixture_init(&x, true);
    out = render(&ps_reporter_json, &x.r);
    assert_non_null(strstr(out, "      \"evidence\": \"\\\"Hi gr*** ...\\\"\",\n"
                                "      \"count\": 42,\n"
                                "      \"value\": \"Hi grandma, see you\"\n"
                                "    },\n"));
    /* A finding with no value (file scope) still has the key, as null. */
    assert_non_null(strstr(out, "      \"path\": \"backup/k.pem\",\n"
                                "      \"location\": {},\n"
                                "      \"evidence\": \"\",\n"
                                "      \"count\": 1,\n"
                                "      \"value\": null\n"));
    free(out);
    out = render(&ps_reporter_text, &x.r);
    assert_non_null(strstr(out, "under fixtures/vtech\n"
                                "WARNING: this report contains raw values (--show-values): "
                                "it is as sensitive as the data it describes.\n\n"));
    assert_non_null(strstr(out, "      evidence: \"Hi gr*** ...\"  (x42)\n"
                                "      value: Hi grandma, see you\n"
                                "      fix: Encrypt"));
    free(out);
    fixture_free(&x);
}

static void test_report_text_color(void **state)
{
    fixture x;
    char *out;

    (void)state;
    fixture_init(&x, false);
    out = render(&ps_reporter_text, &x.r);
    assert_null(strchr(out, '\033'));
    free(out);

    x.r.color = true;
    out = render(&ps_reporter_text, &x.r);
    assert_non_null(strstr(out, "\n\033[1;31mCRITICAL\033[0m  plaintext-message (1 finding)\n"));
    assert_non_null(strstr(out, "\n\033[31mHIGH\033[0m      weak-password-hash (1 finding)\n"));
    assert_non_null(strstr(out, "\n\033[33mMEDIUM\033[0m    plaintext-pii (2 findings)\n"));
    /* Only headings are coloured: finding lines are plain. */
    assert_non_null(strstr(out, "\n  logs/app.log:12  parent-email  "));
    free(out);

    /* JSON never carries colour. */
    out = render(&ps_reporter_json, &x.r);
    assert_null(strchr(out, '\033'));
    free(out);
    fixture_free(&x);
}

/* Hostile names from the scanned tree: one finding stays one line, JSON stays valid. */
static void test_report_escaping(void **state)
{
    ps_ruleset *rs = make_rules();
    ps_findings fs = { 0 };
    ps_errors es = { 0 };
    ps_report r;
    struct fdef d = { 3, "odd\nname\t\"q\"\\\x1b[2J\xff.csv", PS_LOC_LINE, 2, NULL, "e\nmail", 0,
                      NULL, "j***@e***.com", NULL, 1 };
    char *out;

    (void)state;
    add_finding(&fs, rs, &d, false);
    assert_int_equal(ps_errors_add(&es, "bad\rname", "line 1: bad\x01thing"), PS_OK);
    memset(&r, 0, sizeof(r));
    r.tool_name = "plainsight";
    r.tool_version = "0.1.0";
    r.root = "root\nx";
    r.rules = rs;
    r.findings = &fs;
    r.errors = &es;

    out = render(&ps_reporter_json, &r);
    assert_non_null(strstr(out, "  \"root\": \"root\\nx\",\n"));
    assert_non_null(strstr(out, "      \"path\": \"odd\\nname\\t\\\"q\\\"\\\\\\u001b[2J\\ufffd.csv\",\n"));
    assert_non_null(strstr(out, "        \"column\": \"e\\nmail\"\n"));
    assert_non_null(strstr(out, "      \"path\": \"bad\\rname\",\n"
                                "      \"message\": \"line 1: bad\\u0001thing\"\n"));
    free(out);

    out = render(&ps_reporter_text, &r);
    assert_non_null(strstr(out, " under root\\nx\n"));
    assert_non_null(strstr(out, "\n  odd\\nname\\t\"q\"\\\\\\x1B[2J\\xFF.csv:2 [e\\nmail]  parent-email  "
                                "Parent e-mail addresses in clear\n"));
    assert_non_null(strstr(out, "\n  bad\\rname: line 1: bad\\x01thing\n"));
    assert_null(strchr(out, '\033'));
    assert_null(strchr(out, '\r'));
    free(out);

    ps_findings_free(&fs);
    ps_errors_free(&es);
    ps_ruleset_destroy(rs);
}

/* A stream that cannot be written gives PS_ERR_IO. */
static void test_report_io_error(void **state)
{
    fixture x;
    FILE *ro;

    (void)state;
    ro = fopen("/dev/null", "r");
    assert_non_null(ro);
    fixture_init(&x, false);
    assert_int_equal(ps_reporter_json.write(ro, &x.r), PS_ERR_IO);
    clearerr(ro);
    assert_int_equal(ps_reporter_text.write(ro, &x.r), PS_ERR_IO);
    fclose(ro);
    fixture_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonw_layout),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_reporter_table),
        cmocka_unit_test(test_report_json_expected),
        cmocka_unit_test(test_report_text_expected),
        cmocka_unit_test(test_report_empty),
        cmocka_unit_test(test_report_show_values),
        cmocka_unit_test(test_report_text_color),
        cmocka_unit_test(test_report_escaping),
        cmocka_unit_test(test_report_io_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

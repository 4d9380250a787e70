/*
 * test_report_html.c - the HTML report: escaping of everything that comes
 * from the tree or the rules, redaction, the impact tables and charts,
 * grouping and order, and byte-stable output.
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
#include "report.h"
#include "rules.h"
#include "util.h"

/* --- a hand-built report ---------------------------------------------------- */

typedef struct fixture {
    ps_ruleset *rs;
    ps_findings fs;
    ps_errors es;
    ps_impacts im;
    ps_report rep;
} fixture;

static char *dup_or_null(const char *s)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = ps_strdup(s);
    assert_non_null(d);
    return d;
}

static void add_rule(ps_ruleset *rs, const char *id, const char *title, ps_category cat,
                     ps_severity sev, const char *explain, const char *fix, const char *ref)
{
    ps_rule r;

    memset(&r, 0, sizeof(r));
    r.id = dup_or_null(id);
    r.title = dup_or_null(title);
    r.explain = dup_or_null(explain);
    r.fix = dup_or_null(fix);
    if (ref != NULL) {
        r.refs = calloc(1, sizeof(char *));
        assert_non_null(r.refs);
        r.refs[0] = dup_or_null(ref);
        r.nrefs = 1;
    }
    r.category = cat;
    r.severity = sev;
    assert_int_equal(ps_ruleset_add_rule(rs, &r), PS_OK);
}

/* Appends a finding; returns it so the caller can set the location. */
static ps_finding *add_finding(fixture *fx, uint32_t rule, ps_severity sev, const char *path,
                               const char *evidence, const char *value, uint64_t count)
{
    ps_finding *f;

    assert_int_equal(ps_grow(&fx->fs.items, &fx->fs.cap, fx->fs.n + 1, sizeof(ps_finding)), PS_OK);
    f = &fx->fs.items[fx->fs.n++];
    memset(f, 0, sizeof(*f));
    f->rule = rule;
    f->severity = sev;
    f->path = dup_or_null(path);
    f->evidence = dup_or_null(evidence);
    f->value = dup_or_null(value);
    f->count = count;
    f->oldest = PS_DAY_NONE;
    f->loc_kind = PS_LOC_NONE;
    return f;
}

static void add_store(ps_impacts *im, const char *path, const ps_impact_row *rows, size_t n)
{
    ps_impact *s;

    assert_int_equal(ps_grow(&im->items, &im->cap, im->n + 1, sizeof(ps_impact)), PS_OK);
    s = &im->items[im->n++];
    memset(s, 0, sizeof(*s));
    s->path = dup_or_null(path);
    s->rows = calloc(n > 0 ? n : 1, sizeof(ps_impact_row));
    assert_non_null(s->rows);
    memcpy(s->rows, rows, n * sizeof(ps_impact_row));
    s->nrows = n;
    for (size_t i = 0; i < n; i++) {
        s->parents += rows[i].parents;
        s->children += rows[i].children;
    }
}

/* Frees what add_store allocated (the engine's own free lives with the impact stage). */
static void impacts_release(ps_impacts *im)
{
    for (size_t i = 0; i < im->n; i++) {
        free(im->items[i].path);
        free(im->items[i].rows);
    }
    free(im->items);
    memset(im, 0, sizeof(*im));
}

static const ps_impact_row big_store[] = {
    { "US", 2213, 2894 }, { "France", 869, 1173 }, { "UK", 560, 727 },
    { "Germany", 391, 509 }, { "Canada", 238, 316 }, { "Other", 168, 224 },
    { "Spain", 115, 139 }, { "Belgium", 102, 133 }, { "Netherlands", 101, 125 },
    { "Ireland", 40, 55 }, { "Latin America", 28, 37 }, { "Australia", 18, 23 },
    { "Denmark", 5, 6 }, { "Luxembourg", 4, 5 }, { "New Zealand", 2, 2 },
};

static const ps_impact_row small_store[] = {
    { "US", 1200345, 1500000 }, { "Fr<a>nce \"&\"", 0, 7 }, { "Unknown", 3, 0 },
};

/*
 * Rules: 0 critical plaintext-password, 1 high weak-password-hash,
 * 2 high plaintext-message (with a fix in two paragraphs), 3 medium retention.
 */
static void fixture_build(fixture *fx)
{
    ps_finding *f;

    memset(fx, 0, sizeof(*fx));
    assert_int_equal(ps_ruleset_create(&fx->rs), PS_OK);
    add_rule(fx->rs, "t.password.plain", "Password stored <as> plain text",
             PS_CAT_PLAINTEXT_PASSWORD, PS_SEV_CRITICAL,
             "Anyone who reads\nthe table logs in.\n",
             "Hash with `crypto_pwhash_str`.\n\nThen rotate.\n", "OWASP ASVS 4.0.3 V2.4.1");
    add_rule(fx->rs, "t.password.md5", "Unsalted MD5", PS_CAT_WEAK_PASSWORD_HASH,
             PS_SEV_HIGH, "Fast hashes fall.", "Wrap them.", NULL);
    add_rule(fx->rs, "t.message.plain", "Readable chat", PS_CAT_PLAINTEXT_MESSAGE,
             PS_SEV_HIGH, "Chats are personal.", "Encrypt bodies.", "GDPR Art. 32(1)(a)");
    add_rule(fx->rs, "t.retention", "Kept too long", PS_CAT_RETENTION_EXCEEDED,
             PS_SEV_MEDIUM, "Storage limitation.", "Delete old rows.", NULL);

    /* Sorted as ps_findings_sort would: severity, category, rule id, path. */
    f = add_finding(fx, 0, PS_SEV_CRITICAL, "db/app.sqlite", "hu***", "hunter2", 6000);
    f->loc_kind = PS_LOC_CELL;
    f->table = dup_or_null("kids");
    f->column = dup_or_null("password");
    f->row = 3;
    f = add_finding(fx, 0, PS_SEV_CRITICAL, "test/<script>alert(1)</script>.csv", "se***",
                    "secret", 2);
    f->loc_kind = PS_LOC_LINE;
    f->line = 2;
    f->column = dup_or_null("password");
    f->escalation = "test-data";
    f->reason = "Production data under test/ is copied & shared.";
    f = add_finding(fx, 1, PS_SEV_HIGH, "backup/dump.sql.gz", "5f4d***", NULL, 12);
    f->inner = dup_or_null("dump.sql");
    f->loc_kind = PS_LOC_CELL;
    f->table = dup_or_null("parents");
    f->column = dup_or_null("password");
    f->row = 1;
    f = add_finding(fx, 2, PS_SEV_HIGH, "chat/bad\n\x1b[31mname\xff\xe2\x80\xaetxt.jsonl",
                    "\"Hi gr*** ...\"", "Hi grandma", 42);
    f->loc_kind = PS_LOC_LINE;
    f->line = 3;
    f->pointer = dup_or_null("/body");
    f = add_finding(fx, 3, PS_SEV_MEDIUM, "export/kids.csv", "2015-***", NULL, 9);
    f->loc_kind = PS_LOC_LINE;
    f->line = 7;
    f->oldest = ps_date_from_ymd(2015, 11, 3);

    assert_int_equal(ps_errors_add(&fx->es, "logs/old.log.gz", "truncated gzip stream"), PS_OK);
    add_store(&fx->im, "db/learninglodge.sqlite", big_store,
              sizeof(big_store) / sizeof(big_store[0]));
    add_store(&fx->im, "export/<parents>.csv", small_store,
              sizeof(small_store) / sizeof(small_store[0]));

    fx->rep.tool_name = "plainsight";
    fx->rep.tool_version = "0.1.0";
    fx->rep.root = "fixtures/vtech";
    fx->rep.rules = fx->rs;
    fx->rep.findings = &fx->fs;
    fx->rep.errors = &fx->es;
    fx->rep.impact = &fx->im;
    fx->rep.as_of = "2016-01-01";
    fx->rep.files_scanned = 12345;
    fx->rep.bytes_scanned = 1536000;
    fx->rep.files_skipped = 1;
    fx->rep.fail_on = PS_SEV_HIGH;
}

static void fixture_free(fixture *fx)
{
    ps_findings_free(&fx->fs);
    ps_errors_free(&fx->es);
    impacts_release(&fx->im);
    ps_ruleset_destroy(fx->rs);
}

/* The page for rep, NUL-terminated; free() it. */
static char *render(const ps_report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    assert_int_equal(ps_reporter_html.write(f, rep), PS_OK);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(strlen(buf), len); /* no NUL byte inside */
    return buf;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + k, needle))
        n++;
    return n;
}

/* The text between the first "<div class=\"store\" data-path=\"path\"" and the next store. */
static char *store_part(const char *html, const char *attr_path)
{
    char key[256];
    const char *start, *end;
    char *part;

    snprintf(key, sizeof(key), "<div class=\"store\" data-path=\"%s\"", attr_path);
    start = strstr(html, key);
    assert_non_null(start);
    end = strstr(start + 1, "<div class=\"store\"");
    if (end == NULL)
        end = strstr(start, "</section>");
    assert_non_null(end);
    part = ps_strndup(start, (size_t)(end - start));
    assert_non_null(part);
    return part;
}

/* --- tests ------------------------------------------------------------------ */

static void test_page_shape(void **state)
{
    fixture fx;
    char *html;

    (void)state;
    fixture_build(&fx);
    html = render(&fx.rep);
    assert_true(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    assert_non_null(strstr(html, "</html>\n"));
    assert_non_null(strstr(html, "default-src 'none'"));
    /* Sections in the documented order. */
    assert_true(strstr(html, "id=\"summary\"") < strstr(html, "id=\"impact\""));
    assert_true(strstr(html, "id=\"impact\"") < strstr(html, "id=\"findings\""));
    assert_true(strstr(html, "id=\"findings\"") < strstr(html, "<section id=\"errors\""));
    free(html);
    fixture_free(&fx);
}

/* Markup characters and nasty bytes from paths, rule text and country names. */
static void test_escaping(void **state)
{
    static const struct {
        const char *present; /* must appear */
        const char *absent;  /* must not appear (NULL: no check) */
    } cases[] = {
        { "test/&lt;script&gt;alert(1)&lt;/script&gt;.csv", "<script" },
        { "Password stored &lt;as&gt; plain text", "<as>" },
        { "Production data under test/ is copied &amp; shared.", "copied & shared" },
        { "chat/bad<span class=\"ctl\">\\n</span>", "bad\n" },
        { "<span class=\"ctl\">\\x1B</span>[31m", "\x1b" },
        { "name\xEF\xBF\xBD", "\xff" },
        { "<span class=\"ctl\">\\u202E</span>txt", "\xe2\x80\xae" },
        { "data-country=\"Fr&lt;a&gt;nce &quot;&amp;&quot;\"", "Fr<a>" },
        { "data-path=\"export/&lt;parents&gt;.csv\"", "<parents>" },
        { "&quot;Hi gr*** ...&quot;", NULL },
    };
    fixture fx;
    char *html;

    (void)state;
    fixture_build(&fx);
    html = render(&fx.rep);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (strstr(html, cases[i].present) == NULL)
            fail_msg("case %zu: missing %s", i, cases[i].present);
        if (cases[i].absent != NULL && strstr(html, cases[i].absent) != NULL)
            fail_msg("case %zu: found %s", i, cases[i].absent);
    }
    free(html);
    fixture_free(&fx);
}

/* Apostrophes and quotes in attributes, one byte at a time through a country name. */
static void test_escaping_all_bytes(void **state)
{
    ps_impacts im;
    ps_impact_row row = { NULL, 1, 1 };
    ps_report rep;
    char name[256];
    char *html;
    size_t k = 0;

    (void)state;
    memset(&im, 0, sizeof(im));
    for (int c = 1; c < 256; c++)
        name[k++] = (char)c;
    name[k] = '\0';
    row.country = name;
    add_store(&im, "s", &row, 1);
    memset(&rep, 0, sizeof(rep));
    rep.impact = &im;
    html = render(&rep);
    /* Between the document's own markup, no byte of the name may open a tag or end an attribute. */
    assert_null(strstr(html, "'()"));
    assert_non_null(strstr(html, "&amp;&#39;()"));
    assert_non_null(strstr(html, "&quot;#$%&amp;"));
    assert_non_null(strstr(html, "\\x1F !&quot;"));
    for (const unsigned char *p = (const unsigned char *)html; *p; p++) {
        if (*p < 0x20 && *p != '\n')
            fail_msg("raw control byte 0x%02X in the page", *p);
        if (*p >= 0x80) {
            uint32_t cp;
            size_t len = ps_utf8_seq(p, strlen((const char *)p), &cp);

            if (len == 0)
                fail_msg("invalid UTF-8 in the page");
            p += len - 1;
        }
    }
    free(html);
    impacts_release(&im);
}

static void test_redaction(void **state)
{
    fixture fx;
    char *html;

    (void)state;
    fixture_build(&fx);
    html = render(&fx.rep);
    assert_null(strstr(html, "hunter2"));
    assert_null(strstr(html, "Hi grandma"));
    assert_null(strstr(html, "WARNING"));
    assert_non_null(strstr(html, "<code>hu***</code>"));
    free(html);

    fx.rep.show_values = true;
    html = render(&fx.rep);
    assert_non_null(strstr(html, "hunter2"));
    assert_non_null(strstr(html, "Hi grandma"));
    assert_non_null(strstr(html, "class=\"warning\" role=\"alert\""));
    /* The banner comes before any value. */
    assert_true(strstr(html, "WARNING") < strstr(html, "hunter2"));
    free(html);
    fixture_free(&fx);
}

static void test_impact_tables(void **state)
{
    fixture fx;
    char *html, *part;

    (void)state;
    fixture_build(&fx);
    html = render(&fx.rep);
    part = store_part(html, "db/learninglodge.sqlite");
    assert_int_equal(count_of(part, "<g class=\"bar\" data-country="), 15);
    assert_int_equal(count_of(part, "<tr><td>"), 15);
    assert_non_null(strstr(part, "<tr><td>US</td><td class=\"num\">2,213</td>"
                                 "<td class=\"num\">2,894</td><td class=\"num\">5,107</td></tr>"));
    assert_non_null(strstr(part, "<tfoot><tr><th>Total</th><td class=\"num\">4,854</td>"
                                 "<td class=\"num\">6,368</td><td class=\"num\">11,222</td>"));
    /* Largest value 2,894: ticks every 1,000 up to 3,000; US children bar 2894/3000*400. */
    assert_non_null(strstr(part, ">3,000</text>"));
    assert_null(strstr(part, ">4,000</text>"));
    assert_non_null(strstr(part, "width=\"385.9\""));
    free(part);

    part = store_part(html, "export/&lt;parents&gt;.csv");
    assert_int_equal(count_of(part, "<g class=\"bar\" data-country="), 3);
    assert_non_null(strstr(part, "1,200,345"));
    assert_non_null(strstr(part, "2,700,345")); /* row total */
    /* Largest 1,500,000: step 500,000, top 1,500,000: that bar spans the full width. */
    assert_non_null(strstr(part, ">1,500,000</text>"));
    assert_non_null(strstr(part, "width=\"400.0\""));
    assert_non_null(strstr(part, "width=\"0.0\""));
    free(part);
    free(html);

    fx.rep.impact = NULL;
    html = render(&fx.rep);
    assert_null(strstr(html, "<g class=\"bar\""));
    assert_non_null(strstr(html, "No user store"));
    free(html);
    fixture_free(&fx);
}

/* Long country names are cut in the chart, whole in the table and the tooltip. */
static void test_chart_label_cut(void **state)
{
    static const char longname[] = "\xc3\x8ele de France X\xc3\xa9 r\xc3\xa9gions";
    ps_impacts im;
    ps_impact_row row = { longname, 5, 0 };
    ps_report rep;
    char *html;

    (void)state;
    memset(&im, 0, sizeof(im));
    add_store(&im, "s.sqlite", &row, 1);
    memset(&rep, 0, sizeof(rep));
    rep.impact = &im;
    html = render(&rep);
    /* 16 characters, the last one two bytes long: cut after it, never inside it. */
    assert_non_null(strstr(html, ">\xc3\x8ele de France X\xc3\xa9\xE2\x80\xA6<title>"));
    assert_non_null(strstr(html, "<tr><td>\xc3\x8ele de France X\xc3\xa9 r\xc3\xa9gions</td>"));
    free(html);
    impacts_release(&im);
}

static void test_groups_and_order(void **state)
{
    fixture fx;
    char *html;
    const char *crit, *hash, *msg, *med;

    (void)state;
    fixture_build(&fx);
    html = render(&fx.rep);
    crit = strstr(html, "id=\"critical-plaintext-password\"");
    hash = strstr(html, "id=\"high-weak-password-hash\"");
    msg = strstr(html, "id=\"high-plaintext-message\"");
    med = strstr(html, "id=\"medium-retention-exceeded\"");
    assert_non_null(crit);
    assert_non_null(hash);
    assert_non_null(msg);
    assert_non_null(med);
    assert_true(crit < hash && crit < msg && hash < med && msg < med);
    assert_non_null(strstr(html, "(2 findings)"));
    /* The fix, references and why once per rule and group, not per finding. */
    assert_int_equal(count_of(html, "<details><summary>Why it matters</summary>"), 4);
    assert_int_equal(count_of(html, "How to fix it"), 4);
    assert_non_null(strstr(html, "<p>Hash with <code>crypto_pwhash_str</code>.</p><p>Then rotate.</p>"));
    assert_non_null(strstr(html, "<p>Anyone who reads the table logs in.</p>"));
    assert_non_null(strstr(html, "<li>OWASP ASVS 4.0.3 V2.4.1</li>"));
    assert_int_equal(count_of(html, "<tr class=\"finding\""), 5);
    free(html);
    fixture_free(&fx);
}

static void test_locations_and_extras(void **state)
{
    static const char *const want[] = {
        "<code>db/app.sqlite</code> <span class=\"where\">[<code>kids.password</code> row 3]</span>",
        "<code>backup/dump.sql.gz</code> <span class=\"where\">(<code>dump.sql</code>)</span> "
        "<span class=\"where\">[<code>parents.password</code> row 1]</span>",
        "<span class=\"where\">:3</span> <span class=\"where\"><code>/body</code></span>",
        "<span class=\"where\">:2</span> <span class=\"where\">[<code>password</code>]</span>",
        "Raised to critical by <code>test-data</code>: Production data",
        "<td class=\"num\">6,000</td>",
        "<th class=\"num\">Oldest</th>",
        "<td class=\"num\">2015-11-03</td>",
        "<td><code>logs/old.log.gz</code></td><td>truncated gzip stream</td>",
        ">incomplete<",
        ">2016-01-01<",
        ">12,345<",
        ">1.5 MB<",
        "data-severity=\"critical\">2 critical</span>",
        "data-severity=\"low\">0 low</span>",
    };
    fixture fx;
    char *html;

    (void)state;
    fixture_build(&fx);
    html = render(&fx.rep);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (strstr(html, want[i]) == NULL)
            fail_msg("missing: %s", want[i]);
    }
    /* Only the retention rule's table has an Oldest column. */
    assert_int_equal(count_of(html, "<th class=\"num\">Oldest</th>"), 1);
    free(html);
    fixture_free(&fx);
}

static void test_clean_complete(void **state)
{
    ps_findings fs;
    ps_errors es;
    ps_report rep;
    char *html;

    (void)state;
    memset(&fs, 0, sizeof(fs));
    memset(&es, 0, sizeof(es));
    memset(&rep, 0, sizeof(rep));
    rep.findings = &fs;
    rep.errors = &es;
    html = render(&rep);
    assert_non_null(strstr(html, ">complete<"));
    assert_non_null(strstr(html, "No findings."));
    assert_null(strstr(html, "<section id=\"errors\""));
    assert_null(strstr(html, "As of"));
    assert_non_null(strstr(html, "<p class=\"root\">.</p>"));
    free(html);
}

/* Nothing that a browser would fetch, and the same bytes every time. */
static void test_self_contained_and_stable(void **state)
{
    fixture fx;
    char *a, *b;

    (void)state;
    fixture_build(&fx);
    a = render(&fx.rep);
    b = render(&fx.rep);
    assert_string_equal(a, b);
    assert_null(strstr(a, "http://"));
    assert_null(strstr(a, "https://"));
    assert_null(strstr(a, "src="));
    assert_null(strstr(a, "<script"));
    assert_null(strstr(a, "@import"));
    assert_null(strstr(a, "url("));
    free(a);
    free(b);
    fixture_free(&fx);
}

/* A write error surfaces as PS_ERR_IO. */
static void test_write_error(void **state)
{
    fixture fx;
    FILE *f = fopen("/dev/full", "w");

    (void)state;
    if (f == NULL)
        skip();
    fixture_build(&fx);
    setvbuf(f, NULL, _IONBF, 0);
    assert_int_equal(ps_reporter_html.write(f, &fx.rep), PS_ERR_IO);
    fclose(f);
    fixture_free(&fx);
}

/* HTML_DEMO=FILE writes the fixture report there, to look at in a browser. */
static void write_demo(void)
{
    const char *path = getenv("HTML_DEMO");
    fixture fx;
    FILE *f;

    if (path == NULL)
        return;
    f = fopen(path, "w");
    if (f == NULL)
        return;
    fixture_build(&fx);
    fx.rep.show_values = getenv("HTML_DEMO_VALUES") != NULL;
    if (ps_reporter_html.write(f, &fx.rep) != PS_OK)
        fputs("demo write failed\n", stderr);
    fclose(f);
    fixture_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_shape),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_escaping_all_bytes),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_impact_tables),
        cmocka_unit_test(test_chart_label_cut),
        cmocka_unit_test(test_groups_and_order),
        cmocka_unit_test(test_locations_and_extras),
        cmocka_unit_test(test_clean_complete),
        cmocka_unit_test(test_self_contained_and_stable),
        cmocka_unit_test(test_write_error),
    };

    write_demo();
    return cmocka_run_group_tests(tests, NULL, NULL);
}

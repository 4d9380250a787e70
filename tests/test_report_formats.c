/*
 * test_report_formats.c - the NDJSON and SARIF reports, and the fields the
 * impact, retention and escalation stages added to the JSON and text
 * reports.  A small hand-built report is compared byte for byte with
 * hand-written files in tests/data/report/ (small.json, small.txt,
 * small.ndjson, small.sarif; the SARIF fingerprints there were computed
 * with Python's hashlib.blake2b, not by this code); the other cases check
 * one property each: URI encoding, fingerprint stability, level mapping,
 * the rule list, and that values never reach a SARIF file.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "date.h"
#include "findings.h"
#include "report.h"
#include "rules.h"
#include "util.h"

/* --- output capture and expected files ------------------------------------ */

static char *render(const ps_reporter *rep, const ps_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    assert_int_equal(rep->write(f, r), PS_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
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

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("missing: %s\n--- in ---\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle) != NULL)
        fail_msg("unexpected: %s", needle);
}

/* --- building reports ------------------------------------------------------ */

struct rdef {
    const char *id, *title, *explain, *fix;
    const char *refs[3];
    ps_category cat;
    ps_severity sev;
};

/* Deliberately not in id order: SARIF must sort the rules it lists. */
static const struct rdef small_rules[] = {
    { "vtech.pii.email", "Parent e-mail addresses in clear",
      "Anyone who reads the file can write to every parent.", "Encrypt contact columns.",
      { "https://ico.org.uk/", "GDPR Art. 32", NULL }, PS_CAT_PLAINTEXT_PII, PS_SEV_MEDIUM },
    /* Block scalars end with a newline in YAML: SARIF texts drop it. */
    { "vtech.chat.plaintext", "Readable chat messages",
      "Children's messages are readable by anyone with the file.\n",
      "Encrypt chat messages at rest.\n", { NULL }, PS_CAT_PLAINTEXT_MESSAGE, PS_SEV_CRITICAL },
    { "vtech.retention.chat", "Chat kept past retention", NULL,
      "Delete messages older than the policy.", { "Policy \"90 days\"", NULL },
      PS_CAT_RETENTION_EXCEEDED, PS_SEV_LOW },
    { "vtech.unused", "Never fires", "Not in any finding.", "Nothing.", { NULL },
      PS_CAT_WEAK_ENCRYPTION, PS_SEV_INFO },
};

#define NO_DAY PS_DAY_NONE
#define DAY_2014_03_02 16131 /* (date(2014,3,2) - date(1970,1,1)).days */

struct fdef {
    uint32_t rule;
    ps_severity sev;
    const char *path, *inner;
    ps_loc_kind kind;
    uint64_t line;
    const char *table, *column;
    int64_t row;
    const char *pointer, *evidence, *value;
    uint64_t count;
    int32_t oldest;
    const char *escalation, *reason;
};

/* Out of order on purpose: the fixture sorts them as the scanner does. */
static const struct fdef small_findings[] = {
    { 2, PS_SEV_LOW, "kidconnect/chat 2015.jsonl", NULL, PS_LOC_LINE, 1, NULL, NULL, 0, "/sent",
      "20***", "2014-03-02", 7, DAY_2014_03_02, NULL, NULL },
    { 0, PS_SEV_MEDIUM, "db/learninglodge.sqlite", NULL, PS_LOC_CELL, 0, "parents", "email", 3,
      NULL, "j***@e***.com", "jane@example.com", 5, NO_DAY, NULL, NULL },
    { 1, PS_SEV_CRITICAL, "kidconnect/chat 2015.jsonl", NULL, PS_LOC_LINE, 3, NULL, NULL, 0,
      "/messages/0/body", "\"Hi gr*** ...\"", "Hi grandma, see you", 42, NO_DAY, NULL, NULL },
    { 0, PS_SEV_HIGH, "staging/parents.csv", NULL, PS_LOC_LINE, 2, NULL, "email", 0, NULL,
      "j***@e***.com", "jane@example.com", 1, NO_DAY, "staging-data",
      "Production personal data outside production." },
    { 0, PS_SEV_MEDIUM, "backup/x.sql.gz", "x.sql", PS_LOC_CELL, 0, "parents", "email", 3, NULL,
      "m***@e***.org", "mia@example.org", 2, NO_DAY, NULL, NULL },
};

static ps_impact_row store1_rows[] = {
    { "US", 2213, 2894 },
    { "France", 1641, 2174 },
    { "Unknown", 1000, 1300 },
};
static ps_impact_row store2_rows[] = {
    { "Latin America", 1234567, 12 },
};
static ps_impact small_stores[] = {
    { (char *)"db/learninglodge.sqlite", store1_rows, 3, 4854, 6368 },
    { (char *)"export", store2_rows, 1, 1234567, 12 },
};

typedef struct fixture {
    ps_ruleset *rs;
    ps_findings fs;
    ps_errors es;
    ps_impacts im;
    ps_report r;
} fixture;

static char *opt_dup(const char *s)
{
    return s != NULL ? ps_strdup(s) : NULL;
}

static ps_ruleset *make_rules(const struct rdef *defs, size_t n)
{
    ps_ruleset *rs;

    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    for (size_t i = 0; i < n; i++) {
        ps_rule r;
        size_t nrefs = 0;

        memset(&r, 0, sizeof(r));
        r.id = ps_strdup(defs[i].id);
        r.title = ps_strdup(defs[i].title);
        r.explain = opt_dup(defs[i].explain);
        r.fix = opt_dup(defs[i].fix);
        while (nrefs < 3 && defs[i].refs[nrefs] != NULL)
            nrefs++;
        if (nrefs > 0) {
            r.refs = calloc(nrefs, sizeof(char *));
            assert_non_null(r.refs);
            for (size_t k = 0; k < nrefs; k++)
                r.refs[k] = ps_strdup(defs[i].refs[k]);
            r.nrefs = nrefs;
        }
        r.category = defs[i].cat;
        r.severity = defs[i].sev;
        assert_int_equal(ps_ruleset_add_rule(rs, &r), PS_OK);
    }
    return rs;
}

static void add_finding(ps_findings *fs, const struct fdef *d, bool with_value)
{
    ps_finding *f;

    assert_int_equal(ps_grow(&fs->items, &fs->cap, fs->n + 1, sizeof(ps_finding)), PS_OK);
    f = &fs->items[fs->n++];
    memset(f, 0, sizeof(*f));
    f->rule = d->rule;
    f->severity = d->sev;
    f->path = ps_strdup(d->path);
    f->inner = opt_dup(d->inner);
    f->loc_kind = d->kind;
    f->line = d->line;
    f->table = opt_dup(d->table);
    f->column = opt_dup(d->column);
    f->row = d->row;
    f->pointer = opt_dup(d->pointer);
    f->evidence = ps_strdup(d->evidence);
    f->value = with_value ? opt_dup(d->value) : NULL;
    f->count = d->count;
    f->oldest = d->oldest;
    f->escalation = d->escalation;
    f->reason = d->reason;
}

static void report_init(fixture *x)
{
    x->r.tool_name = "plainsight";
    x->r.tool_version = "0.2.0";
    x->r.root = "/srv/plainsight test/data";
    x->r.rules = x->rs;
    x->r.findings = &x->fs;
    x->r.errors = &x->es;
    x->r.impact = &x->im;
}

/* The report of tests/data/report/small.*. */
static void small_init(fixture *x, bool show_values)
{
    memset(x, 0, sizeof(*x));
    x->rs = make_rules(small_rules, sizeof(small_rules) / sizeof(small_rules[0]));
    for (size_t i = 0; i < sizeof(small_findings) / sizeof(small_findings[0]); i++)
        add_finding(&x->fs, &small_findings[i], show_values);
    ps_findings_sort(&x->fs, x->rs);
    assert_int_equal(ps_errors_add(&x->es, "broken.csv", "line 4: unterminated quote"), PS_OK);
    /* Borrowed static stores: x->im is never freed. */
    x->im.items = small_stores;
    x->im.n = x->im.cap = sizeof(small_stores) / sizeof(small_stores[0]);
    report_init(x);
    x->r.as_of = "2024-01-01";
    x->r.files_scanned = 4;
    x->r.bytes_scanned = 2048;
    x->r.show_values = show_values;
}

/* A report of the small rules with the findings given, no errors, no impact. */
static void custom_init(fixture *x, const struct fdef *defs, size_t n)
{
    memset(x, 0, sizeof(*x));
    x->rs = make_rules(small_rules, sizeof(small_rules) / sizeof(small_rules[0]));
    for (size_t i = 0; i < n; i++)
        add_finding(&x->fs, &defs[i], false);
    ps_findings_sort(&x->fs, x->rs);
    report_init(x);
}

static void fixture_free(fixture *x)
{
    ps_findings_free(&x->fs);
    ps_errors_free(&x->es);
    ps_ruleset_destroy(x->rs);
}

static void check_render(const ps_reporter *rep, const ps_report *r, const char *expected)
{
    char *got = render(rep, r);
    char *want = read_expected(expected);

    assert_same_text(got, want);
    free(got);
    free(want);
}

/* --- whole reports against hand-written files ------------------------------ */

static void test_small_expected(void **state)
{
    static const struct {
        const ps_reporter *rep;
        const char *file;
    } cases[] = {
        { &ps_reporter_json, "small.json" },
        { &ps_reporter_text, "small.txt" },
        { &ps_reporter_ndjson, "small.ndjson" },
        { &ps_reporter_sarif, "small.sarif" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture x;

        small_init(&x, false);
        check_render(cases[i].rep, &x.r, cases[i].file);
        fixture_free(&x);
    }
}

/* --- NDJSON ----------------------------------------------------------------- */

/* Every line one object, "type" first, in the order finding*, error*, impact*, summary. */
static void test_ndjson_lines(void **state)
{
    static const char *const want_types[] = {
        "finding", "finding", "finding", "finding", "finding", "error", "impact", "impact", "summary",
    };
    fixture x;
    char *out;
    const char *p;
    size_t n = 0;

    (void)state;
    small_init(&x, false);
    out = render(&ps_reporter_ndjson, &x.r);
    for (p = out; *p != '\0'; n++) {
        size_t len = strcspn(p, "\n");
        char prefix[64];

        assert_true(n < sizeof(want_types) / sizeof(want_types[0]));
        snprintf(prefix, sizeof(prefix), "{\"type\":\"%s\",", want_types[n]);
        assert_true(len > strlen(prefix));
        assert_memory_equal(p, prefix, strlen(prefix));
        assert_int_equal(p[len - 1], '}');
        assert_int_equal(p[len], '\n'); /* every line ends with a newline, the last too */
        p += len + 1;
    }
    assert_int_equal(n, sizeof(want_types) / sizeof(want_types[0]));
    free(out);
    fixture_free(&x);
}

/* Nothing found, nothing broken: exactly one line, the summary. */
static void test_ndjson_empty(void **state)
{
    ps_findings fs = { 0 };
    ps_errors es = { 0 };
    ps_report r;
    char *out;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.findings = &fs;
    r.errors = &es;
    r.files_scanned = 1;
    out = render(&ps_reporter_ndjson, &r);
    assert_string_equal(out, "{\"type\":\"summary\",\"files_scanned\":1,\"bytes_scanned\":0,"
                             "\"files_skipped\":0,\"findings\":0,\"errors\":0,\"by_severity\":"
                             "{\"critical\":0,\"high\":0,\"medium\":0,\"low\":0,\"info\":0},"
                             "\"complete\":true}\n");
    free(out);
}

/* --- SARIF ------------------------------------------------------------------ */

static const struct {
    const char *path, *uri;
} uri_cases[] = {
    { "export/parents.csv", "export/parents.csv" },
    { "my photos/a b.jpg", "my%20photos/a%20b.jpg" },
    { "logs/x\ny.log", "logs/x%0Ay.log" },
    { "100%.csv", "100%25.csv" },
    { "Zo\xc3\xab/\xc3\xa9t\xc3\xa9.txt", "Zo%C3%AB/%C3%A9t%C3%A9.txt" },
    { "bad\xff.bin", "bad%FF.bin" },
    { "a+b&c=d#e?f;g:h@i", "a%2Bb%26c%3Dd%23e%3Ff%3Bg%3Ah%40i" },
    { "~u/-._!*'()\"\\", "~u/-._%21%2A%27%28%29%22%5C" },
};

/* Paths become RFC 3986 path references: unreserved and '/' pass, all else is %XX. */
static void test_sarif_uri_encoding(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
        struct fdef d = { 0, PS_SEV_MEDIUM, uri_cases[i].path, NULL, PS_LOC_NONE, 0, NULL, NULL,
                          0, NULL, "", NULL, 1, NO_DAY, NULL, NULL };
        fixture x;
        char want[256];
        char *out;

        custom_init(&x, &d, 1);
        assert_int_equal(ps_errors_add(&x.es, uri_cases[i].path, "cannot read"), PS_OK);
        out = render(&ps_reporter_sarif, &x.r);
        snprintf(want, sizeof(want), "\"uri\": \"%s\",\n", uri_cases[i].uri);
        /* Once in the result, once in the error notification. */
        assert_non_null(strstr(out, want));
        assert_non_null(strstr(strstr(out, want) + 1, want));
        free(out);
        fixture_free(&x);
    }
}

/* %SRCROOT% is absolute, encoded, with a trailing slash, whatever root was given. */
static void test_sarif_root_uri(void **state)
{
    char dir[] = "/tmp/ps sarif root \xc3\xbc.XXXXXX";
    char cwd[PATH_MAX], file[PATH_MAX + 16], *real;
    char want[3 * PATH_MAX];
    fixture x;
    char *out;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    real = realpath(dir, NULL);
    assert_non_null(real);
    assert_non_null(getcwd(cwd, sizeof(cwd)));

    custom_init(&x, NULL, 0);
    /* A directory that exists: its real path. */
    x.r.root = dir;
    out = render(&ps_reporter_sarif, &x.r);
    if (strcmp(real, dir) == 0) /* /tmp is not a link here: the name is known */
        assert_contains(out, "\"uri\": \"file:///tmp/ps%20sarif%20root%20%C3%BC.");
    assert_contains(out, "/\"\n        }\n      },\n      \"results\"");
    free(out);

    /* A file root: paths are as given, so the base is the working directory. */
    snprintf(file, sizeof(file), "%s/f.log", dir);
    f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    x.r.root = file;
    out = render(&ps_reporter_sarif, &x.r);
    snprintf(want, sizeof(want), "\"uri\": \"file://%s%s\"", cwd, strcmp(cwd, "/") != 0 ? "/" : "");
    if (strpbrk(cwd, " %#?") == NULL) /* only compare when cwd needs no escaping */
        assert_contains(out, want);
    free(out);

    /* A root that is gone: made absolute lexically, never a failure. */
    x.r.root = "/no such dir/x";
    out = render(&ps_reporter_sarif, &x.r);
    assert_contains(out, "\"uri\": \"file:///no%20such%20dir/x/\"");
    free(out);
    x.r.root = "/";
    out = render(&ps_reporter_sarif, &x.r);
    assert_contains(out, "\"uri\": \"file:///\"");
    free(out);

    assert_int_equal(remove(file), 0);
    assert_int_equal(rmdir(dir), 0);
    free(real);
    fixture_free(&x);
}

/* The fingerprint of the first result of a one-finding report, into fp[33]. */
static void fingerprint_of(const struct fdef *d, char fp[33])
{
    static const char key[] = "\"plainsightFindingHash/v1\": \"";
    fixture x;
    char *out;
    const char *p;

    custom_init(&x, d, 1);
    out = render(&ps_reporter_sarif, &x.r);
    p = strstr(out, key);
    assert_non_null(p);
    p += strlen(key);
    assert_int_equal(strspn(p, "0123456789abcdef"), 32);
    assert_int_equal(p[32], '"');
    memcpy(fp, p, 32);
    fp[32] = '\0';
    free(out);
    fixture_free(&x);
}

/* Fingerprints follow the place, not the line, the row, the count or the value. */
static void test_sarif_fingerprint(void **state)
{
    static const struct fdef base = {
        0, PS_SEV_MEDIUM, "logs/app.log", NULL, PS_LOC_LINE, 12, NULL, "email", 0,
        "/users/0/email", "j***@e***.com", NULL, 3, NO_DAY, NULL, NULL
    };
    struct {
        const char *what;
        struct fdef d;
        bool same;
    } cases[] = {
        { "line", base, true },
        { "pointer index", base, true },
        { "count and evidence", base, true },
        { "severity", base, true },
        { "pointer field", base, false },
        { "column (no pointer)", base, false },
        { "path", base, false },
        { "inner", base, false },
        { "rule", base, false },
    };
    char want[33], got[33];

    (void)state;
    cases[0].d.line = 15;
    cases[1].d.pointer = "/users/17/email";
    cases[2].d.count = 9;
    cases[2].d.evidence = "k***@e***.com";
    cases[3].d.sev = PS_SEV_HIGH;
    cases[4].d.pointer = "/users/0/phone";
    cases[5].d.pointer = NULL;
    cases[6].d.path = "logs/app.log.1";
    cases[7].d.inner = "app.log";
    cases[8].d.rule = 1;
    fingerprint_of(&base, want);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fingerprint_of(&cases[i].d, got);
        if (cases[i].same != (strcmp(got, want) == 0))
            fail_msg("%s: fingerprint %s %s", cases[i].what, got,
                     cases[i].same ? "changed" : "did not change");
    }

    /* A database column: the row never counts, the column does. */
    {
        struct fdef a = { 0, PS_SEV_MEDIUM, "db.sqlite", NULL, PS_LOC_CELL, 0, "parents", "email", 1,
                          NULL, "", NULL, 1, NO_DAY, NULL, NULL };
        struct fdef b = a, c = a;

        b.row = 900;
        c.column = "email2";
        fingerprint_of(&a, want);
        fingerprint_of(&b, got);
        assert_string_equal(got, want);
        fingerprint_of(&c, got);
        assert_string_not_equal(got, want);
    }
}

/* critical/high -> error, medium -> warning, low/info -> note; the rule's default likewise. */
static void test_sarif_levels(void **state)
{
    static const struct {
        ps_severity sev;
        const char *level, *score;
    } cases[] = {
        { PS_SEV_CRITICAL, "error", "9.5" },
        { PS_SEV_HIGH, "error", "8.0" },
        { PS_SEV_MEDIUM, "warning", "5.5" },
        { PS_SEV_LOW, "note", "3.0" },
        { PS_SEV_INFO, "note", "1.0" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rdef rd = { "r.one", "One", NULL, "Fix it.", { NULL }, PS_CAT_PLAINTEXT_PII,
                           cases[i].sev };
        /* The finding is one level above the rule (escalated): each level is checked apart. */
        ps_severity fsev = cases[i].sev == PS_SEV_CRITICAL ? PS_SEV_CRITICAL
                                                          : (ps_severity)(cases[i].sev + 1);
        struct fdef d = { 0, PS_SEV_INFO, "a.txt", NULL, PS_LOC_LINE, 1, NULL, NULL, 0, NULL,
                          "", NULL, 1, NO_DAY, NULL, NULL };
        fixture x;
        char want[128];
        char *out;

        memset(&x, 0, sizeof(x));
        x.rs = make_rules(&rd, 1);
        d.sev = cases[i].sev;
        add_finding(&x.fs, &d, false);
        report_init(&x);
        out = render(&ps_reporter_sarif, &x.r);
        snprintf(want, sizeof(want), "\"defaultConfiguration\": {\n"
                                     "                \"level\": \"%s\"\n", cases[i].level);
        assert_contains(out, want);
        snprintf(want, sizeof(want), "\"security-severity\": \"%s\"", cases[i].score);
        assert_contains(out, want);
        snprintf(want, sizeof(want), "\"ruleIndex\": 0,\n          \"level\": \"%s\",",
                 cases[i].level);
        assert_contains(out, want);
        free(out);

        /* The result follows the finding's (raised) severity, the rule keeps its own. */
        x.fs.items[0].severity = fsev;
        out = render(&ps_reporter_sarif, &x.r);
        snprintf(want, sizeof(want), "\"ruleIndex\": 0,\n          \"level\": \"%s\",",
                 fsev >= PS_SEV_HIGH ? "error" : fsev == PS_SEV_MEDIUM ? "warning" : "note");
        assert_contains(out, want);
        snprintf(want, sizeof(want), "\"security-severity\": \"%s\"", cases[i].score);
        assert_contains(out, want);
        free(out);
        fixture_free(&x);
    }
}

/*
 * Only rules that fired are listed, sorted by id, and ruleIndex points into
 * that list.  The retention finding is raised to critical so that it comes
 * first among the results while its rule comes second in the list.
 */
static void test_sarif_rules_fired(void **state)
{
    static const struct fdef defs[] = {
        { 2, PS_SEV_CRITICAL, "b.jsonl", NULL, PS_LOC_LINE, 1, NULL, NULL, 0, "/sent", "20***", NULL, 1,
          NO_DAY, NULL, NULL },
        { 0, PS_SEV_MEDIUM, "a.csv", NULL, PS_LOC_LINE, 2, NULL, "email", 0, NULL, "", NULL, 1,
          NO_DAY, NULL, NULL },
    };
    fixture x;
    char *out;
    const char *pii, *ret;

    (void)state;
    custom_init(&x, defs, 2);
    out = render(&ps_reporter_sarif, &x.r);
    assert_lacks(out, "vtech.unused");
    assert_lacks(out, "vtech.chat.plaintext");
    pii = strstr(out, "\"id\": \"vtech.pii.email\"");
    ret = strstr(out, "\"id\": \"vtech.retention.chat\"");
    assert_non_null(pii);
    assert_non_null(ret);
    assert_true(pii < ret);
    assert_true(strstr(out, "\"ruleId\": \"vtech.retention.chat\"") <
                strstr(out, "\"ruleId\": \"vtech.pii.email\""));
    assert_contains(out, "\"ruleId\": \"vtech.pii.email\",\n          \"ruleIndex\": 0,");
    assert_contains(out, "\"ruleId\": \"vtech.retention.chat\",\n          \"ruleIndex\": 1,");
    assert_contains(out, "\"name\": \"VtechPiiEmail\"");
    free(out);
    fixture_free(&x);

    /* No findings: an empty rule list and results, and a successful execution. */
    custom_init(&x, NULL, 0);
    out = render(&ps_reporter_sarif, &x.r);
    assert_contains(out, "\"rules\": []");
    assert_contains(out, "\"results\": []");
    assert_contains(out, "\"executionSuccessful\": true,\n          \"toolExecutionNotifications\": []");
    free(out);
    fixture_free(&x);
}

/* SARIF goes to third parties: raw values never, even with --show-values. */
static void test_sarif_no_values(void **state)
{
    fixture x;
    char *out;

    (void)state;
    small_init(&x, true);
    out = render(&ps_reporter_sarif, &x.r);
    assert_lacks(out, "grandma");
    assert_lacks(out, "jane@example.com");
    assert_lacks(out, "mia@example.org");
    assert_contains(out, "evidence: m***@e***.org");
    free(out);
    /* The JSON formats do carry them then, as documented. */
    out = render(&ps_reporter_ndjson, &x.r);
    assert_contains(out, "\"value\":\"Hi grandma, see you\"");
    free(out);
    fixture_free(&x);
}

/* --- new finding fields in JSON and text ----------------------------------- */

/* oldest alone (no evidence, one hit), an escalation without a reason, inner on a line. */
static void test_new_fields_edges(void **state)
{
    static const struct fdef defs[] = {
        { 2, PS_SEV_LOW, "mail/old.mbox", NULL, PS_LOC_NONE, 0, NULL, NULL, 0, NULL, "", NULL, 1,
          0, NULL, NULL },
        { 0, PS_SEV_HIGH, "logs/app.log.gz", "app.log", PS_LOC_LINE, 12, NULL, NULL, 0, NULL,
          "j***@e***.com", NULL, 1, NO_DAY, "test-data", NULL },
        /* A rule about whole rows: a table, no column. */
        { 1, PS_SEV_CRITICAL, "db/x.sqlite", NULL, PS_LOC_CELL, 0, "kids", NULL, 4, NULL, "",
          NULL, 3, NO_DAY, NULL, NULL },
    };
    fixture x;
    char *out;

    (void)state;
    custom_init(&x, defs, 3);
    out = render(&ps_reporter_text, &x.r);
    assert_contains(out, "\n  mail/old.mbox  vtech.retention.chat  Chat kept past retention\n"
                         "      oldest: 1970-01-01\n"
                         "      fix: ");
    assert_contains(out, "\n  logs/app.log.gz (app.log):12  vtech.pii.email  "
                         "Parent e-mail addresses in clear\n"
                         "      evidence: j***@e***.com\n"
                         "      raised: test-data\n");
    assert_contains(out, "\n  db/x.sqlite [kids row 4]  vtech.chat.plaintext  ");
    assert_lacks(out, "Impact:");
    free(out);

    out = render(&ps_reporter_json, &x.r);
    assert_contains(out, "      \"location\": {\n"
                         "        \"inner\": \"app.log\",\n"
                         "        \"line\": 12\n"
                         "      },\n");
    assert_contains(out, "      \"escalated\": {\n"
                         "        \"by\": \"test-data\",\n"
                         "        \"reason\": \"\"\n"
                         "      }\n");
    assert_contains(out, "      \"count\": 1,\n      \"oldest\": \"1970-01-01\"\n");
    assert_contains(out, "  \"impact\": [],\n");
    assert_lacks(out, "as_of");
    free(out);

    out = render(&ps_reporter_sarif, &x.r);
    assert_contains(out, "\"text\": \"Chat kept past retention (1 occurrence); oldest: 1970-01-01\"");
    assert_contains(out, "\"text\": \"Parent e-mail addresses in clear (1 occurrence) in app.log; "
                         "evidence: j***@e***.com; severity raised (test-data)\"");
    assert_contains(out, "\"fullyQualifiedName\": \"kids\",");
    free(out);

    /* No impact at all (NULL) is the same as an empty list. */
    x.r.impact = NULL;
    out = render(&ps_reporter_json, &x.r);
    assert_contains(out, "  \"impact\": [],\n");
    free(out);
    fixture_free(&x);
}

/* Thousands separators and the name column, for the edges of the breach table. */
static void test_text_impact_numbers(void **state)
{
    static const struct {
        const char *country;
        uint64_t parents, children;
        const char *want_row;
    } cases[] = {
        { "US", 0, 0, "    US                       0          0          0\n" },
        { "UK", 999, 1, "    UK                     999          1      1,000\n" },
        { "Canada", 1000, 999999, "    Canada               1,000    999,999  1,000,999\n" },
        /* Names longer than the column push it, never touch the numbers. */
        { "Republic of Korea", 12, 3, "    Republic of Korea         12          3         15\n" },
        /* Width counts characters, not bytes. */
        { "C\xc3\xb4te d'Ivoire", 5, 5, "    C\xc3\xb4te d'Ivoire" "            5          5         10\n" },
        /* Control characters from a store are escaped like any other string. */
        { "X\033[2J", 1, 1, "    X\\x1B[2J" },
        { "Max", UINT64_MAX, 1,
          "    Max             18,446,744,073,709,551,615          1 "
          "18,446,744,073,709,551,615\n" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ps_impact_row row = { cases[i].country, cases[i].parents, cases[i].children };
        ps_impact store = { (char *)"db/x.sqlite", &row, 1, cases[i].parents, cases[i].children };
        fixture x;
        char *out;

        custom_init(&x, NULL, 0);
        x.im.items = &store;
        x.im.n = x.im.cap = 1;
        out = render(&ps_reporter_text, &x.r);
        assert_contains(out, "\nImpact: exposed people by country\n  db/x.sqlite\n"
                             "    Country            Parents   Children      Total\n");
        assert_contains(out, cases[i].want_row);
        assert_lacks(out, "\033");
        free(out);
        fixture_free(&x);
    }
}

/* --- errors ----------------------------------------------------------------- */

/* A stream that cannot be written gives PS_ERR_IO. */
static void test_formats_io_error(void **state)
{
    const ps_reporter *reps[] = { &ps_reporter_ndjson, &ps_reporter_sarif, &ps_reporter_json,
                                  &ps_reporter_text };
    fixture x;

    (void)state;
    small_init(&x, false);
    for (size_t i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
        FILE *ro = fopen("/dev/null", "r");

        assert_non_null(ro);
        assert_int_equal(reps[i]->write(ro, &x.r), PS_ERR_IO);
        fclose(ro);
    }
    fixture_free(&x);
}

/* Hostile strings stay inside their JSON strings in SARIF too. */
static void test_sarif_escaping(void **state)
{
    struct rdef rd = { "odd\"id", "Title\nwith \x1b[2J", NULL, "Fix \\ it.", { NULL },
                       PS_CAT_PLAINTEXT_PII, PS_SEV_HIGH };
    struct fdef d = { 0, PS_SEV_HIGH, "a.csv", NULL, PS_LOC_LINE, 2, NULL, "e\"mail", 0, NULL,
                      "\"q\"", NULL, 1, NO_DAY, NULL, NULL };
    fixture x;
    char *out;

    (void)state;
    memset(&x, 0, sizeof(x));
    x.rs = make_rules(&rd, 1);
    add_finding(&x.fs, &d, false);
    report_init(&x);
    out = render(&ps_reporter_sarif, &x.r);
    assert_contains(out, "\"id\": \"odd\\\"id\"");
    assert_contains(out, "\"name\": \"OddId\"");
    assert_contains(out, "\"text\": \"Title\\nwith \\u001b[2J (1 occurrence); evidence: \\\"q\\\"\"");
    assert_contains(out, "\"fullyQualifiedName\": \"e\\\"mail\"");
    assert_lacks(out, "\033");
    free(out);
    fixture_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_expected),
        cmocka_unit_test(test_ndjson_lines),
        cmocka_unit_test(test_ndjson_empty),
        cmocka_unit_test(test_sarif_uri_encoding),
        cmocka_unit_test(test_sarif_root_uri),
        cmocka_unit_test(test_sarif_fingerprint),
        cmocka_unit_test(test_sarif_levels),
        cmocka_unit_test(test_sarif_rules_fired),
        cmocka_unit_test(test_sarif_no_values),
        cmocka_unit_test(test_new_fields_edges),
        cmocka_unit_test(test_text_impact_numbers),
        cmocka_unit_test(test_formats_io_error),
        cmocka_unit_test(test_sarif_escaping),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

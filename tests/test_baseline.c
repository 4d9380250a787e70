/*
 * test_baseline.c - keyed fingerprints of findings, the baseline file
 * (write, load, strict validation) and filtering findings through it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline.h"
#include "findings.h"
#include "rules.h"
#include "scratch.h"
#include "util.h"

/* --- fixtures --------------------------------------------------------------- */

static char tmpdir[256];

static int group_setup(void **state)
{
    (void)state;
    return ps_scratch_make(tmpdir, sizeof(tmpdir), "test_baseline");
}

static int group_teardown(void **state)
{
    (void)state;
    return ps_scratch_remove(tmpdir);
}

/* A path inside the test directory (one static buffer per slot). */
static const char *tmp_path(const char *name)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];

    snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
    return b;
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The whole file as a NUL-terminated string; *n receives its length. */
static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);
    size_t got;

    assert_non_null(f);
    assert_non_null(buf);
    got = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[got] = '\0';
    if (n != NULL)
        *n = got;
    return buf;
}

static const char *const rule_ids[] = {
    "vtech.media.photo", "vtech.pii.email", "vtech.chat.plaintext", "vtech.password.plaintext"
};
#define NRULES (sizeof(rule_ids) / sizeof(rule_ids[0]))

/* A rule set with the rules of rule_ids, in the given order of indices. */
static ps_ruleset *make_rules(const size_t *order)
{
    ps_ruleset *rs;

    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    for (size_t i = 0; i < NRULES; i++) {
        ps_rule r;

        memset(&r, 0, sizeof(r));
        r.id = ps_strdup(rule_ids[order != NULL ? order[i] : i]);
        r.title = ps_strdup("title");
        r.fix = ps_strdup("fix");
        r.category = PS_CAT_PLAINTEXT_PII;
        r.severity = PS_SEV_HIGH;
        assert_int_equal(ps_ruleset_add_rule(rs, &r), PS_OK);
    }
    return rs;
}

/* Where a finding is: the members a test varies. */
struct place {
    uint32_t rule;
    const char *path, *inner, *table, *column, *pointer;
    uint64_t line;
};

static char *dup_or_null(const char *s)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = ps_strdup(s);
    assert_non_null(d);
    return d;
}

/* An owned finding at p, with some evidence and a count. */
static ps_finding make_finding(const struct place *p)
{
    ps_finding f;

    memset(&f, 0, sizeof(f));
    f.rule = p->rule;
    f.severity = PS_SEV_HIGH;
    f.path = dup_or_null(p->path);
    f.inner = dup_or_null(p->inner);
    f.table = dup_or_null(p->table);
    f.column = dup_or_null(p->column);
    f.pointer = dup_or_null(p->pointer);
    f.loc_kind = p->table != NULL ? PS_LOC_CELL : PS_LOC_LINE;
    f.line = p->line;
    f.row = 1;
    f.evidence = dup_or_null("j***@e***.com");
    f.count = 1;
    f.oldest = INT32_MIN;
    return f;
}

static void add_finding(ps_findings *fs, const struct place *p)
{
    assert_int_equal(ps_grow(&fs->items, &fs->cap, fs->n + 1, sizeof(ps_finding)), PS_OK);
    fs->items[fs->n++] = make_finding(p);
}

static const unsigned char key_a[PS_BASELINE_KEY_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const unsigned char key_b[PS_BASELINE_KEY_BYTES] = { 8, 7, 6, 5, 4, 3, 2, 1 };

static void fp_of(const unsigned char *key, const ps_ruleset *rs, const struct place *p,
                  unsigned char out[PS_BASELINE_FP_BYTES])
{
    ps_finding f = make_finding(p);

    ps_baseline_fingerprint(key, rs, &f, out);
    ps_finding_free(&f);
}

static const struct place base_place = {
    1, "export/parents.csv", NULL, NULL, "email", NULL, 12
};

/* --- fingerprints ----------------------------------------------------------- */

/* Line, row, count, evidence, raw value, severity and dates do not move a fingerprint. */
static void test_fingerprint_ignores_volatile(void **state)
{
    ps_ruleset *rs = make_rules(NULL);
    unsigned char want[PS_BASELINE_FP_BYTES], got[PS_BASELINE_FP_BYTES];
    ps_finding f = make_finding(&base_place);

    (void)state;
    ps_baseline_fingerprint(key_a, rs, &f, want);
    for (int m = 0; m < 7; m++) {
        ps_finding g = make_finding(&base_place);

        switch (m) {
        case 0: g.line = 9999; break;
        case 1: g.row = 424242; break;
        case 2: g.count = 6000; break;
        case 3: free(g.evidence); g.evidence = dup_or_null("z***@q***.org"); break;
        case 4: g.value = dup_or_null("zed@example.org"); break;
        case 5: g.severity = PS_SEV_CRITICAL; g.escalation = "staging"; break;
        default: g.oldest = 12345; break;
        }
        ps_baseline_fingerprint(key_a, rs, &g, got);
        assert_memory_equal(want, got, sizeof(want));
        ps_finding_free(&g);
    }
    ps_finding_free(&f);
    ps_ruleset_destroy(rs);
}

/* Each part of the place does move it. */
static void test_fingerprint_depends_on_place(void **state)
{
    static const struct place others[] = {
        { 2, "export/parents.csv", NULL, NULL, "email", NULL, 12 },           /* rule */
        { 1, "export/parents2.csv", NULL, NULL, "email", NULL, 12 },          /* path */
        { 1, "export/parents.csv", "parents.csv", NULL, "email", NULL, 12 },  /* inner */
        { 1, "export/parents.csv", NULL, "parents", "email", NULL, 12 },      /* table */
        { 1, "export/parents.csv", NULL, NULL, "e_mail", NULL, 12 },          /* column */
        { 1, "export/parents.csv", NULL, NULL, NULL, "/email", 12 },          /* pointer, not column */
        { 1, "export/parents.csv", NULL, NULL, NULL, NULL, 12 },              /* whole file */
        { 1, "export/parents.csvemail", NULL, NULL, NULL, NULL, 12 },         /* no run-together */
    };
    ps_ruleset *rs = make_rules(NULL);
    unsigned char want[PS_BASELINE_FP_BYTES], got[PS_BASELINE_FP_BYTES];

    (void)state;
    fp_of(key_a, rs, &base_place, want);
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        fp_of(key_a, rs, &others[i], got);
        if (memcmp(want, got, sizeof(want)) == 0)
            fail_msg("variant %zu has the base fingerprint", i);
        for (size_t j = 0; j < i; j++) {
            unsigned char other[PS_BASELINE_FP_BYTES];

            fp_of(key_a, rs, &others[j], other);
            if (memcmp(other, got, sizeof(got)) == 0)
                fail_msg("variants %zu and %zu share a fingerprint", j, i);
        }
    }
    ps_ruleset_destroy(rs);
}

/* JSON pointers fold array indices, and only whole-digit segments. */
static void test_fingerprint_pointer_folding(void **state)
{
    static const struct {
        const char *a, *b;
        bool same;
    } cases[] = {
        { "/m/3/body", "/m/9/body", true },
        { "/messages/0/text", "/messages/1234567/text", true },
        { "/3", "/44", true },
        { "/m/3/body", "/m/x/body", false },
        { "/m/3a/body", "/m/4a/body", false },
        { "/m/3/body", "/m/3/to", false },
        { "/m//body", "/m/3/body", false },
        { "/m/*/body", "/m/3/body", true },  /* the fold is the same text */
    };
    ps_ruleset *rs = make_rules(NULL);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct place pa = { 2, "kidconnect/chat.jsonl", NULL, NULL, NULL, cases[i].a, 1 };
        struct place pb = { 2, "kidconnect/chat.jsonl", NULL, NULL, NULL, cases[i].b, 80 };
        unsigned char fa[PS_BASELINE_FP_BYTES], fb[PS_BASELINE_FP_BYTES];

        fp_of(key_a, rs, &pa, fa);
        fp_of(key_a, rs, &pb, fb);
        if ((memcmp(fa, fb, sizeof(fa)) == 0) != cases[i].same)
            fail_msg("case %zu: %s vs %s should be %s", i, cases[i].a, cases[i].b,
                     cases[i].same ? "equal" : "different");
    }
    ps_ruleset_destroy(rs);
}

/* Another key gives another fingerprint; the rule is named by id, not index. */
static void test_fingerprint_key_and_rule_id(void **state)
{
    static const size_t reversed[NRULES] = { 3, 2, 1, 0 };
    ps_ruleset *rs = make_rules(NULL), *rs2 = make_rules(reversed);
    unsigned char a[PS_BASELINE_FP_BYTES], b[PS_BASELINE_FP_BYTES];
    struct place p = base_place;

    (void)state;
    fp_of(key_a, rs, &p, a);
    fp_of(key_b, rs, &p, b);
    assert_memory_not_equal(a, b, sizeof(a));

    /* vtech.pii.email is index 1 in rs and index 2 in rs2. */
    p.rule = 2;
    fp_of(key_a, rs2, &p, b);
    assert_memory_equal(a, b, sizeof(a));

    /* NULL and "" are the same absent part. */
    p = base_place;
    p.inner = "";
    p.table = "";
    fp_of(key_a, rs, &p, b);
    assert_memory_equal(a, b, sizeof(a));
    ps_ruleset_destroy(rs2);
    ps_ruleset_destroy(rs);
}

/* --- writing and loading ---------------------------------------------------- */

static const struct place places[] = {
    { 0, "media/photos/kids/emma-smith.jpg", NULL, NULL, NULL, NULL, 0 },
    { 1, "export/parents.csv", NULL, NULL, "email", NULL, 2 },
    { 2, "kidconnect/chat-2015-10.jsonl", NULL, NULL, NULL, "/messages/3/body", 7 },
    { 3, "backup/learninglodge-2015-10.sql.gz", "learninglodge.sql", "children", "secret_answer", NULL, 0 },
    { 1, "logs/app.log", NULL, NULL, NULL, NULL, 41 },
    { 3, "db/learninglodge.sqlite", NULL, "parents", "password", NULL, 0 },
};
#define NPLACES (sizeof(places) / sizeof(places[0]))

static void check_hex_line(const char *line, size_t ndigits)
{
    size_t n = strspn(line, "0123456789abcdef");

    assert_int_equal(n, ndigits);
}

/* Write, load: every finding is in, and the file has the documented layout. */
static void test_write_load_round_trip(void **state)
{
    ps_ruleset *rs = make_rules(NULL);
    ps_findings fs = { 0 };
    ps_baseline *b = NULL;
    ps_diag diag = { { 0 } };
    const char *path = tmp_path("round.json");
    struct stat sb;
    char *text, *p;
    size_t removed = 99;

    (void)state;
    for (size_t i = 0; i < NPLACES; i++)
        add_finding(&fs, &places[i]);
    add_finding(&fs, &places[1]); /* a repeat collapses to one fingerprint */
    assert_int_equal(ps_baseline_write(path, rs, &fs, "9.8.7", &diag), PS_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0644);

    text = read_all(path, NULL);
    assert_non_null(strstr(text, "{\n  \"plainsight_baseline\": 1,\n  \"tool_version\": \"9.8.7\",\n"
                                 "  \"created_with\": {\n    \"rules\": 4\n  },\n  \"key\": \""));
    /* The key is 64 hex digits and each fingerprint 32, sorted, unique. */
    p = strstr(text, "\"key\": \"") + 8;
    check_hex_line(p, 64);
    p = strstr(text, "\"fingerprints\": [\n");
    assert_non_null(p);
    p += strlen("\"fingerprints\": [\n");
    {
        char prev[33] = "";
        size_t n = 0;

        while (strncmp(p, "    \"", 5) == 0) {
            p += 5;
            check_hex_line(p, 32);
            assert_true(strncmp(prev, p, 32) < 0);
            memcpy(prev, p, 32);
            n++;
            p = strchr(p, '\n') + 1;
        }
        assert_int_equal(n, NPLACES);
        assert_string_equal(p, "  ]\n}\n");
    }
    free(text);

    assert_int_equal(ps_baseline_load(path, &b, &diag), PS_OK);
    assert_non_null(b);
    assert_int_equal(ps_baseline_count(b), NPLACES);
    ps_baseline_filter(b, rs, &fs, &removed);
    assert_int_equal(removed, NPLACES + 1);
    assert_int_equal(fs.n, 0);
    ps_baseline_free(b);
    ps_findings_free(&fs);
    ps_ruleset_destroy(rs);
}

/* The same findings under the same key give the same bytes, whatever their order. */
static void test_write_keyed_is_stable(void **state)
{
    ps_ruleset *rs = make_rules(NULL);
    ps_findings f1 = { 0 }, f2 = { 0 };
    ps_diag diag = { { 0 } };
    const char *p1 = tmp_path("stable1.json"), *p2 = tmp_path("stable2.json");
    char *t1, *t2;

    (void)state;
    for (size_t i = 0; i < NPLACES; i++) {
        struct place shifted = places[NPLACES - 1 - i];

        add_finding(&f1, &places[i]);
        shifted.line += 5;
        add_finding(&f2, &shifted);
    }
    assert_int_equal(ps_baseline_write_keyed(p1, key_a, rs, &f1, "1", &diag), PS_OK);
    assert_int_equal(ps_baseline_write_keyed(p2, key_a, rs, &f2, "1", &diag), PS_OK);
    t1 = read_all(p1, NULL);
    t2 = read_all(p2, NULL);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    /* A second write replaces the first (by rename) and leaves no temporary file. */
    assert_int_equal(ps_baseline_write_keyed(p1, key_b, rs, &f1, "1", &diag), PS_OK);
    t2 = read_all(p1, NULL);
    assert_null(strstr(t2, "0102030405060708"));
    free(t2);
    ps_findings_free(&f1);
    ps_findings_free(&f2);
    ps_ruleset_destroy(rs);
}

/* The file shows no path, name, table, column, pointer or rule id in clear. */
static void test_written_file_reveals_nothing(void **state)
{
    static const char *const secrets[] = {
        "emma", "smith", "kids", "photos", "parents", "email", "chat", "messages", "body",
        "children", "secret_answer", "learninglodge", "password", "vtech", "media",
        "app.log", "export", "sqlite",
    };
    ps_ruleset *rs = make_rules(NULL);
    ps_findings fs = { 0 };
    ps_diag diag = { { 0 } };
    const char *path = tmp_path("secret.json");
    size_t n;
    char *text;

    (void)state;
    for (size_t i = 0; i < NPLACES; i++)
        add_finding(&fs, &places[i]);
    assert_int_equal(ps_baseline_write(path, rs, &fs, "0.1.0", &diag), PS_OK);
    text = read_all(path, &n);
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (memmem(text, n, secrets[i], strlen(secrets[i])) != NULL)
            fail_msg("the baseline shows '%s'", secrets[i]);
    }
    free(text);
    ps_findings_free(&fs);
    ps_ruleset_destroy(rs);
}

/* Filter removes exactly the baselined findings, keeps the others in order. */
static void test_filter_keeps_order(void **state)
{
    ps_ruleset *rs = make_rules(NULL);
    ps_findings old = { 0 }, now = { 0 };
    ps_baseline *b = NULL;
    ps_diag diag = { { 0 } };
    const char *path = tmp_path("filter.json");
    static const struct place fresh[] = {
        { 1, "export/new-signups.csv", NULL, NULL, "email", NULL, 2 },
        { 2, "kidconnect/chat-2015-12.jsonl", NULL, NULL, NULL, "/messages/0/body", 1 },
        { 3, "db/learninglodge.sqlite", NULL, "parents", "password_hint", NULL, 0 },
    };
    size_t removed = 0;

    (void)state;
    for (size_t i = 0; i < NPLACES; i++)
        add_finding(&old, &places[i]);
    assert_int_equal(ps_baseline_write(path, rs, &old, "0.1.0", &diag), PS_OK);
    assert_int_equal(ps_baseline_load(path, &b, &diag), PS_OK);

    /* Now: old findings (lines shifted, other indices) interleaved with new ones. */
    for (size_t i = 0; i < NPLACES; i++) {
        struct place moved = places[i];

        moved.line += 5;
        if (moved.pointer != NULL)
            moved.pointer = "/messages/17/body";
        add_finding(&now, &moved);
        if (i < sizeof(fresh) / sizeof(fresh[0]))
            add_finding(&now, &fresh[i]);
    }
    ps_baseline_filter(b, rs, &now, &removed);
    assert_int_equal(removed, NPLACES);
    assert_int_equal(now.n, 3);
    for (size_t i = 0; i < now.n; i++) {
        assert_string_equal(now.items[i].path, fresh[i].path);
        assert_int_equal(now.items[i].rule, fresh[i].rule);
    }
    /* NULL removed is allowed, and filtering again removes nothing more. */
    ps_baseline_filter(b, rs, &now, NULL);
    assert_int_equal(now.n, 3);
    ps_baseline_free(b);
    ps_baseline_free(NULL);
    ps_findings_free(&old);
    ps_findings_free(&now);
    ps_ruleset_destroy(rs);
}

/* An empty scan gives an empty, loadable baseline that removes nothing. */
static void test_empty_baseline(void **state)
{
    ps_ruleset *rs = make_rules(NULL);
    ps_findings none = { 0 }, some = { 0 };
    ps_baseline *b = NULL;
    ps_diag diag = { { 0 } };
    const char *path = tmp_path("empty.json");
    size_t removed = 99;
    char *text;

    (void)state;
    assert_int_equal(ps_baseline_write(path, rs, &none, "0.1.0", &diag), PS_OK);
    text = read_all(path, NULL);
    assert_non_null(strstr(text, "\"fingerprints\": []\n}\n"));
    free(text);
    assert_int_equal(ps_baseline_load(path, &b, &diag), PS_OK);
    assert_int_equal(ps_baseline_count(b), 0);
    add_finding(&some, &places[0]);
    ps_baseline_filter(b, rs, &some, &removed);
    assert_int_equal(removed, 0);
    assert_int_equal(some.n, 1);
    ps_baseline_free(b);
    ps_findings_free(&some);
    ps_ruleset_destroy(rs);
}

/* A hand-edited file may use capitals, any order and repeats. */
static void test_load_lenient_where_harmless(void **state)
{
    static const char doc[] =
        "{\"fingerprints\": [\"FFEEDDCCBBAA99887766554433221100\",\n"
        "  \"00112233445566778899aabbccddeeff\", \"ffeeddccbbaa99887766554433221100\"],\n"
        " \"key\": \"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\",\n"
        " \"created_with\": {\"rules\": 0}, \"tool_version\": \"\", \"plainsight_baseline\": 1}";
    static const unsigned char lo[PS_BASELINE_FP_BYTES] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
    };
    static const unsigned char hi[PS_BASELINE_FP_BYTES] = {
        0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00
    };
    unsigned char mid[PS_BASELINE_FP_BYTES] = { 0x80 };
    const char *path = tmp_path("hand.json");
    ps_baseline *b = NULL;
    ps_diag diag = { { 0 } };

    (void)state;
    write_file(path, doc, sizeof(doc) - 1);
    assert_int_equal(ps_baseline_load(path, &b, &diag), PS_OK);
    assert_int_equal(ps_baseline_count(b), 2);
    assert_true(ps_baseline_has(b, lo));
    assert_true(ps_baseline_has(b, hi));
    assert_false(ps_baseline_has(b, mid));
    ps_baseline_free(b);
}

/* --- malformed files -------------------------------------------------------- */

#define K64 "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\""
#define F32 "\"00112233445566778899aabbccddeeff\""
#define HEAD "{\"plainsight_baseline\": 1, \"tool_version\": \"0.1.0\", \"created_with\": {\"rules\": 3}, "
#define GOOD HEAD "\"key\": " K64 ", \"fingerprints\": [" F32 "]}"

static void test_load_rejects_malformed(void **state)
{
    static const struct {
        const char *doc;
        size_t len;  /* 0: strlen(doc) */
        const char *want;
    } cases[] = {
        { "this is not json", 0, "not JSON (" },
        { "", 0, "empty file" },
        { "   \n", 0, "truncated" },
        { "[" F32 "]", 0, "the top level is not a JSON object" },
        { "\"a string\"", 0, "the top level is not a JSON object" },
        { "1", 0, "the top level is not a JSON object" },
        { GOOD " []", 0, "not JSON (" },
        { "{\"plainsight_baseline\": 2}", 0,
          "plainsight_baseline: unsupported version 2 (this plainsight reads version 1)" },
        { "{\"plainsight_baseline\": \"1\"}", 0, "plainsight_baseline: not the number 1" },
        { "{\"plainsight_baseline\": 1.0}", 0, "plainsight_baseline: not the number 1" },
        { "{\"plainsight_baseline\": 1, \"tool_version\": 7}", 0, "tool_version: not a string" },
        { "{\"plainsight_baseline\": 1, \"created_with\": []}", 0, "created_with: not an object" },
        { "{\"created_with\": {\"rules\": -1}}", 0, "created_with.rules: not a non-negative integer" },
        { "{\"created_with\": {\"rules\": \"3\"}}", 0, "created_with.rules: not a non-negative integer" },
        { "{\"created_with\": {}}", 0, "created_with: missing member 'rules'" },
        { "{\"created_with\": {\"packs\": 1}}", 0, "unknown member 'created_with.packs'" },
        { HEAD "\"key\": \"0011\"}", 0, "key: not 64 hex digits" },
        { HEAD "\"key\": " K64 "00}", 0, "not JSON (" },
        { HEAD "\"key\": \"0011223344556677889Xaabbccddeeff00112233445566778899aabbccddeeff\"}", 0,
          "key: not 64 hex digits" },
        { HEAD "\"key\": null}", 0, "key: not 64 hex digits" },
        { HEAD "\"key\": \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00\"}", 0,
          "key: not 64 hex digits" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": [\"00112233445566778899aabbccddeeff00\"]}", 0,
          "fingerprints[0]: not 32 hex digits" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": {}}", 0, "fingerprints: not an array" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": " F32 "}", 0, "fingerprints: not an array" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": [" F32 ", \"0011223344556677889g\"]}", 0,
          "fingerprints[1]: not 32 hex digits" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": [" F32 ", \"00112233445566778899aabbccddeefg\"]}", 0,
          "fingerprints[1]: not 32 hex digits" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": [12]}", 0, "fingerprints[0]: not 32 hex digits" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": [[" F32 "]]}", 0, "fingerprints[0]: not 32 hex digits" },
        { HEAD "\"key\": " K64 ", \"fingerprints\": [true]}", 0, "fingerprints[0]: not 32 hex digits" },
        { HEAD "\"key\": " K64 "}", 0, "missing member 'fingerprints'" },
        { HEAD "\"fingerprints\": []}", 0, "missing member 'key'" },
        { "{\"key\": " K64 ", \"fingerprints\": []}", 0, "missing member 'plainsight_baseline'" },
        { "{\"plainsight_baseline\": 1, \"key\": " K64 ", \"fingerprints\": []}", 0,
          "missing member 'tool_version'" },
        { HEAD "\"key\": " K64 ", \"key\": " K64 "}", 0, "duplicate member 'key'" },
        { HEAD "\"extra\": 1}", 0, "unknown member 'extra'" },
        { HEAD "\"a\\nb\": 1}", 0, "unknown member in the top object" },
        { GOOD, sizeof(GOOD) - 1 - 10, "truncated (the JSON ends early)" },
        { GOOD, sizeof(GOOD) - 1 - 1, "truncated (the JSON ends early)" },
        { "{\"plainsight_baseline\"\0: 1}", 27, "not JSON (" },
        { "{\"plainsight_baseline\": 1 /* c */}", 0, "not JSON (" },
    };
    const char *path = tmp_path("bad.json");

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].doc);
        ps_baseline *b = (ps_baseline *)&b; /* must become NULL */
        ps_diag diag = { { 0 } };
        char want[600];
        ps_status st;

        write_file(path, cases[i].doc, len);
        st = ps_baseline_load(path, &b, &diag);
        if (st != PS_ERR_USAGE)
            fail_msg("case %zu: status %d, want PS_ERR_USAGE", i, (int)st);
        assert_null(b);
        snprintf(want, sizeof(want), "%s: not a plainsight baseline: ", path);
        if (strncmp(diag.msg, want, strlen(want)) != 0 || strstr(diag.msg, cases[i].want) == NULL)
            fail_msg("case %zu: message '%s', want '%s%s...'", i, diag.msg, want, cases[i].want);
        if (strchr(diag.msg, '\n') != NULL)
            fail_msg("case %zu: message has a newline", i);
    }
    /* The well-formed document those cases were cut from loads. */
    {
        ps_baseline *b = NULL;
        ps_diag diag = { { 0 } };

        write_file(path, GOOD, sizeof(GOOD) - 1);
        assert_int_equal(ps_baseline_load(path, &b, &diag), PS_OK);
        assert_int_equal(ps_baseline_count(b), 1);
        ps_baseline_free(b);
    }
}

/* Over 64 MiB is refused without reading; a missing file or a directory is named. */
static void test_load_limits_and_io(void **state)
{
    const char *big = tmp_path("big.json");
    ps_baseline *b = NULL;
    ps_diag diag = { { 0 } };
    char want[600];
    int fd;

    (void)state;
    fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{", 1), 1);
    assert_int_equal(ftruncate(fd, (off_t)PS_BASELINE_MAX_FILE + 1), 0);
    close(fd);
    assert_int_equal(ps_baseline_load(big, &b, &diag), PS_ERR_USAGE);
    snprintf(want, sizeof(want), "%s: not a plainsight baseline: larger than 64 MiB", big);
    assert_string_equal(diag.msg, want);
    assert_null(b);
    unlink(big);

    assert_int_equal(ps_baseline_load(tmp_path("missing.json"), &b, &diag), PS_ERR_IO);
    assert_non_null(strstr(diag.msg, "missing.json: No such file or directory"));
    assert_null(b);

    assert_int_equal(ps_baseline_load(tmpdir, &b, &diag), PS_ERR_USAGE);
    assert_non_null(strstr(diag.msg, "not a regular file"));
}

/* A write that cannot happen says where, and leaves nothing behind. */
static void test_write_failure(void **state)
{
    ps_ruleset *rs = make_rules(NULL);
    ps_findings fs = { 0 };
    ps_diag diag = { { 0 } };
    const char *path = tmp_path("no-such-dir/baseline.json");

    (void)state;
    add_finding(&fs, &places[0]);
    assert_int_equal(ps_baseline_write(path, rs, &fs, "0.1.0", &diag), PS_ERR_IO);
    assert_non_null(strstr(diag.msg, "no-such-dir/baseline.json: No such file or directory"));
    /* A directory in the way: the temporary file is made, the rename fails and is undone. */
    assert_int_equal(mkdir(tmp_path("occupied"), 0755), 0);
    assert_int_equal(ps_baseline_write(tmp_path("occupied"), rs, &fs, "0.1.0", &diag), PS_ERR_IO);
    assert_non_null(strstr(diag.msg, "occupied: "));
    {
        DIR *d;
        struct dirent *e;
        size_t n = 0;

        d = opendir(tmpdir);
        assert_non_null(d);
        while ((e = readdir(d)) != NULL) {
            if (strstr(e->d_name, ".tmp-") != NULL)
                n++;
        }
        closedir(d);
        assert_int_equal(n, 0);
    }
    ps_findings_free(&fs);
    ps_ruleset_destroy(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_ignores_volatile),
        cmocka_unit_test(test_fingerprint_depends_on_place),
        cmocka_unit_test(test_fingerprint_pointer_folding),
        cmocka_unit_test(test_fingerprint_key_and_rule_id),
        cmocka_unit_test(test_write_load_round_trip),
        cmocka_unit_test(test_write_keyed_is_stable),
        cmocka_unit_test(test_written_file_reveals_nothing),
        cmocka_unit_test(test_filter_keeps_order),
        cmocka_unit_test(test_empty_baseline),
        cmocka_unit_test(test_load_lenient_where_harmless),
        cmocka_unit_test(test_load_rejects_malformed),
        cmocka_unit_test(test_load_limits_and_io),
        cmocka_unit_test(test_write_failure),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

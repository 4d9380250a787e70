/*
 * test_scan.c - the pipeline end to end, in process: walk, sniff, read,
 * match, aggregate, file-scope rules with "beside", errors for what could
 * not be read, and the same result whatever the thread count.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "rules.h"
#include "scan.h"
#include "scratch.h"

static const char rules_yaml[] =
    "rules:\n"
    "  - id: t.email\n"
    "    title: email\n"
    "    category: plaintext-pii\n"
    "    severity: medium\n"
    "    explain: e\n"
    "    fix: f\n"
    "    when:\n"
    "      value: '[a-z0-9.]+@[a-z0-9.]+\\.[a-z]{2,}'\n"
    "  - id: t.password\n"
    "    title: password\n"
    "    category: plaintext-password\n"
    "    severity: critical\n"
    "    explain: e\n"
    "    fix: f\n"
    "    when:\n"
    "      all:\n"
    "        - field: '(?i)password$'\n"
    "        - readable: true\n"
    "  - id: t.key\n"
    "    title: key beside ciphertext\n"
    "    category: key-exposure\n"
    "    severity: critical\n"
    "    explain: e\n"
    "    fix: f\n"
    "    when:\n"
    "      all:\n"
    "        - path: '\\.key$'\n"
    "        - beside: ciphertext\n"
    "  - id: t.photo\n"
    "    title: photo\n"
    "    category: unencrypted-media\n"
    "    severity: high\n"
    "    explain: e\n"
    "    fix: f\n"
    "    when:\n"
    "      media: image\n";

typedef struct fixture {
    char root[PATH_MAX];
    ps_ruleset *rs;
    ps_matcher *m;
} fixture;

static void put(const char *root, const char *rel, const void *data, size_t n)
{
    char path[PATH_MAX * 2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void put_random(const char *root, const char *rel, size_t n, uint64_t seed)
{
    unsigned char *b = malloc(n);

    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        b[i] = (unsigned char)(seed >> 56);
    }
    put(root, rel, b, n);
    free(b);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    ps_diag diag;
    char dir[PATH_MAX * 2];
    static const char log[] =
        "boot ok\n"
        "login user=ann@example.com\n"
        "login user=bob@example.org\n";
    static const char csv[] = "id,email,password\n1,cat@example.net,sparkle7\n2,dan@example.net,rainbow9\n";
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                         0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1 };
    /* A gzip stream cut short inside its first block. */
    static const unsigned char cut_gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3 };
    static const unsigned char zip[] = { 'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 1, 2, 3 };
    char gzpath[PATH_MAX * 2];
    gzFile gz;

    assert_int_equal(ps_scratch_make(fx->root, sizeof(fx->root), "test_scan"), 0);
    snprintf(dir, sizeof(dir), "%s/enc", fx->root);
    assert_int_equal(mkdir(dir, 0755), 0);
    put(fx->root, "app.log", log, sizeof(log) - 1);
    put(fx->root, "users.csv", csv, sizeof(csv) - 1);
    put(fx->root, "photo.png", png, sizeof(png));
    put(fx->root, "backup.zip", zip, sizeof(zip));
    put(fx->root, "broken.gz", cut_gz, sizeof(cut_gz));
    /* A gzip file is read through the inflating transport, named by its inner file. */
    snprintf(gzpath, sizeof(gzpath), "%s/old.log.gz", fx->root);
    gz = gzopen(gzpath, "wb");
    assert_non_null(gz);
    assert_true(gzputs(gz, "boot\nlogin user=eve@example.com\n") > 0);
    assert_int_equal(gzclose(gz), Z_OK);
    put(fx->root, "empty.txt", "", 0);
    put_random(fx->root, "enc/a.bin", 4096, 1);
    put_random(fx->root, "enc/media.key", 32, 2);
    put_random(fx->root, "lonely.key", 32, 3);
    assert_int_equal(ps_ruleset_create(&fx->rs), PS_OK);
    assert_int_equal(ps_rules_load_buffer(fx->rs, "t.yml", rules_yaml, sizeof(rules_yaml) - 1, &diag), PS_OK);
    assert_int_equal(ps_matcher_create(fx->rs, &fx->m, &diag), PS_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;

    assert_int_equal(ps_scratch_remove(fx->root), 0);
    ps_matcher_destroy(fx->m);
    ps_ruleset_destroy(fx->rs);
    free(fx);
    return 0;
}

static void run(fixture *fx, unsigned threads, ps_scan_result *res)
{
    const char *roots[1] = { fx->root };
    ps_scan_opts opts;
    ps_diag diag;

    memset(&opts, 0, sizeof(opts));
    opts.roots = roots;
    opts.nroots = 1;
    opts.threads = threads;
    assert_int_equal(ps_scan_run(fx->m, &opts, res, &diag), PS_OK);
}

static const ps_finding *find(const ps_scan_result *res, const ps_ruleset *rs,
                              const char *rule, const char *path)
{
    for (size_t i = 0; i < res->findings.n; i++) {
        const ps_finding *f = &res->findings.items[i];
        if (strcmp(rs->rules[f->rule].id, rule) == 0 && strcmp(f->path, path) == 0)
            return f;
    }
    return NULL;
}

static void test_scan_findings(void **state)
{
    fixture *fx = *state;
    ps_scan_result res;
    const ps_finding *f;

    run(fx, 2, &res);
    /* One finding per rule and file for log lines, counted. */
    f = find(&res, fx->rs, "t.email", "app.log");
    assert_non_null(f);
    assert_int_equal(f->count, 2);
    assert_int_equal(f->loc_kind, PS_LOC_LINE);
    assert_int_equal(f->line, 2);
    assert_null(f->value); /* redacted by default */
    assert_null(strstr(f->evidence, "ann@example.com"));
    /* CSV: per column, with the header name as location. */
    f = find(&res, fx->rs, "t.password", "users.csv");
    assert_non_null(f);
    assert_int_equal(f->count, 2);
    assert_string_equal(f->column, "password");
    assert_int_equal(f->line, 2);
    assert_non_null(find(&res, fx->rs, "t.email", "users.csv"));
    assert_non_null(find(&res, fx->rs, "t.photo", "photo.png"));
    f = find(&res, fx->rs, "t.email", "old.log.gz");
    assert_non_null(f);
    assert_string_equal(f->inner, "old.log");
    assert_int_equal(f->line, 2);
    /* The key beside ciphertext fires; the lonely one does not. */
    assert_non_null(find(&res, fx->rs, "t.key", "enc/media.key"));
    assert_null(find(&res, fx->rs, "t.key", "lonely.key"));
    assert_int_equal(res.findings.n, 6);
    /* Sorted: critical first. */
    assert_int_equal(res.findings.items[0].severity, PS_SEV_CRITICAL);
    assert_int_equal(res.findings.items[res.findings.n - 1].severity, PS_SEV_MEDIUM);
    /* Fails closed: the zip file and the truncated gzip are errors, not silent passes. */
    assert_int_equal(res.errors.n, 2);
    assert_string_equal(res.errors.items[0].path, "backup.zip");
    assert_non_null(strstr(res.errors.items[0].message, "not scanned"));
    assert_string_equal(res.errors.items[1].path, "broken.gz");
    assert_string_equal(res.errors.items[1].message, "corrupt gzip data");
    assert_int_equal(res.files_scanned, 10);
    ps_scan_result_free(&res);
}

static void test_scan_deterministic(void **state)
{
    fixture *fx = *state;
    ps_scan_result a, b;

    run(fx, 1, &a);
    for (unsigned t = 2; t <= 8; t *= 2) {
        run(fx, t, &b);
        assert_int_equal(a.findings.n, b.findings.n);
        for (size_t i = 0; i < a.findings.n; i++) {
            assert_int_equal(a.findings.items[i].rule, b.findings.items[i].rule);
            assert_string_equal(a.findings.items[i].path, b.findings.items[i].path);
            assert_int_equal(a.findings.items[i].count, b.findings.items[i].count);
            assert_string_equal(a.findings.items[i].evidence, b.findings.items[i].evidence);
        }
        ps_scan_result_free(&b);
    }
    ps_scan_result_free(&a);
}

static void same_str(const char *x, const char *y)
{
    if (x == NULL || y == NULL)
        assert_ptr_equal(x, y);
    else
        assert_string_equal(x, y);
}

/* Two scan results are the same: every finding, error and impact row. */
static void assert_same_result(const ps_scan_result *a, const ps_scan_result *b)
{
    assert_int_equal(a->findings.n, b->findings.n);
    for (size_t i = 0; i < a->findings.n; i++) {
        const ps_finding *f = &a->findings.items[i], *g = &b->findings.items[i];

        assert_int_equal(f->rule, g->rule);
        assert_int_equal(f->severity, g->severity);
        assert_int_equal(f->loc_kind, g->loc_kind);
        assert_int_equal(f->line, g->line);
        assert_int_equal(f->row, g->row);
        assert_int_equal(f->count, g->count);
        assert_int_equal(f->oldest, g->oldest);
        same_str(f->path, g->path);
        same_str(f->table, g->table);
        same_str(f->column, g->column);
        same_str(f->pointer, g->pointer);
        same_str(f->inner, g->inner);
        same_str(f->evidence, g->evidence);
        same_str(f->value, g->value);
        same_str(f->escalation, g->escalation);
    }
    assert_int_equal(a->errors.n, b->errors.n);
    for (size_t i = 0; i < a->errors.n; i++) {
        assert_string_equal(a->errors.items[i].path, b->errors.items[i].path);
        assert_string_equal(a->errors.items[i].message, b->errors.items[i].message);
    }
    assert_int_equal(a->impact.n, b->impact.n);
    for (size_t i = 0; i < a->impact.n; i++) {
        const ps_impact *x = &a->impact.items[i], *y = &b->impact.items[i];

        assert_string_equal(x->path, y->path);
        assert_int_equal(x->parents, y->parents);
        assert_int_equal(x->children, y->children);
        assert_int_equal(x->nrows, y->nrows);
        for (size_t r = 0; r < x->nrows; r++) {
            assert_string_equal(x->rows[r].country, y->rows[r].country);
            assert_int_equal(x->rows[r].parents, y->rows[r].parents);
            assert_int_equal(x->rows[r].children, y->rows[r].children);
        }
    }
    assert_int_equal(a->files_scanned, b->files_scanned);
    assert_int_equal(a->bytes_scanned, b->bytes_scanned);
}

/*
 * Big files are read by one worker and matched by all, in batches
 * (scan.c).  On the VTech fixtures with the real rule pack, splitting every
 * file into batches of 3 records gives exactly the result of reading each
 * file whole, at any thread count: counts, first locations, evidence, dates,
 * row-scope (child) findings, gzip inner names and the impact table;
 * whether the stores are read one at a time or side by side.
 */
static void test_scan_split_same(void **state)
{
    const char *top = getenv("top_srcdir");
    char rules[PATH_MAX], root[PATH_MAX];
    const char *roots[1] = { root };
    ps_ruleset *rs;
    ps_matcher *m;
    ps_scan_opts opts;
    ps_scan_result whole, split;
    ps_diag diag;

    (void)state;
    if (top == NULL)
        top = ".";
    snprintf(rules, sizeof(rules), "%s/rules/vtech.yml", top);
    snprintf(root, sizeof(root), "%s/fixtures/vtech", top);
    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    assert_int_equal(ps_rules_load_path(rs, rules, &diag), PS_OK);
    assert_int_equal(ps_matcher_create(rs, &m, &diag), PS_OK);
    memset(&opts, 0, sizeof(opts));
    opts.roots = roots;
    opts.nroots = 1;
    opts.as_of = 20784; /* 2026-11-27 */
    opts.threads = 1;
    opts.split_bytes = UINT64_MAX;
    assert_int_equal(ps_scan_run(m, &opts, &whole, &diag), PS_OK);
    assert_true(whole.findings.n > 20);
    assert_true(whole.impact.n > 0);
    for (unsigned t = 1; t <= 4; t *= 2) {
        /* Every store alone, then all of them side by side (scan.c, take_store). */
        static const uint64_t budgets[] = { 1, UINT64_MAX };

        for (size_t k = 0; k < sizeof(budgets) / sizeof(budgets[0]); k++) {
            opts.threads = t;
            opts.split_bytes = 1;
            opts.batch_records = 3;
            opts.store_budget = budgets[k];
            assert_int_equal(ps_scan_run(m, &opts, &split, &diag), PS_OK);
            assert_same_result(&whole, &split);
            ps_scan_result_free(&split);
        }
    }
    ps_scan_result_free(&whole);
    ps_matcher_destroy(m);
    ps_ruleset_destroy(rs);
}

static void test_scan_show_values(void **state)
{
    fixture *fx = *state;
    const char *roots[1] = { fx->root };
    ps_scan_opts opts;
    ps_scan_result res;
    ps_diag diag;
    const ps_finding *f;

    memset(&opts, 0, sizeof(opts));
    opts.roots = roots;
    opts.nroots = 1;
    opts.threads = 1;
    opts.show_values = true;
    assert_int_equal(ps_scan_run(fx->m, &opts, &res, &diag), PS_OK);
    f = find(&res, fx->rs, "t.email", "app.log");
    assert_non_null(f);
    assert_non_null(f->value);
    assert_string_equal(f->value, "ann@example.com"); /* the matched span, not the line */
    ps_scan_result_free(&res);
}

static void test_scan_missing_root(void **state)
{
    fixture *fx = *state;
    const char *roots[1] = { "/nonexistent/plainsight" };
    ps_scan_opts opts;
    ps_scan_result res;
    ps_diag diag;

    memset(&opts, 0, sizeof(opts));
    opts.roots = roots;
    opts.nroots = 1;
    assert_int_equal(ps_scan_run(fx->m, &opts, &res, &diag), PS_ERR_USAGE);
    assert_non_null(strstr(diag.msg, "/nonexistent/plainsight"));
    ps_scan_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scan_findings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_show_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_missing_root, setup, teardown),
        cmocka_unit_test(test_scan_split_same),
    };
    /*
     * The worker pool waits on conditions (batches, the store budget): a
     * lost wake-up would hang here, and make check has no time limit of
     * its own.  The default SIGALRM ends the run, which fails the test.
     * The whole file takes seconds, under ASan too.
     */
    alarm(600);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

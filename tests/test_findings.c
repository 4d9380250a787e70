/*
 * test_findings.c - aggregation keys, first location, evidence, the one
 * sort order, the distinct-key cap, and the error list.
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

#include "findings.h"
#include "rules.h"
#include "util.h"

/* --- helpers ---------------------------------------------------------------- */

static ps_record cell(const char *table, const char *column, int64_t row)
{
    ps_record r;

    memset(&r, 0, sizeof(r));
    r.field = column;
    r.field_len = strlen(column);
    r.loc.kind = PS_LOC_CELL;
    r.loc.table = table;
    r.loc.column = column;
    r.loc.row = row;
    return r;
}

static ps_record jline(uint64_t line, const char *pointer)
{
    ps_record r;

    memset(&r, 0, sizeof(r));
    r.field = pointer;
    r.field_len = strlen(pointer);
    r.loc.kind = PS_LOC_LINE;
    r.loc.line = line;
    r.loc.pointer = pointer;
    return r;
}

static ps_record csvline(uint64_t line, const char *column)
{
    ps_record r = jline(line, "");

    r.field = column;
    r.field_len = strlen(column);
    r.loc.pointer = NULL;
    r.loc.column = column;
    return r;
}

static ps_record textline(uint64_t line)
{
    ps_record r = jline(line, "");

    r.loc.pointer = NULL;
    return r;
}

/* One hit; returns whether it created a finding. */
static bool hit(ps_agg *a, uint32_t rule, const char *path, const ps_record *rec)
{
    bool fresh = false;

    assert_int_equal(ps_agg_hit(a, rule, PS_SEV_HIGH, path, rec, &fresh), PS_OK);
    return fresh;
}

static ps_findings take(ps_agg *a)
{
    ps_findings fs = { 0 };

    assert_int_equal(ps_agg_take(a, &fs), PS_OK);
    return fs;
}

/* --- aggregation ------------------------------------------------------------ */

static void test_agg_same_column(void **state)
{
    ps_agg *a;
    ps_record r1 = cell("parents", "email", 7), r2 = cell("parents", "email", 9),
              r3 = cell("parents", "email", 12);
    ps_findings fs;

    (void)state;
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    assert_true(hit(a, 0, "db/x.sqlite", &r1));
    assert_false(hit(a, 0, "db/x.sqlite", &r2));
    assert_false(hit(a, 0, "db/x.sqlite", &r3));
    fs = take(a);
    assert_int_equal(fs.n, 1);
    assert_int_equal(fs.items[0].count, 3);
    assert_int_equal(fs.items[0].loc_kind, PS_LOC_CELL);
    assert_string_equal(fs.items[0].path, "db/x.sqlite");
    assert_string_equal(fs.items[0].table, "parents");
    assert_string_equal(fs.items[0].column, "email");
    assert_int_equal(fs.items[0].row, 7);
    assert_null(fs.items[0].pointer);
    assert_int_equal(fs.items[0].severity, PS_SEV_HIGH);
    assert_string_equal(fs.items[0].evidence, "");
    assert_null(fs.items[0].value);
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

/* Different columns, tables, rules: separate findings, in first-seen order. */
static void test_agg_distinct_keys(void **state)
{
    ps_agg *a;
    ps_record r1 = cell("parents", "email", 1), r2 = cell("parents", "phone", 1),
              r3 = cell("kids", "email", 1), r4 = cell("parents", "email", 2);
    ps_findings fs;

    (void)state;
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    assert_true(hit(a, 0, "db/x.sqlite", &r1));
    assert_true(hit(a, 0, "db/x.sqlite", &r2));
    assert_true(hit(a, 0, "db/x.sqlite", &r3));
    assert_true(hit(a, 1, "db/x.sqlite", &r4)); /* another rule, same column */
    assert_false(hit(a, 0, "db/x.sqlite", &r4));
    fs = take(a);
    assert_int_equal(fs.n, 4);
    assert_string_equal(fs.items[0].column, "email");
    assert_string_equal(fs.items[0].table, "parents");
    assert_int_equal(fs.items[0].count, 2);
    assert_string_equal(fs.items[1].column, "phone");
    assert_string_equal(fs.items[2].table, "kids");
    assert_int_equal(fs.items[3].rule, 1);
    assert_int_equal(fs.items[3].row, 2);
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

/*
 * One rule hitting, row after row, columns whose names look alike to the
 * memo's slot sketch (same length, first and last byte) and a column of the
 * same name in two tables: each place keeps its own count.
 */
static void test_agg_alike_columns(void **state)
{
    ps_agg *a;
    ps_findings fs;

    (void)state;
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    for (int row = 1; row <= 5; row++) {
        ps_record r1 = cell("parents", "nabce", row), r2 = cell("parents", "nxyze", row),
                  r3 = cell("kids", "nabce", row);

        assert_int_equal(hit(a, 3, "db/x.sqlite", &r1), row == 1);
        assert_int_equal(hit(a, 3, "db/x.sqlite", &r2), row == 1);
        if (row % 2 == 1)
            assert_int_equal(hit(a, 3, "db/x.sqlite", &r3), row == 1);
    }
    fs = take(a);
    assert_int_equal(fs.n, 3);
    assert_string_equal(fs.items[0].column, "nabce");
    assert_string_equal(fs.items[0].table, "parents");
    assert_int_equal(fs.items[0].count, 5);
    assert_string_equal(fs.items[1].column, "nxyze");
    assert_int_equal(fs.items[1].count, 5);
    assert_string_equal(fs.items[2].table, "kids");
    assert_int_equal(fs.items[2].count, 3);
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

/* Array indices in JSON pointers do not split findings; the first precise pointer is kept. */
static void test_agg_json_pointer(void **state)
{
    ps_agg *a;
    ps_record r1 = jline(3, "/m/1/body"), r2 = jline(4, "/m/2/body"),
              r3 = jline(5, "/m/10/body"), r4 = jline(5, "/m/1/title"),
              r5 = jline(6, "/m/1a/body");
    ps_findings fs;

    (void)state;
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    assert_true(hit(a, 0, "chat.jsonl", &r1));
    assert_false(hit(a, 0, "chat.jsonl", &r2));
    assert_false(hit(a, 0, "chat.jsonl", &r3));
    assert_true(hit(a, 0, "chat.jsonl", &r4));
    assert_true(hit(a, 0, "chat.jsonl", &r5)); /* "1a" is a key, not an index */
    fs = take(a);
    assert_int_equal(fs.n, 3);
    assert_int_equal(fs.items[0].loc_kind, PS_LOC_LINE);
    assert_string_equal(fs.items[0].pointer, "/m/1/body");
    assert_int_equal(fs.items[0].line, 3);
    assert_int_equal(fs.items[0].count, 3);
    assert_string_equal(fs.items[1].pointer, "/m/1/title");
    assert_string_equal(fs.items[2].pointer, "/m/1a/body");
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

static void test_agg_csv_and_text(void **state)
{
    ps_agg *a;
    ps_record c1 = csvline(2, "email"), c2 = csvline(3, "email"), c3 = csvline(2, "name");
    ps_record t1 = textline(12), t2 = textline(40);
    ps_findings fs;

    (void)state;
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    assert_true(hit(a, 0, "export/parents.csv", &c1));
    assert_false(hit(a, 0, "export/parents.csv", &c2));
    assert_true(hit(a, 0, "export/parents.csv", &c3));
    fs = take(a);
    assert_int_equal(fs.n, 2);
    assert_string_equal(fs.items[0].column, "email");
    assert_int_equal(fs.items[0].line, 2);
    assert_int_equal(fs.items[0].count, 2);
    assert_string_equal(fs.items[1].column, "name");
    ps_findings_free(&fs);

    /* Text lines: one finding per rule per file, at the first line. */
    assert_true(hit(a, 0, "logs/app.log", &t1));
    assert_false(hit(a, 0, "logs/app.log", &t2));
    assert_true(hit(a, 2, "logs/app.log", &t2));
    fs = take(a);
    assert_int_equal(fs.n, 2);
    assert_int_equal(fs.items[0].line, 12);
    assert_int_equal(fs.items[0].count, 2);
    assert_null(fs.items[0].column);
    assert_null(fs.items[0].pointer);
    assert_int_equal(fs.items[1].rule, 2);
    assert_int_equal(fs.items[1].line, 40);
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

/* File-scope hits (rec NULL) give one finding located at the whole file. */
static void test_agg_file_scope(void **state)
{
    ps_agg *a;
    ps_findings fs;

    (void)state;
    assert_int_equal(ps_agg_create(true, &a), PS_OK);
    assert_true(hit(a, 4, "photos/kid.jpg", NULL));
    assert_false(hit(a, 4, "photos/kid.jpg", NULL));
    fs = take(a);
    assert_int_equal(fs.n, 1);
    assert_int_equal(fs.items[0].loc_kind, PS_LOC_NONE);
    assert_int_equal(fs.items[0].count, 2);
    assert_string_equal(fs.items[0].evidence, "");
    assert_null(fs.items[0].value);
    assert_null(fs.items[0].table);
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

/* take resets: the next file starts with an empty table. */
static void test_agg_take_resets(void **state)
{
    ps_agg *a;
    ps_record r = cell("t", "c", 1);
    ps_findings all = { 0 };

    (void)state;
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    assert_true(hit(a, 0, "a.sqlite", &r));
    assert_int_equal(ps_agg_take(a, &all), PS_OK);
    assert_true(hit(a, 0, "b.sqlite", &r));
    assert_int_equal(ps_agg_take(a, &all), PS_OK);
    assert_int_equal(ps_agg_take(a, &all), PS_OK); /* nothing new */
    assert_int_equal(all.n, 2);
    assert_string_equal(all.items[0].path, "a.sqlite");
    assert_string_equal(all.items[1].path, "b.sqlite");
    ps_findings_free(&all);
    ps_agg_destroy(a);
}

static void test_agg_evidence(void **state)
{
    ps_agg *a;
    ps_record r1 = cell("parents", "email", 1), r2 = cell("parents", "email", 2),
              r3 = cell("parents", "note", 3), r4 = cell("parents", "bio", 4);
    ps_findings fs;
    char long_value[260];

    (void)state;
    /* Without show_values: redacted only. */
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    assert_true(hit(a, 0, "db.sqlite", &r1));
    assert_int_equal(ps_agg_set_evidence(a, "jane.doe@example.com", 20), PS_OK);
    assert_false(hit(a, 0, "db.sqlite", &r2));
    /* Not fresh: setting evidence now must not touch the first hit's evidence. */
    assert_int_equal(ps_agg_set_evidence(a, "other@example.org", 17), PS_OK);
    fs = take(a);
    assert_int_equal(fs.n, 1);
    assert_string_equal(fs.items[0].evidence, "j***@e***.com");
    assert_null(fs.items[0].value);
    ps_findings_free(&fs);
    ps_agg_destroy(a);

    /* With show_values: raw copy, control characters made spaces, cut at 200 bytes. */
    assert_int_equal(ps_agg_create(true, &a), PS_OK);
    assert_true(hit(a, 0, "db.sqlite", &r1));
    assert_int_equal(ps_agg_set_evidence(a, "jane.doe@example.com", 20), PS_OK);
    assert_true(hit(a, 0, "db.sqlite", &r3));
    assert_int_equal(ps_agg_set_evidence(a, "Hi\ngrandma\tx\x7f", 13), PS_OK);
    assert_true(hit(a, 0, "db.sqlite", &r4));
    memset(long_value, 'a', 199);
    memcpy(long_value + 199, "\xc3\xa9", 2); /* 'é' straddles byte 200 */
    memset(long_value + 201, 'b', 59);
    assert_int_equal(ps_agg_set_evidence(a, long_value, 260), PS_OK);
    fs = take(a);
    assert_int_equal(fs.n, 3);
    assert_string_equal(fs.items[0].value, "jane.doe@example.com");
    assert_string_equal(fs.items[0].evidence, "j***@e***.com");
    assert_string_equal(fs.items[1].value, "Hi grandma x ");
    assert_string_equal(fs.items[1].evidence, "\"Hi gr*** ...\"");
    assert_int_equal(strlen(fs.items[2].value), 199);
    assert_string_equal(fs.items[2].evidence, "a***");
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

/* Past the distinct-key cap, new keys fold into one whole-file finding per rule. */
/* The cap's shape: cap keyed findings in order, then one overflow finding of extra hits. */
static void assert_capped(const ps_findings *fs, size_t cap, uint64_t extra)
{
    assert_int_equal(fs->n, cap + 1);
    assert_int_equal(fs->items[cap].loc_kind, PS_LOC_NONE);
    assert_null(fs->items[cap].column);
    assert_int_equal(fs->items[cap].count, extra);
    assert_string_equal(fs->items[cap - 1].column, "c65535");
}

static void test_agg_key_cap(void **state)
{
    ps_agg *a;
    ps_findings fs;
    char col[32];
    const size_t cap = 65536, extra = 10;

    (void)state;
    assert_int_equal(ps_agg_create(false, &a), PS_OK);
    for (size_t i = 0; i < cap + extra; i++) {
        ps_record r;

        snprintf(col, sizeof(col), "c%zu", i);
        r = csvline(1, col);
        assert_int_equal(hit(a, 0, "wide.csv", &r), i <= cap);
    }
    fs = take(a);
    assert_capped(&fs, cap, extra);
    ps_findings_free(&fs);
    ps_agg_destroy(a);
}

/* --- absorbing the parts of a file ---------------------------------------- */

/* One hit as the scanner makes it: count, then evidence if new, then a date. */
static void hit_full(ps_agg *a, uint32_t rule, const ps_record *rec, const char *ev, int32_t day)
{
    bool fresh = false;

    assert_int_equal(ps_agg_hit(a, rule, PS_SEV_HIGH, "f", rec, &fresh), PS_OK);
    if (fresh)
        assert_int_equal(ps_agg_set_evidence(a, ev, strlen(ev)), PS_OK);
    ps_agg_note_date(a, day);
}

static void assert_same_str(const char *x, const char *y)
{
    if (x == NULL || y == NULL)
        assert_ptr_equal(x, y);
    else
        assert_string_equal(x, y);
}

static void assert_same_findings(const ps_findings *x, const ps_findings *y)
{
    assert_int_equal(x->n, y->n);
    for (size_t i = 0; i < x->n; i++) {
        const ps_finding *f = &x->items[i], *g = &y->items[i];

        assert_int_equal(f->rule, g->rule);
        assert_int_equal(f->loc_kind, g->loc_kind);
        assert_int_equal(f->line, g->line);
        assert_int_equal(f->row, g->row);
        assert_int_equal(f->count, g->count);
        assert_int_equal(f->oldest, g->oldest);
        assert_same_str(f->path, g->path);
        assert_same_str(f->table, g->table);
        assert_same_str(f->column, g->column);
        assert_same_str(f->pointer, g->pointer);
        assert_same_str(f->evidence, g->evidence);
        assert_same_str(f->value, g->value);
    }
}

/*
 * A stream of hits of every key kind (cells, CSV columns, JSON pointers
 * whose array indices fold together, text lines), counted by one agg, and
 * again cut into parts that are counted apart and absorbed in order: the
 * same findings, for every place to cut, including at every hit.
 */
static void test_agg_absorb_equals_one_pass(void **state)
{
    enum { NHITS = 24 };
    ps_record recs[NHITS];
    uint32_t rules[NHITS];
    char ev[NHITS][32];
    int32_t days[NHITS];
    ps_findings whole;
    ps_agg *a;

    (void)state;
    for (int i = 0; i < NHITS; i++) {
        switch (i % 4) {
        case 0: recs[i] = cell("kids", i % 8 ? "name" : "dob", i); break;
        case 1: recs[i] = csvline((uint64_t)i, "email"); break;
        case 2: recs[i] = jline((uint64_t)i, i % 3 ? "/m/1/body" : "/m/2/body"); break;
        default: recs[i] = textline((uint64_t)i); break;
        }
        rules[i] = (uint32_t)((i / 4) % 2); /* each key comes back in later parts */
        snprintf(ev[i], sizeof(ev[i]), "v%d@example.com", i);
        days[i] = (i % 5 == 0) ? INT32_MIN : 20000 - (i * 7) % 13;
    }
    assert_int_equal(ps_agg_create(true, &a), PS_OK);
    for (int i = 0; i < NHITS; i++)
        hit_full(a, rules[i], &recs[i], ev[i], days[i]);
    whole = take(a);
    assert_true(whole.n > 4);

    for (int cut1 = 0; cut1 <= NHITS; cut1++) {
        for (int cut2 = cut1; cut2 <= NHITS; cut2 += 5) {
            int cuts[4] = { 0, cut1, cut2, NHITS };
            ps_agg *part, *join;
            ps_findings joined;

            assert_int_equal(ps_agg_create(true, &part), PS_OK);
            assert_int_equal(ps_agg_create(true, &join), PS_OK);
            for (int k = 0; k < 3; k++) {
                ps_findings fs;

                for (int i = cuts[k]; i < cuts[k + 1]; i++)
                    hit_full(part, rules[i], &recs[i], ev[i], days[i]);
                fs = take(part);
                assert_int_equal(ps_agg_absorb(join, &fs), PS_OK);
                assert_int_equal(fs.n, 0);
                ps_findings_free(&fs);
            }
            joined = take(join);
            assert_same_findings(&whole, &joined);
            ps_findings_free(&joined);
            ps_agg_destroy(part);
            ps_agg_destroy(join);
        }
    }
    ps_findings_free(&whole);
    ps_agg_destroy(a);
}

/* The distinct-key cap holds across parts: keys past it fold into the overflow finding. */
static void test_agg_absorb_key_cap(void **state)
{
    const size_t cap = 65536, extra = 10, half = (cap + extra) / 2;
    ps_agg *part, *join;
    ps_findings fs;
    char col[32];

    (void)state;
    assert_int_equal(ps_agg_create(false, &part), PS_OK);
    assert_int_equal(ps_agg_create(false, &join), PS_OK);
    for (size_t i = 0; i < cap + extra; i++) {
        ps_record r;

        snprintf(col, sizeof(col), "c%zu", i);
        r = csvline(1, col);
        hit(part, 0, "wide.csv", &r);
        if (i + 1 == half || i + 1 == cap + extra) {
            fs = take(part);
            assert_int_equal(ps_agg_absorb(join, &fs), PS_OK);
            ps_findings_free(&fs);
        }
    }
    fs = take(join);
    assert_capped(&fs, cap, extra);
    ps_findings_free(&fs);
    ps_agg_destroy(part);
    ps_agg_destroy(join);
}

/* --- order ------------------------------------------------------------------ */

static ps_ruleset *make_rules(void)
{
    static const struct {
        const char *id;
        ps_category cat;
    } defs[] = {
        { "zz-message", PS_CAT_PLAINTEXT_MESSAGE },  /* 0 */
        { "aa-password", PS_CAT_PLAINTEXT_PASSWORD }, /* 1 */
        { "bb-password", PS_CAT_PLAINTEXT_PASSWORD }, /* 2 */
        { "key-beside", PS_CAT_KEY_EXPOSURE },        /* 3 */
    };
    ps_ruleset *rs;

    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
        ps_rule r;

        memset(&r, 0, sizeof(r));
        r.id = ps_strdup(defs[i].id);
        r.title = ps_strdup("title");
        r.fix = ps_strdup("fix");
        r.category = defs[i].cat;
        r.severity = PS_SEV_HIGH;
        assert_int_equal(ps_ruleset_add_rule(rs, &r), PS_OK);
    }
    return rs;
}

struct fdef {
    uint32_t rule;
    ps_severity sev;
    const char *path;
    ps_loc_kind kind;
    uint64_t line;
    const char *table, *column;
    int64_t row;
    const char *pointer;
};

/* Listed in the expected order. */
static const struct fdef sorted_defs[] = {
    { 3, PS_SEV_CRITICAL, "keys/a.key", PS_LOC_NONE, 0, NULL, NULL, 0, NULL },
    { 0, PS_SEV_HIGH, "chat.jsonl", PS_LOC_LINE, 1, NULL, NULL, 0, "/body" },   /* message < password */
    { 1, PS_SEV_HIGH, "a.csv", PS_LOC_LINE, 2, NULL, "pw", 0, NULL },           /* aa < bb */
    { 1, PS_SEV_HIGH, "b.csv", PS_LOC_LINE, 2, NULL, "pw", 0, NULL },           /* path */
    { 1, PS_SEV_HIGH, "b.csv", PS_LOC_LINE, 3, NULL, "pw", 0, NULL },           /* line */
    { 2, PS_SEV_HIGH, "db.sqlite", PS_LOC_CELL, 0, NULL, "x", 1, NULL },        /* NULL table first */
    { 2, PS_SEV_HIGH, "db.sqlite", PS_LOC_CELL, 0, "kids", "pw", 1, NULL },
    { 2, PS_SEV_HIGH, "db.sqlite", PS_LOC_CELL, 0, "users", "pw", 1, NULL },    /* table */
    { 2, PS_SEV_HIGH, "db.sqlite", PS_LOC_CELL, 0, "users", "secret", 1, NULL },/* column */
    { 2, PS_SEV_HIGH, "db.sqlite", PS_LOC_CELL, 0, "users", "secret", 5, NULL },/* row */
    { 2, PS_SEV_HIGH, "log.jsonl", PS_LOC_LINE, 4, NULL, NULL, 0, NULL },       /* NULL pointer first */
    { 2, PS_SEV_HIGH, "log.jsonl", PS_LOC_LINE, 4, NULL, NULL, 0, "/a" },
    { 2, PS_SEV_HIGH, "log.jsonl", PS_LOC_LINE, 4, NULL, NULL, 0, "/b" },
    { 0, PS_SEV_MEDIUM, "A.txt", PS_LOC_LINE, 9, NULL, NULL, 0, NULL },         /* severity beats category */
    { 0, PS_SEV_MEDIUM, "a.txt", PS_LOC_LINE, 9, NULL, NULL, 0, NULL },         /* bytewise: 'A' < 'a' */
    { 3, PS_SEV_INFO, "z", PS_LOC_NONE, 0, NULL, NULL, 0, NULL },
};

#define NDEFS (sizeof(sorted_defs) / sizeof(sorted_defs[0]))

static char *opt_dup(const char *s)
{
    return s != NULL ? ps_strdup(s) : NULL;
}

static ps_finding make_finding(const struct fdef *d)
{
    ps_finding f;

    memset(&f, 0, sizeof(f));
    f.rule = d->rule;
    f.severity = d->sev;
    f.path = ps_strdup(d->path);
    f.loc_kind = d->kind;
    f.line = d->line;
    f.table = opt_dup(d->table);
    f.column = opt_dup(d->column);
    f.row = d->row;
    f.pointer = opt_dup(d->pointer);
    f.evidence = ps_strdup("");
    f.count = 1;
    return f;
}

static void check_sorted(const ps_findings *fs)
{
    assert_int_equal(fs->n, NDEFS);
    for (size_t i = 0; i < NDEFS; i++) {
        const ps_finding *f = &fs->items[i];
        const struct fdef *d = &sorted_defs[i];

        if (f->rule != d->rule || strcmp(f->path, d->path) != 0 || f->line != d->line ||
            f->row != d->row)
            print_error("position %zu holds rule %u %s\n", i, (unsigned)f->rule, f->path);
        assert_int_equal(f->rule, d->rule);
        assert_int_equal(f->severity, d->sev);
        assert_string_equal(f->path, d->path);
        assert_int_equal(f->line, d->line);
        assert_int_equal(f->row, d->row);
        if (d->table == NULL)
            assert_null(f->table);
        else
            assert_string_equal(f->table, d->table);
        if (d->column == NULL)
            assert_null(f->column);
        else
            assert_string_equal(f->column, d->column);
        if (d->pointer == NULL)
            assert_null(f->pointer);
        else
            assert_string_equal(f->pointer, d->pointer);
    }
}

/* Several fixed shuffles (reverse, rotations, a stride permutation) all sort to one order. */
static void test_findings_sort(void **state)
{
    ps_ruleset *rs = make_rules();

    (void)state;
    for (size_t shuffle = 0; shuffle < 6; shuffle++) {
        ps_findings fs = { 0 };

        assert_int_equal(ps_grow(&fs.items, &fs.cap, NDEFS, sizeof(ps_finding)), PS_OK);
        for (size_t i = 0; i < NDEFS; i++) {
            size_t src;

            switch (shuffle) {
            case 0: src = i; break;
            case 1: src = NDEFS - 1 - i; break;
            case 2: src = (i * 7) % NDEFS; break; /* 7 is coprime with 16 */
            case 3: src = (i * 5 + 3) % NDEFS; break;
            default: src = (i + shuffle * 3) % NDEFS; break;
            }
            fs.items[fs.n++] = make_finding(&sorted_defs[src]);
        }
        ps_findings_sort(&fs, rs);
        check_sorted(&fs);
        ps_findings_free(&fs);
    }
    ps_ruleset_destroy(rs);
}

static void test_findings_move(void **state)
{
    ps_findings a = { 0 }, b = { 0 };

    (void)state;
    assert_int_equal(ps_grow(&a.items, &a.cap, 2, sizeof(ps_finding)), PS_OK);
    assert_int_equal(ps_grow(&b.items, &b.cap, 1, sizeof(ps_finding)), PS_OK);
    a.items[a.n++] = make_finding(&sorted_defs[0]);
    a.items[a.n++] = make_finding(&sorted_defs[1]);
    b.items[b.n++] = make_finding(&sorted_defs[2]);
    assert_int_equal(ps_findings_move(&b, &a), PS_OK);
    assert_int_equal(a.n, 0);
    assert_null(a.items);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.items[0].path, "a.csv");
    assert_string_equal(b.items[1].path, "keys/a.key");
    assert_string_equal(b.items[2].path, "chat.jsonl");
    /* Moving an empty list is fine and changes nothing. */
    assert_int_equal(ps_findings_move(&b, &a), PS_OK);
    assert_int_equal(b.n, 3);
    ps_findings_free(&b);
    ps_findings_free(&a);
    ps_finding_free(NULL);
    ps_findings_free(NULL);
    ps_agg_destroy(NULL);
}

static void test_errors_sort(void **state)
{
    ps_errors es = { 0 };
    static const char *const in[][2] = {
        { "b.csv", "line 4: unterminated quote" },
        { "a.sqlite", "database disk image is malformed" },
        { "b.csv", "line 2: record too long" },
        { "B.csv", "permission denied" },
    };

    (void)state;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(ps_errors_add(&es, in[i][0], in[i][1]), PS_OK);
    ps_errors_sort(&es);
    assert_int_equal(es.n, 4);
    assert_string_equal(es.items[0].path, "B.csv");
    assert_string_equal(es.items[1].path, "a.sqlite");
    assert_string_equal(es.items[2].message, "line 2: record too long");
    assert_string_equal(es.items[3].message, "line 4: unterminated quote");
    ps_errors_free(&es);
    assert_int_equal(es.n, 0);
    ps_errors_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agg_same_column),
        cmocka_unit_test(test_agg_distinct_keys),
        cmocka_unit_test(test_agg_alike_columns),
        cmocka_unit_test(test_agg_json_pointer),
        cmocka_unit_test(test_agg_csv_and_text),
        cmocka_unit_test(test_agg_file_scope),
        cmocka_unit_test(test_agg_take_resets),
        cmocka_unit_test(test_agg_evidence),
        cmocka_unit_test(test_agg_key_cap),
        cmocka_unit_test(test_agg_absorb_equals_one_pass),
        cmocka_unit_test(test_agg_absorb_key_cap),
        cmocka_unit_test(test_findings_sort),
        cmocka_unit_test(test_findings_move),
        cmocka_unit_test(test_errors_sort),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

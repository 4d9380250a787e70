/*
 * test_people.c - rows as people: subjects, ages at creation vs --as-of,
 * ambiguous dates, country normalisation, linkage inside one store and
 * across the files of a folder store, and the traps (created_at is not a
 * birthdate, adults are not children, ciphertext is not a birthdate).
 * Every test runs with and without field ids; row boundaries between
 * tables and per-file ids have tests of their own.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "people.h"
#include "rules.h"

static const char yaml[] =
    "subjects:\n"
    "  children:\n"
    "    tables: '(?i)^(kids|enfants)$'\n"
    "    birthdate: '(?i)(^|/)(birthdate|date_de_naissance)$'\n"
    "    identifying: '(?i)(^|/)(name|prenom|photo)$'\n"
    "    created: '(?i)(^|/)created_at$'\n"
    "    link: '(?i)(^|/)(parent_id|parent_email)$'\n"
    "  parents:\n"
    "    tables: '(?i)^(parents|users)$'\n"
    "    id: '(?i)^(id|email)$'\n"
    "    contact: '(?i)(^|/)(email|address)$'\n"
    "  country: '(?i)(^|/)(country|pays)$'\n"
    "countries:\n"
    "  - { name: US, codes: [US, USA, United States] }\n"
    "  - { name: France, codes: [FR, France] }\n"
    "  - { name: Other, fallback: true }\n"
    "ages:\n"
    "  coppa: 13\n"
    "  minor: 18\n"
    "rules:\n"
    "  - id: t.child\n"
    "    title: child\n"
    "    category: child-record\n"
    "    severity: critical\n"
    "    explain: e\n"
    "    fix: f\n"
    "    when:\n"
    "      all:\n"
    "        - subject: child\n"
    "        - age-under: minor\n"
    "        - identified: true\n";

#define FX_ROWS 128u
#define FX_FIELDS 128u

/* A field a reader numbered in the current file: (table, column) -> index + 1. */
typedef struct fx_field {
    char table[512];
    char column[32];
} fx_field;

typedef struct fx {
    ps_ruleset *rs;
    ps_matcher *m;
    ps_match_ctx *ctx;
    ps_people *p;
    ps_row_facts rows[FX_ROWS];
    size_t nrows;
    /* Feed records with field ids, as the CSV, SQLite and SQL-dump readers do. */
    bool ids;
    fx_field fields[FX_FIELDS];
    uint32_t nfields;
} fx;

static int on_row(void *ud, const ps_row_facts *row, const ps_loc *loc)
{
    fx *f = ud;

    (void)loc;
    if (f->nrows < FX_ROWS)
        f->rows[f->nrows++] = *row;
    return 0;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    ps_diag d;

    assert_int_equal(ps_ruleset_create(&f->rs), PS_OK);
    assert_int_equal(ps_rules_load_buffer(f->rs, "t.yml", yaml, sizeof(yaml) - 1, &d), PS_OK);
    assert_int_equal(ps_matcher_create(f->rs, &f->m, &d), PS_OK);
    assert_int_equal(ps_match_ctx_create(f->m, &f->ctx), PS_OK);
    assert_int_equal(ps_people_create(f->m, ps_date_from_ymd(2026, 11, 27), &f->p), PS_OK);
    *state = f;
    return 0;
}

/* The same fixture, numbering fields the way readers do (read.h). */
static int setup_ids(void **state)
{
    setup(state);
    ((fx *)*state)->ids = true;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;

    ps_people_destroy(f->p);
    ps_match_ctx_destroy(f->ctx);
    ps_matcher_destroy(f->m);
    ps_ruleset_destroy(f->rs);
    free(f);
    return 0;
}

/*
 * The id of (table, col) in the current file when the fixture numbers
 * fields: from 1, in order of first appearance, as the readers number
 * them; else 0.
 */
static uint32_t field_id(fx *f, const char *table, const char *col)
{
    fx_field *ff;

    if (!f->ids)
        return 0;
    for (uint32_t i = 0; i < f->nfields; i++) {
        if (strcmp(f->fields[i].table, table) == 0 && strcmp(f->fields[i].column, col) == 0)
            return i + 1;
    }
    assert_true(f->nfields < FX_FIELDS);
    assert_true(strlen(table) < sizeof(ff->table) && strlen(col) < sizeof(ff->column));
    ff = &f->fields[f->nfields];
    strcpy(ff->table, table);
    strcpy(ff->column, col);
    return ++f->nfields;
}

/*
 * Feed col = val[0..len), in table (a CELL record) or on a line of a CSV
 * file (table NULL), numbered like the reader would when the fixture says so.
 */
static void feed_n(fx *f, const char *table, int64_t row, const char *col, const char *val,
                   size_t len)
{
    ps_record r;

    memset(&r, 0, sizeof(r));
    r.field_id = field_id(f, table != NULL ? table : "", col);
    r.field = col;
    r.field_len = strlen(col);
    r.value = val;
    r.value_len = len;
    r.loc.kind = table != NULL ? PS_LOC_CELL : PS_LOC_LINE;
    r.loc.table = table;
    r.loc.column = col;
    if (table != NULL)
        r.loc.row = row;
    else
        r.loc.line = (uint64_t)row;
    assert_int_equal(ps_people_record(f->p, &r, on_row, f), PS_OK);
}

/* The same with the value's length from strlen. */
static void feed(fx *f, const char *table, int64_t row, const char *col, const char *val)
{
    feed_n(f, table, row, col, val, strlen(val));
}

/* Feed one cell of a table row. */
static void cell(fx *f, const char *table, int64_t row, const char *col, const char *val)
{
    feed(f, table, row, col, val);
}

/* Feed one CSV cell on a line. */
static void csv(fx *f, uint64_t line, const char *col, const char *val)
{
    feed(f, NULL, (int64_t)line, col, val);
}

static void file(fx *f, const char *path, ps_format fmt)
{
    ps_file_facts facts;

    memset(&facts, 0, sizeof(facts));
    f->nfields = 0; /* ids are per file */
    facts.rel_path = path;
    ps_match_file_begin(f->ctx, &facts);
    assert_int_equal(ps_people_file_begin(f->p, f->ctx, path, fmt), PS_OK);
}

static const ps_impact_row *row_for(const ps_impact *im, const char *country)
{
    for (size_t i = 0; i < im->nrows; i++) {
        if (strcmp(im->rows[i].country, country) == 0)
            return &im->rows[i];
    }
    return NULL;
}

/* One SQLite-like store: kids are read before parents (table order), yet link. */
static void test_store_linkage(void **state)
{
    fx *f = *state;
    ps_people_part *part = NULL;
    ps_impacts im = {0};

    file(f, "db/x.sqlite", PS_FMT_SQLITE);
    cell(f, "kids", 1, "parent_id", "10");
    cell(f, "kids", 1, "name", "Emma");
    cell(f, "kids", 1, "birthdate", "2009-05-01");
    cell(f, "kids", 1, "created_at", "2015-11-01 10:00:00");
    cell(f, "kids", 2, "parent_id", "11");
    cell(f, "kids", 2, "name", "Noah");
    cell(f, "kids", 2, "birthdate", "2011-02-03");
    cell(f, "kids", 3, "parent_id", "99"); /* no such parent: Unknown */
    cell(f, "kids", 3, "name", "Lea");
    cell(f, "kids", 4, "parent_id", "10");
    cell(f, "kids", 4, "name", "Zoe");
    cell(f, "kids", 4, "pays", "France"); /* its own country wins */
    cell(f, "parents", 1, "id", "10");
    cell(f, "parents", 1, "email", "a@example.com");
    cell(f, "parents", 1, "country", "usa");
    cell(f, "parents", 2, "id", "11");
    cell(f, "parents", 2, "email", "b@example.com");
    cell(f, "parents", 2, "country", " FR ");
    cell(f, "parents", 3, "id", "10"); /* the same parent again: counted once */
    cell(f, "parents", 3, "email", "a@example.com");
    cell(f, "parents", 4, "id", "12");
    cell(f, "parents", 4, "email", "c@example.com");
    cell(f, "parents", 4, "country", "Narnia"); /* the fallback group */
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    assert_non_null(part);
    assert_int_equal(ps_people_merge(f->rs, &part, 1, &im), PS_OK);
    assert_int_equal(im.n, 1);
    assert_string_equal(im.items[0].path, "db/x.sqlite");
    assert_int_equal(im.items[0].parents, 3);
    assert_int_equal(im.items[0].children, 4);
    assert_int_equal(row_for(&im.items[0], "US")->parents, 1);
    assert_int_equal(row_for(&im.items[0], "US")->children, 1);
    assert_int_equal(row_for(&im.items[0], "France")->parents, 1);
    assert_int_equal(row_for(&im.items[0], "France")->children, 2);
    assert_int_equal(row_for(&im.items[0], "Other")->parents, 1);
    assert_int_equal(row_for(&im.items[0], "Unknown")->children, 1);
    /* Sorted like the breach table: largest total first. */
    assert_string_equal(im.items[0].rows[0].country, "France");
    /* Row facts: age at creation (6), else at --as-of (15). */
    assert_int_equal(f->rows[0].subject, PS_SUBJECT_CHILD);
    assert_int_equal(f->rows[0].age, 6);
    assert_true(f->rows[0].identified);
    assert_int_equal(f->rows[1].age, 15);
    assert_int_equal(f->rows[2].age, -1);
    assert_int_equal(f->rows[4].subject, PS_SUBJECT_PARENT);
    ps_impacts_free(&im);
}

/*
 * Country values that look alike (same length, first and last byte: they
 * shared a slot of the lookup memo when it hashed only those) alternate:
 * every row still gets its own country.
 */
static void test_country_lookalikes(void **state)
{
    static const char *const values[] = {"France", "Fiance", "usa", "uxa", "France", "FRANCE"};
    fx *f = *state;
    ps_people_part *part = NULL;
    ps_impacts im = {0};
    char id[16];

    file(f, "db/y.sqlite", PS_FMT_SQLITE);
    for (int i = 0; i < 12; i++) {
        snprintf(id, sizeof(id), "%d", i + 1);
        cell(f, "parents", i + 1, "id", id);
        cell(f, "parents", i + 1, "email", "p@example.com");
        cell(f, "parents", i + 1, "country", values[i % 6]);
    }
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    assert_int_equal(ps_people_merge(f->rs, &part, 1, &im), PS_OK);
    assert_int_equal(im.n, 1);
    assert_int_equal(im.items[0].parents, 12);
    assert_int_equal(row_for(&im.items[0], "France")->parents, 6);
    assert_int_equal(row_for(&im.items[0], "US")->parents, 2);
    assert_int_equal(row_for(&im.items[0], "Other")->parents, 4);
    ps_impacts_free(&im);
}

/* A folder store: parents.csv and kids.csv are separate files, merged later. */
static void test_folder_store(void **state)
{
    fx *f = *state;
    ps_people_part *parts[3] = {0};
    ps_impacts im = {0};

    file(f, "export/kids.csv", PS_FMT_CSV);
    csv(f, 2, "parent_id", "1");
    csv(f, 2, "name", "Emma");
    csv(f, 3, "parent_id", "2");
    csv(f, 3, "name", "Liam");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[0]), PS_OK);
    file(f, "export/parents.csv", PS_FMT_CSV);
    csv(f, 2, "id", "1");
    csv(f, 2, "email", "a@example.com");
    csv(f, 2, "country", "US");
    csv(f, 3, "id", "2");
    csv(f, 3, "email", "b@example.com");
    csv(f, 3, "country", "United States");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[1]), PS_OK);
    file(f, "other/notes.csv", PS_FMT_CSV); /* no people: no part */
    csv(f, 2, "note", "hello");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[2]), PS_OK);
    assert_null(parts[2]);
    assert_int_equal(ps_people_merge(f->rs, parts, 3, &im), PS_OK);
    assert_int_equal(im.n, 1);
    assert_string_equal(im.items[0].path, "export");
    assert_int_equal(im.items[0].nrows, 1);
    assert_string_equal(im.items[0].rows[0].country, "US");
    assert_int_equal(im.items[0].rows[0].parents, 2);
    assert_int_equal(im.items[0].rows[0].children, 2);
    ps_impacts_free(&im);
}

/* The parts of a folder store in four files, kids first; a parent listed twice. */
static void four_file_parts(fx *f, ps_people_part *parts[4])
{
    file(f, "export/kids.csv", PS_FMT_CSV);
    csv(f, 2, "parent_id", "1");
    csv(f, 2, "name", "Emma");
    csv(f, 3, "parent_id", "3");
    csv(f, 3, "name", "Liam");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[0]), PS_OK);
    file(f, "export/parents.csv", PS_FMT_CSV);
    csv(f, 2, "id", "1");
    csv(f, 2, "email", "a@example.com");
    csv(f, 2, "country", "FR");
    csv(f, 3, "id", "2");
    csv(f, 3, "email", "b@example.com");
    csv(f, 3, "country", "FR");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[1]), PS_OK);
    file(f, "export/enfants.csv", PS_FMT_CSV);
    csv(f, 2, "parent_id", "2");
    csv(f, 2, "name", "Zoe");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[2]), PS_OK);
    file(f, "export/users.csv", PS_FMT_CSV);
    csv(f, 2, "id", "3");
    csv(f, 2, "email", "c@example.com");
    csv(f, 2, "country", "US");
    csv(f, 3, "id", "1"); /* parent 1 again, now in the US */
    csv(f, 3, "email", "a@example.com");
    csv(f, 3, "country", "US");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[3]), PS_OK);
    for (int i = 0; i < 4; i++) {
        assert_non_null(parts[i]);
        assert_string_equal(ps_people_part_folder(parts[i]), "export");
    }
}

/* US: parents 1 and 3, children Emma and Liam; France: parent 2, child Zoe. */
static void assert_four_file_table(const ps_impacts *im)
{
    assert_int_equal(im->n, 1);
    assert_string_equal(im->items[0].path, "export");
    assert_int_equal(im->items[0].parents, 3);
    assert_int_equal(im->items[0].children, 3);
    assert_int_equal(im->items[0].nrows, 2);
    assert_string_equal(im->items[0].rows[0].country, "US");
    assert_int_equal(im->items[0].rows[0].parents, 2);
    assert_int_equal(im->items[0].rows[0].children, 2);
    assert_string_equal(im->items[0].rows[1].country, "France");
    assert_int_equal(im->items[0].rows[1].parents, 1);
    assert_int_equal(im->items[0].rows[1].children, 1);
}

/*
 * A folder store in four files: merging moves a file's arrays into an
 * empty side and copies into a filled one, and either way every child
 * finds its parent, and a parent listed twice counts once, in the
 * lowest-numbered country its rows give (US before France).
 */
static void test_folder_store_four_files(void **state)
{
    fx *f = *state;
    ps_people_part *parts[4] = {0};
    ps_impacts im = {0};

    four_file_parts(f, parts);
    assert_int_equal(ps_people_merge(f->rs, parts, 4, &im), PS_OK);
    assert_four_file_table(&im);
    ps_impacts_free(&im);
}

/*
 * Joined early (as the scan does when a folder is done), the store keeps
 * only counts, and the merge gives the same table.
 */
static void test_folder_store_joined_early(void **state)
{
    fx *f = *state;
    ps_people_part *parts[4] = {0};
    ps_impacts im = {0};

    four_file_parts(f, parts);
    assert_int_equal(ps_people_join(parts, 4), PS_OK);
    for (int i = 1; i < 4; i++)
        assert_null(parts[i]);
    assert_null(ps_people_part_folder(parts[0])); /* resolved: nothing to wait for */
    assert_int_equal(ps_people_merge(f->rs, parts, 4, &im), PS_OK);
    assert_four_file_table(&im);
    ps_impacts_free(&im);
}

/* The other order: a parents file first, so the kids' links move into it. */
static void test_folder_store_parents_first(void **state)
{
    fx *f = *state;
    ps_people_part *parts[2] = {0};
    ps_impacts im = {0};

    file(f, "shop/users.csv", PS_FMT_CSV);
    csv(f, 2, "id", "7");
    csv(f, 2, "email", "g@example.com");
    csv(f, 2, "country", "France");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[0]), PS_OK);
    file(f, "shop/kids.csv", PS_FMT_CSV);
    csv(f, 2, "parent_id", "7");
    csv(f, 2, "name", "Ines");
    csv(f, 3, "parent_id", "7");
    csv(f, 3, "name", "Adam");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[1]), PS_OK);
    assert_int_equal(ps_people_merge(f->rs, parts, 2, &im), PS_OK);
    assert_int_equal(im.n, 1);
    assert_int_equal(im.items[0].nrows, 1);
    assert_string_equal(im.items[0].rows[0].country, "France");
    assert_int_equal(im.items[0].rows[0].parents, 1);
    assert_int_equal(im.items[0].rows[0].children, 2);
    ps_impacts_free(&im);
}

/* The traps: created_at, adults, ciphertext birthdates; and minors anywhere. */
static void test_traps(void **state)
{
    fx *f = *state;
    ps_people_part *part = NULL;
    ps_impacts im = {0};

    file(f, "db/hr.sqlite", PS_FMT_SQLITE);
    /* employees: adults with birthdates, created recently: no child */
    cell(f, "employees", 1, "name", "Ann");
    cell(f, "employees", 1, "birthdate", "1980-01-01");
    cell(f, "employees", 1, "created_at", "2026-11-01");
    /* an account created last month has no birthdate: created_at is not one */
    cell(f, "sessions", 1, "name", "x");
    cell(f, "sessions", 1, "created_at", "2026-11-01");
    /* kids with an encrypted birthdate: age unknown */
    cell(f, "kids", 1, "name", "Emma");
    cell(f, "kids", 1, "birthdate", "psf1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRW");
    /* a minor in a table with another name is still a child */
    cell(f, "players", 1, "name", "Sam");
    cell(f, "players", 1, "birthdate", "2015-06-30");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    assert_int_equal(f->nrows, 4);
    assert_int_equal(f->rows[0].subject, 0);
    assert_int_equal(f->rows[0].age, 46);
    assert_int_equal(f->rows[1].subject, 0);
    assert_int_equal(f->rows[1].age, -1);
    assert_int_equal(f->rows[2].subject, PS_SUBJECT_CHILD);
    assert_int_equal(f->rows[2].age, -1);
    assert_int_equal(f->rows[3].subject, PS_SUBJECT_CHILD);
    assert_int_equal(f->rows[3].age, 11);
    assert_int_equal(ps_people_merge(f->rs, &part, 1, &im), PS_OK);
    ps_impacts_free(&im);
}

/* 03/04/2010 is 3 April or 4 March: the younger reading is taken. */
static void test_ambiguous_date(void **state)
{
    fx *f = *state;
    ps_people_part *part = NULL;

    file(f, "fr/enfants.csv", PS_FMT_CSV);
    csv(f, 2, "prenom", "Lou");
    csv(f, 2, "date_de_naissance", "03/04/2010");
    csv(f, 2, "created_at", "2023-03-10");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    /* 4 March 2010 gives 13 on 2023-03-10; 3 April 2010 gives 12: 12 wins. */
    assert_int_equal(f->rows[0].age, 12);
    assert_int_equal(f->rows[0].subject, PS_SUBJECT_CHILD);
    ps_people_part_free(part);
}

/* Formats that hold no rows of people are ignored. */
static void test_inactive_formats(void **state)
{
    fx *f = *state;
    ps_people_part *part = NULL;

    file(f, "logs/app.log", PS_FMT_TEXT);
    csv(f, 1, "", "user=ann@example.com");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    assert_null(part);
    assert_int_equal(f->nrows, 0);
}

/* --- field ids: rows and roles from per-file numbers ------------------------ */

/* Row i's subject, age and whether it identifies its person. */
static void assert_row(const fx *f, size_t i, uint32_t subject, int age, bool identified)
{
    const ps_row_facts *r = &f->rows[i];

    assert_true(i < f->nrows);
    if (r->subject != subject || r->age != age || r->identified != identified)
        fail_msg("row %zu: subject %u age %d identified %d, want %u %d %d", i, r->subject,
                 r->age, (int)r->identified, subject, age, (int)identified);
}

/* The file's part, merged alone: its one impact entry. */
static void end_store(fx *f, ps_impacts *im)
{
    ps_people_part *part = NULL;

    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    if (part == NULL)
        fail_msg("no people counted in %zu rows", f->nrows);
    assert_int_equal(ps_people_merge(f->rs, &part, 1, im), PS_OK);
    assert_int_equal(im->n, 1);
}

/*
 * Two tables interleaved row by row (as a SQL dump may list them): parents
 * row 1, kids row 1, parents row 2, kids row 2.  Consecutive records share
 * a row number but not a table, so each is a row of its own.
 */
static void test_interleaved_tables(void **state)
{
    fx *f = *state;
    ps_impacts im = {0};

    file(f, "db/dump.sql", PS_FMT_SQLDUMP);
    for (int64_t row = 1; row <= 2; row++) {
        cell(f, "parents", row, "id", row == 1 ? "10" : "11");
        cell(f, "parents", row, "email", "p@example.com");
        cell(f, "parents", row, "country", row == 1 ? "US" : "FR");
        cell(f, "kids", row, "parent_id", row == 1 ? "11" : "10");
        cell(f, "kids", row, "name", "Emma");
        cell(f, "kids", row, "birthdate", "2015-06-30");
    }
    end_store(f, &im);
    assert_int_equal(f->nrows, 4);
    for (size_t i = 0; i < 4; i += 2) {
        assert_row(f, i, PS_SUBJECT_PARENT, -1, false);
        assert_row(f, i + 1, PS_SUBJECT_CHILD, 11, true);
    }
    assert_int_equal(im.items[0].parents, 2);
    assert_int_equal(im.items[0].children, 2);
    /* Each child found the other row's parent: one of each per country. */
    assert_int_equal(row_for(&im.items[0], "US")->children, 1);
    assert_int_equal(row_for(&im.items[0], "France")->children, 1);
    ps_impacts_free(&im);
}

/*
 * The next file gives the ids of the last one to other fields: id 1 was
 * parents.country, is now kids.birthdate; id 2 was parents.email, is now
 * kids.name.  The roles and tables must be those of this file.
 */
static void test_ids_per_file(void **state)
{
    fx *f = *state;
    ps_impacts im = {0};

    file(f, "db/a.sqlite", PS_FMT_SQLITE);
    cell(f, "parents", 1, "country", "US");
    cell(f, "parents", 1, "email", "p@example.com");
    end_store(f, &im);
    assert_int_equal(row_for(&im.items[0], "US")->parents, 1);
    ps_impacts_free(&im);

    f->nrows = 0;
    file(f, "db/b.sqlite", PS_FMT_SQLITE);
    cell(f, "kids", 1, "birthdate", "2015-06-30");
    cell(f, "kids", 1, "name", "Emma");
    cell(f, "kids", 2, "birthdate", "1990-01-01");
    cell(f, "kids", 2, "name", "Noah");
    end_store(f, &im);
    assert_int_equal(f->nrows, 2);
    assert_row(f, 0, PS_SUBJECT_CHILD, 11, true);
    assert_row(f, 1, PS_SUBJECT_CHILD, 36, true); /* a kids row is a child whatever its age */
    assert_int_equal(im.items[0].parents, 0);
    assert_int_equal(row_for(&im.items[0], "Unknown")->children, 2);
    ps_impacts_free(&im);
}

/*
 * Table names too long to keep whole (300 bytes, no table number): cells
 * of one row are still one row, and two such tables that differ only past
 * the kept bytes are still two.  Fails as of a455db1 (and before it):
 * row_open keeps the name cut to NAME_MAX_KEPT - 1 bytes and the next cell
 * compares that with its whole name, so every cell is a row of its own.
 */
static void test_long_table_names(void **state)
{
    fx *f = *state;
    ps_impacts im = {0};
    char a[301], b[301];

    memset(a, 'x', 300);
    a[300] = '\0';
    memcpy(b, a, sizeof(b));
    b[299] = 'y';
    file(f, "db/long.sqlite", PS_FMT_SQLITE);
    cell(f, a, 1, "name", "Emma");
    cell(f, a, 1, "birthdate", "2015-06-30");
    cell(f, b, 1, "name", "Noah");
    cell(f, b, 1, "birthdate", "2014-06-30");
    cell(f, a, 2, "name", "Ann");
    cell(f, a, 2, "birthdate", "1980-01-01");
    end_store(f, &im);
    assert_int_equal(f->nrows, 3);
    assert_row(f, 0, PS_SUBJECT_CHILD, 11, true);
    assert_row(f, 1, PS_SUBJECT_CHILD, 12, true);
    assert_row(f, 2, 0, 46, true);
    assert_int_equal(im.items[0].children, 2);
    ps_impacts_free(&im);
}

/*
 * More tables than get numbers (PEOPLE_TABS, 32, in people.c), visited
 * row by row: t00 row 1, t01 row 1, ... t39 row 1, t00 row 2, ...  Every
 * table's rows stay apart, and a table past the numbered ones still gets
 * its subject from its name ("kids": child at any age).
 */
static void test_many_tables(void **state)
{
    enum { NTAB = 40, KIDS = 36 };
    fx *f = *state;
    ps_impacts im = {0};
    char names[NTAB][8];

    for (int t = 0; t < NTAB; t++)
        snprintf(names[t], sizeof(names[t]), t == KIDS ? "kids" : "t%02d", t);
    file(f, "db/wide.sqlite", PS_FMT_SQLITE);
    for (int64_t row = 1; row <= 2; row++) {
        for (int t = 0; t < NTAB; t++) {
            cell(f, names[t], row, "name", "Sam");
            cell(f, names[t], row, "birthdate", row == 1 ? "2015-06-30" : "1980-01-01");
        }
    }
    end_store(f, &im);
    assert_int_equal(f->nrows, 2 * NTAB);
    for (int t = 0; t < NTAB; t++) {
        assert_row(f, (size_t)t, PS_SUBJECT_CHILD, 11, true);
        assert_row(f, (size_t)(NTAB + t), t == KIDS ? PS_SUBJECT_CHILD : 0, 46, true);
    }
    /* Row 1 of every table is a minor; row 2 only in kids. */
    assert_int_equal(im.items[0].children, NTAB + 1);
    ps_impacts_free(&im);
}

/*
 * Thousands of parents, in no order, some listed twice under two countries,
 * with ids spread over all eight bytes of a key: the join sorts them (a
 * radix sort, people.c), keeps each once, in the lower-numbered country,
 * and finds every child's parent.  Ids that differ only in a high byte, or
 * only in the lowest, must stay apart.
 */
static void test_many_parents(void **state)
{
    enum { N = 3000 };
    fx *f = *state;
    ps_impacts im = {0};
    char id[32];
    int64_t row = 0;
    size_t us = 0, fr = 0, kids_us = 0, kids_fr = 0;

    file(f, "db/big.sqlite", PS_FMT_SQLITE);
    for (uint64_t k = 0; k < N; k++) {
        /* A permutation of 0 .. N-1, then spread: k's key differs from its neighbours' high bytes. */
        uint64_t j = (k * 1237u) % N;
        uint64_t key = (j << 52) | (j % 3 == 0 ? UINT64_C(1) << 33 : 0) | (j & 1u);
        bool in_us = j % 2 == 0 || j % 7 == 0;

        snprintf(id, sizeof(id), "%llu", (unsigned long long)key);
        row++;
        cell(f, "parents", row, "id", id);
        cell(f, "parents", row, "email", "p@example.com");
        cell(f, "parents", row, "country", j % 2 == 0 ? "US" : "France");
        if (j % 7 == 0) {
            /* The same parent again, elsewhere: US (group 0) wins over France. */
            row++;
            cell(f, "parents", row, "id", id);
            cell(f, "parents", row, "email", "p@example.com");
            cell(f, "parents", row, "country", j % 2 == 0 ? "France" : "US");
        }
        if (j % 5 == 0) {
            cell(f, "kids", (int64_t)k + 1, "parent_id", id);
            cell(f, "kids", (int64_t)k + 1, "name", "Sam");
            if (in_us)
                kids_us++;
            else
                kids_fr++;
        }
        if (in_us)
            us++;
        else
            fr++;
    }
    end_store(f, &im);
    assert_int_equal(im.items[0].parents, N);
    assert_int_equal(row_for(&im.items[0], "US")->parents, us);
    assert_int_equal(row_for(&im.items[0], "France")->parents, fr);
    assert_int_equal(row_for(&im.items[0], "US")->children, kids_us);
    assert_int_equal(row_for(&im.items[0], "France")->children, kids_fr);
    assert_null(row_for(&im.items[0], "Unknown"));
    ps_impacts_free(&im);
}

/*
 * More spellings of countries than the lookup memo has slots (people.c), in
 * a cycle, so that they evict each other: each row still gets its country.
 */
static void test_many_spellings(void **state)
{
    enum { SPELLINGS = 600, ROWS = 1800 };
    fx *f = *state;
    ps_impacts im = {0};
    char id[16], val[16];
    size_t want[3] = {0};

    file(f, "db/spell.sqlite", PS_FMT_SQLITE);
    for (int i = 0; i < ROWS; i++) {
        int s = (i * 7) % SPELLINGS, group = s % 3;
        const char *base = group == 0 ? "united states" : group == 1 ? "france" : "atlantis";
        size_t n = strlen(base);

        /* Spelling s: its bits choose the case of the first letters. */
        for (size_t c = 0; c < n; c++) {
            bool up = c < 8 && ((s / 3) >> c) & 1;
            val[c] = (char)(up && base[c] != ' ' ? base[c] - 'a' + 'A' : base[c]);
        }
        val[n] = '\0';
        snprintf(id, sizeof(id), "%d", i + 1);
        cell(f, "parents", i + 1, "id", id);
        cell(f, "parents", i + 1, "email", "p@example.com");
        cell(f, "parents", i + 1, "country", val);
        want[group]++;
    }
    end_store(f, &im);
    assert_int_equal(im.items[0].parents, ROWS);
    assert_int_equal(row_for(&im.items[0], "US")->parents, want[0]);
    assert_int_equal(row_for(&im.items[0], "France")->parents, want[1]);
    assert_int_equal(row_for(&im.items[0], "Other")->parents, want[2]);
    ps_impacts_free(&im);
}

/* --- the record fast paths (people.c) ---------------------------------------- */

/*
 * A creation date is parsed only for rows with a birthdate, and kept
 * unparsed when it comes first.  Each row: its age at creation, or at
 * --as-of (2026-11-27) without one; a kept date never reaches the next row.
 */
static void test_created_kept(void **state)
{
    fx *f = *state;
    ps_impacts im = {0};
    char padded[80];

    /* A valid creation date longer than the bytes kept: parsed at once. */
    snprintf(padded, sizeof(padded), "%50s2015-11-01", "");
    file(f, "export/kids.csv", PS_FMT_CSV);
    /* 2: created before the birthdate: age at creation */
    csv(f, 2, "created_at", "2015-11-01");
    csv(f, 2, "name", "Emma");
    csv(f, 2, "birthdate", "2009-05-01");
    /* 3: a creation date and no birthdate; 4: a birthdate, no creation date */
    csv(f, 3, "created_at", "2012-01-01");
    csv(f, 3, "name", "Noah");
    csv(f, 4, "name", "Lea");
    csv(f, 4, "birthdate", "2009-05-01");
    /* 5: two creation columns, the first not a date: the second counts */
    csv(f, 5, "created_at", "yesterday");
    csv(f, 5, "x/created_at", "2015-11-01");
    csv(f, 5, "birthdate", "2009-05-01");
    /* 6: two dates: the first wins, whether kept or parsed */
    csv(f, 6, "created_at", "2015-11-01");
    csv(f, 6, "x/created_at", "2020-01-01");
    csv(f, 6, "birthdate", "2009-05-01");
    csv(f, 7, "birthdate", "2009-05-01");
    csv(f, 7, "created_at", "2015-11-01");
    csv(f, 7, "x/created_at", "2020-01-01");
    /* 8: kept, then one too long to keep: the kept one is first */
    csv(f, 8, "created_at", "2012-06-01");
    csv(f, 8, "x/created_at", padded);
    csv(f, 8, "birthdate", "2009-05-01");
    /* 9: too long, first; 10: not a date at all, kept */
    csv(f, 9, "created_at", padded);
    csv(f, 9, "birthdate", "2009-05-01");
    csv(f, 10, "created_at", "not a date");
    csv(f, 10, "birthdate", "2009-05-01");
    /* 11: an empty creation date is none */
    csv(f, 11, "created_at", "");
    csv(f, 11, "x/created_at", "2012-06-01");
    csv(f, 11, "birthdate", "2009-05-01");
    end_store(f, &im);
    assert_int_equal(f->nrows, 10);
    assert_row(f, 0, PS_SUBJECT_CHILD, 6, true);
    assert_row(f, 1, PS_SUBJECT_CHILD, -1, true);
    assert_row(f, 2, PS_SUBJECT_CHILD, 17, true); /* not 2 (row 3's 2012 creation) */
    assert_row(f, 3, PS_SUBJECT_CHILD, 6, false);
    assert_row(f, 4, PS_SUBJECT_CHILD, 6, false);
    assert_row(f, 5, PS_SUBJECT_CHILD, 6, false);
    assert_row(f, 6, PS_SUBJECT_CHILD, 3, false);
    assert_row(f, 7, PS_SUBJECT_CHILD, 6, false);
    assert_row(f, 8, PS_SUBJECT_CHILD, 17, false);
    assert_row(f, 9, PS_SUBJECT_CHILD, 3, false);
    ps_impacts_free(&im);
}

/*
 * Line files whose rows start with columns of no role (a chat log's id and
 * time): the first record of each line still ends the row before it.  Field
 * ids past PS_FIELD_IDS are treated as no id.
 */
static void test_rows_without_roles(void **state)
{
    fx *f = *state;
    ps_people_part *part = NULL;
    ps_record r;

    file(f, "chat/log.jsonl", PS_FMT_JSONL);
    for (uint64_t line = 1; line <= 4; line++) {
        csv(f, line, "/id", "7");
        csv(f, line, "/ts", "2015-10-01T00:00:06Z");
        if (line % 2 == 0)
            csv(f, line, "/name", "Emma");
        csv(f, line, "/body", "hello");
    }
    memset(&r, 0, sizeof(r));
    r.field = "/name";
    r.field_len = 5;
    r.value = "Noah";
    r.value_len = 4;
    r.loc.kind = PS_LOC_LINE;
    r.loc.line = 5;
    r.field_id = PS_FIELD_IDS + 7;
    assert_int_equal(ps_people_record(f->p, &r, on_row, f), PS_OK);
    r.field = "/body";
    r.field_len = 5;
    r.value = "hi";
    r.value_len = 2;
    r.field_id = PS_FIELD_IDS;
    assert_int_equal(ps_people_record(f->p, &r, on_row, f), PS_OK);
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    assert_null(part); /* nobody's parent or child */
    assert_int_equal(f->nrows, 5);
    for (size_t i = 0; i < 5; i++)
        assert_row(f, i, 0, -1, i % 2 == 1 || i == 4);
}

/*
 * The next file gives the last one's field ids (and table number 1) to a
 * table of another kind: the roles a row wants follow the new table.  A
 * parents file, then a kids file with the same columns, then parents again.
 */
static void test_ids_per_line_file(void **state)
{
    fx *f = *state;
    ps_people_part *parts[3] = {0};
    ps_impacts im = {0};

    file(f, "export/parents.csv", PS_FMT_CSV);
    csv(f, 2, "id", "1");
    csv(f, 2, "email", "a@example.com");
    csv(f, 2, "name", "Ann");
    csv(f, 2, "country", "FR");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[0]), PS_OK);
    file(f, "export/kids.csv", PS_FMT_CSV);
    csv(f, 2, "id", "5");
    csv(f, 2, "email", "kid@example.com");
    csv(f, 2, "name", "Emma");
    csv(f, 2, "parent_id", "1");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[1]), PS_OK);
    file(f, "export/users.csv", PS_FMT_CSV);
    csv(f, 2, "id", "2");
    csv(f, 2, "email", "b@example.com");
    csv(f, 2, "name", "Bob");
    csv(f, 2, "country", "US");
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &parts[2]), PS_OK);
    assert_int_equal(f->nrows, 3);
    assert_row(f, 0, PS_SUBJECT_PARENT, -1, true);
    assert_row(f, 1, PS_SUBJECT_CHILD, -1, true);
    assert_row(f, 2, PS_SUBJECT_PARENT, -1, true);
    assert_int_equal(ps_people_merge(f->rs, parts, 3, &im), PS_OK);
    assert_int_equal(im.n, 1);
    assert_int_equal(im.items[0].parents, 2);
    assert_int_equal(im.items[0].children, 1);
    assert_int_equal(row_for(&im.items[0], "France")->children, 1); /* parent 1, not kid 5 */
    ps_impacts_free(&im);
}

/*
 * A column with two roles (email: the parent's key and a contact), and a
 * blank country followed by a real one: every role of a column is taken,
 * and a role that got no value is still wanted by later columns.
 */
static void test_column_roles(void **state)
{
    fx *f = *state;
    ps_impacts im = {0};

    file(f, "db/mail.sqlite", PS_FMT_SQLITE);
    cell(f, "parents", 1, "email", "Ann@Example.com");
    cell(f, "parents", 1, "pays", "  ");
    cell(f, "parents", 1, "country", "FR");
    cell(f, "parents", 2, "email", "ann@example.com"); /* the same key */
    cell(f, "parents", 3, "email", "bob@example.com");
    cell(f, "kids", 1, "parent_email", " ann@example.COM");
    cell(f, "kids", 1, "name", "Emma");
    end_store(f, &im);
    assert_int_equal(im.items[0].parents, 2);
    assert_int_equal(row_for(&im.items[0], "France")->parents, 1);
    assert_int_equal(row_for(&im.items[0], "Unknown")->parents, 1);
    assert_int_equal(row_for(&im.items[0], "France")->children, 1);
    ps_impacts_free(&im);
}

/*
 * Keys: ids of up to 18 digits, once spaces, quotes and a CR are trimmed,
 * are numbers (so "000000000000000001" is parent 1), longer ones and
 * anything else are hashed, trimmed and without regard to case.  Each child below names the parent in its country.
 */
static void test_key_forms(void **state)
{
    static const struct {
        const char *parent, *country, *link;
    } keys[] = {
        {"1", "US", "000000000000000001"},
        {"00000000000000000001", "France", "00000000000000000001"}, /* 20 digits: hashed */
        {"18446744073709551617", "Narnia", " \"18446744073709551617\""}, /* 2^64 + 1 */
        {"77", "France", "\"77\""},
        {"12345678901234567", "US", "12345678901234567 "},
        {"123456789012345678", "US", "123456789012345678"},
        {"223456789012345678", "US", "\"223456789012345678\"\r"}, /* trimmed to 18 digits */
        {"1A2", "France", "1a2"},
        {"9 9", "Narnia", "9 9"},
    };
    fx *f = *state;
    ps_impacts im = {0};
    size_t n = sizeof(keys) / sizeof(keys[0]);

    file(f, "db/keys.sqlite", PS_FMT_SQLITE);
    for (size_t i = 0; i < n; i++) {
        cell(f, "parents", (int64_t)i + 1, "id", keys[i].parent);
        cell(f, "parents", (int64_t)i + 1, "email", "p@example.com");
        cell(f, "parents", (int64_t)i + 1, "country", keys[i].country);
        cell(f, "kids", (int64_t)i + 1, "parent_id", keys[i].link);
        cell(f, "kids", (int64_t)i + 1, "name", "Sam");
    }
    end_store(f, &im);
    assert_int_equal(im.items[0].parents, n);
    assert_int_equal(row_for(&im.items[0], "US")->children, 4);
    assert_int_equal(row_for(&im.items[0], "France")->children, 3);
    assert_int_equal(row_for(&im.items[0], "Other")->children, 2);
    assert_null(row_for(&im.items[0], "Unknown"));
    ps_impacts_free(&im);
}

/*
 * Parents in id order, as exports list them (the join then skips its
 * sort), with a parent listed twice in a row; and the same but for the
 * last parent, out of order, which must still be sorted.
 */
static void test_parents_in_order(void **state)
{
    enum { N = 200 };
    fx *f = *state;
    ps_impacts im = {0};
    char id[16];

    for (int pass = 0; pass < 2; pass++) {
        int64_t row = 0;

        f->nrows = 0;
        file(f, pass == 0 ? "db/sorted.sqlite" : "db/almost.sqlite", PS_FMT_SQLITE);
        for (int i = 1; i <= N; i++) {
            int key = pass == 1 && i == N ? 0 : i;

            snprintf(id, sizeof(id), "%d", key);
            for (int twice = 0; twice < (i % 10 == 0 ? 2 : 1); twice++) {
                row++;
                cell(f, "parents", row, "id", id);
                cell(f, "parents", row, "email", "p@example.com");
                cell(f, "parents", row, "country", twice ? "US" : "France");
            }
            if (i % 4 == 0) {
                cell(f, "kids", i, "parent_id", id);
                cell(f, "kids", i, "name", "Sam");
            }
        }
        end_store(f, &im);
        /* Ids 10, 20, ... are in the US (listed there too); 4 in 4 kids of them. */
        assert_int_equal(im.items[0].parents, N);
        assert_int_equal(row_for(&im.items[0], "US")->parents, N / 10);
        assert_int_equal(row_for(&im.items[0], "France")->parents, N - N / 10);
        assert_int_equal(row_for(&im.items[0], "US")->children, N / 20);
        assert_int_equal(row_for(&im.items[0], "France")->children, N / 4 - N / 20);
        ps_impacts_free(&im);
    }
}

/*
 * Parent ids without gaps (100 .. 139, listed out of order and one of
 * them twice; those below 125 in France) are found by their offset from
 * the first; links just below the first id, just past the last, far past
 * it or hashed find no parent.  With a gap (no parent 120) the join must
 * search instead: an offset would give child 124 parent 125's country.
 */
static void test_parents_dense(void **state)
{
    enum { FIRST = 100, N = 40 };
    static const char *const strays[] = {"99", "140", "0", "18446744073709551615", "abc"};
    fx *f = *state;
    ps_impacts im = {0};
    char id[16];

    for (int gap = 0; gap < 2; gap++) {
        int64_t row = 0, kid = 0;
        size_t fr = 0;

        f->nrows = 0;
        file(f, gap ? "db/gap.sqlite" : "db/dense.sqlite", PS_FMT_SQLITE);
        for (int i = 0; i < N; i++) {
            int key = FIRST + (i * 7) % N;

            if (gap && key == 120)
                continue;
            snprintf(id, sizeof(id), "%d", key);
            row++;
            cell(f, "parents", row, "id", id);
            cell(f, "parents", row, "email", "p@example.com");
            cell(f, "parents", row, "country", key < 125 ? "FR" : "US");
            if (key == 110) {
                row++;
                cell(f, "parents", row, "id", id);
                cell(f, "parents", row, "email", "p@example.com");
            }
            kid++;
            cell(f, "kids", kid, "parent_id", id);
            cell(f, "kids", kid, "name", "Sam");
            fr += key < 125;
        }
        for (size_t i = 0; i < sizeof(strays) / sizeof(strays[0]); i++) {
            kid++;
            cell(f, "kids", kid, "parent_id", strays[i]);
            cell(f, "kids", kid, "name", "Sam");
        }
        end_store(f, &im);
        assert_int_equal(im.items[0].parents, N - gap);
        assert_int_equal(row_for(&im.items[0], "France")->children, fr);
        assert_int_equal(row_for(&im.items[0], "US")->children, (size_t)(N - gap) - fr);
        assert_int_equal(row_for(&im.items[0], "Unknown")->children, 5);
        ps_impacts_free(&im);
    }
}

/*
 * Country values that the lookup memo keeps as two zero-padded words:
 * values that differ only past the eighth byte, or only by a trailing NUL
 * (padding alone would make "us" and "us\0" one key), and values of 15
 * and 16 bytes (kept, and too long to keep), each alternating with its
 * lookalike.
 */
static void test_country_words(void **state)
{
    static const struct {
        const char *v;
        size_t n;
        const char *country;
    } values[] = {
        {"United States", 13, "US"},  {"United Statex", 13, "Other"},
        {"us", 2, "US"},              {"us\0", 3, "Other"},
        {"  United States", 15, "US"}, {"   United Statex", 16, "Other"},
        {"   United States", 16, "US"}, {"  United Statex", 15, "Other"},
    };
    enum { NV = sizeof(values) / sizeof(values[0]) };
    fx *f = *state;
    ps_impacts im = {0};
    char id[16];

    file(f, "db/words.sqlite", PS_FMT_SQLITE);
    for (int i = 0; i < 4 * NV; i++) {
        int k = i % NV;

        snprintf(id, sizeof(id), "%d", i + 1);
        cell(f, "parents", i + 1, "id", id);
        cell(f, "parents", i + 1, "email", "p@example.com");
        feed_n(f, "parents", i + 1, "country", values[k].v, values[k].n);
    }
    end_store(f, &im);
    assert_int_equal(row_for(&im.items[0], "US")->parents, 2 * NV);
    assert_int_equal(row_for(&im.items[0], "Other")->parents, 2 * NV);
    ps_impacts_free(&im);
}

/*
 * "fr", "BE" and "sd" pick the same pair of slots of the country memo (as
 * people.c hashes them today): each of two alternating values is found in
 * its slot of the pair, and a third one evicts the older of the two.
 */
static void test_country_pair(void **state)
{
    static const char *const seq[] = {"fr", "BE", "fr", "BE", "fr", "sd", "BE", "sd", "fr"};
    enum { NS = sizeof(seq) / sizeof(seq[0]) };
    fx *f = *state;
    ps_impacts im = {0};
    size_t france = 0;
    char id[16];

    file(f, "db/pair.sqlite", PS_FMT_SQLITE);
    for (int i = 0; i < NS; i++) {
        snprintf(id, sizeof(id), "%d", i + 1);
        cell(f, "parents", i + 1, "id", id);
        cell(f, "parents", i + 1, "email", "p@example.com");
        cell(f, "parents", i + 1, "country", seq[i]);
        france += strcmp(seq[i], "fr") == 0;
    }
    end_store(f, &im);
    assert_int_equal(row_for(&im.items[0], "France")->parents, france);
    assert_int_equal(row_for(&im.items[0], "Other")->parents, NS - france);
    ps_impacts_free(&im);
}

/*
 * A reader that runs out of field ids (read.h) gives some cells of a row
 * an id and others none: a row opened by a cell without one is still the
 * row of the next cells with one, and the other way round.
 */
static void test_ids_mixed(void **state)
{
    fx *f = *state;
    ps_people_part *part = NULL;

    file(f, "db/mixed.sqlite", PS_FMT_SQLITE);
    for (int64_t row = 1; row <= 2; row++) {
        f->ids = false;
        cell(f, "players", row, "name", "Sam");
        f->ids = true;
        cell(f, "players", row, "birthdate", "2015-06-30");
        cell(f, "players", row, "pays", "FR");
        f->ids = false;
        cell(f, "players", row, "created_at", "2020-01-01");
    }
    assert_int_equal(ps_people_file_end(f->p, on_row, f, &part), PS_OK);
    assert_int_equal(f->nrows, 2);
    assert_row(f, 0, PS_SUBJECT_CHILD, 4, true);
    assert_row(f, 1, PS_SUBJECT_CHILD, 4, true);
    ps_people_part_free(part);
}

int main(void)
{
    /* Each test twice: cells without field ids, and numbered as readers number them. */
#define PS_BOTH(t) cmocka_unit_test_setup_teardown(t, setup, teardown), \
                   { #t " (field ids)", t, setup_ids, teardown, NULL }
    const struct CMUnitTest tests[] = {
        PS_BOTH(test_store_linkage),
        PS_BOTH(test_country_lookalikes),
        PS_BOTH(test_folder_store),
        PS_BOTH(test_folder_store_four_files),
        PS_BOTH(test_folder_store_joined_early),
        PS_BOTH(test_folder_store_parents_first),
        PS_BOTH(test_traps),
        PS_BOTH(test_ambiguous_date),
        PS_BOTH(test_inactive_formats),
        PS_BOTH(test_interleaved_tables),
        PS_BOTH(test_ids_per_file),
        PS_BOTH(test_long_table_names),
        PS_BOTH(test_many_tables),
        PS_BOTH(test_many_parents),
        PS_BOTH(test_many_spellings),
        PS_BOTH(test_created_kept),
        PS_BOTH(test_rows_without_roles),
        PS_BOTH(test_ids_per_line_file),
        PS_BOTH(test_column_roles),
        PS_BOTH(test_key_forms),
        PS_BOTH(test_parents_in_order),
        PS_BOTH(test_parents_dense),
        PS_BOTH(test_country_words),
        PS_BOTH(test_country_pair),
        cmocka_unit_test_setup_teardown(test_ids_mixed, setup, teardown),
    };
#undef PS_BOTH
    return cmocka_run_group_tests(tests, NULL, NULL);
}

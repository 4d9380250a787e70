/*
 * test_people.c - rows as people: subjects, ages at creation vs --as-of,
 * ambiguous dates, country normalisation, linkage inside one store and
 * across the files of a folder store, and the traps (created_at is not a
 * birthdate, adults are not children, ciphertext is not a birthdate).
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

typedef struct fx {
    ps_ruleset *rs;
    ps_matcher *m;
    ps_match_ctx *ctx;
    ps_people *p;
    ps_row_facts rows[64];
    size_t nrows;
} fx;

static int on_row(void *ud, const ps_row_facts *row, const ps_loc *loc)
{
    fx *f = ud;

    (void)loc;
    if (f->nrows < 64)
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

/* Feed one cell of a table row. */
static void cell(fx *f, const char *table, int64_t row, const char *col, const char *val)
{
    ps_record r;

    memset(&r, 0, sizeof(r));
    r.field = col;
    r.field_len = strlen(col);
    r.value = val;
    r.value_len = strlen(val);
    r.loc.kind = PS_LOC_CELL;
    r.loc.table = table;
    r.loc.column = col;
    r.loc.row = row;
    assert_int_equal(ps_people_record(f->p, &r, on_row, f), PS_OK);
}

/* Feed one CSV cell on a line. */
static void csv(fx *f, uint64_t line, const char *col, const char *val)
{
    ps_record r;

    memset(&r, 0, sizeof(r));
    r.field = col;
    r.field_len = strlen(col);
    r.value = val;
    r.value_len = strlen(val);
    r.loc.kind = PS_LOC_LINE;
    r.loc.line = line;
    r.loc.column = col;
    assert_int_equal(ps_people_record(f->p, &r, on_row, f), PS_OK);
}

static void file(fx *f, const char *path, ps_format fmt)
{
    ps_file_facts facts;

    memset(&facts, 0, sizeof(facts));
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
 * Country values that look alike to the lookup memo (same length, first and
 * last byte) alternate, so each evicts the other: every row still gets its
 * own country.
 */
static void test_country_lookalikes(void **state)
{
    static const char *const values[] = {"France", "Fiance", "usa", "uxa", "France", "FRANCE"};
    fx *f = *state;
    ps_people_part *part = NULL;
    ps_impacts im = {0};
    char id[8];

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_linkage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_country_lookalikes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_store_four_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_store_joined_early, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_store_parents_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ambiguous_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inactive_formats, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

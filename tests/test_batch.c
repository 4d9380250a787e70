/*
 * test_batch.c - records copied into a batch outlive the reader's buffers,
 * a full batch refuses without changing, and one huge record still fits.
 * Records of one field id share the names copied for the first of them,
 * within one batch only.
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

#include "batch.h"

static ps_record cell(const char *table, const char *column, const char *value, size_t len,
                      int64_t row)
{
    ps_record r;

    memset(&r, 0, sizeof(r));
    r.field = column;
    r.field_len = strlen(column);
    r.value = value;
    r.value_len = len;
    r.loc.kind = PS_LOC_CELL;
    r.loc.table = table;
    r.loc.column = column;
    r.loc.row = row;
    r.media = PS_MEDIA_NONE;
    return r;
}

/* A cell with a field id and a C-string value, as an id-numbering reader gives it. */
static ps_record cell_id(const char *table, const char *column, const char *value, uint32_t id)
{
    ps_record r = cell(table, column, value, strlen(value), 1);

    r.field_id = id;
    return r;
}

/* Bytes a record takes when all its strings are copied (value, field, table, column). */
static size_t full_cost(const ps_record *r)
{
    return r->value_len + 1 + r->field_len + 1 + strlen(r->loc.table) + 1 +
           strlen(r->loc.column) + 1;
}

/* recs[i] holds table.column = value, its strings in the arena. */
static void assert_cell(const ps_batch *b, size_t i, const char *table, const char *column,
                        const char *value)
{
    const ps_record *r = &b->recs[i];

    assert_true(i < b->n);
    assert_string_equal(r->loc.table, table);
    assert_string_equal(r->loc.column, column);
    assert_int_equal(r->field_len, strlen(column));
    assert_memory_equal(r->field, column, r->field_len);
    assert_int_equal(r->value_len, strlen(value));
    assert_memory_equal(r->value, value, r->value_len);
    assert_true(r->value >= b->arena && r->value < b->arena + b->used);
    assert_true(r->field >= b->arena && r->field < b->arena + b->used);
}

/* The copy does not depend on the reader's buffers, which change right after. */
static void test_batch_copies(void **state)
{
    char table[] = "kids", column[] = "name", value[] = "Emma\0Zoe";
    ps_batch *b = ps_batch_new(4, 256);
    ps_record r = cell(table, column, value, 8, 7);

    (void)state;
    assert_non_null(b);
    r.is_null = 0;
    assert_int_equal(ps_batch_add(b, &r), PS_OK);
    memset(table, 'x', sizeof(table) - 1);
    memset(column, 'y', sizeof(column) - 1);
    memset(value, 'z', sizeof(value) - 1);
    assert_int_equal(b->n, 1);
    assert_string_equal(b->recs[0].loc.table, "kids");
    assert_string_equal(b->recs[0].loc.column, "name");
    assert_int_equal(b->recs[0].field_len, 4);
    assert_memory_equal(b->recs[0].field, "name", 4);
    assert_int_equal(b->recs[0].value_len, 8);
    assert_memory_equal(b->recs[0].value, "Emma\0Zoe", 8); /* BLOB bytes, NUL included */
    assert_int_equal(b->recs[0].loc.row, 7);
    assert_int_equal(b->recs[0].loc.kind, PS_LOC_CELL);
    assert_null(b->recs[0].loc.pointer);
    ps_batch_free(b);
}

/* A JSON Lines record: a pointer and a line, no table; NULL field and value. */
static void test_batch_optional_strings(void **state)
{
    ps_batch *b = ps_batch_new(4, 256);
    ps_record r;

    (void)state;
    assert_non_null(b);
    memset(&r, 0, sizeof(r));
    r.loc.kind = PS_LOC_LINE;
    r.loc.line = 12;
    r.loc.pointer = "/msg/0/body";
    assert_int_equal(ps_batch_add(b, &r), PS_OK);
    assert_null(b->recs[0].loc.table);
    assert_null(b->recs[0].loc.column);
    assert_string_equal(b->recs[0].loc.pointer, "/msg/0/body");
    assert_non_null(b->recs[0].value);
    assert_int_equal(b->recs[0].value_len, 0);
    assert_int_equal(b->recs[0].field_len, 0);
    assert_int_equal(b->recs[0].loc.line, 12);
    ps_batch_free(b);
}

/* Full by count: PS_ERR_LIMIT, and what is there stays as it was. */
static void test_batch_full_by_count(void **state)
{
    char t[] = "t", c[] = "c", v[] = "v";
    ps_batch *b = ps_batch_new(3, 1024);
    ps_record r = cell(t, c, v, 1, 0);

    (void)state;
    assert_non_null(b);
    for (int i = 0; i < 3; i++) {
        r.loc.row = i;
        assert_int_equal(ps_batch_add(b, &r), PS_OK);
    }
    r.loc.row = 3;
    assert_int_equal(ps_batch_add(b, &r), PS_ERR_LIMIT);
    assert_int_equal(b->n, 3);
    assert_int_equal(b->recs[2].loc.row, 2);
    ps_batch_reset(b);
    assert_int_equal(b->n, 0);
    assert_int_equal(ps_batch_add(b, &r), PS_OK);
    assert_int_equal(b->recs[0].loc.row, 3);
    ps_batch_free(b);
}

/*
 * Full by bytes: a record that does not fit is refused while the batch
 * holds records (the arena must not move under them), and the earlier
 * records still read back intact.
 */
static void test_batch_full_by_bytes(void **state)
{
    char t[] = "t", c[] = "c";
    char v[40];
    ps_batch *b = ps_batch_new(100, 64);
    ps_record r;
    char *arena;

    (void)state;
    assert_non_null(b);
    memset(v, 'a', sizeof(v));
    r = cell(t, c, v, 20, 1); /* 2 + 21 + 2 + 2 = 27 bytes */
    assert_int_equal(ps_batch_add(b, &r), PS_OK);
    assert_int_equal(ps_batch_add(b, &r), PS_OK);
    arena = b->arena;
    assert_int_equal(ps_batch_add(b, &r), PS_ERR_LIMIT);
    assert_ptr_equal(b->arena, arena);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->recs[1].value_len, 20);
    assert_memory_equal(b->recs[1].value, v, 20);
    ps_batch_free(b);
}

/* One record larger than the arena goes into an empty batch; reset shrinks back. */
static void test_batch_huge_record(void **state)
{
    char t[] = "t", c[] = "c";
    size_t n = 10000;
    char *v = malloc(n);
    ps_batch *b = ps_batch_new(8, 64);
    ps_record r;

    (void)state;
    assert_non_null(v);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        v[i] = (char)('a' + i % 26);
    r = cell(t, c, v, n, 1);
    assert_int_equal(ps_batch_add(b, &r), PS_OK);
    assert_true(b->size >= n);
    assert_memory_equal(b->recs[0].value, v, n);
    /* Full now: the next small record must wait for the next batch. */
    r.value_len = 1;
    assert_int_equal(ps_batch_add(b, &r), PS_ERR_LIMIT);
    ps_batch_reset(b);
    assert_int_equal(b->size, 64);
    assert_int_equal(ps_batch_add(b, &r), PS_OK);
    ps_batch_free(b);
    free(v);
}

/*
 * Records with the id of an earlier record share its names: the same
 * pointers, read back right even after the reader reused its buffers.
 * Each value is still copied, and another id gets names of its own.
 */
static void test_batch_ids_share_names(void **state)
{
    static const char *const kids[] = {"Emma", "Noah", "Lea"};
    char table[] = "kids", column[] = "name", value[8];
    ps_batch *b = ps_batch_new(8, 256);
    ps_record r, birth = cell_id("kids", "birthdate", "2015-01-02", 4);
    size_t used;

    (void)state;
    assert_non_null(b);
    for (size_t i = 0; i < 3; i++) {
        /* The reader lends fresh bytes each time and scribbles on them after. */
        memcpy(table, "kids", 5);
        memcpy(column, "name", 5);
        snprintf(value, sizeof(value), "%s", kids[i]);
        r = cell_id(table, column, value, 3);
        used = b->used;
        assert_int_equal(ps_batch_add(b, &r), PS_OK);
        /* Only the first record of the id pays for its names. */
        assert_int_equal(b->used - used, i == 0 ? full_cost(&r) : r.value_len + 1);
        memset(table, 'x', 4);
        memset(column, 'y', 4);
        memset(value, 'z', strlen(value));
        if (i == 0)
            assert_int_equal(ps_batch_add(b, &birth), PS_OK);
    }
    assert_int_equal(b->n, 4);
    assert_cell(b, 0, "kids", "name", "Emma");
    assert_cell(b, 1, "kids", "birthdate", "2015-01-02");
    assert_cell(b, 2, "kids", "name", "Noah");
    assert_cell(b, 3, "kids", "name", "Lea");
    for (size_t i = 2; i < 4; i++) {
        assert_ptr_equal(b->recs[i].field, b->recs[0].field);
        assert_ptr_equal(b->recs[i].loc.table, b->recs[0].loc.table);
        assert_ptr_equal(b->recs[i].loc.column, b->recs[0].loc.column);
        assert_null(b->recs[i].loc.pointer);
        assert_int_equal(b->recs[i].field_id, 3);
        assert_true(b->recs[i].value != b->recs[0].value);
    }
    assert_true(b->recs[1].field != b->recs[0].field);
    ps_batch_free(b);
}

/*
 * A reset batch takes the next file's records, whose ids mean other
 * fields: an id seen before the reset gets its new names, copied anew.
 * Also after the reset counter wraps (4 billion resets, simulated).
 */
static void test_batch_ids_after_reset(void **state)
{
    ps_batch *b = ps_batch_new(8, 256);
    ps_record kid = cell_id("kids", "name", "Emma", 1);
    ps_record parent = cell_id("parents", "email", "a@example.com", 1);
    ps_record parent2 = cell_id("parents", "email", "b@example.com", 1);

    (void)state;
    assert_non_null(b);
    assert_int_equal(ps_batch_add(b, &kid), PS_OK);
    ps_batch_reset(b);
    assert_int_equal(ps_batch_add(b, &parent), PS_OK);
    assert_int_equal(b->used, full_cost(&parent));
    assert_int_equal(ps_batch_add(b, &parent2), PS_OK);
    assert_cell(b, 0, "parents", "email", "a@example.com");
    assert_cell(b, 1, "parents", "email", "b@example.com");
    assert_ptr_equal(b->recs[1].loc.table, b->recs[0].loc.table);

    /* Stamp id 1 with gen 1, then wrap back to gen 1: the stamp must not count. */
    b->gen = UINT32_MAX;
    ps_batch_reset(b);
    assert_int_equal(ps_batch_add(b, &kid), PS_OK);
    b->gen = UINT32_MAX;
    ps_batch_reset(b);
    assert_int_equal(b->gen, 1);
    assert_int_equal(ps_batch_add(b, &parent), PS_OK);
    assert_int_equal(b->used, full_cost(&parent));
    assert_cell(b, 0, "parents", "email", "a@example.com");
    ps_batch_free(b);
}

/*
 * Id 0 (not numbered) and ids past PS_FIELD_IDS (no slot for them) are
 * never shared: records with those ids and other names keep their own
 * names, and each record pays for all its strings.
 */
static void test_batch_unnumbered_ids(void **state)
{
    static const uint32_t ids[] = {0, PS_FIELD_IDS, PS_FIELD_IDS + 1, UINT32_MAX};

    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        ps_batch *b = ps_batch_new(8, 256);
        ps_record kid = cell_id("kids", "name", "Emma", ids[i]);
        ps_record parent = cell_id("parents", "email", "a@example.com", ids[i]);

        assert_non_null(b);
        assert_int_equal(ps_batch_add(b, &kid), PS_OK);
        assert_int_equal(ps_batch_add(b, &parent), PS_OK);
        assert_int_equal(ps_batch_add(b, &kid), PS_OK);
        assert_int_equal(b->used, 2 * full_cost(&kid) + full_cost(&parent));
        assert_cell(b, 0, "kids", "name", "Emma");
        assert_cell(b, 1, "parents", "email", "a@example.com");
        assert_cell(b, 2, "kids", "name", "Emma");
        assert_true(b->recs[2].field != b->recs[0].field);
        assert_true(b->recs[2].loc.table != b->recs[0].loc.table);
        ps_batch_free(b);
    }
}

/* n, used, the arena and the first record are as they were. */
static void assert_unchanged(const ps_batch *b, size_t n, size_t used, const char *arena)
{
    assert_int_equal(b->n, n);
    assert_int_equal(b->used, used);
    assert_ptr_equal(b->arena, arena);
    assert_cell(b, 0, "t", "c", "aaaaaaaaaaaaaaaaaaaa");
}

/*
 * A refused record leaves the batch as it was.  A refused record of a new
 * id must not leave its id behind as known: its names are not in the
 * arena, so the next record of that id still has to pay for them.
 */
static void test_batch_refused_ids(void **state)
{
    ps_batch *b = ps_batch_new(100, 46);
    ps_record first = cell_id("t", "c", "aaaaaaaaaaaaaaaaaaaa", 1);       /* 27 bytes */
    ps_record parent = cell_id("parents", "email", "a@example.com", 2); /* 34 bytes */
    ps_record bare = cell_id("parents", "email", "", 2);                /* 21 bytes, 1 if known */
    ps_record big = cell_id("t", "c", "0123456789012345678", 1);       /* 20 bytes: known id */
    ps_record fits = cell_id("t", "c", "012345678901234567", 1);       /* 19 bytes: known id */
    char *arena;

    (void)state;
    assert_non_null(b);
    assert_int_equal(full_cost(&first), 27);
    assert_int_equal(ps_batch_add(b, &first), PS_OK);
    arena = b->arena;
    /* 19 bytes left */
    assert_int_equal(ps_batch_add(b, &parent), PS_ERR_LIMIT);
    assert_unchanged(b, 1, 27, arena);
    assert_int_equal(ps_batch_add(b, &bare), PS_ERR_LIMIT);
    assert_unchanged(b, 1, 27, arena);
    assert_int_equal(ps_batch_add(b, &big), PS_ERR_LIMIT);
    assert_unchanged(b, 1, 27, arena);
    /* A known id's value alone fills the arena to the last byte. */
    assert_int_equal(ps_batch_add(b, &fits), PS_OK);
    assert_int_equal(b->used, 46);
    assert_cell(b, 1, "t", "c", "012345678901234567");
    /* The next batch takes the refused record, names and all. */
    ps_batch_reset(b);
    assert_int_equal(ps_batch_add(b, &parent), PS_OK);
    assert_int_equal(ps_batch_add(b, &bare), PS_OK);
    assert_int_equal(b->used, full_cost(&parent) + 1);
    assert_cell(b, 0, "parents", "email", "a@example.com");
    assert_cell(b, 1, "parents", "email", "");
    ps_batch_free(b);
}

/*
 * Names are paid for once per id: a 100-byte arena takes 1 + (100 - 24) / 4
 * = 20 records of one 20-byte-named field with 4-byte values (to the last
 * byte), against 100 / 24 = 4 when every record copies its names.
 */
static void test_batch_id_accounting(void **state)
{
    const size_t arena = 100;

    (void)state;
    for (uint32_t id = 0; id < 2; id++) {
        ps_batch *b = ps_batch_new(64, arena);
        ps_record r = cell_id("parents", "email", "abc", id);
        size_t names = full_cost(&r) - (r.value_len + 1);
        size_t want = id != 0 ? 1 + (arena - full_cost(&r)) / (r.value_len + 1)
                              : arena / full_cost(&r);
        size_t n = 0;

        assert_non_null(b);
        assert_int_equal(names, 20);
        while (ps_batch_add(b, &r) == PS_OK)
            n++;
        assert_int_equal(n, want);
        assert_int_equal(n, id != 0 ? 20 : 4);
        assert_int_equal(b->used, id != 0 ? arena : 4 * full_cost(&r));
        ps_batch_free(b);
    }
}

/*
 * A direct batch (scan.c) only counts its records with ps_batch_tally, and
 * must end exactly where a copying batch would: the batch boundaries decide
 * what is aggregated together.  Feed the same pseudo-random stream to both
 * (ids known and new, id 0, empty, long and larger-than-arena values, resets
 * at each boundary) and compare every answer and the bytes counted.
 */
static void test_batch_tally_as_add(void **state)
{
    static char big[600];
    static const char *const cols[] = { "id", "email", "a_much_longer_column_name", "x" };
    ps_batch *add = ps_batch_new(16, 256), *tally = ps_batch_new(16, 256);
    uint32_t seed = 12345;
    size_t limits = 0, huge = 0;

    (void)state;
    assert_non_null(add);
    assert_non_null(tally);
    memset(big, 'v', sizeof(big) - 1);
    for (int i = 0; i < 20000; i++) {
        ps_record r;
        size_t len;
        ps_status sa, st;

        seed = seed * 1103515245u + 12345u;
        len = (seed >> 8) % 97 == 0 ? sizeof(big) - 1 : (seed >> 16) % 40;
        r = cell("kids", cols[(seed >> 4) % 4], big, len, i);
        r.field_id = (seed >> 12) % 7 == 0 ? 0 : 1 + (uint32_t)((seed >> 4) % 4);
        sa = ps_batch_add(add, &r);
        st = ps_batch_tally(tally, &r);
        assert_int_equal(sa, st);
        if (sa == PS_ERR_LIMIT) {
            limits++;
            ps_batch_reset(add);
            ps_batch_reset(tally);
            assert_int_equal(ps_batch_add(add, &r), PS_OK);
            assert_int_equal(ps_batch_tally(tally, &r), PS_OK);
        }
        huge += len > 256;
        assert_int_equal(add->n, tally->n);
        /* A record larger than the arena grows add's; tally counts the arena full. */
        if (add->size == add->base)
            assert_int_equal(add->used, tally->used);
        else
            assert_int_equal(tally->used, tally->size);
    }
    assert_true(limits > 100); /* boundaries were compared, not only fills */
    assert_true(huge > 50);
    ps_batch_free(add);
    ps_batch_free(tally);
}

static void test_batch_bad_sizes(void **state)
{
    (void)state;
    assert_null(ps_batch_new(0, 64));
    assert_null(ps_batch_new(4, 0));
    assert_null(ps_batch_new(SIZE_MAX, 64));
    ps_batch_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_copies),
        cmocka_unit_test(test_batch_optional_strings),
        cmocka_unit_test(test_batch_full_by_count),
        cmocka_unit_test(test_batch_full_by_bytes),
        cmocka_unit_test(test_batch_huge_record),
        cmocka_unit_test(test_batch_bad_sizes),
        cmocka_unit_test(test_batch_ids_share_names),
        cmocka_unit_test(test_batch_ids_after_reset),
        cmocka_unit_test(test_batch_unnumbered_ids),
        cmocka_unit_test(test_batch_refused_ids),
        cmocka_unit_test(test_batch_id_accounting),
        cmocka_unit_test(test_batch_tally_as_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

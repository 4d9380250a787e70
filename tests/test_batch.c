/*
 * test_batch.c - records copied into a batch outlive the reader's buffers,
 * a full batch refuses without changing, and one huge record still fits.
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

static ps_record cell(char *table, char *column, char *value, size_t len, int64_t row)
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

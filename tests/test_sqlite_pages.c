/*
 * test_sqlite_pages.c - the SQLite reader's page walk held to its engine
 * path (read_sqlite.c, ps_read_sqlite_with).
 *
 * The walk reads each table's b-tree pages itself and hands a table to
 * SQLite's engine (which reads on past the rows the walk gave, "OFFSET")
 * wherever it meets something it does not handle.  Whatever it handles or
 * hands over, the records must be
 * the engine's, byte for byte: so every database here is read both ways and
 * the two streams compared in full (field, value, location, field id,
 * media), with the same status and diagnostic.  The databases are made at
 * test time with SQLite itself, in a scratch directory, to reach the
 * places a walk gets wrong: every integer width, REALs stored as integers,
 * interior pages several levels deep, free pages, pointer-map pages,
 * overflow chains at three page sizes, reserved bytes at the end of each
 * page, tables the walk must hand over, and corrupted pages.
 *
 * The test_paged_* tests check that the walk did the work (how many rows it
 * gave), not only that the records are right.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "read.h"
#include "sniff.h"
#include "util.h"
#include "scratch.h"

/* ------------------------------------------------------------ scratch */

typedef struct tmp_state {
    char dir[64];
} tmp_state;

static void tmp_path(void **state, const char *name, char *out, size_t n)
{
    tmp_state *ts = *state;

    snprintf(out, n, "%s/%s", ts->dir, name);
}

static int setup(void **state)
{
    tmp_state *ts = calloc(1, sizeof(*ts));

    if (ts == NULL)
        return -1;
    if (ps_scratch_make(ts->dir, sizeof(ts->dir), "test_sqlite_pages") != 0) {
        free(ts);
        return -1;
    }
    *state = ts;
    return 0;
}

static int teardown(void **state)
{
    tmp_state *ts = *state;
    int rc = ps_scratch_remove(ts->dir);

    free(ts);
    return rc;
}

/* ---------------------------------------------------------- databases */

static void sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("SQL failed: %s", err != NULL ? err : "?");
}

/*
 * A new database at name in the scratch directory (its path in path): pages
 * of page_size bytes (0: SQLite's default), reserve bytes kept at the end
 * of each (0: none), then sql.  Reserved bytes must be asked for before the
 * first page is written, as page_size must.
 */
static void make_db(void **state, const char *name, int page_size, int reserve,
                    const char *sql, char *path, size_t n)
{
    sqlite3 *db;
    char pre[64];

    tmp_path(state, name, path, n);
    (void)unlink(path);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (page_size != 0) {
        snprintf(pre, sizeof(pre), "PRAGMA page_size=%d;", page_size);
        sql_exec(db, pre);
    }
    if (reserve != 0)
        assert_int_equal(sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve),
                         SQLITE_OK);
    sql_exec(db, sql);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The file header of the database at path says reserve bytes are kept per page. */
static void db_reserve_is(const char *path, int reserve)
{
    unsigned char b = 0;
    int fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &b, 1, 20), 1);
    close(fd);
    assert_int_equal(b, reserve);
}

/* The value of the one-number query sql on the database at path. */
static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return v;
}

/* Rows in all the tables the reader reads (its own choice of tables). */
static uint64_t count_rows(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    ps_buf sql;
    uint64_t rows;

    ps_buf_init(&sql, 1u << 20);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                         "SELECT printf('%w', name) FROM sqlite_master WHERE type='table'"
                         " AND name NOT LIKE 'sqlite_%'"
                         " AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'",
                         -1, &st, NULL), SQLITE_OK);
    assert_int_equal(ps_buf_append(&sql, "SELECT 0", 8), PS_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_int_equal(ps_buf_printf(&sql, " + (SELECT count(*) FROM \"%s\")",
                                       (const char *)sqlite3_column_text(st, 0)), PS_OK);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    rows = (uint64_t)query_int(path, ps_buf_cstr(&sql));
    ps_buf_free(&sql);
    return rows;
}

/* ------------------------------------------------------------ streams */

/*
 * A record copied out of its callback, as offsets into the stream's bytes:
 * a 20,000-row table is 60,000 records, and one allocation per string
 * would make the test slow under valgrind.  table and column are
 * NUL-terminated copies (SIZE_MAX: NULL), shared with the record before
 * when they are the same.
 */
typedef struct rec_ref {
    size_t field, field_len, value, value_len, table, column;
    ps_loc_kind kind;
    int64_t row;
    uint32_t field_id;
    ps_media media;
    int is_null;
} rec_ref;

/* Everything one read of a database gave. */
typedef struct stream {
    rec_ref *r;
    size_t n, cap;
    ps_buf bytes;
    size_t stop_after; /* 0: never stop */
    ps_status st;
    ps_diag diag;
    uint64_t paged;
} stream;

static void stream_init(stream *s, size_t stop_after)
{
    memset(s, 0, sizeof(*s));
    ps_buf_init(&s->bytes, (size_t)1 << 30);
    s->stop_after = stop_after;
}

static void stream_free(stream *s)
{
    free(s->r);
    ps_buf_free(&s->bytes);
    memset(s, 0, sizeof(*s));
}

static const char *at(const stream *s, size_t off)
{
    return off == SIZE_MAX ? NULL : s->bytes.data + off;
}

/* n bytes of p kept in s; their offset. */
static size_t keep(stream *s, const void *p, size_t n)
{
    size_t off = s->bytes.len;

    assert_int_equal(ps_buf_append(&s->bytes, p, n), PS_OK);
    return off;
}

/* A location string kept NUL-terminated, or the one at prev when equal. */
static size_t keep_name(stream *s, const char *name, size_t prev)
{
    size_t off;

    if (name == NULL)
        return SIZE_MAX;
    if (prev != SIZE_MAX && strcmp(at(s, prev), name) == 0)
        return prev;
    off = keep(s, name, strlen(name));
    assert_int_equal(ps_buf_putc(&s->bytes, '\0'), PS_OK);
    return off;
}

static int stream_fn(void *ud, const ps_record *rec)
{
    stream *s = ud;
    const rec_ref *last = s->n > 0 ? &s->r[s->n - 1] : NULL;
    rec_ref r;

    memset(&r, 0, sizeof(r));
    assert_true(rec->field != NULL || rec->field_len == 0);
    assert_true(rec->value != NULL || rec->value_len == 0);
    r.field = keep(s, rec->field, rec->field_len);
    r.field_len = rec->field_len;
    r.value = keep(s, rec->value, rec->value_len);
    r.value_len = rec->value_len;
    r.table = keep_name(s, rec->loc.table, last != NULL ? last->table : SIZE_MAX);
    r.column = keep_name(s, rec->loc.column, last != NULL ? last->column : SIZE_MAX);
    r.kind = rec->loc.kind;
    r.row = rec->loc.row;
    r.field_id = rec->field_id;
    r.media = rec->media;
    r.is_null = rec->is_null;
    assert_int_equal(ps_grow(&s->r, &s->cap, s->n + 1, sizeof(rec_ref)), PS_OK);
    s->r[s->n++] = r;
    return s->stop_after != 0 && s->n >= s->stop_after;
}

/*
 * Read the database at path one way into out (stream_init'ed), with the
 * source built as the scan driver builds it: sniffed from its head.
 */
static void read_db(const char *path, size_t max_record, bool use_pages, stream *out)
{
    unsigned char head[PS_SNIFF_HEAD];
    struct stat sb;
    ps_source src;
    ssize_t got;
    int fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &sb), 0);
    got = pread(fd, head, sizeof(head), 0);
    assert_true(got >= 0);
    memset(&src, 0, sizeof(src));
    src.fd = fd;
    src.open_path = path;
    src.rel_path = strrchr(path, '/') + 1;
    src.size = (uint64_t)sb.st_size;
    src.sniff = ps_sniff_buffer(head, (size_t)got, src.rel_path, src.size);
    assert_int_equal(src.sniff.format, PS_FMT_SQLITE);
    src.max_record = max_record;
    out->diag.msg[0] = '\0';
    out->paged = UINT64_MAX; /* the reader must set it */
    out->st = ps_read_sqlite_with(&src, stream_fn, out, &out->diag, use_pages, &out->paged);
    assert_true(out->paged != UINT64_MAX);
    close(fd);
}

static const char *str_or_dash(const char *s)
{
    return s != NULL ? s : "-";
}

/* Both NULL, or the same string. */
static bool same_name(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Fail, saying where, unless the engine's record i (in e) is the walk's (in w). */
static void expect_same_record(const stream *e, const stream *w, size_t i)
{
    const rec_ref *a = &e->r[i], *b = &w->r[i];

    if (a->field_len == b->field_len && memcmp(at(e, a->field), at(w, b->field), a->field_len) == 0 &&
        a->value_len == b->value_len && memcmp(at(e, a->value), at(w, b->value), a->value_len) == 0 &&
        a->kind == b->kind && a->row == b->row && same_name(at(e, a->table), at(w, b->table)) &&
        same_name(at(e, a->column), at(w, b->column)) && a->field_id == b->field_id &&
        a->media == b->media && a->is_null == b->is_null)
        return;
    fail_msg("record %zu differs: engine table %s row %lld column %s (%zu bytes, id %u, media %d)"
             ", walk table %s row %lld column %s (%zu bytes, id %u, media %d)", i,
             str_or_dash(at(e, a->table)), (long long)a->row, str_or_dash(at(e, a->column)),
             a->value_len, a->field_id, (int)a->media, str_or_dash(at(w, b->table)),
             (long long)b->row, str_or_dash(at(w, b->column)), b->value_len, b->field_id,
             (int)b->media);
}

/* The engine's stream (e) and the walk's (w) are the same, status and diagnostic too. */
static void expect_same_streams(const stream *e, const stream *w)
{
    size_t n = e->n < w->n ? e->n : w->n;

    for (size_t i = 0; i < n; i++)
        expect_same_record(e, w, i);
    if (e->n != w->n)
        fail_msg("the engine gave %zu records, the walk %zu", e->n, w->n);
    assert_int_equal(w->st, e->st);
    if (e->st != PS_OK)
        assert_string_equal(w->diag.msg, e->diag.msg);
    /* Without the walk there is nothing it could have given. */
    assert_int_equal(e->paged, 0);
}

/*
 * Read the database at path both ways, with max_record and stopping after
 * stop_after records (0: never), and hold the walk to the engine.  *paged
 * gets the rows the walk gave; keep (may be NULL) the engine's stream,
 * which the caller then frees.  Returns how many records there were.
 */
static size_t collect_both_with(const char *path, size_t max_record, size_t stop_after,
                                uint64_t *paged, stream *keep_engine)
{
    stream e, w;
    size_t n;

    stream_init(&e, stop_after);
    stream_init(&w, stop_after);
    read_db(path, max_record, false, &e);
    read_db(path, max_record, true, &w);
    expect_same_streams(&e, &w);
    n = e.n;
    if (paged != NULL)
        *paged = w.paged;
    stream_free(&w);
    if (keep_engine != NULL)
        *keep_engine = e;
    else
        stream_free(&e);
    return n;
}

#define MAX_RECORD ((size_t)1 << 20)

static size_t collect_both(const char *path, uint64_t *paged)
{
    return collect_both_with(path, MAX_RECORD, 0, paged, NULL);
}

/* The index of the first record at (table, column, row), or fail. */
static size_t find_cell(const stream *s, const char *table, const char *column, int64_t row)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->r[i].row == row && same_name(at(s, s->r[i].table), table) &&
            same_name(at(s, s->r[i].column), column))
            return i;
    }
    fail_msg("no record at table %s column %s row %lld", table, column, (long long)row);
    return 0;
}

/* The record at (table, column, row) holds the text want. */
static void expect_text(const stream *s, const char *table, const char *column, int64_t row,
                         const char *want)
{
    const rec_ref *r = &s->r[find_cell(s, table, column, row)];

    if (r->value_len != strlen(want) || memcmp(at(s, r->value), want, r->value_len) != 0)
        fail_msg("table %s column %s row %lld: %.*s, not %s", table, column, (long long)row,
                 (int)r->value_len, at(s, r->value), want);
}

/* Some record of column (in table) holds the text want. */
static void expect_some(const stream *s, const char *table, const char *column, const char *want)
{
    for (size_t i = 0; i < s->n; i++) {
        const rec_ref *r = &s->r[i];

        if (same_name(at(s, r->table), table) && same_name(at(s, r->column), column) &&
            r->value_len == strlen(want) && memcmp(at(s, r->value), want, r->value_len) == 0)
            return;
    }
    fail_msg("no %s in table %s column %s", want, table, column);
}

/* Rows the walk gave on the database at path, read with the walk alone. */
static uint64_t paged_rows(const char *path)
{
    stream w;
    uint64_t paged;

    stream_init(&w, 0);
    read_db(path, MAX_RECORD, true, &w);
    assert_int_equal(w.st, PS_OK);
    paged = w.paged;
    stream_free(&w);
    return paged;
}

/* ---------------------------------------------------- the databases */

/* A recursive CTE of the integers 1..n, as the head of an INSERT ... SELECT. */
#define SEQ(n) "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < " #n ") "

/*
 * Values of every storage class and every integer width (serial types 1-6,
 * and the 8 and 9 of 0 and 1), both signs and both ends; REALs in columns of
 * each affinity, since a REAL column stores 5.0 as the integer 5 on disk and
 * the engine turns it back into 5.0 ("DOUBLE PRECISION" and "FLOAT" are
 * REAL affinity; "FLOATING POINT" holds "INT" and so is INTEGER affinity).
 */
static void make_types_db(void **state, char *path, size_t n)
{
    make_db(state, "types.db", 0, 0,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, d DOUBLE PRECISION,"
            " f FLOAT, fp FLOATING POINT, num NUMERIC, dec DECIMAL(10,2), s TEXT, b BLOB, n);"
            "CREATE TABLE ints (v);"
            "INSERT INTO ints VALUES (0), (1), (2), (-1), (127), (128), (-128), (-129), (255),"
            " (256), (32767), (32768), (-32768), (-32769), (65535), (8388607), (8388608),"
            " (-8388608), (-8388609), (2147483647), (2147483648), (-2147483648),"
            " (-2147483649), (4294967296), (140737488355327), (140737488355328),"
            " (-140737488355328), (-140737488355329), (281474976710656),"
            " (9007199254740993), (9223372036854775807), (-9223372036854775807),"
            " (-9223372036854775808);"
            /* each integer as a rowid, an INTEGER, a REAL and untyped */
            "INSERT INTO t (id, i, r, d, f, fp, num, dec, n)"
            " SELECT v, v, v, v, v, v, v, v, v FROM ints;"
            "INSERT INTO t (i, r, d, f, fp, num, dec, s, b, n) VALUES"
            " (5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, '5.0', x'05', 5.0),"
            " (5.5, 0.1, -0.0, 1e300, 1e-300, 2.5, '12', '0012.50', x'', ''),"
            " ('abc', '1.5', ' 7 ', 9e999, -9e999, 1e15, 1e16, 'x', x'00ff00', x'00'),"
            " (1e18, 1e19, 2e20, 4503599627370496.0, 9007199254740992.0,"
            "  -4503599627370497.0, 123456789012345678, 3.141592653589793,"
            "  CAST(x'610062' AS TEXT), CAST('text' AS BLOB)),"
            " (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, CAST(x'ff80c0' AS TEXT),"
            "  x'89504e470d0a1a0a0000000d49484452'),"
            " (-5, -5.0, 7, 7, 7, 7.0, 1.25e2, 'ünï €', zeroblob(3), 0.5);"
            /* REALs of every magnitude: 1.7^k from 1e-300 up to past 1e300 */
            "CREATE TABLE reals (x REAL, y, z TEXT);"
            "INSERT INTO reals WITH RECURSIVE m(x) AS (SELECT 1e-300 UNION ALL"
            " SELECT x * 1.7 FROM m WHERE x < 1e300) SELECT x, -x, x FROM m;"
            "INSERT INTO reals " SEQ(400) "SELECT i / 7.0, i * 1000003 / 3.0, i / 8.0 FROM seq;",
            path, n);
}

/*
 * Enough rows that the table b-tree has interior pages over interior
 * pages: at 512-byte pages a leaf holds about 15 of these rows and an
 * interior page about 50 children.  An index too, whose pages the walk
 * must not take for the table's.
 */
static void make_big_db(void **state, const char *name, int page_size, char *path, size_t n)
{
    make_db(state, name, page_size, 0,
            "CREATE TABLE big (id INTEGER PRIMARY KEY, email TEXT, n INTEGER);"
            "INSERT INTO big " SEQ(20000) "SELECT i, printf('user%d@example.com', i), i * 7919"
            " FROM seq;"
            "CREATE INDEX big_email ON big (email);",
            path, n);
}

/*
 * Values that spill onto overflow pages: the sizes asked for, and every
 * length around the first page boundaries (the local part is computed from
 * the usable page size, so an off-by-one shows there first).  A PNG long
 * enough to overflow must still be sniffed as one.
 */
static void make_overflow_db(void **state, const char *name, int page_size, int reserve,
                             char *path, size_t n)
{
    char sql[2048];
    int usable = page_size - reserve;
    int x = usable - 35; /* the largest payload kept whole on a table leaf */

    snprintf(sql, sizeof(sql),
             "CREATE TABLE ov (id INTEGER PRIMARY KEY, t TEXT, b BLOB);"
             "INSERT INTO ov (t, b) VALUES (hex(randomblob(300)), randomblob(600)),"
             " (hex(randomblob(2500)), randomblob(5000)),"
             " (hex(randomblob(100000)), randomblob(200000)),"
             " ('short', CAST(x'89504e470d0a1a0a0000000d49484452' || randomblob(%d) AS BLOB));"
             /* around the local-payload limit, and one and two overflow pages on */
             "INSERT INTO ov (b) " SEQ(120) "SELECT randomblob(%d + i) FROM seq;"
             "INSERT INTO ov (t) " SEQ(60) "SELECT substr(hex(randomblob(%d)), 1, %d + i)"
             " FROM seq;"
             "INSERT INTO ov (b) " SEQ(40) "SELECT randomblob(%d + i) FROM seq;",
             2 * usable, x - 60, x + 100, x - 30, x + 2 * (usable - 4) - 20);
    assert_true(strlen(sql) < sizeof(sql) - 1); /* not cut */
    make_db(state, name, page_size, reserve, sql, path, n);
}

/* A table whose old rows lack a column added later with a default. */
static const char alter_sql[] =
    "CREATE TABLE al (id INTEGER PRIMARY KEY, a TEXT);"
    "INSERT INTO al " SEQ(100) "SELECT 1000 + i, printf('old %d', i) FROM seq;"
    "ALTER TABLE al ADD COLUMN c DEFAULT 'x';"
    "ALTER TABLE al ADD COLUMN d INTEGER DEFAULT 42;"
    /* new rows, full width, both below and above the old ones */
    "INSERT INTO al (id, a, c, d) " SEQ(1000) "SELECT i, printf('new %d', i), 'y', i FROM seq;"
    "INSERT INTO al (id, a) " SEQ(100) "SELECT 2000 + i, printf('late %d', i) FROM seq;";

/* ------------------------------------------------ the walk == engine */

static void test_types(void **state)
{
    char path[128];
    stream e;

    make_types_db(state, path, sizeof(path));
    collect_both_with(path, MAX_RECORD, 0, NULL, &e);
    /* The reader's own words for what SQLite would say. */
    expect_text(&e, "t", "id", -9223372036854775807 - 1, "-9223372036854775808");
    expect_text(&e, "t", "i", 140737488355328, "140737488355328");
    expect_text(&e, "t", "r", 140737488355328, "140737488355328.0");
    expect_text(&e, "t", "n", 32768, "32768");
    /* Stored as integers, read as REALs where the column says so. */
    expect_some(&e, "t", "r", "5.0");
    expect_some(&e, "t", "d", "7.0");
    expect_some(&e, "t", "f", "7.0");
    expect_some(&e, "t", "fp", "7");
    expect_some(&e, "t", "num", "5");
    expect_some(&e, "t", "d", "0.0"); /* -0.0: stored as the integer 0 */
    expect_some(&e, "t", "s", "5.0");
    /* An INTEGER PRIMARY KEY is the rowid itself. */
    for (size_t i = 0; i < e.n; i++) {
        if (strcmp(at(&e, e.r[i].column), "id") == 0) {
            char num[24];

            snprintf(num, sizeof(num), "%lld", (long long)e.r[i].row);
            assert_int_equal(e.r[i].value_len, strlen(num));
            assert_memory_equal(at(&e, e.r[i].value), num, strlen(num));
        }
    }
    stream_free(&e);
}

static void test_interior_pages(void **state)
{
    static const int sizes[] = { 512, 1024 };
    char path[128], name[32];

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        snprintf(name, sizeof(name), "big%d.db", sizes[k]);
        make_big_db(state, name, sizes[k], path, sizeof(path));
        assert_int_equal(collect_both(path, NULL), 3 * 20000);
        assert_int_equal(unlink(path), 0);
    }
}

/*
 * Rows deleted in the middle leave free pages and half-empty leaves; a
 * VACUUM packs them again; auto_vacuum=FULL puts pointer-map pages among
 * the b-tree and overflow pages.
 */
static void test_gaps(void **state)
{
    static const struct {
        const char *name, *pre, *post;
    } cases[] = {
        { "gaps.db", "", "" },
        { "gaps-vacuum.db", "", "VACUUM;" },
        { "gaps-autovacuum.db", "PRAGMA auto_vacuum=FULL;", "" },
    };
    char path[128], sql[1024];

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        snprintf(sql, sizeof(sql),
                 "%s"
                 "CREATE TABLE g (id INTEGER PRIMARY KEY, v TEXT, w BLOB);"
                 "INSERT INTO g " SEQ(6000) "SELECT i, printf('row %%d', i),"
                 " CASE WHEN i %% 50 = 0 THEN randomblob(1500) END FROM seq;"
                 "DELETE FROM g WHERE id BETWEEN 1500 AND 3500 OR id %% 7 = 3;"
                 "UPDATE g SET v = printf('%%.*c', 700, 'z') WHERE id %% 101 = 0;"
                 "%s",
                 cases[k].pre, cases[k].post);
        assert_true(strlen(sql) < sizeof(sql) - 1); /* not cut */
        make_db(state, cases[k].name, 1024, 0, sql, path, sizeof(path));
        assert_true(collect_both(path, NULL) > 6000);
        assert_int_equal(unlink(path), 0);
    }
}

static void test_overflow(void **state)
{
    static const int sizes[] = { 512, 4096, 65536 };
    char path[128], name[32];
    stream e;
    size_t png;

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        snprintf(name, sizeof(name), "ov%d.db", sizes[k]);
        make_overflow_db(state, name, sizes[k], 0, path, sizeof(path));
        collect_both_with(path, MAX_RECORD, 0, NULL, &e);
        png = find_cell(&e, "ov", "b", 4);
        assert_int_equal(e.r[png].media, PS_MEDIA_PNG);
        assert_int_equal(e.r[png].value_len, 16 + 2 * sizes[k]);
        assert_int_equal(e.r[find_cell(&e, "ov", "b", 3)].value_len, 200000);
        assert_int_equal(e.r[find_cell(&e, "ov", "t", 3)].value_len, 200000);
        stream_free(&e);
        assert_int_equal(unlink(path), 0);
    }
}

/* Bytes reserved at the end of every page shrink what a page holds. */
static void test_reserved_bytes(void **state)
{
    char path[128];

    make_overflow_db(state, "reserved.db", 1024, 32, path, sizeof(path));
    collect_both(path, NULL);
    make_db(state, "reserved-big.db", 512, 32,
            "CREATE TABLE r (id INTEGER PRIMARY KEY, v TEXT);"
            "INSERT INTO r " SEQ(5000) "SELECT i, printf('%d-%.*c', i, i % 300, 'r') FROM seq;",
            path, sizeof(path));
    collect_both(path, NULL);
    db_reserve_is(path, 32);
}

/*
 * Tables the walk hands to the engine, each between two plain tables so
 * that the walk must take over again after it: WITHOUT ROWID, generated
 * columns, rows shorter than the table (ADD COLUMN), INTEGER PRIMARY KEY
 * DESC (not a rowid alias, a quirk kept for compatibility), and columns
 * named rowid, in any case (the reader's "SELECT rowid" then means the
 * column), and oid.  Plain tables among them have primary keys that are
 * and are not the rowid (INT is not INTEGER; a table constraint's DESC
 * does not count).
 */
static void test_handed_over(void **state)
{
    char path[128], sql[6144];
    stream e;

    snprintf(sql, sizeof(sql),
             "CREATE TABLE a_plain (id INTEGER PRIMARY KEY, v TEXT);"
             "INSERT INTO a_plain " SEQ(500) "SELECT i, printf('a%%d', i) FROM seq;"
             "CREATE TABLE b_norowid (k TEXT PRIMARY KEY, v, w) WITHOUT ROWID;"
             "INSERT INTO b_norowid " SEQ(500) "SELECT printf('k%%05d', i), i, randomblob(i %% 3 * 700)"
             " FROM seq;"
             "CREATE TABLE c_plain (v TEXT);"
             "INSERT INTO c_plain " SEQ(300) "SELECT printf('c%%d', i) FROM seq;"
             "CREATE TABLE d_generated (a INTEGER, b TEXT, c INTEGER GENERATED ALWAYS AS (a * 2)"
             " VIRTUAL, d TEXT GENERATED ALWAYS AS (upper(b)) STORED, e REAL);"
             "INSERT INTO d_generated (a, b, e) " SEQ(300) "SELECT i, printf('g%%d', i), i FROM seq;"
             "%s"
             "CREATE TABLE f_desc (x INTEGER PRIMARY KEY DESC, y);"
             "INSERT INTO f_desc " SEQ(300) "SELECT i * 3, printf('f%%d', i) FROM seq;"
             "CREATE TABLE g_rowid (rowid TEXT, v);"
             "INSERT INTO g_rowid " SEQ(50) "SELECT printf('r%%d', 51 - i), i FROM seq;"
             "INSERT INTO g_rowid VALUES ('42', 'a number'), (NULL, 'null');"
             "CREATE TABLE g_upper (v, \"RowID\" INTEGER);"
             "INSERT INTO g_upper " SEQ(50) "SELECT i, 1000 - i FROM seq;"
             "CREATE TABLE h_oid (oid TEXT, _rowid_ INTEGER, v);"
             "INSERT INTO h_oid " SEQ(50) "SELECT printf('o%%d', i), 100 - i, i FROM seq;"
             /* INT is not INTEGER: no alias; a table constraint with DESC is one */
             "CREATE TABLE i_intpk (id INT PRIMARY KEY, v);"
             "INSERT INTO i_intpk " SEQ(200) "SELECT 1000 - i, i FROM seq;"
             "CREATE TABLE j_tablepk (id INTEGER, v, PRIMARY KEY (id DESC));"
             "INSERT INTO j_tablepk " SEQ(200) "SELECT 1000 - i, i FROM seq;"
             "CREATE TABLE k_lower (id integer primary key not null, v);"
             "INSERT INTO k_lower " SEQ(200) "SELECT 1000 - i, i FROM seq;"
             "CREATE TABLE z_plain (id INTEGER PRIMARY KEY, v TEXT);"
             "INSERT INTO z_plain " SEQ(500) "SELECT i * 2, printf('z%%d', i) FROM seq;",
             alter_sql);
    assert_true(strlen(sql) < sizeof(sql) - 1); /* not cut */
    make_db(state, "handed.db", 1024, 0, sql, path, sizeof(path));
    collect_both_with(path, MAX_RECORD, 0, NULL, &e);
    expect_text(&e, "d_generated", "d", 7, "G7");
    expect_text(&e, "al", "c", 1001, "x");
    expect_text(&e, "al", "d", 1001, "42");
    expect_text(&e, "al", "d", 1000, "1000");
    expect_text(&e, "f_desc", "x", 2, "6");
    expect_text(&e, "i_intpk", "id", 1, "999");
    expect_text(&e, "j_tablepk", "id", 999, "999");
    expect_text(&e, "g_upper", "v", 999, "1");
    stream_free(&e);

    make_db(state, "norowid-only.db", 512, 0,
            "CREATE TABLE n (k INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID;"
            "INSERT INTO n " SEQ(3000) "SELECT i, printf('n%d', i) FROM seq;",
            path, sizeof(path));
    assert_int_equal(collect_both(path, NULL), 6000);
}

/* Text stored as UTF-16: the engine converts it to UTF-8; so must the walk, or hand over. */
static void test_utf16(void **state)
{
    static const char *const enc[] = { "UTF-16le", "UTF-16be" };
    char path[128], sql[1024], name[32];

    for (size_t k = 0; k < sizeof(enc) / sizeof(enc[0]); k++) {
        snprintf(name, sizeof(name), "%s.db", enc[k]);
        snprintf(sql, sizeof(sql),
                 "PRAGMA encoding='%s';"
                 "CREATE TABLE \"ü16\" (id INTEGER PRIMARY KEY, s TEXT, r REAL, b BLOB);"
                 "INSERT INTO \"ü16\" VALUES (1, 'ünï €', 5.0, x'0102'), (2, '', 0.1, NULL);"
                 "INSERT INTO \"ü16\" (s) " SEQ(200) "SELECT printf('%%d 😀 %%.*c', i, i * 3, 'w')"
                 " FROM seq;",
                 enc[k]);
        assert_true(strlen(sql) < sizeof(sql) - 1); /* not cut */
        make_db(state, name, 512, 0, sql, path, sizeof(path));
        assert_int_equal(collect_both(path, NULL), 4 + 3 + 2 * 200);
    }
}

/*
 * Names that need quoting, tables read in name order (BINARY: capitals
 * first), an empty table, rows of NULLs only, wide tables (a record header
 * longer than 127 bytes, and field ids running out past PS_FIELD_IDS), and
 * the shadow tables of a full-text index.
 */
static void test_names(void **state)
{
    static const char names_sql[] =
        "CREATE TABLE \"we\"\"ird\" (\"col\"\"q\" TEXT, \"sp ace\" INTEGER);"
        "INSERT INTO \"we\"\"ird\" VALUES ('a', 1), ('b', 2);"
        "CREATE TABLE \"with space\" (v);"
        "INSERT INTO \"with space\" VALUES ('s');"
        "CREATE TABLE \"ünï €\" (\"€\" TEXT);"
        "INSERT INTO \"ünï €\" VALUES ('u');"
        "CREATE TABLE empty (a, b);"
        "CREATE TABLE nulls (a, b, c);"
        "INSERT INTO nulls " SEQ(300) "SELECT NULL, NULL, NULL FROM seq;"
        "INSERT INTO nulls VALUES (NULL, 'only one', NULL);"
        "CREATE INDEX nulls_b ON nulls (b);";
    char path[128];
    ps_buf sql;
    sqlite3 *db;

    ps_buf_init(&sql, 1u << 20);
    assert_int_equal(ps_buf_append(&sql, names_sql, strlen(names_sql)), PS_OK);
    /* 40 tables made out of name order, half of them capitalised */
    for (int t = 0; t < 40; t++) {
        int k = (t * 17) % 40;

        assert_int_equal(ps_buf_printf(&sql,
                             "CREATE TABLE %ctab%02d (v TEXT);"
                             "INSERT INTO %ctab%02d VALUES ('%d'), (NULL), ('x%d');",
                             k % 2 ? 'T' : 't', k, k % 2 ? 'T' : 't', k, k, k), PS_OK);
    }
    /* two tables of 600 columns: the second's ids run out (0 from there on) */
    for (int t = 0; t < 2; t++) {
        assert_int_equal(ps_buf_printf(&sql, "CREATE TABLE wide%d (c0", t), PS_OK);
        for (int c = 1; c < 600; c++)
            assert_int_equal(ps_buf_printf(&sql, ", c%d", c), PS_OK);
        assert_int_equal(ps_buf_printf(&sql, "); INSERT INTO wide%d VALUES (0", t), PS_OK);
        for (int c = 1; c < 600; c++)
            assert_int_equal(ps_buf_printf(&sql, c % 3 ? ", %d" : ", NULL", c), PS_OK);
        assert_int_equal(ps_buf_append(&sql, ");", 2), PS_OK);
    }
    make_db(state, "names.db", 4096, 0, ps_buf_cstr(&sql), path, sizeof(path));
    ps_buf_free(&sql);

    /* A full-text index where SQLite has FTS5: its shadow tables are read. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(body);", NULL, NULL, NULL) ==
        SQLITE_OK)
        sql_exec(db, "INSERT INTO fts " SEQ(200) "SELECT printf('note %d about kid%d', i, i % 9)"
                     " FROM seq;");
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    collect_both(path, NULL);
}

/*
 * Rows committed to the WAL and not checkpointed: the main file is stale
 * (an update and a delete are only in the WAL), so a walk of the main file
 * would give old rows.  The records must be those with the WAL applied.
 */
static void test_wal(void **state)
{
    char path[128], wal[160], copy[160], copy_wal[176];
    unsigned char buf[65536];
    sqlite3 *db;
    stream e;

    tmp_path(state, "live.db", path, sizeof(path));
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sql_exec(db, "PRAGMA page_size=1024; PRAGMA journal_mode=WAL;"
                 "CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT);"
                 "INSERT INTO w " SEQ(3000) "SELECT i, printf('v%d', i) FROM seq;"
                 "PRAGMA wal_checkpoint(TRUNCATE);");
    sqlite3_wal_autocheckpoint(db, 0);
    sql_exec(db, "UPDATE w SET v = 'changed' WHERE id % 100 = 0;"
                 "DELETE FROM w WHERE id BETWEEN 1000 AND 1100;"
                 "INSERT INTO w VALUES (5000, 'new');");
    /* Copied while open: closing would checkpoint. */
    snprintf(wal, sizeof(wal), "%s-wal", path);
    tmp_path(state, "scan.db", copy, sizeof(copy));
    snprintf(copy_wal, sizeof(copy_wal), "%s-wal", copy);
    for (int f = 0; f < 2; f++) {
        int from = open(f ? wal : path, O_RDONLY);
        int to = open(f ? copy_wal : copy, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ssize_t r;

        assert_true(from >= 0 && to >= 0);
        while ((r = read(from, buf, sizeof(buf))) > 0)
            assert_int_equal(write(to, buf, (size_t)r), r);
        close(from);
        close(to);
    }
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    collect_both_with(copy, MAX_RECORD, 0, NULL, &e);
    expect_text(&e, "w", "v", 200, "changed");
    expect_text(&e, "w", "v", 5000, "new");
    assert_int_equal(e.n, 2 * (3000 - 101 + 1));
    stream_free(&e);
}

/* A value over max_record: the same diagnostic, and the same records around it. */
static void test_limit(void **state)
{
    static const size_t limits[] = { 599, 600, 4999, 65536 };
    char path[128];
    stream e;

    make_overflow_db(state, "limit.db", 1024, 0, path, sizeof(path));
    for (size_t k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
        collect_both_with(path, limits[k], 0, NULL, &e);
        assert_int_equal(e.st, PS_ERR_LIMIT);
        assert_non_null(strstr(e.diag.msg, "value longer than"));
        stream_free(&e);
    }
}

/* The callback stops the read: the same records up to there, anywhere in a table. */
static void test_stop(void **state)
{
    static const size_t stops[] = { 1, 2, 3, 100, 29999, 60000 };
    char path[128];
    stream e;

    make_big_db(state, "stop.db", 512, path, sizeof(path));
    for (size_t k = 0; k < sizeof(stops) / sizeof(stops[0]); k++) {
        collect_both_with(path, MAX_RECORD, stops[k], NULL, &e);
        assert_int_equal(e.n, stops[k]);
        assert_int_equal(e.st, PS_ERR_STOP);
        stream_free(&e);
    }
}

/* ---------------------------------------------------------- corruption */

/* A database file in memory, and what its header says of its pages. */
typedef struct dbfile {
    unsigned char *d;
    size_t n;
    size_t page, usable;
} dbfile;

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An SQLite varint at p into *v; its length. */
static size_t varint(const unsigned char *p, uint64_t *v)
{
    uint64_t x = 0;

    for (size_t i = 0; i < 8; i++) {
        x = x << 7 | (p[i] & 0x7f);
        if ((p[i] & 0x80) == 0) {
            *v = x;
            return i + 1;
        }
    }
    *v = x << 8 | p[8];
    return 9;
}

static void db_load(const char *path, dbfile *f)
{
    struct stat sb;
    int fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &sb), 0);
    f->n = (size_t)sb.st_size;
    f->d = malloc(f->n);
    assert_non_null(f->d);
    assert_int_equal(pread(fd, f->d, f->n, 0), (ssize_t)f->n);
    close(fd);
    f->page = be16(f->d + 16) == 1 ? 65536 : be16(f->d + 16);
    f->usable = f->page - f->d[20];
}

static void db_save(const dbfile *f, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, f->d, f->n), (ssize_t)f->n);
    close(fd);
}

/* The b-tree page header of page no (page 1 has the file header first). */
static unsigned char *page_head(const dbfile *f, uint32_t no)
{
    assert_true(no >= 1 && (size_t)no * f->page <= f->n);
    return f->d + (size_t)(no - 1) * f->page + (no == 1 ? 100 : 0);
}

/* Cell i of page no. */
static unsigned char *page_cell(const dbfile *f, uint32_t no, uint32_t i)
{
    const unsigned char *h = page_head(f, no);
    size_t hdr = h[0] == 0x05 ? 12 : 8;

    return f->d + (size_t)(no - 1) * f->page + be16(h + hdr + 2 * i);
}

typedef struct pages {
    uint32_t no[4096];
    size_t n;
} pages;

/* The pages of the table b-tree under root, leaves and interior ones, in key order. */
static void tree_pages(const dbfile *f, uint32_t root, pages *leaves, pages *interior)
{
    const unsigned char *h = page_head(f, root);
    uint32_t ncell = be16(h + 3);

    if (h[0] == 0x0d) {
        assert_true(leaves->n < 4096);
        leaves->no[leaves->n++] = root;
        return;
    }
    assert_int_equal(h[0], 0x05);
    assert_true(interior->n < 4096);
    interior->no[interior->n++] = root;
    for (uint32_t i = 0; i < ncell; i++)
        tree_pages(f, be32(page_cell(f, root, i)), leaves, interior);
    tree_pages(f, be32(h + 8), leaves, interior);
}

/* The smallest rowid under page no. */
static int64_t first_rowid(const dbfile *f, uint32_t no)
{
    const unsigned char *c;
    uint64_t payload, rowid;

    while (page_head(f, no)[0] == 0x05)
        no = be32(page_cell(f, no, 0));
    c = page_cell(f, no, 0);
    c += varint(c, &payload);
    varint(c, &rowid);
    return (int64_t)rowid;
}

/* Overwrite f->d[off, off + n) with bytes of a fixed pseudo-random sequence. */
static void garbage(dbfile *f, size_t off, size_t n, uint32_t seed)
{
    assert_true(off + n <= f->n);
    for (size_t i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        f->d[off + i] = (unsigned char)seed;
    }
}

/* A cell of a one-table database: its row and its column's field id. */
typedef struct cell_key {
    int64_t row;
    uint32_t field_id;
} cell_key;

static int cmp_cell_key(const void *pa, const void *pb)
{
    const cell_key *a = pa, *b = pb;

    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return a->field_id < b->field_id ? -1 : a->field_id > b->field_id;
}

/* No cell of s (one table, so numbered columns) is there twice. */
static void expect_no_cell_twice(const stream *s, const char *way)
{
    cell_key *k = calloc(s->n + 1, sizeof(*k));

    assert_non_null(k);
    for (size_t i = 0; i < s->n; i++) {
        assert_true(s->r[i].field_id != 0);
        k[i].row = s->r[i].row;
        k[i].field_id = s->r[i].field_id;
    }
    qsort(k, s->n, sizeof(*k), cmp_cell_key);
    for (size_t i = 1; i < s->n; i++) {
        if (cmp_cell_key(&k[i - 1], &k[i]) == 0)
            fail_msg("%s: row %lld field %u twice", way, (long long)k[i].row, k[i].field_id);
    }
    free(k);
}

/*
 * Read the corrupted copy at path both ways.  The status may be an error,
 * with a one-line diagnostic; neither way may give a cell twice, and the
 * walk must give every cell the engine gave below row good_below (the
 * pages before the damage are intact), in the same order.
 */
static void expect_corrupt_read(const char *path, int64_t good_below)
{
    stream s[2];

    for (int m = 0; m < 2; m++) {
        stream_init(&s[m], 0);
        read_db(path, MAX_RECORD, m == 1, &s[m]);
        if (s[m].st != PS_OK)
            assert_true(s[m].diag.msg[0] != '\0' && strchr(s[m].diag.msg, '\n') == NULL);
        expect_no_cell_twice(&s[m], m ? "walk" : "engine");
    }
    for (size_t i = 0; i < s[0].n && s[0].r[i].row < good_below; i++) {
        assert_true(i < s[1].n);
        expect_same_record(&s[0], &s[1], i);
    }
    /* The damage is past the start: the test would prove nothing otherwise. */
    assert_true(s[0].n > 0 && s[0].r[0].row < good_below);
    stream_free(&s[0]);
    stream_free(&s[1]);
}

/*
 * A copy of f at "<path>.bad<k>" with n bytes at off replaced: by bytes, or
 * by garbage from seed when bytes is NULL; read both ways as above, then
 * removed.
 */
static void expect_damaged_read(const dbfile *f, const char *path, size_t k, size_t off,
                                size_t n, const unsigned char *bytes, uint32_t seed,
                                int64_t good_below)
{
    dbfile g = *f;
    char bad[160];

    g.d = malloc(f->n);
    assert_non_null(g.d);
    memcpy(g.d, f->d, f->n);
    if (bytes != NULL) {
        assert_true(off + n <= g.n);
        memcpy(g.d + off, bytes, n);
    } else {
        garbage(&g, off, n, seed);
    }
    snprintf(bad, sizeof(bad), "%s.bad%zu", path, k);
    db_save(&g, bad);
    free(g.d);
    expect_corrupt_read(bad, good_below);
    assert_int_equal(unlink(bad), 0);
}

/* The 20,000-row database of test_interior_pages, loaded, with its table's root. */
static uint32_t corrupt_base(void **state, const char *name, dbfile *f, char *path, size_t n)
{
    uint32_t root;

    make_big_db(state, name, 1024, path, n);
    root = (uint32_t)query_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 'big'");
    db_load(path, f);
    return root;
}

/*
 * A leaf in the middle of the table, its cells or its cell pointers made
 * garbage.  Not every garbage will do: where the cell pointers point at
 * bytes that parse as cells, SQLite itself gives made-up rows, some of them
 * twice, and the walk then cannot be held to "no cell twice".  These five
 * make SQLite stop at the page with "database disk image is malformed".
 */
static void test_corrupt_leaf(void **state)
{
    static const struct {
        size_t leaf; /* the leaf, counted from the middle one */
        size_t from; /* garbage from this offset in the page ... */
        size_t len;  /* ... for this many bytes (0: to the page's end) */
        uint32_t seed;
    } cases[] = {
        { 0, 8, 0, 1 },    /* cell pointers and cells */
        { 6, 8, 40, 5 },   /* the first cell pointers only */
        { 9, 8, 40, 6 },
        { 39, 600, 0, 3 }, /* cell contents only, pointers intact */
        { 42, 0, 8, 4 },   /* the page header */
    };
    char path[128];
    pages leaves, interior;
    dbfile f;
    uint32_t root;

    root = corrupt_base(state, "corrupt-leaf.db", &f, path, sizeof(path));
    leaves.n = interior.n = 0;
    tree_pages(&f, root, &leaves, &interior);
    assert_true(leaves.n > 100);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        uint32_t no = leaves.no[leaves.n / 2 + cases[k].leaf];

        expect_damaged_read(&f, path, k, (size_t)(no - 1) * f.page + cases[k].from,
                            cases[k].len ? cases[k].len : f.page - cases[k].from, NULL,
                            cases[k].seed, first_rowid(&f, no));
    }
    free(f.d);
}

/* An interior page (not the root) in the middle of the table made garbage. */
static void test_corrupt_interior(void **state)
{
    char path[128];
    pages leaves, interior;
    dbfile f;
    uint32_t root, no;
    size_t base;

    root = corrupt_base(state, "corrupt-interior.db", &f, path, sizeof(path));
    leaves.n = interior.n = 0;
    tree_pages(&f, root, &leaves, &interior);
    assert_true(interior.n > 3);
    no = interior.no[interior.n / 2];
    assert_true(no != root);
    base = (size_t)(no - 1) * f.page;
    /* all of it, its child pointers only, its right-most pointer only */
    expect_damaged_read(&f, path, 0, base, f.page, NULL, 1, first_rowid(&f, no));
    expect_damaged_read(&f, path, 1, base + 12, 2 * be16(page_head(&f, no) + 3), NULL, 2,
                        first_rowid(&f, no));
    expect_damaged_read(&f, path, 2, base + 8, 4, NULL, 3, first_rowid(&f, no));
    free(f.d);
}

/*
 * An overflow chain broken: the cell's pointer to its first overflow page,
 * or an overflow page's pointer to the next, made to point at page 1, into
 * the chain (the next page; the page itself), past the end of the file, or
 * at an interior page.  SQLite notices only some of these (page 1, past the
 * end); from the others it reads the wrong bytes as the value, with PS_OK.
 */
static void test_corrupt_overflow(void **state)
{
    char path[128];
    pages leaves, interior;
    dbfile f;
    uint32_t root, no, first_ov, targets[4];
    const unsigned char *c;
    uint64_t payload, rowid;
    size_t local, ptr;
    size_t x, m, kk;

    make_db(state, "corrupt-overflow.db", 1024, 0,
            "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);"
            "INSERT INTO big " SEQ(2000) "SELECT i, printf('%d:%.*c', i, 2500 + i % 50, 'v')"
            " FROM seq;",
            path, sizeof(path));
    root = (uint32_t)query_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 'big'");
    db_load(path, &f);
    leaves.n = interior.n = 0;
    tree_pages(&f, root, &leaves, &interior);
    no = leaves.no[leaves.n / 2];
    c = page_cell(&f, no, 0);
    /* The local part of a table-leaf payload, as the file format defines it. */
    x = f.usable - 35;
    m = (f.usable - 12) * 32 / 255 - 23;
    c += varint(c, &payload);
    c += varint(c, &rowid);
    assert_true(payload > x);
    kk = m + (payload - m) % (f.usable - 4);
    local = kk <= x ? kk : m;
    ptr = (size_t)(c + local - f.d);
    first_ov = be32(f.d + ptr);
    targets[0] = 1;
    targets[1] = first_ov;
    targets[2] = (uint32_t)(f.n / f.page) + 10;
    targets[3] = interior.n > 1 ? interior.no[1] : root;
    for (size_t k = 0; k < 8; k++) {
        /* first four: the cell's pointer; then the first overflow page's next */
        size_t off = k < 4 ? ptr : (size_t)(first_ov - 1) * f.page;
        /* the cell pointing at the second page of its own chain, or a page looping on itself */
        uint32_t t = k == 1 ? first_ov + 1 : targets[k % 4];
        unsigned char be[4] = { (unsigned char)(t >> 24), (unsigned char)(t >> 16),
                                (unsigned char)(t >> 8), (unsigned char)t };

        expect_damaged_read(&f, path, k, off, 4, be, 0, (int64_t)rowid);
    }
    free(f.d);
}

/*
 * A database of one table t made by rows_sql on 512-byte pages, small
 * enough for one leaf, loaded into *f; returns t's root page (that leaf).
 */
static uint32_t one_leaf(void **state, const char *name, const char *rows_sql, char *path,
                         size_t n, dbfile *f)
{
    uint32_t root;

    make_db(state, name, 512, 0, rows_sql, path, n);
    root = (uint32_t)query_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 't'");
    db_load(path, f);
    assert_int_equal(page_head(f, root)[0], 0x0D);
    return root;
}

/* One leaf of rows 1-20, each v 'abcdNN': cell 4 (row 5) is, in decimal, 9 5 3 0 25 "abcd05". */
#define TWENTY_ROWS                                                                                \
    "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"                                             \
    "INSERT INTO t " SEQ(20) "SELECT i, printf('abcd%02d', i) FROM seq;"

/*
 * A record whose values end before its payload does (a text's serial type
 * made shorter, the payload size left as it was).  SQLite never writes one,
 * and its engine calls it corrupt once it has read the whole header: so the
 * table must end the same way by either path, with the engine's
 * "malformed", not be read on by the walk as if nothing were wrong.  Bytes
 * left over behind a value past the table's last column are another
 * matter: the engine stops reading the header at that column, never sees
 * them, and gives the row; handed over, the row must still come.
 */
static void test_corrupt_record_left_over(void **state)
{
    char path[128];
    stream e;
    dbfile f;
    uint32_t root;

    root = one_leaf(state, "left-over.db", TWENTY_ROWS, path, sizeof(path), &f);
    for (uint32_t i = 0; i < 2; i++) {
        /* Row 5 (cell 4 of the one leaf): payload, rowid, then the record. */
        unsigned char *c = page_cell(&f, root, 4);
        char bad[160];

        assert_int_equal(be16(page_head(&f, root) + 3), 20);
        assert_true(c[0] == 9 && c[1] == 5 && c[2] == 3 && c[3] == 0 && c[4] == 13 + 2 * 6);
        if (i == 0) {
            c[4] = 13 + 2 * 3; /* "abc", three bytes left over */
        } else {
            c[2] = 4;          /* id and v NULL, a third value of two bytes, */
            c[3] = 0;
            c[4] = 0;
            c[5] = 13 + 2 * 2; /* and three bytes left over after it */
        }
        snprintf(bad, sizeof(bad), "%s.bad%u", path, i);
        db_save(&f, bad);
        collect_both_with(bad, MAX_RECORD, 0, NULL, &e);
        if (i == 0) {
            assert_int_equal(e.st, PS_ERR_FORMAT);
            assert_int_equal(e.n, 2 * 4); /* rows 1-4 */
        } else {
            assert_int_equal(e.st, PS_OK);
            assert_int_equal(e.n, 2 * 20 - 1); /* row 5 without its v */
        }
        stream_free(&e);
        assert_int_equal(unlink(bad), 0);
        free(f.d);
        db_load(path, &f); /* the intact bytes again */
    }
    free(f.d);
}

/*
 * A leaf whose rowids do not rise: two cell pointers swapped, so the rows
 * come in page order as 1, 9, 3, 4, ... 8, 2, 10.  SQLite reads such a
 * file to its end without a word and gives the rows in page order; the
 * walk stops at the rowid that does not rise (3) and hands over.  The
 * engine must then read on in its own order, past the two rows the walk
 * gave ("OFFSET"): a seek past the last rowid given ("WHERE rowid > 9")
 * would lose rows 2 to 8.
 */
static void test_out_of_order_leaf(void **state)
{
    char path[128], bad[160];
    unsigned char *head, tmp[2];
    uint64_t paged = 0;
    stream e;
    dbfile f;
    uint32_t root;

    root = one_leaf(state, "order.db",
                    "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                    "INSERT INTO t " SEQ(10) "SELECT i, printf('v%02d', i) FROM seq;",
                    path, sizeof(path), &f);
    head = page_head(&f, root);
    memcpy(tmp, head + 8 + 2 * 1, 2);
    memcpy(head + 8 + 2 * 1, head + 8 + 2 * 8, 2);
    memcpy(head + 8 + 2 * 8, tmp, 2);
    snprintf(bad, sizeof(bad), "%s.swapped", path);
    db_save(&f, bad);
    free(f.d);

    collect_both_with(bad, MAX_RECORD, 0, &paged, &e);
    assert_int_equal(e.st, PS_OK);
    assert_int_equal(e.n, 2 * 10);
    assert_int_equal(paged, 2); /* rows 1 and 9; the engine gives the rest */
    assert_int_equal(find_cell(&e, "t", "v", 9), 3);
    assert_int_equal(find_cell(&e, "t", "v", 2), 2 * 8 + 1); /* in page order */
    stream_free(&e);
    assert_int_equal(unlink(bad), 0);
}

/*
 * Save f at "<path>.<what>", read it both ways (the walk held to the engine,
 * status and diagnostic too), check the engine's status and record count,
 * and remove it.
 */
static void expect_both_end(const dbfile *f, const char *path, const char *what, ps_status st,
                            size_t records)
{
    char bad[160];
    stream e;

    snprintf(bad, sizeof(bad), "%s.%s", path, what);
    db_save(f, bad);
    collect_both_with(bad, MAX_RECORD, 0, NULL, &e);
    assert_int_equal(e.st, st);
    assert_int_equal(e.n, records);
    stream_free(&e);
    assert_int_equal(unlink(bad), 0);
}

/*
 * A record of its header's size alone, no values: SQLite never writes one,
 * and its engine reads a serial type past the header when it reads the
 * first column and calls the record corrupt.  The walk, which would give
 * the row with its columns NULL, must end the table with the engine's
 * "malformed" after rows 1-4.
 */
static void test_corrupt_record_empty(void **state)
{
    char path[128];
    unsigned char *c;
    dbfile f;
    uint32_t root;

    root = one_leaf(state, "empty-record.db", TWENTY_ROWS, path, sizeof(path), &f);
    c = page_cell(&f, root, 4);
    assert_true(c[0] == 9 && c[1] == 5 && c[2] == 3);
    c[0] = 1; /* a payload of one byte: the header's size, 1 */
    c[2] = 1;
    expect_both_end(&f, path, "empty", PS_ERR_FORMAT, 2 * 4);
    free(f.d);
}

/*
 * Write bytes[0..n) over the payload of cell i of leaf no, from its start,
 * on the leaf and then down its overflow chain, as the file format lays
 * it out.
 */
static void payload_write(dbfile *f, uint32_t no, uint32_t i, const unsigned char *bytes, size_t n)
{
    unsigned char *c = page_cell(f, no, i);
    uint64_t payload, rowid;
    size_t x = f->usable - 35, m = (f->usable - 12) * 32 / 255 - 23, local, done;
    uint32_t ov;

    c += varint(c, &payload);
    c += varint(c, &rowid);
    assert_true(n <= payload);
    local = payload <= x ? (size_t)payload : m + (size_t)((payload - m) % (f->usable - 4));
    if (local > x)
        local = m;
    done = n < local ? n : local;
    memcpy(c, bytes, done);
    ov = be32(c + local);
    while (done < n) {
        unsigned char *pg = f->d + (size_t)(ov - 1) * f->page;
        size_t k = n - done < f->usable - 4 ? n - done : f->usable - 4;

        memcpy(pg + 4, bytes + done, k);
        done += k;
        ov = be32(pg);
    }
}

/*
 * A record whose header is longer than 98307 bytes (99 000 NULLs before
 * a blob), all of it within its payload: SQLite's engine calls any such
 * header corrupt, since no table has the columns to need it.  The walk
 * must not give the row (its one column NULL) and read on.
 */
static void test_corrupt_record_long_header(void **state)
{
    enum { PAYLOAD = 100014, NULLS = 99000 };
    unsigned char *rec = calloc(PAYLOAD, 1);
    size_t h = 3 + NULLS + 2, blob = PAYLOAD - h, type = 12 + 2 * blob;
    char path[128];
    dbfile f;
    uint32_t root;

    assert_non_null(rec);
    make_db(state, "long-header.db", 1024, 0,
            "CREATE TABLE t (v BLOB); INSERT INTO t VALUES (randomblob(100010));", path,
            sizeof(path));
    root = (uint32_t)query_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 't'");
    db_load(path, &f);
    expect_both_end(&f, path, "intact", PS_OK, 1);
    /* Three bytes of header size, the NULLs, then the blob's type in two bytes. */
    rec[0] = (unsigned char)(0x80 | h >> 14);
    rec[1] = (unsigned char)(0x80 | (h >> 7 & 0x7F));
    rec[2] = (unsigned char)(h & 0x7F);
    assert_true(type < (1u << 14));
    rec[3 + NULLS] = (unsigned char)(0x80 | type >> 7);
    rec[4 + NULLS] = (unsigned char)(type & 0x7F);
    payload_write(&f, root, 0, rec, h);
    expect_both_end(&f, path, "long", PS_ERR_FORMAT, 0);
    free(rec);
    free(f.d);
}

/*
 * Pages with a cell count SQLite's engine calls corrupt: none on a leaf
 * below the root, none on an interior root (it reads neither as empty),
 * and more than (page size - 8) / 6 on a leaf, which only cells that
 * overlap can fill.  The walk would read on through all three without a
 * word; the table must end with the engine's "malformed" either way.
 */
static void test_corrupt_cell_count(void **state)
{
    char path[128];
    pages leaves, interior;
    dbfile f;
    uint32_t root, no;
    unsigned char *h;
    size_t before = 0;

    make_db(state, "cell-count.db", 512, 0,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
            "INSERT INTO t " SEQ(300) "SELECT i, printf('value %04d', i) FROM seq;",
            path, sizeof(path));
    root = (uint32_t)query_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 't'");
    db_load(path, &f);
    leaves.n = interior.n = 0;
    tree_pages(&f, root, &leaves, &interior);
    assert_true(leaves.n > 4 && page_head(&f, root)[0] == 0x05);
    no = leaves.no[leaves.n / 2];
    for (size_t i = 0; i < leaves.n / 2; i++)
        before += be16(page_head(&f, leaves.no[i]) + 3);
    h = page_head(&f, no);
    h[3] = h[4] = 0;
    expect_both_end(&f, path, "empty-leaf", PS_ERR_FORMAT, 2 * before);
    free(f.d);

    db_load(path, &f);
    h = page_head(&f, root);
    h[3] = h[4] = 0;
    expect_both_end(&f, path, "empty-root", PS_ERR_FORMAT, 0);
    free(f.d);

    /* 100 cells of 3 bytes each, one byte shared with the next: 01 <rowid> 01 <rowid> ... 01 */
    make_db(state, "cell-count-leaf.db", 512, 0,
            "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);", path,
            sizeof(path));
    root = (uint32_t)query_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 't'");
    db_load(path, &f);
    h = page_head(&f, root);
    assert_int_equal(h[0], 0x0D);
    memset(h + 1, 0, f.page - 1);
    h[3] = 0;
    h[4] = 100;
    h[5] = 300 >> 8;
    h[6] = 300 & 0xFF;
    for (unsigned i = 0; i < 100; i++) {
        h[8 + 2 * i] = (unsigned char)((300 + 2 * i) >> 8);
        h[9 + 2 * i] = (unsigned char)(300 + 2 * i);
        h[300 + 2 * i] = 1;
        h[301 + 2 * i] = (unsigned char)(i + 1);
    }
    h[500] = 1;
    expect_both_end(&f, path, "overlapping", PS_ERR_FORMAT, 0);
    free(f.d);
}

/*
 * A payload size written in nine bytes, the ninth with its top bit set:
 * SQLite's engine reads it as 7 bits a byte (a payload of 5 bytes here),
 * the file format's varint as 8 bits in the last byte (133).  SQLite never
 * writes one; the walk must read the cell as the engine does, not give a
 * row the engine calls malformed.
 */
static void test_corrupt_payload_size(void **state)
{
    static const unsigned char cell[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                          0x85, /* 133, or 5 */
                                          0x01, /* rowid */
                                          0x04, 0x00, 0x82, 0x0F /* NULL, a text of 129 */ };
    char path[128];
    dbfile f;
    uint32_t root;
    unsigned char *h;

    root = one_leaf(state, "payload-size.db",
                    "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x');",
                    path, sizeof(path), &f);
    h = page_head(&f, root);
    memset(h + 1, 0, f.page - 1);
    h[4] = 1;
    h[5] = 300 >> 8;
    h[6] = 300 & 0xFF;
    h[8] = 300 >> 8;
    h[9] = 300 & 0xFF;
    memcpy(h + 300, cell, sizeof(cell));
    memset(h + 300 + sizeof(cell), 'a', 129);
    expect_both_end(&f, path, "nine", PS_ERR_FORMAT, 0);
    free(f.d);
}

/*
 * An overflow chain of an auto-vacuum file whose pages are linked out of
 * their order (A -> C -> B, B still linked to C), while the pointer map
 * still says B follows A.  The first value ends where A does, so the
 * engine passes over A to reach the second and, in an auto-vacuum file,
 * takes B from the pointer map without reading A's link
 * (getOverflowPage).  The walk must hand such a chain over, not give the
 * second value from C and B.
 */
static void test_corrupt_overflow_map(void **state)
{
    char path[128];
    dbfile f;
    uint32_t root, a, b, c;
    const unsigned char *p;
    uint64_t payload, rowid;

    /* 512-byte pages: 39 bytes stay on the leaf, 508 on each overflow page. */
    make_db(state, "overflow-map.db", 512, 0,
            "PRAGMA auto_vacuum = FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, a BLOB, b BLOB);"
            "INSERT INTO t VALUES (1, zeroblob(541), randomblob(1000));",
            path, sizeof(path));
    root = (uint32_t)query_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 't'");
    db_load(path, &f);
    assert_true(be32(f.d + 52) != 0);
    p = page_cell(&f, root, 0);
    p += varint(p, &payload);
    p += varint(p, &rowid);
    assert_int_equal(payload, 6 + 541 + 1000);
    a = be32(p + 39);
    b = be32(f.d + (size_t)(a - 1) * f.page);
    c = be32(f.d + (size_t)(b - 1) * f.page);
    assert_int_equal(b, a + 1);
    assert_true(c > 1 && be32(f.d + (size_t)(c - 1) * f.page) == 0);
    expect_both_end(&f, path, "intact", PS_OK, 3);
    for (int i = 0; i < 4; i++) {
        f.d[(size_t)(a - 1) * f.page + (size_t)i] = (unsigned char)(c >> (24 - 8 * i));
        f.d[(size_t)(c - 1) * f.page + (size_t)i] = (unsigned char)(b >> (24 - 8 * i));
    }
    expect_both_end(&f, path, "relinked", PS_OK, 3);
    free(f.d);
}

/* ------------------------------------------- the walk did the work */

/*
 * These hold the walk to doing the reading, not only to being right: on
 * tables it handles, every row comes from it.  They fail while
 * ps_read_sqlite_with has no walk (*paged stays 0).
 */

static void test_paged_types(void **state)
{
    char path[128];

    make_types_db(state, path, sizeof(path));
    assert_int_equal(paged_rows(path), count_rows(path));
}

static void test_paged_big(void **state)
{
    char path[128];

    make_big_db(state, "paged-big.db", 512, path, sizeof(path));
    assert_int_equal(count_rows(path), 20000);
    assert_int_equal(paged_rows(path), 20000);
}

static void test_paged_overflow(void **state)
{
    static const int sizes[] = { 512, 4096, 65536 };
    char path[128], name[32];

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        snprintf(name, sizeof(name), "paged-ov%d.db", sizes[k]);
        make_overflow_db(state, name, sizes[k], 0, path, sizeof(path));
        assert_int_equal(paged_rows(path), count_rows(path));
        assert_int_equal(unlink(path), 0);
    }
}

static void test_paged_reserved(void **state)
{
    char path[128];

    make_overflow_db(state, "paged-reserved.db", 1024, 32, path, sizeof(path));
    assert_int_equal(paged_rows(path), count_rows(path));
}

/* WITHOUT ROWID tables are the engine's alone. */
static void test_paged_without_rowid(void **state)
{
    char path[128];

    make_db(state, "paged-norowid.db", 512, 0,
            "CREATE TABLE n (k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
            "INSERT INTO n " SEQ(1000) "SELECT printf('k%d', i), i FROM seq;",
            path, sizeof(path));
    assert_int_equal(paged_rows(path), 0);
}

/*
 * ADD COLUMN: rows 1..1000 were written with every column, rows 1001..1100
 * before the column was added; the walk gives the first 1000 and hands the
 * rest to the engine at the first short row.
 */
static void test_paged_alter(void **state)
{
    char path[128];

    make_db(state, "paged-alter.db", 1024, 0, alter_sql, path, sizeof(path));
    assert_int_equal(count_rows(path), 1200);
    assert_int_equal(paged_rows(path), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_interior_pages),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_reserved_bytes),
        cmocka_unit_test(test_handed_over),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_wal),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_corrupt_leaf),
        cmocka_unit_test(test_corrupt_interior),
        cmocka_unit_test(test_corrupt_overflow),
        cmocka_unit_test(test_corrupt_record_left_over),
        cmocka_unit_test(test_out_of_order_leaf),
        cmocka_unit_test(test_corrupt_record_empty),
        cmocka_unit_test(test_corrupt_record_long_header),
        cmocka_unit_test(test_corrupt_cell_count),
        cmocka_unit_test(test_corrupt_payload_size),
        cmocka_unit_test(test_corrupt_overflow_map),
        cmocka_unit_test(test_paged_types),
        cmocka_unit_test(test_paged_big),
        cmocka_unit_test(test_paged_overflow),
        cmocka_unit_test(test_paged_reserved),
        cmocka_unit_test(test_paged_without_rowid),
        cmocka_unit_test(test_paged_alter),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

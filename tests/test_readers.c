/*
 * test_readers.c - every reader on small inputs written to a scratch
 * directory at test time: records are collected and compared exactly
 * (field, value, location), and error cases check that the records before
 * (and after) a bad spot are still emitted.
 *
 * Also: every stream reader through the gzip transport (the records must be
 * those of the plain file, and a transport failure must reach the reader's
 * diagnostic), JSON documents, and SQLite databases whose newest rows are
 * still in their WAL.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zlib.h>

#include "input.h"
#include "read.h"
#include "sniff.h"
#include "util.h"
#include "scratch.h"

/* ------------------------------------------------------------ helpers */

typedef struct tmp_state {
    char dir[64];
    int next;
} tmp_state;

/* A record copied out of the callback (its strings are borrowed). */
typedef struct rec_copy {
    char *field;
    size_t field_len; /* field may hold a NUL: the id contract is about bytes */
    uint32_t field_id;
    char *value;
    size_t value_len;
    ps_loc_kind kind;
    uint64_t line;
    char *table, *column, *pointer;
    int64_t row;
    ps_media media;
} rec_copy;

typedef struct collect {
    rec_copy *r;
    size_t n, cap;
    size_t stop_after; /* 0: never stop */
} collect;

static char *dup_or_null(const char *s)
{
    return s != NULL ? ps_strdup(s) : NULL;
}

static int collect_fn(void *ud, const ps_record *rec)
{
    collect *c = ud;
    rec_copy *r;

    if (ps_grow(&c->r, &c->cap, c->n + 1, sizeof(rec_copy)) != PS_OK)
        return 1;
    r = &c->r[c->n++];
    memset(r, 0, sizeof(*r));
    r->field = ps_strndup(rec->field, rec->field_len);
    r->field_len = rec->field_len;
    r->field_id = rec->field_id;
    assert_non_null(rec->value);
    r->value = ps_strndup(rec->value, rec->value_len);
    r->value_len = rec->value_len;
    r->kind = rec->loc.kind;
    r->line = rec->loc.line;
    r->table = dup_or_null(rec->loc.table);
    r->column = dup_or_null(rec->loc.column);
    r->pointer = dup_or_null(rec->loc.pointer);
    r->row = rec->loc.row;
    r->media = rec->media;
    return c->stop_after != 0 && c->n >= c->stop_after;
}

static void collect_free(collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->r[i].field);
        free(c->r[i].value);
        free(c->r[i].table);
        free(c->r[i].column);
        free(c->r[i].pointer);
    }
    free(c->r);
    memset(c, 0, sizeof(*c));
}

static void tmp_path(void **state, const char *name, char *out, size_t n)
{
    tmp_state *ts = *state;

    snprintf(out, n, "%s/%s", ts->dir, name);
}

static void write_file(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* Run reader r over the file at path (sniffed, with an optional delimiter). */
static ps_status run_path(const ps_reader *r, const char *path, char delim,
                          size_t max_record, collect *out, ps_diag *diag)
{
    unsigned char head[PS_SNIFF_HEAD];
    struct stat sb;
    ps_source src;
    ssize_t got;
    ps_status st;
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
    if (delim != 0)
        src.sniff.delimiter = delim;
    src.max_record = max_record ? max_record : 1u << 20;
    diag->msg[0] = '\0';
    st = r->read(&src, collect_fn, out, diag);
    close(fd);
    return st;
}

/* Write data to a fresh file in the scratch directory and run r over it. */
static ps_status run(void **state, const ps_reader *r, const char *data,
                     size_t n, char delim, size_t max_record, collect *out,
                     ps_diag *diag)
{
    tmp_state *ts = *state;
    char name[32], path[128];

    snprintf(name, sizeof(name), "in%d", ts->next++);
    tmp_path(state, name, path, sizeof(path));
    write_file(path, data, n);
    return run_path(r, path, delim, max_record, out, diag);
}

#define RUN(r, s, delim, max, c, d) run(state, (r), (s), strlen(s), (delim), (max), (c), (d))

static void expect_line(const collect *c, size_t i, const char *field,
                        const char *value, uint64_t line)
{
    assert_true(i < c->n);
    assert_string_equal(c->r[i].field, field);
    assert_string_equal(c->r[i].value, value);
    assert_int_equal(c->r[i].kind, PS_LOC_LINE);
    assert_int_equal(c->r[i].line, line);
}

/* One expected PS_LOC_LINE record, for tables of them. */
typedef struct want_line {
    const char *field, *value;
    uint64_t line;
} want_line;

/* Exactly the records in want, in order; and no value has a NUL inside. */
static void expect_lines(const collect *c, const want_line *want, size_t n)
{
    assert_int_equal(c->n, n);
    for (size_t i = 0; i < n; i++) {
        expect_line(c, i, want[i].field, want[i].value, want[i].line);
        assert_int_equal(c->r[i].value_len, strlen(want[i].value));
    }
}

static void expect_cell(const collect *c, size_t i, const char *table,
                        const char *column, int64_t row, const char *value)
{
    assert_true(i < c->n);
    assert_int_equal(c->r[i].kind, PS_LOC_CELL);
    assert_string_equal(c->r[i].table, table);
    assert_string_equal(c->r[i].column, column);
    assert_string_equal(c->r[i].field, column);
    assert_int_equal(c->r[i].row, row);
    assert_string_equal(c->r[i].value, value);
}

/* Both NULL, or the same string. */
static int same_str(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* What one field id stands for (read.h): field bytes, table, column, pointer. */
static int same_field(const rec_copy *a, const rec_copy *b)
{
    return a->field_len == b->field_len && memcmp(a->field, b->field, a->field_len) == 0 &&
           same_str(a->table, b->table) && same_str(a->column, b->column) &&
           same_str(a->pointer, b->pointer);
}

/*
 * The field-id contract over every pair of records of one file: ids stay
 * below PS_FIELD_IDS, and two records with the same non-zero id have the
 * same field.  Sameness is transitive, so each record is held to the first
 * one of its id.  Returns how many distinct non-zero ids there were.
 */
static size_t expect_ids_consistent(const collect *c)
{
    size_t first[PS_FIELD_IDS], ids = 0; /* [id]: index + 1 of its first record */

    memset(first, 0, sizeof(first));
    for (size_t i = 0; i < c->n; i++) {
        uint32_t id = c->r[i].field_id;

        if (id >= PS_FIELD_IDS)
            fail_msg("record %zu (%s): field id %u not below %u", i, c->r[i].field, id,
                     PS_FIELD_IDS);
        if (id == 0)
            continue;
        if (first[id] == 0) {
            first[id] = i + 1;
            ids++;
        } else if (!same_field(&c->r[first[id] - 1], &c->r[i])) {
            const rec_copy *a = &c->r[first[id] - 1], *b = &c->r[i];

            fail_msg("field id %u: record %zu is %s (table %s, column %s) but record %zu "
                     "is %s (table %s, column %s)", id, first[id] - 1, a->field,
                     a->table ? a->table : "-", a->column ? a->column : "-", i, b->field,
                     b->table ? b->table : "-", b->column ? b->column : "-");
        }
    }
    return ids;
}

/*
 * For a file whose readers never renumber a field: every record has an id,
 * and ids and fields match one to one (the converse of the contract too).
 */
static void expect_ids_one_to_one(const collect *c)
{
    expect_ids_consistent(c);
    for (size_t i = 0; i < c->n; i++) {
        if (c->r[i].field_id == 0)
            fail_msg("record %zu (%s) has no field id", i, c->r[i].field);
        for (size_t j = 0; j < i; j++) {
            if (same_field(&c->r[i], &c->r[j]) && c->r[i].field_id != c->r[j].field_id)
                fail_msg("records %zu and %zu, both %s, have ids %u and %u", j, i,
                         c->r[i].field, c->r[j].field_id, c->r[i].field_id);
        }
    }
}

static int setup(void **state)
{
    tmp_state *ts = calloc(1, sizeof(*ts));

    if (ts == NULL)
        return -1;
    if (ps_scratch_make(ts->dir, sizeof(ts->dir), "test_readers") != 0) {
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

/* --------------------------------------------------------------- text */

static void test_text(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_text, "alpha\n\nbeta\r\ngamma", 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 3);
    expect_line(&c, 0, "", "alpha", 1);
    expect_line(&c, 1, "", "beta", 3);
    expect_line(&c, 2, "", "gamma", 4);
    assert_null(c.r[0].pointer);
    collect_free(&c);
}

static void test_text_long_line(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_text, "ok\ntoolongline\nfine\n", 0, 5, &c, &d),
                     PS_ERR_LIMIT);
    assert_string_equal(d.msg, "line 2: longer than 5 bytes");
    assert_int_equal(c.n, 2);
    expect_line(&c, 0, "", "ok", 1);
    expect_line(&c, 1, "", "fine", 3);
    collect_free(&c);
}

static void test_text_stop(void **state)
{
    collect c = {0};
    ps_diag d;

    c.stop_after = 2;
    assert_int_equal(RUN(&ps_reader_text, "a\nb\nc\nd\n", 0, 0, &c, &d), PS_ERR_STOP);
    assert_int_equal(c.n, 2);
    collect_free(&c);
}

/* -------------------------------------------------------------- jsonl */

static void test_jsonl_nested(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_jsonl,
                         "{\"user\":{\"name\":\"Ann\",\"tags\":[\"a\",\"b\"]},"
                         "\"n\":-3.5e2,\"ok\":true,\"nil\":null}\n"
                         "\n"
                         "[{\"k\":\"v\"}, 7]\n"
                         "\"just text\"\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 8);
    expect_line(&c, 0, "/user/name", "Ann", 1);
    expect_line(&c, 1, "/user/tags/0", "a", 1);
    expect_line(&c, 2, "/user/tags/1", "b", 1);
    expect_line(&c, 3, "/n", "-3.5e2", 1);
    expect_line(&c, 4, "/ok", "true", 1);
    expect_line(&c, 5, "/0/k", "v", 3);
    expect_line(&c, 6, "/1", "7", 3);
    expect_line(&c, 7, "", "just text", 4);
    for (size_t i = 0; i < c.n; i++)
        assert_string_equal(c.r[i].pointer, c.r[i].field);
    expect_ids_one_to_one(&c);
    collect_free(&c);
}

static void test_jsonl_escapes(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_jsonl,
                         "{\"a/b\":\"caf\\u00e9\",\"m~n\":\"\\ud83d\\ude00\","
                         "\"q\":\"x\\\"y\\\\z\\/w\\nv\\t\",\"\":\"empty key\"}\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 4);
    expect_line(&c, 0, "/a~1b", "caf\xc3\xa9", 1);
    expect_line(&c, 1, "/m~0n", "\xf0\x9f\x98\x80", 1);
    expect_line(&c, 2, "/q", "x\"y\\z/w\nv\t", 1);
    expect_line(&c, 3, "/", "empty key", 1);
    collect_free(&c);
}

static void test_jsonl_invalid_lines(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_jsonl,
                         "{\"a\":\"first\"}\n"
                         "{\"a\": tru}\n"
                         "{\"b\":\"third\"}\n"
                         "{\"x\":\"\\ud800\"}\n"
                         "{\"a\":1} {\"b\":2}\n"
                         "{\"a\" \"b\"}\n"
                         "{\"c\":[1,\"last\"]}\n",
                         0, 0, &c, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "line 2: invalid JSON");
    assert_int_equal(c.n, 4);
    expect_line(&c, 0, "/a", "first", 1);
    expect_line(&c, 1, "/b", "third", 3);
    expect_line(&c, 2, "/c/0", "1", 7);
    expect_line(&c, 3, "/c/1", "last", 7);
    collect_free(&c);
}

static void test_jsonl_depth(void **state)
{
    char buf[1024];
    size_t n = 0;
    collect c = {0};
    ps_diag d;

    for (int i = 0; i < 300; i++)
        buf[n++] = '[';
    for (int i = 0; i < 300; i++)
        buf[n++] = ']';
    memcpy(buf + n, "\n{\"after\":\"yes\"}\n", 18);
    n += 17;
    assert_int_equal(run(state, &ps_reader_jsonl, buf, n, 0, 0, &c, &d), PS_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 1:"));
    assert_int_equal(c.n, 1);
    expect_line(&c, 0, "/after", "yes", 2);
    collect_free(&c);
}

/*
 * 100,000 levels on one line are refused by a look at the brackets before
 * jsmn tokenizes the line (whose cost grows with the square of the depth:
 * about 18 s here).  The line is cut inside a string, which jsmn alone
 * would call invalid JSON after all that work: "exceeds a limit" shows that
 * the depth was judged first.  The next line is still read.
 */
static void test_jsonl_depth_before_tokens(void **state)
{
    size_t deep = 100000, n = 0;
    char *buf = malloc(deep + 64);
    collect c = {0};
    ps_diag d;
    clock_t t0;

    assert_non_null(buf);
    memset(buf, '[', deep);
    n = deep;
    memcpy(buf + n, "\"cut\n{\"after\":\"yes\"}\n", 22);
    n += 22;
    t0 = clock();
    assert_int_equal(run(state, &ps_reader_jsonl, buf, n, 0, 0, &c, &d), PS_ERR_LIMIT);
    assert_true(clock() - t0 < 2 * CLOCKS_PER_SEC);
    assert_non_null(strstr(d.msg, "line 1: exceeds a limit"));
    assert_int_equal(c.n, 1);
    expect_line(&c, 0, "/after", "yes", 2);
    collect_free(&c);
    free(buf);
}

/* Brackets inside strings (escaped quotes included) are not nesting. */
static void test_jsonl_brackets_in_strings(void **state)
{
    char buf[1024];
    size_t n = 0;
    collect c = {0};
    ps_diag d;

    memcpy(buf, "{\"s\":\"\\\"", 8);
    n = 8;
    for (int i = 0; i < 300; i++)
        buf[n++] = '[';
    memcpy(buf + n, "\"}\n", 3);
    n += 3;
    assert_int_equal(run(state, &ps_reader_jsonl, buf, n, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.r[0].value_len, 301);
    assert_int_equal(c.r[0].value[0], '"');
    collect_free(&c);
}

/* Many tokens on one line: the token array grows (and jsmn resumes). */
static void test_jsonl_many_tokens(void **state)
{
    size_t cap = 40000, n = 0;
    char *buf = malloc(cap);
    collect c = {0};
    ps_diag d;

    assert_non_null(buf);
    buf[n++] = '[';
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%d", i ? "," : "", i);
    buf[n++] = ']';
    buf[n++] = '\n';
    assert_int_equal(run(state, &ps_reader_jsonl, buf, n, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 3000);
    expect_line(&c, 2999, "/2999", "2999", 1);
    free(buf);
    /* 3000 pointers on one line: the ids run out, consistently. */
    assert_int_equal(expect_ids_consistent(&c), PS_FIELD_IDS - 1);
    collect_free(&c);
}

/*
 * Strings are handed out two ways: lent from the line when they need no
 * decoding, decoded into scratch when they do.  Both, for values and keys,
 * short (under one 8-byte word) and long, with the escape in a whole word
 * or in the tail; a raw control character makes the line invalid either way.
 */
static void test_jsonl_plain_and_escaped(void **state)
{
    static const want_line want[] = {
        {"/s", "abc", 1},
        {"/long_plain_key", "0123456789abcdefXYZ", 1},
        {"/esc", "0123456789\\abcdef", 1},
        {"/tail", "0123456789abcdefgh\"", 1},
        {"/k~1ey", "A", 1},
        {"/u", "caf\xc3\xa9 \xe2\xad\x90 long enough", 1},
        {"/ok", "after", 5},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_jsonl,
                         "{\"s\":\"abc\",\"long_plain_key\":\"0123456789abcdefXYZ\","
                         "\"esc\":\"0123456789\\\\abcdef\",\"tail\":\"0123456789abcdefgh\\\"\","
                         "\"k\\u002fey\":\"\\u0041\",\"u\":\"caf\xc3\xa9 \xe2\xad\x90 long enough\"}\n"
                         "{\"bad\":\"0123456789\tab\"}\n"
                         "{\"ba\td\":\"v\"}\n"
                         "{\"x\":\"a\x1f\"}\n"
                         "{\"ok\":\"after\"}\n",
                         0, 0, &c, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "line 2: invalid JSON");
    expect_lines(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/*
 * Lines that straddle a refill of the input's window (PS_INPUT_CHUNK): the
 * value, lent or decoded, must be the whole of it.
 */
static void test_jsonl_across_refill(void **state)
{
    static const char *tail[] = {
        "{\"v\":\"plain value that crosses the refill of the window\"}\n",
        "{\"e\":\"escaped value\\nthat crosses the refill of the window\"}\n",
    };
    size_t cap = 2 * PS_INPUT_CHUNK + 256, n = 0;
    char *buf = malloc(cap);
    collect c = {0};
    ps_diag d;

    assert_non_null(buf);
    for (size_t k = 0; k < 2; k++) {
        /* A padding line that ends 20 bytes before the next window. */
        size_t end = (k + 1) * PS_INPUT_CHUNK - 20;

        n += (size_t)snprintf(buf + n, cap - n, "{\"pad\":\"");
        memset(buf + n, 'p', end - n - 3);
        n = end - 3;
        memcpy(buf + n, "\"}\n", 3);
        n += 3;
        n += (size_t)snprintf(buf + n, cap - n, "%s", tail[k]);
    }
    assert_int_equal(run(state, &ps_reader_jsonl, buf, n, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 4);
    expect_line(&c, 1, "/v", "plain value that crosses the refill of the window", 2);
    expect_line(&c, 3, "/e", "escaped value\nthat crosses the refill of the window", 4);
    assert_int_equal(c.r[0].value_len, PS_INPUT_CHUNK - 20 - 11);
    assert_int_equal(c.r[2].value_len, PS_INPUT_CHUNK - strlen(tail[0]) - 11);
    free(buf);
    collect_free(&c);
}

/* ---------------------------------------------------------------- csv */

static void test_csv_quoting(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_csv,
                         "\xEF\xBB\xBF id , name ,note\r\n"
                         "1,\"Smith, Ann\",\"said \"\"hi\"\"\"\r\n"
                         "2,\"multi\nline\",,extra\r\n"
                         "\r\n"
                         "3\r\n"
                         "4,,x",
                         ',', 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 9);
    expect_line(&c, 0, "id", "1", 2);
    expect_line(&c, 1, "name", "Smith, Ann", 2);
    expect_line(&c, 2, "note", "said \"hi\"", 2);
    expect_line(&c, 3, "id", "2", 3);
    expect_line(&c, 4, "name", "multi\nline", 3);
    expect_line(&c, 5, "column_4", "extra", 3);
    expect_line(&c, 6, "id", "3", 6);
    expect_line(&c, 7, "id", "4", 7);
    expect_line(&c, 8, "note", "x", 7);
    assert_string_equal(c.r[1].column, "name");
    expect_ids_one_to_one(&c);
    collect_free(&c);
}

/*
 * UTF-16 (here LE with a BOM, as Excel writes it, and a name with an accent)
 * is sniffed as CSV and read as its UTF-8 text: same records, same lines.
 */
static void test_csv_utf16(void **state)
{
    static const char data[] = "\xFF\xFE" "i\0d\0,\0n\0" "a\0m\0" "e\0\r\0\n\0"
                               "1\0,\0R\0\xE9\0n\0" "e\0\r\0\n\0";
    collect c = {0};
    ps_diag d;

    assert_int_equal(run(state, &ps_reader_csv, data, sizeof(data) - 1, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 2);
    expect_line(&c, 0, "id", "1", 2);
    expect_line(&c, 1, "name", "R\xC3\xA9ne", 2);
    collect_free(&c);
}

static void test_csv_delimiters(void **state)
{
    static const struct { const char *data; char delim; } t[] = {
        {"k;v\nx;\"a;b\"\n", ';'},
        {"k\tv\nx\t\"a\tb\"\n", '\t'},
        {"k,v\nx,\"a,b\"\n", ','},
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        collect c = {0};
        ps_diag d;

        /* delim 0: the reader uses what sniffing found. */
        assert_int_equal(RUN(&ps_reader_csv, t[i].data, 0, 0, &c, &d), PS_OK);
        assert_int_equal(c.n, 2);
        expect_line(&c, 0, "k", "x", 2);
        expect_line(&c, 1, "v", i == 0 ? "a;b" : i == 1 ? "a\tb" : "a,b", 2);
        collect_free(&c);
    }
}

static void test_csv_unterminated(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_csv, "a,b\n1,2\n3,\"open\nmore", ',', 0, &c, &d),
                     PS_ERR_FORMAT);
    assert_string_equal(d.msg, "line 3: unterminated quoted field");
    assert_int_equal(c.n, 3);
    expect_line(&c, 0, "a", "1", 2);
    expect_line(&c, 1, "b", "2", 2);
    expect_line(&c, 2, "a", "3", 3);
    collect_free(&c);
}

static void test_csv_long_cell(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_csv, "a,b\nshort,waytoolongvalue\nok,\"also fine\"\n",
                         ',', 10, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "line 2: field longer than 10 bytes");
    assert_int_equal(c.n, 3);
    expect_line(&c, 0, "a", "short", 2);
    expect_line(&c, 1, "a", "ok", 3);
    expect_line(&c, 2, "b", "also fine", 3);
    collect_free(&c);
}

/*
 * Cells are lent from the input's window when they are one run (unquoted,
 * or quoted without a doubled quote) and copied when they are several: each
 * kind, and the header names, which are kept after their cells are gone.
 */
static void test_csv_lent_and_copied(void **state)
{
    static const want_line want[] = {
        {"h1", "plain", 2},     {"h2", "quoted, lent", 2},
        {"h\"\"3", "dou\"bled", 2}, {"h4", "afterquote", 2},
        {"h2", "x", 3},         {"h\"\"3", "multi\nline", 3},
        {"h4", "\"", 3},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_csv,
                         "h1,\"h2\",h\"\"3,\"h\"4\n"
                         "plain,\"quoted, lent\",\"dou\"\"bled\",\"after\"quote\n"
                         "\"\",x,\"multi\nline\",\"\"\"\"\n",
                         ',', 0, &c, &d), PS_OK);
    expect_lines(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/*
 * A row placed at every offset across a refill of the input's window
 * (PS_INPUT_CHUNK): a cell cut by the refill, a delimiter, a quote or half
 * of a doubled quote as the window's last byte must all give the same cells.
 * A last row of a whole window's length makes sure the refill overwrites
 * every byte a cell could still be lent from.
 */
static void test_csv_across_refill(void **state)
{
    static const char row[] = "0123456789,\"q1\"\"q2\",\"lent,q\",tail\n";
    size_t cap = 2 * PS_INPUT_CHUNK + sizeof(row) + 3, rl = sizeof(row) - 1;
    char *buf = malloc(cap);

    assert_non_null(buf);
    for (size_t s = 1; s <= rl; s++) {
        /* Header, a padding row, then row starting s bytes before the refill. */
        size_t n = 0, pad = PS_INPUT_CHUNK - s - 4 - 3;
        collect c = {0};
        ps_diag d;

        memcpy(buf, "a,b\n", 4);
        n = 4;
        memset(buf + n, 'p', pad);
        n += pad;
        memcpy(buf + n, ",x\n", 3);
        n += 3;
        memcpy(buf + n, row, rl);
        n += rl;
        memset(buf + n, 'z', PS_INPUT_CHUNK);
        n += PS_INPUT_CHUNK;
        memcpy(buf + n, ",y\n", 3);
        n += 3;
        assert_int_equal(run(state, &ps_reader_csv, buf, n, ',', 0, &c, &d), PS_OK);
        assert_int_equal(c.n, 8);
        assert_int_equal(c.r[6].value_len, PS_INPUT_CHUNK);
        expect_line(&c, 7, "b", "y", 4);
        assert_int_equal(c.r[0].value_len, pad);
        expect_line(&c, 1, "b", "x", 2);
        expect_line(&c, 2, "a", "0123456789", 3);
        expect_line(&c, 3, "b", "q1\"q2", 3);
        expect_line(&c, 4, "column_3", "lent,q", 3);
        expect_line(&c, 5, "column_4", "tail", 3);
        collect_free(&c);
    }
    free(buf);
}

/* k copies of ch, then tail, into dst: an expected value of the tests below. */
static const char *rep_want(char *dst, char ch, size_t k, const char *tail)
{
    memset(dst, ch, k);
    strcpy(dst + k, tail);
    return dst;
}

/* Append tmpl to b, each "#c" in it as k copies of c: an input of the tests below. */
static void rep_input(ps_buf *b, const char *tmpl, size_t k)
{
    for (const char *t = tmpl; *t != '\0'; t++) {
        size_t n = 1;

        if (*t == '#' && t[1] != '\0') {
            n = k;
            t++;
        }
        for (size_t i = 0; i < n; i++)
            assert_int_equal(ps_buf_putc(b, *t), PS_OK);
    }
}

/*
 * Runs are measured sixteen bytes at a time: a delimiter, "\r\n", a lone
 * "\r", a quote mid-cell, a closing quote and a newline (then a delimiter)
 * inside quotes each at every offset within and across those sixteen, with
 * a last row that has no line end.
 */
static void test_csv_stop_offsets(void **state)
{
    for (size_t k = 1; k <= 40; k++) {
        char w[7][64];
        ps_buf in;
        collect c = {0};
        ps_diag d;

        ps_buf_init(&in, 4096);
        rep_input(&in, "a,b,c\n#x,#y\r\n\"#q\",#m\"n\r\"#l\n,l\",,#t\n,#w", k);
        assert_int_equal(run(state, &ps_reader_csv, in.data, in.len, ',', 0, &c, &d), PS_OK);
        assert_int_equal(c.n, 7);
        expect_line(&c, 0, "a", rep_want(w[0], 'x', k, ""), 2);
        expect_line(&c, 1, "b", rep_want(w[1], 'y', k, ""), 2);
        expect_line(&c, 2, "a", rep_want(w[2], 'q', k, ""), 3);
        expect_line(&c, 3, "b", rep_want(w[3], 'm', k, "\"n"), 3);
        expect_line(&c, 4, "a", rep_want(w[4], 'l', k, "\n,l"), 4);
        expect_line(&c, 5, "c", rep_want(w[5], 't', k, ""), 4);
        expect_line(&c, 6, "b", rep_want(w[6], 'w', k, ""), 6);
        expect_ids_one_to_one(&c);
        ps_buf_free(&in);
        collect_free(&c);
    }
}

/* A cell of exactly max_record bytes is read, quoted or not; one byte more is not. */
static void test_csv_max_record_edge(void **state)
{
    static const want_line want[] = {
        {"a", "aaaaaaaaaaaaaaaa", 2},
        {"c", "ccccccccccccccc", 2},
        {"a", "qqqqqqqqqqqqqqqq", 3},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_csv,
                         "a,b,c\n"
                         "aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbb,ccccccccccccccc\n"
                         "\"qqqqqqqqqqqqqqqq\",\"rrrrrrrrrrrrrrrrr\"\n",
                         ',', 16, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "line 2: field longer than 16 bytes");
    expect_lines(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/*
 * A "\r" as the last byte of the input's window: the "\n" that may start
 * the next one belongs to it (one line end, not an empty line between).
 */
static void test_csv_cr_across_refill(void **state)
{
    static const char *const next[] = { "\n1,2\n", "1,2\n", "\r\n1,2\n" };
    static const uint64_t line[] = { 3, 3, 4 };
    size_t pad = PS_INPUT_CHUNK - 4 - 3;

    for (size_t v = 0; v < sizeof(next) / sizeof(next[0]); v++) {
        ps_buf in;
        collect c = {0};
        ps_diag d;

        ps_buf_init(&in, 2 * PS_INPUT_CHUNK);
        rep_input(&in, "a,b\n#p,x\r", pad);
        assert_int_equal(in.len, PS_INPUT_CHUNK);
        rep_input(&in, next[v], 0);
        assert_int_equal(run(state, &ps_reader_csv, in.data, in.len, ',', 0, &c, &d), PS_OK);
        assert_int_equal(c.n, 4);
        assert_int_equal(c.r[0].value_len, pad);
        expect_line(&c, 1, "b", "x", 2);
        expect_line(&c, 2, "a", "1", line[v]);
        expect_line(&c, 3, "b", "2", line[v]);
        ps_buf_free(&in);
        collect_free(&c);
    }
}

/* ------------------------------------------------------------- sqlite */

static void sql_exec(sqlite3 *db, const char *sql)
{
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void make_db(const char *path)
{
    static const unsigned char png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00";
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sql_exec(db, "PRAGMA journal_mode=WAL;"
                 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER,"
                 " score REAL, photo BLOB, note TEXT);"
                 "CREATE TABLE \"we\"\"ird\" (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;"
                 "INSERT INTO \"we\"\"ird\" VALUES ('b', 'two'), ('a', 'one');"
                 "INSERT INTO users (id, name, age, score, note) VALUES (7, 'Ann', 9, 1.5, NULL);");
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO users (id, name, photo) VALUES (9, 'Bob', ?)",
                                        -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_blob(st, 1, png, sizeof(png) - 1, SQLITE_STATIC), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A database named name in the scratch directory, made by sql; its path in path. */
static void make_db_sql(void **state, const char *name, const char *sql, char *path, size_t n)
{
    sqlite3 *db;

    tmp_path(state, name, path, n);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sql_exec(db, sql);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void read_all(const char *path, unsigned char **data, size_t *n, struct stat *sb)
{
    FILE *f = fopen(path, "rb");

    assert_non_null(f);
    assert_int_equal(stat(path, sb), 0);
    *n = (size_t)sb->st_size;
    *data = malloc(*n);
    assert_non_null(*data);
    assert_int_equal(fread(*data, 1, *n, f), *n);
    fclose(f);
}

static void test_sqlite(void **state)
{
    char path[128], side[160];
    unsigned char *before, *after;
    size_t nb, na;
    struct stat sb, sa;
    collect c = {0};
    ps_diag d;

    tmp_path(state, "app #1?.db", path, sizeof(path));
    make_db(path);
    read_all(path, &before, &nb, &sb);
    assert_int_equal(run_path(&ps_reader_sqlite, path, 0, 0, &c, &d), PS_OK);

    /* Tables in name order: users, then we"ird (no rowid: rows numbered). */
    assert_int_equal(c.n, 11);
    expect_cell(&c, 0, "users", "id", 7, "7");
    expect_cell(&c, 1, "users", "name", 7, "Ann");
    expect_cell(&c, 2, "users", "age", 7, "9");
    expect_cell(&c, 3, "users", "score", 7, "1.5");
    expect_cell(&c, 4, "users", "id", 9, "9");
    expect_cell(&c, 5, "users", "name", 9, "Bob");
    assert_int_equal(c.r[6].kind, PS_LOC_CELL);
    assert_string_equal(c.r[6].column, "photo");
    assert_int_equal(c.r[6].row, 9);
    assert_int_equal(c.r[6].value_len, 18);
    assert_memory_equal(c.r[6].value, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(c.r[6].media, PS_MEDIA_PNG);
    assert_int_equal(c.r[5].media, PS_MEDIA_NONE);
    /* WITHOUT ROWID, and a quote in the name: rows in key order, numbered. */
    expect_cell(&c, 7, "we\"ird", "k", 1, "a");
    expect_cell(&c, 8, "we\"ird", "v", 1, "one");
    expect_cell(&c, 9, "we\"ird", "k", 2, "b");
    expect_cell(&c, 10, "we\"ird", "v", 2, "two");
    expect_ids_one_to_one(&c);
    collect_free(&c);

    /* Nothing was written: no side files, same bytes, same mtime. */
    snprintf(side, sizeof(side), "%s-journal", path);
    assert_int_equal(access(side, F_OK), -1);
    snprintf(side, sizeof(side), "%s-wal", path);
    assert_int_equal(access(side, F_OK), -1);
    snprintf(side, sizeof(side), "%s-shm", path);
    assert_int_equal(access(side, F_OK), -1);
    read_all(path, &after, &na, &sa);
    assert_int_equal(na, nb);
    assert_memory_equal(after, before, nb);
    assert_int_equal(sa.st_mtim.tv_sec, sb.st_mtim.tv_sec);
    assert_int_equal(sa.st_mtim.tv_nsec, sb.st_mtim.tv_nsec);
    free(before);
    free(after);
}

static void test_sqlite_without_rowid_rows(void **state)
{
    char path[128];
    collect c = {0};
    ps_diag d;

    make_db_sql(state, "norowid.db",
                "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;"
                "INSERT INTO t VALUES ('b', 'two'), ('a', 'one');", path, sizeof(path));
    assert_int_equal(run_path(&ps_reader_sqlite, path, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 4);
    expect_cell(&c, 0, "t", "k", 1, "a");
    expect_cell(&c, 1, "t", "v", 1, "one");
    expect_cell(&c, 2, "t", "k", 2, "b");
    expect_cell(&c, 3, "t", "v", 2, "two");
    collect_free(&c);
}

/*
 * Integers are put into text by the reader itself (read_sqlite.c), which
 * must give SQLite's own text: the extremes, zero, negatives.  REALs, and
 * an integer stored in a TEXT column, keep SQLite's conversion.
 */
static void test_sqlite_integers(void **state)
{
    char path[128];
    collect c = {0};
    ps_diag d;

    make_db_sql(state, "ints.db",
                "CREATE TABLE t (a INTEGER, b REAL, c TEXT);"
                "INSERT INTO t VALUES (0, 0.5, 'x'), (-1, -2.25, 'y'),"
                "  (9223372036854775807, 1e300, 'z'), (-9223372036854775808, 3.0, 'w'),"
                "  (1234567890123, NULL, 'v'), (-42, 1.0e-5, 5), (7, -10, 100);",
                path, sizeof(path));
    assert_int_equal(run_path(&ps_reader_sqlite, path, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 20); /* 7 rows of 3, less one NULL */
    expect_cell(&c, 0, "t", "a", 1, "0");
    expect_cell(&c, 1, "t", "b", 1, "0.5");
    expect_cell(&c, 3, "t", "a", 2, "-1");
    expect_cell(&c, 4, "t", "b", 2, "-2.25");
    expect_cell(&c, 6, "t", "a", 3, "9223372036854775807");
    expect_cell(&c, 7, "t", "b", 3, "1.0e+300");
    expect_cell(&c, 9, "t", "a", 4, "-9223372036854775808");
    expect_cell(&c, 10, "t", "b", 4, "3.0");
    expect_cell(&c, 12, "t", "a", 5, "1234567890123");
    expect_cell(&c, 13, "t", "c", 5, "v");
    expect_cell(&c, 14, "t", "a", 6, "-42");
    expect_cell(&c, 16, "t", "c", 6, "5"); /* TEXT affinity: stored as text */
    expect_cell(&c, 17, "t", "a", 7, "7");
    expect_cell(&c, 18, "t", "b", 7, "-10.0"); /* REAL affinity */
    expect_cell(&c, 19, "t", "c", 7, "100");
    collect_free(&c);
}

static void test_sqlite_not_a_db(void **state)
{
    char data[4096];
    collect c = {0};
    ps_diag d;

    memset(data, 0x5a, sizeof(data));
    memcpy(data, "SQLite format 3", 16);
    assert_int_equal(run(state, &ps_reader_sqlite, data, sizeof(data), 0, 0, &c, &d),
                     PS_ERR_FORMAT);
    assert_non_null(strstr(d.msg, "not a readable SQLite database"));
    assert_int_equal(c.n, 0);
    collect_free(&c);
}

static void test_sqlite_long_value(void **state)
{
    char path[128];
    collect c = {0};
    ps_diag d;

    make_db_sql(state, "long.db",
                "CREATE TABLE m (a TEXT, b TEXT);"
                "INSERT INTO m VALUES ('0123456789abcdef', 'ok');", path, sizeof(path));
    assert_int_equal(run_path(&ps_reader_sqlite, path, 0, 8, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "table m row 1 column a: value longer than 8 bytes");
    assert_int_equal(c.n, 1);
    expect_cell(&c, 0, "m", "b", 1, "ok");
    collect_free(&c);
}

/* ------------------------------------------------------------ sqldump */

static void test_sqldump_mysql(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_sqldump,
        "-- MySQL dump 10.13  Distrib 8.0.33\n"
        "/*!40101 SET NAMES utf8mb4 */;\n"
        "DROP TABLE IF EXISTS `users`;\n"
        "CREATE TABLE `users` (\n"
        "  `id` int NOT NULL AUTO_INCREMENT,\n"
        "  `name` varchar(64) DEFAULT 'x,y',\n"
        "  `pw` char(32) NOT NULL,\n"
        "  `price` decimal(10,2),\n"
        "  PRIMARY KEY (`id`),\n"
        "  KEY `idx_name` (`name`)\n"
        ") ENGINE=InnoDB /* ; */;\n"
        "# a hash comment; with a semicolon\n"
        "LOCK TABLES `users` WRITE;\n"
        "INSERT INTO `users` VALUES (1,'O\\'Brien','5f4dcc3b5aa765d61d8327deb882cf99',1.50),"
        "(2,'O''Brien; DROP','x\\\\y\\nz',NULL),(3,_binary 'ab',\"dq\",-2.5e3);\n"
        "INSERT IGNORE INTO `users` (`pw`, `name`) VALUES ('p4','Ann');\n"
        "UNLOCK TABLES;\n"
        "INSERT INTO other VALUES (0x89504E470D0A1A0A0000000D49484452, 'k');\n",
        0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 15);
    expect_cell(&c, 0, "users", "id", 1, "1");
    expect_cell(&c, 1, "users", "name", 1, "O'Brien");
    expect_cell(&c, 2, "users", "pw", 1, "5f4dcc3b5aa765d61d8327deb882cf99");
    expect_cell(&c, 3, "users", "price", 1, "1.50");
    expect_cell(&c, 4, "users", "id", 2, "2");
    expect_cell(&c, 5, "users", "name", 2, "O'Brien; DROP");
    expect_cell(&c, 6, "users", "pw", 2, "x\\y\nz");
    expect_cell(&c, 7, "users", "id", 3, "3");
    expect_cell(&c, 8, "users", "name", 3, "ab");
    expect_cell(&c, 9, "users", "pw", 3, "dq");
    expect_cell(&c, 10, "users", "price", 3, "-2.5e3");
    expect_cell(&c, 11, "users", "pw", 4, "p4");
    expect_cell(&c, 12, "users", "name", 4, "Ann");
    assert_string_equal(c.r[13].column, "column_1");
    assert_string_equal(c.r[13].table, "other");
    assert_int_equal(c.r[13].value_len, 16);
    assert_memory_equal(c.r[13].value, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(c.r[13].media, PS_MEDIA_PNG);
    expect_cell(&c, 14, "other", "column_2", 1, "k");
    expect_ids_consistent(&c);
    collect_free(&c);
}

static void test_sqldump_postgres(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_sqldump,
        "--\n-- PostgreSQL database dump\n--\n\n"
        "\\restrict abc\n"
        "SET standard_conforming_strings = on;\n"
        "CREATE FUNCTION public.f() RETURNS integer AS $_$ SELECT 1; SELECT ';'; $_$ LANGUAGE sql;\n"
        "CREATE TABLE public.kids (\n"
        "    id integer NOT NULL,\n"
        "    name text,\n"
        "    secret text\n"
        ");\n"
        "COPY public.kids (id, name, secret) FROM stdin;\n"
        "1\tTim\tmy\\tdog\n"
        "2\t\\N\tback\\\\slash\\n\n"
        "\\.\n"
        "INSERT INTO public.kids VALUES (3, 'C:\\path', 'it''s'::text);\n"
        "INSERT INTO public.kids (id, secret) OVERRIDING SYSTEM VALUE VALUES (4, E'tab\\there');\n",
        0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 10);
    expect_cell(&c, 0, "kids", "id", 1, "1");
    expect_cell(&c, 1, "kids", "name", 1, "Tim");
    expect_cell(&c, 2, "kids", "secret", 1, "my\tdog");
    expect_cell(&c, 3, "kids", "id", 2, "2");
    expect_cell(&c, 4, "kids", "secret", 2, "back\\slash\n");
    expect_cell(&c, 5, "kids", "id", 3, "3");
    expect_cell(&c, 6, "kids", "name", 3, "C:\\path");
    expect_cell(&c, 7, "kids", "secret", 3, "it's");
    expect_cell(&c, 8, "kids", "id", 4, "4");
    expect_cell(&c, 9, "kids", "secret", 4, "tab\there");
    expect_ids_consistent(&c);
    collect_free(&c);
}

static void test_sqldump_truncated(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_sqldump,
                         "CREATE TABLE t (a int, b text);\n"
                         "INSERT INTO t VALUES (1,'a'),(2,'b');\n"
                         "INSERT INTO t VALUES (3,'unterminated ... \n",
                         0, 0, &c, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "table t row 3: unterminated string at end of input");
    assert_int_equal(c.n, 5);
    expect_cell(&c, 0, "t", "a", 1, "1");
    expect_cell(&c, 1, "t", "b", 1, "a");
    expect_cell(&c, 2, "t", "a", 2, "2");
    expect_cell(&c, 3, "t", "b", 2, "b");
    expect_cell(&c, 4, "t", "a", 3, "3");
    collect_free(&c);
}

static void test_sqldump_long_value(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_sqldump,
                         "INSERT INTO t (a, b) VALUES ('this is far too long', 'ok'), ('x', 'y');\n",
                         0, 8, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "table t row 1: value longer than 8 bytes");
    assert_int_equal(c.n, 3);
    expect_cell(&c, 0, "t", "b", 1, "ok");
    expect_cell(&c, 1, "t", "a", 2, "x");
    expect_cell(&c, 2, "t", "b", 2, "y");
    collect_free(&c);
}

/* Values that straddle the reader's 256 KiB window arrive whole. */
static void test_sqldump_big_insert(void **state)
{
    size_t rows = 20000, cap = rows * 40 + 100, n = 0;
    char *buf = malloc(cap);
    collect c = {0};
    ps_diag d;

    assert_non_null(buf);
    n += (size_t)snprintf(buf + n, cap - n, "INSERT INTO big VALUES ");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s(%zu,'v\\'%zu')", i ? "," : "", i, i);
    n += (size_t)snprintf(buf + n, cap - n, ";\n");
    assert_int_equal(run(state, &ps_reader_sqldump, buf, n, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, rows * 2);
    for (size_t i = 0; i < rows; i++) {
        char want[32];
        snprintf(want, sizeof(want), "v'%zu", i);
        assert_string_equal(c.r[2 * i + 1].value, want);
        assert_int_equal(c.r[2 * i + 1].row, (int64_t)i + 1);
    }
    free(buf);
    collect_free(&c);
}

/*
 * Values lent straight from the read window and values copied out of it
 * agree.  The same row is read with its cut at every byte in turn, the
 * cut being where one 256 KiB window ends and the next begins: so each
 * value is once split across a refill, once has its closing quote as the
 * window's last byte, and is otherwise wholly in one window.
 */
static void test_sqldump_window_edges(void **state)
{
    static const char row[] =
        "INSERT INTO t VALUES ('plain','it''s','O\\'Brien',12345,-7,'',\"dq\",'end');\n";
    static const char *const want[] = { "plain", "it's", "O'Brien", "12345", "-7", "", "dq", "end" };
    size_t rowlen = sizeof(row) - 1, nwant = sizeof(want) / sizeof(want[0]);
    char *buf = malloc(PS_INPUT_CHUNK + rowlen);

    assert_non_null(buf);
    for (size_t cut = 1; cut < rowlen; cut++) {
        /* A comment line fills the first window up to the cut. */
        size_t pad = PS_INPUT_CHUNK - cut;
        collect c = {0};
        ps_diag d;

        memset(buf, ' ', pad);
        memcpy(buf, "--", 2);
        buf[pad - 1] = '\n';
        memcpy(buf + pad, row, rowlen);
        assert_int_equal(run(state, &ps_reader_sqldump, buf, pad + rowlen, 0, 0, &c, &d), PS_OK);
        assert_int_equal(c.n, nwant);
        for (size_t i = 0; i < nwant; i++) {
            char col[16];

            snprintf(col, sizeof(col), "column_%zu", i + 1);
            expect_cell(&c, i, "t", col, 1, want[i]);
            assert_int_equal(c.r[i].value_len, strlen(want[i]));
        }
        collect_free(&c);
    }
    free(buf);
}

/*
 * An identifier longer than the reader's limit (1024 bytes), quoted or
 * bare, keeps its first 1024 bytes, whether it lies in one read window or
 * is cut by a window's end anywhere in it: a name must not depend on where
 * a window ends.  (A quoted one got an empty column name in one window,
 * and a prefix as long as the first window's part when cut; fuzz_sqldump
 * found it.)
 */
static void test_sqldump_long_ident(void **state)
{
    enum { NAME = 1500, KEPT = 1024 };
    static const size_t cuts[] = { 0, 20, 600, 1040, 1300 };
    static const char *const quotes[] = { "`", "" };
    char *row = malloc(NAME + 64), *want = malloc(KEPT + 1), *buf;

    assert_non_null(row);
    assert_non_null(want);
    memset(want, 'c', KEPT);
    want[KEPT] = '\0';
    buf = malloc(PS_INPUT_CHUNK + NAME + 64);
    assert_non_null(buf);
    for (size_t q = 0; q < sizeof(quotes) / sizeof(quotes[0]); q++) {
        size_t rowlen = (size_t)sprintf(row, "INSERT INTO t (%s", quotes[q]);

        memset(row + rowlen, 'c', NAME);
        rowlen += NAME;
        rowlen += (size_t)sprintf(row + rowlen, "%s) VALUES ('v');\n", quotes[q]);
        for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
            /* cut 0: the row alone, in one window; else a comment fills the first window up to it */
            size_t pad = cuts[k] == 0 ? 0 : PS_INPUT_CHUNK - cuts[k];
            collect c = {0};
            ps_diag d;

            if (pad > 0) {
                memset(buf, ' ', pad);
                memcpy(buf, "--", 2);
                buf[pad - 1] = '\n';
            }
            memcpy(buf + pad, row, rowlen);
            assert_int_equal(run(state, &ps_reader_sqldump, buf, pad + rowlen, 0, 0, &c, &d),
                             PS_OK);
            assert_int_equal(c.n, 1);
            expect_cell(&c, 0, "t", want, 1, "v");
            collect_free(&c);
        }
    }
    free(buf);
    free(want);
    free(row);
}

/*
 * String runs are measured sixteen bytes at a time: a closing quote, a
 * backslash escape and a doubled quote at every offset within and across
 * those sixteen, each value written as mysqldump does (no spaces).
 */
static void test_sqldump_span_offsets(void **state)
{
    static const char *const tail[] = { "", "'z", "'v", "", "\\" };
    static const char fill[] = { 'x', 'y', 'w', 'd', 'a' };

    for (size_t k = 0; k <= 40; k++) {
        char want[64];
        ps_buf in;
        collect c = {0};
        ps_diag d;

        ps_buf_init(&in, 4096);
        rep_input(&in, "INSERT INTO t VALUES ('#x','#y\\'z','#w''v',\"#d\",'#a\\\\');\n", k);
        assert_int_equal(run(state, &ps_reader_sqldump, in.data, in.len, 0, 0, &c, &d), PS_OK);
        assert_int_equal(c.n, 5);
        for (size_t i = 0; i < 5; i++) {
            char col[16];

            snprintf(col, sizeof(col), "column_%zu", i + 1);
            expect_cell(&c, i, "t", col, 1, rep_want(want, fill[i], k, tail[i]));
            assert_int_equal(c.r[i].value_len, strlen(want));
        }
        ps_buf_free(&in);
        collect_free(&c);
    }
}

/*
 * What a tuple written without spaces (mysqldump's) may hold next to what
 * only the general reader takes: spaces and comments around values, NULL
 * in any case and words that only look like it, a number with something
 * after it, a hex literal, and values after one too long for max_record.
 */
static void test_sqldump_tuple_edges(void **state)
{
    static const struct {
        const char *column;
        int64_t row;
        const char *value;
    } want[] = {
        {"a", 1, "1"},  {"b", 1, "sp"},      {"a", 2, "2"},    {"b", 2, "x"},
        {"a", 3, "12"}, {"c", 3, "y"},       {"a", 4, "A"},    {"b", 4, "-1.5e-3"},
        {"c", 4, "it's"}, {"a", 5, "3"},     {"c", 5, "ok"},   {"a", 6, "4"},
        {"b", 6, "TRUE"}, {"c", 6, "z"},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_sqldump,
        "CREATE TABLE t (a int, b text, c text);\n"
        "INSERT INTO t VALUES (1 , 'sp' ,NULL ),(2,/*c*/'x',nuLL),(12:30,NULLX,'y'),"
        "(0x41,-1.5e-3,'it''s'),(3,'far too long','ok'),(4,TRUE,'z');\n",
        0, 8, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "table t row 5: value longer than 8 bytes");
    assert_int_equal(c.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < c.n; i++)
        expect_cell(&c, i, "t", want[i].column, want[i].row, want[i].value);
    expect_ids_one_to_one(&c);
    collect_free(&c);
}

/* -------------------------------------------------------------- media */

static void test_media(void **state)
{
    static const char png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    collect c = {0};
    ps_diag d;

    assert_int_equal(run(state, &ps_reader_media, png, sizeof(png) - 1, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.r[0].field, "");
    assert_int_equal(c.r[0].value_len, 0);
    assert_int_equal(c.r[0].kind, PS_LOC_NONE);
    assert_int_equal(c.r[0].media, PS_MEDIA_PNG);
    collect_free(&c);
}

/* Unknown binaries: printable runs of 6+ bytes become records, the rest is skipped. */
static void test_strings(void **state)
{
    static const char bin[] = "\x01\x02\x00" "abc\x00\xff\xfe" "user=ann@example.com\x00\x00"
                              "\x10tail-run\x03";
    collect c = {0};
    ps_diag d;

    assert_int_equal(run(state, &ps_reader_strings, bin, sizeof(bin) - 1, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 2);
    /* 0xff 0xfe are kept with the run: they may be UTF-8 lead bytes of text. */
    assert_int_equal(c.r[0].value_len, 2 + strlen("user=ann@example.com"));
    assert_non_null(strstr(c.r[0].value, "user=ann@example.com"));
    assert_string_equal(c.r[1].value, "tail-run");
    assert_int_equal(c.r[1].kind, PS_LOC_NONE);
    assert_string_equal(c.r[1].field, "");
    collect_free(&c);
    /* An endless printable run is split at max_record and reported, not dropped. */
    {
        char big[5000];
        memset(big, 'a', sizeof(big));
        big[0] = '\x01';
        assert_int_equal(run(state, &ps_reader_strings, big, sizeof(big), 0, 1024, &c, &d),
                         PS_ERR_LIMIT);
        assert_true(c.n >= 4);
        assert_int_equal(c.r[0].value_len, 1024);
        assert_non_null(strstr(d.msg, "longer than 1024 bytes"));
        collect_free(&c);
    }
    assert_ptr_equal(ps_reader_for(PS_FMT_UNKNOWN), &ps_reader_strings);
}

/* --------------------------------------------------------------- json */

/* A JSON leaf: its pointer is its field name. */
typedef want_line leaf;

/* The records of c are exactly want[0..n), and each pointer is its field. */
static void expect_leaves(const collect *c, const leaf *want, size_t n)
{
    expect_lines(c, want, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(c->r[i].pointer, want[i].field);
}

static void test_json_conversations(void **state)
{
    static const char doc[] =
        "{\n"
        "  \"user\": {\"name\": \"Ann\", \"age\": 9, \"kid\": true},\n"
        "  \"conversations\": [\n"
        "    {\n"
        "      \"id\": 1,\n"
        "      \"messages\": [\n"
        "        {\"from\": \"ann\", \"body\": \"hi there\"},\n"
        "        {\"from\": \"bob\", \"body\": \"see you at 5\", \"read\": false, \"x\": null, \"n\": -1.5e3\n"
        "        }\n"
        "      ]\n"
        "    },\n"
        "    {\"id\": 2, \"messages\": [], \"tags\": [null, \"t1\", [], \"t3\"]}\n"
        "  ]\n"
        "}\n";
    static const leaf want[] = {
        {"/user/name", "Ann", 2},
        {"/user/age", "9", 2},
        {"/user/kid", "true", 2},
        {"/conversations/0/id", "1", 5},
        {"/conversations/0/messages/0/from", "ann", 7},
        {"/conversations/0/messages/0/body", "hi there", 7},
        {"/conversations/0/messages/1/from", "bob", 8},
        {"/conversations/0/messages/1/body", "see you at 5", 8},
        {"/conversations/0/messages/1/read", "false", 8},
        {"/conversations/0/messages/1/n", "-1.5e3", 8},
        {"/conversations/1/id", "2", 12},
        {"/conversations/1/tags/1", "t1", 12},
        {"/conversations/1/tags/3", "t3", 12},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_json, doc, 0, 0, &c, &d), PS_OK);
    expect_leaves(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/* RFC 6901 escaping of keys; values come out unescaped. */
static void test_json_escapes(void **state)
{
    static const char doc[] =
        "{\"a/b\": {\"c~d\": \"l1\\nl2 \\u00e9 \\\"q\\\" \\ud83d\\ude00 \\/\"},\n"
        " \"\": \"empty key\", \"~/\": [\"x\"]}";
    static const leaf want[] = {
        {"/a~1b/c~0d", "l1\nl2 \xc3\xa9 \"q\" \xf0\x9f\x98\x80 /", 1},
        {"/", "empty key", 2},
        {"/~0~1/0", "x", 2},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_json, doc, 0, 0, &c, &d), PS_OK);
    expect_leaves(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/*
 * Several top-level values, each with pointer "" or below; a number ended
 * by the newline belongs to its own line, not the next.
 */
static void test_json_multiple_values(void **state)
{
    static const char doc[] = "\xEF\xBB\xBF{\"a\": 1}\n[2, \"x\"]\n\"s\"\n7\n\n  true";
    static const leaf want[] = {
        {"/a", "1", 1}, {"/0", "2", 2}, {"/1", "x", 2}, {"", "s", 3}, {"", "7", 4},
        {"", "true", 6},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_json, doc, 0, 0, &c, &d), PS_OK);
    expect_leaves(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
    /* Only whitespace: no values, and nothing wrong. */
    assert_int_equal(RUN(&ps_reader_json, " \r\n\t\n", 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 0);
}

typedef struct json_bad_case {
    const char *what;
    const char *doc;
    size_t max_record;
    ps_status st;
    const char *msg;
    size_t nrec;         /* records emitted before (and after) the problem */
    const char *last;    /* pointer of the last record, when nrec > 0 */
} json_bad_case;

static void test_json_errors(void **state)
{
    static const json_bad_case cases[] = {
        {"invalid literal midway", "{\n \"a\": \"one\",\n \"b\": tru,\n \"c\": \"three\"\n}\n",
         0, PS_ERR_FORMAT, "line 3: invalid JSON", 1, "/a"},
        {"missing comma", "[\n1,\n2\n3]", 0, PS_ERR_FORMAT, "line 4: invalid JSON", 2, "/1"},
        {"invalid utf-8", "{\n\"a\": \"ok\",\n\"b\": \"bad\xff\"\n}\n",
         0, PS_ERR_FORMAT, "line 3: invalid JSON", 1, "/a"},
        {"comment", "{\"a\": 1, // no\n\"b\": 2}", 0, PS_ERR_FORMAT, "line 1: invalid JSON", 1, "/a"},
        {"cut short", "{\"a\": [1, 2,\n3", 0, PS_ERR_FORMAT,
         "line 2: invalid JSON (the data ends inside a value)", 3, "/a/2"},
        {"long value skipped, rest read", "{\"a\": \"0123456789\",\n\"b\": \"ok\", \"c\": 123456789012}",
         8, PS_ERR_LIMIT, "line 1: value longer than 8 bytes", 1, "/b"},
        {"first problem wins", "[\"0123456789\",\n\"ok\", x]", 8, PS_ERR_LIMIT,
         "line 1: value longer than 8 bytes", 1, "/1"},
    };

    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
        collect c = {0};
        ps_diag d;

        print_message("case: %s\n", cases[t].what);
        assert_int_equal(RUN(&ps_reader_json, cases[t].doc, 0, cases[t].max_record, &c, &d),
                         cases[t].st);
        assert_string_equal(d.msg, cases[t].msg);
        assert_int_equal(c.n, cases[t].nrec);
        if (cases[t].nrec > 0)
            assert_string_equal(c.r[c.n - 1].pointer, cases[t].last);
        collect_free(&c);
    }
}

/* 512 levels are read; the 513th stops the file, after what came before. */
static void test_json_depth(void **state)
{
    char doc[2 * 520 + 64];
    collect c = {0};
    ps_diag d;
    size_t n = 0;

    for (int i = 0; i < 512; i++)
        doc[n++] = '[';
    doc[n++] = '1';
    for (int i = 0; i < 512; i++)
        doc[n++] = ']';
    assert_int_equal(run(state, &ps_reader_json, doc, n, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(strlen(c.r[0].pointer), 2 * 512); /* "/0" per level */
    collect_free(&c);

    n = 0;
    memcpy(doc, "{\"k\": \"v\",\n\"deep\": ", 19);
    n = 19;
    for (int i = 0; i < 513; i++)
        doc[n++] = '[';
    for (int i = 0; i < 513; i++)
        doc[n++] = ']';
    doc[n++] = '}';
    assert_int_equal(run(state, &ps_reader_json, doc, n, 0, 0, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "line 2: nesting deeper than 512 levels");
    assert_int_equal(c.n, 1);
    assert_string_equal(c.r[0].pointer, "/k");
    collect_free(&c);
}

/* A big document: values on both sides of every chunk boundary, lines exact. */
static void test_json_big_document(void **state)
{
    size_t rows = 30000, cap = rows * 64 + 64, n = 0;
    char *buf = malloc(cap);
    collect c = {0};
    ps_diag d;

    assert_non_null(buf);
    n += (size_t)snprintf(buf + n, cap - n, "{\"messages\": [\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(buf + n, cap - n, "  {\"id\": %zu, \"body\": \"message %zu\"}%s\n",
                              i, i, i + 1 < rows ? "," : "");
    n += (size_t)snprintf(buf + n, cap - n, "]}\n");
    assert_true(n > 2 * PS_INPUT_CHUNK);
    assert_int_equal(run(state, &ps_reader_json, buf, n, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, rows * 2);
    for (size_t i = 0; i < rows; i++) {
        char ptr[64], val[32];

        snprintf(ptr, sizeof(ptr), "/messages/%zu/body", i);
        snprintf(val, sizeof(val), "message %zu", i);
        if (strcmp(c.r[2 * i + 1].pointer, ptr) != 0 || strcmp(c.r[2 * i + 1].value, val) != 0 ||
            c.r[2 * i + 1].line != i + 2)
            fail_msg("row %zu: %s = %s at line %llu", i, c.r[2 * i + 1].pointer,
                     c.r[2 * i + 1].value, (unsigned long long)c.r[2 * i + 1].line);
    }
    collect_free(&c);

    /* Stopping from the callback stops the reader. */
    c.stop_after = 3;
    assert_int_equal(run(state, &ps_reader_json, buf, n, 0, 0, &c, &d), PS_ERR_STOP);
    assert_int_equal(c.n, 3);
    collect_free(&c);
    free(buf);
}

/*
 * A string far past max_record that spans many chunks: yajl would buffer
 * it whole, so the file is abandoned once that much goes by without an
 * event, instead of letting memory grow.
 */
static void test_json_runaway_string(void **state)
{
    size_t n = 4u << 20;
    char *buf = malloc(n);
    collect c = {0};
    ps_diag d;

    assert_non_null(buf);
    memset(buf, 'a', n);
    memcpy(buf, "{\"ok\": 1, \"x\": \"", 16);
    assert_int_equal(run(state, &ps_reader_json, buf, n, 0, 1024, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "line 1: a value longer than 1024 bytes; the rest was not read");
    assert_int_equal(c.n, 1);
    collect_free(&c);
    free(buf);
}

/* --------------------------------------------------------------- gzip */

/* Write data[0..n) as a gzip file with gzopen/gzwrite. */
static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb6");
    const char *p = data;

    assert_non_null(g);
    while (n > 0) {
        unsigned k = n > (1u << 30) ? 1u << 30 : (unsigned)n;
        assert_int_equal(gzwrite(g, p, k), (int)k);
        p += k;
        n -= k;
    }
    assert_int_equal(gzclose(g), Z_OK);
}

/*
 * Run what the scan driver would over a gzip file: peek the inflated head,
 * sniff it under the inner name (the outer name without ".gz" when the
 * header has none), take the reader for that format, and read through the
 * transport.  *fmt gets the sniffed format.
 */
static ps_status run_gz_path(const char *path, size_t max_record, uint64_t max_inflate,
                             unsigned max_ratio, ps_format *fmt, collect *out, ps_diag *diag)
{
    unsigned char head[PS_SNIFF_HEAD];
    char inner[256];
    size_t got;
    ps_source src;
    const ps_reader *r;
    ps_status st;
    int fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    assert_int_equal(ps_gzip_peek(fd, head, sizeof(head), &got, inner, sizeof(inner)), PS_OK);
    if (inner[0] == '\0') {
        const char *base = strrchr(path, '/') + 1;
        size_t l = strlen(base);
        assert_true(l > 3 && strcmp(base + l - 3, ".gz") == 0);
        snprintf(inner, sizeof(inner), "%.*s", (int)(l - 3), base);
    }
    memset(&src, 0, sizeof(src));
    src.fd = fd;
    src.open_path = path;
    src.rel_path = strrchr(path, '/') + 1;
    src.size = got < sizeof(head) ? got : UINT64_MAX; /* inflated size unknown */
    src.sniff = ps_sniff_buffer(head, got, inner, src.size);
    src.max_record = max_record ? max_record : 1u << 20;
    src.transport = PS_TRANSPORT_GZIP;
    src.max_inflate = max_inflate;
    src.max_ratio = max_ratio;
    *fmt = src.sniff.format;
    r = ps_reader_for(src.sniff.format);
    assert_non_null(r);
    diag->msg[0] = '\0';
    st = r->read(&src, collect_fn, out, diag);
    close(fd);
    return st;
}

static void expect_same_records(const collect *a, const collect *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->r[i].field, b->r[i].field);
        assert_int_equal(a->r[i].field_id, b->r[i].field_id);
        assert_int_equal(a->r[i].value_len, b->r[i].value_len);
        assert_memory_equal(a->r[i].value, b->r[i].value, a->r[i].value_len);
        assert_int_equal(a->r[i].kind, b->r[i].kind);
        assert_int_equal(a->r[i].line, b->r[i].line);
        assert_int_equal(a->r[i].row, b->r[i].row);
        assert_true((a->r[i].table == NULL) == (b->r[i].table == NULL));
        if (a->r[i].table != NULL)
            assert_string_equal(a->r[i].table, b->r[i].table);
        assert_true((a->r[i].pointer == NULL) == (b->r[i].pointer == NULL));
        if (a->r[i].pointer != NULL)
            assert_string_equal(a->r[i].pointer, b->r[i].pointer);
    }
}

/*
 * A flat line (one object of plain members) is split without jsmn
 * (read_jsonl.c, jl_flat).  Adding an empty nested member, which emits
 * nothing, sends the same line down the general path: both must give the
 * same records, ids and status, line by line, for lines on either side of
 * what the flat path takes.
 */
/* Records of line[0..n) alone, then with an empty nested member: the same. Returns records seen. */
static size_t flat_vs_general(void **state, const char *line, size_t n)
{
    static const char member[] = "\"zz\":{}";
    char flat[512], general[512];
    size_t cut = n, m = 0, total;
    collect a = {0}, b = {0};
    ps_diag da, db;
    ps_status sa, sb;

    for (size_t k = 0; k < n; k++) {
        if (line[k] == '}')
            cut = k; /* the member goes before the last '}' */
    }
    assert_true(n + sizeof(member) + 2 < sizeof(general));
    memcpy(flat, line, n);
    flat[n] = '\n';
    memcpy(general, line, cut);
    m = cut;
    if (memchr(line, ':', n) != NULL)
        general[m++] = ',';
    memcpy(general + m, member, sizeof(member) - 1);
    m += sizeof(member) - 1;
    memcpy(general + m, line + cut, n - cut);
    m += n - cut;
    general[m++] = '\n';
    sa = run(state, &ps_reader_jsonl, flat, n + 1, 0, 0, &a, &da);
    sb = run(state, &ps_reader_jsonl, general, m, 0, 0, &b, &db);
    assert_int_equal(sa, sb);
    assert_string_equal(da.msg, db.msg);
    expect_same_records(&a, &b);
    total = a.n;
    collect_free(&a);
    collect_free(&b);
    return total;
}

static void test_jsonl_flat_as_general(void **state)
{
    static const char *const lines[] = {
        "{\"id\":1,\"ts\":\"2015-10-01T00:00:00Z\",\"body\":\"Hi Chlo\xc3\xa9!\"}",
        "  {\t\"a\" : \"x\" ,\r\"b\":-1.5e3 , \"c\":true,\"d\":false,\"e\":null }  ",
        "{\"esc\":\"tab\\there \\\"q\\\" \\\\o/ \\u00e9 \\ud83d\\ude00\"}",
        "{\"k\\u0065y\":\"v\",\"a/b~c\":\"w\",\"\":\"empty key\"}",
        "{\"dup\":1,\"dup\":2}",
        "{\"ok\":1,\"bad\":\"\\x\"}",      /* an escape jsmn refuses: no record at all */
        "{\"ok\":1,\"bad\":\"\\u12\"}",    /* a short \u */
        "{\"ok\":1,\"bad\":\"\\u1x2y\"}",  /* \u and non-hex digits */
        "{\"ok\":1,\"lone\":\"\\ud800\"}", /* a lone surrogate: refused when decoded */
        "{\"ctl\":\"a\x01" "b\",\"after\":1}", /* a raw control byte */
        "{\"num\":01}",
        "{\"num\":1.}",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1} x",
        "{\"a\":1",
        "{\"a\" 1}",
        "{\"a\":tru}",
        "{\"a\":1]}",
        "{}",
    };
    static const char nul[] = "{\"ok\":1,\"n\":\"a\0b\"}"; /* jsmn ends a string at a NUL */
    size_t total = 0;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        total += flat_vs_general(state, lines[i], strlen(lines[i]));
    assert_true(total >= 15); /* the comparison saw records, not only errors */
    flat_vs_general(state, nul, sizeof(nul) - 1);
}

/* What the flat path decodes: escapes, keys with '~' and '/', the empty key. */
static void test_jsonl_flat_decoding(void **state)
{
    static const char data[] =
        "{\"esc\":\"a\\tb \\\"q\\\" \\u00e9\",\"a/b~c\":\"w\",\"\":\"e\",\"n\":null,\"t\":true}\n";
    static const want_line want[] = {
        { "/esc", "a\tb \"q\" \xc3\xa9", 1 },
        { "/a~1b~0c", "w", 1 },
        { "/", "e", 1 },
        { "/t", "true", 1 },
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(run(state, &ps_reader_jsonl, data, sizeof(data) - 1, 0, 0, &c, &d), PS_OK);
    expect_lines(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/*
 * Where a string stops being plain (its closing quote, a backslash, a raw
 * control byte) is found 16 bytes at a time, or 8 without SSE2, and the
 * last block of a line is read so that it ends with the line: each stop at
 * every offset from 0 to 40, in a value that ends its line and in a key
 * that starts it.  A control byte makes the line invalid.
 */
static void test_jsonl_string_block_edges(void **state)
{
    static const struct {
        const char *raw, *decoded;
    } stops[] = {
        {"", ""}, /* the closing quote */
        {"\\\"", "\""},
        {"\\\\", "\\"},
        {"\\n", "\n"},
        {"\\u00e9", "\xc3\xa9"},
        {"\x01", NULL},
    };

    for (size_t s = 0; s < sizeof(stops) / sizeof(stops[0]); s++) {
        for (size_t pad = 0; pad <= 40; pad++) {
            char body[64], want[64], field[80], data[256];
            size_t tail = pad % 3;
            collect c = {0};
            ps_diag d;
            ps_status st;

            memset(body, 'a', pad);
            snprintf(body + pad, sizeof(body) - pad, "%s%.*s", stops[s].raw, (int)tail, "zz");
            memset(want, 'a', pad);
            snprintf(want + pad, sizeof(want) - pad, "%s%.*s",
                     stops[s].decoded ? stops[s].decoded : "", (int)tail, "zz");
            snprintf(field, sizeof(field), "/%s", want);
            snprintf(data, sizeof(data), "{\"v\":\"%s\"}\n{\"%s\":\"k\"}\n{\"ok\":1}\n", body, body);
            st = RUN(&ps_reader_jsonl, data, 0, 0, &c, &d);
            if (stops[s].decoded == NULL) {
                assert_int_equal(st, PS_ERR_FORMAT);
                assert_string_equal(d.msg, "line 1: invalid JSON");
                assert_int_equal(c.n, 1);
                expect_line(&c, 0, "/ok", "1", 3);
            } else {
                assert_int_equal(st, PS_OK);
                assert_int_equal(c.n, 3);
                expect_line(&c, 0, "/v", want, 1);
                expect_line(&c, 1, field, "k", 2);
                expect_line(&c, 2, "/ok", "1", 3);
            }
            collect_free(&c);
        }
    }
}

/*
 * The lines[0..n) as a file, and the same lines each with an empty nested
 * member first, which emits nothing but sends an object down the general
 * path: the same records, field ids included, and the same status.  The
 * flat path keeps the last line's keys, pointers and ids; whatever changes
 * from one line to the next must drop them.  Returns the records seen.
 */
static size_t flat_lines_vs_general(void **state, const char *const *lines, size_t n)
{
    static const char member[] = "\"zz\":{},";
    size_t cap = 1, fn = 0, gn = 0, total;
    char *flat, *general;
    collect a = {0}, b = {0};
    ps_diag da, db;
    ps_status sa, sb;

    for (size_t i = 0; i < n; i++)
        cap += strlen(lines[i]) + sizeof(member);
    flat = malloc(cap);
    general = malloc(cap);
    assert_non_null(flat);
    assert_non_null(general);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(lines[i]), at = lines[i][0] == '{';

        memcpy(flat + fn, lines[i], len);
        fn += len;
        flat[fn++] = '\n';
        memcpy(general + gn, lines[i], at);
        gn += at;
        if (at) {
            memcpy(general + gn, member, sizeof(member) - 1);
            gn += sizeof(member) - 1;
        }
        memcpy(general + gn, lines[i] + at, len - at);
        gn += len - at;
        general[gn++] = '\n';
    }
    sa = run(state, &ps_reader_jsonl, flat, fn, 0, 0, &a, &da);
    sb = run(state, &ps_reader_jsonl, general, gn, 0, 0, &b, &db);
    assert_int_equal(sa, sb);
    assert_string_equal(da.msg, db.msg);
    expect_same_records(&a, &b);
    expect_ids_consistent(&a);
    total = a.n;
    collect_free(&a);
    collect_free(&b);
    free(flat);
    free(general);
    return total;
}

static void test_jsonl_shapes_as_general(void **state)
{
    static const char *const lines[] = {
        "{\"id\":1,\"ts\":\"t1\",\"body\":\"hello\"}",
        "{\"id\":2,\"ts\":\"t2\",\"body\":\"again\"}",
        "{\"id\":3,\"ts\":\"t3\"}", /* fewer members */
        "{\"id\":4,\"ts\":\"t4\",\"body\":\"b\",\"new\":\"x\"}", /* more */
        "{\"id\":5,\"a_longer_key\":\"t5\",\"body\":\"b\"}", /* a key in the middle */
        "{\"id\":5,\"ts\":\"t5\",\"body\":\"b\"}",
        "{\"id\":6,\"ts\":\"t6\",\"body\":\"b\"}",
        "{\"id\":6,\"t\":\"t6\",\"body\":\"b\"}",
        "{\"id\": 7,\"ts\":\"t7\",\"body\":\"b\"}", /* a space before a primitive */
        "{\"id\":\"8\",\"ts\":\"t8\",\"body\":\"b\"}", /* a string where a primitive was */
        "{\"id\":9,\"ts\":null,\"body\":\"b\"}",
        "{\"n1\":null,\"n2\":\"x\"}", /* n1 gets its id after n2 */
        "{\"n1\":\"now\",\"n2\":\"y\"}",
        "{ \"id\" : 10 , \"ts\" : \"t10\" , \"body\" : \"b\" }",
        "{\"i\\u0064\":11,\"ts\":\"t11\",\"body\":\"b\"}", /* /id, spelt otherwise */
        "{\"ts\":\"t12\",\"id\":12}",
        "{\"id\":13,\"ts\":\"\\ud800\",\"body\":\"b\"}", /* a value that does not decode */
        "{\"id\":14,\"ts\":\"t14\",\"body\":\"b\"}",
        "{\"id\":15,\"\\ud800\":1,\"body\":\"b\"}", /* a key that does not decode */
        "{\"id\":15,\"\\ud800\":null,\"body\":\"b\"}",
        "{\"id\":16,\"ts\":\"t16\",\"body\":\"b\"}",
        "[1,{\"id\":2}]",
        "{\"id\":17,\"ts\":\"t17\",\"body\":\"b\"}",
        "{\"id\":18,\"ts\":\"t18\",\"body\":\"b\"} x", /* not JSON after all */
        "{\"id\":19,\"ts\":\"t19\",\"body\":\"b\"}",
    };
    static const char alpha[] = "abcdefghijklmnopqrst";
    const char *gen[2 * 20 * 20 + 4];
    char keys[2 * 20 * 20][48], wide[2][1024];
    size_t n = 0;

    assert_true(flat_lines_vs_general(state, lines, sizeof(lines) / sizeof(lines[0])) >= 50);
    /* Keys of 1 to 20 bytes, then the same with one byte changed, at each place. */
    for (size_t len = 1; len <= 20; len++) {
        for (size_t at = 0; at < len; at++) {
            snprintf(keys[n], sizeof(keys[n]), "{\"%.*s\":1,\"z\":2}", (int)len, alpha);
            gen[n] = keys[n];
            n++;
            snprintf(keys[n], sizeof(keys[n]), "{\"%.*sX%.*s\":1,\"z\":2}", (int)at, alpha,
                     (int)(len - at - 1), alpha + at + 1);
            gen[n] = keys[n];
            n++;
        }
    }
    /* As many members as the flat path takes, twice, and one more. */
    for (size_t w = 0; w < 2; w++) {
        size_t k = 0;

        k += (size_t)snprintf(wide[w], sizeof(wide[w]), "{");
        for (size_t m = 0; m < 64 + w; m++)
            k += (size_t)snprintf(wide[w] + k, sizeof(wide[w]) - k, "%s\"m%zu\":%zu",
                                  m ? "," : "", m, m);
        snprintf(wide[w] + k, sizeof(wide[w]) - k, "}");
    }
    gen[n++] = wide[0];
    gen[n++] = wide[0];
    gen[n++] = wide[1];
    gen[n++] = wide[0];
    assert_int_equal(flat_lines_vs_general(state, gen, n), 2 * (n - 4) + 64 * 3 + 65);
}

typedef struct gz_case {
    const char *name;  /* inner name; the file is name + ".gz" */
    const char *data;
    ps_format format;
    size_t nrec;
} gz_case;

/* Every stream reader gives through gzip exactly what it gives on the plain file. */
static void test_gzip_inner_formats(void **state)
{
    static const gz_case cases[] = {
        {"chat.log", "hello there\n\nmy password is hunter2\r\nbye", PS_FMT_TEXT, 3},
        {"users.csv", "id,email,pw\n1,ann@example.com,\"a,b\"\n2,bob@example.com,\"multi\nline\"\n",
         PS_FMT_CSV, 6},
        {"backup.sql", "-- MySQL dump 10.13\nCREATE TABLE `u` (`id` int, `pw` char(32));\n"
         "INSERT INTO `u` VALUES (1,'5f4dcc3b5aa765d61d8327deb882cf99'),(2,'x');\n",
         PS_FMT_SQLDUMP, 4},
        {"events.jsonl", "{\"user\":\"ann\",\"msg\":\"hi\"}\n{\"user\":\"bob\"}\n", PS_FMT_JSONL, 3},
        {"export.json", "{\n  \"kids\": [\n    {\"name\": \"Tim\", \"age\": 7}\n  ]\n}\n",
         PS_FMT_JSON, 2},
    };

    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
        char path[160], gzpath[170];
        collect plain = {0}, viagz = {0};
        ps_format fmt;
        ps_diag d;

        print_message("case: %s\n", cases[t].name);
        tmp_path(state, cases[t].name, path, sizeof(path));
        write_file(path, cases[t].data, strlen(cases[t].data));
        snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
        write_gz(gzpath, cases[t].data, strlen(cases[t].data));
        assert_int_equal(run_gz_path(gzpath, 0, 0, 0, &fmt, &viagz, &d), PS_OK);
        assert_int_equal(fmt, cases[t].format);
        assert_int_equal(run_path(ps_reader_for(fmt), path, 0, 0, &plain, &d), PS_OK);
        assert_int_equal(viagz.n, cases[t].nrec);
        expect_same_records(&viagz, &plain);
        expect_ids_consistent(&viagz);
        collect_free(&plain);
        collect_free(&viagz);
    }
}

/* Members back to back read as one file; a line may straddle two members. */
static void test_gzip_concatenated(void **state)
{
    char path[160], one[170], two[170];
    unsigned char *a, *b;
    size_t na, nb;
    struct stat sa, sb;
    collect c = {0};
    ps_format fmt;
    ps_diag d;
    FILE *f;

    tmp_path(state, "cat.log", path, sizeof(path));
    snprintf(one, sizeof(one), "%s.1.gz", path);
    snprintf(two, sizeof(two), "%s.2.gz", path);
    write_gz(one, "first line\nsecond ", 18);
    write_gz(two, "half\nthird line\n", 16);
    read_all(one, &a, &na, &sa);
    read_all(two, &b, &nb, &sb);
    snprintf(one, sizeof(one), "%s.gz", path);
    f = fopen(one, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(a, 1, na, f), na);
    assert_int_equal(fwrite(b, 1, nb, f), nb);
    fclose(f);
    free(a);
    free(b);
    assert_int_equal(run_gz_path(one, 0, 0, 0, &fmt, &c, &d), PS_OK);
    assert_int_equal(fmt, PS_FMT_TEXT);
    assert_int_equal(c.n, 3);
    expect_line(&c, 0, "", "first line", 1);
    expect_line(&c, 1, "", "second half", 2);
    expect_line(&c, 2, "", "third line", 3);
    collect_free(&c);
}

typedef struct gz_fail_case {
    const char *name;   /* inner name: decides the reader */
    const char *unit;   /* repeated to fill the file */
    const char *prefix; /* written once before the units */
    int damage;         /* 0 none (a limit trips), 1 flip bytes, 2 cut the tail */
    uint64_t max_inflate;
    ps_status st;
    const char *msg;    /* must occur in the reader's diagnostic */
} gz_fail_case;

/*
 * A failing transport reaches every reader's diagnostic with its own
 * status, after the records read before it; and no reader mistakes a
 * limit of the transport for an over-long line and reads on forever.
 */
static void test_gzip_failures(void **state)
{
    static const gz_fail_case cases[] = {
        {"bomb.log", "aaaaaaaa\n", "", 0, 0, PS_ERR_LIMIT,
         "compression ratio above 200:1 (a decompression bomb?)"},
        {"bomb.csv", "1,2\n", "a,b\n", 0, 0, PS_ERR_LIMIT,
         "compression ratio above 200:1 (a decompression bomb?)"},
        {"bomb.jsonl", "{\"a\":1}\n", "", 0, 0, PS_ERR_LIMIT,
         "compression ratio above 200:1 (a decompression bomb?)"},
        {"bomb.json", "1,\n", "[\n", 0, 0, PS_ERR_LIMIT,
         "compression ratio above 200:1 (a decompression bomb?)"},
        {"bomb.sql", "INSERT INTO t VALUES (1);\n", "-- MySQL dump 10.13\n", 0, 0, PS_ERR_LIMIT,
         "compression ratio above 200:1 (a decompression bomb?)"},
        {"big.log", "line of text\n", "", 0, 100000, PS_ERR_LIMIT,
         "decompressed size exceeds the limit of 100000 bytes"},
        {"flip.log", "line of text\n", "", 1, 0, PS_ERR_FORMAT, "corrupt gzip data"},
        {"flip.csv", "1,2\n", "a,b\n", 1, 0, PS_ERR_FORMAT, "corrupt gzip data"},
        {"cut.sql", "INSERT INTO t VALUES (1);\n", "-- MySQL dump 10.13\n", 2, 0, PS_ERR_FORMAT,
         "corrupt gzip data (cut short)"},
        {"cut.json", "1,\n", "[\n", 2, 0, PS_ERR_FORMAT, "corrupt gzip data (cut short)"},
        {"cut.jsonl", "{\"a\":1}\n", "", 2, 0, PS_ERR_FORMAT, "corrupt gzip data (cut short)"},
    };

    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
        const gz_fail_case *k = &cases[t];
        size_t ul = strlen(k->unit), n = 0, total = k->damage ? 400000 : 16u << 20;
        char *buf = malloc(total + 64), path[160], gzname[64];
        unsigned char *gz;
        size_t gzlen;
        struct stat sb;
        collect c = {0};
        ps_format fmt;
        ps_diag d;

        print_message("case: %s\n", k->name);
        assert_non_null(buf);
        n += (size_t)snprintf(buf, 64, "%s", k->prefix);
        for (size_t i = 0; n + ul <= total; i++) {
            if (k->damage) {
                /* Varied text, so the damage lands well past the sniffed head. */
                char u[64];
                int l = snprintf(u, sizeof(u), "%s", k->unit);
                if (strchr(k->unit, '\n') != NULL && strstr(k->name, ".log") != NULL)
                    l = snprintf(u, sizeof(u), "line %zu of text\n", i);
                if (n + (size_t)l > total)
                    break;
                memcpy(buf + n, u, (size_t)l);
                n += (size_t)l;
            } else {
                memcpy(buf + n, k->unit, ul);
                n += ul;
            }
        }
        snprintf(gzname, sizeof(gzname), "%s.gz", k->name);
        tmp_path(state, gzname, path, sizeof(path));
        write_gz(path, buf, n);
        free(buf);
        if (k->damage) {
            read_all(path, &gz, &gzlen, &sb);
            if (k->damage == 1) {
                gz[gzlen * 3 / 4] ^= 0x55;
                gz[gzlen * 3 / 4 + 1] ^= 0xAA;
            } else {
                gzlen = gzlen * 3 / 4;
            }
            write_file(path, gz, gzlen);
            free(gz);
        }
        assert_int_equal(run_gz_path(path, 0, k->max_inflate, 0, &fmt, &c, &d), k->st);
        print_message("diag: %s (%zu records)\n", d.msg, c.n);
        assert_non_null(strstr(d.msg, k->msg));
        assert_true(c.n > 0);
        collect_free(&c);
    }
}

/* SQLite needs the file itself: a database inside gzip is refused, by name. */
static void test_sqlite_in_gzip(void **state)
{
    char path[160], gzpath[170];
    unsigned char *db;
    size_t n;
    struct stat sb;
    collect c = {0};
    ps_format fmt;
    ps_diag d;

    tmp_path(state, "zipped.db", path, sizeof(path));
    make_db(path);
    read_all(path, &db, &n, &sb);
    snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
    write_gz(gzpath, db, n);
    free(db);
    assert_int_equal(run_gz_path(gzpath, 0, 0, 0, &fmt, &c, &d), PS_ERR_FORMAT);
    assert_int_equal(fmt, PS_FMT_SQLITE);
    assert_string_equal(d.msg, "SQLite database inside a compressed file is not scanned");
    assert_int_equal(c.n, 0);
    collect_free(&c);
}

/* ---------------------------------------------------------- sqlite WAL */

/* Names and bytes of every file in dir, sorted: a fingerprint of the directory. */
static char *dir_fingerprint(const char *dir)
{
    struct dirent **list;
    ps_buf fp;
    int n = scandir(dir, &list, NULL, alphasort);

    assert_true(n >= 0);
    ps_buf_init(&fp, 64u << 20);
    for (int i = 0; i < n; i++) {
        char path[512];
        unsigned char *data;
        size_t len;
        struct stat sb;

        if (list[i]->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
            read_all(path, &data, &len, &sb);
            assert_int_equal(ps_buf_printf(&fp, "%s %zu %lld.%09ld\n", list[i]->d_name, len,
                                           (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec), PS_OK);
            assert_int_equal(ps_buf_append(&fp, data, len), PS_OK);
            free(data);
        }
        free(list[i]);
    }
    free(list);
    return fp.data != NULL ? fp.data : ps_strdup("");
}

static void copy_file(const char *from, const char *to)
{
    unsigned char *data;
    size_t n;
    struct stat sb;

    read_all(from, &data, &n, &sb);
    write_file(to, data, n);
    free(data);
}

static int dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int empty = 1;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    }
    closedir(d);
    return empty;
}

/*
 * Rows committed but not yet checkpointed live only in <db>-wal.  They must
 * be read, and nothing may appear in, vanish from or change in the scanned
 * directory; the private copy must be gone afterwards.
 */
static void test_sqlite_wal(void **state)
{
    tmp_state *ts = *state;
    char live[160], scan[160], tmp[160], db[200], side[220], src[200];
    char *before, *after;
    const char *old_tmp = getenv("TMPDIR");
    char *saved_tmp = old_tmp ? ps_strdup(old_tmp) : NULL;
    collect c = {0};
    ps_diag d;
    sqlite3 *h;

    snprintf(live, sizeof(live), "%s/live", ts->dir);
    snprintf(scan, sizeof(scan), "%s/scan", ts->dir);
    snprintf(tmp, sizeof(tmp), "%s/tmp", ts->dir);
    assert_int_equal(mkdir(live, 0700), 0);
    assert_int_equal(mkdir(scan, 0700), 0);
    assert_int_equal(mkdir(tmp, 0700), 0);

    /* Row 1 in the main file; rows 2 and 3 only in the WAL. */
    snprintf(src, sizeof(src), "%s/chat.db", live);
    assert_int_equal(sqlite3_open(src, &h), SQLITE_OK);
    sql_exec(h, "CREATE TABLE msg (id INTEGER PRIMARY KEY, body TEXT);"
                "INSERT INTO msg VALUES (1, 'old message');"
                "PRAGMA journal_mode=WAL;");
    sqlite3_wal_autocheckpoint(h, 0);
    sql_exec(h, "INSERT INTO msg VALUES (2, 'only in the wal');"
                "INSERT INTO msg VALUES (3, 'also in the wal');");
    /* Copy while the writer is open: a close would checkpoint the WAL away. */
    snprintf(db, sizeof(db), "%s/chat.db", scan);
    copy_file(src, db);
    snprintf(side, sizeof(side), "%s-wal", src);
    snprintf(src, sizeof(src), "%s/chat.db-wal", scan);
    copy_file(side, src);
    assert_int_equal(sqlite3_close(h), SQLITE_OK);

    /* Without its WAL the database holds row 1 only: the test can tell. */
    snprintf(side, sizeof(side), "%s/alone.db", live);
    copy_file(db, side);
    assert_int_equal(run_path(&ps_reader_sqlite, side, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 2);
    collect_free(&c);

    before = dir_fingerprint(scan);
    assert_int_equal(setenv("TMPDIR", tmp, 1), 0);
    assert_int_equal(run_path(&ps_reader_sqlite, db, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 6);
    expect_cell(&c, 0, "msg", "id", 1, "1");
    expect_cell(&c, 1, "msg", "body", 1, "old message");
    expect_cell(&c, 3, "msg", "body", 2, "only in the wal");
    expect_cell(&c, 5, "msg", "body", 3, "also in the wal");
    collect_free(&c);
    after = dir_fingerprint(scan);
    assert_string_equal(after, before);
    assert_true(dir_is_empty(tmp));
    free(after);

    /* No room for the private copy: an error, never a scan without the WAL. */
    snprintf(side, sizeof(side), "%s/missing", ts->dir);
    assert_int_equal(setenv("TMPDIR", side, 1), 0);
    assert_int_equal(run_path(&ps_reader_sqlite, db, 0, 0, &c, &d), PS_ERR_IO);
    assert_non_null(strstr(d.msg, "could not copy the database and its WAL"));
    assert_int_equal(c.n, 0);
    collect_free(&c);
    after = dir_fingerprint(scan);
    assert_string_equal(after, before);
    free(after);
    free(before);

    if (saved_tmp != NULL)
        assert_int_equal(setenv("TMPDIR", saved_tmp, 1), 0);
    else
        assert_int_equal(unsetenv("TMPDIR"), 0);
    free(saved_tmp);
}

/* An empty -wal (checkpointed) changes nothing: the file is read in place. */
static void test_sqlite_empty_wal(void **state)
{
    char path[160], side[180];
    collect c = {0};
    ps_diag d;

    tmp_path(state, "ewal.db", path, sizeof(path));
    make_db(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    write_file(side, "", 0);
    assert_int_equal(run_path(&ps_reader_sqlite, path, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 11);
    collect_free(&c);
    snprintf(side, sizeof(side), "%s-shm", path);
    assert_int_equal(access(side, F_OK), -1);
}

/* ---------------------------------------------------------- field ids */

/*
 * CSV: a cell's id is its column number, for header names and column_N
 * alike; an empty cell leaves no gap in the numbers of the cells after it.
 * Past PS_FIELD_IDS - 1 columns the cells go without.
 */
static void test_csv_field_ids(void **state)
{
    static const want_line want[] = {
        {"id", "1", 2}, {"name", "Ann", 2}, {"note", "x", 2},
        {"id", "2", 3}, {"name", "Bob", 3}, {"note", "y", 3},
        {"column_4", "extra", 3}, {"column_5", "more", 3},
        {"id", "3", 4}, {"note", "z", 4},
    };
    static const uint32_t ids[] = { 1, 2, 3, 1, 2, 3, 4, 5, 1, 3 };
    size_t cells = PS_FIELD_IDS + 1, cap = 2 * cells + 8, n;
    char *buf = malloc(cap);
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_csv, "id,name,note\n1,Ann,x\n2,Bob,y,extra,more\n3,,z\n",
                         ',', 0, &c, &d), PS_OK);
    expect_lines(&c, want, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < c.n; i++)
        assert_int_equal(c.r[i].field_id, ids[i]);
    expect_ids_one_to_one(&c);
    collect_free(&c);

    /* One row wider than there are ids. */
    assert_non_null(buf);
    n = (size_t)snprintf(buf, cap, "h\n");
    for (size_t k = 0; k < cells; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%sv", k ? "," : "");
    buf[n++] = '\n';
    assert_int_equal(run(state, &ps_reader_csv, buf, n, ',', 0, &c, &d), PS_OK);
    assert_int_equal(c.n, cells);
    for (size_t k = 0; k < cells; k++)
        assert_int_equal(c.r[k].field_id, k + 1 < PS_FIELD_IDS ? k + 1 : 0);
    assert_int_equal(expect_ids_consistent(&c), PS_FIELD_IDS - 1);
    collect_free(&c);
    free(buf);
}

/*
 * SQLite: each table gets its own range of ids with its first row, so a
 * column keeps its id over the table's rows (NULLs skipped) and no two
 * tables share one.  A rowid table (whose column 0 is the rowid, skipped)
 * comes first, so a range off by that column would overlap the next one;
 * then a table without rows, which takes no ids, and one WITHOUT ROWID.
 */
static void test_sqlite_field_ids(void **state)
{
    char path[128];
    collect c = {0};
    ps_diag d;

    make_db_sql(state, "fids.db",
                "CREATE TABLE a_pets (id INTEGER PRIMARY KEY, owner TEXT, kind TEXT);"
                "INSERT INTO a_pets VALUES (1, 'Tim', 'cat'), (2, NULL, 'dog');"
                "CREATE TABLE b_empty (x TEXT);"
                "CREATE TABLE c_kids (k TEXT PRIMARY KEY, name TEXT, age INT) WITHOUT ROWID;"
                "INSERT INTO c_kids VALUES ('k1', 'Tim', 7), ('k2', 'Ann', NULL), ('k3', 'Bo', 9);",
                path, sizeof(path));
    assert_int_equal(run_path(&ps_reader_sqlite, path, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 13);
    expect_cell(&c, 4, "a_pets", "kind", 2, "dog");
    expect_cell(&c, 5, "c_kids", "k", 1, "k1");
    expect_ids_one_to_one(&c);
    assert_int_equal(expect_ids_consistent(&c), 6);
    collect_free(&c);
}

/*
 * The SQL of a table named name with ncols columns c1..cN and one row of
 * 'v' in each, for SQLite and for a dump alike.
 */
static void append_wide_table(ps_buf *b, const char *name, size_t ncols)
{
    assert_int_equal(ps_buf_printf(b, "CREATE TABLE %s (", name), PS_OK);
    for (size_t i = 0; i < ncols; i++)
        assert_int_equal(ps_buf_printf(b, "%sc%zu TEXT", i ? ", " : "", i + 1), PS_OK);
    assert_int_equal(ps_buf_printf(b, ");\nINSERT INTO %s VALUES (", name), PS_OK);
    for (size_t i = 0; i < ncols; i++)
        assert_int_equal(ps_buf_printf(b, "%s'v'", i ? "," : ""), PS_OK);
    assert_int_equal(ps_buf_printf(b, ");\n"), PS_OK);
}

/*
 * A table too wide for the ids left gets none, and takes none from the
 * tables after it: 1100 columns get 0, the next 1023 get every id there
 * is, and a last column finds none left.  The same for SQLite and dumps.
 */
static void test_field_ids_run_out(void **state)
{
    static const size_t wide = 1100, exact = PS_FIELD_IDS - 1;
    const ps_reader *readers[] = { &ps_reader_sqlite, &ps_reader_sqldump };
    char path[128];
    ps_buf sql;

    ps_buf_init(&sql, 1u << 20);
    append_wide_table(&sql, "a_wide", wide);
    append_wide_table(&sql, "b_exact", exact);
    append_wide_table(&sql, "c_one", 1);
    make_db_sql(state, "wide.db", ps_buf_cstr(&sql), path, sizeof(path));
    for (size_t r = 0; r < 2; r++) {
        collect c = {0};
        ps_diag d;

        print_message("reader: %s\n", readers[r]->name);
        if (r == 0)
            assert_int_equal(run_path(readers[r], path, 0, 0, &c, &d), PS_OK);
        else
            assert_int_equal(run(state, readers[r], sql.data, sql.len, 0, 0, &c, &d), PS_OK);
        assert_int_equal(c.n, wide + exact + 1);
        expect_cell(&c, wide, "b_exact", "c1", 1, "v");
        for (size_t i = 0; i < c.n; i++)
            assert_int_equal(c.r[i].field_id, i >= wide && i < wide + exact ? i - wide + 1 : 0);
        assert_int_equal(expect_ids_consistent(&c), exact);
        collect_free(&c);
    }
    ps_buf_free(&sql);
}

/* The id of record i, which must be column of table. */
static uint32_t id_at(const collect *c, size_t i, const char *table, const char *column)
{
    assert_true(i < c->n);
    assert_string_equal(c->r[i].table, table);
    assert_string_equal(c->r[i].column, column);
    return c->r[i].field_id;
}

/* SQL dump: one table's rows over many INSERTs keep one id per column. */
static void test_sqldump_field_ids_kept(void **state)
{
    collect c = {0};
    ps_diag d;
    uint32_t a, b;

    assert_int_equal(RUN(&ps_reader_sqldump,
                         "CREATE TABLE t (a int, b text);\n"
                         "INSERT INTO t VALUES (1,'x'),(2,'y');\n"
                         "INSERT INTO t VALUES (3,'z');\n"
                         "INSERT INTO t VALUES (4,'w');\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 8);
    a = id_at(&c, 0, "t", "a");
    b = id_at(&c, 1, "t", "b");
    assert_int_not_equal(a, b);
    for (size_t i = 0; i < c.n; i += 2) {
        assert_int_equal(id_at(&c, i, "t", "a"), a);
        assert_int_equal(id_at(&c, i + 1, "t", "b"), b);
    }
    expect_ids_one_to_one(&c);
    collect_free(&c);
}

/*
 * An explicit column list in another order numbers the columns anew (the
 * first value is another column), and the next statement with the same
 * list keeps those ids; a different list, even of as many names, numbers
 * anew again.
 */
static void test_sqldump_field_ids_column_lists(void **state)
{
    collect c = {0};
    ps_diag d;
    uint32_t a, b;

    assert_int_equal(RUN(&ps_reader_sqldump,
                         "CREATE TABLE t (a int, b text);\n"
                         "INSERT INTO t VALUES (1,'x');\n"
                         "INSERT INTO t (b, a) VALUES ('y', 2);\n"
                         "INSERT INTO t (`b`, a) VALUES ('z', 3);\n"
                         "INSERT INTO t (a, b) VALUES (4, 'u');\n"
                         "INSERT INTO t (a) VALUES (5);\n"
                         "INSERT INTO t VALUES (6,'w');\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 11);
    b = id_at(&c, 2, "t", "b");
    a = id_at(&c, 3, "t", "a");
    assert_int_not_equal(b, 0);
    assert_int_not_equal(a, 0);
    assert_int_not_equal(b, id_at(&c, 0, "t", "a"));
    assert_int_not_equal(b, id_at(&c, 1, "t", "b"));
    assert_int_not_equal(a, id_at(&c, 0, "t", "a"));
    assert_int_not_equal(a, id_at(&c, 1, "t", "b"));
    assert_int_equal(id_at(&c, 4, "t", "b"), b);
    assert_int_equal(id_at(&c, 5, "t", "a"), a);
    assert_int_not_equal(id_at(&c, 6, "t", "a"), 0);
    assert_int_not_equal(id_at(&c, 8, "t", "a"), 0);
    expect_ids_consistent(&c);
    collect_free(&c);
}

/*
 * A statement whose column list has as many names as the kept one but a
 * longer name: compared only as far as the kept list goes.  sd_same_list
 * compared each name's full length, past the end of a shorter kept list
 * (found by fuzz_sqldump; ASan, as in --enable-asan or the fuzzing build,
 * shows the read, which gives the right answer and so nothing else does).
 * The lists differ, so the long name is numbered anew, and kept after.
 */
static void test_sqldump_field_ids_longer_name(void **state)
{
    char sql[512];
    char name[101];
    collect c = {0};
    ps_diag d;
    uint32_t a, b;

    memset(name, 'b', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    snprintf(sql, sizeof(sql),
             "INSERT INTO t (a) VALUES (1);\n"
             "INSERT INTO t (%s) VALUES (2);\n"
             "INSERT INTO t (%s) VALUES (3);\n", name, name);
    assert_int_equal(RUN(&ps_reader_sqldump, sql, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 3);
    a = id_at(&c, 0, "t", "a");
    b = id_at(&c, 1, "t", name);
    assert_int_not_equal(a, 0);
    assert_int_not_equal(b, 0);
    assert_int_not_equal(a, b);
    assert_int_equal(id_at(&c, 2, "t", name), b);
    collect_free(&c);
}

/* A table created again with other columns numbers them anew. */
static void test_sqldump_field_ids_recreate(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_sqldump,
                         "CREATE TABLE t (a int, b text);\n"
                         "INSERT INTO t VALUES (1,'x');\n"
                         "DROP TABLE t;\n"
                         "CREATE TABLE t (c text, d text, e text);\n"
                         "INSERT INTO t VALUES ('p','q','r');\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 5);
    for (size_t i = 2; i < 5; i++) {
        assert_int_not_equal(c.r[i].field_id, 0);
        assert_int_not_equal(c.r[i].field_id, id_at(&c, 0, "t", "a"));
        assert_int_not_equal(c.r[i].field_id, id_at(&c, 1, "t", "b"));
    }
    assert_string_equal(c.r[2].column, "c");
    expect_ids_one_to_one(&c);
    collect_free(&c);
}

/*
 * Past the tables the reader keeps (4096 in read_sqldump.c) one slot is
 * recycled for each new name: the same column list under another table's
 * name must not keep the last table's ids.
 */
static void test_sqldump_field_ids_spill(void **state)
{
    ps_buf sql;
    collect c = {0};
    ps_diag d;

    ps_buf_init(&sql, 1u << 20);
    for (int i = 0; i < 4096; i++)
        assert_int_equal(ps_buf_printf(&sql, "CREATE TABLE t%d (a int);\n", i), PS_OK);
    assert_int_equal(ps_buf_printf(&sql, "INSERT INTO s1 (x, y) VALUES (1, 2);\n"
                                         "INSERT INTO s2 (x, y) VALUES (3, 4);\n"), PS_OK);
    assert_int_equal(run(state, &ps_reader_sqldump, sql.data, sql.len, 0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 4);
    assert_int_not_equal(id_at(&c, 0, "s1", "x"), 0);
    assert_int_not_equal(id_at(&c, 2, "s2", "x"), 0);
    expect_ids_one_to_one(&c);
    collect_free(&c);
    ps_buf_free(&sql);
}

/* Values past the named columns (column_N) have no id. */
static void test_sqldump_field_ids_past_names(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_sqldump,
                         "CREATE TABLE t (a int);\n"
                         "INSERT INTO t VALUES (1, 2);\n"
                         "INSERT INTO t (a) VALUES (3, 4);\n"
                         "INSERT INTO u VALUES (5, 6);\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 6);
    assert_int_not_equal(id_at(&c, 0, "t", "a"), 0);
    assert_int_equal(id_at(&c, 1, "t", "column_2"), 0);
    assert_int_not_equal(id_at(&c, 2, "t", "a"), 0);
    assert_int_equal(id_at(&c, 3, "t", "column_2"), 0);
    assert_int_equal(id_at(&c, 4, "u", "column_1"), 0);
    assert_int_equal(id_at(&c, 5, "u", "column_2"), 0);
    expect_ids_consistent(&c);
    collect_free(&c);
}

/* PostgreSQL COPY blocks are numbered like INSERTs: kept while the list is. */
static void test_sqldump_field_ids_copy(void **state)
{
    collect c = {0};
    ps_diag d;
    uint32_t id, name;

    assert_int_equal(RUN(&ps_reader_sqldump,
                         "CREATE TABLE public.kids (id integer, name text);\n"
                         "COPY public.kids (id, name) FROM stdin;\n"
                         "1\tTim\n2\tAnn\n\\.\n"
                         "COPY public.kids (id, name) FROM stdin;\n"
                         "3\tBo\n\\.\n"
                         "COPY public.kids FROM stdin;\n"
                         "4\tCy\textra\n\\.\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 9);
    id = id_at(&c, 0, "kids", "id");
    name = id_at(&c, 1, "kids", "name");
    assert_int_not_equal(id, 0);
    assert_int_not_equal(name, 0);
    for (size_t i = 2; i < 6; i += 2) {
        assert_int_equal(id_at(&c, i, "kids", "id"), id);
        assert_int_equal(id_at(&c, i + 1, "kids", "name"), name);
    }
    assert_int_not_equal(id_at(&c, 6, "kids", "id"), 0);
    assert_int_not_equal(id_at(&c, 7, "kids", "name"), 0);
    assert_int_equal(id_at(&c, 8, "kids", "column_3"), 0);
    expect_ids_consistent(&c);
    collect_free(&c);
}

/*
 * JSON Lines: a pointer keeps its id over the file while lines of two
 * shapes alternate, so the same place k in a line holds another pointer
 * from one line to the next; a scalar line's empty pointer has one too.
 */
static void test_jsonl_field_ids(void **state)
{
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN(&ps_reader_jsonl,
                         "{\"a\":1,\"b\":2}\n"
                         "{\"a\":1,\"x\":3,\"b\":2}\n"
                         "{\"a\":1,\"b\":2}\n"
                         "{\"a\":1,\"x\":3,\"b\":2}\n"
                         "\"text\"\n"
                         "{\"b\":5,\"a\":6}\n",
                         0, 0, &c, &d), PS_OK);
    assert_int_equal(c.n, 13);
    expect_line(&c, 3, "/x", "3", 2);
    expect_line(&c, 10, "", "text", 5);
    expect_ids_one_to_one(&c);
    assert_int_equal(expect_ids_consistent(&c), 4);
    collect_free(&c);
}

/*
 * ps_field_id itself: a name's id does not depend on where in its record
 * it is (k past the remembered places too), length counts (a prefix, a
 * NUL inside), the empty name is a name, and once the ids or the bytes for
 * names run out new names get 0 while known ones keep theirs.
 */
static void test_field_id_table(void **state)
{
    static const size_t arena = 64u * 1024u; /* FID_ARENA in read.c */
    uint32_t ids[PS_FIELD_IDS + 8], a, ab, anul, empty;
    ps_field_ids *f = ps_field_ids_new();
    char name[16], *big = malloc(arena + 1);

    (void)state;
    assert_non_null(f);
    a = ps_field_id(f, 0, "a", 1);
    ab = ps_field_id(f, 0, "ab", 2);
    anul = ps_field_id(f, 1, "a\0", 2);
    empty = ps_field_id(f, 2, "", 0);
    assert_int_not_equal(a, 0);
    assert_int_not_equal(ab, 0);
    assert_int_not_equal(anul, 0);
    assert_int_not_equal(empty, 0);
    assert_int_not_equal(a, ab);
    assert_int_not_equal(ab, anul);
    assert_int_not_equal(a, anul);
    assert_int_not_equal(empty, a);
    assert_int_equal(ps_field_id(f, 0, "a", 1), a);
    assert_int_equal(ps_field_id(f, 0, "ab", 2), ab);
    assert_int_equal(ps_field_id(f, 7, "a", 1), a);
    assert_int_equal(ps_field_id(f, 1, "ab", 2), ab);
    assert_int_equal(ps_field_id(f, 500, "a\0", 2), anul);
    assert_int_equal(ps_field_id(f, 0, "", 0), empty);
    assert_int_equal(ps_field_id(f, 2, "", 0), empty);

    /* Names n0, n1, ... at places that cycle past the remembered ones. */
    for (size_t i = 0; i < PS_FIELD_IDS + 8; i++) {
        int len = snprintf(name, sizeof(name), "n%zu", i);

        ids[i] = ps_field_id(f, i % 100, name, (size_t)len);
        assert_true(ids[i] < PS_FIELD_IDS);
        /* Four ids went to the names above; the rest go to n0 onward. */
        if (i + 4 < PS_FIELD_IDS - 1)
            assert_int_equal(ids[i], i + 5);
        else
            assert_int_equal(ids[i], 0);
    }
    for (size_t i = 0; i < PS_FIELD_IDS + 8; i++) {
        int len = snprintf(name, sizeof(name), "n%zu", i);

        assert_int_equal(ps_field_id(f, (i + 3) % 70, name, (size_t)len), ids[i]);
    }
    /* A new name got 0 at place 3; the known name there still has its id. */
    assert_int_equal(ps_field_id(f, 3, "new", 3), 0);
    assert_int_equal(ps_field_id(f, 3, "a", 1), a);
    assert_int_equal(ps_field_id(f, 3, "new", 3), 0);
    ps_field_ids_free(f);

    /* The bytes for names: exactly full, then only the empty name fits. */
    assert_non_null(big);
    memset(big, 'x', arena + 1);
    f = ps_field_ids_new();
    assert_non_null(f);
    assert_int_equal(ps_field_id(f, 0, big, arena + 1), 0);
    a = ps_field_id(f, 0, big, arena);
    assert_int_equal(a, 1);
    assert_int_equal(ps_field_id(f, 1, "y", 1), 0);
    assert_int_equal(ps_field_id(f, 1, "", 0), 2);
    assert_int_equal(ps_field_id(f, 5, big, arena), a);
    ps_field_ids_free(f);
    free(big);
}

/* Spelled-out data with its length, NULs included. */
#define DATA(s) (s), sizeof(s) - 1

/* Readers without a fixed shape of fields give no ids. */
static void test_field_ids_unnumbered(void **state)
{
    static const struct { const ps_reader *r; const char *data; size_t n; } t[] = {
        {&ps_reader_text, DATA("alpha\nbeta\n")},
        {&ps_reader_json, DATA("{\"a\": 1, \"b\": [2, 3]}\n{\"a\": 4}\n")},
        {&ps_reader_mbox, DATA("From a@example.com Mon Jan  1 00:00:00 2024\n"
                               "Subject: hi\n\nbody line\n")},
        {&ps_reader_strings, DATA("\x01\x02printable run\x00\x03" "another run\x01")},
        {&ps_reader_media, DATA("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
    };

    for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        collect c = {0};
        ps_diag d;

        print_message("reader: %s\n", t[k].r->name);
        assert_int_equal(run(state, t[k].r, t[k].data, t[k].n, 0, 0, &c, &d), PS_OK);
        assert_true(c.n > 0);
        for (size_t i = 0; i < c.n; i++)
            assert_int_equal(c.r[i].field_id, 0);
        collect_free(&c);
    }
}

static void test_reader_table(void **state)
{
    static const struct { ps_format f; const ps_reader *r; } t[] = {
        {PS_FMT_TEXT, &ps_reader_text},       {PS_FMT_JSONL, &ps_reader_jsonl},
        {PS_FMT_CSV, &ps_reader_csv},         {PS_FMT_SQLITE, &ps_reader_sqlite},
        {PS_FMT_SQLDUMP, &ps_reader_sqldump}, {PS_FMT_MEDIA, &ps_reader_media},
        {PS_FMT_JSON, &ps_reader_json},
        {PS_FMT_EMPTY, NULL},                 {PS_FMT_CIPHERTEXT, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_ptr_equal(ps_reader_for(t[i].f), t[i].r);
        if (t[i].r != NULL)
            assert_string_equal(t[i].r->name, ps_format_name(t[i].f));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_text_long_line),
        cmocka_unit_test(test_text_stop),
        cmocka_unit_test(test_jsonl_nested),
        cmocka_unit_test(test_jsonl_escapes),
        cmocka_unit_test(test_jsonl_invalid_lines),
        cmocka_unit_test(test_jsonl_depth),
        cmocka_unit_test(test_jsonl_depth_before_tokens),
        cmocka_unit_test(test_jsonl_brackets_in_strings),
        cmocka_unit_test(test_jsonl_many_tokens),
        cmocka_unit_test(test_jsonl_plain_and_escaped),
        cmocka_unit_test(test_jsonl_across_refill),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_utf16),
        cmocka_unit_test(test_csv_delimiters),
        cmocka_unit_test(test_csv_unterminated),
        cmocka_unit_test(test_csv_long_cell),
        cmocka_unit_test(test_csv_lent_and_copied),
        cmocka_unit_test(test_csv_across_refill),
        cmocka_unit_test(test_csv_stop_offsets),
        cmocka_unit_test(test_csv_max_record_edge),
        cmocka_unit_test(test_csv_cr_across_refill),
        cmocka_unit_test(test_sqlite),
        cmocka_unit_test(test_sqlite_without_rowid_rows),
        cmocka_unit_test(test_sqlite_integers),
        cmocka_unit_test(test_sqlite_not_a_db),
        cmocka_unit_test(test_sqlite_long_value),
        cmocka_unit_test(test_sqldump_mysql),
        cmocka_unit_test(test_sqldump_postgres),
        cmocka_unit_test(test_sqldump_truncated),
        cmocka_unit_test(test_sqldump_long_value),
        cmocka_unit_test(test_sqldump_big_insert),
        cmocka_unit_test(test_sqldump_window_edges),
        cmocka_unit_test(test_sqldump_long_ident),
        cmocka_unit_test(test_sqldump_span_offsets),
        cmocka_unit_test(test_sqldump_tuple_edges),
        cmocka_unit_test(test_media),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_json_conversations),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_multiple_values),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_depth),
        cmocka_unit_test(test_json_big_document),
        cmocka_unit_test(test_json_runaway_string),
        cmocka_unit_test(test_jsonl_flat_as_general),
        cmocka_unit_test(test_jsonl_flat_decoding),
        cmocka_unit_test(test_jsonl_string_block_edges),
        cmocka_unit_test(test_jsonl_shapes_as_general),
        cmocka_unit_test(test_gzip_inner_formats),
        cmocka_unit_test(test_gzip_concatenated),
        cmocka_unit_test(test_gzip_failures),
        cmocka_unit_test(test_sqlite_in_gzip),
        cmocka_unit_test(test_sqlite_wal),
        cmocka_unit_test(test_sqlite_empty_wal),
        cmocka_unit_test(test_csv_field_ids),
        cmocka_unit_test(test_sqlite_field_ids),
        cmocka_unit_test(test_field_ids_run_out),
        cmocka_unit_test(test_sqldump_field_ids_kept),
        cmocka_unit_test(test_sqldump_field_ids_column_lists),
        cmocka_unit_test(test_sqldump_field_ids_longer_name),
        cmocka_unit_test(test_sqldump_field_ids_recreate),
        cmocka_unit_test(test_sqldump_field_ids_spill),
        cmocka_unit_test(test_sqldump_field_ids_past_names),
        cmocka_unit_test(test_sqldump_field_ids_copy),
        cmocka_unit_test(test_jsonl_field_ids),
        cmocka_unit_test(test_field_id_table),
        cmocka_unit_test(test_field_ids_unnumbered),
        cmocka_unit_test(test_reader_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

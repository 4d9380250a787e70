/*
 * read_sqlite.c - SQLite databases: one record per non-NULL cell.
 *
 * An audit must not change what it audits.  The database is opened through
 * a URI with mode=ro and immutable=1: SQLite then takes no locks and never
 * creates a -journal, -wal or -shm file beside the scanned file, and a busy
 * timeout of 0 means a database held by another process fails at once
 * instead of stalling the scan.  The schema of a scanned file is hostile
 * input too, so it is not trusted to run SQL functions.
 *
 * Diagnostics use sqlite3_errstr() (fixed strings) and never
 * sqlite3_errmsg(), which may quote parts of the data.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "input.h"
#include "read.h"
#include "sniff.h"
#include "util.h"

typedef struct sq_ctx {
    sqlite3 *db;
    ps_record_fn fn;
    void *ud;
    ps_diag *diag;
    size_t max_record;
    ps_buf sql;
    ps_status first;
} sq_ctx;

/*
 * "file:" + the absolute form of path, percent-escaping what a URI would
 * otherwise read as syntax ('%', '?', '#') and anything not printable ASCII.
 */
static ps_status sq_uri_escape(const char *s, ps_buf *uri)
{
    static const char hex[] = "0123456789ABCDEF";
    ps_status st = PS_OK;

    for (; *s && st == PS_OK; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '%' || ch == '?' || ch == '#' || ch <= 0x20 || ch >= 0x7F) {
            char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };
            st = ps_buf_append(uri, e, 3);
        } else {
            st = ps_buf_putc(uri, (char)ch);
        }
    }
    return st;
}

static ps_status sq_uri(const char *path, ps_buf *uri)
{
    char cwd[PATH_MAX];
    ps_status st = ps_buf_append(uri, "file:", 5);

    if (st == PS_OK && path[0] != '/') {
        if (getcwd(cwd, sizeof(cwd)) == NULL)
            return PS_ERR_IO;
        st = sq_uri_escape(cwd, uri);
        if (st == PS_OK)
            st = ps_buf_putc(uri, '/');
    }
    if (st == PS_OK)
        st = sq_uri_escape(path, uri);
    if (st == PS_OK)
        st = ps_buf_append(uri, "?mode=ro&immutable=1", 20);
    return st;
}

/* sql = "SELECT <cols> FROM "<table>"" with '"' doubled inside the name. */
static ps_status sq_select(ps_buf *sql, const char *cols, const char *table)
{
    ps_status st;

    ps_buf_reset(sql);
    st = ps_buf_printf(sql, "SELECT %s FROM \"", cols);
    for (const char *s = table; *s && st == PS_OK; s++)
        st = *s == '"' ? ps_buf_append(sql, "\"\"", 2) : ps_buf_putc(sql, *s);
    if (st == PS_OK)
        st = ps_buf_putc(sql, '"');
    return st;
}

/*
 * Emit every non-NULL cell of one table.  A table that cannot be read is
 * noted (first error wins) and skipped; returns PS_ERR_STOP when the
 * callback stops, PS_ERR_NOMEM, or PS_OK.
 */
static ps_status sq_table(sq_ctx *c, const char *table)
{
    sqlite3_stmt *stmt = NULL;
    int has_rowid = 1, rc, ncol, firstcol;
    int64_t counter = 0;
    ps_status st;

    st = sq_select(&c->sql, "rowid, *", table);
    if (st != PS_OK)
        return st;
    rc = sqlite3_prepare_v2(c->db, ps_buf_cstr(&c->sql), -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        /* WITHOUT ROWID tables have no rowid: number rows instead. */
        sqlite3_finalize(stmt);
        stmt = NULL;
        has_rowid = 0;
        st = sq_select(&c->sql, "*", table);
        if (st != PS_OK)
            return st;
        rc = sqlite3_prepare_v2(c->db, ps_buf_cstr(&c->sql), -1, &stmt, NULL);
    }
    if (rc != SQLITE_OK) {
        ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT, "table %s: %s", table, sqlite3_errstr(rc));
        goto done;
    }
    ncol = sqlite3_column_count(stmt);
    firstcol = has_rowid ? 1 : 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t row = has_rowid ? sqlite3_column_int64(stmt, 0) : ++counter;

        for (int i = firstcol; i < ncol; i++) {
            int type = sqlite3_column_type(stmt, i);
            const char *col = sqlite3_column_name(stmt, i);
            const void *val;
            int n;
            ps_record rec;

            if (type == SQLITE_NULL)
                continue;
            if (col == NULL) {
                st = PS_ERR_NOMEM;
                goto done;
            }
            val = type == SQLITE_BLOB ? sqlite3_column_blob(stmt, i)
                                      : (const void *)sqlite3_column_text(stmt, i);
            n = sqlite3_column_bytes(stmt, i);
            if (val == NULL && n > 0) {
                st = PS_ERR_NOMEM;
                goto done;
            }
            if ((size_t)n > c->max_record) {
                ps_diag_first(c->diag, &c->first, PS_ERR_LIMIT,
                        "table %s row %lld column %s: value longer than %zu bytes",
                        table, (long long)row, col, c->max_record);
                continue;
            }
            memset(&rec, 0, sizeof(rec));
            rec.field = col;
            rec.field_len = strlen(col);
            rec.value = val != NULL ? val : "";
            rec.value_len = (size_t)n;
            if (type == SQLITE_BLOB && n > 0) {
                size_t head = (size_t)n < PS_SNIFF_HEAD ? (size_t)n : PS_SNIFF_HEAD;
                ps_sniff s = ps_sniff_buffer(val, head, NULL, (uint64_t)n);
                if (s.format == PS_FMT_MEDIA)
                    rec.media = s.media;
            }
            rec.loc.kind = PS_LOC_CELL;
            rec.loc.table = table;
            rec.loc.column = col;
            rec.loc.row = row;
            if (c->fn(c->ud, &rec) != 0) {
                st = PS_ERR_STOP;
                goto done;
            }
        }
    }
    if (rc != SQLITE_DONE)
        ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT, "table %s: %s", table, sqlite3_errstr(rc));
done:
    sqlite3_finalize(stmt);
    return st;
}

static ps_status read_sqlite(const ps_source *src, ps_record_fn fn, void *ud,
                             ps_diag *diag)
{
    /* Virtual tables are skipped: their rows live in shadow tables we read. */
    static const char tables_sql[] =
        "SELECT name FROM sqlite_master WHERE type='table'"
        " AND name NOT LIKE 'sqlite_%'"
        " AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'"
        " ORDER BY name";
    sq_ctx c;
    ps_buf uri;
    sqlite3_stmt *tables = NULL;
    ps_status st;
    int rc;

    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.ud = ud;
    c.diag = diag;
    c.max_record = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    ps_buf_init(&c.sql, 64 * 1024);
    ps_buf_init(&uri, 3 * PATH_MAX + 64);

    st = sq_uri(src->open_path, &uri);
    if (st != PS_OK) {
        ps_diag_set(diag, "not a readable SQLite database: path too long");
        goto done;
    }
    rc = sqlite3_open_v2(ps_buf_cstr(&uri), &c.db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        ps_diag_set(diag, "not a readable SQLite database: %s", sqlite3_errstr(rc));
        st = rc == SQLITE_NOMEM ? PS_ERR_NOMEM : PS_ERR_FORMAT;
        goto done;
    }
    sqlite3_busy_timeout(c.db, 0);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    sqlite3_db_config(c.db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
#endif
#ifdef SQLITE_DBCONFIG_DEFENSIVE
    sqlite3_db_config(c.db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
#endif
    rc = sqlite3_prepare_v2(c.db, tables_sql, -1, &tables, NULL);
    if (rc != SQLITE_OK) {
        ps_diag_set(diag, "not a readable SQLite database: %s", sqlite3_errstr(rc));
        st = PS_ERR_FORMAT;
        goto done;
    }
    while ((rc = sqlite3_step(tables)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);

        if (name == NULL)
            continue;
        st = sq_table(&c, name);
        if (st != PS_OK)
            goto done;
    }
    if (rc != SQLITE_DONE)
        ps_diag_first(c.diag, &c.first, PS_ERR_FORMAT, "not a readable SQLite database: %s",
                sqlite3_errstr(rc));
done:
    sqlite3_finalize(tables);
    sqlite3_close_v2(c.db); /* NULL is a harmless no-op */
    ps_buf_free(&c.sql);
    ps_buf_free(&uri);
    if (st == PS_OK)
        st = c.first;
    return st;
}

const ps_reader ps_reader_sqlite = { "sqlite", PS_FMT_SQLITE, read_sqlite };

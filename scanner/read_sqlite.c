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
 * WAL mode.  immutable=1 reads only the main file, but committed rows may
 * still live in "<db>-wal" until a checkpoint, and a chat database in WAL
 * mode often holds its newest messages only there.  Reading them needs
 * SQLite's WAL machinery, which writes a -shm index and takes locks; so when
 * a non-empty -wal sits beside the database, both files are copied into a
 * private (0700) directory under $TMPDIR and the copy is opened with mode=ro
 * alone.  SQLite may then create its -shm there, never beside the scanned
 * file, and the directory is removed on every path out.
 *
 * Diagnostics use sqlite3_errstr() (fixed strings) and never
 * sqlite3_errmsg(), which may quote parts of the data.
 *
 * Most tables are read from their pages, not through the engine: that walk
 * is read_sqlite_walk.c, and read_sqlite_int.h is what the two share.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "input.h"
#include "read.h"
#include "read_sqlite_int.h"
#include "sniff.h"
#include "util.h"

/*
 * The decimal text of v, as SQLite's sqlite3_value_text gives it, written
 * so that it ends just before end (room for 21 bytes); returns where it
 * starts.  Ids, foreign keys and counts are most cells of a store, and
 * SQLite's own conversion (through its value objects, with a buffer per
 * cell) cost several times this.
 */
static char *sq_int_text(int64_t v, char *end)
{
    /* Negate in unsigned arithmetic: INT64_MIN has no positive int64. */
    char *p = ps_u64_text(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, end);

    if (v < 0)
        *--p = '-';
    return p;
}

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

/*
 * uri = "file:<absolute path>?mode=ro", plus "&immutable=1" when the file is
 * read in place (no WAL to apply).
 */
static ps_status sq_uri(const char *path, int immutable, ps_buf *uri)
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
        st = ps_buf_append(uri, "?mode=ro", 8);
    if (st == PS_OK && immutable)
        st = ps_buf_append(uri, "&immutable=1", 12);
    return st;
}

/* ------------------------------------------------------------- WAL copy */

#define SQ_COPY_CHUNK (256u * 1024u)

/* The private copy of a WAL database: a directory and the files in it. */
typedef struct sq_copy {
    char dir[PATH_MAX - 16]; /* room left for "/db-wal" and "/db-shm" */
    char db[PATH_MAX];  /* dir + "/db"; its WAL is db + "-wal", as SQLite expects */
    int made;           /* dir exists and must be removed */
} sq_copy;

/*
 * Open "<path>-wal" if it is a non-empty regular file.  *wal_fd is -1 when
 * there is none (or it is empty: nothing committed is waiting in it).
 * Returns PS_OK, or PS_ERR_IO with errno in *err when a WAL is there but
 * cannot be opened (a symlink, no permission).
 */
static ps_status sq_open_wal(const char *path, int *wal_fd, int *err)
{
    char wal[PATH_MAX];
    struct stat sb;
    int fd, n;

    *wal_fd = -1;
    *err = 0;
    n = snprintf(wal, sizeof(wal), "%s-wal", path);
    if (n < 0 || (size_t)n >= sizeof(wal)) {
        *err = ENAMETOOLONG;
        return PS_ERR_IO;
    }
    fd = open(wal, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return PS_OK;
        *err = errno;
        return PS_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
        /* Not a file SQLite would apply, or nothing in it: read in place. */
        close(fd);
        return PS_OK;
    }
    *wal_fd = fd;
    return PS_OK;
}

/*
 * Copy all of from (read with pread, so its position is untouched) into a
 * new file at path, created exclusively with mode 0600.  Returns PS_OK, or
 * PS_ERR_IO / PS_ERR_NOMEM with errno in *err.
 */
static ps_status sq_copy_file(int from, const char *path, unsigned char *buf, int *err)
{
    uint64_t off = 0;
    ps_status st = PS_OK;
    int to = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (to < 0) {
        *err = errno;
        return PS_ERR_IO;
    }
    for (;;) {
        ssize_t r, w;
        size_t done = 0;

        do {
            r = pread(from, buf, SQ_COPY_CHUNK, (off_t)off);
        } while (r < 0 && errno == EINTR);
        if (r < 0) {
            *err = errno;
            st = PS_ERR_IO;
            break;
        }
        if (r == 0)
            break;
        while (done < (size_t)r) {
            w = write(to, buf + done, (size_t)r - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                /* A short write of 0 is a full disk that did not say so. */
                *err = w < 0 ? errno : ENOSPC;
                st = PS_ERR_IO;
                break;
            }
            done += (size_t)w;
        }
        if (st != PS_OK)
            break;
        off += (uint64_t)r;
    }
    /* Delayed allocation may report a full disk only at close. */
    if (close(to) != 0 && st == PS_OK) {
        *err = errno;
        st = PS_ERR_IO;
    }
    return st;
}

/* Remove the private directory and whatever SQLite left in it (-wal, -shm). */
static void sq_copy_remove(sq_copy *cp)
{
    DIR *d;
    struct dirent *e;
    char path[PATH_MAX];

    if (!cp->made)
        return;
    d = opendir(cp->dir);
    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            int n;

            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            n = snprintf(path, sizeof(path), "%s/%s", cp->dir, e->d_name);
            if (n > 0 && (size_t)n < sizeof(path))
                (void)unlink(path);
        }
        closedir(d);
    }
    (void)rmdir(cp->dir);
    cp->made = 0;
}

/*
 * Make the private copy: mkdtemp under $TMPDIR (or /tmp), then the database
 * (from db_fd, the descriptor the scan opened) and its WAL side by side.
 * On failure whatever was made is removed again; *err holds errno.
 */
static ps_status sq_copy_make(sq_copy *cp, int db_fd, int wal_fd, int *err)
{
    const char *tmp = getenv("TMPDIR");
    char wal[PATH_MAX];
    unsigned char *buf;
    ps_status st;
    int n;

    *err = 0;
    if (tmp == NULL || tmp[0] != '/')
        tmp = "/tmp";
    n = snprintf(cp->dir, sizeof(cp->dir), "%s/plainsight-sqlite-XXXXXX", tmp);
    if (n < 0 || (size_t)n >= sizeof(cp->dir)) {
        *err = ENAMETOOLONG;
        return PS_ERR_IO;
    }
    if (mkdtemp(cp->dir) == NULL) {
        *err = errno;
        return PS_ERR_IO;
    }
    cp->made = 1;
    snprintf(cp->db, sizeof(cp->db), "%s/db", cp->dir);
    snprintf(wal, sizeof(wal), "%s/db-wal", cp->dir);
    buf = malloc(SQ_COPY_CHUNK);
    if (buf == NULL) {
        sq_copy_remove(cp);
        return PS_ERR_NOMEM;
    }
    st = sq_copy_file(db_fd, cp->db, buf, err);
    if (st == PS_OK)
        st = sq_copy_file(wal_fd, wal, buf, err);
    free(buf);
    if (st != PS_OK)
        sq_copy_remove(cp);
    return st;
}

/* sql = before + the table's name as a quoted identifier ('"' doubled) + after. */
ps_status ps_sqlite_quoted(ps_buf *sql, const char *before, const char *table, const char *after)
{
    ps_status st;

    ps_buf_reset(sql);
    st = ps_buf_append(sql, before, strlen(before));
    if (st == PS_OK)
        st = ps_buf_putc(sql, '"');
    for (const char *s = table; *s && st == PS_OK; s++)
        st = *s == '"' ? ps_buf_append(sql, "\"\"", 2) : ps_buf_putc(sql, *s);
    if (st == PS_OK)
        st = ps_buf_putc(sql, '"');
    if (st == PS_OK)
        st = ps_buf_append(sql, after, strlen(after));
    return st;
}

/* c->cols[firstcol..ncol) = the result columns' names and lengths. */
ps_status ps_sqlite_names(sq_ctx *c, sqlite3_stmt *stmt, int firstcol, int ncol)
{
    if (ncol > 0 && ps_grow(&c->cols, &c->cols_cap, (size_t)ncol, sizeof(sq_col)) != PS_OK)
        return PS_ERR_NOMEM;
    for (int i = firstcol; i < ncol; i++) {
        c->cols[i].name = sqlite3_column_name(stmt, i);
        c->cols[i].len = c->cols[i].name != NULL ? strlen(c->cols[i].name) : 0;
    }
    return PS_OK;
}

/*
 * The table's columns get the next field ids, while they last.  Once per
 * table, at its first row, whichever path reads it, so that both paths
 * hand out the same ids.
 */
void ps_sqlite_number(sq_ctx *c, sq_tab *t)
{
    if (t->counted)
        return;
    t->counted = 1;
    if ((size_t)c->fid_next + (size_t)(t->ncol - t->firstcol) < PS_FIELD_IDS) {
        t->fid_base = c->fid_next + 1 - (uint32_t)t->firstcol;
        c->fid_next += (uint32_t)(t->ncol - t->firstcol);
        t->numbered = 1;
    }
}

/*
 * Emit result column i of row (a non-NULL value: type is SQLITE_INTEGER
 * with the number in num, or the bytes val[0..n)).  Both paths end here.
 */
ps_status ps_sqlite_cell(sq_ctx *c, const sq_tab *t, int64_t row, int i, int type, int64_t num,
                         const void *val, size_t n)
{
    const char *col = c->cols[i].name;
    char text[24]; /* an int64 in decimal, with its sign */
    ps_record rec;

    if (col == NULL)
        return PS_ERR_NOMEM;
    if (type == SQLITE_INTEGER) {
        const char *s = sq_int_text(num, text + sizeof(text));

        val = s;
        n = (size_t)(text + sizeof(text) - s);
    }
    if (n > c->max_record) {
        ps_diag_first(c->diag, &c->first, PS_ERR_LIMIT,
                      "table %s row %lld column %s: value longer than %zu bytes",
                      t->name, (long long)row, col, c->max_record);
        return PS_OK;
    }
    memset(&rec, 0, sizeof(rec));
    rec.field = col;
    rec.field_len = c->cols[i].len;
    rec.value = val != NULL ? val : "";
    rec.value_len = n;
    if (type == SQLITE_BLOB && n > 0) {
        size_t head = n < PS_SNIFF_HEAD ? n : PS_SNIFF_HEAD;
        ps_sniff s = ps_sniff_buffer(val, head, NULL, (uint64_t)n);
        if (s.format == PS_FMT_MEDIA)
            rec.media = s.media;
    }
    rec.loc.kind = PS_LOC_CELL;
    rec.loc.table = t->name;
    rec.loc.column = col;
    rec.loc.row = row;
    rec.field_id = t->numbered ? t->fid_base + (uint32_t)i : 0;
    return c->fn(c->ud, &rec) != 0 ? PS_ERR_STOP : PS_OK;
}

/*
 * Read a table through SQLite's engine, from its row skip on: the rows the
 * page walk gave are the first rows of the engine's own scan, so it skips
 * as many ("LIMIT -1 OFFSET"), in the order it reads them.  Not "WHERE
 * rowid > last": in a damaged b-tree whose rowids do not rise, SQLite's
 * scan gives rows in page order, but such a seek would go by the interior
 * keys and give other rows.  A table that cannot be read is noted (first
 * error wins) and skipped; returns PS_ERR_STOP when the callback stops,
 * PS_ERR_NOMEM, or PS_OK.
 */
static ps_status sq_engine(sq_ctx *c, sq_tab *t, uint64_t skip)
{
    sqlite3_stmt *stmt = NULL;
    int has_rowid = 1, rc, named = 0;
    int64_t counter = 0;
    ps_status st;

    st = ps_sqlite_quoted(&c->sql, "SELECT rowid, * FROM ", t->name,
                          skip > 0 ? " LIMIT -1 OFFSET ?1" : "");
    if (st != PS_OK)
        return st;
    rc = sqlite3_prepare_v2(c->db, ps_buf_cstr(&c->sql), -1, &stmt, NULL);
    if (rc != SQLITE_OK && skip == 0) {
        /* WITHOUT ROWID tables have no rowid: number rows instead. */
        sqlite3_finalize(stmt);
        stmt = NULL;
        has_rowid = 0;
        st = ps_sqlite_quoted(&c->sql, "SELECT * FROM ", t->name, "");
        if (st != PS_OK)
            return st;
        rc = sqlite3_prepare_v2(c->db, ps_buf_cstr(&c->sql), -1, &stmt, NULL);
    }
    if (rc == SQLITE_OK && skip > 0)
        rc = sqlite3_bind_int64(stmt, 1, skip > INT64_MAX ? INT64_MAX : (int64_t)skip);
    if (rc != SQLITE_OK) {
        ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT, "table %s: %s", t->name,
                      sqlite3_errstr(rc));
        goto done;
    }
    t->firstcol = has_rowid ? 1 : 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t row = has_rowid ? sqlite3_column_int64(stmt, 0) : ++counter;

        if (!named) {
            /*
             * Names are the same on every row, so they are fetched once.  Not
             * before the first step: a step may re-prepare the statement, and
             * that frees the names and may change the columns.
             */
            named = 1;
            t->ncol = sqlite3_column_count(stmt);
            st = ps_sqlite_names(c, stmt, t->firstcol, t->ncol);
            if (st != PS_OK)
                goto done;
            ps_sqlite_number(c, t);
        }
        for (int i = t->firstcol; i < t->ncol; i++) {
            /*
             * The cell's value object, read with sqlite3_value_*(): the same
             * answers as sqlite3_column_*(), without a mutex and error check
             * per call.  SQLite calls such an object unprotected, which only
             * matters to a connection shared between threads; this one is
             * opened NOMUTEX and used by this thread alone.
             */
            sqlite3_value *cell = sqlite3_column_value(stmt, i);
            int type = sqlite3_value_type(cell);
            const void *val = NULL;
            int64_t num = 0;
            int n = 0;

            if (type == SQLITE_NULL)
                continue;
            if (type == SQLITE_INTEGER) {
                num = sqlite3_value_int64(cell);
            } else {
                val = type == SQLITE_BLOB ? sqlite3_value_blob(cell)
                                          : (const void *)sqlite3_value_text(cell);
                n = sqlite3_value_bytes(cell);
                if (val == NULL && n > 0) {
                    st = PS_ERR_NOMEM;
                    goto done;
                }
            }
            st = ps_sqlite_cell(c, t, row, i, type, num, val, (size_t)n);
            if (st != PS_OK)
                goto done;
        }
    }
    if (rc != SQLITE_DONE)
        ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT, "table %s: %s", t->name,
                      sqlite3_errstr(rc));
done:
    sqlite3_finalize(stmt);
    return st;
}

/*
 * Every non-NULL cell of one table (root page root, made by sql, which may
 * be NULL): by the page walk as far as it goes, then by the engine.
 */
static ps_status sq_table(sq_ctx *c, const char *name, int64_t root, const char *sql)
{
    sq_tab t;
    bool done = false;
    ps_status st = PS_OK;

    memset(&t, 0, sizeof(t));
    t.name = name;
    if (c->walk.fd >= 0)
        st = ps_sqlite_walk_table(c, &t, root, sql, &done);
    if (st != PS_OK || done)
        return st;
    return sq_engine(c, &t, t.walked);
}

ps_status ps_read_sqlite_with(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag,
                              bool use_pages, uint64_t *paged)
{
    /* Virtual tables are skipped: their rows live in shadow tables we read. */
    static const char tables_sql[] =
        "SELECT name, rootpage, sql FROM sqlite_master WHERE type='table'"
        " AND name NOT LIKE 'sqlite_%'"
        " AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'"
        " ORDER BY name";
    sq_ctx c;
    sq_copy cp;
    ps_buf uri;
    sqlite3_stmt *tables = NULL;
    ps_status st;
    int rc, wal_fd = -1, err = 0;

    if (src->transport != PS_TRANSPORT_PLAIN) {
        /* SQLite needs random access to the file itself, not a stream. */
        ps_diag_set(diag, "SQLite database inside a compressed file is not scanned");
        return PS_ERR_FORMAT;
    }
    if (paged != NULL)
        *paged = 0;
    memset(&cp, 0, sizeof(cp));
    memset(&c, 0, sizeof(c));
    c.walk.fd = -1;
    c.fn = fn;
    c.ud = ud;
    c.diag = diag;
    c.max_record = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    ps_buf_init(&c.sql, 64 * 1024);
    ps_buf_init(&uri, 3 * PATH_MAX + 64);

    st = sq_open_wal(src->open_path, &wal_fd, &err);
    if (st != PS_OK) {
        /* Fail closed, but still read what the main file holds. */
        ps_diag_first(diag, &c.first, PS_ERR_IO,
                      "the WAL file beside the database could not be opened (errno %d);"
                      " rows committed to it were not scanned", err);
        st = PS_OK;
    }
    if (wal_fd >= 0) {
        st = sq_copy_make(&cp, src->fd, wal_fd, &err);
        if (st != PS_OK) {
            /* No silent partial scan: without the WAL, rows would be missing. */
            ps_diag_set(diag, "could not copy the database and its WAL to a private"
                        " temporary directory (errno %d); not scanned", err);
            goto done;
        }
        st = sq_uri(cp.db, 0, &uri);
    } else {
        st = sq_uri(src->open_path, 1, &uri);
    }
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
    /* Not through a WAL copy: the newest pages may be in the WAL. */
    if (use_pages && wal_fd < 0)
        ps_sqlite_walk_open(&c.walk, src->fd, src->size);
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
        st = sq_table(&c, name, sqlite3_column_int64(tables, 1),
                      (const char *)sqlite3_column_text(tables, 2));
        if (st != PS_OK)
            goto done;
    }
    if (rc != SQLITE_DONE)
        ps_diag_first(c.diag, &c.first, PS_ERR_FORMAT, "not a readable SQLite database: %s",
                sqlite3_errstr(rc));
done:
    sqlite3_finalize(tables);
    sqlite3_close_v2(c.db); /* NULL is a harmless no-op */
    sq_copy_remove(&cp);
    if (wal_fd >= 0)
        close(wal_fd);
    if (paged != NULL)
        *paged = c.walk.rows;
    ps_sqlite_walk_free(&c.walk);
    ps_buf_free(&c.sql);
    free(c.cols);
    ps_buf_free(&uri);
    if (st == PS_OK)
        st = c.first;
    return st;
}

static ps_status read_sqlite(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    return ps_read_sqlite_with(src, fn, ud, diag, true, NULL);
}

const ps_reader ps_reader_sqlite = { "sqlite", PS_FMT_SQLITE, read_sqlite };

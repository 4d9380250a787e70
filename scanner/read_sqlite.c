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
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "input.h"
#include "read.h"
#include "sniff.h"
#include "util.h"

/* A result column's name, fetched once per table: it is the same on every row. */
typedef struct sq_col {
    const char *name; /* owned by the statement; NULL when SQLite ran out of memory */
    size_t len;
} sq_col;

/* The table being read, by either path. */
typedef struct sq_tab {
    const char *name;
    int ncol;          /* result columns, rowid first when firstcol is 1 */
    int firstcol;
    uint32_t fid_base; /* column i's field id is fid_base + i ... */
    int numbered;      /* ... when this table got ids */
    int counted;       /* ids were handed out (at its first row) */
    uint64_t walked;   /* rows the page walk gave */
} sq_tab;

struct sq_field;

#define SQ_MAX_DEPTH 20 /* SQLite's own bound on a b-tree's depth */

/* The page walk's state (see "page walk" below); fd is -1 when it is off. */
typedef struct sq_walk {
    int fd;
    uint32_t page_size;
    uint32_t usable;           /* page_size less the reserved bytes at each page's end */
    uint32_t npages;
    unsigned char *bufs[SQ_MAX_DEPTH]; /* one page per level of the tree, made as deep as it goes */
    unsigned char *ovfl;       /* an overflow page */
    unsigned char *payload;    /* a payload assembled from its overflow pages */
    size_t payload_cap;
    struct sq_field *fields;   /* [columns] where the row's values lie */
    size_t fields_cap;
    unsigned char *real;       /* [columns] REAL affinity */
    size_t real_cap;
    unsigned char *dflt;       /* [columns] has a default */
    size_t dflt_cap;
    int alias;                 /* the column that is the rowid, or -1 */
    sqlite3_stmt *real_text;   /* "SELECT ?1": a REAL's text, as SQLite writes it */
    uint64_t reads;            /* pages read for the current table */
    uint64_t rows;             /* rows the walk gave */
    bool autovacuum;           /* pointer-map pages: SQLite may follow them, not the chain */
} sq_walk;

typedef struct sq_ctx {
    sqlite3 *db;
    ps_record_fn fn;
    void *ud;
    ps_diag *diag;
    size_t max_record;
    ps_buf sql;
    sq_col *cols;     /* [ncol] of the table being read, reused across tables */
    size_t cols_cap;
    uint32_t fid_next; /* field ids handed out so far (read.h) */
    ps_status first;
    sq_walk walk;
} sq_ctx;

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
static ps_status sq_quoted(ps_buf *sql, const char *before, const char *table, const char *after)
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
static ps_status sq_names(sq_ctx *c, sqlite3_stmt *stmt, int firstcol, int ncol)
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
static void sq_number(sq_ctx *c, sq_tab *t)
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
static ps_status sq_cell(sq_ctx *c, const sq_tab *t, int64_t row, int i, int type, int64_t num,
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

    st = sq_quoted(&c->sql, "SELECT rowid, * FROM ", t->name, skip > 0 ? " LIMIT -1 OFFSET ?1" : "");
    if (st != PS_OK)
        return st;
    rc = sqlite3_prepare_v2(c->db, ps_buf_cstr(&c->sql), -1, &stmt, NULL);
    if (rc != SQLITE_OK && skip == 0) {
        /* WITHOUT ROWID tables have no rowid: number rows instead. */
        sqlite3_finalize(stmt);
        stmt = NULL;
        has_rowid = 0;
        st = sq_quoted(&c->sql, "SELECT * FROM ", t->name, "");
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
            st = sq_names(c, stmt, t->firstcol, t->ncol);
            if (st != PS_OK)
                goto done;
            sq_number(c, t);
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
            st = sq_cell(c, t, row, i, type, num, val, (size_t)n);
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

/* ------------------------------------------------------------ page walk */

/*
 * A rowid table read from its b-tree pages, without SQLite's engine.
 *
 * Why: the engine (its VDBE, a value object per cell) was most of what
 * reading a user store cost (bench/README.md).  The file format is stable
 * and documented (https://www.sqlite.org/fileformat2.html): a rowid table
 * is a b-tree whose leaves hold (rowid, record) in rowid order, so a walk
 * gives the rows in the order of "SELECT rowid, * FROM t", and each cell
 * is read where it lies in the page.
 *
 * What stays with SQLite: the schema (table names, root pages, column names
 * and declared types), WITHOUT ROWID tables, databases not in UTF-8 or read
 * through a WAL copy, tables with generated or hidden columns, a column
 * named like the rowid, an INTEGER PRIMARY KEY near the word DESC (by an old
 * quirk, "INTEGER PRIMARY KEY DESC" is no alias of the rowid), and the text
 * of a REAL (one prepared "SELECT ?1" writes it, so it is SQLite's own).
 *
 * Anything else the walk does not expect -- a page of the wrong kind, a
 * number out of range, a rowid out of order, a payload over the record
 * limit, a record short of a column that has a default (a column added
 * later; only the engine knows its default), bytes after a record's
 * values, and whatever the engine itself calls corrupt or reads its own
 * way (a cell count a page cannot hold, or none below the root; a payload
 * size in nine bytes; a record of no values, or with a header over 98307
 * bytes; an auto-vacuum overflow chain that does not go on to the next
 * page) -- stops it before that row, and the engine reads on past the
 * rows given (sq_engine), failing where it fails.  A row is checked whole
 * before any of its cells is given, so no cell is given twice and none is
 * lost.  A hostile file cannot make the walk loop or grow: a table
 * reads at most as many pages as the file has, at most SQ_MAX_DEPTH deep,
 * into buffers of one page per level.
 */

#define SQ_HAND_ON PS_ERR_FORMAT /* inside the walk: the engine reads on from here */

enum { SQ_LEAF = 0x0D, SQ_INTERIOR = 0x05 }; /* table b-tree page kinds */

static uint32_t sq_be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t sq_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SQLite's varint at p (before end): its length (1..9), or 0 when it runs past end. */
static unsigned sq_varint(const unsigned char *p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;

    for (unsigned i = 0; i < 8; i++) {
        if (p + i >= end)
            return 0;
        x = x << 7 | (p[i] & 0x7Fu);
        if ((p[i] & 0x80u) == 0) {
            *v = x;
            return i + 1;
        }
    }
    if (p + 8 >= end)
        return 0;
    *v = x << 8 | p[8];
    return 9;
}

/* The length of a value of serial type t; -1 for the reserved types 10 and 11. */
static int64_t sq_serial_len(uint64_t t)
{
    static const signed char fixed[12] = { 0, 1, 2, 3, 4, 6, 8, 8, 0, 0, -1, -1 };

    return t < 12 ? fixed[t] : (int64_t)((t - 12) / 2);
}

/*
 * Whether a column declared with type has REAL affinity: SQLite's rule
 * (datatype3.html, 3.1), in its order, since "FLOATING POINT" has INT in it
 * and is still REAL while "INTEGER DOUBLE" is INTEGER.  Such a column may
 * hold whole numbers as integers on disk, which the engine turns back into
 * REALs on reading (OP_RealAffinity); the walk must too.
 */
static bool sq_real_affinity(const char *type)
{
    enum { NUMERIC, TEXT, BLOB, REAL } aff = NUMERIC;
    uint32_t h = 0;

    for (const unsigned char *s = (const unsigned char *)type; *s; s++) {
        h = h << 8 | (uint32_t)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
        if (h == 0x63686172u || h == 0x636c6f62u || h == 0x74657874u)
            aff = TEXT; /* CHAR, CLOB, TEXT */
        else if (h == 0x626c6f62u && (aff == NUMERIC || aff == REAL))
            aff = BLOB;
        else if ((h == 0x7265616cu || h == 0x666c6f61u || h == 0x646f7562u) && aff == NUMERIC)
            aff = REAL; /* REAL, FLOA, DOUB */
        else if ((h & 0x00FFFFFFu) == 0x00696e74u)
            return false; /* INT: INTEGER affinity, and the scan stops */
    }
    return aff == REAL;
}

/* Where a column's value lies in the record being read. */
typedef struct sq_field {
    uint64_t type; /* serial type */
    size_t off;    /* in the payload */
} sq_field;

/*
 * What a table's walk needs of its columns, from PRAGMA table_xinfo;
 * and the file's geometry, from its header.
 */
static ps_status sq_walk_columns(sq_ctx *c, sq_tab *t, const char *sql, bool *ok);

/*
 * Read page pno into buf.  Page 1 is the schema's root, so never a page of
 * a table's tree or an overflow page.  Counts the page against the table's
 * bound: a table never needs more pages than the file has, so a walk that
 * would is going round a loop in a damaged or hostile file.
 */
static bool sq_page(sq_walk *w, uint32_t pno, unsigned char *buf)
{
    ssize_t r;

    if (pno < 2 || pno > w->npages || ++w->reads > w->npages)
        return false;
    do {
        r = pread(w->fd, buf, w->page_size, (off_t)(pno - 1) * (off_t)w->page_size);
    } while (r < 0 && errno == EINTR);
    return r == (ssize_t)w->page_size;
}

/*
 * Whether SQLite's guess at the next page of an overflow chain passes
 * over page pno: a pointer-map page, or the one holding the lock byte at
 * 1 GiB (btreeInt.h, PTRMAP_ISPAGE and PENDING_BYTE_PAGE).
 */
static bool sq_map_skips(const sq_walk *w, uint32_t pno)
{
    uint32_t per = w->usable / 5 + 1, pending = 0x40000000u / w->page_size + 1, map;

    if (pno < 2)
        return true;
    map = (pno - 2) / per * per + 2;
    if (map == pending)
        map++;
    return pno == map || pno == pending;
}

/*
 * The payload of a cell whose first local bytes lie at p and the rest in
 * overflow pages from first on: assembled in w->payload.  NULL when a
 * page is missing or out of range (*st stays PS_OK) or on no memory.
 */
static const unsigned char *sq_overflow(sq_walk *w, const unsigned char *p, size_t local,
                                        size_t total, uint32_t first, ps_status *st)
{
    size_t have = local, step = w->usable - 4;
    uint32_t pno = first;

    if (ps_grow(&w->payload, &w->payload_cap, total, 1) != PS_OK) {
        *st = PS_ERR_NOMEM;
        return NULL;
    }
    memcpy(w->payload, p, local);
    while (have < total) {
        size_t n = total - have < step ? total - have : step;

        if (!sq_page(w, pno, w->ovfl))
            return NULL;
        memcpy(w->payload + have, w->ovfl + 4, n);
        have += n;
        /*
         * In an auto-vacuum file the engine, passing over a page of the
         * chain whose bytes it does not need, may take the next page from
         * the pointer map instead (getOverflowPage: the page after, when
         * the map says it follows this one).  The two agree where the
         * chain goes on to that very page, as SQLite writes it.
         */
        if (w->autovacuum && have < total &&
            (sq_be32(w->ovfl) != pno + 1 || sq_map_skips(w, pno + 1)))
            return NULL;
        pno = sq_be32(w->ovfl);
    }
    return w->payload;
}

/* A REAL's text, as the engine gives it: NULL for a NaN (SQLite reads one as NULL). */
static ps_status sq_real_cell(sq_ctx *c, const sq_tab *t, int64_t row, int i, double d)
{
    sqlite3_stmt *s = c->walk.real_text;
    const unsigned char *text;

    if (s == NULL) {
        if (sqlite3_prepare_v2(c->db, "SELECT ?1", -1, &c->walk.real_text, NULL) != SQLITE_OK)
            return PS_ERR_NOMEM;
        s = c->walk.real_text;
    }
    sqlite3_reset(s);
    if (sqlite3_bind_double(s, 1, d) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
        return PS_ERR_NOMEM; /* a bound "SELECT ?1" fails only without memory */
    if (sqlite3_column_type(s, 0) == SQLITE_NULL)
        return PS_OK;
    text = sqlite3_column_text(s, 0);
    if (text == NULL)
        return PS_ERR_NOMEM;
    return sq_cell(c, t, row, i, SQLITE_FLOAT, 0, text, (size_t)sqlite3_column_bytes(s, 0));
}

/*
 * One row: the record rec[0..n) of rowid.  Checked whole first; SQ_HAND_ON
 * when it is not as the walk expects (nothing of the row given then).
 */
static ps_status sq_row(sq_ctx *c, sq_tab *t, int64_t rowid, const unsigned char *rec,
                        size_t n)
{
    sq_walk *w = &c->walk;
    const unsigned char *end = rec + n;
    size_t ncol = (size_t)(t->ncol - 1), k = 0;
    uint64_t hsize, type, body;
    unsigned len = sq_varint(rec, end, &hsize);
    size_t pos = len;
    ps_status st = PS_OK;

    /* The engine calls a header of more than 98307 bytes corrupt (OP_Column). */
    if (len == 0 || hsize < len || hsize > n || hsize > 98307)
        return SQ_HAND_ON;
    body = hsize;
    while (pos < hsize) {
        int64_t vlen;

        len = sq_varint(rec + pos, rec + hsize, &type);
        vlen = len == 0 ? -1 : sq_serial_len(type);
        if (vlen < 0 || (uint64_t)vlen > n - body)
            return SQ_HAND_ON;
        if (k < ncol) {
            w->fields[k].type = type;
            w->fields[k].off = (size_t)body;
        }
        body += (uint64_t)vlen;
        pos += len;
        k++;
    }
    /*
     * The values end where the payload ends: SQLite writes no bytes after
     * them, and its engine calls a record with bytes left over corrupt
     * (once it has read the whole header, as it does for a row short of
     * its table).  The engine must meet such a row, and say so, or the
     * walk would read a damaged table with no word of it.
     */
    if (body != n)
        return SQ_HAND_ON;
    /*
     * Nor does SQLite write a record of no values (a table has a column),
     * and its engine reads one serial type past such a header, unasked,
     * and calls the record corrupt (OP_Column, op_column_read_header).
     */
    if (k == 0)
        return SQ_HAND_ON;
    /* Columns past the record's end: NULL, unless they have a default. */
    for (size_t i = k; i < ncol; i++) {
        if (w->dflt[i])
            return SQ_HAND_ON;
        w->fields[i].type = 0;
        w->fields[i].off = 0; /* read from nowhere; set, so that rec + off stays defined */
    }
    /* The rowid's alias is stored as NULL; anything else is not SQLite's doing. */
    if (w->alias >= 0 && (size_t)w->alias < ncol && w->fields[w->alias].type != 0)
        return SQ_HAND_ON;
    sq_number(c, t);

    for (size_t i = 0; i < ncol && st == PS_OK; i++) {
        const unsigned char *v = rec + w->fields[i].off;
        int col = (int)i + 1; /* result column: rowid is column 0 */
        int64_t num = 0;
        uint64_t u = 0;

        type = w->fields[i].type;
        if ((int)i == w->alias) {
            st = sq_cell(c, t, rowid, col, SQLITE_INTEGER, rowid, NULL, 0);
            continue;
        }
        if (type == 0)
            continue;
        if (type >= 12) {
            st = sq_cell(c, t, rowid, col, (type & 1) ? SQLITE_TEXT : SQLITE_BLOB, 0, v,
                         (size_t)sq_serial_len(type));
            continue;
        }
        if (type == 7) {
            double d;

            for (int b = 0; b < 8; b++)
                u = u << 8 | v[b];
            memcpy(&d, &u, sizeof(d));
            st = sq_real_cell(c, t, rowid, col, d);
            continue;
        }
        if (type == 8 || type == 9) {
            num = (int64_t)type - 8;
        } else {
            int64_t nb = sq_serial_len(type);

            /* Big-endian two's complement of nb bytes, sign-extended. */
            u = (v[0] & 0x80u) ? UINT64_MAX : 0;
            for (int64_t b = 0; b < nb; b++)
                u = u << 8 | v[b];
            num = (int64_t)u;
        }
        st = w->real[i] ? sq_real_cell(c, t, rowid, col, (double)num)
                        : sq_cell(c, t, rowid, col, SQLITE_INTEGER, num, NULL, 0);
    }
    return st;
}

/*
 * Cell i of the leaf page buf: give its row.  *last is the rowid before
 * it, when *given; rowids must rise.
 */
static ps_status sq_leaf_cell(sq_ctx *c, sq_tab *t, const unsigned char *buf, unsigned i,
                              int64_t *last, bool *given)
{
    sq_walk *w = &c->walk;
    const unsigned char *end = buf + w->usable, *p;
    uint32_t pc = sq_be16(buf + 8 + 2 * i);
    uint64_t total, key;
    size_t local, x = w->usable - 35;
    unsigned n1, n2;
    ps_status st = PS_OK;

    if (pc < 8 || pc >= w->usable)
        return SQ_HAND_ON;
    p = buf + pc;
    n1 = sq_varint(p, end, &total);
    n2 = n1 == 0 ? 0 : sq_varint(p + n1, end, &key);
    if (n2 == 0 || (*given && (int64_t)key <= *last))
        return SQ_HAND_ON;
    /*
     * SQLite reads a payload's size as 32 bits, and a ninth byte of it as
     * seven bits, not eight (btreeParseCellPtr): it never writes either, and
     * the engine would read such a cell as another payload than this.
     */
    if (n1 == 9 || total > UINT32_MAX)
        return SQ_HAND_ON;
    /* Over the limit: the engine says so, value by value, as for every table. */
    if (total > c->max_record)
        return SQ_HAND_ON;
    p += n1 + n2;
    if (total <= x) {
        local = (size_t)total;
    } else {
        /* How much stays on the leaf (fileformat2, "Cell Payload Overflow Pages"). */
        size_t m = (w->usable - 12) * 32 / 255 - 23;
        size_t k = m + (size_t)((total - m) % (w->usable - 4));

        local = k <= x ? k : m;
    }
    if ((size_t)(end - p) < local + (total > local ? 4 : 0))
        return SQ_HAND_ON;
    if (total > local) {
        p = sq_overflow(w, p, local, (size_t)total, sq_be32(p + local), &st);
        if (p == NULL)
            return st != PS_OK ? st : SQ_HAND_ON;
    }
    st = sq_row(c, t, (int64_t)key, p, (size_t)total);
    if (st == PS_OK) {
        *last = (int64_t)key;
        *given = true;
        t->walked++;
        w->rows++;
    }
    return st;
}

/* One level of the walk: a page, and the next of its cells to go down. */
typedef struct sq_frame {
    unsigned char *buf; /* its b-tree header first: page 1 is never read */
    unsigned ncell;
    unsigned next;  /* interior pages: the next child (ncell: the right-most) */
} sq_frame;

/*
 * Read page pno into level d's buffer as frame f: SQ_HAND_ON when it is no
 * table page, or one the engine calls corrupt (btreeInitPage, moveToRoot,
 * getAndInitPage): more cells than a page can hold ((page size - 8) / 6,
 * a cell and its pointer being 6 bytes at least), or none on a page below
 * the root or on an interior root.  The walk would read such a page as
 * empty, or by pointers into cells that overlap, where the engine stops
 * with "malformed".
 */
static ps_status sq_enter(sq_walk *w, unsigned d, uint32_t pno, sq_frame *f)
{
    unsigned kind;

    if (w->bufs[d] == NULL && (w->bufs[d] = malloc(w->page_size)) == NULL)
        return PS_ERR_NOMEM;
    f->buf = w->bufs[d];
    f->next = 0;
    if (!sq_page(w, pno, f->buf))
        return SQ_HAND_ON;
    kind = f->buf[0];
    f->ncell = sq_be16(f->buf + 3);
    if ((kind != SQ_LEAF && kind != SQ_INTERIOR) ||
        (kind == SQ_LEAF ? 8u : 12u) + 2u * f->ncell > w->usable ||
        f->ncell > (w->page_size - 8) / 6 || (f->ncell == 0 && (d > 0 || kind == SQ_INTERIOR)))
        return SQ_HAND_ON;
    return PS_OK;
}

/*
 * Walk the b-tree from root, giving every row in rowid order.  PS_OK when
 * the table was read to its end; SQ_HAND_ON when the engine must read on
 * past the t->walked rows given; or PS_ERR_STOP / PS_ERR_NOMEM.  *last is
 * the last rowid given, when *given.
 */
static ps_status sq_walk_tree(sq_ctx *c, sq_tab *t, uint32_t root, int64_t *last, bool *given)
{
    sq_walk *w = &c->walk;
    sq_frame f[SQ_MAX_DEPTH];
    unsigned d = 0;
    ps_status st;

    w->reads = 0;
    st = sq_enter(w, 0, root, &f[0]);
    while (st == PS_OK) {
        sq_frame *top = &f[d];
        uint32_t child;

        if (top->buf[0] == SQ_LEAF) {
            for (unsigned i = 0; i < top->ncell && st == PS_OK; i++)
                st = sq_leaf_cell(c, t, top->buf, i, last, given);
            if (st != PS_OK || d == 0)
                break;
            d--;
            continue;
        }
        if (top->next > top->ncell) {
            if (d == 0)
                break;
            d--;
            continue;
        }
        if (top->next < top->ncell) {
            uint32_t pc = sq_be16(top->buf + 12 + 2 * top->next);

            if (pc < 12 || pc > w->usable - 4) {
                st = SQ_HAND_ON;
                break;
            }
            child = sq_be32(top->buf + pc);
        } else {
            child = sq_be32(top->buf + 8); /* the right-most pointer */
        }
        top->next++;
        if (d + 1 == SQ_MAX_DEPTH) {
            st = SQ_HAND_ON;
            break;
        }
        d++;
        st = sq_enter(w, d, child, &f[d]);
    }
    return st;
}

/* Whether ch may be part of a bare name (ASCII only: a miss only means more DESCs). */
static bool sq_name_byte(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* Whether sql has the word DESC (either case) outside a longer name. */
static bool sq_has_desc(const char *sql)
{
    for (const char *s = sql; (s = strpbrk(s, "dD")) != NULL; s++) {
        if ((s[1] | 0x20) != 'e' || (s[2] | 0x20) != 's' || (s[3] | 0x20) != 'c')
            continue;
        if ((s > sql && sq_name_byte(s[-1])) || sq_name_byte(s[4]))
            continue;
        return true;
    }
    return false;
}

/*
 * Learn t's columns from PRAGMA table_xinfo: which have REAL affinity or a
 * default, and which is the rowid's alias.  *ok is false when the table is
 * one the walk leaves to the engine (see the comment at the top of this part).
 */
static ps_status sq_walk_columns(sq_ctx *c, sq_tab *t, const char *sql, bool *ok)
{
    sq_walk *w = &c->walk;
    sqlite3_stmt *s = NULL;
    size_t n = 0, npk = 0, want = (size_t)(t->ncol - 1);
    int pk_col = -1, rc;
    bool pk_integer = false;
    ps_status st;

    *ok = false;
    st = sq_quoted(&c->sql, "PRAGMA table_xinfo(", t->name, ")");
    if (st != PS_OK)
        return st;
    if (sqlite3_prepare_v2(c->db, ps_buf_cstr(&c->sql), -1, &s, NULL) != SQLITE_OK)
        goto done;
    if (ps_grow(&w->real, &w->real_cap, want + 1, 1) != PS_OK ||
        ps_grow(&w->dflt, &w->dflt_cap, want + 1, 1) != PS_OK ||
        ps_grow(&w->fields, &w->fields_cap, want + 1, sizeof(sq_field)) != PS_OK) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        const char *type = (const char *)sqlite3_column_text(s, 2);

        if (n == want || name == NULL || sqlite3_column_int(s, 6) != 0 ||
            ps_strcaseeq(name, "rowid") || ps_strcaseeq(name, "oid") ||
            ps_strcaseeq(name, "_rowid_"))
            goto done; /* more columns than the select, hidden or generated, or named rowid */
        if (type == NULL)
            type = "";
        w->real[n] = sq_real_affinity(type);
        w->dflt[n] = sqlite3_column_type(s, 4) != SQLITE_NULL;
        if (sqlite3_column_int(s, 5) > 0) {
            npk++;
            pk_col = (int)n;
            pk_integer = ps_strcaseeq(type, "INTEGER");
        }
        n++;
    }
    if (rc != SQLITE_DONE || n != want)
        goto done;
    w->alias = npk == 1 && pk_integer ? pk_col : -1;
    *ok = w->alias < 0 || sql == NULL || !sq_has_desc(sql);
done:
    sqlite3_finalize(s);
    return st;
}

/*
 * Read table t (root page root, created by sql) with the walk.  *done is
 * true when it was read to its end; otherwise the engine reads it, or reads
 * on past the t->walked rows given.
 */
static ps_status sq_walk_table(sq_ctx *c, sq_tab *t, int64_t root, const char *sql, bool *done)
{
    sqlite3_stmt *stmt = NULL;
    int64_t last = 0;
    bool ok, given = false;
    ps_status st;

    *done = false;
    if (root < 2 || root > (int64_t)c->walk.npages)
        return PS_OK;
    /* The names the engine would give, and the test that this is a rowid table. */
    st = sq_quoted(&c->sql, "SELECT rowid, * FROM ", t->name, "");
    if (st != PS_OK)
        return st;
    if (sqlite3_prepare_v2(c->db, ps_buf_cstr(&c->sql), -1, &stmt, NULL) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return PS_OK;
    }
    t->firstcol = 1;
    t->ncol = sqlite3_column_count(stmt);
    st = sq_walk_columns(c, t, sql, &ok);
    if (st == PS_OK && ok)
        st = sq_names(c, stmt, 1, t->ncol);
    if (st == PS_OK && ok) {
        st = sq_walk_tree(c, t, (uint32_t)root, &last, &given);
        if (st == PS_OK)
            *done = true;
        else if (st == SQ_HAND_ON)
            st = PS_OK;
    }
    sqlite3_finalize(stmt);
    return st;
}

/*
 * Set up the walk for the database open at fd (size bytes): its header must
 * be one this code knows.  Otherwise w->fd stays -1 and the engine reads
 * every table.
 */
static void sq_walk_open(sq_walk *w, int fd, uint64_t size)
{
    unsigned char h[100];
    uint32_t page_size, counted;
    ssize_t r;

    w->fd = -1;
    do {
        r = pread(fd, h, sizeof(h), 0);
    } while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0)
        return;
    page_size = sq_be16(h + 16) == 1 ? 65536u : sq_be16(h + 16);
    /* A power of two from 512; file format 1 or 2 (WAL); the fixed payload fractions; UTF-8. */
    if (page_size < 512 || (page_size & (page_size - 1)) != 0 || h[18] < 1 || h[18] > 2 ||
        h[19] < 1 || h[19] > 2 || h[21] != 64 || h[22] != 32 || h[23] != 32 ||
        sq_be32(h + 56) != 1 || page_size - h[20] < 480)
        return;
    if (w->ovfl == NULL && (w->ovfl = malloc(page_size)) == NULL)
        return; /* the engine can still read it */
    w->page_size = page_size;
    w->usable = page_size - h[20];
    w->autovacuum = sq_be32(h + 52) != 0; /* the largest root page: kept only with a map */
    w->npages = size / page_size > UINT32_MAX ? UINT32_MAX : (uint32_t)(size / page_size);
    /* SQLite believes the header's page count when it is valid (fileformat2, 1.3.7). */
    counted = sq_be32(h + 28);
    if (counted != 0 && memcmp(h + 24, h + 92, 4) == 0 && counted < w->npages)
        w->npages = counted;
    w->fd = fd;
}

static void sq_walk_free(sq_walk *w)
{
    for (unsigned d = 0; d < SQ_MAX_DEPTH; d++)
        free(w->bufs[d]);
    free(w->ovfl);
    free(w->payload);
    free(w->fields);
    free(w->real);
    free(w->dflt);
    sqlite3_finalize(w->real_text);
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
        st = sq_walk_table(c, &t, root, sql, &done);
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
        sq_walk_open(&c.walk, src->fd, src->size);
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
    sq_walk_free(&c.walk);
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

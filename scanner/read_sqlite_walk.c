/*
 * read_sqlite_walk.c - the SQLite reader's page walk (read_sqlite.c reads
 * the rest): a rowid table read from its b-tree pages, without SQLite's
 * engine.
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
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "read_sqlite_int.h"
#include "util.h"

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
    return ps_sqlite_cell(c, t, row, i, SQLITE_FLOAT, 0, text, (size_t)sqlite3_column_bytes(s, 0));
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
    ps_sqlite_number(c, t);

    /*
     * What the loop reads of w, in locals: the callback behind
     * ps_sqlite_cell might change *w as far as the compiler knows, so it
     * would load these again for every cell.
     */
    const sq_field *fields = w->fields;
    const unsigned char *real = w->real;
    int alias = w->alias;

    for (size_t i = 0; i < ncol && st == PS_OK; i++) {
        const unsigned char *v = rec + fields[i].off;
        int col = (int)i + 1; /* result column: rowid is column 0 */
        int64_t num = 0;
        uint64_t u = 0;

        type = fields[i].type;
        if ((int)i == alias) {
            st = ps_sqlite_cell(c, t, rowid, col, SQLITE_INTEGER, rowid, NULL, 0);
            continue;
        }
        if (type == 0)
            continue;
        if (type >= 12) {
            st = ps_sqlite_cell(c, t, rowid, col, (type & 1) ? SQLITE_TEXT : SQLITE_BLOB, 0, v,
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
        st = real[i] ? sq_real_cell(c, t, rowid, col, (double)num)
                      : ps_sqlite_cell(c, t, rowid, col, SQLITE_INTEGER, num, NULL, 0);
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
 * one the walk leaves to the engine (see the comment at the top of this file).
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
    st = ps_sqlite_quoted(&c->sql, "PRAGMA table_xinfo(", t->name, ")");
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
ps_status ps_sqlite_walk_table(sq_ctx *c, sq_tab *t, int64_t root, const char *sql, bool *done)
{
    sqlite3_stmt *stmt = NULL;
    int64_t last = 0;
    bool ok, given = false;
    ps_status st;

    *done = false;
    if (root < 2 || root > (int64_t)c->walk.npages)
        return PS_OK;
    /* The names the engine would give, and the test that this is a rowid table. */
    st = ps_sqlite_quoted(&c->sql, "SELECT rowid, * FROM ", t->name, "");
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
        st = ps_sqlite_names(c, stmt, 1, t->ncol);
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
void ps_sqlite_walk_open(sq_walk *w, int fd, uint64_t size)
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

void ps_sqlite_walk_free(sq_walk *w)
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

/*
 * read_sqlite_int.h - what the two halves of the SQLite reader share, and
 * nothing else: read_sqlite.c reads through SQLite's engine (the schema,
 * the WAL copy, sq_engine) and read_sqlite_walk.c reads a rowid table from
 * its b-tree pages.  Internal: no other file includes it.  The walk gives
 * its cells through ps_sqlite_cell, as the engine does, so that both paths
 * emit the same records.
 */
#ifndef PS_READ_SQLITE_INT_H
#define PS_READ_SQLITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "read.h"
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

/* The page walk's state (read_sqlite_walk.c); fd is -1 when it is off. */
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

/* ---- read_sqlite.c, used by the walk too */

/* sql = before + table as a quoted identifier ('"' doubled) + after. */
ps_status ps_sqlite_quoted(ps_buf *sql, const char *before, const char *table, const char *after);
/* c->cols[firstcol..ncol) = the names of stmt's result columns. */
ps_status ps_sqlite_names(sq_ctx *c, sqlite3_stmt *stmt, int firstcol, int ncol);
/* Give t's columns their field ids, once, at its first row, by either path. */
void ps_sqlite_number(sq_ctx *c, sq_tab *t);
/* Emit one non-NULL cell as a record: where both paths end. */
ps_status ps_sqlite_cell(sq_ctx *c, const sq_tab *t, int64_t row, int i, int type, int64_t num,
                         const void *val, size_t n);

/* ---- read_sqlite_walk.c, used by read_sqlite.c */

/* Read table t from its pages as far as the walk goes; *done when to its end. */
ps_status ps_sqlite_walk_table(sq_ctx *c, sq_tab *t, int64_t root, const char *sql, bool *done);
/* Set up the walk for the database at fd, or leave w->fd at -1 (engine only). */
void ps_sqlite_walk_open(sq_walk *w, int fd, uint64_t size);
/* Free what the walk allocated (w zeroed or opened; fd is not closed). */
void ps_sqlite_walk_free(sq_walk *w);

#endif /* PS_READ_SQLITE_INT_H */

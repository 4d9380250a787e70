/*
 * read_csv.c - RFC 4180 delimited text: one record per non-empty cell.
 *
 * A state machine over bytes, not lines, because a quoted cell may hold the
 * delimiter, doubled quotes and newlines.  Only the current cell is
 * buffered (bounded by max_record); rows are never assembled, so a row of a
 * million cells costs no more memory than a row of one.
 *
 * Most cells are not even buffered: a cell that lies whole in the input's
 * window as one run (unquoted, or quoted without a doubled quote) is lent to
 * the callback where it lies.  Only a cell made of several runs (a doubled
 * quote, text after the closing quote) or cut by the end of a chunk is
 * copied, because the window is refilled by the next chunk.
 *
 * The first row is the header: its cells name the columns of every later
 * row.  Cells beyond the header, or under an empty header name, are called
 * "column_N" (1-based).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "read.h"
#include "util.h"

#define CSV_MAX_COLUMNS 65536u /* header names kept; later cells get column_N */
#define CSV_MAX_NAME 256u      /* header names are truncated past this */

typedef enum csv_state {
    CSV_START,    /* at the start of a cell */
    CSV_UNQUOTED, /* inside an unquoted cell */
    CSV_QUOTED,   /* inside a quoted cell */
    CSV_QUOTE     /* saw '"' inside a quoted cell: end, or half of "" */
} csv_state;

/* A header name, with its length: it names every cell of its column. */
typedef struct csv_name {
    char *s;
    size_t len;
} csv_name;

typedef struct csv_ctx {
    ps_record_fn fn;
    void *ud;
    ps_diag *diag;
    size_t max_record;
    char delim;
    unsigned char ends[256]; /* 1 for the bytes that end an unquoted run */
    csv_state state;
    ps_buf cell;        /* the current cell, when it had to be copied */
    const unsigned char *lent; /* else its one run, in the input's window */
    size_t lent_len;
    int cell_over;      /* the current cell passed max_record */
    csv_name *hdr;      /* header names */
    size_t nhdr, hdr_cap;
    int in_header;      /* still reading the first row */
    size_t col;         /* 0-based index of the current cell */
    int row_started;    /* the current row has at least one byte */
    int after_cr;       /* the last byte was a row-ending "\r" */
    uint64_t line;      /* current line, 1-based */
    uint64_t row_line;  /* line where the current row started */
    uint64_t quote_line; /* line where the open quoted cell started */
    char colname[32];
    ps_status first;
} csv_ctx;

static void csv_note(csv_ctx *c, ps_status st, const char *what, uint64_t line)
{
    if (c->first != PS_OK)
        return;
    c->first = st;
    if (st == PS_ERR_LIMIT)
        ps_diag_set(c->diag, "line %llu: %s longer than %zu bytes",
                    (unsigned long long)line, what, c->max_record);
    else
        ps_diag_set(c->diag, "line %llu: %s", (unsigned long long)line, what);
}

/*
 * Copy a lent run into c->cell: before a second run joins it, and before
 * the window it lies in is refilled.  It fits, as csv_add lends no run
 * longer than max_record; PS_ERR_NOMEM is the only failure.
 */
static ps_status csv_keep(csv_ctx *c)
{
    ps_status st;

    if (c->lent == NULL)
        return PS_OK;
    st = ps_buf_append(&c->cell, c->lent, c->lent_len);
    c->lent = NULL;
    c->lent_len = 0;
    return st;
}

/*
 * Add n bytes to the current cell; an over-long cell is dropped, not cut.
 * A cell's first run is only noted (lent), not copied.
 */
static ps_status csv_add(csv_ctx *c, const unsigned char *p, size_t n)
{
    ps_status st;

    if (c->cell_over || n == 0)
        return PS_OK;
    if (c->cell.len == 0 && c->lent == NULL) {
        if (n > c->max_record) {
            c->cell_over = 1;
            return PS_OK;
        }
        c->lent = p;
        c->lent_len = n;
        return PS_OK;
    }
    st = csv_keep(c);
    if (st == PS_OK)
        st = ps_buf_append(&c->cell, p, n);
    if (st == PS_ERR_LIMIT) {
        c->cell_over = 1;
        ps_buf_reset(&c->cell);
        return PS_OK;
    }
    return st;
}

/* The current cell's bytes, wherever they are (lent or copied). */
static const char *csv_cell(csv_ctx *c, size_t *n)
{
    if (c->lent != NULL) {
        *n = c->lent_len;
        return (const char *)c->lent;
    }
    *n = c->cell.len;
    return ps_buf_cstr(&c->cell);
}

static void csv_begin_row(csv_ctx *c)
{
    if (!c->row_started) {
        c->row_started = 1;
        c->row_line = c->line;
    }
}

/* Store a header name, trimmed of surrounding spaces and tabs. */
static ps_status csv_add_header(csv_ctx *c)
{
    size_t n;
    const char *s = csv_cell(c, &n);
    char *name;

    if (c->nhdr >= CSV_MAX_COLUMNS)
        return PS_OK;
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n > CSV_MAX_NAME)
        n = CSV_MAX_NAME;
    if (ps_grow(&c->hdr, &c->hdr_cap, c->nhdr + 1, sizeof(csv_name)) != PS_OK)
        return PS_ERR_NOMEM;
    name = ps_strndup(s, n);
    if (name == NULL)
        return PS_ERR_NOMEM;
    /* strlen, not n: a NUL inside the cell ends the name, as it always did. */
    c->hdr[c->nhdr++] = (csv_name){ name, strlen(name) };
    return PS_OK;
}

/* The current cell is complete: name it (header) or emit it (data). */
static ps_status csv_end_cell(csv_ctx *c)
{
    ps_status st = PS_OK;
    size_t len;
    const char *value = csv_cell(c, &len);

    if (c->in_header) {
        st = csv_add_header(c);
    } else if (c->cell_over) {
        csv_note(c, PS_ERR_LIMIT, "field", c->row_line);
    } else if (len > 0) {
        ps_record rec;
        const char *name;
        size_t name_len;

        if (c->col < c->nhdr && c->hdr[c->col].len > 0) {
            name = c->hdr[c->col].s;
            name_len = c->hdr[c->col].len;
        } else {
            int k = snprintf(c->colname, sizeof(c->colname), "column_%zu", c->col + 1);

            name = c->colname;
            name_len = k > 0 ? (size_t)k : 0;
        }
        memset(&rec, 0, sizeof(rec));
        rec.field = name;
        rec.field_len = name_len;
        rec.value = value;
        rec.value_len = len;
        rec.loc.kind = PS_LOC_LINE;
        rec.loc.line = c->row_line;
        rec.loc.column = name;
        /* A cell's name depends only on its column: the header is read once. */
        rec.field_id = c->col + 1 < PS_FIELD_IDS ? (uint32_t)(c->col + 1) : 0;
        if (c->fn(c->ud, &rec) != 0)
            st = PS_ERR_STOP;
    }
    ps_buf_reset(&c->cell);
    c->lent = NULL;
    c->lent_len = 0;
    c->cell_over = 0;
    c->col++;
    c->state = CSV_START;
    return st;
}

static ps_status csv_end_row(csv_ctx *c)
{
    ps_status st;

    if (!c->row_started)
        return PS_OK; /* an empty line is no row */
    st = csv_end_cell(c);
    c->in_header = 0;
    c->col = 0;
    c->row_started = 0;
    return st;
}

/*
 * Where the unquoted run from p[i] stops (the first byte marked in ends),
 * or n.  A table look-up a byte instead of three compares, four bytes a
 * round: this loop sees nearly every byte of a CSV file.
 */
static size_t csv_run_end(const unsigned char *ends, const unsigned char *p,
                          size_t i, size_t n)
{
    while (i + 4 <= n) {
        if (ends[p[i]])
            return i;
        if (ends[p[i + 1]])
            return i + 1;
        if (ends[p[i + 2]])
            return i + 2;
        if (ends[p[i + 3]])
            return i + 3;
        i += 4;
    }
    while (i < n && !ends[p[i]])
        i++;
    return i;
}

/* Feed n bytes through the state machine. */
static ps_status csv_feed(csv_ctx *c, const unsigned char *p, size_t n)
{
    size_t i = 0, j;
    ps_status st = PS_OK;

    while (i < n && st == PS_OK) {
        unsigned char ch = p[i];

        if (c->after_cr) {
            c->after_cr = 0;
            if (ch == '\n' && c->state != CSV_QUOTED) {
                i++; /* the "\n" of a "\r\n" already ended the row */
                continue;
            }
        }
        switch (c->state) {
        case CSV_QUOTED:
            for (j = i; j < n && p[j] != '"'; j++) {
                if (p[j] == '\n')
                    c->line++;
            }
            st = csv_add(c, p + i, j - i);
            if (j < n) {
                c->state = CSV_QUOTE;
                j++;
            }
            i = j;
            continue;
        case CSV_QUOTE:
            if (ch == '"') {
                st = csv_add(c, p + i, 1);
                c->state = CSV_QUOTED;
                i++;
                continue;
            }
            /* Text after the closing quote: keep it, as most tools do. */
            if (ch != (unsigned char)c->delim && ch != '\n' && ch != '\r')
                c->state = CSV_UNQUOTED;
            break;
        case CSV_START:
            if (ch == '"') {
                csv_begin_row(c);
                c->state = CSV_QUOTED;
                c->quote_line = c->line;
                i++;
                continue;
            }
            break;
        case CSV_UNQUOTED:
            break;
        }
        /* Unquoted context: delimiter, row end, or a run of cell bytes. */
        if (ch == (unsigned char)c->delim) {
            csv_begin_row(c);
            st = csv_end_cell(c);
            i++;
        } else if (ch == '\n' || ch == '\r') {
            st = csv_end_row(c);
            c->line++;
            c->after_cr = ch == '\r';
            c->state = CSV_START;
            i++;
        } else {
            csv_begin_row(c);
            c->state = CSV_UNQUOTED;
            j = csv_run_end(c->ends, p, i, n);
            st = csv_add(c, p + i, j - i);
            i = j;
        }
    }
    /* The window is refilled by the next chunk: a cell cut here is copied. */
    if (st == PS_OK)
        st = csv_keep(c);
    return st;
}

static ps_status read_csv(const ps_source *src, ps_record_fn fn, void *ud,
                          ps_diag *diag)
{
    csv_ctx c;
    ps_input in;
    ps_status st;
    int first_chunk = 1;

    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.ud = ud;
    c.diag = diag;
    c.max_record = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    c.delim = src->sniff.delimiter ? src->sniff.delimiter : ',';
    c.ends[(unsigned char)c.delim] = 1;
    c.ends['\n'] = 1;
    c.ends['\r'] = 1;
    c.in_header = 1;
    c.line = 1;
    ps_buf_init(&c.cell, c.max_record);
    st = ps_input_open(&in, src);
    while (st == PS_OK) {
        const unsigned char *p;
        size_t n;

        st = ps_input_chunk(&in, &p, &n);
        if (st != PS_OK) {
            /* The source failed (I/O, corrupt gzip, a decompression limit). */
            ps_diag_set(diag, "line %llu: %s", (unsigned long long)c.line,
                        ps_input_error(&in) ? ps_input_error(&in) : "read failed");
            break;
        }
        if (n == 0) {
            if (c.state == CSV_QUOTED) {
                csv_note(&c, PS_ERR_FORMAT, "unterminated quoted field",
                         c.quote_line);
            } else {
                st = csv_end_row(&c);
            }
            break;
        }
        if (first_chunk && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            n -= 3;
        }
        first_chunk = 0;
        st = csv_feed(&c, p, n);
    }
    ps_input_free(&in);
    ps_buf_free(&c.cell);
    for (size_t k = 0; k < c.nhdr; k++)
        free(c.hdr[k].s);
    free(c.hdr);
    if (st == PS_OK)
        st = c.first;
    return st;
}

const ps_reader ps_reader_csv = { "csv", PS_FMT_CSV, read_csv };

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
 * Most cells are one run (unquoted, or simply quoted) and end in the
 * window they start in: those go out without the state machine
 * (csv_plain), a cell and its delimiter or line end at a time, and the
 * machine takes over at the first cell that is not so.  Nearly every byte
 * is inside a run, so runs are measured by ps_span_until (util.h),
 * sixteen bytes at a time where SSE2 is there.
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
    /*
     * The bytes that end a run: delimiter, "\r" and "\n" outside quotes;
     * '"' and "\n" (counted as a line) inside.  cell_end is the first set
     * as a table, for the byte after a cell: a look-up, not three compares.
     */
    ps_stops plain;
    ps_stops quoted;
    unsigned char cell_end[256];
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
    ps_record rec;      /* what every data cell shares; the rest is set per cell */
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

/* Emit value[0..len) as the data cell in column c->col. */
static inline ps_status csv_emit(csv_ctx *c, const char *value, size_t len)
{
    ps_record *rec = &c->rec;
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
    rec->field = name;
    rec->field_len = name_len;
    rec->value = value;
    rec->value_len = len;
    rec->loc.line = c->row_line;
    rec->loc.column = name;
    /* A cell's name depends only on its column: the header is read once. */
    rec->field_id = c->col + 1 < PS_FIELD_IDS ? (uint32_t)(c->col + 1) : 0;
    return c->fn(c->ud, rec) != 0 ? PS_ERR_STOP : PS_OK;
}

/* The current cell is complete: name it (header) or emit it (data). */
static ps_status csv_end_cell(csv_ctx *c)
{
    ps_status st = PS_OK;
    size_t len;
    const char *value = csv_cell(c, &len);

    if (c->in_header)
        st = csv_add_header(c);
    else if (c->cell_over)
        csv_note(c, PS_ERR_LIMIT, "field", c->row_line);
    else if (len > 0)
        st = csv_emit(c, value, len);
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
 * p[i] ends a row: the index past it, and past the "\n" of a "\r\n",
 * which may be the first byte of the next chunk (after_cr).
 */
static size_t csv_past_eol(csv_ctx *c, const unsigned char *p, size_t i, size_t n)
{
    c->line++;
    c->state = CSV_START;
    if (p[i++] == '\r') {
        if (i < n && p[i] == '\n')
            i++;
        else
            c->after_cr = i == n;
    }
    return i;
}

/*
 * The common case without the state machine: data cells from p[i] that
 * are one run ending in this window (unquoted, or quoted without a "" or
 * a "\n" inside and closed right before a delimiter or line end), emitted
 * where they lie, each with the delimiter or line end after it.  Returns
 * where it stopped, at the start of a cell the state machine must read
 * (any other quoted cell, one cut by the window's end or longer than
 * max_record), in CSV_START.  The records are the state machine's: an
 * empty cell emits nothing, an empty line is no row.
 */
static size_t csv_plain(csv_ctx *c, const unsigned char *p, size_t i, size_t n,
                        ps_status *stp)
{
    ps_status st = PS_OK;

    while (i < n && st == PS_OK) {
        unsigned char ch = p[i];

        if (ch == '"') {
            size_t j = ps_span_until(&c->quoted, 2, 0, p, i + 1, n);

            /* The byte after the closing quote decides: a second quote is half of "". */
            if (j + 1 >= n || p[j] != '"' || !c->cell_end[p[j + 1]] ||
                j - i - 1 > c->max_record)
                break;
            csv_begin_row(c);
            if (j > i + 1)
                st = csv_emit(c, (const char *)p + i + 1, j - i - 1);
            i = j + 1;
            ch = p[i];
        } else if (!c->cell_end[ch]) {
            size_t j = ps_span_until(&c->plain, 3, 0, p, i + 1, n);

            if (j == n || j - i > c->max_record)
                break;
            csv_begin_row(c);
            st = csv_emit(c, (const char *)p + i, j - i);
            i = j;
            ch = p[i];
        }
        if (ch == (unsigned char)c->delim) {
            csv_begin_row(c);
            c->col++;
            i++;
        } else {
            /* The row's last cell went out above, or was empty: no csv_end_row. */
            c->col = 0;
            c->row_started = 0;
            i = csv_past_eol(c, p, i, n);
        }
    }
    *stp = st;
    return i;
}

/* Feed n bytes through the state machine. */
static ps_status csv_feed(csv_ctx *c, const unsigned char *p, size_t n)
{
    size_t i = 0, j;
    ps_status st = PS_OK;

    /* The "\n" of a "\r\n" cut by the refill: the "\r" already ended the row. */
    if (c->after_cr && n > 0 && p[0] == '\n')
        i = 1;
    c->after_cr = 0;
    while (i < n && st == PS_OK) {
        unsigned char ch = p[i];

        switch (c->state) {
        case CSV_QUOTED:
            j = ps_span_until(&c->quoted, 2, 0, p, i, n);
            while (j < n && p[j] == '\n') {
                c->line++;
                j = ps_span_until(&c->quoted, 2, 0, p, j + 1, n);
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
            if (!c->in_header) {
                j = csv_plain(c, p, i, n, &st);
                if (j > i) {
                    i = j;
                    continue;
                }
            }
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
            i = csv_past_eol(c, p, i, n);
        } else {
            csv_begin_row(c);
            c->state = CSV_UNQUOTED;
            j = ps_span_until(&c->plain, 3, 0, p, i, n);
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
    unsigned char ends[3] = { ',', '\n', '\r' }; /* [0] is the delimiter */

    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.ud = ud;
    c.diag = diag;
    c.max_record = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    c.delim = src->sniff.delimiter ? src->sniff.delimiter : ',';
    ends[0] = (unsigned char)c.delim;
    ps_stops_init(&c.plain, ends, 3);
    ps_stops_init(&c.quoted, (const unsigned char *)"\"\n", 2);
    c.cell_end[ends[0]] = c.cell_end['\n'] = c.cell_end['\r'] = 1;
    c.rec.loc.kind = PS_LOC_LINE;
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

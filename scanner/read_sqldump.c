/*
 * read_sqldump.c - MySQL / MariaDB / PostgreSQL (and sqlite3 .dump) plain
 * text dumps: one record per non-NULL value of every INSERT and COPY row.
 *
 * A dump can be many gigabytes and one extended INSERT many megabytes, so
 * this is a streaming tokenizer over bytes with one byte of push-back: it
 * never holds a statement, only the value being read (bounded by
 * max_record) and a bounded map of table -> column names learned from
 * CREATE TABLE.  Values are emitted as soon as they are complete, so a dump
 * cut in the middle still yields every row before the cut.
 *
 * Most values skip the tokenizer: a tuple as mysqldump writes it (no
 * spaces, comments or escapes) is read straight from the window, its values
 * lent to the callback where they lie (sd_tuple_fast); the tokenizer takes
 * over at the first value that is not so.
 *
 * Statements we do not read (DROP, LOCK, ALTER, functions, ...) are skipped
 * to their ';' while honouring strings, comments, parentheses and
 * PostgreSQL dollar quotes, so a ';' inside any of those never ends them.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "read.h"
#include "sniff.h"
#include "util.h"

#define SD_MAX_TABLES 4096   /* tables whose columns and row count we keep */
#define SD_MAX_COLUMNS 4096  /* column names kept per table / column list */
#define SD_MAX_IDENT 1024    /* identifiers are truncated past this */
#define SD_MAX_TAG 64        /* PostgreSQL $tag$ */

/* How backslashes inside a quoted string behave. */
typedef enum sd_esc {
    SD_ESC_NONE,  /* standard SQL: only a doubled quote is special */
    SD_ESC_MYSQL, /* \0 \' \" \b \n \r \t \Z \\, else the character */
    SD_ESC_C      /* PostgreSQL E'' and COPY: C escapes, octal, \xHH */
} sd_esc;

#define SD_SHOWN_MAX 80 /* a table name in a diagnostic, "..." included */

/* A column name, with its length: it names every value of its column. */
typedef struct sd_name {
    char *s;
    size_t len;
} sd_name;

typedef struct sd_table {
    char *name;
    sd_name *cols;
    size_t ncols, cap;
    int64_t rows; /* rows seen so far, across statements */
    uint64_t stamp; /* new whenever the name or the columns change (field ids) */
} sd_table;

typedef struct sd_ctx {
    ps_input in;
    const unsigned char *p, *e; /* unread part of the current window */
    int unget;                  /* one pushed-back byte, or -1 */
    int eof, io_err;
    ps_record_fn fn;
    void *ud;
    ps_diag *diag;
    char shown[SD_SHOWN_MAX];   /* a table name as a diagnostic may show it */
    size_t max_record;
    int pg;  /* PostgreSQL dialect: $$ quotes, '#' is not a comment */
    int bs;  /* backslash escapes in plain '...' strings (MySQL) */
    /*
     * Where a plain run of a string ends (sd_quote_stops): [0] for '...',
     * [1] for "...", each [without, with] backslash escapes.  Made once, as
     * every string of the dump uses one of them.
     */
    ps_stops quoted[2][2];
    ps_buf val;  /* the one value being read */
    int over;    /* val passed max_record: the rest is being skipped */
    ps_buf word; /* an identifier or keyword */
    sd_table *tables;
    size_t ntables, tables_cap;
    sd_table spill; /* stands in for tables past SD_MAX_TABLES */
    sd_name *stmt_cols; /* explicit column list of the current statement */
    size_t nstmt_cols, stmt_cols_cap;
    char colname[32];
    ps_record rec; /* what every value shares; the rest is set per value */
    /*
     * Field ids (read.h): the columns of one statement get ids fid_first
     * onward.  The next statement keeps them when it names its columns the
     * same way: the same table stamp and the same explicit list, if any.
     */
    uint64_t stamps;      /* stamps handed out */
    uint32_t fid_next;    /* ids handed out */
    uint32_t fid_first;   /* id of column 0, or 0: this statement has none */
    size_t fid_width;     /* columns that have one */
    uint64_t fid_stamp;   /* the table stamp they were given under */
    ps_buf fid_cols;      /* and the explicit column list, each name NUL-ended */
    size_t fid_ncols;     /* names in fid_cols (0: none was given) */
    ps_status first;
} sd_ctx;

/*
 * A table name for a diagnostic: names come from the dump, so they may
 * hold newlines or terminal escapes; diagnostics are one line of text.
 */
static const char *sd_shown(const sd_table *t, char *buf)
{
    ps_printable(buf, SD_SHOWN_MAX, t->name);
    return buf;
}

/* ---------------------------------------------------------------- bytes */

/* The window is used up: the next chunk, or 0 at the end of input. */
static int sd_refill(sd_ctx *c)
{
    const unsigned char *p;
    size_t n;

    if (c->eof)
        return 0;
    if (ps_input_chunk(&c->in, &p, &n) != PS_OK) {
        c->io_err = 1;
        c->eof = 1;
        return 0;
    }
    if (n == 0) {
        c->eof = 1;
        return 0;
    }
    c->p = p;
    c->e = p + n;
    return 1;
}

/* Whether there is an unread byte at c->p, refilling the window if need be. */
static inline int sd_fill(sd_ctx *c)
{
    return c->p < c->e || sd_refill(c);
}

static int sd_peek(sd_ctx *c)
{
    if (c->unget >= 0)
        return c->unget;
    return sd_fill(c) ? *c->p : -1;
}

static int sd_get(sd_ctx *c)
{
    int ch;

    if (c->unget >= 0) {
        ch = c->unget;
        c->unget = -1;
        return ch;
    }
    return sd_fill(c) ? *c->p++ : -1;
}

static int is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
           ch == '\v';
}

static int is_word_start(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
           ch >= 0x80;
}

static int is_word_char(int ch)
{
    return is_word_start(ch) || (ch >= '0' && ch <= '9') || ch == '$';
}

/* ------------------------------------------------------------- comments */

/*
 * Skip to the end of the line.  With sniff set, the start of the comment is
 * looked at: pg_dump announces itself there, and that decides how strings
 * are escaped for the rest of the file.
 */
static void sd_skip_line(sd_ctx *c, int sniff)
{
    char head[48];
    size_t hn = 0;

    if (c->unget >= 0) {
        int ch = c->unget;
        c->unget = -1;
        if (ch == '\n')
            return;
    }
    while (sd_fill(c)) {
        const unsigned char *nl = memchr(c->p, '\n', (size_t)(c->e - c->p));
        const unsigned char *end = nl != NULL ? nl : c->e;

        for (size_t k = 0; sniff && hn < sizeof(head) - 1 && c->p + k < end; k++)
            head[hn++] = (char)c->p[k];
        sniff = sniff && hn < sizeof(head) - 1 && nl == NULL;
        c->p = nl != NULL ? nl + 1 : c->e;
        if (nl != NULL)
            break;
    }
    head[hn] = '\0';
    if (hn > 0 && strstr(head, "PostgreSQL database dump") != NULL) {
        c->pg = 1;
        c->bs = 0;
    }
}

static void sd_skip_block(sd_ctx *c)
{
    int prev = 0, ch;

    while ((ch = sd_get(c)) >= 0) {
        if (prev == '*' && ch == '/')
            return;
        prev = ch;
    }
}

/* Skip whitespace and comments; returns the next byte (not consumed). */
static int sd_skip_space_slow(sd_ctx *c)
{
    for (;;) {
        int ch;

        while (c->unget < 0 && c->p < c->e && is_space(*c->p))
            c->p++;
        ch = sd_peek(c);

        if (is_space(ch)) {
            sd_get(c);
        } else if (ch == '#' && !c->pg) {
            sd_get(c);
            sd_skip_line(c, 0);
        } else if (ch == '-' || ch == '/') {
            sd_get(c);
            if (ch == '-' && sd_peek(c) == '-') {
                sd_get(c);
                sd_skip_line(c, 1);
            } else if (ch == '/' && sd_peek(c) == '*') {
                sd_get(c);
                sd_skip_block(c);
            } else {
                c->unget = ch;
                return ch;
            }
        } else {
            return ch;
        }
    }
}

/*
 * The same, called before every value and separator: most often the next
 * byte is already what is wanted, and that is answered here, inline.
 */
static inline int sd_skip_space(sd_ctx *c)
{
    if (c->unget < 0 && c->p < c->e) {
        int ch = *c->p;

        if (!is_space(ch) && ch != '#' && ch != '-' && ch != '/')
            return ch;
    }
    return sd_skip_space_slow(c);
}

/* -------------------------------------------------------------- strings */

/*
 * Append to out (NULL discards).  The value buffer remembers that it
 * overflowed (c->over) so the value is reported, not cut; an identifier
 * past its maximum is simply truncated, to its first SD_MAX_IDENT bytes
 * however the read window cut it: the part that fits is kept, not the
 * whole run refused (which kept whatever earlier runs had added, so the
 * name depended on where the window ended).
 */
static ps_status sd_put(sd_ctx *c, ps_buf *out, const void *p, size_t n)
{
    ps_status st;

    if (out == NULL || n == 0 || (out == &c->val && c->over))
        return PS_OK;
    if (out != &c->val && n > out->max - out->len)
        n = out->max - out->len;
    st = ps_buf_append(out, p, n);
    if (st == PS_ERR_LIMIT) {
        if (out == &c->val) {
            c->over = 1;
            ps_buf_reset(out);
        }
        st = PS_OK;
    }
    return st;
}

/*
 * Decode the escape after a backslash (e is the byte after it) into *out.
 * Octal and \x forms read further bytes.  Returns how many bytes to append
 * (1 or 2: MySQL keeps the backslash of \% and \_).
 */
static size_t sd_escape(sd_ctx *c, sd_esc mode, int e, char out[2])
{
    out[0] = (char)e;
    switch (e) {
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'b': out[0] = '\b'; return 1;
    default: break;
    }
    if (mode == SD_ESC_MYSQL) {
        if (e == '0')
            out[0] = '\0';
        else if (e == 'Z')
            out[0] = '\x1a';
        else if (e == '%' || e == '_') {
            out[0] = '\\';
            out[1] = (char)e;
            return 2;
        }
        return 1;
    }
    if (e == 'f') {
        out[0] = '\f';
    } else if (e == 'v') {
        out[0] = '\v';
    } else if (e >= '0' && e <= '7') {
        unsigned v = (unsigned)(e - '0');
        for (int k = 0; k < 2 && sd_peek(c) >= '0' && sd_peek(c) <= '7'; k++)
            v = v * 8 + (unsigned)(sd_get(c) - '0');
        out[0] = (char)(v & 0xFF);
    } else if (e == 'x' && ps_hex_digit(sd_peek(c)) >= 0) {
        unsigned v = (unsigned)ps_hex_digit(sd_get(c));
        if (ps_hex_digit(sd_peek(c)) >= 0)
            v = v * 16 + (unsigned)ps_hex_digit(sd_get(c));
        out[0] = (char)v;
    }
    return 1;
}

/* The bytes that end a plain run of a q-quoted string: q, and '\\' under escapes. */
static void sd_quote_stops_init(ps_stops *st, int q, sd_esc mode)
{
    const unsigned char b[2] = { (unsigned char)q, mode == SD_ESC_NONE ? (unsigned char)q : '\\' };

    ps_stops_init(st, b, 2);
}

/*
 * Those bytes for q and mode: c->quoted's for the usual quotes, else made
 * in *tmp (an identifier's ` or ]).  Strings are mostly plain text, so
 * their runs are measured by ps_span_until, which unlike memchr() for each
 * stop byte reads every byte once, however many escapes a hostile string
 * holds.
 */
static const ps_stops *sd_quote_stops(const sd_ctx *c, int q, sd_esc mode, ps_stops *tmp)
{
    if (q != '\'' && q != '"') {
        sd_quote_stops_init(tmp, q, mode);
        return tmp;
    }
    return &c->quoted[q == '"'][mode != SD_ESC_NONE];
}

/*
 * Read a quoted string whose opening quote q was consumed, into out (NULL
 * discards).  A doubled quote is one quote.  Returns 1, or 0 when the input
 * ends inside the string; a fatal error (memory) is left in *st.
 */
static int sd_string(sd_ctx *c, int q, sd_esc mode, ps_buf *out, ps_status *st)
{
    ps_stops tmp;
    const ps_stops *stops = sd_quote_stops(c, q, mode, &tmp);

    for (;;) {
        const unsigned char *s;
        size_t k, n;
        int ch;

        /* Fast path: copy the run up to the next quote or backslash. */
        if (c->unget < 0 && sd_fill(c)) {
            s = c->p;
            n = (size_t)(c->e - c->p);
            k = ps_span_until(stops, 2, 0, s, 0, n);
            *st = sd_put(c, out, s, k);
            c->p += k;
            if (*st != PS_OK)
                return 1;
            if (k == n)
                continue;
        }
        ch = sd_get(c);
        if (ch < 0)
            return 0;
        if (ch == '\\' && mode != SD_ESC_NONE) {
            char e[2];
            int x = sd_get(c);
            size_t en;

            if (x < 0)
                return 0;
            en = sd_escape(c, mode, x, e);
            *st = sd_put(c, out, e, en);
        } else if (ch == q) {
            if (sd_peek(c) != q)
                return 1;
            sd_get(c);
            char qq = (char)q;
            *st = sd_put(c, out, &qq, 1);
        } else {
            char b = (char)ch;
            *st = sd_put(c, out, &b, 1);
        }
        if (*st != PS_OK)
            return 1;
    }
}

/* Skip a $tag$ ... $tag$ body; the first '$' was consumed. */
static void sd_skip_dollar(sd_ctx *c)
{
    char tag[SD_MAX_TAG + 2];
    size_t tn = 1, m = 0;
    int ch;

    tag[0] = '$';
    while (tn < SD_MAX_TAG && is_word_char(ch = sd_peek(c)) && ch != '$')
        tag[tn++] = (char)sd_get(c);
    if (sd_peek(c) != '$')
        return; /* "$1" and the like: not a quote */
    tag[tn++] = (char)sd_get(c);
    /* Tags hold no '$' inside, so a mismatch can only restart at a '$'. */
    while ((ch = sd_get(c)) >= 0) {
        if (ch == (unsigned char)tag[m])
            m++;
        else
            m = ch == '$' ? 1 : 0;
        if (m == tn)
            return;
    }
}

/*
 * Consume input until one of stops appears outside strings, comments and
 * parentheses (depth 0).  The stop byte is consumed when consume is set.
 * Returns the stop byte, or -1 at end of input.
 */
static int sd_scan(sd_ctx *c, const char *stops, int consume)
{
    int depth = 0;
    ps_status st = PS_OK;

    for (;;) {
        int ch = sd_peek(c);

        if (ch < 0)
            return -1;
        if (depth == 0 && ch != 0 && strchr(stops, ch) != NULL) {
            if (consume)
                sd_get(c);
            return ch;
        }
        sd_get(c);
        switch (ch) {
        case '(':
            depth++;
            break;
        case ')':
            if (depth > 0)
                depth--;
            break;
        case '\'':
            sd_string(c, ch, c->bs ? SD_ESC_MYSQL : SD_ESC_NONE, NULL, &st);
            break;
        case '"':
            sd_string(c, ch, c->pg || !c->bs ? SD_ESC_NONE : SD_ESC_MYSQL, NULL, &st);
            break;
        case '`':
            sd_string(c, ch, SD_ESC_NONE, NULL, &st);
            break;
        case '#':
            if (!c->pg)
                sd_skip_line(c, 0);
            break;
        case '-':
            if (sd_peek(c) == '-')
                sd_skip_line(c, 0);
            break;
        case '/':
            if (sd_peek(c) == '*') {
                sd_get(c);
                sd_skip_block(c);
            }
            break;
        case '$':
            if (c->pg)
                sd_skip_dollar(c);
            break;
        default:
            break;
        }
    }
}

/* ---------------------------------------------------------- identifiers */

/* A bare word into c->word (truncated past SD_MAX_IDENT). */
static void sd_word(sd_ctx *c)
{
    ps_buf_reset(&c->word);
    while (is_word_char(sd_peek(c))) {
        const unsigned char *s = c->p;
        size_t k = 0, n = 1;
        char ch;

        if (c->unget >= 0) {
            ch = (char)sd_get(c);
            s = (const unsigned char *)&ch;
        } else {
            /* The run of word bytes in the window, appended at once. */
            n = (size_t)(c->e - c->p);
            while (k < n && is_word_char(s[k]))
                k++;
            n = k;
            c->p += n;
        }
        /* Past SD_MAX_IDENT, sd_put truncates; no memory cuts the word short too. */
        (void)sd_put(c, &c->word, s, n);
    }
}

static int sd_word_is(sd_ctx *c, const char *kw)
{
    return ps_strcaseeq(ps_buf_cstr(&c->word), kw);
}

/*
 * An identifier into c->word: `quoted`, "quoted", [quoted] or bare.  Sets
 * *quoted.  Returns 0 when there is none here.
 */
static int sd_ident(sd_ctx *c, int *quoted)
{
    int ch = sd_skip_space(c);
    ps_status st = PS_OK;

    *quoted = 0;
    if (ch == '`' || ch == '"' || ch == '[') {
        sd_get(c);
        ps_buf_reset(&c->word);
        if (!sd_string(c, ch == '[' ? ']' : ch, SD_ESC_NONE, &c->word, &st))
            return 0;
        *quoted = 1;
        return 1;
    }
    if (!is_word_start(ch))
        return 0;
    sd_word(c);
    return 1;
}

/* schema.table or table: the last part names it. */
static int sd_qualified(sd_ctx *c)
{
    int quoted;

    if (!sd_ident(c, &quoted))
        return 0;
    while (sd_skip_space(c) == '.') {
        sd_get(c);
        if (!sd_ident(c, &quoted))
            return 0;
    }
    return 1;
}

/* --------------------------------------------------------------- tables */

static void sd_table_clear_cols(sd_ctx *c, sd_table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i].s);
    t->ncols = 0;
    t->stamp = ++c->stamps;
}

/* The table named name, created when new.  NULL only when out of memory. */
static sd_table *sd_table_get(sd_ctx *c, const char *name)
{
    sd_table *t;
    char *dup;

    for (size_t i = 0; i < c->ntables; i++) {
        if (strcmp(c->tables[i].name, name) == 0)
            return &c->tables[i];
    }
    if (c->spill.name != NULL && strcmp(c->spill.name, name) == 0)
        return &c->spill;
    dup = ps_strdup(name);
    if (dup == NULL)
        return NULL;
    if (c->ntables >= SD_MAX_TABLES) {
        /* Past the bound, one slot is recycled: rows restart, columns are lost. */
        free(c->spill.name);
        sd_table_clear_cols(c, &c->spill);
        c->spill.name = dup;
        c->spill.rows = 0;
        return &c->spill;
    }
    if (ps_grow(&c->tables, &c->tables_cap, c->ntables + 1, sizeof(sd_table)) != PS_OK) {
        free(dup);
        return NULL;
    }
    t = &c->tables[c->ntables++];
    memset(t, 0, sizeof(*t));
    t->name = dup;
    t->stamp = ++c->stamps;
    return t;
}

static ps_status sd_add_name(sd_name **arr, size_t *n, size_t *cap, const char *name)
{
    char *dup;

    if (*n >= SD_MAX_COLUMNS)
        return PS_OK;
    if (ps_grow(arr, cap, *n + 1, sizeof(sd_name)) != PS_OK)
        return PS_ERR_NOMEM;
    dup = ps_strdup(name);
    if (dup == NULL)
        return PS_ERR_NOMEM;
    (*arr)[(*n)++] = (sd_name){ dup, strlen(dup) };
    return PS_OK;
}

static void sd_clear_stmt_cols(sd_ctx *c)
{
    for (size_t i = 0; i < c->nstmt_cols; i++)
        free(c->stmt_cols[i].s);
    c->nstmt_cols = 0;
}

/* "(a, `b`, "c")": the explicit column list of INSERT or COPY ('(' is next). */
static ps_status sd_column_list(sd_ctx *c, int *ok)
{
    int quoted;

    *ok = 0;
    sd_get(c);
    for (;;) {
        int ch;

        if (!sd_ident(c, &quoted))
            return PS_OK;
        if (sd_add_name(&c->stmt_cols, &c->nstmt_cols, &c->stmt_cols_cap,
                        ps_buf_cstr(&c->word)) != PS_OK)
            return PS_ERR_NOMEM;
        ch = sd_skip_space(c);
        sd_get(c);
        if (ch == ')') {
            *ok = 1;
            return PS_OK;
        }
        if (ch != ',')
            return PS_OK;
    }
}

/* -------------------------------------------------------------- records */

/* Whether the current statement's explicit columns are those in fid_cols. */
static int sd_same_list(sd_ctx *c)
{
    const char *s = c->fid_cols.data;
    size_t left = c->fid_cols.len;

    if (c->nstmt_cols != c->fid_ncols)
        return 0;
    for (size_t i = 0; i < c->nstmt_cols; i++) {
        size_t n = c->stmt_cols[i].len + 1;

        /* A name longer than what is kept is no match, and memcmp must not read past the list. */
        if (n > left || memcmp(s, c->stmt_cols[i].s, n) != 0)
            return 0;
        s += n;
        left -= n;
    }
    return 1;
}

/*
 * Field ids for the statement about to emit rows (read.h): the last
 * statement's when it names the columns the same way (the common case,
 * one table's rows over many INSERTs), else the next free ones while they
 * last.  A column past the names (column_N) gets none.
 */
static ps_status sd_number(sd_ctx *c, const sd_table *t)
{
    size_t width = c->nstmt_cols > 0 ? c->nstmt_cols : t->ncols;

    if (c->fid_first > 0 && t->stamp == c->fid_stamp && sd_same_list(c))
        return PS_OK;
    c->fid_first = 0;
    c->fid_width = 0;
    c->fid_stamp = t->stamp;
    c->fid_ncols = 0;
    ps_buf_reset(&c->fid_cols);
    if (width == 0 || (size_t)c->fid_next + width >= PS_FIELD_IDS)
        return PS_OK;
    for (size_t i = 0; i < c->nstmt_cols; i++) {
        ps_status st = ps_buf_append(&c->fid_cols, c->stmt_cols[i].s, c->stmt_cols[i].len + 1);

        if (st != PS_OK)
            return st == PS_ERR_NOMEM ? st : PS_OK; /* too long to keep: no ids */
    }
    c->fid_ncols = c->nstmt_cols;
    c->fid_first = c->fid_next + 1;
    c->fid_width = width;
    c->fid_next += (uint32_t)width;
    return PS_OK;
}

/* "column_N", for a column past the names known; its length in *len. */
static const char *sd_colname_n(sd_ctx *c, size_t col, size_t *len)
{
    int k = snprintf(c->colname, sizeof(c->colname), "column_%zu", col + 1);

    *len = k > 0 ? (size_t)k : 0;
    return c->colname;
}

/* The name of column col (the statement's list, else the table's), and its length. */
static inline const char *sd_colname(sd_ctx *c, const sd_table *t, size_t col, size_t *len)
{
    const sd_name *names = c->nstmt_cols > 0 ? c->stmt_cols : t->cols;
    size_t known = c->nstmt_cols > 0 ? c->nstmt_cols : t->ncols;

    if (col >= known)
        return sd_colname_n(c, col, len);
    *len = names[col].len;
    return names[col].s;
}

/* What a binary value v[0..n) is, sniffed from its head, when it is media. */
static ps_media sd_media(const char *v, size_t n)
{
    ps_sniff s;

    if (n == 0)
        return PS_MEDIA_NONE;
    s = ps_sniff_buffer((const unsigned char *)v, n < PS_SNIFF_HEAD ? n : PS_SNIFF_HEAD,
                        NULL, n);
    return s.format == PS_FMT_MEDIA ? s.media : PS_MEDIA_NONE;
}

/*
 * Emit v[0..n) as column col of row, a media blob when media says so.
 * v is c->val or lent from the read window, which stays put until fn
 * returns: nothing reads input during the callback.
 */
static inline ps_status sd_emit_span(sd_ctx *c, const sd_table *t, size_t col,
                                     int64_t row, ps_media media, const char *v, size_t n)
{
    ps_record *rec = &c->rec;

    if (c->over) {
        ps_diag_first(c->diag, &c->first, PS_ERR_LIMIT, "table %s row %lld: value longer than %zu bytes",
                sd_shown(t, c->shown), (long long)row, c->max_record);
        return PS_OK;
    }
    rec->field = sd_colname(c, t, col, &rec->field_len);
    rec->value = v;
    rec->value_len = n;
    rec->media = media;
    rec->loc.table = t->name;
    rec->loc.column = rec->field;
    rec->loc.row = row;
    rec->field_id = col < c->fid_width ? c->fid_first + (uint32_t)col : 0;
    return c->fn(c->ud, rec) != 0 ? PS_ERR_STOP : PS_OK;
}

/* Emit c->val, the value that had to be copied, as column col of row. */
static ps_status sd_emit(sd_ctx *c, const sd_table *t, size_t col, int64_t row,
                         int binary)
{
    const char *v = ps_buf_cstr(&c->val);

    return sd_emit_span(c, t, col, row, binary ? sd_media(v, c->val.len) : PS_MEDIA_NONE,
                        v, c->val.len);
}

/*
 * Whether ch goes on a number (or 0x literal) of len bytes so far, the last
 * prev: a digit, letter or '.', or a sign first or after an exponent's 'e'.
 * (ch | 0x20) folds exactly the upper-case letters onto the lower-case ones.
 */
static inline int sd_number_char(int ch, size_t len, int prev)
{
    return (unsigned)(ch - '0') < 10u || (unsigned)((ch | 0x20) - 'a') < 26u || ch == '.' ||
           ((ch == '-' || ch == '+') && (len == 0 || prev == 'e' || prev == 'E'));
}

/*
 * Most values need no copy: a number, or a quoted string without escapes,
 * that lies wholly in the read window can be lent to the callback as it
 * is.  These two say whether the value at s[0..avail) (a window's unread
 * bytes) is such, with its length in *n; if not, it is read the copying
 * way, which also handles everything unusual (a value split across
 * windows, an escape, a value over max_record, a 0x literal that is
 * decoded in c->val).
 */
static int sd_plain_number(const sd_ctx *c, const unsigned char *s, size_t avail,
                           size_t *n)
{
    size_t k = 0;

    /* Digits go on any number: most numbers are nothing else. */
    while (k < avail && (unsigned)(s[k] - '0') < 10u)
        k++;
    while (k < avail && sd_number_char(s[k], k, k > 0 ? s[k - 1] : 0))
        k++;
    /* k == avail: the number may go on in the next window. */
    if (k == avail || k > c->max_record ||
        (k > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
        return 0;
    *n = k;
    return 1;
}

/*
 * The same for the bytes after an opening quote q, stops being its
 * sd_quote_stops(); *n excludes the closing quote.
 */
PS_STOPS_INLINE int sd_plain_string(const sd_ctx *c, const unsigned char *s, size_t avail,
                                  int q, const ps_stops *stops, size_t *n)
{
    size_t k = ps_span_until(stops, 2, 0, s, 0, avail);

    /* The byte after the closing quote must be in the window too: a second q there is a doubled quote. */
    if (k + 1 >= avail || s[k] != q || s[k + 1] == q || k > c->max_record)
        return 0;
    *n = k;
    return 1;
}

/*
 * Lend the value at the read position when sd_plain_* says it may be:
 * return 1 with *v and *n set and the value consumed, else consume
 * nothing and return 0.
 */
static int sd_lend_number(sd_ctx *c, const char **v, size_t *n)
{
    if (c->unget >= 0 || !sd_fill(c) ||
        !sd_plain_number(c, c->p, (size_t)(c->e - c->p), n))
        return 0;
    *v = (const char *)c->p;
    c->p += *n;
    return 1;
}

/* The same for a q-quoted string whose opening quote was consumed. */
static int sd_lend_string(sd_ctx *c, int q, sd_esc mode, const char **v, size_t *n)
{
    const ps_stops *stops = &c->quoted[q == '"'][mode != SD_ESC_NONE];

    if (c->unget >= 0 || !sd_fill(c) ||
        !sd_plain_string(c, c->p, (size_t)(c->e - c->p), q, stops, n))
        return 0;
    *v = (const char *)c->p;
    c->p += *n + 1;
    return 1;
}

/* Whether s[0..4) is NULL in any case: a byte | 0x20 is 'n' only for 'n' and 'N'. */
static int sd_is_null(const unsigned char *s)
{
    return (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' &&
           (s[3] | 0x20) == 'l';
}

/*
 * The common case of a VALUES tuple, straight from the window: values
 * that sd_value would lend (sd_plain_*) or skip (NULL), each followed at
 * once by ',' or ')', as mysqldump writes them.  The records are
 * sd_value's.  At the first value that is not so (a space or comment
 * before or after it, an escape, a value cut by the window's end, ...) it
 * returns 0, nothing of that value consumed, for sd_value to read.
 * Returns 1 when it consumed the tuple's ')'; *col is the column reached.
 * A fatal status (stop) is left in *st.
 */
static int sd_tuple_fast(sd_ctx *c, const sd_table *t, size_t *col, int64_t row,
                         ps_status *st)
{
    const ps_stops *sq = &c->quoted[0][c->bs != 0], *dq = &c->quoted[1][c->bs != 0];
    const unsigned char *s = c->p, *e = c->e;

    if (c->unget >= 0)
        return 0;
    for (; s < e; s = c->p) {
        const unsigned char *v = NULL;
        size_t avail = (size_t)(e - s), n = 0, used;
        int ch = s[0];

        if (ch == '\'' || ch == '"') {
            if (!sd_plain_string(c, s + 1, avail - 1, ch, ch == '"' ? dq : sq, &n))
                return 0;
            v = s + 1;
            used = n + 2;
        } else if (ch == '-' || ch == '+' || ch == '.' || (ch >= '0' && ch <= '9')) {
            if (!sd_plain_number(c, s, avail, &n))
                return 0;
            v = s;
            used = n;
        } else if (avail > 4 && sd_is_null(s)) {
            used = 4;
        } else {
            return 0;
        }
        /* s[used] is in the window: sd_plain_* and avail > 4 saw to it. */
        if (s[used] != ',' && s[used] != ')')
            return 0;
        c->p = s + used + 1;
        if (v != NULL) {
            c->over = 0; /* as sd_value: a value too long may have come before */
            *st = sd_emit_span(c, t, *col, row, PS_MEDIA_NONE, (const char *)v, n);
            if (*st != PS_OK)
                return 0;
        }
        if (s[used] == ')')
            return 1;
        (*col)++;
    }
    return 0;
}

/* Decode c->val from hex digits in place; 0 (unchanged) if it is not hex. */
static int sd_unhex(sd_ctx *c, size_t from)
{
    char *d = c->val.data;
    size_t n = c->val.len - from;

    if (d == NULL || n % 2 != 0)
        return 0;
    for (size_t i = from; i < c->val.len; i++) {
        if (ps_hex_digit((unsigned char)d[i]) < 0)
            return 0;
    }
    for (size_t i = 0; i < n / 2; i++)
        d[i] = (char)(ps_hex_digit((unsigned char)d[from + 2 * i]) << 4 |
                      ps_hex_digit((unsigned char)d[from + 2 * i + 1]));
    c->val.len = n / 2;
    d[c->val.len] = '\0';
    return 1;
}

/*
 * One value of a VALUES tuple, emitted as column col of row.  Sets *bad when
 * the syntax is not understood and *cut when the input ends inside a
 * string.  Returns a fatal status only (memory, stop).
 */
static ps_status sd_value(sd_ctx *c, const sd_table *t, size_t col,
                          int64_t row, int *bad, int *cut)
{
    int ch = sd_skip_space(c), binary = 0;
    sd_esc mode = c->bs ? SD_ESC_MYSQL : SD_ESC_NONE;
    ps_status st = PS_OK;
    const char *v;
    size_t vn;

    ps_buf_reset(&c->val);
    c->over = 0;
    if (ch == '\'' || ch == '"') {
        sd_get(c);
    } else if (ch == '-' || ch == '+' || ch == '.' || (ch >= '0' && ch <= '9')) {
        int prev = 0;

        if (sd_lend_number(c, &v, &vn))
            return sd_emit_span(c, t, col, row, PS_MEDIA_NONE, v, vn);
        /* Numbers, and MySQL 0xCAFE literals. */
        while ((ch = sd_peek(c)) >= 0 && sd_number_char(ch, c->val.len, prev)) {
            char b = (char)sd_get(c);
            st = sd_put(c, &c->val, &b, 1);
            if (st != PS_OK)
                return st;
            prev = ch;
        }
        if (c->val.len > 2 && c->val.data[0] == '0' &&
            (c->val.data[1] == 'x' || c->val.data[1] == 'X'))
            binary = sd_unhex(c, 2);
        return sd_emit(c, t, col, row, binary);
    } else if (ch == '(') {
        sd_get(c);
        sd_scan(c, ")", 1); /* a subexpression: no single value to report */
        return PS_OK;
    } else if (is_word_start(ch)) {
        sd_word(c);
        ch = sd_peek(c);
        if (sd_word_is(c, "NULL"))
            return PS_OK;
        if (sd_word_is(c, "TRUE") || sd_word_is(c, "FALSE")) {
            st = sd_put(c, &c->val, c->word.data, c->word.len);
            return st != PS_OK ? st : sd_emit(c, t, col, row, 0);
        }
        if (ps_buf_cstr(&c->word)[0] == '_') {
            /* A character set introducer: _binary '...', _utf8mb4'...'. */
            ch = sd_skip_space(c);
            binary = sd_word_is(c, "_binary");
            if (ch != '\'' && ch != '"') {
                *bad = 1;
                return PS_OK;
            }
            sd_get(c);
        } else if (ch == '\'' && c->word.len == 1) {
            int kind = c->word.data[0] | 0x20;

            sd_get(c);
            if (kind == 'e') {
                mode = SD_ESC_C;
            } else if (kind == 'x') {
                mode = SD_ESC_NONE;
                binary = 2; /* hex digits, decoded below */
            } else if (kind == 'b') {
                mode = SD_ESC_NONE;
            } else if (kind != 'n') {
                *bad = 1;
                return PS_OK;
            }
            ch = '\'';
        } else {
            /* A function call or keyword (DEFAULT, now(), ...): no value. */
            if (sd_skip_space(c) == '(') {
                sd_get(c);
                sd_scan(c, ")", 1);
            }
            return PS_OK;
        }
    } else {
        *bad = 1;
        return PS_OK;
    }
    ch = ch == '"' ? '"' : '\'';
    if (binary != 2 && sd_lend_string(c, ch, mode, &v, &vn))
        return sd_emit_span(c, t, col, row, binary ? sd_media(v, vn) : PS_MEDIA_NONE, v, vn);
    if (!sd_string(c, ch, mode, &c->val, &st)) {
        *cut = 1;
        return PS_OK;
    }
    if (st != PS_OK)
        return st;
    if (binary == 2)
        binary = sd_unhex(c, 0);
    return sd_emit(c, t, col, row, binary);
}

/* ----------------------------------------------------------- statements */

/* CREATE [TEMPORARY|UNLOGGED|...] TABLE [IF NOT EXISTS] name ( defs ) ... ; */
static ps_status sd_create(sd_ctx *c)
{
    static const char *const not_columns[] = {
        "PRIMARY", "KEY", "UNIQUE", "CONSTRAINT", "INDEX", "FOREIGN", "CHECK",
        "FULLTEXT", "SPATIAL", "EXCLUDE", "LIKE", "PERIOD",
    };
    sd_table *t;
    int quoted, i;

    for (i = 0; i < 4; i++) {
        if (!is_word_start(sd_skip_space(c)))
            break;
        sd_word(c);
        if (sd_word_is(c, "TABLE"))
            break;
    }
    if (i == 4 || !sd_word_is(c, "TABLE")) {
        sd_scan(c, ";", 1);
        return PS_OK;
    }
    if (!sd_qualified(c))
        goto skip;
    if (sd_word_is(c, "IF")) {
        sd_skip_space(c);
        sd_word(c); /* NOT */
        sd_skip_space(c);
        sd_word(c); /* EXISTS */
        if (!sd_qualified(c))
            goto skip;
    }
    if (sd_skip_space(c) != '(')
        goto skip; /* CREATE TABLE ... AS SELECT: no column list */
    t = sd_table_get(c, ps_buf_cstr(&c->word));
    if (t == NULL)
        return PS_ERR_NOMEM;
    sd_table_clear_cols(c, t);
    sd_get(c);
    for (;;) {
        int stop;

        if (sd_ident(c, &quoted)) {
            int column = 1;
            for (size_t k = 0; !quoted && k < sizeof(not_columns) / sizeof(not_columns[0]); k++) {
                if (sd_word_is(c, not_columns[k]))
                    column = 0;
            }
            if (column && sd_add_name(&t->cols, &t->ncols, &t->cap,
                                      ps_buf_cstr(&c->word)) != PS_OK)
                return PS_ERR_NOMEM;
        }
        stop = sd_scan(c, ",)", 1);
        if (stop != ',')
            break;
    }
skip:
    sd_scan(c, ";", 1);
    return PS_OK;
}

/*
 * INSERT|REPLACE [modifiers] INTO name [(cols)] VALUES (...), (...) ... ;
 * Values stream out as they are read.
 */
static ps_status sd_insert(sd_ctx *c)
{
    sd_table *t;
    ps_status st = PS_OK;
    int ok, i;

    for (i = 0; i < 5; i++) {
        if (!is_word_start(sd_skip_space(c)))
            break;
        sd_word(c);
        if (sd_word_is(c, "INTO"))
            break;
        if (!sd_word_is(c, "IGNORE") && !sd_word_is(c, "LOW_PRIORITY") &&
            !sd_word_is(c, "DELAYED") && !sd_word_is(c, "HIGH_PRIORITY"))
            break;
    }
    if (!sd_word_is(c, "INTO") || !sd_qualified(c))
        goto skip;
    t = sd_table_get(c, ps_buf_cstr(&c->word));
    if (t == NULL)
        return PS_ERR_NOMEM;
    if (sd_skip_space(c) == '(') {
        st = sd_column_list(c, &ok);
        if (st != PS_OK || !ok)
            goto skip;
    }
    /* PostgreSQL: OVERRIDING SYSTEM VALUE VALUES (...). */
    for (i = 0; i < 4; i++) {
        if (!is_word_start(sd_skip_space(c)))
            goto skip;
        sd_word(c);
        if (sd_word_is(c, "VALUES") ||
            (sd_word_is(c, "VALUE") && sd_skip_space(c) == '('))
            break;
        if (!sd_word_is(c, "OVERRIDING") && !sd_word_is(c, "SYSTEM") &&
            !sd_word_is(c, "USER") && !sd_word_is(c, "VALUE"))
            goto skip; /* INSERT ... SELECT / SET / DEFAULT VALUES */
    }
    if (i == 4)
        goto skip;
    st = sd_number(c, t);
    if (st != PS_OK)
        goto done;
    for (;;) {
        int64_t row;
        size_t col = 0;
        int ch, bad = 0, cut = 0;

        if (sd_skip_space(c) != '(')
            goto skip;
        sd_get(c);
        row = ++t->rows;
        for (;;) {
            if (sd_tuple_fast(c, t, &col, row, &st))
                break;
            if (st != PS_OK)
                goto done;
            st = sd_value(c, t, col, row, &bad, &cut);
            if (st != PS_OK)
                goto done;
            if (cut) {
                ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT,
                        "table %s row %lld: unterminated string at end of input",
                        sd_shown(t, c->shown), (long long)row);
                goto done;
            }
            ch = sd_skip_space(c);
            if (!bad && ch != ',' && ch != ')' && ch >= 0) {
                /* A cast or expression after the value: '1'::integer, 1+2. */
                ch = sd_scan(c, ",)", 0);
            }
            if (bad || ch < 0) {
                if (ch < 0)
                    ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT,
                            "table %s row %lld: statement cut at end of input",
                            sd_shown(t, c->shown), (long long)row);
                else
                    ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT,
                            "table %s row %lld: unexpected syntax in VALUES",
                            sd_shown(t, c->shown), (long long)row);
                goto skip;
            }
            sd_get(c);
            if (ch == ')')
                break;
            col++;
        }
        ch = sd_skip_space(c);
        if (ch != ',')
            goto skip; /* ';', or ON DUPLICATE KEY ... / RETURNING ... */
        sd_get(c);
    }
skip:
    sd_scan(c, ";", 1);
done:
    sd_clear_stmt_cols(c);
    return st;
}

/*
 * The data of COPY ... FROM stdin: tab-separated lines up to "\.", with \N
 * for NULL and C-style backslash escapes.
 */
static ps_status sd_copy_data(sd_ctx *c, sd_table *t)
{
    int64_t row = 0;
    size_t col = 0;
    int at_start = 1, is_null = 0;
    ps_status st;

    ps_buf_reset(&c->val);
    c->over = 0;
    for (;;) {
        int ch = sd_get(c);

        if (ch < 0) {
            if (at_start) {
                ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT, "table %s: COPY data without its end marker",
                        sd_shown(t, c->shown));
                return PS_OK;
            }
            /* Finish the cut row, then report. */
            st = is_null ? PS_OK : sd_emit(c, t, col, row, 0);
            if (st == PS_OK)
                ps_diag_first(c->diag, &c->first, PS_ERR_FORMAT, "table %s row %lld: COPY data cut at end of input",
                        sd_shown(t, c->shown), (long long)row);
            return st;
        }
        if (at_start) {
            if (ch == '\\' && sd_peek(c) == '.') {
                sd_get(c);
                sd_skip_line(c, 0);
                return PS_OK;
            }
            at_start = 0;
            row = ++t->rows;
            col = 0;
        }
        if (ch == '\t' || ch == '\n') {
            /* A "\r\n" line end: the raw "\r" is not data. */
            if (ch == '\n' && c->val.len > 0 && !is_null &&
                c->val.data[c->val.len - 1] == '\r')
                c->val.data[--c->val.len] = '\0';
            st = is_null ? PS_OK : sd_emit(c, t, col, row, 0);
            if (st != PS_OK)
                return st;
            ps_buf_reset(&c->val);
            c->over = 0;
            is_null = 0;
            col++;
            if (ch == '\n')
                at_start = 1;
            continue;
        }
        if (ch == '\\') {
            char e[2];
            int x = sd_get(c);

            if (x < 0)
                continue; /* reported as a cut row on the next turn */
            if (x == 'N' && c->val.len == 0) {
                is_null = 1;
                continue;
            }
            st = sd_put(c, &c->val, e, sd_escape(c, SD_ESC_C, x, e));
        } else {
            char b = (char)ch;
            size_t k = 0;

            st = sd_put(c, &c->val, &b, 1);
            /* Copy the run of ordinary bytes that follows. */
            if (st == PS_OK && c->unget < 0 && c->p < c->e) {
                while (c->p + k < c->e && c->p[k] != '\t' && c->p[k] != '\n' &&
                       c->p[k] != '\\')
                    k++;
                st = sd_put(c, &c->val, c->p, k);
                c->p += k;
            }
        }
        if (st != PS_OK)
            return st;
    }
}

/* COPY name [(cols)] FROM stdin; followed by its data. */
static ps_status sd_copy(sd_ctx *c)
{
    sd_table *t;
    ps_status st = PS_OK;
    int ok;

    c->pg = 1;
    c->bs = 0;
    if (!sd_qualified(c))
        goto skip;
    t = sd_table_get(c, ps_buf_cstr(&c->word));
    if (t == NULL)
        return PS_ERR_NOMEM;
    if (sd_skip_space(c) == '(') {
        st = sd_column_list(c, &ok);
        if (st != PS_OK || !ok)
            goto skip;
    }
    if (!is_word_start(sd_skip_space(c)))
        goto skip;
    sd_word(c);
    if (!sd_word_is(c, "FROM") || !is_word_start(sd_skip_space(c)))
        goto skip;
    sd_word(c);
    if (!sd_word_is(c, "stdin"))
        goto skip;
    if (sd_scan(c, ";", 1) < 0)
        goto done;
    sd_skip_line(c, 0); /* the data starts on the next line */
    st = sd_number(c, t);
    if (st == PS_OK)
        st = sd_copy_data(c, t);
    goto done;
skip:
    sd_scan(c, ";", 1);
done:
    sd_clear_stmt_cols(c);
    return st;
}

/* SET standard_conforming_strings = on|off decides what '\' means. */
static void sd_set(sd_ctx *c)
{
    int quoted;

    if (sd_ident(c, &quoted) && sd_word_is(c, "standard_conforming_strings")) {
        int ch = sd_skip_space(c);
        ps_status st = PS_OK;

        if (ch == '=')
            sd_get(c);
        else if (is_word_start(ch))
            sd_word(c); /* TO */
        ch = sd_skip_space(c);
        if (ch == '\'') {
            sd_get(c);
            ps_buf_reset(&c->word);
            (void)sd_string(c, ch, SD_ESC_NONE, &c->word, &st);
        } else if (is_word_start(ch)) {
            sd_word(c);
        }
        if (sd_word_is(c, "on"))
            c->bs = 0;
        else if (sd_word_is(c, "off"))
            c->bs = 1;
    }
    sd_scan(c, ";", 1);
}

/* Dispatch statements until end of input or a fatal error. */
static ps_status sd_run(sd_ctx *c)
{
    ps_status st = PS_OK;

    while (st == PS_OK) {
        int ch = sd_skip_space(c);

        if (ch < 0)
            break;
        if (ch == ';') {
            sd_get(c);
        } else if (ch == '\\') {
            sd_skip_line(c, 0); /* psql meta-command (\connect): no ';' */
        } else if (is_word_start(ch)) {
            sd_word(c);
            if (sd_word_is(c, "CREATE"))
                st = sd_create(c);
            else if (sd_word_is(c, "INSERT") || sd_word_is(c, "REPLACE"))
                st = sd_insert(c);
            else if (sd_word_is(c, "COPY"))
                st = sd_copy(c);
            else if (sd_word_is(c, "SET"))
                sd_set(c);
            else {
                if (sd_word_is(c, "PRAGMA"))
                    c->bs = 0; /* sqlite3 .dump: standard strings */
                sd_scan(c, ";", 1);
            }
        } else {
            sd_scan(c, ";", 1);
        }
    }
    return st;
}

static ps_status read_sqldump(const ps_source *src, ps_record_fn fn, void *ud,
                              ps_diag *diag)
{
    sd_ctx *c = calloc(1, sizeof(*c));
    ps_status st;

    if (c == NULL)
        return PS_ERR_NOMEM;
    c->unget = -1;
    c->fn = fn;
    c->ud = ud;
    c->diag = diag;
    c->max_record = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    c->bs = 1;
    for (int q = 0; q < 2; q++) {
        sd_quote_stops_init(&c->quoted[q][0], q ? '"' : '\'', SD_ESC_NONE);
        sd_quote_stops_init(&c->quoted[q][1], q ? '"' : '\'', SD_ESC_MYSQL);
    }
    c->rec.loc.kind = PS_LOC_CELL;
    ps_buf_init(&c->val, c->max_record);
    ps_buf_init(&c->word, SD_MAX_IDENT);
    ps_buf_init(&c->fid_cols, (size_t)SD_MAX_COLUMNS * (SD_MAX_IDENT + 1));
    st = ps_input_open(&c->in, src);
    if (st == PS_OK)
        st = sd_run(c);
    if (st == PS_OK && c->io_err) {
        /* The source failed (I/O, corrupt gzip, a decompression limit). */
        st = c->in.fail != PS_OK ? c->in.fail : PS_ERR_IO;
        ps_diag_set(diag, "%s at byte %llu",
                    ps_input_error(&c->in) ? ps_input_error(&c->in) : "read failed",
                    (unsigned long long)c->in.offset);
    }
    if (st == PS_ERR_NOMEM)
        ps_diag_set(diag, "out of memory");
    ps_input_free(&c->in);
    ps_buf_free(&c->val);
    ps_buf_free(&c->word);
    for (size_t i = 0; i < c->ntables; i++) {
        sd_table_clear_cols(c, &c->tables[i]);
        free(c->tables[i].cols);
        free(c->tables[i].name);
    }
    free(c->tables);
    sd_table_clear_cols(c, &c->spill);
    free(c->spill.cols);
    ps_buf_free(&c->fid_cols);
    free(c->spill.name);
    sd_clear_stmt_cols(c);
    free(c->stmt_cols);
    if (st == PS_OK)
        st = c->first;
    free(c);
    return st;
}

const ps_reader ps_reader_sqldump = { "sqldump", PS_FMT_SQLDUMP, read_sqldump };

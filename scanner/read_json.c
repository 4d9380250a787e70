/*
 * read_json.c - JSON documents (pretty-printed, nested, or several values
 * one after another): one record per scalar leaf, streamed through yajl.
 *
 * A chat export is often one big document ("conversations": [...]) that can
 * be gigabytes, so the file is never held in memory: ps_input hands out
 * chunks (inflated, for gzip) and yajl's event parser turns them into
 * callbacks.  The only state kept is the JSON pointer of the current value,
 * in a bounded buffer, and one frame per open container, at most
 * JS_MAX_DEPTH of them.
 *
 * Every leaf becomes (field = pointer, value, line): the pointer follows
 * RFC 6901 with array indices ("/conversations/0/messages/3/body"), so rules
 * on field names see the whole path, as with JSONL.  The line is the one the
 * value ends on: yajl_get_bytes_consumed() says how far into the current
 * chunk the parser is when a callback runs, and the newlines up to there
 * are counted once.
 *
 * Limits.  A string longer than max_record is not emitted (an error is
 * noted, parsing goes on).  yajl buffers a token that spans chunks without a
 * bound of its own, so when far more than max_record bytes go by without a
 * single event, the file is abandoned with PS_ERR_LIMIT instead of letting
 * that buffer grow.  Nesting past JS_MAX_DEPTH stops with PS_ERR_LIMIT.
 * Diagnostics never use yajl_get_error(), which quotes the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "input.h"
#include "read.h"
#include "util.h"

#define JS_MAX_DEPTH 512

typedef struct js_frame {
    size_t base;   /* pointer length of the container itself */
    size_t index;  /* next array index */
    int is_array;
} js_frame;

typedef struct js_ctx {
    ps_record_fn fn;
    void *ud;
    ps_diag *diag;
    size_t max_record;
    yajl_handle h;
    ps_buf ptr;                 /* pointer of the current value */
    js_frame stack[JS_MAX_DEPTH];
    size_t depth;
    const unsigned char *chunk; /* what yajl is parsing now; NULL at the end */
    size_t chunk_len;
    size_t counted;             /* chunk[0..counted) is in line */
    uint64_t line;              /* 1-based line at chunk[counted] */
    uint64_t fed;               /* bytes handed to yajl before this chunk */
    uint64_t last_event;        /* absolute offset of the last callback */
    int nonblank;               /* anything but whitespace was fed */
    ps_status first;            /* first problem; reading went on */
    ps_status stop;             /* why a callback stopped yajl */
} js_ctx;

/* Count the newlines of the current chunk up to pos. */
static void js_count_to(js_ctx *c, size_t pos)
{
    if (pos > c->chunk_len)
        pos = c->chunk_len;
    while (c->counted < pos) {
        const unsigned char *nl = memchr(c->chunk + c->counted, '\n', pos - c->counted);
        if (nl == NULL) {
            c->counted = pos;
            break;
        }
        c->line++;
        c->counted = (size_t)(nl - c->chunk) + 1;
    }
}

/*
 * An event: bring line up to where yajl is in the current chunk, and note
 * the place for the token-size backstop.  During yajl_complete_parse (chunk
 * NULL) the offset is into yajl's own buffer and means nothing to us.
 */
static void js_sync(js_ctx *c)
{
    if (c->chunk == NULL)
        return;
    js_count_to(c, yajl_get_bytes_consumed(c->h));
    c->last_event = c->fed + c->counted;
}

/* Stop yajl with st; the first diagnostic of the file wins. */
static int js_halt(js_ctx *c, ps_status st)
{
    c->stop = st;
    return 0;
}

/* Shorten the pointer to len bytes (a parent's pointer). */
static void js_ptr_cut(js_ctx *c, size_t len)
{
    c->ptr.len = len;
    if (c->ptr.data != NULL)
        c->ptr.data[len] = '\0';
}

/*
 * A value starts: in an array its pointer is the array's plus the next
 * index; in an object the key callback has already set it; at the top
 * level it is "" (every top-level value, when there are several).
 */
static ps_status js_value_begin(js_ctx *c)
{
    js_frame *f;
    ps_status st;

    if (c->depth == 0) {
        js_ptr_cut(c, 0);
        return PS_OK;
    }
    f = &c->stack[c->depth - 1];
    if (!f->is_array)
        return PS_OK;
    js_ptr_cut(c, f->base);
    st = ps_buf_printf(&c->ptr, "/%zu", f->index);
    f->index++;
    return st;
}

/* A pointer that does not fit is the end of this file: see js_value_begin. */
static int js_ptr_failed(js_ctx *c, ps_status st)
{
    if (st == PS_ERR_LIMIT)
        ps_diag_first(c->diag, &c->first, PS_ERR_LIMIT,
                      "line %llu: JSON pointer longer than %zu bytes",
                      (unsigned long long)c->line, c->ptr.max);
    return js_halt(c, st);
}

/* Emit one leaf at the current pointer; 0 stops yajl. */
static int js_emit(js_ctx *c, const char *v, size_t n)
{
    ps_record rec;
    ps_status st;

    js_sync(c);
    st = js_value_begin(c);
    if (st != PS_OK)
        return js_ptr_failed(c, st);
    if (n > c->max_record) {
        ps_diag_first(c->diag, &c->first, PS_ERR_LIMIT,
                      "line %llu: value longer than %zu bytes",
                      (unsigned long long)c->line, c->max_record);
        return 1;
    }
    memset(&rec, 0, sizeof(rec));
    rec.field = ps_buf_cstr(&c->ptr);
    rec.field_len = c->ptr.len;
    rec.value = v;
    rec.value_len = n;
    rec.loc.kind = PS_LOC_LINE;
    rec.loc.line = c->line;
    rec.loc.pointer = rec.field;
    if (c->fn(c->ud, &rec) != 0)
        return js_halt(c, PS_ERR_STOP);
    return 1;
}

static int js_null(void *ctx)
{
    js_ctx *c = ctx;
    ps_status st;

    /* No data, but it takes its array slot. */
    js_sync(c);
    st = js_value_begin(c);
    return st == PS_OK ? 1 : js_ptr_failed(c, st);
}

static int js_boolean(void *ctx, int b)
{
    return js_emit(ctx, b ? "true" : "false", b ? 4 : 5);
}

static int js_number(void *ctx, const char *s, size_t n)
{
    return js_emit(ctx, s, n);
}

static int js_string(void *ctx, const unsigned char *s, size_t n)
{
    return js_emit(ctx, (const char *)s, n);
}

static int js_start(js_ctx *c, int is_array)
{
    ps_status st;

    js_sync(c);
    if (c->depth >= JS_MAX_DEPTH) {
        ps_diag_first(c->diag, &c->first, PS_ERR_LIMIT,
                      "line %llu: nesting deeper than %d levels",
                      (unsigned long long)c->line, JS_MAX_DEPTH);
        return js_halt(c, PS_ERR_LIMIT);
    }
    st = js_value_begin(c);
    if (st != PS_OK)
        return js_ptr_failed(c, st);
    c->stack[c->depth].base = c->ptr.len;
    c->stack[c->depth].index = 0;
    c->stack[c->depth].is_array = is_array;
    c->depth++;
    return 1;
}

static int js_start_map(void *ctx)
{
    return js_start(ctx, 0);
}

static int js_start_array(void *ctx)
{
    return js_start(ctx, 1);
}

static int js_end(void *ctx)
{
    js_ctx *c = ctx;

    js_sync(c);
    if (c->depth > 0)
        c->depth--;
    return 1;
}

/* The pointer of the member that follows: the object's, "/", the key (~0, ~1). */
static int js_map_key(void *ctx, const unsigned char *k, size_t n)
{
    js_ctx *c = ctx;
    ps_status st;
    size_t run = 0;

    js_sync(c);
    if (c->depth == 0)
        return 1; /* yajl only calls this inside an object */
    js_ptr_cut(c, c->stack[c->depth - 1].base);
    st = ps_buf_putc(&c->ptr, '/');
    for (size_t i = 0; i < n && st == PS_OK; i++) {
        if (k[i] != '~' && k[i] != '/')
            continue;
        st = ps_buf_append(&c->ptr, k + run, i - run);
        if (st == PS_OK)
            st = ps_buf_append(&c->ptr, k[i] == '~' ? "~0" : "~1", 2);
        run = i + 1;
    }
    if (st == PS_OK)
        st = ps_buf_append(&c->ptr, k + run, n - run);
    return st == PS_OK ? 1 : js_ptr_failed(c, st);
}

static const yajl_callbacks js_callbacks = {
    js_null, js_boolean, NULL, NULL, js_number, js_string,
    js_start_map, js_map_key, js_end, js_start_array, js_end,
};

/*
 * The most bytes that may pass without an event: a string of max_record
 * bytes written with \u escapes takes six times as many, plus a chunk of
 * slack for where it starts and ends.
 */
static uint64_t js_max_gap(size_t max_record)
{
    uint64_t m = (uint64_t)max_record;

    return m < UINT64_MAX / 8 ? m * 6 + 2u * PS_INPUT_CHUNK : UINT64_MAX;
}

static ps_status read_json(const ps_source *src, ps_record_fn fn, void *ud,
                           ps_diag *diag)
{
    js_ctx *c;
    ps_input in;
    ps_status st;
    yajl_status ys;
    int first_chunk = 1;

    memset(&in, 0, sizeof(in));
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return PS_ERR_NOMEM;
    c->fn = fn;
    c->ud = ud;
    c->diag = diag;
    c->max_record = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    c->line = 1;
    ps_buf_init(&c->ptr, c->max_record < SIZE_MAX / 4 ? c->max_record * 2 + 64 : c->max_record);
    st = ps_input_open(&in, src);
    if (st != PS_OK)
        goto done;
    c->h = yajl_alloc(&js_callbacks, NULL, c);
    if (c->h == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    /* Several documents in a row are common in exports; comments are not JSON. */
    yajl_config(c->h, yajl_allow_multiple_values, 1);
    yajl_config(c->h, yajl_dont_validate_strings, 0);
    for (;;) {
        const unsigned char *p;
        size_t n;

        st = ps_input_chunk(&in, &p, &n);
        if (st != PS_OK) {
            /* The source failed (I/O, corrupt gzip, a decompression limit). */
            ps_diag_set(diag, "line %llu: %s", (unsigned long long)c->line,
                        ps_input_error(&in) ? ps_input_error(&in) : "read failed");
            goto done;
        }
        if (n == 0)
            break;
        if (first_chunk && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            n -= 3;
            c->fed += 3;
        }
        first_chunk = 0;
        for (size_t k = 0; k < n && !c->nonblank; k++)
            c->nonblank = p[k] != ' ' && p[k] != '\t' && p[k] != '\r' && p[k] != '\n';
        c->chunk = p;
        c->chunk_len = n;
        c->counted = 0;
        ys = yajl_parse(c->h, p, n);
        if (ys == yajl_status_client_canceled) {
            /* A limit is already in c->first; STOP and NOMEM end the file. */
            st = c->stop == PS_ERR_LIMIT ? PS_OK : c->stop;
            goto done;
        }
        if (ys != yajl_status_ok) {
            /* The error offset is where the parser gave up: its line. */
            js_count_to(c, yajl_get_bytes_consumed(c->h));
            ps_diag_first(diag, &c->first, PS_ERR_FORMAT, "line %llu: invalid JSON",
                          (unsigned long long)c->line);
            goto done;
        }
        js_count_to(c, n);
        c->fed += n;
        if (c->fed - c->last_event > js_max_gap(c->max_record)) {
            ps_diag_first(diag, &c->first, PS_ERR_LIMIT,
                          "line %llu: a value longer than %zu bytes; the rest was not read",
                          (unsigned long long)c->line, c->max_record);
            goto done;
        }
    }
    c->chunk = NULL; /* yajl_complete_parse feeds its own buffer */
    if (!c->nonblank)
        goto done; /* no document at all is no error: there is nothing to hide */
    ys = yajl_complete_parse(c->h);
    if (ys == yajl_status_client_canceled)
        st = c->stop == PS_ERR_LIMIT ? PS_OK : c->stop;
    else if (ys != yajl_status_ok)
        ps_diag_first(diag, &c->first, PS_ERR_FORMAT,
                      "line %llu: invalid JSON (the data ends inside a value)",
                      (unsigned long long)c->line);
done:
    if (c->h != NULL)
        yajl_free(c->h);
    ps_input_free(&in);
    ps_buf_free(&c->ptr);
    if (st == PS_ERR_NOMEM && c->first == PS_OK)
        ps_diag_set(diag, "line %llu: out of memory", (unsigned long long)c->line);
    if (st == PS_OK)
        st = c->first;
    free(c);
    return st;
}

const ps_reader ps_reader_json = { "json", PS_FMT_JSON, read_json };

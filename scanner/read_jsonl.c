/*
 * read_jsonl.c - JSON Lines: one JSON value per line, one record per leaf.
 *
 * jsmn tokenizes a line into a flat array (no allocation of its own, and we
 * can grow the array and resume); the tree is then walked iteratively with
 * an explicit, bounded stack, so hostile nesting costs a PS_ERR_LIMIT and
 * never the C stack.  JSMN_PARENT_LINKS makes closing a container O(depth)
 * instead of a scan back over every token, which keeps long arrays linear.
 *
 * Each line is walked twice: once to check its shape (so an invalid line
 * emits nothing) and once to emit.  The second pass decodes strings into
 * scratch buffers reused across records: no allocation per record.
 *
 * Most lines are one object of strings and primitives, and those are split
 * in one pass without jsmn (jl_flat), reusing what the line before had in
 * the same places: its keys' pointers and field ids.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "input.h"
#include "read.h"
#include "util.h"

#define JL_MAX_DEPTH 256
#define JL_MAX_TOKENS (1u << 20)
#define JL_FIRST_TOKENS 256u
#define JL_FLAT_MAX 64 /* members of a line split by jl_flat */

typedef struct jl_frame {
    size_t remaining; /* children (or key/value pairs) still to visit */
    size_t index;     /* next array index */
    size_t base;      /* pointer length of the container itself */
    int is_object;
} jl_frame;

/*
 * One member of the last flat line (see jl_flat), by its place in the line.
 * Chat logs and exports repeat the same keys in the same order on every
 * line, mostly with the same bytes between them.  Where a line has the same
 * separator at the same place, it holds the same key, with the same
 * pointer and, from ps_field_id, the same id: remembering them saves
 * parsing the separator, building the pointer and looking up its id.
 */
typedef struct jl_key {
    size_t sep, sep_len; /* the member's separator, in jl_ctx.shape */
    size_t key, key_len; /* the key's JSON body, within the separator */
    size_t ptr, ptr_len; /* its pointer, NUL-terminated, in jl_ctx.shape */
    uint32_t id;
    int numbered;        /* id is set (once a leaf was emitted under it, as jl_walk numbers) */
} jl_key;

typedef struct jl_ctx {
    const ps_source *src;
    ps_record_fn fn;
    void *ud;
    jsmntok_t *tok;
    size_t tok_cap;
    ps_buf ptr; /* the JSON pointer of the current leaf */
    ps_buf key; /* a decoded object key */
    ps_buf val; /* a decoded string value */
    ps_record rec;      /* what the leaves of a line share; jl_emit sets the rest */
    ps_field_ids *fids; /* numbers the pointers (read.h) */
    size_t leaf_k;      /* leaves emitted so far on this line */
    ps_buf shape;       /* the bytes of shape_key[] */
    jl_key shape_key[JL_FLAT_MAX];
    size_t nshape;      /* places of shape_key[] that hold a key */
    jl_frame stack[JL_MAX_DEPTH];
} jl_ctx;

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * The length of the JSON number, true, false or null that s[0..n) starts
 * with, or 0 (jsmn does not check primitives).  Greedy, so the flat path
 * can find where a primitive ends and check it in one pass.
 */
static size_t primitive_len(const char *s, size_t n)
{
    size_t i = 0;

    if (n >= 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0))
        return 4;
    if (n >= 5 && memcmp(s, "false", 5) == 0)
        return 5;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || !is_digit(s[i]))
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && is_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        if (++i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i;
}

/* Is s[0..n) a JSON number, true, false or null? */
static int primitive_ok(const char *s, size_t n)
{
    return n > 0 && primitive_len(s, n) == n;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        int d = ps_hex_digit((unsigned char)s[i]);

        if (d < 0)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

static ps_status put_utf8(ps_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return ps_buf_append(b, u, n);
}

/*
 * The offset of the first '"', backslash or raw control byte in s[i..n),
 * or n.  On a JSON string body (between its quotes) any '"' is escaped, so
 * this is where the body stops being plain: n means it has nothing to
 * decode and can be handed out where it lies.  jl_flat_string uses it on
 * the rest of the line after an opening quote, to find where the string
 * ends and whether it is plain.  String bodies are most of a line, so its
 * callers go on from where it stopped instead of looking at a string
 * again.  The set is built here, from constants, so that the compiler
 * folds it: nothing is spent on it per call.
 */
PS_STOPS_INLINE size_t jl_plain_end(const char *s, size_t i, size_t n)
{
    ps_stops stops;

    ps_stops_init(&stops, (const unsigned char *)"\"\\", 2);
    return ps_span_until(&stops, 2, 0x20, (const unsigned char *)s, i, n);
}

/*
 * Decode the JSON string body s[0..n) (between the quotes) into out.
 * Returns PS_ERR_FORMAT for a bad escape, a lone surrogate or a raw control
 * character, PS_ERR_LIMIT when out's maximum is hit.
 */
static ps_status json_unescape(const char *s, size_t n, ps_buf *out)
{
    size_t i = 0, run = 0;
    ps_status st;

    ps_buf_reset(out);
    while (i < n) {
        unsigned char c;
        uint32_t cp, lo;
        char e;

        i = jl_plain_end(s, i, n);
        if (i == n)
            break;
        c = (unsigned char)s[i];
        if (c == '"') {
            i++; /* only ever escaped in a body, but taken as it is if not */
            continue;
        }
        st = ps_buf_append(out, s + run, i - run);
        if (st != PS_OK)
            return st;
        if (c != '\\' || i + 1 >= n)
            return PS_ERR_FORMAT;
        e = s[i + 1];
        i += 2;
        switch (e) {
        case '"': case '\\': case '/':
            st = ps_buf_putc(out, e);
            break;
        case 'b': st = ps_buf_putc(out, '\b'); break;
        case 'f': st = ps_buf_putc(out, '\f'); break;
        case 'n': st = ps_buf_putc(out, '\n'); break;
        case 'r': st = ps_buf_putc(out, '\r'); break;
        case 't': st = ps_buf_putc(out, '\t'); break;
        case 'u':
            if (i + 4 > n || hex4(s + i, &cp) != 0)
                return PS_ERR_FORMAT;
            i += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return PS_ERR_FORMAT;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' ||
                    hex4(s + i + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return PS_ERR_FORMAT;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            st = put_utf8(out, cp);
            break;
        default:
            return PS_ERR_FORMAT;
        }
        if (st != PS_OK)
            return st;
        run = i;
    }
    return ps_buf_append(out, s + run, n - run);
}

/* Append "/" + key with RFC 6901 escaping ("~" -> "~0", "/" -> "~1"). */
static ps_status pointer_push_key(ps_buf *ptr, const char *k, size_t n)
{
    ps_status st = ps_buf_putc(ptr, '/');
    size_t run = 0;

    for (size_t i = 0; i < n && st == PS_OK; i++) {
        if (k[i] != '~' && k[i] != '/')
            continue;
        st = ps_buf_append(ptr, k + run, i - run);
        if (st == PS_OK)
            st = ps_buf_append(ptr, k[i] == '~' ? "~0" : "~1", 2);
        run = i + 1;
    }
    if (st == PS_OK)
        st = ps_buf_append(ptr, k + run, n - run);
    return st;
}

/*
 * Add the object key whose JSON body is k[0..n) to the pointer in ptr.  A
 * key without escapes is its own decoding, so it goes straight in, without
 * the round through c->key that escaped keys take.
 */
static ps_status jl_push_key(jl_ctx *c, ps_buf *ptr, const char *k, size_t n)
{
    ps_status st;
    size_t i = 0;

    /* Nearly every key: nothing to decode and nothing to escape, one pass. */
    while (i < n && k[i] != '\\' && (unsigned char)k[i] >= 0x20 && k[i] != '~' && k[i] != '/')
        i++;
    if (i == n)
        return ps_buf_append_sep(ptr, '/', k, n);
    if (jl_plain_end(k, 0, n) == n)
        return pointer_push_key(ptr, k, n);
    st = json_unescape(k, n, &c->key);
    if (st != PS_OK)
        return st;
    return pointer_push_key(ptr, ps_buf_cstr(&c->key), c->key.len);
}

/* Append "/" + an array index. */
static ps_status jl_push_index(ps_buf *ptr, size_t index)
{
    char d[24]; /* '/' and the up to 20 digits of a 64-bit index */
    char *at = ps_u64_text((uint64_t)index, d + sizeof(d));

    *--at = '/';
    return ps_buf_append(ptr, at, (size_t)(d + sizeof(d) - at));
}

/* Hand the leaf value v[0..n) at pointer field to the callback. */
static ps_status jl_emit(jl_ctx *c, const char *field, size_t field_len, uint32_t id,
                         const char *v, size_t n)
{
    c->rec.field = field;
    c->rec.field_len = field_len;
    c->rec.loc.pointer = field;
    c->rec.field_id = id;
    c->rec.value = v;
    c->rec.value_len = n;
    return c->fn(c->ud, &c->rec) != 0 ? PS_ERR_STOP : PS_OK;
}

/* Decode the string body s[0..n) into c->val, which *v and *vn then name. */
static ps_status jl_decode_value(jl_ctx *c, const char *s, size_t n, const char **v, size_t *vn)
{
    ps_status st = json_unescape(s, n, &c->val);

    *v = ps_buf_cstr(&c->val);
    *vn = c->val.len;
    return st;
}

/* Emit the leaf t (string or primitive) under the current pointer. */
static ps_status jl_emit_leaf(jl_ctx *c, const char *js, const jsmntok_t *t)
{
    const char *s = js + t->start, *field;
    size_t n = (size_t)(t->end - t->start);
    ps_status st;

    if (t->type == JSMN_STRING) {
        /* Only escapes go through c->val; the rest is lent where it lies (read.h allows it). */
        if (jl_plain_end(s, 0, n) != n) {
            st = jl_decode_value(c, s, n, &s, &n);
            if (st != PS_OK)
                return st;
        }
    } else if (n == 4 && memcmp(s, "null", 4) == 0) {
        return PS_OK; /* no data, nothing to report */
    }
    field = ps_buf_cstr(&c->ptr);
    return jl_emit(c, field, c->ptr.len, ps_field_id(c->fids, c->leaf_k++, field, c->ptr.len),
                   s, n);
}

/* Is t a well-formed leaf (in a value position)? */
static int leaf_ok(const char *js, const jsmntok_t *t)
{
    if (t->size != 0 || t->start < 0 || t->end < t->start)
        return 0;
    if (t->type == JSMN_PRIMITIVE)
        return primitive_ok(js + t->start, (size_t)(t->end - t->start));
    return t->type == JSMN_STRING;
}

/*
 * Walk the ntok tokens of one line.  With emit == 0 only the shape is
 * checked (PS_ERR_FORMAT, or PS_ERR_LIMIT for depth); with emit != 0 leaves
 * are decoded and handed to the callback (PS_ERR_FORMAT for a bad string
 * escape, PS_ERR_STOP when the callback stops).
 */
static ps_status jl_walk(jl_ctx *c, const char *js, size_t len, size_t ntok,
                         int emit)
{
    const jsmntok_t *t = c->tok;
    size_t i = 1, depth = 0, root_end;
    ps_status st;

    ps_buf_reset(&c->ptr);
    if (ntok == 0 || t[0].start < 0 || t[0].end < t[0].start)
        return PS_ERR_FORMAT;
    /* Exactly one value on the line: only whitespace after the root. */
    root_end = (size_t)t[0].end + (t[0].type == JSMN_STRING ? 1 : 0);
    for (size_t k = root_end; k < len && !emit; k++) {
        if (!is_ws(js[k]))
            return PS_ERR_FORMAT;
    }
    if (t[0].type == JSMN_STRING || t[0].type == JSMN_PRIMITIVE) {
        if (!leaf_ok(js, &t[0]))
            return PS_ERR_FORMAT;
        st = emit ? jl_emit_leaf(c, js, &t[0]) : PS_OK;
        return st == PS_OK && ntok != 1 ? PS_ERR_FORMAT : st;
    }
    c->stack[0] = (jl_frame){ (size_t)t[0].size, 0, 0, t[0].type == JSMN_OBJECT };
    depth = 1;
    while (depth > 0) {
        jl_frame *f = &c->stack[depth - 1];
        const jsmntok_t *v;

        if (f->remaining == 0) {
            depth--;
            continue;
        }
        f->remaining--;
        if (emit)
            c->ptr.len = f->base;
        if (f->is_object) {
            const jsmntok_t *k;

            if (i >= ntok)
                return PS_ERR_FORMAT;
            k = &t[i++];
            if (k->type != JSMN_STRING || k->size != 1)
                return PS_ERR_FORMAT;
            if (emit) {
                st = jl_push_key(c, &c->ptr, js + k->start, (size_t)(k->end - k->start));
                if (st != PS_OK)
                    return st;
            }
        } else if (emit) {
            st = jl_push_index(&c->ptr, f->index);
            if (st != PS_OK)
                return st;
        }
        f->index++;
        if (i >= ntok)
            return PS_ERR_FORMAT;
        v = &t[i++];
        if (v->type == JSMN_OBJECT || v->type == JSMN_ARRAY) {
            if (depth >= JL_MAX_DEPTH)
                return PS_ERR_LIMIT;
            c->stack[depth++] = (jl_frame){ (size_t)v->size, 0, c->ptr.len,
                                            v->type == JSMN_OBJECT };
            continue;
        }
        /* The checking pass has seen every leaf; the emitting one trusts it. */
        if (!emit && !leaf_ok(js, v))
            return PS_ERR_FORMAT;
        if (emit) {
            /* ps_buf keeps data NUL-terminated only on append; truncation needs it too. */
            c->ptr.data[c->ptr.len] = '\0';
            st = jl_emit_leaf(c, js, v);
            if (st != PS_OK)
                return st;
        }
    }
    return i == ntok ? PS_OK : PS_ERR_FORMAT;
}

/*
 * A flat line: one object of at most JL_FLAT_MAX members, each a key and a
 * string or valid primitive value, with nothing but whitespace around.
 * That is nearly every line of a chat log or an export, and such a line is
 * split here in one pass: jsmn's token array and the two walks cost more
 * than the members themselves.  jl_flat returns 1 and fills m[] when the
 * line has that shape; 0 sends it down the general path, which then also
 * decides whether it is valid at all.  The records are the general path's:
 * the same pointers, ids and leaves, in the same order (test_readers
 * compares).
 *
 * A member's separator is what lies between the end of the value before it
 * (or the line's opening brace) and the start of its own value: the comma,
 * the key in quotes, the colon, the opening quote of a string value, and
 * any whitespace between.  The same bytes parse the same way, so a
 * separator that is the one at its place on the last flat line is taken
 * whole.
 */
typedef enum jl_kind { JL_PLAIN, JL_ESCAPED, JL_PRIMITIVE, JL_NULL } jl_kind;

typedef struct jl_member {
    const char *sep;   /* the separator, in the line */
    size_t sep_len;
    const char *key;   /* the key's JSON body (between its quotes), within sep */
    size_t key_len;
    const char *val;   /* a string's body, or the primitive */
    size_t val_len;
    jl_kind kind;
    int known;         /* sep is the one at its place on the last flat line */
} jl_member;

static size_t jl_skip_ws(const char *js, size_t i, size_t len)
{
    while (i < len && is_ws(js[i]))
        i++;
    return i;
}

/*
 * jl_flat_string from js[i], the first byte of the body that is not plain.
 * Escapes are stepped over and raw control bytes passed, and the scan goes
 * on from after them; decoding (and refusing a lone surrogate or a control
 * byte) comes when the member is emitted, on this path as on the general
 * one.
 */
static size_t jl_flat_escaped(const char *js, size_t i, size_t len)
{
    for (;;) {
        uint32_t cp;

        if (i >= len || js[i] == '\0')
            return 0;
        if (js[i] == '"')
            return i;
        if (js[i] != '\\') {
            i++;
        } else if (i + 1 >= len) {
            return 0;
        } else if (js[i + 1] == 'u') {
            if (len - i - 1 <= 4 || hex4(js + i + 2, &cp) != 0)
                return 0;
            i += 6;
        } else if (js[i + 1] != '\0' && strchr("\"/\\bfrnt", js[i + 1]) != NULL) {
            i += 2;
        } else {
            return 0;
        }
        i = jl_plain_end(js, i, len);
    }
}

/*
 * The string body starting at js[i] (after its quote): the offset of its
 * closing quote, or 0 when the string is not one jsmn would take as it is
 * (a NUL, an escape jsmn refuses, no end).  *plain says it has nothing to
 * decode.  Inline: nearly every string is plain, and one call to
 * jl_plain_end finds its end.
 */
PS_STOPS_INLINE size_t jl_flat_string(const char *js, size_t i, size_t len, int *plain)
{
    i = jl_plain_end(js, i, len);
    *plain = i < len && js[i] == '"';
    return *plain ? i : jl_flat_escaped(js, i, len);
}

/*
 * Does the separator at place k of the last flat line start at js[i], and
 * end where parsing it here would?  That is not so when it comes before a
 * primitive and this line has whitespace or a string in its place.
 */
static int jl_known_sep(const jl_ctx *c, size_t k, const char *js, size_t len, size_t i)
{
    const jl_key *e = &c->shape_key[k];
    size_t v;

    if (k >= c->nshape || e->sep_len > len - i ||
        !ps_same_bytes(c->shape.data + e->sep, js + i, e->sep_len))
        return 0;
    v = i + e->sep_len;
    return js[v - 1] == '"' || (v < len && js[v] != '"' && !is_ws(js[v]));
}

/*
 * The separator of member k at js[i], which starts with the '{' for the
 * first member and with whitespace or the ',' for the others: where its
 * value starts, with *e filled, or 0 when there is no such member.  When
 * the object ends there instead, *closed is set and the offset after its
 * '}' returned.  e is m + k, and past the end of m[] when k is
 * JL_FLAT_MAX: then it is not written.
 */
static size_t jl_flat_sep(const jl_ctx *c, const char *js, size_t len, size_t i, size_t k,
                          jl_member *e, int *closed)
{
    const jl_key *known = c->shape_key + k;
    size_t start = i, q;
    int plain;

    if (jl_known_sep(c, k, js, len, i)) {
        e->sep = js + i;
        e->sep_len = known->sep_len;
        e->key = js + i + known->key;
        e->key_len = known->key_len;
        e->known = 1;
        return i + known->sep_len;
    }
    if (k > 0) {
        i = jl_skip_ws(js, i, len);
        if (i < len && js[i] == '}') {
            *closed = 1;
            return i + 1;
        }
        if (i >= len || js[i] != ',')
            return 0;
    }
    i = jl_skip_ws(js, i + 1, len);
    if (k == JL_FLAT_MAX || i >= len || js[i] != '"')
        return 0;
    q = jl_flat_string(js, i + 1, len, &plain);
    if (q == 0)
        return 0;
    e->sep = js + start;
    e->known = 0;
    e->key = js + i + 1;
    e->key_len = q - i - 1;
    i = jl_skip_ws(js, q + 1, len);
    if (i >= len || js[i] != ':')
        return 0;
    i = jl_skip_ws(js, i + 1, len);
    if (i < len && js[i] == '"')
        i++;
    e->sep_len = (size_t)(js + i - e->sep);
    return i < len ? i : 0;
}

static int jl_flat(const jl_ctx *c, const char *js, size_t len, size_t i, jl_member *m,
                   size_t *n)
{
    int closed = 0;

    *n = 0;
    /* jl_tokenize refuses such a line; this path must not take it either. */
    if (len > INT_MAX || i >= len || js[i] != '{')
        return 0;
    for (;;) {
        jl_member *e = &m[*n];
        size_t v;
        int plain;

        i = jl_flat_sep(c, js, len, i, *n, e, &closed);
        if (closed)
            return jl_skip_ws(js, i, len) == len;
        if (i == 0)
            return 0;
        v = i;
        if (js[v - 1] == '"') {
            i = jl_flat_string(js, v, len, &plain);
            if (i == 0)
                return 0;
            e->kind = plain ? JL_PLAIN : JL_ESCAPED;
            e->val_len = i - v;
            i++;
        } else {
            i = v + primitive_len(js + v, len - v);
            if (i == v || (i < len && !is_ws(js[i]) && js[i] != ',' && js[i] != '}'))
                return 0;
            e->val_len = i - v;
            e->kind = e->val_len == 4 && memcmp(js + v, "null", 4) == 0 ? JL_NULL : JL_PRIMITIVE;
        }
        e->val = js + v;
        (*n)++;
    }
}

/*
 * The pointer of member k of a flat line, in c->shape_key[k]: kept from
 * the last flat line when jl_flat found the same separator there (and no
 * different one before it since dropped it), else made as jl_walk makes
 * it.  A different separator drops the places after it too, as their bytes
 * follow its own in c->shape.
 */
static ps_status jl_shape_key(jl_ctx *c, size_t k, const jl_member *m)
{
    jl_key *e = &c->shape_key[k];
    ps_status st;

    if (k < c->nshape && m->known)
        return PS_OK;
    c->nshape = k;
    c->shape.len = k > 0 ? e[-1].ptr + e[-1].ptr_len + 1 : 0;
    e->sep = c->shape.len;
    e->sep_len = m->sep_len;
    e->key = (size_t)(m->key - m->sep);
    e->key_len = m->key_len;
    st = ps_buf_append(&c->shape, m->sep, m->sep_len);
    e->ptr = c->shape.len;
    if (st == PS_OK)
        st = jl_push_key(c, &c->shape, m->key, m->key_len);
    e->ptr_len = c->shape.len - e->ptr;
    /* The NUL ends the pointer for loc.pointer; the next separator goes after it. */
    if (st == PS_OK)
        st = ps_buf_append(&c->shape, "", 1);
    if (st != PS_OK)
        return st;
    e->numbered = 0;
    c->nshape = k + 1;
    return PS_OK;
}

/* Emit the n members of a flat line, as jl_walk would. */
static ps_status jl_emit_flat(jl_ctx *c, const jl_member *m, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const char *v = m[k].val;
        size_t vn = m[k].val_len;
        jl_key *e = &c->shape_key[k];
        ps_status st;

        /* A null has no leaf and so no id, but its key must decode as any other. */
        st = jl_shape_key(c, k, &m[k]);
        if (st == PS_OK && m[k].kind == JL_NULL)
            continue;
        if (st == PS_OK && m[k].kind == JL_ESCAPED)
            st = jl_decode_value(c, v, vn, &v, &vn);
        if (st != PS_OK)
            return st;
        /* Numbered only now, past every error: ids go to names in the order jl_walk gives them. */
        if (!e->numbered) {
            e->id = ps_field_id(c->fids, c->leaf_k, c->shape.data + e->ptr, e->ptr_len);
            e->numbered = 1;
        }
        c->leaf_k++;
        st = jl_emit(c, c->shape.data + e->ptr, e->ptr_len, e->id, v, vn);
        if (st != PS_OK)
            return st;
    }
    return PS_OK;
}

/*
 * Is the line nested deeper than JL_MAX_DEPTH?  A cheap look at the
 * brackets outside strings, before jsmn sees the line: jsmn's cost grows
 * with the square of the nesting, so a 100,000-deep line would take many
 * seconds to tokenize only to be refused by jl_walk afterwards.  Brackets
 * are counted as jl_walk counts containers (the root is level 1), so the
 * two agree on where the limit lies; anything malformed is left to jsmn.
 */
static int jl_too_deep(const char *js, size_t len)
{
    size_t depth = 0;
    int in_str = 0;

    /* Each level takes a bracket: a line this short cannot pass the limit. */
    if (len <= JL_MAX_DEPTH)
        return 0;
    for (size_t k = 0; k < len; k++) {
        char ch = js[k];

        if (in_str) {
            if (ch == '\\')
                k++; /* the escaped character cannot end the string */
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > JL_MAX_DEPTH)
                return 1;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

/* Tokenize one line into c->tok, growing it up to JL_MAX_TOKENS. */
static ps_status jl_tokenize(jl_ctx *c, const char *js, size_t len,
                             size_t *ntok)
{
    jsmn_parser p;
    int r;

    *ntok = 0;
    if (len > INT_MAX)
        return PS_ERR_LIMIT;
    jsmn_init(&p);
    for (;;) {
        r = jsmn_parse(&p, js, len, c->tok, (unsigned)c->tok_cap);
        if (r != JSMN_ERROR_NOMEM)
            break;
        if (c->tok_cap >= JL_MAX_TOKENS)
            return PS_ERR_LIMIT;
        /* jsmn resumes where it stopped once it is given more tokens. */
        if (ps_grow(&c->tok, &c->tok_cap, c->tok_cap * 2, sizeof(jsmntok_t)) != PS_OK)
            return PS_ERR_NOMEM;
        if (c->tok_cap > JL_MAX_TOKENS)
            c->tok_cap = JL_MAX_TOKENS;
    }
    if (r < 0)
        return PS_ERR_FORMAT;
    *ntok = p.toknext;
    return PS_OK;
}

/* Record the first error of the file; later ones only change nothing. */
static void jl_note(ps_status *first, ps_diag *diag, ps_status st,
                    uint64_t line, size_t max_record)
{
    if (*first != PS_OK)
        return;
    *first = st;
    switch (st) {
    case PS_ERR_LIMIT:
        ps_diag_set(diag, "line %llu: exceeds a limit (%zu bytes, %u tokens or %d levels of nesting)",
                    (unsigned long long)line, max_record, JL_MAX_TOKENS,
                    JL_MAX_DEPTH);
        break;
    case PS_ERR_NOMEM:
        ps_diag_set(diag, "line %llu: out of memory", (unsigned long long)line);
        break;
    default:
        ps_diag_set(diag, "line %llu: invalid JSON", (unsigned long long)line);
        break;
    }
}

static ps_status read_jsonl(const ps_source *src, ps_record_fn fn, void *ud,
                            ps_diag *diag)
{
    jl_ctx *c;
    ps_input in;
    ps_status st, first = PS_OK;
    size_t scratch_max = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;

    memset(&in, 0, sizeof(in));
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return PS_ERR_NOMEM;
    c->src = src;
    c->fn = fn;
    c->ud = ud;
    ps_buf_init(&c->val, scratch_max);
    ps_buf_init(&c->key, scratch_max);
    ps_buf_init(&c->ptr, scratch_max < SIZE_MAX / 4 ? scratch_max * 2 + 64 : scratch_max);
    /* Per member of a line: its separator, its pointer (1 + at most twice the key), a NUL. */
    ps_buf_init(&c->shape, scratch_max < SIZE_MAX / 8 ? scratch_max * 4 + 2 * JL_FLAT_MAX
                                                      : scratch_max);
    c->rec.loc.kind = PS_LOC_LINE;
    st = ps_grow(&c->tok, &c->tok_cap, JL_FIRST_TOKENS, sizeof(jsmntok_t));
    c->fids = ps_field_ids_new();
    if (st == PS_OK && c->fids == NULL)
        st = PS_ERR_NOMEM;
    if (st == PS_OK)
        st = ps_input_open(&in, src);
    if (st != PS_OK)
        goto done;
    for (;;) {
        jl_member m[JL_FLAT_MAX];
        const char *line;
        size_t len, ntok, k = 0, nflat;

        st = ps_input_line(&in, &line, &len);
        if (st == PS_ERR_STOP) {
            st = PS_OK;
            break;
        }
        if (st == PS_ERR_LIMIT && ps_input_error(&in) == NULL) {
            jl_note(&first, diag, st, in.line_no, scratch_max);
            continue;
        }
        if (st != PS_OK) {
            /* The source failed (I/O, corrupt gzip, a decompression limit). */
            ps_diag_set(diag, "line %llu: %s", (unsigned long long)in.line_no + 1,
                        ps_input_error(&in) ? ps_input_error(&in) : "read failed");
            goto done;
        }
        while (k < len && is_ws(line[k]))
            k++;
        if (k == len)
            continue;
        c->rec.loc.line = in.line_no;
        c->leaf_k = 0;
        if (jl_flat(c, line, len, k, m, &nflat)) {
            st = jl_emit_flat(c, m, nflat);
        } else {
            st = jl_too_deep(line + k, len - k) ? PS_ERR_LIMIT
                                                 : jl_tokenize(c, line, len, &ntok);
            if (st == PS_OK)
                st = jl_walk(c, line, len, ntok, 0);
            if (st == PS_OK)
                st = jl_walk(c, line, len, ntok, 1);
        }
        if (st == PS_ERR_STOP || st == PS_ERR_NOMEM)
            goto done;
        if (st != PS_OK)
            jl_note(&first, diag, st, in.line_no, scratch_max);
    }
done:
    if (st == PS_ERR_NOMEM)
        jl_note(&first, diag, st, in.line_no, scratch_max);
    ps_input_free(&in);
    ps_buf_free(&c->val);
    ps_buf_free(&c->key);
    ps_buf_free(&c->ptr);
    ps_buf_free(&c->shape);
    ps_field_ids_free(c->fids);
    free(c->tok);
    free(c);
    if (st == PS_OK)
        st = first;
    return st;
}

const ps_reader ps_reader_jsonl = { "jsonl", PS_FMT_JSONL, read_jsonl };

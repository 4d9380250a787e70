/*
 * yamltree.c - libyaml events into a tree of nodes (see yamltree.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util.h"
#include "yamltree.h"

void ps_ytree_free(ps_ytree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->nodes[i].str);
        free(t->nodes[i].kids);
    }
    free(t->nodes);
    t->nodes = NULL;
    t->n = t->cap = 0;
    t->root = PS_YNONE;
}

const char *ps_ytree_type_name(ps_ytype type)
{
    switch (type) {
    case PS_Y_SCALAR: return "scalar";
    case PS_Y_SEQ: return "sequence";
    case PS_Y_MAP: return "mapping";
    }
    return "node";
}

const char *ps_ytree_quote(const char *s, size_t len, char *out)
{
    size_t k = 0;

    for (size_t i = 0; i < len && k < PS_YQUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (len > PS_YQUOTE_MAX) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

const char *ps_ytree_join_names(char *dst, size_t cap, const char *const *names, size_t n)
{
    size_t k = 0;

    dst[0] = '\0';
    for (size_t i = 0; i < n && k < cap; i++) {
        int w = snprintf(dst + k, cap - k, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        k += (size_t)w;
    }
    return dst;
}

ps_status ps_ytree_vfail_at(ps_ytree *t, unsigned long line, unsigned long col,
                            const char *fmt, va_list ap)
{
    char msg[sizeof(((ps_diag *)0)->msg)];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    ps_diag_at(t->diag, t->file, line, col, "%s", msg);
    return PS_ERR_RULE;
}

ps_status ps_ytree_fail_at(ps_ytree *t, unsigned long line, unsigned long col,
                           const char *fmt, ...)
{
    va_list ap;
    ps_status st;

    va_start(ap, fmt);
    st = ps_ytree_vfail_at(t, line, col, fmt, ap);
    va_end(ap);
    return st;
}

ps_status ps_ytree_fail(ps_ytree *t, uint32_t ni, const char *fmt, ...)
{
    va_list ap;
    ps_status st;

    va_start(ap, fmt);
    st = ps_ytree_vfail_at(t, ps_ytree_node(t, ni)->line, ps_ytree_node(t, ni)->col, fmt, ap);
    va_end(ap);
    return st;
}

ps_status ps_ytree_want(ps_ytree *t, uint32_t ni, ps_ytype type, const char *ctx)
{
    if (ps_ytree_node(t, ni)->type == type)
        return PS_OK;
    return ps_ytree_fail(t, ni, "expected a %s %s, found a %s", ps_ytree_type_name(type), ctx,
                         ps_ytree_type_name(ps_ytree_node(t, ni)->type));
}

ps_status ps_ytree_map_keys(ps_ytree *t, uint32_t ni, const char *const *keys, size_t nkeys,
                            uint32_t *vals)
{
    const ps_ynode *m = ps_ytree_node(t, ni);

    for (size_t i = 0; i < nkeys; i++)
        vals[i] = PS_YNONE;
    for (size_t k = 0; k + 1 < m->nkids; k += 2) {
        const ps_ynode *key = ps_ytree_node(t, m->kids[k]);
        char q[PS_YQUOTE_MAX + 4], list[256];
        size_t i;

        for (i = 0; i < nkeys; i++) {
            if (key->len == strlen(keys[i]) && memcmp(key->str, keys[i], key->len) == 0)
                break;
        }
        if (i == nkeys)
            return ps_ytree_fail(t, m->kids[k], "unknown key '%s' (expected one of: %s)",
                                 ps_ytree_quote(key->str, key->len, q),
                                 ps_ytree_join_names(list, sizeof(list), keys, nkeys));
        if (vals[i] != PS_YNONE)
            return ps_ytree_fail(t, m->kids[k], "duplicate key '%s'", keys[i]);
        vals[i] = m->kids[k + 1];
    }
    return PS_OK;
}

ps_status ps_ytree_nomem(ps_ytree *t)
{
    ps_diag_set(t->diag, "%s: out of memory", t->file);
    return PS_ERR_NOMEM;
}

/* Append a node of type type at mark m; *idx receives its index. */
static ps_status node_new(ps_ytree *t, ps_ytype type, const yaml_mark_t *m, uint32_t *idx)
{
    ps_ynode *nd;

    if (t->n >= PS_YNONE || ps_grow(&t->nodes, &t->cap, t->n + 1, sizeof(ps_ynode)) != PS_OK)
        return ps_ytree_nomem(t);
    nd = &t->nodes[t->n];
    memset(nd, 0, sizeof(*nd));
    nd->type = type;
    nd->line = (unsigned)m->line + 1;
    nd->col = (unsigned)m->column + 1;
    *idx = (uint32_t)t->n++;
    return PS_OK;
}

/* Hang node ni under the open collection parent, or make it the root. */
static ps_status node_attach(ps_ytree *t, uint32_t parent, uint32_t ni)
{
    ps_ynode *p;

    if (parent == PS_YNONE) {
        t->root = ni;
        return PS_OK;
    }
    p = ps_ytree_node(t, parent);
    if (p->type == PS_Y_MAP && p->nkids % 2 == 0 && ps_ytree_node(t, ni)->type != PS_Y_SCALAR)
        return ps_ytree_fail_at(t, ps_ytree_node(t, ni)->line, ps_ytree_node(t, ni)->col,
                                "a mapping key must be a scalar, found a %s",
                                ps_ytree_type_name(ps_ytree_node(t, ni)->type));
    if (ps_grow(&p->kids, &p->capkids, p->nkids + 1, sizeof(uint32_t)) != PS_OK)
        return ps_ytree_nomem(t);
    p->kids[p->nkids++] = ni;
    return PS_OK;
}

/* Line and column of a byte offset, for reader errors that carry no mark. */
static void offset_pos(const ps_ytree *t, size_t off, unsigned long *line, unsigned long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < t->len; i++) {
        if (t->data[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static ps_status syntax_error(ps_ytree *t, const yaml_parser_t *p)
{
    const char *problem = p->problem != NULL ? p->problem : "unknown problem";
    unsigned long line, col;

    if (p->error == YAML_MEMORY_ERROR)
        return ps_ytree_nomem(t);
    if (p->error == YAML_READER_ERROR) {
        offset_pos(t, p->problem_offset, &line, &col);
    } else {
        line = (unsigned long)p->problem_mark.line + 1;
        col = (unsigned long)p->problem_mark.column + 1;
    }
    return ps_ytree_fail_at(t, line, col, "YAML syntax error: %s", problem);
}

/* Handle one parser event; stack holds the open collections. */
static ps_status tree_event(ps_ytree *t, const yaml_event_t *ev, uint32_t *stack,
                            size_t *depth, size_t *ndocs)
{
    const yaml_mark_t *m = &ev->start_mark;
    uint32_t parent = *depth ? stack[*depth - 1] : PS_YNONE;
    const yaml_char_t *anchor = NULL;
    uint32_t ni;
    ps_status st;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*ndocs > 1)
            return ps_ytree_fail_at(t, m->line + 1, m->column + 1,
                                    "only one YAML document per file is allowed");
        return PS_OK;
    case YAML_ALIAS_EVENT:
        return ps_ytree_fail_at(t, m->line + 1, m->column + 1, "YAML aliases are not allowed");
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        --*depth;
        return PS_OK;
    default:
        return PS_OK;
    }
    /* Anchors exist only to be aliased; refusing them too stops a bomb early. */
    if (anchor != NULL)
        return ps_ytree_fail_at(t, m->line + 1, m->column + 1, "YAML aliases are not allowed");
    if (ev->type == YAML_SCALAR_EVENT) {
        ps_ynode *nd;

        st = node_new(t, PS_Y_SCALAR, m, &ni);
        if (st != PS_OK)
            return st;
        nd = ps_ytree_node(t, ni);
        nd->str = ps_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (nd->str == NULL)
            return ps_ytree_nomem(t);
        nd->len = ev->data.scalar.length;
        nd->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return node_attach(t, parent, ni);
    }
    if (*depth >= t->max_depth)
        return ps_ytree_fail_at(t, m->line + 1, m->column + 1,
                                "YAML nested deeper than %zu levels", t->max_depth);
    st = node_new(t, ev->type == YAML_MAPPING_START_EVENT ? PS_Y_MAP : PS_Y_SEQ, m, &ni);
    if (st == PS_OK)
        st = node_attach(t, parent, ni);
    if (st == PS_OK)
        stack[(*depth)++] = ni;
    return st;
}

ps_status ps_ytree_build(ps_ytree *t)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    uint32_t stack[PS_YDEPTH_MAX];
    size_t depth = 0, ndocs = 0;
    ps_status st = PS_OK;
    bool done = false;

    t->root = PS_YNONE;
    if (t->max_depth == 0 || t->max_depth > PS_YDEPTH_MAX)
        t->max_depth = PS_YDEPTH_MAX;
    if (!yaml_parser_initialize(&parser))
        return ps_ytree_nomem(t);
    /* libyaml asserts on a NULL input, even of length 0. */
    yaml_parser_set_input_string(&parser, (const unsigned char *)(t->data != NULL ? t->data : ""),
                                 t->data != NULL ? t->len : 0);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            st = syntax_error(t, &parser);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        st = tree_event(t, &ev, stack, &depth, &ndocs);
        yaml_event_delete(&ev);
        if (st != PS_OK)
            break;
    }
    yaml_parser_delete(&parser);
    return st;
}

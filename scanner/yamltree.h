/*
 * yamltree.h - a YAML document as a tree of nodes with line:column, for the
 * two loaders that read YAML (rule packs, rules.c; the config file,
 * config.c).
 *
 * libyaml's event stream is turned into nodes in one pass, with the same
 * refusals for both loaders: anchors and aliases (a billion-laughs bomb is
 * refused at its first anchor), a second document, a non-scalar mapping
 * key, and nesting past a depth the loader sets.  Every error is one line,
 * "file:line:col: message", in the loader's ps_diag.  The schema is the
 * loader's business: this module knows nodes, not rules.
 */
#ifndef PS_YAMLTREE_H
#define PS_YAMLTREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"

#define PS_YNONE UINT32_MAX        /* no node */
#define PS_YDEPTH_MAX 256          /* the most max_depth may be */
#define PS_YQUOTE_MAX 64           /* bytes of a scalar an error message echoes */

typedef enum ps_ytype { PS_Y_SCALAR = 0, PS_Y_SEQ, PS_Y_MAP } ps_ytype;

/*
 * One node.  A mapping's kids alternate key, value; keys are always scalars
 * (enforced while building).  Nodes refer to each other by index, because
 * the array moves while it grows.
 */
typedef struct ps_ynode {
    ps_ytype type;
    unsigned line, col;   /* 1-based */
    char *str;            /* scalar text, NUL-terminated (may hold NULs) */
    size_t len;
    bool plain;           /* unquoted scalar */
    uint32_t *kids;
    size_t nkids, capkids;
} ps_ynode;

/* One document and what its errors need.  The caller sets the first five. */
typedef struct ps_ytree {
    const char *file;     /* as errors name it; borrowed */
    ps_diag *diag;        /* where errors go; borrowed */
    const char *data;     /* the text; borrowed */
    size_t len;
    size_t max_depth;     /* deepest nesting accepted, 1..PS_YDEPTH_MAX */
    ps_ynode *nodes;
    size_t n, cap;
    uint32_t root;        /* PS_YNONE when the stream holds no document */
} ps_ytree;

/*
 * Parse t->data into t's nodes.  Returns PS_OK, PS_ERR_NOMEM, or PS_ERR_RULE
 * with "file:line:col: ..." in t->diag (syntax error, anchor or alias, a
 * second document, a non-scalar key, nesting deeper than t->max_depth).
 */
ps_status ps_ytree_build(ps_ytree *t) PS_WARN_UNUSED;
void ps_ytree_free(ps_ytree *t);

static inline ps_ynode *ps_ytree_node(ps_ytree *t, uint32_t i)
{
    return &t->nodes[i];
}

/* "scalar", "sequence" or "mapping". */
const char *ps_ytree_type_name(ps_ytype type);

/*
 * At most PS_YQUOTE_MAX bytes of s into out (size PS_YQUOTE_MAX + 4),
 * control characters as '?' and a cut marked "...", so an echoed string
 * can neither flood nor break the one-line diagnostic.
 */
const char *ps_ytree_quote(const char *s, size_t len, char *out);

/* Join names as "a, b, c" into dst (always terminated, clipped if long). */
const char *ps_ytree_join_names(char *dst, size_t cap, const char *const *names, size_t n);

/* "file:line:col: message" in t->diag; returns PS_ERR_RULE. */
ps_status ps_ytree_fail_at(ps_ytree *t, unsigned long line, unsigned long col,
                           const char *fmt, ...) PS_PRINTF(4, 5);
ps_status ps_ytree_vfail_at(ps_ytree *t, unsigned long line, unsigned long col,
                            const char *fmt, va_list ap) PS_PRINTF(4, 0);
/* The same at node ni. */
ps_status ps_ytree_fail(ps_ytree *t, uint32_t ni, const char *fmt, ...) PS_PRINTF(3, 4);
/* "file: out of memory" in t->diag; returns PS_ERR_NOMEM. */
ps_status ps_ytree_nomem(ps_ytree *t);

/* Fail unless node ni has type type; ctx reads "for 'rules'" or "at the top level". */
ps_status ps_ytree_want(ps_ytree *t, uint32_t ni, ps_ytype type, const char *ctx);

/*
 * Match the keys of mapping ni against keys[0..nkeys): vals[i] receives the
 * value node of keys[i], or PS_YNONE.  Unknown and repeated keys are errors
 * at the key.
 */
ps_status ps_ytree_map_keys(ps_ytree *t, uint32_t ni, const char *const *keys, size_t nkeys,
                            uint32_t *vals);

#endif /* PS_YAMLTREE_H */

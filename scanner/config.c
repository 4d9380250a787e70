/*
 * config.c - the project config file, .plainsight.yml (API in psconfig.h).
 *
 * As in the rule loader (rules.c), libyaml's event API builds a small tree
 * of our own with a line and column on every node, refusing anchors and
 * aliases the moment they appear (the document API would expand an alias
 * bomb silently), then the tree is checked against the schema.  The tree
 * code is a trimmed copy of rules.c's, which keeps its helpers static.
 *
 * Loading checks everything a file can get wrong on its own; whether the
 * named rules, packs and age thresholds exist is checked by
 * ps_config_apply against the loaded rule set, at the config's locations.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "psconfig.h"
#include "util.h"
#include "yamltree.h"

#define NO_NODE PS_YNONE
/* How deep collections may nest; the schema needs three levels. */
#define YAML_MAX_DEPTH 32
/* How much of a config string an error message quotes. */
#define QUOTE_MAX PS_YQUOTE_MAX

/* --- the YAML tree (yamltree.c) ------------------------------------------ */

/* What one load works with; no globals. */
typedef struct loader {
    ps_config *c;
    ps_diag *diag;
    ps_ytree tree;        /* the document, with the file name, diag and text */
} loader;

static ps_ynode *node_at(loader *ld, uint32_t i)
{
    return ps_ytree_node(&ld->tree, i);
}

/*
 * The tree's error helpers for this loader (yamltree.h): "file:line:col:
 * message" at a node, and running out of memory.
 */
#define fail(ld, ni, ...) ps_ytree_fail(&(ld)->tree, (ni), __VA_ARGS__)
#define nomem(ld) ps_ytree_nomem(&(ld)->tree)
#define want(ld, ni, t, ctx) ps_ytree_want(&(ld)->tree, (ni), (t), (ctx))
#define map_keys(ld, ni, keys, nkeys, vals) \
    ps_ytree_map_keys(&(ld)->tree, (ni), (keys), (nkeys), (vals))

/* --- schema helpers ------------------------------------------------------ */

static ps_srcloc loc_of(loader *ld, uint32_t ni)
{
    ps_srcloc at = { ld->c->file, node_at(ld, ni)->line, node_at(ld, ni)->col };
    return at;
}

/*
 * A YAML null ("key:" with nothing after it, "~", "null"): for the
 * collection keys it means the same as leaving the key out, which is what
 * someone who commented out every entry of a list expects.
 */
static bool is_null(loader *ld, uint32_t ni)
{
    const ps_ynode *nd = node_at(ld, ni);

    return nd->type == PS_Y_SCALAR && nd->plain &&
           (nd->len == 0 || strcmp(nd->str, "~") == 0 || strcmp(nd->str, "null") == 0 ||
            strcmp(nd->str, "Null") == 0 || strcmp(nd->str, "NULL") == 0);
}

/* A non-empty one-line scalar without NULs, for key. */
static ps_status scalar_text(loader *ld, uint32_t ni, const char *key, const char **out)
{
    const ps_ynode *nd = node_at(ld, ni);
    char q[QUOTE_MAX + 4];

    if (nd->type != PS_Y_SCALAR)
        return fail(ld, ni, "expected a string for '%s', found a %s", key, ps_ytree_type_name(nd->type));
    if (nd->len == 0)
        return fail(ld, ni, "'%s' is empty", key);
    if (memchr(nd->str, '\0', nd->len) != NULL || strpbrk(nd->str, "\r\n") != NULL)
        return fail(ld, ni, "'%s' must be one line of text, found '%s'", key,
                    ps_ytree_quote(nd->str, nd->len, q));
    *out = nd->str;
    return PS_OK;
}

/* A mapping key and where it stands, for finding repeated keys by sorting. */
typedef struct keyref {
    const char *str;
    size_t len;
    size_t order;      /* position in the mapping */
    uint32_t node;
} keyref;

static int keyref_cmp(const void *pa, const void *pb)
{
    const keyref *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->str, b->str, n);

    if (c != 0)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * Fail at the first key of mapping mi (in file order) that repeats an
 * earlier one.  Sorting keeps this O(n log n): a 1 MiB file can hold a
 * hundred thousand keys, too many to compare pairwise.
 */
static ps_status no_duplicate_keys(loader *ld, uint32_t mi)
{
    const ps_ynode *m = node_at(ld, mi);
    size_t n = m->nkids / 2, worst = SIZE_MAX;
    uint32_t at = NO_NODE;
    keyref *keys;

    if (n < 2)
        return PS_OK;
    keys = calloc(n, sizeof(keyref));
    if (keys == NULL)
        return nomem(ld);
    for (size_t i = 0; i < n; i++) {
        const ps_ynode *key = node_at(ld, m->kids[2 * i]);

        keys[i].str = key->str;
        keys[i].len = key->len;
        keys[i].order = i;
        keys[i].node = m->kids[2 * i];
    }
    qsort(keys, n, sizeof(keyref), keyref_cmp);
    /* Equal keys sit together in file order: each later one is a repeat. */
    for (size_t i = 1; i < n; i++) {
        if (keys[i].len == keys[i - 1].len &&
            memcmp(keys[i].str, keys[i - 1].str, keys[i].len) == 0 && keys[i].order < worst) {
            worst = keys[i].order;
            at = keys[i].node;
        }
    }
    free(keys);
    if (at != NO_NODE) {
        char q[QUOTE_MAX + 4];

        return fail(ld, at, "duplicate key '%s'",
                    ps_ytree_quote(node_at(ld, at)->str, node_at(ld, at)->len, q));
    }
    return PS_OK;
}

/* --- the sections -------------------------------------------------------- */

/* enable: / disable: a sequence of rule ids or pack names. */
static ps_status parse_names(loader *ld, uint32_t ni, const char *key, bool need_one,
                             char ***names, size_t *n, ps_srcloc **at)
{
    const ps_ynode *seq = node_at(ld, ni);
    char ctx[32];
    ps_status st;

    if (is_null(ld, ni))
        return PS_OK;
    snprintf(ctx, sizeof(ctx), "for '%s'", key);
    if ((st = want(ld, ni, PS_Y_SEQ, ctx)) != PS_OK)
        return st;
    if (seq->nkids == 0 && need_one)
        return fail(ld, ni, "'%s' needs at least one rule or pack (leave it out to run all)",
                    key);
    *names = calloc(seq->nkids + 1, sizeof(char *));
    *at = calloc(seq->nkids + 1, sizeof(ps_srcloc));
    if (*names == NULL || *at == NULL)
        return nomem(ld);
    for (size_t i = 0; i < seq->nkids; i++) {
        uint32_t ki = node_at(ld, ni)->kids[i];
        const char *s;

        if ((st = scalar_text(ld, ki, key, &s)) != PS_OK)
            return st;
        if (((*names)[*n] = ps_strdup(s)) == NULL)
            return nomem(ld);
        (*at)[(*n)++] = loc_of(ld, ki);
    }
    return PS_OK;
}

/* The severity names, most severe first, for messages. */
static const char *severity_list(char *dst, size_t cap, bool with_none)
{
    const char *names[PS_SEV_COUNT + 1];

    for (int i = 0; i < PS_SEV_COUNT; i++)
        names[i] = ps_severity_name((ps_severity)(PS_SEV_COUNT - 1 - i));
    names[PS_SEV_COUNT] = "none";
    return ps_ytree_join_names(dst, cap, names, PS_SEV_COUNT + (with_none ? 1 : 0));
}

/* severity: {RULE-ID: SEVERITY, ...} */
static ps_status parse_severity(loader *ld, uint32_t ni)
{
    ps_config *c = ld->c;
    const ps_ynode *m;
    ps_status st;

    if (is_null(ld, ni))
        return PS_OK;
    if ((st = want(ld, ni, PS_Y_MAP, "for 'severity'")) != PS_OK ||
        (st = no_duplicate_keys(ld, ni)) != PS_OK)
        return st;
    m = node_at(ld, ni);
    c->overrides = calloc(m->nkids / 2 + 1, sizeof(ps_config_override));
    if (c->overrides == NULL)
        return nomem(ld);
    for (size_t k = 0; k + 1 < m->nkids; k += 2) {
        uint32_t ki = node_at(ld, ni)->kids[k], vi = node_at(ld, ni)->kids[k + 1];
        ps_config_override *o = &c->overrides[c->noverrides];
        const char *id, *sev;
        char q[QUOTE_MAX + 4], list[128];

        if ((st = scalar_text(ld, ki, "severity", &id)) != PS_OK ||
            (st = scalar_text(ld, vi, id, &sev)) != PS_OK)
            return st;
        if (ps_severity_parse(sev, &o->severity) != 0)
            return fail(ld, vi, "unknown severity '%s' (expected one of: %s)",
                        ps_ytree_quote(sev, strlen(sev), q), severity_list(list, sizeof(list), false));
        if ((o->rule = ps_strdup(id)) == NULL)
            return nomem(ld);
        o->at = loc_of(ld, ki);
        c->noverrides++;
    }
    return PS_OK;
}

/* rules: {enable, disable, severity} */
static ps_status parse_rules(loader *ld, uint32_t ni)
{
    static const char *const keys[] = { "enable", "disable", "severity" };
    ps_config *c = ld->c;
    uint32_t v[3];
    ps_status st;

    if (is_null(ld, ni))
        return PS_OK;
    if ((st = want(ld, ni, PS_Y_MAP, "for 'rules'")) != PS_OK ||
        (st = map_keys(ld, ni, keys, 3, v)) != PS_OK)
        return st;
    if (v[0] != NO_NODE &&
        (st = parse_names(ld, v[0], "enable", true, &c->enable, &c->nenable,
                          &c->enable_at)) != PS_OK)
        return st;
    if (v[1] != NO_NODE &&
        (st = parse_names(ld, v[1], "disable", false, &c->disable, &c->ndisable,
                          &c->disable_at)) != PS_OK)
        return st;
    if (v[2] != NO_NODE && (st = parse_severity(ld, v[2])) != PS_OK)
        return st;
    return PS_OK;
}

/* exclude: a sequence of gitignore lines. */
static ps_status parse_exclude(loader *ld, uint32_t ni)
{
    ps_config *c = ld->c;
    size_t n;
    ps_status st;

    if (is_null(ld, ni))
        return PS_OK;
    if ((st = want(ld, ni, PS_Y_SEQ, "for 'exclude'")) != PS_OK)
        return st;
    n = node_at(ld, ni)->nkids;
    c->exclude = calloc(n + 1, sizeof(char *));
    c->exclude_line = calloc(n + 1, sizeof(unsigned));
    if (c->exclude == NULL || c->exclude_line == NULL)
        return nomem(ld);
    for (size_t i = 0; i < n; i++) {
        uint32_t ki = node_at(ld, ni)->kids[i];
        const char *s;

        if ((st = scalar_text(ld, ki, "exclude", &s)) != PS_OK)
            return st;
        if ((c->exclude[c->nexclude] = ps_strdup(s)) == NULL)
            return nomem(ld);
        c->exclude_line[c->nexclude++] = node_at(ld, ki)->line;
    }
    return PS_OK;
}

/* fail-on: a severity or "none". */
static ps_status parse_fail_on(loader *ld, uint32_t ni)
{
    ps_config *c = ld->c;
    const char *s;
    char q[QUOTE_MAX + 4], list[128];
    ps_status st = scalar_text(ld, ni, "fail-on", &s);

    if (st != PS_OK)
        return st;
    c->has_fail_on = true;
    if (strcmp(s, "none") == 0) {
        c->fail_never = true;   /* fail_on is then unused */
        return PS_OK;
    }
    if (ps_severity_parse(s, &c->fail_on) != 0)
        return fail(ld, ni, "unknown severity '%s' (expected one of: %s)",
                    ps_ytree_quote(s, strlen(s), q), severity_list(list, sizeof(list), true));
    return PS_OK;
}

/* as-of: YYYY-MM-DD, the same dates --as-of takes. */
static ps_status parse_as_of(loader *ld, uint32_t ni)
{
    ps_config *c = ld->c;
    const char *s;
    int32_t alt;
    char q[QUOTE_MAX + 4];
    ps_status st = scalar_text(ld, ni, "as-of", &s);

    if (st != PS_OK)
        return st;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2 ||
        strspn(s + 8, "0123456789") != 2 ||
        ps_date_parse(s, 10, 0, &c->as_of, &alt) != PS_DATE_OK)
        return fail(ld, ni, "expected a date (YYYY-MM-DD) for 'as-of', found '%s'",
                    ps_ytree_quote(s, strlen(s), q));
    c->has_as_of = true;
    return PS_OK;
}

/* ages: {NAME: YEARS, ...}; whether the packs define NAME is ps_config_apply's check. */
static ps_status parse_ages(loader *ld, uint32_t ni)
{
    ps_config *c = ld->c;
    const ps_ynode *m;
    ps_status st;

    if (is_null(ld, ni))
        return PS_OK;
    if ((st = want(ld, ni, PS_Y_MAP, "for 'ages'")) != PS_OK ||
        (st = no_duplicate_keys(ld, ni)) != PS_OK)
        return st;
    m = node_at(ld, ni);
    c->ages = calloc(m->nkids / 2 + 1, sizeof(ps_age));
    if (c->ages == NULL)
        return nomem(ld);
    for (size_t k = 0; k + 1 < m->nkids; k += 2) {
        uint32_t ki = node_at(ld, ni)->kids[k], vi = node_at(ld, ni)->kids[k + 1];
        ps_age *a = &c->ages[c->nages];
        const char *name, *s;
        uint64_t years;
        char q[QUOTE_MAX + 4], q2[QUOTE_MAX + 4];

        if ((st = scalar_text(ld, ki, "ages", &name)) != PS_OK ||
            (st = scalar_text(ld, vi, name, &s)) != PS_OK)
            return st;
        /* The range the rule loader allows for a threshold. */
        if (ps_parse_u64(s, &years) != 0 || years < 1 || years > 150)
            return fail(ld, vi, "expected a number from 1 to 150 for '%s', found '%s'",
                        ps_ytree_quote(name, strlen(name), q), ps_ytree_quote(s, strlen(s), q2));
        if ((a->name = ps_strdup(name)) == NULL)
            return nomem(ld);
        a->years = (unsigned)years;
        a->at = loc_of(ld, ki);
        c->nages++;
    }
    return PS_OK;
}

static const char *const top_keys[] = { "rules", "exclude", "fail-on", "as-of", "ages" };
enum { T_RULES, T_EXCLUDE, T_FAIL_ON, T_AS_OF, T_AGES, T_NKEYS };

/*
 * The top-level mapping.  An empty file (or one holding only comments) is
 * a valid, empty config.  Sections are read in the order written, so the
 * first mistake in the file is the one reported.
 */
static ps_status parse_top(loader *ld)
{
    uint32_t v[T_NKEYS];
    const ps_ynode *m;
    ps_status st;

    if (ld->tree.root == NO_NODE || is_null(ld, ld->tree.root))
        return PS_OK;
    if ((st = want(ld, ld->tree.root, PS_Y_MAP, "at the top level")) != PS_OK ||
        (st = map_keys(ld, ld->tree.root, top_keys, T_NKEYS, v)) != PS_OK)
        return st;
    m = node_at(ld, ld->tree.root);
    for (size_t k = 0; st == PS_OK && k + 1 < m->nkids; k += 2) {
        uint32_t vi = m->kids[k + 1];

        if (vi == v[T_RULES])
            st = parse_rules(ld, vi);
        else if (vi == v[T_EXCLUDE])
            st = parse_exclude(ld, vi);
        else if (vi == v[T_FAIL_ON])
            st = parse_fail_on(ld, vi);
        else if (vi == v[T_AS_OF])
            st = parse_as_of(ld, vi);
        else if (vi == v[T_AGES])
            st = parse_ages(ld, vi);
    }
    return st;
}

/* --- loading ------------------------------------------------------------- */

void ps_config_free(ps_config *c)
{
    if (c == NULL)
        return;
    free(c->file);
    for (size_t i = 0; i < c->nenable; i++)
        free(c->enable[i]);
    free(c->enable);
    free(c->enable_at);
    for (size_t i = 0; i < c->ndisable; i++)
        free(c->disable[i]);
    free(c->disable);
    free(c->disable_at);
    for (size_t i = 0; i < c->noverrides; i++)
        free(c->overrides[i].rule);
    free(c->overrides);
    for (size_t i = 0; i < c->nexclude; i++)
        free(c->exclude[i]);
    free(c->exclude);
    free(c->exclude_line);
    for (size_t i = 0; i < c->nages; i++)
        free(c->ages[i].name);
    free(c->ages);
    memset(c, 0, sizeof(*c));
}

ps_status ps_config_load_buffer(const char *name, const char *data, size_t len,
                                ps_config *out, ps_diag *diag)
{
    loader ld;
    ps_status st;

    memset(out, 0, sizeof(*out));
    out->file = ps_strdup(name != NULL ? name : "<buffer>");
    if (out->file == NULL) {
        ps_diag_set(diag, "%s: out of memory", name != NULL ? name : "<buffer>");
        return PS_ERR_NOMEM;
    }
    if (len > PS_CONFIG_MAX_FILE) {
        ps_diag_set(diag, "%s: file too large (the limit is 1 MiB)", out->file);
        ps_config_free(out);
        return PS_ERR_RULE;
    }
    memset(&ld, 0, sizeof(ld));
    ld.c = out;
    ld.diag = diag;
    ld.tree.file = out->file;
    ld.tree.diag = diag;
    ld.tree.data = data;
    ld.tree.len = len;
    ld.tree.max_depth = YAML_MAX_DEPTH;
    st = ps_ytree_build(&ld.tree);
    if (st == PS_OK)
        st = parse_top(&ld);
    ps_ytree_free(&ld.tree);
    if (st != PS_OK) {
        /* Keep nothing half-read; the caller may still free it. */
        ps_config_free(out);
    }
    return st;
}

ps_status ps_config_load(const char *path, ps_config *out, ps_diag *diag)
{
    char chunk[16384];
    struct stat sb;
    ps_buf buf;
    ps_status st = PS_OK;
    /* O_NONBLOCK: a FIFO named .plainsight.yml in a scanned tree must not hang us. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    memset(out, 0, sizeof(*out));
    if (fd < 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        return PS_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ps_diag_set(diag, "%s: not a regular file", path);
        close(fd);
        return PS_ERR_IO;
    }
    ps_buf_init(&buf, PS_CONFIG_MAX_FILE);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ps_diag_set(diag, "%s: %s", path, strerror(errno));
            st = PS_ERR_IO;
            break;
        }
        if (n == 0)
            break;
        st = ps_buf_append(&buf, chunk, (size_t)n);
        if (st == PS_ERR_LIMIT) {
            ps_diag_set(diag, "%s: file too large (the limit is 1 MiB)", path);
            st = PS_ERR_RULE;
        } else if (st != PS_OK) {
            ps_diag_set(diag, "%s: out of memory", path);
        }
        if (st != PS_OK)
            break;
    }
    close(fd);
    if (st == PS_OK)
        st = ps_config_load_buffer(path, ps_buf_cstr(&buf), buf.len, out, diag);
    ps_buf_free(&buf);
    return st;
}

/* --- applying to a rule set ---------------------------------------------- */

/* Does rule r answer to name, as its id or its pack? */
static bool rule_named(const ps_rule *r, const char *name)
{
    return (r->id != NULL && strcmp(r->id, name) == 0) ||
           (r->pack != NULL && strcmp(r->pack, name) == 0);
}

static bool any_rule_named(const ps_ruleset *rs, const char *name)
{
    for (size_t i = 0; i < rs->nrules; i++) {
        if (rule_named(&rs->rules[i], name))
            return true;
    }
    return false;
}

static bool in_list(const ps_rule *r, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (rule_named(r, names[i]))
            return true;
    }
    return false;
}

static long age_index(const ps_ruleset *rs, const char *name)
{
    for (size_t i = 0; i < rs->nages; i++) {
        if (strcmp(rs->ages[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

/* "FILE:L:C: message" at a config location; returns PS_ERR_RULE. */
static ps_status apply_fail(ps_diag *diag, const ps_srcloc *at, const char *fmt, ...)
    PS_PRINTF(3, 4);
static ps_status apply_fail(ps_diag *diag, const ps_srcloc *at, const char *fmt, ...)
{
    char msg[sizeof(((ps_diag *)0)->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ps_diag_at(diag, at->file != NULL ? at->file : "<config>", at->line, at->col, "%s", msg);
    return PS_ERR_RULE;
}

/* Every name in c must mean something in rs; nothing is changed here. */
static ps_status apply_check(const ps_config *c, const ps_ruleset *rs, ps_diag *diag)
{
    char q[QUOTE_MAX + 4];

    for (size_t i = 0; i < c->nenable; i++) {
        if (!any_rule_named(rs, c->enable[i]))
            return apply_fail(diag, &c->enable_at[i], "no rule or pack named '%s'",
                              ps_ytree_quote(c->enable[i], strlen(c->enable[i]), q));
    }
    for (size_t i = 0; i < c->ndisable; i++) {
        if (!any_rule_named(rs, c->disable[i]))
            return apply_fail(diag, &c->disable_at[i], "no rule or pack named '%s'",
                              ps_ytree_quote(c->disable[i], strlen(c->disable[i]), q));
    }
    for (size_t i = 0; i < c->noverrides; i++) {
        const ps_config_override *o = &c->overrides[i];

        if (ps_ruleset_find(rs, o->rule) < 0)
            return apply_fail(diag, &o->at, "no rule named '%s'",
                              ps_ytree_quote(o->rule, strlen(o->rule), q));
    }
    for (size_t i = 0; i < c->nages; i++) {
        const char *names[64];
        char list[256];
        size_t n = 0;

        if (age_index(rs, c->ages[i].name) >= 0)
            continue;
        for (size_t k = 0; k < rs->nages && n < sizeof(names) / sizeof(names[0]); k++)
            names[n++] = rs->ages[k].name;
        return apply_fail(diag, &c->ages[i].at,
                          "unknown age threshold '%s' (the rule packs define: %s)",
                          ps_ytree_quote(c->ages[i].name, strlen(c->ages[i].name), q),
                          n > 0 ? ps_ytree_join_names(list, sizeof(list), names, n) : "none");
    }
    return PS_OK;
}

/*
 * Set age threshold i to years: the named value and the age-under
 * conditions written with its name.  The rule loader records that name as
 * the condition's `pattern` (an index into rs->ages); the extra check on
 * the old value keeps a condition that merely holds another threshold's
 * index untouched in rule sets built without that record.
 */
static void set_age(ps_ruleset *rs, size_t i, unsigned years)
{
    unsigned old = rs->ages[i].years;

    for (size_t k = 0; k < rs->nconds; k++) {
        ps_cond *cd = &rs->conds[k];

        if (cd->kind == PS_COND_AGE_UNDER && cd->pattern == i && cd->min == old)
            cd->min = years;
    }
    rs->ages[i].years = years;
}

ps_status ps_config_apply(const ps_config *c, ps_ruleset *rs, ps_diag *diag)
{
    size_t kept = 0;
    ps_status st = apply_check(c, rs, diag);

    if (st != PS_OK)
        return st;
    for (size_t i = 0; i < rs->nrules; i++) {
        ps_rule *r = &rs->rules[i];
        bool keep = (c->nenable == 0 || in_list(r, c->enable, c->nenable)) &&
                    !in_list(r, c->disable, c->ndisable);

        if (!keep) {
            ps_rule_free(r);
            continue;
        }
        if (kept != i)
            rs->rules[kept] = *r;
        kept++;
    }
    rs->nrules = kept;
    /* Overrides of rules that were just dropped find nothing, on purpose. */
    for (size_t i = 0; i < c->noverrides; i++) {
        long r = ps_ruleset_find(rs, c->overrides[i].rule);

        if (r >= 0)
            rs->rules[r].severity = c->overrides[i].severity;
    }
    for (size_t i = 0; i < c->nages; i++)
        set_age(rs, (size_t)age_index(rs, c->ages[i].name), c->ages[i].years);
    return PS_OK;
}

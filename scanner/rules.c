/*
 * rules.c - the YAML rule loader: rule packs (rules/NAME.yml) -> ps_ruleset.
 *
 * Loading runs in two passes.  First libyaml's event API builds a small tree
 * of our own (yamltree.c: scalars, sequences, mappings, each with its
 * 1-based line and column).  Events, not yaml_parser_load, because the
 * document API resolves aliases silently into shared nodes: we could not
 * tell an alias from a node, and walking a billion-laughs DAG would take
 * forever.  With events an anchor or alias is refused the moment it
 * appears.  Second, the tree is
 * checked against the schema (rules/README.md) and turned into rules,
 * conditions and patterns through the ruleset.c builder calls.  Besides
 * `rules`, a file may hold the people sections: `ages` (named thresholds for
 * `age-under`), `subjects` (how child and parent records are recognised),
 * `countries` (the breach table's groups) and `escalations` (places that
 * make a finding worse).  `ages` is read before everything else so that a
 * rule may use a threshold written further down the file.
 *
 * Every error is one line, "file:line:col: message", pointing at the node
 * that is wrong.  Text echoed from a rule file is clipped and stripped of
 * control characters so that a diagnostic always stays one short line.
 *
 * A failed load leaves the ruleset as it was before that file: rules,
 * conditions, patterns, countries, ages, escalations and subjects added for
 * the file are rolled back.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"
#include "util.h"
#include "yamltree.h"

/* Rule files are small; anything bigger is a mistake or an attack. */
#define RULES_MAX_FILE (4u * 1024u * 1024u)
/* How deep all/any/not may nest. */
#define COND_MAX_DEPTH 64
/* How deep YAML collections may nest (room for COND_MAX_DEPTH all: lists). */
#define YAML_MAX_DEPTH 256
#define RULE_ID_MAX 128
/* How much of a rule-file string an error message quotes. */
#define QUOTE_MAX PS_YQUOTE_MAX
#define NO_NODE PS_YNONE
/* Room for a "file:line:col" quoted in a message (longer names are cut). */
#define LOC_MAX 256

/* --- the YAML tree (yamltree.c) ------------------------------------------ */

/* What one load works with; no globals. */
typedef struct loader {
    ps_ruleset *rs;
    const char *file;     /* interned in rs */
    ps_diag *diag;
    ps_ytree tree;        /* the document, with file, diag and the raw text */
} loader;

static ps_ynode *node_at(loader *ld, uint32_t i)
{
    return ps_ytree_node(&ld->tree, i);
}

/*
 * The tree's error helpers for this loader (yamltree.h): "file:line:col:
 * message" at a node or a position, and running out of memory.
 */
#define fail(ld, ni, ...) ps_ytree_fail(&(ld)->tree, (ni), __VA_ARGS__)
#define fail_at(ld, line, col, ...) ps_ytree_fail_at(&(ld)->tree, (line), (col), __VA_ARGS__)
#define nomem(ld) ps_ytree_nomem(&(ld)->tree)
#define want(ld, ni, t, ctx) ps_ytree_want(&(ld)->tree, (ni), (t), (ctx))
#define map_keys(ld, ni, keys, nkeys, vals) \
    ps_ytree_map_keys(&(ld)->tree, (ni), (keys), (nkeys), (vals))

/* --- pass 2 helpers: types, strings, names ------------------------------- */

static ps_srcloc loc_of(loader *ld, uint32_t ni)
{
    ps_srcloc at = { ld->file, node_at(ld, ni)->line, node_at(ld, ni)->col };
    return at;
}

/* A scalar as text, refusing embedded NULs (they would cut the C string). */
static ps_status scalar_text(loader *ld, uint32_t ni, const char *key, const char **out)
{
    ps_ynode *n = node_at(ld, ni);

    if (n->type != PS_Y_SCALAR)
        return fail(ld, ni, "expected a string for '%s', found a %s", key,
                    ps_ytree_type_name(n->type));
    if (memchr(n->str, '\0', n->len) != NULL)
        return fail(ld, ni, "'%s' contains a NUL character", key);
    *out = n->str;
    return PS_OK;
}

/* A required, non-empty string; one_line refuses line breaks.  *out is a copy. */
static ps_status get_string(loader *ld, uint32_t ni, const char *key, bool one_line,
                            char **out)
{
    const char *s;
    ps_status st = scalar_text(ld, ni, key, &s);

    if (st != PS_OK)
        return st;
    if (*s == '\0')
        return fail(ld, ni, "'%s' is empty", key);
    if (one_line && strpbrk(s, "\r\n") != NULL)
        return fail(ld, ni, "'%s' must be one line", key);
    *out = ps_strdup(s);
    return *out != NULL ? PS_OK : nomem(ld);
}

static ps_status get_bool(loader *ld, uint32_t ni, const char *key, bool *out)
{
    const char *s;
    char q[QUOTE_MAX + 4];
    ps_status st = scalar_text(ld, ni, key, &s);

    if (st != PS_OK)
        return st;
    if (ps_strcaseeq(s, "true") || ps_strcaseeq(s, "yes")) {
        *out = true;
        return PS_OK;
    }
    if (ps_strcaseeq(s, "false") || ps_strcaseeq(s, "no")) {
        *out = false;
        return PS_OK;
    }
    return fail(ld, ni, "expected true or false for '%s', found '%s'", key,
                ps_ytree_quote(s, strlen(s), q));
}

static ps_status get_u64(loader *ld, uint32_t ni, const char *key, uint64_t *out)
{
    const char *s;
    char q[QUOTE_MAX + 4];
    ps_status st = scalar_text(ld, ni, key, &s);

    if (st != PS_OK)
        return st;
    if (ps_parse_u64(s, out) != 0)
        return fail(ld, ni, "expected a number for '%s', found '%s'", key,
                    ps_ytree_quote(s, strlen(s), q));
    return PS_OK;
}

/* A whole number from lo to hi for key. */
static ps_status get_range(loader *ld, uint32_t ni, const char *key, uint64_t lo,
                           uint64_t hi, uint64_t *out)
{
    const char *s;
    char q[QUOTE_MAX + 4];
    ps_status st = scalar_text(ld, ni, key, &s);

    if (st != PS_OK)
        return st;
    if (ps_parse_u64(s, out) != 0 || *out < lo || *out > hi)
        return fail(ld, ni, "expected a number from %llu to %llu for '%s', found '%s'",
                    (unsigned long long)lo, (unsigned long long)hi, key,
                    ps_ytree_quote(s, strlen(s), q));
    return PS_OK;
}

/* "file:line:col" of a stored place, for "first defined at ..." messages. */
static const char *loc_text(const ps_srcloc *at, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s:%u:%u", at->file, at->line, at->col);
    return buf;
}

/*
 * A vocabulary: turns one name into a bit mask.  list() writes the accepted
 * names for the error message.
 */
typedef struct vocab {
    const char *noun;
    int (*parse)(const char *name, uint32_t *bits);
    const char *(*list)(char *dst, size_t cap);
} vocab;

static int hash_bits(const char *name, uint32_t *bits)
{
    ps_hash_kind h;

    if (ps_hash_parse(name, &h) != 0)
        return -1;
    *bits = 1u << h;
    return 0;
}

static const char *hash_list(char *dst, size_t cap)
{
    const char *names[PS_HASH_COUNT];

    for (int i = 0; i < PS_HASH_COUNT; i++)
        names[i] = ps_hash_name((ps_hash_kind)i);
    return ps_ytree_join_names(dst, cap, names, PS_HASH_COUNT);
}

/* A single media type; PS_MEDIA_NONE is not a name a rule may use. */
static int media_one(const char *name, ps_media *out)
{
    return ps_media_parse(name, out) == 0 && *out != PS_MEDIA_NONE ? 0 : -1;
}

/* A media type, or a class (image, audio, video) or "any", as a mask. */
static int media_bits(const char *name, uint32_t *bits)
{
    static const struct { const char *name; ps_media_class cls; } classes[] = {
        { "image", PS_MEDIA_CLASS_IMAGE },
        { "audio", PS_MEDIA_CLASS_AUDIO },
        { "video", PS_MEDIA_CLASS_VIDEO },
    };
    ps_media m;

    if (strcmp(name, "any") == 0) {
        *bits = 0;
        for (int i = 1; i < PS_MEDIA_COUNT; i++)
            *bits |= 1u << i;
        return 0;
    }
    for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
        if (strcmp(name, classes[c].name) != 0)
            continue;
        *bits = 0;
        for (int i = 1; i < PS_MEDIA_COUNT; i++) {
            if (ps_media_class_of((ps_media)i) == classes[c].cls)
                *bits |= 1u << i;
        }
        return 0;
    }
    if (media_one(name, &m) != 0)
        return -1;
    *bits = 1u << m;
    return 0;
}

/* Media names without the classes (what an example's 'media' takes). */
static const char *media_list(char *dst, size_t cap)
{
    const char *names[PS_MEDIA_COUNT];

    for (int i = 1; i < PS_MEDIA_COUNT; i++)
        names[i - 1] = ps_media_name((ps_media)i);
    return ps_ytree_join_names(dst, cap, names, PS_MEDIA_COUNT - 1);
}

static const char *media_class_list(char *dst, size_t cap)
{
    char rest[256];

    snprintf(dst, cap, "image, audio, video, any, %s", media_list(rest, sizeof(rest)));
    return dst;
}

static int format_bits(const char *name, uint32_t *bits)
{
    ps_format f;

    if (ps_format_parse(name, &f) != 0)
        return -1;
    *bits = 1u << f;
    return 0;
}

static const char *format_list(char *dst, size_t cap)
{
    const char *names[PS_FMT_COUNT];

    for (int i = 0; i < PS_FMT_COUNT; i++)
        names[i] = ps_format_name((ps_format)i);
    return ps_ytree_join_names(dst, cap, names, PS_FMT_COUNT);
}

static int cipher_bits(const char *name, uint32_t *bits)
{
    ps_cipher c;

    if (ps_cipher_parse(name, &c) != 0)
        return -1;
    *bits = 1u << c;
    return 0;
}

/* Cipher kinds without "none", which is not ciphertext. */
static const char *cipher_list(char *dst, size_t cap)
{
    const char *names[PS_CIPHER_COUNT];

    for (int i = 1; i < PS_CIPHER_COUNT; i++)
        names[i - 1] = ps_cipher_name((ps_cipher)i);
    return ps_ytree_join_names(dst, cap, names, PS_CIPHER_COUNT - 1);
}

static int mode_bits(const char *name, uint32_t *bits)
{
    ps_mode_class m;

    if (ps_mode_parse(name, &m) != 0)
        return -1;
    *bits = 1u << m;
    return 0;
}

static const char *mode_list(char *dst, size_t cap)
{
    const char *names[PS_MODE_COUNT];

    for (int i = 0; i < PS_MODE_COUNT; i++)
        names[i] = ps_mode_name((ps_mode_class)i);
    return ps_ytree_join_names(dst, cap, names, PS_MODE_COUNT);
}

static int subject_bits(const char *name, uint32_t *bits)
{
    if (strcmp(name, "child") == 0)
        *bits = PS_SUBJECT_CHILD;
    else if (strcmp(name, "parent") == 0)
        *bits = PS_SUBJECT_PARENT;
    else
        return -1;
    return 0;
}

static const char *subject_list(char *dst, size_t cap)
{
    static const char *const names[] = { "child", "parent" };

    return ps_ytree_join_names(dst, cap, names, 2);
}

static int category_bits(const char *name, uint32_t *bits)
{
    ps_category c;

    if (ps_category_parse(name, &c) != 0)
        return -1;
    *bits = 1u << c;
    return 0;
}

static const char *category_list(char *dst, size_t cap)
{
    const char *names[PS_CAT_COUNT];

    for (int i = 0; i < PS_CAT_COUNT; i++)
        names[i] = ps_category_name((ps_category)i);
    return ps_ytree_join_names(dst, cap, names, PS_CAT_COUNT);
}

static const vocab hash_vocab = { "hash", hash_bits, hash_list };
static const vocab media_vocab = { "media", media_bits, media_class_list };
static const vocab format_vocab = { "format", format_bits, format_list };
static const vocab mode_vocab = { "mode", mode_bits, mode_list };
static const vocab cipher_vocab = { "cipher", cipher_bits, cipher_list };
static const vocab subject_vocab = { "subject", subject_bits, subject_list };
static const vocab category_vocab = { "category", category_bits, category_list };

/* One name of vocabulary v, at node ni, OR-ed into *mask. */
static ps_status name_bits(loader *ld, uint32_t ni, const char *key, const vocab *v,
                           uint32_t *mask)
{
    const char *s;
    uint32_t bits;
    char q[QUOTE_MAX + 4], list[256];
    ps_status st = scalar_text(ld, ni, key, &s);

    if (st != PS_OK)
        return st;
    if (v->parse(s, &bits) != 0)
        return fail(ld, ni, "unknown %s '%s' (expected one of: %s)", v->noun,
                    ps_ytree_quote(s, strlen(s), q), v->list(list, sizeof(list)));
    *mask |= bits;
    return PS_OK;
}

/* NAME or [NAMES] of vocabulary v -> a non-empty mask. */
static ps_status get_mask(loader *ld, uint32_t ni, const char *key, const vocab *v,
                          uint32_t *mask)
{
    ps_ynode *n = node_at(ld, ni);
    ps_status st;

    *mask = 0;
    if (n->type == PS_Y_SCALAR)
        return name_bits(ld, ni, key, v, mask);
    if (n->type != PS_Y_SEQ)
        return fail(ld, ni, "expected a name or a sequence of names for '%s', found a %s",
                    key, ps_ytree_type_name(n->type));
    if (n->nkids == 0)
        return fail(ld, ni, "'%s' needs at least one name", key);
    for (size_t i = 0; i < n->nkids; i++) {
        st = name_bits(ld, n->kids[i], key, v, mask);
        if (st != PS_OK)
            return st;
    }
    return PS_OK;
}

/* --- conditions ---------------------------------------------------------- */

static const char *const detectors[] = {
    "all", "any", "not", "field", "value", "path", "keywords", "readable",
    "luhn", "hash", "weak-hash-params", "media", "format", "cipher", "beside",
    "repeated-blocks", "nonce-reuse", "mode", "size", "older-than",
    "subject", "age-under", "identified"
};
#define NDETECTORS (sizeof(detectors) / sizeof(detectors[0]))

static const ps_cond_kind detector_kinds[NDETECTORS] = {
    PS_COND_ALL, PS_COND_ANY, PS_COND_NOT, PS_COND_FIELD, PS_COND_VALUE,
    PS_COND_PATH, PS_COND_KEYWORDS, PS_COND_READABLE, PS_COND_LUHN,
    PS_COND_HASH, PS_COND_WEAK_HASH_PARAMS, PS_COND_MEDIA, PS_COND_FORMAT,
    PS_COND_CIPHER, PS_COND_BESIDE, PS_COND_REPEATED_BLOCKS, PS_COND_NONCE_REUSE,
    PS_COND_MODE, PS_COND_SIZE, PS_COND_OLDER_THAN, PS_COND_SUBJECT,
    PS_COND_AGE_UNDER, PS_COND_IDENTIFIED
};

static const char *detector_name(ps_cond_kind k)
{
    for (size_t i = 0; i < NDETECTORS; i++) {
        if (detector_kinds[i] == k)
            return detectors[i];
    }
    return "unknown";
}

static ps_status parse_cond(loader *ld, uint32_t ni, const char *ctx, unsigned depth,
                            uint32_t *out);

/* all: / any: -- a non-empty sequence of conditions. */
static ps_status parse_list(loader *ld, uint32_t vi, const char *key, unsigned depth,
                            ps_cond *c)
{
    ps_ynode *n = node_at(ld, vi);
    char ctx[32];
    uint32_t *kids = NULL;
    size_t nkids;
    ps_status st;

    snprintf(ctx, sizeof(ctx), "for '%s'", key);
    st = want(ld, vi, PS_Y_SEQ, ctx);
    if (st != PS_OK)
        return st;
    nkids = n->nkids;
    if (nkids == 0)
        return fail(ld, vi, "'%s' needs at least one condition", key);
    kids = malloc(nkids * sizeof(*kids));
    if (kids == NULL)
        return nomem(ld);
    snprintf(ctx, sizeof(ctx), "for a condition in '%s'", key);
    for (size_t i = 0; i < nkids; i++) {
        st = parse_cond(ld, n->kids[i], ctx, depth + 1, &kids[i]);
        if (st != PS_OK)
            goto out;
    }
    st = ps_ruleset_add_children(ld->rs, kids, nkids, &c->first);
    if (st != PS_OK) {
        st = nomem(ld);
        goto out;
    }
    c->count = (uint32_t)nkids;
out:
    free(kids);
    return st;
}

/* keywords: -- consecutive caseless literal patterns on the value. */
static ps_status parse_keywords(loader *ld, uint32_t vi, ps_cond *c)
{
    ps_ynode *n = node_at(ld, vi);
    ps_status st = want(ld, vi, PS_Y_SEQ, "for 'keywords'");

    if (st != PS_OK)
        return st;
    if (n->nkids == 0)
        return fail(ld, vi, "'keywords' needs at least one word");
    /* Check every word first so the patterns added below stay consecutive. */
    for (size_t i = 0; i < n->nkids; i++) {
        const char *s;

        st = scalar_text(ld, n->kids[i], "keywords", &s);
        if (st != PS_OK)
            return st;
        if (*s == '\0')
            return fail(ld, n->kids[i], "empty keyword in 'keywords'");
    }
    for (size_t i = 0; i < n->nkids; i++) {
        uint32_t idx;

        if (ps_ruleset_add_pattern(ld->rs, PS_TARGET_VALUE, node_at(ld, n->kids[i])->str,
                                   PS_PAT_CASELESS | PS_PAT_LITERAL,
                                   loc_of(ld, n->kids[i]), &idx) != PS_OK)
            return nomem(ld);
        if (i == 0)
            c->pattern = idx;
    }
    c->npatterns = (uint32_t)n->nkids;
    return PS_OK;
}

/* size: N, or size: {min: N, max: N}. */
static ps_status parse_size(loader *ld, uint32_t vi, ps_cond *c)
{
    static const char *const keys[] = { "min", "max" };
    uint32_t v[2];
    ps_status st;

    c->min = 0;
    c->max = UINT64_MAX;
    if (node_at(ld, vi)->type == PS_Y_SCALAR) {
        st = get_u64(ld, vi, "size", &c->min);
        c->max = c->min;
        return st;
    }
    if (node_at(ld, vi)->type != PS_Y_MAP)
        return fail(ld, vi, "expected a number or a mapping for 'size', found a %s",
                    ps_ytree_type_name(node_at(ld, vi)->type));
    st = map_keys(ld, vi, keys, 2, v);
    if (st == PS_OK && v[0] != NO_NODE)
        st = get_u64(ld, v[0], "min", &c->min);
    if (st == PS_OK && v[1] != NO_NODE)
        st = get_u64(ld, v[1], "max", &c->max);
    if (st == PS_OK && c->min > c->max)
        st = fail(ld, vi, "'size' min is greater than max");
    return st;
}

/*
 * The regex written at vi, added as a pattern for target t at the regex's
 * mark; *idx receives its index.  Used by the field, value and path
 * detectors and by the subjects and escalations sections.
 */
static ps_status add_regex(loader *ld, uint32_t vi, const char *key, ps_target t,
                           uint32_t *idx)
{
    const char *s;
    ps_status st = scalar_text(ld, vi, key, &s);

    if (st != PS_OK)
        return st;
    if (*s == '\0')
        return fail(ld, vi, "'%s' is empty", key);
    /* The matcher compiles and reports bad regexes, at this same srcloc. */
    if (ps_ruleset_add_pattern(ld->rs, t, s, 0, loc_of(ld, vi), idx) != PS_OK)
        return nomem(ld);
    return PS_OK;
}

/* A regex detector (field, value, path): one pattern at the regex's mark. */
static ps_status parse_regex(loader *ld, uint32_t vi, const char *key, ps_target t,
                             ps_cond *c)
{
    return add_regex(ld, vi, key, t, &c->pattern);
}

/*
 * age-under: N (years, 1..150) or the name of a threshold from an `ages`
 * section.  Every `ages` section of this file and of earlier files has been
 * read by now (parse_top reads `ages` first), so a miss is final.
 */
static ps_status parse_age_under(loader *ld, uint32_t vi, ps_cond *c)
{
    const char *s;
    char q[QUOTE_MAX + 4];
    const ps_ruleset *rs = ld->rs;
    ps_status st = scalar_text(ld, vi, "age-under", &s);

    if (st != PS_OK)
        return st;
    if (*s == '\0' || strspn(s, "0123456789") == strlen(s) || *s == '-' || *s == '+')
        return get_range(ld, vi, "age-under", 1, 150, &c->min);
    for (size_t i = 0; i < rs->nages; i++) {
        if (strcmp(rs->ages[i].name, s) == 0) {
            c->min = rs->ages[i].years;
            return PS_OK;
        }
    }
    return fail(ld, vi, "unknown age threshold '%s' (define it under ages:)",
                ps_ytree_quote(s, strlen(s), q));
}

/*
 * Parse the condition mapping ni (ctx names it for type errors, depth is its
 * nesting level, 1 for a rule's 'when').  Children are added before their
 * parent, so *out, the index of this condition, is the last one added.
 */
static ps_status parse_cond(loader *ld, uint32_t ni, const char *ctx, unsigned depth,
                            uint32_t *out)
{
    ps_cond c;
    ps_ynode *n;
    uint32_t ki, vi, kid;
    size_t d;
    char q[QUOTE_MAX + 4], list[256];
    ps_status st = want(ld, ni, PS_Y_MAP, ctx);

    if (st != PS_OK)
        return st;
    n = node_at(ld, ni);
    if (n->nkids != 2)
        return fail(ld, ni, "a condition has exactly one key, found %zu", n->nkids / 2);
    if (depth > COND_MAX_DEPTH)
        return fail(ld, ni, "conditions nested deeper than %d levels", COND_MAX_DEPTH);
    ki = n->kids[0];
    vi = n->kids[1];
    for (d = 0; d < NDETECTORS; d++) {
        if (strlen(detectors[d]) == node_at(ld, ki)->len &&
            memcmp(detectors[d], node_at(ld, ki)->str, node_at(ld, ki)->len) == 0)
            break;
    }
    if (d == NDETECTORS)
        return fail(ld, ki, "unknown detector '%s' (expected one of: %s)",
                    ps_ytree_quote(node_at(ld, ki)->str, node_at(ld, ki)->len, q),
                    ps_ytree_join_names(list, sizeof(list), detectors, NDETECTORS));

    memset(&c, 0, sizeof(c));
    c.kind = detector_kinds[d];
    c.at = loc_of(ld, ki);
    switch (c.kind) {
    case PS_COND_ALL:
    case PS_COND_ANY:
        st = parse_list(ld, vi, detectors[d], depth, &c);
        break;
    case PS_COND_NOT:
        st = parse_cond(ld, vi, "for 'not'", depth + 1, &kid);
        if (st == PS_OK && ps_ruleset_add_children(ld->rs, &kid, 1, &c.first) != PS_OK)
            st = nomem(ld);
        c.count = 1;
        break;
    case PS_COND_FIELD:
        st = parse_regex(ld, vi, "field", PS_TARGET_FIELD, &c);
        break;
    case PS_COND_VALUE:
        st = parse_regex(ld, vi, "value", PS_TARGET_VALUE, &c);
        break;
    case PS_COND_PATH:
        st = parse_regex(ld, vi, "path", PS_TARGET_PATH, &c);
        break;
    case PS_COND_KEYWORDS:
        st = parse_keywords(ld, vi, &c);
        break;
    case PS_COND_READABLE:
        st = get_bool(ld, vi, "readable", &c.flag);
        break;
    case PS_COND_LUHN:
        st = get_bool(ld, vi, "luhn", &c.flag);
        if (st == PS_OK && !c.flag) {
            /* luhn: false is NOT(luhn), so the matcher knows one Luhn node. */
            c.flag = false;
            if (ps_ruleset_add_cond(ld->rs, &c, &kid) != PS_OK ||
                ps_ruleset_add_children(ld->rs, &kid, 1, &c.first) != PS_OK)
                return nomem(ld);
            c.kind = PS_COND_NOT;
            c.count = 1;
        }
        break;
    case PS_COND_HASH:
        st = get_mask(ld, vi, "hash", &hash_vocab, &c.mask);
        break;
    case PS_COND_MEDIA:
        st = get_mask(ld, vi, "media", &media_vocab, &c.mask);
        break;
    case PS_COND_FORMAT:
        st = get_mask(ld, vi, "format", &format_vocab, &c.mask);
        break;
    case PS_COND_BESIDE:
        st = get_mask(ld, vi, "beside", &format_vocab, &c.mask);
        break;
    case PS_COND_MODE:
        st = get_mask(ld, vi, "mode", &mode_vocab, &c.mask);
        break;
    case PS_COND_SIZE:
        st = parse_size(ld, vi, &c);
        break;
    case PS_COND_OLDER_THAN:
        /* 100 years: beyond that a date is a typo, not a retention policy. */
        st = get_range(ld, vi, "older-than", 1, 36500, &c.min);
        break;
    case PS_COND_SUBJECT:
        st = get_mask(ld, vi, "subject", &subject_vocab, &c.mask);
        break;
    case PS_COND_AGE_UNDER:
        st = parse_age_under(ld, vi, &c);
        break;
    case PS_COND_IDENTIFIED:
        st = get_bool(ld, vi, "identified", &c.flag);
        break;
    case PS_COND_WEAK_HASH_PARAMS:
        st = get_bool(ld, vi, "weak-hash-params", &c.flag);
        break;
    case PS_COND_CIPHER:
        st = get_mask(ld, vi, "cipher", &cipher_vocab, &c.mask);
        break;
    case PS_COND_REPEATED_BLOCKS:
        st = get_bool(ld, vi, "repeated-blocks", &c.flag);
        break;
    case PS_COND_NONCE_REUSE:
        st = get_bool(ld, vi, "nonce-reuse", &c.flag);
        break;
    default:
        st = fail(ld, ki, "unknown detector");
        break;
    }
    if (st != PS_OK)
        return st;
    if (ps_ruleset_add_cond(ld->rs, &c, out) != PS_OK)
        return nomem(ld);
    return PS_OK;
}

static bool is_older_than(ps_cond_kind k)
{
    return k == PS_COND_OLDER_THAN;
}

/*
 * The first detector under condition ci, in document order, whose kind
 * satisfies pred, or NO_NODE.  Depth is bounded by COND_MAX_DEPTH.
 */
static uint32_t first_cond(const ps_ruleset *rs, uint32_t ci, bool (*pred)(ps_cond_kind))
{
    const ps_cond *c = &rs->conds[ci];

    if (pred(c->kind))
        return ci;
    if (c->kind == PS_COND_ALL || c->kind == PS_COND_ANY || c->kind == PS_COND_NOT) {
        for (uint32_t i = 0; i < c->count; i++) {
            uint32_t r = first_cond(rs, rs->children[c->first + i], pred);
            if (r != NO_NODE)
                return r;
        }
    }
    return NO_NODE;
}

/* --- examples ------------------------------------------------------------ */

static const char *const example_keys[] = {
    "field", "value", "path", "format", "media", "mode", "size", "beside",
    "cipher", "repeated-blocks", "nonce-reuse", "subject", "age", "identified"
};
enum { EX_FIELD, EX_VALUE, EX_PATH, EX_FORMAT, EX_MEDIA, EX_MODE, EX_SIZE, EX_BESIDE,
       EX_CIPHER, EX_REPEATED_BLOCKS, EX_NONCE_REUSE,
       EX_SUBJECT, EX_AGE, EX_IDENTIFIED, EX_NKEYS };

/* The key node of value node vi in mapping mi (vi must be one of its values). */
static uint32_t key_of(loader *ld, uint32_t mi, uint32_t vi)
{
    const ps_ynode *m = node_at(ld, mi);

    for (size_t k = 0; k + 1 < m->nkids; k += 2) {
        if (m->kids[k + 1] == vi)
            return m->kids[k];
    }
    return mi;
}

/* Permission bits written in octal: "0644", "644", or YAML's 0644. */
static ps_status get_mode(loader *ld, uint32_t ni, unsigned *out)
{
    const char *s;
    char q[QUOTE_MAX + 4];
    unsigned v = 0;
    size_t i;
    ps_status st = scalar_text(ld, ni, "mode", &s);

    if (st != PS_OK)
        return st;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '7' || v > 07777)
            break;
        v = v * 8 + (unsigned)(s[i] - '0');
    }
    if (i == 0 || s[i] != '\0' || v > 07777)
        return fail(ld, ni, "invalid mode '%s' (expected octal permission bits such as 0640)",
                    ps_ytree_quote(s, strlen(s), q));
    *out = v;
    return PS_OK;
}

/* One example mapping, appended to r->examples (owned by r even on failure). */
static ps_status parse_example(loader *ld, uint32_t ni, bool expect, ps_rule *r,
                               size_t *cap)
{
    uint32_t v[EX_NKEYS];
    ps_example *ex;
    ps_ynode *val;
    ps_status st = want(ld, ni, PS_Y_MAP, "for an example");

    if (st != PS_OK)
        return st;
    if (ps_grow(&r->examples, cap, r->nexamples + 1, sizeof(ps_example)) != PS_OK)
        return nomem(ld);
    ex = &r->examples[r->nexamples++];
    memset(ex, 0, sizeof(*ex));
    ex->expect_match = expect;
    ex->format = PS_FMT_TEXT;
    ex->media = PS_MEDIA_NONE;
    ex->mode = 0640;
    ex->age = -1;
    ex->at = loc_of(ld, ni);

    st = map_keys(ld, ni, example_keys, EX_NKEYS, v);
    if (st != PS_OK)
        return st;
    if (r->scope != PS_SCOPE_ROW) {
        /* Report the first of them as written, whichever it is. */
        uint32_t first = NO_NODE;

        for (int k = EX_SUBJECT; k <= EX_IDENTIFIED; k++) {
            if (v[k] != NO_NODE && (first == NO_NODE || v[k] < first))
                first = v[k];
        }
        if (first != NO_NODE)
            return fail(ld, key_of(ld, ni, first),
                        "only row-scope rules take 'subject', 'age' and 'identified' examples");
    }
    if (v[EX_VALUE] == NO_NODE && r->scope == PS_SCOPE_RECORD)
        return fail(ld, ni, "example needs 'value' for a record-scope rule");

    if (v[EX_FIELD] != NO_NODE) {
        const char *s;

        st = scalar_text(ld, v[EX_FIELD], "field", &s);
        if (st != PS_OK)
            return st;
    }
    /* An absent field is "", like a line of text. */
    ex->field = ps_strdup(v[EX_FIELD] != NO_NODE ? node_at(ld, v[EX_FIELD])->str : "");
    if (ex->field == NULL)
        return nomem(ld);

    if (v[EX_VALUE] != NO_NODE) {
        /* Any bytes, NULs included: the value is test data, not a name. */
        val = node_at(ld, v[EX_VALUE]);
        if (val->type != PS_Y_SCALAR)
            return fail(ld, v[EX_VALUE], "expected a string for 'value', found a %s",
                        ps_ytree_type_name(val->type));
        ex->value = ps_strndup(val->str, val->len);
        ex->value_len = val->len;
    } else {
        ex->value = ps_strdup("");
    }
    if (ex->value == NULL)
        return nomem(ld);

    if (v[EX_PATH] != NO_NODE)
        st = get_string(ld, v[EX_PATH], "path", true, &ex->path);
    else if ((ex->path = ps_strdup("example.txt")) == NULL)
        st = nomem(ld);
    if (st != PS_OK)
        return st;

    if (v[EX_MEDIA] != NO_NODE) {
        const char *s;
        char q[QUOTE_MAX + 4], list[256];

        st = scalar_text(ld, v[EX_MEDIA], "media", &s);
        if (st != PS_OK)
            return st;
        if (media_one(s, &ex->media) != 0)
            return fail(ld, v[EX_MEDIA], "unknown media '%s' (expected one of: %s)",
                        ps_ytree_quote(s, strlen(s), q), media_list(list, sizeof(list)));
        ex->format = PS_FMT_MEDIA;
    }
    if (v[EX_CIPHER] != NO_NODE) {
        const char *s;
        char q[QUOTE_MAX + 4], list[256];

        st = scalar_text(ld, v[EX_CIPHER], "cipher", &s);
        if (st != PS_OK)
            return st;
        if (ps_cipher_parse(s, &ex->cipher) != 0)
            return fail(ld, v[EX_CIPHER], "unknown cipher '%s' (expected one of: %s)",
                        ps_ytree_quote(s, strlen(s), q), cipher_list(list, sizeof(list)));
        /* A cipher kind is only sniffed for ciphertext; `format` may still say otherwise. */
        ex->format = PS_FMT_CIPHERTEXT;
    }
    if (v[EX_FORMAT] != NO_NODE) {
        const char *s;
        char q[QUOTE_MAX + 4], list[256];

        st = scalar_text(ld, v[EX_FORMAT], "format", &s);
        if (st != PS_OK)
            return st;
        if (ps_format_parse(s, &ex->format) != 0)
            return fail(ld, v[EX_FORMAT], "unknown format '%s' (expected one of: %s)",
                        ps_ytree_quote(s, strlen(s), q), format_list(list, sizeof(list)));
    }
    if (v[EX_MODE] != NO_NODE) {
        st = get_mode(ld, v[EX_MODE], &ex->mode);
        if (st != PS_OK)
            return st;
    }
    ex->size = ex->value_len;
    if (v[EX_SIZE] != NO_NODE) {
        st = get_u64(ld, v[EX_SIZE], "size", &ex->size);
        if (st != PS_OK)
            return st;
        ex->has_size = true;
    }
    if (v[EX_BESIDE] != NO_NODE)
        st = get_mask(ld, v[EX_BESIDE], "beside", &format_vocab, &ex->beside);
    if (st == PS_OK && v[EX_REPEATED_BLOCKS] != NO_NODE)
        st = get_bool(ld, v[EX_REPEATED_BLOCKS], "repeated-blocks", &ex->repeated_blocks);
    if (st == PS_OK && v[EX_NONCE_REUSE] != NO_NODE)
        st = get_bool(ld, v[EX_NONCE_REUSE], "nonce-reuse", &ex->nonce_reused);
    if (st == PS_OK && v[EX_SUBJECT] != NO_NODE)
        st = name_bits(ld, v[EX_SUBJECT], "subject", &subject_vocab, &ex->subject);
    if (st == PS_OK && v[EX_AGE] != NO_NODE) {
        uint64_t age;

        st = get_range(ld, v[EX_AGE], "age", 0, 150, &age);
        ex->age = (int)age;
    }
    if (st == PS_OK && v[EX_IDENTIFIED] != NO_NODE)
        st = get_bool(ld, v[EX_IDENTIFIED], "identified", &ex->identified);
    return st;
}

/* examples: {match: [...], no-match: [...]} */
static ps_status parse_examples(loader *ld, uint32_t ni, ps_rule *r)
{
    static const char *const keys[] = { "match", "no-match" };
    uint32_t v[2];
    size_t cap = 0;
    char ctx[32];
    ps_status st = want(ld, ni, PS_Y_MAP, "for 'examples'");

    if (st == PS_OK)
        st = map_keys(ld, ni, keys, 2, v);
    for (size_t k = 0; k < 2 && st == PS_OK; k++) {
        if (v[k] == NO_NODE)
            continue;
        snprintf(ctx, sizeof(ctx), "for '%s'", keys[k]);
        st = want(ld, v[k], PS_Y_SEQ, ctx);
        for (size_t i = 0; st == PS_OK && i < node_at(ld, v[k])->nkids; i++)
            st = parse_example(ld, node_at(ld, v[k])->kids[i], k == 0, r, &cap);
    }
    return st;
}

/* --- rules --------------------------------------------------------------- */

static const char *const rule_keys[] = {
    "id", "title", "explain", "fix", "category", "severity", "references",
    "scope", "when", "examples"
};
enum { R_ID, R_TITLE, R_EXPLAIN, R_FIX, R_CATEGORY, R_SEVERITY, R_REFS, R_SCOPE,
       R_WHEN, R_EXAMPLES, R_NKEYS };

/*
 * An identifier at ni (noun is "rule" or "escalation" for the message):
 * [a-z0-9][a-z0-9._-]*, at most RULE_ID_MAX characters.  *out borrows the
 * node's text.
 */
static ps_status id_text(loader *ld, uint32_t ni, const char *noun, const char **out)
{
    const char *s;
    char q[QUOTE_MAX + 4];
    size_t len;
    ps_status st = scalar_text(ld, ni, "id", &s);

    if (st != PS_OK)
        return st;
    len = strlen(s);
    if (len > RULE_ID_MAX)
        return fail(ld, ni, "%s id is longer than %d characters", noun, RULE_ID_MAX);
    if (len == 0 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") != len ||
        s[0] == '.' || s[0] == '_' || s[0] == '-')
        return fail(ld, ni, "invalid %s id '%s' (use a-z, 0-9, '.', '_' and '-', "
                    "starting with a letter or digit)", noun, ps_ytree_quote(s, len, q));
    *out = s;
    return PS_OK;
}

static ps_status parse_id(loader *ld, uint32_t ni, char **out)
{
    const char *s;
    char w[LOC_MAX];
    long prev;
    ps_status st = id_text(ld, ni, "rule", &s);

    if (st != PS_OK)
        return st;
    prev = ps_ruleset_find(ld->rs, s);
    if (prev >= 0)
        return fail(ld, ni, "duplicate rule id '%s' (first defined at %s)", s,
                    loc_text(&ld->rs->rules[prev].at, w, sizeof(w)));
    *out = ps_strdup(s);
    return *out != NULL ? PS_OK : nomem(ld);
}

static ps_status parse_refs(loader *ld, uint32_t ni, ps_rule *r)
{
    ps_ynode *n = node_at(ld, ni);
    ps_status st = want(ld, ni, PS_Y_SEQ, "for 'references'");

    if (st != PS_OK)
        return st;
    if (n->nkids == 0)
        return PS_OK;
    r->refs = calloc(n->nkids, sizeof(char *));
    if (r->refs == NULL)
        return nomem(ld);
    for (size_t i = 0; i < n->nkids; i++) {
        st = get_string(ld, n->kids[i], "references", true, &r->refs[i]);
        if (st != PS_OK)
            return st;
        r->nrefs++;
    }
    return PS_OK;
}

static ps_status parse_scope(loader *ld, uint32_t ni, ps_scope *out)
{
    const char *s;
    char q[QUOTE_MAX + 4];
    ps_status st = scalar_text(ld, ni, "scope", &s);

    if (st != PS_OK)
        return st;
    if (strcmp(s, "record") == 0)
        *out = PS_SCOPE_RECORD;
    else if (strcmp(s, "file") == 0)
        *out = PS_SCOPE_FILE;
    else if (strcmp(s, "row") == 0)
        *out = PS_SCOPE_ROW;
    else
        return fail(ld, ni, "unknown scope '%s' (expected one of: record, file, row)",
                    ps_ytree_quote(s, strlen(s), q));
    return PS_OK;
}

static const char *scope_name(ps_scope sc)
{
    switch (sc) {
    case PS_SCOPE_RECORD: return "record";
    case PS_SCOPE_FILE: return "file";
    case PS_SCOPE_ROW: return "row";
    }
    return "unknown";
}

/* "file:line:col: message" at condition ci (always from the file being loaded). */
static ps_status fail_cond(loader *ld, uint32_t ci, const char *fmt, ...) PS_PRINTF(3, 4);
static ps_status fail_cond(loader *ld, uint32_t ci, const char *fmt, ...)
{
    const ps_cond *cond = &ld->rs->conds[ci];
    char msg[sizeof(((ps_diag *)0)->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return fail_at(ld, cond->at.line, cond->at.col, "%s", msg);
}

/*
 * Infer (or check the written) scope of r from the detectors its condition
 * uses: row detectors make a row rule, record detectors a record rule, and
 * only file facts a file rule.  File detectors fit every scope; record and
 * row detectors never mix, because a record and an assembled row are
 * different things to look at.  sci is the `scope` value node or NO_NODE.
 */
static ps_status rule_scope(loader *ld, uint32_t sci, ps_rule *r)
{
    uint32_t rec = first_cond(ld->rs, r->cond, ps_cond_is_record);
    uint32_t row = first_cond(ld->rs, r->cond, ps_cond_is_row);
    ps_status st;

    if (rec != NO_NODE && row != NO_NODE)
        return fail_cond(ld, rec, "detector '%s' cannot be combined with row detectors "
                         "(subject, age-under, identified)",
                         detector_name(ld->rs->conds[rec].kind));
    r->scope = row != NO_NODE ? PS_SCOPE_ROW
             : rec != NO_NODE ? PS_SCOPE_RECORD : PS_SCOPE_FILE;
    r->uses_date = first_cond(ld->rs, r->cond, is_older_than) != NO_NODE;
    if (sci == NO_NODE)
        return PS_OK;
    if ((st = parse_scope(ld, sci, &r->scope)) != PS_OK)
        return st;
    if (rec != NO_NODE && r->scope != PS_SCOPE_RECORD)
        return fail_cond(ld, rec, "detector '%s' needs a %s; not allowed in a %s-scope rule",
                         detector_name(ld->rs->conds[rec].kind), "record",
                         scope_name(r->scope));
    if (row != NO_NODE && r->scope != PS_SCOPE_ROW)
        return fail_cond(ld, row, "detector '%s' needs a %s; not allowed in a %s-scope rule",
                         detector_name(ld->rs->conds[row].kind), "row",
                         scope_name(r->scope));
    return PS_OK;
}

/* Fill r from the rule mapping ni; r owns what it holds even on failure. */
static ps_status parse_rule_fields(loader *ld, uint32_t ni, const char *pack, ps_rule *r)
{
    uint32_t v[R_NKEYS];
    const char *s;
    char q[QUOTE_MAX + 4], list[256];
    const char *names[PS_CAT_COUNT];
    ps_status st = want(ld, ni, PS_Y_MAP, "for a rule");

    if (st == PS_OK)
        st = map_keys(ld, ni, rule_keys, R_NKEYS, v);
    if (st != PS_OK)
        return st;
    r->at = loc_of(ld, ni);
    for (int k = 0; k < R_NKEYS; k++) {
        if (v[k] == NO_NODE && k != R_REFS && k != R_SCOPE && k != R_EXAMPLES)
            return fail(ld, ni, "missing required key '%s'", rule_keys[k]);
    }
    if ((st = parse_id(ld, v[R_ID], &r->id)) != PS_OK ||
        (st = get_string(ld, v[R_TITLE], "title", true, &r->title)) != PS_OK ||
        (st = get_string(ld, v[R_EXPLAIN], "explain", false, &r->explain)) != PS_OK ||
        (st = get_string(ld, v[R_FIX], "fix", false, &r->fix)) != PS_OK)
        return st;

    if ((st = scalar_text(ld, v[R_CATEGORY], "category", &s)) != PS_OK)
        return st;
    if (ps_category_parse(s, &r->category) != 0) {
        for (int i = 0; i < PS_CAT_COUNT; i++)
            names[i] = ps_category_name((ps_category)i);
        return fail(ld, v[R_CATEGORY], "unknown category '%s' (expected one of: %s)",
                    ps_ytree_quote(s, strlen(s), q), ps_ytree_join_names(list, sizeof(list), names, PS_CAT_COUNT));
    }
    if ((st = scalar_text(ld, v[R_SEVERITY], "severity", &s)) != PS_OK)
        return st;
    if (ps_severity_parse(s, &r->severity) != 0) {
        for (int i = 0; i < PS_SEV_COUNT; i++)
            names[i] = ps_severity_name((ps_severity)(PS_SEV_COUNT - 1 - i));
        return fail(ld, v[R_SEVERITY], "unknown severity '%s' (expected one of: %s)",
                    ps_ytree_quote(s, strlen(s), q), ps_ytree_join_names(list, sizeof(list), names, PS_SEV_COUNT));
    }
    if (v[R_REFS] != NO_NODE && (st = parse_refs(ld, v[R_REFS], r)) != PS_OK)
        return st;

    if ((st = parse_cond(ld, v[R_WHEN], "for 'when'", 1, &r->cond)) != PS_OK)
        return st;
    if ((st = rule_scope(ld, v[R_SCOPE], r)) != PS_OK)
        return st;
    if (v[R_EXAMPLES] != NO_NODE && (st = parse_examples(ld, v[R_EXAMPLES], r)) != PS_OK)
        return st;

    r->pack = ps_strdup(pack);
    return r->pack != NULL ? PS_OK : nomem(ld);
}

static ps_status parse_rule(loader *ld, uint32_t ni, const char *pack)
{
    ps_rule r;
    ps_status st;

    memset(&r, 0, sizeof(r));
    st = parse_rule_fields(ld, ni, pack, &r);
    if (st != PS_OK) {
        ps_rule_free(&r);
        return st;
    }
    /* Takes ownership; the id was checked unique, so only ENOMEM is left. */
    st = ps_ruleset_add_rule(ld->rs, &r);
    return st == PS_OK ? PS_OK : nomem(ld);
}

/* The file name without folders and without its last extension. */
static char *file_stem(const char *name)
{
    const char *base = strrchr(name, '/');
    const char *dot;

    base = base != NULL ? base + 1 : name;
    dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        dot = base + strlen(base);
    return ps_strndup(base, (size_t)(dot - base));
}

/* --- people sections: ages, subjects, countries, escalations ------------- */

/*
 * ages: {NAME: YEARS, ...}.  Names follow the id syntax but may not be all
 * digits, since `age-under: 13` must keep meaning thirteen years.
 */
static ps_status parse_ages(loader *ld, uint32_t ni)
{
    ps_ruleset *rs = ld->rs;
    ps_ynode *m;
    char q[QUOTE_MAX + 4], w[LOC_MAX];
    ps_status st = want(ld, ni, PS_Y_MAP, "for 'ages'");

    if (st != PS_OK)
        return st;
    m = node_at(ld, ni);
    for (size_t k = 0; k + 1 < m->nkids; k += 2) {
        uint32_t ki = m->kids[k], vi = m->kids[k + 1];
        const ps_ynode *key = node_at(ld, ki);
        uint64_t years;
        ps_age *a;

        if (key->len == 0 || key->len > RULE_ID_MAX ||
            strspn(key->str, "abcdefghijklmnopqrstuvwxyz0123456789._-") != key->len ||
            key->str[0] == '.' || key->str[0] == '_' || key->str[0] == '-' ||
            strspn(key->str, "0123456789") == key->len)
            return fail(ld, ki, "invalid age threshold name '%s' (use a-z, 0-9, '.', '_' "
                        "and '-', starting with a letter or digit, not only digits)",
                        ps_ytree_quote(key->str, key->len, q));
        for (size_t i = 0; i < rs->nages; i++) {
            if (strcmp(rs->ages[i].name, key->str) == 0)
                return fail(ld, ki, "duplicate age threshold '%s' (first defined at %s)",
                            key->str, loc_text(&rs->ages[i].at, w, sizeof(w)));
        }
        if ((st = get_range(ld, vi, key->str, 1, 150, &years)) != PS_OK)
            return st;
        if (ps_grow(&rs->ages, &rs->capages, rs->nages + 1, sizeof(ps_age)) != PS_OK)
            return nomem(ld);
        a = &rs->ages[rs->nages];
        if ((a->name = ps_strdup(key->str)) == NULL)
            return nomem(ld);
        a->years = (unsigned)years;
        a->at = loc_of(ld, ki);
        rs->nages++;
    }
    return PS_OK;
}

/*
 * Fill the pattern slots slots[i] for keys[i] of mapping ni (each a field
 * regex); at least one key is required so an empty section is not mistaken
 * for a configuration.
 */
static ps_status subject_regexes(loader *ld, uint32_t ni, const char *name,
                                 const char *const *keys, size_t nkeys, uint32_t **slots)
{
    uint32_t v[8];
    char ctx[32], list[128];
    bool any = false;
    ps_status st;

    snprintf(ctx, sizeof(ctx), "for '%s'", name);
    if ((st = want(ld, ni, PS_Y_MAP, ctx)) != PS_OK ||
        (st = map_keys(ld, ni, keys, nkeys, v)) != PS_OK)
        return st;
    for (size_t i = 0; i < nkeys; i++) {
        if (v[i] == NO_NODE)
            continue;
        any = true;
        if ((st = add_regex(ld, v[i], keys[i], PS_TARGET_FIELD, slots[i])) != PS_OK)
            return st;
    }
    if (!any)
        return fail(ld, ni, "'%s' needs at least one of: %s", name,
                    ps_ytree_join_names(list, sizeof(list), keys, nkeys));
    return PS_OK;
}

/* subjects: {children: {...}, parents: {...}, country: REGEX}; once per rule set. */
static ps_status parse_subjects(loader *ld, uint32_t ki, uint32_t ni)
{
    static const char *const keys[] = { "children", "parents", "country" };
    static const char *const child_keys[] = {
        "tables", "birthdate", "identifying", "created", "link"
    };
    static const char *const parent_keys[] = { "tables", "id", "contact" };
    ps_ruleset *rs = ld->rs;
    ps_subjects sj = rs->subjects;
    uint32_t *child_slots[] = {
        &sj.child_tables, &sj.child_birthdate, &sj.child_identifying, &sj.child_created,
        &sj.child_link
    };
    uint32_t *parent_slots[] = { &sj.parent_tables, &sj.parent_id, &sj.parent_contact };
    uint32_t v[3];
    char w[LOC_MAX], list[64];
    ps_status st;

    if (rs->subjects.present) {
        return fail(ld, ki, "subjects already defined at %s",
                    loc_text(&rs->subjects.at, w, sizeof(w)));
    }
    if ((st = want(ld, ni, PS_Y_MAP, "for 'subjects'")) != PS_OK ||
        (st = map_keys(ld, ni, keys, 3, v)) != PS_OK)
        return st;
    if (v[0] == NO_NODE && v[1] == NO_NODE && v[2] == NO_NODE)
        return fail(ld, ni, "'subjects' needs at least one of: %s",
                    ps_ytree_join_names(list, sizeof(list), keys, 3));
    if (v[0] != NO_NODE &&
        (st = subject_regexes(ld, v[0], "children", child_keys, 5, child_slots)) != PS_OK)
        return st;
    if (v[1] != NO_NODE &&
        (st = subject_regexes(ld, v[1], "parents", parent_keys, 3, parent_slots)) != PS_OK)
        return st;
    if (v[2] != NO_NODE && (st = add_regex(ld, v[2], "country", PS_TARGET_FIELD,
                                           &sj.country)) != PS_OK)
        return st;
    sj.present = true;
    sj.at = loc_of(ld, ki);
    rs->subjects = sj;
    return PS_OK;
}

static void country_free(ps_country *c)
{
    free(c->name);
    for (size_t i = 0; i < c->ncodes; i++)
        free(c->codes[i]);
    free(c->codes);
    memset(c, 0, sizeof(*c));
}

/* The country group (already loaded, or c itself) that holds code, or NULL. */
static const ps_country *code_owner(const ps_ruleset *rs, const ps_country *c,
                                    const char *code)
{
    for (size_t i = 0; i < rs->ncountries; i++) {
        for (size_t k = 0; k < rs->countries[i].ncodes; k++) {
            if (ps_strcaseeq(rs->countries[i].codes[k], code))
                return &rs->countries[i];
        }
    }
    for (size_t k = 0; k < c->ncodes; k++) {
        if (ps_strcaseeq(c->codes[k], code))
            return c;
    }
    return NULL;
}

/* codes: [CODE, ...] into c; each code belongs to one group only. */
static ps_status parse_codes(loader *ld, uint32_t ni, ps_country *c)
{
    ps_ynode *n = node_at(ld, ni);
    char q[QUOTE_MAX + 4], q2[QUOTE_MAX + 4];
    ps_status st = want(ld, ni, PS_Y_SEQ, "for 'codes'");

    if (st != PS_OK)
        return st;
    if (n->nkids == 0 && !c->fallback)
        return fail(ld, ni, "'codes' needs at least one code");
    c->codes = calloc(n->nkids + 1, sizeof(char *));
    if (c->codes == NULL)
        return nomem(ld);
    for (size_t i = 0; i < n->nkids; i++) {
        uint32_t ci = n->kids[i];
        const ps_country *owner;
        const char *s;
        size_t len;

        if ((st = get_string(ld, ci, "codes", true, &c->codes[c->ncodes])) != PS_OK)
            return st;
        s = c->codes[c->ncodes];
        len = strlen(s);
        /* Look for an owner before counting s in, or s would find itself. */
        owner = code_owner(ld->rs, c, s);
        c->ncodes++;
        /* Stored values are trimmed before they are compared; a padded code never matches. */
        if (strchr(" \t\"", s[0]) != NULL || strchr(" \t\"", s[len - 1]) != NULL)
            return fail(ld, ci, "code '%s' starts or ends with a space or a quote",
                        ps_ytree_quote(s, len, q));
        if (owner != NULL)
            return fail(ld, ci, "code '%s' already belongs to country '%s'",
                        ps_ytree_quote(s, len, q), ps_ytree_quote(owner->name, strlen(owner->name), q2));
    }
    return PS_OK;
}

/* One {name, codes, fallback} group, appended to rs->countries. */
static ps_status parse_country(loader *ld, uint32_t ni)
{
    static const char *const keys[] = { "name", "codes", "fallback" };
    ps_ruleset *rs = ld->rs;
    ps_country c;
    uint32_t v[3];
    char w[LOC_MAX], q[QUOTE_MAX + 4];
    ps_status st;

    memset(&c, 0, sizeof(c));
    if ((st = want(ld, ni, PS_Y_MAP, "for a country")) != PS_OK ||
        (st = map_keys(ld, ni, keys, 3, v)) != PS_OK)
        return st;
    if (v[0] == NO_NODE)
        return fail(ld, ni, "missing required key 'name'");
    if ((st = get_string(ld, v[0], "name", true, &c.name)) != PS_OK)
        goto out;
    for (size_t i = 0; i < rs->ncountries; i++) {
        if (ps_strcaseeq(rs->countries[i].name, c.name)) {
            st = fail(ld, v[0], "duplicate country '%s' (first defined at %s)",
                      ps_ytree_quote(c.name, strlen(c.name), q),
                      loc_text(&rs->countries[i].at, w, sizeof(w)));
            goto out;
        }
    }
    if (v[2] != NO_NODE && (st = get_bool(ld, v[2], "fallback", &c.fallback)) != PS_OK)
        goto out;
    for (size_t i = 0; c.fallback && i < rs->ncountries; i++) {
        if (rs->countries[i].fallback) {
            st = fail(ld, v[2], "a fallback country group is already defined at %s",
                      loc_text(&rs->countries[i].at, w, sizeof(w)));
            goto out;
        }
    }
    if (v[1] == NO_NODE && !c.fallback) {
        st = fail(ld, ni, "missing required key 'codes'");
        goto out;
    }
    if (v[1] != NO_NODE && (st = parse_codes(ld, v[1], &c)) != PS_OK)
        goto out;
    c.at = loc_of(ld, ni);
    if (ps_grow(&rs->countries, &rs->capcountries, rs->ncountries + 1,
                sizeof(ps_country)) != PS_OK) {
        st = nomem(ld);
        goto out;
    }
    rs->countries[rs->ncountries++] = c;
    return PS_OK;
out:
    country_free(&c);
    return st;
}

static ps_status parse_countries(loader *ld, uint32_t ni)
{
    ps_status st = want(ld, ni, PS_Y_SEQ, "for 'countries'");

    for (size_t i = 0; st == PS_OK && i < node_at(ld, ni)->nkids; i++)
        st = parse_country(ld, node_at(ld, ni)->kids[i]);
    return st;
}

/* One {id, path, categories, raise, reason}, appended to rs->escalations. */
static ps_status parse_escalation(loader *ld, uint32_t ni)
{
    static const char *const keys[] = { "id", "path", "categories", "raise", "reason" };
    enum { E_ID, E_PATH, E_CATEGORIES, E_RAISE, E_REASON, E_NKEYS };
    ps_ruleset *rs = ld->rs;
    ps_escalation e;
    uint32_t v[E_NKEYS];
    uint64_t raise = 1;
    const char *id;
    char w[LOC_MAX];
    ps_status st;

    memset(&e, 0, sizeof(e));
    if ((st = want(ld, ni, PS_Y_MAP, "for an escalation")) != PS_OK ||
        (st = map_keys(ld, ni, keys, E_NKEYS, v)) != PS_OK)
        return st;
    for (int k = 0; k < E_NKEYS; k++) {
        if (v[k] == NO_NODE && k != E_CATEGORIES && k != E_RAISE)
            return fail(ld, ni, "missing required key '%s'", keys[k]);
    }
    if ((st = id_text(ld, v[E_ID], "escalation", &id)) != PS_OK)
        return st;
    for (size_t i = 0; i < rs->nescalations; i++) {
        if (strcmp(rs->escalations[i].id, id) == 0)
            return fail(ld, v[E_ID], "duplicate escalation id '%s' (first defined at %s)",
                        id, loc_text(&rs->escalations[i].at, w, sizeof(w)));
    }
    if ((st = add_regex(ld, v[E_PATH], "path", PS_TARGET_PATH, &e.path)) != PS_OK)
        return st;
    if (v[E_CATEGORIES] != NO_NODE &&
        (st = get_mask(ld, v[E_CATEGORIES], "categories", &category_vocab,
                       &e.categories)) != PS_OK)
        return st;
    if (v[E_RAISE] != NO_NODE &&
        (st = get_range(ld, v[E_RAISE], "raise", 1, 4, &raise)) != PS_OK)
        return st;
    e.raise = (unsigned)raise;
    if ((st = get_string(ld, v[E_REASON], "reason", true, &e.reason)) != PS_OK)
        return st;
    e.at = loc_of(ld, ni);
    if ((e.id = ps_strdup(id)) == NULL ||
        ps_grow(&rs->escalations, &rs->capescalations, rs->nescalations + 1,
                sizeof(ps_escalation)) != PS_OK) {
        free(e.id);
        free(e.reason);
        return nomem(ld);
    }
    rs->escalations[rs->nescalations++] = e;
    return PS_OK;
}

static ps_status parse_escalations(loader *ld, uint32_t ni)
{
    ps_status st = want(ld, ni, PS_Y_SEQ, "for 'escalations'");

    for (size_t i = 0; st == PS_OK && i < node_at(ld, ni)->nkids; i++)
        st = parse_escalation(ld, node_at(ld, ni)->kids[i]);
    return st;
}

/* --- files --------------------------------------------------------------- */

static const char *const top_keys[] = {
    "pack", "description", "rules", "subjects", "countries", "ages", "escalations"
};
enum { T_PACK, T_DESCRIPTION, T_RULES, T_SUBJECTS, T_COUNTRIES, T_AGES, T_ESCALATIONS,
       T_NKEYS };

static ps_status parse_rules(loader *ld, uint32_t ni, const char *pack)
{
    ps_status st = want(ld, ni, PS_Y_SEQ, "for 'rules'");

    for (size_t i = 0; st == PS_OK && i < node_at(ld, ni)->nkids; i++)
        st = parse_rule(ld, node_at(ld, ni)->kids[i], pack);
    return st;
}

/*
 * The top-level mapping.  `rules` is required unless the file holds one of
 * the people sections (a file of country groups alone is fine).  `ages` is
 * read first so rules may name thresholds written below them; the other
 * sections are read in the order written, so the first mistake in the file
 * is the one reported.
 */
static ps_status parse_top(loader *ld)
{
    uint32_t v[T_NKEYS], root = ld->tree.root;
    char *pack = NULL;
    const char *s;
    const ps_ynode *m;
    ps_status st;

    if (root == NO_NODE ||
        (node_at(ld, root)->type == PS_Y_SCALAR && node_at(ld, root)->plain && node_at(ld, root)->len == 0))
        return fail_at(ld, 1, 1, "file is empty");
    st = want(ld, root, PS_Y_MAP, "at the top level");
    if (st == PS_OK)
        st = map_keys(ld, root, top_keys, T_NKEYS, v);
    if (st == PS_OK && v[T_RULES] == NO_NODE && v[T_SUBJECTS] == NO_NODE &&
        v[T_COUNTRIES] == NO_NODE && v[T_AGES] == NO_NODE && v[T_ESCALATIONS] == NO_NODE)
        st = fail(ld, root, "missing required key 'rules'");
    if (st == PS_OK && v[T_PACK] != NO_NODE)
        st = get_string(ld, v[T_PACK], "pack", true, &pack);
    if (st == PS_OK && v[T_DESCRIPTION] != NO_NODE)
        st = scalar_text(ld, v[T_DESCRIPTION], "description", &s);
    if (st == PS_OK && pack == NULL && (pack = file_stem(ld->file)) == NULL)
        st = nomem(ld);
    if (st == PS_OK && v[T_AGES] != NO_NODE)
        st = parse_ages(ld, v[T_AGES]);
    m = node_at(ld, root);
    for (size_t k = 0; st == PS_OK && k + 1 < m->nkids; k += 2) {
        uint32_t vi = m->kids[k + 1];

        if (vi == v[T_RULES])
            st = parse_rules(ld, vi, pack);
        else if (vi == v[T_SUBJECTS])
            st = parse_subjects(ld, m->kids[k], vi);
        else if (vi == v[T_COUNTRIES])
            st = parse_countries(ld, vi);
        else if (vi == v[T_ESCALATIONS])
            st = parse_escalations(ld, vi);
    }
    free(pack);
    return st;
}

/* What the ruleset held before a file, so a failed file can be undone. */
typedef struct snapshot {
    size_t nrules, nconds, nchildren, npatterns, ncountries, nages, nescalations;
    ps_subjects subjects;
} snapshot;

static void snapshot_take(const ps_ruleset *rs, snapshot *s)
{
    s->nrules = rs->nrules;
    s->nconds = rs->nconds;
    s->nchildren = rs->nchildren;
    s->npatterns = rs->npatterns;
    s->ncountries = rs->ncountries;
    s->nages = rs->nages;
    s->nescalations = rs->nescalations;
    s->subjects = rs->subjects;
}

/* Undo what a failed file added, so the ruleset is as it was before it. */
static void ruleset_rollback(ps_ruleset *rs, const snapshot *s)
{
    for (size_t i = s->nrules; i < rs->nrules; i++)
        ps_rule_free(&rs->rules[i]);
    for (size_t i = s->npatterns; i < rs->npatterns; i++)
        free(rs->patterns[i].expr);
    for (size_t i = s->ncountries; i < rs->ncountries; i++)
        country_free(&rs->countries[i]);
    for (size_t i = s->nages; i < rs->nages; i++)
        free(rs->ages[i].name);
    for (size_t i = s->nescalations; i < rs->nescalations; i++) {
        free(rs->escalations[i].id);
        free(rs->escalations[i].reason);
    }
    rs->nrules = s->nrules;
    rs->nconds = s->nconds;
    rs->nchildren = s->nchildren;
    rs->npatterns = s->npatterns;
    rs->ncountries = s->ncountries;
    rs->nages = s->nages;
    rs->nescalations = s->nescalations;
    rs->subjects = s->subjects;
}

ps_status ps_rules_load_buffer(ps_ruleset *rs, const char *name,
                               const char *data, size_t len, ps_diag *diag)
{
    loader ld;
    snapshot snap;
    ps_status st;

    snapshot_take(rs, &snap);
    memset(&ld, 0, sizeof(ld));
    ld.rs = rs;
    ld.diag = diag;
    ld.tree.data = data;
    ld.tree.len = len;
    ld.tree.diag = diag;
    ld.tree.max_depth = YAML_MAX_DEPTH;
    ld.tree.root = NO_NODE;
    ld.file = ps_ruleset_intern_file(rs, name != NULL ? name : "<buffer>");
    if (ld.file == NULL) {
        ps_diag_set(diag, "%s: out of memory", name != NULL ? name : "<buffer>");
        return PS_ERR_NOMEM;
    }
    if (len > RULES_MAX_FILE) {
        ps_diag_set(diag, "%s: file too large (the limit is 4 MiB)", ld.file);
        return PS_ERR_RULE;
    }
    ld.tree.file = ld.file;
    st = ps_ytree_build(&ld.tree);
    if (st == PS_OK)
        st = parse_top(&ld);
    ps_ytree_free(&ld.tree);
    if (st != PS_OK)
        ruleset_rollback(rs, &snap);
    return st;
}

/* Read a whole rule file through a 4 MiB bounded buffer, then load it. */
static ps_status load_file(ps_ruleset *rs, const char *path, ps_diag *diag)
{
    ps_buf buf;
    char chunk[65536];
    ssize_t n;
    ps_status st = PS_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        return PS_ERR_IO;
    }
    ps_buf_init(&buf, RULES_MAX_FILE);
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ps_diag_set(diag, "%s: %s", path, strerror(errno));
            st = PS_ERR_IO;
            goto out;
        }
        if (n == 0)
            break;
        st = ps_buf_append(&buf, chunk, (size_t)n);
        if (st == PS_ERR_LIMIT) {
            ps_diag_set(diag, "%s: file too large (the limit is 4 MiB)", path);
            st = PS_ERR_RULE;
        } else if (st != PS_OK) {
            ps_diag_set(diag, "%s: out of memory", path);
        }
        if (st != PS_OK)
            goto out;
    }
    st = ps_rules_load_buffer(rs, path, ps_buf_cstr(&buf), buf.len, diag);
out:
    ps_buf_free(&buf);
    close(fd);
    return st;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_rule_file(const char *name)
{
    size_t len = strlen(name);

    if (name[0] == '.')
        return false;
    return (len > 4 && strcmp(name + len - 4, ".yml") == 0) ||
           (len > 5 && strcmp(name + len - 5, ".yaml") == 0);
}

/* Every *.yml / *.yaml regular file directly in dir, in bytewise name order. */
static ps_status load_dir(ps_ruleset *rs, const char *dir, ps_diag *diag)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, loaded = 0;
    ps_buf path;
    struct stat sb;
    ps_status st = PS_OK;
    const char *sep = (*dir != '\0' && dir[strlen(dir) - 1] == '/') ? "" : "/";

    if (d == NULL) {
        ps_diag_set(diag, "%s: %s", dir, strerror(errno));
        return PS_ERR_IO;
    }
    ps_buf_init(&path, 65536);
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (!is_rule_file(de->d_name))
            continue;
        if (ps_grow(&names, &cap, n + 1, sizeof(char *)) != PS_OK ||
            (names[n] = ps_strdup(de->d_name)) == NULL) {
            ps_diag_set(diag, "%s: out of memory", dir);
            st = PS_ERR_NOMEM;
            goto out;
        }
        n++;
    }
    if (errno != 0) {
        ps_diag_set(diag, "%s: %s", dir, strerror(errno));
        st = PS_ERR_IO;
        goto out;
    }
    qsort(names, n, sizeof(char *), name_cmp);
    for (size_t i = 0; i < n; i++) {
        ps_buf_reset(&path);
        if (ps_buf_printf(&path, "%s%s%s", dir, sep, names[i]) != PS_OK) {
            ps_diag_set(diag, "%s: path too long", dir);
            st = PS_ERR_IO;
            goto out;
        }
        /* A folder named x.yml is not a rule file; skip it like any non-file. */
        if (stat(ps_buf_cstr(&path), &sb) == 0 && !S_ISREG(sb.st_mode))
            continue;
        st = load_file(rs, ps_buf_cstr(&path), diag);
        if (st != PS_OK)
            goto out;
        loaded++;
    }
    if (loaded == 0) {
        ps_diag_set(diag, "%s: no rule files (*.yml) found", dir);
        st = PS_ERR_RULE;
    }
out:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    ps_buf_free(&path);
    return st;
}

ps_status ps_rules_load_path(ps_ruleset *rs, const char *path, ps_diag *diag)
{
    struct stat sb;

    if (stat(path, &sb) != 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        return PS_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode))
        return load_dir(rs, path, diag);
    return load_file(rs, path, diag);
}

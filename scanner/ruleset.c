/*
 * ruleset.c - building and freeing the immutable rule set, and the names of
 * the detector vocabularies (hash kinds, mode classes).
 *
 * The YAML loader (rules.c) and the tests build rule sets through these
 * calls only, so the flat layout of conditions and patterns is known in one
 * place.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "util.h"

static const char *const hash_names[PS_HASH_COUNT] = {
    "md5", "sha1", "sha256", "sha512", "bcrypt", "argon2", "scrypt", "pbkdf2"
};

const char *ps_hash_name(ps_hash_kind h)
{
    return (unsigned)h < PS_HASH_COUNT ? hash_names[h] : "unknown";
}

int ps_hash_parse(const char *name, ps_hash_kind *out)
{
    for (int i = 0; i < PS_HASH_COUNT; i++) {
        if (strcmp(name, hash_names[i]) == 0) {
            *out = (ps_hash_kind)i;
            return 0;
        }
    }
    return -1;
}

static const char *const mode_names[PS_MODE_COUNT] = {
    "world-readable", "world-writable", "group-writable"
};

const char *ps_mode_name(ps_mode_class m)
{
    return (unsigned)m < PS_MODE_COUNT ? mode_names[m] : "unknown";
}

int ps_mode_parse(const char *name, ps_mode_class *out)
{
    for (int i = 0; i < PS_MODE_COUNT; i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *out = (ps_mode_class)i;
            return 0;
        }
    }
    return -1;
}

bool ps_cond_is_record(ps_cond_kind k)
{
    switch (k) {
    case PS_COND_FIELD:
    case PS_COND_VALUE:
    case PS_COND_KEYWORDS:
    case PS_COND_READABLE:
    case PS_COND_LUHN:
    case PS_COND_HASH:
        return true;
    default:
        return false;
    }
}

ps_status ps_ruleset_create(ps_ruleset **out)
{
    *out = calloc(1, sizeof(**out));
    return *out != NULL ? PS_OK : PS_ERR_NOMEM;
}

void ps_rule_free(ps_rule *r)
{
    if (r == NULL)
        return;
    free(r->id);
    free(r->title);
    free(r->explain);
    free(r->fix);
    for (size_t i = 0; i < r->nrefs; i++)
        free(r->refs[i]);
    free(r->refs);
    for (size_t i = 0; i < r->nexamples; i++) {
        free(r->examples[i].field);
        free(r->examples[i].value);
        free(r->examples[i].path);
    }
    free(r->examples);
    free(r->pack);
    memset(r, 0, sizeof(*r));
}

void ps_ruleset_destroy(ps_ruleset *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < rs->nrules; i++)
        ps_rule_free(&rs->rules[i]);
    free(rs->rules);
    free(rs->conds);
    free(rs->children);
    for (size_t i = 0; i < rs->npatterns; i++)
        free(rs->patterns[i].expr);
    free(rs->patterns);
    for (size_t i = 0; i < rs->nfiles; i++)
        free(rs->files[i]);
    free(rs->files);
    free(rs);
}

const char *ps_ruleset_intern_file(ps_ruleset *rs, const char *file)
{
    char *copy;

    for (size_t i = 0; i < rs->nfiles; i++) {
        if (strcmp(rs->files[i], file) == 0)
            return rs->files[i];
    }
    if (ps_grow(&rs->files, &rs->capfiles, rs->nfiles + 1, sizeof(char *)) != PS_OK)
        return NULL;
    copy = ps_strdup(file);
    if (copy == NULL)
        return NULL;
    rs->files[rs->nfiles++] = copy;
    return copy;
}

ps_status ps_ruleset_add_pattern(ps_ruleset *rs, ps_target target,
                                 const char *expr, unsigned flags,
                                 ps_srcloc at, uint32_t *idx)
{
    ps_pattern *p;
    char *copy;

    if (ps_grow(&rs->patterns, &rs->cappatterns, rs->npatterns + 1,
                sizeof(ps_pattern)) != PS_OK)
        return PS_ERR_NOMEM;
    copy = ps_strdup(expr);
    if (copy == NULL)
        return PS_ERR_NOMEM;
    p = &rs->patterns[rs->npatterns];
    p->expr = copy;
    p->target = target;
    p->flags = flags;
    p->at = at;
    *idx = (uint32_t)rs->npatterns++;
    return PS_OK;
}

ps_status ps_ruleset_add_cond(ps_ruleset *rs, const ps_cond *c, uint32_t *idx)
{
    if (ps_grow(&rs->conds, &rs->capconds, rs->nconds + 1, sizeof(ps_cond)) != PS_OK)
        return PS_ERR_NOMEM;
    rs->conds[rs->nconds] = *c;
    *idx = (uint32_t)rs->nconds++;
    return PS_OK;
}

ps_status ps_ruleset_add_children(ps_ruleset *rs, const uint32_t *kids,
                                  size_t n, uint32_t *first)
{
    if (ps_grow(&rs->children, &rs->capchildren, rs->nchildren + n,
                sizeof(uint32_t)) != PS_OK)
        return PS_ERR_NOMEM;
    if (n > 0)
        memcpy(rs->children + rs->nchildren, kids, n * sizeof(uint32_t));
    *first = (uint32_t)rs->nchildren;
    rs->nchildren += n;
    return PS_OK;
}

ps_status ps_ruleset_add_rule(ps_ruleset *rs, ps_rule *r)
{
    if (r->id == NULL || ps_ruleset_find(rs, r->id) >= 0) {
        ps_rule_free(r);
        return PS_ERR_RULE;
    }
    if (ps_grow(&rs->rules, &rs->caprules, rs->nrules + 1, sizeof(ps_rule)) != PS_OK) {
        ps_rule_free(r);
        return PS_ERR_NOMEM;
    }
    rs->rules[rs->nrules++] = *r;
    memset(r, 0, sizeof(*r));
    return PS_OK;
}

long ps_ruleset_find(const ps_ruleset *rs, const char *id)
{
    for (size_t i = 0; i < rs->nrules; i++) {
        if (strcmp(rs->rules[i].id, id) == 0)
            return (long)i;
    }
    return -1;
}

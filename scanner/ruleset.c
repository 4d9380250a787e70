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
    case PS_COND_OLDER_THAN:
    case PS_COND_WEAK_HASH_PARAMS:
        return true;
    default:
        return false;
    }
}

bool ps_cond_is_row(ps_cond_kind k)
{
    return k == PS_COND_SUBJECT || k == PS_COND_AGE_UNDER || k == PS_COND_IDENTIFIED;
}

ps_status ps_ruleset_create(ps_ruleset **out)
{
    ps_subjects *sj;

    *out = calloc(1, sizeof(**out));
    if (*out == NULL)
        return PS_ERR_NOMEM;
    sj = &(*out)->subjects;
    sj->child_tables = sj->child_birthdate = sj->child_identifying = UINT32_MAX;
    sj->child_created = sj->child_link = sj->parent_tables = UINT32_MAX;
    sj->parent_id = sj->parent_contact = sj->country = UINT32_MAX;
    return PS_OK;
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
    for (size_t i = 0; i < rs->ncountries; i++) {
        free(rs->countries[i].name);
        for (size_t k = 0; k < rs->countries[i].ncodes; k++)
            free(rs->countries[i].codes[k]);
        free(rs->countries[i].codes);
    }
    free(rs->countries);
    for (size_t i = 0; i < rs->nages; i++)
        free(rs->ages[i].name);
    free(rs->ages);
    for (size_t i = 0; i < rs->nescalations; i++) {
        free(rs->escalations[i].id);
        free(rs->escalations[i].reason);
    }
    free(rs->escalations);
    free(rs);
}

/* v[0..n) with ASCII white space trimmed equals code, ignoring ASCII case. */
static bool country_code_eq(const char *v, size_t n, const char *code)
{
    size_t k = 0;

    while (n > 0 && (*v == ' ' || *v == '\t' || *v == '"'))
        v++, n--;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '"'))
        n--;
    for (; k < n && code[k]; k++) {
        unsigned char a = (unsigned char)v[k], b = (unsigned char)code[k];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b + 32);
        if (a != b)
            return false;
    }
    return k == n && code[k] == '\0' && n > 0;
}

int ps_ruleset_country(const ps_ruleset *rs, const char *v, size_t n)
{
    int fallback = -1;
    bool blank = true;

    for (size_t i = 0; i < n; i++) {
        if (v[i] != ' ' && v[i] != '\t' && v[i] != '"') {
            blank = false;
            break;
        }
    }
    if (blank)
        return -1;
    for (size_t i = 0; i < rs->ncountries; i++) {
        const ps_country *c = &rs->countries[i];
        if (c->fallback)
            fallback = (int)i;
        for (size_t k = 0; k < c->ncodes; k++) {
            if (country_code_eq(v, n, c->codes[k]))
                return (int)i;
        }
    }
    return fallback;
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

/* --- patterns as the regex engine sees them ------------------------------- */

/*
 * A literal pattern as a regex: every byte that is not an ASCII letter or
 * digit becomes \xHH, so no metacharacter survives.  Returns a malloc'd
 * string or NULL on ENOMEM.
 */
static char *escape_literal(const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s), k = 0;
    char *out;

    if (n > (SIZE_MAX - 1) / 4)
        return NULL;
    out = malloc(n * 4 + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            out[k++] = (char)c;
        } else {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15u];
        }
    }
    out[k] = '\0';
    return out;
}

const char *ps_pattern_regex(const ps_pattern *p, char **owned)
{
    *owned = NULL;
    if (!(p->flags & PS_PAT_LITERAL))
        return p->expr;
    *owned = escape_literal(p->expr);
    return *owned;
}

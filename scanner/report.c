/*
 * report.c - the reporter table.  A new output format is one
 * report_<name>.c defining ps_reporter_<name>, plus one X(name) line below.
 */
#include "config.h"

#include <string.h>

#include "report.h"

#define PS_REPORTERS(X) \
    X(text)             \
    X(json)             \
    X(ndjson)           \
    X(sarif)            \
    X(html)

#define REPORTER_ENTRY(n) &ps_reporter_##n,
#define REPORTER_NAME(n) ", " #n

static const ps_reporter *const reporters[] = { PS_REPORTERS(REPORTER_ENTRY) };

/* Built by the preprocessor from the same list, so it cannot drift. */
static const char reporter_names[] = PS_REPORTERS(REPORTER_NAME);

const ps_reporter *ps_reporter_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(reporters) / sizeof(reporters[0]); i++) {
        if (strcmp(reporters[i]->name, name) == 0)
            return reporters[i];
    }
    return NULL;
}

const char *ps_reporter_names(void)
{
    return reporter_names + 2; /* skip the leading ", " */
}

const ps_rule *ps_report_rule(const ps_report *r, uint32_t idx)
{
    if (r->rules == NULL || idx >= r->rules->nrules)
        return NULL;
    return &r->rules->rules[idx];
}

ps_category ps_report_category(const ps_report *r, const ps_finding *f)
{
    const ps_rule *rule = ps_report_rule(r, f->rule);

    return rule != NULL ? rule->category : PS_CAT_COUNT;
}

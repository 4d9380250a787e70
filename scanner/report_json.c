/*
 * report_json.c - the machine-readable report.  The layout is a contract
 * (docs/report-format.md): keys in a fixed order, no timestamps, no
 * addresses, so that the same scan gives the same bytes and reports can be
 * diffed and kept as baselines.  Bump schema_version on any incompatible
 * change.
 */
#include "config.h"

#include <stdio.h>

#include "jsonw.h"
#include "report.h"

#define PS_JSON_SCHEMA_VERSION 1

static const ps_rule *rule_of(const ps_report *r, uint32_t idx)
{
    if (r->rules == NULL || idx >= r->rules->nrules)
        return NULL;
    return &r->rules->rules[idx];
}

static void write_location(ps_jsonw *w, const ps_finding *f)
{
    ps_jsonw_key(w, "location");
    ps_jsonw_object_begin(w);
    switch (f->loc_kind) {
    case PS_LOC_LINE:
        ps_jsonw_key(w, "line");
        ps_jsonw_uint(w, f->line);
        if (f->column != NULL) {
            ps_jsonw_key(w, "column");
            ps_jsonw_string(w, f->column);
        }
        if (f->pointer != NULL) {
            ps_jsonw_key(w, "pointer");
            ps_jsonw_string(w, f->pointer);
        }
        break;
    case PS_LOC_CELL:
        ps_jsonw_key(w, "table");
        ps_jsonw_string(w, f->table != NULL ? f->table : "");
        ps_jsonw_key(w, "column");
        ps_jsonw_string(w, f->column != NULL ? f->column : "");
        ps_jsonw_key(w, "row");
        ps_jsonw_int(w, f->row);
        break;
    case PS_LOC_NONE:
        break;
    }
    ps_jsonw_object_end(w);
}

static void write_finding(ps_jsonw *w, const ps_report *r, const ps_finding *f)
{
    const ps_rule *rule = rule_of(r, f->rule);

    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "rule_id");
    ps_jsonw_string(w, rule != NULL ? rule->id : "");
    ps_jsonw_key(w, "category");
    ps_jsonw_string(w, rule != NULL ? ps_category_name(rule->category) : "unknown");
    ps_jsonw_key(w, "severity");
    ps_jsonw_string(w, ps_severity_name(f->severity));
    ps_jsonw_key(w, "title");
    ps_jsonw_string(w, rule != NULL && rule->title != NULL ? rule->title : "");
    ps_jsonw_key(w, "path");
    ps_jsonw_string(w, f->path != NULL ? f->path : "");
    write_location(w, f);
    ps_jsonw_key(w, "evidence");
    ps_jsonw_string(w, f->evidence != NULL ? f->evidence : "");
    ps_jsonw_key(w, "count");
    ps_jsonw_uint(w, f->count);
    /* Present exactly when the user asked for raw values; null when the hit had none. */
    if (r->show_values) {
        ps_jsonw_key(w, "value");
        ps_jsonw_string(w, f->value);
    }
    ps_jsonw_object_end(w);
}

static void write_summary(ps_jsonw *w, const ps_report *r, size_t nfindings, size_t nerrors)
{
    uint64_t by_sev[PS_SEV_COUNT] = { 0 };

    for (size_t i = 0; i < nfindings; i++) {
        unsigned s = (unsigned)r->findings->items[i].severity;

        if (s < PS_SEV_COUNT)
            by_sev[s]++;
    }
    ps_jsonw_key(w, "summary");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "files_scanned");
    ps_jsonw_uint(w, r->files_scanned);
    ps_jsonw_key(w, "bytes_scanned");
    ps_jsonw_uint(w, r->bytes_scanned);
    ps_jsonw_key(w, "files_skipped");
    ps_jsonw_uint(w, r->files_skipped);
    ps_jsonw_key(w, "findings");
    ps_jsonw_uint(w, nfindings);
    ps_jsonw_key(w, "errors");
    ps_jsonw_uint(w, nerrors);
    ps_jsonw_key(w, "by_severity");
    ps_jsonw_object_begin(w);
    for (int s = PS_SEV_COUNT - 1; s >= 0; s--) {
        ps_jsonw_key(w, ps_severity_name((ps_severity)s));
        ps_jsonw_uint(w, by_sev[s]);
    }
    ps_jsonw_object_end(w);
    ps_jsonw_key(w, "complete");
    ps_jsonw_bool(w, nerrors == 0);
    ps_jsonw_object_end(w);
}

/* Write the whole report; PS_ERR_IO when out has a write error at the end. */
static ps_status json_write(FILE *out, const ps_report *r)
{
    ps_jsonw w;
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;
    size_t nerrors = r->errors != NULL ? r->errors->n : 0;

    ps_jsonw_init(&w, out, true);
    ps_jsonw_object_begin(&w);
    ps_jsonw_key(&w, "schema_version");
    ps_jsonw_int(&w, PS_JSON_SCHEMA_VERSION);
    ps_jsonw_key(&w, "tool");
    ps_jsonw_object_begin(&w);
    ps_jsonw_key(&w, "name");
    ps_jsonw_string(&w, r->tool_name != NULL ? r->tool_name : PACKAGE_NAME);
    ps_jsonw_key(&w, "version");
    ps_jsonw_string(&w, r->tool_version != NULL ? r->tool_version : PACKAGE_VERSION);
    ps_jsonw_object_end(&w);
    ps_jsonw_key(&w, "root");
    ps_jsonw_string(&w, r->root != NULL ? r->root : "");
    write_summary(&w, r, nfindings, nerrors);
    ps_jsonw_key(&w, "findings");
    ps_jsonw_array_begin(&w);
    for (size_t i = 0; i < nfindings; i++)
        write_finding(&w, r, &r->findings->items[i]);
    ps_jsonw_array_end(&w);
    /* Filled by the impact stage in a later version; present now so consumers can rely on it. */
    ps_jsonw_key(&w, "impact");
    ps_jsonw_array_begin(&w);
    ps_jsonw_array_end(&w);
    ps_jsonw_key(&w, "errors");
    ps_jsonw_array_begin(&w);
    for (size_t i = 0; i < nerrors; i++) {
        ps_jsonw_object_begin(&w);
        ps_jsonw_key(&w, "path");
        ps_jsonw_string(&w, r->errors->items[i].path);
        ps_jsonw_key(&w, "message");
        ps_jsonw_string(&w, r->errors->items[i].message);
        ps_jsonw_object_end(&w);
    }
    ps_jsonw_array_end(&w);
    ps_jsonw_object_end(&w);
    return ferror(out) ? PS_ERR_IO : PS_OK;
}

const ps_reporter ps_reporter_json = { "json", json_write };

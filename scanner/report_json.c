/*
 * report_json.c - the machine-readable report.  The layout is a contract
 * (docs/report-format.md): keys in a fixed order, no timestamps, no
 * addresses, so that the same scan gives the same bytes and reports can be
 * diffed and kept as baselines.  Members are only ever added (optional ones
 * appear only when they have a value); bump schema_version on any
 * incompatible change.
 *
 * The objects themselves (finding, error, impact, summary) are written by
 * the ps_json_*_members functions, which the NDJSON reporter shares.
 */
#include "config.h"

#include <stdio.h>

#include "date.h"
#include "jsonw.h"
#include "report.h"
#include "report_json.h"

#define PS_JSON_SCHEMA_VERSION 1

static void write_location(ps_jsonw *w, const ps_finding *f)
{
    ps_jsonw_key(w, "location");
    ps_jsonw_object_begin(w);
    /* First, so that every location kind inside a compressed file reads the same way. */
    if (f->inner != NULL) {
        ps_jsonw_key(w, "inner");
        ps_jsonw_string(w, f->inner);
    }
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
        if (f->column != NULL) { /* row findings are about a whole row */
            ps_jsonw_key(w, "column");
            ps_jsonw_string(w, f->column);
        }
        ps_jsonw_key(w, "row");
        ps_jsonw_int(w, f->row);
        break;
    case PS_LOC_NONE:
        break;
    }
    ps_jsonw_object_end(w);
}

void ps_json_finding_members(ps_jsonw *w, const ps_report *r, const ps_finding *f)
{
    const ps_rule *rule = ps_report_rule(r, f->rule);

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
    if (f->oldest != PS_DAY_NONE) {
        char day[16];

        ps_date_format(f->oldest, day, sizeof(day));
        ps_jsonw_key(w, "oldest");
        ps_jsonw_string(w, day);
    }
    if (f->escalation != NULL) {
        ps_jsonw_key(w, "escalated");
        ps_jsonw_object_begin(w);
        ps_jsonw_key(w, "by");
        ps_jsonw_string(w, f->escalation);
        ps_jsonw_key(w, "reason");
        ps_jsonw_string(w, f->reason != NULL ? f->reason : "");
        ps_jsonw_object_end(w);
    }
    /* Present exactly when the user asked for raw values; null when the hit had none. */
    if (r->show_values) {
        ps_jsonw_key(w, "value");
        ps_jsonw_string(w, f->value);
    }
}

void ps_json_error_members(ps_jsonw *w, const ps_file_error *e)
{
    ps_jsonw_key(w, "path");
    ps_jsonw_string(w, e->path);
    ps_jsonw_key(w, "message");
    ps_jsonw_string(w, e->message);
}

static void write_people(ps_jsonw *w, uint64_t parents, uint64_t children)
{
    ps_jsonw_key(w, "parents");
    ps_jsonw_uint(w, parents);
    ps_jsonw_key(w, "children");
    ps_jsonw_uint(w, children);
}

void ps_json_impact_members(ps_jsonw *w, const ps_impact *im)
{
    ps_jsonw_key(w, "path");
    ps_jsonw_string(w, im->path != NULL ? im->path : "");
    ps_jsonw_key(w, "by_country");
    ps_jsonw_array_begin(w);
    for (size_t i = 0; i < im->nrows; i++) {
        ps_jsonw_object_begin(w);
        ps_jsonw_key(w, "country");
        ps_jsonw_string(w, im->rows[i].country != NULL ? im->rows[i].country : "Unknown");
        write_people(w, im->rows[i].parents, im->rows[i].children);
        ps_jsonw_object_end(w);
    }
    ps_jsonw_array_end(w);
    ps_jsonw_key(w, "totals");
    ps_jsonw_object_begin(w);
    write_people(w, im->parents, im->children);
    ps_jsonw_object_end(w);
}

void ps_json_summary_members(ps_jsonw *w, const ps_report *r)
{
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;
    size_t nerrors = r->errors != NULL ? r->errors->n : 0;
    uint64_t by_sev[PS_SEV_COUNT] = { 0 };

    for (size_t i = 0; i < nfindings; i++) {
        unsigned s = (unsigned)r->findings->items[i].severity;

        if (s < PS_SEV_COUNT)
            by_sev[s]++;
    }
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
    if (r->as_of != NULL) {
        ps_jsonw_key(w, "as_of");
        ps_jsonw_string(w, r->as_of);
    }
}

/* Write the whole report; PS_ERR_IO when out has a write error at the end. */
static ps_status json_write(FILE *out, const ps_report *r)
{
    ps_jsonw w;
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;
    size_t nerrors = r->errors != NULL ? r->errors->n : 0;
    size_t nimpact = r->impact != NULL ? r->impact->n : 0;

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
    ps_jsonw_key(&w, "summary");
    ps_jsonw_object_begin(&w);
    ps_json_summary_members(&w, r);
    ps_jsonw_object_end(&w);
    ps_jsonw_key(&w, "findings");
    ps_jsonw_array_begin(&w);
    for (size_t i = 0; i < nfindings; i++) {
        ps_jsonw_object_begin(&w);
        ps_json_finding_members(&w, r, &r->findings->items[i]);
        ps_jsonw_object_end(&w);
    }
    ps_jsonw_array_end(&w);
    /* Always present (possibly empty), so consumers need no special case. */
    ps_jsonw_key(&w, "impact");
    ps_jsonw_array_begin(&w);
    for (size_t i = 0; i < nimpact; i++) {
        ps_jsonw_object_begin(&w);
        ps_json_impact_members(&w, &r->impact->items[i]);
        ps_jsonw_object_end(&w);
    }
    ps_jsonw_array_end(&w);
    ps_jsonw_key(&w, "errors");
    ps_jsonw_array_begin(&w);
    for (size_t i = 0; i < nerrors; i++) {
        ps_jsonw_object_begin(&w);
        ps_json_error_members(&w, &r->errors->items[i]);
        ps_jsonw_object_end(&w);
    }
    ps_jsonw_array_end(&w);
    ps_jsonw_object_end(&w);
    return ferror(out) ? PS_ERR_IO : PS_OK;
}

const ps_reporter ps_reporter_json = { "json", json_write };

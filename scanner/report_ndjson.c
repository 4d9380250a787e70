/*
 * report_ndjson.c - the JSON report as a stream: one compact object per
 * line, for tools that process findings one at a time (jq -c, log
 * shippers) and for scans too large to hold as one document.
 *
 * Lines come in a fixed order: every finding, then every error, then every
 * impact store, then exactly one summary, which is always last, so a reader
 * can tell a complete stream from a truncated one.  Each object starts with
 * "type" and otherwise has the same members as in the JSON report (the
 * shared ps_json_*_members functions write both).
 */
#include "config.h"

#include <stdio.h>

#include "jsonw.h"
#include "report.h"
#include "report_json.h"

/* Open one line's object with its "type" member first. */
static void line_begin(ps_jsonw *w, const char *type)
{
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "type");
    ps_jsonw_string(w, type);
}

/* Write the whole stream; PS_ERR_IO when out has a write error at the end. */
static ps_status ndjson_write(FILE *out, const ps_report *r)
{
    ps_jsonw w;
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;
    size_t nerrors = r->errors != NULL ? r->errors->n : 0;
    size_t nimpact = r->impact != NULL ? r->impact->n : 0;

    /* Compact mode: closing a top-level object ends the line. */
    ps_jsonw_init(&w, out, false);
    for (size_t i = 0; i < nfindings; i++) {
        line_begin(&w, "finding");
        ps_json_finding_members(&w, r, &r->findings->items[i]);
        ps_jsonw_object_end(&w);
    }
    for (size_t i = 0; i < nerrors; i++) {
        line_begin(&w, "error");
        ps_json_error_members(&w, &r->errors->items[i]);
        ps_jsonw_object_end(&w);
    }
    for (size_t i = 0; i < nimpact; i++) {
        line_begin(&w, "impact");
        ps_json_impact_members(&w, &r->impact->items[i]);
        ps_jsonw_object_end(&w);
    }
    line_begin(&w, "summary");
    ps_json_summary_members(&w, r);
    ps_jsonw_object_end(&w);
    return ferror(out) ? PS_ERR_IO : PS_OK;
}

const ps_reporter ps_reporter_ndjson = { "ndjson", ndjson_write };

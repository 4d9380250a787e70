/*
 * report_json.h - the JSON objects that the json and ndjson reporters share.
 *
 * Each ps_json_*_members call writes the members of one object (no braces),
 * so that the pretty JSON report can nest them and the NDJSON report can put
 * its "type" member first on a line of its own.  One function per object
 * keeps the two formats member-for-member identical (docs/report-format.md).
 */
#ifndef PS_REPORT_JSON_H
#define PS_REPORT_JSON_H

#include <stdint.h>

#include "jsonw.h"
#include "report.h"


/* rule_id, category, severity, title, path, location, evidence, count, [oldest], [escalated], [value]. */
void ps_json_finding_members(ps_jsonw *w, const ps_report *r, const ps_finding *f);
/* path, message. */
void ps_json_error_members(ps_jsonw *w, const ps_file_error *e);
/* path, by_country, totals. */
void ps_json_impact_members(ps_jsonw *w, const ps_impact *im);
/* files_scanned ... complete, [as_of]. */
void ps_json_summary_members(ps_jsonw *w, const ps_report *r);

#endif /* PS_REPORT_JSON_H */

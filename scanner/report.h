/*
 * report.h - the reporter interface.  Reporters know findings, rules and
 * errors; they know nothing of formats or readers.  A new output is one
 * report_<name>.c plus one line in the table in report.c.
 */
#ifndef PS_REPORT_H
#define PS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "findings.h"
#include "plainsight.h"
#include "rules.h"

/* Exposed people of one country (or region) in one store. */
typedef struct ps_impact_row {
    const char *country; /* a ps_country name, or "Unknown" */
    uint64_t parents;
    uint64_t children;
} ps_impact_row;

/*
 * One user-store: a SQLite database, a SQL dump, or a folder of CSV / JSON
 * files that share an id column.  Rows are sorted by parents + children,
 * largest first (ties by name), like the breach table.
 */
typedef struct ps_impact {
    char *path;          /* relative: the file, or the folder for a folder store */
    ps_impact_row *rows;
    size_t nrows;
    uint64_t parents;    /* totals */
    uint64_t children;
} ps_impact;

typedef struct ps_impacts {
    ps_impact *items;    /* sorted by path */
    size_t n, cap;
} ps_impacts;

void ps_impacts_free(ps_impacts *im);

/* Everything a reporter may show.  All borrowed. */
typedef struct ps_report {
    const char *tool_name;
    const char *tool_version;
    const char *root;            /* the scanned path as given ("." joins several) */
    const ps_ruleset *rules;
    const ps_findings *findings; /* sorted */
    const ps_errors *errors;     /* sorted */
    const ps_impacts *impact;    /* may be NULL or empty */
    const char *as_of;           /* the reference date used, YYYY-MM-DD */
    uint64_t files_scanned;      /* files read (or sniffed) to a verdict */
    uint64_t bytes_scanned;
    uint64_t files_skipped;      /* FIFOs, sockets, devices, links out of the root */
    ps_severity fail_on;
    bool show_values;            /* findings carry raw values; say so loudly */
    bool color;                  /* ANSI colour allowed (tty and no NO_COLOR) */
} ps_report;

typedef struct ps_reporter {
    const char *name; /* the --format value */
    ps_status (*write)(FILE *out, const ps_report *r);
} ps_reporter;

/* The rule of finding index idx, or NULL when the report has no such rule. */
const ps_rule *ps_report_rule(const ps_report *r, uint32_t idx);
/* A finding's category (PS_CAT_COUNT when its rule is unknown). */
ps_category ps_report_category(const ps_report *r, const ps_finding *f);

/* The reporter called name, or NULL. */
const ps_reporter *ps_reporter_find(const char *name);
/* Comma-separated list of names, for --help and errors. */
const char *ps_reporter_names(void);

extern const ps_reporter ps_reporter_text;
extern const ps_reporter ps_reporter_json;
extern const ps_reporter ps_reporter_ndjson;
extern const ps_reporter ps_reporter_sarif;
extern const ps_reporter ps_reporter_html;

#endif /* PS_REPORT_H */

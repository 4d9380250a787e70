/*
 * findings.h - what a scan found, aggregated and ordered.
 *
 * Repeated hits of one rule in one place (a column, a JSON pointer, a text
 * file) become one finding with a count and the first location, so that a
 * 6,000-row table gives one finding, not 6,000.  Aggregation is per file, in
 * the worker that read the file; ps_findings_sort then gives one order that
 * does not depend on how work was split between threads.
 *
 * Evidence is redacted when the finding is created (see redact.h).  The raw
 * value is kept only when the user asked for it (--show-values).
 */
#ifndef PS_FINDINGS_H
#define PS_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "read.h"
#include "rules.h"

typedef struct ps_finding {
    uint32_t rule;          /* index into the rule set */
    ps_severity severity;   /* the rule's severity (adjustable by later stages) */
    char *path;             /* relative, '/'-separated; owned */
    ps_loc_kind loc_kind;
    uint64_t line;          /* first location; PS_LOC_LINE */
    char *table;            /* owned or NULL */
    char *column;           /* owned or NULL */
    int64_t row;
    char *pointer;          /* owned or NULL */
    char *inner;            /* file inside a compressed file (backup.sql in backup.sql.gz), owned or NULL */
    char *evidence;         /* redacted; owned; "" when there is no value */
    char *value;            /* raw evidence, only with show_values; else NULL */
    uint64_t count;         /* hits aggregated into this finding, >= 1 */
    int32_t oldest;         /* retention rules: oldest date seen (days since 1970), else INT32_MIN */
    const char *escalation; /* id of the escalation that raised the severity, or NULL (borrowed from the rule set) */
    const char *reason;     /* its reason (borrowed), or NULL */
} ps_finding;

typedef struct ps_findings {
    ps_finding *items;
    size_t n, cap;
} ps_findings;

/* An input that could not be read fully: the scan is then incomplete. */
typedef struct ps_file_error {
    char *path;    /* relative, owned */
    char *message; /* one line, owned; never contains scanned values */
} ps_file_error;

typedef struct ps_errors {
    ps_file_error *items;
    size_t n, cap;
} ps_errors;

void ps_finding_free(ps_finding *f);
void ps_findings_free(ps_findings *fs);
/* Moves every finding of src to the end of dst; src is left empty. */
ps_status ps_findings_move(ps_findings *dst, ps_findings *src) PS_WARN_UNUSED;
/*
 * Deterministic order: severity (most severe first), category, rule id,
 * path (bytewise), then location (line, table, column, row, pointer).
 */
void ps_findings_sort(ps_findings *fs, const ps_ruleset *rs);

ps_status ps_errors_add(ps_errors *es, const char *path, const char *message) PS_WARN_UNUSED;
void ps_errors_free(ps_errors *es);
/* Sorted by path, then message. */
void ps_errors_sort(ps_errors *es);

/* --- per-file aggregation ------------------------------------------------ */

typedef struct ps_agg ps_agg;

ps_status ps_agg_create(bool show_values, ps_agg **out) PS_WARN_UNUSED;
void ps_agg_destroy(ps_agg *a);

/*
 * Count one hit of rule (with its severity) in file path at rec (NULL for a
 * file-scope hit).  The aggregation key is (rule, table, column or pointer
 * or field); text lines and file hits aggregate per file.  When the key is
 * new, *fresh is set to true and the caller should then call
 * ps_agg_set_evidence with the matched text; otherwise the count grows.
 */
ps_status ps_agg_hit(ps_agg *a, uint32_t rule, ps_severity sev, const char *path,
                     const ps_record *rec, bool *fresh) PS_WARN_UNUSED;

/* Evidence for the finding the last ps_agg_hit created: redacted, and raw if show_values. */
ps_status ps_agg_set_evidence(ps_agg *a, const char *text, size_t len) PS_WARN_UNUSED;

/* The finding the last ps_agg_hit counted saw this date: keep the oldest. */
void ps_agg_note_date(ps_agg *a, int32_t day);

/*
 * Fold src (findings of later records of the same file, aggregated by
 * another ps_agg) into a, as if a had counted those hits itself: a key new
 * to a keeps src's first location and evidence, a known key adds its count
 * and keeps the older date, and the distinct-key cap applies as in
 * ps_agg_hit.  Absorbing the parts of a file in record order therefore gives
 * exactly the findings one ps_agg would have made.  src is left empty
 * (its memory is kept).  Fails only with PS_ERR_NOMEM.
 */
ps_status ps_agg_absorb(ps_agg *a, ps_findings *src) PS_WARN_UNUSED;
/* Moves the file's findings (first-seen order) to out and resets a for the next file. */
ps_status ps_agg_take(ps_agg *a, ps_findings *out) PS_WARN_UNUSED;

#endif /* PS_FINDINGS_H */

/*
 * scan.h - the pipeline: walk, then for every file sniff, read and match in
 * a worker pool, then run file rules and gather findings in one order.
 *
 * The rule set and matcher are shared and read-only; each worker has its own
 * match context and aggregator.  Each file's findings are kept in a slot of
 * its own and joined in walk order, so the result is byte-identical whatever
 * the number of threads.
 */
#ifndef PS_SCAN_H
#define PS_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "findings.h"
#include "ignore.h"
#include "match.h"
#include "plainsight.h"
#include "report.h"

/*
 * Live counters a caller may watch from another thread (a progress line).
 * The scan writes them; readers only load.  Totals are known once the walk
 * is done (total_files becomes non-zero then).
 */
typedef struct ps_scan_progress {
    atomic_uint_fast64_t total_files;
    atomic_uint_fast64_t total_bytes;
    atomic_uint_fast64_t done_files;
    atomic_uint_fast64_t done_bytes;
} ps_scan_progress;

typedef struct ps_scan_opts {
    const char *const *roots;
    size_t nroots;
    unsigned threads;     /* 0: the number of online CPUs */
    bool show_values;
    size_t max_record;    /* 0: PS_MAX_RECORD_DEFAULT */
    int32_t as_of;        /* reference day (date.h) for ages and retention */
    const ps_ignore *ignore; /* paths left out (NULL: none); borrowed */
    ps_scan_progress *progress; /* NULL, or counters to keep up to date */
    /*
     * Files of at least split_bytes are read by one worker and matched by
     * all (0: PS_SCAN_SPLIT_DEFAULT; UINT64_MAX: never), in batches of at
     * most batch_records records (0: PS_BATCH_RECORDS).  Neither changes
     * the result; tests set them to split small files finely.
     */
    uint64_t split_bytes;
    size_t batch_records;
    /*
     * Big user stores (see split_bytes) are read side by side while their
     * sizes add up to at most store_budget bytes (0: the default); a bigger
     * one is read alone.  Bounds their linkage indexes in memory; never
     * changes the result.
     */
    uint64_t store_budget;
} ps_scan_opts;

#define PS_SCAN_SPLIT_DEFAULT ((uint64_t)8 << 20)
#define PS_SCAN_STORE_BUDGET_DEFAULT ((uint64_t)512 << 20)

typedef struct ps_scan_result {
    ps_findings findings; /* sorted */
    ps_errors errors;     /* sorted; non-empty means the scan is incomplete */
    ps_impacts impact;    /* exposed people per store and country */
    uint64_t files_scanned;
    uint64_t bytes_scanned;
    uint64_t files_skipped;
} ps_scan_result;

/*
 * Scan.  Returns PS_OK when the scan ran (even with per-file errors, which
 * are in out->errors), PS_ERR_USAGE when a root does not exist (*diag says
 * which), or PS_ERR_NOMEM.
 */
ps_status ps_scan_run(const ps_matcher *m, const ps_scan_opts *opts,
                      ps_scan_result *out, ps_diag *diag) PS_WARN_UNUSED;
void ps_scan_result_free(ps_scan_result *r);

#endif /* PS_SCAN_H */

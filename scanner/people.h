/*
 * people.h - records understood as people: rows, subjects, ages, linkage
 * and the impact table.
 *
 * Readers emit cells; a person is a row.  The people tracker watches the
 * record stream of one file, groups consecutive records of the same row
 * (same table and row, or same CSV / JSONL line), and at the end of each row
 * decides, with the `subjects` section of the rule set, whether the row is a
 * child or a parent, how old the person was (at the record's creation date
 * when it has one, else at --as-of), and whether it identifies them.  Those
 * facts go to the row-scope rules (child-record findings) and into the
 * impact count.
 *
 * Impact is counted per user-store: a SQLite database, a SQL dump, or a
 * folder of CSV / JSON Lines files that share an id column.  Children
 * without a country of their own take their parent's, through an index of
 * parent key -> country: 8 bytes of key and 1 byte of country per parent,
 * never whole rows.  Numeric keys are kept exactly; other keys are hashed to
 * 64 bits.
 *
 * Threading: one ps_people per worker.  A file's partial counts (a
 * ps_people_part) are handed to the scan driver, which merges the parts of
 * each store once all files are read (ps_people_merge).
 */
#ifndef PS_PEOPLE_H
#define PS_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "plainsight.h"
#include "read.h"
#include "report.h"
#include "sniff.h"

typedef struct ps_people ps_people;
typedef struct ps_people_part ps_people_part;

/*
 * Called when a row is complete.  row holds the facts for row-scope rules;
 * loc is where the row is (table + row, or line), borrowed for the call.
 * Return non-zero to stop.
 */
typedef int (*ps_row_fn)(void *ud, const ps_row_facts *row, const ps_loc *loc);

/* m must outlive the tracker.  as_of is a day number (date.h). */
ps_status ps_people_create(const ps_matcher *m, int32_t as_of, ps_people **out) PS_WARN_UNUSED;
void ps_people_destroy(ps_people *p);

/*
 * Start a file.  ctx is the worker's match context (its field-name cache is
 * reused to classify tables and columns).  Files of formats that hold no
 * rows of people are ignored until the next begin.
 */
ps_status ps_people_file_begin(ps_people *p, ps_match_ctx *ctx, const char *rel_path,
                               ps_format format) PS_WARN_UNUSED;

/* Feed one record of the current file; may complete the previous row. */
ps_status ps_people_record(ps_people *p, const ps_record *rec, ps_row_fn fn, void *ud) PS_WARN_UNUSED;

/*
 * End the file: completes the last row and moves the file's counts to *part
 * (NULL when the file held no people).  A single-file store (SQLite, SQL
 * dump) is resolved here, so only its per-country counts are kept.
 */
ps_status ps_people_file_end(ps_people *p, ps_row_fn fn, void *ud,
                             ps_people_part **part) PS_WARN_UNUSED;

void ps_people_part_free(ps_people_part *part);
/*
 * The folder store a part still waits on (from a CSV or JSON Lines file
 * whose siblings may hold the other side of its links), or NULL.
 */
const char *ps_people_part_folder(const ps_people_part *part);
/*
 * Join every part of one folder store (parts[0..n), all with the same
 * ps_people_part_folder, once all of the folder's files are read) into
 * parts[0] and resolve it, so that only its counts stay in memory, as for a
 * single-file store; parts[1..n) are freed and set to NULL.  The scan driver
 * calls this as soon as a folder is done, so a big export does not hold
 * its linkage index while other stores are read.  ps_people_merge takes the
 * result like any other part.  Fails only with PS_ERR_NOMEM.
 */
ps_status ps_people_join(ps_people_part **parts, size_t n) PS_WARN_UNUSED;

/*
 * Merge the parts of every store (in any order; parts are consumed and the
 * array's entries set to NULL) into out, one ps_impact per store with
 * people, sorted by path, rows sorted like the breach table.
 */
ps_status ps_people_merge(const ps_ruleset *rs, ps_people_part **parts, size_t nparts,
                          ps_impacts *out) PS_WARN_UNUSED;

#endif /* PS_PEOPLE_H */

/*
 * baseline.h - adopt plainsight on an existing data lake: record today's
 * findings once, then report only what is new.
 *
 * A baseline is a JSON file holding a random 32-byte key and a sorted list
 * of keyed fingerprints, one per finding (docs/baseline.md has the format
 * and the threat model).  A finding's fingerprint covers where it is and
 * what rule fired:
 *
 *   rule id, path, inner file (gzip member), table, and the JSON pointer
 *   with array indices folded to "*" (or else the column)
 *
 * and never a line number, row number, count or evidence, so a log that
 * gains lines at the top, or a chat log whose lines are reordered, keeps its
 * findings.  The price of that stability: a finding aggregates every hit of
 * a rule in one column, pointer or text file, so a new bad value in an
 * already baselined column or log is not reported; a new file, table,
 * column or rule hit is.
 *
 * Ownership: ps_baseline_load allocates a ps_baseline that the caller frees
 * with ps_baseline_free (NULL is a no-op); the key it holds is wiped then.
 */
#ifndef PS_BASELINE_H
#define PS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "findings.h"
#include "plainsight.h"
#include "rules.h"

#define PS_BASELINE_KEY_BYTES 32u
#define PS_BASELINE_FP_BYTES 16u
/* A baseline file larger than this is refused unread. */
#define PS_BASELINE_MAX_FILE (64u * 1024u * 1024u)

typedef struct ps_baseline ps_baseline;

/*
 * The fingerprint of f under key: keyed BLAKE2b, 16 bytes in out.  A rule
 * index outside rs counts as an empty rule id.  Cannot fail: the hash
 * needs no allocation and its parameters are constants.
 */
void ps_baseline_fingerprint(const unsigned char key[PS_BASELINE_KEY_BYTES],
                             const ps_ruleset *rs, const ps_finding *f,
                             unsigned char out[PS_BASELINE_FP_BYTES]);

/*
 * Write a baseline of fs to path under a fresh random key, atomically
 * (a temporary file in the same directory, fsync, rename; mode 0644).
 * tool_version goes into the file for people reading it.  Fails with
 * PS_ERR_IO (diag: "path: reason"), PS_ERR_NOMEM or PS_ERR_CRYPTO.
 */
ps_status ps_baseline_write(const char *path, const ps_ruleset *rs, const ps_findings *fs,
                            const char *tool_version, ps_diag *diag) PS_WARN_UNUSED;

/*
 * Same as ps_baseline_write under a given key: the same findings and key
 * give the same bytes.  For tests, and for tools that refresh a baseline
 * without making its fingerprints unlinkable to the old ones.
 */
ps_status ps_baseline_write_keyed(const char *path, const unsigned char key[PS_BASELINE_KEY_BYTES],
                                  const ps_ruleset *rs, const ps_findings *fs,
                                  const char *tool_version, ps_diag *diag) PS_WARN_UNUSED;

/*
 * Read and validate the baseline at path into *out (NULL on failure).
 * An unreadable file gives PS_ERR_IO ("path: reason"); anything that is not
 * a valid version-1 baseline gives PS_ERR_USAGE with
 * "path: not a plainsight baseline: <what is wrong>"; PS_ERR_NOMEM.
 */
ps_status ps_baseline_load(const char *path, ps_baseline **out, ps_diag *diag) PS_WARN_UNUSED;

void ps_baseline_free(ps_baseline *b);

/* How many distinct fingerprints b holds. */
size_t ps_baseline_count(const ps_baseline *b);

/* Whether b holds fingerprint fp. */
bool ps_baseline_has(const ps_baseline *b, const unsigned char fp[PS_BASELINE_FP_BYTES]);

/*
 * Remove from fs (keeping order) every finding the baseline has; removed
 * findings are freed, and *removed (may be NULL) receives their number.
 */
void ps_baseline_filter(const ps_baseline *b, const ps_ruleset *rs, ps_findings *fs,
                        size_t *removed);

#endif /* PS_BASELINE_H */

/*
 * need.h - what every match of a regex must contain.
 *
 * On the short values of a store (ids, timestamps, hashes, birthdates),
 * Hyperscan's cost is per call, not per byte: about 90 ns a cell on the
 * rule pack's value patterns, most of it for cells that cannot match.
 * A necessary condition read off each pattern's syntax answers those cells
 * for a few nanoseconds: an email pattern needs an '@', an IPv4 pattern a
 * run of seven bytes from [0-9.], a card pattern a run of thirteen from
 * [0-9 -].  A value that meets no pattern's condition is not scanned.
 *
 * The analysis is conservative by construction: a byte class only ever
 * grows (a superset of what the regex can match), a length only shrinks,
 * and any syntax it does not know for certain gives "no requirement", which
 * means "always scan".  So a wrong answer can cost speed, never a finding.
 * Which clauses are kept is a matter of speed only (a byte-frequency guess
 * picks the rarest).
 */
#ifndef PS_NEED_H
#define PS_NEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"

/* A set of bytes: bit b of w[b / 64]. */
typedef struct ps_byteset {
    uint64_t w[4];
} ps_byteset;

/* Every match holds a run of at least `run` (>= 1) consecutive bytes of `set`. */
typedef struct ps_need_clause {
    ps_byteset set;
    uint32_t run;
} ps_need_clause;

/* At most PS_NEED_RUNS clauses with run > 1, and the rest with run == 1. */
#define PS_NEED_CLAUSES 8
#define PS_NEED_RUNS 2

/* All clauses hold in every match.  n == 0: nothing is known (always scan). */
typedef struct ps_need {
    unsigned n;
    ps_need_clause c[PS_NEED_CLAUSES];
} ps_need;

/*
 * The need of expr (Hyperscan syntax, byte mode; caseless as with
 * HS_FLAG_CASELESS).  Returns false, with out->n == 0, when the syntax holds
 * anything the analysis does not know (back-references, \p{..}, (?x), ...);
 * true otherwise (out->n may still be 0, e.g. for a pattern that can match
 * the empty string).
 */
bool ps_need_of(const char *expr, bool caseless, ps_need *out);

/* Whether v[0..n) meets every clause of nd: the plain reference check. */
bool ps_need_holds(const ps_need *nd, const char *v, size_t n);

/*
 * The needs of the patterns of one database, compiled for a fast "may any
 * of them match?".  The set tracks 64 distinct byte classes of each kind
 * (presence, runs); a clause whose class does not fit is left out, which
 * only weakens the filter.  NULL when some pattern has no need, or none
 * left, since then every value may match; ps_need_set_may_match(NULL, ...)
 * is always true.
 */
typedef struct ps_need_set ps_need_set;

/* *out is NULL (not an error) in the cases above. */
ps_status ps_need_set_new(const ps_need *needs, size_t n, ps_need_set **out) PS_WARN_UNUSED;
void ps_need_set_free(ps_need_set *s);

/*
 * False only when no pattern of s can match v[0..n): every pattern has a
 * clause v does not meet.  Values longer than PS_NEED_SCAN_MAX are not
 * looked at (true): on long text the engine's own prefilters do better.
 */
#define PS_NEED_SCAN_MAX 256u
bool ps_need_set_may_match(const ps_need_set *s, const char *v, size_t n);

#endif /* PS_NEED_H */

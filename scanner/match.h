/*
 * match.h - run a rule set against files and records.
 *
 * Compile once, scan many (as yara does): ps_matcher is built from a rule set
 * once, compiling every regex and keyword of every rule into one Hyperscan
 * database per target (field names, values, paths).  It is immutable and
 * shared by all workers.  Each worker owns a ps_match_ctx (Hyperscan scratch,
 * match bitsets, a per-file field-name cache), so the hot path allocates
 * nothing.
 *
 * Use per file:  ps_match_file_begin, then ps_match_record for each record;
 * file-scope rules are run separately with ps_match_file (after the walk,
 * when "beside" facts are known).
 */
#ifndef PS_MATCH_H
#define PS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "read.h"
#include "rules.h"
#include "sniff.h"

typedef struct ps_matcher ps_matcher;
typedef struct ps_match_ctx ps_match_ctx;

/* Facts about a file that file detectors look at.  Borrowed. */
typedef struct ps_file_facts {
    const char *rel_path; /* relative, '/'-separated */
    uint64_t size;
    unsigned mode;        /* st_mode permission bits (07777) */
    ps_sniff sniff;
    uint32_t beside;      /* formats of the other files in the same folder: (1u << ps_format) */
    bool nonce_reused;    /* another ciphertext file of the scan starts with the same
                             nonce (nonce.h); known only after every file is sniffed */
} ps_file_facts;

/* Facts about an assembled row of a people store (see people.h). */
typedef struct ps_row_facts {
    uint32_t subject;  /* PS_SUBJECT_* bits, 0 when the row is no subject */
    int age;           /* whole years, -1 when unknown */
    bool identified;   /* a readable identifying field (name, username, photo) */
} ps_row_facts;

/*
 * Called for each rule that fires.  rec is NULL for file-scope rules.
 * Return 0 to go on, non-zero to stop (the match call returns PS_ERR_STOP).
 */
typedef int (*ps_hit_fn)(void *ud, uint32_t rule, const ps_record *rec);

/*
 * Compile rs.  A regex the engine cannot compile gives PS_ERR_RULE and
 * "file:line:col: bad regex: <engine's reason>" in *diag (the regex itself
 * is at that location in the rule file).  rs must
 * outlive the matcher.
 */
ps_status ps_matcher_create(const ps_ruleset *rs, ps_matcher **out, ps_diag *diag) PS_WARN_UNUSED;
void ps_matcher_destroy(ps_matcher *m);
const ps_ruleset *ps_matcher_rules(const ps_matcher *m);

ps_status ps_match_ctx_create(const ps_matcher *m, ps_match_ctx **out) PS_WARN_UNUSED;
void ps_match_ctx_destroy(ps_match_ctx *c);

/* Start a file: path patterns are matched here, once.  f is borrowed until the next begin. */
void ps_match_file_begin(ps_match_ctx *c, const ps_file_facts *f);

/* Run every record-scope rule against rec (in the current file). */
ps_status ps_match_record(ps_match_ctx *c, const ps_record *rec, ps_hit_fn fn, void *ud);

/* Run every file-scope rule against f. */
ps_status ps_match_file(ps_match_ctx *c, const ps_file_facts *f, ps_hit_fn fn, void *ud);

/*
 * Run every row-scope rule against row (in the current file).  fn gets
 * rec = NULL; the caller knows where the row is.
 */
ps_status ps_match_row(ps_match_ctx *c, const ps_row_facts *row, ps_hit_fn fn, void *ud);

/* Did PATH pattern `pattern` match the path given to the last ps_match_file_begin? */
bool ps_match_path(const ps_match_ctx *c, uint32_t pattern);

/* The reference date for age and retention detectors (a day number, date.h). */
void ps_match_ctx_set_as_of(ps_match_ctx *c, int32_t day);

/*
 * The date the last OLDER_THAN detector parsed in the current record, or
 * INT32_MIN.  Lets retention findings keep the oldest date they saw.
 */
int32_t ps_match_record_date(const ps_match_ctx *c);

/*
 * Does FIELD pattern `pattern` match name?  Uses the per-file field-name
 * cache, so classifying the same table or column name again is a lookup.
 */
bool ps_match_name(ps_match_ctx *c, const char *name, size_t len, uint32_t pattern);

/*
 * Evaluate one rule (either scope) against f and, for record rules, rec.
 * Used by `rules test`; slower than the calls above.
 */
ps_status ps_match_rule(ps_match_ctx *c, uint32_t rule, const ps_file_facts *f,
                        const ps_record *rec, bool *matched);

/*
 * The part of rec->value that made a rule fire: the leftmost match of the
 * rule's first value or keyword pattern that matches, else the whole value.
 * Called once per new finding (for evidence), never per record.
 */
void ps_match_span(ps_match_ctx *c, uint32_t rule, const ps_record *rec,
                   size_t *start, size_t *end);

/* One row-scope rule against row facts, for `rules test`. */
ps_status ps_match_rule_row(ps_match_ctx *c, uint32_t rule, const ps_file_facts *f,
                            const ps_row_facts *row, bool *matched);

/* --- rule tests (ruletest.c) --------------------------------------------- */

/* Called for each failing example; msg is "file:line:col: rule ID: ..." */
typedef void (*ps_ruletest_fn)(void *ud, const char *msg);

/*
 * Run every inline example of every rule.  *passed / *failed count examples.
 * Returns PS_OK when all pass, PS_ERR_RULE when any fails.
 */
ps_status ps_rules_test(const ps_matcher *m, ps_ruletest_fn fn, void *ud,
                        size_t *passed, size_t *failed);

#endif /* PS_MATCH_H */

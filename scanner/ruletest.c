/*
 * ruletest.c - `plainsight rules test`: run every rule's inline examples.
 *
 * Each example is a synthetic record in a synthetic file.  A rule must carry
 * at least one example it matches and one it does not, so that both a too
 * narrow and a too broad rule show up as a failing test, not as a silent
 * miss or a flood of findings in a real scan.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "match.h"
#include "util.h"

/* Report one failure as "file:line:col: rule ID: what". */
static void report(ps_ruletest_fn fn, void *ud, const ps_srcloc *at,
                   const char *id, const char *what)
{
    ps_diag d;

    if (fn == NULL)
        return;
    ps_diag_at(&d, at->file != NULL ? at->file : "<rules>", at->line, at->col,
               "rule %s: %s", id, what);
    fn(ud, d.msg);
}

/*
 * Run every example of every rule of m.  *passed and *failed (either may be
 * NULL) count examples, plus one failure per rule that lacks a match or a
 * no-match example.  Returns PS_OK when nothing failed, PS_ERR_RULE when
 * something did, PS_ERR_NOMEM when no context could be made.
 */
ps_status ps_rules_test(const ps_matcher *m, ps_ruletest_fn fn, void *ud,
                        size_t *passed, size_t *failed)
{
    const ps_ruleset *rs = ps_matcher_rules(m);
    ps_match_ctx *c = NULL;
    size_t npass = 0, nfail = 0;
    ps_status st;

    st = ps_match_ctx_create(m, &c);
    if (st != PS_OK)
        goto out;
    for (size_t ri = 0; ri < rs->nrules; ri++) {
        const ps_rule *r = &rs->rules[ri];
        bool has_match = false, has_nomatch = false;

        for (size_t ei = 0; ei < r->nexamples; ei++) {
            const ps_example *ex = &r->examples[ei];
            ps_file_facts f = {0};
            ps_record rec = {0};
            bool matched = false;

            if (ex->expect_match)
                has_match = true;
            else
                has_nomatch = true;
            f.rel_path = ex->path != NULL ? ex->path : "example.txt";
            f.size = ex->has_size ? ex->size : (uint64_t)ex->value_len;
            f.mode = ex->mode;
            f.sniff.format = ex->format;
            f.sniff.media = ex->media;
            f.beside = ex->beside;
            f.sniff.cipher = ex->cipher;
            f.sniff.repeated_blocks = ex->repeated_blocks;
            f.nonce_reused = ex->nonce_reused;
            rec.field = ex->field != NULL ? ex->field : "";
            rec.field_len = ex->field != NULL ? strlen(ex->field) : 0;
            rec.value = ex->value != NULL ? ex->value : "";
            rec.value_len = ex->value != NULL ? ex->value_len : 0;
            rec.loc.kind = PS_LOC_LINE;
            rec.loc.line = 1;
            rec.media = PS_MEDIA_NONE;
            if (r->scope == PS_SCOPE_ROW) {
                ps_row_facts row = { ex->subject, ex->age, ex->identified };
                st = ps_match_rule_row(c, (uint32_t)ri, &f, &row, &matched);
            } else {
                st = ps_match_rule(c, (uint32_t)ri, &f,
                                   r->scope == PS_SCOPE_RECORD ? &rec : NULL, &matched);
            }
            if (st != PS_OK)
                goto out;
            if (matched == ex->expect_match) {
                npass++;
            } else {
                nfail++;
                report(fn, ud, &ex->at, r->id,
                       ex->expect_match ? "example expected to match but did not"
                                        : "example expected no match but matched");
            }
        }
        if (!has_match || !has_nomatch) {
            nfail++;
            report(fn, ud, &r->at, r->id,
                   "needs at least one match and one no-match example");
        }
    }
    st = nfail > 0 ? PS_ERR_RULE : PS_OK;
out:
    ps_match_ctx_destroy(c);
    if (passed != NULL)
        *passed = npass;
    if (failed != NULL)
        *failed = nfail;
    return st;
}

/*
 * fuzz_rules.c - the rule loader (rules.c, ruleset.c) and the matcher
 * built from what it accepts (match.c, ruletest.c).
 *
 * The input is a rule file.  When it loads, the matcher is compiled from
 * it, its inline examples are run (`rules test`), and every record, file
 * and row rule is run against a few fixed records and a record holding the
 * input itself, with the evidence span asked for on every hit.  A regex
 * the loader accepts but Hyperscan cannot compile must fail cleanly with a
 * located diagnostic, never crash.
 *
 * Checks: diagnostics are one NUL-terminated line that starts with the
 * file name, as "file:line:col: message" does; evidence spans lie inside
 * the value.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "match.h"
#include "rules.h"

#define NAME "fuzz.yml"
/* The input as a value: long enough to matter, short enough to stay fast. */
#define VALUE_MAX 4096u

static void check_diag(const ps_diag *d)
{
    ps_fuzz_check(memchr(d->msg, '\0', sizeof(d->msg)) != NULL, "diagnostic not terminated");
    ps_fuzz_check(strchr(d->msg, '\n') == NULL, "a diagnostic of more than one line");
    ps_fuzz_check(strncmp(d->msg, NAME, strlen(NAME)) == 0,
                  "a rule diagnostic that does not start with the file name");
}

typedef struct hit_ctx {
    ps_match_ctx *mc;
    size_t hits;
} hit_ctx;

/* Ask for the evidence span of every record hit, as findings.c does once per finding. */
static int on_hit(void *ud, uint32_t rule, const ps_record *rec)
{
    hit_ctx *h = ud;

    h->hits++;
    if (rec != NULL) {
        size_t start = 0, end = 0;

        ps_match_span(h->mc, rule, rec, &start, &end);
        ps_fuzz_check(start <= end && end <= rec->value_len, "ps_match_span outside the value");
    }
    return 0;
}

static void on_example_failure(void *ud, const char *msg)
{
    (void)ud;
    ps_fuzz_check(strchr(msg, '\n') == NULL, "a rules-test message of more than one line");
}

/* Run every kind of rule against fixed facts and records. */
static void exercise(const ps_matcher *m, const uint8_t *data, size_t size)
{
    static const char *const fields[][2] = {
        {"password", "hunter2"},
        {"email", "ava.nguyen76@gmail.com"},
        {"/messages/0/body", "Hi grandma, see you at 5"},
        {"card", "4111 1111 1111 1111"},
        {"birthdate", "2008-04-01"},
        {"pw_md5", "5f4dcc3b5aa765d61d8327deb882cf99"},
    };
    ps_match_ctx *mc = NULL;
    ps_file_facts f;
    ps_row_facts row;
    ps_record rec;
    hit_ctx h;
    size_t i, passed = 0, failed = 0;

    (void)ps_rules_test(m, on_example_failure, NULL, &passed, &failed);
    if (ps_match_ctx_create(m, &mc) != PS_OK)
        return;
    memset(&f, 0, sizeof(f));
    f.rel_path = "kidconnect/chat-2015-10.jsonl";
    f.size = size;
    f.mode = 0644;
    f.sniff.format = PS_FMT_JSONL;
    f.beside = 1u << PS_FMT_CIPHERTEXT;
    h.mc = mc;
    h.hits = 0;
    ps_match_ctx_set_as_of(mc, 16769); /* 2015-11-30 */
    ps_match_file_begin(mc, &f);
    memset(&rec, 0, sizeof(rec));
    rec.loc.kind = PS_LOC_LINE;
    rec.loc.line = 1;
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        rec.field = fields[i][0];
        rec.field_len = strlen(fields[i][0]);
        rec.value = fields[i][1];
        rec.value_len = strlen(fields[i][1]);
        (void)ps_match_record(mc, &rec, on_hit, &h);
    }
    rec.field = "body";
    rec.field_len = 4;
    rec.value = (const char *)data;
    rec.value_len = size < VALUE_MAX ? size : VALUE_MAX;
    (void)ps_match_record(mc, &rec, on_hit, &h);
    (void)ps_match_file(mc, &f, on_hit, &h);
    row.subject = PS_SUBJECT_CHILD;
    row.age = 7;
    row.identified = true;
    (void)ps_match_row(mc, &row, on_hit, &h);
    ps_match_ctx_destroy(mc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_ruleset *rs = NULL;
    ps_matcher *m = NULL;
    ps_diag diag;
    ps_status st;

    if (ps_ruleset_create(&rs) != PS_OK)
        return 0;
    diag.msg[0] = '\0';
    st = ps_rules_load_buffer(rs, NAME, (const char *)data, size, &diag);
    if (st == PS_ERR_RULE)
        check_diag(&diag);
    if (st == PS_OK && rs->nrules > 0) {
        diag.msg[0] = '\0';
        st = ps_matcher_create(rs, &m, &diag);
        if (st == PS_ERR_RULE)
            check_diag(&diag);
        if (st == PS_OK)
            exercise(m, data, size);
        ps_matcher_destroy(m);
    }
    ps_ruleset_destroy(rs);
    return 0;
}

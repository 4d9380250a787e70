/*
 * test_config.c - .plainsight.yml: every key read to its exact value, the
 * defaults, every kind of mistake with its exact "file:line:col: message",
 * and ps_config_apply on small rule sets (enable by pack, disable by id,
 * severity overrides, age overrides, and names that match nothing).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "psconfig.h"
#include "rules.h"
#include "util.h"

/* --- helpers ------------------------------------------------------------- */

static const char *data_dir(void)
{
    const char *d = getenv("PS_TEST_DATA");
    return d != NULL ? d : "tests/data";
}

static ps_status load_str(const char *yaml, ps_config *c, ps_diag *d)
{
    return ps_config_load_buffer("cfg.yml", yaml, strlen(yaml), c, d);
}

static void assert_loc(ps_srcloc at, const char *file, unsigned line, unsigned col)
{
    assert_non_null(at.file);
    assert_string_equal(at.file, file);
    assert_int_equal(at.line, line);
    assert_int_equal(at.col, col);
}

/* --- every key ----------------------------------------------------------- */

static void check_full(const ps_config *c, const char *file)
{
    assert_string_equal(c->file, file);
    assert_int_equal(c->nenable, 1);
    assert_string_equal(c->enable[0], "vtech");
    assert_loc(c->enable_at[0], file, 3, 12);
    assert_int_equal(c->ndisable, 1);
    assert_string_equal(c->disable[0], "vtech.pii.ip-address");
    assert_loc(c->disable_at[0], file, 4, 13);
    assert_int_equal(c->noverrides, 1);
    assert_string_equal(c->overrides[0].rule, "vtech.pii.email");
    assert_int_equal(c->overrides[0].severity, PS_SEV_HIGH);
    assert_loc(c->overrides[0].at, file, 6, 5);
    assert_int_equal(c->nexclude, 2);
    assert_string_equal(c->exclude[0], "tmp/");
    assert_string_equal(c->exclude[1], "*.bak");
    assert_int_equal(c->exclude_line[0], 8);
    assert_int_equal(c->exclude_line[1], 9);
    assert_true(c->has_fail_on);
    assert_false(c->fail_never);
    assert_int_equal(c->fail_on, PS_SEV_MEDIUM);
    assert_true(c->has_as_of);
    assert_int_equal(c->as_of, ps_date_from_ymd(2015, 11, 30));
    assert_int_equal(c->nages, 1);
    assert_string_equal(c->ages[0].name, "coppa");
    assert_int_equal(c->ages[0].years, 13);
    assert_loc(c->ages[0].at, file, 13, 3);
}

static void test_full_file(void **state)
{
    char path[1024];
    ps_config c;
    ps_diag d = { "" };

    (void)state;
    assert_true(snprintf(path, sizeof(path), "%s/config/full.yml", data_dir()) <
                (int)sizeof(path));
    assert_int_equal(ps_config_load(path, &c, &d), PS_OK);
    assert_string_equal(d.msg, "");
    check_full(&c, path);
    ps_config_free(&c);
    /* Freeing twice is harmless: free empties. */
    ps_config_free(&c);
    ps_config_free(NULL);
}

static void test_flow_style_and_none(void **state)
{
    ps_config c;
    ps_diag d = { "" };

    (void)state;
    assert_int_equal(load_str("rules: {severity: {a.b: critical, c.d: info}}\n"
                              "fail-on: none\nages: {coppa: 12, minor: 17}\n"
                              "exclude: ['media/', \"!media/keep.jpg\", \\#x]\n", &c, &d), PS_OK);
    assert_int_equal(c.noverrides, 2);
    assert_string_equal(c.overrides[1].rule, "c.d");
    assert_int_equal(c.overrides[1].severity, PS_SEV_INFO);
    assert_loc(c.overrides[1].at, "cfg.yml", 1, 35);
    assert_true(c.has_fail_on);
    assert_true(c.fail_never);
    assert_int_equal(c.nages, 2);
    assert_string_equal(c.ages[1].name, "minor");
    assert_int_equal(c.ages[1].years, 17);
    assert_int_equal(c.nexclude, 3);
    assert_string_equal(c.exclude[1], "!media/keep.jpg");
    assert_string_equal(c.exclude[2], "\\#x");
    assert_int_equal(c.nenable, 0);
    assert_false(c.has_as_of);
    ps_config_free(&c);
}

/* Empty files, comments only, and null sections are all "nothing set". */
static void test_defaults(void **state)
{
    static const char *const empties[] = {
        "", "\n", "# nothing here\n", "~\n", "---\n",
        "rules:\nexclude:\nages: ~\n",
        "rules:\n  enable:\n  disable: null\n  severity:\n",
        "rules: {}\nexclude: []\nages: {}\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        ps_config c;
        ps_diag d = { "" };

        assert_int_equal(load_str(empties[i], &c, &d), PS_OK);
        assert_string_equal(c.file, "cfg.yml");
        assert_int_equal(c.nenable + c.ndisable + c.noverrides + c.nexclude + c.nages, 0);
        assert_false(c.has_fail_on);
        assert_false(c.fail_never);
        assert_false(c.has_as_of);
        ps_config_free(&c);
    }
}

/* --- every kind of mistake ----------------------------------------------- */

typedef struct bad_case {
    const char *name;
    const char *yaml;
    const char *msg;     /* exact; ending in "...": the message starts with what precedes */
} bad_case;

static const bad_case bad_cases[] = {
    { "unknown top-level key", "fail-on: high\ncolour: red\n",
      "cfg.yml:2:1: unknown key 'colour' (expected one of: rules, exclude, fail-on, as-of, ages)" },
    { "unknown key under rules", "rules:\n  enabled: [vtech]\n",
      "cfg.yml:2:3: unknown key 'enabled' (expected one of: enable, disable, severity)" },
    { "bad severity", "rules:\n  severity:\n    vtech.pii.email: urgent\n",
      "cfg.yml:3:22: unknown severity 'urgent' (expected one of: critical, high, medium, low, info)" },
    { "severity none is not a severity", "rules:\n  severity: {a: none}\n",
      "cfg.yml:2:17: unknown severity 'none' (expected one of: critical, high, medium, low, info)" },
    { "bad fail-on", "fail-on: severe\n",
      "cfg.yml:1:10: unknown severity 'severe' (expected one of: critical, high, medium, low, "
      "info, none)" },
    { "fail-on is case sensitive", "fail-on: High\n",
      "cfg.yml:1:10: unknown severity 'High' (expected one of: critical, high, medium, low, "
      "info, none)" },
    { "bad date", "as-of: 2015-02-29\n",
      "cfg.yml:1:8: expected a date (YYYY-MM-DD) for 'as-of', found '2015-02-29'" },
    { "date in another format", "as-of: 30/11/2015\n",
      "cfg.yml:1:8: expected a date (YYYY-MM-DD) for 'as-of', found '30/11/2015'" },
    { "date with a time", "as-of: \"2015-11-30T10:00\"\n",
      "cfg.yml:1:8: expected a date (YYYY-MM-DD) for 'as-of', found '2015-11-30T10:00'" },
    { "rules is a sequence", "rules: [vtech]\n",
      "cfg.yml:1:8: expected a mapping for 'rules', found a sequence" },
    { "exclude is a scalar", "exclude: tmp/\n",
      "cfg.yml:1:10: expected a sequence for 'exclude', found a scalar" },
    { "enable is a scalar", "rules:\n  enable: vtech\n",
      "cfg.yml:2:11: expected a sequence for 'enable', found a scalar" },
    { "severity is a sequence", "rules:\n  severity: [a]\n",
      "cfg.yml:2:13: expected a mapping for 'severity', found a sequence" },
    { "ages is a sequence", "ages: [coppa]\n",
      "cfg.yml:1:7: expected a mapping for 'ages', found a sequence" },
    { "top level is a sequence", "- rules\n",
      "cfg.yml:1:1: expected a mapping at the top level, found a sequence" },
    { "top level is a scalar", "hello\n",
      "cfg.yml:1:1: expected a mapping at the top level, found a scalar" },
    { "fail-on is a sequence", "fail-on: [high]\n",
      "cfg.yml:1:10: expected a string for 'fail-on', found a sequence" },
    { "enable entry is a sequence", "rules:\n  enable: [[vtech]]\n",
      "cfg.yml:2:12: expected a string for 'enable', found a sequence" },
    { "empty enable", "rules:\n  enable: []\n",
      "cfg.yml:2:11: 'enable' needs at least one rule or pack (leave it out to run all)" },
    { "empty exclude entry", "exclude: [\"\"]\n", "cfg.yml:1:11: 'exclude' is empty" },
    { "exclude entry on two lines", "exclude: [\"a\\nb\"]\n",
      "cfg.yml:1:11: 'exclude' must be one line of text, found 'a?b'" },
    { "age out of range", "ages:\n  coppa: 0\n",
      "cfg.yml:2:10: expected a number from 1 to 150 for 'coppa', found '0'" },
    { "age not a number", "ages: {coppa: thirteen}\n",
      "cfg.yml:1:15: expected a number from 1 to 150 for 'coppa', found 'thirteen'" },
    { "alias", "rules:\n  disable: *p\n", "cfg.yml:2:12: YAML aliases are not allowed" },
    { "anchor", "rules:\n  enable: &p [vtech]\n  disable: *p\n",
      "cfg.yml:2:11: YAML aliases are not allowed" },
    { "duplicate top-level key", "fail-on: high\nfail-on: low\n",
      "cfg.yml:2:1: duplicate key 'fail-on'" },
    { "duplicate key under rules", "rules:\n  disable: [a]\n  disable: [b]\n",
      "cfg.yml:3:3: duplicate key 'disable'" },
    { "duplicate severity override", "rules:\n  severity:\n    a.b: high\n    a.b: low\n",
      "cfg.yml:4:5: duplicate key 'a.b'" },
    { "duplicate age", "ages:\n  coppa: 13\n  coppa: 12\n", "cfg.yml:3:3: duplicate key 'coppa'" },
    { "first repeat in file order", "ages:\n  b: 1\n  b: 2\n  a: 3\n  a: 4\n",
      "cfg.yml:3:3: duplicate key 'b'" },
    { "non-scalar key", "? [a]\n: b\n", "cfg.yml:1:3: a mapping key must be a scalar, found a sequence" },
    { "two documents", "fail-on: high\n---\nfail-on: low\n",
      "cfg.yml:2:1: only one YAML document per file is allowed" },
    { "syntax error", "rules: [vtech\n", "cfg.yml:2:1: YAML syntax error: ..." },
    { "tab indentation", "rules:\n\tenable: [a]\n", "cfg.yml:2:1: YAML syntax error: ..." },
    { "deep nesting", "rules: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
      "cfg.yml:1:39: YAML nested deeper than 32 levels" },
};

static void test_bad_case(void **state)
{
    const bad_case *bc = *state;
    ps_config c;
    ps_diag d = { "" };

    size_t len = strlen(bc->msg);

    assert_int_equal(load_str(bc->yaml, &c, &d), PS_ERR_RULE);
    if (len > 3 && strcmp(bc->msg + len - 3, "...") == 0) {
        if (strncmp(d.msg, bc->msg, len - 3) != 0)
            fail_msg("%s: got \"%s\", want a prefix \"%s\"", bc->name, d.msg, bc->msg);
    } else if (strcmp(d.msg, bc->msg) != 0) {
        fail_msg("%s: got \"%s\", want \"%s\"", bc->name, d.msg, bc->msg);
    }
    /* A failed load leaves nothing behind (the test runs under valgrind/ASan). */
    assert_null(c.file);
    assert_int_equal(c.nenable + c.nexclude + c.nages, 0);
    ps_config_free(&c);
}

static void test_limits_and_io(void **state)
{
    size_t n = PS_CONFIG_MAX_FILE + 1;
    char *big = malloc(n);
    ps_config c;
    ps_diag d = { "" };

    (void)state;
    assert_non_null(big);
    memset(big, '#', n);
    assert_int_equal(ps_config_load_buffer("big.yml", big, n, &c, &d), PS_ERR_RULE);
    assert_string_equal(d.msg, "big.yml: file too large (the limit is 1 MiB)");
    /* One byte less is a (comment-only) config. */
    assert_int_equal(ps_config_load_buffer("big.yml", big, n - 1, &c, &d), PS_OK);
    ps_config_free(&c);
    free(big);

    assert_int_equal(ps_config_load("/nonexistent/.plainsight.yml", &c, &d), PS_ERR_IO);
    assert_string_equal(d.msg, "/nonexistent/.plainsight.yml: No such file or directory");
    assert_int_equal(ps_config_load("/", &c, &d), PS_ERR_IO);
    assert_string_equal(d.msg, "/: not a regular file");
    ps_config_free(&c);
}

/*
 * A near-1 MiB file of distinct severity overrides: loads at once (repeated
 * keys are found by sorting, not by comparing every pair), and one repeat at
 * the very end is still found.
 */
static void test_many_keys(void **state)
{
    ps_buf b;
    ps_config c;
    ps_diag d = { "" };
    unsigned n = 0;

    (void)state;
    ps_buf_init(&b, PS_CONFIG_MAX_FILE);
    assert_int_equal(ps_buf_printf(&b, "rules:\n  severity:\n"), PS_OK);
    while (b.len < PS_CONFIG_MAX_FILE - 64)
        assert_int_equal(ps_buf_printf(&b, "    r%u: low\n", n++), PS_OK);
    assert_int_equal(ps_config_load_buffer("many.yml", b.data, b.len, &c, &d), PS_OK);
    assert_int_equal(c.noverrides, n);
    ps_config_free(&c);
    assert_int_equal(ps_buf_printf(&b, "    r7: high\n"), PS_OK);
    assert_int_equal(ps_config_load_buffer("many.yml", b.data, b.len, &c, &d), PS_ERR_RULE);
    assert_int_equal(strncmp(d.msg, "many.yml:", 9), 0);
    assert_non_null(strstr(d.msg, ":5: duplicate key 'r7'"));
    ps_buf_free(&b);
}

/* --- applying to a rule set ---------------------------------------------- */

#define RULE(id, cat, sev, when) \
    "  - id: " id "\n    title: t\n    explain: e\n    fix: f\n" \
    "    category: " cat "\n    severity: " sev "\n    when: " when "\n"

static const char alpha_pack[] =
    "ages:\n  minor: 18\n  coppa: 13\n"
    "rules:\n"
    RULE("alpha.chat", "plaintext-message", "high", "{field: chat}")
    RULE("alpha.email", "plaintext-pii", "medium", "{field: email}")
    RULE("alpha.child", "child-record", "critical",
         "{all: [{subject: child}, {age-under: minor}]}");

static const char beta_pack[] =
    "rules:\n"
    RULE("beta.ip", "plaintext-pii", "low", "{field: ip}");

static int setup_rs(void **state)
{
    ps_ruleset *rs;
    ps_diag d = { "" };

    if (ps_ruleset_create(&rs) != PS_OK)
        return -1;
    if (ps_rules_load_buffer(rs, "rules/alpha.yml", alpha_pack, strlen(alpha_pack), &d) != PS_OK ||
        ps_rules_load_buffer(rs, "rules/beta.yml", beta_pack, strlen(beta_pack), &d) != PS_OK) {
        fprintf(stderr, "%s\n", d.msg);
        ps_ruleset_destroy(rs);
        return -1;
    }
    *state = rs;
    return 0;
}

static int teardown_rs(void **state)
{
    ps_ruleset_destroy(*state);
    return 0;
}

/* Load yaml as a config and apply it to rs; returns apply's status. */
static ps_status apply_str(ps_ruleset *rs, const char *yaml, ps_diag *d)
{
    ps_config c;
    ps_status st;

    assert_int_equal(load_str(yaml, &c, d), PS_OK);
    st = ps_config_apply(&c, rs, d);
    ps_config_free(&c);
    return st;
}

/* The ids of rs's rules, space-separated, into buf. */
static const char *ids(const ps_ruleset *rs, char *buf, size_t cap)
{
    size_t k = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < rs->nrules && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? " " : "", rs->rules[i].id);
    return buf;
}

static void test_apply_nothing(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char buf[256];

    assert_int_equal(apply_str(rs, "", &d), PS_OK);
    assert_string_equal(ids(rs, buf, sizeof(buf)), "alpha.chat alpha.email alpha.child beta.ip");
}

static void test_apply_enable_pack(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char buf[256];

    assert_int_equal(apply_str(rs, "rules: {enable: [alpha]}\n", &d), PS_OK);
    assert_string_equal(ids(rs, buf, sizeof(buf)), "alpha.chat alpha.email alpha.child");
    assert_string_equal(rs->rules[2].pack, "alpha");
    assert_int_equal(rs->rules[2].severity, PS_SEV_CRITICAL);
}

static void test_apply_enable_id_and_pack(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char buf[256];

    assert_int_equal(apply_str(rs, "rules: {enable: [beta, alpha.email]}\n", &d), PS_OK);
    assert_string_equal(ids(rs, buf, sizeof(buf)), "alpha.email beta.ip");
}

static void test_apply_disable_id(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char buf[256];

    assert_int_equal(apply_str(rs, "rules: {disable: [alpha.email]}\n", &d), PS_OK);
    assert_string_equal(ids(rs, buf, sizeof(buf)), "alpha.chat alpha.child beta.ip");
    /* The compacted rules keep their own fields. */
    assert_int_equal(rs->rules[1].category, PS_CAT_CHILD_RECORD);
    assert_int_equal(rs->rules[2].severity, PS_SEV_LOW);
}

static void test_apply_disable_wins(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char buf[256];

    assert_int_equal(apply_str(rs, "rules:\n  enable: [alpha]\n  disable: [alpha.chat, beta]\n",
                               &d), PS_OK);
    assert_string_equal(ids(rs, buf, sizeof(buf)), "alpha.email alpha.child");
}

static void test_apply_severity(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };

    assert_int_equal(apply_str(rs, "rules:\n  disable: [alpha.chat]\n  severity:\n"
                                   "    alpha.email: critical\n    alpha.chat: info\n"
                                   "    beta.ip: high\n", &d), PS_OK);
    assert_int_equal(rs->nrules, 3);
    assert_string_equal(rs->rules[0].id, "alpha.email");
    assert_int_equal(rs->rules[0].severity, PS_SEV_CRITICAL);
    assert_int_equal(rs->rules[1].severity, PS_SEV_CRITICAL);   /* untouched */
    assert_int_equal(rs->rules[2].severity, PS_SEV_HIGH);
}

static void test_apply_ages(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };

    size_t n_age = 0;

    assert_int_equal(rs->nages, 2);
    assert_int_equal(apply_str(rs, "ages: {coppa: 12}\n", &d), PS_OK);
    assert_string_equal(rs->ages[1].name, "coppa");
    assert_int_equal(rs->ages[1].years, 12);
    assert_string_equal(rs->ages[0].name, "minor");
    assert_int_equal(rs->ages[0].years, 18);
    /* alpha.child's "age-under: minor" follows the threshold. */
    assert_int_equal(apply_str(rs, "ages: {minor: 16}\n", &d), PS_OK);
    assert_int_equal(rs->ages[0].years, 16);
    for (size_t i = 0; i < rs->nconds; i++) {
        if (rs->conds[i].kind == PS_COND_AGE_UNDER) {
            assert_int_equal(rs->conds[i].min, 16);
            n_age++;
        }
    }
    assert_int_equal(n_age, 1);
}

typedef struct apply_bad {
    const char *yaml;
    const char *msg;
} apply_bad;

static const apply_bad apply_bads[] = {
    { "rules:\n  enable: [alpha, gamma]\n", "cfg.yml:2:19: no rule or pack named 'gamma'" },
    { "rules: {disable: [alpha.nope]}\n", "cfg.yml:1:19: no rule or pack named 'alpha.nope'" },
    { "rules:\n  severity:\n    alpha: low\n", "cfg.yml:3:5: no rule named 'alpha'" },
    { "ages:\n  coppa: 12\n  adult: 21\n",
      "cfg.yml:3:3: unknown age threshold 'adult' (the rule packs define: minor, coppa)" },
};

/* Every failed apply leaves the rule set exactly as it was. */
static void test_apply_errors(void **state)
{
    ps_ruleset *rs = *state;
    char buf[256];

    for (size_t i = 0; i < sizeof(apply_bads) / sizeof(apply_bads[0]); i++) {
        ps_diag d = { "" };

        assert_int_equal(apply_str(rs, apply_bads[i].yaml, &d), PS_ERR_RULE);
        assert_string_equal(d.msg, apply_bads[i].msg);
        assert_string_equal(ids(rs, buf, sizeof(buf)),
                            "alpha.chat alpha.email alpha.child beta.ip");
        assert_int_equal(rs->ages[1].years, 13);
    }
}

static void test_apply_no_ages_defined(void **state)
{
    ps_ruleset *rs;
    ps_diag d = { "" };

    (void)state;
    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    assert_int_equal(ps_rules_load_buffer(rs, "beta.yml", beta_pack, strlen(beta_pack), &d),
                     PS_OK);
    assert_int_equal(apply_str(rs, "ages: {coppa: 12}\n", &d), PS_ERR_RULE);
    assert_string_equal(d.msg, "cfg.yml:1:8: unknown age threshold 'coppa' (the rule packs "
                               "define: none)");
    ps_ruleset_destroy(rs);
}

/*
 * Age-under conditions follow an overridden threshold when they were
 * written with its name.  The rule loader records the name as the
 * condition's `pattern` (an index into ages; UINT32_MAX for a number),
 * which this builder-made set spells out.
 */
static void test_apply_age_conditions(void **state)
{
    ps_ruleset *rs;
    ps_cond cd;
    ps_rule r;
    ps_diag d = { "" };
    uint32_t idx;

    (void)state;
    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    assert_int_equal(ps_grow(&rs->ages, &rs->capages, 2, sizeof(ps_age)), PS_OK);
    rs->ages[0].name = ps_strdup("coppa");
    rs->ages[0].years = 13;
    rs->ages[1].name = ps_strdup("minor");
    rs->ages[1].years = 18;
    rs->nages = 2;
    memset(&cd, 0, sizeof(cd));
    cd.kind = PS_COND_AGE_UNDER;
    cd.pattern = 0;              /* age-under: coppa */
    cd.min = 13;
    assert_int_equal(ps_ruleset_add_cond(rs, &cd, &idx), PS_OK);
    cd.pattern = UINT32_MAX;     /* age-under: 13 */
    assert_int_equal(ps_ruleset_add_cond(rs, &cd, &idx), PS_OK);
    cd.pattern = 1;              /* age-under: minor */
    cd.min = 18;
    assert_int_equal(ps_ruleset_add_cond(rs, &cd, &idx), PS_OK);
    memset(&r, 0, sizeof(r));
    r.id = ps_strdup("x.child");
    r.pack = ps_strdup("x");
    r.cond = 0;
    assert_int_equal(ps_ruleset_add_rule(rs, &r), PS_OK);

    assert_int_equal(apply_str(rs, "ages: {coppa: 14, minor: 16}\n", &d), PS_OK);
    assert_int_equal(rs->ages[0].years, 14);
    assert_int_equal(rs->ages[1].years, 16);
    assert_int_equal(rs->conds[0].min, 14);
    assert_int_equal(rs->conds[1].min, 13);
    assert_int_equal(rs->conds[2].min, 16);
    ps_ruleset_destroy(rs);
}

int main(void)
{
    enum { NBAD = sizeof(bad_cases) / sizeof(bad_cases[0]) };
    struct CMUnitTest tests[NBAD + 16];
    size_t n = 0;

    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_full_file);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_flow_style_and_none);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_defaults);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_limits_and_io);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_many_keys);
    for (size_t i = 0; i < NBAD; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_bad_case,
                                                                (void *)&bad_cases[i]);
        tests[n].name = bad_cases[i].name;
        n++;
    }
#define ADD(fn) tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(fn, setup_rs, teardown_rs)
    ADD(test_apply_nothing);
    ADD(test_apply_enable_pack);
    ADD(test_apply_enable_id_and_pack);
    ADD(test_apply_disable_id);
    ADD(test_apply_disable_wins);
    ADD(test_apply_severity);
    ADD(test_apply_ages);
    ADD(test_apply_errors);
#undef ADD
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_apply_no_ages_defined);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_apply_age_conditions);
    return _cmocka_run_group_tests("config", tests, n, NULL, NULL);
}

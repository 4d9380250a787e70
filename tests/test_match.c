/*
 * test_match.c - the matcher: rule sets built with the ruleset.c API, fed
 * synthetic files and records, asserting exactly which rules fire.
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
#include "match.h"
#include "rules.h"
#include "util.h"

#define EMAIL_RE "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"

/* --- building rule sets ------------------------------------------------------- */

typedef struct tb {
    ps_ruleset *rs;
    const char *file;
} tb;

static tb tb_new(void)
{
    tb t;

    assert_int_equal(ps_ruleset_create(&t.rs), PS_OK);
    t.file = ps_ruleset_intern_file(t.rs, "f.yml");
    assert_non_null(t.file);
    return t;
}

static ps_srcloc at(const tb *t, unsigned line, unsigned col)
{
    ps_srcloc a = {t->file, line, col};

    return a;
}

static uint32_t add_cond(tb *t, ps_cond *c)
{
    uint32_t idx;

    if (c->at.file == NULL)
        c->at = at(t, 1, 1);
    assert_int_equal(ps_ruleset_add_cond(t->rs, c, &idx), PS_OK);
    return idx;
}

static uint32_t pattern(tb *t, ps_target target, const char *expr, unsigned flags,
                        unsigned line, unsigned col)
{
    uint32_t idx;

    assert_int_equal(ps_ruleset_add_pattern(t->rs, target, expr, flags,
                                            at(t, line, col), &idx), PS_OK);
    return idx;
}

static uint32_t c_regex(tb *t, ps_cond_kind kind, const char *expr, unsigned flags)
{
    ps_target target = kind == PS_COND_FIELD ? PS_TARGET_FIELD :
                       kind == PS_COND_VALUE ? PS_TARGET_VALUE : PS_TARGET_PATH;
    ps_cond c = {.kind = kind};

    c.pattern = pattern(t, target, expr, flags, 2, 3);
    return add_cond(t, &c);
}

static uint32_t c_field(tb *t, const char *expr)
{
    return c_regex(t, PS_COND_FIELD, expr, PS_PAT_CASELESS);
}

static uint32_t c_value(tb *t, const char *expr)
{
    return c_regex(t, PS_COND_VALUE, expr, 0);
}

static uint32_t c_path(tb *t, const char *expr)
{
    return c_regex(t, PS_COND_PATH, expr, 0);
}

/* Keywords: caseless literals, consecutive pattern indices. */
static uint32_t c_keywords(tb *t, const char *const *words, size_t n)
{
    ps_cond c = {.kind = PS_COND_KEYWORDS};

    for (size_t i = 0; i < n; i++) {
        uint32_t idx = pattern(t, PS_TARGET_VALUE, words[i],
                               PS_PAT_CASELESS | PS_PAT_LITERAL, 4, 5);
        if (i == 0)
            c.pattern = idx;
    }
    c.npatterns = (uint32_t)n;
    return add_cond(t, &c);
}

static uint32_t c_kind(tb *t, ps_cond_kind kind, uint32_t mask)
{
    ps_cond c = {.kind = kind, .mask = mask};

    return add_cond(t, &c);
}

static uint32_t c_readable(tb *t, bool flag)
{
    ps_cond c = {.kind = PS_COND_READABLE, .flag = flag};

    return add_cond(t, &c);
}

static uint32_t c_size(tb *t, uint64_t min, uint64_t max)
{
    ps_cond c = {.kind = PS_COND_SIZE, .min = min, .max = max};

    return add_cond(t, &c);
}

static uint32_t c_group(tb *t, ps_cond_kind kind, size_t n, ...)
{
    uint32_t kids[16];
    ps_cond c = {.kind = kind};
    va_list ap;

    assert_true(n <= 16);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        kids[i] = va_arg(ap, uint32_t);
    va_end(ap);
    assert_int_equal(ps_ruleset_add_children(t->rs, kids, n, &c.first), PS_OK);
    c.count = (uint32_t)n;
    return add_cond(t, &c);
}

static uint32_t c_not(tb *t, uint32_t kid)
{
    return c_group(t, PS_COND_NOT, 1, kid);
}

static uint32_t add_rule(tb *t, const char *id, ps_scope scope, uint32_t cond)
{
    ps_rule r = {0};

    r.id = ps_strdup(id);
    r.title = ps_strdup(id);
    r.scope = scope;
    r.cond = cond;
    r.category = PS_CAT_PLAINTEXT_PII;
    r.severity = PS_SEV_HIGH;
    r.at = at(t, 10, 3);
    assert_non_null(r.id);
    assert_int_equal(ps_ruleset_add_rule(t->rs, &r), PS_OK);
    return (uint32_t)(t->rs->nrules - 1);
}

/* --- running ------------------------------------------------------------------------ */

typedef struct hits {
    uint32_t rules[64];
    size_t n;
    size_t total;
    int stop_after; /* 0: never stop */
} hits;

static int on_hit(void *ud, uint32_t rule, const ps_record *rec)
{
    hits *h = ud;

    (void)rec;
    if (h->n < 64)
        h->rules[h->n++] = rule;
    h->total++;
    return h->stop_after > 0 && (int)h->total >= h->stop_after;
}

typedef struct fixture {
    tb t;
    ps_matcher *m;
    ps_match_ctx *c;
} fixture;

static void fx_compile(fixture *fx)
{
    ps_diag d = {{0}};

    assert_int_equal(ps_matcher_create(fx->t.rs, &fx->m, &d), PS_OK);
    assert_int_equal(ps_match_ctx_create(fx->m, &fx->c), PS_OK);
}

static void fx_free(fixture *fx)
{
    ps_match_ctx_destroy(fx->c);
    ps_matcher_destroy(fx->m);
    ps_ruleset_destroy(fx->t.rs);
}

static ps_file_facts text_file(const char *path)
{
    ps_file_facts f = {0};

    f.rel_path = path;
    f.size = 100;
    f.mode = 0640;
    f.sniff.format = PS_FMT_TEXT;
    return f;
}

static ps_record mkrec(const char *field, const char *value, size_t value_len)
{
    ps_record r = {0};

    r.field = field;
    r.field_len = strlen(field);
    r.value = value;
    r.value_len = value_len;
    r.loc.kind = PS_LOC_LINE;
    r.loc.line = 1;
    return r;
}

/* Rules fired for one record, as a bitmask of rule indices (< 32 rules). */
static uint32_t fire_rec(fixture *fx, const ps_record *rec)
{
    hits h = {{0}, 0, 0, 0};
    uint32_t mask = 0;

    assert_int_equal(ps_match_record(fx->c, rec, on_hit, &h), PS_OK);
    for (size_t i = 0; i < h.n; i++) {
        assert_true(i == 0 || h.rules[i] > h.rules[i - 1]); /* rule order */
        mask |= 1u << h.rules[i];
    }
    return mask;
}

static uint32_t fire(fixture *fx, const char *field, const char *value, size_t len)
{
    ps_record rec = mkrec(field, value, len);

    return fire_rec(fx, &rec);
}

static uint32_t fire_s(fixture *fx, const char *field, const char *value)
{
    return fire(fx, field, value, strlen(value));
}

/* fire_s for a record that a reader numbered: field id `id` in this file. */
static uint32_t fire_id(fixture *fx, uint32_t id, const char *field, const char *value)
{
    ps_record rec = mkrec(field, value, strlen(value));

    rec.field_id = id;
    return fire_rec(fx, &rec);
}

static uint32_t fire_file(fixture *fx, const ps_file_facts *f)
{
    hits h = {{0}, 0, 0, 0};
    uint32_t mask = 0;

    assert_int_equal(ps_match_file(fx->c, f, on_hit, &h), PS_OK);
    for (size_t i = 0; i < h.n; i++)
        mask |= 1u << h.rules[i];
    return mask;
}

#define B(i) (1u << (i))

/* --- record rules ----------------------------------------------------------------- */

/* Field regex + readable: a chat message column holding readable text. */
static void test_plaintext_message(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("chat.jsonl");
    uint32_t r;

    (void)state;
    r = add_rule(&fx.t, "msg", PS_SCOPE_RECORD,
                 c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^/?(message|body|text)$"),
                         c_readable(&fx.t, true)));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "message", "see you at the park after school"), B(r));
    assert_int_equal(fire_s(&fx, "/Body", "hi mum"), B(r));
    assert_int_equal(fire_s(&fx, "message", "SeV3WdAD6J+Fwvo6X38o7KZhPWvBK9jj4d+bvylt6rM="), 0);
    assert_int_equal(fire_s(&fx, "email", "see you at the park"), 0);
    assert_int_equal(fire_s(&fx, "messages", "see you at the park"), 0);
    assert_int_equal(fire_s(&fx, "message", ""), 0);
    fx_free(&fx);
}

/* Value regex somewhere inside a log line; its span is the email alone. */
static void test_value_email_and_span(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("logs/app.log");
    const char *line = "login ok user=jo@ex.com ip=1.2.3.4";
    ps_record rec = mkrec("", line, strlen(line));
    size_t s = 99, e = 99;
    uint32_t r;

    (void)state;
    r = add_rule(&fx.t, "email", PS_SCOPE_RECORD, c_value(&fx.t, EMAIL_RE));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "", line), B(r));
    assert_int_equal(fire_s(&fx, "", "login failed for user 42"), 0);
    ps_match_span(fx.c, r, &rec, &s, &e);
    assert_int_equal(s, 14);
    assert_int_equal(e, 23);
    assert_memory_equal(line + s, "jo@ex.com", e - s);
    /* no match: the whole value */
    rec = mkrec("", "nothing", 7);
    ps_match_span(fx.c, r, &rec, &s, &e);
    assert_int_equal(s, 0);
    assert_int_equal(e, 7);
    fx_free(&fx);
}

/* Keywords: caseless literals; metacharacters in them are literal. */
static void test_keywords_caseless_literal(void **state)
{
    static const char *const words[] = {"mother's maiden name", "first pet (name)", "a.b"};
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("notes.txt");
    const char *v = "Q: What is your MOTHER'S Maiden Name? A: smith";
    ps_record rec = mkrec("", v, strlen(v));
    size_t s, e;
    uint32_t r;

    (void)state;
    r = add_rule(&fx.t, "kw", PS_SCOPE_RECORD, c_keywords(&fx.t, words, 3));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "", v), B(r));
    assert_int_equal(fire_s(&fx, "", "your First Pet (Name)?"), B(r));
    assert_int_equal(fire_s(&fx, "", "your first pet name?"), 0); /* parens are literal */
    assert_int_equal(fire_s(&fx, "", "a.b"), B(r));
    assert_int_equal(fire_s(&fx, "", "axb"), 0);                 /* dot is literal */
    assert_int_equal(fire_s(&fx, "", "mothers maiden name"), 0);
    ps_match_span(fx.c, r, &rec, &s, &e);
    assert_int_equal(s, 16);
    assert_int_equal(e, 36);
    fx_free(&fx);
}

/*
 * A keywords condition is a range of patterns; the patterns just before
 * and just after it belong to other rules and must not count as keywords
 * (value_any's range test, used by eval and by the per-column need).
 */
static void test_keywords_range_bounds(void **state)
{
    static const char *const words[] = {"alpha", "beta"};
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("notes.txt");
    uint32_t before, kw, after;

    (void)state;
    before = add_rule(&fx.t, "before", PS_SCOPE_RECORD, c_value(&fx.t, "delta"));
    kw = add_rule(&fx.t, "kw", PS_SCOPE_RECORD, c_keywords(&fx.t, words, 2));
    after = add_rule(&fx.t, "after", PS_SCOPE_RECORD, c_value(&fx.t, "gamma"));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(fire_s(&fx, "note", "gamma ray"), B(after));
        assert_int_equal(fire_s(&fx, "note", "delta force"), B(before));
        assert_int_equal(fire_s(&fx, "note", "beta test"), B(kw));
        assert_int_equal(fire_s(&fx, "note", "alpha gamma delta"), B(before) | B(kw) | B(after));
    }
    fx_free(&fx);
}

/*
 * Rules folded per column (fold, fold_need): a rule the column's name or
 * the file's facts rule out is not tried there, and one that can only hold
 * through a value match is passed over when the value matched nothing.
 * Each case has a column where the shortcut applies and one where it must
 * not, and values on both sides.
 */
static void test_fold_per_column(void **state)
{
    static const char *const words[] = {"maiden name", "first pet"};
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("export/users.csv");
    ps_file_facts g = text_file("notes.txt");
    uint32_t question, two, notver, pathed;

    (void)state;
    /* ANY(question column, keywords) AND readable: the secret-question shape */
    question = add_rule(&fx.t, "question", PS_SCOPE_RECORD,
                        c_group(&fx.t, PS_COND_ALL, 2,
                                c_group(&fx.t, PS_COND_ANY, 2, c_field(&fx.t, "question$"),
                                        c_keywords(&fx.t, words, 2)),
                                c_readable(&fx.t, true)));
    /* ANY of two values: both branches stay open, neither may be required */
    two = add_rule(&fx.t, "two", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ANY, 2, c_value(&fx.t, "^zz[0-9]+$"),
                           c_value(&fx.t, "^qq[0-9]+$")));
    /* NOT(field) AND value: ruled out on the version column only */
    notver = add_rule(&fx.t, "notver", PS_SCOPE_RECORD,
                      c_group(&fx.t, PS_COND_ALL, 2, c_value(&fx.t, "[0-9]+\\.[0-9]+"),
                              c_not(&fx.t, c_field(&fx.t, "version"))));
    /* ANY(path, field) AND value: the path decides per file */
    pathed = add_rule(&fx.t, "pathed", PS_SCOPE_RECORD,
                      c_group(&fx.t, PS_COND_ALL, 2,
                              c_group(&fx.t, PS_COND_ANY, 2, c_path(&fx.t, "^export/"),
                                      c_field(&fx.t, "^secret$")),
                              c_value(&fx.t, "^x+$")));
    fx_compile(&fx);
    for (int pass = 0; pass < 2; pass++) { /* the second pass replays cached lists */
        ps_match_file_begin(fx.c, &f);
        assert_int_equal(fire_s(&fx, "secret_question", "Favourite food?"), B(question));
        assert_int_equal(fire_s(&fx, "note", "Favourite food?"), 0);
        assert_int_equal(fire_s(&fx, "note", "your MAIDEN NAME?"), B(question));
        assert_int_equal(fire_s(&fx, "note", "zz12"), B(two));
        assert_int_equal(fire_s(&fx, "note", "qq34"), B(two));
        assert_int_equal(fire_s(&fx, "secret_question", "qq34"), B(question) | B(two));
        assert_int_equal(fire_s(&fx, "app_version", "1.2"), 0);
        assert_int_equal(fire_s(&fx, "note", "1.2"), B(notver));
        assert_int_equal(fire_s(&fx, "note", "xxx"), B(pathed));
        assert_int_equal(fire_s(&fx, "secret", "xxx"), B(pathed));
        ps_match_file_begin(fx.c, &g); /* not under export/: only the field opens it */
        assert_int_equal(fire_s(&fx, "note", "xxx"), 0);
        assert_int_equal(fire_s(&fx, "secret", "xxx"), B(pathed));
        assert_int_equal(fire_s(&fx, "note", "first pet"), B(question));
    }
    fx_free(&fx);
}

/*
 * Each candidate's plan on a column (the folded root, and the candidates
 * left to walk once the shared database found nothing in a value) must give
 * exactly the rules that the whole tree gives: ps_match_rule, which walks
 * every rule's full tree, is the oracle, on every column and value below,
 * in two files, twice each (the second pass replays cached lists and
 * verdicts).  Rules that need a shared pattern, rules that need a gated one,
 * rules with no need at all and a NOT over a value are interleaved, so a
 * skipped candidate or a wrong root shows.
 */
static void test_plans_match_full_trees(void **state)
{
    static const char *const cols[] = {"body", "ts", "phone", "x", "note", "app_version"};
    static const char *const vals[] = {"", "hello there", "12345", "a@b.example", "zz9",
                                       "555-0199", "zz9 a@b.example", "call 555-0199",
                                       "2015-10-01T00:00:01Z", "1.2.3", "2014-01-01 00:01:18",
                                       "4111 1111 1111 1111"};
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts files[2];
    ps_match_ctx *oracle = NULL;
    size_t checked = 0;

    (void)state;
    files[0] = text_file("chat/log.jsonl");
    files[1] = text_file("notes.txt");
    /* ALL(path, field, readable): readable alone on a chat file's body */
    (void)add_rule(&fx.t, "retained", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ALL, 3, c_path(&fx.t, "^chat/"),
                           c_field(&fx.t, "^(body|ts)$"), c_readable(&fx.t, true)));
    (void)add_rule(&fx.t, "at", PS_SCOPE_RECORD, c_value(&fx.t, "@"));
    /* ANY(field, value): true on column x, the value elsewhere */
    (void)add_rule(&fx.t, "x-or-zz", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ANY, 2, c_field(&fx.t, "^x$"),
                           c_value(&fx.t, "^zz[0-9]")));
    /* no need: NOT over a value, on the body */
    (void)add_rule(&fx.t, "not-digits", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^body$"),
                           c_not(&fx.t, c_value(&fx.t, "^[0-9 ]+$"))));
    /* a gated pattern: only under the phone cue */
    (void)add_rule(&fx.t, "phone", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^phone$"),
                           c_value(&fx.t, "[0-9]{3}-[0-9]{4}")));
    /* ALL(value, NOT field): the value alone except on a version column */
    (void)add_rule(&fx.t, "dotted", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ALL, 2, c_value(&fx.t, "[0-9]\\.[0-9]"),
                           c_not(&fx.t, c_field(&fx.t, "version"))));
    /* a pattern only a Luhn rule reads: its own need filter */
    (void)add_rule(&fx.t, "card", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ALL, 2, c_value(&fx.t, "[0-9][0-9 -]{11,22}[0-9]"),
                           c_kind(&fx.t, PS_COND_LUHN, 0)));
    /* no value condition at all */
    (void)add_rule(&fx.t, "readable-note", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^note$"),
                           c_readable(&fx.t, true)));
    fx_compile(&fx);
    assert_int_equal(ps_match_ctx_create(fx.m, &oracle), PS_OK);
    for (int pass = 0; pass < 4; pass++) {
        const ps_file_facts *f = &files[pass % 2];

        ps_match_file_begin(fx.c, f);
        for (size_t ci = 0; ci < sizeof(cols) / sizeof(cols[0]); ci++) {
            for (size_t vi = 0; vi < sizeof(vals) / sizeof(vals[0]); vi++) {
                ps_record rec = mkrec(cols[ci], vals[vi], strlen(vals[vi]));
                uint32_t want = 0, got;

                for (uint32_t r = 0; r < fx.t.rs->nrules; r++) {
                    bool matched = false;

                    assert_int_equal(ps_match_rule(oracle, r, f, &rec, &matched), PS_OK);
                    want |= matched ? B(r) : 0;
                }
                got = fire_rec(&fx, &rec);
                if (got != want)
                    print_error("%s / %s = \"%s\": got %#x, the full trees say %#x\n",
                                f->rel_path, cols[ci], vals[vi], got, want);
                assert_int_equal(got, want);
                checked += want != 0;
            }
        }
    }
    assert_true(checked > 40); /* the table exercises the rules, not only misses */
    ps_match_ctx_destroy(oracle);
    fx_free(&fx);
}

/* Row rules, as a bitmask, for one assembled row. */
static uint32_t fire_row(fixture *fx, uint32_t subject, int age, bool identified)
{
    ps_row_facts row = {subject, age, identified};
    hits h = {{0}, 0, 0, 0};
    uint32_t mask = 0;

    assert_int_equal(ps_match_row(fx->c, &row, on_hit, &h), PS_OK);
    for (size_t i = 0; i < h.n; i++) {
        assert_true(i == 0 || h.rules[i] > h.rules[i - 1]); /* rule order */
        mask |= 1u << h.rules[i];
    }
    return mask;
}

/*
 * Row rules: a SUBJECT the tree requires (at its root, or under its root
 * ALL) lets rows of other subjects pass without a walk; trees that do not
 * require one (a SUBJECT under an ANY, none at all) are walked on every
 * row, subjects or not.
 */
static void test_row_rules(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("export/kids.csv");
    tb *t = &fx.t;
    ps_cond under13 = {.kind = PS_COND_AGE_UNDER, .min = 13};
    ps_cond under5 = {.kind = PS_COND_AGE_UNDER, .min = 5};
    ps_cond ident = {.kind = PS_COND_IDENTIFIED, .flag = true};
    uint32_t child, person, young, named, only;

    (void)state;
    child = add_rule(t, "child", PS_SCOPE_ROW,
                     c_group(t, PS_COND_ALL, 3, c_kind(t, PS_COND_SUBJECT, PS_SUBJECT_CHILD),
                             add_cond(t, &under13), add_cond(t, &ident)));
    person = add_rule(t, "person", PS_SCOPE_ROW,
                      c_group(t, PS_COND_ALL, 2, add_cond(t, &ident),
                              c_kind(t, PS_COND_SUBJECT, PS_SUBJECT_CHILD | PS_SUBJECT_PARENT)));
    young = add_rule(t, "young", PS_SCOPE_ROW,
                     c_group(t, PS_COND_ANY, 2, c_kind(t, PS_COND_SUBJECT, PS_SUBJECT_PARENT),
                             add_cond(t, &under5)));
    named = add_rule(t, "named", PS_SCOPE_ROW, add_cond(t, &ident));
    only = add_rule(t, "parent", PS_SCOPE_ROW, c_kind(t, PS_COND_SUBJECT, PS_SUBJECT_PARENT));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 8, true), B(child) | B(person) | B(named));
    assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 3, true),
                     B(child) | B(person) | B(young) | B(named));
    assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 14, true), B(person) | B(named));
    assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 8, false), 0);
    assert_int_equal(fire_row(&fx, PS_SUBJECT_PARENT, 8, true),
                     B(person) | B(young) | B(named) | B(only));
    assert_int_equal(fire_row(&fx, PS_SUBJECT_PARENT, -1, false), B(young) | B(only));
    /* no subject: only the trees that do not require one can hold */
    assert_int_equal(fire_row(&fx, 0, 3, true), B(young) | B(named));
    assert_int_equal(fire_row(&fx, 0, 30, true), B(named));
    assert_int_equal(fire_row(&fx, 0, -1, false), 0);
    fx_free(&fx);
}

/*
 * Row verdicts are remembered per file by (subject, age, identified): the
 * same facts give the same rules, in order, every time; another file (whose
 * path a rule reads) gets its own; facts outside the memo (ages below -1 or
 * past its range, unknown subject bits) are walked and still right.
 */
static void test_row_memo(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts kids = text_file("export/kids.csv");
    ps_file_facts other = text_file("export/staff.csv");
    tb *t = &fx.t;
    ps_cond under13 = {.kind = PS_COND_AGE_UNDER, .min = 13};
    ps_cond under200 = {.kind = PS_COND_AGE_UNDER, .min = 200};
    ps_cond ident = {.kind = PS_COND_IDENTIFIED, .flag = true};
    uint32_t child, pathed, old, named;

    (void)state;
    child = add_rule(t, "child", PS_SCOPE_ROW,
                     c_group(t, PS_COND_ALL, 3, c_kind(t, PS_COND_SUBJECT, PS_SUBJECT_CHILD),
                             add_cond(t, &under13), add_cond(t, &ident)));
    pathed = add_rule(t, "kids-file", PS_SCOPE_ROW,
                      c_group(t, PS_COND_ALL, 2, c_path(t, "kids"),
                              c_kind(t, PS_COND_SUBJECT, PS_SUBJECT_CHILD)));
    old = add_rule(t, "not-ancient", PS_SCOPE_ROW,
                   c_group(t, PS_COND_ALL, 2, add_cond(t, &under200), add_cond(t, &ident)));
    named = add_rule(t, "named", PS_SCOPE_ROW, add_cond(t, &ident));
    fx_compile(&fx);
    for (int pass = 0; pass < 3; pass++) {
        ps_match_file_begin(fx.c, &kids);
        for (int rep = 0; rep < 3; rep++) {
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 8, true),
                             B(child) | B(pathed) | B(old) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 8, false), B(pathed));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 13, true),
                             B(pathed) | B(old) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_PARENT, 8, true), B(old) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 254, true),
                             B(pathed) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 199, true),
                             B(pathed) | B(old) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 300, true), B(pathed) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, -1, true), B(pathed) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, -7, true), B(pathed) | B(named));
            assert_int_equal(fire_row(&fx, 4, 8, true), B(old) | B(named));
        }
        ps_match_file_begin(fx.c, &other);
        for (int rep = 0; rep < 2; rep++) {
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 8, true),
                             B(child) | B(old) | B(named));
            assert_int_equal(fire_row(&fx, PS_SUBJECT_CHILD, 8, false), 0);
        }
    }
    fx_free(&fx);
}

/* Hash format in a password field; NOT(hash) for plain-text passwords. */
static void test_hash_and_not(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("users.csv");
    uint32_t weak, plain, pw;

    (void)state;
    pw = c_field(&fx.t, "pass(word)?$");
    weak = add_rule(&fx.t, "weak-hash", PS_SCOPE_RECORD,
                    c_group(&fx.t, PS_COND_ALL, 2, pw,
                            c_kind(&fx.t, PS_COND_HASH,
                                   B(PS_HASH_MD5) | B(PS_HASH_SHA1))));
    plain = add_rule(&fx.t, "plain-pw", PS_SCOPE_RECORD,
                     c_group(&fx.t, PS_COND_ALL, 3, pw, c_readable(&fx.t, true),
                             c_not(&fx.t, c_kind(&fx.t, PS_COND_HASH, 0xffu))));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "password", "03bccfc2f2bbc59bbcb1341037b14261"), B(weak));
    assert_int_equal(fire_s(&fx, "PASSWORD", "11f6ad8ec52a2984abaafd7c3b516503785c2072"), B(weak));
    assert_int_equal(fire_s(&fx, "password",
                            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"), 0);
    assert_int_equal(fire_s(&fx, "user_pass", "sparkle7"), B(plain));
    assert_int_equal(fire_s(&fx, "username", "03bccfc2f2bbc59bbcb1341037b14261"), 0);
    assert_int_equal(fire_s(&fx, "username", "sparkle7"), 0);
    fx_free(&fx);
}

/* ANY over value regexes, and Luhn. */
static void test_any_and_luhn(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("orders.csv");
    uint32_t any, card;

    (void)state;
    any = add_rule(&fx.t, "any", PS_SCOPE_RECORD,
                   c_group(&fx.t, PS_COND_ANY, 2, c_value(&fx.t, "\\bfoo\\b"),
                           c_value(&fx.t, "bar[0-9]+")));
    card = add_rule(&fx.t, "card", PS_SCOPE_RECORD, c_kind(&fx.t, PS_COND_LUHN, 0));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "x", "a foo b"), B(any));
    assert_int_equal(fire_s(&fx, "x", "bar12"), B(any));
    assert_int_equal(fire_s(&fx, "x", "food bar"), 0);
    assert_int_equal(fire_s(&fx, "cc", "4111 1111 1111 1111"), B(card));
    assert_int_equal(fire_s(&fx, "cc", "4111 1111 1111 1112"), 0);
    assert_int_equal(fire_s(&fx, "cc", "foo 4111-1111-1111-1111"), B(any) | B(card));
    fx_free(&fx);
}

/* A value holding NUL bytes is scanned to its full length. */
static void test_value_with_nul(void **state)
{
    static const char v[] = "abc\0\0def jo@ex.com \0tail";
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("db.sqlite");
    ps_record rec = mkrec("blob", v, sizeof(v) - 1);
    size_t s, e;
    uint32_t r, kw;
    static const char *const words[] = {"tail"};

    (void)state;
    r = add_rule(&fx.t, "email", PS_SCOPE_RECORD, c_value(&fx.t, EMAIL_RE));
    kw = add_rule(&fx.t, "kw", PS_SCOPE_RECORD, c_keywords(&fx.t, words, 1));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire(&fx, "blob", v, sizeof(v) - 1), B(r) | B(kw));
    assert_int_equal(fire(&fx, "blob", v, 5), 0);
    ps_match_span(fx.c, r, &rec, &s, &e);
    assert_int_equal(s, 9);
    assert_int_equal(e, 18);
    ps_match_span(fx.c, kw, &rec, &s, &e);
    assert_int_equal(s, 20);
    assert_int_equal(e, 24);
    fx_free(&fx);
}

/*
 * Values shorter than every shared pattern's shortest match skip the scan.
 * The bound is the least of the minimums: a value as short as the
 * shortest pattern still matches it, and one byte less matches nothing.
 */
static void test_value_min_width(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("notes.txt");
    uint32_t r, pin;

    (void)state;
    r = add_rule(&fx.t, "email", PS_SCOPE_RECORD, c_value(&fx.t, EMAIL_RE));
    pin = add_rule(&fx.t, "pin", PS_SCOPE_RECORD, c_value(&fx.t, "[0-9]{4}"));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "note", "1234"), B(pin));
    assert_int_equal(fire_s(&fx, "note", "123"), 0);
    assert_int_equal(fire_s(&fx, "note", "a@b.cc"), B(r));
    assert_int_equal(fire_s(&fx, "note", "pin 9876 a@b.cc"), B(r) | B(pin));
    /* a short value after a long one starts from clear bits */
    assert_int_equal(fire_s(&fx, "note", "x@y.zz 4321"), B(r) | B(pin));
    assert_int_equal(fire_s(&fx, "note", "x@y"), 0);
    fx_free(&fx);
}

/*
 * The need filter (need.h) answers "no match" for values that lack what
 * every shared pattern needs, and a column it never helps rests from it.
 * Whichever state a column is in, the answers must be the scan's: here a
 * column goes from timestamps (all rejected) to unique emails (never
 * rejected: the filter rests) to a mix, with long card-like digit runs.
 */
static void test_need_filter_phases(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("notes.txt");
    uint32_t email, digits;
    char v[64];

    (void)state;
    email = add_rule(&fx.t, "email", PS_SCOPE_RECORD, c_value(&fx.t, EMAIL_RE));
    digits = add_rule(&fx.t, "digits", PS_SCOPE_RECORD, c_value(&fx.t, "[0-9][0-9 -]{11,}[0-9]"));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    for (int i = 0; i < 3000; i++) {
        snprintf(v, sizeof(v), "2015-10-01T%02d:%02d:%02dZ", i / 3600, i / 60 % 60, i % 60);
        assert_int_equal(fire_s(&fx, "note", v), 0);
    }
    for (int i = 0; i < 40000; i++) {
        snprintf(v, sizeof(v), "user%d@example.com", i);
        assert_int_equal(fire_s(&fx, "note", v), B(email));
    }
    for (int i = 0; i < 40000; i++) {
        uint32_t want = 0;

        if (i % 4 == 0) {
            snprintf(v, sizeof(v), "kid%d@example.org", i);
            want = B(email);
        } else if (i % 4 == 1) {
            snprintf(v, sizeof(v), "4111 1111 %04d %04d", i % 10000, (i * 7) % 10000);
            want = B(digits);
        } else {
            snprintf(v, sizeof(v), "2015-11-%02dT%08d", i % 28 + 1, i);
        }
        assert_int_equal(fire_s(&fx, "note", v), want);
    }
    fx_free(&fx);
}

/* A VALUE condition on an existing pattern: two conditions reading one pattern. */
static uint32_t c_value_of(tb *t, uint32_t pattern_index)
{
    ps_cond c = {.kind = PS_COND_VALUE};

    c.pattern = pattern_index;
    return add_cond(t, &c);
}

/*
 * A shared pattern every rule of which requires LUHN (a card rule) has a
 * need filter apart: a value that meets only its need is scanned only when
 * it holds a Luhn number.  The answers must be the scan's: card-shaped
 * creation times and ids do not fire the card rule, cards do, the other
 * shared patterns still fire on values that also have the card's shape,
 * and a pattern that some rule reads without requiring LUHN (through a
 * second condition, or under an ANY) keeps every match.
 */
static void test_luhn_only_need(void **state)
{
    static const char *const card_re = "[0-9][0-9 -]{11,22}[0-9]";
    static const char *const values[] = {
        "2014-01-01 00:01:18", "4111 1111 1111 1111", "4111 1111 1111 1112",
        "a@b.example 2014-01-01 00:01:18", "a@b.example 4111-1111-1111-1111",
        "ref 1234 5678 9012 3456 7", "5555555555554444", "1999-12-31 23", "x@y.zz",
        "0000000000000000", "call 555-0199",
    };
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("export/users.csv");
    uint32_t email, card, card2, shape, either, p2, p3;

    (void)state;
    email = add_rule(&fx.t, "email", PS_SCOPE_RECORD, c_value(&fx.t, EMAIL_RE));
    card = add_rule(&fx.t, "card", PS_SCOPE_RECORD,
                    c_group(&fx.t, PS_COND_ALL, 2, c_value(&fx.t, card_re),
                            c_kind(&fx.t, PS_COND_LUHN, 0)));
    /* one pattern, read by a rule without LUHN and (last) by a Luhn rule */
    p2 = pattern(&fx.t, PS_TARGET_VALUE, "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}", 0, 3, 4);
    shape = add_rule(&fx.t, "shape", PS_SCOPE_RECORD, c_value_of(&fx.t, p2));
    card2 = add_rule(&fx.t, "card2", PS_SCOPE_RECORD,
                     c_group(&fx.t, PS_COND_ALL, 2, c_value_of(&fx.t, p2),
                             c_kind(&fx.t, PS_COND_LUHN, 0)));
    /* LUHN under an ANY is not required: its pattern stays plain */
    p3 = pattern(&fx.t, PS_TARGET_VALUE, "[0-9]{4} [0-9]{4} [0-9]{4}", 0, 5, 6);
    either = add_rule(&fx.t, "either", PS_SCOPE_RECORD,
                      c_group(&fx.t, PS_COND_ANY, 2,
                              c_group(&fx.t, PS_COND_ALL, 2, c_kind(&fx.t, PS_COND_LUHN, 0),
                                      c_value(&fx.t, "^5")),
                              c_value_of(&fx.t, p3)));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(fire_s(&fx, "created_at", values[0]), B(shape));
        assert_int_equal(fire_s(&fx, "card", values[1]), B(card) | B(either));
        assert_int_equal(fire_s(&fx, "card", values[2]), B(either));
        assert_int_equal(fire_s(&fx, "note", values[3]), B(email) | B(shape));
        assert_int_equal(fire_s(&fx, "note", values[4]), B(email) | B(card));
        assert_int_equal(fire_s(&fx, "note", values[5]), B(either));
        assert_int_equal(fire_s(&fx, "card", values[6]), B(card) | B(either));
        assert_int_equal(fire_s(&fx, "created_at", values[7]), B(shape));
        assert_int_equal(fire_s(&fx, "email", values[8]), B(email));
        /* one digit repeated passes Luhn trivially: not a card (detect.h) */
        assert_int_equal(fire_s(&fx, "card", values[9]), 0);
        assert_int_equal(fire_s(&fx, "phone", values[10]), 0);
    }
    /* the shared pattern with a Luhn number: both of its rules, and the card */
    assert_int_equal(fire_s(&fx, "x", "4111-11-11 11 1111 1118"), B(card) | B(card2) | B(shape));
    assert_int_equal(fire_s(&fx, "x", "4111-11-11 11 1111 1117"), B(shape));
    fx_free(&fx);

    /* The card rule alone: no other shared pattern, the filter still answers. */
    fx = (fixture){tb_new(), NULL, NULL};
    card = add_rule(&fx.t, "card", PS_SCOPE_RECORD,
                    c_group(&fx.t, PS_COND_ALL, 2, c_value(&fx.t, card_re),
                            c_kind(&fx.t, PS_COND_LUHN, 0)));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        bool want = i == 1 || i == 4 || i == 6;

        assert_int_equal(fire_s(&fx, "note", values[i]), want ? B(card) : 0);
    }
    fx_free(&fx);
}

/* A pattern whose need is unknown (any three bytes) turns the filter off: every value is scanned. */
static void test_need_filter_unbounded(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("notes.txt");
    uint32_t email, any;

    (void)state;
    email = add_rule(&fx.t, "email", PS_SCOPE_RECORD, c_value(&fx.t, EMAIL_RE));
    any = add_rule(&fx.t, "any", PS_SCOPE_RECORD, c_value(&fx.t, ".{3}"));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(fire_s(&fx, "note", "12345"), B(any));
        assert_int_equal(fire_s(&fx, "id", i % 2 ? "a@b.cc" : "zz"), i % 2 ? B(email) | B(any) : 0u);
    }
    fx_free(&fx);
}

/* --- the verdict cache: a value seen before in a column replays its rules --- */

typedef struct dated_hits {
    ps_match_ctx *c;
    uint32_t rules[8];
    int32_t dates[8];
    size_t n;
} dated_hits;

static int on_dated_hit(void *ud, uint32_t rule, const ps_record *rec)
{
    dated_hits *h = ud;

    (void)rec;
    if (h->n < 8) {
        h->rules[h->n] = rule;
        h->dates[h->n++] = ps_match_record_date(h->c);
    }
    return 0;
}

/* The same value twice, in two columns, with and without media. */
static void test_verdicts_keyed(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("export/users.csv");
    uint32_t mail, media;
    ps_record rec;
    hits h = {{0}, 0, 0, 0};

    (void)state;
    mail = add_rule(&fx.t, "mail-col", PS_SCOPE_RECORD,
                    c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^email$"),
                            c_value(&fx.t, EMAIL_RE)));
    media = add_rule(&fx.t, "media", PS_SCOPE_RECORD, c_kind(&fx.t, PS_COND_MEDIA, 1u << PS_MEDIA_JPEG));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(fire_s(&fx, "email", "jo@example.com"), B(mail));
        assert_int_equal(fire_s(&fx, "note", "jo@example.com"), 0);
        assert_int_equal(fire_s(&fx, "email", "nobody"), 0);
        /* same field and bytes, but the record says it holds a JPEG */
        rec = mkrec("email", "jo@example.com", 14);
        rec.media = PS_MEDIA_JPEG;
        h.n = 0;
        assert_int_equal(ps_match_record(fx.c, &rec, on_hit, &h), PS_OK);
        assert_int_equal(h.n, 2);
        assert_int_equal(h.rules[0], mail);
        assert_int_equal(h.rules[1], media);
    }
    fx_free(&fx);
}

/* Verdicts belong to a file and to an --as-of day; the date is replayed too. */
static void test_verdicts_per_file_and_day(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts csv = text_file("a.csv"), txt = text_file("b.txt");
    ps_cond old = {.kind = PS_COND_OLDER_THAN, .min = 30};
    uint32_t r_csv, r_old;
    int32_t day = ps_date_from_ymd(2015, 11, 1);

    (void)state;
    csv.sniff.format = PS_FMT_CSV;
    r_csv = add_rule(&fx.t, "csv-name", PS_SCOPE_RECORD,
                     c_group(&fx.t, PS_COND_ALL, 2, c_kind(&fx.t, PS_COND_FORMAT, 1u << PS_FMT_CSV),
                             c_value(&fx.t, "Chloe")));
    r_old = add_rule(&fx.t, "old", PS_SCOPE_RECORD, add_cond(&fx.t, &old));
    fx_compile(&fx);
    ps_match_ctx_set_as_of(fx.c, ps_date_from_ymd(2016, 1, 1));
    for (int round = 0; round < 2; round++) {
        ps_match_file_begin(fx.c, &csv);
        assert_int_equal(fire_s(&fx, "name", "Chloe"), B(r_csv));
        assert_int_equal(fire_s(&fx, "name", "Chloe"), B(r_csv));
        ps_match_file_begin(fx.c, &txt);
        assert_int_equal(fire_s(&fx, "name", "Chloe"), 0);
        assert_int_equal(fire_s(&fx, "name", "Chloe"), 0);
    }
    for (int round = 0; round < 2; round++) {
        dated_hits dh = {fx.c, {0}, {0}, 0};
        ps_record rec = mkrec("created", "2015-11-01", 10);

        assert_int_equal(ps_match_record(fx.c, &rec, on_dated_hit, &dh), PS_OK);
        assert_int_equal(dh.n, 1);
        assert_int_equal(dh.rules[0], r_old);
        assert_int_equal(dh.dates[0], day);
    }
    /* an earlier --as-of: the same value is no longer old */
    ps_match_ctx_set_as_of(fx.c, ps_date_from_ymd(2015, 11, 15));
    assert_int_equal(fire_s(&fx, "created", "2015-11-01"), 0);
    fx_free(&fx);
}

/*
 * More rules than a verdict holds, a stop asked during a replay, and a
 * column of unique values that sends its list to rest: all still answer
 * exactly as a first look would.
 */
static void test_verdicts_limits(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("notes.txt");
    uint32_t all = 0;
    char v[32];

    (void)state;
    for (int i = 0; i < 8; i++) {
        char id[16];

        snprintf(id, sizeof(id), "r%d", i);
        all |= B(add_rule(&fx.t, id, PS_SCOPE_RECORD, c_value(&fx.t, "x")));
    }
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "n", "xx"), all);
    assert_int_equal(fire_s(&fx, "n", "xx"), all);
    {
        ps_record rec = mkrec("n", "xx", 2);
        hits h = {{0}, 0, 0, 3};

        assert_int_equal(ps_match_record(fx.c, &rec, on_hit, &h), PS_ERR_STOP);
        assert_int_equal(h.n, 3);
        h.n = h.total = 0;
        h.stop_after = 2;
        assert_int_equal(ps_match_record(fx.c, &rec, on_hit, &h), PS_ERR_STOP);
        assert_int_equal(h.n, 2);
    }
    for (int i = 0; i < 40000; i++) {
        snprintf(v, sizeof(v), "%s%d", i % 3 == 0 ? "x" : "y", i);
        assert_int_equal(fire_s(&fx, "id", v), i % 3 == 0 ? all : 0u);
        assert_int_equal(fire_s(&fx, "flag", i % 2 ? "x" : "no"), i % 2 ? all : 0u);
    }
    fx_free(&fx);
}

/* Weak hash parameters: a record detector, true and false, memoised per record. */
static void test_weak_hash_params(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("users.csv");
    ps_cond yes = {.kind = PS_COND_WEAK_HASH_PARAMS, .flag = true};
    ps_cond no = {.kind = PS_COND_WEAK_HASH_PARAMS, .flag = false};
    uint32_t weak, strong_argon2, pw;

    (void)state;
    pw = c_field(&fx.t, "pass(word)?$");
    weak = add_rule(&fx.t, "weak-params", PS_SCOPE_RECORD,
                    c_group(&fx.t, PS_COND_ALL, 2, pw, add_cond(&fx.t, &yes)));
    /* weak-hash-params: false with hash: argon2 is "argon2 at a good cost" */
    strong_argon2 = add_rule(&fx.t, "strong-argon2", PS_SCOPE_RECORD,
                             c_group(&fx.t, PS_COND_ALL, 2,
                                     c_kind(&fx.t, PS_COND_HASH, B(PS_HASH_ARGON2)),
                                     add_cond(&fx.t, &no)));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "password", "$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$"
                                             "RdescudvJCsgt3ub+b+dWRWJTmaaJObG"), B(weak));
    assert_int_equal(fire_s(&fx, "password", "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$"
                                             "RdescudvJCsgt3ub+b+dWRWJTmaaJObG"),
                     B(strong_argon2));
    assert_int_equal(fire_s(&fx, "pass", "$2b$09$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi."
                                         "Ss7KIUgO2t0jWMUW"), B(weak));
    assert_int_equal(fire_s(&fx, "pass", "$2b$10$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi."
                                         "Ss7KIUgO2t0jWMUW"), 0);
    assert_int_equal(fire_s(&fx, "password", "sparkle7"), 0);
    assert_int_equal(fire_s(&fx, "username", "$2b$04$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi."
                                             "Ss7KIUgO2t0jWMUW"), 0);
    fx_free(&fx);
}

/* --- protection facts: cipher kind, repeated blocks, nonce reuse --------------------- */

typedef struct protect_case {
    const char *name;
    ps_format format;
    ps_cipher cipher;
    bool repeated;
    bool reused;
    uint32_t want; /* bitmask of rules (see test_protection_facts) */
} protect_case;

/* Rule order in test_protection_facts. */
enum { P_OPENSSL, P_ENVELOPE_OR_SQLCIPHER, P_ECB, P_NONCE, P_NO_NONCE_ENV };

static const protect_case protect_cases[] = {
    {"openssl", PS_FMT_CIPHERTEXT, PS_CIPHER_OPENSSL, false, false, B(P_OPENSSL)},
    {"envelope", PS_FMT_CIPHERTEXT, PS_CIPHER_ENVELOPE, false, false,
     B(P_ENVELOPE_OR_SQLCIPHER) | B(P_NO_NONCE_ENV)},
    {"sqlcipher", PS_FMT_CIPHERTEXT, PS_CIPHER_SQLCIPHER, false, false, B(P_ENVELOPE_OR_SQLCIPHER)},
    {"entropy", PS_FMT_CIPHERTEXT, PS_CIPHER_ENTROPY, false, false, 0},
    {"cipher kind without ciphertext format", PS_FMT_UNKNOWN, PS_CIPHER_OPENSSL, false, false, 0},
    {"ecb", PS_FMT_CIPHERTEXT, PS_CIPHER_ENTROPY, true, false, B(P_ECB)},
    {"ecb in openssl", PS_FMT_CIPHERTEXT, PS_CIPHER_OPENSSL, true, false, B(P_OPENSSL) | B(P_ECB)},
    {"repeats in unknown binary", PS_FMT_UNKNOWN, PS_CIPHER_NONE, true, false, 0},
    {"nonce reused", PS_FMT_CIPHERTEXT, PS_CIPHER_ENTROPY, false, true, B(P_NONCE)},
    {"envelope nonce reused", PS_FMT_CIPHERTEXT, PS_CIPHER_ENVELOPE, false, true,
     B(P_ENVELOPE_OR_SQLCIPHER) | B(P_NONCE)},
    {"text", PS_FMT_TEXT, PS_CIPHER_NONE, false, false, 0},
};

static void test_protection_facts(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    tb *t = &fx.t;
    ps_cond rb = {.kind = PS_COND_REPEATED_BLOCKS, .flag = true};
    ps_cond nr = {.kind = PS_COND_NONCE_REUSE, .flag = true};
    ps_cond nr_no = {.kind = PS_COND_NONCE_REUSE, .flag = false};
    int bad = 0;

    (void)state;
    assert_int_equal(add_rule(t, "openssl", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_CIPHER, B(PS_CIPHER_OPENSSL))), P_OPENSSL);
    assert_int_equal(add_rule(t, "env-or-sqlcipher", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_CIPHER,
                                     B(PS_CIPHER_ENVELOPE) | B(PS_CIPHER_SQLCIPHER))),
                     P_ENVELOPE_OR_SQLCIPHER);
    assert_int_equal(add_rule(t, "ecb", PS_SCOPE_FILE,
                              c_group(t, PS_COND_ALL, 2,
                                      c_kind(t, PS_COND_FORMAT, B(PS_FMT_CIPHERTEXT)),
                                      add_cond(t, &rb))), P_ECB);
    assert_int_equal(add_rule(t, "nonce", PS_SCOPE_FILE, add_cond(t, &nr)), P_NONCE);
    assert_int_equal(add_rule(t, "env-fresh-nonce", PS_SCOPE_FILE,
                              c_group(t, PS_COND_ALL, 2,
                                      c_kind(t, PS_COND_CIPHER, B(PS_CIPHER_ENVELOPE)),
                                      add_cond(t, &nr_no))), P_NO_NONCE_ENV);
    fx_compile(&fx);
    for (size_t i = 0; i < sizeof(protect_cases) / sizeof(protect_cases[0]); i++) {
        const protect_case *pc = &protect_cases[i];
        ps_file_facts f = {0};
        uint32_t got;

        f.rel_path = "x.enc";
        f.size = 4096;
        f.mode = 0600;
        f.sniff.format = pc->format;
        f.sniff.cipher = pc->cipher;
        f.sniff.repeated_blocks = pc->repeated;
        f.nonce_reused = pc->reused;
        got = fire_file(&fx, &f);
        if (got != pc->want) {
            print_error("case '%s': want %#x, got %#x\n", pc->name, pc->want, got);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    fx_free(&fx);
}

/*
 * A record rule on protection facts alone is answered once per file (the
 * memo), yet still follows the file: a new file_begin asks again.
 */
static void test_protection_facts_per_file(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_cond nr = {.kind = PS_COND_NONCE_REUSE, .flag = true};
    ps_file_facts reused = text_file("a.enc"), fresh = text_file("b.enc");
    uint32_t r;

    (void)state;
    reused.sniff.format = fresh.sniff.format = PS_FMT_CIPHERTEXT;
    reused.nonce_reused = true;
    r = add_rule(&fx.t, "nonce-in-record", PS_SCOPE_RECORD, add_cond(&fx.t, &nr));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &reused);
    assert_int_equal(fire_s(&fx, "a", "x"), B(r));
    assert_int_equal(fire_s(&fx, "b", "y"), B(r));
    ps_match_file_begin(fx.c, &fresh);
    assert_int_equal(fire_s(&fx, "a", "x"), 0);
    fx_free(&fx);
}

/* --- file facts ---------------------------------------------------------------------- */

typedef struct facts_case {
    const char *name;
    const char *path;
    ps_format format;
    ps_media media;
    unsigned mode;
    uint64_t size;
    uint32_t beside;
    uint32_t want; /* bitmask of rules (see test_file_facts) */
} facts_case;

/* Rule order in test_file_facts. */
enum { R_IMAGE, R_SQLITE, R_WORLD_R, R_WORLD_W, R_GROUP_W, R_ENV, R_BIG, R_BESIDE };

static const facts_case facts_cases[] = {
    {"jpeg photo", "photos/kid.jpg", PS_FMT_MEDIA, PS_MEDIA_JPEG, 0600, 10, 0, B(R_IMAGE)},
    {"wav audio", "voice/1.wav", PS_FMT_MEDIA, PS_MEDIA_WAV, 0600, 10, 0, 0},
    {"sqlite", "db/app.sqlite", PS_FMT_SQLITE, PS_MEDIA_NONE, 0600, 10, 0, B(R_SQLITE)},
    {"world readable", "a.txt", PS_FMT_TEXT, PS_MEDIA_NONE, 0644, 10, 0, B(R_WORLD_R)},
    {"world writable", "a.txt", PS_FMT_TEXT, PS_MEDIA_NONE, 0602, 10, 0, B(R_WORLD_W)},
    {"group writable", "a.txt", PS_FMT_TEXT, PS_MEDIA_NONE, 0660, 10, 0, B(R_GROUP_W)},
    {"private", "a.txt", PS_FMT_TEXT, PS_MEDIA_NONE, 0640, 10, 0, 0},
    {"dotenv", "app/.env", PS_FMT_TEXT, PS_MEDIA_NONE, 0600, 10, 0, B(R_ENV)},
    {"dotenv not at end", "app/.env.bak", PS_FMT_TEXT, PS_MEDIA_NONE, 0600, 10, 0, 0},
    {"big", "a.bin", PS_FMT_UNKNOWN, PS_MEDIA_NONE, 0600, 1u << 20, 0, B(R_BIG)},
    {"size lower bound", "a.bin", PS_FMT_UNKNOWN, PS_MEDIA_NONE, 0600, 1024, 0, B(R_BIG)},
    {"size below", "a.bin", PS_FMT_UNKNOWN, PS_MEDIA_NONE, 0600, 1023, 0, 0},
    {"key beside ciphertext", "keys/k.pem", PS_FMT_TEXT, PS_MEDIA_NONE, 0600, 10,
     B(PS_FMT_CIPHERTEXT) | B(PS_FMT_TEXT), B(R_BESIDE)},
    {"beside only text", "keys/k.pem", PS_FMT_TEXT, PS_MEDIA_NONE, 0600, 10, B(PS_FMT_TEXT), 0},
    {"many at once", "x/.env", PS_FMT_SQLITE, PS_MEDIA_NONE, 0666, 4096,
     B(PS_FMT_CIPHERTEXT), B(R_SQLITE) | B(R_WORLD_R) | B(R_WORLD_W) | B(R_GROUP_W) |
     B(R_ENV) | B(R_BIG) | B(R_BESIDE)},
};

static void test_file_facts(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    tb *t = &fx.t;
    int bad = 0;

    (void)state;
    assert_int_equal(add_rule(t, "image", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_MEDIA, B(PS_MEDIA_JPEG) | B(PS_MEDIA_PNG))), R_IMAGE);
    assert_int_equal(add_rule(t, "sqlite", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_FORMAT, B(PS_FMT_SQLITE))), R_SQLITE);
    assert_int_equal(add_rule(t, "o+r", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_MODE, B(PS_MODE_WORLD_READABLE))), R_WORLD_R);
    assert_int_equal(add_rule(t, "o+w", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_MODE, B(PS_MODE_WORLD_WRITABLE))), R_WORLD_W);
    assert_int_equal(add_rule(t, "g+w", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_MODE, B(PS_MODE_GROUP_WRITABLE))), R_GROUP_W);
    assert_int_equal(add_rule(t, "env", PS_SCOPE_FILE, c_path(t, "(^|/)\\.env$")), R_ENV);
    assert_int_equal(add_rule(t, "big", PS_SCOPE_FILE, c_size(t, 1024, UINT64_MAX)), R_BIG);
    assert_int_equal(add_rule(t, "beside", PS_SCOPE_FILE,
                              c_kind(t, PS_COND_BESIDE, B(PS_FMT_CIPHERTEXT))), R_BESIDE);
    fx_compile(&fx);
    for (size_t i = 0; i < sizeof(facts_cases) / sizeof(facts_cases[0]); i++) {
        const facts_case *fc = &facts_cases[i];
        ps_file_facts f = {0};
        uint32_t got;

        f.rel_path = fc->path;
        f.sniff.format = fc->format;
        f.sniff.media = fc->media;
        f.mode = fc->mode;
        f.size = fc->size;
        f.beside = fc->beside;
        got = fire_file(&fx, &f);
        if (got != fc->want) {
            print_error("case '%s': want %#x, got %#x\n", fc->name, fc->want, got);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    fx_free(&fx);
}

/*
 * Scopes stay apart: record rules never fire from ps_match_file, file rules
 * never from ps_match_record; record detectors are false in file scope; a
 * record rule on file facts only is answered per file, not once forever.
 */
static void test_scope_separation(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    tb *t = &fx.t;
    ps_file_facts sq = text_file("a.sqlite"), txt = text_file("b.txt");
    ps_record jpeg_blob = mkrec("photo", "\xff\xd8\xff", 3);
    hits h = {{0}, 0, 0, 0};
    uint32_t rec_fmt, rec_media, file_fmt, file_val, file_notval;

    (void)state;
    sq.sniff.format = PS_FMT_SQLITE;
    rec_fmt = add_rule(t, "rec-fmt", PS_SCOPE_RECORD, c_kind(t, PS_COND_FORMAT, B(PS_FMT_SQLITE)));
    rec_media = add_rule(t, "rec-media", PS_SCOPE_RECORD, c_kind(t, PS_COND_MEDIA, B(PS_MEDIA_JPEG)));
    file_fmt = add_rule(t, "file-fmt", PS_SCOPE_FILE, c_kind(t, PS_COND_FORMAT, B(PS_FMT_SQLITE)));
    file_val = add_rule(t, "file-val", PS_SCOPE_FILE, c_value(t, "x"));
    file_notval = add_rule(t, "file-notval", PS_SCOPE_FILE, c_not(t, c_readable(t, true)));
    fx_compile(&fx);

    ps_match_file_begin(fx.c, &sq);
    assert_int_equal(fire_s(&fx, "a", "x"), B(rec_fmt));
    assert_int_equal(fire_s(&fx, "b", "y"), B(rec_fmt));
    jpeg_blob.media = PS_MEDIA_JPEG;
    assert_int_equal(ps_match_record(fx.c, &jpeg_blob, on_hit, &h), PS_OK);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.rules[0], rec_fmt);
    assert_int_equal(h.rules[1], rec_media);
    ps_match_file_begin(fx.c, &txt);
    assert_int_equal(fire_s(&fx, "a", "x"), 0);

    assert_int_equal(fire_file(&fx, &sq), B(file_fmt) | B(file_notval));
    assert_int_equal(fire_file(&fx, &txt), B(file_notval));
    (void)file_val;
    fx_free(&fx);
}

/* A callback that returns non-zero stops matching with PS_ERR_STOP. */
static void test_stop(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("a.txt");
    ps_record rec = mkrec("", "abc", 3);
    hits h = {{0}, 0, 0, 1};

    (void)state;
    add_rule(&fx.t, "a", PS_SCOPE_RECORD, c_value(&fx.t, "a"));
    add_rule(&fx.t, "b", PS_SCOPE_RECORD, c_value(&fx.t, "b"));
    add_rule(&fx.t, "f", PS_SCOPE_FILE, c_kind(&fx.t, PS_COND_FORMAT, B(PS_FMT_TEXT)));
    add_rule(&fx.t, "g", PS_SCOPE_FILE, c_kind(&fx.t, PS_COND_FORMAT, B(PS_FMT_TEXT)));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(ps_match_record(fx.c, &rec, on_hit, &h), PS_ERR_STOP);
    assert_int_equal(h.total, 1);
    h.total = 0;
    h.n = 0;
    assert_int_equal(ps_match_file(fx.c, &f, on_hit, &h), PS_ERR_STOP);
    assert_int_equal(h.total, 1);
    fx_free(&fx);
}

/* --- gated value patterns --------------------------------------------------------- */

/*
 * A value pattern used only under a field cue (phone) or a path (.env) is
 * scanned by a database of its own, and only when the gate is open; one
 * also used by an ungated rule stays shared.  The answers must be exactly
 * those of one shared database: same rules fire, in the same order, on
 * gated and ungated fields, for a NOT over a gated pattern too, and across
 * records (no stale bit from the record before).
 */
static void test_gated_values(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("export/users.csv");
    ps_file_facts env = text_file("config/.env");
    uint32_t phone, nodigits, envr, email, any_email, kw;

    (void)state;
    phone = add_rule(&fx.t, "phone", PS_SCOPE_RECORD,
                     c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^phone$"),
                             c_value(&fx.t, "[0-9]{3}-[0-9]{4}")));
    nodigits = add_rule(&fx.t, "msg", PS_SCOPE_RECORD,
                        c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^body$"),
                                c_not(&fx.t, c_value(&fx.t, "^[0-9 ]+$"))));
    envr = add_rule(&fx.t, "env", PS_SCOPE_RECORD,
                    c_group(&fx.t, PS_COND_ALL, 2, c_path(&fx.t, "(^|/)\\.env$"),
                            c_value(&fx.t, "SECRET=")));
    email = add_rule(&fx.t, "email-col", PS_SCOPE_RECORD,
                     c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^email$"),
                             c_value(&fx.t, "@")));
    any_email = add_rule(&fx.t, "email-any", PS_SCOPE_RECORD, c_value(&fx.t, "@"));
    {
        static const char *const words[] = { "first pet", "maiden name" };

        kw = add_rule(&fx.t, "question", PS_SCOPE_RECORD,
                      c_group(&fx.t, PS_COND_ALL, 2, c_field(&fx.t, "^hint$"),
                              c_keywords(&fx.t, words, 2)));
    }
    fx_compile(&fx);

    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "phone", "call 555-0199"), B(phone));
    assert_int_equal(fire_s(&fx, "fax", "call 555-0199"), 0);
    assert_int_equal(fire_s(&fx, "phone", "unknown"), 0);
    /* The record before matched; this one must not inherit its bit. */
    assert_int_equal(fire_s(&fx, "phone", "555-0199"), B(phone));
    assert_int_equal(fire_s(&fx, "phone", "n/a"), 0);
    assert_int_equal(fire_s(&fx, "body", "see you at 5"), B(nodigits));
    assert_int_equal(fire_s(&fx, "body", "400"), 0);
    assert_int_equal(fire_s(&fx, "body", "hi"), B(nodigits));
    /* "@" is used gated and ungated: shared, and both rules see it. */
    assert_int_equal(fire_s(&fx, "email", "a@b.example"), B(email) | B(any_email));
    assert_int_equal(fire_s(&fx, "name", "a@b.example"), B(any_email));
    /* Gated keywords: each keyword scanned on its own, under the cue only. */
    assert_int_equal(fire_s(&fx, "hint", "my First Pet"), B(kw));
    assert_int_equal(fire_s(&fx, "hint", "mother's MAIDEN name"), B(kw));
    assert_int_equal(fire_s(&fx, "hint", "my dog"), 0);
    assert_int_equal(fire_s(&fx, "note", "my first pet"), 0);
    /* Path-gated: only in a .env file. */
    assert_int_equal(fire_s(&fx, "", "SECRET=x"), 0);
    ps_match_file_begin(fx.c, &env);
    assert_int_equal(fire_s(&fx, "", "SECRET=x"), B(envr));
    assert_int_equal(fire_s(&fx, "", "PUBLIC=x"), 0);
    fx_free(&fx);
}

/* Gated patterns are checked at load like any other: file:line:col for a bad one. */
static void test_gated_bad_regex(void **state)
{
    tb t = tb_new();
    ps_matcher *m = (ps_matcher *)&t;
    ps_diag d = {{0}};
    ps_cond c = {0};
    uint32_t field_ci;

    (void)state;
    field_ci = c_field(&t, "^phone$");
    c.kind = PS_COND_VALUE;
    c.pattern = pattern(&t, PS_TARGET_VALUE, "([0-9]", 0, 12, 5);
    add_rule(&t, "phone", PS_SCOPE_RECORD,
             c_group(&t, PS_COND_ALL, 2, field_ci, add_cond(&t, &c)));
    assert_int_equal(ps_matcher_create(t.rs, &m, &d), PS_ERR_RULE);
    assert_null(m);
    assert_true(strncmp(d.msg, "f.yml:12:5: bad regex: ", 23) == 0);
    ps_ruleset_destroy(t.rs);
}

/* --- compile errors ------------------------------------------------------------------- */

typedef struct bad_case {
    const char *expr;
    ps_target target;
    unsigned line, col;
    const char *prefix;
} bad_case;

static void test_bad_regex(void **state)
{
    static const bad_case cases[] = {
        {"(unclosed", PS_TARGET_VALUE, 3, 7, "f.yml:3:7: bad regex: "},
        {"[z-a]", PS_TARGET_FIELD, 5, 9, "f.yml:5:9: bad regex: "},
        {"a**", PS_TARGET_PATH, 8, 2, "f.yml:8:2: bad regex: "},
        {"x*", PS_TARGET_VALUE, 11, 4, "f.yml:11:4: bad regex: "}, /* matches empty */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tb t = tb_new();
        ps_matcher *m = (ps_matcher *)&t; /* must be reset to NULL on failure */
        ps_diag d = {{0}};
        ps_cond c = {0};
        uint32_t ok_pat, bad_pat, ci;

        /* a good pattern first, so the error index must be mapped back */
        ok_pat = pattern(&t, cases[i].target, "fine", 0, 1, 1);
        bad_pat = pattern(&t, cases[i].target, cases[i].expr, 0, cases[i].line, cases[i].col);
        c.kind = cases[i].target == PS_TARGET_FIELD ? PS_COND_FIELD :
                 cases[i].target == PS_TARGET_VALUE ? PS_COND_VALUE : PS_COND_PATH;
        c.pattern = bad_pat;
        ci = add_cond(&t, &c);
        add_rule(&t, "r", PS_SCOPE_RECORD, ci);
        (void)ok_pat;
        assert_int_equal(ps_matcher_create(t.rs, &m, &d), PS_ERR_RULE);
        assert_null(m);
        if (strncmp(d.msg, cases[i].prefix, strlen(cases[i].prefix)) != 0)
            fail_msg("case %zu: diag '%s'", i, d.msg);
        assert_true(strlen(d.msg) > strlen(cases[i].prefix));
        ps_ruleset_destroy(t.rs);
    }
}

/* An empty rule set compiles and matches nothing. */
static void test_empty_ruleset(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("a.txt");
    size_t s, e;
    ps_record rec = mkrec("f", "value", 5);

    (void)state;
    fx_compile(&fx);
    assert_ptr_equal(ps_matcher_rules(fx.m), fx.t.rs);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_s(&fx, "f", "value"), 0);
    assert_int_equal(fire_file(&fx, &f), 0);
    ps_match_span(fx.c, 0, &rec, &s, &e);
    assert_int_equal(s, 0);
    assert_int_equal(e, 5);
    fx_free(&fx);
}

/* --- the field cache and steady state ------------------------------------------- */

/*
 * Same field names over many records, then more distinct names than the
 * cache holds: answers must not depend on whether a name was cached.
 */
static void test_field_cache(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("big.csv");
    uint32_t r;
    char name[64];

    (void)state;
    r = add_rule(&fx.t, "pw", PS_SCOPE_RECORD, c_field(&fx.t, "^pass"));
    fx_compile(&fx);
    for (int file = 0; file < 2; file++) {
        ps_match_file_begin(fx.c, &f);
        for (int i = 0; i < 3000; i++) {
            const char *fields[] = {"password", "username", "Passcode"};
            uint32_t want = i % 3 == 1 ? 0 : B(r);

            assert_int_equal(fire_s(&fx, fields[i % 3], "v"), want);
        }
        /* 1000 distinct names overflow the table (and then the key arena) */
        for (int i = 0; i < 1000; i++) {
            int n = snprintf(name, sizeof(name), "%s_%d_%040d", i % 2 ? "pass" : "user", i, i);

            assert_true(n > 0 && (size_t)n < sizeof(name));
            assert_int_equal(fire_s(&fx, name, "v"), i % 2 ? B(r) : 0);
        }
        assert_int_equal(fire_s(&fx, "password", "v"), B(r));
        assert_int_equal(fire_s(&fx, "", "v"), 0);
    }
    fx_free(&fx);
}

/*
 * 10,000 records through a mixed rule set.  Counts must be exact; under
 * valgrind this also shows the record path neither leaks nor grows.
 */
static void test_many_records(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    tb *t = &fx.t;
    ps_file_facts f = text_file("chat.jsonl");
    static const char *const words[] = {"secret"};
    hits h = {{0}, 0, 0, 0};
    size_t want = 0;
    char buf[128];

    (void)state;
    add_rule(t, "email", PS_SCOPE_RECORD, c_value(t, EMAIL_RE));
    add_rule(t, "msg", PS_SCOPE_RECORD,
             c_group(t, PS_COND_ALL, 2, c_field(t, "message"), c_readable(t, true)));
    add_rule(t, "kw", PS_SCOPE_RECORD, c_keywords(t, words, 1));
    fx_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    for (int i = 0; i < 10000; i++) {
        int n;
        ps_record rec;

        switch (i % 4) {
        case 0: /* email + message */
            n = snprintf(buf, sizeof(buf), "mail me at kid%d@example.com", i);
            want += 2;
            break;
        case 1: /* message only */
            n = snprintf(buf, sizeof(buf), "hello number %d", i);
            want += 1;
            break;
        case 2: /* keyword + message */
            n = snprintf(buf, sizeof(buf), "it is a SECRET %d", i);
            want += 2;
            break;
        default: /* opaque: nothing */
            n = snprintf(buf, sizeof(buf), "SeV3WdAD6J+Fwvo6X38o7KZhPWvBK9jj4d+bvylt6rM=");
            break;
        }
        rec = mkrec("message", buf, (size_t)n);
        h.n = 0;
        assert_int_equal(ps_match_record(fx.c, &rec, on_hit, &h), PS_OK);
    }
    assert_int_equal(h.total, want);
    fx_free(&fx);
}

/* ps_match_rule: one rule, either scope. */
static void test_match_rule(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("a.txt");
    ps_record rec = mkrec("email", "jo@ex.com", 9);
    bool matched = true;
    uint32_t r, fr;

    (void)state;
    r = add_rule(&fx.t, "email", PS_SCOPE_RECORD, c_value(&fx.t, EMAIL_RE));
    fr = add_rule(&fx.t, "txt", PS_SCOPE_FILE, c_path(&fx.t, "\\.txt$"));
    fx_compile(&fx);
    assert_int_equal(ps_match_rule(fx.c, r, &f, &rec, &matched), PS_OK);
    assert_true(matched);
    rec = mkrec("email", "nobody", 6);
    assert_int_equal(ps_match_rule(fx.c, r, &f, &rec, &matched), PS_OK);
    assert_false(matched);
    assert_int_equal(ps_match_rule(fx.c, fr, &f, NULL, &matched), PS_OK);
    assert_true(matched);
    f.rel_path = "a.md";
    assert_int_equal(ps_match_rule(fx.c, fr, &f, &rec, &matched), PS_OK);
    assert_false(matched);
    assert_int_equal(ps_match_rule(fx.c, 99, &f, &rec, &matched), PS_ERR_USAGE);
    fx_free(&fx);
}

/* --- field ids ------------------------------------------------------------------- */

/* Rules on field names alone, with values, and under NOT, for the id tests. */
typedef struct id_rules {
    uint32_t pw, email, any_at, msg, not_id;
} id_rules;

static id_rules id_rules_compile(fixture *fx)
{
    tb *t = &fx->t;
    id_rules r;

    r.pw = add_rule(t, "pw", PS_SCOPE_RECORD, c_field(t, "^pass"));
    r.email = add_rule(t, "email", PS_SCOPE_RECORD,
                       c_group(t, PS_COND_ALL, 2, c_field(t, "^email$"), c_value(t, "@")));
    r.any_at = add_rule(t, "at", PS_SCOPE_RECORD, c_value(t, "@"));
    r.msg = add_rule(t, "msg", PS_SCOPE_RECORD,
                     c_group(t, PS_COND_ALL, 2, c_field(t, "^(message|body)$"),
                             c_readable(t, true)));
    r.not_id = add_rule(t, "digits", PS_SCOPE_RECORD,
                        c_group(t, PS_COND_ALL, 2, c_not(t, c_field(t, "^id$")),
                                c_value(t, "^[0-9]+$")));
    fx_compile(fx);
    return r;
}

/*
 * A file read with field ids gives exactly the hits of the same file read
 * without them: for names that match FIELD patterns, names that match
 * none, the empty name, and ids that come back between other ids.
 */
static void test_field_ids_same_hits(void **state)
{
    static const char *const fields[] = {"password", "username", "email", "message", "", "id"};
    static const char *const values[] = {"hunter2", "a@b.example", "see you at the park",
                                         "12345", ""};
    enum { NF = sizeof(fields) / sizeof(fields[0]), NV = sizeof(values) / sizeof(values[0]),
           N = 3 * NF * NV };
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("users.csv");
    uint32_t with[N], without[N], seen = 0;
    id_rules r;

    (void)state;
    r = id_rules_compile(&fx);
    for (int ids = 0; ids < 2; ids++) {
        uint32_t *out = ids ? with : without;

        ps_match_file_begin(fx.c, &f);
        for (size_t i = 0; i < N; i++) {
            size_t fi = i % NF, vi = i / NF % NV;

            out[i] = fire_id(&fx, ids ? (uint32_t)fi + 1 : 0, fields[fi], values[vi]);
        }
    }
    for (size_t i = 0; i < N; i++) {
        if (with[i] != without[i])
            fail_msg("record %zu (%s = %s): %#x with ids, %#x without", i,
                     fields[i % NF], values[i / NF % NV], with[i], without[i]);
        seen |= without[i];
    }
    /* Every rule fired somewhere, so the comparison says something. */
    assert_int_equal(seen, B(r.pw) | B(r.email) | B(r.any_at) | B(r.msg) | B(r.not_id));
    fx_free(&fx);
}

/*
 * Ids are per file: the next file may give id 1 to another name.  Each
 * id's answer must follow its name in this file, whichever way round:
 * firing -> not firing, not firing -> firing, the empty name (no FIELD
 * bits at all) -> a firing name, and back.
 */
static void test_field_ids_per_file(void **state)
{
    static const char *const names[][3] = {
        {"password", "username", ""},
        {"username", "password", "password"},
        {"", "passcode", "username"},
    };
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("users.csv");
    id_rules r;

    (void)state;
    r = id_rules_compile(&fx);
    for (size_t file = 0; file < 3; file++) {
        ps_match_file_begin(fx.c, &f);
        /* Twice: the first record of an id looks its name up, the second uses the id. */
        for (int pass = 0; pass < 2; pass++) {
            for (uint32_t id = 1; id <= 3; id++) {
                const char *name = names[file][id - 1];
                uint32_t want = strncmp(name, "pass", 4) == 0 ? B(r.pw) : 0;

                if (fire_id(&fx, id, name, "x") != want)
                    fail_msg("file %zu, id %u (%s): wrong hits", file, id, name);
            }
        }
    }
    fx_free(&fx);
}

/*
 * Names past the field cache's capacity (CACHE_MAX_ENTRIES in match.c,
 * 192 of 256 slots) are scanned into one scratch bitset that the next
 * such name overwrites.  Their ids must not remember it: two uncached
 * names alternating under their ids each keep their own answer, and a name
 * cached before the cache filled still answers through its id.
 */
static void test_field_ids_uncached(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    ps_file_facts f = text_file("wide.csv");
    char name[32];
    id_rules r;

    (void)state;
    r = id_rules_compile(&fx);
    ps_match_file_begin(fx.c, &f);
    assert_int_equal(fire_id(&fx, 1, "password", "x"), B(r.pw));
    /* 2 * 256 distinct names: more than the cache holds, whatever its fill limit. */
    for (uint32_t id = 2; id < 2 + 512; id++) {
        snprintf(name, sizeof(name), "col_%u", id);
        assert_int_equal(fire_id(&fx, id, name, "x"), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(fire_id(&fx, 600, "pass_late", "x"), B(r.pw));
        assert_int_equal(fire_id(&fx, 601, "late_user", "x"), 0);
        assert_int_equal(fire_id(&fx, 602, "email_late", "a@b.example"), B(r.any_at));
        assert_int_equal(fire_id(&fx, 1, "password", "x"), B(r.pw));
        assert_int_equal(fire_id(&fx, 603, "pass_late_2", "7"), B(r.pw) | B(r.not_id));
    }
    fx_free(&fx);
}

/* --- rule tests (ruletest.c) ------------------------------------------------------ */

typedef struct msgs {
    char text[8][256];
    size_t n;
} msgs;

static void on_msg(void *ud, const char *msg)
{
    msgs *m = ud;

    if (m->n < 8)
        ps_strlcpy(m->text[m->n++], msg, sizeof(m->text[0]));
}

static void add_example(tb *t, uint32_t rule, bool expect, const char *field,
                        const char *value, unsigned line)
{
    ps_rule *r = &t->rs->rules[rule];
    ps_example *ex;

    r->examples = realloc(r->examples, (r->nexamples + 1) * sizeof(*ex));
    assert_non_null(r->examples);
    ex = &r->examples[r->nexamples++];
    memset(ex, 0, sizeof(*ex));
    ex->expect_match = expect;
    ex->field = field != NULL ? ps_strdup(field) : NULL;
    ex->value = ps_strdup(value);
    ex->value_len = strlen(value);
    ex->format = PS_FMT_TEXT;
    ex->mode = 0640;
    ex->at = at(t, line, 7);
}

static void test_rules_test(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    tb *t = &fx.t;
    msgs got = {{{0}}, 0};
    size_t passed = 99, failed = 99;
    uint32_t good, wrong, lonely, file_rule;

    (void)state;
    good = add_rule(t, "good", PS_SCOPE_RECORD,
                    c_group(t, PS_COND_ALL, 2, c_field(t, "^email$"), c_value(t, EMAIL_RE)));
    add_example(t, good, true, "email", "jo@ex.com", 20);
    add_example(t, good, false, "email", "not an address", 21);
    add_example(t, good, false, "name", "jo@ex.com", 22);
    wrong = add_rule(t, "wrong", PS_SCOPE_RECORD, c_value(t, "cat"));
    add_example(t, wrong, true, NULL, "dog", 30);     /* fails */
    add_example(t, wrong, false, NULL, "a cat", 31);  /* fails */
    add_example(t, wrong, true, NULL, "cat", 32);
    lonely = add_rule(t, "lonely", PS_SCOPE_RECORD, c_value(t, "x"));
    add_example(t, lonely, true, NULL, "x", 40);
    file_rule = add_rule(t, "ftxt", PS_SCOPE_FILE, c_path(t, "\\.txt$"));
    add_example(t, file_rule, true, NULL, "", 50);   /* path defaults to example.txt */
    add_example(t, file_rule, false, NULL, "", 51);
    t->rs->rules[file_rule].examples[1].path = ps_strdup("photo.jpg");
    fx_compile(&fx);

    assert_int_equal(ps_rules_test(fx.m, on_msg, &got, &passed, &failed), PS_ERR_RULE);
    assert_int_equal(passed, 7);
    assert_int_equal(failed, 3);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.text[0], "f.yml:30:7: rule wrong: example expected to match but did not");
    assert_string_equal(got.text[1], "f.yml:31:7: rule wrong: example expected no match but matched");
    assert_string_equal(got.text[2],
                        "f.yml:10:3: rule lonely: needs at least one match and one no-match example");
    (void)good;
    fx_free(&fx);
}

static void test_rules_test_all_pass(void **state)
{
    fixture fx = {tb_new(), NULL, NULL};
    tb *t = &fx.t;
    size_t passed = 0, failed = 99;
    uint32_t r;

    (void)state;
    r = add_rule(t, "card", PS_SCOPE_RECORD, c_kind(t, PS_COND_LUHN, 0));
    add_example(t, r, true, "cc", "4111 1111 1111 1111", 5);
    add_example(t, r, false, "cc", "4111 1111 1111 1112", 6);
    fx_compile(&fx);
    assert_int_equal(ps_rules_test(fx.m, NULL, NULL, &passed, &failed), PS_OK);
    assert_int_equal(passed, 2);
    assert_int_equal(failed, 0);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plaintext_message),
        cmocka_unit_test(test_gated_values),
        cmocka_unit_test(test_gated_bad_regex),
        cmocka_unit_test(test_value_email_and_span),
        cmocka_unit_test(test_keywords_caseless_literal),
        cmocka_unit_test(test_keywords_range_bounds),
        cmocka_unit_test(test_fold_per_column),
        cmocka_unit_test(test_plans_match_full_trees),
        cmocka_unit_test(test_row_rules),
        cmocka_unit_test(test_row_memo),
        cmocka_unit_test(test_hash_and_not),
        cmocka_unit_test(test_any_and_luhn),
        cmocka_unit_test(test_value_with_nul),
        cmocka_unit_test(test_value_min_width),
        cmocka_unit_test(test_need_filter_phases),
        cmocka_unit_test(test_need_filter_unbounded),
        cmocka_unit_test(test_luhn_only_need),
        cmocka_unit_test(test_verdicts_keyed),
        cmocka_unit_test(test_verdicts_per_file_and_day),
        cmocka_unit_test(test_verdicts_limits),
        cmocka_unit_test(test_weak_hash_params),
        cmocka_unit_test(test_protection_facts),
        cmocka_unit_test(test_protection_facts_per_file),
        cmocka_unit_test(test_file_facts),
        cmocka_unit_test(test_scope_separation),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_bad_regex),
        cmocka_unit_test(test_empty_ruleset),
        cmocka_unit_test(test_field_cache),
        cmocka_unit_test(test_many_records),
        cmocka_unit_test(test_field_ids_same_hits),
        cmocka_unit_test(test_field_ids_per_file),
        cmocka_unit_test(test_field_ids_uncached),
        cmocka_unit_test(test_match_rule),
        cmocka_unit_test(test_rules_test),
        cmocka_unit_test(test_rules_test_all_pass),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

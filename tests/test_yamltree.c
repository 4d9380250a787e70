/*
 * test_yamltree.c - YAML text into nodes with positions, and the refusals
 * both loaders rely on: aliases and anchors, a second document, non-scalar
 * keys, nesting past the limit, syntax errors with their place.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "yamltree.h"

static ps_status build(ps_ytree *t, ps_diag *d, const char *text, size_t depth)
{
    memset(t, 0, sizeof(*t));
    memset(d, 0, sizeof(*d));
    t->file = "t.yml";
    t->diag = d;
    t->data = text;
    t->len = text != NULL ? strlen(text) : 0;
    t->max_depth = depth;
    return ps_ytree_build(t);
}

/* A mapping of a scalar and a sequence: types, text and 1-based positions. */
static void test_tree_shape(void **state)
{
    ps_ytree t;
    ps_diag d;
    const ps_ynode *root, *v;

    (void)state;
    assert_int_equal(build(&t, &d, "name: \"Emma\"\nlist:\n  - a\n  - b\n", 8), PS_OK);
    assert_int_not_equal(t.root, PS_YNONE);
    root = ps_ytree_node(&t, t.root);
    assert_int_equal(root->type, PS_Y_MAP);
    assert_int_equal(root->nkids, 4);
    v = ps_ytree_node(&t, root->kids[1]);
    assert_int_equal(v->type, PS_Y_SCALAR);
    assert_string_equal(v->str, "Emma");
    assert_false(v->plain);
    assert_int_equal(v->line, 1);
    assert_int_equal(v->col, 7);
    v = ps_ytree_node(&t, root->kids[3]);
    assert_int_equal(v->type, PS_Y_SEQ);
    assert_int_equal(v->nkids, 2);
    assert_string_equal(ps_ytree_node(&t, v->kids[1])->str, "b");
    assert_int_equal(ps_ytree_node(&t, v->kids[1])->line, 4);
    assert_true(ps_ytree_node(&t, v->kids[1])->plain);
    ps_ytree_free(&t);
    ps_ytree_free(&t); /* harmless twice */
}

typedef struct bad_case {
    const char *text;
    size_t depth;
    const char *msg; /* the whole diagnostic */
} bad_case;

static void test_tree_refusals(void **state)
{
    static const bad_case cases[] = {
        {"a: &x 1\nb: *x\n", 8, "t.yml:1:4: YAML aliases are not allowed"},
        {"a: *x\n", 8, "t.yml:1:4: YAML aliases are not allowed"},
        {"a: 1\n---\nb: 2\n", 8, "t.yml:2:1: only one YAML document per file is allowed"},
        {"? [a, b]\n: 1\n", 8, "t.yml:1:3: a mapping key must be a scalar, found a sequence"},
        {"a:\n  b:\n    c: 1\n", 2, "t.yml:3:5: YAML nested deeper than 2 levels"},
        {"a: [1, 2\n", 8, NULL}, /* a syntax error: its text is libyaml's */
    };
    ps_ytree t;
    ps_diag d;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(build(&t, &d, cases[i].text, cases[i].depth), PS_ERR_RULE);
        if (cases[i].msg != NULL)
            assert_string_equal(d.msg, cases[i].msg);
        else
            assert_true(strncmp(d.msg, "t.yml:", 6) == 0 && strstr(d.msg, "YAML syntax error") != NULL);
        assert_null(strchr(d.msg, '\n'));
        ps_ytree_free(&t);
    }
}

/* No text at all (NULL, 0): an empty stream, not libyaml's assertion. */
static void test_tree_empty(void **state)
{
    ps_ytree t;
    ps_diag d;

    (void)state;
    assert_int_equal(build(&t, &d, NULL, 8), PS_OK);
    assert_int_equal(t.root, PS_YNONE);
    ps_ytree_free(&t);
    assert_int_equal(build(&t, &d, "", 8), PS_OK);
    assert_int_equal(t.root, PS_YNONE);
    ps_ytree_free(&t);
}

/* Schema helpers: known keys, unknown and repeated ones, type checks, quoting. */
static void test_tree_schema_helpers(void **state)
{
    static const char *const keys[] = { "id", "when" };
    ps_ytree t;
    ps_diag d;
    uint32_t vals[2];
    char q[PS_YQUOTE_MAX + 4], long_text[200];

    (void)state;
    assert_int_equal(build(&t, &d, "when: 1\nid: x\n", 8), PS_OK);
    assert_int_equal(ps_ytree_map_keys(&t, t.root, keys, 2, vals), PS_OK);
    assert_string_equal(ps_ytree_node(&t, vals[0])->str, "x");
    assert_string_equal(ps_ytree_node(&t, vals[1])->str, "1");
    assert_int_equal(ps_ytree_want(&t, t.root, PS_Y_MAP, "at the top level"), PS_OK);
    assert_int_equal(ps_ytree_want(&t, t.root, PS_Y_SEQ, "at the top level"), PS_ERR_RULE);
    assert_string_equal(d.msg, "t.yml:1:1: expected a sequence at the top level, found a mapping");
    ps_ytree_free(&t);

    assert_int_equal(build(&t, &d, "id: 1\nwho: 2\n", 8), PS_OK);
    assert_int_equal(ps_ytree_map_keys(&t, t.root, keys, 2, vals), PS_ERR_RULE);
    assert_string_equal(d.msg, "t.yml:2:1: unknown key 'who' (expected one of: id, when)");
    ps_ytree_free(&t);

    assert_int_equal(build(&t, &d, "id: 1\nid: 2\n", 8), PS_OK);
    assert_int_equal(ps_ytree_map_keys(&t, t.root, keys, 2, vals), PS_ERR_RULE);
    assert_string_equal(d.msg, "t.yml:2:1: duplicate key 'id'");
    ps_ytree_free(&t);

    assert_string_equal(ps_ytree_quote("a\nb\x1b", 4, q), "a?b?");
    memset(long_text, 'x', sizeof(long_text));
    ps_ytree_quote(long_text, sizeof(long_text), q);
    assert_int_equal(strlen(q), PS_YQUOTE_MAX + 3);
    assert_string_equal(q + PS_YQUOTE_MAX, "...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_shape),
        cmocka_unit_test(test_tree_refusals),
        cmocka_unit_test(test_tree_empty),
        cmocka_unit_test(test_tree_schema_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

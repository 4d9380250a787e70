/*
 * test_walk.c - the walk: order, relative paths, .git, special files and
 * symbolic links (never out of the root, never into a loop).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"
#include "walk.h"

typedef struct tree {
    char root[PATH_MAX];
    char outside[PATH_MAX + 16];
} tree;

static void put(const char *dir, const char *rel, const char *text)
{
    char path[PATH_MAX * 2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void sub(const char *dir, const char *rel)
{
    char path[PATH_MAX * 2];

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void link_to(const char *dir, const char *rel, const char *target)
{
    char path[PATH_MAX * 2];

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
    tree *t = calloc(1, sizeof(*t));
    char path[PATH_MAX * 2];

    assert_int_equal(ps_scratch_make(t->root, sizeof(t->root), "test_walk"), 0);
    snprintf(t->outside, sizeof(t->outside), "%s/outside", t->root);
    sub(t->root, "outside");
    put(t->outside, "secret.txt", "outside\n");
    sub(t->root, "in");
    sub(t->root, "in/b");
    sub(t->root, "in/.git");
    put(t->root, "in/.git/config", "x\n");
    put(t->root, "in/z.txt", "z\n");
    put(t->root, "in/a.txt", "a\n");
    put(t->root, "in/b/c.csv", "c\n");
    put(t->root, "in/a.b", "ab\n");
    snprintf(path, sizeof(path), "%s/in/pipe", t->root);
    assert_int_equal(mkfifo(path, 0600), 0);
    link_to(t->root, "in/escape.txt", "../outside/secret.txt");
    link_to(t->root, "in/dirlink", "b");
    link_to(t->root, "in/dangling", "nowhere");
    link_to(t->root, "in/loop1", "loop2");
    link_to(t->root, "in/loop2", "loop1");
    link_to(t->root, "in/inner.txt", "b/c.csv"); /* same file as b/c.csv: kept once */
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tree *t = *state;

    assert_int_equal(ps_scratch_remove(t->root), 0);
    free(t);
    return 0;
}

static void test_walk_directory(void **state)
{
    tree *t = *state;
    char in[PATH_MAX + 8];
    const char *roots[1];
    ps_filelist fl = { 0 };
    ps_errors errs = { 0 };
    ps_diag diag;
    static const char *const want[] = { "a.b", "a.txt", "b/c.csv", "z.txt" };

    snprintf(in, sizeof(in), "%s/in", t->root);
    roots[0] = in;
    assert_int_equal(ps_walk(roots, 1, NULL, &fl, &errs, &diag), PS_OK);
    assert_int_equal(fl.n, 4);
    for (size_t i = 0; i < fl.n; i++)
        assert_string_equal(fl.items[i].rel_path, want[i]);
    /* FIFO, escaping link, dir link, dangling link, two loop links, duplicate link. */
    assert_int_equal(fl.skipped, 6);
    assert_int_equal(errs.n, 0);
    assert_int_equal(fl.items[1].size, 2);
    ps_filelist_free(&fl);
    ps_errors_free(&errs);
}

static void test_walk_link_inside_root(void **state)
{
    tree *t = *state;
    char in[PATH_MAX + 8], target[PATH_MAX * 2];
    const char *roots[1];
    ps_filelist fl = { 0 };
    ps_errors errs = { 0 };
    ps_diag diag;

    /* A link to a file inside the root that is not walked directly is kept. */
    snprintf(in, sizeof(in), "%s/in/b", t->root);
    snprintf(target, sizeof(target), "%s/in/b/c.csv", t->root);
    link_to(t->root, "in/b/alias.csv", target);
    roots[0] = in;
    assert_int_equal(ps_walk(roots, 1, NULL, &fl, &errs, &diag), PS_OK);
    /* alias.csv and c.csv are one file: the link is dropped. */
    assert_int_equal(fl.n, 1);
    assert_string_equal(fl.items[0].rel_path, "c.csv");
    ps_filelist_free(&fl);
    ps_errors_free(&errs);
}

static void test_walk_several_roots(void **state)
{
    tree *t = *state;
    char cwd[PATH_MAX];
    const char *roots[] = { "./in/b/", "in//a.txt" };
    ps_filelist fl = { 0 };
    ps_errors errs = { 0 };
    ps_diag diag;

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(t->root), 0);
    assert_int_equal(ps_walk(roots, 2, NULL, &fl, &errs, &diag), PS_OK);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(fl.n, 2);
    assert_string_equal(fl.items[0].rel_path, "in/a.txt");
    assert_string_equal(fl.items[1].rel_path, "in/b/c.csv");
    ps_filelist_free(&fl);
    ps_errors_free(&errs);
}

static void test_walk_missing_root(void **state)
{
    tree *t = *state;
    char missing[PATH_MAX + 16];
    const char *roots[1];
    ps_filelist fl = { 0 };
    ps_errors errs = { 0 };
    ps_diag diag;

    snprintf(missing, sizeof(missing), "%s/nope", t->root);
    roots[0] = missing;
    assert_int_equal(ps_walk(roots, 1, NULL, &fl, &errs, &diag), PS_ERR_USAGE);
    assert_non_null(strstr(diag.msg, "nope: No such file or directory"));
    ps_filelist_free(&fl);
    ps_errors_free(&errs);
}

/*
 * A special file named on the command line is never opened (a FIFO would
 * block) but, unlike one met inside a tree, it gets an errors entry: the
 * user asked for it, so the scan is incomplete without it.
 */
static void test_walk_special_root_is_an_error(void **state)
{
    tree *t = *state;
    char path[PATH_MAX + 16];
    static const struct { const char *rel; const char *kind; } cases[] = {
        {"in/pipe", "a FIFO"},
        {"in/dirlink", "a symbolic link to a directory"},
        {NULL, "a character device"}, /* /dev/null */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *roots[1];
        ps_filelist fl = { 0 };
        ps_errors errs = { 0 };
        ps_diag diag;

        if (cases[i].rel != NULL)
            snprintf(path, sizeof(path), "%s/%s", t->root, cases[i].rel);
        else
            snprintf(path, sizeof(path), "/dev/null");
        roots[0] = path;
        print_message("case: %s\n", cases[i].kind);
        assert_int_equal(ps_walk(roots, 1, NULL, &fl, &errs, &diag), PS_OK);
        assert_int_equal(fl.n, 0);
        assert_int_equal(fl.skipped, 1);
        assert_int_equal(errs.n, 1);
        assert_string_equal(errs.items[0].path, path);
        assert_non_null(strstr(errs.items[0].message, "named on the command line, but "));
        assert_non_null(strstr(errs.items[0].message, cases[i].kind));
        ps_filelist_free(&fl);
        ps_errors_free(&errs);
    }
}

static void test_walk_unreadable_dir(void **state)
{
    tree *t = *state;
    char in[PATH_MAX + 8], locked[PATH_MAX + 16];
    const char *roots[1];
    ps_filelist fl = { 0 };
    ps_errors errs = { 0 };
    ps_diag diag;

    if (geteuid() == 0)
        skip(); /* root reads a mode-000 directory anyway */
    snprintf(in, sizeof(in), "%s/in", t->root);
    snprintf(locked, sizeof(locked), "%s/in/locked", t->root);
    assert_int_equal(mkdir(locked, 0), 0);
    roots[0] = in;
    assert_int_equal(ps_walk(roots, 1, NULL, &fl, &errs, &diag), PS_OK);
    chmod(locked, 0755);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.items[0].path, "locked");
    assert_int_equal(fl.n, 4); /* the rest is still there */
    ps_filelist_free(&fl);
    ps_errors_free(&errs);
}

static void test_path_dirlen(void **state)
{
    (void)state;
    assert_int_equal(ps_path_dirlen("a/b/c.txt"), 3);
    assert_int_equal(ps_path_dirlen("c.txt"), 0);
    assert_int_equal(ps_path_dirlen("a/c"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_walk_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_link_inside_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_several_roots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_missing_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_special_root_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_unreadable_dir, setup, teardown),
        cmocka_unit_test(test_path_dirlen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

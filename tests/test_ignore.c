/*
 * test_ignore.c - gitignore semantics of .plainsightignore and `exclude:`:
 * a table of (patterns, path, is_dir, expected) taken from gitignore(5),
 * loading files (CRLF, BOM, limits, rollback), where a decision came from,
 * and hostile patterns that must stay fast.
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
#include <unistd.h>

#include "ignore.h"
#include "util.h"

/* Patterns are one string, lines separated by '\n', added in order. */
typedef struct ignore_case {
    const char *patterns;
    const char *path;
    bool is_dir;
    bool excluded;
} ignore_case;

static const ignore_case cases[] = {
    /* plain globs match the last component at any depth */
    { "*.log", "a.log", false, true },
    { "*.log", "dir/sub/a.log", false, true },
    { "*.log", "a.log.txt", false, false },
    { "*.log", "logs", true, false },
    { "*.LOG", "a.log", false, false },
    { "*", "anything/deep/file", false, true },
    /* a leading slash anchors at the root */
    { "/build", "build", true, true },
    { "/build", "build", false, true },
    { "/build", "src/build", true, false },
    { "/build", "build/x.o", false, true },
    { "/*.c", "cat-file.c", false, true },
    { "/*.c", "mozilla-sha1/sha1.c", false, false },
    /* a slash in the middle anchors too */
    { "doc/frotz", "doc/frotz", false, true },
    { "doc/frotz", "a/doc/frotz", false, false },
    { "doc/frotz/", "doc/frotz", true, true },
    { "doc/frotz/", "a/doc/frotz", true, false },
    /* a trailing slash: directories only, and everything inside them */
    { "build/", "build", true, true },
    { "build/", "build", false, false },
    { "build/", "src/build", true, true },
    { "build/", "src/build/out.o", false, true },
    { "frotz/", "a/doc/frotz", true, true },
    /* ** forms */
    { "**/foo", "foo", false, true },
    { "**/foo", "a/b/foo", false, true },
    { "**/foo", "a/b/foo", true, true },
    { "**/foo/bar", "foo/bar", false, true },
    { "**/foo/bar", "x/y/foo/bar", false, true },
    { "**/foo/bar", "x/foo/baz", false, false },
    { "doc/**/*.txt", "doc/a.txt", false, true },
    { "doc/**/*.txt", "doc/x/y/a.txt", false, true },
    { "doc/**/*.txt", "src/doc/a.txt", false, false },
    { "doc/**/*.txt", "doc/x/a.txt.bak", false, false },
    { "a/**/b", "a/b", false, true },
    { "a/**/b", "a/x/b", false, true },
    { "a/**/b", "a/x/y/b", false, true },
    { "a/**/b", "a/xb", false, false },
    { "a/**/**/b", "a/b", false, true },
    { "abc/**", "abc/x/y", false, true },
    { "abc/**", "abc", true, false },
    { "a**b", "a/b", false, false },
    { "a**b", "axxb", false, true },
    /* negation: the last match wins, but not inside an excluded folder */
    { "*.log\n!keep.log", "keep.log", false, false },
    { "*.log\n!keep.log", "other.log", false, true },
    { "!keep.log\n*.log", "keep.log", false, true },
    { "dir/\n!dir/keep.txt", "dir/keep.txt", false, true },
    { "dir/*\n!dir/keep.txt", "dir/keep.txt", false, false },
    { "dir/*\n!dir/keep.txt", "dir/other.txt", false, true },
    { "*.txt\n!/important/*.txt", "important/a.txt", false, false },
    { "*.txt\n!/important/*.txt", "other/a.txt", false, true },
    { "foo/*", "foo/bar/baz", false, true },
    { "foo/*", "foo", true, false },
    { "!", "x", false, false },
    /* comments, escapes, trailing spaces */
    { "#comment", "#comment", false, false },
    { "\\#not-comment", "#not-comment", false, true },
    { "\\!bang", "!bang", false, true },
    { "foo   ", "foo", false, true },
    { "foo\\ ", "foo ", false, true },
    { "foo\\ ", "foo", false, false },
    { "foo\\", "foo", false, false },
    { "a\\*b", "a*b", false, true },
    { "a\\*b", "axb", false, false },
    { "", "x", false, false },
    { "   ", "x", false, false },
    /* ? and [...] */
    { "?x", "ax", false, true },
    { "?x", "x", false, false },
    { "?x", "abx", false, false },
    { "x/a?b", "x/a/b", false, false },
    { "[a-c].txt", "b.txt", false, true },
    { "[a-c].txt", "d.txt", false, false },
    { "[!a-c].txt", "d.txt", false, true },
    { "[^a-c].txt", "a.txt", false, false },
    { "[]]", "]", false, true },
    { "[[:digit:]]*.csv", "2015-orders.csv", false, true },
    { "[[:digit:]]*.csv", "x2015.csv", false, false },
    { "x/a[/]b", "x/a/b", false, false },
    { "[", "[", false, true },
    { "*/b", "a/b", false, true },
    { "*/b", "a/c/b", false, false },
    { "media/", "media/photos/photo-0001.jpg", false, true },
};

static ps_ignore *build(const char *patterns)
{
    ps_ignore *ig;
    char line[256];
    const char *p = patterns;
    unsigned n = 0;

    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

        assert_true(len < sizeof(line));
        memcpy(line, p, len);
        line[len] = '\0';
        assert_int_equal(ps_ignore_add(ig, line, "<test>", ++n), PS_OK);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return ig;
}

static void test_table(void **state)
{
    int bad = 0;

    (void)state;
    assert_true(sizeof(cases) / sizeof(cases[0]) >= 40);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const ignore_case *c = &cases[i];
        ps_ignore *ig = build(c->patterns);
        bool got = ps_ignore_match(ig, c->path, c->is_dir);

        if (got != c->excluded) {
            print_error("case %zu: patterns \"%s\", path \"%s\"%s: got %s\n", i,
                        c->patterns, c->path, c->is_dir ? " (dir)" : "",
                        got ? "excluded" : "kept");
            bad++;
        }
        ps_ignore_destroy(ig);
    }
    assert_int_equal(bad, 0);
}

static void test_empty_and_null(void **state)
{
    ps_ignore *ig;

    (void)state;
    assert_false(ps_ignore_match(NULL, "x", false));
    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    assert_false(ps_ignore_match(ig, "x", false));
    assert_int_equal(ps_ignore_add(ig, "x", "s", 1), PS_OK);
    /* "./x" and "/x" are x; the root itself is never excluded. */
    assert_true(ps_ignore_match(ig, "./x", false));
    assert_true(ps_ignore_match(ig, "/x", false));
    assert_false(ps_ignore_match(ig, "", true));
    ps_ignore_destroy(ig);
    ps_ignore_destroy(NULL);
}

static void test_source(void **state)
{
    ps_ignore *ig;
    const char *src = NULL;
    unsigned line = 0;

    (void)state;
    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    assert_int_equal(ps_ignore_add(ig, "tmp/", ".plainsight.yml", 7), PS_OK);
    assert_int_equal(ps_ignore_add(ig, "*.bak", ".plainsight.yml", 8), PS_OK);
    assert_int_equal(ps_ignore_add(ig, "# note", ".plainsightignore", 1), PS_OK);
    assert_int_equal(ps_ignore_add(ig, "!keep.bak", ".plainsightignore", 2), PS_OK);
    assert_true(ps_ignore_match_src(ig, "a/tmp/x.bak", false, &src, &line));
    assert_string_equal(src, ".plainsight.yml");
    assert_int_equal(line, 7);
    assert_true(ps_ignore_match_src(ig, "x.bak", false, &src, &line));
    assert_int_equal(line, 8);
    src = "unchanged";
    assert_false(ps_ignore_match_src(ig, "keep.bak", false, &src, &line));
    assert_string_equal(src, "unchanged");
    assert_true(ps_ignore_match_src(ig, "tmp", true, NULL, NULL));
    ps_ignore_destroy(ig);
}

static const char *data_dir(void)
{
    const char *d = getenv("PS_TEST_DATA");
    return d != NULL ? d : "tests/data";
}

/* tests/data/config/sample.plainsightignore: CRLF lines, a BOM, comments. */
static void test_load_file(void **state)
{
    char path[1024];
    ps_ignore *ig;
    ps_diag d = { { 0 } };
    const char *src;
    unsigned line;

    (void)state;
    assert_true(snprintf(path, sizeof(path), "%s/config/sample.plainsightignore",
                         data_dir()) < (int)sizeof(path));
    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    assert_int_equal(ps_ignore_load(ig, path, &d), PS_OK);
    assert_true(ps_ignore_match_src(ig, "kidconnect/chat-2015-10.jsonl", false, &src, &line));
    assert_string_equal(src, path);
    assert_int_equal(line, 3);
    assert_false(ps_ignore_match(ig, "kidconnect/chat-2015-11.jsonl", false));
    assert_true(ps_ignore_match(ig, "logs/app.log", false));     /* BOM skipped on line 1 */
    assert_true(ps_ignore_match(ig, "x/cache", true));           /* "cache/\r\n" */
    assert_false(ps_ignore_match(ig, "#notes.txt", false));      /* a comment */
    assert_true(ps_ignore_match(ig, "trailing", false));         /* "trailing   \r\n" */
    ps_ignore_destroy(ig);
}

/* Write data[0..n) to a fresh temporary file; the name goes to path. */
static void temp_file(char *path, size_t cap, const char *data, size_t n)
{
    int fd;

    assert_true(snprintf(path, cap, "%s/ps-ignore-XXXXXX",
                         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") < (int)cap);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static void test_load_errors(void **state)
{
    char path[256];
    ps_ignore *ig;
    ps_diag d = { { 0 } };
    char expect[512];
    char *big;
    size_t n;

    (void)state;
    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    assert_int_equal(ps_ignore_add(ig, "before", "s", 1), PS_OK);

    /* missing */
    assert_int_equal(ps_ignore_load(ig, "/nonexistent/.plainsightignore", &d), PS_ERR_IO);
    assert_string_equal(d.msg, "/nonexistent/.plainsightignore: No such file or directory");
    /* a directory */
    assert_int_equal(ps_ignore_load(ig, "/", &d), PS_ERR_IO);
    assert_string_equal(d.msg, "/: not a regular file");

    /* a NUL on line 3: the whole file is rolled back */
    temp_file(path, sizeof(path), "one\ntwo\nth\0ree\n", 15);
    assert_int_equal(ps_ignore_load(ig, path, &d), PS_ERR_RULE);
    snprintf(expect, sizeof(expect), "%s:3: the line holds a NUL byte", path);
    assert_string_equal(d.msg, expect);
    assert_false(ps_ignore_match(ig, "one", false));
    assert_true(ps_ignore_match(ig, "before", false));
    unlink(path);

    /* a line over the pattern limit */
    n = 3 + PS_IGNORE_MAX_PATTERN + 1;
    big = malloc(n + 8);
    assert_non_null(big);
    memcpy(big, "ok\n", 3);
    memset(big + 3, 'a', n - 3);
    temp_file(path, sizeof(path), big, n);
    assert_int_equal(ps_ignore_load(ig, path, &d), PS_ERR_LIMIT);
    snprintf(expect, sizeof(expect), "%s:2: pattern longer than 4096 bytes", path);
    assert_string_equal(d.msg, expect);
    assert_false(ps_ignore_match(ig, "ok", false));
    unlink(path);
    /* exactly at the limit is fine */
    big[PS_IGNORE_MAX_PATTERN] = '\0';
    assert_int_equal(ps_ignore_add(ig, big, "s", 2), PS_OK);
    big[PS_IGNORE_MAX_PATTERN] = 'a';
    big[PS_IGNORE_MAX_PATTERN + 1] = '\0';
    assert_int_equal(ps_ignore_add(ig, big, "s", 3), PS_ERR_LIMIT);
    free(big);

    /* a file over 1 MiB */
    n = PS_IGNORE_MAX_FILE + 1;
    big = malloc(n);
    assert_non_null(big);
    memset(big, '#', n);
    temp_file(path, sizeof(path), big, n);
    assert_int_equal(ps_ignore_load(ig, path, &d), PS_ERR_LIMIT);
    snprintf(expect, sizeof(expect), "%s: file too large (the limit is 1 MiB)", path);
    assert_string_equal(d.msg, expect);
    unlink(path);
    free(big);
    ps_ignore_destroy(ig);
}

/* More than PS_IGNORE_MAX_PATTERNS lines: refused, and rolled back. */
static void test_pattern_count_limit(void **state)
{
    char path[256], expect[512];
    ps_buf b;
    ps_ignore *ig;
    ps_diag d = { { 0 } };

    (void)state;
    ps_buf_init(&b, PS_IGNORE_MAX_FILE);
    for (unsigned i = 0; i <= PS_IGNORE_MAX_PATTERNS; i++)
        assert_int_equal(ps_buf_printf(&b, "%x\n", i), PS_OK);
    temp_file(path, sizeof(path), b.data, b.len);
    ps_buf_free(&b);
    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    assert_int_equal(ps_ignore_load(ig, path, &d), PS_ERR_LIMIT);
    snprintf(expect, sizeof(expect), "%s:%u: more than 100000 patterns", path,
             PS_IGNORE_MAX_PATTERNS + 1);
    assert_string_equal(d.msg, expect);
    assert_false(ps_ignore_match(ig, "0", false));
    unlink(path);
    ps_ignore_destroy(ig);
}

/*
 * Hostile patterns against long names: a backtracking matcher takes
 * exponential time here; ours is linear.  No timing assertion (machines
 * differ), only that it finishes with the right answers.
 */
static void test_pathological(void **state)
{
    static const char *const evil[] = {
        "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
        "**/a*a*a*a*a*a*a*a*a*a*a*a*a*b",
        "**/**/**/**/**/**/**/**/**/**/**/**/x*x*x*x*y",
        "*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?!",
        "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[0-9]",
    };
    char *name, *deep, *pat;
    size_t n = 20000;
    ps_ignore *ig;

    (void)state;
    name = malloc(n + 1);
    deep = malloc(n + 1);
    pat = malloc(PS_IGNORE_MAX_PATTERN + 1);
    assert_non_null(name);
    assert_non_null(deep);
    assert_non_null(pat);
    memset(name, 'a', n);
    name[n] = '\0';
    for (size_t i = 0; i < n; i++)
        deep[i] = (i % 2) ? '/' : 'x';
    deep[n] = '\0';
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        assert_int_equal(ps_ignore_create(&ig), PS_OK);
        assert_int_equal(ps_ignore_add(ig, evil[i], "evil", 1), PS_OK);
        assert_false(ps_ignore_match(ig, name, false));
        assert_false(ps_ignore_match(ig, deep, false));
        ps_ignore_destroy(ig);
    }
    /* The longest allowed pattern: "*a" repeated, then "b". */
    for (size_t i = 0; i + 1 < PS_IGNORE_MAX_PATTERN; i += 2)
        memcpy(pat + i, "*a", 2);
    pat[PS_IGNORE_MAX_PATTERN - 1] = 'b';
    pat[PS_IGNORE_MAX_PATTERN] = '\0';
    /* Its cost is (name length) x (pattern length): keep the name shorter here. */
    n = PS_IGNORE_MAX_PATTERN + 8;
    name[n] = '\0';
    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    assert_int_equal(ps_ignore_add(ig, pat, "evil", 1), PS_OK);
    assert_false(ps_ignore_match(ig, name, false));
    name[n - 1] = 'b';
    assert_true(ps_ignore_match(ig, name, false));
    ps_ignore_destroy(ig);
    free(name);
    free(deep);
    free(pat);
}

/*
 * Paths deeper than one window of levels (256): a folder far down still
 * hides what is inside it, an outer one wins over an inner re-include, and
 * the reported pattern is the outermost excluding one.
 */
static void test_deep_paths(void **state)
{
    ps_buf p;
    ps_ignore *ig;
    const char *src;
    unsigned line = 0;

    (void)state;
    ps_buf_init(&p, 1 << 20);
    for (unsigned i = 0; i < 700; i++)
        assert_int_equal(ps_buf_printf(&p, "%sd%u", i ? "/" : "", i), PS_OK);
    assert_int_equal(ps_buf_printf(&p, "/file.txt"), PS_OK);
    assert_int_equal(ps_ignore_create(&ig), PS_OK);
    assert_int_equal(ps_ignore_add(ig, "d600/", "deep", 1), PS_OK);
    assert_true(ps_ignore_match_src(ig, p.data, false, &src, &line));
    assert_int_equal(line, 1);
    assert_int_equal(ps_ignore_add(ig, "!d600/", "deep", 2), PS_OK);
    assert_false(ps_ignore_match(ig, p.data, false));
    assert_int_equal(ps_ignore_add(ig, "**/d650/**/*.txt", "deep", 3), PS_OK);
    assert_true(ps_ignore_match_src(ig, p.data, false, &src, &line));
    assert_int_equal(line, 3);
    /* An excluded folder in the first window decides before the third. */
    assert_int_equal(ps_ignore_add(ig, "/d0/d1/d2", "deep", 4), PS_OK);
    assert_int_equal(ps_ignore_add(ig, "d599", "deep", 5), PS_OK);
    assert_true(ps_ignore_match_src(ig, p.data, false, &src, &line));
    assert_int_equal(line, 4);
    assert_int_equal(ps_ignore_add(ig, "!d2/", "deep", 6), PS_OK);
    assert_true(ps_ignore_match_src(ig, p.data, false, &src, &line));
    assert_int_equal(line, 5);
    ps_ignore_destroy(ig);
    ps_buf_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_source),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_pattern_count_limit),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_deep_paths),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

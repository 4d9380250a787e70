/*
 * test_input.c - buffered line and byte input: chunk boundaries, CRLF, a
 * last line without "\n", over-long lines, empty input, pipes.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

/* Per-run state: a scratch directory and a file counter. */
typedef struct tmp_state {
    char dir[64];
    int next;
} tmp_state;

/* Write n bytes to a fresh file and return it opened read-only. */
static int make_file(void **state, const void *data, size_t n)
{
    tmp_state *ts = *state;
    char path[128];
    int fd;

    snprintf(path, sizeof(path), "%s/f%d", ts->dir, ts->next++);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    return fd;
}

static int setup(void **state)
{
    tmp_state *ts = calloc(1, sizeof(*ts));

    if (ts == NULL)
        return -1;
    ps_strlcpy(ts->dir, "/tmp/ps_test_input.XXXXXX", sizeof(ts->dir));
    if (mkdtemp(ts->dir) == NULL) {
        free(ts);
        return -1;
    }
    *state = ts;
    return 0;
}

static int teardown(void **state)
{
    tmp_state *ts = *state;
    char path[128];

    for (int i = 0; i < ts->next; i++) {
        snprintf(path, sizeof(path), "%s/f%d", ts->dir, i);
        unlink(path);
    }
    rmdir(ts->dir);
    free(ts);
    return 0;
}

typedef struct line_case {
    const char *what;
    const char *data;
    size_t max_line;
    /* Expected results, in order; NULL line means PS_ERR_LIMIT. */
    const char *lines[6];
    int nlines;
} line_case;

static const line_case line_cases[] = {
    {"plain", "a\nbb\nccc\n", 0, {"a", "bb", "ccc"}, 3},
    {"crlf", "one\r\ntwo\r\n\r\nthree", 0, {"one", "two", "", "three"}, 4},
    {"no final newline", "x\ny", 0, {"x", "y"}, 2},
    {"lone cr stays", "a\rb\n", 0, {"a\rb"}, 1},
    {"over-long then continue", "short\nxxxxxxxxxxxxxxxxxxxx\nafter\n", 8,
     {"short", NULL, "after"}, 3},
    {"over-long last line", "ok\n0123456789", 5, {"ok", NULL}, 2},
    {"exactly max, with cr", "12345\r\n", 5, {"12345"}, 1},
    {"empty lines", "\n\n", 0, {"", ""}, 2},
};

static void test_lines_table(void **state)
{
    for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        const line_case *t = &line_cases[i];
        int fd = make_file(state, t->data, strlen(t->data));
        ps_input in;
        const char *line;
        size_t len;

        print_message("case: %s\n", t->what);
        assert_int_equal(ps_input_init(&in, fd, t->max_line), PS_OK);
        for (int k = 0; k < t->nlines; k++) {
            ps_status st = ps_input_line(&in, &line, &len);
            if (t->lines[k] == NULL) {
                assert_int_equal(st, PS_ERR_LIMIT);
            } else {
                assert_int_equal(st, PS_OK);
                assert_int_equal(len, strlen(t->lines[k]));
                assert_memory_equal(line, t->lines[k], len);
            }
            assert_int_equal(in.line_no, (uint64_t)k + 1);
        }
        assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
        assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
        assert_int_equal(in.offset, strlen(t->data));
        ps_input_free(&in);
        close(fd);
    }
}

/* Lines that straddle the 256 KiB read boundary come back whole. */
static void test_chunk_boundary(void **state)
{
    size_t n = PS_INPUT_CHUNK * 2 + 100, pos = 0;
    char *data = malloc(n);
    size_t lens[] = {PS_INPUT_CHUNK - 10, 100, PS_INPUT_CHUNK - 50, 7};
    ps_input in;
    const char *line;
    size_t len;
    int fd;

    assert_non_null(data);
    for (size_t k = 0; k < 4; k++) {
        memset(data + pos, 'a' + (int)k, lens[k]);
        pos += lens[k];
        data[pos++] = '\n';
    }
    fd = make_file(state, data, pos);
    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
        assert_int_equal(len, lens[k]);
        assert_true(line[0] == 'a' + (int)k && line[len - 1] == 'a' + (int)k);
    }
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    ps_input_free(&in);
    close(fd);
    free(data);
}

/* A CRLF split exactly across the boundary loses its "\r". */
static void test_crlf_across_boundary(void **state)
{
    size_t n = PS_INPUT_CHUNK + 10;
    char *data = malloc(n);
    ps_input in;
    const char *line;
    size_t len;
    int fd;

    assert_non_null(data);
    memset(data, 'q', n);
    data[PS_INPUT_CHUNK - 1] = '\r';
    data[PS_INPUT_CHUNK] = '\n';
    data[n - 1] = '\n';
    fd = make_file(state, data, n);
    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, PS_INPUT_CHUNK - 1);
    assert_int_equal(line[len - 1], 'q');
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, 8);
    ps_input_free(&in);
    close(fd);
    free(data);
}

/* An over-long line that spans reads is skipped to its end; reading goes on. */
static void test_long_line_across_chunks(void **state)
{
    size_t n = PS_INPUT_CHUNK * 3;
    char *data = malloc(n + 16);
    ps_input in;
    const char *line;
    size_t len;
    int fd;

    assert_non_null(data);
    memcpy(data, "first\n", 6);
    memset(data + 6, 'z', n - 6);
    memcpy(data + n, "\nlast\n", 6);
    fd = make_file(state, data, n + 6);
    assert_int_equal(ps_input_init(&in, fd, 1000), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_LIMIT);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(line, "last", 4);
    assert_int_equal(in.line_no, 3);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    ps_input_free(&in);
    close(fd);
    free(data);
}

static void test_empty_file(void **state)
{
    int fd = make_file(state, "", 0);
    ps_input in;
    const char *line;
    size_t len, got;
    char buf[4];
    const unsigned char *p;

    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    assert_null(line);
    assert_int_equal(ps_input_read(&in, buf, sizeof(buf), &got), PS_OK);
    assert_int_equal(got, 0);
    assert_int_equal(ps_input_chunk(&in, &p, &got), PS_OK);
    assert_int_equal(got, 0);
    ps_input_free(&in);
    close(fd);
}

/* read and chunk together return every byte exactly once, in order. */
static void test_read_and_chunk(void **state)
{
    size_t n = PS_INPUT_CHUNK + 12345, total = 0;
    unsigned char *data = malloc(n), *back = malloc(n);
    ps_input in;
    int fd, turn = 0;

    assert_non_null(data);
    assert_non_null(back);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 7);
    fd = make_file(state, data, n);
    assert_int_equal(ps_input_init(&in, fd, 0), PS_OK);
    for (;;) {
        size_t got;

        if (turn++ % 2 == 0) {
            assert_int_equal(ps_input_read(&in, back + total, 1000 < n - total ? 1000 : n - total, &got), PS_OK);
        } else {
            const unsigned char *p;
            assert_int_equal(ps_input_chunk(&in, &p, &got), PS_OK);
            assert_true(total + got <= n);
            memcpy(back + total, p, got);
        }
        if (got == 0)
            break;
        total += got;
    }
    assert_int_equal(total, n);
    assert_memory_equal(back, data, n);
    assert_int_equal(in.offset, n);
    ps_input_free(&in);
    close(fd);
    free(data);
    free(back);
}

/* posix_fadvise fails on a pipe; input must not care. */
static void test_pipe(void **state)
{
    int fds[2];
    ps_input in;
    const char *line;
    size_t len;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "p1\np2", 5), 5);
    close(fds[1]);
    assert_int_equal(ps_input_init(&in, fds[0], 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "p1", 2);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_OK);
    assert_memory_equal(line, "p2", 2);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_STOP);
    ps_input_free(&in);
    close(fds[0]);
}

static void test_bad_fd(void **state)
{
    ps_input in;
    const char *line;
    size_t len;

    (void)state;
    assert_int_equal(ps_input_init(&in, -1, 0), PS_OK);
    assert_int_equal(ps_input_line(&in, &line, &len), PS_ERR_IO);
    assert_int_not_equal(in.err, 0);
    ps_input_free(&in);
    ps_input_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_table),
        cmocka_unit_test(test_chunk_boundary),
        cmocka_unit_test(test_crlf_across_boundary),
        cmocka_unit_test(test_long_line_across_chunks),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_read_and_chunk),
        cmocka_unit_test(test_pipe),
        cmocka_unit_test(test_bad_fd),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

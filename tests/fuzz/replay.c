/*
 * replay.c - run a fuzz harness over a corpus without libFuzzer.
 *
 *   replay_<name> [FILE|DIR]...
 *
 * Each argument is an input file or a directory of them (not recursive;
 * names starting with '.' are skipped), replayed in name order.  With no
 * argument the corpus is $PS_FUZZ_CORPUS/<name>, <name> coming from the
 * program's own name (replay_rules -> rules): `make check` sets
 * PS_FUZZ_CORPUS to tests/fuzz/corpus, so every harness runs over its seeds
 * and every regression input found by fuzzing, on every build, with or
 * without clang.
 *
 * Each input is copied into a buffer of exactly its size, as libFuzzer
 * does, so that a harness or parser reading one byte too far trips ASan or
 * valgrind.  Exit 0 when every input ran (a broken contract aborts), 1 when
 * there was nothing to replay (a corpus that vanished must not pass), 99
 * (automake's "hard error") when an input could not be read.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "util.h"

/* Inputs larger than this are not corpus material; refuse rather than guess. */
#define REPLAY_MAX_INPUT (16u * 1024u * 1024u)

#define EXIT_EMPTY 1
#define EXIT_HARD 99

/*
 * Read the regular file at path into a malloc'd buffer of exactly its size
 * (a valid pointer even for an empty file).  0, or -1 with the reason
 * printed on stderr.
 */
static int slurp(const char *path, uint8_t **data, size_t *size)
{
    struct stat sb;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *data = NULL;
    *size = 0;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > REPLAY_MAX_INPUT) {
        fprintf(stderr, "replay: %s: not a regular file of at most 16 MiB\n", path);
        goto fail;
    }
    /*
     * An empty input is a valid pointer to no bytes, never NULL, as
     * libFuzzer hands it: malloc(0), so that ASan still flags any read, and
     * one byte only where malloc(0) gives NULL.
     */
    buf = malloc((size_t)sb.st_size);
    if (buf == NULL && sb.st_size == 0)
        buf = malloc(1);
    if (buf == NULL) {
        fprintf(stderr, "replay: %s: out of memory\n", path);
        goto fail;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fprintf(stderr, "replay: %s: short read\n", path);
            goto fail;
        }
        got += (size_t)r;
    }
    close(fd);
    *data = buf;
    *size = got;
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    free(buf);
    return -1;
}

/* Run the harness on one file; 0, or -1 when it could not be read. */
static int replay_file(const char *path)
{
    uint8_t *data;
    size_t size;
    int rc;

    if (slurp(path, &data, &size) != 0)
        return -1;
    rc = LLVMFuzzerTestOneInput(data, size);
    free(data);
    /* libFuzzer allows -1 ("do not add to the corpus"); anything else is a harness bug. */
    if (rc != 0 && rc != -1) {
        fprintf(stderr, "replay: %s: harness returned %d\n", path, rc);
        return -1;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Replay every file of directory dir in name order; *count is increased
 * by the number replayed.  0, or -1 on the first failure.
 */
static int replay_dir(const char *dir, size_t *count)
{
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    struct dirent *de;
    ps_buf path;
    int rc = 0;
    DIR *d = opendir(dir);

    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        char *copy;

        if (de->d_name[0] == '.')
            continue;
        copy = ps_strdup(de->d_name);
        if (copy == NULL || ps_grow(&names, &cap, n + 1, sizeof(*names)) != PS_OK) {
            free(copy);
            rc = -1;
            break;
        }
        names[n++] = copy;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_names);
    ps_buf_init(&path, 4096);
    for (i = 0; i < n && rc == 0; i++) {
        ps_buf_reset(&path);
        if (ps_buf_printf(&path, "%s/%s", dir, names[i]) != PS_OK) {
            fprintf(stderr, "replay: %s: path too long\n", dir);
            rc = -1;
            break;
        }
        rc = replay_file(ps_buf_cstr(&path));
        if (rc == 0)
            (*count)++;
    }
    ps_buf_free(&path);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Replay a file or a directory. */
static int replay_arg(const char *arg, size_t *count)
{
    struct stat sb;

    if (stat(arg, &sb) != 0) {
        fprintf(stderr, "replay: %s: %s\n", arg, strerror(errno));
        return -1;
    }
    if (S_ISDIR(sb.st_mode))
        return replay_dir(arg, count);
    if (replay_file(arg) != 0)
        return -1;
    (*count)++;
    return 0;
}

/* "replay_rules" (any directory, any ".exe") -> "rules" into out. */
static int harness_name(const char *argv0, char *out, size_t outsize)
{
    const char *base = strrchr(argv0, '/');
    const char *prefix = "replay_";
    size_t len;

    base = base != NULL ? base + 1 : argv0;
    if (strncmp(base, prefix, strlen(prefix)) != 0)
        return -1;
    base += strlen(prefix);
    len = strcspn(base, ".");
    if (len == 0 || len >= outsize)
        return -1;
    memcpy(out, base, len);
    out[len] = '\0';
    return 0;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    ps_buf dir;
    int i, rc = 0;

    ps_buf_init(&dir, 4096);
    if (argc > 1) {
        for (i = 1; i < argc && rc == 0; i++)
            rc = replay_arg(argv[i], &count);
    } else {
        const char *root = getenv("PS_FUZZ_CORPUS");
        char name[64];

        if (root == NULL || root[0] == '\0' ||
            harness_name(argv[0], name, sizeof(name)) != 0 ||
            ps_buf_printf(&dir, "%s/%s", root, name) != PS_OK) {
            fprintf(stderr, "usage: replay_<name> [FILE|DIR]... "
                            "(or set PS_FUZZ_CORPUS to tests/fuzz/corpus)\n");
            ps_buf_free(&dir);
            return EXIT_HARD;
        }
        rc = replay_arg(ps_buf_cstr(&dir), &count);
    }
    printf("replayed %zu inputs%s%s\n", count, dir.len > 0 ? " from " : "",
           ps_buf_cstr(&dir));
    ps_buf_free(&dir);
    if (rc != 0)
        return EXIT_HARD;
    if (count == 0) {
        fprintf(stderr, "replay: nothing to replay (is the corpus missing?)\n");
        return EXIT_EMPTY;
    }
    return 0;
}

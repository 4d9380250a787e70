/*
 * fuzz.c - helpers shared by the fuzz harnesses: an in-memory file for
 * readers that take a descriptor, and a reader runner that checks what
 * read.h promises about every record.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_MEMFD_CREATE
#include <sys/mman.h>
#endif

#include "fuzz.h"
#include "sniff.h"
#include "util.h"

void ps_fuzz_check(bool ok, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz: broken contract: %s\n", what);
    abort();
}

/* write(2) all of p[0..n), retrying short writes; 0 or -1. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * A memfd is preferred: no disk, no name to clean up after a crash.  The
 * fallback is mkstemp in $TMPDIR; its name is kept (not unlinked) until
 * ps_fuzz_file_close because callers such as ps_baseline_load take a path.
 */
ps_status ps_fuzz_file(const uint8_t *data, size_t size, int *fd, char *path,
                       size_t pathsize)
{
    int f;

    *fd = -1;
    path[0] = '\0';
#ifdef HAVE_MEMFD_CREATE
    f = memfd_create("psfuzz", MFD_CLOEXEC);
    if (f < 0)
        return PS_ERR_IO;
    snprintf(path, pathsize, "/proc/self/fd/%d", f);
#else
    {
        const char *tmp = getenv("TMPDIR");

        if (tmp == NULL || tmp[0] == '\0')
            tmp = "/tmp";
        if ((size_t)snprintf(path, pathsize, "%s/psfuzz.XXXXXX", tmp) >= pathsize)
            return PS_ERR_IO;
        f = mkstemp(path);
        if (f < 0) {
            path[0] = '\0';
            return PS_ERR_IO;
        }
    }
#endif
    if (write_all(f, data, size) != 0 || lseek(f, 0, SEEK_SET) != 0) {
        ps_fuzz_file_close(f, path);
        path[0] = '\0';
        return PS_ERR_IO;
    }
    *fd = f;
    return PS_OK;
}

void ps_fuzz_file_close(int fd, const char *path)
{
#ifndef HAVE_MEMFD_CREATE
    if (path != NULL && path[0] != '\0')
        unlink(path);
#else
    (void)path;
#endif
    if (fd >= 0)
        close(fd);
}

bool ps_fuzz_utf8(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        size_t k = ps_utf8_seq((const unsigned char *)s + i, n - i, &cp);

        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

typedef struct fuzz_sink {
    size_t max_record;
    size_t records;
    size_t stop_after; /* 0: never stop */
    bool stopped;
    unsigned sum;      /* every byte folded in, so no read is optimised away */
} fuzz_sink;

static unsigned touch(const char *p, size_t n)
{
    unsigned s = 0;
    size_t i;

    for (i = 0; i < n; i++)
        s = s * 31u + (unsigned char)p[i];
    return s;
}

/* Check one record against read.h, and touch every byte it points at. */
static int sink_record(void *ud, const ps_record *rec)
{
    fuzz_sink *k = ud;

    ps_fuzz_check(!k->stopped, "a reader called back after the callback asked to stop");
    ps_fuzz_check(rec != NULL, "a reader passed a NULL record");
    ps_fuzz_check(rec->field != NULL || rec->field_len == 0, "field is NULL with a length");
    ps_fuzz_check(rec->value != NULL || rec->value_len == 0, "value is NULL with a length");
    ps_fuzz_check(rec->value_len <= k->max_record, "a value longer than max_record");
    ps_fuzz_check(rec->field_len <= k->max_record, "a field name longer than max_record");
    ps_fuzz_check(rec->media < PS_MEDIA_COUNT, "media type out of range");
    ps_fuzz_check(rec->loc.kind == PS_LOC_NONE || rec->loc.kind == PS_LOC_LINE ||
                      rec->loc.kind == PS_LOC_CELL,
                  "location kind out of range");
    ps_fuzz_check(!rec->is_null || rec->value_len == 0, "a NULL value with bytes");
    if (rec->field != NULL)
        k->sum += touch(rec->field, rec->field_len);
    if (rec->value != NULL)
        k->sum += touch(rec->value, rec->value_len);
    if (rec->loc.table != NULL)
        k->sum += touch(rec->loc.table, strlen(rec->loc.table));
    if (rec->loc.column != NULL)
        k->sum += touch(rec->loc.column, strlen(rec->loc.column));
    if (rec->loc.pointer != NULL)
        k->sum += touch(rec->loc.pointer, strlen(rec->loc.pointer));
    k->records++;
    if (k->stop_after != 0 && k->records >= k->stop_after) {
        k->stopped = true;
        return 1;
    }
    return 0;
}

ps_status ps_fuzz_read(const ps_reader *r, const uint8_t *data, size_t size,
                       const char *name, const ps_sniff *sniff, ps_transport t)
{
    char path[128];
    ps_source src;
    fuzz_sink sink;
    ps_diag diag;
    ps_status st;
    int fd;

    if (ps_fuzz_file(data, size, &fd, path, sizeof(path)) != PS_OK)
        return PS_ERR_IO;
    memset(&src, 0, sizeof(src));
    src.fd = fd;
    src.open_path = path;
    src.rel_path = name;
    src.size = size;
    if (sniff != NULL)
        src.sniff = *sniff;
    else
        src.sniff = ps_sniff_buffer(data, size < PS_SNIFF_HEAD ? size : PS_SNIFF_HEAD,
                                    name, size);
    if (src.sniff.delimiter == 0)
        src.sniff.delimiter = ',';
    src.max_record = PS_FUZZ_MAX_RECORD;
    src.transport = t;
    src.max_inflate = PS_FUZZ_MAX_INFLATE;

    memset(&sink, 0, sizeof(sink));
    sink.max_record = src.max_record;
    /* One input in five, by size, stops after 1..4 records. */
    if (size % 5 == 0)
        sink.stop_after = 1 + size % 4;
    diag.msg[0] = '\0';
    st = r->read(&src, sink_record, &sink, &diag);
    ps_fuzz_file_close(fd, path);

    ps_fuzz_check(st == PS_ERR_STOP ? sink.stopped : true,
                  "PS_ERR_STOP although the callback never asked to stop");
    if (st != PS_OK && st != PS_ERR_STOP) {
        ps_fuzz_check(memchr(diag.msg, '\0', sizeof(diag.msg)) != NULL,
                      "diagnostic not NUL-terminated");
        ps_fuzz_check(diag.msg[0] != '\0', "a reader failed without a diagnostic");
        ps_fuzz_check(strchr(diag.msg, '\n') == NULL, "a diagnostic of more than one line");
    }
    return st;
}

/* --- reads held to each other --------------------------------------------- */

/* Record hashes kept for the comparison of a read that stopped: 8 MiB at most. */
#define DIGEST_MAX_SEEN ((size_t)1 << 20)

static uint64_t fold(uint64_t h, const void *p, size_t n)
{
    return (h ^ ps_fnv1a(p, n)) * PS_FNV_PRIME + n;
}

static uint64_t fold_str(uint64_t h, const char *s)
{
    return s != NULL ? fold(h, s, strlen(s) + 1) : fold(h, "", 0);
}

void ps_fuzz_digest_init(ps_fuzz_digest *d, ps_record_fn fn, void *ud)
{
    memset(d, 0, sizeof(*d));
    d->fn = fn;
    d->ud = ud;
    d->hash = PS_FNV_BASIS;
}

int ps_fuzz_digest_record(void *ud, const ps_record *rec)
{
    ps_fuzz_digest *d = ud;
    int64_t nums[6];
    uint64_t one;

    one = fold(fold_str(fold_str(PS_FNV_BASIS, rec->loc.table), rec->loc.column),
               &rec->loc.row, sizeof(rec->loc.row));
    one = fold(one, rec->field, rec->field_len);
    one = fold(one, rec->value, rec->value_len);
    one = fold_str(one, rec->loc.pointer);
    nums[0] = rec->loc.kind;
    nums[1] = (int64_t)rec->loc.line;
    nums[2] = rec->loc.row;
    nums[3] = rec->field_id;
    nums[4] = rec->media;
    nums[5] = rec->is_null;
    one = fold(one, nums, sizeof(nums));
    d->hash = fold(d->hash, &one, sizeof(one));
    if (!d->lost && (d->records >= DIGEST_MAX_SEEN ||
                     ps_grow(&d->seen, &d->seen_cap, d->records + 1, sizeof(uint64_t)) != PS_OK))
        d->lost = true;
    if (!d->lost)
        d->seen[d->records] = one;
    d->records++;
    return d->fn != NULL ? d->fn(d->ud, rec) : 0;
}

void ps_fuzz_digest_free(ps_fuzz_digest *d)
{
    free(d->seen);
    d->seen = NULL;
    d->seen_cap = 0;
}

bool ps_fuzz_same_read(const ps_fuzz_digest *a, ps_status st, const ps_diag *diag,
                       const ps_fuzz_digest *b, ps_status b_st, const ps_diag *b_diag)
{
    if (st == PS_ERR_NOMEM || st == PS_ERR_IO || b_st == PS_ERR_NOMEM || b_st == PS_ERR_IO)
        return true;
    if (st == PS_ERR_STOP) {
        if (a->lost || b->lost)
            return true;
        return b->records >= a->records &&
               memcmp(a->seen, b->seen, a->records * sizeof(uint64_t)) == 0;
    }
    return st == b_st && a->records == b->records && a->hash == b->hash &&
           (st == PS_OK || strcmp(diag->msg, b_diag->msg) == 0);
}

ps_status ps_fuzz_read_builds(const ps_reader *const *builds, size_t n, const ps_source *src,
                              ps_record_fn fn, void *ud, ps_diag *diag)
{
    ps_fuzz_digest first;
    ps_status st;

    ps_fuzz_digest_init(&first, fn, ud);
    st = builds[0]->read(src, ps_fuzz_digest_record, &first, diag);
    for (size_t i = 1; i < n; i++) {
        ps_fuzz_digest other;
        ps_diag other_diag;
        ps_status other_st;

        ps_fuzz_digest_init(&other, NULL, NULL);
        other_diag.msg[0] = '\0';
        /* The readers read the descriptor from where it is: back to the start. */
        if (lseek(src->fd, 0, SEEK_SET) != 0)
            other_st = PS_ERR_IO;
        else
            other_st = builds[i]->read(src, ps_fuzz_digest_record, &other, &other_diag);
        if (!ps_fuzz_same_read(&first, st, diag, &other, other_st, &other_diag)) {
            fprintf(stderr, "fuzz: %s: build %zu differs from build 0\n", builds[0]->name, i);
            ps_fuzz_check(false, st == other_st || st == PS_ERR_STOP
                                     ? "two builds of a reader gave different records"
                                     : "two builds of a reader ended differently");
        }
        ps_fuzz_digest_free(&other);
    }
    ps_fuzz_digest_free(&first);
    return st;
}

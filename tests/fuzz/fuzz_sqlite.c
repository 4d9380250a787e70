/*
 * fuzz_sqlite.c - the SQLite reader (read_sqlite.c): its walk of b-tree
 * pages over hostile pages, held to SQLite's engine.
 *
 * The input is a database file.  It is run the way ps_fuzz_read runs every
 * reader, so every record is checked against read.h, with the page walk on
 * (ps_read_sqlite_with, use_pages): the walk reads the pages themselves
 * with pread, and a fuzzed file reaches its parsing of page headers, cell
 * pointers, varints, record headers and overflow chains long before SQLite
 * would refuse it.  The same file is then read by the engine alone; when
 * both read it to the end (PS_OK), the two streams of records must be the
 * same, record for record (a digest of every byte and every member of
 * each, in order).  A file SQLite fails on may fail differently each way:
 * where the walk gives up, the engine takes over, so only the records
 * before the failure are alike, and those are not compared.
 *
 * A file SQLite reads to the end may still be one whose b-tree is damaged
 * (rowids out of order, a page in two places, interior keys that lie).
 * The walk stops early there, and the engine reads on past the rows it
 * gave ("LIMIT -1 OFFSET n", in the order of SQLite's own scan), which
 * gives SQLite's records as long as the walk read the same pages the same
 * way (it does for rowids out of order: corpus/sqlite/out-of-order*.db);
 * where they part ways (a page reached twice, a child at the wrong depth)
 * the two reads may differ.  So when the two streams differ, PRAGMA quick_check decides: on a file it passes the
 * streams must be the same; on one it fails, every record the walk's read
 * gave must be one the engine gave too (nothing made up, from the same
 * pages read the same way), and no (table, row, column) may come twice
 * unless the engine itself gave one twice (a leaf reached twice).  Not
 * even that where a cell lies outside its page: SQLite then reads past
 * the page into memory of its own and gives garbage (sq_health_of).
 *
 * SQLite opens a path, and resolves /proc/self/fd/N (ps_fuzz_file's memfd)
 * to a name it cannot open; so the bytes are copied into a private
 * temporary file (mkstemp under $TMPDIR or /tmp), removed before the
 * harness returns.  No "-wal" file is ever beside it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fuzz.h"
#include "read.h"
#include "util.h"

/* One record as two hashes: all of it, and where it is (table, row, column). */
typedef struct sq_seen {
    uint64_t rec;
    uint64_t key;
} sq_seen;

/* Records kept for the check on damaged files: 16 MiB of them at most. */
#define SQ_MAX_SEEN ((size_t)1 << 20)

/* The records of one read, folded into a digest as they come, and kept. */
typedef struct sq_digest {
    ps_record_fn fn; /* passed on to (the contract checks), or NULL */
    void *ud;
    uint64_t hash;
    size_t records;
    sq_seen *seen; /* [records], unless lost */
    size_t seen_cap;
    bool lost;     /* too many, or no memory: the damaged-file check is skipped */
} sq_digest;

static uint64_t fold(uint64_t h, const void *p, size_t n)
{
    return (h ^ ps_fnv1a(p, n)) * PS_FNV_PRIME + n;
}

static uint64_t fold_str(uint64_t h, const char *s)
{
    return s != NULL ? fold(h, s, strlen(s) + 1) : fold(h, "", 0);
}

static int digest_fn(void *ud, const ps_record *rec)
{
    sq_digest *d = ud;
    int64_t nums[6];
    sq_seen one;

    one.key = fold(fold_str(fold_str(PS_FNV_BASIS, rec->loc.table), rec->loc.column),
                   &rec->loc.row, sizeof(rec->loc.row));
    one.rec = fold(one.key, rec->field, rec->field_len);
    one.rec = fold(one.rec, rec->value, rec->value_len);
    one.rec = fold_str(one.rec, rec->loc.pointer);
    nums[0] = rec->loc.kind;
    nums[1] = (int64_t)rec->loc.line;
    nums[2] = rec->loc.row;
    nums[3] = rec->field_id;
    nums[4] = rec->media;
    nums[5] = rec->is_null;
    one.rec = fold(one.rec, nums, sizeof(nums));
    d->hash = fold(d->hash, &one.rec, sizeof(one.rec));
    if (!d->lost && (d->records >= SQ_MAX_SEEN ||
                     ps_grow(&d->seen, &d->seen_cap, d->records + 1, sizeof(sq_seen)) != PS_OK))
        d->lost = true;
    if (!d->lost)
        d->seen[d->records] = one;
    d->records++;
    return d->fn != NULL ? d->fn(d->ud, rec) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* v = the hashes of every record of d (whole, or by_key its place), sorted. */
static void sorted(const sq_digest *d, bool by_key, uint64_t *v)
{
    for (size_t i = 0; i < d->records; i++)
        v[i] = by_key ? d->seen[i].key : d->seen[i].rec;
    qsort(v, d->records, sizeof(*v), cmp_u64);
}

static bool has_twice(const uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] == v[i - 1])
            return true;
    return false;
}

/* What SQLite's PRAGMA quick_check says of a database. */
typedef enum sq_health {
    SQ_INTACT,   /* "ok" */
    SQ_DAMAGED,  /* a b-tree out of order, pages misused: SQLite still reads each cell whole */
    SQ_OVERREAD, /* a cell out of its page, or quick_check itself failed (see below) */
} sq_health;

/*
 * quick_check on the database at path.  A cell that starts or ends outside
 * its page ("Offset N out of range", "Extends off end of page") is read by
 * SQLite's engine past the page's bytes, into memory that is not the
 * page's: it can then give rows of garbage that differ from one read to
 * the next (corpus/sqlite/overread.db under ASan), and nothing can be
 * asked of the walk's read against it.
 */
static sq_health sq_health_of(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    sq_health h = SQ_OVERREAD;
    int rc = SQLITE_ERROR;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA quick_check(100000)", -1, &s, NULL) == SQLITE_OK) {
        h = SQ_INTACT;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(s, 0);

            if (t == NULL || strstr(t, " out of range ") != NULL ||
                strstr(t, "Extends off end of page") != NULL)
                h = SQ_OVERREAD;
            else if (h == SQ_INTACT && strcmp(t, "ok") != 0)
                h = SQ_DAMAGED;
        }
    }
    if (rc != SQLITE_DONE)
        h = SQ_OVERREAD;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return h;
}

/*
 * The streams of a damaged file (see the top): every record of the walk's
 * read is one the engine gave, and none of its places comes twice unless
 * one of the engine's does.
 */
static void check_damaged(const sq_digest *walk, const sq_digest *engine)
{
    uint64_t *w, *e;

    if (walk->lost || engine->lost)
        return;
    w = malloc((walk->records + 1) * sizeof(*w));
    e = malloc((engine->records + 1) * sizeof(*e));
    if (w != NULL && e != NULL) {
        sorted(walk, false, w);
        sorted(engine, false, e);
        for (size_t i = 0; i < walk->records; i++)
            ps_fuzz_check(bsearch(&w[i], e, engine->records, sizeof(*e), cmp_u64) != NULL,
                          "the page walk gave a record the engine does not, on a damaged file");
        sorted(walk, true, w);
        sorted(engine, true, e);
        ps_fuzz_check(!has_twice(w, walk->records) || has_twice(e, engine->records),
                      "the page walk gave a (table, row, column) twice, on a damaged file");
    }
    free(w);
    free(e);
}

/* pread/write all of from[0..size) into to; 0 or -1. */
static int copy_fd(int from, int to, uint64_t size)
{
    unsigned char buf[16384];
    uint64_t off = 0;

    while (off < size) {
        ssize_t r = pread(from, buf, sizeof(buf), (off_t)off);
        size_t done = 0;

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        while (done < (size_t)r) {
            ssize_t w = write(to, buf + done, (size_t)r - done);

            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            done += (size_t)w;
        }
        off += (uint64_t)r;
    }
    return 0;
}

/*
 * A reader for ps_fuzz_read: the bytes of src moved to a file SQLite can
 * open, read with the walk (through fn, which checks each record) and then
 * by the engine, and the two held to each other.  Returns the walk's status.
 */
static ps_status read_both(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    ps_source file = *src;
    sq_digest walk = { fn, ud, PS_FNV_BASIS, 0, NULL, 0, false };
    sq_digest engine = { NULL, NULL, PS_FNV_BASIS, 0, NULL, 0, false };
    ps_diag engine_diag;
    ps_status st, engine_st;
    int fd;

    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if ((size_t)snprintf(path, sizeof(path), "%s/psfuzz-sqlite.XXXXXX", tmp) >= sizeof(path)) {
        ps_diag_set(diag, "fuzz: TMPDIR too long");
        return PS_ERR_IO;
    }
    fd = mkstemp(path);
    if (fd < 0) {
        ps_diag_set(diag, "fuzz: no temporary file (errno %d)", errno);
        return PS_ERR_IO;
    }
    if (copy_fd(src->fd, fd, src->size) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        ps_diag_set(diag, "fuzz: could not write the temporary file");
        st = PS_ERR_IO;
        goto done;
    }
    file.fd = fd;
    file.open_path = path;
    st = ps_read_sqlite_with(&file, digest_fn, &walk, diag, true, NULL);
    engine_diag.msg[0] = '\0';
    engine_st = ps_read_sqlite_with(&file, digest_fn, &engine, &engine_diag, false, NULL);
    if (st == PS_OK && engine_st == PS_OK &&
        (walk.records != engine.records || walk.hash != engine.hash)) {
        sq_health h = sq_health_of(path);

        ps_fuzz_check(h != SQ_INTACT, "the page walk and the engine gave different records");
        if (h == SQ_DAMAGED)
            check_damaged(&walk, &engine);
    }
done:
    close(fd);
    unlink(path);
    free(walk.seen);
    free(engine.seen);
    return st;
}

static const ps_reader reader_both = { "sqlite-both", PS_FMT_SQLITE, read_both };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_both, data, size, "fuzz.db", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

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

#include "fuzz.h"
#include "read.h"
#include "util.h"

/* The records of one read, folded into a digest as they come. */
typedef struct sq_digest {
    ps_record_fn fn; /* passed on to (the contract checks), or NULL */
    void *ud;
    uint64_t hash;
    size_t records;
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
    uint64_t h = d->hash;

    h = fold(h, rec->field, rec->field_len);
    h = fold(h, rec->value, rec->value_len);
    h = fold_str(h, rec->loc.table);
    h = fold_str(h, rec->loc.column);
    h = fold_str(h, rec->loc.pointer);
    nums[0] = rec->loc.kind;
    nums[1] = (int64_t)rec->loc.line;
    nums[2] = rec->loc.row;
    nums[3] = rec->field_id;
    nums[4] = rec->media;
    nums[5] = rec->is_null;
    d->hash = fold(h, nums, sizeof(nums));
    d->records++;
    return d->fn != NULL ? d->fn(d->ud, rec) : 0;
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
    sq_digest walk = { fn, ud, PS_FNV_BASIS, 0 }, engine = { NULL, NULL, PS_FNV_BASIS, 0 };
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
    if (st == PS_OK && engine_st == PS_OK)
        ps_fuzz_check(walk.records == engine.records && walk.hash == engine.hash,
                      "the page walk and the engine gave different records");
done:
    close(fd);
    unlink(path);
    return st;
}

static const ps_reader reader_both = { "sqlite-both", PS_FMT_SQLITE, read_both };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_both, data, size, "fuzz.db", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

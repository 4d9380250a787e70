/*
 * fuzz_sqlite.c - the SQLite reader's walk of b-tree pages
 * (read_sqlite_walk.c) over hostile pages, held to SQLite's engine.
 *
 * The input is a database file.  It is run the way ps_fuzz_read runs every
 * reader, so every record is checked against read.h, with the page walk on
 * (ps_read_sqlite_with, use_pages): the walk reads the pages themselves
 * with pread, and a fuzzed file reaches its parsing of page headers, cell
 * pointers, varints, record headers and overflow chains long before SQLite
 * would refuse it.  The same file is then read by the engine alone, and
 * the two reads must be the same: the same status, the same diagnostic,
 * the same records in the same order (a digest of every byte and every
 * member of each); a read the callback stopped must have given the
 * engine's first records.
 *
 * This holds on damaged files too, and on files the engine fails on: the
 * walk hands a table over wherever it meets what it does not expect, and
 * the engine reads on past the rows the walk gave ("LIMIT -1 OFFSET n", in
 * the order of SQLite's own scan, which is the walk's order), so walk plus
 * engine is the engine's own read as long as the walk reads every row it
 * gives as the engine would and gives none the engine refuses.  Where the
 * engine fails, it then fails at the same row both ways.  (Before the
 * OFFSET hand-over this was asked only when both reads ended in PS_OK on a
 * file quick_check passed; a walk reading on where the engine says
 * "malformed" went unseen: corpus/sqlite/left-over.db, too-many-cells.db.)
 *
 * One narrowing: where PRAGMA quick_check says a cell lies outside its
 * page, or could not look at a page's cells, SQLite's engine may read past
 * the page into memory of its own and give garbage, or fail, differently
 * from one read to the next; nothing is asked there (sq_overread).
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

/*
 * Whether SQLite's PRAGMA quick_check says the engine may read past a page
 * of the database at path.  A cell that starts or ends outside its page
 * ("Offset N out of range", "Extends off end of page") is read by SQLite's
 * engine past the page's bytes, into memory that is not the page's: it can
 * then give rows of garbage, or fail, differently from one read to the
 * next (corpus/sqlite/overread.db under ASan), and nothing can be asked of
 * the walk's read against it.  quick_check looks at a page's cells only
 * when the page's free-block list adds up: where it does not ("free space
 * corruption"), it says nothing of the cells, which may then lie past the
 * page too (a leaf of 67 cells whose pointers are text, in the ASan build:
 * two engine reads gave rowids 0, -256, 0 and 3127, 3127).  Also true when
 * quick_check itself fails.
 */
static bool sq_overread(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    bool over = true;
    int rc = SQLITE_ERROR;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA quick_check(100000)", -1, &s, NULL) == SQLITE_OK) {
        over = false;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(s, 0);

            if (t == NULL || strstr(t, " out of range ") != NULL ||
                strstr(t, "Extends off end of page") != NULL ||
                strstr(t, "free space corruption") != NULL)
                over = true;
        }
    }
    if (rc != SQLITE_DONE)
        over = true;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return over;
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
    ps_fuzz_digest walk, engine;
    ps_diag engine_diag;
    ps_status st, engine_st;
    int fd;

    ps_fuzz_digest_init(&walk, fn, ud);
    ps_fuzz_digest_init(&engine, NULL, NULL);
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
    st = ps_read_sqlite_with(&file, ps_fuzz_digest_record, &walk, diag, true, NULL);
    engine_diag.msg[0] = '\0';
    engine_st = ps_read_sqlite_with(&file, ps_fuzz_digest_record, &engine, &engine_diag, false, NULL);
    if (!ps_fuzz_same_read(&walk, st, diag, &engine, engine_st, &engine_diag))
        ps_fuzz_check(sq_overread(path),
                      st == engine_st || st == PS_ERR_STOP
                          ? "the page walk and the engine gave different records"
                          : "the page walk and the engine ended differently");
done:
    close(fd);
    unlink(path);
    ps_fuzz_digest_free(&walk);
    ps_fuzz_digest_free(&engine);
    return st;
}

static const ps_reader reader_both = { "sqlite-both", PS_FMT_SQLITE, read_both };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_both, data, size, "fuzz.db", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

/*
 * fuzz.h - what the fuzz harnesses in tests/fuzz/ share.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput for one parser.  The
 * same object is linked two ways: with libFuzzer (--enable-fuzzing, clang,
 * tests/fuzz/fuzz_<name>) to search for new inputs, and with replay.c
 * (always, tests/fuzz/replay_<name>) so that `make check` runs every
 * harness over its committed corpus and the harnesses cannot rot.
 *
 * Harnesses check the contracts their headers state (bounds, one-line
 * diagnostics, round trips) and abort through ps_fuzz_check when one is
 * broken, so that libFuzzer and the replay driver both see a crash.
 *
 * Ownership: everything a harness creates for one input is freed before it
 * returns, so that leak detection (libFuzzer with ASan, valgrind on the
 * replay driver) sees a clean run.
 */
#ifndef PS_FUZZ_H
#define PS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "read.h"

/* The fuzzing entry point; one per harness. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The record limit readers get under fuzzing: small, so that the fuzzer
 * reaches the over-long-record paths with inputs of a few KiB.
 */
#define PS_FUZZ_MAX_RECORD (64u * 1024u)
/* The decompression limit for gzip inputs: small, so that bombs fail fast. */
#define PS_FUZZ_MAX_INFLATE ((uint64_t)4 << 20)

/*
 * Abort with "fuzz: broken contract: what" on stderr when ok is false.
 * what names the contract, never the input.
 */
void ps_fuzz_check(bool ok, const char *what);

/*
 * A read-only file holding data[0..size): a memfd where the system has
 * one, else an unlinked temporary file.  *fd is positioned at 0.  path
 * (pathsize >= 64) receives a name that open() accepts for as long as fd
 * is open ("/proc/self/fd/N", or the temporary file's name, which is then
 * removed by ps_fuzz_file_close).  Returns PS_OK or PS_ERR_IO.
 */
ps_status ps_fuzz_file(const uint8_t *data, size_t size, int *fd, char *path,
                       size_t pathsize);
void ps_fuzz_file_close(int fd, const char *path);

/*
 * Run reader r over data as the scan driver would: the bytes in a file
 * named name, described by *sniff, or sniffed from data when sniff is NULL
 * (a CSV delimiter of 0 becomes ','), through transport t, with
 * PS_FUZZ_MAX_RECORD and PS_FUZZ_MAX_INFLATE.  Every record's bytes are
 * read (so ASan sees any out-of-bounds one) and checked against read.h:
 * value and field within max_record, a media type in range, location
 * strings NUL-terminated.  Some inputs (chosen by their size) stop the
 * reader after a few records, to cover PS_ERR_STOP paths; no record may
 * follow the one the callback stopped at.  A failure must come with a
 * one-line diagnostic.  Returns the reader's status.
 */
ps_status ps_fuzz_read(const ps_reader *r, const uint8_t *data, size_t size,
                       const char *name, const ps_sniff *sniff, ps_transport t);

/*
 * The records of one read, folded into a digest as they come: every byte
 * and every member of each record, in order.  A digest passes each record
 * on to fn (the contract checks of ps_fuzz_read) when fn is not NULL.
 * Each record's own hash is kept too (up to about a million), so that a
 * read the callback stopped can be held to the first records of another.
 */
typedef struct ps_fuzz_digest {
    ps_record_fn fn;
    void *ud;
    uint64_t hash;
    size_t records;
    uint64_t *seen;  /* [records], one hash each, unless lost */
    size_t seen_cap;
    bool lost;       /* too many, or no memory: a stopped read is not compared */
} ps_fuzz_digest;

/* An empty digest that passes records on to fn(ud, ...), or to nothing. */
void ps_fuzz_digest_init(ps_fuzz_digest *d, ps_record_fn fn, void *ud);
/* A ps_record_fn: fold rec into the digest ud, then pass it on. */
int ps_fuzz_digest_record(void *ud, const ps_record *rec);
void ps_fuzz_digest_free(ps_fuzz_digest *d);

/*
 * Whether read a (status st, diagnostic diag) is read b: the same status,
 * diagnostic and records, in order.  A read that a stopped (PS_ERR_STOP)
 * must have given b's first records.  A failure of the harness's own (no
 * memory, no file) proves nothing either way and counts as the same.
 */
bool ps_fuzz_same_read(const ps_fuzz_digest *a, ps_status st, const ps_diag *diag,
                       const ps_fuzz_digest *b, ps_status b_st, const ps_diag *b_diag);

/*
 * Run n builds of one reader over src and abort unless every one reads
 * what builds[0] reads (ps_fuzz_same_read).  builds[0]'s records go on to
 * fn(ud, ...), which may stop it; the others run to the end, each from the
 * file's start.  For the readers that read through input.c: besides the
 * build the scanner uses, a harness links one over a 61-byte read window
 * (window.h), which small inputs would otherwise never refill, and for
 * the readers with a stop-set search (csv, jsonl, sqldump) one with its
 * portable path (-DPS_NO_SIMD, tests/fuzz/portable_<name>.c), which x86-64
 * would otherwise never run.  Returns builds[0]'s status, its diagnostic
 * in *diag.
 */
ps_status ps_fuzz_read_builds(const ps_reader *const *builds, size_t n, const ps_source *src,
                              ps_record_fn fn, void *ud, ps_diag *diag);

/* True when s[0..n) is valid UTF-8 (ps_utf8_seq over every sequence). */
bool ps_fuzz_utf8(const char *s, size_t n);

#endif /* PS_FUZZ_H */

/*
 * protect.h - the remediation: keys, file envelopes, field encryption,
 * password hashing, and the tree commands `protect`, `verify`, `unprotect`.
 *
 * plainsight teaches the fix for a VTech-class store by doing it: every file
 * that is not a database is streamed through
 * crypto_secretstream_xchacha20poly1305 into an envelope; SQLite databases
 * are rewritten column by column, with the protection of each column chosen
 * by what the scanner's own rules find in it (see docs/protect.md):
 *
 *   plain-text password       -> argon2id (crypto_pwhash_str)
 *   unsalted MD5/SHA hex      -> argon2id over the hex digest (legacy wrap)
 *   secret answer             -> argon2id of the normalised answer
 *   everything else that fires -> XChaCha20-Poly1305 with the cell's place
 *                                 (table, column, rowid) as additional data
 *
 * Keys: one 32-byte master key per tree, in a small text file
 * ("plainsight-key-1 <base64>\n", mode 0600).  Per-purpose subkeys come from
 * crypto_kdf_derive_from_key with context "plnsight".  Key material lives in
 * sodium_malloc'd memory (guard pages, mlocked, read-only once derived) and
 * is wiped when the key is freed.
 *
 * Ownership: ps_key_* constructors hand out a key that the caller frees with
 * ps_key_free (NULL is a no-op).  Strings passed in are borrowed.  All calls
 * need ps_protect_init() to have succeeded once.
 *
 * Diagnostics name places (paths, chunks, tables, columns, rows), never the
 * values being protected.
 */
#ifndef PS_PROTECT_H
#define PS_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "plainsight.h"
#include "util.h"

/* --- constants ------------------------------------------------------------ */

#define PS_KEY_BYTES 32
#define PS_KEY_FILE_TAG "plainsight-key-1"
/* Hex key id: 8 bytes, 16 digits + NUL. */
#define PS_KEY_ID_SIZE 17

/* Plaintext bytes per envelope chunk; nothing reads a whole file. */
#define PS_PROTECT_CHUNK (64u * 1024u)
/* Envelope version and kinds (the byte after PS_ENVELOPE_MAGIC). */
#define PS_ENVELOPE_VERSION 1
#define PS_ENVELOPE_KIND_FILE 1

/* What a protected file is called in the protected tree. */
#define PS_PROTECT_SUFFIX ".psenc"
/* The manifest at the root of a protected tree. */
#define PS_PROTECT_MANIFEST ".plainsight-protect"

/* A protected field: TEXT "psf1:" + base64url(nonce || ciphertext). */
#define PS_FIELD_PREFIX "psf1:"
#define PS_FIELD_PREFIX_LEN 5

/*
 * argon2id at the OWASP Password Storage Cheat Sheet floor: t=2 and
 * m=19 MiB (exactly 19456 KiB), one lane.  Hashes stay verifiable by any
 * argon2 library: the parameters are in the string.
 */
#define PS_PWHASH_OPSLIMIT 2u
#define PS_PWHASH_MEMLIMIT (19456u * 1024u)
/* Room for a crypto_pwhash_str result (crypto_pwhash_STRBYTES). */
#define PS_PWHASH_SIZE 128

/* Hex of a 16-byte blind index + NUL. */
#define PS_BIDX_SIZE 33

/* --- keys ----------------------------------------------------------------- */

/* Subkey ids for crypto_kdf_derive_from_key (context "plnsight"). */
typedef enum ps_subkey {
    PS_SUBKEY_FIELD = 1,       /* AEAD of database fields */
    PS_SUBKEY_BLIND_INDEX = 2, /* keyed hash for lookups of encrypted emails */
    PS_SUBKEY_FILE = 3,        /* secretstream of files and media */
    PS_SUBKEY_MANIFEST = 4     /* MAC over the manifest */
} ps_subkey;

typedef struct ps_key ps_key;

/* sodium_init(); PS_ERR_CRYPTO when libsodium cannot start.  Idempotent. */
ps_status ps_protect_init(void) PS_WARN_UNUSED;

/* A fresh random master key (randombytes_buf). */
ps_status ps_key_generate(ps_key **out) PS_WARN_UNUSED;
/* A key from 32 given bytes (tests, and the parser). */
ps_status ps_key_from_bytes(const unsigned char master[PS_KEY_BYTES], ps_key **out) PS_WARN_UNUSED;
void ps_key_free(ps_key *k);

/*
 * The key file text, "plainsight-key-1 <base64>\n", into out (outsize >= 64).
 * The caller wipes out with sodium_memzero after use.
 */
ps_status ps_key_format(const ps_key *k, char *out, size_t outsize) PS_WARN_UNUSED;

/*
 * Parse key file text: the tag, one space, standard base64 of exactly 32
 * bytes, an optional final newline, nothing else.  PS_ERR_FORMAT with the
 * reason in *diag (never the key bytes).
 */
ps_status ps_key_parse(const char *text, size_t n, ps_key **out, ps_diag *diag) PS_WARN_UNUSED;

/*
 * Write k to path with mode 0600, created with O_EXCL so that an existing
 * file is never overwritten unless force (then it is replaced atomically
 * through a temporary file in the same directory).
 */
ps_status ps_key_save(const ps_key *k, const char *path, bool force, ps_diag *diag) PS_WARN_UNUSED;

/*
 * Read a key file (a regular file of at most 256 bytes, not followed through
 * a symbolic link).  *mode receives its permission bits so that the caller
 * can warn about a key readable by others; mode may be NULL.
 */
ps_status ps_key_load(const char *path, ps_key **out, unsigned *mode, ps_diag *diag) PS_WARN_UNUSED;

/*
 * The key id: hex of the first 8 bytes of crypto_generichash keyed with the
 * master key over "plainsight key id".  Names a key without revealing it.
 */
void ps_key_id(const ps_key *k, char out[PS_KEY_ID_SIZE]);

/* A derived subkey (32 bytes), valid as long as k. */
const unsigned char *ps_key_subkey(const ps_key *k, ps_subkey id);

/* --- file envelopes ------------------------------------------------------- */

/*
 * Encrypt in_fd to out_fd: PS_ENVELOPE_MAGIC, version, kind, the 24-byte
 * secretstream header, then chunks of (4-byte big-endian length,
 * ciphertext) of PS_PROTECT_CHUNK plaintext bytes each; the last chunk
 * carries TAG_FINAL (an empty one when the size is a multiple of the chunk
 * size, or the file is empty).  rel_path is the additional data of the
 * first chunk: a file renamed or swapped inside the tree fails to open.
 */
ps_status ps_envelope_seal(const ps_key *k, const char *rel_path, int in_fd,
                           int out_fd, ps_diag *diag) PS_WARN_UNUSED;

/*
 * Decrypt and authenticate an envelope; plaintext goes to out_fd, or
 * nowhere when out_fd is -1 (verify).  Plaintext already written before a
 * failure must be discarded by the caller.  Failures (PS_ERR_CRYPTO or
 * PS_ERR_FORMAT) say where: "not a plainsight envelope", "unsupported
 * envelope version N", "chunk N: authentication failed", "chunk N: bad
 * length", "truncated (no final chunk)", "data after the final chunk".
 * Chunks count from 1.
 */
ps_status ps_envelope_open(const ps_key *k, const char *rel_path, int in_fd,
                           int out_fd, ps_diag *diag) PS_WARN_UNUSED;

/* --- fields --------------------------------------------------------------- */

/* The SQLite storage class of a field, kept inside the ciphertext. */
typedef enum ps_field_type {
    PS_FIELD_INTEGER = 1, /* 8 bytes, big-endian two's complement */
    PS_FIELD_REAL = 2,    /* 8 bytes, big-endian IEEE 754 bits */
    PS_FIELD_TEXT = 3,
    PS_FIELD_BLOB = 4
} ps_field_type;

/* Where a field lives: its additional data is "table\0column\0rowid". */
typedef struct ps_field_place {
    const char *table;
    const char *column;
    int64_t row;
} ps_field_place;

/*
 * Seal v[0..n) of type t at place into out (appended): "psf1:" +
 * base64url-nopad(24-byte random nonce || XChaCha20-Poly1305(type || v)).
 */
ps_status ps_field_seal(const ps_key *k, const ps_field_place *place,
                        ps_field_type t, const void *v, size_t n,
                        ps_buf *out) PS_WARN_UNUSED;

/*
 * Open a sealed field; the plaintext is appended to out and its type put in
 * *t.  PS_ERR_FORMAT when text is not a sealed field, PS_ERR_CRYPTO when it
 * does not authenticate at this place (tampered, or moved from another row
 * or column).
 */
ps_status ps_field_open(const ps_key *k, const ps_field_place *place,
                        const char *text, size_t n, ps_field_type *t,
                        ps_buf *out) PS_WARN_UNUSED;

/*
 * Structural test, no key: "psf1:" and base64url long enough to hold a
 * nonce, a type byte and a tag.  The scanner's readable-text detector can
 * use it to treat protected fields as opaque.
 */
bool ps_field_is_sealed(const char *v, size_t n);

/*
 * Blind index of an email for equality lookups on an encrypted column: hex
 * of a 16-byte crypto_generichash of the trimmed, ASCII-lower-cased value,
 * keyed with the blind-index subkey.
 */
ps_status ps_blind_index(const ps_key *k, const char *v, size_t n,
                         char out[PS_BIDX_SIZE]) PS_WARN_UNUSED;

/* --- one-way: passwords and answers --------------------------------------- */

/* crypto_pwhash_str (argon2id, PS_PWHASH_OPSLIMIT/MEMLIMIT) of pw[0..n). */
ps_status ps_pwhash(const char *pw, size_t n, char out[PS_PWHASH_SIZE]) PS_WARN_UNUSED;
/*
 * Legacy wrap: argon2id over the lower-cased hex digest of an unsalted
 * MD5/SHA hash.  A login then checks ps_pwhash_verify_legacy(stored,
 * hex(md5(input))), and rehashes directly once it knows the password.
 */
ps_status ps_pwhash_legacy(const char *hex, size_t n, char out[PS_PWHASH_SIZE]) PS_WARN_UNUSED;
/* argon2id of the normalised answer (trimmed, ASCII lower case). */
ps_status ps_pwhash_answer(const char *ans, size_t n, char out[PS_PWHASH_SIZE]) PS_WARN_UNUSED;

bool ps_pwhash_verify(const char *stored, const char *pw, size_t n) PS_WARN_UNUSED;
bool ps_pwhash_verify_legacy(const char *stored, const char *hex, size_t n) PS_WARN_UNUSED;
bool ps_pwhash_verify_answer(const char *stored, const char *ans, size_t n) PS_WARN_UNUSED;

/* --- minimisation (--minimise) -------------------------------------------- */

/* "a.b.c.d" -> "a.b.c.0" when v is exactly a dotted-quad IPv4 address. */
bool ps_minimise_ipv4(const char *v, size_t n, char out[16]);
/* A value starting with a 4-digit year and '-', '/' or '.' -> "YYYY". */
bool ps_minimise_year(const char *v, size_t n, char out[5]);

/* --- SQLite databases (protect_db.c) -------------------------------------- */

typedef enum ps_col_mode {
    PS_COL_KEEP = 0,           /* nothing fired: copied as is */
    PS_COL_AEAD,               /* sealed field (reversible) */
    PS_COL_ARGON2ID,           /* plain-text password, hashed (one-way) */
    PS_COL_ARGON2ID_LEGACY,    /* MD5/SHA hex digest, wrapped (one-way) */
    PS_COL_ARGON2ID_ANSWER     /* secret answer, normalised and hashed (one-way) */
} ps_col_mode;

const char *ps_col_mode_name(ps_col_mode m);
int ps_col_mode_parse(const char *name, ps_col_mode *out);

#define PS_COL_BIDX 0x1u /* an "<column>_bidx" blind index column is added */
#define PS_COL_YEAR 0x2u /* --minimise: only the birth year is kept */
#define PS_COL_IP24 0x4u /* --minimise: IPv4 addresses truncated to /24 */

typedef struct ps_col_plan {
    char *name;
    char *decltype;  /* declared type, "" when none */
    ps_col_mode mode;
    unsigned flags;  /* PS_COL_* */
} ps_col_plan;

typedef struct ps_table_plan {
    char *name;
    char *create_sql; /* the original CREATE TABLE, replayed by unprotect */
    uint64_t rows;
    ps_col_plan *cols;
    size_t ncols, capcols;
} ps_table_plan;

/* An index, view or trigger of the original schema, replayed by unprotect. */
typedef struct ps_schema_obj {
    char *type, *name, *tbl, *sql;
} ps_schema_obj;

typedef struct ps_db_plan {
    char *rel_path;
    ps_table_plan *tables;
    size_t ntables, captables;
    ps_schema_obj *objs;
    size_t nobjs, capobjs;
} ps_db_plan;

void ps_db_plan_free(ps_db_plan *p);
/* Append a table / column / object (strings are copied). */
ps_status ps_db_plan_add_table(ps_db_plan *p, const char *name, const char *sql,
                               uint64_t rows) PS_WARN_UNUSED;
ps_status ps_db_plan_add_column(ps_table_plan *t, const char *name, const char *decltype,
                                ps_col_mode mode, unsigned flags) PS_WARN_UNUSED;
ps_status ps_db_plan_add_object(ps_db_plan *p, const char *type, const char *name,
                                const char *tbl, const char *sql) PS_WARN_UNUSED;

/*
 * Decide how to protect every column of the database at src_path: run the
 * matcher's record rules on every non-NULL cell and map the categories that
 * fire to a mode (see the top of this file); columns the rule set's
 * subjects call a child's birthdate or identifying data are sealed too.
 * WITHOUT ROWID tables, virtual tables and generated columns are refused
 * (PS_ERR_FORMAT): their protected form could not be restored exactly, or
 * their shadow tables would keep the plain text.
 */
ps_status ps_db_plan_make(const ps_matcher *m, const char *src_path,
                          const char *rel_path, bool minimise, ps_db_plan *out,
                          ps_diag *diag) PS_WARN_UNUSED;

/*
 * Write the protected copy of src_path to dst_path (a new file, mode 0600)
 * following plan; the per-row work (argon2id, AEAD) runs on `threads`
 * threads.
 */
ps_status ps_db_protect(const ps_key *k, const ps_db_plan *plan, const char *src_path,
                        const char *dst_path, unsigned threads, ps_diag *diag) PS_WARN_UNUSED;

/*
 * Restore a protected database: the original schema, every reversible value
 * with its original type, hashed columns as hashes, no _bidx columns.  The
 * first field that fails to authenticate stops it (PS_ERR_CRYPTO, place in
 * *diag).
 */
ps_status ps_db_unprotect(const ps_key *k, const ps_db_plan *plan, const char *src_path,
                          const char *dst_path, ps_diag *diag) PS_WARN_UNUSED;

/* Called once per problem found by a verify: "PATH: what is wrong". */
typedef void (*ps_note_fn)(void *ud, const char *msg);

/*
 * Check every sealed field and blind index of a protected database, and the
 * row counts.  Each problem goes to fn; *problems counts them.  Returns
 * PS_OK when the check ran (problems or not), an error when it could not.
 */
ps_status ps_db_verify(const ps_key *k, const ps_db_plan *plan, const char *path,
                       ps_note_fn fn, void *ud, size_t *problems, ps_diag *diag) PS_WARN_UNUSED;

/* --- trees (protect_tree.c) ----------------------------------------------- */

typedef struct ps_protect_opts {
    const char *rules_path; /* rule file or directory deciding column modes */
    bool force;             /* replace an existing destination */
    bool minimise;          /* --minimise */
    unsigned threads;       /* 0: online CPUs */
    unsigned crash_after;   /* test hook: _exit(99) after this many files; 0: off */
    ps_note_fn note;        /* progress and notes (never values); may be NULL */
    void *note_ud;
} ps_protect_opts;

/*
 * Protect the tree src into dst.  src is only read.  Everything is written
 * into a temporary sibling of dst (mkdtemp), fsync'ed, and renamed to dst at
 * the very end, so dst is either absent or complete.  Refuses a dst that
 * exists (unless force), a dst inside src or src inside dst, and a key file
 * (key_path, may be NULL) inside either.
 */
ps_status ps_protect_tree(const ps_key *k, const char *key_path, const char *src,
                          const char *dst, const ps_protect_opts *o,
                          ps_diag *diag) PS_WARN_UNUSED;

/*
 * Restore a protected tree src into dst (same temporary-directory safety).
 * Any failure, authentication included, leaves dst absent.
 */
ps_status ps_unprotect_tree(const ps_key *k, const char *src, const char *dst,
                            bool force, ps_note_fn note, void *note_ud,
                            ps_diag *diag) PS_WARN_UNUSED;

/*
 * Verify a protected tree: the manifest's key id and MAC, every envelope,
 * every sealed field, and that no file is missing or added.  Problems go
 * to fn as "PATH: ..." lines and are counted in *problems.  A wrong key is
 * PS_ERR_CRYPTO with the key-id message in *diag.
 */
ps_status ps_verify_tree(const ps_key *k, const char *dir, ps_note_fn fn, void *ud,
                         size_t *problems, ps_diag *diag) PS_WARN_UNUSED;

#endif /* PS_PROTECT_H */

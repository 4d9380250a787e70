/*
 * test_protect.c - keys, envelopes, sealed fields, blind indexes, password
 * hashing, minimisation, and a small database and tree end to end.
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

#include <sodium.h>
#include <sqlite3.h>

#include "match.h"
#include "protect.h"
#include "rules.h"
#include "scratch.h"
#include "util.h"

/* --- helpers -------------------------------------------------------------- */

static ps_key *key_of(unsigned char fill)
{
    unsigned char raw[PS_KEY_BYTES];
    ps_key *k = NULL;

    memset(raw, fill, sizeof(raw));
    raw[0] = 0x42; /* not one byte repeated, for the subkey test */
    assert_int_equal(ps_key_from_bytes(raw, &k), PS_OK);
    return k;
}

/* A temporary file holding n bytes, positioned at 0. */
static FILE *file_with(const unsigned char *p, size_t n)
{
    FILE *f = tmpfile();

    assert_non_null(f);
    if (n > 0)
        assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fflush(f), 0);
    rewind(f);
    return f;
}

/* Read all of f from the start into a malloc'd buffer. */
static unsigned char *slurp(FILE *f, size_t *n)
{
    long len;
    unsigned char *p;

    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    p = malloc((size_t)len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    *n = (size_t)len;
    return p;
}

/* The envelope of data[0..n) under k for rel, as bytes. */
static unsigned char *seal_bytes(const ps_key *k, const char *rel, const unsigned char *data,
                                 size_t n, size_t *outn)
{
    FILE *in = file_with(data, n), *out = tmpfile();
    ps_diag d = { { 0 } };
    unsigned char *env;

    assert_non_null(out);
    assert_int_equal(ps_envelope_seal(k, rel, fileno(in), fileno(out), &d), PS_OK);
    env = slurp(out, outn);
    fclose(in);
    fclose(out);
    return env;
}

/* Open env[0..n) under k for rel; plaintext into *pt when pt != NULL. */
static ps_status open_bytes(const ps_key *k, const char *rel, const unsigned char *env, size_t n,
                            unsigned char **pt, size_t *ptn, ps_diag *d)
{
    FILE *in = file_with(env, n), *out = tmpfile();
    ps_status st;

    assert_non_null(out);
    st = ps_envelope_open(k, rel, fileno(in), fileno(out), d);
    if (pt != NULL)
        *pt = slurp(out, ptn);
    fclose(in);
    fclose(out);
    return st;
}

static unsigned char *pattern_bytes(size_t n)
{
    unsigned char *p = malloc(n + 1);

    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 131u + (i >> 9));
    return p;
}

/* Offset of chunk c (1-based) of an envelope: header, then (len, ct) pairs. */
static size_t chunk_offset(const unsigned char *env, size_t n, unsigned c)
{
    size_t off = PS_ENVELOPE_MAGIC_LEN + 2 + crypto_secretstream_xchacha20poly1305_HEADERBYTES;

    for (unsigned i = 1; i < c; i++) {
        size_t len;
        assert_true(off + 4 <= n);
        len = (size_t)env[off] << 24 | (size_t)env[off + 1] << 16 | (size_t)env[off + 2] << 8 | env[off + 3];
        off += 4 + len;
    }
    return off;
}

/* --- envelopes ------------------------------------------------------------ */

static void test_envelope_round_trip(void **state)
{
    static const size_t sizes[] = {
        0, 1, PS_PROTECT_CHUNK - 1, PS_PROTECT_CHUNK, PS_PROTECT_CHUNK + 1,
        2 * PS_PROTECT_CHUNK, 200 * 1024
    };
    ps_key *k = key_of(7);

    (void)state;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *data = pattern_bytes(sizes[i]), *env, *back;
        size_t envn, backn, chunks = sizes[i] / PS_PROTECT_CHUNK + 1;
        ps_diag d = { { 0 } };

        env = seal_bytes(k, "media/a.jpg", data, sizes[i], &envn);
        /* header + per chunk (length + tag), plus the data itself */
        assert_int_equal(envn, PS_ENVELOPE_MAGIC_LEN + 2 +
                         crypto_secretstream_xchacha20poly1305_HEADERBYTES +
                         chunks * (4 + crypto_secretstream_xchacha20poly1305_ABYTES) + sizes[i]);
        assert_memory_equal(env, PS_ENVELOPE_MAGIC, PS_ENVELOPE_MAGIC_LEN);
        assert_int_equal(open_bytes(k, "media/a.jpg", env, envn, &back, &backn, &d), PS_OK);
        assert_int_equal(backn, sizes[i]);
        if (sizes[i] > 0)
            assert_memory_equal(back, data, sizes[i]);
        free(data);
        free(env);
        free(back);
    }
    ps_key_free(k);
}

/* Each damaged place gives its own error, naming the chunk. */
static void test_envelope_tamper(void **state)
{
    static const struct {
        const char *what;
        int chunk;      /* flip a bit in this chunk's ciphertext; 0: see offset */
        long offset;    /* else flip at this absolute offset */
        ps_status want;
        const char *msg;
    } cases[] = {
        { "magic", 0, 0, PS_ERR_FORMAT, "not a plainsight envelope" },
        { "version", 0, PS_ENVELOPE_MAGIC_LEN, PS_ERR_FORMAT, "unsupported envelope version" },
        { "stream header", 0, PS_ENVELOPE_MAGIC_LEN + 2 + 3, PS_ERR_CRYPTO, "chunk 1: authentication failed" },
        { "chunk 1", 1, 0, PS_ERR_CRYPTO, "chunk 1: authentication failed" },
        { "chunk 2", 2, 0, PS_ERR_CRYPTO, "chunk 2: authentication failed" },
        { "chunk 4 (final)", 4, 0, PS_ERR_CRYPTO, "chunk 4: authentication failed" },
    };
    size_t n = 200 * 1024, envn;
    unsigned char *data = pattern_bytes(n);
    ps_key *k = key_of(9);
    unsigned char *env = seal_bytes(k, "logs/app.log", data, n, &envn);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *copy = malloc(envn);
        size_t at;
        ps_diag d = { { 0 } };

        assert_non_null(copy);
        memcpy(copy, env, envn);
        at = cases[i].chunk > 0 ? chunk_offset(env, envn, (unsigned)cases[i].chunk) + 4 + 10
                                : (size_t)cases[i].offset;
        copy[at] ^= 0x04;
        assert_int_equal(open_bytes(k, "logs/app.log", copy, envn, NULL, NULL, &d), cases[i].want);
        if (strstr(d.msg, cases[i].msg) == NULL)
            fail_msg("%s: got \"%s\"", cases[i].what, d.msg);
        free(copy);
    }
    free(env);
    free(data);
    ps_key_free(k);
}

static void test_envelope_truncated_and_trailing(void **state)
{
    size_t n = 200 * 1024, envn, last;
    unsigned char *data = pattern_bytes(n);
    ps_key *k = key_of(3);
    unsigned char *env = seal_bytes(k, "x.bin", data, n, &envn), *longer;
    ps_diag d = { { 0 } };

    (void)state;
    /* Cut inside the final chunk, and cleanly before it: both lack FINAL. */
    assert_int_equal(open_bytes(k, "x.bin", env, envn - 1, NULL, NULL, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "truncated (no final chunk)");
    last = chunk_offset(env, envn, 4);
    assert_int_equal(open_bytes(k, "x.bin", env, last, NULL, NULL, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "truncated (no final chunk)");
    assert_int_equal(open_bytes(k, "x.bin", env, 20, NULL, NULL, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "truncated (no final chunk)");
    /* Bytes after FINAL are refused, not ignored. */
    longer = malloc(envn + 1);
    assert_non_null(longer);
    memcpy(longer, env, envn);
    longer[envn] = 0;
    assert_int_equal(open_bytes(k, "x.bin", longer, envn + 1, NULL, NULL, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "data after the final chunk");
    /* A length prefix pointing past any chunk size. */
    memcpy(longer, env, envn);
    longer[chunk_offset(env, envn, 2)] = 0x7f;
    assert_int_equal(open_bytes(k, "x.bin", longer, envn, NULL, NULL, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "chunk 2: bad length");
    free(longer);
    free(env);
    free(data);
    ps_key_free(k);
}

static void test_envelope_wrong_key_and_path(void **state)
{
    ps_key *k = key_of(1), *other = key_of(2);
    const unsigned char data[] = "Hi grandma! Emma drew a cat today";
    size_t envn;
    unsigned char *env = seal_bytes(k, "kidconnect/chat.jsonl", data, sizeof(data), &envn);
    ps_diag d = { { 0 } };

    (void)state;
    assert_int_equal(open_bytes(other, "kidconnect/chat.jsonl", env, envn, NULL, NULL, &d),
                     PS_ERR_CRYPTO);
    assert_string_equal(d.msg, "chunk 1: authentication failed");
    /* Same key, but the file was moved to another path inside the tree. */
    assert_int_equal(open_bytes(k, "kidconnect/other.jsonl", env, envn, NULL, NULL, &d),
                     PS_ERR_CRYPTO);
    assert_string_equal(d.msg, "chunk 1: authentication failed");
    assert_int_equal(open_bytes(k, "kidconnect/chat.jsonl", env, envn, NULL, NULL, &d), PS_OK);
    free(env);
    ps_key_free(k);
    ps_key_free(other);
}

/* Swapping two whole chunks keeps every chunk authentic on its own: the stream must notice. */
static void test_envelope_chunk_reorder(void **state)
{
    size_t n = 3 * PS_PROTECT_CHUNK + 10, envn;
    unsigned char *data = pattern_bytes(n);
    ps_key *k = key_of(5);
    unsigned char *env = seal_bytes(k, "a", data, n, &envn), *swapped;
    size_t c2 = chunk_offset(env, envn, 2), c3 = chunk_offset(env, envn, 3);
    size_t c4 = chunk_offset(env, envn, 4);
    ps_diag d = { { 0 } };

    (void)state;
    assert_int_equal(c3 - c2, c4 - c3); /* both full chunks */
    swapped = malloc(envn);
    assert_non_null(swapped);
    memcpy(swapped, env, envn);
    memcpy(swapped + c2, env + c3, c3 - c2);
    memcpy(swapped + c3, env + c2, c3 - c2);
    assert_int_equal(open_bytes(k, "a", swapped, envn, NULL, NULL, &d), PS_ERR_CRYPTO);
    assert_string_equal(d.msg, "chunk 2: authentication failed");
    free(swapped);
    free(env);
    free(data);
    ps_key_free(k);
}

/* --- sealed fields -------------------------------------------------------- */

static void test_field_round_trip(void **state)
{
    static const unsigned char blob[] = { 0xff, 0xd8, 0xff, 0x00, 0x01, 0x00 };
    unsigned char num[8];
    const struct {
        ps_field_type t;
        const void *v;
        size_t n;
    } cases[] = {
        { PS_FIELD_TEXT, "Zoé O'Brien", strlen("Zoé O'Brien") },
        { PS_FIELD_TEXT, "", 0 },
        { PS_FIELD_BLOB, blob, sizeof(blob) },
        { PS_FIELD_INTEGER, num, 8 },
        { PS_FIELD_REAL, num, 8 },
    };
    ps_key *k = key_of(11);
    ps_field_place at = { "parents", "first_name", 42 };

    (void)state;
    for (int i = 0; i < 8; i++)
        num[i] = (unsigned char)(0x80 + i);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ps_buf sealed, plain;
        ps_field_type t = 0;

        ps_buf_init(&sealed, 4096);
        ps_buf_init(&plain, 4096);
        assert_int_equal(ps_field_seal(k, &at, cases[i].t, cases[i].v, cases[i].n, &sealed), PS_OK);
        assert_true(ps_field_is_sealed(sealed.data, sealed.len));
        assert_memory_equal(sealed.data, PS_FIELD_PREFIX, PS_FIELD_PREFIX_LEN);
        assert_int_equal(ps_field_open(k, &at, sealed.data, sealed.len, &t, &plain), PS_OK);
        assert_int_equal(t, cases[i].t);
        assert_int_equal(plain.len, cases[i].n);
        if (cases[i].n > 0)
            assert_memory_equal(plain.data, cases[i].v, cases[i].n);
        ps_buf_free(&sealed);
        ps_buf_free(&plain);
    }
    ps_key_free(k);
}

/* A sealed value moved to another row, column or table does not open. */
static void test_field_moved(void **state)
{
    static const struct {
        ps_field_place at;
        ps_status want;
    } cases[] = {
        { { "parents", "email", 7 }, PS_OK },
        { { "parents", "email", 8 }, PS_ERR_CRYPTO },
        { { "parents", "address", 7 }, PS_ERR_CRYPTO },
        { { "kids", "email", 7 }, PS_ERR_CRYPTO },
        { { "parents", "email", -7 }, PS_ERR_CRYPTO },
        /* "a\0bc" vs "ab\0c": the separator keeps the parts apart */
        { { "parent", "semail", 7 }, PS_ERR_CRYPTO },
    };
    ps_key *k = key_of(12), *other = key_of(13);
    ps_field_place at = { "parents", "email", 7 };
    ps_buf sealed, plain;
    ps_field_type t;

    (void)state;
    ps_buf_init(&sealed, 4096);
    ps_buf_init(&plain, 4096);
    assert_int_equal(ps_field_seal(k, &at, PS_FIELD_TEXT, "ann@example.com", 15, &sealed), PS_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ps_buf_reset(&plain);
        assert_int_equal(ps_field_open(k, &cases[i].at, sealed.data, sealed.len, &t, &plain),
                         cases[i].want);
    }
    assert_int_equal(ps_field_open(other, &at, sealed.data, sealed.len, &t, &plain), PS_ERR_CRYPTO);
    /* One changed character of the base64. */
    sealed.data[sealed.len / 2] = sealed.data[sealed.len / 2] == 'A' ? 'B' : 'A';
    assert_int_equal(ps_field_open(k, &at, sealed.data, sealed.len, &t, &plain), PS_ERR_CRYPTO);
    ps_buf_free(&sealed);
    ps_buf_free(&plain);
    ps_key_free(k);
    ps_key_free(other);
}

static void test_field_is_sealed(void **state)
{
    static const struct {
        const char *v;
        bool want;
    } cases[] = {
        { "psf1:", false },
        { "psf1:abc", false },
        { "hello world", false },
        { "psf1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true },
        { "psf1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=A", false },
        { "psf2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false },
        { "psf1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAAA", false },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (ps_field_is_sealed(cases[i].v, strlen(cases[i].v)) != cases[i].want)
            fail_msg("case %zu: \"%s\"", i, cases[i].v);
    }
}

/* --- blind index, keys ---------------------------------------------------- */

static void test_blind_index(void **state)
{
    ps_key *k = key_of(21), *other = key_of(22);
    char a[PS_BIDX_SIZE], b[PS_BIDX_SIZE], c[PS_BIDX_SIZE], d[PS_BIDX_SIZE];

    (void)state;
    assert_int_equal(ps_blind_index(k, "Ann@Example.com", 15, a), PS_OK);
    assert_int_equal(ps_blind_index(k, "  ann@example.com\n", 18, b), PS_OK);
    assert_int_equal(ps_blind_index(k, "bob@example.com", 15, c), PS_OK);
    assert_int_equal(ps_blind_index(other, "ann@example.com", 15, d), PS_OK);
    assert_int_equal(strlen(a), 32);
    assert_string_equal(a, b);       /* deterministic after normalisation */
    assert_string_not_equal(a, c);   /* different address */
    assert_string_not_equal(a, d);   /* different key: useless without it */
    ps_key_free(k);
    ps_key_free(other);
}

static void test_subkeys_and_id(void **state)
{
    ps_key *k = key_of(31), *same = key_of(31), *other = key_of(32);
    const unsigned char *s[4];
    char id1[PS_KEY_ID_SIZE], id2[PS_KEY_ID_SIZE], id3[PS_KEY_ID_SIZE];

    (void)state;
    s[0] = ps_key_subkey(k, PS_SUBKEY_FIELD);
    s[1] = ps_key_subkey(k, PS_SUBKEY_BLIND_INDEX);
    s[2] = ps_key_subkey(k, PS_SUBKEY_FILE);
    s[3] = ps_key_subkey(k, PS_SUBKEY_MANIFEST);
    for (int i = 0; i < 4; i++) {
        for (int j = i + 1; j < 4; j++)
            assert_memory_not_equal(s[i], s[j], PS_KEY_BYTES);
    }
    assert_memory_equal(ps_key_subkey(same, PS_SUBKEY_FILE), s[2], PS_KEY_BYTES);
    assert_memory_not_equal(ps_key_subkey(other, PS_SUBKEY_FILE), s[2], PS_KEY_BYTES);
    ps_key_id(k, id1);
    ps_key_id(same, id2);
    ps_key_id(other, id3);
    assert_int_equal(strlen(id1), 16);
    assert_string_equal(id1, id2);
    assert_string_not_equal(id1, id3);
    ps_key_free(k);
    ps_key_free(same);
    ps_key_free(other);
}

static void test_key_parse(void **state)
{
    /* 32 bytes of 'A' (0x41) in base64 is "QUFB...QUE=" */
    static const char good[] = "plainsight-key-1 QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";
    static const struct {
        const char *text;
        ps_status want;
        const char *msg;
    } cases[] = {
        { good, PS_OK, NULL },
        { "plainsight-key-1 QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n", PS_OK, NULL },
        { "", PS_ERR_FORMAT, "not a plainsight key file" },
        { "plainsight-key-2 QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", PS_ERR_FORMAT, "not a plainsight key file" },
        { "plainsight-key-1QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", PS_ERR_FORMAT, "not a plainsight key file" },
        { "plainsight-key-1 QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQ==", PS_ERR_FORMAT, "not 32 bytes" },
        { "plainsight-key-1 QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", PS_ERR_FORMAT, "not 32 bytes" },
        { "plainsight-key-1 QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=x", PS_ERR_FORMAT, "not valid base64" },
        { "plainsight-key-1 QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n\n", PS_ERR_FORMAT, "not valid base64" },
        { "plainsight-key-1 !!!!", PS_ERR_FORMAT, "not valid base64" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ps_key *k = NULL;
        ps_diag d = { { 0 } };
        ps_status st = ps_key_parse(cases[i].text, strlen(cases[i].text), &k, &d);

        if (st != cases[i].want)
            fail_msg("case %zu: status %d, diag \"%s\"", i, (int)st, d.msg);
        if (cases[i].msg != NULL && strstr(d.msg, cases[i].msg) == NULL)
            fail_msg("case %zu: diag \"%s\"", i, d.msg);
        /* The diagnostic never quotes the key. */
        assert_null(strstr(d.msg, "QUFB"));
        assert_true((k != NULL) == (st == PS_OK));
        ps_key_free(k);
    }
}

static void test_key_save_load(void **state)
{
    char dir[128], path[PATH_MAX], text[128];
    ps_key *k = NULL, *k2 = NULL, *back = NULL;
    char id1[PS_KEY_ID_SIZE], id2[PS_KEY_ID_SIZE];
    ps_diag d = { { 0 } };
    struct stat sb;
    unsigned mode = 0;

    (void)state;
    assert_int_equal(ps_scratch_make(dir, sizeof(dir), "test_protect_key"), 0);
    snprintf(path, sizeof(path), "%s/k.key", dir);
    assert_int_equal(ps_key_generate(&k), PS_OK);
    assert_int_equal(ps_key_generate(&k2), PS_OK);
    assert_int_equal(ps_key_save(k, path, false, &d), PS_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    /* No overwrite without force. */
    assert_int_equal(ps_key_save(k2, path, false, &d), PS_ERR_IO);
    assert_non_null(strstr(d.msg, "--force"));
    assert_int_equal(ps_key_load(path, &back, &mode, &d), PS_OK);
    assert_int_equal(mode, 0600);
    ps_key_id(k, id1);
    ps_key_id(back, id2);
    assert_string_equal(id1, id2);
    ps_key_free(back);
    /* With force, replaced. */
    assert_int_equal(ps_key_save(k2, path, true, &d), PS_OK);
    assert_int_equal(ps_key_load(path, &back, NULL, &d), PS_OK);
    ps_key_id(k2, id1);
    ps_key_id(back, id2);
    assert_string_equal(id1, id2);
    assert_int_equal(ps_key_format(back, text, sizeof(text)), PS_OK);
    assert_int_equal(strncmp(text, "plainsight-key-1 ", 17), 0);
    assert_int_equal(text[strlen(text) - 1], '\n');
    ps_key_free(back);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    unlink(path);
    assert_int_equal(ps_key_load(path, &back, NULL, &d), PS_ERR_IO);
    assert_null(back);
    assert_int_equal(ps_scratch_remove(dir), 0);
    ps_key_free(k);
    ps_key_free(k2);
}

/* --- one-way hashing ------------------------------------------------------ */

static void test_pwhash_legacy(void **state)
{
    /* md5("password") and md5("sparkle42"), as the VTech-style table stores them */
    static const struct {
        const char *password, *md5;
    } vec[] = {
        { "password", "5f4dcc3b5aa765d61d8327deb882cf99" },
        { "123456", "e10adc3949ba59abbe56e057f20f883e" },
    };
    char h[PS_PWHASH_SIZE];

    (void)state;
    assert_int_equal(ps_pwhash_legacy(vec[0].md5, 32, h), PS_OK);
    assert_int_equal(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
    /* A login computes md5(input) and checks it against the wrapped hash. */
    assert_true(ps_pwhash_verify_legacy(h, vec[0].md5, 32));
    assert_true(ps_pwhash_verify_legacy(h, "5F4DCC3B5AA765D61D8327DEB882CF99", 32));
    assert_false(ps_pwhash_verify_legacy(h, vec[1].md5, 32));
    /* It is the digest that is wrapped, not the password itself. */
    assert_false(ps_pwhash_verify(h, vec[0].password, strlen(vec[0].password)));
    /* Salted: the same digest hashes differently each time. */
    {
        char h2[PS_PWHASH_SIZE];
        assert_int_equal(ps_pwhash_legacy(vec[0].md5, 32, h2), PS_OK);
        assert_string_not_equal(h, h2);
    }
}

static void test_pwhash_password_and_answer(void **state)
{
    char h[PS_PWHASH_SIZE];

    (void)state;
    assert_int_equal(ps_pwhash("sparkle42", 9, h), PS_OK);
    assert_int_equal(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
    assert_true(ps_pwhash_verify(h, "sparkle42", 9));
    assert_false(ps_pwhash_verify(h, "Sparkle42", 9));
    /* Answers are compared after normalisation: case and spaces do not matter. */
    assert_int_equal(ps_pwhash_answer("  Rex the Dog ", 14, h), PS_OK);
    assert_true(ps_pwhash_verify_answer(h, "rex the dog", 11));
    assert_true(ps_pwhash_verify_answer(h, "REX THE DOG\n", 12));
    assert_false(ps_pwhash_verify_answer(h, "rex", 3));
}

static void test_minimise(void **state)
{
    static const struct {
        const char *in, *ip, *year;
    } cases[] = {
        { "81.2.69.160", "81.2.69.0", NULL },
        { "10.1.2.3", "10.1.2.0", NULL },
        { "256.1.1.1", NULL, NULL },
        { "1.2.3", NULL, NULL },
        { "1.2.3.4.5", NULL, NULL },
        { "1.2.3.4 ", NULL, NULL },
        { "2009-05-01", NULL, "2009" },
        { "2009/05/01", NULL, "2009" },
        { "01.05.2009", NULL, NULL },
        { "2009", NULL, NULL },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char ip[16], year[5];
        bool got_ip = ps_minimise_ipv4(cases[i].in, strlen(cases[i].in), ip);
        bool got_year = ps_minimise_year(cases[i].in, strlen(cases[i].in), year);

        assert_int_equal(got_ip, cases[i].ip != NULL);
        if (got_ip)
            assert_string_equal(ip, cases[i].ip);
        assert_int_equal(got_year, cases[i].year != NULL);
        if (got_year)
            assert_string_equal(year, cases[i].year);
    }
}

/* --- a small database and a small tree ------------------------------------ */

/* The rule packs of the source tree (make check exports top_srcdir). */
static const char *rules_dir(char *buf, size_t n)
{
    const char *top = getenv("top_srcdir");
    const char *data = getenv("PS_TEST_DATA");

    if (top != NULL)
        snprintf(buf, n, "%s/rules", top);
    else if (data != NULL)
        snprintf(buf, n, "%s/../../rules", data);
    else
        snprintf(buf, n, "rules");
    return buf;
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void make_db(const char *path)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_sql(db,
        "CREATE TABLE parents(id INTEGER PRIMARY KEY, email TEXT, password TEXT,"
        " secret_question TEXT, secret_answer TEXT, first_name TEXT, country TEXT, score REAL,"
        " avatar BLOB);"
        "CREATE INDEX parents_country ON parents(country);"
        "INSERT INTO parents VALUES (1, 'ann@example.com', '5f4dcc3b5aa765d61d8327deb882cf99',"
        " 'First pet?', 'Rex', 'Ann', 'US', 1.5, x'ffd8ffe000104a464946');"
        "INSERT INTO parents VALUES (2, 'Bob@Example.org', 'e10adc3949ba59abbe56e057f20f883e',"
        " NULL, NULL, 'Zoé', 'FR', NULL, NULL);"
        "INSERT INTO parents VALUES (5, 'cy@example.net', '25d55ad283aa400af464c76d713c07ad',"
        " 'Maiden name?', 'Smith', 'Cy', 'fr', -2, NULL);"
        "CREATE TABLE kids(id INTEGER PRIMARY KEY, parent_id INTEGER, name TEXT, birthdate TEXT,"
        " password TEXT);"
        "INSERT INTO kids VALUES (1, 1, 'Emma', '2009-05-01', 'sparkle42');"
        "INSERT INTO kids VALUES (2, 5, 'Léo', '2011-01-20', 'dino7');");
    sqlite3_close(db);
}

static const ps_col_plan *find_col(const ps_db_plan *p, const char *table, const char *col)
{
    for (size_t i = 0; i < p->ntables; i++) {
        if (strcmp(p->tables[i].name, table) != 0)
            continue;
        for (size_t j = 0; j < p->tables[i].ncols; j++) {
            if (strcmp(p->tables[i].cols[j].name, col) == 0)
                return &p->tables[i].cols[j];
        }
    }
    fail_msg("no column %s.%s in the plan", table, col);
    return NULL;
}

typedef struct problems {
    size_t n;
    char last[1024];
} problems;

static void collect(void *ud, const char *msg)
{
    problems *p = ud;

    p->n++;
    snprintf(p->last, sizeof(p->last), "%s", msg);
}

/* Load the rules and compile them, or skip when the packs are not reachable. */
static bool load_rules(ps_ruleset **rs, ps_matcher **m)
{
    char rules[PATH_MAX];
    ps_diag d = { { 0 } };

    assert_int_equal(ps_ruleset_create(rs), PS_OK);
    if (ps_rules_load_path(*rs, rules_dir(rules, sizeof(rules)), &d) != PS_OK) {
        ps_ruleset_destroy(*rs);
        return false;
    }
    assert_int_equal(ps_matcher_create(*rs, m, &d), PS_OK);
    return true;
}

static void test_db_plan_protect_restore(void **state)
{
    static const struct {
        const char *table, *col;
        ps_col_mode mode;
        unsigned flags;
    } want[] = {
        { "parents", "id", PS_COL_KEEP, 0 },
        { "parents", "email", PS_COL_AEAD, PS_COL_BIDX },
        { "parents", "password", PS_COL_ARGON2ID_LEGACY, 0 },
        { "parents", "secret_question", PS_COL_AEAD, 0 },
        { "parents", "secret_answer", PS_COL_ARGON2ID_ANSWER, 0 },
        { "parents", "first_name", PS_COL_AEAD, 0 },
        { "parents", "country", PS_COL_KEEP, 0 },
        { "parents", "avatar", PS_COL_AEAD, 0 },
        { "kids", "name", PS_COL_AEAD, 0 },
        { "kids", "birthdate", PS_COL_AEAD, 0 },
        { "kids", "password", PS_COL_ARGON2ID, 0 },
    };
    char dir[128], src[256], dst[256], back[256];
    ps_ruleset *rs = NULL;
    ps_matcher *m = NULL;
    ps_db_plan plan;
    ps_key *k = key_of(41), *other = key_of(42);
    ps_diag d = { { 0 } };
    problems pr = { 0, { 0 } };
    sqlite3 *db;
    sqlite3_stmt *stmt;
    size_t np = 0;

    (void)state;
    if (!load_rules(&rs, &m))
        skip();
    assert_int_equal(ps_scratch_make(dir, sizeof(dir), "test_protect_db"), 0);
    snprintf(src, sizeof(src), "%s/src.sqlite", dir);
    snprintf(dst, sizeof(dst), "%s/dst.sqlite", dir);
    snprintf(back, sizeof(back), "%s/back.sqlite", dir);
    make_db(src);
    assert_int_equal(ps_db_plan_make(m, src, "db/x.sqlite", false, &plan, &d), PS_OK);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const ps_col_plan *c = find_col(&plan, want[i].table, want[i].col);
        if (c->mode != want[i].mode || c->flags != want[i].flags)
            fail_msg("%s.%s: mode %s flags %u", want[i].table, want[i].col,
                     ps_col_mode_name(c->mode), c->flags);
    }
    assert_int_equal(plan.tables[0].rows, 3);
    assert_int_equal(plan.nobjs, 1); /* the index */
    assert_int_equal(ps_db_protect(k, &plan, src, dst, 2, &d), PS_OK);

    /* No readable value left in a protected column; hashes are argon2id. */
    assert_int_equal(sqlite3_open(dst, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT email, password, first_name, email_bidx,"
                                            " country, typeof(avatar) FROM parents WHERE rowid = 5",
                                        -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(strncmp((const char *)sqlite3_column_text(stmt, 0), "psf1:", 5), 0);
    assert_int_equal(strncmp((const char *)sqlite3_column_text(stmt, 1), "$argon2id$", 10), 0);
    assert_int_equal(strncmp((const char *)sqlite3_column_text(stmt, 2), "psf1:", 5), 0);
    assert_int_equal(strlen((const char *)sqlite3_column_text(stmt, 3)), 32);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 4), "fr");
    assert_string_equal((const char *)sqlite3_column_text(stmt, 5), "null");
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    assert_int_equal(ps_db_verify(k, &plan, dst, collect, &pr, &np, &d), PS_OK);
    assert_int_equal(np, 0);
    assert_int_equal(ps_db_unprotect(k, &plan, dst, back, &d), PS_OK);
    /* Reversible values come back with their type; the _bidx column is gone. */
    assert_int_equal(sqlite3_open(back, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT email, first_name, typeof(score), score, hex(avatar), country,"
        " (SELECT count(*) FROM pragma_table_info('parents') WHERE name = 'email_bidx'),"
        " (SELECT count(*) FROM sqlite_master WHERE name = 'parents_country')"
        " FROM parents WHERE id = 1", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ann@example.com");
    assert_string_equal((const char *)sqlite3_column_text(stmt, 1), "Ann");
    assert_string_equal((const char *)sqlite3_column_text(stmt, 2), "real");
    assert_true(sqlite3_column_double(stmt, 3) == 1.5);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 4), "FFD8FFE000104A464946");
    assert_string_equal((const char *)sqlite3_column_text(stmt, 5), "US");
    assert_int_equal(sqlite3_column_int(stmt, 6), 0);
    assert_int_equal(sqlite3_column_int(stmt, 7), 1);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    unlink(back);

    /* Swap two sealed names between rows: both rows fail, by place. */
    assert_int_equal(sqlite3_open(dst, &db), SQLITE_OK);
    exec_sql(db, "CREATE TEMP TABLE s AS SELECT id, name FROM kids;"
                 "UPDATE kids SET name = (SELECT name FROM s WHERE s.id = 3 - kids.id)");
    sqlite3_close(db);
    np = 0;
    assert_int_equal(ps_db_verify(k, &plan, dst, collect, &pr, &np, &d), PS_OK);
    assert_int_equal(np, 2);
    assert_string_equal(pr.last, "db/x.sqlite: table kids column name row 2: authentication failed");
    assert_int_equal(ps_db_unprotect(k, &plan, dst, back, &d), PS_ERR_CRYPTO);
    assert_non_null(strstr(d.msg, "table kids column name row 1: authentication failed"));
    unlink(back);
    /* The wrong key fails every sealed field. */
    np = 0;
    assert_int_equal(ps_db_verify(other, &plan, dst, collect, &pr, &np, &d), PS_OK);
    assert_true(np > 5);

    ps_db_plan_free(&plan);
    assert_int_equal(ps_scratch_remove(dir), 0);
    ps_matcher_destroy(m);
    ps_ruleset_destroy(rs);
    ps_key_free(k);
    ps_key_free(other);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_tree_round_trip(void **state)
{
    char dir[128], p[PATH_MAX], src[256], dst[256];
    char back[256];
    char rules[PATH_MAX];
    ps_key *k = key_of(51), *other = key_of(52);
    ps_protect_opts o;
    ps_diag d = { { 0 } };
    problems pr = { 0, { 0 } };
    size_t np = 0;
    struct stat sb;
    FILE *f;
    char buf[64];

    (void)state;
    {
        ps_ruleset *rs;
        ps_matcher *m;
        if (!load_rules(&rs, &m))
            skip();
        ps_matcher_destroy(m);
        ps_ruleset_destroy(rs);
    }
    assert_int_equal(ps_scratch_make(dir, sizeof(dir), "test_protect_tree"), 0);
    snprintf(src, sizeof(src), "%s/src", dir);
    snprintf(dst, sizeof(dst), "%s/dst", dir);
    snprintf(back, sizeof(back), "%s/back", dir);
    assert_int_equal(mkdir(src, 0700), 0);
    snprintf(p, sizeof(p), "%s/logs", src);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/logs/app.log", src);
    write_file(p, "login ok user=ann@example.com ip=10.1.2.3\n");
    snprintf(p, sizeof(p), "%s/notes.txt", src);
    write_file(p, "");
    snprintf(p, sizeof(p), "%s/users.sqlite", src);
    make_db(p);
    /* WITHOUT ROWID cannot be sealed by rowid: this one is enveloped whole. */
    {
        sqlite3 *db;
        snprintf(p, sizeof(p), "%s/logs/w.sqlite", src);
        assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
        exec_sql(db, "CREATE TABLE t(email TEXT PRIMARY KEY, name TEXT) WITHOUT ROWID;"
                     "INSERT INTO t VALUES ('ann@example.com', 'Ann');");
        sqlite3_close(db);
    }

    memset(&o, 0, sizeof(o));
    o.rules_path = rules_dir(rules, sizeof(rules));
    o.threads = 2;
    /* A key inside the source is refused before anything is written. */
    snprintf(p, sizeof(p), "%s/notes.txt", src);
    assert_int_equal(ps_protect_tree(k, p, src, dst, &o, &d), PS_ERR_USAGE);
    assert_non_null(strstr(d.msg, "keep keys out of the data"));
    assert_int_equal(lstat(dst, &sb), -1);
    /* A destination inside the source is refused too. */
    snprintf(p, sizeof(p), "%s/inside", src);
    assert_int_equal(ps_protect_tree(k, NULL, src, p, &o, &d), PS_ERR_USAGE);

    assert_int_equal(ps_protect_tree(k, NULL, src, dst, &o, &d), PS_OK);
    assert_int_equal(stat(dst, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    snprintf(p, sizeof(p), "%s/logs/app.log.psenc", dst);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(p, sizeof(p), "%s/logs/w.sqlite.psenc", dst);
    assert_int_equal(stat(p, &sb), 0);
    snprintf(p, sizeof(p), "%s/users.sqlite", dst);
    assert_int_equal(stat(p, &sb), 0);
    /* Nothing is replaced without force. */
    assert_int_equal(ps_protect_tree(k, NULL, src, dst, &o, &d), PS_ERR_USAGE);
    assert_non_null(strstr(d.msg, "already exists"));

    assert_int_equal(ps_verify_tree(k, dst, collect, &pr, &np, &d), PS_OK);
    assert_int_equal(np, 0);
    assert_int_equal(ps_verify_tree(other, dst, collect, &pr, &np, &d), PS_ERR_CRYPTO);
    assert_non_null(strstr(d.msg, "this tree was protected with a different key"));

    assert_int_equal(ps_unprotect_tree(k, dst, back, false, NULL, NULL, &d), PS_OK);
    snprintf(p, sizeof(p), "%s/logs/app.log", back);
    f = fopen(p, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "login ok user=ann@example.com ip=10.1.2.3\n");
    {
        char a[PATH_MAX], b[PATH_MAX];
        size_t na, nb;
        unsigned char *da, *db;
        FILE *fa, *fb;

        snprintf(a, sizeof(a), "%s/logs/w.sqlite", src);
        snprintf(b, sizeof(b), "%s/logs/w.sqlite", back);
        fa = fopen(a, "rb");
        fb = fopen(b, "rb");
        assert_non_null(fa);
        assert_non_null(fb);
        da = slurp(fa, &na);
        db = slurp(fb, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(da, db, na);
        free(da);
        free(db);
        fclose(fa);
        fclose(fb);
    }

    /* Truncate the log's envelope: verify names it, unprotect refuses. */
    snprintf(p, sizeof(p), "%s/logs/app.log.psenc", dst);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(truncate(p, sb.st_size - 3), 0);
    np = 0;
    assert_int_equal(ps_verify_tree(k, dst, collect, &pr, &np, &d), PS_OK);
    assert_int_equal(np, 1);
    assert_string_equal(pr.last, "logs/app.log.psenc: truncated (no final chunk)");
    assert_int_equal(ps_unprotect_tree(k, dst, back, true, NULL, NULL, &d), PS_ERR_FORMAT);
    assert_string_equal(d.msg, "logs/app.log.psenc: truncated (no final chunk)");
    /* The earlier restore is still there, untouched by the failed one. */
    snprintf(p, sizeof(p), "%s/logs/app.log", back);
    assert_int_equal(stat(p, &sb), 0);

    /* A file nobody listed is reported. */
    snprintf(p, sizeof(p), "%s/extra.txt", dst);
    write_file(p, "x");
    np = 0;
    assert_int_equal(ps_verify_tree(k, dst, collect, &pr, &np, &d), PS_OK);
    assert_int_equal(np, 2);

    assert_int_equal(ps_scratch_remove(dir), 0);
    ps_key_free(k);
    ps_key_free(other);
}

static void test_manifest_tamper(void **state)
{
    char dir[128], p[PATH_MAX], src[256], dst[256];
    char rules[PATH_MAX];
    ps_key *k = key_of(61);
    ps_protect_opts o;
    ps_diag d = { { 0 } };
    problems pr = { 0, { 0 } };
    size_t np = 0;
    FILE *f;
    long size;
    char *text;

    (void)state;
    {
        ps_ruleset *rs;
        ps_matcher *m;
        if (!load_rules(&rs, &m))
            skip();
        ps_matcher_destroy(m);
        ps_ruleset_destroy(rs);
    }
    assert_int_equal(ps_scratch_make(dir, sizeof(dir), "test_protect_man"), 0);
    snprintf(src, sizeof(src), "%s/src", dir);
    snprintf(dst, sizeof(dst), "%s/dst", dir);
    assert_int_equal(mkdir(src, 0700), 0);
    snprintf(p, sizeof(p), "%s/users.sqlite", src);
    make_db(p);
    memset(&o, 0, sizeof(o));
    o.rules_path = rules_dir(rules, sizeof(rules));
    o.threads = 1;
    assert_int_equal(ps_protect_tree(k, NULL, src, dst, &o, &d), PS_OK);
    /* Mark a sealed column "keep": the MAC must catch it before anything trusts it. */
    snprintf(p, sizeof(p), "%s/%s", dst, PS_PROTECT_MANIFEST);
    f = fopen(p, "r");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    rewind(f);
    text = calloc((size_t)size + 16, 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    {
        char *at = strstr(text, "first_name\tTEXT\taead");
        assert_non_null(at);
        memcpy(at + strlen("first_name\tTEXT\t"), "keep", 4);
        memmove(at + strlen("first_name\tTEXT\tkeep"), at + strlen("first_name\tTEXT\taead"),
                strlen(at + strlen("first_name\tTEXT\taead")) + 1);
    }
    write_file(p, text);
    free(text);
    assert_int_equal(ps_verify_tree(k, dst, collect, &pr, &np, &d), PS_ERR_CRYPTO);
    assert_string_equal(d.msg, ".plainsight-protect: authentication failed");
    snprintf(p, sizeof(p), "%s/back", dir);
    assert_int_equal(ps_unprotect_tree(k, dst, p, false, NULL, NULL, &d), PS_ERR_CRYPTO);
    assert_int_equal(ps_scratch_remove(dir), 0);
    ps_key_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_round_trip),
        cmocka_unit_test(test_envelope_tamper),
        cmocka_unit_test(test_envelope_truncated_and_trailing),
        cmocka_unit_test(test_envelope_wrong_key_and_path),
        cmocka_unit_test(test_envelope_chunk_reorder),
        cmocka_unit_test(test_field_round_trip),
        cmocka_unit_test(test_field_moved),
        cmocka_unit_test(test_field_is_sealed),
        cmocka_unit_test(test_blind_index),
        cmocka_unit_test(test_subkeys_and_id),
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_key_save_load),
        cmocka_unit_test(test_pwhash_legacy),
        cmocka_unit_test(test_pwhash_password_and_answer),
        cmocka_unit_test(test_minimise),
        cmocka_unit_test(test_db_plan_protect_restore),
        cmocka_unit_test(test_tree_round_trip),
        cmocka_unit_test(test_manifest_tamper),
    };

    if (ps_protect_init() != PS_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}

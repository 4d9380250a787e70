/*
 * test_nonce.c - where nonce.c finds a ciphertext file's nonce (from the
 * sniffed head), and which files of a scan share one.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "nonce.h"
#include "sniff.h"

/* Deterministic pseudo-random bytes (splitmix64), as in test_sniff.c. */
static void fill_random(unsigned char *buf, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        buf[i] = (unsigned char)(z ^ (z >> 31));
    }
}

/* Sniff buf and take its nonce. */
static bool nonce_of(const unsigned char *buf, size_t n, const char *name,
                     unsigned char out[PS_NONCE_BYTES])
{
    ps_sniff s = ps_sniff_buffer(buf, n, name, n);

    return ps_nonce_of(buf, n, &s, out);
}

static void test_nonce_of(void **state)
{
    unsigned char buf[256], nonce[PS_NONCE_BYTES];
    ps_sniff s;

    (void)state;
    /* unknown ciphertext: bytes 0..23 */
    fill_random(buf, sizeof(buf), 60);
    assert_true(nonce_of(buf, sizeof(buf), "a.enc", nonce));
    assert_memory_equal(nonce, buf, PS_NONCE_BYTES);
    /* the smallest that counts: 24 bytes of nonce and 16 after */
    assert_true(nonce_of(buf, 40, "a.enc", nonce));
    assert_false(nonce_of(buf, 39, "a.enc", nonce));
    /* a 32-byte key file is not a nonce and ciphertext */
    assert_false(nonce_of(buf, 32, "media.key", nonce));

    /* the plainsight envelope: the secretstream header after magic, version, kind */
    memcpy(buf, PS_ENVELOPE_MAGIC "\x01\x01", 10);
    assert_true(nonce_of(buf, sizeof(buf), "a.psenc", nonce));
    assert_memory_equal(nonce, buf + 10, PS_NONCE_BYTES);
    assert_true(nonce_of(buf, 10 + 24 + 16, "a.psenc", nonce));
    assert_false(nonce_of(buf, 10 + 24 + 15, "a.psenc", nonce));
    /* an envelope version we do not know: no guessing */
    buf[8] = 2;
    assert_false(nonce_of(buf, sizeof(buf), "a.psenc", nonce));
    buf[8] = 1;

    /* OpenSSL: the 8 bytes after "Salted__" are a salt, not a nonce */
    memcpy(buf, "Salted__", 8);
    assert_false(nonce_of(buf, sizeof(buf), "a.enc", nonce));

    /* SQLCipher: a KDF salt, and per-page IVs */
    {
        unsigned char page[4096];

        fill_random(page, sizeof(page), 61);
        s = ps_sniff_buffer(page, sizeof(page), "users.db", 8192);
        assert_int_equal(s.cipher, PS_CIPHER_SQLCIPHER);
        assert_false(ps_nonce_of(page, sizeof(page), &s, nonce));
        s = ps_sniff_buffer(page, sizeof(page), "users.bin", 8192);
        assert_true(ps_nonce_of(page, sizeof(page), &s, nonce));
    }

    /* not ciphertext at all */
    assert_false(nonce_of((const unsigned char *)"hello there, this is a note with some words\n",
                          44, "n.txt", nonce));
    memset(&s, 0, sizeof(s));
    assert_false(ps_nonce_of(buf, sizeof(buf), &s, nonce));
    assert_false(ps_nonce_of(NULL, 0, &s, nonce));
    assert_false(ps_nonce_of(buf, sizeof(buf), NULL, nonce));
}

static void set_nonce(unsigned char *n, unsigned char v)
{
    memset(n, 0xA5, PS_NONCE_BYTES);
    n[PS_NONCE_BYTES - 1] = v; /* differ in the last byte only: the whole nonce counts */
}

static void test_nonce_index(void **state)
{
    unsigned char nonces[8][PS_NONCE_BYTES];
    bool has[8], reused[8];

    (void)state;
    /* files 0, 3 and 6 share a nonce; 2 and 7 share one, but 7 has none */
    set_nonce(nonces[0], 1);
    set_nonce(nonces[1], 2);
    set_nonce(nonces[2], 3);
    set_nonce(nonces[3], 1);
    set_nonce(nonces[4], 4);
    set_nonce(nonces[5], 5);
    set_nonce(nonces[6], 1);
    set_nonce(nonces[7], 3);
    for (size_t i = 0; i < 8; i++)
        has[i] = true;
    has[7] = false;
    memset(reused, 1, sizeof(reused));
    assert_int_equal(ps_nonce_index((const unsigned char (*)[PS_NONCE_BYTES])nonces, has, 8,
                                    reused), PS_OK);
    {
        static const bool want[8] = {true, false, false, true, false, false, true, false};

        for (size_t i = 0; i < 8; i++) {
            print_message("file %zu\n", i);
            assert_int_equal(reused[i], want[i]);
        }
    }
    /* every nonce distinct: nothing is reused */
    for (size_t i = 0; i < 8; i++) {
        set_nonce(nonces[i], (unsigned char)(10 + i));
        has[i] = true;
    }
    assert_int_equal(ps_nonce_index((const unsigned char (*)[PS_NONCE_BYTES])nonces, has, 8,
                                    reused), PS_OK);
    for (size_t i = 0; i < 8; i++)
        assert_false(reused[i]);
    /* one file alone, and no files */
    assert_int_equal(ps_nonce_index((const unsigned char (*)[PS_NONCE_BYTES])nonces, has, 1,
                                    reused), PS_OK);
    assert_false(reused[0]);
    assert_int_equal(ps_nonce_index(NULL, NULL, 0, NULL), PS_OK);
}

/* The pipeline as scan.c runs it: sniff each head, take nonces, index them. */
static void test_nonce_files(void **state)
{
    enum { NF = 5, SZ = 512 };
    unsigned char files[NF][SZ], nonces[NF][PS_NONCE_BYTES];
    bool has[NF], reused[NF];

    (void)state;
    for (size_t i = 0; i < NF; i++)
        fill_random(files[i], SZ, 70 + i);
    /* two envelopes with one secretstream header */
    memcpy(files[0], PS_ENVELOPE_MAGIC "\x01\x01", 10);
    memcpy(files[1], PS_ENVELOPE_MAGIC "\x01\x01", 10);
    memcpy(files[1] + 10, files[0] + 10, PS_NONCE_BYTES);
    /* an OpenSSL file whose salt and first block open a raw file: not compared */
    memcpy(files[2], "Salted__", 8);
    memcpy(files[3], files[2] + 8, PS_NONCE_BYTES);
    for (size_t i = 0; i < NF; i++) {
        ps_sniff s = ps_sniff_buffer(files[i], SZ, "f.enc", SZ);

        has[i] = ps_nonce_of(files[i], SZ, &s, nonces[i]);
    }
    assert_true(has[0] && has[1] && !has[2] && has[3] && has[4]);
    assert_int_equal(ps_nonce_index((const unsigned char (*)[PS_NONCE_BYTES])nonces, has, NF,
                                    reused), PS_OK);
    assert_true(reused[0]);
    assert_true(reused[1]);
    assert_false(reused[2]);
    assert_false(reused[3]);
    assert_false(reused[4]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonce_of),
        cmocka_unit_test(test_nonce_index),
        cmocka_unit_test(test_nonce_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

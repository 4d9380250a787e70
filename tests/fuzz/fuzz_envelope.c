/*
 * fuzz_envelope.c - the remediation's decryptors (protect.c): file
 * envelopes and sealed database fields, under a fixed test key.
 *
 * Random bytes cannot get past authentication, so the first input byte
 * picks one of four modes, two of which build valid ciphertext first:
 *
 *   0  open the rest as an envelope           (header, versions, chunk lengths)
 *   1  seal the rest, check that it opens to the same bytes, then flip one
 *      byte (chosen by the input) and open again
 *   2  open the rest as a sealed field        (prefix, base64url, lengths)
 *   3  seal the rest as a field of a type chosen by the input's size (an
 *      8-byte number made of its first bytes, text or blob), check the
 *      round trip, then flip one character and open again
 *
 * The property checked is the one that matters: nothing opens to a
 * plaintext other than the one sealed.  A tampered envelope or field may
 * only fail, or (if the flip was undone by the encoding) open to exactly
 * the original.  In mode 1 the plaintext is made longer than one chunk
 * (up to three chunks, or an exact multiple) when the second byte says so.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "protect.h"
#include "util.h"

#define REL_PATH "media/photo-0001.jpg"
/* Sealed fields of fuzzer-sized values stay far below this. */
#define FIELD_MAX (1u << 20)

/* The key is made once: sodium_malloc'd and derived, it is too slow to make per input. */
static const ps_key *test_key(void)
{
    static ps_key *key;
    static const unsigned char master[PS_KEY_BYTES] = {
        0x70, 0x6c, 0x61, 0x69, 0x6e, 0x73, 0x69, 0x67, 0x68, 0x74, 0x2d, 0x66,
        0x75, 0x7a, 0x7a, 0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x30, 0x31, 0x32, 0x33,
        0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62,
    };

    if (key == NULL) {
        if (ps_protect_init() != PS_OK || ps_key_from_bytes(master, &key) != PS_OK)
            ps_fuzz_check(false, "libsodium or the test key could not be set up");
    }
    return key;
}

/* The whole content of fd into out (a fresh ps_buf); false on a read error. */
static bool slurp_fd(int fd, ps_buf *out)
{
    char chunk[4096];

    if (lseek(fd, 0, SEEK_SET) != 0)
        return false;
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));

        if (r < 0)
            return false;
        if (r == 0)
            return true;
        if (ps_buf_append(out, chunk, (size_t)r) != PS_OK)
            return false;
    }
}

/*
 * Open the envelope in in_fd.  Returns the status; when it is PS_OK the
 * plaintext is checked against want[0..nwant) (want NULL: anything goes).
 */
static ps_status open_envelope(int in_fd, const uint8_t *want, size_t nwant)
{
    char path[128];
    ps_diag diag;
    ps_status st;
    int out_fd;

    /* The opener reads from the current offset; a freshly sealed fd is at its end. */
    if (lseek(in_fd, 0, SEEK_SET) != 0 ||
        ps_fuzz_file(NULL, 0, &out_fd, path, sizeof(path)) != PS_OK)
        return PS_ERR_IO;
    diag.msg[0] = '\0';
    st = ps_envelope_open(test_key(), REL_PATH, in_fd, out_fd, &diag);
    if (st != PS_OK) {
        ps_fuzz_check(st == PS_ERR_FORMAT || st == PS_ERR_CRYPTO,
                      "ps_envelope_open: a status other than FORMAT or CRYPTO");
        ps_fuzz_check(diag.msg[0] != '\0' && strchr(diag.msg, '\n') == NULL,
                      "ps_envelope_open: no one-line diagnostic");
    } else if (want != NULL) {
        ps_buf got;

        ps_buf_init(&got, nwant + 1);
        ps_fuzz_check(slurp_fd(out_fd, &got), "envelope plaintext larger than what was sealed");
        ps_fuzz_check(got.len == nwant && (nwant == 0 || memcmp(got.data, want, nwant) == 0),
                      "an envelope opened to a plaintext other than the one sealed");
        ps_buf_free(&got);
    }
    ps_fuzz_file_close(out_fd, path);
    return st;
}

static void mode_open_envelope(const uint8_t *data, size_t size)
{
    char path[128];
    int fd;

    if (ps_fuzz_file(data, size, &fd, path, sizeof(path)) != PS_OK)
        return;
    (void)open_envelope(fd, NULL, 0);
    ps_fuzz_file_close(fd, path);
}

static void mode_seal_envelope(const uint8_t *data, size_t size)
{
    char in_path[128], env_path[128];
    uint8_t *pt = NULL;
    size_t npt = size > 1 ? size - 1 : 0, i;
    ps_buf env;
    ps_diag diag;
    int in_fd = -1, env_fd = -1;

    /* Past one chunk: 1..3 chunks plus the rest, or an exact multiple when empty. */
    if (size > 0 && (data[0] & 0x80))
        npt = (size_t)(1 + data[0] % 3) * PS_PROTECT_CHUNK + (size > 1 ? size - 1 : 0);
    pt = malloc(npt > 0 ? npt : 1);
    if (pt == NULL)
        return;
    for (i = 0; i < npt; i++)
        pt[i] = size > 1 ? data[1 + i % (size - 1)] : 0;
    ps_buf_init(&env, npt + 4 * PS_PROTECT_CHUNK);
    if (ps_fuzz_file(pt, npt, &in_fd, in_path, sizeof(in_path)) != PS_OK ||
        ps_fuzz_file(NULL, 0, &env_fd, env_path, sizeof(env_path)) != PS_OK)
        goto done;
    diag.msg[0] = '\0';
    ps_fuzz_check(ps_envelope_seal(test_key(), REL_PATH, in_fd, env_fd, &diag) == PS_OK,
                  "ps_envelope_seal failed on a memfd");
    ps_fuzz_check(open_envelope(env_fd, pt, npt) == PS_OK, "a sealed envelope does not open");
    ps_fuzz_check(slurp_fd(env_fd, &env) && env.len > 0, "sealed envelope unreadable");
    ps_fuzz_file_close(env_fd, env_path);
    env_fd = -1;
    {
        /* Flip one byte, anywhere: the position comes from the input. */
        size_t at = 0, k;
        int t_fd;
        char t_path[128];

        for (k = 0; k < size; k++)
            at = at * 131u + data[k];
        at %= env.len;
        env.data[at] ^= (char)(1u << (size % 8));
        if (ps_fuzz_file((const uint8_t *)env.data, env.len, &t_fd, t_path, sizeof(t_path)) ==
            PS_OK) {
            ps_fuzz_check(open_envelope(t_fd, pt, npt) != PS_OK,
                          "a tampered envelope opened");
            ps_fuzz_file_close(t_fd, t_path);
        }
    }
done:
    ps_fuzz_file_close(in_fd, in_path);
    if (env_fd >= 0)
        ps_fuzz_file_close(env_fd, env_path);
    ps_buf_free(&env);
    free(pt);
}

static const ps_field_place place = {"parents", "email", 42};

static void mode_open_field(const uint8_t *data, size_t size)
{
    ps_field_type t = PS_FIELD_TEXT;
    ps_buf out;
    ps_status st;

    ps_buf_init(&out, FIELD_MAX);
    st = ps_field_open(test_key(), &place, (const char *)data, size, &t, &out);
    ps_fuzz_check(st == PS_ERR_FORMAT || st == PS_ERR_CRYPTO,
                  "ps_field_open accepted a field nobody sealed");
    ps_buf_free(&out);
}

static void mode_seal_field(const uint8_t *data, size_t size)
{
    static const ps_field_type types[] = {PS_FIELD_INTEGER, PS_FIELD_REAL, PS_FIELD_TEXT,
                                          PS_FIELD_BLOB};
    ps_field_type t = types[size % 4], got_t = 0;
    uint8_t num[8];
    ps_buf sealed, out;
    ps_status st;

    /* Numbers are 8 bytes (protect.h), and ps_field_open holds them to it. */
    if (t == PS_FIELD_INTEGER || t == PS_FIELD_REAL) {
        memset(num, 0, sizeof(num));
        memcpy(num, data, size < sizeof(num) ? size : sizeof(num));
        data = num;
        size = sizeof(num);
    }
    ps_buf_init(&sealed, FIELD_MAX);
    ps_buf_init(&out, FIELD_MAX);
    ps_fuzz_check(ps_field_seal(test_key(), &place, t, data, size, &sealed) == PS_OK,
                  "ps_field_seal failed");
    ps_fuzz_check(ps_field_is_sealed(sealed.data, sealed.len),
                  "ps_field_is_sealed does not recognise a sealed field");
    st = ps_field_open(test_key(), &place, sealed.data, sealed.len, &got_t, &out);
    ps_fuzz_check(st == PS_OK && got_t == t && out.len == size &&
                      (size == 0 || memcmp(out.data, data, size) == 0),
                  "a sealed field does not open to what was sealed");
    if (sealed.len > 0) {
        size_t at = (size * 7919u + (size > 0 ? data[0] : 0)) % sealed.len;

        sealed.data[at] = sealed.data[at] == 'A' ? 'B' : 'A';
        ps_buf_reset(&out);
        st = ps_field_open(test_key(), &place, sealed.data, sealed.len, &got_t, &out);
        ps_fuzz_check(st != PS_OK || (out.len == size && (size == 0 ||
                                                          memcmp(out.data, data, size) == 0)),
                      "a tampered field opened to another plaintext");
    }
    ps_buf_free(&sealed);
    ps_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] & 0x3) {
    case 0:
        mode_open_envelope(data + 1, size - 1);
        break;
    case 1:
        mode_seal_envelope(data + 1, size - 1);
        break;
    case 2:
        mode_open_field(data + 1, size - 1);
        break;
    default:
        mode_seal_field(data + 1, size - 1);
        break;
    }
    return 0;
}

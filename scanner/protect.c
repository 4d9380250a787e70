/*
 * protect.c - the cryptographic primitives of `plainsight protect`: keys and
 * key files, file envelopes (secretstream), sealed fields (AEAD), blind
 * indexes, password hashing and minimisation.
 *
 * Every primitive is libsodium's; this file only fixes formats and binds
 * context (paths, cells) as additional data so that ciphertext cannot be
 * moved around unnoticed.  The tree and database logic built on top lives
 * in protect_tree.c and protect_db.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "protect.h"
#include "sniff.h"
#include "util.h"

/* crypto_kdf context: exactly crypto_kdf_CONTEXTBYTES (8) characters. */
#define KDF_CONTEXT "plnsight"
#define NSUBKEYS 4
/* Magic + version + kind + secretstream header. */
#define ENV_HEAD_LEN (PS_ENVELOPE_MAGIC_LEN + 2 + crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define ENV_CT_MAX (PS_PROTECT_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)
/* A key file is one short line; anything much longer is not one. */
#define KEY_FILE_MAX 256

/*
 * The whole key lives in one sodium_malloc'd block: guard pages around it,
 * locked in memory, wiped on free, and read-only once derived.
 */
struct ps_key {
    unsigned char master[PS_KEY_BYTES];
    unsigned char sub[NSUBKEYS][PS_KEY_BYTES];
};

ps_status ps_protect_init(void)
{
    return sodium_init() < 0 ? PS_ERR_CRYPTO : PS_OK;
}

/* --- keys ----------------------------------------------------------------- */

ps_status ps_key_from_bytes(const unsigned char master[PS_KEY_BYTES], ps_key **out)
{
    ps_key *k;

    *out = NULL;
    if (sodium_init() < 0)
        return PS_ERR_CRYPTO;
    k = sodium_malloc(sizeof(*k));
    if (k == NULL)
        return PS_ERR_NOMEM;
    memcpy(k->master, master, PS_KEY_BYTES);
    for (int i = 0; i < NSUBKEYS; i++) {
        if (crypto_kdf_derive_from_key(k->sub[i], PS_KEY_BYTES, (uint64_t)(i + 1),
                                       KDF_CONTEXT, k->master) != 0) {
            sodium_free(k);
            return PS_ERR_CRYPTO;
        }
    }
    /* From here on a stray write into key material faults instead of corrupting it. */
    sodium_mprotect_readonly(k);
    *out = k;
    return PS_OK;
}

ps_status ps_key_generate(ps_key **out)
{
    unsigned char raw[PS_KEY_BYTES];
    ps_status st;

    *out = NULL;
    if (sodium_init() < 0)
        return PS_ERR_CRYPTO;
    randombytes_buf(raw, sizeof(raw));
    st = ps_key_from_bytes(raw, out);
    sodium_memzero(raw, sizeof(raw));
    return st;
}

void ps_key_free(ps_key *k)
{
    if (k != NULL)
        sodium_free(k); /* wipes and unlocks */
}

const unsigned char *ps_key_subkey(const ps_key *k, ps_subkey id)
{
    return k->sub[(int)id - 1];
}

void ps_key_id(const ps_key *k, char out[PS_KEY_ID_SIZE])
{
    static const char label[] = "plainsight key id";
    unsigned char h[crypto_generichash_BYTES];

    crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1,
                       k->master, PS_KEY_BYTES);
    sodium_bin2hex(out, PS_KEY_ID_SIZE, h, 8);
}

ps_status ps_key_format(const ps_key *k, char *out, size_t outsize)
{
    size_t tag = sizeof(PS_KEY_FILE_TAG) - 1;
    size_t b64 = sodium_base64_ENCODED_LEN(PS_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);

    if (outsize < tag + 1 + b64 + 1)
        return PS_ERR_LIMIT;
    memcpy(out, PS_KEY_FILE_TAG " ", tag + 1);
    sodium_bin2base64(out + tag + 1, b64, k->master, PS_KEY_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
    /* b64 counts the NUL: replace it by the newline and terminate after. */
    out[tag + b64] = '\n';
    out[tag + b64 + 1] = '\0';
    return PS_OK;
}

ps_status ps_key_parse(const char *text, size_t n, ps_key **out, ps_diag *diag)
{
    size_t tag = sizeof(PS_KEY_FILE_TAG) - 1, bin_len = 0;
    const char *end = NULL;
    unsigned char raw[PS_KEY_BYTES + 1];
    ps_status st;

    *out = NULL;
    if (n > 0 && text[n - 1] == '\n')
        n--;
    if (n < tag + 1 || memcmp(text, PS_KEY_FILE_TAG, tag) != 0 || text[tag] != ' ') {
        ps_diag_set(diag, "not a plainsight key file (expected \"%s <base64>\"; "
                          "make one with 'plainsight keygen')", PS_KEY_FILE_TAG);
        return PS_ERR_FORMAT;
    }
    /* One byte of slack in raw makes an over-long key fail as "not 32 bytes". */
    if (sodium_base642bin(raw, sizeof(raw), text + tag + 1, n - tag - 1, NULL,
                          &bin_len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text + n) {
        sodium_memzero(raw, sizeof(raw));
        ps_diag_set(diag, "key file: the key is not valid base64");
        return PS_ERR_FORMAT;
    }
    if (bin_len != PS_KEY_BYTES) {
        sodium_memzero(raw, sizeof(raw));
        ps_diag_set(diag, "key file: the key is not %d bytes", PS_KEY_BYTES);
        return PS_ERR_FORMAT;
    }
    st = ps_key_from_bytes(raw, out);
    sodium_memzero(raw, sizeof(raw));
    if (st != PS_OK)
        ps_diag_set(diag, "key file: %s", ps_strerror(st));
    return st;
}

/* write(2) all of p, retrying short writes and EINTR. */
static int write_all(int fd, const void *p, size_t n)
{
    const unsigned char *s = p;

    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* read(2) until n bytes or end of file; *got tells which. */
static int read_full(int fd, void *p, size_t n, size_t *got)
{
    unsigned char *d = p;

    *got = 0;
    while (*got < n) {
        ssize_t r = read(fd, d + *got, n - *got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return 0;
}

/* Write the key text to a new file; fsync before the name is trusted. */
static ps_status key_write_new(const char *path, const char *text, ps_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (fd < 0) {
        ps_diag_set(diag, "%s: %s%s", path, strerror(errno),
                    errno == EEXIST ? " (use --force to replace it)" : "");
        return PS_ERR_IO;
    }
    /* 0600 whatever the umask said: the key must not be readable by others. */
    if (fchmod(fd, 0600) != 0 || write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return PS_ERR_IO;
    }
    if (close(fd) != 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        unlink(path);
        return PS_ERR_IO;
    }
    return PS_OK;
}

ps_status ps_key_save(const ps_key *k, const char *path, bool force, ps_diag *diag)
{
    char text[128];
    ps_buf tmp;
    ps_status st;

    st = ps_key_format(k, text, sizeof(text));
    if (st != PS_OK)
        return st;
    if (!force) {
        st = key_write_new(path, text, diag);
        sodium_memzero(text, sizeof(text));
        return st;
    }
    /* --force: write a sibling, then rename over the old key in one step. */
    ps_buf_init(&tmp, PATH_MAX + 32);
    st = ps_buf_printf(&tmp, "%s.tmp-%08x", path, randombytes_random());
    if (st == PS_OK)
        st = key_write_new(ps_buf_cstr(&tmp), text, diag);
    sodium_memzero(text, sizeof(text));
    if (st == PS_OK && rename(ps_buf_cstr(&tmp), path) != 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        unlink(ps_buf_cstr(&tmp));
        st = PS_ERR_IO;
    }
    if (st == PS_ERR_LIMIT)
        ps_diag_set(diag, "%s: path too long", path);
    ps_buf_free(&tmp);
    return st;
}

ps_status ps_key_load(const char *path, ps_key **out, unsigned *mode, ps_diag *diag)
{
    char text[KEY_FILE_MAX + 1];
    struct stat sb;
    size_t got = 0;
    ps_status st;
    int fd;

    *out = NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        return PS_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ps_diag_set(diag, "%s: not a regular file", path);
        close(fd);
        return PS_ERR_IO;
    }
    if (mode != NULL)
        *mode = (unsigned)(sb.st_mode & 07777);
    if (read_full(fd, text, sizeof(text), &got) != 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        close(fd);
        return PS_ERR_IO;
    }
    close(fd);
    if (got > KEY_FILE_MAX) {
        sodium_memzero(text, sizeof(text));
        ps_diag_set(diag, "%s: not a plainsight key file (too long)", path);
        return PS_ERR_FORMAT;
    }
    st = ps_key_parse(text, got, out, diag);
    sodium_memzero(text, sizeof(text));
    if (st != PS_OK) {
        ps_diag d = *diag;
        ps_diag_set(diag, "%s: %s", path, d.msg);
    }
    return st;
}

/* --- envelopes ------------------------------------------------------------ */

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

ps_status ps_envelope_seal(const ps_key *k, const char *rel_path, int in_fd,
                           int out_fd, ps_diag *diag)
{
    crypto_secretstream_xchacha20poly1305_state state;
    unsigned char head[ENV_HEAD_LEN];
    unsigned char *pt = NULL, *ct = NULL;
    ps_status st = PS_OK;
    bool first = true, last = false;

    pt = malloc(PS_PROTECT_CHUNK);
    ct = malloc(4 + ENV_CT_MAX);
    if (pt == NULL || ct == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    memcpy(head, PS_ENVELOPE_MAGIC, PS_ENVELOPE_MAGIC_LEN);
    head[PS_ENVELOPE_MAGIC_LEN] = PS_ENVELOPE_VERSION;
    head[PS_ENVELOPE_MAGIC_LEN + 1] = PS_ENVELOPE_KIND_FILE;
    crypto_secretstream_xchacha20poly1305_init_push(&state, head + PS_ENVELOPE_MAGIC_LEN + 2,
                                                    ps_key_subkey(k, PS_SUBKEY_FILE));
    if (write_all(out_fd, head, sizeof(head)) != 0) {
        ps_diag_set(diag, "write: %s", strerror(errno));
        st = PS_ERR_IO;
        goto done;
    }
    /*
     * A short read means end of file, so that chunk is the last one; a file
     * whose size is a multiple of the chunk size ends with an empty final
     * chunk.  Either way FINAL marks the true end.
     */
    while (!last) {
        size_t got;
        unsigned long long clen;
        const unsigned char *ad = first ? (const unsigned char *)rel_path : NULL;
        size_t adlen = first ? strlen(rel_path) : 0;

        if (read_full(in_fd, pt, PS_PROTECT_CHUNK, &got) != 0) {
            ps_diag_set(diag, "read: %s", strerror(errno));
            st = PS_ERR_IO;
            goto done;
        }
        last = got < PS_PROTECT_CHUNK;
        crypto_secretstream_xchacha20poly1305_push(&state, ct + 4, &clen, pt, got, ad, adlen,
                last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        put_be32(ct, (uint32_t)clen);
        if (write_all(out_fd, ct, 4 + (size_t)clen) != 0) {
            ps_diag_set(diag, "write: %s", strerror(errno));
            st = PS_ERR_IO;
            goto done;
        }
        first = false;
    }
done:
    sodium_memzero(&state, sizeof(state));
    if (pt != NULL)
        sodium_memzero(pt, PS_PROTECT_CHUNK);
    free(pt);
    free(ct);
    return st;
}

ps_status ps_envelope_open(const ps_key *k, const char *rel_path, int in_fd,
                           int out_fd, ps_diag *diag)
{
    crypto_secretstream_xchacha20poly1305_state state;
    unsigned char head[ENV_HEAD_LEN], lenbuf[4], extra;
    unsigned char *pt = NULL, *ct = NULL;
    ps_status st = PS_OK;
    uint64_t chunk = 0;
    size_t got;

    pt = malloc(PS_PROTECT_CHUNK);
    ct = malloc(ENV_CT_MAX);
    if (pt == NULL || ct == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    if (read_full(in_fd, head, sizeof(head), &got) != 0)
        goto io;
    if (got < PS_ENVELOPE_MAGIC_LEN + 2 ||
        memcmp(head, PS_ENVELOPE_MAGIC, PS_ENVELOPE_MAGIC_LEN) != 0) {
        ps_diag_set(diag, "not a plainsight envelope");
        st = PS_ERR_FORMAT;
        goto done;
    }
    if (head[PS_ENVELOPE_MAGIC_LEN] != PS_ENVELOPE_VERSION ||
        head[PS_ENVELOPE_MAGIC_LEN + 1] != PS_ENVELOPE_KIND_FILE) {
        ps_diag_set(diag, "unsupported envelope version %u kind %u",
                    head[PS_ENVELOPE_MAGIC_LEN], head[PS_ENVELOPE_MAGIC_LEN + 1]);
        st = PS_ERR_FORMAT;
        goto done;
    }
    if (got < sizeof(head)) {
        ps_diag_set(diag, "truncated (no final chunk)");
        st = PS_ERR_FORMAT;
        goto done;
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state, head + PS_ENVELOPE_MAGIC_LEN + 2,
                                                        ps_key_subkey(k, PS_SUBKEY_FILE)) != 0) {
        ps_diag_set(diag, "chunk 1: authentication failed");
        st = PS_ERR_CRYPTO;
        goto done;
    }
    for (;;) {
        unsigned long long plen;
        unsigned char tag;
        uint32_t clen;
        const unsigned char *ad = chunk == 0 ? (const unsigned char *)rel_path : NULL;
        size_t adlen = chunk == 0 ? strlen(rel_path) : 0;

        chunk++;
        if (read_full(in_fd, lenbuf, 4, &got) != 0)
            goto io;
        if (got < 4) {
            ps_diag_set(diag, "truncated (no final chunk)");
            st = PS_ERR_FORMAT;
            goto done;
        }
        clen = get_be32(lenbuf);
        if (clen < crypto_secretstream_xchacha20poly1305_ABYTES || clen > ENV_CT_MAX) {
            ps_diag_set(diag, "chunk %llu: bad length", (unsigned long long)chunk);
            st = PS_ERR_FORMAT;
            goto done;
        }
        if (read_full(in_fd, ct, clen, &got) != 0)
            goto io;
        if (got < clen) {
            ps_diag_set(diag, "truncated (no final chunk)");
            st = PS_ERR_FORMAT;
            goto done;
        }
        if (crypto_secretstream_xchacha20poly1305_pull(&state, pt, &plen, &tag, ct, clen,
                                                       ad, adlen) != 0) {
            ps_diag_set(diag, "chunk %llu: authentication failed", (unsigned long long)chunk);
            st = PS_ERR_CRYPTO;
            goto done;
        }
        if (out_fd >= 0 && write_all(out_fd, pt, (size_t)plen) != 0) {
            ps_diag_set(diag, "write: %s", strerror(errno));
            st = PS_ERR_IO;
            goto done;
        }
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
            break;
    }
    /* Bytes after FINAL were not authenticated: refuse them, do not ignore them. */
    if (read_full(in_fd, &extra, 1, &got) != 0)
        goto io;
    if (got != 0) {
        ps_diag_set(diag, "data after the final chunk");
        st = PS_ERR_FORMAT;
    }
    goto done;
io:
    ps_diag_set(diag, "read: %s", strerror(errno));
    st = PS_ERR_IO;
done:
    sodium_memzero(&state, sizeof(state));
    if (pt != NULL)
        sodium_memzero(pt, PS_PROTECT_CHUNK);
    free(pt);
    free(ct);
    return st;
}

/* --- sealed fields -------------------------------------------------------- */

#define FIELD_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define FIELD_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
/* Longest field we seal: a SQLite value is at most 1 GB by default. */
#define FIELD_MAX ((size_t)1 << 30)

/* The additional data "table\0column\0rowid" into ad (a bounded ps_buf). */
static ps_status field_ad(const ps_field_place *place, ps_buf *ad)
{
    ps_status st = ps_buf_append(ad, place->table, strlen(place->table) + 1);

    if (st == PS_OK)
        st = ps_buf_append(ad, place->column, strlen(place->column) + 1);
    if (st == PS_OK)
        st = ps_buf_printf(ad, "%lld", (long long)place->row);
    return st;
}

ps_status ps_field_seal(const ps_key *k, const ps_field_place *place,
                        ps_field_type t, const void *v, size_t n, ps_buf *out)
{
    unsigned char *pt = NULL, *blob = NULL;
    unsigned long long clen;
    size_t b64len, blen;
    ps_buf ad;
    ps_status st;

    if (n > FIELD_MAX)
        return PS_ERR_LIMIT;
    ps_buf_init(&ad, 2 * 4096 + 32);
    st = field_ad(place, &ad);
    if (st != PS_OK)
        goto done;
    pt = malloc(n + 1);
    blen = FIELD_NONCE + n + 1 + FIELD_TAG;
    blob = malloc(blen);
    if (pt == NULL || blob == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    /* The storage class travels inside the ciphertext: it is data too. */
    pt[0] = (unsigned char)t;
    if (n > 0)
        memcpy(pt + 1, v, n);
    randombytes_buf(blob, FIELD_NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + FIELD_NONCE, &clen, pt, n + 1,
            (const unsigned char *)ad.data, ad.len, NULL, blob, ps_key_subkey(k, PS_SUBKEY_FIELD));
    b64len = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    st = ps_buf_append(out, PS_FIELD_PREFIX, PS_FIELD_PREFIX_LEN);
    if (st != PS_OK)
        goto done;
    {
        char *b64 = malloc(b64len);
        if (b64 == NULL) {
            st = PS_ERR_NOMEM;
            goto done;
        }
        sodium_bin2base64(b64, b64len, blob, blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        st = ps_buf_append(out, b64, b64len - 1);
        free(b64);
    }
done:
    if (pt != NULL) {
        sodium_memzero(pt, n + 1);
        free(pt);
    }
    free(blob);
    ps_buf_free(&ad);
    return st;
}

static bool is_b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

bool ps_field_is_sealed(const char *v, size_t n)
{
    /* nonce + type byte + tag, base64url without padding */
    size_t min = ((FIELD_NONCE + 1 + FIELD_TAG) * 4 + 2) / 3;

    if (v == NULL || n < PS_FIELD_PREFIX_LEN + min ||
        memcmp(v, PS_FIELD_PREFIX, PS_FIELD_PREFIX_LEN) != 0)
        return false;
    for (size_t i = PS_FIELD_PREFIX_LEN; i < n; i++) {
        if (!is_b64url((unsigned char)v[i]))
            return false;
    }
    return true;
}

ps_status ps_field_open(const ps_key *k, const ps_field_place *place,
                        const char *text, size_t n, ps_field_type *t, ps_buf *out)
{
    unsigned char *blob = NULL, *pt = NULL;
    unsigned long long plen = 0;
    size_t blen = 0;
    ps_buf ad;
    ps_status st;

    if (!ps_field_is_sealed(text, n))
        return PS_ERR_FORMAT;
    ps_buf_init(&ad, 2 * 4096 + 32);
    st = field_ad(place, &ad);
    if (st != PS_OK)
        goto done;
    blob = malloc(n);
    if (blob == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    if (sodium_base642bin(blob, n, text + PS_FIELD_PREFIX_LEN, n - PS_FIELD_PREFIX_LEN,
                          NULL, &blen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        blen < FIELD_NONCE + 1 + FIELD_TAG) {
        st = PS_ERR_FORMAT;
        goto done;
    }
    pt = malloc(blen);
    if (pt == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen, NULL, blob + FIELD_NONCE,
            blen - FIELD_NONCE, (const unsigned char *)ad.data, ad.len, blob,
            ps_key_subkey(k, PS_SUBKEY_FIELD)) != 0 || plen < 1) {
        st = PS_ERR_CRYPTO;
        goto done;
    }
    if (pt[0] < PS_FIELD_INTEGER || pt[0] > PS_FIELD_BLOB ||
        ((pt[0] == PS_FIELD_INTEGER || pt[0] == PS_FIELD_REAL) && plen != 9)) {
        st = PS_ERR_FORMAT;
        goto done;
    }
    *t = (ps_field_type)pt[0];
    st = ps_buf_append(out, pt + 1, (size_t)plen - 1);
done:
    if (pt != NULL) {
        sodium_memzero(pt, blen);
        free(pt);
    }
    free(blob);
    ps_buf_free(&ad);
    return st;
}

/* --- blind index ---------------------------------------------------------- */

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Trim ASCII whitespace and lower-case ASCII letters into a new buffer. */
static unsigned char *normalise(const char *v, size_t n, size_t *outlen)
{
    size_t a = 0, b = n;
    unsigned char *s;

    while (a < b && is_ws((unsigned char)v[a]))
        a++;
    while (b > a && is_ws((unsigned char)v[b - 1]))
        b--;
    s = malloc(b - a + 1);
    if (s == NULL)
        return NULL;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)v[i];
        s[i - a] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
    }
    *outlen = b - a;
    return s;
}

ps_status ps_blind_index(const ps_key *k, const char *v, size_t n, char out[PS_BIDX_SIZE])
{
    unsigned char h[16];
    size_t len = 0;
    unsigned char *s = normalise(v, n, &len);

    if (s == NULL)
        return PS_ERR_NOMEM;
    crypto_generichash(h, sizeof(h), s, len, ps_key_subkey(k, PS_SUBKEY_BLIND_INDEX),
                       PS_KEY_BYTES);
    sodium_memzero(s, len);
    free(s);
    sodium_bin2hex(out, PS_BIDX_SIZE, h, sizeof(h));
    return PS_OK;
}

/* --- passwords ------------------------------------------------------------ */

ps_status ps_pwhash(const char *pw, size_t n, char out[PS_PWHASH_SIZE])
{
    /* PS_PWHASH_SIZE is our own constant: make sure it fits libsodium's. */
    _Static_assert(PS_PWHASH_SIZE >= crypto_pwhash_STRBYTES, "PS_PWHASH_SIZE too small");
    if (crypto_pwhash_str_alg(out, pw, n, PS_PWHASH_OPSLIMIT, PS_PWHASH_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return PS_ERR_NOMEM; /* the only documented failure: not enough memory */
    return PS_OK;
}

ps_status ps_pwhash_legacy(const char *hex, size_t n, char out[PS_PWHASH_SIZE])
{
    size_t len = 0;
    unsigned char *s = normalise(hex, n, &len);
    ps_status st;

    if (s == NULL)
        return PS_ERR_NOMEM;
    st = ps_pwhash((const char *)s, len, out);
    free(s);
    return st;
}

ps_status ps_pwhash_answer(const char *ans, size_t n, char out[PS_PWHASH_SIZE])
{
    size_t len = 0;
    unsigned char *s = normalise(ans, n, &len);
    ps_status st;

    if (s == NULL)
        return PS_ERR_NOMEM;
    st = ps_pwhash((const char *)s, len, out);
    sodium_memzero(s, len);
    free(s);
    return st;
}

bool ps_pwhash_verify(const char *stored, const char *pw, size_t n)
{
    return crypto_pwhash_str_verify(stored, pw, n) == 0;
}

bool ps_pwhash_verify_legacy(const char *stored, const char *hex, size_t n)
{
    size_t len = 0;
    unsigned char *s = normalise(hex, n, &len);
    bool ok;

    if (s == NULL)
        return false;
    ok = crypto_pwhash_str_verify(stored, (const char *)s, len) == 0;
    free(s);
    return ok;
}

bool ps_pwhash_verify_answer(const char *stored, const char *ans, size_t n)
{
    size_t len = 0;
    unsigned char *s = normalise(ans, n, &len);
    bool ok;

    if (s == NULL)
        return false;
    ok = crypto_pwhash_str_verify(stored, (const char *)s, len) == 0;
    sodium_memzero(s, len);
    free(s);
    return ok;
}

/* --- minimisation --------------------------------------------------------- */

bool ps_minimise_ipv4(const char *v, size_t n, char out[16])
{
    unsigned oct[4];
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        size_t digits = 0;

        oct[part] = 0;
        while (i < n && v[i] >= '0' && v[i] <= '9' && digits < 3) {
            oct[part] = oct[part] * 10 + (unsigned)(v[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0 || oct[part] > 255)
            return false;
        if (part < 3) {
            if (i >= n || v[i] != '.')
                return false;
            i++;
        }
    }
    if (i != n)
        return false;
    snprintf(out, 16, "%u.%u.%u.0", oct[0], oct[1], oct[2]);
    return true;
}

bool ps_minimise_year(const char *v, size_t n, char out[5])
{
    if (n < 5)
        return false;
    for (int i = 0; i < 4; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
    }
    if (v[4] != '-' && v[4] != '/' && v[4] != '.')
        return false;
    memcpy(out, v, 4);
    out[4] = '\0';
    return true;
}

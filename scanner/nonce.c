/*
 * nonce.c - where a ciphertext file keeps its nonce, and which files of a
 * scan share one.  See nonce.h for why this is worth a finding.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nonce.h"

/* The plainsight envelope: magic, version byte, kind byte, then the header. */
#define ENVELOPE_VERSION_AT PS_ENVELOPE_MAGIC_LEN
#define ENVELOPE_NONCE_AT (PS_ENVELOPE_MAGIC_LEN + 2)
/* The only envelope layout this code knows (PS_ENVELOPE_VERSION in protect.h). */
#define ENVELOPE_VERSION_1 1

bool ps_nonce_of(const unsigned char *head, size_t n, const ps_sniff *s,
                 unsigned char out[PS_NONCE_BYTES])
{
    size_t at;

    if (head == NULL || s == NULL || s->format != PS_FMT_CIPHERTEXT)
        return false;
    switch (s->cipher) {
    case PS_CIPHER_ENVELOPE:
        /* A later version may move the header: do not guess at it. */
        if (n <= ENVELOPE_VERSION_AT || head[ENVELOPE_VERSION_AT] != ENVELOPE_VERSION_1)
            return false;
        at = ENVELOPE_NONCE_AT;
        break;
    case PS_CIPHER_ENTROPY:
        at = 0;
        break;
    case PS_CIPHER_OPENSSL:   /* a salt for EVP_BytesToKey, not a nonce */
    case PS_CIPHER_SQLCIPHER: /* a salt for the page keys; IVs sit in each page */
    case PS_CIPHER_NONE:
    case PS_CIPHER_COUNT:
    default:
        return false;
    }
    if (n < at + PS_NONCE_BYTES + PS_NONCE_MIN_AFTER)
        return false;
    memcpy(out, head + at, PS_NONCE_BYTES);
    return true;
}

/* One file's nonce and where it came from, sorted by nonce then index. */
typedef struct nonce_entry {
    unsigned char nonce[PS_NONCE_BYTES];
    size_t idx;
} nonce_entry;

static int entry_cmp(const void *a, const void *b)
{
    const nonce_entry *x = a, *y = b;
    int c = memcmp(x->nonce, y->nonce, PS_NONCE_BYTES);

    if (c != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

ps_status ps_nonce_index(const unsigned char (*nonces)[PS_NONCE_BYTES], const bool *has,
                         size_t n, bool *reused)
{
    nonce_entry *e;
    size_t m = 0;

    if (n == 0)
        return PS_OK;
    for (size_t i = 0; i < n; i++)
        reused[i] = false;
    if (n > SIZE_MAX / sizeof(*e))
        return PS_ERR_NOMEM;
    e = malloc(n * sizeof(*e));
    if (e == NULL)
        return PS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!has[i])
            continue;
        memcpy(e[m].nonce, nonces[i], PS_NONCE_BYTES);
        e[m].idx = i;
        m++;
    }
    qsort(e, m, sizeof(*e), entry_cmp);
    /* Equal nonces are neighbours now: mark every member of each run of two or more. */
    for (size_t a = 0; a < m;) {
        size_t b = a + 1;

        while (b < m && memcmp(e[b].nonce, e[a].nonce, PS_NONCE_BYTES) == 0)
            b++;
        if (b - a > 1) {
            for (size_t k = a; k < b; k++)
                reused[e[k].idx] = true;
        }
        a = b;
    }
    free(e);
    return PS_OK;
}

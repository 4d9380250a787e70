/*
 * nonce.h - nonce reuse across the files of a scan.
 *
 * A stream cipher or an AEAD (ChaCha20-Poly1305, AES-GCM, secretstream)
 * used twice with one key and one nonce leaks the XOR of the two plaintexts
 * and, for GCM and Poly1305, lets an attacker forge messages.  Whether two
 * files were encrypted under the same key cannot be seen from outside, but
 * the same nonce at the start of two different ciphertext files is already
 * the mistake: nonces are meant to be random or counted, never repeated.
 *
 * Use: for each file, ps_nonce_of over the sniffed head; after the walk,
 * ps_nonce_index over every file's nonce marks the files that share one.
 * Pure functions; ps_nonce_index allocates one temporary array.
 */
#ifndef PS_NONCE_H
#define PS_NONCE_H

#include <stdbool.h>
#include <stddef.h>

#include "plainsight.h"
#include "sniff.h"

/* Nonce bytes compared: XChaCha20's nonce, secretstream's header. */
#define PS_NONCE_BYTES 24

/*
 * Bytes that must follow a nonce for it to count: one authentication tag
 * (or one cipher block and more).  A 32-byte random key file is then never
 * taken for ciphertext with a nonce, so two copies of a key are not "nonce
 * reuse" (key-exposure rules report keys).
 */
#define PS_NONCE_MIN_AFTER 16

/*
 * The nonce of a ciphertext file from its sniffed head (head[0..n), as
 * given to ps_sniff_buffer, and s its result), into out.  Where it is:
 *   - plainsight envelope (version 1): the 24-byte secretstream header after
 *     the magic, version and kind bytes (offset 10);
 *   - ciphertext with no known header: bytes 0..23, where libsodium's
 *     crypto_secretbox_easy / crypto_aead_*_encrypt users and most
 *     hand-rolled formats put a random nonce or IV;
 * and none (false) for an OpenSSL "Salted__" file (its 8 bytes after the
 * magic are a KDF salt, not a nonce), for SQLCipher (a KDF salt; each page
 * carries its own IV), for files too short to hold a nonce followed by
 * PS_NONCE_MIN_AFTER bytes, and for anything that is not ciphertext.
 */
bool ps_nonce_of(const unsigned char *head, size_t n, const ps_sniff *s,
                 unsigned char out[PS_NONCE_BYTES]);

/*
 * Mark the files whose nonce is shared: reused[i] is true when has[i] and
 * some other j with has[j] has nonces[j] equal to nonces[i]; false
 * otherwise (also for every i without a nonce).  Sorts an index by nonce,
 * so n files cost O(n log n).  Returns PS_OK, or PS_ERR_NOMEM (reused is
 * then all false).  n == 0 is fine; nonces, has and reused may then be NULL.
 */
ps_status ps_nonce_index(const unsigned char (*nonces)[PS_NONCE_BYTES], const bool *has,
                         size_t n, bool *reused) PS_WARN_UNUSED;

#endif /* PS_NONCE_H */

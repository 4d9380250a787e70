/*
 * detect.h - generic detectors: pure functions over one value.
 *
 * These answer questions a regex cannot: is this readable text or opaque
 * bytes (ciphertext, a hash, base64 of random data)?  Does this digit run
 * pass the Luhn check?  Which hash format is this string?  Rules combine
 * them in YAML; nothing here knows what a password or a child is.
 */
#ifndef PS_DETECT_H
#define PS_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"
#include "sniff.h"

/*
 * True when v[0..n) is text a person could read: valid UTF-8 (or, from 16
 * bytes, mostly-ASCII text in a single-byte encoding such as Latin-1),
 * mostly printable, and not opaque (not a recognised hash or envelope, and not a
 * long unbroken run of hex/base64 whose entropy says "random bytes").
 * Empty values are not readable.
 */
bool ps_detect_readable(const char *v, size_t n);

/*
 * True when v holds a run of 13..19 digits (single spaces or dashes allowed
 * between digits) whose Luhn checksum is valid.
 */
bool ps_detect_luhn(const char *v, size_t n);

/* The hash format v is exactly (whole value), or -1 when it is none. */
int ps_detect_hash(const char *v, size_t n);

/*
 * True when v is exactly a password hash (see ps_detect_hash) whose own
 * parameters make it cheap to attack:
 *   - argon2i or argon2d (not the side-channel and GPU resistant argon2id);
 *   - argon2id below the OWASP Password Storage Cheat Sheet floor, the line
 *     through m=47104 KiB t=1, m=19456 t=2, m=12288 t=3, m=9216 t=4 and
 *     m=7168 t>=5 (so also t=0 or m below 7168 KiB whatever t);
 *   - bcrypt with a cost below 10;
 *   - scrypt with N below 2^17 ("$7$" with its log2 N character, or
 *     "$scrypt$ln=N,...").
 * Hashes whose parameters cannot be read are not called weak.
 */
bool ps_detect_weak_hash_params(const char *v, size_t n);

/*
 * The media type of a file embedded as base64 in a text value (a JSON
 * "photo": "/9j/4AAQ...", or "data:image/png;base64,iVBORw0..."), or
 * PS_MEDIA_NONE.  An optional "data:<mime>;base64," prefix is skipped; then
 * at least 24 characters of the standard or URL-safe base64 alphabet must
 * follow, with no white space (or anything but '=' padding) in the first 64.
 * Up to 64 characters are decoded and the bytes sniffed (ps_sniff_buffer):
 * the answer is the sniffed media type, so text or random bytes encoded in
 * base64 are not media.  Pure function: no allocation, no I/O.
 */
ps_media ps_detect_b64_media(const char *v, size_t n);

#endif /* PS_DETECT_H */

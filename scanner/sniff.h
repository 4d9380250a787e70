/*
 * sniff.h - identify a file's format from its first bytes, then its name.
 *
 * Content wins over the extension: a JPEG named .txt is a JPEG, and random
 * bytes named .sqlite are not a database.  Sniffing looks at a bounded head
 * (PS_SNIFF_HEAD bytes) and never at the whole file, so media and ciphertext
 * cost one small read.
 */
#ifndef PS_SNIFF_H
#define PS_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How much of a file sniffing looks at. */
#define PS_SNIFF_HEAD 8192

typedef enum ps_format {
    PS_FMT_UNKNOWN = 0, /* binary with no known magic and low entropy */
    PS_FMT_EMPTY,       /* zero bytes */
    PS_FMT_TEXT,        /* lines of text: logs, notes, .env, ... */
    PS_FMT_JSONL,       /* one JSON value per line */
    PS_FMT_CSV,         /* delimited text with a header row */
    PS_FMT_SQLITE,      /* "SQLite format 3\0" */
    PS_FMT_SQLDUMP,     /* MySQL / PostgreSQL plain-text dump */
    PS_FMT_MEDIA,       /* an image, audio or video container (see ps_media) */
    PS_FMT_CIPHERTEXT,  /* a known envelope, or high-entropy bytes with no magic */
    PS_FMT_COMPRESSED,  /* gzip, zip, bzip2, xz, zstd: high entropy but not ciphertext */
    PS_FMT_JSON,        /* one JSON document (pretty-printed or nested), streamed */
    PS_FMT_MBOX,        /* Unix mbox mail folder */
    PS_FMT_COUNT
} ps_format;

typedef enum ps_media {
    PS_MEDIA_NONE = 0,
    PS_MEDIA_JPEG,
    PS_MEDIA_PNG,
    PS_MEDIA_GIF,
    PS_MEDIA_WEBP,
    PS_MEDIA_HEIC,
    PS_MEDIA_WAV,
    PS_MEDIA_MP3,
    PS_MEDIA_AMR,
    PS_MEDIA_OGG,
    PS_MEDIA_M4A,
    PS_MEDIA_MP4,
    PS_MEDIA_COUNT
} ps_media;

/*
 * plainsight's own file envelope (written by `plainsight protect`): 8 bytes of
 * magic, PNG-style so that text-mode transfers and truncation to 7 bits show
 * up as a mismatch, followed by a one-byte format version.
 */
#define PS_ENVELOPE_MAGIC "\x89PSE\r\n\x1a\n"
#define PS_ENVELOPE_MAGIC_LEN 8

/* Media classes, for rules that say "any image" or "any audio". */
typedef enum ps_media_class {
    PS_MEDIA_CLASS_NONE = 0,
    PS_MEDIA_CLASS_IMAGE,
    PS_MEDIA_CLASS_AUDIO,
    PS_MEDIA_CLASS_VIDEO
} ps_media_class;

/* Which kind of ciphertext, when format is PS_FMT_CIPHERTEXT. */
typedef enum ps_cipher {
    PS_CIPHER_NONE = 0,
    PS_CIPHER_ENTROPY,   /* no magic, bytes look uniformly random */
    PS_CIPHER_ENVELOPE,  /* plainsight's own versioned envelope */
    PS_CIPHER_OPENSSL,   /* OpenSSL "Salted__": `openssl enc`, single-MD5 KDF */
    PS_CIPHER_SQLCIPHER, /* random bytes named *.db / *.sqlite / *.sqlite3, whole pages */
    PS_CIPHER_COUNT
} ps_cipher;

/*
 * The ECB fingerprint: an aligned 16-byte block of the head that looks
 * random (at least this many distinct byte values) and occurs twice.
 * Random 16-byte blocks have about 15.5 distinct values and essentially
 * never repeat; zero padding and other filler have few and are ignored.
 */
#define PS_SNIFF_BLOCK 16
#define PS_SNIFF_BLOCK_MIN_DISTINCT 10

/*
 * How a text file's bytes encode its characters.  Readers always see UTF-8:
 * ps_input_open() decodes UTF-16 on the way in (input.c), so a UTF-16 CSV is
 * read by the CSV reader like any other, and its line numbers are those of
 * the decoded text.
 */
typedef enum ps_encoding {
    PS_ENC_BYTES = 0, /* as they are: UTF-8, ASCII, or a single-byte code page */
    PS_ENC_UTF16LE,   /* UTF-16 little-endian (a BOM FF FE, or ASCII-heavy with NULs) */
    PS_ENC_UTF16BE    /* UTF-16 big-endian (a BOM FE FF, or ASCII-heavy with NULs) */
} ps_encoding;

typedef struct ps_sniff {
    ps_format format;
    ps_encoding encoding; /* text formats only; PS_ENC_BYTES otherwise */
    ps_media media;       /* set when format == PS_FMT_MEDIA */
    ps_cipher cipher;     /* set when format == PS_FMT_CIPHERTEXT */
    double entropy;       /* Shannon entropy of the head, bits per byte (0..8) */
    char delimiter;       /* CSV delimiter: ',', ';' or '\t' */
    bool repeated_blocks; /* binary formats only: the head repeats a random-looking
                             16-byte block at 16-byte-aligned offsets (ECB) */
} ps_sniff;

/*
 * Classify a file from its first n bytes (n <= PS_SNIFF_HEAD; fewer when the
 * file is shorter), its name (used only when content is inconclusive) and its
 * total size.  Pure function: no I/O, no allocation.
 */
ps_sniff ps_sniff_buffer(const unsigned char *head, size_t n,
                         const char *name, uint64_t file_size);

const char *ps_format_name(ps_format f);
int ps_format_parse(const char *name, ps_format *out);
const char *ps_media_name(ps_media m);
int ps_media_parse(const char *name, ps_media *out);
ps_media_class ps_media_class_of(ps_media m);
/* "entropy", "envelope", "openssl", "sqlcipher"; "none" for PS_CIPHER_NONE. */
const char *ps_cipher_name(ps_cipher c);
/* 0 and *out for a cipher name other than "none", else -1. */
int ps_cipher_parse(const char *name, ps_cipher *out);

/*
 * Decode UTF-16 from in[0..n) (big-endian when be != 0) into UTF-8 at
 * out[0..cap), and return the number of bytes written; *used is the number
 * of input bytes consumed.  Decoding stops when the input is used up or less
 * than 4 bytes of room are left, so one code point always fits: cap < 4
 * makes no progress.  A lone surrogate becomes U+FFFD.  An odd last byte, or
 * a high surrogate that ends the input, is left unconsumed for the next call
 * (its partner may follow), unless final is set: then it becomes U+FFFD.  A
 * byte-order mark is decoded like any other character (U+FEFF).  Pure: no
 * I/O, no allocation.
 */
size_t ps_utf16_decode(const unsigned char *in, size_t n, int be,
                       unsigned char *out, size_t cap, size_t *used, int final);

/* Shannon entropy in bits per byte of buf[0..n). 0 for n == 0. */
double ps_entropy(const unsigned char *buf, size_t n);

#endif /* PS_SNIFF_H */

/*
 * sniff.c - format and media detection from a file's first bytes.
 *
 * Order matters: magic numbers first (they are exact), then "is it text" and
 * the text sub-formats, then entropy for everything else.  The name is only a
 * tie-breaker among text formats; it never overrides content, so a PNG named
 * notes.txt is still reported as an unencrypted image.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sniff.h"
#include "util.h"

static const char *const format_names[PS_FMT_COUNT] = {
    "unknown", "empty", "text", "jsonl", "csv", "sqlite", "sqldump",
    "media", "ciphertext", "compressed",
};

static const char *const media_names[PS_MEDIA_COUNT] = {
    "none", "jpeg", "png", "gif", "webp", "heic", "wav", "mp3", "amr",
    "ogg", "m4a", "mp4",
};

const char *ps_format_name(ps_format f)
{
    if ((unsigned)f >= PS_FMT_COUNT)
        return "unknown";
    return format_names[f];
}

int ps_format_parse(const char *name, ps_format *out)
{
    for (int i = 0; i < PS_FMT_COUNT; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (ps_format)i;
            return 0;
        }
    }
    return -1;
}

const char *ps_media_name(ps_media m)
{
    if ((unsigned)m >= PS_MEDIA_COUNT)
        return "none";
    return media_names[m];
}

int ps_media_parse(const char *name, ps_media *out)
{
    for (int i = 0; i < PS_MEDIA_COUNT; i++) {
        if (strcmp(name, media_names[i]) == 0) {
            *out = (ps_media)i;
            return 0;
        }
    }
    return -1;
}

ps_media_class ps_media_class_of(ps_media m)
{
    switch (m) {
    case PS_MEDIA_JPEG:
    case PS_MEDIA_PNG:
    case PS_MEDIA_GIF:
    case PS_MEDIA_WEBP:
    case PS_MEDIA_HEIC:
        return PS_MEDIA_CLASS_IMAGE;
    case PS_MEDIA_WAV:
    case PS_MEDIA_MP3:
    case PS_MEDIA_AMR:
    case PS_MEDIA_OGG:
    case PS_MEDIA_M4A:
        return PS_MEDIA_CLASS_AUDIO;
    case PS_MEDIA_MP4:
        return PS_MEDIA_CLASS_VIDEO;
    case PS_MEDIA_NONE:
    case PS_MEDIA_COUNT:
        break;
    }
    return PS_MEDIA_CLASS_NONE;
}

double ps_entropy(const unsigned char *buf, size_t n)
{
    size_t count[256] = {0};
    double e = 0.0;

    if (n == 0)
        return 0.0;
    for (size_t i = 0; i < n; i++)
        count[buf[i]]++;
    for (int i = 0; i < 256; i++) {
        if (count[i] != 0) {
            double p = (double)count[i] / (double)n;
            e -= p * log2(p);
        }
    }
    return e;
}

/* Does buf[0..n) start with the len bytes of magic? */
static int starts(const unsigned char *buf, size_t n, const void *magic,
                  size_t len)
{
    return n >= len && memcmp(buf, magic, len) == 0;
}

/* Does name end with suffix, ignoring ASCII case? */
static int name_ends(const char *name, const char *suffix)
{
    size_t nl, sl;

    if (name == NULL)
        return 0;
    nl = strlen(name);
    sl = strlen(suffix);
    return nl >= sl && ps_strcaseeq(name + nl - sl, suffix);
}

/* ------------------------------------------------------------------ MP3 */

/*
 * Length in bytes of the MPEG audio frame whose 4-byte header is at h, or 0
 * when h is not a valid header.  Reserved values and free-format bitrates
 * are rejected: random data passes the 11-bit sync about once in 2048 tries,
 * and these checks (plus a second header where the frame says) keep a
 * random key file from being called an MP3.
 */
static size_t mp3_frame_len(const unsigned char *h)
{
    static const unsigned short br_v1[3][16] = {
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0},
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0},
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0},
    };
    static const unsigned short br_v2[3][16] = {
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0},
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
    };
    static const unsigned rates[4][3] = {
        {11025, 12000, 8000},  /* MPEG 2.5 */
        {0, 0, 0},             /* reserved */
        {22050, 24000, 16000}, /* MPEG 2 */
        {44100, 48000, 32000}, /* MPEG 1 */
    };
    unsigned version, layer, bri, sri, pad, br, sr;

    if (h[0] != 0xFF || (h[1] & 0xE0) != 0xE0)
        return 0;
    version = (h[1] >> 3) & 3;
    layer = (h[1] >> 1) & 3; /* 3 = layer I, 2 = II, 1 = III */
    bri = h[2] >> 4;
    sri = (h[2] >> 2) & 3;
    pad = (h[2] >> 1) & 1;
    if (version == 1 || layer == 0 || bri == 0 || bri == 15 || sri == 3 ||
        (h[3] & 3) == 2)
        return 0;
    br = (version == 3 ? br_v1 : br_v2)[3 - layer][bri] * 1000u;
    sr = rates[version][sri];
    if (layer == 3)
        return (size_t)((12u * br / sr + pad) * 4u);
    if (layer == 1 && version != 3)
        return (size_t)(72u * br / sr + pad);
    return (size_t)(144u * br / sr + pad);
}

static int is_mp3_sync(const unsigned char *head, size_t n, uint64_t size)
{
    size_t len;

    if (n < 4)
        return 0;
    len = mp3_frame_len(head);
    if (len < 4)
        return 0;
    if (len + 4 <= n)
        return mp3_frame_len(head + len) != 0;
    /*
     * The next header is past what we were shown.  Frames are at most ~1.7 KB,
     * so this only happens for tiny files: accept only when the file really
     * is one frame (optionally followed by a 128-byte ID3v1 tag).
     */
    return size >= len && (size - len < 4 || size - len == 128);
}

/* ------------------------------------------------------------ ISO BMFF */

static ps_media bmff_brand(const unsigned char *b)
{
    static const struct {
        char brand[5];
        ps_media media;
    } brands[] = {
        {"heic", PS_MEDIA_HEIC}, {"heix", PS_MEDIA_HEIC},
        {"hevc", PS_MEDIA_HEIC}, {"hevx", PS_MEDIA_HEIC},
        {"heim", PS_MEDIA_HEIC}, {"heis", PS_MEDIA_HEIC},
        {"mif1", PS_MEDIA_HEIC}, {"msf1", PS_MEDIA_HEIC},
        {"M4A ", PS_MEDIA_M4A},  {"M4B ", PS_MEDIA_M4A},
        {"M4P ", PS_MEDIA_M4A},
        {"isom", PS_MEDIA_MP4},  {"iso2", PS_MEDIA_MP4},
        {"iso3", PS_MEDIA_MP4},  {"iso4", PS_MEDIA_MP4},
        {"iso5", PS_MEDIA_MP4},  {"iso6", PS_MEDIA_MP4},
        {"mp41", PS_MEDIA_MP4},  {"mp42", PS_MEDIA_MP4},
        {"avc1", PS_MEDIA_MP4},  {"dash", PS_MEDIA_MP4},
        {"M4V ", PS_MEDIA_MP4},  {"qt  ", PS_MEDIA_MP4},
    };

    for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++) {
        if (memcmp(b, brands[i].brand, 4) == 0)
            return brands[i].media;
    }
    /* 3GPP phones: 3gp4, 3gp5, 3g2a, ... */
    if (b[0] == '3' && b[1] == 'g' && (b[2] == 'p' || b[2] == '2'))
        return PS_MEDIA_MP4;
    return PS_MEDIA_NONE;
}

/*
 * "....ftyp" + major brand; when the major brand is unknown, the compatible
 * brands listed in the same box decide.
 */
static ps_media bmff_media(const unsigned char *head, size_t n)
{
    uint32_t box;
    ps_media m;

    if (n < 12 || memcmp(head + 4, "ftyp", 4) != 0)
        return PS_MEDIA_NONE;
    box = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
          (uint32_t)head[2] << 8 | head[3];
    if (box < 12)
        return PS_MEDIA_NONE;
    m = bmff_brand(head + 8);
    if (m != PS_MEDIA_NONE)
        return m;
    /* Skip major brand (8..12) and minor version (12..16). */
    for (size_t off = 16; off + 4 <= box && off + 4 <= n; off += 4) {
        m = bmff_brand(head + off);
        if (m != PS_MEDIA_NONE)
            return m;
    }
    return PS_MEDIA_NONE;
}

/* The media type named by head's magic, or PS_MEDIA_NONE. */
static ps_media media_magic(const unsigned char *head, size_t n,
                            uint64_t size)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    ps_media m;

    if (starts(head, n, "\xFF\xD8\xFF", 3))
        return PS_MEDIA_JPEG;
    if (starts(head, n, png, sizeof(png)))
        return PS_MEDIA_PNG;
    if (starts(head, n, "GIF87a", 6) || starts(head, n, "GIF89a", 6))
        return PS_MEDIA_GIF;
    if (n >= 12 && memcmp(head, "RIFF", 4) == 0) {
        if (memcmp(head + 8, "WEBP", 4) == 0)
            return PS_MEDIA_WEBP;
        if (memcmp(head + 8, "WAVE", 4) == 0)
            return PS_MEDIA_WAV;
    }
    m = bmff_media(head, n);
    if (m != PS_MEDIA_NONE)
        return m;
    if (starts(head, n, "#!AMR\n", 6) || starts(head, n, "#!AMR-WB\n", 9))
        return PS_MEDIA_AMR;
    if (starts(head, n, "OggS", 4))
        return PS_MEDIA_OGG;
    /* ID3v2: "ID3", major version 2..4, revision never 0xFF. */
    if (n >= 10 && memcmp(head, "ID3", 3) == 0 && head[3] >= 2 &&
        head[3] <= 4 && head[4] != 0xFF)
        return PS_MEDIA_MP3;
    if (is_mp3_sync(head, n, size))
        return PS_MEDIA_MP3;
    return PS_MEDIA_NONE;
}

static int compressed_magic(const unsigned char *head, size_t n)
{
    return starts(head, n, "\x1f\x8b", 2) ||            /* gzip */
           starts(head, n, "PK\x03\x04", 4) ||          /* zip */
           starts(head, n, "PK\x05\x06", 4) ||          /* empty zip */
           (starts(head, n, "BZh", 3) && n > 3 && head[3] >= '1' &&
            head[3] <= '9') ||                          /* bzip2 */
           starts(head, n, "\xFD" "7zXZ\x00", 6) ||     /* xz */
           starts(head, n, "\x28\xB5\x2F\xFD", 4) ||    /* zstd */
           starts(head, n, "7z\xBC\xAF\x27\x1C", 6);    /* 7-Zip */
}

/* ----------------------------------------------------------------- text */

/*
 * Text means: no NUL, valid UTF-8 (a sequence cut by the end of the head is
 * fine), and at least 95% printable or whitespace.  UTF-16 fails here on its
 * NULs on purpose: the readers do not transcode, so calling it text would
 * promise records they cannot produce.
 */
static int looks_text(const unsigned char *s, size_t n)
{
    size_t bad = 0, i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t need;
        uint32_t cp;

        if (c < 0x80) {
            if (c == 0)
                return 0;
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
                 c != '\f' && c != '\v' && c != 0x1b) || c == 0x7f)
                bad++;
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + need >= n) {
            /* The sequence runs past the head: check the part we have. */
            for (size_t k = i + 1; k < n; k++) {
                if ((s[k] & 0xC0) != 0x80)
                    return 0;
            }
            break;
        }
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        /* Overlong, surrogate and out-of-range forms are not UTF-8. */
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        i += need + 1;
    }
    return bad * 20 <= n;
}

/* Case-insensitive "does s[0..n) start with prefix". */
static int prefix_ci(const unsigned char *s, size_t n, const char *prefix)
{
    size_t l = strlen(prefix);

    if (n < l)
        return 0;
    for (size_t i = 0; i < l; i++) {
        unsigned char a = s[i], b = (unsigned char)prefix[i];
        if (a >= 'a' && a <= 'z')
            a = (unsigned char)(a - 'a' + 'A');
        if (b >= 'a' && b <= 'z')
            b = (unsigned char)(b - 'a' + 'A');
        if (a != b)
            return 0;
    }
    return 1;
}

/*
 * Is the first line a complete JSON value?  A bracket and string balance
 * check, not a parse: enough to tell "one value per line" from a
 * pretty-printed document whose first line is a lone "{".  A first line
 * longer than the head (a long minified record) counts when it is still
 * balanced so far: pretty-printed JSON would have broken the line long
 * before.
 */
static int first_line_json(const unsigned char *s, size_t n, int whole)
{
    int depth = 0, in_str = 0, esc = 0, seen = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];

        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            else if (c == '\n')
                return 0;
            continue;
        }
        if (c == '\n')
            return seen && depth == 0;
        if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
            seen = 1;
        } else if (c == '}' || c == ']') {
            if (--depth < 0)
                return 0;
        }
    }
    if (!whole)
        return seen;
    return seen && depth == 0 && !in_str;
}

static const char *const dump_headers[] = {
    "-- MySQL dump", "-- PostgreSQL database dump", "-- MariaDB dump",
    "-- phpMyAdmin SQL Dump",
};

/*
 * SQL dump: a dump header among the first few lines (pg_dump starts with a
 * bare "--" line), or, for a .sql name, a line that starts a statement we
 * can read.
 */
static int looks_sqldump(const unsigned char *s, size_t n, const char *name)
{
    int is_sql = name_ends(name, ".sql");
    size_t i = 0;

    for (int line = 0; i < n; line++) {
        const unsigned char *l = s + i;
        const unsigned char *nl = memchr(l, '\n', n - i);
        size_t len = nl != NULL ? (size_t)(nl - l) : n - i;

        if (line < 8) {
            for (size_t k = 0; k < sizeof(dump_headers) / sizeof(dump_headers[0]); k++) {
                if (prefix_ci(l, len, dump_headers[k]))
                    return 1;
            }
        }
        if (is_sql && (prefix_ci(l, len, "CREATE TABLE") ||
                       prefix_ci(l, len, "INSERT INTO") ||
                       prefix_ci(l, len, "COPY ")))
            return 1;
        if (!is_sql && line >= 8)
            return 0;
        i += len + 1;
    }
    return 0;
}

/*
 * Count the occurrences of each candidate delimiter outside double quotes on
 * the first (up to 5) complete lines.  A delimiter is consistent when every
 * such line has the same non-zero count.
 */
static char csv_delimiter(const unsigned char *s, size_t n, int whole,
                          const char *name)
{
    static const char delims[3] = {',', ';', '\t'};
    size_t counts[5][3] = {{0}};
    int lines = 0, in_q = 0;
    size_t i;
    char best = 0;
    size_t best_count = 0;

    for (i = 0; i < n && lines < 5; i++) {
        unsigned char c = s[i];

        if (c == '"') {
            in_q = !in_q;
        } else if (c == '\n' && !in_q) {
            lines++;
        } else if (!in_q) {
            for (int d = 0; d < 3; d++) {
                if (c == (unsigned char)delims[d])
                    counts[lines][d]++;
            }
        }
    }
    /* A last line without "\n" counts when the head is the whole file. */
    if (lines < 5 && whole && i == n && n > 0 && s[n - 1] != '\n' && !in_q)
        lines++;
    if (lines >= 2) {
        for (int d = 0; d < 3; d++) {
            int ok = counts[0][d] > 0;
            for (int l = 1; l < lines && ok; l++)
                ok = counts[l][d] == counts[0][d];
            if (ok && counts[0][d] > best_count) {
                best = delims[d];
                best_count = counts[0][d];
            }
        }
        if (best != 0)
            return best;
    }
    if (name_ends(name, ".csv") || name_ends(name, ".tsv")) {
        if (name_ends(name, ".tsv") && counts[0][2] > 0)
            return '\t';
        for (int d = 0; d < 3; d++) {
            if (counts[0][d] > best_count) {
                best = delims[d];
                best_count = counts[0][d];
            }
        }
    }
    return best;
}

static void sniff_text(ps_sniff *r, const unsigned char *s, size_t n,
                       const char *name, int whole)
{
    size_t i = 0;

    if (starts(s, n, "\xEF\xBB\xBF", 3)) {
        s += 3;
        n -= 3;
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
                     s[i] == '\n'))
        i++;
    if (i < n && (s[i] == '{' || s[i] == '[') &&
        (first_line_json(s + i, n - i, whole) || name_ends(name, ".jsonl") ||
         name_ends(name, ".ndjson"))) {
        /*
         * A pretty-printed document (.json whose first line is a lone "{")
         * is not one value per line; it falls through to text, where every
         * line is still searched, rather than failing as invalid JSONL.
         */
        r->format = PS_FMT_JSONL;
        return;
    }
    if (looks_sqldump(s, n, name)) {
        r->format = PS_FMT_SQLDUMP;
        return;
    }
    r->delimiter = csv_delimiter(s, n, whole, name);
    r->format = r->delimiter != 0 ? PS_FMT_CSV : PS_FMT_TEXT;
}

/* Uniformly random?  See sniff.h: the bar scales with what n bytes can reach. */
static int looks_random(double e, size_t n)
{
    double need;

    if (n < 16)
        return 0;
    if (n >= 1024)
        return e >= 7.5;
    need = 0.85 * log2((double)n);
    if (need > 7.5)
        need = 7.5;
    return e >= need;
}

ps_sniff ps_sniff_buffer(const unsigned char *head, size_t n,
                         const char *name, uint64_t file_size)
{
    ps_sniff r;
    int whole;

    memset(&r, 0, sizeof(r));
    if (file_size == 0 || n == 0) {
        r.format = file_size == 0 ? PS_FMT_EMPTY : PS_FMT_UNKNOWN;
        return r;
    }
    if (n > PS_SNIFF_HEAD)
        n = PS_SNIFF_HEAD;
    whole = (uint64_t)n >= file_size;
    r.entropy = ps_entropy(head, n);

    if (starts(head, n, "SQLite format 3\0", 16)) {
        r.format = PS_FMT_SQLITE;
        return r;
    }
    if (starts(head, n, PS_ENVELOPE_MAGIC, PS_ENVELOPE_MAGIC_LEN)) {
        r.format = PS_FMT_CIPHERTEXT;
        r.cipher = PS_CIPHER_ENVELOPE;
        return r;
    }
    if (starts(head, n, "Salted__", 8)) {
        r.format = PS_FMT_CIPHERTEXT;
        r.cipher = PS_CIPHER_OPENSSL;
        return r;
    }
    if (compressed_magic(head, n)) {
        r.format = PS_FMT_COMPRESSED;
        return r;
    }
    r.media = media_magic(head, n, file_size);
    if (r.media != PS_MEDIA_NONE) {
        r.format = PS_FMT_MEDIA;
        return r;
    }
    if (looks_text(head, n)) {
        sniff_text(&r, head, n, name, whole);
        return r;
    }
    if (looks_random(r.entropy, n)) {
        r.format = PS_FMT_CIPHERTEXT;
        r.cipher = PS_CIPHER_ENTROPY;
        return r;
    }
    r.format = PS_FMT_UNKNOWN;
    return r;
}

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
    "media", "ciphertext", "compressed", "json", "mbox",
};

static const char *const media_names[PS_MEDIA_COUNT] = {
    "none", "jpeg", "png", "gif", "webp", "heic", "wav", "mp3", "amr",
    "ogg", "m4a", "mp4",
};

static const char *const cipher_names[PS_CIPHER_COUNT] = {
    "none", "entropy", "envelope", "openssl", "sqlcipher",
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

const char *ps_cipher_name(ps_cipher c)
{
    if ((unsigned)c >= PS_CIPHER_COUNT)
        return "none";
    return cipher_names[c];
}

/* "none" is not a kind of ciphertext a rule may ask for. */
int ps_cipher_parse(const char *name, ps_cipher *out)
{
    for (int i = 1; i < PS_CIPHER_COUNT; i++) {
        if (strcmp(name, cipher_names[i]) == 0) {
            *out = (ps_cipher)i;
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
 * NULs; ps_sniff_buffer() tries it separately (sniff_utf16), decoded.
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
 * A small JSON grammar check over the head, enough to tell JSON from text
 * that merely starts with a bracket ("[2015-11-14 10:00] ann: hi" is a chat
 * log, not JSONL).  It validates tokens and their order with a bounded
 * stack and builds nothing.  Past SNIFF_JSON_DEPTH levels the rest is
 * taken on trust.
 */
#define SNIFF_JSON_DEPTH 64

typedef enum json_shape {
    JSON_BAD = 0, /* not JSON */
    JSON_OPEN,    /* valid so far; the value is not finished */
    JSON_DONE     /* line mode: one complete value on the first line;
                     document mode: the head ends between values */
} json_shape;

enum { JX_VALUE, JX_KEY_OR_END, JX_KEY, JX_COLON, JX_NEXT_OR_END, JX_DONE };

/*
 * The end of the string token that starts at s[i] == '"': the index after
 * its closing quote, n when the head ends inside it, or 0 when it is not a
 * JSON string (a raw control character or newline, a bad escape).
 */
static size_t json_string_end(const unsigned char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '"')
            return i + 1;
        if (s[i] < 0x20)
            return 0;
        if (s[i] != '\\')
            continue;
        if (++i >= n)
            return n;
        if (s[i] == 'u') {
            for (int k = 0; k < 4; k++) {
                if (++i >= n)
                    return n;
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                      (s[i] >= 'A' && s[i] <= 'F')))
                    return 0;
            }
        } else if (memchr("\"\\/bfnrt", s[i], 8) == NULL) {
            return 0;
        }
    }
    return n;
}

/* Likewise for a number or a literal (true, false, null); 0 when invalid. */
static size_t json_scalar_end(const unsigned char *s, size_t n, size_t i)
{
    static const char *const lits[] = {"true", "false", "null"};
    size_t j = i;

    for (size_t k = 0; k < 3; k++) {
        size_t l = strlen(lits[k]), m;

        if (s[i] != (unsigned char)lits[k][0])
            continue;
        for (m = 0; m < l && i + m < n; m++) {
            if (s[i + m] != (unsigned char)lits[k][m])
                return 0;
        }
        return i + m;
    }
    /* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    if (s[j] == '-')
        j++;
    if (j >= n)
        return n;
    if (s[j] == '0') {
        j++;
    } else if (s[j] >= '1' && s[j] <= '9') {
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
    } else {
        return 0;
    }
    if (j < n && s[j] == '.') {
        if (++j >= n)
            return n;
        if (s[j] < '0' || s[j] > '9')
            return 0;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        if (++j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j >= n)
            return n;
        if (s[j] < '0' || s[j] > '9')
            return 0;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
    }
    return j;
}

/*
 * Check s[0..n) as JSON.  Line mode stops at the first newline outside a
 * string and asks "is this line one complete value, and nothing else?";
 * document mode reads the whole head and allows values one after another.
 * A token cut by the end of the head counts as valid so far.
 */
static json_shape json_scan(const unsigned char *s, size_t n, int line_mode)
{
    unsigned char stack[SNIFF_JSON_DEPTH]; /* '{' or '[' per open level */
    size_t depth = 0, i = 0, end;
    int state = JX_VALUE, fresh = 0; /* fresh: just after a '[' */

    while (i < n) {
        unsigned char c = s[i];
        int was_fresh = fresh;

        if (c == '\n' && line_mode)
            return state == JX_DONE ? JSON_DONE : JSON_OPEN;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        fresh = 0;
        if (state == JX_DONE) {
            if (line_mode)
                return JSON_BAD; /* something after the value on its line */
            state = JX_VALUE;    /* the next of several documents */
        }
        if (state == JX_COLON) {
            if (c != ':')
                return JSON_BAD;
            state = JX_VALUE;
            i++;
            continue;
        }
        if (state == JX_NEXT_OR_END && c == ',') {
            state = stack[depth - 1] == '{' ? JX_KEY : JX_VALUE;
            i++;
            continue;
        }
        if ((state == JX_KEY_OR_END || state == JX_KEY) && c == '"') {
            end = json_string_end(s, n, i);
            if (end == 0)
                return JSON_BAD;
            state = JX_COLON;
            i = end;
            continue;
        }
        if (state == JX_VALUE && (c == '{' || c == '[')) {
            if (depth == SNIFF_JSON_DEPTH)
                return JSON_OPEN; /* deeper than we look: plausible */
            stack[depth++] = c;
            state = c == '{' ? JX_KEY_OR_END : JX_VALUE;
            fresh = c == '[';
            i++;
            continue;
        }
        if (c == '}' || c == ']') {
            /*
             * Closes the innermost container: after a value, or at once
             * when it is empty ("{}" and "[]", but not "[1,]").
             */
            int empty_ok = (c == '}' && state == JX_KEY_OR_END) ||
                           (c == ']' && state == JX_VALUE && was_fresh);
            if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '[') ||
                (state != JX_NEXT_OR_END && !empty_ok))
                return JSON_BAD;
            depth--;
            i++;
            state = depth == 0 ? JX_DONE : JX_NEXT_OR_END;
            continue;
        }
        if (state != JX_VALUE)
            return JSON_BAD;
        end = c == '"' ? json_string_end(s, n, i) : json_scalar_end(s, n, i);
        if (end == 0)
            return JSON_BAD;
        i = end;
        state = depth == 0 ? JX_DONE : JX_NEXT_OR_END;
    }
    return state == JX_DONE ? JSON_DONE : JSON_OPEN;
}

/*
 * The second non-blank line of s[0..n): does it start a JSON container?
 * (1 too when there is no second line in the head: nothing says otherwise.)
 */
static int second_line_json(const unsigned char *s, size_t n)
{
    const unsigned char *nl = memchr(s, '\n', n);
    size_t i;

    if (nl == NULL)
        return 1;
    i = (size_t)(nl - s) + 1;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i >= n || s[i] == '{' || s[i] == '[';
}

/* "From " line: "From <sender> <asctime date>", the date with an hh:mm. */
static int mbox_from_line(const unsigned char *s, size_t len)
{
    size_t i = 5;
    int colon_time = 0;

    if (len < 5 || memcmp(s, "From ", 5) != 0)
        return 0;
    if (i >= len || s[i] == ' ')
        return 0; /* no sender */
    while (i < len && s[i] != ' ')
        i++;
    for (; i + 2 < len; i++) {
        if (s[i] >= '0' && s[i] <= '9' && s[i + 1] == ':' && s[i + 2] >= '0' &&
            s[i + 2] <= '9')
            colon_time = 1;
    }
    return colon_time;
}

/* An RFC 5322 header line "Name: value" (or a folded continuation). */
static int mail_header_line(const unsigned char *s, size_t len)
{
    size_t i = 0;

    if (len > 0 && (s[0] == ' ' || s[0] == '\t'))
        return 1;
    while (i < len && s[i] > 0x20 && s[i] < 0x7F && s[i] != ':')
        i++;
    return i > 0 && i < len && s[i] == ':';
}

/*
 * Unix mbox: a "From " separator line with a date, then mail headers.  A
 * note that merely begins "From here on" fails both tests.  A .mbox name
 * is enough with the separator alone.
 */
static int looks_mbox(const unsigned char *s, size_t n, const char *name)
{
    const unsigned char *nl = memchr(s, '\n', n);
    size_t len = nl != NULL ? (size_t)(nl - s) : n;
    const unsigned char *l2;
    size_t len2;

    if (len > 0 && s[len - 1] == '\r')
        len--;
    if (!mbox_from_line(s, len))
        return 0;
    if (name_ends(name, ".mbox") || name_ends(name, ".mbx"))
        return 1;
    if (nl == NULL)
        return 0;
    l2 = nl + 1;
    nl = memchr(l2, '\n', (size_t)(s + n - l2));
    len2 = nl != NULL ? (size_t)(nl - l2) : (size_t)(s + n - l2);
    return mail_header_line(l2, len2);
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
    if (looks_mbox(s, n, name)) {
        r->format = PS_FMT_MBOX;
        return;
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
                     s[i] == '\n'))
        i++;
    if (i < n && (s[i] == '{' || s[i] == '[')) {
        /*
         * One value per line is JSONL (a .jsonl name says so outright).  A
         * first line that is valid but does not close is a document
         * (pretty-printed, nested): streamed as JSON rather than failed
         * line by line as JSONL.  So is a .json whose complete first line
         * is followed by something other than another value.  A first line
         * longer than the head stays JSONL, as minified logs do, unless the
         * head is the whole file and never closes.  What is not JSON at all
         * is text, where every line is still searched.
         */
        json_shape line = json_scan(s + i, n - i, 1);
        int has_nl = memchr(s + i, '\n', n - i) != NULL;

        if (name_ends(name, ".jsonl") || name_ends(name, ".ndjson")) {
            r->format = PS_FMT_JSONL;
            return;
        }
        if ((line == JSON_DONE && !(name_ends(name, ".json") &&
                                    !second_line_json(s + i, n - i))) ||
            (line == JSON_OPEN && !has_nl && !whole)) {
            r->format = PS_FMT_JSONL;
            return;
        }
        if (line != JSON_BAD) {
            json_shape doc = json_scan(s + i, n - i, 0);

            if (doc == JSON_DONE || (doc == JSON_OPEN && !whole)) {
                r->format = PS_FMT_JSON;
                return;
            }
        }
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

/* ---------------------------------------------------------- ECB blocks */

/* Blocks in a head, and a hash table twice as large (a power of two). */
#define HEAD_BLOCKS (PS_SNIFF_HEAD / PS_SNIFF_BLOCK)
#define BLOCK_SLOTS (2u * HEAD_BLOCKS)

/* What block_scan learnt about the aligned 16-byte blocks of a head. */
typedef struct block_scan_result {
    int repeated;          /* a random-looking block occurs twice */
    double unique_entropy; /* entropy of the head with repeated blocks left out */
    size_t unique_n;       /* how many bytes that entropy is over */
} block_scan_result;

/* At least PS_SNIFF_BLOCK_MIN_DISTINCT different byte values in the block. */
static int block_looks_random(const unsigned char *b)
{
    unsigned char seen[256] = {0};
    unsigned distinct = 0;

    for (size_t i = 0; i < PS_SNIFF_BLOCK; i++) {
        if (!seen[b[i]]) {
            seen[b[i]] = 1;
            distinct++;
        }
    }
    return distinct >= PS_SNIFF_BLOCK_MIN_DISTINCT;
}

/* FNV-1a over one block: the table only needs a spread, not secrecy. */
static uint32_t block_hash(const unsigned char *b)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < PS_SNIFF_BLOCK; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

/*
 * Look for the ECB fingerprint in head[0..n): the same random-looking block
 * at two 16-byte-aligned offsets.  ECB encrypts equal plaintext blocks to
 * equal ciphertext blocks, so any repetition in the plaintext (headers,
 * padding, a uniform image area) shows through; CBC, CTR, GCM and
 * secretstream output repeats a block with probability about 2^-128.  Also
 * measures the entropy of the head without its repeated blocks: ECB output
 * of repetitive data has a low overall entropy, but its distinct blocks are
 * as random as any ciphertext.  Open addressing over a fixed table of block
 * indices; no allocation, one pass.
 */
static block_scan_result block_scan(const unsigned char *head, size_t n)
{
    uint16_t slot[BLOCK_SLOTS]; /* block index + 1; 0 is empty */
    size_t count[256] = {0};
    size_t nblocks = n / PS_SNIFF_BLOCK;
    block_scan_result r = {0, 0.0, 0};

    if (nblocks > HEAD_BLOCKS)
        nblocks = HEAD_BLOCKS;
    memset(slot, 0, sizeof(slot));
    for (size_t i = 0; i < nblocks; i++) {
        const unsigned char *b = head + i * PS_SNIFF_BLOCK;
        uint32_t k = block_hash(b) & (BLOCK_SLOTS - 1u);
        int dup = 0;

        while (slot[k] != 0) {
            if (memcmp(head + (size_t)(slot[k] - 1) * PS_SNIFF_BLOCK, b,
                       PS_SNIFF_BLOCK) == 0) {
                dup = 1;
                break;
            }
            k = (k + 1u) & (BLOCK_SLOTS - 1u);
        }
        if (dup) {
            if (block_looks_random(b))
                r.repeated = 1;
            continue;
        }
        slot[k] = (uint16_t)(i + 1);
        for (size_t j = 0; j < PS_SNIFF_BLOCK; j++)
            count[b[j]]++;
        r.unique_n += PS_SNIFF_BLOCK;
    }
    /* The unaligned tail counts as unique bytes. */
    for (size_t j = nblocks * PS_SNIFF_BLOCK; j < n; j++) {
        count[head[j]]++;
        r.unique_n++;
    }
    for (int i = 0; i < 256 && r.unique_n > 0; i++) {
        if (count[i] != 0) {
            double p = (double)count[i] / (double)r.unique_n;
            r.unique_entropy -= p * log2(p);
        }
    }
    return r;
}

/* Formats whose records are lines of text: repeated blocks mean nothing there. */
static int is_text_format(ps_format f)
{
    return f == PS_FMT_TEXT || f == PS_FMT_JSONL || f == PS_FMT_CSV ||
           f == PS_FMT_SQLDUMP || f == PS_FMT_JSON || f == PS_FMT_MBOX;
}

/*
 * Random bytes under a SQLite database name, in whole pages: SQLCipher
 * encrypts every page including the first (no "SQLite format 3" header;
 * the first 16 bytes are the KDF salt), and its page sizes are multiples
 * of 1024.
 */
static int looks_sqlcipher(const char *name, uint64_t file_size)
{
    return file_size >= 1024 && file_size % 1024 == 0 &&
           (name_ends(name, ".db") || name_ends(name, ".sqlite") ||
            name_ends(name, ".sqlite3"));
}

/*
 * Everything but the repeated-blocks fact, which ps_sniff_buffer adds.  *bs
 * receives the block scan when classification needed one (bs_done set).
 */
static ps_sniff classify(const unsigned char *head, size_t n, const char *name,
                         uint64_t file_size, block_scan_result *bs, int *bs_done)
{
    ps_sniff r;
    int whole;

    memset(&r, 0, sizeof(r));
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
    if (!looks_random(r.entropy, n)) {
        /* ECB of repetitive data: random blocks, but some of them twice. */
        *bs = block_scan(head, n);
        *bs_done = 1;
        if (!bs->repeated || !looks_random(bs->unique_entropy, bs->unique_n)) {
            r.format = PS_FMT_UNKNOWN;
            return r;
        }
    }
    r.format = PS_FMT_CIPHERTEXT;
    r.cipher = looks_sqlcipher(name, file_size) ? PS_CIPHER_SQLCIPHER : PS_CIPHER_ENTROPY;
    return r;
}

/* ---------------------------------------------------------------- UTF-16 */

/* Write code point cp (at most U+10FFFF) as UTF-8 at out; returns its length. */
static size_t put_utf8(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

#define UTF16_REPLACEMENT 0xFFFDu

size_t ps_utf16_decode(const unsigned char *in, size_t n, int be,
                       unsigned char *out, size_t cap, size_t *used, int final)
{
    size_t i = 0, o = 0;

    while (cap - o >= 4 && i < n) {
        uint32_t u, lo;

        if (n - i < 2) {
            if (!final)
                break; /* half a unit: the rest is in the next read */
            o += put_utf8(out + o, UTF16_REPLACEMENT);
            i = n;
            break;
        }
        u = be ? (uint32_t)in[i] << 8 | in[i + 1] : (uint32_t)in[i + 1] << 8 | in[i];
        if (u < 0xD800 || u > 0xDFFF) {
            o += put_utf8(out + o, u);
            i += 2;
            continue;
        }
        if (u >= 0xDC00) {
            o += put_utf8(out + o, UTF16_REPLACEMENT); /* a low surrogate alone */
            i += 2;
            continue;
        }
        if (n - i < 4) {
            if (!final)
                break; /* its partner may come with the next read */
            o += put_utf8(out + o, UTF16_REPLACEMENT);
            i += 2;
            continue;
        }
        lo = be ? (uint32_t)in[i + 2] << 8 | in[i + 3] : (uint32_t)in[i + 3] << 8 | in[i + 2];
        if (lo < 0xDC00 || lo > 0xDFFF) {
            /* A high surrogate alone: the next unit is decoded on its own. */
            o += put_utf8(out + o, UTF16_REPLACEMENT);
            i += 2;
            continue;
        }
        o += put_utf8(out + o, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 4;
    }
    *used = i;
    return o;
}

/*
 * Does the head look like UTF-16?  A byte-order mark says so outright.
 * Without one, only text that is mostly ASCII (or Latin-1) can be told from
 * binary: at least 16 bytes, and three units in four with one byte zero and
 * the other not, on the same side.  Text in other scripts without a BOM is
 * not recognised (docs/limits.md).  The caller still checks that the
 * decoded head is text, which keeps arrays of small binary integers out.
 */
static ps_encoding utf16_guess(const unsigned char *head, size_t n)
{
    size_t units = n / 2, le = 0, be = 0;

    if (starts(head, n, "\xFF\xFE", 2))
        return PS_ENC_UTF16LE;
    if (starts(head, n, "\xFE\xFF", 2))
        return PS_ENC_UTF16BE;
    if (n < 16 || (head[0] != 0) == (head[1] != 0))
        return PS_ENC_BYTES; /* cheap exit for the common case */
    for (size_t i = 0; i < units; i++) {
        const unsigned char *u = head + 2 * i;

        le += u[0] != 0 && u[1] == 0;
        be += u[0] == 0 && u[1] != 0;
    }
    if (le * 4 >= units * 3)
        return PS_ENC_UTF16LE;
    if (be * 4 >= units * 3)
        return PS_ENC_UTF16BE;
    return PS_ENC_BYTES;
}

/*
 * UTF-16 text: decode the head and sniff the text format from that.  Returns
 * 1 with *r filled when the decoded head is text of a text format, else 0
 * (the bytes are then sniffed as they are).
 */
static int sniff_utf16(const unsigned char *head, size_t n, const char *name,
                       uint64_t file_size, ps_sniff *r)
{
    /* Two bytes of UTF-16 make at most three of UTF-8; 4 spare for the last. */
    unsigned char text[PS_SNIFF_HEAD / 2 * 3 + 4];
    ps_encoding enc = utf16_guess(head, n);
    block_scan_result bs;
    int bs_done = 0, whole = (uint64_t)n >= file_size;
    size_t used, m;

    if (enc == PS_ENC_BYTES)
        return 0;
    m = ps_utf16_decode(head, n, enc == PS_ENC_UTF16BE, text, sizeof(text), &used, whole);
    if (m > PS_SNIFF_HEAD) {
        /* Keep the sniffing window as it is for any file; cut at a character. */
        m = PS_SNIFF_HEAD;
        while (m > 0 && (text[m] & 0xC0) == 0x80)
            m--;
        whole = 0;
    }
    if (m == 0 || !looks_text(text, m))
        return 0;
    *r = classify(text, m, name, whole ? (uint64_t)m : UINT64_MAX, &bs, &bs_done);
    if (!is_text_format(r->format))
        return 0;
    r->encoding = enc;
    return 1;
}

ps_sniff ps_sniff_buffer(const unsigned char *head, size_t n,
                         const char *name, uint64_t file_size)
{
    ps_sniff r;
    block_scan_result bs;
    int bs_done = 0;

    if (file_size == 0 || n == 0) {
        memset(&r, 0, sizeof(r));
        r.format = file_size == 0 ? PS_FMT_EMPTY : PS_FMT_UNKNOWN;
        return r;
    }
    if (n > PS_SNIFF_HEAD)
        n = PS_SNIFF_HEAD;
    if (sniff_utf16(head, n, name, file_size, &r))
        return r;
    r = classify(head, n, name, file_size, &bs, &bs_done);
    if (!is_text_format(r.format)) {
        if (!bs_done)
            bs = block_scan(head, n);
        r.repeated_blocks = bs.repeated != 0;
    }
    return r;
}

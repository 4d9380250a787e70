/*
 * test_sniff.c - format and media detection: a table of {bytes, name,
 * expected} plus the name tables and the entropy function, and the
 * protection facts sniffing gives (cipher kinds, SQLCipher, the ECB
 * fingerprint), and UTF-16: how it is recognised and decoded.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "sniff.h"

/* Deterministic pseudo-random bytes (splitmix64): "random" without flakiness. */
static void fill_random(unsigned char *buf, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        buf[i] = (unsigned char)(z ^ (z >> 31));
    }
}

#define B(s) (const unsigned char *)(s), sizeof(s) - 1

typedef struct sniff_case {
    const char *what;
    const unsigned char *bytes;
    size_t n;
    const char *name;
    ps_format format;
    ps_media media;
    ps_cipher cipher;
    char delim;
} sniff_case;

static const sniff_case cases[] = {
    {"jpeg", B("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01"), "a.jpg", PS_FMT_MEDIA, PS_MEDIA_JPEG, 0, 0},
    {"png", B("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "a.png", PS_FMT_MEDIA, PS_MEDIA_PNG, 0, 0},
    {"png named .txt", B("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "notes.txt", PS_FMT_MEDIA, PS_MEDIA_PNG, 0, 0},
    {"gif87a", B("GIF87a\x01\x00\x01\x00"), "a.gif", PS_FMT_MEDIA, PS_MEDIA_GIF, 0, 0},
    {"gif89a", B("GIF89a\x01\x00\x01\x00"), NULL, PS_FMT_MEDIA, PS_MEDIA_GIF, 0, 0},
    {"webp", B("RIFF\x24\x00\x00\x00WEBPVP8 "), NULL, PS_FMT_MEDIA, PS_MEDIA_WEBP, 0, 0},
    {"wav", B("RIFF\x24\x00\x00\x00WAVEfmt "), NULL, PS_FMT_MEDIA, PS_MEDIA_WAV, 0, 0},
    {"heic", B("\x00\x00\x00\x18" "ftypheic\x00\x00\x00\x00mif1heic"), NULL, PS_FMT_MEDIA, PS_MEDIA_HEIC, 0, 0},
    {"heic via compatible brand", B("\x00\x00\x00\x18" "ftypzzzz\x00\x00\x00\x00mif1heic"), NULL, PS_FMT_MEDIA, PS_MEDIA_HEIC, 0, 0},
    {"m4a", B("\x00\x00\x00\x1c" "ftypM4A \x00\x00\x02\x00M4A isom"), NULL, PS_FMT_MEDIA, PS_MEDIA_M4A, 0, 0},
    {"mp4", B("\x00\x00\x00\x20" "ftypisom\x00\x00\x02\x00isomiso2"), NULL, PS_FMT_MEDIA, PS_MEDIA_MP4, 0, 0},
    {"3gp", B("\x00\x00\x00\x14" "ftyp3gp4\x00\x00\x00\x00"), NULL, PS_FMT_MEDIA, PS_MEDIA_MP4, 0, 0},
    {"mp3 id3", B("ID3\x03\x00\x00\x00\x00\x0f\x76"), "a.mp3", PS_FMT_MEDIA, PS_MEDIA_MP3, 0, 0},
    {"amr", B("#!AMR\n\x3c\x48\xf5\x1f"), NULL, PS_FMT_MEDIA, PS_MEDIA_AMR, 0, 0},
    {"amr-wb", B("#!AMR-WB\n\x04\x10"), NULL, PS_FMT_MEDIA, PS_MEDIA_AMR, 0, 0},
    {"ogg", B("OggS\x00\x02\x00\x00\x00\x00"), NULL, PS_FMT_MEDIA, PS_MEDIA_OGG, 0, 0},
    {"sqlite", B("SQLite format 3\x00\x10\x00\x01\x01"), "app.db", PS_FMT_SQLITE, 0, 0, 0},
    {"envelope", B("\x89PSE\r\n\x1a\n\x01rest"), NULL, PS_FMT_CIPHERTEXT, 0, PS_CIPHER_ENVELOPE, 0},
    {"openssl", B("Salted__\x01\x02\x03\x04\x05\x06\x07\x08"), NULL, PS_FMT_CIPHERTEXT, 0, PS_CIPHER_OPENSSL, 0},
    {"gzip", B("\x1f\x8b\x08\x00\x00\x00\x00\x00"), "x.gz", PS_FMT_COMPRESSED, 0, 0, 0},
    {"zip", B("PK\x03\x04\x14\x00\x00\x00"), NULL, PS_FMT_COMPRESSED, 0, 0, 0},
    {"bzip2", B("BZh91AY&SY"), NULL, PS_FMT_COMPRESSED, 0, 0, 0},
    {"xz", B("\xFD" "7zXZ\x00\x00\x04"), NULL, PS_FMT_COMPRESSED, 0, 0, 0},
    {"zstd", B("\x28\xB5\x2F\xFD\x00\x58"), NULL, PS_FMT_COMPRESSED, 0, 0, 0},
    {"7z", B("7z\xBC\xAF\x27\x1C\x00\x04"), NULL, PS_FMT_COMPRESSED, 0, 0, 0},
    {"text", B("hello there\nthis is a note\n"), "notes.txt", PS_FMT_TEXT, 0, 0, 0},
    {"text utf-8", B("caf\xc3\xa9 ouvert\nna\xc3\xafve\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"jsonl", B("{\"id\":1,\"body\":\"hi\"}\n{\"id\":2}\n"), "chat.log", PS_FMT_JSONL, 0, 0, 0},
    {"jsonl array", B("[1,\"a\"]\n[2,\"b\"]\n"), NULL, PS_FMT_JSONL, 0, 0, 0},
    {"jsonl bom", B("\xEF\xBB\xBF{\"a\":\"x\"}\n"), NULL, PS_FMT_JSONL, 0, 0, 0},
    {"pretty json, .txt (content decides)", B("{\n  \"a\": 1\n}\n"), "x.txt", PS_FMT_JSON, 0, 0, 0},
    {"pretty json, .json", B("{\n  \"a\": 1\n}\n"), "x.json", PS_FMT_JSON, 0, 0, 0},
    {"pretty json, no name", B("  \n[\n  {\"id\": 1},\n  {\"id\": 2}\n]"), NULL, PS_FMT_JSON, 0, 0, 0},
    {"json doc, bom", B("\xEF\xBB\xBF{\n\"a\": [1,\n2]}\n"), NULL, PS_FMT_JSON, 0, 0, 0},
    {"two pretty documents", B("{\n\"a\": 1\n}\n{\n\"b\": 2\n}\n"), NULL, PS_FMT_JSON, 0, 0, 0},
    {".json: value line, then no value", B("{\"a\": 1}\n\"tail\"\n"), "x.json", PS_FMT_JSON, 0, 0, 0},
    {".json: one value per line stays jsonl", B("{\"a\": 1}\n{\"b\": 2}\n"), "x.json", PS_FMT_JSONL, 0, 0, 0},
    {".jsonl name, pretty first line", B("{\n\"a\": 1}\n"), "x.jsonl", PS_FMT_JSONL, 0, 0, 0},
    {"unbalanced whole file is text", B("{\n  \"a\": [1,\n"), "x.json", PS_FMT_TEXT, 0, 0, 0},
    {"closing too much is text", B("{\n}}\nmore\n"), "x.json", PS_FMT_TEXT, 0, 0, 0},
    {"raw newline in a string is text", B("{\n\"a\": \"x\ny\"}\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"bracketed chat log is text", B("[2015-11-14 10:00:01] <kid> hello\n[2015-11-14 10:00:02] <mom> hi\n"), "chat.log", PS_FMT_TEXT, 0, 0, 0},
    {"bracketed level is text", B("[INFO] server started\n[WARN] disk\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"braces, not json", B("{not json}\n{nor this}\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"value then junk on the line", B("{\"a\":1} trailing\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"trailing comma is not json", B("[1,]\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"empty containers are jsonl", B("[ ]\n{ }\n[[], {}, -0.5e+3, true, null, \"\\u00e9\"]\n"), NULL, PS_FMT_JSONL, 0, 0, 0},
    {"mbox", B("From ann@example.com Mon Jan  1 10:00:00 2024\nFrom: Ann <ann@example.com>\nSubject: hi\n\nbody\n"), "inbox", PS_FMT_MBOX, 0, 0, 0},
    {"mbox, crlf, named .txt", B("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\nReturn-Path: <x@y>\r\n"), "notes.txt", PS_FMT_MBOX, 0, 0, 0},
    {"mbox by name, separator only", B("From ann@example.com Mon Jan  1 10:00:00 2024\n"), "saved.mbox", PS_FMT_MBOX, 0, 0, 0},
    {"from-prose is text", B("From here on we talk at 10:30\nabout things\n"), "notes.txt", PS_FMT_TEXT, 0, 0, 0},
    {"from without a date is text", B("From ann@example.com\nSubject: x\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"from line, no headers is text", B("From ann@example.com Mon Jan  1 10:00:00 2024\nhello there\n"), NULL, PS_FMT_TEXT, 0, 0, 0},
    {"csv comma", B("id,name,email\n1,Ann,a@x.org\n2,Bob,b@x.org\n"), "u.dat", PS_FMT_CSV, 0, 0, ','},
    {"csv semicolon", B("id;name\n1;Ann\n2;Bob\n"), NULL, PS_FMT_CSV, 0, 0, ';'},
    {"csv tab", B("id\tname\n1\tAnn\n2\tBob\n"), NULL, PS_FMT_CSV, 0, 0, '\t'},
    {"csv quoted delimiter", B("a,b\n\"x,y\",z\n\"p\",q\n"), NULL, PS_FMT_CSV, 0, 0, ','},
    {"csv bom", B("\xEF\xBB\xBFid,name\n1,Ann\n"), NULL, PS_FMT_CSV, 0, 0, ','},
    {"csv by name, one line", B("id,name,email\n"), "u.csv", PS_FMT_CSV, 0, 0, ','},
    {"inconsistent, not csv", B("a, b\nno delimiter here\n"), "notes.txt", PS_FMT_TEXT, 0, 0, 0},
    {"mysql dump", B("-- MySQL dump 10.13  Distrib 8.0.33\n--\n-- Host: db\n"), "backup", PS_FMT_SQLDUMP, 0, 0, 0},
    {"mariadb dump", B("-- MariaDB dump 10.19\n"), NULL, PS_FMT_SQLDUMP, 0, 0, 0},
    {"pg dump", B("--\n-- PostgreSQL database dump\n--\n\nSET x = 0;\n"), "db.out", PS_FMT_SQLDUMP, 0, 0, 0},
    {".sql with statements", B("CREATE TABLE t (id int, name text);\nINSERT INTO t VALUES (1,'a');\n"), "schema.sql", PS_FMT_SQLDUMP, 0, 0, 0},
    {"utf-16 with bom", B("\xFF\xFEh\x00i\x00\n\x00"), "u16.txt", PS_FMT_TEXT, 0, 0, 0},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const sniff_case *t = &cases[i];
        ps_sniff s = ps_sniff_buffer(t->bytes, t->n, t->name, t->n);

        print_message("case: %s\n", t->what);
        assert_int_equal(s.format, t->format);
        assert_int_equal(s.media, t->media);
        assert_int_equal(s.cipher, t->cipher);
        if (t->format == PS_FMT_CSV)
            assert_int_equal(s.delimiter, t->delim);
    }
}

/* ------------------------------------------------------------ UTF-16 */

typedef struct utf16_case {
    const char *what;
    const unsigned char *bytes;
    size_t n;
    uint64_t file_size;  /* 0: n (the head is the whole file) */
    ps_format format;
    ps_encoding encoding;
} utf16_case;

/* UTF-16 is sniffed from its decoded head; what does not decode to text is not. */
static void test_utf16_sniff(void **state)
{
    static const utf16_case u16[] = {
        {"le bom text", B("\xFF\xFEh\x00i\x00 \x00t\x00h\x00" "e\x00r\x00" "e\x00\n\x00"), 0,
         PS_FMT_TEXT, PS_ENC_UTF16LE},
        {"be bom csv", B("\xFE\xFF\x00" "a\x00,\x00" "b\x00\n\x00" "1\x00,\x00" "2\x00\n"), 0,
         PS_FMT_CSV, PS_ENC_UTF16BE},
        {"le no bom log", B("l\x00o\x00g\x00i\x00n\x00 \x00o\x00k\x00 \x00u\x00=\x00" "a\x00@\x00" "b\x00\n\x00"), 0,
         PS_FMT_TEXT, PS_ENC_UTF16LE},
        {"be no bom jsonl", B("\x00{\x00\"\x00k\x00\"\x00:\x00" "1\x00}\x00\n\x00{\x00\"\x00k\x00\"\x00:\x00" "2\x00}\x00\n"), 0,
         PS_FMT_JSONL, PS_ENC_UTF16BE},
        {"le bom, emoji pair", B("\xFF\xFEo\x00k\x00 \x00=\xD8\x00\xDE\n\x00"), 0,
         PS_FMT_TEXT, PS_ENC_UTF16LE},
        {"le bom, head of a longer file", B("\xFF\xFEh\x00i\x00\n\x00h\x00"), 1u << 20,
         PS_FMT_TEXT, PS_ENC_UTF16LE},
        {"bom, then binary", B("\xFF\xFE\x01\x00\x02\x00\x03\x00\x04\x00"), 0,
         PS_FMT_UNKNOWN, PS_ENC_BYTES},
        {"small le integers, no bom", B("\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x00"), 0,
         PS_FMT_UNKNOWN, PS_ENC_BYTES},
        {"too short without a bom", B("h\x00i\x00"), 0, PS_FMT_UNKNOWN, PS_ENC_BYTES},
        {"utf-8 stays bytes", B("plain text, nothing else\n"), 0, PS_FMT_TEXT, PS_ENC_BYTES},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(u16) / sizeof(u16[0]); i++) {
        const utf16_case *t = &u16[i];
        ps_sniff s = ps_sniff_buffer(t->bytes, t->n, "f", t->file_size ? t->file_size : t->n);

        print_message("case: %s\n", t->what);
        assert_int_equal(s.format, t->format);
        assert_int_equal(s.encoding, t->encoding);
    }
}

typedef struct decode_case {
    const char *what;
    const unsigned char *in;
    size_t n;
    int be, final;
    size_t cap;
    const char *out;     /* expected UTF-8 */
    size_t used;
} decode_case;

static void test_utf16_decode(void **state)
{
    static const decode_case dec[] = {
        {"ascii le", B("A\x00" "b\x00"), 0, 1, 16, "Ab", 4},
        {"ascii be", B("\x00" "A\x00" "b"), 1, 1, 16, "Ab", 4},
        {"two and three bytes", B("\xE9\x00\xAC\x20"), 0, 1, 16, "\xC3\xA9\xE2\x82\xAC", 4},
        {"surrogate pair", B("\x3D\xD8\x00\xDE"), 0, 1, 16, "\xF0\x9F\x98\x80", 4},
        {"lone low surrogate", B("\x00\xDC" "A\x00"), 0, 1, 16, "\xEF\xBF\xBD" "A", 4},
        {"high surrogate, then a letter", B("\x3D\xD8" "A\x00"), 0, 1, 16, "\xEF\xBF\xBD" "A", 4},
        {"high surrogate at the end, more to come", B("A\x00\x3D\xD8"), 0, 0, 16, "A", 2},
        {"high surrogate at the end of the data", B("A\x00\x3D\xD8"), 0, 1, 16, "A\xEF\xBF\xBD", 4},
        {"odd byte, more to come", B("A\x00" "B"), 0, 0, 16, "A", 2},
        {"odd byte at the end of the data", B("A\x00" "B"), 0, 1, 16, "A\xEF\xBF\xBD", 3},
        {"no room for one character", B("A\x00"), 0, 1, 3, "", 0},
        {"room for two of three", B("A\x00" "B\x00" "C\x00"), 0, 1, 5, "AB", 4},
        {"bom is a character", B("\xFF\xFE" "A\x00"), 0, 1, 16, "\xEF\xBB\xBF" "A", 4},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
        const decode_case *t = &dec[i];
        unsigned char out[16];
        size_t used = 99, m;

        print_message("case: %s\n", t->what);
        m = ps_utf16_decode(t->in, t->n, t->be, out, t->cap, &used, t->final);
        assert_int_equal(m, strlen(t->out));
        assert_memory_equal(out, t->out, m);
        assert_int_equal(used, t->used);
    }
}

static void test_empty(void **state)
{
    ps_sniff s = ps_sniff_buffer((const unsigned char *)"", 0, "x.csv", 0);

    (void)state;
    assert_int_equal(s.format, PS_FMT_EMPTY);
}

static void test_random(void **state)
{
    unsigned char buf[4096];
    ps_sniff s;

    (void)state;
    /* A 32-byte key: small, but as random as 32 bytes can be. */
    fill_random(buf, 32, 1);
    s = ps_sniff_buffer(buf, 32, "k.bin", 32);
    assert_int_equal(s.format, PS_FMT_CIPHERTEXT);
    assert_int_equal(s.cipher, PS_CIPHER_ENTROPY);
    assert_true(s.entropy > 4.0);

    fill_random(buf, sizeof(buf), 2);
    s = ps_sniff_buffer(buf, sizeof(buf), "blob", sizeof(buf));
    assert_int_equal(s.format, PS_FMT_CIPHERTEXT);
    assert_true(s.entropy > 7.9);

    /* Content wins over a misleading name. */
    fill_random(buf, sizeof(buf), 3);
    s = ps_sniff_buffer(buf, sizeof(buf), "users.sqlite", 1u << 20);
    assert_int_equal(s.format, PS_FMT_CIPHERTEXT);

    /* Too few bytes to tell. */
    fill_random(buf, 8, 4);
    buf[0] = 0x01;
    s = ps_sniff_buffer(buf, 8, NULL, 8);
    assert_int_equal(s.format, PS_FMT_UNKNOWN);
}

static void test_low_entropy_binary(void **state)
{
    unsigned char buf[2048];
    ps_sniff s;

    (void)state;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i % 4 == 0 ? 0 : i % 7);
    s = ps_sniff_buffer(buf, sizeof(buf), "data.bin", sizeof(buf));
    assert_int_equal(s.format, PS_FMT_UNKNOWN);
    assert_true(s.entropy < 3.0);
}

/* A valid MPEG-1 Layer III stream: two 417-byte frames at 128 kbit/s. */
static void test_mp3_sync(void **state)
{
    unsigned char buf[900];
    ps_sniff s;

    (void)state;
    fill_random(buf, sizeof(buf), 5);
    memcpy(buf, "\xFF\xFB\x90\x64", 4);
    memcpy(buf + 417, "\xFF\xFB\x90\x64", 4);
    s = ps_sniff_buffer(buf, sizeof(buf), "v.bin", sizeof(buf));
    assert_int_equal(s.format, PS_FMT_MEDIA);
    assert_int_equal(s.media, PS_MEDIA_MP3);

    /* One plausible header over random bytes is not an MP3. */
    buf[417] = 0x12;
    s = ps_sniff_buffer(buf, sizeof(buf), "v.bin", sizeof(buf));
    assert_int_not_equal(s.media, PS_MEDIA_MP3);
    assert_int_equal(s.format, PS_FMT_CIPHERTEXT);

    /* Reserved bits (bitrate index 15) are rejected outright. */
    memcpy(buf, "\xFF\xFB\xF0\x64", 4);
    memcpy(buf + 417, "\xFF\xFB\xF0\x64", 4);
    s = ps_sniff_buffer(buf, sizeof(buf), "v.bin", sizeof(buf));
    assert_int_not_equal(s.media, PS_MEDIA_MP3);
}

/* A multi-byte character cut by the end of the head is still text. */
static void test_utf8_cut(void **state)
{
    unsigned char buf[64];
    ps_sniff s;

    (void)state;
    memset(buf, 'a', sizeof(buf));
    buf[62] = 0xC3;
    buf[63] = 0xA9;
    s = ps_sniff_buffer(buf, 63, "n.txt", 1000);
    assert_int_equal(s.format, PS_FMT_TEXT);
    /* But an invalid byte is not. */
    buf[10] = 0xFF;
    s = ps_sniff_buffer(buf, 63, "n.txt", 1000);
    assert_int_not_equal(s.format, PS_FMT_TEXT);
}

/* A JSONL line longer than the head is still JSONL (minified logs). */
static void test_jsonl_long_first_line(void **state)
{
    unsigned char buf[PS_SNIFF_HEAD];
    ps_sniff s;

    (void)state;
    memset(buf, 'x', sizeof(buf));
    memcpy(buf, "{\"body\":\"", 9);
    s = ps_sniff_buffer(buf, sizeof(buf), "chat.log", 100000);
    assert_int_equal(s.format, PS_FMT_JSONL);
    /* The same bytes as a whole (unterminated) file are not a JSON value. */
    s = ps_sniff_buffer(buf, sizeof(buf), "chat.log", sizeof(buf));
    assert_int_equal(s.format, PS_FMT_TEXT);
}

/*
 * A document larger than the head: what the head shows is open at its end,
 * which says nothing against JSON; the same bytes as a whole file do.
 */
static void test_json_document_cut(void **state)
{
    static const char head[] = "{\n  \"log\": [\n    {\"m\": \"a";
    ps_sniff s;

    (void)state;
    s = ps_sniff_buffer((const unsigned char *)head, sizeof(head) - 1, "big.json", 1u << 20);
    assert_int_equal(s.format, PS_FMT_JSON);
    s = ps_sniff_buffer((const unsigned char *)head, sizeof(head) - 1, "big.json", sizeof(head) - 1);
    assert_int_equal(s.format, PS_FMT_TEXT);
}

/* --- SQLCipher ---------------------------------------------------------------- */

typedef struct sqlcipher_case {
    const char *name;
    uint64_t size;
    ps_cipher want;
} sqlcipher_case;

static const sqlcipher_case sqlcipher_cases[] = {
    {"users.db", 8192, PS_CIPHER_SQLCIPHER},
    {"learninglodge.sqlite", 1u << 20, PS_CIPHER_SQLCIPHER},
    {"LEARNINGLODGE.SQLITE3", 4096 * 3, PS_CIPHER_SQLCIPHER},
    {"data/app.db", 1024 * 5, PS_CIPHER_SQLCIPHER},
    {"users.db", 8193, PS_CIPHER_ENTROPY},         /* not whole pages */
    {"users.db", 8192 + 512, PS_CIPHER_ENTROPY},   /* 512-byte pages are not SQLCipher's */
    {"users.db.enc", 8192, PS_CIPHER_ENTROPY},     /* the name must end like a database */
    {"users.dbx", 8192, PS_CIPHER_ENTROPY},
    {"blob.bin", 8192, PS_CIPHER_ENTROPY},
    {NULL, 8192, PS_CIPHER_ENTROPY},
};

/* Random pages under a database name are an encrypted database. */
static void test_sqlcipher(void **state)
{
    unsigned char buf[4096];
    ps_sniff s;

    (void)state;
    fill_random(buf, sizeof(buf), 11);
    for (size_t i = 0; i < sizeof(sqlcipher_cases) / sizeof(sqlcipher_cases[0]); i++) {
        const sqlcipher_case *c = &sqlcipher_cases[i];

        s = ps_sniff_buffer(buf, sizeof(buf), c->name, c->size);
        print_message("case: %s %llu\n", c->name != NULL ? c->name : "(none)",
                      (unsigned long long)c->size);
        assert_int_equal(s.format, PS_FMT_CIPHERTEXT);
        assert_int_equal(s.cipher, c->want);
    }
    /* A plain SQLite database keeps its header, whatever its size. */
    memcpy(buf, "SQLite format 3\0", 16);
    s = ps_sniff_buffer(buf, sizeof(buf), "users.db", 8192);
    assert_int_equal(s.format, PS_FMT_SQLITE);
    assert_int_equal(s.cipher, PS_CIPHER_NONE);
    /* Low-entropy bytes under a database name are not ciphertext at all. */
    memset(buf, 0, sizeof(buf));
    s = ps_sniff_buffer(buf, sizeof(buf), "users.db", 8192);
    assert_int_equal(s.format, PS_FMT_UNKNOWN);
    assert_int_equal(s.cipher, PS_CIPHER_NONE);
}

/* --- the ECB fingerprint ----------------------------------------------------------- */

/* Random data: no block repeats, whatever the size of the head. */
static void test_blocks_random(void **state)
{
    unsigned char buf[PS_SNIFF_HEAD];
    ps_sniff s;

    (void)state;
    for (uint64_t seed = 20; seed < 36; seed++) {
        fill_random(buf, sizeof(buf), seed);
        s = ps_sniff_buffer(buf, sizeof(buf), "x.enc", sizeof(buf));
        assert_int_equal(s.format, PS_FMT_CIPHERTEXT);
        assert_false(s.repeated_blocks);
    }
    fill_random(buf, 100, 40);
    s = ps_sniff_buffer(buf, 100, "x.enc", 100);
    assert_false(s.repeated_blocks);
}

/* One aligned block copied: the fingerprint; the same copy unaligned: none. */
static void test_blocks_repeated(void **state)
{
    unsigned char buf[PS_SNIFF_HEAD];
    ps_sniff s;

    (void)state;
    fill_random(buf, sizeof(buf), 41);
    memcpy(buf + 16 * 100, buf + 16 * 3, 16);
    s = ps_sniff_buffer(buf, sizeof(buf), "x.enc", 1u << 20);
    assert_int_equal(s.format, PS_FMT_CIPHERTEXT);
    assert_int_equal(s.cipher, PS_CIPHER_ENTROPY);
    assert_true(s.repeated_blocks);

    /* the last two blocks of the head */
    fill_random(buf, sizeof(buf), 42);
    memcpy(buf + sizeof(buf) - 16, buf + sizeof(buf) - 32, 16);
    s = ps_sniff_buffer(buf, sizeof(buf), "x.enc", sizeof(buf));
    assert_true(s.repeated_blocks);

    /* a copy at an offset that is not a multiple of 16 */
    fill_random(buf, sizeof(buf), 43);
    memcpy(buf + 16 * 100 + 5, buf + 16 * 3, 16);
    s = ps_sniff_buffer(buf, sizeof(buf), "x.enc", sizeof(buf));
    assert_false(s.repeated_blocks);

    /* a repeat past the end of what the caller gives is not seen */
    fill_random(buf, sizeof(buf), 44);
    memcpy(buf + 16 * 200, buf, 16);
    s = ps_sniff_buffer(buf, 16 * 200, "x.enc", 1u << 20);
    assert_false(s.repeated_blocks);
    s = ps_sniff_buffer(buf, 16 * 201, "x.enc", 1u << 20);
    assert_true(s.repeated_blocks);
}

/* Filler (zero padding, one byte repeated) is not what ECB produces. */
static void test_blocks_filler(void **state)
{
    unsigned char buf[PS_SNIFF_HEAD];
    ps_sniff s;

    (void)state;
    fill_random(buf, sizeof(buf), 45);
    memset(buf + 16 * 400, 0, 16 * 4); /* four zero blocks */
    s = ps_sniff_buffer(buf, sizeof(buf), "x.enc", sizeof(buf));
    assert_int_equal(s.format, PS_FMT_CIPHERTEXT);
    assert_false(s.repeated_blocks);

    /* 9 distinct values in a block: still filler; 10: random enough */
    fill_random(buf, sizeof(buf), 46);
    for (int i = 0; i < 16; i++)
        buf[16 * 7 + i] = buf[16 * 9 + i] = (unsigned char)(i < 9 ? 0x40 + i : 0x40);
    s = ps_sniff_buffer(buf, sizeof(buf), "x.enc", sizeof(buf));
    assert_false(s.repeated_blocks);
    for (int i = 0; i < 16; i++)
        buf[16 * 7 + i] = buf[16 * 9 + i] = (unsigned char)(i < 10 ? 0x40 + i : 0x40);
    s = ps_sniff_buffer(buf, sizeof(buf), "x.enc", sizeof(buf));
    assert_true(s.repeated_blocks);
}

/*
 * ECB of repetitive plaintext: eight random blocks over and over.  The head
 * as a whole is far from random (7 bits at most), but its distinct blocks
 * are: ciphertext, with the fingerprint.  Salted__ output keeps its kind.
 */
static void test_blocks_ecb(void **state)
{
    unsigned char buf[PS_SNIFF_HEAD];
    ps_sniff s;

    (void)state;
    fill_random(buf, 16 * 8, 47);
    for (size_t i = 16 * 8; i < sizeof(buf); i++)
        buf[i] = buf[i % (16 * 8)];
    s = ps_sniff_buffer(buf, sizeof(buf), "photo.bmp.enc", 1u << 16);
    assert_true(s.entropy < 7.5);
    assert_int_equal(s.format, PS_FMT_CIPHERTEXT);
    assert_int_equal(s.cipher, PS_CIPHER_ENTROPY);
    assert_true(s.repeated_blocks);

    /* OpenSSL `enc -aes-128-ecb`: "Salted__", 8 bytes of salt, then blocks */
    fill_random(buf, sizeof(buf), 48);
    memcpy(buf, "Salted__", 8);
    memcpy(buf + 16 * 50, buf + 16 * 20, 16);
    s = ps_sniff_buffer(buf, sizeof(buf), "users.csv.enc", sizeof(buf));
    assert_int_equal(s.cipher, PS_CIPHER_OPENSSL);
    assert_true(s.repeated_blocks);
}

/* Structured binary repeats blocks too, but they are not random: not ECB. */
static void test_blocks_structured(void **state)
{
    unsigned char buf[2048];
    ps_sniff s;

    (void)state;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i % 4 == 0 ? 0 : i % 7);
    s = ps_sniff_buffer(buf, sizeof(buf), "data.bin", sizeof(buf));
    assert_int_equal(s.format, PS_FMT_UNKNOWN);
    assert_false(s.repeated_blocks);
}

/* Text never carries the fact, even when its lines repeat aligned blocks. */
static void test_blocks_text(void **state)
{
    static const char line[] = "KX7q2Lm9Pz4RwT8v\n"; /* 16 bytes + newline = 17 */
    char buf[PS_SNIFF_HEAD];
    size_t n = 0;
    ps_sniff s;

    (void)state;
    /* "0123456789abcdef" twice at aligned offsets, in a text file */
    n = 0;
    memcpy(buf + n, "0123456789abcdef0123456789abcdef\n", 33);
    n += 33;
    while (n + sizeof(line) - 1 < sizeof(buf)) {
        memcpy(buf + n, line, sizeof(line) - 1);
        n += sizeof(line) - 1;
    }
    s = ps_sniff_buffer((const unsigned char *)buf, n, "notes.txt", n);
    assert_int_equal(s.format, PS_FMT_TEXT);
    assert_false(s.repeated_blocks);
}

static void test_names(void **state)
{
    ps_format f;
    ps_media m;
    ps_cipher c;

    (void)state;
    for (int i = 0; i < PS_FMT_COUNT; i++) {
        assert_int_equal(ps_format_parse(ps_format_name((ps_format)i), &f), 0);
        assert_int_equal(f, i);
    }
    assert_string_equal(ps_format_name(PS_FMT_SQLDUMP), "sqldump");
    assert_string_equal(ps_format_name(PS_FMT_CIPHERTEXT), "ciphertext");
    assert_int_equal(ps_format_parse("bogus", &f), -1);
    for (int i = 0; i < PS_MEDIA_COUNT; i++) {
        assert_int_equal(ps_media_parse(ps_media_name((ps_media)i), &m), 0);
        assert_int_equal(m, i);
    }
    assert_string_equal(ps_media_name(PS_MEDIA_NONE), "none");
    assert_string_equal(ps_media_name(PS_MEDIA_HEIC), "heic");
    assert_int_equal(ps_media_parse("tiff", &m), -1);
    for (int i = 1; i < PS_CIPHER_COUNT; i++) {
        assert_int_equal(ps_cipher_parse(ps_cipher_name((ps_cipher)i), &c), 0);
        assert_int_equal(c, i);
    }
    assert_string_equal(ps_cipher_name(PS_CIPHER_SQLCIPHER), "sqlcipher");
    assert_string_equal(ps_cipher_name(PS_CIPHER_OPENSSL), "openssl");
    assert_string_equal(ps_cipher_name(PS_CIPHER_NONE), "none");
    assert_string_equal(ps_cipher_name((ps_cipher)99), "none");
    assert_int_equal(ps_cipher_parse("none", &c), -1);
    assert_int_equal(ps_cipher_parse("aes", &c), -1);
}

static void test_media_class(void **state)
{
    static const struct { ps_media m; ps_media_class c; } t[] = {
        {PS_MEDIA_NONE, PS_MEDIA_CLASS_NONE},
        {PS_MEDIA_JPEG, PS_MEDIA_CLASS_IMAGE}, {PS_MEDIA_PNG, PS_MEDIA_CLASS_IMAGE},
        {PS_MEDIA_GIF, PS_MEDIA_CLASS_IMAGE}, {PS_MEDIA_WEBP, PS_MEDIA_CLASS_IMAGE},
        {PS_MEDIA_HEIC, PS_MEDIA_CLASS_IMAGE}, {PS_MEDIA_WAV, PS_MEDIA_CLASS_AUDIO},
        {PS_MEDIA_MP3, PS_MEDIA_CLASS_AUDIO}, {PS_MEDIA_AMR, PS_MEDIA_CLASS_AUDIO},
        {PS_MEDIA_OGG, PS_MEDIA_CLASS_AUDIO}, {PS_MEDIA_M4A, PS_MEDIA_CLASS_AUDIO},
        {PS_MEDIA_MP4, PS_MEDIA_CLASS_VIDEO},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_int_equal(ps_media_class_of(t[i].m), t[i].c);
}

static void test_entropy(void **state)
{
    unsigned char all[256];

    (void)state;
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    assert_true(ps_entropy(all, 0) == 0.0);
    assert_true(ps_entropy((const unsigned char *)"aaaa", 4) == 0.0);
    assert_true(fabs(ps_entropy((const unsigned char *)"abab", 4) - 1.0) < 1e-9);
    assert_true(fabs(ps_entropy(all, 256) - 8.0) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_utf16_sniff),
        cmocka_unit_test(test_utf16_decode),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_low_entropy_binary),
        cmocka_unit_test(test_mp3_sync),
        cmocka_unit_test(test_utf8_cut),
        cmocka_unit_test(test_jsonl_long_first_line),
        cmocka_unit_test(test_json_document_cut),
        cmocka_unit_test(test_sqlcipher),
        cmocka_unit_test(test_blocks_random),
        cmocka_unit_test(test_blocks_repeated),
        cmocka_unit_test(test_blocks_filler),
        cmocka_unit_test(test_blocks_ecb),
        cmocka_unit_test(test_blocks_structured),
        cmocka_unit_test(test_blocks_text),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_media_class),
        cmocka_unit_test(test_entropy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

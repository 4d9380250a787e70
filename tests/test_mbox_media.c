/*
 * test_mbox_media.c - the mbox reader and the EXIF part of the media
 * reader, on inputs built at test time in a scratch directory.
 *
 * mbox: records are compared exactly (field, value, line).  EXIF: small
 * JPEGs are assembled byte by byte in both TIFF byte orders, then broken on
 * purpose (offsets past the end, counts that overflow, a GPS pointer that
 * loops back, truncation at every length, flipped bytes) to check that
 * broken EXIF costs the GPS record and nothing else.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "read.h"
#include "sniff.h"
#include "util.h"
#include "scratch.h"

/* ------------------------------------------------------------ helpers */

typedef struct tmp_state {
    char dir[64];
    int next;
} tmp_state;

typedef struct rec_copy {
    char *field;
    char *value;
    ps_loc_kind kind;
    uint64_t line;
    ps_media media;
} rec_copy;

typedef struct collect {
    rec_copy *r;
    size_t n, cap;
    size_t stop_after; /* 0: never stop */
} collect;

static int collect_fn(void *ud, const ps_record *rec)
{
    collect *c = ud;
    rec_copy *r;

    if (ps_grow(&c->r, &c->cap, c->n + 1, sizeof(rec_copy)) != PS_OK)
        return 1;
    r = &c->r[c->n++];
    r->field = ps_strndup(rec->field, rec->field_len);
    r->value = ps_strndup(rec->value, rec->value_len);
    r->kind = rec->loc.kind;
    r->line = rec->loc.line;
    r->media = rec->media;
    return c->stop_after != 0 && c->n >= c->stop_after;
}

static void collect_free(collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->r[i].field);
        free(c->r[i].value);
    }
    free(c->r);
    memset(c, 0, sizeof(*c));
}

/* Index of the first record with this field, or -1. */
static long find_field(const collect *c, const char *field)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->r[i].field, field) == 0)
            return (long)i;
    }
    return -1;
}

static void write_file(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

/*
 * Write data to a fresh file, build the ps_source by hand as scan.c would
 * (sniffed head), force the format the reader is for, and run it.
 */
static ps_status run_reader_tr(void **state, const ps_reader *r, ps_transport tr,
                               const void *data, size_t n, size_t max_record,
                               collect *out, ps_diag *diag)
{
    tmp_state *ts = *state;
    unsigned char head[PS_SNIFF_HEAD];
    char path[128];
    struct stat sb;
    ps_source src;
    ssize_t got;
    ps_status st;
    int fd;

    snprintf(path, sizeof(path), "%s/in%d", ts->dir, ts->next++);
    write_file(path, data, n);
    fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &sb), 0);
    got = pread(fd, head, sizeof(head), 0);
    assert_true(got >= 0);
    memset(&src, 0, sizeof(src));
    src.fd = fd;
    src.open_path = path;
    src.rel_path = strrchr(path, '/') + 1;
    src.size = (uint64_t)sb.st_size;
    src.sniff = ps_sniff_buffer(head, (size_t)got, src.rel_path, src.size);
    src.sniff.format = r->format;
    if (r->format == PS_FMT_MEDIA && src.sniff.media == PS_MEDIA_NONE)
        src.sniff.media = PS_MEDIA_JPEG; /* a JPEG cut before its magic */
    src.max_record = max_record ? max_record : 1u << 20;
    src.transport = tr;
    diag->msg[0] = '\0';
    st = r->read(&src, collect_fn, out, diag);
    close(fd);
    unlink(path);
    return st;
}

static ps_status run_reader(void **state, const ps_reader *r, const void *data,
                            size_t n, size_t max_record, collect *out, ps_diag *diag)
{
    return run_reader_tr(state, r, PS_TRANSPORT_PLAIN, data, n, max_record, out, diag);
}

/* data as one gzip member into out (cap bytes); returns its length. */
static size_t gzip_bytes(const void *data, size_t n, unsigned char *out, size_t cap)
{
    z_stream z;

    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(deflateEnd(&z), Z_OK);
    return cap - z.avail_out;
}

#define RUN_MBOX(s, max, c, d) \
    run_reader(state, &ps_reader_mbox, (s), strlen(s), (max), (c), (d))

/* An expected record; line 0 means PS_LOC_NONE. */
typedef struct want_rec {
    const char *field;
    const char *value;
    uint64_t line;
} want_rec;

/* The collected records are exactly want[0..n), in order. */
static void expect_records(const collect *c, const want_rec *want, size_t n)
{
    for (size_t i = 0; i < n && i < c->n; i++) {
        if (strcmp(c->r[i].field, want[i].field) != 0 ||
            strcmp(c->r[i].value, want[i].value) != 0 || c->r[i].line != want[i].line)
            print_error("record %zu: got %s=\"%s\" @%llu, want %s=\"%s\" @%llu\n", i,
                        c->r[i].field, c->r[i].value, (unsigned long long)c->r[i].line,
                        want[i].field, want[i].value, (unsigned long long)want[i].line);
        assert_string_equal(c->r[i].field, want[i].field);
        assert_string_equal(c->r[i].value, want[i].value);
        assert_int_equal(c->r[i].line, want[i].line);
        assert_int_equal(c->r[i].kind, want[i].line ? PS_LOC_LINE : PS_LOC_NONE);
    }
    assert_int_equal(c->n, n);
}

static int setup(void **state)
{
    tmp_state *ts = calloc(1, sizeof(*ts));

    if (ts == NULL)
        return -1;
    if (ps_scratch_make(ts->dir, sizeof(ts->dir), "test_mbox_media") != 0) {
        free(ts);
        return -1;
    }
    *state = ts;
    return 0;
}

static int teardown(void **state)
{
    tmp_state *ts = *state;
    int rc = rmdir(ts->dir); /* run_reader unlinks every input */

    free(ts);
    return rc;
}

/* ---------------------------------------------------------------- mbox */

static const char two_messages[] =
    "From jo@example.com Fri Nov 27 10:22:33 2015\n"            /* 1 */
    "Received: from mx.example.com by kidizoom\n"               /* 2 */
    "\tfor <lily@example.com>; Fri, 27 Nov 2015\n"              /* 3 */
    "From: Jo Smith <jo@example.com>\n"                         /* 4 */
    "To: Lily <lily@example.com>,\n"                            /* 5 */
    "   Sam <sam@example.com>\n"                                /* 6 */
    "Subject: see you\n"                                        /* 7 */
    "Message-ID: <1234@example.com>\n"                          /* 8 */
    "X-Child-Name: Lily Smith\n"                                /* 9 */
    "Date: Fri, 27 Nov 2015 10:22:33 +0000\n"                   /* 10 */
    "\n"                                                        /* 11 */
    "hi lily, see you at the park\n"                            /* 12 */
    "\n"                                                        /* 13 */
    ">From the park we go home\n"                               /* 14 */
    "From sam@example.com Sat Nov 28 08:00:00 2015\n"           /* 15 */
    "from: Sam <sam@example.com>\n"                             /* 16 */
    "CC: mum@example.com\n"                                     /* 17 */
    "\n"                                                        /* 18 */
    "don't tell mum\n";                                         /* 19 */

static void test_mbox_two_messages(void **state)
{
    static const want_rec want[] = {
        {"from", "Jo Smith <jo@example.com>", 4},
        {"to", "Lily <lily@example.com>, Sam <sam@example.com>", 5},
        {"subject", "see you", 7},
        {"x-child-name", "Lily Smith", 9},
        {"date", "Fri, 27 Nov 2015 10:22:33 +0000", 10},
        {"body", "hi lily, see you at the park", 12},
        {"body", "From the park we go home", 14},
        {"from", "Sam <sam@example.com>", 16},
        {"cc", "mum@example.com", 17},
        {"body", "don't tell mum", 19},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(two_messages, 0, &c, &d), PS_OK);
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < c.n; i++)
        assert_int_equal(c.r[i].media, PS_MEDIA_NONE);
    collect_free(&c);
}

/* Each fold, whatever its white space, becomes one space. */
static void test_mbox_folded_headers(void **state)
{
    static const char in[] =
        "From a@example.com Mon Jan  1 00:00:00 2024\n"
        "Subject:   a long   \n"
        "\t  subject line\t\n"
        "        \n"
        "  folded twice\n"
        "Bcc: x@example.com,\n"
        " y@example.com\n"
        "Reply-To:\n"
        " parent@example.com\n"
        "\n";
    static const want_rec want[] = {
        {"subject", "a long subject line folded twice", 2},
        {"bcc", "x@example.com, y@example.com", 6},
        {"reply-to", "parent@example.com", 8},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(in, 0, &c, &d), PS_OK);
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/* mboxrd: one '>' less; other '>' lines are quotes and stay as they are. */
static void test_mbox_from_unescape(void **state)
{
    static const char in[] =
        "From a@example.com Mon Jan  1 00:00:00 2024\n"
        "\n"
        ">From here\n"
        ">>From there\n"
        "> quoted reply\n"
        ">Fromage\n"
        ">\n";
    static const want_rec want[] = {
        {"body", "From here", 3},
        {"body", ">From there", 4},
        {"body", "> quoted reply", 5},
        {"body", ">Fromage", 6},
        {"body", ">", 7},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(in, 0, &c, &d), PS_OK);
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/* Headers with no person in them, and their folds, give no records. */
static void test_mbox_skipped_headers(void **state)
{
    static const char in[] =
        "From a@example.com Mon Jan  1 00:00:00 2024\n"
        "Received: by mx\n"
        " with id jo@example.com\n"
        "Message-ID: <jo@example.com>\n"
        "Content-Type: text/plain\n"
        "MIME-Version: 1.0\n"
        "Xmas: not an x- header\n"
        "X-: empty name suffix\n"
        "X-Originating-IP: 10.0.0.7\n"
        "To: \n"
        "\n";
    static const want_rec want[] = {
        {"x-originating-ip", "10.0.0.7", 9},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(in, 0, &c, &d), PS_OK);
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/* Blank lines before the first message, CRLF endings, no final newline. */
static void test_mbox_blank_start_crlf(void **state)
{
    static const char in[] =
        "\n\r\n"
        "From a@example.com Mon Jan  1 00:00:00 2024\r\n"
        "To: b@example.com\r\n"
        "\r\n"
        "hello\r\n"
        "bye";
    static const want_rec want[] = {
        {"to", "b@example.com", 4},
        {"body", "hello", 6},
        {"body", "bye", 7},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(in, 0, &c, &d), PS_OK);
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/*
 * A header block cut short (no blank line), a message with headers only,
 * and a last header at end of file are all still read.
 */
static void test_mbox_odd_boundaries(void **state)
{
    static const char in[] =
        "From a@example.com Mon Jan  1 00:00:00 2024\n"
        "To: b@example.com\n"
        "this line is body text without a blank separator\n"
        "From c@example.com Mon Jan  1 00:00:01 2024\n"
        "Subject: headers only\n"
        "From d@example.com Mon Jan  1 00:00:02 2024\n"
        "Subject: last\n"
        " at end of file";
    static const want_rec want[] = {
        {"to", "b@example.com", 2},
        {"body", "this line is body text without a blank separator", 3},
        {"subject", "headers only", 5},
        {"subject", "last at end of file", 7},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(in, 0, &c, &d), PS_OK);
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/* Not an mbox: a format error naming the line, and no records at all. */
static void test_mbox_not_mbox(void **state)
{
    static const struct {
        const char *in;
        const char *diag;
    } cases[] = {
        {"Subject: hello\n\nbody\n", "line 1: not an mbox file"},
        {"from a@example.com Mon Jan  1 00:00:00 2024\nTo: b\n", "line 1: not an mbox file"},
        {"\n\nFrom: a@example.com\n", "line 3: not an mbox file"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        collect c = {0};
        ps_diag d;

        assert_int_equal(RUN_MBOX(cases[i].in, 0, &c, &d), PS_ERR_FORMAT);
        assert_string_equal(d.msg, cases[i].diag);
        assert_int_equal(c.n, 0);
        collect_free(&c);
    }
}

/* An over-long body line is skipped and reported; the rest is read. */
static void test_mbox_long_line(void **state)
{
    static const char in[] =
        "From a@example.com Mon Jan  1 00:00:00 2024\n"
        "To: b@example.com\n"
        "\n"
        "short\n"
        "this body line is far longer than forty-eight bytes, really\n"
        "after\n";
    static const want_rec want[] = {
        {"to", "b@example.com", 2},
        {"body", "short", 4},
        {"body", "after", 6},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(in, 48, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "line 5: longer than 48 bytes");
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/* A header that grows past the limit by unfolding is dropped and reported. */
static void test_mbox_long_header(void **state)
{
    static const char in[] =
        "From a@example.com Mon Jan  1 00:00:00 2024\n"
        "To: one@example.com,\n"
        " two@example.com,\n"
        " three@example.com\n"
        " more folded text\n"
        "Subject: kept\n"
        "\n"
        "body\n";
    static const want_rec want[] = {
        {"subject", "kept", 6},
        {"body", "body", 8},
    };
    collect c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(in, 48, &c, &d), PS_ERR_LIMIT);
    assert_string_equal(d.msg, "line 2: header longer than 48 bytes");
    expect_records(&c, want, sizeof(want) / sizeof(want[0]));
    collect_free(&c);
}

/* A callback that stops gets PS_ERR_STOP at once, at a header or a body line. */
static void test_mbox_stop(void **state)
{
    for (size_t k = 1; k <= 3; k++) {
        collect c = {0};
        ps_diag d;

        c.stop_after = k;
        assert_int_equal(RUN_MBOX(two_messages, 0, &c, &d), PS_ERR_STOP);
        assert_int_equal(c.n, k);
        collect_free(&c);
    }
    {
        collect c = {0};
        ps_diag d;

        c.stop_after = 6; /* the first body line */
        assert_int_equal(RUN_MBOX(two_messages, 0, &c, &d), PS_ERR_STOP);
        assert_int_equal(c.n, 6);
        assert_string_equal(c.r[5].field, "body");
        collect_free(&c);
    }
}

/* A gzip-compressed folder (mail.mbox.gz) reads like the plain one. */
static void test_mbox_gzip(void **state)
{
    unsigned char gz[1024];
    size_t n = gzip_bytes(two_messages, strlen(two_messages), gz, sizeof(gz));
    collect plain = {0}, c = {0};
    ps_diag d;

    assert_int_equal(RUN_MBOX(two_messages, 0, &plain, &d), PS_OK);
    assert_int_equal(run_reader_tr(state, &ps_reader_mbox, PS_TRANSPORT_GZIP, gz, n, 0,
                                   &c, &d), PS_OK);
    assert_int_equal(c.n, plain.n);
    for (size_t i = 0; i < c.n; i++) {
        assert_string_equal(c.r[i].field, plain.r[i].field);
        assert_string_equal(c.r[i].value, plain.r[i].value);
        assert_int_equal(c.r[i].line, plain.r[i].line);
    }
    collect_free(&plain);
    collect_free(&c);
    /* Corrupt gzip: the source's failure, with its reason. */
    gz[n / 2] ^= 0x55;
    gz[n / 2 + 1] ^= 0xAA;
    assert_int_not_equal(run_reader_tr(state, &ps_reader_mbox, PS_TRANSPORT_GZIP, gz, n, 0,
                                       &c, &d), PS_OK);
    assert_non_null(strstr(d.msg, "line "));
    collect_free(&c);
}

/* The reader is registered for its format. */
static void test_mbox_registered(void **state)
{
    (void)state;
    assert_ptr_equal(ps_reader_for(PS_FMT_MBOX), &ps_reader_mbox);
    assert_string_equal(ps_reader_mbox.name, "mbox");
}

/* ---------------------------------------------------------------- EXIF */

/* Offsets inside the TIFF block built by build_jpeg (see its layout). */
enum {
    T_MAGIC = 2,
    T_IFD0_OFF = 4,
    T_IFD0 = 8,
    T_GPS_PTR_VALUE = T_IFD0 + 2 + 12 + 8, /* entry 1 (0x8825), value */
    T_DATETIME = 38,
    T_GPS = 58,
    T_LAT_ENTRY = T_GPS + 2 + 12,           /* entry 1 (tag 2) */
    T_RATIONALS = 112,                      /* lat: 3 x 8 bytes, then lon */
    T_END = 160
};

typedef struct gps_spec {
    bool le;
    const char *lat_ref, *lon_ref;
    uint32_t lat[6], lon[6]; /* num/den for degrees, minutes, seconds */
    const char *datetime;    /* 19 characters, or NULL for no DateTime tag */
} gps_spec;

typedef struct jpeg {
    unsigned char b[512];
    size_t n;
    size_t tiff;  /* offset of the TIFF block in b */
    bool le;
} jpeg;

static void put16(jpeg *j, size_t off, uint32_t v)
{
    unsigned char *p = j->b + off;

    if (j->le) {
        p[0] = (unsigned char)v;
        p[1] = (unsigned char)(v >> 8);
    } else {
        p[0] = (unsigned char)(v >> 8);
        p[1] = (unsigned char)v;
    }
}

static void put32(jpeg *j, size_t off, uint32_t v)
{
    unsigned char *p = j->b + off;

    if (j->le) {
        p[0] = (unsigned char)v;
        p[1] = (unsigned char)(v >> 8);
        p[2] = (unsigned char)(v >> 16);
        p[3] = (unsigned char)(v >> 24);
    } else {
        p[0] = (unsigned char)(v >> 24);
        p[1] = (unsigned char)(v >> 16);
        p[2] = (unsigned char)(v >> 8);
        p[3] = (unsigned char)v;
    }
}

/* A 12-byte IFD entry at TIFF offset off. */
static void put_entry(jpeg *j, size_t off, uint16_t tag, uint16_t type,
                      uint32_t count, uint32_t value)
{
    put16(j, j->tiff + off, tag);
    put16(j, j->tiff + off + 2, type);
    put32(j, j->tiff + off + 4, count);
    put32(j, j->tiff + off + 8, value);
}

/* An inline ASCII value ("N\0") in an entry at TIFF offset off. */
static void put_ascii_entry(jpeg *j, size_t off, uint16_t tag, const char *s)
{
    put_entry(j, off, tag, 2, 2, 0);
    j->b[j->tiff + off + 8] = (unsigned char)s[0];
}

/*
 * SOI, an APP0 JFIF segment (so the walk must skip one), APP1 Exif with:
 *   TIFF 0: byte order, 42, IFD0 offset 8
 *   8:   IFD0, 2 entries: DateTime (ASCII 20 @38), GPS IFD pointer (@58)
 *   38:  DateTime string
 *   58:  GPS IFD, 4 entries: LatRef, Lat (@112), LonRef, Lon (@136)
 *   112: 6 RATIONALs
 * then a DQT segment and EOI.
 */
static void build_jpeg(jpeg *j, const gps_spec *g)
{
    static const unsigned char app0[] = {
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00,
        0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    };
    size_t app1_len = 2 + 6 + T_END;
    size_t p;

    memset(j, 0, sizeof(*j));
    j->le = g->le;
    memcpy(j->b, app0, sizeof(app0));
    p = sizeof(app0);
    j->b[p++] = 0xFF;
    j->b[p++] = 0xE1;
    j->b[p++] = (unsigned char)(app1_len >> 8);
    j->b[p++] = (unsigned char)app1_len;
    memcpy(j->b + p, "Exif\0\0", 6);
    p += 6;
    j->tiff = p;
    memcpy(j->b + p, g->le ? "II" : "MM", 2);
    put16(j, p + T_MAGIC, 42);
    put32(j, p + T_IFD0_OFF, T_IFD0);
    put16(j, p + T_IFD0, 2);
    if (g->datetime != NULL) {
        put_entry(j, T_IFD0 + 2, 0x0132, 2, 20, T_DATETIME);
        memcpy(j->b + p + T_DATETIME, g->datetime, strlen(g->datetime));
    } else {
        put_entry(j, T_IFD0 + 2, 0x0110, 2, 4, 0); /* Model "\0\0\0\0" */
    }
    put_entry(j, T_IFD0 + 2 + 12, 0x8825, 4, 1, T_GPS);
    put16(j, p + T_GPS, 4);
    put_ascii_entry(j, T_GPS + 2, 1, g->lat_ref);
    put_entry(j, T_GPS + 2 + 12, 2, 5, 3, T_RATIONALS);
    put_ascii_entry(j, T_GPS + 2 + 24, 3, g->lon_ref);
    put_entry(j, T_GPS + 2 + 36, 4, 5, 3, T_RATIONALS + 24);
    for (size_t i = 0; i < 6; i++) {
        put32(j, p + T_RATIONALS + 4 * i, g->lat[i]);
        put32(j, p + T_RATIONALS + 24 + 4 * i, g->lon[i]);
    }
    p += T_END;
    /* A DQT segment header (content irrelevant here), then EOI. */
    memcpy(j->b + p, "\xFF\xDB\x00\x04\x00\x00\xFF\xD9", 8);
    j->n = p + 8;
}

/* 48 deg 51' 30.24" N, 2 deg 17' 40.2" E. */
static const gps_spec eiffel = {
    true, "N", "E", {48, 1, 51, 1, 3024, 100}, {2, 1, 17, 1, 402, 10},
    "2015:11:27 10:22:33",
};

/* 33 deg 51' 24.48" S, 151 deg 12' 55.08" E, big-endian. */
static const gps_spec opera = {
    false, "S", "E", {33, 1, 51, 1, 2448, 100}, {151, 1, 12, 1, 5508, 100}, NULL,
};

/* 40 deg 41' 21.6" N, 74 deg 2' 40.2" W. */
static const gps_spec liberty = {
    true, "N", "W", {40, 1, 41, 1, 216, 10}, {74, 1, 2, 1, 402, 10}, NULL,
};

static ps_status run_jpeg(void **state, const jpeg *j, collect *c, ps_diag *d)
{
    return run_reader(state, &ps_reader_media, j->b, j->n, 0, c, d);
}

static void test_exif_gps(void **state)
{
    static const struct {
        const gps_spec *spec;
        const char *gps;
        const char *datetime; /* NULL: no DateTime record */
    } cases[] = {
        {&eiffel, "48.858400,2.294500", "2015:11:27 10:22:33"},
        {&opera, "-33.856800,151.215300", NULL},
        {&liberty, "40.689333,-74.044500", NULL},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        want_rec want[3] = {{"", "", 0}, {"/exif/gps", cases[i].gps, 0},
                            {"/exif/datetime", cases[i].datetime, 0}};
        collect c = {0};
        ps_diag d;
        jpeg j;

        build_jpeg(&j, cases[i].spec);
        assert_int_equal(run_jpeg(state, &j, &c, &d), PS_OK);
        expect_records(&c, want, cases[i].datetime != NULL ? 3 : 2);
        for (size_t k = 0; k < c.n; k++)
            assert_int_equal(c.r[k].media, PS_MEDIA_JPEG);
        collect_free(&c);
    }
}

/* DateTime is passed through as written, less trailing spaces. */
static void test_exif_datetime_raw(void **state)
{
    gps_spec g = eiffel;
    collect c = {0};
    ps_diag d;
    long k;
    jpeg j;

    g.datetime = "27/11/2015 10:22  ";
    build_jpeg(&j, &g);
    assert_int_equal(run_jpeg(state, &j, &c, &d), PS_OK);
    k = find_field(&c, "/exif/datetime");
    assert_true(k >= 0);
    assert_string_equal(c.r[k].value, "27/11/2015 10:22");
    collect_free(&c);
}

/* No EXIF, or not a JPEG: only the media record. */
static void test_exif_none(void **state)
{
    static const unsigned char jfif_only[] = {
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01,
        0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
    };
    static const unsigned char png[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
        'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
    };
    static const want_rec want[] = {{"", "", 0}};
    collect c = {0};
    ps_diag d;

    assert_int_equal(run_reader(state, &ps_reader_media, jfif_only, sizeof(jfif_only), 0,
                                &c, &d), PS_OK);
    expect_records(&c, want, 1);
    assert_int_equal(c.r[0].media, PS_MEDIA_JPEG);
    collect_free(&c);
    assert_int_equal(run_reader(state, &ps_reader_media, png, sizeof(png), 0, &c, &d),
                     PS_OK);
    expect_records(&c, want, 1);
    assert_int_equal(c.r[0].media, PS_MEDIA_PNG);
    collect_free(&c);
}

/* One deliberate corruption of the valid Eiffel JPEG. */
typedef struct patch {
    const char *name;
    long off;      /* TIFF offset; negative: from the start of the file, -1 - off */
    int width;     /* 1, 2 or 4 bytes, in the TIFF's byte order (file: big-endian) */
    uint32_t value;
    size_t cut;    /* non-zero: truncate the file to this many bytes instead */
} patch;

static const patch hostile[] = {
    {"byte order", 0, 2, 0x5858, 0},
    {"magic", T_MAGIC, 2, 43, 0},
    {"ifd0 offset past end", T_IFD0_OFF, 4, 0xFFFFFFF0u, 0},
    {"ifd0 offset at end", T_IFD0_OFF, 4, T_END - 1, 0},
    {"ifd0 count overflows", T_IFD0, 2, 0xFFFF, 0},
    {"gps pointer past end", T_GPS_PTR_VALUE, 4, 0xFFFFFF00u, 0},
    {"gps pointer loops to ifd0", T_GPS_PTR_VALUE, 4, T_IFD0, 0},
    {"gps pointer into the middle", T_GPS_PTR_VALUE, 4, T_GPS + 1, 0},
    {"gps pointer wrong type", T_GPS_PTR_VALUE - 6, 2, 3, 0},
    {"gps count overflows", T_GPS, 2, 0x1000, 0},
    {"lat count overflows size", T_LAT_ENTRY + 4, 4, 0x20000001u, 0},
    {"lat count huge", T_LAT_ENTRY + 4, 4, 0xFFFFFFFFu, 0},
    {"lat offset past end", T_LAT_ENTRY + 8, 4, 0xFFFFFFFCu, 0},
    {"lat offset near end", T_LAT_ENTRY + 8, 4, T_END - 8, 0},
    {"lat type short", T_LAT_ENTRY + 2, 2, 3, 0},
    {"lat type unknown", T_LAT_ENTRY + 2, 2, 99, 0},
    {"lat zero denominator", T_RATIONALS + 4, 4, 0, 0},
    {"lat beyond 90 degrees", T_RATIONALS, 4, 91, 0},
    {"app1 length past end", -1 - 22, 2, 0xFFFF, 0},
    {"app1 length below 2", -1 - 22, 2, 1, 0},
    {"app0 length past end", -1 - 4, 2, 0xFFFF, 0},
    {"not a marker after app0", -1 - 20, 1, 0x00, 0},
    {"truncated in gps ifd", 0, 0, 0, 20 + 10 + 90},
    {"truncated in app1 header", 0, 0, 0, 20 + 6},
};

static void apply_patch(jpeg *j, const patch *p)
{
    size_t at;
    bool le = j->le;

    if (p->cut != 0) {
        j->n = p->cut;
        return;
    }
    if (p->off < 0) {
        at = (size_t)(-1 - p->off);
        j->le = false; /* JPEG lengths are big-endian */
    } else {
        at = j->tiff + (size_t)p->off;
    }
    if (p->width == 1)
        j->b[at] = (unsigned char)p->value;
    else if (p->width == 2)
        put16(j, at, p->value);
    else
        put32(j, at, p->value);
    j->le = le;
}

/* Broken EXIF: no GPS record, the media record, PS_OK, no crash. */
static void test_exif_hostile(void **state)
{
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        collect c = {0};
        ps_diag d;
        jpeg j;

        build_jpeg(&j, &eiffel);
        apply_patch(&j, &hostile[i]);
        if (run_jpeg(state, &j, &c, &d) != PS_OK || find_field(&c, "/exif/gps") >= 0 ||
            c.n == 0 || strcmp(c.r[0].field, "") != 0 || c.r[0].media != PS_MEDIA_JPEG)
            fail_msg("case '%s': EXIF read despite the corruption (%zu records)",
                     hostile[i].name, c.n);
        collect_free(&c);
    }
}

/* A gzip-compressed photo: EXIF is read from the inflated bytes. */
static void test_exif_gzip(void **state)
{
    unsigned char gz[1024];
    collect c = {0};
    ps_diag d;
    size_t n;
    long k;
    jpeg j;

    build_jpeg(&j, &opera);
    n = gzip_bytes(j.b, j.n, gz, sizeof(gz));
    assert_int_equal(run_reader_tr(state, &ps_reader_media, PS_TRANSPORT_GZIP, gz, n, 0,
                                   &c, &d), PS_OK);
    k = find_field(&c, "/exif/gps");
    assert_true(k >= 0);
    assert_string_equal(c.r[k].value, "-33.856800,151.215300");
    collect_free(&c);
}

/*
 * Every truncation and many one-byte flips of a valid file: whatever
 * happens to the EXIF, the reader returns PS_OK, emits the media record
 * first, and never reads out of bounds (run this under ASan / valgrind).
 * Flips that leave the GPS block intact still give the exact position.
 */
static void test_exif_mangled(void **state)
{
    static const unsigned char flips[] = {0xFF, 0x80, 0x01, 0x7F};
    jpeg base;
    size_t gps_seen = 0;

    build_jpeg(&base, &eiffel);
    for (size_t cut = 1; cut <= base.n; cut++) {
        collect c = {0};
        ps_diag d;
        jpeg j = base;

        j.n = cut;
        assert_int_equal(run_jpeg(state, &j, &c, &d), PS_OK);
        assert_true(c.n >= 1);
        assert_string_equal(c.r[0].field, "");
        collect_free(&c);
    }
    for (size_t at = 2; at < base.n; at++) {
        for (size_t f = 0; f < sizeof(flips); f++) {
            collect c = {0};
            ps_diag d;
            jpeg j = base;
            long k;

            j.b[at] ^= flips[f];
            assert_int_equal(run_jpeg(state, &j, &c, &d), PS_OK);
            assert_true(c.n >= 1);
            k = find_field(&c, "/exif/gps");
            if (k >= 0 && strcmp(c.r[k].value, "48.858400,2.294500") == 0)
                gps_seen++;
            collect_free(&c);
        }
    }
    /* Flips in the DateTime string or padding cannot hide the position. */
    assert_true(gps_seen >= 20 * sizeof(flips));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbox_two_messages),
        cmocka_unit_test(test_mbox_folded_headers),
        cmocka_unit_test(test_mbox_from_unescape),
        cmocka_unit_test(test_mbox_skipped_headers),
        cmocka_unit_test(test_mbox_blank_start_crlf),
        cmocka_unit_test(test_mbox_odd_boundaries),
        cmocka_unit_test(test_mbox_not_mbox),
        cmocka_unit_test(test_mbox_long_line),
        cmocka_unit_test(test_mbox_long_header),
        cmocka_unit_test(test_mbox_stop),
        cmocka_unit_test(test_mbox_gzip),
        cmocka_unit_test(test_mbox_registered),
        cmocka_unit_test(test_exif_gps),
        cmocka_unit_test(test_exif_datetime_raw),
        cmocka_unit_test(test_exif_none),
        cmocka_unit_test(test_exif_hostile),
        cmocka_unit_test(test_exif_gzip),
        cmocka_unit_test(test_exif_mangled),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

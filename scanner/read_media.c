/*
 * read_media.c - images, audio and video: one file-level record, plus where
 * and when a JPEG photo was taken.
 *
 * The main fact is that the file exists unencrypted; its pixels are not
 * searched.  A JPEG may also carry EXIF metadata, and the GPS position in a
 * child's photo says where that child lives or goes to school: that is read
 * from the first PS_EXIF_WINDOW bytes (where cameras put EXIF, before the
 * image data) and emitted as "/exif/gps" and "/exif/datetime" records.
 *
 * EXIF comes from whoever made the file, so every offset and count in it is
 * checked against the segment before use, and only two fixed steps are
 * followed (IFD0, then the GPS IFD): no chains, so no loops.  Broken EXIF
 * is not an error: the photo is still media, it just has no EXIF records.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "read.h"

/* How much of a JPEG is searched for its APP1 EXIF segment. */
#define PS_EXIF_WINDOW (128u * 1024u)

/* TIFF tags used here. */
#define TAG_DATETIME 0x0132u
#define TAG_GPS_IFD 0x8825u
#define TAG_GPS_LAT_REF 0x0001u
#define TAG_GPS_LAT 0x0002u
#define TAG_GPS_LON_REF 0x0003u
#define TAG_GPS_LON 0x0004u

/* TIFF field types used here. */
#define TYPE_ASCII 2u
#define TYPE_LONG 4u
#define TYPE_RATIONAL 5u
#define TYPE_IFD 13u /* a LONG that is an IFD offset (TIFF/EP) */

/* A TIFF structure inside an EXIF segment: base, length and byte order. */
typedef struct tiff {
    const unsigned char *p;
    size_t n;
    bool le; /* "II": little-endian */
} tiff;

/* One IFD entry, its value located and bounds-checked. */
typedef struct tiff_entry {
    uint16_t tag, type;
    uint32_t count;
    const unsigned char *value; /* inside the TIFF block */
    size_t size;                /* bytes of value */
} tiff_entry;

/* What the EXIF walk found; *_ok says whether each part is usable. */
typedef struct exif_info {
    bool gps_ok;
    double lat, lon;
    bool datetime_ok;
    char datetime[32];
} exif_info;

static uint16_t rd16(const tiff *t, const unsigned char *q)
{
    return t->le ? (uint16_t)(q[0] | q[1] << 8) : (uint16_t)(q[0] << 8 | q[1]);
}

static uint32_t rd32(const tiff *t, const unsigned char *q)
{
    return t->le ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                       (uint32_t)q[3] << 24
                 : (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
                       (uint32_t)q[2] << 8 | (uint32_t)q[3];
}

/* Bytes per value of a TIFF type, 0 for types this parser does not know. */
static size_t type_size(uint16_t type)
{
    switch (type) {
    case 1: case 2: case 6: case 7: return 1; /* BYTE ASCII SBYTE UNDEFINED */
    case 3: case 8: return 2;                 /* SHORT SSHORT */
    case 4: case 9: case 11: case 13: return 4; /* LONG SLONG FLOAT IFD */
    case 5: case 10: case 12: return 8;       /* RATIONAL SRATIONAL DOUBLE */
    default: return 0;
    }
}

/*
 * Find tag in the IFD at offset off of t.  Returns true and fills *e when
 * the tag is there and its whole value lies inside t; false when it is
 * absent, or when the IFD or the value does not fit (hostile counts and
 * offsets end here, including count * size overflows).
 */
static bool ifd_find(const tiff *t, uint32_t off, uint16_t tag, tiff_entry *e)
{
    uint16_t count;

    if (off > t->n || t->n - off < 2)
        return false;
    count = rd16(t, t->p + off);
    if ((size_t)count * 12u > t->n - off - 2)
        return false;
    for (uint16_t i = 0; i < count; i++) {
        const unsigned char *q = t->p + off + 2 + (size_t)i * 12u;
        size_t unit;

        if (rd16(t, q) != tag)
            continue;
        e->tag = tag;
        e->type = rd16(t, q + 2);
        e->count = rd32(t, q + 4);
        unit = type_size(e->type);
        if (unit == 0 || e->count > t->n / unit)
            return false; /* cannot fit, whatever the offset */
        e->size = unit * e->count;
        if (e->size <= 4) {
            e->value = q + 8;
        } else {
            uint32_t voff = rd32(t, q + 8);

            if (voff > t->n || e->size > t->n - voff)
                return false;
            e->value = t->p + voff;
        }
        return true;
    }
    return false;
}

/* The first byte of an ASCII entry ("N", "S", "E", "W"), or 0. */
static char entry_ref(const tiff *t, uint32_t ifd, uint16_t tag)
{
    tiff_entry e;

    if (!ifd_find(t, ifd, tag, &e) || e.type != TYPE_ASCII || e.size == 0)
        return 0;
    return (char)e.value[0];
}

/*
 * Degrees, minutes and seconds (three RATIONALs) as decimal degrees.  False
 * when the entry is missing, mistyped, has a zero denominator or is beyond
 * limit degrees (90 for latitude, 180 for longitude).
 */
static bool entry_dms(const tiff *t, uint32_t ifd, uint16_t tag, double limit,
                      double *out)
{
    static const double scale[3] = {1.0, 60.0, 3600.0};
    tiff_entry e;
    double deg = 0.0;

    if (!ifd_find(t, ifd, tag, &e) || e.type != TYPE_RATIONAL || e.count < 3)
        return false;
    for (size_t i = 0; i < 3; i++) {
        uint32_t num = rd32(t, e.value + i * 8);
        uint32_t den = rd32(t, e.value + i * 8 + 4);

        if (den == 0)
            return false;
        deg += (double)num / (double)den / scale[i];
    }
    if (deg > limit)
        return false;
    *out = deg;
    return true;
}

/*
 * Copy an ASCII DateTime ("YYYY:MM:DD HH:MM:SS", as EXIF writes it) into
 * out as written: up to its NUL, at most outsz - 1 bytes (DateTime is 19
 * characters) and without trailing spaces.  False when empty or not
 * printable ASCII.
 */
static bool entry_datetime(const tiff_entry *e, char *out, size_t outsz)
{
    size_t n = 0;

    while (n < e->size && n + 1 < outsz && e->value[n] != '\0') {
        unsigned char c = e->value[n];

        if (c < 0x20 || c >= 0x7f)
            return false;
        out[n] = (char)c;
        n++;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return n > 0;
}

/*
 * Parse the TIFF block of an EXIF segment into *info.  Parts that are
 * missing or broken are left unset; nothing here fails the file.
 */
static void exif_parse_tiff(const unsigned char *p, size_t n, exif_info *info)
{
    tiff t;
    tiff_entry e;
    uint32_t ifd0, gps;

    if (n < 8)
        return;
    if (p[0] == 'I' && p[1] == 'I')
        t.le = true;
    else if (p[0] == 'M' && p[1] == 'M')
        t.le = false;
    else
        return;
    t.p = p;
    t.n = n;
    if (rd16(&t, p + 2) != 42)
        return;
    ifd0 = rd32(&t, p + 4);
    if (ifd_find(&t, ifd0, TAG_DATETIME, &e) && e.type == TYPE_ASCII)
        info->datetime_ok = entry_datetime(&e, info->datetime, sizeof(info->datetime));
    if (!ifd_find(&t, ifd0, TAG_GPS_IFD, &e) ||
        (e.type != TYPE_LONG && e.type != TYPE_IFD) || e.count != 1)
        return;
    gps = rd32(&t, e.value);
    if (entry_dms(&t, gps, TAG_GPS_LAT, 90.0, &info->lat) &&
        entry_dms(&t, gps, TAG_GPS_LON, 180.0, &info->lon)) {
        char lat_ref = entry_ref(&t, gps, TAG_GPS_LAT_REF);
        char lon_ref = entry_ref(&t, gps, TAG_GPS_LON_REF);

        /* A missing reference is read as north / east, as most tools do. */
        if (lat_ref == 'S' || lat_ref == 's')
            info->lat = -info->lat;
        if (lon_ref == 'W' || lon_ref == 'w')
            info->lon = -info->lon;
        info->gps_ok = true;
    }
}

/*
 * Walk the JPEG markers in buf[0..n) up to the first APP1 "Exif\0\0"
 * segment and parse it.  Stops at start-of-scan or end-of-image (EXIF comes
 * before the image data), at a segment that runs past the window, and at
 * anything that is not a marker.
 */
static void exif_from_jpeg(const unsigned char *buf, size_t n, exif_info *info)
{
    size_t pos = 2;

    if (n < 4 || buf[0] != 0xFF || buf[1] != 0xD8)
        return;
    for (;;) {
        unsigned char m;
        size_t len;

        while (pos < n && buf[pos] == 0xFF && pos + 1 < n && buf[pos + 1] == 0xFF)
            pos++; /* fill bytes before a marker */
        if (pos + 2 > n || buf[pos] != 0xFF)
            return;
        m = buf[pos + 1];
        pos += 2;
        if (m == 0xD9 || m == 0xDA)
            return;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8))
            continue; /* standalone markers: no length */
        if (n - pos < 2)
            return;
        len = (size_t)buf[pos] << 8 | buf[pos + 1];
        if (len < 2 || len > n - pos)
            return;
        if (m == 0xE1 && len >= 2 + 6 && memcmp(buf + pos + 2, "Exif\0\0", 6) == 0) {
            exif_parse_tiff(buf + pos + 8, len - 8, info);
            return;
        }
        pos += len;
    }
}

/*
 * Fill buf[0..cap) from the start of a transported (gzip) source: the
 * window is in the decompressed bytes, which is where the JPEG is.  Returns
 * PS_OK with *n, or the source's failure with its reason in diag.
 */
static ps_status read_window_input(const ps_source *src, unsigned char *buf,
                                   size_t cap, size_t *n, ps_diag *diag)
{
    ps_input in;
    ps_status st;
    size_t got = 0;

    st = ps_input_open(&in, src);
    while (st == PS_OK && got < cap) {
        size_t k;

        st = ps_input_read(&in, buf + got, cap - got, &k);
        if (st == PS_OK && k == 0)
            break;
        got += k;
    }
    if (st != PS_OK)
        ps_diag_set(diag, "%s", ps_input_error(&in) ? ps_input_error(&in) : "read failed");
    ps_input_free(&in);
    *n = got;
    return st;
}

/*
 * Read up to PS_EXIF_WINDOW bytes from the start of src into a fresh
 * buffer.  A plain file is read with pread, which leaves the fd alone and
 * costs one bounded buffer.  Returns PS_OK with *buf (caller frees) and *n,
 * or PS_ERR_NOMEM / the read's failure with a message in diag.
 */
static ps_status read_window(const ps_source *src, unsigned char **buf, size_t *n,
                             ps_diag *diag)
{
    size_t want = PS_EXIF_WINDOW, got = 0;
    ps_status st;

    *buf = NULL;
    *n = 0;
    /* The size is the compressed one for gzip: only a cap for plain files. */
    if (src->transport == PS_TRANSPORT_PLAIN && src->size < want)
        want = (size_t)src->size;
    if (want == 0)
        return PS_OK;
    *buf = malloc(want);
    if (*buf == NULL) {
        ps_diag_set(diag, "out of memory reading EXIF");
        return PS_ERR_NOMEM;
    }
    if (src->transport != PS_TRANSPORT_PLAIN) {
        st = read_window_input(src, *buf, want, n, diag);
        goto done;
    }
    st = PS_OK;
    while (got < want) {
        ssize_t r = pread(src->fd, *buf + got, want - got, (off_t)got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ps_diag_set(diag, "read failed (errno %d)", errno);
            st = PS_ERR_IO;
            break;
        }
        if (r == 0)
            break; /* the file shrank since it was sniffed */
        got += (size_t)r;
    }
    *n = got;
done:
    if (st != PS_OK) {
        free(*buf);
        *buf = NULL;
        *n = 0;
    }
    return st;
}

/* Emit one file-level record carrying the file's media type. */
static int emit(const ps_source *src, ps_record_fn fn, void *ud,
                const char *field, const char *value, size_t value_len)
{
    ps_record rec;

    memset(&rec, 0, sizeof(rec));
    rec.field = field;
    rec.field_len = strlen(field);
    rec.value = value;
    rec.value_len = value_len;
    rec.media = src->sniff.media;
    rec.loc.kind = PS_LOC_NONE;
    return fn(ud, &rec);
}

/*
 * Write deg with exactly six decimals into out, by integer arithmetic: %f
 * would follow LC_NUMERIC and could print a decimal comma.
 */
static void format_degrees(double deg, char *out, size_t outsz)
{
    bool neg = deg < 0.0;
    unsigned long long micro = (unsigned long long)((neg ? -deg : deg) * 1e6 + 0.5);

    if (micro == 0)
        neg = false; /* no "-0.000000" */
    snprintf(out, outsz, "%s%llu.%06llu", neg ? "-" : "", micro / 1000000u,
             micro % 1000000u);
}

/*
 * Emit the media record, then for a JPEG its EXIF GPS position
 * ("lat,lon" in decimal degrees) and DateTime when present.  Returns PS_OK,
 * PS_ERR_STOP when fn stopped it, PS_ERR_NOMEM, or the read's failure
 * (PS_ERR_IO; for gzip also PS_ERR_FORMAT / PS_ERR_LIMIT) when the head
 * could not be read.  The media record is emitted first in every case.
 */
static ps_status read_media(const ps_source *src, ps_record_fn fn, void *ud,
                            ps_diag *diag)
{
    exif_info info;
    unsigned char *buf;
    size_t n;
    ps_status st;

    if (emit(src, fn, ud, "", "", 0) != 0)
        return PS_ERR_STOP;
    if (src->sniff.media != PS_MEDIA_JPEG)
        return PS_OK;
    st = read_window(src, &buf, &n, diag);
    if (st != PS_OK)
        return st;
    memset(&info, 0, sizeof(info));
    exif_from_jpeg(buf, n, &info);
    free(buf);
    if (info.gps_ok) {
        char lat[32], lon[32], both[80];
        int k;

        format_degrees(info.lat, lat, sizeof(lat));
        format_degrees(info.lon, lon, sizeof(lon));
        k = snprintf(both, sizeof(both), "%s,%s", lat, lon);
        if (emit(src, fn, ud, "/exif/gps", both, (size_t)k) != 0)
            return PS_ERR_STOP;
    }
    if (info.datetime_ok &&
        emit(src, fn, ud, "/exif/datetime", info.datetime, strlen(info.datetime)) != 0)
        return PS_ERR_STOP;
    return PS_OK;
}

const ps_reader ps_reader_media = { "media", PS_FMT_MEDIA, read_media };

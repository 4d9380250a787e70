/*
 * fuzz_media.c - the media reader (read_media.c) on a JPEG: its search
 * for the APP1 EXIF segment and the TIFF walk to IFD0 and the GPS IFD,
 * whose every offset and count comes from whoever made the file.
 *
 * The input is sniffed as "fuzz.jpg" and then taken for a JPEG whatever
 * the sniffer said, so every input reaches the EXIF parser.  Beyond
 * ps_fuzz_read's record contract: the first record is the file's own
 * (no field, no value); then at most "/exif/gps", a latitude and a
 * longitude of six decimals within 90 and 180 degrees, and at most
 * "/exif/datetime", printable ASCII; nothing else.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "read.h"
#include "sniff.h"

typedef struct media_check {
    ps_record_fn fn;
    void *ud;
    size_t records;
    int seen; /* 0: nothing yet, 1: the file's record, 2: gps, 3: datetime */
} media_check;

/*
 * The decimal at s[*i..n) with exactly six digits after the point, and an
 * optional minus, into *micro (millionths); false when it is not one.
 */
static bool take_degrees(const char *s, size_t n, size_t *i, long long *micro)
{
    bool neg = *i < n && s[*i] == '-';
    long long whole = 0, frac = 0;
    size_t digits = 0;

    if (neg)
        (*i)++;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && digits < 4) {
        whole = whole * 10 + (s[*i] - '0');
        (*i)++;
        digits++;
    }
    if (digits == 0 || *i >= n || s[*i] != '.')
        return false;
    (*i)++;
    for (digits = 0; digits < 6; digits++, (*i)++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return false;
        frac = frac * 10 + (s[*i] - '0');
    }
    *micro = (whole * 1000000 + frac) * (neg ? -1 : 1);
    return true;
}

static void check_gps(const char *v, size_t n)
{
    size_t i = 0;
    long long lat, lon;

    ps_fuzz_check(take_degrees(v, n, &i, &lat) && i < n && v[i] == ',',
                  "media: /exif/gps does not start with a latitude and a comma");
    i++;
    ps_fuzz_check(take_degrees(v, n, &i, &lon) && i == n,
                  "media: /exif/gps does not end with a longitude");
    ps_fuzz_check(lat >= -90000000 && lat <= 90000000, "media: latitude beyond 90 degrees");
    ps_fuzz_check(lon >= -180000000 && lon <= 180000000, "media: longitude beyond 180 degrees");
}

static int check_record(void *ud, const ps_record *rec)
{
    media_check *k = ud;
    int kind;

    ps_fuzz_check(rec->media == PS_MEDIA_JPEG, "media: a record without the file's media type");
    if (k->records++ == 0) {
        ps_fuzz_check(rec->field_len == 0 && rec->value_len == 0,
                      "media: the first record is not the file's own");
        k->seen = 1;
        return k->fn(k->ud, rec);
    }
    if (rec->field_len == 9 && memcmp(rec->field, "/exif/gps", 9) == 0) {
        kind = 2;
        check_gps(rec->value, rec->value_len);
    } else if (rec->field_len == 14 && memcmp(rec->field, "/exif/datetime", 14) == 0) {
        kind = 3;
        ps_fuzz_check(rec->value_len > 0, "media: an empty /exif/datetime");
        for (size_t i = 0; i < rec->value_len; i++)
            ps_fuzz_check(rec->value[i] >= 0x20 && rec->value[i] < 0x7f,
                          "media: /exif/datetime is not printable ASCII");
    } else {
        ps_fuzz_check(false, "media: a record of an unknown field");
        return 1;
    }
    ps_fuzz_check(kind > k->seen, "media: EXIF records repeated or out of order");
    k->seen = kind;
    return k->fn(k->ud, rec);
}

static ps_status read_checked(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    media_check k = { fn, ud, 0, 0 };

    return ps_reader_media.read(src, check_record, &k, diag);
}

static const ps_reader reader_checked = { "media-checked", PS_FMT_MEDIA, read_checked };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_sniff s = ps_sniff_buffer(data, size < PS_SNIFF_HEAD ? size : PS_SNIFF_HEAD, "fuzz.jpg",
                                 size);

    s.format = PS_FMT_MEDIA;
    s.media = PS_MEDIA_JPEG;
    (void)ps_fuzz_read(&reader_checked, data, size, "fuzz.jpg", &s, PS_TRANSPORT_PLAIN);
    return 0;
}

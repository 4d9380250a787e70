/*
 * fuzz_sniff.c - the pure functions that judge bytes: format sniffing
 * (sniff.c), the generic detectors (detect.c), date parsing (date.c) and
 * the sealed-field shape test (protect.c).
 *
 * Input: the first byte picks the file name the sniffer is told (names
 * only matter when content is inconclusive, so each kind of name must be
 * reachable); the rest is the head of the file, and also the value the
 * detectors and the date parser judge.  The total size the sniffer is told
 * is the head's, or a large multiple when the picking byte's top bit is
 * set, as for a head read from a big file.
 *
 * Checks: every enum in range, entropy within 0..8 bits per byte, CSV
 * delimiters only from the documented set, parsed dates within 1900..2100
 * and stable through ps_date_to_ymd / ps_date_from_ymd / ps_date_format,
 * and ps_date_parse giving ps_date_parse_general's answer.
 */
#include "config.h"

#include <string.h>

#include "date.h"
#include "detect.h"
#include "fuzz.h"
#include "protect.h"
#include "sniff.h"

static const char *const names[] = {
    "photo.jpg", "db.sqlite", "media.enc", "backup.sql.gz", "file.psenc",
    "blob.bin", "export.csv", "notes.txt", "kids.tsv", "data.json",
    "chat.jsonl", "support.mbox", "dump.sql", "README", "", ".env",
};

#define NNAMES (sizeof(names) / sizeof(names[0]))

/* A parsed day must be a real calendar day in 1900..2100 that round-trips. */
static void check_day(int32_t day)
{
    char buf[16];
    int y, m, d;

    ps_fuzz_check(day != PS_DAY_NONE, "ps_date_parse: PS_DAY_NONE with a date result");
    ps_date_to_ymd(day, &y, &m, &d);
    ps_fuzz_check(y >= 1900 && y <= 2100, "ps_date_parse: year outside 1900..2100");
    ps_fuzz_check(ps_date_from_ymd(y, m, d) == day, "ps_date_to_ymd does not round-trip");
    ps_date_format(day, buf, sizeof(buf));
    ps_fuzz_check(strlen(buf) == 10 && buf[4] == '-' && buf[7] == '-',
                  "ps_date_format is not YYYY-MM-DD");
}

/* Both flag sets: with and without Unix epochs. */
static void check_dates(const char *v, size_t n)
{
    unsigned flags[2] = {0, PS_DATE_ALLOW_EPOCH};
    size_t i;

    for (i = 0; i < 2; i++) {
        int32_t day = PS_DAY_NONE, alt = PS_DAY_NONE;
        int32_t gday = PS_DAY_NONE, galt = PS_DAY_NONE;
        ps_date_result r = ps_date_parse(v, n, flags[i], &day, &alt);
        ps_date_result g = ps_date_parse_general(v, n, flags[i], &gday, &galt);

        /* The fixed-layout fast path is only a shortcut: date.h promises the same answer. */
        ps_fuzz_check(r == g && day == gday && alt == galt,
                      "ps_date_parse and ps_date_parse_general disagree");

        ps_fuzz_check(r == PS_DATE_INVALID || r == PS_DATE_OK || r == PS_DATE_AMBIGUOUS,
                      "ps_date_parse: result out of range");
        if (r != PS_DATE_INVALID)
            check_day(day);
        if (r == PS_DATE_AMBIGUOUS) {
            check_day(alt);
            ps_fuzz_check(alt != day, "ps_date_parse: ambiguous with equal readings");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *head;
    const char *name, *v;
    uint64_t total;
    ps_sniff s;
    size_t n;
    int h;

    if (size == 0)
        return 0;
    name = names[(data[0] & 0x7f) % NNAMES];
    head = data + 1;
    n = size - 1;
    if (n > PS_SNIFF_HEAD)
        n = PS_SNIFF_HEAD;
    total = (data[0] & 0x80) && n > 0 ? (uint64_t)n * 1000u + 17u : n;

    s = ps_sniff_buffer(head, n, name, total);
    ps_fuzz_check(s.format < PS_FMT_COUNT, "sniff: format out of range");
    ps_fuzz_check(s.media < PS_MEDIA_COUNT, "sniff: media out of range");
    ps_fuzz_check(s.format == PS_FMT_MEDIA || s.media == PS_MEDIA_NONE,
                  "sniff: a media type on a file that is not media");
    ps_fuzz_check(s.cipher <= PS_CIPHER_OPENSSL, "sniff: cipher out of range");
    ps_fuzz_check(s.format == PS_FMT_CIPHERTEXT || s.cipher == PS_CIPHER_NONE,
                  "sniff: a cipher on a file that is not ciphertext");
    ps_fuzz_check(s.entropy >= 0.0 && s.entropy <= 8.0, "sniff: entropy outside 0..8");
    ps_fuzz_check(s.delimiter == 0 || s.delimiter == ',' || s.delimiter == ';' ||
                      s.delimiter == '\t',
                  "sniff: CSV delimiter not one of , ; TAB");
    ps_fuzz_check(s.format != PS_FMT_CSV || s.delimiter != 0, "sniff: CSV without a delimiter");
    ps_fuzz_check(ps_format_name(s.format) != NULL, "ps_format_name: NULL");
    ps_fuzz_check(s.format != PS_FMT_EMPTY || total == 0, "sniff: EMPTY for a non-empty file");

    /* The detectors and the date parser see the same bytes as a value. */
    v = (const char *)data + 1;
    n = size - 1;
    (void)ps_detect_readable(v, n);
    (void)ps_detect_luhn(v, n);
    h = ps_detect_hash(v, n);
    ps_fuzz_check(h >= -1 && h < PS_HASH_COUNT, "ps_detect_hash: out of range");
    ps_fuzz_check(ps_detect_b64_media(v, n) < PS_MEDIA_COUNT, "ps_detect_b64_media: out of range");
    (void)ps_field_is_sealed(v, n);
    check_dates(v, n);
    return 0;
}

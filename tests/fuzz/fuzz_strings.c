/*
 * fuzz_strings.c - the reader for binary files of no known format
 * (read_strings.c): runs of printable bytes, as strings(1) finds them,
 * split where a run outgrows max_record.
 *
 * Beyond ps_fuzz_read's record contract: every record is a run of at least
 * six printable bytes (ASCII, tab, or bytes of 0x80 and up).  Every input
 * is read twice, by the scanner's build and by one over a 61-byte read
 * window (window_strings.c), and the two reads must be the same
 * (ps_fuzz_read_builds).
 */
#include "config.h"

#include "fuzz.h"
#include "read.h"

/* The same reader over a 61-byte window (window_strings.c). */
extern const ps_reader ps_reader_strings_w61;

typedef struct strings_check {
    ps_record_fn fn;
    void *ud;
} strings_check;

static int check_record(void *ud, const ps_record *rec)
{
    strings_check *k = ud;
    const unsigned char *v = (const unsigned char *)rec->value;

    ps_fuzz_check(rec->value_len >= 6, "strings: a run shorter than six bytes");
    for (size_t i = 0; i < rec->value_len; i++)
        ps_fuzz_check((v[i] >= 0x20 && v[i] != 0x7f) || v[i] == '\t',
                      "strings: a run holds a control byte");
    return k->fn(k->ud, rec);
}

static ps_status read_checked(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    static const ps_reader *const builds[] = { &ps_reader_strings, &ps_reader_strings_w61 };
    strings_check k = { fn, ud };

    return ps_fuzz_read_builds(builds, sizeof(builds) / sizeof(builds[0]), src, check_record, &k,
                               diag);
}

static const ps_reader reader_checked = { "strings-builds", PS_FMT_UNKNOWN, read_checked };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_checked, data, size, "fuzz.bin", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

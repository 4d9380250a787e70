/*
 * fuzz_csv.c - the CSV reader (read_csv.c): quoting, embedded
 * newlines, header rows, cells bounded by max_record, with the delimiter
 * the sniffer picks.
 *
 * The reader gets any bytes, not only those sniffing would send it: the
 * scan driver trusts the sniffer, and the sniffer can be fooled.
 * ps_fuzz_read checks every record against read.h.
 *
 * Every input is read three times, by the scanner's build of the reader,
 * by one with the portable stop-set search (portable_csv.c) and by one
 * over a 61-byte read window (window_csv.c), and the three reads must be
 * the same (ps_fuzz_read_builds).
 */
#include "config.h"

#include "fuzz.h"
#include "read.h"

/* The same reader built twice more (portable_csv.c, window_csv.c). */
extern const ps_reader ps_reader_csv_portable, ps_reader_csv_w61;

/*
 * Every build over the input, held to the first, whose records go on to
 * fn: 0 the scanner's, 1 the portable stop-set search, 2 the 61-byte window.
 */
static ps_status read_builds(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    static const ps_reader *const builds[] = { &ps_reader_csv, &ps_reader_csv_portable,
                                                &ps_reader_csv_w61 };

    return ps_fuzz_read_builds(builds, sizeof(builds) / sizeof(builds[0]), src, fn, ud, diag);
}

static const ps_reader reader_builds = { "csv-builds", PS_FMT_CSV, read_builds };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_builds, data, size, "fuzz.csv", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

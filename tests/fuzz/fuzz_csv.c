/*
 * fuzz_csv.c - the CSV reader (read_csv.c): quoting, embedded
 * newlines, header rows, cells bounded by max_record, with the delimiter
 * the sniffer picks.
 *
 * The reader gets any bytes, not only those sniffing would send it: the
 * scan driver trusts the sniffer, and the sniffer can be fooled.
 * ps_fuzz_read checks every record against read.h.
 *
 * Every input is read twice, by this build of the reader and by one with
 * the portable stop-set search (portable_csv.c), and the two reads must be
 * the same (ps_fuzz_read_twins).
 */
#include "config.h"

#include "fuzz.h"
#include "read.h"

/* The same reader built with the portable stop-set search (portable_csv.c). */
extern const ps_reader ps_reader_csv_portable;

/* Both builds over the input, held to each other; the SSE2 build's records go on to fn. */
static ps_status read_twins(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    return ps_fuzz_read_twins(&ps_reader_csv, &ps_reader_csv_portable, src, fn, ud, diag);
}

static const ps_reader reader_twins = { "csv-twins", PS_FMT_CSV, read_twins };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_twins, data, size, "fuzz.csv", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

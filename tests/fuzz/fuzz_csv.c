/*
 * fuzz_csv.c - the CSV reader (read_csv.c): quoting, embedded
 * newlines, header rows, cells bounded by max_record, with the delimiter
 * the sniffer picks.
 *
 * The reader gets any bytes, not only those sniffing would send it: the
 * scan driver trusts the sniffer, and the sniffer can be fooled.
 * ps_fuzz_read checks every record against read.h.
 */
#include "config.h"

#include "fuzz.h"
#include "read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&ps_reader_csv, data, size, "fuzz.csv", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

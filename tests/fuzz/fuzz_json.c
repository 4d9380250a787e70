/*
 * fuzz_json.c - the streamed JSON document reader (read_json.c,
 * yajl): nesting depth, pointers, strings split across reads.
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
    (void)ps_fuzz_read(&ps_reader_json, data, size, "fuzz.json", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

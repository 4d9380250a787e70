/*
 * fuzz_jsonl.c - the JSON Lines reader (read_jsonl.c, jsmn):
 * one JSON value per line, objects flattened to JSON pointers, lines
 * bounded by max_record.
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
    (void)ps_fuzz_read(&ps_reader_jsonl, data, size, "fuzz.jsonl", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

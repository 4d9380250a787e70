/*
 * fuzz_mbox.c - the mbox reader (read_mbox.c): "From " lines,
 * header blocks, folded headers, >From unescaping, body lines.
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
    (void)ps_fuzz_read(&ps_reader_mbox, data, size, "fuzz.mbox", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

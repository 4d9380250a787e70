/*
 * fuzz_mbox.c - the mbox reader (read_mbox.c): "From " lines,
 * header blocks, folded headers, >From unescaping, body lines.
 *
 * The reader gets any bytes, not only those sniffing would send it: the
 * scan driver trusts the sniffer, and the sniffer can be fooled.
 * ps_fuzz_read checks every record against read.h.
 *
 * Every input is read twice, by the scanner's build of the reader and by
 * one over a 61-byte read window (window_mbox.c), and the two reads must
 * be the same (ps_fuzz_read_builds).  The reader has no stop-set search,
 * so no portable build.
 */
#include "config.h"

#include "fuzz.h"
#include "read.h"

/* The same reader over a 61-byte window (window_mbox.c). */
extern const ps_reader ps_reader_mbox_w61;

/* Both builds over the input, held to the first, whose records go on to fn. */
static ps_status read_builds(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    static const ps_reader *const builds[] = { &ps_reader_mbox, &ps_reader_mbox_w61 };

    return ps_fuzz_read_builds(builds, sizeof(builds) / sizeof(builds[0]), src, fn, ud, diag);
}

static const ps_reader reader_builds = { "mbox-builds", PS_FMT_MBOX, read_builds };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_builds, data, size, "fuzz.mbox", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

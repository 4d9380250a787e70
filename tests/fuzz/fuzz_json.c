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

/*
 * The same reader over a 61-byte window (window_json.c).  Its one use of
 * the window's size, the most bytes that may pass without a JSON event
 * (js_max_gap: 6 x max_record plus two windows, 384 KiB and more here),
 * is far beyond any input the fuzzer makes or the corpus holds, so the
 * two builds must read every input alike.
 */
extern const ps_reader ps_reader_json_w61;

/* Both builds over the input, held to the first, whose records go on to fn. */
static ps_status read_builds(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    static const ps_reader *const builds[] = { &ps_reader_json, &ps_reader_json_w61 };

    return ps_fuzz_read_builds(builds, sizeof(builds) / sizeof(builds[0]), src, fn, ud, diag);
}

static const ps_reader reader_builds = { "json-builds", PS_FMT_JSON, read_builds };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_builds, data, size, "fuzz.json", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

/*
 * fuzz_text.c - the plain-text reader (read_text.c) and, under it, the
 * input layer's lines (input.c): line ends, over-long lines, and the
 * UTF-16 decoding the sniffer asks for when the bytes start with a BOM.
 *
 * Beyond ps_fuzz_read's record contract: every record is a non-empty line
 * with no line end in it, on a line after the one before.  Every input is
 * read twice, by the scanner's build and by one over a 61-byte read window
 * (window_text.c), and the two reads must be the same
 * (ps_fuzz_read_builds).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "read.h"

/* The same reader over a 61-byte window (window_text.c). */
extern const ps_reader ps_reader_text_w61;

typedef struct text_check {
    ps_record_fn fn;
    void *ud;
    uint64_t line; /* of the record before */
} text_check;

static int check_record(void *ud, const ps_record *rec)
{
    text_check *k = ud;

    ps_fuzz_check(rec->value_len > 0, "text: an empty line was emitted");
    ps_fuzz_check(memchr(rec->value, '\n', rec->value_len) == NULL, "text: a line holds a \\n");
    ps_fuzz_check(rec->loc.kind == PS_LOC_LINE && rec->loc.line > k->line,
                  "text: lines not numbered in increasing order");
    ps_fuzz_check(rec->field_len == 0, "text: a line has a field name");
    k->line = rec->loc.line;
    return k->fn(k->ud, rec);
}

static ps_status read_checked(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    static const ps_reader *const builds[] = { &ps_reader_text, &ps_reader_text_w61 };
    text_check k = { fn, ud, 0 };

    return ps_fuzz_read_builds(builds, sizeof(builds) / sizeof(builds[0]), src, check_record, &k,
                               diag);
}

static const ps_reader reader_checked = { "text-builds", PS_FMT_TEXT, read_checked };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&reader_checked, data, size, "fuzz.txt", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}

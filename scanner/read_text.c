/*
 * read_text.c - plain text: one record per non-empty line.
 */
#include "config.h"

#include <string.h>

#include "input.h"
#include "read.h"

/*
 * Emit each non-empty line of src as a record with an empty field name.  An
 * over-long line is skipped and reported at the end (PS_ERR_LIMIT) after the
 * rest of the file has been read; a failure of the source stops at once with
 * its status (PS_ERR_IO, or for gzip PS_ERR_FORMAT / PS_ERR_LIMIT).
 */
static ps_status read_text(const ps_source *src, ps_record_fn fn, void *ud,
                           ps_diag *diag)
{
    ps_input in;
    ps_status first = PS_OK, st;
    size_t max = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    const char *line;
    size_t len;

    st = ps_input_open(&in, src);
    if (st != PS_OK)
        goto done;
    for (;;) {
        ps_record rec;

        st = ps_input_line(&in, &line, &len);
        if (st == PS_ERR_STOP) {
            st = PS_OK;
            break;
        }
        if (st == PS_ERR_LIMIT && ps_input_error(&in) == NULL) {
            if (first == PS_OK) {
                first = st;
                ps_diag_set(diag, "line %llu: longer than %zu bytes",
                            (unsigned long long)in.line_no, max);
            }
            continue;
        }
        if (st != PS_OK) {
            /* The source failed (I/O, corrupt gzip, a decompression limit). */
            ps_diag_set(diag, "line %llu: %s", (unsigned long long)in.line_no + 1,
                        ps_input_error(&in) ? ps_input_error(&in) : "read failed");
            goto done;
        }
        if (len == 0)
            continue;
        memset(&rec, 0, sizeof(rec));
        rec.field = "";
        rec.value = line;
        rec.value_len = len;
        rec.loc.kind = PS_LOC_LINE;
        rec.loc.line = in.line_no;
        if (fn(ud, &rec) != 0) {
            st = PS_ERR_STOP;
            goto done;
        }
    }
done:
    ps_input_free(&in);
    if (st == PS_OK)
        st = first;
    return st;
}

const ps_reader ps_reader_text = { "text", PS_FMT_TEXT, read_text };

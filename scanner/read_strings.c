/*
 * read_strings.c - binary files of no known format.
 *
 * A file nobody recognises is still not skipped: that is how a database
 * export in a proprietary format slips past an audit.  Like strings(1), this
 * reader emits every run of at least MIN_RUN printable bytes (ASCII or UTF-8
 * continuation bytes) as a record, so value rules still see emails, card
 * numbers or keys inside it.  Field names are unknown (""), and the location
 * is the whole file.
 */
#include "config.h"

#include <string.h>

#include "input.h"
#include "read.h"
#include "util.h"

#define MIN_RUN 6

static int is_texty(unsigned char c)
{
    return (c >= 0x20 && c < 0x7f) || c == '\t' || c >= 0x80;
}

/* Emit the run in b (if long enough) and reset it.  Returns non-zero to stop. */
static int flush_run(ps_buf *b, ps_record_fn fn, void *ud)
{
    ps_record rec;
    int stop = 0;

    if (b->len >= MIN_RUN) {
        memset(&rec, 0, sizeof(rec));
        rec.field = "";
        rec.value = b->data;
        rec.value_len = b->len;
        rec.loc.kind = PS_LOC_NONE;
        stop = fn(ud, &rec);
    }
    ps_buf_reset(b);
    return stop;
}

static ps_status strings_read(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag)
{
    ps_input in;
    ps_buf run;
    unsigned char chunk[65536];
    ps_status rc, limit = PS_OK;
    size_t got;

    rc = ps_input_open(&in, src);
    if (rc != PS_OK) {
        ps_input_free(&in);
        return rc;
    }
    ps_buf_init(&run, src->max_record);
    for (;;) {
        rc = ps_input_read(&in, chunk, sizeof(chunk), &got);
        if (rc != PS_OK) {
            ps_diag_set(diag, "%s at byte %llu",
                        ps_input_error(&in) != NULL ? ps_input_error(&in) : "read failed",
                        (unsigned long long)in.offset);
            goto out;
        }
        if (got == 0)
            break;
        for (size_t i = 0; i < got; i++) {
            if (is_texty(chunk[i])) {
                ps_status st = ps_buf_putc(&run, (char)chunk[i]);
                if (st == PS_ERR_LIMIT) {
                    /* An endless printable run: scan what we have, go on. */
                    if (limit == PS_OK)
                        ps_diag_set(diag, "a text run longer than %zu bytes was split",
                                    src->max_record);
                    limit = PS_ERR_LIMIT;
                    if (flush_run(&run, fn, ud)) {
                        rc = PS_ERR_STOP;
                        goto out;
                    }
                    if (ps_buf_putc(&run, (char)chunk[i]) != PS_OK) {
                        rc = PS_ERR_NOMEM;
                        goto out;
                    }
                } else if (st != PS_OK) {
                    rc = st;
                    goto out;
                }
            } else if (flush_run(&run, fn, ud)) {
                rc = PS_ERR_STOP;
                goto out;
            }
        }
    }
    rc = flush_run(&run, fn, ud) ? PS_ERR_STOP : limit;
out:
    ps_buf_free(&run);
    ps_input_free(&in);
    return rc;
}

const ps_reader ps_reader_strings = { "strings", PS_FMT_UNKNOWN, strings_read };

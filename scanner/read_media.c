/*
 * read_media.c - images, audio and video: one file-level record.
 *
 * The interesting fact is that the file exists unencrypted; its bytes are
 * not searched, so the reader reads nothing beyond what sniffing saw.
 */
#include "config.h"

#include <string.h>

#include "read.h"

static ps_status read_media(const ps_source *src, ps_record_fn fn, void *ud,
                            ps_diag *diag)
{
    ps_record rec;

    (void)diag;
    memset(&rec, 0, sizeof(rec));
    rec.field = "";
    rec.value = "";
    rec.media = src->sniff.media;
    rec.loc.kind = PS_LOC_NONE;
    return fn(ud, &rec) != 0 ? PS_ERR_STOP : PS_OK;
}

const ps_reader ps_reader_media = { "media", PS_FMT_MEDIA, read_media };

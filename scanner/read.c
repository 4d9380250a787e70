/*
 * read.c - the reader table.  A new format is one read_<format>.c plus one
 * line here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "read.h"
#include "util.h"

static const ps_reader *const readers[] = {
    &ps_reader_text,
    &ps_reader_jsonl,
    &ps_reader_csv,
    &ps_reader_sqlite,
    &ps_reader_sqldump,
    &ps_reader_media,
    &ps_reader_strings,
    &ps_reader_json,
    &ps_reader_mbox,
};

const ps_reader *ps_reader_for(ps_format f)
{
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        if (readers[i]->format == f)
            return readers[i];
    }
    return NULL;
}

/* --- field ids (read.h) ---------------------------------------------------- */

#define FID_SLOTS (2 * PS_FIELD_IDS) /* hash slots: at most half full */
#define FID_RECENT 64u               /* places k remembered */
#define FID_ARENA (64u * 1024u)      /* bytes of names kept */

typedef struct fid_name {
    uint32_t off, len; /* in arena */
    uint64_t hash;
} fid_name;

struct ps_field_ids {
    uint32_t n;                       /* ids handed out */
    uint32_t used;                    /* arena bytes */
    uint16_t slot[FID_SLOTS];         /* id, or 0 for free */
    uint16_t recent[FID_RECENT];      /* the id last seen at place k */
    fid_name name[PS_FIELD_IDS];      /* by id; [0] unused */
    char arena[FID_ARENA];
};

ps_field_ids *ps_field_ids_new(void)
{
    return calloc(1, sizeof(ps_field_ids));
}

void ps_field_ids_free(ps_field_ids *f)
{
    free(f);
}

static int fid_is(const ps_field_ids *f, uint32_t id, const char *name, size_t len)
{
    const fid_name *e = &f->name[id];

    return e->len == len && memcmp(f->arena + e->off, name, len) == 0;
}

uint32_t ps_field_id(ps_field_ids *f, size_t k, const char *name, size_t len)
{
    uint64_t h;
    uint32_t i, id;

    if (k < FID_RECENT && f->recent[k] != 0 && fid_is(f, f->recent[k], name, len))
        return f->recent[k];
    h = ps_fnv1a(name, len);
    for (i = (uint32_t)(h & (FID_SLOTS - 1)); (id = f->slot[i]) != 0; i = (i + 1) & (FID_SLOTS - 1)) {
        if (f->name[id].hash == h && fid_is(f, id, name, len))
            goto found;
    }
    if (f->n + 1 >= PS_FIELD_IDS || len > FID_ARENA - f->used)
        return 0; /* out of ids or room: the caller goes without */
    id = ++f->n;
    f->name[id] = (fid_name){ f->used, (uint32_t)len, h };
    if (len > 0)
        memcpy(f->arena + f->used, name, len);
    f->used += (uint32_t)len;
    f->slot[i] = (uint16_t)id;
found:
    if (k < FID_RECENT)
        f->recent[k] = (uint16_t)id;
    return id;
}

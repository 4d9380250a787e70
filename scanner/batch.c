/*
 * batch.c - records copied into a fixed arena (see batch.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "batch.h"

ps_batch *ps_batch_new(size_t records, size_t bytes)
{
    ps_batch *b;

    if (records == 0 || bytes == 0 || records > SIZE_MAX / sizeof(ps_record))
        return NULL;
    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->recs = malloc(records * sizeof(*b->recs));
    b->arena = malloc(bytes);
    b->names = calloc(PS_FIELD_IDS, sizeof(*b->names));
    b->gen = 1;
    if (b->recs == NULL || b->arena == NULL || b->names == NULL) {
        ps_batch_free(b);
        return NULL;
    }
    b->cap = records;
    b->size = b->base = bytes;
    return b;
}

void ps_batch_free(ps_batch *b)
{
    if (b == NULL)
        return;
    free(b->recs);
    free(b->arena);
    free(b->names);
    free(b);
}

void ps_batch_reset(ps_batch *b)
{
    b->n = 0;
    b->used = 0;
    b->next = NULL;
    if (++b->gen == 0) {
        /* Wrapped: old stamps could pass for new ones. */
        memset(b->names, 0, PS_FIELD_IDS * sizeof(*b->names));
        b->gen = 1;
    }
    if (b->size > b->base) {
        /* One huge record grew it; do not keep 16 MiB per batch for good. */
        char *a = realloc(b->arena, b->base);
        if (a != NULL) {
            b->arena = a;
            b->size = b->base;
        }
    }
}

/* Bytes a C string takes in the arena (0 for NULL). */
static size_t str_cost(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

/* Copy len bytes of s plus a NUL to the arena; returns the copy. */
static char *put(ps_batch *b, const char *s, size_t len)
{
    char *d = b->arena + b->used;

    if (len > 0)
        memcpy(d, s, len);
    d[len] = '\0';
    b->used += len + 1;
    return d;
}

static const char *put_str(ps_batch *b, const char *s)
{
    return s != NULL ? put(b, s, strlen(s)) : NULL;
}

/*
 * What rec takes in b: *need arena bytes, and *known the names it shares
 * with an earlier record of b (or NULL).  PS_ERR_LIMIT when b holds records
 * and rec does not fit; an empty b takes any record (the caller grows it).
 */
static ps_status batch_room(const ps_batch *b, const ps_record *rec, ps_batch_names **known,
                            size_t *need)
{
    *known = NULL;
    if (rec->field_id != 0 && rec->field_id < PS_FIELD_IDS &&
        b->names[rec->field_id].gen == b->gen)
        *known = &b->names[rec->field_id];
    /* Each term is bounded by a reader's record limit, but say so in code. */
    if (rec->field_len > SIZE_MAX / 4 || rec->value_len > SIZE_MAX / 4)
        return PS_ERR_NOMEM;
    *need = rec->value_len + 1;
    if (*known == NULL) {
        size_t parts[3] = { str_cost(rec->loc.table), str_cost(rec->loc.column),
                            str_cost(rec->loc.pointer) };

        *need += rec->field_len + 1;
        for (size_t i = 0; i < 3; i++) {
            if (parts[i] > SIZE_MAX / 8)
                return PS_ERR_NOMEM;
            *need += parts[i];
        }
    }
    if ((b->n == b->cap || *need > b->size - b->used) && b->n > 0)
        return PS_ERR_LIMIT;
    return PS_OK;
}

static ps_batch_names *known_fit(ps_batch *b, const ps_record *rec)
{
    return ps_batch_known_fit(b, rec) ? &b->names[rec->field_id] : NULL;
}

ps_status ps_batch_tally_slow(ps_batch *b, const ps_record *rec)
{
    ps_batch_names *known;
    size_t need;
    ps_status st;

    st = batch_room(b, rec, &known, &need);
    if (st != PS_OK)
        return st;
    b->n++;
    /* A record larger than the arena fills it, as ps_batch_add's growth would. */
    b->used = need > b->size - b->used ? b->size : b->used + need;
    if (known == NULL && rec->field_id != 0 && rec->field_id < PS_FIELD_IDS)
        b->names[rec->field_id] = (ps_batch_names){ b->gen, NULL, NULL, NULL, NULL };
    return PS_OK;
}

ps_status ps_batch_add(ps_batch *b, const ps_record *rec)
{
    ps_batch_names *known = known_fit(b, rec);
    size_t need;
    ps_record *r;

    if (known == NULL) {
        ps_status st = batch_room(b, rec, &known, &need);

        if (st != PS_OK)
            return st;
        if (need > b->size) {
            /* Empty (batch_room): nothing points into the arena yet, so it may move. */
            char *a = realloc(b->arena, need);
            if (a == NULL)
                return PS_ERR_NOMEM;
            b->arena = a;
            b->size = need;
        }
    }
    r = &b->recs[b->n++];
    *r = *rec;
    r->value = put(b, rec->value != NULL ? rec->value : "", rec->value != NULL ? rec->value_len : 0);
    if (known != NULL) {
        r->field = known->field;
        r->loc.table = known->table;
        r->loc.column = known->column;
        r->loc.pointer = known->pointer;
        return PS_OK;
    }
    r->field = put(b, rec->field != NULL ? rec->field : "", rec->field != NULL ? rec->field_len : 0);
    r->loc.table = put_str(b, rec->loc.table);
    r->loc.column = put_str(b, rec->loc.column);
    r->loc.pointer = put_str(b, rec->loc.pointer);
    if (rec->field_id != 0 && rec->field_id < PS_FIELD_IDS)
        b->names[rec->field_id] = (ps_batch_names){ b->gen, r->field, r->loc.table,
                                                    r->loc.column, r->loc.pointer };
    return PS_OK;
}

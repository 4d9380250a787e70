/*
 * batch.h - a run of records copied out of a reader, so that another
 * thread can match them.
 *
 * A reader lends its strings only for the length of one callback.  To let a
 * big file be read by one worker and matched by all of them, the records
 * are copied into a batch: one fixed arena for the bytes and one array of
 * ps_record pointing into it.  The arena never moves once a record points
 * into it, so a full batch is refused (PS_ERR_LIMIT) rather than grown; the
 * caller hands the batch on and starts the next.  Only an empty batch grows,
 * to take one record larger than the arena.
 *
 * Batch boundaries depend only on the records (their count and bytes),
 * never on timing, so what is matched together is the same at any thread
 * count.
 */
#ifndef PS_BATCH_H
#define PS_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "read.h"

#define PS_BATCH_BYTES (1u << 20)   /* arena: values and names of one batch */
#define PS_BATCH_RECORDS 8192u      /* records in one batch */

/* The names of one field id, as first copied into this batch. */
typedef struct ps_batch_names {
    uint32_t gen;         /* the batch's gen when copied; else stale */
    const char *field, *table, *column, *pointer;
} ps_batch_names;

typedef struct ps_batch {
    size_t file;          /* the scan's index of the file the records came from */
    uint64_t seq;         /* 0, 1, 2 ... within that file */
    ps_record *recs;
    size_t n, cap;        /* records held / room for */
    char *arena;
    size_t used, size;    /* bytes used / allocated */
    size_t base;          /* the arena's size when made; reset shrinks back to it */
    /*
     * By field id (read.h): a batch holds one file's records, so a field's
     * names are copied once per batch and shared by its later records.
     */
    ps_batch_names *names;
    uint32_t gen;         /* bumped by every reset */
    struct ps_batch *next; /* for the owner's queues */
} ps_batch;

/*
 * A new empty batch for up to records records and bytes bytes of arena
 * (both at least 1), or NULL when out of memory.
 */
ps_batch *ps_batch_new(size_t records, size_t bytes);
void ps_batch_free(ps_batch *b);

/* Forget the records (keeps the memory; an oversized arena is shrunk back). */
void ps_batch_reset(ps_batch *b);

/*
 * Copy rec (value, field name and location strings) into b; records with
 * the field id of an earlier record of b share that record's names.  All of
 * b's records must come from one file.  Returns PS_OK,
 * PS_ERR_LIMIT when b holds records and rec does not fit (b is unchanged:
 * hand it on and add rec to a fresh batch), or PS_ERR_NOMEM.
 */
ps_status ps_batch_add(ps_batch *b, const ps_record *rec) PS_WARN_UNUSED;

/*
 * Nearly every record: a field b has seen, and a value that fits.  Then
 * ps_batch_add shares the field's names and needs value_len + 1 bytes.
 */
static inline bool ps_batch_known_fit(const ps_batch *b, const ps_record *rec)
{
    uint32_t id = rec->field_id;

    return id != 0 && id < PS_FIELD_IDS && b->names[id].gen == b->gen && b->n < b->cap &&
           rec->value_len < b->size - b->used;
}

/* ps_batch_tally for a record ps_batch_known_fit refused. */
ps_status ps_batch_tally_slow(ps_batch *b, const ps_record *rec) PS_WARN_UNUSED;

/*
 * Count rec against b exactly as ps_batch_add would (the same PS_OK and
 * PS_ERR_LIMIT answers, so the same batch boundaries), without copying
 * anything: for a batch whose records are matched where they lie, as the
 * reader reads them.  Such a batch holds counts only; its recs are unset.
 * Inline: at -j1 the reader counts every record through here.
 */
static inline PS_WARN_UNUSED ps_status ps_batch_tally(ps_batch *b, const ps_record *rec)
{
    if (!ps_batch_known_fit(b, rec))
        return ps_batch_tally_slow(b, rec);
    b->n++;
    b->used += rec->value_len + 1;
    return PS_OK;
}

#endif /* PS_BATCH_H */

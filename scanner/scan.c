/*
 * scan.c - the pipeline driver: walk, then sniff/read/match every file in a
 * worker pool, then file-scope rules, then one deterministic order.
 *
 * Workers take the next file index from an atomic counter (no queue to
 * lock), biggest files first so that the last file to start is a small
 * one, and each writes only to the slot of the file it took.  Slots are
 * joined in walk order afterwards, so neither the thread count nor timing
 * can change the output.
 *
 * One big file must not serialise the run.  A file of opts->split_bytes
 * (PS_SCAN_SPLIT_DEFAULT) or more is read by the worker that took it, but its records are copied into
 * batches (batch.h) that any worker may match: idle workers take batches
 * from a shared queue.  The reader keeps the people tracker and the
 * row-scope rules (they need the rows in order); matching, the bulk of the
 * cost, spreads over the pool.  When the queue is full the reader matches
 * its batch itself, which bounds memory and keeps it busy; a batch begun
 * while the queue is full (or with one thread) is direct: its records are
 * matched as they are read, not copied, and only counted so that it ends
 * where a copied batch would.  Each batch's
 * findings are absorbed into the file's findings in batch order
 * (ps_agg_absorb) as soon as the batches before it are in, so the result
 * is the one a single aggregation would give, and at most a few batches'
 * findings wait at any time.
 *
 * Memory.  A user store (SQLite, SQL dump, CSV) holds its linkage index
 * while it is read: about 120 MB for a full-size VTech store, about a tenth
 * of its bytes.  Big stores therefore start in dispatch order and share a
 * byte budget (opts->store_budget): one starts while the sizes of those
 * being read add up to the budget, or when no other is being read, so a
 * store bigger than the budget is read alone (take_store).  A worker that
 * must wait matches the other stores' batches meanwhile.  Side by side,
 * each worker reads and matches its own store; one at a time, the waiting
 * worker can only match what the reader copies for it, and idles whenever
 * the reader (and the people tracker it feeds) is the slower half.
 * Batching depends on the file's size, never on the thread count, so even
 * the distinct-key cap behaves the same at -j1.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "date.h"
#include "findings.h"
#include "input.h"
#include "nonce.h"
#include "people.h"
#include "read.h"
#include "scan.h"
#include "sniff.h"
#include "util.h"
#include "walk.h"

#define MAX_THREADS 256
/* Batches waiting in the queue, per thread, before a reader matches its own. */
#define PS_QUEUE_PER_THREAD 2u

/* The findings of one batch, kept until the file's batches are absorbed in order. */
typedef struct batch_result {
    uint64_t seq;
    ps_findings found;
    struct batch_result *next;
} batch_result;

/* What one file produced.  Written by exactly one worker. */
typedef struct file_slot {
    ps_findings findings;
    ps_sniff sniff;
    uint64_t size;   /* from fstat of the open file, not the walk */
    unsigned mode;
    int read_ok;     /* opened and sniffed */
    int skipped;     /* not a regular file any more when opened */
    char *error;     /* one-line reason the file is incomplete, or NULL */
    char *inner;     /* the file inside a gzip file, or NULL */
    ps_people_part *people; /* the file's share of the impact count */
    bool has_nonce;  /* nonce holds the file's nonce (nonce.h) */
    unsigned char nonce[PS_NONCE_BYTES];
    ps_file_facts facts;      /* what the matcher knows of the file; batches point here */
    /*
     * A split file's batches, joined as they come (under the pool lock):
     * acc has absorbed batches 0 .. next_seq-1 in order; later ones wait in
     * pending, sorted by seq, until the gap before them is filled.
     */
    ps_agg *acc;
    uint64_t next_seq;
    batch_result *pending;
} file_slot;

typedef struct scan_shared {
    const ps_matcher *matcher;
    const ps_scan_opts *opts;
    const ps_filelist *files;
    file_slot *slots;
    const size_t *order; /* files by size, biggest first */
    atomic_size_t next;  /* index into order */
    atomic_int fatal;  /* a worker ran out of memory: stop everyone */

    /* The batch queue and everything below are under lock. */
    pthread_mutex_t lock;
    pthread_cond_t cond;   /* a batch was queued, a file finished, or fatal */
    ps_batch *qhead, *qtail;
    size_t nqueued, maxqueued;
    ps_batch *spare;       /* matched batches, for reuse */
    size_t nspare;
    size_t unfinished;     /* files not yet completely read */
    unsigned nthreads;
    /* The sizes of the big user stores being read, added up (see take_store): 0 when none is. */
    uint64_t store_bytes;
    uint64_t store_budget;
    /*
     * Big stores start in dispatch order: settled[k] is set once the file
     * at dispatch position k is known not to be a big store, or its store
     * has started; settled_upto is the first position not yet settled.
     */
    bool *settled;
    size_t settled_upto;

    /*
     * Files by folder, for joining a folder store's people as soon as the
     * folder is done (see folder_done): dir_idx lists file indices grouped
     * by folder, group g being dir_idx[group_start[g] .. group_start[g+1]);
     * group_of[i] is file i's group; group_left[g] counts its unfinished
     * files (under lock).
     */
    size_t *dir_idx, *group_of, *group_start, *group_left;
} scan_shared;

/*
 * One worker's private state: nothing here is shared.  Workers live in one
 * array, and each writes its own on every record (hit_agg) and row
 * (row_rec).  Each starts on a cache line of its own:
 * without that, one worker's row_rec shared a line with the next one's
 * head, and at -j2 both paid for the line going back and forth.
 */
typedef struct scan_worker {
    _Alignas(PS_CACHE_LINE) scan_shared *sh;
    const ps_ruleset *rs; /* the matcher's, fetched once: on_hit reads it on every hit */
    ps_match_ctx *ctx;
    const ps_file_facts *ctx_facts; /* the file ctx was last begun on */
    ps_agg *agg;       /* the file being read: its record and row hits */
    ps_agg *bagg;      /* a batch being matched: its hits only */
    ps_agg *hit_agg;   /* where on_hit counts: agg or bagg */
    ps_people *people;
    const ps_file *file;
    size_t file_index;
    size_t file_pos;   /* the file's dispatch position (index into order) */
    ps_batch *batch;   /* records waiting to be handed on, when the file is split */
    bool direct;       /* batch only counts its records: they are matched as read */
    uint64_t nbatch;   /* batches of this file handed on so far */
    ps_status failure; /* first ps_agg failure inside a callback */
    ps_record row_rec; /* the location a row-scope finding is reported at */
    pthread_t tid;
} scan_worker;

static int on_hit(void *ud, uint32_t rule, const ps_record *rec)
{
    scan_worker *w = ud;
    const ps_ruleset *rs = w->rs;
    bool fresh = false;
    ps_status st;

    st = ps_agg_hit(w->hit_agg, rule, rs->rules[rule].severity, w->file->rel_path, rec, &fresh);
    if (st == PS_OK && rs->rules[rule].uses_date)
        ps_agg_note_date(w->hit_agg, ps_match_record_date(w->ctx));
    if (st == PS_OK && fresh && rec != NULL && rec->value_len > 0) {
        size_t start = 0, end = rec->value_len;
        ps_match_span(w->ctx, rule, rec, &start, &end);
        st = ps_agg_set_evidence(w->hit_agg, rec->value + start, end - start);
    }
    if (st != PS_OK) {
        w->failure = st;
        return 1;
    }
    return 0;
}

/* A row-scope hit: aggregated per table (or per file for CSV / JSONL rows). */
static int on_row_hit(void *ud, uint32_t rule, const ps_record *rec)
{
    scan_worker *w = ud;
    const ps_ruleset *rs = w->rs;
    bool fresh = false;
    ps_status st;

    (void)rec;
    st = ps_agg_hit(w->agg, rule, rs->rules[rule].severity, w->file->rel_path,
                    &w->row_rec, &fresh);
    if (st != PS_OK) {
        w->failure = st;
        return 1;
    }
    return 0;
}

static int on_row(void *ud, const ps_row_facts *row, const ps_loc *loc)
{
    scan_worker *w = ud;

    memset(&w->row_rec, 0, sizeof(w->row_rec));
    w->row_rec.field = "";
    w->row_rec.value = "";
    w->row_rec.loc = *loc;
    return ps_match_row(w->ctx, row, on_row_hit, w) == PS_OK ? 0 : 1;
}

/* --- batches of a split file --------------------------------------------- */

static void begin_ctx(scan_worker *w, const ps_file_facts *facts)
{
    if (w->ctx_facts != facts) {
        ps_match_file_begin(w->ctx, facts);
        w->ctx_facts = facts;
    }
}

/* Give b back for reuse (or free it when enough are spare).  Under lock. */
static void spare_batch(scan_shared *sh, ps_batch *b)
{
    if (sh->nspare >= sh->maxqueued + sh->nthreads) {
        ps_batch_free(b);
        return;
    }
    ps_batch_reset(b);
    b->next = sh->spare;
    sh->spare = b;
    sh->nspare++;
}

/* spare_batch, taking the lock. */
static void give_batch(scan_shared *sh, ps_batch *b)
{
    pthread_mutex_lock(&sh->lock);
    spare_batch(sh, b);
    pthread_mutex_unlock(&sh->lock);
}

/* The oldest queued batch, or NULL.  Under lock. */
static ps_batch *queue_pop(scan_shared *sh)
{
    ps_batch *b = sh->qhead;

    if (b != NULL) {
        sh->qhead = b->next;
        if (sh->qhead == NULL)
            sh->qtail = NULL;
        sh->nqueued--;
        b->next = NULL;
    }
    return b;
}

static ps_status file_result(scan_worker *w, batch_result *res, ps_batch *b, ps_status st);

/*
 * Match the records of b (a batch of file b->file) into a findings list of
 * their own, filed under the file's slot with b's sequence number.  Any
 * worker may run this; it leaves w's own file (agg, file) as it found it.
 */
static ps_status match_batch(scan_worker *w, ps_batch *b)
{
    scan_shared *sh = w->sh;
    file_slot *slot = &sh->slots[b->file];
    const ps_file *saved = w->file;
    batch_result *res = calloc(1, sizeof(*res));
    ps_status st = PS_OK;

    if (res == NULL)
        return PS_ERR_NOMEM;
    begin_ctx(w, &slot->facts);
    w->file = &sh->files->items[b->file];
    w->hit_agg = w->bagg;
    w->failure = PS_OK;
    for (size_t i = 0; i < b->n && st == PS_OK; i++)
        st = ps_match_record(w->ctx, &b->recs[i], on_hit, w);
    if (w->failure != PS_OK)
        st = w->failure;
    w->failure = PS_OK;
    w->hit_agg = w->agg;
    w->file = saved;
    return file_result(w, res, b, st);
}

/*
 * File what w->bagg holds as batch b's findings (res, allocated by the
 * caller), absorb what is now in order, and give b back.  st is how the
 * matching went; the result is st or the first failure here.
 */
static ps_status file_result(scan_worker *w, batch_result *res, ps_batch *b, ps_status st)
{
    scan_shared *sh = w->sh;
    file_slot *slot = &sh->slots[b->file];

    /* ps_agg_take also resets bagg, so a failed batch leaves nothing behind. */
    if (ps_agg_take(w->bagg, &res->found) != PS_OK && st == PS_OK)
        st = PS_ERR_NOMEM;
    res->seq = b->seq;
    pthread_mutex_lock(&sh->lock);
    {
        batch_result **at = &slot->pending;

        while (*at != NULL && (*at)->seq < res->seq)
            at = &(*at)->next;
        res->next = *at;
        *at = res;
    }
    /* Absorb what is now in order; a few findings per batch, so the lock is short. */
    while (st == PS_OK && slot->pending != NULL && slot->pending->seq == slot->next_seq) {
        batch_result *r = slot->pending;

        if (slot->acc == NULL && ps_agg_create(sh->opts->show_values, &slot->acc) != PS_OK) {
            st = PS_ERR_NOMEM;
            break;
        }
        st = ps_agg_absorb(slot->acc, &r->found);
        slot->pending = r->next;
        slot->next_seq++;
        ps_findings_free(&r->found);
        free(r);
    }
    spare_batch(sh, b);
    pthread_mutex_unlock(&sh->lock);
    return st;
}

/*
 * Hand the reader's current batch on: to the queue for any worker, or,
 * when the queue is full (or there is no other worker), match it here.  A
 * direct batch was matched as it was read: only its findings are filed.
 */
static ps_status submit_batch(scan_worker *w)
{
    scan_shared *sh = w->sh;
    ps_batch *b = w->batch;
    bool queued = false;

    w->batch = NULL;
    if (b->n == 0) {
        give_batch(sh, b);
        return PS_OK;
    }
    b->file = w->file_index;
    b->seq = w->nbatch++;
    if (w->direct) {
        batch_result *res = calloc(1, sizeof(*res));

        if (res == NULL) {
            give_batch(sh, b);
            return PS_ERR_NOMEM;
        }
        return file_result(w, res, b, PS_OK);
    }
    if (sh->nthreads > 1) {
        pthread_mutex_lock(&sh->lock);
        if (sh->nqueued < sh->maxqueued) {
            if (sh->qtail != NULL)
                sh->qtail->next = b;
            else
                sh->qhead = b;
            sh->qtail = b;
            sh->nqueued++;
            queued = true;
            pthread_cond_signal(&sh->cond);
        }
        pthread_mutex_unlock(&sh->lock);
    }
    /* Else match it here; its hits go to its own result, not to w->agg. */
    return queued ? PS_OK : match_batch(w, b);
}

/*
 * A batch to fill: a spare one, or a new one.  When no other worker could
 * take it now (one thread, or the queue is full), the batch is direct: its
 * records are matched as they are read instead of being copied, and only
 * counted, so that its boundaries, and so the result, are the same.
 */
static ps_status next_batch(scan_worker *w)
{
    scan_shared *sh = w->sh;

    pthread_mutex_lock(&sh->lock);
    w->direct = sh->nthreads == 1 || sh->nqueued >= sh->maxqueued;
    w->batch = sh->spare;
    if (w->batch != NULL) {
        sh->spare = w->batch->next;
        sh->nspare--;
        w->batch->next = NULL;
    }
    pthread_mutex_unlock(&sh->lock);
    if (w->batch == NULL)
        w->batch = ps_batch_new(sh->opts->batch_records ? sh->opts->batch_records
                                                        : PS_BATCH_RECORDS,
                                PS_BATCH_BYTES);
    return w->batch != NULL ? PS_OK : PS_ERR_NOMEM;
}

/*
 * Put rec in the reader's batch (see next_batch), or count it there and
 * match it now.  Forced inline: GCC otherwise splits it and calls the part
 * with the tally, once per record.
 */
static PS_ALWAYS_INLINE ps_status batch_put(scan_worker *w, const ps_record *rec)
{
    return w->direct ? ps_batch_tally(w->batch, rec) : ps_batch_add(w->batch, rec);
}

/* rec, of the reader's file, into a direct batch's findings. */
static ps_status match_direct(scan_worker *w, const ps_record *rec)
{
    ps_status st;

    begin_ctx(w, &w->sh->slots[w->file_index].facts);
    w->hit_agg = w->bagg;
    st = ps_match_record(w->ctx, rec, on_hit, w);
    w->hit_agg = w->agg;
    if (w->failure != PS_OK)
        st = w->failure;
    return st;
}

/* rec into the reader's batch, handing the batch on when it is full. */
static ps_status batch_record(scan_worker *w, const ps_record *rec)
{
    ps_status st = batch_put(w, rec);

    if (st == PS_ERR_LIMIT) {
        st = submit_batch(w);
        if (st == PS_OK)
            st = next_batch(w);
        if (st == PS_OK)
            st = batch_put(w, rec);
    }
    if (st == PS_OK && w->direct)
        st = match_direct(w, rec);
    return st;
}

/*
 * The next queued batch, or NULL.  With wait, blocks while the queue is
 * empty but some file is still being read (it may queue more), and returns
 * NULL only when no batch can come any more.
 */
static ps_batch *take_batch(scan_shared *sh, bool wait)
{
    ps_batch *b;

    pthread_mutex_lock(&sh->lock);
    while (wait && sh->qhead == NULL && sh->unfinished > 0 && !atomic_load(&sh->fatal))
        pthread_cond_wait(&sh->cond, &sh->lock);
    b = queue_pop(sh);
    pthread_mutex_unlock(&sh->lock);
    return b;
}

/* A big file in a format that holds a user store and its linkage index. */
static bool is_big_store(const scan_shared *sh, const file_slot *slot)
{
    uint64_t split = sh->opts->split_bytes ? sh->opts->split_bytes : PS_SCAN_SPLIT_DEFAULT;

    if (slot->size < split)
        return false;
    return slot->sniff.format == PS_FMT_SQLITE || slot->sniff.format == PS_FMT_SQLDUMP ||
           slot->sniff.format == PS_FMT_CSV;
}

/*
 * The file at dispatch position pos needs no turn (any more): it is not a
 * big store, or its store is read.  Idempotent; wakes the waiters.
 */
static void settle(scan_shared *sh, size_t pos)
{
    pthread_mutex_lock(&sh->lock);
    sh->settled[pos] = true;
    while (sh->settled_upto < sh->files->n && sh->settled[sh->settled_upto])
        sh->settled_upto++;
    pthread_cond_broadcast(&sh->cond);
    pthread_mutex_unlock(&sh->lock);
}

/* Whether a store of size bytes fits beside the stores being read.  Under lock. */
static bool fits_budget(const scan_shared *sh, uint64_t size)
{
    /* One store bigger than the budget may be read alone: no wrap-around. */
    return sh->store_bytes <= sh->store_budget && size <= sh->store_budget - sh->store_bytes;
}

/*
 * Wait until every file dispatched before this one is settled and the store
 * fits the budget beside those being read (or none is being read), matching
 * queued batches (the other stores') meanwhile, then start it, and settle
 * its position so that the next store in order may start too.  Stores thus
 * start in dispatch order (biggest first), whatever the timing: a folder
 * store's files, adjacent in that order, start back to back, so no store
 * bigger than the budget starts while half of a folder store waits
 * (docs/people.md).  The first waiting store in order always starts once
 * the stores being read are done, so nobody waits for ever.  Leaves w's
 * match context on whatever file it matched last: the caller begins its
 * own.
 */
static ps_status take_store(scan_worker *w, uint64_t size)
{
    scan_shared *sh = w->sh;
    ps_status st = PS_OK;

    pthread_mutex_lock(&sh->lock);
    while ((sh->settled_upto < w->file_pos ||
            (sh->store_bytes > 0 && !fits_budget(sh, size))) &&
           !atomic_load(&sh->fatal)) {
        ps_batch *b = queue_pop(sh);

        if (b == NULL) {
            pthread_cond_wait(&sh->cond, &sh->lock);
            continue;
        }
        pthread_mutex_unlock(&sh->lock);
        st = match_batch(w, b);
        pthread_mutex_lock(&sh->lock);
        if (st != PS_OK)
            break;
    }
    if (st == PS_OK)
        sh->store_bytes += size; /* a big store has size >= split_bytes >= 1 */
    pthread_mutex_unlock(&sh->lock);
    if (st == PS_OK)
        settle(sh, w->file_pos);
    return st;
}

/* The store of size bytes is read: its budget is free for the next. */
static void give_store(scan_shared *sh, uint64_t size)
{
    pthread_mutex_lock(&sh->lock);
    sh->store_bytes -= size;
    pthread_cond_broadcast(&sh->cond);
    pthread_mutex_unlock(&sh->lock);
}

/* One file fewer that may still queue batches: wake the waiters to re-check. */
static void file_done(scan_shared *sh)
{
    pthread_mutex_lock(&sh->lock);
    sh->unfinished--;
    pthread_cond_broadcast(&sh->cond);
    pthread_mutex_unlock(&sh->lock);
}

/*
 * Join a split file's findings: the reader's own (row-scope) findings, then
 * the batches' (already joined in batch order in slot->acc), through one
 * aggregation (ps_agg_absorb), so counts, first locations and evidence are
 * those of a sequential read.
 */
static ps_status absorb_results(ps_agg *agg, file_slot *slot)
{
    ps_findings batches = { 0 };
    ps_status st = ps_agg_take(slot->acc, &batches);

    if (st == PS_OK)
        st = ps_agg_absorb(agg, &slot->findings);
    if (st == PS_OK)
        st = ps_agg_absorb(agg, &batches);
    ps_findings_free(&batches);
    if (st == PS_OK)
        st = ps_agg_take(agg, &slot->findings);
    return st;
}

static void free_results(file_slot *slot)
{
    while (slot->pending != NULL) {
        batch_result *r = slot->pending;
        slot->pending = r->next;
        ps_findings_free(&r->found);
        free(r);
    }
    ps_agg_destroy(slot->acc);
    slot->acc = NULL;
}

/* Name the file inside a gzip file on each of its findings. */
static ps_status set_inner(file_slot *slot)
{
    for (size_t i = 0; slot->inner != NULL && i < slot->findings.n; i++) {
        if (slot->findings.items[i].inner != NULL)
            continue;
        slot->findings.items[i].inner = ps_strdup(slot->inner);
        if (slot->findings.items[i].inner == NULL)
            return PS_ERR_NOMEM;
    }
    return PS_OK;
}

static int on_record(void *ud, const ps_record *rec)
{
    scan_worker *w = ud;
    ps_status st = w->batch != NULL ? batch_record(w, rec)
                                    : ps_match_record(w->ctx, rec, on_hit, w);

    if (st == PS_OK)
        st = ps_people_record(w->people, rec, on_row, w);
    if (st != PS_OK && w->failure == PS_OK && st != PS_ERR_STOP)
        w->failure = st;
    return st == PS_OK ? 0 : 1;
}

static ps_status slot_error(file_slot *slot, const char *msg)
{
    if (slot->error != NULL)
        return PS_OK; /* the first reason is the one worth reading */
    slot->error = ps_strdup(msg);
    return slot->error != NULL ? PS_OK : PS_ERR_NOMEM;
}

/*
 * A compressed file.  gzip is read through the inflating transport: sniff
 * what is inside, and let the reader for that format read it, with the
 * location naming the inner file.  Other archive formats are reported as not
 * scanned, never passed as clean.  Sets slot->error for what cannot be
 * read; returns only PS_ERR_NOMEM.
 */
static ps_status open_compressed(const ps_file *f, int fd, const unsigned char *head,
                                 size_t n, file_slot *slot, ps_source *src)
{
    unsigned char inner_head[PS_SNIFF_HEAD];
    char inner[256];
    size_t got = 0;
    ps_status st;

    if (n < 2 || head[0] != 0x1f || head[1] != 0x8b)
        return slot_error(slot, "compressed archive (zip, bzip2, xz, zstd or 7z): contents were not scanned");
    st = ps_gzip_peek(fd, inner_head, sizeof(inner_head), &got, inner, sizeof(inner));
    if (st == PS_ERR_NOMEM)
        return st;
    if (st != PS_OK)
        return slot_error(slot, "corrupt gzip data");
    if (inner[0] == '\0') {
        /* No name stored: the file's own name without ".gz". */
        const char *base = strrchr(f->rel_path, '/');
        size_t len;
        base = base != NULL ? base + 1 : f->rel_path;
        len = strlen(base);
        if (len > 3 && strcmp(base + len - 3, ".gz") == 0)
            len -= 3;
        if (len >= sizeof(inner))
            len = sizeof(inner) - 1;
        memcpy(inner, base, len);
        inner[len] = '\0';
    }
    slot->sniff = ps_sniff_buffer(inner_head, got, inner,
                                  got < sizeof(inner_head) ? got : UINT64_MAX);
    if (slot->sniff.format == PS_FMT_COMPRESSED)
        return slot_error(slot, "compressed data inside compressed data: contents were not scanned");
    slot->inner = ps_strdup(inner);
    if (slot->inner == NULL)
        return PS_ERR_NOMEM;
    src->transport = PS_TRANSPORT_GZIP;
    return PS_OK;
}

/*
 * Open, sniff, read and match one file.  Everything that goes wrong with the
 * file itself lands in the slot's error; only running out of memory is
 * returned, because then the whole scan is in doubt.
 */
static ps_status scan_file(scan_worker *w, const ps_file *f, file_slot *slot)
{
    unsigned char head[PS_SNIFF_HEAD];
    const ps_reader *reader;
    ps_file_facts *facts = &slot->facts;
    bool store_turn = false;
    ps_source src;
    ps_diag diag;
    struct stat st;
    ssize_t got;
    ps_status rc = PS_OK;
    int fd;

    /* O_NONBLOCK: if the entry became a FIFO since the walk, open must not hang. */
    fd = open(f->open_path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK |
                                (f->via_link ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return slot_error(slot, strerror(errno));
    if (fstat(fd, &st) != 0) {
        rc = slot_error(slot, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        slot->skipped = 1;
        goto out;
    }
    /* Regular files ignore O_NONBLOCK, but readers expect blocking reads. */
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    do {
        got = pread(fd, head, sizeof(head), 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        rc = slot_error(slot, strerror(errno));
        goto out;
    }
    slot->size = (uint64_t)st.st_size;
    slot->mode = (unsigned)(st.st_mode & 07777);
    slot->sniff = ps_sniff_buffer(head, (size_t)got, f->rel_path, slot->size);
    slot->has_nonce = ps_nonce_of(head, (size_t)got, &slot->sniff, slot->nonce);
    slot->read_ok = 1;

    memset(&src, 0, sizeof(src));
    if (slot->sniff.format == PS_FMT_COMPRESSED) {
        /* Fail closed: what we cannot open, we do not call clean. */
        rc = open_compressed(f, fd, head, (size_t)got, slot, &src);
        if (rc != PS_OK || slot->error != NULL)
            goto out;
    }
    memset(facts, 0, sizeof(*facts));
    facts->rel_path = f->rel_path;
    facts->size = slot->size;
    facts->mode = slot->mode;
    facts->sniff = slot->sniff;
    reader = ps_reader_for(slot->sniff.format);
    if (reader != NULL && is_big_store(w->sh, slot)) {
        rc = take_store(w, slot->size);
        if (rc != PS_OK)
            goto out;
        store_turn = true;
    } else {
        settle(w->sh, w->file_pos);
    }
    w->ctx_facts = NULL;
    begin_ctx(w, facts);
    if (reader == NULL)
        goto out; /* empty files and ciphertext have no records */

    rc = ps_people_file_begin(w->people, w->ctx, f->rel_path, slot->sniff.format);
    if (rc != PS_OK)
        goto out;
    src.fd = fd;
    src.open_path = f->open_path;
    src.rel_path = f->rel_path;
    src.size = slot->size;
    src.sniff = slot->sniff;
    src.max_record = w->sh->opts->max_record ? w->sh->opts->max_record
                                             : PS_MAX_RECORD_DEFAULT;
    diag.msg[0] = '\0';
    w->failure = PS_OK;
    w->nbatch = 0;
    if (slot->size >= (w->sh->opts->split_bytes ? w->sh->opts->split_bytes
                                                 : PS_SCAN_SPLIT_DEFAULT)) {
        rc = next_batch(w);
        if (rc != PS_OK)
            goto out;
    }
    rc = reader->read(&src, on_record, w, &diag);
    if (w->failure != PS_OK) {
        rc = w->failure;
        goto out;
    }
    if (w->batch != NULL) {
        /* The records read before the end (or a failure) still get matched. */
        ps_status bst = submit_batch(w);
        if (bst != PS_OK) {
            rc = bst;
            goto out;
        }
    }
    {
        /* The last row, and the file's share of its store's people. */
        ps_status pst = ps_people_file_end(w->people, on_row, w, &slot->people);
        if (pst == PS_OK && w->failure != PS_OK)
            pst = w->failure;
        if (pst != PS_OK) {
            rc = pst;
            goto out;
        }
    }
    if (rc == PS_ERR_NOMEM)
        goto out;
    if (rc != PS_OK && rc != PS_ERR_STOP) {
        char msg[sizeof(diag.msg) + 64];
        snprintf(msg, sizeof(msg), "%s: %s", ps_strerror(rc),
                 diag.msg[0] ? diag.msg : "read stopped early");
        rc = slot_error(slot, msg);
    } else {
        rc = PS_OK;
    }
out:
    close(fd);
    if (store_turn)
        give_store(w->sh, slot->size); /* its linkage index is resolved or handed on by now */
    if (w->batch != NULL) {
        /* Only after a failure: the batch was never handed on. */
        ps_findings lost = {0};

        if (w->direct && ps_agg_take(w->bagg, &lost) == PS_OK)
            ps_findings_free(&lost); /* its hits so far: never absorbed */
        give_batch(w->sh, w->batch);
        w->batch = NULL;
    }
    if (rc == PS_OK)
        rc = ps_agg_take(w->agg, &slot->findings);
    if (rc == PS_OK && w->nbatch == 0)
        rc = set_inner(slot); /* a split file's, once its batches are joined */
    return rc;
}

/*
 * Join the people parts of folder group g's folder stores (all its files are
 * read): each store's parts become one resolved part, kept in the slot of
 * its first file, so its linkage index is freed now rather than at the end.
 */
static ps_status join_folder(scan_shared *sh, size_t g)
{
    const size_t *idx = sh->dir_idx + sh->group_start[g];
    size_t n = sh->group_start[g + 1] - sh->group_start[g];
    ps_people_part **v = malloc((n + 1) * sizeof(*v));
    ps_status st = PS_OK;

    if (v == NULL)
        return PS_ERR_NOMEM;
    for (size_t a = 0; a < n && st == PS_OK; a++) {
        const char *name = ps_people_part_folder(sh->slots[idx[a]].people);
        size_t k = 0;

        if (name == NULL)
            continue;
        v[k++] = sh->slots[idx[a]].people;
        for (size_t b = a + 1; b < n; b++) {
            const char *other = ps_people_part_folder(sh->slots[idx[b]].people);

            if (other != NULL && strcmp(other, name) == 0) {
                v[k++] = sh->slots[idx[b]].people;
                sh->slots[idx[b]].people = NULL;
            }
        }
        st = ps_people_join(v, k);
    }
    free(v);
    return st;
}

/*
 * File i is done.  When it was the last of its folder, join the folder's
 * stores now: every other file of the folder has written its slot before
 * taking the lock to count itself done, so the slots are complete here.
 */
static ps_status folder_done(scan_shared *sh, size_t i)
{
    size_t g = sh->group_of[i];
    bool last;

    pthread_mutex_lock(&sh->lock);
    last = --sh->group_left[g] == 0;
    pthread_mutex_unlock(&sh->lock);
    return last ? join_folder(sh, g) : PS_OK;
}

/* Stop every worker: one ran out of memory, so the scan's result is void. */
static void set_fatal(scan_shared *sh)
{
    pthread_mutex_lock(&sh->lock);
    atomic_store(&sh->fatal, 1);
    pthread_cond_broadcast(&sh->cond);
    pthread_mutex_unlock(&sh->lock);
}

/*
 * A worker: queued batches first (they hold memory and a reader may be
 * waiting on the queue's room), then the next file, then, with no file
 * left, batches until no reader can queue any more.
 */
static void *worker_main(void *arg)
{
    scan_worker *w = arg;
    scan_shared *sh = w->sh;

    while (!atomic_load(&sh->fatal)) {
        ps_batch *b = take_batch(sh, false);
        size_t k, i;
        ps_status st;

        if (b == NULL && (k = atomic_fetch_add(&sh->next, 1)) < sh->files->n) {
            i = sh->order[k];
            w->file = &sh->files->items[i];
            w->file_index = i;
            w->file_pos = k;
            st = scan_file(w, w->file, &sh->slots[i]);
            settle(sh, k); /* whichever way scan_file ended */
            if (st == PS_OK)
                st = folder_done(sh, i);
            file_done(sh);
            if (st != PS_OK) {
                set_fatal(sh);
                break;
            }
            if (sh->opts->progress != NULL) {
                atomic_fetch_add(&sh->opts->progress->done_files, 1);
                atomic_fetch_add(&sh->opts->progress->done_bytes, w->file->size);
            }
            continue;
        }
        if (b == NULL)
            b = take_batch(sh, true);
        if (b == NULL)
            break;
        if (match_batch(w, b) != PS_OK) {
            set_fatal(sh);
            break;
        }
    }
    return NULL;
}

/*
 * Workers: opts->threads (0: the online CPUs), capped at the number of
 * files, since a file is one worker's work; unless some file is big enough
 * to be split into batches, which any number of workers can share.
 */
static unsigned thread_count(const ps_scan_opts *opts, const ps_filelist *files)
{
    uint64_t split = opts->split_bytes ? opts->split_bytes : PS_SCAN_SPLIT_DEFAULT;
    long n = opts->threads;
    bool big = false;

    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    for (size_t i = 0; i < files->n && !big; i++)
        big = files->items[i].size >= split;
    if (!big && (size_t)n > files->n)
        n = files->n > 0 ? (long)files->n : 1;
    return (unsigned)n;
}

static int cmp_by_dir(const void *a, const void *b, void *arg)
{
    const ps_filelist *fl = arg;
    const char *pa = fl->items[*(const size_t *)a].rel_path;
    const char *pb = fl->items[*(const size_t *)b].rel_path;
    size_t la = ps_path_dirlen(pa), lb = ps_path_dirlen(pb);
    int c = memcmp(pa, pb, la < lb ? la : lb);

    if (c != 0)
        return c;
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(pa, pb);
}

/*
 * For each file, the formats of the *other* files in its folder: what the
 * "beside" detector looks at (a key file beside ciphertext).  Per folder
 * group (group_folders), a count per format lets each member subtract
 * itself.
 */
static void compute_beside(const scan_shared *sh, uint32_t *beside)
{
    for (size_t g = 0; sh->group_start[g] < sh->files->n; g++) {
        const size_t *idx = sh->dir_idx + sh->group_start[g];
        size_t n = sh->group_start[g + 1] - sh->group_start[g];
        unsigned counts[PS_FMT_COUNT] = { 0 };

        for (size_t k = 0; k < n; k++) {
            if (sh->slots[idx[k]].read_ok)
                counts[sh->slots[idx[k]].sniff.format]++;
        }
        for (size_t k = 0; k < n; k++) {
            const file_slot *slot = &sh->slots[idx[k]];
            uint32_t mask = 0;

            for (int f = 0; f < PS_FMT_COUNT; f++) {
                unsigned c = counts[f];
                if (slot->read_ok && slot->sniff.format == (ps_format)f)
                    c--;
                if (c > 0)
                    mask |= 1u << f;
            }
            beside[idx[k]] = mask;
        }
    }
}

/*
 * Raise the severity of this file's findings where an escalation's path
 * matches (ps_match_file left the file's path bits in ctx).  The first
 * matching escalation wins, so a finding is raised once, for one reason.
 */
static void escalate(ps_match_ctx *ctx, const ps_ruleset *rs, ps_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        ps_finding *f = &fs->items[i];
        ps_category cat = rs->rules[f->rule].category;

        for (size_t e = 0; e < rs->nescalations; e++) {
            const ps_escalation *esc = &rs->escalations[e];
            unsigned sev;

            if (esc->categories != 0 && !((esc->categories >> cat) & 1u))
                continue;
            if (!ps_match_path(ctx, esc->path))
                continue;
            sev = (unsigned)f->severity + esc->raise;
            f->severity = sev > PS_SEV_CRITICAL ? PS_SEV_CRITICAL : (ps_severity)sev;
            f->escalation = esc->id;
            f->reason = esc->reason;
            break;
        }
    }
}

/* File-scope rules need every file's format (for "beside"), so they run last. */
static ps_status run_file_rules(scan_shared *sh, scan_worker *w)
{
    const ps_filelist *fl = sh->files;
    uint32_t *beside = calloc(fl->n + 1, sizeof(uint32_t));
    unsigned char (*nonces)[PS_NONCE_BYTES] = calloc(fl->n + 1, sizeof(*nonces));
    bool *has = calloc(fl->n + 1, sizeof(bool));
    bool *reused = calloc(fl->n + 1, sizeof(bool));
    ps_status rc;

    if (beside == NULL || nonces == NULL || has == NULL || reused == NULL) {
        free(beside);
        free(nonces);
        free(has);
        free(reused);
        return PS_ERR_NOMEM;
    }
    compute_beside(sh, beside);
    for (size_t i = 0; i < fl->n; i++) {
        has[i] = sh->slots[i].read_ok && sh->slots[i].has_nonce;
        memcpy(nonces[i], sh->slots[i].nonce, PS_NONCE_BYTES);
    }
    rc = ps_nonce_index((const unsigned char (*)[PS_NONCE_BYTES])nonces, has, fl->n, reused);
    for (size_t i = 0; rc == PS_OK && i < fl->n; i++) {
        file_slot *slot = &sh->slots[i];
        ps_file_facts facts;
        if (!slot->read_ok)
            continue;
        memset(&facts, 0, sizeof(facts));
        facts.rel_path = fl->items[i].rel_path;
        facts.size = slot->size;
        facts.mode = slot->mode;
        facts.sniff = slot->sniff;
        facts.beside = beside[i];
        facts.nonce_reused = reused[i];
        w->file = &fl->items[i];
        w->failure = PS_OK;
        ps_match_file_begin(w->ctx, &facts);
        rc = ps_match_file(w->ctx, &facts, on_hit, w);
        if (w->failure != PS_OK)
            rc = w->failure;
        if (rc == PS_OK)
            rc = ps_agg_take(w->agg, &slot->findings);
        if (rc == PS_OK)
            escalate(w->ctx, ps_matcher_rules(sh->matcher), &slot->findings);
    }
    free(beside);
    free(nonces);
    free(has);
    free(reused);
    return rc;
}

static ps_status worker_init(scan_worker *w, scan_shared *sh)
{
    memset(w, 0, sizeof(*w));
    w->sh = sh;
    w->rs = ps_matcher_rules(sh->matcher);
    if (ps_match_ctx_create(sh->matcher, &w->ctx) != PS_OK)
        return PS_ERR_NOMEM;
    if (ps_agg_create(sh->opts->show_values, &w->agg) != PS_OK ||
        ps_agg_create(sh->opts->show_values, &w->bagg) != PS_OK)
        return PS_ERR_NOMEM;
    w->hit_agg = w->agg;
    ps_match_ctx_set_as_of(w->ctx, sh->opts->as_of);
    if (ps_people_create(sh->matcher, sh->opts->as_of, &w->people) != PS_OK)
        return PS_ERR_NOMEM;
    return PS_OK;
}

static void worker_free(scan_worker *w)
{
    ps_match_ctx_destroy(w->ctx);
    ps_agg_destroy(w->agg);
    ps_agg_destroy(w->bagg);
    ps_people_destroy(w->people);
    ps_batch_free(w->batch);
}

/* Join slots in walk order into out, and merge the people counts per store. */
static ps_status gather(scan_shared *sh, ps_scan_result *out)
{
    const ps_filelist *fl = sh->files;
    ps_people_part **parts = calloc(fl->n + 1, sizeof(ps_people_part *));
    ps_status st;

    if (parts == NULL)
        return PS_ERR_NOMEM;
    for (size_t i = 0; i < fl->n; i++) {
        parts[i] = sh->slots[i].people;
        sh->slots[i].people = NULL;
    }
    st = ps_people_merge(ps_matcher_rules(sh->matcher), parts, fl->n, &out->impact);
    free(parts);
    if (st != PS_OK)
        return st;

    for (size_t i = 0; i < fl->n; i++) {
        file_slot *slot = &sh->slots[i];
        if (slot->skipped) {
            out->files_skipped++;
            continue;
        }
        if (slot->read_ok) {
            out->files_scanned++;
            out->bytes_scanned += slot->size;
        }
        if (slot->error != NULL &&
            ps_errors_add(&out->errors, fl->items[i].rel_path, slot->error) != PS_OK)
            return PS_ERR_NOMEM;
        if (ps_findings_move(&out->findings, &slot->findings) != PS_OK)
            return PS_ERR_NOMEM;
    }
    return PS_OK;
}

/* Fill sh's folder groups (see scan_shared) from the file list. */
static ps_status group_folders(scan_shared *sh)
{
    const ps_filelist *fl = sh->files;
    size_t ng = 0;

    sh->dir_idx = malloc((fl->n + 1) * sizeof(size_t));
    sh->group_of = malloc((fl->n + 1) * sizeof(size_t));
    sh->group_start = malloc((fl->n + 2) * sizeof(size_t));
    sh->group_left = malloc((fl->n + 1) * sizeof(size_t));
    if (sh->dir_idx == NULL || sh->group_of == NULL || sh->group_start == NULL ||
        sh->group_left == NULL)
        return PS_ERR_NOMEM;
    for (size_t i = 0; i < fl->n; i++)
        sh->dir_idx[i] = i;
    qsort_r(sh->dir_idx, fl->n, sizeof(size_t), cmp_by_dir, (void *)fl);
    for (size_t k = 0; k < fl->n; k++) {
        const char *p = fl->items[sh->dir_idx[k]].rel_path;

        if (k == 0 || ps_path_dirlen(p) != ps_path_dirlen(fl->items[sh->dir_idx[k - 1]].rel_path) ||
            memcmp(p, fl->items[sh->dir_idx[k - 1]].rel_path, ps_path_dirlen(p)) != 0) {
            sh->group_start[ng] = k;
            sh->group_left[ng] = 0;
            ng++;
        }
        sh->group_of[sh->dir_idx[k]] = ng - 1;
        sh->group_left[ng - 1]++;
    }
    sh->group_start[ng] = fl->n;
    return PS_OK;
}

static int cmp_by_size(const void *a, const void *b, void *arg)
{
    const ps_filelist *fl = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    uint64_t sx = fl->items[x].size, sy = fl->items[y].size;

    if (sx != sy)
        return sx > sy ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Join every split file's batches into its slot (see absorb_results). */
static ps_status join_split_files(scan_shared *sh, ps_agg *agg)
{
    for (size_t i = 0; i < sh->files->n; i++) {
        file_slot *slot = &sh->slots[i];
        ps_status st;

        if (slot->acc == NULL)
            continue;
        if (slot->pending != NULL)
            return PS_ERR_NOMEM; /* a batch never came: only after a failure */
        st = absorb_results(agg, slot);
        free_results(slot);
        if (st == PS_OK)
            st = set_inner(slot);
        if (st != PS_OK)
            return st;
    }
    return PS_OK;
}

static void free_batches(scan_shared *sh)
{
    while (sh->qhead != NULL) {
        ps_batch *b = sh->qhead;
        sh->qhead = b->next;
        ps_batch_free(b);
    }
    while (sh->spare != NULL) {
        ps_batch *b = sh->spare;
        sh->spare = b->next;
        ps_batch_free(b);
    }
}

ps_status ps_scan_run(const ps_matcher *m, const ps_scan_opts *opts,
                      ps_scan_result *out, ps_diag *diag)
{
    size_t *order = NULL;
    bool sync = false;
    ps_filelist files;
    scan_shared sh;
    scan_worker *workers = NULL;
    unsigned nthreads = 0, started = 0;
    ps_status rc;

    memset(out, 0, sizeof(*out));
    memset(&files, 0, sizeof(files));
    memset(&sh, 0, sizeof(sh));
    rc = ps_walk(opts->roots, opts->nroots, opts->ignore, &files, &out->errors, diag);
    if (rc != PS_OK)
        goto done;
    out->files_skipped = files.skipped;
    if (opts->progress != NULL) {
        uint64_t bytes = 0;
        for (size_t i = 0; i < files.n; i++)
            bytes += files.items[i].size;
        atomic_store(&opts->progress->total_bytes, bytes);
        atomic_store(&opts->progress->total_files, files.n);
    }

    sh.matcher = m;
    sh.opts = opts;
    sh.files = &files;
    atomic_init(&sh.next, 0);
    atomic_init(&sh.fatal, 0);
    sh.slots = calloc(files.n + 1, sizeof(file_slot));
    order = malloc((files.n + 1) * sizeof(size_t));
    sh.settled = calloc(files.n + 1, sizeof(bool));
    nthreads = thread_count(opts, &files);
    workers = ps_calloc_line(nthreads * sizeof(scan_worker));
    if (sh.slots == NULL || order == NULL || sh.settled == NULL || workers == NULL) {
        rc = PS_ERR_NOMEM;
        goto done;
    }
    /* Biggest first: the run then ends on small files, not on one big one. */
    for (size_t i = 0; i < files.n; i++)
        order[i] = i;
    qsort_r(order, files.n, sizeof(size_t), cmp_by_size, &files);
    sh.order = order;
    rc = group_folders(&sh);
    if (rc != PS_OK)
        goto done;
    sh.nthreads = nthreads;
    sh.maxqueued = (size_t)nthreads * PS_QUEUE_PER_THREAD;
    sh.store_budget = opts->store_budget ? opts->store_budget : PS_SCAN_STORE_BUDGET_DEFAULT;
    sh.unfinished = files.n;
    if (pthread_mutex_init(&sh.lock, NULL) != 0) {
        rc = PS_ERR_NOMEM;
        goto done;
    }
    if (pthread_cond_init(&sh.cond, NULL) != 0) {
        pthread_mutex_destroy(&sh.lock);
        rc = PS_ERR_NOMEM;
        goto done;
    }
    sync = true;
    for (unsigned t = 0; t < nthreads; t++) {
        rc = worker_init(&workers[t], &sh);
        if (rc != PS_OK)
            goto done;
    }
    /* Worker 0 runs on this thread, so -j1 spawns nothing. */
    for (started = 1; started < nthreads; started++) {
        if (pthread_create(&workers[started].tid, NULL, worker_main, &workers[started]) != 0)
            break;
    }
    worker_main(&workers[0]);
    for (unsigned t = 1; t < started; t++)
        pthread_join(workers[t].tid, NULL);
    if (atomic_load(&sh.fatal)) {
        rc = PS_ERR_NOMEM;
        goto done;
    }
    rc = join_split_files(&sh, workers[0].agg);
    if (rc == PS_OK)
        rc = run_file_rules(&sh, &workers[0]);
    if (rc == PS_OK)
        rc = gather(&sh, out);
    if (rc == PS_OK) {
        ps_findings_sort(&out->findings, ps_matcher_rules(m));
        ps_errors_sort(&out->errors);
    }
done:
    if (sh.slots != NULL) {
        for (size_t i = 0; i < files.n; i++) {
            ps_findings_free(&sh.slots[i].findings);
            free(sh.slots[i].error);
            free(sh.slots[i].inner);
            ps_people_part_free(sh.slots[i].people);
            free_results(&sh.slots[i]);
        }
        free(sh.slots);
    }
    free_batches(&sh);
    if (sync) {
        pthread_cond_destroy(&sh.cond);
        pthread_mutex_destroy(&sh.lock);
    }
    free(order);
    free(sh.settled);
    free(sh.dir_idx);
    free(sh.group_of);
    free(sh.group_start);
    free(sh.group_left);
    for (unsigned t = 0; workers != NULL && t < nthreads; t++)
        worker_free(&workers[t]);
    free(workers);
    ps_filelist_free(&files);
    if (rc != PS_OK && rc != PS_ERR_USAGE) {
        ps_diag_set(diag, "scan failed: %s", ps_strerror(rc));
    }
    return rc;
}

void ps_scan_result_free(ps_scan_result *r)
{
    if (r == NULL)
        return;
    ps_findings_free(&r->findings);
    ps_errors_free(&r->errors);
    ps_impacts_free(&r->impact);
}

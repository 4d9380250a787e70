/*
 * match.c - the rule engine: Hyperscan databases over the rule set's
 * patterns, and condition trees evaluated lazily per record.
 *
 * The matcher (immutable, shared) holds one multi-pattern database per
 * target (field names, values, paths), each pattern compiled with
 * SINGLEMATCH because a condition only asks "did it match".  Pattern ids are
 * ruleset pattern indices, so a match sets bit `id` of a bitset and a
 * condition tests that bit.  VALUE patterns also get a single-pattern
 * start-of-match database, used only to locate evidence for a new finding.
 *
 * Scan each value only for what can live there.  A VALUE pattern is gated
 * when every record rule that uses it can hold only for some field names or
 * paths (a FIELD or PATH condition the rule cannot do without: a phone
 * number pattern under a phone column cue).  Gated patterns stay out of the
 * shared value database and get one of their own, scanned only when a rule
 * whose gate is open asks for them; every other column pays nothing for
 * them.  The answer for any pattern is the same either way: only when it is
 * computed changes.
 *
 * A shared pattern whose every rule also requires a Luhn-valid number (the
 * card rule) has a need filter apart too: a value that only such patterns
 * may match is scanned only when it holds a Luhn number.  A creation time,
 * "2014-01-01 00:01:18", has the shape of a card number and would
 * otherwise pay a Hyperscan call on every row for a Luhn check that then
 * fails.  The pattern's bit stays clear then while its regex might match,
 * but no rule reads it there: each one that does is false without the
 * Luhn number.
 *
 * The context (one per worker) holds the scratch space and all per-file and
 * per-record state.  Work per record is lazy: the field name is looked up in
 * a per-file cache (a column name repeats on every row), the value is scanned
 * at most once and only when a rule reaches a value condition, and the
 * readable/Luhn/hash/weak-parameter detectors run at most once and only
 * when asked.  After ps_match_ctx_create nothing in the record path
 * allocates.
 */
#include "config.h"

#include <hs/hs.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "detect.h"
#include "match.h"
#include "need.h"
#include "util.h"

/*
 * The field-name cache: open addressing over a power-of-two table, kept at
 * most 3/4 full so probes stay short, with key bytes in a bounded arena.
 * When either is full, further names are scanned uncached: correctness never
 * depends on the cache.
 */
#define CACHE_SLOTS 256u
#define CACHE_MAX_ENTRIES (CACHE_SLOTS * 3u / 4u)
#define CACHE_KEY_ARENA (16u * 1024u)
#define CAND_TMP CACHE_SLOTS
#define CAND_ZERO (CACHE_SLOTS + 1u)
#define CAND_LISTS (CACHE_SLOTS + 2u)

/*
 * The verdict cache (see verdict_find): values of up to VC_VALUE_MAX bytes,
 * at most VC_MAX_ENTRIES of them and VC_ARENA bytes, at most VC_HITS rules
 * fired per value.  About 1 MB per worker.  When full it starts over.
 */
#define VC_SLOTS 16384u
#define VC_MAX_ENTRIES (VC_SLOTS * 3u / 4u)
#define VC_ARENA (256u * 1024u)
#define VC_VALUE_MAX 64u
#define VC_HITS 6u
/*
 * Shortcuts that pay on every value of a column and gain on some only are
 * put on trial per candidate list (see trial_worth): after TRIAL_LEN tries
 * with fewer than one gain in `rate`, the list rests from the shortcut for
 * the next TRIAL_REST records, then gets another trial.
 *   - The verdict cache: a column whose values rarely repeat (emails,
 *     hashes, timestamps) would only flush it (VC_MIN_RATE).
 *   - The need filter (need.h): a check costs about half a scan, so it
 *     must spare one in two (NEED_MIN_RATE).  A column of emails always
 *     needs the scan; one of timestamps or ids never does.
 */
#define TRIAL_LEN 1024u
#define TRIAL_REST 16384u
#define VC_MIN_RATE 8u
#define NEED_MIN_RATE 2u

/*
 * The row-verdict memo (see ps_match_row): rows of up to ROW_MEMO_SUBJECTS
 * subject bit patterns and ages -1 .. ROW_MEMO_AGES - 2, for up to 32 row
 * rules.  Others are walked every time.
 */
#define ROW_MEMO_SUBJECTS 4u
#define ROW_MEMO_AGES 256
#define ROW_MEMO_SLOTS (2u * ROW_MEMO_SUBJECTS * ROW_MEMO_AGES)

/* The loader caps condition depth at 64; this only guards hand-built sets. */
#define EVAL_DEPTH_MAX 128u

struct ps_matcher {
    const ps_ruleset *rs;
    hs_database_t *db[PS_TARGET_COUNT]; /* NULL when a target has no patterns */
    hs_database_t **som;    /* [npatterns]: VALUE patterns only; NULL when SOM failed */
    uint32_t *record_rules; /* record-scope rules, in rule order */
    size_t nrecord;
    uint32_t *file_rules;   /* file-scope rules, in rule order */
    size_t nfile;
    uint32_t *row_rules;    /* row-scope rules, in rule order */
    uint32_t *row_subject;  /* beside row_rules: PS_SUBJECT_* bits the row must have (0: none known) */
    size_t nrow;
    bool *rule_const;       /* [nrules]: tree reads file facts only (memoised per file) */
    bool *gated;            /* [npatterns]: a VALUE pattern scanned alone, on demand */
    size_t value_min;       /* no value shorter than this matches the shared VALUE database */
    hs_database_t **solo;   /* [npatterns]: the database of a gated pattern */
    bool *luhn_only;        /* [npatterns]: shared, and every rule using it requires LUHN */
    ps_need_set *value_need; /* what a value must hold to match the shared VALUE database */
    ps_need_set *plain_need; /* likewise for its patterns that are not luhn_only */
    size_t nplain, nluhn;    /* shared VALUE patterns not luhn_only / luhn_only */
    ps_need_set **solo_need; /* [npatterns]: likewise for a gated pattern's own */
    size_t nwords;          /* uint64_t words in a pattern bitset */
};

/*
 * A candidate rule on one column: the condition its tree reduces to there
 * (fold_root), and what it needs of the value: one of the VALUE patterns
 * lo .. lo+n-1 must match (n == 0: nothing known; see fold_need).
 */
typedef struct cand_plan {
    uint32_t root;
    uint32_t lo, n;
} cand_plan;

/* A list whose candidates need no pattern of the shared VALUE database. */
#define NO_PROBE UINT32_MAX

typedef struct cache_slot {
    uint32_t gen;  /* equal to ctx->gen when the slot is in use */
    uint32_t klen;
    uint32_t koff; /* key bytes at keys[koff .. koff+klen) */
    uint64_t hash;
} cache_slot;

/*
 * One value's verdict: the rules that held for it under one field name of
 * the current file, and the date OLDER_THAN read from it.  Half a cache
 * line, aligned: the table is read at random on most cells, and a probe
 * that reads one line instead of straddling two is what the lookup costs.
 */
typedef struct verdict {
    uint16_t gen;      /* equal to ctx->vgen when in use */
    uint16_t list;     /* the field name's candidate list */
    uint32_t hash;     /* the value hash's high half (its low bits chose the slot) */
    uint32_t off;      /* value bytes at vkeys[off .. off+len) */
    int32_t date;
    uint8_t len;
    uint8_t media;     /* the record's own media type (MEDIA reads it) */
    uint8_t nhits;
    bool date_done;
    uint16_t hits[VC_HITS]; /* rule indices, in rule order */
} verdict;

_Static_assert(sizeof(verdict) == 32, "a verdict is half a cache line");

/* A candidate list's standing with one shortcut (see trial_worth). */
typedef struct trial {
    uint32_t tries;  /* lookups in this trial, or records of rest left */
    uint32_t hits;   /* hits in this trial */
    bool resting;    /* the list's values skip the cache */
} trial;

/*
 * Whether a shortcut is used on the list whose standing is t, now (see
 * TRIAL_LEN); counts the try.  The caller counts t->hits, the gains.
 */
static bool trial_worth(trial *t, unsigned rate)
{
    if (t->resting) {
        if (--t->tries > 0)
            return false;
        t->resting = false; /* rested: a new trial */
        t->hits = 0;
    }
    if (++t->tries >= TRIAL_LEN) {
        if (t->hits * rate < TRIAL_LEN) {
            t->resting = true;
            t->tries = TRIAL_REST;
            return false;
        }
        t->tries = 0;
        t->hits = 0;
    }
    return true;
}

struct ps_match_ctx {
    const ps_matcher *m;
    hs_scratch_t *scratch;
    const ps_file_facts *f;
    uint64_t *path_bits;
    uint64_t *value_bits;
    uint64_t *field_tmp;   /* field bits when the cache cannot take the name */
    uint64_t *zero_bits;   /* all clear, for targets without a database */
    uint32_t *value_list;  /* ids set in value_bits, so clearing is O(matches) */
    size_t nvalue_list;
    int8_t *file_memo;     /* [nrules]: -1 unknown, else the file-constant result */

    /* the current record and what has been computed for it */
    const ps_record *rec;
    bool in_record;
    const uint64_t *field_bits; /* NULL until computed */
    uint32_t field_list;    /* with it: its candidate list (a slot, CAND_TMP or CAND_ZERO) */
    bool value_done;        /* the shared value database has scanned rec */
    uint32_t *solo_gen;     /* [npatterns]: == rec_gen when a gated pattern has scanned rec */
    uint32_t rec_gen;
    int8_t readable, luhn;  /* -1 until computed */
    bool hash_done;
    int hash;
    int8_t weak_params;     /* -1 until computed */
    int8_t b64_media;       /* -1 until computed, else a ps_media */
    bool date_done;
    int32_t date;           /* OLDER_THAN: the value as a day number, or PS_DAY_NONE */
    int32_t as_of;          /* reference day for OLDER_THAN */
    const ps_row_facts *row; /* the current row, for row detectors */

    /* field-name cache, reset per file by bumping gen */
    cache_slot *slots;
    uint64_t *slot_bits;   /* CACHE_SLOTS bitsets of nwords */
    /*
     * With each field name's bits, the record rules its FIELD prefilter lets
     * through, in rule order: a column pays only for rules that can hold on
     * it.  Lists of up to nrecord entries: CACHE_SLOTS for the slots, then
     * one for field_tmp, then one for zero_bits (CAND_TMP, CAND_ZERO).
     */
    uint32_t *cand;
    cand_plan *cplan;      /* beside cand: each candidate's plan on the column */
    uint32_t *ncand;
    /*
     * Beside each list: the positions of its candidates that need nothing
     * of the shared VALUE database (cfree, nfree), and one pattern of that
     * database that the others need (probe, or NO_PROBE).  Most cells of a
     * store or chat log (ids, timestamps, references) match none of its
     * patterns; once the probe has scanned such a cell, only the free
     * candidates are left to walk.
     */
    uint32_t *cfree;
    uint32_t *nfree;
    uint32_t *probe;
    char *keys;
    size_t keys_used;
    size_t nentries;
    uint32_t gen;
    /*
     * By field id (read.h): the candidate list (slot, or CAND_ZERO for
     * zero_bits) a field's name got in this file, valid while fid_gen[id]
     * == gen.  A cell with a known id skips hashing its name.
     */
    uint32_t *fid_gen;
    uint32_t *fid_slot;

    /* verdict cache, reset per file and when full by bumping vgen */
    verdict *verdicts;
    char *vkeys;
    size_t vkeys_used;
    size_t nverdicts;
    uint16_t vgen;
    trial *trials;         /* [CAND_LISTS]: whether each list's values use the cache */
    trial *need_trials;    /* [CAND_LISTS]: whether they go through the need filter */

    /* row verdicts of the current file: slot valid while its gen == row_gen */
    struct row_verdict {
        uint32_t gen;
        uint32_t held;     /* bit i: row_rules[i] held */
    } *row_memo;           /* [ROW_MEMO_SLOTS] */
    uint32_t row_gen;
};

static const ps_file_facts no_facts = {0};

/* --- bitsets ---------------------------------------------------------------- */

static void bit_set(uint64_t *bits, uint32_t i)
{
    bits[i >> 6] |= UINT64_C(1) << (i & 63u);
}

static void bit_clear(uint64_t *bits, uint32_t i)
{
    bits[i >> 6] &= ~(UINT64_C(1) << (i & 63u));
}

static bool bit_test(const uint64_t *bits, uint32_t i)
{
    return (bits[i >> 6] >> (i & 63u)) & 1u;
}

/* --- Hyperscan callbacks ------------------------------------------------------ */

/* Where a SINGLEMATCH scan records its hits; list may be NULL. */
typedef struct scan_out {
    uint64_t *bits;
    uint32_t *list;
    size_t *nlist;
} scan_out;

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    scan_out *o = ctx;

    (void)from;
    (void)to;
    (void)flags;
    if (!bit_test(o->bits, id)) {
        bit_set(o->bits, id);
        if (o->list != NULL)
            o->list[(*o->nlist)++] = id;
    }
    return 0; /* go on: other patterns may still match */
}

/* Leftmost start, and the longest match from that start. */
typedef struct som_out {
    bool found;
    unsigned long long from, to;
} som_out;

static int on_som_match(unsigned int id, unsigned long long from,
                        unsigned long long to, unsigned int flags, void *ctx)
{
    som_out *o = ctx;

    (void)id;
    (void)flags;
    if (!o->found || from < o->from || (from == o->from && to > o->to)) {
        o->found = true;
        o->from = from;
        o->to = to;
    }
    return 0;
}

/*
 * Scan data[0..n) with db.  Empty input is skipped (no pattern may match the
 * empty string: HS_FLAG_ALLOWEMPTY is never set), and so is an absent
 * database.  Input longer than Hyperscan's unsigned length is scanned up to
 * that length; records are bounded far below it.  A scan error leaves the
 * bits as they are: a missed match, never a crash or a false hit.
 */
static void scan(const hs_database_t *db, hs_scratch_t *scratch, const char *data,
                 size_t n, match_event_handler fn, void *out)
{
    if (db == NULL || data == NULL || n == 0)
        return;
    if (n > UINT_MAX)
        n = UINT_MAX;
    (void)hs_scan(db, data, (unsigned)n, 0, scratch, fn, out);
}

/* --- compiling ---------------------------------------------------------------- */

static unsigned pattern_hs_flags(const ps_pattern *p)
{
    return (p->flags & PS_PAT_CASELESS) ? HS_FLAG_CASELESS : 0u;
}

/*
 * "file:line:col: bad regex: reason" at the pattern's source location.  The
 * engine's advice for patterns that match the empty string names a compile
 * flag the rule author cannot set, so that one reason is said in rule terms.
 */
static void diag_pattern(ps_diag *diag, const ps_pattern *p, const char *reason)
{
    if (strncmp(reason, "Pattern matches empty buffer", 28) == 0)
        reason = "pattern matches the empty string, so it would match every value";
    ps_diag_at(diag, p->at.file != NULL ? p->at.file : "<rules>",
               p->at.line, p->at.col, "bad regex: %s", reason);
}

/*
 * Compile every pattern of target t but those marked in skip (NULL: none)
 * into one block-mode database (*out is NULL when there are none).  Returns
 * PS_OK, PS_ERR_NOMEM, or PS_ERR_RULE with the offending pattern's location
 * in *diag.
 */
/*
 * The lesser of have and the fewest bytes a match of expr can span
 * (Hyperscan's own analysis), or 0 when the engine cannot say: a value
 * shorter than every pattern's minimum need not be scanned at all.
 */
static size_t shorter(size_t have, const char *expr, unsigned flags)
{
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *err = NULL;
    size_t w = 0;

    if (hs_expression_info(expr, flags, &info, &err) == HS_SUCCESS && info != NULL)
        w = info->min_width;
    else
        hs_free_compile_error(err);
    free(info); /* allocated by the default misc allocator, i.e. malloc */
    return w < have ? w : have;
}

static ps_status compile_target(const ps_ruleset *rs, ps_target t, const bool *skip,
                                hs_database_t **out, size_t *min_width, ps_diag *diag)
{
    const char **exprs = NULL;
    char **owned = NULL;
    unsigned *flags = NULL, *ids = NULL;
    size_t n = 0, k = 0;
    hs_compile_error_t *err = NULL;
    ps_status st = PS_OK;

    *out = NULL;
    for (size_t i = 0; i < rs->npatterns; i++) {
        if (rs->patterns[i].target == t && (skip == NULL || !skip[i]))
            n++;
    }
    if (n == 0)
        return PS_OK;
    if (n > UINT_MAX) {
        ps_diag_set(diag, "too many patterns for one database");
        return PS_ERR_RULE;
    }
    exprs = calloc(n, sizeof(*exprs));
    owned = calloc(n, sizeof(*owned));
    flags = calloc(n, sizeof(*flags));
    ids = calloc(n, sizeof(*ids));
    if (exprs == NULL || owned == NULL || flags == NULL || ids == NULL) {
        st = PS_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < rs->npatterns; i++) {
        const ps_pattern *p = &rs->patterns[i];

        if (p->target != t || (skip != NULL && skip[i]))
            continue;
        exprs[k] = ps_pattern_regex(p, &owned[k]);
        if (exprs[k] == NULL) {
            st = PS_ERR_NOMEM;
            goto out;
        }
        flags[k] = HS_FLAG_SINGLEMATCH | pattern_hs_flags(p);
        ids[k] = (unsigned)i;
        if (min_width != NULL)
            *min_width = shorter(*min_width, exprs[k], flags[k]);
        k++;
    }
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL,
                         out, &err) != HS_SUCCESS) {
        if (err != NULL && err->expression >= 0 && (size_t)err->expression < n)
            diag_pattern(diag, &rs->patterns[ids[err->expression]], err->message);
        else
            ps_diag_set(diag, "cannot build the %s pattern database: %s",
                        t == PS_TARGET_FIELD ? "field" : t == PS_TARGET_VALUE ? "value" : "path",
                        err != NULL ? err->message : "unknown error");
        hs_free_compile_error(err);
        *out = NULL;
        st = PS_ERR_RULE;
    }
out:
    for (size_t i = 0; owned != NULL && i < n; i++)
        free(owned[i]);
    free(owned);
    free(exprs);
    free(flags);
    free(ids);
    return st;
}

/*
 * Pattern p alone in a database of its own, its matches reported as id (a
 * pattern index, as in the shared databases), compiled with flags besides
 * the pattern's own.  PS_ERR_RULE leaves the engine's reason in *err (the
 * caller frees it); *db is NULL on any failure.
 */
static ps_status compile_one(const ps_pattern *p, unsigned id, unsigned flags,
                             hs_database_t **db, hs_compile_error_t **err)
{
    unsigned f = flags | pattern_hs_flags(p);
    char *owned;
    const char *expr = ps_pattern_regex(p, &owned);
    hs_error_t rc;

    *db = NULL;
    if (expr == NULL)
        return PS_ERR_NOMEM;
    rc = hs_compile_multi(&expr, &f, &id, 1, HS_MODE_BLOCK, NULL, db, err);
    free(owned);
    if (rc != HS_SUCCESS) {
        *db = NULL;
        return rc == HS_NOMEM ? PS_ERR_NOMEM : PS_ERR_RULE;
    }
    return PS_OK;
}

/* The need (need.h) of pattern p, as Hyperscan is given it. */
static ps_status pattern_need(const ps_pattern *p, ps_need *nd)
{
    char *owned;
    const char *expr = ps_pattern_regex(p, &owned);

    if (expr == NULL)
        return PS_ERR_NOMEM;
    (void)ps_need_of(expr, (p->flags & PS_PAT_CASELESS) != 0, nd); /* unknown: n == 0 */
    free(owned);
    return PS_OK;
}

/*
 * What a value must hold for the shared VALUE database, and for each gated
 * pattern's own, to match (need.h).  Most cells of a store cannot match
 * any value pattern (ids, timestamps, hashes), and Hyperscan's cost on such
 * short values is the call itself; the need answers them without one.
 * With luhn_only patterns, the others get a set of their own too.
 */
static ps_status compile_needs(ps_matcher *m)
{
    const ps_ruleset *rs = m->rs;
    size_t np = rs->npatterns > 0 ? rs->npatterns : 1;
    ps_need *needs = calloc(np, sizeof(ps_need)), *plain = calloc(np, sizeof(ps_need));
    size_t n = 0;
    ps_status st = PS_OK;

    m->solo_need = calloc(np, sizeof(ps_need_set *));
    if (needs == NULL || plain == NULL || m->solo_need == NULL) {
        free(needs);
        free(plain);
        return PS_ERR_NOMEM;
    }
    for (size_t i = 0; i < rs->npatterns && st == PS_OK; i++) {
        const ps_pattern *p = &rs->patterns[i];
        ps_need one;

        if (p->target != PS_TARGET_VALUE)
            continue;
        if (!m->gated[i]) {
            st = pattern_need(p, &needs[n]);
            if (m->luhn_only[i])
                m->nluhn++;
            else
                plain[m->nplain++] = needs[n];
            n++;
        } else {
            st = pattern_need(p, &one);
            if (st == PS_OK)
                st = ps_need_set_new(&one, 1, &m->solo_need[i]);
        }
    }
    if (st == PS_OK)
        st = ps_need_set_new(needs, n, &m->value_need);
    if (st == PS_OK && m->nluhn > 0 && m->nplain > 0)
        st = ps_need_set_new(plain, m->nplain, &m->plain_need);
    free(needs);
    free(plain);
    return st;
}

/*
 * One start-of-match database per VALUE pattern, for evidence spans.  Some
 * patterns cannot be compiled with SOM (the engine refuses when tracking
 * start offsets gets too expensive); those keep NULL and their span falls
 * back to the whole value.  Only ENOMEM is an error.
 */
static ps_status compile_som(ps_matcher *m)
{
    const ps_ruleset *rs = m->rs;

    m->som = calloc(rs->npatterns > 0 ? rs->npatterns : 1, sizeof(*m->som));
    if (m->som == NULL)
        return PS_ERR_NOMEM;
    for (size_t i = 0; i < rs->npatterns; i++) {
        hs_compile_error_t *err = NULL;

        if (rs->patterns[i].target != PS_TARGET_VALUE)
            continue;
        if (compile_one(&rs->patterns[i], (unsigned)i, HS_FLAG_SOM_LEFTMOST, &m->som[i],
                        &err) == PS_ERR_NOMEM)
            return PS_ERR_NOMEM;
        hs_free_compile_error(err); /* refused: the span falls back to the whole value */
    }
    return PS_OK;
}

/* The field-name database, compiled on a thread of its own (see ps_matcher_create). */
typedef struct field_job {
    const ps_ruleset *rs;
    hs_database_t *db;
    ps_diag diag;
    ps_status st;
} field_job;

static void *compile_field_job(void *arg)
{
    field_job *job = arg;

    job->st = compile_target(job->rs, PS_TARGET_FIELD, NULL, &job->db, NULL, &job->diag);
    return NULL;
}

/* A database of its own for each gated VALUE pattern (see the file comment). */
static ps_status compile_solo(ps_matcher *m, ps_diag *diag)
{
    const ps_ruleset *rs = m->rs;

    for (size_t i = 0; i < rs->npatterns; i++) {
        hs_compile_error_t *err = NULL;
        ps_status st;

        if (!m->gated[i])
            continue;
        st = compile_one(&rs->patterns[i], (unsigned)i, HS_FLAG_SINGLEMATCH, &m->solo[i], &err);
        if (st == PS_ERR_RULE)
            diag_pattern(diag, &rs->patterns[i], err != NULL ? err->message : "unknown error");
        hs_free_compile_error(err);
        if (st != PS_OK)
            return st;
    }
    return PS_OK;
}

/* Reject out-of-range references, so evaluation can index without checks. */
static ps_status check_refs(const ps_ruleset *rs, ps_diag *diag)
{
    for (size_t i = 0; i < rs->nconds; i++) {
        const ps_cond *k = &rs->conds[i];
        bool bad = false;

        switch (k->kind) {
        case PS_COND_ALL:
        case PS_COND_ANY:
        case PS_COND_NOT:
            bad = k->first > rs->nchildren || k->count > rs->nchildren - k->first ||
                  (k->kind == PS_COND_NOT && k->count != 1);
            for (uint32_t j = 0; !bad && j < k->count; j++)
                bad = rs->children[k->first + j] >= rs->nconds;
            break;
        case PS_COND_FIELD:
        case PS_COND_VALUE:
        case PS_COND_PATH:
            bad = k->pattern >= rs->npatterns ||
                  rs->patterns[k->pattern].target !=
                      (k->kind == PS_COND_FIELD ? PS_TARGET_FIELD :
                       k->kind == PS_COND_VALUE ? PS_TARGET_VALUE : PS_TARGET_PATH);
            break;
        case PS_COND_KEYWORDS:
            bad = k->pattern > rs->npatterns || k->npatterns > rs->npatterns - k->pattern;
            for (uint32_t j = 0; !bad && j < k->npatterns; j++)
                bad = rs->patterns[k->pattern + j].target != PS_TARGET_VALUE;
            break;
        default:
            bad = (unsigned)k->kind >= PS_COND_KIND_COUNT;
            break;
        }
        if (bad) {
            ps_diag_at(diag, k->at.file != NULL ? k->at.file : "<rules>", k->at.line,
                       k->at.col, "condition refers to a missing child or pattern");
            return PS_ERR_RULE;
        }
    }
    for (size_t i = 0; i < rs->nrules; i++) {
        if (rs->rules[i].cond >= rs->nconds) {
            ps_diag_at(diag, rs->rules[i].at.file != NULL ? rs->rules[i].at.file : "<rules>",
                       rs->rules[i].at.line, rs->rules[i].at.col,
                       "rule %s has no condition", rs->rules[i].id);
            return PS_ERR_RULE;
        }
    }
    return PS_OK;
}

/* True when the tree under ci looks only at facts that are constant per file. */
static bool tree_is_file_constant(const ps_ruleset *rs, uint32_t ci, unsigned depth)
{
    const ps_cond *k = &rs->conds[ci];

    if (depth > EVAL_DEPTH_MAX)
        return false;
    switch (k->kind) {
    case PS_COND_ALL:
    case PS_COND_ANY:
    case PS_COND_NOT:
        for (uint32_t j = 0; j < k->count; j++) {
            if (!tree_is_file_constant(rs, rs->children[k->first + j], depth + 1))
                return false;
        }
        return true;
    case PS_COND_MEDIA: /* a record may carry its own media type */
        return false;
    default:
        return !ps_cond_is_record(k->kind) && !ps_cond_is_row(k->kind);
    }
}

/*
 * A condition of kind k that must hold for the rule at ci to hold: the
 * root itself, or a direct child of a root ALL.  NULL when none is.
 */
static const ps_cond *required_cond(const ps_ruleset *rs, uint32_t ci, ps_cond_kind k)
{
    const ps_cond *c = &rs->conds[ci];

    if (c->kind == k)
        return c;
    if (c->kind != PS_COND_ALL)
        return NULL;
    for (uint32_t j = 0; j < c->count; j++) {
        const ps_cond *kid = &rs->conds[rs->children[c->first + j]];

        if (kid->kind == k)
            return kid;
    }
    return NULL;
}

/*
 * The pattern of a required FIELD or PATH condition, or UINT32_MAX.  A rule
 * with one can never hold on other columns or files, so its value patterns
 * may be gated (compute_gates).
 */
static uint32_t required_pattern(const ps_ruleset *rs, uint32_t ci, ps_cond_kind k)
{
    const ps_cond *c = required_cond(rs, ci, k);

    return c != NULL ? c->pattern : UINT32_MAX;
}

/*
 * PS_SUBJECT_* bits a row must have for tree ci to hold: a SUBJECT
 * condition at the root or directly under a root ALL; 0 when none is.
 */
static uint32_t required_subject(const ps_ruleset *rs, uint32_t ci)
{
    const ps_cond *c = required_cond(rs, ci, PS_COND_SUBJECT);

    return c != NULL ? c->mask : 0;
}

/* Mark in refs every VALUE pattern (keywords included) the tree under ci uses. */
static void tree_value_refs(const ps_ruleset *rs, uint32_t ci, bool *refs, unsigned depth)
{
    const ps_cond *k = &rs->conds[ci];

    if (depth > EVAL_DEPTH_MAX)
        return;
    switch (k->kind) {
    case PS_COND_ALL:
    case PS_COND_ANY:
    case PS_COND_NOT:
        for (uint32_t j = 0; j < k->count; j++)
            tree_value_refs(rs, rs->children[k->first + j], refs, depth + 1);
        break;
    case PS_COND_VALUE:
        refs[k->pattern] = true;
        break;
    case PS_COND_KEYWORDS:
        for (uint32_t j = 0; j < k->npatterns; j++)
            refs[k->pattern + j] = true;
        break;
    default:
        break;
    }
}

/*
 * Decide which VALUE patterns are gated: used by record rules only, and by
 * none that could hold whatever the field name and path (no required FIELD
 * or PATH pattern).  A pattern no rule uses, or one a file or row rule
 * uses, stays in the shared database; it is luhn_only when every rule that
 * uses it is a record rule that requires LUHN.
 */
static ps_status compute_gates(ps_matcher *m)
{
    const ps_ruleset *rs = m->rs;
    size_t np = rs->npatterns > 0 ? rs->npatterns : 1;
    bool *refs = calloc(np, sizeof(bool)), *open = calloc(np, sizeof(bool));

    if (refs == NULL || open == NULL) {
        free(refs);
        free(open);
        return PS_ERR_NOMEM;
    }
    for (size_t i = 0; i < rs->npatterns; i++)
        m->luhn_only[i] = true; /* until a rule without LUHN uses it (no rule: no reader) */
    for (size_t r = 0; r < rs->nrules; r++) {
        uint32_t root = rs->rules[r].cond;
        bool record = rs->rules[r].scope == PS_SCOPE_RECORD;
        bool gate = record && (required_pattern(rs, root, PS_COND_FIELD) != UINT32_MAX ||
                               required_pattern(rs, root, PS_COND_PATH) != UINT32_MAX);
        bool luhn = record && required_cond(rs, root, PS_COND_LUHN) != NULL;

        memset(refs, 0, np * sizeof(bool));
        tree_value_refs(rs, rs->rules[r].cond, refs, 0);
        for (size_t i = 0; i < rs->npatterns; i++) {
            if (!refs[i])
                continue;
            if (gate)
                m->gated[i] = true;
            else
                open[i] = true;
            m->luhn_only[i] = m->luhn_only[i] && luhn;
        }
    }
    for (size_t i = 0; i < rs->npatterns; i++) {
        if (open[i] || rs->patterns[i].target != PS_TARGET_VALUE)
            m->gated[i] = false;
    }
    /* eval's KEYWORDS case relies on one status for a condition's keywords. */
    for (size_t i = 0; i < rs->nconds; i++) {
        const ps_cond *k = &rs->conds[i];
        bool any_open = false;

        if (k->kind != PS_COND_KEYWORDS)
            continue;
        for (uint32_t j = 0; j < k->npatterns; j++)
            any_open = any_open || !m->gated[k->pattern + j];
        for (uint32_t j = 0; any_open && j < k->npatterns; j++)
            m->gated[k->pattern + j] = false;
    }
    for (size_t i = 0; i < rs->npatterns; i++)
        m->luhn_only[i] = m->luhn_only[i] && !m->gated[i] &&
                          rs->patterns[i].target == PS_TARGET_VALUE;
    free(refs);
    free(open);
    return PS_OK;
}

void ps_matcher_destroy(ps_matcher *m)
{
    if (m == NULL)
        return;
    for (int t = 0; t < PS_TARGET_COUNT; t++)
        hs_free_database(m->db[t]);
    if (m->som != NULL) {
        for (size_t i = 0; i < m->rs->npatterns; i++)
            hs_free_database(m->som[i]);
    }
    if (m->solo != NULL) {
        for (size_t i = 0; i < m->rs->npatterns; i++)
            hs_free_database(m->solo[i]);
    }
    if (m->solo_need != NULL) {
        for (size_t i = 0; i < m->rs->npatterns; i++)
            ps_need_set_free(m->solo_need[i]);
    }
    ps_need_set_free(m->value_need);
    ps_need_set_free(m->plain_need);
    free(m->solo_need);
    free(m->som);
    free(m->solo);
    free(m->gated);
    free(m->luhn_only);
    free(m->record_rules);
    free(m->file_rules);
    free(m->row_rules);
    free(m->row_subject);
    free(m->rule_const);
    free(m);
}

/*
 * Build the matcher for rs (borrowed; must outlive the matcher).  Fails with
 * PS_ERR_RULE and a located diagnostic for a pattern the engine rejects or a
 * malformed condition tree, PS_ERR_RULE for a CPU the engine cannot run on,
 * or PS_ERR_NOMEM.  *out is NULL on failure.
 */
ps_status ps_matcher_create(const ps_ruleset *rs, ps_matcher **out, ps_diag *diag)
{
    ps_matcher *m;
    ps_status st;
    size_t nrules = rs->nrules > 0 ? rs->nrules : 1;

    *out = NULL;
    if (hs_valid_platform() != HS_SUCCESS) {
        ps_diag_set(diag, "this CPU lacks the instructions the regex engine needs (SSSE3)");
        return PS_ERR_RULE;
    }
    st = check_refs(rs, diag);
    if (st != PS_OK)
        return st;
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        return PS_ERR_NOMEM;
    m->rs = rs;
    m->nwords = (rs->npatterns + 63) / 64;
    if (m->nwords == 0)
        m->nwords = 1;
    m->record_rules = calloc(nrules, sizeof(uint32_t));
    m->file_rules = calloc(nrules, sizeof(uint32_t));
    m->row_rules = calloc(nrules, sizeof(uint32_t));
    m->row_subject = calloc(nrules, sizeof(uint32_t));
    m->rule_const = calloc(nrules, sizeof(bool));
    m->gated = calloc(rs->npatterns > 0 ? rs->npatterns : 1, sizeof(bool));
    m->luhn_only = calloc(rs->npatterns > 0 ? rs->npatterns : 1, sizeof(bool));
    m->solo = calloc(rs->npatterns > 0 ? rs->npatterns : 1, sizeof(hs_database_t *));
    if (m->record_rules == NULL || m->file_rules == NULL || m->row_rules == NULL ||
        m->row_subject == NULL || m->rule_const == NULL || m->gated == NULL ||
        m->luhn_only == NULL || m->solo == NULL) {
        st = PS_ERR_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < rs->nrules; i++) {
        const ps_rule *r = &rs->rules[i];

        if (r->scope == PS_SCOPE_FILE) {
            m->file_rules[m->nfile++] = (uint32_t)i;
        } else if (r->scope == PS_SCOPE_ROW) {
            m->row_subject[m->nrow] = required_subject(rs, r->cond);
            m->row_rules[m->nrow++] = (uint32_t)i;
        } else {
            m->record_rules[m->nrecord++] = (uint32_t)i;
            m->rule_const[i] = tree_is_file_constant(rs, r->cond, 0);
        }
    }
    st = compute_gates(m);
    if (st != PS_OK)
        goto fail;
    {
        /*
         * Compiling is most of the start-up time (~0.2 s), and the field
         * and value databases take about the same: build the field one on a
         * second thread.  Hyperscan's compiler keeps no shared state.  The
         * field database's error, if any, is the one reported, as when they
         * were built in turn, so the message does not depend on timing.
         */
        field_job job;
        pthread_t tid;
        bool threaded;

        memset(&job, 0, sizeof(job));
        job.rs = rs;
        threaded = pthread_create(&tid, NULL, compile_field_job, &job) == 0;
        if (!threaded)
            compile_field_job(&job);
        m->value_min = SIZE_MAX;
        st = compile_target(rs, PS_TARGET_VALUE, m->gated, &m->db[PS_TARGET_VALUE],
                            &m->value_min, diag);
        if (st == PS_OK)
            st = compile_target(rs, PS_TARGET_PATH, NULL, &m->db[PS_TARGET_PATH], NULL, diag);
        if (st == PS_OK)
            st = compile_solo(m, diag);
        if (st == PS_OK)
            st = compile_som(m);
        if (st == PS_OK)
            st = compile_needs(m);
        if (threaded)
            pthread_join(tid, NULL);
        m->db[PS_TARGET_FIELD] = job.db;
        if (job.st != PS_OK) {
            *diag = job.diag;
            st = job.st;
        }
        if (st != PS_OK)
            goto fail;
    }
    *out = m;
    return PS_OK;
fail:
    if (st == PS_ERR_NOMEM)
        ps_diag_set(diag, "out of memory compiling rules");
    ps_matcher_destroy(m);
    return st;
}

const ps_ruleset *ps_matcher_rules(const ps_matcher *m)
{
    return m->rs;
}

/* --- context ----------------------------------------------------------------- */

/*
 * A rule's tree on one column of the current file, with what is fixed there
 * decided: FIELD by the column name's bits, PATH and the other file facts
 * by the file.  Record and row detectors stay open.
 */
typedef enum fold_v { FOLD_FALSE, FOLD_TRUE, FOLD_OPEN } fold_v;

static bool eval(ps_match_ctx *c, uint32_t ci, unsigned depth);

static fold_v fold(ps_match_ctx *c, const uint64_t *bits, uint32_t ci, unsigned depth)
{
    const ps_ruleset *rs = c->m->rs;
    const ps_cond *k = &rs->conds[ci];
    fold_v v, out;

    if (depth > EVAL_DEPTH_MAX)
        return FOLD_OPEN;
    switch (k->kind) {
    case PS_COND_ALL:
    case PS_COND_ANY:
        out = k->kind == PS_COND_ALL ? FOLD_TRUE : FOLD_FALSE;
        for (uint32_t j = 0; j < k->count; j++) {
            v = fold(c, bits, rs->children[k->first + j], depth + 1);
            if (v == FOLD_OPEN)
                out = FOLD_OPEN;
            else if (v != (k->kind == PS_COND_ALL ? FOLD_TRUE : FOLD_FALSE))
                return v; /* one false child decides ALL, one true child ANY */
        }
        return out;
    case PS_COND_NOT:
        v = fold(c, bits, rs->children[k->first], depth + 1);
        return v == FOLD_OPEN ? FOLD_OPEN : v == FOLD_TRUE ? FOLD_FALSE : FOLD_TRUE;
    case PS_COND_FIELD:
        return bit_test(bits, k->pattern) ? FOLD_TRUE : FOLD_FALSE;
    case PS_COND_MEDIA: /* a record may carry its own media type */
        return FOLD_OPEN;
    default:
        if (ps_cond_is_record(k->kind) || ps_cond_is_row(k->kind))
            return FOLD_OPEN;
        return eval(c, ci, depth) ? FOLD_TRUE : FOLD_FALSE; /* reads file facts only */
    }
}

/*
 * VALUE patterns one of which must match for the folded tree under ci to
 * hold: a VALUE or KEYWORDS condition, one under an ALL, or the one branch
 * of an ANY the column leaves open.  A question rule is ANY(question
 * column, keywords): on any other column only its keywords can make it
 * hold, so a cell whose value matched none is passed over without a walk.
 */
static bool fold_need(ps_match_ctx *c, const uint64_t *bits, uint32_t ci, unsigned depth,
                      cand_plan *out)
{
    const ps_ruleset *rs = c->m->rs;
    const ps_cond *k = &rs->conds[ci];
    uint32_t open = UINT32_MAX;

    if (depth > EVAL_DEPTH_MAX)
        return false;
    switch (k->kind) {
    case PS_COND_VALUE:
        out->lo = k->pattern;
        out->n = 1;
        return true;
    case PS_COND_KEYWORDS:
        out->lo = k->pattern;
        out->n = k->npatterns;
        return k->npatterns > 0;
    case PS_COND_ALL:
        for (uint32_t j = 0; j < k->count; j++) {
            if (fold_need(c, bits, rs->children[k->first + j], depth + 1, out))
                return true;
        }
        return false;
    case PS_COND_ANY:
        for (uint32_t j = 0; j < k->count; j++) {
            uint32_t kid = rs->children[k->first + j];

            if (fold(c, bits, kid, depth + 1) == FOLD_FALSE)
                continue;
            if (open != UINT32_MAX)
                return false; /* two ways to hold */
            open = kid;
        }
        return open != UINT32_MAX && fold_need(c, bits, open, depth + 1, out);
    default:
        return false;
    }
}

/*
 * The condition that ci, a tree that does not fold to false, comes down to
 * on the column: an ALL whose other children all fold to true, or an ANY
 * whose others all fold to false, is its one open child.  A chat log's
 * retention rule is ALL(path, field, older-than) and the embedded-media
 * rule ALL(media, not format): on their columns each is its last leaf,
 * evaluated without a walk through the nodes the file already decided.
 */
static uint32_t fold_root(ps_match_ctx *c, const uint64_t *bits, uint32_t ci)
{
    const ps_ruleset *rs = c->m->rs;

    for (unsigned depth = 0; depth < EVAL_DEPTH_MAX; depth++) {
        const ps_cond *k = &rs->conds[ci];
        fold_v settled = k->kind == PS_COND_ALL ? FOLD_TRUE : FOLD_FALSE;
        uint32_t open = UINT32_MAX;

        if (k->kind != PS_COND_ALL && k->kind != PS_COND_ANY)
            return ci;
        for (uint32_t j = 0; j < k->count; j++) {
            uint32_t kid = rs->children[k->first + j];
            fold_v v = fold(c, bits, kid, depth + 1);

            if (v == settled)
                continue;
            if (v != FOLD_OPEN || open != UINT32_MAX)
                return ci; /* decided by a child, or two open ones */
            open = kid;
        }
        if (open == UINT32_MAX)
            return ci;
        ci = open;
    }
    return ci;
}

/*
 * List in candidate list `list` the record rules that can still hold for a
 * field with these FIELD bits in the current file (fold is not false), each
 * with its plan there (fold_root, fold_need).  Everything here is constant
 * for the file, and the lists live exactly as long as the file (see the
 * cache).
 */
static void fill_candidates(ps_match_ctx *c, const uint64_t *bits, uint32_t list)
{
    const ps_matcher *m = c->m;
    size_t at = (size_t)list * (m->nrecord > 0 ? m->nrecord : 1);
    uint32_t *dst = c->cand + at;
    cand_plan *plan = c->cplan + at;
    uint32_t *free_at = c->cfree + at;
    uint32_t n = 0, nfree = 0, probe = NO_PROBE;

    for (size_t i = 0; i < m->nrecord; i++) {
        uint32_t r = m->record_rules[i];
        uint32_t root = m->rs->rules[r].cond;

        /* A file-constant rule folds to its answer: false drops it here. */
        if (fold(c, bits, root, 0) == FOLD_FALSE)
            continue;
        plan[n].root = fold_root(c, bits, root);
        plan[n].lo = plan[n].n = 0;
        (void)fold_need(c, bits, root, 0, &plan[n]);
        /* A KEYWORDS group shares its first pattern's gate (compute_gates). */
        if (plan[n].n > 0 && !m->gated[plan[n].lo])
            probe = probe == NO_PROBE ? plan[n].lo : probe;
        else
            free_at[nfree++] = n;
        dst[n++] = r;
    }
    c->ncand[list] = n;
    c->nfree[list] = nfree;
    c->probe[list] = probe;
}

void ps_match_ctx_destroy(ps_match_ctx *c)
{
    if (c == NULL)
        return;
    hs_free_scratch(c->scratch);
    free(c->path_bits);
    free(c->value_bits);
    free(c->field_tmp);
    free(c->zero_bits);
    free(c->value_list);
    free(c->solo_gen);
    free(c->file_memo);
    free(c->slots);
    free(c->slot_bits);
    free(c->cand);
    free(c->cplan);
    free(c->ncand);
    free(c->cfree);
    free(c->nfree);
    free(c->probe);
    free(c->keys);
    free(c->verdicts);
    free(c->vkeys);
    free(c->trials);
    free(c->need_trials);
    free(c->row_memo);
    free(c->fid_gen);
    free(c->fid_slot);
    free(c);
}

/*
 * A context for one worker: scratch space large enough for every database
 * of m, the bitsets, and the field-name cache.  Returns PS_OK or
 * PS_ERR_NOMEM (*out NULL).
 */
ps_status ps_match_ctx_create(const ps_matcher *m, ps_match_ctx **out)
{
    ps_match_ctx *c;
    size_t nw = m->nwords, npat = m->rs->npatterns;
    size_t nrules = m->rs->nrules > 0 ? m->rs->nrules : 1;

    *out = NULL;
    c = ps_calloc_line(sizeof(*c)); /* a worker's: written on every record */
    if (c == NULL)
        return PS_ERR_NOMEM;
    c->m = m;
    c->as_of = ps_date_today();
    c->f = &no_facts;
    c->readable = c->luhn = -1;
    c->weak_params = -1;
    c->gen = 1;
    c->path_bits = calloc(nw, sizeof(uint64_t));
    c->value_bits = calloc(nw, sizeof(uint64_t));
    c->field_tmp = calloc(nw, sizeof(uint64_t));
    c->zero_bits = calloc(nw, sizeof(uint64_t));
    c->value_list = calloc(npat > 0 ? npat : 1, sizeof(uint32_t));
    c->solo_gen = calloc(npat > 0 ? npat : 1, sizeof(uint32_t));
    c->rec_gen = 1;
    c->file_memo = malloc(nrules);
    c->slots = calloc(CACHE_SLOTS, sizeof(cache_slot));
    c->slot_bits = calloc(CACHE_SLOTS * nw, sizeof(uint64_t));
    c->cand = calloc((size_t)CAND_LISTS * (m->nrecord > 0 ? m->nrecord : 1), sizeof(uint32_t));
    c->cplan = calloc((size_t)CAND_LISTS * (m->nrecord > 0 ? m->nrecord : 1), sizeof(cand_plan));
    c->ncand = calloc(CAND_LISTS, sizeof(uint32_t));
    c->cfree = calloc((size_t)CAND_LISTS * (m->nrecord > 0 ? m->nrecord : 1), sizeof(uint32_t));
    c->nfree = calloc(CAND_LISTS, sizeof(uint32_t));
    c->probe = calloc(CAND_LISTS, sizeof(uint32_t));
    c->keys = malloc(CACHE_KEY_ARENA);
    c->verdicts = aligned_alloc(64, VC_SLOTS * sizeof(verdict));
    if (c->verdicts != NULL)
        memset(c->verdicts, 0, VC_SLOTS * sizeof(verdict));
    c->vkeys = malloc(VC_ARENA);
    c->vgen = 1;
    c->trials = calloc(CAND_LISTS, sizeof(trial));
    c->need_trials = calloc(CAND_LISTS, sizeof(trial));
    c->row_memo = calloc(ROW_MEMO_SLOTS, sizeof(*c->row_memo));
    c->row_gen = 1;
    c->fid_gen = calloc(PS_FIELD_IDS, sizeof(uint32_t));
    c->fid_slot = calloc(PS_FIELD_IDS, sizeof(uint32_t));
    if (c->trials == NULL || c->need_trials == NULL || c->row_memo == NULL || c->fid_gen == NULL || c->fid_slot == NULL ||
        c->path_bits == NULL || c->value_bits == NULL || c->field_tmp == NULL ||
        c->zero_bits == NULL || c->value_list == NULL || c->solo_gen == NULL ||
        c->file_memo == NULL || c->verdicts == NULL || c->vkeys == NULL ||
        c->slots == NULL || c->slot_bits == NULL || c->keys == NULL || c->cand == NULL ||
        c->cplan == NULL || c->ncand == NULL || c->cfree == NULL || c->nfree == NULL ||
        c->probe == NULL)
        goto fail;
    memset(c->file_memo, -1, nrules);
    fill_candidates(c, c->zero_bits, CAND_ZERO);
    for (int t = 0; t < PS_TARGET_COUNT; t++) {
        if (m->db[t] != NULL && hs_alloc_scratch(m->db[t], &c->scratch) != HS_SUCCESS)
            goto fail;
    }
    for (size_t i = 0; i < npat; i++) {
        if (m->som[i] != NULL && hs_alloc_scratch(m->som[i], &c->scratch) != HS_SUCCESS)
            goto fail;
        if (m->solo[i] != NULL && hs_alloc_scratch(m->solo[i], &c->scratch) != HS_SUCCESS)
            goto fail;
    }
    *out = c;
    return PS_OK;
fail:
    ps_match_ctx_destroy(c);
    return PS_ERR_NOMEM;
}

/* --- per-file and per-record state --------------------------------------------- */

/* Empty the verdict cache in O(1): its entries name this file's candidate lists. */
static void verdicts_forget(ps_match_ctx *c)
{
    if (++c->vgen == 0) {
        memset(c->verdicts, 0, VC_SLOTS * sizeof(verdict));
        c->vgen = 1;
    }
    c->vkeys_used = 0;
    c->nverdicts = 0;
}

/*
 * Start a file: remember its facts, match its path once, forget the field
 * names of the previous file (bumping the generation empties every slot in
 * O(1); the table is wiped only when the counter wraps).
 */
void ps_match_file_begin(ps_match_ctx *c, const ps_file_facts *f)
{
    const ps_matcher *m = c->m;
    const char *path;

    c->f = f != NULL ? f : &no_facts;
    c->rec = NULL;
    c->in_record = false;
    memset(c->path_bits, 0, m->nwords * sizeof(uint64_t));
    path = c->f->rel_path;
    if (path != NULL) {
        scan_out o = {c->path_bits, NULL, NULL};

        scan(m->db[PS_TARGET_PATH], c->scratch, path, strlen(path), on_match, &o);
    }
    memset(c->file_memo, -1, m->rs->nrules > 0 ? m->rs->nrules : 1);
    c->gen++;
    if (c->gen == 0) {
        memset(c->slots, 0, CACHE_SLOTS * sizeof(cache_slot));
        memset(c->fid_gen, 0, PS_FIELD_IDS * sizeof(uint32_t));
        c->gen = 1;
    }
    c->keys_used = 0;
    c->nentries = 0;
    fill_candidates(c, c->zero_bits, CAND_ZERO);
    verdicts_forget(c);
    if (++c->row_gen == 0) {
        memset(c->row_memo, 0, ROW_MEMO_SLOTS * sizeof(*c->row_memo));
        c->row_gen = 1;
    }
    memset(c->trials, 0, CAND_LISTS * sizeof(trial));
    memset(c->need_trials, 0, CAND_LISTS * sizeof(trial));
}

static inline void record_begin(ps_match_ctx *c, const ps_record *rec)
{
    /* Forget the last record's value matches: O(matches), not O(patterns). */
    for (size_t i = 0; i < c->nvalue_list; i++)
        bit_clear(c->value_bits, c->value_list[i]);
    c->nvalue_list = 0;
    if (++c->rec_gen == 0) {
        /* Wrapped: old stamps could pass for new ones. */
        memset(c->solo_gen, 0, (c->m->rs->npatterns > 0 ? c->m->rs->npatterns : 1) * sizeof(uint32_t));
        c->rec_gen = 1;
    }
    c->rec = rec;
    c->in_record = true;
    c->field_bits = NULL;
    c->value_done = false;
    c->readable = -1;
    c->luhn = -1;
    c->hash_done = false;
    c->weak_params = -1;
    c->date_done = false;
    c->b64_media = -1;
}

/*
 * The FIELD-pattern bits of name[0..len), cached per file.  The returned
 * bits stay valid until the next call when the cache could not take the
 * name (they live in field_tmp then).
 */
static const uint64_t *field_bits_for(ps_match_ctx *c, const char *name, size_t len,
                                      uint32_t *list)
{
    const ps_matcher *m = c->m;
    uint64_t h;
    uint32_t i;
    uint64_t *bits;
    scan_out o;

    *list = CAND_ZERO;
    if (m->db[PS_TARGET_FIELD] == NULL || len == 0)
        return c->zero_bits;
    h = ps_fnv1a(name, len);
    for (i = (uint32_t)(h & (CACHE_SLOTS - 1)); c->slots[i].gen == c->gen;
         i = (i + 1) & (CACHE_SLOTS - 1)) {
        const cache_slot *s = &c->slots[i];

        if (s->hash == h && s->klen == len && memcmp(c->keys + s->koff, name, len) == 0) {
            *list = i;
            return c->slot_bits + (size_t)i * m->nwords;
        }
    }
    /* miss: slot i is free; use it if both the table and the arena have room */
    if (c->nentries < CACHE_MAX_ENTRIES && len <= CACHE_KEY_ARENA - c->keys_used) {
        cache_slot *s = &c->slots[i];

        bits = c->slot_bits + (size_t)i * m->nwords;
        memcpy(c->keys + c->keys_used, name, len);
        s->gen = c->gen;
        s->hash = h;
        s->klen = (uint32_t)len;
        s->koff = (uint32_t)c->keys_used;
        c->keys_used += len;
        c->nentries++;
    } else {
        bits = c->field_tmp;
    }
    memset(bits, 0, m->nwords * sizeof(uint64_t));
    o.bits = bits;
    o.list = NULL;
    o.nlist = NULL;
    scan(m->db[PS_TARGET_FIELD], c->scratch, name, len, on_match, &o);
    *list = bits == c->field_tmp ? CAND_TMP : i;
    fill_candidates(c, bits, *list);
    return bits;
}

/* get_field_bits for a name not seen under its field id yet. */
static PS_NOINLINE const uint64_t *field_bits_slow(ps_match_ctx *c)
{
    uint32_t id = c->rec->field_id;
    const uint64_t *bits;

    bits = field_bits_for(c, c->rec->field != NULL ? c->rec->field : "",
                          c->rec->field != NULL ? c->rec->field_len : 0, &c->field_list);
    if (id != 0 && id < PS_FIELD_IDS && c->field_list != CAND_TMP) {
        /* field_tmp is overwritten by the next miss: not worth remembering. */
        c->fid_gen[id] = c->gen;
        c->fid_slot[id] = c->field_list;
    }
    c->field_bits = bits;
    return bits;
}

/* The FIELD-pattern bits of the current record's field name. */
static inline const uint64_t *get_field_bits(ps_match_ctx *c)
{
    uint32_t id = c->rec->field_id;

    if (c->field_bits != NULL)
        return c->field_bits;
    if (id != 0 && id < PS_FIELD_IDS && c->fid_gen[id] == c->gen) {
        c->field_list = c->fid_slot[id];
        c->field_bits = c->field_list == CAND_ZERO
                            ? c->zero_bits
                            : c->slot_bits + (size_t)c->field_list * c->m->nwords;
        return c->field_bits;
    }
    return field_bits_slow(c);
}

bool ps_match_name(ps_match_ctx *c, const char *name, size_t len, uint32_t pattern)
{
    uint32_t list;

    if (pattern >= c->m->rs->npatterns)
        return false;
    if (c->in_record)
        c->field_bits = NULL; /* field_tmp may be reused below */
    return bit_test(field_bits_for(c, name, len, &list), pattern);
}

static bool get_luhn(ps_match_ctx *c)
{
    if (c->luhn < 0)
        c->luhn = ps_detect_luhn(c->rec->value, c->rec->value_len) ? 1 : 0;
    return c->luhn == 1;
}

/*
 * Whether the current value may match the shared VALUE database, by the
 * need filter when the column is on good terms with it (NEED_MIN_RATE).  A
 * value only luhn_only patterns may match must also hold a Luhn number.
 */
static bool may_match(ps_match_ctx *c)
{
    const ps_matcher *m = c->m;
    const char *v = c->rec->value;
    size_t n = c->rec->value_len;
    trial *t;

    if (m->value_need == NULL)
        return true;
    /* Outside a record's rule loop the list is unknown: the shared CAND_TMP standing. */
    t = &c->need_trials[c->field_bits != NULL ? c->field_list : CAND_TMP];
    if (!trial_worth(t, NEED_MIN_RATE))
        return true;
    /*
     * Most values meet no need at all: one pass.  Those that meet only a
     * luhn_only pattern's must hold a Luhn number too.
     */
    if (ps_need_set_may_match(m->value_need, v, n) &&
        (m->nluhn == 0 || (m->nplain > 0 && ps_need_set_may_match(m->plain_need, v, n)) ||
         get_luhn(c)))
        return true;
    t->hits++;
    return false;
}

/*
 * Whether VALUE pattern p matches the current record's value: the shared
 * database scans the value once, on first need; a gated pattern's own
 * database scans it only when asked for that pattern.
 */
static bool value_bit_scan(ps_match_ctx *c, uint32_t p)
{
    const ps_matcher *m = c->m;
    scan_out o;

    o.bits = c->value_bits;
    o.list = c->value_list;
    o.nlist = &c->nvalue_list;
    if (m->gated[p]) {
        if (c->solo_gen[p] != c->rec_gen) {
            if (ps_need_set_may_match(m->solo_need[p], c->rec->value, c->rec->value_len))
                scan(m->solo[p], c->scratch, c->rec->value, c->rec->value_len, on_match, &o);
            c->solo_gen[p] = c->rec_gen;
        }
    } else if (!c->value_done) {
        /*
         * Country codes, short names: shorter than any match.  Ids,
         * timestamps, hashes: without what every pattern needs.  No call.
         */
        if (c->rec->value_len >= m->value_min && may_match(c))
            scan(m->db[PS_TARGET_VALUE], c->scratch, c->rec->value, c->rec->value_len,
                 on_match, &o);
        c->value_done = true;
    }
    return bit_test(c->value_bits, p);
}

static inline bool value_bit(ps_match_ctx *c, uint32_t p)
{
    if (c->value_done && !c->m->gated[p])
        return bit_test(c->value_bits, p);
    return value_bit_scan(c, p);
}

/* Whether any of VALUE patterns lo .. lo+n-1 matches the current value. */
static inline bool value_any(ps_match_ctx *c, uint32_t lo, uint32_t n)
{
    if (n == 1 || c->m->gated[lo]) {
        for (uint32_t p = lo; p < lo + n; p++) {
            if (value_bit(c, p))
                return true;
        }
        return false;
    }
    /*
     * A condition's keywords are used by the same rules, so they share one
     * gate status (compute_gates): when shared, look through the few ids
     * that matched rather than test every keyword.
     */
    (void)value_bit(c, lo);
    for (size_t j = 0; j < c->nvalue_list; j++) {
        if (c->value_list[j] - lo < n)
            return true;
    }
    return false;
}

/* Whether value_bit(c, p) has been answered for the current record. */
static bool value_known(const ps_match_ctx *c, uint32_t p)
{
    return c->m->gated[p] ? c->solo_gen[p] == c->rec_gen : c->value_done;
}

static bool get_readable(ps_match_ctx *c)
{
    if (c->readable < 0)
        c->readable = ps_detect_readable(c->rec->value, c->rec->value_len) ? 1 : 0;
    return c->readable == 1;
}

static int get_hash(ps_match_ctx *c)
{
    if (!c->hash_done) {
        c->hash = ps_detect_hash(c->rec->value, c->rec->value_len);
        c->hash_done = true;
    }
    return c->hash;
}

/* ps_detect_weak_hash_params of the current value, once per record. */
static bool get_weak_params(ps_match_ctx *c)
{
    if (c->weak_params < 0)
        c->weak_params =
            ps_detect_weak_hash_params(c->rec->value, c->rec->value_len) ? 1 : 0;
    return c->weak_params == 1;
}

/* The value as a date (day-first when ambiguous), once per record. */
static int32_t get_date(ps_match_ctx *c)
{
    int32_t day, alt;

    if (!c->date_done) {
        if (ps_date_parse(c->rec->value, c->rec->value_len, PS_DATE_ALLOW_EPOCH,
                          &day, &alt) == PS_DATE_INVALID)
            day = PS_DAY_NONE;
        c->date = day;
        c->date_done = true;
    }
    return c->date;
}

/*
 * The media a condition sees: the record's own (a BLOB), else media hidden
 * in the value as base64 (a JSON "photo" field), else the file's.
 */
static ps_media record_media(ps_match_ctx *c)
{
    const ps_record *rec = c->rec;

    if (rec == NULL)
        return c->f->sniff.media;
    if (rec->media != PS_MEDIA_NONE)
        return rec->media;
    if (c->b64_media < 0)
        c->b64_media = (int8_t)ps_detect_b64_media(rec->value, rec->value_len);
    return c->b64_media != PS_MEDIA_NONE ? (ps_media)c->b64_media : c->f->sniff.media;
}

static bool in_mask(uint32_t mask, unsigned v)
{
    return v < 32 && ((mask >> v) & 1u);
}

static uint32_t mode_classes(unsigned mode)
{
    uint32_t m = 0;

    if (mode & 0004)
        m |= 1u << PS_MODE_WORLD_READABLE;
    if (mode & 0002)
        m |= 1u << PS_MODE_WORLD_WRITABLE;
    if (mode & 0020)
        m |= 1u << PS_MODE_GROUP_WRITABLE;
    return m;
}

/*
 * Evaluate condition ci against the current file and (when c->rec is set)
 * record, short-circuiting ALL/ANY.  Record detectors are false without a
 * record.  Recursion depth follows the tree, which the loader caps at 64.
 */
static bool eval(ps_match_ctx *c, uint32_t ci, unsigned depth)
{
    const ps_ruleset *rs = c->m->rs;
    const ps_cond *k = &rs->conds[ci];
    const ps_file_facts *f = c->f;
    const ps_record *rec = c->rec;

    if (depth > EVAL_DEPTH_MAX)
        return false;
    switch (k->kind) {
    case PS_COND_ALL:
        for (uint32_t j = 0; j < k->count; j++) {
            if (!eval(c, rs->children[k->first + j], depth + 1))
                return false;
        }
        return true;
    case PS_COND_ANY:
        for (uint32_t j = 0; j < k->count; j++) {
            if (eval(c, rs->children[k->first + j], depth + 1))
                return true;
        }
        return false;
    case PS_COND_NOT:
        return !eval(c, rs->children[k->first], depth + 1);
    case PS_COND_FIELD:
        return rec != NULL && bit_test(get_field_bits(c), k->pattern);
    case PS_COND_VALUE:
        return rec != NULL && value_bit(c, k->pattern);
    case PS_COND_KEYWORDS:
        return rec != NULL && k->npatterns > 0 && value_any(c, k->pattern, k->npatterns);
    case PS_COND_READABLE:
        return rec != NULL && get_readable(c) == k->flag;
    case PS_COND_LUHN:
        return rec != NULL && get_luhn(c);
    case PS_COND_HASH:
        if (rec == NULL)
            return false;
        {
            int h = get_hash(c);

            return h >= 0 && in_mask(k->mask, (unsigned)h);
        }
    case PS_COND_MEDIA:
        return in_mask(k->mask, (unsigned)record_media(c));
    case PS_COND_FORMAT:
        return in_mask(k->mask, (unsigned)f->sniff.format);
    case PS_COND_MODE:
        return (mode_classes(f->mode) & k->mask) != 0;
    case PS_COND_PATH:
        return bit_test(c->path_bits, k->pattern);
    case PS_COND_SIZE:
        return f->size >= k->min && f->size <= k->max;
    case PS_COND_BESIDE:
        return (f->beside & k->mask) != 0;
    case PS_COND_OLDER_THAN:
        if (rec == NULL || c->as_of == PS_DAY_NONE)
            return false;
        {
            int32_t d = get_date(c);

            return d != PS_DAY_NONE && (int64_t)c->as_of - d > (int64_t)k->min;
        }
    case PS_COND_SUBJECT:
        return c->row != NULL && (c->row->subject & k->mask) != 0;
    case PS_COND_AGE_UNDER:
        return c->row != NULL && c->row->age >= 0 && (uint64_t)c->row->age < k->min;
    case PS_COND_IDENTIFIED:
        return c->row != NULL && c->row->identified == k->flag;
    case PS_COND_WEAK_HASH_PARAMS:
        return rec != NULL && get_weak_params(c) == k->flag;
    case PS_COND_CIPHER:
        return f->sniff.format == PS_FMT_CIPHERTEXT &&
               in_mask(k->mask, (unsigned)f->sniff.cipher);
    case PS_COND_REPEATED_BLOCKS:
        return f->sniff.repeated_blocks == k->flag;
    case PS_COND_NONCE_REUSE:
        return f->nonce_reused == k->flag;
    case PS_COND_KIND_COUNT:
        break;
    }
    return false;
}

/*
 * A record-scope rule r, whose tree comes down to `root` on the column,
 * with file-constant trees answered once per file.
 */
static bool eval_record_rule(ps_match_ctx *c, uint32_t r, uint32_t root)
{
    const ps_matcher *m = c->m;
    bool v;

    if (!m->rule_const[r])
        return eval(c, root, 0);
    if (c->file_memo[r] < 0) {
        v = eval(c, m->rs->rules[r].cond, 0);
        c->file_memo[r] = v ? 1 : 0;
    }
    return c->file_memo[r] == 1;
}

/* --- the match calls ------------------------------------------------------------ */

/*
 * The last n (< 8) bytes of s, whose length is len, as a word, with loads
 * that overlap rather than a copy of n bytes: a variable-length copy into a
 * word compiles to a byte loop and a stalled reload.
 */
static uint64_t tail_word(const char *s, size_t len, size_t n)
{
    uint64_t w8;
    uint32_t a, b;
    uint16_t c, d;

    if (n == 0)
        return 0;
    if (len >= 8) {
        memcpy(&w8, s + n - 8, 8); /* back into bytes already hashed */
        return w8;
    }
    if (n >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        return (uint64_t)a << 32 | b;
    }
    if (n >= 2) {
        memcpy(&c, s, 2);
        memcpy(&d, s + n - 2, 2);
        return (uint64_t)c << 16 | d;
    }
    return (unsigned char)s[0];
}

/*
 * The verdict cache.  Within one file, a record rule's verdict depends only
 * on the field name (through its candidate list), the value's bytes and the
 * record's media type: conditions are pure and the file facts, path and
 * --as-of are fixed.  Columns repeat their values (countries, first names,
 * questions, message templates, empty strings): about two cells in three of
 * the benchmark's stores and chat logs were seen before in the same column.
 * Those cells replay the rules that held, without a scan or a tree walk.
 */
static uint64_t hash_value(const char *s, size_t n, uint32_t list, unsigned media)
{
    uint64_t h = (uint64_t)n * UINT64_C(0x9E3779B97F4A7C15) ^ ((uint64_t)list << 8 | media);
    size_t len = n;
    uint64_t w;

    while (n >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    h = (h ^ tail_word(s, len, n)) * UINT64_C(0xc4ceb9fe1a85ec53);
    /*
     * One more round before the low bits pick the slot: a product's low
     * bits depend only on the factor's low bits, and short values that
     * differ in a few digits (birthdates, "2004-12-25") clustered into runs
     * of slots, 15 to 23 probes a lookup on kids.csv's date columns.
     */
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    return h ^ (h >> 32);
}

/* The slot of rec's verdict under list, or of the free slot where it goes. */
static inline verdict *verdict_find(ps_match_ctx *c, uint32_t list, const ps_record *rec,
                                    uint64_t h)
{
    uint32_t i = (uint32_t)(h & (VC_SLOTS - 1));

    for (;; i = (i + 1) & (VC_SLOTS - 1)) {
        verdict *v = &c->verdicts[i];

        if (v->gen != c->vgen)
            return v;
        if (v->hash == (uint32_t)(h >> 32) && v->list == list && v->len == rec->value_len &&
            v->media == (unsigned)rec->media &&
            ps_same_bytes(c->vkeys + v->off, rec->value, rec->value_len))
            return v;
    }
}

/* Remember in the free slot v that rules hits[0..n) held for rec. */
static void verdict_store(ps_match_ctx *c, verdict *v, uint32_t list, const ps_record *rec,
                          uint64_t h, const uint32_t *hits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (hits[i] > UINT16_MAX)
            return; /* a pack of more rules than a verdict can name: not cached */
    }
    if (c->nverdicts >= VC_MAX_ENTRIES || rec->value_len > VC_ARENA - c->vkeys_used) {
        verdicts_forget(c); /* full: start over rather than evict */
        v = verdict_find(c, list, rec, h);
    }
    if (rec->value_len > 0)
        memcpy(c->vkeys + c->vkeys_used, rec->value, rec->value_len);
    v->gen = c->vgen;
    v->list = (uint16_t)list;
    v->len = (uint8_t)rec->value_len;
    v->media = (uint8_t)rec->media;
    v->off = (uint32_t)c->vkeys_used;
    v->hash = (uint32_t)(h >> 32);
    v->nhits = (uint8_t)n;
    v->date_done = c->date_done;
    v->date = c->date;
    for (size_t i = 0; i < n; i++)
        v->hits[i] = (uint16_t)hits[i];
    c->vkeys_used += rec->value_len;
    c->nverdicts++;
}

/*
 * Every record-scope rule against rec, in rule order; fn is called for each
 * that holds.  Returns PS_OK, or PS_ERR_STOP when fn asked to stop.
 */
ps_status ps_match_record(ps_match_ctx *c, const ps_record *rec, ps_hit_fn fn, void *ud)
{
    const ps_matcher *m = c->m;
    ps_status st = PS_OK;

    const uint32_t *list, *pick = NULL;
    const cand_plan *plan;
    size_t n, which, at, nhits = 0;
    uint32_t hits[VC_HITS];
    verdict *v = NULL;
    uint64_t h = 0;

    record_begin(c, rec);
    /* FIELD, PATH and file-constant prefilters were applied when the name entered the cache. */
    (void)get_field_bits(c);
    which = c->field_list;
    at = which * (m->nrecord > 0 ? m->nrecord : 1);
    list = c->cand + at;
    plan = c->cplan + at;
    n = c->ncand[which];
    if (n > 0 && which != CAND_TMP && rec->value_len <= VC_VALUE_MAX &&
        (unsigned)rec->media <= UINT8_MAX && trial_worth(&c->trials[which], VC_MIN_RATE)) {
        h = hash_value(rec->value, rec->value_len, (uint32_t)which, (unsigned)rec->media);
        v = verdict_find(c, (uint32_t)which, rec, h);
        if (v->gen == c->vgen) {
            c->trials[which].hits++;
            /* Seen in this column: the same rules hold; OLDER_THAN's date is the same. */
            c->date_done = v->date_done;
            c->date = v->date;
            for (size_t i = 0; i < v->nhits; i++) {
                if (fn(ud, v->hits[i], rec) != 0) {
                    st = PS_ERR_STOP;
                    break;
                }
            }
            c->in_record = false;
            return st;
        }
    }
    /*
     * Every candidate with a need would scan the value with the shared
     * database; scan it first, and when it matched nothing, walk the
     * candidates that need nothing of it, in the same order.
     */
    if (c->probe[which] != NO_PROBE) {
        (void)value_bit(c, c->probe[which]);
        if (c->nvalue_list == 0) {
            pick = c->cfree + at;
            n = c->nfree[which];
        }
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = pick != NULL ? pick[k] : k;
        uint32_t r = list[i];

        /* The last prefilter: a value match the rule needs here (fold_need). */
        if (plan[i].n > 0 && !value_any(c, plan[i].lo, plan[i].n))
            continue;
        if (eval_record_rule(c, r, plan[i].root)) {
            if (nhits < VC_HITS)
                hits[nhits] = r;
            nhits++;
            if (fn(ud, r, rec) != 0) {
                st = PS_ERR_STOP;
                break;
            }
        }
    }
    if (v != NULL && st == PS_OK && nhits <= VC_HITS)
        verdict_store(c, v, (uint32_t)which, rec, h, hits, nhits);
    c->in_record = false;
    return st;
}

/*
 * Every file-scope rule against f alone (record detectors are false).  This
 * starts f as the current file, so call it outside a file's record loop.
 */
ps_status ps_match_file(ps_match_ctx *c, const ps_file_facts *f, ps_hit_fn fn, void *ud)
{
    const ps_matcher *m = c->m;

    ps_match_file_begin(c, f);
    for (size_t i = 0; i < m->nfile; i++) {
        uint32_t r = m->file_rules[i];

        if (eval(c, m->rs->rules[r].cond, 0) && fn(ud, r, NULL) != 0)
            return PS_ERR_STOP;
    }
    return PS_OK;
}

/*
 * The memo slot of row's verdict, or NULL when the row's facts fall outside
 * the memo.  Row rules see the row's three facts and the file's, never a
 * record (record detectors are false there), so within one file the same
 * facts give the same rules: a store of a million children has a few
 * hundred distinct (subject, age, identified).
 */
static struct row_verdict *row_slot(ps_match_ctx *c, const ps_row_facts *row)
{
    size_t at;

    if (c->m->nrow > 32 || row->subject >= ROW_MEMO_SUBJECTS || row->age < -1 ||
        row->age > ROW_MEMO_AGES - 2)
        return NULL;
    at = ((size_t)(row->identified ? 1 : 0) * ROW_MEMO_SUBJECTS + row->subject) * ROW_MEMO_AGES +
         (size_t)(row->age + 1);
    return &c->row_memo[at];
}

ps_status ps_match_row(ps_match_ctx *c, const ps_row_facts *row, ps_hit_fn fn, void *ud)
{
    const ps_matcher *m = c->m;
    const ps_record *saved = c->rec;
    struct row_verdict *v = row_slot(c, row);
    ps_status st = PS_OK;
    uint32_t held = 0;

    if (v != NULL && v->gen == c->row_gen) {
        for (uint32_t bits = v->held; bits != 0; bits &= bits - 1) {
            if (fn(ud, m->row_rules[__builtin_ctz(bits)], NULL) != 0)
                return PS_ERR_STOP;
        }
        return PS_OK;
    }
    c->rec = NULL; /* row rules see the row and the file, not a record */
    c->row = row;
    for (size_t i = 0; i < m->nrow; i++) {
        uint32_t r = m->row_rules[i];

        /* A chat line or a parent's row is no child: no walk of the child rules. */
        if (m->row_subject[i] != 0 && (row->subject & m->row_subject[i]) == 0)
            continue;
        if (eval(c, m->rs->rules[r].cond, 0)) {
            held |= i < 32 ? UINT32_C(1) << i : 0;
            if (fn(ud, r, NULL) != 0) {
                st = PS_ERR_STOP;
                break;
            }
        }
    }
    c->row = NULL;
    c->rec = saved;
    if (v != NULL && st == PS_OK) {
        v->gen = c->row_gen;
        v->held = held;
    }
    return st;
}

bool ps_match_path(const ps_match_ctx *c, uint32_t pattern)
{
    return pattern < c->m->rs->npatterns && bit_test(c->path_bits, pattern);
}

void ps_match_ctx_set_as_of(ps_match_ctx *c, int32_t day)
{
    c->as_of = day;
    verdicts_forget(c); /* OLDER_THAN verdicts depend on it */
}

int32_t ps_match_record_date(const ps_match_ctx *c)
{
    return c->date_done ? c->date : PS_DAY_NONE;
}

ps_status ps_match_rule_row(ps_match_ctx *c, uint32_t rule, const ps_file_facts *f,
                            const ps_row_facts *row, bool *matched)
{
    const ps_ruleset *rs = c->m->rs;

    *matched = false;
    if (rule >= rs->nrules)
        return PS_ERR_USAGE;
    ps_match_file_begin(c, f);
    c->row = row;
    *matched = eval(c, rs->rules[rule].cond, 0);
    c->row = NULL;
    return PS_OK;
}

/*
 * One rule against f and (record scope only) rec.  Resets the context's
 * per-file state.  Returns PS_ERR_USAGE for an unknown rule index.
 */
ps_status ps_match_rule(ps_match_ctx *c, uint32_t rule, const ps_file_facts *f,
                        const ps_record *rec, bool *matched)
{
    const ps_ruleset *rs = c->m->rs;
    const ps_rule *r;

    *matched = false;
    if (rule >= rs->nrules)
        return PS_ERR_USAGE;
    r = &rs->rules[rule];
    ps_match_file_begin(c, f);
    if (r->scope == PS_SCOPE_RECORD && rec != NULL)
        record_begin(c, rec);
    *matched = eval(c, r->cond, 0);
    c->in_record = false;
    return PS_OK;
}

/* --- evidence spans ---------------------------------------------------------------- */

/* Case-(in)sensitive search of needle in hay; SIZE_MAX when absent. */
static size_t find_literal(const char *hay, size_t n, const char *needle, size_t k,
                           bool caseless)
{
    if (k == 0 || k > n)
        return SIZE_MAX;
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;

        for (; j < k; j++) {
            unsigned char a = (unsigned char)hay[i + j], b = (unsigned char)needle[j];

            if (caseless) {
                if (a >= 'A' && a <= 'Z')
                    a = (unsigned char)(a + ('a' - 'A'));
                if (b >= 'A' && b <= 'Z')
                    b = (unsigned char)(b + ('a' - 'A'));
            }
            if (a != b)
                break;
        }
        if (j == k)
            return i;
    }
    return SIZE_MAX;
}

typedef enum span_result { SPAN_NONE, SPAN_FOUND, SPAN_WHOLE } span_result;

/*
 * Locate pattern pi in rec's value: its SOM database when it has one, a
 * plain search for a literal, else whatever the record's value bits (if
 * they belong to this record) say about whether it matched at all.
 */
static span_result span_of_pattern(ps_match_ctx *c, uint32_t pi, const ps_record *rec,
                                   size_t *start, size_t *end)
{
    const ps_matcher *m = c->m;
    const ps_pattern *p = &m->rs->patterns[pi];

    if (m->som[pi] != NULL) {
        som_out o = {false, 0, 0};

        scan(m->som[pi], c->scratch, rec->value, rec->value_len, on_som_match, &o);
        if (!o.found)
            return SPAN_NONE;
        *start = (size_t)o.from;
        *end = (size_t)o.to;
        return SPAN_FOUND;
    }
    if (p->flags & PS_PAT_LITERAL) {
        size_t k = strlen(p->expr);
        size_t at = find_literal(rec->value, rec->value_len, p->expr, k,
                                 (p->flags & PS_PAT_CASELESS) != 0);

        if (at == SIZE_MAX)
            return SPAN_NONE;
        *start = at;
        *end = at + k;
        return SPAN_FOUND;
    }
    if (c->in_record && c->rec == rec && value_known(c, pi) && !bit_test(c->value_bits, pi))
        return SPAN_NONE;
    return SPAN_WHOLE;
}

/*
 * Walk the tree under ci in order, trying conditions of kind want (VALUE or
 * KEYWORDS).  NOT subtrees are skipped: what they match did not make the
 * rule fire.
 */
static span_result span_walk(ps_match_ctx *c, uint32_t ci, ps_cond_kind want,
                             const ps_record *rec, size_t *start, size_t *end,
                             unsigned depth)
{
    const ps_ruleset *rs = c->m->rs;
    const ps_cond *k = &rs->conds[ci];
    span_result res;

    if (depth > EVAL_DEPTH_MAX)
        return SPAN_NONE;
    switch (k->kind) {
    case PS_COND_ALL:
    case PS_COND_ANY:
        for (uint32_t j = 0; j < k->count; j++) {
            res = span_walk(c, rs->children[k->first + j], want, rec, start, end, depth + 1);
            if (res != SPAN_NONE)
                return res;
        }
        return SPAN_NONE;
    case PS_COND_VALUE:
        if (want != PS_COND_VALUE)
            return SPAN_NONE;
        return span_of_pattern(c, k->pattern, rec, start, end);
    case PS_COND_KEYWORDS:
        if (want != PS_COND_KEYWORDS)
            return SPAN_NONE;
        for (uint32_t j = 0; j < k->npatterns; j++) {
            res = span_of_pattern(c, k->pattern + j, rec, start, end);
            if (res != SPAN_NONE)
                return res;
        }
        return SPAN_NONE;
    default:
        return SPAN_NONE;
    }
}

/*
 * Evidence for a finding: the leftmost(-longest) match of the rule's first
 * matching VALUE pattern, else of its first matching keyword, else the whole
 * value.  Does not disturb the current record's memoised state, so it may be
 * called from inside a hit callback.
 */
void ps_match_span(ps_match_ctx *c, uint32_t rule, const ps_record *rec,
                   size_t *start, size_t *end)
{
    const ps_ruleset *rs = c->m->rs;
    size_t s = 0, e = 0;
    span_result res;

    *start = 0;
    *end = rec != NULL ? rec->value_len : 0;
    if (rec == NULL || rule >= rs->nrules || rec->value == NULL || rec->value_len == 0)
        return;
    res = span_walk(c, rs->rules[rule].cond, PS_COND_VALUE, rec, &s, &e, 0);
    if (res == SPAN_NONE)
        res = span_walk(c, rs->rules[rule].cond, PS_COND_KEYWORDS, rec, &s, &e, 0);
    if (res == SPAN_FOUND && s <= e && e <= rec->value_len) {
        *start = s;
        *end = e;
    }
}

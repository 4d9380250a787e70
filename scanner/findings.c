/*
 * findings.c - per-file aggregation of hits into findings, the one
 * deterministic order of findings, and the list of per-file errors.
 *
 * Aggregation key, per file: (rule, key) where key is
 *   SQLite / SQL dump cell     "table\0column"
 *   JSONL value                its JSON pointer with every all-digit
 *                              segment replaced by "*", so "/messages/3/body"
 *                              and "/messages/7/body" share one finding
 *   CSV value                  the column
 *   text line, file-scope hit  "" (one finding per rule per file)
 * A one-byte kind tag is prefixed to non-empty keys so that, say, a CSV
 * column named "/a" can never meet a JSON pointer "/a".
 *
 * The table is bounded: past PS_AGG_MAX_KEYS distinct keys in one file, new
 * keys fold into one overflow finding per rule, located at the whole file,
 * so a hostile file with a million columns costs counts, not memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "redact.h"
#include "util.h"

#define PS_AGG_MAX_KEYS 65536u
#define PS_AGG_MAX_KEY_LEN (64u * 1024u)
#define PS_EVIDENCE_MAX 60  /* bytes of redacted evidence kept */
#define PS_VALUE_MAX 200    /* bytes of raw value kept with show_values */
#define PS_REDACT_BUF_MAX 4096

/*
 * The last place each (rule, field) was counted, in a slot chosen by the
 * rule and a sketch of the field name (memo_slot): a column hit on row after
 * row finds its finding with a few string compares instead of building,
 * hashing and probing its key, even when the same rule fires in several
 * columns of a row (first and last names).  The key is a function of (kind,
 * table, column, pointer), so equal strings mean the same finding; a slot
 * shared by two places only costs a miss.  Strings longer than MEMO_STR are
 * simply not remembered.  A record with a field id (read.h) is known by the
 * id and its file's path instead, without comparing a string.
 */
#define MEMO_SLOTS 256u
#define MEMO_STR 64u

typedef struct hit_memo {
    bool used;
    uint32_t rule;
    ps_loc_kind kind;
    uint32_t field_id;         /* the record's, and ... */
    const char *path;          /* ... its file's path (the pointer) */
    size_t finding;
    signed char has[3];        /* table, column, pointer: 1 set, 0 NULL */
    char str[3][MEMO_STR];
} hit_memo;

typedef struct agg_slot {
    char *key;      /* owned; NULL marks an empty slot */
    size_t keylen;
    uint32_t rule;
    uint64_t hash;
    size_t finding; /* index into cur */
} agg_slot;

struct ps_agg {
    bool show_values;
    ps_findings cur;  /* this file's findings, first-seen order */
    agg_slot *slots;  /* open addressing, linear probing */
    size_t nslots;    /* 0 or a power of two */
    size_t nkeys;
    size_t last;      /* finding created by the last hit, or SIZE_MAX */
    size_t hit;       /* finding counted by the last hit, or SIZE_MAX */
    ps_buf key;       /* scratch for building a key */
    hit_memo memo[MEMO_SLOTS];
};

/* --- findings and errors -------------------------------------------------- */

void ps_finding_free(ps_finding *f)
{
    if (f == NULL)
        return;
    free(f->path);
    free(f->table);
    free(f->column);
    free(f->pointer);
    free(f->inner);
    free(f->evidence);
    free(f->value);
    memset(f, 0, sizeof(*f));
}

void ps_findings_free(ps_findings *fs)
{
    if (fs == NULL)
        return;
    for (size_t i = 0; i < fs->n; i++)
        ps_finding_free(&fs->items[i]);
    free(fs->items);
    fs->items = NULL;
    fs->n = fs->cap = 0;
}

ps_status ps_findings_move(ps_findings *dst, ps_findings *src)
{
    if (src->n == 0)
        return PS_OK;
    if (ps_grow(&dst->items, &dst->cap, dst->n + src->n, sizeof(ps_finding)) != PS_OK)
        return PS_ERR_NOMEM;
    memcpy(dst->items + dst->n, src->items, src->n * sizeof(ps_finding));
    dst->n += src->n;
    free(src->items);
    src->items = NULL;
    src->n = src->cap = 0;
    return PS_OK;
}

/* NULL sorts before any string. */
static int cmp_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)
#define CMP_STR(a, b) do { int c_ = cmp_str((a), (b)); if (c_ != 0) return c_; } while (0)

/*
 * The total order of ps_findings_sort.  Fields past the documented ones
 * (rule index, kind, evidence, value, count) only break ties that the
 * documented ones leave, so equal findings are exactly identical ones.
 */
static int finding_cmp(const ps_finding *a, const ps_finding *b, const ps_ruleset *rs)
{
    const ps_rule *ra = a->rule < rs->nrules ? &rs->rules[a->rule] : NULL;
    const ps_rule *rb = b->rule < rs->nrules ? &rs->rules[b->rule] : NULL;
    int ca = ra != NULL ? (int)ra->category : PS_CAT_COUNT;
    int cb = rb != NULL ? (int)rb->category : PS_CAT_COUNT;

    CMP(b->severity, a->severity);
    CMP(ca, cb);
    CMP_STR(ra != NULL ? ra->id : NULL, rb != NULL ? rb->id : NULL);
    CMP(a->rule, b->rule);
    CMP_STR(a->path, b->path);
    CMP(a->line, b->line);
    CMP_STR(a->table, b->table);
    CMP_STR(a->column, b->column);
    CMP(a->row, b->row);
    CMP_STR(a->pointer, b->pointer);
    CMP(a->loc_kind, b->loc_kind);
    CMP_STR(a->evidence, b->evidence);
    CMP_STR(a->value, b->value);
    CMP(a->count, b->count);
    return 0;
}

static void finding_swap(ps_finding *a, ps_finding *b)
{
    ps_finding t = *a;

    *a = *b;
    *b = t;
}

static void sift_down(ps_finding *v, size_t root, size_t n, const ps_ruleset *rs)
{
    for (;;) {
        size_t child = 2 * root + 1;

        if (child >= n)
            return;
        if (child + 1 < n && finding_cmp(&v[child], &v[child + 1], rs) < 0)
            child++;
        if (finding_cmp(&v[root], &v[child], rs) >= 0)
            return;
        finding_swap(&v[root], &v[child]);
        root = child;
    }
}

/*
 * Heapsort rather than qsort: the comparison needs the rule set, qsort has
 * no context argument (qsort_r differs between glibc and BSD), and sorting
 * must not allocate.  Stability is moot since the order is total.
 */
void ps_findings_sort(ps_findings *fs, const ps_ruleset *rs)
{
    size_t n = fs->n;

    if (n < 2)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(fs->items, i, n, rs);
    for (size_t end = n - 1; end > 0; end--) {
        finding_swap(&fs->items[0], &fs->items[end]);
        sift_down(fs->items, 0, end, rs);
    }
}

ps_status ps_errors_add(ps_errors *es, const char *path, const char *message)
{
    char *p, *m;

    if (ps_grow(&es->items, &es->cap, es->n + 1, sizeof(ps_file_error)) != PS_OK)
        return PS_ERR_NOMEM;
    p = ps_strdup(path != NULL ? path : "");
    m = ps_strdup(message != NULL ? message : "");
    if (p == NULL || m == NULL) {
        free(p);
        free(m);
        return PS_ERR_NOMEM;
    }
    es->items[es->n].path = p;
    es->items[es->n].message = m;
    es->n++;
    return PS_OK;
}

void ps_errors_free(ps_errors *es)
{
    if (es == NULL)
        return;
    for (size_t i = 0; i < es->n; i++) {
        free(es->items[i].path);
        free(es->items[i].message);
    }
    free(es->items);
    es->items = NULL;
    es->n = es->cap = 0;
}

static int error_cmp(const void *pa, const void *pb)
{
    const ps_file_error *a = pa, *b = pb;
    int c = strcmp(a->path, b->path);

    return c != 0 ? c : strcmp(a->message, b->message);
}

void ps_errors_sort(ps_errors *es)
{
    if (es->n > 1)
        qsort(es->items, es->n, sizeof(ps_file_error), error_cmp);
}

/* --- aggregation ------------------------------------------------------------ */

ps_status ps_agg_create(bool show_values, ps_agg **out)
{
    ps_agg *a = ps_calloc_line(sizeof(*a)); /* a worker's: written on every hit */

    *out = NULL;
    if (a == NULL)
        return PS_ERR_NOMEM;
    a->show_values = show_values;
    a->last = SIZE_MAX;
    a->hit = SIZE_MAX;
    ps_buf_init(&a->key, PS_AGG_MAX_KEY_LEN);
    *out = a;
    return PS_OK;
}

static void agg_clear_table(ps_agg *a)
{
    for (size_t i = 0; i < a->nslots; i++) {
        free(a->slots[i].key);
        a->slots[i].key = NULL;
    }
    a->nkeys = 0;
}

void ps_agg_destroy(ps_agg *a)
{
    if (a == NULL)
        return;
    agg_clear_table(a);
    free(a->slots);
    ps_findings_free(&a->cur);
    ps_buf_free(&a->key);
    free(a);
}

/* FNV-1a over the rule index and the key bytes. */
static uint64_t key_hash(uint32_t rule, const char *key, size_t len)
{
    uint64_t h = PS_FNV_BASIS;

    for (int i = 0; i < 4; i++) {
        h ^= (rule >> (8 * i)) & 0xffu;
        h *= PS_FNV_PRIME;
    }
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= PS_FNV_PRIME;
    }
    return h;
}

/* The slot holding (rule, key), or the empty slot where it would go. */
static agg_slot *agg_probe(ps_agg *a, uint32_t rule, const char *key, size_t len, uint64_t h)
{
    size_t mask = a->nslots - 1;

    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        agg_slot *s = &a->slots[i];

        if (s->key == NULL)
            return s;
        if (s->hash == h && s->rule == rule && s->keylen == len &&
            memcmp(s->key, key, len) == 0)
            return s;
    }
}

/* Keep the load factor under 3/4 so probing always ends at an empty slot. */
static ps_status agg_reserve(ps_agg *a)
{
    agg_slot *old = a->slots, *slots;
    size_t oldn = a->nslots, n;

    if (a->nslots != 0 && (a->nkeys + 1) * 4 < a->nslots * 3)
        return PS_OK;
    n = a->nslots ? a->nslots * 2 : 64;
    slots = calloc(n, sizeof(*slots));
    if (slots == NULL)
        return PS_ERR_NOMEM;
    a->slots = slots;
    a->nslots = n;
    for (size_t i = 0; i < oldn; i++) {
        if (old[i].key != NULL)
            *agg_probe(a, old[i].rule, old[i].key, old[i].keylen, old[i].hash) = old[i];
    }
    free(old);
    return PS_OK;
}

/* Append the pointer with all-digit segments (array indices) replaced by '*'. */
static ps_status key_pointer(ps_buf *b, const char *p)
{
    ps_status st = PS_OK;

    while (*p != '\0' && st == PS_OK) {
        size_t seg, digits = 0;

        if (*p == '/') {
            st = ps_buf_putc(b, '/');
            p++;
            continue;
        }
        seg = strcspn(p, "/");
        while (digits < seg && p[digits] >= '0' && p[digits] <= '9')
            digits++;
        if (digits == seg)
            st = ps_buf_putc(b, '*');
        else
            st = ps_buf_append(b, p, seg);
        p += seg;
    }
    return st;
}

/* Build the aggregation key of rec in a->key (see the file comment). */
static ps_status agg_key(ps_agg *a, const ps_record *rec)
{
    ps_buf *b = &a->key;
    ps_status st;

    ps_buf_reset(b);
    if (rec == NULL)
        return PS_OK;
    if (rec->loc.kind == PS_LOC_CELL) {
        const char *t = rec->loc.table ? rec->loc.table : "";
        const char *c = rec->loc.column ? rec->loc.column : "";

        st = ps_buf_putc(b, 'C');
        if (st == PS_OK)
            st = ps_buf_append(b, t, strlen(t) + 1);
        if (st == PS_OK)
            st = ps_buf_append(b, c, strlen(c));
        return st;
    }
    if (rec->loc.pointer != NULL) {
        st = ps_buf_putc(b, 'P');
        return st == PS_OK ? key_pointer(b, rec->loc.pointer) : st;
    }
    if (rec->loc.kind == PS_LOC_LINE && rec->loc.column != NULL) {
        st = ps_buf_putc(b, 'L');
        return st == PS_OK ? ps_buf_append(b, rec->loc.column, strlen(rec->loc.column)) : st;
    }
    return PS_OK;
}

static ps_status dup_opt(const char *s, char **out)
{
    *out = NULL;
    if (s == NULL)
        return PS_OK;
    *out = ps_strdup(s);
    return *out != NULL ? PS_OK : PS_ERR_NOMEM;
}

/* A new finding at the end of a->cur, located at rec (or the whole file when whole_file). */
static ps_status agg_new_finding(ps_agg *a, uint32_t rule, ps_severity sev, const char *path,
                                 const ps_record *rec, bool whole_file)
{
    ps_finding f;
    ps_status st;

    memset(&f, 0, sizeof(f));
    if (ps_grow(&a->cur.items, &a->cur.cap, a->cur.n + 1, sizeof(ps_finding)) != PS_OK)
        return PS_ERR_NOMEM;
    f.rule = rule;
    f.severity = sev;
    f.count = 1;
    f.oldest = INT32_MIN;
    f.loc_kind = PS_LOC_NONE;
    st = dup_opt(path != NULL ? path : "", &f.path);
    if (st == PS_OK)
        st = dup_opt("", &f.evidence);
    if (st == PS_OK && rec != NULL && !whole_file) {
        f.loc_kind = rec->loc.kind;
        f.line = rec->loc.line;
        f.row = rec->loc.row;
        st = dup_opt(rec->loc.table, &f.table);
        if (st == PS_OK)
            st = dup_opt(rec->loc.column, &f.column);
        if (st == PS_OK)
            st = dup_opt(rec->loc.pointer, &f.pointer);
    }
    if (st != PS_OK) {
        ps_finding_free(&f);
        return st;
    }
    a->cur.items[a->cur.n++] = f;
    return PS_OK;
}

static void memo_clear(ps_agg *a)
{
    for (size_t i = 0; i < MEMO_SLOTS; i++)
        a->memo[i].used = false;
}

static bool memo_str_eq(const hit_memo *m, int k, const char *s)
{
    return s == NULL ? m->has[k] == 0 : m->has[k] == 1 && strcmp(m->str[k], s) == 0;
}

/*
 * Rule and field id, or rule and the field name's length, first and last
 * byte: cheap, and apart for most columns.
 */
static inline size_t memo_slot(uint32_t rule, const ps_record *rec)
{
    size_t n;
    unsigned first, last;

    if (rec->field_id != 0)
        return (rule * 31u + rec->field_id) % MEMO_SLOTS;
    n = rec->field != NULL ? rec->field_len : 0;
    first = n > 0 ? (unsigned char)rec->field[0] : 0;
    last = n > 0 ? (unsigned char)rec->field[n - 1] : 0;
    return (rule * 31u + n * 7u + first * 3u + last) % MEMO_SLOTS;
}

/* The finding rec's key (in the file at path) maps to for rule, if the memo knows; else SIZE_MAX. */
static inline size_t memo_find(const ps_agg *a, uint32_t rule, const char *path,
                               const ps_record *rec)
{
    const hit_memo *m = &a->memo[memo_slot(rule, rec)];

    if (!m->used || m->rule != rule || m->kind != rec->loc.kind)
        return SIZE_MAX;
    /* One file's field id names one table, column and pointer (read.h). */
    if (rec->field_id != 0 && m->field_id == rec->field_id && m->path == path)
        return m->finding;
    if (!memo_str_eq(m, 0, rec->loc.table) || !memo_str_eq(m, 1, rec->loc.column) ||
        !memo_str_eq(m, 2, rec->loc.pointer))
        return SIZE_MAX;
    return m->finding;
}

static void memo_put(ps_agg *a, uint32_t rule, const char *path, const ps_record *rec,
                     size_t finding)
{
    hit_memo *m = &a->memo[memo_slot(rule, rec)];
    const char *s[3] = { rec->loc.table, rec->loc.column, rec->loc.pointer };

    m->used = false;
    for (int k = 0; k < 3; k++) {
        size_t n = s[k] != NULL ? strlen(s[k]) : 0;

        if (n >= MEMO_STR)
            return;
        m->has[k] = s[k] != NULL;
        if (s[k] != NULL)
            memcpy(m->str[k], s[k], n + 1);
    }
    m->rule = rule;
    m->kind = rec->loc.kind;
    m->field_id = rec->field_id;
    m->path = path;
    m->finding = finding;
    m->used = true;
}

/*
 * ps_agg_hit when the memo did not know the place: build the key, probe,
 * and make a new finding if need be.  Out of line, so that a hit the memo
 * knows (most of them: a column hits row after row) does not pay for this
 * function's frame.
 */
static PS_NOINLINE ps_status agg_hit_slow(ps_agg *a, uint32_t rule, ps_severity sev,
                                          const char *path, const ps_record *rec, bool *fresh)
{
    const char *key = "";
    size_t len = 0;
    bool overflow = false;
    uint64_t h;
    agg_slot *slot;
    ps_status st;

    st = agg_key(a, rec);
    if (st == PS_ERR_NOMEM)
        return st;
    if (st == PS_OK) {
        key = ps_buf_cstr(&a->key);
        len = a->key.len;
    } else {
        overflow = true;
    }
    st = agg_reserve(a);
    if (st != PS_OK)
        return st;
    h = key_hash(rule, key, len);
    slot = agg_probe(a, rule, key, len, h);
    if (slot->key == NULL && len > 0 && a->nkeys >= PS_AGG_MAX_KEYS) {
        overflow = true;
        key = "";
        len = 0;
        h = key_hash(rule, key, len);
        slot = agg_probe(a, rule, key, len, h);
    }
    if (slot->key != NULL) {
        a->cur.items[slot->finding].count++;
        a->hit = slot->finding;
        if (rec != NULL)
            memo_put(a, rule, path, rec, slot->finding);
        return PS_OK;
    }
    /* New key: overflow keys are at most one per rule, so the cap still bounds memory. */
    slot->key = ps_strndup(key, len);
    if (slot->key == NULL)
        return PS_ERR_NOMEM;
    st = agg_new_finding(a, rule, sev, path, rec, overflow);
    if (st != PS_OK) {
        free(slot->key);
        slot->key = NULL;
        return st;
    }
    slot->keylen = len;
    slot->rule = rule;
    slot->hash = h;
    slot->finding = a->cur.n - 1;
    a->nkeys++;
    a->last = a->cur.n - 1;
    a->hit = a->last;
    *fresh = true;
    if (rec != NULL)
        memo_put(a, rule, path, rec, a->last);
    return PS_OK;
}

/*
 * Count one hit (see findings.h).  Fails only with PS_ERR_NOMEM; a key too
 * long or one past the distinct-key cap goes to the rule's overflow finding.
 */
ps_status ps_agg_hit(ps_agg *a, uint32_t rule, ps_severity sev, const char *path,
                     const ps_record *rec, bool *fresh)
{
    *fresh = false;
    a->last = SIZE_MAX;
    a->hit = SIZE_MAX;
    if (rec != NULL) {
        size_t f = memo_find(a, rule, path, rec);

        if (f != SIZE_MAX) {
            a->cur.items[f].count++;
            a->hit = f;
            return PS_OK;
        }
    }
    return agg_hit_slow(a, rule, sev, path, rec, fresh);
}

/*
 * Fold one finding made elsewhere into a, as ps_agg_hit would have counted
 * its hits: a new key takes the finding whole (its first location and
 * evidence), a known key adds the count and keeps the older date.  *f is
 * consumed either way.
 */
static ps_status agg_absorb_one(ps_agg *a, ps_finding *f)
{
    ps_record rec;
    const char *key = "";
    size_t len = 0;
    uint64_t h;
    agg_slot *slot;
    ps_status st;

    memset(&rec, 0, sizeof(rec));
    rec.loc.kind = f->loc_kind;
    rec.loc.table = f->table;
    rec.loc.column = f->column;
    rec.loc.pointer = f->pointer;
    st = agg_key(a, &rec);
    if (st == PS_ERR_NOMEM)
        goto fail;
    if (st == PS_OK) {
        key = ps_buf_cstr(&a->key);
        len = a->key.len;
    }
    st = agg_reserve(a);
    if (st != PS_OK)
        goto fail;
    h = key_hash(f->rule, key, len);
    slot = agg_probe(a, f->rule, key, len, h);
    if (slot->key == NULL && len > 0 && a->nkeys >= PS_AGG_MAX_KEYS) {
        /* Past the cap: the rule's whole-file overflow finding, as in ps_agg_hit. */
        free(f->table);
        free(f->column);
        free(f->pointer);
        f->table = f->column = f->pointer = NULL;
        f->loc_kind = PS_LOC_NONE;
        f->line = 0;
        f->row = 0;
        key = "";
        len = 0;
        h = key_hash(f->rule, key, len);
        slot = agg_probe(a, f->rule, key, len, h);
    }
    if (slot->key != NULL) {
        ps_finding *g = &a->cur.items[slot->finding];

        g->count += f->count;
        if (f->oldest != INT32_MIN && (g->oldest == INT32_MIN || f->oldest < g->oldest))
            g->oldest = f->oldest;
        ps_finding_free(f);
        return PS_OK;
    }
    if (ps_grow(&a->cur.items, &a->cur.cap, a->cur.n + 1, sizeof(ps_finding)) != PS_OK)
        goto nomem;
    slot->key = ps_strndup(key, len);
    if (slot->key == NULL)
        goto nomem;
    slot->keylen = len;
    slot->rule = f->rule;
    slot->hash = h;
    slot->finding = a->cur.n;
    a->cur.items[a->cur.n++] = *f;
    a->nkeys++;
    memset(f, 0, sizeof(*f));
    return PS_OK;
nomem:
    st = PS_ERR_NOMEM;
fail:
    ps_finding_free(f);
    return st;
}

ps_status ps_agg_absorb(ps_agg *a, ps_findings *src)
{
    ps_status st = PS_OK;

    memo_clear(a); /* absorbing moves findings the memo does not see */
    a->last = SIZE_MAX;
    a->hit = SIZE_MAX;
    for (size_t i = 0; i < src->n; i++) {
        if (st == PS_OK)
            st = agg_absorb_one(a, &src->items[i]);
        else
            ps_finding_free(&src->items[i]);
    }
    src->n = 0;
    return st;
}

void ps_agg_note_date(ps_agg *a, int32_t day)
{
    ps_finding *f;

    if (a->hit == SIZE_MAX || a->hit >= a->cur.n || day == INT32_MIN)
        return;
    f = &a->cur.items[a->hit];
    if (f->oldest == INT32_MIN || day < f->oldest)
        f->oldest = day;
}

/* The largest cut <= max that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    size_t cut;

    if (n <= max)
        return n;
    cut = max;
    /* Back up over continuation bytes, at most 3 (a longer run is invalid anyway). */
    for (int k = 0; k < 3 && cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80; k++)
        cut--;
    return cut;
}

/*
 * Set the evidence of the finding created by the last ps_agg_hit: the
 * redacted text, cut to PS_EVIDENCE_MAX bytes, and with show_values the raw
 * text cut to PS_VALUE_MAX bytes with control characters made spaces (so a
 * value is always one line).  A no-op when the last hit created nothing.
 */
ps_status ps_agg_set_evidence(ps_agg *a, const char *text, size_t len)
{
    ps_finding *f;
    ps_buf red;
    char *ev = NULL, *val = NULL;
    ps_status st;

    if (a->last == SIZE_MAX || a->last >= a->cur.n)
        return PS_OK;
    f = &a->cur.items[a->last];
    ps_buf_init(&red, PS_REDACT_BUF_MAX);
    st = ps_redact(text != NULL ? text : "", text != NULL ? len : 0, &red);
    if (st != PS_OK)
        goto cleanup;
    ev = ps_strndup(ps_buf_cstr(&red), utf8_cut(ps_buf_cstr(&red), red.len, PS_EVIDENCE_MAX));
    if (ev == NULL) {
        st = PS_ERR_NOMEM;
        goto cleanup;
    }
    if (a->show_values && text != NULL) {
        size_t n = utf8_cut(text, len, PS_VALUE_MAX);

        val = ps_strndup(text, n);
        if (val == NULL) {
            st = PS_ERR_NOMEM;
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++) {
            if ((unsigned char)val[i] < 0x20 || (unsigned char)val[i] == 0x7f)
                val[i] = ' ';
        }
    }
    free(f->evidence);
    free(f->value);
    f->evidence = ev;
    f->value = val;
    ev = val = NULL;
cleanup:
    free(ev);
    free(val);
    ps_buf_free(&red);
    return st;
}

ps_status ps_agg_take(ps_agg *a, ps_findings *out)
{
    ps_status st = ps_findings_move(out, &a->cur);

    if (st != PS_OK)
        return st;
    agg_clear_table(a);
    memo_clear(a);
    a->last = SIZE_MAX;
    a->hit = SIZE_MAX;
    ps_buf_reset(&a->key);
    return PS_OK;
}

/*
 * people.c - rows, subjects, ages, linkage and the impact count.
 *
 * See people.h for the model.  The costs that matter at VTech scale (11
 * million rows) are kept per record to a few loads and bit tests: a
 * field's roles (birthdate, identifying, link, ...) are cached per file by
 * field id (else by name hash), a row keeps a mask of the roles it still
 * wants, and only the values of columns it wants are looked at.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "detect.h"
#include "people.h"
#include "util.h"
#include "walk.h"

/* Roles a column can play, from the `subjects` section. */
enum {
    ROLE_BIRTH = 1u << 0,
    ROLE_IDENT = 1u << 1,
    ROLE_CREATED = 1u << 2,
    ROLE_LINK = 1u << 3,
    ROLE_PKEY = 1u << 4,
    ROLE_CONTACT = 1u << 5,
    ROLE_COUNTRY = 1u << 6
};

#define ROLE_CACHE 64u        /* field names remembered per file (power of two) */
#define NAME_MAX_KEPT 256u    /* longest table name kept for row identity */
#define MINOR_DEFAULT 18u     /* when the rules define no `minor` age */
#define EXPOSED_BIT (1u << 16)

#define ROLE_NAME 48u         /* longest field name the role cache keeps */

typedef struct role_slot {
    uint64_t hash;
    uint32_t len;
    uint32_t roles;
    bool used;
    char name[ROLE_NAME]; /* compared, so a hash collision cannot swap roles */
} role_slot;

/* What one file (or, once merged, one store) contributes to the impact. */
struct ps_people_part {
    char *store;
    bool folder;          /* a folder store: merged with its siblings later */
    bool resolved;        /* only counts left (part_resolve ran) */
    size_t ncountry;      /* country groups + 1: the last slot is "Unknown" */
    uint64_t *parents;    /* [ncountry] exposed parents counted directly */
    uint64_t *children;   /* [ncountry] children counted directly */
    uint64_t *pkey;       /* parents with a key, to dedupe and link */
    uint32_t *pmeta;      /* country | EXPOSED_BIT */
    size_t np, capp;
    uint64_t *clink;      /* children that take their country from a parent */
    size_t nc, capc;
};

/*
 * Roles a row starts out wanting.  A row of a table that is not a parent
 * table can never be counted as a parent (finish_row), so its contact and
 * parent-key columns are not looked at.
 */
#define ROLES_ALL (ROLE_BIRTH | ROLE_IDENT | ROLE_CREATED | ROLE_LINK | ROLE_PKEY | \
                   ROLE_CONTACT | ROLE_COUNTRY)
#define ROLES_PARENT_ONLY (ROLE_PKEY | ROLE_CONTACT)

/*
 * A creation date is only used for the age at creation, so it is parsed
 * only in rows that have a birthdate.  When it comes before the birthdate
 * its bytes are kept, up to this many (longer values are parsed at once).
 */
#define CREATED_KEPT 40u

typedef struct row_state {
    bool open;
    /*
     * The roles the row still wants a value for (ROLE_*): a bit is cleared
     * when its column gave one (the first usable value wins), so a role
     * that is set costs one test, and the row's facts need no flags: a
     * bit still set means "none".  Set whole at row_open, so that opening
     * a row writes a few words instead of clearing the struct.
     */
    uint32_t need;
    int64_t row;          /* CELL row, or the line of a CSV / JSONL row */
    ps_loc loc;
    bool birth_ambiguous;
    bool created_pending; /* created_raw holds the row's first creation date, unparsed */
    int32_t birth, birth_alt, created;
    int country;
    uint64_t link, pkey;
    uint32_t tmask;       /* PS_SUBJECT_* of the table */
    /* A name too long to keep whole is kept cut, with its length and hash. */
    uint32_t tab;         /* the table's number in tabs[], 0 when it has none */
    size_t table_len;
    uint64_t table_hash;  /* of the whole name, when table_len >= NAME_MAX_KEPT */
    char table[NAME_MAX_KEPT];
    uint8_t created_len;
    char created_raw[CREATED_KEPT];
} row_state;

/* A table (or file stem) seen in this file, with its PS_SUBJECT_* mask. */
typedef struct people_tab {
    char name[NAME_MAX_KEPT];
    uint32_t mask;
} people_tab;

#define PEOPLE_TABS 32u       /* tables numbered per file; others are compared by name */
#define FID_KNOWN (1u << 31)  /* fid_roles: the entry is set */

/*
 * Country values repeat ("us", "FR", "Belgique"); the rule set's lookup
 * walks every alias with a case-folding compare (about 800 instructions).
 * Answers are kept, by value, for values up to COUNTRY_KEY bytes, in a
 * direct-mapped table hashed on every byte: a store spells its countries a
 * few dozen ways (81 in the benchmark's parents.csv, with a few city names),
 * and 32 slots hashed on the length and the end bytes missed on a third of
 * its rows.  A value is kept as two zero-padded words (and its length, for
 * values with NUL bytes), so a lookup is a multiply and a few compares.
 */
#define COUNTRY_MEMO_BITS 9
#define COUNTRY_MEMO (1u << COUNTRY_MEMO_BITS)
#define COUNTRY_KEY 15u

typedef struct country_memo {
    uint64_t key[2];      /* the value's bytes, zero-padded */
    int country;
    uint8_t len;          /* 0: an empty slot (empty values are not kept) */
} country_memo;

struct ps_people {
    const ps_matcher *m;
    const ps_ruleset *rs;
    int32_t as_of;
    unsigned minor;
    ps_match_ctx *ctx;
    bool active;          /* the current file can hold rows of people */
    bool cells;           /* rows are (table, row); else lines */
    char stem[NAME_MAX_KEPT];
    uint32_t table_mask;  /* PS_SUBJECT_* of the current table */
    char mask_table[NAME_MAX_KEPT];
    bool mask_valid;
    role_slot roles[ROLE_CACHE];
    /*
     * By field id (read.h), for this file: the field's roles | FID_KNOWN,
     * and its table's number in tabs[] (0: none).  A cell with an id costs
     * two loads here instead of a name hash and a table compare.
     */
    uint32_t fid_roles[PS_FIELD_IDS];
    uint8_t fid_tab[PS_FIELD_IDS];
    people_tab tabs[PEOPLE_TABS];
    uint32_t ntabs;
    uint32_t stem_tab;    /* non-cell files: the stem's number, 0 until known */
    country_memo countries[COUNTRY_MEMO];
    row_state row;
    ps_people_part *part;
};

static bool country_memo_is(const country_memo *m, const uint64_t k[2], size_t n)
{
    return m->len == n && m->key[0] == k[0] && m->key[1] == k[1];
}

/* ps_ruleset_country, remembered for short values (the rule set never changes). */
static int country_of(ps_people *p, const char *v, size_t n)
{
    uint64_t k[2] = {0, 0};
    country_memo *m;
    uint64_t h;

    if (n == 0 || n > COUNTRY_KEY)
        return ps_ruleset_country(p->rs, v, n);
    memcpy(k, v, n);
    /*
     * The top bits of a product pick a pair of slots.  A product's top bits
     * follow the low bits of what is multiplied more than its high bits,
     * so the high half is folded onto the low half first ("Belgique" and
     * "Belgium" differ only there).  Two values that pick the same pair
     * both stay (the newer first).
     */
    h = k[0] ^ (k[1] * UINT64_C(0xC2B2AE3D27D4EB4F));
    h = (h ^ (h >> 32)) * UINT64_C(0x9E3779B97F4A7C15);
    m = &p->countries[(h >> (64 - COUNTRY_MEMO_BITS)) & ~(uint64_t)1];
    if (country_memo_is(&m[0], k, n))
        return m[0].country;
    if (country_memo_is(&m[1], k, n))
        return m[1].country;
    m[1] = m[0];
    m[0].country = ps_ruleset_country(p->rs, v, n);
    m[0].key[0] = k[0];
    m[0].key[1] = k[1];
    m[0].len = (uint8_t)n;
    return m[0].country;
}

/* --- parts ----------------------------------------------------------------- */

void ps_people_part_free(ps_people_part *part)
{
    if (part == NULL)
        return;
    free(part->store);
    free(part->parents);
    free(part->children);
    free(part->pkey);
    free(part->pmeta);
    free(part->clink);
    free(part);
}

static ps_people_part *part_new(const char *store, size_t ncountry, bool folder)
{
    ps_people_part *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return NULL;
    p->store = ps_strdup(store);
    p->ncountry = ncountry;
    p->folder = folder;
    p->parents = calloc(ncountry, sizeof(uint64_t));
    p->children = calloc(ncountry, sizeof(uint64_t));
    if (p->store == NULL || p->parents == NULL || p->children == NULL) {
        ps_people_part_free(p);
        return NULL;
    }
    return p;
}

/*
 * Sort the parallel parent arrays by key, in place: an MSD radix sort
 * ("American flag" sort), no extra memory beyond 6 KiB of counts per level.
 * The heapsort it replaced cost about 500 instructions a parent, and
 * jumped across the whole array on every step; this makes one counting and
 * one permuting pass per byte, from the highest byte in which the keys
 * differ (ids are small numbers: their high bytes are all zero).  Equal
 * keys may come out in any order: part_resolve merges them whatever the
 * order.
 */
#define SORT_SMALL 32u

static void sort_small(uint64_t *k, uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t tk = k[i];
        uint32_t tv = v[i];
        size_t j = i;

        for (; j > 0 && k[j - 1] > tk; j--) {
            k[j] = k[j - 1];
            v[j] = v[j - 1];
        }
        k[j] = tk;
        v[j] = tv;
    }
}

static void sort_radix(uint64_t *k, uint32_t *v, size_t n, unsigned shift)
{
    size_t count[256] = {0}, next[256], end[256], at = 0;

    for (size_t i = 0; i < n; i++)
        count[(k[i] >> shift) & 0xffu]++;
    for (unsigned b = 0; b < 256; b++) {
        next[b] = at;
        at += count[b];
        end[b] = at;
    }
    /* Cycle leader: take the key at the head of an unfinished bucket to its own. */
    for (unsigned b = 0; b < 256; b++) {
        while (next[b] < end[b]) {
            uint64_t tk = k[next[b]];
            uint32_t tv = v[next[b]];
            unsigned d = (unsigned)((tk >> shift) & 0xffu);

            while (d != b) {
                size_t j = next[d]++;
                uint64_t sk = k[j];
                uint32_t sv = v[j];

                k[j] = tk;
                v[j] = tv;
                tk = sk;
                tv = sv;
                d = (unsigned)((tk >> shift) & 0xffu);
            }
            k[next[b]] = tk;
            v[next[b]] = tv;
            next[b]++;
        }
    }
    if (shift == 0)
        return;
    for (unsigned b = 0; b < 256; b++) {
        size_t lo = end[b] - count[b];

        if (count[b] > SORT_SMALL)
            sort_radix(k + lo, v + lo, count[b], shift - 8);
        else if (count[b] > 1)
            sort_small(k + lo, v + lo, count[b]);
    }
}

static void sort_parents(uint64_t *k, uint32_t *v, size_t n)
{
    uint64_t diff = 0;
    unsigned top = 0;
    bool sorted = true;

    if (n <= SORT_SMALL) {
        sort_small(k, v, n);
        return;
    }
    /* Exports list their rows by id, so the keys often come sorted already. */
    for (size_t i = 1; i < n; i++) {
        diff |= k[i] ^ k[0];
        sorted &= k[i - 1] <= k[i];
    }
    if (diff == 0 || sorted)
        return; /* one key, or nothing to do */
    while ((diff >> top) > 0xffu)
        top += 8;
    sort_radix(k, v, n, top);
}

/*
 * Resolve a part: dedupe parents by key (a key seen in several rows is one
 * parent, exposed if any of its rows is, in the lowest-numbered country any
 * row gives -- "Unknown" is the highest, so a known country wins, and the
 * choice does not depend on row order), count them, then give each linked
 * child its parent's country.  The arrays are freed afterwards.
 */
static void part_resolve(ps_people_part *p)
{
    size_t unknown = p->ncountry - 1, w = 0;
    bool dense;

    sort_parents(p->pkey, p->pmeta, p->np);
    for (size_t i = 0; i < p->np; i++) {
        if (w > 0 && p->pkey[w - 1] == p->pkey[i]) {
            uint32_t ca = p->pmeta[w - 1] & 0xffffu, cb = p->pmeta[i] & 0xffffu;
            p->pmeta[w - 1] = (ca < cb ? ca : cb) |
                              ((p->pmeta[w - 1] | p->pmeta[i]) & EXPOSED_BIT);
            continue;
        }
        p->pkey[w] = p->pkey[i];
        p->pmeta[w] = p->pmeta[i];
        w++;
    }
    p->np = w;
    for (size_t i = 0; i < p->np; i++) {
        if (p->pmeta[i] & EXPOSED_BIT)
            p->parents[p->pmeta[i] & 0xffffu]++;
    }
    /*
     * Ids numbered without gaps (keys first .. first + np - 1, as exports
     * and autoincrement tables give) are found by subtraction; others by
     * binary search.
     */
    dense = p->np > 0 && p->pkey[p->np - 1] - p->pkey[0] == p->np - 1;
    for (size_t i = 0; i < p->nc; i++) {
        size_t lo = 0, hi = p->np;
        size_t c = unknown;

        if (dense) {
            uint64_t at = p->clink[i] - p->pkey[0]; /* huge when below the first key */
            if (at < p->np)
                c = p->pmeta[at] & 0xffffu;
            p->children[c]++;
            continue;
        }
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (p->pkey[mid] < p->clink[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < p->np && p->pkey[lo] == p->clink[i])
            c = p->pmeta[lo] & 0xffffu;
        p->children[c]++;
    }
    free(p->pkey);
    free(p->pmeta);
    free(p->clink);
    p->pkey = p->clink = NULL;
    p->pmeta = NULL;
    p->np = p->capp = p->nc = p->capc = 0;
    p->resolved = true;
}

/* --- the tracker ------------------------------------------------------------ */

ps_status ps_people_create(const ps_matcher *m, int32_t as_of, ps_people **out)
{
    ps_people *p = ps_calloc_line(sizeof(*p)); /* a worker's: written on every record */
    const ps_ruleset *rs = ps_matcher_rules(m);

    *out = NULL;
    if (p == NULL)
        return PS_ERR_NOMEM;
    p->m = m;
    p->rs = rs;
    p->as_of = as_of;
    p->minor = MINOR_DEFAULT;
    for (size_t i = 0; i < rs->nages; i++) {
        if (strcmp(rs->ages[i].name, "minor") == 0)
            p->minor = rs->ages[i].years;
    }
    *out = p;
    return PS_OK;
}

void ps_people_destroy(ps_people *p)
{
    if (p == NULL)
        return;
    ps_people_part_free(p->part);
    free(p);
}

static size_t country_slots(const ps_ruleset *rs)
{
    return rs->ncountries + 1;
}

/* "export/kids.csv" -> "kids"; "x.tar.gz" -> "x". */
static void file_stem(const char *rel, char *out, size_t size)
{
    const char *base = strrchr(rel, '/');
    size_t n;

    base = base != NULL ? base + 1 : rel;
    n = strcspn(base, ".");
    if (n == 0)
        n = strlen(base);
    if (n >= size)
        n = size - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

ps_status ps_people_file_begin(ps_people *p, ps_match_ctx *ctx, const char *rel_path,
                               ps_format format)
{
    char store[4096];
    bool folder;
    size_t dl;

    ps_people_part_free(p->part);
    p->part = NULL;
    p->ctx = ctx;
    memset(&p->row, 0, sizeof(p->row));
    memset(p->roles, 0, sizeof(p->roles));
    memset(p->fid_roles, 0, sizeof(p->fid_roles));
    p->ntabs = 0;
    p->stem_tab = 0;
    p->mask_valid = false;
    p->active = p->rs->subjects.present &&
                (format == PS_FMT_SQLITE || format == PS_FMT_SQLDUMP ||
                 format == PS_FMT_CSV || format == PS_FMT_JSONL);
    if (!p->active)
        return PS_OK;
    p->cells = format == PS_FMT_SQLITE || format == PS_FMT_SQLDUMP;
    folder = !p->cells;
    file_stem(rel_path, p->stem, sizeof(p->stem));
    if (folder) {
        /* CSV and JSON Lines files in one folder are one store. */
        dl = ps_path_dirlen(rel_path);
        if (dl == 0 || dl >= sizeof(store)) {
            ps_strlcpy(store, ".", sizeof(store));
        } else {
            memcpy(store, rel_path, dl);
            store[dl] = '\0';
        }
    } else {
        ps_strlcpy(store, rel_path, sizeof(store));
    }
    p->part = part_new(store, country_slots(p->rs), folder);
    return p->part != NULL ? PS_OK : PS_ERR_NOMEM;
}

static bool name_is(ps_people *p, const char *name, size_t len, uint32_t pattern)
{
    return pattern != UINT32_MAX && ps_match_name(p->ctx, name, len, pattern);
}

/* The roles of a field name, from the per-file cache. */
static uint32_t field_roles(ps_people *p, const char *name, size_t len)
{
    const ps_subjects *sj = &p->rs->subjects;
    uint64_t h = ps_fnv1a(name, len);
    role_slot *s = &p->roles[h & (ROLE_CACHE - 1)];
    uint32_t r = 0;

    if (s->used && s->hash == h && s->len == len && memcmp(s->name, name, len) == 0)
        return s->roles;
    if (name_is(p, name, len, sj->child_birthdate))
        r |= ROLE_BIRTH;
    if (name_is(p, name, len, sj->child_identifying))
        r |= ROLE_IDENT;
    if (name_is(p, name, len, sj->child_created))
        r |= ROLE_CREATED;
    if (name_is(p, name, len, sj->child_link))
        r |= ROLE_LINK;
    if (name_is(p, name, len, sj->parent_id))
        r |= ROLE_PKEY;
    if (name_is(p, name, len, sj->parent_contact))
        r |= ROLE_CONTACT;
    if (name_is(p, name, len, sj->country))
        r |= ROLE_COUNTRY;
    if (len > ROLE_NAME)
        return r; /* not kept: too long to compare later */
    memcpy(s->name, name, len);
    s->used = true;
    s->hash = h;
    s->len = (uint32_t)len;
    s->roles = r;
    return r;
}

/* PS_SUBJECT_* for a table name (or file stem), remembered for the last table. */
static uint32_t table_mask(ps_people *p, const char *table)
{
    const ps_subjects *sj = &p->rs->subjects;
    size_t len = strlen(table);

    if (p->mask_valid && strcmp(p->mask_table, table) == 0)
        return p->table_mask;
    p->table_mask = 0;
    if (name_is(p, table, len, sj->child_tables))
        p->table_mask |= PS_SUBJECT_CHILD;
    else if (name_is(p, table, len, sj->parent_tables))
        p->table_mask |= PS_SUBJECT_PARENT;
    ps_strlcpy(p->mask_table, table, sizeof(p->mask_table));
    p->mask_valid = true;
    return p->table_mask;
}

/*
 * The number of table (1-based) in this file's tabs[], added when new; 0
 * when tabs[] is full or the name too long to keep whole.
 */
static uint32_t tab_of(ps_people *p, const char *table)
{
    people_tab *t;

    for (uint32_t i = 0; i < p->ntabs; i++) {
        if (strcmp(p->tabs[i].name, table) == 0)
            return i + 1;
    }
    if (p->ntabs == PEOPLE_TABS || strlen(table) >= NAME_MAX_KEPT)
        return 0;
    t = &p->tabs[p->ntabs];
    ps_strlcpy(t->name, table, sizeof(t->name));
    t->mask = table_mask(p, table);
    return ++p->ntabs;
}

/*
 * A key as 64 bits: decimal ids of up to 18 digits once trimmed, exactly
 * (so linkage is exact however many rows there are), anything else
 * (emails, UUIDs) by a 64-bit hash of its trimmed, lower-cased bytes.
 */
static uint64_t key_of_any(const char *v, size_t n)
{
    uint64_t x = 0, h = PS_FNV_BASIS;
    bool digits;

    while (n > 0 && (*v == ' ' || *v == '"'))
        v++, n--;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '"' || v[n - 1] == '\r'))
        n--;
    /* Measured after trimming: a quoted 18-digit id is still a number. */
    digits = n > 0 && n <= 18;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < '0' || c > '9')
            digits = false;
        else
            x = x * 10 + (uint64_t)(c - '0');
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h ^= c;
        h *= PS_FNV_PRIME;
    }
    /* The top bit tells hashed keys from numbers, so the two never collide. */
    return digits ? x : (h | (UINT64_C(1) << 63));
}

/*
 * key_of_any, without the hash for the common key: a plain id of up to 18
 * digits (nothing to trim when it starts and ends with a digit).
 */
static uint64_t key_of(const char *v, size_t n)
{
    uint64_t x = 0;

    if (n == 0 || n > 18 || (unsigned char)(v[0] - '0') > 9 || (unsigned char)(v[n - 1] - '0') > 9)
        return key_of_any(v, n);
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)v[i] - (unsigned)'0';
        if (d > 9)
            return key_of_any(v, n);
        x = x * 10 + d;
    }
    return x;
}

/*
 * Room for need elements in one of the linkage arrays, growing by a quarter.
 * These are the only arrays that follow the store's size (millions of
 * entries at VTech scale), so doubling would leave up to half of the largest
 * allocation of the scan unused; glibc moves big blocks with mremap, so the
 * extra reallocations copy nothing.
 */
static ps_status grow_linkage(void *arr, size_t *cap, size_t need, size_t elem)
{
    void **pa = arr;
    size_t ncap;
    void *p;

    if (need <= *cap)
        return PS_OK;
    ncap = *cap < 1024 ? 1024 : *cap;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return PS_ERR_NOMEM;
        ncap += ncap / 4;
    }
    p = realloc(*pa, ncap * elem);
    if (p == NULL)
        return PS_ERR_NOMEM;
    *pa = p;
    *cap = ncap;
    return PS_OK;
}

/* Append a parent to the index, growing it when full (push_parent). */
static ps_status push_parent_grow(ps_people_part *part, uint64_t key, uint32_t meta)
{
    size_t old = part->capp;

    if (grow_linkage(&part->pkey, &part->capp, part->np + 1, sizeof(uint64_t)) != PS_OK)
        return PS_ERR_NOMEM;
    if (part->capp != old) {
        uint32_t *m = realloc(part->pmeta, part->capp * sizeof(uint32_t));
        if (m == NULL) {
            part->capp = old; /* keep the two arrays the same size */
            return PS_ERR_NOMEM;
        }
        part->pmeta = m;
    }
    part->pkey[part->np] = key;
    part->pmeta[part->np] = meta;
    part->np++;
    return PS_OK;
}

static ps_status push_parent(ps_people_part *part, uint64_t key, uint32_t meta)
{
    if (part->np >= part->capp)
        return push_parent_grow(part, key, meta);
    part->pkey[part->np] = key;
    part->pmeta[part->np] = meta;
    part->np++;
    return PS_OK;
}

/*
 * The row's creation date, when it has one: its first creation column
 * whose value is a date.  A kept value is parsed here, when first needed.
 */
static bool row_created(row_state *r)
{
    int32_t d, a;

    if (!(r->need & ROLE_CREATED))
        return true;
    if (!r->created_pending)
        return false;
    r->created_pending = false;
    if (ps_date_parse(r->created_raw, r->created_len, PS_DATE_ALLOW_EPOCH, &d, &a) ==
        PS_DATE_INVALID)
        return false;
    r->created = d;
    r->need &= ~(uint32_t)ROLE_CREATED;
    return true;
}

static int age_of(const ps_people *p, row_state *r)
{
    int32_t at = row_created(r) ? r->created : p->as_of;
    int a = ps_age_years(r->birth, at);

    if (r->birth_ambiguous) {
        /* DD/MM or MM/DD: when in doubt, the younger reading (docs/people.md). */
        int b = ps_age_years(r->birth_alt, at);
        if (b >= 0 && (a < 0 || b < a))
            a = b;
    }
    return a;
}

/* Decide what the finished row is, tell the row rules, and count it. */
static ps_status finish_row(ps_people *p, ps_row_fn fn, void *ud)
{
    row_state *r = &p->row;
    ps_people_part *part = p->part;
    ps_row_facts facts;
    uint32_t tmask, need;

    if (!r->open)
        return PS_OK;
    r->open = false;
    tmask = r->tmask;
    need = r->need;
    facts.age = !(need & ROLE_BIRTH) ? age_of(p, r) : -1;
    facts.identified = !(need & ROLE_IDENT);
    facts.subject = 0;
    if (tmask & PS_SUBJECT_CHILD)
        facts.subject = PS_SUBJECT_CHILD;
    else if (facts.age >= 0 && (unsigned)facts.age < p->minor)
        facts.subject = PS_SUBJECT_CHILD; /* a minor's birthdate makes a child anywhere */
    else if (tmask & PS_SUBJECT_PARENT)
        facts.subject = PS_SUBJECT_PARENT;
    if (fn != NULL && fn(ud, &facts, &r->loc) != 0)
        return PS_ERR_STOP;

    /*
     * A row of a child table counts as a child whatever its age today: the
     * data was collected from a child (a child's data stays a child's data).
     */
    if (facts.subject == PS_SUBJECT_CHILD && facts.identified) {
        if (r->country >= 0)
            part->children[r->country]++;
        else if (!(need & ROLE_LINK)) {
            if (grow_linkage(&part->clink, &part->capc, part->nc + 1, sizeof(uint64_t)) != PS_OK)
                return PS_ERR_NOMEM;
            part->clink[part->nc++] = r->link;
        } else {
            part->children[part->ncountry - 1]++;
        }
    } else if (facts.subject == PS_SUBJECT_PARENT) {
        /* Only a parent table's rows get here: they wanted a key and a contact. */
        uint32_t country = r->country >= 0 ? (uint32_t)r->country : (uint32_t)(part->ncountry - 1);
        if (!(need & ROLE_PKEY))
            return push_parent(part, r->pkey, country | (!(need & ROLE_CONTACT) ? EXPOSED_BIT : 0));
        if (!(need & ROLE_CONTACT))
            part->parents[country]++;
    }
    return PS_OK;
}

/* Whether table names the open row's table (see row_state). */
static bool same_table(const row_state *r, const char *table)
{
    size_t n = strlen(table);

    if (n != r->table_len)
        return false;
    if (n < NAME_MAX_KEPT)
        return memcmp(r->table, table, n) == 0;
    return memcmp(r->table, table, NAME_MAX_KEPT - 1) == 0 && ps_fnv1a(table, n) == r->table_hash;
}

static void row_open(ps_people *p, const ps_record *rec, const char *table, int64_t row,
                     uint32_t tab)
{
    row_state *r = &p->row;

    if (tab == 0 || tab != r->tab) {
        r->table_len = ps_strlcpy(r->table, table, sizeof(r->table));
        r->table_hash = r->table_len >= NAME_MAX_KEPT ? ps_fnv1a(table, r->table_len) : 0;
        r->tab = tab;
        r->tmask = tab != 0 ? p->tabs[tab - 1].mask : table_mask(p, table);
        r->loc.table = p->cells ? r->table : NULL;
    }
    r->need = (r->tmask & PS_SUBJECT_PARENT) ? ROLES_ALL : ROLES_ALL & ~(uint32_t)ROLES_PARENT_ONLY;
    r->open = true;
    r->row = row;
    r->country = -1;
    r->created_pending = false;
    r->loc.kind = rec->loc.kind;
    r->loc.line = rec->loc.line;
    r->loc.row = rec->loc.row;
}

/*
 * The take_* functions take values from a record for the roles that its
 * column plays and the row still wants (roles, already masked by r->need;
 * never 0).  Each takes the lowest role of roles, then goes on with the
 * rest through take_rest: one role, as most columns have, costs one jump
 * through take_role[], from ps_people_record.  They return PS_OK.
 */
typedef ps_status (*take_fn)(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles);

static ps_status take_birth(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles);
static ps_status take_created(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles);
static ps_status take_readable(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles);
static ps_status take_key(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles);
static ps_status take_country(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles);

/* By role bit; the entries between the bits are never used. */
static const take_fn take_role[ROLE_COUNTRY + 1] = {
    [ROLE_BIRTH] = take_birth,
    [ROLE_IDENT] = take_readable,
    [ROLE_CREATED] = take_created,
    [ROLE_LINK] = take_key,
    [ROLE_PKEY] = take_key,
    [ROLE_CONTACT] = take_readable,
    [ROLE_COUNTRY] = take_country,
};

static ps_status take_rest(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles)
{
    return roles == 0 ? PS_OK : take_role[roles & (0u - roles)](p, r, rec, roles);
}

static ps_status take_birth(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles)
{
    int32_t d, a;
    ps_date_result res = ps_date_parse(rec->value, rec->value_len, PS_DATE_ALLOW_EPOCH, &d, &a);

    if (res != PS_DATE_INVALID) {
        r->birth = d;
        r->birth_alt = a;
        r->birth_ambiguous = res == PS_DATE_AMBIGUOUS;
        r->need &= ~(uint32_t)ROLE_BIRTH;
    }
    return take_rest(p, r, rec, roles & ~(uint32_t)ROLE_BIRTH);
}

/*
 * A creation date: parsed now when the row has a birthdate (the only use
 * of it), else kept unparsed for finish_row.  A second creation column
 * settles the first one, so the first that is a date still wins.
 */
static ps_status take_created(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles)
{
    int32_t d, a;

    roles &= ~(uint32_t)ROLE_CREATED;
    if (rec->value_len == 0)
        return take_rest(p, r, rec, roles); /* not a date */
    if (!(r->need & ROLE_BIRTH) || rec->value_len > CREATED_KEPT || r->created_pending) {
        if (!row_created(r) &&
            ps_date_parse(rec->value, rec->value_len, PS_DATE_ALLOW_EPOCH, &d, &a) != PS_DATE_INVALID) {
            r->created = d;
            r->need &= ~(uint32_t)ROLE_CREATED;
        }
        return take_rest(p, r, rec, roles);
    }
    memcpy(r->created_raw, rec->value, rec->value_len);
    r->created_len = (uint8_t)rec->value_len;
    r->created_pending = true;
    return take_rest(p, r, rec, roles);
}

/* An identifying column (a name, a photo) or a contact one: readable or not. */
static ps_status take_readable(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles)
{
    uint32_t role = roles & (0u - roles);

    if ((role == ROLE_IDENT && rec->media != PS_MEDIA_NONE) ||
        ps_detect_readable(rec->value, rec->value_len))
        r->need &= ~role;
    return take_rest(p, r, rec, roles & ~role);
}

/* The link to a parent (ROLE_LINK) or the parent's own key (ROLE_PKEY). */
static ps_status take_key(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles)
{
    uint32_t role = roles & (0u - roles);

    if (rec->value_len > 0) {
        uint64_t k = key_of(rec->value, rec->value_len);

        if (role == ROLE_LINK)
            r->link = k;
        else
            r->pkey = k;
        r->need &= ~role;
    }
    return take_rest(p, r, rec, roles & ~role);
}

static ps_status take_country(ps_people *p, row_state *r, const ps_record *rec, uint32_t roles)
{
    r->country = country_of(p, rec->value, rec->value_len);
    if (r->country >= 0)
        r->need &= ~(uint32_t)ROLE_COUNTRY;
    return take_rest(p, r, rec, roles & ~(uint32_t)ROLE_COUNTRY);
}

/*
 * Close the open row, open the one rec starts (in table number tab, see
 * record_slow), and take rec's roles for it.
 */
static ps_status row_next(ps_people *p, const ps_record *rec, ps_row_fn fn, void *ud,
                          uint32_t tab, uint32_t roles)
{
    ps_status st = finish_row(p, fn, ud);
    const char *table = p->stem;
    int64_t row = (int64_t)rec->loc.line;

    if (st != PS_OK)
        return st;
    if (p->cells) {
        table = rec->loc.table != NULL ? rec->loc.table : "";
        row = rec->loc.row;
    }
    row_open(p, rec, table, row, tab);
    return take_rest(p, &p->row, rec, roles & p->row.need);
}

/*
 * A record that starts a row, or whose field has no id or no roles known
 * yet: look its roles up, and close the previous row when this is a new one.
 */
static ps_status record_slow(ps_people *p, const ps_record *rec, ps_row_fn fn, void *ud)
{
    row_state *r = &p->row;
    const char *table;
    int64_t row;
    uint32_t roles = 0, id = rec->field_id, tab;
    bool same;

    if (id >= PS_FIELD_IDS)
        id = 0;
    if (id != 0 && p->fid_roles[id] != 0) {
        roles = p->fid_roles[id];
    } else {
        roles = FID_KNOWN | field_roles(p, rec->field != NULL ? rec->field : "", rec->field_len);
        if (id != 0) {
            p->fid_roles[id] = roles;
            p->fid_tab[id] = p->cells ? (uint8_t)tab_of(p, rec->loc.table != NULL ? rec->loc.table : "") : 0;
        }
    }
    if (p->cells) {
        /* A record with an id names its table by number; others by name. */
        table = rec->loc.table != NULL ? rec->loc.table : "";
        row = rec->loc.row;
        tab = id != 0 ? p->fid_tab[id] : 0;
        same = r->open && r->row == row &&
               (tab != 0 && r->tab != 0 ? tab == r->tab : same_table(r, table));
    } else {
        /* Every row of a line file is in the one table named by its stem. */
        table = p->stem;
        row = (int64_t)rec->loc.line;
        if (p->stem_tab == 0)
            p->stem_tab = tab_of(p, p->stem);
        tab = p->stem_tab;
        same = r->open && r->row == row;
    }
    if (!same)
        return row_next(p, rec, fn, ud, tab, roles);
    return take_rest(p, r, rec, roles & r->need);
}

/*
 * Most records are another cell of the open row, of a field already seen
 * in this file (its roles are in fid_roles), and of a column the row no
 * longer needs or never did: that case is settled here, with no frame and
 * no call; a column the row needs costs one jump to its take_* function.
 * The next row goes straight to row_next when its table is known by
 * number; the rest (a field not yet seen, a table without a number) goes
 * to record_slow.
 */
ps_status ps_people_record(ps_people *p, const ps_record *rec, ps_row_fn fn, void *ud)
{
    row_state *r = &p->row;
    uint32_t id = rec->field_id, roles;

    if (!p->active || rec->is_null)
        return PS_OK;
    roles = id < PS_FIELD_IDS ? p->fid_roles[id] : 0; /* fid_roles[0] is never set */
    if (roles == 0 || !r->open)
        return record_slow(p, rec, fn, ud);
    if (p->cells) {
        uint32_t tab = p->fid_tab[id];

        if (tab == 0 || r->tab == 0)
            return record_slow(p, rec, fn, ud); /* a table without a number: by name */
        if (r->row != rec->loc.row || tab != r->tab)
            return row_next(p, rec, fn, ud, tab, roles);
    } else if (r->row != (int64_t)rec->loc.line) {
        /* A line file's next row; stem_tab is known since the field is. */
        return row_next(p, rec, fn, ud, p->stem_tab, roles);
    }
    return take_rest(p, r, rec, roles & r->need);
}

static bool part_empty(const ps_people_part *part)
{
    if (part->np > 0 || part->nc > 0)
        return false;
    for (size_t i = 0; i < part->ncountry; i++) {
        if (part->parents[i] > 0 || part->children[i] > 0)
            return false;
    }
    return true;
}

ps_status ps_people_file_end(ps_people *p, ps_row_fn fn, void *ud, ps_people_part **part)
{
    ps_status st = PS_OK;

    *part = NULL;
    if (!p->active)
        return PS_OK;
    st = finish_row(p, fn, ud);
    p->active = false;
    if (st != PS_OK)
        return st;
    if (part_empty(p->part)) {
        ps_people_part_free(p->part);
        p->part = NULL;
        return PS_OK;
    }
    if (!p->part->folder)
        part_resolve(p->part); /* a whole store: keep only its counts */
    *part = p->part;
    p->part = NULL;
    return PS_OK;
}

/* --- merging into the impact table -------------------------------------------- */

void ps_impacts_free(ps_impacts *im)
{
    if (im == NULL)
        return;
    for (size_t i = 0; i < im->n; i++) {
        free(im->items[i].path);
        free(im->items[i].rows);
    }
    free(im->items);
    memset(im, 0, sizeof(*im));
}

static int cmp_part(const void *a, const void *b)
{
    const ps_people_part *pa = *(ps_people_part *const *)a;
    const ps_people_part *pb = *(ps_people_part *const *)b;

    return strcmp(pa->store, pb->store);
}

static int cmp_row(const void *a, const void *b)
{
    const ps_impact_row *ra = a, *rb = b;
    uint64_t ta = ra->parents + ra->children, tb = rb->parents + rb->children;

    if (ta != tb)
        return ta > tb ? -1 : 1;
    return strcmp(ra->country, rb->country);
}

/* Swap two linkage arrays with their counts and capacities. */
#define SWAP_ARRAY(T, x, y) do { T t_ = (x); (x) = (y); (y) = t_; } while (0)

/*
 * Append b's parents and linked children to a (both unresolved).  These
 * are the biggest arrays of the scan, so an empty side of a takes b's
 * arrays whole, and what is copied is freed from b at once: a folder store
 * of a full-size parents.csv and kids.csv then never holds a copy.
 */
static ps_status part_absorb(ps_people_part *a, ps_people_part *b)
{
    for (size_t i = 0; i < a->ncountry; i++) {
        a->parents[i] += b->parents[i];
        a->children[i] += b->children[i];
    }
    if (a->np == 0) {
        SWAP_ARRAY(uint64_t *, a->pkey, b->pkey);
        SWAP_ARRAY(uint32_t *, a->pmeta, b->pmeta);
        SWAP_ARRAY(size_t, a->np, b->np);
        SWAP_ARRAY(size_t, a->capp, b->capp);
    } else {
        for (size_t i = 0; i < b->np; i++) {
            if (push_parent(a, b->pkey[i], b->pmeta[i]) != PS_OK)
                return PS_ERR_NOMEM;
        }
    }
    free(b->pkey);
    free(b->pmeta);
    b->pkey = NULL;
    b->pmeta = NULL;
    b->np = b->capp = 0;
    if (a->nc == 0) {
        SWAP_ARRAY(uint64_t *, a->clink, b->clink);
        SWAP_ARRAY(size_t, a->nc, b->nc);
        SWAP_ARRAY(size_t, a->capc, b->capc);
    } else if (b->nc > 0) {
        if (grow_linkage(&a->clink, &a->capc, a->nc + b->nc, sizeof(uint64_t)) != PS_OK)
            return PS_ERR_NOMEM;
        memcpy(a->clink + a->nc, b->clink, b->nc * sizeof(uint64_t));
        a->nc += b->nc;
    }
    free(b->clink);
    b->clink = NULL;
    b->nc = b->capc = 0;
    return PS_OK;
}
#undef SWAP_ARRAY

static ps_status impact_from(const ps_ruleset *rs, const ps_people_part *p, ps_impacts *out)
{
    ps_impact *im;
    size_t n = 0;

    if (ps_grow(&out->items, &out->cap, out->n + 1, sizeof(ps_impact)) != PS_OK)
        return PS_ERR_NOMEM;
    im = &out->items[out->n];
    memset(im, 0, sizeof(*im));
    im->path = ps_strdup(p->store);
    im->rows = calloc(p->ncountry, sizeof(ps_impact_row));
    if (im->path == NULL || im->rows == NULL) {
        free(im->path);
        free(im->rows);
        return PS_ERR_NOMEM;
    }
    for (size_t c = 0; c < p->ncountry; c++) {
        if (p->parents[c] == 0 && p->children[c] == 0)
            continue;
        im->rows[n].country = c < rs->ncountries ? rs->countries[c].name : "Unknown";
        im->rows[n].parents = p->parents[c];
        im->rows[n].children = p->children[c];
        im->parents += p->parents[c];
        im->children += p->children[c];
        n++;
    }
    im->nrows = n;
    qsort(im->rows, n, sizeof(ps_impact_row), cmp_row);
    out->n++;
    return PS_OK;
}

const char *ps_people_part_folder(const ps_people_part *part)
{
    return part != NULL && part->folder && !part->resolved ? part->store : NULL;
}

ps_status ps_people_join(ps_people_part **parts, size_t n)
{
    ps_status st = PS_OK;

    for (size_t k = 1; k < n; k++) {
        if (st == PS_OK && parts[k] != NULL)
            st = part_absorb(parts[0], parts[k]);
        ps_people_part_free(parts[k]);
        parts[k] = NULL;
    }
    if (st == PS_OK)
        part_resolve(parts[0]);
    return st;
}

ps_status ps_people_merge(const ps_ruleset *rs, ps_people_part **parts, size_t nparts,
                          ps_impacts *out)
{
    size_t w = 0;
    ps_status st = PS_OK;

    for (size_t i = 0; i < nparts; i++) {
        if (parts[i] != NULL)
            parts[w++] = parts[i];
    }
    if (w > 1)
        qsort(parts, w, sizeof(ps_people_part *), cmp_part);
    for (size_t g = 0; g < w && st == PS_OK;) {
        size_t e = g + 1;
        while (e < w && strcmp(parts[e]->store, parts[g]->store) == 0)
            e++;
        for (size_t k = g + 1; k < e && st == PS_OK; k++) {
            st = part_absorb(parts[g], parts[k]);
            ps_people_part_free(parts[k]);
            parts[k] = NULL;
        }
        if (st == PS_OK) {
            part_resolve(parts[g]);
            if (!part_empty(parts[g]))
                st = impact_from(rs, parts[g], out);
        }
        ps_people_part_free(parts[g]);
        parts[g] = NULL;
        g = e;
    }
    for (size_t i = 0; i < w; i++) {
        ps_people_part_free(parts[i]);
        parts[i] = NULL;
    }
    return st;
}

/*
 * test_need.c - the necessary condition read off a regex (need.h).
 *
 * need.c is a prefilter: a value it turns away is never scanned, so one
 * wrong "cannot match" is a lost finding.  The main test is therefore
 * property-based and judged by Hyperscan itself: random regexes, strings
 * built from each regex's syntax tree and kept only when hs_scan agrees
 * they match, and every one of them must meet the need.  The other tests
 * pin down the rest of the contract: the rule pack (including that the
 * prefilter does turn typical store values away), syntax the analysis must
 * refuse, and the edge cases of ps_need_set.
 *
 * A failure prints the regex, the caseless flag, the value (C-escaped) and
 * the need, which is all it takes to replay it.  PS_NEED_SEED and
 * PS_NEED_ROUNDS in the environment run the random tests longer or on
 * other seeds.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "need.h"
#include "rules.h"
#include "util.h"

#define VTECH PS_RULES_SOURCE "/vtech.yml"

/* A string literal and its length, so values may hold NUL bytes. */
#define S(lit) (lit), (sizeof(lit) - 1)

/* --- random numbers -------------------------------------------------------- */

/* xorshift64*: a fixed seed, so a failure replays exactly. */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * UINT64_C(2685821657736338717);
}

static unsigned rng_below(rng *r, unsigned n)
{
    return (unsigned)((rng_next(r) >> 16) % n);
}

static bool rng_chance(rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

/* A setting from the environment, for longer runs by hand; def when unset. */
static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *s = getenv(name);
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || *s == '\0')
        return def;
    v = strtoull(s, &end, 0);
    return (end != NULL && *end == '\0' && v != 0) ? (uint64_t)v : def;
}

static rng rng_seeded(uint64_t salt)
{
    rng r = {env_u64("PS_NEED_SEED", UINT64_C(0x9e3779b97f4a7c15)) ^ salt};

    if (r.s == 0)
        r.s = 1; /* xorshift stays at zero forever */
    return r;
}

/* --- byte sets ------------------------------------------------------------------ */

static void bs_add(ps_byteset *s, unsigned b)
{
    s->w[b >> 6] |= UINT64_C(1) << (b & 63u);
}

static bool bs_has(const ps_byteset *s, unsigned b)
{
    return (s->w[b >> 6] >> (b & 63u)) & 1u;
}

static void bs_range(ps_byteset *s, unsigned lo, unsigned hi)
{
    for (unsigned b = lo; b <= hi; b++)
        bs_add(s, b);
}

static void bs_union(ps_byteset *a, const ps_byteset *b)
{
    for (unsigned i = 0; i < 4; i++)
        a->w[i] |= b->w[i];
}

static void bs_invert(ps_byteset *s)
{
    for (unsigned i = 0; i < 4; i++)
        s->w[i] = ~s->w[i];
}

/* Hyperscan's caseless is ASCII only: 0xc9 is not the other case of 0xe9. */
static void bs_fold(ps_byteset *s)
{
    for (unsigned b = 'a'; b <= 'z'; b++) {
        if (bs_has(s, b) || bs_has(s, b - 32u)) {
            bs_add(s, b);
            bs_add(s, b - 32u);
        }
    }
}

static unsigned popcount64(uint64_t w)
{
    unsigned n = 0;

    for (; w != 0; w &= w - 1)
        n++;
    return n;
}

static unsigned bs_count(const ps_byteset *s)
{
    return popcount64(s->w[0]) + popcount64(s->w[1]) + popcount64(s->w[2]) +
           popcount64(s->w[3]);
}

/* A uniformly chosen member, or -1 for the empty set. */
static int bs_pick(rng *r, const ps_byteset *s)
{
    unsigned n = bs_count(s), k;

    if (n == 0)
        return -1;
    k = rng_below(r, n);
    for (unsigned i = 0; i < 4; i++) {
        unsigned c = popcount64(s->w[i]);
        uint64_t w = s->w[i];

        if (k >= c) {
            k -= c;
            continue;
        }
        for (; k > 0; k--)
            w &= w - 1;
        for (unsigned b = 0; b < 64; b++) {
            if ((w >> b) & 1u)
                return (int)(i * 64 + b);
        }
    }
    return -1;
}

/*
 * The members on the set's edge: bytes whose other case, or a neighbour, is
 * outside the set.  That is where an analysis that folds case in the wrong
 * place, or is off by one on a range, has a set too small; uniform picks
 * would reach them rarely.
 */
static ps_byteset bs_edge(const ps_byteset *s)
{
    ps_byteset edge = {{0}};

    for (unsigned b = 0; b < 256; b++) {
        unsigned low = b | 0x20u;
        bool letter = low >= 'a' && low <= 'z';

        if (bs_has(s, b) && ((letter && !bs_has(s, b ^ 0x20u)) ||
                             (b > 0 && !bs_has(s, b - 1)) || (b < 255 && !bs_has(s, b + 1))))
            bs_add(&edge, b);
    }
    return edge;
}

/* \d \w \s and their complements, as Hyperscan reads them in byte mode:
 * \s includes \v (0x0b) but not 0x85 or 0xa0, \w is ASCII only. */
static ps_byteset shorthand(char c)
{
    ps_byteset s = {{0}};

    switch (c | 0x20) {
    case 'd':
        bs_range(&s, '0', '9');
        break;
    case 'w':
        bs_range(&s, '0', '9');
        bs_range(&s, 'a', 'z');
        bs_range(&s, 'A', 'Z');
        bs_add(&s, '_');
        break;
    default: /* 's' */
        bs_range(&s, 0x09, 0x0d);
        bs_add(&s, ' ');
        break;
    }
    if (c >= 'A' && c <= 'Z')
        bs_invert(&s);
    return s;
}

/* --- showing values and needs on failure ---------------------------------------- */

/* v[0..n) as a C string literal body, truncated to fit out. */
static const char *show(char *out, size_t cap, const char *v, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;

    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            out[k++] = (char)c;
        } else {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15u];
        }
    }
    out[k] = '\0';
    return out;
}

/* Appends to out[0..cap), keeping *k within it however much is cut off. */
static void append(char *out, size_t cap, size_t *k, const char *fmt, ...) PS_PRINTF(4, 5);
static void append(char *out, size_t cap, size_t *k, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*k + 1 >= cap)
        return;
    va_start(ap, fmt);
    w = vsnprintf(out + *k, cap - *k, fmt, ap);
    va_end(ap);
    if (w > 0)
        *k = (size_t)w < cap - *k ? *k + (size_t)w : cap - 1;
}

/* The need as "{run>=R of [ranges]} ...", for failure messages. */
static const char *show_need(char *out, size_t cap, const ps_need *nd)
{
    size_t k = 0;

    out[0] = '\0';
    if (nd->n == 0)
        append(out, cap, &k, "(none)");
    for (unsigned i = 0; i < nd->n && i < PS_NEED_CLAUSES; i++) {
        append(out, cap, &k, "{run>=%u of [", (unsigned)nd->c[i].run);
        for (unsigned b = 0; b < 256; b++) {
            unsigned e = b;

            if (!bs_has(&nd->c[i].set, b))
                continue;
            while (e + 1 < 256 && bs_has(&nd->c[i].set, e + 1))
                e++;
            if (e == b)
                append(out, cap, &k, "\\x%02x", b);
            else
                append(out, cap, &k, "\\x%02x-\\x%02x", b, e);
            b = e;
        }
        append(out, cap, &k, "]} ");
    }
    return out;
}

/* Prints everything needed to replay a wrong answer: regex, flag, value, need. */
static void report(const char *what, const char *re, bool caseless, const ps_need *nd,
                   const char *v, size_t n)
{
    char sv[1100], sn[1600];

    print_error("%s\n  regex:    %s\n  caseless: %s\n  value:    \"%s\" (%zu bytes)\n"
                "  need:     %s\n", what, re, caseless ? "yes" : "no",
                show(sv, sizeof(sv), v, n), n, nd != NULL ? show_need(sn, sizeof(sn), nd) : "-");
}

/* A wrong answer where one is enough to stop. */
static void unsound(const char *what, const char *re, bool caseless, const ps_need *nd,
                    const char *v, size_t n)
{
    report(what, re, caseless, nd, v, n);
    fail();
}

/*
 * Wrong answers in the tests that run many cases: each one is printed (the
 * first few) and counted, and the test fails at its end, so one bug does not
 * hide the next.
 */
#define REPORT_MAX 10

static void tally(unsigned *bad, const char *what, const char *re, bool caseless,
                  const ps_need *nd, const char *v, size_t n)
{
    if (++*bad <= REPORT_MAX)
        report(what, re, caseless, nd, v, n);
}

/* --- Hyperscan, the judge ------------------------------------------------------- */

typedef struct judge {
    hs_scratch_t *scratch;
} judge;

/* The database the matcher would build for expr, or NULL when Hyperscan refuses it. */
static hs_database_t *judge_compile(judge *j, const char *expr, bool caseless)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    unsigned flags = HS_FLAG_SINGLEMATCH | (caseless ? HS_FLAG_CASELESS : 0u);

    if (hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        return NULL;
    }
    assert_int_equal(hs_alloc_scratch(db, &j->scratch), HS_SUCCESS);
    return db;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    *(bool *)ctx = true;
    return 1; /* one match answers the question */
}

static bool judge_matches(const judge *j, const hs_database_t *db, const char *v, size_t n)
{
    bool hit = false;
    hs_error_t rc = hs_scan(db, v, (unsigned)n, 0, j->scratch, on_match, &hit);

    assert_true(rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED);
    return hit;
}

/* Whether Hyperscan finds expr in v; the regex must compile. */
static bool hs_says(judge *j, const char *expr, bool caseless, const char *v, size_t n)
{
    hs_database_t *db = judge_compile(j, expr, caseless);
    bool hit;

    if (db == NULL)
        fail_msg("Hyperscan refuses the test's own regex: %s", expr);
    hit = judge_matches(j, db, v, n);
    hs_free_database(db);
    return hit;
}

static void judge_free(judge *j)
{
    hs_free_scratch(j->scratch);
    j->scratch = NULL;
}

/* The structural promises of ps_need_of, checked on every call. */
static void check_shape(const char *re, bool caseless, bool ok, const ps_need *nd)
{
    unsigned runs = 0;

    if (!ok && nd->n != 0)
        fail_msg("ps_need_of(%s) returned false with n = %u", re, nd->n);
    if (nd->n > PS_NEED_CLAUSES)
        fail_msg("ps_need_of(%s): n = %u > PS_NEED_CLAUSES", re, nd->n);
    for (unsigned i = 0; i < nd->n; i++) {
        if (nd->c[i].run < 1)
            unsound("a clause with run 0", re, caseless, nd, "", 0);
        runs += nd->c[i].run > 1;
    }
    if (runs > PS_NEED_RUNS)
        unsound("more than PS_NEED_RUNS clauses with run > 1", re, caseless, nd, "", 0);
}

/* --- the random regex generator ------------------------------------------------- */

/*
 * The generator builds a syntax tree and renders it in the same pass, so the
 * tree knows exactly which bytes each position matches (case folded where
 * caseless is on) and can produce matching strings directly.  Mode scoping
 * follows PCRE, which Hyperscan follows: an inline (?i) lasts to the end of
 * its group, later alternatives of that group included; (?i: ...) and
 * (?-i: ...) last to their closing parenthesis.
 */
#define GEN_NODES 400
#define GEN_RE_MAX 640
#define GEN_STR_MAX 256
#define NO_NODE UINT32_MAX
#define UNBOUNDED UINT32_MAX

typedef enum gkind {
    G_BYTE,   /* one byte of set */
    G_CAT,    /* kids in order */
    G_ALT,    /* one of the kids */
    G_REPEAT, /* its one kid, min..max times */
    G_EMPTY   /* an anchor, \b, or an empty alternative: no bytes */
} gkind;

typedef struct gnode {
    gkind kind;
    ps_byteset set, edge; /* G_BYTE: its bytes, and those on their edge */
    uint32_t first, last, next; /* kids as a list: no limit on a concatenation */
    unsigned nkids;
    uint32_t min, max;
} gnode;

typedef struct mode {
    bool ci, dotall;
} mode;

typedef struct gen {
    rng *r;
    gnode node[GEN_NODES];
    unsigned nnodes;
    char re[GEN_RE_MAX];
    size_t len;
    bool full; /* out of nodes or text: the regex is dropped */
} gen;

static unsigned gnew(gen *g, gkind kind)
{
    gnode *x;

    if (g->nnodes == GEN_NODES) {
        g->full = true;
        return 0;
    }
    x = &g->node[g->nnodes];
    memset(x, 0, sizeof(*x));
    x->kind = kind;
    x->first = x->last = x->next = NO_NODE;
    return g->nnodes++;
}

static void gkid(gen *g, unsigned parent, unsigned kid)
{
    gnode *p = &g->node[parent];

    if (g->full)
        return; /* node 0 stands in for nodes not made: the lists may not hold */
    if (p->nkids == 0)
        p->first = kid;
    else
        g->node[p->last].next = kid;
    p->last = kid;
    p->nkids++;
}

static void put(gen *g, const char *s)
{
    size_t n = strlen(s);

    if (g->len + n >= GEN_RE_MAX) {
        g->full = true;
        return;
    }
    memcpy(g->re + g->len, s, n + 1);
    g->len += n;
}

static void put_char(gen *g, char c)
{
    char s[2] = {c, '\0'};

    put(g, s);
}

static void put_hex(gen *g, unsigned b)
{
    char s[8];

    (void)snprintf(s, sizeof(s), "\\x%02x", b & 0xffu);
    put(g, s);
}

static unsigned random_letter(rng *r)
{
    unsigned b = 'a' + rng_below(r, 26);

    return rng_chance(r, 50) ? b - 32u : b;
}

/*
 * One literal byte outside a class, in one of the spellings a rule author
 * might use: plain, backslash-escaped metacharacter, punctuation, \xHH (for
 * any byte, letters included: caseless must reach \x41 too), or a named
 * escape.
 */
static unsigned gen_literal(gen *g, const mode *m)
{
    static const char meta[] = ".^$|()[]{}*+?\\";
    static const char punct[] = " !\"#%&',-/:;<=>@_`~";
    static const struct {
        const char *text;
        unsigned byte;
    } named[] = {
        {"\\t", 0x09}, {"\\n", 0x0a}, {"\\r", 0x0d}, {"\\f", 0x0c}, {"\\e", 0x1b}, {"\\a", 0x07},
    };
    unsigned id = gnew(g, G_BYTE), pick = rng_below(g->r, 100), b;

    if (pick < 40) {
        b = random_letter(g->r);
        put_char(g, (char)b);
    } else if (pick < 52) {
        b = '0' + rng_below(g->r, 10);
        put_char(g, (char)b);
    } else if (pick < 64) {
        b = (unsigned char)meta[rng_below(g->r, sizeof(meta) - 1)];
        put_char(g, '\\');
        put_char(g, (char)b);
    } else if (pick < 74) {
        b = (unsigned char)punct[rng_below(g->r, sizeof(punct) - 1)];
        put_char(g, (char)b);
    } else if (pick < 86) {
        b = rng_below(g->r, 256);
        put_hex(g, b);
    } else if (pick < 94) {
        b = random_letter(g->r);
        put_hex(g, b);
    } else {
        unsigned k = rng_below(g->r, sizeof(named) / sizeof(named[0]));

        b = named[k].byte;
        put(g, named[k].text);
    }
    bs_add(&g->node[id].set, b);
    if (m->ci)
        bs_fold(&g->node[id].set);
    return id;
}

/* One byte inside a class: the class metacharacters escaped, others plain or \xHH. */
static void put_class_byte(gen *g, unsigned b)
{
    bool alnum = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');

    if (alnum) {
        put_char(g, (char)b);
    } else if (b == ']' || b == '\\' || b == '^' || b == '-' || b == '[') {
        put_char(g, '\\');
        put_char(g, (char)b);
    } else if (b > 0x20 && b < 0x7f && rng_chance(g->r, 50)) {
        put_char(g, (char)b);
    } else {
        put_hex(g, b);
    }
}

static unsigned class_pool_byte(rng *r)
{
    unsigned pick = rng_below(r, 100);

    if (pick < 45)
        return random_letter(r);
    if (pick < 65)
        return '0' + rng_below(r, 10);
    if (pick < 85)
        return 0x20 + rng_below(r, 0x5f);
    return rng_below(r, 256);
}

/* A POSIX class inside brackets, rendered, and the bytes it stands for
 * (ASCII only: Hyperscan's byte mode has no locale). */
static ps_byteset posix_class(gen *g)
{
    static const struct {
        const char *name;
        unsigned char range[4][2];
    } cls[] = {
        {"alpha", {{'A', 'Z'}, {'a', 'z'}}},
        {"digit", {{'0', '9'}}},
        {"alnum", {{'A', 'Z'}, {'a', 'z'}, {'0', '9'}}},
        {"upper", {{'A', 'Z'}}},
        {"lower", {{'a', 'z'}}},
        {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
        {"space", {{0x09, 0x0d}, {' ', ' '}}},
        {"blank", {{0x09, 0x09}, {' ', ' '}}},
        {"cntrl", {{0x00, 0x1f}, {0x7f, 0x7f}}},
        {"print", {{0x20, 0x7e}}},
        {"graph", {{0x21, 0x7e}}},
        {"punct", {{0x21, 0x2f}, {0x3a, 0x40}, {0x5b, 0x60}, {0x7b, 0x7e}}},
        {"word", {{'A', 'Z'}, {'a', 'z'}, {'0', '9'}, {'_', '_'}}},
    };
    unsigned k = rng_below(g->r, sizeof(cls) / sizeof(cls[0]));
    bool neg = rng_chance(g->r, 15);
    ps_byteset set = {{0}};

    for (unsigned i = 0; i < 4 && cls[k].range[i][1] != 0; i++)
        bs_range(&set, cls[k].range[i][0], cls[k].range[i][1]);
    if (neg)
        bs_invert(&set);
    put(g, neg ? "[:^" : "[:");
    put(g, cls[k].name);
    put(g, ":]");
    return set;
}

/* A bracket class: bytes, ranges, shorthands, POSIX classes; maybe negated. */
static unsigned gen_class(gen *g, const mode *m)
{
    static const char shorts[] = "dwsDWS";
    unsigned id = gnew(g, G_BYTE), items = 1 + rng_below(g->r, 4);
    bool neg = rng_chance(g->r, 25);
    ps_byteset set = {{0}};

    put(g, neg ? "[^" : "[");
    for (unsigned i = 0; i < items; i++) {
        unsigned pick = rng_below(g->r, 100);

        if (pick < 35) {
            unsigned b = class_pool_byte(g->r);

            put_class_byte(g, b);
            bs_add(&set, b);
        } else if (pick < 75) {
            unsigned lo = class_pool_byte(g->r), hi = lo + 1 + rng_below(g->r, 25);

            if (lo == 255)
                lo = 254;
            if (hi > 255)
                hi = 255;
            put_class_byte(g, lo);
            put_char(g, '-');
            put_class_byte(g, hi);
            bs_range(&set, lo, hi);
        } else if (pick < 90) {
            char c = shorts[rng_below(g->r, sizeof(shorts) - 1)];
            ps_byteset sh = shorthand(c);

            put_char(g, '\\');
            put_char(g, c);
            bs_union(&set, &sh);
        } else {
            ps_byteset px = posix_class(g);

            bs_union(&set, &px);
        }
    }
    put_char(g, ']');
    if (m->ci)
        bs_fold(&set); /* before negation: caseless [^a] rejects 'A' too */
    if (neg)
        bs_invert(&set);
    g->node[id].set = set;
    return id;
}

static unsigned gen_alt(gen *g, unsigned depth, mode *m);

static unsigned gen_group(gen *g, unsigned depth, const mode *m)
{
    mode in = *m;
    unsigned pick = rng_below(g->r, 100), id;

    if (pick < 45) {
        put(g, "(");
    } else if (pick < 75) {
        put(g, "(?:");
    } else if (pick < 90) {
        put(g, "(?i:");
        in.ci = true;
    } else {
        put(g, "(?-i:");
        in.ci = false;
    }
    id = gen_alt(g, depth + 1, &in);
    put(g, ")");
    return id;
}

static unsigned gen_atom(gen *g, unsigned depth, const mode *m)
{
    unsigned pick = rng_below(g->r, 100);

    if (pick < 50 || (pick >= 83 && depth >= 3))
        return gen_literal(g, m);
    if (pick < 70)
        return gen_class(g, m);
    if (pick < 78) {
        static const char shorts[] = "dwsDWS";
        char c = shorts[rng_below(g->r, sizeof(shorts) - 1)];
        unsigned id = gnew(g, G_BYTE);

        put_char(g, '\\');
        put_char(g, c);
        g->node[id].set = shorthand(c);
        return id;
    }
    if (pick < 83) {
        unsigned id = gnew(g, G_BYTE);

        put_char(g, '.');
        bs_range(&g->node[id].set, 0, 255);
        if (!m->dotall)
            g->node[id].set.w[0] &= ~(UINT64_C(1) << '\n');
        return id;
    }
    return gen_group(g, depth, m);
}

/* An atom, maybe quantified; bounds stay small so Hyperscan compiles fast. */
static unsigned gen_piece(gen *g, unsigned depth, const mode *m)
{
    unsigned atom = gen_atom(g, depth, m), rep, pick;
    uint32_t lo, hi;
    char text[32];

    if (!rng_chance(g->r, 35))
        return atom;
    pick = rng_below(g->r, 6);
    switch (pick) {
    case 0:
        lo = 0;
        hi = UNBOUNDED;
        (void)snprintf(text, sizeof(text), "*");
        break;
    case 1:
        lo = 1;
        hi = UNBOUNDED;
        (void)snprintf(text, sizeof(text), "+");
        break;
    case 2:
        lo = 0;
        hi = 1;
        (void)snprintf(text, sizeof(text), "?");
        break;
    case 3:
        lo = hi = 1 + rng_below(g->r, 4);
        (void)snprintf(text, sizeof(text), "{%u}", (unsigned)lo);
        break;
    case 4:
        lo = rng_below(g->r, 4);
        hi = UNBOUNDED;
        (void)snprintf(text, sizeof(text), "{%u,}", (unsigned)lo);
        break;
    default:
        lo = rng_below(g->r, 4);
        hi = lo + 1 + rng_below(g->r, 4);
        (void)snprintf(text, sizeof(text), "{%u,%u}", (unsigned)lo, (unsigned)hi);
        break;
    }
    put(g, text);
    if (rng_chance(g->r, 25))
        put(g, "?"); /* lazy: the same strings match, so the same need */
    rep = gnew(g, G_REPEAT);
    g->node[rep].min = lo;
    g->node[rep].max = hi;
    gkid(g, rep, atom);
    return rep;
}

/*
 * A concatenation; inline mode switches change m for what follows.  Now and
 * then a long one at the top, of bytes and classes only (cheap to compile),
 * longer than an analysis might track spans over.
 */
static unsigned gen_seq(gen *g, unsigned depth, mode *m)
{
    static const char *const anchors[] = {"^", "$", "\\b", "\\b", "\\B"};
    unsigned cat = gnew(g, G_CAT), items = 1 + rng_below(g->r, depth == 0 ? 5 : 3);
    unsigned inner = depth;

    if (depth == 0 && rng_chance(g->r, 4)) {
        items = 30 + rng_below(g->r, 40);
        inner = 3; /* no groups */
    }
    for (unsigned i = 0; i < items; i++) {
        unsigned pick = rng_below(g->r, 100);

        if (pick < 3) {
            put(g, "(?i)");
            m->ci = true;
        } else if (pick < 5) {
            put(g, "(?-i)");
            m->ci = false;
        } else if (pick < 7) {
            put(g, "(?s)");
            m->dotall = true;
        } else if (pick < 13 && inner == depth) {
            put(g, anchors[rng_below(g->r, sizeof(anchors) / sizeof(anchors[0]))]);
            gkid(g, cat, gnew(g, G_EMPTY));
        } else {
            gkid(g, cat, gen_piece(g, inner, m));
        }
    }
    return cat;
}

static unsigned gen_alt(gen *g, unsigned depth, mode *m)
{
    unsigned n = rng_chance(g->r, depth < 2 ? 30 : 12) ? 2 + rng_below(g->r, 2) : 1, alt;

    if (n == 1)
        return gen_seq(g, depth, m);
    alt = gnew(g, G_ALT);
    for (unsigned i = 0; i < n; i++) {
        if (i > 0)
            put(g, "|");
        if (rng_chance(g->r, 10))
            gkid(g, alt, gnew(g, G_EMPTY)); /* an empty alternative: "(a|)" */
        else
            gkid(g, alt, gen_seq(g, depth, m)); /* m carries on: PCRE scoping */
    }
    return alt;
}

/* A fresh regex in g->re; false when it outgrew the buffers (skip it). */
static bool gen_regex(gen *g, rng *r, bool caseless, unsigned *root)
{
    mode m = {caseless, false};

    g->r = r;
    g->nnodes = 0;
    g->len = 0;
    g->re[0] = '\0';
    g->full = false;
    if (rng_chance(r, 8)) {
        put(g, "(?i)");
        m.ci = true;
    }
    if (rng_chance(r, 4)) {
        put(g, "(?s)");
        m.dotall = true;
    }
    *root = gen_alt(g, 0, &m);
    for (unsigned i = 0; i < g->nnodes; i++) {
        if (g->node[i].kind == G_BYTE)
            g->node[i].edge = bs_edge(&g->node[i].set);
    }
    return !g->full;
}

static bool nullable(const gen *g, unsigned id)
{
    const gnode *x = &g->node[id];

    switch (x->kind) {
    case G_BYTE:
        return false;
    case G_CAT:
        for (uint32_t k = x->first; k != NO_NODE; k = g->node[k].next) {
            if (!nullable(g, k))
                return false;
        }
        return true;
    case G_ALT:
        for (uint32_t k = x->first; k != NO_NODE; k = g->node[k].next) {
            if (nullable(g, k))
                return true;
        }
        return false;
    case G_REPEAT:
        return x->min == 0 || nullable(g, x->first);
    default:
        return true;
    }
}

typedef struct sbuf {
    char b[GEN_STR_MAX];
    size_t n;
    bool full;
} sbuf;

static void sb_byte(sbuf *s, unsigned b)
{
    if (s->n == GEN_STR_MAX)
        s->full = true;
    else
        s->b[s->n++] = (char)b;
}

/* A string the tree matches; repeats lean to their minimum, the shortest
 * matches being the ones that test a need's run lengths hardest. */
static void emit(const gen *g, rng *r, unsigned id, sbuf *out)
{
    const gnode *x = &g->node[id];

    switch (x->kind) {
    case G_BYTE: {
        /* the edge half of the time, when there is one */
        int b = rng_chance(r, 50) ? bs_pick(r, &x->edge) : -1;

        if (b < 0)
            b = bs_pick(r, &x->set);

        sb_byte(out, b >= 0 ? (unsigned)b : rng_below(r, 256));
        break;
    }
    case G_CAT:
        for (uint32_t k = x->first; k != NO_NODE; k = g->node[k].next)
            emit(g, r, k, out);
        break;
    case G_ALT: {
        uint32_t k = x->first;

        for (unsigned skip = rng_below(r, x->nkids); skip > 0; skip--)
            k = g->node[k].next;
        emit(g, r, k, out);
        break;
    }
    case G_REPEAT: {
        uint32_t k = rng_chance(r, 40) ? x->min : x->min + rng_below(r, 4);

        if (k > x->max)
            k = x->max;
        for (uint32_t i = 0; i < k && !out->full; i++)
            emit(g, r, x->first, out);
        break;
    }
    default:
        break;
    }
}

/* Context bytes around a match: mostly text, some of anything. */
static void noise(rng *r, sbuf *out, unsigned max)
{
    unsigned n = rng_below(r, max + 1);

    for (unsigned i = 0; i < n; i++) {
        unsigned pick = rng_below(r, 100);

        if (pick < 50)
            sb_byte(out, 0x20 + rng_below(r, 0x5f));
        else if (pick < 75)
            sb_byte(out, rng_chance(r, 50) ? random_letter(r) : '0' + rng_below(r, 10));
        else
            sb_byte(out, rng_below(r, 256));
    }
}

/* A small edit: flip a letter's case, drop, double or insert a byte.  Most
 * edits break the match (Hyperscan then says so); the rest reach strings the
 * tree alone would not. */
static void mutate(rng *r, sbuf *s)
{
    size_t at;

    if (s->n == 0)
        return;
    at = rng_below(r, (unsigned)s->n);
    switch (rng_below(r, 4)) {
    case 0: {
        unsigned char c = (unsigned char)s->b[at];

        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            s->b[at] = (char)(c ^ 0x20);
        break;
    }
    case 1:
        memmove(s->b + at, s->b + at + 1, s->n - at - 1);
        s->n--;
        break;
    default:
        if (s->n == GEN_STR_MAX)
            break;
        memmove(s->b + at + 1, s->b + at, s->n - at);
        s->n++;
        if (rng_chance(r, 50))
            s->b[at] = (char)rng_below(r, 256);
        break;
    }
}

static void make_string(const gen *g, rng *r, unsigned root, sbuf *out)
{
    out->n = 0;
    out->full = false;
    if (rng_chance(r, 50))
        noise(r, out, 4);
    emit(g, r, root, out);
    if (rng_chance(r, 50))
        noise(r, out, 4);
    if (rng_chance(r, 25))
        mutate(r, out);
}

/* --- 1. soundness against Hyperscan ------------------------------------------ */

#define STRINGS_PER_REGEX 24
#define SET_BATCH 4
#define POOL_PER_REGEX 10

/* The last few regexes' needs and strings, to test ps_need_set on them together. */
typedef struct batch {
    ps_need need[SET_BATCH];
    char re[SET_BATCH][GEN_RE_MAX];
    bool ci[SET_BATCH];
    unsigned n;
    char str[SET_BATCH * POOL_PER_REGEX][GEN_STR_MAX];
    size_t len[SET_BATCH * POOL_PER_REGEX];
    int owner[SET_BATCH * POOL_PER_REGEX]; /* the regex it matches, or -1 */
    unsigned nstr;
} batch;

typedef struct stats {
    unsigned regexes, compiled, solid, solid_with_need, matched, rejected, sets, set_rejected;
    unsigned matched_long; /* matching strings of 64 bytes or more */
    unsigned bad;          /* wrong answers */
} stats;

static void batch_add_string(batch *b, const char *v, size_t n, int owner)
{
    unsigned k = b->nstr;

    if (k == SET_BATCH * POOL_PER_REGEX)
        return;
    memcpy(b->str[k], v, n);
    b->len[k] = n;
    b->owner[k] = owner;
    b->nstr++;
}

/*
 * The set over the batch's needs: a string Hyperscan matched for one of them
 * must be let through, and so must any string that meets one pattern's need
 * (ps_need_holds is the reference; the set may only be looser).
 */
static void batch_check(batch *b, stats *st)
{
    ps_need_set *set = NULL;

    assert_int_equal(ps_need_set_new(b->need, b->n, &set), PS_OK);
    st->sets++;
    for (unsigned k = 0; k < b->nstr; k++) {
        bool may = ps_need_set_may_match(set, b->str[k], b->len[k]);
        int held = -1;

        for (unsigned i = 0; i < b->n && held < 0; i++) {
            if (ps_need_holds(&b->need[i], b->str[k], b->len[k]))
                held = (int)i;
        }
        if (b->owner[k] >= 0 && !may)
            tally(&st->bad, "ps_need_set_may_match rejects a value one pattern of the set matches",
                  b->re[b->owner[k]], b->ci[b->owner[k]], &b->need[b->owner[k]],
                  b->str[k], b->len[k]);
        if (held >= 0 && !may)
            tally(&st->bad, "ps_need_set_may_match rejects a value that meets this pattern's need",
                  b->re[held], b->ci[held], &b->need[held], b->str[k], b->len[k]);
        st->set_rejected += !may;
    }
    ps_need_set_free(set);
    b->n = 0;
    b->nstr = 0;
}

/* One regex: its need against every string Hyperscan matches. */
static void fuzz_one(judge *j, gen *g, rng *r, batch *b, stats *st)
{
    bool caseless = rng_chance(r, 25), ok, solid;
    unsigned root, slot;
    hs_database_t *db;
    ps_need nd;
    sbuf s;

    if (!gen_regex(g, r, caseless, &root))
        return;
    st->regexes++;
    memset(&nd, 0xa5, sizeof(nd)); /* ps_need_of must set n on every path */
    ok = ps_need_of(g->re, caseless, &nd);
    check_shape(g->re, caseless, ok, &nd);
    db = judge_compile(j, g->re, caseless);
    if (db == NULL)
        return; /* Hyperscan refuses it (empty match, never matches, ...) */
    st->compiled++;
    solid = !nullable(g, root);
    st->solid += solid;
    st->solid_with_need += solid && nd.n > 0;
    slot = b->n++;
    b->need[slot] = nd;
    memcpy(b->re[slot], g->re, g->len + 1);
    b->ci[slot] = caseless;
    for (unsigned k = 0; k < STRINGS_PER_REGEX; k++) {
        bool hit;

        make_string(g, r, root, &s);
        if (s.full)
            continue; /* cut short: not a string of the tree */
        hit = judge_matches(j, db, s.b, s.n);
        if (hit) {
            st->matched++;
            st->matched_long += s.n >= 64;
            if (!ps_need_holds(&nd, s.b, s.n))
                tally(&st->bad, "ps_need_holds rejects a value Hyperscan matches",
                      g->re, caseless, &nd, s.b, s.n);
        } else {
            st->rejected += !ps_need_holds(&nd, s.b, s.n);
        }
        if (k < POOL_PER_REGEX)
            batch_add_string(b, s.b, s.n, hit ? (int)slot : -1);
    }
    hs_free_database(db);
    if (b->n == SET_BATCH)
        batch_check(b, st);
}

static void test_sound_random(void **state)
{
    rng r = rng_seeded(1);
    unsigned rounds = (unsigned)env_u64("PS_NEED_ROUNDS", 2000);
    judge j = {NULL};
    gen *g = calloc(1, sizeof(*g));
    batch *b = calloc(1, sizeof(*b));
    stats st = {0};

    (void)state;
    assert_non_null(g);
    assert_non_null(b);
    for (unsigned i = 0; i < rounds; i++)
        fuzz_one(&j, g, &r, b, &st);
    judge_free(&j);
    free(b);
    free(g);
    print_message("%u regexes, %u compiled, %u need a byte (%u with a need), "
                  "%u matching strings (%u long), %u others rejected, %u sets rejecting %u\n",
                  st.regexes, st.compiled, st.solid, st.solid_with_need, st.matched,
                  st.matched_long, st.rejected, st.sets, st.set_rejected);
    if (st.bad > 0)
        fail_msg("%u unsound answers (the first %u above)", st.bad,
                 st.bad < REPORT_MAX ? st.bad : REPORT_MAX);
    /* The property is only as strong as what it ran on: most regexes must
     * compile and match, and the analysis must have said something. */
    assert_true(st.compiled * 2 >= st.regexes);
    assert_true(st.matched >= st.compiled * 4);
    assert_true(st.matched_long >= 100);
    assert_true(st.solid_with_need * 2 >= st.solid);
    assert_true(st.rejected > 0);
    assert_true(st.set_rejected > 0);
}

/* A literal longer than an analysis might track spans over. */
#define DIGITS10 "0123456789"
#define DIGITS100 DIGITS10 DIGITS10 DIGITS10 DIGITS10 DIGITS10 \
    DIGITS10 DIGITS10 DIGITS10 DIGITS10 DIGITS10

/*
 * Spellings the generator does not produce, and the corners it reaches only
 * by luck, each with a value Hyperscan matches (checked first, so the table
 * cannot rot): quoting, octal and brace escapes, control escapes, \h and
 * \v, POSIX classes, where a case-insensitive scope ends (a negated class
 * after it must not lose the other case), inline modes that run on across
 * alternatives, zero-width matches of anchored patterns, and Hyperscan's
 * literal reading of malformed braces.
 */
static void test_sound_table(void **state)
{
    static const struct {
        const char *re;
        bool caseless;
        const char *v;
        size_t n;
    } cases[] = {
        {"\\Qa.b\\E", false, S("xa.by")},
        {"[\\Q]\\E]x", false, S("]x")},
        {"a\\Eb", false, S("ab")},
        {"a{,3}", false, S("a{,3}")},
        {"a{", false, S("a{")},
        {"ba{1", false, S("ba{1")},
        {"x{2,3}?y", false, S("xxy")},
        {"\\x41", true, S("a")},
        {"\\x41\\x42", true, S("ab")},
        {"\\101", false, S("A")},
        {"\\o{101}", false, S("A")},
        {"\\x{41}", false, S("A")},
        {"[\\x{41}-\\x{43}]", true, S("b")},
        {"q\\x", false, S("q\0")},
        {"\\x4g", false, S("\x04g")},
        {"q\\0", false, S("q\0")},
        {"\\cA", false, S("\x01")},
        {"\\e\\a", false, S("\x1b\x07")},
        {"[\\b]", false, S("\x08")},
        {"x\\v", false, S("x\x85")},
        {"x\\v", false, S("x\x0b")},
        {"x\\h", false, S("x\xa0")},
        {"x\\V", false, S("xa")},
        {"x\\H", false, S("xa")},
        {"x\\s", false, S("x\x0b")},
        {"x[\\s]", false, S("x\x0b")},
        {"\\S\\S", false, S("\xa0\xff")},
        {"\\C+x", false, S("\xff\x00x")},
        {"(?s)a.b", false, S("a\nb")},
        {"(?s:a.)b", false, S("a\nb")},
        {"(?m)^a", false, S("b\na")},
        {"a$", false, S("a\n")},
        {"\\Aab\\z", false, S("ab")},
        {"ab\\Z", false, S("ab\n")},
        {"a(?i)b|c", false, S("C")},
        {"(?i)a|b", false, S("B")},
        {"x(a(?i)b|c)", false, S("xC")},
        {"(a(?i)b)c", false, S("aBc")},
        {"(?i:a(?-i)b|c)", false, S("AbC")},
        {"(?-i:a)b", true, S("aB")},
        {"(?i:x)[^a]", false, S("xA")},
        {"(?i:x)[^a-c]{2}", false, S("xBC")},
        {"(?i)x(?-i)[^a]", false, S("xA")},
        {"(?-i:[^a])b", true, S("AB")},
        {"(x(?i)y)[^a]z", false, S("xYAz")},
        {"(?i)(?-i:a)b", false, S("aB")},
        {"[]a]", false, S("]")},
        {"[a-]", false, S("-")},
        {"[-a]", false, S("-")},
        {"[\\d-z]", false, S("-")},
        {"[\\w-]", false, S("-")},
        {"[!-/]", false, S("/")},
        {"[^a]", true, S("B")},
        {"[Z-a]", true, S("z")},
        {"[A-Z]{3}", true, S("abc")},
        {"(?i)[^a-z]", false, S("1")},
        {"[[:alpha:]]+", false, S("abc")},
        {"[[:^alpha:]]", false, S("1")},
        {"[[:digit:][:punct:]]{3}", false, S("1.2")},
        {"[[:space:]]", false, S("\x0b")},
        {"[[:upper:]]", true, S("a")},
        {"(?<n>a)b", false, S("ab")},
        {"(?P<n>a)b", false, S("ab")},
        {"(?#c)ab", false, S("ab")},
        {"(*UTF8)ab", false, S("ab")},
        {"\\Y", false, S("Y")},
        {"\\_", false, S("_")},
        {"\\8", false, S("8")},
        {"\\ ", false, S(" ")},
        {"\\p{L}+", false, S("a")},
        {"(?x) a b", false, S("ab")},
        {"(?x)a#b\nc", false, S("ac")},
        {"x(|a)", false, S("x")},
        {"x(a|b|)", false, S("x")},
        {"(|)x", false, S("x")},
        {"^a*", false, S("x")},
        {"a*$", false, S("x")},
        {"\\ba*", false, S("x")},
        {"x*\\b", false, S("a")},
        {"\\b", false, S("x")},
        {"^", false, S("x")},
        {"$", false, S("x")},
        {"^$", false, S("")},
        {"(^|a)b", false, S("b")},
        {"^[0-9\\s.,:;+-]*$", false, S("")},
        {"^[0-9\\s.,:;+-]*$", false, S("\n")},
        {"a{12}", false, S("x" "aaaa" "aaaa" "aaaa" "x")},
        {DIGITS100, false, S("x" DIGITS100 "x")},
        {"(ab|cd){2}", false, S("abcd")},
        {"[\\xc0-\\xff]{2}", true, S("\xe9\xc9")},
        {"(ab){3,}", false, S("ababab")},
        {"((((a))))", false, S("a")},
        {"\\xff+", false, S("\xff")},
        {"\\d+(?:\\.\\d+){3}", false, S("1.2.3.4")},
        {"(?i)MAIDEN", false, S("maiden")},
        {"maiden\\x20name", true, S("MAIDEN NAME")},
        {"pet\\x27s\\x20name", true, S("Pet's Name")},
    };
    judge j = {NULL};
    unsigned bad = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hs_database_t *db = judge_compile(&j, cases[i].re, cases[i].caseless);
        ps_need nd;
        bool ok;

        memset(&nd, 0xa5, sizeof(nd));
        ok = ps_need_of(cases[i].re, cases[i].caseless, &nd);
        check_shape(cases[i].re, cases[i].caseless, ok, &nd);
        if (db == NULL)
            fail_msg("case %zu: Hyperscan refuses %s", i, cases[i].re);
        if (!judge_matches(&j, db, cases[i].v, cases[i].n))
            fail_msg("case %zu: the table is wrong, Hyperscan does not match %s", i, cases[i].re);
        if (!ps_need_holds(&nd, cases[i].v, cases[i].n))
            tally(&bad, "ps_need_holds rejects a value Hyperscan matches", cases[i].re,
                  cases[i].caseless, &nd, cases[i].v, cases[i].n);
        hs_free_database(db);
    }
    judge_free(&j);
    if (bad > 0)
        fail_msg("%u of the table's cases are unsound (the first %u above)", bad,
                 bad < REPORT_MAX ? bad : REPORT_MAX);
}

/* --- 2. the rule pack ------------------------------------------------------- */

/* The expression Hyperscan sees, as the matcher builds it; free() the result. */
static char *hs_expr_of(const ps_pattern *p)
{
    char *owned;
    const char *expr = ps_pattern_regex(p, &owned);

    assert_non_null(expr);
    return owned != NULL ? owned : ps_strdup(expr);
}

static ps_ruleset *load_vtech(void)
{
    ps_ruleset *rs = NULL;
    ps_diag diag = {{0}};

    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    if (ps_rules_load_path(rs, VTECH, &diag) != PS_OK)
        fail_msg("%s: %s", VTECH, diag.msg);
    return rs;
}

/* Values the pack's patterns do match, and values from a store that none
 * of the prefilter set below can. */
static const char *const pack_values[] = {
    "jdoe1234@mail.com",
    "2015-11-14T10:22:01Z INFO login ok user=ann@example.co.uk ip=10.1.2.3",
    "81.2.69.160",
    "login ok user=x ip=10.1.2.3",
    "4111 1111 1111 1111",
    "paid with 5555-5555-5555-4444 ok",
    "Hello, your new password is: sparkle42",
    "password is: sparkle42",
    "2015-11-14 DEBUG login user=x password=hunter22",
    "Mother's maiden name?",
    "reset: question='First pet's name?'",
    "+1 555-010-0199",
    "export DB_PASSWORD=hunter2",
    "MEDIA_AES_KEY=8f2a9c0d",
    "400",
    "Hi grandma! Emma drew a cat today",
};

static const char *const store_values[] = {
    "2015-10-01T00:00:06Z", "100000", "2004-12-25",
    "5f4dcc3b5aa765d61d8327deb882cf99", "Emma", "33 High St",
};

/*
 * Every VALUE pattern of the pack has a need, and it holds on every value
 * Hyperscan matches: the fixed values above plus every example value the
 * pack's own rules carry.  `^[0-9\s.,:;+-]*$` can match the empty string,
 * so its need is empty, but the analysis still knows its syntax (true).
 */
static void test_pack_sound(void **state)
{
    ps_ruleset *rs = load_vtech();
    judge j = {NULL};
    unsigned patterns = 0, matched = 0;

    (void)state;
    for (size_t i = 0; i < rs->npatterns; i++) {
        const ps_pattern *p = &rs->patterns[i];
        bool caseless = (p->flags & PS_PAT_CASELESS) != 0;
        char *expr;
        hs_database_t *db;
        ps_need nd;
        bool ok;

        if (p->target != PS_TARGET_VALUE)
            continue;
        patterns++;
        expr = hs_expr_of(p);
        memset(&nd, 0xa5, sizeof(nd));
        ok = ps_need_of(expr, caseless, &nd);
        check_shape(expr, caseless, ok, &nd);
        if (!ok)
            fail_msg("ps_need_of does not know the pack's pattern %s", expr);
        db = judge_compile(&j, expr, caseless);
        assert_non_null(db);
        for (size_t k = 0; k < sizeof(pack_values) / sizeof(pack_values[0]); k++) {
            size_t n = strlen(pack_values[k]);

            if (!judge_matches(&j, db, pack_values[k], n))
                continue;
            matched++;
            if (!ps_need_holds(&nd, pack_values[k], n))
                unsound("the pack: ps_need_holds rejects a value Hyperscan matches",
                        expr, caseless, &nd, pack_values[k], n);
        }
        for (size_t r = 0; r < rs->nrules; r++) {
            for (size_t e = 0; e < rs->rules[r].nexamples; e++) {
                const ps_example *ex = &rs->rules[r].examples[e];

                if (ex->value == NULL || !judge_matches(&j, db, ex->value, ex->value_len))
                    continue;
                matched++;
                if (!ps_need_holds(&nd, ex->value, ex->value_len))
                    unsound("the pack: ps_need_holds rejects an example Hyperscan matches",
                            expr, caseless, &nd, ex->value, ex->value_len);
            }
        }
        hs_free_database(db);
        free(expr);
    }
    assert_true(patterns >= 10);
    assert_true(matched >= 20);
    judge_free(&j);
    ps_ruleset_destroy(rs);
}

/* The index of the VALUE pattern written expr in the pack; fails when absent,
 * so a changed pack says which expectation to revisit. */
static size_t pack_find(const ps_ruleset *rs, const char *expr)
{
    for (size_t i = 0; i < rs->npatterns; i++) {
        if (rs->patterns[i].target == PS_TARGET_VALUE && strcmp(rs->patterns[i].expr, expr) == 0)
            return i;
    }
    fail_msg("vtech.yml has no VALUE pattern %s", expr);
    return 0;
}

/*
 * The prefilter earns its keep: over the pack's email, IPv4, card and
 * password-in-text regexes and the secret-question keywords, typical store
 * values (timestamps, counts, dates, hashes, names, addresses) are turned
 * away, while values that do match are let through.
 */
static void test_pack_set_rejects_store_values(void **state)
{
    static const char *const exprs[] = {
        "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}",
        "\\b(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\\b",
        "[0-9][0-9 -]{11,22}[0-9]",
        "(?i)\\b(password|passwd|mot de passe|passwort|kennwort)\\s*(is|est|ist)?\\s*[:=]\\s*[^\\s]{4,}",
        "maiden name", "first pet", "pet's name", "city of birth", "born in",
        "favourite teacher", "favorite teacher", "first school", "childhood friend",
        "nom de jeune fille",
    };
    enum { N = sizeof(exprs) / sizeof(exprs[0]) };
    ps_ruleset *rs = load_vtech();
    ps_need needs[N];
    char *expr[N];
    bool ci[N];
    hs_database_t *db[N];
    ps_need_set *set = NULL;
    judge j = {NULL};

    (void)state;
    for (size_t i = 0; i < N; i++) {
        const ps_pattern *p = &rs->patterns[pack_find(rs, exprs[i])];

        expr[i] = hs_expr_of(p);
        ci[i] = (p->flags & PS_PAT_CASELESS) != 0;
        assert_true(ps_need_of(expr[i], ci[i], &needs[i]));
        assert_true(needs[i].n > 0);
        db[i] = judge_compile(&j, expr[i], ci[i]);
        assert_non_null(db[i]);
    }
    assert_int_equal(ps_need_set_new(needs, N, &set), PS_OK);
    assert_non_null(set);
    for (size_t k = 0; k < sizeof(store_values) / sizeof(store_values[0]); k++) {
        const char *v = store_values[k];

        for (size_t i = 0; i < N; i++) {
            if (judge_matches(&j, db[i], v, strlen(v)))
                fail_msg("store value \"%s\" matches %s: it cannot be in this list", v, expr[i]);
        }
        if (ps_need_set_may_match(set, v, strlen(v)))
            fail_msg("the set lets \"%s\" through, though no pattern can match it", v);
    }
    for (size_t k = 0; k < sizeof(pack_values) / sizeof(pack_values[0]); k++) {
        const char *v = pack_values[k];

        for (size_t i = 0; i < N; i++) {
            if (judge_matches(&j, db[i], v, strlen(v)) &&
                !ps_need_set_may_match(set, v, strlen(v)))
                unsound("the pack's set rejects a value Hyperscan matches", expr[i], ci[i],
                        &needs[i], v, strlen(v));
        }
    }
    ps_need_set_free(set);
    for (size_t i = 0; i < N; i++) {
        hs_free_database(db[i]);
        free(expr[i]);
    }
    judge_free(&j);
    ps_ruleset_destroy(rs);
}

/* --- 3. syntax the analysis must not guess at ------------------------------------ */

/*
 * Back-references, Unicode properties (Hyperscan takes \p{L} even in byte
 * mode), extended mode (spaces stop being literal), unbalanced parentheses
 * and a{,3} (a literal to Hyperscan, a repeat to other engines): no
 * requirement, so every value is scanned.
 */
static void test_unknown_syntax(void **state)
{
    static const char *const exprs[] = {
        "(a)\\1", "\\p{L}+", "(?x) a b", "(", "a(b", "a{,3}",
    };
    static const char *const values[] = {"", "a", "zzz", "a b", "\xff"};

    (void)state;
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        for (int ci = 0; ci < 2; ci++) {
            ps_need nd;

            memset(&nd, 0xa5, sizeof(nd));
            if (ps_need_of(exprs[i], ci != 0, &nd))
                fail_msg("ps_need_of(%s, caseless=%d) claims to know it", exprs[i], ci);
            if (nd.n != 0)
                fail_msg("ps_need_of(%s) failed but left n = %u", exprs[i], nd.n);
            for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++)
                assert_true(ps_need_holds(&nd, values[k], strlen(values[k])));
        }
    }
}

/* --- 4. what a correct analysis must find ------------------------------------------ */

static ps_need need_of(const char *expr, bool caseless)
{
    ps_need nd;

    memset(&nd, 0xa5, sizeof(nd));
    if (!ps_need_of(expr, caseless, &nd))
        fail_msg("ps_need_of does not know %s", expr);
    check_shape(expr, caseless, true, &nd);
    return nd;
}

static bool holds(const ps_need *nd, const char *v)
{
    return ps_need_holds(nd, v, strlen(v));
}

static void test_specific(void **state)
{
    ps_need nd;

    (void)state;
    /* The header's own examples: an email needs an '@'. */
    nd = need_of("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}", false);
    assert_false(holds(&nd, "no address given"));
    assert_false(holds(&nd, "2015-10-01T00:00:06Z"));
    assert_true(holds(&nd, "a@b.cc"));
    assert_true(holds(&nd, "x jdoe1234@mail.com y"));

    /* IPv4: seven bytes of [0-9.] at least, so no date, time or short number. */
    nd = need_of("\\b(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
                 "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\\b", false);
    assert_false(holds(&nd, "2015-10-01T00:00:06Z"));
    assert_false(holds(&nd, "123456"));
    assert_true(holds(&nd, "81.2.69.160"));
    assert_true(holds(&nd, "0.0.0.0"));

    /* A card: thirteen bytes of [0-9 -] at least. */
    nd = need_of("[0-9][0-9 -]{11,22}[0-9]", false);
    assert_false(holds(&nd, "20151103"));
    assert_false(holds(&nd, "2015-10-01T00:00:06Z"));
    assert_true(holds(&nd, "4111 1111 1111 1111"));
    assert_true(holds(&nd, "1234567890123"));

    /* A caseless literal, in the escaped form the matcher hands over. */
    nd = need_of("maiden\\x20name", true);
    assert_true(nd.n > 0);
    assert_true(holds(&nd, "MAIDEN NAME"));
    assert_true(holds(&nd, "Mother's Maiden Name?"));
    nd = need_of("maiden\\x20name", false);
    assert_true(holds(&nd, "maiden name"));

    /* Case matters only when caseless: "A" then needs 'A' or 'a'. */
    nd = need_of("A", true);
    assert_true(holds(&nd, "a"));
    assert_true(holds(&nd, "A"));
    nd = need_of("\\x41", true);
    assert_true(holds(&nd, "a"));

    /* A pattern that can match nothing at all has no need, but is known. */
    nd = need_of("a*", false);
    assert_int_equal(nd.n, 0);
    nd = need_of("x?", false);
    assert_int_equal(nd.n, 0);

    /* Either branch will do. */
    nd = need_of("x|y", false);
    assert_true(holds(&nd, "y"));
    assert_true(holds(&nd, "x"));
    nd = need_of("ab|", false); /* the empty alternative matches anywhere */
    assert_int_equal(nd.n, 0);

    /* A literal with a long run: any need of it holds on the literal. */
    nd = need_of("hello", false);
    assert_true(nd.n > 0);
    assert_true(holds(&nd, "say hello"));
    assert_false(holds(&nd, "")); /* a need with a clause never holds on nothing */
}

/* ps_need_holds is the plain reference check: exact answers on built needs. */
static ps_need clause1(unsigned lo, unsigned hi, uint32_t run)
{
    ps_need nd;

    memset(&nd, 0, sizeof(nd));
    nd.n = 1;
    bs_range(&nd.c[0].set, lo, hi);
    nd.c[0].run = run;
    return nd;
}

static void test_holds_reference(void **state)
{
    ps_need none, at = clause1('@', '@', 1), digits = clause1('0', '9', 3), both, high;

    (void)state;
    memset(&none, 0, sizeof(none));
    assert_true(ps_need_holds(&none, "", 0));
    assert_true(ps_need_holds(&none, S("anything")));

    assert_true(ps_need_holds(&at, S("a@b")));
    assert_false(ps_need_holds(&at, S("ab")));
    assert_false(ps_need_holds(&at, "", 0));
    assert_false(ps_need_holds(&at, "a@b", 1)); /* only v[0..n) counts */

    assert_false(ps_need_holds(&digits, S("12a34")));
    assert_true(ps_need_holds(&digits, S("a123b")));
    assert_true(ps_need_holds(&digits, S("ab123"))); /* a run that ends the value */
    assert_true(ps_need_holds(&digits, S("123ab")));
    assert_false(ps_need_holds(&digits, S("12")));

    both = at;
    both.n = 2;
    bs_range(&both.c[1].set, '0', '9');
    both.c[1].run = 2;
    assert_false(ps_need_holds(&both, S("@1")));
    assert_false(ps_need_holds(&both, S("12")));
    assert_true(ps_need_holds(&both, S("@12")));
    assert_true(ps_need_holds(&both, S("12 x @")));

    high = clause1(0x00, 0x00, 2);
    assert_true(ps_need_holds(&high, S("\xff\0\0")));
    high = clause1(0xff, 0xff, 2);
    assert_false(ps_need_holds(&high, S("\xff\0\xff")));
    assert_true(ps_need_holds(&high, S("\0\xff\xff")));
}

/* --- 5. needs and sets on random needs, and the set's edge cases -------------------- */

/* The longest run of nd's clause c in v: the definition, spelled out. */
static uint32_t longest_run(const ps_need_clause *c, const char *v, size_t n)
{
    uint32_t best = 0, cur = 0;

    for (size_t i = 0; i < n; i++) {
        cur = bs_has(&c->set, (unsigned char)v[i]) ? cur + 1 : 0;
        if (cur > best)
            best = cur;
    }
    return best;
}

static bool ref_holds(const ps_need *nd, const char *v, size_t n)
{
    for (unsigned i = 0; i < nd->n; i++) {
        if (longest_run(&nd->c[i], v, n) < nd->c[i].run)
            return false;
    }
    return true;
}

/* The bytes random needs and values are made of: few, so values meet needs
 * often enough; NUL and 0xff among them. */
static const char alphabet[] = "abcdefgh\xff\0ijklmn";
#define ALPHABET_SMALL 10u
#define ALPHABET_LARGE (sizeof(alphabet) - 1)

static ps_need random_need(rng *r, unsigned letters)
{
    ps_need nd;

    unsigned runs = 0;

    memset(&nd, 0, sizeof(nd));
    nd.n = 1 + rng_below(r, PS_NEED_CLAUSES < 4 ? PS_NEED_CLAUSES : 4);
    for (unsigned i = 0; i < nd.n; i++) {
        unsigned members = 1 + rng_below(r, 4);

        for (unsigned k = 0; k < members; k++)
            bs_add(&nd.c[i].set, (unsigned char)alphabet[rng_below(r, letters)]);
        /* as ps_need_of makes them: at most PS_NEED_RUNS runs of more than one */
        nd.c[i].run = runs < PS_NEED_RUNS ? 1 + rng_below(r, 4) : 1;
        runs += nd.c[i].run > 1;
    }
    return nd;
}

/*
 * ps_need_holds against the definition, exactly; and any set over random
 * needs lets through every value that meets one of them.  Some rounds use
 * many needs over more bytes: more distinct classes than a 64-bit mask.
 */
static void test_random_needs(void **state)
{
    rng r = rng_seeded(2);
    unsigned rounds = (unsigned)env_u64("PS_NEED_ROUNDS", 2000), rejected = 0, nulls = 0;

    (void)state;
    for (unsigned round = 0; round < rounds / 4; round++) {
        ps_need needs[64];
        bool many = rng_chance(&r, 20);
        unsigned letters = many ? ALPHABET_LARGE : ALPHABET_SMALL;
        size_t n = many ? 20 + rng_below(&r, 45) : 1 + rng_below(&r, 8);
        ps_need_set *set = NULL;

        for (size_t i = 0; i < n; i++)
            needs[i] = random_need(&r, letters);
        assert_int_equal(ps_need_set_new(needs, n, &set), PS_OK);
        nulls += set == NULL;
        for (unsigned k = 0; k < 16; k++) {
            char v[40];
            size_t len = rng_below(&r, sizeof(v) + 1);
            bool any = false;

            for (size_t i = 0; i < len; i++)
                v[i] = alphabet[rng_below(&r, letters)];
            for (size_t i = 0; i < n; i++) {
                bool h = ps_need_holds(&needs[i], v, len);
                char sv[200], sn[1600];

                if (h != ref_holds(&needs[i], v, len))
                    fail_msg("ps_need_holds says %d on \"%s\" for %s", h,
                             show(sv, sizeof(sv), v, len), show_need(sn, sizeof(sn), &needs[i]));
                any = any || h;
            }
            if (any && !ps_need_set_may_match(set, v, len)) {
                char sv[200];

                fail_msg("round %u: the set of %zu needs rejects \"%s\", which meets one",
                         round, n, show(sv, sizeof(sv), v, len));
            }
            rejected += !ps_need_set_may_match(set, v, len);
        }
        ps_need_set_free(set);
    }
    print_message("%u sets (%u NULL), %u values rejected\n", rounds / 4, nulls, rejected);
    assert_true(rejected > 0); /* sets of simple needs reject something */
}

static void test_set_edges(void **state)
{
    ps_need needs[3];
    ps_need_set *set = (ps_need_set *)&needs; /* any non-NULL: ps_need_set_new must set it */
    char longv[PS_NEED_SCAN_MAX + 64];

    (void)state;
    ps_need_set_free(NULL);
    assert_true(ps_need_set_may_match(NULL, S("x")));
    assert_true(ps_need_set_may_match(NULL, "", 0));

    /* One pattern without a need: every value may match, so no set. */
    needs[0] = need_of("hello", false);
    needs[1] = need_of("a*b?", false);
    assert_int_equal(needs[1].n, 0);
    assert_int_equal(ps_need_set_new(needs, 2, &set), PS_OK);
    assert_null(set);
    assert_true(ps_need_set_may_match(set, S("zzz")));

    /* Every pattern needs something: the empty value meets none. */
    needs[0] = need_of("x", false);
    needs[1] = need_of("[0-9]{3}", false);
    needs[2] = need_of("maiden\\x20name", true);
    assert_int_equal(ps_need_set_new(needs, 3, &set), PS_OK);
    assert_non_null(set);
    assert_false(ps_need_set_may_match(set, "", 0));
    assert_true(ps_need_set_may_match(set, S("x")));
    assert_true(ps_need_set_may_match(set, S("a123")));
    assert_true(ps_need_set_may_match(set, S("Maiden NAME")));

    /* Past PS_NEED_SCAN_MAX the set does not look: true, need or not. */
    memset(longv, 'q', sizeof(longv));
    assert_true(ps_need_set_may_match(set, longv, PS_NEED_SCAN_MAX + 1));
    assert_true(ps_need_set_may_match(set, longv, sizeof(longv)));
    /* ... while ps_need_holds has no such limit, either way. */
    assert_false(ps_need_holds(&needs[0], longv, sizeof(longv)));
    longv[sizeof(longv) - 1] = 'x';
    assert_true(ps_need_holds(&needs[0], longv, sizeof(longv)));
    assert_true(ps_need_set_may_match(set, longv, sizeof(longv)));
    /* A match inside the scanned length is found wherever it sits. */
    assert_true(ps_need_set_may_match(set, longv + sizeof(longv) - PS_NEED_SCAN_MAX,
                                      PS_NEED_SCAN_MAX));
    ps_need_set_free(set);
}

/* If v meets one of needs[0..n), the set must let it through. */
static void check_set_reference(const ps_need_set *set, const ps_need *needs,
                                char exprs[][16], size_t n, const char *v, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (ps_need_holds(&needs[i], v, len) && !ps_need_set_may_match(set, v, len))
            unsound("a set of many classes rejects a value that meets one need", exprs[i],
                    false, &needs[i], v, len);
    }
}

/*
 * More byte classes than a set can track in one machine word: either no set
 * (always scan) or one that still answers soundly for every pattern.  First
 * one class per pattern (33 and 100 of them), then two-byte literals whose
 * needs have several clauses each, about 90 classes in all, which a set may
 * shed clauses to fit.
 */
static void test_set_many_classes(void **state)
{
    enum { N = 100, PAIRS = 30 };
    ps_need needs[N];
    char exprs[N][16], v[8];
    unsigned bytes[N];
    ps_need_set *set = NULL;
    judge j = {NULL};
    rng r = rng_seeded(3);

    (void)state;
    for (unsigned i = 0; i < N; i++) {
        /* 40 distinct plain bytes (a run of three), then 60 more distinct
         * bytes spelled \xHH, among them high ones. */
        if (i < 26)
            bytes[i] = 'a' + i;
        else if (i < 36)
            bytes[i] = '0' + (i - 26);
        else if (i < 40)
            bytes[i] = (unsigned char)"@#%&"[i - 36];
        else
            bytes[i] = 0x80 + (i - 40);
        if (i < 40)
            (void)snprintf(exprs[i], sizeof(exprs[i]), "%c{3}", (char)bytes[i]);
        else
            (void)snprintf(exprs[i], sizeof(exprs[i]), "\\x%02x\\x%02x", bytes[i], bytes[i]);
        needs[i] = need_of(exprs[i], false);
        assert_true(needs[i].n > 0);
    }
    for (unsigned count = 33; count <= N; count += 67) {
        assert_int_equal(ps_need_set_new(needs, count, &set), PS_OK);
        for (unsigned i = 0; i < count; i++) {
            unsigned run = i < 40 ? 3 : 2;

            memset(v, 'Z', sizeof(v));
            memset(v + 2, (int)bytes[i], run);
            if (count == 33 || i >= 33)
                assert_true(hs_says(&j, exprs[i], false, v, sizeof(v)));
            if (!ps_need_set_may_match(set, v, sizeof(v)))
                unsound("a set of many classes rejects a value one pattern matches",
                        exprs[i], false, &needs[i], v, sizeof(v));
        }
        ps_need_set_free(set);
        set = NULL;
    }

    for (unsigned i = 0; i < PAIRS; i++) {
        (void)snprintf(exprs[i], sizeof(exprs[i]), "\\x%02x\\x%02x", 0x80 + 2 * i, 0x81 + 2 * i);
        needs[i] = need_of(exprs[i], false);
        assert_true(needs[i].n > 0);
    }
    assert_int_equal(ps_need_set_new(needs, PAIRS, &set), PS_OK);
    for (unsigned i = 0; i < PAIRS; i++) {
        memset(v, 'Z', sizeof(v));
        v[3] = (char)(0x80 + 2 * i);
        v[4] = (char)(0x81 + 2 * i);
        assert_true(hs_says(&j, exprs[i], false, v, sizeof(v)));
        if (!ps_need_set_may_match(set, v, sizeof(v)))
            unsound("a set of many classes rejects a value one pattern matches",
                    exprs[i], false, &needs[i], v, sizeof(v));
    }
    for (unsigned k = 0; k < 2000; k++) {
        for (size_t i = 0; i < sizeof(v); i++)
            v[i] = (char)(rng_chance(&r, 10) ? 'Z' : 0x80 + rng_below(&r, 2 * PAIRS));
        check_set_reference(set, needs, exprs, PAIRS, v, sizeof(v));
    }
    ps_need_set_free(set);
    judge_free(&j);
}

/* --- 6. the set's answer, exactly --------------------------------------------------- */

/*
 * What ps_need_set_may_match answers, spelled out: true past
 * PS_NEED_SCAN_MAX, else whether v meets one of needs[0..n) (by ref_holds,
 * the definition).  Exact while every clause finds its class in the set's
 * tables (needs_fit); otherwise only a bound the set may not go under.
 */
static bool set_reference(const ps_need *needs, size_t n, const char *v, size_t len)
{
    if (len > PS_NEED_SCAN_MAX)
        return true;
    for (size_t i = 0; i < n; i++) {
        if (ref_holds(&needs[i], v, len))
            return true;
    }
    return false;
}

/* Adds set to l[0..*n) when new; false when that would make more than max. */
static bool class_add(ps_byteset *l, unsigned *n, unsigned max, const ps_byteset *set)
{
    for (unsigned i = 0; i < *n; i++) {
        if (memcmp(&l[i], set, sizeof(*set)) == 0)
            return true;
    }
    if (*n == max)
        return false;
    l[(*n)++] = *set;
    return true;
}

/* Whether the set keeps every clause: at most 64 distinct sets of each kind. */
static bool needs_fit(const ps_need *needs, size_t n)
{
    static ps_byteset ones[64], runs[64];
    unsigned nones = 0, nruns = 0;

    for (size_t i = 0; i < n; i++) {
        for (unsigned j = 0; j < needs[i].n; j++) {
            const ps_need_clause *c = &needs[i].c[j];

            if (!(c->run > 1 ? class_add(runs, &nruns, 64, &c->set)
                             : class_add(ones, &nones, 64, &c->set)))
                return false;
        }
    }
    return true;
}

/* The set's answer on v against set_reference: equal when exact, never below. */
static void check_answer(const ps_need_set *set, const ps_need *needs, size_t n, bool exact,
                         const char *v, size_t len)
{
    bool want = set_reference(needs, n, v, len), got = ps_need_set_may_match(set, v, len);
    char sv[1100], sn[1600];

    if (got == want || (!exact && got))
        return;
    for (size_t i = 0; i < n && i < 4; i++)
        print_error("  need %zu: %s\n", i, show_need(sn, sizeof(sn), &needs[i]));
    fail_msg("a set of %zu needs (%s) says %d, not %d, on \"%s\" (%zu bytes)", n,
             exact ? "exact" : "bound", got, want, show(sv, sizeof(sv), v, len), len);
}

/* A byte of alphabet[0..letters) outside set, or any byte of it when none is. */
static char byte_outside(rng *r, const ps_byteset *set, unsigned letters)
{
    for (unsigned t = 0; t < 16; t++) {
        char c = alphabet[rng_below(r, letters)];

        if (!bs_has(set, (unsigned char)c))
            return c;
    }
    return alphabet[rng_below(r, letters)];
}

/*
 * Into v (PS_NEED_SCAN_MAX + 1 bytes or more): a run of `run` bytes of c's
 * set, bounded by bytes outside it where the alphabet has some, with noise
 * before and after; at the very start, the very end, or inside.  The length.
 */
static size_t value_with_run(rng *r, char *v, const ps_need_clause *c, uint32_t run,
                             unsigned letters, size_t max)
{
    size_t before = 0, after = 0, k = 0;
    unsigned where = rng_below(r, 3);

    if (run > max)
        run = (uint32_t)max;
    if (where != 0)
        before = rng_below(r, (unsigned)(max - run) + 1);
    if (where != 1 && max - run - before > 0)
        after = rng_below(r, (unsigned)(max - run - before) + 1);
    for (size_t i = 0; i + 1 < before; i++)
        v[k++] = alphabet[rng_below(r, letters)];
    if (before > 0)
        v[k++] = byte_outside(r, &c->set, letters);
    for (uint32_t i = 0; i < run; i++) {
        int b = bs_pick(r, &c->set);

        v[k++] = b >= 0 ? (char)b : 'z';
    }
    if (after > 0)
        v[k++] = byte_outside(r, &c->set, letters);
    for (size_t i = 1; i < after; i++)
        v[k++] = alphabet[rng_below(r, letters)];
    return k;
}

/*
 * ps_need_set_may_match against set_reference on random needs: random
 * values, and values built around one clause's run, of exactly its length,
 * one short, at either end, up to PS_NEED_SCAN_MAX and one past.  Some
 * rounds take more classes than the set's presence word holds (the run
 * classes past it go without a presence bit, patterns with no bit at all
 * are tried on every value), and a few more than its tables hold.
 */
static void test_set_exact(void **state)
{
    rng r = rng_seeded(4);
    unsigned rounds = (unsigned)env_u64("PS_NEED_ROUNDS", 2000), exact = 0, checked = 0;
    static char v[PS_NEED_SCAN_MAX + 8];

    (void)state;
    for (unsigned round = 0; round < rounds / 2; round++) {
        static ps_need needs[160];
        unsigned kind = rng_below(&r, 10);
        unsigned letters = kind < 6 ? ALPHABET_SMALL : ALPHABET_LARGE;
        size_t n = kind < 6 ? 1 + rng_below(&r, 8) : kind < 9 ? 20 + rng_below(&r, 45)
                                                             : 100 + rng_below(&r, 60);
        ps_need_set *set = NULL;
        bool fit;

        for (size_t i = 0; i < n; i++) {
            needs[i] = random_need(&r, letters);
            /* many needs: classes of high bytes too, so the tables fill up */
            if (kind >= 6 && rng_chance(&r, 50))
                bs_add(&needs[i].c[0].set, 0x80 + rng_below(&r, 0x7f));
        }
        fit = needs_fit(needs, n);
        exact += fit;
        assert_int_equal(ps_need_set_new(needs, n, &set), PS_OK);
        if (set == NULL) /* only when some need lost every clause to full tables */
            assert_false(fit);
        check_answer(set, needs, n, fit, "", 0);
        for (unsigned k = 0; k < 24; k++) {
            const ps_need *nd = &needs[rng_below(&r, (unsigned)n)];
            const ps_need_clause *c = &nd->c[rng_below(&r, nd->n)];
            size_t len, max = rng_chance(&r, 10) ? PS_NEED_SCAN_MAX + rng_below(&r, 2) : 40;

            if (k < 8) {
                len = rng_below(&r, 41);
                for (size_t i = 0; i < len; i++)
                    v[i] = alphabet[rng_below(&r, letters)];
            } else {
                uint32_t run = c->run - (k % 3 == 0 && c->run > 1); /* one short */

                len = value_with_run(&r, v, c, run, letters, max);
            }
            check_answer(set, needs, n, fit, v, len);
            checked++;
        }
        ps_need_set_free(set);
    }
    print_message("%u sets (%u exact), %u values\n", rounds / 2, exact, checked);
    assert_true(exact > 0);
}

/*
 * More run classes than the presence word has room for beside the presence
 * classes: 40 of each, so 16 run classes have no presence bit, and the
 * patterns that need only those are tried on every value.  Every clause has
 * its class, so the answers are exact.
 */
static void test_set_word_overflow(void **state)
{
    enum { ONES = 40, RUNS = 40 };
    ps_need needs[ONES + RUNS];
    ps_need_set *set = NULL;
    char v[16];

    (void)state;
    for (unsigned i = 0; i < ONES; i++)
        needs[i] = clause1(0x80 + i, 0x80 + i, 1);
    for (unsigned i = 0; i < RUNS; i++)
        needs[ONES + i] = clause1(0x20 + i, 0x20 + i, 3);
    assert_true(needs_fit(needs, ONES + RUNS));
    assert_int_equal(ps_need_set_new(needs, ONES + RUNS, &set), PS_OK);
    assert_non_null(set);
    check_answer(set, needs, ONES + RUNS, true, "", 0);
    for (unsigned i = 0; i < ONES; i++) {
        memset(v, 'z', sizeof(v));
        v[i % sizeof(v)] = (char)(0x80 + i);
        check_answer(set, needs, ONES + RUNS, true, v, sizeof(v));
        assert_true(ps_need_set_may_match(set, v, sizeof(v)));
    }
    for (unsigned i = 0; i < RUNS; i++) {
        for (uint32_t run = 2; run <= 3; run++) {
            memset(v, 'z', sizeof(v));
            memset(v + sizeof(v) - run, 0x20 + (int)i, run); /* at the very end */
            check_answer(set, needs, ONES + RUNS, true, v, sizeof(v));
            assert_true(ps_need_set_may_match(set, v, sizeof(v)) == (run == 3));
            memset(v, 'z', sizeof(v));
            memset(v, 0x20 + (int)i, run); /* at the very start */
            v[run + 1] = (char)(0x20 + i);
            check_answer(set, needs, ONES + RUNS, true, v, sizeof(v));
            assert_true(ps_need_set_may_match(set, v, sizeof(v)) == (run == 3));
        }
    }
    ps_need_set_free(set);
}

/* One case of test_set_table: a value and the set's answer on it. */
typedef struct set_case {
    const char *v;
    size_t len;
    bool may;
} set_case;

#define CASE(lit, may) { (lit), sizeof(lit) - 1, (may) }

/*
 * Edge cases, by hand: a run of exactly the length asked, one short, at
 * either end of the value or broken by its last byte; runs of bytes >= 0x80;
 * a presence and a run in one need; PS_NEED_SCAN_MAX and one past.
 */
static void test_set_table(void **state)
{
    static const set_case cases[] = {
        CASE("", false),
        CASE("1234567890123", true),   /* exactly 13 digits */
        CASE("123456789012", false),   /* 12 */
        CASE("x1234567890123", true),  /* the run ends the value */
        CASE("1234567890123x", true),  /* the run starts it */
        CASE("123456789012x3", false), /* broken by the last but one byte */
        CASE("2015-10-01T00:00:01Z", false),
        CASE("448996", false),
        CASE("a@b", false),     /* '@' with a run of 1 */
        CASE("a@bc", false),    /* ... of 2 */
        CASE("a@bcd", true),    /* ... of 3, at the end */
        CASE("abc@", true),     /* ... at the start */
        CASE("abcd", false),    /* the run without the '@' */
        CASE("\x80\x81\xfe\xff", true),
        CASE("\x80\x81\x7f\xff", false),
        CASE("\xff\xff\xff", false),
        CASE("z\xff\xff\xff\xff", true),
        CASE("\0\0\0\0", false),
    };
    ps_need needs[3];
    ps_need_set *set = NULL;
    char longv[PS_NEED_SCAN_MAX + 2];

    (void)state;
    needs[0] = clause1('0', '9', 13);
    needs[1] = clause1('a', 'z', 3);
    needs[1].n = 2;
    bs_add(&needs[1].c[1].set, '@');
    needs[1].c[1].run = 1;
    needs[2] = clause1(0x80, 0xff, 4);
    assert_int_equal(ps_need_set_new(needs, 3, &set), PS_OK);
    assert_non_null(set);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char sv[200];

        if (ps_need_set_may_match(set, cases[i].v, cases[i].len) != cases[i].may)
            fail_msg("case %zu: \"%s\" should give %d", i,
                     show(sv, sizeof(sv), cases[i].v, cases[i].len), cases[i].may);
        check_answer(set, needs, 3, true, cases[i].v, cases[i].len);
    }

    /* PS_NEED_SCAN_MAX bytes are looked at, to the last; one more are not. */
    memset(longv, 'Z', sizeof(longv));
    assert_false(ps_need_set_may_match(set, longv, PS_NEED_SCAN_MAX));
    assert_true(ps_need_set_may_match(set, longv, PS_NEED_SCAN_MAX + 1));
    memcpy(longv + PS_NEED_SCAN_MAX - 13, "1234567890123", 13);
    assert_true(ps_need_set_may_match(set, longv, PS_NEED_SCAN_MAX));
    assert_false(ps_need_set_may_match(set, longv, PS_NEED_SCAN_MAX - 1));
    memcpy(longv + PS_NEED_SCAN_MAX - 4, "\x80\x90\xa0\xff", 4);
    assert_true(ps_need_set_may_match(set, longv, PS_NEED_SCAN_MAX));
    ps_need_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holds_reference),
        cmocka_unit_test(test_specific),
        cmocka_unit_test(test_unknown_syntax),
        cmocka_unit_test(test_sound_table),
        cmocka_unit_test(test_sound_random),
        cmocka_unit_test(test_random_needs),
        cmocka_unit_test(test_set_edges),
        cmocka_unit_test(test_set_many_classes),
        cmocka_unit_test(test_set_exact),
        cmocka_unit_test(test_set_word_overflow),
        cmocka_unit_test(test_set_table),
        cmocka_unit_test(test_pack_sound),
        cmocka_unit_test(test_pack_set_rejects_store_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

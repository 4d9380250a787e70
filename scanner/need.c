/*
 * need.c - what every match of a regex must contain (see need.h).
 *
 * The analysis walks the regex once, bottom up.  Each piece of it gets a
 * summary:
 *   alpha   a superset of the bytes any match of the piece can hold;
 *   min     a lower bound on the length of its matches;
 *   clauses (set, run) pairs that every match of the piece meets.
 * A piece's own (alpha, min) is always a clause: a match is min bytes or
 * more, all of them in alpha.  A concatenation adds, for every span of
 * adjacent pieces, (union of their alphas, sum of their mins): the span's
 * bytes are contiguous in the match.  An alternation keeps what holds
 * whichever branch matched: (union of one clause of each, the lesser run).
 *
 * Soundness rests on two rules: a set may only be larger than the truth and
 * a length only shorter.  That is why a class item carries two sets, one no
 * larger than the truth (lo) and one no smaller (hi): a negated class is the
 * complement of its items' lo sets, so it too errs on the large side.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "need.h"
#include "util.h"

#define KEEP 8           /* clauses of each kind kept per piece while analysing */
#define SPAN_MAX 64      /* adjacent pieces a run may span */
#define DEPTH_MAX 64     /* nested groups before giving up */
#define RUN_MAX 0xFFFFu  /* longest run a clause asks for */

/* --- byte sets ------------------------------------------------------------------ */

static void bs_add(ps_byteset *s, unsigned b)
{
    s->w[b >> 6] |= UINT64_C(1) << (b & 63);
}

static bool bs_has(const ps_byteset *s, unsigned b)
{
    return (s->w[b >> 6] >> (b & 63)) & 1u;
}

static void bs_range(ps_byteset *s, unsigned lo, unsigned hi)
{
    for (unsigned b = lo; b <= hi; b++)
        bs_add(s, b);
}

static void bs_or(ps_byteset *s, const ps_byteset *t)
{
    for (int i = 0; i < 4; i++)
        s->w[i] |= t->w[i];
}

static void bs_not(ps_byteset *s)
{
    for (int i = 0; i < 4; i++)
        s->w[i] = ~s->w[i];
}

static bool bs_eq(const ps_byteset *s, const ps_byteset *t)
{
    return memcmp(s, t, sizeof(*s)) == 0;
}

static bool bs_subset(const ps_byteset *s, const ps_byteset *t)
{
    for (int i = 0; i < 4; i++) {
        if (s->w[i] & ~t->w[i])
            return false;
    }
    return true;
}

static bool bs_full(const ps_byteset *s)
{
    return (s->w[0] & s->w[1] & s->w[2] & s->w[3]) == UINT64_MAX;
}

/* Add the other ASCII case of every ASCII letter in s (what HS_FLAG_CASELESS folds). */
static void bs_fold(ps_byteset *s)
{
    for (unsigned b = 'A'; b <= 'Z'; b++) {
        if (bs_has(s, b) || bs_has(s, b + 32)) {
            bs_add(s, b);
            bs_add(s, b + 32);
        }
    }
}

/*
 * How common byte b is in the values of a data store, roughly: letters by
 * English frequency, then digits, space and punctuation.  It only decides
 * which clauses are kept (the rarest), never whether one is true.
 */
static double byte_weight(unsigned b)
{
    /* a..z, per mille of English text */
    static const unsigned short letter[26] = {
        82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24,
        67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1
    };

    if (b >= 'a' && b <= 'z')
        return 0.6 * letter[b - 'a'];
    if (b >= 'A' && b <= 'Z')
        return 0.1 * letter[b - 'A'];
    if (b >= '0' && b <= '9')
        return 20.0;
    switch (b) {
    case ' ':
        return 80.0;
    case '.': case '-': case ':': case '/': case ',':
        return 8.0;
    case '_': case '\'': case '"': case '(': case ')':
        return 3.0;
    case '@': case '=': case '+': case '%': case '&': case '#': case '$': case '!': case '?':
        return 1.0;
    default:
        return b < 0x20 || b >= 0x7F ? 0.3 : 1.0;
    }
}

/* byte_weight for every byte, as a share of all: filled once per analysis. */
typedef struct nweights {
    double share[256];
} nweights;

static void weights_init(nweights *w)
{
    double all = 0.0;

    for (unsigned b = 0; b < 256; b++)
        all += byte_weight(b);
    for (unsigned b = 0; b < 256; b++)
        w->share[b] = byte_weight(b) / all;
}

/*
 * The chance that `run` bytes in a row are all in s: the smaller, the more
 * values a clause on s rejects.  (A product, not a log: no libm for this.)
 * It is asked for every span of every concatenation, so it visits only the
 * bytes of s: a pack of a thousand keywords must not cost a second.
 */
static double run_chance(const nweights *w, const ps_byteset *s, uint32_t run)
{
    double p = 0.0, r = 1.0;

    for (unsigned i = 0; i < 4; i++) {
        for (uint64_t x = s->w[i]; x != 0; x &= x - 1)
            p += w->share[i * 64 + (unsigned)__builtin_ctzll(x)];
    }
    for (uint32_t i = 0; i < run && r > 1e-30; i++)
        r *= p;
    return r;
}

/* --- clause lists --------------------------------------------------------------- */

typedef struct nclause {
    ps_byteset set;
    uint32_t run;
    double score; /* run_chance(): lower is more selective */
} nclause;

/*
 * Clauses come in two kinds, kept apart: a byte that must be present
 * (run 1) costs one table load per value byte for all such clauses at once,
 * a run of more costs a pass of its own.  Runs are the more selective, so
 * one list would crowd out the cheap kind.
 */
typedef struct nlist {
    unsigned n;
    nclause c[KEEP]; /* best first */
} nlist;

typedef struct nsum {
    ps_byteset alpha;
    uint32_t min;
    nlist one;  /* run == 1 */
    nlist runs; /* run > 1 */
} nsum;

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return a > RUN_MAX - b ? RUN_MAX : a + b;
}

static uint32_t sat_mul(uint32_t a, uint32_t b)
{
    if (a == 0 || b == 0)
        return 0;
    return a > RUN_MAX / b ? RUN_MAX : a * b;
}

/* a implies b: every value meeting a meets b. */
static bool implies(const nclause *a, const nclause *b)
{
    return a->run >= b->run && bs_subset(&a->set, &b->set);
}

/*
 * Keep (set, run) among the clauses of its kind if it says something the
 * others do not: a clause implied by a kept one adds nothing, and one that
 * implies kept ones replaces them.  Each list stays sorted, best first, at
 * most KEEP long.
 */
static void keep(const nweights *w, nsum *sum, const ps_byteset *set, uint32_t run)
{
    nlist *s = run > 1 ? &sum->runs : &sum->one;
    nclause nc;
    unsigned i, j;

    if (run == 0 || bs_full(set))
        return;
    nc.set = *set;
    nc.run = run;
    nc.score = run_chance(w, set, run);
    for (i = 0; i < s->n; i++) {
        if (implies(&s->c[i], &nc))
            return;
    }
    for (i = j = 0; i < s->n; i++) {
        if (!implies(&nc, &s->c[i]))
            s->c[j++] = s->c[i];
    }
    s->n = j;
    for (i = 0; i < s->n && s->c[i].score <= nc.score; i++)
        ;
    if (i >= KEEP)
        return;
    if (s->n == KEEP)
        s->n--;
    memmove(&s->c[i + 1], &s->c[i], (s->n - i) * sizeof(nclause));
    s->c[i] = nc;
    s->n++;
}

/* Every clause of from, into to. */
static void keep_all(const nweights *w, nsum *to, const nsum *from)
{
    for (unsigned i = 0; i < from->one.n; i++)
        keep(w, to, &from->one.c[i].set, from->one.c[i].run);
    for (unsigned i = 0; i < from->runs.n; i++)
        keep(w, to, &from->runs.c[i].set, from->runs.c[i].run);
}

static void sum_empty(nsum *s)
{
    memset(s, 0, sizeof(*s));
}

/* A piece matching one byte of set. */
static void sum_byte_class(const nweights *w, nsum *s, const ps_byteset *set)
{
    sum_empty(s);
    s->alpha = *set;
    s->min = 1;
    keep(w, s, set, 1);
}

/* --- the parser ------------------------------------------------------------------ */

typedef struct nparse {
    const char *p, *end;
    bool caseless; /* (?i) in force here: set to the end of its group, or by (?i:...) */
    bool bad;      /* syntax the analysis does not know */
    unsigned depth;
    nweights weights; /* for choosing which clauses to keep */
} nparse;

static void parse_alt(nparse *ps, nsum *out);

/* \xHH, \xH or \x{...} after the 'x'; -1 when it is not a byte. */
static int parse_hex(nparse *ps)
{
    int v = 0, d, k = 0;

    if (ps->p < ps->end && *ps->p == '{') {
        ps->p++;
        while (ps->p < ps->end && (d = ps_hex_digit((unsigned char)*ps->p)) >= 0 && k < 4) {
            v = v * 16 + d;
            ps->p++;
            k++;
        }
        if (k == 0 || ps->p >= ps->end || *ps->p != '}' || v > 0xFF)
            return -1;
        ps->p++;
        return v;
    }
    while (k < 2 && ps->p < ps->end && (d = ps_hex_digit((unsigned char)*ps->p)) >= 0) {
        v = v * 16 + d;
        ps->p++;
        k++;
    }
    return k == 0 ? -1 : v;
}

/*
 * An item that stands for a set of bytes: lo holds no byte the engine would
 * not match, hi misses none it would.  For plain bytes the two are equal.
 */
typedef struct nitem {
    ps_byteset lo, hi;
    int byte; /* the single byte, or -1 for a class escape */
} nitem;

static void item_byte(nitem *it, unsigned b, bool caseless)
{
    memset(it, 0, sizeof(*it));
    bs_add(&it->lo, b);
    if (caseless)
        bs_fold(&it->lo);
    it->hi = it->lo;
    if (caseless && b >= 0x80)
        bs_range(&it->hi, 0x80, 0xFF); /* should the engine fold beyond ASCII */
    it->byte = (int)b;
}

/* \d \w \s and their negations: lo is the ASCII set, hi adds what a locale might. */
static bool item_class_escape(nitem *it, char e)
{
    ps_byteset lo = { { 0 } }, hi;
    char k = (char)(e | 0x20);

    memset(it, 0, sizeof(*it));
    it->byte = -1;
    if (k == 'd') {
        bs_range(&lo, '0', '9');
        hi = lo;
    } else if (k == 'w') {
        bs_range(&lo, '0', '9');
        bs_range(&lo, 'A', 'Z');
        bs_range(&lo, 'a', 'z');
        bs_add(&lo, '_');
        hi = lo;
        bs_range(&hi, 0x80, 0xFF);
    } else if (k == 's') {
        bs_range(&lo, '\t', '\r');
        bs_add(&lo, ' ');
        hi = lo;
        bs_add(&hi, 0x85);
        bs_add(&hi, 0xA0);
    } else {
        return false;
    }
    if (e == k) {
        it->lo = lo;
        it->hi = hi;
    } else { /* \D \W \S */
        it->lo = hi;
        bs_not(&it->lo);
        it->hi = lo;
        bs_not(&it->hi);
    }
    return true;
}

/*
 * The escape after a backslash, as an item; false when it is zero-width
 * (*zero set) or unknown (ps->bad set).  in_class: inside [...].
 */
static bool parse_escape(nparse *ps, nitem *it, bool in_class, bool *zero)
{
    char e;
    int v;

    *zero = false;
    if (ps->p >= ps->end) {
        ps->bad = true;
        return false;
    }
    e = *ps->p++;
    switch (e) {
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
        return item_class_escape(it, e);
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
        if (in_class) { /* \b is a backspace there: rare enough to refuse */
            ps->bad = true;
            return false;
        }
        *zero = true;
        return false;
    case 'x':
        v = parse_hex(ps);
        if (v < 0) {
            ps->bad = true;
            return false;
        }
        item_byte(it, (unsigned)v, ps->caseless);
        return true;
    case 'n': item_byte(it, '\n', ps->caseless); return true;
    case 't': item_byte(it, '\t', ps->caseless); return true;
    case 'r': item_byte(it, '\r', ps->caseless); return true;
    case 'f': item_byte(it, '\f', ps->caseless); return true;
    case 'e': item_byte(it, 0x1B, ps->caseless); return true;
    case 'a': item_byte(it, 0x07, ps->caseless); return true;
    default:
        /* Any other letter or digit has a meaning this analysis does not model. */
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9') ||
            (unsigned char)e >= 0x80) {
            ps->bad = true;
            return false;
        }
        item_byte(it, (unsigned char)e, ps->caseless);
        return true;
    }
}

/* [:name:] inside a class, after the "[:"; false when unknown. */
static bool parse_posix(nparse *ps, nitem *it)
{
    static const struct {
        const char *name;
        unsigned nranges;
        unsigned char range[4][2]; /* first and last byte of each */
        bool high;                 /* hi adds 0x80..0xFF, should a locale count them */
    } cls[] = {
        { "alpha", 2, { { 'A', 'Z' }, { 'a', 'z' } }, true },
        { "digit", 1, { { '0', '9' } }, false },
        { "alnum", 3, { { 'A', 'Z' }, { 'a', 'z' }, { '0', '9' } }, true },
        { "upper", 1, { { 'A', 'Z' } }, true },
        { "lower", 1, { { 'a', 'z' } }, true },
        { "xdigit", 3, { { '0', '9' }, { 'A', 'F' }, { 'a', 'f' } }, false },
        { "space", 2, { { '\t', '\r' }, { ' ', ' ' } }, true },
        { "blank", 2, { { '\t', '\t' }, { ' ', ' ' } }, true },
        { "cntrl", 2, { { 0x00, 0x1F }, { 0x7F, 0x7F } }, false },
        { "print", 1, { { 0x20, 0x7E } }, true },
        { "graph", 1, { { 0x21, 0x7E } }, true },
        { "punct", 4, { { 0x21, 0x2F }, { 0x3A, 0x40 }, { 0x5B, 0x60 }, { 0x7B, 0x7E } }, false },
    };
    const char *close = NULL;
    size_t len;

    for (const char *q = ps->p; q + 1 < ps->end; q++) {
        if (q[0] == ':' && q[1] == ']') {
            close = q;
            break;
        }
    }
    if (close == NULL)
        return false;
    len = (size_t)(close - ps->p);
    for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
        if (strlen(cls[i].name) != len || memcmp(cls[i].name, ps->p, len) != 0)
            continue;
        memset(it, 0, sizeof(*it));
        it->byte = -1;
        for (unsigned r = 0; r < cls[i].nranges; r++)
            bs_range(&it->lo, cls[i].range[r][0], cls[i].range[r][1]);
        if (ps->caseless)
            bs_fold(&it->lo);
        it->hi = it->lo;
        if (cls[i].high)
            bs_range(&it->hi, 0x80, 0xFF);
        ps->p = close + 2;
        return true;
    }
    return false;
}

/* One item of a class: a byte, an escape or [:name:]; false with ps->bad on error. */
static bool parse_class_item(nparse *ps, nitem *it)
{
    bool zero;

    if (ps->p >= ps->end) {
        ps->bad = true;
        return false;
    }
    if (ps->p[0] == '[' && ps->p + 1 < ps->end && ps->p[1] == ':') {
        ps->p += 2;
        if (!parse_posix(ps, it)) {
            ps->bad = true;
            return false;
        }
        return true;
    }
    if (ps->p[0] == '\\') {
        ps->p++;
        if (!parse_escape(ps, it, true, &zero)) {
            ps->bad = true;
            return false;
        }
        return true;
    }
    item_byte(it, (unsigned char)*ps->p++, ps->caseless);
    return true;
}

/* [...] after the '[', as the set of bytes it can match (a superset). */
static void parse_class(nparse *ps, ps_byteset *out)
{
    ps_byteset lo = { { 0 } }, hi = { { 0 } };
    bool neg = false, first = true;
    nitem a, b;

    memset(out, 0, sizeof(*out)); /* defined even when the class is refused */
    if (ps->p < ps->end && *ps->p == '^') {
        neg = true;
        ps->p++;
    }
    for (;;) {
        if (ps->p >= ps->end) {
            ps->bad = true;
            return;
        }
        if (*ps->p == ']' && !first) {
            ps->p++;
            break;
        }
        first = false;
        if (!parse_class_item(ps, &a))
            return;
        if (ps->p + 1 < ps->end && ps->p[0] == '-' && ps->p[1] != ']') {
            ps->p++;
            if (!parse_class_item(ps, &b))
                return;
            if (a.byte < 0 || b.byte < 0 || b.byte < a.byte) {
                ps->bad = true;
                return;
            }
            item_byte(&a, (unsigned)a.byte, false);
            bs_range(&a.lo, (unsigned)a.byte, (unsigned)b.byte);
            if (ps->caseless)
                bs_fold(&a.lo);
            a.hi = a.lo;
            if (ps->caseless && b.byte >= 0x80)
                bs_range(&a.hi, 0x80, 0xFF);
        }
        bs_or(&lo, &a.lo);
        bs_or(&hi, &a.hi);
    }
    if (neg) {
        *out = lo;
        bs_not(out);
    } else {
        *out = hi;
    }
}

/*
 * "(?" flags up to ')' or ':'; only i, m, s and '-' are known.  Caseless
 * must be tracked exactly, not only ever switched on: a negated class
 * under a (?i) that is not in force would leave out the other case.
 */
static bool parse_flags(nparse *ps, bool *scoped)
{
    bool off = false;

    while (ps->p < ps->end && *ps->p != ')' && *ps->p != ':') {
        char f = *ps->p++;

        if (f == '-')
            off = true;
        else if (f == 'i')
            ps->caseless = !off;
        else if (f != 'm' && f != 's')
            return false;
    }
    if (ps->p >= ps->end)
        return false;
    *scoped = *ps->p == ':';
    ps->p++;
    return true;
}

/* A group after its '(': its summary in out, or zero-width for lookarounds. */
static void parse_group(nparse *ps, nsum *out)
{
    bool lookaround = false, scoped, outer = ps->caseless;
    nsum inner;

    sum_empty(out);
    if (++ps->depth > DEPTH_MAX) {
        ps->bad = true;
        return;
    }
    if (ps->p < ps->end && *ps->p == '?') {
        ps->p++;
        if (ps->p >= ps->end) {
            ps->bad = true;
            return;
        }
        switch (*ps->p) {
        case ':':
            ps->p++;
            break;
        case '=': case '!':
            ps->p++;
            lookaround = true;
            break;
        case '<':
            if (ps->p + 1 < ps->end && (ps->p[1] == '=' || ps->p[1] == '!')) {
                ps->p += 2;
                lookaround = true;
                break;
            }
            ps->bad = true; /* named groups: not needed by any pack yet */
            return;
        case '#':
            while (ps->p < ps->end && *ps->p != ')')
                ps->p++;
            if (ps->p >= ps->end)
                ps->bad = true;
            else
                ps->p++;
            ps->depth--;
            return;
        default:
            if (!parse_flags(ps, &scoped)) {
                ps->bad = true;
                return;
            }
            if (!scoped) { /* (?i): a flag to the end of this group, matching nothing */
                ps->depth--;
                return;
            }
            /* (?i:...): the flags hold inside only (restored below) */
            break;
        }
    }
    parse_alt(ps, &inner);
    ps->caseless = outer; /* a (?i) inside ends with the group */
    if (ps->bad)
        return;
    if (ps->p >= ps->end || *ps->p != ')') {
        ps->bad = true;
        return;
    }
    ps->p++;
    ps->depth--;
    if (!lookaround)
        *out = inner;
}

/* {n}, {n,} or {n,m} after the '{'; false when it is not a quantifier. */
static bool parse_braces(nparse *ps, uint32_t *lo, uint32_t *hi, bool *bounded)
{
    const char *q = ps->p;
    uint32_t a = 0, b = 0;
    bool digits = false;

    while (q < ps->end && *q >= '0' && *q <= '9') {
        a = sat_add(sat_mul(a, 10), (uint32_t)(*q++ - '0'));
        digits = true;
    }
    if (!digits || q >= ps->end)
        return false;
    *bounded = true;
    if (*q == '}') {
        b = a;
    } else if (*q == ',') {
        q++;
        if (q < ps->end && *q == '}') {
            *bounded = false;
        } else {
            digits = false;
            while (q < ps->end && *q >= '0' && *q <= '9') {
                b = sat_add(sat_mul(b, 10), (uint32_t)(*q++ - '0'));
                digits = true;
            }
            if (!digits || q >= ps->end || *q != '}' || b < a)
                return false;
        }
    } else {
        return false;
    }
    ps->p = q + 1;
    *lo = a;
    *hi = b;
    return true;
}

/* e repeated lo..hi times (hi unbounded when !bounded). */
static void repeat(const nweights *w, nsum *e, uint32_t lo, uint32_t hi, bool bounded)
{
    nsum r;

    sum_empty(&r);
    if (!bounded || hi > 0)
        r.alpha = e->alpha;
    r.min = sat_mul(lo, e->min);
    if (lo >= 1)
        keep_all(w, &r, e);
    keep(w, &r, &r.alpha, r.min);
    *e = r;
}

/*
 * One atom and its quantifier.  Returns false at the end of a branch ('|',
 * ')' or the end), leaving the pointer there.
 */
static bool parse_piece(nparse *ps, nsum *out)
{
    ps_byteset set;
    nitem it;
    bool zero;
    uint32_t lo, hi;
    bool bounded;
    char ch;

    if (ps->p >= ps->end || *ps->p == '|' || *ps->p == ')')
        return false;
    ch = *ps->p++;
    switch (ch) {
    case '(':
        parse_group(ps, out);
        break;
    case '[':
        parse_class(ps, &set);
        sum_byte_class(&ps->weights, out, &set);
        break;
    case '.':
        memset(&set, 0xFF, sizeof(set));
        sum_byte_class(&ps->weights, out, &set);
        break;
    case '^': case '$':
        sum_empty(out);
        break;
    case '\\':
        if (parse_escape(ps, &it, false, &zero))
            sum_byte_class(&ps->weights, out, &it.hi);
        else if (zero)
            sum_empty(out);
        else
            ps->bad = true;
        break;
    case '*': case '+': case '?': case '{':
        ps->bad = true; /* a quantifier with nothing to repeat, or a literal brace */
        return false;
    default:
        item_byte(&it, (unsigned char)ch, ps->caseless);
        sum_byte_class(&ps->weights, out, &it.hi);
        break;
    }
    if (ps->bad)
        return false;
    if (ps->p >= ps->end)
        return true;
    switch (*ps->p) {
    case '*':
        ps->p++;
        repeat(&ps->weights, out, 0, 0, false);
        break;
    case '+':
        ps->p++;
        repeat(&ps->weights, out, 1, 0, false);
        break;
    case '?':
        ps->p++;
        repeat(&ps->weights, out, 0, 1, true);
        break;
    case '{':
        ps->p++;
        if (!parse_braces(ps, &lo, &hi, &bounded)) {
            ps->bad = true;
            return false;
        }
        repeat(&ps->weights, out, lo, hi, bounded);
        break;
    default:
        return true;
    }
    if (ps->p < ps->end && (*ps->p == '?' || *ps->p == '+'))
        ps->p++; /* lazy or possessive: the same matches */
    if (ps->p < ps->end && (*ps->p == '*' || *ps->p == '+' || *ps->p == '?' || *ps->p == '{'))
        ps->bad = true; /* a quantifier on a quantifier */
    return !ps->bad;
}

/*
 * A concatenation, up to '|', ')' or the end.  Every span of up to
 * SPAN_MAX adjacent pieces gives a run clause.
 */
static void parse_concat(nparse *ps, nsum *out)
{
    ps_byteset alpha[SPAN_MAX];
    uint32_t min[SPAN_MAX];
    unsigned count = 0;
    nsum piece;

    sum_empty(out);
    while (parse_piece(ps, &piece)) {
        unsigned k = count % SPAN_MAX, span = count < SPAN_MAX ? count + 1 : SPAN_MAX;
        ps_byteset u = { { 0 } };
        uint32_t len = 0;

        alpha[k] = piece.alpha;
        min[k] = piece.min;
        count++;
        keep_all(&ps->weights, out, &piece);
        /* spans ending at this piece, growing backwards */
        for (unsigned d = 0; d < span; d++) {
            unsigned j = (k + SPAN_MAX - d) % SPAN_MAX;

            bs_or(&u, &alpha[j]);
            len = sat_add(len, min[j]);
            keep(&ps->weights, out, &u, len);
        }
        bs_or(&out->alpha, &piece.alpha);
        out->min = sat_add(out->min, piece.min);
    }
}

/* Branches joined by '|', up to ')' or the end. */
static void parse_alt(nparse *ps, nsum *out)
{
    nsum b;

    parse_concat(ps, out);
    while (!ps->bad && ps->p < ps->end && *ps->p == '|') {
        nsum both;

        ps->p++;
        parse_concat(ps, &b);
        sum_empty(&both);
        both.alpha = out->alpha;
        bs_or(&both.alpha, &b.alpha);
        both.min = out->min < b.min ? out->min : b.min;
        for (unsigned i = 0; i < out->one.n + out->runs.n; i++) {
            const nclause *x = i < out->one.n ? &out->one.c[i] : &out->runs.c[i - out->one.n];

            for (unsigned j = 0; j < b.one.n + b.runs.n; j++) {
                const nclause *y = j < b.one.n ? &b.one.c[j] : &b.runs.c[j - b.one.n];
                ps_byteset u = x->set;

                bs_or(&u, &y->set);
                keep(&ps->weights, &both, &u, x->run < y->run ? x->run : y->run);
            }
        }
        *out = both;
    }
}

bool ps_need_of(const char *expr, bool caseless, ps_need *out)
{
    nparse ps;
    nsum s;

    memset(out, 0, sizeof(*out));
    if (expr == NULL)
        return false;
    ps.p = expr;
    ps.end = expr + strlen(expr);
    ps.caseless = caseless;
    ps.bad = false;
    ps.depth = 0;
    weights_init(&ps.weights);
    parse_alt(&ps, &s);
    if (ps.bad || ps.p != ps.end) /* an unbalanced ')' stops parse_alt early */
        return false;
    for (unsigned i = 0; i < s.runs.n && i < PS_NEED_RUNS; i++) {
        out->c[out->n].set = s.runs.c[i].set;
        out->c[out->n].run = s.runs.c[i].run;
        out->n++;
    }
    for (unsigned i = 0; i < s.one.n && out->n < PS_NEED_CLAUSES; i++) {
        out->c[out->n].set = s.one.c[i].set;
        out->c[out->n].run = 1;
        out->n++;
    }
    return true;
}

static size_t max_run(const ps_byteset *set, const char *v, size_t n)
{
    size_t run = 0, best = 0;

    for (size_t i = 0; i < n; i++) {
        run = bs_has(set, (unsigned char)v[i]) ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

bool ps_need_holds(const ps_need *nd, const char *v, size_t n)
{
    for (unsigned i = 0; i < nd->n; i++) {
        if (max_run(&nd->c[i].set, v, n) < nd->c[i].run)
            return false;
    }
    return true;
}

/* --- sets of needs ---------------------------------------------------------------- */

/*
 * A set answers in three steps, cheapest first:
 *   1. one pass over the value ORs a byte table into a word of presence
 *      bits (which classes occur at all);
 *   2. each pattern is keyed on one of the bits it needs, the one least
 *      likely present, so only the patterns whose key occurs are looked at:
 *      a timestamp wakes one or two of them, not all;
 *   3. only a pattern whose presence bits all occur, on a value no shorter
 *      than its longest run, has its runs counted.
 * Step 2 only passes over patterns whose presence test would fail anyway,
 * so the answer is the same as trying every pattern in turn.
 */

#define CLASS_MAX 64 /* bits of a byte table */

typedef struct need_pat {
    uint64_t has; /* presence bits that must all occur */
    uint32_t len; /* the longest run: no shorter value meets them all */
    unsigned nrun;
    uint8_t cls[PS_NEED_RUNS]; /* run classes: bits of ps_need_set.runs */
    uint32_t run[PS_NEED_RUNS];
} need_pat;

/*
 * With m presence classes, presence bit k < m stands for presence class k
 * and bit m + k for a byte of run class k, while there is room in the word.
 * A run class with no bit is still counted in step 3: its bit is only a
 * shortcut, which is also why a pattern may end up with no bit at all.
 */
struct ps_need_set {
    uint64_t has[256];  /* per byte: the presence bits it sets */
    uint64_t runs[256]; /* per byte: the run classes it belongs to */
    uint64_t keys;      /* the bits that key some pattern */
    /* The patterns keyed on bit k are pat[first[k] .. first[k + 1]); those
     * with no presence bit at all, pat[first[CLASS_MAX] .. npat), are tried
     * on every value. */
    size_t first[CLASS_MAX + 1];
    size_t npat;
    need_pat *pat;
};

void ps_need_set_free(ps_need_set *s)
{
    if (s == NULL)
        return;
    free(s->pat);
    free(s);
}

typedef struct class_list {
    unsigned n;
    ps_byteset set[CLASS_MAX];
} class_list;

/* The index of set in l, added when new; -1 when l is full. */
static int class_of(class_list *l, const ps_byteset *set)
{
    for (unsigned i = 0; i < l->n; i++) {
        if (bs_eq(&l->set[i], set))
            return (int)i;
    }
    if (l->n == CLASS_MAX)
        return -1;
    l->set[l->n] = *set;
    return (int)l->n++;
}

/*
 * Give each clause of need its class in ones or runs (the presence bits of
 * ones only: those of runs wait until every class is known).  A clause that
 * finds its table full is left out, which only weakens the filter; a
 * pattern left with no clause at all makes the set useless (false).
 */
static bool add_pattern(class_list *ones, class_list *runs, const ps_need *nd, need_pat *np)
{
    for (unsigned j = 0; j < nd->n; j++) {
        const ps_need_clause *c = &nd->c[j];
        int k;

        if (c->run > 1 && np->nrun < PS_NEED_RUNS && (k = class_of(runs, &c->set)) >= 0) {
            np->cls[np->nrun] = (uint8_t)k;
            np->run[np->nrun] = c->run;
            np->nrun++;
            if (c->run > np->len)
                np->len = c->run;
        } else if (c->run == 1 && (k = class_of(ones, &c->set)) >= 0) {
            np->has |= UINT64_C(1) << k;
        }
    }
    return np->has != 0 || np->nrun != 0;
}

/* The share of a value's bytes expected in set (byte_weight): lower is rarer. */
static double class_share(const nweights *w, const ps_byteset *set)
{
    return run_chance(w, set, 1);
}

/*
 * The byte tables, the run classes' presence bits, and each pattern's key:
 * the bit it needs that is least likely present.  Returns the key of every
 * pattern in key[] (CLASS_MAX: no presence bit).
 */
static void set_tables(ps_need_set *s, const class_list *ones, const class_list *runs,
                       unsigned *key)
{
    nweights w;
    double share[CLASS_MAX];
    unsigned roomy = CLASS_MAX - ones->n; /* run classes with a presence bit */

    weights_init(&w);
    for (unsigned k = 0; k < ones->n; k++)
        share[k] = class_share(&w, &ones->set[k]);
    for (unsigned k = 0; k < runs->n && k < roomy; k++)
        share[ones->n + k] = class_share(&w, &runs->set[k]);
    for (unsigned b = 0; b < 256; b++) {
        for (unsigned k = 0; k < ones->n; k++) {
            if (bs_has(&ones->set[k], b))
                s->has[b] |= UINT64_C(1) << k;
        }
        for (unsigned k = 0; k < runs->n; k++) {
            if (!bs_has(&runs->set[k], b))
                continue;
            s->runs[b] |= UINT64_C(1) << k;
            if (k < roomy)
                s->has[b] |= UINT64_C(1) << (ones->n + k);
        }
    }
    for (size_t p = 0; p < s->npat; p++) {
        need_pat *np = &s->pat[p];

        for (unsigned j = 0; j < np->nrun; j++) {
            if (np->cls[j] < roomy)
                np->has |= UINT64_C(1) << (ones->n + np->cls[j]);
        }
        key[p] = CLASS_MAX;
        for (uint64_t x = np->has; x != 0; x &= x - 1) {
            unsigned k = (unsigned)__builtin_ctzll(x);

            if (key[p] == CLASS_MAX || share[k] < share[key[p]])
                key[p] = k;
        }
    }
}

/* Order s->pat by key (stable), and fill s->first and s->keys. */
static ps_status set_buckets(ps_need_set *s, const unsigned *key)
{
    size_t count[CLASS_MAX + 1] = { 0 }, at[CLASS_MAX + 1], sum = 0;
    need_pat *sorted = calloc(s->npat, sizeof(*sorted));

    if (sorted == NULL)
        return PS_ERR_NOMEM;
    for (size_t p = 0; p < s->npat; p++)
        count[key[p]]++;
    for (unsigned k = 0; k <= CLASS_MAX; k++) {
        s->first[k] = at[k] = sum;
        sum += count[k];
        if (k < CLASS_MAX && count[k] > 0)
            s->keys |= UINT64_C(1) << k;
    }
    for (size_t p = 0; p < s->npat; p++)
        sorted[at[key[p]]++] = s->pat[p];
    free(s->pat);
    s->pat = sorted;
    return PS_OK;
}

ps_status ps_need_set_new(const ps_need *needs, size_t n, ps_need_set **out)
{
    class_list *ones = NULL, *runs = NULL;
    unsigned *key = NULL;
    ps_need_set *s = NULL;
    ps_status st = PS_OK;

    *out = NULL;
    if (n == 0)
        return PS_OK;
    for (size_t p = 0; p < n; p++) {
        if (needs[p].n == 0)
            return PS_OK; /* that pattern may match anything */
    }
    ones = calloc(1, sizeof(*ones));
    runs = calloc(1, sizeof(*runs));
    key = calloc(n, sizeof(*key));
    s = calloc(1, sizeof(*s));
    if (s != NULL)
        s->pat = calloc(n, sizeof(*s->pat));
    if (ones == NULL || runs == NULL || key == NULL || s == NULL || s->pat == NULL) {
        st = PS_ERR_NOMEM;
        goto out;
    }
    s->npat = n;
    for (size_t p = 0; p < n; p++) {
        if (!add_pattern(ones, runs, &needs[p], &s->pat[p]))
            goto out; /* *out stays NULL: every value may match */
    }
    set_tables(s, ones, runs, key);
    st = set_buckets(s, key);
    if (st != PS_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    ps_need_set_free(s);
    free(key);
    free(ones);
    free(runs);
    return st;
}

/*
 * Whether v[0..n) holds need bytes of run class k in a row.  It looks at
 * the last byte of a window first: a byte outside the class there moves the
 * window past it whole, so a timestamp fails the card pattern's 13 after
 * three bytes, not eleven.  No byte is looked at twice.
 */
static bool class_run(const ps_need_set *s, unsigned k, uint32_t need,
                      const unsigned char *v, size_t n)
{
    size_t start = 0, known = 0; /* v[start .. start + known) is in the class */

    while (n - start >= need) {
        size_t j = start + need;

        while (j > start + known && ((s->runs[v[j - 1]] >> k) & 1u))
            j--;
        if (j == start + known)
            return true;
        /* v[j - 1] is not in the class; v[j .. start + need) is */
        known = start + need - j;
        start = j;
    }
    return false;
}

/* The presence bits of v[0..n): two chains, for fewer loop turns. */
static uint64_t presence(const uint64_t *tab, const unsigned char *u, size_t n)
{
    uint64_t a = 0, b = 0;
    size_t i = 0;

    for (; i + 4 <= n; i += 4) {
        a |= tab[u[i]];
        b |= tab[u[i + 1]];
        a |= tab[u[i + 2]];
        b |= tab[u[i + 3]];
    }
    for (; i < n; i++)
        a |= tab[u[i]];
    return a | b;
}

/* Whether one of pat[lo .. hi) may match a value with presence bits has. */
static inline bool range_may_match(const ps_need_set *s, size_t lo, size_t hi, uint64_t has,
                                   const unsigned char *u, size_t n)
{
    for (size_t p = lo; p < hi; p++) {
        const need_pat *np = &s->pat[p];
        bool ok = (np->has & ~has) == 0 && n >= np->len;

        for (unsigned j = 0; j < np->nrun && ok; j++)
            ok = class_run(s, np->cls[j], np->run[j], u, n);
        if (ok)
            return true;
    }
    return false;
}

bool ps_need_set_may_match(const ps_need_set *s, const char *v, size_t n)
{
    const unsigned char *u = (const unsigned char *)v;
    uint64_t has;

    if (s == NULL || n > PS_NEED_SCAN_MAX)
        return true;
    has = presence(s->has, u, n);
    for (uint64_t live = has & s->keys; live != 0; live &= live - 1) {
        unsigned k = (unsigned)__builtin_ctzll(live);

        if (range_may_match(s, s->first[k], s->first[k + 1], has, u, n))
            return true;
    }
    /* Patterns with no presence bit at all: only when classes overflow the word. */
    return s->first[CLASS_MAX] < s->npat &&
           range_may_match(s, s->first[CLASS_MAX], s->npat, has, u, n);
}

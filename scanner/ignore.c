/*
 * ignore.c - gitignore-style path exclusion (.plainsightignore, `exclude:`).
 *
 * Each line is compiled once into a short token list; a path is matched by
 * simulating the tokens as an NFA with a bit set of live states.  Every
 * state has at most one epsilon edge, always forward, so a step is a pass
 * over the live states and the whole match costs O(path x pattern) with no
 * backtracking: hostile patterns ("a*a*a*a*b", "**" chains) stay linear.
 * One run over a path decides all of its folder levels at once (a, a/b,
 * a/b/c), so a deep path costs about what a long name does.  The state sets
 * live on the stack (PS_IGNORE_MAX_PATTERN bounds them) and paths deeper
 * than 256 levels are decided 256 levels per run, so matching needs no
 * allocation and is safe from many threads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ignore.h"
#include "util.h"

typedef enum tok_kind {
    T_LIT = 0, /* one byte, tok.ch */
    T_ANY,     /* '?': one byte but '/' */
    T_CLASS,   /* "[...]": one byte in classes[tok.cls] ('/' never is) */
    T_STAR,    /* '*': any run of bytes without '/' */
    T_DSTAR,   /* trailing "**": any run of bytes */
    T_SEGS,    /* "**" + '/': zero or more "name/" (with T_SEGMID right after) */
    T_SEGMID   /* inside one of T_SEGS's names; only '/' leaves it */
} tok_kind;

typedef struct tok {
    uint8_t kind;
    unsigned char ch;
    uint32_t cls;
} tok;

typedef struct cclass {
    uint8_t bits[32]; /* bit c set: byte c is in the class */
} cclass;

typedef struct pattern {
    tok *toks;
    size_t ntoks;
    cclass *classes;
    size_t nclasses;
    bool negate;    /* '!': a match re-includes */
    bool dir_only;  /* trailing '/' */
    bool anchored;  /* had a '/': matched against the whole path */
    bool literal;   /* only T_LIT tokens: a plain comparison will do */
    const char *source; /* interned in the set */
    unsigned line;
} pattern;

struct ps_ignore {
    pattern *pats;
    size_t npats, cappats;
    char **sources;
    size_t nsources, capsources;
};

/* Live states: one bit per token position plus the accepting one. */
#define SET_WORDS ((PS_IGNORE_MAX_PATTERN + 1 + 63) / 64)

static void pattern_free(pattern *p)
{
    free(p->toks);
    free(p->classes);
    memset(p, 0, sizeof(*p));
}

ps_status ps_ignore_create(ps_ignore **out)
{
    *out = calloc(1, sizeof(**out));
    return *out != NULL ? PS_OK : PS_ERR_NOMEM;
}

void ps_ignore_destroy(ps_ignore *ig)
{
    if (ig == NULL)
        return;
    for (size_t i = 0; i < ig->npats; i++)
        pattern_free(&ig->pats[i]);
    free(ig->pats);
    for (size_t i = 0; i < ig->nsources; i++)
        free(ig->sources[i]);
    free(ig->sources);
    free(ig);
}

/* A stable copy of source, shared by every pattern from it; NULL on ENOMEM. */
static const char *intern_source(ps_ignore *ig, const char *source)
{
    char *copy;

    if (source == NULL)
        source = "";
    /* Patterns arrive a file at a time: the last source is the likely one. */
    for (size_t i = ig->nsources; i-- > 0;) {
        if (strcmp(ig->sources[i], source) == 0)
            return ig->sources[i];
    }
    if (ps_grow(&ig->sources, &ig->capsources, ig->nsources + 1, sizeof(char *)) != PS_OK)
        return NULL;
    copy = ps_strdup(source);
    if (copy == NULL)
        return NULL;
    ig->sources[ig->nsources++] = copy;
    return copy;
}

/* --- compiling one line -------------------------------------------------- */

static void class_set(cclass *c, unsigned char ch)
{
    c->bits[ch >> 3] = (uint8_t)(c->bits[ch >> 3] | (1u << (ch & 7)));
}

static bool class_has(const cclass *c, unsigned char ch)
{
    return (c->bits[ch >> 3] >> (ch & 7)) & 1u;
}

/* Is ch in the POSIX class name[0..n)?  -1 when the name is not a class. */
static int posix_class(const char *name, size_t n, unsigned char ch)
{
    static const struct { const char *name; const char *set; } named[] = {
        { "alpha", NULL }, { "digit", "0123456789" }, { "alnum", NULL },
        { "upper", NULL }, { "lower", NULL }, { "xdigit", "0123456789abcdefABCDEF" },
        { "space", " \t\n\r\f\v" }, { "blank", " \t" }, { "punct", NULL },
        { "cntrl", NULL }, { "print", NULL }, { "graph", NULL },
    };
    /* Byte classes in the C locale, spelt out so no locale can change them. */
    bool up = ch >= 'A' && ch <= 'Z', low = ch >= 'a' && ch <= 'z';
    bool dig = ch >= '0' && ch <= '9', graph = ch > 0x20 && ch < 0x7f;

    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (strlen(named[i].name) != n || memcmp(named[i].name, name, n) != 0)
            continue;
        if (named[i].set != NULL)
            return ch != '\0' && strchr(named[i].set, ch) != NULL;
        switch (i) {
        case 0: return up || low;
        case 2: return up || low || dig;
        case 3: return up;
        case 4: return low;
        case 8: return graph && !(up || low || dig);
        case 9: return ch < 0x20 || ch == 0x7f;
        case 10: return ch >= 0x20 && ch < 0x7f;
        default: return graph;
        }
    }
    return -1;
}

/*
 * Parse the bracket expression at p[*i] == '[' into *c.  On success *i is
 * past its ']'.  Returns false when it is not one (no closing ']', or an
 * unknown [:name:]), and the caller takes the '[' literally, as fnmatch does.
 */
static bool parse_class(const char *p, size_t n, size_t *i, cclass *c)
{
    size_t j = *i + 1;
    bool negate = false, first = true;

    memset(c, 0, sizeof(*c));
    if (j < n && (p[j] == '!' || p[j] == '^')) {
        negate = true;
        j++;
    }
    for (;;) {
        unsigned char lo, hi;

        if (j >= n)
            return false;
        if (p[j] == ']' && !first)
            break;
        first = false;
        if (p[j] == '[' && j + 1 < n && p[j + 1] == ':') {
            const char *end = NULL;

            for (size_t k = j + 2; k + 1 < n; k++) {
                if (p[k] == ':' && p[k + 1] == ']') {
                    end = p + k;
                    break;
                }
            }
            if (end != NULL) {
                const char *name = p + j + 2;
                size_t len = (size_t)(end - name);

                if (posix_class(name, len, 'a') < 0)
                    return false;
                for (unsigned ch = 1; ch < 256; ch++) {
                    if (posix_class(name, len, (unsigned char)ch) > 0)
                        class_set(c, (unsigned char)ch);
                }
                j = (size_t)(end - p) + 2;
                continue;
            }
        }
        if (p[j] == '\\' && j + 1 < n)
            j++;
        lo = (unsigned char)p[j++];
        hi = lo;
        if (j + 1 < n && p[j] == '-' && p[j + 1] != ']') {
            j++;
            if (p[j] == '\\' && j + 1 < n)
                j++;
            hi = (unsigned char)p[j++];
        }
        for (unsigned ch = lo; ch <= hi; ch++)
            class_set(c, (unsigned char)ch);
    }
    if (negate) {
        for (size_t k = 0; k < sizeof(c->bits); k++)
            c->bits[k] = (uint8_t)~c->bits[k];
    }
    /* Like '*' and '?', a bracket never matches a folder separator. */
    c->bits['/' >> 3] = (uint8_t)(c->bits['/' >> 3] & ~(1u << ('/' & 7)));
    *i = j + 1;
    return true;
}

/* Is the position after the last token the start of a path component? */
static bool at_component_start(const pattern *pt)
{
    const tok *last;

    if (pt->ntoks == 0)
        return true;
    last = &pt->toks[pt->ntoks - 1];
    return (last->kind == T_LIT && last->ch == '/') || last->kind == T_SEGMID;
}

static void push(pattern *pt, tok_kind kind, unsigned char ch, uint32_t cls)
{
    pt->toks[pt->ntoks].kind = (uint8_t)kind;
    pt->toks[pt->ntoks].ch = ch;
    pt->toks[pt->ntoks].cls = cls;
    pt->ntoks++;
}

/*
 * Turn the glob p[0..n) (no '!', leading or trailing '/' any more) into
 * pt's tokens.  Returns PS_ERR_NOMEM, PS_ERR_STOP for a pattern that can
 * never match (a trailing lone '\'), or PS_OK.  Every byte yields at most
 * one token but "**" + '/', which yields two from three bytes, so n + 1
 * tokens always suffice.
 */
static ps_status tokenize(const char *p, size_t n, pattern *pt)
{
    size_t i = 0, nbrackets = 0;

    for (size_t k = 0; k < n; k++)
        nbrackets += p[k] == '[';
    pt->toks = calloc(n + 1, sizeof(tok));
    pt->classes = nbrackets ? calloc(nbrackets, sizeof(cclass)) : NULL;
    if (pt->toks == NULL || (nbrackets && pt->classes == NULL))
        return PS_ERR_NOMEM;
    while (i < n) {
        char c = p[i];

        if (c == '\\') {
            if (i + 1 >= n)
                return PS_ERR_STOP;
            push(pt, T_LIT, (unsigned char)p[i + 1], 0);
            i += 2;
        } else if (c == '*') {
            size_t run = 0;

            while (i + run < n && p[i + run] == '*')
                run++;
            if (run >= 2 && at_component_start(pt) && (i + run == n || p[i + run] == '/')) {
                if (i + run == n) {
                    push(pt, T_DSTAR, 0, 0);
                    i += run;
                } else {
                    push(pt, T_SEGS, 0, 0);
                    push(pt, T_SEGMID, 0, 0);
                    i += run + 1;
                }
            } else {
                if (pt->ntoks == 0 || pt->toks[pt->ntoks - 1].kind != T_STAR)
                    push(pt, T_STAR, 0, 0);
                i += run;
            }
        } else if (c == '?') {
            push(pt, T_ANY, 0, 0);
            i++;
        } else if (c == '[' && parse_class(p, n, &i, &pt->classes[pt->nclasses])) {
            push(pt, T_CLASS, 0, (uint32_t)pt->nclasses++);
        } else {
            push(pt, T_LIT, (unsigned char)c, 0);
            i++;
        }
    }
    pt->literal = true;
    for (size_t k = 0; k < pt->ntoks; k++)
        pt->literal = pt->literal && pt->toks[k].kind == T_LIT;
    return PS_OK;
}

/*
 * Length of line[0..n) without its trailing spaces, keeping a space that a
 * backslash escapes ("foo\ " ends in a space), as git does.
 */
static size_t trim_trailing_spaces(const char *line, size_t n)
{
    size_t end = 0;

    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\\' && i + 1 < n) {
            i++;
            end = i + 1;
        } else if (line[i] != ' ') {
            end = i + 1;
        }
    }
    return end;
}

/*
 * Compile one line into *pt.  PS_ERR_STOP means "adds nothing" (comment,
 * blank, or a pattern that can never match).
 */
static ps_status compile_line(const char *line, size_t n, pattern *pt)
{
    ps_status st;

    memset(pt, 0, sizeof(*pt));
    if (n == 0 || line[0] == '#')
        return PS_ERR_STOP;
    n = trim_trailing_spaces(line, n);
    if (n > 0 && line[0] == '!') {
        pt->negate = true;
        line++;
        n--;
    }
    if (n > 0 && line[n - 1] == '/') {
        pt->dir_only = true;
        n--;
    }
    pt->anchored = memchr(line, '/', n) != NULL;
    if (n > 0 && line[0] == '/') {
        line++;
        n--;
    }
    if (n == 0)
        return PS_ERR_STOP;
    st = tokenize(line, n, pt);
    if (st != PS_OK)
        pattern_free(pt);
    return st;
}

/* Add one line; *why receives what went wrong for the load message. */
static ps_status add_line(ps_ignore *ig, const char *line, size_t n, const char *source,
                          unsigned lineno, const char **why)
{
    pattern pt;
    ps_status st;

    *why = NULL;
    if (n > PS_IGNORE_MAX_PATTERN) {
        *why = "pattern longer than 4096 bytes";
        return PS_ERR_LIMIT;
    }
    st = compile_line(line, n, &pt);
    if (st == PS_ERR_STOP)
        return PS_OK;
    if (st != PS_OK)
        return st;
    if (ig->npats >= PS_IGNORE_MAX_PATTERNS) {
        pattern_free(&pt);
        *why = "more than 100000 patterns";
        return PS_ERR_LIMIT;
    }
    pt.line = lineno;
    pt.source = intern_source(ig, source);
    if (pt.source == NULL ||
        ps_grow(&ig->pats, &ig->cappats, ig->npats + 1, sizeof(pattern)) != PS_OK) {
        pattern_free(&pt);
        return PS_ERR_NOMEM;
    }
    ig->pats[ig->npats++] = pt;
    return PS_OK;
}

ps_status ps_ignore_add(ps_ignore *ig, const char *pattern_text, const char *source,
                        unsigned line)
{
    const char *why;

    return add_line(ig, pattern_text, strlen(pattern_text), source, line, &why);
}

/* Drop the patterns added after the first `keep` (a failed load). */
static void truncate_to(ps_ignore *ig, size_t keep)
{
    while (ig->npats > keep)
        pattern_free(&ig->pats[--ig->npats]);
}

/* Read the whole of fd (a regular file) into buf, at most PS_IGNORE_MAX_FILE bytes. */
static ps_status read_all(int fd, const char *path, ps_buf *buf, ps_diag *diag)
{
    char chunk[16384];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        ps_status st;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ps_diag_set(diag, "%s: %s", path, strerror(errno));
            return PS_ERR_IO;
        }
        if (n == 0)
            return PS_OK;
        st = ps_buf_append(buf, chunk, (size_t)n);
        if (st == PS_ERR_LIMIT) {
            ps_diag_set(diag, "%s: file too large (the limit is 1 MiB)", path);
            return st;
        }
        if (st != PS_OK) {
            ps_diag_set(diag, "%s: out of memory", path);
            return st;
        }
    }
}

ps_status ps_ignore_load(ps_ignore *ig, const char *path, ps_diag *diag)
{
    size_t keep = ig->npats, pos = 0;
    unsigned lineno = 0;
    struct stat sb;
    ps_buf buf;
    const char *text;
    ps_status st;
    /* O_NONBLOCK: a FIFO planted in the scanned tree must not hang the open. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        return PS_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ps_diag_set(diag, "%s: not a regular file", path);
        close(fd);
        return PS_ERR_IO;
    }
    ps_buf_init(&buf, PS_IGNORE_MAX_FILE);
    st = read_all(fd, path, &buf, diag);
    close(fd);
    text = ps_buf_cstr(&buf);
    if (st == PS_OK && buf.len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (st == PS_OK && pos < buf.len) {
        const char *nl = memchr(text + pos, '\n', buf.len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : buf.len, len = end - pos;
        const char *why = NULL;

        lineno++;
        if (len > 0 && text[pos + len - 1] == '\r')
            len--;
        if (memchr(text + pos, '\0', len) != NULL) {
            ps_diag_set(diag, "%s:%u: the line holds a NUL byte", path, lineno);
            st = PS_ERR_RULE;
            break;
        }
        st = add_line(ig, text + pos, len, path, lineno, &why);
        if (st != PS_OK)
            ps_diag_set(diag, "%s:%u: %s", path, lineno, why != NULL ? why : "out of memory");
        pos = end + 1;
    }
    ps_buf_free(&buf);
    if (st != PS_OK)
        truncate_to(ig, keep);
    return st;
}

/* --- matching ------------------------------------------------------------ */

/* Add state i to set, and every state its epsilon edges lead to. */
static void add_state(uint64_t *set, const pattern *pt, size_t i)
{
    for (;;) {
        uint64_t bit = (uint64_t)1 << (i & 63);

        if (set[i >> 6] & bit)
            return;
        set[i >> 6] |= bit;
        if (i == pt->ntoks)
            return;
        if (pt->toks[i].kind == T_STAR || pt->toks[i].kind == T_DSTAR)
            i += 1;            /* zero bytes of the run */
        else if (pt->toks[i].kind == T_SEGS)
            i += 2;            /* zero folders: skip the T_SEGMID too */
        else
            return;
    }
}

/* Move one live state i over byte ch into next. */
static void step(uint64_t *next, const pattern *pt, size_t i, unsigned char ch)
{
    const tok *t = &pt->toks[i];

    switch ((tok_kind)t->kind) {
    case T_LIT:
        if (ch == t->ch)
            add_state(next, pt, i + 1);
        break;
    case T_ANY:
        if (ch != '/')
            add_state(next, pt, i + 1);
        break;
    case T_CLASS:
        if (class_has(&pt->classes[t->cls], ch))
            add_state(next, pt, i + 1);
        break;
    case T_STAR:
        if (ch != '/')
            add_state(next, pt, i);
        break;
    case T_DSTAR:
        add_state(next, pt, i);
        break;
    case T_SEGS:
        /* A folder name starts; an empty one ("//") is not a folder. */
        if (ch != '/')
            add_state(next, pt, i + 1);
        break;
    case T_SEGMID:
        /* '/' ends the folder: back at T_SEGS, free to skip what follows. */
        add_state(next, pt, ch == '/' ? i - 1 : i);
        break;
    }
}

/* Index of the lowest set bit of v (v != 0). */
static unsigned lowest_bit(uint64_t v)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(v);
#else
    unsigned i = 0;

    while ((v & 1u) == 0) {
        v >>= 1;
        i++;
    }
    return i;
#endif
}

/* One NFA step over byte ch from cur into next; false when nothing is left alive. */
static bool nfa_step(const pattern *pt, const uint64_t *cur, uint64_t *next, size_t words,
                     unsigned char ch)
{
    uint64_t any = 0;

    memset(next, 0, words * sizeof(uint64_t));
    for (size_t w = 0; w < words; w++) {
        for (uint64_t bits = cur[w]; bits != 0; bits &= bits - 1) {
            size_t i = w * 64 + lowest_bit(bits);

            if (i < pt->ntoks)
                step(next, pt, i, ch);
        }
    }
    for (size_t w = 0; w < words; w++)
        any |= next[w];
    return any != 0;
}

static bool accepts(const pattern *pt, const uint64_t *set)
{
    return (set[pt->ntoks >> 6] >> (pt->ntoks & 63)) & 1u;
}

/* Does the whole of s[0..n) match pt's tokens? */
static bool glob_match(const pattern *pt, const char *s, size_t n)
{
    uint64_t a[SET_WORDS], b[SET_WORDS];
    uint64_t *cur = a, *next = b;
    size_t words = (pt->ntoks + 1 + 63) / 64;

    if (pt->literal) {
        if (n != pt->ntoks)
            return false;
        for (size_t i = 0; i < n; i++) {
            if ((unsigned char)s[i] != pt->toks[i].ch)
                return false;
        }
        return true;
    }
    memset(cur, 0, words * sizeof(uint64_t));
    add_state(cur, pt, 0);
    for (size_t k = 0; k < n; k++) {
        uint64_t *tmp;

        if (!nfa_step(pt, cur, next, words, (unsigned char)s[k]))
            return false;
        tmp = cur;
        cur = next;
        next = tmp;
    }
    return accepts(pt, cur);
}

/*
 * A path "a/b/c" has levels 0 ("a"), 1 ("a/b") and 2 ("a/b/c"); all but
 * the last are folders.  Levels are decided a window of WINDOW at a time,
 * outermost first, so that no path is too deep for the stack:
 * decided[lv - first] holds the last pattern that matches level lv, filled
 * by trying patterns from the last one back.
 */
#define WINDOW 256

typedef struct levels {
    const char *path;
    size_t n;
    bool is_dir;           /* the last level is a folder */
    size_t count;          /* number of levels of the path */
    size_t first, end;     /* the window: levels [first, end) */
    size_t open;           /* levels of the window with no pattern yet */
    const pattern *decided[WINDOW];
} levels;

/* Record pt for level lv if lv is in the window, still open, and pt may apply to it. */
static void decide(levels *L, size_t lv, const pattern *pt)
{
    if (lv < L->first || lv >= L->end || L->decided[lv - L->first] != NULL)
        return;
    if (pt->dir_only && lv + 1 == L->count && !L->is_dir)
        return;
    L->decided[lv - L->first] = pt;
    L->open--;
}

/*
 * An anchored pattern against every level of the window at once: one NFA
 * run over the path, checking for acceptance wherever a level ends.
 */
static void anchored_levels(levels *L, const pattern *pt)
{
    uint64_t a[SET_WORDS], b[SET_WORDS];
    uint64_t *cur = a, *next = b;
    size_t words = (pt->ntoks + 1 + 63) / 64, lv = 0;

    if (pt->literal) {
        /* Only the level that ends after ntoks bytes can match. */
        if (pt->ntoks > L->n || (pt->ntoks < L->n && L->path[pt->ntoks] != '/') ||
            !glob_match(pt, L->path, pt->ntoks))
            return;
        for (size_t k = 0; k < pt->ntoks; k++)
            lv += L->path[k] == '/';
        decide(L, lv, pt);
        return;
    }
    memset(cur, 0, words * sizeof(uint64_t));
    add_state(cur, pt, 0);
    for (size_t k = 0;; k++) {
        uint64_t *tmp;

        if (k == L->n || L->path[k] == '/') {
            if (accepts(pt, cur))
                decide(L, lv, pt);
            if (++lv >= L->end || k == L->n)
                return;
        }
        if (!nfa_step(pt, cur, next, words, (unsigned char)L->path[k]))
            return;
        tmp = cur;
        cur = next;
        next = tmp;
    }
}

/* An unanchored pattern sees each level's last component alone. */
static void basename_levels(levels *L, const pattern *pt)
{
    size_t start = 0, lv = 0;

    for (size_t k = 0; k <= L->n && lv < L->end; k++) {
        if (k < L->n && L->path[k] != '/')
            continue;
        if (lv >= L->first && L->decided[lv - L->first] == NULL &&
            glob_match(pt, L->path + start, k - start))
            decide(L, lv, pt);
        lv++;
        start = k + 1;
    }
}

/*
 * Decide the window's levels, trying patterns from the last one back until
 * all are decided; returns the outermost excluding pattern, or NULL.
 */
static const pattern *decide_window(const ps_ignore *ig, levels *L)
{
    L->open = L->end - L->first;
    for (size_t lv = 0; lv < L->open; lv++)
        L->decided[lv] = NULL;
    for (size_t i = ig->npats; i-- > 0 && L->open > 0;) {
        const pattern *pt = &ig->pats[i];

        if (pt->anchored)
            anchored_levels(L, pt);
        else
            basename_levels(L, pt);
    }
    for (size_t lv = 0; lv < L->end - L->first; lv++) {
        if (L->decided[lv] != NULL && !L->decided[lv]->negate)
            return L->decided[lv];
    }
    return NULL;
}

bool ps_ignore_match_src(const ps_ignore *ig, const char *rel_path, bool is_dir,
                         const char **source, unsigned *line)
{
    const pattern *hit = NULL;
    levels L;

    if (ig == NULL || ig->npats == 0)
        return false;
    /* Be lenient with "./x" and "/x": both mean x under the root. */
    for (;;) {
        if (rel_path[0] == '/')
            rel_path++;
        else if (rel_path[0] == '.' && rel_path[1] == '/')
            rel_path += 2;
        else
            break;
    }
    L.path = rel_path;
    L.n = strlen(rel_path);
    L.is_dir = is_dir;
    if (L.n == 0)
        return false;
    L.count = 1;
    for (size_t k = 0; k < L.n; k++)
        L.count += rel_path[k] == '/';
    /* The outermost excluded level decides: nothing inside it comes back. */
    for (L.first = 0; L.first < L.count && hit == NULL; L.first += WINDOW) {
        L.end = L.count - L.first < WINDOW ? L.count : L.first + WINDOW;
        hit = decide_window(ig, &L);
    }
    if (hit == NULL)
        return false;
    if (source != NULL)
        *source = hit->source;
    if (line != NULL)
        *line = hit->line;
    return true;
}

bool ps_ignore_match(const ps_ignore *ig, const char *rel_path, bool is_dir)
{
    return ps_ignore_match_src(ig, rel_path, is_dir, NULL, NULL);
}

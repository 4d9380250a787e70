/*
 * baseline.c - keyed fingerprints of findings, and the baseline file that
 * lists them (see baseline.h and docs/baseline.md).
 *
 * Why keyed, and why the key sits in the file.  Paths, table and column
 * names are themselves sensitive ("kids/emma-smith.jpg"), and baselines get
 * committed to repositories and pasted into tickets.  An unkeyed hash of
 * "rule, path, column" could be confirmed by anyone who can guess a path:
 * the candidate space (a rule id times a naming scheme) is small enough to
 * enumerate.  With a 32-byte random key per baseline, a fingerprint says
 * nothing to someone who has only the fingerprint, and two baselines of the
 * same tree share no fingerprints, so they cannot be linked to each other
 * or to the SARIF partialFingerprints (which are unkeyed).  The key is
 * stored next to the fingerprints because the scanner needs it to compute
 * the same fingerprints on the next scan; whoever holds the file can
 * therefore test guesses against it.  The threat model is thus "the baseline
 * leaks alone": it must not reveal what it stands for to anyone who does
 * not already know, or can guess, the paths in the tree; it does not hide
 * anything from a holder of the file who can guess paths.
 *
 * The hashed message is unambiguous: a domain string, then each part as a
 * tag byte and, when present, an 8-byte big-endian length and the bytes, so
 * no choice of names can make two different places hash the same input.
 *
 * Reading is streaming (yajl's event API) with a hard size limit, and every
 * callback checks that the event is the one the format allows at that
 * point; anything else stops the parse with a message that names the
 * member.  Nothing nests deeper than two levels, so a hostile file cannot
 * make the parser recurse or allocate for structure.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <yajl/yajl_parse.h>

#include "baseline.h"
#include "jsonw.h"
#include "util.h"

#define BASELINE_VERSION 1
#define BASELINE_DOMAIN "plainsight.baseline.v1"
#define READ_CHUNK (64u * 1024u)

typedef unsigned char fp_t[PS_BASELINE_FP_BYTES];

struct ps_baseline {
    unsigned char key[PS_BASELINE_KEY_BYTES];
    fp_t *fps;      /* sorted, unique */
    size_t n, cap;
};

/* --- fingerprints ----------------------------------------------------------- */

/* Hash a part's tag byte and its length as 8 bytes big-endian; the bytes follow. */
static void hash_header(crypto_generichash_state *h, unsigned char tag, size_t len)
{
    unsigned char hdr[9];
    uint64_t n = (uint64_t)len;

    hdr[0] = tag;
    for (int i = 0; i < 8; i++)
        hdr[1 + i] = (unsigned char)(n >> (8 * (7 - i)));
    crypto_generichash_update(h, hdr, sizeof(hdr));
}

/*
 * Hash one optional string part.  NULL and "" are the same absent part:
 * where one code path leaves a member NULL and another sets it empty, the
 * finding is still the same place.
 */
static void hash_part(crypto_generichash_state *h, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0) {
        unsigned char none = 0;

        crypto_generichash_update(h, &none, 1);
        return;
    }
    hash_header(h, 1, n);
    crypto_generichash_update(h, (const unsigned char *)s, n);
}

/*
 * Walk the JSON pointer p with every all-digit segment folded to "*" (the
 * rule findings.c aggregates by), hashing the folded bytes when h is not
 * NULL.  Returns the folded length, so a first pass with h == NULL gives
 * the length prefix without building a copy.
 */
static size_t fold_pointer(crypto_generichash_state *h, const char *p)
{
    size_t total = 0;

    while (*p != '\0') {
        size_t seg, digits = 0;

        if (*p == '/') {
            if (h != NULL)
                crypto_generichash_update(h, (const unsigned char *)"/", 1);
            total++;
            p++;
            continue;
        }
        seg = strcspn(p, "/");
        while (digits < seg && p[digits] >= '0' && p[digits] <= '9')
            digits++;
        if (digits == seg) {
            if (h != NULL)
                crypto_generichash_update(h, (const unsigned char *)"*", 1);
            total++;
        } else {
            if (h != NULL)
                crypto_generichash_update(h, (const unsigned char *)p, seg);
            total += seg;
        }
        p += seg;
    }
    return total;
}

/*
 * The place part: a JSON pointer (tag 'P', folded) when there is one, else
 * the column (tag 'C'), else nothing.  The tags keep a CSV column named
 * "/a" apart from the pointer "/a".
 */
static void hash_place(crypto_generichash_state *h, const ps_finding *f)
{
    if (f->pointer != NULL) {
        hash_header(h, 'P', fold_pointer(NULL, f->pointer));
        (void)fold_pointer(h, f->pointer);
    } else if (f->column != NULL && f->column[0] != '\0') {
        size_t n = strlen(f->column);

        hash_header(h, 'C', n);
        crypto_generichash_update(h, (const unsigned char *)f->column, n);
    } else {
        unsigned char none = 0;

        crypto_generichash_update(h, &none, 1);
    }
}

void ps_baseline_fingerprint(const unsigned char key[PS_BASELINE_KEY_BYTES],
                             const ps_ruleset *rs, const ps_finding *f,
                             unsigned char out[PS_BASELINE_FP_BYTES])
{
    crypto_generichash_state h;
    const char *rule = rs != NULL && f->rule < rs->nrules ? rs->rules[f->rule].id : NULL;

    /* Returns -1 only for out-of-range sizes, and these are constants in range. */
    (void)crypto_generichash_init(&h, key, PS_BASELINE_KEY_BYTES, PS_BASELINE_FP_BYTES);
    crypto_generichash_update(&h, (const unsigned char *)BASELINE_DOMAIN, sizeof(BASELINE_DOMAIN));
    hash_part(&h, rule);
    hash_part(&h, f->path);
    hash_part(&h, f->inner);
    hash_part(&h, f->table);
    hash_place(&h, f);
    (void)crypto_generichash_final(&h, out, PS_BASELINE_FP_BYTES);
    sodium_memzero(&h, sizeof(h));
}

static int fp_cmp(const void *a, const void *b)
{
    return memcmp(a, b, PS_BASELINE_FP_BYTES);
}

/* Sort fps[0..n) and drop repeats; returns the new count. */
static size_t fp_sort_unique(fp_t *fps, size_t n)
{
    size_t w = 0;

    if (n == 0)
        return 0;
    qsort(fps, n, sizeof(fp_t), fp_cmp);
    for (size_t i = 1; i < n; i++) {
        if (memcmp(fps[w], fps[i], PS_BASELINE_FP_BYTES) != 0) {
            w++;
            if (w != i)
                memcpy(fps[w], fps[i], PS_BASELINE_FP_BYTES);
        }
    }
    return w + 1;
}

static ps_status crypto_ready(ps_diag *diag)
{
    if (sodium_init() < 0) {
        ps_diag_set(diag, "libsodium could not be initialised");
        return PS_ERR_CRYPTO;
    }
    return PS_OK;
}

/* --- writing ---------------------------------------------------------------- */

/*
 * Make the rename durable by syncing the directory that holds path.  Best
 * effort: some file systems refuse fsync on a directory, and the rename is
 * atomic either way; only its surviving a power cut is at stake.
 */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    ps_buf dir;
    int fd;

    ps_buf_init(&dir, PATH_MAX);
    if (slash == NULL) {
        if (ps_buf_putc(&dir, '.') != PS_OK)
            goto out;
    } else if (ps_buf_append(&dir, path, slash == path ? 1 : (size_t)(slash - path)) != PS_OK) {
        goto out;
    }
    fd = open(ps_buf_cstr(&dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
out:
    ps_buf_free(&dir);
}

/* The JSON document (see docs/baseline.md) to out; stdio errors show in ferror(out). */
static void write_json(FILE *out, const unsigned char key[PS_BASELINE_KEY_BYTES],
                       const ps_ruleset *rs, const fp_t *fps, size_t n,
                       const char *tool_version)
{
    char hex[2 * PS_BASELINE_KEY_BYTES + 1];
    ps_jsonw w;

    ps_jsonw_init(&w, out, true);
    ps_jsonw_object_begin(&w);
    ps_jsonw_key(&w, "plainsight_baseline");
    ps_jsonw_int(&w, BASELINE_VERSION);
    ps_jsonw_key(&w, "tool_version");
    ps_jsonw_string(&w, tool_version != NULL ? tool_version : "");
    ps_jsonw_key(&w, "created_with");
    ps_jsonw_object_begin(&w);
    ps_jsonw_key(&w, "rules");
    ps_jsonw_uint(&w, rs != NULL ? (uint64_t)rs->nrules : 0);
    ps_jsonw_object_end(&w);
    ps_jsonw_key(&w, "key");
    sodium_bin2hex(hex, sizeof(hex), key, PS_BASELINE_KEY_BYTES);
    ps_jsonw_string(&w, hex);
    ps_jsonw_key(&w, "fingerprints");
    ps_jsonw_array_begin(&w);
    for (size_t i = 0; i < n; i++) {
        sodium_bin2hex(hex, sizeof(hex), fps[i], PS_BASELINE_FP_BYTES);
        ps_jsonw_string(&w, hex);
    }
    ps_jsonw_array_end(&w);
    ps_jsonw_object_end(&w);
    sodium_memzero(hex, sizeof(hex));
}

/*
 * Write the document to a temporary file beside path, then rename it over
 * path, so a reader (or a crash) sees the old baseline or the new one,
 * never half of one.  On failure the temporary file is removed.
 */
static ps_status write_atomically(const char *path, const unsigned char key[PS_BASELINE_KEY_BYTES],
                                  const ps_ruleset *rs, const fp_t *fps, size_t n,
                                  const char *tool_version, ps_diag *diag)
{
    ps_buf tmp;
    FILE *out = NULL;
    int fd = -1;
    bool created = false;
    ps_status st;

    ps_buf_init(&tmp, PATH_MAX + 16);
    st = ps_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
    if (st != PS_OK) {
        ps_diag_set(diag, "%s: path too long", path);
        goto cleanup;
    }
    fd = mkstemp(tmp.data);
    if (fd < 0)
        goto io_error;
    created = true;
    /* mkstemp makes 0600; a baseline holds nothing secret from other readers of the tree. */
    if (fchmod(fd, 0644) != 0)
        goto io_error;
    out = fdopen(fd, "w");
    if (out == NULL)
        goto io_error;
    fd = -1; /* owned by out now */
    write_json(out, key, rs, fps, n, tool_version);
    if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0)
        goto io_error;
    if (fclose(out) != 0) {
        out = NULL;
        goto io_error;
    }
    out = NULL;
    if (rename(tmp.data, path) != 0)
        goto io_error;
    created = false;
    sync_parent_dir(path);
    goto cleanup;

io_error:
    ps_diag_set(diag, "%s: %s", path, strerror(errno));
    st = PS_ERR_IO;
cleanup:
    if (out != NULL)
        fclose(out);
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp.data);
    ps_buf_free(&tmp);
    return st;
}

ps_status ps_baseline_write_keyed(const char *path, const unsigned char key[PS_BASELINE_KEY_BYTES],
                                  const ps_ruleset *rs, const ps_findings *fs,
                                  const char *tool_version, ps_diag *diag)
{
    fp_t *fps = NULL;
    size_t n = fs != NULL ? fs->n : 0;
    ps_status st = crypto_ready(diag);

    if (st != PS_OK)
        return st;
    if (n > 0) {
        fps = calloc(n, sizeof(fp_t));
        if (fps == NULL) {
            ps_diag_set(diag, "%s: out of memory", path);
            return PS_ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++)
            ps_baseline_fingerprint(key, rs, &fs->items[i], fps[i]);
        n = fp_sort_unique(fps, n);
    }
    st = write_atomically(path, key, rs, fps, n, tool_version, diag);
    free(fps);
    return st;
}

ps_status ps_baseline_write(const char *path, const ps_ruleset *rs, const ps_findings *fs,
                            const char *tool_version, ps_diag *diag)
{
    unsigned char key[PS_BASELINE_KEY_BYTES];
    ps_status st = crypto_ready(diag);

    if (st != PS_OK)
        return st;
    randombytes_buf(key, sizeof(key));
    st = ps_baseline_write_keyed(path, key, rs, fs, tool_version, diag);
    sodium_memzero(key, sizeof(key));
    return st;
}

/* --- reading ---------------------------------------------------------------- */

enum member { M_VERSION = 0, M_TOOL, M_CREATED, M_KEY, M_FPS, M_COUNT };

static const char *const member_names[M_COUNT] = {
    "plainsight_baseline", "tool_version", "created_with", "key", "fingerprints"
};

typedef struct load_ctx {
    ps_baseline *b;
    int depth;         /* 0: outside; 1: in the top object; 2: in created_with or fingerprints */
    int cur;           /* depth 1: the member whose value comes next, or -1 */
    int in;            /* depth 2: M_CREATED or M_FPS */
    bool rules_next;   /* in created_with: the next value is "rules" */
    bool rules_seen;
    unsigned seen;     /* bit per member */
    bool done;         /* the top object is closed */
    size_t nfp;        /* fingerprints read, for messages */
    ps_status st;      /* why the parse was stopped: PS_ERR_USAGE or PS_ERR_NOMEM */
    char what[160];
} load_ctx;

/* Stop the parse with a reason; returns 0, which yajl takes as "cancel". */
static int reject(load_ctx *c, ps_status st, const char *fmt, ...) PS_PRINTF(3, 4);

static int reject(load_ctx *c, ps_status st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->what, sizeof(c->what), fmt, ap);
    va_end(ap);
    c->st = st;
    return 0;
}

/* The complaint for a value of the wrong kind at the current place. */
static int wrong_value(load_ctx *c)
{
    if (c->depth == 0)
        return reject(c, PS_ERR_USAGE, "the top level is not a JSON object");
    if (c->depth == 2 && c->in == M_FPS)
        return reject(c, PS_ERR_USAGE, "fingerprints[%zu]: not 32 hex digits", c->nfp);
    if (c->depth == 2)
        return reject(c, PS_ERR_USAGE, "created_with.rules: not a non-negative integer");
    switch (c->cur) {
    case M_VERSION: return reject(c, PS_ERR_USAGE, "plainsight_baseline: not the number %d", BASELINE_VERSION);
    case M_TOOL: return reject(c, PS_ERR_USAGE, "tool_version: not a string");
    case M_CREATED: return reject(c, PS_ERR_USAGE, "created_with: not an object");
    case M_KEY: return reject(c, PS_ERR_USAGE, "key: not 64 hex digits");
    case M_FPS: return reject(c, PS_ERR_USAGE, "fingerprints: not an array");
    default: break;
    }
    return reject(c, PS_ERR_USAGE, "unexpected value");
}

/* Decode exactly 2*outlen hex digits; false on any other length or a non-hex byte. */
static bool hex_exact(const unsigned char *s, size_t n, unsigned char *out, size_t outlen)
{
    if (n != 2 * outlen)
        return false;
    for (size_t i = 0; i < outlen; i++) {
        int hi = ps_hex_digit(s[2 * i]), lo = ps_hex_digit(s[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

static int on_null(void *ud)
{
    return wrong_value(ud);
}

static int on_boolean(void *ud, int v)
{
    (void)v;
    return wrong_value(ud);
}

static int on_double(void *ud, double v)
{
    (void)v;
    return wrong_value(ud);
}

static int on_integer(void *ud, long long v)
{
    load_ctx *c = ud;

    if (c->depth == 1 && c->cur == M_VERSION) {
        if (v != BASELINE_VERSION)
            return reject(c, PS_ERR_USAGE,
                          "plainsight_baseline: unsupported version %lld (this plainsight reads version %d)",
                          v, BASELINE_VERSION);
        c->cur = -1;
        return 1;
    }
    if (c->depth == 2 && c->in == M_CREATED && c->rules_next && v >= 0) {
        c->rules_next = false;
        return 1;
    }
    return wrong_value(c);
}

static int on_string(void *ud, const unsigned char *s, size_t n)
{
    load_ctx *c = ud;
    ps_baseline *b = c->b;

    if (c->depth == 1 && c->cur == M_TOOL) {
        c->cur = -1;
        return 1;
    }
    if (c->depth == 1 && c->cur == M_KEY) {
        if (!hex_exact(s, n, b->key, PS_BASELINE_KEY_BYTES))
            return wrong_value(c);
        c->cur = -1;
        return 1;
    }
    if (c->depth == 2 && c->in == M_FPS) {
        if (ps_grow(&b->fps, &b->cap, b->n + 1, sizeof(fp_t)) != PS_OK)
            return reject(c, PS_ERR_NOMEM, "out of memory");
        if (!hex_exact(s, n, b->fps[b->n], PS_BASELINE_FP_BYTES))
            return wrong_value(c);
        b->n++;
        c->nfp++;
        return 1;
    }
    return wrong_value(c);
}

/* A member name worth echoing: short and plain, so a message stays one clean line. */
static bool plain_name(const unsigned char *s, size_t n)
{
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = s[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
            return false;
    }
    return true;
}

static int unknown_member(load_ctx *c, const char *prefix, const unsigned char *s, size_t n)
{
    if (plain_name(s, n))
        return reject(c, PS_ERR_USAGE, "unknown member '%s%.*s'", prefix, (int)n, (const char *)s);
    return reject(c, PS_ERR_USAGE, "unknown member in %s", prefix[0] != '\0' ? "created_with" : "the top object");
}

static int on_map_key(void *ud, const unsigned char *s, size_t n)
{
    load_ctx *c = ud;

    if (c->depth == 2) {
        /* Only created_with is an object at depth 2. */
        if (n != 5 || memcmp(s, "rules", 5) != 0)
            return unknown_member(c, "created_with.", s, n);
        if (c->rules_seen)
            return reject(c, PS_ERR_USAGE, "duplicate member 'created_with.rules'");
        c->rules_seen = true;
        c->rules_next = true;
        return 1;
    }
    for (int m = 0; m < M_COUNT; m++) {
        if (strlen(member_names[m]) == n && memcmp(member_names[m], s, n) == 0) {
            if (c->seen & (1u << m))
                return reject(c, PS_ERR_USAGE, "duplicate member '%s'", member_names[m]);
            c->seen |= 1u << m;
            c->cur = m;
            return 1;
        }
    }
    return unknown_member(c, "", s, n);
}

static int on_start_map(void *ud)
{
    load_ctx *c = ud;

    if (c->depth == 0) {
        c->depth = 1;
        c->cur = -1;
        return 1;
    }
    if (c->depth == 1 && c->cur == M_CREATED) {
        c->depth = 2;
        c->in = M_CREATED;
        return 1;
    }
    return wrong_value(c);
}

static int on_end_map(void *ud)
{
    load_ctx *c = ud;

    if (c->depth == 2) {
        if (!c->rules_seen)
            return reject(c, PS_ERR_USAGE, "created_with: missing member 'rules'");
        c->depth = 1;
        c->cur = -1;
        return 1;
    }
    for (int m = 0; m < M_COUNT; m++) {
        if (!(c->seen & (1u << m)))
            return reject(c, PS_ERR_USAGE, "missing member '%s'", member_names[m]);
    }
    c->depth = 0;
    c->done = true;
    return 1;
}

static int on_start_array(void *ud)
{
    load_ctx *c = ud;

    if (c->depth == 1 && c->cur == M_FPS) {
        c->depth = 2;
        c->in = M_FPS;
        return 1;
    }
    return wrong_value(c);
}

static int on_end_array(void *ud)
{
    load_ctx *c = ud;

    /* Only the fingerprints array can be open: any other start was refused. */
    c->depth = 1;
    c->cur = -1;
    return 1;
}

static const yajl_callbacks load_callbacks = {
    on_null, on_boolean, on_integer, on_double, NULL, on_string,
    on_start_map, on_map_key, on_end_map, on_start_array, on_end_array
};

/*
 * Turn a yajl failure into the reason for the message: our own reason when
 * a callback stopped the parse, else yajl's short message (which never
 * quotes the input).  at_end: the failure came from yajl_complete_parse.
 */
static void parse_failure(yajl_handle h, yajl_status ys, const load_ctx *c, bool at_end,
                          char *what, size_t cap)
{
    unsigned char *msg;
    size_t len;

    if (ys == yajl_status_client_canceled) {
        ps_strlcpy(what, c->what, cap);
        return;
    }
    if (at_end) {
        ps_strlcpy(what, "truncated (the JSON ends early)", cap);
        return;
    }
    msg = yajl_get_error(h, 0, NULL, 0);
    if (msg == NULL) {
        ps_strlcpy(what, "not JSON", cap);
        return;
    }
    len = strlen((const char *)msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' ' || msg[len - 1] == '.'))
        len--;
    snprintf(what, cap, "not JSON (%.*s)", (int)len, (const char *)msg);
    yajl_free_error(h, msg);
}

/*
 * Feed the open file fd to a yajl parser over c.  Returns PS_OK, PS_ERR_IO
 * (errno kept), PS_ERR_USAGE or PS_ERR_NOMEM with the reason in what.
 */
static ps_status parse_fd(int fd, load_ctx *c, char *what, size_t cap)
{
    unsigned char *chunk = malloc(READ_CHUNK);
    yajl_handle h = NULL;
    uint64_t total = 0;
    ps_status st = PS_OK;
    yajl_status ys;

    what[0] = '\0';
    if (chunk == NULL)
        return PS_ERR_NOMEM;
    h = yajl_alloc(&load_callbacks, NULL, c);
    if (h == NULL) {
        free(chunk);
        return PS_ERR_NOMEM;
    }
    for (;;) {
        ssize_t r = read(fd, chunk, READ_CHUNK);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            st = PS_ERR_IO;
            goto out;
        }
        if (r == 0)
            break;
        total += (uint64_t)r;
        /* fstat said it fits; this catches a file that grew since. */
        if (total > PS_BASELINE_MAX_FILE) {
            ps_strlcpy(what, "larger than 64 MiB", cap);
            st = PS_ERR_USAGE;
            goto out;
        }
        ys = yajl_parse(h, chunk, (size_t)r);
        if (ys != yajl_status_ok) {
            parse_failure(h, ys, c, false, what, cap);
            st = ys == yajl_status_client_canceled ? c->st : PS_ERR_USAGE;
            goto out;
        }
    }
    if (total == 0) {
        ps_strlcpy(what, "empty file", cap);
        st = PS_ERR_USAGE;
        goto out;
    }
    ys = yajl_complete_parse(h);
    if (ys != yajl_status_ok) {
        parse_failure(h, ys, c, true, what, cap);
        st = ys == yajl_status_client_canceled ? c->st : PS_ERR_USAGE;
        goto out;
    }
    if (!c->done) {
        /* yajl accepted a whole value, so only a non-object top level gets here. */
        ps_strlcpy(what, "the top level is not a JSON object", cap);
        st = PS_ERR_USAGE;
    }
out:
    yajl_free(h);
    free(chunk);
    return st;
}

ps_status ps_baseline_load(const char *path, ps_baseline **out, ps_diag *diag)
{
    ps_baseline *b = NULL;
    load_ctx c;
    char what[sizeof(c.what)];
    struct stat sb;
    int fd;
    ps_status st;

    *out = NULL;
    st = crypto_ready(diag);
    if (st != PS_OK)
        return st;
    /* O_NONBLOCK: a FIFO planted at the path must not hang the scan before it starts. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        return PS_ERR_IO;
    }
    if (fstat(fd, &sb) != 0) {
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
        st = PS_ERR_IO;
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        ps_diag_set(diag, "%s: not a plainsight baseline: not a regular file", path);
        st = PS_ERR_USAGE;
        goto out;
    }
    if ((uint64_t)sb.st_size > PS_BASELINE_MAX_FILE) {
        ps_diag_set(diag, "%s: not a plainsight baseline: larger than 64 MiB", path);
        st = PS_ERR_USAGE;
        goto out;
    }
    b = calloc(1, sizeof(*b));
    if (b == NULL) {
        ps_diag_set(diag, "%s: out of memory", path);
        st = PS_ERR_NOMEM;
        goto out;
    }
    memset(&c, 0, sizeof(c));
    c.b = b;
    c.cur = -1;
    c.st = PS_ERR_USAGE;
    st = parse_fd(fd, &c, what, sizeof(what));
    if (st == PS_ERR_IO)
        ps_diag_set(diag, "%s: %s", path, strerror(errno));
    else if (st == PS_ERR_NOMEM)
        ps_diag_set(diag, "%s: out of memory", path);
    else if (st != PS_OK)
        ps_diag_set(diag, "%s: not a plainsight baseline: %s", path, what);
    if (st != PS_OK)
        goto out;
    b->n = fp_sort_unique(b->fps, b->n);
    *out = b;
    b = NULL;
out:
    ps_baseline_free(b);
    close(fd);
    return st;
}

void ps_baseline_free(ps_baseline *b)
{
    if (b == NULL)
        return;
    sodium_memzero(b->key, sizeof(b->key));
    free(b->fps);
    free(b);
}

size_t ps_baseline_count(const ps_baseline *b)
{
    return b != NULL ? b->n : 0;
}

bool ps_baseline_has(const ps_baseline *b, const unsigned char fp[PS_BASELINE_FP_BYTES])
{
    if (b == NULL || b->n == 0)
        return false;
    return bsearch(fp, b->fps, b->n, sizeof(fp_t), fp_cmp) != NULL;
}

void ps_baseline_filter(const ps_baseline *b, const ps_ruleset *rs, ps_findings *fs,
                        size_t *removed)
{
    size_t w = 0, gone = 0;
    unsigned char fp[PS_BASELINE_FP_BYTES];

    for (size_t i = 0; b != NULL && i < fs->n; i++) {
        ps_baseline_fingerprint(b->key, rs, &fs->items[i], fp);
        if (ps_baseline_has(b, fp)) {
            ps_finding_free(&fs->items[i]);
            gone++;
            continue;
        }
        if (w != i)
            fs->items[w] = fs->items[i];
        w++;
    }
    if (b != NULL) {
        /* The tail now holds moved-from copies; clear them so nothing frees twice. */
        if (fs->n > w)
            memset(fs->items + w, 0, (fs->n - w) * sizeof(ps_finding));
        fs->n = w;
    }
    if (removed != NULL)
        *removed = gone;
}

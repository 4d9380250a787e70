/*
 * json-parsers.c - which JSON parser should read_jsonl.c use?  Measures jsmn,
 * yajl and jansson on the job the reader does: parse each line of a JSONL
 * file on its own, then visit every leaf string (decoded).
 *
 * Not built by make (it needs yajl and jansson, which plainsight does not).
 * Build and run:
 *
 *   gcc -std=c11 -O2 -Wall -Wextra -o /tmp/json-parsers bench/json-parsers.c \
 *       $(pkg-config --cflags --libs yajl jansson)
 *   /tmp/json-parsers /tmp/chat.jsonl
 *
 * The file is read into memory first so that only parsing is timed.  Each
 * parser runs 5 times; the best run counts (CLOCK_MONOTONIC).  Every variant
 * reports how many leaf strings and string bytes it saw, so a parser that
 * skipped work would show up as a mismatch.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include <jansson.h>
#include <yajl/yajl_parse.h>

typedef struct tally {
    size_t strings; /* leaf strings visited */
    size_t bytes;   /* their decoded bytes */
    size_t bad;     /* lines that failed to parse */
} tally;

typedef struct line {
    const char *p;
    size_t n;
} line;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ----------------------------------------------------------------- jsmn */

typedef struct jsmn_state {
    jsmntok_t *tok;
    unsigned cap;
    char *scratch;
    size_t scratch_cap;
} jsmn_state;

/* Minimal unescape (what the reader does for every string it emits). */
static size_t unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        i++;
        switch (s[i]) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[5]){ s[i + 1], s[i + 2], s[i + 3], s[i + 4], 0 }, NULL, 16);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < n && s[i + 1] == '\\') {
                unsigned lo = (unsigned)strtoul((char[5]){ s[i + 3], s[i + 4], s[i + 5], s[i + 6], 0 }, NULL, 16);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            if (cp < 0x80) {
                out[o++] = (char)cp;
            } else if (cp < 0x800) {
                out[o++] = (char)(0xC0 | cp >> 6);
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[o++] = (char)(0xE0 | cp >> 12);
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[o++] = (char)(0xF0 | cp >> 18);
                out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: out[o++] = s[i]; break;
        }
    }
    return o;
}

static void run_jsmn(const line *lines, size_t nlines, tally *t, int decode)
{
    jsmn_state st = { NULL, 256, NULL, 0 };

    st.tok = malloc(st.cap * sizeof(jsmntok_t));
    for (size_t l = 0; l < nlines; l++) {
        jsmn_parser p;
        int r;

        jsmn_init(&p);
        while ((r = jsmn_parse(&p, lines[l].p, lines[l].n, st.tok, st.cap)) == JSMN_ERROR_NOMEM) {
            st.cap *= 2;
            st.tok = realloc(st.tok, st.cap * sizeof(jsmntok_t));
        }
        if (r < 0) {
            t->bad++;
            continue;
        }
        if (decode && st.scratch_cap < lines[l].n) {
            st.scratch_cap = lines[l].n * 2;
            st.scratch = realloc(st.scratch, st.scratch_cap);
        }
        for (int i = 0; i < r; i++) {
            const jsmntok_t *k = &st.tok[i];
            /* A leaf string: a string that is not an object key. */
            if (k->type != JSMN_STRING || k->size != 0)
                continue;
            t->strings++;
            t->bytes += decode ? unescape(lines[l].p + k->start, (size_t)(k->end - k->start), st.scratch)
                               : (size_t)(k->end - k->start);
        }
    }
    free(st.tok);
    free(st.scratch);
}

/* ----------------------------------------------------------------- yajl */

static int y_string(void *ctx, const unsigned char *s, size_t n)
{
    tally *t = ctx;

    (void)s;
    t->strings++;
    t->bytes += n;
    return 1;
}

static void run_yajl(const line *lines, size_t nlines, tally *t)
{
    static const yajl_callbacks cb = { .yajl_string = y_string };

    for (size_t l = 0; l < nlines; l++) {
        /* yajl has no reset: a handle per line keeps lines independent. */
        yajl_handle h = yajl_alloc(&cb, NULL, t);
        if (yajl_parse(h, (const unsigned char *)lines[l].p, lines[l].n) != yajl_status_ok ||
            yajl_complete_parse(h) != yajl_status_ok)
            t->bad++;
        yajl_free(h);
    }
}

/* -------------------------------------------------------------- jansson */

static void j_walk(json_t *v, tally *t)
{
    const char *key;
    json_t *child;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach(v, key, child)
            j_walk(child, t);
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, child)
            j_walk(child, t);
        break;
    case JSON_STRING:
        t->strings++;
        t->bytes += json_string_length(v);
        break;
    default:
        break;
    }
}

static void run_jansson(const line *lines, size_t nlines, tally *t)
{
    for (size_t l = 0; l < nlines; l++) {
        json_error_t err;
        json_t *root = json_loadb(lines[l].p, lines[l].n, 0, &err);
        if (root == NULL) {
            t->bad++;
            continue;
        }
        j_walk(root, t);
        json_decref(root);
    }
}

/* ----------------------------------------------------------------- main */

enum { P_JSMN_TOK, P_JSMN, P_YAJL, P_JANSSON, P_COUNT };
static const char *const names[P_COUNT] = {
    "jsmn (tokenize only)", "jsmn + unescape", "yajl (callbacks)", "jansson (tree)",
};

int main(int argc, char **argv)
{
    FILE *f;
    char *data;
    long size;
    line *lines;
    size_t nlines = 0, cap = 1024;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.jsonl\n", argv[0]);
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }
    data = malloc((size_t)size + 1);
    lines = malloc(cap * sizeof(line));
    if (data == NULL || lines == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }
    fclose(f);
    data[size] = '\0';
    for (char *p = data, *e = data + size; p < e;) {
        char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(e - p);
        if (nlines == cap) {
            cap *= 2;
            lines = realloc(lines, cap * sizeof(line));
        }
        if (n > 0)
            lines[nlines++] = (line){ p, n };
        p += n + 1;
    }
    printf("%s: %.1f MB, %zu lines, best of 5\n", argv[1], (double)size / 1e6, nlines);
    for (int which = 0; which < P_COUNT; which++) {
        double best = 1e30;
        tally t = {0, 0, 0};

        for (int run = 0; run < 5; run++) {
            double t0;

            memset(&t, 0, sizeof(t));
            t0 = now();
            switch (which) {
            case P_JSMN_TOK: run_jsmn(lines, nlines, &t, 0); break;
            case P_JSMN: run_jsmn(lines, nlines, &t, 1); break;
            case P_YAJL: run_yajl(lines, nlines, &t); break;
            default: run_jansson(lines, nlines, &t); break;
            }
            t0 = now() - t0;
            if (t0 < best)
                best = t0;
        }
        printf("%-22s %8.1f MB/s  %6.3f s  strings=%zu bytes=%zu bad=%zu\n",
               names[which], (double)size / 1e6 / best, best, t.strings, t.bytes, t.bad);
    }
    free(lines);
    free(data);
    return 0;
}

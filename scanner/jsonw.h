/*
 * jsonw.h - a small streaming JSON writer with correct escaping.
 *
 * Strings from the scanned tree (file names, table names) may hold control
 * characters, quotes or invalid UTF-8; jsonw escapes the first two and
 * replaces invalid UTF-8 with U+FFFD, so the output is always valid JSON.
 * Output is pretty-printed with two-space indents when indent is on, or
 * compact on one line (NDJSON) when off.
 */
#ifndef PS_JSONW_H
#define PS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ps_jsonw {
    FILE *out;
    bool indent;
    int depth;
    bool first;      /* no member/element written yet at this depth */
    bool after_key;  /* a key was just written; the value follows on the same line */
} ps_jsonw;

void ps_jsonw_init(ps_jsonw *w, FILE *out, bool indent);
void ps_jsonw_object_begin(ps_jsonw *w);
void ps_jsonw_object_end(ps_jsonw *w);
void ps_jsonw_array_begin(ps_jsonw *w);
void ps_jsonw_array_end(ps_jsonw *w);
void ps_jsonw_key(ps_jsonw *w, const char *key);
void ps_jsonw_string(ps_jsonw *w, const char *s);
void ps_jsonw_stringn(ps_jsonw *w, const char *s, size_t n);
void ps_jsonw_int(ps_jsonw *w, int64_t v);
void ps_jsonw_uint(ps_jsonw *w, uint64_t v);
void ps_jsonw_bool(ps_jsonw *w, bool v);
void ps_jsonw_null(ps_jsonw *w);
/* Writes the escaped body of a JSON string (no quotes) to out; used by other reporters. */
void ps_json_escape(FILE *out, const char *s, size_t n);

#endif /* PS_JSONW_H */

/*
 * jsonw.c - a small streaming JSON writer.
 *
 * Layout: with indent on, every member or element starts a new line indented
 * two spaces per level, keys are written as "key": value, and an empty
 * object or array stays on one line ({} / []).  With indent off nothing but
 * the JSON itself is written, so one top-level value is one NDJSON line.
 * In both modes closing the top-level value writes a newline.
 *
 * Escaping: '"' and '\\' are backslash-escaped; control characters become
 * \n \t \r \b \f or \u00XX; DEL becomes \u007f; each byte that does not
 * start a valid UTF-8 sequence (overlong forms, surrogates and code points
 * past U+10FFFF included) becomes \ufffd.  Valid UTF-8 passes unchanged.
 *
 * Write errors are not reported call by call: callers check ferror(out)
 * once at the end, as stdio intends.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"


void ps_json_escape(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t run = i;

        /* Copy the longest run that needs no escaping in one call. */
        while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            fwrite(s + i, 1, run - i, out);
            i = run;
            continue;
        }
        if (c >= 0x80) {
            uint32_t cp;
            size_t len = ps_utf8_seq(s + i, n - i, &cp);

            if (len == 0) {
                fputs("\\ufffd", out);
                i++;
            } else {
                fwrite(s + i, 1, len, out);
                i += len;
            }
            continue;
        }
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default: fprintf(out, "\\u%04x", (unsigned)c); break;
        }
        i++;
    }
}

void ps_jsonw_init(ps_jsonw *w, FILE *out, bool indent)
{
    w->out = out;
    w->indent = indent;
    w->depth = 0;
    w->first = true;
    w->after_key = false;
}

static void newline_indent(ps_jsonw *w)
{
    if (!w->indent)
        return;
    fputc('\n', w->out);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->out);
}

/* What goes before a value or a key: nothing after a key, else a separator. */
static void before_item(ps_jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first)
            fputc(',', w->out);
        newline_indent(w);
    }
    w->first = false;
}

static void open_container(ps_jsonw *w, char c)
{
    before_item(w);
    fputc(c, w->out);
    w->depth++;
    w->first = true;
}

static void close_container(ps_jsonw *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    if (!w->first)
        newline_indent(w);
    fputc(c, w->out);
    /* The container just closed is a member of its parent, which is thus not empty. */
    w->first = false;
    w->after_key = false;
    if (w->depth == 0)
        fputc('\n', w->out);
}

void ps_jsonw_object_begin(ps_jsonw *w)
{
    open_container(w, '{');
}

void ps_jsonw_object_end(ps_jsonw *w)
{
    close_container(w, '}');
}

void ps_jsonw_array_begin(ps_jsonw *w)
{
    open_container(w, '[');
}

void ps_jsonw_array_end(ps_jsonw *w)
{
    close_container(w, ']');
}

void ps_jsonw_key(ps_jsonw *w, const char *key)
{
    before_item(w);
    fputc('"', w->out);
    ps_json_escape(w->out, key, strlen(key));
    fputs(w->indent ? "\": " : "\":", w->out);
    w->after_key = true;
}

void ps_jsonw_stringn(ps_jsonw *w, const char *s, size_t n)
{
    before_item(w);
    fputc('"', w->out);
    ps_json_escape(w->out, s, n);
    fputc('"', w->out);
}

/* A NULL string is written as null, so optional members need no special case. */
void ps_jsonw_string(ps_jsonw *w, const char *s)
{
    if (s == NULL)
        ps_jsonw_null(w);
    else
        ps_jsonw_stringn(w, s, strlen(s));
}

void ps_jsonw_int(ps_jsonw *w, int64_t v)
{
    before_item(w);
    fprintf(w->out, "%" PRId64, v);
}

void ps_jsonw_uint(ps_jsonw *w, uint64_t v)
{
    before_item(w);
    fprintf(w->out, "%" PRIu64, v);
}

void ps_jsonw_bool(ps_jsonw *w, bool v)
{
    before_item(w);
    fputs(v ? "true" : "false", w->out);
}

void ps_jsonw_null(ps_jsonw *w)
{
    before_item(w);
    fputs("null", w->out);
}

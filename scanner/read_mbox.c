/*
 * read_mbox.c - Unix mbox mail folders: people-bearing headers and body
 * lines, one record each.
 *
 * A message starts at a line beginning "From " (the envelope line, which is
 * not itself emitted: the From: header says the same, better).  Its header
 * block runs to the first empty line; RFC 5322 folded headers are unfolded,
 * and only the headers that carry people data become records (field = the
 * header name in lower case).  Body lines become "body" records.  Both the
 * mboxo and mboxrd conventions escape body lines that start with "From " as
 * ">From ", ">>From ", ...; one '>' is dropped again, which is exact for
 * mboxrd and right for every escaped line of mboxo.
 *
 * Known limits, on purpose: MIME parts are not decoded.  A part sent with
 * "Content-Transfer-Encoding: base64" or quoted-printable is emitted as its
 * encoded lines (the matcher's base64-media detector still recognises a
 * photo from the first line of such a part), and RFC 2047 encoded words in
 * headers ("=?UTF-8?B?...?=") are passed through as written.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "input.h"
#include "read.h"
#include "util.h"

typedef enum mbox_state {
    MBOX_START,   /* before the first "From " line: only blank lines allowed */
    MBOX_HEADERS, /* inside a message's header block */
    MBOX_BODY     /* after the blank line that ends the headers */
} mbox_state;

/*
 * The header being assembled.  buf holds the lower-cased name followed
 * directly by the unfolded value, so one bounded buffer serves both and the
 * record's field and value point into it.
 */
typedef struct mbox_header {
    ps_buf buf;
    size_t name_len;
    uint64_t line;  /* where the header starts */
    bool active;    /* a wanted header is pending; when false, continuation
                       lines belong to a skipped or dropped header */
} mbox_header;

typedef struct mbox_reader {
    ps_record_fn fn;
    void *ud;
    ps_diag *diag;
    ps_status first; /* first non-fatal problem (PS_ERR_LIMIT) */
    size_t max;      /* longest line or header accepted */
    mbox_header hdr;
} mbox_reader;

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && memcmp(s, prefix, k) == 0;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * The headers that name, address or date a person's mail, plus every "x-"
 * header (X-Originating-IP, X-Sender, a child's X-Device-Owner...), which is
 * where mail systems put what they know about their users.  Received,
 * Message-ID, MIME plumbing and the like carry no person and are skipped.
 * name is already lower case.
 */
static bool header_wanted(const char *name, size_t n)
{
    static const char *const wanted[] = {
        "from", "to", "cc", "bcc", "reply-to", "subject", "date",
    };

    if (n > 2 && name[0] == 'x' && name[1] == '-')
        return true;
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (strlen(wanted[i]) == n && memcmp(wanted[i], name, n) == 0)
            return true;
    }
    return false;
}

/*
 * Length of the header name at the start of line (RFC 5322 ftext: printable
 * ASCII except ':'), when the line is "name:" followed by anything; 0 when
 * the line is not a header field.
 */
static size_t header_name_len(const char *line, size_t len)
{
    size_t i = 0;

    while (i < len && line[i] != ':') {
        unsigned char c = (unsigned char)line[i];

        if (c <= ' ' || c >= 0x7f)
            return 0;
        i++;
    }
    return i < len ? i : 0;
}

/* Emit one record; PS_ERR_STOP when the callback asks to stop. */
static ps_status mbox_emit(mbox_reader *r, const char *field, size_t field_len,
                           const char *value, size_t value_len, uint64_t line)
{
    ps_record rec;

    memset(&rec, 0, sizeof(rec));
    rec.field = field;
    rec.field_len = field_len;
    rec.value = value;
    rec.value_len = value_len;
    rec.loc.kind = PS_LOC_LINE;
    rec.loc.line = line;
    return r->fn(r->ud, &rec) != 0 ? PS_ERR_STOP : PS_OK;
}

/* Drop trailing white space from the pending header's value. */
static void header_trim(mbox_header *h)
{
    while (h->buf.len > h->name_len && is_wsp(h->buf.data[h->buf.len - 1]))
        h->buf.data[--h->buf.len] = '\0';
}

/*
 * Emit the pending header, if it is wanted and has a value, and clear it.
 * Returns PS_OK or PS_ERR_STOP.
 */
static ps_status header_flush(mbox_reader *r)
{
    mbox_header *h = &r->hdr;
    ps_status st = PS_OK;

    if (h->active) {
        header_trim(h);
        if (h->buf.len > h->name_len)
            st = mbox_emit(r, h->buf.data, h->name_len, h->buf.data + h->name_len,
                           h->buf.len - h->name_len, h->line);
    }
    ps_buf_reset(&h->buf);
    h->name_len = 0;
    h->active = false;
    return st;
}

/* The header grew past the limit: report it once per file and drop it. */
static void header_overflow(mbox_reader *r)
{
    ps_diag_first(r->diag, &r->first, PS_ERR_LIMIT,
                  "line %llu: header longer than %zu bytes",
                  (unsigned long long)r->hdr.line, r->max);
    ps_buf_reset(&r->hdr.buf);
    r->hdr.active = false;
}

/*
 * Start a new header from a "name: value" line whose name is k bytes long.
 * The previous header must already be flushed.
 */
static void header_start(mbox_reader *r, const char *line, size_t len, size_t k,
                         uint64_t line_no)
{
    mbox_header *h = &r->hdr;
    size_t v = k + 1;

    h->line = line_no;
    for (size_t i = 0; i < k; i++) {
        if (ps_buf_putc(&h->buf, lower(line[i])) != PS_OK) {
            header_overflow(r);
            return;
        }
    }
    h->name_len = k;
    if (!header_wanted(h->buf.data, k)) {
        ps_buf_reset(&h->buf);
        return; /* continuation lines of a skipped header are skipped too */
    }
    while (v < len && is_wsp(line[v]))
        v++;
    if (ps_buf_append(&h->buf, line + v, len - v) != PS_OK) {
        header_overflow(r);
        return;
    }
    h->active = true;
}

/*
 * Unfold a continuation line into the pending header: the folding white
 * space becomes one space.  Continuations of a skipped or dropped header are
 * ignored.
 */
static void header_continue(mbox_reader *r, const char *line, size_t len)
{
    mbox_header *h = &r->hdr;
    size_t i = 0;

    if (!h->active)
        return;
    while (i < len && is_wsp(line[i]))
        i++;
    if (i == len)
        return; /* a white-space-only fold adds nothing */
    header_trim(h);
    if ((h->buf.len > h->name_len && ps_buf_putc(&h->buf, ' ') != PS_OK) ||
        ps_buf_append(&h->buf, line + i, len - i) != PS_OK)
        header_overflow(r);
}

/*
 * One body line: ">From " escapes lose one '>', empty lines are skipped.
 * Returns PS_OK or PS_ERR_STOP.
 */
static ps_status body_line(mbox_reader *r, const char *line, size_t len,
                           uint64_t line_no)
{
    size_t q = 0;

    while (q < len && line[q] == '>')
        q++;
    if (q > 0 && starts_with(line + q, len - q, "From ")) {
        line++;
        len--;
    }
    if (len == 0)
        return PS_OK;
    return mbox_emit(r, "body", 4, line, len, line_no);
}

/*
 * Feed one complete line through the state machine.  Returns PS_OK,
 * PS_ERR_STOP, or PS_ERR_FORMAT when the file does not start like an mbox.
 */
static ps_status mbox_line(mbox_reader *r, mbox_state *state, const char *line,
                           size_t len, uint64_t line_no)
{
    size_t k;
    ps_status st;

    switch (*state) {
    case MBOX_START:
        if (len == 0)
            return PS_OK;
        if (!starts_with(line, len, "From ")) {
            ps_diag_set(r->diag, "line %llu: not an mbox file",
                        (unsigned long long)line_no);
            return PS_ERR_FORMAT;
        }
        *state = MBOX_HEADERS;
        return PS_OK;
    case MBOX_HEADERS:
        if (len > 0 && is_wsp(line[0])) {
            header_continue(r, line, len);
            return PS_OK;
        }
        st = header_flush(r);
        if (st != PS_OK)
            return st;
        if (len == 0) {
            *state = MBOX_BODY;
            return PS_OK;
        }
        if (starts_with(line, len, "From "))
            return PS_OK; /* a message with no body: the next one starts */
        k = header_name_len(line, len);
        if (k > 0) {
            header_start(r, line, len, k, line_no);
            return PS_OK;
        }
        /*
         * Not a header field: a writer that forgot the blank separator.
         * The headers are over and this is already body text, which is
         * kept rather than lost.
         */
        *state = MBOX_BODY;
        return body_line(r, line, len, line_no);
    case MBOX_BODY:
        if (starts_with(line, len, "From ")) {
            *state = MBOX_HEADERS;
            return PS_OK;
        }
        return body_line(r, line, len, line_no);
    }
    return PS_OK;
}

/*
 * Emit the wanted headers and the body lines of every message in src.
 * Returns PS_OK at the end of the file; PS_ERR_FORMAT (and no records) when
 * the first non-blank line is not a "From " line; PS_ERR_LIMIT after the
 * whole file was read when a line or an unfolded header was longer than
 * max_record (that line or header is skipped); PS_ERR_STOP when fn stopped
 * it; the source's own failure (PS_ERR_IO, or for a gzip transport
 * PS_ERR_FORMAT / PS_ERR_LIMIT / PS_ERR_NOMEM) at once.  Gzip-compressed
 * folders (mail.mbox.gz) are read through ps_input_open like any other.
 */
static ps_status read_mbox(const ps_source *src, ps_record_fn fn, void *ud,
                           ps_diag *diag)
{
    mbox_reader r;
    mbox_state state = MBOX_START;
    ps_input in;
    ps_status st;

    memset(&r, 0, sizeof(r));
    r.fn = fn;
    r.ud = ud;
    r.diag = diag;
    r.first = PS_OK;
    r.max = src->max_record ? src->max_record : PS_MAX_RECORD_DEFAULT;
    ps_buf_init(&r.hdr.buf, r.max);
    st = ps_input_open(&in, src);
    if (st != PS_OK)
        goto done;
    for (;;) {
        const char *line;
        size_t len;

        st = ps_input_line(&in, &line, &len);
        if (st == PS_ERR_STOP) {
            st = header_flush(&r);
            break;
        }
        if (st == PS_ERR_LIMIT && ps_input_error(&in) == NULL) {
            if (state == MBOX_START) {
                /* A runaway first line is no "From " line. */
                ps_diag_set(diag, "line %llu: not an mbox file",
                            (unsigned long long)in.line_no);
                st = PS_ERR_FORMAT;
                goto done;
            }
            ps_diag_first(diag, &r.first, PS_ERR_LIMIT,
                          "line %llu: longer than %zu bytes",
                          (unsigned long long)in.line_no, r.max);
            /*
             * Inside a header block the lost line may have been a new
             * header or a fold of the pending one.  The pending header is
             * emitted as read so far (the error says it may be short), and
             * the folds that follow the lost line are ignored.
             */
            if (state == MBOX_HEADERS) {
                st = header_flush(&r);
                if (st != PS_OK)
                    goto done;
            }
            continue;
        }
        if (st != PS_OK) {
            /*
             * The source failed (I/O, corrupt gzip, a decompression limit).
             * The header pending at the failure is still emitted, as read.
             */
            ps_diag_set(diag, "line %llu: %s", (unsigned long long)in.line_no + 1,
                        ps_input_error(&in) ? ps_input_error(&in) : "read failed");
            (void)header_flush(&r);
            goto done;
        }
        st = mbox_line(&r, &state, line, len, in.line_no);
        if (st != PS_OK)
            goto done;
    }
done:
    ps_input_free(&in);
    ps_buf_free(&r.hdr.buf);
    if (st == PS_OK)
        st = r.first;
    return st;
}

const ps_reader ps_reader_mbox = { "mbox", PS_FMT_MBOX, read_mbox };

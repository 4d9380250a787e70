/*
 * report_sarif.c - SARIF 2.1.0, the format GitHub code scanning (and most
 * security dashboards) ingests.
 *
 * One run: the driver lists one reportingDescriptor per rule that fired
 * (in rule-id order, so the list does not depend on finding order), each
 * result points at its rule by id and index, and file locations are URIs
 * relative to %SRCROOT%, the absolute scanned root, so that an upload from
 * any checkout lines up with the repository.  Files that could not be read
 * become toolExecutionNotifications and make executionSuccessful false:
 * an incomplete scan must not look clean on a dashboard.
 *
 * partialFingerprints let a dashboard follow a finding across scans.  The
 * hash covers where the finding is (rule, path, inner file, table, column
 * or JSON pointer with array indices folded) and never a line number or a
 * value: a log that gains three lines at the top keeps its findings, and a
 * fingerprint can never be used to confirm a guessed value.
 *
 * Like the other reports, SARIF carries only redacted evidence, even with
 * --show-values: SARIF files are uploaded to third parties.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "date.h"
#include "jsonw.h"
#include "report.h"
#include "report_json.h"
#include "util.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
/* Placeholder home page until the project has a public one (docs/report-format.md). */
#define SARIF_INFO_URI "https://plainsight.example/"
#define SARIF_BASE_ID "%SRCROOT%"
#define SARIF_FINGERPRINT_KEY "plainsightFindingHash/v1"
#define SARIF_FINGERPRINT_BYTES 16

/*
 * Upper bound for one assembled string (a help text, a message, a URI).
 * Rule files are at most 4 MiB, so only a broken caller can reach it.
 */
#define SARIF_TEXT_MAX ((size_t)8 << 20)

/* GitHub reads "security-severity" (0.0-10.0) to rank alerts. */
static const char *const security_severity[PS_SEV_COUNT] = {
    "1.0", "3.0", "5.5", "8.0", "9.5" /* info .. critical */
};

typedef struct sarif_ctx {
    ps_jsonw w;
    const ps_report *r;
    ps_buf text;            /* scratch for one assembled string */
    ps_buf base;            /* %SRCROOT% as a file: URI */
    const ps_rule **fired;  /* the rules that fired, sorted by id */
    size_t nfired;
    uint32_t *index;        /* rule set index -> ruleIndex, or UINT32_MAX */
} sarif_ctx;

static const char *level_of(ps_severity s)
{
    if (s >= PS_SEV_HIGH)
        return "error";
    if (s == PS_SEV_MEDIUM)
        return "warning";
    return "note";
}

static const char *security_severity_of(ps_severity s)
{
    return (unsigned)s < PS_SEV_COUNT ? security_severity[s] : security_severity[0];
}

static ps_status buf_puts(ps_buf *b, const char *s)
{
    return s != NULL ? ps_buf_append(b, s, strlen(s)) : PS_OK;
}

/*
 * Append s without its trailing white space: YAML block scalars end with a
 * newline, which would otherwise pile up between the sections of a help text.
 */
static ps_status buf_puts_trim(ps_buf *b, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return ps_buf_append(b, s, n);
}

/*
 * Append s percent-encoded as RFC 3986 path characters: unreserved
 * characters and '/' pass, every other byte (space, '%', controls, each
 * byte of a UTF-8 sequence, invalid bytes) becomes %XX.
 */
static ps_status uri_encode(ps_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        unsigned char c = *p;
        ps_status rc;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            rc = ps_buf_putc(b, (char)c);
        } else {
            char esc[3] = { '%', hex[c >> 4], hex[c & 0xf] };

            rc = ps_buf_append(b, esc, sizeof(esc));
        }
        if (rc != PS_OK)
            return rc;
    }
    return PS_OK;
}

/*
 * The absolute folder that relative paths in the report start from, as a
 * file: URI with a trailing slash, into b.  A directory root is that
 * directory; a file root (or "." for several roots) means paths as given,
 * i.e. the working directory.  When the root cannot be resolved (it is
 * gone), it is made absolute lexically rather than failing the report.
 */
static ps_status root_uri(const char *root, ps_buf *b)
{
    const char *dir = root != NULL && root[0] != '\0' ? root : ".";
    struct stat st;
    char *real;
    ps_status rc;

    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        dir = ".";
    rc = buf_puts(b, "file://");
    real = realpath(dir, NULL);
    if (rc == PS_OK && real != NULL) {
        rc = uri_encode(b, real);
    } else if (rc == PS_OK && dir[0] == '/') {
        rc = uri_encode(b, dir);
    } else if (rc == PS_OK) {
        char cwd[PATH_MAX];

        if (getcwd(cwd, sizeof(cwd)) == NULL)
            rc = PS_ERR_IO;
        if (rc == PS_OK)
            rc = uri_encode(b, cwd);
        if (rc == PS_OK && strcmp(cwd, "/") != 0)
            rc = ps_buf_putc(b, '/');
        if (rc == PS_OK)
            rc = uri_encode(b, dir);
    }
    free(real);
    if (rc == PS_OK && (b->len == 0 || b->data[b->len - 1] != '/'))
        rc = ps_buf_putc(b, '/');
    return rc;
}

/* "vtech.key.beside-ciphertext" -> "VtechKeyBesideCiphertext" (SARIF's rule name). */
static ps_status camel_name(ps_buf *b, const char *id)
{
    bool start = true;

    for (const char *p = id; *p != '\0'; p++) {
        char c = *p;
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        ps_status rc;

        if (!alnum) {
            start = true;
            continue;
        }
        if (start && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        start = false;
        rc = ps_buf_putc(b, c);
        if (rc != PS_OK)
            return rc;
    }
    return PS_OK;
}

static bool has_text(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Write key: {"text": s}. */
static void write_message(ps_jsonw *w, const char *key, const char *s)
{
    ps_jsonw_key(w, key);
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "text");
    ps_jsonw_string(w, s);
    ps_jsonw_object_end(w);
}

/*
 * The rule's help, in plain text (the fix, then the references as a list)
 * or in Markdown with headings (why it matters, how to fix, references).
 * Sections without content are left out.
 */
static ps_status help_text(ps_buf *b, const ps_rule *rule, bool markdown)
{
    ps_status rc = PS_OK;
    const char *sep = "";

    if (markdown && has_text(rule->explain)) {
        rc = buf_puts(b, "**Why it matters**\n\n");
        if (rc == PS_OK)
            rc = buf_puts_trim(b, rule->explain);
        sep = "\n\n";
    }
    if (rc == PS_OK && has_text(rule->fix)) {
        rc = buf_puts(b, sep);
        if (rc == PS_OK && markdown)
            rc = buf_puts(b, "**How to fix**\n\n");
        if (rc == PS_OK)
            rc = buf_puts_trim(b, rule->fix);
        sep = "\n\n";
    }
    if (rc == PS_OK && rule->nrefs > 0) {
        rc = buf_puts(b, sep);
        if (rc == PS_OK)
            rc = buf_puts(b, markdown ? "**References**" : "References:");
    }
    for (size_t i = 0; rc == PS_OK && i < rule->nrefs; i++) {
        rc = buf_puts(b, "\n- ");
        if (rc == PS_OK)
            rc = buf_puts_trim(b, rule->refs[i]);
    }
    /* An empty help text would be useless on a dashboard: fall back to the title. */
    if (rc == PS_OK && b->len == 0)
        rc = buf_puts(b, rule->title);
    return rc;
}

/* One reportingDescriptor. */
static ps_status write_rule(sarif_ctx *c, const ps_rule *rule)
{
    ps_jsonw *w = &c->w;
    ps_status rc;

    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "id");
    ps_jsonw_string(w, rule->id);
    ps_buf_reset(&c->text);
    rc = camel_name(&c->text, rule->id);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_key(w, "name");
    ps_jsonw_string(w, ps_buf_cstr(&c->text));
    write_message(w, "shortDescription", rule->title != NULL ? rule->title : rule->id);
    ps_buf_reset(&c->text);
    rc = buf_puts_trim(&c->text, has_text(rule->explain) ? rule->explain
                                 : (rule->title != NULL ? rule->title : rule->id));
    if (rc != PS_OK)
        return rc;
    write_message(w, "fullDescription", ps_buf_cstr(&c->text));
    ps_jsonw_key(w, "help");
    ps_jsonw_object_begin(w);
    ps_buf_reset(&c->text);
    rc = help_text(&c->text, rule, false);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_key(w, "text");
    ps_jsonw_string(w, ps_buf_cstr(&c->text));
    ps_buf_reset(&c->text);
    rc = help_text(&c->text, rule, true);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_key(w, "markdown");
    ps_jsonw_string(w, ps_buf_cstr(&c->text));
    ps_jsonw_object_end(w);
    ps_jsonw_key(w, "defaultConfiguration");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "level");
    ps_jsonw_string(w, level_of(rule->severity));
    ps_jsonw_object_end(w);
    ps_jsonw_key(w, "properties");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "tags");
    ps_jsonw_array_begin(w);
    ps_jsonw_string(w, "privacy");
    ps_jsonw_string(w, "security");
    ps_jsonw_string(w, ps_category_name(rule->category));
    ps_jsonw_array_end(w);
    ps_jsonw_key(w, "security-severity");
    ps_jsonw_string(w, security_severity_of(rule->severity));
    ps_jsonw_key(w, "precision");
    ps_jsonw_string(w, "high");
    ps_jsonw_object_end(w);
    ps_jsonw_object_end(w);
    return PS_OK;
}

static int cmp_rule_id(const void *a, const void *b)
{
    const ps_rule *ra = *(const ps_rule *const *)a;
    const ps_rule *rb = *(const ps_rule *const *)b;

    return strcmp(ra->id, rb->id);
}

/*
 * Collect the rules that fired, sorted by id, and the map from rule set
 * index to their position in that list (the results' ruleIndex).
 */
static ps_status collect_rules(sarif_ctx *c)
{
    const ps_report *r = c->r;
    size_t nrules = r->rules != NULL ? r->rules->nrules : 0;
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;

    if (nrules == 0)
        return PS_OK;
    c->index = malloc(nrules * sizeof(*c->index));
    c->fired = malloc(nrules * sizeof(*c->fired));
    if (c->index == NULL || c->fired == NULL)
        return PS_ERR_NOMEM;
    for (size_t i = 0; i < nrules; i++)
        c->index[i] = UINT32_MAX;
    for (size_t i = 0; i < nfindings; i++) {
        uint32_t idx = r->findings->items[i].rule;

        /* Mark first; positions are assigned after sorting. */
        if (idx < nrules && c->index[idx] == UINT32_MAX) {
            c->index[idx] = 0;
            c->fired[c->nfired++] = &r->rules->rules[idx];
        }
    }
    if (c->nfired > 1)
        qsort(c->fired, c->nfired, sizeof(*c->fired), cmp_rule_id);
    for (size_t i = 0; i < c->nfired; i++)
        c->index[c->fired[i] - r->rules->rules] = (uint32_t)i;
    return PS_OK;
}

/* Append p[0..n), with every all-digit segment of a JSON pointer replaced by '*'. */
static ps_status fold_pointer(ps_buf *b, const char *p)
{
    while (*p != '\0') {
        size_t seg = strcspn(p + 1, "/") + 1; /* p[0] is '/' (or the first byte of a bad pointer) */
        size_t digits = strspn(p + 1, "0123456789");
        ps_status rc;

        if (p[0] == '/' && seg > 1 && digits == seg - 1)
            rc = ps_buf_append(b, "/*", 2);
        else
            rc = ps_buf_append(b, p, seg);
        if (rc != PS_OK)
            return rc;
        p += seg;
    }
    return PS_OK;
}

/*
 * The fingerprint of a finding's place: BLAKE2b-128 (unkeyed) of
 * rule id NUL path NUL inner NUL table NUL (folded pointer, else column),
 * as 32 lowercase hex digits in hex[33].
 */
static ps_status fingerprint(sarif_ctx *c, const ps_finding *f, const ps_rule *rule,
                             char hex[SARIF_FINGERPRINT_BYTES * 2 + 1])
{
    unsigned char h[SARIF_FINGERPRINT_BYTES];
    const char *parts[] = { rule != NULL ? rule->id : "", f->path, f->inner, f->table };
    ps_status rc = PS_OK;

    ps_buf_reset(&c->text);
    for (size_t i = 0; rc == PS_OK && i < sizeof(parts) / sizeof(parts[0]); i++) {
        rc = buf_puts(&c->text, parts[i]);
        if (rc == PS_OK)
            rc = ps_buf_append(&c->text, "", 1); /* the NUL separator */
    }
    if (rc == PS_OK)
        rc = f->pointer != NULL ? fold_pointer(&c->text, f->pointer) : buf_puts(&c->text, f->column);
    if (rc != PS_OK)
        return rc;
    if (crypto_generichash(h, sizeof(h), (const unsigned char *)c->text.data, c->text.len,
                           NULL, 0) != 0)
        return PS_ERR_CRYPTO;
    sodium_bin2hex(hex, SARIF_FINGERPRINT_BYTES * 2 + 1, h, sizeof(h));
    return PS_OK;
}

/*
 * The result message: "<title> (N occurrences)[ in <inner>][; evidence: E]
 * [; oldest: YYYY-MM-DD][; severity raised (<id>): <reason>]".  Evidence
 * is the redacted shape only.
 */
static ps_status result_message(ps_buf *b, const ps_finding *f, const ps_rule *rule)
{
    ps_status rc = buf_puts(b, rule != NULL && rule->title != NULL ? rule->title : "Finding");

    if (rc == PS_OK)
        rc = ps_buf_printf(b, " (%llu occurrence%s)", (unsigned long long)f->count,
                           f->count == 1 ? "" : "s");
    if (rc == PS_OK && f->inner != NULL) {
        rc = buf_puts(b, " in ");
        if (rc == PS_OK)
            rc = buf_puts(b, f->inner);
    }
    if (rc == PS_OK && has_text(f->evidence)) {
        rc = buf_puts(b, "; evidence: ");
        if (rc == PS_OK)
            rc = buf_puts(b, f->evidence);
    }
    if (rc == PS_OK && f->oldest != PS_DAY_NONE) {
        char day[16];

        ps_date_format(f->oldest, day, sizeof(day));
        rc = ps_buf_printf(b, "; oldest: %s", day);
    }
    if (rc == PS_OK && f->escalation != NULL) {
        rc = buf_puts(b, "; severity raised (");
        if (rc == PS_OK)
            rc = buf_puts(b, f->escalation);
        if (rc == PS_OK)
            rc = buf_puts(b, ")");
        if (rc == PS_OK && has_text(f->reason)) {
            rc = buf_puts(b, ": ");
            if (rc == PS_OK)
                rc = buf_puts(b, f->reason);
        }
    }
    return rc;
}

/* "artifactLocation": {"uri": <path, encoded>, "uriBaseId": "%SRCROOT%"}. */
static ps_status write_artifact(sarif_ctx *c, const char *path)
{
    ps_jsonw *w = &c->w;
    ps_status rc;

    ps_buf_reset(&c->text);
    rc = uri_encode(&c->text, path != NULL ? path : "");
    if (rc != PS_OK)
        return rc;
    ps_jsonw_key(w, "artifactLocation");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "uri");
    ps_jsonw_string(w, ps_buf_cstr(&c->text));
    ps_jsonw_key(w, "uriBaseId");
    ps_jsonw_string(w, SARIF_BASE_ID);
    ps_jsonw_object_end(w);
    return PS_OK;
}

/*
 * The logical place inside the file: "table.column", a JSON pointer, a CSV
 * column, or just "table" for a finding about whole rows (people rules).
 */
static ps_status logical_name(ps_buf *b, const ps_finding *f)
{
    ps_status rc;

    if (f->loc_kind == PS_LOC_CELL) {
        rc = buf_puts(b, f->table);
        if (rc == PS_OK && has_text(f->column)) {
            rc = ps_buf_putc(b, '.');
            if (rc == PS_OK)
                rc = buf_puts(b, f->column);
        }
        return rc;
    }
    return buf_puts(b, f->pointer != NULL ? f->pointer : f->column);
}

static ps_status write_location(sarif_ctx *c, const ps_finding *f)
{
    ps_jsonw *w = &c->w;
    ps_status rc;

    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "physicalLocation");
    ps_jsonw_object_begin(w);
    rc = write_artifact(c, f->path);
    if (rc != PS_OK)
        return rc;
    /* startLine must be >= 1; file-level findings have no region at all. */
    if (f->loc_kind == PS_LOC_LINE && f->line >= 1) {
        ps_jsonw_key(w, "region");
        ps_jsonw_object_begin(w);
        ps_jsonw_key(w, "startLine");
        ps_jsonw_uint(w, f->line);
        ps_jsonw_object_end(w);
    }
    ps_jsonw_object_end(w);
    if (f->table != NULL || f->column != NULL || f->pointer != NULL) {
        ps_buf_reset(&c->text);
        rc = logical_name(&c->text, f);
        if (rc != PS_OK)
            return rc;
        ps_jsonw_key(w, "logicalLocations");
        ps_jsonw_array_begin(w);
        ps_jsonw_object_begin(w);
        ps_jsonw_key(w, "fullyQualifiedName");
        ps_jsonw_string(w, ps_buf_cstr(&c->text));
        ps_jsonw_key(w, "kind");
        ps_jsonw_string(w, "member");
        ps_jsonw_object_end(w);
        ps_jsonw_array_end(w);
    }
    ps_jsonw_object_end(w);
    return PS_OK;
}

static ps_status write_result(sarif_ctx *c, const ps_finding *f)
{
    ps_jsonw *w = &c->w;
    const ps_rule *rule = ps_report_rule(c->r, f->rule);
    char fp[SARIF_FINGERPRINT_BYTES * 2 + 1];
    ps_status rc;

    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "ruleId");
    ps_jsonw_string(w, rule != NULL ? rule->id : "unknown");
    if (rule != NULL) {
        ps_jsonw_key(w, "ruleIndex");
        ps_jsonw_uint(w, c->index[f->rule]);
    }
    ps_jsonw_key(w, "level");
    ps_jsonw_string(w, level_of(f->severity));
    ps_buf_reset(&c->text);
    rc = result_message(&c->text, f, rule);
    if (rc != PS_OK)
        return rc;
    write_message(w, "message", ps_buf_cstr(&c->text));
    ps_jsonw_key(w, "locations");
    ps_jsonw_array_begin(w);
    rc = write_location(c, f);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_array_end(w);
    rc = fingerprint(c, f, rule, fp);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_key(w, "partialFingerprints");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, SARIF_FINGERPRINT_KEY);
    ps_jsonw_string(w, fp);
    ps_jsonw_object_end(w);
    ps_jsonw_key(w, "properties");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "count");
    ps_jsonw_uint(w, f->count);
    ps_jsonw_key(w, "category");
    ps_jsonw_string(w, rule != NULL ? ps_category_name(rule->category) : "unknown");
    ps_jsonw_key(w, "severity");
    ps_jsonw_string(w, ps_severity_name(f->severity));
    ps_jsonw_object_end(w);
    ps_jsonw_object_end(w);
    return PS_OK;
}

/* One invocation; every unreadable file is an error notification located at the file. */
static ps_status write_invocation(sarif_ctx *c)
{
    ps_jsonw *w = &c->w;
    size_t nerrors = c->r->errors != NULL ? c->r->errors->n : 0;

    ps_jsonw_key(w, "invocations");
    ps_jsonw_array_begin(w);
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "executionSuccessful");
    ps_jsonw_bool(w, nerrors == 0);
    ps_jsonw_key(w, "toolExecutionNotifications");
    ps_jsonw_array_begin(w);
    for (size_t i = 0; i < nerrors; i++) {
        const ps_file_error *e = &c->r->errors->items[i];
        ps_status rc;

        ps_jsonw_object_begin(w);
        ps_jsonw_key(w, "level");
        ps_jsonw_string(w, "error");
        write_message(w, "message", e->message);
        ps_jsonw_key(w, "locations");
        ps_jsonw_array_begin(w);
        ps_jsonw_object_begin(w);
        ps_jsonw_key(w, "physicalLocation");
        ps_jsonw_object_begin(w);
        rc = write_artifact(c, e->path);
        if (rc != PS_OK)
            return rc;
        ps_jsonw_object_end(w);
        ps_jsonw_object_end(w);
        ps_jsonw_array_end(w);
        ps_jsonw_object_end(w);
    }
    ps_jsonw_array_end(w);
    ps_jsonw_object_end(w);
    ps_jsonw_array_end(w);
    return PS_OK;
}

static ps_status write_run(sarif_ctx *c)
{
    ps_jsonw *w = &c->w;
    const ps_report *r = c->r;
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;
    ps_status rc = PS_OK;

    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "tool");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "driver");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "name");
    ps_jsonw_string(w, r->tool_name != NULL ? r->tool_name : PACKAGE_NAME);
    ps_jsonw_key(w, "version");
    ps_jsonw_string(w, r->tool_version != NULL ? r->tool_version : PACKAGE_VERSION);
    ps_jsonw_key(w, "informationUri");
    ps_jsonw_string(w, SARIF_INFO_URI);
    ps_jsonw_key(w, "rules");
    ps_jsonw_array_begin(w);
    for (size_t i = 0; rc == PS_OK && i < c->nfired; i++)
        rc = write_rule(c, c->fired[i]);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_array_end(w);
    ps_jsonw_object_end(w);
    ps_jsonw_object_end(w);
    ps_jsonw_key(w, "originalUriBaseIds");
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, SARIF_BASE_ID);
    ps_jsonw_object_begin(w);
    ps_jsonw_key(w, "uri");
    ps_jsonw_string(w, ps_buf_cstr(&c->base));
    ps_jsonw_object_end(w);
    ps_jsonw_object_end(w);
    ps_jsonw_key(w, "results");
    ps_jsonw_array_begin(w);
    for (size_t i = 0; rc == PS_OK && i < nfindings; i++)
        rc = write_result(c, &r->findings->items[i]);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_array_end(w);
    rc = write_invocation(c);
    if (rc != PS_OK)
        return rc;
    ps_jsonw_object_end(w);
    return PS_OK;
}

/*
 * Write the whole log.  PS_ERR_CRYPTO when libsodium cannot start,
 * PS_ERR_NOMEM / PS_ERR_LIMIT when a string cannot be assembled (the output
 * is then incomplete), PS_ERR_IO when out has a write error at the end.
 */
static ps_status sarif_write(FILE *out, const ps_report *r)
{
    sarif_ctx c;
    ps_status rc;

    if (sodium_init() < 0)
        return PS_ERR_CRYPTO;
    memset(&c, 0, sizeof(c));
    c.r = r;
    ps_buf_init(&c.text, SARIF_TEXT_MAX);
    ps_buf_init(&c.base, PATH_MAX * 3 + 16);
    rc = root_uri(r->root, &c.base);
    if (rc == PS_OK)
        rc = collect_rules(&c);
    if (rc == PS_OK) {
        ps_jsonw_init(&c.w, out, true);
        ps_jsonw_object_begin(&c.w);
        ps_jsonw_key(&c.w, "$schema");
        ps_jsonw_string(&c.w, SARIF_SCHEMA);
        ps_jsonw_key(&c.w, "version");
        ps_jsonw_string(&c.w, "2.1.0");
        ps_jsonw_key(&c.w, "runs");
        ps_jsonw_array_begin(&c.w);
        rc = write_run(&c);
    }
    if (rc == PS_OK) {
        ps_jsonw_array_end(&c.w);
        ps_jsonw_object_end(&c.w);
    }
    ps_buf_free(&c.text);
    ps_buf_free(&c.base);
    free(c.index);
    free(c.fired);
    if (rc != PS_OK)
        return rc;
    return ferror(out) ? PS_ERR_IO : PS_OK;
}

const ps_reporter ps_reporter_sarif = { "sarif", sarif_write };

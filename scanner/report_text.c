/*
 * report_text.c - the report for people at a terminal.
 *
 * Findings are grouped by severity (most severe first), then category; each
 * finding is one line, with the redacted evidence under it, and each rule's
 * fix is given once per group.  Every string that comes from the scanned
 * tree or the rules is escaped (see put_escaped), so that a file name with a
 * newline or a terminal escape sequence cannot forge lines or repaint the
 * screen.  Colour only when the caller allows it (a tty, no NO_COLOR).
 * After the findings, the impact stage's people per country per store, laid
 * out like the table published after the VTech breach.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "report.h"
#include "util.h"

#define FIX_MAX_CHARS 120

#define ANSI_RESET "\033[0m"

static const char *const sev_color[PS_SEV_COUNT] = {
    "\033[2m",    /* info: dim */
    "\033[36m",   /* low: cyan */
    "\033[33m",   /* medium: yellow */
    "\033[31m",   /* high: red */
    "\033[1;31m", /* critical: bold red */
};

static const char *const sev_upper[PS_SEV_COUNT] = {
    "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"
};


/* C1 controls and bidirectional overrides: valid UTF-8 that still rewrites what a terminal shows. */
static int is_dangerous(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Write s[0..n) so that it stays on one line and cannot drive the terminal:
 * '\\' as "\\\\", \n \t \r as such, other control bytes and invalid UTF-8 as
 * \xHH, C1 controls and bidi overrides as \uXXXX.  Valid UTF-8 passes.
 */
static void put_escaped_n(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        uint32_t cp = 0;
        size_t len = ps_utf8_seq(s + i, n - i, &cp);

        if (len == 0) {
            fprintf(out, "\\x%02X", (unsigned)s[i]);
            i++;
            continue;
        }
        if (len > 1) {
            if (is_dangerous(cp))
                fprintf(out, "\\u%04" PRIX32, cp);
            else
                fwrite(s + i, 1, len, out);
            i += len;
            continue;
        }
        switch (cp) {
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (cp < 0x20 || cp == 0x7f)
                fprintf(out, "\\x%02X", (unsigned)cp);
            else
                fputc((int)cp, out);
        }
        i++;
    }
}

static void put_escaped(FILE *out, const char *s)
{
    if (s != NULL)
        put_escaped_n(out, s, strlen(s));
}

/*
 * "path:12", "path:2 [email]", "path:3 /body", "path [table.column row 1]",
 * "path [table row 1]" (a whole row), "path"; a file inside a compressed
 * one is named after it: "x.sql.gz (x.sql)".
 */
static void put_location(FILE *out, const ps_finding *f)
{
    put_escaped(out, f->path);
    if (f->inner != NULL) {
        fputs(" (", out);
        put_escaped(out, f->inner);
        fputc(')', out);
    }
    switch (f->loc_kind) {
    case PS_LOC_LINE:
        fprintf(out, ":%" PRIu64, f->line);
        if (f->column != NULL) {
            fputs(" [", out);
            put_escaped(out, f->column);
            fputc(']', out);
        }
        if (f->pointer != NULL) {
            fputc(' ', out);
            put_escaped(out, f->pointer);
        }
        break;
    case PS_LOC_CELL:
        fputs(" [", out);
        put_escaped(out, f->table);
        /* Rules about whole rows (people) have a table but no column. */
        if (f->column != NULL && f->column[0] != '\0') {
            fputc('.', out);
            put_escaped(out, f->column);
        }
        fprintf(out, " row %" PRId64 "]", f->row);
        break;
    case PS_LOC_NONE:
        break;
    }
}

/*
 * The fix in one line: its first sentence (up to a "." followed by white
 * space or the end), with the YAML block's line breaks folded into spaces,
 * and at most FIX_MAX_CHARS characters; a longer one is cut at a word
 * boundary and ends with "...".
 */
static void put_fix(FILE *out, const char *fix)
{
    char line[FIX_MAX_CHARS * 4 + 4];
    size_t len = 0, chars = 0, last_space = 0;
    bool cut = false, space = false;

    for (const char *p = fix; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = len > 0;
            continue;
        }
        if (space) {
            if (chars + 1 >= FIX_MAX_CHARS) {
                cut = true;
                break;
            }
            last_space = len;
            line[len++] = ' ';
            chars++;
            space = false;
        }
        if ((c & 0xc0) != 0x80 && ++chars > FIX_MAX_CHARS) {
            cut = true;
            break;
        }
        if (len + 1 >= sizeof(line)) {
            cut = true;
            break;
        }
        line[len++] = (char)c;
        if (c == '.' && (p[1] == '\0' || p[1] == ' ' || p[1] == '\n' || p[1] == '\t' || p[1] == '\r'))
            break;
    }
    if (len == 0)
        return;
    if (cut && last_space > 0)
        len = last_space;
    fputs("      fix: ", out);
    put_escaped_n(out, line, len);
    if (cut)
        fputs(" ...", out);
    fputc('\n', out);
}

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static void put_finding(FILE *out, const ps_report *r, const ps_finding *f)
{
    const ps_rule *rule = ps_report_rule(r, f->rule);
    bool ev = f->evidence != NULL && f->evidence[0] != '\0';
    bool has_reason = f->reason != NULL && f->reason[0] != '\0';
    bool old = f->oldest != PS_DAY_NONE;
    const char *sep = "      "; /* before the first item of the evidence line, then two spaces */

    fputs("  ", out);
    put_location(out, f);
    fputs("  ", out);
    put_escaped(out, rule != NULL ? rule->id : "?");
    fputs("  ", out);
    put_escaped(out, rule != NULL ? rule->title : "");
    fputc('\n', out);
    /* One evidence line with whichever of evidence, count and oldest date there are. */
    if (ev) {
        fputs(sep, out);
        fputs("evidence: ", out);
        put_escaped(out, f->evidence);
        sep = "  ";
    }
    if (f->count > 1) {
        fprintf(out, "%s(x%" PRIu64 ")", sep, f->count);
        sep = "  ";
    }
    if (old) {
        char day[16];

        ps_date_format(f->oldest, day, sizeof(day));
        fprintf(out, "%soldest: %s", sep, day);
    }
    if (ev || f->count > 1 || old)
        fputc('\n', out);
    if (r->show_values && f->value != NULL) {
        fputs("      value: ", out);
        put_escaped(out, f->value);
        fputc('\n', out);
    }
    if (f->escalation != NULL) {
        fputs("      raised: ", out);
        put_escaped(out, has_reason ? f->reason : f->escalation);
        fputc('\n', out);
    }
}

/* One group: findings[first .. end) share severity and category. */
static void put_group(FILE *out, const ps_report *r, size_t first, size_t end)
{
    const ps_finding *items = r->findings->items;
    ps_severity sev = items[first].severity;
    ps_category cat = ps_report_category(r, &items[first]);
    const char *name = (unsigned)sev < PS_SEV_COUNT ? sev_upper[sev] : "UNKNOWN";
    size_t count = end - first;

    if (r->color && (unsigned)sev < PS_SEV_COUNT)
        fprintf(out, "%s%s%s", sev_color[sev], name, ANSI_RESET);
    else
        fputs(name, out);
    fprintf(out, "%*s  %s (%zu finding%s)\n", (int)(8 - strlen(name)), "",
            ps_category_name(cat), count, plural(count));
    for (size_t i = first; i < end; i++) {
        const ps_rule *rule = ps_report_rule(r, items[i].rule);

        put_finding(out, r, &items[i]);
        /* The fix once per rule: after the last of its findings in this group. */
        if (rule != NULL && rule->fix != NULL &&
            (i + 1 == end || items[i + 1].rule != items[i].rule))
            put_fix(out, rule->fix);
    }
    fputc('\n', out);
}

/* n with thousands separators ("11,222") into buf (at least 27 bytes for any uint64_t). */
static void put_thousands(char *buf, size_t size, uint64_t n)
{
    char digits[24];
    int nd = snprintf(digits, sizeof(digits), "%" PRIu64, n);
    size_t len = 0;

    for (int i = 0; i < nd && len + 1 < size; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && len + 2 < size)
            buf[len++] = ',';
        buf[len++] = digits[i];
    }
    buf[len] = '\0';
}

/* Characters as a terminal counts them: UTF-8 continuation bytes do not count. */
static size_t display_width(const char *s)
{
    size_t w = 0;

    for (; *s != '\0'; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

#define IMPACT_NAME_WIDTH 15

/* One row of a breach table: the name left-aligned, three numbers right-aligned. */
static void put_people_row(FILE *out, const char *name, uint64_t parents, uint64_t children)
{
    const uint64_t counts[3] = {
        parents, children,
        /* Saturate rather than wrap: a total must never look smaller than its parts. */
        parents > UINT64_MAX - children ? UINT64_MAX : parents + children
    };

    fputs("    ", out);
    put_escaped(out, name);
    for (size_t w = display_width(name); w < IMPACT_NAME_WIDTH; w++)
        fputc(' ', out);
    for (size_t i = 0; i < 3; i++) {
        char num[32];

        put_thousands(num, sizeof(num), counts[i]);
        fprintf(out, " %10s", num);
    }
    fputc('\n', out);
}

/* The people exposed per store and country, in the order the impact stage gave. */
static void put_impact(FILE *out, const ps_impacts *im)
{
    fputs("Impact: exposed people by country\n", out);
    for (size_t i = 0; i < im->n; i++) {
        const ps_impact *st = &im->items[i];

        fputs("  ", out);
        put_escaped(out, st->path);
        fputc('\n', out);
        fprintf(out, "    %-*s %10s %10s %10s\n", IMPACT_NAME_WIDTH, "Country", "Parents",
                "Children", "Total");
        for (size_t j = 0; j < st->nrows; j++)
            put_people_row(out, st->rows[j].country != NULL ? st->rows[j].country : "Unknown",
                           st->rows[j].parents, st->rows[j].children);
        put_people_row(out, "Total", st->parents, st->children);
        fputc('\n', out);
    }
}

/* Write the whole report; PS_ERR_IO when out has a write error at the end. */
static ps_status text_write(FILE *out, const ps_report *r)
{
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;
    size_t nerrors = r->errors != NULL ? r->errors->n : 0;
    uint64_t by_sev[PS_SEV_COUNT] = { 0 };

    fprintf(out, "%s %s: scanned %" PRIu64 " file%s (%.1f MB) under ",
            r->tool_name != NULL ? r->tool_name : PACKAGE_NAME,
            r->tool_version != NULL ? r->tool_version : PACKAGE_VERSION,
            r->files_scanned, plural(r->files_scanned),
            (double)r->bytes_scanned / 1e6);
    put_escaped(out, r->root != NULL ? r->root : ".");
    fputc('\n', out);
    if (r->show_values) {
        fputs(r->color ? "\033[1;31m" : "", out);
        fputs("WARNING: this report contains raw values (--show-values): "
              "it is as sensitive as the data it describes.", out);
        fputs(r->color ? ANSI_RESET "\n" : "\n", out);
    }
    fputc('\n', out);

    for (size_t i = 0; i < nfindings;) {
        const ps_finding *f = &r->findings->items[i];
        size_t end = i + 1;

        while (end < nfindings && r->findings->items[end].severity == f->severity &&
               ps_report_category(r, &r->findings->items[end]) == ps_report_category(r, f))
            end++;
        put_group(out, r, i, end);
        i = end;
    }
    if (r->impact != NULL && r->impact->n > 0)
        put_impact(out, r->impact);
    for (size_t i = 0; i < nfindings; i++) {
        unsigned s = (unsigned)r->findings->items[i].severity;

        if (s < PS_SEV_COUNT)
            by_sev[s]++;
    }

    if (nerrors > 0) {
        fputs("Errors (scan incomplete):\n", out);
        for (size_t i = 0; i < nerrors; i++) {
            fputs("  ", out);
            put_escaped(out, r->errors->items[i].path);
            fputs(": ", out);
            put_escaped(out, r->errors->items[i].message);
            fputc('\n', out);
        }
        fputc('\n', out);
    }

    fprintf(out, "%zu finding%s: ", nfindings, plural(nfindings));
    for (int s = PS_SEV_COUNT - 1; s >= 0; s--)
        fprintf(out, "%" PRIu64 " %s%s", by_sev[s], ps_severity_name((ps_severity)s),
                s > 0 ? ", " : "");
    fprintf(out, "; %zu error%s\n", nerrors, plural(nerrors));
    if (nfindings > 0)
        fputs("Run `plainsight rules explain ID` for why it matters and how to fix it.\n", out);
    return ferror(out) ? PS_ERR_IO : PS_OK;
}

const ps_reporter ps_reporter_text = { "text", text_write };

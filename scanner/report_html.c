/*
 * report_html.c - the report for people with a browser: one self-contained
 * file to attach to an audit, mail to a DPO or open from a CI artefact.
 *
 * Self-contained means no fetch of any kind: the CSS is inline, the charts
 * are inline SVG drawn here, there is no script and no font, image or link
 * to another origin, and a Content-Security-Policy of default-src 'none'
 * makes a browser refuse anything that slips through.  A report about a
 * breach must not phone home when it is opened.
 *
 * Everything that comes from the scanned tree or the rules goes through
 * put_html (markup characters, control bytes, bidi overrides, invalid
 * UTF-8), so a file called "<script>.csv" is text, not code.  Raw values
 * appear only with show_values, under a banner.  No timestamps and no
 * addresses: the same scan gives the same bytes, like the other reports.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "report.h"
#include "util.h"

/* put_html modes. */
#define HE_ATTR  0x1u /* attribute value or a <title>: no markup may be emitted */
#define HE_PROSE 0x2u /* rule text: line breaks and tabs are layout, shown as spaces */

/* Chart geometry, in SVG user units (1 unit = 1 CSS pixel at 100%). */
#define CHART_WIDTH     600
#define CHART_LABEL_W   104 /* country names, right-aligned before the bars */
#define CHART_BAR_X     112
#define CHART_BAR_W     400
#define CHART_PITCH     28  /* one country: two bars and a gap */
#define CHART_BAR_H     11
#define CHART_TOP       8
#define CHART_AXIS_H    40
#define CHART_LABEL_MAX 16  /* longer country names are cut (the full name is in <title>) */

static const char *const sev_names[PS_SEV_COUNT] = {
    "info", "low", "medium", "high", "critical"
};

static const char style[] =
    ":root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--soft:#f5f7fa;"
    "--critical:#8e1b1b;--high:#c53030;--medium:#b7791f;--low:#2b6cb0;--info:#616e7c;"
    "--parents:#2f5d8a;--children:#d9822b}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#fff;color:var(--ink);"
    "font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
    "main{max-width:1100px;margin:0 auto;padding:0 32px 48px}\n"
    "header.top{background:#102a43;color:#fff;padding:22px 0 18px;margin-bottom:24px}\n"
    "header.top .inner{max-width:1100px;margin:0 auto;padding:0 32px}\n"
    "header.top h1{margin:0;font-size:24px;font-weight:600;letter-spacing:.2px}\n"
    "header.top .root{margin:4px 0 0;color:#bcccdc;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "font-size:14px;word-break:break-all}\n"
    "nav{margin-top:10px;font-size:13px}\n"
    "nav a{color:#9fb3c8;text-decoration:none;margin-right:18px}\n"
    "h2{font-size:19px;margin:36px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}\n"
    "h3{font-size:16px;margin:26px 0 10px;display:flex;align-items:center;gap:10px}\n"
    "h4{font-size:15px;margin:18px 0 6px}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}\n"
    ".ctl{color:#c53030;background:#fff5f5;border-radius:2px}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin:0 0 16px}\n"
    ".card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--soft)}\n"
    ".card .k{font-size:12px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted)}\n"
    ".card .v{font-size:20px;font-weight:600}\n"
    ".badges{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}\n"
    ".badge{display:inline-block;border-radius:999px;padding:2px 12px;font-size:13px;font-weight:600;color:#fff;"
    "white-space:nowrap}\n"
    ".badge.zero{opacity:.35}\n"
    ".sev-critical{background:var(--critical)}.sev-high{background:var(--high)}"
    ".sev-medium{background:var(--medium)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}\n"
    ".status{font-weight:600}.status.ok{color:#2f855a}.status.bad{color:#b7791f}\n"
    ".warning{border:2px solid #c53030;background:#fff5f5;color:#742a2a;border-radius:8px;padding:12px 16px;"
    "margin:0 0 20px;font-weight:600}\n"
    "table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:14px}\n"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}\n"
    "thead th{background:var(--soft);font-size:12px;text-transform:uppercase;letter-spacing:.5px;color:var(--muted)}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tfoot th,tfoot td{border-top:2px solid var(--muted);font-weight:600}\n"
    "table.impact{width:auto;min-width:380px;margin:0}table.impact td,table.impact th{padding:4px 10px}\n"
    ".store{display:grid;grid-template-columns:minmax(0,auto) minmax(0,1fr);gap:24px;align-items:start;"
    "border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:14px 0}\n"
    ".store h3{grid-column:1/-1;margin:0}\n"
    ".store svg{width:100%;height:auto;max-width:600px}\n"
    "@media (max-width:900px){.store{grid-template-columns:minmax(0,1fr)}}\n"
    ".legend{font-size:13px;color:var(--muted);margin:0 0 4px}\n"
    ".swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin:0 5px 0 12px}\n"
    ".group{border-left:4px solid var(--line);padding-left:16px;margin:22px 0}\n"
    ".group.critical{border-color:var(--critical)}.group.high{border-color:var(--high)}"
    ".group.medium{border-color:var(--medium)}.group.low{border-color:var(--low)}.group.info{border-color:var(--info)}\n"
    ".group h3 .n{color:var(--muted);font-weight:400;font-size:14px}\n"
    ".rule{margin:10px 0 18px}\n"
    ".rule h4 code{background:var(--soft);padding:1px 6px;border-radius:4px}\n"
    ".where{color:var(--muted)}\n"
    "table.findings td,table.errors td{overflow-wrap:anywhere}\n"
    ".raised{margin-top:3px;font-size:13px;color:#742a2a}\n"
    ".raw{margin-top:3px;font-size:13px;color:#742a2a}\n"
    ".fix{background:#f0fff4;border:1px solid #c6f6d5;border-radius:6px;padding:8px 12px;margin:6px 0}\n"
    ".fix p,details p{margin:0 0 6px}.fix p:last-child,details p:last-child{margin:0}\n"
    ".fix .label,.refs .label{font-weight:600}\n"
    ".refs{font-size:13px;color:var(--muted);margin:6px 0}\n"
    ".refs ul{margin:2px 0 0;padding-left:20px}\n"
    "details{margin:6px 0}summary{cursor:pointer;color:var(--low);font-weight:600}\n"
    "details[open] summary{margin-bottom:4px}\n"
    ".empty{color:var(--muted);font-style:italic}\n"
    "footer{margin-top:40px;padding-top:10px;border-top:1px solid var(--line);font-size:13px;color:var(--muted)}\n"
    "svg text{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;font-size:12px;fill:#334e68}\n"
    "svg .grid{stroke:#e4e7eb;stroke-width:1}svg .axis{stroke:#9aa5b1;stroke-width:1}\n"
    "svg .p{fill:var(--parents)}svg .c{fill:var(--children)}svg .val{fill:#52606d;font-size:11px}\n"
    "@media print{header.top{background:none;color:var(--ink)}header.top .root{color:var(--muted)}nav{display:none}"
    "details>*{display:block}.store{break-inside:avoid}}\n";

/* C1 controls and bidirectional overrides: valid UTF-8 that still changes what a reader sees. */
static bool is_dangerous(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* A visible stand-in for a byte or code point that must not be written as is. */
static void put_marker(FILE *out, unsigned mode, const char *text)
{
    if (mode & HE_ATTR) {
        fputs(text, out);
        return;
    }
    fputs("<span class=\"ctl\">", out);
    fputs(text, out);
    fputs("</span>", out);
}

/*
 * Write s[0..n) as HTML text (or, with HE_ATTR, as a double-quoted
 * attribute value): & < > " ' as entities; control characters, C1 controls
 * and bidi overrides as visible \n, \xHH or \uXXXX markers (highlighted in
 * text mode) so that they can neither hide nor reorder what is shown; bytes
 * that are not valid UTF-8 as U+FFFD.  With HE_PROSE, line breaks and tabs
 * (the layout of a YAML block) become spaces.
 */
static void put_html_n(FILE *out, const char *str, size_t n, unsigned mode)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    char mark[16];

    while (i < n) {
        uint32_t cp = 0;
        size_t len = ps_utf8_seq(s + i, n - i, &cp);

        if (len == 0) {
            fputs("\xEF\xBF\xBD", out);
            i++;
            continue;
        }
        if (len > 1) {
            if (is_dangerous(cp)) {
                snprintf(mark, sizeof(mark), "\\u%04" PRIX32, cp);
                put_marker(out, mode, mark);
            } else {
                fwrite(s + i, 1, len, out);
            }
            i += len;
            continue;
        }
        i++;
        switch (cp) {
        case '&': fputs("&amp;", out); continue;
        case '<': fputs("&lt;", out); continue;
        case '>': fputs("&gt;", out); continue;
        case '"': fputs("&quot;", out); continue;
        case '\'': fputs("&#39;", out); continue;
        case '\n': case '\t': case '\r':
            if (mode & HE_PROSE) {
                fputc(' ', out);
                continue;
            }
            put_marker(out, mode, cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : "\\r");
            continue;
        default:
            break;
        }
        if (cp < 0x20 || cp == 0x7f) {
            snprintf(mark, sizeof(mark), "\\x%02X", (unsigned)cp);
            put_marker(out, mode, mark);
        } else {
            fputc((int)cp, out);
        }
    }
}

static void put_html(FILE *out, const char *s)
{
    if (s != NULL)
        put_html_n(out, s, strlen(s), 0);
}

static void put_attr(FILE *out, const char *s)
{
    if (s != NULL)
        put_html_n(out, s, strlen(s), HE_ATTR);
}

/* Bytes taken by the first max characters of s[0..n) (an invalid byte counts as one). */
static size_t prefix_bytes(const char *s, size_t n, size_t max)
{
    size_t i = 0, chars = 0;

    while (i < n && chars < max) {
        uint32_t cp;
        size_t len = ps_utf8_seq((const unsigned char *)s + i, n - i, &cp);

        i += len == 0 ? 1 : len;
        chars++;
    }
    return i;
}

/*
 * One paragraph of rule text: backquoted spans become <code> when the
 * backquotes pair up (rule authors write `plainsight protect`); otherwise
 * the text is shown as written.
 */
static void put_paragraph(FILE *out, const char *s, size_t n)
{
    size_t ticks = 0;
    bool in_code = false;
    size_t start = 0;

    for (size_t i = 0; i < n; i++)
        ticks += s[i] == '`';
    if (ticks == 0 || ticks % 2 != 0) {
        put_html_n(out, s, n, HE_PROSE);
        return;
    }
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '`')
            continue;
        put_html_n(out, s + start, i - start, HE_PROSE);
        if (i < n)
            fputs(in_code ? "</code>" : "<code>", out);
        in_code = !in_code;
        start = i + 1;
    }
}

/*
 * Rule text (explain, fix) as <p> paragraphs: a YAML block's single line
 * breaks are wrapping, an empty line starts a new paragraph.
 */
static void put_prose(FILE *out, const char *text)
{
    const char *p = text;

    if (text == NULL)
        return;
    while (*p) {
        const char *end = p;

        /* A paragraph ends at "\n" followed by a line that holds only white space. */
        while (*end) {
            if (*end == '\n') {
                const char *q = end + 1;

                while (*q == ' ' || *q == '\t' || *q == '\r')
                    q++;
                if (*q == '\n' || *q == '\0')
                    break;
            }
            end++;
        }
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
            p++;
        if (end > p) {
            size_t n = (size_t)(end - p);

            while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
                n--;
            fputs("<p>", out);
            put_paragraph(out, p, n);
            fputs("</p>", out);
        }
        p = end;
        while (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')
            p++;
    }
}

/* "1,234,567" into buf (at least 27 bytes). */
static void fmt_count(uint64_t v, char *buf, size_t size)
{
    char digits[24];
    int nd = snprintf(digits, sizeof(digits), "%" PRIu64, v);
    size_t o = 0;

    for (int k = 0; k < nd && o + 1 < size; k++) {
        if (k > 0 && (nd - k) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[k];
    }
    buf[o] = '\0';
}

static void put_count(FILE *out, uint64_t v)
{
    char buf[32];

    fmt_count(v, buf, sizeof(buf));
    fputs(buf, out);
}

/* Bytes for people: "1.5 MB" (decimal units, like the text report). */
static void put_size(FILE *out, uint64_t bytes)
{
    static const char *const units[] = { "kB", "MB", "GB", "TB", "PB" };
    double v = (double)bytes;
    size_t u = 0;

    if (bytes < 1000) {
        fprintf(out, "%" PRIu64 " B", bytes);
        return;
    }
    v /= 1000.0;
    while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000.0;
        u++;
    }
    fprintf(out, "%.1f %s", v, units[u]);
}

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static const char *sev_name(ps_severity s)
{
    return (unsigned)s < PS_SEV_COUNT ? sev_names[s] : "unknown";
}

static const char *category_label(ps_category c)
{
    return (unsigned)c < PS_CAT_COUNT ? ps_category_name(c) : "unknown";
}

/* --- summary -------------------------------------------------------------- */

/* Opens a summary card; the caller writes the value and closes it with "</div></div>". */
static void put_card(FILE *out, const char *key, const char *cls)
{
    fprintf(out, "<div class=\"card\"><div class=\"k\">%s</div><div class=\"v%s%s\">",
            key, cls != NULL ? " " : "", cls != NULL ? cls : "");
}

/* The cards and severity badges at the top: what was scanned and how bad it is. */
static void put_summary(FILE *out, const ps_report *r, size_t nfindings, size_t nerrors)
{
    uint64_t by_sev[PS_SEV_COUNT] = { 0 };

    for (size_t i = 0; i < nfindings; i++) {
        unsigned s = (unsigned)r->findings->items[i].severity;

        if (s < PS_SEV_COUNT)
            by_sev[s]++;
    }
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n", out);
    put_card(out, "Files scanned", NULL);
    put_count(out, r->files_scanned);
    fputs("</div></div>\n", out);
    put_card(out, "Data read", NULL);
    put_size(out, r->bytes_scanned);
    fputs("</div></div>\n", out);
    put_card(out, "Findings", NULL);
    put_count(out, nfindings);
    fputs("</div></div>\n", out);
    put_card(out, "Errors", NULL);
    put_count(out, nerrors);
    fputs("</div></div>\n", out);
    put_card(out, "Scan", nerrors == 0 ? "status ok" : "status bad");
    fputs(nerrors == 0 ? "complete" : "incomplete", out);
    fputs("</div></div>\n", out);
    if (r->as_of != NULL) {
        put_card(out, "As of", NULL);
        put_html(out, r->as_of);
        fputs("</div></div>\n", out);
    }
    if (r->files_skipped > 0) {
        put_card(out, "Skipped", NULL);
        put_count(out, r->files_skipped);
        fputs("</div></div>\n", out);
    }
    fputs("</div>\n<div class=\"badges\" aria-label=\"findings by severity\">\n", out);
    for (int s = PS_SEV_COUNT - 1; s >= 0; s--) {
        fprintf(out, "<span class=\"badge sev-%s%s\" data-severity=\"%s\">", sev_names[s],
                by_sev[s] == 0 ? " zero" : "", sev_names[s]);
        put_count(out, by_sev[s]);
        fprintf(out, " %s</span>\n", sev_names[s]);
    }
    fputs("</div>\n", out);
    if (nerrors > 0)
        fprintf(out, "<p>The scan is <strong>incomplete</strong>: %zu input%s could not be read "
                     "to the end (see <a href=\"#errors\">Errors</a>).</p>\n",
                nerrors, plural(nerrors));
    fputs("</section>\n", out);
}

/* --- impact --------------------------------------------------------------- */

/*
 * A round axis for values up to max: a step of 1, 2 or 5 times a power of
 * ten giving at most five intervals, and the first multiple of it >= max.
 * The scale stays linear from zero; rounding up only leaves room at the end.
 */
static void axis_for(uint64_t max, uint64_t *step, uint64_t *top)
{
    static const uint64_t factors[] = { 1, 2, 5, 10 };
    uint64_t raw, mag = 1;

    if (max == 0) {
        *step = 1;
        *top = 1;
        return;
    }
    raw = max / 5 + (max % 5 != 0);
    while (mag <= raw / 10)
        mag *= 10;
    *step = raw;
    for (size_t k = 0; k < sizeof(factors) / sizeof(factors[0]); k++) {
        if (mag > UINT64_MAX / factors[k])
            break;
        if (factors[k] * mag >= raw) {
            *step = factors[k] * mag;
            break;
        }
    }
    *top = (max / *step + (max % *step != 0)) * *step;
    if (*top < max) /* the multiplication wrapped: fall back to the exact maximum */
        *top = max;
}

static double bar_len(uint64_t v, uint64_t top)
{
    return (double)v * CHART_BAR_W / (double)top;
}

/* One bar and its value, right of it. */
static void put_bar(FILE *out, const char *cls, double y, uint64_t v, uint64_t top,
                    const char *country, const char *what)
{
    double w = bar_len(v, top);

    fprintf(out, "<rect class=\"%s\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" rx=\"2\">"
                 "<title>", cls, CHART_BAR_X, y, w, CHART_BAR_H);
    put_attr(out, country);
    fputs(": ", out);
    put_count(out, v);
    fprintf(out, " %s</title></rect>", what);
    fprintf(out, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">", CHART_BAR_X + w + 6, y + CHART_BAR_H - 1);
    put_count(out, v);
    fputs("</text>", out);
}

/*
 * The breach chart of one store: per country a group of two horizontal
 * bars (parents above children), on one linear scale from zero to a round
 * number at or above the store's largest value, with grid lines and
 * labelled ticks under the bars.
 */
static void put_chart(FILE *out, const ps_impact *im)
{
    uint64_t max = 0, step, top;
    int height = CHART_TOP + (int)im->nrows * CHART_PITCH + CHART_AXIS_H;
    int axis_y = CHART_TOP + (int)im->nrows * CHART_PITCH;

    for (size_t i = 0; i < im->nrows; i++) {
        if (im->rows[i].parents > max)
            max = im->rows[i].parents;
        if (im->rows[i].children > max)
            max = im->rows[i].children;
    }
    axis_for(max, &step, &top);

    fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" "
                 "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"Exposed parents and children by country\">\n",
            CHART_WIDTH, height, CHART_WIDTH, height);
    /* Grid first, so that bars are drawn over it. */
    for (uint64_t t = 0; t <= top; t += step) {
        double x = CHART_BAR_X + bar_len(t, top);

        fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
                x, CHART_TOP - 4, x, axis_y);
        fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
                x, axis_y, x, axis_y + 4);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, axis_y + 17);
        put_count(out, t);
        fputs("</text>\n", out);
        if (top - t < step) /* the last tick; also stops before t + step could wrap */
            break;
    }
    fprintf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            CHART_BAR_X, axis_y, CHART_BAR_X + CHART_BAR_W, axis_y);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">people</text>\n",
            CHART_BAR_X + CHART_BAR_W / 2, axis_y + 34);

    for (size_t i = 0; i < im->nrows; i++) {
        const ps_impact_row *row = &im->rows[i];
        const char *name = row->country != NULL ? row->country : "Unknown";
        size_t len = strlen(name), cut = prefix_bytes(name, len, CHART_LABEL_MAX);
        double y = CHART_TOP + (double)i * CHART_PITCH;

        fputs("<g class=\"bar\" data-country=\"", out);
        put_attr(out, name);
        fputs("\">", out);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", CHART_LABEL_W,
                y + CHART_BAR_H + 4);
        if (cut < len) {
            put_html_n(out, name, cut, HE_ATTR);
            fputs("\xE2\x80\xA6<title>", out); /* "..." then the full name on hover */
            put_attr(out, name);
            fputs("</title>", out);
        } else {
            put_attr(out, name);
        }
        fputs("</text>", out);
        put_bar(out, "p", y + 1, row->parents, top, name, "parents");
        put_bar(out, "c", y + 1 + CHART_BAR_H + 1, row->children, top, name, "children");
        fputs("</g>\n", out);
    }
    fputs("</svg>\n", out);
}

/* Parents, children and their sum, as right-aligned cells. */
static void put_impact_cells(FILE *out, uint64_t parents, uint64_t children)
{
    fputs("<td class=\"num\">", out);
    put_count(out, parents);
    fputs("</td><td class=\"num\">", out);
    put_count(out, children);
    fputs("</td><td class=\"num\">", out);
    put_count(out, parents + children);
    fputs("</td>", out);
}

/*
 * One store: its breach table (a row per country, in the order given, and a
 * totals row) beside its chart.  data-path lets tests and scripts find it.
 */
static void put_store(FILE *out, const ps_impact *im)
{
    fputs("<div class=\"store\" data-path=\"", out);
    put_attr(out, im->path);
    fputs("\">\n<h3><code>", out);
    put_html(out, im->path);
    fputs("</code></h3>\n<table class=\"impact\">\n<thead><tr><th>Country</th>"
          "<th class=\"num\">Parents</th><th class=\"num\">Children</th>"
          "<th class=\"num\">Total</th></tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < im->nrows; i++) {
        const ps_impact_row *row = &im->rows[i];

        fputs("<tr><td>", out);
        put_html(out, row->country != NULL ? row->country : "Unknown");
        fputs("</td>", out);
        put_impact_cells(out, row->parents, row->children);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n<tfoot><tr><th>Total</th>", out);
    put_impact_cells(out, im->parents, im->children);
    fputs("</tr></tfoot>\n</table>\n", out);
    if (im->nrows > 0) {
        fputs("<div class=\"plot\"><p class=\"legend\"><span class=\"swatch\" "
              "style=\"background:var(--parents)\"></span>Parents<span class=\"swatch\" "
              "style=\"background:var(--children)\"></span>Children</p>\n", out);
        put_chart(out, im);
        fputs("</div>\n", out);
    }
    fputs("</div>\n", out);
}

/* The breach table of every user store: who would be exposed, by country. */
static void put_impact(FILE *out, const ps_impacts *imp)
{
    fputs("<section id=\"impact\">\n<h2>Impact: exposed people by country</h2>\n", out);
    if (imp == NULL || imp->n == 0) {
        fputs("<p class=\"empty\">No user store with people was recognised.</p>\n</section>\n", out);
        return;
    }
    fputs("<p>People whose records a breach of each store would expose, the way the "
          "VTech breach was counted.</p>\n", out);
    for (size_t i = 0; i < imp->n; i++)
        put_store(out, &imp->items[i]);
    fputs("</section>\n", out);
}

/* --- findings ------------------------------------------------------------- */

/* "path (inner):12 [column] /pointer", "path [table.column row 1]", "path". */
static void put_location(FILE *out, const ps_finding *f)
{
    fputs("<code>", out);
    put_html(out, f->path);
    fputs("</code>", out);
    if (f->inner != NULL) {
        fputs(" <span class=\"where\">(<code>", out);
        put_html(out, f->inner);
        fputs("</code>)</span>", out);
    }
    switch (f->loc_kind) {
    case PS_LOC_LINE:
        fprintf(out, "<span class=\"where\">:%" PRIu64 "</span>", f->line);
        if (f->column != NULL) {
            fputs(" <span class=\"where\">[<code>", out);
            put_html(out, f->column);
            fputs("</code>]</span>", out);
        }
        if (f->pointer != NULL) {
            fputs(" <span class=\"where\"><code>", out);
            put_html(out, f->pointer);
            fputs("</code></span>", out);
        }
        break;
    case PS_LOC_CELL:
        fputs(" <span class=\"where\">[<code>", out);
        put_html(out, f->table);
        fputc('.', out);
        put_html(out, f->column);
        fprintf(out, "</code> row %" PRId64 "]</span>", f->row);
        break;
    case PS_LOC_NONE:
        break;
    }
}

/*
 * One table row: where, why the severity was raised (when it was), the
 * redacted evidence (and the raw value only with show_values), the count
 * and, when the table has the column, the oldest date seen.
 */
static void put_finding(FILE *out, const ps_report *r, const ps_finding *f,
                        const char *rule_id, bool dates)
{
    fputs("<tr class=\"finding\" data-rule=\"", out);
    put_attr(out, rule_id);
    fprintf(out, "\" data-severity=\"%s\"><td>", sev_name(f->severity));
    put_location(out, f);
    if (f->escalation != NULL) {
        fprintf(out, "<div class=\"raised\">Raised to %s by <code>", sev_name(f->severity));
        put_html(out, f->escalation);
        fputs("</code>", out);
        if (f->reason != NULL) {
            fputs(": ", out);
            put_html(out, f->reason);
        }
        fputs("</div>", out);
    }
    fputs("</td><td>", out);
    if (f->evidence != NULL && f->evidence[0] != '\0') {
        fputs("<code>", out);
        put_html(out, f->evidence);
        fputs("</code>", out);
    }
    if (r->show_values && f->value != NULL) {
        fputs("<div class=\"raw\">value: <code>", out);
        put_html(out, f->value);
        fputs("</code></div>", out);
    }
    fputs("</td><td class=\"num\">", out);
    put_count(out, f->count);
    fputs("</td>", out);
    if (dates) {
        fputs("<td class=\"num\">", out);
        if (f->oldest != PS_DAY_NONE) {
            char day[16];

            ps_date_format(f->oldest, day, sizeof(day));
            put_html(out, day);
        }
        fputs("</td>", out);
    }
    fputs("</tr>\n", out);
}

/* The fix, the references and (folded) why it matters: once per rule and group. */
static void put_rule_advice(FILE *out, const ps_rule *rule)
{
    if (rule->fix != NULL && rule->fix[0] != '\0') {
        fputs("<div class=\"fix\"><span class=\"label\">How to fix it</span>", out);
        put_prose(out, rule->fix);
        fputs("</div>\n", out);
    }
    if (rule->nrefs > 0) {
        /* As text, not links: the report makes no reference to another origin. */
        fputs("<div class=\"refs\"><span class=\"label\">References</span><ul>", out);
        for (size_t k = 0; k < rule->nrefs; k++) {
            fputs("<li>", out);
            put_html(out, rule->refs[k]);
            fputs("</li>", out);
        }
        fputs("</ul></div>\n", out);
    }
    if (rule->explain != NULL && rule->explain[0] != '\0') {
        fputs("<details><summary>Why it matters</summary>", out);
        put_prose(out, rule->explain);
        fputs("</details>\n", out);
    }
}

/* The findings [first, end) of one rule within a group: a heading, a table, the advice. */
static void put_rule_block(FILE *out, const ps_report *r, size_t first, size_t end)
{
    const ps_finding *items = r->findings->items;
    const ps_rule *rule = ps_report_rule(r, items[first].rule);
    const char *id = rule != NULL ? rule->id : "?";
    bool dates = false;

    for (size_t i = first; i < end; i++)
        dates = dates || items[i].oldest != PS_DAY_NONE;
    fputs("<div class=\"rule\" data-rule=\"", out);
    put_attr(out, id);
    fputs("\">\n<h4><code>", out);
    put_html(out, id);
    fputs("</code> ", out);
    put_html(out, rule != NULL ? rule->title : "");
    fputs("</h4>\n<table class=\"findings\">\n<thead><tr><th>Location</th><th>Evidence</th>"
          "<th class=\"num\">Count</th>", out);
    if (dates)
        fputs("<th class=\"num\">Oldest</th>", out);
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t i = first; i < end; i++)
        put_finding(out, r, &items[i], id, dates);
    fputs("</tbody>\n</table>\n", out);
    if (rule != NULL)
        put_rule_advice(out, rule);
    fputs("</div>\n", out);
}

/* One group: findings [first, end) share severity and category. */
static void put_group(FILE *out, const ps_report *r, size_t first, size_t end)
{
    const ps_finding *items = r->findings->items;
    const char *sev = sev_name(items[first].severity);
    const char *cat = category_label(ps_report_category(r, &items[first]));
    size_t count = end - first;

    fprintf(out, "<section class=\"group %s\" id=\"%s-%s\">\n<h3><span class=\"badge sev-%s\">%s</span>"
                 "%s <span class=\"n\">(%zu finding%s)</span></h3>\n",
            sev, sev, cat, sev, sev, cat, count, plural(count));
    /* Findings are sorted by rule id inside a group, so a rule's findings are adjacent. */
    for (size_t i = first; i < end;) {
        size_t stop = i + 1;

        while (stop < end && items[stop].rule == items[i].rule)
            stop++;
        put_rule_block(out, r, i, stop);
        i = stop;
    }
    fputs("</section>\n", out);
}

/* Findings in their sorted order, cut into runs of one severity and category. */
static void put_findings(FILE *out, const ps_report *r, size_t nfindings)
{
    fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", out);
    if (nfindings == 0)
        fputs("<p class=\"empty\">No findings.</p>\n", out);
    for (size_t i = 0; i < nfindings;) {
        const ps_finding *f = &r->findings->items[i];
        size_t end = i + 1;

        while (end < nfindings && r->findings->items[end].severity == f->severity &&
               ps_report_category(r, &r->findings->items[end]) == ps_report_category(r, f))
            end++;
        put_group(out, r, i, end);
        i = end;
    }
    fputs("</section>\n", out);
}

/* The inputs that were not read to the end: why the scan is incomplete. */
static void put_errors(FILE *out, const ps_errors *es)
{
    fputs("<section id=\"errors\">\n<h2>Errors (scan incomplete)</h2>\n"
          "<p>These inputs could not be read to the end; what they hold was not fully audited.</p>\n"
          "<table class=\"errors\">\n<thead><tr><th>Path</th><th>Problem</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < es->n; i++) {
        fputs("<tr><td><code>", out);
        put_html(out, es->items[i].path);
        fputs("</code></td><td>", out);
        put_html(out, es->items[i].message);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

/* Write the whole page; PS_ERR_IO when out has a write error at the end. */
static ps_status html_write(FILE *out, const ps_report *r)
{
    size_t nfindings = r->findings != NULL ? r->findings->n : 0;
    size_t nerrors = r->errors != NULL ? r->errors->n : 0;
    const char *name = r->tool_name != NULL ? r->tool_name : PACKAGE_NAME;
    const char *version = r->tool_version != NULL ? r->tool_version : PACKAGE_VERSION;
    const char *root = r->root != NULL ? r->root : ".";

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<meta name=\"generator\" content=\"", out);
    put_attr(out, name);
    fputc(' ', out);
    put_attr(out, version);
    fputs("\">\n<title>", out);
    put_attr(out, name);
    fputs(" report: ", out);
    put_attr(out, root);
    fputs("</title>\n<style>\n", out);
    fputs(style, out);
    fputs("</style>\n</head>\n<body>\n<header class=\"top\"><div class=\"inner\">\n<h1>", out);
    put_html(out, name);
    fputs(" privacy audit</h1>\n<p class=\"root\">", out);
    put_html(out, root);
    fputs("</p>\n<nav><a href=\"#summary\">Summary</a><a href=\"#impact\">Impact</a>"
          "<a href=\"#findings\">Findings</a>", out);
    if (nerrors > 0)
        fputs("<a href=\"#errors\">Errors</a>", out);
    fputs("</nav>\n</div></header>\n<main>\n", out);
    if (r->show_values)
        fputs("<div class=\"warning\" role=\"alert\" id=\"show-values\">WARNING: this report "
              "contains raw values (--show-values): it is as sensitive as the data it "
              "describes. Do not attach it to tickets, mail it or commit it.</div>\n", out);

    put_summary(out, r, nfindings, nerrors);
    put_impact(out, r->impact);
    put_findings(out, r, nfindings);
    if (nerrors > 0)
        put_errors(out, r->errors);

    fputs("<footer>Generated by ", out);
    put_html(out, name);
    fputc(' ', out);
    put_html(out, version);
    if (r->rules != NULL)
        fprintf(out, " with %zu rule%s", r->rules->nrules, plural(r->rules->nrules));
    fputs(". Evidence is redacted unless --show-values was given. "
          "<code>plainsight rules explain ID</code> tells why a rule matters and how to fix it."
          "</footer>\n</main>\n</body>\n</html>\n", out);
    return ferror(out) ? PS_ERR_IO : PS_OK;
}

const ps_reporter ps_reporter_html = { "html", html_write };

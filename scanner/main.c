/*
 * main.c - the plainsight command line: options in, exit code out.
 *
 * Everything that decides anything lives in the engine (scan.h, rules.h,
 * match.h, report.h); this file parses arguments, loads the rule packs,
 * calls the engine and maps its status to the documented exit codes:
 *
 *   0  clean and complete
 *   1  a finding at or above --fail-on
 *   2  usage, config or rule error
 *   3  incomplete: some input could not be read to its end, and no finding
 *      reached the threshold
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hs/hs.h>
#include <sodium.h>
#include <sqlite3.h>
#include <yaml.h>
#include <zlib.h>

#include "baseline.h"
#include "cli.h"
#include "date.h"
#include "ignore.h"
#include "psconfig.h"
#include "match.h"
#include "report.h"
#include "rules.h"
#include "scan.h"
#include "util.h"

enum {
    EXIT_CLEAN = 0,
    EXIT_FINDINGS = 1,
    EXIT_USAGE = 2,
    EXIT_INCOMPLETE = 3
};

/* Long-only options get values above the char range. */
enum {
    OPT_RULES = 256,
    OPT_FAIL_ON,
    OPT_SHOW_VALUES,
    OPT_AS_OF,
    OPT_COLOR,
    OPT_MAX_RECORD,
    OPT_BASELINE,
    OPT_WRITE_BASELINE,
    OPT_QUIET,
    OPT_CONFIG
};

static const char usage_main[] =
    "usage: plainsight <command> [options]\n"
    "\n"
    "Find VTech-class privacy failures in a data directory: readable chat logs,\n"
    "plain-text and unsalted-MD5 passwords, secret answers, unencrypted photos\n"
    "and voice messages, keys beside ciphertext, world-readable stores.\n"
    "\n"
    "commands:\n"
    "  scan PATH...          audit files and directories\n"
    "  rules list            list the loaded rules\n"
    "  rules explain ID      why a rule matters and how to fix it\n"
    "  rules test [PATH]     run the rules' inline examples\n"
    "  keygen -o FILE        make a master key (32 random bytes, mode 0600)\n"
    "  protect --key KEY SRC DST    write an encrypted, hashed copy of SRC\n"
    "  verify --key KEY DST         check every protected file and field\n"
    "  unprotect --key KEY DST OUT  restore a protected copy\n"
    "\n"
    "  -h, --help            this help (also: plainsight COMMAND --help)\n"
    "  -V, --version         version of plainsight and of its libraries\n"
    "\n"
    "exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or rule\n"
    "error, 3 scan incomplete (some input could not be read to its end).\n";

static const char usage_scan[] =
    "usage: plainsight scan PATH... [options]\n"
    "\n"
    "  --rules FILE|DIR      rule pack(s) to use (default: the installed packs)\n"
    "  --config FILE         project config (default: .plainsight.yml in the\n"
    "                        first PATH; .plainsightignore there is also read)\n"
    "  -f, --format FORMAT   report format: %s (default: text)\n"
    "  -o, --output FILE     write the report to FILE instead of stdout ('-': stdout)\n"
    "  --fail-on SEVERITY    exit 1 when a finding is at or above SEVERITY:\n"
    "                        critical, high (default), medium, low, info, none\n"
    "  --show-values         put raw matched values in the report (they are\n"
    "                        redacted by default; the report becomes sensitive)\n"
    "  --as-of YYYY-MM-DD    reference date for age and retention rules\n"
    "                        (default: today)\n"
    "  -j, --threads N       worker threads (default: online CPUs)\n"
    "  --max-record BYTES    longest line/record/value read (default 16 MiB);\n"
    "                        longer ones are reported as errors\n"
    "  --color WHEN          auto (default), always or never; NO_COLOR is obeyed\n"
    "  -q, --quiet           no progress line on stderr (it is shown only on a\n"
    "                        terminal, for scans longer than a second)\n"
    "  --write-baseline FILE record this scan's findings in FILE (the report\n"
    "                        is written as usual)\n"
    "  --baseline FILE       report only findings that are not in FILE\n"
    "  -h, --help            this help\n";

static const char usage_rules[] =
    "usage: plainsight rules list [--rules FILE|DIR]\n"
    "       plainsight rules explain ID [--rules FILE|DIR]\n"
    "       plainsight rules test [FILE|DIR]\n"
    "\n"
    "  list      one line per loaded rule: id, severity, category, title\n"
    "  explain   a rule's title, why it matters, how to fix it, references\n"
    "  test      run every rule's inline match / no-match examples\n"
    "            (default: the installed packs)\n";

/* The rules shipped with this build: the source tree's when run from the build tree. */
const char *ps_default_rules_path(void)
{
    char exe[PATH_MAX], *slash, *real_build;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *path = PS_RULES_INSTALLED;

    if (n <= 0)
        return path;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash == NULL)
        return path;
    *slash = '\0';
    real_build = realpath(PS_BUILDDIR, NULL);
    if (real_build != NULL && strcmp(real_build, exe) == 0)
        path = PS_RULES_SOURCE;
    free(real_build);
    return path;
}

/* Load and compile the rules.  Prints the one-line diagnostic on failure. */
static int load_rules(const char *path, const ps_config *cfg, ps_ruleset **rs, ps_matcher **m)
{
    ps_diag diag = { { 0 } };
    ps_status st;

    *rs = NULL;
    *m = NULL;
    if (path == NULL)
        path = ps_default_rules_path();
    st = ps_ruleset_create(rs);
    if (st == PS_OK)
        st = ps_rules_load_path(*rs, path, &diag);
    if (st == PS_OK && cfg != NULL)
        st = ps_config_apply(cfg, *rs, &diag);
    if (st == PS_OK)
        st = ps_matcher_create(*rs, m, &diag);
    if (st != PS_OK) {
        fprintf(stderr, "%s\n", diag.msg[0] ? diag.msg : ps_strerror(st));
        ps_ruleset_destroy(*rs);
        *rs = NULL;
        return -1;
    }
    return 0;
}

static int print_version(void)
{
    printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
    printf("libsodium %s\n", sodium_version_string());
    printf("libyaml %s\n", yaml_get_version_string());
    printf("hyperscan %s\n", hs_version());
    printf("sqlite %s\n", sqlite3_libversion());
    printf("zlib %s\n", zlibVersion());
    return EXIT_CLEAN;
}

/* YYYY-MM-DD, a real calendar date. */
static int valid_date(const char *s)
{
    int32_t day, alt;

    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
           ps_date_parse(s, 10, 0, &day, &alt) == PS_DATE_OK;
}

static int usage_error(const char *fmt, ...) PS_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("plainsight: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    return EXIT_USAGE;
}

typedef struct scan_args {
    const char *rules;
    const char *format;
    const char *output;
    const char *as_of;
    const char *color;
    const char *baseline;
    const char *write_baseline;
    const char *config;
    bool fail_on_given;   /* --fail-on beats the config's fail-on */
    ps_severity fail_on;
    bool fail_never;
    bool show_values;
    bool quiet;
    unsigned threads;
    size_t max_record;
} scan_args;

static int parse_scan_args(int argc, char **argv, scan_args *a)
{
    static const struct option opts[] = {
        { "rules", required_argument, NULL, OPT_RULES },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "fail-on", required_argument, NULL, OPT_FAIL_ON },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "show-values", no_argument, NULL, OPT_SHOW_VALUES },
        { "as-of", required_argument, NULL, OPT_AS_OF },
        { "threads", required_argument, NULL, 'j' },
        { "max-record", required_argument, NULL, OPT_MAX_RECORD },
        { "color", required_argument, NULL, OPT_COLOR },
        { "baseline", required_argument, NULL, OPT_BASELINE },
        { "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    uint64_t v;

    memset(a, 0, sizeof(*a));
    a->format = "text";
    a->color = "auto";
    a->fail_on = PS_SEV_HIGH;
    while ((c = getopt_long(argc, argv, "f:o:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_RULES: a->rules = optarg; break;
        case 'f': a->format = optarg; break;
        case 'o': a->output = optarg; break;
        case OPT_CONFIG: a->config = optarg; break;
        case OPT_FAIL_ON:
            a->fail_on_given = true;
            if (strcmp(optarg, "none") == 0)
                a->fail_never = true;
            else if (ps_severity_parse(optarg, &a->fail_on) != 0)
                return usage_error("--fail-on: unknown severity '%s' (critical, high, medium, low, info, none)", optarg);
            break;
        case OPT_SHOW_VALUES: a->show_values = true; break;
        case OPT_AS_OF:
            if (!valid_date(optarg))
                return usage_error("--as-of: '%s' is not a date (YYYY-MM-DD)", optarg);
            a->as_of = optarg;
            break;
        case 'j':
            if (ps_parse_u64(optarg, &v) != 0 || v < 1 || v > 256)
                return usage_error("--threads: '%s' is not a number from 1 to 256", optarg);
            a->threads = (unsigned)v;
            break;
        case OPT_MAX_RECORD:
            if (ps_parse_u64(optarg, &v) != 0 || v < 1024 || v > (1u << 30))
                return usage_error("--max-record: '%s' is not a size from 1024 to 1073741824", optarg);
            a->max_record = (size_t)v;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
                return usage_error("--color: '%s' is not auto, always or never", optarg);
            a->color = optarg;
            break;
        case OPT_BASELINE: a->baseline = optarg; break;
        case OPT_WRITE_BASELINE: a->write_baseline = optarg; break;
        case 'q': a->quiet = true; break;
        case 'h':
            printf(usage_scan, ps_reporter_names());
            return -1;
        default:
            fprintf(stderr, "Try 'plainsight scan --help'.\n");
            return EXIT_USAGE;
        }
    }
    if (ps_reporter_find(a->format) == NULL) {
        fprintf(stderr, "plainsight: --format: unknown format '%s' (%s)\n",
                a->format, ps_reporter_names());
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        fprintf(stderr, "plainsight: scan needs at least one PATH\n"
                        "Try 'plainsight scan --help'.\n");
        return EXIT_USAGE;
    }
    return 0;
}

/*
 * The progress line: a thread that wakes four times a second and redraws
 * one stderr line from the scan's counters.  Only on a terminal, only after
 * the first second (short scans stay silent), never with --quiet, and it
 * shows counts and rates only: no path, no value.
 */
typedef struct progress_ui {
    ps_scan_progress counters;
    pthread_t tid;
    atomic_int stop;
    bool running;
    bool drawn;
    struct timespec start;
} progress_ui;

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void *progress_main(void *arg)
{
    progress_ui *ui = arg;
    const struct timespec tick = { 0, 250 * 1000 * 1000 };

    while (!atomic_load(&ui->stop)) {
        double el = seconds_since(&ui->start);
        uint64_t tf = atomic_load(&ui->counters.total_files);
        uint64_t df = atomic_load(&ui->counters.done_files);
        uint64_t tb = atomic_load(&ui->counters.total_bytes);
        uint64_t db = atomic_load(&ui->counters.done_bytes);

        nanosleep(&tick, NULL);
        if (el < 1.0 || tf == 0)
            continue;
        {
            double rate = (double)db / el;
            double eta = rate > 0 && tb > db ? (double)(tb - db) / rate : 0;

            if (db == 0)
                eta = 0; /* nothing read yet: no estimate worth printing */
            fprintf(stderr, "\rplainsight: %llu/%llu files, %.1f/%.1f MB, %.0f MB/s, ETA %.0fs \033[K",
                    (unsigned long long)df, (unsigned long long)tf, (double)db / 1e6,
                    (double)tb / 1e6, rate / 1e6, eta);
            ui->drawn = true;
        }
    }
    return NULL;
}

static void progress_start(progress_ui *ui, ps_scan_opts *opts, bool quiet)
{
    memset(ui, 0, sizeof(*ui));
    atomic_init(&ui->stop, 0);
    if (quiet || !isatty(STDERR_FILENO))
        return;
    opts->progress = &ui->counters;
    clock_gettime(CLOCK_MONOTONIC, &ui->start);
    ui->running = pthread_create(&ui->tid, NULL, progress_main, ui) == 0;
}

static void progress_stop(progress_ui *ui)
{
    if (!ui->running)
        return;
    atomic_store(&ui->stop, 1);
    pthread_join(ui->tid, NULL);
    if (ui->drawn)
        fputs("\r\033[K", stderr);
}

static bool want_color(const scan_args *a, FILE *out)
{
    const char *no_color = getenv("NO_COLOR");

    if (strcmp(a->color, "never") == 0)
        return false;
    if (strcmp(a->color, "always") == 0)
        return true;
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    return strcmp(a->format, "text") == 0 && isatty(fileno(out));
}

static int exit_code_for(const scan_args *a, const ps_scan_result *res)
{
    if (!a->fail_never) {
        for (size_t i = 0; i < res->findings.n; i++) {
            if (res->findings.items[i].severity >= a->fail_on)
                return EXIT_FINDINGS;
        }
    }
    return res->errors.n > 0 ? EXIT_INCOMPLETE : EXIT_CLEAN;
}

/*
 * The project config: --config FILE, else .plainsight.yml in the first
 * root when that is a folder holding one.  Prints the one-line diagnostic
 * and returns -1 on failure.
 */
static int load_config(const scan_args *a, const char *root, ps_config *cfg)
{
    ps_diag diag = { { 0 } };
    ps_buf path;
    struct stat sb;
    ps_status st = PS_OK;

    memset(cfg, 0, sizeof(*cfg));
    ps_buf_init(&path, 65536);
    if (a->config != NULL) {
        st = ps_config_load(a->config, cfg, &diag);
    } else if (stat(root, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (ps_buf_printf(&path, "%s/.plainsight.yml", root) != PS_OK) {
            ps_diag_set(&diag, "%s: path too long", root);
            st = PS_ERR_USAGE;
        } else if (lstat(ps_buf_cstr(&path), &sb) == 0 || errno != ENOENT) {
            st = ps_config_load(ps_buf_cstr(&path), cfg, &diag);
        }
    }
    ps_buf_free(&path);
    if (st != PS_OK) {
        fprintf(stderr, "%s\n", diag.msg[0] ? diag.msg : ps_strerror(st));
        ps_config_free(cfg);
        return -1;
    }
    return 0;
}

/*
 * What the scan leaves out: the config's exclude: lines, then the first
 * root's .plainsightignore (later lines win, so the ignore file can
 * re-include what exclude: dropped).
 */
static int load_ignore(const ps_config *cfg, const char *root, ps_ignore **out)
{
    ps_diag diag = { { 0 } };
    ps_ignore *ig = NULL;
    ps_buf path;
    struct stat sb;
    ps_status st = ps_ignore_create(&ig);

    for (size_t i = 0; st == PS_OK && i < cfg->nexclude; i++) {
        st = ps_ignore_add(ig, cfg->exclude[i], cfg->file, cfg->exclude_line[i]);
        if (st != PS_OK)
            ps_diag_set(&diag, "%s:%u: exclude pattern: %s", cfg->file, cfg->exclude_line[i],
                        ps_strerror(st));
    }
    ps_buf_init(&path, 65536);
    if (st == PS_OK && stat(root, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (ps_buf_printf(&path, "%s/.plainsightignore", root) != PS_OK) {
            ps_diag_set(&diag, "%s: path too long", root);
            st = PS_ERR_USAGE;
        } else if (lstat(ps_buf_cstr(&path), &sb) == 0 || errno != ENOENT) {
            st = ps_ignore_load(ig, ps_buf_cstr(&path), &diag);
        }
    }
    ps_buf_free(&path);
    if (st != PS_OK) {
        fprintf(stderr, "%s\n", diag.msg[0] ? diag.msg : ps_strerror(st));
        ps_ignore_destroy(ig);
        return -1;
    }
    *out = ig;
    return 0;
}

static int cmd_scan(int argc, char **argv)
{
    scan_args a;
    ps_ruleset *rs = NULL;
    ps_matcher *m = NULL;
    ps_baseline *bl = NULL;
    progress_ui ui;
    ps_status st;
    ps_scan_opts opts;
    ps_scan_result res;
    ps_report rep;
    ps_diag diag = { { 0 } };
    FILE *out = stdout;
    char as_of[16];
    ps_config cfg;
    ps_ignore *ig = NULL;
    int code = parse_scan_args(argc, argv, &a);

    if (code != 0)
        return code < 0 ? EXIT_CLEAN : code;
    if (load_config(&a, argv[optind], &cfg) != 0)
        return EXIT_USAGE;
    /* Command-line options win over the config file. */
    if (!a.fail_on_given && cfg.has_fail_on) {
        a.fail_on = cfg.fail_on;
        a.fail_never = cfg.fail_never;
    }
    if (load_ignore(&cfg, argv[optind], &ig) != 0 ||
        load_rules(a.rules, &cfg, &rs, &m) != 0) {
        ps_ignore_destroy(ig);
        ps_config_free(&cfg);
        return EXIT_USAGE;
    }
    /* A bad baseline fails before the scan, not after minutes of work. */
    if (a.baseline != NULL && ps_baseline_load(a.baseline, &bl, &diag) != PS_OK) {
        fprintf(stderr, "plainsight: %s\n", diag.msg);
        code = EXIT_USAGE;
        goto out;
    }

    memset(&opts, 0, sizeof(opts));
    opts.roots = (const char *const *)(argv + optind);
    opts.nroots = (size_t)(argc - optind);
    opts.threads = a.threads;
    opts.show_values = a.show_values;
    opts.max_record = a.max_record;
    opts.ignore = ig;
    if (a.as_of != NULL) {
        int32_t alt;
        (void)ps_date_parse(a.as_of, strlen(a.as_of), 0, &opts.as_of, &alt);
    } else if (cfg.has_as_of) {
        opts.as_of = cfg.as_of;
    } else {
        opts.as_of = ps_date_today();
    }
    ps_date_format(opts.as_of, as_of, sizeof(as_of));
    progress_start(&ui, &opts, a.quiet);
    st = ps_scan_run(m, &opts, &res, &diag);
    progress_stop(&ui);
    if (st != PS_OK) {
        fprintf(stderr, "plainsight: %s\n", diag.msg);
        code = EXIT_USAGE;
        goto out;
    }
    if (a.write_baseline != NULL &&
        ps_baseline_write(a.write_baseline, rs, &res.findings, PACKAGE_VERSION, &diag) != PS_OK) {
        fprintf(stderr, "plainsight: %s\n", diag.msg);
        code = EXIT_USAGE;
        goto out_res;
    }
    if (bl != NULL)
        ps_baseline_filter(bl, rs, &res.findings, NULL);
    /* "-" is standard output, as for most tools that take an output file. */
    if (a.output != NULL && strcmp(a.output, "-") != 0) {
        out = fopen(a.output, "w");
        if (out == NULL) {
            fprintf(stderr, "plainsight: %s: %s\n", a.output, strerror(errno));
            code = EXIT_USAGE;
            goto out_res;
        }
    }
    memset(&rep, 0, sizeof(rep));
    rep.tool_name = PACKAGE_NAME;
    rep.tool_version = PACKAGE_VERSION;
    rep.root = opts.nroots == 1 ? opts.roots[0] : ".";
    rep.rules = rs;
    rep.findings = &res.findings;
    rep.errors = &res.errors;
    rep.impact = &res.impact;
    rep.as_of = as_of;
    rep.files_scanned = res.files_scanned;
    rep.bytes_scanned = res.bytes_scanned;
    rep.files_skipped = res.files_skipped;
    rep.fail_on = a.fail_on;
    rep.show_values = a.show_values;
    rep.color = want_color(&a, out);
    code = exit_code_for(&a, &res);
    if (ps_reporter_find(a.format)->write(out, &rep) != PS_OK || fflush(out) != 0) {
        fprintf(stderr, "plainsight: writing the report failed: %s\n", strerror(errno));
        code = EXIT_USAGE;
    }
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "plainsight: %s: %s\n", a.output, strerror(errno));
        code = EXIT_USAGE;
    }
out_res:
    ps_scan_result_free(&res);
out:
    ps_baseline_free(bl);
    ps_matcher_destroy(m);
    ps_ruleset_destroy(rs);
    ps_ignore_destroy(ig);
    ps_config_free(&cfg);
    return code;
}

static void print_indented(const char *text)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("  %.*s\n", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

static int rules_explain(const ps_ruleset *rs, const char *id)
{
    long i = ps_ruleset_find(rs, id);
    const ps_rule *r;

    if (i < 0) {
        fprintf(stderr, "plainsight: no rule with id '%s' (see 'plainsight rules list')\n", id);
        return EXIT_USAGE;
    }
    r = &rs->rules[i];
    printf("%s: %s\n", r->id, r->title);
    printf("severity: %s   category: %s   pack: %s (%s:%u)\n\n",
           ps_severity_name(r->severity), ps_category_name(r->category),
           r->pack ? r->pack : "-", r->at.file, r->at.line);
    printf("Why it matters:\n");
    print_indented(r->explain);
    printf("\nHow to fix it:\n");
    print_indented(r->fix);
    if (r->nrefs > 0) {
        printf("\nReferences:\n");
        for (size_t k = 0; k < r->nrefs; k++)
            printf("  - %s\n", r->refs[k]);
    }
    return EXIT_CLEAN;
}

static void print_test_failure(void *ud, const char *msg)
{
    (void)ud;
    printf("FAIL %s\n", msg);
}

static int cmd_rules(int argc, char **argv)
{
    static const struct option opts[] = {
        { "rules", required_argument, NULL, OPT_RULES },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *rules = NULL, *sub;
    ps_ruleset *rs;
    ps_matcher *m;
    int c, code = EXIT_CLEAN;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_RULES: rules = optarg; break;
        case 'h': fputs(usage_rules, stdout); return EXIT_CLEAN;
        default: fputs(usage_rules, stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage_rules, stderr);
        return EXIT_USAGE;
    }
    sub = argv[optind++];
    if (strcmp(sub, "test") == 0) {
        if (optind < argc)
            rules = argv[optind++];
    } else if (strcmp(sub, "explain") == 0) {
        if (optind >= argc)
            return usage_error("rules explain needs a rule ID");
    } else if (strcmp(sub, "list") != 0) {
        return usage_error("unknown rules command '%s' (list, explain, test)", sub);
    }
    if (strcmp(sub, "explain") != 0 && optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (load_rules(rules, NULL, &rs, &m) != 0)
        return EXIT_USAGE;
    if (strcmp(sub, "list") == 0) {
        for (size_t i = 0; i < rs->nrules; i++) {
            const ps_rule *r = &rs->rules[i];
            printf("%-40s %-8s %-24s %s\n", r->id, ps_severity_name(r->severity),
                   ps_category_name(r->category), r->title);
        }
        printf("%zu rules\n", rs->nrules);
    } else if (strcmp(sub, "explain") == 0) {
        code = rules_explain(rs, argv[optind]);
    } else {
        size_t passed = 0, failed = 0;
        ps_status st = ps_rules_test(m, print_test_failure, NULL, &passed, &failed);
        printf("%zu passed, %zu failed\n", passed, failed);
        code = st == PS_OK ? EXIT_CLEAN : EXIT_FINDINGS;
    }
    ps_matcher_destroy(m);
    ps_ruleset_destroy(rs);
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
        return print_version();
    /* Subcommands parse their own options; getopt starts after the command word. */
    if (strcmp(argv[1], "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(argv[1], "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(argv[1], "keygen") == 0)
        return ps_cli_keygen(argc - 1, argv + 1);
    if (strcmp(argv[1], "protect") == 0)
        return ps_cli_protect(argc - 1, argv + 1);
    if (strcmp(argv[1], "unprotect") == 0)
        return ps_cli_unprotect(argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0)
        return ps_cli_verify(argc - 1, argv + 1);
    fprintf(stderr, "plainsight: unknown command '%s'\n\n", argv[1]);
    fputs(usage_main, stderr);
    return EXIT_USAGE;
}

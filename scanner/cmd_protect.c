/*
 * cmd_protect.c - the `keygen`, `protect`, `unprotect` and `verify`
 * commands: options in, exit code out.  The work is in protect*.c.
 *
 * Exit codes: 0 done (verify: everything authenticates), 2 anything else,
 * so that a script can never mistake a tampered tree for a clean one.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "protect.h"
#include "util.h"

enum { CLI_OK = 0, CLI_ERROR = 2 };

/* Long-only options get values above the char range. */
enum { OPT_KEY = 256, OPT_FORCE, OPT_MINIMISE, OPT_RULES };

static const char usage_keygen[] =
    "usage: plainsight keygen -o FILE [--force]\n"
    "\n"
    "Write a new random 32-byte master key to FILE (mode 0600).  Keep it out of\n"
    "the data it protects: `protect` refuses a key inside its source or\n"
    "destination.  Losing the key loses the data; back it up separately.\n"
    "\n"
    "  -o, --output FILE     where to write the key (required)\n"
    "  --force               replace an existing FILE\n"
    "  -h, --help            this help\n";

static const char usage_protect[] =
    "usage: plainsight protect --key KEY SRC DST [options]\n"
    "\n"
    "Write a protected copy of the directory SRC to DST (SRC is never changed):\n"
    "files are encrypted (XChaCha20-Poly1305 secretstream, DST/<path>.psenc);\n"
    "SQLite databases are rewritten field by field as the rules judge each\n"
    "column: passwords, MD5 hashes and secret answers hashed with argon2id,\n"
    "personal data and messages encrypted, emails given a blind index.\n"
    "DST appears only when complete.\n"
    "\n"
    "  --key KEY             key file made by `plainsight keygen` (required)\n"
    "  --rules FILE|DIR      rules deciding each column (default: the installed packs)\n"
    "  --force               replace an existing DST\n"
    "  --minimise            keep only the birth year of birthdates and /24 of\n"
    "                        IPv4 addresses (cannot be undone)\n"
    "  -j, --threads N       threads for password hashing (default: online CPUs)\n"
    "  -h, --help            this help\n";

static const char usage_unprotect[] =
    "usage: plainsight unprotect --key KEY DST RESTORED [--force]\n"
    "\n"
    "Restore a tree made by `plainsight protect`: files byte for byte,\n"
    "databases with every encrypted value (hashed passwords and answers stay\n"
    "hashes: they are one-way).  Anything that fails to authenticate stops\n"
    "the restore and RESTORED is not created.\n"
    "\n"
    "  --key KEY             the key the tree was protected with (required)\n"
    "  --force               replace an existing RESTORED\n"
    "  -h, --help            this help\n";

static const char usage_verify[] =
    "usage: plainsight verify --key KEY DST\n"
    "\n"
    "Check that every encrypted file and field of a protected tree\n"
    "authenticates, and that no file is missing or added.  Prints one line per\n"
    "problem; exit 0 when there is none, 2 otherwise.\n"
    "\n"
    "  --key KEY             the key the tree was protected with (required)\n"
    "  -h, --help            this help\n";

static void print_note(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "plainsight: %s\n", msg);
}

static int fail(const char *msg)
{
    fprintf(stderr, "plainsight: %s\n", msg);
    return CLI_ERROR;
}

static int usage_fail(const char *cmd, const char *msg)
{
    if (msg != NULL)
        fprintf(stderr, "plainsight: %s\n", msg);
    fprintf(stderr, "Try 'plainsight %s --help'.\n", cmd);
    return CLI_ERROR;
}

/* Load the key; warn (not fail) when others can read it: the owner may share it on purpose. */
static int load_key(const char *path, ps_key **k)
{
    ps_diag diag = { { 0 } };
    unsigned mode = 0;

    if (ps_protect_init() != PS_OK)
        return fail("libsodium could not be initialised");
    if (ps_key_load(path, k, &mode, &diag) != PS_OK)
        return fail(diag.msg);
    if (mode & 077)
        fprintf(stderr, "plainsight: warning: %s is readable by others (mode %04o); "
                        "chmod 600 it\n", path, mode);
    return CLI_OK;
}

int ps_cli_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, OPT_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *out = NULL;
    bool force = false;
    ps_diag diag = { { 0 } };
    ps_key *k = NULL;
    char id[PS_KEY_ID_SIZE];
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_FORCE: force = true; break;
        case 'h': fputs(usage_keygen, stdout); return CLI_OK;
        default: return usage_fail("keygen", NULL);
        }
    }
    if (optind < argc)
        return usage_fail("keygen", "keygen takes no arguments besides -o FILE");
    if (out == NULL)
        return usage_fail("keygen", "keygen needs -o FILE");
    if (ps_protect_init() != PS_OK)
        return fail("libsodium could not be initialised");
    if (ps_key_generate(&k) != PS_OK)
        return fail("could not generate a key");
    if (ps_key_save(k, out, force, &diag) != PS_OK) {
        ps_key_free(k);
        return fail(diag.msg);
    }
    ps_key_id(k, id);
    ps_key_free(k);
    fprintf(stderr, "plainsight: key written to %s (key id %s); keep it outside the data "
                    "and back it up: without it, protected data cannot be restored\n", out, id);
    return CLI_OK;
}

int ps_cli_protect(int argc, char **argv)
{
    static const struct option opts[] = {
        { "key", required_argument, NULL, OPT_KEY },
        { "rules", required_argument, NULL, OPT_RULES },
        { "force", no_argument, NULL, OPT_FORCE },
        { "minimise", no_argument, NULL, OPT_MINIMISE },
        { "minimize", no_argument, NULL, OPT_MINIMISE },
        { "threads", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *key_path = NULL, *crash;
    ps_protect_opts o;
    ps_diag diag = { { 0 } };
    ps_key *k = NULL;
    uint64_t v;
    int c, code;

    memset(&o, 0, sizeof(o));
    o.note = print_note;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_KEY: key_path = optarg; break;
        case OPT_RULES: o.rules_path = optarg; break;
        case OPT_FORCE: o.force = true; break;
        case OPT_MINIMISE: o.minimise = true; break;
        case 'j':
            if (ps_parse_u64(optarg, &v) != 0 || v < 1 || v > 256)
                return usage_fail("protect", "--threads: not a number from 1 to 256");
            o.threads = (unsigned)v;
            break;
        case 'h': fputs(usage_protect, stdout); return CLI_OK;
        default: return usage_fail("protect", NULL);
        }
    }
    if (key_path == NULL)
        return usage_fail("protect", "protect needs --key KEY (make one with 'plainsight keygen')");
    if (argc - optind != 2)
        return usage_fail("protect", "protect needs SRC and DST");
    if (o.rules_path == NULL)
        o.rules_path = ps_default_rules_path();
    /* Test hook: die right after N files, as a crash would. */
    crash = getenv("PLAINSIGHT_TEST_CRASH_AFTER");
    if (crash != NULL && ps_parse_u64(crash, &v) == 0 && v <= 1000000)
        o.crash_after = (unsigned)v;
    code = load_key(key_path, &k);
    if (code != CLI_OK)
        return code;
    if (ps_protect_tree(k, key_path, argv[optind], argv[optind + 1], &o, &diag) != PS_OK)
        code = fail(diag.msg);
    ps_key_free(k);
    return code;
}

int ps_cli_unprotect(int argc, char **argv)
{
    static const struct option opts[] = {
        { "key", required_argument, NULL, OPT_KEY },
        { "force", no_argument, NULL, OPT_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *key_path = NULL;
    bool force = false;
    ps_diag diag = { { 0 } };
    ps_key *k = NULL;
    int c, code;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_KEY: key_path = optarg; break;
        case OPT_FORCE: force = true; break;
        case 'h': fputs(usage_unprotect, stdout); return CLI_OK;
        default: return usage_fail("unprotect", NULL);
        }
    }
    if (key_path == NULL)
        return usage_fail("unprotect", "unprotect needs --key KEY");
    if (argc - optind != 2)
        return usage_fail("unprotect", "unprotect needs DST and RESTORED");
    code = load_key(key_path, &k);
    if (code != CLI_OK)
        return code;
    if (ps_unprotect_tree(k, argv[optind], argv[optind + 1], force, print_note, NULL,
                          &diag) != PS_OK)
        code = fail(diag.msg);
    ps_key_free(k);
    return code;
}

static void print_problem(void *ud, const char *msg)
{
    (void)ud;
    printf("%s\n", msg);
}

int ps_cli_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        { "key", required_argument, NULL, OPT_KEY },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *key_path = NULL;
    ps_diag diag = { { 0 } };
    ps_key *k = NULL;
    size_t problems = 0;
    int c, code;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_KEY: key_path = optarg; break;
        case 'h': fputs(usage_verify, stdout); return CLI_OK;
        default: return usage_fail("verify", NULL);
        }
    }
    if (key_path == NULL)
        return usage_fail("verify", "verify needs --key KEY");
    if (argc - optind != 1)
        return usage_fail("verify", "verify needs one protected directory");
    code = load_key(key_path, &k);
    if (code != CLI_OK)
        return code;
    if (ps_verify_tree(k, argv[optind], print_problem, NULL, &problems, &diag) != PS_OK) {
        code = fail(diag.msg);
    } else if (problems > 0) {
        fflush(stdout);
        fprintf(stderr, "plainsight: %s: %zu problem%s found\n", argv[optind], problems,
                problems == 1 ? "" : "s");
        code = CLI_ERROR;
    } else {
        fprintf(stderr, "plainsight: %s: every file and field authenticates\n", argv[optind]);
    }
    ps_key_free(k);
    return code;
}

/*
 * fuzz_config.c - the project config file, .plainsight.yml (config.c).
 *
 * The input is a config file.  When it loads, it is applied to a small
 * rule set built fresh for each input (pack "kids", three rules, an age
 * threshold "coppa"), so that enable/disable/severity/ages are checked
 * against real rules and the ruleset's arrays are compacted for real.
 *
 * Checks: diagnostics are one NUL-terminated line that starts with the
 * config's name ("file:line:col: message", or the rule pack's name for a
 * problem found there); a failed apply leaves the rule set untouched (the
 * same number of rules); a successful one never adds rules.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "psconfig.h"
#include "rules.h"

#define NAME ".plainsight.yml"

static const char pack[] =
    "pack: kids\n"
    "ages:\n"
    "  coppa: 13\n"
    "rules:\n"
    "  - id: kids.chat\n"
    "    title: Chat message\n"
    "    explain: Readable.\n"
    "    fix: Encrypt.\n"
    "    category: plaintext-message\n"
    "    severity: high\n"
    "    when: {all: [{field: '(?i)^body$'}, {readable: true}]}\n"
    "  - id: kids.minor\n"
    "    title: Child under 13\n"
    "    explain: Identified.\n"
    "    fix: Encrypt.\n"
    "    category: child-record\n"
    "    severity: critical\n"
    "    when: {all: [{subject: child}, {age-under: coppa}]}\n"
    "  - id: kids.media\n"
    "    title: Photo\n"
    "    explain: Readable.\n"
    "    fix: Encrypt.\n"
    "    category: unencrypted-media\n"
    "    severity: medium\n"
    "    when: {media: image}\n";

static void check_diag(const ps_diag *d)
{
    ps_fuzz_check(memchr(d->msg, '\0', sizeof(d->msg)) != NULL, "diagnostic not terminated");
    ps_fuzz_check(strchr(d->msg, '\n') == NULL, "a diagnostic of more than one line");
    ps_fuzz_check(strncmp(d->msg, NAME, strlen(NAME)) == 0,
                  "a config diagnostic that does not start with the file name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_ruleset *rs = NULL;
    ps_config cfg;
    ps_diag diag;
    ps_status st;
    size_t before;

    memset(&cfg, 0, sizeof(cfg));
    diag.msg[0] = '\0';
    st = ps_config_load_buffer(NAME, (const char *)data, size, &cfg, &diag);
    if (st == PS_ERR_RULE)
        check_diag(&diag);
    if (st != PS_OK)
        goto done;
    if (ps_ruleset_create(&rs) != PS_OK)
        goto done;
    diag.msg[0] = '\0';
    if (ps_rules_load_buffer(rs, "kids.yml", pack, sizeof(pack) - 1, &diag) != PS_OK) {
        fprintf(stderr, "fuzz_config: %s\n", diag.msg);
        ps_fuzz_check(false, "the built-in rule pack does not load");
    }
    before = rs->nrules;
    diag.msg[0] = '\0';
    st = ps_config_apply(&cfg, rs, &diag);
    if (st == PS_ERR_RULE) {
        check_diag(&diag);
        ps_fuzz_check(rs->nrules == before, "a failed ps_config_apply changed the rules");
    }
    ps_fuzz_check(rs->nrules <= before, "ps_config_apply added rules");
done:
    ps_ruleset_destroy(rs);
    ps_config_free(&cfg);
    /* Freeing twice must be harmless: ps_config_free empties what it frees. */
    ps_config_free(&cfg);
    return 0;
}

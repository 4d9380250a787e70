/*
 * psconfig.h - the project config file, .plainsight.yml (implemented in
 * config.c).  The name is not config.h because every .c starts with
 * #include "config.h" for autoconf's header, and a scanner/config.h would
 * shadow it for every file in this folder.
 *
 * The file sits at the (first) scan root, or is named with --config FILE,
 * which replaces it.  Every key is optional:
 *
 *   rules:
 *     enable: [vtech]                   rule ids or pack names; when given, only these run
 *     disable: [vtech.pii.ip-address]   rule ids or pack names to turn off
 *     severity: {vtech.pii.email: high} per-rule severity overrides
 *   exclude: ["tmp/", "*.bak"]          gitignore patterns, relative to the scan root
 *   fail-on: medium                     critical|high|medium|low|info|none
 *   as-of: 2015-11-30                   YYYY-MM-DD
 *   ages: {coppa: 13}                   override age thresholds of the rule packs
 *
 * Loading checks the shape and the values (severities, dates, numbers);
 * whether the rules, packs and age names exist is only known against a
 * loaded rule set, so ps_config_apply checks those.  Every mistake is one
 * line, "file:line:col: message", like the rule loader's.  Command-line
 * options override the file (the caller applies that precedence).
 *
 * Ownership: a ps_config owns every string and array reachable from it;
 * the ps_srcloc.file pointers in it point at its `file`.
 */
#ifndef PS_PSCONFIG_H
#define PS_PSCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "rules.h"

/* A config file bigger than this is refused. */
#define PS_CONFIG_MAX_FILE (1024u * 1024u)

typedef struct ps_config_override {
    char *rule;             /* a rule id */
    ps_severity severity;
    ps_srcloc at;           /* the key */
} ps_config_override;

typedef struct ps_config {
    char *file;                       /* the config file's path (for messages) */
    char **enable;                    /* rules.enable: ids or pack names */
    size_t nenable;
    ps_srcloc *enable_at;
    char **disable;                   /* rules.disable: ids or pack names */
    size_t ndisable;
    ps_srcloc *disable_at;
    ps_config_override *overrides;    /* rules.severity, in file order */
    size_t noverrides;
    char **exclude;                   /* gitignore lines, for ps_ignore_add */
    size_t nexclude;
    unsigned *exclude_line;           /* where each was written */
    bool has_fail_on, fail_never;     /* fail-on given; it was "none" */
    ps_severity fail_on;
    bool has_as_of;
    int32_t as_of;                    /* day number (date.h) */
    ps_age *ages;                     /* age threshold overrides, in file order */
    size_t nages;
} ps_config;

/*
 * Load the config file at path into *out (emptied first; free it with
 * ps_config_free whatever the result).  PS_ERR_IO with "path: reason" when
 * it cannot be opened or read or is not a regular file (a caller looking
 * for the default .plainsight.yml checks that it exists first, and treats
 * ENOENT as "no config"); PS_ERR_RULE with "file:line:col: message" for any
 * mistake in it, or "file: file too large (the limit is 1 MiB)".
 */
ps_status ps_config_load(const char *path, ps_config *out, ps_diag *diag) PS_WARN_UNUSED;

/* The same from memory; name is used in messages.  For tests and fuzzing. */
ps_status ps_config_load_buffer(const char *name, const char *data, size_t len,
                                ps_config *out, ps_diag *diag) PS_WARN_UNUSED;

/* Frees what c owns and empties it; safe on an emptied or failed config. */
void ps_config_free(ps_config *c);

/*
 * Apply the rules and ages parts to a loaded rule set, before the matcher
 * is built: keep only the enabled rules (by id or pack), drop the disabled
 * ones (freed with ps_rule_free, the array compacted; their conditions and
 * patterns stay), set the severity overrides, and override the age
 * thresholds by name (rs->ages and every age-under condition written with
 * that name).  Disable wins over enable.  Everything is checked before
 * anything changes: an id or pack that matches no loaded rule gives
 * PS_ERR_RULE "FILE:L:C: no rule or pack named 'x'" (a severity override:
 * "no rule named 'x'"), an age the packs do not define "FILE:L:C: unknown
 * age threshold 'x' (the rule packs define: ...)", and rs is then untouched.
 */
ps_status ps_config_apply(const ps_config *c, ps_ruleset *rs, ps_diag *diag) PS_WARN_UNUSED;

#endif /* PS_PSCONFIG_H */

/*
 * rules.h - the rule set: what counts as a finding, as data.
 *
 * Rule packs (the YAML files in rules/) are loaded once into an immutable ps_ruleset that
 * every worker shares.  A rule combines generic detectors (field-name regex,
 * value regex, keywords, readable text, Luhn, hash format, weak hash
 * parameters, media type, file format, cipher kind, repeated cipher blocks,
 * nonce reuse, mode bits, path regex, size, "beside ciphertext") with
 * all/any/not.
 * The C code knows the detectors; which combination means "a plain-text
 * password" lives in YAML.
 *
 * Conditions form a tree stored flat: ps_ruleset.conds holds the nodes, and
 * an ALL/ANY/NOT node's children are conds[children[first .. first+count)].
 * Regexes live in ps_ruleset.patterns so the matcher can compile them all
 * into one multi-pattern database per target.
 *
 * Ownership: the ruleset owns every string and array reachable from it.
 */
#ifndef PS_RULES_H
#define PS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "sniff.h"

/* Where something was written in a rule file (1-based). */
typedef struct ps_srcloc {
    const char *file; /* interned in the ruleset */
    unsigned line, col;
} ps_srcloc;

/* What a regex is run against. */
typedef enum ps_target {
    PS_TARGET_FIELD = 0, /* the record's field name */
    PS_TARGET_VALUE,     /* the record's value */
    PS_TARGET_PATH,      /* the file's relative path */
    PS_TARGET_COUNT
} ps_target;

#define PS_PAT_CASELESS 0x1u /* match ignoring ASCII case */
#define PS_PAT_LITERAL  0x2u /* expr is a literal string, not a regex */

typedef struct ps_pattern {
    char *expr;
    ps_target target;
    unsigned flags;
    ps_srcloc at;
} ps_pattern;

/*
 * The regex the engine is given for p: p->expr, or for a literal its bytes
 * with every one that is not an ASCII letter or digit as \xHH, so that no
 * metacharacter survives.  *owned is what the caller frees (NULL for a
 * regex); NULL is returned only when the escaped form could not be
 * allocated.  Whatever analyses a pattern's regex (need.c) must read this
 * form, as the engine does.
 */
const char *ps_pattern_regex(const ps_pattern *p, char **owned);

/* Hash formats, as bits for PS_COND_HASH masks. */
typedef enum ps_hash_kind {
    PS_HASH_MD5 = 0, /* 32 hex digits, no salt */
    PS_HASH_SHA1,    /* 40 hex */
    PS_HASH_SHA256,  /* 64 hex */
    PS_HASH_SHA512,  /* 128 hex */
    PS_HASH_BCRYPT,  /* $2a$/$2b$/$2y$ */
    PS_HASH_ARGON2,  /* $argon2id$ / $argon2i$ / $argon2d$ */
    PS_HASH_SCRYPT,  /* $scrypt$ / $7$ */
    PS_HASH_PBKDF2,  /* $pbkdf2-...$ / pbkdf2_sha256$ */
    PS_HASH_COUNT
} ps_hash_kind;

const char *ps_hash_name(ps_hash_kind h);
int ps_hash_parse(const char *name, ps_hash_kind *out);

/* File mode classes, as bits for PS_COND_MODE masks. */
typedef enum ps_mode_class {
    PS_MODE_WORLD_READABLE = 0, /* o+r */
    PS_MODE_WORLD_WRITABLE,     /* o+w */
    PS_MODE_GROUP_WRITABLE,     /* g+w */
    PS_MODE_COUNT
} ps_mode_class;

const char *ps_mode_name(ps_mode_class m);
int ps_mode_parse(const char *name, ps_mode_class *out);

typedef enum ps_cond_kind {
    PS_COND_ALL = 0,  /* every child holds (children: first, count) */
    PS_COND_ANY,      /* at least one child holds */
    PS_COND_NOT,      /* its single child does not hold */
    /* record detectors: need a record (scope: record) */
    PS_COND_FIELD,    /* patterns[pattern] matches the field name */
    PS_COND_VALUE,    /* patterns[pattern] matches somewhere in the value */
    PS_COND_KEYWORDS, /* any of patterns[pattern .. pattern+npatterns) in the value */
    PS_COND_READABLE, /* value is readable text (flag=true) or not (flag=false) */
    PS_COND_LUHN,     /* value holds a Luhn-valid 13..19 digit number */
    PS_COND_HASH,     /* value is exactly a hash of a kind in mask (1u << ps_hash_kind) */
    /* file detectors: constant for a whole file, usable in either scope */
    PS_COND_MEDIA,    /* record's media, else the file's, is in mask (1u << ps_media) */
    PS_COND_FORMAT,   /* the file's sniffed format is in mask (1u << ps_format) */
    PS_COND_MODE,     /* the file's mode has a class in mask (1u << ps_mode_class) */
    PS_COND_PATH,     /* patterns[pattern] matches the relative path */
    PS_COND_SIZE,     /* min <= file size <= max */
    PS_COND_BESIDE,   /* another file in the same folder has a format in mask */
    /* more record detectors */
    PS_COND_OLDER_THAN, /* value is a date more than min days before --as-of */
    /* row detectors: need an assembled row of a people store (scope: row) */
    PS_COND_SUBJECT,  /* the row is a subject of a kind in mask (PS_SUBJECT_*) */
    PS_COND_AGE_UNDER,/* the row's age is known and < min years (at creation, else --as-of) */
    PS_COND_IDENTIFIED, /* the row has (flag) / lacks a readable identifying field */
    /* protection: how well encrypted data and hashes are protected */
    PS_COND_WEAK_HASH_PARAMS, /* record: value is (flag) / is not a hash with weak
                                 parameters (ps_detect_weak_hash_params) */
    PS_COND_CIPHER,           /* file: sniffed cipher kind in mask (1u << ps_cipher) */
    PS_COND_REPEATED_BLOCKS,  /* file: the head repeats a 16-byte block (flag) or not */
    PS_COND_NONCE_REUSE,      /* file: another file shares its nonce (flag) or not */
    PS_COND_KIND_COUNT
} ps_cond_kind;

/* True for detectors that look at a record rather than the file. */
bool ps_cond_is_record(ps_cond_kind k);
/* True for detectors that look at an assembled row (subject, age, identified). */
bool ps_cond_is_row(ps_cond_kind k);

/* Subject kinds, as bits for PS_COND_SUBJECT masks. */
#define PS_SUBJECT_CHILD  0x1u
#define PS_SUBJECT_PARENT 0x2u

typedef struct ps_cond {
    ps_cond_kind kind;
    uint32_t first, count;  /* ALL/ANY/NOT: children[first .. first+count) */
    uint32_t pattern;       /* FIELD/VALUE/PATH/KEYWORDS: first pattern index */
    uint32_t npatterns;     /* KEYWORDS: number of patterns */
    uint32_t mask;          /* HASH/MEDIA/FORMAT/MODE/BESIDE/CIPHER/SUBJECT */
    bool flag;              /* READABLE/IDENTIFIED/WEAK_HASH_PARAMS/REPEATED_BLOCKS/NONCE_REUSE */
    uint64_t min, max;      /* SIZE; OLDER_THAN: min = days; AGE_UNDER: min = years */
    ps_srcloc at;
} ps_cond;

typedef enum ps_scope {
    PS_SCOPE_RECORD = 0, /* evaluated on every record of a file */
    PS_SCOPE_FILE,       /* evaluated once per file, after the walk */
    PS_SCOPE_ROW         /* evaluated once per row of a people store (see ps_subjects) */
} ps_scope;

/*
 * An inline test case: a synthetic record (field, value) in a synthetic file
 * (path, format, media, mode, size, beside, cipher, repeated blocks, nonce
 * reuse) that the rule must or must not match.  Unset file facts default to
 * a readable text file "example.txt".
 */
typedef struct ps_example {
    bool expect_match;
    char *field;
    char *value;
    size_t value_len;
    char *path;
    ps_format format;
    ps_media media;
    unsigned mode;       /* permission bits, default 0640 */
    uint64_t size;       /* default: value_len */
    bool has_size;
    uint32_t beside;     /* mask of (1u << ps_format) */
    ps_cipher cipher;    /* the file's sniffed cipher kind; setting it makes format ciphertext */
    bool repeated_blocks; /* the file's ps_sniff.repeated_blocks */
    bool nonce_reused;   /* the file's ps_file_facts.nonce_reused */
    /* row-scope examples: the facts of an assembled row */
    uint32_t subject;    /* PS_SUBJECT_* (0: none) */
    int age;             /* years; -1: unknown (default) */
    bool identified;     /* default false */
    ps_srcloc at;
} ps_example;

typedef struct ps_rule {
    char *id;
    char *title;
    char *explain;
    char *fix;
    char **refs;
    size_t nrefs;
    ps_category category;
    ps_severity severity;
    ps_scope scope;
    uint32_t cond;        /* root condition */
    ps_example *examples;
    size_t nexamples;
    char *pack;           /* the rule file's stem, e.g. "vtech" */
    bool uses_date;       /* has an OLDER_THAN detector: findings track the oldest date */
    ps_srcloc at;
} ps_rule;

/*
 * How to recognise people in structured stores (the `subjects` section).
 * Each member is a pattern index (target PS_TARGET_FIELD, matched against a
 * table name, a file stem or a column name), or UINT32_MAX when not given.
 */
typedef struct ps_subjects {
    bool present;
    ps_srcloc at;               /* where the `subjects` key was written */
    uint32_t child_tables;      /* table / file stem of child records */
    uint32_t child_birthdate;   /* column holding a birthdate */
    uint32_t child_identifying; /* columns that identify a child (name, username, photo) */
    uint32_t child_created;     /* column holding the record's creation date */
    uint32_t child_link;        /* column linking a child to its parent (parent_id, ...) */
    uint32_t parent_tables;     /* table / file stem of parent or account records */
    uint32_t parent_id;         /* the parent's key column (id, user_id, email) */
    uint32_t parent_contact;    /* contact columns that make a parent exposed */
    uint32_t country;           /* country column */
} ps_subjects;

/* One row of the breach table: a country (or region) and the values that mean it. */
typedef struct ps_country {
    char *name;       /* as reported: "US", "France", "Latin America", "Other" */
    char **codes;     /* values that mean it, compared case-insensitively after trimming */
    size_t ncodes;
    bool fallback;    /* unknown but non-empty values count here */
    ps_srcloc at;
} ps_country;

/* A named age threshold ("coppa: 13"), usable in `age-under`. */
typedef struct ps_age {
    char *name;
    unsigned years;
    ps_srcloc at;
} ps_age;

/*
 * Raise the severity of findings in matching paths (the `escalations`
 * section), e.g. production personal data under test/ or staging/.
 */
typedef struct ps_escalation {
    char *id;
    uint32_t path;         /* pattern index, target PS_TARGET_PATH */
    uint32_t categories;   /* mask of (1u << ps_category); 0 means all */
    unsigned raise;        /* severity levels to add (capped at critical) */
    char *reason;          /* one sentence: why this place makes it worse */
    ps_srcloc at;
} ps_escalation;

typedef struct ps_ruleset {
    ps_rule *rules;
    size_t nrules, caprules;
    ps_cond *conds;
    size_t nconds, capconds;
    uint32_t *children;
    size_t nchildren, capchildren;
    ps_pattern *patterns;
    size_t npatterns, cappatterns;
    char **files;         /* interned source file names */
    size_t nfiles, capfiles;
    ps_subjects subjects;
    ps_country *countries;
    size_t ncountries, capcountries;
    ps_age *ages;
    size_t nages, capages;
    ps_escalation *escalations;
    size_t nescalations, capescalations;
} ps_ruleset;

/* --- building (used by the YAML loader and by tests) --------------------- */

ps_status ps_ruleset_create(ps_ruleset **out) PS_WARN_UNUSED;
void ps_ruleset_destroy(ps_ruleset *rs);

/* A stable copy of a file name, owned by the ruleset; NULL on ENOMEM. */
const char *ps_ruleset_intern_file(ps_ruleset *rs, const char *file);

ps_status ps_ruleset_add_pattern(ps_ruleset *rs, ps_target target,
                                 const char *expr, unsigned flags,
                                 ps_srcloc at, uint32_t *idx) PS_WARN_UNUSED;
ps_status ps_ruleset_add_cond(ps_ruleset *rs, const ps_cond *c,
                              uint32_t *idx) PS_WARN_UNUSED;
/* Appends n child indices; *first receives the position of the first. */
ps_status ps_ruleset_add_children(ps_ruleset *rs, const uint32_t *kids,
                                  size_t n, uint32_t *first) PS_WARN_UNUSED;
/*
 * Adds a rule, taking ownership of every pointer in *r (also on failure).
 * Fails with PS_ERR_RULE when the id is already used.
 */
ps_status ps_ruleset_add_rule(ps_ruleset *rs, ps_rule *r) PS_WARN_UNUSED;

/* Index of the rule with this id, or -1. */
long ps_ruleset_find(const ps_ruleset *rs, const char *id);

/* Frees what a rule owns (for callers that built one and could not add it). */
void ps_rule_free(ps_rule *r);

/* Country group for a stored value (trimmed, ASCII case-insensitive), the
 * fallback group for other non-empty values, or -1 (empty value or no groups). */
int ps_ruleset_country(const ps_ruleset *rs, const char *v, size_t n);

/* --- loading YAML (rules.c) ---------------------------------------------- */

/*
 * Load one rule file, or every *.yml / *.yaml in a directory (sorted by
 * name), into rs.  On a malformed file returns PS_ERR_RULE with
 * "file:line:col: what is wrong" in *diag; unreadable paths give PS_ERR_IO.
 */
ps_status ps_rules_load_path(ps_ruleset *rs, const char *path, ps_diag *diag) PS_WARN_UNUSED;

/* Same, from memory; name is used in diagnostics.  For tests and fuzzing. */
ps_status ps_rules_load_buffer(ps_ruleset *rs, const char *name,
                               const char *data, size_t len, ps_diag *diag) PS_WARN_UNUSED;

#endif /* PS_RULES_H */

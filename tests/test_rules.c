/*
 * test_rules.c - the YAML rule loader: a valid pack gives the exact rule set,
 * every kind of mistake gives its exact "file:line:col: message", and the
 * hostile cases (alias bombs, huge files, deep nesting) fail fast.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rules.h"
#include "scratch.h"
#include "util.h"

/* --- helpers ------------------------------------------------------------- */

static const char *data_dir(void)
{
    const char *d = getenv("PS_TEST_DATA");
    return d != NULL ? d : "tests/data";
}

static void data_path(char *out, size_t n, const char *rel)
{
    int w = snprintf(out, n, "%s/rules/%s", data_dir(), rel);
    assert_true(w > 0 && (size_t)w < n);
}

static ps_status load_str(ps_ruleset *rs, const char *name, const char *yaml, ps_diag *d)
{
    return ps_rules_load_buffer(rs, name, yaml, strlen(yaml), d);
}

static int setup_rs(void **state)
{
    ps_ruleset *rs;

    if (ps_ruleset_create(&rs) != PS_OK)
        return -1;
    *state = rs;
    return 0;
}

static int teardown_rs(void **state)
{
    ps_ruleset_destroy(*state);
    return 0;
}

static void assert_loc(ps_srcloc at, const char *file, unsigned line, unsigned col)
{
    assert_non_null(at.file);
    assert_string_equal(at.file, file);
    assert_int_equal(at.line, line);
    assert_int_equal(at.col, col);
}

static void assert_pattern(const ps_ruleset *rs, uint32_t i, ps_target t,
                           unsigned flags, const char *expr)
{
    assert_true(i < rs->npatterns);
    assert_int_equal(rs->patterns[i].target, t);
    assert_int_equal(rs->patterns[i].flags, flags);
    assert_string_equal(rs->patterns[i].expr, expr);
}

/* Children of condition ci must be exactly kids[0..n). */
static void assert_kids(const ps_ruleset *rs, uint32_t ci, const uint32_t *kids, uint32_t n)
{
    const ps_cond *c = &rs->conds[ci];

    assert_int_equal(c->count, n);
    assert_true(c->first + n <= rs->nchildren);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(rs->children[c->first + i], kids[i]);
}

#define BIT(x) (1u << (x))

/* --- the valid pack ------------------------------------------------------ */

static void test_valid_pack(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char path[1024];
    const ps_cond *c;
    const ps_rule *r;
    const ps_example *ex;

    data_path(path, sizeof(path), "valid.yml");
    assert_int_equal(ps_rules_load_path(rs, path, &d), PS_OK);
    assert_string_equal(d.msg, "");
    assert_int_equal(rs->nrules, 3);
    assert_int_equal(rs->nconds, 25);
    assert_int_equal(rs->npatterns, 4);
    assert_int_equal(rs->nchildren, 22);
    c = rs->conds;

    /* rule 1: every record detector, scope inferred as record */
    r = &rs->rules[0];
    assert_string_equal(r->id, "chat.plain-message");
    assert_string_equal(r->title, "Chat message stored as plain text");
    assert_string_equal(r->explain, "Messages between parents and children are readable by anyone who\n"
                                    "gets the file.\n");
    assert_string_equal(r->fix, "Encrypt messages at rest.");
    assert_string_equal(r->pack, "kids");
    assert_int_equal(r->category, PS_CAT_PLAINTEXT_MESSAGE);
    assert_int_equal(r->severity, PS_SEV_HIGH);
    assert_int_equal(r->scope, PS_SCOPE_RECORD);
    assert_int_equal(r->nrefs, 2);
    assert_string_equal(r->refs[0], "https://example.org/a");
    assert_string_equal(r->refs[1], "GDPR Art. 32");
    assert_loc(r->at, path, 7, 5);
    assert_int_equal(r->cond, 9);

    assert_int_equal(c[0].kind, PS_COND_FIELD);
    assert_int_equal(c[0].pattern, 0);
    assert_loc(c[0].at, path, 18, 11);
    assert_pattern(rs, 0, PS_TARGET_FIELD, 0, "(?i)^(message|body)$");
    assert_loc(rs->patterns[0].at, path, 18, 18);
    assert_int_equal(c[1].kind, PS_COND_READABLE);
    assert_true(c[1].flag);
    /* keywords: consecutive caseless literals, each at its own word */
    assert_int_equal(c[2].kind, PS_COND_KEYWORDS);
    assert_int_equal(c[2].pattern, 1);
    assert_int_equal(c[2].npatterns, 2);
    assert_loc(c[2].at, path, 20, 17);
    assert_pattern(rs, 1, PS_TARGET_VALUE, PS_PAT_CASELESS | PS_PAT_LITERAL, "hello");
    assert_pattern(rs, 2, PS_TARGET_VALUE, PS_PAT_CASELESS | PS_PAT_LITERAL, "Bye");
    assert_loc(rs->patterns[1].at, path, 20, 28);
    assert_loc(rs->patterns[2].at, path, 20, 35);
    assert_int_equal(c[3].kind, PS_COND_NOT);
    assert_kids(rs, 3, (const uint32_t[]){ 2 }, 1);
    /* luhn: false is NOT(LUHN), both at the luhn key */
    assert_int_equal(c[4].kind, PS_COND_LUHN);
    assert_loc(c[4].at, path, 22, 15);
    assert_int_equal(c[5].kind, PS_COND_NOT);
    assert_kids(rs, 5, (const uint32_t[]){ 4 }, 1);
    assert_loc(c[5].at, path, 22, 15);
    assert_int_equal(c[6].kind, PS_COND_HASH);
    assert_int_equal(c[6].mask, BIT(PS_HASH_MD5) | BIT(PS_HASH_SHA1));
    assert_int_equal(c[7].kind, PS_COND_ANY);
    assert_kids(rs, 7, (const uint32_t[]){ 5, 6 }, 2);
    assert_int_equal(c[8].kind, PS_COND_FORMAT);
    assert_int_equal(c[8].mask, BIT(PS_FMT_JSONL) | BIT(PS_FMT_CSV));
    assert_int_equal(c[9].kind, PS_COND_ALL);
    assert_kids(rs, 9, (const uint32_t[]){ 0, 1, 3, 7, 8 }, 5);
    assert_loc(c[9].at, path, 17, 7);

    assert_int_equal(r->nexamples, 2);
    ex = &r->examples[0];
    assert_true(ex->expect_match);
    assert_string_equal(ex->field, "message");
    assert_string_equal(ex->value, "see you at 5");
    assert_int_equal(ex->value_len, 12);
    assert_string_equal(ex->path, "example.txt");
    assert_int_equal(ex->format, PS_FMT_TEXT);
    assert_int_equal(ex->media, PS_MEDIA_NONE);
    assert_int_equal(ex->mode, 0640);
    assert_int_equal(ex->size, 12);
    assert_false(ex->has_size);
    assert_int_equal(ex->beside, 0);
    assert_loc(ex->at, path, 27, 11);
    ex = &r->examples[1];
    assert_false(ex->expect_match);
    assert_string_equal(ex->field, "");
    assert_string_equal(ex->value, "4111111111111111");
    assert_int_equal(ex->mode, 0644);
    assert_int_equal(ex->size, 99);
    assert_true(ex->has_size);
    assert_int_equal(ex->beside, BIT(PS_FMT_CIPHERTEXT));
    assert_string_equal(ex->path, "chat/log.jsonl");
    assert_int_equal(ex->format, PS_FMT_JSONL);
    assert_loc(ex->at, path, 29, 11);

    /* rule 2: media classes, file detectors, explicit record scope */
    r = &rs->rules[1];
    assert_string_equal(r->id, "media.unencrypted");
    assert_string_equal(r->pack, "kids");
    assert_int_equal(r->nrefs, 0);
    assert_int_equal(r->scope, PS_SCOPE_RECORD);
    assert_int_equal(r->cond, 20);
    assert_int_equal(c[10].mask, BIT(PS_MEDIA_JPEG) | BIT(PS_MEDIA_PNG) | BIT(PS_MEDIA_GIF) |
                                 BIT(PS_MEDIA_WEBP) | BIT(PS_MEDIA_HEIC));
    assert_int_equal(c[11].mask, BIT(PS_MEDIA_WAV) | BIT(PS_MEDIA_MP3) | BIT(PS_MEDIA_AMR) |
                                 BIT(PS_MEDIA_OGG) | BIT(PS_MEDIA_M4A) | BIT(PS_MEDIA_MP4));
    assert_int_equal(c[12].kind, PS_COND_MEDIA);
    assert_int_equal(c[12].mask, 0xffeu);
    assert_int_equal(c[13].kind, PS_COND_BESIDE);
    assert_int_equal(c[13].mask, BIT(PS_FMT_CIPHERTEXT) | BIT(PS_FMT_COMPRESSED));
    assert_int_equal(c[14].kind, PS_COND_MODE);
    assert_int_equal(c[14].mask, BIT(PS_MODE_WORLD_READABLE));
    assert_int_equal(c[15].kind, PS_COND_SIZE);
    assert_int_equal(c[15].min, 10);
    assert_true(c[15].max == UINT64_MAX);
    assert_int_equal(c[16].min, 5);
    assert_int_equal(c[16].max, 5);
    assert_int_equal(c[17].kind, PS_COND_PATH);
    assert_int_equal(c[17].pattern, 3);
    assert_pattern(rs, 3, PS_TARGET_PATH, 0, "\\.bak$");
    assert_int_equal(c[18].kind, PS_COND_LUHN);
    assert_true(c[18].flag);
    assert_int_equal(c[19].kind, PS_COND_ALL);
    assert_kids(rs, 19, (const uint32_t[]){ 13, 14, 15, 16, 17, 18 }, 6);
    assert_int_equal(c[20].kind, PS_COND_ANY);
    assert_kids(rs, 20, (const uint32_t[]){ 10, 11, 12, 19 }, 4);
    assert_int_equal(r->nexamples, 1);
    ex = &r->examples[0];
    assert_int_equal(ex->media, PS_MEDIA_PNG);
    assert_int_equal(ex->format, PS_FMT_MEDIA); /* implied by media */
    assert_int_equal(ex->value_len, 0);

    /* rule 3: only file detectors, so scope is inferred as file */
    r = &rs->rules[2];
    assert_int_equal(r->scope, PS_SCOPE_FILE);
    assert_int_equal(r->category, PS_CAT_KEY_EXPOSURE);
    assert_int_equal(r->severity, PS_SEV_CRITICAL);
    assert_int_equal(r->cond, 24);
    assert_int_equal(c[21].mask, BIT(PS_MODE_WORLD_READABLE) | BIT(PS_MODE_GROUP_WRITABLE));
    assert_int_equal(c[22].min, 0);
    assert_int_equal(c[22].max, 100);
    assert_int_equal(c[23].mask, BIT(PS_FMT_CIPHERTEXT));
    assert_kids(rs, 24, (const uint32_t[]){ 21, 22, 23 }, 3);
    ex = &r->examples[0];
    assert_false(ex->expect_match);
    assert_int_equal(ex->mode, 0600);
    assert_string_equal(ex->path, "keys/app.key");
    assert_string_equal(ex->value, "");
    assert_int_equal(ex->size, 0);
}

/* The protection detectors and the example keys that give their facts. */
static void test_protection_pack(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char path[1024];
    const ps_cond *c;
    const ps_rule *r;
    const ps_example *ex;

    data_path(path, sizeof(path), "protection.yml");
    assert_int_equal(ps_rules_load_path(rs, path, &d), PS_OK);
    assert_string_equal(d.msg, "");
    assert_int_equal(rs->nrules, 2);
    assert_int_equal(rs->nconds, 10);
    assert_int_equal(rs->npatterns, 0);
    c = rs->conds;

    /* weak-hash-params is a record detector; `no` is false */
    r = &rs->rules[0];
    assert_int_equal(r->scope, PS_SCOPE_RECORD);
    assert_int_equal(r->category, PS_CAT_WEAK_PASSWORD_HASH);
    assert_int_equal(c[0].kind, PS_COND_WEAK_HASH_PARAMS);
    assert_true(c[0].flag);
    assert_loc(c[0].at, path, 12, 11);
    assert_int_equal(c[1].kind, PS_COND_WEAK_HASH_PARAMS);
    assert_false(c[1].flag);
    assert_loc(c[1].at, path, 13, 17);
    assert_int_equal(c[2].kind, PS_COND_NOT);
    assert_kids(rs, 2, (const uint32_t[]){ 1 }, 1);
    assert_int_equal(c[3].kind, PS_COND_ALL);
    assert_kids(rs, 3, (const uint32_t[]){ 0, 2 }, 2);
    assert_int_equal(r->cond, 3);

    /* cipher, repeated-blocks and nonce-reuse are file detectors */
    r = &rs->rules[1];
    assert_int_equal(r->scope, PS_SCOPE_FILE);
    assert_int_equal(r->category, PS_CAT_WEAK_ENCRYPTION);
    assert_int_equal(c[4].kind, PS_COND_CIPHER);
    assert_int_equal(c[4].mask, BIT(PS_CIPHER_OPENSSL));
    assert_loc(c[4].at, path, 27, 11);
    assert_int_equal(c[5].kind, PS_COND_CIPHER);
    assert_int_equal(c[5].mask, BIT(PS_CIPHER_ENVELOPE) | BIT(PS_CIPHER_SQLCIPHER) |
                                BIT(PS_CIPHER_ENTROPY));
    assert_int_equal(c[6].kind, PS_COND_REPEATED_BLOCKS);
    assert_true(c[6].flag);
    assert_loc(c[6].at, path, 29, 11);
    assert_int_equal(c[7].kind, PS_COND_NONCE_REUSE);
    assert_true(c[7].flag);
    assert_loc(c[7].at, path, 30, 11);
    assert_int_equal(c[8].kind, PS_COND_NONCE_REUSE);
    assert_false(c[8].flag);
    assert_int_equal(c[9].kind, PS_COND_ANY);
    assert_kids(rs, 9, (const uint32_t[]){ 4, 5, 6, 7, 8 }, 5);

    /* example facts: a cipher makes the format ciphertext unless format says otherwise */
    assert_int_equal(r->nexamples, 4);
    ex = &r->examples[0];
    assert_int_equal(ex->cipher, PS_CIPHER_OPENSSL);
    assert_int_equal(ex->format, PS_FMT_CIPHERTEXT);
    assert_false(ex->repeated_blocks);
    assert_false(ex->nonce_reused);
    ex = &r->examples[1];
    assert_int_equal(ex->cipher, PS_CIPHER_SQLCIPHER);
    assert_int_equal(ex->format, PS_FMT_UNKNOWN);
    assert_true(ex->repeated_blocks);
    assert_false(ex->nonce_reused);
    ex = &r->examples[2];
    assert_int_equal(ex->cipher, PS_CIPHER_NONE);
    assert_int_equal(ex->format, PS_FMT_CIPHERTEXT);
    assert_true(ex->nonce_reused);
    ex = &r->examples[3];
    assert_false(ex->expect_match);
    assert_int_equal(ex->cipher, PS_CIPHER_NONE);
    assert_int_equal(ex->format, PS_FMT_TEXT);
    assert_false(ex->repeated_blocks);
    assert_false(ex->nonce_reused);
}

/* Without 'pack:' the pack is the file stem; the stem ignores folders. */
static void test_pack_defaults_to_stem(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };

    assert_int_equal(load_str(rs, "some/dir/vtech.yml",
                              "rules:\n"
                              "  - {id: a1, title: t, explain: e, fix: f, category: plaintext-pii,\n"
                              "     severity: info, when: {value: x}}\n", &d), PS_OK);
    assert_int_equal(rs->nrules, 1);
    assert_string_equal(rs->rules[0].pack, "vtech");
    assert_int_equal(rs->rules[0].severity, PS_SEV_INFO);
    assert_int_equal(rs->rules[0].nexamples, 0);
}

/* Example values are test data: they may hold any bytes, NUL included. */
static void test_example_value_bytes(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    const ps_example *ex;

    assert_int_equal(load_str(rs, "t.yml",
                              "rules:\n"
                              "  - {id: a1, title: t, explain: e, fix: f, category: plaintext-pii,\n"
                              "     severity: info, when: {value: x},\n"
                              "     examples: {match: [{value: \"a\\0b\", size: 7}]}}\n", &d),
                     PS_OK);
    ex = &rs->rules[0].examples[0];
    assert_int_equal(ex->value_len, 3);
    assert_memory_equal(ex->value, "a\0b", 3);
    assert_int_equal(ex->size, 7);
}

/* --- malformed input: one row per kind of mistake ------------------------ */

/* Seven lines that make a complete rule except for 'when'. */
#define HEAD                               \
    "rules:\n"                             \
    "  - id: r1\n"                         \
    "    title: T\n"                       \
    "    explain: E\n"                     \
    "    fix: F\n"                         \
    "    category: plaintext-pii\n"        \
    "    severity: low\n"

#define DETECTOR_NAMES "all, any, not, field, value, path, keywords, readable, luhn, " \
                       "hash, weak-hash-params, media, format, cipher, beside, " \
                       "repeated-blocks, nonce-reuse, mode, size, older-than, subject, " \
                       "age-under, identified"
#define TOP_KEY_NAMES "pack, description, rules, subjects, countries, ages, escalations"
#define CATEGORY_NAMES "plaintext-message, unencrypted-media, child-record, plaintext-pii, " \
                       "weak-password-hash, plaintext-password, plaintext-secret-answer, " \
                       "key-exposure, insecure-permissions, plaintext-payment, " \
                       "retention-exceeded, weak-encryption"
#define FORMAT_NAMES "unknown, empty, text, jsonl, csv, sqlite, sqldump, media, ciphertext, " \
                     "compressed, json, mbox"
#define RULE_KEY_NAMES "id, title, explain, fix, category, severity, references, " \
                       "scope, when, examples"
#define EXAMPLE_KEY_NAMES "field, value, path, format, media, mode, size, beside, " \
                          "cipher, repeated-blocks, nonce-reuse, subject, age, identified"
#define CIPHER_NAMES "entropy, envelope, openssl, sqlcipher"

typedef struct bad_case {
    const char *name;
    const char *yaml;
    const char *diag;
} bad_case;

static const bad_case bad_cases[] = {
    { "syntax error", "rules: [a, b\n",
      "t.yml:2:1: YAML syntax error: did not find expected ',' or ']'" },
    { "tab indentation", "rules:\n\t- id: x\n",
      "t.yml:2:1: YAML syntax error: found character that cannot start any token" },
    { "invalid UTF-8", "pack: x\nrules: [\xff]\n",
      "t.yml:2:9: YAML syntax error: invalid leading UTF-8 octet" },
    { "empty file", "", "t.yml:1:1: file is empty" },
    { "only comments", "# nothing here\n", "t.yml:1:1: file is empty" },
    { "empty document", "---\n", "t.yml:1:1: file is empty" },
    { "two documents", "rules: []\n---\nrules: []\n",
      "t.yml:2:1: only one YAML document per file is allowed" },
    { "top level not a mapping", "- a\n",
      "t.yml:1:1: expected a mapping at the top level, found a sequence" },
    { "unknown top-level key", "rulez: []\n",
      "t.yml:1:1: unknown key 'rulez' (expected one of: " TOP_KEY_NAMES ")" },
    { "duplicate key", "rules: []\nrules: []\n", "t.yml:2:1: duplicate key 'rules'" },
    { "missing rules", "pack: x\n", "t.yml:1:1: missing required key 'rules'" },
    { "wrong node type", "rules: {}\n",
      "t.yml:1:8: expected a sequence for 'rules', found a mapping" },
    { "rules given a scalar", "rules: none\n",
      "t.yml:1:8: expected a sequence for 'rules', found a scalar" },
    { "rule not a mapping", "rules:\n  - r1\n",
      "t.yml:2:5: expected a mapping for a rule, found a scalar" },
    { "non-scalar key", "? [a]\n: b\n",
      "t.yml:1:3: a mapping key must be a scalar, found a sequence" },
    { "anchor", "rules: &r []\n", "t.yml:1:8: YAML aliases are not allowed" },
    { "alias", "pack: x\nrules: *r\n", "t.yml:2:8: YAML aliases are not allowed" },
    { "unknown rule key", HEAD "    when: {value: x}\n    colour: red\n",
      "t.yml:9:5: unknown key 'colour' (expected one of: " RULE_KEY_NAMES ")" },
    { "missing required key", "rules:\n  - id: r1\n    title: T\n",
      "t.yml:2:5: missing required key 'explain'" },
    { "missing when", HEAD, "t.yml:2:5: missing required key 'when'" },
    { "bad id characters",
      "rules:\n  - id: Bad_ID\n    title: T\n    explain: E\n    fix: F\n"
      "    category: plaintext-pii\n    severity: low\n    when: {value: x}\n",
      "t.yml:2:9: invalid rule id 'Bad_ID' (use a-z, 0-9, '.', '_' and '-', "
      "starting with a letter or digit)" },
    { "id starts with a dash",
      "rules:\n  - id: -x\n    title: T\n    explain: E\n    fix: F\n"
      "    category: plaintext-pii\n    severity: low\n    when: {value: x}\n",
      "t.yml:2:9: invalid rule id '-x' (use a-z, 0-9, '.', '_' and '-', "
      "starting with a letter or digit)" },
    { "id too long",
      "rules:\n  - id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
      "    title: T\n    explain: E\n    fix: F\n"
      "    category: plaintext-pii\n    severity: low\n    when: {value: x}\n",
      "t.yml:2:9: rule id is longer than 128 characters" },
    { "duplicate id", HEAD "    when: {value: x}\n"
      "  - id: r1\n    title: T\n    explain: E\n    fix: F\n"
      "    category: plaintext-pii\n    severity: low\n    when: {value: x}\n",
      "t.yml:9:9: duplicate rule id 'r1' (first defined at t.yml:2:5)" },
    { "multi-line title",
      "rules:\n  - id: r1\n    title: \"two\\nlines\"\n    explain: E\n    fix: F\n"
      "    category: plaintext-pii\n    severity: low\n    when: {value: x}\n",
      "t.yml:3:12: 'title' must be one line" },
    { "empty fix",
      "rules:\n  - id: r1\n    title: T\n    explain: E\n    fix: ''\n"
      "    category: plaintext-pii\n    severity: low\n    when: {value: x}\n",
      "t.yml:5:10: 'fix' is empty" },
    { "title not a string",
      "rules:\n  - id: r1\n    title: [T]\n    explain: E\n    fix: F\n"
      "    category: plaintext-pii\n    severity: low\n    when: {value: x}\n",
      "t.yml:3:12: expected a string for 'title', found a sequence" },
    { "unknown category",
      "rules:\n  - id: r1\n    title: T\n    explain: E\n    fix: F\n"
      "    category: secrets\n    severity: low\n    when: {value: x}\n",
      "t.yml:6:15: unknown category 'secrets' (expected one of: " CATEGORY_NAMES ")" },
    { "unknown severity",
      "rules:\n  - id: r1\n    title: T\n    explain: E\n    fix: F\n"
      "    category: plaintext-pii\n    severity: urgent\n    when: {value: x}\n",
      "t.yml:7:15: unknown severity 'urgent' (expected one of: critical, high, medium, "
      "low, info)" },
    { "unknown scope", HEAD "    scope: table\n    when: {value: x}\n",
      "t.yml:8:12: unknown scope 'table' (expected one of: record, file, row)" },
    { "references not a list", HEAD "    references: http://x\n    when: {value: x}\n",
      "t.yml:8:17: expected a sequence for 'references', found a scalar" },
    { "when not a mapping", HEAD "    when: [value: x]\n",
      "t.yml:8:11: expected a mapping for 'when', found a sequence" },
    { "unknown detector", HEAD "    when: {regex: x}\n",
      "t.yml:8:12: unknown detector 'regex' (expected one of: " DETECTOR_NAMES ")" },
    { "condition with two keys", HEAD "    when: {value: x, field: y}\n",
      "t.yml:8:11: a condition has exactly one key, found 2" },
    { "condition with no key", HEAD "    when: {}\n",
      "t.yml:8:11: a condition has exactly one key, found 0" },
    { "empty all list", HEAD "    when: {all: []}\n",
      "t.yml:8:17: 'all' needs at least one condition" },
    { "any item not a mapping", HEAD "    when: {any: [value]}\n",
      "t.yml:8:18: expected a mapping for a condition in 'any', found a scalar" },
    { "not given a list", HEAD "    when: {not: [{value: x}]}\n",
      "t.yml:8:17: expected a mapping for 'not', found a sequence" },
    { "empty regex", HEAD "    when: {value: ''}\n", "t.yml:8:19: 'value' is empty" },
    { "empty keywords", HEAD "    when: {keywords: []}\n",
      "t.yml:8:22: 'keywords' needs at least one word" },
    { "empty keyword", HEAD "    when: {keywords: [a, '']}\n",
      "t.yml:8:26: empty keyword in 'keywords'" },
    { "bad hash name", HEAD "    when: {hash: [md5, crc32]}\n",
      "t.yml:8:24: unknown hash 'crc32' (expected one of: md5, sha1, sha256, sha512, "
      "bcrypt, argon2, scrypt, pbkdf2)" },
    { "bad media name", HEAD "    when: {media: pictures}\n",
      "t.yml:8:19: unknown media 'pictures' (expected one of: image, audio, video, any, "
      "jpeg, png, gif, webp, heic, wav, mp3, amr, ogg, m4a, mp4)" },
    { "media none", HEAD "    when: {media: none}\n",
      "t.yml:8:19: unknown media 'none' (expected one of: image, audio, video, any, "
      "jpeg, png, gif, webp, heic, wav, mp3, amr, ogg, m4a, mp4)" },
    { "bad format name", HEAD "    when: {format: xml}\n",
      "t.yml:8:20: unknown format 'xml' (expected one of: " FORMAT_NAMES ")" },
    { "bad beside name", HEAD "    when: {beside: [encrypted]}\n",
      "t.yml:8:21: unknown format 'encrypted' (expected one of: " FORMAT_NAMES ")" },
    { "bad mode name", HEAD "    when: {mode: world-readble}\n",
      "t.yml:8:18: unknown mode 'world-readble' (expected one of: world-readable, "
      "world-writable, group-writable)" },
    { "empty name list", HEAD "    when: {hash: []}\n",
      "t.yml:8:18: 'hash' needs at least one name" },
    { "bad boolean", HEAD "    when: {readable: maybe}\n",
      "t.yml:8:22: expected true or false for 'readable', found 'maybe'" },
    { "bad size", HEAD "    when: {size: -1}\n",
      "t.yml:8:18: expected a number for 'size', found '-1'" },
    { "size min above max", HEAD "    when: {size: {min: 9, max: 2}}\n",
      "t.yml:8:18: 'size' min is greater than max" },
    { "unknown size key", HEAD "    when: {size: {least: 9}}\n",
      "t.yml:8:19: unknown key 'least' (expected one of: min, max)" },
    { "record detector in a file-scope rule",
      HEAD "    scope: file\n    when:\n      all:\n        - mode: world-readable\n"
      "        - value: x\n",
      "t.yml:12:11: detector 'value' needs a record; not allowed in a file-scope rule" },
    { "examples not a mapping", HEAD "    when: {value: x}\n    examples: [a]\n",
      "t.yml:9:15: expected a mapping for 'examples', found a sequence" },
    { "unknown examples key", HEAD "    when: {value: x}\n    examples: {matches: []}\n",
      "t.yml:9:16: unknown key 'matches' (expected one of: match, no-match)" },
    { "unknown example key",
      HEAD "    when: {value: x}\n    examples:\n      match:\n        - {value: a, colour: b}\n",
      "t.yml:11:22: unknown key 'colour' (expected one of: " EXAMPLE_KEY_NAMES ")" },
    { "example without value",
      HEAD "    when: {value: x}\n    examples:\n      no-match:\n        - {field: a}\n",
      "t.yml:11:11: example needs 'value' for a record-scope rule" },
    { "example bad mode",
      HEAD "    when: {value: x}\n    examples:\n      match:\n        - {value: a, mode: 0999}\n",
      "t.yml:11:28: invalid mode '0999' (expected octal permission bits such as 0640)" },
    { "example bad media",
      HEAD "    when: {value: x}\n    examples:\n      match:\n        - {value: a, media: image}\n",
      "t.yml:11:29: unknown media 'image' (expected one of: jpeg, png, gif, webp, heic, "
      "wav, mp3, amr, ogg, m4a, mp4)" },
    { "example bad size",
      HEAD "    when: {value: x}\n    examples:\n      match:\n        - {value: a, size: big}\n",
      "t.yml:11:28: expected a number for 'size', found 'big'" },
    /* protection detectors */
    { "unknown cipher", HEAD "    when: {cipher: aes-ecb}\n",
      "t.yml:8:20: unknown cipher 'aes-ecb' (expected one of: " CIPHER_NAMES ")" },
    { "cipher none", HEAD "    when: {cipher: [openssl, none]}\n",
      "t.yml:8:30: unknown cipher 'none' (expected one of: " CIPHER_NAMES ")" },
    { "empty cipher list", HEAD "    when: {cipher: []}\n",
      "t.yml:8:20: 'cipher' needs at least one name" },
    { "cipher a mapping", HEAD "    when: {cipher: {kind: openssl}}\n",
      "t.yml:8:20: expected a name or a sequence of names for 'cipher', found a mapping" },
    { "bad weak-hash-params", HEAD "    when: {weak-hash-params: argon2}\n",
      "t.yml:8:30: expected true or false for 'weak-hash-params', found 'argon2'" },
    { "bad repeated-blocks", HEAD "    when: {repeated-blocks: 2}\n",
      "t.yml:8:29: expected true or false for 'repeated-blocks', found '2'" },
    { "bad nonce-reuse", HEAD "    when: {nonce-reuse: [true]}\n",
      "t.yml:8:25: expected a string for 'nonce-reuse', found a sequence" },
    { "weak-hash-params in a file-scope rule",
      HEAD "    scope: file\n    when:\n      all:\n        - cipher: openssl\n"
      "        - weak-hash-params: true\n",
      "t.yml:12:11: detector 'weak-hash-params' needs a record; not allowed in a file-scope rule" },
    { "weak-hash-params with a row detector",
      HEAD "    when:\n      all:\n        - subject: parent\n        - weak-hash-params: true\n",
      "t.yml:11:11: detector 'weak-hash-params' cannot be combined with row detectors "
      "(subject, age-under, identified)" },
    { "example unknown cipher",
      HEAD "    when: {cipher: openssl}\n    examples:\n      match:\n"
      "        - {cipher: aes}\n",
      "t.yml:11:20: unknown cipher 'aes' (expected one of: " CIPHER_NAMES ")" },
    { "example cipher list",
      HEAD "    when: {cipher: openssl}\n    examples:\n      match:\n"
      "        - {cipher: [openssl]}\n",
      "t.yml:11:20: expected a string for 'cipher', found a sequence" },
    { "example bad repeated-blocks",
      HEAD "    when: {repeated-blocks: true}\n    examples:\n      match:\n"
      "        - {repeated-blocks: often}\n",
      "t.yml:11:29: expected true or false for 'repeated-blocks', found 'often'" },
    { "example bad nonce-reuse",
      HEAD "    when: {nonce-reuse: true}\n    examples:\n      match:\n"
      "        - {nonce-reuse: 1}\n",
      "t.yml:11:25: expected true or false for 'nonce-reuse', found '1'" },
    { "echoed text is clipped and cleaned", "\"bad\\nkey\": 1\n",
      "t.yml:1:1: unknown key 'bad?key' (expected one of: " TOP_KEY_NAMES ")" },
    /* row and date detectors */
    { "older-than zero", HEAD "    when: {older-than: 0}\n",
      "t.yml:8:24: expected a number from 1 to 36500 for 'older-than', found '0'" },
    { "older-than too long", HEAD "    when: {older-than: 36501}\n",
      "t.yml:8:24: expected a number from 1 to 36500 for 'older-than', found '36501'" },
    { "older-than with a unit", HEAD "    when: {older-than: 30d}\n",
      "t.yml:8:24: expected a number from 1 to 36500 for 'older-than', found '30d'" },
    { "older-than a list", HEAD "    when: {older-than: [30]}\n",
      "t.yml:8:24: expected a string for 'older-than', found a sequence" },
    { "unknown subject", HEAD "    when: {subject: [child, kid]}\n",
      "t.yml:8:29: unknown subject 'kid' (expected one of: child, parent)" },
    { "empty subject list", HEAD "    when: {subject: []}\n",
      "t.yml:8:21: 'subject' needs at least one name" },
    { "age-under zero", HEAD "    when: {age-under: 0}\n",
      "t.yml:8:23: expected a number from 1 to 150 for 'age-under', found '0'" },
    { "age-under too old", HEAD "    when: {age-under: 151}\n",
      "t.yml:8:23: expected a number from 1 to 150 for 'age-under', found '151'" },
    { "age-under negative", HEAD "    when: {age-under: -3}\n",
      "t.yml:8:23: expected a number from 1 to 150 for 'age-under', found '-3'" },
    { "unknown age name", HEAD "    when: {age-under: teen}\n",
      "t.yml:8:23: unknown age threshold 'teen' (define it under ages:)" },
    { "age name is case-sensitive", "ages: {coppa: 13}\n" HEAD "    when: {age-under: COPPA}\n",
      "t.yml:9:23: unknown age threshold 'COPPA' (define it under ages:)" },
    { "bad identified", HEAD "    when: {identified: maybe}\n",
      "t.yml:8:24: expected true or false for 'identified', found 'maybe'" },
    /* scopes */
    { "row detector then record detector",
      HEAD "    when:\n      all:\n        - subject: child\n        - value: x\n",
      "t.yml:11:11: detector 'value' cannot be combined with row detectors "
      "(subject, age-under, identified)" },
    { "record detector then row detector",
      HEAD "    when:\n      any:\n        - older-than: 5\n        - not: {identified: true}\n",
      "t.yml:10:11: detector 'older-than' cannot be combined with row detectors "
      "(subject, age-under, identified)" },
    { "row detector in a file-scope rule",
      HEAD "    scope: file\n    when:\n      all:\n        - path: x\n"
      "        - age-under: 13\n",
      "t.yml:12:11: detector 'age-under' needs a row; not allowed in a file-scope rule" },
    { "row detector in a record-scope rule",
      HEAD "    scope: record\n    when: {not: {subject: parent}}\n",
      "t.yml:9:18: detector 'subject' needs a row; not allowed in a record-scope rule" },
    { "record detector in a row-scope rule",
      HEAD "    scope: row\n    when: {all: [{media: image}, {readable: true}]}\n",
      "t.yml:9:35: detector 'readable' needs a record; not allowed in a row-scope rule" },
    /* row-scope examples */
    { "row example key in a record rule",
      HEAD "    when: {value: x}\n    examples:\n      match:\n        - {value: a, age: 3}\n",
      "t.yml:11:22: only row-scope rules take 'subject', 'age' and 'identified' examples" },
    { "row example key in a file rule",
      HEAD "    when: {path: x}\n    examples:\n      no-match:\n"
      "        - {identified: true, subject: child}\n",
      "t.yml:11:12: only row-scope rules take 'subject', 'age' and 'identified' examples" },
    { "example age too old",
      HEAD "    when: {subject: child}\n    examples:\n      match:\n        - {age: 151}\n",
      "t.yml:11:17: expected a number from 0 to 150 for 'age', found '151'" },
    { "example subject list",
      HEAD "    when: {subject: child}\n    examples:\n      match:\n"
      "        - {subject: [child]}\n",
      "t.yml:11:21: expected a string for 'subject', found a sequence" },
    { "example unknown subject",
      HEAD "    when: {subject: child}\n    examples:\n      match:\n"
      "        - {subject: adult}\n",
      "t.yml:11:21: unknown subject 'adult' (expected one of: child, parent)" },
    { "example bad identified",
      HEAD "    when: {subject: child}\n    examples:\n      match:\n"
      "        - {identified: 1}\n",
      "t.yml:11:24: expected true or false for 'identified', found '1'" },
    /* subjects */
    { "subjects not a mapping", "subjects: [kids]\n",
      "t.yml:1:11: expected a mapping for 'subjects', found a sequence" },
    { "unknown key in subjects", "subjects: {kids: {tables: x}}\n",
      "t.yml:1:12: unknown key 'kids' (expected one of: children, parents, country)" },
    { "unknown key in children", "subjects:\n  children:\n    table: kids\n",
      "t.yml:3:5: unknown key 'table' (expected one of: tables, birthdate, identifying, "
      "created, link)" },
    { "unknown key in parents", "subjects:\n  parents: {tables: u, email: e}\n",
      "t.yml:2:24: unknown key 'email' (expected one of: tables, id, contact)" },
    { "empty subjects", "subjects: {}\n",
      "t.yml:1:11: 'subjects' needs at least one of: children, parents, country" },
    { "empty children", "subjects: {children: {}}\n",
      "t.yml:1:22: 'children' needs at least one of: tables, birthdate, identifying, "
      "created, link" },
    { "empty subject regex", "subjects: {country: ''}\n", "t.yml:1:21: 'country' is empty" },
    { "subject regex not a string", "subjects: {parents: {id: [a]}}\n",
      "t.yml:1:26: expected a string for 'id', found a sequence" },
    /* countries */
    { "countries not a list", "countries: {US: [US]}\n",
      "t.yml:1:12: expected a sequence for 'countries', found a mapping" },
    { "country not a mapping", "countries: [US]\n",
      "t.yml:1:13: expected a mapping for a country, found a scalar" },
    { "country without name", "countries:\n  - {codes: [US]}\n",
      "t.yml:2:5: missing required key 'name'" },
    { "country without codes", "countries:\n  - {name: US}\n",
      "t.yml:2:5: missing required key 'codes'" },
    { "country with no codes", "countries:\n  - {name: US, codes: []}\n",
      "t.yml:2:23: 'codes' needs at least one code" },
    { "empty country name", "countries:\n  - {name: '', codes: [X]}\n",
      "t.yml:2:12: 'name' is empty" },
    { "unknown country key", "countries:\n  - {name: US, code: [US]}\n",
      "t.yml:2:16: unknown key 'code' (expected one of: name, codes, fallback)" },
    { "duplicate country", "countries:\n  - {name: France, codes: [FR]}\n"
      "  - {name: france, codes: [FX]}\n",
      "t.yml:3:12: duplicate country 'france' (first defined at t.yml:2:5)" },
    { "code in two countries", "countries:\n  - {name: France, codes: [FR]}\n"
      "  - {name: Belgium, codes: [BE, fr]}\n",
      "t.yml:3:33: code 'fr' already belongs to country 'France'" },
    { "code twice in one country", "countries:\n  - {name: France, codes: [FR, FRA, fr]}\n",
      "t.yml:2:37: code 'fr' already belongs to country 'France'" },
    { "padded code", "countries:\n  - {name: US, codes: [' US']}\n",
      "t.yml:2:24: code ' US' starts or ends with a space or a quote" },
    { "empty code", "countries:\n  - {name: US, codes: [US, \"\"]}\n",
      "t.yml:2:28: 'codes' is empty" },
    { "two fallback groups", "countries:\n  - {name: Other, fallback: true}\n"
      "  - {name: Rest, fallback: yes}\n",
      "t.yml:3:28: a fallback country group is already defined at t.yml:2:5" },
    { "bad fallback", "countries:\n  - {name: Other, fallback: maybe}\n",
      "t.yml:2:29: expected true or false for 'fallback', found 'maybe'" },
    /* ages */
    { "ages not a mapping", "ages: [13]\n",
      "t.yml:1:7: expected a mapping for 'ages', found a sequence" },
    { "age zero", "ages: {coppa: 0}\n",
      "t.yml:1:15: expected a number from 1 to 150 for 'coppa', found '0'" },
    { "age too old", "ages:\n  minor: 151\n",
      "t.yml:2:10: expected a number from 1 to 150 for 'minor', found '151'" },
    { "age in words", "ages:\n  minor: eighteen\n",
      "t.yml:2:10: expected a number from 1 to 150 for 'minor', found 'eighteen'" },
    { "bad age name", "ages: {COPPA: 13}\n",
      "t.yml:1:8: invalid age threshold name 'COPPA' (use a-z, 0-9, '.', '_' and '-', "
      "starting with a letter or digit, not only digits)" },
    { "numeric age name", "ages: {13: 13}\n",
      "t.yml:1:8: invalid age threshold name '13' (use a-z, 0-9, '.', '_' and '-', "
      "starting with a letter or digit, not only digits)" },
    { "age name twice in a file", "ages: {coppa: 13, coppa: 12}\n",
      "t.yml:1:19: duplicate age threshold 'coppa' (first defined at t.yml:1:8)" },
    /* escalations */
    { "escalations not a list", "escalations: {id: e1}\n",
      "t.yml:1:14: expected a sequence for 'escalations', found a mapping" },
    { "escalation without reason", "escalations:\n  - {id: e1, path: x}\n",
      "t.yml:2:5: missing required key 'reason'" },
    { "escalation without path", "escalations:\n  - {id: e1, reason: r}\n",
      "t.yml:2:5: missing required key 'path'" },
    { "escalation raise zero", "escalations:\n  - {id: e1, path: x, raise: 0, reason: r}\n",
      "t.yml:2:30: expected a number from 1 to 4 for 'raise', found '0'" },
    { "escalation raise five", "escalations:\n  - {id: e1, path: x, raise: 5, reason: r}\n",
      "t.yml:2:30: expected a number from 1 to 4 for 'raise', found '5'" },
    { "escalation bad id", "escalations:\n  - {id: E1, path: x, reason: r}\n",
      "t.yml:2:10: invalid escalation id 'E1' (use a-z, 0-9, '.', '_' and '-', "
      "starting with a letter or digit)" },
    { "escalation id twice", "escalations:\n  - {id: e1, path: x, reason: r}\n"
      "  - {id: e1, path: y, reason: r}\n",
      "t.yml:3:10: duplicate escalation id 'e1' (first defined at t.yml:2:5)" },
    { "escalation unknown category",
      "escalations:\n  - {id: e1, path: x, categories: [child-record, kids], reason: r}\n",
      "t.yml:2:50: unknown category 'kids' (expected one of: " CATEGORY_NAMES ")" },
    { "escalation reason on two lines",
      "escalations:\n  - {id: e1, path: x, reason: \"a\\nb\"}\n",
      "t.yml:2:31: 'reason' must be one line" },
    { "escalation empty path", "escalations:\n  - {id: e1, path: '', reason: r}\n",
      "t.yml:2:20: 'path' is empty" },
    { "escalation unknown key", "escalations:\n  - {id: e1, path: x, reason: r, level: 2}\n",
      "t.yml:2:34: unknown key 'level' (expected one of: id, path, categories, raise, "
      "reason)" },
};

static void test_bad_case(void **state)
{
    const bad_case *bc = *state;
    ps_ruleset *rs;
    ps_diag d = { "" };

    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    assert_int_equal(load_str(rs, "t.yml", bc->yaml, &d), PS_ERR_RULE);
    assert_string_equal(d.msg, bc->diag);
    /* a failed file leaves nothing behind */
    assert_int_equal(rs->nrules, 0);
    assert_int_equal(rs->nconds, 0);
    assert_int_equal(rs->npatterns, 0);
    assert_int_equal(rs->nchildren, 0);
    assert_int_equal(rs->ncountries, 0);
    assert_int_equal(rs->nages, 0);
    assert_int_equal(rs->nescalations, 0);
    assert_false(rs->subjects.present);
    assert_true(rs->subjects.child_tables == UINT32_MAX);
    assert_true(rs->subjects.country == UINT32_MAX);
    ps_ruleset_destroy(rs);
}

/* --- people sections, row and date detectors ----------------------------- */

static void test_people_pack(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char path[1024];
    const ps_cond *c;
    const ps_rule *r;
    const ps_example *ex;
    const ps_subjects *sj = &rs->subjects;

    data_path(path, sizeof(path), "people.yml");
    assert_int_equal(ps_rules_load_path(rs, path, &d), PS_OK);
    assert_string_equal(d.msg, "");
    assert_int_equal(rs->nrules, 3);
    assert_int_equal(rs->nconds, 13);
    /* rules first (path, field), then subjects (9), then escalations (2) */
    assert_int_equal(rs->npatterns, 13);
    c = rs->conds;

    /* ages: read before the rules that use them */
    assert_int_equal(rs->nages, 2);
    assert_string_equal(rs->ages[0].name, "coppa");
    assert_int_equal(rs->ages[0].years, 13);
    assert_loc(rs->ages[0].at, path, 71, 3);
    assert_string_equal(rs->ages[1].name, "gdpr-art8");
    assert_int_equal(rs->ages[1].years, 16);

    /* rule 1: row detectors with a file detector, scope inferred as row */
    r = &rs->rules[0];
    assert_string_equal(r->id, "child.identified-minor");
    assert_int_equal(r->scope, PS_SCOPE_ROW);
    assert_int_equal(r->category, PS_CAT_CHILD_RECORD);
    assert_false(r->uses_date);
    assert_int_equal(r->cond, 4);
    assert_int_equal(c[0].kind, PS_COND_SUBJECT);
    assert_int_equal(c[0].mask, PS_SUBJECT_CHILD);
    assert_loc(c[0].at, path, 15, 11);
    assert_int_equal(c[1].kind, PS_COND_AGE_UNDER);
    assert_int_equal(c[1].min, 13);
    assert_loc(c[1].at, path, 16, 11);
    assert_int_equal(c[2].kind, PS_COND_IDENTIFIED);
    assert_true(c[2].flag);
    assert_int_equal(c[3].kind, PS_COND_PATH);
    assert_pattern(rs, c[3].pattern, PS_TARGET_PATH, 0, "\\.sql$");
    assert_int_equal(c[4].kind, PS_COND_ALL);
    assert_kids(rs, 4, (const uint32_t[]){ 0, 1, 2, 3 }, 4);
    /* row examples: no value needed; unset facts keep their defaults */
    assert_int_equal(r->nexamples, 3);
    ex = &r->examples[0];
    assert_true(ex->expect_match);
    assert_int_equal(ex->subject, PS_SUBJECT_CHILD);
    assert_int_equal(ex->age, 9);
    assert_true(ex->identified);
    assert_string_equal(ex->path, "db.sql");
    assert_string_equal(ex->value, "");
    assert_int_equal(ex->value_len, 0);
    ex = &r->examples[1];
    assert_false(ex->expect_match);
    assert_int_equal(ex->age, 14);
    ex = &r->examples[2];
    assert_int_equal(ex->subject, 0);
    assert_int_equal(ex->age, -1);
    assert_false(ex->identified);
    assert_string_equal(ex->field, "");
    assert_int_equal(ex->mode, 0640);

    /* rule 2: a retention rule is a record rule that tracks dates */
    r = &rs->rules[1];
    assert_string_equal(r->id, "retention.chat");
    assert_int_equal(r->scope, PS_SCOPE_RECORD);
    assert_int_equal(r->category, PS_CAT_RETENTION_EXCEEDED);
    assert_true(r->uses_date);
    assert_int_equal(c[5].kind, PS_COND_FIELD);
    assert_pattern(rs, c[5].pattern, PS_TARGET_FIELD, 0, "(?i)^created(_at)?$");
    assert_int_equal(c[6].kind, PS_COND_OLDER_THAN);
    assert_int_equal(c[6].min, 30);
    assert_loc(c[6].at, path, 35, 11);
    assert_int_equal(r->cond, 7);

    /* rule 3: explicit row scope; lists, numbers, booleans */
    r = &rs->rules[2];
    assert_int_equal(r->scope, PS_SCOPE_ROW);
    assert_false(r->uses_date);
    assert_int_equal(c[8].mask, PS_SUBJECT_CHILD | PS_SUBJECT_PARENT);
    assert_int_equal(c[9].min, 16);
    assert_int_equal(c[10].kind, PS_COND_IDENTIFIED);
    assert_false(c[10].flag);
    assert_int_equal(c[11].kind, PS_COND_FORMAT);
    assert_kids(rs, 12, (const uint32_t[]){ 8, 9, 10, 11 }, 4);

    /* subjects: every regex a field pattern at its own place */
    assert_true(sj->present);
    assert_int_equal(sj->child_tables, 2);
    assert_pattern(rs, sj->child_tables, PS_TARGET_FIELD, 0, "(?i)^(kids|children|profiles)$");
    assert_loc(rs->patterns[sj->child_tables].at, path, 51, 13);
    assert_pattern(rs, sj->child_birthdate, PS_TARGET_FIELD, 0, "(?i)^(birth_?date|dob)$");
    assert_pattern(rs, sj->child_identifying, PS_TARGET_FIELD, 0,
                   "(?i)^(name|nickname|username|photo)$");
    assert_pattern(rs, sj->child_created, PS_TARGET_FIELD, 0, "(?i)^created(_at)?$");
    assert_pattern(rs, sj->child_link, PS_TARGET_FIELD, 0, "(?i)^(parent_id|account_id)$");
    assert_pattern(rs, sj->parent_tables, PS_TARGET_FIELD, 0, "(?i)^(users|accounts|parents)$");
    assert_pattern(rs, sj->parent_id, PS_TARGET_FIELD, 0, "(?i)^(id|user_id)$");
    assert_pattern(rs, sj->parent_contact, PS_TARGET_FIELD, 0, "(?i)^(email|phone|address)$");
    assert_pattern(rs, sj->country, PS_TARGET_FIELD, 0, "(?i)^(country|country_code)$");
    assert_loc(rs->patterns[sj->country].at, path, 60, 12);

    /* countries, and the lookup that uses them */
    assert_int_equal(rs->ncountries, 3);
    assert_string_equal(rs->countries[0].name, "US");
    assert_int_equal(rs->countries[0].ncodes, 3);
    assert_string_equal(rs->countries[0].codes[2], "United States");
    assert_false(rs->countries[0].fallback);
    assert_loc(rs->countries[0].at, path, 63, 5);
    assert_string_equal(rs->countries[1].name, "France");
    assert_int_equal(rs->countries[1].ncodes, 2);
    assert_string_equal(rs->countries[2].name, "Other");
    assert_int_equal(rs->countries[2].ncodes, 0);
    assert_true(rs->countries[2].fallback);
    assert_int_equal(ps_ruleset_country(rs, " united states ", 15), 0);
    assert_int_equal(ps_ruleset_country(rs, "fra", 3), 1);
    assert_int_equal(ps_ruleset_country(rs, "JP", 2), 2);
    assert_int_equal(ps_ruleset_country(rs, "", 0), -1);

    /* escalations */
    assert_int_equal(rs->nescalations, 2);
    assert_string_equal(rs->escalations[0].id, "people.escalate.non-production");
    assert_pattern(rs, rs->escalations[0].path, PS_TARGET_PATH, 0,
                   "(?i)(^|/)(test|staging|dev)(/|$)");
    assert_int_equal(rs->escalations[0].categories,
                     BIT(PS_CAT_PLAINTEXT_PII) | BIT(PS_CAT_CHILD_RECORD));
    assert_int_equal(rs->escalations[0].raise, 2);
    assert_string_equal(rs->escalations[0].reason, "Personal data in a test or staging copy.");
    assert_loc(rs->escalations[0].at, path, 75, 5);
    /* defaults: every category, one level */
    assert_int_equal(rs->escalations[1].categories, 0);
    assert_int_equal(rs->escalations[1].raise, 1);
    assert_int_equal(rs->escalations[1].path, 12);
}

static void assert_subjects_equal(const ps_subjects *a, const ps_subjects *b)
{
    assert_int_equal(a->present, b->present);
    assert_int_equal(a->child_tables, b->child_tables);
    assert_int_equal(a->child_birthdate, b->child_birthdate);
    assert_int_equal(a->child_identifying, b->child_identifying);
    assert_int_equal(a->child_created, b->child_created);
    assert_int_equal(a->child_link, b->child_link);
    assert_int_equal(a->parent_tables, b->parent_tables);
    assert_int_equal(a->parent_id, b->parent_id);
    assert_int_equal(a->parent_contact, b->parent_contact);
    assert_int_equal(a->country, b->country);
}

/* Without subjects the ruleset keeps every slot unset. */
static void test_no_subjects(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };

    assert_int_equal(load_str(rs, "t.yml", "rules: []\n", &d), PS_OK);
    assert_false(rs->subjects.present);
    assert_true(rs->subjects.child_tables == UINT32_MAX);
    assert_true(rs->subjects.country == UINT32_MAX);
}

/* A file may hold only people sections; its ages serve later files. */
static void test_sections_without_rules(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };

    assert_int_equal(load_str(rs, "people.yml",
                              "ages: {teen: 18}\n"
                              "countries: [{name: Japan, codes: [JP]}]\n", &d), PS_OK);
    assert_int_equal(rs->nrules, 0);
    assert_int_equal(rs->nages, 1);
    assert_int_equal(rs->ncountries, 1);
    assert_int_equal(load_str(rs, "b.yml", HEAD "    when: {age-under: teen}\n", &d), PS_OK);
    assert_int_equal(rs->conds[rs->rules[0].cond].kind, PS_COND_AGE_UNDER);
    assert_int_equal(rs->conds[rs->rules[0].cond].min, 18);
    assert_int_equal(rs->rules[0].scope, PS_SCOPE_ROW);
}

/* uses_date: any older-than below the root, even under not. */
static void test_uses_date(void **state)
{
    static const struct { const char *when; bool uses_date; ps_scope scope; } cases[] = {
        { "{older-than: 1}", true, PS_SCOPE_RECORD },
        { "{not: {older-than: 36500}}", true, PS_SCOPE_RECORD },
        { "{any: [{value: x}, {all: [{path: y}, {older-than: 7}]}]}", true, PS_SCOPE_RECORD },
        { "{value: x}", false, PS_SCOPE_RECORD },
        { "{path: x}", false, PS_SCOPE_FILE },
        { "{not: {identified: true}}", false, PS_SCOPE_ROW },
    };
    ps_diag d = { "" };
    ps_buf b;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ps_ruleset *rs;

        assert_int_equal(ps_ruleset_create(&rs), PS_OK);
        ps_buf_init(&b, 4096);
        assert_int_equal(ps_buf_printf(&b, HEAD "    when: %s\n", cases[i].when), PS_OK);
        assert_int_equal(ps_rules_load_buffer(rs, "t.yml", b.data, b.len, &d), PS_OK);
        assert_int_equal(rs->rules[0].uses_date, cases[i].uses_date);
        assert_int_equal(rs->rules[0].scope, cases[i].scope);
        ps_buf_free(&b);
        ps_ruleset_destroy(rs);
    }
}

/* A file that fails after its people sections leaves none of them behind. */
static void test_people_rollback(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    ps_subjects before;

    assert_int_equal(load_str(rs, "a.yml",
                              "ages: {coppa: 13}\n"
                              "countries: [{name: US, codes: [US]}]\n"
                              "escalations: [{id: e1, path: x, reason: r}]\n"
                              "rules: []\n", &d), PS_OK);
    before = rs->subjects;
    assert_int_equal(load_str(rs, "b.yml",
                              "ages: {minor: 18}\n"
                              "subjects: {children: {tables: kids}, country: land}\n"
                              "countries: [{name: France, codes: [FR]}, {name: Other, fallback: true}]\n"
                              "escalations: [{id: e2, path: y, reason: r}]\n"
                              "rules:\n"
                              "  - {id: ok, title: t, explain: e, fix: f, category: plaintext-pii,\n"
                              "     severity: info, when: {age-under: minor}}\n"
                              "  - {id: bad, title: t, explain: e, fix: f, category: plaintext-pii,\n"
                              "     severity: info, when: {age-under: senior}}\n", &d),
                     PS_ERR_RULE);
    assert_string_equal(d.msg, "b.yml:9:40: unknown age threshold 'senior' (define it under ages:)");
    assert_int_equal(rs->nrules, 0);
    assert_int_equal(rs->nages, 1);
    assert_int_equal(rs->ncountries, 1);
    assert_int_equal(rs->nescalations, 1);
    assert_int_equal(rs->npatterns, 1);
    assert_false(rs->subjects.present);
    assert_subjects_equal(&rs->subjects, &before);
    /* the same names are free again */
    assert_int_equal(load_str(rs, "c.yml",
                              "ages: {minor: 18}\n"
                              "subjects: {country: land}\n"
                              "countries: [{name: France, codes: [FR]}]\n"
                              "escalations: [{id: e2, path: y, reason: r}]\n", &d), PS_OK);
    assert_true(rs->subjects.present);
    assert_int_equal(rs->nages, 2);
}

/* Mistakes that need two files: the second one fails and changes nothing. */
typedef struct two_file_case {
    const char *name;
    const char *first;
    const char *second;
    const char *diag;
} two_file_case;

static const two_file_case two_file_cases[] = {
    { "subjects twice",
      "rules: []\nsubjects:\n  parents: {id: '^id$'}\n  children: {link: '^parent_id$'}\n",
      "subjects: {country: x}\n",
      "b.yml:1:1: subjects already defined at a.yml:2:1" },
    { "country name twice", "countries: [{name: France, codes: [FR]}]\n",
      "countries:\n  - {name: FRANCE, codes: [FX]}\n",
      "b.yml:2:12: duplicate country 'FRANCE' (first defined at a.yml:1:13)" },
    { "code in two files", "countries: [{name: France, codes: [FR]}]\n",
      "countries:\n  - {name: Belgium, codes: [BE, fr]}\n",
      "b.yml:2:33: code 'fr' already belongs to country 'France'" },
    { "two fallback groups", "countries: [{name: Other, fallback: true}]\n",
      "countries:\n  - {name: Rest, fallback: yes}\n",
      "b.yml:2:28: a fallback country group is already defined at a.yml:1:13" },
    { "age threshold twice", "ages: {coppa: 13}\n", "ages:\n  coppa: 12\n",
      "b.yml:2:3: duplicate age threshold 'coppa' (first defined at a.yml:1:8)" },
    { "escalation id twice", "escalations: [{id: e1, path: x, reason: r}]\n",
      "escalations:\n  - {id: e1, path: y, reason: r}\n",
      "b.yml:2:10: duplicate escalation id 'e1' (first defined at a.yml:1:15)" },
};

static void test_two_file_case(void **state)
{
    const two_file_case *tc = *state;
    ps_ruleset *rs;
    ps_diag d = { "" };
    size_t nrules, npatterns, ncountries, nages, nescalations;
    ps_subjects sj;

    assert_int_equal(ps_ruleset_create(&rs), PS_OK);
    assert_int_equal(load_str(rs, "a.yml", tc->first, &d), PS_OK);
    nrules = rs->nrules;
    npatterns = rs->npatterns;
    ncountries = rs->ncountries;
    nages = rs->nages;
    nescalations = rs->nescalations;
    sj = rs->subjects;
    assert_int_equal(load_str(rs, "b.yml", tc->second, &d), PS_ERR_RULE);
    assert_string_equal(d.msg, tc->diag);
    assert_int_equal(rs->nrules, nrules);
    assert_int_equal(rs->npatterns, npatterns);
    assert_int_equal(rs->ncountries, ncountries);
    assert_int_equal(rs->nages, nages);
    assert_int_equal(rs->nescalations, nescalations);
    assert_subjects_equal(&rs->subjects, &sj);
    ps_ruleset_destroy(rs);
}

/* --- limits and hostile input -------------------------------------------- */

static void test_billion_laughs(void **state)
{
    static const char bomb[] =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
        "rules: *i\n";
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    clock_t t0 = clock();

    assert_int_equal(load_str(rs, "bomb.yml", bomb, &d), PS_ERR_RULE);
    assert_string_equal(d.msg, "bomb.yml:1:4: YAML aliases are not allowed");
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
}

/* Nesting: 64 levels of conditions load, 65 do not. */
static void test_condition_depth(void **state)
{
    ps_ruleset *rs;
    ps_diag d = { "" };
    ps_buf b;
    char want[128];

    (void)state;
    for (int levels = 64; levels <= 65; levels++) {
        assert_int_equal(ps_ruleset_create(&rs), PS_OK);
        ps_buf_init(&b, 1 << 16);
        assert_int_equal(ps_buf_printf(&b, "%s", HEAD "    when: "), PS_OK);
        for (int i = 1; i < levels; i++)
            assert_int_equal(ps_buf_printf(&b, "{not: "), PS_OK);
        assert_int_equal(ps_buf_printf(&b, "{value: x}"), PS_OK);
        for (int i = 1; i < levels; i++)
            assert_int_equal(ps_buf_putc(&b, '}'), PS_OK);
        assert_int_equal(ps_buf_putc(&b, '\n'), PS_OK);
        if (levels == 64) {
            assert_int_equal(ps_rules_load_buffer(rs, "t.yml", b.data, b.len, &d), PS_OK);
            assert_int_equal(rs->nconds, 64);
        } else {
            assert_int_equal(ps_rules_load_buffer(rs, "u.yml", b.data, b.len, &d),
                             PS_ERR_RULE);
            /* the 65th mapping: after "    when: " and 64 "{not: " */
            snprintf(want, sizeof(want),
                     "u.yml:8:%d: conditions nested deeper than 64 levels", 11 + 64 * 6);
            assert_string_equal(d.msg, want);
        }
        ps_buf_free(&b);
        ps_ruleset_destroy(rs);
    }
}

/* Raw YAML nesting is capped too, before any rule is looked at. */
static void test_yaml_depth(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char deep[300 * 2 + 2];

    memset(deep, '[', 300);
    memset(deep + 300, ']', 300);
    deep[600] = '\n';
    deep[601] = '\0';
    assert_int_equal(load_str(rs, "deep.yml", deep, &d), PS_ERR_RULE);
    assert_string_equal(d.msg, "deep.yml:1:257: YAML nested deeper than 256 levels");
}

static void test_buffer_too_large(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    size_t n = 4u * 1024 * 1024 + 1;
    char *big = malloc(n);

    assert_non_null(big);
    memset(big, '#', n);
    assert_int_equal(ps_rules_load_buffer(rs, "big.yml", big, n, &d), PS_ERR_RULE);
    assert_string_equal(d.msg, "big.yml: file too large (the limit is 4 MiB)");
    free(big);
}

static void test_file_too_large(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char path[] = "/tmp/ps-test-rules-XXXXXX";
    char want[600];
    char chunk[4096];
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    memset(chunk, '#', sizeof(chunk));
    for (int i = 0; i < 1025; i++)
        assert_int_equal(write(fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
    close(fd);
    assert_int_equal(ps_rules_load_path(rs, path, &d), PS_ERR_RULE);
    snprintf(want, sizeof(want), "%s: file too large (the limit is 4 MiB)", path);
    assert_string_equal(d.msg, want);
    unlink(path);
}

static void test_missing_path(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };

    assert_int_equal(ps_rules_load_path(rs, "/nonexistent/rules.yml", &d), PS_ERR_IO);
    assert_string_equal(d.msg, "/nonexistent/rules.yml: No such file or directory");
}

/* --- several files ------------------------------------------------------- */

static void test_directory(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char path[1024], first[1100];

    data_path(path, sizeof(path), "dir");
    assert_int_equal(ps_rules_load_path(rs, path, &d), PS_OK);
    /* sorted by name; .hidden.yml, README.txt and *.bak are not read */
    assert_int_equal(rs->nrules, 2);
    assert_string_equal(rs->rules[0].id, "a");
    assert_string_equal(rs->rules[0].pack, "first");
    assert_string_equal(rs->rules[1].id, "b");
    assert_string_equal(rs->rules[1].pack, "20-b");
    snprintf(first, sizeof(first), "%s/10-a.yaml", path);
    assert_loc(rs->rules[0].at, first, 3, 5);
}

static void test_directory_without_rules(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    char dir[128];
    char sub[160], want[224];

    assert_int_equal(ps_scratch_make(dir, sizeof(dir), "test_rules"), 0);
    /* a folder named like a rule file is not a rule file */
    snprintf(sub, sizeof(sub), "%s/x.yml", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(ps_rules_load_path(rs, dir, &d), PS_ERR_RULE);
    snprintf(want, sizeof(want), "%s: no rule files (*.yml) found", dir);
    assert_string_equal(d.msg, want);
    assert_int_equal(ps_scratch_remove(dir), 0);
}

static void test_duplicate_id_across_files(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };

    assert_int_equal(load_str(rs, "a.yml", HEAD "    when: {value: x}\n", &d), PS_OK);
    assert_int_equal(load_str(rs, "b.yml", HEAD "    when: {value: x}\n", &d), PS_ERR_RULE);
    assert_string_equal(d.msg, "b.yml:2:9: duplicate rule id 'r1' (first defined at a.yml:2:5)");
    assert_int_equal(rs->nrules, 1);
}

/* A file that fails half-way leaves the rules of earlier files intact. */
static void test_failed_file_rolls_back(void **state)
{
    ps_ruleset *rs = *state;
    ps_diag d = { "" };
    size_t nconds, npatterns, nchildren;

    assert_int_equal(load_str(rs, "a.yml", HEAD "    when: {all: [{value: x}, {field: y}]}\n",
                              &d), PS_OK);
    nconds = rs->nconds;
    npatterns = rs->npatterns;
    nchildren = rs->nchildren;
    assert_int_equal(load_str(rs, "b.yml",
                              "rules:\n"
                              "  - {id: ok, title: t, explain: e, fix: f, category: plaintext-pii,\n"
                              "     severity: info, when: {keywords: [p, q]}}\n"
                              "  - {id: bad, title: t, explain: e, fix: f, category: plaintext-pii,\n"
                              "     severity: info, when: {any: [{value: z}, {hash: nope}]}}\n",
                              &d), PS_ERR_RULE);
    assert_int_equal(rs->nrules, 1);
    assert_string_equal(rs->rules[0].id, "r1");
    assert_int_equal(rs->nconds, nconds);
    assert_int_equal(rs->npatterns, npatterns);
    assert_int_equal(rs->nchildren, nchildren);
    /* and the ruleset is still usable */
    assert_int_equal(load_str(rs, "c.yml",
                              "rules:\n"
                              "  - {id: ok, title: t, explain: e, fix: f, category: plaintext-pii,\n"
                              "     severity: info, when: {keywords: [p, q]}}\n", &d), PS_OK);
    assert_int_equal(rs->nrules, 2);
    assert_string_equal(rs->rules[1].pack, "c");
}

int main(void)
{
    enum {
        NBAD = sizeof(bad_cases) / sizeof(bad_cases[0]),
        NTWO = sizeof(two_file_cases) / sizeof(two_file_cases[0])
    };
    struct CMUnitTest tests[NBAD + NTWO + 24];
    size_t n = 0;

#define ADD(fn) tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(fn, setup_rs, teardown_rs)
    ADD(test_valid_pack);
    ADD(test_protection_pack);
    ADD(test_pack_defaults_to_stem);
    ADD(test_example_value_bytes);
    ADD(test_billion_laughs);
    ADD(test_condition_depth);
    ADD(test_yaml_depth);
    ADD(test_buffer_too_large);
    ADD(test_file_too_large);
    ADD(test_missing_path);
    ADD(test_directory);
    ADD(test_directory_without_rules);
    ADD(test_duplicate_id_across_files);
    ADD(test_failed_file_rolls_back);
    ADD(test_people_pack);
    ADD(test_no_subjects);
    ADD(test_sections_without_rules);
    ADD(test_uses_date);
    ADD(test_people_rollback);
#undef ADD
    for (size_t i = 0; i < NBAD; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_bad_case,
                                                                (void *)&bad_cases[i]);
        tests[n].name = bad_cases[i].name;
        n++;
    }
    for (size_t i = 0; i < NTWO; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_two_file_case,
                                                                (void *)&two_file_cases[i]);
        tests[n].name = two_file_cases[i].name;
        n++;
    }
    return _cmocka_run_group_tests("rules", tests, n, NULL, NULL);
}

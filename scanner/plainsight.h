/*
 * plainsight.h - the engine's public vocabulary: status codes, severities,
 * categories and the one call that runs a scan.
 *
 * The pipeline is walk -> sniff -> read -> match -> findings -> report.  Each
 * stage has its own header (walk.h, sniff.h, read.h, match.h, findings.h,
 * report.h); this file holds only what all of them share.
 *
 * Ownership: every create or load call has a matching destroy or free, and
 * destroying NULL is a no-op.  Pointers handed to callbacks are borrowed and
 * valid only for the duration of the call.
 */
#ifndef PS_PLAINSIGHT_H
#define PS_PLAINSIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define PS_WARN_UNUSED __attribute__((warn_unused_result))
#define PS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PS_NOINLINE __attribute__((noinline))
#define PS_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PS_WARN_UNUSED
#define PS_PRINTF(f, a)
#define PS_NOINLINE
#define PS_ALWAYS_INLINE inline
#endif

typedef enum ps_status {
    PS_OK = 0,
    PS_ERR_NOMEM,  /* allocation failed */
    PS_ERR_IO,     /* a read, open or stat failed */
    PS_ERR_USAGE,  /* bad command line or option value */
    PS_ERR_RULE,   /* a rule or config file is invalid */
    PS_ERR_FORMAT, /* input could not be parsed to its end */
    PS_ERR_LIMIT,  /* input hit a hard limit (record size, depth, ...) */
    PS_ERR_CRYPTO, /* a cryptographic operation failed */
    PS_ERR_STOP    /* a callback asked to stop; not a failure */
} ps_status;

const char *ps_strerror(ps_status st);

/* Ordered: a larger value is more severe, so thresholds compare with >=. */
typedef enum ps_severity {
    PS_SEV_INFO = 0,
    PS_SEV_LOW,
    PS_SEV_MEDIUM,
    PS_SEV_HIGH,
    PS_SEV_CRITICAL
} ps_severity;

#define PS_SEV_COUNT 5

const char *ps_severity_name(ps_severity sev);
/* Returns 0 and sets *out, or -1 when name is not a severity. */
int ps_severity_parse(const char *name, ps_severity *out);

/*
 * The fixed vocabulary every rule maps to.  Rules choose among these; they
 * cannot invent new ones, so reports and baselines stay comparable across
 * rule packs.
 */
typedef enum ps_category {
    PS_CAT_PLAINTEXT_MESSAGE = 0,
    PS_CAT_UNENCRYPTED_MEDIA,
    PS_CAT_CHILD_RECORD,
    PS_CAT_PLAINTEXT_PII,
    PS_CAT_WEAK_PASSWORD_HASH,
    PS_CAT_PLAINTEXT_PASSWORD,
    PS_CAT_PLAINTEXT_SECRET_ANSWER,
    PS_CAT_KEY_EXPOSURE,
    PS_CAT_INSECURE_PERMISSIONS,
    PS_CAT_PLAINTEXT_PAYMENT,
    PS_CAT_RETENTION_EXCEEDED,  /* kept longer than the stated policy */
    PS_CAT_WEAK_ENCRYPTION,     /* encrypted, but in a way that does not protect */
    PS_CAT_COUNT
} ps_category;

const char *ps_category_name(ps_category cat);
int ps_category_parse(const char *name, ps_category *out);

/*
 * A diagnostic: one line, "file:line:col: message" for rule errors or
 * "path: message" for data files.  Fixed size on purpose: diagnostics are
 * built on error paths, where allocating is the wrong thing to do.
 */
typedef struct ps_diag {
    char msg[512];
} ps_diag;

void ps_diag_set(ps_diag *d, const char *fmt, ...) PS_PRINTF(2, 3);
/* "file:line:col: message"; line and col are 1-based. */
void ps_diag_at(ps_diag *d, const char *file, unsigned long line,
                unsigned long col, const char *fmt, ...) PS_PRINTF(5, 6);

#endif /* PS_PLAINSIGHT_H */

/*
 * fuzz_baseline.c - the baseline reader (baseline.c): strict JSON of a key
 * and a list of fingerprints.
 *
 * ps_baseline_load takes a path, so the input goes into a memfd (or a
 * temporary file) and the loader opens it by name, as it would open
 * --baseline FILE; nothing is added to the library for fuzzing.
 *
 * Checks: a failure has a one-line, NUL-terminated diagnostic naming the
 * path, as baseline.h promises ("path: not a plainsight baseline: ...");
 * a loaded baseline answers lookups, counts no more fingerprints than the
 * input could hold (32 hex digits each), and knows its first one.
 */
#include "config.h"

#include <string.h>

#include "baseline.h"
#include "fuzz.h"
#include "util.h"

/*
 * The first fingerprint of a loaded (so valid) input: the string after the
 * member name "fingerprints".  Only trusted when the input has no
 * backslash (so no string hides an escaped quote or a \u-spelt name) and
 * the name occurs once (so it is the member, not a value).  Returns false
 * when that does not hold or the list is empty.
 */
static bool first_fp(const uint8_t *data, size_t size, unsigned char fp[PS_BASELINE_FP_BYTES])
{
    static const char key[] = "\"fingerprints\"";
    const size_t klen = sizeof(key) - 1;
    const uint8_t *p = NULL;
    size_t i, k, seen = 0;

    if (memchr(data, '\\', size) != NULL)
        return false;
    for (i = 0; i + klen <= size; i++) {
        if (memcmp(data + i, key, klen) == 0) {
            seen++;
            p = data + i + klen;
        }
    }
    if (seen != 1)
        return false;
    for (; p < data + size && *p != '"'; p++)
        if (*p == ']')
            return false;
    if ((size_t)(data + size - p) < 34 || p[33] != '"')
        return false;
    for (k = 0; k < PS_BASELINE_FP_BYTES; k++) {
        int hi = ps_hex_digit((unsigned char)p[1 + 2 * k]), lo = ps_hex_digit((unsigned char)p[2 + 2 * k]);

        if (hi < 0 || lo < 0)
            return false;
        fp[k] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char fp[PS_BASELINE_FP_BYTES];
    ps_baseline *b = NULL;
    char path[128];
    ps_diag diag;
    ps_status st;
    int fd;

    if (ps_fuzz_file(data, size, &fd, path, sizeof(path)) != PS_OK)
        return 0;
    diag.msg[0] = '\0';
    st = ps_baseline_load(path, &b, &diag);
    ps_fuzz_file_close(fd, path);
    if (st != PS_OK) {
        ps_fuzz_check(b == NULL, "ps_baseline_load failed but set *out");
        ps_fuzz_check(memchr(diag.msg, '\0', sizeof(diag.msg)) != NULL,
                      "diagnostic not terminated");
        ps_fuzz_check(strchr(diag.msg, '\n') == NULL, "a diagnostic of more than one line");
        ps_fuzz_check(strncmp(diag.msg, path, strlen(path)) == 0,
                      "a baseline diagnostic that does not name the file");
        return 0;
    }
    ps_fuzz_check(b != NULL, "ps_baseline_load succeeded without a baseline");
    ps_fuzz_check(ps_baseline_count(b) <= size / 32, "more fingerprints than the file holds");
    memset(fp, 0, sizeof(fp));
    (void)ps_baseline_has(b, fp);
    if (first_fp(data, size, fp))
        ps_fuzz_check(ps_baseline_has(b, fp), "a loaded baseline lacks its first fingerprint");
    ps_baseline_free(b);
    return 0;
}

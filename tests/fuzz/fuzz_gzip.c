/*
 * fuzz_gzip.c - gzip inputs as the scan driver handles them (input.c):
 * ps_gzip_peek inflates the head and reads the member name, the head is
 * sniffed under that name, and the reader for the sniffed format (text
 * when it has none) reads the file through PS_TRANSPORT_GZIP.
 *
 * This covers the inflater's bounds (total and ratio, concatenated
 * members, corrupt and truncated streams) and every stream reader fed
 * through the gzip window instead of a plain fd.
 *
 * Checks: the peek never claims more than it was asked for, and the member
 * name it returns is what input.h promises: NUL-terminated within its
 * buffer, a basename (no '/'), never "." or "..", printable ASCII or valid
 * UTF-8.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "input.h"
#include "read.h"
#include "sniff.h"

#define INNER_CAP 64

/* The member name must be safe to print and to use as a path component. */
static void check_inner(const char *inner)
{
    size_t len = strnlen(inner, INNER_CAP);
    size_t i;

    ps_fuzz_check(len < INNER_CAP, "ps_gzip_peek: inner name not terminated");
    ps_fuzz_check(strchr(inner, '/') == NULL, "ps_gzip_peek: inner name has a '/'");
    ps_fuzz_check(strcmp(inner, ".") != 0 && strcmp(inner, "..") != 0,
                  "ps_gzip_peek: inner name is . or ..");
    ps_fuzz_check(ps_fuzz_utf8(inner, len), "ps_gzip_peek: inner name is not UTF-8");
    for (i = 0; i < len; i++)
        ps_fuzz_check((unsigned char)inner[i] >= 0x20 && (unsigned char)inner[i] != 0x7f,
                      "ps_gzip_peek: inner name has a control character");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char head[PS_SNIFF_HEAD];
    char inner[INNER_CAP], path[128];
    const ps_reader *r;
    size_t got = 0;
    ps_status st;
    ps_sniff s;
    int fd;

    if (ps_fuzz_file(data, size, &fd, path, sizeof(path)) != PS_OK)
        return 0;
    /* A lie about the fd's position: peek must use pread and not care. */
    if (size > 3)
        (void)lseek(fd, 3, SEEK_SET);
    inner[0] = 'x';
    st = ps_gzip_peek(fd, head, sizeof(head), &got, inner, sizeof(inner));
    ps_fuzz_file_close(fd, path);
    if (st != PS_OK)
        return 0;
    ps_fuzz_check(got <= sizeof(head), "ps_gzip_peek: more bytes than asked for");
    check_inner(inner);

    s = ps_sniff_buffer(head, got, inner[0] != '\0' ? inner : "fuzz", got);
    r = ps_reader_for(s.format);
    /*
     * Formats without records (compressed, ciphertext, empty) and SQLite,
     * whose reader needs the file itself and refuses gzip, are read as
     * text, so that every input still goes through the inflater to its end.
     */
    if (r == NULL || s.format == PS_FMT_SQLITE)
        r = &ps_reader_text;
    (void)ps_fuzz_read(r, data, size, "fuzz.gz", &s, PS_TRANSPORT_GZIP);
    return 0;
}

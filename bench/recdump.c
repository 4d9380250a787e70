/*
 * bench/recdump.c - print every record a reader emits, one line each, in a
 * form two builds can diff: the check every reader speed change is held to
 * (the records, their order, locations and field ids must not change), and
 * with RECDUMP_COUNT=1 a reader-only timer.  Not built by make; build it
 * against a built tree T (see bench/README.md):
 *   gcc -O2 -I$T -I$T/scanner -o recdump bench/recdump.c \
 *       $(find $T/scanner -name '*.o' ! -name main.o ! -name 'cmd_*') \
 *       -lsodium -lyaml -lhs -lsqlite3 -lz -lyajl -lm -lpthread
 * Usage: recdump FILE...   RECDUMP_MAX=N sets max_record (default 16 MiB).
 * RECDUMP_ENGINE=1 reads SQLite files through SQLite's engine alone (no
 * page walk, read_sqlite.c), the reference the walk is held to.
 */
#include "config.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "read.h"
#include "sniff.h"
#include "input.h"

static int count_only;
static unsigned long long nrec;

static void put(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '\\' || c == '|' || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void puts0(const char *s)
{
    if (s == NULL)
        fputs("(null)", stdout);
    else
        put(s, strlen(s));
}

static int cb(void *ud, const ps_record *r)
{
    (void)ud;
    nrec++;
    if (count_only)
        return 0;
    printf("F=");
    put(r->field ? r->field : "", r->field ? r->field_len : 0);
    printf("|V=");
    put(r->value ? r->value : "", r->value ? r->value_len : 0);
    printf("|k=%d l=%llu t=", (int)r->loc.kind, (unsigned long long)r->loc.line);
    puts0(r->loc.table);
    printf(" c=");
    puts0(r->loc.column);
    printf(" r=%lld p=", (long long)r->loc.row);
    puts0(r->loc.pointer);
    printf(" m=%d null=%d id=%u\n", (int)r->media, r->is_null, r->field_id);
    return 0;
}

int main(int argc, char **argv)
{
    bool engine = getenv("RECDUMP_ENGINE") != NULL;

    count_only = getenv("RECDUMP_COUNT") != NULL;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        struct stat st;
        unsigned char head[PS_SNIFF_HEAD];
        ssize_t got;
        ps_source src;
        ps_diag d;
        const ps_reader *rd;
        ps_status s;
        uint64_t paged = 0;

        if (fd < 0 || fstat(fd, &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        got = pread(fd, head, sizeof(head), 0);
        memset(&src, 0, sizeof(src));
        src.fd = fd;
        src.open_path = argv[i];
        src.rel_path = argv[i];
        src.size = (uint64_t)st.st_size;
        src.sniff = ps_sniff_buffer(head, got > 0 ? (size_t)got : 0, argv[i], src.size);
        src.max_record = getenv("RECDUMP_MAX") ? strtoull(getenv("RECDUMP_MAX"), NULL, 10) : PS_MAX_RECORD_DEFAULT;
        rd = ps_reader_for(src.sniff.format);
        memset(&d, 0, sizeof(d));
        nrec = 0;
        printf("== %s\n", argv[i]);
        if (rd == NULL) {
            printf("no reader\n");
            close(fd);
            continue;
        }
        if (rd == &ps_reader_sqlite)
            s = ps_read_sqlite_with(&src, cb, NULL, &d, !engine, &paged);
        else
            s = rd->read(&src, cb, NULL, &d);
        printf("== end %s: reader %s, %llu records, status %d, diag '%s'\n", argv[i], rd->name, nrec, (int)s, d.msg);
        if (paged > 0)
            fprintf(stderr, "%s: %llu rows from the page walk\n", argv[i], (unsigned long long)paged);
        close(fd);
    }
    return 0;
}

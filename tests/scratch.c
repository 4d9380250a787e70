/* scratch.c - see scratch.h. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "scratch.h"

int ps_scratch_make(char *dir, size_t n, const char *name)
{
    const char *base = getenv("TMPDIR");
    int len = snprintf(dir, n, "%s/ps_%s.XXXXXX",
                       base != NULL && base[0] != '\0' ? base : "/tmp", name);

    if (len < 0 || (size_t)len >= n) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* One entry of the tree, its contents first (FTW_DEPTH); a link is itself (FTW_PHYS). */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int ps_scratch_remove(const char *dir)
{
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/*
 * walk.h - turn the paths given on the command line into a sorted list of
 * regular files to scan.
 *
 * The walk never blocks and never leaves the root: it uses lstat only, skips
 * FIFOs, sockets and devices, skips .git, follows a symbolic link only when
 * it resolves to a regular file inside the same root, and never follows a
 * link to a directory (that is how loops and escapes happen).  The list is
 * sorted bytewise by relative path, so the order never depends on readdir.
 */
#ifndef PS_WALK_H
#define PS_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "findings.h"
#include "ignore.h"
#include "plainsight.h"

typedef struct ps_file {
    char *open_path; /* what to open(): the real path for a followed link */
    char *rel_path;  /* what to report: relative, '/'-separated */
    uint64_t size;
    unsigned mode;   /* permission bits */
    dev_t dev;
    ino_t ino;
    bool via_link;   /* reached through a symbolic link inside the root */
} ps_file;

typedef struct ps_filelist {
    ps_file *items;
    size_t n, cap;
    uint64_t skipped; /* special files and links out of the root */
} ps_filelist;

/*
 * Walk roots[0..nroots).  A root that is a file is listed under the path
 * given (normalised: no "./", no doubled or trailing slashes); a root that
 * is a FIFO, socket, device or a link to a directory is not opened, and
 * becomes an entry in errs (it was asked for, so the scan is incomplete
 * without it), where inside a tree such entries are only counted.  With
 * one directory root, paths are relative to it; with several roots each
 * path is prefixed by its root as given (normalised).  Unreadable
 * directories become entries in errs, and the walk goes on.  A root that
 * does not exist is PS_ERR_USAGE with *diag set.
 */
ps_status ps_walk(const char *const *roots, size_t nroots, const ps_ignore *ig,
                  ps_filelist *out, ps_errors *errs, ps_diag *diag) PS_WARN_UNUSED;
void ps_filelist_free(ps_filelist *fl);

/* The folder part of a relative path ("" for a top-level file), as a length. */
size_t ps_path_dirlen(const char *rel_path);

#endif /* PS_WALK_H */

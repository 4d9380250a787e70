/*
 * scratch.h - a private scratch directory for a test program's files.
 *
 * Tests that need real files (readers, SQLite, inputs, the walk, the scan,
 * baselines) make them in a directory of their own under $TMPDIR or /tmp,
 * so that parallel `make check` runs never share one, and remove it with
 * everything in it at the end.
 */
#ifndef PS_TEST_SCRATCH_H
#define PS_TEST_SCRATCH_H

#include <stddef.h>

/*
 * dir = a new directory "$TMPDIR/ps_<name>.XXXXXX" ("/tmp" when TMPDIR is
 * unset or empty), made by mkdtemp; 0, or -1 with errno.
 */
int ps_scratch_make(char *dir, size_t n, const char *name);

/*
 * Remove dir and everything under it, never following a symbolic link (a
 * link is removed, not its target); 0, or -1 when something stayed.
 */
int ps_scratch_remove(const char *dir);

#endif /* PS_TEST_SCRATCH_H */

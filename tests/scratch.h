/*
 * scratch.h - a private scratch directory for a test program's files.
 *
 * Tests that read real files (readers, SQLite, inputs) make them in a
 * directory of their own under /tmp, so that parallel `make check` runs
 * never share one, and remove it with everything in it at the end.
 */
#ifndef PS_TEST_SCRATCH_H
#define PS_TEST_SCRATCH_H

#include <stddef.h>

/* dir = a new directory "/tmp/ps_<name>.XXXXXX" (mkdtemp); 0, or -1 with errno. */
int ps_scratch_make(char *dir, size_t n, const char *name);

/* Remove dir, its files and its subdirectories; 0, or -1 when dir stayed. */
int ps_scratch_remove(const char *dir);

#endif /* PS_TEST_SCRATCH_H */

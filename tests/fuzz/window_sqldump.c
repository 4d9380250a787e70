/*
 * window_sqldump.c - read_sqldump.c over the 61-byte window of window.h, as
 * ps_reader_sqldump_w61.
 */
#include "window.h"
#define ps_reader_sqldump ps_reader_sqldump_w61
#include "read_sqldump.c"

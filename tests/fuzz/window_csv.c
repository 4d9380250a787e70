/*
 * window_csv.c - read_csv.c over the 61-byte window of window.h, as
 * ps_reader_csv_w61.
 */
#include "window.h"
#define ps_reader_csv ps_reader_csv_w61
#include "read_csv.c"

/*
 * window_strings.c - read_strings.c over the 61-byte window of window.h, as
 * ps_reader_strings_w61.
 */
#include "window.h"
#define ps_reader_strings ps_reader_strings_w61
#include "read_strings.c"

/*
 * window_json.c - read_json.c over the 61-byte window of window.h, as
 * ps_reader_json_w61.
 */
#include "window.h"
#define ps_reader_json ps_reader_json_w61
#include "read_json.c"

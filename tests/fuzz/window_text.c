/*
 * window_text.c - read_text.c over the 61-byte window of window.h, as
 * ps_reader_text_w61.
 */
#include "window.h"
#define ps_reader_text ps_reader_text_w61
#include "read_text.c"

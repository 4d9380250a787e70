/*
 * window_mbox.c - read_mbox.c over the 61-byte window of window.h, as
 * ps_reader_mbox_w61.
 */
#include "window.h"
#define ps_reader_mbox ps_reader_mbox_w61
#include "read_mbox.c"

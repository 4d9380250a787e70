/*
 * window_jsonl.c - read_jsonl.c over the 61-byte window of window.h, as
 * ps_reader_jsonl_w61.
 */
#include "window.h"
#define ps_reader_jsonl ps_reader_jsonl_w61
#include "read_jsonl.c"

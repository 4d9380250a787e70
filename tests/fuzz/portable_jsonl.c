/*
 * portable_jsonl.c - read_jsonl.c built a second time, with the portable
 * stop-set search (util.h, -DPS_NO_SIMD) and its reader renamed
 * ps_reader_jsonl_portable, so that fuzz_jsonl.c can hold the SSE2 build
 * to it in one program (ps_fuzz_read_twins, fuzz.h).
 */
#define PS_NO_SIMD 1
#define ps_reader_jsonl ps_reader_jsonl_portable
#include "read_jsonl.c"

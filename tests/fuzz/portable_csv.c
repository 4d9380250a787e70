/*
 * portable_csv.c - read_csv.c built a second time, with the portable
 * stop-set search (util.h, -DPS_NO_SIMD) and its reader renamed
 * ps_reader_csv_portable, so that fuzz_csv.c can hold the SSE2 build
 * to it in one program (ps_fuzz_read_twins, fuzz.h).
 */
#define PS_NO_SIMD 1
#define ps_reader_csv ps_reader_csv_portable
#include "read_csv.c"

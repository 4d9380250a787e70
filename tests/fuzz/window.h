/*
 * window.h - the input layer (input.c) and the window readers built a
 * second time with a 61-byte read window instead of 256 KiB, under names
 * of their own (window_input.c, window_<reader>.c), so that a harness can
 * hold the usual build to them in one program (ps_fuzz_read_builds,
 * fuzz.h).
 *
 * The CSV, JSON Lines and SQL dump readers lend cells, lines and values
 * straight from the window, and copy only what a refill cuts.  A corpus
 * input of a few KiB never reaches a refill of a 256 KiB window, and
 * crosses dozens of 61-byte ones: the records must not change.
 */
#ifndef PS_FUZZ_WINDOW_H
#define PS_FUZZ_WINDOW_H

#define PS_INPUT_CHUNK 61u
#define ps_gzip_peek ps_gzip_peek_w61
#define ps_input_chunk ps_input_chunk_w61
#define ps_input_error ps_input_error_w61
#define ps_input_free ps_input_free_w61
#define ps_input_init ps_input_init_w61
#define ps_input_line ps_input_line_w61
#define ps_input_open ps_input_open_w61
#define ps_input_read ps_input_read_w61

#endif /* PS_FUZZ_WINDOW_H */

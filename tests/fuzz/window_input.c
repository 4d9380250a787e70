/* window_input.c - input.c with a 61-byte window, under the names of window.h. */
#include "window.h"
#include "input.c"

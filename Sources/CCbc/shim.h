// COIN-OR Branch and Cut, C interface (Debian: coinor-libcbc-dev).
// Link flags come from pkg-config `cbc`.
#include <coin/Cbc_C_Interface.h>
#include <stdio.h>
#include <unistd.h>

// CBC reports progress only as text on stdout. While Stowage captures that
// text through a pipe, stdout must be line-buffered for the lines to arrive
// as they are written; afterwards the usual buffering is restored.
static inline void stowage_stdout_line_buffered(void) {
    fflush(stdout);
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void stowage_stdout_default_buffering(void) {
    fflush(stdout);
    setvbuf(stdout, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
}


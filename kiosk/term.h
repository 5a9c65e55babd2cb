/*
 * kiosk/term.h - the one module that owns the terminal: locale, ncursesw
 * set-up and tear-down, colours, size checks and the fatal path that
 * restores the terminal before the process dies.
 */
#ifndef KIOSK_TERM_H
#define KIOSK_TERM_H

#include <stdbool.h>

#define TERM_MIN_COLS 80
#define TERM_MIN_ROWS 24

/* Colour pairs used by every screen. */
enum term_color {
    TC_NORMAL = 0,
    TC_TITLE = 1,     /* title bar */
    TC_OK = 2,        /* good news */
    TC_WARN = 3,      /* red warning */
    TC_DIM = 4,       /* hints, labels */
    TC_SELECT = 5,    /* selected menu row */
    TC_ERROR = 6,     /* error beside a field */
};

/*
 * Choose a UTF-8 locale: the environment's if it is UTF-8, else C.UTF-8
 * (only C, C.UTF-8 and POSIX exist on the target machines). Returns true
 * when a UTF-8 locale is in force. Safe to call before term_init.
 */
bool term_locale(void);

/*
 * Start curses: raw keys (no signals from Ctrl-C/Ctrl-Z when LOCKED_DOWN),
 * no echo, keypad, hidden cursor, colours, input timeout of TICK_MS.
 * Installs handlers so a crash or SIGTERM restores the terminal.
 */
void term_init(int tick_ms, bool locked_down);

/* Restore the terminal. Idempotent. */
void term_fini(void);

/* True when the screen is at least TERM_MIN_COLS x TERM_MIN_ROWS. */
bool term_big_enough(void);

/* Restore the terminal, print the message on stderr, exit(1). */
void term_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Set by SIGTERM/SIGHUP: the loop should end cleanly. */
bool term_quit_requested(void);

#endif

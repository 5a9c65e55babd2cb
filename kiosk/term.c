/*
 * kiosk/term.c - terminal ownership (see term.h). Like htop's CRT.c, this
 * is the only file that calls initscr/endwin or touches signal dispositions
 * for the terminal.
 */
#include "kiosk/term.h"
#include "kiosk/msg.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static volatile sig_atomic_t term_active;
static volatile sig_atomic_t term_quit;

static bool
term_codeset_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

bool
term_locale(void)
{
    if (setlocale(LC_ALL, "") != NULL && term_codeset_is_utf8())
        return true;
    if (setlocale(LC_ALL, "C.UTF-8") != NULL && term_codeset_is_utf8())
        return true;
    return false;
}

/* Fatal signals: restore the terminal, then die with the same signal. */
static void
term_crash(int sig)
{
    if (term_active) {
        endwin();
        term_active = 0;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
term_on_quit(int sig)
{
    (void)sig;
    term_quit = 1;
}

void
term_init(int tick_ms, bool locked_down)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = term_crash;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sa.sa_handler = term_on_quit;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* Nothing typed stops or suspends the kiosk, in any mode: a clerk's
     * Ctrl-C mid-order is a key like any other (the loop says how to
     * leave: F10 on the home menu), not the loss of what was typed. The
     * system still stops it with SIGTERM or SIGHUP. */
    (void)locked_down;
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);

    if (initscr() == NULL) {
        fprintf(stderr, "kiosk: %s\n", msg(M_TERM_INIT_FAILED));
        exit(1);
    }
    term_active = 1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(50);
    curs_set(0);
    timeout(tick_ms);
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(TC_TITLE, COLOR_WHITE, COLOR_BLUE);
        init_pair(TC_OK, COLOR_GREEN, -1);
        init_pair(TC_WARN, COLOR_RED, -1);
        init_pair(TC_DIM, COLOR_CYAN, -1);
        init_pair(TC_SELECT, COLOR_BLACK, COLOR_CYAN);
        init_pair(TC_ERROR, COLOR_RED, -1);
    }
}

void
term_fini(void)
{
    if (term_active) {
        endwin();
        term_active = 0;
    }
}

bool
term_big_enough(void)
{
    return COLS >= TERM_MIN_COLS && LINES >= TERM_MIN_ROWS;
}

void
term_fatal(const char *fmt, ...)
{
    va_list ap;

    term_fini();
    va_start(ap, fmt);
    fputs("kiosk: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

bool
term_quit_requested(void)
{
    return term_quit != 0;
}

/*
 * kiosk/cli.h - the kiosk's non-interactive commands (`kiosk token list`,
 * `kiosk dev plug NAME`, ...). Each command is one const struct cli_cmd in
 * its own kiosk/cmd_*.c file, listed once in cli_table[] (kiosk/cli.c).
 */
#ifndef KIOSK_CLI_H
#define KIOSK_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "data/store.h"
#include "kiosk/config.h"
#include "kiosk/msg.h"

struct cli_cmd {
    const char *group;      /* first word: "token", "dev", "print", ... */
    const char *name;       /* second word: "list", "plug", ...; NULL if none */
    const char *usage;      /* arguments after the words, for --help */
    enum msg_id help;       /* one line for --help, from the catalogue */
    /*
     * Run with the loaded configuration and the arguments after the command
     * words (argv[0] is the first of them). Returns the exit status:
     * 0 success, 1 the thing asked for failed, 2 bad usage.
     */
    int (*exec)(const struct kiosk_config *cfg, int argc, char **argv);
};

/* Find the command named by argv[0] (and argv[1]); *used = words consumed. */
const struct cli_cmd *cli_find(int argc, char **argv, int *used);

/* Print every command's usage line to F. */
void cli_usage(void *f);

/* ---- shared by the commands (kiosk/cli_util.c) ------------------------------ */

/* Open the configured records; on failure print why (one line) and return NULL. */
store *cli_store_open(const struct kiosk_config *cfg);

/*
 * A supervisor's password from stdin confirms what a command is about to
 * do to WHAT=ID ("cert", a serial; "order", a number): checked as a
 * sign-in is (the lockout, every failure counted before it is said, the
 * confirmation recorded or refused); a refusal is audited as DENIED and
 * said on stderr.
 */
bool cli_supervisor(store *st, const char *login, const char *what, const char *id, const char *denied);

/* Read one line from stdin without its newline; PROMPT and no echo on a terminal. 0 or -1. */
int cli_read_line(const char *prompt, char *buf, size_t n);

#endif

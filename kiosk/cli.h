/*
 * kiosk/cli.h - the kiosk's non-interactive commands (`kiosk token list`,
 * `kiosk dev plug NAME`, ...). Each command is one const struct cli_cmd in
 * its own kiosk/cmd_*.c file, listed once in cli_table[] (kiosk/cli.c).
 */
#ifndef KIOSK_CLI_H
#define KIOSK_CLI_H

#include "kiosk/config.h"

struct cli_cmd {
    const char *group;      /* first word: "token", "dev", "print", ... */
    const char *name;       /* second word: "list", "plug", ...; NULL if none */
    const char *usage;      /* arguments after the words, for --help */
    const char *summary;    /* one line for --help (English; operators' tool) */
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

#endif

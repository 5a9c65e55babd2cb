/* kiosk/cmd_token.c - placeholder until its owner lands it: prints that it is not built yet. */
#include <stdio.h>
#include "kiosk/cli.h"

static int
token_list_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fprintf(stderr, "kiosk: 'token list' is not built yet\n");
    return 1;
}

const struct cli_cmd cmd_token_list = {
    .group = "token", .name = "list", .usage = "", .summary = "list the keys present: serial, label, subject, validity", .exec = token_list_exec,
};

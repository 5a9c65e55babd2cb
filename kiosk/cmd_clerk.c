/* kiosk/cmd_clerk.c - placeholder until its owner lands it. */
#include <stdio.h>
#include "kiosk/cli.h"

static int
placeholder_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fprintf(stderr, "kiosk: not built yet\n");
    return 1;
}

const struct cli_cmd cmd_clerk_add = {
    .group = "clerk", .name = "add", .usage = "LOGIN ROLE NAME", .summary = "add a clerk (role window66|window68|supervisor); asks the password", .exec = placeholder_exec,
};

const struct cli_cmd cmd_clerk_disable = {
    .group = "clerk", .name = "disable", .usage = "LOGIN", .summary = "disable a clerk", .exec = placeholder_exec,
};

const struct cli_cmd cmd_clerk_passwd = {
    .group = "clerk", .name = "passwd", .usage = "LOGIN", .summary = "set a clerk's password", .exec = placeholder_exec,
};

const struct cli_cmd cmd_clerk_list = {
    .group = "clerk", .name = "list", .usage = "", .summary = "list clerks", .exec = placeholder_exec,
};

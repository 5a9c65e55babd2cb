/* kiosk/cmd_audit.c - placeholder until its owner lands it. */
#include <stdio.h>
#include "kiosk/cli.h"

static int
placeholder_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fprintf(stderr, "kiosk: not built yet\n");
    return 1;
}

const struct cli_cmd cmd_audit_verify = {
    .group = "audit", .name = "verify", .usage = "", .summary = "check the audit hash chain; names the first broken row", .exec = placeholder_exec,
};

/* kiosk/cmd_report.c - placeholder until its owner lands it. */
#include <stdio.h>
#include "kiosk/cli.h"

static int
placeholder_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fprintf(stderr, "kiosk: not built yet\n");
    return 1;
}

const struct cli_cmd cmd_report_daily = {
    .group = "report", .name = "daily", .usage = "--date YYYY-MM-DD [--csv]", .summary = "daily settlement per window, clerk and transaction", .exec = placeholder_exec,
};

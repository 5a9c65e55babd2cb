/* kiosk/cmd_hall.c - placeholder until its owner lands it: prints that it is not built yet. */
#include <stdio.h>
#include "kiosk/cli.h"

static int
hall_provision_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fprintf(stderr, "kiosk: 'hall provision' is not built yet\n");
    return 1;
}

const struct cli_cmd cmd_hall_provision = {
    .group = "hall", .name = "provision", .usage = "", .summary = "create or reuse the embedded hall under KIOSK_HOME", .exec = hall_provision_exec,
};

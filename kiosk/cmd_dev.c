/* kiosk/cmd_dev.c - placeholder until its owner lands it. */
#include <stdio.h>
#include "kiosk/cli.h"

static int
placeholder_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fprintf(stderr, "kiosk: not built yet\n");
    return 1;
}

const struct cli_cmd cmd_dev_plug = {
    .group = "dev", .name = "plug", .usage = "NAME", .summary = "embedded hall: plug the key NAME (label or serial) into the reader", .exec = placeholder_exec,
};

const struct cli_cmd cmd_dev_unplug = {
    .group = "dev", .name = "unplug", .usage = "NAME", .summary = "embedded hall: pull the key NAME out", .exec = placeholder_exec,
};

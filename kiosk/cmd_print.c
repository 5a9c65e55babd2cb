/* kiosk/cmd_print.c - placeholder until its owner lands it. */
#include <stdio.h>
#include "kiosk/cli.h"

static int
placeholder_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fprintf(stderr, "kiosk: not built yet\n");
    return 1;
}

const struct cli_cmd cmd_print_sample = {
    .group = "print", .name = "sample", .usage = "--doc form|seal|receipt|checklist [--out FILE.pdf]", .summary = "render a filled sample; print it unless --out", .exec = placeholder_exec,
};

const struct cli_cmd cmd_print_outbox = {
    .group = "print", .name = "outbox", .usage = "", .summary = "list print jobs and their states", .exec = placeholder_exec,
};

const struct cli_cmd cmd_print_retry = {
    .group = "print", .name = "retry", .usage = "ID", .summary = "send a queued or failed job again", .exec = placeholder_exec,
};

const struct cli_cmd cmd_print_cancel = {
    .group = "print", .name = "cancel", .usage = "ID", .summary = "cancel a queued job", .exec = placeholder_exec,
};

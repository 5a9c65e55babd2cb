/*
 * kiosk/cmd_config.c - `kiosk config example` and `kiosk config man`: the
 * options table (kiosk/config.c) written out as the commented example
 * configuration and as the kiosk.conf(5) manual page, so that neither can
 * drift from the code (make install and the Debian package take both from
 * here).
 */
#include <stdio.h>

#include "kiosk/cli.h"

static int
config_example_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct kiosk_config def;

    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "%s\n", msg(M_CONFIG_USAGE));
        return 2;
    }
    cfg_defaults(&def, cfg->home);      /* the defaults, not this hall's values */
    return cfg_write_default(&def, "-") == 0 ? 0 : 1;
}

static int
config_man_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg;
    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "%s\n", msg(M_CONFIG_USAGE));
        return 2;
    }
    cfg_write_man(stdout, KIOSK_VERSION);
    return fflush(stdout) == 0 ? 0 : 1;
}

const struct cli_cmd cmd_config_example = {
    .group = "config",
    .name = "example",
    .usage = "",
    .help = M_CLI_H_CONFIG_EXAMPLE,
    .exec = config_example_exec,
};

const struct cli_cmd cmd_config_man = {
    .group = "config",
    .name = "man",
    .usage = "",
    .help = M_CLI_H_CONFIG_MAN,
    .exec = config_man_exec,
};

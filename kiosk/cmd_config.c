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

/* `kiosk config say NAME [ARG...]`: catalogue entry NAME in the hall's
 * language, each conversion (%s, %d, %ld) taking the next ARG as it is -
 * so that the project's scripts speak from the one catalogue too. */
static int
config_say_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    enum msg_id id;
    const char *t;
    int next = 1;

    (void)cfg;
    if (argc < 1 || msg_by_name(argv[0], &id) != 0) {
        fprintf(stderr, "%s\n", msg(M_CONFIG_SAY_USAGE));
        return 2;
    }
    for (t = msg(id); *t != '\0'; t++) {
        if (t[0] == '%' && t[1] == '%') {
            putchar('%');
            t++;
        } else if (t[0] == '%') {
            while (t[1] == 'l')
                t++;
            if (t[1] != '\0')
                t++;
            fputs(next < argc ? argv[next++] : "", stdout);
        } else {
            putchar(*t);
        }
    }
    putchar('\n');
    return 0;
}

const struct cli_cmd cmd_config_say = {
    .group = "config",
    .name = "say",
    .usage = "NAME [ARG...]",
    .help = M_CLI_H_CONFIG_SAY,
    .exec = config_say_exec,
};

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

/*
 * kiosk/main.c - entry point: options, configuration, then either one
 * non-interactive command (kiosk/cli.c) or the counter's screens.
 *
 *   kiosk [--mode window66|window68|self] [--lang zh|en] [--config FILE]
 *   kiosk [options] COMMAND [ARGS]     (see --help)
 *
 * Bad usage or a bad configuration: one line on stderr naming the option,
 * or the file, line and key, and exit status 2.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk/app.h"
#include "kiosk/cli.h"
#include "kiosk/clock.h"
#include "kiosk/msg.h"
#include "kiosk/term.h"

static void
main_usage(FILE *f)
{
    fprintf(f, "%s\n\n", msg(M_USAGE_TITLE));
    fprintf(f, "  kiosk [--mode window66|window68|self] [--lang zh|en] [--config FILE] [--station NAME]\n");
    fprintf(f, "  kiosk [--lang zh|en] [--config FILE] COMMAND [ARGS]\n\n");
    fprintf(f, "  --mode MODE     %s\n", msg(M_USAGE_MODE));
    fprintf(f, "  --lang LANG     %s\n", msg(M_USAGE_LANG));
    fprintf(f, "  --config FILE   %s\n", msg(M_USAGE_CONFIG));
    fprintf(f, "  --station NAME  %s\n", msg(M_USAGE_STATION));
    fprintf(f, "  --version       %s\n", msg(M_USAGE_VERSION));
    fprintf(f, "  --exit-after-draw %s\n", msg(M_USAGE_EXIT_AFTER_DRAW));
    fprintf(f, "  --help          %s\n\n", msg(M_USAGE_HELP));
    fprintf(f, "%s\n", msg(M_USAGE_COMMANDS));
    cli_usage(f);
    if (cfg_installed()) {
        char line[CFG_PATH_MAX * 3];
        fprintf(f, "\n%s\n", msg_fmt(line, sizeof line, M_USAGE_ENV_INSTALLED, cfg_installed_dir(true),
                                      cfg_installed_dir(false)));
    } else {
        fprintf(f, "\n%s\n", msg(M_USAGE_ENV));
    }
}

/* Take the value of option ARGV[*I]; exits 2 when it is missing. */
static const char *
main_optarg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        char buf[256];
        fprintf(stderr, "kiosk: %s\n", msg_fmt(buf, sizeof buf, M_OPT_NEEDS_VALUE, argv[*i]));
        exit(2);
    }
    return argv[++*i];
}

/* No core file, and no other process of this user reading this one's
 * memory (PINs, the session): in every mode. */
static void
main_no_core(void)
{
    struct rlimit none = { 0, 0 };

    (void)setrlimit(RLIMIT_CORE, &none);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The records, the keys' store and the secrets live under the state
 * directory: others may pass through it, never read it. */
static int
main_private_home(const struct kiosk_config *cfg)
{
    struct stat st;
    char line[CFG_PATH_MAX * 3], mode[8];

    if (stat(cfg->home, &st) != 0 || (st.st_mode & 044) == 0)
        return 0;           /* absent: what needs it says so */
    snprintf(mode, sizeof mode, "%03o", (unsigned)(st.st_mode & 0777));
    fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_HOME_NOT_PRIVATE, cfg->home, mode, cfg->home));
    return -1;
}

/*
 * An installed kiosk (make install) has no ./var to fall back on: its
 * state directory and, unless --config or KIOSK_HOME says otherwise, its
 * /etc/kiosk/kiosk.conf must exist, and the configuration must not be
 * readable by others. PROVISION (kiosk hall provision) is what makes the
 * state directory, so it may run before either exists. 0, or -1 said.
 */
static int
main_installed_paths(const struct kiosk_config *cfg, const char *config, bool provision)
{
    const char *sys = config == NULL ? cfg_system_conf() : NULL;
    char line[CFG_PATH_MAX * 3], mode[8];
    struct stat st;

    if (!cfg_installed())
        return 0;
    if (!provision && stat(cfg->home, &st) != 0) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_HOME_MISSING, cfg->home));
        return -1;
    }
    if (sys == NULL)
        return 0;
    if (stat(sys, &st) != 0) {
        if (provision)
            return 0;
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CONF_MISSING, sys));
        return -1;
    }
    if ((st.st_mode & 004) != 0) {
        snprintf(mode, sizeof mode, "%03o", (unsigned)(st.st_mode & 0777));
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CONF_NOT_PRIVATE, sys, mode, sys));
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static struct app app;
    const char *mode = NULL, *lang = NULL, *config = NULL, *station = NULL;
    char err[1024];
    int i, used = 0, rc;
    const struct cli_cmd *cmd = NULL;
    enum msg_lang ml;
    bool provision;

    term_locale();
    /* Language first, so even option errors speak it. */
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc && msg_parse_lang(argv[i + 1], &ml) == 0)
            msg_set_lang(ml);

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--mode") == 0) {
            mode = main_optarg(argc, argv, &i);
        } else if (strcmp(argv[i], "--lang") == 0) {
            lang = main_optarg(argc, argv, &i);
        } else if (strcmp(argv[i], "--config") == 0) {
            config = main_optarg(argc, argv, &i);
        } else if (strcmp(argv[i], "--station") == 0) {
            station = main_optarg(argc, argv, &i);
        } else if (strcmp(argv[i], "--exit-after-draw") == 0) {
            app.exit_after_draw = true;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("kiosk %s\n", KIOSK_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            main_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "kiosk: %s\n", msg_fmt(err, sizeof err, M_OPT_UNKNOWN, argv[i]));
            return 2;
        }
    }

    if (i < argc) {
        cmd = cli_find(argc - i, argv + i, &used);
        if (cmd == NULL) {
            fprintf(stderr, "kiosk: %s\n", msg_fmt(err, sizeof err, M_CMD_UNKNOWN, argv[i]));
            return 2;
        }
    }
    /* provisioning makes the state directory (private) and its configuration */
    provision = cmd != NULL && ((strcmp(cmd->group, "hall") == 0 && cmd->name != NULL &&
                                 strcmp(cmd->name, "provision") == 0) ||
                                strcmp(cmd->group, "config") == 0);   /* the table only: no hall */
    cfg_defaults(&app.cfg, NULL);
    if (main_installed_paths(&app.cfg, config, provision) != 0)
        return 2;
    if (cfg_load_hall(&app.cfg, config, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        return 2;
    }
    /* several counters of one machine sharing its configuration (the embedded hall: make hall) */
    if (station != NULL)
        snprintf(app.cfg.station, sizeof app.cfg.station, "%s", station);
    /* The hall's clock, before anything reads a local time or starts a thread. */
    if (clock_use_zone(app.cfg.timezone) != 0) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(err, sizeof err, M_CFG_BAD_ZONE, app.cfg.timezone));
        return 2;
    }
    if (lang == NULL)
        lang = app.cfg.lang;
    if (msg_parse_lang(lang, &ml) != 0) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(err, sizeof err, M_OPT_BAD_VALUE, "--lang", lang, "zh|en"));
        return 2;
    }
    msg_set_lang(ml);
    snprintf(app.cfg.lang, sizeof app.cfg.lang, "%s", ml == LANG_EN ? "en" : "zh");

    main_no_core();
    if (cmd != NULL) {
        /* provisioning makes the state directory private; all else needs it so */
        if (!provision && main_private_home(&app.cfg) != 0)
            return 2;
        return cmd->exec(&app.cfg, argc - i - used, argv + i + used);
    }
    if (main_private_home(&app.cfg) != 0)
        return 2;

    if (mode == NULL)
        mode = app.cfg.mode;
    if (app_parse_mode(mode, &app.mode) != 0) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(err, sizeof err, M_OPT_BAD_VALUE, "--mode", mode, "window66|window68|self"));
        return 2;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "kiosk: %s\n", msg(M_NEED_TTY));
        return 2;
    }
    app_open_services(&app);
    rc = app_run(&app);
    app_close_services(&app);
    return rc;
}

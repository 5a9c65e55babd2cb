/*
 * kiosk/cmd_hall.c - `kiosk hall provision [--printer-uri URI] [--with-test-keys]`:
 * create or reuse the embedded hall under KIOSK_HOME (see token/tok_provision.c).
 */
#include <stdio.h>
#include <string.h>

#include "kiosk/cli.h"
#include "kiosk/msg.h"
#include "token/token.h"

static void
hall_report(void *arg, bool reused, const char *what)
{
    char line[800];

    (void)arg;
    puts(msg_fmt(line, sizeof line, reused ? M_TOK_PROV_REUSED : M_TOK_PROV_CREATED, what));
}

static int
hall_provision_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    static struct kiosk_config eff;
    struct tok_prov_opts opts = { .report = hall_report };
    char err[1024], line[1200];
    enum msg_lang lang;
    int i;

    if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_CFG_ERR, err));
        return 2;
    }
    if (msg_parse_lang(eff.lang, &lang) == 0)
        msg_set_lang(lang);
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--with-test-keys") == 0)
            opts.with_test_keys = true;
        else if (strcmp(argv[i], "--printer-uri") == 0 && i + 1 < argc)
            opts.printer_uri = argv[++i];
        else {
            fprintf(stderr, "%s\n", msg(M_TOK_PROV_USAGE));
            return 2;
        }
    }
    if (tok_provision(&eff, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_PROV_FAILED, err));
        return 1;
    }
    puts(msg_fmt(line, sizeof line, M_TOK_PROV_DONE, eff.home, err));
    return 0;
}

const struct cli_cmd cmd_hall_provision = {
    .group = "hall", .name = "provision", .usage = "[--printer-uri URI] [--with-test-keys]",
    .summary = "create or reuse the embedded hall under KIOSK_HOME", .exec = hall_provision_exec,
};

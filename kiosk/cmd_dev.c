/*
 * kiosk/cmd_dev.c - `kiosk dev plug NAME` / `kiosk dev unplug NAME`: the
 * embedded hall's stand-in for putting a UKey into the reader and pulling it
 * out (a marker file named after the key's serial in [token] ports_dir).
 */
#include <stdio.h>

#include "kiosk/cli.h"
#include "kiosk/msg.h"
#include "kiosk/engine.h"
#include "token/token.h"

static int
dev_exec(const struct kiosk_config *cfg, int argc, char **argv, bool plug)
{
    static struct kiosk_config eff;
    char err[1024], line[1200];
    enum msg_lang lang;
    int rc;

    if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_CFG_ERR, err));
        return 2;
    }
    if (msg_parse_lang(eff.lang, &lang) == 0)
        msg_set_lang(lang);
    if (argc != 1) {
        fprintf(stderr, "%s\n", msg(M_TOK_DEV_USAGE));
        return 2;
    }
    tok_env_setup(eff.softhsm_conf);
    err[0] = '\0';
    rc = plug ? tok_dev_plug(eff.module, eff.ports_dir, argv[0], err, sizeof err)
              : tok_dev_unplug(eff.module, eff.ports_dir, argv[0], err, sizeof err);
    if (rc == TOK_ERR_MODULE && err[0] != '\0') {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_MODULE_LOAD, err));  /* token/ says it technically */
        return 1;
    }
    fprintf(rc == 0 ? stdout : stderr, "%s\n", err[0] ? err : msg(txn_tok_msg(rc)));
    return rc == 0 ? 0 : 1;
}

static int dev_plug_exec(const struct kiosk_config *cfg, int argc, char **argv) { return dev_exec(cfg, argc, argv, true); }
static int dev_unplug_exec(const struct kiosk_config *cfg, int argc, char **argv) { return dev_exec(cfg, argc, argv, false); }

const struct cli_cmd cmd_dev_plug = {
    .group = "dev", .name = "plug", .usage = "NAME", .summary = "embedded hall: plug the key NAME (label or serial) into the reader", .exec = dev_plug_exec,
};

const struct cli_cmd cmd_dev_unplug = {
    .group = "dev", .name = "unplug", .usage = "NAME", .summary = "embedded hall: pull the key NAME out", .exec = dev_unplug_exec,
};

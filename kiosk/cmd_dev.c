/*
 * kiosk/cmd_dev.c - `kiosk dev plug NAME` / `kiosk dev unplug NAME`: the
 * embedded hall's stand-in for putting a UKey into the reader and pulling it
 * out (a marker file named after the key's serial in [token] ports_dir).
 */
#include <stdio.h>
#include <string.h>

#include "kiosk/cli.h"
#include "kiosk/msg.h"
#include "kiosk/engine.h"
#include "token/token.h"

/* The words for what token/ reports (it says nothing a person reads). */
static const char *
dev_text(const struct tok_dev_result *r, const char *name, const char *ports_dir, bool plug, char *buf, size_t len)
{
    switch (r->outcome) {
    case TOK_DEV_DONE:
        return msg_fmt(buf, len, plug ? M_TOK_DEV_PLUGGED : M_TOK_DEV_UNPLUGGED, r->label, r->serial);
    case TOK_DEV_ALREADY:
        return msg_fmt(buf, len, plug ? M_TOK_DEV_ALREADY : M_TOK_DEV_NOT_PLUGGED, r->label, r->serial);
    case TOK_DEV_UNKNOWN:
        return msg_fmt(buf, len, M_TOK_DEV_UNKNOWN, name, r->known[0] ? r->known : "-");
    case TOK_DEV_IS_HSM:
        return msg_fmt(buf, len, M_TOK_DEV_HSM, name);
    case TOK_DEV_NO_PORTS:
        return msg_fmt(buf, len, M_TOK_DEV_NO_PORTS);
    case TOK_DEV_PORTS_ERR:
        return msg_fmt(buf, len, M_TOK_DEV_PORTS_ERR, ports_dir, strerror(r->sys_errno));
    case TOK_DEV_MODULE:
        return msg_fmt(buf, len, M_TOK_MODULE_LOAD, r->detail);  /* token/ says it technically */
    }
    return msg(M_TOK_ERR_INTERNAL);
}

static int
dev_exec(const struct kiosk_config *cfg, int argc, char **argv, bool plug)
{
    static struct kiosk_config eff;
    struct tok_dev_result r;
    char err[1024], line[2600];
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
    rc = plug ? tok_dev_plug(eff.module, eff.ports_dir, argv[0], &r)
              : tok_dev_unplug(eff.module, eff.ports_dir, argv[0], &r);
    fprintf(rc == 0 ? stdout : stderr, "%s\n", dev_text(&r, argv[0], eff.ports_dir, plug, line, sizeof line));
    return rc == 0 ? 0 : 1;
}

static int dev_plug_exec(const struct kiosk_config *cfg, int argc, char **argv) { return dev_exec(cfg, argc, argv, true); }
static int dev_unplug_exec(const struct kiosk_config *cfg, int argc, char **argv) { return dev_exec(cfg, argc, argv, false); }

const struct cli_cmd cmd_dev_plug = {
    .group = "dev", .name = "plug", .usage = "NAME", .help = M_CLI_H_DEV_PLUG, .exec = dev_plug_exec,
};

const struct cli_cmd cmd_dev_unplug = {
    .group = "dev", .name = "unplug", .usage = "NAME", .help = M_CLI_H_DEV_UNPLUG, .exec = dev_unplug_exec,
};

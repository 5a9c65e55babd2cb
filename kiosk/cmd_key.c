/*
 * kiosk/cmd_key.c - `kiosk key states`: the key's life as a Markdown
 * document, generated from the one transition table (kiosk/keylife.c), so
 * docs/KEYS.md cannot drift from the code; `kiosk key status SERIAL`: what
 * the records say of one key (its state, wrong PINs, tries left); `kiosk key
 * adopt SERIAL [--label L]`: take a vendor's blank key into the hall, its
 * factory SO PIN read from stdin and replaced by the one derived in the HSM.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kiosk/cli.h"
#include "token/token.h"
#include "kiosk/keylife.h"
#include "kiosk/msg.h"

static int
key_states_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg;
    (void)argv;
    if (argc != 0) {
        fputs(msg(M_KEYCMD_STATES_USAGE), stderr);
        fputc('\n', stderr);
        return 2;
    }
    keylife_doc(stdout);
    return 0;
}

/*
 * The key SPEC names, a serial or an RFC 7512 pkcs11: URI matched against
 * the keys present (the token is opened only for a URI). 0, or 1 said.
 */
static int
key_spec(const struct kiosk_config *cfg, const char *spec, char *serial, size_t n)
{
    static struct kiosk_config eff;
    char err[1024], line[1400];
    tok_ctx *tok = NULL;
    int rc;

    if (strncasecmp(spec, "pkcs11:", 7) != 0) {
        snprintf(serial, n, "%s", spec);
        return 0;
    }
    if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0 || tok_open_cfg(&tok, &eff, err, sizeof err) != 0) {
        puts(msg_fmt(line, sizeof line, M_TOK_MODULE_LOAD, err));
        return 1;
    }
    rc = tok_resolve(tok, spec, serial, n);
    if (rc != TOK_OK)
        puts(msg_fmt(line, sizeof line, M_KEYCMD_NO_MATCH, spec, tok_detail(tok)));
    tok_close(tok);
    return rc == TOK_OK ? 0 : 1;
}

static int
key_status_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_key k;
    store *st;
    char line[512], serial[64];
    int rc;

    if (argc != 1 || argv[0][0] == '\0') {
        fputs(msg(M_KEYCMD_USAGE), stderr);
        fputc('\n', stderr);
        return 2;
    }
    if (key_spec(cfg, argv[0], serial, sizeof serial) != 0)
        return 1;
    if ((st = cli_store_open(cfg)) == NULL)
        return 1;
    rc = store_key_get(st, serial, &k);
    store_close(st);
    if (rc != STORE_OK) {
        puts(msg_fmt(line, sizeof line, rc == STORE_ERR_NOT_FOUND ? M_KEYCMD_UNKNOWN : M_TXN_DB_ERROR, serial));
        return 1;
    }
    puts(msg_fmt(line, sizeof line, M_KEYCMD_STATUS, k.serial, keylife_state_name(k.state),
                 msg(keylife_state_msg(k.state)), k.pin_fails, cfg->pin_max_tries - k.pin_fails > 0
                                                                 ? cfg->pin_max_tries - k.pin_fails : 0,
                 k.uscc[0] ? k.uscc : "-", k.cert_serial[0] ? k.cert_serial : "-"));
    return 0;
}

const struct cli_cmd cmd_key_states = {
    .group = "key", .name = "states", .usage = "", .help = M_CLI_H_KEY_STATES,
    .exec = key_states_exec,
};
const struct cli_cmd cmd_key_status = {
    .group = "key", .name = "status", .usage = "SERIAL|pkcs11:URI", .help = M_CLI_H_KEY_STATUS,
    .exec = key_status_exec,
};

static int
key_adopt_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    static struct kiosk_config eff;
    const char *label = "blank";
    char err[1024], sopin[64], line[1400], detail[256], serial[64];
    tok_ctx *tok = NULL;
    store *st;
    int rc;

    if (argc == 3 && strcmp(argv[1], "--label") == 0 && argv[2][0] != '\0')
        label = argv[2];
    else if (argc != 1) {
        fputs(msg(M_KEYCMD_ADOPT_USAGE), stderr);
        fputc('\n', stderr);
        return 2;
    }
    if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0) {
        puts(msg_fmt(line, sizeof line, M_TOK_MODULE_LOAD, err));
        return 1;
    }
    /* the key model's factory SO PIN: the configuration's, else typed */
    if (eff.factory_so_pin[0] != '\0')
        snprintf(sopin, sizeof sopin, "%s", eff.factory_so_pin);
    else if (cli_read_line(msg(M_KEYCMD_ADOPT_PROMPT), sopin, sizeof sopin) != 0 || sopin[0] == '\0') {
        fputs(msg(M_KEYCMD_ADOPT_USAGE), stderr);
        fputc('\n', stderr);
        return 2;
    }
    if (tok_open_cfg(&tok, &eff, err, sizeof err) != 0) {
        puts(msg_fmt(line, sizeof line, M_TOK_MODULE_LOAD, err));
        memset(sopin, 0, sizeof sopin);
        return 1;
    }
    rc = tok_resolve(tok, argv[0], serial, sizeof serial);
    if (rc == TOK_OK)
        rc = tok_adopt(tok, serial, sopin, label);
    memset(sopin, 0, sizeof sopin);
    if (rc != TOK_OK) {
        puts(msg_fmt(line, sizeof line, M_KEYCMD_ADOPT_FAILED, argv[0], tok_detail(tok)));
        tok_close(tok);
        return 1;
    }
    tok_close(tok);
    if ((st = cli_store_open(&eff)) != NULL) {
        snprintf(detail, sizeof detail, "key=%s label=%s", serial, label);
        (void)store_audit(st, "admin", "key.adopt", detail);
        store_close(st);
    }
    puts(msg_fmt(line, sizeof line, M_KEYCMD_ADOPTED, serial));
    return 0;
}

const struct cli_cmd cmd_key_adopt = {
    .group = "key", .name = "adopt", .usage = "SERIAL|pkcs11:URI [--label LABEL]",
    .help = M_CLI_H_KEY_ADOPT,
    .exec = key_adopt_exec,
};

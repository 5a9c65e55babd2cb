/*
 * kiosk/cmd_key.c - `kiosk key states`: the key's life as a Markdown
 * document, generated from the one transition table (kiosk/keylife.c), so
 * docs/KEYS.md cannot drift from the code; `kiosk key status SERIAL`: what
 * the records say of one key (its state, wrong PINs, tries left).
 */
#include <stdio.h>
#include <string.h>

#include "kiosk/cli.h"
#include "kiosk/keylife.h"
#include "kiosk/msg.h"

static int
key_states_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    (void)cfg;
    (void)argv;
    if (argc != 0) {
        fputs("usage: kiosk key states\n", stderr);
        return 2;
    }
    keylife_doc(stdout);
    return 0;
}

static int
key_status_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_key k;
    store *st;
    char line[512];
    int rc;

    if (argc != 1 || argv[0][0] == '\0') {
        fputs(msg(M_KEYCMD_USAGE), stderr);
        fputc('\n', stderr);
        return 2;
    }
    if ((st = cli_store_open(cfg)) == NULL)
        return 1;
    rc = store_key_get(st, argv[0], &k);
    store_close(st);
    if (rc != STORE_OK) {
        puts(msg_fmt(line, sizeof line, rc == STORE_ERR_NOT_FOUND ? M_KEYCMD_UNKNOWN : M_TXN_DB_ERROR, argv[0]));
        return 1;
    }
    puts(msg_fmt(line, sizeof line, M_KEYCMD_STATUS, k.serial, keylife_state_name(k.state),
                 msg(keylife_state_msg(k.state)), k.pin_fails, cfg->pin_max_tries - k.pin_fails > 0
                                                                 ? cfg->pin_max_tries - k.pin_fails : 0,
                 k.uscc[0] ? k.uscc : "-", k.cert_serial[0] ? k.cert_serial : "-"));
    return 0;
}

const struct cli_cmd cmd_key_states = {
    .group = "key", .name = "states", .usage = "", .summary = "the key's life: states, events and transitions (docs/KEYS.md)",
    .exec = key_states_exec,
};
const struct cli_cmd cmd_key_status = {
    .group = "key", .name = "status", .usage = "SERIAL", .summary = "a key's state and wrong PINs in the records",
    .exec = key_status_exec,
};

/*
 * kiosk/cmd_pay.c - `kiosk pay confirm ORDER AMOUNT`: the embedded hall's
 * payment provider. The cashier (or a test) says that order ORDER was paid
 * AMOUNT yuan through the payment QR; the engine takes it only for an open,
 * unpaid order waiting at its payment page whose quote is that amount, and
 * audits a refusal (kiosk/engine_pay.c). The kiosk showing the QR goes on
 * by itself. Exit 0 taken, 1 refused or the records failed, 2 bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "kiosk/cli.h"
#include "kiosk/engine.h"
#include "kiosk/msg.h"
#include "kiosk/rules.h"

/* The provider as the audit names it. */
#define PAY_ACTOR "pay:provider"

static const enum msg_id verdict_msg[] = {
    [PAYV_OK] = M_PAY_CLI_OK,
    [PAYV_UNKNOWN] = M_PAY_CLI_UNKNOWN,
    [PAYV_CLOSED] = M_PAY_CLI_CLOSED,
    [PAYV_NOT_DUE] = M_PAY_CLI_NOT_DUE,
    [PAYV_WRONG_AMOUNT] = M_PAY_CLI_WRONG_AMOUNT,
    [PAYV_DUPLICATE] = M_PAY_CLI_DUPLICATE,
};

static int
pay_confirm_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    enum txn_pay_verdict v;
    char line[512], yuan[32];
    long fen;
    store *st;
    int rc;

    if (argc != 2 || argv[0][0] == '\0' || strlen(argv[0]) > 31) {
        fprintf(stderr, "%s\n", msg(M_PAY_CLI_USAGE));
        return 2;
    }
    if (rules_money_parse(argv[1], &fen) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PAY_CLI_BAD_AMOUNT, argv[1]));
        return 2;
    }
    if ((st = cli_store_open(cfg)) == NULL)
        return 1;
    rc = txn_pay_confirm(st, argv[0], fen, PAY_ACTOR, 0, &v);
    if (rc != STORE_OK) {
        fprintf(stderr, "kiosk: pay: %s\n", store_detail(st));
        store_close(st);
        return 1;
    }
    rules_money_format(fen, yuan, sizeof yuan);
    msg_fmt(line, sizeof line, verdict_msg[v], argv[0], yuan);
    fprintf(v == PAYV_OK ? stdout : stderr, "%s\n", line);
    store_close(st);
    return v == PAYV_OK ? 0 : 1;
}

const struct cli_cmd cmd_pay_confirm = {
    .group = "pay", .name = "confirm", .usage = "ORDER AMOUNT",
    .help = M_CLI_H_PAY_CONFIRM,
    .exec = pay_confirm_exec,
};

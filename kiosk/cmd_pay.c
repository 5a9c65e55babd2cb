/*
 * kiosk/cmd_pay.c - `kiosk pay confirm ORDER AMOUNT`: the embedded hall's
 * payment provider. The cashier (or a test) says that order ORDER was paid
 * AMOUNT yuan through the payment QR; the engine takes it only for an open,
 * unpaid order waiting at its payment page whose quote is that amount, and
 * audits a refusal (kiosk/engine_pay.c). The kiosk showing the QR goes on
 * by itself. Exit 0 taken, 1 refused or the records failed, 2 bad usage.
 *
 * `kiosk pay refund ORDER --as SUPERVISOR`: the money of a cancelled, paid
 * order paid back later than its cancellation (the counter offers it at
 * once): a supervisor's password on stdin, the refund recorded and its
 * 退款凭证 printed (kiosk/engine_paper.c, txn_refund).
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

static int
pay_refund_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct txn_env env = { .cfg = cfg, .window = "window66" };
    struct store_order o;
    struct store_refund r;
    char line[768], yuan[32], err[256];
    int rc;

    if (argc != 3 || strcmp(argv[1], "--as") != 0 || argv[0][0] == '-' || strlen(argv[0]) > 31) {
        fprintf(stderr, "%s\n", msg(M_PAY_REFUND_USAGE));
        return 2;
    }
    if ((env.st = cli_store_open(cfg)) == NULL)
        return 1;
    if ((rc = store_order_by_number(env.st, argv[0], &o)) != STORE_OK) {
        fprintf(stderr, "%s\n", rc == STORE_ERR_NOT_FOUND ? msg_fmt(line, sizeof line, M_PAY_REFUND_UNKNOWN, argv[0])
                                                          : msg(M_TXN_DB_ERROR));
        store_close(env.st);
        return 1;
    }
    if (!cli_supervisor(env.st, argv[2], "order", argv[0], "order.refund_denied")) {
        store_close(env.st);
        return 1;
    }
    env.clerk = argv[2];
    rc = txn_refund(&env, o.id, &r, err, sizeof err);
    if (rc == STORE_ERR_CONFLICT)
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PAY_REFUND_NOT_DUE, argv[0], store_detail(env.st)));
    else if (rc != STORE_OK)
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PAY_REFUND_FAILED, argv[0], store_detail(env.st)));
    else {
        rules_money_format(r.amount, yuan, sizeof yuan);
        printf("%s\n", msg_fmt(line, sizeof line, M_PAY_REFUND_OK, argv[0], yuan, msg(txn_pay_method_msg(r.method))));
        if (err[0] != '\0')
            printf("%s\n", err);
    }
    store_close(env.st);
    return rc == STORE_OK ? 0 : 1;
}

const struct cli_cmd cmd_pay_refund = {
    .group = "pay", .name = "refund", .usage = "ORDER --as SUPERVISOR",
    .help = M_CLI_H_PAY_REFUND,
    .exec = pay_refund_exec,
};

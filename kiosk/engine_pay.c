/*
 * kiosk/engine_pay.c - a payment provider's confirmation (issue 12).
 *
 * Without a cashier, the payment QR's provider tells the hall that ORDER
 * was paid AMOUNT. The confirmation is taken only for an order that waits
 * at a payment page (its saved step is a PAGE_PAY step of its
 * transaction), is open and not paid yet, and whose quote is that amount;
 * anything else (an unknown order, a closed one, one not at the payment
 * step, a wrong amount, a second confirmation) is refused and the refusal
 * audited, naming the provider, in the same unit of work. Taken, the order
 * is paid by "qr" (store_order_pay: paid_at, the payment row and order.pay
 * naming the provider); the kiosk's payment page sees it on its next tick
 * and goes on (screens/page_pay.c). The embedded hall's provider is the
 * command `kiosk pay confirm ORDER AMOUNT` (kiosk/cmd_pay.c).
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>

static const char *const verdict_code[] = {
    [PAYV_OK] = "ok",
    [PAYV_UNKNOWN] = "unknown_order",
    [PAYV_CLOSED] = "order_closed",
    [PAYV_NOT_DUE] = "not_at_payment",
    [PAYV_WRONG_AMOUNT] = "wrong_amount",
    [PAYV_DUPLICATE] = "already_paid",
};

enum msg_id
txn_pay_method_msg(const char *code)
{
    if (code != NULL && strcmp(code, "cash") == 0)
        return M_TXN_PAY_CASH;
    if (code != NULL && strcmp(code, "pos") == 0)
        return M_TXN_PAY_POS;
    if (code != NULL && strcmp(code, "qr") == 0)
        return M_TXN_PAY_QR;
    return M_TXN_PAY_FREE;
}

const char *
txn_pay_verdict_code(enum txn_pay_verdict v)
{
    return (int)v >= 0 && v <= PAYV_DUPLICATE ? verdict_code[v] : "?";
}

/* Whether order O waits at a payment page of its transaction. */
static bool
pay_due(const struct store_order *o)
{
    enum txn_kind k;
    const struct txn_def *def;
    int idx;

    if (kind_parse(o->txn, &k) != 0 || (def = txn_def_of(k)) == NULL)
        return false;
    idx = txn_step_index(def, o->step);
    return idx >= 0 && def->steps[idx].page == PAGE_PAY;
}

static enum txn_pay_verdict
pay_judge(const struct store_order *o, long amount)
{
    if (o->paid_at != 0)
        return PAYV_DUPLICATE;
    if (o->state != ORDER_OPEN)
        return PAYV_CLOSED;
    if (!pay_due(o))
        return PAYV_NOT_DUE;
    if (o->amount <= 0 || amount != o->amount)
        return PAYV_WRONG_AMOUNT;
    return PAYV_OK;
}

int
txn_pay_confirm(store *st, const char *number, long amount, const char *actor, time_t now,
                enum txn_pay_verdict *v)
{
    struct store_order o;
    char detail[160];
    int rc;

    *v = PAYV_UNKNOWN;
    if (st == NULL)
        return STORE_ERR_OPEN;
    if ((rc = store_begin(st)) != STORE_OK)
        return rc;
    rc = store_order_by_number(st, number, &o);
    if (rc == STORE_OK)
        *v = pay_judge(&o, amount);
    else if (rc != STORE_ERR_NOT_FOUND)
        goto fail;
    if (*v == PAYV_OK) {
        rc = store_order_pay(st, o.id, amount, "qr", now, actor);
    } else {
        snprintf(detail, sizeof detail, "order=%.40s amount=%ld reason=%s", number, amount, txn_pay_verdict_code(*v));
        rc = store_audit(st, actor, "pay.refused", detail);
    }
    if (rc != STORE_OK)
        goto fail;
    return store_commit(st);
fail:
    store_rollback(st);
    return rc;
}

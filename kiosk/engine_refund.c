/*
 * kiosk/engine_refund.c - paying back a cancelled order's money (issue 14):
 * the refund recorded with its audit row and the 退款凭证 queued in one unit
 * of work, then the printer asked. Called by the counter's screens (the
 * offer after a paid order's cancellation) and by `kiosk pay refund`; it
 * reads the kinds table and the papers and nothing calls back into it.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printing/print.h"

int
txn_refund(const struct txn_env *env, int64_t order_id, struct store_refund *out, char *err, size_t errlen)
{
    struct store_order order, *o = &order;
    const struct txn_def *def;
    struct prn_order_doc d;
    struct store_clerk c;
    enum txn_kind k;
    struct txn *t;
    int64_t job;
    int rc;

    err[0] = '\0';
    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if ((rc = store_order_get(env->st, order_id, o)) != STORE_OK)
        return rc;
    if (kind_parse(o->txn, &k) != 0 || (def = txn_def_of(k)) == NULL || (t = calloc(1, sizeof *t)) == NULL)
        return STORE_ERR_IO;
    /* the order as it was, for the slip: its company, operator, window */
    txn_begin(t, def, o->window, o->clerk);
    t->order = *o;
    txn_data_decode(t, o->data);
    if ((rc = store_begin(env->st)) != STORE_OK) {
        free(t);
        return rc;
    }
    rc = store_order_refund(env->st, o->id, txn_actor(env), out);
    if (rc == STORE_OK) {
        txn_new_doc(t, env, &d);
        d.refund_amount = out->amount;
        snprintf(d.refund_reason, sizeof d.refund_reason, "%s", out->reason);
        d.printed = out->at;
        /* who paid it back, by name */
        memset(&c, 0, sizeof c);
        if (store_clerk_get(env->st, out->clerk, &c) == STORE_OK && c.name[0] != '\0')
            snprintf(d.clerk, sizeof d.clerk, "%s", c.name);
        else
            snprintf(d.clerk, sizeof d.clerk, "%s", out->clerk);
        if (prn_outbox_add_doc(env->st, env->cfg, o->id, PRN_DOC_REFUND, &d, txn_now(env), &job, err, errlen) != 0)
            rc = STORE_ERR_IO;
    }
    free(t);
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    if (rc != STORE_OK)
        return rc;
    (void)txn_print_kick(env, err, errlen);     /* the slip waits in the outbox if the printer does not take it */
    return STORE_OK;
}

int
txn_refunds_due(const struct txn_env *env, struct store_order *out, size_t max, size_t *n)
{
    *n = 0;
    if (env->st == NULL)
        return STORE_ERR_OPEN;
    return store_orders_refund_due(env->st, out, max, n);
}

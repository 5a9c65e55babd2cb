/*
 * kiosk/engine_mine.c - 我的订单: the key holder's own orders at the
 * self-service terminal (issue 12).
 *
 * The terminal has no clerk and no login: a person proves they hold a
 * company's key by inserting it and typing its PIN, counted by the key's
 * wrong-PIN counter like every other PIN (txn_pin_counted). Only then, and
 * only while that key stays in, are the company's orders taken at this
 * kind of terminal shown: unfinished ones resumed (the transaction opens
 * at its key and PIN again) or cancelled, finished ones' receipts printed
 * again. An ID number opens nothing here; an order taken at a window is
 * never listed, resumed or cancelled from the terminal (txn_order_rights);
 * every action is audited naming the terminal.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>


void
txn_holder_key(const struct txn_env *env, struct txn_holder *h)
{
    struct txn_key_view v;
    struct store_cert rec;
    bool ours = txn_key_first_ours(env, NULL, &v, &rec);

    memset(h, 0, sizeof *h);
    if (v.verdict == KEY_NONE)
        return;
    h->have_key = true;
    snprintf(h->serial, sizeof h->serial, "%s", v.key.serial);
    if (!ours) {
        h->why = v.note != 0 ? v.note : M_KEYST_UNKNOWN;
        snprintf(h->why_text, sizeof h->why_text, "%s", v.note_text);
        return;
    }
    snprintf(h->uscc, sizeof h->uscc, "%s", v.cert.uscc);
    snprintf(h->company, sizeof h->company, "%s", v.cert.holder);
}

void
txn_holder_prove(const struct txn_env *env, struct txn_holder *h, const char *pin, bool final_ok,
                 struct txn_pin_outcome *o)
{
    h->proven = false;
    if (h->why != 0 || !h->have_key) {
        memset(o, 0, sizeof *o);
        o->result = PINR_REFUSED;
        o->why = h->why != 0 ? h->why : M_TXN_KEY_INSERT;
        return;
    }
    txn_pin_counted(env, h->serial, pin, final_ok, NULL, NULL, o);
    h->proven = o->result == PINR_OK;
}

int
txn_holder_orders(const struct txn_env *env, const struct txn_holder *h, struct store_order *out, size_t max,
                  size_t *n)
{
    *n = 0;
    if (!h->proven)
        return STORE_ERR_NOT_FOUND;
    if (env->st == NULL)
        return STORE_ERR_OPEN;
    return store_orders_of_company(env->st, h->uscc, env->window, out, max, n);
}

/* Order ID as the proven holder may see it here: the company's, taken at
 * this kind of terminal. */
static int
holder_order(const struct txn_env *env, const struct txn_holder *h, int64_t id, struct store_order *o)
{
    int rc;

    if (!h->proven)
        return STORE_ERR_NOT_FOUND;
    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if ((rc = store_order_get(env->st, id, o)) != STORE_OK)
        return rc;
    return strcmp(o->uscc, h->uscc) == 0 && strcmp(o->window, env->window) == 0 ? STORE_OK : STORE_ERR_NOT_FOUND;
}

int
txn_holder_rights(const struct txn_env *env, const struct txn_holder *h, int64_t id, struct txn_order_rights *r)
{
    struct store_order o;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = holder_order(env, h, id, &o)) != STORE_OK)
        return rc;
    txn_order_rights(&o, KIND_AT_SELF, env->window, r);
    return STORE_OK;
}

int
txn_holder_cancel(const struct txn_env *env, const struct txn_holder *h, int64_t id, enum msg_id *why)
{
    struct store_order o;
    struct txn_order_rights r;
    struct txn t;
    enum txn_kind k;
    int rc;

    *why = 0;
    if ((rc = holder_order(env, h, id, &o)) != STORE_OK)
        return rc;
    txn_order_rights(&o, KIND_AT_SELF, env->window, &r);
    if (!r.cancel || o.state != ORDER_OPEN || kind_parse(o.txn, &k) != 0 || txn_def_of(k) == NULL) {
        *why = M_MINE_NOT_CANCELLABLE;
        return STORE_ERR_CONFLICT;
    }
    if ((rc = txn_resume(&t, txn_def_of(k), env->st, id)) != STORE_OK)
        return rc;
    rc = txn_cancel_checked(&t, env, "cancelled by the key holder at the terminal", why);
    txn_pin_clear(&t);
    return rc;
}

int
txn_holder_reprint(const struct txn_env *env, const struct txn_holder *h, int64_t id)
{
    struct store_order o;
    int rc;

    if ((rc = holder_order(env, h, id, &o)) != STORE_OK)
        return rc;
    return txn_order_reprint(env, &o);
}

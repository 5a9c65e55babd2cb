/*
 * data/sqlite/orders.c - the SQLite records (data/store.h): orders: create with their number, update, close, find.
 * See data/sqlite/sqlite_int.h for what the files share and why it is built this way.
 */
#include "data/sqlite/sqlite_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* ---- orders --------------------------------------------------------------- */


/* Audit an order event; the caller holds the write transaction. */
int
order_audit_locked(store *st, const struct store_order *o, const char *action, const char *extra)
{
    return order_audit_as(st, o, action, extra, NULL);
}

int
order_audit_as(store *st, const struct store_order *o, const char *action, const char *extra, const char *actor)
{
    char masked[40], detail[512];

    store_mask_id(o->operator_id, masked, sizeof masked);
    snprintf(detail, sizeof detail, "order=%s txn=%s window=%s operator=%s amount=%ld%s%s",
             o->number, o->txn, o->window, masked, o->amount, extra ? " " : "", extra ? extra : "");
    return audit_append_locked(st, actor != NULL && actor[0] ? actor : o->clerk[0] ? o->clerk : "self", action, detail);
}

static const char SQL_ORDER_INSERT[] =
    "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", clerk, operator_id, uscc, step, data,"
    " amount, pay_method, paid_at, state, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?) RETURNING id";

int
store_order_create(store *st, struct store_order *o)
{
    const char *prefix = rules_order_prefix(o->window);
    time_t now = st_now(st);
    struct tm tm;
    char day[16], ymd[16], counter[64];
    stmt *s;
    int64_t seq;
    int rc;

    if (o->txn[0] == '\0' || o->window[0] == '\0') {
        st_detail(st, "order: %s is empty", o->txn[0] == '\0' ? "txn" : "window");
        return STORE_ERR_IO;
    }
    localtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    strftime(ymd, sizeof ymd, "%Y%m%d", &tm);
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    snprintf(counter, sizeof counter, "order:%s:%s", prefix, day);   /* a row per window and day */
    if ((rc = store_counter_next(st, counter, &seq)) != STORE_OK)
        goto fail;
    rules_order_number(o->number, sizeof o->number, prefix, ymd, (long)seq);
    o->state = ORDER_OPEN;
    o->created = o->updated = now;

    if ((s = st_prep(st, SQL_ORDER_INSERT)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_text(s, 1, o->number);
    q_bind_text(s, 2, prefix);
    q_bind_text(s, 3, day);
    q_bind_int(s, 4, seq);
    q_bind_text(s, 5, o->txn);
    q_bind_text(s, 6, o->window);
    q_bind_text(s, 7, o->clerk);
    q_bind_text(s, 8, o->operator_id);
    q_bind_text(s, 9, o->uscc);
    q_bind_text(s, 10, o->step);
    q_bind_text(s, 11, o->data);
    q_bind_int(s, 12, o->amount);
    q_bind_text(s, 13, o->pay_method);
    q_bind_int(s, 14, o->paid_at);
    q_bind_int(s, 15, now);
    q_bind_int(s, 16, now);
    if ((rc = st_step_id(st, s, "order: insert", &o->id)) != STORE_OK) {
        if (rc == STORE_ERR_CONFLICT) {
            char why[sizeof st->detail];
            snprintf(why, sizeof why, "%s", st->detail);    /* not formatted onto itself */
            st_detail(st, "order: operator_id already has an open order (%s)", why);
        }
        goto fail;
    }
    if ((rc = order_audit_locked(st, o, "order.create", NULL)) != STORE_OK)
        goto fail;
    if ((rc = st_commit(st)) != STORE_OK)
        goto fail;
    return STORE_OK;
fail:
    st_rollback(st);
    o->id = 0;
    o->number[0] = '\0';
    return rc;
}

static const char SQL_ORDER_COLS_ID[] =
    "SELECT id, number, txn, \"window\", clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE id = ?";
static const char SQL_ORDER_COLS_NUM[] =
    "SELECT id, number, txn, \"window\", clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE number = ?";
static const char SQL_ORDER_COLS_OPEN[] =
    "SELECT id, number, txn, \"window\", clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE operator_id = ? AND state = 0 AND operator_id <> ''";

void
order_row(stmt *s, struct store_order *o)
{
    memset(o, 0, sizeof *o);
    o->id = q_col_int64(s, 0);
    st_text(s, 1, o->number, sizeof o->number);
    st_text(s, 2, o->txn, sizeof o->txn);
    st_text(s, 3, o->window, sizeof o->window);
    st_text(s, 4, o->clerk, sizeof o->clerk);
    st_text(s, 5, o->operator_id, sizeof o->operator_id);
    st_text(s, 6, o->uscc, sizeof o->uscc);
    st_text(s, 7, o->step, sizeof o->step);
    st_text(s, 8, o->data, sizeof o->data);
    o->amount = (long)q_col_int64(s, 9);
    st_text(s, 10, o->pay_method, sizeof o->pay_method);
    o->paid_at = (time_t)q_col_int64(s, 11);
    o->state = (enum store_order_state)q_col_int(s, 12);
    o->created = (time_t)q_col_int64(s, 13);
    o->updated = (time_t)q_col_int64(s, 14);
}

/* Fetch one order by a text or integer key. */
int
order_fetch(store *st, const char *sql, const char *tkey, int64_t ikey, struct store_order *out)
{
    stmt *s = st_prep(st, sql);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if (tkey != NULL) {
        q_bind_text(s, 1, tkey);
        if (q_nparams(s) >= 2)
            q_bind_int(s, 2, ikey);   /* e.g. the order to leave out */
    } else {
        q_bind_int(s, 1, ikey);
    }
    rc = q_step(s);
    if (rc == Q_ROW) {
        order_row(s, out);
        q_reset(s);
        return STORE_OK;
    }
    q_reset(s);
    if (rc == Q_DONE) {
        if (tkey != NULL)
            st_detail(st, "order %s: not found", tkey);
        else
            st_detail(st, "order %lld: not found", (long long)ikey);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "order: get");
}

int
store_order_get(store *st, int64_t id, struct store_order *out)
{
    return order_fetch(st, SQL_ORDER_COLS_ID, NULL, id, out);
}

int
store_order_by_number(store *st, const char *number, struct store_order *out)
{
    return order_fetch(st, SQL_ORDER_COLS_NUM, number, 0, out);
}

int
store_order_open_for_operator(store *st, const char *operator_id, struct store_order *out)
{
    if (operator_id == NULL || operator_id[0] == '\0') {
        st_detail(st, "order: operator_id is empty");
        return STORE_ERR_NOT_FOUND;
    }
    return order_fetch(st, SQL_ORDER_COLS_OPEN, operator_id, 0, out);
}

static const char SQL_ORDER_COLS_OPEN_USCC[] =
    "SELECT id, number, txn, \"window\", clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE uscc = ?1 AND state = 0 AND uscc <> ''"
    " AND id <> ?2 ORDER BY id LIMIT 1";

static const char SQL_ORDERS_OF_COMPANY[] =
    "SELECT id, number, txn, \"window\", clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE uscc = ?1 AND \"window\" = ?2 AND uscc <> ''"
    " ORDER BY id DESC LIMIT ?3";

int
store_orders_of_company(store *st, const char *uscc, const char *window, struct store_order *out, size_t max,
                        size_t *n)
{
    stmt *s = st_prep(st, SQL_ORDERS_OF_COMPANY);
    int rc = Q_DONE;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, uscc);
    q_bind_text(s, 2, window);
    q_bind_int(s, 3, (int64_t)max);
    while (*n < max && (rc = q_step(s)) == Q_ROW)
        order_row(s, &out[(*n)++]);
    if (*n == max)
        rc = Q_DONE;
    q_reset(s);
    return rc == Q_DONE ? STORE_OK : st_fail(st, rc, "order: of company");
}

int
store_order_open_for_uscc(store *st, const char *uscc, int64_t except, struct store_order *out)
{
    if (uscc == NULL || uscc[0] == '\0') {
        st_detail(st, "order: uscc is empty");
        return STORE_ERR_NOT_FOUND;
    }
    return order_fetch(st, SQL_ORDER_COLS_OPEN_USCC, uscc, except, out);
}

static const char SQL_ORDER_UPDATE[] =
    "UPDATE orders SET step = ?, data = ?, uscc = ?, operator_id = ?,"
    /* a payment, once recorded, is never undone by a save from a counter
     * that has not seen it yet (a provider's confirmation, store_order_pay) */
    " amount = CASE WHEN paid_at <> 0 THEN amount ELSE ? END,"
    " pay_method = CASE WHEN paid_at <> 0 THEN pay_method ELSE ? END,"
    " paid_at = CASE WHEN paid_at <> 0 THEN paid_at ELSE ? END,"
    " updated = ? WHERE id = ? AND state = 0";
static const char SQL_ORDER_STATE[] = "SELECT state FROM orders WHERE id = ?";

/* After an UPDATE ... AND state = 0 changed nothing: NOT_FOUND or CONFLICT. */
int
order_why_unchanged(store *st, int64_t id)
{
    stmt *s = st_prep(st, SQL_ORDER_STATE);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, id);
    rc = q_step(s);
    q_reset(s);
    if (rc == Q_ROW) {
        st_detail(st, "order %lld: no longer open", (long long)id);
        return STORE_ERR_CONFLICT;
    }
    if (rc == Q_DONE) {
        st_detail(st, "order %lld: not found", (long long)id);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "order: state");
}

static const char SQL_ORDER_PAID[] = "SELECT paid_at FROM orders WHERE id = ? AND state = 0";

int
store_order_update(store *st, const struct store_order *o)
{
    stmt *s;
    int64_t was_paid = -1;
    int rc;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_ORDER_PAID)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_int(s, 1, o->id);
    if (q_step(s) == Q_ROW)
        was_paid = q_col_int64(s, 0);
    q_reset(s);
    if ((s = st_prep(st, SQL_ORDER_UPDATE)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_text(s, 1, o->step);
    q_bind_text(s, 2, o->data);
    q_bind_text(s, 3, o->uscc);
    q_bind_text(s, 4, o->operator_id);
    q_bind_int(s, 5, o->amount);
    q_bind_text(s, 6, o->pay_method);
    q_bind_int(s, 7, o->paid_at);
    q_bind_int(s, 8, st_now(st));
    q_bind_int(s, 9, o->id);
    if ((rc = st_step_done(st, s, "order: update")) != STORE_OK)
        goto fail;
    if (q_changes(st) == 0) {
        rc = order_why_unchanged(st, o->id);
        goto fail;
    }
    /* the moment money is taken is part of the audit trail */
    if (was_paid == 0 && o->paid_at != 0) {
        struct store_order cur;
        char extra[64];
        if ((rc = store_order_get(st, o->id, &cur)) != STORE_OK)
            goto fail;
        snprintf(extra, sizeof extra, "method=%s", o->pay_method);
        if ((rc = order_audit_locked(st, &cur, "order.pay", extra)) != STORE_OK)
            goto fail;
    }
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

static const char SQL_ORDER_PAY[] =
    "UPDATE orders SET pay_method = ?, paid_at = ?, updated = ? WHERE id = ? AND state = 0 AND paid_at = 0"
    " AND amount = ?";

int
store_order_pay(store *st, int64_t id, long amount, const char *method, time_t at, const char *actor)
{
    struct store_order cur;
    struct store_payment p;
    stmt *s;
    char extra[96];
    int rc;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_ORDER_PAY)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_text(s, 1, method);
    q_bind_int(s, 2, at ? at : st_now(st));
    q_bind_int(s, 3, st_now(st));
    q_bind_int(s, 4, id);
    q_bind_int(s, 5, amount);
    if ((rc = st_step_done(st, s, "order: pay")) != STORE_OK)
        goto fail;
    if (q_changes(st) == 0) {
        rc = order_why_unchanged(st, id);     /* or open, but paid already or another amount */
        goto fail;
    }
    if ((rc = store_order_get(st, id, &cur)) != STORE_OK)
        goto fail;
    snprintf(extra, sizeof extra, "method=%s", method);
    if ((rc = order_audit_as(st, &cur, "order.pay", extra, actor)) != STORE_OK)
        goto fail;
    memset(&p, 0, sizeof p);
    p.order_id = id;
    snprintf(p.method, sizeof p.method, "%s", method);
    p.amount = amount;
    p.at = cur.paid_at;
    snprintf(p.clerk, sizeof p.clerk, "%s", actor != NULL ? actor : "");
    if ((rc = store_payment_add(st, &p)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

static const char SQL_ORDER_CLOSE[] =
    "UPDATE orders SET state = ?, cancel_reason = ?, updated = ? WHERE id = ? AND state = 0";

int
order_close(store *st, int64_t id, enum store_order_state to, const char *why, const char *actor)
{
    struct store_order o;
    stmt *s;
    char extra[300];
    int rc;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_ORDER_CLOSE)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_int(s, 1, (int)to);
    q_bind_text(s, 2, why != NULL ? why : "");
    q_bind_int(s, 3, st_now(st));
    q_bind_int(s, 4, id);
    if ((rc = st_step_done(st, s, "order: close")) != STORE_OK)
        goto fail;
    if (q_changes(st) == 0) {
        rc = order_why_unchanged(st, id);
        goto fail;
    }
    if ((rc = store_order_get(st, id, &o)) != STORE_OK)
        goto fail;
    if (to == ORDER_CANCELLED)
        snprintf(extra, sizeof extra, "paid=%s why=%.200s", o.paid_at ? o.pay_method : "no", why ? why : "");
    else
        snprintf(extra, sizeof extra, "paid=%s", o.paid_at ? o.pay_method : "no");
    if ((rc = order_audit_as(st, &o, to == ORDER_DONE ? "order.finish" : "order.cancel", extra, actor)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

int
store_order_finish(store *st, int64_t id)
{
    return order_close(st, id, ORDER_DONE, NULL, NULL);
}

int
store_order_cancel(store *st, int64_t id, const char *why)
{
    return order_close(st, id, ORDER_CANCELLED, why, NULL);
}

int
store_order_cancel_by(store *st, int64_t id, const char *why, const char *actor)
{
    return order_close(st, id, ORDER_CANCELLED, why, actor);
}


/* ---- refunds ------------------------------------------------------------------ */

static const char SQL_REFUND_GET[] =
    "SELECT r.id, r.order_id, r.method, r.amount, r.at, r.clerk, o.cancel_reason"
    " FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.order_id = ?";
static const char SQL_REFUND_ADD[] =
    "INSERT INTO refunds (order_id, method, amount, at, day, clerk) VALUES (?,?,?,?,?,?)";

int
store_refund_get(store *st, int64_t order_id, struct store_refund *out)
{
    stmt *s = st_prep(st, SQL_REFUND_GET);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, order_id);
    rc = q_step(s);
    if (rc == Q_ROW) {
        memset(out, 0, sizeof *out);
        out->id = q_col_int64(s, 0);
        out->order_id = q_col_int64(s, 1);
        st_text(s, 2, out->method, sizeof out->method);
        out->amount = (long)q_col_int64(s, 3);
        out->at = (time_t)q_col_int64(s, 4);
        st_text(s, 5, out->clerk, sizeof out->clerk);
        st_text(s, 6, out->reason, sizeof out->reason);
    }
    q_reset(s);
    if (rc == Q_ROW)
        return STORE_OK;
    if (rc == Q_DONE) {
        st_detail(st, "refund of order %lld: none", (long long)order_id);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "refund: get");
}

int
store_order_refund(store *st, int64_t id, const char *actor, struct store_refund *out)
{
    struct store_order o;
    struct store_refund r;
    stmt *s;
    char day[16], extra[160];
    struct tm tm;
    time_t now = st_now(st);
    int rc;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((rc = store_order_get(st, id, &o)) != STORE_OK)
        goto fail;
    if (o.state != ORDER_CANCELLED || o.paid_at == 0 || o.amount <= 0 || o.pay_method[0] == '\0') {
        st_detail(st, "order %s: %s", o.number, o.state != ORDER_CANCELLED ? "not cancelled" : "nothing was paid");
        rc = STORE_ERR_CONFLICT;
        goto fail;
    }
    if ((rc = store_refund_get(st, id, &r)) != STORE_ERR_NOT_FOUND) {
        if (rc == STORE_OK) {
            st_detail(st, "order %s: refunded already", o.number);
            rc = STORE_ERR_CONFLICT;
        }
        goto fail;
    }
    localtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    if ((s = st_prep(st, SQL_REFUND_ADD)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_int(s, 1, id);
    q_bind_text(s, 2, o.pay_method);
    q_bind_int(s, 3, o.amount);
    q_bind_int(s, 4, now);
    q_bind_text(s, 5, day);
    q_bind_text(s, 6, actor != NULL ? actor : "");
    if ((rc = st_step_done(st, s, "refund: add")) != STORE_OK)
        goto fail;
    snprintf(extra, sizeof extra, "method=%s refunded=%ld", o.pay_method, o.amount);
    if ((rc = order_audit_as(st, &o, "order.refund", extra, actor)) != STORE_OK)
        goto fail;
    if (out != NULL && (rc = store_refund_get(st, id, out)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

static const char SQL_ORDERS_REFUND_DUE[] =
    "SELECT id, number, txn, \"window\", clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders o WHERE state = 2 AND paid_at <> 0 AND amount > 0"
    " AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id) ORDER BY updated DESC, id DESC LIMIT ?1";

int
store_orders_refund_due(store *st, struct store_order *out, size_t max, size_t *n)
{
    stmt *s = st_prep(st, SQL_ORDERS_REFUND_DUE);
    int rc = Q_DONE;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, (int64_t)max);
    while (*n < max && (rc = q_step(s)) == Q_ROW)
        order_row(s, &out[(*n)++]);
    if (*n == max)
        rc = Q_DONE;
    q_reset(s);
    return rc == Q_DONE ? STORE_OK : st_fail(st, rc, "order: refunds due");
}

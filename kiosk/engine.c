/*
 * kiosk/engine.c - the transaction engine: step tables, values kept as
 * key=value pairs, the order written to the store at every step, resume and
 * cancel. See kiosk/engine.h for the contract. No ncurses here.
 */
#include "kiosk/engine.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kiosk/textw.h"

/* ---- values ------------------------------------------------------------ */

void
txn_begin(struct txn *t, const struct txn_def *def, const char *window, const char *clerk)
{
    memset(t, 0, sizeof *t);
    /* the PINs kept while they are needed: out of swap (best effort) */
    (void)mlock(t->pin, sizeof t->pin + sizeof t->pin_old);
    t->def = def;
    snprintf(t->order.txn, sizeof t->order.txn, "%s", kind_code(def->kind));
    snprintf(t->order.window, sizeof t->order.window, "%s", window ? window : "");
    snprintf(t->order.clerk, sizeof t->order.clerk, "%s", clerk ? clerk : "");
}

int
txn_step_index(const struct txn_def *def, const char *name)
{
    int i;

    for (i = 0; name != NULL && i < def->nsteps; i++)
        if (strcmp(def->steps[i].name, name) == 0)
            return i;
    return -1;
}

const struct txn_step *
txn_cur(const struct txn *t)
{
    return &t->def->steps[t->step];
}

static struct txn_kv *
txn_find(const struct txn *t, const char *key)
{
    int i;

    for (i = 0; i < t->nkv; i++)
        if (strcmp(t->kv[i].key, key) == 0)
            return (struct txn_kv *)&t->kv[i];
    return NULL;
}

const char *
txn_get(const struct txn *t, const char *key)
{
    const struct txn_kv *kv = txn_find(t, key);

    return kv ? kv->val : "";
}

static bool
txn_key_ok(const char *key)
{
    size_t i, n = strlen(key);

    if (n == 0 || n >= TXN_KEY_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (!(islower((unsigned char)key[i]) || isdigit((unsigned char)key[i]) || key[i] == '_'))
            return false;
    return true;
}

int
txn_set(struct txn *t, const char *key, const char *val)
{
    struct txn_kv *kv;
    const char *src;
    size_t out;
    wchar_t wc;

    if (!txn_key_ok(key))
        return -1;
    if ((kv = txn_find(t, key)) == NULL) {
        if (t->nkv >= TXN_KV_MAX)
            return -1;
        kv = &t->kv[t->nkv++];
        snprintf(kv->key, sizeof kv->key, "%s", key);
    }
    /* Valid UTF-8 without control characters, whatever the locale:
     * bad bytes become U+FFFD, controls a space, cut on a character boundary. */
    out = 0;
    src = val ? val : "";
    while (*src != '\0') {
        char enc[4];
        size_t used = textw_decode(src, strlen(src), &wc), el;
        if (wc < 0x20 || wc == 0x7f)
            wc = ' ';
        el = textw_encode(wc, enc);
        if (el == 0)
            el = textw_encode(TEXTW_REPLACEMENT, enc);
        if (out + el >= sizeof kv->val)
            break;
        memcpy(kv->val + out, enc, el);
        out += el;
        src += used;
    }
    kv->val[out] = '\0';
    return 0;
}

int
txn_get_int(const struct txn *t, const char *key, int dflt)
{
    const char *v = txn_get(t, key);
    char *end;
    long l;

    if (*v == '\0')
        return dflt;
    l = strtol(v, &end, 10);
    return *end == '\0' ? (int)l : dflt;
}

int
txn_set_int(struct txn *t, const char *key, int v)
{
    char buf[24];

    snprintf(buf, sizeof buf, "%d", v);
    return txn_set(t, key, buf);
}

int
txn_data_encode(const struct txn *t, char *buf, size_t n)
{
    size_t used = 0;
    int i, w;

    if (n == 0)
        return -1;
    buf[0] = '\0';
    for (i = 0; i < t->nkv; i++) {
        w = snprintf(buf + used, n - used, "%s=%s\n", t->kv[i].key, t->kv[i].val);
        if (w < 0 || (size_t)w >= n - used) {
            buf[used] = '\0';
            return -1;
        }
        used += (size_t)w;
    }
    return 0;
}

int
txn_data_decode(struct txn *t, const char *data)
{
    const char *p = data, *nl, *eq;
    char key[TXN_KEY_MAX], val[TXN_VAL_MAX];
    int n = 0;

    t->nkv = 0;
    memset(t->kv, 0, sizeof t->kv);
    while (p != NULL && *p != '\0') {
        nl = strchr(p, '\n');
        eq = memchr(p, '=', nl ? (size_t)(nl - p) : strlen(p));
        if (eq != NULL && (size_t)(eq - p) < sizeof key) {
            size_t vl = nl ? (size_t)(nl - eq - 1) : strlen(eq + 1);
            memcpy(key, p, (size_t)(eq - p));
            key[eq - p] = '\0';
            if (vl >= sizeof val)
                vl = sizeof val - 1;
            memcpy(val, eq + 1, vl);
            val[vl] = '\0';
            if (txn_set(t, key, val) == 0)
                n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

void
txn_pin_clear(struct txn *t)
{
    volatile char *p = t->pin, *o = t->pin_old;
    size_t i;

    for (i = 0; i < sizeof t->pin; i++)
        p[i] = 0;
    for (i = 0; i < sizeof t->pin_old; i++)
        o[i] = 0;
}

/* ---- stages ------------------------------------------------------------------- */

int
txn_stage_next(const struct txn *t)
{
    const struct txn_step *st = txn_cur(t);
    int i;

    for (i = 0; i < st->nstages; i++)
        if (!st->stages[i]->done(t))
            return i;
    return st->nstages;
}

enum txn_run_result
txn_advance(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    const struct txn_step *st = txn_cur(t);
    enum txn_run_result res;

    memset(r, 0, sizeof *r);
    r->stage = txn_stage_next(t);
    if (r->stage >= st->nstages)
        return RUN_DONE;
    res = st->stages[r->stage]->run(t, env, r);
    if (res == RUN_TOKEN)
        txn_pin_clear(t);
    return res;
}

static bool
stage_finish_done(const struct txn *t)
{
    return t->order.state == ORDER_DONE;
}

static enum txn_run_result
stage_finish_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    int rc = txn_finish(t, env->st);

    if (rc != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    return RUN_OK;
}

const struct txn_stage txn_stage_finish = {
    .name = "finish",
    .title = M_TXN_ISSUE_S_FINISH,
    .done = stage_finish_done,
    .run = stage_finish_run,
};

/* ---- the journal ------------------------------------------------------------ */

const char *
txn_actor(const struct txn_env *env)
{
    return env->clerk != NULL && env->clerk[0] ? env->clerk : env->window != NULL && env->window[0] ? env->window : "self";
}

time_t
txn_now(const struct txn_env *env)
{
    return env->now ? env->now : time(NULL);
}

void
txn_fault(const char *point)
{
    const char *want = getenv("KIOSK_FAULT_KILL"), *trace = getenv("KIOSK_FAULT_TRACE");
    FILE *f;

    if (trace != NULL && *trace != '\0' && (f = fopen(trace, "ae")) != NULL) {
        fprintf(f, "%s\n", point);
        fclose(f);
    }
    if (want != NULL && strcmp(want, point) == 0)
        raise(SIGKILL);
}

int
txn_mark(struct txn *t, store *st, const char *key, const char *val)
{
    char old[TXN_VAL_MAX];
    bool had = txn_find(t, key) != NULL;
    int rc;

    snprintf(old, sizeof old, "%s", txn_get(t, key));
    if (txn_set(t, key, val) != 0)
        return STORE_ERR_IO;
    rc = st == NULL ? STORE_ERR_OPEN : txn_save(t, st);
    if (rc == STORE_OK && t->order.id == 0)
        rc = STORE_ERR_NOT_FOUND;   /* nothing durable to write ahead into */
    if (rc != STORE_OK)
        txn_set(t, key, had ? old : "");
    return rc;
}

/* ---- steps and the order ------------------------------------------------- */

enum msg_id
txn_may_enter(const struct txn *t, int idx)
{
    if (idx < 0 || idx >= t->def->nsteps)
        return M_TXN_NO_STEP;
    if ((t->def->steps[idx].flags & TXN_STEP_PAID) && t->order.paid_at == 0)
        return M_TXN_NOT_PAID;
    return 0;
}

/* The order row and the transaction's records, all or nothing. */
static int
txn_save_unit(struct txn *t, store *st)
{
    struct store_order *o = &t->order;
    bool creating = o->id == 0;
    int rc;

    if ((rc = store_begin(st)) != STORE_OK)
        return rc;
    rc = creating ? store_order_create(st, o) : store_order_update(st, o);
    if (rc == STORE_OK && t->def->records != NULL)
        rc = t->def->records(t, st);
    if (rc == STORE_OK)
        rc = store_commit(st);
    else
        store_rollback(st);
    if (rc != STORE_OK && creating) {
        o->id = 0;            /* the create was undone with the rest */
        o->number[0] = '\0';
    }
    return rc;
}

/* An order is written once there is something to find it by: the
 * operator's ID number, or for a holder's order (self-service) its quote,
 * which comes after the key's PIN. */
static bool
txn_findable(const struct txn *t)
{
    return t->order.id != 0 || txn_get(t, "operator_id")[0] != '\0' ||
           (t->def->holder_order && txn_get(t, "uscc")[0] != '\0' && strtol(txn_get(t, "amount"), NULL, 10) > 0);
}

bool
txn_pay_poll(struct txn *t, store *st)
{
    struct store_order o;
    char buf[32];

    if (st == NULL || t->order.id == 0 || t->order.paid_at != 0)
        return false;
    if (store_order_get(st, t->order.id, &o) != STORE_OK || o.paid_at == 0)
        return false;
    t->order.paid_at = o.paid_at;
    t->order.amount = o.amount;
    snprintf(t->order.pay_method, sizeof t->order.pay_method, "%s", o.pay_method);
    snprintf(buf, sizeof buf, "%ld", o.amount);
    txn_set(t, "amount", buf);
    return true;
}

int
txn_save(struct txn *t, store *st)
{
    struct store_order *o = &t->order;
    const char *amount = txn_get(t, "amount");
    int rc;

    snprintf(o->step, sizeof o->step, "%s", txn_cur(t)->name);
    snprintf(o->operator_id, sizeof o->operator_id, "%s", txn_get(t, "operator_id"));
    snprintf(o->uscc, sizeof o->uscc, "%s", txn_get(t, "uscc"));
    o->amount = *amount ? strtol(amount, NULL, 10) : 0;
    if (txn_data_encode(t, o->data, sizeof o->data) != 0)
        return STORE_ERR_IO;
    if (st == NULL)
        return STORE_ERR_OPEN;
    if (o->id != 0 && o->state != ORDER_OPEN)
        return STORE_OK; /* finished or cancelled orders are never changed */
    if (!txn_findable(t))
        return STORE_OK; /* nothing to find it by yet: kept in memory */
    if ((rc = txn_save_unit(t, st)) == STORE_OK)
        (void)txn_pay_poll(t, st);  /* a provider's payment this counter had not seen */
    return rc;
}

int
txn_goto(struct txn *t, store *st, int idx)
{
    int from = t->step, rc;

    if (txn_may_enter(t, idx) != 0)
        return STORE_ERR_CONFLICT;
    t->step = idx;
    if ((rc = txn_save(t, st)) == STORE_ERR_CONFLICT)
        t->step = from;     /* the records refuse the order: a retry cannot help */
    return rc;
}

enum msg_id
txn_save_refused(const struct txn *t, store *st, int rc)
{
    struct store_order o;
    const char *op = txn_get(t, "operator_id");

    if (rc == STORE_ERR_RETRY)
        return M_TXN_DB_BUSY;
    if (rc != STORE_ERR_CONFLICT || st == NULL)
        return M_TXN_DB_ERROR;
    if (t->order.id != 0 && store_order_get(st, t->order.id, &o) == STORE_OK && o.state != ORDER_OPEN)
        return M_TXN_ORDER_CLOSED_ELSEWHERE;
    /* another counter opened one first, between the form's check and this save */
    if (op[0] != '\0' && store_order_open_for_operator(st, op, &o) == STORE_OK && o.id != t->order.id)
        return rules_msg(rules_new_order_allowed(true));
    if (store_order_open_for_uscc(st, txn_get(t, "uscc"), t->order.id, &o) == STORE_OK)
        return M_TXN_COMPANY_HAS_ORDER;
    return M_TXN_DB_ERROR;
}

int
txn_step_after(const struct txn *t, const struct txn_env *env, int from, int dir)
{
    int i = from + dir;

    while (i >= 0 && i < t->def->nsteps && t->def->steps[i].skip != NULL && t->def->steps[i].skip(t, env))
        i += dir;
    return i;
}

void
txn_key_skip(struct txn *t)
{
    char k[TXN_KEY_MAX];

    snprintf(k, sizeof k, "%s_skipped", txn_cur(t)->name);
    txn_set(t, k, "1");
}

bool
txn_key_holder(const struct txn *t)
{
    return t->def->servicing || (txn_cur(t)->flags & TXN_STEP_HOLDER_KEY);
}

enum rules_status
txn_quote(struct txn *t, const struct txn_env *env, struct rules_quote *q, char *note, size_t n)
{
    const struct cfg_profile *p = cfg_profile(env->cfg);
    struct rules_quote_in in;
    char why[256] = "";
    enum rules_status rs;

    memset(&in, 0, sizeof in);
    in.years = txn_get_int(t, "years", p->default_years);
    if (t->def->quote_in != NULL)
        t->def->quote_in(t, env, &in, why, sizeof why);
    if (note != NULL && n > 0)
        snprintf(note, n, "%s", why);
    if ((rs = rules_fee_quote(p, t->def->kind, &in, q)) == RULES_OK && t->order.paid_at == 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%ld", q->total);
        txn_set(t, "amount", buf);
    }
    return rs;
}

int
txn_pay(struct txn *t, store *st, const char *method, time_t now)
{
    struct store_order saved = t->order;
    struct store_payment p;
    bool nothing = strcmp(method, "free") == 0;
    int rc;

    if (st == NULL)
        return STORE_ERR_OPEN;
    if (!txn_findable(t))
        return STORE_ERR_NOT_FOUND; /* no order to pay yet */
    if (nothing && strtol(txn_get(t, "amount"), NULL, 10) != 0)
        return STORE_ERR_CONFLICT;  /* "free" only where the quote is 0 */
    if ((rc = store_begin(st)) != STORE_OK)
        return rc;
    snprintf(t->order.pay_method, sizeof t->order.pay_method, "%s", nothing ? "" : method);
    t->order.paid_at = now ? now : time(NULL);
    rc = txn_save(t, st);
    if (rc == STORE_OK && nothing && saved.paid_at == 0 && t->order.state == ORDER_OPEN) {
        /* nothing was paid: no payment row; who confirmed it free is audited */
        char detail[128];
        snprintf(detail, sizeof detail, "order=%s txn=%s amount=0", t->order.number, kind_info(t->def->kind)->code);
        rc = store_audit(st, t->order.clerk[0] ? t->order.clerk : t->order.window, "order.free", detail);
    } else if (rc == STORE_OK && saved.paid_at == 0 && t->order.state == ORDER_OPEN) {
        memset(&p, 0, sizeof p);
        p.order_id = t->order.id;
        snprintf(p.method, sizeof p.method, "%s", method);
        p.amount = t->order.amount;
        p.at = t->order.paid_at;
        snprintf(p.clerk, sizeof p.clerk, "%s", t->order.clerk);
        rc = store_payment_add(st, &p);
    }
    if (rc == STORE_OK)
        rc = store_commit(st);
    else
        store_rollback(st);
    if (rc != STORE_OK) {
        if (saved.id == 0) {
            t->order.id = 0;
            t->order.number[0] = '\0';
        }
        /* Not recorded: the order is not paid. */
        snprintf(t->order.pay_method, sizeof t->order.pay_method, "%s", saved.pay_method);
        t->order.paid_at = saved.paid_at;
        return rc;
    }
    txn_fault("pay");
    return rc;
}

int
txn_resume(struct txn *t, const struct txn_def *def, store *st, int64_t id)
{
    struct store_order o;
    int rc, idx;

    if ((rc = store_order_get(st, id, &o)) != STORE_OK)
        return rc;
    if (o.state != ORDER_OPEN || strcmp(o.txn, kind_code(def->kind)) != 0)
        return STORE_ERR_CONFLICT;
    txn_begin(t, def, o.window, o.clerk);
    t->order = o;
    txn_data_decode(t, o.data);
    idx = txn_step_index(def, o.step);
    if (idx < 0)
        idx = 0;
    if (def->steps[idx].resume_at != NULL) {
        int r = txn_step_index(def, def->steps[idx].resume_at);
        if (r >= 0)
            idx = r;
    }
    if (def->resume_at != NULL) {
        /* the journal knows better: e.g. records written, only papers left */
        int r = txn_step_index(def, def->resume_at(t));
        if (r >= 0)
            idx = r;
    }
    while (idx > 0 && txn_may_enter(t, idx) != 0)
        idx--;
    t->step = idx;
    return STORE_OK;
}

/* "NN-YYYYMMDD-NNNN" */
static bool
txn_is_order_number(const char *s)
{
    size_t i;

    if (strlen(s) != 16 || s[2] != '-' || s[11] != '-')
        return false;
    for (i = 0; i < 16; i++)
        if (i != 2 && i != 11 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

int
txn_find_order(store *st, const char *text, struct store_order *o)
{
    if (st == NULL)
        return STORE_ERR_OPEN;
    return txn_is_order_number(text) ? store_order_by_number(st, text, o) : store_order_open_for_operator(st, text, o);
}

int
txn_find_open(store *st, const char *operator_id, struct store_order *o)
{
    if (st == NULL)
        return STORE_ERR_OPEN;
    return store_order_open_for_operator(st, operator_id, o);
}

int
txn_cancel(struct txn *t, store *st, const char *why)
{
    return txn_cancel_as(t, st, why, NULL);
}

int
txn_cancel_as(struct txn *t, store *st, const char *why, const char *actor)
{
    int rc = STORE_OK;

    txn_pin_clear(t);
    if (t->order.id != 0 && (rc = store_order_cancel_by(st, t->order.id, why, actor)) == STORE_OK)
        t->order.state = ORDER_CANCELLED;
    return rc;
}


int
txn_finish(struct txn *t, store *st)
{
    int rc, cur = t->step;

    txn_pin_clear(t);
    if (t->order.id == 0)
        return STORE_ERR_NOT_FOUND;
    if (st == NULL)
        return STORE_ERR_OPEN;
    /* The order is stored at the step it reached: the last one. */
    if ((rc = store_begin(st)) != STORE_OK)
        return rc;
    t->step = t->def->nsteps - 1;
    if ((rc = txn_save(t, st)) == STORE_OK && (rc = store_order_finish(st, t->order.id)) == STORE_OK)
        rc = store_commit(st);
    else
        store_rollback(st);
    if (rc == STORE_OK)
        t->order.state = ORDER_DONE;
    t->step = cur;  /* the page in memory is the host's to move */
    return rc;
}

enum msg_id
txn_tok_msg(int status)
{
    switch (status) {
    case TOK_OK: return M_TOK_OK;
    case TOK_ERR_MODULE: return M_TOK_ERR_MODULE;
    case TOK_ERR_NO_KEY: return M_TOK_ERR_NO_KEY;
    case TOK_ERR_REMOVED: return M_TOK_ERR_REMOVED;
    case TOK_ERR_NO_CERT: return M_TOK_ERR_NO_CERT;
    case TOK_ERR_FOREIGN_CERT: return M_TOK_ERR_FOREIGN_CERT;
    case TOK_ERR_PIN_INCORRECT: return M_TOK_ERR_PIN_INCORRECT;
    case TOK_ERR_PIN_LOCKED: return M_TOK_ERR_PIN_LOCKED;
    case TOK_ERR_PIN_POLICY: return M_TOK_ERR_PIN_POLICY;
    case TOK_ERR_HSM: return M_TOK_ERR_HSM;
    case TOK_ERR_NOT_BLANK: return M_TOK_ERR_NOT_BLANK;
    case TOK_ERR_VERIFY: return M_TOK_ERR_VERIFY;
    case TOK_ERR_BAD_CERT: return M_TOK_ERR_BAD_CERT;
    case TOK_ERR_CA_INVALID: return M_TOK_ERR_CA_INVALID;
    case TOK_ERR_HSM_LOCKED: return M_TOK_ERR_HSM_LOCKED;
    default: return M_TOK_ERR_INTERNAL;
    }
}

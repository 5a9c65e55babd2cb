/*
 * kiosk/engine_key.c - the key's life and its PIN, shared by every
 * transaction that touches a holder's key: a state change with its audit
 * row (txn_key_event, the moves of kiosk/keylife.c), the counted PIN login
 * (txn_pin_counted), and the key page of the servicing transactions
 * (txn_svc_key_scan/take).
 *
 * The wrong-PIN counter (data/store.h, keys.pin_fails) is raised durably
 * before every login and cleared after a right PIN, so neither a crash nor
 * a pulled key gives a free try; a key whose counter reaches [token]
 * pin_max_tries is locked in the records. A real token's own counter is
 * honoured too: its flags are read live before each login, and
 * CKR_PIN_LOCKED or CKF_USER_PIN_LOCKED lock the key here at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/clock.h"
#include "kiosk/engine.h"

int
txn_key_event(const struct txn_env *env, const char *serial, enum key_event ev, const char *detail)
{
    enum key_state to;
    unsigned from;
    char line[512];
    int rc;

    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if (keylife_event(ev, &to, &from) != 0)
        return STORE_ERR_IO;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return rc;
    rc = store_key_state_set(env->st, serial, from, (int)to, ev == KEYEV_ISSUE || ev == KEYEV_UNLOCK);
    if (rc == STORE_OK) {
        snprintf(line, sizeof line, "key=%s to=%s%s%s", serial, keylife_state_name(to), detail && *detail ? " " : "",
                 detail ? detail : "");
        char action[32];
        snprintf(action, sizeof action, "key.%s", keylife_event_name(ev));
        rc = store_audit(env->st, txn_actor(env), action, line);
    }
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    return rc;
}

static int
pin_max(const struct txn_env *env)
{
    return env->cfg != NULL && env->cfg->pin_max_tries > 0 ? env->cfg->pin_max_tries : 10;
}

int
txn_pin_view(const struct txn_env *env, const char *serial, struct txn_pin_view *v)
{
    struct store_key k;
    struct tok_pin_info pi;
    int rc;

    memset(v, 0, sizeof *v);
    v->max = pin_max(env);
    v->left = v->max;
    v->state = KEYST_BLANK;
    if (env->st == NULL)
        return STORE_ERR_OPEN;
    rc = store_key_get(env->st, serial, &k);
    if (rc != STORE_OK && rc != STORE_ERR_NOT_FOUND)
        return rc;
    if (rc == STORE_OK) {
        v->known = true;
        v->state = (enum key_state)k.state;
        v->fails = k.pin_fails;
    }
    v->tok_rc = env->tok != NULL ? tok_pin_info(env->tok, serial, &pi) : TOK_ERR_MODULE;
    if (v->tok_rc == TOK_OK) {
        v->token_locked = pi.locked;
        v->count_low = pi.count_low;
    }
    v->left = keylife_pin_left(v->max, v->fails, v->tok_rc == TOK_OK && pi.final_try, v->token_locked);
    v->final_try = v->left == 1;
    v->locked = v->token_locked || v->left == 0 || v->state == KEYST_LOCKED;
    return STORE_OK;
}

/* The key is locked now: in the records (audited), once. */
static void
pin_lock(const struct txn_env *env, const char *serial, const char *why, struct txn_pin_outcome *o)
{
    int rc = txn_key_event(env, serial, KEYEV_LOCK, why);

    o->result = PINR_LOCKED;
    o->left = 0;
    o->why = M_KEYST_WHY_LOCKED;
    if (rc != STORE_OK && rc != STORE_ERR_CONFLICT)
        o->store_rc = rc;   /* the lock is derived from the counter anyway */
}

static int
op_verify(tok_ctx *tok, const char *serial, const char *pin, void *arg)
{
    (void)arg;
    return tok_pin_verify(tok, serial, pin);
}

void
txn_pin_counted(const struct txn_env *env, const char *serial, const char *pin, bool final_ok, txn_pin_op op,
                void *arg, struct txn_pin_outcome *o)
{
    txn_pin_counted_for(env, KEYEV_USE, serial, pin, final_ok, op, arg, o);
}

void
txn_pin_counted_for(const struct txn_env *env, enum key_event ev, const char *serial, const char *pin, bool final_ok,
                    txn_pin_op op, void *arg, struct txn_pin_outcome *o)
{
    struct txn_pin_view v;
    int rc, fails = 0;
    char why[64];

    memset(o, 0, sizeof *o);
    if (env->tok == NULL) {
        o->result = PINR_TOKEN;
        o->tok_rc = TOK_ERR_MODULE;
        return;
    }
    if ((rc = txn_pin_view(env, serial, &v)) != STORE_OK) {
        o->result = PINR_STORE;
        o->store_rc = rc;
        return;
    }
    if (v.tok_rc != TOK_OK) {
        o->result = PINR_TOKEN;
        o->tok_rc = v.tok_rc;
        return;
    }
    o->left = v.left;
    if (!v.known) {
        o->result = PINR_REFUSED;
        o->why = M_KEYST_WHY_BLANK;
        return;
    }
    if (v.state != KEYST_LOCKED && !keylife_may(v.state, ev)) {
        o->result = PINR_REFUSED;
        o->why = keylife_refusal(v.state);
        return;
    }
    if (v.locked) {
        if (v.state == KEYST_LOCKED) {
            o->result = PINR_LOCKED;    /* locked already: nothing to record again */
            o->left = 0;
            o->why = M_KEYST_WHY_LOCKED;
        } else {
            pin_lock(env, serial, v.token_locked ? "by=token" : "by=counter", o);
        }
        return;
    }
    if (v.final_try && !final_ok) {
        o->result = PINR_CONFIRM;
        return;
    }
    /* the try is counted before it is made */
    rc = store_key_pin_try(env->st, serial, v.max, &fails);
    if (rc == STORE_ERR_CONFLICT) {
        pin_lock(env, serial, "by=counter", o);
        return;
    }
    if (rc != STORE_OK) {
        o->result = PINR_STORE;
        o->store_rc = rc;
        return;
    }
    txn_fault("pin_counted");
    rc = (op != NULL ? op : op_verify)(env->tok, serial, pin, arg);
    if (rc == TOK_OK) {
        (void)store_key_pin_clear(env->st, serial);     /* if it fails the count stays high: never lower */
        o->result = PINR_OK;
        o->left = v.max;
        return;
    }
    o->left = keylife_pin_left(v.max, fails, false, false);
    if (rc == TOK_ERR_PIN_LOCKED) {
        pin_lock(env, serial, "by=token", o);
        return;
    }
    if (rc == TOK_ERR_PIN_INCORRECT) {
        struct tok_pin_info pi;
        if (tok_pin_info(env->tok, serial, &pi) == TOK_OK) {
            if (pi.locked) {
                pin_lock(env, serial, "by=token", o);
                return;
            }
            o->left = keylife_pin_left(v.max, fails, pi.final_try, false);
        }
        if (o->left <= 0) {
            snprintf(why, sizeof why, "by=counter fails=%d", fails);
            pin_lock(env, serial, why, o);
            return;
        }
        o->result = PINR_WRONG;
        return;
    }
    o->result = PINR_TOKEN;
    o->tok_rc = rc;
}

enum txn_run_result
txn_pin_run_result(const struct txn_pin_outcome *o, struct txn_run *r)
{
    switch (o->result) {
    case PINR_OK:
        return RUN_OK;
    case PINR_STORE:
        return r->store_rc = o->store_rc, RUN_STORE;
    case PINR_TOKEN:
        return r->tok_rc = o->tok_rc, RUN_TOKEN;
    case PINR_WRONG:
    case PINR_CONFIRM:
        return r->tok_rc = TOK_ERR_PIN_INCORRECT, RUN_TOKEN;
    case PINR_LOCKED:
    case PINR_REFUSED:
        break;
    }
    r->why = txn_pin_msg(o);
    return RUN_REFUSED;
}

enum msg_id
txn_pin_msg(const struct txn_pin_outcome *o)
{
    switch (o->result) {
    case PINR_OK:
        return 0;
    case PINR_WRONG:
        return o->left <= 3 ? M_PIN_WRONG_LEFT : M_PIN_WRONG;
    case PINR_LOCKED:
        return M_KEYST_WHY_LOCKED;
    case PINR_CONFIRM:
        return M_PIN_FINAL_CONFIRM;
    case PINR_REFUSED:
        return o->why ? o->why : M_KEYST_UNKNOWN;
    case PINR_STORE:
        return o->store_rc == STORE_ERR_RETRY ? M_PIN_DB_BUSY : M_PIN_DB_ERROR;
    case PINR_TOKEN:
        return txn_tok_msg(o->tok_rc);
    }
    return M_KEYST_UNKNOWN;
}

/* What T's service does to the holder's key (its def's key_ev; use by default). */
static enum key_event
svc_event(const struct txn *t)
{
    return t->def->key_ev != KEYEV_ISSUE ? t->def->key_ev : KEYEV_USE;
}

void
txn_pin_check(struct txn *t, const struct txn_env *env, const char *pin, bool final_ok, struct txn_pin_outcome *o)
{
    /* the service's own event: 解挂 proves the found key's PIN while the key is still held */
    txn_pin_counted_for(env, svc_event(t), txn_get(t, "key_serial"), pin, final_ok, NULL, NULL, o);
    if (o->result == PINR_OK)
        snprintf(t->pin_old, sizeof t->pin_old, "%s", pin);
}

int
txn_one_key(const struct txn_env *env, const char *prefer, struct tok_key *key, char *why, size_t n)
{
    struct tok_key keys[8];
    size_t nk = 0, i, off = 0;
    char list[200];

    memset(key, 0, sizeof *key);
    if (why != NULL && n > 0)
        why[0] = '\0';
    if (env->tok == NULL || tok_keys(env->tok, keys, 8, &nk) != TOK_OK || nk == 0)
        return 0;
    for (i = 0; i < nk; i++)
        if (nk == 1 || (prefer != NULL && prefer[0] != '\0' && strcmp(keys[i].serial, prefer) == 0)) {
            *key = keys[i];
            return 1;
        }
    list[0] = '\0';
    for (i = 0; i < nk && off < sizeof list; i++) {
        int w = snprintf(list + off, sizeof list - off, "%s%s", i ? msg(M_LIST_SEP) : "", keys[i].serial);
        if (w < 0)
            break;
        off += (size_t)w;
    }
    if (why != NULL && n > 0)
        msg_fmt(why, n, M_KEY_SEVERAL, (int)nk, list);
    return (int)nk;
}

/* ---- the key page of the servicing transactions ---------------------------- */

bool
txn_key_first_ours(const struct txn_env *env, const char *prefer, struct txn_key_view *v, struct store_cert *rec)
{
    int n, rc;

    memset(v, 0, sizeof *v);
    v->cert_rc = TOK_ERR_NO_CERT;
    v->pin_left = -1;
    if ((n = txn_one_key(env, prefer, &v->key, v->note_text, sizeof v->note_text)) == 0)
        return false;
    v->verdict = KEY_REFUSED;
    if (n > 1) {
        v->note = M_KEY_SEVERAL;    /* which one? none is read */
        return false;
    }
    v->cert_rc = tok_read_cert(env->tok, v->key.serial, &v->cert);
    v->has_cert = v->cert_rc != TOK_ERR_NO_CERT;
    if (v->cert_rc == TOK_ERR_REMOVED || v->cert_rc == TOK_ERR_NO_KEY) {
        memset(v, 0, sizeof *v);
        return false;
    }
    if (v->cert_rc != TOK_OK) {
        v->note = v->cert_rc == TOK_ERR_NO_CERT ? M_KEYST_WHY_BLANK : txn_tok_msg(v->cert_rc);
        return false;
    }
    if (env->st == NULL) {
        v->note = M_TXN_DB_ERROR;
        return false;
    }
    rc = store_cert_get(env->st, v->cert.serial_hex, rec);
    if (rc != STORE_OK) {
        v->note = rc == STORE_ERR_NOT_FOUND ? M_SVC_NOT_RECORDED : M_TXN_DB_ERROR;
        return false;
    }
    return true;
}

void
txn_svc_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v)
{
    struct store_cert rec;
    struct txn_pin_view pv;
    enum key_event ev = svc_event(t);
    int rc;

    if (!txn_key_first_ours(env, txn_get(t, "key_serial"), v, &rec))
        return;
    if ((rc = txn_pin_view(env, v->key.serial, &pv)) != STORE_OK) {
        v->note = M_TXN_DB_ERROR;
        return;
    }
    if (pv.tok_rc == TOK_ERR_REMOVED || pv.tok_rc == TOK_ERR_NO_KEY) {
        memset(v, 0, sizeof *v);
        return;
    }
    v->known = pv.known;
    v->state = pv.state;
    v->pin_left = pv.left;
    if (!pv.known) {
        v->note = M_SVC_NOT_RECORDED;
        return;
    }
    if (pv.locked && pv.state != KEYST_LOCKED) {
        /* the token, or the counter, says locked: the records follow */
        (void)txn_key_event(env, v->key.serial, KEYEV_LOCK, pv.token_locked ? "by=token" : "by=counter");
        v->state = KEYST_LOCKED;
    }
    if (ev == KEYEV_RELEASE) {
        /* 解挂: the certificate must be on hold, its hold not yet run out
         * (said before what the key's state allows: it says more) */
        if (rec.state != CERT_REVOKED || rec.reason != REASON_HOLD) {
            v->note = rec.state == CERT_ACTIVE ? M_REL_NOT_HELD : M_SVC_CERT_REVOKED;
            return;
        }
        if (rules_hold_over(rec.revoked_at, env->cfg->hold_days, txn_now(env))) {
            v->note = M_REL_HOLD_OVER;
            msg_fmt(v->note_text, sizeof v->note_text, M_REL_HOLD_OVER, env->cfg->hold_days);
            return;
        }
    }
    if (!keylife_may(v->state, ev)) {
        v->note = keylife_refusal(v->state);
        return;
    }
    if (ev != KEYEV_RELEASE && rec.state != CERT_ACTIVE) {
        v->note = rec.state == CERT_REVOKED && rec.reason == REASON_HOLD ? M_KEYST_WHY_HELD : M_SVC_CERT_REVOKED;
        return;
    }
    /* the order's company (an information change names the key's own in key_uscc) */
    const char *want = txn_get(t, "key_uscc")[0] != '\0' ? txn_get(t, "key_uscc") : txn_get(t, "uscc");
    if (want[0] != '\0' && strcmp(want, v->cert.uscc) != 0) {
        v->note = M_SVC_NOT_COMPANY;
        return;
    }
    v->verdict = KEY_USABLE;
}

enum msg_id
txn_svc_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe)
{
    char na[24];

    (void)env;
    (void)wipe;
    if (v->verdict == KEY_NONE)
        return M_TXN_KEY_INSERT;
    if (v->verdict != KEY_USABLE)
        return v->note ? v->note : M_KEYST_UNKNOWN;
    txn_set(t, "key_serial", v->key.serial);
    txn_set(t, "cert_serial", v->cert.serial_hex);
    if (txn_get(t, "company")[0] == '\0')
        txn_set(t, "company", v->cert.holder);
    if (txn_get(t, "uscc")[0] == '\0')
        txn_set(t, "uscc", v->cert.uscc);
    snprintf(na, sizeof na, "%lld", (long long)v->cert.not_after);
    txn_set(t, "cert_na", na);
    t->cert = v->cert;
    return 0;
}

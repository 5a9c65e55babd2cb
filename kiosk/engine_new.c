/*
 * kiosk/engine_new.c - 证书新办 in the engine: the record checks (one
 * certificate per enterprise, one open order per operator) and the issuing
 * itself (wipe/initialise the key, issue, record), whose stages renewal and
 * replacement run too (an order with old_cert replaces that certificate).
 * The papers are kiosk/engine_paper.c.
 * Screens (screens/new_*.c), tests/integration/issue_helper.c and
 * bench/issue.c all call these, so they run the same code.
 *
 * Values used (struct txn key=value): company uscc legal_rep company_phone
 * office_phone website address | operator_name operator_id mobile email
 * wechat | kind (unit|legal) years | amount media_fee service_fee |
 * forms_printed receipt_printed | key_serial cert_serial.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/clock.h"
#include "kiosk/rules.h"
#include "printing/print.h"

#define CP(dst, key) snprintf((dst), sizeof(dst), "%s", txn_get(t, (key)))

enum msg_id
txn_new_check_uscc(store *st, const char *uscc)
{
    return txn_new_check_company(st, NULL, uscc);
}

enum msg_id
txn_new_check_company(store *st, const struct txn *t, const char *uscc)
{
    struct store_cert c;
    struct store_order o;
    int rc;

    if (st == NULL)
        return M_TXN_DB_DOWN;
    rc = store_cert_active_for_uscc(st, uscc, &c);
    if (rc == STORE_OK)
        return rules_msg(rules_new_cert_allowed(true));
    if (rc != STORE_ERR_NOT_FOUND)
        return M_TXN_DB_ERROR;
    /* One unfinished order per enterprise too. */
    rc = store_order_open_for_uscc(st, uscc, t != NULL ? t->order.id : 0, &o);
    if (rc == STORE_OK)
        return M_TXN_COMPANY_HAS_ORDER;
    return rc == STORE_ERR_NOT_FOUND ? 0 : M_TXN_DB_ERROR;
}

enum msg_id
txn_new_check_operator(store *st, const struct txn *t, const char *operator_id, int64_t *other)
{
    struct store_order o;
    int rc;

    if (other != NULL)
        *other = 0;
    if (st == NULL)
        return M_TXN_DB_DOWN;
    rc = store_order_open_for_operator(st, operator_id, &o);
    if (rc == STORE_ERR_NOT_FOUND || (rc == STORE_OK && o.id == t->order.id))
        return 0;
    if (rc != STORE_OK)
        return M_TXN_DB_ERROR;
    if (other != NULL)
        *other = o.id;
    return rules_msg(rules_new_order_allowed(true));
}

/* ---- the journal of the key work -------------------------------------------- */

static bool
fx_is(const struct txn *t, const char *key, const char *val)
{
    return strcmp(txn_get(t, key), val) == 0;
}

/* A certificate for this order may exist (reserved and possibly signed). */
static bool
cert_pending(const struct txn *t)
{
    return txn_get(t, "cert_serial")[0] != '\0' &&
           (fx_is(t, "fx_cert", "sign") || fx_is(t, "fx_cert", "signed") ||
            fx_is(t, "fx_cert", "stored") || fx_is(t, "fx_cert", "written") || fx_is(t, "fx_cert", "bad"));
}

/* ---- the stages' journal predicates --------------------------------------------- */

static bool
new_init_done(const struct txn *t)
{
    return fx_is(t, "fx_key", "ready") || fx_is(t, "fx_cert", "written") || fx_is(t, "fx_cert", "recorded");
}

bool
txn_new_issue_done(const struct txn *t)
{
    return fx_is(t, "fx_cert", "written") || fx_is(t, "fx_cert", "recorded");
}

static bool
new_record_done(const struct txn *t)
{
    return fx_is(t, "fx_cert", "recorded");
}

/* The order replaces the certificate old_cert (renewal, replacement). */
static bool
replacing(const struct txn *t)
{
    return txn_get(t, "old_cert")[0] != '\0';
}

/* A renewal: the new key pair goes beside the old one on the same key
 * (kiosk/engine_renew.c); a replacement issues onto a blank key. */
static bool
renewing(const struct txn *t)
{
    return replacing(t) && !txn_get_int(t, "keep_end", 0);
}

/*
 * The certificate old_cert this order replaces is revoked - superseded
 * (renewal: its key pair is gone), or value old_reason (a lost key:
 * keyCompromise; a hold becomes a revocation) - with its audit row, or only
 * marked superseded (value recert and no old_reason: a renewal that kept
 * the key pair); its key old_key (when named) lost for good, or taken back
 * (value old_key_ev = take_back); within the caller's unit of work, before
 * the new certificate is recorded (one active per company).
 */
static int
txn_new_revoke_replaced(struct txn *t, const struct txn_env *env)
{
    const char *old = txn_get(t, "old_cert");
    int reason = txn_get(t, "old_reason")[0] ? txn_get_int(t, "old_reason", REASON_SUPERSEDED) : REASON_SUPERSEDED;
    char detail[256];
    int rc;

    if (txn_get_int(t, "recert", 0) && txn_get(t, "old_reason")[0] == '\0') {
        /* renewed on the same key pair (no reason to revoke given): the old
         * certificate is superseded, not revoked (its key is the holder's
         * still, and what it encrypted opens) */
        if ((rc = store_cert_set_state(env->st, old, CERT_SUPERSEDED)) != STORE_OK)
            return rc;
        snprintf(detail, sizeof detail, "order=%s cert=%s by=%s keypair=kept", t->order.number, old, t->cert.serial_hex);
        return store_audit(env->st, txn_actor(env), "cert.supersede", detail);
    }
    rc = store_cert_revoke(env->st, old, reason, txn_now(env));

    if (rc == STORE_ERR_CONFLICT)
        return STORE_OK;        /* revoked already (a resumed record) */
    if (rc != STORE_OK)
        return rc;
    snprintf(detail, sizeof detail, "order=%s cert=%s reason=%s by=%s", t->order.number, old,
             rules_reason_name(reason) ? rules_reason_name(reason) : "?", t->cert.serial_hex);
    if ((rc = store_audit(env->st, txn_actor(env), "cert.revoke", detail)) != STORE_OK)
        return rc;
    txn_set(t, "crl_due", "1");
    if (txn_get(t, "old_key")[0] != '\0') {
        /* a damaged key is handed in (old_key_ev take_back); a lost one is gone for good */
        rc = txn_key_event(env, txn_get(t, "old_key"),
                           strcmp(txn_get(t, "old_key_ev"), "take_back") == 0 ? KEYEV_TAKE_BACK : KEYEV_LOSE, detail);
        if (rc != STORE_OK && rc != STORE_ERR_CONFLICT && rc != STORE_ERR_NOT_FOUND)
            return rc;
    }
    return STORE_OK;
}

/*
 * The reserved certificate of T - perhaps signed, perhaps on the key - goes
 * into the records as revoked for REASON (RFC 5280), with its audit entry,
 * within the caller's unit of work: a certificate the CA may have signed is
 * never left valid and unrecorded. The serial is revoked even when the
 * signature may not have happened (the intent was written ahead of it): a
 * CRL entry for a serial never issued harms nobody. The CRL is published
 * after the unit of work commits ("crl_due"; `kiosk ca crl` redoes it).
 */
static int
txn_new_revoke_reserved(struct txn *t, const struct txn_env *env, int reason, const char *why)
{
    struct store_cert c;
    char detail[512];
    bool on_key = fx_is(t, "fx_cert", "stored") || fx_is(t, "fx_cert", "written") || fx_is(t, "fx_cert", "recorded");
    int rc;

    memset(&c, 0, sizeof c);
    CP(c.serial, "cert_serial");
    CP(c.uscc, "uscc");
    CP(c.holder, "company");
    if (on_key)
        CP(c.key_serial, "key_serial");
    snprintf(c.kind, sizeof c.kind, "%s", strcmp(txn_get(t, "kind"), "legal") == 0 ? "legal" : "unit");
    c.not_before = (time_t)strtoll(txn_get(t, "cert_nb"), NULL, 10);
    c.not_after = (time_t)strtoll(txn_get(t, "cert_na"), NULL, 10);
    c.state = CERT_SUPERSEDED;      /* never the company's active one; revoked below */
    c.order_id = t->order.id;
    CP(c.fpr, "cert_fpr");
    c.reason = REASON_NONE;
    if (!fx_is(t, "fx_cert", "recorded") && (rc = store_cert_put(env->st, &c)) != STORE_OK)
        return rc;
    rc = store_cert_revoke(env->st, c.serial, reason, txn_now(env));
    if (rc == STORE_ERR_CONFLICT)
        return STORE_OK;            /* revoked already */
    if (rc != STORE_OK)
        return rc;
    snprintf(detail, sizeof detail, "order=%s cert=%s reason=%s why=%s", t->order.number, c.serial,
             rules_reason_name(reason) ? rules_reason_name(reason) : "?", why);
    if ((rc = store_audit(env->st, t->order.clerk[0] ? t->order.clerk : t->order.window, "cert.revoke", detail)) != STORE_OK)
        return rc;
    txn_set(t, "crl_due", "1");
    return STORE_OK;
}

/*
 * The reserved certificate of T will never be used (its key is about to be
 * wiped or re-initialised): keep its serial in void_certs, audit cert.void,
 * record it revoked (superseded), and clear the reservation. Within the
 * caller's unit of work; does not save.
 */
static int
txn_new_void_cert(struct txn *t, const struct txn_env *env, const char *why)
{
    char list[TXN_VAL_MAX], detail[512];
    const char *old = txn_get(t, "void_certs");
    int rc;

    if (!cert_pending(t))
        return STORE_OK;
    snprintf(detail, sizeof detail, "order=%s cert=%s fpr=%s state=%s key=%s why=%s", t->order.number,
             txn_get(t, "cert_serial"), txn_get(t, "cert_fpr"), txn_get(t, "fx_cert"),
             txn_get(t, "key_serial"), why);
    if ((rc = store_audit(env->st, t->order.clerk[0] ? t->order.clerk : t->order.window, "cert.void", detail)) != STORE_OK)
        return rc;
    if ((rc = txn_new_revoke_reserved(t, env, REASON_SUPERSEDED, why)) != STORE_OK)
        return rc;
    snprintf(list, sizeof list, "%s%s%s", old, old[0] ? "," : "", txn_get(t, "cert_serial"));
    txn_set(t, "void_certs", list);
    txn_set(t, "cert_serial", "");
    txn_set(t, "cert_fpr", "");
    txn_set(t, "fx_cert", "");
    return STORE_OK;
}

/* ---- the key ------------------------------------------------------------------ */

/* Is the certificate C (ours, readable) recorded active for another order? */
static enum txn_key_verdict
txn_new_cert_owner(const struct txn *t, const struct txn_env *env, const struct tok_cert *c, enum msg_id *note)
{
    struct store_cert rec;
    int rc;

    if (env->st == NULL) {
        *note = M_TXN_DB_DOWN;
        return KEY_TAKEN;           /* cannot tell: never wipe blind */
    }
    rc = store_cert_get(env->st, c->serial_hex, &rec);
    if (rc == STORE_ERR_NOT_FOUND)
        return KEY_WIPEABLE;        /* never recorded */
    if (rc != STORE_OK) {
        *note = M_TXN_DB_ERROR;
        return KEY_TAKEN;
    }
    if (t->order.id != 0 && rec.order_id == t->order.id)
        return KEY_OURS_ISSUED;
    if (rec.state == CERT_ACTIVE && rec.not_after > txn_now(env))
        return KEY_TAKEN;
    return KEY_WIPEABLE;            /* revoked, superseded or expired */
}

void
txn_new_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v)
{
    int n;

    memset(v, 0, sizeof *v);
    v->cert_rc = TOK_ERR_NO_CERT;
    if ((n = txn_one_key(env, txn_get(t, "key_serial"), &v->key, v->note_text, sizeof v->note_text)) == 0)
        return;
    if (n > 1) {
        v->verdict = KEY_TAKEN;     /* which one? none is taken, none wiped */
        v->note = M_KEY_SEVERAL;
        return;
    }
    if (env->st != NULL) {
        /* a key the records know in a state that forbids a new certificate
         * (reported lost, taken back, retired) is never wiped here */
        struct store_key rec;
        if (store_key_get(env->st, v->key.serial, &rec) == STORE_OK && !keylife_may(rec.state, KEYEV_ISSUE)) {
            v->verdict = KEY_TAKEN;
            v->note = keylife_refusal(rec.state);
            return;
        }
    }
    v->cert_rc = tok_read_cert(env->tok, v->key.serial, &v->cert);
    if (v->cert_rc == TOK_ERR_REMOVED || v->cert_rc == TOK_ERR_NO_KEY) {
        memset(v, 0, sizeof *v);
        return;
    }
    if (v->cert_rc == TOK_ERR_NO_CERT) {
        v->verdict = KEY_BLANK;
        return;
    }
    v->has_cert = true;
    if (v->cert_rc == TOK_OK && cert_pending(t) && strcmp(v->cert.serial_hex, txn_get(t, "cert_serial")) == 0 &&
        strcmp(v->key.serial, txn_get(t, "key_serial")) == 0 && !fx_is(t, "fx_cert", "bad") &&
        (txn_get(t, "cert_fpr")[0] == '\0' || strcmp(v->cert.fpr, txn_get(t, "cert_fpr")) == 0)) {
        v->verdict = KEY_OURS_ISSUED;
        return;
    }
    if (v->cert_rc == TOK_OK) {
        v->verdict = txn_new_cert_owner(t, env, &v->cert, &v->note);
        if (v->verdict != KEY_WIPEABLE)
            return;
    } else {
        v->verdict = KEY_WIPEABLE;  /* foreign or unreadable */
    }
    if (strcmp(v->key.serial, txn_get(t, "key_serial")) == 0 && txn_get(t, "fx_key")[0] != '\0')
        v->verdict = KEY_OURS_HALF;
}

enum msg_id
txn_new_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe)
{
    int rc;

    switch (v->verdict) {
    case KEY_NONE:
        return M_TXN_KEY_INSERT;
    case KEY_TAKEN:
    case KEY_REFUSED:
    case KEY_USABLE:        /* servicing verdicts: not for a new certificate */
        return v->note ? v->note : M_TXN_KEY_TAKEN;
    case KEY_WIPEABLE:
    case KEY_OURS_HALF:
        if (!wipe)
            return M_TXN_KEY_NOT_BLANK;
        /* fall through */
    case KEY_BLANK:
        txn_set(t, "key_serial", v->key.serial);
        txn_set_int(t, "wipe", v->verdict != KEY_BLANK);
        return 0;
    case KEY_OURS_ISSUED:
        /* Roll forward: the certificate reached the key; record it, never wipe. */
        t->cert = v->cert;
        txn_set(t, "key_serial", v->key.serial);
        txn_set(t, "fx_key", "ready");
        txn_set(t, "cert_fpr", v->cert.fpr);
        if ((rc = txn_mark(t, env->st, "fx_cert", "written")) != STORE_OK)
            return rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR;
        return 0;
    }
    return M_TXN_KEY_INSERT;
}

/* NS_INIT: wipe (agreed) and initialise the key, each written ahead. */
static enum txn_run_result
txn_new_init_stage(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    struct txn_key_view v;
    const char *serial = txn_get(t, "key_serial");
    const char *label = txn_get(t, "uscc");
    bool wipe = txn_get_int(t, "wipe", 0) != 0;
    int rc;

    if (env->tok == NULL)
        return r->tok_rc = TOK_ERR_MODULE, RUN_TOKEN;
    if (t->order.paid_at == 0)
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN; /* never touch a key before payment */
    txn_new_key_scan(t, env, &v);
    if (v.verdict == KEY_NONE || strcmp(v.key.serial, serial) != 0)
        return r->tok_rc = TOK_ERR_NO_KEY, RUN_TOKEN;
    if (v.verdict == KEY_OURS_ISSUED) {
        /* The order's certificate is already there: adopt it. */
        if (txn_new_key_take(t, env, &v, false) != 0)
            return r->store_rc = STORE_ERR_IO, RUN_STORE;
        return RUN_OK;
    }
    if (v.verdict == KEY_TAKEN) {
        r->why = v.note ? v.note : M_TXN_KEY_TAKEN;
        return RUN_REFUSED;
    }
    if (v.verdict != KEY_BLANK && !wipe)
        return r->tok_rc = TOK_ERR_NOT_BLANK, RUN_TOKEN;
    if (t->pin[0] == '\0')
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN;
    /* Intent, with any reservation this re-initialisation destroys voided. */
    if ((rc = store_begin(env->st)) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    if ((rc = txn_new_void_cert(t, env, "key re-initialised")) == STORE_OK) {
        char detail[200];
        txn_set(t, "fx_key", v.has_cert ? "wipe" : "init");
        rc = txn_save(t, env->st);
        /* the wipe and the SO initialisation, audited with their intent */
        snprintf(detail, sizeof detail, "order=%s key=%s wipe=%d so_pin=derived", t->order.number, serial,
                 v.has_cert ? 1 : 0);
        if (rc == STORE_OK)
            rc = store_audit(env->st, t->order.clerk[0] ? t->order.clerk : t->order.window,
                             v.has_cert ? "key.wipe" : "key.init", detail);
    }
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    if (rc != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    /* One token initialisation erases everything (when agreed) and sets the PINs. */
    rc = tok_init_key(env->tok, serial, label, t->pin, v.has_cert || wipe);
    if (rc != TOK_OK)
        return r->tok_rc = rc, RUN_TOKEN;
    if (v.has_cert)
        txn_fault("wipe");
    txn_fault("init");
    if ((rc = txn_mark(t, env->st, "fx_key", "ready")) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    return RUN_OK;
}

int
txn_new_init_key(struct txn *t, const struct txn_env *env, bool wipe)
{
    struct txn_run r;
    enum txn_run_result res;

    memset(&r, 0, sizeof r);
    txn_set_int(t, "wipe", wipe);
    txn_set(t, "fx_key", "");
    res = txn_new_init_stage(t, env, &r);
    if (res == RUN_OK)
        return TOK_OK;
    if (res == RUN_TOKEN)
        return r.tok_rc;
    return res == RUN_REFUSED ? TOK_ERR_NOT_BLANK : TOK_ERR_INTERNAL;
}

/* The records rules re-checked before the CA signs: no active certificate
 * and no other open order for the company. 0 or a catalogue message. */
static enum msg_id
txn_new_recheck(struct txn *t, const struct txn_env *env, int *rc)
{
    struct store_cert c;
    struct store_order o;

    *rc = store_cert_active_for_uscc(env->st, txn_get(t, "uscc"), &c);
    if (*rc == STORE_OK && c.order_id != t->order.id && strcmp(c.serial, txn_get(t, "old_cert")) != 0)
        return rules_msg(rules_new_cert_allowed(true));     /* (a renewal replaces its own old_cert) */
    if (*rc != STORE_OK && *rc != STORE_ERR_NOT_FOUND)
        return M_TXN_DB_ERROR;
    *rc = store_order_open_for_uscc(env->st, txn_get(t, "uscc"), t->order.id, &o);
    if (*rc == STORE_OK)
        return M_TXN_COMPANY_HAS_ORDER;
    if (*rc != STORE_ERR_NOT_FOUND)
        return M_TXN_DB_ERROR;
    *rc = STORE_OK;
    return 0;
}

struct issue_hook {
    struct txn *t;
    const struct txn_env *env;
};

/* tok_issue_ex's write-ahead: each outcome saved before the next effect. */
static int
txn_new_issue_step(void *arg, enum tok_issue_step step, const struct tok_cert *c)
{
    struct issue_hook *h = arg;

    switch (step) {
    case TOK_ISSUE_KEYPAIR:
        txn_fault("keypair");
        return 0;
    case TOK_ISSUE_SIGNED: {
        /* the CA's signature is audited with the journal's word of it, in
         * one unit: every certificate the CA signed has its row */
        char detail[320];
        struct txn *t = h->t;
        txn_set(t, "cert_fpr", c->fpr);
        snprintf(detail, sizeof detail, "order=%s cert=%s key=%s fpr=%s", t->order.number, c->serial_hex,
                 txn_get(t, "key_serial"), c->fpr);
        if (store_begin(h->env->st) != STORE_OK)
            return -1;
        if (txn_mark(t, h->env->st, "fx_cert", "signed") != STORE_OK ||
            store_audit(h->env->st, t->order.clerk[0] ? t->order.clerk : t->order.window, "cert.sign", detail) != STORE_OK ||
            store_commit(h->env->st) != STORE_OK) {
            store_rollback(h->env->st);
            txn_set(t, "fx_cert", "sign");
            return -1;
        }
        txn_fault("sign");
        return 0;
    }
    case TOK_ISSUE_STORED:
        if (txn_mark(h->t, h->env->st, "fx_cert", "stored") != STORE_OK)
            return -1;
        txn_fault("write");
        return 0;
    }
    return 0;
}

/* NS_ISSUE: reserve the serial (written ahead with the re-checked rules),
 * then key pair, signature, write, read-back, self-test. */
enum txn_run_result
txn_new_issue_stage(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    const struct cfg_profile *p = cfg_profile(env->cfg);
    struct tok_subject subj;
    struct tok_issue_opts opts;
    struct issue_hook hook = { t, env };
    char serial[40];
    enum msg_id why;
    time_t nb, na;
    int rc;

    if (env->tok == NULL)
        return r->tok_rc = TOK_ERR_MODULE, RUN_TOKEN;
    if (t->order.paid_at == 0 || t->pin[0] == '\0')
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN;
    if (env->st == NULL)
        return r->store_rc = STORE_ERR_OPEN, RUN_STORE;
    if (tok_serial_new(serial, sizeof serial) != 0)
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    why = txn_new_recheck(t, env, &rc);
    if (why == 0 && (rc = txn_new_void_cert(t, env, "issued again")) == STORE_OK) {
        txn_set(t, "cert_serial", serial);
        txn_set(t, "cert_fpr", "");
        txn_set(t, "fx_cert", "sign");
        rc = txn_save(t, env->st);
    }
    if (why == 0 && rc == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    if (why != 0 && why != M_TXN_DB_ERROR) {
        r->why = why;
        return RUN_REFUSED;
    }
    if (rc != STORE_OK) {
        txn_set(t, "fx_cert", "");
        txn_set(t, "cert_serial", "");
        return r->store_rc = rc, RUN_STORE;
    }
    memset(&subj, 0, sizeof subj);
    snprintf(subj.org, sizeof subj.org, "%s", txn_get(t, "company"));
    snprintf(subj.cn, sizeof subj.cn, "%s", txn_get(t, "company"));
    snprintf(subj.uscc, sizeof subj.uscc, "%s", txn_get(t, "uscc"));
    if (txn_get_int(t, "keep_end", 0) && txn_get(t, "old_na")[0] != '\0') {
        /* a replacement keeps the validity end of the certificate it replaces */
        nb = txn_now(env);
        na = (time_t)strtoll(txn_get(t, "old_na"), NULL, 10);
    } else if (renewing(t)) {
        /* 证书更新: not yet expired -> old end + term; expired -> today + term (seed 003) */
        struct rules_date old_end = clock_local_day((time_t)strtoll(txn_get(t, "old_na"), NULL, 10));
        nb = txn_now(env);
        na = clock_day_end(rules_renew_end(old_end, clock_local_day(nb), txn_get_int(t, "years", p->default_years)));
    } else {
        clock_validity(txn_now(env), txn_get_int(t, "years", p->default_years), &nb, &na);
    }
    memset(&opts, 0, sizeof opts);
    opts.serial_hex = serial;
    opts.on_step = txn_new_issue_step;
    opts.arg = &hook;
    if (txn_get_int(t, "recert", 0))      /* the key pair kept: renewal without rekey, information change */
        rc = tok_recertify(env->tok, txn_get(t, "key_serial"), t->pin, &subj, nb, na, &opts, &t->cert);
    else
        rc = (renewing(t) ? tok_reissue : tok_issue_ex)(env->tok, txn_get(t, "key_serial"), t->pin, &subj, nb, na,
                                                        env->cfg->key_algo, &opts, &t->cert);
    txn_pin_clear(t);
    if (rc == TOK_ERR_VERIFY)
        (void)txn_mark(t, env->st, "fx_cert", "bad"); /* never adopt what failed its checks */
    if (rc != TOK_OK) {
        /* The key may now hold our half-written objects: wipe on retry. */
        txn_set_int(t, "wipe", 1);
        (void)txn_save(t, env->st);  /* best effort: the key page offers the wipe anyway */
        return r->tok_rc = rc, RUN_TOKEN;
    }
    txn_set(t, "cert_fpr", t->cert.fpr);
    if ((rc = txn_mark(t, env->st, "fx_cert", "written")) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    return RUN_OK;
}

int
txn_new_issue(struct txn *t, const struct txn_env *env)
{
    struct txn_run r;
    enum txn_run_result res;

    memset(&r, 0, sizeof r);
    res = txn_new_issue_stage(t, env, &r);
    if (res == RUN_OK)
        return TOK_OK;
    if (res == RUN_TOKEN)
        return r.tok_rc;
    return TOK_ERR_INTERNAL;
}

int
txn_new_record(struct txn *t, const struct txn_env *env)
{
    struct store_cert c, other;
    struct store_key k;
    char detail[512], masked[40];
    int rc;

    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return rc;
    if (!fx_is(t, "fx_cert", "recorded")) {
        /* One certificate per enterprise, checked again where it is written;
         * a renewal's old certificate is superseded here, in the same unit:
         * its key pair is gone from the key, so it is revoked (superseded) */
        if (replacing(t) && (rc = txn_new_revoke_replaced(t, env)) != STORE_OK)
            goto fail;
        rc = store_cert_active_for_uscc(env->st, txn_get(t, "uscc"), &other);
        if (rc == STORE_OK && strcmp(other.serial, t->cert.serial_hex) != 0) {
            rc = STORE_ERR_CONFLICT;
            goto fail;
        }
        if (rc != STORE_OK && rc != STORE_ERR_NOT_FOUND)
            goto fail;
        memset(&c, 0, sizeof c);
        snprintf(c.serial, sizeof c.serial, "%s", t->cert.serial_hex);
        snprintf(c.uscc, sizeof c.uscc, "%s", txn_get(t, "uscc"));
        snprintf(c.holder, sizeof c.holder, "%s", txn_get(t, "company"));
        snprintf(c.subject, sizeof c.subject, "%s", t->cert.subject);
        snprintf(c.key_serial, sizeof c.key_serial, "%s", txn_get(t, "key_serial"));
        snprintf(c.kind, sizeof c.kind, "%s", strcmp(txn_get(t, "kind"), "legal") == 0 ? "legal" : "unit");
        c.not_before = t->cert.not_before;
        c.not_after = t->cert.not_after;
        c.first_issue = txn_now(env);
        c.state = CERT_ACTIVE;
        c.order_id = t->order.id;
        snprintf(c.fpr, sizeof c.fpr, "%s", t->cert.fpr);
        c.reason = REASON_NONE;
        c.der = t->cert.der_len > 0 ? t->cert.der : NULL;   /* absent after a resume from the journal alone */
        c.der_len = t->cert.der_len;
        if ((rc = store_cert_put(env->st, &c)) != STORE_OK)
            goto fail;
        memset(&k, 0, sizeof k);
        snprintf(k.serial, sizeof k.serial, "%s", c.key_serial);
        snprintf(k.uscc, sizeof k.uscc, "%s", c.uscc);
        snprintf(k.cert_serial, sizeof k.cert_serial, "%s", c.serial);
        snprintf(k.algo, sizeof k.algo, "%s", env->cfg != NULL ? env->cfg->key_algo : "");
        if (txn_get_int(t, "recert", 0)) {
            struct store_key had;   /* the key pair kept: its algorithm as recorded */
            if (store_key_get(env->st, c.key_serial, &had) == STORE_OK && had.algo[0] != '\0')
                snprintf(k.algo, sizeof k.algo, "%s", had.algo);
        }
        k.first_issue = c.first_issue;
        if (k.serial[0] != '\0' && (rc = store_key_put(env->st, &k)) != STORE_OK)
            goto fail;
        /* the key's life: issued, its wrong-PIN counter cleared (a new PIN) */
        snprintf(detail, sizeof detail, "order=%s cert=%s", t->order.number, c.serial);
        if (k.serial[0] != '\0' && (rc = txn_key_event(env, k.serial, KEYEV_ISSUE, detail)) != STORE_OK)
            goto fail;
        store_mask_id(txn_get(t, "operator_id"), masked, sizeof masked);
        snprintf(detail, sizeof detail, "order=%s cert=%s key=%s uscc=%s operator=%s algo=%s fpr=%s",
                 t->order.number, c.serial, c.key_serial, c.uscc, masked, k.algo, t->cert.fpr);
        if ((rc = store_audit(env->st, t->order.clerk[0] ? t->order.clerk : t->order.window, "cert.issue", detail)) != STORE_OK)
            goto fail;
    }
    txn_set(t, "cert_serial", t->cert.serial_hex);
    txn_set(t, "fx_cert", "recorded");
    /* Keep the certificate's description for the receipt after a resume. */
    {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)t->cert.not_before);
        txn_set(t, "cert_nb", v);
        snprintf(v, sizeof v, "%lld", (long long)t->cert.not_after);
        txn_set(t, "cert_na", v);
    }
    if ((rc = txn_save(t, env->st)) != STORE_OK)
        goto fail;
    if ((rc = store_commit(env->st)) != STORE_OK) {
        txn_set(t, "fx_cert", "written");
        return rc;
    }
    t->cert_recorded = true;
    txn_fault("record");
    return STORE_OK;
fail:
    store_rollback(env->st);
    txn_set(t, "fx_cert", "written");
    return rc;
}

/* The certificate's description for the records and the receipt, when T
 * was resumed and holds only the journal. */
static void
txn_new_cert_from_journal(struct txn *t)
{
    if (t->cert.serial_hex[0] != '\0')
        return;
    snprintf(t->cert.serial_hex, sizeof t->cert.serial_hex, "%s", txn_get(t, "cert_serial"));
    snprintf(t->cert.fpr, sizeof t->cert.fpr, "%s", txn_get(t, "cert_fpr"));
    t->cert.not_before = (time_t)strtoll(txn_get(t, "cert_nb"), NULL, 10);
    t->cert.not_after = (time_t)strtoll(txn_get(t, "cert_na"), NULL, 10);
}

enum txn_run_result
txn_new_record_stage(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    int rc;

    txn_pin_clear(t);
    txn_new_cert_from_journal(t);
    if ((rc = txn_new_record(t, env)) != STORE_OK) {
        if (rc == STORE_ERR_CONFLICT) {
            r->why = rules_msg(rules_new_cert_allowed(true));
            return RUN_REFUSED;
        }
        return r->store_rc = rc, RUN_STORE;
    }
    /* a certificate this order replaced was revoked: on the CRL now (`kiosk ca crl` redoes it) */
    if (txn_get_int(t, "crl_due", 0) && env->tok != NULL) {
        char err[256];
        (void)txn_ca_publish(env, err, sizeof err);
    }
    return RUN_OK;
}

static enum txn_run_result
new_receipt_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    txn_new_cert_from_journal(t);   /* the certificate's dates for the receipt after a resume */
    return txn_stage_receipt.run(t, env, r);
}

/* The stages of 证书新办's issue step, each written ahead (see engine.h). */
const struct txn_stage txn_new_stage_init = {
    .name = "init", .title = M_TXN_ISSUE_S_INIT, .done = new_init_done, .run = txn_new_init_stage,
    .needs_pin = true, .on_key_fail = "key",
};
static const struct txn_stage new_stage_issue = {
    .name = "issue", .title = M_TXN_ISSUE_S_ISSUE, .done = txn_new_issue_done, .run = txn_new_issue_stage,
    .needs_pin = true, .on_key_fail = "key", .done_note = M_TXN_SELFTEST_OK,
};
const struct txn_stage txn_new_stage_record = {
    .name = "record", .title = M_TXN_ISSUE_S_RECORD, .done = new_record_done, .run = txn_new_record_stage,
    .store_fail_msg = M_TXN_RECORD_FAILED,
};
static const struct txn_stage new_stage_receipt = {
    .name = "receipt", .title = M_TXN_ISSUE_S_RECEIPT, .done = txn_stage_receipt_done, .run = new_receipt_run,
    .store_fail_msg = M_TXN_RECORD_FAILED,
};
static const struct txn_stage *const new_issue_stages[] = {
    &txn_new_stage_init, &new_stage_issue, &txn_new_stage_record, &new_stage_receipt, &txn_stage_finish,
};

/* ---- resume and cancel -------------------------------------------------------- */

const char *
txn_new_resume_at(const struct txn *t)
{
    /* Recorded: only the receipt and the close are left, no key needed. */
    if (fx_is(t, "fx_cert", "recorded") && t->order.state == ORDER_OPEN)
        return "issue";
    return NULL;
}

int
txn_new_on_cancel(struct txn *t, const struct txn_env *env)
{
    int rc = STORE_OK;

    /* Cancelling compensates: a certificate signed for the order (reserved,
     * on the key, or recorded) is revoked in the cancellation's unit of work. */
    if (fx_is(t, "fx_cert", "recorded") || cert_pending(t))
        rc = txn_new_revoke_reserved(t, env, REASON_CESSATION, "order cancelled");
    return rc == STORE_OK ? txn_save(t, env->st) : rc;
}

int
txn_new_records(struct txn *t, store *st)
{
    int kind = txn_step_index(t->def, "kind"), rc;

    if (kind < 0 || t->step < kind)
        return STORE_OK; /* the operator is not confirmed yet */
    if ((rc = txn_company_record(t, st)) != STORE_OK)
        return rc;
    return txn_operator_record(t, st);
}

int
txn_company_record(const struct txn *t, store *st)
{
    struct store_company c;

    if (txn_get(t, "uscc")[0] == '\0' || txn_get(t, "company")[0] == '\0')
        return STORE_OK;
    memset(&c, 0, sizeof c);
    CP(c.uscc, "uscc");
    CP(c.name, "company");
    CP(c.legal_rep, "legal_rep");
    CP(c.phone, "company_phone");
    CP(c.office_phone, "office_phone");
    CP(c.website, "website");
    CP(c.address, "address");
    CP(c.legal_rep_id, "legal_rep_id");
    CP(c.app_region, "app_region");
    CP(c.app_category, "app_category");
    CP(c.app_project, "app_project");
    return store_company_put(st, &c);
}

int
txn_operator_record(const struct txn *t, store *st)
{
    struct store_operator p;

    if (txn_get(t, "operator_id")[0] == '\0' || txn_get(t, "operator_name")[0] == '\0')
        return STORE_OK;
    memset(&p, 0, sizeof p);
    CP(p.id_number, "operator_id");
    CP(p.name, "operator_name");
    CP(p.mobile, "mobile");
    CP(p.email, "email");
    CP(p.wechat, "wechat");
    CP(p.uscc, "uscc");
    return store_operator_put(st, &p);
}

/* ---- the table: 证书新办 at window 66 --------------------------------------------
 *
 * company -> operator -> kind/years -> materials -> fee (forms printed)
 * -> payment -> [paid] key -> PIN twice -> issue -> done (go to window 68).
 * The order is created when the operator's ID number is known (it is found
 * again by it) and saved at every step; an order interrupted during the PIN
 * or the issuing resumes at "insert the key" (or, once recorded, at the
 * issue page, which only prints the receipt and closes it).
 */

static enum msg_id
new_company_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    (void)other_id;
    (void)n;
    *field = "uscc";
    return txn_new_check_company(env->st, t, txn_get(t, "uscc"));
}

enum msg_id
txn_operator_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    int64_t other = 0;
    enum msg_id why = txn_new_check_operator(env->st, t, txn_get(t, "operator_id"), &other);

    *field = "operator_id";
    if (why != 0 && other != 0)
        snprintf(other_id, n, "%s", txn_get(t, "operator_id"));
    return why;
}

enum rules_status
txn_resident_id_today(const char *s)
{
    struct rules_date today = clock_local_day(time(NULL));

    return rules_resident_id(s, &today);
}

enum rules_status
txn_legal_id_today(const char *s)
{
    struct rules_date today = clock_local_day(time(NULL));

    return rules_legal_id(s, &today);
}

/* 单位信息, as on the application form of seed 002 annex 1. */
static const struct txn_field new_company_fields[] = {
    { .key = "company", .label = M_TXN_F_COMPANY, .max_chars = 60, .required = true, .check = rules_company_name },
    { .key = "uscc", .label = M_TXN_F_USCC, .max_chars = 18, .field_flags = FIELD_ASCII | FIELD_UPPER,
      .required = true, .check = rules_uscc },
    { .key = "legal_rep", .label = M_TXN_F_LEGAL_REP, .max_chars = 30, .required = true, .check = rules_person_name },
    { .key = "legal_rep_id", .label = M_TXN_F_LEGAL_REP_ID, .max_chars = 18, .field_flags = FIELD_ASCII | FIELD_UPPER,
      .required = true, .check = txn_legal_id_today },
    { .key = "company_phone", .label = M_TXN_F_COMPANY_PHONE, .max_chars = 20, .field_flags = FIELD_ASCII,
      .required = true, .check = rules_phone },
    { .key = "office_phone", .label = M_TXN_F_OFFICE_PHONE, .max_chars = 20, .field_flags = FIELD_ASCII,
      .check = rules_phone },
    { .key = "website", .label = M_TXN_F_WEBSITE, .max_chars = 80, .field_flags = FIELD_ASCII, .check = rules_website },
    { .key = "address", .label = M_TXN_F_ADDRESS, .max_chars = 100, .required = true, .check = rules_text },
};
static const struct txn_form new_company_form = {
    .intro = M_TXN_COMPANY_INTRO,
    .fields = new_company_fields,
    .nfields = sizeof new_company_fields / sizeof new_company_fields[0],
    .check = new_company_check,
};

/* 经办人: the resident ID number (GB 11643) is masked once the order exists. */
static const struct txn_field new_operator_fields[] = {
    { .key = "operator_name", .label = M_TXN_F_OPERATOR, .max_chars = 30, .required = true, .check = rules_person_name },
    { .key = "operator_id", .label = M_TXN_F_OPERATOR_ID, .max_chars = 18,
      .field_flags = FIELD_ASCII | FIELD_UPPER, .required = true, .check = txn_resident_id_today },
    { .key = "mobile", .label = M_TXN_F_MOBILE, .max_chars = 11, .field_flags = FIELD_DIGITS, .required = true,
      .check = rules_mobile },
    { .key = "email", .label = M_TXN_F_EMAIL, .max_chars = 80, .field_flags = FIELD_ASCII, .required = true,
      .check = rules_email },
    { .key = "wechat", .label = M_TXN_F_WECHAT, .max_chars = 40, .field_flags = FIELD_ASCII },
};
const struct txn_form txn_new_operator_form = {
    .intro = 0, /* the company's name */
    .fields = new_operator_fields,
    .nfields = sizeof new_operator_fields / sizeof new_operator_fields[0],
    .check = txn_operator_check,
};

void
txn_form_offer(struct txn *t, const struct txn_env *env, const struct txn_form *form)
{
    for (int i = 0; form != NULL && i < form->nfields; i++) {
        const struct txn_field *f = &form->fields[i];
        const char *v;
        if (f->offer != NULL && txn_get(t, f->key)[0] == '\0' && (v = f->offer(env)) != NULL && v[0] != '\0')
            txn_set(t, f->key, v);
    }
}

static const char *offer_region(const struct txn_env *env) { return cfg_profile(env->cfg)->app_region; }
static const char *offer_category(const struct txn_env *env) { return cfg_profile(env->cfg)->app_category; }
static const char *offer_project(const struct txn_env *env) { return cfg_profile(env->cfg)->app_project; }

/* 证书应用项目: where, for what kind of business and which project the
 * certificate is used (the application form's starred section), offered as
 * the CA profile has them. */
static const struct txn_field new_project_fields[] = {
    { .key = "app_region", .label = M_TXN_F_APP_REGION, .max_chars = 20, .required = true, .check = rules_text,
      .offer = offer_region },
    { .key = "app_category", .label = M_TXN_F_APP_CATEGORY, .max_chars = 20, .required = true, .check = rules_text,
      .offer = offer_category },
    { .key = "app_project", .label = M_TXN_F_APP_PROJECT, .max_chars = 60, .required = true, .check = rules_text,
      .offer = offer_project },
};
static const struct txn_form new_project_form = {
    .intro = M_TXN_PROJECT_INTRO,
    .fields = new_project_fields,
    .nfields = sizeof new_project_fields / sizeof new_project_fields[0],
};

/* What the done page shows, and where to go next: window 68, to bind the seal. */
static const struct txn_show new_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
};
static const struct txn_done new_done = {
    .headline = M_TXN_DONE_OK,
    .rows = new_done_rows,
    .nrows = sizeof new_done_rows / sizeof new_done_rows[0],
    .next = M_TXN_GO_68,
};

static const struct txn_step new_cert_steps[] = {
    { .name = "company", .title = M_TXN_STEP_COMPANY, .page = PAGE_FORM, .form = &new_company_form },
    { .name = "operator", .title = M_TXN_STEP_OPERATOR, .page = PAGE_FORM, .form = &txn_new_operator_form },
    { .name = "project", .title = M_TXN_STEP_PROJECT, .page = PAGE_FORM, .form = &new_project_form },
    { .name = "kind", .title = M_TXN_STEP_KIND, .page = PAGE_CHOICE },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "key", .title = M_TXN_STEP_KEY, .page = PAGE_KEY, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
    { .name = "pin", .title = M_TXN_STEP_PIN, .page = PAGE_PIN, .flags = TXN_STEP_PAID, .resume_at = "key" },
    { .name = "issue", .title = M_TXN_STEP_ISSUE, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .resume_at = "key", .stages = new_issue_stages, .nstages = sizeof new_issue_stages / sizeof new_issue_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_new_cert = {
    .kind = KIND_NEW,
    .steps = new_cert_steps,
    .nsteps = sizeof new_cert_steps / sizeof new_cert_steps[0],
    .records = txn_new_records,
    .resume_at = txn_new_resume_at,
    .on_cancel = txn_new_on_cancel,
    .key_scan = txn_new_key_scan,
    .key_take = txn_new_key_take,
    .done = &new_done,
};

/*
 * kiosk/engine_new.c - 证书新办 in the engine: the record checks (one
 * certificate per enterprise, one open order per operator), the papers
 * (application form and seal-sampling sheet before payment, receipt at the
 * end) and the issuing itself (wipe/initialise the key, issue, record).
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

static time_t
env_now(const struct txn_env *env)
{
    return env->now ? env->now : time(NULL);
}

enum msg_id
txn_new_check_uscc(store *st, const char *uscc)
{
    struct store_cert c;
    int rc;

    if (st == NULL)
        return M_TXN_DB_DOWN;
    rc = store_cert_active_for_uscc(st, uscc, &c);
    if (rc == STORE_ERR_NOT_FOUND)
        return 0;
    if (rc != STORE_OK)
        return M_TXN_DB_ERROR;
    return rules_msg(rules_new_cert_allowed(true));
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

void
txn_validity(time_t now, int years, time_t *not_before, time_t *not_after)
{
    struct tm tm;
    struct rules_date end = rules_validity_end(clock_local_day(now), years);

    memset(&tm, 0, sizeof tm);
    tm.tm_year = end.y - 1900;
    tm.tm_mon = end.m - 1;
    tm.tm_mday = end.d;
    tm.tm_hour = 23;
    tm.tm_min = 59;
    tm.tm_sec = 59;
    tm.tm_isdst = -1;
    *not_before = now;
    *not_after = mktime(&tm);
}

/* ---- papers ---------------------------------------------------------------- */

#define CP(dst, key) snprintf((dst), sizeof(dst), "%s", txn_get(t, (key)))

void
txn_new_doc(const struct txn *t, const struct txn_env *env, struct prn_order_doc *d)
{
    const struct cfg_profile *p = cfg_profile(env->cfg);

    memset(d, 0, sizeof *d);
    d->lang = msg_get_lang();
    snprintf(d->order_number, sizeof d->order_number, "%s", t->order.number);
    d->txn = PRN_TXN_NEW;
    d->cert_kind = strcmp(txn_get(t, "kind"), "legal") == 0 ? PRN_CERT_LEGAL : PRN_CERT_UNIT;
    CP(d->company, "company");
    CP(d->uscc, "uscc");
    CP(d->legal_rep, "legal_rep");
    CP(d->company_phone, "company_phone");
    CP(d->office_phone, "office_phone");
    CP(d->website, "website");
    CP(d->operator_name, "operator_name");
    CP(d->operator_id, "operator_id");
    CP(d->operator_mobile, "mobile");
    CP(d->operator_email, "email");
    CP(d->operator_wechat, "wechat");
    CP(d->mail_address, "address");
    d->years = txn_get_int(t, "years", p->default_years);
    d->media_fee = p->media_fee;
    d->service_fee_per_year = p->service_fee_per_year;
    snprintf(d->pay_method, sizeof d->pay_method, "%s", t->order.pay_method);
    snprintf(d->cert_serial, sizeof d->cert_serial, "%s", t->cert.serial_hex[0] ? t->cert.serial_hex : txn_get(t, "cert_serial"));
    d->not_before = t->cert.not_before;
    d->not_after = t->cert.not_after;
    CP(d->key_serial, "key_serial");
    snprintf(d->ca_name, sizeof d->ca_name, "%s", p->display_name);
    snprintf(d->hall, sizeof d->hall, "%s", env->cfg->hall_name);
    snprintf(d->window, sizeof d->window, "%s", strcmp(t->order.window, "window68") == 0 ? "68" :
             strcmp(t->order.window, "window66") == 0 ? "66" : "");
    snprintf(d->clerk, sizeof d->clerk, "%s", t->order.clerk);
    d->created = t->order.created;
}

/* Queue DOCS and pump the outbox once. */
static int
txn_print(struct txn *t, const struct txn_env *env, const enum prn_doc *docs, int n, char *err, size_t errlen)
{
    struct prn_order_doc d;
    struct prn_pump_result res;
    int64_t job;
    int i;

    if (env->st == NULL) {
        snprintf(err, errlen, "%s", msg(M_TXN_DB_DOWN));
        return -1;
    }
    txn_new_doc(t, env, &d);
    for (i = 0; i < n; i++)
        if (prn_outbox_add_doc(env->st, env->cfg, t->order.id, docs[i], &d, env_now(env), &job, err, errlen) != 0)
            return -1;
    memset(&res, 0, sizeof res);
    if (prn_outbox_pump(env->st, env->cfg, env_now(env), &res) != 0) {
        snprintf(err, errlen, "%s", msg(M_TXN_PRINT_QUEUED));
        return -1;
    }
    if (res.last != PRN_OK) {
        /* The papers wait in the outbox: say so plainly, with how many. */
        if (res.queued > 0)
            msg_fmt(err, errlen, M_TXN_PRINT_WAITING, res.queued);
        else if (res.message != 0 && res.message != M_PRN_PUMP_WAITING)
            snprintf(err, errlen, "%s", msg(res.message));
        else
            snprintf(err, errlen, "%s", msg(M_TXN_PRINT_QUEUED));
        return -1;
    }
    return 0;
}

/*
 * Print DOCS once per order: the flag FLAG is set (and the order saved) after
 * the first attempt, printed or queued alike, since the outbox delivers a
 * queued job when the printer is back. Returns txn_print's status.
 */
static int
txn_print_once(struct txn *t, const struct txn_env *env, const char *flag, const enum prn_doc *docs,
               int ndocs, char *err, size_t errlen)
{
    int rc;

    if (txn_get_int(t, flag, 0))
        return 0;
    rc = txn_print(t, env, docs, ndocs, err, errlen);
    txn_set_int(t, flag, 1);
    (void)txn_save(t, env->st);
    return rc;
}

int
txn_new_print_forms(struct txn *t, const struct txn_env *env, char *err, size_t errlen)
{
    static const enum prn_doc docs[] = { PRN_DOC_FORM, PRN_DOC_SEAL };

    return txn_print_once(t, env, "forms_printed", docs, 2, err, errlen);
}

int
txn_new_print_receipt(struct txn *t, const struct txn_env *env, char *err, size_t errlen)
{
    static const enum prn_doc docs[] = { PRN_DOC_RECEIPT };

    return txn_print_once(t, env, "receipt_printed", docs, 1, err, errlen);
}

/* ---- the key ------------------------------------------------------------------ */

int
txn_new_init_key(struct txn *t, const struct txn_env *env, bool wipe)
{
    const char *serial = txn_get(t, "key_serial");
    const char *label = txn_get(t, "uscc");
    struct tok_key keys[8];
    size_t n = 0, i;
    bool has_cert = false;
    int rc;

    if (env->tok == NULL)
        return TOK_ERR_MODULE;
    if (t->order.paid_at == 0)
        return TOK_ERR_INTERNAL; /* never touch a key before payment */
    if ((rc = tok_keys(env->tok, keys, 8, &n)) != TOK_OK)
        return rc;
    for (i = 0; i < n && strcmp(keys[i].serial, serial) != 0; i++)
        ;
    if (i == n)
        return TOK_ERR_NO_KEY;
    has_cert = keys[i].has_cert;
    if (has_cert && !wipe)
        return TOK_ERR_NOT_BLANK;
    if (has_cert && (rc = tok_wipe(env->tok, serial, label)) != TOK_OK)
        return rc;
    rc = tok_init_blank(env->tok, serial, label, t->pin);
    if (rc == TOK_ERR_NOT_BLANK && wipe) {
        /* has_cert was stale: wipe and try once more */
        if ((rc = tok_wipe(env->tok, serial, label)) == TOK_OK)
            rc = tok_init_blank(env->tok, serial, label, t->pin);
    }
    return rc;
}

int
txn_new_issue(struct txn *t, const struct txn_env *env)
{
    const struct cfg_profile *p = cfg_profile(env->cfg);
    struct tok_subject subj;
    time_t nb, na;
    int rc;

    if (env->tok == NULL)
        return TOK_ERR_MODULE;
    if (t->order.paid_at == 0)
        return TOK_ERR_INTERNAL;
    memset(&subj, 0, sizeof subj);
    snprintf(subj.org, sizeof subj.org, "%s", txn_get(t, "company"));
    snprintf(subj.cn, sizeof subj.cn, "%s", txn_get(t, "company"));
    snprintf(subj.uscc, sizeof subj.uscc, "%s", txn_get(t, "uscc"));
    txn_validity(env_now(env), txn_get_int(t, "years", p->default_years), &nb, &na);
    rc = tok_issue(env->tok, txn_get(t, "key_serial"), t->pin, &subj, nb, na, env->cfg->key_algo, &t->cert);
    return rc;
}

int
txn_new_record(struct txn *t, const struct txn_env *env)
{
    struct store_cert c;
    struct store_key k;
    char detail[512], masked[40];
    int rc, done, cur;

    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return rc;
    if (!t->cert_recorded) {
        memset(&c, 0, sizeof c);
        snprintf(c.serial, sizeof c.serial, "%s", t->cert.serial_hex);
        snprintf(c.uscc, sizeof c.uscc, "%s", txn_get(t, "uscc"));
        snprintf(c.holder, sizeof c.holder, "%s", txn_get(t, "company"));
        snprintf(c.subject, sizeof c.subject, "%s", t->cert.subject);
        snprintf(c.key_serial, sizeof c.key_serial, "%s", txn_get(t, "key_serial"));
        snprintf(c.kind, sizeof c.kind, "%s", strcmp(txn_get(t, "kind"), "legal") == 0 ? "legal" : "unit");
        c.not_before = t->cert.not_before;
        c.not_after = t->cert.not_after;
        c.first_issue = env_now(env);
        c.state = CERT_ACTIVE;
        c.order_id = t->order.id;
        if ((rc = store_cert_put(env->st, &c)) != STORE_OK)
            goto fail;
        memset(&k, 0, sizeof k);
        snprintf(k.serial, sizeof k.serial, "%s", c.key_serial);
        snprintf(k.uscc, sizeof k.uscc, "%s", c.uscc);
        snprintf(k.cert_serial, sizeof k.cert_serial, "%s", c.serial);
        snprintf(k.algo, sizeof k.algo, "%s", env->cfg != NULL ? env->cfg->key_algo : "");
        k.first_issue = c.first_issue;
        if (k.serial[0] != '\0' && (rc = store_key_put(env->st, &k)) != STORE_OK)
            goto fail;
        store_mask_id(txn_get(t, "operator_id"), masked, sizeof masked);
        snprintf(detail, sizeof detail, "order=%s cert=%s key=%s uscc=%s operator=%s algo=%s",
                 t->order.number, c.serial, c.key_serial, c.uscc, masked, k.algo);
        if ((rc = store_audit(env->st, t->order.clerk[0] ? t->order.clerk : t->order.window, "cert.issue", detail)) != STORE_OK)
            goto fail;
    }
    txn_set(t, "cert_serial", t->cert.serial_hex);
    /* The order resumes at "done" from now on; the page moves there itself. */
    done = txn_step_index(t->def, "done");
    cur = t->step;
    if (done >= 0)
        t->step = done;
    rc = txn_save(t, env->st);
    t->step = cur;
    if (rc != STORE_OK)
        goto fail;
    if ((rc = store_commit(env->st)) != STORE_OK)
        return rc;
    t->cert_recorded = true;
    return STORE_OK;
fail:
    store_rollback(env->st);
    return rc;
}

int
txn_new_records(struct txn *t, store *st)
{
    struct store_company c;
    struct store_operator p;
    int kind = txn_step_index(t->def, "kind"), rc;

    if (kind < 0 || t->step < kind)
        return STORE_OK; /* the operator is not confirmed yet */
    if (txn_get(t, "uscc")[0] != '\0' && txn_get(t, "company")[0] != '\0') {
        memset(&c, 0, sizeof c);
        CP(c.uscc, "uscc");
        CP(c.name, "company");
        CP(c.legal_rep, "legal_rep");
        CP(c.phone, "company_phone");
        CP(c.office_phone, "office_phone");
        CP(c.website, "website");
        CP(c.address, "address");
        if ((rc = store_company_put(st, &c)) != STORE_OK)
            return rc;
    }
    if (txn_get(t, "operator_id")[0] != '\0' && txn_get(t, "operator_name")[0] != '\0') {
        memset(&p, 0, sizeof p);
        CP(p.id_number, "operator_id");
        CP(p.name, "operator_name");
        CP(p.mobile, "mobile");
        CP(p.email, "email");
        CP(p.wechat, "wechat");
        CP(p.uscc, "uscc");
        if ((rc = store_operator_put(st, &p)) != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

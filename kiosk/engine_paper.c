/*
 * kiosk/engine_paper.c - the papers of any transaction: the documents'
 * view of an order (txn_new_doc: company, operator, money, key,
 * certificate, from the order's values) and queueing them in the outbox
 * once per order, the flag that remembers it set in the same unit of work.
 * Only the print worker talks to the printer; without one (commands,
 * tests) the outbox is pumped here.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printing/print.h"

#include <openssl/evp.h>

#define CP(dst, key) snprintf((dst), sizeof(dst), "%s", txn_get(t, (key)))


void
txn_new_doc(const struct txn *t, const struct txn_env *env, struct prn_order_doc *d)
{
    const struct cfg_profile *p = cfg_profile(env->cfg);

    struct store_clerk c;

    memset(d, 0, sizeof *d);
    /* official papers are Chinese whatever the screen speaks (the applicant
     * signs them, the CA files them) */
    d->lang = LANG_ZH;
    /* ... and the applicant who reads English gets each receipt line in English too */
    d->bilingual = msg_get_lang() == LANG_EN;
    snprintf(d->order_number, sizeof d->order_number, "%s", t->order.number);
    d->txn = t->def->kind;
    d->cert_kind = strcmp(txn_get(t, "kind"), "legal") == 0 ? PRN_CERT_LEGAL : PRN_CERT_UNIT;
    CP(d->company, "company");
    CP(d->uscc, "uscc");
    CP(d->legal_rep, "legal_rep");
    CP(d->legal_rep_id, "legal_rep_id");
    CP(d->app_region, "app_region");
    CP(d->app_category, "app_category");
    CP(d->app_project, "app_project");
    if (env->st != NULL && d->uscc[0] != '\0' &&
        (d->legal_rep_id[0] == '\0' || d->app_region[0] == '\0' || d->app_category[0] == '\0' ||
         d->app_project[0] == '\0')) {
        /* a servicing order asks none of them: the company's record has them from its new certificate */
        struct store_company co;
        if (store_company_get(env->st, d->uscc, &co) == STORE_OK) {
#define FROM_RECORD(f) if (d->f[0] == '\0') snprintf(d->f, sizeof d->f, "%s", co.f)
            FROM_RECORD(legal_rep_id);
            FROM_RECORD(app_region);
            FROM_RECORD(app_category);
            FROM_RECORD(app_project);
#undef FROM_RECORD
        }
    }
    CP(d->change_desc, "change_desc");
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
    if (d->not_after == 0) {    /* a servicing order resumed: the certificate's days from its values */
        d->not_before = (time_t)strtoll(txn_get(t, "cert_nb"), NULL, 10);
        d->not_after = (time_t)strtoll(txn_get(t, "cert_na"), NULL, 10);
    }
    CP(d->cert_fpr, "cert_fpr");
    CP(d->seal_id, "seal_id");
    CP(d->seal_name, "seal_name");
    CP(d->seal_image, "image_desc");
    CP(d->rebind_of, "rebind_of");
    snprintf(d->ca_name, sizeof d->ca_name, "%s", p->display_name);
    snprintf(d->hall, sizeof d->hall, "%s", env->cfg->hall_name);
    snprintf(d->window, sizeof d->window, "%s", strcmp(t->order.window, "window68") == 0 ? "68" :
             strcmp(t->order.window, "window66") == 0 ? "66" : "");
    /* the clerk by name, as the applicant knows them, not by login */
    memset(&c, 0, sizeof c);
    if (t->order.clerk[0] != '\0' && env->st != NULL && store_clerk_get(env->st, t->order.clerk, &c) == STORE_OK &&
        c.name[0] != '\0')
        snprintf(d->clerk, sizeof d->clerk, "%s", c.name);
    else
        snprintf(d->clerk, sizeof d->clerk, "%s", t->order.clerk);
    d->created = t->order.created;
}

/*
 * What the application form and the seal sheet say, as 16 hex digits: a
 * SHA-256 of every value they print that a clerk can still change before
 * the key (the company, the operator, the application project, the kind and
 * term, the fees). Papers printed with another fingerprint are stale.
 */
void
txn_forms_fpr(const struct txn *t, const struct txn_env *env, char out[17])
{
    struct prn_order_doc d;
    unsigned char md[32];
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    char num[96];
    const char *const text[] = { d.company, d.uscc, d.legal_rep, d.legal_rep_id, d.company_phone, d.office_phone,
                                 d.website, d.operator_name, d.operator_id, d.operator_mobile, d.operator_email,
                                 d.operator_wechat, d.mail_address, d.app_region, d.app_category, d.app_project,
                                 d.change_desc, d.seal_name };
    unsigned int mdlen = 0;
    int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;

    txn_new_doc(t, env, &d);
    for (size_t i = 0; ok && i < sizeof text / sizeof text[0]; i++)
        ok = EVP_DigestUpdate(c, text[i], strlen(text[i]) + 1) == 1;    /* with its NUL: no field runs into the next */
    snprintf(num, sizeof num, "%d|%d|%d|%ld|%ld", (int)d.txn, (int)d.cert_kind, d.years, d.media_fee,
             d.service_fee_per_year);
    ok = ok && EVP_DigestUpdate(c, num, strlen(num)) == 1 && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", ok ? md[i] : 0);
}

bool
txn_forms_stale(const struct txn *t, const struct txn_env *env)
{
    char now[17];

    if (!txn_get_int(t, "forms_printed", 0) || txn_get(t, "forms_fpr")[0] == '\0')
        return false;
    txn_forms_fpr(t, env, now);
    return strcmp(now, txn_get(t, "forms_fpr")) != 0;
}

/*
 * Queue DOCS for T and set FLAG=1 in one unit of work: the flag is only ever
 * set once the jobs are in the outbox. Then the printer is asked: the worker
 * woken (kiosk), or the outbox pumped here (commands, tests). Returns 0, or
 * -1 with err (nothing queued; or queued and the printer not reachable, which
 * a later pump delivers).
 */
static int
txn_print(struct txn *t, const struct txn_env *env, const char *flag, const enum prn_doc *docs, int n,
          char *err, size_t errlen)
{
    struct prn_order_doc d;
    int64_t job;
    int i, rc;

    if (env->st == NULL || t->order.id == 0) {
        snprintf(err, errlen, "%s", msg(M_TXN_DB_DOWN));
        return -1;
    }
    txn_new_doc(t, env, &d);
    if ((rc = store_begin(env->st)) != STORE_OK) {
        snprintf(err, errlen, "%s", msg(rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
        return -1;
    }
    for (i = 0; i < n; i++)
        if (prn_outbox_add_doc(env->st, env->cfg, t->order.id, docs[i], &d, txn_now(env), &job, err, errlen) != 0) {
            store_rollback(env->st);
            return -1;
        }
    txn_set_int(t, flag, 1);
    if (strcmp(flag, "forms_printed") == 0) {
        char fpr[17];
        txn_forms_fpr(t, env, fpr);
        txn_set(t, "forms_fpr", fpr);      /* what they say, to see them go stale */
    }
    if ((rc = txn_save(t, env->st)) != STORE_OK || (rc = store_commit(env->st)) != STORE_OK) {
        if (rc != STORE_OK)
            store_rollback(env->st);
        txn_set_int(t, flag, 0);
        snprintf(err, errlen, "%s", msg(rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
        return -1;
    }
    txn_fault(strcmp(flag, "forms_printed") == 0 ? "papers" : "receipt");
    return txn_print_kick(env, err, errlen);
}

int
txn_print_kick(const struct txn_env *env, char *err, size_t errlen)
{
    struct prn_pump_result res;

    if (env->printer != NULL) {
        prn_worker_wake(env->printer);
        return 0;
    }
    memset(&res, 0, sizeof res);
    if (prn_outbox_pump(env->st, env->cfg, txn_now(env), &res) != 0) {
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

/* Print DOCS once per order (FLAG remembers it). */
static int
txn_print_once(struct txn *t, const struct txn_env *env, const char *flag, const enum prn_doc *docs,
               int ndocs, char *err, size_t errlen)
{
    if (txn_get_int(t, flag, 0))
        return 0;
    return txn_print(t, env, flag, docs, ndocs, err, errlen);
}

int
txn_new_print_forms(struct txn *t, const struct txn_env *env, char *err, size_t errlen)
{
    static const enum prn_doc docs[] = { PRN_DOC_FORM, PRN_DOC_SEAL };

    return txn_print_once(t, env, "forms_printed", docs, 2, err, errlen);
}

int
txn_new_reprint_stale_forms(struct txn *t, const struct txn_env *env, int *withdrawn, char *err, size_t errlen)
{
    static const enum prn_doc docs[] = { PRN_DOC_FORM, PRN_DOC_SEAL };
    char detail[160];
    int cancelled = 0, rc;

    *withdrawn = 0;
    if (env->st == NULL || t->order.id == 0) {
        snprintf(err, errlen, "%s", msg(M_TXN_DB_DOWN));
        return -1;
    }
    /* the stale papers not yet at the printer are taken back; those printed must be collected */
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct store_job j;
        if (store_job_of_order(env->st, t->order.id, prn_doc_name(docs[i]), &j) != STORE_OK)
            continue;
        if (prn_outbox_cancel(env->st, j.id, txn_now(env)) == STORE_OK)
            cancelled++;
        else if (j.state != JOB_CANCELLED)
            (*withdrawn)++;
    }
    snprintf(detail, sizeof detail, "order=%s was=%s cancelled=%d printed=%d", t->order.number,
             txn_get(t, "forms_fpr"), cancelled, *withdrawn);
    /* not printed again unaudited: asked again next time (the fingerprint still differs) */
    if ((rc = store_audit(env->st, t->order.clerk[0] ? t->order.clerk : t->order.window, "papers.stale", detail)) !=
        STORE_OK) {
        snprintf(err, errlen, "%s", msg(rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
        return -1;
    }
    txn_set_int(t, "forms_printed", 0);
    return txn_new_print_forms(t, env, err, errlen);
}

int
txn_print_checklist(struct txn *t, const struct txn_env *env, char *err, size_t errlen)
{
    static const enum prn_doc docs[] = { PRN_DOC_CHECKLIST };

    /* each time asked (FLAG only says it was) */
    return txn_print(t, env, "checklist_printed", docs, 1, err, errlen);
}

int
txn_new_print_receipt(struct txn *t, const struct txn_env *env, char *err, size_t errlen)
{
    static const enum prn_doc docs[] = { PRN_DOC_RECEIPT };

    return txn_print_once(t, env, "receipt_printed", docs, 1, err, errlen);
}


/* ---- the receipt stage every transaction with an order may list ------------- */

bool
txn_stage_receipt_done(const struct txn *t)
{
    return txn_get_int(t, "receipt_printed", 0) != 0;
}

static enum txn_run_result
receipt_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    r->note_warn = txn_new_print_receipt(t, env, r->note, sizeof r->note) != 0;
    if (!txn_get_int(t, "receipt_printed", 0))
        return r->store_rc = STORE_ERR_IO, RUN_STORE;   /* not even queued (records): retry */
    if (!r->note_warn)
        snprintf(r->note, sizeof r->note, "%s", msg(env->printer ? M_TXN_RECEIPT_SENT : M_TXN_RECEIPT_PRINTED));
    return RUN_OK;
}

static bool
bind_paper_done(const struct txn *t)
{
    return txn_get_int(t, "bind_printed", 0) != 0;
}

static enum txn_run_result
bind_paper_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    static const enum prn_doc docs[] = { PRN_DOC_BIND };

    r->note_warn = txn_print_once(t, env, "bind_printed", docs, 1, r->note, sizeof r->note) != 0;
    if (!bind_paper_done(t))
        return r->store_rc = STORE_ERR_IO, RUN_STORE;   /* not even queued (records): retry */
    if (!r->note_warn)
        snprintf(r->note, sizeof r->note, "%s", msg(env->printer ? M_BIND_PAPER_SENT : M_BIND_PAPER_PRINTED));
    return RUN_OK;
}

const struct txn_stage txn_stage_bind_paper = {
    .name = "bind_paper", .title = M_BIND_S_PAPER, .done = bind_paper_done, .run = bind_paper_run,
    .store_fail_msg = M_TXN_PAPER_FAILED,
};

const struct txn_stage txn_stage_receipt = {
    .name = "receipt", .title = M_TXN_ISSUE_S_RECEIPT, .done = txn_stage_receipt_done, .run = receipt_run,
    .store_fail_msg = M_TXN_PAPER_FAILED,
};

/* ---- a finished order's receipt, again -------------------------------------- */

int
txn_order_reprint(const struct txn_env *env, const struct store_order *o)
{
    struct store_job j;
    char detail[128];
    int64_t new_id = 0;
    int rc;

    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if (o->state != ORDER_DONE)
        return STORE_ERR_CONFLICT;
    if ((rc = store_job_of_order(env->st, o->id, "receipt", &j)) != STORE_OK)
        return rc;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return rc;
    rc = prn_outbox_reprint(env->st, j.id, txn_now(env), &new_id);
    if (rc == STORE_OK) {
        snprintf(detail, sizeof detail, "order=%s job=%lld new_job=%lld", o->number, (long long)j.id,
                 (long long)new_id);
        rc = store_audit(env->st, txn_actor(env), "print.reprint", detail);
    }
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    if (rc == STORE_OK && env->printer != NULL)
        prn_worker_wake(env->printer);
    return rc;
}


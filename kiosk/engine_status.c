/*
 * kiosk/engine_status.c - the status changes of a certificate at window 66:
 * each an order whose one piece of work is the same stage - the change in
 * the records with its audit row in one unit of work, written ahead
 * (fx_status = changing before, done after), then the CRL published.
 * Killed after the change, the order finishes without changing twice (the
 * records already say so) and publishes the CRL again; once begun it can no
 * longer be cancelled. All are free: the form is printed and "free"
 * confirmed, nothing is charged.
 *
 * 证书撤销 revocation (issue 9; seeds 000/003 name the form's operation):
 * the company by its USCC and name, which must hold a current certificate
 * (active, or on hold) -> the operator -> the reason (RFC 5280), the
 * company and its certificate shown above it -> materials -> the form ->
 * revoked at once -> receipt -> done. The key may be absent.
 *
 * 证书挂失 report lost (beyond the seeds: the CA key-management standards
 * name suspension and release): the company by its USCC and name, holding
 * an active certificate -> the operator -> the company and certificate
 * shown and confirmed -> materials -> on hold (certificateHold on the CRL,
 * its key recorded held) -> receipt -> done, with the day the hold runs
 * out ([ca] hold_days); after it the next publication revokes it
 * (keyCompromise), and a lost-key replacement revokes it at once.
 *
 * 证书解挂 release: the found key read (its certificate on hold, the hold
 * not run out) -> the operator -> materials -> the key's PIN, counted by
 * the wrong-PIN counter (whoever merely found the key cannot release it)
 * -> active again, off the CRL, the key back in use -> receipt -> done.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What each status change does and says. */
struct status_words {
    enum txn_ca_op op;
    enum msg_id nothing;        /* the change is no longer possible */
    enum msg_id crl_later;      /* changed; the CRL could not be published */
    enum msg_id no_cancel;      /* begun: finish, do not cancel */
};
static const struct status_words status_revoke = { CA_REVOKE, M_REV_NOTHING, M_REV_CRL_LATER, M_REV_NO_CANCEL };
static const struct status_words status_hold = { CA_HOLD, M_HOLD_NOTHING, M_HOLD_CRL_LATER, M_HOLD_NO_CANCEL };
static const struct status_words status_release = { CA_RELEASE, M_REL_NOTHING, M_REL_CRL_LATER, M_REL_NO_CANCEL };

static const struct status_words *
status_of(const struct txn *t)
{
    return t->def->kind == KIND_HOLD ? &status_hold : t->def->kind == KIND_RELEASE ? &status_release : &status_revoke;
}

static const int revoke_reasons[] = { REASON_KEY_COMPROMISE, REASON_CESSATION, REASON_AFFILIATION_CHANGED,
                                      REASON_SUPERSEDED, REASON_UNSPECIFIED };
static const enum msg_id revoke_reason_options[] = { M_REV_R_KEY, M_REV_R_CESSATION, M_REV_R_AFFILIATION,
                                                     M_REV_R_SUPERSEDED, M_REV_R_UNSPECIFIED };

/* The reason the change records: the one picked for a revocation
 * (REASON_NONE while none is), certificateHold for 挂失, none for 解挂. */
static int
status_reason(const struct txn *t, bool *ok)
{
    int pick = txn_get_int(t, "reason_pick", 0);

    *ok = true;
    switch (status_of(t)->op) {
    case CA_HOLD:
        return REASON_HOLD;
    case CA_RELEASE:
        return REASON_NONE;
    case CA_REVOKE:
        break;
    }
    *ok = pick >= 1 && pick <= (int)(sizeof revoke_reasons / sizeof revoke_reasons[0]);
    return *ok ? revoke_reasons[pick - 1] : REASON_NONE;
}

/* The records already hold C where the change leads (done before a crash, or meanwhile). */
static bool
status_reached(const struct txn *t, const struct store_cert *c)
{
    bool held = c->state == CERT_REVOKED && c->reason == REASON_HOLD;

    switch (status_of(t)->op) {
    case CA_REVOKE:
        return c->state == CERT_REVOKED && !held;
    case CA_HOLD:
        return held;
    case CA_RELEASE:
        return c->state == CERT_ACTIVE;
    }
    return false;
}

/* The certificate to change, fixed once the company is confirmed (revoke,
 * hold: what the confirmation page shows and the receipt names; a release
 * takes it from the key). */
static int
status_records(struct txn *t, store *st)
{
    int company = txn_step_index(t->def, "company");
    struct store_cert c;

    if (company >= 0 && t->step > company && txn_get(t, "fx_status")[0] == '\0' &&
        store_cert_current_for_uscc(st, txn_get(t, "uscc"), &c) == STORE_OK) {
        char v[24];
        txn_set(t, "cert_serial", c.serial);
        snprintf(v, sizeof v, "%lld", (long long)c.not_after);
        txn_set(t, "cert_na", v);
        txn_set(t, "old_key", c.key_serial);
    }
    return txn_replace_records(t, st);
}

static bool
status_done(const struct txn *t)
{
    return strcmp(txn_get(t, "fx_status"), "done") == 0;
}

static enum txn_run_result
status_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    const struct status_words *w = status_of(t);
    const char *serial = txn_get(t, "cert_serial");
    struct store_cert c;
    bool published, ok;
    int reason = status_reason(t, &ok), rc;
    char err[256];

    if (!ok || serial[0] == '\0') {
        r->why = w->nothing;
        return RUN_REFUSED;
    }
    if (env->st == NULL)
        return r->store_rc = STORE_ERR_OPEN, RUN_STORE;
    if ((rc = txn_mark(t, env->st, "fx_status", "changing")) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    rc = txn_ca_change(env, w->op, serial, reason, txn_actor(env), &published, err, sizeof err);
    if (rc == STORE_ERR_CONFLICT && store_cert_get(env->st, serial, &c) == STORE_OK && status_reached(t, &c)) {
        /* changed already: by this order before a crash (perhaps before the
         * CRL went out), or meanwhile; the CRL is published again */
        rc = STORE_OK;
        published = env->tok != NULL && txn_ca_publish(env, err, sizeof err) == 0;
    }
    if (rc == STORE_ERR_CONFLICT || rc == STORE_ERR_NOT_FOUND) {
        r->why = w->nothing;
        return RUN_REFUSED;
    }
    if (rc != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    txn_fault(kind_code(t->def->kind));
    if (w->op == CA_HOLD && store_cert_get(env->st, serial, &c) == STORE_OK) {
        char v[24];     /* the day the hold runs out, for the done page */
        snprintf(v, sizeof v, "%lld", (long long)(c.revoked_at + (time_t)env->cfg->hold_days * 86400));
        txn_set(t, "hold_until", v);
    }
    if ((rc = txn_mark(t, env->st, "fx_status", "done")) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    if (!published)
        snprintf(r->note, sizeof r->note, "%s", msg(w->crl_later));
    return RUN_OK;
}

/* Once begun there is nothing to undo: only finishing is right. */
static enum msg_id
status_may_cancel(const struct txn *t, const struct txn_env *env)
{
    (void)env;
    return txn_get(t, "fx_status")[0] != '\0' ? status_of(t)->no_cancel : 0;
}

/* The company and its certificate, above the question that confirms them. */
static const struct txn_show status_cert_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "old_key", M_TXN_KEY_SERIAL, 0 },
};

/* ---- 证书撤销 revocation ---------------------------------------------------- */

static const struct txn_stage revoke_stage = {
    .name = "revoke", .title = M_REV_S_REVOKE, .done = status_done, .run = status_run, .done_note = M_REV_REVOKED,
};
static const struct txn_stage *const revoke_stages[] = { &revoke_stage, &txn_stage_receipt, &txn_stage_finish };

static const struct txn_pick revoke_reason_pick = {
    .key = "reason_pick", .question = M_REV_REASON_Q, .options = revoke_reason_options,
    .noptions = sizeof revoke_reason_options / sizeof revoke_reason_options[0],
    .rows = status_cert_rows, .nrows = sizeof status_cert_rows / sizeof status_cert_rows[0],
};

static const struct txn_form revoke_company_form = {
    .intro = M_REV_INTRO,
    .fields = txn_replace_company_fields,
    .nfields = TXN_REPLACE_COMPANY_NFIELDS,
    .check = txn_replace_company_check,
};

static const struct txn_show revoke_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_REV_CERT, 0 },
};
static const struct txn_done revoke_done_page = {
    .headline = M_REV_DONE,
    .rows = revoke_done_rows,
    .nrows = sizeof revoke_done_rows / sizeof revoke_done_rows[0],
    .next = M_REV_NEXT,
};

static const struct txn_step revoke_steps[] = {
    { .name = "company", .title = M_TXN_STEP_COMPANY, .page = PAGE_FORM, .form = &revoke_company_form },
    { .name = "operator", .title = M_TXN_STEP_OPERATOR, .page = PAGE_FORM, .form = &txn_new_operator_form },
    { .name = "reason", .title = M_REV_STEP_REASON, .page = PAGE_PICK, .pick = &revoke_reason_pick },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "revoke", .title = M_REV_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .stages = revoke_stages, .nstages = sizeof revoke_stages / sizeof revoke_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_revoke = {
    .kind = KIND_REVOKE,
    .steps = revoke_steps,
    .nsteps = sizeof revoke_steps / sizeof revoke_steps[0],
    .records = status_records,
    .may_cancel = status_may_cancel,
    .done = &revoke_done_page,
};

/* ---- 证书挂失 report lost ---------------------------------------------------- */

static const struct txn_stage hold_stage = {
    .name = "hold", .title = M_HOLD_S_RUN, .done = status_done, .run = status_run, .done_note = M_HOLD_HELD,
};
static const struct txn_stage *const hold_stages[] = { &hold_stage, &txn_stage_receipt, &txn_stage_finish };

static const enum msg_id hold_options[] = { M_HOLD_OPT };
static const struct txn_pick hold_pick = {
    .key = "hold_pick", .question = M_HOLD_Q, .options = hold_options,
    .noptions = sizeof hold_options / sizeof hold_options[0],
    .rows = status_cert_rows, .nrows = sizeof status_cert_rows / sizeof status_cert_rows[0],
};

static const struct txn_form hold_company_form = {
    .intro = M_HOLD_INTRO,
    .fields = txn_replace_company_fields,
    .nfields = TXN_REPLACE_COMPANY_NFIELDS,
    .check = txn_replace_company_check,
};

static const struct txn_show hold_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_HOLD_CERT, 0 },
    { "old_key", M_TXN_KEY_SERIAL, 0 },
    { "hold_until", M_HOLD_UNTIL, TXN_SHOW_DATE },
};
static const struct txn_done hold_done_page = {
    .headline = M_HOLD_DONE,
    .rows = hold_done_rows,
    .nrows = sizeof hold_done_rows / sizeof hold_done_rows[0],
    .next = M_HOLD_NEXT,
};

static const struct txn_step hold_steps[] = {
    { .name = "company", .title = M_TXN_STEP_COMPANY, .page = PAGE_FORM, .form = &hold_company_form },
    { .name = "operator", .title = M_TXN_STEP_OPERATOR, .page = PAGE_FORM, .form = &txn_new_operator_form },
    { .name = "confirm", .title = M_HOLD_STEP_CONFIRM, .page = PAGE_PICK, .pick = &hold_pick },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "hold", .title = M_HOLD_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .stages = hold_stages, .nstages = sizeof hold_stages / sizeof hold_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_hold = {
    .kind = KIND_HOLD,
    .steps = hold_steps,
    .nsteps = sizeof hold_steps / sizeof hold_steps[0],
    .records = status_records,
    .may_cancel = status_may_cancel,
    .done = &hold_done_page,
};

/* ---- 证书解挂 release --------------------------------------------------------- */

static const struct txn_stage release_stage = {
    .name = "release", .title = M_REL_S_RUN, .done = status_done, .run = status_run, .done_note = M_REL_RELEASED,
};
static const struct txn_stage *const release_stages[] = { &release_stage, &txn_stage_receipt, &txn_stage_finish };

static const struct txn_show release_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
};
static const struct txn_done release_done_page = {
    .headline = M_REL_DONE,
    .rows = release_done_rows,
    .nrows = sizeof release_done_rows / sizeof release_done_rows[0],
    .next = M_REL_NEXT,
};

static const struct txn_step release_steps[] = {
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "operator", .title = M_TXN_STEP_OPERATOR, .page = PAGE_FORM, .form = &txn_new_operator_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "current", .title = M_PINCHG_STEP_CURRENT, .page = PAGE_PIN, .pin = TXN_PIN_CURRENT,
      .flags = TXN_STEP_PAID },
    { .name = "release", .title = M_REL_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .stages = release_stages, .nstages = sizeof release_stages / sizeof release_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_release = {
    .kind = KIND_RELEASE,
    .steps = release_steps,
    .nsteps = sizeof release_steps / sizeof release_steps[0],
    .records = status_records,
    .may_cancel = status_may_cancel,
    .key_scan = txn_svc_key_scan,
    .key_take = txn_svc_key_take,
    .done = &release_done_page,
    .servicing = true,
    .key_ev = KEYEV_RELEASE,
};

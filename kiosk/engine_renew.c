/*
 * kiosk/engine_renew.c - 证书更新 renewal at window 66 (seeds 000, 003, 004):
 * the applicant -> the key, its certificate ours, active or expired, and
 * inside the renewal window (fewer than renew_before_days left, or expired
 * at most renew_after_expiry_days: otherwise refused, with the day the
 * window opens, or sent to 证书新办 with the full materials) -> encrypted
 * bids not yet opened? (seed 003: yes warns, and the applicant may stop) ->
 * the term -> materials -> fee (per year, the profile) and the form with
 * 证书更新 ticked -> payment -> [paid] the current PIN (counted) -> a new
 * key pair on the key beside the old one, the CA's signature (not yet
 * expired: old end + term; expired: today + term), written, read back,
 * self-tested, and only then the old certificate and key pair removed; the
 * PIN unchanged -> records: the new certificate, the old one revoked as
 * superseded (its key pair is gone), audited, the CRL published -> receipt
 * (bid files encrypted with the old key must be encrypted again; the seal
 * re-bound at window 68) -> done.
 *
 * Its journal is 证书新办's (kiosk/engine.h) plus old_cert / old_na: the
 * certificate replaced and its end. Killed after the new certificate was
 * written but before the old objects were removed, the key holds both: the
 * resumed issue stage keeps the order's reserved one (tok_keep_only). Once
 * the old key pair is gone the order cannot be cancelled, only finished.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/clock.h"

static bool
fx(const struct txn *t, const char *key, const char *val)
{
    return strcmp(txn_get(t, key), val) == 0;
}

/* The key work has begun on the key named in the order. */
static bool
renew_begun(const struct txn *t)
{
    return txn_get(t, "fx_cert")[0] != '\0';
}

static void
renew_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v)
{
    const struct cfg_profile *p = cfg_profile(env->cfg);
    struct rules_date end, today;
    enum rules_status st;

    txn_svc_key_scan(t, env, v);
    if (v->verdict == KEY_NONE)
        return;
    if (renew_begun(t)) {
        /* resumed: the order's own key, whatever it holds now (old, new or both) */
        if (strcmp(v->key.serial, txn_get(t, "key_serial")) == 0) {
            v->verdict = KEY_USABLE;
            v->note = 0;
        } else {
            v->verdict = KEY_REFUSED;
            v->note = M_RENEW_OTHER_KEY;
        }
        return;
    }
    if (v->verdict != KEY_USABLE)
        return;
    end = clock_local_day(v->cert.not_after);
    today = clock_local_day(txn_now(env));
    st = rules_renew_eligibility(p, end, today);
    if (st == RULES_RENEW_TOO_EARLY) {
        char from[16];
        /* renewable once end - today < renew_before_days: from end - (renew_before_days - 1) */
        struct rules_date open = rules_civil_from_days(rules_days_from_civil(end) - (p->renew_before_days - 1));
        rules_date_format(open, from, sizeof from);
        v->verdict = KEY_REFUSED;
        v->note = M_RENEW_TOO_EARLY;
        msg_fmt(v->note_text, sizeof v->note_text, M_RENEW_TOO_EARLY, from);
    } else if (st != RULES_OK) {
        v->verdict = KEY_REFUSED;
        v->note = M_RENEW_NEEDS_NEW;
    }
}

static enum msg_id
renew_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe)
{
    struct store_cert rec;
    char na[24];

    (void)wipe;
    if (v->verdict == KEY_NONE)
        return M_TXN_KEY_INSERT;
    if (v->verdict != KEY_USABLE)
        return v->note ? v->note : M_KEYST_UNKNOWN;
    if (renew_begun(t))
        return 0;       /* the order's key again: nothing to take */
    txn_set(t, "key_serial", v->key.serial);
    txn_set(t, "old_cert", v->cert.serial_hex);
    snprintf(na, sizeof na, "%lld", (long long)v->cert.not_after);
    txn_set(t, "old_na", na);
    txn_set(t, "company", v->cert.holder);
    txn_set(t, "uscc", v->cert.uscc);
    if (env->st != NULL && store_cert_get(env->st, v->cert.serial_hex, &rec) == STORE_OK)
        txn_set(t, "kind", strcmp(rec.kind, "legal") == 0 ? "legal" : "unit");
    return 0;
}

/* The renewal's term, 1 .. the profile's max_years, as a form's records check. */
static enum msg_id
renew_term_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    int years = txn_get_int(t, "years", 0);

    (void)other_id;
    (void)n;
    *field = "years";
    return years >= 1 && years <= cfg_profile(env->cfg)->max_years ? 0 : M_RULE_YEARS_RANGE;
}

/* ---- the paid work ------------------------------------------------------------- */

/* The issue stage; resumed after the new certificate reached the key but
 * before the old objects went, it finishes the removal instead. */
static enum txn_run_result
renew_issue_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    const char *serial = txn_get(t, "key_serial");
    int rc;

    if (t->pin[0] == '\0')
        snprintf(t->pin, sizeof t->pin, "%s", t->pin_old);   /* the PIN is unchanged */
    if (t->pin[0] == '\0')
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN;
    if ((fx(t, "fx_cert", "stored") || fx(t, "fx_cert", "signed")) && txn_get(t, "cert_serial")[0] != '\0') {
        rc = tok_keep_only(env->tok, serial, t->pin, txn_get(t, "cert_serial"));
        if (rc == TOK_OK) {
            if ((rc = tok_read_cert(env->tok, serial, &t->cert)) != TOK_OK || strcmp(t->cert.serial_hex, txn_get(t, "cert_serial")) != 0) {
                txn_pin_clear(t);
                return r->tok_rc = rc != TOK_OK ? rc : TOK_ERR_VERIFY, RUN_TOKEN;
            }
            txn_pin_clear(t);
            txn_set(t, "cert_fpr", t->cert.fpr);
            if ((rc = txn_mark(t, env->st, "fx_cert", "written")) != STORE_OK)
                return r->store_rc = rc, RUN_STORE;
            return RUN_OK;
        }
        if (rc != TOK_ERR_NO_CERT) {
            txn_pin_clear(t);
            return r->tok_rc = rc, RUN_TOKEN;
        }
        /* the reserved certificate never reached the key: issue again */
    }
    return txn_new_issue_stage(t, env, r);
}

static const struct txn_stage renew_stage_issue = {
    .name = "issue", .title = M_RENEW_S_ISSUE, .done = txn_new_issue_done, .run = renew_issue_run,
    .needs_pin = true, .on_key_fail = "current", .done_note = M_TXN_SELFTEST_OK,
};
static const struct txn_stage *const renew_stages[] = {
    &renew_stage_issue, &txn_new_stage_record, &txn_stage_receipt, &txn_stage_finish,
};

/* Once the old key pair is gone from the key, only finishing is right. */
static enum msg_id
renew_may_cancel(const struct txn *t, const struct txn_env *env)
{
    (void)env;
    return fx(t, "fx_cert", "stored") || txn_new_issue_done(t) ? M_RENEW_NO_CANCEL : 0;
}

/* ---- the table ------------------------------------------------------------------ */

static const struct txn_field renew_applicant_fields[] = {
    { .key = "operator_name", .label = M_TXN_F_OPERATOR, .max_chars = 30, .required = true },
    { .key = "operator_id", .label = M_TXN_F_OPERATOR_ID, .max_chars = 18,
      .field_flags = FIELD_ASCII | FIELD_UPPER, .required = true, .check = txn_resident_id_today },
    { .key = "mobile", .label = M_TXN_F_MOBILE, .max_chars = 11, .field_flags = FIELD_DIGITS, .required = true,
      .check = rules_mobile },
};
static const struct txn_form renew_applicant_form = {
    .intro = M_RENEW_INTRO,
    .fields = renew_applicant_fields,
    .nfields = sizeof renew_applicant_fields / sizeof renew_applicant_fields[0],
    .check = txn_operator_check,
};

static const struct txn_field renew_term_fields[] = {
    { .key = "years", .label = M_RENEW_F_YEARS, .max_chars = 1, .field_flags = FIELD_DIGITS, .required = true },
};
static const struct txn_form renew_term_form = {
    .intro = M_RENEW_TERM_INTRO,
    .fields = renew_term_fields,
    .nfields = 1,
    .check = renew_term_check,
};

static const struct txn_confirm renew_bids = {
    .key = "bids_pending",
    .question = M_RENEW_BIDS_Q,
    .warning = M_RENEW_BIDS_WARN,
};

static const struct txn_mat renew_materials[] = {
    { .key = "mat_form", .label = M_RENEW_MAT_FORM },
    { .key = "mat_uscc_copy", .label = M_TXN_MAT_USCC_COPY },
    { .key = "mat_operator_id", .label = M_TXN_MAT_OPERATOR_ID },
};

static const struct txn_show renew_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
};
static const struct txn_done renew_done = {
    .headline = M_RENEW_DONE,
    .rows = renew_done_rows,
    .nrows = sizeof renew_done_rows / sizeof renew_done_rows[0],
    .next = M_RENEW_NEXT,
};

static const struct txn_step renew_steps[] = {
    { .name = "applicant", .title = M_UNLOCK_STEP_APPLICANT, .page = PAGE_FORM, .form = &renew_applicant_form },
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "bids", .title = M_RENEW_STEP_BIDS, .page = PAGE_CONFIRM, .confirm = &renew_bids },
    { .name = "term", .title = M_RENEW_STEP_TERM, .page = PAGE_FORM, .form = &renew_term_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS, .materials = renew_materials,
      .nmaterials = sizeof renew_materials / sizeof renew_materials[0] },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "current", .title = M_PINCHG_STEP_CURRENT, .page = PAGE_PIN, .pin = TXN_PIN_CURRENT,
      .flags = TXN_STEP_PAID },
    { .name = "issue", .title = M_RENEW_STEP_ISSUE, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .resume_at = "current", .stages = renew_stages, .nstages = sizeof renew_stages / sizeof renew_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_renew = {
    .kind = KIND_RENEW,
    .steps = renew_steps,
    .nsteps = sizeof renew_steps / sizeof renew_steps[0],
    .resume_at = txn_new_resume_at,
    .may_cancel = renew_may_cancel,
    .on_cancel = txn_new_on_cancel,
    .key_scan = renew_key_scan,
    .key_take = renew_key_take,
    .done = &renew_done,
    .servicing = true,
};

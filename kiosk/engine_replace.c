/*
 * kiosk/engine_replace.c - 证书补办 lost-key replacement at window 66 (seeds
 * 000, 003): the company by its USCC and name, which must hold a current
 * certificate (active, or on hold after 挂失) not yet expired -> the
 * operator -> materials -> the media fee (the profile's lost_media_fee) and
 * the form with 证书补办 ticked -> payment -> [paid] a blank key -> a new
 * PIN twice -> 证书新办's key initialisation and issuance with the
 * validity end of the lost certificate (unchanged) -> records: the new
 * certificate, the lost one revoked (keyCompromise: the key is out of the
 * holder's hands; a hold becomes a revocation) and its key recorded lost
 * (if it comes back it is refused and can only be retired), audited, the CRL
 * published -> receipt (the seal re-bound at window 68) -> done.
 *
 * Its journal is 证书新办's plus what it replaces (old_cert, old_na, old_key,
 * old_reason, keep_end), written ahead with the serial reservation.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>

/* The company's current certificate, refused when there is none to replace. */
static enum msg_id
lost_company_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    struct store_cert c;
    struct store_order o;
    int rc;

    (void)other_id;
    (void)n;
    *field = "uscc";
    if (env->st == NULL)
        return M_TXN_DB_DOWN;
    rc = store_cert_current_for_uscc(env->st, txn_get(t, "uscc"), &c);
    if (rc == STORE_ERR_NOT_FOUND)
        return M_LOST_NO_CERT;
    if (rc != STORE_OK)
        return M_TXN_DB_ERROR;
    if (strcmp(c.holder, txn_get(t, "company")) != 0) {
        *field = "company";
        return M_LOST_NAME_MISMATCH;
    }
    if (c.not_after < txn_now(env))
        return M_LOST_EXPIRED;
    rc = store_order_open_for_uscc(env->st, txn_get(t, "uscc"), t->order.id, &o);
    if (rc == STORE_OK)
        return M_TXN_COMPANY_HAS_ORDER;
    return rc == STORE_ERR_NOT_FOUND ? 0 : M_TXN_DB_ERROR;
}

/* The order's records hook: the company's recorded details fill the papers
 * (the form printed at the fee step); the operator is recorded once known. */
static int
lost_records(struct txn *t, store *st)
{
    struct store_company c;
    struct store_operator p;
    int rc;

    if (txn_get(t, "uscc")[0] != '\0' && txn_get(t, "legal_rep")[0] == '\0' &&
        store_company_get(st, txn_get(t, "uscc"), &c) == STORE_OK) {
        txn_set(t, "legal_rep", c.legal_rep);
        txn_set(t, "company_phone", c.phone);
        txn_set(t, "office_phone", c.office_phone);
        txn_set(t, "website", c.website);
        txn_set(t, "address", c.address);
    }
    if (t->step > txn_step_index(t->def, "operator") && txn_get(t, "operator_id")[0] != '\0' &&
        txn_get(t, "operator_name")[0] != '\0') {
        memset(&p, 0, sizeof p);
        snprintf(p.id_number, sizeof p.id_number, "%s", txn_get(t, "operator_id"));
        snprintf(p.name, sizeof p.name, "%s", txn_get(t, "operator_name"));
        snprintf(p.mobile, sizeof p.mobile, "%s", txn_get(t, "mobile"));
        snprintf(p.email, sizeof p.email, "%s", txn_get(t, "email"));
        snprintf(p.wechat, sizeof p.wechat, "%s", txn_get(t, "wechat"));
        snprintf(p.uscc, sizeof p.uscc, "%s", txn_get(t, "uscc"));
        if ((rc = store_operator_put(st, &p)) != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

/* What the order replaces, fixed before the serial is reserved. */
static enum txn_run_result
lost_issue_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    struct store_cert c;
    char v[24];
    int rc;

    if (txn_get(t, "old_cert")[0] == '\0') {
        if (env->st == NULL)
            return r->store_rc = STORE_ERR_OPEN, RUN_STORE;
        rc = store_cert_current_for_uscc(env->st, txn_get(t, "uscc"), &c);
        if (rc == STORE_ERR_NOT_FOUND) {
            r->why = M_LOST_NO_CERT;
            return RUN_REFUSED;
        }
        if (rc != STORE_OK)
            return r->store_rc = rc, RUN_STORE;
        txn_set(t, "old_cert", c.serial);
        snprintf(v, sizeof v, "%lld", (long long)c.not_after);
        txn_set(t, "old_na", v);
        txn_set(t, "old_key", c.key_serial);
        txn_set_int(t, "old_reason", REASON_KEY_COMPROMISE);
        txn_set(t, "keep_end", "1");
        txn_set(t, "kind", strcmp(c.kind, "legal") == 0 ? "legal" : "unit");
    }
    return txn_new_issue_stage(t, env, r);   /* saves the values with the reservation */
}

static const struct txn_stage lost_stage_issue = {
    .name = "issue", .title = M_TXN_ISSUE_S_ISSUE, .done = txn_new_issue_done, .run = lost_issue_run,
    .needs_pin = true, .on_key_fail = "key", .done_note = M_TXN_SELFTEST_OK,
};
static const struct txn_stage *const lost_stages[] = {
    &txn_new_stage_init, &lost_stage_issue, &txn_new_stage_record, &txn_stage_receipt, &txn_stage_finish,
};

static const struct txn_field lost_company_fields[] = {
    { .key = "uscc", .label = M_TXN_F_USCC, .max_chars = 18, .field_flags = FIELD_ASCII | FIELD_UPPER,
      .required = true, .check = rules_uscc },
    { .key = "company", .label = M_TXN_F_COMPANY, .max_chars = 60, .required = true },
};
static const struct txn_form lost_company_form = {
    .intro = M_LOST_INTRO,
    .fields = lost_company_fields,
    .nfields = sizeof lost_company_fields / sizeof lost_company_fields[0],
    .check = lost_company_check,
};

static const struct txn_mat lost_materials[] = {
    { .key = "mat_form", .label = M_LOST_MAT_FORM },
    { .key = "mat_uscc_copy", .label = M_TXN_MAT_USCC_COPY },
    { .key = "mat_operator_id", .label = M_TXN_MAT_OPERATOR_ID },
};

static const struct txn_show lost_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
    { "old_cert", M_LOST_OLD_CERT, 0 },
};
static const struct txn_done lost_done = {
    .headline = M_LOST_DONE,
    .rows = lost_done_rows,
    .nrows = sizeof lost_done_rows / sizeof lost_done_rows[0],
    .next = M_LOST_NEXT,
};

static const struct txn_step lost_steps[] = {
    { .name = "company", .title = M_TXN_STEP_COMPANY, .page = PAGE_FORM, .form = &lost_company_form },
    { .name = "operator", .title = M_TXN_STEP_OPERATOR, .page = PAGE_FORM, .form = &txn_new_operator_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS, .materials = lost_materials,
      .nmaterials = sizeof lost_materials / sizeof lost_materials[0] },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "key", .title = M_TXN_STEP_KEY, .page = PAGE_KEY, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
    { .name = "pin", .title = M_TXN_STEP_PIN, .page = PAGE_PIN, .flags = TXN_STEP_PAID, .resume_at = "key" },
    { .name = "issue", .title = M_TXN_STEP_ISSUE, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .resume_at = "key", .stages = lost_stages, .nstages = sizeof lost_stages / sizeof lost_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_lost = {
    .kind = KIND_LOST,
    .steps = lost_steps,
    .nsteps = sizeof lost_steps / sizeof lost_steps[0],
    .records = lost_records,
    .resume_at = txn_new_resume_at,
    .on_cancel = txn_new_on_cancel,
    .key_scan = txn_new_key_scan,
    .key_take = txn_new_key_take,
    .done = &lost_done,
};

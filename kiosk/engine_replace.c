/*
 * kiosk/engine_replace.c - the replacements of a key at window 66.
 *
 * 证书补办 lost-key replacement (seeds
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
 * 损坏补办 damaged-key replacement (seeds 000, 003): the damaged key read if
 * it still reads (its certificate names the company), else N and the
 * company by its USCC and name -> the fault, from seed 003's list (LED never
 * lights / blinks endlessly / lights but no certificate is seen: media
 * faults; or physical or human damage) -> operator -> materials (the old
 * key handed in for inspection) -> the fee: a media fault inside the
 * profile's warranty from the key's first issue is free (BJCA: one year;
 * Tianjin: no time limit), else the damaged-key media fee -> payment, or
 * "free" confirmed -> as above, the validity end unchanged -> records: the
 * old certificate revoked (superseded), the old key recorded taken back.
 *
 * Their journal is 证书新办's plus what they replace (old_cert, old_na,
 * old_key, old_reason, old_key_ev, keep_end), written ahead with the serial
 * reservation.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/clock.h"

/* The certificate the order replaces (or revokes, or holds), by the
 * company's USCC: the lost key's may be on hold (挂失), a damaged key's, or
 * one to hold, must be active. */
static int
replace_current(const struct txn *t, const struct txn_env *env, struct store_cert *c, enum msg_id *why)
{
    int rc = store_cert_current_for_uscc(env->st, txn_get(t, "uscc"), c);

    enum txn_kind k = t->def->kind;

    *why = 0;
    if (rc == STORE_ERR_NOT_FOUND)
        *why = k == KIND_REVOKE ? M_REV_NO_CERT : k == KIND_HOLD ? M_HOLD_NO_CERT : M_LOST_NO_CERT;
    else if (rc != STORE_OK)
        *why = M_TXN_DB_ERROR;
    else if (c->not_after < txn_now(env))   /* nothing to replace, revoke or hold */
        *why = k == KIND_REVOKE ? M_REV_EXPIRED : k == KIND_HOLD ? M_HOLD_EXPIRED : M_LOST_EXPIRED;
    else if (k == KIND_DAMAGED && c->state != CERT_ACTIVE)
        *why = M_DMG_HELD;
    else if (k == KIND_HOLD && c->state != CERT_ACTIVE)
        *why = M_HOLD_ALREADY;
    else if (txn_get(t, "old_cert")[0] != '\0' && strcmp(txn_get(t, "old_cert"), c->serial) != 0)
        *why = M_DMG_OTHER_CERT;    /* the key read holds another certificate than the company's current one */
    return rc;
}

/* The company's current certificate, refused when there is none to replace. */
enum msg_id
txn_replace_company_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    struct store_cert c;
    struct store_order o;
    int rc;

    (void)other_id;
    (void)n;
    enum msg_id why;

    *field = "uscc";
    if (env->st == NULL)
        return M_TXN_DB_DOWN;
    (void)replace_current(t, env, &c, &why);
    if (why != 0)
        return why;
    if (strcmp(c.holder, txn_get(t, "company")) != 0) {
        *field = "company";
        return M_LOST_NAME_MISMATCH;
    }
    rc = store_order_open_for_uscc(env->st, txn_get(t, "uscc"), t->order.id, &o);
    if (rc == STORE_OK)
        return M_TXN_COMPANY_HAS_ORDER;
    return rc == STORE_ERR_NOT_FOUND ? 0 : M_TXN_DB_ERROR;
}

/* The order's records hook: the company's recorded details fill the papers
 * (the form printed at the fee step); the operator is recorded once known. */
int
txn_replace_records(struct txn *t, store *st)
{
    struct store_company c;

    if (txn_get(t, "uscc")[0] != '\0' && txn_get(t, "legal_rep")[0] == '\0' &&
        store_company_get(st, txn_get(t, "uscc"), &c) == STORE_OK) {
        txn_set(t, "legal_rep", c.legal_rep);
        txn_set(t, "company_phone", c.phone);
        txn_set(t, "office_phone", c.office_phone);
        txn_set(t, "website", c.website);
        txn_set(t, "address", c.address);
    }
    if (t->step > txn_step_index(t->def, "operator"))
        return txn_operator_record(t, st);
    return STORE_OK;
}

/* What the order replaces, fixed before the serial is reserved: a lost
 * key's certificate is revoked keyCompromise (out of the holder's hands),
 * a damaged one's superseded. */
static enum txn_run_result
replace_issue_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    struct store_cert c;
    enum msg_id why;
    char v[24];
    int rc;

    if (txn_get(t, "old_reason")[0] == '\0') {
        if (env->st == NULL)
            return r->store_rc = STORE_ERR_OPEN, RUN_STORE;
        rc = replace_current(t, env, &c, &why);
        if (why == M_TXN_DB_ERROR)
            return r->store_rc = rc, RUN_STORE;
        if (why != 0) {
            r->why = why;
            return RUN_REFUSED;
        }
        txn_set(t, "old_cert", c.serial);
        snprintf(v, sizeof v, "%lld", (long long)c.not_after);
        txn_set(t, "old_na", v);
        txn_set(t, "old_key", c.key_serial);
        txn_set_int(t, "old_reason", t->def->kind == KIND_LOST ? REASON_KEY_COMPROMISE : REASON_SUPERSEDED);
        txn_set(t, "old_key_ev", t->def->kind == KIND_LOST ? "lose" : "take_back");
        txn_set(t, "keep_end", "1");
        txn_set(t, "kind", strcmp(c.kind, "legal") == 0 ? "legal" : "unit");
    }
    return txn_new_issue_stage(t, env, r);   /* saves the values with the reservation */
}

static const struct txn_stage lost_stage_issue = {
    .name = "issue", .title = M_TXN_ISSUE_S_ISSUE, .done = txn_new_issue_done, .run = replace_issue_run,
    .needs_pin = true, .on_key_fail = "key", .done_note = M_TXN_SELFTEST_OK,
};
static const struct txn_stage *const lost_stages[] = {
    &txn_new_stage_init, &lost_stage_issue, &txn_new_stage_record, &txn_stage_receipt, &txn_stage_finish,
};

const struct txn_field txn_replace_company_fields[TXN_REPLACE_COMPANY_NFIELDS] = {
    { .key = "uscc", .label = M_TXN_F_USCC, .max_chars = 18, .field_flags = FIELD_ASCII | FIELD_UPPER,
      .required = true, .check = rules_uscc },
    { .key = "company", .label = M_TXN_F_COMPANY, .max_chars = 60, .required = true },
};
static const struct txn_form lost_company_form = {
    .intro = M_LOST_INTRO,
    .fields = txn_replace_company_fields,
    .nfields = TXN_REPLACE_COMPANY_NFIELDS,
    .check = txn_replace_company_check,
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
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
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
    .records = txn_replace_records,
    .resume_at = txn_new_resume_at,
    .on_cancel = txn_new_on_cancel,
    .key_scan = txn_new_key_scan,
    .key_take = txn_new_key_take,
    .done = &lost_done,
};

/* ---- 损坏补办 ------------------------------------------------------------------ */

/* seed 003's list: the first three are media faults (质量问题) */
static const enum msg_id damaged_faults[] = { M_DMG_FAULT_DARK, M_DMG_FAULT_BLINK, M_DMG_FAULT_NOCERT,
                                              M_DMG_FAULT_PHYSICAL };
#define DAMAGED_MEDIA_FAULTS 3
static const struct txn_pick damaged_fault_pick = {
    .key = "fault", .question = M_DMG_FAULT_Q, .options = damaged_faults,
    .noptions = sizeof damaged_faults / sizeof damaged_faults[0],
};

/* The first page reads the damaged key (the holder's, taken back); the
 * later one wants a blank key to issue onto. */
static void
damaged_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v)
{
    bool old_in = false;

    if (txn_key_holder(t)) {
        txn_svc_key_scan(t, env, v);
        return;
    }
    txn_new_key_scan(t, env, v);
    if (v->note == M_KEY_SEVERAL)
        (void)txn_keys_present(env, txn_get(t, "old_key"), &old_in);
    if (v->verdict != KEY_NONE && (old_in || strcmp(v->key.serial, txn_get(t, "old_key")) == 0)) {
        v->note_text[0] = '\0';
        v->verdict = KEY_TAKEN;     /* the damaged key itself, still in the reader */
        v->note = M_DMG_PULL_OLD;
    }
}

static enum msg_id
damaged_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe)
{
    char na[24];

    if (!txn_key_holder(t))
        return txn_new_key_take(t, env, v, wipe);
    if (v->verdict == KEY_NONE)
        return M_TXN_KEY_INSERT;
    if (v->verdict != KEY_USABLE)
        return v->note ? v->note : M_KEYST_UNKNOWN;
    txn_set(t, "old_key", v->key.serial);
    txn_set(t, "old_cert", v->cert.serial_hex);
    txn_set(t, "company", v->cert.holder);
    txn_set(t, "uscc", v->cert.uscc);
    snprintf(na, sizeof na, "%lld", (long long)v->cert.not_after);
    txn_set(t, "old_na", na);
    txn_set(t, "oldkey_skipped", "0");
    return 0;
}

/* The warranty, judged from the records while the order is unpaid: a media
 * fault inside the profile's warranty from the key's first issue (the
 * key's record, else the certificate's) is free. */
static void
damaged_quote_in(struct txn *t, const struct txn_env *env, struct rules_quote_in *in, char *note, size_t n)
{
    const struct cfg_profile *p = cfg_profile(env->cfg);
    int fault = txn_get_int(t, "fault", 0);
    bool media = fault >= 1 && fault <= DAMAGED_MEDIA_FAULTS;
    char day[16];
    time_t first;

    if (t->order.paid_at == 0 && env->st != NULL) {
        struct store_cert c;
        struct store_key k;
        enum msg_id why;

        if (replace_current(t, env, &c, &why) == STORE_OK && why == 0) {
            first = c.first_issue;
            if (c.key_serial[0] != '\0' && store_key_get(env->st, c.key_serial, &k) == STORE_OK && k.first_issue > 0)
                first = k.first_issue;
            struct rules_damaged d = rules_damaged_replacement(p, clock_local_day(first), clock_local_day(c.not_after),
                                                               clock_local_day(txn_now(env)), media);
            char v[24];
            snprintf(v, sizeof v, "%lld", (long long)first);
            txn_set(t, "first_issue", v);
            txn_set_int(t, "damaged_free", d.free);
        }
    }
    in->damaged_free = txn_get_int(t, "damaged_free", 0) != 0;
    first = (time_t)strtoll(txn_get(t, "first_issue"), NULL, 10);
    rules_date_format(clock_local_day(first), day, sizeof day);
    if (!media)
        msg_fmt(note, n, M_DMG_NOTE_HUMAN);
    else if (in->damaged_free && p->warranty_days < 0)
        msg_fmt(note, n, M_DMG_NOTE_FREE_ANY);
    else if (in->damaged_free)
        msg_fmt(note, n, M_DMG_NOTE_FREE, day, p->warranty_days);
    else
        msg_fmt(note, n, M_DMG_NOTE_EXPIRED, day, p->warranty_days);
}

static const struct txn_form damaged_company_form = {
    .intro = M_DMG_INTRO,
    .fields = txn_replace_company_fields,
    .nfields = TXN_REPLACE_COMPANY_NFIELDS,
    .check = txn_replace_company_check,
};

static const struct txn_show damaged_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
    { "old_cert", M_DMG_OLD_CERT, 0 },
    { "old_key", M_DMG_OLD_KEY, 0 },
};
static const struct txn_done damaged_done = {
    .headline = M_DMG_DONE,
    .rows = damaged_done_rows,
    .nrows = sizeof damaged_done_rows / sizeof damaged_done_rows[0],
    .next = M_DMG_NEXT,
};

static const struct txn_step damaged_steps[] = {
    { .name = "oldkey", .title = M_DMG_STEP_OLDKEY, .page = PAGE_KEY,
      .flags = TXN_STEP_HOLDER_KEY | TXN_STEP_MAY_SKIP },
    { .name = "company", .title = M_TXN_STEP_COMPANY, .page = PAGE_FORM, .form = &damaged_company_form },
    { .name = "fault", .title = M_DMG_STEP_FAULT, .page = PAGE_PICK, .pick = &damaged_fault_pick },
    { .name = "operator", .title = M_TXN_STEP_OPERATOR, .page = PAGE_FORM, .form = &txn_new_operator_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "key", .title = M_TXN_STEP_KEY, .page = PAGE_KEY, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
    { .name = "pin", .title = M_TXN_STEP_PIN, .page = PAGE_PIN, .flags = TXN_STEP_PAID, .resume_at = "key" },
    { .name = "issue", .title = M_TXN_STEP_ISSUE, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .resume_at = "key", .stages = lost_stages, .nstages = sizeof lost_stages / sizeof lost_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_damaged = {
    .kind = KIND_DAMAGED,
    .steps = damaged_steps,
    .nsteps = sizeof damaged_steps / sizeof damaged_steps[0],
    .records = txn_replace_records,
    .resume_at = txn_new_resume_at,
    .on_cancel = txn_new_on_cancel,
    .key_scan = damaged_key_scan,
    .key_take = damaged_key_take,
    .done = &damaged_done,
    .quote_in = damaged_quote_in,
    .key_ev = KEYEV_TAKE_BACK,
};

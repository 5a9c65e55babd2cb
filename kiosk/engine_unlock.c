/*
 * kiosk/engine_unlock.c - 解锁 PIN unlock at window 66 (free, seeds 000 and
 * 003): the applicant and the company -> the materials -> the original key,
 * its certificate the company's and its state one that may be unlocked ->
 * the new PIN twice -> SO login with the key's diversified SO PIN and the
 * new user PIN, the wrong-PIN counter cleared, audited -> receipt -> done.
 *
 * The reset is idempotent, so its journal is simple: fx_unlock=reset is
 * written before the token is touched and =done with the records; an
 * order interrupted between them resumes at the key and the applicant types
 * the new PIN again (a PIN is never stored).
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>

static bool
unlock_done(const struct txn *t)
{
    return strcmp(txn_get(t, "fx_unlock"), "done") == 0;
}

static enum txn_run_result
unlock_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    const char *serial = txn_get(t, "key_serial");
    struct txn_key_view v;
    char detail[256];
    int rc;

    if (t->pin[0] == '\0' || *serial == '\0')
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN;
    /* the key must still be the one taken, and still in a state to unlock */
    txn_svc_key_scan(t, env, &v);
    if (v.verdict == KEY_NONE || strcmp(v.key.serial, serial) != 0)
        return r->tok_rc = TOK_ERR_NO_KEY, RUN_TOKEN;
    if (v.verdict != KEY_USABLE) {
        r->why = v.note ? v.note : M_KEYST_UNKNOWN;
        return RUN_REFUSED;
    }
    if ((rc = txn_mark(t, env->st, "fx_unlock", "reset")) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    rc = tok_pin_reset(env->tok, serial, t->pin);
    txn_pin_clear(t);
    if (rc != TOK_OK)
        return r->tok_rc = rc, RUN_TOKEN;
    txn_fault("unlock");
    if ((rc = store_begin(env->st)) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    snprintf(detail, sizeof detail, "order=%s cert=%s", t->order.number, txn_get(t, "cert_serial"));
    rc = txn_key_event(env, serial, KEYEV_UNLOCK, detail);
    if (rc == STORE_OK) {
        txn_set(t, "fx_unlock", "done");
        rc = txn_save(t, env->st);
    }
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    if (rc != STORE_OK) {
        txn_set(t, "fx_unlock", "reset");
        return r->store_rc = rc, RUN_STORE;
    }
    return RUN_OK;
}

static const struct txn_stage unlock_stage = {
    .name = "unlock", .title = M_UNLOCK_S_RESET, .done = unlock_done, .run = unlock_run,
    .needs_pin = true, .on_key_fail = "key", .done_note = M_UNLOCK_DONE_NOTE,
    .store_fail_msg = M_TXN_RECORD_FAILED,
};
static const struct txn_stage *const unlock_stages[] = { &unlock_stage, &txn_stage_receipt, &txn_stage_finish };

/* Once the key is unlocked an interrupted order only prints and closes. */
static const char *
unlock_resume_at(const struct txn *t)
{
    return unlock_done(t) ? "unlock" : NULL;
}

static const struct txn_field unlock_fields[] = {
    { .key = "uscc", .label = M_TXN_F_USCC, .max_chars = 18, .field_flags = FIELD_ASCII | FIELD_UPPER,
      .required = true, .check = rules_uscc },
    { .key = "operator_name", .label = M_TXN_F_OPERATOR, .max_chars = 30, .required = true },
    { .key = "operator_id", .label = M_TXN_F_OPERATOR_ID, .max_chars = 18,
      .field_flags = FIELD_ASCII | FIELD_UPPER, .required = true, .check = txn_resident_id_today },
    { .key = "mobile", .label = M_TXN_F_MOBILE, .max_chars = 11, .field_flags = FIELD_DIGITS, .required = true,
      .check = rules_mobile },
};
static const struct txn_form unlock_form = {
    .intro = M_UNLOCK_INTRO,
    .fields = unlock_fields,
    .nfields = sizeof unlock_fields / sizeof unlock_fields[0],
    .check = txn_operator_check,
};

static const struct txn_show unlock_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "operator_id", M_TXN_F_OPERATOR_ID, TXN_SHOW_MASK_ID },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
};
static const struct txn_done unlock_done_page = {
    .headline = M_UNLOCK_DONE,
    .rows = unlock_done_rows,
    .nrows = sizeof unlock_done_rows / sizeof unlock_done_rows[0],
    .next = M_UNLOCK_NEXT,
};

static const struct txn_step unlock_steps[] = {
    { .name = "applicant", .title = M_UNLOCK_STEP_APPLICANT, .page = PAGE_FORM, .form = &unlock_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "pin", .title = M_UNLOCK_STEP_PIN, .page = PAGE_PIN, .resume_at = "key" },
    { .name = "unlock", .title = M_UNLOCK_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_NOBACK, .resume_at = "key",
      .stages = unlock_stages, .nstages = sizeof unlock_stages / sizeof unlock_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_NOBACK },
};

const struct txn_def txn_unlock = {
    .kind = KIND_UNLOCK,
    .steps = unlock_steps,
    .nsteps = sizeof unlock_steps / sizeof unlock_steps[0],
    .resume_at = unlock_resume_at,
    .key_scan = txn_svc_key_scan,
    .key_take = txn_svc_key_take,
    .done = &unlock_done_page,
    .servicing = true,
    .key_ev = KEYEV_UNLOCK,
};

/*
 * kiosk/engine_chgrec.c - 信息变更登记, the procurement center's record of
 * an information change at window 68 (seed 000, 信息变更 step 2: window 68
 * first, then the certificate at window 66).
 *
 * Who comes -> the company's key (our certificate, active) -> the details
 * after the change, on 证书变更's own form (name, USCC, legal
 * representative; "nothing changed" refused, a new USCC checked as for a
 * new certificate) -> the materials (the new licence and the name-change
 * approval notice, originals and stamped copies; the operator's ID) -> the
 * record, its audit row and the order's journal in one unit of work ->
 * the receipt (next: window 66) -> done. Window 66's 证书变更 then finds
 * the record (made since the key's certificate was issued), fills in its
 * values and says so above its form.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>

/* The key's company, as 证书变更 takes it: the details before the change. */
static enum msg_id
chgrec_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe)
{
    enum msg_id why;

    if (txn_get(t, "key_uscc")[0] != '\0')
        return v->verdict == KEY_USABLE && strcmp(v->key.serial, txn_get(t, "key_serial")) == 0 ? 0
             : v->verdict == KEY_NONE ? M_TXN_KEY_INSERT : M_RENEW_OTHER_KEY;
    if ((why = txn_svc_key_take(t, env, v, wipe)) != 0)
        return why;
    txn_change_old_details(t, env, v->cert.uscc);
    return 0;
}

static bool
chgrec_done(const struct txn *t)
{
    return txn_get(t, "chgrec_id")[0] != '\0';
}

static enum txn_run_result
chgrec_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    struct store_chgrec c;
    char id[24];
    int rc;

    if (env->st == NULL)
        return r->store_rc = STORE_ERR_OPEN, RUN_STORE;
    txn_change_describe(t, env->st);
    memset(&c, 0, sizeof c);
    snprintf(c.uscc, sizeof c.uscc, "%s", txn_get(t, "key_uscc"));
    snprintf(c.company, sizeof c.company, "%s", txn_get(t, "old_company"));
    snprintf(c.new_company, sizeof c.new_company, "%s", txn_get(t, "company"));
    snprintf(c.new_uscc, sizeof c.new_uscc, "%s", txn_get(t, "uscc"));
    snprintf(c.new_legal_rep, sizeof c.new_legal_rep, "%s", txn_get(t, "legal_rep"));
    snprintf(c.description, sizeof c.description, "%s", txn_get(t, "change_desc"));
    snprintf(c.clerk, sizeof c.clerk, "%s", txn_actor(env));
    c.order_id = t->order.id;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    rc = store_chgrec_add(env->st, &c);
    if (rc == STORE_OK)
        rc = store_audit(env->st, txn_actor(env), "change.record", c.description);
    if (rc == STORE_OK) {
        snprintf(id, sizeof id, "%lld", (long long)c.id);
        txn_set(t, "chgrec_id", id);
        rc = txn_save(t, env->st);
    }
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    if (rc != STORE_OK) {
        store_rollback(env->st);
        txn_set(t, "chgrec_id", "");
        return r->store_rc = rc, RUN_STORE;
    }
    txn_fault("chgrec");
    return RUN_OK;
}

static const struct txn_stage chgrec_stage = {
    .name = "chgrec", .title = M_CHGREC_S_RECORD, .done = chgrec_done, .run = chgrec_run,
    .done_note = M_CHGREC_RECORDED,
};
static const struct txn_stage *const chgrec_stages[] = { &chgrec_stage, &txn_stage_receipt, &txn_stage_finish };

static enum msg_id
chgrec_may_cancel(const struct txn *t, const struct txn_env *env)
{
    (void)env;
    return chgrec_done(t) ? M_CHGREC_NO_CANCEL : 0;
}

static const struct txn_form chgrec_applicant_form = {
    .intro = M_CHGREC_APPLICANT_INTRO,
    .fields = txn_applicant_fields,
    .nfields = TXN_APPLICANT_NFIELDS,
    .check = txn_operator_check,
};

static const struct txn_show chgrec_done_rows[] = {
    { "old_company", M_TXN_F_COMPANY, 0 },
    { "key_uscc", M_TXN_F_USCC, 0 },
    { "change_desc", M_CHGREC_DESC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
};
static const struct txn_done chgrec_done_page = {
    .headline = M_CHGREC_DONE,
    .rows = chgrec_done_rows,
    .nrows = sizeof chgrec_done_rows / sizeof chgrec_done_rows[0],
    .next = M_CHGREC_NEXT,
};

static const struct txn_step chgrec_steps[] = {
    { .name = "applicant", .title = M_UNLOCK_STEP_APPLICANT, .page = PAGE_FORM, .form = &chgrec_applicant_form },
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "change", .title = M_CHGREC_STEP_CHANGE, .page = PAGE_FORM, .form = &txn_change_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "record", .title = M_CHGREC_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_NOBACK,
      .stages = chgrec_stages, .nstages = sizeof chgrec_stages / sizeof chgrec_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_NOBACK },
};

const struct txn_def txn_chgrec = {
    .kind = KIND_CHGREC,
    .steps = chgrec_steps,
    .nsteps = sizeof chgrec_steps / sizeof chgrec_steps[0],
    .may_cancel = chgrec_may_cancel,
    .key_scan = txn_svc_key_scan,
    .key_take = chgrec_key_take,
    .done = &chgrec_done_page,
    .servicing = true,
};

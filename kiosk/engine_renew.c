/*
 * kiosk/engine_renew.c - the re-issues onto the holder's own key at window
 * 66: 证书更新 renewal and 证书变更 information change.
 *
 * 证书更新 renewal (seeds 000, 003, 004):
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
 * At the self-service terminal (issue 12) the same renewal is the holder's
 * own, with no paper and no clerk: the key -> its PIN (counted: the holder
 * proves possession before anything of the records is said) -> the bids
 * question -> the term (and no other unfinished order of the company) ->
 * the quote -> the payment QR, taken by the payment provider
 * (kiosk/engine_pay.c) -> the same work -> the receipt. Outside the renewal
 * window it sends the holder to window 66 with what to bring. The order
 * exists once quoted (txn_save: a holder's order), is found again only
 * through the key and its PIN, and a paid one resumes from the key and
 * the PIN straight to the work.
 *
 * Its journal is 证书新办's (kiosk/engine.h) plus old_cert / old_na: the
 * certificate replaced and its end. Killed after the new certificate was
 * written but before the old objects were removed, the key holds both: the
 * resumed issue stage keeps the order's reserved one (tok_keep_only). Once
 * the old key pair is gone the order cannot be cancelled, only finished.
 * With the profile's renew_rekey = 0 the key pair is kept and certified
 * again (tok_recertify; value recert): the bids question is not asked and
 * the old certificate is superseded, not revoked.
 *
 * 证书变更 information change (seed 000, domain.md): the applicant -> the
 * key (ours, active) -> the new company name, USCC and legal representative,
 * checked as for a new certificate (a new USCC: one certificate per
 * enterprise) -> materials -> the form with 证书信息变更 ticked and the
 * change described, and a new seal-sampling sheet (free: confirmed so) ->
 * [paid] the current PIN -> the same key pair certified again with the new
 * subject, the validity end unchanged -> records: the new certificate, the
 * old one revoked (affiliationChanged; superseded when the subject did not
 * change), the company's record under its new details -> receipt (window
 * 68 binds the seal again) -> done. Tianjin's order (the procurement
 * center records the change at window 68 first) is said on the form; the
 * records hold no such window-68 record yet, so the clerk goes on.
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
    /* the profile's choice: a new key pair, or the same one certified again */
    if (kind_info(t->def->kind)->op == KIND_OP_RENEW)
        txn_set_int(t, "recert", !cfg_profile(env->cfg)->renew_rekey);
    return 0;
}

/* The key pair stays (renewal without rekey): what the old certificate
 * encrypted still opens, so the unopened-bids question is not asked. */
static bool
renew_keeps_keypair(const struct txn *t, const struct txn_env *env)
{
    (void)env;
    return txn_get_int(t, "recert", 0) != 0;
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

const struct txn_field txn_applicant_fields[TXN_APPLICANT_NFIELDS] = {
    { .key = "operator_name", .label = M_TXN_F_OPERATOR, .max_chars = 30, .required = true },
    { .key = "operator_id", .label = M_TXN_F_OPERATOR_ID, .max_chars = 18,
      .field_flags = FIELD_ASCII | FIELD_UPPER, .required = true, .check = txn_resident_id_today },
    { .key = "mobile", .label = M_TXN_F_MOBILE, .max_chars = 11, .field_flags = FIELD_DIGITS, .required = true,
      .check = rules_mobile },
};
static const struct txn_form renew_applicant_form = {
    .intro = M_RENEW_INTRO,
    .fields = txn_applicant_fields,
    .nfields = TXN_APPLICANT_NFIELDS,
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
    .alt_key = "recert",
    .next_alt = M_RENEW_NEXT_KEPT,
};

static const struct txn_step renew_steps[] = {
    { .name = "applicant", .title = M_UNLOCK_STEP_APPLICANT, .page = PAGE_FORM, .form = &renew_applicant_form },
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "bids", .title = M_RENEW_STEP_BIDS, .page = PAGE_CONFIRM, .confirm = &renew_bids,
      .skip = renew_keeps_keypair },
    { .name = "term", .title = M_RENEW_STEP_TERM, .page = PAGE_FORM, .form = &renew_term_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
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

/* ---- 证书更新 at the self-service terminal ------------------------------------------- */

/* Refused at the terminal: where to go instead, with what to bring. */
static void
selfrenew_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v)
{
    char list[384] = "";
    const enum msg_id *m;

    renew_key_scan(t, env, v);
    if (v->verdict != KEY_REFUSED || v->note != M_RENEW_NEEDS_NEW)
        return;
    for (m = kind_info(KIND_NEW)->materials; *m != 0; m++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? "、" : "", msg(*m));
    v->note = M_SELFRENEW_GO_W66;
    msg_fmt(v->note_text, sizeof v->note_text, M_SELFRENEW_GO_W66, list);
}

/* The term, and no other unfinished order of the company (the terminal's
 * own is continued from 我的订单, a window's at the window). Asked after the
 * PIN: nothing of the records is said before. */
static enum msg_id
selfrenew_term_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    struct store_order o;
    enum msg_id why = renew_term_check(t, env, field, other_id, n);

    if (why != 0 || env->st == NULL)
        return why;
    if (store_order_open_for_uscc(env->st, txn_get(t, "uscc"), t->order.id, &o) == STORE_OK)
        return strcmp(o.window, env->window) == 0 ? M_SELFRENEW_OPEN_SELF : M_SELFRENEW_OPEN_WINDOW;
    return 0;
}

/* Paid: what the quote was made of is settled; a resumed order goes from
 * the key and its PIN straight to the work. */
static bool
selfrenew_paid(const struct txn *t, const struct txn_env *env)
{
    (void)env;
    return t->order.paid_at != 0;
}

static bool
selfrenew_skip_bids(const struct txn *t, const struct txn_env *env)
{
    return selfrenew_paid(t, env) || renew_keeps_keypair(t, env);
}

/* Every resumed order proves the key and its PIN again, unless only the
 * papers are left. */
static const char *
selfrenew_resume_at(const struct txn *t)
{
    const char *r = txn_new_resume_at(t);

    return r != NULL ? r : "key";
}

static const struct txn_form selfrenew_term_form = {
    .intro = M_RENEW_TERM_INTRO,
    .fields = renew_term_fields,
    .nfields = 1,
    .check = selfrenew_term_check,
};

static const struct txn_show selfrenew_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
};
static const struct txn_done selfrenew_done = {
    .headline = M_RENEW_DONE,
    .rows = selfrenew_done_rows,
    .nrows = sizeof selfrenew_done_rows / sizeof selfrenew_done_rows[0],
    .next = M_RENEW_NEXT,
    .alt_key = "recert",
    .next_alt = M_RENEW_NEXT_KEPT,
};

static const struct txn_step selfrenew_steps[] = {
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "current", .title = M_PINCHG_STEP_CURRENT, .page = PAGE_PIN, .pin = TXN_PIN_CURRENT },
    { .name = "bids", .title = M_RENEW_STEP_BIDS, .page = PAGE_CONFIRM, .confirm = &renew_bids,
      .skip = selfrenew_skip_bids },
    { .name = "term", .title = M_RENEW_STEP_TERM, .page = PAGE_FORM, .form = &selfrenew_term_form,
      .skip = selfrenew_paid },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE, .flags = TXN_STEP_NO_PAPERS, .skip = selfrenew_paid },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY, .skip = selfrenew_paid },
    { .name = "issue", .title = M_RENEW_STEP_ISSUE, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .resume_at = "key", .stages = renew_stages, .nstages = sizeof renew_stages / sizeof renew_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_selfrenew = {
    .kind = KIND_SELFRENEW,
    .steps = selfrenew_steps,
    .nsteps = sizeof selfrenew_steps / sizeof selfrenew_steps[0],
    .resume_at = selfrenew_resume_at,
    .may_cancel = renew_may_cancel,
    .on_cancel = txn_new_on_cancel,
    .key_scan = selfrenew_key_scan,
    .key_take = renew_key_take,
    .done = &selfrenew_done,
    .servicing = true,
    .holder_order = true,
};

/* ---- 证书变更 ------------------------------------------------------------------- */

/* The key's company before the change: the key's own certificate names it. */
static enum msg_id
change_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe)
{
    char line_buf[256];
    enum msg_id why;

    if (renew_begun(t) || txn_get(t, "key_uscc")[0] != '\0') {
        /* the order's key again: its details are taken already */
        if (v->verdict != KEY_USABLE)
            return v->verdict == KEY_NONE ? M_TXN_KEY_INSERT : v->note ? v->note : M_KEYST_UNKNOWN;
        return strcmp(v->key.serial, txn_get(t, "key_serial")) == 0 ? 0 : M_RENEW_OTHER_KEY;
    }
    if ((why = renew_key_take(t, env, v, wipe)) != 0)
        return why;
    txn_change_old_details(t, env, v->cert.uscc);
    if (t->def->kind == KIND_CHANGE && env->st != NULL) {
        /* window 68's record of this change, made since the certificate was issued: its values filled in */
        struct store_chgrec r;
        char day[16];
        int rc = store_chgrec_latest(env->st, v->cert.uscc, v->cert.not_before, &r);
        if (rc == STORE_OK) {
            txn_set(t, "company", r.new_company);
            txn_set(t, "uscc", r.new_uscc);
            txn_set(t, "legal_rep", r.new_legal_rep);
            rules_date_format(clock_local_day(r.at), day, sizeof day);
            msg_fmt(line_buf, sizeof line_buf, M_CHG_W68_RECORDED, day);
            txn_set(t, "w68_note", line_buf);
        } else {
            txn_set(t, "w68_note", msg(rc == STORE_ERR_NOT_FOUND ? M_CHG_W68_NONE : M_TXN_DB_ERROR));
        }
    }
    return 0;
}

void
txn_change_old_details(struct txn *t, const struct txn_env *env, const char *uscc)
{
    struct store_company c;

    txn_set(t, "key_uscc", uscc);
    txn_set(t, "old_company", txn_get(t, "company"));
    txn_set(t, "old_uscc", txn_get(t, "uscc"));
    if (env->st != NULL && store_company_get(env->st, uscc, &c) == STORE_OK) {
        txn_set(t, "legal_rep", c.legal_rep);
        txn_set(t, "old_legal_rep", c.legal_rep);
        txn_set(t, "legal_rep_id", c.legal_rep_id);      /* the form's, kept under a new USCC too */
        txn_set(t, "app_region", c.app_region);
        txn_set(t, "app_category", c.app_category);
        txn_set(t, "app_project", c.app_project);
        txn_set(t, "company_phone", c.phone);
        txn_set(t, "office_phone", c.office_phone);
        txn_set(t, "website", c.website);
        txn_set(t, "address", c.address);
    }
}

/* The key of the order, once taken: the one named, whatever it holds now. */
static void
change_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v)
{
    txn_svc_key_scan(t, env, v);
    if (v->verdict == KEY_NONE || !renew_begun(t))
        return;
    if (strcmp(v->key.serial, txn_get(t, "key_serial")) == 0) {
        v->verdict = KEY_USABLE;
        v->note = 0;
    } else {
        v->verdict = KEY_REFUSED;
        v->note = M_RENEW_OTHER_KEY;
    }
}

static bool
change_same(const struct txn *t, const char *key, const char *old)
{
    return strcmp(txn_get(t, key), txn_get(t, old)) == 0;
}

/* Did the operator change? The records' operator of the company is another
 * person (or none is known). */
static bool
change_operator(const struct txn *t, store *st)
{
    struct store_operator p;

    return st != NULL && (store_operator_get(st, txn_get(t, "operator_id"), &p) != STORE_OK ||
                          strcmp(p.uscc, txn_get(t, "old_uscc")) != 0);
}

/* The change form's records check: something changed; a new USCC holds no
 * certificate and no other unfinished order (one per enterprise). */
static enum msg_id
change_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    enum msg_id why;

    (void)other_id;
    (void)n;
    *field = "company";
    if (change_same(t, "company", "old_company") && change_same(t, "uscc", "old_uscc") &&
        change_same(t, "legal_rep", "old_legal_rep") && !change_operator(t, env->st))
        return M_CHG_NOTHING;
    if (change_same(t, "uscc", "old_uscc"))
        return 0;
    *field = "uscc";
    if (env->st == NULL)
        return M_TXN_DB_DOWN;
    if ((why = txn_new_check_uscc(env->st, txn_get(t, "uscc"))) != 0)
        return why;
    return txn_new_check_company(env->st, t, txn_get(t, "uscc"));
}

/* What changed, for the form's 证书信息变更 line (official papers: Chinese). */
void
txn_change_describe(struct txn *t, store *st)
{
    static const struct { const char *key, *old; enum msg_id label; } items[] = {
        { "company", "old_company", M_TXN_F_COMPANY },
        { "uscc", "old_uscc", M_TXN_F_USCC },
        { "legal_rep", "old_legal_rep", M_TXN_F_LEGAL_REP },
    };
    char desc[TXN_VAL_MAX] = "", part[TXN_VAL_MAX];
    size_t i;

    for (i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (change_same(t, items[i].key, items[i].old))
            continue;
        snprintf(part, sizeof part, "%s%s%s→%s", desc[0] ? "；" : "", msg_in(items[i].label, LANG_ZH),
                 txn_get(t, items[i].old), txn_get(t, items[i].key));
        snprintf(desc + strlen(desc), sizeof desc - strlen(desc), "%s", part);
    }
    if (change_operator(t, st)) {
        snprintf(part, sizeof part, "%s%s→%s", desc[0] ? "；" : "", msg_in(M_TXN_F_OPERATOR, LANG_ZH),
                 txn_get(t, "operator_name"));
        snprintf(desc + strlen(desc), sizeof desc - strlen(desc), "%s", part);
    }
    txn_set(t, "change_desc", desc);
}

/* The order's records: the change described once the form is past; the
 * company under its new details and the operator, in the unit of work
 * that records the new certificate. */
static int
change_records(struct txn *t, store *st)
{
    int rc;

    if (t->step > txn_step_index(t->def, "change") && txn_get(t, "fx_cert")[0] == '\0')
        txn_change_describe(t, st);
    if (strcmp(txn_get(t, "fx_cert"), "recorded") != 0)
        return STORE_OK;
    if ((rc = txn_company_record(t, st)) != STORE_OK)
        return rc;
    return txn_operator_record(t, st);
}

/* The issue: the same key pair certified again with the new subject, the
 * validity end kept; the old certificate revoked affiliationChanged (the
 * subject changed) or superseded. */
static enum txn_run_result
change_issue_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    if (txn_get(t, "old_reason")[0] == '\0') {
        bool subject = !change_same(t, "company", "old_company") || !change_same(t, "uscc", "old_uscc");
        txn_set_int(t, "old_reason", subject ? REASON_AFFILIATION_CHANGED : REASON_SUPERSEDED);
        txn_set(t, "keep_end", "1");
        txn_set(t, "recert", "1");
    }
    return renew_issue_run(t, env, r);
}

static const struct txn_stage change_stage_issue = {
    .name = "issue", .title = M_CHG_S_ISSUE, .done = txn_new_issue_done, .run = change_issue_run,
    .needs_pin = true, .on_key_fail = "current", .done_note = M_TXN_SELFTEST_OK,
};
static const struct txn_stage *const change_stages[] = {
    &change_stage_issue, &txn_new_stage_record, &txn_stage_receipt, &txn_stage_finish,
};

static const struct txn_form change_applicant_form = {
    .intro = M_CHG_APPLICANT_INTRO,
    .fields = txn_applicant_fields,
    .nfields = TXN_APPLICANT_NFIELDS,
    .check = txn_operator_check,
};

static const struct txn_field change_fields[] = {
    { .key = "company", .label = M_TXN_F_COMPANY, .max_chars = 60, .required = true },
    { .key = "uscc", .label = M_TXN_F_USCC, .max_chars = 18, .field_flags = FIELD_ASCII | FIELD_UPPER,
      .required = true, .check = rules_uscc },
    { .key = "legal_rep", .label = M_TXN_F_LEGAL_REP, .max_chars = 30, .required = true },
};
const struct txn_form txn_change_form = {
    .intro = M_CHG_INTRO,
    .note_key = "w68_note",
    .fields = change_fields,
    .nfields = sizeof change_fields / sizeof change_fields[0],
    .check = change_check,
};

static const struct txn_show change_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "change_desc", M_CHG_DESC, 0 },
    { "operator_name", M_TXN_F_OPERATOR, 0 },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
    { "old_cert", M_CHG_OLD_CERT, 0 },
};
static const struct txn_done change_done = {
    .headline = M_CHG_DONE,
    .rows = change_done_rows,
    .nrows = sizeof change_done_rows / sizeof change_done_rows[0],
    .next = M_CHG_NEXT,
};

static const struct txn_step change_steps[] = {
    { .name = "applicant", .title = M_UNLOCK_STEP_APPLICANT, .page = PAGE_FORM, .form = &change_applicant_form },
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "change", .title = M_CHG_STEP_CHANGE, .page = PAGE_FORM, .form = &txn_change_form },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "fee", .title = M_TXN_STEP_FEE, .page = PAGE_FEE },
    { .name = "pay", .title = M_TXN_STEP_PAY, .page = PAGE_PAY },
    { .name = "current", .title = M_PINCHG_STEP_CURRENT, .page = PAGE_PIN, .pin = TXN_PIN_CURRENT,
      .flags = TXN_STEP_PAID },
    { .name = "issue", .title = M_CHG_STEP_ISSUE, .page = PAGE_RUN, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK,
      .resume_at = "current", .stages = change_stages, .nstages = sizeof change_stages / sizeof change_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_change = {
    .kind = KIND_CHANGE,
    .steps = change_steps,
    .nsteps = sizeof change_steps / sizeof change_steps[0],
    .records = change_records,
    .resume_at = txn_new_resume_at,
    .may_cancel = renew_may_cancel,
    .on_cancel = txn_new_on_cancel,
    .key_scan = change_key_scan,
    .key_take = change_key_take,
    .done = &change_done,
    .servicing = true,
};

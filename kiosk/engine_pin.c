/*
 * kiosk/engine_pin.c - 修改PIN码 PIN change, at window 66 and self-service:
 * the holder's key -> its current PIN (counted) -> the new PIN twice ->
 * C_SetPIN through the counted login -> done. No order: nothing to pay,
 * print or resume (C_SetPIN is one step on the token); the change is
 * audited ("key.pin_change").
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>

static bool
change_done(const struct txn *t)
{
    return txn_get_int(t, "pin_changed", 0) != 0;
}

static int
op_change(tok_ctx *tok, const char *serial, const char *pin, void *arg)
{
    return tok_pin_change(tok, serial, pin, (const char *)arg);
}

/* Every login counts, this one too: the current PIN was just checked, so
 * a wrong one here means another key; the counter says so either way. */
static enum txn_run_result
change_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    const char *serial = txn_get(t, "key_serial");
    struct txn_pin_outcome o;
    char detail[128];

    if (t->pin[0] == '\0' || t->pin_old[0] == '\0')
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN;
    txn_pin_counted(env, serial, t->pin_old, true, op_change, t->pin, &o);
    txn_pin_clear(t);
    if (o.result != PINR_OK)
        return txn_pin_run_result(&o, r);
    txn_set(t, "pin_changed", "1");
    snprintf(detail, sizeof detail, "key=%s cert=%s", serial, txn_get(t, "cert_serial"));
    if (env->st != NULL)
        (void)store_audit(env->st, txn_actor(env), "key.pin_change", detail);
    return RUN_OK;
}

static const struct txn_stage change_stage = {
    .name = "change", .title = M_PINCHG_S_CHANGE, .done = change_done, .run = change_run,
    .needs_pin = true, .on_key_fail = "current", .done_note = M_PINCHG_DONE_NOTE,
};
static const struct txn_stage *const change_stages[] = { &change_stage };

static const struct txn_show change_done_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
};
static const struct txn_done change_done_page = {
    .headline = M_PINCHG_DONE,
    .rows = change_done_rows,
    .nrows = sizeof change_done_rows / sizeof change_done_rows[0],
    .next = M_PINCHG_NEXT,
};

static const struct txn_step change_steps[] = {
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "current", .title = M_PINCHG_STEP_CURRENT, .page = PAGE_PIN, .pin = TXN_PIN_CURRENT },
    { .name = "newpin", .title = M_PINCHG_STEP_NEW, .page = PAGE_PIN },
    { .name = "change", .title = M_PINCHG_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_NOBACK,
      .stages = change_stages, .nstages = 1 },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_NOBACK },
};

const struct txn_def txn_pin_change = {
    .kind = KIND_PIN,
    .steps = change_steps,
    .nsteps = sizeof change_steps / sizeof change_steps[0],
    .key_scan = txn_svc_key_scan,
    .key_take = txn_svc_key_take,
    .done = &change_done_page,
    .servicing = true,
};

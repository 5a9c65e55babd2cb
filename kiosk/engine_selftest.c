/*
 * kiosk/engine_selftest.c - 加解密测试 the key's self-test, at window 66 and
 * self-service: the holder's key -> its PIN (counted) -> sign on the key and
 * verify with its certificate, then encrypt and decrypt (RSA) or agree on a
 * key with an ephemeral peer (EC), each part named as what it is -> the
 * results shown and audited ("key.selftest"). No order.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>

static bool
selftest_done(const struct txn *t)
{
    return txn_get(t, "st_sign")[0] != '\0';
}

static int
op_selftest(tok_ctx *tok, const char *serial, const char *pin, void *arg)
{
    int rc = tok_selftest(tok, serial, pin, arg);

    /* a failed part is a result to show, not a login failure */
    return rc == TOK_ERR_VERIFY ? TOK_OK : rc;
}

static enum txn_run_result
selftest_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    const char *serial = txn_get(t, "key_serial");
    struct tok_selftest res;
    struct txn_pin_outcome o;
    char detail[256];
    bool ok;

    if (t->pin_old[0] == '\0')
        return r->tok_rc = TOK_ERR_INTERNAL, RUN_TOKEN;
    memset(&res, 0, sizeof res);
    txn_pin_counted(env, serial, t->pin_old, true, op_selftest, &res, &o);
    txn_pin_clear(t);
    if (o.result != PINR_OK)
        return txn_pin_run_result(&o, r);
    ok = res.cert_matches && res.signed_ok && res.crypt_ok;
    txn_set(t, "st_algo", msg(res.ec ? M_ST_ALGO_EC : M_ST_ALGO_RSA));
    txn_set(t, "st_sign", msg(res.signed_ok && res.cert_matches ? M_ST_PASS : M_ST_FAIL));
    txn_set(t, res.ec ? "st_agree" : "st_crypt", msg(res.crypt_ok ? M_ST_PASS : M_ST_FAIL));
    txn_set(t, "st_result", msg(ok ? M_TXN_SELFTEST_OK : M_ST_FAILED));
    snprintf(detail, sizeof detail, "key=%s cert=%s algo=%s cert_matches=%d sign_verify=%d %s=%d result=%s", serial,
             txn_get(t, "cert_serial"), res.ec ? "ec" : "rsa", res.cert_matches, res.signed_ok,
             res.ec ? "key_agreement" : "encrypt_decrypt", res.crypt_ok, ok ? "pass" : "fail");
    if (env->st != NULL)
        (void)store_audit(env->st, txn_actor(env), "key.selftest", detail);
    snprintf(r->note, sizeof r->note, "%s", msg(ok ? M_TXN_SELFTEST_OK : M_ST_FAILED));
    r->note_warn = !ok;
    return RUN_OK;
}

static const struct txn_stage selftest_stage = {
    .name = "selftest", .title = M_ST_S_RUN, .done = selftest_done, .run = selftest_run,
    .on_key_fail = "current",
};
static const struct txn_stage *const selftest_stages[] = { &selftest_stage };

static const struct txn_show selftest_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
    { "st_algo", M_ST_ALGO, 0 },
    { "st_sign", M_ST_SIGN, 0 },
    { "st_crypt", M_ST_CRYPT, 0 },
    { "st_agree", M_ST_AGREE, 0 },
    { "st_result", M_ST_RESULT, 0 },
};
static const struct txn_done selftest_done_page = {
    .headline = M_ST_DONE,
    .rows = selftest_rows,
    .nrows = sizeof selftest_rows / sizeof selftest_rows[0],
};

static const struct txn_step selftest_steps[] = {
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "current", .title = M_PINCHG_STEP_CURRENT, .page = PAGE_PIN, .pin = TXN_PIN_CURRENT },
    { .name = "test", .title = M_ST_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_NOBACK,
      .stages = selftest_stages, .nstages = 1 },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_NOBACK },
};

const struct txn_def txn_selftest = {
    .kind = KIND_SELFTEST,
    .steps = selftest_steps,
    .nsteps = sizeof selftest_steps / sizeof selftest_steps[0],
    .key_scan = txn_svc_key_scan,
    .key_take = txn_svc_key_take,
    .done = &selftest_done_page,
    .servicing = true,
};

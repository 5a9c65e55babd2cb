/*
 * tests/unit/test_tok.c - the parts of token/ that need no token: every
 * status has its own catalogue text in both languages, SOFTHSM2_CONF is set
 * only when unset and the hall's file exists, a wrong module path is refused
 * with a message naming it, and kiosk.conf is picked up from KIOSK_HOME.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/config.h"
#include "kiosk/engine.h"
#include "token/token.h"

static void
test_status_texts(void **state)
{
    int s, t;

    (void)state;
    for (s = TOK_OK; s >= TOK_ERR_INTERNAL; s--) {
        assert_string_not_equal(msg_in(txn_tok_msg(s), LANG_ZH), "?");
        assert_string_not_equal(msg_in(txn_tok_msg(s), LANG_EN), "?");
        for (t = s - 1; t >= TOK_ERR_INTERNAL; t--)
            assert_int_not_equal(txn_tok_msg(s), txn_tok_msg(t));
    }
    assert_int_equal(txn_tok_msg(-999), txn_tok_msg(TOK_ERR_INTERNAL));
}

static void
test_env_setup(void **state)
{
    char dir[] = "/tmp/test_tok_XXXXXX", path[64];
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/softhsm2.conf", dir);
    unsetenv("SOFTHSM2_CONF");
    assert_int_equal(tok_env_setup(path), 0);          /* file missing: left alone */
    assert_null(getenv("SOFTHSM2_CONF"));
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(tok_env_setup(path), 1);
    assert_string_equal(getenv("SOFTHSM2_CONF"), path);
    setenv("SOFTHSM2_CONF", "/elsewhere.conf", 1);
    assert_int_equal(tok_env_setup(path), 0);          /* already set: kept */
    assert_string_equal(getenv("SOFTHSM2_CONF"), "/elsewhere.conf");
    unsetenv("SOFTHSM2_CONF");
    unlink(path);
    rmdir(dir);
}

static void
test_bad_module(void **state)
{
    tok_ctx *ctx = (tok_ctx *)1;
    char err[512] = "";

    (void)state;
    assert_int_equal(tok_open(&ctx, "/no/such/dir/libpkcs11.so", NULL, NULL, NULL, err, sizeof err), TOK_ERR_MODULE);
    assert_null(ctx);
    assert_non_null(strstr(err, "/no/such/dir/libpkcs11.so"));
    tok_close(NULL);
}

static void
test_cfg_effective(void **state)
{
    static struct kiosk_config base, eff;
    char dir[] = "/tmp/test_tok_XXXXXX", path[64], err[256];
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    cfg_defaults(&base, dir);
    assert_int_equal(tok_cfg_effective(&base, &eff, err, sizeof err), 0);
    assert_string_equal(eff.hsm_serial, "");                    /* no kiosk.conf yet */
    snprintf(path, sizeof path, "%s/kiosk.conf", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[token]\nhsm_serial = 0123456789abcdef\nsofthsm_conf = my.conf\n", f);
    fclose(f);
    assert_int_equal(tok_cfg_effective(&base, &eff, err, sizeof err), 0);
    assert_string_equal(eff.hsm_serial, "0123456789abcdef");
    assert_non_null(strstr(eff.softhsm_conf, "/my.conf"));
    f = fopen(path, "w");
    fputs("[token]\nno_such_key = 1\n", f);
    fclose(f);
    assert_int_equal(tok_cfg_effective(&base, &eff, err, sizeof err), -1);
    assert_non_null(strstr(err, "no_such_key"));
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_texts),
        cmocka_unit_test(test_env_setup),
        cmocka_unit_test(test_bad_module),
        cmocka_unit_test(test_cfg_effective),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

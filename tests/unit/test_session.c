/*
 * tests/unit/test_session.c - kiosk/session.c against a real SQLite store in
 * a temporary file: which roles fit which window, sign-in with a wrong
 * password / unknown login / wrong role / right password (and the audit
 * rows each leaves), the idle lock and unlock, another clerk taking over a
 * locked session, what each mode and clerk may reach (app_push refuses
 * clerk screens in self-service), the self-service wipe freeing the
 * screens above home, and the failed sign-in lockout: the pure rule on a
 * table of failure times, then ses_login on the store's fixed clock (a
 * known and an unknown login locked alike, the right password refused
 * while locked, released after SES_LOCKOUT_S, failures before a success
 * or spread over more than the window not counted, every step audited).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/app.h"
#include "screens/screens.h"
#include "testutil.h"

/* The store of tu_store_setup with three clerks. */
static int
setup(void **state)
{
    tu_store_setup(state);
    if (store_clerk_add(tu_store.st, "w66", "window66", "Clerk 66", "pass-w66-ok") != STORE_OK ||
        store_clerk_add(tu_store.st, "w68", "window68", "Clerk 68", "pass-w68-ok") != STORE_OK ||
        store_clerk_add(tu_store.st, "boss", "supervisor", "Boss", "pass-boss-ok") != STORE_OK)
        return -1;
    return 0;
}

static struct app *
new_app(store *st, enum app_mode mode)
{
    struct app *app = calloc(1, sizeof *app);

    assert_non_null(app);
    cfg_defaults(&app->cfg, "/tmp");
    app->mode = mode;
    app->st = st;
    app->last_input = time(NULL);
    return app;
}

/* The action of the newest audit row. */
static const char *
last_action(store *st, char *buf, size_t n)
{
    struct store_audit_row r;
    size_t got = 0;

    assert_int_equal(store_audit_recent(st, &r, 1, &got), STORE_OK);
    assert_int_equal(got, 1);
    snprintf(buf, n, "%s", r.action);
    return buf;
}

static void
test_role_fits(void **state)
{
    static const struct { unsigned mode; const char *role; bool fits; } cases[] = {
        { MODE_W66, "window66", true },   { MODE_W66, "window68", false },
        { MODE_W68, "window68", true },   { MODE_W68, "window66", false },
        { MODE_W66, "supervisor", true }, { MODE_W68, "supervisor", true },
        { MODE_SELF, "supervisor", false }, { MODE_SELF, "window66", false },
        { MODE_W66, "cashier", false },   { MODE_W66, "", false },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(ses_role_fits(cases[i].mode, cases[i].role), cases[i].fits);
    assert_false(ses_role_fits(MODE_W66, NULL));
}

static void
test_login_results_and_audit(void **state)
{
    store *st = *state;
    struct app *app = new_app(st, MODE_W66);
    char a[32];

    assert_int_equal(ses_login(app, "w66", "wrong-password"), SES_BAD_CREDENTIALS);
    assert_string_equal(last_action(st, a, sizeof a), "login.fail");
    assert_int_equal(ses_login(app, "nobody", "pass-w66-ok"), SES_BAD_CREDENTIALS);
    assert_string_equal(last_action(st, a, sizeof a), "login.fail");
    assert_int_equal(ses_login(app, "w68", "pass-w68-ok"), SES_WRONG_ROLE);
    assert_string_equal(last_action(st, a, sizeof a), "login.refused");
    assert_false(app->ses.signed_in);

    assert_int_equal(ses_login(app, "w66", "pass-w66-ok"), SES_OK);
    assert_string_equal(last_action(st, a, sizeof a), "login");
    assert_true(app->ses.signed_in);
    assert_string_equal(app->ses.login, "w66");
    assert_string_equal(app->ses.name, "Clerk 66");
    assert_string_equal(app->ses.role, "window66");
    assert_false(ses_is_supervisor(app));

    ses_logout(app, "menu");
    assert_string_equal(last_action(st, a, sizeof a), "logout");
    assert_false(app->ses.signed_in);
    assert_string_equal(app->ses.login, "");

    app->st = NULL;
    assert_int_equal(ses_login(app, "w66", "pass-w66-ok"), SES_NO_STORE);
    free(app);
}

static void
test_lock_unlock_takeover(void **state)
{
    store *st = *state;
    struct app *app = new_app(st, MODE_W66);
    char a[32];
    struct store_audit_row rows[2];
    size_t n = 0;

    assert_int_equal(ses_login(app, "w66", "pass-w66-ok"), SES_OK);
    /* not idle yet: nothing happens */
    app->cfg.idle_lock_s = 60;
    ses_tick(app);
    assert_false(app->ses.locked);
    /* idle past idle_lock_s: locked */
    app->last_input = time(NULL) - 61;
    ses_tick(app);
    assert_true(app->ses.locked);
    assert_string_equal(last_action(st, a, sizeof a), "lock");
    assert_false(ses_may_reach(app, &screen_outbox));
    assert_true(ses_may_reach(app, &screen_login));

    assert_int_equal(ses_login(app, "w66", "bad"), SES_BAD_CREDENTIALS);
    assert_true(app->ses.locked);
    assert_int_equal(ses_login(app, "w66", "pass-w66-ok"), SES_RESUMED);
    assert_false(app->ses.locked);
    assert_string_equal(last_action(st, a, sizeof a), "unlock");

    ses_lock(app);
    assert_true(app->ses.locked);
    assert_int_equal(ses_login(app, "boss", "pass-boss-ok"), SES_OK);
    assert_string_equal(app->ses.login, "boss");
    assert_false(app->ses.locked);
    assert_true(ses_is_supervisor(app));
    /* the first clerk was logged out before the supervisor came in */
    assert_int_equal(store_audit_recent(st, rows, 2, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].action, "login");
    assert_string_equal(rows[0].actor, "boss");
    assert_string_equal(rows[1].action, "logout");
    assert_string_equal(rows[1].actor, "w66");
    assert_non_null(strstr(rows[1].detail, "replaced"));
    ses_logout(app, "quit");
    free(app);
}

static void
test_reach(void **state)
{
    store *st = *state;
    struct app *self = new_app(st, MODE_SELF);
    struct app *w66 = new_app(st, MODE_W66);

    /* self-service: clerk screens are refused by app_push, nothing pushed */
    assert_false(app_push(self, &screen_outbox, NULL));
    assert_false(app_push(self, &screen_settle, NULL));
    assert_false(app_push(self, &screen_login, NULL));
    assert_int_equal(self->depth, 0);
    assert_true(ses_may_reach(self, &screen_home));
    assert_true(ses_may_reach(self, &screen_validity));

    /* a window without a clerk: only home and the login */
    assert_false(app_push(w66, &screen_outbox, NULL));
    assert_false(app_push(w66, &screen_validity, NULL));
    assert_true(ses_may_reach(w66, &screen_login));
    assert_true(ses_may_reach(w66, &screen_home));

    assert_int_equal(ses_login(w66, "w66", "pass-w66-ok"), SES_OK);
    assert_true(ses_may_reach(w66, &screen_outbox));
    assert_false(ses_may_reach(w66, &screen_settle));
    assert_false(app_push(w66, &screen_settle, NULL));
    ses_logout(w66, "menu");
    assert_int_equal(ses_login(w66, "boss", "pass-boss-ok"), SES_OK);
    assert_true(ses_may_reach(w66, &screen_settle));
    ses_logout(w66, "menu");
    assert_false(ses_may_reach(w66, &screen_settle));
    free(self);
    free(w66);
}

/* A screen whose state records that free ran. */
static int dummy_freed;
static void *dummy_init(struct app *app, const void *arg) { (void)app; (void)arg; return calloc(1, 64); }
static void dummy_free(void *s) { dummy_freed++; ses_cleanse_free(s, 64); }
static const struct screen dummy_screen = {
    .name = "dummy", .modes = MODE_ALL, .init = dummy_init, .free = dummy_free,
};
static const struct screen dummy_home = { .name = "home-ish", .modes = MODE_ALL };

static void
test_self_wipe(void **state)
{
    store *st = *state;
    struct app *app = new_app(st, MODE_SELF);
    char a[32];

    assert_true(app_push(app, &dummy_home, NULL));
    assert_false(ses_wipe(app, "idle"));           /* nothing above home */
    assert_true(app_push(app, &dummy_screen, NULL));
    assert_true(app_push(app, &dummy_screen, NULL));
    app->cfg.self_idle_s = 120;
    ses_tick(app);
    assert_int_equal(app->depth, 3);               /* not idle yet */
    app->last_input = time(NULL) - 121;
    dummy_freed = 0;
    ses_tick(app);
    assert_int_equal(app->depth, 1);
    assert_int_equal(dummy_freed, 2);
    assert_string_equal(last_action(st, a, sizeof a), "session.wipe");
    app_pop(app);
    free(app);
}


static void
test_lockout_rule(void **state)
{
    enum { T = 1800000000 };
    static const struct {
        time_t fails[8];        /* newest first */
        size_t n;
        time_t now;
        long left;
    } cases[] = {
        { { 0 }, 0, T, 0 },                                                   /* no failure */
        { { T, T - 10, T - 20, T - 30 }, 4, T, 0 },                           /* four: not yet */
        { { T, T - 10, T - 20, T - 30, T - 40 }, 5, T, SES_LOCKOUT_S },       /* fifth: locked */
        { { T, T - 10, T - 20, T - 30, T - 40 }, 5, T + 60, SES_LOCKOUT_S - 60 },
        { { T, T - 10, T - 20, T - 30, T - 40 }, 5, T + SES_LOCKOUT_S - 1, 1 },
        { { T, T - 10, T - 20, T - 30, T - 40 }, 5, T + SES_LOCKOUT_S, 0 },   /* served */
        /* exactly the window between first and fifth: locked */
        { { T, T - 1, T - 2, T - 3, T - SES_LOCKOUT_WINDOW_S }, 5, T, SES_LOCKOUT_S },
        /* one second more than the window: not locked */
        { { T, T - 1, T - 2, T - 3, T - SES_LOCKOUT_WINDOW_S - 1 }, 5, T, 0 },
        /* a run of five 500 s ago: still serving its time */
        { { T - 500, T - 510, T - 520, T - 530, T - 540 }, 5, T, SES_LOCKOUT_S - 500 },
        /* a run that has served its time, then one new failure: not locked */
        { { T, T - 1000, T - 1010, T - 1020, T - 1030, T - 1040 }, 6, T, 0 },
        /* seven failures in a row: counted from the newest run */
        { { T, T - 1, T - 2, T - 3, T - 4, T - 5, T - 6 }, 7, T + 10, SES_LOCKOUT_S - 10 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long got = ses_lockout_rule(cases[i].fails, cases[i].n, cases[i].now);
        if (got != cases[i].left)
            fail_msg("case %zu: expected %ld, got %ld", i, cases[i].left, got);
    }
}

static void
test_lockout_login(void **state)
{
    store *st = *state;
    struct app *app = new_app(st, MODE_W66);
    const time_t t0 = 1800000000;     /* 2027-01-15, the store's clock for this test */
    struct store_audit_row rows[3];
    size_t n = 0;
    char a[32];
    int i;

    assert_int_equal(store_clerk_add(st, "lock1", "window66", "Lock One", "pass-lock1-ok"), STORE_OK);
    store_set_now(st, t0);

    /* four failures: told the password is wrong, as always */
    for (i = 0; i < SES_LOCKOUT_FAILS - 1; i++) {
        store_set_now(st, t0 + i * 60);
        assert_int_equal(ses_login(app, "lock1", "wrong-password"), SES_BAD_CREDENTIALS);
    }
    assert_int_equal(ses_lockout_left(app, "lock1"), 0);
    /* the fifth within 15 minutes locks the login out, audited */
    store_set_now(st, t0 + 300);
    assert_int_equal(ses_login(app, "lock1", "wrong-password"), SES_LOCKED_OUT);
    assert_int_equal(store_audit_recent(st, rows, 2, &n), STORE_OK);
    assert_string_equal(rows[0].action, "login.lockout");
    assert_string_equal(rows[0].actor, "lock1");
    assert_string_equal(rows[1].action, "login.fail");
    assert_int_equal(ses_lockout_left(app, "lock1"), SES_LOCKOUT_S);

    /* the right password is refused while locked, audited, nobody signed in */
    store_set_now(st, t0 + 360);
    assert_int_equal(ses_login(app, "lock1", "pass-lock1-ok"), SES_LOCKED_OUT);
    assert_string_equal(last_action(st, a, sizeof a), "login.locked");
    assert_false(app->ses.signed_in);
    assert_int_equal(ses_lockout_left(app, "lock1"), SES_LOCKOUT_S - 60);
    /* many refused attempts do not push the failures out of sight */
    for (i = 0; i < 70; i++)
        assert_int_equal(ses_login(app, "lock1", "pass-lock1-ok"), SES_LOCKED_OUT);
    /* other logins are not affected */
    assert_int_equal(ses_login(app, "w66", "pass-w66-ok"), SES_OK);
    ses_logout(app, "menu");

    /* an unknown login is locked out the same way (no hint it does not exist) */
    for (i = 0; i < SES_LOCKOUT_FAILS - 1; i++)
        assert_int_equal(ses_login(app, "ghost1", "whatever-pass"), SES_BAD_CREDENTIALS);
    assert_int_equal(ses_login(app, "ghost1", "whatever-pass"), SES_LOCKED_OUT);
    assert_int_equal(ses_login(app, "ghost1", "whatever-pass"), SES_LOCKED_OUT);
    assert_string_equal(last_action(st, a, sizeof a), "login.locked");

    /* 15 minutes after the fifth failure: the right password works again */
    store_set_now(st, t0 + 300 + SES_LOCKOUT_S - 1);
    assert_int_equal(ses_login(app, "lock1", "pass-lock1-ok"), SES_LOCKED_OUT);
    store_set_now(st, t0 + 300 + SES_LOCKOUT_S);
    assert_int_equal(ses_lockout_left(app, "lock1"), 0);
    assert_int_equal(ses_login(app, "lock1", "pass-lock1-ok"), SES_OK);
    ses_logout(app, "menu");

    /* failures before a success do not count */
    for (i = 0; i < SES_LOCKOUT_FAILS - 1; i++)
        assert_int_equal(ses_login(app, "lock1", "wrong-password"), SES_BAD_CREDENTIALS);
    assert_int_equal(ses_login(app, "lock1", "pass-lock1-ok"), SES_OK);
    ses_logout(app, "menu");
    assert_int_equal(ses_login(app, "lock1", "wrong-password"), SES_BAD_CREDENTIALS);

    /* five failures spread over more than 15 minutes do not lock */
    {
        time_t t1 = t0 + 3 * 3600;
        assert_int_equal(ses_login(app, "lock1", "pass-lock1-ok"), SES_OK);
        ses_logout(app, "menu");
        for (i = 0; i < SES_LOCKOUT_FAILS; i++) {
            store_set_now(st, t1 + i * (SES_LOCKOUT_WINDOW_S / (SES_LOCKOUT_FAILS - 1) + 1));
            assert_int_equal(ses_login(app, "lock1", "wrong-password"), SES_BAD_CREDENTIALS);
        }
        assert_int_equal(ses_login(app, "lock1", "pass-lock1-ok"), SES_OK);
        ses_logout(app, "menu");
    }
    store_set_now(st, 0);
    free(app);
}

/* While another process holds the records' write lock, no sign-in is
 * given, right password or wrong, and nothing is counted; once free, the
 * failures count again from the lockout's own record. */
static void
test_login_fails_closed(void **state)
{
    store *st = *state, *busy = NULL, *other = NULL;
    struct store_audit_row rows[8];
    time_t fails[STORE_LOGIN_FAILS_MAX];
    struct app *app;
    char err[256];
    size_t n = 9;
    int i;

    assert_int_equal(store_clerk_add(st, "busy1", "window66", "Busy One", "pass-busy1-ok"), STORE_OK);
    assert_int_equal(store_open(&busy, (struct store_opts[]){ tu_db_opts(&tu_store, 50) }, err, sizeof err),
                     STORE_OK);
    assert_int_equal(store_open(&other, (struct store_opts[]){ tu_db_opts(&tu_store, 50) }, err, sizeof err),
                     STORE_OK);
    app = new_app(busy, MODE_W66);
    assert_int_equal(store_begin(other), STORE_OK);     /* another process writes */
    for (i = 0; i < 7; i++)
        assert_int_equal(ses_login(app, "busy1", "wrong-password"), SES_BUSY);
    assert_int_equal(ses_login(app, "busy1", "pass-busy1-ok"), SES_BUSY);
    assert_false(app->ses.signed_in);
    store_rollback(other);
    assert_int_equal(store_login_fails(st, "busy1", fails, STORE_LOGIN_FAILS_MAX, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_audit_by_actor(st, "busy1", NULL, 0, rows, 8, &n), STORE_OK);
    assert_int_equal(n, 0);                             /* nothing was given, nothing to record */
    /* free again: counted in the lockout's record, the fifth locks */
    for (i = 0; i < SES_LOCKOUT_FAILS - 1; i++)
        assert_int_equal(ses_login(app, "busy1", "wrong-password"), SES_BAD_CREDENTIALS);
    assert_int_equal(ses_login(app, "busy1", "wrong-password"), SES_LOCKED_OUT);
    assert_int_equal(store_login_fails(st, "busy1", fails, STORE_LOGIN_FAILS_MAX, &n), STORE_OK);
    assert_int_equal(n, SES_LOCKOUT_FAILS);
    assert_int_equal(ses_login(app, "busy1", "pass-busy1-ok"), SES_LOCKED_OUT);
    /* the lock is read even while another process writes */
    assert_int_equal(store_begin(other), STORE_OK);
    assert_int_equal(ses_login(app, "busy1", "pass-busy1-ok"), SES_LOCKED_OUT);
    store_rollback(other);
    free(app);
    store_close(busy);
    store_close(other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_fits),
        cmocka_unit_test(test_login_results_and_audit),
        cmocka_unit_test(test_lock_unlock_takeover),
        cmocka_unit_test(test_reach),
        cmocka_unit_test(test_self_wipe),
        cmocka_unit_test(test_lockout_rule),
        cmocka_unit_test(test_lockout_login),
        cmocka_unit_test(test_login_fails_closed),
    };
    return cmocka_run_group_tests(tests, setup, tu_store_teardown);
}

/*
 * kiosk/session.c - the signed-in clerk: sign-in, lockout, roles, the idle
 * lock and who may enter which screen (see session.h for the rules).
 * screens/login.c calls ses_login; screens/home.c ses_logout; app_push
 * ses_may_reach. What the session does to the screen stack (the guard, the
 * idle tick, the self-service wipe) is kiosk/guard.c, above this file.
 */
#include "kiosk/session.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/app.h"
#include "kiosk/msg.h"

const char ses_lock_arg[] = "lock";

bool
ses_role_fits(unsigned mode, const char *role)
{
    if (role == NULL)
        return false;
    if (strcmp(role, "supervisor") == 0)
        return (mode & MODE_CLERK) != 0 && (mode & MODE_SELF) == 0;
    if (strcmp(role, "window66") == 0)
        return mode == MODE_W66;
    if (strcmp(role, "window68") == 0)
        return mode == MODE_W68;
    return false;
}

bool
ses_is_supervisor(const struct app *app)
{
    return app->ses.signed_in && !app->ses.locked && strcmp(app->ses.role, "supervisor") == 0;
}

const char *
ses_role_label(const char *role)
{
    if (strcmp(role, "window66") == 0)
        return msg(M_SES_ROLE_W66);
    if (strcmp(role, "window68") == 0)
        return msg(M_SES_ROLE_W68);
    if (strcmp(role, "supervisor") == 0)
        return msg(M_SES_ROLE_SUP);
    return role;
}

void
ses_audit(struct app *app, const char *actor, const char *action, const char *detail)
{
    if (app->st == NULL)
        return;
    if (store_audit(app->st, actor, action, detail) != STORE_OK)
        app_flash(app, msg(M_DB_WRITE_FAILED));
}

void
ses_logout(struct app *app, const char *reason)
{
    char detail[128];

    if (!app->ses.signed_in)
        return;
    snprintf(detail, sizeof detail, "mode=%s reason=%s", app_mode_name(app->mode), reason);
    ses_audit(app, app->ses.login, "logout", detail);
    app->ses.signed_in = false;
    app->ses.locked = false;
    OPENSSL_cleanse(app->ses.login, sizeof app->ses.login);
    OPENSSL_cleanse(app->ses.name, sizeof app->ses.name);
    OPENSSL_cleanse(app->ses.role, sizeof app->ses.role);
    app->ses.since = 0;
}

long
ses_lockout_rule(const time_t *fails, size_t n, time_t now)
{
    size_t i;

    for (i = 0; i + SES_LOCKOUT_FAILS <= n; i++) {
        if (fails[i] + SES_LOCKOUT_S <= now)
            break;              /* older ones ended even earlier */
        if (fails[i] - fails[i + SES_LOCKOUT_FAILS - 1] <= SES_LOCKOUT_WINDOW_S)
            return (long)(fails[i] + SES_LOCKOUT_S - now);
    }
    return 0;
}

/* The lockout of LOGIN from its own record (store_login_fails): *left
 * seconds, 0 when none. A store status: the caller fails closed. */
static int
ses_lockout_read(store *st, const char *login, long *left)
{
    time_t fails[STORE_LOGIN_FAILS_MAX];
    size_t n = 0;
    int rc;

    *left = 0;
    if (st == NULL || login == NULL)
        return STORE_ERR_OPEN;
    if ((rc = store_login_fails(st, login, fails, STORE_LOGIN_FAILS_MAX, &n)) != STORE_OK)
        return rc;
    *left = ses_lockout_rule(fails, n, store_now(st));
    return STORE_OK;
}

long
ses_lockout_of(store *st, const char *login)
{
    long left;

    return ses_lockout_read(st, login, &left) == STORE_OK ? left : 0;
}

long
ses_lockout_left(struct app *app, const char *login)
{
    long left;

    return ses_lockout_read(app->st, login, &left) == STORE_OK ? left : 0;
}

static enum ses_result
ses_store_result(int rc)
{
    return rc == STORE_ERR_RETRY ? SES_BUSY : SES_NO_STORE;
}

int
ses_record(store *st, const char *where, const char *actor, bool failed, const char *action, const char *detail,
           long *left)
{
    char more[160];
    int rc;

    *left = 0;
    if ((rc = store_begin(st)) != STORE_OK)
        return rc;
    rc = failed ? store_login_failed(st, actor, 0) : store_login_cleared(st, actor);
    if (rc == STORE_OK)
        rc = store_audit(st, actor, action, detail);
    if (rc == STORE_OK && failed && (rc = ses_lockout_read(st, actor, left)) == STORE_OK && *left > 0) {
        snprintf(more, sizeof more, "mode=%s fails=%d within_s=%d lock_s=%ld", where, SES_LOCKOUT_FAILS,
                 SES_LOCKOUT_WINDOW_S, *left);
        rc = store_audit(st, actor, "login.lockout", more);
    }
    if (rc == STORE_OK)
        rc = store_commit(st);
    else
        store_rollback(st);
    return rc;
}

enum ses_result
ses_password(store *st, const char *where, const char *login, const char *password, char *role, size_t rolelen)
{
    /* A login of the wrong shape is not copied into the audit as the actor. */
    const char *actor = store_clerk_check(login, NULL, NULL, NULL) == NULL ? login : "?";
    char detail[160];
    long left;
    int rc;

    if (st == NULL)
        return SES_NO_STORE;
    /* Locked out: refused before the password is even looked at. A lockout
     * that cannot be read refuses too (fail closed). */
    if ((rc = ses_lockout_read(st, actor, &left)) != STORE_OK)
        return ses_store_result(rc);
    if (left > 0) {
        snprintf(detail, sizeof detail, "mode=%s left_s=%ld", where, left);
        (void)store_audit(st, actor, "login.locked", detail);     /* refused either way */
        return SES_LOCKED_OUT;
    }
    /* A failure is recorded before it is given; one that cannot be
     * recorded is "busy", as a success that cannot be (the caller's
     * ses_record), so a guesser who keeps the records busy learns nothing
     * and is counted once they are free. */
    rc = store_clerk_verify_password(st, login, password, role, rolelen);
    if (rc == STORE_ERR_NOT_FOUND || rc == STORE_ERR_CONFLICT) {
        snprintf(detail, sizeof detail, "mode=%s", where);
        if ((rc = ses_record(st, where, actor, true, "login.fail", detail, &left)) != STORE_OK)
            return ses_store_result(rc);
        return left > 0 ? SES_LOCKED_OUT : SES_BAD_CREDENTIALS;
    }
    return rc == STORE_OK ? SES_OK : ses_store_result(rc);
}

int
ses_tries_left(struct app *app, const char *typed)
{
    const char *login = store_clerk_check(typed, NULL, NULL, NULL) == NULL ? typed : "?";
    time_t fails[STORE_LOGIN_FAILS_MAX], now;
    size_t n = 0, i;
    int recent = 0;

    if (app->st == NULL || store_login_fails(app->st, login, fails, STORE_LOGIN_FAILS_MAX, &n) != STORE_OK)
        return SES_LOCKOUT_FAILS;
    now = store_now(app->st);
    for (i = 0; i < n; i++)
        if (fails[i] > now - SES_LOCKOUT_WINDOW_S)
            recent++;
    return recent >= SES_LOCKOUT_FAILS ? 0 : SES_LOCKOUT_FAILS - recent;
}

long
ses_lockout_left_typed(struct app *app, const char *typed)
{
    return ses_lockout_left(app, store_clerk_check(typed, NULL, NULL, NULL) == NULL ? typed : "?");
}

const char *
ses_role_of(struct app *app, const char *login)
{
    struct store_clerk c;

    memset(&c, 0, sizeof c);
    if (app->st != NULL)
        (void)store_clerk_get(app->st, login, &c);
    return ses_role_label(c.role);
}

const char *
ses_store_problem(const struct app *app)
{
    return app->st != NULL ? store_detail(app->st) : app->store_error;
}

enum ses_result
ses_login(struct app *app, const char *login, const char *password)
{
    const char *where = app_mode_name(app->mode);
    char role[16] = "", detail[160];
    struct store_clerk c;
    enum ses_result r;
    long left;
    int rc;

    if ((r = ses_password(app->st, where, login, password, role, sizeof role)) != SES_OK)
        return r;
    if (!ses_role_fits(app->mode, role)) {
        snprintf(detail, sizeof detail, "mode=%s role=%s", where, role);
        if ((rc = ses_record(app->st, where, login, false, "login.refused", detail, &left)) != STORE_OK)
            return ses_store_result(rc);
        return SES_WRONG_ROLE;
    }
    if (app->ses.signed_in && app->ses.locked && strcmp(app->ses.login, login) == 0) {
        snprintf(detail, sizeof detail, "mode=%s", where);
        if ((rc = ses_record(app->st, where, login, false, "unlock", detail, &left)) != STORE_OK)
            return ses_store_result(rc);
        app->ses.locked = false;
        return SES_RESUMED;
    }
    ses_logout(app, "replaced");
    snprintf(detail, sizeof detail, "mode=%s role=%s", where, role);
    if ((rc = ses_record(app->st, where, login, false, "login", detail, &left)) != STORE_OK)
        return ses_store_result(rc);
    memset(&c, 0, sizeof c);
    if (store_clerk_get(app->st, login, &c) != STORE_OK)
        snprintf(c.name, sizeof c.name, "%s", login);
    app->ses.signed_in = true;
    app->ses.locked = false;
    snprintf(app->ses.login, sizeof app->ses.login, "%s", login);
    snprintf(app->ses.name, sizeof app->ses.name, "%s", c.name);
    snprintf(app->ses.role, sizeof app->ses.role, "%s", role);
    app->ses.since = time(NULL);
    return SES_OK;
}

void
ses_lock(struct app *app)
{
    char detail[64];

    if (!app->ses.signed_in || app->ses.locked)
        return;
    app->ses.locked = true;
    snprintf(detail, sizeof detail, "idle_s=%d", app->cfg.idle_lock_s);
    ses_audit(app, app->ses.login, "lock", detail);
}


bool
ses_may_reach(const struct app *app, const struct screen *scr)
{
    if (scr->supervisor && !ses_is_supervisor(app))
        return false;
    if ((app->mode & MODE_SELF) != 0)
        return scr->access != SCR_LOGIN;
    if (scr->access != SCR_SIGNED_IN)
        return true;
    return app->ses.signed_in && !app->ses.locked;
}




void
ses_cleanse_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, n);
    free(p);
}

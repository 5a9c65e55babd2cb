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

/* Most audit rows of one login read for the lockout (failures beyond are not needed). */
#define SES_LOCKOUT_ROWS 64

long
ses_lockout_left(struct app *app, const char *login)
{
    struct store_audit_row rows[SES_LOCKOUT_ROWS];
    time_t fails[SES_LOCKOUT_ROWS], now;
    size_t n = 0, i, nf = 0;
    /* Only these actions: refused attempts (login.locked) must not push
     * the failures out of the rows read. */
    static const char *const actions[] = { "login.fail", "login", "unlock", NULL };

    if (app->st == NULL || login == NULL)
        return 0;
    now = store_now(app->st);
    if (store_audit_by_actor(app->st, login, actions, now - SES_LOCKOUT_WINDOW_S - SES_LOCKOUT_S, rows,
                             SES_LOCKOUT_ROWS, &n) != STORE_OK)
        return 0;
    for (i = 0; i < n; i++) {
        if (strcmp(rows[i].action, "login") == 0 || strcmp(rows[i].action, "unlock") == 0)
            break;              /* failures before a success do not count */
        if (strcmp(rows[i].action, "login.fail") == 0)
            fails[nf++] = rows[i].at;
    }
    return ses_lockout_rule(fails, nf, now);
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
    char role[16] = "", detail[160];
    /* A login of the wrong shape is not copied into the audit as the actor. */
    const char *actor = store_clerk_check(login, NULL, NULL, NULL) == NULL ? login : "?";
    struct store_clerk c;
    long left;
    int rc;

    if (app->st == NULL)
        return SES_NO_STORE;
    /* Locked out: refused before the password is even looked at. */
    if ((left = ses_lockout_left(app, actor)) > 0) {
        snprintf(detail, sizeof detail, "mode=%s left_s=%ld", app_mode_name(app->mode), left);
        ses_audit(app, actor, "login.locked", detail);
        return SES_LOCKED_OUT;
    }
    rc = store_clerk_verify_password(app->st, login, password, role, sizeof role);
    if (rc == STORE_ERR_NOT_FOUND || rc == STORE_ERR_CONFLICT) {
        snprintf(detail, sizeof detail, "mode=%s", app_mode_name(app->mode));
        ses_audit(app, actor, "login.fail", detail);
        if ((left = ses_lockout_left(app, actor)) > 0) {
            snprintf(detail, sizeof detail, "mode=%s fails=%d within_s=%d lock_s=%ld", app_mode_name(app->mode),
                     SES_LOCKOUT_FAILS, SES_LOCKOUT_WINDOW_S, left);
            ses_audit(app, actor, "login.lockout", detail);
            return SES_LOCKED_OUT;
        }
        return SES_BAD_CREDENTIALS;
    }
    if (rc != STORE_OK)
        return SES_NO_STORE;
    if (!ses_role_fits(app->mode, role)) {
        snprintf(detail, sizeof detail, "mode=%s role=%s", app_mode_name(app->mode), role);
        ses_audit(app, actor, "login.refused", detail);
        return SES_WRONG_ROLE;
    }
    if (app->ses.signed_in && app->ses.locked && strcmp(app->ses.login, login) == 0) {
        app->ses.locked = false;
        snprintf(detail, sizeof detail, "mode=%s", app_mode_name(app->mode));
        ses_audit(app, login, "unlock", detail);
        return SES_RESUMED;
    }
    ses_logout(app, "replaced");
    memset(&c, 0, sizeof c);
    if (store_clerk_get(app->st, login, &c) != STORE_OK)
        snprintf(c.name, sizeof c.name, "%s", login);
    app->ses.signed_in = true;
    app->ses.locked = false;
    snprintf(app->ses.login, sizeof app->ses.login, "%s", login);
    snprintf(app->ses.name, sizeof app->ses.name, "%s", c.name);
    snprintf(app->ses.role, sizeof app->ses.role, "%s", role);
    app->ses.since = time(NULL);
    snprintf(detail, sizeof detail, "mode=%s role=%s", app_mode_name(app->mode), role);
    ses_audit(app, login, "login", detail);
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

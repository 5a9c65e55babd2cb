/*
 * kiosk/guard.c - the session's hold on the screen stack, run by the input
 * loop (kiosk/loop.c) after every key and tick: clerk modes without a clerk
 * get the login screen, a locked session the lock screen, an idle
 * self-service terminal and a pulled key wipe everything above home. It
 * sits above the session (kiosk/session.c) and the stack (kiosk/stack.c)
 * and is called only by the loop, so no call runs back up.
 */
#include "kiosk/session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kiosk/app.h"
#include "kiosk/msg.h"
#include "screens/screens.h"

bool
ses_wipe(struct app *app, const char *reason)
{
    char detail[64];

    if (app->depth <= 1)
        return false;
    while (app->depth > 1)
        app_pop(app);
    snprintf(detail, sizeof detail, "reason=%s", reason);
    ses_audit(app, "self", "session.wipe", detail);
    app_flash(app, msg(M_SES_WIPED));
    return true;
}

int
ses_guard(struct app *app)
{
    const struct screen *top;

    if (app->depth <= 0)
        return SCR_IGNORED;
    top = app->stack[app->depth - 1].scr;
    /* every mode: nothing before the HSM is unlocked, when its PIN is typed */
    if (app->hsm_locked) {
        if (top == &screen_hsm && app->depth == 2)
            return SCR_IGNORED;
        while (app->depth > 1)
            app_pop(app);
        (void)app_push(app, &screen_hsm, NULL);
        return SCR_REDRAW;
    }
    if ((app->mode & MODE_SELF) != 0)
        return SCR_IGNORED;
    if (!app->ses.signed_in) {
        if (top == &screen_login && app->depth == 2)
            return SCR_IGNORED;
        while (app->depth > 1)
            app_pop(app);
        (void)app_push(app, &screen_login, NULL);
        return SCR_REDRAW;
    }
    if (app->ses.locked && top != &screen_login) {
        if (!app_push(app, &screen_login, ses_lock_arg)) {
            /* Stack full: give up the top screen rather than stay unlocked. */
            app_pop(app);
            (void)app_push(app, &screen_login, ses_lock_arg);
        }
        return SCR_REDRAW;
    }
    return SCR_IGNORED;
}

int
ses_tick(struct app *app)
{
    time_t idle = time(NULL) - app->last_input;

    if ((app->mode & MODE_SELF) != 0) {
        if (idle >= app->cfg.self_idle_s && ses_wipe(app, "idle"))
            return SCR_REDRAW;
        return SCR_IGNORED;
    }
    if (app->ses.signed_in && !app->ses.locked && idle >= app->cfg.idle_lock_s) {
        ses_lock(app);
        app_flash(app, msg(M_SES_LOCKED));
        return ses_guard(app) | SCR_REDRAW;
    }
    return SCR_IGNORED;
}

int
ses_keys_changed(struct app *app)
{
    struct tok_key keys[SES_KEYS_MAX];
    size_t n = 0, i, j;
    bool pulled = false;

    if (app->tok == NULL || tok_keys(app->tok, keys, SES_KEYS_MAX, &n) != TOK_OK)
        n = 0;
    if (app->ses.keys_known) {
        for (i = 0; i < app->ses.nkeys; i++) {
            bool still = false;
            for (j = 0; j < n; j++)
                if (strcmp(app->ses.keys[i], keys[j].serial) == 0)
                    still = true;
            if (!still)
                pulled = true;
        }
    }
    for (i = 0; i < n; i++)
        snprintf(app->ses.keys[i], sizeof app->ses.keys[i], "%s", keys[i].serial);
    app->ses.nkeys = n;
    app->ses.keys_known = true;
    if (pulled && (app->mode & MODE_SELF) != 0 && ses_wipe(app, "key pulled"))
        return SCR_REDRAW;
    return SCR_IGNORED;
}

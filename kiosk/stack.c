/*
 * kiosk/stack.c - the screen stack: push (the mode, role, sign-in and lock
 * must allow the screen: ses_may_reach) and pop (the screen's free hook
 * cleanses its state). Used by the loop and the session guard; screens ask
 * for a push with SCR_PUSH and app->next instead of calling it.
 */
#include "kiosk/app.h"

#include <string.h>

#include "kiosk/session.h"

bool
app_push(struct app *app, const struct screen *scr, const void *arg)
{
    if ((scr->modes & app->mode) == 0 || app->depth >= APP_STACK_MAX)
        return false;
    if (!ses_may_reach(app, scr))  /* role, sign-in and lock (kiosk/session.c) */
        return false;
    app->stack[app->depth].scr = scr;
    app->stack[app->depth].state = scr->init ? scr->init(app, arg) : NULL;
    app->depth++;
    return true;
}

void
app_pop(struct app *app)
{
    struct app_frame *f;

    if (app->depth <= 0)
        return;
    f = &app->stack[--app->depth];
    if (f->scr->free != NULL)
        f->scr->free(f->state);
    memset(f, 0, sizeof *f);
}

/*
 * kiosk/loop.c - the screen stack and the one input loop.
 *
 * getch() waits at most one tick (200 ms). Between keys the loop polls the
 * key readers (a plugged or pulled UKey reaches the top screen as
 * EV_KEYS_CHANGED within a tick), pumps the print outbox and delivers
 * EV_TICK. A terminal smaller than 80x24 shows a notice instead of the
 * screen until it is enlarged. Only clerk modes can quit from the keyboard.
 * After every key and tick the session guard (kiosk/session.c) keeps the
 * login or lock screen on top when no clerk may work, and the idle tick
 * locks clerk modes / wipes self-service.
 */
#include "kiosk/app.h"

#include <curses.h>
#include <string.h>

#include "kiosk/msg.h"
#include "kiosk/term.h"
#include "kiosk/ui.h"
#include "screens/screens.h"

#define LOOP_TICK_MS 200

/* Every screen a hook may name in app->next_name. */
static const struct screen *const loop_screens[] = {
    &screen_home, &screen_login, &screen_validity, &screen_txn, &screen_resume,
    &screen_outbox, &screen_settle,
};

static const struct screen *
loop_screen_named(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < sizeof loop_screens / sizeof loop_screens[0]; i++)
        if (strcmp(loop_screens[i]->name, name) == 0)
            return loop_screens[i];
    return NULL;
}

/* Apply the flags a hook returned; returns false when the loop must end. */
static bool
loop_apply(struct app *app, int flags)
{
    if (flags & SCR_QUIT)
        return (app->mode & MODE_CLERK) == 0;
    if (flags & SCR_HOME) {
        while (app->depth > 1)
            app_pop(app);
    } else if ((flags & SCR_BACK) && app->depth > 1) {
        app_pop(app);
    }
    if ((flags & SCR_PUSH) && app->next == NULL)
        app->next = loop_screen_named(app->next_name);
    if ((flags & SCR_PUSH) && app->next != NULL) {
        if (!app_push(app, app->next, app->next_arg))
            app_flash(app, msg(M_NOT_ALLOWED));
    }
    app->next = NULL;
    app->next_name = NULL;
    app->next_arg = NULL;
    return true;
}

static int
loop_event(struct app *app, enum scr_event ev)
{
    struct app_frame *top = &app->stack[app->depth - 1];

    if (top->scr->event == NULL)
        return SCR_IGNORED;
    return top->scr->event(app, top->state, ev);
}

static void
loop_draw(struct app *app)
{
    struct app_frame *top = &app->stack[app->depth - 1];

    if (!term_big_enough())
        ui_too_small();
    else if (top->scr->draw != NULL)
        top->scr->draw(app, top->state);
    refresh();
}

int
app_run(struct app *app)
{
    bool running = true;

    term_init(LOOP_TICK_MS, app->mode == MODE_SELF);
    if (!app_push(app, &screen_home, NULL))
        term_fatal("home screen refused for this mode");
    app->last_input = time(NULL);
    (void)ses_keys_changed(app);   /* remember the keys already in */
    (void)ses_guard(app);          /* clerk modes start with the login screen */
    loop_draw(app);
    if (app->exit_after_draw)
        running = false;

    while (running && !term_quit_requested()) {
        int ch = getch();
        int flags = SCR_IGNORED;

        if (ch == ERR) {
            if (app->tok != NULL && tok_poll(app->tok) > 0) {
                flags |= ses_keys_changed(app);   /* self-service wipes on a pull */
                flags |= loop_event(app, EV_KEYS_CHANGED) | SCR_REDRAW;
            }
            flags |= ses_tick(app);               /* idle lock / self-service wipe */
            flags |= loop_event(app, EV_TICK);
            app_tick_services(app);
            /* Redraw each tick anyway: the status bar and flash may change. */
            flags |= SCR_REDRAW;
        } else if (ch == KEY_RESIZE) {
            flags |= SCR_REDRAW;
        } else {
            struct app_frame *top = &app->stack[app->depth - 1];
            app->last_input = time(NULL);
            if (!term_big_enough())
                continue;
            if (ch == 3 || ch == 26 || ch == 28) {
                /* Ctrl-C, Ctrl-Z, Ctrl-\: not a way out (raw mode) */
                if (app->mode & MODE_CLERK)
                    app_flash(app, msg(M_LOOP_HOW_TO_QUIT));
                loop_draw(app);
                continue;
            }
            if (top->scr->key != NULL)
                flags |= top->scr->key(app, top->state, ch);
            flags |= SCR_REDRAW;
        }
        running = loop_apply(app, flags);
        flags |= ses_guard(app);
        if (flags & (SCR_REDRAW | SCR_BACK | SCR_PUSH | SCR_HOME))
            loop_draw(app);
    }

    ses_logout(app, "quit");
    while (app->depth > 0)
        app_pop(app);
    term_fini();
    return 0;
}

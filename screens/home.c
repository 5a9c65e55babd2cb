/*
 * screens/home.c - the home menu: the transactions this counter mode may
 * start. Self-service lists only self-service transactions and has no quit
 * key; clerk modes quit with F10.
 */
#include <curses.h>
#include <stdlib.h>

#include "kiosk/ui.h"
#include "screens/screens.h"

const struct home_item home_items[] = {
    { M_HOME_VALIDITY, &screen_validity, MODE_ALL },
};
const int home_nitems = sizeof(home_items) / sizeof(home_items[0]);

struct home_state {
    int sel;                 /* index into the visible items */
    int idx[16];             /* visible item -> home_items index */
    int n;                   /* visible items */
};

static void *
home_init(struct app *app, const void *arg)
{
    struct home_state *s = calloc(1, sizeof *s);
    int i;

    (void)arg;
    if (s == NULL)
        return NULL;
    for (i = 0; i < home_nitems && s->n < 16; i++)
        if (home_items[i].modes & app->mode)
            s->idx[s->n++] = i;
    return s;
}

static void
home_draw(struct app *app, void *state)
{
    struct home_state *s = state;
    char line[256];
    int y = ui_frame(app, msg(M_HOME_TITLE), msg(app->mode & MODE_CLERK ? M_HOME_HINTS_CLERK : M_HOME_HINTS_SELF));
    int i;

    y++;
    ui_center(y++, TC_NORMAL, msg(M_HOME_PROMPT));
    y++;
    for (i = 0; i < s->n; i++) {
        snprintf(line, sizeof line, " %d. %s ", i + 1, msg(home_items[s->idx[i]].label));
        ui_text(y + i, 10, COLS - 20, i == s->sel ? TC_SELECT : TC_NORMAL, line);
    }
    if (app->tok == NULL)
        ui_text(LINES - 5, 2, COLS - 4, TC_WARN, app->tok_error);
    else if (app->st == NULL)
        ui_text(LINES - 5, 2, COLS - 4, TC_WARN, app->store_error);
}

static int
home_key(struct app *app, void *state, int key)
{
    struct home_state *s = state;

    switch (key) {
    case KEY_UP:
        if (s->sel > 0)
            s->sel--;
        return SCR_HANDLED;
    case KEY_DOWN:
        if (s->sel + 1 < s->n)
            s->sel++;
        return SCR_HANDLED;
    case '\r':
    case '\n':
    case KEY_ENTER:
        if (s->n == 0)
            return SCR_HANDLED;
        app->next = home_items[s->idx[s->sel]].scr;
        return SCR_PUSH;
    case KEY_F(10):
        return (app->mode & MODE_CLERK) ? SCR_QUIT : SCR_IGNORED;
    default:
        if (key >= '1' && key <= '9' && key - '1' < s->n) {
            s->sel = key - '1';
            app->next = home_items[s->idx[s->sel]].scr;
            return SCR_PUSH;
        }
        return SCR_IGNORED;
    }
}

static void
home_free(void *state)
{
    free(state);
}

const struct screen screen_home = {
    .name = "home",
    .modes = MODE_ALL,
    .init = home_init,
    .draw = home_draw,
    .key = home_key,
    .free = home_free,
};

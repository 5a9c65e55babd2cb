/*
 * screens/page_confirm.c - a question the applicant answers (PAGE_CONFIRM,
 * struct txn_confirm): N (no) goes on; Y (yes) shows the step's warning in
 * full, after which C goes on anyway or F8 cancels the order (the host's
 * cancel). The answer is kept in the order's values (KEY = 0 or 1) and the
 * page opens on it again when Esc comes back to it.
 */
#include <curses.h>
#include <stdlib.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

struct confirm_state {
    struct txn_ui *ui;
    const struct txn_confirm *c;
    bool warned;                /* Y pressed: the warning is shown */
};

static void *
confirm_init(struct app *app, const void *arg)
{
    struct confirm_state *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->c = txn_cur(&s->ui->t)->confirm;
    s->warned = s->c != NULL && txn_get_int(&s->ui->t, s->c->key, 0) != 0;
    return s;
}

static void
confirm_draw(struct app *app, void *state)
{
    struct confirm_state *s = state;
    int y = txn_frame(app, s->ui, msg(s->warned ? M_CONFIRM_HINTS_WARNED : M_CONFIRM_HINTS));

    if (s->c == NULL)
        return;
    y++;
    attron(A_BOLD);
    y += ui_wrap(y, 4, COLS - 8, TC_NORMAL, msg(s->c->question));
    attroff(A_BOLD);
    y++;
    if (s->warned) {
        attron(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_WARN, msg(s->c->warning));
        attroff(A_BOLD);
    }
}

static int
confirm_key(struct app *app, void *state, int key)
{
    struct confirm_state *s = state;

    (void)app;
    if (s->c == NULL)
        return key == 27 ? TXN_PREV : SCR_IGNORED;
    switch (key) {
    case 27:
        return TXN_PREV;
    case 'n': case 'N':
        txn_set(&s->ui->t, s->c->key, "0");
        return TXN_NEXT;
    case 'y': case 'Y':
        s->warned = true;
        txn_set(&s->ui->t, s->c->key, "1");
        return SCR_REDRAW;
    case 'c': case 'C':
        return s->warned ? TXN_NEXT : SCR_IGNORED;
    default:
        return SCR_IGNORED;
    }
}

static void
confirm_free(void *state)
{
    free(state);
}

const struct screen page_confirm = {
    .name = "page_confirm",
    .modes = MODE_ALL,
    .init = confirm_init,
    .draw = confirm_draw,
    .key = confirm_key,
    .free = confirm_free,
};

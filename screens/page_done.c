/*
 * screens/page_done.c - the done page (PAGE_DONE): the transaction's
 * headline, the values its table lists (struct txn_done: ID numbers masked,
 * times as the local day) and where to go next; for 证书新办 window 68, to
 * bind the electronic seal.
 * An order resumed here (finished issuing, not yet closed) is closed now.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/clock.h"
#include "kiosk/rules.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

struct done_state {
    struct txn_ui *ui;
};

static void *
done_init(struct app *app, const void *arg)
{
    struct done_state *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    if (s->ui->t.order.id != 0 && s->ui->t.order.state == ORDER_OPEN && txn_finish(&s->ui->t, app->st) != STORE_OK)
        app_flash(app, msg(M_TXN_DB_ERROR));
    return s;
}

static void
done_draw(struct app *app, void *state)
{
    struct done_state *s = state;
    const struct txn *t = &s->ui->t;
    const struct txn_done *d = t->def->done;
    int y = txn_frame(app, s->ui, msg(M_TXN_HINTS_DONE));

    if (d == NULL)
        return;
    y++;
    attron(A_BOLD);
    ui_text(y++, 4, COLS - 8, TC_OK, msg(d->headline));
    attroff(A_BOLD);
    y++;
    y += txn_draw_rows(y, t, d->rows, d->nrows);
    enum msg_id next = d->alt_key != NULL && txn_get_int(t, d->alt_key, 0) ? d->next_alt : d->next;
    if (next != 0) {
        y++;
        attron(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_WARN, msg(next));
        attroff(A_BOLD);
    }
}

static int
done_key(struct app *app, void *state, int key)
{
    (void)app;
    (void)state;
    if (key == '\r' || key == '\n' || key == KEY_ENTER || key == 27)
        return SCR_HOME;
    return SCR_IGNORED;
}

static void
done_free(void *state)
{
    free(state);
}

const struct screen page_done = {
    .name = "page_done",
    .modes = MODE_ALL,
    .init = done_init,
    .draw = done_draw,
    .key = done_key,
    .free = done_free,
};

/*
 * screens/page_pin.c - the PIN page (PAGE_PIN, paid): the applicant types the new
 * user PIN twice (rules_pin_confirm: 6-16 characters, not one character
 * repeated, not a plain sequence, both entries equal). The PIN goes to
 * txn.pin only, never to the records; the form's buffers are zeroed.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/form.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

static const struct txn_field pin_items[] = {
    { NULL, M_TXN_F_PIN, 16, FIELD_MASK | FIELD_ASCII, true, rules_pin },
    { NULL, M_TXN_F_PIN_AGAIN, 16, FIELD_MASK | FIELD_ASCII, true, NULL },
};

struct pin_state {
    struct txn_ui *ui;
    struct form fm;
};

static void *
pin_init(struct app *app, const void *arg)
{
    struct pin_state *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    form_init(&s->fm, pin_items, 2);
    return s;
}

static void
pin_draw(struct app *app, void *state)
{
    struct pin_state *s = state;
    int y = txn_frame(app, s->ui, msg(M_TXN_HINTS_FORM));

    y++;
    y += ui_wrap(y, 4, COLS - 8, TC_NORMAL, msg(M_TXN_PIN_INTRO));
    y += ui_wrap(y, 4, COLS - 8, TC_DIM, msg(M_TXN_PIN_POLICY));
    form_draw(&s->fm, y + 1, 4, 20);
}

static int
pin_key(struct app *app, void *state, int key)
{
    struct pin_state *s = state;
    enum rules_status st;

    (void)app;
    switch (form_key(&s->fm, key)) {
    case FORM_BACK:
        form_wipe(&s->fm);
        return TXN_PREV;
    case FORM_SUBMIT:
        st = rules_pin_confirm(form_text(&s->fm, 0), form_text(&s->fm, 1));
        if (st != RULES_OK) {
            char err[FORM_ERR_MAX];
            msg_fmt(err, sizeof err, rules_msg(st), msg(M_TXN_F_PIN));
            field_clear(&s->fm.f[1]);
            form_set_error(&s->fm, st == RULES_PIN_MISMATCH ? 1 : 0, err);
            return SCR_REDRAW;
        }
        snprintf(s->ui->t.pin, sizeof s->ui->t.pin, "%s", form_text(&s->fm, 0));
        form_wipe(&s->fm);
        return TXN_NEXT;
    case FORM_CHANGED:
        return SCR_REDRAW;
    default:
        return SCR_IGNORED;
    }
}

static void
pin_free(void *state)
{
    struct pin_state *s = state;

    if (s != NULL)
        form_wipe(&s->fm);
    free(s);
}

const struct screen page_pin = {
    .name = "page_pin",
    .modes = MODE_ALL,
    .init = pin_init,
    .draw = pin_draw,
    .key = pin_key,
    .free = pin_free,
};

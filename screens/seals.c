/*
 * screens/seals.c - 待重新绑定, window 68's list of the seals waiting for a
 * re-binding: bound to a certificate that has since been superseded or
 * revoked (a renewal with a new key pair, a replacement, a change), newest
 * first, with the company (as the seal was bound), its USCC, the seal and why it waits
 * (svc_seal_waiting reads it from the records). Enter starts 电子签章绑定:
 * the company's key, once inserted, names the seal it replaces.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/svc.h"
#include "kiosk/ui.h"
#include "screens/screens.h"
#include "screens/txn.h"

#define SEALS_ROWS 14

struct seals_state {
    struct store_seal rows[SEALS_ROWS];
    size_t n;
    int sel;
    bool failed;            /* the records could not be read */
};

static void
seals_load(struct app *app, struct seals_state *s)
{
    s->failed = svc_seal_waiting(app, s->rows, SEALS_ROWS, &s->n) != STORE_OK;
    if (s->failed)
        s->n = 0;
    if (s->sel >= (int)s->n)
        s->sel = s->n > 0 ? (int)s->n - 1 : 0;
}

static void *
seals_init(struct app *app, const void *arg)
{
    struct seals_state *s = calloc(1, sizeof *s);

    (void)arg;
    if (s != NULL)
        seals_load(app, s);
    return s;
}

static void
seals_draw(struct app *app, void *state)
{
    struct seals_state *s = state;
    int y = ui_frame(app, msg(M_SEALW_TITLE), msg(M_SEALW_HINTS));
    const int x = 2, w = COLS - 4;
    const int cx_co = x, cx_uscc = x + 32, cx_seal = x + 52, cx_why = x + 72;

    y += ui_wrap(y + 1, x, w, TC_NORMAL, msg(M_SEALW_INTRO)) + 2;
    if (s->failed) {
        ui_wrap(y, x, w, TC_WARN, app->st == NULL ? app->store_error : msg(M_TXN_DB_ERROR));
        return;
    }
    if (s->n == 0) {
        ui_text(y, x, w, TC_DIM, msg(M_SEALW_EMPTY));
        return;
    }
    ui_text(y, cx_co, 30, TC_DIM, msg(M_TXN_F_COMPANY));
    ui_text(y, cx_uscc, 19, TC_DIM, msg(M_TXN_F_USCC));
    ui_text(y, cx_seal, 19, TC_DIM, msg(M_BIND_SEAL_ID));
    if (COLS - 2 > cx_why)
        ui_text(y, cx_why, COLS - 2 - cx_why, TC_DIM, msg(M_SEALW_WHY));
    y++;
    for (size_t i = 0; i < s->n && y < LINES - 4; i++, y++) {
        const struct store_seal *r = &s->rows[i];
        enum term_color c = (int)i == s->sel ? TC_SELECT : TC_NORMAL;

        if ((int)i == s->sel)
            ui_select_bar(y, x, w);
        ui_text(y, cx_co, 30, c, r->company);
        ui_text(y, cx_uscc, 19, c, r->uscc);
        ui_text(y, cx_seal, 19, c, r->seal_id);
        if (COLS - 2 > cx_why)
            ui_text(y, cx_why, COLS - 2 - cx_why, c, msg(r->cert_state == CERT_SUPERSEDED ? M_SEALW_SUPERSEDED : M_SEALW_REVOKED));
    }
}

static int
seals_key(struct app *app, void *state, int key)
{
    static const struct txn_open open_bind = { .kind = KIND_BIND };
    struct seals_state *s = state;

    if (ui_list_move(&s->sel, (int)s->n, key))
        return SCR_HANDLED;
    switch (key) {
    case 27:
    case KEY_BACKSPACE:
    case KEY_LEFT:
        return SCR_BACK;
    case KEY_F(5):
        seals_load(app, s);
        return SCR_HANDLED;
    case '\r':
    case '\n':
    case KEY_ENTER:
        app->next = &screen_txn;     /* the company's key names the seal it replaces */
        app->next_arg = &open_bind;
        return SCR_PUSH;
    default:
        return SCR_IGNORED;
    }
}

static int
seals_event(struct app *app, void *state, enum scr_event ev)
{
    if (ev != EV_TICK)
        return SCR_IGNORED;
    seals_load(app, state);     /* a re-binding at the next counter empties a row */
    return SCR_REDRAW;
}

static void
seals_free(void *state)
{
    free(state);
}

const struct screen screen_seals = {
    .name = "seals",
    .modes = MODE_W68,
    .init = seals_init,
    .draw = seals_draw,
    .key = seals_key,
    .event = seals_event,
    .free = seals_free,
};

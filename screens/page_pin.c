/*
 * screens/page_pin.c - the PIN page (PAGE_PIN). Its step says which:
 *
 * - TXN_PIN_NEW: the applicant types the new user PIN twice
 *   (rules_pin_confirm: 6-16 characters, not one character repeated, not a
 *   plain sequence, both entries equal) -> txn.pin;
 * - TXN_PIN_CURRENT: the key's current PIN, checked through the engine's
 *   counted login (txn_pin_check): the tries left are shown once 3 or fewer
 *   remain, the last try must be confirmed with Y (a wrong PIN then locks
 *   the key), a locked key is refused with the unlock service named, and a
 *   busy database tries nothing -> txn.pin_old.
 *
 * PINs go to txn.pin/pin_old only, never to the records; the form's
 * buffers are zeroed.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/form.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

static const struct txn_field pin_items[] = {
    { NULL, M_TXN_F_PIN, 16, FIELD_MASK | FIELD_ASCII, true, rules_pin, NULL },
    { NULL, M_TXN_F_PIN_AGAIN, 16, FIELD_MASK | FIELD_ASCII, true, NULL, NULL },
};
static const struct txn_field pin_current_items[] = {
    { NULL, M_PIN_F_CURRENT, 16, FIELD_MASK | FIELD_ASCII, true, NULL, NULL },
};

struct pin_state {
    struct txn_ui *ui;
    struct form fm;
    bool current;               /* TXN_PIN_CURRENT */
    struct txn_pin_view view;   /* the key's PIN as last read (current) */
    bool confirm;               /* the last try: Y pressed */
    bool asking;                /* the last try: waiting for Y */
    bool locked;                /* refused: nothing more to type */
    char note[512];             /* the outcome of the last try */
};

static void
pin_refresh(struct pin_state *s)
{
    if (txn_pin_view(&s->ui->env, txn_get(&s->ui->t, "key_serial"), &s->view) != STORE_OK)
        memset(&s->view, 0, sizeof s->view);
}

static void *
pin_init(struct app *app, const void *arg)
{
    struct pin_state *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->current = txn_cur(&s->ui->t)->pin == TXN_PIN_CURRENT;
    if (s->current) {
        form_init(&s->fm, pin_current_items, 1);
        pin_refresh(s);
        s->locked = s->view.locked;
        if (s->locked)
            snprintf(s->note, sizeof s->note, "%s", msg(M_KEYST_WHY_LOCKED));
    } else {
        form_init(&s->fm, pin_items, 2);
    }
    return s;
}

static void
pin_draw(struct app *app, void *state)
{
    struct pin_state *s = state;
    int y = txn_frame(app, s->ui, msg(s->current ? M_PIN_HINTS_CURRENT : M_TXN_HINTS_FORM));
    char buf[256];

    y++;
    if (!s->current) {
        y += ui_wrap(y, 4, COLS - 8, TC_NORMAL, msg(M_TXN_PIN_INTRO));
        y += ui_wrap(y, 4, COLS - 8, TC_DIM, msg(M_TXN_PIN_POLICY));
        form_draw(&s->fm, y + 1, 4, 20);
        return;
    }
    y += ui_wrap(y, 4, COLS - 8, TC_NORMAL, msg(M_PIN_CURRENT_INTRO));
    if (!s->locked && s->view.left > 0 && s->view.left <= 3)
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, msg_fmt(buf, sizeof buf, M_PIN_TRIES_LEFT, s->view.left));
    if (!s->locked)
        y += form_draw(&s->fm, y + 1, 4, 20) + 1;
    y++;
    if (s->asking) {
        attron(A_BOLD);
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, msg(M_PIN_FINAL_CONFIRM));
        attroff(A_BOLD);
    }
    if (s->note[0] != '\0') {
        attron(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_WARN, s->note);
        attroff(A_BOLD);
    }
}

/* The current PIN typed: one counted try through the engine. */
static int
pin_try(struct pin_state *s)
{
    struct txn_pin_outcome o;
    enum msg_id m;

    txn_pin_check(&s->ui->t, &s->ui->env, form_text(&s->fm, 0), s->confirm, &o);
    if (o.result == PINR_CONFIRM) {
        s->asking = true;       /* the PIN stays typed: Y tries it */
        s->note[0] = '\0';
        return SCR_REDRAW;
    }
    form_wipe(&s->fm);
    s->asking = s->confirm = false;
    if (o.result == PINR_OK) {
        s->note[0] = '\0';
        return TXN_NEXT;
    }
    m = txn_pin_msg(&o);
    msg_fmt(s->note, sizeof s->note, m, o.left);
    if (o.result == PINR_LOCKED || o.result == PINR_REFUSED)
        s->locked = true;
    pin_refresh(s);
    return SCR_REDRAW;
}

static int
pin_key_current(struct pin_state *s, int key)
{
    if (s->asking) {
        if (key == 'y' || key == 'Y') {
            s->confirm = true;
            s->asking = false;
            return pin_try(s);
        }
        if (key == 27) {
            s->asking = false;
            form_wipe(&s->fm);
            return SCR_REDRAW;
        }
        return SCR_HANDLED;
    }
    if (s->locked) {
        if (key == 27)
            return TXN_PREV;
        return SCR_IGNORED;
    }
    switch (form_key(&s->fm, key)) {
    case FORM_BACK:
        form_wipe(&s->fm);
        return TXN_PREV;
    case FORM_SUBMIT:
        if (form_text(&s->fm, 0)[0] == '\0')
            return SCR_REDRAW;
        return pin_try(s);
    case FORM_CHANGED:
        return SCR_REDRAW;
    default:
        return SCR_IGNORED;
    }
}

static int
pin_key(struct app *app, void *state, int key)
{
    struct pin_state *s = state;
    enum rules_status st;

    (void)app;
    if (s->current)
        return pin_key_current(s, key);
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

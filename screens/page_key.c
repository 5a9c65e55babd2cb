/*
 * screens/page_key.c - the key page (PAGE_KEY, paid): "insert a blank key". The
 * inserted UKey (one: several are refused, none picked) is judged by the
 * engine (txn_new_key_scan): blank;
 * holding this order's own certificate (an interrupted issuance that got
 * as far as the key: Enter records it, nothing is wiped); holding a foreign,
 * revoked, expired or unrecorded certificate, or half-written by this order
 * (W, then Y, agrees to wipe it; its holder is shown first); or holding
 * another order's active, recorded certificate (never wiped). Nothing is
 * written to the key here: the wipe and initialisation happen when issuing,
 * after the PIN.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/clock.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

enum key_phase {
    KP_VIEW,        /* showing what the engine says of the key */
    KP_CONFIRM,     /* W pressed: Y confirms the wipe */
    KP_WIPE_OK,     /* wipe confirmed: Enter continues */
};

struct key_page {
    struct txn_ui *ui;
    enum key_phase phase;
    struct txn_key_view v;      /* the engine's view of the inserted key */
    enum msg_id note;           /* why Enter was refused */
};

static void
key_scan(struct key_page *s)
{
    struct txn_key_view v;

    s->ui->t.def->key_scan(&s->ui->t, &s->ui->env, &v);
    if (strcmp(v.key.serial, s->v.key.serial) != 0 || v.verdict != s->v.verdict)
        s->phase = KP_VIEW;  /* another key: the clerk's choice was for the old one */
    s->v = v;
    s->note = 0;
}

static void *
key_init(struct app *app, const void *arg)
{
    struct key_page *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    txn_pin_clear(&s->ui->t);
    key_scan(s);
    return s;
}

/* A servicing transaction's key: whose it is, until when, its state and
 * PIN tries; then either "Enter" or why not and what to do. */
static void
key_draw_service(struct key_page *s, int y, int lw)
{
    char buf[256], day[16];

    if (s->v.cert_rc == TOK_OK) {
        ui_field(y++, 4, lw, msg(M_TXN_KEY_HOLDER), TC_NORMAL, s->v.cert.holder);
        ui_field(y++, 4, lw, msg(M_TXN_F_USCC), TC_NORMAL, s->v.cert.uscc);
        ui_field(y++, 4, lw, msg(M_TXN_KEY_CERT), TC_NORMAL, s->v.cert.serial_hex);
        rules_date_format(clock_local_day(s->v.cert.not_after), day, sizeof day);
        ui_field(y++, 4, lw, msg(M_TXN_VALID_TO), TC_NORMAL, day);
    }
    if (s->v.known) {
        ui_field(y++, 4, lw, msg(M_KEY_STATE), s->v.state == KEYST_ISSUED ? TC_NORMAL : TC_WARN,
                 msg(keylife_state_msg(s->v.state)));
        if (s->v.pin_left >= 0 && s->v.pin_left <= 3 && s->v.state == KEYST_ISSUED)
            ui_field(y++, 4, lw, msg(M_KEY_PIN_TRIES), TC_WARN, msg_fmt(buf, sizeof buf, M_PIN_TRIES_LEFT, s->v.pin_left));
    }
    y++;
    attron(A_BOLD);
    if (s->v.verdict == KEY_USABLE)
        ui_wrap(y, 4, COLS - 8, TC_OK, msg(M_KEY_USABLE));
    else
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, s->v.note_text[0] ? s->v.note_text : msg(s->v.note ? s->v.note : M_KEYST_UNKNOWN));
    attroff(A_BOLD);
    if (s->note != 0)
        ui_wrap(y + 1, 4, COLS - 8, TC_WARN, msg(s->note));
}

static void
key_draw(struct app *app, void *state)
{
    struct key_page *s = state;
    static const enum msg_id labels[] = { M_TXN_KEY_SERIAL, M_TXN_KEY_HOLDER, M_TXN_KEY_CERT, M_TXN_F_USCC,
                                          M_TXN_VALID_TO, M_KEY_STATE, M_KEY_PIN_TRIES };
    bool svc = s->v.verdict == KEY_USABLE || s->v.verdict == KEY_REFUSED;
    bool holder = txn_key_holder(&s->ui->t), may_skip = (txn_cur(&s->ui->t)->flags & TXN_STEP_MAY_SKIP) != 0;
    int y = txn_frame(app, s->ui, msg(may_skip ? M_KEY_HINTS_SKIP : holder ? M_KEY_HINTS : M_TXN_HINTS_KEY)),
        lw = ui_label_width(labels, svc ? 7 : 3);
    bool wipeable = s->v.verdict == KEY_WIPEABLE || s->v.verdict == KEY_OURS_HALF;

    y++;
    if (app->tok == NULL) {
        ui_wrap(y, 4, COLS - 8, TC_WARN, app->tok_error);
        return;
    }
    if (s->v.verdict == KEY_NONE) {
        ui_center(LINES / 2 - 1, TC_NORMAL, msg(holder ? M_KEY_INSERT_HOLDER : M_TXN_KEY_INSERT));
        ui_center(LINES / 2 + 1, TC_DIM, msg(may_skip ? M_KEY_SKIP_HINT : M_TXN_KEY_INSERT_HINT));
        return;
    }
    if (s->v.key.serial[0] != '\0')  /* none taken of several keys: the note names them */
        ui_field(y++, 4, lw, msg(M_TXN_KEY_SERIAL), TC_NORMAL, s->v.key.serial);
    y++;
    if (s->v.verdict == KEY_USABLE || s->v.verdict == KEY_REFUSED) {
        key_draw_service(s, y, lw);
        return;
    }
    if (s->v.verdict == KEY_BLANK) {
        ui_wrap(y, 4, COLS - 8, TC_OK, msg(M_TXN_KEY_BLANK));
        return;
    }
    if (s->v.cert_rc == TOK_OK || s->v.cert_rc == TOK_ERR_FOREIGN_CERT) {
        ui_field(y++, 4, lw, msg(M_TXN_KEY_HOLDER), TC_NORMAL, s->v.cert.holder);
        ui_field(y++, 4, lw, msg(M_TXN_KEY_CERT), TC_NORMAL, s->v.cert.serial_hex);
    }
    y++;
    if (s->v.verdict == KEY_OURS_ISSUED) {
        attron(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_OK, msg(M_TXN_KEY_OURS_ISSUED));
        attroff(A_BOLD);
        return;
    }
    if (s->phase == KP_WIPE_OK && wipeable) {
        ui_wrap(y, 4, COLS - 8, TC_WARN, msg(M_TXN_KEY_WIPE_AGREED));
        return;
    }
    attron(A_BOLD);
    y += ui_wrap(y, 4, COLS - 8, TC_WARN,
                 s->v.verdict == KEY_TAKEN && s->v.note_text[0] ? s->v.note_text :
                 msg(s->v.verdict == KEY_TAKEN ? (s->v.note ? s->v.note : M_TXN_KEY_TAKEN) :
                     s->v.verdict == KEY_OURS_HALF ? M_TXN_KEY_HALF_WRITTEN : M_TXN_KEY_NOT_BLANK));
    attroff(A_BOLD);
    y++;
    if (wipeable)
        y += ui_wrap(y, 4, COLS - 8, s->phase == KP_CONFIRM ? TC_WARN : TC_DIM,
                     msg(s->phase == KP_CONFIRM ? M_TXN_KEY_WIPE_CONFIRM : M_TXN_KEY_WIPE_HINT));
    if (s->note != 0)
        ui_wrap(y + 1, 4, COLS - 8, TC_WARN, msg(s->note));
}

static int
key_key(struct app *app, void *state, int key)
{
    struct key_page *s = state;
    bool wipeable = s->v.verdict == KEY_WIPEABLE || s->v.verdict == KEY_OURS_HALF;

    (void)app;
    switch (key) {
    case 27:
        return TXN_PREV;
    case 'w': case 'W':
        if (wipeable && s->phase == KP_VIEW)
            s->phase = KP_CONFIRM;
        return SCR_REDRAW;
    case 'y': case 'Y':
        if (s->phase == KP_CONFIRM)
            s->phase = KP_WIPE_OK;
        return SCR_REDRAW;
    case 'n': case 'N':
        if (s->phase == KP_CONFIRM) {
            s->phase = KP_VIEW;
            return SCR_REDRAW;
        }
        if (txn_cur(&s->ui->t)->flags & TXN_STEP_MAY_SKIP) {
            txn_key_skip(&s->ui->t);    /* the key does not read: the step goes on without it */
            return TXN_NEXT;
        }
        return SCR_IGNORED;
    case 'r': case 'R': case KEY_F(5):
        s->phase = KP_VIEW;
        key_scan(s);
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        if (s->v.verdict == KEY_NONE || (wipeable && s->phase != KP_WIPE_OK) || s->v.verdict == KEY_TAKEN)
            return SCR_REDRAW;
        if (s->v.verdict == KEY_REFUSED)
            return SCR_REDRAW;
        if ((s->note = s->ui->t.def->key_take(&s->ui->t, &s->ui->env, &s->v, s->phase == KP_WIPE_OK)) != 0)
            return SCR_REDRAW;
        if (s->v.verdict == KEY_OURS_ISSUED) {
            /* Rolled forward: no PIN needed, the records are next. */
            s->ui->jump = txn_step_index(s->ui->t.def, "issue");
            return TXN_JUMP;
        }
        return TXN_NEXT;
    default:
        return SCR_IGNORED;
    }
}

static int
key_event(struct app *app, void *state, enum scr_event ev)
{
    struct key_page *s = state;

    (void)app;
    if (ev != EV_KEYS_CHANGED)
        return SCR_IGNORED;
    key_scan(s);
    return SCR_REDRAW;
}

static void
key_free(void *state)
{
    free(state);
}

const struct screen page_key = {
    .name = "page_key",
    .modes = MODE_ALL,
    .init = key_init,
    .draw = key_draw,
    .key = key_key,
    .event = key_event,
    .free = key_free,
};

/*
 * screens/myorders.c - 我的订单 at the self-service terminal: the key
 * holder's own orders (kiosk/engine_mine.c decides; this screen only asks).
 *
 * "Insert your key" -> its PIN (counted; the last try confirmed with Y) ->
 * the company's orders taken at the terminal, newest first: Enter resumes
 * an unfinished one (the transaction opens at its key and PIN), F8 + Y
 * cancels one (a paid one is refunded), P prints a finished one's receipt
 * again. Pulling the key, or another key, forgets everything shown.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/engine.h"
#include "kiosk/form.h"
#include "kiosk/rules.h"
#include "kiosk/ui.h"
#include "screens/screens.h"
#include "screens/txn.h"

#define MINE_MAX 8

static const struct txn_field mine_pin_items[] = {
    { NULL, M_PIN_F_CURRENT, 16, FIELD_MASK | FIELD_ASCII, true, NULL, NULL },
};

struct mine_state {
    struct txn_holder h;
    struct form fm;
    bool asking;                /* the last PIN try: waiting for Y */
    bool locked;                /* no more tries here */
    struct store_order o[MINE_MAX];
    size_t n;
    int sel;
    bool confirm;               /* F8 pressed: Y cancels */
    char note[512];
    struct txn_open open;       /* what the host is given to resume one */
};

static struct txn_env
mine_env(struct app *app)
{
    struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st, .printer = app->printer_worker,
                           .window = app_mode_name(app->mode), .clerk = "" };
    return env;
}

/* Forget everything shown and look at the key again. */
static void
mine_reset(struct app *app, struct mine_state *s)
{
    struct txn_env env = mine_env(app);

    memset(s->o, 0, sizeof s->o);
    s->n = 0;
    s->sel = 0;
    s->asking = s->locked = s->confirm = false;
    s->note[0] = '\0';
    form_wipe(&s->fm);
    form_init(&s->fm, mine_pin_items, 1);
    txn_holder_key(&env, &s->h);
}

static void
mine_list(struct app *app, struct mine_state *s)
{
    struct txn_env env = mine_env(app);
    int rc = txn_holder_orders(&env, &s->h, s->o, MINE_MAX, &s->n);

    if (rc != STORE_OK)
        snprintf(s->note, sizeof s->note, "%s", msg(rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
    if (s->sel >= (int)s->n)
        s->sel = s->n > 0 ? (int)s->n - 1 : 0;
}

static void *
mine_init(struct app *app, const void *arg)
{
    struct mine_state *s = calloc(1, sizeof *s);

    (void)arg;
    if (s != NULL)
        mine_reset(app, s);
    return s;
}

static const char *
mine_state_label(const struct store_order *o)
{
    return msg(o->state == ORDER_DONE ? M_MINE_DONE : o->state == ORDER_CANCELLED ? M_MINE_CANCELLED
               : o->paid_at ? M_MINE_OPEN_PAID : M_MINE_OPEN);
}

static void
mine_draw(struct app *app, void *state)
{
    struct mine_state *s = state;
    enum msg_id hints = !s->h.proven ? M_MINE_HINTS_PIN : M_MINE_HINTS_LIST;
    int y = ui_frame(app, msg(M_MINE_TITLE), msg(hints)), i;
    char line[512], a[32], day[16];

    y++;
    if (!s->h.have_key || s->h.why != 0) {
        ui_wrap(y, 4, COLS - 8, s->h.why ? TC_WARN : TC_NORMAL, s->h.why_text[0] ? s->h.why_text : msg(s->h.why ? s->h.why : M_MINE_INSERT));
        curs_set(0);
        return;
    }
    if (!s->h.proven) {
        y += ui_wrap(y, 4, COLS - 8, TC_NORMAL, msg(M_MINE_PIN_INTRO));
        if (!s->locked)
            y += form_draw(&s->fm, y + 1, 4, 20) + 1;
        y++;
        if (s->asking) {
            attron(A_BOLD);
            y += ui_wrap(y, 4, COLS - 8, TC_WARN, msg(M_PIN_FINAL_CONFIRM));
            attroff(A_BOLD);
        }
        if (s->note[0] != '\0')
            ui_wrap(y, 4, COLS - 8, TC_WARN, s->note);
        return;
    }
    curs_set(0);
    ui_text(y++, 4, COLS - 8, TC_NORMAL, s->h.company);
    y++;
    if (s->n == 0)
        y += ui_wrap(y, 4, COLS - 8, TC_DIM, msg(M_MINE_NONE));
    for (i = 0; i < (int)s->n; i++) {
        struct tm tm;
        const char *title = kind_title_of(s->o[i].txn);
        time_t at = s->o[i].created;
        localtime_r(&at, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
        rules_money_format(s->o[i].amount, a, sizeof a);
        snprintf(line, sizeof line, " %s  %s  %s  %s  %s ", s->o[i].number, day, title ? title : s->o[i].txn,
                 mine_state_label(&s->o[i]), a);
        ui_text(y++, 4, COLS - 8, i == s->sel ? TC_SELECT : TC_NORMAL, line);
    }
    y++;
    if (s->confirm && s->n > 0)
        ui_wrap(y, 4, COLS - 8, TC_WARN, msg(s->o[s->sel].paid_at ? M_TXN_CANCEL_CONFIRM_PAID : M_TXN_CANCEL_CONFIRM));
    else if (s->note[0] != '\0')
        ui_wrap(y, 4, COLS - 8, TC_WARN, s->note);
}

/* One counted try of the PIN typed. */
static int
mine_try(struct app *app, struct mine_state *s, bool final_ok)
{
    struct txn_env env = mine_env(app);
    struct txn_pin_outcome o;

    txn_holder_prove(&env, &s->h, form_text(&s->fm, 0), final_ok, &o);
    if (o.result == PINR_CONFIRM) {
        s->asking = true;
        s->note[0] = '\0';
        return SCR_REDRAW;
    }
    form_wipe(&s->fm);
    form_init(&s->fm, mine_pin_items, 1);
    s->asking = false;
    if (o.result == PINR_OK) {
        s->note[0] = '\0';
        mine_list(app, s);
        return SCR_REDRAW;
    }
    msg_fmt(s->note, sizeof s->note, txn_pin_msg(&o), o.left);
    s->locked = o.result == PINR_LOCKED || o.result == PINR_REFUSED;
    return SCR_REDRAW;
}

static int
mine_key_pin(struct app *app, struct mine_state *s, int key)
{
    if (s->asking) {
        if (key == 'y' || key == 'Y')
            return mine_try(app, s, true);
        if (key == 27) {
            s->asking = false;
            form_wipe(&s->fm);
            form_init(&s->fm, mine_pin_items, 1);
            return SCR_REDRAW;
        }
        return SCR_HANDLED;
    }
    if (s->locked || !s->h.have_key || s->h.why != 0)
        return key == 27 ? SCR_BACK : SCR_IGNORED;
    switch (form_key(&s->fm, key)) {
    case FORM_BACK:
        form_wipe(&s->fm);
        return SCR_BACK;
    case FORM_SUBMIT:
        return form_text(&s->fm, 0)[0] == '\0' ? SCR_REDRAW : mine_try(app, s, false);
    case FORM_CHANGED:
        return SCR_REDRAW;
    default:
        return SCR_IGNORED;
    }
}

static int
mine_key(struct app *app, void *state, int key)
{
    struct mine_state *s = state;
    struct txn_env env = mine_env(app);
    struct txn_order_rights r;
    const struct store_order *o;
    enum msg_id why;
    enum txn_kind k;
    int rc;

    if (!s->h.proven)
        return mine_key_pin(app, s, key);
    if (s->confirm) {
        s->confirm = false;
        if ((key == 'y' || key == 'Y') && s->n > 0) {
            rc = txn_holder_cancel(&env, &s->h, s->o[s->sel].id, &why);
            if (rc == STORE_OK)
                app_flash(app, msg(M_TXN_CANCELLED));
            else
                snprintf(s->note, sizeof s->note, "%s", msg(why != 0 ? why : M_TXN_DB_ERROR));
            mine_list(app, s);
        }
        return SCR_REDRAW;
    }
    if (ui_list_move(&s->sel, (int)s->n, key))
        return SCR_REDRAW;
    if (key == 27)
        return SCR_BACK;
    if (s->n == 0)
        return SCR_IGNORED;
    o = &s->o[s->sel];
    s->note[0] = '\0';
    switch (key) {
    case '\r': case '\n': case KEY_ENTER:
        if (txn_holder_rights(&env, &s->h, o->id, &r) != STORE_OK || !r.resume || o->state != ORDER_OPEN ||
            kind_parse(o->txn, &k) != 0) {
            snprintf(s->note, sizeof s->note, "%s", msg(o->state == ORDER_OPEN ? M_NOT_ALLOWED : M_MINE_CLOSED));
            return SCR_REDRAW;
        }
        s->open.kind = k;
        s->open.order_id = o->id;
        app->next = &screen_txn;
        app->next_arg = &s->open;
        return SCR_PUSH;
    case KEY_F(8):
        if (o->state != ORDER_OPEN) {
            snprintf(s->note, sizeof s->note, "%s", msg(M_MINE_CLOSED));
            return SCR_REDRAW;
        }
        s->confirm = true;
        return SCR_REDRAW;
    case 'p': case 'P':
        rc = o->state == ORDER_DONE ? txn_holder_reprint(&env, &s->h, o->id) : STORE_ERR_CONFLICT;
        snprintf(s->note, sizeof s->note, "%s", msg(rc == STORE_OK ? M_MINE_REPRINTED
                                                    : rc == STORE_ERR_CONFLICT ? M_MINE_NOT_DONE
                                                    : rc == STORE_ERR_NOT_FOUND ? M_MINE_NO_RECEIPT : M_TXN_DB_ERROR));
        return SCR_REDRAW;
    default:
        return SCR_IGNORED;
    }
}

static int
mine_event(struct app *app, void *state, enum scr_event ev)
{
    struct mine_state *s = state;
    struct txn_holder now;
    struct txn_env env = mine_env(app);

    if (ev != EV_KEYS_CHANGED)
        return SCR_IGNORED;
    txn_holder_key(&env, &now);
    if (now.have_key && s->h.have_key && strcmp(now.serial, s->h.serial) == 0)
        return SCR_IGNORED;
    mine_reset(app, s);     /* the key went, or another came: nothing stays shown */
    return SCR_REDRAW;
}

static void
mine_free(void *state)
{
    struct mine_state *s = state;

    if (s != NULL) {
        form_wipe(&s->fm);
        memset(s, 0, sizeof *s);
    }
    free(s);
}

const struct screen screen_myorders = {
    .name = "myorders",
    .modes = MODE_SELF,
    .init = mine_init,
    .draw = mine_draw,
    .key = mine_key,
    .event = mine_event,
    .free = mine_free,
};

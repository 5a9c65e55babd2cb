/*
 * screens/refunds.c - 待退款, window 66's list of the refunds due: orders
 * cancelled after they were paid (at a window or at the self-service
 * terminal) whose money has not been paid back. Up/Down choose one, Enter
 * offers the refund (the amount and the way it was paid: cash back, the
 * card payment reversed, the QR payment returned), Y records it and prints
 * its 退款凭证 (kiosk/engine_refund.c); the list then shows what is still
 * due. Esc goes back.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/engine.h"
#include "kiosk/rules.h"
#include "kiosk/ui.h"
#include "screens/screens.h"
#include "screens/txn.h"

#define REFUNDS_MAX 64

struct refunds_state {
    struct store_order o[REFUNDS_MAX];
    size_t n;
    size_t sel, top;
    bool offer;                 /* Enter pressed: Y pays the selected one back */
    int rc;                     /* of the last load */
};

static struct txn_env
refunds_env(struct app *app)
{
    struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st, .printer = app->printer_worker,
                           .window = app_mode_name(app->mode), .clerk = app->ses.signed_in ? app->ses.login : "" };
    return env;
}

static void
refunds_load(struct app *app, struct refunds_state *s)
{
    struct txn_env env = refunds_env(app);

    s->rc = txn_refunds_due(&env, s->o, REFUNDS_MAX, &s->n);
    if (s->rc != STORE_OK)
        s->n = 0;
    if (s->sel >= s->n)
        s->sel = s->n > 0 ? s->n - 1 : 0;
}

static void *
refunds_init(struct app *app, const void *arg)
{
    struct refunds_state *s = calloc(1, sizeof *s);

    (void)arg;
    if (s != NULL)
        refunds_load(app, s);
    return s;
}

static void
refunds_draw(struct app *app, void *state)
{
    struct refunds_state *s = state;
    const int x = 2, w = COLS - 4;
    const int cx_num = x, cx_day = x + 18, cx_amt = x + 30, cx_how = x + 42;
    int y = ui_frame(app, msg(M_RF_TITLE), msg(M_RF_HINTS)), rows, how_w, cx_co;
    char buf[256], day[32];
    size_t i;

    /* the method column as wide as its widest word (the header's or a listed method's) */
    how_w = ui_width(msg(M_RF_COL_HOW));
    for (i = 0; i < s->n; i++) {
        int mw = ui_width(msg(txn_pay_method_msg(s->o[i].pay_method)));
        how_w = mw > how_w ? mw : how_w;
    }
    cx_co = cx_how + how_w + 2;

    y++;
    if (app->st == NULL || s->rc != STORE_OK) {
        ui_wrap(y, x, w, TC_WARN, app->st == NULL ? app->store_error : msg(M_TXN_DB_ERROR));
        return;
    }
    if (s->n == 0) {
        ui_text(y, x, w, TC_DIM, msg(M_RF_EMPTY));
        return;
    }
    ui_text(y, x, w, TC_NORMAL, msg_fmt(buf, sizeof buf, M_RF_COUNT, (long)s->n));
    y += 2;
    ui_text(y, cx_num, 17, TC_DIM, msg(M_RF_COL_ORDER));
    ui_text(y, cx_day, 11, TC_DIM, msg(M_RF_COL_DAY));
    ui_text(y, cx_amt, 11, TC_DIM, msg(M_RF_COL_AMOUNT));
    ui_text(y, cx_how, how_w, TC_DIM, msg(M_RF_COL_HOW));
    ui_text(y, cx_co, COLS - 2 - cx_co, TC_DIM, msg(M_RF_COL_COMPANY));
    y++;
    rows = LINES - 7 - y;
    if (rows < 1)
        rows = 1;
    if (s->sel < s->top)
        s->top = s->sel;
    if (s->sel >= s->top + (size_t)rows)
        s->top = s->sel - (size_t)rows + 1;
    for (i = s->top; i < s->n && y < LINES - 7; i++, y++) {
        const struct store_order *o = &s->o[i];
        enum term_color c = i == s->sel ? TC_SELECT : TC_NORMAL;
        if (i == s->sel)
            ui_select_bar(y, x, w);
        ui_text(y, cx_num, 17, c, o->number);
        {
            struct tm tm;
            time_t at = o->updated;
            localtime_r(&at, &tm);      /* the hall's zone (clock_use_zone) */
            strftime(day, sizeof day, "%Y-%m-%d", &tm);
        }
        ui_text(y, cx_day, 11, c, day);
        ui_text(y, cx_amt, 11, c, rules_money_format(o->amount, buf, sizeof buf));
        ui_text(y, cx_how, how_w, c, msg(txn_pay_method_msg(o->pay_method)));
        ui_text(y, cx_co, COLS - 2 - cx_co, c, o->uscc);
    }
    if (s->offer && s->sel < s->n)
        txn_refund_offer_draw(LINES - 6, &s->o[s->sel]);
}

static int
refunds_key(struct app *app, void *state, int key)
{
    struct refunds_state *s = state;

    if (s->offer) {
        struct txn_env env = refunds_env(app);
        s->offer = false;
        if (s->sel < s->n)
            txn_refund_answer(app, &env, &s->o[s->sel], key);
        refunds_load(app, s);
        return SCR_REDRAW;
    }
    switch (key) {
    case 27:
        return SCR_BACK;
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
        if (s->n > 0)
            s->offer = true;
        return SCR_REDRAW;
    default:
        return SCR_IGNORED;
    }
}

static void
refunds_free(void *state)
{
    free(state);
}

const struct screen screen_refunds = {
    .name = "refunds",
    .modes = MODE_W66,
    .init = refunds_init,
    .draw = refunds_draw,
    .key = refunds_key,
    .free = refunds_free,
};

/*
 * screens/resume.c - 未完成订单: find the unfinished (OPEN) order of an
 * operator by ID number, show where it stopped and the step it resumes at
 * (an order stopped at the PIN or while issuing resumes at "insert the
 * key"), and resume it (Enter: the transaction's screen opens at that
 * step) or cancel it (F8, confirmed with Y), where the kinds table lets this
 * counter (txn_order_rights). The ID number is masked once found. An order
 * started at another window is not shown: a counter is told where it is,
 * the self-service terminal nothing at all.
 *
 * An order number (as the receipt prints it) finds that order whatever its
 * state (issue 14): a finished one of this counter's has its receipt
 * printed again with P (audited); a finished or cancelled one is shown,
 * never resumed or cancelled.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/engine.h"
#include "kiosk/form.h"
#include "kiosk/ui.h"
#include "screens/screens.h"
#include "screens/txn.h"

static const struct txn_field resume_items[] = {
    { NULL, M_TXN_F_OPERATOR_ID, 18, FIELD_ASCII | FIELD_UPPER, true, NULL, NULL },
};

struct resume_state {
    struct form fm;
    bool found;
    bool confirm;               /* F8 pressed: Y cancels */
    bool offer_refund;          /* a paid order just cancelled: Y pays it back */
    bool closed;                /* found by its number, finished or cancelled */
    struct store_order o;
    struct txn t;               /* the order's values, for the summary */
    const struct txn_def *def;  /* its transaction, NULL when not built here */
    struct txn_order_rights rights; /* what this counter may do with it */
    struct txn_open open;       /* what the host is given to resume it */
    char note[256];
};

static void
resume_find(struct app *app, struct resume_state *s)
{
    int rc;

    s->found = false;
    s->note[0] = '\0';
    if (app->st == NULL) {
        snprintf(s->note, sizeof s->note, "%s", msg(M_TXN_DB_DOWN));
        return;
    }
    s->closed = false;
    rc = txn_find_order(app->st, form_text(&s->fm, 0), &s->o);
    if (rc == STORE_ERR_NOT_FOUND) {
        /* the terminal says the same whether or not a window has one */
        form_set_error(&s->fm, 0, msg(app->mode == MODE_SELF ? M_TXN_RESUME_NONE_SELF : M_TXN_RESUME_NONE));
        return;
    }
    if (rc != STORE_OK) {
        form_set_error(&s->fm, 0, msg(rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
        return;
    }
    txn_order_rights(&s->o, app->mode, app_mode_name(app->mode), &s->rights);
    if (s->rights.access == TXN_ACCESS_NONE) {
        /* the terminal learns nothing of an order started at a window */
        form_set_error(&s->fm, 0, msg(M_TXN_RESUME_NONE_SELF));
        memset(&s->o, 0, sizeof s->o);
        return;
    }
    if (s->rights.access == TXN_ACCESS_ELSEWHERE) {
        /* another counter's order: where it is, and nothing more */
        msg_fmt(s->note, sizeof s->note, M_TXN_RESUME_ELSEWHERE,
                msg(strcmp(s->o.window, "window66") == 0 ? M_TXN_WINDOW_66 :
                    strcmp(s->o.window, "window68") == 0 ? M_TXN_WINDOW_68 : M_TXN_WINDOW_SELF));
        memset(&s->o, 0, sizeof s->o);
        return;
    }
    if (s->o.state != ORDER_OPEN) {
        /* finished or cancelled: shown as it is, nothing to resume */
        s->closed = true;
        s->def = kind_parse(s->o.txn, &s->open.kind) == 0 ? txn_def_of(s->open.kind) : NULL;
        if (s->def != NULL) {
            txn_begin(&s->t, s->def, s->o.window, s->o.clerk);
            txn_data_decode(&s->t, s->o.data);
            s->t.order = s->o;
        }
        s->found = true;
        return;
    }
    /* where it resumes: the stored step, or its resume_at (a PIN is never stored) */
    s->def = kind_parse(s->o.txn, &s->open.kind) == 0 ? txn_def_of(s->open.kind) : NULL;
    s->open.order_id = s->o.id;
    if (s->def != NULL && txn_resume(&s->t, s->def, app->st, s->o.id) != STORE_OK) {
        txn_begin(&s->t, s->def, s->o.window, s->o.clerk);
        txn_data_decode(&s->t, s->o.data);
        s->t.order = s->o;
    }
    s->found = true;
}

static void *
resume_init(struct app *app, const void *arg)
{
    struct resume_state *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    form_init(&s->fm, resume_items, 1);
    if (arg != NULL) {
        field_set(&s->fm.f[0], (const char *)arg);
        resume_find(app, s);
    }
    return s;
}

static void
resume_draw(struct app *app, void *state)
{
    struct resume_state *s = state;
    static const enum msg_id labels[] = {
        M_TXN_ORDER_NUMBER, M_TXN_ORDER_TXN, M_TXN_ORDER_STEP, M_TXN_ORDER_RESUME_AT, M_TXN_F_COMPANY,
        M_TXN_F_OPERATOR_ID, M_TXN_ORDER_PAID,
    };
    int y = ui_frame(app, msg(M_TXN_RESUME_TITLE),
                     msg(!s->found ? M_TXN_HINTS_RESUME : s->closed ? M_TXN_HINTS_RESUME_CLOSED : M_TXN_HINTS_RESUME_FOUND));
    int lw = ui_label_width(labels, 7), idx;
    char masked[40], buf[256], a[32];

    curs_set(0);
    y++;
    if (!s->found) {
        /* the field under the whole intro, however many lines it wraps to */
        y += ui_wrap(y, 4, COLS - 8, TC_DIM, msg(M_TXN_RESUME_INTRO)) + 1;
        if (s->note[0])
            ui_wrap(y + 2, 4, COLS - 8, TC_WARN, s->note);
        form_draw(&s->fm, y, 4, 20);
        return;
    }
    ui_field(y++, 4, lw, msg(M_TXN_ORDER_NUMBER), TC_NORMAL, s->o.number);
    ui_field(y++, 4, lw, msg(M_TXN_ORDER_TXN), TC_NORMAL,
             kind_title_of(s->o.txn) ? kind_title_of(s->o.txn) : s->o.txn);
    idx = s->def != NULL ? txn_step_index(s->def, s->o.step) : -1;
    if (s->closed) {
        ui_field(y++, 4, lw, msg(M_TXN_ORDER_STEP), s->o.state == ORDER_DONE ? TC_OK : TC_WARN,
                 msg(s->o.state == ORDER_DONE ? M_MINE_DONE : M_MINE_CANCELLED));
    } else {
        ui_field(y++, 4, lw, msg(M_TXN_ORDER_STEP), TC_NORMAL, idx >= 0 ? msg(s->def->steps[idx].title) : s->o.step);
        if (s->def != NULL)
            ui_field(y++, 4, lw, msg(M_TXN_ORDER_RESUME_AT), TC_NORMAL, msg(txn_cur(&s->t)->title));
    }
    ui_field(y++, 4, lw, msg(M_TXN_F_COMPANY), TC_NORMAL, txn_get(&s->t, "company"));
    ui_field(y++, 4, lw, msg(M_TXN_F_OPERATOR_ID), TC_NORMAL, rules_mask_id(s->o.operator_id, masked, sizeof masked));
    rules_money_format(s->o.amount, a, sizeof a);
    msg_fmt(buf, sizeof buf, s->o.paid_at ? M_TXN_ORDER_PAID_YES : M_TXN_ORDER_PAID_NO, a,
            msg(txn_pay_method_msg(s->o.pay_method)));
    ui_field(y++, 4, lw, msg(M_TXN_ORDER_PAID), s->o.paid_at ? TC_OK : TC_NORMAL, buf);
    y++;
    if (s->offer_refund)
        txn_refund_offer_draw(y, &s->o);
    else if (s->confirm)
        ui_wrap(y, 4, COLS - 8, TC_WARN, msg(s->o.paid_at ? M_TXN_CANCEL_CONFIRM_PAID : M_TXN_CANCEL_CONFIRM));
    else if (s->note[0])
        ui_wrap(y, 4, COLS - 8, TC_WARN, s->note);
}

static int
resume_key(struct app *app, void *state, int key)
{
    struct resume_state *s = state;

    if (!s->found) {
        switch (form_key(&s->fm, key)) {
        case FORM_BACK:
            return SCR_BACK;
        case FORM_SUBMIT:
            resume_find(app, s);
            return SCR_REDRAW;
        case FORM_CHANGED:
            return SCR_REDRAW;
        default:
            return SCR_IGNORED;
        }
    }
    if (s->offer_refund) {
        struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st,
                               .printer = app->printer_worker, .window = app_mode_name(app->mode),
                               .clerk = app->ses.signed_in ? app->ses.login : "" };
        s->offer_refund = false;
        txn_refund_answer(app, &env, &s->o, key);
        return SCR_BACK;
    }
    if (s->confirm) {
        s->confirm = false;
        if (key == 'y' || key == 'Y') {
            struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st,
                                   .printer = app->printer_worker, .window = app_mode_name(app->mode),
                                   .clerk = app->ses.signed_in ? app->ses.login : "" };
            enum msg_id why;
            int rc;
            if (s->def == NULL || !s->rights.cancel) {
                snprintf(s->note, sizeof s->note, "%s", msg(s->def == NULL ? M_TXN_RESUME_OTHER_TXN : M_NOT_ALLOWED));
                return SCR_REDRAW;
            }
            rc = txn_cancel_checked(&s->t, &env, "cancelled on resume screen", &why);
            if (rc != STORE_OK) {
                snprintf(s->note, sizeof s->note, "%s", msg(why != 0 ? why : M_TXN_DB_ERROR));
                return SCR_REDRAW;
            }
            app_flash(app, msg(M_TXN_CANCELLED));
            /* money taken at a window is paid back there, now or later */
            if ((app->mode & MODE_CLERK) && s->o.paid_at != 0 && s->o.amount > 0) {
                s->offer_refund = true;
                return SCR_REDRAW;
            }
            return SCR_BACK;
        }
        return SCR_REDRAW;
    }
    if (s->closed) {
        struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st, .printer = app->printer_worker,
                               .window = app_mode_name(app->mode),
                               .clerk = app->ses.signed_in ? app->ses.login : "" };
        int rc;
        switch (key) {
        case 27:
            s->found = s->closed = false;
            return SCR_REDRAW;
        case 'p': case 'P':
            /* this counter's finished order: its receipt again */
            rc = s->o.state == ORDER_DONE && s->rights.access == TXN_ACCESS_HERE ? txn_order_reprint(&env, &s->o)
                                                                             : STORE_ERR_CONFLICT;
            snprintf(s->note, sizeof s->note, "%s", msg(rc == STORE_OK ? M_MINE_REPRINTED
                                                        : rc == STORE_ERR_CONFLICT ? M_MINE_NOT_DONE
                                                        : rc == STORE_ERR_NOT_FOUND ? M_MINE_NO_RECEIPT : M_TXN_DB_ERROR));
            return SCR_REDRAW;
        case '\r': case '\n': case KEY_ENTER: case KEY_F(8):
            snprintf(s->note, sizeof s->note, "%s", msg(M_MINE_CLOSED));
            return SCR_REDRAW;
        default:
            return SCR_IGNORED;
        }
    }
    switch (key) {
    case 27:
        s->found = false;
        return SCR_REDRAW;
    case KEY_F(8):
        s->confirm = true;
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        if (s->def == NULL || !s->rights.resume) {
            snprintf(s->note, sizeof s->note, "%s", msg(s->def == NULL ? M_TXN_RESUME_OTHER_TXN : M_NOT_ALLOWED));
            return SCR_REDRAW;
        }
        app->next = &screen_txn;
        app->next_arg = &s->open;
        return SCR_PUSH;
    default:
        return SCR_IGNORED;
    }
}

static void
resume_free(void *state)
{
    free(state);
}

const struct screen screen_resume = {
    .name = "resume",
    .modes = MODE_CLERK,    /* the terminal: 我的订单, by the key and its PIN (screens/myorders.c) */
    .init = resume_init,
    .draw = resume_draw,
    .key = resume_key,
    .free = resume_free,
};

/*
 * screens/txn_host.c - the one host screen that runs ANY transaction: the
 * engine's table of steps (kiosk/engine*.c) names a kind of page for each
 * step, and this host shows that page (host_pages), moves between steps
 * (txn_goto: the paid and no-back rules, the order saved), cancels with F8
 * (txn_cancel_checked: refused with the engine's reason when it may not) and
 * resumes an order where the engine says. Its argument is a struct
 * txn_open: the kind to start, or the order to resume. A kind that may not
 * run (or be resumed) in this counter mode is refused.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/screens.h"
#include "screens/txn.h"

/* One page per kind of page (kiosk/engine.h, enum txn_page). */
static const struct screen *const host_pages[PAGE__COUNT] = {
    [PAGE_FORM] = &page_form,
    [PAGE_CHOICE] = &page_choice,
    [PAGE_MATERIALS] = &page_materials,
    [PAGE_FEE] = &page_fee,
    [PAGE_PAY] = &page_pay,
    [PAGE_KEY] = &page_key,
    [PAGE_PIN] = &page_pin,
    [PAGE_RUN] = &page_run,
    [PAGE_DONE] = &page_done,
    [PAGE_CONFIRM] = &page_confirm,
    [PAGE_PICK] = &page_pick,
};

struct host_state {
    struct txn_ui ui;
    bool refused;             /* this mode may not run it: any key goes back */
    const struct screen *page;
    void *pstate;
    bool confirm_cancel;      /* F8 pressed: waiting for Y */
    bool offer_refund;        /* a paid order cancelled at a window: Y pays the money back now */
};


static void
host_open_page(struct app *app, struct host_state *s)
{
    if (s->page != NULL && s->page->free != NULL)
        s->page->free(s->pstate);
    s->page = host_pages[txn_cur(&s->ui.t)->page];
    s->pstate = s->page->init ? s->page->init(app, &s->ui) : NULL;
}

static void *
host_init(struct app *app, const void *arg)
{
    struct host_state *s = calloc(1, sizeof *s);
    const struct txn_open *open = arg;
    const struct txn_def *def = open != NULL ? txn_def_of(open->kind) : NULL;
    const struct kind_info *ki = open != NULL ? kind_info(open->kind) : NULL;

    if (s == NULL)
        return NULL;
    if (def == NULL || ((open->order_id ? ki->resume_modes : ki->modes) & app->mode) == 0) {
        /* not built, or not at this counter: nothing runs, any key goes back */
        s->refused = true;
        return s;
    }
    s->ui.env.cfg = &app->cfg;
    s->ui.env.tok = app->tok;
    s->ui.env.st = app->st;
    s->ui.env.window = app_mode_name(app->mode);
    s->ui.env.clerk = app->ses.signed_in ? app->ses.login : "";
    s->ui.env.printer = app->printer_worker;
    txn_begin(&s->ui.t, def, s->ui.env.window, s->ui.env.clerk);
    if (open->order_id != 0 && (app->st == NULL || txn_resume(&s->ui.t, def, app->st, open->order_id) != STORE_OK)) {
        app_flash(app, msg(M_TXN_RESUME_FAILED));
        txn_begin(&s->ui.t, def, s->ui.env.window, s->ui.env.clerk);
    }
    host_open_page(app, s);
    return s;
}

static void
host_draw(struct app *app, void *state)
{
    struct host_state *s = state;

    if (s->refused) {
        ui_frame(app, msg(M_NOT_ALLOWED), msg(M_TXN_HINTS_BACK));
        ui_center(LINES / 2, TC_WARN, msg(M_NOT_ALLOWED));
        return;
    }
    if (s->page->draw != NULL)
        s->page->draw(app, s->pstate);
    if (s->confirm_cancel) {
        curs_set(0);
        ui_text(LINES - 4, 2, COLS - 4, TC_WARN, msg(s->ui.t.order.paid_at ? M_TXN_CANCEL_CONFIRM_PAID : M_TXN_CANCEL_CONFIRM));
    }
    if (s->offer_refund) {
        curs_set(0);
        txn_refund_offer_draw(LINES - 6, &s->ui.t.order);
    }
}

/* Apply a page's TXN_* flags; returns the SCR_* flags left for the loop. */
static int
host_apply(struct app *app, struct host_state *s, int flags)
{
    int to = -1, rc;
    enum msg_id why;

    if (flags & TXN_NEXT)
        to = txn_step_after(&s->ui.t, &s->ui.env, s->ui.t.step, 1);
    else if (flags & TXN_PREV)
        to = txn_step_after(&s->ui.t, &s->ui.env, s->ui.t.step, -1);
    else if (flags & TXN_JUMP)
        to = s->ui.jump;
    flags &= ~(TXN_NEXT | TXN_PREV | TXN_JUMP);
    if (to < 0)
        return flags;
    if (to >= s->ui.t.def->nsteps)
        return flags | SCR_HOME;
    if ((why = txn_may_enter(&s->ui.t, to)) != 0) {
        app_flash(app, msg(why));
        return flags | SCR_REDRAW;
    }
    rc = txn_goto(&s->ui.t, app->st, to);
    if (rc != STORE_OK)
        app_flash(app, msg(txn_save_refused(&s->ui.t, app->st, rc)));
    host_open_page(app, s);
    return flags | SCR_REDRAW;
}

/* Anything the clerk typed into one of T's forms (a value read from a key
 * is read again, not lost)? */
static bool
host_typed(const struct txn *t)
{
    int i, j;

    for (i = 0; i < t->def->nsteps; i++) {
        const struct txn_form *f = t->def->steps[i].page == PAGE_FORM ? t->def->steps[i].form : NULL;
        for (j = 0; f != NULL && j < f->nfields; j++)
            if (f->fields[j].key != NULL && txn_get(t, f->fields[j].key)[0] != '\0')
                return true;
    }
    return false;
}

static int
host_key(struct app *app, void *state, int key)
{
    struct host_state *s = state;
    int flags;

    (void)key;
    if (s->refused)
        return SCR_BACK;
    if (s->offer_refund) {
        s->offer_refund = false;
        txn_refund_answer(app, &s->ui.env, &s->ui.t.order, key);
        return SCR_HOME;
    }
    if (s->confirm_cancel) {
        s->confirm_cancel = false;
        if (key == 'y' || key == 'Y') {
            enum msg_id why;
            int rc = txn_cancel_checked(&s->ui.t, &s->ui.env, "cancelled at the counter", &why);
            if (rc == STORE_ERR_CONFLICT && why != 0) {
                app_flash(app, msg(why));
                return SCR_REDRAW;
            }
            app_flash(app, msg(rc == STORE_OK ? M_TXN_CANCELLED : M_TXN_DB_ERROR));
            /* money taken at a window is paid back there, now or later */
            if (rc == STORE_OK && (app->mode & MODE_CLERK) && s->ui.t.order.paid_at != 0 && s->ui.t.order.amount > 0) {
                s->offer_refund = true;
                return SCR_REDRAW;
            }
            return SCR_HOME;
        }
        return SCR_REDRAW;
    }
    if (key == KEY_F(8) && txn_cur(&s->ui.t)->page != PAGE_DONE) {
        s->confirm_cancel = true;
        return SCR_REDRAW;
    }
    flags = s->page->key ? s->page->key(app, s->pstate, key) : SCR_IGNORED;
    if ((flags & TXN_PREV) && txn_step_after(&s->ui.t, &s->ui.env, s->ui.t.step, -1) < 0) {
        /* Esc on the first step leaves. At a window, what was typed and not
         * yet saved would be lost with it: it asks first, as F8 does (Y
         * leaves, any other key stays). A saved order stays resumable. */
        if ((app->mode & MODE_CLERK) && s->ui.t.order.id == 0 && host_typed(&s->ui.t)) {
            s->confirm_cancel = true;
            return SCR_REDRAW;
        }
        return SCR_BACK;
    }
    if ((flags & TXN_PREV) && (s->ui.t.def->steps[s->ui.t.step].flags & TXN_STEP_NOBACK)) {
        app_flash(app, msg(M_TXN_NO_BACK));
        return SCR_REDRAW;
    }
    return host_apply(app, s, flags);
}

static int
host_event(struct app *app, void *state, enum scr_event ev)
{
    struct host_state *s = state;
    int flags;

    if (s->refused)
        return SCR_IGNORED;
    flags = s->page->event ? s->page->event(app, s->pstate, ev) : SCR_IGNORED;
    return host_apply(app, s, flags);
}

static void
host_free(void *state)
{
    struct host_state *s = state;

    if (s == NULL)
        return;
    if (s->page != NULL && s->page->free != NULL)
        s->page->free(s->pstate);
    txn_pin_clear(&s->ui.t);
    memset(s, 0, sizeof *s);
    free(s);
}

const struct screen screen_txn = {
    .name = "txn",
    .modes = MODE_ALL,      /* which kinds run where: the kinds table (host_init) */
    .init = host_init,
    .draw = host_draw,
    .key = host_key,
    .event = host_event,
    .free = host_free,
};

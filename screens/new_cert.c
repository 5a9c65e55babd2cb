/*
 * screens/new_cert.c - 证书新办 at window 66: the step table of the
 * transaction and the host screen that runs its pages (see screens/txn.h).
 *
 * company -> operator -> kind/years -> materials -> fee (forms printed)
 * -> payment -> [paid] key -> PIN twice -> issue -> done (go to window 68).
 * The order is created when the operator's ID number is known (it is found
 * again by it) and saved at every step; an order interrupted during the PIN
 * or the issuing resumes at "insert the key" (a half-written key is wiped).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/screens.h"
#include "screens/txn.h"

static const struct txn_step new_cert_steps[] = {
    { .name = "company", .title = M_TXN_STEP_COMPANY, .scr = &page_new_company },
    { .name = "operator", .title = M_TXN_STEP_OPERATOR, .scr = &page_new_operator },
    { .name = "kind", .title = M_TXN_STEP_KIND, .scr = &page_new_kind },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .scr = &page_new_materials },
    { .name = "fee", .title = M_TXN_STEP_FEE, .scr = &page_new_fee },
    { .name = "pay", .title = M_TXN_STEP_PAY, .scr = &page_new_pay },
    { .name = "key", .title = M_TXN_STEP_KEY, .scr = &page_new_key, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
    { .name = "pin", .title = M_TXN_STEP_PIN, .scr = &page_new_pin, .flags = TXN_STEP_PAID, .resume_at = "key" },
    { .name = "issue", .title = M_TXN_STEP_ISSUE, .scr = &page_new_issue, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK, .resume_at = "key" },
    { .name = "done", .title = M_TXN_STEP_DONE, .scr = &page_new_done, .flags = TXN_STEP_PAID | TXN_STEP_NOBACK },
};

const struct txn_def txn_new_cert = {
    .code = "new",
    .title = M_TXN_NEW_TITLE,
    .steps = new_cert_steps,
    .nsteps = sizeof new_cert_steps / sizeof new_cert_steps[0],
    .records = txn_new_records,
    .resume_at = txn_new_resume_at,
    .may_cancel = txn_new_may_cancel,
    .on_cancel = txn_new_on_cancel,
};

struct host_state {
    struct txn_ui ui;
    const struct screen *page;
    void *pstate;
    bool confirm_cancel;      /* F8 pressed: waiting for Y */
};

int
txn_frame(struct app *app, struct txn_ui *ui, const char *hints)
{
    char title[256], num[64];

    snprintf(num, sizeof num, "%s", ui->t.order.number);
    msg_fmt(title, sizeof title, M_TXN_TITLE_FMT, msg(ui->t.def->title), ui->t.step + 1, ui->t.def->nsteps,
            msg(txn_cur(&ui->t)->title));
    if (num[0] != '\0') {
        size_t l = strlen(title);
        snprintf(title + l, sizeof title - l, " · %s", num);
    }
    curs_set(0);
    return ui_frame(app, title, hints);
}

static void
host_open_page(struct app *app, struct host_state *s)
{
    if (s->page != NULL && s->page->free != NULL)
        s->page->free(s->pstate);
    s->page = txn_cur(&s->ui.t)->scr;
    s->pstate = s->page->init ? s->page->init(app, &s->ui) : NULL;
}

static void *
host_init(struct app *app, const void *arg)
{
    struct host_state *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->ui.env.cfg = &app->cfg;
    s->ui.env.tok = app->tok;
    s->ui.env.st = app->st;
    s->ui.env.window = app_mode_name(app->mode);
    s->ui.env.clerk = app->ses.signed_in ? app->ses.login : "";
    s->ui.env.printer = app->printer_worker;
    txn_begin(&s->ui.t, &txn_new_cert, s->ui.env.window, s->ui.env.clerk);
    if (arg != NULL && (app->st == NULL || txn_resume(&s->ui.t, &txn_new_cert, app->st, *(const int64_t *)arg) != STORE_OK)) {
        app_flash(app, msg(M_TXN_RESUME_FAILED));
        txn_begin(&s->ui.t, &txn_new_cert, s->ui.env.window, s->ui.env.clerk);
    }
    host_open_page(app, s);
    return s;
}

static void
host_draw(struct app *app, void *state)
{
    struct host_state *s = state;

    if (s->page->draw != NULL)
        s->page->draw(app, s->pstate);
    if (s->confirm_cancel) {
        curs_set(0);
        ui_text(LINES - 4, 2, COLS - 4, TC_WARN, msg(s->ui.t.order.paid_at ? M_TXN_CANCEL_CONFIRM_PAID : M_TXN_CANCEL_CONFIRM));
    }
}

/* Apply a page's TXN_* flags; returns the SCR_* flags left for the loop. */
static int
host_apply(struct app *app, struct host_state *s, int flags)
{
    int to = -1, rc;
    enum msg_id why;

    if (flags & TXN_NEXT)
        to = s->ui.t.step + 1;
    else if (flags & TXN_PREV)
        to = s->ui.t.step - 1;
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
        app_flash(app, msg(rc == STORE_ERR_BUSY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
    host_open_page(app, s);
    return flags | SCR_REDRAW;
}

static int
host_key(struct app *app, void *state, int key)
{
    struct host_state *s = state;
    int flags;

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
            return SCR_HOME;
        }
        return SCR_REDRAW;
    }
    if (key == KEY_F(8) && txn_cur(&s->ui.t)->scr != &page_new_done) {
        s->confirm_cancel = true;
        return SCR_REDRAW;
    }
    flags = s->page->key ? s->page->key(app, s->pstate, key) : SCR_IGNORED;
    if ((flags & TXN_PREV) && s->ui.t.step == 0)
        return SCR_BACK;
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
    int flags = s->page->event ? s->page->event(app, s->pstate, ev) : SCR_IGNORED;

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

const struct screen screen_new_cert = {
    .name = "new_cert",
    .modes = MODE_W66,
    .init = host_init,
    .draw = host_draw,
    .key = host_key,
    .event = host_event,
    .free = host_free,
};

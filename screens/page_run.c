/*
 * screens/page_run.c - the run page (PAGE_RUN, paid): the paid work, one stage per
 * tick so the clerk sees the progress: wipe (if agreed) and initialise the
 * key with its diversified SO PIN and the user PIN -> key pair on the key,
 * CSR, CA signature in the HSM, certificate written, read back and
 * self-tested ("数字证书加解密测试成功") -> records -> receipt -> order
 * finished. The PIN is zeroed as soon as the key is written.
 *
 * A fault stops at its stage with a message: the key pulled
 * (TOK_ERR_REMOVED) or any token failure sends the clerk back to "insert
 * the key" (Enter; the half-written key is then wiped on confirmation); a
 * database fault is retried with R (the certificate is kept in memory);
 * a printer fault leaves the receipt queued. The order stays open and can
 * be resumed or cancelled throughout.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

/* What the page shows: the engine's stages, then the outcome. */
enum issue_view {
    IV_RUNNING = 0,     /* stages run one per tick */
    IV_DONE,            /* all done: Enter continues */
    IV_FAIL_TOKEN,      /* key trouble: Enter goes back to the key step */
    IV_FAIL_STORE,      /* records trouble: R retries */
    IV_REFUSED,         /* a records rule refuses it: F8 cancels */
};

static const enum msg_id issue_stage_msg[] = {
    [NS_INIT] = M_TXN_ISSUE_S_INIT, [NS_ISSUE] = M_TXN_ISSUE_S_ISSUE, [NS_RECORD] = M_TXN_ISSUE_S_RECORD,
    [NS_RECEIPT] = M_TXN_ISSUE_S_RECEIPT, [NS_FINISH] = M_TXN_ISSUE_S_FINISH,
};

struct issue_state {
    struct txn_ui *ui;
    enum issue_view view;
    bool started;               /* the first tick only draws */
    struct txn_run run;         /* the last stage run */
    bool receipt;               /* the receipt was queued in this visit */
};

static void *
issue_init(struct app *app, const void *arg)
{
    struct issue_state *s = calloc(1, sizeof *s);
    enum txn_new_stage st;

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    st = txn_new_stage(&s->ui->t);
    if ((st == NS_INIT || st == NS_ISSUE) && s->ui->t.pin[0] == '\0') {
        /* Resumed without a PIN (cannot happen through resume_at): back to the key. */
        s->view = IV_FAIL_TOKEN;
        s->run.tok_rc = TOK_ERR_INTERNAL;
    }
    return s;
}

static void
issue_run(struct issue_state *s)
{
    switch (txn_new_advance(&s->ui->t, &s->ui->env, &s->run)) {
    case RUN_OK:
        if (s->run.stage == NS_RECEIPT)
            s->receipt = true;
        s->view = IV_RUNNING;
        break;
    case RUN_DONE:
        s->view = IV_DONE;
        break;
    case RUN_TOKEN:
        s->view = IV_FAIL_TOKEN;
        break;
    case RUN_STORE:
        s->view = IV_FAIL_STORE;
        break;
    case RUN_REFUSED:
        s->view = IV_REFUSED;
        break;
    }
}

static void
issue_draw(struct app *app, void *state)
{
    struct issue_state *s = state;
    enum txn_new_stage cur = txn_new_stage(&s->ui->t);
    int y = txn_frame(app, s->ui, msg(s->view == IV_DONE ? M_TXN_HINTS_NEXT :
                                      s->view == IV_FAIL_TOKEN ? M_TXN_HINTS_ISSUE_FAIL :
                                      s->view == IV_FAIL_STORE ? M_TXN_HINTS_ISSUE_RETRY :
                                      s->view == IV_REFUSED ? M_TXN_HINTS_REFUSED : M_TXN_HINTS_WAIT));
    int i;
    char buf[512];

    y++;
    ui_text(y++, 4, COLS - 8, TC_NORMAL, txn_get(&s->ui->t, "company"));
    ui_text(y++, 4, COLS - 8, TC_DIM, txn_get(&s->ui->t, "key_serial"));
    y++;
    for (i = NS_INIT; i <= NS_FINISH; i++) {
        bool done = (int)cur > i;
        snprintf(buf, sizeof buf, "%s %s", done ? "[x]" : (i == (int)cur ? "[>]" : "[ ]"), msg(issue_stage_msg[i]));
        ui_text(y++, 6, COLS - 12, done ? TC_OK : TC_NORMAL, buf);
    }
    y++;
    if (cur > NS_ISSUE) {
        attron(A_BOLD);
        ui_text(y++, 4, COLS - 8, TC_OK, msg(M_TXN_SELFTEST_OK));
        attroff(A_BOLD);
    }
    if (s->receipt) {
        bool warn = s->run.note_warn || app->printer == SVC_DOWN;
        if (app->printer == SVC_DOWN && app->printer_queued > 0)
            msg_fmt(buf, sizeof buf, M_TXN_PRINT_WAITING, app->printer_queued);
        else
            snprintf(buf, sizeof buf, "%s", s->run.note[0] ? s->run.note : msg(M_TXN_RECEIPT_SENT));
        y += ui_wrap(y, 4, COLS - 8, warn ? TC_WARN : TC_DIM, buf);
    }
    if (s->view == IV_FAIL_TOKEN) {
        msg_fmt(buf, sizeof buf, M_TXN_ISSUE_FAILED, msg(txn_tok_msg(s->run.tok_rc)));
        attron(A_BOLD);
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, buf);
        attroff(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_DIM, msg(M_TXN_ISSUE_FAILED_HINT));
    } else if (s->view == IV_FAIL_STORE) {
        msg_fmt(buf, sizeof buf, cur >= NS_RECORD ? M_TXN_RECORD_FAILED : M_TXN_ISSUE_FAILED,
                msg(s->run.store_rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
        ui_wrap(y, 4, COLS - 8, TC_WARN, buf);
    } else if (s->view == IV_REFUSED) {
        msg_fmt(buf, sizeof buf, M_TXN_RECORD_REFUSED, msg(s->run.why));
        attron(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_WARN, buf);
        attroff(A_BOLD);
    }
}

static int
issue_event(struct app *app, void *state, enum scr_event ev)
{
    struct issue_state *s = state;

    (void)app;
    if (ev != EV_TICK)
        return SCR_IGNORED;
    if (s->view != IV_RUNNING)
        return s->receipt ? SCR_REDRAW : SCR_IGNORED; /* the printer's state may change */
    if (!s->started) {
        s->started = true;      /* shown once before any work */
        return SCR_REDRAW;
    }
    issue_run(s);
    return SCR_REDRAW;
}

static int
issue_key(struct app *app, void *state, int key)
{
    struct issue_state *s = state;
    bool enter = key == '\r' || key == '\n' || key == KEY_ENTER;

    (void)app;
    if (s->view == IV_DONE && enter)
        return TXN_NEXT;
    if (s->view == IV_FAIL_TOKEN && enter) {
        s->ui->jump = txn_step_index(s->ui->t.def, "key");
        return TXN_JUMP;
    }
    if (s->view == IV_FAIL_STORE && (key == 'r' || key == 'R')) {
        issue_run(s);
        return SCR_REDRAW;
    }
    return SCR_IGNORED;
}
static void
issue_free(void *state)
{
    free(state);
}

const struct screen page_run = {
    .name = "page_run",
    .modes = MODE_ALL,
    .init = issue_init,
    .draw = issue_draw,
    .key = issue_key,
    .event = issue_event,
    .free = issue_free,
};

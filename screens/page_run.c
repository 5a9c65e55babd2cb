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

struct issue_state {
    struct txn_ui *ui;
    enum issue_view view;
    bool started;               /* the first tick only draws */
    const struct txn_step *step; /* the step whose stages run here */
    struct txn_run run;         /* the last stage run */
    char note[256];             /* a stage's note in this visit (e.g. the receipt), "" none */
    bool note_warn;
};

static void *
issue_init(struct app *app, const void *arg)
{
    struct issue_state *s = calloc(1, sizeof *s);
    int next;

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->step = txn_cur(&s->ui->t);
    next = txn_stage_next(&s->ui->t);
    if (next < s->step->nstages && s->step->stages[next]->needs_pin && s->ui->t.pin[0] == '\0' &&
        s->ui->t.pin_old[0] == '\0') {
        /* Resumed without a PIN (cannot happen through resume_at): back to the key. */
        s->view = IV_FAIL_TOKEN;
        s->run.tok_rc = TOK_ERR_INTERNAL;
    }
    return s;
}

static void
issue_run(struct issue_state *s)
{
    enum txn_run_result res = txn_advance(&s->ui->t, &s->ui->env, &s->run);

    if (s->run.note[0] != '\0') {
        /* keep a stage's note (e.g. the receipt) on screen */
        snprintf(s->note, sizeof s->note, "%s", s->run.note);
        s->note_warn = s->run.note_warn;
    }
    switch (res) {
    case RUN_OK:
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
    const struct txn_step *st = s->step;
    int cur = txn_stage_next(&s->ui->t);
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
    for (i = 0; i < st->nstages; i++) {
        bool done = cur > i;
        snprintf(buf, sizeof buf, "%s %s", done ? "[x]" : (i == cur ? "[>]" : "[ ]"), msg(st->stages[i]->title));
        ui_text(y++, 6, COLS - 12, done ? TC_OK : TC_NORMAL, buf);
    }
    y++;
    for (i = 0; i < st->nstages && i < cur; i++)
        if (st->stages[i]->done_note != 0) {
            attron(A_BOLD);
            ui_text(y++, 4, COLS - 8, TC_OK, msg(st->stages[i]->done_note));
            attroff(A_BOLD);
        }
    if (s->note[0] != '\0') {
        /* a paper queued: say so as the print worker sees the printer */
        bool warn = s->note_warn || app->printer == SVC_DOWN;
        if (app->printer == SVC_DOWN && app->printer_queued > 0)
            msg_fmt(buf, sizeof buf, M_TXN_PRINT_WAITING, app->printer_queued);
        else
            snprintf(buf, sizeof buf, "%s", s->note);
        y += ui_wrap(y, 4, COLS - 8, warn ? TC_WARN : TC_DIM, buf);
    }
    if (s->view == IV_FAIL_TOKEN) {
        msg_fmt(buf, sizeof buf, M_TXN_ISSUE_FAILED, msg(txn_tok_msg(s->run.tok_rc)));
        attron(A_BOLD);
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, buf);
        attroff(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_DIM, msg(M_TXN_ISSUE_FAILED_HINT));
    } else if (s->view == IV_FAIL_STORE) {
        enum msg_id tpl = cur < st->nstages && st->stages[cur]->store_fail_msg ? st->stages[cur]->store_fail_msg
                                                                               : M_TXN_ISSUE_FAILED;
        msg_fmt(buf, sizeof buf, tpl, msg(s->run.store_rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
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
        return s->note[0] ? SCR_REDRAW : SCR_IGNORED; /* the printer's state may change */
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
        int cur = txn_stage_next(&s->ui->t);
        const char *back = cur < s->step->nstages ? s->step->stages[cur]->on_key_fail : NULL;
        s->ui->jump = txn_step_index(s->ui->t.def, back != NULL ? back : "key");
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

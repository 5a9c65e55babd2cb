/*
 * screens/new_issue.c - 证书新办, step 9 (paid): issuing, one stage per
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

enum issue_stage {
    IS_START = 0,   /* shown once before any work */
    IS_INIT,        /* initialise the key */
    IS_ISSUE,       /* key pair, certificate, self-test */
    IS_RECORD,      /* records */
    IS_RECEIPT,     /* receipt */
    IS_FINISH,      /* order done */
    IS_DONE,        /* all done: Enter continues */
    IS_FAIL_TOKEN,  /* token failure: Enter goes back to the key step */
    IS_FAIL_STORE,  /* records failure: R retries */
};

static const enum msg_id issue_stage_msg[] = {
    M_TXN_ISSUE_S_INIT, M_TXN_ISSUE_S_INIT, M_TXN_ISSUE_S_ISSUE, M_TXN_ISSUE_S_RECORD,
    M_TXN_ISSUE_S_RECEIPT, M_TXN_ISSUE_S_FINISH,
};

struct issue_state {
    struct txn_ui *ui;
    enum issue_stage stage;
    int fail_rc;
    char note[256];             /* receipt note, failure detail */
    bool note_warn;             /* the receipt did not print (queued) */
};

static void *
issue_init(struct app *app, const void *arg)
{
    struct issue_state *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->stage = IS_START;
    if (s->ui->t.pin[0] == '\0') {
        /* Resumed without a PIN (cannot happen through resume_at): back to the key. */
        s->stage = IS_FAIL_TOKEN;
        s->fail_rc = TOK_ERR_INTERNAL;
    } else {
        txn_set_int(&s->ui->t, "issuing", 1);
        (void)txn_save(&s->ui->t, app->st);
    }
    return s;
}

static void
issue_run(struct app *app, struct issue_state *s)
{
    struct txn *t = &s->ui->t;
    int rc;

    switch (s->stage) {
    case IS_START:
        s->stage = IS_INIT;
        break;
    case IS_INIT:
        rc = txn_new_init_key(t, &s->ui->env, txn_get_int(t, "wipe", 0) != 0);
        if (rc != TOK_OK) {
            txn_pin_clear(t);
            s->fail_rc = rc;
            s->stage = IS_FAIL_TOKEN;
        } else {
            s->stage = IS_ISSUE;
        }
        break;
    case IS_ISSUE:
        rc = txn_new_issue(t, &s->ui->env);
        txn_pin_clear(t);
        if (rc != TOK_OK) {
            s->fail_rc = rc;
            s->stage = IS_FAIL_TOKEN;
            /* the key may now hold our half-written objects: wipe on retry */
            txn_set_int(t, "wipe", 1);
            (void)txn_save(t, app->st);
        } else {
            s->stage = IS_RECORD;
        }
        break;
    case IS_RECORD:
    case IS_FAIL_STORE:
        rc = txn_new_record(t, &s->ui->env);
        if (rc != STORE_OK) {
            s->fail_rc = rc;
            s->stage = IS_FAIL_STORE;
        } else {
            s->stage = IS_RECEIPT;
        }
        break;
    case IS_RECEIPT:
        s->note[0] = '\0';
        s->note_warn = txn_new_print_receipt(t, &s->ui->env, s->note, sizeof s->note) != 0;
        if (!s->note_warn)
            snprintf(s->note, sizeof s->note, "%s", msg(M_TXN_RECEIPT_PRINTED));
        s->stage = IS_FINISH;
        break;
    case IS_FINISH:
        rc = txn_finish(t, app->st);
        if (rc != STORE_OK) {
            s->fail_rc = rc;
            s->stage = IS_FAIL_STORE;
        } else {
            s->stage = IS_DONE;
        }
        break;
    default:
        break;
    }
}

static void
issue_draw(struct app *app, void *state)
{
    struct issue_state *s = state;
    int y = txn_frame(app, s->ui, msg(s->stage == IS_DONE ? M_TXN_HINTS_NEXT :
                                      s->stage == IS_FAIL_TOKEN ? M_TXN_HINTS_ISSUE_FAIL :
                                      s->stage == IS_FAIL_STORE ? M_TXN_HINTS_ISSUE_RETRY : M_TXN_HINTS_WAIT));
    int i, last = s->stage <= IS_FINISH ? (int)s->stage : -1;
    char buf[512];

    y++;
    ui_text(y++, 4, COLS - 8, TC_NORMAL, txn_get(&s->ui->t, "company"));
    ui_text(y++, 4, COLS - 8, TC_DIM, txn_get(&s->ui->t, "key_serial"));
    y++;
    for (i = IS_INIT; i <= IS_FINISH; i++) {
        bool done = s->stage == IS_DONE || (last >= 0 && i < last) ||
                    (s->stage == IS_FAIL_STORE && i < IS_RECORD);
        snprintf(buf, sizeof buf, "%s %s", done ? "[x]" : (i == last ? "[>]" : "[ ]"), msg(issue_stage_msg[i]));
        ui_text(y++, 6, COLS - 12, done ? TC_OK : TC_NORMAL, buf);
    }
    y++;
    if (s->stage == IS_DONE || (s->stage >= IS_RECORD && s->stage <= IS_FINISH) || s->stage == IS_FAIL_STORE) {
        attron(A_BOLD);
        ui_text(y++, 4, COLS - 8, TC_OK, msg(M_TXN_SELFTEST_OK));
        attroff(A_BOLD);
    }
    if (s->note[0] != '\0')
        y += ui_wrap(y, 4, COLS - 8, s->note_warn ? TC_WARN : TC_DIM, s->note);
    if (s->stage == IS_FAIL_TOKEN) {
        msg_fmt(buf, sizeof buf, M_TXN_ISSUE_FAILED, msg(tok_msg(s->fail_rc)));
        attron(A_BOLD);
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, buf);
        attroff(A_BOLD);
        ui_wrap(y, 4, COLS - 8, TC_DIM, msg(M_TXN_ISSUE_FAILED_HINT));
    } else if (s->stage == IS_FAIL_STORE) {
        msg_fmt(buf, sizeof buf, M_TXN_RECORD_FAILED, msg(s->fail_rc == STORE_ERR_BUSY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
        ui_wrap(y, 4, COLS - 8, TC_WARN, buf);
    }
}

static int
issue_event(struct app *app, void *state, enum scr_event ev)
{
    struct issue_state *s = state;

    if (ev != EV_TICK || s->stage > IS_FINISH)
        return SCR_IGNORED;
    issue_run(app, s);
    return SCR_REDRAW;
}

static int
issue_key(struct app *app, void *state, int key)
{
    struct issue_state *s = state;
    bool enter = key == '\r' || key == '\n' || key == KEY_ENTER;

    if (s->stage == IS_DONE && enter)
        return TXN_NEXT;
    if (s->stage == IS_FAIL_TOKEN && enter) {
        s->ui->jump = txn_step_index(s->ui->t.def, "key");
        return TXN_JUMP;
    }
    if (s->stage == IS_FAIL_STORE && (key == 'r' || key == 'R')) {
        issue_run(app, s);
        return SCR_REDRAW;
    }
    return SCR_IGNORED;
}

static void
issue_free(void *state)
{
    free(state);
}

const struct screen page_new_issue = {
    .name = "new_issue",
    .modes = MODE_W66,
    .init = issue_init,
    .draw = issue_draw,
    .key = issue_key,
    .event = issue_event,
    .free = issue_free,
};

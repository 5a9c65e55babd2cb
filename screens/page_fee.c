/*
 * screens/page_fee.c - the fee page (PAGE_FEE): the quote from the CA profile (the kind's fee rule)
 * and the term, and the papers to sign: the application form (copies from
 * the profile) and the seal-sampling sheet are printed here, through the
 * outbox, once per order (P prints them again); the print worker sends
 * them, and the note follows its view of the printer. Enter means the clerk has
 * the signed and stamped papers back; payment follows.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/rules.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

struct fee_state {
    struct txn_ui *ui;
    struct rules_quote q;
    bool quoted;                /* the quote holds (else Enter waits) */
    char why[256];              /* the def's word on the quote (a free replacement ...) */
    char print_note[600];       /* what happened to the papers */
    bool stale;                 /* printed again: the old ones withdrawn (print_note says so) */
    bool print_ok;
};

static void
fee_print(struct app *app, struct fee_state *s)
{
    char err[256] = "";

    s->print_ok = txn_new_print_forms(&s->ui->t, &s->ui->env, err, sizeof err) == 0;
    if (s->print_ok)
        msg_fmt(s->print_note, sizeof s->print_note, M_TXN_FORMS_PRINTED, cfg_profile(&app->cfg)->form_copies);
    else
        msg_fmt(s->print_note, sizeof s->print_note, M_TXN_FORMS_QUEUED, err);
}

static void *
fee_init(struct app *app, const void *arg)
{
    struct fee_state *s = calloc(1, sizeof *s);
    const struct cfg_profile *p = cfg_profile(&app->cfg);

    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    if ((s->quoted = txn_quote(&s->ui->t, &s->ui->env, &s->q, s->why, sizeof s->why) == RULES_OK))
        (void)txn_save(&s->ui->t, app->st);
    if (txn_cur(&s->ui->t)->flags & TXN_STEP_NO_PAPERS) {
        s->print_ok = true;     /* nothing to sign: nothing printed */
        snprintf(s->print_note, sizeof s->print_note, "%s", msg(M_SELF_FEE_NOTE));
    } else if (txn_forms_stale(&s->ui->t, &s->ui->env)) {
        /* gone back and changed what the papers say: they are printed again, the old ones withdrawn */
        char err[256], a[256], b[256];
        int withdrawn = 0;
        s->print_ok = txn_new_reprint_stale_forms(&s->ui->t, &s->ui->env, &withdrawn, err, sizeof err) == 0;
        msg_fmt(a, sizeof a, M_TXN_FORMS_STALE, p->form_copies);
        if (withdrawn > 0)
            msg_fmt(b, sizeof b, M_TXN_FORMS_WITHDRAW, withdrawn);
        else
            snprintf(b, sizeof b, "%s", msg(M_TXN_FORMS_RECALLED));
        if (s->print_ok)
            msg_fmt(s->print_note, sizeof s->print_note, M_TXN_FORMS_STALE_NOTE, a, b);
        else
            msg_fmt(s->print_note, sizeof s->print_note, M_TXN_FORMS_QUEUED, err);
        s->stale = true;
    } else if (txn_get_int(&s->ui->t, "forms_printed", 0)) {
        msg_fmt(s->print_note, sizeof s->print_note, M_TXN_FORMS_PRINTED, p->form_copies);
        s->print_ok = true;
    } else
        fee_print(app, s);
    return s;
}

static void
fee_draw(struct app *app, void *state)
{
    struct fee_state *s = state;
    int y = txn_frame(app, s->ui, msg(txn_cur(&s->ui->t)->flags & TXN_STEP_NO_PAPERS ? M_TXN_HINTS_FEE_SELF : M_TXN_HINTS_FEE)), i;
    char line[512], a[32], u[32];

    ui_text(y++, 4, COLS - 8, TC_NORMAL, txn_get(&s->ui->t, "company"));
    y++;
    for (i = 0; i < s->q.nlines; i++) {
        rules_money_format(s->q.lines[i].unit, u, sizeof u);
        rules_money_format(s->q.lines[i].amount, a, sizeof a);
        msg_fmt(line, sizeof line, M_TXN_FEE_LINE, msg(s->q.lines[i].label), u, s->q.lines[i].qty, a);
        ui_text(y++, 6, COLS - 12, TC_NORMAL, line);
    }
    rules_money_format(s->q.total, a, sizeof a);
    msg_fmt(line, sizeof line, M_TXN_FEE_TOTAL, a);
    attron(A_BOLD);
    ui_text(++y, 6, COLS - 12, TC_OK, line);
    attroff(A_BOLD);
    y += 2;
    if (s->why[0] != '\0')
        y += ui_wrap(y, 6, COLS - 12, TC_NORMAL, s->why) + 1;
    if (txn_cur(&s->ui->t)->flags & TXN_STEP_NO_PAPERS) {
        ui_wrap(y, 4, COLS - 8, TC_NORMAL, s->print_note);
        return;
    }
    if (s->print_ok && app->printer == SVC_DOWN) {
        /* queued for the worker, and the worker cannot reach the printer */
        char why[256];
        if (app->printer_queued > 0)
            msg_fmt(why, sizeof why, M_TXN_PRINT_WAITING, app->printer_queued);
        else
            snprintf(why, sizeof why, "%s", msg(M_TXN_PRINT_QUEUED));
        msg_fmt(line, sizeof line, M_TXN_FORMS_QUEUED, why);
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, line);
    } else {
        y += ui_wrap(y, 4, COLS - 8, s->print_ok && !s->stale ? TC_NORMAL : TC_WARN, s->print_note);
    }
    /* papers still waiting for the printer cannot be signed yet */
    ui_wrap(y + 1, 4, COLS - 8, TC_DIM, msg(s->print_ok && app->printer != SVC_DOWN ? M_TXN_FORMS_SIGN
                                                                               : M_TXN_FORMS_SIGN_LATER));
}

static int
fee_key(struct app *app, void *state, int key)
{
    struct fee_state *s = state;

    switch (key) {
    case 27:
        return TXN_PREV;
    case 'p': case 'P':
        if (txn_cur(&s->ui->t)->flags & TXN_STEP_NO_PAPERS)
            return SCR_IGNORED;
        txn_set_int(&s->ui->t, "forms_printed", 0);
        fee_print(app, s);
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        return s->quoted ? TXN_NEXT : SCR_IGNORED;
    default:
        return SCR_IGNORED;
    }
}

static int
fee_event(struct app *app, void *state, enum scr_event ev)
{
    (void)app;
    (void)state;
    return ev == EV_TICK ? SCR_REDRAW : SCR_IGNORED; /* the printer's state may change */
}

static void
fee_free(void *state)
{
    free(state);
}

const struct screen page_fee = {
    .name = "page_fee",
    .modes = MODE_ALL,
    .init = fee_init,
    .draw = fee_draw,
    .key = fee_key,
    .event = fee_event,
    .free = fee_free,
};

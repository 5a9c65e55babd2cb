/*
 * screens/new_company.c - 证书新办, step 1: the company (单位信息), as on
 * the application form of seed 002 annex 1. The USCC is checked with its
 * check characters, then against the records: one certificate per
 * enterprise (a company holding an active one is sent to renewal or
 * replacement).
 */
#include <curses.h>
#include <stdlib.h>

#include "kiosk/form.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

static const struct form_item company_items[] = {
    { "company", M_TXN_F_COMPANY, 60, 0, true, NULL },
    { "uscc", M_TXN_F_USCC, 18, FIELD_ASCII | FIELD_UPPER, true, rules_uscc },
    { "legal_rep", M_TXN_F_LEGAL_REP, 30, 0, true, NULL },
    { "company_phone", M_TXN_F_COMPANY_PHONE, 20, FIELD_ASCII, true, NULL },
    { "office_phone", M_TXN_F_OFFICE_PHONE, 20, FIELD_ASCII, false, NULL },
    { "website", M_TXN_F_WEBSITE, 80, FIELD_ASCII, false, NULL },
    { "address", M_TXN_F_ADDRESS, 100, 0, true, NULL },
};

struct company_state {
    struct txn_ui *ui;
    struct form fm;
};

static void *
company_init(struct app *app, const void *arg)
{
    struct company_state *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    form_init(&s->fm, company_items, sizeof company_items / sizeof company_items[0]);
    form_load(&s->fm, &s->ui->t);
    return s;
}

static void
company_draw(struct app *app, void *state)
{
    struct company_state *s = state;
    int y = txn_frame(app, s->ui, msg(M_TXN_HINTS_FORM));

    ui_text(y, 2, COLS - 4, TC_DIM, msg(M_TXN_COMPANY_INTRO));
    form_draw(&s->fm, y + 2, 2, 30);
}

static int
company_key(struct app *app, void *state, int key)
{
    struct company_state *s = state;
    enum msg_id why;

    switch (form_key(&s->fm, key)) {
    case FORM_BACK:
        form_store(&s->fm, &s->ui->t);
        return TXN_PREV;
    case FORM_SUBMIT:
        form_store(&s->fm, &s->ui->t);
        if ((why = txn_new_check_uscc(app->st, txn_get(&s->ui->t, "uscc"))) != 0) {
            form_set_error(&s->fm, form_index(&s->fm, "uscc"), msg(why));
            return SCR_REDRAW;
        }
        return TXN_NEXT;
    case FORM_CHANGED:
        return SCR_REDRAW;
    default:
        return SCR_IGNORED;
    }
}

static void
company_free(void *state)
{
    free(state);
}

const struct screen page_new_company = {
    .name = "new_company",
    .modes = MODE_W66,
    .init = company_init,
    .draw = company_draw,
    .key = company_key,
    .free = company_free,
};

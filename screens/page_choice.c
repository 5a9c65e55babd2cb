/*
 * screens/page_choice.c - the choice page (PAGE_CHOICE): the certificate kind (unit
 * certificate with seal / legal-person certificate with seal, seed 000) and
 * the term in years (the profile's default first, 1..max_years).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

struct kind_state {
    struct txn_ui *ui;
    int row;                    /* 0 kind, 1 years */
    bool legal;
    int years;
};

static void *
kind_init(struct app *app, const void *arg)
{
    struct kind_state *s = calloc(1, sizeof *s);
    const struct cfg_profile *p = cfg_profile(&app->cfg);

    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->legal = strcmp(txn_get(&s->ui->t, "kind"), "legal") == 0;
    s->years = txn_get_int(&s->ui->t, "years", p->default_years);
    if (s->years < 1 || s->years > p->max_years)
        s->years = p->default_years;
    return s;
}

static void
kind_draw(struct app *app, void *state)
{
    struct kind_state *s = state;
    static const enum msg_id labels[] = { M_TXN_KIND, M_TXN_YEARS };
    int y = txn_frame(app, s->ui, msg(M_TXN_HINTS_KIND));
    int lw = ui_label_width(labels, 2);
    char buf[128];

    y++;
    ui_text(y, 4, lw, s->row == 0 ? TC_NORMAL : TC_DIM, msg(M_TXN_KIND));
    {
        /* the two kinds side by side when they fit, else one under the other */
        int wu = ui_width(msg(M_TXN_KIND_UNIT)), wl = ui_width(msg(M_TXN_KIND_LEGAL));
        int gap = wu + 4 > 26 ? wu + 4 : 26;
        if (4 + lw + gap + wl <= COLS - 2) {
            ui_text(y, 4 + lw, gap, !s->legal ? TC_SELECT : TC_NORMAL, msg(M_TXN_KIND_UNIT));
            ui_text(y, 4 + lw + gap, COLS - 2 - (4 + lw + gap), s->legal ? TC_SELECT : TC_NORMAL, msg(M_TXN_KIND_LEGAL));
        } else {
            ui_text(y, 4 + lw, COLS - 2 - (4 + lw), !s->legal ? TC_SELECT : TC_NORMAL, msg(M_TXN_KIND_UNIT));
            y++;
            ui_text(y, 4 + lw, COLS - 2 - (4 + lw), s->legal ? TC_SELECT : TC_NORMAL, msg(M_TXN_KIND_LEGAL));
        }
    }
    y += 2;
    ui_text(y, 4, lw, s->row == 1 ? TC_NORMAL : TC_DIM, msg(M_TXN_YEARS));
    msg_fmt(buf, sizeof buf, M_TXN_YEARS_FMT, s->years, cfg_profile(&app->cfg)->max_years);
    ui_text(y, 4 + lw, COLS - 8 - lw, TC_SELECT, buf);
    y += 2;
    ui_wrap(y, 4, COLS - 8, TC_DIM, msg(s->legal ? M_TXN_KIND_LEGAL_NOTE : M_TXN_KIND_UNIT_NOTE));
}

static void
kind_store(struct kind_state *s)
{
    txn_set(&s->ui->t, "kind", s->legal ? "legal" : "unit");
    txn_set_int(&s->ui->t, "years", s->years);
}

static int
kind_key(struct app *app, void *state, int key)
{
    struct kind_state *s = state;
    int max = cfg_profile(&app->cfg)->max_years;

    switch (key) {
    case 27:
        kind_store(s);
        return TXN_PREV;
    case KEY_UP: case KEY_DOWN: case '\t':
        s->row = !s->row;
        return SCR_REDRAW;
    case KEY_LEFT: case '-':
        if (s->row == 0)
            s->legal = !s->legal;
        else if (s->years > 1)
            s->years--;
        return SCR_REDRAW;
    case KEY_RIGHT: case '+': case ' ':
        if (s->row == 0)
            s->legal = !s->legal;
        else if (s->years < max)
            s->years++;
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        kind_store(s);
        return TXN_NEXT;
    default:
        if (s->row == 1 && key >= '1' && key <= '9' && key - '0' <= max) {
            s->years = key - '0';
            return SCR_REDRAW;
        }
        return SCR_IGNORED;
    }
}

static void
kind_free(void *state)
{
    free(state);
}

const struct screen page_choice = {
    .name = "page_choice",
    .modes = MODE_ALL,
    .init = kind_init,
    .draw = kind_draw,
    .key = kind_key,
    .free = kind_free,
};

/*
 * screens/page_pick.c - one answer of a short list (PAGE_PICK, struct
 * txn_pick): the fault of a damaged key, a revocation's reason ... The
 * options are numbered; a digit or the arrows choose, Enter goes on with
 * the one chosen (kept in the order's values as KEY = 1..n, so the page
 * opens on it again when Esc comes back to it). Nothing chosen: Enter says so.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

struct pick_state {
    struct txn_ui *ui;
    const struct txn_pick *p;
    int sel;                    /* 0-based, -1 none yet */
    bool nag;                   /* Enter with nothing chosen */
};

static void *
pick_init(struct app *app, const void *arg)
{
    struct pick_state *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->p = txn_cur(&s->ui->t)->pick;
    s->sel = s->p != NULL ? txn_get_int(&s->ui->t, s->p->key, 0) - 1 : -1;
    if (s->p == NULL || s->sel >= s->p->noptions)
        s->sel = -1;
    return s;
}

static void
pick_draw(struct app *app, void *state)
{
    struct pick_state *s = state;
    int y = txn_frame(app, s->ui, msg(M_PICK_HINTS)), i;
    char line[512];

    if (s->p == NULL)
        return;
    y++;
    if (s->p->nrows > 0)
        y += txn_draw_rows(y, &s->ui->t, s->p->rows, s->p->nrows) + 1;
    attron(A_BOLD);
    y += ui_wrap(y, 4, COLS - 8, TC_NORMAL, msg(s->p->question));
    attroff(A_BOLD);
    y++;
    for (i = 0; i < s->p->noptions; i++) {
        /* the number, then the option wrapped under its own text */
        snprintf(line, sizeof line, "%s %d.", i == s->sel ? ">" : " ", i + 1);
        ui_text(y, 4, 6, i == s->sel ? TC_SELECT : TC_NORMAL, line);
        y += ui_wrap(y, 4 + (int)strlen(line) + 1, COLS - 9 - (int)strlen(line), i == s->sel ? TC_SELECT : TC_NORMAL,
                     msg(s->p->options[i]));
    }
    if (s->nag)
        ui_wrap(y + 1, 4, COLS - 8, TC_WARN, msg(M_PICK_NONE));
}

static int
pick_key(struct app *app, void *state, int key)
{
    struct pick_state *s = state;

    (void)app;
    if (s->p == NULL)
        return key == 27 ? TXN_PREV : SCR_IGNORED;
    if (key >= '1' && key <= '9' && key - '1' < s->p->noptions) {
        s->sel = key - '1';
        s->nag = false;
        txn_set_int(&s->ui->t, s->p->key, s->sel + 1);
        return SCR_REDRAW;
    }
    switch (key) {
    case 27:
        return TXN_PREV;
    case KEY_UP:
        s->sel = s->sel <= 0 ? s->p->noptions - 1 : s->sel - 1;
        break;
    case KEY_DOWN:
        s->sel = s->sel < 0 || s->sel >= s->p->noptions - 1 ? 0 : s->sel + 1;
        break;
    case '\r': case '\n': case KEY_ENTER:
        if (s->sel < 0) {
            s->nag = true;
            return SCR_REDRAW;
        }
        txn_set_int(&s->ui->t, s->p->key, s->sel + 1);
        return TXN_NEXT;
    default:
        return SCR_IGNORED;
    }
    s->nag = false;
    txn_set_int(&s->ui->t, s->p->key, s->sel + 1);
    return SCR_REDRAW;
}

static void
pick_free(void *state)
{
    free(state);
}

const struct screen page_pick = {
    .name = "page_pick",
    .modes = MODE_ALL,
    .init = pick_init,
    .draw = pick_draw,
    .key = pick_key,
    .free = pick_free,
};

/*
 * screens/page_materials.c - the materials page (PAGE_MATERIALS): the paper
 * materials of the step (struct txn_mat, kiosk/engine.h) the clerk checks;
 * every item must be ticked before going on.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

#define MAT_MAX 16

struct mat_state {
    struct txn_ui *ui;
    const struct txn_mat *items;    /* the step's materials (kiosk/engine.h) */
    int n;
    int sel;
    bool ticked[MAT_MAX];
    bool error;
};

static void *
mat_init(struct app *app, const void *arg)
{
    struct mat_state *s = calloc(1, sizeof *s);
    int i;

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->items = txn_cur(&s->ui->t)->materials;
    s->n = txn_cur(&s->ui->t)->nmaterials < MAT_MAX ? txn_cur(&s->ui->t)->nmaterials : MAT_MAX;
    for (i = 0; i < s->n; i++)
        s->ticked[i] = txn_get_int(&s->ui->t, s->items[i].key, 0) != 0;
    return s;
}

static void
mat_draw(struct app *app, void *state)
{
    struct mat_state *s = state;
    int y = txn_frame(app, s->ui, msg(M_TXN_HINTS_MATERIALS)), i;
    char line[512];

    ui_text(y++, 2, COLS - 4, TC_DIM, msg(M_TXN_MAT_INTRO));
    y++;
    for (i = 0; i < s->n; i++) {
        snprintf(line, sizeof line, "[%s] %d. %s", s->ticked[i] ? "x" : " ", i + 1, msg(s->items[i].label));
        ui_text(y + i, 4, COLS - 8, i == s->sel ? TC_SELECT : TC_NORMAL, line);
    }
    if (s->error)
        ui_text(y + s->n + 1, 4, COLS - 8, TC_ERROR, msg(M_TXN_MAT_MISSING));
}

static void
mat_store(struct mat_state *s)
{
    int i;

    for (i = 0; i < s->n; i++)
        txn_set_int(&s->ui->t, s->items[i].key, s->ticked[i]);
}

static int
mat_key(struct app *app, void *state, int key)
{
    struct mat_state *s = state;
    int i;

    (void)app;
    switch (key) {
    case 27:
        mat_store(s);
        return TXN_PREV;
    case KEY_UP:
    case KEY_DOWN:
    case '\t':
        ui_list_move(&s->sel, s->n, key == '\t' ? KEY_DOWN : key);
        return SCR_REDRAW;
    case ' ':
        s->ticked[s->sel] = !s->ticked[s->sel];
        s->error = false;
        return SCR_REDRAW;
    case 'a': case 'A':
        for (i = 0; i < s->n; i++)
            s->ticked[i] = true;
        s->error = false;
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        mat_store(s);
        for (i = 0; i < s->n; i++)
            if (!s->ticked[i]) {
                s->sel = i;
                s->error = true;
                return SCR_REDRAW;
            }
        return TXN_NEXT;
    default:
        if (key >= '1' && key < '1' + s->n) {
            s->sel = key - '1';
            s->ticked[s->sel] = !s->ticked[s->sel];
            s->error = false;
            return SCR_REDRAW;
        }
        return SCR_IGNORED;
    }
}

static void
mat_free(void *state)
{
    free(state);
}

const struct screen page_materials = {
    .name = "page_materials",
    .modes = MODE_ALL,
    .init = mat_init,
    .draw = mat_draw,
    .key = mat_key,
    .free = mat_free,
};

/*
 * screens/new_materials.c - 证书新办, step 4: the paper materials the clerk
 * checks (seed 000 / 002): every item must be ticked before the fee quote.
 * The application form and the seal-sampling sheet are printed at the next
 * step for signature and stamping, and checked there.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

static const struct {
    const char *key;            /* txn value set to 1 when ticked */
    enum msg_id label;
} mat_items[] = {
    { "mat_uscc_copy", M_TXN_MAT_USCC_COPY },
    { "mat_operator_id", M_TXN_MAT_OPERATOR_ID },
    { "mat_legal_id", M_TXN_MAT_LEGAL_ID },
    { "mat_seal", M_TXN_MAT_SEAL },
};
#define MAT_N ((int)(sizeof mat_items / sizeof mat_items[0]))

struct mat_state {
    struct txn_ui *ui;
    int sel;
    bool ticked[MAT_N];
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
    for (i = 0; i < MAT_N; i++)
        s->ticked[i] = txn_get_int(&s->ui->t, mat_items[i].key, 0) != 0;
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
    for (i = 0; i < MAT_N; i++) {
        snprintf(line, sizeof line, "[%s] %d. %s", s->ticked[i] ? "x" : " ", i + 1, msg(mat_items[i].label));
        ui_text(y + i, 4, COLS - 8, i == s->sel ? TC_SELECT : TC_NORMAL, line);
    }
    if (s->error)
        ui_text(y + MAT_N + 1, 4, COLS - 8, TC_ERROR, msg(M_TXN_MAT_MISSING));
}

static void
mat_store(struct mat_state *s)
{
    int i;

    for (i = 0; i < MAT_N; i++)
        txn_set_int(&s->ui->t, mat_items[i].key, s->ticked[i]);
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
        ui_list_move(&s->sel, MAT_N, key == '\t' ? KEY_DOWN : key);
        return SCR_REDRAW;
    case ' ':
        s->ticked[s->sel] = !s->ticked[s->sel];
        s->error = false;
        return SCR_REDRAW;
    case 'a': case 'A':
        for (i = 0; i < MAT_N; i++)
            s->ticked[i] = true;
        s->error = false;
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        mat_store(s);
        for (i = 0; i < MAT_N; i++)
            if (!s->ticked[i]) {
                s->sel = i;
                s->error = true;
                return SCR_REDRAW;
            }
        return TXN_NEXT;
    default:
        if (key >= '1' && key < '1' + MAT_N) {
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

const struct screen page_new_materials = {
    .name = "new_materials",
    .modes = MODE_W66,
    .init = mat_init,
    .draw = mat_draw,
    .key = mat_key,
    .free = mat_free,
};

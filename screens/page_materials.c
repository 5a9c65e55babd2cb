/*
 * screens/page_materials.c - the materials page (PAGE_MATERIALS): the
 * transaction kind's one list of materials (the kinds table, kiosk/kinds.c),
 * the very list the 办理材料清单 prints, in the same order. What the
 * applicant brings is ticked by the clerk, and every such item must be
 * ticked before going on; the papers the kiosk prints itself (the
 * application form, the seal sheet) are marked so, signed when printed;
 * notes that apply only sometimes are shown, not ticked. P prints the
 * checklist for an applicant who must come back with what is missing.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

#define MAT_MAX KIND_LIST_MAX

struct mat_state {
    struct txn_ui *ui;
    const enum msg_id *items;       /* the kind's materials, 0-terminated */
    int n;
    int sel;                        /* an item to tick (KIND_MAT_BRING) */
    bool ticked[MAT_MAX];
    bool error;
    char note[256];                 /* the checklist printed, or why not */
};

/* The value an item's tick is kept in: "mat_<index in the kind's list>". */
static void
mat_key_of(int i, char *buf, size_t n)
{
    snprintf(buf, n, "mat_%d", i);
}

static bool
mat_tickable(const struct mat_state *s, int i)
{
    return kind_material_of(s->items[i]) == KIND_MAT_BRING;
}

static void *
mat_init(struct app *app, const void *arg)
{
    struct mat_state *s = calloc(1, sizeof *s);
    char key[16];
    int i;

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->items = kind_info(s->ui->t.def->kind)->materials;
    while (s->n < MAT_MAX && s->items[s->n] != 0)
        s->n++;
    for (i = 0; i < s->n; i++) {
        mat_key_of(i, key, sizeof key);
        s->ticked[i] = txn_get_int(&s->ui->t, key, 0) != 0;
    }
    while (s->sel < s->n && !mat_tickable(s, s->sel))
        s->sel++;
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
        enum kind_material k = kind_material_of(s->items[i]);
        enum term_color c = i == s->sel ? TC_SELECT : k == KIND_MAT_BRING ? TC_NORMAL : TC_DIM;
        char mark[16];
        snprintf(mark, sizeof mark, "%s %d.", k != KIND_MAT_BRING ? "   " : s->ticked[i] ? "[x]" : "[ ]", i + 1);
        snprintf(line, sizeof line, "%s%s", msg(s->items[i]), k == KIND_MAT_PRINTED ? msg(M_TXN_MAT_PRINTED_HERE)
                                                              : k == KIND_MAT_NOTE ? msg(M_TXN_MAT_IF_SO) : "");
        ui_text(y, 4, 8, c, mark);
        y += ui_wrap(y, 11, COLS - 13, c, line);   /* a long item wraps under its own text */
    }
    y++;
    if (s->error)
        ui_text(y, 4, COLS - 8, TC_ERROR, msg(M_TXN_MAT_MISSING));
    else if (s->note[0] != '\0')
        ui_wrap(y, 4, COLS - 8, TC_WARN, s->note);
}

static void
mat_store(struct mat_state *s)
{
    char key[16];
    int i;

    for (i = 0; i < s->n; i++) {
        mat_key_of(i, key, sizeof key);
        txn_set_int(&s->ui->t, key, mat_tickable(s, i) && s->ticked[i]);
    }
}

/* Move the selection by DIR (+1, -1) to the next item to tick. */
static void
mat_move(struct mat_state *s, int dir)
{
    int i = s->sel;

    do
        i = (i + dir + s->n) % s->n;
    while (i != s->sel && !mat_tickable(s, i));
    s->sel = i;
}

static int
mat_key(struct app *app, void *state, int key)
{
    struct mat_state *s = state;
    int i;

    (void)app;
    if (s->n == 0)
        return key == 27 ? TXN_PREV : key == '\r' || key == '\n' || key == KEY_ENTER ? TXN_NEXT : SCR_IGNORED;
    switch (key) {
    case 27:
        mat_store(s);
        return TXN_PREV;
    case KEY_UP:
        mat_move(s, -1);
        return SCR_REDRAW;
    case KEY_DOWN:
    case '\t':
        mat_move(s, +1);
        return SCR_REDRAW;
    case ' ':
        if (mat_tickable(s, s->sel))
            s->ticked[s->sel] = !s->ticked[s->sel];
        s->error = false;
        return SCR_REDRAW;
    case 'a': case 'A':
        for (i = 0; i < s->n; i++)
            s->ticked[i] = mat_tickable(s, i);
        s->error = false;
        return SCR_REDRAW;
    case 'p': case 'P': {
        /* what to bring, on paper, for an applicant who must come back */
        char err[256];
        mat_store(s);
        if (txn_print_checklist(&s->ui->t, &s->ui->env, err, sizeof err) == 0)
            snprintf(s->note, sizeof s->note, "%s", msg(M_TXN_MAT_CHECKLIST_PRINTED));
        else
            snprintf(s->note, sizeof s->note, "%s", err);
        s->error = false;
        return SCR_REDRAW;
    }
    case '\r': case '\n': case KEY_ENTER:
        mat_store(s);
        for (i = 0; i < s->n; i++)
            if (mat_tickable(s, i) && !s->ticked[i]) {
                s->sel = i;
                s->error = true;
                return SCR_REDRAW;
            }
        return TXN_NEXT;
    default:
        if (key >= '1' && key < '1' + s->n && mat_tickable(s, key - '1')) {
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

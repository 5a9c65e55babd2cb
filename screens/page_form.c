/*
 * screens/page_form.c - the form page (PAGE_FORM): the fields of the step's
 * form (struct txn_form, kiosk/engine.h), each checked as it is left (the
 * field's validator: USCC and ID numbers with their check characters,
 * mobile, e-mail), then the form's check against the records on submit
 * (e.g. one certificate per enterprise, one unfinished order per operator).
 * The error stands beside the field and names what is wrong; nothing typed
 * is lost (Esc goes back a step keeping every value). When the check names
 * an operator's unfinished order, F6 opens it on the resume screen.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/form.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

struct form_state {
    struct txn_ui *ui;
    const struct txn_form *def;
    struct form fm;
    char other_id[32];          /* an unfinished order the clerk may open (F6), "" none */
};

static void *
form_page_init(struct app *app, const void *arg)
{
    struct form_state *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->def = txn_cur(&s->ui->t)->form;
    txn_form_offer(&s->ui->t, &s->ui->env, s->def);
    form_init(&s->fm, s->def->fields, s->def->nfields);
    form_load(&s->fm, &s->ui->t);
    return s;
}

static void
form_page_draw(struct app *app, void *state)
{
    struct form_state *s = state;
    int y = txn_frame(app, s->ui, msg(s->other_id[0] ? M_TXN_HINTS_OPERATOR_OTHER : M_TXN_HINTS_FORM));

    ui_text(y, 2, COLS - 4, TC_DIM, s->def->intro ? msg(s->def->intro) : txn_get(&s->ui->t, "company"));
    if (s->def->note_key != NULL && txn_get(&s->ui->t, s->def->note_key)[0] != '\0')
        ui_text(++y, 2, COLS - 4, TC_WARN, txn_get(&s->ui->t, s->def->note_key));
    form_draw(&s->fm, y + 2, 2, 30);
}

static int
form_page_key(struct app *app, void *state, int key)
{
    struct form_state *s = state;
    const char *field = NULL;
    enum msg_id why;

    if (key == KEY_F(6) && s->other_id[0] != '\0') {
        app->next_name = "resume";  /* the loop opens it: pages never name other screens */
        app->next_arg = s->other_id;
        return SCR_PUSH;
    }
    switch (form_key(&s->fm, key)) {
    case FORM_BACK:
        form_store(&s->fm, &s->ui->t);
        return TXN_PREV;
    case FORM_SUBMIT:
        form_store(&s->fm, &s->ui->t);
        s->other_id[0] = '\0';
        if (s->def->check != NULL &&
            (why = s->def->check(&s->ui->t, &s->ui->env, &field, s->other_id, sizeof s->other_id)) != 0) {
            int i = field != NULL ? form_index(&s->fm, field) : -1;
            form_set_error(&s->fm, i >= 0 ? i : 0, msg(why));
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
form_page_free(void *state)
{
    free(state);
}

const struct screen page_form = {
    .name = "page_form",
    .modes = MODE_ALL,
    .init = form_page_init,
    .draw = form_page_draw,
    .key = form_page_key,
    .free = form_page_free,
};

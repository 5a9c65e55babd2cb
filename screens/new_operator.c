/*
 * screens/new_operator.c - 证书新办, step 2: the operator (经办人) who
 * applies for the company: name, resident ID number (GB 11643, masked
 * once the order exists), mobile, e-mail, WeChat. An ID number with an
 * unfinished order must first resume or cancel it (F6 opens it).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/clock.h"
#include "kiosk/form.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

static enum rules_status
operator_check_id(const char *s)
{
    struct rules_date today = clock_local_day(time(NULL));

    return rules_resident_id(s, &today);
}

static const struct form_item operator_items[] = {
    { "operator_name", M_TXN_F_OPERATOR, 30, 0, true, NULL },
    { "operator_id", M_TXN_F_OPERATOR_ID, 18, FIELD_ASCII | FIELD_UPPER, true, operator_check_id },
    { "mobile", M_TXN_F_MOBILE, 11, FIELD_DIGITS, true, rules_mobile },
    { "email", M_TXN_F_EMAIL, 80, FIELD_ASCII, true, rules_email },
    { "wechat", M_TXN_F_WECHAT, 40, FIELD_ASCII, false, NULL },
};

struct operator_state {
    struct txn_ui *ui;
    struct form fm;
    int64_t other;              /* the operator's unfinished order */
    char other_id[32];          /* ID number it was found by (arg of screen_resume) */
};

static void *
operator_init(struct app *app, const void *arg)
{
    struct operator_state *s = calloc(1, sizeof *s);

    (void)app;
    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    form_init(&s->fm, operator_items, sizeof operator_items / sizeof operator_items[0]);
    form_load(&s->fm, &s->ui->t);
    return s;
}

static void
operator_draw(struct app *app, void *state)
{
    struct operator_state *s = state;
    int y = txn_frame(app, s->ui, msg(s->other ? M_TXN_HINTS_OPERATOR_OTHER : M_TXN_HINTS_FORM));

    ui_text(y, 2, COLS - 4, TC_DIM, txn_get(&s->ui->t, "company"));
    form_draw(&s->fm, y + 2, 2, 30);
}

static int
operator_key(struct app *app, void *state, int key)
{
    struct operator_state *s = state;
    enum msg_id why;
    int i;

    if (key == KEY_F(6) && s->other != 0) {
        app->next = &screen_resume;
        app->next_arg = s->other_id;
        return SCR_PUSH;
    }
    switch (form_key(&s->fm, key)) {
    case FORM_BACK:
        form_store(&s->fm, &s->ui->t);
        return TXN_PREV;
    case FORM_SUBMIT:
        form_store(&s->fm, &s->ui->t);
        i = form_index(&s->fm, "operator_id");
        why = txn_new_check_operator(app->st, &s->ui->t, form_text(&s->fm, i), &s->other);
        if (why != 0) {
            snprintf(s->other_id, sizeof s->other_id, "%s", form_text(&s->fm, i));
            form_set_error(&s->fm, i, msg(why));
            return SCR_REDRAW;
        }
        s->other = 0;
        return TXN_NEXT;
    case FORM_CHANGED:
        return SCR_REDRAW;
    default:
        return SCR_IGNORED;
    }
}

static void
operator_free(void *state)
{
    free(state);
}

const struct screen page_new_operator = {
    .name = "new_operator",
    .modes = MODE_W66,
    .init = operator_init,
    .draw = operator_draw,
    .key = operator_key,
    .free = operator_free,
};

/*
 * screens/page_done.c - the done page (PAGE_DONE); for 证书新办: what was issued (company,
 * operator with the ID number masked, certificate serial, validity, key
 * serial) and where to go next: window 68, to bind the electronic seal.
 * An order resumed here (finished issuing, not yet closed) is closed now.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/rules.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

struct done_state {
    struct txn_ui *ui;
};

static void *
done_init(struct app *app, const void *arg)
{
    struct done_state *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    if (s->ui->t.order.id != 0 && s->ui->t.order.state == ORDER_OPEN && txn_finish(&s->ui->t, app->st) != STORE_OK)
        app_flash(app, msg(M_TXN_DB_ERROR));
    return s;
}

static void
done_draw(struct app *app, void *state)
{
    struct done_state *s = state;
    const struct txn *t = &s->ui->t;
    static const enum msg_id labels[] = {
        M_TXN_F_COMPANY, M_TXN_F_USCC, M_TXN_F_OPERATOR, M_TXN_F_OPERATOR_ID, M_TXN_KEY_CERT,
        M_TXN_VALID_TO, M_TXN_KEY_SERIAL,
    };
    int y = txn_frame(app, s->ui, msg(M_TXN_HINTS_DONE)), lw = ui_label_width(labels, 7);
    char masked[40], to[32];
    struct tm tm;

    y++;
    attron(A_BOLD);
    ui_text(y++, 4, COLS - 8, TC_OK, msg(M_TXN_DONE_OK));
    attroff(A_BOLD);
    y++;
    ui_field(y++, 4, lw, msg(M_TXN_F_COMPANY), TC_NORMAL, txn_get(t, "company"));
    ui_field(y++, 4, lw, msg(M_TXN_F_USCC), TC_NORMAL, txn_get(t, "uscc"));
    ui_field(y++, 4, lw, msg(M_TXN_F_OPERATOR), TC_NORMAL, txn_get(t, "operator_name"));
    ui_field(y++, 4, lw, msg(M_TXN_F_OPERATOR_ID), TC_NORMAL, rules_mask_id(txn_get(t, "operator_id"), masked, sizeof masked));
    ui_field(y++, 4, lw, msg(M_TXN_KEY_CERT), TC_NORMAL, txn_get(t, "cert_serial"));
    if (t->cert.not_after != 0) {
        localtime_r(&t->cert.not_after, &tm);
        strftime(to, sizeof to, "%Y-%m-%d", &tm);
        ui_field(y++, 4, lw, msg(M_TXN_VALID_TO), TC_NORMAL, to);
    }
    ui_field(y++, 4, lw, msg(M_TXN_KEY_SERIAL), TC_NORMAL, txn_get(t, "key_serial"));
    y++;
    attron(A_BOLD);
    ui_wrap(y, 4, COLS - 8, TC_WARN, msg(M_TXN_GO_68));
    attroff(A_BOLD);
}

static int
done_key(struct app *app, void *state, int key)
{
    (void)app;
    (void)state;
    if (key == '\r' || key == '\n' || key == KEY_ENTER || key == 27)
        return SCR_HOME;
    return SCR_IGNORED;
}

static void
done_free(void *state)
{
    free(state);
}

const struct screen page_done = {
    .name = "page_done",
    .modes = MODE_ALL,
    .init = done_init,
    .draw = done_draw,
    .key = done_key,
    .free = done_free,
};

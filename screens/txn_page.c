/*
 * screens/txn_page.c - what every page of a transaction shares: the frame
 * with the transaction's title (from the kinds table), the step and the
 * order number. Pages call it; the host (screens/txn_host.c) calls the
 * pages: no call runs back from a page to its host.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/clock.h"
#include "kiosk/rules.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

int
txn_frame(struct app *app, struct txn_ui *ui, const char *hints)
{
    char title[256], num[64];

    snprintf(num, sizeof num, "%s", ui->t.order.number);
    msg_fmt(title, sizeof title, M_TXN_TITLE_FMT, msg(kind_info(ui->t.def->kind)->title), ui->t.step + 1, ui->t.def->nsteps,
            msg(txn_cur(&ui->t)->title));
    curs_set(0);
    return ui_frame_keep(app, title, num, hints);    /* the order number is never cut */
}

int
txn_draw_rows(int y, const struct txn *t, const struct txn_show *rows, int nrows)
{
    enum msg_id labels[16] = { 0 };
    char val[64];
    int i, n = 0, lw, drawn = 0;

    for (i = 0; i < nrows && n < 16; i++)
        labels[n++] = rows[i].label;
    lw = ui_label_width(labels, n);
    for (i = 0; i < nrows; i++) {
        const char *v = txn_get(t, rows[i].key);
        if (*v == '\0')
            continue;
        if (rows[i].flags & TXN_SHOW_MASK_ID)
            v = rules_mask_id(v, val, sizeof val);
        else if (rows[i].flags & TXN_SHOW_DATE)
            v = rules_date_format(clock_local_day((time_t)strtoll(v, NULL, 10)), val, sizeof val);
        ui_field(y + drawn++, 4, lw, msg(rows[i].label), TC_NORMAL, v);
    }
    return drawn;
}

/* ---- the refund of a cancelled, paid order (txn_host, resume) ----------------------- */

void
txn_refund_offer_draw(int y, const struct store_order *o)
{
    char buf[512], yuan[32];

    msg_fmt(buf, sizeof buf, M_TXN_REFUND_OFFER, o->number, rules_money_format(o->amount, yuan, sizeof yuan),
            msg(txn_pay_method_msg(o->pay_method)));
    ui_wrap(y, 2, COLS - 4, TC_WARN, buf);
}

void
txn_refund_answer(struct app *app, const struct txn_env *env, const struct store_order *o, int key)
{
    char buf[512], err[256], yuan[32];
    struct store_refund r;
    int rc;

    if (key != 'y' && key != 'Y') {
        app_flash(app, msg_fmt(buf, sizeof buf, M_TXN_REFUND_LATER, o->number));
        return;
    }
    rc = txn_refund(env, o->id, &r, err, sizeof err);
    if (rc == STORE_OK)
        app_flash(app, msg_fmt(buf, sizeof buf, M_TXN_REFUNDED, rules_money_format(r.amount, yuan, sizeof yuan),
                               err[0] ? err : msg(M_TXN_REFUND_SLIP)));
    else if (rc == STORE_ERR_CONFLICT)
        app_flash(app, msg_fmt(buf, sizeof buf, M_TXN_REFUND_NONE, o->number));
    else
        app_flash(app, msg_fmt(buf, sizeof buf, M_TXN_REFUND_FAILED_AT,
                               msg(rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR), o->number));
}

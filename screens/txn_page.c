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
    if (num[0] != '\0') {
        size_t l = strlen(title);
        snprintf(title + l, sizeof title - l, " · %s", num);
    }
    curs_set(0);
    return ui_frame(app, title, hints);
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

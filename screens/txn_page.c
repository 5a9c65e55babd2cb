/*
 * screens/txn_page.c - what every page of a transaction shares: the frame
 * with the transaction's title (from the kinds table), the step and the
 * order number. Pages call it; the host (screens/txn_host.c) calls the
 * pages: no call runs back from a page to its host.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

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

/*
 * screens/settle.c - 日结, the daily settlement on screen (supervisor only).
 *
 * One line per window, clerk and transaction kind (store_report_daily):
 * orders finished, amounts taken in cash / POS / QR, free replacements,
 * cancelled orders and refunds due; a total line and a sentence with the
 * money totals. Left/Right move to the previous / next day. P prints the
 * day shown as the settlement sheet (printing/doc_settle.c) through the
 * print outbox, with the audit chain's head as its anchor; the print is
 * audited. A printer that is down leaves the sheet queued (the loop's
 * outbox pump prints it later) and the supervisor is told so.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/svc.h"
#include "kiosk/ui.h"
#include "kiosk/rules.h"
#include "screens/screens.h"

struct settle_state {
    time_t day;                       /* noon of the day shown (local) */
    char date[11];                    /* YYYY-MM-DD */
    struct store_report_row *rows;    /* malloc'd by the store */
    size_t n;
    struct store_report_row total;
    int top;                          /* first row shown (scrolling) */
    char error[512];                  /* why the report failed, "" none */
};

/* The columns: header, width, right-aligned. Window and clerk sit at the
 * left, the figures at the right edge; the transaction takes what is between
 * (16 columns at 80, 36 at 100) and a name wider than that wraps under itself
 * rather than being cut (settle_layout). */
struct settle_col {
    enum msg_id head;
    int w;
    bool right;
};

static const struct settle_col settle_cols[] = {
    { M_SET_COL_WINDOW, 4, false },
    { M_SET_COL_CLERK, 8, false },
    { M_SET_COL_TXN, 0, false },
    { M_SET_COL_DONE, 4, true },
    { M_SET_COL_CASH, 9, true },
    { M_SET_COL_POS, 9, true },
    { M_SET_COL_QR, 9, true },
    { M_SET_COL_FREE, 4, true },
    { M_SET_COL_CANC, 4, true },
    { M_SET_COL_REFUND, 4, true },
};
#define SETTLE_NCOLS (int)(sizeof settle_cols / sizeof settle_cols[0])
#define SETTLE_TXN 2

/* Each column's x and width on a screen COLS wide. */
static void
settle_layout(int x[SETTLE_NCOLS], int w[SETTLE_NCOLS])
{
    int i, right = COLS;

    for (i = SETTLE_NCOLS - 1; i > SETTLE_TXN; i--) {
        w[i] = settle_cols[i].w;
        x[i] = right - w[i];
        right = x[i] - 1;
    }
    x[0] = 1;
    w[0] = settle_cols[0].w;
    x[1] = x[0] + w[0] + 1;
    w[1] = settle_cols[1].w;
    x[SETTLE_TXN] = x[1] + w[1] + 1;
    w[SETTLE_TXN] = right + 1 - x[SETTLE_TXN];     /* up to the figures' own padding, as before (16 at 80) */
    if (w[SETTLE_TXN] < 4)
        w[SETTLE_TXN] = 4;
}

static void
settle_cell(int y, int col, enum term_color c, const char *text)
{
    int x[SETTLE_NCOLS], w[SETTLE_NCOLS], tw = ui_width(text);

    settle_layout(x, w);
    if (x[col] + w[col] > COLS)
        return;
    ui_text(y, settle_cols[col].right && tw < w[col] ? x[col] + w[col] - tw : x[col], w[col], c, text);
}

static const char *
settle_txn_name(const char *code)
{
    const char *title = kind_title_of(code);   /* the kinds table */

    return title != NULL ? title : code;
}

static void
settle_load(struct app *app, struct settle_state *s)
{
    struct tm tm;

    free(s->rows);
    s->rows = NULL;
    s->n = 0;
    s->top = 0;
    s->error[0] = '\0';
    memset(&s->total, 0, sizeof s->total);
    localtime_r(&s->day, &tm);
    strftime(s->date, sizeof s->date, "%Y-%m-%d", &tm);
    (void)svc_report_daily(app, s->date, &s->rows, &s->n, &s->total, s->error, sizeof s->error);
}

/* Noon today, local: stepping by 86400 s never skips or repeats a day. */
static time_t
settle_today_noon(void)
{
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    tm.tm_hour = 12;
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

static void *
settle_init(struct app *app, const void *arg)
{
    struct settle_state *s = calloc(1, sizeof *s);

    (void)arg;
    if (s == NULL)
        return NULL;
    s->day = settle_today_noon();
    settle_load(app, s);
    return s;
}

/* One row at Y; returns the lines it took (a transaction's name wraps under itself). */
static int
settle_row(int y, const struct store_report_row *r, bool total, enum term_color c)
{
    char buf[64];
    const char *win = r->window;
    int x[SETTLE_NCOLS], w[SETTLE_NCOLS], lines = 1;

    settle_layout(x, w);
    if (total) {
        /* the word spans window, clerk and transaction: never cut to "Tota" */
        ui_text(y, x[0], x[SETTLE_TXN] + w[SETTLE_TXN] - x[0], c, msg(M_SET_TOTAL));
    } else {
        if (strncmp(win, "window", 6) == 0)
            win += 6;
        else if (strcmp(win, "self") == 0)
            win = msg(M_SET_SELF);
        settle_cell(y, 0, c, win);
        settle_cell(y, 1, c, r->clerk[0] ? r->clerk : "-");
        lines = ui_wrap(y, x[SETTLE_TXN], w[SETTLE_TXN], c, settle_txn_name(r->txn));
    }
    snprintf(buf, sizeof buf, "%ld", r->done);
    settle_cell(y, 3, c, buf);
    settle_cell(y, 4, c, rules_money_format(r->cash, buf, sizeof buf));
    settle_cell(y, 5, c, rules_money_format(r->pos, buf, sizeof buf));
    settle_cell(y, 6, c, rules_money_format(r->qr, buf, sizeof buf));
    snprintf(buf, sizeof buf, "%ld", r->free_count);
    settle_cell(y, 7, c, buf);
    snprintf(buf, sizeof buf, "%ld", r->cancelled);
    settle_cell(y, 8, c, buf);
    snprintf(buf, sizeof buf, "%ld", r->refunds);
    settle_cell(y, 9, c, buf);
    return lines > 0 ? lines : 1;
}

static void
settle_draw(struct app *app, void *state)
{
    struct settle_state *s = state;
    char title[128], buf[512], unfinished[256] = "", a[32], b[32], c[32], d[32], e[32];
    int y, i, last, cx[SETTLE_NCOLS], cw[SETTLE_NCOLS];
    size_t r;

    msg_fmt(title, sizeof title, M_SET_TITLE, s->date);
    y = ui_frame(app, title, msg(M_SET_HINTS_PRINT)) + 1;
    if (s->error[0] != '\0') {
        ui_wrap(y, 2, COLS - 4, TC_WARN, s->error);
        return;
    }
    for (i = 0; i < SETTLE_NCOLS; i++)
        settle_cell(y, i, TC_DIM, msg(settle_cols[i].head));
    y++;
    if (s->n == 0) {
        ui_text(y + 1, 2, COLS - 4, TC_DIM, msg(M_SET_EMPTY));
        return;
    }
    {
        char f[32], g[32];
        long taken = s->total.cash + s->total.pos + s->total.qr;
        msg_fmt(buf, sizeof buf, M_SET_AMOUNTS, rules_money_format(s->total.cash, a, sizeof a),
                rules_money_format(s->total.pos, b, sizeof b), rules_money_format(s->total.qr, c, sizeof c),
                rules_money_format(taken, d, sizeof d), s->total.refunded,
                rules_money_format(s->total.refunded_amount, f, sizeof f),
                rules_money_format(taken - s->total.refunded_amount, g, sizeof g), s->total.refunds,
                rules_money_format(s->total.refund_amount, e, sizeof e));
    }
    /* an applicant paid and left: the order is to finish, or the money to refund */
    if (s->total.paid_open > 0)
        msg_fmt(unfinished, sizeof unfinished, M_DATA_REP_PAID_OPEN, s->total.paid_open,
                rules_money_format(s->total.paid_open_amount, a, sizeof a));
    /* the rows stop where the line, the total and the sentences below still fit (the rest scrolls) */
    last = LINES - 4 - 3 - ui_wrap_lines(COLS - 4, buf) - (unfinished[0] ? ui_wrap_lines(COLS - 4, unfinished) : 0);
    settle_layout(cx, cw);
    for (r = (size_t)s->top; r < s->n; r++) {
        int need = ui_wrap_lines(cw[SETTLE_TXN], settle_txn_name(s->rows[r].txn));
        if (y + (need > 0 ? need : 1) > last)
            break;
        y += settle_row(y, &s->rows[r], false, TC_NORMAL);
    }
    mvhline(y++, 1, ACS_HLINE, COLS - 2);
    attron(A_BOLD);
    settle_row(y++, &s->total, true, TC_NORMAL);
    attroff(A_BOLD);
    y += ui_wrap(y + 1, 2, COLS - 4, TC_OK, buf) + 1;
    if (unfinished[0])
        ui_wrap(y, 2, COLS - 4, TC_WARN, unfinished);
}

/* Print the day shown: queue the sheet, audit it, send it now (P). */
static void
settle_print(struct app *app, struct settle_state *s)
{
    char buf[512];

    (void)svc_settle_print(app, s->date, buf, sizeof buf);
    app_flash(app, buf);
}

static int
settle_key(struct app *app, void *state, int key)
{
    struct settle_state *s = state;

    switch (key) {
    case 27:
    case KEY_BACKSPACE:
        return SCR_BACK;
    case KEY_LEFT:
        s->day -= 86400;
        settle_load(app, s);
        return SCR_HANDLED;
    case KEY_RIGHT:
        if (s->day + 86400 > settle_today_noon()) {
            app_flash(app, msg(M_SET_NO_FUTURE));      /* a day not come has no settlement */
            return SCR_HANDLED;
        }
        s->day += 86400;
        settle_load(app, s);
        return SCR_HANDLED;
    case KEY_UP:
        if (s->top > 0)
            s->top--;
        return SCR_HANDLED;
    case KEY_DOWN:
        if ((size_t)s->top + 1 < s->n)
            s->top++;
        return SCR_HANDLED;
    case KEY_F(5):
        settle_load(app, s);
        return SCR_HANDLED;
    case 'p':
    case 'P':
        settle_print(app, s);
        return SCR_HANDLED;
    default:
        return SCR_IGNORED;
    }
}

static void
settle_free(void *state)
{
    struct settle_state *s = state;

    if (s != NULL)
        free(s->rows);
    free(s);
}

const struct screen screen_settle = {
    .name = "settle",
    .modes = MODE_CLERK,
    .init = settle_init,
    .draw = settle_draw,
    .key = settle_key,
    .free = settle_free,
    .supervisor = true,
};

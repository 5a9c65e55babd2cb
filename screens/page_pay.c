/*
 * screens/page_pay.c - the payment page (PAGE_PAY). The fee and a payment QR
 * code (kiosk/qrtext.h, fitted to the region right of the text, between
 * the title and the hints, never over the footer or the status bar; a
 * terminal too small for it is told so) encoding the payment-request URL built from
 * [payment] url_template with the order number, the amount and an HMAC
 * keyed with [payment] hmac_key_file (the file's text, blanks trimmed).
 * The clerk picks the method (1 cash, 2 POS, 3 QR) and confirms with
 * Enter; only then is the order paid and a key may be touched.
 *
 * The payment provider may confirm the QR payment instead (kiosk/engine_pay.c,
 * `kiosk pay confirm`): every tick the page looks for it (txn_pay_poll) and
 * goes on once it is there. The self-service terminal has no cashier: it
 * offers the QR alone, nothing the applicant presses pays, and after
 * [payment] timeout_s without the provider's word the order stays saved
 * unpaid (resumable from 我的订单) and the terminal goes home.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/payurl.h"
#include "kiosk/qrtext.h"
#include "kiosk/rules.h"
#include "kiosk/ui.h"
#include "screens/txn.h"

/* the methods, named by the engine (txn_pay_method_msg) */
static const struct {
    const char *code;
} pay_methods[] = {
    { "cash" },
    { "pos" },
    { "qr" },
    { "free" },                     /* nothing to pay (a replacement inside the warranty): txn_pay's word */
};
#define PAY_CHOICES 3               /* the methods offered when there is something to pay */

struct pay_state {
    struct txn_ui *ui;
    char url[1024];
    char err[256];              /* why there is no QR */
    int method;                 /* index in pay_methods, -1 none chosen */
    struct qrtext q;
    int qcols, qrows;           /* budget the QR was made for */
    bool self;                  /* no cashier: the provider's word alone pays */
    time_t deadline;            /* self: when waiting ends */
};

#define PAY_QR 2                    /* index of "qr" */

/* Read the payment key: the file's text with blanks trimmed. */
static int
pay_key(const struct kiosk_config *cfg, unsigned char *key, size_t n, size_t *len)
{
    char path[CFG_PATH_MAX * 2];
    FILE *f;
    size_t l;

    cfg_path(cfg, cfg->pay_hmac_key_file, path, sizeof path);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    l = fread(key, 1, n - 1, f);
    fclose(f);
    while (l > 0 && (key[l - 1] == '\n' || key[l - 1] == '\r' || key[l - 1] == ' '))
        l--;
    *len = l;
    return l > 0 ? 0 : -1;
}

static void
pay_make_url(struct app *app, struct pay_state *s)
{
    unsigned char key[256];
    size_t klen = 0;
    long fen = strtol(txn_get(&s->ui->t, "amount"), NULL, 10);

    s->url[0] = '\0';
    if (pay_key(&app->cfg, key, sizeof key, &klen) != 0) {
        msg_fmt(s->err, sizeof s->err, M_TXN_PAY_NO_KEY, app->cfg.pay_hmac_key_file);
        return;
    }
    if (payurl_build(app->cfg.pay_url_template, s->ui->t.order.number, fen, key, klen, s->url, sizeof s->url,
                     s->err, sizeof s->err) != 0)
        s->url[0] = '\0';
    memset(key, 0, sizeof key);
}

/* Nothing to pay: the quote is 0. */
static bool
pay_nothing(const struct pay_state *s)
{
    return strtol(txn_get(&s->ui->t, "amount"), NULL, 10) == 0;
}

static void *
pay_init(struct app *app, const void *arg)
{
    struct pay_state *s = calloc(1, sizeof *s);
    size_t i;

    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    s->method = -1;
    for (i = 0; i < sizeof pay_methods / sizeof pay_methods[0]; i++)
        if (strcmp(s->ui->t.order.pay_method, pay_methods[i].code) == 0)
            s->method = (int)i;
    s->self = app->mode == MODE_SELF;
    if (pay_nothing(s))
        s->method = PAY_CHOICES;    /* free: no QR, Enter records it */
    else
        pay_make_url(app, s);
    if (s->self && !pay_nothing(s)) {
        s->method = PAY_QR;
        s->deadline = time(NULL) + app->cfg.pay_timeout_s;
    }
    return s;
}

static void
pay_draw(struct app *app, void *state)
{
    struct pay_state *s = state;
    bool paid = s->ui->t.order.paid_at != 0;
    int y = txn_frame(app, s->ui, msg(paid ? M_TXN_HINTS_PAID : pay_nothing(s) ? M_TXN_HINTS_PAY_FREE
                                      : s->self ? M_TXN_HINTS_PAY_SELF : M_TXN_HINTS_PAY));
    /* the QR has its own region, right of the text and between the title
     * and the hints: it never covers the footer or the status bar */
    int left = 36, qcols = COLS - left - 1, qrows = LINES - 4, i, qx;
    char line[256], a[32];

    if (s->url[0] != '\0' && (s->q.lines == NULL || s->qcols != qcols || s->qrows != qrows)) {
        qrtext_free(&s->q);
        s->qcols = qcols;
        s->qrows = qrows;
        if (qrtext_make(s->url, qcols, qrows, true, &s->q) != 0)
            msg_fmt(s->err, sizeof s->err, M_TXN_PAY_QR_TOO_BIG, COLS, LINES);
    }
    rules_money_format(strtol(txn_get(&s->ui->t, "amount"), NULL, 10), a, sizeof a);
    msg_fmt(line, sizeof line, M_TXN_FEE_TOTAL, a);
    attron(A_BOLD);
    ui_text(y++, 2, left - 2, TC_OK, line);
    attroff(A_BOLD);
    y++;
    if (paid && pay_nothing(s)) {
        ui_wrap(y, 2, COLS - 4, TC_OK, msg(M_TXN_PAY_FREE_DONE));
        return;
    } else if (paid) {
        msg_fmt(line, sizeof line, M_TXN_PAID_BY, msg(txn_pay_method_msg(pay_methods[s->method < 0 ? 0 : s->method].code)));
        y += ui_wrap(y, 2, left - 3, TC_OK, line);
    } else if (pay_nothing(s)) {
        ui_wrap(y, 2, COLS - 4, TC_OK, msg(M_TXN_PAY_NOTHING));
        return;
    } else if (s->self) {
        long secs = (long)(s->deadline - time(NULL));
        msg_fmt(line, sizeof line, M_TXN_PAY_WAIT, (int)(secs > 0 ? secs : 0));
        y += ui_wrap(y, 2, 31, TC_NORMAL, line);
    } else {
        ui_text(y++, 2, left - 2, TC_DIM, msg(M_TXN_PAY_METHOD));
        for (i = 0; i < PAY_CHOICES; i++) {
            snprintf(line, sizeof line, "%s %d. %s", i == s->method ? ">" : " ", i + 1, msg(txn_pay_method_msg(pay_methods[i].code)));
            ui_text(y++, 2, left - 2, i == s->method ? TC_SELECT : TC_NORMAL, line);
        }
        y++;
        y += ui_wrap(y, 2, left - 3, TC_DIM, msg(s->method < 0 ? M_TXN_PAY_CHOOSE : M_TXN_PAY_CONFIRM));
    }
    if (s->q.lines != NULL) {
        qx = left + (qcols - s->q.cols) / 2;
        for (i = 0; i < s->q.rows; i++)
            ui_text(1 + (qrows - s->q.rows) / 2 + i, qx, s->q.cols, TC_NORMAL, s->q.lines[i]);
        ui_wrap(y + 1, 2, left - 3, TC_DIM, msg(M_TXN_PAY_SCAN));
    } else {
        ui_wrap(y + 1, 2, left - 3, TC_WARN, s->err);
    }
}

static int
pay_keyh(struct app *app, void *state, int key)
{
    struct pay_state *s = state;
    int rc;

    if (s->ui->t.order.paid_at != 0) {
        if (key == '\r' || key == '\n' || key == KEY_ENTER)
            return TXN_NEXT;
        return key == 27 ? TXN_PREV : SCR_IGNORED;
    }
    if (s->self && !pay_nothing(s))
        return key == 27 ? TXN_PREV : SCR_IGNORED;     /* only the provider pays */
    switch (key) {
    case 27:
        return TXN_PREV;
    case '1': case '2': case '3':
        if (!pay_nothing(s))
            s->method = key - '1';
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        if (s->method < 0)
            return SCR_REDRAW;
        rc = txn_pay(&s->ui->t, app->st, pay_methods[s->method].code, 0);
        if (rc != STORE_OK) {
            app_flash(app, msg(rc == STORE_ERR_RETRY ? M_TXN_DB_BUSY : M_TXN_DB_ERROR));
            return SCR_REDRAW;
        }
        return TXN_NEXT;
    default:
        return SCR_IGNORED;
    }
}

/* The provider's word, looked for every tick; the terminal's wait ends. */
static int
pay_event(struct app *app, void *state, enum scr_event ev)
{
    struct pay_state *s = state;
    char line[256];

    if (ev != EV_TICK || s->ui->t.order.paid_at != 0 || pay_nothing(s))
        return SCR_IGNORED;
    if (txn_pay_poll(&s->ui->t, app->st)) {
        for (s->method = 0; s->method < PAY_CHOICES; s->method++)
            if (strcmp(pay_methods[s->method].code, s->ui->t.order.pay_method) == 0)
                break;
        app_flash(app, msg(M_TXN_PAY_RECEIVED));
        return TXN_NEXT;
    }
    if (s->self && time(NULL) >= s->deadline) {
        app_flash(app, msg_fmt(line, sizeof line, M_TXN_PAY_TIMEOUT, s->ui->t.order.number));
        return SCR_HOME;
    }
    return s->self ? SCR_REDRAW : SCR_IGNORED;     /* the seconds left */
}

static void
pay_free(void *state)
{
    struct pay_state *s = state;

    if (s != NULL)
        qrtext_free(&s->q);
    free(s);
}

const struct screen page_pay = {
    .name = "page_pay",
    .modes = MODE_ALL,
    .init = pay_init,
    .draw = pay_draw,
    .key = pay_keyh,
    .event = pay_event,
    .free = pay_free,
};

/*
 * screens/txn.h - the pages of a transaction and the host screen that runs
 * them (screens/txn_host.c).
 *
 * The host is one struct screen on the app's stack holding a struct txn
 * (kiosk/engine.h). Each step's page is itself a struct screen (same
 * init/draw/key/event/free hooks) whose init receives the struct txn_ui;
 * besides the SCR_* flags a page's hooks may return TXN_* flags telling the
 * host to move: the host checks txn_may_enter, saves the order (txn_goto)
 * and swaps pages. Esc on a page returns TXN_PREV after the page stored
 * its values, so going back never loses anything typed.
 * F8 on any page asks to cancel the order (Y confirms).
 */
#ifndef SCREENS_TXN_H
#define SCREENS_TXN_H

#include "kiosk/app.h"
#include "kiosk/engine.h"

enum txn_page_flags {
    TXN_NEXT = 1 << 8,    /* go to the next step */
    TXN_PREV = 1 << 9,    /* go back one step */
    TXN_JUMP = 1 << 10,   /* go to step ui->jump */
};

struct txn_ui {
    struct txn t;
    struct txn_env env;
    int jump;             /* target of TXN_JUMP */
};

/* Draw the frame for a page: title "transaction · step", HINTS. Returns the
 * first body row. (screens/txn_page.c) */
int txn_frame(struct app *app, struct txn_ui *ui, const char *hints);

/* A paid order cancelled at a window: the offer to pay it back now, drawn
 * from row Y; the clerk's answer KEY (Y: txn_refund, the slip printed;
 * else left due on the settlement), said in the status bar. */
void txn_refund_offer_draw(int y, const struct store_order *o);
void txn_refund_answer(struct app *app, const struct txn_env *env, const struct store_order *o, int key);

/* The order's values ROWS (masked, dates as the local day; empty ones left
 * out) from row Y, labels aligned. Returns the rows drawn. */
int txn_draw_rows(int y, const struct txn *t, const struct txn_show *rows, int nrows);

/* One page per kind of page (kiosk/engine.h, enum txn_page): screens/page_*.c. */
extern const struct screen page_form;
extern const struct screen page_choice;
extern const struct screen page_materials;
extern const struct screen page_fee;
extern const struct screen page_pay;
extern const struct screen page_key;
extern const struct screen page_pin;
extern const struct screen page_run;
extern const struct screen page_done;
extern const struct screen page_confirm;
extern const struct screen page_pick;

/* What the host opens: a new order of KIND (order_id 0), or the open order ORDER_ID. */
struct txn_open {
    enum txn_kind kind;
    int64_t order_id;
};

/* The host that runs any transaction (screens/txn_host.c); arg: const struct txn_open *. */
extern const struct screen screen_txn;
/* 未完成订单: find an operator's open order, resume or cancel it (arg: const char * ID number or NULL). */
extern const struct screen screen_resume;

#endif

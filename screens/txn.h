/*
 * screens/txn.h - the pages of a transaction and the host screen that runs
 * them (screens/new_cert.c).
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

/* Draw the frame for a page: title "transaction · step", HINTS. Returns the first body row. */
int txn_frame(struct app *app, struct txn_ui *ui, const char *hints);

/* The pages of 证书新办 (screens/new_*.c). */
extern const struct screen page_new_company;
extern const struct screen page_new_operator;
extern const struct screen page_new_kind;
extern const struct screen page_new_materials;
extern const struct screen page_new_fee;
extern const struct screen page_new_pay;
extern const struct screen page_new_key;
extern const struct screen page_new_pin;
extern const struct screen page_new_issue;
extern const struct screen page_new_done;

/* Host screens: 证书新办 (arg NULL = a new order, or const int64_t * = order id to resume). */
extern const struct screen screen_new_cert;
/* 未完成订单: find an operator's open order, resume or cancel it (arg: const char * ID number or NULL). */
extern const struct screen screen_resume;

#endif

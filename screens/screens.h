/*
 * screens/screens.h - every screen of the kiosk, one const struct screen per
 * file in screens/, and the home menu that leads to them.
 */
#ifndef SCREENS_SCREENS_H
#define SCREENS_SCREENS_H

#include "kiosk/app.h"
#include "kiosk/msg.h"

extern const struct screen screen_home;      /* screens/home.c: menu of transactions */
extern const struct screen screen_validity;  /* screens/validity.c: 有效期查询 */
extern const struct screen screen_txn;       /* screens/txn_host.c: runs any transaction */
extern const struct screen screen_resume;    /* screens/resume.c: 未完成订单 */
extern const struct screen screen_login;     /* screens/login.c: clerk sign-in, and the lock screen */
extern const struct screen screen_hsm;       /* screens/hsm.c: the HSM's PIN, typed at the start of day */
extern const struct screen screen_outbox;    /* screens/outbox.c: 打印队列 (clerk modes) */
extern const struct screen screen_seals;     /* screens/seals.c: 待重新绑定 (window 68) */
extern const struct screen screen_myorders;  /* screens/myorders.c: 我的订单 (self-service) */
extern const struct screen screen_settle;    /* screens/settle.c: 日结 (supervisor) */
extern const struct screen screen_refunds;   /* screens/refunds.c: 待退款 (window 66) */

/* One entry of the home menu. */
struct home_item {
    enum msg_id label;           /* menu text (a transaction: its kind's title) */
    const struct screen *scr;    /* screen it opens */
    unsigned modes;              /* modes that list it (a transaction: its kind's modes) */
    const void *arg;             /* argument for scr->init (a transaction, scr == &screen_txn: its
                                  * struct txn_open, whose kind gives title and modes) */
};

/* The home menu, in display order (screens/home.c). */
extern const struct home_item home_items[];
extern const int home_nitems;

#endif

/*
 * kiosk/kinds.h - THE table of transaction kinds (业务种类), in the base.
 *
 * One const table (kiosk/kinds.c) says, for each kind of counter
 * transaction: its code in the records (orders.txn), its title, the box
 * ticked under 操作类型 on the application form, what the receipt lists as
 * next steps and warnings, the materials to bring, the counters (modes)
 * that may run it and where an unfinished order of it may be resumed or
 * cancelled, and whether it has a fee. Menus, fees (kiosk/rules.c), the
 * papers (printing/), the settlement, the resume screen and the engine's
 * transaction tables all read it: a kind is spelled here and nowhere else.
 */
#ifndef KIOSK_KINDS_H
#define KIOSK_KINDS_H

#include <stdbool.h>

#include "kiosk/msg.h"

enum txn_kind {
    KIND_NEW = 0,           /* 证书新办 */
    KIND_RENEW,             /* 证书更新 */
    KIND_LOST,              /* 证书补办 (lost key) */
    KIND_DAMAGED,           /* 损坏补办 */
    KIND_CHANGE,            /* 证书信息变更 */
    KIND_UNLOCK,            /* PIN 码解锁 */
    KIND_REVOKE,            /* 证书撤销 */
    KIND_HOLD,              /* 证书挂失: on hold */
    KIND_RELEASE,           /* 证书解挂: the hold released */
    KIND_BIND,              /* 电子签章绑定 (window 68) */
    KIND_CHGREC,            /* 信息变更登记 (window 68: the procurement center's record) */
    KIND_PIN,               /* 修改PIN码: no order, nothing to pay */
    KIND_SELFTEST,          /* 加解密测试: no order, nothing to pay */
    KIND_SELFRENEW,         /* 证书更新 at the self-service terminal: no materials, paid by QR */
    KIND__COUNT
};

/* The 操作类型 boxes of the application form (seed 002, annex 1). */
enum kind_form_op {
    KIND_OP_APPLY = 0,      /* 证书申请 */
    KIND_OP_RENEW,          /* 证书更新 */
    KIND_OP_REPLACE,        /* 证书补办 */
    KIND_OP_UNLOCK,         /* PIN码解锁 */
    KIND_OP_OTHER,          /* 其他 */
    KIND_OP_CHANGE,         /* 证书信息变更 (+ description) */
    KIND_OP__COUNT
};

/* Counters, as bits (the same values as the app's enum app_mode). */
enum kind_modes {
    KIND_AT_W66 = 1 << 0,   /* window 66, CA acceptance */
    KIND_AT_W68 = 1 << 1,   /* window 68, procurement centre */
    KIND_AT_SELF = 1 << 2,  /* self-service terminal */
};

#define KIND_LIST_MAX 8

struct kind_info {
    const char *code;                       /* orders.txn; stable, ASCII */
    enum msg_id title;                      /* menus, receipts, settlement, resume screen */
    enum kind_form_op op;                   /* ticked box on the application form */
    enum msg_id next[KIND_LIST_MAX];        /* receipt: next steps, 0-terminated */
    enum msg_id warn[KIND_LIST_MAX];        /* receipt: warnings, 0-terminated */
    enum msg_id materials[KIND_LIST_MAX];   /* what to bring, 0-terminated */
    unsigned modes;                         /* enum kind_modes: where it may be run */
    unsigned resume_modes;                  /* where an unfinished order may be resumed */
    unsigned cancel_modes;                  /* where an unfinished order may be cancelled */
    bool fee;                               /* charged per the CA profile (rules_fee_quote) */
    bool replacement;                       /* a finished order at no charge is a free
                                               replacement (warranty) in the settlement */
};

/* The row of kind K (an out-of-range K gets KIND_NEW's). Never NULL. */
const struct kind_info *kind_info(enum txn_kind k);

/*
 * How the counter treats material M of a kinds-table list (the same list
 * the screen ticks and the 办理材料清单 prints): brought and ticked by the
 * clerk, printed here by the kiosk (the application form and seal sheet,
 * printed at the fee step and signed there), or a note that applies only
 * sometimes (by post, a long-expired certificate).
 */
enum kind_material { KIND_MAT_BRING = 0, KIND_MAT_PRINTED, KIND_MAT_NOTE };
enum kind_material kind_material_of(enum msg_id m);

/* K's code ("new", "renew", ...), "?" when out of range. */
const char *kind_code(enum txn_kind k);

/* The kind whose code is S: 0 and *out set, or -1. */
int kind_parse(const char *s, enum txn_kind *out);

/* For people (the settlement's table and sheet): the title of the kind whose
 * code is CODE in LANG, else CODE itself; a window code ("window66", "self")
 * as "66号窗口" / "自助终端" into BUF (N bytes), else the code. */
const char *kind_title_in(const char *code, enum msg_lang lang);
const char *kind_window_name(const char *window, enum msg_lang lang, char *buf, size_t n);

/*
 * The codes of the kinds whose finished orders at no charge are free
 * replacements, as ",lost,damaged," (the settlement's 免费补办 column; the
 * store takes the list, the rule is this table's).
 */
const char *kind_free_codes(void);

/* The title of the kind with code S, or NULL when S is no kind's code. */
const char *kind_title_of(const char *code);

#endif

/*
 * printing/render.h - private to printing/: the drawing primitives and the
 * template vocabulary the documents are written in.
 *
 * A page document (form, seal sheet) is a const array of struct prn_item in
 * millimetres from the page's top-left corner. A flowing document (receipt,
 * checklist) is a const array of struct prn_row laid out top to bottom, the
 * page height following the content on roll paper. Labels are catalogue ids,
 * values are enum prn_field, resolved by prn_field_text() from the order.
 */
#ifndef PRINTING_RENDER_H
#define PRINTING_RENDER_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "printing/print.h"

#define PRN_MM(v) ((v) * 72.0 / 25.4)   /* millimetres -> PDF points */
#define PRN_FONT "WenQuanYi Micro Hei"

/* Values a template can print; resolved from the order by prn_field_text(). */
enum prn_field {
    PF_NONE = 0,
    PF_ORDER_NUMBER, PF_ORDER_LINE, PF_CA_NAME, PF_PRINTED_AT,
    PF_COMPANY, PF_USCC, PF_LEGAL_REP, PF_LEGAL_REP_ID, PF_COMPANY_PHONE, PF_OFFICE_PHONE, PF_WEBSITE,
    PF_OPERATOR, PF_OPERATOR_ID, PF_OPERATOR_MOBILE, PF_OPERATOR_EMAIL, PF_OPERATOR_WECHAT, PF_MAIL_ADDRESS,
    PF_APP_LINE,            /* 区域 / 类别 / 项目名称 / 证书类型 */
    PF_CHANGE_DESC,         /* the change described (KIND_OP_CHANGE ticked) */
    PF_OTHER_DESC,          /* the transaction named (KIND_OP_OTHER ticked) */
    PF_DECL_3,              /* the third promise, naming the CA */
    PF_SEAL_KIND,           /* the stamping instruction for the certificate kind */
    /* receipt */
    PF_R_WINDOW, PF_R_CLERK, PF_R_TIME, PF_R_ORDER, PF_R_TXN, PF_R_COMPANY, PF_R_OPERATOR,
    PF_R_PAYMENT, PF_R_CERT_SERIAL, PF_R_VALIDITY, PF_R_KEY_SERIAL, PF_HALL,
    PF_C_INTRO, PF_C_FEE,
    PF_B_SEAL_ID, PF_B_SEAL_KIND, PF_B_SEAL_NAME, PF_B_SEAL_IMAGE, PF_B_CERT_FPR, PF_B_REBIND,
    PF_RF_AMOUNT, PF_RF_REASON,
    PF__COUNT
};

enum {
    PRN_BOLD = 1u << 0,
    PRN_CENTER = 1u << 1,
    PRN_RIGHT = 1u << 2,
    PRN_TOP = 1u << 3,      /* align text to the top of its box (default: middle) */
    PRN_FRAME = 1u << 4,    /* stroke the box's border */
    PRN_TICKABLE = 1u << 5, /* IT_CHECK: ticked when arg == the form op of the order */
};

enum prn_item_kind {
    IT_TEXT,                /* catalogue label */
    IT_FIELD,               /* order value */
    IT_FRAME,               /* empty framed box (signature, seal, stamp) */
    IT_CHECK,               /* tick box with a catalogue label to its right */
    IT_QR,                  /* QR code of the order number, w = side */
};

struct prn_item {
    enum prn_item_kind kind;
    double x, y, w, h;      /* mm, from the top-left corner of the page */
    enum msg_id label;      /* IT_TEXT, IT_CHECK */
    enum prn_field field;   /* IT_FIELD */
    double pt;              /* font size in points (shrunk if the text does not fit) */
    unsigned flags;         /* PRN_* */
    int arg;                /* IT_CHECK: enum kind_form_op (with PRN_TICKABLE) */
};

struct prn_page_tpl {
    double w, h;            /* page size, mm */
    const struct prn_item *items;
    size_t n;
};

/* Flowing rows (receipt, checklist). */
enum prn_row_kind {
    RW_TITLE,               /* catalogue label, large, centred */
    RW_FIELD,               /* one field, wrapped; skipped when empty */
    RW_TEXT,                /* one catalogue label */
    RW_HEADING,             /* section heading (skipped with its list when the list is empty) */
    RW_RULE,                /* a thin line across */
    RW_FEES,                /* fee lines and the total */
    RW_NEXT,                /* the next steps of the transaction (bulleted) */
    RW_WARN,                /* the warnings of the transaction (bulleted) */
    RW_MATERIALS,           /* the materials of the transaction (tick boxes) */
    RW_QR,                  /* QR of the order number, centred */
};

struct prn_row {
    enum prn_row_kind kind;
    enum msg_id label;
    enum prn_field field;
    double pt;              /* font size at scale 1 */
    unsigned flags;
    int list;               /* RW_HEADING: the list it introduces (RW_NEXT / RW_WARN), 0 none */
};

struct prn_flow_tpl {
    const struct prn_row *rows;
    size_t n;
};



/* Drawing context of one document. */
struct prn_ctx {
    cairo_t *cr;
    PangoLayout *layout;
    PangoFontDescription *font;
    const struct prn_order_doc *in;
    enum msg_lang lang;
    double scale;           /* font scale of a flowing document */
    int dry;                /* measure only, draw nothing */
    int overflows;          /* texts that did not fit */
};

int prn_ctx_init(struct prn_ctx *c, cairo_t *cr, const struct prn_order_doc *in);
void prn_ctx_fini(struct prn_ctx *c);

/* The text of a field for the order (buf used when formatting is needed). */
const char *prn_field_text(const struct prn_ctx *c, enum prn_field f, char *buf, size_t n);

/*
 * Draw TEXT inside the box (mm), wrapping, shrinking the font down to 60 %
 * of PT when it does not fit; if it still does not fit it is clipped and
 * counted in c->overflows. With h <= 0 the box grows: returns the height used (mm).
 */
double prn_text(struct prn_ctx *c, const char *text, double x, double y, double w, double h,
                double pt, unsigned flags);
void prn_frame(struct prn_ctx *c, double x, double y, double w, double h, double line_mm);
void prn_checkbox(struct prn_ctx *c, double x, double y, double side, int ticked);
/* QR of TEXT, side mm; returns 0 or -1 (encoding failed). */
int prn_qr(struct prn_ctx *c, const char *text, double x, double y, double side);

/* Draw a page template. */
void prn_draw_page(struct prn_ctx *c, const struct prn_page_tpl *t);
/* Lay out a flowing template from y0 in a column; returns the bottom y (mm). */
double prn_draw_flow(struct prn_ctx *c, const struct prn_flow_tpl *t, double x, double y0, double w);

/* Templates (doc_*.c). */
extern const struct prn_page_tpl prn_tpl_form;
extern const struct prn_page_tpl prn_tpl_seal;
extern const struct prn_flow_tpl prn_tpl_receipt;
extern const struct prn_flow_tpl prn_tpl_checklist;
extern const struct prn_flow_tpl prn_tpl_bind;
extern const struct prn_flow_tpl prn_tpl_refund;

#endif

/*
 * printing/doc_form.c - template of 数字证书申请表, the application form
 * (A4, seed 002 annex 1): a grid of framed cells, section labels on the left,
 * the ticked 操作类型, the declaration with its three promises (ticked by
 * hand), empty framed boxes for the handwritten signature, date and the
 * company seal, and the order number with its QR code.
 *
 * Columns (mm): section 15-43, label 43-71, value 71-125, label 125-150, value 150-195.
 */
#include "printing/render.h"

#define T(lbl, X, Y, W, H, PT, FL) { .kind = IT_TEXT, .x = X, .y = Y, .w = W, .h = H, .label = lbl, .pt = PT, .flags = FL }
#define V(fld, X, Y, W, H, PT, FL) { .kind = IT_FIELD, .x = X, .y = Y, .w = W, .h = H, .field = fld, .pt = PT, .flags = FL }
#define BOX(X, Y, W, H) { .kind = IT_FRAME, .x = X, .y = Y, .w = W, .h = H }
#define OP(lbl, op, X, Y, W, H) { .kind = IT_CHECK, .x = X, .y = Y, .w = W, .h = H, .label = lbl, .pt = 10, .flags = PRN_TICKABLE, .arg = op }
#define PROMISE(lbl, X, Y, W, H) { .kind = IT_CHECK, .x = X, .y = Y, .w = W, .h = H, .label = lbl, .pt = 9, .flags = PRN_TOP }

#define SEC (PRN_FRAME | PRN_BOLD | PRN_CENTER)   /* section label cell */
#define LBL (PRN_FRAME | PRN_CENTER)              /* field label cell */
#define VAL (PRN_FRAME)                           /* value cell */

static const struct prn_item form_items[] = {
    /* header */
    V(PF_CA_NAME, 15, 8, 150, 7, 11, PRN_CENTER),
    T(M_PRN_DOC_FORM, 15, 15, 150, 11, 20, PRN_BOLD | PRN_CENTER),
    { .kind = IT_QR, .x = 173, .y = 6, .w = 22, .h = 22 },
    V(PF_ORDER_LINE, 120, 28.5, 75, 6, 8.5, PRN_RIGHT),
    T(M_PRN_F_NOTICE, 15, 28.5, 105, 6, 9, 0),

    /* 单位信息 */
    T(M_PRN_F_SEC_COMPANY, 15, 36, 28, 32, 10, SEC),
    T(M_PRN_F_COMPANY, 43, 36, 28, 14, 10, LBL),
    V(PF_COMPANY, 71, 36, 124, 14, 11, VAL),
    T(M_PRN_F_LEGAL_REP, 43, 50, 28, 9, 10, LBL),
    V(PF_LEGAL_REP, 71, 50, 54, 9, 10, VAL),
    T(M_PRN_F_PHONE, 125, 50, 25, 9, 10, LBL),
    V(PF_COMPANY_PHONE, 150, 50, 45, 9, 10, VAL),
    T(M_PRN_F_OFFICE_PHONE, 43, 59, 28, 9, 10, LBL),
    V(PF_OFFICE_PHONE, 71, 59, 54, 9, 10, VAL),
    T(M_PRN_F_WEBSITE, 125, 59, 25, 9, 10, LBL),
    V(PF_WEBSITE, 150, 59, 45, 9, 10, VAL),

    /* 经办人信息 */
    T(M_PRN_F_SEC_OPERATOR, 15, 68, 28, 30, 10, SEC),
    T(M_PRN_F_OPERATOR, 43, 68, 28, 9, 10, LBL),
    V(PF_OPERATOR, 71, 68, 54, 9, 10, VAL),
    T(M_PRN_F_MOBILE, 125, 68, 25, 9, 10, LBL),
    V(PF_OPERATOR_MOBILE, 150, 68, 45, 9, 10, VAL),
    T(M_PRN_F_EMAIL, 43, 77, 28, 9, 10, LBL),
    V(PF_OPERATOR_EMAIL, 71, 77, 54, 9, 10, VAL),
    T(M_PRN_F_WECHAT, 125, 77, 25, 9, 10, LBL),
    V(PF_OPERATOR_WECHAT, 150, 77, 45, 9, 10, VAL),
    T(M_PRN_F_MAIL_ADDR, 43, 86, 28, 12, 10, LBL),
    V(PF_MAIL_ADDRESS, 71, 86, 124, 12, 10, VAL),

    /* 证明资料 */
    T(M_PRN_F_SEC_PROOF, 15, 98, 28, 31, 10, SEC),
    T(M_PRN_F_ID_TYPE, 43, 98, 82, 7, 10, LBL | PRN_BOLD),
    T(M_PRN_F_ID_NUMBER, 125, 98, 70, 7, 10, LBL | PRN_BOLD),
    T(M_PRN_F_USCC, 43, 105, 82, 8, 10, LBL),
    V(PF_USCC, 125, 105, 70, 8, 11, VAL | PRN_CENTER),
    T(M_PRN_F_LEGAL_ID, 43, 113, 82, 8, 10, LBL),
    V(PF_LEGAL_REP_ID, 125, 113, 70, 8, 11, VAL | PRN_CENTER),
    T(M_PRN_F_OPERATOR_ID, 43, 121, 82, 8, 10, LBL),
    V(PF_OPERATOR_ID, 125, 121, 70, 8, 11, VAL | PRN_CENTER),

    /* 证书应用项目 */
    T(M_PRN_F_SEC_APP, 15, 129, 28, 14, 10, SEC),
    V(PF_APP_LINE, 43, 129, 152, 14, 10, VAL),

    /* 操作类型: one box per operation, the transaction's ticked */
    T(M_PRN_F_SEC_OP, 15, 143, 28, 30, 10, SEC),
    BOX(43, 143, 152, 30),
    OP(M_PRN_OP_APPLY, KIND_OP_APPLY, 46, 144, 45, 7),
    OP(M_PRN_OP_RENEW, KIND_OP_RENEW, 96, 144, 45, 7),
    OP(M_PRN_OP_REPLACE, KIND_OP_REPLACE, 146, 144, 45, 7),
    OP(M_PRN_OP_UNLOCK, KIND_OP_UNLOCK, 46, 151, 45, 7),
    OP(M_PRN_OP_OTHER, KIND_OP_OTHER, 96, 151, 20, 7),
    V(PF_OTHER_DESC, 116, 151, 78, 7, 10, 0),
    OP(M_PRN_OP_CHANGE, KIND_OP_CHANGE, 46, 158, 148, 7),
    V(PF_CHANGE_DESC, 50, 164.5, 144, 8.5, 10, PRN_TOP),

    /* 申请单位授权及声明: three promises, ticked by the applicant */
    T(M_PRN_F_SEC_DECL, 15, 173, 28, 35, 10, SEC),
    BOX(43, 173, 152, 35),
    T(M_PRN_F_DECL_HEAD, 45, 174, 148, 6, 9.5, PRN_BOLD),
    PROMISE(M_PRN_F_DECL_1, 46, 180, 147, 6),
    PROMISE(M_PRN_F_DECL_2, 46, 186, 147, 6),
    { .kind = IT_CHECK, .x = 46, .y = 192, .w = 147, .h = 15.5, .field = PF_DECL_3, .pt = 9, .flags = PRN_TOP },

    /* 签署: handwritten signature and date, company seal */
    T(M_PRN_F_SEC_SIGN, 15, 208, 28, 50, 10, SEC),
    BOX(43, 208, 76, 50),
    T(M_PRN_F_SIGNATURE, 45, 209, 72, 6, 10, 0),
    BOX(47, 216, 68, 22),
    T(M_PRN_YMD_BLANK, 45, 240, 70, 7, 10, PRN_RIGHT),
    T(M_PRN_F_SIGN_NOTE, 45, 248, 72, 7, 8.5, PRN_CENTER),
    BOX(119, 208, 76, 50),
    T(M_PRN_F_COMPANY_SEAL, 121, 209, 72, 6, 10, 0),
    BOX(132, 215, 50, 42),

    /* footer */
    V(PF_PRINTED_AT, 15, 261, 90, 6, 8, 0),
    V(PF_ORDER_LINE, 105, 261, 90, 6, 8, PRN_RIGHT),
};

const struct prn_page_tpl prn_tpl_form = {
    .w = 210, .h = 297, .items = form_items, .n = sizeof form_items / sizeof form_items[0],
};

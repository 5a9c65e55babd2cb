/*
 * printing/doc_receipt.c - templates of the flowing documents on the
 * receipt paper (80 mm roll or A5, [printer] receipt_paper): 收据, the
 * receipt, 办理材料清单, the materials checklist of a transaction,
 * 电子签章绑定确认单, window 68's binding confirmation, and 退款凭证, the
 * slip the applicant signs for money paid back on a cancelled order.
 * Rows are laid out top to bottom; empty fields are skipped; lists come
 * from the transaction table (printing/txninfo.c).
 */
#include "printing/render.h"

static const struct prn_row receipt_rows[] = {
    { .kind = RW_FIELD, .field = PF_CA_NAME, .pt = 10, .flags = PRN_CENTER },
    { .kind = RW_FIELD, .field = PF_HALL, .pt = 10, .flags = PRN_CENTER },
    { .kind = RW_TITLE, .label = M_PRN_DOC_RECEIPT, .pt = 16 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_R_ORDER, .pt = 10, .flags = PRN_BOLD },
    { .kind = RW_FIELD, .field = PF_R_WINDOW, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_CLERK, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_TIME, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_TXN, .pt = 9.5, .flags = PRN_BOLD },
    { .kind = RW_FIELD, .field = PF_R_COMPANY, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_OPERATOR, .pt = 9.5 },
    { .kind = RW_RULE },
    { .kind = RW_FEES, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_PAYMENT, .pt = 9.5 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_R_CERT_SERIAL, .pt = 9 },
    { .kind = RW_FIELD, .field = PF_R_VALIDITY, .pt = 9 },
    { .kind = RW_FIELD, .field = PF_R_KEY_SERIAL, .pt = 9 },
    { .kind = RW_HEADING, .label = M_PRN_R_NEXT, .pt = 10, .list = RW_NEXT },
    { .kind = RW_NEXT, .pt = 9 },
    { .kind = RW_HEADING, .label = M_PRN_R_WARN, .pt = 10, .list = RW_WARN },
    { .kind = RW_WARN, .pt = 9 },
    { .kind = RW_QR },
    { .kind = RW_TEXT, .label = M_PRN_R_KEEP, .pt = 8, .flags = PRN_CENTER },
};

const struct prn_flow_tpl prn_tpl_receipt = {
    .rows = receipt_rows, .n = sizeof receipt_rows / sizeof receipt_rows[0],
};

static const struct prn_row checklist_rows[] = {
    { .kind = RW_FIELD, .field = PF_CA_NAME, .pt = 10, .flags = PRN_CENTER },
    { .kind = RW_TITLE, .label = M_PRN_DOC_CHECKLIST, .pt = 16 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_R_ORDER, .pt = 10, .flags = PRN_BOLD },
    { .kind = RW_FIELD, .field = PF_R_COMPANY, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_C_INTRO, .pt = 10.5, .flags = PRN_BOLD },
    { .kind = RW_MATERIALS, .pt = 10 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_C_FEE, .pt = 10 },
    { .kind = RW_TEXT, .label = M_PRN_C_HOURS, .pt = 9 },
    { .kind = RW_FIELD, .field = PF_HALL, .pt = 9 },
    { .kind = RW_QR },
    { .kind = RW_FIELD, .field = PF_PRINTED_AT, .pt = 8, .flags = PRN_CENTER },
};

const struct prn_flow_tpl prn_tpl_checklist = {
    .rows = checklist_rows, .n = sizeof checklist_rows / sizeof checklist_rows[0],
};

/* 电子签章绑定确认单: what window 68 bound, for the applicant to keep. */
static const struct prn_row bind_rows[] = {
    { .kind = RW_FIELD, .field = PF_HALL, .pt = 10, .flags = PRN_CENTER },
    { .kind = RW_FIELD, .field = PF_CA_NAME, .pt = 9, .flags = PRN_CENTER },
    { .kind = RW_TITLE, .label = M_PRN_DOC_BIND, .pt = 16 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_R_ORDER, .pt = 10, .flags = PRN_BOLD },
    { .kind = RW_FIELD, .field = PF_R_WINDOW, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_CLERK, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_TIME, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_COMPANY, .pt = 9.5 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_B_SEAL_ID, .pt = 10, .flags = PRN_BOLD },
    { .kind = RW_FIELD, .field = PF_B_SEAL_KIND, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_B_SEAL_NAME, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_B_SEAL_IMAGE, .pt = 9 },
    { .kind = RW_FIELD, .field = PF_B_REBIND, .pt = 9 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_R_CERT_SERIAL, .pt = 9 },
    { .kind = RW_FIELD, .field = PF_R_VALIDITY, .pt = 9 },
    { .kind = RW_FIELD, .field = PF_B_CERT_FPR, .pt = 8 },
    { .kind = RW_FIELD, .field = PF_R_KEY_SERIAL, .pt = 9 },
    { .kind = RW_HEADING, .label = M_PRN_R_NEXT, .pt = 10, .list = RW_NEXT },
    { .kind = RW_NEXT, .pt = 9 },
    { .kind = RW_QR },
    { .kind = RW_TEXT, .label = M_PRN_B_KEEP, .pt = 8, .flags = PRN_CENTER },
};

const struct prn_flow_tpl prn_tpl_bind = {
    .rows = bind_rows, .n = sizeof bind_rows / sizeof bind_rows[0],
};

/* 退款凭证: money paid back for a cancelled order; the applicant signs it
 * for the counter's records and keeps a copy. */
static const struct prn_row refund_rows[] = {
    { .kind = RW_FIELD, .field = PF_CA_NAME, .pt = 10, .flags = PRN_CENTER },
    { .kind = RW_FIELD, .field = PF_HALL, .pt = 10, .flags = PRN_CENTER },
    { .kind = RW_TITLE, .label = M_PRN_DOC_REFUND, .pt = 16 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_R_ORDER, .pt = 10, .flags = PRN_BOLD },
    { .kind = RW_FIELD, .field = PF_R_WINDOW, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_CLERK, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_TIME, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_TXN, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_COMPANY, .pt = 9.5 },
    { .kind = RW_FIELD, .field = PF_R_OPERATOR, .pt = 9.5 },
    { .kind = RW_RULE },
    { .kind = RW_FIELD, .field = PF_RF_AMOUNT, .pt = 11, .flags = PRN_BOLD },
    { .kind = RW_FIELD, .field = PF_RF_REASON, .pt = 9.5 },
    { .kind = RW_RULE },
    { .kind = RW_TEXT, .label = M_PRN_RF_SIGN, .pt = 10 },
    { .kind = RW_TEXT, .label = M_PRN_RF_KEEP, .pt = 8, .flags = PRN_CENTER },
    { .kind = RW_QR },
};

const struct prn_flow_tpl prn_tpl_refund = {
    .rows = refund_rows, .n = sizeof refund_rows / sizeof refund_rows[0],
};

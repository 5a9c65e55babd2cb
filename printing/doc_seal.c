/*
 * printing/doc_seal.c - template of 电子印章取样表, the seal-sampling sheet
 * (A4, seed 002 annex 2): company and operator, two framed empty stamp boxes
 * (70 x 58 mm, well over the 40 mm a seal needs) each with the instruction
 * for the certificate kind (company seal / legal-person seal + signature),
 * the sampling notes, the operator's signature and date line.
 */
#include "printing/render.h"

#define T(lbl, X, Y, W, H, PT, FL) { .kind = IT_TEXT, .x = X, .y = Y, .w = W, .h = H, .label = lbl, .pt = PT, .flags = FL }
#define V(fld, X, Y, W, H, PT, FL) { .kind = IT_FIELD, .x = X, .y = Y, .w = W, .h = H, .field = fld, .pt = PT, .flags = FL }
#define BOX(X, Y, W, H) { .kind = IT_FRAME, .x = X, .y = Y, .w = W, .h = H }

/* One sampling row at Y: instructions on the left, the stamp box on the right. */
#define SAMPLE_ROW(lbl, Y) \
    BOX(15, Y, 62, 74), \
    T(lbl, 17, (Y) + 3, 58, 8, 12, PRN_BOLD | PRN_CENTER), \
    T(M_PRN_S_BOX_HINT, 17, (Y) + 12, 58, 12, 9, PRN_CENTER), \
    V(PF_SEAL_KIND, 17, (Y) + 28, 58, 40, 10, PRN_TOP), \
    BOX(77, Y, 118, 74), \
    BOX(101, (Y) + 8, 70, 58)

static const struct prn_item seal_items[] = {
    V(PF_CA_NAME, 15, 8, 150, 7, 11, PRN_CENTER),
    T(M_PRN_DOC_SEAL, 15, 15, 150, 11, 20, PRN_BOLD | PRN_CENTER),
    { .kind = IT_QR, .x = 173, .y = 6, .w = 22, .h = 22 },
    V(PF_ORDER_LINE, 120, 28.5, 75, 6, 8.5, PRN_RIGHT),

    T(M_PRN_S_COMPANY, 15, 36, 25, 16, 10.5, PRN_FRAME | PRN_CENTER | PRN_BOLD),
    V(PF_COMPANY, 40, 36, 90, 16, 11, PRN_FRAME),
    T(M_PRN_S_OPERATOR, 130, 36, 20, 16, 10.5, PRN_FRAME | PRN_CENTER | PRN_BOLD),
    V(PF_OPERATOR, 150, 36, 45, 16, 11, PRN_FRAME | PRN_CENTER),

    SAMPLE_ROW(M_PRN_S_BOX1, 52),
    SAMPLE_ROW(M_PRN_S_BOX2, 126),

    T(M_PRN_S_NOTE, 15, 200, 180, 24, 10, PRN_FRAME),
    BOX(15, 224, 180, 34),
    T(M_PRN_S_CONFIRM, 18, 227, 100, 8, 11, 0),
    T(M_PRN_YMD_BLANK, 110, 246, 80, 8, 11, PRN_RIGHT),

    V(PF_PRINTED_AT, 15, 261, 90, 6, 8, 0),
    V(PF_ORDER_LINE, 105, 261, 90, 6, 8, PRN_RIGHT),
};

const struct prn_page_tpl prn_tpl_seal = {
    .w = 210, .h = 297, .items = seal_items, .n = sizeof seal_items / sizeof seal_items[0],
};

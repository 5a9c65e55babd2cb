/*
 * kiosk/qrtext.c - QR code to half-block text lines (see qrtext.h).
 */
#include "kiosk/qrtext.h"

#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define UPPER "\xe2\x96\x80" /* ▀ U+2580 */
#define LOWER "\xe2\x96\x84" /* ▄ U+2584 */
#define FULL  "\xe2\x96\x88" /* █ U+2588 */

bool
qrtext_dark(const struct qrtext *q, int x, int y)
{
    if (x < 0 || y < 0 || x >= q->side || y >= q->side)
        return false;
    return q->matrix[(size_t)y * (size_t)q->side + (size_t)x] != 0;
}

void
qrtext_free(struct qrtext *q)
{
    if (q->lines != NULL)
        for (int r = 0; r < q->rows; r++)
            free(q->lines[r]);
    free(q->lines);
    free(q->matrix);
    memset(q, 0, sizeof *q);
}

/* Build matrix and lines from a libqrencode symbol. Returns 0 or -1 (ENOMEM). */
static int
layout(const QRcode *code, char level, int quiet, bool invert, struct qrtext *q)
{
    memset(q, 0, sizeof *q);
    q->version = code->version;
    q->level = level;
    q->quiet = quiet;
    q->modules = code->width;
    q->side = code->width + 2 * quiet;
    q->cols = q->side;
    q->rows = (q->side + 1) / 2;
    q->matrix = calloc((size_t)q->side * (size_t)q->side, 1);
    q->lines = calloc((size_t)q->rows, sizeof *q->lines);
    if (q->matrix == NULL || q->lines == NULL)
        goto nomem;
    for (int y = 0; y < code->width; y++)
        for (int x = 0; x < code->width; x++)
            q->matrix[(size_t)(y + quiet) * (size_t)q->side + (size_t)(x + quiet)] =
                code->data[y * code->width + x] & 1;
    for (int r = 0; r < q->rows; r++) {
        char *p = malloc((size_t)q->cols * 3 + 1);
        if (p == NULL)
            goto nomem;
        q->lines[r] = p;
        for (int x = 0; x < q->cols; x++) {
            bool top = qrtext_dark(q, x, 2 * r) != invert;
            /* past the last matrix row is quiet zone: light */
            bool bot = (2 * r + 1 < q->side ? qrtext_dark(q, x, 2 * r + 1) : false) != invert;
            const char *cell = top && bot ? FULL : top ? UPPER : bot ? LOWER : " ";
            size_t len = strlen(cell);
            memcpy(p, cell, len);
            p += len;
        }
        *p = '\0';
    }
    return 0;
nomem:
    qrtext_free(q);
    errno = ENOMEM;
    return -1;
}

int
qrtext_make(const char *text, int max_cols, int max_rows, bool invert, struct qrtext *q)
{
    static const int quiets[] = { 4, 2, 1 };
    static const struct { QRecLevel lv; char name; } levels[] = { { QR_ECLEVEL_M, 'M' },
                                                                   { QR_ECLEVEL_L, 'L' } };
    QRcode *codes[2] = { NULL, NULL };
    int rc = -2;

    memset(q, 0, sizeof *q);
    for (int l = 0; l < 2; l++) {
        codes[l] = QRcode_encodeString(text, 0, levels[l].lv, QR_MODE_8, 1);
        if (codes[l] == NULL) {
            rc = -1;
            goto out;
        }
    }
    for (size_t qi = 0; qi < sizeof quiets / sizeof quiets[0]; qi++) {
        for (int l = 0; l < 2; l++) {
            int side = codes[l]->width + 2 * quiets[qi];
            if (side <= max_cols && (side + 1) / 2 <= max_rows) {
                rc = layout(codes[l], levels[l].name, quiets[qi], invert, q);
                goto out;
            }
        }
    }
out:
    for (int l = 0; l < 2; l++)
        if (codes[l] != NULL)
            QRcode_free(codes[l]);
    return rc;
}

/*
 * kiosk/qrtext.h - a QR code as lines of Unicode half blocks for the terminal.
 *
 * libqrencode makes the module matrix; two module rows share one text row:
 * upper dark = "▀", lower dark = "▄", both = "█", neither = " ". The
 * error-correction level and quiet zone are chosen so the code fits a budget
 * of cells (see qrtext_make). Pure: no terminal, no files.
 *
 * Drawing: dark modules are the foreground. On a light-on-dark terminal draw
 * the lines in reverse video or dark-on-light colours (or ask for INVERT),
 * because scanners want dark modules on a light ground.
 */
#ifndef KIOSK_QRTEXT_H
#define KIOSK_QRTEXT_H

#include <stdbool.h>
#include <stddef.h>

struct qrtext {
    int   version;      /* QR version 1..40 chosen by libqrencode */
    char  level;        /* 'M' or 'L' */
    int   quiet;        /* quiet zone in modules on every side */
    int   modules;      /* symbol side without quiet zone (17 + 4*version) */
    int   side;         /* modules + 2*quiet: side of matrix[] */
    unsigned char *matrix; /* side*side, 1 = dark, row-major, quiet zone included */
    int   cols;         /* text columns = side */
    int   rows;         /* text rows = ceil(side / 2) */
    char **lines;       /* rows UTF-8 strings of cols cells each */
};

/*
 * Encode TEXT (8-bit mode, case kept) and lay it out to fit MAX_COLS x
 * MAX_ROWS cells. Tries, in order, quiet zone 4, 2, 1, and for each quiet
 * zone level M then L (a wider quiet zone helps a phone camera more than the
 * extra error correction on a screen that cannot get dirty), taking the first
 * that fits. INVERT swaps dark and light in lines[] (not in matrix[]).
 * Returns 0 and fills *q (free with qrtext_free), -1 when the text cannot be
 * encoded (errno from libqrencode, e.g. ERANGE: too long), -2 when no
 * combination fits the budget (*q zeroed).
 */
int qrtext_make(const char *text, int max_cols, int max_rows, bool invert, struct qrtext *q);

/* Dark at module (x, y) of the matrix (quiet zone included); out of range = light. */
bool qrtext_dark(const struct qrtext *q, int x, int y);

/* Free what qrtext_make allocated; *q is zeroed. Safe on a zeroed struct. */
void qrtext_free(struct qrtext *q);

#endif

/*
 * tests/fuzz/fuzz_textw.c - libFuzzer target: text width and clipping
 * (kiosk/textw.c) on any bytes, invalid UTF-8 included: widths, column and
 * byte conversions, clipping, sanitising, padding and ellipsizing into
 * small and large buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/textw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s, small[8], big[512];
    int cols, used;
    size_t b;

    if (size < 1)
        return 0;
    cols = data[0] % 64;
    s = malloc(size);
    if (s == NULL)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    (void)textw_width(s);
    (void)textw_width_n(s, (size - 1) / 2);
    (void)textw_chars(s);
    b = textw_byte_of_char(s, (size_t)cols);
    if (b > size - 1)
        abort();
    (void)textw_col_of_byte(s, b);
    if (textw_byte_of_col(s, cols) > size - 1)
        abort();
    if (textw_clip(s, cols, &used) > size - 1 || used > cols)
        abort();
    (void)textw_sanitize(small, sizeof small, s);
    (void)textw_sanitize(big, sizeof big, s);
    (void)textw_pad(small, sizeof small, s, cols, TEXTW_LEFT);
    (void)textw_pad(big, sizeof big, s, cols, TEXTW_RIGHT);
    (void)textw_ellipsize(small, sizeof small, s, cols);
    (void)textw_ellipsize(big, sizeof big, s, cols);
    free(s);
    return 0;
}

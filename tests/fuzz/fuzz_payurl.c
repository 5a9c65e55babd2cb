/*
 * tests/fuzz/fuzz_payurl.c - libFuzzer target: building and checking a
 * payment request URL (kiosk/payurl.c) from any template and order number,
 * into small and large buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/payurl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char key[] = "fuzz-key-0123456789";
    char *tmpl, order[40], out[2048], small[16], err[256];
    size_t split;
    long fen;

    if (size < 2)
        return 0;
    split = data[0] % 32;
    if (split > size - 1)
        split = size - 1;
    memcpy(order, data + 1, split);
    order[split] = '\0';
    tmpl = malloc(size - split);
    if (tmpl == NULL)
        return 0;
    memcpy(tmpl, data + 1 + split, size - 1 - split);
    tmpl[size - 1 - split] = '\0';
    fen = (long)data[0] * 997;
    if (payurl_build(tmpl, order, fen, key, sizeof key - 1, out, sizeof out, err, sizeof err) == 0 &&
        strlen(out) >= sizeof out)
        abort();
    (void)payurl_build(tmpl, order, fen, key, sizeof key - 1, small, sizeof small, NULL, 0);
    free(tmpl);
    return 0;
}

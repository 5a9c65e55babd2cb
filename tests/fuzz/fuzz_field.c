/*
 * tests/fuzz/fuzz_field.c - libFuzzer target: editing a field (kiosk/field.c)
 * with any keystrokes and pastes, invalid UTF-8 included. The first bytes
 * choose the limit, the flags and the window width; then each byte is an
 * operation (insert a character, paste the next bytes, delete, move, view).
 * The text must stay valid, NUL-terminated UTF-8 within the limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "kiosk/field.h"
#include "kiosk/textw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct field f;
    struct field_view v;
    char paste[64];
    size_t i, n, max;
    int width;

    if (size < 3)
        return 0;
    max = data[0] % 80;
    field_init(&f, max, data[1]);
    width = 1 + data[2] % 40;
    for (i = 3; i < size; i++) {
        switch (data[i] % 10) {
        case 0:
            n = i + 1 < size ? data[i + 1] % sizeof paste : 0;
            if (n > size - i - 1)
                n = size - i - 1;
            memcpy(paste, data + i + 1, n);
            paste[n < sizeof paste ? n : sizeof paste - 1] = '\0';
            (void)field_insert_str(&f, paste);
            i += n;
            break;
        case 1: (void)field_insert(&f, (wchar_t)(data[i] * 0x101 + (i < size - 1 ? data[i + 1] : 0))); break;
        case 2: (void)field_backspace(&f); break;
        case 3: (void)field_delete(&f); break;
        case 4: (void)field_left(&f); break;
        case 5: (void)field_right(&f); break;
        case 6: (void)field_home(&f); break;
        case 7: (void)field_end(&f); break;
        case 8: field_view(&f, width, &v); if (v.cols > width) abort(); break;
        default: (void)field_insert(&f, (wchar_t)data[i]); break;
        }
        if (field_chars(&f) > (max < 1 ? 1 : max) || textw_chars(field_text(&f)) != field_chars(&f))
            abort();
    }
    (void)field_set(&f, (const char *)paste);
    field_clear(&f);
    return 0;
}

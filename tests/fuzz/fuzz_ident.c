/*
 * tests/fuzz/fuzz_ident.c - libFuzzer target: the identifier and money
 * validators (kiosk/rules.c) on any bytes. The first byte picks the
 * validator; the rest is the text (NUL-terminated copy). Nothing may crash,
 * read out of bounds or overflow; a value said valid must be stable under
 * the canonical form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct rules_date today = { 2026, 12, 1 };
    char *s, out[64];
    long fen;

    if (size < 1)
        return 0;
    s = malloc(size);
    if (s == NULL)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    switch (data[0] % 8) {
    case 0:
        if (rules_uscc(s) == RULES_OK && rules_uscc(rules_canon_ident(s)) != RULES_OK)
            abort();
        break;
    case 1:
        (void)rules_resident_id(s, &today);
        (void)rules_mask_id(s, out, sizeof out);
        (void)rules_mask_id(s, out, 3);
        break;
    case 2: (void)rules_mobile(s); break;
    case 3: (void)rules_email(s); break;
    case 4: (void)rules_pin(s); (void)rules_pin_confirm(s, s); break;
    case 5:
        if (rules_money_parse(s, &fen) == 0 && (fen < 0 || fen > RULES_MONEY_MAX))
            abort();
        break;
    case 6: {
        long v = 0;
        memcpy(&v, s, size - 1 < sizeof v ? size - 1 : sizeof v);
        (void)rules_money_format(v, out, sizeof out);
        (void)rules_money_format(v, out, 4);
        break;
    }
    default: (void)rules_canon_ident(s); (void)rules_required(s); break;
    }
    free(s);
    return 0;
}

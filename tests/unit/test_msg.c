/*
 * tests/unit/test_msg.c - the catalogue (kiosk/msg.c): every entry has a
 * Chinese and an English text, and both take the same printf arguments in
 * the same order, so msg_fmt() is safe in either language.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "kiosk/msg.h"

/* The conversions of printf template S (flags and width dropped, "%%"
 * skipped) as one letter each, e.g. "%s ... %d" -> "sd". Length modifiers
 * are kept ("%ld" -> "ld"). Returns -1 on a malformed directive. */
static int
conversions(const char *s, char *out, size_t n)
{
    size_t k = 0;

    for (; *s != '\0'; s++) {
        if (*s != '%')
            continue;
        s++;
        if (*s == '%')
            continue;
        while (*s != '\0' && strchr("-+ #0123456789.*", *s) != NULL)
            s++;
        while (*s != '\0' && strchr("hlqjzt", *s) != NULL) {
            if (k + 1 < n)
                out[k++] = *s;
            s++;
        }
        if (*s == '\0' || strchr("sdiuxXcfegp", *s) == NULL)
            return -1;
        if (k + 1 < n)
            out[k++] = *s;
        if (k + 1 < n)
            out[k++] = ',';
    }
    out[k] = '\0';
    return 0;
}

static void
test_conversions_parser(void **state)
{
    char b[64];

    (void)state;
    assert_int_equal(conversions("剩余 %d 天，%s", b, sizeof b), 0);
    assert_string_equal(b, "d,s,");
    assert_int_equal(conversions("100%% %-8ld", b, sizeof b), 0);
    assert_string_equal(b, "ld,");
    assert_int_equal(conversions("bad %y", b, sizeof b), -1);
}

static void
test_same_arguments(void **state)
{
    char zh[128], en[128];
    int id, bad = 0;

    (void)state;
    for (id = 0; id < MSG__COUNT; id++) {
        const char *z = msg_in((enum msg_id)id, LANG_ZH), *e = msg_in((enum msg_id)id, LANG_EN);
        if (z == NULL || e == NULL || z[0] == '\0' || e[0] == '\0') {
            printf("# entry %d has an empty text\n", id);
            bad++;
            continue;
        }
        if (conversions(z, zh, sizeof zh) != 0 || conversions(e, en, sizeof en) != 0 || strcmp(zh, en) != 0) {
            printf("# entry %d: zh \"%s\" takes [%s], en \"%s\" takes [%s]\n", id, z, zh, e, en);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversions_parser),
        cmocka_unit_test(test_same_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

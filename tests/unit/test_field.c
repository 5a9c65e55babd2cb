/*
 * tests/unit/test_field.c - the CJK edit field model (kiosk/field.c): insert,
 * backspace by character, motion, limits, flags, masking and horizontal
 * scrolling in narrow windows, plus an invariant check over random edits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "kiosk/engine.h"
#include "kiosk/field.h"
#include "kiosk/form.h"
#include "kiosk/msg.h"
#include "kiosk/textw.h"

static int
setup_locale(void **state)
{
    (void)state;
    return setlocale(LC_ALL, "C.UTF-8") == NULL ? -1 : 0;
}

static void
test_edit_chinese(void **state)
{
    struct field f;
    (void)state;

    field_init(&f, 40, 0);
    assert_int_equal(field_insert_str(&f, "天津市"), 3);
    assert_string_equal(field_text(&f), "天津市");
    assert_int_equal(field_chars(&f), 3);
    assert_int_equal(f.len, 9);
    assert_true(field_backspace(&f));          /* one character, three bytes */
    assert_string_equal(field_text(&f), "天津");
    assert_true(field_left(&f));
    assert_int_equal(field_insert(&f, L'A'), 0);
    assert_string_equal(field_text(&f), "天A津");
    assert_int_equal(f.cursor, 2);
    assert_true(field_home(&f));
    assert_false(field_home(&f));
    assert_false(field_backspace(&f));         /* nothing before the cursor */
    assert_true(field_delete(&f));
    assert_string_equal(field_text(&f), "A津");
    assert_true(field_end(&f));
    assert_false(field_delete(&f));            /* nothing under the cursor */
    assert_false(field_right(&f));
    assert_int_equal(field_insert(&f, 0x6E2F), 0); /* 港 */
    assert_string_equal(field_text(&f), "A津港");
    field_clear(&f);
    assert_string_equal(field_text(&f), "");
    assert_int_equal(field_chars(&f), 0);
}

static void
test_limits_and_flags(void **state)
{
    struct field f;
    (void)state;

    field_init(&f, 4, 0);
    assert_int_equal(field_insert_str(&f, "北京数字认证"), 4);  /* limit counts characters */
    assert_string_equal(field_text(&f), "北京数字");
    assert_int_equal(field_insert(&f, L'x'), -1);
    assert_int_equal(field_insert(&f, L'\n'), -1);
    assert_int_equal(field_set(&f, "北京数字认证"), -1);     /* cut */
    assert_string_equal(field_text(&f), "北京数字");
    assert_int_equal(f.cursor, 4);

    field_init(&f, 18, FIELD_ASCII | FIELD_UPPER);
    assert_int_equal(field_insert_str(&f, "91350100m000100y43"), 18);
    assert_string_equal(field_text(&f), "91350100M000100Y43");
    assert_int_equal(field_insert(&f, 0x4E2D), -1);

    field_init(&f, 11, FIELD_DIGITS);
    assert_int_equal(field_insert(&f, L'a'), -1);
    assert_int_equal(field_insert_str(&f, "138"), 3);

    field_init(&f, 10, 0);
    assert_int_equal(field_set(&f, "a\xff" "b"), 0);        /* bad byte kept as U+FFFD */
    assert_string_equal(field_text(&f), "a\xef\xbf\xbd" "b");
    field_init(&f, 10, FIELD_ASCII);
    assert_int_equal(field_set(&f, "a\xff" "b"), -1);
    assert_string_equal(field_text(&f), "ab");
    field_init(&f, 10, 0);
    assert_int_equal(field_insert(&f, 0x0301), -1);          /* lone combining mark */
}

static void
test_mask(void **state)
{
    struct field f;
    struct field_view v;
    (void)state;

    field_init(&f, 16, FIELD_MASK);
    assert_int_equal(field_insert_str(&f, "abc123"), 6);
    assert_int_equal(field_insert(&f, 0x4E2D), -1);          /* no IME text in a PIN */
    assert_int_equal(field_insert(&f, L' '), -1);
    field_view(&f, 20, &v);
    assert_string_equal(v.text, "******");
    assert_int_equal(v.cursor_col, 6);
    assert_string_equal(field_text(&f), "abc123");
    field_view(&f, 4, &v);                                    /* scrolled */
    assert_string_equal(v.text, "***");
    assert_int_equal(v.cursor_col, 3);
    assert_true(v.more_left);
}

static void
test_scroll(void **state)
{
    struct field f;
    struct field_view v;
    (void)state;

    field_init(&f, 40, 0);
    field_set(&f, "中华人民共和国");   /* 14 columns, cursor at the end */
    field_view(&f, 6, &v);
    assert_string_equal(v.text, "和国");
    assert_int_equal(v.cursor_col, 4);
    assert_true(v.more_left);
    assert_false(v.more_right);

    field_home(&f);
    field_view(&f, 6, &v);
    assert_string_equal(v.text, "中华人");
    assert_int_equal(v.cursor_col, 0);
    assert_true(v.more_right);
    assert_false(v.more_left);

    field_right(&f);
    field_right(&f);
    field_view(&f, 6, &v);             /* cursor on 人: still visible, no scroll */
    assert_string_equal(v.text, "中华人");
    assert_int_equal(v.cursor_col, 4);
    field_right(&f);                   /* cursor on 民: needs 2 more columns */
    field_view(&f, 6, &v);
    assert_string_equal(v.text, "华人民");
    assert_int_equal(v.cursor_col, 4);
    assert_int_equal(v.cols, 6);

    /* odd width: never half a wide character */
    field_end(&f);
    field_view(&f, 7, &v);
    assert_string_equal(v.text, "共和国");
    assert_int_equal(v.cursor_col, 6);

    /* deleting brings hidden text back from the left */
    field_init(&f, 40, 0);
    field_set(&f, "abcdefghij");
    field_view(&f, 5, &v);
    assert_string_equal(v.text, "ghij");
    field_backspace(&f);
    field_backspace(&f);
    field_backspace(&f);
    field_view(&f, 5, &v);
    assert_string_equal(v.text, "defg");
    assert_int_equal(v.cursor_col, 4);

    /* a window narrower than a wide character does not loop */
    field_init(&f, 4, 0);
    field_set(&f, "中");
    field_home(&f);
    field_view(&f, 1, &v);
    assert_string_equal(v.text, "");
    assert_int_equal(v.cursor_col, 0);
}

/* Random edits on mixed text; after each, the view's invariants hold. */
static void
test_view_invariants(void **state)
{
    static const wchar_t alphabet[] = { L'a', L'Z', L'1', 0x4E2D, 0x6587, 0x3000, 0xFF21, 0x1F600 };
    unsigned long rnd = 12345;
    struct field f;
    (void)state;

    for (int width = 2; width <= 12; width++) {
        field_init(&f, 30, 0);
        for (int step = 0; step < 600; step++) {
            struct field_view v;
            int op;
            rnd = rnd * 6364136223846793005UL + 1442695040888963407UL;
            op = (int)((rnd >> 33) % 8);
            switch (op) {
            case 0: case 1: case 2:
                field_insert(&f, alphabet[(rnd >> 40) % (sizeof alphabet / sizeof alphabet[0])]);
                break;
            case 3: field_backspace(&f); break;
            case 4: field_delete(&f); break;
            case 5: field_left(&f); break;
            case 6: field_right(&f); break;
            default: if ((rnd >> 50) & 1) field_home(&f); else field_end(&f); break;
            }
            field_view(&f, width, &v);
            assert_true(v.cols <= width);
            assert_int_equal(textw_width(v.text), v.cols);
            assert_true(v.cursor_col >= 0 && v.cursor_col < width);
            /* the character under the cursor is wholly inside the window */
            if (f.cursor < f.nchars) {
                wchar_t wc;
                textw_decode(f.buf + textw_byte_of_char(f.buf, f.cursor), 4, &wc);
                assert_true(v.cursor_col + textw_wcwidth(wc) <= width);
            }
            assert_int_equal(textw_chars(field_text(&f)), field_chars(&f));
            assert_int_equal(strlen(field_text(&f)), f.len);
            /* the slice is the text from the scroll offset */
            assert_memory_equal(v.text, f.buf + textw_byte_of_char(f.buf, f.scroll), strlen(v.text));
        }
    }
}

/* Nothing typed disappears without a word (issue 14): a refused character
 * or one past the limit is said at the field; the next one taken clears it. */
static void
test_form_says_what_it_refused(void **state)
{
    static const struct txn_field items[] = {
        { "mobile", M_TXN_F_MOBILE, 3, FIELD_DIGITS, true, NULL, NULL },
        { "uscc", M_TXN_F_USCC, 18, FIELD_ASCII | FIELD_UPPER, true, NULL, NULL },
        { "name", M_TXN_F_COMPANY, 40, 0, true, NULL, NULL },
    };
    static const char zhang[] = "张";
    struct form fm;
    size_t i;

    (void)state;
    msg_set_lang(LANG_ZH);
    form_init(&fm, items, 3);
    assert_int_equal(form_key(&fm, 'a'), FORM_CHANGED);
    assert_string_equal(form_text(&fm, 0), "");
    assert_non_null(strstr(fm.err[0], "只能输入数字"));
    assert_non_null(strstr(fm.err[0], "“a”"));
    form_key(&fm, '1');
    assert_string_equal(fm.err[0], "");                 /* the next one taken clears it */
    form_key(&fm, '2');
    form_key(&fm, '3');
    form_key(&fm, '4');                                 /* past the limit of 3 */
    assert_string_equal(form_text(&fm, 0), "123");
    assert_non_null(strstr(fm.err[0], "最多 3 个字"));
    assert_non_null(strstr(fm.err[0], "“4”"));
    fm.focus = 1;
    for (i = 0; zhang[i] != '\0'; i++)                  /* a Chinese character, byte by byte */
        form_key(&fm, (unsigned char)zhang[i]);
    assert_string_equal(form_text(&fm, 1), "");
    assert_non_null(strstr(fm.err[1], "“张”"));
    fm.focus = 2;
    for (i = 0; zhang[i] != '\0'; i++)
        form_key(&fm, (unsigned char)zhang[i]);
    assert_string_equal(form_text(&fm, 2), "张");
    assert_string_equal(fm.err[2], "");
    form_key(&fm, 1);                                   /* a control key says nothing */
    assert_string_equal(fm.err[2], "");
}

/* A PIN field is kept out of swap, and cleared to the last byte. */
static void
test_pin_field_locked_and_wiped(void **state)
{
    static struct field f;
    char line[128];
    long kb = -1;
    FILE *st;
    size_t i;

    (void)state;
    field_init(&f, 16, FIELD_MASK | FIELD_ASCII);
    assert_int_equal(field_insert_str(&f, "Kx7#pq29"), 8);
    st = fopen("/proc/self/status", "r");
    assert_non_null(st);
    while (fgets(line, sizeof line, st) != NULL)
        if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
            break;
    fclose(st);
#ifndef __SANITIZE_ADDRESS__
    assert_true(kb > 0);
#else
    (void)kb;       /* AddressSanitizer makes mlock a no-op: the plain build (build/tests) checks it */
#endif
    field_clear(&f);
    for (i = 0; i < sizeof f.buf; i++)
        assert_int_equal(f.buf[i], 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edit_chinese),
        cmocka_unit_test(test_limits_and_flags),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_scroll),
        cmocka_unit_test(test_view_invariants),
        cmocka_unit_test(test_form_says_what_it_refused),
        cmocka_unit_test(test_pin_field_locked_and_wiped),
    };
    return cmocka_run_group_tests(tests, setup_locale, NULL);
}

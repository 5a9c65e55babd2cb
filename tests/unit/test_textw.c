/*
 * tests/unit/test_textw.c - UTF-8 decoding and column arithmetic (kiosk/textw.c)
 * with Chinese, emoji, combining marks and malformed bytes, under C.UTF-8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "kiosk/textw.h"

static int
setup_locale(void **state)
{
    (void)state;
    return setlocale(LC_ALL, "C.UTF-8") == NULL ? -1 : 0;
}

static void
test_decode(void **state)
{
    static const struct {
        const char *s;
        size_t n;        /* bytes available */
        wchar_t want;
        size_t used;
    } cases[] = {
        { "A", 1, L'A', 1 },
        { "\xc3\xa9", 2, 0xE9, 2 },            /* é */
        { "中", 3, 0x4E2D, 3 },
        { "\xf0\x9f\x98\x80", 4, 0x1F600, 4 }, /* 😀 */
        { "\xff", 1, 0xFFFD, 1 },              /* never valid */
        { "\x80", 1, 0xFFFD, 1 },              /* stray continuation */
        { "\xc0\xaf", 2, 0xFFFD, 1 },          /* overlong '/' */
        { "\xe0\x80\xaf", 3, 0xFFFD, 1 },      /* overlong */
        { "\xed\xa0\x80", 3, 0xFFFD, 1 },      /* surrogate */
        { "\xf4\x90\x80\x80", 4, 0xFFFD, 1 },  /* > U+10FFFF */
        { "\xe4\xb8", 2, 0xFFFD, 1 },          /* truncated by n */
        { "\xe4\xb8" "A", 3, 0xFFFD, 1 },      /* truncated by the next char */
        { "", 1, 0, 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wchar_t wc = 1;
        size_t k = textw_decode(cases[i].s, cases[i].n, &wc);
        if (k != cases[i].used || wc != cases[i].want)
            fail_msg("case %zu: got U+%04X/%zu want U+%04X/%zu", i, (unsigned)wc, k,
                     (unsigned)cases[i].want, cases[i].used);
    }
}

static void
test_encode_roundtrip(void **state)
{
    static const wchar_t cps[] = { 0x41, 0xE9, 0x4E2D, 0x3000, 0xFFFD, 0x1F600, 0x10FFFF };
    char buf[5];
    wchar_t back;
    (void)state;
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        size_t k = textw_encode(cps[i], buf);
        assert_true(k >= 1 && k <= 4);
        buf[k] = '\0';
        assert_int_equal(textw_decode(buf, k, &back), k);
        assert_int_equal(back, cps[i]);
    }
    assert_int_equal(textw_encode(0xD800, buf), 0);
    assert_int_equal(textw_encode(0x110000, buf), 0);
}

static void
test_width(void **state)
{
    static const struct { const char *s; int cols; size_t chars; } cases[] = {
        { "", 0, 0 },
        { "abc", 3, 3 },
        { "中文abc", 7, 5 },
        { "统一社会信用代码", 16, 8 },
        { "Ａ", 2, 1 },                   /* fullwidth A */
        { "\xf0\x9f\x98\x80", 2, 1 },     /* emoji */
        { "e\xcc\x81", 1, 2 },            /* e + combining acute */
        { "a\xffz", 3, 3 },               /* bad byte: one U+FFFD column */
        { "\xe4\xb8", 2, 2 },             /* two bad bytes */
        { "a\x01" "b", 3, 3 },            /* control char counts 1 */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (textw_width(cases[i].s) != cases[i].cols || textw_chars(cases[i].s) != cases[i].chars)
            fail_msg("'%s': width %d chars %zu", cases[i].s, textw_width(cases[i].s),
                     textw_chars(cases[i].s));
    }
    assert_int_equal(textw_width_n("中文abc", 3), 2);
    assert_int_equal(textw_width_n("中文abc", 6), 4);
    assert_int_equal(textw_width_n("中文abc", 100), 7);
}

static void
test_index_conversions(void **state)
{
    const char *s = "中文ab";   /* bytes: 中 0-2, 文 3-5, a 6, b 7; cols: 中 0-1, 文 2-3, a 4, b 5 */
    static const struct { int col; size_t byte; } c2b[] = {
        { -1, 0 }, { 0, 0 }, { 1, 0 }, { 2, 3 }, { 3, 3 }, { 4, 6 }, { 5, 7 }, { 6, 8 }, { 99, 8 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof c2b / sizeof c2b[0]; i++)
        if (textw_byte_of_col(s, c2b[i].col) != c2b[i].byte)
            fail_msg("col %d -> byte %zu", c2b[i].col, textw_byte_of_col(s, c2b[i].col));
    assert_int_equal(textw_col_of_byte(s, 0), 0);
    assert_int_equal(textw_col_of_byte(s, 3), 2);
    assert_int_equal(textw_col_of_byte(s, 6), 4);
    assert_int_equal(textw_col_of_byte(s, 8), 6);
    assert_int_equal(textw_byte_of_char(s, 0), 0);
    assert_int_equal(textw_byte_of_char(s, 1), 3);
    assert_int_equal(textw_byte_of_char(s, 3), 7);
    assert_int_equal(textw_byte_of_char(s, 10), 8);
    /* combining mark belongs to the previous column */
    assert_int_equal(textw_byte_of_col("e\xcc\x81x", 1), 3);
}

static void
test_clip(void **state)
{
    static const struct { const char *s; int cols; size_t bytes; int used; } cases[] = {
        { "中文abc", 0, 0, 0 },
        { "中文abc", 1, 0, 0 },   /* never half a wide char */
        { "中文abc", 2, 3, 2 },
        { "中文abc", 3, 3, 2 },
        { "中文abc", 4, 6, 4 },
        { "中文abc", 5, 7, 5 },
        { "中文abc", 50, 9, 7 },
        { "a中", 2, 1, 1 },
        { "e\xcc\x81" "f", 1, 3, 1 }, /* the combining mark stays with its base */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int used = -1;
        size_t b = textw_clip(cases[i].s, cases[i].cols, &used);
        if (b != cases[i].bytes || used != cases[i].used)
            fail_msg("clip('%s', %d) = %zu/%d", cases[i].s, cases[i].cols, b, used);
    }
}

static void
test_pad(void **state)
{
    static const struct {
        const char *s;
        int cols;
        enum textw_align a;
        const char *want;
    } cases[] = {
        { "中文", 5, TEXTW_LEFT, "中文 " },
        { "中文", 6, TEXTW_RIGHT, "  中文" },
        { "中文", 7, TEXTW_CENTER, " 中文  " },
        { "中文abc", 5, TEXTW_LEFT, "中文a" },
        { "中文", 3, TEXTW_LEFT, "中 " },     /* 文 does not fit in 1 column: space */
        { "", 3, TEXTW_LEFT, "   " },
        { "abc", 0, TEXTW_LEFT, "" },
    };
    char buf[64];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        textw_pad(buf, sizeof buf, cases[i].s, cases[i].cols, cases[i].a);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(textw_width(buf), cases[i].cols);
    }
    /* a destination too small is cut at a character boundary */
    textw_pad(buf, 5, "中文", 6, TEXTW_LEFT);
    assert_string_equal(buf, "中");
}

static void
test_ellipsize_sanitize(void **state)
{
    char buf[64];
    (void)state;
    textw_ellipsize(buf, sizeof buf, "中华人民共和国", 7);
    assert_string_equal(buf, "中华人…");
    assert_int_equal(textw_width(buf), 7);
    textw_ellipsize(buf, sizeof buf, "中华人民共和国", 8);
    assert_string_equal(buf, "中华人…");
    textw_ellipsize(buf, sizeof buf, "中华", 4);
    assert_string_equal(buf, "中华");
    textw_sanitize(buf, sizeof buf, "a\xff" "b\x01" "中");
    assert_string_equal(buf, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "中");
    textw_sanitize(buf, 3, "中");
    assert_string_equal(buf, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_index_conversions),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_pad),
        cmocka_unit_test(test_ellipsize_sanitize),
    };
    return cmocka_run_group_tests(tests, setup_locale, NULL);
}

/*
 * tests/unit/test_qrtext.c - QR codes as half-block text (kiosk/qrtext.c).
 *
 * Sizes: a 124-character payment URL (notes.md: ECC M = version 7) in
 * several cell budgets, including the 80x24 terminal. Round trip: the text
 * lines are parsed back into modules (they must equal the matrix), written
 * as a PBM image and decoded with zbarimg (zbar-tools); the decoded text
 * must be the input. The zbarimg step is skipped when it is not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/payurl.h"
#include "kiosk/qrtext.h"
#include "kiosk/textw.h"

static char url124[200];

static int
setup(void **state)
{
    static const unsigned char key[] = "hall-secret-key";
    char err[128];
    (void)state;
    if (setlocale(LC_ALL, "C.UTF-8") == NULL)
        return -1;
    if (payurl_build("https://pay.example.invalid/p?o={order}&a={amount}&h={hmac}", "KS20250601000123",
                     20000, key, sizeof key - 1, url124, sizeof url124, err, sizeof err) != 0)
        return -1;
    return strlen(url124) == 124 ? 0 : -1;
}

/* Parse the half-block lines back into a side x side module bitmap. */
static void
lines_to_modules(const struct qrtext *q, bool invert, unsigned char *mods)
{
    memset(mods, 0, (size_t)q->side * (size_t)q->side);
    for (int r = 0; r < q->rows; r++) {
        const char *p = q->lines[r];
        for (int x = 0; x < q->cols; x++) {
            wchar_t wc;
            size_t k = textw_decode(p, 4, &wc);
            bool top, bot;
            assert_true(k > 0);
            p += k;
            switch (wc) {
            case L' ': top = false; bot = false; break;
            case 0x2580: top = true; bot = false; break;
            case 0x2584: top = false; bot = true; break;
            case 0x2588: top = true; bot = true; break;
            default: fail_msg("unexpected U+%04X in line %d", (unsigned)wc, r); return;
            }
            top ^= invert;
            bot ^= invert;
            mods[(size_t)(2 * r) * (size_t)q->side + (size_t)x] = top;
            if (2 * r + 1 < q->side)
                mods[(size_t)(2 * r + 1) * (size_t)q->side + (size_t)x] = bot;
            else
                assert_false(bot);   /* the padding half row is light */
        }
        assert_int_equal(*p, '\0');
    }
}

static void
check_layout(const struct qrtext *q, int max_cols, int max_rows)
{
    unsigned char *mods = malloc((size_t)q->side * (size_t)q->side);

    assert_non_null(mods);
    assert_true(q->cols <= max_cols);
    assert_true(q->rows <= max_rows);
    assert_int_equal(q->side, q->modules + 2 * q->quiet);
    assert_int_equal(q->modules, 17 + 4 * q->version);
    assert_int_equal(q->rows, (q->side + 1) / 2);
    for (int r = 0; r < q->rows; r++)
        assert_int_equal(textw_width(q->lines[r]), q->cols);
    /* the quiet zone is light */
    for (int i = 0; i < q->side; i++)
        for (int j = 0; j < q->quiet; j++) {
            assert_false(qrtext_dark(q, i, j));
            assert_false(qrtext_dark(q, j, i));
            assert_false(qrtext_dark(q, i, q->side - 1 - j));
            assert_false(qrtext_dark(q, q->side - 1 - j, i));
        }
    /* the top-left finder pattern's corner is dark */
    assert_true(qrtext_dark(q, q->quiet, q->quiet));
    lines_to_modules(q, false, mods);
    assert_memory_equal(mods, q->matrix, (size_t)q->side * (size_t)q->side);
    free(mods);
}

static void
test_sizes(void **state)
{
    static const struct {
        int cols, rows;
        char level;
        int quiet, version;
    } cases[] = {
        { 100, 30, 'M', 4, 7 },  /* 53 x 27 */
        { 80, 24, 'L', 2, 6 },   /* 45 x 23 (notes.md) */
        { 47, 23, 'L', 2, 6 },
        { 45, 23, 'L', 2, 6 },
        { 47, 24, 'L', 2, 6 },   /* M at quiet 1 (47 x 24) fits too: a quiet zone of 2 wins */
        { 44, 22, 'L', 1, 6 },   /* 43 x 22 */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct qrtext q;
        assert_int_equal(qrtext_make(url124, cases[i].cols, cases[i].rows, false, &q), 0);
        if (q.level != cases[i].level || q.quiet != cases[i].quiet || q.version != cases[i].version)
            fail_msg("budget %dx%d: got %c q%d v%d", cases[i].cols, cases[i].rows, q.level, q.quiet,
                     q.version);
        check_layout(&q, cases[i].cols, cases[i].rows);
        qrtext_free(&q);
    }
}

static void
test_does_not_fit(void **state)
{
    struct qrtext q;
    char big[3000];
    (void)state;
    assert_int_equal(qrtext_make(url124, 42, 21, false, &q), -2);
    assert_null(q.lines);
    assert_null(q.matrix);
    qrtext_free(&q);                       /* safe on a zeroed struct */
    assert_int_equal(qrtext_make(url124, 80, 20, false, &q), -2);
    memset(big, 'a', sizeof big - 1);      /* beyond version 40 in 8-bit mode (2953 bytes at L) */
    big[sizeof big - 1] = '\0';
    assert_int_equal(qrtext_make(big, 1000, 1000, false, &q), -1);
}

static void
test_invert(void **state)
{
    struct qrtext q;
    unsigned char *mods;
    (void)state;
    assert_int_equal(qrtext_make("https://example.invalid/", 80, 24, true, &q), 0);
    mods = malloc((size_t)q.side * (size_t)q.side);
    assert_non_null(mods);
    lines_to_modules(&q, true, mods);
    assert_memory_equal(mods, q.matrix, (size_t)q.side * (size_t)q.side);
    free(mods);
    qrtext_free(&q);
}

/* Write the LINES (parsed back to modules) as a PBM, SCALE pixels a module,
 * and decode it with zbarimg. */
static void
decode_with_zbar(const struct qrtext *q, const char *want)
{
    char dir[] = "/tmp/test_qrtext.XXXXXX", path[64], cmd[160], out[512];
    const int scale = 4;
    unsigned char *mods;
    FILE *f;
    size_t n;
    int st;

    if (system("command -v zbarimg >/dev/null 2>&1") != 0) {
        skip();
        return;
    }
    mods = malloc((size_t)q->side * (size_t)q->side);
    assert_non_null(mods);
    lines_to_modules(q, false, mods);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/qr.pbm", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "P1\n%d %d\n", q->side * scale, q->side * scale);
    for (int y = 0; y < q->side * scale; y++) {
        for (int x = 0; x < q->side * scale; x++)
            fputs(mods[(size_t)(y / scale) * (size_t)q->side + (size_t)(x / scale)] ? "1" : "0", f);
        fputc('\n', f);
    }
    fclose(f);
    free(mods);
    snprintf(cmd, sizeof cmd, "zbarimg -q --raw %s 2>/dev/null", path);
    f = popen(cmd, "r");
    assert_non_null(f);
    n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    st = pclose(f);
    unlink(path);
    rmdir(dir);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    if (st != 0 || strcmp(out, want) != 0)
        fail_msg("zbarimg (status %d) read '%s', want '%s'", st, out, want);
}

static void
test_zbar_roundtrip(void **state)
{
    static const struct { int cols, rows; } budgets[] = { { 100, 30 }, { 80, 24 }, { 44, 22 } };
    (void)state;
    for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
        struct qrtext q;
        assert_int_equal(qrtext_make(url124, budgets[i].cols, budgets[i].rows, false, &q), 0);
        decode_with_zbar(&q, url124);
        qrtext_free(&q);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_does_not_fit),
        cmocka_unit_test(test_invert),
        cmocka_unit_test(test_zbar_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

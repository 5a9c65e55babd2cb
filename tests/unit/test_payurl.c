/*
 * tests/unit/test_payurl.c - payment-request URL and its HMAC (kiosk/payurl.c).
 *
 * Known answer computed independently with Python's hmac module:
 *   python3 -c "import hmac,hashlib;print(hmac.new(b'hall-secret-key',
 *               b'KS20250601000123|200.00',hashlib.sha256).hexdigest())"
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "kiosk/msg.h"
#include "kiosk/payurl.h"
#include "kiosk/qrtext.h"

static const unsigned char KEY[] = "hall-secret-key";
#define KEYLEN (sizeof KEY - 1)
static const char ORDER[] = "KS20250601000123";
static const char KAT[] = "71e3722ffa622872cf4e646effd2a78b85540835070ae56ca81ca6003fa547ca";
static const char TMPL[] = "https://pay.example.invalid/p?o={order}&a={amount}&h={hmac}";

static void
test_amount(void **state)
{
    static const struct { long fen; const char *want; } cases[] = {
        { 0, "0.00" }, { 5, "0.05" }, { 100, "1.00" }, { 20000, "200.00" }, { 26050, "260.50" },
    };
    char buf[32];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(payurl_amount(cases[i].fen, buf, sizeof buf), cases[i].want);
}

static void
test_hmac_known_answer(void **state)
{
    char hex[PAYURL_HMAC_HEX];
    (void)state;
    assert_int_equal(payurl_hmac(KEY, KEYLEN, ORDER, 20000, hex), 0);
    assert_string_equal(hex, KAT);
    assert_int_equal(payurl_hmac(KEY, 0, ORDER, 20000, hex), -1);
    assert_int_equal(payurl_hmac(KEY, KEYLEN, "", 20000, hex), -1);
    assert_int_equal(payurl_hmac(KEY, KEYLEN, "A|B", 20000, hex), -1);  /* would be ambiguous */
    assert_int_equal(payurl_hmac(KEY, KEYLEN, ORDER, -1, hex), -1);
}

static void
test_verify(void **state)
{
    char upper[PAYURL_HMAC_HEX], bad[PAYURL_HMAC_HEX];
    static const unsigned char other[] = "another-key";
    (void)state;

    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, KAT), 1);
    for (int i = 0; i < 64; i++)
        upper[i] = (KAT[i] >= 'a' && KAT[i] <= 'f') ? (char)(KAT[i] - 'a' + 'A') : KAT[i];
    upper[64] = '\0';
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, upper), 1);
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20001, KAT), 0);          /* amount */
    assert_int_equal(payurl_verify(KEY, KEYLEN, "KS20250601000124", 20000, KAT), 0); /* order */
    assert_int_equal(payurl_verify(other, sizeof other - 1, ORDER, 20000, KAT), 0);  /* key */
    for (int i = 0; i < 64; i++) {                                                 /* any digit */
        memcpy(bad, KAT, sizeof bad);
        bad[i] = bad[i] == '0' ? '1' : '0';
        assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, bad), 0);
    }
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, "abc"), 0);
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, NULL), 0);
}

static void
test_build(void **state)
{
    char url[512], err[256], want[512];
    (void)state;

    assert_int_equal(payurl_build(TMPL, ORDER, 20000, KEY, KEYLEN, url, sizeof url, err, sizeof err), 0);
    snprintf(want, sizeof want, "https://pay.example.invalid/p?o=%s&a=200.00&h=%s", ORDER, KAT);
    assert_string_equal(url, want);
    assert_string_equal(err, "");

    /* order numbers are percent-encoded in the URL, MAC over the raw order */
    assert_int_equal(payurl_build("x:{order}/{amount}/{hmac}", "A B/中", 5, KEY, KEYLEN, url,
                                  sizeof url, err, sizeof err), 0);
    assert_non_null(strstr(url, "x:A%20B%2F%E4%B8%AD/0.05/"));
    assert_int_equal(payurl_verify(KEY, KEYLEN, "A B/中", 5, strrchr(url, '/') + 1), 1);
    /* placeholders may repeat and come in any order */
    assert_int_equal(payurl_build("{hmac}{amount}{order}{order}", "O1", 100, KEY, KEYLEN, url,
                                  sizeof url, err, sizeof err), 0);
    assert_int_equal(strlen(url), 64 + 4 + 2 + 2);
}

static void
test_build_errors(void **state)
{
    char url[512], err[256];
    (void)state;
    msg_set_lang(LANG_EN);

    assert_int_equal(payurl_build("https://x/{order}/{amount}/{hmac}/{sig}", ORDER, 1, KEY, KEYLEN, url,
                                  sizeof url, err, sizeof err), -2);
    assert_non_null(strstr(err, "{sig}"));
    assert_non_null(strstr(err, "url_template"));
    assert_string_equal(url, "");
    assert_int_equal(payurl_build("https://x/{order}/{amount}/{hmac", ORDER, 1, KEY, KEYLEN, url,
                                  sizeof url, err, sizeof err), -2);
    assert_non_null(strstr(err, "{hmac"));
    assert_int_equal(payurl_build("https://x/{order}/{amount}", ORDER, 1, KEY, KEYLEN, url, sizeof url,
                                  err, sizeof err), -3);
    assert_non_null(strstr(err, "{hmac}"));
    assert_string_equal(url, "");
    assert_int_equal(payurl_build("https://x/{amount}/{hmac}", ORDER, 1, KEY, KEYLEN, url, sizeof url,
                                  err, sizeof err), -3);
    assert_non_null(strstr(err, "{order}"));
    assert_int_equal(payurl_build(TMPL, ORDER, 1, KEY, KEYLEN, url, 40, err, sizeof err), -4);
    assert_string_equal(url, "");
    assert_non_null(strstr(err, "39"));
    assert_int_equal(payurl_build(TMPL, ORDER, 1, KEY, 0, url, sizeof url, NULL, 0), -1);
    assert_int_equal(payurl_build(TMPL, ORDER, 1, KEY, KEYLEN, url, 0, err, sizeof err), -4);
    msg_set_lang(LANG_ZH);
}

/* {hmac128}: the MAC's first 128 bits, accepted as the MAC; a URL short
 * enough for its QR to fit an 80x24 screen's payment region (43 x 20). */
static void
test_hmac128(void **state)
{
    char url[256], err[128], mac[33], wrong[33];
    struct qrtext q;

    (void)state;
    assert_int_equal(payurl_build("https://pay.example.invalid/p?o={order}&a={amount}&h={hmac128}", ORDER, 20000, KEY,
                                  KEYLEN, url, sizeof url, err, sizeof err), 0);
    assert_non_null(strstr(url, "&h="));
    snprintf(mac, sizeof mac, "%s", strstr(url, "&h=") + 3);
    assert_int_equal(strlen(mac), 32);
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, mac), 1);
    snprintf(wrong, sizeof wrong, "%s", mac);
    wrong[31] = wrong[31] == '0' ? '1' : '0';
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, wrong), 0);
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20001, mac), 0);      /* another amount */
    mac[31] = '\0';
    assert_int_equal(payurl_verify(KEY, KEYLEN, ORDER, 20000, mac), 0);      /* 31 digits: no */
    assert_true(strlen(url) <= 106);                   /* QR version 5 at level L holds 106 bytes */
    assert_int_equal(qrtext_make(url, 80 - 37, 24 - 4, true, &q), 0);   /* page_pay's region at 80x24 */
    assert_true(q.cols <= 43 && q.rows <= 20);
    qrtext_free(&q);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amount),
        cmocka_unit_test(test_hmac_known_answer),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_hmac128),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * kiosk/payurl.h - the payment-request URL shown as a QR code.
 *
 * A template from the config ([payment] url_template) with the placeholders
 * {order}, {amount} and {hmac} is filled in: {order} is the order number
 * (percent-encoded), {amount} the amount in yuan with two decimals
 * ("200.00"), {hmac} the lower-case hex HMAC-SHA256, keyed with the hall's
 * payment key, of the string "ORDER|AMOUNT" (order as given, amount as in the
 * URL), {hmac128} its first 32 hex digits (128 bits: a shorter URL, whose
 * QR fits an 80x24 screen). The payment side recomputes it with payurl_verify(). Pure: the key is
 * passed in; reading it from secrets/pay.key is the caller's job.
 */
#ifndef KIOSK_PAYURL_H
#define KIOSK_PAYURL_H

#include <stddef.h>

#define PAYURL_HMAC_HEX 65   /* 64 hex digits + NUL */

/* The amount as it appears in the URL and in the MAC input: "%ld.%02ld" yuan. */
char *payurl_amount(long fen, char *buf, size_t n);

/* HMAC-SHA256 over "ORDER|AMOUNT" as 64 lower-case hex digits into hex.
 * Returns 0, or -1 (empty order, negative amount, empty key, order holding
 * '|', OpenSSL failure). */
int payurl_hmac(const unsigned char *key, size_t keylen, const char *order, long fen,
                char hex[PAYURL_HMAC_HEX]);

/* 1 when HEX (either case) is the HMAC of ORDER and FEN under KEY, whole
 * (64 hex digits) or cut to 128 bits (32), else 0. Constant-time comparison. */
int payurl_verify(const unsigned char *key, size_t keylen, const char *order, long fen,
                  const char *hex);

/*
 * Fill TMPL into OUT (size N). Returns 0; -1 when the MAC cannot be made
 * (see payurl_hmac); -2 for an unknown "{...}" placeholder or a '{' without
 * '}'; -3 when {order}, {amount} or {hmac} is missing from the
 * template; -4 when OUT is too small. ERR (may be NULL) gets a one-line
 * reason from the catalogue (M_RULE_PAYURL_*, current language) naming the
 * placeholder.
 */
int payurl_build(const char *tmpl, const char *order, long fen, const unsigned char *key,
                 size_t keylen, char *out, size_t n, char *err, size_t errlen);

#endif

/*
 * kiosk/payurl.c - payment-request URL with an HMAC-SHA256 (see payurl.h).
 */
#include "kiosk/payurl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "kiosk/msg.h"

char *
payurl_amount(long fen, char *buf, size_t n)
{
    snprintf(buf, n, "%ld.%02ld", fen / 100, fen % 100);
    return buf;
}

int
payurl_hmac(const unsigned char *key, size_t keylen, const char *order, long fen,
            char hex[PAYURL_HMAC_HEX])
{
    char amount[32], data[512];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    int len;

    hex[0] = '\0';
    if (key == NULL || keylen == 0 || order == NULL || order[0] == '\0' || fen < 0 ||
        strchr(order, '|') != NULL || keylen > (size_t)0x7fffffff)
        return -1;
    payurl_amount(fen, amount, sizeof amount);
    len = snprintf(data, sizeof data, "%s|%s", order, amount);
    if (len < 0 || (size_t)len >= sizeof data)
        return -1;
    if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, (size_t)len, mac,
             &maclen) == NULL || maclen != 32)
        return -1;
    for (unsigned int i = 0; i < maclen; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    return 0;
}

int
payurl_verify(const unsigned char *key, size_t keylen, const char *order, long fen,
              const char *hex)
{
    char want[PAYURL_HMAC_HEX], got[PAYURL_HMAC_HEX];

    size_t len = hex != NULL ? strlen(hex) : 0;

    /* the whole MAC ({hmac}), or its first 128 bits ({hmac128}) */
    if ((len != 64 && len != 32) || payurl_hmac(key, keylen, order, fen, want) < 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        got[i] = (hex[i] >= 'A' && hex[i] <= 'F') ? (char)(hex[i] - 'A' + 'a') : hex[i];
    got[len] = '\0';
    return CRYPTO_memcmp(want, got, len) == 0;
}

/* Append LEN bytes; -1 when they do not fit with the NUL. */
static int
append(char *out, size_t n, size_t *o, const char *s, size_t len)
{
    if (*o + len + 1 > n)
        return -1;
    memcpy(out + *o, s, len);
    *o += len;
    return 0;
}

/* Append S percent-encoded (RFC 3986 unreserved characters kept). */
static int
append_escaped(char *out, size_t n, size_t *o, const char *s)
{
    static const char hexd[] = "0123456789ABCDEF";

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            if (append(out, n, o, (const char *)&c, 1) < 0)
                return -1;
        } else {
            char e[3] = { '%', hexd[c >> 4], hexd[c & 15] };
            if (append(out, n, o, e, 3) < 0)
                return -1;
        }
    }
    return 0;
}

static void
set_err(char *err, size_t errlen, enum msg_id id, const char *arg, int num)
{
    if (err == NULL || errlen == 0)
        return;
    if (id == M_RULE_PAYURL_TOO_LONG)
        msg_fmt(err, errlen, id, num);
    else if (arg != NULL)
        msg_fmt(err, errlen, id, arg);
    else
        msg_fmt(err, errlen, id);
}

int
payurl_build(const char *tmpl, const char *order, long fen, const unsigned char *key,
             size_t keylen, char *out, size_t n, char *err, size_t errlen)
{
    char mac[PAYURL_HMAC_HEX], amount[32], ph[40];
    int seen_order = 0, seen_amount = 0, seen_hmac = 0;
    size_t o = 0;
    const char *p;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (n == 0) {
        set_err(err, errlen, M_RULE_PAYURL_TOO_LONG, NULL, 0);
        return -4;
    }
    out[0] = '\0';
    if (payurl_hmac(key, keylen, order, fen, mac) < 0) {
        set_err(err, errlen, M_RULE_PAYURL_MAC, NULL, 0);
        return -1;
    }
    payurl_amount(fen, amount, sizeof amount);
    for (p = tmpl; *p != '\0';) {
        int rc = 0;
        if (*p != '{') {
            rc = append(out, n, &o, p, 1);
            p++;
        } else {
            const char *close = strchr(p, '}');
            size_t len = close ? (size_t)(close - p + 1) : strlen(p);
            if (close == NULL || len >= sizeof ph) {
                snprintf(ph, sizeof ph, "%.*s", (int)(len < sizeof ph - 1 ? len : sizeof ph - 1), p);
                out[0] = '\0';
                set_err(err, errlen, M_RULE_PAYURL_UNKNOWN, ph, 0);
                return -2;
            }
            memcpy(ph, p, len);
            ph[len] = '\0';
            if (strcmp(ph, "{order}") == 0) {
                rc = append_escaped(out, n, &o, order);
                seen_order = 1;
            } else if (strcmp(ph, "{amount}") == 0) {
                rc = append(out, n, &o, amount, strlen(amount));
                seen_amount = 1;
            } else if (strcmp(ph, "{hmac}") == 0) {
                rc = append(out, n, &o, mac, 64);
                seen_hmac = 1;
            } else if (strcmp(ph, "{hmac128}") == 0) {
                /* the MAC cut to 128 bits (still far beyond guessing): a URL
                 * short enough for its QR to fit an 80x24 screen */
                rc = append(out, n, &o, mac, 32);
                seen_hmac = 1;
            } else {
                out[0] = '\0';
                set_err(err, errlen, M_RULE_PAYURL_UNKNOWN, ph, 0);
                return -2;
            }
            p += len;
        }
        if (rc < 0) {
            out[0] = '\0';
            set_err(err, errlen, M_RULE_PAYURL_TOO_LONG, NULL, (int)(n - 1));
            return -4;
        }
    }
    out[o] = '\0';
    if (!seen_order || !seen_amount || !seen_hmac) {
        out[0] = '\0';
        set_err(err, errlen, M_RULE_PAYURL_MISSING,
                !seen_order ? "{order}" : !seen_amount ? "{amount}" : "{hmac}", 0);
        return -3;
    }
    return 0;
}

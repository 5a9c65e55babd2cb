/*
 * token/tok_cert.c - reading the certificate on a key and describing it
 * (holder, USCC, serial, validity, issued by our CA or not).
 *
 * The certificate is read from the token itself every time (raw
 * C_FindObjects + CKA_VALUE), not from libp11's object cache, which keeps
 * deleted objects. Presence is checked before and re-checked after the read:
 * a key pulled in the middle gives TOK_ERR_REMOVED, never a stale answer.
 */
#include "token/tok_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>


/* One-line RFC 2253 name, UTF-8 kept as is. */
static void
tok_name_line(const X509_NAME *name, char *out, size_t n)
{
    BIO *b = BIO_new(BIO_s_mem());
    int len;

    out[0] = '\0';
    if (b == NULL)
        return;
    X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    len = BIO_read(b, out, (int)n - 1);
    out[len > 0 ? len : 0] = '\0';
    BIO_free(b);
}

/* The UTF-8 value of the first NID entry of NAME into OUT ("" if none). */
static void
tok_name_entry(const X509_NAME *name, int nid, char *out, size_t n)
{
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    unsigned char *u = NULL;
    int len;

    out[0] = '\0';
    if (i < 0)
        return;
    len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (len >= 0)
        snprintf(out, n, "%.*s", len, (const char *)u);
    OPENSSL_free(u);
}


/* Fill OUT from X; returns TOK_OK, or TOK_ERR_FOREIGN_CERT when a CA is configured and did not issue X. */
int
tok_cert_describe(tok_ctx *ctx, X509 *x, struct tok_cert *out)
{
    const X509_NAME *subj = X509_get_subject_name(x);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;

    memset(out, 0, sizeof *out);
    tok_name_line(subj, out->subject, sizeof out->subject);
    tok_name_line(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
    tok_name_entry(subj, NID_organizationName, out->holder, sizeof out->holder);
    if (out->holder[0] == '\0')
        tok_name_entry(subj, NID_commonName, out->holder, sizeof out->holder);
    tok_name_entry(subj, NID_organizationIdentifier, out->uscc, sizeof out->uscc);
    if (out->uscc[0] == '\0')
        tok_name_entry(subj, NID_serialNumber, out->uscc, sizeof out->uscc);
    snprintf(out->serial_hex, sizeof out->serial_hex, "%s", hex ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    out->not_before = tok_asn1_time(X509_get0_notBefore(x));
    out->not_after = tok_asn1_time(X509_get0_notAfter(x));
    {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0, i;
        if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1 && mdlen * 2 < sizeof out->fpr)
            for (i = 0; i < mdlen; i++)
                snprintf(out->fpr + 2 * i, 3, "%02x", md[i]);
    }
    {
        int len = i2d_X509(x, NULL);
        unsigned char *p = out->der;
        if (len > 0 && (size_t)len <= sizeof out->der && i2d_X509(x, &p) == len)
            out->der_len = (size_t)len;
    }
    if (ctx != NULL && ctx->ca != NULL) {
        EVP_PKEY *capub = X509_get0_pubkey(ctx->ca);
        out->issued_by_ca = X509_check_issued(ctx->ca, x) == X509_V_OK && capub != NULL &&
                            X509_verify(x, capub) == 1;
    }
    ERR_clear_error();
    if (ctx != NULL && ctx->ca != NULL && !out->issued_by_ca)
        return tok_fail(ctx, TOK_ERR_FOREIGN_CERT, "certificate %s issued by %s, not our CA",
                        out->serial_hex, out->issuer);
    return TOK_OK;
}

/*
 * The DER of the first certificate object on the key of session S (raw,
 * from the token): TOK_OK with *der (OPENSSL_malloc'd) and, when H is not
 * NULL, its handle; TOK_ERR_NO_CERT; or an error. Four calls: the search
 * and one read of the value (a second only for a certificate over 8 KB).
 */
int
tok_raw_cert_der_s(tok_ctx *ctx, CK_SESSION_HANDLE s, unsigned char **der, size_t *len, CK_OBJECT_HANDLE *h)
{
    CK_OBJECT_HANDLE obj;
    CK_ATTRIBUTE v = { CKA_VALUE, NULL, 8192 };
    CK_RV rv;
    int found = tok_raw_find_id(ctx, s, CKO_CERTIFICATE, NULL, 0, &obj);

    *der = NULL;
    if (found < 0)
        return found;
    if (found == 0)
        return tok_fail(ctx, TOK_ERR_NO_CERT, "no certificate object");
    if ((v.pValue = OPENSSL_malloc(v.ulValueLen)) == NULL)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "out of memory");
    rv = ctx->fl->C_GetAttributeValue(s, obj, &v, 1);
    if (rv == CKR_BUFFER_TOO_SMALL) {
        OPENSSL_free(v.pValue);
        v.pValue = NULL;
        rv = ctx->fl->C_GetAttributeValue(s, obj, &v, 1);
        if (rv == CKR_OK && (v.pValue = OPENSSL_malloc(v.ulValueLen ? v.ulValueLen : 1)) != NULL)
            rv = ctx->fl->C_GetAttributeValue(s, obj, &v, 1);
    }
    if (rv != CKR_OK || v.pValue == NULL) {
        OPENSSL_free(v.pValue);
        return tok_rv_fail(ctx, rv, "read certificate");
    }
    *der = v.pValue;
    *len = v.ulValueLen;
    if (h != NULL)
        *h = obj;
    return TOK_OK;
}

/* The same on a session of its own on SLOT: six calls. */
int
tok_raw_cert_der(tok_ctx *ctx, const struct tok_slot *slot, unsigned char **der, size_t *len)
{
    CK_SESSION_HANDLE s;
    int rc = tok_raw_session(ctx, slot, &s);

    *der = NULL;
    if (rc != TOK_OK)
        return rc;
    rc = tok_raw_cert_der_s(ctx, s, der, len, NULL);
    ctx->fl->C_CloseSession(s);
    return rc;
}

static void
tok_step(tok_ctx *ctx, int step)
{
    if (ctx->step_fn != NULL)
        ctx->step_fn(ctx->step_arg, step);
}

int
tok_read_cert(tok_ctx *ctx, const char *serial, struct tok_cert *out)
{
    struct tok_slot *slot;
    unsigned char *der = NULL;
    const unsigned char *p;
    size_t len = 0;
    X509 *x;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    tok_step(ctx, 1);
    rc = tok_raw_cert_der(ctx, slot, &der, &len);
    tok_step(ctx, 2);
    if (!tok_is_present(ctx, serial)) {
        OPENSSL_free(der);
        return tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the read", serial);
    }
    if (rc != TOK_OK)
        return rc;
    p = der;
    x = d2i_X509(NULL, &p, (long)len);
    OPENSSL_free(der);
    if (x == NULL)
        return tok_fail(ctx, TOK_ERR_BAD_CERT, "certificate on key %s does not parse", serial);
    rc = tok_cert_describe(ctx, x, out);
    X509_free(x);
    tok_step(ctx, 3);
    /* Presence re-checked after reading: a pull at any step is reported. */
    if (!tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the read", serial);
    return rc;
}

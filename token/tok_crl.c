/*
 * token/tok_crl.c - the CA's certificate revocation list (RFC 5280 5), v2,
 * signed by the CA key in the HSM: issuer, thisUpdate / nextUpdate, one
 * entry per revoked certificate with its revocation date and reason code,
 * the CRL number and the authority key identifier. What is revoked is the
 * records' business (the caller passes the list); this file only signs.
 */
#include "token/tok_int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/* One entry: serial (hex), date, reason (-1: none). 1 on success. */
static int
crl_add(X509_CRL *crl, const struct tok_revoked *r)
{
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_INTEGER *sn = NULL;
    ASN1_TIME *at = NULL;
    BIGNUM *bn = NULL;
    int ok = rev != NULL && BN_hex2bn(&bn, r->serial_hex) > 0;

    ok = ok && (sn = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && X509_REVOKED_set_serialNumber(rev, sn);
    ok = ok && (at = ASN1_TIME_set(NULL, r->at)) != NULL && X509_REVOKED_set_revocationDate(rev, at);
    if (ok && r->reason >= 0) {
        ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();
        ok = e != NULL && ASN1_ENUMERATED_set(e, r->reason) && X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, e, 0, 0) == 1;
        ASN1_ENUMERATED_free(e);
    }
    ok = ok && X509_CRL_add0_revoked(crl, rev);
    if (!ok)
        X509_REVOKED_free(rev);
    ASN1_INTEGER_free(sn);
    ASN1_TIME_free(at);
    BN_free(bn);
    return ok;
}

int
tok_ca_crl(tok_ctx *ctx, const struct tok_revoked *v, size_t n, time_t this_update, time_t next_update,
           long number, unsigned char **der, size_t *len)
{
    X509_CRL *crl = NULL;
    ASN1_TIME *t1 = NULL, *t2 = NULL;
    ASN1_INTEGER *num = NULL;
    X509V3_CTX v3;
    X509_EXTENSION *aki = NULL;
    EVP_PKEY *ca_key;
    unsigned char *out = NULL;
    int ok, rc, l;
    size_t i;

    *der = NULL;
    *len = 0;
    if (ctx->ca == NULL)
        return tok_fail(ctx, TOK_ERR_HSM, "no CA certificate loaded");
    if ((rc = tok_ca_key(ctx, &ca_key)) != TOK_OK)
        return rc;
    crl = X509_CRL_new();
    ok = crl != NULL && X509_CRL_set_version(crl, 1)   /* v2 */
         && X509_CRL_set_issuer_name(crl, X509_get_subject_name(ctx->ca));
    ok = ok && (t1 = ASN1_TIME_set(NULL, this_update)) != NULL && X509_CRL_set1_lastUpdate(crl, t1);
    ok = ok && (t2 = ASN1_TIME_set(NULL, next_update)) != NULL && X509_CRL_set1_nextUpdate(crl, t2);
    for (i = 0; ok && i < n; i++)
        ok = crl_add(crl, &v[i]);
    ok = ok && X509_CRL_sort(crl);
    ok = ok && (num = ASN1_INTEGER_new()) != NULL && ASN1_INTEGER_set(num, number)
         && X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1;
    if (ok) {
        X509V3_set_ctx(&v3, ctx->ca, NULL, NULL, crl, 0);
        ok = (aki = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier, "keyid:always")) != NULL
             && X509_CRL_add_ext(crl, aki, -1);
    }
    ok = ok && X509_CRL_sign(crl, ca_key, EVP_sha256()) > 0;   /* signed in the HSM */
    ok = ok && (l = i2d_X509_CRL(crl, &out)) > 0;
    if (ok) {
        *der = out;
        *len = (size_t)l;
        rc = TOK_OK;
    } else {
        OPENSSL_free(out);
        rc = tok_fail(ctx, TOK_ERR_HSM, "signing the CRL failed");
    }
    X509_EXTENSION_free(aki);
    ASN1_INTEGER_free(num);
    ASN1_TIME_free(t1);
    ASN1_TIME_free(t2);
    X509_CRL_free(crl);
    ERR_clear_error();
    return rc;
}

int
tok_ca_cert_der(tok_ctx *ctx, unsigned char **der, size_t *len)
{
    unsigned char *out = NULL;
    int l;

    *der = NULL;
    *len = 0;
    if (ctx->ca == NULL || (l = i2d_X509(ctx->ca, &out)) <= 0)
        return tok_fail(ctx, TOK_ERR_HSM, "no CA certificate loaded");
    *der = out;
    *len = (size_t)l;
    return TOK_OK;
}

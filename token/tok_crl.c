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

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* The reasonCode extension of each code the CA gives, encoded once per CRL. */
struct crl_reasons {
    X509_EXTENSION *ext[11];
};

static X509_EXTENSION *
crl_reason_ext(struct crl_reasons *r, int code)
{
    ASN1_ENUMERATED *e;

    if (code < 0 || code > 10)
        return NULL;
    if (r->ext[code] == NULL && (e = ASN1_ENUMERATED_new()) != NULL) {
        if (ASN1_ENUMERATED_set(e, code))
            r->ext[code] = X509V3_EXT_i2d(NID_crl_reason, 0, e);
        ASN1_ENUMERATED_free(e);
    }
    return r->ext[code];
}

/* Scratch reused for every entry (the setters copy): no allocation per entry but the entry's own. */
struct crl_scratch {
    ASN1_INTEGER *sn;
    ASN1_TIME *at;
    unsigned char bytes[40];
};

/* HEX (a certificate serial) into S->sn as a positive INTEGER. 1 on success. */
static int
crl_serial(struct crl_scratch *s, const char *hex)
{
    size_t n = strlen(hex), i, len = 0, skip = 0;

    if (n == 0 || (n + 1) / 2 > sizeof s->bytes)
        return 0;
    memset(s->bytes, 0, sizeof s->bytes);
    for (i = 0; i < n; i++) {
        int c = hex[i], v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0)
            return 0;
        if ((n - i) % 2 == 0)
            s->bytes[len] = (unsigned char)(v << 4);   /* high nibble */
        else
            s->bytes[len++] |= (unsigned char)v;       /* low nibble (an odd length starts here) */
    }
    while (skip + 1 < len && s->bytes[skip] == 0)
        skip++;
    return ASN1_STRING_set(s->sn, s->bytes + skip, (int)(len - skip));
}

/* One entry: serial (hex), date, reason (-1: none). 1 on success. */
static int
crl_add(X509_CRL *crl, const struct tok_revoked *r, struct crl_reasons *reasons, struct crl_scratch *s)
{
    X509_REVOKED *rev = X509_REVOKED_new();
    X509_EXTENSION *ext;
    int ok = rev != NULL && crl_serial(s, r->serial_hex) && X509_REVOKED_set_serialNumber(rev, s->sn);

    ok = ok && ASN1_TIME_set(s->at, r->at) != NULL && X509_REVOKED_set_revocationDate(rev, s->at);
    if (ok && r->reason >= 0)
        ok = (ext = crl_reason_ext(reasons, r->reason)) != NULL && X509_REVOKED_add_ext(rev, ext, -1);
    ok = ok && X509_CRL_add0_revoked(crl, rev);
    if (!ok)
        X509_REVOKED_free(rev);
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
    struct crl_reasons reasons = { { NULL } };
    struct crl_scratch scratch = { NULL, NULL, { 0 } };
    EVP_PKEY *ca_key;
    unsigned char *out = NULL;
    int ok, rc, l;
    size_t i;

    *der = NULL;
    *len = 0;
    if (ctx->ca == NULL)
        return tok_fail(ctx, TOK_ERR_HSM, "no CA certificate loaded");
    if ((rc = tok_ca_key(ctx, &ca_key)) != TOK_OK)
        return rc;      /* (nothing allocated yet: an HSM still locked leaks nothing) */
    scratch.sn = ASN1_INTEGER_new();
    scratch.at = ASN1_TIME_new();
    crl = X509_CRL_new();
    ok = crl != NULL && scratch.sn != NULL && scratch.at != NULL && X509_CRL_set_version(crl, 1)   /* v2 */
         && X509_CRL_set_issuer_name(crl, X509_get_subject_name(ctx->ca));
    ok = ok && (t1 = ASN1_TIME_set(NULL, this_update)) != NULL && X509_CRL_set1_lastUpdate(crl, t1);
    ok = ok && (t2 = ASN1_TIME_set(NULL, next_update)) != NULL && X509_CRL_set1_nextUpdate(crl, t2);
    for (i = 0; ok && i < n; i++)
        ok = crl_add(crl, &v[i], &reasons, &scratch);
    /* entries in revocation order: RFC 5280 asks for no order, and sorting
     * a million serials is most of the time (OpenSSL sorts when it looks up) */
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
    for (i = 0; i < sizeof reasons.ext / sizeof reasons.ext[0]; i++)
        X509_EXTENSION_free(reasons.ext[i]);
    ASN1_INTEGER_free(scratch.sn);
    ASN1_TIME_free(scratch.at);
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

time_t
tok_ca_not_after(tok_ctx *ctx)
{
    return ctx != NULL && ctx->ca != NULL ? tok_asn1_time(X509_get0_notAfter(ctx->ca)) : 0;
}

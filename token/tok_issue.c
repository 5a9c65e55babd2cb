/*
 * token/tok_issue.c - issuing a certificate onto a key (证书新办), the one
 * path used by the kiosk and by provisioning:
 *
 *   key pair generated ON the key -> CSR signed on the key (proof of
 *   possession checked) -> certificate signed by the CA key in the HSM ->
 *   stored on the key -> read back raw and compared byte for byte ->
 *   sign/verify and encrypt/decrypt (RSA) or key agreement (EC) self-test.
 */
#include "token/tok_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define TOK_KEY_LABEL  "kiosk-key"
#define TOK_CERT_LABEL "kiosk-cert"

/* The private key with CKA_ID ID on TOKEN (caller frees), or NULL. */
static EVP_PKEY *
tok_key_by_id(PKCS11_TOKEN *token, const unsigned char *id, size_t idlen)
{
    PKCS11_KEY *keys = NULL;
    unsigned int n = 0, i;

    if (PKCS11_enumerate_keys(token, &keys, &n) != 0)
        return NULL;
    for (i = 0; i < n; i++)
        if (keys[i].isPrivate && keys[i].id_len == idlen && memcmp(keys[i].id, id, idlen) == 0)
            return PKCS11_get_private_key(&keys[i]);
    return NULL;
}

static X509_REQ *
tok_make_csr(EVP_PKEY *key, EVP_PKEY *pub, const struct tok_subject *subj, bool uscc_in_serial)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    int ok = req != NULL && n != NULL;

    ok = ok && X509_NAME_add_entry_by_txt(n, "C", MBSTRING_UTF8, (const unsigned char *)"CN", -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)subj->org, -1, -1, 0);
    if (ok && subj->uscc[0] != '\0')
        ok = X509_NAME_add_entry_by_NID(n, uscc_in_serial ? NID_serialNumber : NID_organizationIdentifier,
                                        MBSTRING_UTF8, (const unsigned char *)subj->uscc, -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                                          (const unsigned char *)(subj->cn[0] ? subj->cn : subj->org), -1, -1, 0);
    ok = ok && X509_REQ_set_subject_name(req, n) && X509_REQ_set_pubkey(req, pub);
    ok = ok && X509_REQ_sign(req, key, EVP_sha256()) > 0;   /* signed ON the key */
    X509_NAME_free(n);
    if (!ok) {
        X509_REQ_free(req);
        return NULL;
    }
    return req;
}

static X509 *
tok_sign_csr(tok_ctx *ctx, X509_REQ *req, EVP_PKEY *ca_key, X509 *ca_cert, time_t nb, time_t na, bool ec,
             const char *serial_hex)
{
    X509 *x = X509_new();
    char v[400];
    int ok = x != NULL;

    ok = ok && X509_set_version(x, 2) && (serial_hex != NULL ? tok_hex_serial(x, serial_hex) : tok_rand_serial(x));
    ok = ok && X509_set_issuer_name(x, X509_get_subject_name(ca_cert));
    ok = ok && X509_set_subject_name(x, X509_REQ_get_subject_name(req));
    ok = ok && X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &nb) != NULL;
    ok = ok && X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &na) != NULL;
    ok = ok && X509_set_pubkey(x, X509_REQ_get0_pubkey(req));
    ok = ok && tok_ext(x, ca_cert, NID_basic_constraints, "critical,CA:FALSE");
    /* signing and encryption on every key; RFC 5480: an EC key agrees, it never enciphers */
    ok = ok && tok_ext(x, ca_cert, NID_key_usage,
                       ec ? "critical,digitalSignature,nonRepudiation,keyAgreement"
                          : "critical,digitalSignature,nonRepudiation,keyEncipherment");
    if (ok && ctx->eku[0] != '\0')
        ok = tok_ext(x, ca_cert, NID_ext_key_usage, ctx->eku);
    ok = ok && tok_ext(x, ca_cert, NID_subject_key_identifier, "hash");
    ok = ok && tok_ext(x, ca_cert, NID_authority_key_identifier, "keyid:always");
    if (ok && ctx->policy_oid[0] != '\0')
        ok = tok_ext(x, ca_cert, NID_certificate_policies, ctx->policy_oid);
    if (ok && ctx->crl_url[0] != '\0') {
        snprintf(v, sizeof v, "URI:%s", ctx->crl_url);
        ok = tok_ext(x, ca_cert, NID_crl_distribution_points, v);
    }
    if (ok && ctx->issuer_url[0] != '\0') {
        snprintf(v, sizeof v, "caIssuers;URI:%s", ctx->issuer_url);
        ok = tok_ext(x, ca_cert, NID_info_access, v);
    }
    ok = ok && X509_sign(x, ca_key, EVP_sha256()) > 0;      /* signed in the HSM */
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Sign with the token key, verify with the certificate (*SIGNED); then RSA
 * encrypt/decrypt or ECDH (*CRYPT). */
static void
tok_self_test_parts(EVP_PKEY *key, X509 *cert, bool ec, bool *signed_ok, bool *crypt_ok)
{
    unsigned char data[32], sig[512], ct[512], pt[512], s1[64], s2[64];
    size_t siglen = sizeof sig, ctlen = sizeof ct, ptlen = sizeof pt, l1 = sizeof s1, l2 = sizeof s2;
    EVP_PKEY *pub = X509_get0_pubkey(cert), *eph = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok = md != NULL && RAND_bytes(data, sizeof data) == 1 && pub != NULL;

    ok = ok && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
         EVP_DigestSign(md, sig, &siglen, data, sizeof data) == 1;
    ok = ok && EVP_MD_CTX_reset(md) == 1 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
         EVP_DigestVerify(md, sig, siglen, data, sizeof data) == 1;
    EVP_MD_CTX_free(md);
    *signed_ok = ok;
    if (pub == NULL) {
        *crypt_ok = false;
        return;
    }
    if (!ec) {
        pc = EVP_PKEY_CTX_new(pub, NULL);
        ok = pc != NULL && EVP_PKEY_encrypt_init(pc) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_encrypt(pc, ct, &ctlen, data, sizeof data) == 1;
        EVP_PKEY_CTX_free(pc);
        pc = ok ? EVP_PKEY_CTX_new(key, NULL) : NULL;
        ok = pc != NULL && EVP_PKEY_decrypt_init(pc) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_decrypt(pc, pt, &ptlen, ct, ctlen) == 1 &&
             ptlen == sizeof data && memcmp(pt, data, sizeof data) == 0;
        EVP_PKEY_CTX_free(pc);
        *crypt_ok = ok;
        return;
    }
    /* EC: an ephemeral peer agrees on a secret with the key on the token. */
    eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    pc = eph ? EVP_PKEY_CTX_new(eph, NULL) : NULL;
    ok = pc != NULL && EVP_PKEY_derive_init(pc) == 1 && EVP_PKEY_derive_set_peer(pc, pub) == 1 &&
         EVP_PKEY_derive(pc, s1, &l1) == 1;
    EVP_PKEY_CTX_free(pc);
    pc = ok ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    ok = pc != NULL && EVP_PKEY_derive_init(pc) == 1 && EVP_PKEY_derive_set_peer(pc, eph) == 1 &&
         EVP_PKEY_derive(pc, s2, &l2) == 1 && l1 == l2 && memcmp(s1, s2, l1) == 0;
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(eph);
    OPENSSL_cleanse(s1, sizeof s1);
    OPENSSL_cleanse(s2, sizeof s2);
    *crypt_ok = ok;
}

static int
tok_self_test(EVP_PKEY *key, X509 *cert, bool ec)
{
    bool signed_ok, crypt_ok;

    tok_self_test_parts(key, cert, ec, &signed_ok, &crypt_ok);
    return signed_ok && crypt_ok;
}

int
tok_selftest(tok_ctx *ctx, const char *serial, const char *pin, struct tok_selftest *out)
{
    PKCS11_SLOT *slot;
    PKCS11_CERT *certs = NULL, *cert = NULL;
    CK_SESSION_HANDLE s;
    unsigned int n = 0, i;
    EVP_PKEY *key = NULL, *pub = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    if ((rc = tok_user_login(ctx, slot, pin, &s)) != TOK_OK)
        return rc;
    if (PKCS11_enumerate_certs(slot->token, &certs, &n) != 0)
        n = 0;
    for (i = 0; i < n && cert == NULL; i++)
        if (certs[i].x509 != NULL)
            cert = &certs[i];
    if (cert == NULL) {
        rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_NO_CERT : TOK_ERR_REMOVED,
                      "key %s holds no certificate", serial);
        goto out;
    }
    out->ec = EVP_PKEY_get_base_id(X509_get0_pubkey(cert->x509)) == EVP_PKEY_EC;
    if ((key = tok_key_by_id(slot->token, cert->id, cert->id_len)) == NULL) {
        rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_VERIFY : TOK_ERR_REMOVED,
                      "no private key beside the certificate on key %s", serial);
        goto out;
    }
    pub = tok_pubkey_of(key);
    out->cert_matches = pub != NULL && EVP_PKEY_eq(pub, X509_get0_pubkey(cert->x509)) == 1;
    tok_self_test_parts(key, cert->x509, out->ec, &out->signed_ok, &out->crypt_ok);
    if (!tok_is_present(ctx, serial))
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the self-test", serial);
    else if (!out->cert_matches || !out->signed_ok || !out->crypt_ok)
        rc = tok_fail(ctx, TOK_ERR_VERIFY, "self-test on key %s: certificate %s, signature %s, %s %s", serial,
                      out->cert_matches ? "matches" : "differs", out->signed_ok ? "ok" : "failed",
                      out->ec ? "key agreement" : "encrypt/decrypt", out->crypt_ok ? "ok" : "failed");
    else
        rc = TOK_OK;
out:
    EVP_PKEY_free(pub);
    EVP_PKEY_free(key);
    tok_user_logout(ctx, slot, s);
    ERR_clear_error();
    (void)tok_refresh(ctx);     /* the key and certificate handles go with this operation */
    return rc;
}

/* How an issuance treats the key: blank (the only certificate), a new key
 * pair beside the old one (renewal), or the key pair it holds certified
 * again (renewal without a new key pair, information change). */
enum issue_mode { ISSUE_BLANK = 0, ISSUE_BESIDE, ISSUE_RECERT };

static int tok_issue_on(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
                        time_t nb, time_t na, const char *algo, EVP_PKEY *ca_key, X509 *ca_cert,
                        const struct tok_issue_opts *opts, struct tok_cert *out, enum issue_mode mode);

/* The certificate with CKA_ID ID whose value is WANT (LEN bytes) on the
 * key of session S, read back from the token itself: its handle in *H.
 * TOK_ERR_NO_CERT: none with the id; TOK_ERR_VERIFY: none with that value. */
static int
tok_raw_cert_find(tok_ctx *ctx, CK_SESSION_HANDLE s, const unsigned char *id, size_t idlen, const unsigned char *want,
                  size_t len, CK_OBJECT_HANDLE *h)
{
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_ATTRIBUTE q[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, (void *)id, idlen } };
    CK_OBJECT_HANDLE obj[8];
    CK_ULONG found = 0, i;
    CK_RV rv = ctx->fl->C_FindObjectsInit(s, q, 2);

    if (rv == CKR_OK) {
        rv = ctx->fl->C_FindObjects(s, obj, 8, &found);
        ctx->fl->C_FindObjectsFinal(s);
    }
    if (rv == CKR_OK && found == 0)
        return tok_fail(ctx, TOK_ERR_NO_CERT, "no certificate with the key pair's id");
    for (i = 0; rv == CKR_OK && i < found; i++) {
        CK_ATTRIBUTE v = { CKA_VALUE, NULL, 0 };
        if ((rv = ctx->fl->C_GetAttributeValue(s, obj[i], &v, 1)) != CKR_OK || v.ulValueLen != len)
            continue;
        if ((v.pValue = OPENSSL_malloc(len ? len : 1)) == NULL)
            break;
        rv = ctx->fl->C_GetAttributeValue(s, obj[i], &v, 1);
        bool same = rv == CKR_OK && memcmp(v.pValue, want, len) == 0;
        OPENSSL_free(v.pValue);
        if (same) {
            *h = obj[i];
            return TOK_OK;
        }
    }
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL,
                        "read certificate by id: 0x%lx", (unsigned long)rv);
    return tok_fail(ctx, TOK_ERR_VERIFY, "read-back of the certificate differs");
}

/* The CKA_ID of the first certificate on the key of session S (the key pair it certifies). */
static int
tok_raw_cert_id(tok_ctx *ctx, CK_SESSION_HANDLE s, unsigned char *id, size_t n, size_t *idlen)
{
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_ATTRIBUTE q[] = { { CKA_CLASS, &cls, sizeof cls } };
    CK_ATTRIBUTE a = { CKA_ID, id, n };
    CK_OBJECT_HANDLE obj;
    CK_ULONG found = 0;
    CK_RV rv = ctx->fl->C_FindObjectsInit(s, q, 1);

    if (rv == CKR_OK) {
        rv = ctx->fl->C_FindObjects(s, &obj, 1, &found);
        ctx->fl->C_FindObjectsFinal(s);
    }
    if (rv == CKR_OK && found == 0)
        return tok_fail(ctx, TOK_ERR_NO_CERT, "no certificate on the key");
    if (rv == CKR_OK)
        rv = ctx->fl->C_GetAttributeValue(s, obj, &a, 1);
    if (rv != CKR_OK || a.ulValueLen == 0 || a.ulValueLen > n)
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL,
                        "the certificate's id: 0x%lx", (unsigned long)rv);
    *idlen = a.ulValueLen;
    return TOK_OK;
}

/* Destroy every key on the key of session S (logged in) whose CKA_ID is not
 * ID, and every certificate but KEEP: what a renewal or a change leaves of
 * the old ones (a certificate of the same key pair has the same id). */
static int
tok_raw_keep(tok_ctx *ctx, CK_SESSION_HANDLE s, const unsigned char *id, size_t idlen, CK_OBJECT_HANDLE keep)
{
    static const CK_OBJECT_CLASS classes[] = { CKO_CERTIFICATE, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY };
    CK_OBJECT_HANDLE h[32];
    CK_ULONG n, i;
    CK_RV rv = CKR_OK;
    size_t c;

    for (c = 0; c < sizeof classes / sizeof classes[0] && rv == CKR_OK; c++) {
        CK_OBJECT_CLASS cls = classes[c];
        CK_ATTRIBUTE q[] = { { CKA_CLASS, &cls, sizeof cls } };
        n = 0;
        rv = ctx->fl->C_FindObjectsInit(s, q, 1);
        if (rv == CKR_OK) {
            rv = ctx->fl->C_FindObjects(s, h, 32, &n);
            ctx->fl->C_FindObjectsFinal(s);
        }
        for (i = 0; rv == CKR_OK && i < n; i++) {
            unsigned char oid[64];
            CK_ATTRIBUTE a = { CKA_ID, oid, sizeof oid };
            if (cls == CKO_CERTIFICATE) {
                if (h[i] == keep)
                    continue;
            } else if (ctx->fl->C_GetAttributeValue(s, h[i], &a, 1) == CKR_OK && a.ulValueLen == idlen &&
                       memcmp(oid, id, idlen) == 0)
                continue;
            rv = ctx->fl->C_DestroyObject(s, h[i]);
        }
    }
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL,
                        "removing the old objects: 0x%lx", (unsigned long)rv);
    return TOK_OK;
}

int
tok_issue_with(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
               time_t nb, time_t na, const char *algo, EVP_PKEY *ca_key, X509 *ca_cert,
               const struct tok_issue_opts *opts, struct tok_cert *out)
{
    return tok_issue_on(ctx, serial, user_pin, subj, nb, na, algo, ca_key, ca_cert, opts, out, ISSUE_BLANK);
}

/*
 * The issuance itself. ISSUE_BESIDE (a renewal): the key keeps its
 * certificate and key pair until the new ones are written, read back and
 * self-tested, and only then are the old objects removed; ISSUE_RECERT: no
 * new key pair, the one the key's certificate certifies gets the new
 * certificate (same id), the old certificate removed once the new one
 * passed. The PIN never changes.
 */
static int
tok_issue_on(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
             time_t nb, time_t na, const char *algo, EVP_PKEY *ca_key, X509 *ca_cert,
             const struct tok_issue_opts *opts, struct tok_cert *out, enum issue_mode mode)
{
    PKCS11_SLOT *slot = tok_find_slot(ctx, serial);
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE newcert = CK_INVALID_HANDLE;
    unsigned char id[64], *der = NULL, *back = NULL;
    size_t backlen = 0, idlen = 16;
    int derlen, rc;
    bool beside = mode != ISSUE_BLANK;
    bool ec = strcmp(algo, "p256") == 0;
    EVP_PKEY *key = NULL, *pub = NULL;
    X509_REQ *req = NULL;
    X509 *cert = NULL;
    struct tok_cert tmp;

    if (slot == NULL || !tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    if (!beside) {
        rc = tok_raw_cert_der(ctx, slot, &back, &backlen);
        OPENSSL_free(back);
        back = NULL;
        if (rc == TOK_OK)
            return tok_fail(ctx, TOK_ERR_NOT_BLANK, "key %s already holds a certificate", serial);
        if (rc != TOK_ERR_NO_CERT)
            return rc;
    }
    if ((rc = tok_user_login(ctx, slot, user_pin, &s)) != TOK_OK)
        return rc;

    if (mode == ISSUE_RECERT) {
        /* the key pair the key's certificate certifies, as it is */
        if ((rc = tok_raw_cert_id(ctx, s, id, sizeof id, &idlen)) != TOK_OK)
            goto out;
        if ((key = tok_key_by_id(slot->token, id, idlen)) == NULL || (pub = tok_pubkey_of(key)) == NULL) {
            rc = tok_fail(ctx, TOK_ERR_NO_CERT, "the certificate's key pair is not on key %s", serial);
            goto out;
        }
        ec = EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC;
    } else {
        if (RAND_bytes(id, idlen) != 1) {
            rc = tok_fail(ctx, TOK_ERR_INTERNAL, "RAND_bytes");
            goto out;
        }
        if ((rc = tok_genkey(ctx, slot, algo, TOK_KEY_LABEL, id, idlen, ec ? TOK_GEN_DERIVE : 0)) != TOK_OK)
            goto out;
        if ((key = tok_key_by_id(slot->token, id, idlen)) == NULL || (pub = tok_pubkey_of(key)) == NULL) {
            rc = tok_fail(ctx, TOK_ERR_INTERNAL, "new key pair not visible through libp11");
            goto out;
        }
    }
    if (opts != NULL && opts->on_step != NULL && opts->on_step(opts->arg, TOK_ISSUE_KEYPAIR, NULL) != 0) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "stopped before the CA signature (write-ahead failed)");
        goto out;
    }
    if ((req = tok_make_csr(key, pub, subj, ctx->uscc_in_serial)) == NULL) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "CSR signed on key %s failed", serial);
        goto out;
    }
    if (X509_REQ_verify(req, pub) != 1) {
        rc = tok_fail(ctx, TOK_ERR_VERIFY, "CSR signature (proof of possession) does not verify");
        goto out;
    }
    if ((cert = tok_sign_csr(ctx, req, ca_key, ca_cert, nb, na, ec, opts != NULL ? opts->serial_hex : NULL)) == NULL) {
        rc = tok_fail(ctx, TOK_ERR_HSM, "CA signature failed");
        goto out;
    }
    if (X509_verify(cert, X509_get0_pubkey(ca_cert)) != 1) {
        rc = tok_fail(ctx, TOK_ERR_VERIFY, "new certificate does not verify with the CA certificate");
        goto out;
    }
    (void)tok_cert_describe(ctx, cert, &tmp);
    if (opts != NULL && opts->on_step != NULL && opts->on_step(opts->arg, TOK_ISSUE_SIGNED, &tmp) != 0) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "stopped before writing the certificate (write-ahead failed)");
        goto out;
    }
    if (PKCS11_store_certificate(slot->token, cert, TOK_CERT_LABEL, id, idlen, NULL) != 0) {
        rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_INTERNAL : TOK_ERR_REMOVED,
                      "storing the certificate on key %s failed", serial);
        goto out;
    }
    if (opts != NULL && opts->on_step != NULL && opts->on_step(opts->arg, TOK_ISSUE_STORED, &tmp) != 0) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "stopped after writing the certificate (write-ahead failed)");
        goto out;
    }
    /* Read back from the token and compare byte for byte. */
    derlen = i2d_X509(cert, &der);
    if (derlen <= 0) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "encoding the certificate");
        goto out;
    }
    if (beside) {
        rc = tok_raw_cert_find(ctx, s, id, idlen, der, (size_t)derlen, &newcert);
        if (rc != TOK_OK) {
            rc = tok_fail(ctx, rc == TOK_ERR_REMOVED ? rc : TOK_ERR_VERIFY, "read-back of the certificate differs");
            goto out;
        }
    } else {
        rc = tok_raw_cert_der(ctx, slot, &back, &backlen);
        if (rc != TOK_OK || (size_t)derlen != backlen || memcmp(der, back, backlen) != 0) {
            rc = tok_fail(ctx, rc == TOK_ERR_REMOVED ? rc : TOK_ERR_VERIFY, "read-back of the certificate differs");
            goto out;
        }
    }
    if (!tok_self_test(key, cert, ec)) {
        rc = tok_fail(ctx, TOK_ERR_VERIFY, "self-test (sign/verify, %s) failed on key %s",
                      ec ? "key agreement" : "encrypt/decrypt", serial);
        goto out;
    }
    if (!tok_is_present(ctx, serial)) {
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during issuance", serial);
        goto out;
    }
    if (beside && (rc = tok_raw_keep(ctx, s, id, idlen, newcert)) != TOK_OK)
        goto out;       /* the new certificate is there: tok_keep_only finishes the tidying */
    (void)tok_cert_describe(ctx, cert, out != NULL ? out : &tmp);
    rc = TOK_OK;
out:
    OPENSSL_free(der);
    OPENSSL_free(back);
    X509_free(cert);
    X509_REQ_free(req);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(key);
    tok_user_logout(ctx, slot, s);
    ERR_clear_error();
    return rc;
}

/*
 * A CA may only sign while its own certificate is valid, and never a
 * certificate that outlives it (the chain would end before the leaf).
 */
static int tok_issue_mode(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
                          time_t not_before, time_t not_after, const char *algo, const struct tok_issue_opts *opts,
                          struct tok_cert *out, enum issue_mode mode);

static int
tok_ca_usable(tok_ctx *ctx, time_t not_after)
{
    time_t now = time(NULL);
    char end[32];

    if (X509_cmp_time(X509_get0_notBefore(ctx->ca), &now) > 0 || X509_cmp_time(X509_get0_notAfter(ctx->ca), &now) < 0)
        return tok_fail(ctx, TOK_ERR_CA_INVALID, "the CA certificate is not valid now (not issuing)");
    if (X509_cmp_time(X509_get0_notAfter(ctx->ca), &not_after) < 0) {
        struct tm tm;
        end[0] = '\0';
        if (ASN1_TIME_to_tm(X509_get0_notAfter(ctx->ca), &tm) == 1)
            strftime(end, sizeof end, "%Y-%m-%d %H:%M:%S UTC", &tm);
        return tok_fail(ctx, TOK_ERR_CA_INVALID, "the new certificate would end after the CA certificate (%s)", end);
    }
    return TOK_OK;
}

int
tok_issue(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
          time_t not_before, time_t not_after, const char *algo, struct tok_cert *out)
{
    return tok_issue_ex(ctx, serial, user_pin, subj, not_before, not_after, algo, NULL, out);
}

int
tok_issue_ex(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
             time_t not_before, time_t not_after, const char *algo, const struct tok_issue_opts *opts,
             struct tok_cert *out)
{
    return tok_issue_mode(ctx, serial, user_pin, subj, not_before, not_after, algo, opts, out, ISSUE_BLANK);
}

int
tok_reissue(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
            time_t not_before, time_t not_after, const char *algo, const struct tok_issue_opts *opts,
            struct tok_cert *out)
{
    return tok_issue_mode(ctx, serial, user_pin, subj, not_before, not_after, algo, opts, out, ISSUE_BESIDE);
}

int
tok_recertify(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
              time_t not_before, time_t not_after, const struct tok_issue_opts *opts, struct tok_cert *out)
{
    return tok_issue_mode(ctx, serial, user_pin, subj, not_before, not_after, "", opts, out, ISSUE_RECERT);
}

int
tok_keep_only(tok_ctx *ctx, const char *serial, const char *user_pin, const char *cert_serial_hex)
{
    PKCS11_SLOT *slot;
    CK_SESSION_HANDLE s;
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_ATTRIBUTE q[] = { { CKA_CLASS, &cls, sizeof cls } };
    CK_OBJECT_HANDLE h[32];
    CK_ULONG n = 0, i;
    unsigned char keep[64];
    size_t keeplen = 0;
    CK_OBJECT_HANDLE keepcert = CK_INVALID_HANDLE;
    int rc;

    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    if ((rc = tok_user_login(ctx, slot, user_pin, &s)) != TOK_OK)
        return rc;
    if (ctx->fl->C_FindObjectsInit(s, q, 1) == CKR_OK) {
        (void)ctx->fl->C_FindObjects(s, h, 32, &n);
        ctx->fl->C_FindObjectsFinal(s);
    }
    for (i = 0; i < n && keeplen == 0; i++) {
        unsigned char idb[64], *der = NULL;
        CK_ATTRIBUTE a[] = { { CKA_ID, idb, sizeof idb }, { CKA_VALUE, NULL, 0 } };
        const unsigned char *p;
        struct tok_cert c;
        X509 *x = NULL;
        if (ctx->fl->C_GetAttributeValue(s, h[i], a, 2) != CKR_OK || (der = OPENSSL_malloc(a[1].ulValueLen + 1)) == NULL)
            continue;
        a[0].ulValueLen = sizeof idb;
        a[1].pValue = der;
        p = der;
        if (ctx->fl->C_GetAttributeValue(s, h[i], a, 2) == CKR_OK && (x = d2i_X509(NULL, &p, (long)a[1].ulValueLen)) != NULL &&
            tok_cert_describe(ctx, x, &c) >= 0 && strcmp(c.serial_hex, cert_serial_hex) == 0) {
            memcpy(keep, idb, a[0].ulValueLen);
            keeplen = a[0].ulValueLen;
            keepcert = h[i];
        }
        X509_free(x);
        OPENSSL_free(der);
    }
    rc = keeplen == 0 ? tok_fail(ctx, TOK_ERR_NO_CERT, "certificate %s is not on key %s", cert_serial_hex, serial)
                      : tok_raw_keep(ctx, s, keep, keeplen, keepcert);
    tok_user_logout(ctx, slot, s);
    (void)tok_refresh(ctx);
    return rc;
}

static int
tok_issue_mode(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
               time_t not_before, time_t not_after, const char *algo, const struct tok_issue_opts *opts,
               struct tok_cert *out, enum issue_mode mode)
{
    EVP_PKEY *ca_key;
    int rc;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (ctx->ca == NULL)
        return tok_fail(ctx, TOK_ERR_HSM, "no CA certificate loaded");
    if (!tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    if (tok_find_slot(ctx, serial) == NULL && tok_refresh(ctx) != TOK_OK)
        return TOK_ERR_MODULE;
    if ((rc = tok_ca_usable(ctx, not_after)) != TOK_OK)
        return rc;
    if ((rc = tok_ca_key(ctx, &ca_key)) != TOK_OK)
        return rc;
    rc = tok_issue_on(ctx, serial, user_pin, subj, not_before, not_after, algo, ca_key, ctx->ca, opts, out, mode);
    /* New objects, logins and the CA handle: start clean for the next operation. */
    if (tok_refresh(ctx) != TOK_OK && rc == TOK_OK)
        rc = TOK_ERR_MODULE;
    return rc;
}

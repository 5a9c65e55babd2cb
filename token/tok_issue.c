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

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#define TOK_KEY_LABEL  "kiosk-key"
#define TOK_CERT_LABEL "kiosk-cert"

/*
 * The key's private key is used through raw PKCS#11 on the operation's one
 * session, not through libp11: libp11 0.4.12 can only reach a key by
 * enumerating every slot of the module and reading eight attributes of
 * each object on it, which on a real UKey is a USB round trip each
 * (issue 17). OpenSSL builds and checks everything around the signature.
 */

/* A key on the key of session S: its private half H, and whether it is EC (else RSA-2048). */
struct tok_rkey {
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE priv;
    bool ec;
};

/* The public key of object H (a public key, from C_GenerateKeyPair): one call. */
static EVP_PKEY *
tok_raw_pubkey(tok_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, bool ec)
{
    unsigned char a[600], b[16];
    const unsigned char *pt = a;
    CK_ATTRIBUTE q[2] = { { ec ? CKA_EC_POINT : CKA_MODULUS, a, sizeof a }, { CKA_PUBLIC_EXPONENT, b, sizeof b } };
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, ec ? "EC" : "RSA", NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    BIGNUM *n = NULL, *e = NULL;
    EVP_PKEY *pk = NULL;
    size_t ptlen;
    CK_RV rv = ctx->fl->C_GetAttributeValue(s, h, q, ec ? 1 : 2);
    int ok = rv == CKR_OK && pc != NULL && bld != NULL;

    if (ok && ec) {
        /* CKA_EC_POINT is the DER OCTET STRING of the point (some tokens give the bare point) */
        ptlen = q[0].ulValueLen;
        if (ptlen == 67 && a[0] == 0x04 && a[1] == 0x41) {
            pt = a + 2;
            ptlen = 65;
        }
        ok = ptlen == 65 && pt[0] == 0x04 &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, ptlen);
    } else if (ok) {
        ok = (n = BN_bin2bn(a, (int)q[0].ulValueLen, NULL)) != NULL &&
             (e = BN_bin2bn(b, (int)q[1].ulValueLen, NULL)) != NULL &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    }
    ok = ok && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(pc) == 1 &&
         EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, params) == 1;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pc);
    BN_free(n);
    BN_free(e);
    if (!ok) {
        EVP_PKEY_free(pk);
        tok_fail(ctx, rv != CKR_OK ? tok_ckr_status(rv) : TOK_ERR_INTERNAL, "the key pair's public key: 0x%lx",
                 (unsigned long)rv);
        return NULL;
    }
    return pk;
}

/*
 * Sign the SHA-256 digest DGST with K on the key: two calls. SIG gets the
 * signature as X.509 carries it (an ECDSA-Sig-Value, or the PKCS#1 v1.5
 * block); *SIGLEN its length. ECDSA on the digest, RSA on its DigestInfo:
 * the mechanisms every token has (SoftHSM 2.6 has no CKM_ECDSA_SHA256).
 */
static int
tok_raw_sign(tok_ctx *ctx, const struct tok_rkey *k, const unsigned char dgst[32], unsigned char *sig, size_t *siglen)
{
    static const unsigned char sha256_info[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                                 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
    unsigned char in[sizeof sha256_info + 32], raw[512];
    CK_MECHANISM mech = { k->ec ? CKM_ECDSA : CKM_RSA_PKCS, NULL, 0 };
    CK_ULONG inlen = k->ec ? 32 : sizeof in, rawlen = sizeof raw;
    CK_RV rv;

    if (k->ec)
        memcpy(in, dgst, 32);
    else {
        memcpy(in, sha256_info, sizeof sha256_info);
        memcpy(in + sizeof sha256_info, dgst, 32);
    }
    rv = ctx->fl->C_SignInit(k->s, &mech, k->priv);
    if (rv == CKR_OK)
        rv = ctx->fl->C_Sign(k->s, in, inlen, raw, &rawlen);
    if (rv != CKR_OK)
        return tok_rv_fail(ctx, rv, "C_Sign on the key");
    if (!k->ec) {
        if (rawlen > *siglen)
            return tok_fail(ctx, TOK_ERR_INTERNAL, "signature too long");
        memcpy(sig, raw, rawlen);
        *siglen = rawlen;
        return TOK_OK;
    }
    /* r || s, each half the length: DER for X.509 */
    {
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(raw, (int)rawlen / 2, NULL), *sv = BN_bin2bn(raw + rawlen / 2, (int)rawlen / 2, NULL);
        unsigned char *p = sig;
        int len = -1;
        if (es != NULL && r != NULL && sv != NULL && ECDSA_SIG_set0(es, r, sv) == 1) {
            r = sv = NULL;
            if (i2d_ECDSA_SIG(es, NULL) <= (int)*siglen)
                len = i2d_ECDSA_SIG(es, &p);
        }
        BN_free(r);
        BN_free(sv);
        ECDSA_SIG_free(es);
        if (len <= 0)
            return tok_fail(ctx, TOK_ERR_INTERNAL, "encoding the key's ECDSA signature");
        *siglen = (size_t)len;
    }
    return TOK_OK;
}

/* The certification request for SUBJ and PUB, signed on the key by K (proof of possession). */
static X509_REQ *
tok_make_csr(tok_ctx *ctx, const struct tok_rkey *k, EVP_PKEY *pub, const struct tok_subject *subj,
             bool uscc_in_serial)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
    unsigned char *tbs = NULL, dgst[32], sig[512];
    size_t siglen = sizeof sig;
    int tbslen = -1, ok = req != NULL && n != NULL && alg != NULL && bits != NULL;

    ok = ok && X509_NAME_add_entry_by_txt(n, "C", MBSTRING_UTF8, (const unsigned char *)"CN", -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)subj->org, -1, -1, 0);
    if (ok && subj->uscc[0] != '\0')
        ok = X509_NAME_add_entry_by_NID(n, uscc_in_serial ? NID_serialNumber : NID_organizationIdentifier,
                                        MBSTRING_UTF8, (const unsigned char *)subj->uscc, -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                                          (const unsigned char *)(subj->cn[0] ? subj->cn : subj->org), -1, -1, 0);
    ok = ok && X509_REQ_set_subject_name(req, n) && X509_REQ_set_pubkey(req, pub);
    ok = ok && X509_ALGOR_set0(alg, OBJ_nid2obj(k->ec ? NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption),
                               k->ec ? V_ASN1_UNDEF : V_ASN1_NULL, NULL) == 1 &&
         X509_REQ_set1_signature_algo(req, alg) == 1;
    ok = ok && (tbslen = i2d_re_X509_REQ_tbs(req, &tbs)) > 0 && SHA256(tbs, (size_t)tbslen, dgst) != NULL;
    ok = ok && tok_raw_sign(ctx, k, dgst, sig, &siglen) == TOK_OK;     /* signed ON the key */
    ok = ok && ASN1_BIT_STRING_set(bits, sig, (int)siglen) == 1;
    if (ok)     /* whole bytes: no unused bits (else the encoder would guess them from trailing zeros) */
        bits->flags = (bits->flags & ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07)) | ASN1_STRING_FLAG_BITS_LEFT;
    OPENSSL_free(tbs);
    X509_ALGOR_free(alg);
    X509_NAME_free(n);
    if (!ok) {
        ASN1_BIT_STRING_free(bits);
        X509_REQ_free(req);
        return NULL;
    }
    X509_REQ_set0_signature(req, bits);
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

/* Sign with K on the key, verify with the certificate's public key: two calls. */
static bool
tok_test_sign(tok_ctx *ctx, const struct tok_rkey *k, X509 *cert)
{
    unsigned char data[32], dgst[32], sig[512];
    size_t siglen = sizeof sig;
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md != NULL && pub != NULL && RAND_bytes(data, sizeof data) == 1 &&
              SHA256(data, sizeof data, dgst) != NULL && tok_raw_sign(ctx, k, dgst, sig, &siglen) == TOK_OK &&
              EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
              EVP_DigestVerify(md, sig, siglen, data, sizeof data) == 1;

    EVP_MD_CTX_free(md);
    return ok;
}

/* RSA: encrypt here with the certificate's key, decrypt with K on the key;
 * EC: a secret agreed with an ephemeral peer here and on the key. Two calls. */
static bool
tok_test_crypt(tok_ctx *ctx, const struct tok_rkey *k, X509 *cert)
{
    unsigned char data[32], ct[512], pt[512], s1[64], s2[64], point[65];
    size_t ctlen = sizeof ct, l1 = sizeof s1;
    CK_ULONG ptlen = sizeof pt;
    EVP_PKEY *pub = X509_get0_pubkey(cert), *eph = NULL;
    EVP_PKEY_CTX *pc = NULL;
    CK_RV rv;
    bool ok = pub != NULL && RAND_bytes(data, sizeof data) == 1;

    if (ok && !k->ec) {
        CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
        pc = EVP_PKEY_CTX_new(pub, NULL);
        ok = pc != NULL && EVP_PKEY_encrypt_init(pc) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_encrypt(pc, ct, &ctlen, data, sizeof data) == 1;
        EVP_PKEY_CTX_free(pc);
        rv = ok ? ctx->fl->C_DecryptInit(k->s, &mech, k->priv) : CKR_GENERAL_ERROR;
        if (rv == CKR_OK)
            rv = ctx->fl->C_Decrypt(k->s, ct, ctlen, pt, &ptlen);
        return rv == CKR_OK && ptlen == sizeof data && memcmp(pt, data, sizeof data) == 0;
    }
    eph = ok ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") : NULL;
    pc = eph ? EVP_PKEY_CTX_new(eph, NULL) : NULL;
    ok = pc != NULL && EVP_PKEY_derive_init(pc) == 1 && EVP_PKEY_derive_set_peer(pc, pub) == 1 &&
         EVP_PKEY_derive(pc, s1, &l1) == 1 && l1 == 32 &&
         EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, NULL) == 1;
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(eph);
    if (ok) {
        CK_ECDH1_DERIVE_PARAMS dp = { CKD_NULL, 0, NULL, sizeof point, point };
        CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &dp, sizeof dp };
        CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
        CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
        CK_BBOOL f = CK_FALSE, t = CK_TRUE;
        CK_ULONG vlen = 32;
        CK_ATTRIBUTE tmpl[] = {
            { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_TOKEN, &f, sizeof f },
            { CKA_SENSITIVE, &f, sizeof f }, { CKA_EXTRACTABLE, &t, sizeof t }, { CKA_VALUE_LEN, &vlen, sizeof vlen },
        };
        CK_OBJECT_HANDLE h;
        /* a session object: gone with the session */
        rv = ctx->fl->C_DeriveKey(k->s, &mech, k->priv, tmpl, sizeof tmpl / sizeof tmpl[0], &h);
        ok = rv == CKR_OK && tok_raw_attr(ctx, k->s, h, CKA_VALUE, s2, sizeof s2) == 32 && memcmp(s1, s2, 32) == 0;
    }
    OPENSSL_cleanse(s1, sizeof s1);
    OPENSSL_cleanse(s2, sizeof s2);
    return ok;
}

int
tok_selftest(tok_ctx *ctx, const char *serial, const char *pin, struct tok_selftest *out)
{
    struct tok_slot *slot;
    struct tok_rkey k;
    unsigned char *der = NULL, id[64];
    const unsigned char *p;
    CK_OBJECT_HANDLE hc;
    X509 *cert = NULL;
    size_t len = 0;
    long idlen;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    if ((rc = tok_user_login(ctx, slot, pin, &k.s)) != TOK_OK)
        return rc;
    rc = tok_raw_cert_der_s(ctx, k.s, &der, &len, &hc);
    p = der;
    if (rc == TOK_OK && (cert = d2i_X509(NULL, &p, (long)len)) == NULL)
        rc = tok_fail(ctx, TOK_ERR_BAD_CERT, "certificate on key %s does not parse", serial);
    if (rc != TOK_OK) {
        if (rc == TOK_ERR_NO_CERT || !tok_is_present(ctx, serial))
            rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_NO_CERT : TOK_ERR_REMOVED,
                          "key %s holds no certificate", serial);
        goto out;
    }
    out->ec = k.ec = EVP_PKEY_get_base_id(X509_get0_pubkey(cert)) == EVP_PKEY_EC;
    idlen = tok_raw_attr(ctx, k.s, hc, CKA_ID, id, sizeof id);
    if (idlen <= 0 || tok_raw_find_id(ctx, k.s, CKO_PRIVATE_KEY, id, (size_t)idlen, &k.priv) != 1) {
        rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_VERIFY : TOK_ERR_REMOVED,
                      "no private key beside the certificate on key %s", serial);
        goto out;
    }
    /* the private key answers for the certificate's public key: its signature verifies with it */
    out->signed_ok = tok_test_sign(ctx, &k, cert);
    out->crypt_ok = tok_test_crypt(ctx, &k, cert);
    out->cert_matches = out->signed_ok;
    if (!tok_is_present(ctx, serial))
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the self-test", serial);
    else if (!out->cert_matches || !out->signed_ok || !out->crypt_ok)
        rc = tok_fail(ctx, TOK_ERR_VERIFY, "self-test on key %s: certificate %s, signature %s, %s %s", serial,
                      out->cert_matches ? "matches" : "differs", out->signed_ok ? "ok" : "failed",
                      out->ec ? "key agreement" : "encrypt/decrypt", out->crypt_ok ? "ok" : "failed");
    else
        rc = TOK_OK;
out:
    OPENSSL_free(der);
    X509_free(cert);
    tok_user_logout(ctx, k.s);
    ERR_clear_error();
    return rc;
}

/* How an issuance treats the key: blank (the only certificate), a new key
 * pair beside the old one (renewal), or the key pair it holds certified
 * again (renewal without a new key pair, information change). */
enum issue_mode { ISSUE_BLANK = 0, ISSUE_BESIDE, ISSUE_RECERT };

static int tok_issue_on(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
                        time_t nb, time_t na, const char *algo, EVP_PKEY *ca_key, X509 *ca_cert,
                        const struct tok_issue_opts *opts, struct tok_cert *out, enum issue_mode mode);

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
            } else if ((rv = ctx->fl->C_GetAttributeValue(s, h[i], &a, 1)) == CKR_BUFFER_TOO_SMALL) {
                rv = CKR_OK;    /* an id longer than any of ours: not the kept pair */
            } else if (rv != CKR_OK) {
                break;      /* an object that cannot be told apart is never destroyed: it may be the kept pair's
                             * (found by tests/integration/fault_sweep.sh: one failed read cost the key its private key) */
            } else if (a.ulValueLen == idlen && memcmp(oid, id, idlen) == 0) {
                continue;
            }
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
    struct tok_slot *slot;
    struct tok_rkey k = { CK_INVALID_HANDLE, CK_INVALID_HANDLE, strcmp(algo, "p256") == 0 };
    CK_OBJECT_HANDLE newcert = CK_INVALID_HANDLE, hold = CK_INVALID_HANDLE, hpub;
    CK_OBJECT_CLASS ccls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    CK_BBOOL t = CK_TRUE, f = CK_FALSE;
    unsigned char id[64], *der = NULL, *back = NULL, *old = NULL;
    const unsigned char *p;
    size_t backlen = 0, oldlen = 0, idlen = 16;
    long l;
    int derlen, rc;
    bool beside = mode != ISSUE_BLANK;
    EVP_PKEY *pub = NULL;
    X509_REQ *req = NULL;
    X509 *cert = NULL, *oldcert = NULL;
    struct tok_cert tmp;

    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    /* One session for the whole issuance: the blank check, the login, the work. */
    if ((rc = tok_raw_session(ctx, slot, &k.s)) != TOK_OK)
        return rc;
    if (!beside || mode == ISSUE_RECERT) {
        rc = tok_raw_cert_der_s(ctx, k.s, &old, &oldlen, &hold);
        if (!beside && rc == TOK_OK)
            rc = tok_fail(ctx, TOK_ERR_NOT_BLANK, "key %s already holds a certificate", serial);
        else if (!beside && rc == TOK_ERR_NO_CERT)
            rc = TOK_OK;
        if (rc != TOK_OK) {
            ctx->fl->C_CloseSession(k.s);
            OPENSSL_free(old);
            return rc;
        }
    }
    if ((rc = tok_login_on(ctx, k.s, user_pin)) != TOK_OK) {
        ctx->fl->C_CloseSession(k.s);
        OPENSSL_free(old);
        return rc;
    }

    if (mode == ISSUE_RECERT) {
        /* the key pair the key's certificate certifies, as it is: its public key from that certificate */
        p = old;
        l = tok_raw_attr(ctx, k.s, hold, CKA_ID, id, sizeof id);
        if (l <= 0 || (oldcert = d2i_X509(NULL, &p, (long)oldlen)) == NULL ||
            (pub = X509_get_pubkey(oldcert)) == NULL ||
            tok_raw_find_id(ctx, k.s, CKO_PRIVATE_KEY, id, (size_t)l, &k.priv) != 1) {
            rc = tok_fail(ctx, TOK_ERR_NO_CERT, "the certificate's key pair is not on key %s", serial);
            goto out;
        }
        idlen = (size_t)l;
        k.ec = EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC;
    } else {
        if (RAND_bytes(id, idlen) != 1) {
            rc = tok_fail(ctx, TOK_ERR_INTERNAL, "RAND_bytes");
            goto out;
        }
        if ((rc = tok_genkey(ctx, k.s, algo, TOK_KEY_LABEL, id, idlen, k.ec ? TOK_GEN_DERIVE : 0, &hpub, &k.priv)) !=
            TOK_OK)
            goto out;
        if ((pub = tok_raw_pubkey(ctx, k.s, hpub, k.ec)) == NULL) {
            rc = tok_is_present(ctx, serial) ? TOK_ERR_INTERNAL : TOK_ERR_REMOVED;
            goto out;
        }
    }
    if (opts != NULL && opts->on_step != NULL && opts->on_step(opts->arg, TOK_ISSUE_KEYPAIR, NULL) != 0) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "stopped before the CA signature (write-ahead failed)");
        goto out;
    }
    if ((req = tok_make_csr(ctx, &k, pub, subj, ctx->uscc_in_serial)) == NULL) {
        rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_INTERNAL : TOK_ERR_REMOVED,
                      "CSR signed on key %s failed", serial);
        goto out;
    }
    if (X509_REQ_verify(req, pub) != 1) {
        rc = tok_fail(ctx, TOK_ERR_VERIFY, "CSR signature (proof of possession) does not verify");
        goto out;
    }
    if ((cert = tok_sign_csr(ctx, req, ca_key, ca_cert, nb, na, k.ec, opts != NULL ? opts->serial_hex : NULL)) == NULL) {
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
    derlen = i2d_X509(cert, &der);
    if (derlen <= 0) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "encoding the certificate");
        goto out;
    }
    {
        unsigned char *subjder = NULL, *issder = NULL, *serder = NULL;
        int subjlen = i2d_X509_NAME(X509_get_subject_name(cert), &subjder);
        int isslen = i2d_X509_NAME(X509_get_issuer_name(cert), &issder);
        int serlen = i2d_ASN1_INTEGER(X509_get_serialNumber(cert), &serder);
        CK_ATTRIBUTE tmpl[] = {
            { CKA_CLASS, &ccls, sizeof ccls }, { CKA_CERTIFICATE_TYPE, &ctype, sizeof ctype },
            { CKA_TOKEN, &t, sizeof t }, { CKA_PRIVATE, &f, sizeof f },
            { CKA_LABEL, (void *)TOK_CERT_LABEL, strlen(TOK_CERT_LABEL) }, { CKA_ID, id, idlen },
            { CKA_SUBJECT, subjder, subjlen > 0 ? (CK_ULONG)subjlen : 0 },
            { CKA_ISSUER, issder, isslen > 0 ? (CK_ULONG)isslen : 0 },
            { CKA_SERIAL_NUMBER, serder, serlen > 0 ? (CK_ULONG)serlen : 0 },
            { CKA_VALUE, der, (CK_ULONG)derlen },
        };
        CK_RV rv = subjlen > 0 && isslen > 0 && serlen > 0
                       ? ctx->fl->C_CreateObject(k.s, tmpl, sizeof tmpl / sizeof tmpl[0], &newcert)
                       : CKR_HOST_MEMORY;
        OPENSSL_free(subjder);
        OPENSSL_free(issder);
        OPENSSL_free(serder);
        if (rv != CKR_OK) {
            rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_INTERNAL : TOK_ERR_REMOVED,
                          "storing the certificate on key %s failed: 0x%lx", serial, (unsigned long)rv);
            goto out;
        }
    }
    if (opts != NULL && opts->on_step != NULL && opts->on_step(opts->arg, TOK_ISSUE_STORED, &tmp) != 0) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "stopped after writing the certificate (write-ahead failed)");
        goto out;
    }
    /* Read back from the token and compare byte for byte (one call: the object's value). */
    if ((back = OPENSSL_malloc((size_t)derlen + 1)) == NULL) {
        rc = tok_fail(ctx, TOK_ERR_INTERNAL, "out of memory");
        goto out;
    }
    l = tok_raw_attr(ctx, k.s, newcert, CKA_VALUE, back, (size_t)derlen + 1);
    backlen = l > 0 ? (size_t)l : 0;
    if (l < 0 || backlen != (size_t)derlen || memcmp(der, back, backlen) != 0) {
        rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_VERIFY : TOK_ERR_REMOVED,
                      "read-back of the certificate differs");
        goto out;
    }
    /* The self-test: the key signed the request with the certificate's
     * own public key (verified above, the same key: checked here), and
     * now, the certificate written, it decrypts or agrees a key. */
    if (EVP_PKEY_eq(X509_get0_pubkey(cert), pub) != 1 || !tok_test_crypt(ctx, &k, cert)) {
        rc = tok_fail(ctx, tok_is_present(ctx, serial) ? TOK_ERR_VERIFY : TOK_ERR_REMOVED,
                      "self-test (sign/verify, %s) failed on key %s", k.ec ? "key agreement" : "encrypt/decrypt",
                      serial);
        goto out;
    }
    if (!tok_is_present(ctx, serial)) {
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during issuance", serial);
        goto out;
    }
    if (beside && (rc = tok_raw_keep(ctx, k.s, id, idlen, newcert)) != TOK_OK)
        goto out;       /* the new certificate is there: tok_keep_only finishes the tidying */
    (void)tok_cert_describe(ctx, cert, out != NULL ? out : &tmp);
    rc = TOK_OK;
out:
    OPENSSL_free(der);
    OPENSSL_free(back);
    OPENSSL_free(old);
    X509_free(cert);
    X509_free(oldcert);
    X509_REQ_free(req);
    EVP_PKEY_free(pub);
    tok_user_logout(ctx, k.s);
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
    struct tok_slot *slot;
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
    tok_user_logout(ctx, s);
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
    if ((rc = tok_ca_usable(ctx, not_after)) != TOK_OK)
        return rc;
    if ((rc = tok_ca_key(ctx, &ca_key)) != TOK_OK)
        return rc;
    rc = tok_issue_on(ctx, serial, user_pin, subj, not_before, not_after, algo, ca_key, ctx->ca, opts, out, mode);
    /* The HSM session and the CA key's handle are kept for the next
     * issuance; a CA signature that failed starts the HSM afresh next time. */
    if (rc == TOK_ERR_HSM)
        (void)tok_refresh(ctx);
    return rc;
}

/*
 * token/tok_ca.c - the HSM side: logging in to the HSM token, the CA key
 * (generated in the HSM, non-extractable, used through libp11's EVP_PKEY),
 * the master secret for SO-PIN diversification (a non-extractable generic
 * secret key; the HMAC is computed inside the HSM), key-pair generation on
 * any token with an explicit template (C_GenerateKeyPair on the module's
 * function list: libp11 0.4.12 cannot make EC keys nor set CKA_EXTRACTABLE),
 * and building CA certificates.
 */
#include "token/tok_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/conf.h>
#include <openssl/x509v3.h>

#define TOK_MASTER_LABEL "kiosk-master"
#define TOK_AUDIT_LABEL "kiosk-audit"

struct tok_slot *
tok_hsm_slot(tok_ctx *ctx)
{
    ctx = tok_hsm_ctx(ctx);
    if (ctx->hsm_serial[0] != '\0') {
        struct tok_slot *s = tok_find_slot(ctx, ctx->hsm_serial);
        if (s != NULL)
            return s;
    }
    return tok_find_label(ctx, TOK_HSM_LABEL);
}

/* Our raw session on the HSM, opened once (after the login) and kept until the next refresh. */
static int
tok_hsm_session(tok_ctx *ctx, CK_SESSION_HANDLE *s)
{
    ctx = tok_hsm_ctx(ctx);
    int rc = tok_hsm_login(ctx);

    if (rc != TOK_OK)
        return rc;
    if (ctx->hsm_s == CK_INVALID_HANDLE && tok_raw_session(ctx, tok_hsm_slot(ctx), &ctx->hsm_s) != TOK_OK) {
        ctx->hsm_s = CK_INVALID_HANDLE;
        return TOK_ERR_HSM;
    }
    *s = ctx->hsm_s;
    return TOK_OK;
}

/* Log in to the HSM as user with the PIN from ctx->hsm_pin_file (once per enumeration). */
int
tok_hsm_login(tok_ctx *ctx)
{
    ctx = tok_hsm_ctx(ctx);
    struct tok_slot *ts = tok_hsm_slot(ctx);
    PKCS11_SLOT *slot;
    char pin[128];
    int logged = 0, rc;

    if (ctx->hsm_logged_in)
        return TOK_OK;
    slot = tok_p11_slot(ctx, &ts);
    if (slot == NULL)
        return tok_fail(ctx, TOK_ERR_HSM, "no HSM token (serial '%s', label %s)", ctx->hsm_serial, TOK_HSM_LABEL);
    if (ctx->hsm_pin != NULL)
        snprintf(pin, sizeof pin, "%s", ctx->hsm_pin);
    else if (ctx->hsm_pin_file[0] == '\0')
        return tok_fail(ctx, TOK_ERR_HSM_LOCKED, "the HSM is locked: its PIN is typed at a counter's start of day");
    else if (tok_read_secret(ctx->hsm_pin_file, pin, sizeof pin) != 0)
        return tok_fail(ctx, TOK_ERR_HSM, "cannot read the HSM PIN file %s", ctx->hsm_pin_file);
    /* libp11 0.4.12 (Debian 12) waits forever on a condition variable when
     * the module's C_OpenSession fails (fixed upstream in 2025, libp11 PR
     * #579), so an HSM that is down or gone would freeze the counter here:
     * a session is opened raw first, and an HSM that refuses it is reported.
     * libp11's own session, opened just after, stays in its pool for the
     * signatures (tests/integration/fault_sweep.sh, the HSM's faults). */
    CK_SESSION_HANDLE probe;
    if (tok_raw_session(ctx, ts, &probe) != TOK_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", tok_detail(ctx));
        OPENSSL_cleanse(pin, sizeof pin);
        return tok_fail(ctx, TOK_ERR_HSM, "the HSM does not open a session: %s", why);
    }
    (void)ctx->fl->C_CloseSession(probe);
    if (PKCS11_open_session(slot, 1) != 0) {
        OPENSSL_cleanse(pin, sizeof pin);
        return tok_fail(ctx, TOK_ERR_HSM, "cannot open a session on the HSM");
    }
    if (PKCS11_is_logged_in(slot, 0, &logged) != 0 || !logged)
        rc = PKCS11_login(slot, 0, pin);
    else
        rc = 0;
    OPENSSL_cleanse(pin, sizeof pin);
    if (rc != 0)
        /* a typed PIN the HSM refuses is a wrong PIN; a PIN file's, a broken hall */
        return ctx->hsm_pin != NULL ? tok_fail(ctx, TOK_ERR_PIN_INCORRECT, "HSM login refused: wrong PIN")
                                    : tok_fail(ctx, TOK_ERR_HSM, "HSM login refused (PIN from %s)", ctx->hsm_pin_file);
    ctx->hsm_logged_in = true;
    ERR_clear_error();
    return TOK_OK;
}

/* The typed PIN forgotten: wiped, its page unlocked and unmapped. */
void
tok_hsm_pin_wipe(tok_ctx *ctx)
{
    if (ctx->hsm_pin == NULL)
        return;
    OPENSSL_cleanse(ctx->hsm_pin, TOK_PIN_PAGE);
    (void)munlock(ctx->hsm_pin, TOK_PIN_PAGE);
    (void)munmap(ctx->hsm_pin, TOK_PIN_PAGE);
    ctx->hsm_pin = NULL;
}

bool
tok_hsm_needs_pin(tok_ctx *ctx)
{
    if (ctx == NULL)
        return false;
    ctx = tok_hsm_ctx(ctx);
    return ctx->hsm_pin_file[0] == '\0' && ctx->hsm_pin == NULL;
}

int
tok_hsm_unlock(tok_ctx *ctx, const char *pin)
{
    size_t len = strlen(pin);
    int rc;

    ctx = tok_hsm_ctx(ctx);
    if (len == 0 || len >= TOK_PIN_PAGE)
        return tok_fail(ctx, TOK_ERR_PIN_INCORRECT, "HSM PIN of %zu characters", len);
    tok_hsm_pin_wipe(ctx);
    ctx->hsm_pin = mmap(NULL, TOK_PIN_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ctx->hsm_pin == MAP_FAILED) {
        ctx->hsm_pin = NULL;
        return tok_fail(ctx, TOK_ERR_INTERNAL, "no page for the HSM PIN");
    }
    /* kept out of swap and core files (RLIMIT_MEMLOCK allows one page to anyone) */
    if (mlock(ctx->hsm_pin, TOK_PIN_PAGE) != 0) {
        tok_hsm_pin_wipe(ctx);
        return tok_fail(ctx, TOK_ERR_INTERNAL, "cannot lock the HSM PIN's page in memory");
    }
    (void)madvise(ctx->hsm_pin, TOK_PIN_PAGE, MADV_DONTDUMP);
    memcpy(ctx->hsm_pin, pin, len + 1);
    ctx->hsm_logged_in = false;
    rc = tok_hsm_login(ctx);
    if (rc != TOK_OK) {
        tok_hsm_pin_wipe(ctx);
        return rc;
    }
    return TOK_OK;
}

/* The secret key labelled LABEL on session S: 1 found, 0 not, or a TOK_ERR_ status. */
static int
tok_raw_find(tok_ctx *ctx, CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *h)
{
    return tok_raw_find_by(ctx, s, CKO_SECRET_KEY, CKA_LABEL, label, strlen(label), h);
}

/* The master secret's handle, found once on session S and kept: 1, or 0 when the HSM has none. */
static int
tok_hsm_master(tok_ctx *ctx, CK_SESSION_HANDLE s)
{
    ctx = tok_hsm_ctx(ctx);
    CK_OBJECT_HANDLE h;

    if (ctx->master_h == CK_INVALID_HANDLE && tok_raw_find(ctx, s, TOK_MASTER_LABEL, &h) == 1)
        ctx->master_h = h;
    return ctx->master_h != CK_INVALID_HANDLE;
}

/* The non-extractable sign-only generic secret labelled LABEL in the HSM, made when missing: its handle. */
static int
tok_hsm_secret(tok_ctx *ctx, const char *label, CK_OBJECT_HANDLE *out, bool *created)
{
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
    CK_BBOOL t = CK_TRUE, f = CK_FALSE;
    CK_ULONG vlen = 32;
    CK_MECHANISM mech = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
    CK_ATTRIBUTE tmpl[] = {
        { CKA_CLASS, &cls, sizeof cls },
        { CKA_KEY_TYPE, &kt, sizeof kt },
        { CKA_TOKEN, &t, sizeof t },
        { CKA_PRIVATE, &t, sizeof t },
        { CKA_SENSITIVE, &t, sizeof t },
        { CKA_EXTRACTABLE, &f, sizeof f },
        { CKA_SIGN, &t, sizeof t },
        { CKA_VERIFY, &t, sizeof t },
        { CKA_ENCRYPT, &f, sizeof f },
        { CKA_DECRYPT, &f, sizeof f },
        { CKA_WRAP, &f, sizeof f },
        { CKA_UNWRAP, &f, sizeof f },
        { CKA_DERIVE, &f, sizeof f },
        { CKA_VALUE_LEN, &vlen, sizeof vlen },
        { CKA_LABEL, (void *)label, strlen(label) },
    };
    CK_RV rv;
    int rc = tok_hsm_session(ctx, &s), found;

    *created = false;
    if (rc != TOK_OK)
        return rc;
    found = tok_raw_find(ctx, s, label, &h);
    if (found == 0) {
        rv = ctx->fl->C_GenerateKey(s, &mech, tmpl, sizeof tmpl / sizeof tmpl[0], &h);
        if (rv != CKR_OK)
            return tok_fail(ctx, TOK_ERR_HSM, "C_GenerateKey (%s): 0x%lx", label, (unsigned long)rv);
        *created = true;
    }
    if (found >= 0)
        *out = h;
    return found < 0 ? tok_fail(ctx, TOK_ERR_HSM, "C_FindObjects on the HSM failed") : TOK_OK;
}

int
tok_hsm_ensure_master(tok_ctx *ctx, bool *created)
{
    ctx = tok_hsm_ctx(ctx);
    return tok_hsm_secret(ctx, TOK_MASTER_LABEL, &ctx->master_h, created);
}

/*
 * The audit chain's key: HMAC-SHA256 in the HSM, under its own secret
 * (made on first use), of a fixed label. Every counter of the hall derives
 * the same key; it exists outside the HSM only in the memory of a running
 * kiosk (which is never dumped). The caller cleanses KEY.
 */
int
tok_hsm_audit_key(tok_ctx *ctx, unsigned char key[32], bool *created)
{
    ctx = tok_hsm_ctx(ctx);
    static const char what[] = "kiosk audit chain v1";
    CK_MECHANISM mech = { CKM_SHA256_HMAC, NULL, 0 };
    CK_OBJECT_HANDLE h;
    CK_SESSION_HANDLE s;
    CK_ULONG len = 32;
    CK_RV rv;
    int rc = tok_hsm_secret(ctx, TOK_AUDIT_LABEL, &h, created);

    if (rc != TOK_OK)
        return rc;
    if ((rc = tok_hsm_session(ctx, &s)) != TOK_OK)
        return rc;
    rv = ctx->fl->C_SignInit(s, &mech, h);
    if (rv == CKR_OK)
        rv = ctx->fl->C_Sign(s, (CK_BYTE_PTR)what, sizeof what - 1, key, &len);
    if (rv != CKR_OK || len != 32)
        return tok_fail(ctx, TOK_ERR_HSM, "the audit key's HMAC in the HSM: 0x%lx", (unsigned long)rv);
    return TOK_OK;
}

/*
 * The SO PIN of key SERIAL: HMAC-SHA256(master secret, serial), computed in
 * the HSM, as 24 hex characters. The caller cleanses PIN after use.
 */
int
tok_hsm_diversify(tok_ctx *ctx, const char *serial, char *pin, size_t n)
{
    ctx = tok_hsm_ctx(ctx);
    CK_SESSION_HANDLE s;
    CK_MECHANISM mech = { CKM_SHA256_HMAC, NULL, 0 };
    unsigned char mac[32];
    CK_ULONG mlen = sizeof mac;
    CK_RV rv = CKR_OK;
    int rc, attempt;
    size_t i;

    if (n < 25)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "SO PIN buffer too small");
    /* The session and the master secret's handle are kept: two calls a key.
     * A session the HSM lost (restarted, pulled) is found again once. */
    for (attempt = 0; attempt < 2; attempt++) {
        if (attempt > 0 && tok_refresh(ctx) != TOK_OK)
            break;
        if ((rc = tok_hsm_session(ctx, &s)) != TOK_OK)
            return rc;
        if (!tok_hsm_master(ctx, s))
            continue;
        mlen = sizeof mac;
        rv = ctx->fl->C_SignInit(s, &mech, ctx->master_h);
        if (rv == CKR_OK)
            rv = ctx->fl->C_Sign(s, (CK_BYTE_PTR)serial, strlen(serial), mac, &mlen);
        if (rv == CKR_OK)
            break;
    }
    if (ctx->master_h == CK_INVALID_HANDLE)
        return tok_fail(ctx, TOK_ERR_HSM, "no master secret '%s' in the HSM", TOK_MASTER_LABEL);
    if (rv != CKR_OK || attempt == 2)
        return tok_fail(ctx, TOK_ERR_HSM, "HMAC in the HSM: 0x%lx", (unsigned long)rv);
    for (i = 0; i < 12; i++)
        snprintf(pin + 2 * i, n - 2 * i, "%02x", mac[i]);
    OPENSSL_cleanse(mac, sizeof mac);
    return TOK_OK;
}

/*
 * Generate a key pair on SLOT (user logged in) with ALGO "rsa2048" or
 * "p256": private key sensitive and non-extractable, LABEL and ID on both
 * halves; FLAGS: TOK_GEN_DERIVE adds CKA_DERIVE (EC key agreement),
 * TOK_GEN_SEALED makes the private key not modifiable, not copyable and not
 * destroyable (CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE false).
 */
int
tok_genkey(tok_ctx *ctx, CK_SESSION_HANDLE s, const char *algo, const char *label,
           const unsigned char *id, size_t idlen, unsigned flags, CK_OBJECT_HANDLE *hpub, CK_OBJECT_HANDLE *hpriv)
{
    static const CK_BYTE p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
    static const CK_BYTE f4[] = { 0x01, 0x00, 0x01 };
    CK_BBOOL t = CK_TRUE, f = CK_FALSE, d = (flags & TOK_GEN_DERIVE) ? CK_TRUE : CK_FALSE;
    CK_ULONG bits = 2048;
    bool ec = strcmp(algo, "p256") == 0;
    CK_MECHANISM mech = { ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE pub_rsa[] = {
        { CKA_TOKEN, &t, sizeof t }, { CKA_PRIVATE, &f, sizeof f },
        { CKA_VERIFY, &t, sizeof t }, { CKA_ENCRYPT, &t, sizeof t },
        { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, (void *)f4, sizeof f4 },
        { CKA_LABEL, (void *)label, strlen(label) }, { CKA_ID, (void *)id, idlen },
    };
    CK_ATTRIBUTE pub_ec[] = {
        { CKA_TOKEN, &t, sizeof t }, { CKA_PRIVATE, &f, sizeof f },
        { CKA_VERIFY, &t, sizeof t }, { CKA_EC_PARAMS, (void *)p256_oid, sizeof p256_oid },
        { CKA_LABEL, (void *)label, strlen(label) }, { CKA_ID, (void *)id, idlen },
    };
    CK_ATTRIBUTE priv[] = {
        { CKA_TOKEN, &t, sizeof t }, { CKA_PRIVATE, &t, sizeof t },
        { CKA_SENSITIVE, &t, sizeof t }, { CKA_EXTRACTABLE, &f, sizeof f },
        { CKA_SIGN, &t, sizeof t },
        { CKA_LABEL, (void *)label, strlen(label) }, { CKA_ID, (void *)id, idlen },
        { CKA_DECRYPT, ec ? &f : &t, sizeof t }, { CKA_DERIVE, &d, sizeof d },
        { CKA_UNWRAP, &f, sizeof f },
        /* sealed (the CA key): the last three count only with TOK_GEN_SEALED */
        { CKA_MODIFIABLE, &f, sizeof f }, { CKA_COPYABLE, &f, sizeof f }, { CKA_DESTROYABLE, &f, sizeof f },
    };
    CK_ULONG npriv = sizeof priv / sizeof priv[0] - ((flags & TOK_GEN_SEALED) ? 0 : 3);
    CK_RV rv;
    int rc;

    if (!ec && strcmp(algo, "rsa2048") != 0)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "unknown key algorithm '%s' (rsa2048|p256)", algo);
    if (ec)
        rv = ctx->fl->C_GenerateKeyPair(s, &mech, pub_ec, sizeof pub_ec / sizeof pub_ec[0],
                                        priv, npriv, hpub, hpriv);
    else
        rv = ctx->fl->C_GenerateKeyPair(s, &mech, pub_rsa, sizeof pub_rsa / sizeof pub_rsa[0],
                                        priv, npriv, hpub, hpriv);
    if (rv != CKR_OK) {
        rc = tok_ckr_status(rv);
        return tok_fail(ctx, rc == TOK_ERR_REMOVED ? rc : TOK_ERR_INTERNAL,
                        "C_GenerateKeyPair (%s): 0x%lx", algo, (unsigned long)rv);
    }
    return TOK_OK;
}

/* The public half of a token key (never PKCS11_get_public_key: it leaks). */
EVP_PKEY *
tok_pubkey_of(EVP_PKEY *priv)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len = i2d_PUBKEY(priv, &der);
    EVP_PKEY *pub = NULL;

    if (len > 0) {
        p = der;
        pub = d2i_PUBKEY(NULL, &p, len);
    }
    OPENSSL_free(der);
    return pub;
}

/* Private key labelled LABEL on TOKEN as an EVP_PKEY (caller frees), or NULL. */
static EVP_PKEY *
tok_key_by_label(PKCS11_TOKEN *token, const char *label)
{
    PKCS11_KEY *keys = NULL;
    unsigned int n = 0, i;

    if (PKCS11_enumerate_keys(token, &keys, &n) != 0)
        return NULL;
    for (i = 0; i < n; i++)
        if (keys[i].isPrivate && keys[i].label != NULL && strcmp(keys[i].label, label) == 0)
            return PKCS11_get_private_key(&keys[i]);
    return NULL;
}

int
tok_hsm_ensure_ca_key(tok_ctx *ctx, bool *created)
{
    ctx = tok_hsm_ctx(ctx);
    static const unsigned char id[] = { 'C', 'A', '0', '1' };
    EVP_PKEY *k;
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE hpub, hpriv;
    int rc = tok_hsm_login(ctx);

    *created = false;
    if (rc != TOK_OK)
        return rc;
    k = tok_key_by_label(tok_hsm_slot(ctx)->p11->token, ctx->ca_key_label);
    if (k != NULL) {
        EVP_PKEY_free(k);
        return TOK_OK;
    }
    ERR_clear_error();
    if ((rc = tok_hsm_session(ctx, &s)) != TOK_OK)
        return rc;
    rc = tok_genkey(ctx, s, "p256", ctx->ca_key_label, id, sizeof id, TOK_GEN_SEALED, &hpub, &hpriv);
    if (rc != TOK_OK)
        return tok_fail(ctx, TOK_ERR_HSM, "CA key generation in the HSM failed: %s", ctx->detail);
    *created = true;
    return TOK_OK;
}

int
tok_hsm_ready(tok_ctx *ctx)
{
    ctx = tok_hsm_ctx(ctx);
    CK_SESSION_HANDLE s;
    EVP_PKEY *k;
    int rc = tok_ca_key(ctx, &k);

    if (rc == TOK_OK && (rc = tok_hsm_session(ctx, &s)) == TOK_OK && !tok_hsm_master(ctx, s))
        return tok_fail(ctx, TOK_ERR_HSM, "no master secret '%s' in the HSM", TOK_MASTER_LABEL);
    return rc;
}

/* The CA private key in the HSM (borrowed: valid until the next refresh). */
int
tok_ca_key(tok_ctx *ctx, EVP_PKEY **out)
{
    ctx = tok_hsm_ctx(ctx);
    int rc;

    *out = NULL;
    if (ctx->ca_key == NULL) {
        if ((rc = tok_hsm_login(ctx)) != TOK_OK)
            return rc;
        ctx->ca_key = tok_key_by_label(tok_hsm_slot(ctx)->p11->token, ctx->ca_key_label);
        if (ctx->ca_key == NULL)
            return tok_fail(ctx, TOK_ERR_HSM, "no CA key labelled '%s' in the HSM", ctx->ca_key_label);
    }
    *out = ctx->ca_key;
    return TOK_OK;
}

static int
tok_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *e;
    CONF *conf = NCONF_new(NULL);   /* empty: certificatePolicies (an r2i method) needs a config database */
    int ok;

    if (conf == NULL)
        return 0;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509V3_set_nconf(&v3, conf);
    e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    NCONF_free(conf);
    if (e == NULL)
        return 0;
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/* A random positive 128-bit serial number. */
int
tok_rand_serial(X509 *x)
{
    unsigned char r[16];
    BIGNUM *bn;
    int ok;

    if (RAND_bytes(r, sizeof r) != 1)
        return 0;
    r[0] &= 0x7f;
    r[0] |= 0x10;
    bn = BN_bin2bn(r, sizeof r, NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

int
tok_hex_serial(X509 *x, const char *hex)
{
    BIGNUM *bn = NULL;
    int ok;

    if (hex == NULL || strlen(hex) < 8 || strlen(hex) > 40 || BN_hex2bn(&bn, hex) != (int)strlen(hex))
        return 0;
    ok = !BN_is_negative(bn) && !BN_is_zero(bn) && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

int
tok_serial_new(char *hex, size_t n)
{
    unsigned char r[16];
    size_t i;

    if (n < 2 * sizeof r + 1 || RAND_bytes(r, sizeof r) != 1)
        return -1;
    r[0] &= 0x7f;
    r[0] |= 0x10;   /* positive, always 32 hex digits */
    for (i = 0; i < sizeof r; i++)
        snprintf(hex + 2 * i, 3, "%02X", r[i]);
    return 0;
}

/* A self-signed CA certificate for KEY (signs) / PUB (its public half). */
X509 *
tok_make_ca_cert(EVP_PKEY *key, EVP_PKEY *pub, const char *cn, const char *org, time_t nb, time_t na)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = x != NULL && name != NULL;

    ok = ok && X509_set_version(x, 2) && tok_rand_serial(x);
    ok = ok && X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"CN", -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    ok = ok && X509_set_subject_name(x, name) && X509_set_issuer_name(x, name);
    ok = ok && X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &nb) != NULL;
    ok = ok && X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &na) != NULL;
    ok = ok && X509_set_pubkey(x, pub);
    ok = ok && tok_add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");   /* issues end entities only */
    ok = ok && tok_add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    ok = ok && tok_add_ext(x, x, NID_subject_key_identifier, "hash");
    ok = ok && tok_add_ext(x, x, NID_authority_key_identifier, "keyid:always");
    ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Add extension NID=VALUE to X, issued by ISSUER (exported for tok_issue.c). */
int
tok_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    return tok_add_ext(x, issuer, nid, value);
}

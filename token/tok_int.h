/*
 * token/tok_int.h - private internals of token/: the context, the libp11
 * handles and the raw PKCS#11 function list. Only the token/ sources include this
 * (and, through it, libp11.h); everything above token/ sees token.h only.
 *
 * Raw PKCS#11 calls go through the function list of the very module libp11
 * loaded (same dlopen handle, same C_Initialize, same login state), for what
 * libp11 0.4.12 cannot do: EC and non-extractable key generation, generic
 * secret keys, HMAC in the HSM, SO PIN changes, reading objects back.
 */
#ifndef TOKEN_TOK_INT_H
#define TOKEN_TOK_INT_H

#include <libp11.h>
#include <openssl/x509.h>
#include <p11-kit-1/p11-kit/pkcs11.h>

#include "token/token.h"

#define TOK_PRESENT_MAX 64

struct tok_ctx {
    PKCS11_CTX *p11;            /* libp11 context (module loaded) */
    PKCS11_SLOT *slots;         /* current enumeration */
    unsigned int nslots;
    CK_FUNCTION_LIST *fl;       /* the same module's raw function list */
    void *dl;                   /* our dlopen reference to the module */
    bool fl_initialized;        /* fl is an instance of its own that we initialised (C_Finalize at close) */

    char module[512];
    char ports_dir[512];        /* "" = real readers */
    char hsm_serial[TOK_SERIAL_MAX];
    X509 *ca;                   /* issuing CA certificate, or NULL */

    /* HSM access (tok_set_hsm) */
    char hsm_pin_file[512];
    char ca_key_label[64];
    char crl_url[256];
    char issuer_url[256];      /* authorityInfoAccess caIssuers ("" = none) */
    char policy_oid[64];       /* certificatePolicies ("" = none) */
    char eku[128];             /* extendedKeyUsage ("" = none) */
    bool uscc_in_serial;       /* the USCC in serialNumber, not organizationIdentifier */
    EVP_PKEY *ca_key;           /* CA private key handle, freed on refresh */
    bool hsm_logged_in;         /* valid until the next refresh */

    /* presence in the embedded hall */
    struct timespec ports_mtime;
    bool ports_seen;
    char present[TOK_PRESENT_MAX][TOK_SERIAL_MAX];
    size_t npresent;

    tok_step_fn step_fn;
    void *step_arg;
    char detail[512];           /* last failure, technical */
};

/* tok_ctx.c */
int tok_fail(tok_ctx *ctx, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tok_refresh(tok_ctx *ctx);
PKCS11_SLOT *tok_find_slot(tok_ctx *ctx, const char *serial);
PKCS11_SLOT *tok_find_label(tok_ctx *ctx, const char *label);
PKCS11_SLOT *tok_find_free(tok_ctx *ctx);
void tok_trim(char *dst, size_t n, const char *src);
void tok_pad_label(char out[33], const char *label);
time_t tok_asn1_time(const ASN1_TIME *t);
int tok_raw_session(tok_ctx *ctx, PKCS11_SLOT *slot, CK_SESSION_HANDLE *out);
int tok_ckr_status(CK_RV rv);
void tok_cleanse_str(char *s);
int tok_read_secret(const char *path, char *out, size_t n);

/* tok_slot.c */
bool tok_is_present(tok_ctx *ctx, const char *serial);
/* The slot of the inserted key SERIAL (one refresh if libp11 does not know it yet): TOK_OK or TOK_ERR_NO_KEY. */
int tok_present_slot(tok_ctx *ctx, const char *serial, PKCS11_SLOT **slot);
int tok_scan_ports(tok_ctx *ctx);
bool tok_is_hsm(const tok_ctx *ctx, const PKCS11_SLOT *slot);

/* tok_cert.c */
int tok_cert_describe(tok_ctx *ctx, X509 *x, struct tok_cert *out);
X509 *tok_load_pem(const char *path);
int tok_raw_cert_der(tok_ctx *ctx, PKCS11_SLOT *slot, unsigned char **der, size_t *len);

/* tok_ca.c */
int tok_hsm_login(tok_ctx *ctx);
int tok_hsm_diversify(tok_ctx *ctx, const char *serial, char *pin, size_t n);
int tok_hsm_ensure_master(tok_ctx *ctx, bool *created);
int tok_hsm_ensure_ca_key(tok_ctx *ctx, bool *created);
int tok_ca_key(tok_ctx *ctx, EVP_PKEY **out);
X509 *tok_make_ca_cert(EVP_PKEY *key, EVP_PKEY *pub, const char *cn, const char *org, time_t nb, time_t na);
/* tok_genkey flags */
enum {
    TOK_GEN_DERIVE = 1 << 0,   /* CKA_DERIVE on the private key (EC key agreement) */
    TOK_GEN_SEALED = 1 << 1,   /* the private key can be neither modified, copied nor destroyed (the CA key) */
};
int tok_genkey(tok_ctx *ctx, PKCS11_SLOT *slot, const char *algo, const char *label,
               const unsigned char *id, size_t idlen, unsigned flags);
EVP_PKEY *tok_pubkey_of(EVP_PKEY *priv);
int tok_rand_serial(X509 *x);
/* Set X's serial from upper-case HEX. 1 on success. */
int tok_hex_serial(X509 *x, const char *hex);
int tok_ext(X509 *x, X509 *issuer, int nid, const char *value);

/* tok_issue.c */
int tok_issue_with(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
                   time_t nb, time_t na, const char *algo, EVP_PKEY *ca_key, X509 *ca_cert,
                   const struct tok_issue_opts *opts, struct tok_cert *out);

/* tok_pin.c */
int tok_pin_policy(const char *pin);
int tok_new_ukey(tok_ctx *ctx, const char *label, char *serial_out);
int tok_user_login(tok_ctx *ctx, PKCS11_SLOT *slot, const char *pin, CK_SESSION_HANDLE *s);
void tok_user_logout(tok_ctx *ctx, PKCS11_SLOT *slot, CK_SESSION_HANDLE s);

#endif

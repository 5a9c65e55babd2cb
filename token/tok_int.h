/*
 * token/tok_int.h - private internals of token/: the context, the libp11
 * handles and the raw PKCS#11 function list. Only the token/ sources include this
 * (and, through it, libp11.h); everything above token/ sees token.h only.
 *
 * Raw PKCS#11 calls go through the function list of the very module libp11
 * loaded (same dlopen handle, same C_Initialize, same login state): all of
 * a UKey's work (one session per operation, issue 17) and what libp11
 * 0.4.12 cannot do (EC and non-extractable key generation, generic secret
 * keys, HMAC in the HSM, SO PIN changes). libp11 itself serves the HSM's CA
 * key as an EVP_PKEY and provisioning.
 */
#ifndef TOKEN_TOK_INT_H
#define TOKEN_TOK_INT_H

#include <libp11.h>
#include <openssl/x509.h>
#include <p11-kit-1/p11-kit/pkcs11.h>

#include "token/token.h"

/* Slots the token layer keeps: a module with more (a SoftHSM holding every
 * key a hall ever adopted: one slot a token) had its HSM fall off the end of
 * the list at 64 (found by tests/integration/fault_sweep.sh minting keys). */
#define TOK_PRESENT_MAX 512
#define TOK_SLOTS_MAX 512

/*
 * What the token layer knows of one slot: read once when the module is
 * opened (from libp11's enumeration, no call of its own), then only for a
 * slot whose presence changed or whose token we changed (one
 * C_GetTokenInfo). Every operation on a UKey finds its slot here, so no
 * operation enumerates the module's slots again (issue 17).
 */
struct tok_slot {
    CK_SLOT_ID id;
    PKCS11_SLOT *p11;           /* libp11's view of the slot (HSM, provisioning), NULL when it has none; valid until tok_refresh */
    bool token;                 /* a token in the slot */
    bool initialized;           /* CKF_TOKEN_INITIALIZED */
    bool user_pin_set;          /* CKF_USER_PIN_INITIALIZED */
    CK_ULONG max_pin;           /* ulMaxPinLen (0: not known) */
    char serial[TOK_SERIAL_MAX];
    char label[33];
    char manufacturer[33];      /* for pkcs11: URIs (tok_uri_match) */
    char model[17];
};

struct tok_ctx {
    /* The HSM on a module of its own ([token] hsm_module): a second context
     * on that module, which every HSM operation runs on (tok_hsm_ctx); NULL
     * when the keys' module holds the HSM too. Its PARENT is the keys'
     * context, which is also told its failures. */
    struct tok_ctx *hsm;
    struct tok_ctx *parent;
    PKCS11_CTX *p11;            /* libp11 context (module loaded) */
    PKCS11_SLOT *slots;         /* libp11's enumeration (read at open and by tok_refresh only) */
    unsigned int nslots;
    struct tok_slot tab[TOK_SLOTS_MAX]; /* the slots as the token layer knows them */
    unsigned int ntab;
    CK_FUNCTION_LIST *fl;       /* the same module's raw function list */
    void *dl;                   /* our dlopen reference to the module */
    bool fl_initialized;        /* fl is an instance of its own that we initialised (C_Finalize at close) */

    char module[512];
    char ports_dir[512];        /* "" = real readers */
    char hsm_serial[TOK_SERIAL_MAX];
    X509 *ca;                   /* issuing CA certificate, or NULL */

    /* HSM access (tok_set_hsm) */
    char hsm_pin_file[512];     /* "" = the PIN is typed (tok_hsm_unlock) */
    char *hsm_pin;              /* the typed PIN: one locked page, never dumped, wiped at close; NULL = none */
    char ca_key_label[64];
    char crl_url[256];
    char issuer_url[256];      /* authorityInfoAccess caIssuers ("" = none) */
    char policy_oid[64];       /* certificatePolicies ("" = none) */
    char eku[128];             /* extendedKeyUsage ("" = none) */
    bool uscc_in_serial;       /* the USCC in serialNumber, not organizationIdentifier */
    bool no_reinit;            /* keys are never C_InitToken'd: erased object by object ([token] key_reinit = no) */
    EVP_PKEY *ca_key;           /* CA private key handle, freed on refresh */
    bool hsm_logged_in;         /* valid until the next refresh */
    CK_SESSION_HANDLE hsm_s;    /* our raw session on the HSM (CK_INVALID_HANDLE: none), kept until refresh */
    CK_OBJECT_HANDLE master_h;  /* the master secret in it (CK_INVALID_HANDLE: not found yet) */

    /* presence in the embedded hall */
    struct timespec ports_mtime;
    bool ports_seen;
    char present[TOK_PRESENT_MAX][TOK_SERIAL_MAX];
    size_t npresent;

    tok_step_fn step_fn;
    void *step_arg;
    char detail[512];           /* last failure, technical */
};

/* The context that reaches the HSM: the HSM module's own, or CTX's when one module serves both. */
static inline tok_ctx *
tok_hsm_ctx(tok_ctx *ctx)
{
    return ctx->hsm != NULL ? ctx->hsm : ctx;
}

/* Does the token in SLOT match the RFC 7512 URI (token attributes only)? */
bool tok_uri_match(const struct tok_slot *slot, const char *uri);
/* Is SPEC a pkcs11: URI (case-insensitive scheme)? */
bool tok_is_uri(const char *spec);

/* tok_ctx.c */
int tok_fail(tok_ctx *ctx, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tok_refresh(tok_ctx *ctx);
void tok_slots_from_p11(tok_ctx *ctx);
int tok_slot_read(tok_ctx *ctx, struct tok_slot *slot);
int tok_slots_rescan(tok_ctx *ctx);
struct tok_slot *tok_find_slot(tok_ctx *ctx, const char *serial);
struct tok_slot *tok_find_label(tok_ctx *ctx, const char *label);
struct tok_slot *tok_find_free(tok_ctx *ctx);
/* libp11's slot for SLOT, enumerating again when it has none (provisioning, the HSM); NULL when it cannot. */
PKCS11_SLOT *tok_p11_slot(tok_ctx *ctx, struct tok_slot **slot);
void tok_trim(char *dst, size_t n, const char *src);
void tok_pad_label(char out[33], const char *label);
time_t tok_asn1_time(const ASN1_TIME *t);
int tok_raw_session(tok_ctx *ctx, const struct tok_slot *slot, CK_SESSION_HANDLE *out);
int tok_rv_fail(tok_ctx *ctx, CK_RV rv, const char *what);
/* Attribute TYPE of object H into BUF (N bytes): its length, or -1 (details in ctx->detail). One call when BUF is large enough. */
long tok_raw_attr(tok_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, void *buf, size_t n);
/* The first object of class CLS (with attribute TYPE = V when LEN > 0) on session S: 1 found, 0 none, or a TOK_ERR_ status. */
int tok_raw_find_by(tok_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type, const void *v,
                    size_t len, CK_OBJECT_HANDLE *h);
/* The same by CKA_ID. */
int tok_raw_find_id(tok_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const unsigned char *id, size_t idlen,
                    CK_OBJECT_HANDLE *h);
int tok_ckr_status(CK_RV rv);
int tok_read_secret(const char *path, char *out, size_t n);

/* tok_slot.c */
bool tok_is_present(tok_ctx *ctx, const char *serial);
/* The slot of the inserted key SERIAL (one refresh if libp11 does not know it yet): TOK_OK or TOK_ERR_NO_KEY. */
int tok_present_slot(tok_ctx *ctx, const char *serial, struct tok_slot **slot);
int tok_scan_ports(tok_ctx *ctx);
bool tok_is_hsm(const tok_ctx *ctx, const struct tok_slot *slot);

/* tok_cert.c */
int tok_cert_describe(tok_ctx *ctx, X509 *x, struct tok_cert *out);
X509 *tok_load_pem(const char *path);
int tok_raw_cert_der(tok_ctx *ctx, const struct tok_slot *slot, unsigned char **der, size_t *len);
/* The same on an open session S; *H the certificate's handle when H is not NULL. */
int tok_raw_cert_der_s(tok_ctx *ctx, CK_SESSION_HANDLE s, unsigned char **der, size_t *len, CK_OBJECT_HANDLE *h);

/* tok_ca.c */
#define TOK_PIN_PAGE 4096
int tok_hsm_login(tok_ctx *ctx);
void tok_hsm_pin_wipe(tok_ctx *ctx);
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
int tok_genkey(tok_ctx *ctx, CK_SESSION_HANDLE s, const char *algo, const char *label,
               const unsigned char *id, size_t idlen, unsigned flags, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);
struct tok_slot *tok_hsm_slot(tok_ctx *ctx);
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
int tok_user_login(tok_ctx *ctx, const struct tok_slot *slot, const char *pin, CK_SESSION_HANDLE *s);
int tok_login_on(tok_ctx *ctx, CK_SESSION_HANDLE s, const char *pin);
void tok_user_logout(tok_ctx *ctx, CK_SESSION_HANDLE s);

#endif

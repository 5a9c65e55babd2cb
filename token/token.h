/*
 * token/token.h - the kiosk's public view of UKeys and the HSM.
 *
 * A small API over libp11 0.4.12 and its quirks (see ../shared/notes.md);
 * nothing above token/ includes libp11.h or touches PKCS#11 directly.
 * Keys are always named by their token serial number, never by slot.
 *
 * Presence: with a real reader a key is present when its slot reports a
 * token. In the embedded hall (ports_dir set) every SoftHSM token exists at
 * once, so a key counts as inserted only while ports_dir holds a marker file
 * named after its serial; `kiosk dev plug|unplug` writes and removes it.
 *
 * Every function returns TOK_OK (0) or a negative enum tok_status; the
 * catalogue text for a status is chosen above this layer (txn_tok_msg,
 * kiosk/engine.h).
 */
#ifndef TOKEN_TOKEN_H
#define TOKEN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct tok_ctx tok_ctx;

enum tok_status {
    TOK_OK = 0,
    TOK_ERR_MODULE = -1,        /* PKCS#11 module missing or failed to load */
    TOK_ERR_NO_KEY = -2,        /* no key with that serial is inserted */
    TOK_ERR_REMOVED = -3,       /* the key was pulled during the operation */
    TOK_ERR_NO_CERT = -4,       /* the key holds no certificate */
    TOK_ERR_FOREIGN_CERT = -5,  /* the certificate was not issued by our CA */
    TOK_ERR_PIN_INCORRECT = -6, /* wrong PIN */
    TOK_ERR_PIN_LOCKED = -7,    /* too many wrong PINs */
    TOK_ERR_PIN_POLICY = -8,    /* new PIN refused by policy */
    TOK_ERR_HSM = -9,           /* HSM or CA key not reachable */
    TOK_ERR_NOT_BLANK = -10,    /* key already holds a certificate */
    TOK_ERR_VERIFY = -11,       /* read-back or self-test mismatch */
    TOK_ERR_BAD_CERT = -12,     /* certificate cannot be parsed */
    TOK_ERR_INTERNAL = -13,     /* anything else (details in tok_detail) */
    TOK_ERR_CA_INVALID = -14,
    TOK_ERR_HSM_LOCKED = -15,   /* the HSM's PIN is typed at the start of day and has not been ([token] hsm_pin_file empty) */   /* the CA certificate is not valid now, or would end before the new one */
};

#define TOK_SERIAL_MAX 17       /* PKCS#11 serialNumber is 16 chars + NUL */

/* A UKey in a reader (the HSM is never listed). */
struct tok_key {
    char serial[TOK_SERIAL_MAX]; /* token serial, trailing blanks trimmed */
    char label[33];              /* token label, trimmed */
    bool initialized;            /* token initialised with a user PIN */
};

#define TOK_CERT_DER_MAX 4096   /* our certificates are about 1 KB (RSA-2048 with the profile) */

/* What the kiosk shows and records about a certificate. */
struct tok_cert {
    char subject[512];           /* one line, RFC 2253 */
    char holder[256];            /* company name: O, else CN */
    char uscc[32];               /* USCC from the subject (organizationIdentifier/serialNumber), or "" */
    char serial_hex[80];         /* certificate serial number, upper-case hex */
    char issuer[512];            /* one line, RFC 2253 */
    time_t not_before;           /* validity start, UTC */
    time_t not_after;            /* validity end, UTC */
    bool issued_by_ca;           /* signature verifies with the configured CA certificate */
    char fpr[65];                /* SHA-256 of the certificate's DER, lower-case hex */
    unsigned char der[TOK_CERT_DER_MAX]; /* the certificate itself (der_len 0 if larger) */
    size_t der_len;
};

/*
 * Load MODULE and enumerate its slots. PORTS_DIR is the embedded hall's
 * plug-marker directory, or NULL/"" for real readers. HSM_SERIAL names the
 * token that is the HSM (excluded from key lists), may be "". CA_CERT is the
 * issuing CA's PEM certificate used for issued_by_ca (may be NULL).
 * On failure *out is NULL and err says what, technically ("PATH: reason");
 * the words a person reads are chosen above (the module-load message of the catalogue).
 */
int tok_open(tok_ctx **out, const char *module, const char *ports_dir,
             const char *hsm_serial, const char *ca_cert, char *err, size_t errlen);

/*
 * The HSM unlocked by its PIN typed at the start of the day, when no PIN
 * file is configured ([token] hsm_pin_file empty): PIN is logged in with at
 * once and, when right, kept for later logins in one locked page that no
 * core file holds, wiped by tok_close. TOK_ERR_PIN_INCORRECT when the HSM
 * refuses it (nothing kept), TOK_ERR_HSM when the HSM cannot be reached.
 */
int tok_hsm_unlock(tok_ctx *ctx, const char *pin);

/* Is the HSM waiting for its typed PIN (no PIN file, none typed yet)? */
bool tok_hsm_needs_pin(tok_ctx *ctx);

/* Log out, free every handle and unload the module. NULL is fine. */
void tok_close(tok_ctx *ctx);

/*
 * A key named by SPEC: its serial as given, or an RFC 7512 URI
 * ("pkcs11:token=ock-key", "pkcs11:serial=123;manufacturer=IBM") matched
 * against the token attributes of the keys present (the HSM never matches).
 * The matching key's serial into SERIAL; TOK_ERR_NO_KEY when none or more
 * than one matches, or the URI does not parse (tok_detail says which).
 */
int tok_resolve(tok_ctx *ctx, const char *spec, char *serial, size_t n);

/*
 * Cheap presence poll, meant to be called every ~200 ms from the input loop.
 * Returns 1 when the set of inserted keys changed since the last call
 * (re-enumerating as needed), 0 when not, negative on error.
 */
int tok_poll(tok_ctx *ctx);

/* The inserted UKeys, at most MAX of them, into OUT; *n is set to the count. */
int tok_keys(tok_ctx *ctx, struct tok_key *out, size_t max, size_t *n);

/* Read and parse the first certificate on key SERIAL (no login needed). */
int tok_read_cert(tok_ctx *ctx, const char *serial, struct tok_cert *out);

/* True when the HSM token (HSM_SERIAL of tok_open) is visible to the module. */
/* Log in to the HSM and find the CA key and the master secret now, as the
 * first issuance or unlock would: they are kept for the life of CTX. */
int tok_hsm_ready(tok_ctx *ctx);
/* The audit chain's key (32 bytes), an HMAC computed in the HSM under a secret
 * made there on first use (*CREATED then true). The caller cleanses KEY. */
int tok_hsm_audit_key(tok_ctx *ctx, unsigned char key[32], bool *created);
bool tok_hsm_present(tok_ctx *ctx);

/* A technical detail of the last failure (for logs, not for screens). */
const char *tok_detail(const tok_ctx *ctx);

/*
 * Embedded hall: mark the key named NAME (label or serial) as plugged into /
 * pulled out of the reader. Uses MODULE only to resolve a label to a serial.
 * What happened is reported in OUT (the words are chosen above, cmd_dev.c);
 * the return is TOK_OK when the key is now where it was asked to be
 * (TOK_DEV_DONE or TOK_DEV_ALREADY), TOK_ERR_MODULE with OUT->detail set when
 * the module will not load, TOK_ERR_NO_KEY for an unknown name or the HSM,
 * TOK_ERR_INTERNAL when no ports directory is set or it cannot be written.
 */
enum tok_dev_outcome {
    TOK_DEV_DONE,      /* plugged / pulled */
    TOK_DEV_ALREADY,   /* it already was */
    TOK_DEV_UNKNOWN,   /* no key by that name; OUT->known lists the keys */
    TOK_DEV_IS_HSM,    /* NAME is the CA's HSM token */
    TOK_DEV_NO_PORTS,  /* no ports directory configured */
    TOK_DEV_PORTS_ERR, /* the ports directory: OUT->sys_errno */
    TOK_DEV_MODULE,    /* the module will not load: OUT->detail */
};

struct tok_dev_result {
    enum tok_dev_outcome outcome;
    char serial[TOK_SERIAL_MAX];
    char label[33];
    char known[2048];  /* "label (serial), ..." of the UKeys, for TOK_DEV_UNKNOWN */
    int sys_errno;
    char detail[512];
};

int tok_dev_plug(const char *module, const char *ports_dir, const char *name, struct tok_dev_result *out);
int tok_dev_unplug(const char *module, const char *ports_dir, const char *name, struct tok_dev_result *out);

/* ---- extensions (token engineer) ---------------------------------------- */

struct kiosk_config;

/*
 * If SOFTHSM2_CONF is unset and CONF_PATH (the hall's softhsm2.conf, config
 * option [token] softhsm_conf) exists, export SOFTHSM2_CONF=CONF_PATH.
 * Must run before the module is loaded. Returns 1 when it set the variable,
 * 0 when it left the environment alone.
 */
int tok_env_setup(const char *conf_path);

/*
 * CFG with $KIOSK_HOME/kiosk.conf applied when CFG itself came from defaults
 * (cfg->source == "") and that file exists. Returns 0, or -1 with err naming
 * the file and key that is wrong.
 */
int tok_cfg_effective(const struct kiosk_config *cfg, struct kiosk_config *out, char *err, size_t errlen);

/*
 * tok_env_setup + tok_open + tok_set_hsm from a loaded configuration.
 * Same result and error contract as tok_open.
 */
int tok_open_cfg(tok_ctx **out, const struct kiosk_config *cfg, char *err, size_t errlen);

/*
 * The same for the HSM alone: only the module that holds it ([token]
 * hsm_module, else module) is loaded, and no key is looked for. For what
 * needs nothing but the HSM (the audit key), so a keys' module is never
 * loaded twice in one process (opencryptoki's cannot be initialised again
 * after a finalise).
 */
int tok_open_hsm_cfg(tok_ctx **out, const struct kiosk_config *cfg, char *err, size_t errlen);

/*
 * Tell CTX where the CA lives: the HSM user PIN file, the label of the CA
 * private key in the HSM token (hsm_serial of tok_open, else the token
 * labelled "KIOSK-HSM"), and the CRL distribution point put into issued
 * certificates. Needed by tok_issue and tok_init_blank. Strings are copied.
 */
int tok_set_hsm(tok_ctx *ctx, const char *pin_file, const char *ca_key_label, const char *crl_url);

/*
 * The end-entity certificate profile beyond the CRL distribution point:
 * authorityInfoAccess caIssuers URL, certificatePolicies OID and extended
 * key usage (OpenSSL names, "clientAuth,emailProtection"); NULL or "" leaves
 * the extension out. Key usage follows the algorithm: RSA digitalSignature,
 * nonRepudiation, keyEncipherment; EC digitalSignature, nonRepudiation,
 * keyAgreement (RFC 5480: never keyEncipherment on an EC key).
 */
void tok_set_profile(tok_ctx *ctx, const char *issuer_url, const char *policy_oid, const char *eku);

/* Put the USCC in the subject's serialNumber instead of organizationIdentifier (the default). */
void tok_set_uscc_attr(tok_ctx *ctx, bool serial_number);

/* ---- the CA's revocation list (token/tok_crl.c) --------------------------- */

struct tok_revoked {
    char serial_hex[80];        /* certificate serial, hex */
    time_t at;                  /* revocation date */
    int reason;                 /* RFC 5280 CRLReason, -1 for none */
};

/*
 * A v2 CRL over V[N], signed by the CA key in the HSM: thisUpdate THIS,
 * nextUpdate NEXT, CRL number NUMBER, authority key identifier. *DER is
 * OPENSSL_malloc'd (caller OPENSSL_free). TOK_ERR_HSM when it cannot sign.
 */
int tok_ca_crl(tok_ctx *ctx, const struct tok_revoked *v, size_t n, time_t this_update, time_t next_update,
               long number, unsigned char **der, size_t *len);

/* When the CA certificate ends (0 when none is loaded). */
time_t tok_ca_not_after(tok_ctx *ctx);

/* The CA certificate as DER (what authorityInfoAccess caIssuers serves); caller OPENSSL_free. */
int tok_ca_cert_der(tok_ctx *ctx, unsigned char **der, size_t *len);

/* Label of the HSM token created by provisioning. */
#define TOK_HSM_LABEL "KIOSK-HSM"

/* Who a new certificate is for. */
struct tok_subject {
    char org[256];              /* company name (O) */
    char cn[256];               /* common name, e.g. operator or company name */
    char uscc[32];              /* USCC, put in organizationIdentifier and serialNumber */
};

/*
 * Issue a certificate onto key SERIAL (initialised, user PIN USER_PIN, no
 * certificate yet): generate the key pair ON the key (ALGO "rsa2048" or
 * "p256", private key non-extractable), build a CSR signed on the key, have
 * the CA key in the HSM sign the certificate (SUBJ, NOT_BEFORE..NOT_AFTER,
 * keyUsage/extendedKeyUsage clientAuth/CRL DP/AKI/SKI), store it on the key,
 * read it back and compare, then run a sign/verify and an encrypt/decrypt
 * (RSA) or key-agreement (EC) self-test. OUT (may be NULL) describes the new
 * certificate. Errors: TOK_ERR_NO_KEY, TOK_ERR_NOT_BLANK,
 * TOK_ERR_PIN_INCORRECT, TOK_ERR_PIN_LOCKED, TOK_ERR_HSM, TOK_ERR_VERIFY,
 * TOK_ERR_REMOVED, TOK_ERR_INTERNAL.
 */
int tok_issue(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
              time_t not_before, time_t not_after, const char *algo, struct tok_cert *out);

/*
 * Write-ahead hooks of an issuance. The engine records each effect before the
 * next one happens: a serial reserved (and stored with the order) before the
 * CA signs, the fingerprint as soon as the certificate exists, the write to
 * the key. ON_STEP runs after each step with the certificate described so far
 * (NULL at TOK_ISSUE_KEYPAIR); a non-zero return stops the issuance there
 * (TOK_ERR_INTERNAL) before the next effect.
 */
enum tok_issue_step {
    TOK_ISSUE_KEYPAIR = 1,      /* key pair generated on the key */
    TOK_ISSUE_SIGNED = 2,       /* CA signed; the certificate is only in memory */
    TOK_ISSUE_STORED = 3,       /* certificate written to the key (not yet read back) */
};
struct tok_issue_opts {
    const char *serial_hex;     /* reserved certificate serial (tok_serial_new); NULL = random */
    int (*on_step)(void *arg, enum tok_issue_step step, const struct tok_cert *cert);
    void *arg;
};

/* tok_issue with OPTS (may be NULL = tok_issue). */
int tok_issue_ex(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
                 time_t not_before, time_t not_after, const char *algo, const struct tok_issue_opts *opts,
                 struct tok_cert *out);

/*
 * 证书更新 on key SERIAL, which holds its certificate: the same as
 * tok_issue_ex (a new key pair on the key, the CA's signature, written, read
 * back by its id, self-tested), beside the old objects, which are removed
 * only once the new ones passed; the user PIN is unchanged. Killed between
 * the write and the removal, the key holds both: tok_keep_only finishes.
 */
int tok_reissue(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
                time_t not_before, time_t not_after, const char *algo, const struct tok_issue_opts *opts,
                struct tok_cert *out);

/*
 * 证书更新 without a new key pair, and 证书变更: the key pair that the
 * certificate on key SERIAL certifies is certified again with SUBJ and the
 * new validity (its CSR signed on the key: proof of possession), the new
 * certificate written beside the old one with the same id, read back,
 * self-tested, and only then the old certificate removed. The algorithm is
 * the key pair's own. Killed between, tok_keep_only finishes.
 */
int tok_recertify(tok_ctx *ctx, const char *serial, const char *user_pin, const struct tok_subject *subj,
                  time_t not_before, time_t not_after, const struct tok_issue_opts *opts, struct tok_cert *out);

/* Remove every certificate and key on key SERIAL but the certificate whose
 * serial is CERT_SERIAL_HEX and the key pair with its id (log in with PIN).
 * TOK_ERR_NO_CERT when that certificate is not on the key. */
int tok_keep_only(tok_ctx *ctx, const char *serial, const char *user_pin, const char *cert_serial_hex);

/* A fresh random positive 128-bit certificate serial in upper-case hex (32
 * digits) into HEX (at least 33 bytes). 0, or -1 when no randomness. */
int tok_serial_new(char *hex, size_t n);

/*
 * Re-initialise the blank key SERIAL with its diversified SO PIN (computed
 * in the HSM), give it LABEL and set its user PIN to USER_PIN (policy: 6-16
 * characters, else TOK_ERR_PIN_POLICY). Every object on the key is erased.
 */
int tok_init_blank(tok_ctx *ctx, const char *serial, const char *label, const char *user_pin);

/* tok_init_blank, or with ERASE (the clerk agreed to wipe it) the same on a
 * key that holds a certificate: one re-initialisation erases every object
 * and sets the new PINs (tok_wipe + tok_init_blank in one token init). */
int tok_init_key(tok_ctx *ctx, const char *serial, const char *label, const char *user_pin, bool erase);

/*
 * Erase every object on key SERIAL, certificate included, by re-initialising
 * it with its diversified SO PIN (computed in the HSM) and LABEL. The key has
 * no user PIN afterwards: tok_init_blank it next. Used when the clerk
 * confirmed wiping a key that holds a certificate, and to clean a key left
 * half-written by an interrupted issuance. TOK_ERR_NO_KEY, TOK_ERR_HSM,
 * TOK_ERR_PIN_INCORRECT (the SO PIN is not ours: a foreign key), TOK_ERR_REMOVED.
 */
int tok_wipe(tok_ctx *ctx, const char *serial, const char *label);

/* Check PIN against key SERIAL (logs in and out). TOK_ERR_PIN_INCORRECT / _LOCKED. */
int tok_pin_verify(tok_ctx *ctx, const char *serial, const char *pin);

/* Change the user PIN of key SERIAL from OLD_PIN to NEW_PIN (policy as tok_init_blank). */
int tok_pin_change(tok_ctx *ctx, const char *serial, const char *old_pin, const char *new_pin);

/* What the key itself says of its user PIN, read live (C_GetTokenInfo): a
 * real token counts wrong PINs on its own and locks (SoftHSM never does). */
struct tok_pin_info {
    bool initialized;           /* CKF_USER_PIN_INITIALIZED */
    bool locked;                /* CKF_USER_PIN_LOCKED: no login until the SO sets a new PIN */
    bool final_try;             /* CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks it */
    bool count_low;             /* CKF_USER_PIN_COUNT_LOW: a wrong PIN was typed since the last good one */
    bool so_locked;             /* CKF_SO_PIN_LOCKED */
    int min_len, max_len;       /* the token's PIN length limits */
};
int tok_pin_info(tok_ctx *ctx, const char *serial, struct tok_pin_info *out);

/*
 * 解锁: SO login on key SERIAL with its diversified SO PIN (computed in the
 * HSM) and a new user PIN NEW_PIN (policy as tok_init_blank), which lifts
 * the token's own lock too. Objects are kept. TOK_ERR_PIN_INCORRECT when the
 * SO PIN is refused (not our key), TOK_ERR_PIN_POLICY, TOK_ERR_REMOVED.
 */
int tok_pin_reset(tok_ctx *ctx, const char *serial, const char *new_pin);

/*
 * Adopt a vendor's blank key SERIAL into the hall: initialise it with its
 * factory (transport) SO PIN FACTORY_SO_PIN and LABEL, then change the SO
 * PIN to the one derived in the HSM (cut to the token's longest SO PIN).
 * Every object on it is erased. TOK_ERR_PIN_INCORRECT when the factory SO
 * PIN is refused.
 */
int tok_adopt(tok_ctx *ctx, const char *serial, const char *factory_so_pin, const char *label);

/* What a self-test on a key did: each part named truthfully on screen. */
struct tok_selftest {
    bool ec;                    /* EC key: key agreement; RSA: encrypt and decrypt */
    bool signed_ok;             /* signed on the key, verified with its certificate */
    bool crypt_ok;              /* RSA encrypt/decrypt, or EC key agreement, gave the same secret */
    bool cert_matches;          /* the certificate's public key is the key's */
};
/*
 * 加解密测试: log in with PIN on key SERIAL, find its certificate and the
 * private key with the same CKA_ID, sign and verify, then encrypt and
 * decrypt (RSA) or agree on a key with an ephemeral peer (EC). TOK_OK when
 * every part passed, TOK_ERR_VERIFY when one failed (OUT says which), or
 * the login's status (TOK_ERR_PIN_INCORRECT, _LOCKED, ...).
 */
int tok_selftest(tok_ctx *ctx, const char *serial, const char *pin, struct tok_selftest *out);

/*
 * Tests only: FN(ARG, STEP) runs between the steps of tok_read_cert
 * (STEP 1 = key found, 2 = certificate read, 3 = parsed), so a test can pull
 * the key mid-read. Presence is re-checked after the read. NULL disables.
 */
typedef void (*tok_step_fn)(void *arg, int step);
void tok_set_step_hook(tok_ctx *ctx, tok_step_fn fn, void *arg);

/* What provisioning did with each part of the hall. */
/* What a provisioning step made or found: A and B its names (the catalogue words are the caller's). */
enum tok_prov_item {
    TPI_PATH,           /* A: a file or directory */
    TPI_SOPIN_DROPPED,  /* A: an earlier run's HSM SO PIN file, removed (never "reused") */
    TPI_HSM,            /* A: the HSM's label, B: its serial */
    TPI_HSM_SECRET,     /* the HSM's master secret (non-extractable) */
    TPI_CA_KEY,         /* A: the CA key's label in the HSM (P-256, non-extractable) */
    TPI_CA_CERT,        /* A: the CA certificate's file (signed in the HSM) */
    TPI_KEY,            /* A: a UKey's label, B: its serial */
    TPI_KEY_BLANK,      /* A, B: a blank UKey */
    TPI_KEY_CERT,       /* A, B: a UKey with its certificate */
};

struct tok_prov_opts {
    const char *printer_uri;    /* written to a new kiosk.conf; NULL = keep default */
    bool with_test_keys;        /* also foreign, expiring, expired, nocert keys */
    bool home_new;              /* the caller just made cfg->home: reported created, not reused */
    /* progress, may be NULL: ITEM with its names A and B (NULL when it has none);
     * WHAT says the same in one technical line (for the audit) */
    void (*report)(void *arg, bool reused, enum tok_prov_item item, const char *a, const char *b, const char *what);
    /* A certificate our CA just issued onto key LABEL (SERIAL); may be NULL. Gets report_arg. */
    void (*on_cert)(void *arg, const char *label, const char *serial, const struct tok_cert *cert);
    void *report_arg;
};

/*
 * `kiosk hall provision`: create, or reuse when present, the embedded hall
 * under cfg->home (dirs, softhsm2.conf, secrets, HSM with CA key and master
 * secret, ca/ca.crt, blank1..3, demo, optional test keys, kiosk.conf).
 * Idempotent. Returns 0 with err holding the HSM serial, or a negative
 * tok_status with err naming what failed. Exports SOFTHSM2_CONF = the hall's
 * softhsm2.conf ([token] softhsm_conf).
 */
int tok_provision(const struct kiosk_config *cfg, const struct tok_prov_opts *opts, char *err, size_t errlen);

/* Demo company used by provisioning (the USCC carries a valid GB 32100 check character). */
#define TOK_DEMO_ORG  "天津市示范科技有限公司"
#define TOK_DEMO_USCC "91120116MA05JQ4W3K"
#define TOK_DEMO_PIN  "123456"

#endif

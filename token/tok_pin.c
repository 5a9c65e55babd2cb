/*
 * token/tok_pin.c - PINs: user login with exact PKCS#11 status, PIN
 * verify/change, re-initialising a key with its diversified SO PIN (a blank
 * key given a user PIN, or any of our keys wiped), and creating a new key in
 * the embedded hall (provisioning).
 *
 * Logins go through a raw session first (the CKR code tells wrong PIN from
 * locked), then through libp11 so its EVP_PKEYs work; both share the
 * token's login state. PINs never reach a log or tok_detail, and every PIN
 * buffer made here is cleansed.
 */
#include "token/tok_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

/* Transport SO PIN of a key between its first C_InitToken and C_SetPIN. */
#define TOK_TRANSPORT_PIN "kiosk-transport"

int
tok_pin_policy(const char *pin)
{
    size_t i, l = pin ? strlen(pin) : 0;

    if (l < 6 || l > 16)
        return TOK_ERR_PIN_POLICY;
    for (i = 0; i < l; i++)
        if (pin[i] < 0x21 || pin[i] > 0x7e)
            return TOK_ERR_PIN_POLICY;
    return TOK_OK;
}

int
tok_user_login(tok_ctx *ctx, PKCS11_SLOT *slot, const char *pin, CK_SESSION_HANDLE *s)
{
    CK_RV rv;
    int rc;

    /* libp11's session first: opening it closes every session on the key
     * (and logs the key out), so a login before it would be thrown away. */
    if (PKCS11_open_session(slot, 1) != 0)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "libp11 session failed");
    if ((rc = tok_raw_session(ctx, slot, s)) != TOK_OK)
        return rc;
    /* the one login that checks the PIN: raw, for the token's exact answer;
     * the login state is the key's, so libp11's session shares it */
    rv = ctx->fl->C_Login(*s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        ctx->fl->C_CloseSession(*s);
        return tok_fail(ctx, tok_ckr_status(rv), "user login refused: 0x%lx", (unsigned long)rv);
    }
    if (PKCS11_login(slot, 0, pin) != 0) {
        ctx->fl->C_Logout(*s);
        ctx->fl->C_CloseSession(*s);
        return tok_fail(ctx, TOK_ERR_INTERNAL, "libp11 login failed");
    }
    ERR_clear_error();
    return TOK_OK;
}

void
tok_user_logout(tok_ctx *ctx, PKCS11_SLOT *slot, CK_SESSION_HANDLE s)
{
    PKCS11_logout(slot);
    ctx->fl->C_Logout(s);
    ctx->fl->C_CloseSession(s);
    ERR_clear_error();
}

/*
 * The SO PIN of key SERIAL on slot ID: derived in the HSM from the master
 * secret and the serial (24 hex digits), cut to the longest SO PIN the
 * token takes when that is shorter (a real token's limits: opencryptoki's
 * soft token takes 8). Stored nowhere; the caller cleanses SOPIN.
 */
static int
tok_key_so_pin(tok_ctx *ctx, CK_SLOT_ID id, const char *serial, char *sopin, size_t n)
{
    CK_TOKEN_INFO ti;
    int rc = tok_hsm_diversify(ctx, serial, sopin, n);

    if (rc == TOK_OK && ctx->fl->C_GetTokenInfo(id, &ti) == CKR_OK && ti.ulMaxPinLen >= 4 &&
        ti.ulMaxPinLen < strlen(sopin))
        sopin[ti.ulMaxPinLen] = '\0';
    return rc;
}

int
tok_pin_verify(tok_ctx *ctx, const char *serial, const char *pin)
{
    PKCS11_SLOT *slot;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    int rc = tok_present_slot(ctx, serial, &slot);

    if (rc != TOK_OK)
        return rc;
    if ((rc = tok_raw_session(ctx, slot, &s)) != TOK_OK)
        return rc;
    rv = ctx->fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
    if (rv == CKR_OK)
        ctx->fl->C_Logout(s);
    ctx->fl->C_CloseSession(s);
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
        return tok_fail(ctx, tok_ckr_status(rv), "PIN check on key %s: 0x%lx", serial, (unsigned long)rv);
    return TOK_OK;
}

int
tok_pin_change(tok_ctx *ctx, const char *serial, const char *old_pin, const char *new_pin)
{
    PKCS11_SLOT *slot;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    int rc;

    if (tok_pin_policy(new_pin) != TOK_OK)
        return tok_fail(ctx, TOK_ERR_PIN_POLICY, "new PIN refused by policy (6-16 printable characters)");
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    if ((rc = tok_raw_session(ctx, slot, &s)) != TOK_OK)
        return rc;
    rv = ctx->fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)old_pin, strlen(old_pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        ctx->fl->C_CloseSession(s);
        return tok_fail(ctx, tok_ckr_status(rv), "PIN change on key %s: login 0x%lx", serial, (unsigned long)rv);
    }
    rv = ctx->fl->C_SetPIN(s, (CK_UTF8CHAR_PTR)old_pin, strlen(old_pin), (CK_UTF8CHAR_PTR)new_pin, strlen(new_pin));
    ctx->fl->C_Logout(s);
    ctx->fl->C_CloseSession(s);
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv), "PIN change on key %s: C_SetPIN 0x%lx", serial, (unsigned long)rv);
    return tok_refresh(ctx);
}

static int tok_so_init_pin(tok_ctx *ctx, CK_SLOT_ID id, const char *serial, const char *user_pin, char *sopin,
                           size_t n);

/*
 * C_InitToken on key SERIAL with its diversified SO PIN, computed in the HSM
 * into SOPIN (N bytes), and LABEL: every object on the key is erased and it
 * has no user PIN; then, when USER_PIN is set, SO login and C_InitPIN.
 * Raw PKCS#11 on the one slot (its sessions closed first, as C_InitToken
 * needs): no re-enumeration of every slot between the steps. SOPIN is
 * cleansed on return; the caller must tok_refresh (libp11's view of the key
 * is stale either way). A refused C_InitToken is TOK_ERR_PIN_INCORRECT (the
 * SO PIN is not ours: a foreign key), a refused user PIN TOK_ERR_PIN_POLICY.
 */
static int
tok_so_reinit(tok_ctx *ctx, const char *serial, const char *label, const char *user_pin, char *sopin, size_t n)
{
    PKCS11_SLOT *slot = tok_find_slot(ctx, serial);
    CK_SLOT_ID id;
    char plabel[33];
    CK_RV rv;
    int rc;

    if (slot == NULL && tok_refresh(ctx) == TOK_OK)
        slot = tok_find_slot(ctx, serial);
    if (slot == NULL)
        return tok_fail(ctx, TOK_ERR_REMOVED, "key %s vanished", serial);
    id = PKCS11_get_slotid_from_slot(slot);
    if ((rc = tok_key_so_pin(ctx, id, serial, sopin, n)) != TOK_OK)
        return rc;
    tok_pad_label(plabel, label);
    (void)ctx->fl->C_CloseAllSessions(id);
    rv = ctx->fl->C_InitToken(id, (CK_UTF8CHAR_PTR)sopin, strlen(sopin), (CK_UTF8CHAR_PTR)plabel);
    if (rv != CKR_OK) {
        OPENSSL_cleanse(sopin, n);
        rc = tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_PIN_INCORRECT;
        return tok_fail(ctx, rc, "C_InitToken on key %s refused (SO PIN not ours?): 0x%lx", serial, (unsigned long)rv);
    }
    if (user_pin == NULL) {
        OPENSSL_cleanse(sopin, n);
        return TOK_OK;
    }
    return tok_so_init_pin(ctx, id, serial, user_pin, sopin, n);
}

/*
 * On slot ID (key SERIAL): SO login with SOPIN (N bytes, cleansed here) and
 * C_InitPIN USER_PIN: a new user PIN, which also clears the token's own
 * wrong-PIN count and lock. A refused SO login is TOK_ERR_PIN_INCORRECT
 * (not our key), a refused user PIN TOK_ERR_PIN_POLICY.
 */
static int
tok_so_init_pin(tok_ctx *ctx, CK_SLOT_ID id, const char *serial, const char *user_pin, char *sopin, size_t n)
{
    CK_SESSION_HANDLE s;
    CK_RV rv;
    int rc;

    rv = ctx->fl->C_OpenSession(id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
    if (rv != CKR_OK) {
        OPENSSL_cleanse(sopin, n);
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL,
                        "cannot open a read-write session on key %s: 0x%lx", serial, (unsigned long)rv);
    }
    rv = ctx->fl->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)sopin, strlen(sopin));
    OPENSSL_cleanse(sopin, n);
    if (rv != CKR_OK) {
        ctx->fl->C_CloseSession(s);
        rc = tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_PIN_INCORRECT;
        return tok_fail(ctx, rc, "SO login refused (diversified SO PIN): 0x%lx", (unsigned long)rv);
    }
    rv = ctx->fl->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin));
    ctx->fl->C_Logout(s);
    ctx->fl->C_CloseSession(s);
    if (rv != CKR_OK) {
        rc = tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_PIN_POLICY;
        return tok_fail(ctx, rc, "C_InitPIN refused the user PIN: 0x%lx", (unsigned long)rv);
    }
    return TOK_OK;
}

int
tok_pin_reset(tok_ctx *ctx, const char *serial, const char *new_pin)
{
    PKCS11_SLOT *slot;
    CK_SLOT_ID id;
    char sopin[64];
    int rc;

    if (tok_pin_policy(new_pin) != TOK_OK)
        return tok_fail(ctx, TOK_ERR_PIN_POLICY, "new PIN refused by policy (6-16 printable characters)");
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    id = PKCS11_get_slotid_from_slot(slot);
    if ((rc = tok_key_so_pin(ctx, id, serial, sopin, sizeof sopin)) != TOK_OK)
        return rc;
    (void)ctx->fl->C_CloseAllSessions(id);      /* no user may be logged in for the SO login */
    rc = tok_so_init_pin(ctx, id, serial, new_pin, sopin, sizeof sopin);
    if (rc == TOK_ERR_PIN_INCORRECT && !tok_is_present(ctx, serial))
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the unlock", serial);
    (void)tok_refresh(ctx);                     /* libp11's sessions were closed under it */
    return rc;
}

int
tok_pin_info(tok_ctx *ctx, const char *serial, struct tok_pin_info *out)
{
    PKCS11_SLOT *slot;
    CK_TOKEN_INFO ti;
    CK_RV rv;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    rv = ctx->fl->C_GetTokenInfo(PKCS11_get_slotid_from_slot(slot), &ti);
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL,
                        "C_GetTokenInfo on key %s: 0x%lx", serial, (unsigned long)rv);
    out->initialized = (ti.flags & CKF_USER_PIN_INITIALIZED) != 0;
    out->locked = (ti.flags & CKF_USER_PIN_LOCKED) != 0;
    out->final_try = (ti.flags & CKF_USER_PIN_FINAL_TRY) != 0;
    out->count_low = (ti.flags & CKF_USER_PIN_COUNT_LOW) != 0;
    out->so_locked = (ti.flags & CKF_SO_PIN_LOCKED) != 0;
    out->min_len = (int)ti.ulMinPinLen;
    out->max_len = (int)ti.ulMaxPinLen;
    return TOK_OK;
}

int
tok_init_blank(tok_ctx *ctx, const char *serial, const char *label, const char *user_pin)
{
    return tok_init_key(ctx, serial, label, user_pin, false);
}

int
tok_init_key(tok_ctx *ctx, const char *serial, const char *label, const char *user_pin, bool erase)
{
    PKCS11_SLOT *slot;
    char sopin[64];
    unsigned char *der = NULL;
    size_t len;
    int rc;

    if (tok_pin_policy(user_pin) != TOK_OK)
        return tok_fail(ctx, TOK_ERR_PIN_POLICY, "user PIN refused by policy (6-16 printable characters)");
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    if (!erase) {
        rc = tok_raw_cert_der(ctx, slot, &der, &len);
        OPENSSL_free(der);
        if (rc == TOK_OK)
            return tok_fail(ctx, TOK_ERR_NOT_BLANK, "key %s holds a certificate", serial);
        if (rc != TOK_ERR_NO_CERT)
            return rc;
    }
    rc = tok_so_reinit(ctx, serial, label, user_pin, sopin, sizeof sopin);
    if (rc == TOK_OK)
        rc = tok_refresh(ctx);
    else
        (void)tok_refresh(ctx);   /* the key may be half-initialised: forget libp11's stale view */
    return rc;
}

int
tok_wipe(tok_ctx *ctx, const char *serial, const char *label)
{
    char sopin[64];
    int rc;

    if (!tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    rc = tok_so_reinit(ctx, serial, label, NULL, sopin, sizeof sopin);
    if (rc == TOK_ERR_PIN_INCORRECT && !tok_is_present(ctx, serial))
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the wipe", serial);
    if (rc != TOK_OK) {
        (void)tok_refresh(ctx);
        return rc;
    }
    return tok_refresh(ctx);
}

/*
 * Provisioning: initialise the free SoftHSM slot as a new key labelled
 * LABEL with the transport SO PIN, then change the SO PIN to the one
 * diversified from its serial in the HSM. Writes the serial to SERIAL_OUT.
 */
int
tok_new_ukey(tok_ctx *ctx, const char *label, char *serial_out)
{
    PKCS11_SLOT *slot;
    CK_SESSION_HANDLE s;
    char plabel[33], sopin[64];
    CK_RV rv;
    int rc;

    if ((rc = tok_refresh(ctx)) != TOK_OK)
        return rc;
    if ((slot = tok_find_free(ctx)) == NULL)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "no free SoftHSM slot");
    tok_pad_label(plabel, label);
    if (PKCS11_init_token(slot->token, TOK_TRANSPORT_PIN, plabel) != 0)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "C_InitToken for new key '%s' failed", label);
    if ((rc = tok_refresh(ctx)) != TOK_OK)
        return rc;
    if ((slot = tok_find_label(ctx, label)) == NULL)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "new key '%s' not found after C_InitToken", label);
    tok_trim(serial_out, TOK_SERIAL_MAX, slot->token->serialnr);
    if ((rc = tok_key_so_pin(ctx, PKCS11_get_slotid_from_slot(slot), serial_out, sopin, sizeof sopin)) != TOK_OK)
        return rc;
    if ((rc = tok_raw_session(ctx, slot, &s)) != TOK_OK) {
        OPENSSL_cleanse(sopin, sizeof sopin);
        return rc;
    }
    rv = ctx->fl->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)TOK_TRANSPORT_PIN, strlen(TOK_TRANSPORT_PIN));
    if (rv == CKR_OK) {
        rv = ctx->fl->C_SetPIN(s, (CK_UTF8CHAR_PTR)TOK_TRANSPORT_PIN, strlen(TOK_TRANSPORT_PIN),
                               (CK_UTF8CHAR_PTR)sopin, strlen(sopin));
        ctx->fl->C_Logout(s);
    }
    ctx->fl->C_CloseSession(s);
    OPENSSL_cleanse(sopin, sizeof sopin);
    if (rv != CKR_OK)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "setting the diversified SO PIN on '%s': 0x%lx", label, (unsigned long)rv);
    return TOK_OK;
}

/* The slot whose token has serial SERIAL, initialised or not (a vendor's key may be neither). */
static PKCS11_SLOT *
tok_find_any(tok_ctx *ctx, const char *serial)
{
    char s[TOK_SERIAL_MAX];

    for (unsigned int i = 0; i < ctx->nslots; i++)
        if (ctx->slots[i].token != NULL) {
            tok_trim(s, sizeof s, ctx->slots[i].token->serialnr);
            if (strcmp(s, serial) == 0 && !tok_is_hsm(ctx, &ctx->slots[i]))
                return &ctx->slots[i];
        }
    return NULL;
}

int
tok_adopt(tok_ctx *ctx, const char *serial, const char *factory_so_pin, const char *label)
{
    PKCS11_SLOT *slot;
    CK_SLOT_ID id;
    CK_SESSION_HANDLE s;
    char plabel[33], sopin[64];
    CK_RV rv;
    int rc;

    if (!tok_is_present(ctx, serial) && ctx->ports_dir[0] != '\0')
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    if ((slot = tok_find_any(ctx, serial)) == NULL)
        return tok_fail(ctx, TOK_ERR_NO_KEY, "no token with serial %s", serial);
    id = PKCS11_get_slotid_from_slot(slot);
    if ((rc = tok_key_so_pin(ctx, id, serial, sopin, sizeof sopin)) != TOK_OK)
        return rc;
    tok_pad_label(plabel, label);
    (void)ctx->fl->C_CloseAllSessions(id);
    rv = ctx->fl->C_InitToken(id, (CK_UTF8CHAR_PTR)factory_so_pin, strlen(factory_so_pin), (CK_UTF8CHAR_PTR)plabel);
    if (rv == CKR_OK)
        rv = ctx->fl->C_OpenSession(id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
    if (rv == CKR_OK) {
        rv = ctx->fl->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)factory_so_pin, strlen(factory_so_pin));
        if (rv == CKR_OK) {
            rv = ctx->fl->C_SetPIN(s, (CK_UTF8CHAR_PTR)factory_so_pin, strlen(factory_so_pin), (CK_UTF8CHAR_PTR)sopin,
                                   strlen(sopin));
            ctx->fl->C_Logout(s);
        }
        ctx->fl->C_CloseSession(s);
    }
    OPENSSL_cleanse(sopin, sizeof sopin);
    (void)tok_refresh(ctx);
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_PIN_INCORRECT,
                        "adopting key %s (factory SO PIN refused?): 0x%lx", serial, (unsigned long)rv);
    return TOK_OK;
}

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
#include <openssl/rand.h>
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

/* The user login on session S, with the token's exact answer (wrong PIN, locked, removed). */
int
tok_login_on(tok_ctx *ctx, CK_SESSION_HANDLE s, const char *pin)
{
    CK_RV rv = ctx->fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));

    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
        return tok_fail(ctx, tok_ckr_status(rv), "user login refused: 0x%lx", (unsigned long)rv);
    return TOK_OK;
}

/* A read-write session on SLOT logged in as the user: two calls. */
int
tok_user_login(tok_ctx *ctx, const struct tok_slot *slot, const char *pin, CK_SESSION_HANDLE *s)
{
    int rc = tok_raw_session(ctx, slot, s);

    if (rc != TOK_OK)
        return rc;
    if ((rc = tok_login_on(ctx, *s, pin)) != TOK_OK)
        ctx->fl->C_CloseSession(*s);
    return rc;
}

/* Closing the key's last session logs it out (PKCS#11 v2.40, 5.6): one call. */
void
tok_user_logout(tok_ctx *ctx, CK_SESSION_HANDLE s)
{
    ctx->fl->C_CloseSession(s);
}

/*
 * The SO PIN of key SERIAL on slot ID: derived in the HSM from the master
 * secret and the serial (24 hex digits), cut to the longest SO PIN the
 * token takes when that is shorter (a real token's limits: opencryptoki's
 * soft token takes 8). Stored nowhere; the caller cleanses SOPIN.
 */
static int
tok_key_so_pin(tok_ctx *ctx, struct tok_slot *slot, char *sopin, size_t n)
{
    int rc = tok_hsm_diversify(ctx, slot->serial, sopin, n);

    if (rc == TOK_OK && slot->max_pin == 0)
        (void)tok_slot_read(ctx, slot);     /* the limit, read once */
    if (rc == TOK_OK && slot->max_pin >= 4 && slot->max_pin < strlen(sopin))
        sopin[slot->max_pin] = '\0';
    return rc;
}

int
tok_pin_verify(tok_ctx *ctx, const char *serial, const char *pin)
{
    struct tok_slot *slot;
    CK_SESSION_HANDLE s;
    CK_RV rv;
    int rc = tok_present_slot(ctx, serial, &slot);

    if (rc != TOK_OK)
        return rc;
    if ((rc = tok_raw_session(ctx, slot, &s)) != TOK_OK)
        return rc;
    rv = ctx->fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
    ctx->fl->C_CloseSession(s);     /* the last session: logged out with it */
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
        return tok_fail(ctx, tok_ckr_status(rv), "PIN check on key %s: 0x%lx", serial, (unsigned long)rv);
    return TOK_OK;
}

int
tok_pin_change(tok_ctx *ctx, const char *serial, const char *old_pin, const char *new_pin)
{
    struct tok_slot *slot;
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
    ctx->fl->C_CloseSession(s);
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv), "PIN change on key %s: C_SetPIN 0x%lx", serial, (unsigned long)rv);
    return TOK_OK;
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
static int tok_so_init_pin(tok_ctx *ctx, CK_SLOT_ID id, const char *serial, const char *user_pin, char *sopin,
                           size_t n);

/*
 * Every object on slot ID (key SERIAL) destroyed, in a read-write session
 * logged in as the user with PIN: how a key that must not be
 * re-initialised is erased.
 */
static int
tok_erase_objects(tok_ctx *ctx, CK_SLOT_ID id, const char *serial, const char *pin)
{
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h[32];
    CK_ULONG got;
    CK_RV rv;
    int rounds = 0;

    rv = ctx->fl->C_OpenSession(id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
    if (rv != CKR_OK)
        return tok_rv_fail(ctx, rv, "C_OpenSession (erase)");
    rv = ctx->fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        ctx->fl->C_CloseSession(s);
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL,
                        "erasing key %s: user login refused: 0x%lx", serial, (unsigned long)rv);
    }
    do {
        got = 0;
        rv = ctx->fl->C_FindObjectsInit(s, NULL, 0);
        if (rv == CKR_OK) {
            rv = ctx->fl->C_FindObjects(s, h, sizeof h / sizeof h[0], &got);
            (void)ctx->fl->C_FindObjectsFinal(s);
        }
        for (CK_ULONG i = 0; rv == CKR_OK && i < got; i++)
            rv = ctx->fl->C_DestroyObject(s, h[i]);
    } while (rv == CKR_OK && got > 0 && ++rounds < 64);
    ctx->fl->C_CloseSession(s);         /* the last session: logged out with it */
    if (rv != CKR_OK)
        return tok_rv_fail(ctx, rv, "erasing the key's objects");
    return TOK_OK;
}

/*
 * A key that must not be re-initialised ([token] key_reinit = no): the user
 * PIN set through an SO login (USER_PIN, or a random one when NULL: a wipe),
 * then every object destroyed as that user. The label stays.
 */
static int
tok_so_erase(tok_ctx *ctx, struct tok_slot *slot, const char *serial, const char *user_pin, char *sopin, size_t n)
{
    static const char abc[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    unsigned char r[8];
    char tmp[9];
    int rc;

    if (user_pin == NULL) {
        if (RAND_bytes(r, sizeof r) != 1) {
            OPENSSL_cleanse(sopin, n);
            return tok_fail(ctx, TOK_ERR_INTERNAL, "no random bytes for a wipe");
        }
        for (size_t i = 0; i < sizeof r; i++)
            tmp[i] = abc[r[i] % (sizeof abc - 1)];
        tmp[8] = '\0';
        user_pin = tmp;
    }
    rc = tok_so_init_pin(ctx, slot->id, serial, user_pin, sopin, n);
    if (rc == TOK_OK)
        rc = tok_erase_objects(ctx, slot->id, serial, user_pin);
    slot->user_pin_set = rc == TOK_OK || slot->user_pin_set;
    OPENSSL_cleanse(tmp, sizeof tmp);
    OPENSSL_cleanse(r, sizeof r);
    return rc;
}

static int
tok_so_reinit(tok_ctx *ctx, const char *serial, const char *label, const char *user_pin, char *sopin, size_t n)
{
    struct tok_slot *slot;
    CK_SLOT_ID id;
    char plabel[33];
    CK_RV rv;
    int rc;

    if (tok_present_slot(ctx, serial, &slot) != TOK_OK)
        return tok_fail(ctx, TOK_ERR_REMOVED, "key %s vanished", serial);
    id = slot->id;
    if ((rc = tok_key_so_pin(ctx, slot, sopin, n)) != TOK_OK)
        return rc;
    (void)ctx->fl->C_CloseAllSessions(id);
    if (ctx->no_reinit)
        return tok_so_erase(ctx, slot, serial, user_pin, sopin, n);
    tok_pad_label(plabel, label);
    rv = ctx->fl->C_InitToken(id, (CK_UTF8CHAR_PTR)sopin, strlen(sopin), (CK_UTF8CHAR_PTR)plabel);
    if (rv != CKR_OK) {
        OPENSSL_cleanse(sopin, n);
        rc = tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_PIN_INCORRECT;
        return tok_fail(ctx, rc, "C_InitToken on key %s refused (SO PIN not ours?): 0x%lx", serial, (unsigned long)rv);
    }
    /* what the key is now: its new label, no user PIN yet */
    snprintf(slot->label, sizeof slot->label, "%s", label);
    slot->user_pin_set = false;
    if (user_pin == NULL) {
        OPENSSL_cleanse(sopin, n);
        return TOK_OK;
    }
    rc = tok_so_init_pin(ctx, id, serial, user_pin, sopin, n);
    slot->user_pin_set = rc == TOK_OK;
    return rc;
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
    ctx->fl->C_CloseSession(s);     /* the last session: the SO is logged out with it */
    if (rv != CKR_OK) {
        rc = tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_PIN_POLICY;
        return tok_fail(ctx, rc, "C_InitPIN refused the user PIN: 0x%lx", (unsigned long)rv);
    }
    return TOK_OK;
}

int
tok_pin_reset(tok_ctx *ctx, const char *serial, const char *new_pin)
{
    struct tok_slot *slot;
    char sopin[64];
    int rc;

    if (tok_pin_policy(new_pin) != TOK_OK)
        return tok_fail(ctx, TOK_ERR_PIN_POLICY, "new PIN refused by policy (6-16 printable characters)");
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    if ((rc = tok_key_so_pin(ctx, slot, sopin, sizeof sopin)) != TOK_OK)
        return rc;
    (void)ctx->fl->C_CloseAllSessions(slot->id);    /* no user may be logged in for the SO login */
    rc = tok_so_init_pin(ctx, slot->id, serial, new_pin, sopin, sizeof sopin);
    if (rc == TOK_ERR_PIN_INCORRECT && !tok_is_present(ctx, serial))
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the unlock", serial);
    if (rc == TOK_OK)
        slot->user_pin_set = true;
    return rc;
}

int
tok_pin_info(tok_ctx *ctx, const char *serial, struct tok_pin_info *out)
{
    struct tok_slot *slot;
    CK_TOKEN_INFO ti;
    CK_RV rv;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    rv = ctx->fl->C_GetTokenInfo(slot->id, &ti);
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
    struct tok_slot *slot;
    char sopin[64];
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE h;
    int rc, found;

    if (tok_pin_policy(user_pin) != TOK_OK)
        return tok_fail(ctx, TOK_ERR_PIN_POLICY, "user PIN refused by policy (6-16 printable characters)");
    if ((rc = tok_present_slot(ctx, serial, &slot)) != TOK_OK)
        return rc;
    if (!erase) {
        /* Never a key holding a certificate. The session is closed with
         * every other by the initialisation that follows (C_CloseAllSessions). */
        if ((rc = tok_raw_session(ctx, slot, &s)) != TOK_OK)
            return rc;
        found = tok_raw_find_id(ctx, s, CKO_CERTIFICATE, NULL, 0, &h);
        if (found != 0) {
            ctx->fl->C_CloseSession(s);
            return found < 0 ? found : tok_fail(ctx, TOK_ERR_NOT_BLANK, "key %s holds a certificate", serial);
        }
    }
    rc = tok_so_reinit(ctx, serial, label, user_pin, sopin, sizeof sopin);
    if (rc != TOK_OK && (slot = tok_find_slot(ctx, serial)) != NULL)
        (void)tok_slot_read(ctx, slot);     /* the key may be half-initialised: what it says now */
    return rc;
}

int
tok_wipe(tok_ctx *ctx, const char *serial, const char *label)
{
    char sopin[64];
    int rc;

    if (!tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    struct tok_slot *slot;

    rc = tok_so_reinit(ctx, serial, label, NULL, sopin, sizeof sopin);
    if (rc == TOK_ERR_PIN_INCORRECT && !tok_is_present(ctx, serial))
        rc = tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the wipe", serial);
    if (rc != TOK_OK && (slot = tok_find_slot(ctx, serial)) != NULL)
        (void)tok_slot_read(ctx, slot);
    return rc;
}

/*
 * Provisioning: initialise the free SoftHSM slot as a new key labelled
 * LABEL with the transport SO PIN, then change the SO PIN to the one
 * diversified from its serial in the HSM. Writes the serial to SERIAL_OUT.
 */
int
tok_new_ukey(tok_ctx *ctx, const char *label, char *serial_out)
{
    struct tok_slot *slot;
    PKCS11_SLOT *p11;
    CK_SESSION_HANDLE s;
    char plabel[33], sopin[64];
    CK_RV rv;
    int rc;

    if ((rc = tok_refresh(ctx)) != TOK_OK)
        return rc;
    if ((slot = tok_find_free(ctx)) == NULL || (p11 = tok_p11_slot(ctx, &slot)) == NULL)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "no free SoftHSM slot");
    tok_pad_label(plabel, label);
    if (PKCS11_init_token(p11->token, TOK_TRANSPORT_PIN, plabel) != 0)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "C_InitToken for new key '%s' failed", label);
    if ((rc = tok_refresh(ctx)) != TOK_OK)
        return rc;
    if ((slot = tok_find_label(ctx, label)) == NULL)
        return tok_fail(ctx, TOK_ERR_INTERNAL, "new key '%s' not found after C_InitToken", label);
    snprintf(serial_out, TOK_SERIAL_MAX, "%s", slot->serial);
    if ((rc = tok_key_so_pin(ctx, slot, sopin, sizeof sopin)) != TOK_OK)
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
static struct tok_slot *
tok_find_any(tok_ctx *ctx, const char *serial)
{
    for (unsigned int i = 0; i < ctx->ntab; i++)
        if (ctx->tab[i].token && strcmp(ctx->tab[i].serial, serial) == 0 && !tok_is_hsm(ctx, &ctx->tab[i]))
            return &ctx->tab[i];
    return NULL;
}

int
tok_adopt(tok_ctx *ctx, const char *serial, const char *factory_so_pin, const char *label)
{
    struct tok_slot *slot;
    CK_SLOT_ID id;
    CK_SESSION_HANDLE s;
    char plabel[33], sopin[64];
    CK_RV rv;
    int rc;

    if (!tok_is_present(ctx, serial) && ctx->ports_dir[0] != '\0')
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    if ((slot = tok_find_any(ctx, serial)) == NULL && tok_slots_rescan(ctx) == TOK_OK)
        slot = tok_find_any(ctx, serial);
    if (slot == NULL)
        return tok_fail(ctx, TOK_ERR_NO_KEY, "no token with serial %s", serial);
    id = slot->id;
    if ((rc = tok_key_so_pin(ctx, slot, sopin, sizeof sopin)) != TOK_OK)
        return rc;
    tok_pad_label(plabel, label);
    (void)ctx->fl->C_CloseAllSessions(id);
    /* A key model that must not be re-initialised keeps its label and
     * objects here (issuing erases them); only its SO PIN changes. */
    rv = ctx->no_reinit ? CKR_OK
                        : ctx->fl->C_InitToken(id, (CK_UTF8CHAR_PTR)factory_so_pin, strlen(factory_so_pin),
                                               (CK_UTF8CHAR_PTR)plabel);
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
    (void)tok_slot_read(ctx, slot);     /* its new label and flags */
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_PIN_INCORRECT,
                        "adopting key %s (factory SO PIN refused?): 0x%lx", serial, (unsigned long)rv);
    return TOK_OK;
}

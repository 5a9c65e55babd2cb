/*
 * token/tok_txn_extra.c - tok_txn_wipe (see token/tok_txn_extra.h): erase a
 * UKey with C_InitToken under its diversified SO PIN.
 */
#include "token/tok_txn_extra.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "token/tok_int.h"

int
tok_txn_wipe(tok_ctx *ctx, const char *serial, const char *label)
{
    PKCS11_SLOT *slot;
    char sopin[64], plabel[33];
    int rc;

    if (!tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    if ((rc = tok_hsm_diversify(ctx, serial, sopin, sizeof sopin)) != TOK_OK)
        return rc;
    /* C_InitToken needs every session on the key closed. */
    if ((rc = tok_refresh(ctx)) != TOK_OK || (slot = tok_find_slot(ctx, serial)) == NULL) {
        OPENSSL_cleanse(sopin, sizeof sopin);
        return rc != TOK_OK ? rc : tok_fail(ctx, TOK_ERR_REMOVED, "key %s vanished", serial);
    }
    tok_pad_label(plabel, label);
    rc = PKCS11_init_token(slot->token, sopin, plabel);
    OPENSSL_cleanse(sopin, sizeof sopin);
    ERR_clear_error();
    if (rc != 0) {
        if (!tok_is_present(ctx, serial))
            return tok_fail(ctx, TOK_ERR_REMOVED, "key %s pulled out during the wipe", serial);
        return tok_fail(ctx, TOK_ERR_PIN_INCORRECT, "wipe of key %s refused (SO PIN not ours?)", serial);
    }
    return tok_refresh(ctx);
}

/*
 * token/tok_txn_extra.h - what the transaction engine needs from token/
 * beyond token.h (added by the transaction engineer; to be folded into
 * token.h by the token engineer).
 */
#ifndef TOKEN_TOK_TXN_EXTRA_H
#define TOKEN_TOK_TXN_EXTRA_H

#include "token/token.h"

/*
 * Erase every object on key SERIAL, certificate included, by re-initialising
 * it with its diversified SO PIN (computed in the HSM) and LABEL. The key has
 * no user PIN afterwards: tok_init_blank it next. Used when the clerk
 * confirmed wiping a key that holds a certificate, and to clean a key left
 * half-written by an interrupted issuance. TOK_ERR_NO_KEY, TOK_ERR_HSM,
 * TOK_ERR_PIN_INCORRECT (the SO PIN is not ours: a foreign key), TOK_ERR_REMOVED.
 */
int tok_txn_wipe(tok_ctx *ctx, const char *serial, const char *label);

#endif

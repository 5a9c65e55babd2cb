/*
 * kiosk/auditkey.h - the audit chain keyed from the HSM (issue 13).
 */
#ifndef KIOSK_AUDITKEY_H
#define KIOSK_AUDITKEY_H

#include "data/store.h"
#include "kiosk/config.h"
#include "token/token.h"

/* The id the rows keyed with the HSM's audit key carry (audit.key_id). */
#define AUDIT_KEY_ID "h1"

/*
 * Key the audit rows ST appends with the hall's audit key, an HMAC computed
 * in the HSM (tok_hsm_audit_key) through TOK, or through a token context
 * opened for it and closed again when TOK is NULL. When the HSM made its
 * audit secret just now, an "audit.keyed" row is appended, keyed: it seals
 * the rows written before keying began. 0 keyed; -1 the HSM could not give
 * the key (the rows stay unkeyed, and `audit verify` will say so).
 */
int audit_key_apply(const struct kiosk_config *cfg, tok_ctx *tok, store *st);

#endif

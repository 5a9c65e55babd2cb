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

/*
 * The same in two halves, for a process that opens a token context only
 * for the key: fetch it BEFORE the records are opened, then use it on them.
 * (A PKCS#11 module that closes descriptors it did not open at C_Finalize,
 * as opencryptoki through p11-kit's proxy does, would otherwise close the
 * database under the store.) audit_key_use wipes K.
 */
struct audit_key {
    unsigned char key[32];
    bool ok;                    /* the HSM gave it */
    bool created;               /* its secret was made just now */
};
void audit_key_fetch(const struct kiosk_config *cfg, tok_ctx *tok, struct audit_key *k);
int audit_key_use(struct audit_key *k, store *st);

#endif

/*
 * kiosk/auditkey.c - the audit chain keyed from the HSM (issue 13).
 *
 * Every process that writes to the records asks the HSM for the audit key
 * when it opens them and hands it to the store: each row's hash is then an
 * HMAC under that key, so a trail rewritten and rehashed by anyone without
 * the HSM (a copied database, an administrator of the records server) fails
 * `kiosk audit verify` without any anchor. The key is derived in the HSM
 * from a secret that never leaves it; the kiosk holds the derived key in
 * memory only (no core dumps, PR_SET_DUMPABLE off) and the store wipes it.
 */
#include "kiosk/auditkey.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

void
audit_key_fetch(const struct kiosk_config *cfg, tok_ctx *tok, struct audit_key *k)
{
    static struct kiosk_config eff;
    char err[512];
    tok_ctx *own = NULL;

    memset(k, 0, sizeof *k);
    if (tok == NULL) {
        if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0 || tok_open_hsm_cfg(&own, &eff, err, sizeof err) != TOK_OK)
            return;
        tok = own;
    }
    k->ok = tok_hsm_audit_key(tok, k->key, &k->created) == TOK_OK;
    tok_close(own);
}

int
audit_key_use(struct audit_key *k, store *st)
{
    int rc = -1;

    if (st != NULL && k->ok && store_set_audit_key(st, AUDIT_KEY_ID, k->key, sizeof k->key) == STORE_OK) {
        rc = 0;
        if (k->created)
            (void)store_audit(st, "system", "audit.keyed", "key=" AUDIT_KEY_ID);
    }
    OPENSSL_cleanse(k, sizeof *k);
    return rc;
}

int
audit_key_apply(const struct kiosk_config *cfg, tok_ctx *tok, store *st)
{
    struct audit_key k;

    if (st == NULL)
        return -1;
    audit_key_fetch(cfg, tok, &k);
    return audit_key_use(&k, st);
}

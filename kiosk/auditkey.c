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

int
audit_key_apply(const struct kiosk_config *cfg, tok_ctx *tok, store *st)
{
    static struct kiosk_config eff;
    unsigned char key[32];
    char err[512];
    bool created = false;
    tok_ctx *own = NULL;
    int rc;

    if (st == NULL)
        return -1;
    if (tok == NULL) {
        if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0 || tok_open_cfg(&own, &eff, err, sizeof err) != TOK_OK)
            return -1;
        tok = own;
    }
    rc = tok_hsm_audit_key(tok, key, &created);
    tok_close(own);
    if (rc != TOK_OK)
        return -1;
    rc = store_set_audit_key(st, AUDIT_KEY_ID, key, sizeof key);
    OPENSSL_cleanse(key, sizeof key);
    if (rc != STORE_OK)
        return -1;
    if (created)
        (void)store_audit(st, "system", "audit.keyed", "key=" AUDIT_KEY_ID);
    return 0;
}

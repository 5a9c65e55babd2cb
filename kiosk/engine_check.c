/*
 * kiosk/engine_check.c - 有效期查询 in the engine: read the first inserted
 * key's certificate through token/, classify it with the CA profile's rules
 * on the kiosk's clock (kiosk/rules.c), and record the check and its audit
 * entry. The validity screen only asks (screens/validity.c); see engine.h.
 */
#include "kiosk/engine.h"

#include <stdio.h>
#include <string.h>

#include "kiosk/clock.h"
#include "kiosk/rules.h"

static enum store_check_result
check_result(const struct txn_check *c)
{
    switch (c->status) {
    case TOK_OK:
        if (c->revoked)
            return CHECK_REVOKED;
        switch (c->verdict) {
        case RULES_VALID: return CHECK_VALID;
        case RULES_EXPIRING: return CHECK_EXPIRING;
        case RULES_EXPIRED: return CHECK_EXPIRED;
        case RULES_NOT_YET_VALID: return CHECK_NOT_YET_VALID;
        }
        return CHECK_ERROR;
    case TOK_ERR_NO_CERT: return CHECK_NO_CERT;
    case TOK_ERR_FOREIGN_CERT: return CHECK_FOREIGN;
    case TOK_ERR_REMOVED: return CHECK_REMOVED;
    default: return CHECK_ERROR;
    }
}

/* Record the check and its audit entry; a database fault is reported, not fatal. */
static void
check_record(const struct txn_env *env, struct txn_check *c)
{
    struct store_check row, last;
    size_t n = 0;
    char detail[256];

    if (env->st == NULL)
        return;
    if (store_check_recent(env->st, &last, 1, &n) == STORE_OK && n == 1 && last.at > c->read_at + 60)
        c->clock_suspect = true;
    memset(&row, 0, sizeof row);
    row.at = c->read_at;
    snprintf(row.mode, sizeof row.mode, "%s", env->window ? env->window : "");
    snprintf(row.key_serial, sizeof row.key_serial, "%s", c->key_serial);
    if (c->status == TOK_OK || c->status == TOK_ERR_FOREIGN_CERT) {
        snprintf(row.cert_serial, sizeof row.cert_serial, "%s", c->cert.serial_hex);
        snprintf(row.holder, sizeof row.holder, "%s", c->cert.holder);
        snprintf(row.uscc, sizeof row.uscc, "%s", c->cert.uscc);
        row.not_after = c->cert.not_after;
        row.days_left = (int)c->days_left;
    }
    row.result = check_result(c);
    if (store_check_add(env->st, &row) != STORE_OK) {
        c->record_failed = true;
        return;
    }
    snprintf(detail, sizeof detail, "key=%s cert=%s result=%d", row.key_serial, row.cert_serial, (int)row.result);
    (void)store_audit(env->st, env->window ? env->window : "", "validity_check", detail);
}

void
txn_check_read(const struct txn_env *env, struct txn_check *c)
{
    struct tok_key key;

    memset(c, 0, sizeof *c);
    if ((c->nkeys = txn_one_key(env, NULL, &key, c->several, sizeof c->several)) == 0)
        return;
    c->have_key = true;
    if (c->nkeys > 1)
        return;                     /* which one? nothing read, nothing recorded */
    snprintf(c->key_serial, sizeof c->key_serial, "%s", key.serial);
    c->read_at = env->now ? env->now : time(NULL);
    c->status = tok_read_cert(env->tok, c->key_serial, &c->cert);
    if (c->status == TOK_OK)
        c->verdict = rules_validity_check(cfg_profile(env->cfg), clock_local_day(c->cert.not_before),
                                          clock_local_day(c->cert.not_after), clock_local_day(c->read_at),
                                          &c->days_left);
    /* our own records know what the CA revoked */
    if (c->status == TOK_OK && env->st != NULL) {
        struct store_cert rec;
        if (store_cert_get(env->st, c->cert.serial_hex, &rec) == STORE_OK && rec.state == CERT_REVOKED) {
            c->revoked = true;
            c->held = rec.reason == REASON_HOLD;
            c->revoked_at = rec.revoked_at;
            c->reason = rec.reason;
        }
    }
    /* the key's own state: a locked key says so, and where to unlock it */
    if (c->status == TOK_OK && env->st != NULL) {
        struct txn_pin_view pv;
        if (txn_pin_view(env, c->key_serial, &pv) == STORE_OK && pv.known) {
            c->key_state = pv.locked ? KEYST_LOCKED : pv.state;
            c->pin_left = pv.left;
        }
    }
    check_record(env, c);
}

int
txn_keys_present(const struct txn_env *env, const char *serial, bool *still_there)
{
    struct tok_key keys[8];
    size_t n = 0, i;

    *still_there = false;
    if (env->tok == NULL || tok_keys(env->tok, keys, 8, &n) != TOK_OK)
        n = 0;
    for (i = 0; i < n; i++)
        if (serial != NULL && strcmp(keys[i].serial, serial) == 0)
            *still_there = true;
    return (int)n;
}

/*
 * data/sqlite/certs.c - the SQLite records (data/store.h): certificates.
 * See data/sqlite/sqlite_int.h for what the files share and why it is built this way.
 */
#include "data/sqlite/sqlite_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* ---- certificates and keys ----------------------------------------------- */

static const char SQL_KEY_PUT[] =
    "INSERT INTO keys (serial, first_issue, created) VALUES (?,?,?)"
    " ON CONFLICT(serial) DO UPDATE SET first_issue ="
    "  CASE WHEN keys.first_issue = 0 OR (excluded.first_issue <> 0 AND excluded.first_issue < keys.first_issue)"
    "  THEN excluded.first_issue ELSE keys.first_issue END";
static const char SQL_CERT_PUT[] =
    "INSERT INTO certs (serial, uscc, holder, subject, key_serial, kind, not_before, not_after,"
    " first_issue, state, order_id, fpr, der) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT(serial) DO UPDATE SET uscc = excluded.uscc, holder = excluded.holder,"
    " subject = excluded.subject, key_serial = excluded.key_serial, kind = excluded.kind,"
    " not_before = excluded.not_before, not_after = excluded.not_after,"
    " first_issue = excluded.first_issue, order_id = excluded.order_id,"
    " fpr = CASE WHEN excluded.fpr <> '' THEN excluded.fpr ELSE certs.fpr END,"
    " der = COALESCE(excluded.der, certs.der),"
    /* a revoked certificate stays revoked, whatever is put again */
    " state = CASE WHEN certs.state = 1 THEN 1 ELSE excluded.state END";

int
store_cert_put(store *st, const struct store_cert *c)
{
    stmt *s;
    int rc;

    if (c->serial[0] == '\0' || c->uscc[0] == '\0') {
        st_detail(st, "certificate: %s is empty", c->serial[0] == '\0' ? "serial" : "uscc");
        return STORE_ERR_IO;
    }
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if (c->key_serial[0] != '\0') {
        if ((s = st_prep(st, SQL_KEY_PUT)) == NULL) {
            rc = STORE_ERR_IO;
            goto fail;
        }
        q_bind_text(s, 1, c->key_serial);
        q_bind_int(s, 2, c->first_issue);
        q_bind_int(s, 3, st_now(st));
        if ((rc = st_step_done(st, s, "key: put")) != STORE_OK)
            goto fail;
    }
    if ((s = st_prep(st, SQL_CERT_PUT)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_text(s, 1, c->serial);
    q_bind_text(s, 2, c->uscc);
    q_bind_text(s, 3, c->holder);
    q_bind_text(s, 4, c->subject);
    if (c->key_serial[0] != '\0')
        q_bind_text(s, 5, c->key_serial);
    else
        q_bind_null(s, 5);
    q_bind_text(s, 6, c->kind);
    q_bind_int(s, 7, c->not_before);
    q_bind_int(s, 8, c->not_after);
    q_bind_int(s, 9, c->first_issue);
    q_bind_int(s, 10, (int)c->state);
    if (c->order_id != 0)
        q_bind_int(s, 11, c->order_id);
    else
        q_bind_null(s, 11);
    q_bind_text(s, 12, c->fpr);
    if (c->der != NULL && c->der_len > 0)
        q_bind_blob(s, 13, c->der, (int64_t)c->der_len);
    else
        q_bind_null(s, 13);
    if ((rc = st_step_done(st, s, "certificate: put")) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

#define CERT_COLS "SELECT serial, uscc, holder, subject, COALESCE(key_serial,''), kind, not_before, not_after," \
                  " first_issue, state, COALESCE(order_id,0), fpr, revoked_at, reason FROM certs "
static const char SQL_CERT_COLS[] = CERT_COLS "WHERE serial = ?";
static const char SQL_CERT_ACTIVE[] = CERT_COLS "WHERE uscc = ? AND state = 0";
static const char SQL_CERT_CURRENT[] = CERT_COLS "WHERE uscc = ? AND (state = 0 OR (state = 1 AND reason = 6))"
                                       " ORDER BY state, not_after DESC LIMIT 1";

int
cert_fetch(store *st, const char *sql, const char *arg, struct store_cert *out)
{
    stmt *s = st_prep(st, sql);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, arg);
    rc = q_step(s);
    if (rc == Q_ROW) {
        memset(out, 0, sizeof *out);
        st_text(s, 0, out->serial, sizeof out->serial);
        st_text(s, 1, out->uscc, sizeof out->uscc);
        st_text(s, 2, out->holder, sizeof out->holder);
        st_text(s, 3, out->subject, sizeof out->subject);
        st_text(s, 4, out->key_serial, sizeof out->key_serial);
        st_text(s, 5, out->kind, sizeof out->kind);
        out->not_before = (time_t)q_col_int64(s, 6);
        out->not_after = (time_t)q_col_int64(s, 7);
        out->first_issue = (time_t)q_col_int64(s, 8);
        out->state = (enum store_cert_state)q_col_int(s, 9);
        out->order_id = q_col_int64(s, 10);
        st_text(s, 11, out->fpr, sizeof out->fpr);
        out->revoked_at = (time_t)q_col_int64(s, 12);
        out->reason = q_col_int(s, 13);
        q_reset(s);
        return STORE_OK;
    }
    q_reset(s);
    if (rc == Q_DONE) {
        st_detail(st, "certificate %s: not found", arg);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "certificate: get");
}

int
store_cert_get(store *st, const char *serial, struct store_cert *out)
{
    return cert_fetch(st, SQL_CERT_COLS, serial, out);
}

int
store_cert_active_for_uscc(store *st, const char *uscc, struct store_cert *out)
{
    return cert_fetch(st, SQL_CERT_ACTIVE, uscc, out);
}

int
store_cert_current_for_uscc(store *st, const char *uscc, struct store_cert *out)
{
    return cert_fetch(st, SQL_CERT_CURRENT, uscc, out);
}

static const char SQL_CERT_STATE[] = "UPDATE certs SET state = ? WHERE serial = ?";

int
store_cert_set_state(store *st, const char *serial, enum store_cert_state state)
{
    stmt *s = st_prep(st, SQL_CERT_STATE);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, (int)state);
    q_bind_text(s, 2, serial);
    rc = st_step_done(st, s, "certificate: set state");
    if (rc == STORE_OK && q_changes(st) == 0) {
        st_detail(st, "certificate %s: not found", serial);
        return STORE_ERR_NOT_FOUND;
    }
    return rc;
}


static const char SQL_CERT_REVOKE[] =
    "UPDATE certs SET state = 1, revoked_at = ?1, reason = ?2"
    " WHERE serial = ?3 AND (state IN (0, 2) OR (state = 1 AND reason = 6 AND ?2 <> 6))";

int
store_cert_revoke(store *st, const char *serial, int reason, time_t at)
{
    stmt *s = st_prep(st, SQL_CERT_REVOKE);
    struct store_cert c;
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, at);
    q_bind_int(s, 2, reason);
    q_bind_text(s, 3, serial);
    if ((rc = st_step_done(st, s, "certificate: revoke")) != STORE_OK)
        return rc;
    if (q_changes(st) == 1)
        return STORE_OK;
    if ((rc = store_cert_get(st, serial, &c)) != STORE_OK)
        return rc;
    st_detail(st, "certificate %s: revoked already (reason %d)", serial, c.reason);
    return STORE_ERR_CONFLICT;
}

static const char SQL_CERT_REVOKED[] =
    "SELECT serial, revoked_at, reason FROM certs INDEXED BY certs_revoked WHERE state = 1"
    " ORDER BY revoked_at, serial";

int
store_cert_revoked_each(store *st, int (*fn)(void *arg, const char *serial, time_t at, int reason), void *arg)
{
    stmt *s = st_prep(st, SQL_CERT_REVOKED);
    char serial[80];
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    while ((rc = q_step(s)) == Q_ROW) {
        st_text(s, 0, serial, sizeof serial);
        if (fn(arg, serial, (time_t)q_col_int64(s, 1), q_col_int(s, 2)) != 0) {
            rc = Q_DONE;
            break;
        }
    }
    q_reset(s);
    if (rc != Q_DONE)
        return st_fail(st, rc, "certificate: revoked list");
    return STORE_OK;
}


static const char SQL_CERT_DER[] = "SELECT der FROM certs WHERE serial = ? AND der IS NOT NULL";

int
store_cert_der(store *st, const char *serial, unsigned char **der, size_t *len)
{
    stmt *s = st_prep(st, SQL_CERT_DER);
    int rc;

    *der = NULL;
    *len = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, serial);
    rc = q_step(s);
    if (rc == Q_ROW) {
        size_t n = (size_t)q_col_bytes(s, 0);
        unsigned char *copy = malloc(n > 0 ? n : 1);
        if (copy == NULL) {
            q_reset(s);
            st_detail(st, "certificate %s: out of memory", serial);
            return STORE_ERR_IO;
        }
        memcpy(copy, q_col_blob(s, 0), n);
        q_reset(s);
        *der = copy;
        *len = n;
        return STORE_OK;
    }
    q_reset(s);
    if (rc == Q_DONE) {
        st_detail(st, "certificate %s: not kept", serial);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "certificate: der");
}

static const char SQL_CERT_HOLD[] =
    "UPDATE certs SET state = 1, revoked_at = ?1, reason = 6 WHERE serial = ?2 AND state = 0";
static const char SQL_CERT_RELEASE[] =
    "UPDATE certs SET state = 0, revoked_at = 0, reason = -1 WHERE serial = ? AND state = 1 AND reason = 6";

/* One conditional transition of SERIAL; CONFLICT (nothing changed) or NOT_FOUND when it did not apply. */
static int
cert_transition(store *st, stmt *s, const char *serial, const char *what)
{
    struct store_cert c;
    int rc = st_step_done(st, s, what);

    if (rc == STORE_ERR_CONFLICT || (rc == STORE_OK && q_changes(st) == 0)) {
        if (store_cert_get(st, serial, &c) != STORE_OK)
            return STORE_ERR_NOT_FOUND;
        st_detail(st, "certificate %s: %s does not apply (state %d, reason %d)", serial, what, (int)c.state, c.reason);
        return STORE_ERR_CONFLICT;
    }
    return rc;
}

int
store_cert_hold(store *st, const char *serial, time_t at)
{
    stmt *s = st_prep(st, SQL_CERT_HOLD);

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, at);
    q_bind_text(s, 2, serial);
    return cert_transition(st, s, serial, "hold");
}

int
store_cert_release(store *st, const char *serial)
{
    stmt *s = st_prep(st, SQL_CERT_RELEASE);

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, serial);
    return cert_transition(st, s, serial, "release");
}

static const char SQL_CERT_HOLDS[] =
    "SELECT serial FROM certs WHERE state = 1 AND reason = 6 AND revoked_at <= ? ORDER BY revoked_at LIMIT ?";

int
store_cert_holds_before(store *st, time_t before, char (*serials)[80], size_t max, size_t *n)
{
    stmt *s = st_prep(st, SQL_CERT_HOLDS);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, before);
    q_bind_int(s, 2, (int64_t)max);
    while ((rc = q_step(s)) == Q_ROW && *n < max)
        st_text(s, 0, serials[(*n)++], 80);
    q_reset(s);
    if (rc != Q_DONE && rc != Q_ROW)
        return st_fail(st, rc, "certificate: holds");
    return STORE_OK;
}

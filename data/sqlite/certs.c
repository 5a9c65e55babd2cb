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
    sqlite3_stmt *s;
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
        sqlite3_bind_text(s, 1, c->key_serial, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, c->first_issue);
        sqlite3_bind_int64(s, 3, st_now(st));
        if ((rc = st_step_done(st, s, "key: put")) != STORE_OK)
            goto fail;
    }
    if ((s = st_prep(st, SQL_CERT_PUT)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    sqlite3_bind_text(s, 1, c->serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, c->holder, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, c->subject, -1, SQLITE_STATIC);
    if (c->key_serial[0] != '\0')
        sqlite3_bind_text(s, 5, c->key_serial, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 5);
    sqlite3_bind_text(s, 6, c->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, c->not_before);
    sqlite3_bind_int64(s, 8, c->not_after);
    sqlite3_bind_int64(s, 9, c->first_issue);
    sqlite3_bind_int(s, 10, (int)c->state);
    if (c->order_id != 0)
        sqlite3_bind_int64(s, 11, c->order_id);
    else
        sqlite3_bind_null(s, 11);
    sqlite3_bind_text(s, 12, c->fpr, -1, SQLITE_STATIC);
    if (c->der != NULL && c->der_len > 0)
        sqlite3_bind_blob64(s, 13, c->der, (sqlite3_uint64)c->der_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 13);
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
    sqlite3_stmt *s = st_prep(st, sql);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        st_text(s, 0, out->serial, sizeof out->serial);
        st_text(s, 1, out->uscc, sizeof out->uscc);
        st_text(s, 2, out->holder, sizeof out->holder);
        st_text(s, 3, out->subject, sizeof out->subject);
        st_text(s, 4, out->key_serial, sizeof out->key_serial);
        st_text(s, 5, out->kind, sizeof out->kind);
        out->not_before = (time_t)sqlite3_column_int64(s, 6);
        out->not_after = (time_t)sqlite3_column_int64(s, 7);
        out->first_issue = (time_t)sqlite3_column_int64(s, 8);
        out->state = (enum store_cert_state)sqlite3_column_int(s, 9);
        out->order_id = sqlite3_column_int64(s, 10);
        st_text(s, 11, out->fpr, sizeof out->fpr);
        out->revoked_at = (time_t)sqlite3_column_int64(s, 12);
        out->reason = sqlite3_column_int(s, 13);
        sqlite3_reset(s);
        return STORE_OK;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) {
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
    sqlite3_stmt *s = st_prep(st, SQL_CERT_STATE);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int(s, 1, (int)state);
    sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC);
    rc = st_step_done(st, s, "certificate: set state");
    if (rc == STORE_OK && sqlite3_changes(st->db) == 0) {
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
    sqlite3_stmt *s = st_prep(st, SQL_CERT_REVOKE);
    struct store_cert c;
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, at);
    sqlite3_bind_int(s, 2, reason);
    sqlite3_bind_text(s, 3, serial, -1, SQLITE_STATIC);
    if ((rc = st_step_done(st, s, "certificate: revoke")) != STORE_OK)
        return rc;
    if (sqlite3_changes(st->db) == 1)
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
    sqlite3_stmt *s = st_prep(st, SQL_CERT_REVOKED);
    char serial[80];
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        st_text(s, 0, serial, sizeof serial);
        if (fn(arg, serial, (time_t)sqlite3_column_int64(s, 1), sqlite3_column_int(s, 2)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return st_fail(st, rc, "certificate: revoked list");
    return STORE_OK;
}


static const char SQL_CERT_DER[] = "SELECT der FROM certs WHERE serial = ? AND der IS NOT NULL";

int
store_cert_der(store *st, const char *serial, unsigned char **der, size_t *len)
{
    sqlite3_stmt *s = st_prep(st, SQL_CERT_DER);
    int rc;

    *der = NULL;
    *len = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, serial, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        unsigned char *copy = malloc(n > 0 ? n : 1);
        if (copy == NULL) {
            sqlite3_reset(s);
            st_detail(st, "certificate %s: out of memory", serial);
            return STORE_ERR_IO;
        }
        memcpy(copy, sqlite3_column_blob(s, 0), n);
        sqlite3_reset(s);
        *der = copy;
        *len = n;
        return STORE_OK;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) {
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
cert_transition(store *st, sqlite3_stmt *s, const char *serial, const char *what)
{
    struct store_cert c;
    int rc = st_step_done(st, s, what);

    if (rc == STORE_ERR_CONFLICT || (rc == STORE_OK && sqlite3_changes(st->db) == 0)) {
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
    sqlite3_stmt *s = st_prep(st, SQL_CERT_HOLD);

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, at);
    sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC);
    return cert_transition(st, s, serial, "hold");
}

int
store_cert_release(store *st, const char *serial)
{
    sqlite3_stmt *s = st_prep(st, SQL_CERT_RELEASE);

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, serial, -1, SQLITE_STATIC);
    return cert_transition(st, s, serial, "release");
}

static const char SQL_CERT_HOLDS[] =
    "SELECT serial FROM certs WHERE state = 1 AND reason = 6 AND revoked_at <= ? ORDER BY revoked_at LIMIT ?";

int
store_cert_holds_before(store *st, time_t before, char (*serials)[80], size_t max, size_t *n)
{
    sqlite3_stmt *s = st_prep(st, SQL_CERT_HOLDS);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, before);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
        st_text(s, 0, serials[(*n)++], 80);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return st_fail(st, rc, "certificate: holds");
    return STORE_OK;
}

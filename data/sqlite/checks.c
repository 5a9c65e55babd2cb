/*
 * data/sqlite/checks.c - the SQLite records (data/store.h): validity checks (有效期查询) as they were shown.
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

/* ---- validity checks ------------------------------------------------------ */

static const char SQL_CHECK_ADD[] =
    "INSERT INTO checks (at, mode, key_serial, cert_serial, holder, uscc, not_after, days_left, result)"
    " VALUES (?,?,?,?,?,?,?,?,?) RETURNING id";

int
store_check_add(store *st, struct store_check *c)
{
    stmt *s = st_prep(st, SQL_CHECK_ADD);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if (c->at == 0)
        c->at = st_now(st);
    q_bind_int(s, 1, c->at);
    q_bind_text(s, 2, c->mode);
    q_bind_text(s, 3, c->key_serial);
    q_bind_text(s, 4, c->cert_serial);
    q_bind_text(s, 5, c->holder);
    q_bind_text(s, 6, c->uscc);
    q_bind_int(s, 7, c->not_after);
    q_bind_int(s, 8, c->days_left);
    q_bind_int(s, 9, (int)c->result);
    rc = st_step_id(st, s, "check: insert", &c->id);
    return rc;
}

static const char SQL_CHECK_RECENT[] =
    "SELECT id, at, mode, key_serial, cert_serial, holder, uscc, not_after, days_left, result"
    " FROM checks ORDER BY id DESC LIMIT ?";

int
store_check_recent(store *st, struct store_check *out, size_t max, size_t *n)
{
    stmt *s = st_prep(st, SQL_CHECK_RECENT);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, (int64_t)max);
    while ((rc = q_step(s)) == Q_ROW && *n < max) {
        struct store_check *c = &out[(*n)++];
        memset(c, 0, sizeof *c);
        c->id = q_col_int64(s, 0);
        c->at = (time_t)q_col_int64(s, 1);
        st_text(s, 2, c->mode, sizeof c->mode);
        st_text(s, 3, c->key_serial, sizeof c->key_serial);
        st_text(s, 4, c->cert_serial, sizeof c->cert_serial);
        st_text(s, 5, c->holder, sizeof c->holder);
        st_text(s, 6, c->uscc, sizeof c->uscc);
        c->not_after = (time_t)q_col_int64(s, 7);
        c->days_left = q_col_int(s, 8);
        c->result = (enum store_check_result)q_col_int(s, 9);
    }
    q_reset(s);
    if (rc != Q_DONE && rc != Q_ROW)
        return st_fail(st, rc, "check: recent");
    return STORE_OK;
}


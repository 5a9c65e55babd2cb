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
    " VALUES (?,?,?,?,?,?,?,?,?)";

int
store_check_add(store *st, struct store_check *c)
{
    sqlite3_stmt *s = st_prep(st, SQL_CHECK_ADD);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if (c->at == 0)
        c->at = st_now(st);
    sqlite3_bind_int64(s, 1, c->at);
    sqlite3_bind_text(s, 2, c->mode, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, c->key_serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, c->cert_serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, c->holder, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, c->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, c->not_after);
    sqlite3_bind_int(s, 8, c->days_left);
    sqlite3_bind_int(s, 9, (int)c->result);
    rc = st_step_done(st, s, "check: insert");
    if (rc == STORE_OK)
        c->id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static const char SQL_CHECK_RECENT[] =
    "SELECT id, at, mode, key_serial, cert_serial, holder, uscc, not_after, days_left, result"
    " FROM checks ORDER BY id DESC LIMIT ?";

int
store_check_recent(store *st, struct store_check *out, size_t max, size_t *n)
{
    sqlite3_stmt *s = st_prep(st, SQL_CHECK_RECENT);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
        struct store_check *c = &out[(*n)++];
        memset(c, 0, sizeof *c);
        c->id = sqlite3_column_int64(s, 0);
        c->at = (time_t)sqlite3_column_int64(s, 1);
        st_text(s, 2, c->mode, sizeof c->mode);
        st_text(s, 3, c->key_serial, sizeof c->key_serial);
        st_text(s, 4, c->cert_serial, sizeof c->cert_serial);
        st_text(s, 5, c->holder, sizeof c->holder);
        st_text(s, 6, c->uscc, sizeof c->uscc);
        c->not_after = (time_t)sqlite3_column_int64(s, 7);
        c->days_left = sqlite3_column_int(s, 8);
        c->result = (enum store_check_result)sqlite3_column_int(s, 9);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return st_fail(st, rc, "check: recent");
    return STORE_OK;
}


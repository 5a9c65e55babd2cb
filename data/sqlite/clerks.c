/*
 * data/sqlite/clerks.c - the SQLite records (data/store.h): clerks and their password hashes.
 * See data/sqlite/sqlite_int.h for what the files share and why it is built this way.
 */
#include "data/sqlite/sqlite_int.h"
#include "data/password.h"

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

/* ---- clerks ---------------------------------------------------------------- */

static const char SQL_CLERK_ADD[] =
    "INSERT INTO clerks (login, name, role, pw_hash, disabled, created, updated) VALUES (?,?,?,?,0,?,?)";

int
store_clerk_add(store *st, const char *login, const char *role, const char *name, const char *password)
{
    const char *why = store_clerk_check(login, role, name, password);
    char hash[256], detail[256];
    stmt *s;
    time_t now = st_now(st);
    int rc;

    if (why != NULL) {
        st_detail(st, "%s", why);
        return STORE_ERR_IO;
    }
    if (pw_hash_new(password, hash, sizeof hash) != 0) {
        st_detail(st, "password: scrypt failed");
        return STORE_ERR_IO;
    }
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_CLERK_ADD)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    q_bind_text(s, 1, login);
    q_bind_text(s, 2, name);
    q_bind_text(s, 3, role);
    q_bind_text(s, 4, hash);
    q_bind_int(s, 5, now);
    q_bind_int(s, 6, now);
    if ((rc = st_step_done(st, s, "clerk: insert")) != STORE_OK) {
        if (rc == STORE_ERR_CONFLICT)
            st_detail(st, "login: %s already exists", login);
        goto fail;
    }
    snprintf(detail, sizeof detail, "login=%s role=%s", login, role);
    if ((rc = audit_append_locked(st, "admin", "clerk.add", detail)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

static const char SQL_CLERK_GET[] =
    "SELECT login, name, role, disabled, created, updated FROM clerks WHERE login = ?";
static const char SQL_CLERK_LIST[] =
    "SELECT login, name, role, disabled, created, updated FROM clerks ORDER BY login LIMIT ?";

void
clerk_row(stmt *s, struct store_clerk *c)
{
    memset(c, 0, sizeof *c);
    st_text(s, 0, c->login, sizeof c->login);
    st_text(s, 1, c->name, sizeof c->name);
    st_text(s, 2, c->role, sizeof c->role);
    c->disabled = q_col_int(s, 3) != 0;
    c->created = (time_t)q_col_int64(s, 4);
    c->updated = (time_t)q_col_int64(s, 5);
}

int
store_clerk_get(store *st, const char *login, struct store_clerk *out)
{
    stmt *s = st_prep(st, SQL_CLERK_GET);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, login);
    rc = q_step(s);
    if (rc == Q_ROW)
        clerk_row(s, out);
    q_reset(s);
    if (rc == Q_ROW)
        return STORE_OK;
    if (rc == Q_DONE) {
        st_detail(st, "login: %s not found", login);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "clerk: get");
}

int
store_clerk_list(store *st, struct store_clerk *out, size_t max, size_t *n)
{
    stmt *s = st_prep(st, SQL_CLERK_LIST);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, (int64_t)max);
    while ((rc = q_step(s)) == Q_ROW && *n < max)
        clerk_row(s, &out[(*n)++]);
    q_reset(s);
    if (rc != Q_DONE && rc != Q_ROW)
        return st_fail(st, rc, "clerk: list");
    return STORE_OK;
}

static const char SQL_CLERK_SETPW[] = "UPDATE clerks SET pw_hash = ?, updated = ? WHERE login = ?";
static const char SQL_CLERK_DISABLE[] = "UPDATE clerks SET disabled = 1, updated = ? WHERE login = ?";

/* Run an UPDATE on one clerk and audit it in one transaction. */
int
clerk_change(store *st, const char *sql, const char *text, const char *login, const char *action)
{
    stmt *s;
    char detail[128];
    int rc, i = 1;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, sql)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    if (text != NULL)
        q_bind_text(s, i++, text);
    q_bind_int(s, i++, st_now(st));
    q_bind_text(s, i, login);
    if ((rc = st_step_done(st, s, action)) != STORE_OK)
        goto fail;
    if (q_changes(st) == 0) {
        st_detail(st, "login: %s not found", login);
        rc = STORE_ERR_NOT_FOUND;
        goto fail;
    }
    snprintf(detail, sizeof detail, "login=%s", login);
    if ((rc = audit_append_locked(st, "admin", action, detail)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

int
store_clerk_set_password(store *st, const char *login, const char *password)
{
    const char *why = store_clerk_check(NULL, NULL, NULL, password);
    char hash[256];

    if (why != NULL) {
        st_detail(st, "%s", why);
        return STORE_ERR_IO;
    }
    if (pw_hash_new(password, hash, sizeof hash) != 0) {
        st_detail(st, "password: scrypt failed");
        return STORE_ERR_IO;
    }
    return clerk_change(st, SQL_CLERK_SETPW, hash, login, "clerk.passwd");
}

int
store_clerk_disable(store *st, const char *login)
{
    return clerk_change(st, SQL_CLERK_DISABLE, NULL, login, "clerk.disable");
}

/* ---- the sign-in lockout's record ---------------------------------------------- */

static const char SQL_GUARD_GET[] = "SELECT fails FROM login_guard WHERE login = ?";
static const char SQL_GUARD_SET[] =
    "INSERT INTO login_guard (login, fails, updated) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (login) DO UPDATE SET fails = excluded.fails, updated = excluded.updated";

int
store_login_fails(store *st, const char *login, time_t *out, size_t max, size_t *n)
{
    stmt *s = st_prep(st, SQL_GUARD_GET);
    char list[STORE_LOGIN_FAILS_MAX * 24] = "";
    const char *p;
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, login);
    rc = q_step(s);
    if (rc == Q_ROW)
        st_text(s, 0, list, sizeof list);
    q_reset(s);
    if (rc != Q_ROW && rc != Q_DONE)
        return st_fail(st, rc, "login guard: read");
    for (p = list; *p != '\0' && *n < max;) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p)
            break;
        out[(*n)++] = (time_t)v;
        p = *end == ',' ? end + 1 : end;
    }
    return STORE_OK;
}

static int
guard_set(store *st, const char *login, const char *list)
{
    stmt *s = st_prep(st, SQL_GUARD_SET);

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, login);
    q_bind_text(s, 2, list);
    q_bind_int(s, 3, st_now(st));
    return st_step_done(st, s, "login guard: write");
}

int
store_login_failed(store *st, const char *login, time_t at)
{
    time_t was[STORE_LOGIN_FAILS_MAX];
    char list[STORE_LOGIN_FAILS_MAX * 24];
    size_t n = 0, i, len;
    int rc;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((rc = store_login_fails(st, login, was, STORE_LOGIN_FAILS_MAX, &n)) != STORE_OK)
        goto fail;
    len = (size_t)snprintf(list, sizeof list, "%lld", (long long)(at ? at : st_now(st)));
    for (i = 0; i + 1 < STORE_LOGIN_FAILS_MAX && i < n; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, ",%lld", (long long)was[i]);
    if ((rc = guard_set(st, login, list)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

int
store_login_cleared(store *st, const char *login)
{
    return guard_set(st, login, "");
}

static const char SQL_CLERK_AUTH[] = "SELECT role, disabled, pw_hash FROM clerks WHERE login = ?";
/* a valid hash of no real password, so unknown logins cost the same time */
static const char PW_DUMMY[] =
    "scrypt$16384$8$1$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

int
store_clerk_verify_password(store *st, const char *login, const char *password, char *role, size_t rolelen)
{
    stmt *s = st_prep(st, SQL_CLERK_AUTH);
    char stored[256] = "", r[16] = "";
    int rc, disabled = 0, match;

    if (role != NULL && rolelen > 0)
        role[0] = '\0';
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, login);
    rc = q_step(s);
    if (rc == Q_ROW) {
        st_text(s, 0, r, sizeof r);
        disabled = q_col_int(s, 1);
        st_text(s, 2, stored, sizeof stored);
    }
    q_reset(s);
    if (rc != Q_ROW && rc != Q_DONE)
        return st_fail(st, rc, "clerk: verify");
    match = pw_hash_match(password != NULL ? password : "", rc == Q_ROW ? stored : PW_DUMMY);
    if (rc == Q_DONE) {
        st_detail(st, "login: %s not found", login);
        return STORE_ERR_NOT_FOUND;
    }
    if (match < 0) {
        st_detail(st, "login: %s has a malformed password hash", login);
        return STORE_ERR_IO;
    }
    if (match == 0) {
        st_detail(st, "login: %s wrong password", login);
        return STORE_ERR_CONFLICT;
    }
    if (disabled) {
        st_detail(st, "login: %s is disabled", login);
        return STORE_ERR_CONFLICT;
    }
    if (role != NULL && rolelen > 0)
        snprintf(role, rolelen, "%s", r);
    return STORE_OK;
}


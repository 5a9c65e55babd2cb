/*
 * data/store_sqlite.c - the records (data/store.h) kept in one SQLite file.
 *
 * Why it is built this way:
 *  - The schema is a const array of migration steps; PRAGMA user_version is
 *    the number of steps applied. A file with a higher version than we know
 *    was written by a newer program: refused (STORE_ERR_SCHEMA), never
 *    touched.
 *  - WAL with synchronous=FULL: a committed audit row or payment survives a
 *    power cut (bench/audit_append.c measures what that costs).
 *  - Every write that touches several rows runs in BEGIN IMMEDIATE, so a
 *    busy database is met at the start (STORE_ERR_BUSY after the caller's
 *    busy timeout) and never leaves half a change behind.
 *  - Rules of the records live in the schema too: one ACTIVE certificate per
 *    USCC and one OPEN order per operator ID are partial unique indexes.
 *  - The audit table is a hash chain (SHA-256 over the previous hash and the
 *    row's canonical content). Triggers refuse UPDATE/DELETE, but anyone
 *    with the sqlite3 shell can drop them: store_audit_check is what counts.
 *  - Prepared statements are cached per connection, keyed by the address of
 *    their (static) SQL text.
 */
#include "data/store.h"
#include "kiosk/rules.h"

#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
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

/* ---- schema -------------------------------------------------------------- */

/* Each step moves user_version from its index to index + 1. Append only. */
static const char *const store_migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE clerks ("
    "  login TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('window66','window68','supervisor')),"
    "  pw_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"

    "CREATE TABLE orders ("
    "  id INTEGER PRIMARY KEY,"
    "  number TEXT NOT NULL UNIQUE,"
    "  prefix TEXT NOT NULL,"               /* window digits */
    "  day TEXT NOT NULL,"                  /* local date YYYY-MM-DD */
    "  seq INTEGER NOT NULL,"               /* sequence of the day per prefix */
    "  txn TEXT NOT NULL,"
    "  window TEXT NOT NULL,"
    "  clerk TEXT NOT NULL DEFAULT '',"
    "  operator_id TEXT NOT NULL DEFAULT '',"
    "  uscc TEXT NOT NULL DEFAULT '',"
    "  step TEXT NOT NULL DEFAULT '',"
    "  data TEXT NOT NULL DEFAULT '',"
    "  amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),"
    "  pay_method TEXT NOT NULL DEFAULT '' CHECK (pay_method IN ('','cash','pos','qr')),"
    "  paid_at INTEGER NOT NULL DEFAULT 0,"
    "  state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0,1,2)),"
    "  cancel_reason TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  UNIQUE (prefix, day, seq));"
    "CREATE UNIQUE INDEX orders_one_open ON orders(operator_id)"
    "  WHERE state = 0 AND operator_id <> '';"
    /* covering index: the daily settlement reads nothing else */
    "CREATE INDEX orders_day ON orders(day, window, clerk, txn, state, pay_method, amount, paid_at);"

    "CREATE TABLE keys ("
    "  serial TEXT PRIMARY KEY,"
    "  first_issue INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL);"

    "CREATE TABLE certs ("
    "  serial TEXT PRIMARY KEY,"
    "  uscc TEXT NOT NULL,"
    "  holder TEXT NOT NULL DEFAULT '',"
    "  subject TEXT NOT NULL DEFAULT '',"
    "  key_serial TEXT REFERENCES keys(serial),"
    "  kind TEXT NOT NULL DEFAULT '',"
    "  not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL,"
    "  first_issue INTEGER NOT NULL DEFAULT 0,"
    "  state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0,1,2)),"
    "  order_id INTEGER REFERENCES orders(id));"
    "CREATE UNIQUE INDEX certs_one_active ON certs(uscc) WHERE state = 0;"
    "CREATE INDEX certs_uscc ON certs(uscc);"

    "CREATE TABLE checks ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  mode TEXT NOT NULL,"
    "  key_serial TEXT NOT NULL DEFAULT '',"
    "  cert_serial TEXT NOT NULL DEFAULT '',"
    "  holder TEXT NOT NULL DEFAULT '',"
    "  uscc TEXT NOT NULL DEFAULT '',"
    "  not_after INTEGER NOT NULL DEFAULT 0,"
    "  days_left INTEGER NOT NULL DEFAULT 0,"
    "  result INTEGER NOT NULL CHECK (result BETWEEN 0 AND 7));"

    "CREATE TABLE jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER REFERENCES orders(id),"
    "  doc TEXT NOT NULL,"
    "  title TEXT NOT NULL DEFAULT '',"
    "  copies INTEGER NOT NULL DEFAULT 1 CHECK (copies >= 1),"
    "  state INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 4),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_try INTEGER NOT NULL DEFAULT 0,"
    "  printer_job_id INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  pdf BLOB NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE INDEX jobs_due ON jobs(state, next_try, id);"

    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",

    /* 2: the company, the operator and each payment as records of their
     * own (not only inside an order's data); a key knows its holder */
    "CREATE TABLE companies ("
    "  uscc TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  legal_rep TEXT NOT NULL DEFAULT '',"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  office_phone TEXT NOT NULL DEFAULT '',"
    "  website TEXT NOT NULL DEFAULT '',"
    "  address TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"

    "CREATE TABLE operators ("
    "  id_number TEXT PRIMARY KEY,"         /* stored; masked when shown */
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  mobile TEXT NOT NULL DEFAULT '',"
    "  email TEXT NOT NULL DEFAULT '',"
    "  wechat TEXT NOT NULL DEFAULT '',"
    "  uscc TEXT NOT NULL DEFAULT '',"      /* company last applied for */
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"

    "CREATE TABLE payments ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),"
    "  method TEXT NOT NULL CHECK (method IN ('cash','pos','qr')),"
    "  amount INTEGER NOT NULL CHECK (amount >= 0),"
    "  at INTEGER NOT NULL,"
    "  clerk TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX payments_order ON payments(order_id, id);"

    "ALTER TABLE keys ADD COLUMN uscc TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE keys ADD COLUMN cert_serial TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE keys ADD COLUMN algo TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE keys ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;",
};

#define STORE_NMIGRATIONS ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))
#define STORE_NSTMTS 48
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* scrypt parameters for new password hashes */
#define PW_N 16384u
#define PW_R 8u
#define PW_P 1u
#define PW_SALT 16
#define PW_LEN 32

struct store_stmt {
    const char *sql;            /* cache key: address of the static SQL text */
    sqlite3_stmt *stmt;
};

struct store {
    sqlite3 *db;
    char detail[512];           /* last failure, technical */
    time_t fixed_now;           /* 0 = real clock */
    int depth;                  /* open write transactions: 1 = BEGIN, more = SAVEPOINTs */
    struct store_stmt stmts[STORE_NSTMTS];
};

/* ---- helpers ------------------------------------------------------------- */

static time_t
st_now(const store *st)
{
    return st->fixed_now != 0 ? st->fixed_now : time(NULL);
}

static void
st_detail(store *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(st->detail, sizeof st->detail, fmt, ap);
    va_end(ap);
}

/* Map an SQLite result code to a store status, recording the detail. */
static int
st_fail(store *st, int rc, const char *what)
{
    st_detail(st, "%s: %s (%d)", what, sqlite3_errmsg(st->db), rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_ERR_BUSY;
    case SQLITE_CONSTRAINT:
        return STORE_ERR_CONFLICT;
    default:
        return STORE_ERR_IO;
    }
}

/* A reset, unbound, cached statement for SQL (a static string), or NULL. */
static sqlite3_stmt *
st_prep(store *st, const char *sql)
{
    int i, rc;

    for (i = 0; i < STORE_NSTMTS && st->stmts[i].sql != NULL; i++) {
        if (st->stmts[i].sql == sql) {
            sqlite3_reset(st->stmts[i].stmt);
            sqlite3_clear_bindings(st->stmts[i].stmt);
            return st->stmts[i].stmt;
        }
    }
    if (i == STORE_NSTMTS) {
        st_detail(st, "statement cache full");
        return NULL;
    }
    rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmts[i].stmt, NULL);
    if (rc != SQLITE_OK) {
        st_detail(st, "prepare: %s: %s", sqlite3_errmsg(st->db), sql);
        return NULL;
    }
    st->stmts[i].sql = sql;
    return st->stmts[i].stmt;
}

static void
st_text(sqlite3_stmt *s, int i, char *out, size_t n)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

static int
st_exec(store *st, const char *sql)
{
    char *e = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &e);

    if (rc != SQLITE_OK) {
        int r = st_fail(st, rc, sql);
        if (e != NULL) {
            st_detail(st, "%s: %s", sql, e);
            sqlite3_free(e);
        }
        return r;
    }
    return STORE_OK;
}

/*
 * Write transactions nest: the outermost is BEGIN IMMEDIATE (a busy database
 * is met there), inner ones are SAVEPOINTs, so a function that writes
 * several rows can also run inside a caller's unit (store_begin) and roll
 * back only its own part.
 */
static int
st_begin(store *st)
{
    int rc = st_exec(st, st->depth > 0 ? "SAVEPOINT st_nest" : "BEGIN IMMEDIATE");
    if (rc == STORE_OK)
        st->depth++;
    return rc;
}

static int
st_commit(store *st)
{
    int rc;

    if (st->depth > 1) {
        if ((rc = st_exec(st, "RELEASE st_nest")) != STORE_OK)
            (void)sqlite3_exec(st->db, "ROLLBACK TO st_nest; RELEASE st_nest", NULL, NULL, NULL);
        st->depth--;
        return rc;
    }
    rc = st_exec(st, "COMMIT");
    if (rc != STORE_OK)
        (void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->depth = 0;
    return rc;
}

static void
st_rollback(store *st)
{
    if (st->depth > 1) {
        (void)sqlite3_exec(st->db, "ROLLBACK TO st_nest; RELEASE st_nest", NULL, NULL, NULL);
        st->depth--;
        return;
    }
    if (!sqlite3_get_autocommit(st->db))
        (void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->depth = 0;
}

/* Run a statement that returns no rows; maps the result. */
static int
st_step_done(store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    int r = rc == SQLITE_DONE ? STORE_OK : st_fail(st, rc, what);
    sqlite3_reset(s);
    return r;
}

/* ---- open, close, migrations --------------------------------------------- */

static int
st_user_version(store *st, int *v)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        int r = st_fail(st, rc, "PRAGMA user_version");
        sqlite3_finalize(s);
        return r;
    }
    *v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return STORE_OK;
}

static int
st_migrate(store *st)
{
    int v, rc, i;
    char sql[64];

    if ((rc = st_user_version(st, &v)) != STORE_OK)
        return rc;
    if (v > STORE_NMIGRATIONS)
        goto newer;
    if (v == STORE_NMIGRATIONS)
        return STORE_OK;
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    /* another process may have migrated while we waited for the lock */
    if ((rc = st_user_version(st, &v)) != STORE_OK)
        goto fail;
    if (v > STORE_NMIGRATIONS) {
        st_rollback(st);
        goto newer;
    }
    for (i = v; i < STORE_NMIGRATIONS; i++) {
        if ((rc = st_exec(st, store_migrations[i])) != STORE_OK)
            goto fail;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_NMIGRATIONS);
    if ((rc = st_exec(st, sql)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
newer:
    st_detail(st, "database schema version %d is newer than this program's %d", v, STORE_NMIGRATIONS);
    return STORE_ERR_SCHEMA;
}

int
store_open(store **out, const char *path, int busy_ms, char *err, size_t errlen)
{
    store *st;
    bool created;
    int rc;

    *out = NULL;
    st = calloc(1, sizeof *st);
    if (st == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return STORE_ERR_IO;
    }
    /*
     * The records hold full ID numbers and password hashes: a database this
     * call creates is made readable by its owner only, before anything is
     * written (SQLite gives the -wal and -shm files the database's mode). An
     * existing file keeps the mode its administrator chose. Never open() and
     * close() the file ourselves: closing any descriptor drops every POSIX
     * lock this process holds on it, including those of other connections
     * (the print worker's), and another process may then delete the live WAL.
     */
    created = access(path, F_OK) != 0;
    rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc == SQLITE_OK && created)
        (void)chmod(path, S_IRUSR | S_IWUSR);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open database: %s", path,
                 st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        sqlite3_close(st->db);
        free(st);
        return STORE_ERR_OPEN;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, busy_ms);

    rc = st_exec(st, "PRAGMA foreign_keys = ON");
    if (rc == STORE_OK)
        rc = st_migrate(st);
    if (rc == STORE_OK) {
        /* after the schema check: a newer file is never converted */
        sqlite3_stmt *s = NULL;
        int r = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
        if (r == SQLITE_OK)
            r = sqlite3_step(s);
        if (r != SQLITE_ROW)
            rc = st_fail(st, r, "PRAGMA journal_mode = WAL");
        else if (sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), "wal") != 0) {
            st_detail(st, "journal_mode stayed %s", sqlite3_column_text(s, 0));
            rc = STORE_ERR_OPEN;
        }
        sqlite3_finalize(s);
    }
    if (rc == STORE_OK)
        rc = st_exec(st, "PRAGMA synchronous = FULL");
    if (rc != STORE_OK) {
        if (rc == STORE_ERR_IO)
            rc = STORE_ERR_OPEN;
        snprintf(err, errlen, "%s: %s", path, st->detail);
        store_close(st);
        return rc;
    }
    *out = st;
    return STORE_OK;
}

void
store_close(store *st)
{
    int i;

    if (st == NULL)
        return;
    for (i = 0; i < STORE_NSTMTS; i++)
        sqlite3_finalize(st->stmts[i].stmt);
    sqlite3_close(st->db);
    free(st);
}

int
store_schema_version(store *st)
{
    int v = -1;
    if (st_user_version(st, &v) != STORE_OK)
        return -1;
    return v;
}

const char *
store_detail(const store *st)
{
    return st != NULL ? st->detail : "no store";
}

void
store_set_now(store *st, time_t now)
{
    st->fixed_now = now;
}

char *
store_mask_id(const char *id, char *out, size_t n)
{
    return rules_mask_id(id, out, n);   /* one policy, in the base */
}

/* ---- audit --------------------------------------------------------------- */

/* hex SHA-256 of prev || canonical(id, at, actor, action, detail) into out[65]. */
static int
audit_hash(const char *prev, int64_t id, int64_t at, const char *actor, const char *action,
           const char *detail, char out[65])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[32];
    unsigned int mdlen = 0;
    char head[96];
    const char *fields[3] = { actor, action, detail };
    int ok, i;

    if (ctx == NULL)
        return -1;
    ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    ok = ok && EVP_DigestUpdate(ctx, prev, strlen(prev));
    snprintf(head, sizeof head, "\n%lld\n%lld\n", (long long)id, (long long)at);
    ok = ok && EVP_DigestUpdate(ctx, head, strlen(head));
    /* length-prefixed, so no field can borrow bytes from its neighbour */
    for (i = 0; i < 3 && ok; i++) {
        char len[24];
        snprintf(len, sizeof len, "%zu:", strlen(fields[i]));
        ok = EVP_DigestUpdate(ctx, len, strlen(len)) && EVP_DigestUpdate(ctx, fields[i], strlen(fields[i]))
             && EVP_DigestUpdate(ctx, "\n", 1);
    }
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok || mdlen != 32)
        return -1;
    for (i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static const char SQL_AUDIT_LAST[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)";

/* Append one audit row; the caller holds a write transaction. */
static int
audit_append_locked(store *st, const char *actor, const char *action, const char *detail)
{
    sqlite3_stmt *s = st_prep(st, SQL_AUDIT_LAST);
    char prev[65] = AUDIT_GENESIS, hash[65];
    int64_t id = 1, at = (int64_t)st_now(st);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0) + 1;
        st_text(s, 1, prev, sizeof prev);
    } else if (rc != SQLITE_DONE) {
        int r = st_fail(st, rc, "audit: last row");
        sqlite3_reset(s);
        return r;
    }
    sqlite3_reset(s);
    if (actor == NULL)
        actor = "";
    if (action == NULL)
        action = "";
    if (detail == NULL)
        detail = "";
    if (audit_hash(prev, id, at, actor, action, detail, hash) != 0) {
        st_detail(st, "audit: SHA-256 failed");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_AUDIT_INSERT)) == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, hash, -1, SQLITE_STATIC);
    return st_step_done(st, s, "audit: insert");
}

int
store_audit(store *st, const char *actor, const char *action, const char *detail)
{
    int rc = st_begin(st);

    if (rc != STORE_OK)
        return rc;
    rc = audit_append_locked(st, actor, action, detail);
    if (rc != STORE_OK) {
        st_rollback(st);
        return rc;
    }
    return st_commit(st);
}

static const char SQL_AUDIT_ALL[] =
    "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit ORDER BY id";

int
store_audit_check(store *st, struct store_audit_result *res)
{
    sqlite3_stmt *s = st_prep(st, SQL_AUDIT_ALL);
    char prev[65] = AUDIT_GENESIS, calc[65];
    int64_t want_id = 1;
    int rc;

    memset(res, 0, sizeof *res);
    if (s == NULL)
        return STORE_ERR_IO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        int64_t at = sqlite3_column_int64(s, 1);
        const char *actor = (const char *)sqlite3_column_text(s, 2);
        const char *action = (const char *)sqlite3_column_text(s, 3);
        const char *detail = (const char *)sqlite3_column_text(s, 4);
        const char *prev_hash = (const char *)sqlite3_column_text(s, 5);
        const char *hash = (const char *)sqlite3_column_text(s, 6);

        res->rows++;
        if (id != want_id) {
            res->fault = AUDIT_MISSING;
        } else if (prev_hash == NULL || strcmp(prev_hash, prev) != 0) {
            res->fault = AUDIT_RELINKED;
        } else if (audit_hash(prev, id, at, actor ? actor : "", action ? action : "",
                              detail ? detail : "", calc) != 0) {
            sqlite3_reset(s);
            st_detail(st, "audit: SHA-256 failed");
            return STORE_ERR_IO;
        } else if (hash == NULL || strcmp(hash, calc) != 0) {
            res->fault = AUDIT_EDITED;
        }
        if (res->fault != AUDIT_INTACT) {
            res->bad_id = id;
            sqlite3_reset(s);
            st_detail(st, "audit row %lld: %s", (long long)id,
                      res->fault == AUDIT_MISSING ? "rows before it are missing"
                      : res->fault == AUDIT_RELINKED ? "previous hash does not match"
                                                     : "content does not match its hash");
            return STORE_ERR_CONFLICT;
        }
        snprintf(prev, sizeof prev, "%s", hash);
        want_id = id + 1;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return st_fail(st, rc, "audit: read");
    return STORE_OK;
}

int
store_audit_verify(store *st, int64_t *bad_id)
{
    struct store_audit_result r;
    int rc = store_audit_check(st, &r);

    if (bad_id != NULL)
        *bad_id = r.bad_id;
    return rc;
}

static const char SQL_AUDIT_RECENT[] =
    "SELECT id, at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?";

int
store_audit_recent(store *st, struct store_audit_row *out, size_t max, size_t *n)
{
    sqlite3_stmt *s = st_prep(st, SQL_AUDIT_RECENT);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
        struct store_audit_row *a = &out[(*n)++];
        a->id = sqlite3_column_int64(s, 0);
        a->at = (time_t)sqlite3_column_int64(s, 1);
        st_text(s, 2, a->actor, sizeof a->actor);
        st_text(s, 3, a->action, sizeof a->action);
        st_text(s, 4, a->detail, sizeof a->detail);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return st_fail(st, rc, "audit: recent");
    return STORE_OK;
}

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

/* ---- certificates and keys ----------------------------------------------- */

static const char SQL_KEY_PUT[] =
    "INSERT INTO keys (serial, first_issue, created) VALUES (?,?,?)"
    " ON CONFLICT(serial) DO UPDATE SET first_issue ="
    "  CASE WHEN keys.first_issue = 0 OR (excluded.first_issue <> 0 AND excluded.first_issue < keys.first_issue)"
    "  THEN excluded.first_issue ELSE keys.first_issue END";
static const char SQL_CERT_PUT[] =
    "INSERT INTO certs (serial, uscc, holder, subject, key_serial, kind, not_before, not_after,"
    " first_issue, state, order_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT(serial) DO UPDATE SET uscc = excluded.uscc, holder = excluded.holder,"
    " subject = excluded.subject, key_serial = excluded.key_serial, kind = excluded.kind,"
    " not_before = excluded.not_before, not_after = excluded.not_after,"
    " first_issue = excluded.first_issue, state = excluded.state, order_id = excluded.order_id";

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
    if ((rc = st_step_done(st, s, "certificate: put")) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

static const char SQL_CERT_COLS[] =
    "SELECT serial, uscc, holder, subject, COALESCE(key_serial,''), kind, not_before, not_after,"
    " first_issue, state, COALESCE(order_id,0) FROM certs WHERE serial = ?";
static const char SQL_CERT_ACTIVE[] =
    "SELECT serial, uscc, holder, subject, COALESCE(key_serial,''), kind, not_before, not_after,"
    " first_issue, state, COALESCE(order_id,0) FROM certs WHERE uscc = ? AND state = 0";

static int
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

/* ---- orders --------------------------------------------------------------- */

static const char *
order_prefix(const char *window)
{
    if (strcmp(window, "window66") == 0)
        return "66";
    if (strcmp(window, "window68") == 0)
        return "68";
    return "00";
}

/* Audit an order event; the caller holds the write transaction. */
static int
order_audit_locked(store *st, const struct store_order *o, const char *action, const char *extra)
{
    char masked[40], detail[512];

    store_mask_id(o->operator_id, masked, sizeof masked);
    snprintf(detail, sizeof detail, "order=%s txn=%s window=%s operator=%s amount=%ld%s%s",
             o->number, o->txn, o->window, masked, o->amount, extra ? " " : "", extra ? extra : "");
    return audit_append_locked(st, o->clerk[0] ? o->clerk : "self", action, detail);
}

static const char SQL_ORDER_SEQ[] =
    "SELECT COALESCE(MAX(seq), 0) + 1 FROM orders WHERE prefix = ? AND day = ?";
static const char SQL_ORDER_INSERT[] =
    "INSERT INTO orders (number, prefix, day, seq, txn, window, clerk, operator_id, uscc, step, data,"
    " amount, pay_method, paid_at, state, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?)";

int
store_order_create(store *st, struct store_order *o)
{
    const char *prefix = order_prefix(o->window);
    time_t now = st_now(st);
    struct tm tm;
    char day[16], ymd[16];
    sqlite3_stmt *s;
    int64_t seq;
    int rc;

    if (o->txn[0] == '\0' || o->window[0] == '\0') {
        st_detail(st, "order: %s is empty", o->txn[0] == '\0' ? "txn" : "window");
        return STORE_ERR_IO;
    }
    localtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    strftime(ymd, sizeof ymd, "%Y%m%d", &tm);
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_ORDER_SEQ)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
        rc = st_fail(st, rc, "order: sequence");
        sqlite3_reset(s);
        goto fail;
    }
    seq = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    snprintf(o->number, sizeof o->number, "%s-%s-%04lld", prefix, ymd, (long long)seq);
    o->state = ORDER_OPEN;
    o->created = o->updated = now;

    if ((s = st_prep(st, SQL_ORDER_INSERT)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    sqlite3_bind_text(s, 1, o->number, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, seq);
    sqlite3_bind_text(s, 5, o->txn, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, o->window, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, o->clerk, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, o->operator_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, o->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 10, o->step, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 11, o->data, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 12, o->amount);
    sqlite3_bind_text(s, 13, o->pay_method, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 14, o->paid_at);
    sqlite3_bind_int64(s, 15, now);
    sqlite3_bind_int64(s, 16, now);
    if ((rc = st_step_done(st, s, "order: insert")) != STORE_OK) {
        if (rc == STORE_ERR_CONFLICT)
            st_detail(st, "order: operator_id already has an open order (%s)", sqlite3_errmsg(st->db));
        goto fail;
    }
    o->id = sqlite3_last_insert_rowid(st->db);
    if ((rc = order_audit_locked(st, o, "order.create", NULL)) != STORE_OK)
        goto fail;
    if ((rc = st_commit(st)) != STORE_OK)
        goto fail;
    return STORE_OK;
fail:
    st_rollback(st);
    o->id = 0;
    o->number[0] = '\0';
    return rc;
}

static const char SQL_ORDER_COLS_ID[] =
    "SELECT id, number, txn, window, clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE id = ?";
static const char SQL_ORDER_COLS_NUM[] =
    "SELECT id, number, txn, window, clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE number = ?";
static const char SQL_ORDER_COLS_OPEN[] =
    "SELECT id, number, txn, window, clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE operator_id = ? AND state = 0 AND operator_id <> ''";

static void
order_row(sqlite3_stmt *s, struct store_order *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    st_text(s, 1, o->number, sizeof o->number);
    st_text(s, 2, o->txn, sizeof o->txn);
    st_text(s, 3, o->window, sizeof o->window);
    st_text(s, 4, o->clerk, sizeof o->clerk);
    st_text(s, 5, o->operator_id, sizeof o->operator_id);
    st_text(s, 6, o->uscc, sizeof o->uscc);
    st_text(s, 7, o->step, sizeof o->step);
    st_text(s, 8, o->data, sizeof o->data);
    o->amount = (long)sqlite3_column_int64(s, 9);
    st_text(s, 10, o->pay_method, sizeof o->pay_method);
    o->paid_at = (time_t)sqlite3_column_int64(s, 11);
    o->state = (enum store_order_state)sqlite3_column_int(s, 12);
    o->created = (time_t)sqlite3_column_int64(s, 13);
    o->updated = (time_t)sqlite3_column_int64(s, 14);
}

/* Fetch one order by a text or integer key. */
static int
order_fetch(store *st, const char *sql, const char *tkey, int64_t ikey, struct store_order *out)
{
    sqlite3_stmt *s = st_prep(st, sql);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if (tkey != NULL) {
        sqlite3_bind_text(s, 1, tkey, -1, SQLITE_STATIC);
        if (sqlite3_bind_parameter_count(s) >= 2)
            sqlite3_bind_int64(s, 2, ikey);   /* e.g. the order to leave out */
    } else {
        sqlite3_bind_int64(s, 1, ikey);
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        order_row(s, out);
        sqlite3_reset(s);
        return STORE_OK;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) {
        if (tkey != NULL)
            st_detail(st, "order %s: not found", tkey);
        else
            st_detail(st, "order %lld: not found", (long long)ikey);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "order: get");
}

int
store_order_get(store *st, int64_t id, struct store_order *out)
{
    return order_fetch(st, SQL_ORDER_COLS_ID, NULL, id, out);
}

int
store_order_by_number(store *st, const char *number, struct store_order *out)
{
    return order_fetch(st, SQL_ORDER_COLS_NUM, number, 0, out);
}

int
store_order_open_for_operator(store *st, const char *operator_id, struct store_order *out)
{
    if (operator_id == NULL || operator_id[0] == '\0') {
        st_detail(st, "order: operator_id is empty");
        return STORE_ERR_NOT_FOUND;
    }
    return order_fetch(st, SQL_ORDER_COLS_OPEN, operator_id, 0, out);
}

static const char SQL_ORDER_COLS_OPEN_USCC[] =
    "SELECT id, number, txn, window, clerk, operator_id, uscc, step, data, amount, pay_method,"
    " paid_at, state, created, updated FROM orders WHERE uscc = ?1 AND state = 0 AND uscc <> ''"
    " AND id <> ?2 ORDER BY id LIMIT 1";

int
store_order_open_for_uscc(store *st, const char *uscc, int64_t except, struct store_order *out)
{
    if (uscc == NULL || uscc[0] == '\0') {
        st_detail(st, "order: uscc is empty");
        return STORE_ERR_NOT_FOUND;
    }
    return order_fetch(st, SQL_ORDER_COLS_OPEN_USCC, uscc, except, out);
}

static const char SQL_ORDER_UPDATE[] =
    "UPDATE orders SET step = ?, data = ?, uscc = ?, operator_id = ?, amount = ?, pay_method = ?,"
    " paid_at = ?, updated = ? WHERE id = ? AND state = 0";
static const char SQL_ORDER_STATE[] = "SELECT state FROM orders WHERE id = ?";

/* After an UPDATE ... AND state = 0 changed nothing: NOT_FOUND or CONFLICT. */
static int
order_why_unchanged(store *st, int64_t id)
{
    sqlite3_stmt *s = st_prep(st, SQL_ORDER_STATE);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW) {
        st_detail(st, "order %lld: no longer open", (long long)id);
        return STORE_ERR_CONFLICT;
    }
    if (rc == SQLITE_DONE) {
        st_detail(st, "order %lld: not found", (long long)id);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "order: state");
}

static const char SQL_ORDER_PAID[] = "SELECT paid_at FROM orders WHERE id = ? AND state = 0";

int
store_order_update(store *st, const struct store_order *o)
{
    sqlite3_stmt *s;
    int64_t was_paid = -1;
    int rc;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_ORDER_PAID)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    sqlite3_bind_int64(s, 1, o->id);
    if (sqlite3_step(s) == SQLITE_ROW)
        was_paid = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if ((s = st_prep(st, SQL_ORDER_UPDATE)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    sqlite3_bind_text(s, 1, o->step, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, o->data, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, o->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, o->operator_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, o->amount);
    sqlite3_bind_text(s, 6, o->pay_method, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, o->paid_at);
    sqlite3_bind_int64(s, 8, st_now(st));
    sqlite3_bind_int64(s, 9, o->id);
    if ((rc = st_step_done(st, s, "order: update")) != STORE_OK)
        goto fail;
    if (sqlite3_changes(st->db) == 0) {
        rc = order_why_unchanged(st, o->id);
        goto fail;
    }
    /* the moment money is taken is part of the audit trail */
    if (was_paid == 0 && o->paid_at != 0) {
        struct store_order cur;
        char extra[64];
        if ((rc = store_order_get(st, o->id, &cur)) != STORE_OK)
            goto fail;
        snprintf(extra, sizeof extra, "method=%s", o->pay_method);
        if ((rc = order_audit_locked(st, &cur, "order.pay", extra)) != STORE_OK)
            goto fail;
    }
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

static const char SQL_ORDER_CLOSE[] =
    "UPDATE orders SET state = ?, cancel_reason = ?, updated = ? WHERE id = ? AND state = 0";

static int
order_close(store *st, int64_t id, enum store_order_state to, const char *why)
{
    struct store_order o;
    sqlite3_stmt *s;
    char extra[300];
    int rc;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_ORDER_CLOSE)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    sqlite3_bind_int(s, 1, (int)to);
    sqlite3_bind_text(s, 2, why != NULL ? why : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, st_now(st));
    sqlite3_bind_int64(s, 4, id);
    if ((rc = st_step_done(st, s, "order: close")) != STORE_OK)
        goto fail;
    if (sqlite3_changes(st->db) == 0) {
        rc = order_why_unchanged(st, id);
        goto fail;
    }
    if ((rc = store_order_get(st, id, &o)) != STORE_OK)
        goto fail;
    if (to == ORDER_CANCELLED)
        snprintf(extra, sizeof extra, "paid=%s why=%.200s", o.paid_at ? o.pay_method : "no", why ? why : "");
    else
        snprintf(extra, sizeof extra, "paid=%s", o.paid_at ? o.pay_method : "no");
    if ((rc = order_audit_locked(st, &o, to == ORDER_DONE ? "order.finish" : "order.cancel", extra)) != STORE_OK)
        goto fail;
    return st_commit(st);
fail:
    st_rollback(st);
    return rc;
}

int
store_order_finish(store *st, int64_t id)
{
    return order_close(st, id, ORDER_DONE, NULL);
}

int
store_order_cancel(store *st, int64_t id, const char *why)
{
    return order_close(st, id, ORDER_CANCELLED, why);
}

/* ---- print outbox --------------------------------------------------------- */

static const char SQL_JOB_ADD[] =
    "INSERT INTO jobs (order_id, doc, title, copies, state, attempts, next_try, printer_job_id,"
    " last_error, pdf, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

int
store_job_add(store *st, struct store_job *j, const void *pdf, size_t pdf_len)
{
    sqlite3_stmt *s = st_prep(st, SQL_JOB_ADD);
    time_t now = st_now(st);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if (j->copies < 1)
        j->copies = 1;
    j->created = j->updated = now;
    if (j->order_id != 0)
        sqlite3_bind_int64(s, 1, j->order_id);
    else
        sqlite3_bind_null(s, 1);
    sqlite3_bind_text(s, 2, j->doc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, j->title, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, j->copies);
    sqlite3_bind_int(s, 5, (int)j->state);
    sqlite3_bind_int(s, 6, j->attempts);
    sqlite3_bind_int64(s, 7, j->next_try);
    sqlite3_bind_int(s, 8, j->printer_job_id);
    sqlite3_bind_text(s, 9, j->last_error, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(s, 10, pdf != NULL ? pdf : "", (sqlite3_uint64)pdf_len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 11, now);
    sqlite3_bind_int64(s, 12, now);
    rc = st_step_done(st, s, "job: insert");
    if (rc == STORE_OK)
        j->id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static const char SQL_JOB_UPDATE[] =
    "UPDATE jobs SET title = ?, copies = ?, state = ?, attempts = ?, next_try = ?, printer_job_id = ?,"
    " last_error = ?, updated = ? WHERE id = ?";

int
store_job_update(store *st, const struct store_job *j)
{
    sqlite3_stmt *s = st_prep(st, SQL_JOB_UPDATE);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, j->title, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, j->copies < 1 ? 1 : j->copies);
    sqlite3_bind_int(s, 3, (int)j->state);
    sqlite3_bind_int(s, 4, j->attempts);
    sqlite3_bind_int64(s, 5, j->next_try);
    sqlite3_bind_int(s, 6, j->printer_job_id);
    sqlite3_bind_text(s, 7, j->last_error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, st_now(st));
    sqlite3_bind_int64(s, 9, j->id);
    rc = st_step_done(st, s, "job: update");
    if (rc == STORE_OK && sqlite3_changes(st->db) == 0) {
        st_detail(st, "job %lld: not found", (long long)j->id);
        return STORE_ERR_NOT_FOUND;
    }
    return rc;
}

#define JOB_COLS "SELECT id, COALESCE(order_id,0), doc, title, copies, state, attempts, next_try," \
                 " printer_job_id, last_error, created, updated FROM jobs "
static const char SQL_JOB_GET[] = JOB_COLS "WHERE id = ?";
static const char SQL_JOB_DUE[] = JOB_COLS "WHERE state = 0 AND next_try <= ? ORDER BY next_try, id LIMIT ?";
static const char SQL_JOB_RECENT[] = JOB_COLS "ORDER BY id DESC LIMIT ?";

static void
job_row(sqlite3_stmt *s, struct store_job *j)
{
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(s, 0);
    j->order_id = sqlite3_column_int64(s, 1);
    st_text(s, 2, j->doc, sizeof j->doc);
    st_text(s, 3, j->title, sizeof j->title);
    j->copies = sqlite3_column_int(s, 4);
    j->state = (enum store_job_state)sqlite3_column_int(s, 5);
    j->attempts = sqlite3_column_int(s, 6);
    j->next_try = (time_t)sqlite3_column_int64(s, 7);
    j->printer_job_id = sqlite3_column_int(s, 8);
    st_text(s, 9, j->last_error, sizeof j->last_error);
    j->created = (time_t)sqlite3_column_int64(s, 10);
    j->updated = (time_t)sqlite3_column_int64(s, 11);
}

int
store_job_get(store *st, int64_t id, struct store_job *out)
{
    sqlite3_stmt *s = st_prep(st, SQL_JOB_GET);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        job_row(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE) {
        st_detail(st, "job %lld: not found", (long long)id);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "job: get");
}

static const char SQL_JOB_PDF[] = "SELECT pdf FROM jobs WHERE id = ?";

int
store_job_pdf(store *st, int64_t id, void **pdf, size_t *len)
{
    sqlite3_stmt *s = st_prep(st, SQL_JOB_PDF);
    int rc;

    *pdf = NULL;
    *len = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const void *b = sqlite3_column_blob(s, 0);
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        void *copy = malloc(n > 0 ? n : 1);
        if (copy == NULL) {
            sqlite3_reset(s);
            st_detail(st, "job %lld: out of memory for %zu bytes", (long long)id, n);
            return STORE_ERR_IO;
        }
        if (n > 0)
            memcpy(copy, b, n);
        sqlite3_reset(s);
        *pdf = copy;
        *len = n;
        return STORE_OK;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) {
        st_detail(st, "job %lld: not found", (long long)id);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "job: pdf");
}

static int
job_list(store *st, const char *sql, bool with_now, time_t now, struct store_job *out, size_t max, size_t *n)
{
    sqlite3_stmt *s = st_prep(st, sql);
    int rc, i = 1;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    if (with_now)
        sqlite3_bind_int64(s, i++, now);
    sqlite3_bind_int64(s, i, (sqlite3_int64)max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
        job_row(s, &out[(*n)++]);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return st_fail(st, rc, "job: list");
    return STORE_OK;
}

int
store_job_due(store *st, time_t now, struct store_job *out, size_t max, size_t *n)
{
    return job_list(st, SQL_JOB_DUE, true, now, out, max, n);
}

int
store_job_recent(store *st, struct store_job *out, size_t max, size_t *n)
{
    return job_list(st, SQL_JOB_RECENT, false, 0, out, max, n);
}

/* ---- clerks ---------------------------------------------------------------- */

const char *
store_clerk_check(const char *login, const char *role, const char *name, const char *password)
{
    size_t i;

    if (login != NULL) {
        size_t len = strlen(login);
        if (len == 0 || len > 32)
            return "login: must be 1 to 32 characters";
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)login[i];
            if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
                return "login: only a-z 0-9 . _ - allowed";
        }
    }
    if (role != NULL && strcmp(role, "window66") != 0 && strcmp(role, "window68") != 0
        && strcmp(role, "supervisor") != 0)
        return "role: must be window66, window68 or supervisor";
    if (name != NULL && (name[0] == '\0' || strlen(name) >= sizeof(((struct store_clerk *)0)->name)))
        return "name: must be 1 to 127 bytes";
    if (password != NULL) {
        if (strlen(password) < STORE_PASSWORD_MIN)
            return "password: must be at least 8 characters";
        if (strlen(password) > 1024)
            return "password: longer than 1024 characters";
    }
    return NULL;
}

static int
pw_scrypt(const char *password, const unsigned char *salt, size_t saltlen, uint64_t n, uint32_t r,
          uint32_t p, unsigned char *out, size_t outlen)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[6];
    int ok;

    EVP_KDF_free(kdf);
    if (ctx == NULL)
        return -1;
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)password, strlen(password));
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
    params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
    params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
    params[5] = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(ctx, out, outlen, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok ? 0 : -1;
}

static void
hex_encode(const unsigned char *in, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int
hex_decode(const char *in, unsigned char *out, size_t max, size_t *n)
{
    size_t len = strlen(in), i;

    if (len % 2 != 0 || len / 2 > max)
        return -1;
    for (i = 0; i < len / 2; i++) {
        unsigned int v;
        if (!isxdigit((unsigned char)in[2 * i]) || !isxdigit((unsigned char)in[2 * i + 1])
            || sscanf(in + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return 0;
}

/* "scrypt$N$r$p$salthex$hashhex" for PASSWORD into out. */
static int
pw_hash_new(const char *password, char *out, size_t n)
{
    unsigned char salt[PW_SALT], dk[PW_LEN];
    char salthex[2 * PW_SALT + 1], dkhex[2 * PW_LEN + 1];

    if (RAND_bytes(salt, sizeof salt) != 1 || pw_scrypt(password, salt, sizeof salt, PW_N, PW_R, PW_P, dk, sizeof dk) != 0)
        return -1;
    hex_encode(salt, sizeof salt, salthex);
    hex_encode(dk, sizeof dk, dkhex);
    OPENSSL_cleanse(dk, sizeof dk);
    snprintf(out, n, "scrypt$%u$%u$%u$%s$%s", PW_N, PW_R, PW_P, salthex, dkhex);
    return 0;
}

/* 1 when PASSWORD matches STORED, 0 when not, -1 when STORED is malformed. */
static int
pw_hash_match(const char *password, const char *stored)
{
    unsigned long long n;
    unsigned int r, p;
    char salthex[129], dkhex[257];
    unsigned char salt[64], want[128], got[128];
    size_t saltlen, dklen;
    int ok;

    if (sscanf(stored, "scrypt$%llu$%u$%u$%128[0-9a-f]$%256[0-9a-f]", &n, &r, &p, salthex, dkhex) != 5)
        return -1;
    if (n < 2 || n > (1u << 22) || r == 0 || r > 64 || p == 0 || p > 16)
        return -1;
    if (hex_decode(salthex, salt, sizeof salt, &saltlen) != 0 || hex_decode(dkhex, want, sizeof want, &dklen) != 0
        || dklen == 0)
        return -1;
    if (pw_scrypt(password, salt, saltlen, (uint64_t)n, r, p, got, dklen) != 0)
        return -1;
    ok = CRYPTO_memcmp(got, want, dklen) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok;
}

static const char SQL_CLERK_ADD[] =
    "INSERT INTO clerks (login, name, role, pw_hash, disabled, created, updated) VALUES (?,?,?,?,0,?,?)";

int
store_clerk_add(store *st, const char *login, const char *role, const char *name, const char *password)
{
    const char *why = store_clerk_check(login, role, name, password);
    char hash[256], detail[256];
    sqlite3_stmt *s;
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
    sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now);
    sqlite3_bind_int64(s, 6, now);
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

static void
clerk_row(sqlite3_stmt *s, struct store_clerk *c)
{
    memset(c, 0, sizeof *c);
    st_text(s, 0, c->login, sizeof c->login);
    st_text(s, 1, c->name, sizeof c->name);
    st_text(s, 2, c->role, sizeof c->role);
    c->disabled = sqlite3_column_int(s, 3) != 0;
    c->created = (time_t)sqlite3_column_int64(s, 4);
    c->updated = (time_t)sqlite3_column_int64(s, 5);
}

int
store_clerk_get(store *st, const char *login, struct store_clerk *out)
{
    sqlite3_stmt *s = st_prep(st, SQL_CLERK_GET);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        clerk_row(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE) {
        st_detail(st, "login: %s not found", login);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "clerk: get");
}

int
store_clerk_list(store *st, struct store_clerk *out, size_t max, size_t *n)
{
    sqlite3_stmt *s = st_prep(st, SQL_CLERK_LIST);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
        clerk_row(s, &out[(*n)++]);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return st_fail(st, rc, "clerk: list");
    return STORE_OK;
}

static const char SQL_CLERK_SETPW[] = "UPDATE clerks SET pw_hash = ?, updated = ? WHERE login = ?";
static const char SQL_CLERK_DISABLE[] = "UPDATE clerks SET disabled = 1, updated = ? WHERE login = ?";

/* Run an UPDATE on one clerk and audit it in one transaction. */
static int
clerk_change(store *st, const char *sql, const char *text, const char *login, const char *action)
{
    sqlite3_stmt *s;
    char detail[128];
    int rc, i = 1;

    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, sql)) == NULL) {
        rc = STORE_ERR_IO;
        goto fail;
    }
    if (text != NULL)
        sqlite3_bind_text(s, i++, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, i++, st_now(st));
    sqlite3_bind_text(s, i, login, -1, SQLITE_STATIC);
    if ((rc = st_step_done(st, s, action)) != STORE_OK)
        goto fail;
    if (sqlite3_changes(st->db) == 0) {
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

static const char SQL_CLERK_AUTH[] = "SELECT role, disabled, pw_hash FROM clerks WHERE login = ?";
/* a valid hash of no real password, so unknown logins cost the same time */
static const char PW_DUMMY[] =
    "scrypt$16384$8$1$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

int
store_clerk_verify_password(store *st, const char *login, const char *password, char *role, size_t rolelen)
{
    sqlite3_stmt *s = st_prep(st, SQL_CLERK_AUTH);
    char stored[256] = "", r[16] = "";
    int rc, disabled = 0, match;

    if (role != NULL && rolelen > 0)
        role[0] = '\0';
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        st_text(s, 0, r, sizeof r);
        disabled = sqlite3_column_int(s, 1);
        st_text(s, 2, stored, sizeof stored);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return st_fail(st, rc, "clerk: verify");
    match = pw_hash_match(password != NULL ? password : "", rc == SQLITE_ROW ? stored : PW_DUMMY);
    if (rc == SQLITE_DONE) {
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

/* ---- daily settlement ------------------------------------------------------ */

static const char SQL_REPORT[] =
    "SELECT window, clerk, txn,"
    " SUM(state = 1),"
    " SUM(CASE WHEN state = 1 AND pay_method = 'cash' THEN amount ELSE 0 END),"
    " SUM(CASE WHEN state = 1 AND pay_method = 'pos' THEN amount ELSE 0 END),"
    " SUM(CASE WHEN state = 1 AND pay_method = 'qr' THEN amount ELSE 0 END),"
    " SUM(state = 1 AND amount = 0 AND txn IN ('lost','damaged')),"
    " SUM(state = 0),"
    " SUM(state = 2),"
    " SUM(state = 2 AND paid_at <> 0),"
    " SUM(CASE WHEN state = 2 AND paid_at <> 0 THEN amount ELSE 0 END)"
    " FROM orders WHERE day = ? GROUP BY window, clerk, txn ORDER BY window, clerk, txn";

static bool
report_date_ok(const char *d)
{
    int y, m, dd, i;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (d == NULL || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
            return false;
    y = atoi(d);
    m = atoi(d + 5);
    dd = atoi(d + 8);
    if (y < 1970 || m < 1 || m > 12 || dd < 1 || dd > mdays[m - 1])
        return false;
    if (m == 2 && dd == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

int
store_report_daily(store *st, const char *date, struct store_report_row **rows, size_t *n,
                   struct store_report_row *total)
{
    sqlite3_stmt *s;
    struct store_report_row *v = NULL;
    size_t cap = 0;
    int rc;

    *rows = NULL;
    *n = 0;
    memset(total, 0, sizeof *total);
    if (!report_date_ok(date)) {
        st_detail(st, "date: \"%s\" is not a valid YYYY-MM-DD", date ? date : "");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_REPORT)) == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, date, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_report_row *r;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct store_report_row *nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                sqlite3_reset(s);
                free(v);
                *n = 0;
                st_detail(st, "report: out of memory");
                return STORE_ERR_IO;
            }
            v = nv;
            cap = ncap;
        }
        r = &v[(*n)++];
        memset(r, 0, sizeof *r);
        st_text(s, 0, r->window, sizeof r->window);
        st_text(s, 1, r->clerk, sizeof r->clerk);
        st_text(s, 2, r->txn, sizeof r->txn);
        r->done = (long)sqlite3_column_int64(s, 3);
        r->cash = (long)sqlite3_column_int64(s, 4);
        r->pos = (long)sqlite3_column_int64(s, 5);
        r->qr = (long)sqlite3_column_int64(s, 6);
        r->free_count = (long)sqlite3_column_int64(s, 7);
        r->open = (long)sqlite3_column_int64(s, 8);
        r->cancelled = (long)sqlite3_column_int64(s, 9);
        r->refunds = (long)sqlite3_column_int64(s, 10);
        r->refund_amount = (long)sqlite3_column_int64(s, 11);
        total->done += r->done;
        total->cash += r->cash;
        total->pos += r->pos;
        total->qr += r->qr;
        total->free_count += r->free_count;
        total->open += r->open;
        total->cancelled += r->cancelled;
        total->refunds += r->refunds;
        total->refund_amount += r->refund_amount;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(v);
        *n = 0;
        return st_fail(st, rc, "report: daily");
    }
    *rows = v;
    return STORE_OK;
}

/* ---- units of work, companies, operators, payments, keys ------------------- */

int
store_begin(store *st)
{
    return st_begin(st);
}

int
store_commit(store *st)
{
    return st_commit(st);
}

void
store_rollback(store *st)
{
    st_rollback(st);
}

/* Fetch one row with SQL bound to the text KEY into ROW via FILL. */
static int
st_fetch_one(store *st, const char *sql, const char *key, const char *what,
             void (*fill)(sqlite3_stmt *, void *), void *row)
{
    sqlite3_stmt *s = st_prep(st, sql);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        fill(s, row);
        sqlite3_reset(s);
        return STORE_OK;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) {
        st_detail(st, "%s %s: not found", what, key);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, what);
}

static const char SQL_COMPANY_PUT[] =
    "INSERT INTO companies (uscc, name, legal_rep, phone, office_phone, website, address, created, updated)"
    " VALUES (?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT(uscc) DO UPDATE SET name = excluded.name, legal_rep = excluded.legal_rep,"
    " phone = excluded.phone, office_phone = excluded.office_phone, website = excluded.website,"
    " address = excluded.address, updated = excluded.updated";
static const char SQL_COMPANY_GET[] =
    "SELECT uscc, name, legal_rep, phone, office_phone, website, address, created, updated"
    " FROM companies WHERE uscc = ?";

int
store_company_put(store *st, const struct store_company *c)
{
    sqlite3_stmt *s;
    time_t now = st_now(st);

    if (c->uscc[0] == '\0' || c->name[0] == '\0') {
        st_detail(st, "company: %s is empty", c->uscc[0] == '\0' ? "uscc" : "name");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_COMPANY_PUT)) == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, c->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, c->legal_rep, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, c->phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, c->office_phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, c->website, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, c->address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, now);
    sqlite3_bind_int64(s, 9, now);
    return st_step_done(st, s, "company: put");
}

static void
company_row(sqlite3_stmt *s, void *row)
{
    struct store_company *c = row;

    memset(c, 0, sizeof *c);
    st_text(s, 0, c->uscc, sizeof c->uscc);
    st_text(s, 1, c->name, sizeof c->name);
    st_text(s, 2, c->legal_rep, sizeof c->legal_rep);
    st_text(s, 3, c->phone, sizeof c->phone);
    st_text(s, 4, c->office_phone, sizeof c->office_phone);
    st_text(s, 5, c->website, sizeof c->website);
    st_text(s, 6, c->address, sizeof c->address);
    c->created = (time_t)sqlite3_column_int64(s, 7);
    c->updated = (time_t)sqlite3_column_int64(s, 8);
}

int
store_company_get(store *st, const char *uscc, struct store_company *out)
{
    return st_fetch_one(st, SQL_COMPANY_GET, uscc, "company", company_row, out);
}

static const char SQL_OPERATOR_PUT[] =
    "INSERT INTO operators (id_number, name, mobile, email, wechat, uscc, created, updated)"
    " VALUES (?,?,?,?,?,?,?,?)"
    " ON CONFLICT(id_number) DO UPDATE SET name = excluded.name, mobile = excluded.mobile,"
    " email = excluded.email, wechat = excluded.wechat, uscc = excluded.uscc, updated = excluded.updated";
static const char SQL_OPERATOR_GET[] =
    "SELECT id_number, name, mobile, email, wechat, uscc, created, updated FROM operators WHERE id_number = ?";

int
store_operator_put(store *st, const struct store_operator *p)
{
    sqlite3_stmt *s;
    time_t now = st_now(st);

    if (p->id_number[0] == '\0' || p->name[0] == '\0') {
        st_detail(st, "operator: %s is empty", p->id_number[0] == '\0' ? "id_number" : "name");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_OPERATOR_PUT)) == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, p->id_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, p->mobile, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, p->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, p->wechat, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, p->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, now);
    sqlite3_bind_int64(s, 8, now);
    return st_step_done(st, s, "operator: put");
}

static void
operator_row(sqlite3_stmt *s, void *row)
{
    struct store_operator *p = row;

    memset(p, 0, sizeof *p);
    st_text(s, 0, p->id_number, sizeof p->id_number);
    st_text(s, 1, p->name, sizeof p->name);
    st_text(s, 2, p->mobile, sizeof p->mobile);
    st_text(s, 3, p->email, sizeof p->email);
    st_text(s, 4, p->wechat, sizeof p->wechat);
    st_text(s, 5, p->uscc, sizeof p->uscc);
    p->created = (time_t)sqlite3_column_int64(s, 6);
    p->updated = (time_t)sqlite3_column_int64(s, 7);
}

int
store_operator_get(store *st, const char *id_number, struct store_operator *out)
{
    char masked[40];
    int rc = st_fetch_one(st, SQL_OPERATOR_GET, id_number, "operator", operator_row, out);

    if (rc == STORE_ERR_NOT_FOUND) /* the detail never holds the full ID number */
        st_detail(st, "operator %s: not found", store_mask_id(id_number, masked, sizeof masked));
    return rc;
}

static const char SQL_PAYMENT_ADD[] =
    "INSERT INTO payments (order_id, method, amount, at, clerk) VALUES (?,?,?,?,?)";
static const char SQL_PAYMENT_LIST[] =
    "SELECT id, order_id, method, amount, at, clerk FROM payments WHERE order_id = ? ORDER BY id";

int
store_payment_add(store *st, struct store_payment *p)
{
    sqlite3_stmt *s;
    int rc;

    if (p->order_id == 0 || p->method[0] == '\0') {
        st_detail(st, "payment: %s is empty", p->order_id == 0 ? "order_id" : "method");
        return STORE_ERR_IO;
    }
    if (p->at == 0)
        p->at = st_now(st);
    if ((s = st_prep(st, SQL_PAYMENT_ADD)) == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, p->order_id);
    sqlite3_bind_text(s, 2, p->method, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, p->amount);
    sqlite3_bind_int64(s, 4, p->at);
    sqlite3_bind_text(s, 5, p->clerk, -1, SQLITE_STATIC);
    if ((rc = st_step_done(st, s, "payment: add")) != STORE_OK)
        return rc;
    p->id = sqlite3_last_insert_rowid(st->db);
    return STORE_OK;
}

int
store_payment_list_for_order(store *st, int64_t order_id, struct store_payment *out, size_t max, size_t *n)
{
    sqlite3_stmt *s = st_prep(st, SQL_PAYMENT_LIST);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, order_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
        struct store_payment *p = &out[(*n)++];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(s, 0);
        p->order_id = sqlite3_column_int64(s, 1);
        st_text(s, 2, p->method, sizeof p->method);
        p->amount = (long)sqlite3_column_int64(s, 3);
        p->at = (time_t)sqlite3_column_int64(s, 4);
        st_text(s, 5, p->clerk, sizeof p->clerk);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return st_fail(st, rc, "payment: list");
    return STORE_OK;
}

static const char SQL_KEY_PUT_FULL[] =
    "INSERT INTO keys (serial, first_issue, created, uscc, cert_serial, algo, updated) VALUES (?,?,?,?,?,?,?)"
    " ON CONFLICT(serial) DO UPDATE SET first_issue ="
    "  CASE WHEN keys.first_issue = 0 OR (excluded.first_issue <> 0 AND excluded.first_issue < keys.first_issue)"
    "  THEN excluded.first_issue ELSE keys.first_issue END,"
    " uscc = excluded.uscc, cert_serial = excluded.cert_serial, algo = excluded.algo, updated = excluded.updated";
static const char SQL_KEY_GET[] =
    "SELECT serial, uscc, cert_serial, algo, first_issue, created, updated FROM keys WHERE serial = ?";

int
store_key_put(store *st, const struct store_key *k)
{
    sqlite3_stmt *s;
    time_t now = st_now(st);

    if (k->serial[0] == '\0') {
        st_detail(st, "key: serial is empty");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_KEY_PUT_FULL)) == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_text(s, 1, k->serial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, k->first_issue);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_text(s, 4, k->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, k->cert_serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, k->algo, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, now);
    return st_step_done(st, s, "key: put");
}

static void
key_row(sqlite3_stmt *s, void *row)
{
    struct store_key *k = row;

    memset(k, 0, sizeof *k);
    st_text(s, 0, k->serial, sizeof k->serial);
    st_text(s, 1, k->uscc, sizeof k->uscc);
    st_text(s, 2, k->cert_serial, sizeof k->cert_serial);
    st_text(s, 3, k->algo, sizeof k->algo);
    k->first_issue = (time_t)sqlite3_column_int64(s, 4);
    k->created = (time_t)sqlite3_column_int64(s, 5);
    k->updated = (time_t)sqlite3_column_int64(s, 6);
}

int
store_key_get(store *st, const char *serial, struct store_key *out)
{
    return st_fetch_one(st, SQL_KEY_GET, serial, "key", key_row, out);
}

/* ---- audit anchors and per-actor queries ------------------------------------ */
/*
 * Rarely run (a printed settlement, `kiosk audit head|verify --anchor`, a
 * clerk sign-in): prepared per call, so they take no slot of the statement
 * cache.
 */

time_t
store_now(const store *st)
{
    return st_now(st);
}

/* Prepare SQL uncached; NULL with the detail set on failure. */
static sqlite3_stmt *
st_prep_once(store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;

    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        st_detail(st, "prepare: %s: %s", sqlite3_errmsg(st->db), sql);
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

int
store_audit_head(store *st, int64_t *id, char hash[65])
{
    sqlite3_stmt *s = st_prep_once(st, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
    int rc;

    *id = 0;
    hash[0] = '\0';
    if (s == NULL)
        return STORE_ERR_IO;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        st_text(s, 1, hash, 65);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return st_fail(st, rc, "audit: head");
    return STORE_OK;
}

int
store_audit_hash(store *st, int64_t id, char hash[65])
{
    sqlite3_stmt *s = st_prep_once(st, "SELECT hash FROM audit WHERE id = ?");
    int rc;

    hash[0] = '\0';
    if (s == NULL)
        return STORE_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        st_text(s, 0, hash, 65);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE) {
        st_detail(st, "audit row %lld: no such row", (long long)id);
        return STORE_ERR_NOT_FOUND;
    }
    if (rc != SQLITE_ROW)
        return st_fail(st, rc, "audit: hash of a row");
    return STORE_OK;
}

/* Is ACTION one of ACTIONS (NULL-terminated; NULL = any)? */
static bool
audit_action_in(const unsigned char *action, const char *const *actions)
{
    if (actions == NULL)
        return true;
    for (; action != NULL && *actions != NULL; actions++)
        if (strcmp((const char *)action, *actions) == 0)
            return true;
    return false;
}

int
store_audit_by_actor(store *st, const char *actor, const char *const *actions, time_t since,
                     struct store_audit_row *out, size_t max, size_t *n)
{
    sqlite3_stmt *s = st_prep_once(st, "SELECT id, at, actor, action, detail FROM audit ORDER BY id DESC");
    int rc = SQLITE_DONE;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *a = sqlite3_column_text(s, 2);
        struct store_audit_row *r;

        if ((time_t)sqlite3_column_int64(s, 1) < since)
            break;
        if (a == NULL || strcmp((const char *)a, actor) != 0 || !audit_action_in(sqlite3_column_text(s, 3), actions))
            continue;
        r = &out[(*n)++];
        r->id = sqlite3_column_int64(s, 0);
        r->at = (time_t)sqlite3_column_int64(s, 1);
        st_text(s, 2, r->actor, sizeof r->actor);
        st_text(s, 3, r->action, sizeof r->action);
        st_text(s, 4, r->detail, sizeof r->detail);
    }
    if (rc == SQLITE_ROW)
        rc = SQLITE_DONE;       /* stopped early: enough rows, or older than SINCE */
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return st_fail(st, rc, "audit: rows of an actor");
    return STORE_OK;
}

/*
 * data/sqlite/db.c - the SQLite records (data/store.h): the connection: schema migrations, open and close, the statement cache, units of work and the helpers every record file uses.
 * See data/sqlite/sqlite_int.h for what the files share and why it is built this way.
 */
#include "data/sqlite/sqlite_int.h"
#include "data/pg/pg_int.h"

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

/* ---- schema -------------------------------------------------------------- */

/* Each step moves user_version from its index to index + 1. Append only. */
const char *const store_migrations[] = {
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

    /* 3: order numbers from a counter row per window and day (UPSERT ...
     * RETURNING: the row is the lock, not the whole database, so a shared
     * backend numbers the same way), seeded from the orders already there;
     * print jobs carry the station (counter machine) that owns them */
    "CREATE TABLE counters ("
    "  name TEXT PRIMARY KEY,"              /* order:<prefix>:<YYYY-MM-DD> */
    "  n INTEGER NOT NULL);"
    "INSERT INTO counters (name, n) SELECT 'order:' || prefix || ':' || day, MAX(seq) FROM orders"
    "  GROUP BY prefix, day;"
    "ALTER TABLE jobs ADD COLUMN station TEXT NOT NULL DEFAULT '';"
    /* the audit chain's head as a row of its own: appending takes that row
     * (a row lock on a shared backend), not the whole database */
    "CREATE TABLE audit_head ("
    "  one INTEGER PRIMARY KEY CHECK (one = 1),"
    "  id INTEGER NOT NULL,"
    "  hash TEXT NOT NULL);"
    "INSERT INTO audit_head (one, id, hash) VALUES (1,"
    "  COALESCE((SELECT id FROM audit ORDER BY id DESC LIMIT 1), 0),"
    "  COALESCE((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '" AUDIT_GENESIS "'));",

    /* 4: one sender per print job across processes and counters: a claim
     * (owner, lease end) taken atomically before a job is sent */
    "ALTER TABLE jobs ADD COLUMN claim_owner TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE jobs ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0;",

    /* 5: revocation: when and why (RFC 5280 CRLReason, -1 none), and each
     * certificate's SHA-256 fingerprint; the CRL lists the revoked ones */
    "ALTER TABLE certs ADD COLUMN revoked_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE certs ADD COLUMN reason INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE certs ADD COLUMN fpr TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX certs_revoked ON certs(revoked_at) WHERE state = 1;",

    /* 6: a validity check may find a revoked certificate (result 8): the
     * table is rebuilt, SQLite cannot widen a CHECK in place; the revoked
     * certificates' index covers what the CRL reads */
    "CREATE TABLE checks_6 ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  mode TEXT NOT NULL,"
    "  key_serial TEXT NOT NULL DEFAULT '',"
    "  cert_serial TEXT NOT NULL DEFAULT '',"
    "  holder TEXT NOT NULL DEFAULT '',"
    "  uscc TEXT NOT NULL DEFAULT '',"
    "  not_after INTEGER NOT NULL DEFAULT 0,"
    "  days_left INTEGER NOT NULL DEFAULT 0,"
    "  result INTEGER NOT NULL CHECK (result BETWEEN 0 AND 8));"
    "INSERT INTO checks_6 SELECT id, at, mode, key_serial, cert_serial, holder, uscc, not_after, days_left, result"
    "  FROM checks;"
    "DROP TABLE checks;"
    "ALTER TABLE checks_6 RENAME TO checks;"
    /* the CRL reads every revoked certificate: from the index alone */
    "ALTER TABLE certs ADD COLUMN der BLOB;"   /* the certificate itself: the CA keeps it for years */
    "DROP INDEX certs_revoked;"
    "CREATE INDEX certs_revoked ON certs(revoked_at, serial, reason) WHERE state = 1;",

    /* 7: a key's life (kiosk/keylife.h: 0 blank, 1 issued, 2 locked, 3 held,
     * 4 lost, 5 returned, 6 retired) and its wrong-PIN counter; every key
     * recorded so far was issued onto, those whose certificate is on hold
     * are held */
    "ALTER TABLE keys ADD COLUMN state INTEGER NOT NULL DEFAULT 1 CHECK (state BETWEEN 0 AND 6);"
    "ALTER TABLE keys ADD COLUMN pin_fails INTEGER NOT NULL DEFAULT 0 CHECK (pin_fails >= 0);"
    "UPDATE keys SET state = 3 WHERE serial IN"
    "  (SELECT key_serial FROM certs WHERE state = 1 AND reason = 6 AND key_serial IS NOT NULL);",

    /* 8: electronic seals bound to certificates at window 68 (state 0
     * bound, 1 superseded by a re-binding); one bound seal of a kind per
     * certificate */
    "CREATE TABLE seals ("
    "  id INTEGER PRIMARY KEY,"
    "  seal_id TEXT NOT NULL UNIQUE,"
    "  uscc TEXT NOT NULL,"
    "  company TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('unit', 'legal')),"
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  cert_serial TEXT NOT NULL REFERENCES certs(serial),"
    "  cert_fpr TEXT NOT NULL DEFAULT '',"
    "  key_serial TEXT NOT NULL,"
    "  image_sha256 TEXT NOT NULL DEFAULT '',"
    "  image_desc TEXT NOT NULL DEFAULT '',"
    "  clerk TEXT NOT NULL,"
    "  bound_at INTEGER NOT NULL,"
    "  order_id INTEGER NOT NULL DEFAULT 0,"
    "  state INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 1),"
    "  superseded_by TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX seals_uscc ON seals(uscc, bound_at);"
    "CREATE UNIQUE INDEX seals_bound ON seals(cert_serial, kind) WHERE state = 0;",

    /* 9: the procurement center's record of an information change (window
     * 68, seed 000 信息变更 step 2), which window 66's change then reads */
    "CREATE TABLE change_records ("
    "  id INTEGER PRIMARY KEY,"
    "  uscc TEXT NOT NULL,"
    "  company TEXT NOT NULL,"
    "  new_company TEXT NOT NULL,"
    "  new_uscc TEXT NOT NULL,"
    "  new_legal_rep TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  clerk TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  order_id INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX change_records_uscc ON change_records(uscc, at);",

    /* 10: the sign-in lockout's own record (issue 13): the newest failed
     * sign-ins of each login name, not a reading of the audit trail */
    "CREATE TABLE login_guard ("
    "  login TEXT PRIMARY KEY,"
    "  fails TEXT NOT NULL DEFAULT '',"     /* unix times, newest first, comma-separated */
    "  updated INTEGER NOT NULL);",

    /* 11: the keyed audit chain (issue 13): the key a row's hash is an HMAC
     * with ('' = plain SHA-256, the rows written before) */
    "ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT '';",

    /* 12: what the application form of a servicing order prints from the
     * company's record (issue 14): the legal representative's ID and the
     * certificate's application project */
    "ALTER TABLE companies ADD COLUMN legal_rep_id TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE companies ADD COLUMN app_region TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE companies ADD COLUMN app_category TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE companies ADD COLUMN app_project TEXT NOT NULL DEFAULT '';",

    /* 13: money paid back for a cancelled order (issue 14): once per order,
     * counted on the day it is paid out */
    "CREATE TABLE refunds ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL UNIQUE REFERENCES orders(id),"
    "  method TEXT NOT NULL CHECK (method IN ('cash','pos','qr')),"
    "  amount INTEGER NOT NULL CHECK (amount > 0),"
    "  at INTEGER NOT NULL,"
    "  day TEXT NOT NULL,"
    "  clerk TEXT NOT NULL);"
    "CREATE INDEX refunds_day ON refunds(day);",

    /* 14: one unfinished order per enterprise at the CA (issue 15): the
     * engine asks before the CA signs, this index settles two counters that
     * asked at the same moment. Window 68's orders (another organisation's,
     * a seal bound to a certificate) are not the CA's and stay outside. A
     * hall whose records already hold two such orders for one company is
     * refused here, untouched: finish or cancel one of them with the
     * version before this one, then start. */
    "CREATE UNIQUE INDEX orders_one_open_company ON orders(uscc)"
    "  WHERE state = 0 AND uscc <> '' AND \"window\" <> 'window68';",
};
const int store_nmigrations = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));

/* ---- helpers ------------------------------------------------------------- */

time_t
st_now(const store *st)
{
    return st->fixed_now != 0 ? st->fixed_now : time(NULL);
}

void
st_detail(store *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(st->detail, sizeof st->detail, fmt, ap);
    va_end(ap);
}

int
st_exec(store *st, const char *sql)
{
    char *e = NULL;
    int rc;

    if (st->pg != NULL)
        return pg_exec(st, sql);
    rc = sqlite3_exec(st->db, sql, NULL, NULL, &e);

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

/* Undo the unit that failed: ROLLBACK, unless there is nothing open on the
 * server or the server is lost (it rolls back by itself; sending would only
 * wait to reconnect and put its own failure in place of the first). */
static void
st_undo(store *st)
{
    if (st->pg != NULL && (PQstatus(st->pg) != CONNECTION_OK || PQtransactionStatus(st->pg) == PQTRANS_IDLE))
        return;
    (void)st_exec(st, "ROLLBACK");
}

/*
 * Write transactions nest: the outermost is BEGIN IMMEDIATE (a busy database
 * is met there), inner ones are SAVEPOINTs, so a function that writes
 * several rows can also run inside a caller's unit (store_begin) and roll
 * back only its own part.
 */
int
st_begin(store *st)
{
    int rc = st_exec(st, st->depth > 0 ? "SAVEPOINT st_nest" : st->pg != NULL ? PG_BEGIN : "BEGIN IMMEDIATE");
    if (rc == STORE_OK)
        st->depth++;
    else if (st->depth == 0 && st->pg != NULL)
        st_undo(st);                    /* the writer lock not had in time: nothing begun */
    return rc;
}

int
st_commit(store *st)
{
    int rc;

    if (st->depth > 1) {
        if ((rc = st_exec(st, "RELEASE st_nest")) != STORE_OK)
            (void)st_exec(st, "ROLLBACK TO st_nest; RELEASE st_nest");
        st->depth--;
        return rc;
    }
    rc = st_exec(st, "COMMIT");
    if (rc != STORE_OK)
        st_undo(st);
    st->depth = 0;
    if (rc == STORE_OK && st->head_dirty)
        audit_head_write(st);           /* only what was committed */
    st->head_dirty = false;
    return rc;
}

void
st_rollback(store *st)
{
    if (st->depth > 1) {
        (void)st_exec(st, "ROLLBACK TO st_nest; RELEASE st_nest");
        st->depth--;
        return;
    }
    if (st->pg != NULL || !sqlite3_get_autocommit(st->db))
        st_undo(st);
    st->depth = 0;
    st->head_dirty = false;
}

/* ---- open, close, migrations --------------------------------------------- */

int
st_user_version(store *st, int *v)
{
    sqlite3_stmt *s = NULL;
    int rc;

    if (st->pg != NULL)
        return pg_schema_version(st, v);
    rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);

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

int
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
store_open(store **out, const struct store_opts *opts, char *err, size_t errlen)
{
    const char *path = opts->path;
    store *st;
    bool created;
    int rc;

    *out = NULL;
    st = calloc(1, sizeof *st);
    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return STORE_ERR_IO;
    }
    if (opts->backend == STORE_POSTGRESQL) {
        /* the hall's server: connected, its schema brought to ours */
        snprintf(st->station, sizeof st->station, "%s", opts->station != NULL ? opts->station : "");
        if ((rc = pg_store_open(st, opts, err, errlen)) != STORE_OK) {
            store_close(st);
            return rc;
        }
        *out = st;
        return STORE_OK;
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
    if (strcmp(path, ":memory:") != 0)
        snprintf(st->head_path, sizeof st->head_path, "%s-head", path);
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
    sqlite3_busy_timeout(st->db, opts->busy_ms);
    snprintf(st->station, sizeof st->station, "%s", opts->station != NULL ? opts->station : "");

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
    if (st == NULL)
        return;
    st_stmts_free(st);
    if (st->db != NULL)
        sqlite3_close(st->db);
    if (st->pg != NULL)
        PQfinish(st->pg);
    OPENSSL_cleanse(st->audit_key, sizeof st->audit_key);
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

bool
store_connected(const store *st)
{
    return st != NULL && (st->pg == NULL || PQstatus(st->pg) == CONNECTION_OK);
}

int
store_ping(store *st)
{
    if (st->pg == NULL || st->depth > 0)
        return STORE_OK;
    return pg_exec(st, "SELECT 1");
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

/* ---- counters (order numbers, CRL numbers) ---------------------------------- */

static const char SQL_COUNTER_NEXT[] =
    "INSERT INTO counters (name, n) VALUES (?1, 1) ON CONFLICT (name) DO UPDATE SET n = counters.n + 1 RETURNING n";

int
store_counter_next(store *st, const char *name, int64_t *out)
{
    stmt *s = st_prep(st, SQL_COUNTER_NEXT);
    int rc;

    *out = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, name);
    rc = q_step(s);
    if (rc == Q_ROW)
        *out = q_col_int64(s, 0);
    q_reset(s);
    if (rc != Q_ROW)
        return st_fail(st, rc, "counter: next");
    return STORE_OK;
}

/* store_probe for the embedded file: opened read-only, nothing created or migrated. */
static int
st_sqlite_probe(const struct store_opts *opts, struct store_probe *out, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int rc;

    snprintf(out->server, sizeof out->server, "SQLite %s", sqlite3_libversion());
    snprintf(out->where, sizeof out->where, "%s", opts->path);
    out->program_schema = STORE_NMIGRATIONS;
    if (access(opts->path, F_OK) != 0) {
        snprintf(err, errlen, "%s: %s", opts->path, strerror(errno));
        return STORE_OK;
    }
    rc = sqlite3_open_v2(opts->path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        out->reachable = true;
        out->schema = sqlite3_column_int(s, 0);
    } else {
        snprintf(err, errlen, "%s: %s", opts->path, db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return STORE_OK;
}

/* store_probe (data/store.h): the file here, a server by data/pg/. When the
 * PostgreSQL backend keeps records too, this choice moves to the one place
 * that picks a backend for store_open. */
int
store_probe(const struct store_opts *opts, struct store_probe *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errlen > 0)
        err[0] = '\0';
    if (opts->backend == STORE_POSTGRESQL)
        return pg_probe(opts, out, err, errlen);
    return st_sqlite_probe(opts, out, err, errlen);
}

int
store_prepare(const struct store_opts *opts, int *from, int *to, char *err, size_t errlen)
{
    struct store_probe p;
    store *st;
    int rc;

    *from = *to = 0;
    if (errlen > 0)
        err[0] = '\0';
    if (opts->backend == STORE_POSTGRESQL)
        return pg_prepare(opts, from, to, err, errlen);
    if (st_sqlite_probe(opts, &p, err, errlen) == STORE_OK && p.reachable)
        *from = p.schema;
    if ((rc = store_open(&st, opts, err, errlen)) != STORE_OK)
        return rc;
    *to = store_schema_version(st);
    store_close(st);
    return STORE_OK;
}

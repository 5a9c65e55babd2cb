/*
 * data/sqlite/sqlite_int.h - what the SQLite backend's files share: the
 * connection (struct store), the statement cache, the helpers. The records
 * (data/store.h) kept in one SQLite file, one source file per record type.
 *
 * Why it is built this way:
 *  - The schema is a const array of migration steps; PRAGMA user_version is
 *    the number of steps applied. A file with a higher version than we know
 *    was written by a newer program: refused (STORE_ERR_SCHEMA), never
 *    touched.
 *  - WAL with synchronous=FULL: a committed audit row or payment survives a
 *    power cut (bench/audit_append.c measures what that costs).
 *  - Every write that touches several rows runs in BEGIN IMMEDIATE, so a
 *    busy database is met at the start (STORE_ERR_RETRY after the caller's
 *    busy timeout) and never leaves half a change behind.
 *  - Rules of the records live in the schema too: one ACTIVE certificate per
 *    USCC and one OPEN order per operator ID are partial unique indexes.
 *  - The audit table is a hash chain (SHA-256 over the previous hash and the
 *    row's canonical content). Triggers refuse UPDATE/DELETE, but anyone
 *    with the sqlite3 shell can drop them: store_audit_check is what counts.
 *  - Prepared statements are cached per connection, keyed by the address of
 *    their (static) SQL text.
 */
#ifndef DATA_SQLITE_INT_H
#define DATA_SQLITE_INT_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "data/stmt.h"
#include "data/store.h"
#include "kiosk/rules.h"

extern const char *const store_migrations[];
extern const int store_nmigrations;
#define STORE_NMIGRATIONS store_nmigrations
#define STORE_NSTMTS 96   /* more than the backend's distinct statements (a full cache fails loudly) */
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"


struct store_stmt {
    const char *sql;            /* cache key: address of the static SQL text */
    stmt *stmt;
};

struct store {
    sqlite3 *db;                /* the embedded file (STORE_SQLITE), else NULL */
    PGconn *pg;                 /* the hall's server (STORE_POSTGRESQL), else NULL */
    unsigned pg_epoch;          /* connections made: a statement prepared in an older one is prepared again */
    int changes;                /* PostgreSQL: rows the last statement changed */
    int pg_silence_ms;          /* PostgreSQL: the longest silence of a server taken for alive (pg_await) */
    bool pg_silent;             /* ...and the connection was shut for it */
    time_t pg_retry_at;         /* a reconnection that failed: not tried again before this */
    char detail[512];           /* last failure, technical */
    time_t fixed_now;           /* 0 = real clock */
    int depth;                  /* open write transactions: 1 = BEGIN, more = SAVEPOINTs */
    char station[64];           /* store_opts.station: owner of the jobs it adds */
    char audit_key_id[16];      /* store_set_audit_key: "" = rows unkeyed (plain SHA-256) */
    char head_path[600];        /* the chain's newest id and hash kept outside the records ("" none) */
    bool head_dirty;            /* an audit row appended in the open unit: write the head at commit */
    unsigned char audit_key[32];
    struct store_stmt stmts[STORE_NSTMTS];
};


/* Helpers shared by the record files of data/sqlite/. */
time_t st_now(const store *st);
void st_detail(store *st, const char *fmt, ...);
int st_fail(store *st, int rc, const char *what);
void st_text(stmt *s, int i, char *out, size_t n);
int st_exec(store *st, const char *sql);
int st_begin(store *st);
int st_commit(store *st);
void st_rollback(store *st);
int st_step_done(store *st, stmt *s, const char *what);
int st_step_id(store *st, stmt *s, const char *what, int64_t *id);
int q_nparams(stmt *s);
void st_stmts_free(store *st);
int pg_fail(store *st, PGresult *r, const char *what);
char *pg_translate(const char *sql, int *nparams);
void pg_reconnect(store *st);
/* The answer to what was just sent (SENT: PQsend* said yes), waited for
 * while the server says something at least every st->pg_silence_ms; NULL
 * when the connection is lost (pg_fail says so). */
PGresult *pg_await(store *st, bool sent);
int st_user_version(store *st, int *v);
int st_migrate(store *st);
int audit_hash(const char *prev, int64_t id, int64_t at, const char *actor, const char *action, const char *detail,
               const char *key_id, const unsigned char *key, char out[65]);
int audit_append_locked(store *st, const char *actor, const char *action, const char *detail);
void audit_head_write(store *st);
stmt * st_prep_once(store *st, const char *sql);
bool audit_action_in(const unsigned char *action, const char *const *actions);
int cert_fetch(store *st, const char *sql, const char *arg, struct store_cert *out);
int order_audit_locked(store *st, const struct store_order *o, const char *action, const char *extra);
void order_row(stmt *s, struct store_order *o);
int order_fetch(store *st, const char *sql, const char *tkey, int64_t ikey, struct store_order *out);
int order_why_unchanged(store *st, int64_t id);
int order_close(store *st, int64_t id, enum store_order_state to, const char *why, const char *actor);
int order_audit_as(store *st, const struct store_order *o, const char *action, const char *extra, const char *actor);
void job_row(stmt *s, struct store_job *j);
int job_list(store *st, const char *sql, bool with_now, time_t now, struct store_job *out, size_t max, size_t *n);
void clerk_row(stmt *s, struct store_clerk *c);
int clerk_change(store *st, const char *sql, const char *text, const char *login, const char *action);
bool report_date_ok(const char *d);
void company_row(stmt *s, void *row);
void operator_row(stmt *s, void *row);
void key_row(stmt *s, void *row);

#endif

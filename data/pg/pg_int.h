/*
 * data/pg/pg_int.h - the PostgreSQL side of the records (data/store.h): what
 * its files share: the probe (`kiosk db check`), the schema and its
 * migrations, the connection a counter keeps its records through.
 */
#ifndef DATA_PG_INT_H
#define DATA_PG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "data/store.h"

extern const int pg_nmigrations;

/* SQL on C: true when the server did it; OUT (N bytes, may be NULL) gets the
 * one value of a one-row answer ("" else), ERR the server's word on a failure. */
bool pg_do(PGconn *c, const char *sql, char *out, size_t n, char *err, size_t errlen);    /* the schema version this program migrates the server to */

/* Connect to the server OPTS name (5 s at most unless the conninfo says
 * otherwise; the password from opts->password_file when given): a
 * connection to PQfinish (check PQstatus), or NULL with ERR set when the
 * password file is refused (STORE_ERR_OPEN in *RC) or memory is out. */
PGconn *pg_connect(const struct store_opts *opts, int *rc, char *err, size_t errlen);

/* Bring the server's schema to pg_nmigrations under the migration lock:
 * STORE_OK (*FROM the version found, *TO the one left), STORE_ERR_SCHEMA
 * (newer than this program: nothing touched), STORE_ERR_OPEN (a step
 * failed: rolled back whole, ERR says why), STORE_ERR_RETRY (the commit
 * failed: try again). */
int pg_migrate(PGconn *c, int *from, int *to, char *err, size_t errlen);

/* The password in FILE (its first line) into BUF: 0, or -1 with ERR saying
 * why (missing, not a regular file, readable or writable by others). */
int pg_read_password(const char *file, char *buf, size_t n, char *err, size_t errlen);

/* store_probe for a server: connect (5 s at most unless the conninfo says
 * otherwise), read its version and the schema version, disconnect. */
int pg_probe(const struct store_opts *opts, struct store_probe *out, char *err, size_t errlen);

/* store_prepare for a server: connect, pg_migrate, disconnect. */
int pg_prepare(const struct store_opts *opts, int *from, int *to, char *err, size_t errlen);

/* ---- the records kept there (data/pg/conn.c; statements: data/stmt.c) ---- */

/* The hall's writer lock, taken by every unit of work (any constant: "hall"). */
#define PG_BEGIN "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(104097108108)"

/* Connect ST to the server OPTS name and bring its schema to this program's. */
int pg_store_open(store *st, const struct store_opts *opts, char *err, size_t errlen);
/* Statements without parameters (several may be given, ';'-separated). */
int pg_exec(store *st, const char *sql);
int pg_schema_version(store *st, int *v);

#endif

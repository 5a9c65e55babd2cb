/*
 * data/pg/conn.c - the records kept on the hall's PostgreSQL server: the
 * connection a counter opens (store_open with backend = postgresql), the
 * plain statements of a unit of work, the schema version.
 *
 * Units of work take the hall's writer lock (a transaction-scoped advisory
 * lock) at BEGIN, as SQLite's BEGIN IMMEDIATE takes the file's: every unit
 * that writes runs alone across the hall, so the rules that read before
 * they write (a key's wrong-PIN counter, the audit chain's head, a refund
 * paid once) hold under any timing and no unit ever fails for
 * a serialisation conflict; readers are never blocked. A unit is a few
 * milliseconds of SQL (the CA's signature and the key's writes happen
 * outside it), so eight counters queue for it by milliseconds (bench/,
 * docs/PERFORMANCE.md: 400 units a second from 8 stations). A lock not had within [db] busy_ms is
 * STORE_ERR_RETRY, as a busy SQLite file is.
 */
#include "data/pg/pg_int.h"
#include "data/sqlite/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
pg_exec(store *st, const char *sql)
{
    int rc = STORE_OK, nparams;
    char *t = pg_translate(sql, &nparams);     /* the dialect's one translation (temp. dropped) */
    PGresult *r;

    if (t == NULL)
        return STORE_ERR_IO;
    pg_reconnect(st);
    r = pg_await(st, PQsendQuery(st->pg, t));
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = pg_fail(st, r, sql);
    PQclear(r);
    free(t);
    return rc;
}

int
pg_schema_version(store *st, int *v)
{
    PGresult *r = pg_await(st, PQsendQuery(st->pg, "SELECT coalesce(max(version), 0) FROM kiosk_schema"));
    int rc = STORE_OK;

    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        *v = atoi(PQgetvalue(r, 0, 0));
    else
        rc = pg_fail(st, r, "schema version");
    PQclear(r);
    return rc;
}

int
pg_store_open(store *st, const struct store_opts *opts, char *err, size_t errlen)
{
    char sql[96];
    int rc, from, to;

    if ((st->pg = pg_connect(opts, &rc, err, errlen)) == NULL)
        return rc;
    if (PQstatus(st->pg) != CONNECTION_OK) {
        snprintf(err, errlen, "%s", PQerrorMessage(st->pg));
        err[strcspn(err, "\n")] = '\0';
        return STORE_ERR_OPEN;
    }
    st->pg_epoch = 1;
    st->pg_silence_ms = (opts->busy_ms > 0 ? opts->busy_ms : 5000) + 5000;
    if (opts->witness != NULL && opts->witness[0] != '\0')
        snprintf(st->head_path, sizeof st->head_path, "%s", opts->witness);
    if ((rc = pg_migrate(st->pg, &from, &to, err, errlen)) != STORE_OK)
        return rc;
    /* a writer waits for the hall's writer lock this long, then STORE_ERR_RETRY */
    snprintf(sql, sizeof sql, "SET lock_timeout = %d", opts->busy_ms > 0 ? opts->busy_ms : 5000);
    if ((rc = pg_exec(st, sql)) != STORE_OK || (rc = pg_exec(st, "SET TIME ZONE 'UTC'")) != STORE_OK) {
        snprintf(err, errlen, "%s", st->detail);
        return STORE_ERR_OPEN;
    }
    return STORE_OK;
}

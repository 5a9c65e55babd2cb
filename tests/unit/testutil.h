/*
 * tests/unit/testutil.h - fixtures shared by the unit tests that run on a
 * real store: a fresh temporary directory (under $TEST_TMP, else $TMPDIR,
 * else /tmp, named after the test program) with kiosk.db opened in it, and
 * its removal with everything in it. When STORE_TEST_PG names a hall's
 * PostgreSQL server (a libpq conninfo; tests/integration/store_pg.sh starts
 * one), the store is opened there instead, on an emptied schema, with its
 * witness of the audit head at kiosk.db-head in the directory - where the
 * SQLite file keeps its DB-head - so that the same cases hold on both.
 * Everything here is static: each test is its own binary and uses what it
 * needs. Include after <cmocka.h>.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "data/store.h"

/* A store in a temporary directory of its own. */
struct tu_db {
    char dir[256];  /* the temporary directory */
    char path[300]; /* dir/kiosk.db */
    char head[310]; /* dir/kiosk.db-head: the SQLite file's DB-head, the server's witness */
    store *st;      /* open on path between tu_db_open and tu_db_close */
};

/* The server the fixtures use instead of a file (STORE_TEST_PG), or NULL. */
static inline const char *
tu_pg(void)
{
    const char *pg = getenv("STORE_TEST_PG");

    return pg != NULL && pg[0] != '\0' ? pg : NULL;
}

/* The options that open D's records (a second connection too) with BUSY_MS. */
static inline struct store_opts
tu_db_opts(const struct tu_db *d, int busy_ms)
{
    struct store_opts o = { .path = d->path, .busy_ms = busy_ms };

    if (tu_pg() != NULL) {
        o.backend = STORE_POSTGRESQL;
        o.conninfo = tu_pg();
        o.witness = d->head;
    }
    return o;
}

/* SQL run on D's records behind the store's back, as an administrator with
 * the sqlite3 shell or psql would; true when it ran. */
static inline bool
tu_db_exec(const struct tu_db *d, const char *sql)
{
    bool ok;

    if (tu_pg() != NULL) {
        PGconn *c = PQconnectdb(tu_pg());
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        PQfinish(c);
    } else {
        sqlite3 *db = NULL;
        ok = sqlite3_open(d->path, &db) == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(db);
    }
    return ok;
}

/*
 * Makes a new directory PROGRAM.XXXXXX under $TEST_TMP (else $TMPDIR, else
 * /tmp) into d->dir and opens d->st on d->dir/kiosk.db (created and
 * migrated) with a 2000 ms busy timeout. Any failure fails the running
 * test (cmocka), naming the path.
 */
static inline void
tu_db_open(struct tu_db *d)
{
    const char *tmp = getenv("TEST_TMP") ? getenv("TEST_TMP") : getenv("TMPDIR");
    char err[512];

    snprintf(d->dir, sizeof d->dir, "%s/%s.XXXXXX", tmp ? tmp : "/tmp", program_invocation_short_name);
    if (mkdtemp(d->dir) == NULL)
        fail_msg("mkdtemp %s failed", d->dir);
    snprintf(d->path, sizeof d->path, "%s/kiosk.db", d->dir);
    snprintf(d->head, sizeof d->head, "%s-head", d->path);
    if (tu_pg() != NULL && !tu_db_exec(d, "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        fail_msg("emptying the records on %s failed", tu_pg());
    if (store_open(&d->st, (struct store_opts[]){ tu_db_opts(d, 2000) }, err, sizeof err) != STORE_OK)
        fail_msg("store_open %s: %s", tu_pg() != NULL ? tu_pg() : d->path, err);
}

/*
 * Closes d->st (NULL is allowed) and removes d->dir with everything in it;
 * a failed removal fails the running test.
 */
static inline void
tu_db_close(struct tu_db *d)
{
    char cmd[600];

    store_close(d->st);
    d->st = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
    assert_int_equal(system(cmd), 0);
}

/* cmocka fixtures whose state is a new struct tu_db * (tu_db_open'ed). */
static inline int
tu_db_setup(void **state)
{
    struct tu_db *d = calloc(1, sizeof *d);

    assert_non_null(d);
    tu_db_open(d);
    *state = d;
    return 0;
}

static inline int
tu_db_teardown(void **state)
{
    tu_db_close(*state);
    free(*state);
    return 0;
}

/* The one store of tu_store_setup (tu_store.path for a second connection). */
static struct tu_db tu_store;

/* cmocka fixtures whose state is the store * of tu_store (tu_db_open'ed). */
static inline int
tu_store_setup(void **state)
{
    tu_db_open(&tu_store);
    *state = tu_store.st;
    return 0;
}

static inline int
tu_store_teardown(void **state)
{
    (void)state;
    tu_db_close(&tu_store);
    return 0;
}

#endif

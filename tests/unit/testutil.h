/*
 * tests/unit/testutil.h - fixtures shared by the unit tests that run on a
 * real SQLite store: a fresh temporary directory (under $TEST_TMP, else
 * $TMPDIR, else /tmp, named after the test program) with kiosk.db opened
 * in it, and its removal with everything in it. Everything here is static:
 * each test is its own binary and uses what it needs. Include after
 * <cmocka.h>.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "data/store.h"

/* A store in a temporary directory of its own. */
struct tu_db {
    char dir[256];  /* the temporary directory */
    char path[300]; /* dir/kiosk.db */
    store *st;      /* open on path between tu_db_open and tu_db_close */
};

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
    if (store_open(&d->st, &(struct store_opts){ .path = d->path, .busy_ms = 2000 }, err, sizeof err) != STORE_OK)
        fail_msg("store_open %s: %s", d->path, err);
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

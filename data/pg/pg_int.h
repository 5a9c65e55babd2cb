/*
 * data/pg/pg_int.h - the PostgreSQL side of the records (data/store.h): what
 * its files share. Today the probe only (`kiosk db check`: reachability,
 * server version, schema version); the records themselves are kept by the
 * SQLite backend until this one passes tests/unit/test_store_contract.c.
 */
#ifndef DATA_PG_INT_H
#define DATA_PG_INT_H

#include <stddef.h>

#include "data/store.h"

/* The password in FILE (its first line) into BUF: 0, or -1 with ERR saying
 * why (missing, not a regular file, readable or writable by others). */
int pg_read_password(const char *file, char *buf, size_t n, char *err, size_t errlen);

/* store_probe for a server: connect (5 s at most unless the conninfo says
 * otherwise), read its version and the schema version, disconnect. */
int pg_probe(const struct store_opts *opts, struct store_probe *out, char *err, size_t errlen);

#endif

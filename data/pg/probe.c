/*
 * data/pg/probe.c - the hall's records server looked at (store_probe):
 * reachable or not and why, its version, the records' schema version. The
 * password comes from a 0600 file ([db] password_file) or libpq's own
 * (PGPASSFILE, ~/.pgpass), never from the conninfo in kiosk.conf.
 */
#include "data/pg/pg_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

int
pg_read_password(const char *file, char *buf, size_t n, char *err, size_t errlen)
{
    struct stat sb;
    FILE *f;

    buf[0] = '\0';
    if (stat(file, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077) != 0) {
        snprintf(err, errlen, "%s: the password file must be a regular file its owner alone may read (mode 0600)",
                 file);
        return -1;
    }
    if ((f = fopen(file, "r")) == NULL) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        return -1;
    }
    if (fgets(buf, (int)n, f) == NULL)
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static void
pg_quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

PGconn *
pg_connect(const struct store_opts *opts, int *rc, char *err, size_t errlen)
{
    const char *keys[4], *vals[4];
    char pw[256] = "";
    PGconn *c;
    int k = 0;

    *rc = STORE_OK;
    if (opts->password_file != NULL && opts->password_file[0] != '\0' &&
        pg_read_password(opts->password_file, pw, sizeof pw, err, errlen) != 0) {
        *rc = STORE_ERR_OPEN;
        return NULL;
    }
    keys[k] = "connect_timeout", vals[k++] = "3";   /* a hall's server answers in milliseconds */
    keys[k] = "dbname", vals[k++] = opts->conninfo != NULL ? opts->conninfo : "";   /* expanded: its own keywords win */
    if (pw[0] != '\0')
        keys[k] = "password", vals[k++] = pw;
    keys[k] = NULL, vals[k] = NULL;
    c = PQconnectdbParams(keys, vals, 1);
    OPENSSL_cleanse(pw, sizeof pw);
    if (c != NULL)
        PQsetNoticeProcessor(c, pg_quiet, NULL);     /* the server's notices are not the counter's business */
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        *rc = STORE_ERR_IO;
    }
    return c;
}

int
pg_probe(const struct store_opts *opts, struct store_probe *out, char *err, size_t errlen)
{
    char v[64];
    PGconn *c;
    int rc;

    snprintf(out->server, sizeof out->server, "PostgreSQL");
    snprintf(out->where, sizeof out->where, "%s", opts->conninfo != NULL ? opts->conninfo : "");
    out->program_schema = pg_nmigrations;
    if ((c = pg_connect(opts, &rc, err, errlen)) == NULL)
        return rc == STORE_ERR_OPEN ? rc : STORE_OK;
    if (PQhost(c) != NULL)
        snprintf(out->where, sizeof out->where, "host=%s port=%s dbname=%s", PQhost(c),
                 PQport(c) ? PQport(c) : "", PQdb(c) ? PQdb(c) : "");
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, errlen, "%s", PQerrorMessage(c));
        err[strcspn(err, "\n")] = '\0';
        PQfinish(c);
        return STORE_OK;
    }
    out->reachable = true;
    snprintf(out->server, sizeof out->server, "PostgreSQL %s",
             PQparameterStatus(c, "server_version") ? PQparameterStatus(c, "server_version") : "?");
    (void)pg_do(c, "SELECT to_regclass('kiosk_schema') IS NOT NULL", v, sizeof v, err, errlen);
    if (strcmp(v, "t") == 0) {
        (void)pg_do(c, "SELECT coalesce(max(version), 0) FROM kiosk_schema", v, sizeof v, err, errlen);
        out->schema = atoi(v);
    }
    PQfinish(c);
    return STORE_OK;
}

int
pg_prepare(const struct store_opts *opts, int *from, int *to, char *err, size_t errlen)
{
    PGconn *c;
    int rc;

    *from = *to = 0;
    if ((c = pg_connect(opts, &rc, err, errlen)) == NULL)
        return rc;
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, errlen, "%s", PQerrorMessage(c));
        err[strcspn(err, "\n")] = '\0';
        PQfinish(c);
        return STORE_ERR_OPEN;
    }
    rc = pg_migrate(c, from, to, err, errlen);
    PQfinish(c);
    return rc;
}

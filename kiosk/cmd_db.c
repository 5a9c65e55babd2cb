/*
 * kiosk/cmd_db.c - `kiosk db check`: where this counter's records are and
 * whether they answer - the backend, where (the file, or the server's host,
 * port and database), the server's version, the schema version against the
 * program's, this counter's station. Changes nothing (no migration, no
 * file created). Exit 0 when the records answer and this build keeps them
 * there, 1 when they do not answer (or this build does not keep them there
 * yet), 2 on a usage or configuration error.
 */
#include <stdio.h>
#include <string.h>

#include "data/store.h"
#include "kiosk/auditkey.h"
#include "kiosk/cli.h"

/* The records CFG names, for a `db` command taking no argument: 0 and *SO,
 * or 2 (said: USAGE, or a postgresql backend without its conninfo). */
static int
db_opts(const struct kiosk_config *cfg, int argc, enum msg_id usage, struct store_opts *so)
{
    if (argc != 0) {
        fprintf(stderr, "%s\n", msg(usage));
        return 2;
    }
    cfg_store_opts(cfg, so);
    if (so->backend == STORE_POSTGRESQL && so->conninfo[0] == '\0') {
        fprintf(stderr, "%s\n", msg(M_DB_NO_CONNINFO));
        return 2;
    }
    return 0;
}

static int
db_check_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_opts so;
    struct store_probe p;
    char err[512], line[1024];
    int rc;

    (void)argv;
    if (db_opts(cfg, argc, M_DB_USAGE, &so) != 0)
        return 2;
    rc = store_probe(&so, &p, err, sizeof err);
    if (rc != STORE_OK) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DB_CANNOT_TRY, err));
        return 2;
    }
    puts(msg_fmt(line, sizeof line, M_DB_BACKEND, so.backend == STORE_POSTGRESQL ? "postgresql" : "sqlite", p.server));
    puts(msg_fmt(line, sizeof line, M_DB_WHERE, p.where));
    puts(msg_fmt(line, sizeof line, M_DB_STATION, cfg->station[0] ? cfg->station : msg(M_DB_STATION_NONE)));
    if (!p.reachable) {
        puts(msg_fmt(line, sizeof line, so.backend == STORE_POSTGRESQL ? M_DB_SERVER_DOWN : M_DB_FILE_DOWN, err));
        return 1;
    }
    puts(msg(M_DB_REACHABLE));
    puts(msg_fmt(line, sizeof line, p.schema > p.program_schema ? M_DB_SCHEMA_NEWER :
                 p.schema < p.program_schema ? M_DB_SCHEMA_OLDER : M_DB_SCHEMA_SAME, p.schema, p.program_schema));
    return p.schema <= p.program_schema ? 0 : 1;
}

/* `kiosk db migrate`: the records brought to this program's schema (a new
 * server's made), before a hall's counters open; counters starting
 * together would migrate once too. Exit 0 done (or nothing to do), 1 not
 * (unreachable, newer than this program: untouched), 2 usage. */
static int
db_migrate_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_opts so;
    char err[512], line[1024];
    int rc, from = 0, to = 0;

    (void)argv;
    if (db_opts(cfg, argc, M_DB_MIGRATE_USAGE, &so) != 0)
        return 2;
    rc = store_prepare(&so, &from, &to, err, sizeof err);
    if (rc == STORE_ERR_SCHEMA) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DB_MIGRATE_NEWER, err));
        return 1;
    }
    if (rc != STORE_OK) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DB_MIGRATE_FAILED, err));
        return 1;
    }
    puts(msg_fmt(line, sizeof line, from == to ? M_DB_MIGRATE_NONE : M_DB_MIGRATE_DONE, from, to));
    return 0;
}

/* `kiosk db copy --to CONNINFO`: a single machine's hall moved onto a shared
 * server (store_copy), its audit chain then verified there with the hall's
 * key. Exit 0 copied and the same, 1 not (refused, failed, different), 2 usage. */
static int
db_copy_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_opts from, to;
    struct store_copy_report rep;
    struct store_audit_result ar;
    struct audit_key k;
    char err[768], line[1024];
    long long total = 0;
    store *st;
    int rc;

    if (argc != 2 || strcmp(argv[0], "--to") != 0 || argv[1][0] == '\0') {
        fprintf(stderr, "%s\n", msg(M_DB_COPY_USAGE));
        return 2;
    }
    cfg_store_opts(cfg, &from);
    if (from.backend != STORE_SQLITE) {
        fprintf(stderr, "%s\n", msg(M_DB_COPY_FROM_SQLITE));
        return 2;
    }
    to = from;
    to.backend = STORE_POSTGRESQL;
    to.conninfo = argv[1];
    rc = store_copy(&from, &to, &rep, err, sizeof err);
    for (size_t i = 0; i < rep.ntables; i++) {
        puts(msg_fmt(line, sizeof line, M_DB_COPY_TABLE, rep.tables[i].name, rep.tables[i].rows,
                     msg(rep.tables[i].same ? M_DB_COPY_SAME : M_DB_COPY_DIFF)));
        total += rep.tables[i].rows;
    }
    if (rc == STORE_ERR_CONFLICT && rep.target_rows > 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DB_COPY_NOT_EMPTY, rep.target_rows));
        return 1;
    }
    if (rc != STORE_OK) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DB_COPY_FAILED, err));
        return 1;
    }
    puts(msg_fmt(line, sizeof line, M_DB_COPY_DONE, total, to.conninfo));
    /* the chain as the server now has it, checked with the hall's key */
    audit_key_fetch(cfg, NULL, &k);
    if (store_open(&st, &to, err, sizeof err) != STORE_OK) {
        (void)audit_key_use(&k, NULL);
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DB_COPY_FAILED, err));
        return 1;
    }
    (void)audit_key_use(&k, st);
    rc = store_audit_check(st, &ar);
    store_close(st);
    if (rc != STORE_OK) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DB_COPY_AUDIT_BAD, (long long)ar.bad_id));
        return 1;
    }
    puts(msg_fmt(line, sizeof line, M_DB_COPY_AUDIT_OK, (long long)ar.rows));
    return 0;
}

const struct cli_cmd cmd_db_copy = {
    .group = "db", .name = "copy", .usage = "--to CONNINFO", .help = M_CLI_H_DB_COPY, .exec = db_copy_exec,
};

const struct cli_cmd cmd_db_migrate = {
    .group = "db", .name = "migrate", .usage = "", .help = M_CLI_H_DB_MIGRATE, .exec = db_migrate_exec,
};

const struct cli_cmd cmd_db_check = {
    .group = "db", .name = "check", .usage = "", .help = M_CLI_H_DB_CHECK, .exec = db_check_exec,
};

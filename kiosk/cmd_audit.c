/*
 * kiosk/cmd_audit.c - `kiosk audit verify`: walk the audit hash chain and
 * say OK with the row count, or name the first broken row and how it broke.
 * Exit 0 only when the chain is intact (1 broken or unreadable, 2 usage).
 */
#include <stdio.h>

#include "data/store.h"
#include "kiosk/cli.h"
#include "kiosk/msg.h"

static int
audit_verify_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_audit_result res;
    char err[768], line[1024];
    store *st = NULL;
    int rc;

    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DATA_USAGE, "audit", "verify", ""));
        return 2;
    }
    rc = store_open(&st, cfg->db_path, cfg->db_busy_ms, err, sizeof err);
    if (rc != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line,
                rc == STORE_ERR_SCHEMA ? M_DATA_DB_SCHEMA : M_DATA_DB_ERR, cfg->db_path, err));
        return 1;
    }
    rc = store_audit_check(st, &res);
    if (rc == STORE_OK) {
        printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_OK, (long long)res.rows));
    } else if (rc == STORE_ERR_CONFLICT) {
        enum msg_id id = res.fault == AUDIT_MISSING ? M_DATA_AUDIT_MISSING
                       : res.fault == AUDIT_RELINKED ? M_DATA_AUDIT_RELINKED : M_DATA_AUDIT_EDITED;
        printf("%s\n", msg_fmt(line, sizeof line, id, (long long)res.bad_id));
    } else {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
    }
    store_close(st);
    return rc == STORE_OK ? 0 : 1;
}

const struct cli_cmd cmd_audit_verify = {
    .group = "audit", .name = "verify", .usage = "", .summary = "check the audit hash chain; names the first broken row", .exec = audit_verify_exec,
};

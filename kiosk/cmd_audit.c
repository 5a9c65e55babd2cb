/*
 * kiosk/cmd_audit.c - the audit trail from the command line:
 *
 *   audit verify [--anchor ID:HASHPREFIX]...
 *       walk the hash chain and say OK with the row count, or name the
 *       first broken row and how it broke. With --anchor (the "ID:HASH16"
 *       printed on a settlement sheet, or noted from `audit head`), also
 *       check that row ID still exists with a hash starting HASHPREFIX.
 *   audit head
 *       the newest row's id and hash, and the anchor to write down.
 *
 * Each row's hash is an HMAC under a key derived in the HSM
 * (kiosk/auditkey.c): a trail edited and rehashed by anyone without the
 * HSM fails here with no anchor at all. Rows written before the hall was
 * keyed stay plain SHA-256; the first keyed row seals them.
 *
 * Why the anchor: each row's hash covers the row before it, so editing,
 * deleting or swapping rows inside the trail breaks the chain. Deleting
 * the NEWEST rows does not: what is left is a shorter chain that is still
 * consistent, since no remaining row refers to the deleted ones. Only a
 * copy of a later head kept outside the database (the printed settlement)
 * shows that rows existed beyond the current end.
 *
 * Then the trail is checked against the records (store_audit_crosscheck):
 * every certificate has its signature and issue rows, every order its
 * creation row, and no certificate was signed that nobody recorded; an
 * emptied, shortened or rebuilt trail fails here without an anchor.
 *
 * Exit 0 only when the chain, the cross-check and every anchor are intact
 * (1 broken or unreadable, 2 usage).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/auditkey.h"
#include "data/store.h"
#include "kiosk/cli.h"
#include "kiosk/msg.h"

#define AUDIT_MAX_ANCHORS 8

struct audit_anchor {
    const char *text;           /* as given */
    long long id;
    char prefix[65];            /* lower-case hex */
};

/* Parse "ID:HEX" (ID >= 1, 8 to 64 hex digits); 0 or -1. */
static int
audit_parse_anchor(const char *s, struct audit_anchor *a)
{
    const char *colon = strchr(s, ':');
    char *end = NULL;
    size_t i, len;

    a->text = s;
    if (colon == NULL || colon == s)
        return -1;
    a->id = strtoll(s, &end, 10);
    if (end != colon || a->id < 1)
        return -1;
    len = strlen(colon + 1);
    if (len < 8 || len > 64)
        return -1;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)colon[1 + i];
        if (!isxdigit(ch))
            return -1;
        a->prefix[i] = (char)tolower(ch);
    }
    a->prefix[len] = '\0';
    return 0;
}

static int
audit_open(const struct kiosk_config *cfg, store **st)
{
    char err[768], line[1024];
    struct audit_key k;
    struct store_opts so;
    int rc;

    audit_key_fetch(cfg, NULL, &k);     /* the key the keyed rows are checked with, before the records open */
    cfg_store_opts(cfg, &so);
    rc = store_open(st, &so, err, sizeof err);
    if (rc != STORE_OK) {
        (void)audit_key_use(&k, NULL);
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line,
                rc == STORE_ERR_SCHEMA ? M_DATA_DB_SCHEMA : M_DATA_DB_ERR, cfg->db_path, err));
        return -1;
    }
    (void)audit_key_use(&k, *st);
    return 0;
}

/* Check one anchor; prints the verdict; 0 intact, 1 failed, -1 store error. */
static int
audit_check_anchor(store *st, const struct audit_anchor *a)
{
    char hash[65], line[1024];
    int64_t head = 0;
    int rc = store_audit_hash(st, a->id, hash);

    if (rc == STORE_ERR_NOT_FOUND) {
        char head_hash[65];
        if (store_audit_head(st, &head, head_hash) != STORE_OK)
            return -1;
        printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_ANCHOR_GONE, a->text, a->id, (long long)head));
        return 1;
    }
    if (rc != STORE_OK)
        return -1;
    if (strncmp(hash, a->prefix, strlen(a->prefix)) != 0) {
        printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_ANCHOR_DIFF, a->text, a->id, hash));
        return 1;
    }
    printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_ANCHOR_OK, a->text, a->id));
    return 0;
}

static int
audit_verify_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct audit_anchor anchors[AUDIT_MAX_ANCHORS];
    struct store_audit_result res;
    char line[1024];
    store *st = NULL;
    int rc, i, nanchors = 0, failed = 0;

    for (i = 0; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--anchor") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(argv[i], "--anchor=", 9) == 0)
            v = argv[i] + 9;
        if (v == NULL || nanchors == AUDIT_MAX_ANCHORS) {
            fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DATA_USAGE, "audit", "verify", "[--anchor ID:HASHPREFIX]"));
            return 2;
        }
        if (audit_parse_anchor(v, &anchors[nanchors]) != 0) {
            fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_BAD_ANCHOR, v));
            return 2;
        }
        nanchors++;
    }
    if (audit_open(cfg, &st) != 0)
        return 1;
    rc = store_audit_check(st, &res);
    if (rc == STORE_OK) {
        printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_OK, (long long)res.rows));
        printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_KEYED, (long long)res.keyed));
        if (res.unsealed > 0)
            printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_UNSEALED, (long long)res.unsealed));
    } else if (rc == STORE_ERR_CONFLICT) {
        enum msg_id id = res.fault == AUDIT_MISSING ? M_DATA_AUDIT_MISSING
                       : res.fault == AUDIT_RELINKED ? M_DATA_AUDIT_RELINKED
                       : res.fault == AUDIT_UNKEYED ? M_DATA_AUDIT_UNKEYED
                       : res.fault == AUDIT_NO_KEY ? M_DATA_AUDIT_NO_KEY
                       : res.fault == AUDIT_TRUNCATED ? M_DATA_AUDIT_TRUNCATED : M_DATA_AUDIT_EDITED;
        printf("%s\n", msg_fmt(line, sizeof line, id, (long long)res.bad_id));
        failed = 1;
    } else {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
        store_close(st);
        return 1;
    }
    /* the trail against the records: an emptied or shortened trail, and a
     * certificate signed that nobody recorded, show here without an anchor */
    {
        struct store_audit_cross x;
        rc = store_audit_crosscheck(st, &x);
        if (rc == STORE_OK) {
            printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_CROSS_OK, x.certs, x.orders));
        } else if (rc == STORE_ERR_CONFLICT) {
            printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_CROSS_BAD, x.certs_unsigned, x.certs_unissued,
                                   x.issued_unrecorded, x.signed_unrecorded, x.orders_unaudited, x.orders_gone,
                                   x.example));
            failed = 1;
        } else {
            fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
            store_close(st);
            return 1;
        }
    }
    for (i = 0; i < nanchors; i++) {
        int r = audit_check_anchor(st, &anchors[i]);
        if (r < 0) {
            fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
            store_close(st);
            return 1;
        }
        failed |= r;
    }
    store_close(st);
    return failed ? 1 : 0;
}

static int
audit_head_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    char hash[65], line[1024], anchor[96];
    int64_t id = 0;
    store *st = NULL;

    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DATA_USAGE, "audit", "head", ""));
        return 2;
    }
    if (audit_open(cfg, &st) != 0)
        return 1;
    if (store_audit_head(st, &id, hash) != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
        store_close(st);
        return 1;
    }
    store_close(st);
    if (id == 0) {
        printf("%s\n", msg(M_DATA_AUDIT_EMPTY));
        return 0;
    }
    snprintf(anchor, sizeof anchor, "%lld:%.16s", (long long)id, hash);
    printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_HEAD, (long long)id, hash));
    printf("%s\n", msg_fmt(line, sizeof line, M_DATA_AUDIT_HEAD_ANCHOR, anchor));
    return 0;
}

const struct cli_cmd cmd_audit_verify = {
    .group = "audit", .name = "verify", .usage = "[--anchor ID:HASHPREFIX]",
    .help = M_CLI_H_AUDIT_VERIFY, .exec = audit_verify_exec,
};

const struct cli_cmd cmd_audit_head = {
    .group = "audit", .name = "head", .usage = "",
    .help = M_CLI_H_AUDIT_HEAD, .exec = audit_head_exec,
};

/*
 * token/tok_slot.c - which keys are inserted: the embedded hall's plug
 * markers (one file per token serial in ports_dir), the cheap presence poll
 * the input loop calls every 200 ms, and the key list.
 *
 * tok_poll costs one stat() while nothing changes: the marker directory's
 * mtime moves whenever a marker is created or removed, and only then is the
 * directory listed and libp11 re-enumerated. With real readers (no
 * ports_dir) it asks the module for the slots holding a token, which is one
 * C_GetSlotList call.
 */
#include "token/tok_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>





int
tok_poll(tok_ctx *ctx)
{
    if (ctx == NULL)
        return TOK_ERR_INTERNAL;
    if (ctx->ports_dir[0] != '\0') {
        struct stat st;
        bool exists = stat(ctx->ports_dir, &st) == 0;
        if (ctx->ports_seen && exists && st.st_mtim.tv_sec == ctx->ports_mtime.tv_sec &&
            st.st_mtim.tv_nsec == ctx->ports_mtime.tv_nsec)
            return 0;
        if (ctx->ports_seen && !exists && ctx->ports_mtime.tv_sec == 0 && ctx->npresent == 0)
            return 0;
        if (!tok_scan_ports(ctx))
            return 0;
    } else {
        /* Real readers: compare the slots that hold a token. */
        CK_SLOT_ID ids[TOK_PRESENT_MAX];
        CK_ULONG n = TOK_PRESENT_MAX, i;
        char now[TOK_PRESENT_MAX][TOK_SERIAL_MAX];
        int changed;

        if (ctx->fl->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK)
            return tok_fail(ctx, TOK_ERR_MODULE, "C_GetSlotList failed");
        memset(now, 0, sizeof now);
        for (i = 0; i < n; i++)
            snprintf(now[i], TOK_SERIAL_MAX, "%lx", (unsigned long)ids[i]);
        changed = !ctx->ports_seen || n != ctx->npresent || memcmp(now, ctx->present, n * TOK_SERIAL_MAX) != 0;
        memcpy(ctx->present, now, sizeof now);
        ctx->npresent = n;
        ctx->ports_seen = true;
        if (!changed)
            return 0;
    }
    if (tok_refresh(ctx) != TOK_OK)
        return TOK_ERR_MODULE;
    return 1;
}

int
tok_keys(tok_ctx *ctx, struct tok_key *out, size_t max, size_t *n)
{
    unsigned int i;

    *n = 0;
    for (i = 0; i < ctx->nslots && *n < max; i++) {
        PKCS11_SLOT *slot = &ctx->slots[i];
        PKCS11_TOKEN *t = slot->token;
        struct tok_key *k;
        PKCS11_CERT *certs = NULL;
        unsigned int ncerts = 0;

        if (t == NULL || !t->initialized || tok_is_hsm(ctx, slot))
            continue;
        k = &out[*n];
        memset(k, 0, sizeof *k);
        tok_trim(k->serial, sizeof k->serial, t->serialnr);
        if (!tok_is_present(ctx, k->serial))
            continue;
        tok_trim(k->label, sizeof k->label, t->label);
        k->initialized = t->userPinSet != 0;
        if (PKCS11_enumerate_certs(t, &certs, &ncerts) == 0)
            k->has_cert = ncerts > 0;
        (*n)++;
    }
    ERR_clear_error();
    return TOK_OK;
}

/* ---- kiosk dev plug | unplug ----------------------------------------------- */

/* Resolve NAME (label or serial) to a key; fills OUT->serial/label or the failure. */
static int
tok_dev_resolve(const char *module, const char *name, struct tok_dev_result *out)
{
    tok_ctx *ctx;
    unsigned int i;
    int rc = tok_open(&ctx, module, NULL, NULL, NULL, out->detail, sizeof out->detail);

    if (rc != TOK_OK) {
        out->outcome = TOK_DEV_MODULE;
        return rc;
    }
    out->outcome = TOK_DEV_UNKNOWN;
    rc = TOK_ERR_NO_KEY;
    for (i = 0; i < ctx->nslots; i++) {
        PKCS11_TOKEN *t = ctx->slots[i].token;
        char s[TOK_SERIAL_MAX], l[33];
        if (t == NULL || !t->initialized)
            continue;
        tok_trim(s, sizeof s, t->serialnr);
        tok_trim(l, sizeof l, t->label);
        if (strcmp(s, name) == 0 || strcmp(l, name) == 0) {
            if (tok_is_hsm(ctx, &ctx->slots[i])) {
                out->outcome = TOK_DEV_IS_HSM;
                break;
            }
            snprintf(out->serial, sizeof out->serial, "%s", s);
            snprintf(out->label, sizeof out->label, "%s", l);
            out->outcome = TOK_DEV_DONE;
            rc = TOK_OK;
            break;
        }
        if (!tok_is_hsm(ctx, &ctx->slots[i])) {
            size_t kl = strlen(out->known);
            snprintf(out->known + kl, sizeof out->known - kl, "%s%s (%s)", kl ? ", " : "", l, s);
        }
    }
    tok_close(ctx);
    return rc;
}

/*
 * Resolve key NAME into OUT and PATH, its marker PORTS_DIR/SERIAL.
 * TOK_ERR_INTERNAL when no ports directory is configured, else
 * tok_dev_resolve's status.
 */
static int
tok_dev_port(const char *module, const char *ports_dir, const char *name, struct tok_dev_result *out,
             char *path, size_t pathlen)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (ports_dir == NULL || ports_dir[0] == '\0') {
        out->outcome = TOK_DEV_NO_PORTS;
        return TOK_ERR_INTERNAL;
    }
    rc = tok_dev_resolve(module, name, out);
    if (rc != TOK_OK)
        return rc;
    snprintf(path, pathlen, "%s/%s", ports_dir, out->serial);
    return TOK_OK;
}

static int
tok_dev_ports_err(struct tok_dev_result *out)
{
    out->outcome = TOK_DEV_PORTS_ERR;
    out->sys_errno = errno;
    return TOK_ERR_INTERNAL;
}

int
tok_dev_plug(const char *module, const char *ports_dir, const char *name, struct tok_dev_result *out)
{
    char path[600];
    FILE *f;
    int rc = tok_dev_port(module, ports_dir, name, out, path, sizeof path);

    if (rc != TOK_OK)
        return rc;
    (void)mkdir(ports_dir, 0755);
    if (access(path, F_OK) == 0) {
        out->outcome = TOK_DEV_ALREADY;
        return TOK_OK;
    }
    f = fopen(path, "w");
    if (f == NULL)
        return tok_dev_ports_err(out);
    fprintf(f, "%s\n", out->label);
    if (fclose(f) != 0)
        return tok_dev_ports_err(out);
    return TOK_OK;
}

int
tok_dev_unplug(const char *module, const char *ports_dir, const char *name, struct tok_dev_result *out)
{
    char path[600];
    int rc = tok_dev_port(module, ports_dir, name, out, path, sizeof path);

    if (rc != TOK_OK)
        return rc;
    if (unlink(path) != 0) {
        if (errno != ENOENT)
            return tok_dev_ports_err(out);
        out->outcome = TOK_DEV_ALREADY;
    }
    return TOK_OK;
}

bool
tok_hsm_present(tok_ctx *ctx)
{
    if (ctx == NULL || ctx->hsm_serial[0] == '\0')
        return false;
    return tok_find_slot(ctx, ctx->hsm_serial) != NULL;
}

/*
 * token/tok_slot.c - which keys are inserted: the embedded hall's plug
 * markers (one file per token serial in ports_dir), the cheap presence poll
 * the input loop calls every 200 ms, and the key list.
 *
 * tok_poll costs one stat() while nothing changes: the marker directory's
 * mtime moves whenever a marker is created or removed, and only then is the
 * directory listed and the slot of each key that appeared read again (one
 * C_GetTokenInfo; none for a key pulled out). With real readers (no
 * ports_dir) it asks the module for the slots holding a token (one
 * C_GetSlotList, which reaches no token) and reads the slots whose token
 * appeared.
 */
#include "token/tok_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>





/* Is SERIAL among the first N of SET? */
static bool
tok_in_set(char set[][TOK_SERIAL_MAX], size_t n, const char *serial)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], serial) == 0)
            return true;
    return false;
}

/* The embedded hall: read again the slot of each key whose marker appeared (one call each). */
static void
tok_poll_ports(tok_ctx *ctx, char before[][TOK_SERIAL_MAX], size_t nbefore)
{
    bool rescanned = false;

    for (size_t i = 0; i < ctx->npresent; i++) {
        struct tok_slot *slot;
        if (tok_in_set(before, nbefore, ctx->present[i]))
            continue;
        slot = tok_find_slot(ctx, ctx->present[i]);
        if (slot != NULL && tok_slot_read(ctx, slot) == TOK_OK && strcmp(slot->serial, ctx->present[i]) == 0)
            continue;
        if (!rescanned)
            (void)tok_slots_rescan(ctx);    /* a key the table does not know yet */
        rescanned = true;
    }
}

/* Real readers: the slots holding a token, from the module's slot list (no token reached); a slot
 * whose token appeared is read (one call), one whose token went is forgotten. */
static int
tok_poll_readers(tok_ctx *ctx)
{
    CK_SLOT_ID ids[TOK_PRESENT_MAX];
    CK_ULONG n = TOK_PRESENT_MAX, i;
    char now[TOK_PRESENT_MAX][TOK_SERIAL_MAX];
    unsigned int j;
    int changed;

    if (ctx->fl->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK)
        return tok_fail(ctx, TOK_ERR_MODULE, "C_GetSlotList failed");
    memset(now, 0, sizeof now);
    for (i = 0; i < n; i++)
        snprintf(now[i], TOK_SERIAL_MAX, "%lx", (unsigned long)ids[i]);
    changed = !ctx->ports_seen || n != ctx->npresent || memcmp(now, ctx->present, n * TOK_SERIAL_MAX) != 0;
    if (changed) {
        for (j = 0; j < ctx->ntab; j++) {
            char id[TOK_SERIAL_MAX];
            snprintf(id, sizeof id, "%lx", (unsigned long)ctx->tab[j].id);
            if (!tok_in_set(now, n, id))
                ctx->tab[j].token = false;
            else if (!tok_in_set(ctx->present, ctx->npresent, id))
                (void)tok_slot_read(ctx, &ctx->tab[j]);
        }
        for (i = 0; i < n; i++) {
            bool known = false;
            for (j = 0; j < ctx->ntab; j++)
                known = known || ctx->tab[j].id == ids[i];
            if (!known && ctx->ntab < TOK_SLOTS_MAX) {
                struct tok_slot *t = &ctx->tab[ctx->ntab++];
                memset(t, 0, sizeof *t);
                t->id = ids[i];
                (void)tok_slot_read(ctx, t);
            }
        }
    }
    memcpy(ctx->present, now, sizeof now);
    ctx->npresent = n;
    ctx->ports_seen = true;
    ctx->detail[0] = '\0';
    return changed;
}

int
tok_poll(tok_ctx *ctx)
{
    char before[TOK_PRESENT_MAX][TOK_SERIAL_MAX];
    size_t nbefore;

    if (ctx == NULL)
        return TOK_ERR_INTERNAL;
    if (ctx->ports_dir[0] == '\0')
        return tok_poll_readers(ctx);
    struct stat st;
    bool exists = stat(ctx->ports_dir, &st) == 0;
    if (ctx->ports_seen && exists && st.st_mtim.tv_sec == ctx->ports_mtime.tv_sec &&
        st.st_mtim.tv_nsec == ctx->ports_mtime.tv_nsec)
        return 0;
    if (ctx->ports_seen && !exists && ctx->ports_mtime.tv_sec == 0 && ctx->npresent == 0)
        return 0;
    nbefore = ctx->npresent;
    memcpy(before, ctx->present, nbefore * TOK_SERIAL_MAX);
    if (!tok_scan_ports(ctx))
        return 0;
    tok_poll_ports(ctx, before, nbefore);
    return 1;
}

int
tok_keys(tok_ctx *ctx, struct tok_key *out, size_t max, size_t *n)
{
    unsigned int i;

    *n = 0;
    for (i = 0; i < ctx->ntab && *n < max; i++) {
        struct tok_slot *slot = &ctx->tab[i];
        struct tok_key *k;

        /* real readers: present as of the last poll (the slot list said so), no call per key */
        if (!slot->token || !slot->initialized || tok_is_hsm(ctx, slot) ||
            (ctx->ports_dir[0] != '\0' && !tok_is_present(ctx, slot->serial)))
            continue;
        k = &out[*n];
        memset(k, 0, sizeof *k);
        snprintf(k->serial, sizeof k->serial, "%s", slot->serial);
        snprintf(k->label, sizeof k->label, "%s", slot->label);
        k->initialized = slot->user_pin_set;
        (*n)++;
    }
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
    for (i = 0; i < ctx->ntab; i++) {
        const char *s = ctx->tab[i].serial, *l = ctx->tab[i].label;
        if (!ctx->tab[i].token || !ctx->tab[i].initialized)
            continue;
        if (strcmp(s, name) == 0 || strcmp(l, name) == 0 || (tok_is_uri(name) && tok_uri_match(&ctx->tab[i], name))) {
            if (tok_is_hsm(ctx, &ctx->tab[i])) {
                out->outcome = TOK_DEV_IS_HSM;
                break;
            }
            snprintf(out->serial, sizeof out->serial, "%s", s);
            snprintf(out->label, sizeof out->label, "%s", l);
            out->outcome = TOK_DEV_DONE;
            rc = TOK_OK;
            break;
        }
        if (!tok_is_hsm(ctx, &ctx->tab[i])) {
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
    ctx = tok_hsm_ctx(ctx);
    return tok_find_slot(ctx, ctx->hsm_serial) != NULL;
}

/*
 * token/tok_core.c - the token layer's own foundation: failure details and
 * status mapping, label and secret helpers, finding slots by serial or
 * label, refreshing libp11's view (see notes.md for why a refresh is a full
 * release and re-enumeration), raw PKCS#11 sessions, key presence in the
 * embedded hall's reader directory, and loading a PEM certificate. Every
 * other token/ file builds on it; it calls none of them, so no calls run
 * in a circle (tests/layers.sh).
 */
#include "token/tok_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

/* Record a technical detail and return STATUS. */
int
tok_fail(tok_ctx *ctx, int status, const char *fmt, ...)
{
    va_list ap;
    unsigned long e;

    if (ctx == NULL)
        return status;
    va_start(ap, fmt);
    vsnprintf(ctx->detail, sizeof ctx->detail, fmt, ap);
    va_end(ap);
    e = ERR_peek_last_error();
    if (e != 0) {
        size_t l = strlen(ctx->detail);
        char buf[160];
        ERR_error_string_n(e, buf, sizeof buf);
        snprintf(ctx->detail + l, sizeof ctx->detail - l, " [%s]", buf);
    }
    ERR_clear_error();
    return status;
}

void
tok_trim(char *dst, size_t n, const char *src)
{
    size_t l;

    snprintf(dst, n, "%s", src ? src : "");
    l = strlen(dst);
    while (l > 0 && dst[l - 1] == ' ')
        dst[--l] = '\0';
}

void
tok_pad_label(char out[33], const char *label)
{
    size_t l = strlen(label);

    if (l > 32)
        l = 32;
    memset(out, ' ', 32);
    memcpy(out, label, l);
    out[32] = '\0';
}

void
tok_cleanse_str(char *s)
{
    if (s != NULL)
        OPENSSL_cleanse(s, strlen(s));
}

/* Read the first line of a secret file into OUT (trailing newline cut). */
int
tok_read_secret(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t l;

    if (f == NULL)
        return -1;
    if (fgets(out, (int)n, f) == NULL) {
        fclose(f);
        return -1;
    }
    fclose(f);
    l = strlen(out);
    while (l > 0 && (out[l - 1] == '\n' || out[l - 1] == '\r'))
        out[--l] = '\0';
    return l > 0 ? 0 : -1;
}

int
tok_ckr_status(CK_RV rv)
{
    switch (rv) {
    case CKR_OK:
        return TOK_OK;
    case CKR_PIN_INCORRECT:
        return TOK_ERR_PIN_INCORRECT;
    case CKR_PIN_LOCKED:
        return TOK_ERR_PIN_LOCKED;
    case CKR_PIN_LEN_RANGE:
    case CKR_PIN_INVALID:
        return TOK_ERR_PIN_POLICY;
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_SLOT_ID_INVALID:
        return TOK_ERR_REMOVED;
    default:
        return TOK_ERR_INTERNAL;
    }
}

/*
 * Forget every libp11 handle and enumerate again: the only safe way to see
 * tokens initialised since, and objects deleted since (libp11 caches them).
 * Closes every session, so the HSM and all keys are logged out afterwards.
 */
int
tok_refresh(tok_ctx *ctx)
{
    EVP_PKEY_free(ctx->ca_key);
    ctx->ca_key = NULL;
    ctx->hsm_logged_in = false;
    if (ctx->slots != NULL)
        PKCS11_release_all_slots(ctx->p11, ctx->slots, ctx->nslots);
    ctx->slots = NULL;
    ctx->nslots = 0;
    if (PKCS11_enumerate_slots(ctx->p11, &ctx->slots, &ctx->nslots) != 0) {
        ctx->slots = NULL;
        ctx->nslots = 0;
        return tok_fail(ctx, TOK_ERR_MODULE, "enumerate slots failed");
    }
    ERR_clear_error();
    return TOK_OK;
}

PKCS11_SLOT *
tok_find_slot(tok_ctx *ctx, const char *serial)
{
    unsigned int i;
    char s[TOK_SERIAL_MAX];

    for (i = 0; i < ctx->nslots; i++) {
        PKCS11_TOKEN *t = ctx->slots[i].token;
        if (t == NULL || !t->initialized)
            continue;
        tok_trim(s, sizeof s, t->serialnr);
        if (strcmp(s, serial) == 0)
            return &ctx->slots[i];
    }
    return NULL;
}

PKCS11_SLOT *
tok_find_label(tok_ctx *ctx, const char *label)
{
    unsigned int i;
    char l[33];

    for (i = 0; i < ctx->nslots; i++) {
        PKCS11_TOKEN *t = ctx->slots[i].token;
        if (t == NULL || !t->initialized)
            continue;
        tok_trim(l, sizeof l, t->label);
        if (strcmp(l, label) == 0)
            return &ctx->slots[i];
    }
    return NULL;
}

PKCS11_SLOT *
tok_find_free(tok_ctx *ctx)
{
    unsigned int i;

    for (i = 0; i < ctx->nslots; i++)
        if (ctx->slots[i].token != NULL && !ctx->slots[i].token->initialized)
            return &ctx->slots[i];
    return NULL;
}

/* Slot of a present key SERIAL, refreshing once if it is not known yet. */
int
tok_present_slot(tok_ctx *ctx, const char *serial, PKCS11_SLOT **slot)
{
    if (!tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    *slot = tok_find_slot(ctx, serial);
    if (*slot == NULL && tok_refresh(ctx) == TOK_OK)
        *slot = tok_find_slot(ctx, serial);
    if (*slot == NULL)
        return tok_fail(ctx, TOK_ERR_NO_KEY, "no token with serial %s", serial);
    return TOK_OK;
}

/* A raw read-write session on SLOT; the caller closes it with C_CloseSession. */
int
tok_raw_session(tok_ctx *ctx, PKCS11_SLOT *slot, CK_SESSION_HANDLE *out)
{
    CK_RV rv = ctx->fl->C_OpenSession(PKCS11_get_slotid_from_slot(slot),
                                      CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, out);
    if (rv != CKR_OK)
        return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL,
                        "C_OpenSession: 0x%lx", (unsigned long)rv);
    return TOK_OK;
}

const char *
tok_detail(const tok_ctx *ctx)
{
    return ctx != NULL ? ctx->detail : "";
}

void
tok_set_step_hook(tok_ctx *ctx, tok_step_fn fn, void *arg)
{
    ctx->step_fn = fn;
    ctx->step_arg = arg;
}

bool
tok_is_hsm(const tok_ctx *ctx, const PKCS11_SLOT *slot)
{
    char s[TOK_SERIAL_MAX], l[33];

    if (slot->token == NULL)
        return false;
    tok_trim(s, sizeof s, slot->token->serialnr);
    tok_trim(l, sizeof l, slot->token->label);
    if (ctx->hsm_serial[0] != '\0' && strcmp(s, ctx->hsm_serial) == 0)
        return true;
    return strcmp(l, TOK_HSM_LABEL) == 0;
}

static int
tok_cmp_serial(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* List the markers into ctx->present; returns 1 when the set changed, 0 if not. */
int
tok_scan_ports(tok_ctx *ctx)
{
    char now[TOK_PRESENT_MAX][TOK_SERIAL_MAX];
    size_t n = 0;
    struct stat st;
    DIR *d;
    struct dirent *e;
    int changed;

    if (stat(ctx->ports_dir, &st) == 0) {
        ctx->ports_mtime = st.st_mtim;
        d = opendir(ctx->ports_dir);
        while (d != NULL && (e = readdir(d)) != NULL && n < TOK_PRESENT_MAX) {
            if (e->d_name[0] == '.' || strlen(e->d_name) >= TOK_SERIAL_MAX)
                continue;
            snprintf(now[n++], TOK_SERIAL_MAX, "%s", e->d_name);
        }
        if (d != NULL)
            closedir(d);
    } else {
        ctx->ports_mtime.tv_sec = 0;
        ctx->ports_mtime.tv_nsec = 0;
    }
    qsort(now, n, TOK_SERIAL_MAX, tok_cmp_serial);
    changed = !ctx->ports_seen || n != ctx->npresent || memcmp(now, ctx->present, n * TOK_SERIAL_MAX) != 0;
    memcpy(ctx->present, now, n * TOK_SERIAL_MAX);
    ctx->npresent = n;
    ctx->ports_seen = true;
    return changed;
}

/* Live check (not cached): is key SERIAL inserted right now? */
bool
tok_is_present(tok_ctx *ctx, const char *serial)
{
    char path[600];

    if (ctx->ports_dir[0] == '\0') {
        PKCS11_SLOT *slot = tok_find_slot(ctx, serial);
        CK_TOKEN_INFO ti;
        return slot != NULL &&
               ctx->fl->C_GetTokenInfo(PKCS11_get_slotid_from_slot(slot), &ti) == CKR_OK;
    }
    if (strchr(serial, '/') != NULL || serial[0] == '.' || serial[0] == '\0')
        return false;
    snprintf(path, sizeof path, "%s/%s", ctx->ports_dir, serial);
    return access(path, F_OK) == 0;
}

X509 *
tok_load_pem(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x;

    if (f == NULL)
        return NULL;
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    ERR_clear_error();
    return x;
}

/* An ASN1_TIME as time_t (UTC), 0 when absent or unreadable. */
time_t
tok_asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

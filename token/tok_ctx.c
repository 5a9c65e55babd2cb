/*
 * token/tok_ctx.c - the token context: loading the PKCS#11 module through
 * libp11, the refresh dance libp11 0.4.12 needs (release_all_slots +
 * enumerate, never PKCS11_update_slots), slot lookup by serial, the raw
 * function list, status texts, and small helpers shared by token/.
 */
#include "token/tok_int.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "kiosk/config.h"

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

int
tok_env_setup(const char *conf_path)
{
    const char *cur = getenv("SOFTHSM2_CONF");

    if (cur != NULL && cur[0] != '\0')
        return 0;
    if (conf_path == NULL || conf_path[0] == '\0' || access(conf_path, R_OK) != 0)
        return 0;
    return setenv("SOFTHSM2_CONF", conf_path, 1) == 0 ? 1 : 0;
}

int
tok_cfg_effective(const struct kiosk_config *cfg, struct kiosk_config *out, char *err, size_t errlen)
{
    *out = *cfg;
    if (cfg->source[0] != '\0')
        return 0;
    return cfg_load_hall(out, NULL, err, errlen);
}

int
tok_open_cfg(tok_ctx **out, const struct kiosk_config *cfg, char *err, size_t errlen)
{
    int rc;

    tok_env_setup(cfg->softhsm_conf);
    rc = tok_open(out, cfg->module, cfg->ports_dir, cfg->hsm_serial, cfg->ca_cert, err, errlen);
    if (rc != TOK_OK)
        return rc;
    return tok_set_hsm(*out, cfg->hsm_pin_file, cfg->ca_key_label, cfg->crl_url);
}

int
tok_set_hsm(tok_ctx *ctx, const char *pin_file, const char *ca_key_label, const char *crl_url)
{
    snprintf(ctx->hsm_pin_file, sizeof ctx->hsm_pin_file, "%s", pin_file ? pin_file : "");
    snprintf(ctx->ca_key_label, sizeof ctx->ca_key_label, "%s", ca_key_label ? ca_key_label : "");
    snprintf(ctx->crl_url, sizeof ctx->crl_url, "%s", crl_url ? crl_url : "");
    return TOK_OK;
}

int
tok_open(tok_ctx **out, const char *module, const char *ports_dir,
         const char *hsm_serial, const char *ca_cert, char *err, size_t errlen)
{
    tok_ctx *ctx;
    CK_RV (*getfl)(CK_FUNCTION_LIST_PTR_PTR);

    *out = NULL;
    if (module == NULL || module[0] == '\0') {
        msg_fmt(err, errlen, M_TOK_MODULE_LOAD, "", "no module configured ([token] module)");
        return TOK_ERR_MODULE;
    }
    if (access(module, R_OK) != 0) {
        msg_fmt(err, errlen, M_TOK_MODULE_LOAD, module, strerror(errno));
        return TOK_ERR_MODULE;
    }
    ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
        msg_fmt(err, errlen, M_TOK_MODULE_LOAD, module, strerror(ENOMEM));
        return TOK_ERR_INTERNAL;
    }
    snprintf(ctx->module, sizeof ctx->module, "%s", module);
    snprintf(ctx->ports_dir, sizeof ctx->ports_dir, "%s", ports_dir ? ports_dir : "");
    snprintf(ctx->hsm_serial, sizeof ctx->hsm_serial, "%s", hsm_serial ? hsm_serial : "");

    ctx->p11 = PKCS11_CTX_new();
    if (ctx->p11 == NULL || PKCS11_CTX_load(ctx->p11, module) != 0) {
        char why[200];
        unsigned long e = ERR_peek_last_error();
        if (e != 0)
            ERR_error_string_n(e, why, sizeof why);
        else
            snprintf(why, sizeof why, "not a usable PKCS#11 module");
        msg_fmt(err, errlen, M_TOK_MODULE_LOAD, module, why);
        ERR_clear_error();
        if (ctx->p11 != NULL)
            PKCS11_CTX_free(ctx->p11);
        free(ctx);
        return TOK_ERR_MODULE;
    }
    /* SoftHSM's C_Initialize leaves "rdrand.so not found" entries behind. */
    ERR_clear_error();

    /* The same module's function list: dlopen returns libp11's handle. */
    ctx->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    getfl = ctx->dl ? (CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(ctx->dl, "C_GetFunctionList") : NULL;
    if (getfl == NULL || getfl(&ctx->fl) != CKR_OK || ctx->fl == NULL) {
        msg_fmt(err, errlen, M_TOK_MODULE_LOAD, module, "no C_GetFunctionList");
        tok_close(ctx);
        return TOK_ERR_MODULE;
    }
    if (PKCS11_enumerate_slots(ctx->p11, &ctx->slots, &ctx->nslots) != 0) {
        msg_fmt(err, errlen, M_TOK_MODULE_LOAD, module, "C_GetSlotList failed");
        tok_close(ctx);
        return TOK_ERR_MODULE;
    }
    if (ca_cert != NULL && ca_cert[0] != '\0')
        ctx->ca = tok_load_pem(ca_cert);   /* missing CA: issued_by_ca stays false */
    if (ctx->ports_dir[0] != '\0')
        (void)tok_scan_ports(ctx);
    ERR_clear_error();
    *out = ctx;
    return TOK_OK;
}

void
tok_close(tok_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_PKEY_free(ctx->ca_key);
    ctx->ca_key = NULL;
    if (ctx->slots != NULL)
        PKCS11_release_all_slots(ctx->p11, ctx->slots, ctx->nslots);
    if (ctx->p11 != NULL) {
        PKCS11_CTX_unload(ctx->p11);
        PKCS11_CTX_free(ctx->p11);
    }
    if (ctx->dl != NULL)
        dlclose(ctx->dl);
    X509_free(ctx->ca);
    OPENSSL_cleanse(ctx->detail, sizeof ctx->detail);
    free(ctx);
    ERR_clear_error();
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

enum msg_id
tok_msg(int status)
{
    switch (status) {
    case TOK_OK: return M_TOK_OK;
    case TOK_ERR_MODULE: return M_TOK_ERR_MODULE;
    case TOK_ERR_NO_KEY: return M_TOK_ERR_NO_KEY;
    case TOK_ERR_REMOVED: return M_TOK_ERR_REMOVED;
    case TOK_ERR_NO_CERT: return M_TOK_ERR_NO_CERT;
    case TOK_ERR_FOREIGN_CERT: return M_TOK_ERR_FOREIGN_CERT;
    case TOK_ERR_PIN_INCORRECT: return M_TOK_ERR_PIN_INCORRECT;
    case TOK_ERR_PIN_LOCKED: return M_TOK_ERR_PIN_LOCKED;
    case TOK_ERR_PIN_POLICY: return M_TOK_ERR_PIN_POLICY;
    case TOK_ERR_HSM: return M_TOK_ERR_HSM;
    case TOK_ERR_NOT_BLANK: return M_TOK_ERR_NOT_BLANK;
    case TOK_ERR_VERIFY: return M_TOK_ERR_VERIFY;
    case TOK_ERR_BAD_CERT: return M_TOK_ERR_BAD_CERT;
    default: return M_TOK_ERR_INTERNAL;
    }
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

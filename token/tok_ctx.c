/*
 * token/tok_ctx.c - the token context: loading the PKCS#11 module through
 * libp11 (one enumeration, which fills the slot table), the raw function
 * list of the same module, the hall's profile and HSM settings.
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

/* The HSM named by URI among HSM's tokens: its serial into both contexts. */
static int
tok_hsm_by_uri(tok_ctx *ctx, const char *uri, char *err, size_t errlen)
{
    tok_ctx *h = tok_hsm_ctx(ctx);
    unsigned int i;

    for (i = 0; i < h->ntab; i++)
        if (tok_uri_match(&h->tab[i], uri)) {
            snprintf(h->hsm_serial, sizeof h->hsm_serial, "%s", h->tab[i].serial);
            snprintf(ctx->hsm_serial, sizeof ctx->hsm_serial, "%s", h->tab[i].serial);
            return TOK_OK;
        }
    snprintf(err, errlen, "%s: no token of %s matches [token] hsm_uri", uri, h->module);
    return TOK_ERR_HSM;
}

int
tok_open_cfg(tok_ctx **out, const struct kiosk_config *cfg, char *err, size_t errlen)
{
    int rc;

    tok_env_setup(cfg->softhsm_conf);
    rc = tok_open(out, cfg->module, cfg->ports_dir, cfg->hsm_serial, cfg->ca_cert, err, errlen);
    if (rc != TOK_OK)
        return rc;
    /* The HSM on a module of its own: a second context, no plug markers
     * (the HSM is always there), the same HSM serial. */
    if (cfg->hsm_module[0] != '\0' && strcmp(cfg->hsm_module, cfg->module) != 0) {
        tok_ctx *h;
        rc = tok_open(&h, cfg->hsm_module, NULL, cfg->hsm_serial, NULL, err, errlen);
        if (rc != TOK_OK) {
            tok_close(*out);
            *out = NULL;
            return rc;
        }
        (*out)->hsm = h;
        h->parent = *out;
    }
    if (cfg->hsm_uri[0] != '\0' && (rc = tok_hsm_by_uri(*out, cfg->hsm_uri, err, errlen)) != TOK_OK) {
        tok_close(*out);
        *out = NULL;
        return rc;
    }
    tok_set_profile(*out, cfg->issuer_url, cfg->policy_oid, cfg->eku);
    tok_set_uscc_attr(*out, strcmp(cfg->uscc_attr, "serialNumber") == 0);
    (*out)->no_reinit = strcmp(cfg->key_reinit, "no") == 0;
    return tok_set_hsm(*out, cfg->hsm_pin_file, cfg->ca_key_label, cfg->crl_url);
}

int
tok_open_hsm_cfg(tok_ctx **out, const struct kiosk_config *cfg, char *err, size_t errlen)
{
    struct kiosk_config *hc = malloc(sizeof *hc);
    int rc;

    *out = NULL;
    if (hc == NULL) {
        snprintf(err, errlen, "%s", strerror(ENOMEM));
        return TOK_ERR_INTERNAL;
    }
    *hc = *cfg;
    if (hc->hsm_module[0] != '\0') {
        snprintf(hc->module, sizeof hc->module, "%s", hc->hsm_module);
        hc->hsm_module[0] = '\0';
    }
    hc->ports_dir[0] = '\0';
    rc = tok_open_cfg(out, hc, err, errlen);
    free(hc);
    return rc;
}

void
tok_set_profile(tok_ctx *ctx, const char *issuer_url, const char *policy_oid, const char *eku)
{
    snprintf(ctx->issuer_url, sizeof ctx->issuer_url, "%s", issuer_url ? issuer_url : "");
    snprintf(ctx->policy_oid, sizeof ctx->policy_oid, "%s", policy_oid ? policy_oid : "");
    snprintf(ctx->eku, sizeof ctx->eku, "%s", eku ? eku : "");
}

int
tok_set_hsm(tok_ctx *ctx, const char *pin_file, const char *ca_key_label, const char *crl_url)
{
    snprintf(ctx->hsm_pin_file, sizeof ctx->hsm_pin_file, "%s", pin_file ? pin_file : "");
    snprintf(ctx->ca_key_label, sizeof ctx->ca_key_label, "%s", ca_key_label ? ca_key_label : "");
    snprintf(ctx->crl_url, sizeof ctx->crl_url, "%s", crl_url ? crl_url : "");
    if (ctx->hsm != NULL)
        return tok_set_hsm(ctx->hsm, pin_file, ca_key_label, crl_url);
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
        snprintf(err, errlen, "no module configured ([token] module)");
        return TOK_ERR_MODULE;
    }
    if (access(module, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", module, strerror(errno));
        return TOK_ERR_MODULE;
    }
    ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
        snprintf(err, errlen, "%s: %s", module, strerror(ENOMEM));
        return TOK_ERR_INTERNAL;
    }
    ctx->hsm_s = CK_INVALID_HANDLE;
    ctx->master_h = CK_INVALID_HANDLE;
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
        snprintf(err, errlen, "%s: %s", module, why);
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
        snprintf(err, errlen, "%s: %s", module, "no C_GetFunctionList");
        tok_close(ctx);
        return TOK_ERR_MODULE;
    }
    /* A module that gives each caller its own instance (p11-kit's proxy, which
     * joins several modules) needs this one initialised too; a module with
     * one instance (SoftHSM) says it already is. */
    {
        CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
        CK_RV rv = ctx->fl->C_Initialize(&args);
        if (rv == CKR_OK)
            ctx->fl_initialized = true;
        else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            snprintf(err, errlen, "%s: C_Initialize: 0x%lx", module, (unsigned long)rv);
            tok_close(ctx);
            return TOK_ERR_MODULE;
        }
    }
    if (PKCS11_enumerate_slots(ctx->p11, &ctx->slots, &ctx->nslots) != 0) {
        snprintf(err, errlen, "%s: %s", module, "C_GetSlotList failed");
        tok_close(ctx);
        return TOK_ERR_MODULE;
    }
    tok_slots_from_p11(ctx);
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
    tok_close(ctx->hsm);
    ctx->hsm = NULL;
    tok_hsm_pin_wipe(ctx);
    EVP_PKEY_free(ctx->ca_key);
    ctx->ca_key = NULL;
    if (ctx->slots != NULL)
        PKCS11_release_all_slots(ctx->p11, ctx->slots, ctx->nslots);
    if (ctx->p11 != NULL) {
        PKCS11_CTX_unload(ctx->p11);
        PKCS11_CTX_free(ctx->p11);
    }
    if (ctx->fl_initialized)
        (void)ctx->fl->C_Finalize(NULL);
    if (ctx->dl != NULL)
        dlclose(ctx->dl);
    X509_free(ctx->ca);
    OPENSSL_cleanse(ctx->detail, sizeof ctx->detail);
    free(ctx);
    ERR_clear_error();
}








void
tok_set_uscc_attr(tok_ctx *ctx, bool serial_number)
{
    ctx->uscc_in_serial = serial_number;
}

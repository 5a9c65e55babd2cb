/*
 * token/tok_core.c - the token layer's own foundation: failure details and
 * status mapping, label and secret helpers, the slot table (struct
 * tok_slot: read once from libp11's enumeration at open, then one slot at a
 * time) and finding slots in it by serial or label, libp11's full refresh
 * for provisioning and the HSM (see notes.md for why a refresh is a full
 * release and re-enumeration), raw PKCS#11 sessions, attributes and object
 * searches, key presence in the embedded hall's reader directory, and
 * loading a PEM certificate. Every
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
#include <strings.h>

#include <p11-kit/uri.h>
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
    if (ctx->parent != NULL)
        snprintf(ctx->parent->detail, sizeof ctx->parent->detail, "%s", ctx->detail);
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

/* A failed call RV as a status: a key gone is TOK_ERR_REMOVED, anything else TOK_ERR_INTERNAL. */
int
tok_rv_fail(tok_ctx *ctx, CK_RV rv, const char *what)
{
    return tok_fail(ctx, tok_ckr_status(rv) == TOK_ERR_REMOVED ? TOK_ERR_REMOVED : TOK_ERR_INTERNAL, "%s: 0x%lx",
                    what, (unsigned long)rv);
}

/* The table from libp11's enumeration (no call: libp11 read the slots). */
void
tok_slots_from_p11(tok_ctx *ctx)
{
    unsigned int i;

    ctx->ntab = 0;
    for (i = 0; i < ctx->nslots && ctx->ntab < TOK_SLOTS_MAX; i++) {
        PKCS11_SLOT *p = &ctx->slots[i];
        struct tok_slot *t = &ctx->tab[ctx->ntab++];
        memset(t, 0, sizeof *t);
        t->id = PKCS11_get_slotid_from_slot(p);
        t->p11 = p;
        if (p->token == NULL)
            continue;
        t->token = true;
        t->initialized = p->token->initialized != 0;
        t->user_pin_set = p->token->userPinSet != 0;
        tok_trim(t->serial, sizeof t->serial, p->token->serialnr);
        tok_trim(t->label, sizeof t->label, p->token->label);
        tok_trim(t->manufacturer, sizeof t->manufacturer, p->token->manufacturer ? p->token->manufacturer : "");
        tok_trim(t->model, sizeof t->model, p->token->model ? p->token->model : "");
    }
}

/* A blank-padded CK_TOKEN_INFO field SRC (LEN bytes) as a trimmed string. */
static void
tok_info_field(char *dst, size_t n, const CK_UTF8CHAR *src, size_t len)
{
    char buf[65];

    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, src, len);
    buf[len] = '\0';
    tok_trim(dst, n, buf);
}

/* Read SLOT's token again: one C_GetTokenInfo. TOK_ERR_REMOVED when it holds none now. */
int
tok_slot_read(tok_ctx *ctx, struct tok_slot *slot)
{
    CK_TOKEN_INFO ti;
    CK_RV rv = ctx->fl->C_GetTokenInfo(slot->id, &ti);

    if (rv != CKR_OK) {
        slot->token = slot->initialized = slot->user_pin_set = false;
        slot->serial[0] = slot->label[0] = '\0';
        return tok_rv_fail(ctx, rv, "C_GetTokenInfo");
    }
    slot->token = true;
    slot->initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
    slot->user_pin_set = (ti.flags & CKF_USER_PIN_INITIALIZED) != 0;
    slot->max_pin = ti.ulMaxPinLen;
    tok_info_field(slot->serial, sizeof slot->serial, ti.serialNumber, sizeof ti.serialNumber);
    tok_info_field(slot->label, sizeof slot->label, ti.label, sizeof ti.label);
    tok_info_field(slot->manufacturer, sizeof slot->manufacturer, ti.manufacturerID, sizeof ti.manufacturerID);
    tok_info_field(slot->model, sizeof slot->model, ti.model, sizeof ti.model);
    return TOK_OK;
}

/* A CK_UTF8CHAR field of N bytes, blank-padded as a token reports it. */
static void
tok_pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
    size_t l = strlen(src);

    memset(dst, ' ', n);
    memcpy(dst, src, l < n ? l : n);
}

bool
tok_is_uri(const char *spec)
{
    return spec != NULL && strncasecmp(spec, "pkcs11:", 7) == 0;
}

bool
tok_uri_match(const struct tok_slot *slot, const char *uri_s)
{
    P11KitUri *uri;
    CK_TOKEN_INFO ti;
    bool ok;

    if (!slot->token || (uri = p11_kit_uri_new()) == NULL)
        return false;
    if (p11_kit_uri_parse(uri_s, P11_KIT_URI_FOR_TOKEN, uri) != P11_KIT_URI_OK) {
        p11_kit_uri_free(uri);
        return false;
    }
    memset(&ti, 0, sizeof ti);
    tok_pad(ti.label, sizeof ti.label, slot->label);
    tok_pad(ti.manufacturerID, sizeof ti.manufacturerID, slot->manufacturer);
    tok_pad(ti.model, sizeof ti.model, slot->model);
    tok_pad(ti.serialNumber, sizeof ti.serialNumber, slot->serial);
    ok = p11_kit_uri_match_token_info(uri, &ti) == 1;
    p11_kit_uri_free(uri);
    return ok;
}

int
tok_resolve(tok_ctx *ctx, const char *spec, char *serial, size_t n)
{
    struct tok_slot *hit = NULL;
    unsigned int i, hits = 0;

    if (!tok_is_uri(spec)) {
        snprintf(serial, n, "%s", spec);
        return TOK_OK;
    }
    {
        P11KitUri *uri = p11_kit_uri_new();
        int prc = uri ? p11_kit_uri_parse(spec, P11_KIT_URI_FOR_TOKEN, uri) : P11_KIT_URI_NO_MEMORY;
        p11_kit_uri_free(uri);
        if (prc != P11_KIT_URI_OK)
            return tok_fail(ctx, TOK_ERR_NO_KEY, "%s: not a PKCS#11 URI (%s)", spec, p11_kit_uri_message(prc));
    }
    (void)tok_slots_rescan(ctx);       /* a key just inserted */
    for (i = 0; i < ctx->ntab; i++)
        if (ctx->tab[i].token && !tok_is_hsm(ctx, &ctx->tab[i]) && tok_uri_match(&ctx->tab[i], spec)) {
            hit = &ctx->tab[i];
            hits++;
        }
    if (hits == 0)
        return tok_fail(ctx, TOK_ERR_NO_KEY, "no key matches %s", spec);
    if (hits > 1)
        return tok_fail(ctx, TOK_ERR_NO_KEY, "%u keys match %s: name one by its serial", hits, spec);
    snprintf(serial, n, "%s", hit->serial);
    return TOK_OK;
}

/*
 * A key the table does not know (initialised since, or a reader's new
 * slot): the module's slot list (no token reached), then C_GetTokenInfo for
 * the slots that are new or held no initialised token. Slots known
 * initialised are not asked again.
 */
int
tok_slots_rescan(tok_ctx *ctx)
{
    CK_SLOT_ID ids[TOK_SLOTS_MAX];
    CK_ULONG n = TOK_SLOTS_MAX, i;
    struct tok_slot now[TOK_SLOTS_MAX];
    unsigned int j, m = 0;
    CK_RV rv = ctx->fl->C_GetSlotList(CK_FALSE, ids, &n);

    if (rv != CKR_OK)
        return tok_fail(ctx, TOK_ERR_MODULE, "C_GetSlotList: 0x%lx", (unsigned long)rv);
    for (i = 0; i < n; i++) {
        struct tok_slot *old = NULL;
        for (j = 0; j < ctx->ntab; j++)
            if (ctx->tab[j].id == ids[i])
                old = &ctx->tab[j];
        if (old != NULL)
            now[m] = *old;
        else {
            memset(&now[m], 0, sizeof now[m]);
            now[m].id = ids[i];
        }
        if (old == NULL || !old->initialized)
            (void)tok_slot_read(ctx, &now[m]);
        m++;
    }
    memcpy(ctx->tab, now, m * sizeof now[0]);
    ctx->ntab = m;
    ctx->detail[0] = '\0';
    return TOK_OK;
}

/*
 * Forget every libp11 handle and enumerate again: the only safe way for
 * libp11 to see tokens initialised since, and objects deleted since (it
 * caches them). Closes every session, so the HSM and all keys are logged
 * out afterwards. Only provisioning and the HSM's own recovery need it: an
 * operation on a UKey reads its one slot (tok_slot_read).
 */
int
tok_refresh(tok_ctx *ctx)
{
    EVP_PKEY_free(ctx->ca_key);
    ctx->ca_key = NULL;
    ctx->hsm_logged_in = false;
    ctx->hsm_s = CK_INVALID_HANDLE;     /* closed with every session of the slot */
    ctx->master_h = CK_INVALID_HANDLE;
    if (ctx->slots != NULL)
        PKCS11_release_all_slots(ctx->p11, ctx->slots, ctx->nslots);
    ctx->slots = NULL;
    ctx->nslots = 0;
    ctx->ntab = 0;
    if (PKCS11_enumerate_slots(ctx->p11, &ctx->slots, &ctx->nslots) != 0) {
        ctx->slots = NULL;
        ctx->nslots = 0;
        return tok_fail(ctx, TOK_ERR_MODULE, "enumerate slots failed");
    }
    tok_slots_from_p11(ctx);
    ERR_clear_error();
    return TOK_OK;
}

PKCS11_SLOT *
tok_p11_slot(tok_ctx *ctx, struct tok_slot **slot)
{
    char serial[TOK_SERIAL_MAX];

    if (*slot == NULL)
        return NULL;
    if ((*slot)->p11 != NULL)
        return (*slot)->p11;
    snprintf(serial, sizeof serial, "%s", (*slot)->serial);
    if (tok_refresh(ctx) != TOK_OK || (*slot = tok_find_slot(ctx, serial)) == NULL)
        return NULL;
    return (*slot)->p11;
}

struct tok_slot *
tok_find_slot(tok_ctx *ctx, const char *serial)
{
    unsigned int i;

    for (i = 0; i < ctx->ntab; i++)
        if (ctx->tab[i].token && ctx->tab[i].initialized && strcmp(ctx->tab[i].serial, serial) == 0)
            return &ctx->tab[i];
    return NULL;
}

struct tok_slot *
tok_find_label(tok_ctx *ctx, const char *label)
{
    unsigned int i;

    for (i = 0; i < ctx->ntab; i++)
        if (ctx->tab[i].token && ctx->tab[i].initialized && strcmp(ctx->tab[i].label, label) == 0)
            return &ctx->tab[i];
    return NULL;
}

struct tok_slot *
tok_find_free(tok_ctx *ctx)
{
    unsigned int i;

    for (i = 0; i < ctx->ntab; i++)
        if (ctx->tab[i].token && !ctx->tab[i].initialized)
            return &ctx->tab[i];
    return NULL;
}

/* Slot of a present key SERIAL, asking the module once if the table does not know it. */
int
tok_present_slot(tok_ctx *ctx, const char *serial, struct tok_slot **slot)
{
    if (!tok_is_present(ctx, serial))
        return tok_fail(ctx, TOK_ERR_NO_KEY, "key %s not inserted", serial);
    *slot = tok_find_slot(ctx, serial);
    if (*slot == NULL && tok_slots_rescan(ctx) == TOK_OK)
        *slot = tok_find_slot(ctx, serial);
    if (*slot == NULL)
        return tok_fail(ctx, TOK_ERR_NO_KEY, "no token with serial %s", serial);
    return TOK_OK;
}

/* A raw read-write session on SLOT; the caller closes it with C_CloseSession. */
int
tok_raw_session(tok_ctx *ctx, const struct tok_slot *slot, CK_SESSION_HANDLE *out)
{
    CK_RV rv = ctx->fl->C_OpenSession(slot->id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, out);

    if (rv != CKR_OK)
        return tok_rv_fail(ctx, rv, "C_OpenSession");
    return TOK_OK;
}

long
tok_raw_attr(tok_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, void *buf, size_t n)
{
    CK_ATTRIBUTE a = { type, buf, n };
    CK_RV rv = ctx->fl->C_GetAttributeValue(s, h, &a, 1);

    if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > n) {
        tok_rv_fail(ctx, rv == CKR_OK ? CKR_BUFFER_TOO_SMALL : rv, "C_GetAttributeValue");
        return -1;
    }
    return (long)a.ulValueLen;
}

int
tok_raw_find_by(tok_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type, const void *v,
                size_t len, CK_OBJECT_HANDLE *h)
{
    CK_ATTRIBUTE q[] = { { CKA_CLASS, &cls, sizeof cls }, { type, (void *)v, len } };
    CK_ULONG found = 0;
    CK_RV rv = ctx->fl->C_FindObjectsInit(s, q, len > 0 ? 2 : 1);

    if (rv == CKR_OK) {
        rv = ctx->fl->C_FindObjects(s, h, 1, &found);
        ctx->fl->C_FindObjectsFinal(s);
    }
    if (rv != CKR_OK)
        return tok_rv_fail(ctx, rv, "C_FindObjects");
    return found > 0 ? 1 : 0;
}

int
tok_raw_find_id(tok_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const unsigned char *id, size_t idlen,
                CK_OBJECT_HANDLE *h)
{
    return tok_raw_find_by(ctx, s, cls, CKA_ID, id, idlen, h);
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
tok_is_hsm(const tok_ctx *ctx, const struct tok_slot *slot)
{
    if (!slot->token)
        return false;
    if (ctx->hsm_serial[0] != '\0' && strcmp(slot->serial, ctx->hsm_serial) == 0)
        return true;
    return strcmp(slot->label, TOK_HSM_LABEL) == 0;
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
        struct tok_slot *slot = tok_find_slot(ctx, serial);
        CK_TOKEN_INFO ti;
        return slot != NULL && ctx->fl->C_GetTokenInfo(slot->id, &ti) == CKR_OK;
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

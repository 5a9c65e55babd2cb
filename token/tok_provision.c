/*
 * token/tok_provision.c - `kiosk hall provision`: builds the embedded hall
 * under KIOSK_HOME, or reuses every part already there (idempotent: a second
 * run changes nothing and says what it reused).
 *
 *   dirs        tokens/ ports/ ca/ secrets/ (0700)
 *   softhsm2.conf  tokendir = HOME/tokens, file object store
 *   secrets/    hsm.pin, pay.key (random), demo.pin ("123456"); the HSM's
 *               SO PIN is random, used once to initialise it, and kept nowhere
 *   HSM         token "KIOSK-HSM": CA key (P-256, non-extractable) and the
 *               master secret for SO-PIN diversification (generic secret,
 *               non-extractable; HMAC computed in the HSM)
 *   ca/ca.crt   self-signed CA certificate signed by the HSM key
 *   blank1..3   initialised, no objects, SO PIN diversified from the serial
 *   demo        key pair on the key + certificate from our CA (tok_issue)
 *   test keys   foreign, expiring, expired, nocert, blank4..14 (--with-test-keys)
 *   kiosk.conf  written once with hsm_serial filled in
 *
 * Every key's user PIN is TOK_DEMO_PIN (secrets/demo.pin).
 */
#include "token/tok_int.h"
#include "kiosk/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "kiosk/clock.h"
#include "kiosk/config.h"

#define DAY (24L * 3600L)
#define YEAR (365L * DAY)

struct prov {
    const struct kiosk_config *cfg;
    const struct tok_prov_opts *opts;
    tok_ctx *ctx;
    char *err;
    size_t errlen;
};

static void
prov_report(struct prov *p, bool reused, enum tok_prov_item item, const char *a, const char *b, const char *fmt, ...)
{
    char what[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (p->opts != NULL && p->opts->report != NULL)
        p->opts->report(p->opts->report_arg, reused, item, a, b, what);
}

static int
prov_err(struct prov *p, int status, const char *fmt, ...)
{
    va_list ap;
    size_t l;

    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    if (p->ctx != NULL && tok_detail(p->ctx)[0] != '\0') {
        l = strlen(p->err);
        snprintf(p->err + l, p->errlen - l, ": %s", tok_detail(p->ctx));
    }
    return status;
}

/* mkdir unless present; 1 created, 0 present, -1 error. */
static int
prov_mkdir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0)
        return chmod(path, mode) == 0 ? 1 : -1;
    return errno == EEXIST ? 0 : -1;
}

/* Write CONTENT to PATH (mode MODE) unless it exists; 1 created, 0 present, -1 error. */
static int
prov_file(const char *path, const char *content, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    size_t l = strlen(content);

    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    if (write(fd, content, l) != (ssize_t)l) {
        close(fd);
        unlink(path);
        return -1;
    }
    return close(fd) == 0 ? 1 : -1;
}

/* A random secret of NBYTES bytes as hex into a 0600 file, unless present. */
static int
prov_secret(struct prov *p, const char *path, size_t nbytes)
{
    unsigned char r[64];
    char hex[2 * sizeof r + 2];
    size_t i;
    int rc;

    if (nbytes > sizeof r || RAND_bytes(r, (int)nbytes) != 1)
        return prov_err(p, TOK_ERR_INTERNAL, "%s: no random bytes", path);
    for (i = 0; i < nbytes; i++)
        snprintf(hex + 2 * i, 3, "%02x", r[i]);
    hex[2 * nbytes] = '\n';
    hex[2 * nbytes + 1] = '\0';
    rc = prov_file(path, hex, 0600);
    OPENSSL_cleanse(r, sizeof r);
    OPENSSL_cleanse(hex, sizeof hex);
    if (rc < 0)
        return prov_err(p, TOK_ERR_INTERNAL, "%s: %s", path, strerror(errno));
    prov_report(p, rc == 0, TPI_PATH, path, NULL, "%s", path);
    return TOK_OK;
}

static int
prov_dirs(struct prov *p)
{
    static const struct { const char *rel; mode_t mode; } dirs[] = {
        /* the state directory: others pass through (the print server's
         * filters reach its cupsd/), never read it */
        { "", 0711 }, { "tokens", 0700 }, { "ports", 0755 }, { "ca", 0755 }, { "secrets", 0700 },
    };
    char path[CFG_PATH_MAX + 16], conf[CFG_PATH_MAX * 2];
    size_t i;
    int rc;

    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s%s%s", p->cfg->home, dirs[i].rel[0] ? "/" : "", dirs[i].rel);
        if ((rc = prov_mkdir(path, dirs[i].mode)) < 0 || (dirs[i].rel[0] == '\0' && chmod(path, dirs[i].mode) != 0))
            return prov_err(p, TOK_ERR_INTERNAL, "%s: %s", path, strerror(errno));
        prov_report(p, rc == 0 && !(dirs[i].rel[0] == '\0' && p->opts != NULL && p->opts->home_new), TPI_PATH, path, NULL,
                    "%s/", path);
    }
    if (p->cfg->ports_dir[0] != '\0' && prov_mkdir(p->cfg->ports_dir, 0755) < 0)
        return prov_err(p, TOK_ERR_INTERNAL, "%s: %s", p->cfg->ports_dir, strerror(errno));
    snprintf(conf, sizeof conf,
             "# softhsm2.conf - SoftHSM of the embedded hall (written by kiosk hall provision)\n"
             "directories.tokendir = %s/tokens\n"
             "objectstore.backend = file\n"
             "log.level = ERROR\n"
             "slots.removable = false\n",
             p->cfg->home);
    if ((rc = prov_file(p->cfg->softhsm_conf, conf, 0644)) < 0)
        return prov_err(p, TOK_ERR_INTERNAL, "%s: %s", p->cfg->softhsm_conf, strerror(errno));
    prov_report(p, rc == 0, TPI_PATH, p->cfg->softhsm_conf, NULL, "%s", p->cfg->softhsm_conf);
    /* The hall's SoftHSM, whatever the environment said. */
    setenv("SOFTHSM2_CONF", p->cfg->softhsm_conf, 1);
    return TOK_OK;
}

static int
prov_secrets(struct prov *p)
{
    char path[CFG_PATH_MAX + 32];
    int rc;

    if ((rc = prov_secret(p, p->cfg->hsm_pin_file, 8)) != TOK_OK)
        return rc;
    /* The HSM's SO PIN is used once, to initialise it, and kept nowhere
     * (prov_hsm); a file an earlier provisioning left is removed. */
    snprintf(path, sizeof path, "%s/secrets/hsm.sopin", p->cfg->home);
    if (unlink(path) == 0)
        prov_report(p, false, TPI_SOPIN_DROPPED, path, NULL, "%s removed: the HSM's SO PIN is not kept", path);
    if ((rc = prov_secret(p, p->cfg->pay_hmac_key_file, 32)) != TOK_OK)
        return rc;
    snprintf(path, sizeof path, "%s/secrets/demo.pin", p->cfg->home);
    if ((rc = prov_file(path, TOK_DEMO_PIN "\n", 0600)) < 0)
        return prov_err(p, TOK_ERR_INTERNAL, "%s: %s", path, strerror(errno));
    prov_report(p, rc == 0, TPI_PATH, path, NULL, "%s", path);
    return TOK_OK;
}

static int
prov_hsm(struct prov *p)
{
    tok_ctx *ctx = p->ctx;
    struct tok_slot *slot = tok_find_label(ctx, TOK_HSM_LABEL);
    PKCS11_SLOT *p11 = NULL;
    char sopin[64], pin[64], plabel[33];
    bool created;
    int rc = TOK_OK;

    if (slot == NULL) {
        unsigned char r[16];
        size_t i;
        /* a random SO PIN, in memory only: nothing after provisioning needs it */
        if (RAND_bytes(r, (int)sizeof r) != 1)
            return prov_err(p, TOK_ERR_INTERNAL, "no random bytes for the HSM's SO PIN");
        for (i = 0; i < sizeof r; i++)
            snprintf(sopin + 2 * i, 3, "%02x", r[i]);
        OPENSSL_cleanse(r, sizeof r);
        if (tok_read_secret(p->cfg->hsm_pin_file, pin, sizeof pin) != 0) {
            OPENSSL_cleanse(sopin, sizeof sopin);
            return prov_err(p, TOK_ERR_HSM, "cannot read %s", p->cfg->hsm_pin_file);
        }
        tok_pad_label(plabel, TOK_HSM_LABEL);
        if ((slot = tok_find_free(ctx)) == NULL || (p11 = tok_p11_slot(ctx, &slot)) == NULL ||
            PKCS11_init_token(p11->token, sopin, plabel) != 0)
            rc = prov_err(p, TOK_ERR_HSM, "initialising the HSM token failed");
        p11 = NULL;
        if (rc == TOK_OK && (tok_refresh(ctx) != TOK_OK || (slot = tok_find_label(ctx, TOK_HSM_LABEL)) == NULL ||
                             (p11 = tok_p11_slot(ctx, &slot)) == NULL))
            rc = prov_err(p, TOK_ERR_HSM, "HSM token not found after C_InitToken");
        if (rc == TOK_OK && (PKCS11_open_session(p11, 1) != 0 || PKCS11_login(p11, 1, sopin) != 0 ||
                             PKCS11_init_pin(p11->token, pin) != 0))
            rc = prov_err(p, TOK_ERR_HSM, "setting the HSM user PIN failed");
        if (p11 != NULL)
            PKCS11_logout(p11);
        OPENSSL_cleanse(sopin, sizeof sopin);
        OPENSSL_cleanse(pin, sizeof pin);
        if (rc != TOK_OK)
            return rc;
        if (tok_refresh(ctx) != TOK_OK || (slot = tok_find_label(ctx, TOK_HSM_LABEL)) == NULL)
            return prov_err(p, TOK_ERR_HSM, "HSM token lost after initialisation");
        created = true;
    } else {
        created = false;
    }
    snprintf(ctx->hsm_serial, sizeof ctx->hsm_serial, "%s", slot->serial);
    prov_report(p, !created, TPI_HSM, TOK_HSM_LABEL, ctx->hsm_serial, "HSM %s (serial %s)", TOK_HSM_LABEL, ctx->hsm_serial);

    if ((rc = tok_hsm_ensure_master(ctx, &created)) != TOK_OK)
        return prov_err(p, rc, "master secret in the HSM");
    prov_report(p, !created, TPI_HSM_SECRET, NULL, NULL, "HSM master secret (non-extractable generic secret)");
    if ((rc = tok_hsm_ensure_ca_key(ctx, &created)) != TOK_OK)
        return prov_err(p, rc, "CA key in the HSM");
    prov_report(p, !created, TPI_CA_KEY, ctx->ca_key_label, NULL, "HSM CA key '%s' (P-256, non-extractable)", ctx->ca_key_label);
    return TOK_OK;
}

static int
prov_write_pem(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    int ok;

    if (f == NULL)
        return -1;
    ok = PEM_write_X509(f, x);
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int
prov_ca_cert(struct prov *p)
{
    tok_ctx *ctx = p->ctx;
    EVP_PKEY *key, *pub;
    X509 *x;
    time_t now = time(NULL);
    int rc;

    if ((rc = tok_ca_key(ctx, &key)) != TOK_OK)
        return prov_err(p, rc, "CA key");
    if ((pub = tok_pubkey_of(key)) == NULL)
        return prov_err(p, TOK_ERR_HSM, "public half of the CA key");
    x = tok_load_pem(p->cfg->ca_cert);
    if (x != NULL) {
        int same = EVP_PKEY_eq(X509_get0_pubkey(x), pub) == 1;
        EVP_PKEY_free(pub);
        if (!same) {
            X509_free(x);
            return prov_err(p, TOK_ERR_HSM, "%s does not belong to the CA key '%s' in the HSM",
                            p->cfg->ca_cert, ctx->ca_key_label);
        }
        prov_report(p, true, TPI_CA_CERT, p->cfg->ca_cert, NULL, "%s", p->cfg->ca_cert);
    } else {
        x = tok_make_ca_cert(key, pub, "Kiosk Demo CA", "Kiosk Demo Certificate Authority", now - 3600, now + 10 * YEAR);
        EVP_PKEY_free(pub);
        if (x == NULL)
            return prov_err(p, TOK_ERR_HSM, "signing the CA certificate in the HSM");
        if (prov_write_pem(p->cfg->ca_cert, x) != 0) {
            X509_free(x);
            return prov_err(p, TOK_ERR_INTERNAL, "%s: %s", p->cfg->ca_cert, strerror(errno));
        }
        prov_report(p, false, TPI_CA_CERT, p->cfg->ca_cert, NULL, "%s (CN=Kiosk Demo CA, signed in the HSM)", p->cfg->ca_cert);
    }
    X509_free(ctx->ca);
    ctx->ca = x;
    ERR_clear_error();
    return TOK_OK;
}

/* Serial of the key labelled LABEL, making a new key when there is none; *created says which. */
static int
prov_key(struct prov *p, const char *label, char *serial, bool *created)
{
    struct tok_slot *slot = tok_find_label(p->ctx, label);
    int rc;

    *created = slot == NULL;
    if (slot != NULL) {
        snprintf(serial, TOK_SERIAL_MAX, "%s", slot->serial);
        return TOK_OK;
    }
    if ((rc = tok_new_ukey(p->ctx, label, serial)) != TOK_OK)
        return prov_err(p, rc, "new key '%s'", label);
    return TOK_OK;
}

/* Does key SERIAL hold a certificate? */
static bool
prov_has_cert(struct prov *p, const char *serial)
{
    struct tok_slot *slot = tok_find_slot(p->ctx, serial);
    unsigned char *der = NULL;
    size_t len;
    bool has = slot != NULL && tok_raw_cert_der(p->ctx, slot, &der, &len) == TOK_OK;

    OPENSSL_free(der);
    p->ctx->detail[0] = '\0';
    return has;
}

/*
 * The key LABEL with user PIN TOK_DEMO_PIN and, unless WITH_CERT is false, a
 * certificate for SUBJ valid NB..NA signed by CA_KEY/CA_CERT (NULL = ours).
 */
static int
prov_cert_key(struct prov *p, const char *label, bool with_cert, const struct tok_subject *subj,
              time_t nb, time_t na, EVP_PKEY *ca_key, X509 *ca_cert)
{
    char serial[TOK_SERIAL_MAX];
    bool created;
    struct tok_slot *slot;
    int rc;

    if ((rc = prov_key(p, label, serial, &created)) != TOK_OK)
        return rc;
    slot = tok_find_slot(p->ctx, serial);
    if (!created && slot != NULL && slot->user_pin_set && (!with_cert || prov_has_cert(p, serial))) {
        prov_report(p, true, with_cert ? TPI_KEY_CERT : TPI_KEY, label, serial, "UKey %s (serial %s)", label, serial);
        return TOK_OK;
    }
    /* New, or left half-made by an interrupted run: finish it. */
    if ((rc = tok_init_blank(p->ctx, serial, label, TOK_DEMO_PIN)) != TOK_OK)
        return prov_err(p, rc, "initialising key '%s'", label);
    if (with_cert) {
        if (ca_key == NULL) {
            struct tok_cert cert;
            rc = tok_issue(p->ctx, serial, TOK_DEMO_PIN, subj, nb, na, p->cfg->key_algo, &cert);
            if (rc == TOK_OK && p->opts->on_cert != NULL)
                p->opts->on_cert(p->opts->report_arg, label, serial, &cert);
        } else {
            rc = tok_issue_with(p->ctx, serial, TOK_DEMO_PIN, subj, nb, na, p->cfg->key_algo, ca_key, ca_cert, NULL, NULL);
            if (tok_refresh(p->ctx) != TOK_OK && rc == TOK_OK)
                rc = TOK_ERR_MODULE;
        }
        if (rc != TOK_OK)
            return prov_err(p, rc, "issuing the certificate of key '%s'", label);
    }
    prov_report(p, false, with_cert ? TPI_KEY_CERT : TPI_KEY, label, serial, "UKey %s (serial %s)%s", label, serial,
                with_cert ? " + certificate" : "");
    return TOK_OK;
}

static void
prov_subject(struct tok_subject *s, const char *org, const char *uscc)
{
    memset(s, 0, sizeof *s);
    snprintf(s->org, sizeof s->org, "%s", org);
    snprintf(s->cn, sizeof s->cn, "%s", org);
    snprintf(s->uscc, sizeof s->uscc, "%s", uscc);
}

static int
prov_keys(struct prov *p)
{
    static const char *const blanks[] = { "blank1", "blank2", "blank3" };
    struct tok_subject subj;
    time_t now = time(NULL), nb, na;
    char serial[TOK_SERIAL_MAX];
    bool created;
    size_t i;
    int rc;

    for (i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        if ((rc = prov_key(p, blanks[i], serial, &created)) != TOK_OK)
            return rc;
        prov_report(p, !created, TPI_KEY_BLANK, blanks[i], serial, "UKey %s (serial %s, blank)", blanks[i], serial);
    }
    prov_subject(&subj, TOK_DEMO_ORG, TOK_DEMO_USCC);
    /* The demo certificate: the profile's default term, ending like every
     * certificate the counter issues (kiosk/clock.c, in the hall's zone). */
    clock_validity(now, cfg_profile(p->cfg)->default_years, &nb, &na);
    if ((rc = prov_cert_key(p, "demo", true, &subj, nb, na, NULL, NULL)) != TOK_OK)
        return rc;
    /* Records are not token/'s business: opts->on_cert lets the caller record new certificates. */
    if (!p->opts->with_test_keys)
        return TOK_OK;

    prov_subject(&subj, "天津市临期科技有限公司", "91120116MA05JQ5B87");
    if ((rc = prov_cert_key(p, "expiring", true, &subj, now + 30 * DAY - 3 * YEAR, now + 30 * DAY, NULL, NULL)) != TOK_OK)
        return rc;
    prov_subject(&subj, "天津市过期科技有限公司", "91120116MA05JQ6C2B");
    if ((rc = prov_cert_key(p, "expired", true, &subj, now - 10 * DAY - 3 * YEAR, now - 10 * DAY, NULL, NULL)) != TOK_OK)
        return rc;
    if ((rc = prov_cert_key(p, "nocert", false, NULL, 0, 0, NULL, NULL)) != TOK_OK)
        return rc;
    {
        /* More blank keys, so that each test issues onto a key of its own (a
         * key holding an active recorded certificate is never wiped). */
        static const char *const more[] = { "blank4", "blank5", "blank6", "blank7", "blank8", "blank9", "blank10", "blank11", "blank12", "blank13", "blank14",
                                            "blank15", "blank16", "blank17", "blank18", "blank19", "blank20",
                                            "blank21", "blank22", "blank23", "blank24", "blank25", "blank26",
                                            "blank27", "blank28", "blank29",
                                            "blank30", "blank31", "blank32", "blank33", "blank34", "blank35",
                                            "blank36", "blank37", "blank38", "blank39", "blank40", "blank41", "blank42" };
        for (i = 0; i < sizeof more / sizeof more[0]; i++) {
            if ((rc = prov_key(p, more[i], serial, &created)) != TOK_OK)
                return rc;
            prov_report(p, !created, TPI_KEY_BLANK, more[i], serial, "UKey %s (serial %s, blank)", more[i], serial);
        }
    }
    {
        /* A certificate from another CA (a software key; not ours, never in the HSM). */
        EVP_PKEY *fkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        X509 *fca = fkey ? tok_make_ca_cert(fkey, fkey, "Foreign Test CA", "Some Other CA", now - DAY, now + 5 * YEAR) : NULL;
        prov_subject(&subj, "重庆市外地科技有限公司", "91500000MA5U7AB17G");
        rc = fca == NULL ? prov_err(p, TOK_ERR_INTERNAL, "foreign CA")
                         : prov_cert_key(p, "foreign", true, &subj, now, now + YEAR, fkey, fca);
        X509_free(fca);
        EVP_PKEY_free(fkey);
    }
    return rc;
}

static int
prov_conf(struct prov *p)
{
    char path[CFG_PATH_MAX + 16];
    struct kiosk_config *c;
    int rc;

    snprintf(path, sizeof path, "%s/kiosk.conf", p->cfg->home);
    if (access(path, F_OK) == 0) {
        if (p->cfg->hsm_serial[0] != '\0' && strcmp(p->cfg->hsm_serial, p->ctx->hsm_serial) != 0)
            return prov_err(p, TOK_ERR_HSM, "%s: [token] hsm_serial = %s but the HSM's serial is %s",
                            path, p->cfg->hsm_serial, p->ctx->hsm_serial);
        prov_report(p, true, TPI_PATH, path, NULL, "%s", path);
        return TOK_OK;
    }
    if ((c = malloc(sizeof *c)) == NULL)
        return prov_err(p, TOK_ERR_INTERNAL, "out of memory");
    *c = *p->cfg;
    snprintf(c->hsm_serial, sizeof c->hsm_serial, "%s", p->ctx->hsm_serial);
    if (p->opts->printer_uri != NULL)
        snprintf(c->printer_uri, sizeof c->printer_uri, "%s", p->opts->printer_uri);
    rc = cfg_write_default(c, path);
    free(c);
    if (rc != 0)
        return prov_err(p, TOK_ERR_INTERNAL, "%s: %s", path, strerror(errno));
    prov_report(p, false, TPI_PATH, path, NULL, "%s", path);
    return TOK_OK;
}

int
tok_provision(const struct kiosk_config *cfg, const struct tok_prov_opts *opts, char *err, size_t errlen)
{
    static const struct tok_prov_opts none = { 0 };
    struct prov p = { .cfg = cfg, .opts = opts ? opts : &none, .err = err, .errlen = errlen };
    int rc;

    char lock[CFG_PATH_MAX + 32];
    int lockfd;

    err[0] = '\0';
    /* One provisioning at a time per hall (tests may start two at once). */
    (void)mkdir(cfg->home, 0755);
    snprintf(lock, sizeof lock, "%s/.provision.lock", cfg->home);
    if ((lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || flock(lockfd, LOCK_EX) != 0) {
        if (lockfd >= 0)
            close(lockfd);
        return prov_err(&p, TOK_ERR_INTERNAL, "%s: %s", lock, strerror(errno));
    }
    if ((rc = prov_dirs(&p)) != TOK_OK || (rc = prov_secrets(&p)) != TOK_OK ||
        (rc = tok_open(&p.ctx, cfg->module, NULL, NULL, NULL, err, errlen)) != TOK_OK) {
        close(lockfd);
        return rc;
    }
    tok_set_hsm(p.ctx, cfg->hsm_pin_file, cfg->ca_key_label, cfg->crl_url);
    tok_set_profile(p.ctx, cfg->issuer_url, cfg->policy_oid, cfg->eku);
    tok_set_uscc_attr(p.ctx, strcmp(cfg->uscc_attr, "serialNumber") == 0);
    if ((rc = prov_hsm(&p)) == TOK_OK && (rc = prov_ca_cert(&p)) == TOK_OK &&
        (rc = prov_keys(&p)) == TOK_OK)
        rc = prov_conf(&p);
    if (rc == TOK_OK)
        snprintf(err, errlen, "%s", p.ctx->hsm_serial);
    tok_close(p.ctx);
    close(lockfd);
    return rc;
}

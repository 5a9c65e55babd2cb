/*
 * kiosk/config.c - the options table and the INI reader (inih) behind
 * config.h. Adding an option is one line in cfg_options[] plus a field in
 * struct kiosk_config; defaults, parsing, validation and the commented
 * default file all come from that line.
 */
#include "kiosk/config.h"

#include "kiosk/msg.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum cfg_type { CFG_STR, CFG_PATH, CFG_INT, CFG_MONEY, CFG_ENUM };

struct cfg_option {
    const char *section;    /* INI section */
    const char *key;        /* INI key */
    enum cfg_type type;     /* how the value is parsed */
    size_t offset;          /* field in struct kiosk_config */
    size_t size;            /* field size (strings) */
    const char *def;        /* default, as it would be written in the file */
    long min, max;          /* bounds for CFG_INT / CFG_MONEY (yuan) */
    const char *choices;    /* CFG_ENUM: "a|b|c" */
    const char *help;       /* one line, written above the key */
};

/* A payment request URL must carry what the payment is: the order, the
 * amount and the HMAC over both (kiosk/payurl.h). */
static const char *
cfg_check_payurl(const char *value)
{
    if (strstr(value, "{order}") == NULL)
        return msg(M_CFG_WHY_NO_ORDER);
    if (strstr(value, "{amount}") == NULL)
        return msg(M_CFG_WHY_NO_AMOUNT);
    if (strstr(value, "{hmac}") == NULL && strstr(value, "{hmac128}") == NULL)
        return msg(M_CFG_WHY_NO_HMAC);
    return NULL;
}

/* Further checks of values that parsed: NULL or why not. */
static const struct {
    const char *section, *key;
    const char *(*check)(const char *value);
} cfg_checks[] = {
    { "payment", "url_template", cfg_check_payurl },
};

#define F(field) offsetof(struct kiosk_config, field), sizeof(((struct kiosk_config *)0)->field)
#define P(i, field) offsetof(struct kiosk_config, profiles[i].field), \
                    sizeof(((struct kiosk_config *)0)->profiles[i].field)

#define PROFILE_OPTIONS(i, sec, disp, media, svc, ren, lost, dmg, years, maxy, warranty, region, category, project) \
    { sec, "display_name", CFG_STR, P(i, display_name), disp, 0, 0, NULL, "CA name printed on forms and receipts" }, \
    { sec, "media_fee", CFG_MONEY, P(i, media_fee), media, 0, 100000, NULL, "UKey price on a new issue, yuan" }, \
    { sec, "service_fee_per_year", CFG_MONEY, P(i, service_fee_per_year), svc, 0, 100000, NULL, "certificate service fee per year, yuan" }, \
    { sec, "renewal_fee_per_year", CFG_MONEY, P(i, renewal_fee_per_year), ren, 0, 100000, NULL, "renewal fee per year, yuan" }, \
    { sec, "lost_media_fee", CFG_MONEY, P(i, lost_media_fee), lost, 0, 100000, NULL, "lost-key replacement, media only, yuan" }, \
    { sec, "damaged_media_fee", CFG_MONEY, P(i, damaged_media_fee), dmg, 0, 100000, NULL, "damaged-key replacement outside warranty, yuan" }, \
    { sec, "unlock_fee", CFG_MONEY, P(i, unlock_fee), "0", 0, 100000, NULL, "PIN unlock, yuan" }, \
    { sec, "default_years", CFG_INT, P(i, default_years), years, 1, 10, NULL, "validity term offered first, years" }, \
    { sec, "max_years", CFG_INT, P(i, max_years), maxy, 1, 10, NULL, "longest validity term offered, years" }, \
    { sec, "warranty_days", CFG_INT, P(i, warranty_days), warranty, -1, 3650, NULL, "a media fault is replaced free this many days from the key's first issue (-1: with no time limit)" }, \
    { sec, "renew_before_days", CFG_INT, P(i, renew_before_days), "90", 0, 3650, NULL, "renewable when fewer days than this remain" }, \
    { sec, "renew_after_expiry_days", CFG_INT, P(i, renew_after_expiry_days), "365", 0, 3650, NULL, "renewable up to this many days after expiry" }, \
    { sec, "renew_rekey", CFG_INT, P(i, renew_rekey), "1", 0, 1, NULL, "证书更新: 1 = a new key pair on the key (the default), 0 = the key pair kept and certified again" }, \
    { sec, "form_copies", CFG_INT, P(i, form_copies), "2", 1, 9, NULL, "copies of the application form" }, \
    { sec, "app_region", CFG_STR, P(i, app_region), region, 0, 0, NULL, "证书应用项目 region offered first on a new certificate's form" }, \
    { sec, "app_category", CFG_STR, P(i, app_category), category, 0, 0, NULL, "证书应用项目 category offered first" }, \
    { sec, "app_project", CFG_STR, P(i, app_project), project, 0, 0, NULL, "证书应用项目 project name offered first" }

static const struct cfg_option cfg_options[] = {
    { "hall", "name", CFG_STR, F(hall_name), "天津市政府采购中心 数字证书服务大厅", 0, 0, NULL, "hall name printed on receipts" },
    { "hall", "timezone", CFG_STR, F(timezone), "Asia/Shanghai", 0, 0, NULL, "the hall's time zone (a zoneinfo name): every time on screens, papers and certificates is in it, whatever the machine's TZ (\"\" = the machine's)" },
    { "hall", "login_note", CFG_STR, F(login_note), "", 0, 0, NULL, "a line under the sign-in prompt (whom to ask for a forgotten password, or where a demo hall keeps its passwords; \"\" = none)" },
    { "hall", "station", CFG_STR, F(station), "", 0, 0, NULL, "this counter machine's name; the print jobs it queues are its own (\"\" = a hall of one machine)" },
    { "hall", "lang", CFG_ENUM, F(lang), "zh", 0, 0, "zh|en", "interface language" },
    { "hall", "mode", CFG_ENUM, F(mode), "window66", 0, 0, "window66|window68|self", "counter mode when --mode is not given" },
    { "hall", "idle_lock_s", CFG_INT, F(idle_lock_s), "300", 2, 86400, NULL, "clerk screens lock after this many idle seconds" },
    { "hall", "self_idle_s", CFG_INT, F(self_idle_s), "120", 2, 86400, NULL, "self-service wipes the session after this many idle seconds" },

    { "token", "module", CFG_PATH, F(module), "/usr/lib/softhsm/libsofthsm2.so", 0, 0, NULL, "PKCS#11 module of the key readers and the HSM" },
    { "token", "ports_dir", CFG_PATH, F(ports_dir), "ports", 0, 0, NULL, "embedded hall: directory of plugged-key markers; empty for real readers" },
    { "token", "hsm_serial", CFG_STR, F(hsm_serial), "", 0, 0, NULL, "token serial of the HSM that holds the CA key" },
    { "token", "hsm_module", CFG_PATH, F(hsm_module), "", 0, 0, NULL, "the HSM's own PKCS#11 module (empty: [token] module serves the keys and the HSM)" },
    { "token", "hsm_uri", CFG_STR, F(hsm_uri), "", 0, 0, NULL, "the HSM as an RFC 7512 URI (pkcs11:token=KIOSK-HSM;serial=...), in place of hsm_serial; empty: hsm_serial" },
    { "token", "hsm_pin_file", CFG_PATH, F(hsm_pin_file), "secrets/hsm.pin", 0, 0, NULL, "file holding the HSM user PIN (mode 0600; the embedded demo hall and tests); empty: a supervisor types it at each start, kept in locked memory only" },
    { "token", "key_reinit", CFG_ENUM, F(key_reinit), "yes", 0, 0, "yes|no", "yes: keys are erased by C_InitToken with their SO PIN; no: never re-initialised (the key model refuses it), erased object by object, adopted by C_SetPIN only" },
    { "token", "factory_so_pin", CFG_STR, F(factory_so_pin), "", 0, 0, NULL, "factory SO PIN of the hall's key model, replaced by kiosk key adopt with the key's own (derived in the HSM); empty: read from stdin" },
    { "token", "softhsm_conf", CFG_PATH, F(softhsm_conf), "softhsm2.conf", 0, 0, NULL, "SoftHSM config, exported as SOFTHSM2_CONF before loading the module when that is unset and the file exists" },
    { "token", "key_algo", CFG_ENUM, F(key_algo), "rsa2048", 0, 0, "rsa2048|p256", "key pair generated on new UKeys" },
    { "token", "pin_max_tries", CFG_INT, F(pin_max_tries), "10", 1, 100, NULL, "wrong PINs before the key is locked" },

    { "ca", "cert", CFG_PATH, F(ca_cert), "ca/ca.crt", 0, 0, NULL, "issuing CA certificate (PEM)" },
    { "ca", "key_label", CFG_STR, F(ca_key_label), "kiosk-ca", 0, 0, NULL, "label of the CA private key in the HSM" },
    { "ca", "crl_url", CFG_STR, F(crl_url), "http://crl.example.invalid/kiosk-ca.crl", 0, 0, NULL, "CRL distribution point written into certificates" },
    { "ca", "crl_dir", CFG_PATH, F(crl_dir), "crl", 0, 0, NULL, "directory the CRL (kiosk-ca.crl) and the CA certificate (kiosk-ca.crt) are published to, served at crl_url / issuer_url" },
    { "ca", "crl_valid_h", CFG_INT, F(crl_valid_h), "24", 1, 8760, NULL, "hours from a CRL's thisUpdate to its nextUpdate (publish again before)" },
    { "ca", "hold_days", CFG_INT, F(hold_days), "30", 1, 365, NULL, "days a certificate reported lost stays on hold before it is revoked (keyCompromise)" },
    { "ca", "issuer_url", CFG_STR, F(issuer_url), "http://crl.example.invalid/kiosk-ca.crt", 0, 0, NULL, "where the CA certificate is served (authorityInfoAccess caIssuers in certificates; empty: none)" },
    { "ca", "policy_oid", CFG_STR, F(policy_oid), "1.3.6.1.4.1.32473.1.1", 0, 0, NULL, "certificatePolicies OID of issued certificates (the CA's CPS; the default is under RFC 5612's documentation arc: set your own; empty: none)" },
    { "ca", "eku", CFG_STR, F(eku), "clientAuth,emailProtection", 0, 0, NULL, "extendedKeyUsage of issued certificates (OpenSSL names, comma-separated)" },
    { "ca", "uscc_attr", CFG_ENUM, F(uscc_attr), "organizationIdentifier", 0, 0, "organizationIdentifier|serialNumber", "the subject attribute that carries the company's USCC (X.520 organizationIdentifier, or serialNumber as some CAs do)" },
    { "ca", "profile", CFG_ENUM, F(profile_name), "tianjin", 0, 0, "tianjin|bjca", "fee and validity profile in force" },

    { "seal", "scan_dir", CFG_PATH, F(seal_scan_dir), "scans", 0, 0, NULL, "window 68: directory the seal scanner writes its PNG or PDF images to (the clerk names one by its file name)" },
    { "seal", "image_max_kb", CFG_INT, F(seal_image_max_kb), "5120", 16, 51200, NULL, "window 68: the largest seal image taken, in KB" },

    { "db", "backend", CFG_ENUM, F(db_backend), "sqlite", 0, 0, "sqlite|postgresql", "the records: sqlite (this machine's file, [db] path) or postgresql (a hall's server, [db] conninfo; kiosk db check reaches it)" },
    { "db", "path", CFG_PATH, F(db_path), "kiosk.db", 0, 0, NULL, "SQLite database" },
    { "db", "conninfo", CFG_STR, F(db_conninfo), "", 0, 0, NULL, "the hall's records server (postgresql): a libpq connection string, e.g. host=db.hall port=5432 dbname=kiosk user=kiosk; never the password" },
    { "db", "password_file", CFG_PATH, F(db_password_file), "", 0, 0, NULL, "a file (mode 0600) holding the records server's password; empty: libpq's own (PGPASSFILE, ~/.pgpass)" },
    { "db", "witness", CFG_PATH, F(db_witness), "records-head", 0, 0, NULL, "postgresql: a file on this counter holding the audit trail's head as this counter last committed it (what the SQLite file's DB-head is beside it): rows cut off the end of the server's trail are found here by audit verify; empty: none" },
    { "db", "busy_ms", CFG_INT, F(db_busy_ms), "5000", 0, 600000, NULL, "wait this long for a busy database" },

    { "printer", "uri", CFG_STR, F(printer_uri), "ipp://localhost:8631/ipp/print", 0, 0, NULL, "ipp:// URI or cupsd queue name; empty for no printer" },
    { "printer", "timeout_ms", CFG_INT, F(printer_timeout_ms), "3000", 100, 600000, NULL, "connect and I/O timeout" },
    { "printer", "receipt_paper", CFG_ENUM, F(receipt_paper), "a5", 0, 0, "80mm|a5", "receipt paper" },

    { "payment", "url_template", CFG_STR, F(pay_url_template), "https://pay.example.invalid/p?o={order}&a={amount}&h={hmac128}", 0, 0, NULL, "payment request URL; {order} {amount} and {hmac} or {hmac128} (the MAC cut to 128 bits: a QR that fits 80x24)" },
    { "payment", "hmac_key_file", CFG_PATH, F(pay_hmac_key_file), "secrets/pay.key", 0, 0, NULL, "HMAC key for payment URLs" },
    { "payment", "timeout_s", CFG_INT, F(pay_timeout_s), "90", 5, 3600, NULL, "self-service: how long the payment QR waits for the provider's confirmation; the order then stays unpaid and resumable" },

    PROFILE_OPTIONS(CFG_PROFILE_TIANJIN, "profile.tianjin", "中环CA", "50", "50", "50", "50", "50", "3", "5", "-1", "天津", "政府采购", "天津市政府采购电子招投标系统"),
    PROFILE_OPTIONS(CFG_PROFILE_BJCA, "profile.bjca", "北京数字认证股份有限公司 (BJCA)", "80", "180", "180", "80", "80", "1", "5", "365", "北京", "政府采购", "北京市政府采购电子交易平台"),
};

#define CFG_NOPTIONS (sizeof(cfg_options) / sizeof(cfg_options[0]))

/* Where an installed kiosk keeps its configuration and its state (make
 * install sets both); a kiosk run from its checkout has neither and uses
 * ./var for both. */
#ifndef KIOSK_SYSCONFDIR
#define KIOSK_SYSCONFDIR ""
#endif
#ifndef KIOSK_STATEDIR
#define KIOSK_STATEDIR ""
#endif

const char *
cfg_system_conf(void)
{
    static const char path[] = KIOSK_SYSCONFDIR "/kiosk.conf";
    const char *env = getenv("KIOSK_HOME");

    if (KIOSK_SYSCONFDIR[0] == '\0' || (env != NULL && env[0] != '\0'))
        return NULL;
    return path;
}

bool
cfg_installed(void)
{
    return KIOSK_STATEDIR[0] != '\0';
}

const char *
cfg_installed_dir(bool state)
{
    return state ? KIOSK_STATEDIR : KIOSK_SYSCONFDIR;
}

void
cfg_home(char *out, size_t n)
{
    const char *env = getenv("KIOSK_HOME");
    char cwd[PATH_MAX];

    if (env != NULL && env[0] != '\0') {
        snprintf(out, n, "%s", env);
        return;
    }
    if (KIOSK_STATEDIR[0] != '\0') {
        snprintf(out, n, "%s", KIOSK_STATEDIR);
        return;
    }
    if (getcwd(cwd, sizeof cwd) == NULL)
        snprintf(cwd, sizeof cwd, ".");
    snprintf(out, n, "%s/var", cwd);
}

void
cfg_path(const struct kiosk_config *cfg, const char *rel, char *out, size_t n)
{
    if (rel[0] == '/' || rel[0] == '\0')
        snprintf(out, n, "%s", rel);
    else
        snprintf(out, n, "%s/%s", cfg->home, rel);
}

/* Parse one value into its field; returns NULL or a description of the error. */
static const char *
cfg_set(struct kiosk_config *cfg, const struct cfg_option *o, const char *value)
{
    char *field = (char *)cfg + o->offset;
    char *end;
    long v;

    switch (o->type) {
    case CFG_STR:
        if (strlen(value) >= o->size)
            return msg(M_CFG_WHY_LONG);
        snprintf(field, o->size, "%s", value);
        return NULL;
    case CFG_PATH: {
        char tmp[CFG_PATH_MAX];
        if (strlen(value) + strlen(cfg->home) + 2 > o->size)
            return msg(M_CFG_WHY_PATH_LONG);
        cfg_path(cfg, value, tmp, sizeof tmp);
        snprintf(field, o->size, "%s", tmp);
        return NULL;
    }
    case CFG_ENUM: {
        const char *c = o->choices;
        size_t len = strlen(value);
        while (c != NULL && *c != '\0') {
            const char *bar = strchr(c, '|');
            size_t clen = bar ? (size_t)(bar - c) : strlen(c);
            if (clen == len && strncmp(c, value, len) == 0) {
                snprintf(field, o->size, "%s", value);
                return NULL;
            }
            c = bar ? bar + 1 : NULL;
        }
        return msg(M_CFG_WHY_CHOICE);
    }
    case CFG_INT:
    case CFG_MONEY:
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0')
            return msg(M_CFG_WHY_NUMBER);
        if (v < o->min || v > o->max)
            return msg(M_CFG_WHY_RANGE);
        if (o->type == CFG_INT)
            *(int *)field = (int)v;
        else
            *(long *)field = v * 100;
        return NULL;
    }
    return msg(M_CFG_WHY_TYPE);
}

void
cfg_defaults(struct kiosk_config *cfg, const char *home)
{
    size_t i;

    memset(cfg, 0, sizeof *cfg);
    if (home != NULL && home[0] != '\0')
        snprintf(cfg->home, sizeof cfg->home, "%s", home);
    else
        cfg_home(cfg->home, sizeof cfg->home);
    for (i = 0; i < CFG_NOPTIONS; i++)
        (void)cfg_set(cfg, &cfg_options[i], cfg_options[i].def);
    snprintf(cfg->profiles[CFG_PROFILE_TIANJIN].name, sizeof cfg->profiles[0].name, "tianjin");
    snprintf(cfg->profiles[CFG_PROFILE_BJCA].name, sizeof cfg->profiles[1].name, "bjca");
}

struct cfg_parse {
    struct kiosk_config *cfg;
    char err[256];          /* first error, without the FILE:LINE prefix */
};

static int
cfg_handler(void *user, const char *section, const char *name, const char *value)
{
    struct cfg_parse *p = user;
    size_t i;
    const char *why;

    for (i = 0; i < CFG_NOPTIONS; i++) {
        if (strcmp(cfg_options[i].section, section) != 0 || strcmp(cfg_options[i].key, name) != 0)
            continue;
        why = cfg_set(p->cfg, &cfg_options[i], value);
        for (size_t c = 0; why == NULL && c < sizeof cfg_checks / sizeof cfg_checks[0]; c++)
            if (strcmp(cfg_checks[c].section, section) == 0 && strcmp(cfg_checks[c].key, name) == 0)
                why = cfg_checks[c].check(value);
        if (why != NULL) {
            if (cfg_options[i].choices != NULL)
                msg_fmt(p->err, sizeof p->err, M_CFG_BAD_CHOICE, section, name, value, why, cfg_options[i].choices);
            else
                msg_fmt(p->err, sizeof p->err, M_CFG_BAD_VALUE, section, name, value, why);
            return 0;
        }
        return 1;
    }
    msg_fmt(p->err, sizeof p->err, M_CFG_UNKNOWN_KEY, section, name);
    return 0;
}

/* inih's line buffer as Debian builds it (INI_MAX_LINE 200, the newline included). */
#define CFG_LINE_MAX 198
#define CFG_FILE_MAX (1024 * 1024)

static bool
cfg_section_known(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < CFG_NOPTIONS; i++)
        if (strlen(cfg_options[i].section) == len && strncmp(cfg_options[i].section, name, len) == 0)
            return true;
    return false;
}

/* S[0..*len) without blanks at either end. */
static const char *
cfg_trim(const char *s, size_t *len)
{
    while (*len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        (*len)--;
    }
    while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t' || s[*len - 1] == '\r'))
        (*len)--;
    return s;
}

/*
 * What the INI reader would pass over or misname, checked in the file's
 * bytes BUF (GOT of them) before it reads them: a NUL byte, a line longer
 * than the reader takes (said as the key's value too long), an unknown
 * section (even an empty one) and a key given twice. 0, or -1 with ERR
 * "PATH:LINE: ...".
 */
static int
cfg_prescan(const char *path, const char *buf, size_t got, char *err, size_t errlen)
{
    struct { char name[96]; int line; } seen[CFG_NOPTIONS];
    size_t nseen = 0, i;
    char section[64] = "";
    const char *p, *end;
    int line = 0;

    for (p = buf; p < buf + got; p = end + 1) {
        const char *nl = memchr(p, '\n', (size_t)(buf + got - p)), *k, *eq;
        size_t len, klen;

        end = nl != NULL ? nl : buf + got;
        line++;
        len = (size_t)(end - p);
        if (memchr(p, '\0', len) != NULL) {
            msg_fmt(err, errlen, M_CFG_NUL, path, line);
            return -1;
        }
        k = cfg_trim(p, &len);
        if (len == 0 || *k == ';' || *k == '#')
            continue;
        if (*k == '[') {
            const char *close = memchr(k, ']', len);
            size_t slen = close != NULL ? (size_t)(close - k - 1) : 0;
            if (close == NULL || !cfg_section_known(k + 1, slen)) {
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(close ? slen : len - 1 > 60 ? 60 : len - 1), k + 1);
                msg_fmt(err, errlen, M_CFG_UNKNOWN_SECTION, path, line, name);
                return -1;
            }
            snprintf(section, sizeof section, "%.*s", (int)slen, k + 1);
            continue;
        }
        eq = memchr(k, '=', len);
        klen = eq != NULL ? (size_t)(eq - k) : len;
        k = cfg_trim(k, &klen);
        if ((size_t)(end - p) > CFG_LINE_MAX) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(klen > 60 ? 60 : klen), k);
            msg_fmt(err, errlen, M_CFG_LINE_LONG, path, line, section, name, (int)(end - p), CFG_LINE_MAX);
            return -1;
        }
        if (eq == NULL)
            continue;           /* the reader names it */
        for (i = 0; i < nseen; i++) {
            size_t sl = strlen(section);
            if (strncmp(seen[i].name, section, sl) == 0 && seen[i].name[sl] == '\n' &&
                strlen(seen[i].name + sl + 1) == klen && strncmp(seen[i].name + sl + 1, k, klen) == 0) {
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(klen > 60 ? 60 : klen), k);
                msg_fmt(err, errlen, M_CFG_TWICE, path, line, section, name, seen[i].line);
                return -1;
            }
        }
        if (nseen < CFG_NOPTIONS) {
            snprintf(seen[nseen].name, sizeof seen[nseen].name, "%s\n%.*s", section, (int)(klen > 60 ? 60 : klen), k);
            seen[nseen++].line = line;
        }
    }
    return 0;
}

/* The file's bytes, NUL-terminated (malloc'd): read once, checked, then parsed. */
static char *
cfg_read(const char *path, size_t *got, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf;

    if (f == NULL) {
        msg_fmt(err, errlen, M_CFG_CANNOT_OPEN, path, strerror(errno));
        return NULL;
    }
    if ((buf = malloc(CFG_FILE_MAX + 1)) == NULL) {
        fclose(f);
        msg_fmt(err, errlen, M_CFG_NO_MEMORY, path);
        return NULL;
    }
    *got = fread(buf, 1, CFG_FILE_MAX + 1, f);
    if (ferror(f)) {
        msg_fmt(err, errlen, M_CFG_CANNOT_READ, path, strerror(errno));
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    if (*got > CFG_FILE_MAX) {
        msg_fmt(err, errlen, M_CFG_TOO_BIG, path, CFG_FILE_MAX);
        free(buf);
        return NULL;
    }
    buf[*got] = '\0';
    return buf;
}

int
cfg_load(struct kiosk_config *cfg, const char *path, char *err, size_t errlen)
{
    struct cfg_parse p = { .cfg = cfg, .err = "" };
    size_t got = 0;
    char *buf = cfg_read(path, &got, err, errlen);
    int rc;

    if (buf == NULL)
        return -1;
    if (cfg_prescan(path, buf, got, err, errlen) != 0) {
        free(buf);
        return -1;
    }
    rc = ini_parse_string(buf, cfg_handler, &p);
    free(buf);
    if (rc == -2) {
        msg_fmt(err, errlen, M_CFG_NO_MEMORY, path);
        return -1;
    }
    if (rc != 0) {
        msg_fmt(err, errlen, M_CFG_AT, path, rc, p.err[0] ? p.err : msg(M_CFG_SYNTAX));
        return -1;
    }
    snprintf(cfg->source, sizeof cfg->source, "%s", path);
    return 0;
}

int
cfg_load_hall(struct kiosk_config *cfg, const char *path, char *err, size_t errlen)
{
    char home_conf[CFG_PATH_MAX + 16];

    if (path == NULL && cfg_system_conf() != NULL) {
        /* installed: /etc/kiosk/kiosk.conf (main refuses to start without it,
         * but for provisioning, which may come first) */
        if (access(cfg_system_conf(), F_OK) != 0)
            return 0;
        path = cfg_system_conf();
    }
    if (path == NULL) {
        snprintf(home_conf, sizeof home_conf, "%s/kiosk.conf", cfg->home);
        if (access(home_conf, F_OK) != 0)
            return 0;
        path = home_conf;
    }
    return cfg_load(cfg, path, err, errlen);
}

const struct cfg_profile *
cfg_profile(const struct kiosk_config *cfg)
{
    int i;

    for (i = 0; i < CFG_PROFILE_COUNT; i++)
        if (strcmp(cfg->profiles[i].name, cfg->profile_name) == 0)
            return &cfg->profiles[i];
    return &cfg->profiles[CFG_PROFILE_TIANJIN];
}

/* Write the current value of O, paths relative to the state directory when they are inside it. */
static void
cfg_write_value(FILE *f, const struct kiosk_config *cfg, const struct cfg_option *o)
{
    const char *field = (const char *)cfg + o->offset;
    size_t hl = strlen(cfg->home);

    switch (o->type) {
    case CFG_PATH:
        if (strncmp(field, cfg->home, hl) == 0 && field[hl] == '/')
            field += hl + 1;
        /* FALLTHROUGH */
    case CFG_STR:
    case CFG_ENUM:
        fprintf(f, "%s\n", field);
        break;
    case CFG_INT:
        fprintf(f, "%d\n", *(const int *)field);
        break;
    case CFG_MONEY:
        fprintf(f, "%ld\n", *(const long *)field / 100);
        break;
    }
}

/* TEXT as "# " comment lines of at most 78 bytes, broken at spaces: no
 * line of the file may outgrow inih's buffer (CFG_LINE_MAX). */
static void
cfg_write_comment(FILE *f, const char *text)
{
    const size_t room = 76;

    while (*text != '\0') {
        size_t len = strlen(text), cut = len;
        if (len > room) {
            for (cut = room; cut > 0 && text[cut] != ' '; cut--)
                ;
            if (cut == 0)
                cut = room;     /* one word longer than a line (a URL): cut it */
        }
        fprintf(f, "# %.*s\n", (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

/* The file cfg_write_default writes, to F. */
static void
cfg_write_ini(FILE *f, const struct kiosk_config *cfg)
{
    const char *section = "";
    size_t i;

    fprintf(f, "# kiosk.conf - counter kiosk configuration.\n"
               "# Relative paths are taken from the state directory (KIOSK_HOME).\n");
    for (i = 0; i < CFG_NOPTIONS; i++) {
        const struct cfg_option *o = &cfg_options[i];
        if (strcmp(section, o->section) != 0) {
            section = o->section;
            fprintf(f, "\n[%s]\n", section);
        }
        char help[1024];
        snprintf(help, sizeof help, "%s%s%s", o->help, o->choices ? ": " : "", o->choices ? o->choices : "");
        cfg_write_comment(f, help);
        fprintf(f, "%s = ", o->key);
        cfg_write_value(f, cfg, o);
    }
}

int
cfg_write_default(const struct kiosk_config *cfg, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

    if (f == NULL)
        return -1;
    cfg_write_ini(f, cfg);
    if (f == stdout)
        return fflush(f) == 0 ? 0 : -1;
    return fclose(f) == 0 ? 0 : -1;
}

/* S as roff text: a backslash doubled, a line never starting with a dot or a quote. */
static void
cfg_roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s != '\0'; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

void
cfg_write_man(FILE *f, const char *version)
{
    const char *section = "";
    size_t i;

    fprintf(f, ".\\\" Generated by `kiosk config man` from the options table (kiosk/config.c): do not edit.\n"
               ".TH KIOSK.CONF 5 \"\" \"kiosk %s\" \"File Formats\"\n"
               ".SH NAME\nkiosk.conf \\- configuration of the counter kiosk\n"
               ".SH SYNOPSIS\n.I /etc/kiosk/kiosk.conf\n.br\n.I $KIOSK_HOME/kiosk.conf\n"
               ".SH DESCRIPTION\n"
               "An INI file read by\n.BR kiosk (1)\n"
               "at start-up: sections in brackets, one\n.IB key \" = \" value\n"
               "per line, comments starting with\n.B #\nor\n.BR ; .\n"
               "A key left out keeps the default shown below. "
               "An unknown section or key, a key given twice, a NUL byte, a line longer than 198 bytes "
               "or a value of the wrong type is refused with a message naming the file, the line and the key, "
               "and the kiosk exits with status 2.\n.PP\n"
               "Relative paths are taken from the state directory\n.RB ( KIOSK_HOME ,\n"
               "else /var/lib/kiosk for an installed kiosk).\n"
               "Amounts of money are whole yuan.\n"
               "The file must not be readable by others.\n"
               ".SH OPTIONS\n", version);
    for (i = 0; i < CFG_NOPTIONS; i++) {
        const struct cfg_option *o = &cfg_options[i];
        if (strcmp(section, o->section) != 0) {
            section = o->section;
            fprintf(f, ".SS [%s]\n", section);
        }
        fprintf(f, ".TP\n.B ");
        cfg_roff(f, o->key);
        fprintf(f, "\n");
        cfg_roff(f, o->help);
        fprintf(f, ".\n.br\n");
        switch (o->type) {
        case CFG_ENUM:
            fprintf(f, "One of: ");
            cfg_roff(f, o->choices);
            fprintf(f, ". ");
            break;
        case CFG_INT:
            fprintf(f, "An integer from %ld to %ld. ", o->min, o->max);
            break;
        case CFG_MONEY:
            fprintf(f, "Yuan, from %ld to %ld. ", o->min, o->max);
            break;
        case CFG_PATH:
            fprintf(f, "A path. ");
            break;
        case CFG_STR:
            fprintf(f, "Text of at most %zu bytes. ", o->size - 1);
            break;
        }
        fprintf(f, "Default: ");
        if (o->def[0] == '\0')
            fprintf(f, "empty");
        else {
            fprintf(f, "\\(lq");
            cfg_roff(f, o->def);
            fprintf(f, "\\(rq");
        }
        fprintf(f, ".\n");
    }
    fprintf(f, ".SH FILES\n.TP\n.I /etc/kiosk/kiosk.conf.example\n"
               "Every option with its default and help, as\n.B kiosk config example\nwrites it.\n"
               ".SH SEE ALSO\n.BR kiosk (1)\n");
}

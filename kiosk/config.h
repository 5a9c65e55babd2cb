/*
 * kiosk/config.h - the kiosk's configuration: one const table of options
 * (section, key, type, default, help) read from an INI file with inih.
 *
 * Relative paths in the file are taken relative to the state directory
 * (KIOSK_HOME). An unknown section or key, or a value of the wrong type, is
 * refused with "FILE:LINE: ..." naming the key (exit status 2 at start-up).
 */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CFG_PATH_MAX 512
#define CFG_STR_MAX  256

/* Fee and validity rules of one certificate authority. Amounts in fen (0.01 yuan). */
struct cfg_profile {
    char name[32];                /* "tianjin" or "bjca" */
    char display_name[CFG_STR_MAX]; /* shown on paper, e.g. "中环CA" */
    long media_fee;               /* one UKey, charged on new issue */
    long service_fee_per_year;    /* certificate service, per year of validity */
    long renewal_fee_per_year;    /* renewal, per year */
    long lost_media_fee;          /* lost-key replacement (no service fee) */
    long damaged_media_fee;       /* damaged-key replacement outside warranty */
    long unlock_fee;              /* PIN unlock */
    int  default_years;           /* validity term offered first */
    int  max_years;               /* longest term offered */
    int  warranty_days;           /* media warranty from first issue (-1: no time limit) */
    int  renew_rekey;             /* renewal: 1 new key pair, 0 the same one certified again */
    int  renew_before_days;       /* renewable when fewer days than this remain */
    int  renew_after_expiry_days; /* ... or expired no more than this many days */
    int  form_copies;             /* copies of the application form */
    /* 证书应用项目 offered first on the form (the clerk changes them) */
    char app_region[64];
    char app_category[64];
    char app_project[128];
};

enum { CFG_PROFILE_TIANJIN = 0, CFG_PROFILE_BJCA = 1, CFG_PROFILE_COUNT = 2 };

struct kiosk_config {
    char home[CFG_PATH_MAX];      /* state directory (KIOSK_HOME) */
    char source[CFG_PATH_MAX];    /* file the values came from, "" for defaults */

    /* [hall] */
    char hall_name[CFG_STR_MAX];  /* printed on receipts */
    char login_note[CFG_STR_MAX]; /* a line under the sign-in prompt ("" none) */
    char station[64];             /* this counter machine's name: its print jobs are its own */
    char timezone[64];            /* the hall's time zone (zoneinfo name), "" = the machine's */
    char lang[8];                 /* zh | en */
    char mode[16];                /* window66 | window68 | self */
    int  idle_lock_s;             /* clerk screen locks after this idle time */
    int  self_idle_s;             /* self-service wipes the session after this */

    /* [token] */
    char module[CFG_PATH_MAX];    /* PKCS#11 module */
    char ports_dir[CFG_PATH_MAX]; /* embedded hall: plugged-key markers; "" = real readers */
    char hsm_serial[32];          /* token serial of the HSM holding the CA key */
    char hsm_module[CFG_PATH_MAX]; /* the HSM's own PKCS#11 module ("" = [token] module) */
    char hsm_uri[CFG_STR_MAX];    /* the HSM as an RFC 7512 pkcs11: URI ("" = by hsm_serial) */
    char key_reinit[4];           /* yes | no: may a key be re-initialised (C_InitToken) to erase it */
    char factory_so_pin[32];      /* the hall's key model's factory SO PIN, replaced when a key is adopted */
    char hsm_pin_file[CFG_PATH_MAX]; /* file holding the HSM user PIN */
    char softhsm_conf[CFG_PATH_MAX]; /* SoftHSM config exported as SOFTHSM2_CONF when unset */
    char key_algo[16];            /* rsa2048 | p256 */
    int  pin_max_tries;           /* wrong PINs before the kiosk locks the key */

    /* [ca] */
    char ca_cert[CFG_PATH_MAX];   /* CA certificate (PEM) */
    char ca_key_label[64];        /* label of the CA key in the HSM */
    char crl_url[CFG_STR_MAX];    /* CRL distribution point put in certificates */
    char crl_dir[CFG_PATH_MAX];   /* where the CRL (kiosk-ca.crl) and kiosk-ca.crt are published */
    int crl_valid_h;              /* hours from thisUpdate to nextUpdate */
    char seal_scan_dir[CFG_PATH_MAX]; /* window 68: where the seal scanner leaves its images */
    int seal_image_max_kb;        /* the largest seal image taken */
    int hold_days;                /* a certificate on hold (reported lost) is revoked after this many days */
    char issuer_url[CFG_STR_MAX]; /* authorityInfoAccess caIssuers: where the CA certificate is served */
    char policy_oid[64];          /* certificatePolicies: the CA's policy (CPS) OID */
    char eku[128];                /* extendedKeyUsage of end-entity certificates */
    char uscc_attr[32];           /* the subject attribute holding the USCC */
    char profile_name[32];        /* tianjin | bjca */

    /* [db] */
    char db_backend[16];          /* sqlite | postgresql */
    char db_path[CFG_PATH_MAX];   /* SQLite database */
    char db_conninfo[CFG_STR_MAX]; /* the records server (postgresql) */
    char db_password_file[CFG_PATH_MAX]; /* its password, 0600; "" = libpq's own */
    char db_witness[CFG_PATH_MAX]; /* postgresql: this counter's copy of the audit trail's head */
    int  db_busy_ms;              /* busy timeout */

    /* [printer] */
    char printer_uri[CFG_STR_MAX]; /* ipp:// URI or cupsd queue name; "" = none */
    int  printer_timeout_ms;       /* connect and I/O timeout */
    char receipt_paper[16];        /* 80mm | a5 */

    /* [payment] */
    char pay_url_template[CFG_STR_MAX]; /* {order} {amount} {hmac} placeholders */
    char pay_hmac_key_file[CFG_PATH_MAX];
    int  pay_timeout_s;                 /* self-service: wait this long for the provider */

    struct cfg_profile profiles[CFG_PROFILE_COUNT];
};

/* Set every option to its default; home is KIOSK_HOME ("" = ./var). */
void cfg_defaults(struct kiosk_config *cfg, const char *home);

/*
 * Read PATH over the current values. Returns 0, or -1 with a one-line
 * message "PATH:LINE: ..." in err naming the key that is wrong.
 */
int cfg_load(struct kiosk_config *cfg, const char *path, char *err, size_t errlen);

/*
 * Read PATH, or when PATH is NULL the hall's own KIOSK_HOME/kiosk.conf if it
 * exists (defaults stay in force when it does not). Same contract as cfg_load.
 */
int cfg_load_hall(struct kiosk_config *cfg, const char *path, char *err, size_t errlen);

/* The profile named by [ca] profile (never NULL after a successful load). */
const struct cfg_profile *cfg_profile(const struct kiosk_config *cfg);

/* Write every option's current value with its help text as a commented INI file ("-": stdout). */
int cfg_write_default(const struct kiosk_config *cfg, const char *path);

/* Write kiosk.conf(5), every option of the table with its type, bounds, default and help, to F (a FILE *). */
void cfg_write_man(FILE *f, const char *version);

/* Resolve KIOSK_HOME: $KIOSK_HOME, else the installed state directory
 * (/var/lib/kiosk), else "./var" made absolute (a checkout). */
void cfg_home(char *out, size_t n);

/* The installed configuration file (/etc/kiosk/kiosk.conf) when this is an
 * installed kiosk and KIOSK_HOME is not set; NULL otherwise (the hall's
 * KIOSK_HOME/kiosk.conf, when it exists, is read instead). */
const char *cfg_system_conf(void);

/* Built by make install (state in /var/lib/kiosk, configuration in /etc/kiosk). */
bool cfg_installed(void);
/* The state directory (STATE) or configuration directory it was built with ("" in a checkout). */
const char *cfg_installed_dir(bool state);

/* Join the state directory and a relative path (absolute paths kept). */
void cfg_path(const struct kiosk_config *cfg, const char *rel, char *out, size_t n);

/* How CFG's [db] and [hall] station reach the records (data/store.h), for
 * store_open and store_probe (kiosk/cli_util.c: the options are base, the
 * records are not). */
struct store_opts;
void cfg_store_opts(const struct kiosk_config *cfg, struct store_opts *o);

#endif

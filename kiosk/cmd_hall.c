/*
 * kiosk/cmd_hall.c - `kiosk hall provision [--printer-uri URI] [--crl-base URL] [--with-test-keys]`:
 * create or reuse the embedded hall under KIOSK_HOME (see token/tok_provision.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kiosk/auditkey.h"
#include "kiosk/cli.h"
#include "kiosk/msg.h"
#include "data/store.h"
#include "token/token.h"

/* Records of the certificates provisioning issues (our CA's, on hall keys). */
struct hall_records {
    const struct kiosk_config *cfg;
    store *st;
    int failed;
};

static void
hall_on_cert(void *arg, const char *label, const char *serial, const struct tok_cert *cert)
{
    struct hall_records *r = arg;
    struct store_cert c;
    char detail[256];

    if (r->st == NULL)
        return;
    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "%s", cert->serial_hex);
    snprintf(c.uscc, sizeof c.uscc, "%s", cert->uscc);
    snprintf(c.holder, sizeof c.holder, "%s", cert->holder);
    snprintf(c.subject, sizeof c.subject, "%s", cert->subject);
    snprintf(c.key_serial, sizeof c.key_serial, "%s", serial);
    snprintf(c.kind, sizeof c.kind, "unit");
    c.not_before = cert->not_before;
    c.not_after = cert->not_after;
    c.first_issue = cert->not_before;
    c.state = CERT_ACTIVE;
    c.reason = REASON_NONE;
    snprintf(c.fpr, sizeof c.fpr, "%s", cert->fpr);
    c.der = cert->der_len > 0 ? cert->der : NULL;
    c.der_len = cert->der_len;
    if (store_cert_put(r->st, &c) != STORE_OK) {
        r->failed++;
        return;
    }
    snprintf(detail, sizeof detail, "provisioned key=%s label=%s cert=%s", serial, label, c.serial);
    (void)store_audit(r->st, "admin", "provision_cert", detail);
}

static void
hall_report(void *arg, bool reused, enum tok_prov_item item, const char *a, const char *b, const char *what)
{
    static const enum msg_id says[] = {
        [TPI_PATH] = M_TOK_PROV_I_PATH, [TPI_SOPIN_DROPPED] = M_TOK_PROV_I_SOPIN_DROPPED,
        [TPI_HSM] = M_TOK_PROV_I_HSM, [TPI_HSM_SECRET] = M_TOK_PROV_I_HSM_SECRET, [TPI_CA_KEY] = M_TOK_PROV_I_CA_KEY,
        [TPI_CA_CERT] = M_TOK_PROV_I_CA_CERT, [TPI_KEY] = M_TOK_PROV_I_KEY, [TPI_KEY_BLANK] = M_TOK_PROV_I_KEY_BLANK,
        [TPI_KEY_CERT] = M_TOK_PROV_I_KEY_CERT,
    };
    struct hall_records *r = arg;
    char line[800], thing[600];

    /* what was made or found, in the catalogue's words (the technical line goes to the audit) */
    msg_fmt(thing, sizeof thing, says[item], a != NULL ? a : "", b != NULL ? b : "");
    if (item == TPI_SOPIN_DROPPED)
        puts(thing);
    else
        puts(msg_fmt(line, sizeof line, reused ? M_TOK_PROV_REUSED : M_TOK_PROV_CREATED, thing));
    /* what provisioning made (the HSM, its master secret, the CA key and
     * certificate, each key initialised with its SO PIN) is audited */
    if (!reused && r != NULL && r->st != NULL && store_audit(r->st, "admin", "hall.create", what) != STORE_OK)
        r->failed++;
}

static int
hall_provision_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct audit_key akey;
    static struct kiosk_config eff;
    struct hall_records rec = { .cfg = cfg };
    struct store_opts so;
    struct tok_prov_opts opts = { .report = hall_report, .on_cert = hall_on_cert, .report_arg = &rec };
    char err[1024], line[1200];
    enum msg_lang lang;
    int i, rc;

    if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_CFG_ERR, err));
        return 2;
    }
    if (msg_parse_lang(eff.lang, &lang) == 0)
        msg_set_lang(lang);
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--with-test-keys") == 0)
            opts.with_test_keys = true;
        else if (strcmp(argv[i], "--printer-uri") == 0 && i + 1 < argc)
            opts.printer_uri = argv[++i];
        else if (strcmp(argv[i], "--crl-base") == 0 && i + 1 < argc) {
            /* where the hall's publication point serves the CRL and the CA certificate */
            snprintf(eff.crl_url, sizeof eff.crl_url, "%s/kiosk-ca.crl", argv[++i]);
            snprintf(eff.issuer_url, sizeof eff.issuer_url, "%s/kiosk-ca.crt", argv[i]);
        }
        else {
            fprintf(stderr, "%s\n", msg(M_TOK_PROV_USAGE));
            return 2;
        }
    }
    opts.home_new = mkdir(eff.home, 0711) == 0;    /* a new hall is said to be new */
    (void)mkdir(eff.seal_scan_dir, 0750);    /* window 68's scanner drops seal images here */
    /* a hall already there (its HSM named): its rows keyed from the first; a new
     * hall's module is not loaded before provisioning has written its configuration */
    memset(&akey, 0, sizeof akey);
    if (eff.hsm_serial[0] != '\0')
        audit_key_fetch(&eff, NULL, &akey);
    cfg_store_opts(&eff, &so);
    if (store_open(&rec.st, &so, err, sizeof err) != STORE_OK) {
        (void)audit_key_use(&akey, NULL);
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_PROV_FAILED, err));
        return 1;
    }
    (void)audit_key_use(&akey, rec.st);
    rc = tok_provision(&eff, &opts, err, sizeof err);
    if (rc == 0 && store_audit_key_id(rec.st)[0] == '\0')
        (void)audit_key_apply(&eff, NULL, rec.st);     /* a new hall: keyed from here on, the rows above sealed */
    store_close(rec.st);
    if (rc != 0 || rec.failed > 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_PROV_FAILED, rc != 0 ? err : eff.db_path));
        return 1;
    }
    puts(msg_fmt(line, sizeof line, M_TOK_PROV_DONE, eff.home, err));
    return 0;
}

const struct cli_cmd cmd_hall_provision = {
    .group = "hall", .name = "provision", .usage = "[--printer-uri URI] [--crl-base URL] [--with-test-keys]",
    .help = M_CLI_H_HALL_PROVISION, .exec = hall_provision_exec,
};

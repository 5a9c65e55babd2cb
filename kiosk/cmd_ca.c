/*
 * kiosk/cmd_ca.c - the CA operator's commands:
 *
 *   kiosk ca crl [--out FILE]     sign the current CRL in the HSM; publish it (and
 *                                 the CA certificate) to [ca] crl_dir, or write FILE
 *   kiosk ca revoke SERIAL --reason R --as LOGIN
 *                                 revoke a certificate; LOGIN is a supervisor whose
 *                                 password is read from standard input; audited
 *   kiosk ca hold|release SERIAL --as LOGIN
 *                                 report lost (挂失: certificateHold on the CRL, revoked
 *                                 after [ca] hold_days) / release the hold (解挂)
 *   kiosk ca status SERIAL        what the records say about a certificate
 *
 * Bad input (unknown serial, revoked already, unknown reason) is one line
 * and exit status 2, with nothing changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "kiosk/cli.h"
#include "kiosk/session.h"
#include "kiosk/engine.h"
#include "kiosk/msg.h"
#include "kiosk/rules.h"

/* The records and the HSM for a CA command; 0, or the exit status (said). */
static int
ca_open(const struct kiosk_config *cfg, struct kiosk_config *eff, struct txn_env *env, bool need_tok)
{
    char err[1024], line[1200];
    enum msg_lang lang;

    memset(env, 0, sizeof *env);
    if (tok_cfg_effective(cfg, eff, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_CFG_ERR, err));
        return 2;
    }
    if (msg_parse_lang(eff->lang, &lang) == 0)
        msg_set_lang(lang);
    env->cfg = eff;
    env->window = "ca";
    if ((env->st = cli_store_open(eff)) == NULL)
        return 1;
    if (need_tok && tok_open_cfg(&env->tok, eff, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_TOK_MODULE_LOAD, err));
        store_close(env->st);
        return 1;
    }
    return 0;
}

static void
ca_close(struct txn_env *env)
{
    if (env->tok != NULL)
        tok_close(env->tok);
    store_close(env->st);
}

static const char *
ca_day(char *buf, size_t n, time_t t)
{
    struct tm tm;

    if (t == 0 || localtime_r(&t, &tm) == NULL)
        snprintf(buf, n, "-");
    else
        strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

static int
ca_crl_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    static struct kiosk_config eff;
    struct txn_env env;
    char err[1024], line[1400];
    unsigned char *der = NULL;
    size_t len = 0;
    const char *out = NULL;
    int rc;

    if (argc == 2 && strcmp(argv[0], "--out") == 0)
        out = argv[1];
    else if (argc != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_USAGE, "ca crl", "[--out FILE]"));
        return 2;
    }
    if ((rc = ca_open(cfg, &eff, &env, true)) != 0)
        return rc;
    if (out == NULL) {
        rc = txn_ca_publish(&env, err, sizeof err);
        if (rc == 0)
            printf("%s\n", msg_fmt(line, sizeof line, M_CA_CRL_PUBLISHED, eff.crl_dir, eff.crl_url));
    } else if ((rc = txn_ca_crl(&env, &der, &len, err, sizeof err)) == 0) {
        FILE *f = fopen(out, "wb");
        rc = f == NULL || fwrite(der, 1, len, f) != len;
        if (f != NULL && fclose(f) != 0)
            rc = -1;
        if (rc != 0)
            snprintf(err, sizeof err, "%s: cannot write", out);
        else
            printf("%s\n", msg_fmt(line, sizeof line, M_CA_CRL_WRITTEN, out, (unsigned long)len));
        OPENSSL_free(der);
    }
    if (rc != 0)
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_CRL_FAILED, err));
    ca_close(&env);
    return rc == 0 ? 0 : 1;
}

static int
ca_revoke_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    static struct kiosk_config eff;
    struct txn_env env;
    struct store_cert c;
    const char *serial = NULL, *reason_name = NULL, *login = NULL;
    char err[1024], line[1400], when[32];
    bool published;
    int reason, rc, i;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
            reason_name = argv[++i];
        else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
            login = argv[++i];
        else if (serial == NULL && argv[i][0] != '-')
            serial = argv[i];
        else
            serial = NULL, i = argc + 1;
    }
    if (serial == NULL || reason_name == NULL || login == NULL || i > argc) {
        fprintf(stderr, "%s\n", msg(M_CA_REVOKE_USAGE));
        return 2;
    }
    if (rules_reason_parse(reason_name, &reason) != 0) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_BAD_REASON, reason_name, rules_reason_list()));
        return 2;
    }
    if ((rc = ca_open(cfg, &eff, &env, true)) != 0)
        return rc;
    rc = store_cert_get(env.st, serial, &c);
    if (rc == STORE_ERR_NOT_FOUND) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_UNKNOWN_SERIAL, serial));
        ca_close(&env);
        return 2;
    }
    /* a certificate on hold (挂失) may still be revoked for good: only a final revocation is refused */
    if (rc == STORE_OK && c.state == CERT_REVOKED && c.reason != REASON_HOLD) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_ALREADY, serial, ca_day(when, sizeof when, c.revoked_at),
                                              msg(txn_reason_msg(c.reason))));
        ca_close(&env);
        return 2;
    }
    if (!cli_supervisor(env.st, login, "cert", serial, "cert.revoke_denied")) {
        ca_close(&env);
        return 1;
    }
    rc = txn_ca_change(&env, CA_REVOKE, serial, reason, login, &published, err, sizeof err);
    if (rc == STORE_ERR_CONFLICT) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_ALREADY, serial, "-", "-"));
        ca_close(&env);
        return 2;
    }
    if (rc != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, eff.db_path, store_detail(env.st)));
        ca_close(&env);
        return 1;
    }
    printf("%s\n", msg_fmt(line, sizeof line, M_CA_REVOKED, serial, reason_name));
    if (!published)
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_CRL_FAILED, err));
    ca_close(&env);
    return published ? 0 : 1;
}

/* kiosk ca hold|release SERIAL --as SUPERVISOR */
static int
ca_change_exec(const struct kiosk_config *cfg, int argc, char **argv, enum txn_ca_op op)
{
    static struct kiosk_config eff;
    struct txn_env env;
    struct store_cert c;
    char err[1024], line[1400];
    bool published;
    int rc;

    if (argc != 3 || strcmp(argv[1], "--as") != 0 || argv[0][0] == '-') {
        fprintf(stderr, "%s\n", msg(M_CA_CHANGE_USAGE));
        return 2;
    }
    if ((rc = ca_open(cfg, &eff, &env, true)) != 0)
        return rc;
    if ((rc = store_cert_get(env.st, argv[0], &c)) != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_UNKNOWN_SERIAL, argv[0]));
        ca_close(&env);
        return 2;
    }
    if (!cli_supervisor(env.st, argv[2], "cert", argv[0], op == CA_HOLD ? "cert.hold_denied" : "cert.release_denied")) {
        ca_close(&env);
        return 1;
    }
    rc = txn_ca_change(&env, op, argv[0], REASON_HOLD, argv[2], &published, err, sizeof err);
    if (rc == STORE_ERR_CONFLICT) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_NOT_APPLICABLE, argv[0], store_detail(env.st)));
        ca_close(&env);
        return 2;
    }
    if (rc != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, eff.db_path, store_detail(env.st)));
        ca_close(&env);
        return 1;
    }
    if (op == CA_HOLD)
        printf("%s\n", msg_fmt(line, sizeof line, M_CA_HELD, argv[0], eff.hold_days));
    else
        printf("%s\n", msg_fmt(line, sizeof line, M_CA_RELEASED, argv[0]));
    if (!published)
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_CRL_FAILED, err));
    ca_close(&env);
    return published ? 0 : 1;
}

static int ca_hold_exec(const struct kiosk_config *cfg, int argc, char **argv) { return ca_change_exec(cfg, argc, argv, CA_HOLD); }
static int ca_release_exec(const struct kiosk_config *cfg, int argc, char **argv) { return ca_change_exec(cfg, argc, argv, CA_RELEASE); }

static int
ca_status_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    static struct kiosk_config eff;
    struct txn_env env;
    struct store_cert c;
    char line[1400], a[32], b[32];
    int rc;

    if (argc != 1 && !(argc == 3 && strcmp(argv[1], "--out") == 0)) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_USAGE, "ca status", "SERIAL [--out FILE.der]"));
        return 2;
    }
    if ((rc = ca_open(cfg, &eff, &env, false)) != 0)
        return rc;
    rc = store_cert_get(env.st, argv[0], &c);
    if (rc != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", rc == STORE_ERR_NOT_FOUND ? msg_fmt(line, sizeof line, M_CA_UNKNOWN_SERIAL, argv[0])
                                                                : msg_fmt(line, sizeof line, M_DATA_DB_ERR, eff.db_path, store_detail(env.st)));
        ca_close(&env);
        return rc == STORE_ERR_NOT_FOUND ? 2 : 1;
    }
    printf("%s\n", msg_fmt(line, sizeof line, M_CA_STATUS, c.serial,
                           msg(c.state == CERT_REVOKED ? (c.reason == REASON_HOLD ? M_CA_STATE_HELD : M_CA_STATE_REVOKED)
                               : c.state == CERT_SUPERSEDED ? M_CA_STATE_SUPERSEDED
                                                       : c.not_after < time(NULL) ? M_CA_STATE_EXPIRED : M_CA_STATE_ACTIVE),
                           c.holder, c.uscc, ca_day(a, sizeof a, c.not_before), ca_day(b, sizeof b, c.not_after)));
    if (c.state == CERT_REVOKED)
        printf("%s\n", msg_fmt(line, sizeof line, M_CA_STATUS_REVOKED, ca_day(a, sizeof a, c.revoked_at),
                               rules_reason_name(c.reason) ? rules_reason_name(c.reason) : msg(txn_reason_msg(c.reason))));
    if (c.fpr[0] != '\0')
        printf("SHA-256 %s\n", c.fpr);
    if (argc == 3) {
        /* the certificate as issued, from the records (the CA keeps it for years) */
        unsigned char *der = NULL;
        size_t len = 0;
        FILE *f;
        rc = store_cert_der(env.st, c.serial, &der, &len);
        if (rc == STORE_OK && (f = fopen(argv[2], "wb")) != NULL) {
            rc = fwrite(der, 1, len, f) == len ? STORE_OK : STORE_ERR_IO;
            if (fclose(f) != 0)
                rc = STORE_ERR_IO;
        } else if (rc == STORE_OK) {
            rc = STORE_ERR_IO;
        }
        free(der);
        if (rc != STORE_OK) {
            fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_CA_DER_FAILED, c.serial, argv[2]));
            ca_close(&env);
            return 1;
        }
        printf("%s\n", msg_fmt(line, sizeof line, M_CA_DER_WRITTEN, argv[2], (unsigned long)len));
    }
    ca_close(&env);
    return 0;
}

const struct cli_cmd cmd_ca_crl = {
    .group = "ca", .name = "crl", .usage = "[--out FILE]",
    .help = M_CLI_H_CA_CRL, .exec = ca_crl_exec,
};

const struct cli_cmd cmd_ca_revoke = {
    .group = "ca", .name = "revoke", .usage = "SERIAL --reason REASON --as SUPERVISOR",
    .help = M_CLI_H_CA_REVOKE,
    .exec = ca_revoke_exec,
};

const struct cli_cmd cmd_ca_status = {
    .group = "ca", .name = "status", .usage = "SERIAL [--out FILE.der]",
    .help = M_CLI_H_CA_STATUS, .exec = ca_status_exec,
};

const struct cli_cmd cmd_ca_hold = {
    .group = "ca", .name = "hold", .usage = "SERIAL --as SUPERVISOR",
    .help = M_CLI_H_CA_HOLD,
    .exec = ca_hold_exec,
};

const struct cli_cmd cmd_ca_release = {
    .group = "ca", .name = "release", .usage = "SERIAL --as SUPERVISOR",
    .help = M_CLI_H_CA_RELEASE, .exec = ca_release_exec,
};

/*
 * bench/token_read.c - how long reading and checking the demo certificate
 * takes through token/ versus the command-line tools, in the same run:
 *
 *   tok_read_cert (open context)      read + parse + verify against the CA, in process
 *   tok_open + read + close           the same, loading the module each time
 *   pkcs11-tool + openssl x509        --read-object, then parse (two processes)
 *   ... + openssl verify              and verify against ca/ca.crt (three processes)
 *
 * Uses $KIOSK_HOME when it holds a provisioned hall, else provisions one in
 * a temporary directory. Prints medians of N runs (default 50; argv[1]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "kiosk/config.h"
#include "token/token.h"

int
main(int argc, char **argv)
{
    static struct kiosk_config base, cfg;
    int n = argc > 1 ? atoi(argv[1]) : 50, i, bad = 0;
    double *t = calloc((size_t)(n > 0 ? n : 1), sizeof *t);
    char err[1024], conf[1100], tmpl[] = "/tmp/kiosk-bench-XXXXXX", cmd[4096], serial[TOK_SERIAL_MAX] = "";
    struct tok_dev_result dev;
    char *home = getenv("KIOSK_HOME");
    struct tok_key keys[16];
    struct tok_cert c;
    size_t nk = 0, k;
    tok_ctx *ctx;
    bool own = false;

    if (n < 1 || t == NULL)
        return 2;
    snprintf(conf, sizeof conf, "%s/kiosk.conf", home ? home : "");
    if (home == NULL || access(conf, R_OK) != 0) {
        struct tok_prov_opts opts = { 0 };
        if (mkdtemp(tmpl) == NULL)
            return 1;
        setenv("KIOSK_HOME", tmpl, 1);
        cfg_defaults(&base, tmpl);
        if (tok_provision(&base, &opts, err, sizeof err) != 0) {
            fprintf(stderr, "token_read: provisioning %s failed: %s\n", tmpl, err);
            return 1;
        }
        own = true;
    }
    cfg_defaults(&base, NULL);
    if (tok_cfg_effective(&base, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "token_read: %s\n", err);
        return 1;
    }
    setenv("SOFTHSM2_CONF", cfg.softhsm_conf, 1);
    if (tok_dev_plug(cfg.module, cfg.ports_dir, "demo", &dev) != 0) {
        fprintf(stderr, "token_read: cannot plug the demo key (outcome %d)\n", (int)dev.outcome);
        return 1;
    }
    if (tok_open_cfg(&ctx, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "token_read: %s\n", err);
        return 1;
    }
    tok_keys(ctx, keys, 16, &nk);
    for (k = 0; k < nk; k++)
        if (strcmp(keys[k].label, "demo") == 0)
            snprintf(serial, sizeof serial, "%s", keys[k].serial);

    printf("# reading + checking the demo certificate (key %s), median of %d runs\n", serial, n);
    printf("%-44s %10s\n", "method", "median ms");

    for (i = 0; i < n; i++) {
        double t0 = bench_now_ms();
        bad += tok_read_cert(ctx, serial, &c) != 0 || !c.issued_by_ca;
        t[i] = bench_now_ms() - t0;
    }
    printf("%-44s %10.3f\n", "tok_read_cert (context open)", bench_median(t, n));
    tok_close(ctx);

    for (i = 0; i < n; i++) {
        double t0 = bench_now_ms();
        if (tok_open_cfg(&ctx, &cfg, err, sizeof err) != 0)
            return 1;
        bad += tok_read_cert(ctx, serial, &c) != 0 || !c.issued_by_ca;
        tok_close(ctx);
        t[i] = bench_now_ms() - t0;
    }
    printf("%-44s %10.3f\n", "tok_open + tok_read_cert + tok_close", bench_median(t, n));

    snprintf(cmd, sizeof cmd,
             "pkcs11-tool --module '%s' --token-label '%s' --read-object --type cert --label kiosk-cert "
             "-o '%s/bench.der' >/dev/null 2>&1 && openssl x509 -inform DER -in '%s/bench.der' "
             "-out '%s/bench.pem' -noout -subject -enddate >/dev/null",
             cfg.module, "demo", cfg.home, cfg.home, cfg.home);
    for (i = 0; i < n; i++) {
        double t0 = bench_now_ms();
        bad += system(cmd) != 0;
        t[i] = bench_now_ms() - t0;
    }
    printf("%-44s %10.3f\n", "pkcs11-tool --read-object + openssl x509", bench_median(t, n));

    snprintf(cmd, sizeof cmd,
             "pkcs11-tool --module '%s' --token-label '%s' --read-object --type cert --label kiosk-cert "
             "-o '%s/bench.der' >/dev/null 2>&1 && openssl x509 -inform DER -in '%s/bench.der' "
             "-out '%s/bench.pem' && openssl verify -CAfile '%s' '%s/bench.pem' >/dev/null",
             cfg.module, "demo", cfg.home, cfg.home, cfg.home, cfg.ca_cert, cfg.home);
    for (i = 0; i < n; i++) {
        double t0 = bench_now_ms();
        bad += system(cmd) != 0;
        t[i] = bench_now_ms() - t0;
    }
    printf("%-44s %10.3f\n", "pkcs11-tool + openssl x509 + openssl verify", bench_median(t, n));
    if (bad)
        printf("# %d runs failed\n", bad);
    tok_dev_unplug(cfg.module, cfg.ports_dir, "demo", &dev);
    if (own) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
        (void)system(cmd);
    }
    free(t);
    return bad ? 1 : 0;
}

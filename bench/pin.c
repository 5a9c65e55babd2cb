/*
 * bench/pin.c - what counting a PIN costs: a counted PIN verification
 * (kiosk/engine_key.c txn_pin_counted: the key's record read, its live
 * token flags, the try written durably before the login, the login, the
 * counter cleared) against a bare login (tok_pin_verify: session, C_Login,
 * C_Logout) on the same key in the same run. The target: the
 * overhead at most 2 ms median.
 *
 * Runs in the provisioned hall of $KIOSK_HOME (`kiosk hall provision`
 * records the demo key); N runs of each (default 200; argv[1]), alternated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "kiosk/config.h"
#include "kiosk/engine.h"
#include "token/token.h"

int
main(int argc, char **argv)
{
    static struct kiosk_config base, cfg;
    int n = argc > 1 ? atoi(argv[1]) : 200, i;
    double *bare = calloc((size_t)(n > 0 ? n : 1), sizeof *bare), *counted = calloc((size_t)(n > 0 ? n : 1), sizeof *counted);
    char err[1024];
    struct tok_dev_result dev;
    struct txn_env env;
    struct txn_pin_outcome o;
    double t0, mb, mc;

    if (n < 1 || bare == NULL || counted == NULL)
        return 2;
    msg_set_lang(LANG_EN);
    cfg_defaults(&base, NULL);
    if (tok_cfg_effective(&base, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "pin: %s\n", err);
        return 1;
    }
    setenv("SOFTHSM2_CONF", cfg.softhsm_conf, 1);
    if (tok_dev_plug(cfg.module, cfg.ports_dir, "demo", &dev) != 0) {
        fprintf(stderr, "pin: cannot plug the demo key (outcome %d)\n", (int)dev.outcome);
        return 1;
    }
    memset(&env, 0, sizeof env);
    env.cfg = &cfg;
    env.window = "window66";
    env.clerk = "bench";
    if (tok_open_cfg(&env.tok, &cfg, err, sizeof err) != 0 ||
        store_open(&env.st, &(struct store_opts){ .path = cfg.db_path, .busy_ms = cfg.db_busy_ms, .station = cfg.station },
                   err, sizeof err) != STORE_OK) {
        fprintf(stderr, "pin: %s\n", err);
        return 1;
    }
    for (i = 0; i < n; i++) {
        t0 = bench_now_ms();
        if (tok_pin_verify(env.tok, dev.serial, TOK_DEMO_PIN) != TOK_OK) {
            fprintf(stderr, "pin: bare login failed: %s\n", tok_detail(env.tok));
            return 1;
        }
        bare[i] = bench_now_ms() - t0;
        t0 = bench_now_ms();
        txn_pin_counted(&env, dev.serial, TOK_DEMO_PIN, false, NULL, NULL, &o);
        counted[i] = bench_now_ms() - t0;
        if (o.result != PINR_OK) {
            fprintf(stderr, "pin: counted login failed: %d\n", (int)o.result);
            return 1;
        }
    }
    mb = bench_median(bare, n);
    mc = bench_median(counted, n);
    printf("bare login (tok_pin_verify)          median %.3f ms  p90 %.3f ms\n", mb, bench_percentile(bare, n, 90));
    printf("counted login (txn_pin_counted)      median %.3f ms  p90 %.3f ms\n", mc, bench_percentile(counted, n, 90));
    printf("overhead of counting                 median %.3f ms  (target <= 2 ms)\n", mc - mb);
    tok_close(env.tok);
    store_close(env.st);
    (void)tok_dev_unplug(cfg.module, cfg.ports_dir, "demo", &dev);
    free(bare);
    free(counted);
    return 0;
}

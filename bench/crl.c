/*
 * bench/crl.c - the CA's revocation list at scale (issue 9): CRL generation
 * (records -> v2 CRL signed in the HSM) time and size with 10,000, 100,000
 * and 1,000,000 revoked certificates; one revocation plus the CRL published
 * again atomically with 100,000 entries already on it (target: 300 ms); the
 * status lookup of one serial among 1,000,000 revoked (target: 1 ms).
 *
 * Uses the provisioned hall in $KIOSK_HOME for its HSM and CA (bench/run.sh
 * provisions one) and a records file of its own under $TMPDIR, filled with
 * revoked certificates straight through SQLite (the seeding is not timed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "bench/bench.h"
#include "kiosk/config.h"
#include "kiosk/engine.h"
#include "token/token.h"

/* Add revoked certificates FROM..TO-1 to the records file PATH (one transaction). */
static int
seed(const char *path, long from, long to)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char serial[40];
    long i;
    int rc;

    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    rc = sqlite3_prepare_v2(db, "INSERT INTO certs (serial, uscc, not_before, not_after, state, revoked_at, reason)"
                                " VALUES (?, 'BENCH', 1764547200, 1859155199, 1, ?, 4)", -1, &s, NULL);
    for (i = from; rc == SQLITE_OK && i < to; i++) {
        snprintf(serial, sizeof serial, "%08lX%08lX", (unsigned long)(i * 2654435761UL & 0xffffffffUL), (unsigned long)i);
        sqlite3_bind_text(s, 1, serial, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, 1764547200 + i);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = SQLITE_ERROR;
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    sqlite3_exec(db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

int
main(void)
{
    static const long sizes[] = { 10000, 100000, 1000000 };
    static struct kiosk_config base, cfg;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[256], path[300], err[1024], serial[40];
    struct txn_env env;
    struct store_cert c;
    unsigned char *der;
    size_t len, k;
    long have = 0;
    double t0, v[200];
    bool published;
    int i;

    snprintf(dir, sizeof dir, "%s/bench-crl.XXXXXX", tmp);
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    cfg_defaults(&base, NULL);
    memset(&env, 0, sizeof env);
    if (tok_cfg_effective(&base, &cfg, err, sizeof err) != 0 || tok_open_cfg(&env.tok, &cfg, err, sizeof err) != 0 ||
        store_open(&env.st, &(struct store_opts){ .path = path, .busy_ms = 5000 }, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "crl: %s (run with KIOSK_HOME = a provisioned hall)\n", err);
        return 1;
    }
    snprintf(cfg.crl_dir, sizeof cfg.crl_dir, "%s/crl", dir);
    env.cfg = &cfg;
    env.window = "bench";
    printf("CRL generation (records -> v2 CRL signed in the HSM)\n");
    printf("%12s %12s %12s\n", "revoked", "ms", "bytes");
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        if (seed(path, have, sizes[k]) != 0) {
            fprintf(stderr, "crl: seeding failed\n");
            return 1;
        }
        have = sizes[k];
        t0 = bench_now_ms();
        if (txn_ca_crl(&env, &der, &len, err, sizeof err) != 0) {
            fprintf(stderr, "crl: %s\n", err);
            return 1;
        }
        printf("%12ld %12.1f %12zu\n", have, bench_now_ms() - t0, len);
        OPENSSL_free(der);
        if (have == 1000000) {
            /* status lookup of one serial among 1,000,000 revoked */
            for (i = 0; i < 200; i++) {
                long n = (i * 4999L) % have;
                snprintf(serial, sizeof serial, "%08lX%08lX", (unsigned long)(n * 2654435761UL & 0xffffffffUL),
                         (unsigned long)n);
                t0 = bench_now_ms();
                if (store_cert_get(env.st, serial, &c) != STORE_OK || c.state != CERT_REVOKED)
                    return 1;
                v[i] = bench_now_ms() - t0;
            }
            bench_sort(v, 200);
            printf("status lookup among %ld revoked: median %.3f ms, max %.3f ms (target 1 ms)\n", have, v[100], v[199]);
        }
        if (have == 100000) {
            /* one revocation + the CRL published again with 100,000 entries on it */
            struct store_cert nc;
            memset(&nc, 0, sizeof nc);
            snprintf(nc.serial, sizeof nc.serial, "BE0C0FFEE0000001");
            snprintf(nc.uscc, sizeof nc.uscc, "BENCHONE");
            nc.not_before = 1764547200;
            nc.not_after = 1859155199;
            nc.state = CERT_ACTIVE;
            nc.reason = -1;
            if (store_cert_put(env.st, &nc) != STORE_OK)
                return 1;
            t0 = bench_now_ms();
            if (txn_ca_change(&env, CA_REVOKE, nc.serial, 1, "bench", &published, err, sizeof err) != STORE_OK || !published) {
                fprintf(stderr, "crl: revoke: %s\n", err);
                return 1;
            }
            printf("revoke one and publish the CRL with %ld entries: %.1f ms (target 300 ms)\n", have + 1,
                   bench_now_ms() - t0);
            have++;
        }
    }
    store_close(env.st);
    tok_close(env.tok);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    return system(path) == 0 ? 0 : 1;
}

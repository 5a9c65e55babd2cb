/*
 * bench/issue.c - machine time of a 证书新办 issuance, blank key ->
 * certificate written and verified -> records committed, for P-256 and
 * RSA-2048, side by side in one run with:
 *
 *   engine       txn_new_init_key + txn_new_issue + txn_new_record (kiosk/engine*.c),
 *                i.e. wipe/init with the diversified SO PIN, key pair on the key,
 *                CSR, CA signature in the HSM, write, read back, self-test, SQLite commit
 *   commands     the same steps as pkcs11-tool + openssl processes (bench/issue.sh):
 *                keypairgen on the key, public key out, certificate signed by
 *                openssl (a software CA key in a temp dir stands in for the HSM),
 *                written, read back, compared, openssl verify. Token init is not
 *                timed there (the diversified SO PIN is not known to the tools).
 *   same steps   the engine's issue and records stages only: what the commands do
 *                (the speed-up is commands / same steps; the key initialisation,
 *                which the commands cannot do, is printed apart)
 *   floor        a bare C_GenerateKeyPair on the same token (raw PKCS#11, token objects)
 *
 * Uses the provisioned hall in $KIOSK_HOME and its key blank3 (left wiped and
 * unplugged). Prints medians of N runs (argv[1], default 15), for both
 * algorithms or only argv[2] (p256 | rsa2048: profiling one).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p11-kit-1/p11-kit/pkcs11.h>

#include "bench/bench.h"
#include "kiosk/config.h"
#include "kiosk/engine.h"
#include "token/token.h"

static struct kiosk_config cfg;
static struct txn_env env;
static char serial[TOK_SERIAL_MAX];
#define STAGE_RUNS 256
static double stage_ms[5][STAGE_RUNS];   /* the engine's init / issue / record / issue+record / renewal, per run */

/* A renewal of the certificate T just issued, on the same key: the issue
 * stage (a new key pair beside the old one, signed, written, read back,
 * self-tested, the old objects removed) and the records (the new one, the
 * old one superseded) - the same steps as the new certificate's issue and
 * records. Returns ms or -1. */
static double
run_renewal(const struct txn *t, const char *opid)
{
    struct txn r;
    struct txn_run run;
    char na[24], rop[40];
    double t0;
    enum txn_run_result res;

    txn_begin(&r, &txn_renew, "window66", "bench");
    snprintf(rop, sizeof rop, "%s-R", opid);
    txn_set(&r, "company", txn_get(t, "company"));
    txn_set(&r, "uscc", txn_get(t, "uscc"));
    txn_set(&r, "operator_id", rop);
    txn_set(&r, "key_serial", serial);
    txn_set(&r, "old_cert", t->cert.serial_hex);
    snprintf(na, sizeof na, "%lld", (long long)t->cert.not_after);
    txn_set(&r, "old_na", na);
    txn_set_int(&r, "years", 1);
    txn_set(&r, "amount", "10000");
    if (txn_goto(&r, env.st, txn_step_index(r.def, "pay")) != STORE_OK || txn_pay(&r, env.st, "cash", 0) != STORE_OK ||
        txn_goto(&r, env.st, txn_step_index(r.def, "issue")) != STORE_OK)
        return -1;
    snprintf(r.pin, sizeof r.pin, "Kx7#pq29");
    t0 = bench_now_ms();
    res = txn_new_issue_stage(&r, &env, &run);
    if (res == RUN_OK)
        res = txn_new_record_stage(&r, &env, &run);
    t0 = bench_now_ms() - t0;
    txn_pin_clear(&r);
    (void)txn_finish(&r, env.st);
    (void)store_cert_set_state(env.st, r.cert.serial_hex, CERT_SUPERSEDED);  /* free the key for the next run */
    if (res != RUN_OK) {
        fprintf(stderr, "issue: renewal failed: %d tok %d store %d %s\n", (int)res, run.tok_rc, run.store_rc,
                tok_detail(env.tok));
        return -1;
    }
    return t0;
}

/* One engine issuance on the bench key with ALGO; returns ms or -1. */
static double
run_engine(const char *algo, int i)
{
    struct txn t;
    char uscc[32], opid[32];
    double t0, t1, t2;
    int rc;

    snprintf(cfg.key_algo, sizeof cfg.key_algo, "%s", algo);
    txn_begin(&t, &txn_new_cert, "window66", "bench");
    snprintf(uscc, sizeof uscc, "BENCH%s%06d%d", algo, i, (int)getpid() % 1000);
    snprintf(opid, sizeof opid, "BENCH-%d-%s-%d", (int)getpid(), algo, i);
    txn_set(&t, "company", "天津市性能测试有限公司");
    txn_set(&t, "uscc", uscc);
    txn_set(&t, "operator_id", opid);
    txn_set(&t, "key_serial", serial);
    txn_set_int(&t, "years", 3);
    txn_set(&t, "amount", "20000");
    if (txn_goto(&t, env.st, txn_step_index(t.def, "pay")) != STORE_OK ||
        txn_pay(&t, env.st, "cash", 0) != STORE_OK || txn_goto(&t, env.st, txn_step_index(t.def, "issue")) != STORE_OK)
        return -1;
    snprintf(t.pin, sizeof t.pin, "Kx7#pq29");
    t0 = bench_now_ms();
    rc = txn_new_init_key(&t, &env, true);
    t1 = bench_now_ms();
    if (rc == TOK_OK)
        rc = txn_new_issue(&t, &env);
    t2 = bench_now_ms();
    if (rc == TOK_OK)
        rc = txn_new_record(&t, &env) == STORE_OK ? TOK_OK : TOK_ERR_INTERNAL;
    stage_ms[0][i % STAGE_RUNS] = t1 - t0;
    stage_ms[1][i % STAGE_RUNS] = t2 - t1;
    stage_ms[2][i % STAGE_RUNS] = bench_now_ms() - t2;
    stage_ms[3][i % STAGE_RUNS] = bench_now_ms() - t1;
    t0 = bench_now_ms() - t0;
    txn_pin_clear(&t);
    (void)txn_finish(&t, env.st);
    if (rc == TOK_OK)
        stage_ms[4][i % STAGE_RUNS] = run_renewal(&t, opid);
    /* The next run re-uses the key: a key whose certificate is active and
     * recorded is never wiped, so retire this one first (untimed). */
    (void)store_cert_set_state(env.st, t.cert.serial_hex, CERT_SUPERSEDED);
    if (rc != TOK_OK) {
        fprintf(stderr, "issue: engine %s failed: %d %s\n", algo, rc, tok_detail(env.tok));
        return -1;
    }
    return t0;
}

/* The floor: C_GenerateKeyPair on the bench key, user login with PIN. */
static double
run_floor(CK_FUNCTION_LIST *fl, CK_SLOT_ID slot, bool ec)
{
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE pub, priv;
    CK_BBOOL yes = CK_TRUE;
    CK_ULONG bits = 2048;
    CK_BYTE exp[] = { 1, 0, 1 };
    CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
    CK_MECHANISM mrsa = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 }, mec = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE pub_rsa[] = { { CKA_TOKEN, &yes, 1 }, { CKA_MODULUS_BITS, &bits, sizeof bits },
                               { CKA_PUBLIC_EXPONENT, exp, sizeof exp }, { CKA_VERIFY, &yes, 1 } };
    CK_ATTRIBUTE pub_ec[] = { { CKA_TOKEN, &yes, 1 }, { CKA_EC_PARAMS, p256, sizeof p256 }, { CKA_VERIFY, &yes, 1 } };
    CK_ATTRIBUTE prv[] = { { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &yes, 1 }, { CKA_SENSITIVE, &yes, 1 }, { CKA_SIGN, &yes, 1 } };
    double t0;
    CK_RV rv;

    if (fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
        return -1;
    rv = fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "Kx7#pq29", 8);
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        fl->C_CloseSession(s);
        return -1;
    }
    t0 = bench_now_ms();
    rv = ec ? fl->C_GenerateKeyPair(s, &mec, pub_ec, 3, prv, 4, &pub, &priv)
            : fl->C_GenerateKeyPair(s, &mrsa, pub_rsa, 4, prv, 4, &pub, &priv);
    t0 = bench_now_ms() - t0;
    if (rv == CKR_OK) {
        fl->C_DestroyObject(s, pub);
        fl->C_DestroyObject(s, priv);
    }
    fl->C_Logout(s);
    fl->C_CloseSession(s);
    return rv == CKR_OK ? t0 : -1;
}

static CK_SLOT_ID
floor_slot(CK_FUNCTION_LIST *fl)
{
    CK_SLOT_ID slots[64];
    CK_ULONG n = 64, i;
    CK_TOKEN_INFO ti;

    if (fl->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return (CK_SLOT_ID)-1;
    for (i = 0; i < n; i++)
        if (fl->C_GetTokenInfo(slots[i], &ti) == CKR_OK && strncmp((char *)ti.serialNumber, serial, strlen(serial)) == 0)
            return slots[i];
    return (CK_SLOT_ID)-1;
}

int
main(int argc, char **argv)
{
    static const char *const algos[] = { "p256", "rsa2048" };
    int n = argc > 1 ? atoi(argv[1]) : 15, a, i, k;
    int a0 = argc > 2 && strcmp(argv[2], "rsa2048") == 0, a1 = argc > 2 ? a0 + 1 : 2;   /* one algorithm: argv[2] */
    struct kiosk_config base;
    char err[1024], path[CFG_PATH_MAX + 64], cmd[4096];
    double eng[2], cmdf[2], flo[2], stage[2][5] = { { -1, -1, -1, -1, -1 }, { -1, -1, -1, -1, -1 } }, *v = calloc((size_t)n, sizeof *v);
    FILE *f;

    if (v == NULL || n < 1)
        return 2;
    cfg_defaults(&base, NULL);
    if (tok_cfg_effective(&base, &cfg, err, sizeof err) != 0 || tok_open_cfg(&env.tok, &cfg, err, sizeof err) != 0 ||
        store_open(&env.st, &(struct store_opts){ .path = cfg.db_path, .busy_ms = cfg.db_busy_ms, .station = cfg.station }, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "issue: %s (run with KIOSK_HOME = a provisioned hall)\n", err);
        return 1;
    }
    env.cfg = &cfg;
    env.window = "window66";
    env.clerk = "bench";
    if ((f = popen("\"${KIOSK:-build/kiosk}\" dev plug blank3 2>&1 | grep -o '[0-9a-f]\\{16\\}' | head -1", "r")) == NULL ||
        fgets(serial, sizeof serial, f) == NULL) {
        fprintf(stderr, "issue: cannot plug blank3\n");
        return 1;
    }
    pclose(f);
    serial[strcspn(serial, "\n")] = '\0';
    tok_poll(env.tok);

    for (a = a0; a < a1; a++) {
        for (i = 0, k = 0; i < n; i++) {
            double ms = run_engine(algos[a], i);
            if (ms >= 0)
                v[k++] = ms;
        }
        eng[a] = k ? bench_median(v, k) : -1;
        for (int st = 0; st < 5 && k == n && n <= STAGE_RUNS; st++)
            stage[a][st] = bench_median(stage_ms[st], n);
    }
    /* floor: the key now holds a user PIN Kx7#pq29 (last engine run); wipe the certificate first */
    {
        void *dl = dlopen(cfg.module, RTLD_NOW);
        CK_C_GetFunctionList gfl = dl ? (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList") : NULL;
        CK_FUNCTION_LIST *fl = NULL;
        CK_SLOT_ID slot;

        if (gfl == NULL || gfl(&fl) != CKR_OK) {
            fprintf(stderr, "issue: cannot load %s\n", cfg.module);
            return 1;
        }
        /* the module is already initialised by token/ in this process: share it */
        (void)fl->C_Initialize(NULL);
        slot = floor_slot(fl);
        for (a = a0; a < a1; a++) {
            for (i = 0, k = 0; i < n; i++) {
                double ms = run_floor(fl, slot, a == 0);
                if (ms >= 0)
                    v[k++] = ms;
            }
            flo[a] = k ? bench_median(v, k) : -1;
        }
    }
    /* the command flow cannot know the diversified SO PIN: it starts from a
     * key initialised with the user PIN (token init left out of its time) */
    tok_wipe(env.tok, serial, "blank3");
    tok_init_blank(env.tok, serial, "blank3", "Kx7#pq29");
    /* commands: bench/issue.sh prints one duration in ms per line */
    for (a = a0; a < a1; a++) {
        snprintf(cmd, sizeof cmd, "bash bench/issue.sh %s %s %d", algos[a], serial, n);
        cmdf[a] = -1;
        if ((f = popen(cmd, "r")) != NULL) {
            for (k = 0; k < n && fgets(path, sizeof path, f) != NULL;)
                v[k++] = atof(path);
            pclose(f);
            if (k > 0)
                cmdf[a] = bench_median(v, k);
        }
    }
    printf("issuance, blank key -> certificate written, verified, recorded (median of %d, ms)\n", n);
    printf("%-10s %10s %12s %12s %10s %10s\n", "algorithm", "engine", "same steps", "commands", "floor", "speed-up");
    for (a = a0; a < a1; a++)
        printf("%-10s %10.1f %12.1f %12.1f %10.1f %9.1fx\n", algos[a], eng[a], stage[a][3], cmdf[a], flo[a],
               stage[a][3] > 0 && cmdf[a] > 0 ? cmdf[a] / stage[a][3] : 0.0);
    for (a = a0; a < a1; a++)
        printf("%-10s engine stages: key init %.1f, issue %.1f, records %.1f; with the key init %.1fx the commands\n",
               algos[a], stage[a][0], stage[a][1], stage[a][2], eng[a] > 0 && cmdf[a] > 0 ? cmdf[a] / eng[a] : 0.0);
    printf("(same steps = the engine without the key initialisation the commands cannot do; speed-up = commands / same steps)\n");
    for (a = a0; a < a1; a++)
        printf("%-10s renewal (new key pair beside the old, records with the supersession): %.1f ms = %.2fx the new"
               " certificate's same steps (target at most 1.2x)\n", algos[a], stage[a][4],
               stage[a][3] > 0 ? stage[a][4] / stage[a][3] : 0.0);
    snprintf(cmd, sizeof cmd, "\"${KIOSK:-build/kiosk}\" dev unplug %s >/dev/null 2>&1", serial);
    (void)system(cmd);
    tok_wipe(env.tok, serial, "blank3");
    store_close(env.st);
    tok_close(env.tok);
    free(v);
    return 0;
}

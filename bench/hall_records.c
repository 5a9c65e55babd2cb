/*
 * bench/hall_records.c - a hall of many counters on one set of records
 * (issue 15): N stations, each its own process and connection, as fast as
 * they can; per second for the hall and each one's latency (median, p99).
 *
 *   units STATIONS N   the unit of work an issuance commits (the order
 *                      created, the certificate and the key recorded, the
 *                      issue audited, the order finished - one unit, as
 *                      txn_new_record commits it), records only
 *   issue STATIONS N   whole P-256 issuances through the engine: the order
 *                      opened and paid, the key initialised, its key pair,
 *                      the CA's signature in the HSM, written, read back,
 *                      self-tested, recorded, the order finished. Station k
 *                      issues onto key blank(4+k) of the hall in KIOSK_HOME
 *                      (provisioned --with-test-keys); the latency of the
 *                      unit of work that records each certificate is shown
 *                      apart. Each key's certificate is retired after its
 *                      issuance so that the next one may wipe it (timed: a
 *                      hall's records see one more write per order).
 *   audit STATIONS N   audit appends
 *   report DAY         the daily settlement of DAY, the median of 20 runs
 *
 *   hall_records sqlite PATH | postgresql CONNINFO  units|issue|audit STATIONS N | report DAY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "data/store.h"
#include "kiosk/config.h"
#include "kiosk/engine.h"
#include "token/token.h"

enum work { WORK_UNITS, WORK_ISSUE, WORK_AUDIT };

static const char *backend, *where;
static char keys[64][TOK_SERIAL_MAX];    /* issue: station k's key serial */

static store *
open_store(const char *station)
{
    struct store_opts o = { .busy_ms = 30000, .station = station };
    char err[512];
    store *st;

    if (strcmp(backend, "postgresql") == 0) {
        o.backend = STORE_POSTGRESQL;
        o.conninfo = where;
    } else {
        o.path = where;
    }
    if (store_open(&st, &o, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "hall_records: %s\n", err);
        exit(1);
    }
    return st;
}

/* One issuance's unit of work; its latency in ms, or -1. */
static double
unit(store *st, int k, int i)
{
    struct store_order o;
    struct store_cert c;
    struct store_key key;
    double t0 = bench_now_ms();
    int rc;

    memset(&o, 0, sizeof o);
    snprintf(o.txn, sizeof o.txn, "new");
    snprintf(o.window, sizeof o.window, "window66");
    snprintf(o.operator_id, sizeof o.operator_id, "B-%d-%d-%d", getpid(), k, i);
    snprintf(o.uscc, sizeof o.uscc, "U%d-%d-%d", getpid(), k, i);
    snprintf(o.step, sizeof o.step, "issue");
    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "%08X%04X%04X", (unsigned)getpid(), (unsigned)k, (unsigned)i);
    snprintf(c.uscc, sizeof c.uscc, "%s", o.uscc);
    snprintf(c.holder, sizeof c.holder, "测试单位");
    snprintf(c.key_serial, sizeof c.key_serial, "K%s", c.serial);
    c.not_before = 1, c.not_after = 2, c.reason = REASON_NONE;
    memset(&key, 0, sizeof key);
    snprintf(key.serial, sizeof key.serial, "%s", c.key_serial);
    do {
        rc = store_begin(st);
        if (rc == STORE_OK)
            rc = store_order_create(st, &o);
        if (rc == STORE_OK)
            rc = store_key_put(st, &key);
        if (rc == STORE_OK)
            c.order_id = o.id, rc = store_cert_put(st, &c);
        if (rc == STORE_OK)
            rc = store_audit(st, "li", "cert.issue", "order=bench cert=bench");
        if (rc == STORE_OK)
            rc = store_order_finish(st, o.id);
        if (rc == STORE_OK)
            rc = store_commit(st);
        else
            store_rollback(st);
    } while (rc == STORE_ERR_RETRY);
    if (rc != STORE_OK) {
        fprintf(stderr, "hall_records: %s\n", store_detail(st));
        return -1;
    }
    return bench_now_ms() - t0;
}

/* What a station needs to issue: the hall's configuration, its token
 * module and HSM, its records on the backend under test. */
struct issuer {
    struct kiosk_config cfg;
    struct txn_env env;
    store *st;
};

static int
issuer_open(struct issuer *w, store *st)
{
    struct kiosk_config base;
    char err[1024];

    memset(w, 0, sizeof *w);
    cfg_defaults(&base, NULL);
    snprintf(base.key_algo, sizeof base.key_algo, "p256");
    /* Eight stations here share one SoftHSM token directory, which a real
     * hall's counters never do (each has its own readers): a station that
     * lists the slots while another rewrites a token's files may be told
     * C_GetSlotList failed, so it tries again. */
    int rc = tok_cfg_effective(&base, &w->cfg, err, sizeof err);

    for (int tries = 0; rc == 0 && tok_open_cfg(&w->env.tok, &w->cfg, err, sizeof err) != 0; tries++) {
        if (tries == 40)
            rc = -1;
        usleep(50000);
    }
    if (rc != 0) {
        fprintf(stderr, "hall_records: %s (KIOSK_HOME = a hall provisioned --with-test-keys)\n", err);
        return -1;
    }
    snprintf(w->cfg.key_algo, sizeof w->cfg.key_algo, "p256");
    tok_poll(w->env.tok);
    w->env.cfg = &w->cfg;
    w->env.st = st;
    w->env.window = "window66";
    w->env.clerk = "bench";
    return 0;
}

/* One whole issuance onto key SERIAL; its ms (and the recording unit's in
 * *unit_ms), or -1. */
static double
issue(struct issuer *w, const char *serial, int k, int i, double *unit_ms)
{
    struct txn t;
    char v[48];
    double t0 = bench_now_ms(), u;
    int rc;

    txn_begin(&t, &txn_new_cert, "window66", "bench");
    txn_set(&t, "company", "天津市多窗口性能测试有限公司");
    snprintf(v, sizeof v, "H%d-%d-%d", (int)getpid(), k, i);
    txn_set(&t, "uscc", v);
    txn_set(&t, "operator_id", v);
    txn_set(&t, "key_serial", serial);
    txn_set_int(&t, "years", 3);
    txn_set(&t, "amount", "20000");
    if (txn_goto(&t, w->env.st, txn_step_index(t.def, "pay")) != STORE_OK || txn_pay(&t, w->env.st, "cash", 0) != STORE_OK ||
        txn_goto(&t, w->env.st, txn_step_index(t.def, "issue")) != STORE_OK) {
        fprintf(stderr, "hall_records: order: %s\n", store_detail(w->env.st));
        return -1;
    }
    snprintf(t.pin, sizeof t.pin, "Kx7#pq29");
    rc = txn_new_init_key(&t, &w->env, true);
    if (rc == TOK_OK)
        rc = txn_new_issue(&t, &w->env);
    u = bench_now_ms();
    if (rc == TOK_OK && txn_new_record(&t, &w->env) != STORE_OK)
        rc = TOK_ERR_INTERNAL;
    *unit_ms = bench_now_ms() - u;
    txn_pin_clear(&t);
    if (rc != TOK_OK) {
        fprintf(stderr, "hall_records: issuance on %s: %d %s / %s\n", serial, rc, tok_detail(w->env.tok),
                store_detail(w->env.st));
        (void)txn_cancel(&t, w->env.st, "bench");
        return -1;
    }
    (void)txn_finish(&t, w->env.st);
    (void)store_cert_set_state(w->env.st, t.cert.serial_hex, CERT_SUPERSEDED);   /* the key free for the next */
    return bench_now_ms() - t0;
}

/* N stations, each doing WORK PER times; latencies collected from a pipe
 * (two per operation: the whole one, and its unit of work). */
static int
stations(int n, int per, enum work work)
{
    static const char *const what[] = { "issuance units of work", "P-256 issuances", "audit appends" };
    int p[2], got = 0;
    double *lat = calloc((size_t)n * per, sizeof *lat), *ul = calloc((size_t)n * per, sizeof *ul), t0, t1;
    FILE *in;

    if (lat == NULL || ul == NULL || pipe(p) != 0)
        return 1;
    t0 = bench_now_s();
    for (int k = 0; k < n; k++) {
        if (fork() == 0) {
            char station[16];
            struct issuer w;
            store *st;
            close(p[0]);
            snprintf(station, sizeof station, "bench-%d", k);
            st = open_store(station);
            if (work == WORK_ISSUE && issuer_open(&w, st) != 0)
                _exit(1);
            for (int i = 0; i < per; i++) {
                double l[2];
                if (work == WORK_AUDIT) {
                    double a = bench_now_ms();
                    l[0] = store_audit(st, station, "txn.step", "order=66-20261122-0001 step=payment") == STORE_OK
                               ? bench_now_ms() - a : -1;
                    l[1] = l[0];
                } else if (work == WORK_ISSUE) {
                    l[0] = issue(&w, keys[k], k, i, &l[1]);
                } else {
                    l[1] = l[0] = unit(st, k, i);
                }
                if (write(p[1], l, sizeof l) != sizeof l)
                    _exit(1);
            }
            if (work == WORK_ISSUE)
                tok_close(w.env.tok);
            store_close(st);
            _exit(0);
        }
    }
    close(p[1]);
    in = fdopen(p[0], "r");
    for (double l[2]; got < n * per && fread(l, sizeof l, 1, in) == 1;)
        if (l[0] >= 0)
            lat[got] = l[0], ul[got++] = l[1];
    fclose(in);
    while (wait(NULL) > 0)
        ;
    t1 = bench_now_s();
    bench_sort(lat, got);
    bench_sort(ul, got);
    printf("%s, %d station%s, %s: %d in %.2f s = %.1f/s; latency median %.2f ms, p99 %.2f ms", backend, n,
           n > 1 ? "s" : "", what[work], got, t1 - t0, got / (t1 - t0), got ? lat[got / 2] : 0,
           got ? lat[(int)(got * 0.99)] : 0);
    if (work == WORK_ISSUE)
        printf("; the unit recording each: median %.2f ms, p99 %.2f ms", got ? ul[got / 2] : 0,
               got ? ul[(int)(got * 0.99)] : 0);
    printf("\n");
    free(lat);
    free(ul);
    return got == n * per ? 0 : 1;
}

/* Station k's key: blank(4+k) plugged (kiosk dev plug), its serial kept
 * (the 16 hex digits of what plug says). An issuance relabels a key, so a
 * hall serves one run: bench/hall.sh provisions one for each. */
static int
plug_keys(int n)
{
    char cmd[256], line[512];
    FILE *f;

    for (int k = 0; k < n && k < 64; k++) {
        size_t i, run = 0;
        snprintf(cmd, sizeof cmd, "\"${KIOSK:-build/kiosk}\" dev plug blank%d 2>&1", 4 + k);
        line[0] = '\0';
        if ((f = popen(cmd, "r")) == NULL || fgets(line, sizeof line, f) == NULL || pclose(f) != 0) {
            fprintf(stderr, "hall_records: cannot plug blank%d: %s\n", 4 + k, line);
            return -1;
        }
        for (i = 0; line[i] != '\0' && run < 16; i++)
            run = strchr("0123456789abcdef", line[i]) != NULL && line[i] != '\0' ? run + 1 : 0;
        if (run != 16) {
            fprintf(stderr, "hall_records: no serial in: %s\n", line);
            return -1;
        }
        snprintf(keys[k], sizeof keys[k], "%.16s", line + i - 16);
    }
    return 0;
}

static int
report(const char *day)
{
    store *st = open_store("report");
    double t[20];
    struct store_report_row *rows, total;
    size_t n = 0;

    for (int i = 0; i < 20; i++) {
        double a = bench_now_ms();
        if (store_report_daily(st, day, ",check,", &rows, &n, &total) != STORE_OK) {
            fprintf(stderr, "hall_records: %s\n", store_detail(st));
            return 1;
        }
        t[i] = bench_now_ms() - a;
        free(rows);
    }
    bench_sort(t, 20);
    printf("%s, daily report of %s (%ld orders that day, %zu rows): median %.1f ms, p90 %.1f ms (target 200 ms)\n",
           backend, day, total.done + total.open + total.cancelled, n, t[10], t[18]);
    store_close(st);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: hall_records sqlite|postgresql WHERE units|issue|audit N COUNT | report DAY\n");
        return 2;
    }
    backend = argv[1];
    where = argv[2];
    if (strcmp(argv[3], "report") == 0)
        return report(argv[4]);
    if (argc != 6)
        return 2;
    if (strcmp(argv[3], "issue") == 0)
        return atoi(argv[4]) > 64 || plug_keys(atoi(argv[4])) != 0 ? 1 : stations(atoi(argv[4]), atoi(argv[5]), WORK_ISSUE);
    return stations(atoi(argv[4]), atoi(argv[5]), strcmp(argv[3], "audit") == 0 ? WORK_AUDIT : WORK_UNITS);
}

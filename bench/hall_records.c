/*
 * bench/hall_records.c - a hall of many counters on one set of records
 * (issue 15): N stations, each its own process and connection, running the
 * unit of work an issuance commits (the order created, the certificate and
 * the key recorded, the issue audited, the order finished - one unit, as
 * txn_new_record commits it) as fast as they can; units per second for the
 * hall and each unit's latency (median, p99). "audit": audit appends per
 * second from N stations. "report DAY": the daily settlement of DAY, the
 * median of 20 runs.
 *
 *   hall_records sqlite PATH | postgresql CONNINFO  units STATIONS UNITS
 *   hall_records sqlite PATH | postgresql CONNINFO  audit STATIONS ROWS
 *   hall_records sqlite PATH | postgresql CONNINFO  report DAY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "data/store.h"

static const char *backend, *where;

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

/* N stations, each doing WORK; latencies collected from a pipe. */
static int
stations(int n, int per, bool audit_only)
{
    int p[2], got = 0;
    double *lat = calloc((size_t)n * per, sizeof *lat), t0, t1;
    FILE *in;

    if (lat == NULL || pipe(p) != 0)
        return 1;
    t0 = bench_now_s();
    for (int k = 0; k < n; k++) {
        if (fork() == 0) {
            char station[16];
            store *st;
            close(p[0]);
            snprintf(station, sizeof station, "bench-%d", k);
            st = open_store(station);
            for (int i = 0; i < per; i++) {
                double l;
                if (audit_only) {
                    double a = bench_now_ms();
                    l = store_audit(st, station, "txn.step", "order=66-20261122-0001 step=payment") == STORE_OK
                            ? bench_now_ms() - a : -1;
                } else {
                    l = unit(st, k, i);
                }
                if (write(p[1], &l, sizeof l) != sizeof l)
                    _exit(1);
            }
            store_close(st);
            _exit(0);
        }
    }
    close(p[1]);
    in = fdopen(p[0], "r");
    while (got < n * per && fread(&lat[got], sizeof lat[0], 1, in) == 1)
        if (lat[got] >= 0)
            got++;
    fclose(in);
    while (wait(NULL) > 0)
        ;
    t1 = bench_now_s();
    bench_sort(lat, got);
    printf("%s, %d station%s, %s: %d in %.2f s = %.0f/s; latency median %.2f ms, p99 %.2f ms\n", backend, n,
           n > 1 ? "s" : "", audit_only ? "audit appends" : "issuance units of work", got, t1 - t0, got / (t1 - t0),
           got ? lat[got / 2] : 0, got ? lat[(int)(got * 0.99)] : 0);
    free(lat);
    return got == n * per ? 0 : 1;
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
        fprintf(stderr, "usage: hall_records sqlite|postgresql WHERE units|audit N COUNT | report DAY\n");
        return 2;
    }
    backend = argv[1];
    where = argv[2];
    if (strcmp(argv[3], "report") == 0)
        return report(argv[4]);
    if (argc != 6)
        return 2;
    return stations(atoi(argv[4]), atoi(argv[5]), strcmp(argv[3], "audit") == 0);
}

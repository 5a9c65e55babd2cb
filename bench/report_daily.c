/*
 * bench/report_daily.c - the daily settlement on a database of 2 million
 * orders (two years of a busy hall, ~2,700 orders a day; plus one extreme
 * day of 20,000), generated here with raw SQL in large transactions into
 * the schema store_open creates. The generated file is kept for the next
 * run. Usage: report_daily [DB] (default build/bench-data/orders-2m.db).
 * Target: under 200 ms per report.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench/bench.h"
#include "kiosk/kinds.h"
#include "data/store.h"

#define NORDERS 2000000L
#define NDAYS 730
#define HEAVY_DAY 400          /* day index that gets HEAVY_EXTRA more orders */
#define HEAVY_EXTRA 20000L

static void
day_of(int idx, char *day, size_t n, char *ymd, size_t m)
{
    struct tm tm = { .tm_year = 2024 - 1900, .tm_mon = 0, .tm_mday = 1 + idx, .tm_hour = 12, .tm_isdst = -1 };
    mktime(&tm);
    strftime(day, n, "%Y-%m-%d", &tm);
    strftime(ymd, m, "%Y%m%d", &tm);
}

static int
generate(const char *path)
{
    static const char *const win[] = { "window66", "window66", "window68", "self" };
    static const char *const pre[] = { "66", "66", "68", "00" };
    static const char *const clerk[] = { "li", "zhang", "wang", "" };
    static const char *const txn[] = { "new", "renew", "lost", "damaged", "change", "unlock", "revoke", "bind", "check" };
    static const char *const meth[] = { "cash", "pos", "qr" };
    sqlite3 *db;
    sqlite3_stmt *s;
    long i, made = 0, seq[NDAYS][3];
    uint32_t r = 12345;
    double t0 = bench_now_s();

    memset(seq, 0, sizeof seq);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db, "INSERT INTO orders (number, prefix, day, seq, txn, window, clerk, operator_id, amount,"
                               " pay_method, paid_at, state, created, updated) VALUES (?,?,?,?,?,?,?,'',?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "report_daily: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    for (i = 0; i < NORDERS + HEAVY_EXTRA; i++) {
        int d = i < NORDERS ? (int)(i * NDAYS / NORDERS) : HEAVY_DAY;
        int w, pi, state;
        char day[16], ymd[16], number[32];
        long amount;
        time_t at = 1704067200 + (time_t)d * 86400 + 30600;

        r = r * 1664525u + 1013904223u;
        w = (int)((r >> 8) % 4);
        pi = w == 3 ? 2 : (w == 2 ? 1 : 0);
        state = (int)((r >> 12) % 10) < 8 ? 1 : ((r >> 12) % 10 == 8 ? 2 : 0);
        amount = (long)((r >> 16) % 5) * 5000;
        day_of(d, day, sizeof day, ymd, sizeof ymd);
        seq[d][pi]++;
        snprintf(number, sizeof number, "%s-%s-%05ld", pre[w], ymd, seq[d][pi]);
        sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, pre[w], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, day, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 4, seq[d][pi]);
        sqlite3_bind_text(s, 5, txn[(r >> 20) % 9], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, win[w], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, clerk[w], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 8, amount);
        sqlite3_bind_text(s, 9, amount ? meth[(r >> 24) % 3] : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 10, amount ? at + 60 : 0);
        sqlite3_bind_int(s, 11, state);
        sqlite3_bind_int64(s, 12, at);
        sqlite3_bind_int64(s, 13, at);
        if (sqlite3_step(s) != SQLITE_DONE) {
            fprintf(stderr, "report_daily: %s\n", sqlite3_errmsg(db));
            return -1;
        }
        sqlite3_reset(s);
        if (++made % 200000 == 0) {
            sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
            fprintf(stderr, "  generated %ld orders (%.0f s)\n", made, bench_now_s() - t0);
        }
    }
    sqlite3_finalize(s);
    sqlite3_exec(db, "COMMIT; ANALYZE", NULL, NULL, NULL);
    sqlite3_close(db);
    fprintf(stderr, "  generated %ld orders in %.1f s\n", made, bench_now_s() - t0);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "build/bench-data/orders-2m.db";
    struct store_report_row *rows, total;
    char err[512], day[16], ymd[16];
    double times[40], t0, heavy;
    size_t n;
    long count = 0;
    store *st;
    int i, days;

    if (argc <= 1)
        mkdir("build/bench-data", 0755);
    if (store_open(&st, &(struct store_opts){ .path = path, .busy_ms = 5000 }, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "report_daily: %s\n", err);
        return 1;
    }
    {
        sqlite3 *db;
        sqlite3_stmt *s;
        sqlite3_open(path, &db);
        sqlite3_prepare_v2(db, "SELECT count(*) FROM orders", -1, &s, NULL);
        if (sqlite3_step(s) == SQLITE_ROW)
            count = (long)sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
    if (count < NORDERS) {
        store_close(st);
        fprintf(stderr, "report_daily: generating %ld orders in %s (kept for later runs)\n", NORDERS, path);
        if (count != 0 || generate(path) != 0) {
            fprintf(stderr, "report_daily: cannot generate (remove %s and retry)\n", path);
            return 1;
        }
        if (store_open(&st, &(struct store_opts){ .path = path, .busy_ms = 5000 }, err, sizeof err) != STORE_OK)
            return 1;
        count = NORDERS + HEAVY_EXTRA;
    }
    days = (int)(sizeof times / sizeof times[0]);
    for (i = 0; i < days; i++) {
        day_of((i * 37) % NDAYS, day, sizeof day, ymd, sizeof ymd);
        t0 = bench_now_s();
        if (store_report_daily(st, day, kind_free_codes(), &rows, &n, &total) != STORE_OK) {
            fprintf(stderr, "report_daily: %s\n", store_detail(st));
            return 1;
        }
        times[i] = (bench_now_s() - t0) * 1000.0;
        free(rows);
    }
    bench_sort(times, days);
    day_of(HEAVY_DAY, day, sizeof day, ymd, sizeof ymd);
    t0 = bench_now_s();
    store_report_daily(st, day, kind_free_codes(), &rows, &n, &total);
    heavy = (bench_now_s() - t0) * 1000.0;
    free(rows);
    printf("daily report on %ld orders: %d ordinary days (~%ld orders each): median %.2f ms, max %.2f ms\n",
           count, days, NORDERS / NDAYS, times[days / 2], times[days - 1]);
    printf("daily report, heaviest day (%ld orders, %zu lines): %.2f ms (target < 200 ms)\n",
           total.done + total.open + total.cancelled, n, heavy);
    store_close(st);
    return times[days - 1] < 200.0 && heavy < 200.0 ? 0 : 1;
}

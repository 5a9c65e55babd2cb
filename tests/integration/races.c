/*
 * tests/integration/races.c - helper for tests/integration/races.sh: N
 * counter processes on one set of records (an SQLite file or a hall's
 * PostgreSQL server) doing the same thing at the same moment, and what the
 * records made of it.
 *
 *   races sqlite PATH N          the races: prints TAP lines
 *   races postgresql CONNINFO N
 *   races postgresql CONNINFO hold
 *       a unit of work opened (an order created in it), "held" printed,
 *       committed when a line arrives on stdin (the server killed and
 *       started again meanwhile), the outcome printed, then the unit run
 *       again from the start as the engine would, its outcome printed; then
 *       whether the order is the operator's open one, and the chain verifies.
 *   races postgresql CONNINFO silent
 *       "ready"; on a line (the server stopped meanwhile) a unit of work:
 *       "unit RC MS DETAIL"; on a second line (the server going again) the
 *       unit again, "again RC", and whether its order is the open one.
 *
 * The processes start together: each waits on a pipe the parent closes
 * once all are connected.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "data/store.h"

#define PER_CHILD 15            /* orders each process numbers in the second race */

static const char *backend, *where;
static int failed, tests;

static void
ok(int cond, const char *fmt, ...)
{
    va_list ap;

    tests++;
    printf("%s - ", cond ? "ok" : "not ok");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (%s)\n", backend);
    fflush(stdout);
    if (!cond)
        failed++;
}

static store *
open_store(const char *station)
{
    struct store_opts o = { .busy_ms = 10000, .station = station };
    char err[512];
    store *st;

    if (strcmp(backend, "postgresql") == 0) {
        o.backend = STORE_POSTGRESQL;
        o.conninfo = where;
    } else {
        o.path = where;
    }
    if (store_open(&st, &o, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "races: open %s: %s\n", where, err);
        exit(3);
    }
    return st;
}

static void
order_of(struct store_order *o, const char *opid, const char *uscc)
{
    memset(o, 0, sizeof *o);
    snprintf(o->txn, sizeof o->txn, "new");
    snprintf(o->window, sizeof o->window, "window66");
    snprintf(o->operator_id, sizeof o->operator_id, "%s", opid);
    snprintf(o->uscc, sizeof o->uscc, "%s", uscc);
    snprintf(o->step, sizeof o->step, "company");
}

/* One order created in a unit of work of its own, as the engine's save
 * writes it: its status (the unit undone when it failed). */
static int
order_unit(store *st, struct store_order *o, const char *opid, const char *uscc)
{
    int rc;

    order_of(o, opid, uscc);
    if ((rc = store_begin(st)) == STORE_OK && (rc = store_order_create(st, o)) == STORE_OK &&
        (rc = store_commit(st)) == STORE_OK)
        return STORE_OK;
    store_rollback(st);
    return rc;
}

/* The same, tried again (at most 50 times, PAUSE_US apart) until the
 * records answer: the engine's way after "records server unreachable". */
static int
order_unit_again(store *st, struct store_order *o, const char *opid, const char *uscc, unsigned pause_us)
{
    int rc = order_unit(st, o, opid, uscc);

    for (int i = 0; i < 50 && rc != STORE_OK; i++) {
        usleep(pause_us);
        rc = order_unit(st, o, opid, uscc);
    }
    return rc;
}

/* A store call retried while the records say "try again", as the engine's units are. */
#define RETRYING(call)                                                                                        \
    ({                                                                                                        \
        int r_;                                                                                               \
        int n_ = 0;                                                                                           \
        while ((r_ = (call)) == STORE_ERR_RETRY && n_++ < 50)                                                 \
            usleep(20000);                                                                                    \
        r_;                                                                                                   \
    })

/* One racer: the three races, its results written to OUT as text lines. */
static void
racer(int k, int go, FILE *out)
{
    char station[16], opid[40], serial[24], buf[1];
    struct store_order o;
    struct store_cert c;
    store *st;
    int rc, fails;

    snprintf(station, sizeof station, "counter-%d", k);
    st = open_store(station);
    (void)read(go, buf, 1);         /* every racer connected: go */

    /* 1: the same operator, the same moment: one order */
    order_of(&o, "RACE-OPERATOR", "RACE-USCC-1");
    rc = RETRYING(store_order_create(st, &o));
    fprintf(out, "operator %d\n", rc);

    /* 1b: one company, each counter its own operator, the same moment: one order */
    snprintf(opid, sizeof opid, "RACE-OP-%d", k);
    order_of(&o, opid, "RACE-USCC-3");
    rc = RETRYING(store_order_create(st, &o));
    fprintf(out, "company %d\n", rc);

    /* 2: order numbers from many counters at once */
    for (int i = 0; i < PER_CHILD; i++) {
        snprintf(opid, sizeof opid, "OP-%d-%d", k, i);
        order_of(&o, opid, "");
        rc = RETRYING(store_order_create(st, &o));
        if (rc == STORE_OK)
            fprintf(out, "number %s\n", o.number);
        else
            fprintf(out, "number-failed %d %s\n", rc, store_detail(st));
        if (rc == STORE_OK && RETRYING(store_order_finish(st, o.id)) != STORE_OK)
            fprintf(out, "finish-failed %s\n", store_detail(st));
    }

    /* 3: one active certificate per company */
    memset(&c, 0, sizeof c);
    snprintf(serial, sizeof serial, "7ACE%04d", k);
    snprintf(c.serial, sizeof c.serial, "%s", serial);
    snprintf(c.uscc, sizeof c.uscc, "RACE-USCC-2");
    snprintf(c.holder, sizeof c.holder, "竞争单位");
    c.not_before = 1;
    c.not_after = 2;
    c.reason = REASON_NONE;
    rc = RETRYING(store_cert_put(st, &c));
    fprintf(out, "cert %d\n", rc);

    /* 4: a key's wrong-PIN counter, shared: every try counted once, up to the limit */
    rc = RETRYING(store_key_pin_try(st, "RACE-KEY", 1000, &fails));
    fprintf(out, "pin %d %d\n", rc, fails);
    store_close(st);
}

static int
races(int n)
{
    int go[2], res[2], operator_ok = 0, operator_conflict = 0, cert_ok = 0, cert_conflict = 0, pin_ok = 0;
    int company_ok = 0, company_conflict = 0;
    int numbered = 0, dup = 0, other = 0, max_fails = 0;
    char line[600], (*numbers)[40] = calloc((size_t)n * PER_CHILD + 1, 40);
    struct store_key key;
    store *st;
    FILE *in;

    /* the records made, a key known */
    st = open_store("setup");
    memset(&key, 0, sizeof key);
    snprintf(key.serial, sizeof key.serial, "RACE-KEY");
    if (store_key_put(st, &key) != STORE_OK) {
        fprintf(stderr, "races: key: %s\n", store_detail(st));
        return 3;
    }
    store_close(st);

    if (pipe(go) != 0 || pipe(res) != 0 || numbers == NULL)
        return 3;
    for (int k = 0; k < n; k++) {
        pid_t p = fork();
        if (p == 0) {
            FILE *out;
            close(go[1]);
            close(res[0]);
            out = fdopen(res[1], "w");
            racer(k, go[0], out);
            fclose(out);
            _exit(0);
        }
    }
    close(go[0]);
    close(res[1]);
    usleep(300000);                 /* let them connect */
    close(go[1]);                   /* go */
    in = fdopen(res[0], "r");
    while (fgets(line, sizeof line, in) != NULL) {
        int rc, f;
        char num[40];
        if (sscanf(line, "operator %d", &rc) == 1)
            rc == STORE_OK ? operator_ok++ : rc == STORE_ERR_CONFLICT ? operator_conflict++ : other++;
        else if (sscanf(line, "company %d", &rc) == 1)
            rc == STORE_OK ? company_ok++ : rc == STORE_ERR_CONFLICT ? company_conflict++ : other++;
        else if (sscanf(line, "cert %d", &rc) == 1)
            rc == STORE_OK ? cert_ok++ : rc == STORE_ERR_CONFLICT ? cert_conflict++ : other++;
        else if (sscanf(line, "pin %d %d", &rc, &f) == 2) {
            rc == STORE_OK ? pin_ok++ : other++;
            if (f > max_fails)
                max_fails = f;
        } else if (sscanf(line, "number %39s", num) == 1) {
            for (int i = 0; i < numbered; i++)
                if (strcmp(numbers[i], num) == 0)
                    dup++;
            snprintf(numbers[numbered++], 40, "%s", num);
        } else {
            fprintf(stderr, "races: %s", line);
            other++;
        }
    }
    fclose(in);
    while (wait(NULL) > 0)
        ;
    ok(operator_ok == 1 && operator_conflict == n - 1, "%d counters, one operator at the same moment: one order (%d made, %d refused)",
       n, operator_ok, operator_conflict);
    ok(company_ok == 1 && company_conflict == n - 1,
       "%d counters, one company, each its own operator at the same moment: one order (%d made, %d refused)", n,
       company_ok, company_conflict);
    ok(numbered == n * PER_CHILD, "%d counters numbering %d orders each: all numbered (%d)", n, PER_CHILD, numbered);
    ok(dup == 0, "...no order number given twice (%d repeats)", dup);
    ok(cert_ok == 1 && cert_conflict == n - 1, "one company's certificate recorded by %d counters at once: one active (%d, %d refused)",
       n, cert_ok, cert_conflict);
    ok(pin_ok == n && max_fails == n, "a key's wrong-PIN counter tried by %d counters at once: every try counted (%d)", n,
       max_fails);
    ok(other == 0, "...no other outcome (%d)", other);

    st = open_store("check");
    {
        struct store_key k2;
        struct store_audit_result r;
        int64_t bad = 0;
        int got = store_key_get(st, "RACE-KEY", &k2) == STORE_OK ? k2.pin_fails : -1;
        ok(got == n, "...the key's record says %d", got);
        ok(store_audit_verify(st, &bad) == STORE_OK, "the audit trail appended from %d counters verifies (bad row %lld)", n,
           (long long)bad);
        memset(&r, 0, sizeof r);
        store_audit_check(st, &r);
        /* each order: created (1 + n*PER_CHILD) and finished (n*PER_CHILD); each certificate put; keys */
        ok(r.rows >= 1 + 2 * n * PER_CHILD, "...one row for every order created and finished (%lld rows)", (long long)r.rows);
    }
    store_close(st);
    free(numbers);
    printf("1..%d\n", tests);
    return failed ? 1 : 0;
}

/* The unit of work interrupted by the server's death (races.sh kills it). */
static int
hold(void)
{
    struct store_order o, got;
    store *st = open_store("counter-hold");
    char line[16];
    int rc;

    order_of(&o, "HOLD-OPERATOR", "HOLD-USCC");
    if (store_begin(st) != STORE_OK || store_order_create(st, &o) != STORE_OK) {
        printf("begin failed: %s\n", store_detail(st));
        return 3;
    }
    printf("held %s\n", o.number);
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL)
        return 3;
    rc = store_commit(st);
    printf("commit %d %s\n", rc, rc == STORE_OK ? "" : store_detail(st));
    if (rc != STORE_OK)
        store_rollback(st);
    rc = order_unit_again(st, &o, "HOLD-OPERATOR", "HOLD-USCC", 100000);
    printf("again %d %s\n", rc, o.number);
    printf("open %d\n", store_order_open_for_operator(st, "HOLD-OPERATOR", &got) == STORE_OK && got.id == o.id);
    printf("verify %d\n", store_audit_verify(st, NULL));
    store_close(st);
    return 0;
}

/* A server that stops answering (races.sh stops its processes): a unit of
 * work is given up after busy_ms and 5 s of silence, not waited on for
 * ever; once the server answers again the next try writes it once. */
static int
silent(void)
{
    struct store_order o, got;
    struct store_opts opts = { .backend = STORE_POSTGRESQL, .conninfo = where, .busy_ms = 500, .station = "counter-silent" };
    char line[16], err[512];
    struct timespec a, b;
    store *st;
    int rc;

    if (store_open(&st, &opts, err, sizeof err) != STORE_OK) {
        printf("open failed: %s\n", err);
        return 3;
    }
    printf("ready\n");
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL)
        return 3;
    clock_gettime(CLOCK_MONOTONIC, &a);
    rc = order_unit(st, &o, "SILENT-OPERATOR", "SILENT-USCC");
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("unit %d %ld %s\n", rc, (long)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000),
           store_detail(st));
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL)
        return 3;
    rc = order_unit_again(st, &o, "SILENT-OPERATOR", "SILENT-USCC", 200000);
    printf("again %d\n", rc);
    printf("open %d\n", store_order_open_for_operator(st, "SILENT-OPERATOR", &got) == STORE_OK && got.id == o.id);
    store_close(st);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: races sqlite|postgresql WHERE N|hold|silent\n");
        return 2;
    }
    backend = argv[1];
    where = argv[2];
    if (strcmp(argv[3], "hold") == 0)
        return hold();
    if (strcmp(argv[3], "silent") == 0)
        return silent();
    return races(atoi(argv[3]));
}

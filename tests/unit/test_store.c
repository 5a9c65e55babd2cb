/*
 * tests/unit/test_store.c - the SQLite store on real files in a temporary
 * directory: migrations, orders, certificates, print jobs, checks, clerks,
 * a busy database, the ID mask.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/store.h"
#include "testutil.h"

/* One integer from SQL run on a separate raw connection. */
static long long
raw_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    long long v = -1;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void
raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    char *e = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
        fail_msg("%s: %s", sql, e);
    sqlite3_close(db);
}

/* ---- migrations ----------------------------------------------------------- */

/* Rows in the audit as another process (the sqlite3 shell) sees them. */
static int
audit_rows_seen_outside(const char *path)
{
    char cmd[600];
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'SELECT count(*) FROM audit'", path);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

/*
 * Two connections in one process (the kiosk and its print worker) while
 * other processes come and go: opening the second must not drop the first's
 * locks, or a departing process deletes the live WAL and later writes are
 * lost to everyone else.
 */
static void
test_second_connection_keeps_wal(void **state)
{
    struct tu_db *d = *state;
    store *second = NULL;
    char err[256];

    assert_int_equal(store_audit(d->st, "test", "one", "before the second connection"), STORE_OK);
    assert_int_equal(store_open(&second, &(struct store_opts){ .path = d->path, .busy_ms = 2000 }, err, sizeof err), STORE_OK);
    /* Another process comes and goes right after the second connection opened... */
    assert_int_equal(audit_rows_seen_outside(d->path), 1);
    /* ...and every later write is still seen by others. */
    assert_int_equal(store_audit(d->st, "test", "two", "after another process left"), STORE_OK);
    assert_int_equal(store_audit(second, "test", "three", "from the second connection"), STORE_OK);
    assert_int_equal(audit_rows_seen_outside(d->path), 3);
    store_close(second);
}

/* A new database, and its WAL, are readable by their owner only (ID numbers, password hashes). */
static void
test_new_database_private(void **state)
{
    struct tu_db *d = *state;
    struct stat sb;
    char wal[320];

    assert_int_equal(stat(d->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(wal, sizeof wal, "%s-wal", d->path);
    assert_int_equal(store_audit(d->st, "test", "mode", "wal written"), STORE_OK);
    assert_int_equal(stat(wal, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void
test_migrate_fresh_and_reopen(void **state)
{
    struct tu_db *f = *state;
    char err[512];
    int v = store_schema_version(f->st);
    sqlite3 *db;
    sqlite3_stmt *s;

    assert_true(v >= 1);
    store_close(f->st);
    assert_int_equal(store_open(&f->st, &(struct store_opts){ .path = f->path, .busy_ms = 2000 }, err, sizeof err), STORE_OK);
    assert_int_equal(store_schema_version(f->st), v);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), v);

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);
    /* every table the records need */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                                      "('orders','certs','keys','checks','jobs','audit','clerks')"), 7);
}

static void
test_schema_newer_refused(void **state)
{
    struct tu_db *f = *state;
    char err[512] = "";
    store *st2 = NULL;

    store_close(f->st);
    f->st = NULL;
    raw_exec(f->path, "PRAGMA user_version = 999");
    assert_int_equal(store_open(&st2, &(struct store_opts){ .path = f->path, .busy_ms = 500 }, err, sizeof err), STORE_ERR_SCHEMA);
    assert_null(st2);
    assert_non_null(strstr(err, "999"));
    /* untouched */
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 999);
}

/* Version 14 makes one unfinished CA order per company the records' own
 * rule. Records that already break it are refused untouched, and saying
 * so, until one of the two is closed; window 68's orders do not count. */
static void
test_upgrade_refused_while_a_company_has_two_orders(void **state)
{
    struct tu_db *f = *state;
    char err[512] = "";
    store *st2 = NULL;

    store_close(f->st);
    f->st = NULL;
    raw_exec(f->path, "DROP INDEX orders_one_open_company; PRAGMA user_version = 13;"
                      "INSERT INTO orders (number, prefix, day, seq, txn, window, uscc, created, updated) VALUES"
                      " ('66-20261202-0001', '66', '2026-12-02', 1, 'renew', 'window66', 'USCC-TWICE', 1, 1),"
                      " ('66-20261202-0002', '66', '2026-12-02', 2, 'lost', 'window66', 'USCC-TWICE', 1, 1),"
                      " ('68-20261202-0001', '68', '2026-12-02', 1, 'bind', 'window68', 'USCC-TWICE', 1, 1);");
    assert_int_not_equal(store_open(&st2, &(struct store_opts){ .path = f->path, .busy_ms = 500 }, err, sizeof err),
                         STORE_OK);
    assert_null(st2);
    assert_non_null(strstr(err, "orders.uscc"));
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 13);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'orders_one_open_company'"), 0);
    raw_exec(f->path, "UPDATE orders SET state = 2 WHERE number = '66-20261202-0002'");
    assert_int_equal(store_open(&f->st, &(struct store_opts){ .path = f->path, .busy_ms = 500 }, err, sizeof err),
                     STORE_OK);
    assert_int_equal(store_schema_version(f->st), 14);
}

static void
test_open_bad_path(void **state)
{
    struct tu_db *f = *state;
    char err[512] = "", path[400];
    store *st2 = NULL;

    snprintf(path, sizeof path, "%s/no/such/dir/kiosk.db", f->dir);
    assert_int_equal(store_open(&st2, &(struct store_opts){ .path = path, .busy_ms = 100 }, err, sizeof err), STORE_ERR_OPEN);
    assert_null(st2);
    assert_non_null(strstr(err, path));
}

/* ---- orders --------------------------------------------------------------- */

static time_t
local_time(int y, int mo, int d, int h, int mi)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_isdst = -1 };
    return mktime(&tm);
}

static void
order_init(struct store_order *o, const char *window, const char *clerk, const char *op, const char *txn)
{
    memset(o, 0, sizeof *o);
    snprintf(o->window, sizeof o->window, "%s", window);
    snprintf(o->clerk, sizeof o->clerk, "%s", clerk);
    snprintf(o->operator_id, sizeof o->operator_id, "%s", op);
    snprintf(o->txn, sizeof o->txn, "%s", txn);
}

static void
test_order_lifecycle(void **state)
{
    struct tu_db *f = *state;
    struct store_order a, b, c, got;

    store_set_now(f->st, local_time(2026, 11, 22, 9, 15));
    order_init(&a, "window66", "li", "120101199001011234", "new");
    snprintf(a.uscc, sizeof a.uscc, "91120000MA05JXXX1X");
    snprintf(a.step, sizeof a.step, "materials");
    assert_int_equal(store_order_create(f->st, &a), STORE_OK);
    assert_true(a.id > 0);
    assert_string_equal(a.number, "66-20261122-0001");
    assert_int_equal(a.state, ORDER_OPEN);

    order_init(&b, "window66", "li", "", "check");
    assert_int_equal(store_order_create(f->st, &b), STORE_OK);
    assert_string_equal(b.number, "66-20261122-0002");
    order_init(&c, "window68", "wang", "", "bind");
    assert_int_equal(store_order_create(f->st, &c), STORE_OK);
    assert_string_equal(c.number, "68-20261122-0001");

    /* next day: the sequence starts again */
    store_set_now(f->st, local_time(2026, 11, 23, 8, 31));
    order_init(&c, "self", "", "", "check");
    assert_int_equal(store_order_create(f->st, &c), STORE_OK);
    assert_string_equal(c.number, "00-20261123-0001");

    /* update and resume */
    snprintf(a.step, sizeof a.step, "payment");
    snprintf(a.data, sizeof a.data, "company=天津测试有限公司\nyears=3\n");
    a.amount = 20000;
    snprintf(a.pay_method, sizeof a.pay_method, "cash");
    a.paid_at = local_time(2026, 11, 22, 9, 20);
    assert_int_equal(store_order_update(f->st, &a), STORE_OK);
    assert_int_equal(store_order_open_for_operator(f->st, "120101199001011234", &got), STORE_OK);
    assert_int_equal(got.id, a.id);
    assert_string_equal(got.step, "payment");
    assert_string_equal(got.data, "company=天津测试有限公司\nyears=3\n");
    assert_int_equal(got.amount, 20000);
    assert_string_equal(got.pay_method, "cash");
    assert_int_equal(got.paid_at, a.paid_at);
    assert_int_equal(store_order_by_number(f->st, "66-20261122-0001", &got), STORE_OK);
    assert_int_equal(got.id, a.id);

    /* finish; no longer open, no longer changeable */
    assert_int_equal(store_order_finish(f->st, a.id), STORE_OK);
    assert_int_equal(store_order_get(f->st, a.id, &got), STORE_OK);
    assert_int_equal(got.state, ORDER_DONE);
    assert_int_equal(store_order_open_for_operator(f->st, "120101199001011234", &got), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_order_update(f->st, &a), STORE_ERR_CONFLICT);
    assert_int_equal(store_order_cancel(f->st, a.id, "late"), STORE_ERR_CONFLICT);
    assert_int_equal(store_order_finish(f->st, a.id), STORE_ERR_CONFLICT);

    /* cancel */
    assert_int_equal(store_order_cancel(f->st, b.id, "applicant left"), STORE_OK);
    assert_int_equal(store_order_get(f->st, b.id, &got), STORE_OK);
    assert_int_equal(got.state, ORDER_CANCELLED);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM orders WHERE cancel_reason = 'applicant left'"), 1);

    /* not found */
    assert_int_equal(store_order_get(f->st, 9999, &got), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_order_by_number(f->st, "66-20000101-0001", &got), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_order_finish(f->st, 9999), STORE_ERR_NOT_FOUND);
    a.id = 9999;
    assert_int_equal(store_order_update(f->st, &a), STORE_ERR_NOT_FOUND);
    /* bad payment method refused by the schema */
    snprintf(c.pay_method, sizeof c.pay_method, "bitcoin");
    assert_int_equal(store_order_update(f->st, &c), STORE_ERR_CONFLICT);
}

static void
test_one_open_order_per_operator(void **state)
{
    struct tu_db *f = *state;
    struct store_order a, b, other;

    order_init(&a, "window66", "li", "120101199001011234", "renew");
    assert_int_equal(store_order_create(f->st, &a), STORE_OK);
    order_init(&b, "self", "", "120101199001011234", "renew");
    assert_int_equal(store_order_create(f->st, &b), STORE_ERR_CONFLICT);
    assert_int_equal(b.id, 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM orders"), 1);
    /* only the create of a is audited */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 1);

    /* moving another open order onto that operator is refused too */
    order_init(&other, "window66", "li", "11010519491231002X", "new");
    assert_int_equal(store_order_create(f->st, &other), STORE_OK);
    snprintf(other.operator_id, sizeof other.operator_id, "120101199001011234");
    assert_int_equal(store_order_update(f->st, &other), STORE_ERR_CONFLICT);

    /* the schema itself refuses it, whatever the code does */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO orders (number,prefix,day,seq,txn,window,operator_id,created,updated)"
                                      " VALUES ('x','66','2026-01-01',99,'new','window66','120101199001011234',0,0)",
                                  NULL, NULL, NULL) & 0xff, SQLITE_CONSTRAINT);
    sqlite3_close(db);

    /* after cancelling, a new order for the same person is accepted */
    assert_int_equal(store_order_cancel(f->st, a.id, "new order wanted"), STORE_OK);
    assert_int_equal(store_order_create(f->st, &b), STORE_OK);
    /* empty operator IDs never conflict */
    order_init(&a, "self", "", "", "check");
    assert_int_equal(store_order_create(f->st, &a), STORE_OK);
    order_init(&a, "self", "", "", "check");
    assert_int_equal(store_order_create(f->st, &a), STORE_OK);
}

/* ---- certificates --------------------------------------------------------- */

static void
cert_init(struct store_cert *c, const char *serial, const char *uscc, const char *key)
{
    memset(c, 0, sizeof *c);
    snprintf(c->serial, sizeof c->serial, "%s", serial);
    snprintf(c->uscc, sizeof c->uscc, "%s", uscc);
    snprintf(c->holder, sizeof c->holder, "天津测试有限公司");
    snprintf(c->subject, sizeof c->subject, "CN=天津测试有限公司,O=%s", uscc);
    snprintf(c->key_serial, sizeof c->key_serial, "%s", key);
    snprintf(c->kind, sizeof c->kind, "unit");
    c->not_before = 1700000000;
    c->not_after = 1700000000 + 3 * 365 * 86400;
    c->first_issue = 1700000000;
    c->state = CERT_ACTIVE;
}

static void
test_one_active_cert_per_uscc(void **state)
{
    struct tu_db *f = *state;
    struct store_cert a, b, got;

    cert_init(&a, "0A01", "91120000MA05JXXX1X", "KEY001");
    assert_int_equal(store_cert_put(f->st, &a), STORE_OK);
    assert_int_equal(store_cert_get(f->st, "0A01", &got), STORE_OK);
    assert_string_equal(got.holder, "天津测试有限公司");
    assert_string_equal(got.key_serial, "KEY001");
    assert_int_equal(got.not_after, a.not_after);

    cert_init(&b, "0B02", "91120000MA05JXXX1X", "KEY002");
    assert_int_equal(store_cert_put(f->st, &b), STORE_ERR_CONFLICT);
    assert_int_equal(store_cert_get(f->st, "0B02", &got), STORE_ERR_NOT_FOUND);
    /* the failed put left no key row behind either */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM keys WHERE serial = 'KEY002'"), 0);

    assert_int_equal(store_cert_set_state(f->st, "0A01", CERT_REVOKED), STORE_OK);
    assert_int_equal(store_cert_put(f->st, &b), STORE_OK);
    assert_int_equal(store_cert_active_for_uscc(f->st, "91120000MA05JXXX1X", &got), STORE_OK);
    assert_string_equal(got.serial, "0B02");
    assert_int_equal(store_cert_set_state(f->st, "0A01", CERT_ACTIVE), STORE_ERR_CONFLICT);
    assert_int_equal(store_cert_set_state(f->st, "FFFF", CERT_REVOKED), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_cert_active_for_uscc(f->st, "911200000000000000", &got), STORE_ERR_NOT_FOUND);
    /* an order that does not exist cannot be referenced (foreign keys on) */
    cert_init(&a, "0C03", "92120000MA05JXXX1X", "KEY003");
    a.order_id = 4242;
    assert_int_equal(store_cert_put(f->st, &a), STORE_ERR_CONFLICT);
}

/* ---- print jobs ----------------------------------------------------------- */

static void
test_jobs(void **state)
{
    struct tu_db *f = *state;
    static const unsigned char pdf[] = "%PDF-1.7\n\0binary\xff\x00tail";
    struct store_job a = { .doc = "receipt", .title = "order 1 receipt", .copies = 1 };
    struct store_job b = { .doc = "form", .title = "form", .copies = 2, .next_try = 5000 };
    struct store_job got, list[8];
    void *blob = NULL;
    size_t len = 0, n = 0;

    store_set_now(f->st, 1000);
    assert_int_equal(store_job_add(f->st, &a, pdf, sizeof pdf), STORE_OK);
    assert_int_equal(store_job_add(f->st, &b, pdf, 10), STORE_OK);
    assert_true(b.id > a.id);
    assert_int_equal(store_job_pdf(f->st, a.id, &blob, &len), STORE_OK);
    assert_int_equal(len, sizeof pdf);
    assert_memory_equal(blob, pdf, sizeof pdf);
    free(blob);

    assert_int_equal(store_job_due(f->st, 1000, list, 8, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, a.id);
    assert_int_equal(store_job_due(f->st, 6000, list, 8, &n), STORE_OK);
    assert_int_equal(n, 2);

    a.state = JOB_SENT;
    a.attempts = 1;
    a.printer_job_id = 17;
    snprintf(a.last_error, sizeof a.last_error, "none");
    assert_int_equal(store_job_update(f->st, &a), STORE_OK);
    assert_int_equal(store_job_get(f->st, a.id, &got), STORE_OK);
    assert_int_equal(got.state, JOB_SENT);
    assert_int_equal(got.printer_job_id, 17);
    assert_int_equal(got.attempts, 1);
    assert_string_equal(got.title, "order 1 receipt");
    assert_int_equal(store_job_due(f->st, 6000, list, 8, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, b.id);
    assert_int_equal(store_job_recent(f->st, list, 8, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, b.id);

    assert_int_equal(store_job_get(f->st, 999, &got), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_job_pdf(f->st, 999, &blob, &len), STORE_ERR_NOT_FOUND);
    assert_null(blob);
    got.id = 999;
    assert_int_equal(store_job_update(f->st, &got), STORE_ERR_NOT_FOUND);
}

/* ---- checks --------------------------------------------------------------- */

static void
test_checks(void **state)
{
    struct tu_db *f = *state;
    struct store_check c = { .mode = "self", .key_serial = "KEY001", .cert_serial = "0A01",
                             .holder = "天津测试有限公司", .uscc = "91120000MA05JXXX1X",
                             .not_after = 1800000000, .days_left = 40, .result = CHECK_EXPIRING };
    struct store_check out[4];
    size_t n = 0;

    assert_int_equal(store_check_add(f->st, &c), STORE_OK);
    c.result = CHECK_NO_CERT;
    c.cert_serial[0] = '\0';
    assert_int_equal(store_check_add(f->st, &c), STORE_OK);
    assert_int_equal(store_check_recent(f->st, out, 4, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].result, CHECK_NO_CERT);
    assert_int_equal(out[1].result, CHECK_EXPIRING);
    assert_string_equal(out[1].holder, "天津测试有限公司");
    assert_int_equal(out[1].days_left, 40);
    assert_true(out[1].at > 0);
    assert_int_equal(store_check_recent(f->st, out, 1, &n), STORE_OK);
    assert_int_equal(n, 1);
}

/* ---- busy ------------------------------------------------------------------ */

static void
test_busy(void **state)
{
    struct tu_db *f = *state;
    struct store_order o;
    sqlite3 *db;
    char err[512];
    store *st2 = NULL;
    long long orders, audits;

    /* a short timeout for this connection */
    store_close(f->st);
    assert_int_equal(store_open(&f->st, &(struct store_opts){ .path = f->path, .busy_ms = 150 }, err, sizeof err), STORE_OK);
    assert_int_equal(store_audit(f->st, "admin", "test", "before"), STORE_OK);
    orders = raw_int(f->path, "SELECT count(*) FROM orders");
    audits = raw_int(f->path, "SELECT count(*) FROM audit");

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO checks (at,mode,result) VALUES (1,'self',0)",
                                  NULL, NULL, NULL), SQLITE_OK);

    order_init(&o, "window66", "li", "120101199001011234", "new");
    assert_int_equal(store_order_create(f->st, &o), STORE_ERR_RETRY);
    assert_int_equal(o.id, 0);
    assert_int_equal(store_audit(f->st, "admin", "test", "during"), STORE_ERR_RETRY);
    assert_int_equal(store_clerk_add(f->st, "busy1", "window66", "Busy", "password1"), STORE_ERR_RETRY);
    /* opening a second store on an up-to-date file does not need the lock */
    assert_int_equal(store_open(&st2, &(struct store_opts){ .path = f->path, .busy_ms = 100 }, err, sizeof err), STORE_OK);
    store_close(st2);
    /* reads still work under WAL */
    assert_int_equal(store_order_get(f->st, 1, &o), STORE_ERR_NOT_FOUND);

    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    /* nothing half written */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM orders"), orders);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), audits);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM clerks"), 0);
    int64_t bad = -1;
    assert_int_equal(store_audit_verify(f->st, &bad), STORE_OK);
    /* and it works once the lock is gone */
    order_init(&o, "window66", "li", "120101199001011234", "new");
    assert_int_equal(store_order_create(f->st, &o), STORE_OK);
}

/* ---- clerks ---------------------------------------------------------------- */

static void
test_clerks(void **state)
{
    struct tu_db *f = *state;
    struct store_clerk c, list[4];
    char role[16];
    size_t n = 0;

    assert_int_equal(store_clerk_add(f->st, "li", "window66", "李明", "s3cret-pass"), STORE_OK);
    assert_int_equal(store_clerk_add(f->st, "boss", "supervisor", "王主管", "another-pass"), STORE_OK);
    assert_int_equal(store_clerk_add(f->st, "li", "window68", "Other", "s3cret-pass"), STORE_ERR_CONFLICT);
    assert_int_equal(store_clerk_add(f->st, "short", "window68", "Short", "1234567"), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(f->st), "password"));
    assert_int_equal(store_clerk_add(f->st, "x", "cashier", "X", "12345678"), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(f->st), "role"));
    assert_int_equal(store_clerk_add(f->st, "Bad Login", "window66", "X", "12345678"), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(f->st), "login"));
    assert_int_equal(store_clerk_add(f->st, "noname", "window66", "", "12345678"), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(f->st), "name"));

    assert_int_equal(store_clerk_get(f->st, "li", &c), STORE_OK);
    assert_string_equal(c.name, "李明");
    assert_string_equal(c.role, "window66");
    assert_false(c.disabled);

    /* the hash keeps its parameters and never the password */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM clerks WHERE pw_hash LIKE 'scrypt$16384$8$1$%'"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM clerks WHERE instr(pw_hash, 's3cret') > 0"), 0);
    /* two clerks with the same password get different salts */
    assert_int_equal(store_clerk_add(f->st, "zhao", "window68", "赵", "s3cret-pass"), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(DISTINCT pw_hash) FROM clerks"), 3);

    assert_int_equal(store_clerk_verify_password(f->st, "li", "s3cret-pass", role, sizeof role), STORE_OK);
    assert_string_equal(role, "window66");
    assert_int_equal(store_clerk_verify_password(f->st, "li", "s3cret-pasS", role, sizeof role), STORE_ERR_CONFLICT);
    assert_string_equal(role, "");
    assert_int_equal(store_clerk_verify_password(f->st, "nobody", "s3cret-pass", role, sizeof role), STORE_ERR_NOT_FOUND);

    assert_int_equal(store_clerk_set_password(f->st, "li", "new-password"), STORE_OK);
    assert_int_equal(store_clerk_verify_password(f->st, "li", "s3cret-pass", role, sizeof role), STORE_ERR_CONFLICT);
    assert_int_equal(store_clerk_verify_password(f->st, "li", "new-password", role, sizeof role), STORE_OK);
    assert_int_equal(store_clerk_set_password(f->st, "li", "short"), STORE_ERR_IO);
    assert_int_equal(store_clerk_set_password(f->st, "nobody", "long-enough"), STORE_ERR_NOT_FOUND);

    assert_int_equal(store_clerk_disable(f->st, "li"), STORE_OK);
    assert_int_equal(store_clerk_verify_password(f->st, "li", "new-password", role, sizeof role), STORE_ERR_CONFLICT);
    assert_non_null(strstr(store_detail(f->st), "disabled"));
    assert_int_equal(store_clerk_disable(f->st, "nobody"), STORE_ERR_NOT_FOUND);

    assert_int_equal(store_clerk_list(f->st, list, 4, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].login, "boss");
    assert_string_equal(list[1].login, "li");
    assert_true(list[1].disabled);

    /* every admin change audited, no password in it */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action = 'clerk.add'"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action = 'clerk.passwd'"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action = 'clerk.disable'"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE instr(detail, 'pass') > 0"), 0);
}

static void
test_mask_id(void **state)
{
    char out[40];
    (void)state;

    assert_string_equal(store_mask_id("120101199001011234", out, sizeof out), "120101********1234");
    assert_string_equal(store_mask_id("11010519491231002X", out, sizeof out), "110105********002X");
    assert_string_equal(store_mask_id("12345", out, sizeof out), "*****"); /* short: masked whole */
    assert_string_equal(store_mask_id("", out, sizeof out), "");
    assert_string_equal(store_mask_id(NULL, out, sizeof out), "");
    assert_string_equal(store_mask_id("120101199001011234", out, 8), "120101*");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_database_private, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_second_connection_keeps_wal, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_migrate_fresh_and_reopen, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_schema_newer_refused, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_refused_while_a_company_has_two_orders, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_open_bad_path, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_order_lifecycle, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_one_open_order_per_operator, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_one_active_cert_per_uscc, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_jobs, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_checks, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_busy, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_clerks, tu_db_setup, tu_db_teardown),
        cmocka_unit_test(test_mask_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

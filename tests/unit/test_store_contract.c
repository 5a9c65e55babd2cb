/*
 * tests/unit/test_store_contract.c - the records' contract (data/store.h),
 * written against store.h only, so that every backend passes the same
 * cases: the embedded SQLite file always, and a hall's PostgreSQL server
 * when STORE_TEST_PG names one (a libpq conninfo: tests/integration/
 * store_pg.sh starts a private cluster and runs this program on it); each
 * case there starts from an empty database (its schema dropped).
 *
 * What any backend must do: open from options and migrate; number orders
 * WINDOW-YYYYMMDD-NNNN per window and day without gaps or repeats, across
 * reopening; refuse a second open order per operator, a second open CA
 * order per company and a second active certificate per company; keep a unit of work all or nothing (nested
 * units too); answer STORE_ERR_RETRY, having written nothing, while another
 * connection holds the write; give print jobs the station that queued them
 * and show each station its own due jobs; let one sender at a time claim a
 * job, with a lease; move a certificate only along its transitions (active,
 * on hold, revoked for good); keep an audit chain that verifies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "data/store.h"
#include "testutil.h"

/* A backend under test: open a store on the records named by LOCATION. */
struct backend {
    const char *name;
    int (*open)(store **st, const char *location, int busy_ms, const char *station);
};

static int
sqlite_open(store **st, const char *location, int busy_ms, const char *station)
{
    char err[512];

    return store_open(st, &(struct store_opts){ .path = location, .busy_ms = busy_ms, .station = station }, err,
                      sizeof err);
}

/* LOCATION is ignored: the server STORE_TEST_PG names. */
static int
pg_open(store **st, const char *location, int busy_ms, const char *station)
{
    char err[512];
    int rc;

    (void)location;
    rc = store_open(st, &(struct store_opts){ .backend = STORE_POSTGRESQL, .conninfo = getenv("STORE_TEST_PG"),
                                             .busy_ms = busy_ms, .station = station },
                    err, sizeof err);
    if (rc != STORE_OK)
        print_error("pg_open: %s\n", err);
    return rc;
}

/* An empty database on the server: every table of the last case dropped. */
static void
pg_empty(void)
{
    PGconn *c = PQconnectdb(getenv("STORE_TEST_PG"));
    PGresult *r;

    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("%s: %s", getenv("STORE_TEST_PG"), PQerrorMessage(c));
    r = PQexec(c, "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("emptying the database: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

static const struct backend backends[] = {
    { .name = "sqlite", .open = sqlite_open },
    { .name = "postgresql", .open = pg_open },
};
static const struct backend *backend = &backends[0];       /* the one main() runs the cases on */

struct fixture {
    struct tu_db d;                 /* a fresh location */
    const struct backend *b;
};

static int
setup(void **state)
{
    static struct fixture f;

    memset(&f, 0, sizeof f);
    f.b = backend;
    tu_db_open(&f.d);               /* creates the location (and opens it once) */
    if (f.b->open == pg_open)
        pg_empty();
    store_close(f.d.st);
    f.d.st = NULL;
    assert_int_equal(f.b->open(&f.d.st, f.d.path, 2000, "counter-a"), STORE_OK);
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    tu_db_close(&f->d);
    return 0;
}

static void
new_order(struct store_order *o, const char *window, const char *opid, const char *uscc)
{
    memset(o, 0, sizeof *o);
    snprintf(o->txn, sizeof o->txn, "new");
    snprintf(o->window, sizeof o->window, "%s", window);
    snprintf(o->operator_id, sizeof o->operator_id, "%s", opid);
    snprintf(o->uscc, sizeof o->uscc, "%s", uscc);
    snprintf(o->step, sizeof o->step, "company");
}

static void
test_order_numbers(void **state)
{
    struct fixture *f = *state;
    struct store_order a, b, c, d;
    char ymd[16], want[32];
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    strftime(ymd, sizeof ymd, "%Y%m%d", &tm);
    new_order(&a, "window66", "OP-A", "USCC-A");
    new_order(&b, "window66", "OP-B", "USCC-B");
    new_order(&c, "window68", "OP-C", "USCC-C");
    assert_int_equal(store_order_create(f->d.st, &a), STORE_OK);
    assert_int_equal(store_order_create(f->d.st, &b), STORE_OK);
    assert_int_equal(store_order_create(f->d.st, &c), STORE_OK);
    snprintf(want, sizeof want, "66-%s-0001", ymd);
    assert_string_equal(a.number, want);
    snprintf(want, sizeof want, "66-%s-0002", ymd);
    assert_string_equal(b.number, want);
    snprintf(want, sizeof want, "68-%s-0001", ymd);     /* per window */
    assert_string_equal(c.number, want);
    /* a reopened store goes on counting */
    store_close(f->d.st);
    assert_int_equal(f->b->open(&f->d.st, f->d.path, 2000, "counter-a"), STORE_OK);
    new_order(&d, "window66", "OP-D", "USCC-D");
    assert_int_equal(store_order_create(f->d.st, &d), STORE_OK);
    snprintf(want, sizeof want, "66-%s-0003", ymd);
    assert_string_equal(d.number, want);
}

static void
test_rules_are_constraints(void **state)
{
    struct fixture *f = *state;
    struct store_order a, b, d, e, got;
    struct store_cert c;

    new_order(&a, "window66", "OP-SAME", "USCC-1");
    new_order(&b, "window66", "OP-SAME", "USCC-2");
    assert_int_equal(store_order_create(f->d.st, &a), STORE_OK);
    assert_int_equal(store_order_create(f->d.st, &b), STORE_ERR_CONFLICT);   /* one open order per operator */
    assert_int_equal(store_order_finish(f->d.st, a.id), STORE_OK);
    assert_int_equal(store_order_finish(f->d.st, a.id), STORE_ERR_CONFLICT); /* closed stays closed */
    assert_int_equal(store_order_cancel(f->d.st, a.id, "late"), STORE_ERR_CONFLICT);
    assert_int_equal(store_order_create(f->d.st, &b), STORE_OK);             /* free again */

    /* one unfinished order per company at the CA: another operator, the
     * self-service terminal, or the company named later by an update */
    new_order(&d, "window66", "OP-OTHER", "USCC-2");
    assert_int_equal(store_order_create(f->d.st, &d), STORE_ERR_CONFLICT);
    new_order(&d, "self", "", "USCC-2");
    assert_int_equal(store_order_create(f->d.st, &d), STORE_ERR_CONFLICT);
    new_order(&d, "window68", "OP-W68", "USCC-2");                           /* window 68 is not the CA */
    assert_int_equal(store_order_create(f->d.st, &d), STORE_OK);
    new_order(&e, "window66", "OP-LATER", "");
    assert_int_equal(store_order_create(f->d.st, &e), STORE_OK);
    snprintf(e.uscc, sizeof e.uscc, "USCC-2");
    assert_int_equal(store_order_update(f->d.st, &e), STORE_ERR_CONFLICT);
    assert_int_equal(store_order_get(f->d.st, e.id, &got), STORE_OK);
    assert_string_equal(got.uscc, "");                                        /* refused, not half-written */
    assert_int_equal(store_order_cancel(f->d.st, b.id, "the other goes on"), STORE_OK);
    assert_int_equal(store_order_update(f->d.st, &e), STORE_OK);

    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "C0FFEE01");
    snprintf(c.uscc, sizeof c.uscc, "USCC-1");
    snprintf(c.holder, sizeof c.holder, "测试单位");
    c.not_before = 1;
    c.not_after = 2;
    assert_int_equal(store_cert_put(f->d.st, &c), STORE_OK);
    snprintf(c.serial, sizeof c.serial, "C0FFEE02");
    assert_int_equal(store_cert_put(f->d.st, &c), STORE_ERR_CONFLICT);       /* one active per company */
    assert_int_equal(store_cert_set_state(f->d.st, "C0FFEE01", CERT_REVOKED), STORE_OK);
    assert_int_equal(store_cert_put(f->d.st, &c), STORE_OK);
}

static void
test_units_of_work(void **state)
{
    struct fixture *f = *state;
    struct store_order a, b, got;

    new_order(&a, "window66", "OP-UOW-1", "USCC-U1");
    assert_int_equal(store_begin(f->d.st), STORE_OK);
    assert_int_equal(store_order_create(f->d.st, &a), STORE_OK);
    store_rollback(f->d.st);
    assert_int_equal(store_order_get(f->d.st, a.id, &got), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_order_open_for_operator(f->d.st, "OP-UOW-1", &got), STORE_ERR_NOT_FOUND);

    /* nested: the inner unit undone, the outer kept */
    new_order(&a, "window66", "OP-UOW-2", "USCC-U2");
    new_order(&b, "window66", "OP-UOW-3", "USCC-U3");
    assert_int_equal(store_begin(f->d.st), STORE_OK);
    assert_int_equal(store_order_create(f->d.st, &a), STORE_OK);
    assert_int_equal(store_begin(f->d.st), STORE_OK);
    assert_int_equal(store_order_create(f->d.st, &b), STORE_OK);
    store_rollback(f->d.st);
    assert_int_equal(store_commit(f->d.st), STORE_OK);
    assert_int_equal(store_order_get(f->d.st, a.id, &got), STORE_OK);
    assert_int_equal(store_order_open_for_operator(f->d.st, "OP-UOW-3", &got), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_order_open_for_uscc(f->d.st, "USCC-U2", 0, &got), STORE_OK);
    assert_int_equal(got.id, a.id);
    assert_int_equal(store_order_open_for_uscc(f->d.st, "USCC-U2", a.id, &got), STORE_ERR_NOT_FOUND);
}

static void
test_retry_while_another_writes(void **state)
{
    struct fixture *f = *state;
    struct store_order a, got;
    store *other = NULL;

    assert_int_equal(f->b->open(&other, f->d.path, 100, "counter-b"), STORE_OK);
    assert_int_equal(store_begin(f->d.st), STORE_OK);       /* this connection writes */
    new_order(&a, "window66", "OP-RETRY", "USCC-R");
    assert_int_equal(store_order_create(f->d.st, &a), STORE_OK);
    /* the other waits its 100 ms and is told to retry, having written nothing */
    assert_int_equal(store_begin(other), STORE_ERR_RETRY);
    assert_int_equal(store_audit(other, "t", "contract.retry", "x"), STORE_ERR_RETRY);
    assert_int_equal(store_commit(f->d.st), STORE_OK);
    /* once free, the retry goes through and sees the first's order */
    assert_int_equal(store_audit(other, "t", "contract.retry", "x"), STORE_OK);
    assert_int_equal(store_order_open_for_operator(other, "OP-RETRY", &got), STORE_OK);
    store_close(other);
}

static void
test_jobs_belong_to_a_station(void **state)
{
    struct fixture *f = *state;
    struct store_job a, b, list[8];
    store *other = NULL;
    size_t n = 0;

    memset(&a, 0, sizeof a);
    snprintf(a.doc, sizeof a.doc, "receipt");
    snprintf(a.title, sizeof a.title, "A");
    assert_int_equal(store_job_add(f->d.st, &a, "%PDF", 4), STORE_OK);
    assert_string_equal(a.station, "counter-a");           /* queued here: ours */
    assert_int_equal(f->b->open(&other, f->d.path, 2000, "counter-b"), STORE_OK);
    memset(&b, 0, sizeof b);
    snprintf(b.doc, sizeof b.doc, "receipt");
    snprintf(b.title, sizeof b.title, "B");
    assert_int_equal(store_job_add(other, &b, "%PDF", 4), STORE_OK);
    assert_int_equal(store_job_due(f->d.st, time(NULL) + 1, list, 8, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, a.id);
    assert_string_equal(list[0].station, "counter-a");
    assert_int_equal(store_job_due(other, time(NULL) + 1, list, 8, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, b.id);
    assert_int_equal(store_job_recent(other, list, 8, &n), STORE_OK);  /* the queue screen shows all */
    assert_int_equal(n, 2);
    store_close(other);
}

/* The papers of one order come out in the order queued: a later paper of
 * an order waits while an earlier one is queued (in back-off too); another
 * order's does not; the printer back, every back-off is dropped. */
static void
test_papers_in_order(void **state)
{
    struct fixture *f = *state;
    struct store_order o1, o2;
    struct store_job form, receipt, other, list[8];
    time_t now = time(NULL);
    size_t n = 0;

    new_order(&o1, "window66", "op-pio1", "USCC-PIO1");
    new_order(&o2, "window66", "op-pio2", "USCC-PIO2");
    assert_int_equal(store_order_create(f->d.st, &o1), STORE_OK);
    assert_int_equal(store_order_create(f->d.st, &o2), STORE_OK);
    memset(&form, 0, sizeof form);
    form.order_id = o1.id;
    snprintf(form.doc, sizeof form.doc, "form");
    assert_int_equal(store_job_add(f->d.st, &form, "%PDF", 4), STORE_OK);
    form.next_try = now + 60;                               /* the printer refused it: back-off */
    form.attempts = 1;
    assert_int_equal(store_job_update(f->d.st, &form), STORE_OK);
    receipt = form;
    memset(&receipt, 0, sizeof receipt);
    receipt.order_id = o1.id;
    snprintf(receipt.doc, sizeof receipt.doc, "receipt");
    assert_int_equal(store_job_add(f->d.st, &receipt, "%PDF", 4), STORE_OK);
    memset(&other, 0, sizeof other);
    other.order_id = o2.id;
    snprintf(other.doc, sizeof other.doc, "receipt");
    assert_int_equal(store_job_add(f->d.st, &other, "%PDF", 4), STORE_OK);

    assert_int_equal(store_job_due(f->d.st, now + 1, list, 8, &n), STORE_OK);
    assert_int_equal(n, 1);                                 /* the receipt waits for its form */
    assert_int_equal(list[0].id, other.id);
    assert_int_equal(store_job_wake(f->d.st), STORE_OK);    /* the printer is back */
    assert_int_equal(store_job_due(f->d.st, now + 1, list, 8, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, form.id);                  /* the form first */
    assert_int_equal(list[1].id, other.id);
    form.state = JOB_DONE;
    assert_int_equal(store_job_update(f->d.st, &form), STORE_OK);
    assert_int_equal(store_job_due(f->d.st, now + 1, list, 8, &n), STORE_OK);
    assert_int_equal(n, 2);                                 /* then its receipt */
    assert_int_equal(list[0].id, receipt.id);
}

/* One sender per job across connections: a claim is atomic, leased, released by its owner only. */
static void
test_job_claims(void **state)
{
    struct fixture *f = *state;
    struct store_job j, got;
    store *other = NULL;
    time_t now = time(NULL);

    memset(&j, 0, sizeof j);
    snprintf(j.doc, sizeof j.doc, "receipt");
    snprintf(j.title, sizeof j.title, "收据 66-20261201-0001");
    assert_int_equal(store_job_add(f->d.st, &j, "%PDF", 4), STORE_OK);
    assert_int_equal(f->b->open(&other, f->d.path, 2000, "counter-a"), STORE_OK);   /* a second process */

    assert_int_equal(store_job_claim(f->d.st, j.id, "p1", now, 60, &got), STORE_OK);
    assert_string_equal(got.claim_owner, "p1");
    assert_int_equal(got.claim_until, now + 60);
    assert_int_equal(got.state, JOB_QUEUED);
    /* another sender is refused while the lease runs, told who holds it */
    assert_int_equal(store_job_claim(other, j.id, "p2", now + 59, 60, &got), STORE_ERR_CONFLICT);
    assert_string_equal(got.claim_owner, "p1");
    /* the owner renews; a stranger's release changes nothing */
    assert_int_equal(store_job_claim(f->d.st, j.id, "p1", now + 30, 60, &got), STORE_OK);
    assert_int_equal(got.claim_until, now + 90);
    assert_int_equal(store_job_release(other, j.id, "p2"), STORE_OK);
    assert_int_equal(store_job_claim(other, j.id, "p2", now + 89, 60, &got), STORE_ERR_CONFLICT);
    /* a lapsed lease (its process died) is taken over, with the row as it is */
    got.state = JOB_SENT;
    got.printer_job_id = 7;
    assert_int_equal(store_job_update(f->d.st, &got), STORE_OK);
    assert_int_equal(store_job_claim(other, j.id, "p2", now + 90, 60, &got), STORE_OK);
    assert_string_equal(got.claim_owner, "p2");
    assert_int_equal(got.state, JOB_SENT);
    assert_int_equal(got.printer_job_id, 7);
    /* released by its owner, anyone may claim it */
    assert_int_equal(store_job_release(other, j.id, "p2"), STORE_OK);
    assert_int_equal(store_job_get(f->d.st, j.id, &got), STORE_OK);
    assert_string_equal(got.claim_owner, "");
    assert_int_equal(store_job_claim(f->d.st, j.id, "p3", now, 60, &got), STORE_OK);
    assert_int_equal(store_job_claim(f->d.st, j.id + 1000, "p3", now, 60, &got), STORE_ERR_NOT_FOUND);
    store_close(other);
}

/* A certificate's status changes: active -> on hold -> active; on hold -> revoked; never back from revoked. */
static void
test_cert_transitions(void **state)
{
    struct fixture *f = *state;
    struct store_cert c, got;
    time_t now = time(NULL);

    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "0A1B2C");
    snprintf(c.uscc, sizeof c.uscc, "91120116MA05JQ4W3K");
    c.not_before = now;
    c.not_after = now + 86400;
    c.state = CERT_ACTIVE;
    c.reason = REASON_NONE;
    assert_int_equal(store_cert_put(f->d.st, &c), STORE_OK);
    assert_int_equal(store_cert_release(f->d.st, c.serial), STORE_ERR_CONFLICT);      /* not on hold */
    assert_int_equal(store_cert_hold(f->d.st, c.serial, now), STORE_OK);
    assert_int_equal(store_cert_hold(f->d.st, c.serial, now), STORE_ERR_CONFLICT);    /* on hold already */
    assert_int_equal(store_cert_get(f->d.st, c.serial, &got), STORE_OK);
    assert_int_equal(got.state, CERT_REVOKED);
    assert_int_equal(got.reason, REASON_HOLD);
    assert_int_equal(store_cert_release(f->d.st, c.serial), STORE_OK);
    assert_int_equal(store_cert_get(f->d.st, c.serial, &got), STORE_OK);
    assert_int_equal(got.state, CERT_ACTIVE);
    assert_int_equal(got.reason, REASON_NONE);
    assert_int_equal(store_cert_hold(f->d.st, c.serial, now - 40 * 86400), STORE_OK);
    {
        char serials[4][80];
        size_t n = 0;
        assert_int_equal(store_cert_holds_before(f->d.st, now - 30 * 86400, serials, 4, &n), STORE_OK);
        assert_int_equal(n, 1);
        assert_string_equal(serials[0], c.serial);
        assert_int_equal(store_cert_holds_before(f->d.st, now - 50 * 86400, serials, 4, &n), STORE_OK);
        assert_int_equal(n, 0);
    }
    assert_int_equal(store_cert_revoke(f->d.st, c.serial, REASON_KEY_COMPROMISE, now), STORE_OK);  /* hold -> revoked */
    assert_int_equal(store_cert_revoke(f->d.st, c.serial, REASON_SUPERSEDED, now), STORE_ERR_CONFLICT);
    assert_int_equal(store_cert_release(f->d.st, c.serial), STORE_ERR_CONFLICT);      /* never back from revoked */
    assert_int_equal(store_cert_hold(f->d.st, c.serial, now), STORE_ERR_CONFLICT);
    assert_int_equal(store_cert_get(f->d.st, c.serial, &got), STORE_OK);
    assert_int_equal(got.reason, REASON_KEY_COMPROMISE);
    assert_int_equal(store_cert_hold(f->d.st, "FFFF", now), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_cert_revoke(f->d.st, "FFFF", REASON_UNSPECIFIED, now), STORE_ERR_NOT_FOUND);
}

/* A key's state moves only from the states the caller names; the wrong-PIN
 * counter stops at the limit and is cleared by a success or an unlock. */
static void
test_key_life_and_pin_counter(void **state)
{
    struct fixture *f = *state;
    struct store_key k, got;
    int fails = -1, i;

    memset(&k, 0, sizeof k);
    snprintf(k.serial, sizeof k.serial, "0011223344556677");
    assert_int_equal(store_key_pin_try(f->d.st, k.serial, 10, &fails), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_key_state_set(f->d.st, k.serial, 1u << 1, 2, false), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_key_put(f->d.st, &k), STORE_OK);
    assert_int_equal(store_key_get(f->d.st, k.serial, &got), STORE_OK);
    assert_int_equal(got.state, 1);               /* a key recorded is one issued onto */
    assert_int_equal(got.pin_fails, 0);
    for (i = 1; i <= 3; i++) {
        assert_int_equal(store_key_pin_try(f->d.st, k.serial, 3, &fails), STORE_OK);
        assert_int_equal(fails, i);
    }
    assert_int_equal(store_key_pin_try(f->d.st, k.serial, 3, &fails), STORE_ERR_CONFLICT);   /* used up */
    assert_int_equal(fails, 3);
    assert_int_equal(store_key_get(f->d.st, k.serial, &got), STORE_OK);
    assert_int_equal(got.pin_fails, 3);           /* a refused try is not counted */
    /* 1 -> 2 (issued -> locked) only from issued */
    assert_int_equal(store_key_state_set(f->d.st, k.serial, 1u << 0, 2, false), STORE_ERR_CONFLICT);
    assert_int_equal(store_key_state_set(f->d.st, k.serial, 1u << 1, 2, false), STORE_OK);
    assert_int_equal(store_key_get(f->d.st, k.serial, &got), STORE_OK);
    assert_int_equal(got.state, 2);
    assert_int_equal(got.pin_fails, 3);           /* locking keeps the count */
    /* unlock: back to issued with the counter cleared, in the same write */
    assert_int_equal(store_key_state_set(f->d.st, k.serial, (1u << 1) | (1u << 2), 1, true), STORE_OK);
    assert_int_equal(store_key_get(f->d.st, k.serial, &got), STORE_OK);
    assert_int_equal(got.state, 1);
    assert_int_equal(got.pin_fails, 0);
    assert_int_equal(store_key_pin_try(f->d.st, k.serial, 3, &fails), STORE_OK);
    assert_int_equal(fails, 1);
    assert_int_equal(store_key_pin_clear(f->d.st, k.serial), STORE_OK);
    assert_int_equal(store_key_get(f->d.st, k.serial, &got), STORE_OK);
    assert_int_equal(got.pin_fails, 0);
    assert_int_equal(store_key_pin_clear(f->d.st, "FFFF"), STORE_ERR_NOT_FOUND);
    /* a state the records cannot hold is refused, nothing changed */
    assert_int_not_equal(store_key_state_set(f->d.st, k.serial, 1u << 1, 99, false), STORE_OK);
    assert_int_equal(store_key_get(f->d.st, k.serial, &got), STORE_OK);
    assert_int_equal(got.state, 1);
}

/* With another connection holding the write lock, no try can be counted:
 * RETRY, and the counter is unchanged afterwards. */
static void
test_pin_try_while_another_writes(void **state)
{
    struct fixture *f = *state;
    struct store_key k, got;
    store *other = NULL;
    int fails = -1;

    memset(&k, 0, sizeof k);
    snprintf(k.serial, sizeof k.serial, "0011223344556677");
    assert_int_equal(store_key_put(f->d.st, &k), STORE_OK);
    assert_int_equal(f->b->open(&other, f->d.path, 100, "counter-b"), STORE_OK);
    assert_int_equal(store_begin(f->d.st), STORE_OK);       /* this connection writes */
    assert_int_equal(store_key_pin_try(other, k.serial, 10, &fails), STORE_ERR_RETRY);
    store_rollback(f->d.st);
    store_close(other);
    assert_int_equal(store_key_get(f->d.st, k.serial, &got), STORE_OK);
    assert_int_equal(got.pin_fails, 0);
}

static void
test_audit_chain(void **state)
{
    struct fixture *f = *state;
    int64_t id = 0, bad = -1;
    char head[65];
    int i;

    for (i = 0; i < 5; i++)
        assert_int_equal(store_audit(f->d.st, "w66", "contract.audit", "row"), STORE_OK);
    assert_int_equal(store_audit_verify(f->d.st, &bad), STORE_OK);
    assert_int_equal(store_audit_head(f->d.st, &id, head), STORE_OK);
    assert_true(id >= 5);
    assert_int_equal(strlen(head), 64);
}

/* Seals bound at window 68: listed newest first; one bound seal of a kind
 * per certificate; a certificate superseded or revoked leaves its seal
 * waiting (需重新绑定), one on hold does not; binding the company's new
 * certificate supersedes the waiting one. */
static void
seal_of(struct store_seal *b, const char *id, const char *cert)
{
    memset(b, 0, sizeof *b);
    snprintf(b->seal_id, sizeof b->seal_id, "%s", id);
    snprintf(b->uscc, sizeof b->uscc, "91120116MA05JQ4W3K");
    snprintf(b->company, sizeof b->company, "测试单位");
    snprintf(b->kind, sizeof b->kind, "unit");
    snprintf(b->name, sizeof b->name, "测试单位电子公章");
    snprintf(b->cert_serial, sizeof b->cert_serial, "%s", cert);
    snprintf(b->key_serial, sizeof b->key_serial, "k1");
    snprintf(b->clerk, sizeof b->clerk, "w68");
}

static void
test_seal_bindings(void **state)
{
    struct fixture *f = *state;
    struct store_cert c;
    struct store_seal b, got[4];
    size_t n;
    time_t now = time(NULL);

    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "5EA101");
    snprintf(c.uscc, sizeof c.uscc, "91120116MA05JQ4W3K");
    c.not_before = now;
    c.not_after = now + 86400;
    c.reason = REASON_NONE;
    assert_int_equal(store_cert_put(f->d.st, &c), STORE_OK);

    seal_of(&b, "QZ-1", "5EA1FF");
    assert_int_equal(store_seal_bind(f->d.st, &b), STORE_ERR_CONFLICT);      /* an unknown certificate */
    seal_of(&b, "QZ-1", "5EA101");
    assert_int_equal(store_seal_bind(f->d.st, &b), STORE_OK);
    assert_true(b.id > 0 && b.bound_at > 0);
    seal_of(&b, "QZ-2", "5EA101");
    assert_int_equal(store_seal_bind(f->d.st, &b), STORE_ERR_CONFLICT);      /* one bound unit seal per certificate */
    seal_of(&b, "", "5EA101");
    assert_int_equal(store_seal_bind(f->d.st, &b), STORE_ERR_IO);

    assert_int_equal(store_cert_hold(f->d.st, "5EA101", now), STORE_OK);
    assert_int_equal(store_seal_waiting(f->d.st, got, 4, &n), STORE_OK);
    assert_int_equal(n, 0);                                                 /* on hold: not waiting */
    assert_int_equal(store_cert_release(f->d.st, "5EA101"), STORE_OK);
    assert_int_equal(store_cert_set_state(f->d.st, "5EA101", CERT_SUPERSEDED), STORE_OK);
    assert_int_equal(store_seal_waiting(f->d.st, got, 4, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(got[0].seal_id, "QZ-1");
    assert_int_equal(got[0].cert_state, CERT_SUPERSEDED);
    assert_true(got[0].waiting);

    snprintf(c.serial, sizeof c.serial, "5EA102");
    assert_int_equal(store_cert_put(f->d.st, &c), STORE_OK);
    store_set_now(f->d.st, now + 60);
    seal_of(&b, "QZ-3", "5EA102");
    assert_int_equal(store_seal_bind(f->d.st, &b), STORE_OK);
    store_set_now(f->d.st, 0);
    assert_int_equal(store_seal_waiting(f->d.st, got, 4, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_seal_list(f->d.st, "91120116MA05JQ4W3K", got, 4, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].seal_id, "QZ-3");                           /* newest first */
    assert_int_equal(got[0].state, SEAL_BOUND);
    assert_int_equal(got[0].cert_state, CERT_ACTIVE);
    assert_string_equal(got[1].seal_id, "QZ-1");
    assert_int_equal(got[1].state, SEAL_SUPERSEDED);
    assert_false(got[1].waiting);                                          /* superseded: waits no more */
    assert_false(got[0].waiting);
    assert_string_equal(got[1].superseded_by, "QZ-3");
    assert_int_equal(store_seal_list(f->d.st, "91120116MA05JQ4W3K", got, 1, &n), STORE_OK);
    assert_int_equal(n, 1);
}

/* Window 68's record of a change: the newest at or after a time, by the old USCC. */
static void
test_change_records(void **state)
{
    struct fixture *f = *state;
    struct store_chgrec c, got;
    time_t now = time(NULL);

    memset(&c, 0, sizeof c);
    snprintf(c.uscc, sizeof c.uscc, "91120116MA05CR1T4C");
    snprintf(c.new_company, sizeof c.new_company, "新名称一");
    snprintf(c.new_uscc, sizeof c.new_uscc, "91120116MA05CR1T4C");
    assert_int_equal(store_chgrec_add(f->d.st, &c), STORE_ERR_IO);          /* no clerk */
    snprintf(c.clerk, sizeof c.clerk, "w68");
    store_set_now(f->d.st, now - 100);
    assert_int_equal(store_chgrec_add(f->d.st, &c), STORE_OK);
    snprintf(c.new_company, sizeof c.new_company, "新名称二");
    store_set_now(f->d.st, now);
    assert_int_equal(store_chgrec_add(f->d.st, &c), STORE_OK);
    store_set_now(f->d.st, 0);
    assert_int_equal(store_chgrec_latest(f->d.st, "91120116MA05CR1T4C", now - 200, &got), STORE_OK);
    assert_string_equal(got.new_company, "新名称二");                      /* the newest */
    assert_int_equal(got.at, now);
    assert_int_equal(store_chgrec_latest(f->d.st, "91120116MA05CR1T4C", now + 1, &got), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_chgrec_latest(f->d.st, "91120116MA05XXXXXX", 0, &got), STORE_ERR_NOT_FOUND);
}

/* A payment recorded by someone else (a provider) is taken once, for the
 * quoted amount, and no save from a counter that has not seen it undoes it. */
static void
test_payment_by_another(void **state)
{
    struct fixture *f = *state;
    struct store_order o, stale, got, self, mine[4];
    struct store_payment p[4];
    size_t n = 0;

    new_order(&o, "self", "", "USCC-PAY");
    o.amount = 5000;
    assert_int_equal(store_order_create(f->d.st, &o), STORE_OK);
    stale = o;                                      /* the terminal's copy, unpaid */
    assert_int_equal(store_order_pay(f->d.st, o.id, 4999, "qr", 0, "pay:provider"), STORE_ERR_CONFLICT);
    assert_int_equal(store_order_pay(f->d.st, o.id + 100, 5000, "qr", 0, "pay:provider"), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_order_pay(f->d.st, o.id, 5000, "qr", 0, "pay:provider"), STORE_OK);
    assert_int_equal(store_order_pay(f->d.st, o.id, 5000, "qr", 0, "pay:provider"), STORE_ERR_CONFLICT); /* twice */
    assert_int_equal(store_payment_list_for_order(f->d.st, o.id, p, 4, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].amount, 5000);
    assert_string_equal(p[0].clerk, "pay:provider");
    /* the terminal saves its stale copy, another amount quoted: the payment stands */
    snprintf(stale.step, sizeof stale.step, "fee");
    stale.amount = 10000;
    assert_int_equal(store_order_update(f->d.st, &stale), STORE_OK);
    assert_int_equal(store_order_get(f->d.st, o.id, &got), STORE_OK);
    assert_true(got.paid_at != 0);
    assert_string_equal(got.pay_method, "qr");
    assert_int_equal(got.amount, 5000);
    assert_string_equal(got.step, "fee");
    /* a closed order takes no payment */
    new_order(&self, "self", "", "USCC-PAY2");
    self.amount = 100;
    assert_int_equal(store_order_create(f->d.st, &self), STORE_OK);
    assert_int_equal(store_order_cancel(f->d.st, self.id, "test"), STORE_OK);
    assert_int_equal(store_order_pay(f->d.st, self.id, 100, "qr", 0, "pay:provider"), STORE_ERR_CONFLICT);
    /* a company's orders at one window, newest first */
    assert_int_equal(store_orders_of_company(f->d.st, "USCC-PAY", "self", mine, 4, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(mine[0].id, o.id);
    assert_int_equal(store_orders_of_company(f->d.st, "USCC-PAY", "window66", mine, 4, &n), STORE_OK);
    assert_int_equal(n, 0);
}

/* A refund: only of a cancelled order that was paid, once, for the whole
 * payment by the method it was paid; counted that day, no longer due. */
static void
test_refunds(void **state)
{
    struct fixture *f = *state;
    struct store_order open, unpaid, paid;
    struct store_refund r;
    struct store_report_row *rows = NULL, total;
    size_t n = 0;
    char day[16];
    time_t now = time(NULL);
    struct tm tm;

    new_order(&open, "window66", "op-rf1", "USCC-RF1");
    open.amount = 20000;
    assert_int_equal(store_order_create(f->d.st, &open), STORE_OK);
    assert_int_equal(store_order_pay(f->d.st, open.id, 20000, "pos", 0, "li"), STORE_OK);
    assert_int_equal(store_order_refund(f->d.st, open.id, "li", &r), STORE_ERR_CONFLICT);      /* still open */
    new_order(&unpaid, "window66", "op-rf2", "USCC-RF2");
    unpaid.amount = 5000;
    assert_int_equal(store_order_create(f->d.st, &unpaid), STORE_OK);
    assert_int_equal(store_order_cancel(f->d.st, unpaid.id, "changed mind"), STORE_OK);
    assert_int_equal(store_order_refund(f->d.st, unpaid.id, "li", &r), STORE_ERR_CONFLICT);    /* nothing paid */
    assert_int_equal(store_order_refund(f->d.st, unpaid.id + 1000, "li", &r), STORE_ERR_NOT_FOUND);

    new_order(&paid, "window66", "op-rf3", "USCC-RF3");
    paid.amount = 30000;
    assert_int_equal(store_order_create(f->d.st, &paid), STORE_OK);
    assert_int_equal(store_order_pay(f->d.st, paid.id, 30000, "cash", 0, "li"), STORE_OK);
    assert_int_equal(store_order_cancel(f->d.st, paid.id, "wrong company"), STORE_OK);
    localtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    assert_int_equal(store_report_daily(f->d.st, day, "", &rows, &n, &total), STORE_OK);
    free(rows);
    assert_int_equal(total.refunds, 1);                 /* due */
    assert_int_equal(total.refund_amount, 30000);
    assert_int_equal(total.refunded, 0);

    assert_int_equal(store_order_refund(f->d.st, paid.id, "boss", &r), STORE_OK);
    assert_int_equal(r.order_id, paid.id);
    assert_string_equal(r.method, "cash");              /* as it was paid */
    assert_int_equal(r.amount, 30000);                  /* the whole payment */
    assert_string_equal(r.clerk, "boss");
    assert_string_equal(r.reason, "wrong company");
    assert_int_equal(store_order_refund(f->d.st, paid.id, "boss", &r), STORE_ERR_CONFLICT);    /* once */
    assert_int_equal(store_refund_get(f->d.st, paid.id, &r), STORE_OK);
    assert_int_equal(store_refund_get(f->d.st, unpaid.id, &r), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_report_daily(f->d.st, day, "", &rows, &n, &total), STORE_OK);
    free(rows);
    assert_int_equal(total.refunds, 0);                 /* no longer due */
    assert_int_equal(total.refund_amount, 0);
    assert_int_equal(total.refunded, 1);                /* paid out today */
    assert_int_equal(total.refunded_amount, 30000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_are_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_of_work, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_while_another_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs_belong_to_a_station, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_papers_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_life_and_pin_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_try_while_another_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seal_bindings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_payment_by_another, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refunds, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);

    if (getenv("STORE_TEST_PG") != NULL && getenv("STORE_TEST_PG")[0] != '\0') {
        backend = &backends[1];
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    }
    return failed;
}

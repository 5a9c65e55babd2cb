/*
 * tests/unit/test_engine.c - the transaction engine (kiosk/engine.c) on a
 * real SQLite file: the 证书新办 step table, values kept through
 * encode/decode (CJK included), nothing saved before the operator is known,
 * no paid step before payment, resume from every step (with resume_at),
 * cancel, one open order per operator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/engine.h"

static char dbpath[256];

static int
setup(void **state)
{
    store *st;
    char err[256];
    int fd;

    snprintf(dbpath, sizeof dbpath, "/tmp/test_engine_XXXXXX");
    fd = mkstemp(dbpath);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(dbpath);
    if (store_open(&st, dbpath, 2000, err, sizeof err) != STORE_OK)
        return -1;
    *state = st;
    return 0;
}

static int
teardown(void **state)
{
    char p[300];

    store_close(*state);
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

/* A new-certificate transaction filled up to the operator. */
static void
fill(struct txn *t, const char *opid)
{
    txn_begin(t, &txn_new_cert, "window66", "w66");
    assert_int_equal(txn_set(t, "company", "天津市单元测试有限公司"), 0);
    assert_int_equal(txn_set(t, "uscc", "91120116MA06ABCDXQ"), 0);
    assert_int_equal(txn_set(t, "operator_id", opid), 0);
    assert_int_equal(txn_set(t, "amount", "20000"), 0);
}

static void
test_step_table(void **state)
{
    const struct txn_def *d = &txn_new_cert;
    static const char *const order[] = { "company", "operator", "kind", "materials", "fee", "pay", "key", "pin", "issue", "done" };
    int i, j;

    (void)state;
    assert_int_equal(d->nsteps, 10);
    assert_string_equal(d->code, "new");
    for (i = 0; i < d->nsteps; i++) {
        assert_string_equal(d->steps[i].name, order[i]);
        assert_non_null(d->steps[i].scr);
        for (j = i + 1; j < d->nsteps; j++)
            assert_string_not_equal(d->steps[i].name, d->steps[j].name);
        /* every step from the key on needs payment; none before */
        assert_int_equal((d->steps[i].flags & TXN_STEP_PAID) != 0, i >= txn_step_index(d, "key"));
        if (d->steps[i].resume_at != NULL)
            assert_true(txn_step_index(d, d->steps[i].resume_at) >= 0);
    }
    assert_string_equal(d->steps[txn_step_index(d, "pin")].resume_at, "key");
    assert_string_equal(d->steps[txn_step_index(d, "issue")].resume_at, "key");
    assert_int_equal(txn_step_index(d, "nope"), -1);
}

static void
test_values(void **state)
{
    struct txn t, u;
    char buf[4096];

    (void)state;
    txn_begin(&t, &txn_new_cert, "window66", "");
    assert_int_equal(txn_set(&t, "company", "天津市某某\n有限公司"), 0);
    assert_int_equal(txn_set(&t, "bad key", "x"), -1);
    assert_int_equal(txn_set(&t, "Upper", "x"), -1);
    assert_int_equal(txn_set(&t, "bytes", "a\xff" "b"), 0);
    assert_int_equal(txn_set_int(&t, "years", 3), 0);
    assert_string_equal(txn_get(&t, "company"), "天津市某某 有限公司");
    assert_string_equal(txn_get(&t, "bytes"), "a\xef\xbf\xbd" "b");
    assert_string_equal(txn_get(&t, "missing"), "");
    assert_int_equal(txn_get_int(&t, "years", 1), 3);
    assert_int_equal(txn_get_int(&t, "missing", 7), 7);
    assert_int_equal(txn_data_encode(&t, buf, sizeof buf), 0);
    txn_begin(&u, &txn_new_cert, "window66", "");
    assert_int_equal(txn_data_decode(&u, buf), 3);
    assert_string_equal(txn_get(&u, "company"), "天津市某某 有限公司");
    assert_int_equal(txn_get_int(&u, "years", 1), 3);
    assert_int_equal(txn_data_encode(&t, buf, 8), -1);
}

static void
test_nothing_saved_without_operator(void **state)
{
    store *st = *state;
    struct txn t;

    txn_begin(&t, &txn_new_cert, "window66", "");
    txn_set(&t, "company", "天津市");
    assert_int_equal(txn_goto(&t, st, 1), STORE_OK);
    assert_int_equal(t.order.id, 0);
    txn_set(&t, "operator_id", "120101199001011239");
    assert_int_equal(txn_goto(&t, st, 2), STORE_OK);
    assert_true(t.order.id > 0);
    assert_string_equal(t.order.step, "kind");
    assert_int_equal(txn_cancel(&t, st, "test"), STORE_OK);
}

static void
test_paid_steps_need_payment(void **state)
{
    store *st = *state;
    struct txn t;
    int key;

    fill(&t, "120101198505054561");
    key = txn_step_index(t.def, "key");
    assert_int_equal(txn_goto(&t, st, key - 1), STORE_OK);
    assert_int_equal(txn_may_enter(&t, key), M_TXN_NOT_PAID);
    assert_int_equal(txn_goto(&t, st, key), STORE_ERR_CONFLICT);
    assert_int_equal(t.step, key - 1);
    assert_int_equal(txn_pay(&t, st, "pos", 0), STORE_OK);
    assert_int_equal(txn_may_enter(&t, key), 0);
    assert_int_equal(txn_goto(&t, st, key), STORE_OK);
    assert_int_equal(txn_cancel(&t, st, "test"), STORE_OK);
}

static void
test_resume_each_step(void **state)
{
    store *st = *state;
    const struct txn_def *d = &txn_new_cert;
    int i;

    for (i = 1; i < d->nsteps; i++) {
        struct txn t, r;
        int expect = i;

        fill(&t, "120101197707077898");
        txn_set(&t, "marker", d->steps[i].name);
        if (d->steps[i].flags & TXN_STEP_PAID) {
            assert_int_equal(txn_goto(&t, st, txn_step_index(d, "pay")), STORE_OK);
            assert_int_equal(txn_pay(&t, st, "cash", 0), STORE_OK);
        }
        assert_int_equal(txn_goto(&t, st, i), STORE_OK);
        snprintf(t.pin, sizeof t.pin, "%s", "Kx7#pq29");
        assert_int_equal(txn_resume(&r, d, st, t.order.id), STORE_OK);
        if (d->steps[i].resume_at != NULL)
            expect = txn_step_index(d, d->steps[i].resume_at);
        assert_int_equal(r.step, expect);
        assert_string_equal(txn_get(&r, "marker"), d->steps[i].name);
        assert_string_equal(txn_get(&r, "company"), "天津市单元测试有限公司");
        assert_int_equal(r.pin[0], 0); /* a PIN is never stored */
        assert_string_equal(r.order.number, t.order.number);
        assert_int_equal(txn_cancel(&r, st, "test"), STORE_OK);
    }
}

static void
test_unpaid_order_resumes_before_payment(void **state)
{
    store *st = *state;
    struct txn t, r;

    fill(&t, "120101196606061112");
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "pay")), STORE_OK);
    /* a stored step needing payment on an unpaid order (a record edited, or a
     * payment that never committed) falls back to the step before */
    snprintf(t.order.step, sizeof t.order.step, "issue");
    assert_int_equal(store_order_update(st, &t.order), STORE_OK);
    assert_int_equal(txn_resume(&r, &txn_new_cert, st, t.order.id), STORE_OK);
    assert_string_equal(txn_cur(&r)->name, "pay");
    assert_int_equal(txn_cancel(&r, st, "test"), STORE_OK);
}

static void
test_cancel_and_operator_rule(void **state)
{
    store *st = *state;
    struct txn a, b, r;
    int64_t other = 0;

    fill(&a, "11010519491231002X");
    assert_int_equal(txn_goto(&a, st, 2), STORE_OK);
    fill(&b, "11010519491231002X");
    assert_int_not_equal(txn_new_check_operator(st, &b, "11010519491231002X", &other), 0);
    assert_int_equal(other, a.order.id);
    assert_int_equal(txn_new_check_operator(st, &a, "11010519491231002X", NULL), 0); /* its own order */
    assert_int_equal(txn_goto(&b, st, 2), STORE_ERR_CONFLICT);
    assert_int_equal(txn_cancel(&a, st, "test"), STORE_OK);
    assert_int_equal(a.order.state, ORDER_CANCELLED);
    assert_int_equal(txn_resume(&r, &txn_new_cert, st, a.order.id), STORE_ERR_CONFLICT);
    assert_int_equal(txn_new_check_operator(st, &b, "11010519491231002X", NULL), 0);
    b.order.id = 0;
    assert_int_equal(txn_goto(&b, st, 2), STORE_OK);
    assert_int_equal(txn_finish(&b, st), STORE_OK);
    assert_int_equal(txn_save(&b, st), STORE_OK); /* a finished order is left alone */
    assert_int_equal(txn_resume(&r, &txn_new_cert, st, b.order.id), STORE_ERR_CONFLICT);
}

static void
test_uscc_rule(void **state)
{
    store *st = *state;
    struct store_cert c;

    assert_int_equal(txn_new_check_uscc(st, "91120116MA07XYW185"), 0);
    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "ABCDEF01");
    snprintf(c.uscc, sizeof c.uscc, "91120116MA07XYW185");
    snprintf(c.holder, sizeof c.holder, "天津市");
    snprintf(c.key_serial, sizeof c.key_serial, "0011223344556677");
    snprintf(c.kind, sizeof c.kind, "unit");
    c.not_before = 1700000000;
    c.not_after = 1800000000;
    c.first_issue = 1700000000;
    assert_int_equal(store_cert_put(st, &c), STORE_OK);
    assert_int_equal(txn_new_check_uscc(st, "91120116MA07XYW185"), M_RULE_ENTERPRISE_HAS_CERT);
    assert_int_equal(txn_new_check_uscc(NULL, "91120116MA07XYW185"), M_TXN_DB_DOWN);
}

static void
test_validity(void **state)
{
    time_t nb, na, now = 1763769600; /* 2025-11-22 08:00 +08 */
    struct tm tm;

    (void)state;
    txn_validity(now, 3, &nb, &na);
    assert_int_equal(nb, now);
    localtime_r(&na, &tm);
    assert_int_equal(tm.tm_year + 1900, 2028);
    assert_int_equal(tm.tm_hour, 23);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_table),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_validity),
        cmocka_unit_test_setup_teardown(test_nothing_saved_without_operator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paid_steps_need_payment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_each_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unpaid_order_resumes_before_payment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_operator_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uscc_rule, setup, teardown),
    };

    setlocale(LC_ALL, "C.UTF-8");
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * tests/unit/test_store_records.c - the records of schema 2 (data/store.h)
 * on a real SQLite file (and a hall's server: STORE_TEST_PG, testutil.h): companies, operators (ID number kept, never in a
 * message unmasked), payments, keys, and units of work (store_begin /
 * store_commit / store_rollback, nested, and a busy database met at the
 * start with nothing changed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/store.h"
#include "testutil.h"

static int64_t
new_order(store *st, const char *opid)
{
    struct store_order o;

    memset(&o, 0, sizeof o);
    snprintf(o.txn, sizeof o.txn, "new");
    snprintf(o.window, sizeof o.window, "window66");
    snprintf(o.clerk, sizeof o.clerk, "w66");
    snprintf(o.operator_id, sizeof o.operator_id, "%s", opid);
    o.amount = 20000;
    assert_int_equal(store_order_create(st, &o), STORE_OK);
    return o.id;
}

static void
test_schema_version(void **state)
{
    assert_true(store_schema_version(*state) >= 2);
}

static void
test_company(void **state)
{
    store *st = *state;
    struct store_company c, g;
    time_t created;

    memset(&c, 0, sizeof c);
    assert_int_equal(store_company_get(st, "91120116MA06ABCDXQ", &g), STORE_ERR_NOT_FOUND);
    snprintf(c.uscc, sizeof c.uscc, "91120116MA06ABCDXQ");
    assert_int_equal(store_company_put(st, &c), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(st), "name"));
    snprintf(c.name, sizeof c.name, "天津市记录测试有限公司");
    snprintf(c.legal_rep, sizeof c.legal_rep, "张三");
    snprintf(c.phone, sizeof c.phone, "022-23456789");
    snprintf(c.website, sizeof c.website, "https://example.cn");
    snprintf(c.address, sizeof c.address, "天津市滨海新区记录路1号");
    store_set_now(st, 1700000000);
    assert_int_equal(store_company_put(st, &c), STORE_OK);
    assert_int_equal(store_company_get(st, c.uscc, &g), STORE_OK);
    assert_string_equal(g.name, c.name);
    assert_string_equal(g.legal_rep, "张三");
    assert_string_equal(g.phone, "022-23456789");
    assert_string_equal(g.office_phone, "");
    assert_string_equal(g.website, "https://example.cn");
    assert_string_equal(g.address, c.address);
    created = g.created;
    assert_int_equal(created, 1700000000);
    /* an update changes the fields and keeps the creation time */
    store_set_now(st, 1700000500);
    snprintf(c.legal_rep, sizeof c.legal_rep, "王五");
    assert_int_equal(store_company_put(st, &c), STORE_OK);
    assert_int_equal(store_company_get(st, c.uscc, &g), STORE_OK);
    assert_string_equal(g.legal_rep, "王五");
    assert_int_equal(g.created, created);
    assert_int_equal(g.updated, 1700000500);
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "x");
    assert_int_equal(store_company_put(st, &c), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(st), "uscc"));
}

static void
test_operator(void **state)
{
    store *st = *state;
    struct store_operator p, g;

    memset(&p, 0, sizeof p);
    assert_int_equal(store_operator_get(st, "120101199001011239", &g), STORE_ERR_NOT_FOUND);
    assert_null(strstr(store_detail(st), "120101199001011239"));
    assert_non_null(strstr(store_detail(st), "120101********1239"));
    snprintf(p.id_number, sizeof p.id_number, "120101199001011239");
    assert_int_equal(store_operator_put(st, &p), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(st), "name"));
    snprintf(p.name, sizeof p.name, "李四");
    snprintf(p.mobile, sizeof p.mobile, "13912345678");
    snprintf(p.email, sizeof p.email, "lisi@example.com");
    snprintf(p.uscc, sizeof p.uscc, "91120116MA06ABCDXQ");
    assert_int_equal(store_operator_put(st, &p), STORE_OK);
    assert_int_equal(store_operator_get(st, p.id_number, &g), STORE_OK);
    assert_string_equal(g.id_number, "120101199001011239"); /* stored as given */
    assert_string_equal(g.name, "李四");
    assert_string_equal(g.mobile, "13912345678");
    assert_string_equal(g.email, "lisi@example.com");
    assert_string_equal(g.wechat, "");
    assert_string_equal(g.uscc, "91120116MA06ABCDXQ");
    snprintf(p.wechat, sizeof p.wechat, "lisi_wx");
    assert_int_equal(store_operator_put(st, &p), STORE_OK);
    assert_int_equal(store_operator_get(st, p.id_number, &g), STORE_OK);
    assert_string_equal(g.wechat, "lisi_wx");
}

static void
test_payments(void **state)
{
    store *st = *state;
    struct store_payment p, l[4];
    size_t n = 9;
    int64_t id = new_order(st, "120101199001011239");

    assert_int_equal(store_payment_list_for_order(st, id, l, 4, &n), STORE_OK);
    assert_int_equal(n, 0);
    memset(&p, 0, sizeof p);
    snprintf(p.method, sizeof p.method, "cash");
    assert_int_equal(store_payment_add(st, &p), STORE_ERR_IO); /* no order */
    assert_non_null(strstr(store_detail(st), "order_id"));
    p.order_id = id;
    p.amount = 20000;
    snprintf(p.clerk, sizeof p.clerk, "w66");
    store_set_now(st, 1700000000);
    assert_int_equal(store_payment_add(st, &p), STORE_OK);
    assert_true(p.id > 0);
    assert_int_equal(p.at, 1700000000);
    snprintf(p.method, sizeof p.method, "cheque");
    assert_int_equal(store_payment_add(st, &p), STORE_ERR_CONFLICT);
    snprintf(p.method, sizeof p.method, "qr");
    p.amount = -1;
    assert_int_equal(store_payment_add(st, &p), STORE_ERR_CONFLICT);
    p.amount = 100;
    p.order_id = id + 1000; /* no such order: the foreign key refuses it */
    assert_int_equal(store_payment_add(st, &p), STORE_ERR_CONFLICT);
    p.order_id = id;
    p.at = 1700000100;
    assert_int_equal(store_payment_add(st, &p), STORE_OK);
    assert_int_equal(store_payment_list_for_order(st, id, l, 4, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].method, "cash");
    assert_int_equal(l[0].amount, 20000);
    assert_string_equal(l[0].clerk, "w66");
    assert_int_equal(l[0].at, 1700000000);
    assert_string_equal(l[1].method, "qr");
    assert_int_equal(l[1].at, 1700000100);
    assert_int_equal(store_payment_list_for_order(st, id, l, 1, &n), STORE_OK);
    assert_int_equal(n, 1);
}

static void
test_keys(void **state)
{
    store *st = *state;
    struct store_key k, g;
    struct store_cert c;

    memset(&k, 0, sizeof k);
    assert_int_equal(store_key_put(st, &k), STORE_ERR_IO);
    assert_int_equal(store_key_get(st, "0011223344556677", &g), STORE_ERR_NOT_FOUND);
    /* a certificate put first records the key with its first issue */
    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "0A0B");
    snprintf(c.uscc, sizeof c.uscc, "91120116MA06ABCDXQ");
    snprintf(c.key_serial, sizeof c.key_serial, "0011223344556677");
    c.not_before = 1700000000;
    c.not_after = 1800000000;
    c.first_issue = 1700000000;
    assert_int_equal(store_cert_put(st, &c), STORE_OK);
    snprintf(k.serial, sizeof k.serial, "0011223344556677");
    snprintf(k.uscc, sizeof k.uscc, "91120116MA06ABCDXQ");
    snprintf(k.cert_serial, sizeof k.cert_serial, "0A0B");
    snprintf(k.algo, sizeof k.algo, "p256");
    k.first_issue = 1750000000; /* later: the earliest stays */
    assert_int_equal(store_key_put(st, &k), STORE_OK);
    assert_int_equal(store_key_get(st, k.serial, &g), STORE_OK);
    assert_int_equal(g.first_issue, 1700000000);
    assert_string_equal(g.uscc, "91120116MA06ABCDXQ");
    assert_string_equal(g.cert_serial, "0A0B");
    assert_string_equal(g.algo, "p256");
    k.first_issue = 1600000000;
    assert_int_equal(store_key_put(st, &k), STORE_OK);
    assert_int_equal(store_key_get(st, k.serial, &g), STORE_OK);
    assert_int_equal(g.first_issue, 1600000000);
}

static void
company(struct store_company *c, const char *uscc)
{
    memset(c, 0, sizeof *c);
    snprintf(c->uscc, sizeof c->uscc, "%s", uscc);
    snprintf(c->name, sizeof c->name, "天津市单元有限公司");
}

static void
test_unit_of_work(void **state)
{
    store *st = *state;
    struct store_company c, g;
    struct store_order o;

    /* rolled back: nothing stays */
    company(&c, "91120116MA06ABCDXQ");
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_company_put(st, &c), STORE_OK);
    assert_int_equal(store_audit(st, "w66", "test", "inside a unit"), STORE_OK); /* nested */
    store_rollback(st);
    assert_int_equal(store_company_get(st, c.uscc, &g), STORE_ERR_NOT_FOUND);
    /* a failing call inside the unit undoes only itself */
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_company_put(st, &c), STORE_OK);
    new_order(st, "120101199001011239");
    memset(&o, 0, sizeof o);
    snprintf(o.txn, sizeof o.txn, "new");
    snprintf(o.window, sizeof o.window, "window66");
    snprintf(o.operator_id, sizeof o.operator_id, "120101199001011239");
    assert_int_equal(store_order_create(st, &o), STORE_ERR_CONFLICT); /* second open order */
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_company_get(st, c.uscc, &g), STORE_OK);
    assert_int_equal(store_order_open_for_operator(st, "120101199001011239", &o), STORE_OK);
    /* and the store works normally afterwards */
    company(&c, "91120116MA07XYW185");
    assert_int_equal(store_company_put(st, &c), STORE_OK);
    assert_int_equal(store_audit_verify(st, NULL), STORE_OK);
}

static void
test_busy_unit(void **state)
{
    store *st = *state, *other;
    struct store_company c, g;
    char err[256];

    assert_int_equal(store_open(&other, (struct store_opts[]){ tu_db_opts(&tu_store, 50) }, err, sizeof err), STORE_OK);
    assert_int_equal(store_begin(st), STORE_OK);
    company(&c, "91120116MA06ABCDXQ");
    assert_int_equal(store_company_put(st, &c), STORE_OK);
    /* the other connection meets the lock at the start of its unit */
    assert_int_equal(store_begin(other), STORE_ERR_RETRY);
    assert_int_equal(store_company_put(other, &c), STORE_ERR_RETRY);
    /* readers still see the last committed state */
    assert_int_equal(store_company_get(other, c.uscc, &g), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_begin(other), STORE_OK);
    assert_int_equal(store_company_put(other, &c), STORE_OK);
    assert_int_equal(store_commit(other), STORE_OK);
    assert_int_equal(store_company_get(other, c.uscc, &g), STORE_OK);
    store_close(other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_version, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_company, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_operator, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_payments, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_keys, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_unit_of_work, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_busy_unit, tu_store_setup, tu_store_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

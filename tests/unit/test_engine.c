/*
 * tests/unit/test_engine.c - the transaction engine (kiosk/engine.c) on a
 * real SQLite file: the 证书新办 step table, values kept through
 * encode/decode (CJK included), nothing saved before the operator is known,
 * no paid step before payment, resume from every step (with resume_at),
 * cancel, one open order per operator and (by the records, when two
 * counters race) per company; the company, operator, payment,
 * key and certificate records written in one unit with the order, and a
 * busy database (a second connection holding the write lock) leaving
 * nothing half-done and retryable.
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

#include "kiosk/clock.h"
#include "kiosk/engine.h"
#include "printing/print.h"
#include "testutil.h"

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
    static const char *const order[] = { "company", "operator", "project", "kind", "materials", "fee", "pay", "key",
                                         "pin", "issue", "done" };
    int i, j;

    (void)state;
    assert_int_equal(d->nsteps, 11);
    assert_string_equal(kind_code(d->kind), "new");
    for (i = 0; i < d->nsteps; i++) {
        assert_string_equal(d->steps[i].name, order[i]);
        assert_true(d->steps[i].page < PAGE__COUNT);  /* a kind of page the host has */
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

/* Every transaction table: unique stable names, resume targets that exist
 * and lie at or before their step, paid steps only after the payment step,
 * NOBACK wherever the key is written, the last step "done", and the
 * journal's resume hook naming real steps. */
static void
test_every_table(void **state)
{
    static const struct txn_def *const defs[] = { &txn_new_cert };
    size_t k;
    int i, j;

    (void)state;
    for (k = 0; k < sizeof defs / sizeof defs[0]; k++) {
        const struct txn_def *d = defs[k];
        int pay = txn_step_index(d, "pay");
        struct txn t;
        assert_true(d->nsteps >= 2);
        assert_string_equal(d->steps[d->nsteps - 1].name, "done");
        for (i = 0; i < d->nsteps; i++) {
            const struct txn_step *s = &d->steps[i];
            assert_non_null(s->name);
            assert_true(strlen(s->name) > 0 && strlen(s->name) < sizeof t.order.step);
            for (j = i + 1; j < d->nsteps; j++)
                assert_string_not_equal(s->name, d->steps[j].name);
            if (s->resume_at != NULL) {
                int r = txn_step_index(d, s->resume_at);
                assert_true(r >= 0 && r <= i);
            }
            if (s->flags & TXN_STEP_PAID)
                assert_true(pay >= 0 && i > pay);
            if (pay >= 0 && i > pay)
                assert_true(s->flags & TXN_STEP_PAID);
            assert_true(s->page < PAGE__COUNT);
            /* a form page has fields, a materials page its list, a run page its stages */
            if (s->page == PAGE_FORM)
                assert_true(s->form != NULL && s->form->nfields > 0);
            if (s->page == PAGE_MATERIALS)    /* the kind's one list, the checklist's */
                assert_true(kind_info(d->kind)->materials[0] != 0);
            if (s->page == PAGE_RUN)
                assert_true(s->stages != NULL && s->nstages > 0);
            for (j = 0; j < s->nstages; j++) {
                const struct txn_stage *g = s->stages[j];
                int k;
                assert_non_null(g->name);
                assert_non_null(g->done);
                assert_non_null(g->run);
                assert_true(g->title != 0);
                for (k = j + 1; k < s->nstages; k++)
                    assert_string_not_equal(g->name, s->stages[k]->name);
                if (g->on_key_fail != NULL) {   /* the failure policy names an earlier step */
                    int back = txn_step_index(d, g->on_key_fail);
                    assert_true(back >= 0 && back < i);
                }
                if (g->needs_pin)               /* a PIN is only typed after payment */
                    assert_true(s->flags & TXN_STEP_PAID);
            }
        }
        if (d->resume_at != NULL) {
            txn_begin(&t, d, "window66", "");
            txn_set(&t, "fx_cert", "recorded");
            assert_true(d->resume_at(&t) == NULL || txn_step_index(d, d->resume_at(&t)) >= 0);
        }
    }
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
    assert_string_equal(t.order.step, "project");    /* saved once the operator is known */
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

/* Two counters passed the form's checks for one company at the same moment:
 * the records take the first order and refuse the second, which stays on
 * its step with what was typed and is told why (the company's order, or
 * the operator's when that is what collided). */
static void
test_company_race_refused_by_records(void **state)
{
    store *st = *state;
    struct txn a, b, c;
    int from;

    fill(&a, "120101198001010014");
    fill(&b, "120101198202020026");
    assert_int_equal(txn_new_check_company(st, &b, "91120116MA06ABCDXQ"), 0);   /* b asked before a saved */
    assert_int_equal(txn_goto(&a, st, 2), STORE_OK);
    from = b.step;
    assert_int_equal(txn_goto(&b, st, 2), STORE_ERR_CONFLICT);
    assert_int_equal(b.step, from);
    assert_int_equal(b.order.id, 0);
    assert_string_equal(txn_get(&b, "company"), "天津市单元测试有限公司");
    assert_int_equal(txn_save_refused(&b, st, STORE_ERR_CONFLICT), M_TXN_COMPANY_HAS_ORDER);
    fill(&c, "120101198001010014");
    txn_set(&c, "uscc", "91120116MA06ABCE0Y");
    assert_int_equal(txn_goto(&c, st, 2), STORE_ERR_CONFLICT);
    assert_int_equal(txn_save_refused(&c, st, STORE_ERR_CONFLICT), rules_msg(rules_new_order_allowed(true)));
    assert_int_equal(txn_save_refused(&c, st, STORE_ERR_RETRY), M_TXN_DB_BUSY);
    assert_int_equal(txn_save_refused(&c, st, STORE_ERR_IO), M_TXN_DB_ERROR);
    assert_int_equal(txn_cancel(&a, st, "test"), STORE_OK);
    assert_int_equal(txn_goto(&b, st, 2), STORE_OK);                          /* free again: typed, not lost */
    /* closed at another counter meanwhile: this one is told so, and stays where it was */
    assert_int_equal(store_order_cancel(st, b.order.id, "at another counter"), STORE_OK);
    from = b.step;
    assert_int_equal(txn_goto(&b, st, 3), STORE_ERR_CONFLICT);
    assert_int_equal(b.step, from);
    assert_int_equal(txn_save_refused(&b, st, STORE_ERR_CONFLICT), M_TXN_ORDER_CLOSED_ELSEWHERE);
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
    clock_validity(now, 3, &nb, &na);
    assert_int_equal(nb, now);
    localtime_r(&na, &tm);
    assert_int_equal(tm.tm_year + 1900, 2028);
    assert_int_equal(tm.tm_hour, 23);
}

/* ---- records of their own (schema 2) ------------------------------------- */

/* A second connection holding the write lock (the "database busy" fault). */
static store *
lock_db(void)
{
    store *o;
    char err[256];

    assert_int_equal(store_open(&o, (struct store_opts[]){ tu_db_opts(&tu_store, 50) }, err, sizeof err), STORE_OK);
    assert_int_equal(store_begin(o), STORE_OK);
    return o;
}

static void
unlock_db(store *o)
{
    store_rollback(o);
    store_close(o);
}

static void
test_company_operator_recorded_when_confirmed(void **state)
{
    store *st = *state, *busy;
    struct store_company c;
    struct store_operator p;
    struct txn t;

    fill(&t, "120101199001011239");
    txn_set(&t, "legal_rep", "张三");
    txn_set(&t, "company_phone", "022-23456789");
    txn_set(&t, "address", "天津市滨海新区单元路1号");
    txn_set(&t, "operator_name", "李四");
    txn_set(&t, "mobile", "13912345678");
    txn_set(&t, "email", "lisi@example.com");
    /* the operator page is saved (the order exists) but not yet confirmed */
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "operator")), STORE_OK);
    assert_true(t.order.id > 0);
    assert_int_equal(store_company_get(st, "91120116MA06ABCDXQ", &c), STORE_ERR_NOT_FOUND);
    /* busy when the details are confirmed: nothing is written, the step can be retried */
    busy = lock_db();
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "kind")), STORE_ERR_RETRY);
    unlock_db(busy);
    assert_int_equal(store_company_get(st, "91120116MA06ABCDXQ", &c), STORE_ERR_NOT_FOUND);
    assert_int_equal(txn_save(&t, st), STORE_OK);
    assert_int_equal(store_company_get(st, "91120116MA06ABCDXQ", &c), STORE_OK);
    assert_string_equal(c.name, "天津市单元测试有限公司");
    assert_string_equal(c.legal_rep, "张三");
    assert_string_equal(c.address, "天津市滨海新区单元路1号");
    assert_int_equal(store_operator_get(st, "120101199001011239", &p), STORE_OK);
    assert_string_equal(p.name, "李四");
    assert_string_equal(p.mobile, "13912345678");
    assert_string_equal(p.uscc, "91120116MA06ABCDXQ");
    /* going back and correcting a value updates the record */
    txn_set(&t, "legal_rep", "王五");
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "materials")), STORE_OK);
    assert_int_equal(store_company_get(st, "91120116MA06ABCDXQ", &c), STORE_OK);
    assert_string_equal(c.legal_rep, "王五");
    assert_int_equal(txn_cancel(&t, st, "test"), STORE_OK);
}

static void
test_order_create_busy_leaves_nothing(void **state)
{
    store *st = *state, *busy;
    struct store_order o;
    struct txn t;

    fill(&t, "120101198505054561");
    busy = lock_db();
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "kind")), STORE_ERR_RETRY);
    unlock_db(busy);
    assert_int_equal(t.order.id, 0);
    assert_string_equal(t.order.number, "");
    assert_int_equal(store_order_open_for_operator(st, "120101198505054561", &o), STORE_ERR_NOT_FOUND);
    assert_int_equal(txn_save(&t, st), STORE_OK); /* the retry creates it */
    assert_true(t.order.id > 0);
    assert_int_equal(txn_cancel(&t, st, "test"), STORE_OK);
}

static void
test_pay_records_payment(void **state)
{
    store *st = *state, *busy;
    struct store_payment p[4];
    struct store_order o;
    struct txn t, u;
    size_t n = 9;

    /* no order yet: nothing to pay */
    txn_begin(&u, &txn_new_cert, "window66", "w66");
    assert_int_equal(txn_pay(&u, st, "cash", 0), STORE_ERR_NOT_FOUND);
    assert_int_equal(u.order.paid_at, 0);

    fill(&t, "120101197707077898");
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "pay")), STORE_OK);
    busy = lock_db();
    assert_int_equal(txn_pay(&t, st, "pos", 1700000000), STORE_ERR_RETRY);
    unlock_db(busy);
    assert_int_equal(t.order.paid_at, 0);
    assert_string_equal(t.order.pay_method, "");
    assert_int_equal(store_payment_list_for_order(st, t.order.id, p, 4, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_order_get(st, t.order.id, &o), STORE_OK);
    assert_int_equal(o.paid_at, 0);
    /* retried */
    assert_int_equal(txn_pay(&t, st, "pos", 1700000000), STORE_OK);
    assert_int_equal(store_payment_list_for_order(st, t.order.id, p, 4, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].method, "pos");
    assert_int_equal(p[0].amount, 20000);
    assert_int_equal(p[0].at, 1700000000);
    assert_string_equal(p[0].clerk, "w66");
    assert_int_equal(store_order_get(st, t.order.id, &o), STORE_OK);
    assert_int_equal(o.paid_at, 1700000000);
    /* confirming again does not take the money twice */
    assert_int_equal(txn_pay(&t, st, "pos", 1700000100), STORE_OK);
    assert_int_equal(store_payment_list_for_order(st, t.order.id, p, 4, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(txn_cancel(&t, st, "test"), STORE_OK);
}

static void
test_issuance_recorded_in_one_unit(void **state)
{
    store *st = *state, *busy;
    struct txn_env env;
    struct store_cert c;
    struct store_key k;
    struct store_order o;
    struct store_audit_row a[4];
    struct txn t;
    size_t n;

    memset(&env, 0, sizeof env);
    env.st = st;
    env.now = 1763769600;
    fill(&t, "11010519491231002X");
    txn_set(&t, "key_serial", "0011223344556677");
    txn_set(&t, "kind", "unit");
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "pay")), STORE_OK);
    assert_int_equal(txn_pay(&t, st, "cash", 0), STORE_OK);
    assert_int_equal(txn_goto(&t, st, txn_step_index(t.def, "issue")), STORE_OK);
    snprintf(t.cert.serial_hex, sizeof t.cert.serial_hex, "5A5A01");
    snprintf(t.cert.subject, sizeof t.cert.subject, "CN=天津市单元测试有限公司");
    t.cert.not_before = env.now;
    t.cert.not_after = env.now + 3 * 365 * 86400;

    busy = lock_db();
    assert_int_equal(txn_new_record(&t, &env), STORE_ERR_RETRY);
    unlock_db(busy);
    assert_false(t.cert_recorded);
    assert_int_equal(store_cert_get(st, "5A5A01", &c), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_key_get(st, "0011223344556677", &k), STORE_ERR_NOT_FOUND);
    assert_int_equal(store_order_get(st, t.order.id, &o), STORE_OK);
    assert_string_equal(o.step, "issue");

    assert_int_equal(txn_new_record(&t, &env), STORE_OK); /* R: retried */
    assert_true(t.cert_recorded);
    assert_int_equal(store_cert_get(st, "5A5A01", &c), STORE_OK);
    assert_string_equal(c.key_serial, "0011223344556677");
    assert_int_equal(c.first_issue, env.now);
    assert_int_equal(c.order_id, t.order.id);
    assert_int_equal(store_key_get(st, "0011223344556677", &k), STORE_OK);
    assert_string_equal(k.uscc, "91120116MA06ABCDXQ");
    assert_string_equal(k.cert_serial, "5A5A01");
    assert_int_equal(k.first_issue, env.now);
    /* The step stored is the step reached: recorded while issuing... */
    assert_int_equal(store_order_get(st, t.order.id, &o), STORE_OK);
    assert_string_equal(o.step, "issue");
    assert_non_null(strstr(o.data, "fx_cert=recorded"));
    assert_int_equal(store_audit_recent(st, a, 4, &n), STORE_OK);
    assert_true(n >= 1);
    assert_string_equal(a[0].action, "cert.issue");
    assert_non_null(strstr(a[0].detail, "110105********002X"));
    assert_null(strstr(a[0].detail, "11010519491231002X"));
    assert_int_equal(txn_finish(&t, st), STORE_OK);
    /* ... and a finished order is stored as finished, at its last step. */
    assert_int_equal(store_order_get(st, t.order.id, &o), STORE_OK);
    assert_string_equal(o.step, "done");
    assert_int_equal(o.state, ORDER_DONE);
    assert_int_equal(store_audit_verify(st, NULL), STORE_OK);
}

/* Who may see, resume and cancel an order: every mode against an order of
 * each window, from the kinds table. */
/* A holder's order (self-service) is written once quoted, not before; the
 * provider's word is taken only at the payment step, for the quote, once;
 * the terminal's page sees it. */
static void
test_provider_payment(void **state)
{
    store *st = *state;
    struct txn t;
    enum txn_pay_verdict v;
    struct store_audit_row rows[8];
    size_t n = 0;
    int fee = txn_step_index(&txn_selfrenew, "fee"), pay = txn_step_index(&txn_selfrenew, "pay");

    txn_begin(&t, &txn_selfrenew, "self", "");
    txn_set(&t, "uscc", "91120116MA05WR2K6W");
    txn_set(&t, "key_serial", "0011223344556677");
    assert_int_equal(txn_goto(&t, st, fee), STORE_OK);
    assert_int_equal(t.order.id, 0);                /* the key and its PIN alone: nothing written */
    txn_set(&t, "amount", "5000");
    assert_int_equal(txn_goto(&t, st, fee), STORE_OK);
    assert_true(t.order.id > 0);                    /* quoted: written, found by the key's company */
    assert_int_equal(txn_pay_confirm(st, t.order.number, 5000, "pay:test", 0, &v), STORE_OK);
    assert_int_equal(v, PAYV_NOT_DUE);              /* not at the QR yet */
    assert_int_equal(txn_goto(&t, st, pay), STORE_OK);
    assert_int_equal(txn_pay_confirm(st, t.order.number, 4999, "pay:test", 0, &v), STORE_OK);
    assert_int_equal(v, PAYV_WRONG_AMOUNT);
    assert_int_equal(txn_pay_confirm(st, t.order.number, 5001, "pay:test", 0, &v), STORE_OK);
    assert_int_equal(v, PAYV_WRONG_AMOUNT);
    assert_int_equal(txn_pay_confirm(st, "00-20991231-0001", 5000, "pay:test", 0, &v), STORE_OK);
    assert_int_equal(v, PAYV_UNKNOWN);
    assert_false(txn_pay_poll(&t, st));
    assert_int_equal(txn_pay_confirm(st, t.order.number, 5000, "pay:test", 0, &v), STORE_OK);
    assert_int_equal(v, PAYV_OK);
    assert_int_equal(txn_pay_confirm(st, t.order.number, 5000, "pay:test", 0, &v), STORE_OK);
    assert_int_equal(v, PAYV_DUPLICATE);
    assert_int_equal(t.order.paid_at, 0);
    assert_true(txn_pay_poll(&t, st));              /* the page's next tick */
    assert_true(t.order.paid_at != 0);
    assert_string_equal(t.order.pay_method, "qr");
    assert_int_equal(txn_may_enter(&t, txn_step_index(&txn_selfrenew, "issue")), 0);
    /* every refusal audited, naming the provider and why */
    assert_int_equal(store_audit_by_actor(st, "pay:test", NULL, 0, rows, 8, &n), STORE_OK);
    assert_int_equal(n, 6);                         /* 5 refusals, the payment */
    assert_non_null(strstr(rows[0].detail, "reason=already_paid"));
    assert_string_equal(rows[1].action, "order.pay");
    assert_int_equal(txn_cancel(&t, st, "test"), STORE_OK);
    assert_int_equal(txn_pay_confirm(st, t.order.number, 5000, "pay:test", 0, &v), STORE_OK);
    assert_int_equal(v, PAYV_DUPLICATE);            /* paid, then cancelled: still paid once */
}

/* Official papers are Chinese whatever the screen speaks, and name the
 * clerk as the applicant knows them. */
static void
test_papers_chinese_and_clerk_named(void **state)
{
    store *st = *state;
    struct kiosk_config cfg;
    struct txn_env env;
    struct prn_order_doc d;
    struct txn t;

    cfg_defaults(&cfg, "/tmp");
    memset(&env, 0, sizeof env);
    env.cfg = &cfg;
    env.st = st;
    assert_int_equal(store_clerk_add(st, "docw66", "window66", "柜员甲", "pass-docw66-ok"), STORE_OK);
    fill(&t, "120101198505054588");
    snprintf(t.order.clerk, sizeof t.order.clerk, "docw66");
    msg_set_lang(LANG_EN);
    txn_new_doc(&t, &env, &d);
    msg_set_lang(LANG_ZH);
    assert_int_equal(d.lang, LANG_ZH);
    assert_string_equal(d.clerk, "柜员甲");
    snprintf(t.order.clerk, sizeof t.order.clerk, "gone");     /* no such clerk: the login */
    txn_new_doc(&t, &env, &d);
    assert_string_equal(d.clerk, "gone");
}

static void
test_order_rights(void **state)
{
    static const struct {
        const char *txn, *order_window;
        unsigned mode;
        const char *window;
        enum txn_access access;
        bool resume, cancel;
    } cases[] = {
        { "new", "window66", KIND_AT_W66, "window66", TXN_ACCESS_HERE, true, true },
        { "new", "window66", KIND_AT_W68, "window68", TXN_ACCESS_ELSEWHERE, false, false },
        { "new", "window66", KIND_AT_SELF, "self", TXN_ACCESS_NONE, false, false },
        { "unlock", "window66", KIND_AT_W66, "window66", TXN_ACCESS_HERE, true, true },
        { "unlock", "window66", KIND_AT_SELF, "self", TXN_ACCESS_NONE, false, false },
        { "bind", "window68", KIND_AT_W66, "window66", TXN_ACCESS_ELSEWHERE, false, false },
        { "bind", "window68", KIND_AT_W68, "window68", TXN_ACCESS_HERE, true, true },
        { "hold", "window66", KIND_AT_W68, "window68", TXN_ACCESS_ELSEWHERE, false, false },
        /* the terminal's own orders: only there; a window is told where they are */
        { "selfrenew", "self", KIND_AT_SELF, "self", TXN_ACCESS_HERE, true, true },
        { "selfrenew", "self", KIND_AT_W66, "window66", TXN_ACCESS_ELSEWHERE, false, false },
        { "renew", "window66", KIND_AT_SELF, "self", TXN_ACCESS_NONE, false, false },
        { "nonsense", "window66", KIND_AT_W66, "window66", TXN_ACCESS_HERE, false, false },
    };
    struct store_order o;
    struct txn_order_rights r;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&o, 0, sizeof o);
        snprintf(o.txn, sizeof o.txn, "%s", cases[i].txn);
        snprintf(o.window, sizeof o.window, "%s", cases[i].order_window);
        txn_order_rights(&o, cases[i].mode, cases[i].window, &r);
        if (r.access != cases[i].access || r.resume != cases[i].resume || r.cancel != cases[i].cancel)
            fail_msg("case %zu (%s at %s seen from %s): access %d resume %d cancel %d", i, cases[i].txn,
                     cases[i].order_window, cases[i].window, (int)r.access, r.resume, r.cancel);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_rights),
        cmocka_unit_test(test_step_table),
        cmocka_unit_test(test_every_table),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_validity),
        cmocka_unit_test_setup_teardown(test_nothing_saved_without_operator, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_paid_steps_need_payment, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_provider_payment, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_papers_chinese_and_clerk_named, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_resume_each_step, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_unpaid_order_resumes_before_payment, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_operator_rule, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_uscc_rule, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_company_race_refused_by_records, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_company_operator_recorded_when_confirmed, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_order_create_busy_leaves_nothing, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_pay_records_payment, tu_store_setup, tu_store_teardown),
        cmocka_unit_test_setup_teardown(test_issuance_recorded_in_one_unit, tu_store_setup, tu_store_teardown),
    };

    setlocale(LC_ALL, "C.UTF-8");
    return cmocka_run_group_tests(tests, NULL, NULL);
}

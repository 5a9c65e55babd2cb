/*
 * tests/unit/test_store_report.c - the daily settlement (日结): a generated
 * day of orders across windows, clerks, transaction kinds, payment methods
 * and outcomes (with orders the day before and after that must not count)
 * is recounted independently here, in memory, and compared with
 * store_report_daily row by row and in total.
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

#include "kiosk/kinds.h"
#include "data/store.h"
#include "testutil.h"

/* deterministic generator, independent of libc's rand() */
static uint32_t rng_state = 20261122u;
static uint32_t
rng(uint32_t n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static time_t
local_time(int y, int mo, int d, int h, int mi)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_isdst = -1 };
    return mktime(&tm);
}

struct who { const char *window, *clerk; };
static const struct who people[] = {
    { "window66", "li" }, { "window66", "zhang" }, { "window68", "wang" }, { "self", "" },
};
static const char *const txns[] = { "new", "renew", "lost", "damaged", "change", "unlock", "revoke" };
static const char *const methods[] = { "cash", "pos", "qr" };
enum outcome { DONE_PAID, DONE_FREE, CANCEL_UNPAID, CANCEL_PAID, CANCEL_FREE, LEFT_OPEN, OPEN_PAID, N_OUTCOMES };

#define MAXROWS 64
static struct store_report_row expect[MAXROWS];
static size_t nexpect;
static struct store_report_row expect_total;

static struct store_report_row *
expect_row(const char *window, const char *clerk, const char *txn)
{
    size_t i;
    for (i = 0; i < nexpect; i++)
        if (!strcmp(expect[i].window, window) && !strcmp(expect[i].clerk, clerk) && !strcmp(expect[i].txn, txn))
            return &expect[i];
    assert_true(nexpect < MAXROWS);
    memset(&expect[nexpect], 0, sizeof expect[0]);
    snprintf(expect[nexpect].window, sizeof expect[0].window, "%s", window);
    snprintf(expect[nexpect].clerk, sizeof expect[0].clerk, "%s", clerk);
    snprintf(expect[nexpect].txn, sizeof expect[0].txn, "%s", txn);
    return &expect[nexpect++];
}

/* Make one order at T with a random outcome; count it when COUNTED. */
static void
gen_order(store *st, time_t t, bool counted)
{
    const struct who *w = &people[rng(4)];
    const char *txn = txns[rng(7)];
    enum outcome out = (enum outcome)rng(N_OUTCOMES);
    const char *method = methods[rng(3)];
    long amount = (long)(1 + rng(40)) * 500;
    struct store_order o;
    struct store_report_row *r = NULL, *tot = &expect_total;

    memset(&o, 0, sizeof o);
    snprintf(o.window, sizeof o.window, "%s", w->window);
    snprintf(o.clerk, sizeof o.clerk, "%s", w->clerk);
    snprintf(o.txn, sizeof o.txn, "%s", txn);
    store_set_now(st, t);
    assert_int_equal(store_order_create(st, &o), STORE_OK);
    store_set_now(st, t + 60);
    if (out == DONE_PAID || out == CANCEL_PAID || out == OPEN_PAID) {
        o.amount = amount;
        snprintf(o.pay_method, sizeof o.pay_method, "%s", method);
        o.paid_at = t + 60;
        assert_int_equal(store_order_update(st, &o), STORE_OK);
    }
    if (out == CANCEL_FREE) {   /* confirmed free (a replacement in warranty: no method), then cancelled: no refund */
        o.amount = 0;
        o.pay_method[0] = '\0';
        o.paid_at = t + 60;
        assert_int_equal(store_order_update(st, &o), STORE_OK);
    }
    if (out == DONE_PAID || out == DONE_FREE)
        assert_int_equal(store_order_finish(st, o.id), STORE_OK);
    else if (out == CANCEL_PAID || out == CANCEL_UNPAID || out == CANCEL_FREE)
        assert_int_equal(store_order_cancel(st, o.id, "test"), STORE_OK);
    if (!counted)
        return;

    r = expect_row(w->window, w->clerk, txn);
    for (int k = 0; k < 2; k++, r = tot) {
        switch (out) {
        case DONE_PAID:
            r->done++;
            if (!strcmp(method, "cash")) r->cash += amount;
            else if (!strcmp(method, "pos")) r->pos += amount;
            else r->qr += amount;
            break;
        case DONE_FREE:
            r->done++;
            if (!strcmp(txn, "lost") || !strcmp(txn, "damaged"))   /* seed 003: the replacements */
                r->free_count++;
            break;
        case CANCEL_UNPAID:
        case CANCEL_FREE:
            r->cancelled++;
            break;
        case CANCEL_PAID:
            r->cancelled++;
            r->refunds++;
            r->refund_amount += amount;
            break;
        case OPEN_PAID:         /* paid and left: to finish or refund */
            r->open++;
            r->paid_open++;
            r->paid_open_amount += amount;
            break;
        default:
            r->open++;
            break;
        }
    }
}

static void
assert_rows_equal(const struct store_report_row *a, const struct store_report_row *b)
{
    assert_int_equal(a->done, b->done);
    assert_int_equal(a->cash, b->cash);
    assert_int_equal(a->pos, b->pos);
    assert_int_equal(a->qr, b->qr);
    assert_int_equal(a->free_count, b->free_count);
    assert_int_equal(a->open, b->open);
    assert_int_equal(a->cancelled, b->cancelled);
    assert_int_equal(a->refunds, b->refunds);
    assert_int_equal(a->refund_amount, b->refund_amount);
    assert_int_equal(a->paid_open, b->paid_open);
    assert_int_equal(a->paid_open_amount, b->paid_open_amount);
}

static void
test_generated_day(void **state)
{
    struct tu_db *f = *state;
    struct store_report_row *rows = NULL, total;
    size_t n = 0, i, j;
    int k;

    nexpect = 0;
    memset(&expect_total, 0, sizeof expect_total);
    for (k = 0; k < 40; k++)   /* the evening before: not counted */
        gen_order(f->st, local_time(2026, 11, 21, 16, 0) + (time_t)rng(7 * 3600), false);
    for (k = 0; k < 400; k++)  /* the day, 08:30 .. 17:00 */
        gen_order(f->st, local_time(2026, 11, 22, 8, 30) + (time_t)rng(510 * 60), true);
    for (k = 0; k < 40; k++)   /* the morning after, from 00:00 */
        gen_order(f->st, local_time(2026, 11, 23, 0, 0) + (time_t)rng(12 * 3600), false);

    assert_int_equal(store_report_daily(f->st, "2026-11-22", kind_free_codes(), &rows, &n, &total), STORE_OK);
    assert_int_equal(n, nexpect);
    for (i = 0; i < nexpect; i++) {
        bool found = false;
        for (j = 0; j < n; j++) {
            if (strcmp(rows[j].window, expect[i].window) || strcmp(rows[j].clerk, expect[i].clerk)
                || strcmp(rows[j].txn, expect[i].txn))
                continue;
            assert_rows_equal(&rows[j], &expect[i]);
            found = true;
        }
        assert_true(found);
    }
    assert_rows_equal(&total, &expect_total);
    /* the generator did produce every kind of line */
    assert_true(expect_total.cash > 0 && expect_total.pos > 0 && expect_total.qr > 0);
    assert_true(expect_total.free_count > 0 && expect_total.refunds > 0 && expect_total.open > 0);
    assert_true(expect_total.cancelled > expect_total.refunds);
    assert_true(expect_total.paid_open > 0 && expect_total.open > expect_total.paid_open);
    /* sorted by window, clerk, txn */
    for (j = 1; j < n; j++) {
        int c = strcmp(rows[j - 1].window, rows[j].window);
        if (c == 0)
            c = strcmp(rows[j - 1].clerk, rows[j].clerk);
        if (c == 0)
            c = strcmp(rows[j - 1].txn, rows[j].txn);
        assert_true(c < 0);
    }
    free(rows);
}

static void
test_empty_day_and_bad_date(void **state)
{
    struct tu_db *f = *state;
    struct store_report_row *rows = NULL, total;
    size_t n = 99;

    assert_int_equal(store_report_daily(f->st, "2026-01-01", kind_free_codes(), &rows, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total.done + total.cash + total.cancelled, 0);
    free(rows);
    assert_int_equal(store_report_daily(f->st, "2026-02-30", kind_free_codes(), &rows, &n, &total), STORE_ERR_IO);
    assert_non_null(strstr(store_detail(f->st), "date"));
    assert_int_equal(store_report_daily(f->st, "22/11/2026", kind_free_codes(), &rows, &n, &total), STORE_ERR_IO);
    assert_int_equal(store_report_daily(f->st, "2026-11-2", kind_free_codes(), &rows, &n, &total), STORE_ERR_IO);
    assert_int_equal(store_report_daily(f->st, "2024-02-29", kind_free_codes(), &rows, &n, &total), STORE_OK);
    free(rows);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_generated_day, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_empty_day_and_bad_date, tu_db_setup, tu_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

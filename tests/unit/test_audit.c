/*
 * tests/unit/test_audit.c - the audit hash chain against a tamperer who
 * has the sqlite3 shell (or psql, on a hall's server: STORE_TEST_PG,
 * testutil.h): the append-only triggers are dropped, then a row
 * is edited, deleted, or two rows are swapped; store_audit_check must fail
 * and name the first broken row. Also: no full ID number reaches the audit.
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

#define NROWS 10

static int
fx_setup(void **state)
{
    struct tu_db *f;
    char detail[64];
    int i;

    tu_db_setup(state);
    f = *state;
    for (i = 1; i <= NROWS; i++) {
        snprintf(detail, sizeof detail, "step %d amount=%d", i, i * 100);
        assert_int_equal(store_audit(f->st, i % 2 ? "li" : "self", i % 3 ? "login" : "print", detail), STORE_OK);
    }
    return 0;
}

/* What a tamperer does with the sqlite3 shell (or psql): the append-only
 * triggers out of the way, then SQL. */
static void
tamper(const struct tu_db *f, const char *sql)
{
    char full[1024];

    snprintf(full, sizeof full, "%s %s",
             tu_pg() != NULL ? "ALTER TABLE audit DISABLE TRIGGER USER;"
                             : "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;",
             sql);
    if (!tu_db_exec(f, full))
        fail_msg("tamper: %s", sql);
}

static void
test_intact(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;
    struct store_audit_row rows[3];
    int64_t bad = -1;
    size_t n = 0;

    assert_int_equal(store_audit_check(f->st, &r), STORE_OK);
    assert_int_equal(r.rows, NROWS);
    assert_int_equal(r.bad_id, 0);
    assert_int_equal(store_audit_verify(f->st, &bad), STORE_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(store_audit_recent(f->st, rows, 3, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, NROWS);
    assert_string_equal(rows[0].detail, "step 10 amount=1000");
}

static void
test_triggers_refuse_changes(void **state)
{
    struct tu_db *f = *state;

    assert_false(tu_db_exec(f, "UPDATE audit SET detail = 'x' WHERE id = 1"));
    assert_false(tu_db_exec(f, "DELETE FROM audit WHERE id = 1"));
}

static void
test_edited_row(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;
    int64_t bad = 0;

    tamper(f, "UPDATE audit SET detail = 'step 4 amount=1' WHERE id = 4");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 4);
    assert_int_equal(r.fault, AUDIT_EDITED);
    assert_int_equal(store_audit_verify(f->st, &bad), STORE_ERR_CONFLICT);
    assert_int_equal(bad, 4);
}

static void
test_edited_time_and_rehashed(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    /* a tamperer who changes the time and recomputes nothing */
    tamper(f, "UPDATE audit SET at = at + 3600 WHERE id = 7");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 7);
    /* one who also forges row 7's hash breaks the link of row 8 */
    tamper(f, "UPDATE audit SET at = at - 3600, hash = 'ff' || substr(hash, 3) WHERE id = 7");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 7);
}

static void
test_deleted_row(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    tamper(f, "DELETE FROM audit WHERE id = 5");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 6);
    assert_int_equal(r.fault, AUDIT_MISSING);
}

static void
test_deleted_and_renumbered(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    /* close the gap by renumbering: the links no longer match */
    tamper(f, "DELETE FROM audit WHERE id = 5; UPDATE audit SET id = id - 1 WHERE id > 5");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 5);
    assert_int_not_equal(r.fault, AUDIT_INTACT);
}

static void
test_deleted_first_row(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    tamper(f, "DELETE FROM audit WHERE id = 1");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 2);
}

static void
test_swapped_rows(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    /* swap the whole rows 3 and 8 (ids exchanged, so their order changes) */
    tamper(f, "UPDATE audit SET id = -3 WHERE id = 3; UPDATE audit SET id = 3 WHERE id = 8;"
                    " UPDATE audit SET id = 8 WHERE id = -3");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 3);
}

static void
test_swapped_content(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    /* swap only the contents of rows 2 and 9, hashes included */
    tamper(f,
           "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (2, 9);"
           "UPDATE audit SET at = (SELECT at FROM t WHERE id = 9), actor = (SELECT actor FROM t WHERE id = 9),"
           " action = (SELECT action FROM t WHERE id = 9), detail = (SELECT detail FROM t WHERE id = 9),"
           " prev_hash = (SELECT prev_hash FROM t WHERE id = 9), hash = (SELECT hash FROM t WHERE id = 9) WHERE id = 2;"
           "UPDATE audit SET at = (SELECT at FROM t WHERE id = 2), actor = (SELECT actor FROM t WHERE id = 2),"
           " action = (SELECT action FROM t WHERE id = 2), detail = (SELECT detail FROM t WHERE id = 2),"
           " prev_hash = (SELECT prev_hash FROM t WHERE id = 2), hash = (SELECT hash FROM t WHERE id = 2) WHERE id = 9;");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 2);
}

static void
test_appends_continue_after_reopen(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;
    char err[512];

    store_close(f->st);
    assert_int_equal(store_open(&f->st, (struct store_opts[]){ tu_db_opts(f, 2000) }, err, sizeof err), STORE_OK);
    assert_int_equal(store_audit(f->st, "admin", "login", "after reopen"), STORE_OK);
    assert_int_equal(store_audit_check(f->st, &r), STORE_OK);
    assert_int_equal(r.rows, NROWS + 1);
}

static void
test_no_full_id_in_audit(void **state)
{
    struct tu_db *f = *state;
    struct store_order o = { .txn = "new", .window = "window66", .clerk = "li",
                             .operator_id = "120101199001011234" };
    struct store_audit_row rows[NROWS + 4];
    size_t n = 0, i;
    int masked = 0;

    assert_int_equal(store_order_create(f->st, &o), STORE_OK);
    o.amount = 20000;
    snprintf(o.pay_method, sizeof o.pay_method, "qr");
    o.paid_at = time(NULL);
    assert_int_equal(store_order_update(f->st, &o), STORE_OK);
    assert_int_equal(store_order_cancel(f->st, o.id, "applicant left"), STORE_OK);
    assert_int_equal(store_audit_recent(f->st, rows, NROWS + 4, &n), STORE_OK);
    assert_int_equal(n, NROWS + 3);
    for (i = 0; i < n; i++) {
        assert_null(strstr(rows[i].detail, "120101199001011234"));
        if (strstr(rows[i].detail, "120101********1234") != NULL)
            masked++;
    }
    assert_int_equal(masked, 3);
    assert_string_equal(rows[0].action, "order.cancel");
    assert_string_equal(rows[1].action, "order.pay");
    assert_non_null(strstr(rows[1].detail, "amount=20000 method=qr"));
    assert_string_equal(rows[2].action, "order.create");
    assert_string_equal(rows[0].actor, "li");
}

/* A certificate in the records with its rows; an order with its row. */
static void
cross_cert(store *st, const char *serial, const char *uscc, bool sign, bool issue)
{
    struct store_cert c;
    char detail[128];

    memset(&c, 0, sizeof c);
    snprintf(c.serial, sizeof c.serial, "%s", serial);
    snprintf(c.uscc, sizeof c.uscc, "%s", uscc);
    snprintf(c.holder, sizeof c.holder, "H");
    snprintf(c.kind, sizeof c.kind, "unit");
    c.not_before = 1;
    c.not_after = 2;
    c.reason = REASON_NONE;
    assert_int_equal(store_cert_put(st, &c), STORE_OK);
    snprintf(detail, sizeof detail, "order=66-20261201-0001 cert=%s key=K fpr=F", serial);
    if (sign)
        assert_int_equal(store_audit(st, "li", "cert.sign", detail), STORE_OK);
    if (issue)
        assert_int_equal(store_audit(st, "li", "cert.issue", detail), STORE_OK);
}

/* The trail against the records: each way a trail can fall short of them. */
static void
test_crosscheck(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_cross x;
    struct store_order o;

    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_OK);      /* nothing recorded yet */
    cross_cert(f->st, "AA01", "U1", true, true);
    memset(&o, 0, sizeof o);
    snprintf(o.txn, sizeof o.txn, "new");
    snprintf(o.window, sizeof o.window, "window66");
    assert_int_equal(store_order_create(f->st, &o), STORE_OK);          /* audits order.create */
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_OK);
    assert_int_equal(x.certs, 1);
    assert_int_equal(x.orders, 1);
    /* a certificate with no signature row */
    cross_cert(f->st, "AA02", "U2", false, true);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_ERR_CONFLICT);
    assert_int_equal(x.certs_unsigned, 1);
    assert_string_equal(x.example, "AA02");
    assert_int_equal(store_audit(f->st, "li", "cert.sign", "order=66-20261201-0001 cert=AA02"), STORE_OK);
    /* one with no issue row */
    cross_cert(f->st, "AA03", "U3", true, false);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_ERR_CONFLICT);
    assert_int_equal(x.certs_unissued, 1);
    assert_int_equal(store_audit(f->st, "li", "cert.void", "order=66-20261201-0001 cert=AA03 why=test"), STORE_OK);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_OK);      /* a void row ends it */
    /* an issue row naming no certificate */
    assert_int_equal(store_audit(f->st, "li", "cert.issue", "order=66-20261201-0009 cert=BB01"), STORE_OK);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_ERR_CONFLICT);
    assert_int_equal(x.issued_unrecorded, 1);
    assert_string_equal(x.example, "BB01");
}

/* Signed, never recorded: allowed while its order is open, found once closed. */
static void
test_crosscheck_signed_unrecorded(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_cross x;
    struct store_order o;
    char detail[128];

    memset(&o, 0, sizeof o);
    snprintf(o.txn, sizeof o.txn, "new");
    snprintf(o.window, sizeof o.window, "window66");
    assert_int_equal(store_order_create(f->st, &o), STORE_OK);
    snprintf(detail, sizeof detail, "order=%s cert=CC01 key=K fpr=F", o.number);
    assert_int_equal(store_audit(f->st, "li", "cert.sign", detail), STORE_OK);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_OK);      /* the work goes on */
    assert_int_equal(store_order_finish(f->st, o.id), STORE_OK);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_ERR_CONFLICT);
    assert_int_equal(x.signed_unrecorded, 1);
    assert_string_equal(x.example, "CC01");
}

/* An emptied trail, and one cut short, do not match the records. */
static void
test_crosscheck_emptied(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_cross x;
    struct store_audit_result r;
    struct store_order o;

    cross_cert(f->st, "DD01", "U4", true, true);
    memset(&o, 0, sizeof o);
    snprintf(o.txn, sizeof o.txn, "new");
    snprintf(o.window, sizeof o.window, "window66");
    assert_int_equal(store_order_create(f->st, &o), STORE_OK);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_OK);
    /* the newest rows cut off, the head moved back with them */
    tamper(f, "DELETE FROM audit WHERE id > 10; UPDATE audit_head SET id = 10, hash = (SELECT hash FROM audit WHERE id = 10);");
    /* the head kept beside the records (DB-head) names a row no longer there */
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.fault, AUDIT_TRUNCATED);
    assert_true(r.bad_id > 10);
    /* one who can delete that file as well: the shorter chain holds, the records still tell */
    {
        char head[600];
        snprintf(head, sizeof head, "%s-head", f->path);
        assert_int_equal(unlink(head), 0);
    }
    assert_int_equal(store_audit_check(f->st, &r), STORE_OK);
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_ERR_CONFLICT);
    assert_true(x.certs_unsigned == 1 && x.orders_unaudited == 1);
    tamper(f, "DELETE FROM audit;");
    assert_int_equal(store_audit_check(f->st, &r), STORE_OK);            /* an empty chain is a chain */
    assert_int_equal(store_audit_crosscheck(f->st, &x), STORE_ERR_CONFLICT);
    assert_int_equal(x.certs_unsigned, 1);
}

/* ---- the keyed chain (issue 13) ------------------------------------------- */

static const unsigned char KEY_A[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                         17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const unsigned char KEY_B[32] = { 32, 31, 30 };

/* The fixture's 10 unkeyed rows, then 3 keyed with KEY_A. */
static void
keyed_rows(struct tu_db *f)
{
    assert_int_equal(store_set_audit_key(f->st, "h1", KEY_A, sizeof KEY_A), STORE_OK);
    assert_string_equal(store_audit_key_id(f->st), "h1");
    assert_int_equal(store_audit(f->st, "system", "audit.keyed", "key=h1"), STORE_OK);
    assert_int_equal(store_audit(f->st, "li", "login", "keyed 1"), STORE_OK);
    assert_int_equal(store_audit(f->st, "li", "print", "keyed 2 amount=300"), STORE_OK);
}

static void
test_keyed_intact(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    keyed_rows(f);
    assert_int_equal(store_audit_check(f->st, &r), STORE_OK);
    assert_int_equal(r.rows, NROWS + 3);
    assert_int_equal(r.keyed, 3);
}

static void
test_keyed_wrong_key(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    keyed_rows(f);
    /* a key of the same name that is not the one: every keyed row's HMAC differs */
    assert_int_equal(store_set_audit_key(f->st, "h1", KEY_B, sizeof KEY_B), STORE_OK);
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.fault, AUDIT_EDITED);
    assert_int_equal(r.bad_id, NROWS + 1);
}

static void
test_keyed_without_key(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    keyed_rows(f);
    assert_int_equal(store_set_audit_key(f->st, NULL, NULL, 0), STORE_OK);
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.fault, AUDIT_NO_KEY);
    assert_int_equal(r.bad_id, NROWS + 1);
}

static void
test_keyed_unsealed_then_sealed(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    keyed_rows(f);
    /* a row written while the HSM could not be asked: counted, not a fault */
    assert_int_equal(store_set_audit_key(f->st, NULL, NULL, 0), STORE_OK);
    assert_int_equal(store_audit(f->st, "li", "login", "unkeyed after keyed"), STORE_OK);
    assert_int_equal(store_set_audit_key(f->st, "h1", KEY_A, sizeof KEY_A), STORE_OK);
    assert_int_equal(store_audit_check(f->st, &r), STORE_OK);
    assert_int_equal(r.unsealed, 1);
    /* the next keyed row seals it: changing it now breaks that row's link */
    assert_int_equal(store_audit(f->st, "li", "logout", "keyed again"), STORE_OK);
    assert_int_equal(store_audit_check(f->st, &r), STORE_OK);
    assert_int_equal(r.unsealed, 0);
    tamper(f, "UPDATE audit SET detail = 'forged' WHERE id = 14");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 14);
}

/* the newest row rewritten (its hash recomputed as plain SHA-256): the head beside the records differs */
static void
test_keyed_tail_rewritten(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;
    char head[600], line[128];
    FILE *fp;

    keyed_rows(f);
    snprintf(head, sizeof head, "%s-head", f->path);
    fp = fopen(head, "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    assert_int_equal(atoll(line), NROWS + 3);
    /* as if the newest row's hash were another */
    tamper(f, "UPDATE audit SET hash = '00' || substr(hash, 3), key_id = '' WHERE id = 13");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.bad_id, 13);
}

static void
test_keyed_hall_all_unkeyed(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    /* a check that holds the key finds no keyed row at the end: the trail was rewritten without it */
    assert_int_equal(store_set_audit_key(f->st, "h1", KEY_A, sizeof KEY_A), STORE_OK);
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.fault, AUDIT_UNKEYED);
    assert_int_equal(r.bad_id, NROWS);
    assert_int_equal(store_set_audit_key(f->st, "", KEY_A, sizeof KEY_A), STORE_ERR_IO);
    assert_int_equal(store_set_audit_key(f->st, "h1", KEY_A, 16), STORE_ERR_IO);
}

static void
test_keyed_edited_rehashed(void **state)
{
    struct tu_db *f = *state;
    struct store_audit_result r;

    keyed_rows(f);
    /* the edit is seen; recomputing a plain SHA-256 in its place does not pass as the HMAC */
    tamper(f, "UPDATE audit SET detail = 'keyed 2 amount=1' WHERE id = 13");
    assert_int_equal(store_audit_check(f->st, &r), STORE_ERR_CONFLICT);
    assert_int_equal(r.fault, AUDIT_EDITED);
    assert_int_equal(r.bad_id, NROWS + 3);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, tu_db_teardown)
    const struct CMUnitTest tests[] = {
        T(test_intact),
        T(test_triggers_refuse_changes),
        T(test_edited_row),
        T(test_edited_time_and_rehashed),
        T(test_deleted_row),
        T(test_deleted_and_renumbered),
        T(test_deleted_first_row),
        T(test_swapped_rows),
        T(test_swapped_content),
        T(test_appends_continue_after_reopen),
        T(test_no_full_id_in_audit),
        T(test_crosscheck),
        T(test_crosscheck_signed_unrecorded),
        T(test_crosscheck_emptied),
        T(test_keyed_intact),
        T(test_keyed_wrong_key),
        T(test_keyed_without_key),
        T(test_keyed_unsealed_then_sealed),
        T(test_keyed_tail_rewritten),
        T(test_keyed_hall_all_unkeyed),
        T(test_keyed_edited_rehashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

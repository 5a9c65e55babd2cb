/*
 * tests/unit/test_print.c - printing's pure parts and the outbox on a real
 * SQLite store with a printer that refuses connections (nothing listens on
 * the port): formatting, the transaction table, rendering every document
 * without overflow (very long CJK names included), back-off, and the outbox
 * state changes (queued with last_error, retry, cancel, reprint).
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

#include "kiosk/rules.h"
#include "printing/print.h"
#include "testutil.h"

static void
test_money_and_mask(void **state)
{
    char b[64];
    (void)state;
    assert_string_equal(rules_money_format(20000, b, sizeof b), "200.00");
    assert_string_equal(rules_money_format(5, b, sizeof b), "0.05");
    assert_string_equal(rules_money_format(-150, b, sizeof b), "-1.50");
    /* one masking policy for screen, paper and audit (kiosk/rules.c) */
    assert_string_equal(rules_mask_id("120105199008172524", b, sizeof b), "120105********2524");
    assert_string_equal(rules_mask_id("1234", b, sizeof b), "****");
    assert_string_equal(rules_mask_id("", b, sizeof b), "");
}

static void
test_names_and_table(void **state)
{
    enum prn_doc d;
    enum txn_kind t;
    int i;
    (void)state;
    for (i = 0; i < PRN_DOC__COUNT; i++) {
        assert_int_equal(prn_doc_parse(prn_doc_name((enum prn_doc)i), &d), 0);
        assert_int_equal(d, i);
    }
    assert_int_equal(prn_doc_parse("poster", &d), -1);
    for (i = 0; i < KIND__COUNT; i++) {
        assert_int_equal(kind_parse(kind_code((enum txn_kind)i), &t), 0);
        assert_int_equal(t, i);
    }
    assert_int_equal(kind_parse("check", &t), -1);
    /* The form's 操作类型 box per transaction (seed 002 annex 1). */
    assert_int_equal(kind_info(KIND_NEW)->op, KIND_OP_APPLY);
    assert_int_equal(kind_info(KIND_RENEW)->op, KIND_OP_RENEW);
    assert_int_equal(kind_info(KIND_LOST)->op, KIND_OP_REPLACE);
    assert_int_equal(kind_info(KIND_DAMAGED)->op, KIND_OP_REPLACE);
    assert_int_equal(kind_info(KIND_UNLOCK)->op, KIND_OP_UNLOCK);
    assert_int_equal(kind_info(KIND_CHANGE)->op, KIND_OP_CHANGE);
    assert_int_equal(kind_info(KIND_REVOKE)->op, KIND_OP_OTHER);
}

static void
test_total(void **state)
{
    struct prn_order_doc d;
    (void)state;
    prn_sample_order(&d, 0, 1700000000);
    assert_int_equal(prn_total(&d), d.media_fee + d.service_fee_per_year * d.years);
    d.years = 0;
    assert_int_equal(prn_total(&d), d.media_fee);
}

static void
test_backoff(void **state)
{
    int a;
    (void)state;
    assert_int_equal(prn_backoff_s(1), 5);
    assert_int_equal(prn_backoff_s(2), 15);
    assert_int_equal(prn_backoff_s(3), 60);
    for (a = 4; a < 50; a++)
        assert_int_equal(prn_backoff_s(a), 60);
}

static void
test_render_all(void **state)
{
    int v, doc, paper, lang;
    (void)state;
    for (lang = 0; lang < 2; lang++)
        for (paper = 0; paper < 2; paper++)
            for (v = 0; v < 4; v++)
                for (doc = 0; doc < PRN_DOC__COUNT; doc++) {
                    struct prn_order_doc d;
                    struct prn_pdf pdf;
                    char err[256];
                    prn_sample_order(&d, v, 1700000000);
                    d.lang = (enum msg_lang)lang;
                    assert_int_equal(prn_render((enum prn_doc)doc, &d, (enum prn_paper)paper, &pdf, err, sizeof err), 0);
                    assert_true(pdf.len > 1000);
                    assert_memory_equal(pdf.data, "%PDF", 4);
                    if (pdf.overflows != 0)
                        fail_msg("v%d %s paper %d lang %d: %d overflow(s)", v, prn_doc_name((enum prn_doc)doc),
                                 paper, lang, pdf.overflows);
                    prn_pdf_free(&pdf);
                }
}

static void
test_render_bad_doc(void **state)
{
    struct prn_order_doc d;
    struct prn_pdf pdf;
    char err[256];
    (void)state;
    prn_sample_order(&d, 0, 1700000000);
    assert_int_equal(prn_render((enum prn_doc)99, &d, PRN_PAPER_A5, &pdf, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown document"));
    assert_null(pdf.data);
}

/* ---- outbox with a printer that refuses ---------------------------------- */

struct ob { struct tu_db db; struct kiosk_config cfg; };

static int
ob_setup(void **state)
{
    struct ob *o = calloc(1, sizeof *o);

    assert_non_null(o);
    tu_db_open(&o->db);
    cfg_defaults(&o->cfg, o->db.dir);
    /* Port 9 (discard) on loopback: nothing listens there, connections are refused. */
    snprintf(o->cfg.printer_uri, sizeof o->cfg.printer_uri, "ipp://127.0.0.1:9/ipp/print");
    o->cfg.printer_timeout_ms = 500;
    *state = o;
    return 0;
}

static int
ob_teardown(void **state)
{
    struct ob *o = *state;

    tu_db_close(&o->db);
    free(o);
    return 0;
}

static void
test_outbox_refused(void **state)
{
    struct ob *o = *state;
    struct prn_order_doc d;
    struct prn_pump_result r;
    struct store_job j;
    int64_t id, id2;
    char err[256];
    void *pdf;
    size_t len;
    time_t now = 1800000000;

    prn_sample_order(&d, 0, now);
    assert_int_equal(prn_outbox_add_doc(o->db.st, &o->cfg, 0, PRN_DOC_FORM, &d, now, &id, err, sizeof err), STORE_OK);
    assert_int_equal(store_job_get(o->db.st, id, &j), STORE_OK);
    assert_int_equal(j.state, JOB_QUEUED);
    assert_int_equal(j.copies, cfg_profile(&o->cfg)->form_copies);
    assert_int_equal(store_job_pdf(o->db.st, id, &pdf, &len), STORE_OK);   /* recorded before any attempt */
    assert_memory_equal(pdf, "%PDF", 4);
    free(pdf);

    assert_int_equal(prn_outbox_pump(o->db.st, &o->cfg, now, &r), STORE_OK);
    assert_int_equal(r.sent, 0);
    assert_int_equal(r.last, PRN_ERR_DOWN);
    assert_int_equal(r.message, M_PRN_PUMP_WAITING);
    assert_int_equal(r.queued, 1);
    assert_int_equal(store_job_get(o->db.st, id, &j), STORE_OK);
    assert_int_equal(j.state, JOB_QUEUED);
    assert_int_equal(j.attempts, 1);
    assert_int_equal(j.next_try, now + prn_backoff_s(1));
    assert_non_null(strstr(j.last_error, "ipp://127.0.0.1:9/ipp/print"));

    /* Not due yet: no attempt. */
    assert_int_equal(prn_outbox_pump(o->db.st, &o->cfg, now + 1, &r), STORE_OK);
    assert_int_equal(store_job_get(o->db.st, id, &j), STORE_OK);
    assert_int_equal(j.attempts, 1);
    /* Clerk's retry: due now again. */
    assert_int_equal(prn_outbox_retry(o->db.st, id, now + 2), STORE_OK);
    assert_int_equal(store_job_get(o->db.st, id, &j), STORE_OK);
    assert_int_equal(j.next_try, now + 2);

    /* Reprint of a job makes a new queued job with the same PDF. */
    assert_int_equal(prn_outbox_reprint(o->db.st, id, now + 3, &id2), STORE_OK);
    assert_true(id2 != id);
    assert_int_equal(store_job_get(o->db.st, id2, &j), STORE_OK);
    assert_int_equal(j.state, JOB_QUEUED);
    assert_string_equal(j.doc, "form");

    /* Cancel; a cancelled job is neither retried nor cancelled again. */
    assert_int_equal(prn_outbox_cancel(o->db.st, id, now + 4), STORE_OK);
    assert_int_equal(store_job_get(o->db.st, id, &j), STORE_OK);
    assert_int_equal(j.state, JOB_CANCELLED);
    assert_int_equal(prn_outbox_retry(o->db.st, id, now + 5), STORE_ERR_CONFLICT);
    assert_int_equal(prn_outbox_cancel(o->db.st, id, now + 5), STORE_ERR_CONFLICT);
    assert_int_equal(prn_outbox_cancel(o->db.st, 999999, now + 5), STORE_ERR_NOT_FOUND);
}

static void
test_no_printer(void **state)
{
    struct ob *o = *state;
    enum msg_id m;
    char detail[256];
    struct kiosk_config cfg = o->cfg;

    cfg.printer_uri[0] = '\0';
    assert_int_equal(prn_printer_state(&cfg, &m, detail, sizeof detail), PRN_PRINTER_NONE);
    assert_int_equal(m, M_PRN_STATE_NONE);
    assert_int_equal(prn_printer_state(&o->cfg, &m, detail, sizeof detail), PRN_PRINTER_DOWN);
    assert_int_equal(m, M_PRN_STATE_DOWN);
    assert_non_null(strstr(detail, "cannot connect"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_and_mask),
        cmocka_unit_test(test_names_and_table),
        cmocka_unit_test(test_total),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_render_all),
        cmocka_unit_test(test_render_bad_doc),
        cmocka_unit_test_setup_teardown(test_outbox_refused, ob_setup, ob_teardown),
        cmocka_unit_test_setup_teardown(test_no_printer, ob_setup, ob_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

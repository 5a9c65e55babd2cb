/*
 * tests/unit/test_worker.c - the background print pump (printing/worker.c)
 * on a real SQLite file: with the printer down it reports so and keeps the
 * job queued; with the test hall's real printer ($PRINTER_URI from
 * tests/run.sh) the job is printed exactly once; stopping joins the thread.
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

#include "kiosk/config.h"
#include "printing/print.h"
#include "tests/unit/testutil.h"

/* A queued receipt in D's database; returns its job id. */
static int64_t
add_receipt(struct tu_db *d)
{
    struct prn_order_doc doc;
    struct prn_pdf pdf;
    char err[256];
    int64_t id = 0;

    prn_sample_order(&doc, 0, time(NULL));
    assert_int_equal(prn_render(PRN_DOC_RECEIPT, &doc, PRN_PAPER_A5, &pdf, err, sizeof err), 0);
    assert_int_equal(prn_outbox_add(d->st, 0, PRN_DOC_RECEIPT, "worker test", 1, &pdf, time(NULL), &id), STORE_OK);
    prn_pdf_free(&pdf);
    return id;
}

/* The kiosk's defaults pointed at D's database and printer URI. */
static void
worker_cfg(struct kiosk_config *cfg, const struct tu_db *d, const char *uri)
{
    cfg_defaults(cfg, d->dir);
    snprintf(cfg->db_path, sizeof cfg->db_path, "%s", d->path);
    snprintf(cfg->printer_uri, sizeof cfg->printer_uri, "%s", uri);
    cfg->printer_timeout_ms = 1000;
}

/* Poll the worker until its status is known (at most 20 s). */
static void
wait_known(struct prn_worker *w, struct prn_worker_status *s)
{
    int i;

    for (i = 0; i < 200; i++) {
        prn_worker_status(w, s);
        if (s->known)
            return;
        usleep(100 * 1000);
    }
    fail_msg("the worker never published a status");
}

static void
test_printer_down(void **state)
{
    struct tu_db *d = *state;
    struct kiosk_config cfg;
    struct prn_worker *w = NULL;
    struct prn_worker_status s;
    struct store_job j;
    int64_t id = add_receipt(d);

    worker_cfg(&cfg, d, "ipp://127.0.0.1:9/ipp/print");
    assert_int_equal(prn_worker_start(&w, &cfg, 1, NULL), 0);
    wait_known(w, &s);
    assert_false(s.up);
    assert_int_equal(s.message, M_PRN_STATE_DOWN);
    prn_worker_stop(w);
    assert_int_equal(store_job_get(d->st, id, &j), STORE_OK);
    assert_true(j.state == JOB_QUEUED);
}

static void
test_printer_up_prints_once(void **state)
{
    struct tu_db *d = *state;
    const char *uri = getenv("PRINTER_URI");
    struct kiosk_config cfg;
    struct prn_worker *w = NULL;
    struct prn_worker_status s;
    struct store_job j;
    int64_t id;
    int i;

    if (uri == NULL || uri[0] == '\0')
        fail_msg("PRINTER_URI not set: run through tests/run.sh");
    id = add_receipt(d);
    worker_cfg(&cfg, d, uri);
    assert_int_equal(prn_worker_start(&w, &cfg, 1, NULL), 0);
    for (i = 0; i < 300; i++) {
        assert_int_equal(store_job_get(d->st, id, &j), STORE_OK);
        if (j.state == JOB_DONE)
            break;
        usleep(100 * 1000);
    }
    prn_worker_status(w, &s);
    prn_worker_stop(w);
    assert_int_equal(j.state, JOB_DONE);
    assert_int_equal(j.attempts, 1);
    assert_true(s.known && s.up);
    assert_int_equal(s.sent, 1);
}

static void
test_stop_without_start(void **state)
{
    struct prn_worker_status s;

    (void)state;
    prn_worker_stop(NULL);
    prn_worker_status(NULL, &s);
    assert_false(s.known);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_printer_down, tu_db_setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(test_printer_up_prints_once, tu_db_setup, tu_db_teardown),
        cmocka_unit_test(test_stop_without_start),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

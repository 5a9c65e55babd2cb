/*
 * tests/integration/print_outbox.c - helper of tests/integration/print_outbox.sh:
 * drives the print outbox (printing/outbox.c) on a real SQLite store and a
 * real printer URI, one operation per run, so the script can stop, hang or
 * restart the printer between operations.
 *
 *   print_outbox DB URI TIMEOUT_MS add DOC [VARIANT]   -> prints the job id
 *   print_outbox DB URI TIMEOUT_MS pump [SECONDS_AHEAD] -> pump at now+SECONDS_AHEAD
 *   print_outbox DB URI TIMEOUT_MS show ID             -> state attempts due_in printer_job error
 *   print_outbox DB URI TIMEOUT_MS follow ID MS
 *   print_outbox DB URI TIMEOUT_MS pdf ID FILE         -> the stored PDF
 *   print_outbox DB URI TIMEOUT_MS retry|cancel|reprint ID
 *   print_outbox DB URI TIMEOUT_MS printer             -> printer state + message (en, zh)
 *   (URI: an ipp:// URI or a queue on the CUPS server named by CUPS_SERVER)
 *   print_outbox DB URI TIMEOUT_MS forget ID           -> put a SENT job back to QUEUED, due
 *       now, keeping its printer job id: the state left by a timeout after the
 *       printer accepted the document (the fake for an error path a healthy
 *       ippeveprinter cannot produce on demand)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/auditkey.h"
#include "printing/print.h"

static const char *const state_names[] = { "queued", "sent", "done", "failed", "cancelled" };

int
main(int argc, char **argv)
{
    struct audit_key akey;
    struct kiosk_config cfg;
    store *st = NULL;
    char err[512];
    time_t now = time(NULL);
    const char *cmd;
    int rc = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: print_outbox DB URI TIMEOUT_MS CMD [ARGS]\n");
        return 2;
    }
    cfg_defaults(&cfg, "/nonexistent");
    snprintf(cfg.printer_uri, sizeof cfg.printer_uri, "%s", argv[2]);
    cfg.printer_timeout_ms = atoi(argv[3]);
    cmd = argv[4];
    {   /* the audit key before the records open (kiosk/auditkey.h) */
        struct kiosk_config base;
        cfg_defaults(&base, NULL);
        audit_key_fetch(&base, NULL, &akey);
    }
    if (store_open(&st, &(struct store_opts){ .path = argv[1], .busy_ms = 5000 }, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "store_open %s: %s\n", argv[1], err);
        return 1;
    }
    (void)audit_key_use(&akey, st);    /* its audit rows keyed as a counter's, when a hall is there */
    if (strcmp(cmd, "add") == 0 && argc >= 6) {
        struct prn_order_doc d;
        enum prn_doc doc;
        int64_t id;
        if (prn_doc_parse(argv[5], &doc) != 0)
            return 2;
        prn_sample_order(&d, argc > 6 ? atoi(argv[6]) : 0, now);
        rc = prn_outbox_add_doc(st, &cfg, 0, doc, &d, now, &id, err, sizeof err);
        if (rc == STORE_OK)
            printf("%lld\n", (long long)id);
        else
            fprintf(stderr, "%s\n", err);
    } else if (strcmp(cmd, "pump") == 0) {
        struct prn_pump_result r;
        rc = prn_outbox_pump(st, &cfg, now + (argc > 5 ? atol(argv[5]) : 0), &r);
        printf("sent=%d done=%d failed=%d queued=%d last=%d\n", r.sent, r.done, r.failed, r.queued, (int)r.last);
        printf("message=%s\n", msg_in(r.message, LANG_EN));
        printf("detail=%s\n", r.detail);
    } else if (strcmp(cmd, "show") == 0 && argc >= 6) {
        struct store_job j;
        rc = store_job_get(st, atoll(argv[5]), &j);
        if (rc == STORE_OK)
            printf("state=%s attempts=%d due_in=%lld printer_job=%d error=%s\n", state_names[j.state],
                   j.attempts, (long long)(j.next_try - now), j.printer_job_id, j.last_error);
    } else if (strcmp(cmd, "follow") == 0 && argc >= 7) {
        struct store_job j;
        rc = prn_outbox_follow(st, &cfg, atoll(argv[5]), atoi(argv[6]), &j);
        if (rc == STORE_OK)
            printf("state=%s\n", state_names[j.state]);
    } else if (strcmp(cmd, "pdf") == 0 && argc >= 7) {
        void *pdf;
        size_t len;
        rc = store_job_pdf(st, atoll(argv[5]), &pdf, &len);
        if (rc == STORE_OK) {
            FILE *f = fopen(argv[6], "wb");
            if (f == NULL || fwrite(pdf, 1, len, f) != len || fclose(f) != 0)
                rc = 1;
            free(pdf);
        }
    } else if (strcmp(cmd, "retry") == 0 && argc >= 6) {
        rc = prn_outbox_retry(st, atoll(argv[5]), now);
    } else if (strcmp(cmd, "cancel") == 0 && argc >= 6) {
        rc = prn_outbox_cancel(st, atoll(argv[5]), now);
    } else if (strcmp(cmd, "reprint") == 0 && argc >= 6) {
        int64_t id;
        rc = prn_outbox_reprint(st, atoll(argv[5]), now, &id);
        if (rc == STORE_OK)
            printf("%lld\n", (long long)id);
    } else if (strcmp(cmd, "forget") == 0 && argc >= 6) {
        struct store_job j;
        rc = store_job_get(st, atoll(argv[5]), &j);
        if (rc == STORE_OK) {
            j.state = JOB_QUEUED;
            j.next_try = now;
            snprintf(j.last_error, sizeof j.last_error, "simulated: no answer to Send-Document");
            rc = store_job_update(st, &j);
        }
    } else if (strcmp(cmd, "printer") == 0) {
        enum msg_id m;
        char detail[256];
        enum prn_printer ps = prn_printer_state(&cfg, &m, detail, sizeof detail);
        printf("state=%d message=%s zh=%s detail=%s\n", (int)ps, msg_in(m, LANG_EN), msg_in(m, LANG_ZH), detail);
    } else {
        fprintf(stderr, "print_outbox: unknown command %s\n", cmd);
        rc = 2;
    }
    store_close(st);
    if (rc < 0)
        fprintf(stderr, "print_outbox %s: store status %d\n", cmd, rc);
    return rc == 0 ? 0 : 1;
}

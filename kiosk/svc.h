/*
 * kiosk/svc.h - the services a screen asks besides transactions: the print
 * outbox (list, retry, cancel, reprint) and the daily settlement (report,
 * print). Screens never call the store or printing themselves
 * (tests/layers.sh); these do, audit what the clerk did, and hand anything
 * for the printer to the print worker, so the input loop never waits on it.
 */
#ifndef KIOSK_SVC_H
#define KIOSK_SVC_H

#include <stddef.h>
#include <stdint.h>

#include "data/store.h"
#include "kiosk/msg.h"

struct app;

/* What a job's last failure means, in the catalogue's words (its technical
 * detail stays in the records and the command line). */
enum msg_id svc_job_error_msg(const struct store_job *j);

/* The print jobs a page at a time, newest first (store_job_page). */
int svc_outbox_page(struct app *app, size_t offset, struct store_job *out, size_t max, size_t *n, size_t *total);
/* The seals waiting for a re-binding (store_seal_waiting), newest first. */
int svc_seal_waiting(struct app *app, struct store_seal *out, size_t max, size_t *n);

/* What a clerk may do to a job that has not reached the printer. */
enum svc_job_op {
    SVC_JOB_RETRY = 0,      /* due now, the worker woken to send it first */
    SVC_JOB_CANCEL,         /* never printed */
    SVC_JOB_REPRINT,        /* a new job from the same PDF (*new_id), sent first */
};

/* Do OP to job ID and audit it under the signed-in clerk (print.retry,
 * print.cancel, print.reprint). Returns a store status: CONFLICT when the
 * job's state does not allow it. *audit_failed when only the audit row
 * could not be written. */
int svc_outbox_act(struct app *app, enum svc_job_op op, int64_t id, int64_t *new_id, bool *audit_failed);

/* The catalogue text of a job state. */
enum msg_id svc_job_state_msg(enum store_job_state st);

/* The daily settlement of DATE (YYYY-MM-DD): rows (free() them) and total.
 * On failure ERR says why and *rows is NULL. store status. */
int svc_report_daily(struct app *app, const char *date, struct store_report_row **rows, size_t *n,
                     struct store_report_row *total, char *err, size_t errlen);

/* Queue the settlement sheet of DATE with the audit chain's head as its
 * anchor (audited "print"), wake the worker to send it, and put in OUT what
 * to tell the supervisor. 0, or -1 when it could not even be queued. */
int svc_settle_print(struct app *app, const char *date, char *out, size_t n);

/*
 * The supervisor's warning that the CA certificate ends soon: 1 and the
 * words in OUT from SVC_CA_WARN_DAYS days before it ends (and once it has
 * ended: nothing can be issued), else 0.
 */
#define SVC_CA_WARN_DAYS 180
int svc_ca_warning(struct app *app, char *out, size_t n);

#endif

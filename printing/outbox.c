/*
 * printing/outbox.c - the print outbox on data/store.h (store_job_*).
 *
 * States: QUEUED (waiting; due at next_try) -> SENT (the printer took it)
 * -> DONE (printer says completed) or FAILED (printer aborted it).
 * CANCELLED by the clerk from QUEUED or FAILED.
 *
 * Every job is written with its PDF before anything is sent, so a crash,
 * a dead printer or a reboot loses nothing. A failed attempt leaves the job
 * QUEUED with attempts+1, next_try = now + back-off (5 s, 15 s, 60 s, then
 * every 60 s) and last_error.
 *
 * Never twice. The printer's job id is written to the store as soon as the
 * printer has created the job (Create-Job), BEFORE the document is sent
 * (prn_submit's on_created hook). The job-name sent carries the outbox id
 * and creation time ("TITLE #kiosk-ID-CREATED"). If an attempt ends badly
 * after that point (a timeout while waiting for the answer to
 * Send-Document, a crash), the next attempt first asks the printer about
 * that job id and checks the job-name (ids restart with the printer):
 *   pending / processing / completed -> the printer has it: SENT, not resent;
 *   held (created, no document)      -> cancelled there, then sent again;
 *   aborted / canceled / unknown      -> sent again.
 * So a document the printer accepted is never sent a second time; the only
 * cost is one extra Get-Job-Attributes on a retry. A job whose printer job
 * disappeared while SENT (printer restarted and lost its history) is marked
 * FAILED with an explanation rather than reprinted: the clerk decides.
 *
 * One sender per job. Inside a process, outbox_lock serialises the worker
 * thread and the screens. Across processes (window 66, window 68 and a
 * terminal on one hall's records) a job is claimed in the records before it
 * is sent (store_job_claim: one conditional write naming this process, with
 * a lease of 60 s + 8 x the printer timeout) and released after; a job
 * another sender holds is left to it, and the claimed row is read again, so
 * a job sent meanwhile by someone else is not sent twice. A sender that dies
 * mid-send leaves its claim to lapse; the next claimer then finds the
 * printer job id recorded at Create-Job and asks the printer first (above).
 */
#include "printing/print.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PUMP_BATCH 32
#define FOLLOW_MAX 64

int
prn_backoff_s(int attempts)
{
    static const int steps[] = { 5, 15, 60 };

    if (attempts <= 0)
        return 0;
    if (attempts > 3)
        return steps[2];
    return steps[attempts - 1];
}

char *
prn_outbox_job_name(char *buf, size_t n, const struct store_job *j)
{
    snprintf(buf, n, "%s #kiosk-%lld-%lld", j->title, (long long)j->id, (long long)j->created);
    return buf;
}

enum msg_id
prn_job_state_msg(enum store_job_state s)
{
    switch (s) {
    case JOB_QUEUED: return M_PRN_JOB_QUEUED;
    case JOB_SENT: return M_PRN_JOB_SENT;
    case JOB_DONE: return M_PRN_JOB_DONE;
    case JOB_FAILED: return M_PRN_JOB_FAILED;
    case JOB_CANCELLED: return M_PRN_JOB_CANCELLED;
    }
    return M_PRN_JOB_QUEUED;
}

int
prn_outbox_add_named(store *st, int64_t order_id, const char *doc_name, const char *title, int copies,
                     const struct prn_pdf *pdf, time_t now, int64_t *job_id)
{
    struct store_job j;
    int rc;

    memset(&j, 0, sizeof j);
    j.order_id = order_id;
    snprintf(j.doc, sizeof j.doc, "%s", doc_name);
    snprintf(j.title, sizeof j.title, "%s", title);
    j.copies = copies > 0 ? copies : 1;
    j.state = JOB_QUEUED;
    j.next_try = now;
    j.created = j.updated = now;
    rc = store_job_add(st, &j, pdf->data, pdf->len);
    if (rc == STORE_OK && job_id != NULL)
        *job_id = j.id;
    return rc;
}

int
prn_outbox_add(store *st, int64_t order_id, enum prn_doc doc, const char *title, int copies,
               const struct prn_pdf *pdf, time_t now, int64_t *job_id)
{
    return prn_outbox_add_named(st, order_id, prn_doc_name(doc), title, copies, pdf, now, job_id);
}

int
prn_outbox_add_doc(store *st, const struct kiosk_config *cfg, int64_t order_id, enum prn_doc doc,
                   const struct prn_order_doc *in, time_t now, int64_t *job_id, char *err, size_t errlen)
{
    struct prn_pdf pdf;
    char title[128];
    int copies = doc == PRN_DOC_FORM ? cfg_profile(cfg)->form_copies : 1;
    int rc;

    if (prn_render(doc, in, prn_paper_from_cfg(cfg), &pdf, err, errlen) != 0)
        return STORE_ERR_IO;
    prn_job_title(title, sizeof title, doc, in);
    rc = prn_outbox_add(st, order_id, doc, title, copies, &pdf, now, job_id);
    if (rc != STORE_OK)
        snprintf(err, errlen, "print outbox: cannot record %s: %s", title, store_detail(st));
    prn_pdf_free(&pdf);
    return rc;
}

/* ---- sending ----------------------------------------------------------------- */

/* This process as a sender: "STATION@HOST:PID:NONCE" (callers hold outbox_lock). */
static const char *
sender_id(const struct kiosk_config *cfg)
{
    static char id[96];
    static pid_t pid;
    char host[64] = "";
    struct timespec ts;

    if (id[0] == '\0' || pid != getpid()) {
        pid = getpid();
        (void)gethostname(host, sizeof host - 1);
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(id, sizeof id, "%s@%s:%d:%lx", cfg->station[0] ? cfg->station : "-", host[0] ? host : "?",
                 (int)pid, (unsigned long)(ts.tv_nsec ^ (ts.tv_sec << 20)));
    }
    return id;
}

/* How long a claim holds: well past the longest send (about 4 x timeout_ms). */
static int
claim_lease_s(const struct kiosk_config *cfg)
{
    return 60 + 8 * ((cfg->printer_timeout_ms + 999) / 1000);
}

/* This station's job (or one queued before jobs had owners). */
static bool
own_job(const struct kiosk_config *cfg, const struct store_job *j)
{
    return j->station[0] == '\0' || strcmp(j->station, cfg->station) == 0;
}

struct created_hook {
    store *st;
    struct store_job *job;
};

/* Record the printer's job id before the document goes out (see the header). */
static void
on_created(void *user, int printer_job_id)
{
    struct created_hook *h = user;

    h->job->printer_job_id = printer_job_id;
    (void)store_job_update(h->st, h->job);
}

static int
record_failure(store *st, struct store_job *j, enum prn_status ps, const char *err, time_t now,
               struct prn_pump_result *res)
{
    j->state = JOB_QUEUED;
    j->next_try = now + prn_backoff_s(j->attempts);
    j->updated = now;
    snprintf(j->last_error, sizeof j->last_error, "#%d %s", (int)ps, err);   /* prn_job_error */
    res->last = ps;
    snprintf(res->detail, sizeof res->detail, "%s", err);
    return store_job_update(st, j);
}

static int
is_connection_error(enum prn_status ps)
{
    return ps == PRN_ERR_DOWN || ps == PRN_ERR_TIMEOUT || ps == PRN_ERR_NOPRINTER;
}

/* One attempt at job J. Returns a store status; the printer's outcome is in res->last. */
static int
send_one(store *st, const struct kiosk_config *cfg, struct store_job *j, time_t now,
         struct prn_pump_result *res)
{
    const char *dest = cfg->printer_uri;
    int tmo = cfg->printer_timeout_ms;
    char name[256], err[512] = "";
    enum prn_status ps;
    void *pdf = NULL;
    size_t len = 0;
    int rc, pid = 0;

    prn_outbox_job_name(name, sizeof name, j);
    if (j->printer_job_id > 0) {
        enum prn_remote_job rs;
        ps = prn_job_state(dest, tmo, j->printer_job_id, name, &rs, err, sizeof err);
        if (ps != PRN_OK) {
            j->attempts++;
            return record_failure(st, j, ps, err, now, res);
        }
        if (rs == PRN_RJOB_PENDING || rs == PRN_RJOB_COMPLETED) {
            /* The printer already has the document: never send it twice. */
            j->state = rs == PRN_RJOB_COMPLETED ? JOB_DONE : JOB_SENT;
            j->last_error[0] = '\0';
            j->updated = now;
            res->sent++;
            if (rs == PRN_RJOB_COMPLETED)
                res->done++;
            return store_job_update(st, j);
        }
        if (rs == PRN_RJOB_HELD)
            (void)prn_job_cancel(dest, tmo, j->printer_job_id);
        j->printer_job_id = 0;
    }
    rc = store_job_pdf(st, j->id, &pdf, &len);
    if (rc != STORE_OK)
        return rc;
    j->attempts++;
    j->updated = now;
    rc = store_job_update(st, j);
    if (rc != STORE_OK) {
        free(pdf);
        return rc;
    }
    {
        struct created_hook hook = { st, j };
        struct prn_submit_opts o = {
            .dest = dest, .timeout_ms = tmo, .title = name, .copies = j->copies,
            .on_created = on_created, .user = &hook,
        };
        ps = prn_submit(&o, pdf, len, &pid, err, sizeof err);
    }
    free(pdf);
    if (ps != PRN_OK)
        return record_failure(st, j, ps, err, now, res);
    j->printer_job_id = pid;
    j->state = JOB_SENT;
    j->last_error[0] = '\0';
    j->updated = now;
    res->sent++;
    return store_job_update(st, j);
}

/* Ask the printer about a SENT job; DONE or FAILED when it has finished. */
static int
follow_one(store *st, const struct kiosk_config *cfg, struct store_job *j, time_t now,
           struct prn_pump_result *res)
{
    char name[256], err[512] = "";
    enum prn_remote_job rs;
    enum prn_status ps;

    prn_outbox_job_name(name, sizeof name, j);
    ps = prn_job_state(cfg->printer_uri, cfg->printer_timeout_ms, j->printer_job_id, name, &rs, err, sizeof err);
    if (ps != PRN_OK) {
        res->last = ps;
        snprintf(res->detail, sizeof res->detail, "%s", err);
        return STORE_OK;
    }
    switch (rs) {
    case PRN_RJOB_PENDING:
    case PRN_RJOB_HELD:
        return STORE_OK;
    case PRN_RJOB_COMPLETED:
        j->state = JOB_DONE;
        res->done++;
        break;
    case PRN_RJOB_FAILED:
        j->state = JOB_FAILED;
        snprintf(j->last_error, sizeof j->last_error, "#%d printer %s: job %d aborted or canceled by the printer",
                 (int)PRN_ERR_ABORTED, cfg->printer_uri, j->printer_job_id);
        res->failed++;
        break;
    case PRN_RJOB_UNKNOWN:
        j->state = JOB_FAILED;
        snprintf(j->last_error, sizeof j->last_error,
                 "#%d printer %s no longer knows job %d (restarted?): check the paper, reprint if missing",
                 (int)PRN_ERR_LOST, cfg->printer_uri, j->printer_job_id);
        res->failed++;
        break;
    }
    j->updated = now;
    return store_job_update(st, j);
}

static void
finish_result(store *st, time_t now, struct prn_pump_result *res)
{
    struct store_job all[256];
    size_t n = 0;

    if (store_job_due(st, now + 10L * 366 * 86400, all, 256, &n) == STORE_OK)
        res->queued = (int)n;
    if (is_connection_error(res->last))
        res->message = res->last == PRN_ERR_NOPRINTER ? M_PRN_STATE_NONE : M_PRN_PUMP_WAITING;
    else if (res->last != PRN_OK)
        res->message = prn_status_msg(res->last);
    else if (res->sent > 0 || res->done > 0)
        res->message = M_PRN_PUMP_OK;
    else
        res->message = M_PRN_PUMP_IDLE;
}

/*
 * Claim job ID, and send it if it is still waiting (due at NOW, or FORCE:
 * a clerk's "send now" of a QUEUED or FAILED job); then release it. A job
 * another sender holds is left alone (res->busy).
 */
static int
claim_and_send(store *st, const struct kiosk_config *cfg, int64_t id, bool force, time_t now,
               struct prn_pump_result *res)
{
    const char *me = sender_id(cfg);
    struct store_job j;
    int rc = store_job_claim(st, id, me, now, claim_lease_s(cfg), &j);

    if (rc == STORE_ERR_CONFLICT) {
        res->busy++;
        return STORE_OK;
    }
    if (rc != STORE_OK)
        return rc;
    if (force ? (j.state == JOB_QUEUED || j.state == JOB_FAILED) : (j.state == JOB_QUEUED && j.next_try <= now)) {
        j.state = JOB_QUEUED;
        rc = send_one(st, cfg, &j, now, res);
    } else if (force) {
        rc = STORE_ERR_CONFLICT;    /* sent meanwhile by another sender */
    }
    (void)store_job_release(st, id, me);   /* if this fails, the lease lapses */
    return rc;
}

static int
outbox_pump_unlocked(store *st, const struct kiosk_config *cfg, time_t now, struct prn_pump_result *res)
{
    struct store_job jobs[FOLLOW_MAX];
    size_t n = 0, i;
    int rc;

    memset(res, 0, sizeof *res);
    /* Follow what the printer already has. */
    rc = store_job_recent(st, jobs, FOLLOW_MAX, &n);
    if (rc != STORE_OK)
        return rc;
    for (i = 0; i < n && !is_connection_error(res->last); i++) {
        if (jobs[i].state != JOB_SENT || !own_job(cfg, &jobs[i]))
            continue;
        rc = follow_one(st, cfg, &jobs[i], now, res);
        if (rc != STORE_OK)
            return rc;
    }
    /* Send what is due, oldest first; stop at the first connection failure.
     * A paper waits while an earlier paper of its order is queued
     * (store_job_due), so once a round has sent some, what they held back
     * may be due now: another round, until one sends nothing. */
    for (int round = 0; round < 8 && !is_connection_error(res->last); round++) {
        int sent_before = res->sent;
        rc = store_job_due(st, now, jobs, PUMP_BATCH, &n);
        if (rc != STORE_OK)
            return rc;
        for (i = 0; i < n; i++) {
            rc = claim_and_send(st, cfg, jobs[i].id, false, now, res);
            if (rc != STORE_OK)
                return rc;
            if (is_connection_error(res->last))
                break;
        }
        if (n == 0 || res->sent == sent_before)
            break;
    }
    finish_result(st, now, res);
    return STORE_OK;
}

/*
 * Job JOB_ID into *J when it has not reached the printer yet (QUEUED or
 * FAILED): what send, retry and cancel may act on. STORE_ERR_CONFLICT for
 * any other state, else store_job_get's status.
 */
static int
job_get_pending(store *st, int64_t job_id, struct store_job *j)
{
    int rc = store_job_get(st, job_id, j);

    if (rc != STORE_OK)
        return rc;
    if (j->state != JOB_QUEUED && j->state != JOB_FAILED)
        return STORE_ERR_CONFLICT;
    return STORE_OK;
}

static int
outbox_send_unlocked(store *st, const struct kiosk_config *cfg, int64_t job_id, time_t now,
                struct prn_pump_result *res)
{
    struct store_job j;
    int rc;

    memset(res, 0, sizeof *res);
    if ((rc = job_get_pending(st, job_id, &j)) != STORE_OK)
        return rc;
    rc = claim_and_send(st, cfg, job_id, true, now, res);
    if (rc == STORE_OK)
        finish_result(st, now, res);
    return rc;
}

static int
outbox_retry_unlocked(store *st, int64_t job_id, time_t now)
{
    struct store_job j;
    int rc = job_get_pending(st, job_id, &j);

    if (rc != STORE_OK)
        return rc;
    j.state = JOB_QUEUED;
    j.next_try = now;
    j.updated = now;
    return store_job_update(st, &j);
}

static int
outbox_cancel_unlocked(store *st, int64_t job_id, time_t now)
{
    struct store_job j;
    int rc = job_get_pending(st, job_id, &j);

    if (rc != STORE_OK)
        return rc;
    j.state = JOB_CANCELLED;
    j.updated = now;
    return store_job_update(st, &j);
}

int
prn_outbox_reprint(store *st, int64_t job_id, time_t now, int64_t *new_id)
{
    struct store_job j;
    struct prn_pdf pdf = { 0 };
    void *data = NULL;
    size_t len = 0;
    int rc = store_job_get(st, job_id, &j);

    if (rc != STORE_OK)
        return rc;
    rc = store_job_pdf(st, job_id, &data, &len);
    if (rc != STORE_OK)
        return rc;
    pdf.data = data;
    pdf.len = len;
    /* The same document kind as the original, whatever it is (order papers, settlement). */
    rc = prn_outbox_add_named(st, j.order_id, j.doc, j.title, j.copies, &pdf, now, new_id);
    free(data);
    return rc;
}

static int
outbox_follow_unlocked(store *st, const struct kiosk_config *cfg, int64_t job_id, int wait_ms,
                  struct store_job *out)
{
    int waited = 0, rc;

    for (;;) {
        struct prn_pump_result res = { 0 };
        rc = store_job_get(st, job_id, out);
        if (rc != STORE_OK)
            return rc;
        if (out->state != JOB_SENT || waited >= wait_ms)
            return STORE_OK;
        rc = follow_one(st, cfg, out, time(NULL), &res);
        if (rc != STORE_OK)
            return rc;
        if (out->state != JOB_SENT || is_connection_error(res.last))
            return STORE_OK;
        usleep(50 * 1000);
        waited += 50;
    }
}

/* ---- one sender at a time ------------------------------------------------
 *
 * The kiosk pumps the outbox from a background thread (printing/worker.c)
 * while a clerk may retry, cancel or follow a job from the screens. Every
 * function that reads a job's state and then acts on it runs under this
 * lock, so no job is ever sent twice or cancelled while it is being sent.
 */
static pthread_mutex_t outbox_lock = PTHREAD_MUTEX_INITIALIZER;

int
prn_outbox_pump(store *st, const struct kiosk_config *cfg, time_t now, struct prn_pump_result *res)
{
    int rc;

    pthread_mutex_lock(&outbox_lock);
    rc = outbox_pump_unlocked(st, cfg, now, res);
    pthread_mutex_unlock(&outbox_lock);
    return rc;
}

int
prn_outbox_send(store *st, const struct kiosk_config *cfg, int64_t job_id, time_t now,
                struct prn_pump_result *res)
{
    int rc;

    pthread_mutex_lock(&outbox_lock);
    rc = outbox_send_unlocked(st, cfg, job_id, now, res);
    pthread_mutex_unlock(&outbox_lock);
    return rc;
}

int
prn_outbox_retry(store *st, int64_t job_id, time_t now)
{
    int rc;

    pthread_mutex_lock(&outbox_lock);
    rc = outbox_retry_unlocked(st, job_id, now);
    pthread_mutex_unlock(&outbox_lock);
    return rc;
}

int
prn_outbox_cancel(store *st, int64_t job_id, time_t now)
{
    int rc;

    pthread_mutex_lock(&outbox_lock);
    rc = outbox_cancel_unlocked(st, job_id, now);
    pthread_mutex_unlock(&outbox_lock);
    return rc;
}

int
prn_outbox_follow(store *st, const struct kiosk_config *cfg, int64_t job_id, int wait_ms,
                  struct store_job *out)
{
    int rc;

    pthread_mutex_lock(&outbox_lock);
    rc = outbox_follow_unlocked(st, cfg, job_id, wait_ms, out);
    pthread_mutex_unlock(&outbox_lock);
    return rc;
}

/*
 * printing/worker.c - the print outbox pumped in the background.
 *
 * A printer that accepts a connection and never answers holds every call
 * for up to about 2 x timeout_ms; done on the kiosk's input loop, that
 * would freeze the clerk's screen. So the kiosk leaves the outbox to one
 * thread with its own database connection (SQLite WAL lets both write):
 * every PERIOD seconds it sends what is due, and it asks the printer for
 * its state every WORKER_PROBE_EVERY_S and after each send (a paused queue
 * or an empty paper tray is shown to the clerk by its reason). The loop reads the last result
 * with prn_worker_status; nothing else crosses threads. Jobs are never
 * sent twice: printing/outbox.c serialises every sender (outbox_lock).
 */
#include "printing/print.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds between asks of the printer's state (one light IPP request): the
 * status bar follows a printer going away or coming back within about
 * this, plus the request's own time (issue 14: within 2 s). */
#define WORKER_PROBE_EVERY_S 1

struct prn_worker {
    struct kiosk_config cfg;       /* a copy: the thread never reads the caller's */
    int period_s;                  /* seconds between pumps */
    pthread_t thread;
    pthread_mutex_t lock;          /* guards everything below */
    pthread_cond_t wake;
    bool stop;                     /* set by prn_worker_stop */
    bool kick;                     /* set by prn_worker_wake: pump now */
    int64_t urgent[8];             /* jobs a clerk asked to send now (prn_worker_send) */
    int nurgent;
    struct prn_worker_status status;
    const store *key_from;         /* the audit key's store (read once, before the loop) */
};

/* Publish S as the latest status (under the lock). */
static void
worker_publish(struct prn_worker *w, const struct prn_worker_status *s)
{
    pthread_mutex_lock(&w->lock);
    w->status = *s;
    w->status.generation = w->status.generation + 1;
    pthread_mutex_unlock(&w->lock);
}

static void
worker_probe(struct prn_worker *w, struct prn_worker_status *s)
{
    enum prn_printer p = prn_printer_state(&w->cfg, &s->message, NULL, 0);

    s->up = p == PRN_PRINTER_READY || p == PRN_PRINTER_BUSY;
    s->known = true;
}

static void *
worker_main(void *arg)
{
    struct prn_worker *w = arg;
    struct prn_worker_status s;
    store *st = NULL;
    char err[256];
    time_t next_probe = 0;

    memset(&s, 0, sizeof s);
    if (store_open(&st, &(struct store_opts){ .path = w->cfg.db_path, .busy_ms = w->cfg.db_busy_ms, .station = w->cfg.station }, err, sizeof err) != STORE_OK)
        st = NULL;
    if (st != NULL && w->key_from != NULL)
        (void)store_share_audit_key(w->key_from, st);   /* the print.* rows keyed as the kiosk's */
    worker_probe(w, &s);
    next_probe = time(NULL) + WORKER_PROBE_EVERY_S;
    worker_publish(w, &s);

    time_t next_pump = time(NULL) + w->period_s;   /* the first pump after one period, as before */
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        struct timespec until;
        struct prn_pump_result res;
        time_t now;
        bool kicked, pump;

        /* sleep until the next pump or the next probe, whichever is first */
        time_t wake = next_probe < next_pump ? next_probe : next_pump;
        clock_gettime(CLOCK_REALTIME, &until);
        now = time(NULL);
        if (wake > now)
            until.tv_sec += wake - now;
        while (!w->stop && !w->kick)
            if (pthread_cond_timedwait(&w->wake, &w->lock, &until) == ETIMEDOUT)
                break;
        kicked = w->kick;
        w->kick = false;
        if (w->stop)
            break;
        int64_t urgent[8];
        int nurgent = w->nurgent, i;
        memcpy(urgent, w->urgent, sizeof urgent);
        w->nurgent = 0;
        pthread_mutex_unlock(&w->lock);

        now = time(NULL);
        pump = kicked || nurgent > 0 || now >= next_pump;
        /* A job the clerk asked for goes first, whatever waits before it. */
        for (i = 0; st != NULL && i < nurgent; i++) {
            memset(&res, 0, sizeof res);
            (void)prn_outbox_send(st, &w->cfg, urgent[i], now, &res);
        }
        memset(&res, 0, sizeof res);
        if (pump)
            next_pump = now + w->period_s;
        if (pump && st != NULL && prn_outbox_pump(st, &w->cfg, now, &res) == STORE_OK) {
            s.queued = res.queued;
            s.sent += res.sent;
            if (res.last != PRN_OK) {
                s.up = false;
                s.known = true;
                s.message = prn_status_msg(res.last);
            } else if (res.sent > 0 || res.done > 0) {
                s.up = true;
                s.known = true;
            }
        }
        /* Ask the printer itself every WORKER_PROBE_EVERY_S, and right after
         * sending: a print server takes jobs into a paused queue, so "sent"
         * alone does not mean the paper will come out. A printer that comes
         * back is pumped at once: what waited for it goes out now. */
        if (now >= next_probe || res.sent > 0) {
            bool was_up = s.up;
            worker_probe(w, &s);
            next_probe = time(NULL) + WORKER_PROBE_EVERY_S;
            if (s.up && !was_up) {
                next_pump = 0;
                if (st != NULL)
                    (void)store_job_wake(st);   /* no back-off left to wait out */
            }
        }
        worker_publish(w, &s);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    store_close(st);
    return NULL;
}

int
prn_worker_start(struct prn_worker **out, const struct kiosk_config *cfg, int period_s, const store *key_from)
{
    struct prn_worker *w = calloc(1, sizeof *w);

    *out = NULL;
    if (w == NULL)
        return -1;
    w->cfg = *cfg;
    w->key_from = key_from;
    w->period_s = period_s > 0 ? period_s : 5;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

void
prn_worker_status(struct prn_worker *w, struct prn_worker_status *out)
{
    if (w == NULL) {
        memset(out, 0, sizeof *out);
        return;
    }
    pthread_mutex_lock(&w->lock);
    *out = w->status;
    pthread_mutex_unlock(&w->lock);
}

void
prn_worker_wake(struct prn_worker *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->kick = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void
prn_worker_send(struct prn_worker *w, int64_t job_id)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    if (w->nurgent < (int)(sizeof w->urgent / sizeof w->urgent[0]))
        w->urgent[w->nurgent++] = job_id;
    w->kick = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void
prn_worker_stop(struct prn_worker *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

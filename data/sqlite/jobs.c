/*
 * data/sqlite/jobs.c - the SQLite records (data/store.h): the print outbox's jobs.
 * See data/sqlite/sqlite_int.h for what the files share and why it is built this way.
 */
#include "data/sqlite/sqlite_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* ---- print outbox --------------------------------------------------------- */

static const char SQL_JOB_ADD[] =
    "INSERT INTO jobs (order_id, doc, title, copies, state, attempts, next_try, printer_job_id,"
    " last_error, pdf, created, updated, station) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id";

/* A print job's life in the audit (issue 13): queued, and each change of
 * state after, in the unit of work that writes it. The actor is the station
 * whose outbox it is. */
static const char *const job_action[] = {
    [JOB_QUEUED] = "print.queue", [JOB_SENT] = "print.sent", [JOB_DONE] = "print.done",
    [JOB_FAILED] = "print.failed", [JOB_CANCELLED] = "print.cancel",
};

static int
job_audit(store *st, const struct store_job *j, enum store_job_state state)
{
    char actor[80], detail[256];

    snprintf(actor, sizeof actor, "printer%s%s", j->station[0] ? "@" : "", j->station);
    snprintf(detail, sizeof detail, "job=%lld order_id=%lld doc=%s copies=%d printer_job=%d", (long long)j->id,
             (long long)j->order_id, j->doc, j->copies, j->printer_job_id);
    return audit_append_locked(st, actor, (int)state >= 0 && state <= JOB_CANCELLED ? job_action[state] : "print.?",
                               detail);
}

int
store_job_add(store *st, struct store_job *j, const void *pdf, size_t pdf_len)
{
    stmt *s = st_prep(st, SQL_JOB_ADD);
    time_t now = st_now(st);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if (j->copies < 1)
        j->copies = 1;
    j->created = j->updated = now;
    if (j->order_id != 0)
        q_bind_int(s, 1, j->order_id);
    else
        q_bind_null(s, 1);
    q_bind_text(s, 2, j->doc);
    q_bind_text(s, 3, j->title);
    q_bind_int(s, 4, j->copies);
    q_bind_int(s, 5, (int)j->state);
    q_bind_int(s, 6, j->attempts);
    q_bind_int(s, 7, j->next_try);
    q_bind_int(s, 8, j->printer_job_id);
    q_bind_text(s, 9, j->last_error);
    q_bind_blob(s, 10, pdf != NULL ? pdf : "", (int64_t)pdf_len);
    q_bind_int(s, 11, now);
    q_bind_int(s, 12, now);
    if (j->station[0] == '\0')
        snprintf(j->station, sizeof j->station, "%s", st->station);   /* queued here: ours */
    q_bind_text(s, 13, j->station);
    rc = st_step_id(st, s, "job: insert", &j->id);
    if (rc == STORE_OK) {
        rc = job_audit(st, j, j->state);
    }
    if (rc != STORE_OK) {
        st_rollback(st);
        return rc;
    }
    return st_commit(st);
}

static const char SQL_JOB_UPDATE[] =
    "UPDATE jobs SET title = ?, copies = ?, state = ?, attempts = ?, next_try = ?, printer_job_id = ?,"
    " last_error = ?, updated = ? WHERE id = ?";

static const char SQL_JOB_STATE[] = "SELECT state, station, order_id, doc FROM jobs WHERE id = ?";

int
store_job_update(store *st, const struct store_job *j)
{
    stmt *s = st_prep(st, SQL_JOB_UPDATE), *q;
    struct store_job was;
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    memset(&was, 0, sizeof was);
    was.state = j->state;
    if ((q = st_prep(st, SQL_JOB_STATE)) != NULL) {
        q_bind_int(q, 1, j->id);
        if (q_step(q) == Q_ROW) {
            was.state = (enum store_job_state)q_col_int(q, 0);
            st_text(q, 1, was.station, sizeof was.station);
            was.order_id = q_col_int64(q, 2);
            st_text(q, 3, was.doc, sizeof was.doc);
        }
        q_reset(q);
    }
    q_bind_text(s, 1, j->title);
    q_bind_int(s, 2, j->copies < 1 ? 1 : j->copies);
    q_bind_int(s, 3, (int)j->state);
    q_bind_int(s, 4, j->attempts);
    q_bind_int(s, 5, j->next_try);
    q_bind_int(s, 6, j->printer_job_id);
    q_bind_text(s, 7, j->last_error);
    q_bind_int(s, 8, st_now(st));
    q_bind_int(s, 9, j->id);
    rc = st_step_done(st, s, "job: update");
    if (rc == STORE_OK && q_changes(st) == 0) {
        st_detail(st, "job %lld: not found", (long long)j->id);
        rc = STORE_ERR_NOT_FOUND;
    }
    if (rc == STORE_OK && was.state != j->state) {
        struct store_job now = *j;
        snprintf(now.station, sizeof now.station, "%s", was.station);
        snprintf(now.doc, sizeof now.doc, "%s", was.doc);
        now.order_id = was.order_id;
        rc = job_audit(st, &now, j->state);
    }
    if (rc != STORE_OK) {
        st_rollback(st);
        return rc;
    }
    return st_commit(st);
}

#define JOB_COLS "SELECT id, COALESCE(order_id,0), doc, title, copies, state, attempts, next_try," \
                 " printer_job_id, last_error, created, updated, station, claim_owner, claim_until FROM jobs "
static const char SQL_JOB_GET[] = JOB_COLS "WHERE id = ?";
/* a station sends its own jobs, and those queued before jobs had owners */
/* Due, and no earlier paper of the same order still waiting: the papers of
 * one order come out in the order they were queued (the form before the
 * receipt), whatever their retry times. */
static const char SQL_JOB_DUE[] = JOB_COLS "WHERE state = 0 AND next_try <= ? AND (station = ? OR station = '')"
                                           " AND NOT EXISTS (SELECT 1 FROM jobs e WHERE jobs.order_id IS NOT NULL"
                                           " AND jobs.order_id <> 0 AND e.order_id = jobs.order_id AND e.id < jobs.id"
                                           " AND e.state = 0)"
                                           " ORDER BY next_try, id LIMIT ?";
static const char SQL_JOB_WAKE[] = "UPDATE jobs SET next_try = 0 WHERE state = 0 AND next_try > 0"
                                   " AND (station = ? OR station = '')";
static const char SQL_JOB_RECENT[] = JOB_COLS "ORDER BY id DESC LIMIT ?";
static const char SQL_JOB_OF_ORDER[] = JOB_COLS "WHERE order_id = ? AND doc = ? ORDER BY id DESC LIMIT 1";

/* Step S (bound) for one job into OUT: OK, NOT_FOUND (WHAT names it), or the failure. */
static int
job_one(store *st, stmt *s, struct store_job *out, const char *what)
{
    int rc = q_step(s);

    if (rc == Q_ROW)
        job_row(s, out);
    q_reset(s);
    if (rc == Q_ROW)
        return STORE_OK;
    if (rc == Q_DONE) {
        st_detail(st, "%s: not found", what);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "job: read");
}

int
store_job_of_order(store *st, int64_t order_id, const char *doc, struct store_job *out)
{
    stmt *s = st_prep(st, SQL_JOB_OF_ORDER);
    char what[96];

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, order_id);
    q_bind_text(s, 2, doc);
    snprintf(what, sizeof what, "order %lld: a printed %s", (long long)order_id, doc);
    return job_one(st, s, out, what);
}

void
job_row(stmt *s, struct store_job *j)
{
    memset(j, 0, sizeof *j);
    j->id = q_col_int64(s, 0);
    j->order_id = q_col_int64(s, 1);
    st_text(s, 2, j->doc, sizeof j->doc);
    st_text(s, 3, j->title, sizeof j->title);
    j->copies = q_col_int(s, 4);
    j->state = (enum store_job_state)q_col_int(s, 5);
    j->attempts = q_col_int(s, 6);
    j->next_try = (time_t)q_col_int64(s, 7);
    j->printer_job_id = q_col_int(s, 8);
    st_text(s, 9, j->last_error, sizeof j->last_error);
    j->created = (time_t)q_col_int64(s, 10);
    j->updated = (time_t)q_col_int64(s, 11);
    st_text(s, 12, j->station, sizeof j->station);
    st_text(s, 13, j->claim_owner, sizeof j->claim_owner);
    j->claim_until = (time_t)q_col_int64(s, 14);
}

int
store_job_get(store *st, int64_t id, struct store_job *out)
{
    stmt *s = st_prep(st, SQL_JOB_GET);
    char what[48];

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, id);
    snprintf(what, sizeof what, "job %lld", (long long)id);
    return job_one(st, s, out, what);
}

static const char SQL_JOB_PDF[] = "SELECT pdf FROM jobs WHERE id = ?";

int
store_job_pdf(store *st, int64_t id, void **pdf, size_t *len)
{
    stmt *s = st_prep(st, SQL_JOB_PDF);
    int rc;

    *pdf = NULL;
    *len = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, id);
    rc = q_step(s);
    if (rc == Q_ROW) {
        const void *b = q_col_blob(s, 0);
        size_t n = (size_t)q_col_bytes(s, 0);
        void *copy = malloc(n > 0 ? n : 1);
        if (copy == NULL) {
            q_reset(s);
            st_detail(st, "job %lld: out of memory for %zu bytes", (long long)id, n);
            return STORE_ERR_IO;
        }
        if (n > 0)
            memcpy(copy, b, n);
        q_reset(s);
        *pdf = copy;
        *len = n;
        return STORE_OK;
    }
    q_reset(s);
    if (rc == Q_DONE) {
        st_detail(st, "job %lld: not found", (long long)id);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "job: pdf");
}

int
job_list(store *st, const char *sql, bool with_now, time_t now, struct store_job *out, size_t max, size_t *n)
{
    /* with_now: the due list, which also takes this connection's station */
    stmt *s = st_prep(st, sql);
    int rc, i = 1;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    if (with_now) {
        q_bind_int(s, i++, now);
        q_bind_text(s, i++, st->station);
    }
    q_bind_int(s, i, (int64_t)max);
    while ((rc = q_step(s)) == Q_ROW && *n < max)
        job_row(s, &out[(*n)++]);
    q_reset(s);
    if (rc != Q_DONE && rc != Q_ROW)
        return st_fail(st, rc, "job: list");
    return STORE_OK;
}

int
store_job_wake(store *st)
{
    stmt *s = st_prep(st, SQL_JOB_WAKE);

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, st->station);
    return st_step_done(st, s, "job: wake");
}

int
store_job_due(store *st, time_t now, struct store_job *out, size_t max, size_t *n)
{
    return job_list(st, SQL_JOB_DUE, true, now, out, max, n);
}

int
store_job_recent(store *st, struct store_job *out, size_t max, size_t *n)
{
    return job_list(st, SQL_JOB_RECENT, false, 0, out, max, n);
}

static const char SQL_JOB_PAGE[] = JOB_COLS "ORDER BY id DESC LIMIT ?1 OFFSET ?2";
static const char SQL_JOB_COUNT[] = "SELECT count(*) FROM jobs";

int
store_job_page(store *st, size_t offset, struct store_job *out, size_t max, size_t *n, size_t *total)
{
    stmt *s;
    int rc;

    *n = 0;
    *total = 0;
    if ((s = st_prep(st, SQL_JOB_COUNT)) == NULL)
        return STORE_ERR_IO;
    rc = q_step(s);
    if (rc == Q_ROW)
        *total = (size_t)q_col_int64(s, 0);
    q_reset(s);
    if (rc != Q_ROW)
        return st_fail(st, rc, "job: count");
    if ((s = st_prep(st, SQL_JOB_PAGE)) == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, (int64_t)max);
    q_bind_int(s, 2, (int64_t)offset);
    while ((rc = q_step(s)) == Q_ROW && *n < max)
        job_row(s, &out[(*n)++]);
    q_reset(s);
    if (rc != Q_DONE && rc != Q_ROW)
        return st_fail(st, rc, "job: page");
    return STORE_OK;
}


static const char SQL_JOB_CLAIM[] =
    "UPDATE jobs SET claim_owner = ?1, claim_until = ?2 + ?3"
    " WHERE id = ?4 AND (claim_owner = '' OR claim_owner = ?1 OR claim_until <= ?2)";

int
store_job_claim(store *st, int64_t id, const char *owner, time_t now, int lease_s, struct store_job *out)
{
    stmt *s = st_prep(st, SQL_JOB_CLAIM);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    if (owner == NULL || owner[0] == '\0') {
        st_detail(st, "job %lld: a claim needs an owner", (long long)id);
        return STORE_ERR_IO;
    }
    q_bind_text(s, 1, owner);
    q_bind_int(s, 2, now);
    q_bind_int(s, 3, lease_s > 0 ? lease_s : 1);
    q_bind_int(s, 4, id);
    rc = st_step_done(st, s, "job: claim");
    if (rc != STORE_OK)
        return rc;
    if (q_changes(st) == 0) {
        if ((rc = store_job_get(st, id, out)) != STORE_OK)
            return rc;
        st_detail(st, "job %lld: claimed by %s until %lld", (long long)id, out->claim_owner,
                  (long long)out->claim_until);
        return STORE_ERR_CONFLICT;
    }
    return store_job_get(st, id, out);
}

static const char SQL_JOB_RELEASE[] =
    "UPDATE jobs SET claim_owner = '', claim_until = 0 WHERE id = ? AND claim_owner = ?";

int
store_job_release(store *st, int64_t id, const char *owner)
{
    stmt *s = st_prep(st, SQL_JOB_RELEASE);

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, id);
    q_bind_text(s, 2, owner != NULL ? owner : "");
    return st_step_done(st, s, "job: release");
}

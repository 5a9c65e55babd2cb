/*
 * kiosk/svc.c - services for screens (see svc.h): the print outbox and the
 * daily settlement, over data/ and printing/, with the clerk's actions
 * audited and every job handed to the print worker (app_print_wake).
 */
#include "kiosk/kinds.h"
#include "kiosk/svc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kiosk/app.h"
#include "printing/print.h"

static const char *
svc_actor(const struct app *app)
{
    return app->ses.signed_in ? app->ses.login : app_mode_name(app->mode);
}

enum msg_id
svc_job_error_msg(const struct store_job *j)
{
    return prn_status_msg(prn_job_error(j->last_error, NULL));
}

int
svc_outbox_page(struct app *app, size_t offset, struct store_job *out, size_t max, size_t *n, size_t *total)
{
    *n = *total = 0;
    if (app->st == NULL)
        return STORE_ERR_OPEN;
    return store_job_page(app->st, offset, out, max, n, total);
}

int
svc_seal_waiting(struct app *app, struct store_seal *out, size_t max, size_t *n)
{
    *n = 0;
    if (app->st == NULL)
        return STORE_ERR_OPEN;
    return store_seal_waiting(app->st, out, max, n);
}

int
svc_outbox_act(struct app *app, enum svc_job_op op, int64_t id, int64_t *new_id, bool *audit_failed)
{
    static const char *const actions[] = { "print.retry", "print.cancel", "print.reprint" };
    char detail[96];
    time_t now = time(NULL);
    int rc;

    *new_id = 0;
    *audit_failed = false;
    if (app->st == NULL)
        return STORE_ERR_OPEN;
    switch (op) {
    case SVC_JOB_RETRY: rc = prn_outbox_retry(app->st, id, now); break;
    case SVC_JOB_CANCEL: rc = prn_outbox_cancel(app->st, id, now); break;
    default: rc = prn_outbox_reprint(app->st, id, now, new_id); break;
    }
    if (rc != STORE_OK)
        return rc;
    if (*new_id != 0)
        snprintf(detail, sizeof detail, "job=%" PRId64 " new_job=%" PRId64, id, *new_id);
    else
        snprintf(detail, sizeof detail, "job=%" PRId64, id);
    *audit_failed = store_audit(app->st, svc_actor(app), actions[op], detail) != STORE_OK;
    if (op != SVC_JOB_CANCEL)
        app_print_wake(app, *new_id != 0 ? *new_id : id);
    return STORE_OK;
}

enum msg_id
svc_job_state_msg(enum store_job_state st)
{
    return prn_job_state_msg(st);
}

int
svc_report_daily(struct app *app, const char *date, struct store_report_row **rows, size_t *n,
                 struct store_report_row *total, char *err, size_t errlen)
{
    int rc;

    *rows = NULL;
    *n = 0;
    if (app->st == NULL) {
        snprintf(err, errlen, "%s", app->store_error);
        return STORE_ERR_OPEN;
    }
    if ((rc = store_report_daily(app->st, date, kind_free_codes(), rows, n, total)) != STORE_OK) {
        msg_fmt(err, errlen, M_SET_FAILED, store_detail(app->st));
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

int
svc_settle_print(struct app *app, const char *date, char *out, size_t n)
{
    struct prn_settle_doc d;
    char err[512], anchor[96], detail[256];
    time_t now = time(NULL);
    int64_t id = 0;

    if (app->st == NULL) {
        msg_fmt(out, n, M_SET_PRINT_FAILED, app->store_error);
        return -1;
    }
    if (prn_settle_load(app->st, &app->cfg, date, &d) != STORE_OK) {
        msg_fmt(out, n, M_SET_PRINT_FAILED, store_detail(app->st));
        return -1;
    }
    snprintf(d.printed_by, sizeof d.printed_by, "%s", app->ses.login);
    d.printed = now;
    prn_settle_anchor(anchor, sizeof anchor, &d);
    if (prn_outbox_add_settle(app->st, &d, now, &id, err, sizeof err) != STORE_OK) {
        prn_settle_free(&d);
        msg_fmt(out, n, M_SET_PRINT_FAILED, err);
        return -1;
    }
    prn_settle_free(&d);
    snprintf(detail, sizeof detail, "doc=settle date=%s job=%lld anchor=%s", date, (long long)id, anchor);
    if (store_audit(app->st, app->ses.login, "print", detail) != STORE_OK)
        app_flash(app, msg(M_DB_WRITE_FAILED));
    /* Only the print worker talks to the printer. */
    app_print_wake(app, id);
    if (app->printer == SVC_DOWN)
        msg_fmt(out, n, M_SET_PRINT_QUEUED, (long long)id,
                msg(app->printer_msg ? app->printer_msg : M_PRN_STATE_DOWN));
    else
        msg_fmt(out, n, M_SET_PRINTED, (long long)id, anchor);
    return 0;
}

int
svc_ca_warning(struct app *app, char *out, size_t n)
{
    time_t end = tok_ca_not_after(app->tok), now = time(NULL);
    char day[16];
    struct tm tm;
    long left;

    if (end == 0 || end - now > (time_t)SVC_CA_WARN_DAYS * 86400)
        return 0;
    localtime_r(&end, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    left = (long)((end - now) / 86400);
    if (end <= now)
        msg_fmt(out, n, M_SVC_CA_ENDED, day);
    else
        msg_fmt(out, n, M_SVC_CA_ENDING, day, left);
    return 1;
}

/*
 * kiosk/app.c - the services the kiosk holds (token module, records,
 * printer) and their periodic upkeep. A service that is down is noted and
 * shown; the kiosk still starts for everything that does not need it.
 */
#include "kiosk/app.h"
#include "kiosk/auditkey.h"
#include "kiosk/engine.h"

#include <stdio.h>
#include <time.h>

#include <string.h>
#include <time.h>

#include "kiosk/msg.h"
#include "printing/print.h"

/* Seconds between outbox pumps by the background worker. */
#define APP_PUMP_EVERY_S 5

int
app_parse_mode(const char *s, enum app_mode *out)
{
    if (strcmp(s, "window66") == 0)
        *out = MODE_W66;
    else if (strcmp(s, "window68") == 0)
        *out = MODE_W68;
    else if (strcmp(s, "self") == 0)
        *out = MODE_SELF;
    else
        return -1;
    return 0;
}

const char *
app_mode_name(enum app_mode m)
{
    return m == MODE_W66 ? "window66" : m == MODE_W68 ? "window68" : "self";
}

/* Is the HSM token (by serial) visible to the module? */
static enum svc_state
app_hsm_state(struct app *app)
{
    if (app->tok == NULL || app->cfg.hsm_serial[0] == '\0')
        return SVC_DOWN;
    return tok_hsm_present(app->tok) ? SVC_UP : SVC_DOWN;
}

/* What the HSM gives once it is open: the audit rows keyed from it
 * (kiosk/auditkey.c) and, at window 66 which signs, the CA key found now,
 * not at the day's first issuance (issue 17). */
static void
app_hsm_opened(struct app *app)
{
    if (app->st != NULL && app->tok != NULL)
        (void)audit_key_apply(&app->cfg, app->tok, app->st);
    if (app->tok != NULL && app->mode == MODE_W66)
        (void)tok_hsm_ready(app->tok);
}

int
app_hsm_unlock(struct app *app, const char *pin, char *why, size_t n)
{
    char detail[96];
    int rc;

    if (app->tok == NULL) {
        snprintf(why, n, "%s", app->tok_error);
        return TOK_ERR_MODULE;
    }
    rc = tok_hsm_unlock(app->tok, pin);
    snprintf(why, n, "%s", rc == TOK_OK ? "" : tok_detail(app->tok));
    if (rc == TOK_OK) {
        app->hsm_locked = false;
        app_hsm_opened(app);
    }
    snprintf(detail, sizeof detail, "mode=%s%s%s", app_mode_name(app->mode), rc == TOK_OK ? "" : " rc=",
             rc == TOK_OK ? "" : (rc == TOK_ERR_PIN_INCORRECT ? "pin" : "hsm"));
    if (app->st != NULL)
        (void)store_audit(app->st, "supervisor", rc == TOK_OK ? "hsm.unlock" : "hsm.unlock.fail", detail);
    return rc;
}

void
app_open_services(struct app *app)
{
    char err[256];
    struct store_opts so;
    int rc;

    rc = tok_open_cfg(&app->tok, &app->cfg, err, sizeof err);
    if (rc != TOK_OK) {
        app->tok = NULL;
        char why[512];
        msg_fmt(app->tok_error, sizeof app->tok_error, M_TOKEN_DOWN, msg_fmt(why, sizeof why, M_TOK_MODULE_LOAD, err));
    }
    app->hsm = app_hsm_state(app);

    cfg_store_opts(&app->cfg, &so);
    if (store_open(&app->st, &so, err, sizeof err) != STORE_OK) {
        app->st = NULL;
        msg_fmt(app->store_error, sizeof app->store_error, M_STORE_DOWN, err);
    }
    /* No PIN file: the HSM waits for a supervisor's PIN (screen_hsm), and
     * what needs it (the audit key, the CA key) waits with it. */
    app->hsm_locked = app->tok != NULL && tok_hsm_needs_pin(app->tok);
    if (!app->hsm_locked)
        app_hsm_opened(app);
    /* The printer is probed and the outbox pumped off the input loop (printing/worker.c). */
    app->printer = SVC_UNKNOWN;
    if (prn_worker_start(&app->printer_worker, &app->cfg, APP_PUMP_EVERY_S, app->st) != 0)
        app->printer_worker = NULL;
}

void
app_close_services(struct app *app)
{
    prn_worker_stop(app->printer_worker);
    app->printer_worker = NULL;
    tok_close(app->tok);
    app->tok = NULL;
    store_close(app->st);
    app->st = NULL;
}

void
app_print_wake(struct app *app, int64_t job_id)
{
    if (job_id > 0)
        prn_worker_send(app->printer_worker, job_id);
    else
        prn_worker_wake(app->printer_worker);
}

/* Every APP_CRL_CHECK_S at window 66 (the CA acceptance point): publish the
 * CRL again once half its validity has passed (holds run out there too). */
#define APP_CRL_CHECK_S 600

static void
app_tick_crl(struct app *app)
{
    time_t now = time(NULL);
    struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st, .window = "window66" };
    char err[256];

    if (app->mode != MODE_W66 || app->tok == NULL || app->st == NULL || now - app->crl_checked < APP_CRL_CHECK_S)
        return;
    app->crl_checked = now;
    (void)txn_ca_publish_due(&env, err, sizeof err);   /* a failure is retried at the next check */
}

void
app_tick_services(struct app *app)
{
    struct prn_worker_status ws;
    enum svc_state was = app->printer;

    app_tick_crl(app);
    /* the records server: lost, found again (the status bar names it either way) */
    if (app->st != NULL && time(NULL) - app->st_pinged >= 5) {
        app->st_pinged = time(NULL);
        (void)store_ping(app->st);
    }
    prn_worker_status(app->printer_worker, &ws);
    if (!ws.known)
        return;
    app->printer = ws.up ? SVC_UP : SVC_DOWN;
    app->printer_queued = ws.queued;
    if (!ws.up)
        app->printer_msg = ws.message;
    if (was != SVC_DOWN && app->printer == SVC_DOWN && ws.queued > 0) {
        char buf[256];
        app_flash(app, msg_fmt(buf, sizeof buf, M_PRN_PUMP_WAITING, ws.queued));
    }
}

void
app_flash(struct app *app, const char *text)
{
    snprintf(app->flash, sizeof app->flash, "%s", text);
    app->flash_until = time(NULL) + 5;
}

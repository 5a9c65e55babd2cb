/*
 * kiosk/app.c - the services the kiosk holds (token module, records,
 * printer) and their periodic upkeep. A service that is down is noted and
 * shown; the kiosk still starts for everything that does not need it.
 */
#include "kiosk/app.h"

#include <string.h>
#include <time.h>

#include "kiosk/msg.h"
#include "printing/print.h"

/* Seconds between outbox pumps while idle. */
#define APP_PUMP_EVERY_S 5
/* Seconds between printer checks while it is down (a refused connection answers at once). */
#define APP_PRINTER_RECHECK_S 30

static time_t app_next_pump;
static time_t app_next_printer_check;

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

static void
app_check_printer(struct app *app)
{
    enum prn_printer p = prn_printer_state(&app->cfg, &app->printer_msg, NULL, 0);

    app->printer = (p == PRN_PRINTER_READY || p == PRN_PRINTER_BUSY) ? SVC_UP : SVC_DOWN;
}

void
app_open_services(struct app *app)
{
    char err[256];
    int rc;

    rc = tok_open_cfg(&app->tok, &app->cfg, err, sizeof err);
    if (rc != TOK_OK) {
        app->tok = NULL;
        msg_fmt(app->tok_error, sizeof app->tok_error, M_TOKEN_DOWN, err);
    }
    app->hsm = app_hsm_state(app);

    if (store_open(&app->st, app->cfg.db_path, app->cfg.db_busy_ms, err, sizeof err) != STORE_OK) {
        app->st = NULL;
        msg_fmt(app->store_error, sizeof app->store_error, M_STORE_DOWN, err);
    }
    app_check_printer(app);
    app_next_pump = time(NULL) + APP_PUMP_EVERY_S;
    app_next_printer_check = time(NULL) + APP_PRINTER_RECHECK_S;
}

void
app_close_services(struct app *app)
{
    tok_close(app->tok);
    app->tok = NULL;
    store_close(app->st);
    app->st = NULL;
}

void
app_tick_services(struct app *app)
{
    time_t now = time(NULL);
    struct prn_pump_result res;

    if (app->printer == SVC_DOWN && now >= app_next_printer_check) {
        app_next_printer_check = now + APP_PRINTER_RECHECK_S;
        app_check_printer(app);
    }
    if (now < app_next_pump)
        return;
    app_next_pump = now + APP_PUMP_EVERY_S;
    if (app->st == NULL)
        return;
    memset(&res, 0, sizeof res);
    if (prn_outbox_pump(app->st, &app->cfg, now, &res) == 0 && (res.sent || res.last != PRN_OK)) {
        app->printer = res.last == PRN_OK ? SVC_UP : SVC_DOWN;
        if (res.last != PRN_OK)
            app->printer_msg = prn_status_msg(res.last);
        if (res.last != PRN_OK) {
            char buf[256];
            app_flash(app, msg_fmt(buf, sizeof buf, res.message, res.queued));
        }
    }
}

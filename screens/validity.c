/*
 * screens/validity.c - 有效期查询, the validity check.
 *
 * "Insert your key" until a UKey is present; then the certificate is read
 * through token/ and shown: holder (company, USCC), certificate serial, key
 * serial, valid from/to and days left. Fewer than renew_before_days left is
 * a red warning saying how to renew; a clock outside the validity gives the
 * seed-000 advice ("expired or not yet valid: check the system clock").
 * No certificate, a foreign issuer and a key pulled during the read are
 * each a clear message. Every check is recorded (store_check_add + audit).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/clock.h"
#include "kiosk/rules.h"
#include "kiosk/session.h"
#include "kiosk/ui.h"
#include "screens/screens.h"

enum validity_phase {
    VP_WAIT,        /* no key yet */
    VP_RESULT,      /* certificate shown */
    VP_FAIL,        /* the read failed: status says why */
};

struct validity_state {
    enum validity_phase phase;
    char key_serial[TOK_SERIAL_MAX]; /* key being shown */
    int status;                      /* tok status of the last read */
    struct tok_cert cert;            /* the certificate read */
    enum rules_validity verdict;     /* classification on the day of the read */
    long days_left;
    time_t read_at;                  /* when it was read (the kiosk's clock) */
    bool clock_suspect;              /* clock earlier than the last recorded check */
};

static enum store_check_result
validity_result(const struct validity_state *s)
{
    switch (s->status) {
    case TOK_OK:
        switch (s->verdict) {
        case RULES_VALID: return CHECK_VALID;
        case RULES_EXPIRING: return CHECK_EXPIRING;
        case RULES_EXPIRED: return CHECK_EXPIRED;
        case RULES_NOT_YET_VALID: return CHECK_NOT_YET_VALID;
        }
        return CHECK_ERROR;
    case TOK_ERR_NO_CERT: return CHECK_NO_CERT;
    case TOK_ERR_FOREIGN_CERT: return CHECK_FOREIGN;
    case TOK_ERR_REMOVED: return CHECK_REMOVED;
    default: return CHECK_ERROR;
    }
}

/* Record the check and its audit entry; a database fault is flashed, not fatal. */
static void
validity_record(struct app *app, struct validity_state *s)
{
    struct store_check c;
    struct store_check last;
    size_t n = 0;
    char detail[256];

    if (app->st == NULL)
        return;
    if (store_check_recent(app->st, &last, 1, &n) == STORE_OK && n == 1 && last.at > s->read_at + 60)
        s->clock_suspect = true;
    memset(&c, 0, sizeof c);
    c.at = s->read_at;
    snprintf(c.mode, sizeof c.mode, "%s", app_mode_name(app->mode));
    snprintf(c.key_serial, sizeof c.key_serial, "%s", s->key_serial);
    if (s->status == TOK_OK || s->status == TOK_ERR_FOREIGN_CERT) {
        snprintf(c.cert_serial, sizeof c.cert_serial, "%s", s->cert.serial_hex);
        snprintf(c.holder, sizeof c.holder, "%s", s->cert.holder);
        snprintf(c.uscc, sizeof c.uscc, "%s", s->cert.uscc);
        c.not_after = s->cert.not_after;
        c.days_left = (int)s->days_left;
    }
    c.result = validity_result(s);
    if (store_check_add(app->st, &c) != STORE_OK) {
        app_flash(app, msg(M_DB_WRITE_FAILED));
        return;
    }
    snprintf(detail, sizeof detail, "key=%s cert=%s result=%d", c.key_serial, c.cert_serial, (int)c.result);
    (void)store_audit(app->st, app->mode == MODE_SELF ? "self" : app_mode_name(app->mode), "validity_check", detail);
}

/* Read the first inserted key, if any. */
static void
validity_read(struct app *app, struct validity_state *s)
{
    struct tok_key keys[8];
    size_t n = 0;

    if (app->tok == NULL || tok_keys(app->tok, keys, 8, &n) != TOK_OK || n == 0) {
        s->phase = VP_WAIT;
        return;
    }
    memset(&s->cert, 0, sizeof s->cert);
    snprintf(s->key_serial, sizeof s->key_serial, "%s", keys[0].serial);
    s->read_at = time(NULL);
    s->clock_suspect = false;
    s->status = tok_read_cert(app->tok, s->key_serial, &s->cert);
    if (s->status == TOK_OK) {
        s->verdict = rules_validity_check(cfg_profile(&app->cfg), clock_local_day(s->cert.not_before),
                                          clock_local_day(s->cert.not_after), clock_local_day(s->read_at),
                                          &s->days_left);
        s->phase = VP_RESULT;
    } else {
        s->phase = VP_FAIL;
    }
    validity_record(app, s);
}

static void *
validity_init(struct app *app, const void *arg)
{
    struct validity_state *s = calloc(1, sizeof *s);

    (void)arg;
    if (s != NULL)
        validity_read(app, s);
    return s;
}

static void
validity_fmt_time(time_t t, char *buf, size_t n)
{
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
validity_draw(struct app *app, void *state)
{
    struct validity_state *s = state;
    char buf[512], from[32], to[32], now[32];
    int y = ui_frame(app, msg(M_VAL_TITLE), msg(M_VAL_HINTS));
    static const enum msg_id labels[] = {
        M_VAL_KEY_SERIAL, M_VAL_HOLDER, M_VAL_USCC, M_VAL_CERT_SERIAL, M_VAL_ISSUER,
        M_VAL_FROM, M_VAL_TO, M_VAL_DAYS,
    };
    const int x = 4, lw = ui_label_width(labels, sizeof labels / sizeof labels[0]);
    const int w = COLS - 2 * x;

    y++;
    if (app->tok == NULL) {
        ui_wrap(y, x, w, TC_WARN, app->tok_error);
        return;
    }
    if (s->phase == VP_WAIT) {
        ui_center(LINES / 2 - 1, TC_NORMAL, msg(M_VAL_INSERT));
        ui_center(LINES / 2 + 1, TC_DIM, msg(M_VAL_INSERT_HINT));
        return;
    }
    ui_field(y++, x, lw, msg(M_VAL_KEY_SERIAL), TC_NORMAL, s->key_serial);
    if (s->phase == VP_FAIL) {
        y++;
        y += ui_wrap(y, x, w, TC_WARN, msg(tok_msg(s->status)));
        if (s->status == TOK_ERR_FOREIGN_CERT) {
            ui_field(y++, x, lw, msg(M_VAL_ISSUER), TC_NORMAL, s->cert.issuer);
            ui_field(y++, x, lw, msg(M_VAL_HOLDER), TC_NORMAL, s->cert.holder);
        }
        return;
    }
    validity_fmt_time(s->cert.not_before, from, sizeof from);
    validity_fmt_time(s->cert.not_after, to, sizeof to);
    validity_fmt_time(s->read_at, now, sizeof now);
    ui_field(y++, x, lw, msg(M_VAL_HOLDER), TC_NORMAL, s->cert.holder);
    ui_field(y++, x, lw, msg(M_VAL_USCC), TC_NORMAL, s->cert.uscc[0] ? s->cert.uscc : "-");
    ui_field(y++, x, lw, msg(M_VAL_CERT_SERIAL), TC_NORMAL, s->cert.serial_hex);
    ui_field(y++, x, lw, msg(M_VAL_FROM), TC_NORMAL, from);
    ui_field(y++, x, lw, msg(M_VAL_TO), TC_NORMAL, to);
    msg_fmt(buf, sizeof buf, M_VAL_DAYS_FMT, s->days_left);
    ui_field(y++, x, lw, msg(M_VAL_DAYS), s->verdict == RULES_VALID ? TC_OK : TC_WARN, buf);
    y++;
    switch (s->verdict) {
    case RULES_VALID:
        attron(A_BOLD);
        y += ui_wrap(y, x, w, TC_OK, msg(M_VAL_OK));
        attroff(A_BOLD);
        break;
    case RULES_EXPIRING:
        attron(A_BOLD);
        msg_fmt(buf, sizeof buf, M_VAL_EXPIRING, s->days_left);
        y += ui_wrap(y, x, w, TC_WARN, buf);
        attroff(A_BOLD);
        y += ui_wrap(y, x, w, TC_WARN, msg(M_VAL_HOW_RENEW));
        break;
    case RULES_EXPIRED:
    case RULES_NOT_YET_VALID:
        attron(A_BOLD);
        y += ui_wrap(y, x, w, TC_WARN, msg(M_VAL_CLOCK));
        attroff(A_BOLD);
        msg_fmt(buf, sizeof buf, M_VAL_CLOCK_NOW, now);
        y += ui_wrap(y, x, w, TC_WARN, buf);
        if (s->clock_suspect)
            y += ui_wrap(y, x, w, TC_WARN, msg(M_VAL_CLOCK_BACKWARDS));
        if (s->verdict == RULES_EXPIRED)
            y += ui_wrap(y, x, w, TC_WARN, msg(M_VAL_HOW_RENEW_EXPIRED));
        break;
    }
}

static int
validity_key(struct app *app, void *state, int key)
{
    struct validity_state *s = state;

    switch (key) {
    case 27: /* Esc */
    case KEY_BACKSPACE:
    case KEY_LEFT:
        return SCR_BACK;
    case 'r':
    case 'R':
    case KEY_F(5):
        validity_read(app, s);
        return SCR_HANDLED;
    default:
        return SCR_IGNORED;
    }
}

static int
validity_event(struct app *app, void *state, enum scr_event ev)
{
    struct validity_state *s = state;
    struct tok_key keys[8];
    size_t n = 0, i;
    bool still_there = false;

    if (ev != EV_KEYS_CHANGED || app->tok == NULL)
        return SCR_IGNORED;
    if (tok_keys(app->tok, keys, 8, &n) != TOK_OK)
        n = 0;
    for (i = 0; i < n; i++)
        if (strcmp(keys[i].serial, s->key_serial) == 0)
            still_there = true;
    if (s->phase != VP_WAIT && !still_there) {
        /* The key left: forget what was shown (privacy), wait for the next. */
        memset(s, 0, sizeof *s);
        s->phase = VP_WAIT;
        app_flash(app, msg(M_VAL_REMOVED));
    }
    if (s->phase == VP_WAIT && n > 0)
        validity_read(app, s);
    return SCR_REDRAW;
}

static void
validity_free(void *state)
{
    /* The holder's details do not outlive the screen (self-service privacy). */
    ses_cleanse_free(state, sizeof(struct validity_state));
}

const struct screen screen_validity = {
    .name = "validity",
    .modes = MODE_ALL,
    .init = validity_init,
    .draw = validity_draw,
    .key = validity_key,
    .event = validity_event,
    .free = validity_free,
};

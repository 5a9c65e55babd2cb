/*
 * screens/validity.c - 有效期查询, the validity check.
 *
 * "Insert your key" until a UKey is present; then the certificate is read
 * through token/ and shown: holder (company, USCC), certificate serial, key
 * serial, valid from/to and days left. Fewer than renew_before_days left is
 * a red warning saying how to renew; a clock outside the validity gives the
 * seed-000 advice ("expired or not yet valid: check the system clock").
 * No certificate, a foreign issuer and a key pulled during the read are
 * each a clear message. The engine reads, classifies and records every
 * check (txn_check_read, kiosk/engine_check.c); this screen only asks.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/clock.h"
#include "kiosk/rules.h"
#include "kiosk/engine.h"
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
    struct txn_check c;              /* what the engine read and recorded */
};

/* Read the first inserted key, if any (the engine records the check). */
static void
validity_read(struct app *app, struct validity_state *s)
{
    struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st,
                           .window = app_mode_name(app->mode) };

    txn_check_read(&env, &s->c);
    if (!s->c.have_key)
        s->phase = VP_WAIT;
    else
        s->phase = s->c.status == TOK_OK && s->c.nkeys == 1 ? VP_RESULT : VP_FAIL;
    if (s->c.record_failed)
        app_flash(app, msg(M_DB_WRITE_FAILED));
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
    if (s->c.nkeys > 1) {
        attron(A_BOLD);
        ui_wrap(y, x, w, TC_WARN, s->c.several);
        attroff(A_BOLD);
        return;
    }
    ui_field(y++, x, lw, msg(M_VAL_KEY_SERIAL), TC_NORMAL, s->c.key_serial);
    if (s->phase == VP_FAIL) {
        y++;
        y += ui_wrap(y, x, w, TC_WARN, msg(txn_tok_msg(s->c.status)));
        if (s->c.status == TOK_ERR_FOREIGN_CERT) {
            ui_field(y++, x, lw, msg(M_VAL_ISSUER), TC_NORMAL, s->c.cert.issuer);
            ui_field(y++, x, lw, msg(M_VAL_HOLDER), TC_NORMAL, s->c.cert.holder);
        }
        return;
    }
    validity_fmt_time(s->c.cert.not_before, from, sizeof from);
    validity_fmt_time(s->c.cert.not_after, to, sizeof to);
    validity_fmt_time(s->c.read_at, now, sizeof now);
    ui_field(y++, x, lw, msg(M_VAL_HOLDER), TC_NORMAL, s->c.cert.holder);
    ui_field(y++, x, lw, msg(M_VAL_USCC), TC_NORMAL, s->c.cert.uscc[0] ? s->c.cert.uscc : "-");
    ui_field(y++, x, lw, msg(M_VAL_CERT_SERIAL), TC_NORMAL, s->c.cert.serial_hex);
    ui_field(y++, x, lw, msg(M_VAL_FROM), TC_NORMAL, from);
    ui_field(y++, x, lw, msg(M_VAL_TO), TC_NORMAL, to);
    /* days left said as what they are: none left when expired, not yet
     * begun when the certificate is not valid yet */
    if (s->c.verdict == RULES_EXPIRED)
        msg_fmt(buf, sizeof buf, M_VAL_DAYS_EXPIRED, s->c.days_left < 0 ? -s->c.days_left : s->c.days_left);
    else if (s->c.verdict == RULES_NOT_YET_VALID)
        msg_fmt(buf, sizeof buf, M_VAL_DAYS_NOT_YET, from);
    else
        msg_fmt(buf, sizeof buf, M_VAL_DAYS_FMT, s->c.days_left);
    ui_field(y++, x, lw, msg(M_VAL_DAYS), s->c.verdict == RULES_VALID && !s->c.revoked ? TC_OK : TC_WARN, buf);
    y++;
    if (s->c.key_state == KEYST_LOCKED) {
        /* locked: the certificate may be valid, the key cannot be used until unlocked */
        attron(A_BOLD);
        y += ui_wrap(y, x, w, TC_WARN, msg(M_KEYST_WHY_LOCKED));
        attroff(A_BOLD);
    } else if (s->c.key_state == KEYST_ISSUED && s->c.pin_left > 0 && s->c.pin_left <= 3) {
        y += ui_wrap(y, x, w, TC_WARN, msg_fmt(buf, sizeof buf, M_PIN_TRIES_LEFT, s->c.pin_left));
    }
    if (s->c.revoked) {
        char when[32];
        validity_fmt_time(s->c.revoked_at, when, sizeof when);
        attron(A_BOLD);
        if (s->c.held)
            msg_fmt(buf, sizeof buf, M_VAL_HELD, when);
        else
            msg_fmt(buf, sizeof buf, M_VAL_REVOKED, when, msg(txn_reason_msg(s->c.reason)));
        y += ui_wrap(y, x, w, TC_WARN, buf);
        attroff(A_BOLD);
        y += ui_wrap(y, x, w, TC_WARN, msg(s->c.held ? M_VAL_HELD_HOW : M_VAL_REVOKED_HOW));
        return;
    }
    switch (s->c.verdict) {
    case RULES_VALID:
        attron(A_BOLD);
        y += ui_wrap(y, x, w, TC_OK, msg(M_VAL_OK));
        attroff(A_BOLD);
        break;
    case RULES_EXPIRING:
        attron(A_BOLD);
        msg_fmt(buf, sizeof buf, M_VAL_EXPIRING, s->c.days_left);
        y += ui_wrap(y, x, w, TC_WARN, buf);
        attroff(A_BOLD);
        y += ui_wrap(y, x, w, TC_WARN, msg(M_VAL_HOW_RENEW));
        break;
    case RULES_EXPIRED:
    case RULES_NOT_YET_VALID:
        /* the fact first (expired on ..., or not valid before ...); the
         * clock is named as the thing to check only after it (seed 000) */
        attron(A_BOLD);
        msg_fmt(buf, sizeof buf, s->c.verdict == RULES_EXPIRED ? M_VAL_EXPIRED_ON : M_VAL_NOT_YET_FROM,
                s->c.verdict == RULES_EXPIRED ? to : from);
        y += ui_wrap(y, x, w, TC_WARN, buf);
        attroff(A_BOLD);
        y += ui_wrap(y, x, w, TC_WARN, msg(M_VAL_CLOCK));
        msg_fmt(buf, sizeof buf, M_VAL_CLOCK_NOW, now);
        y += ui_wrap(y, x, w, TC_WARN, buf);
        if (s->c.clock_suspect)
            y += ui_wrap(y, x, w, TC_WARN, msg(M_VAL_CLOCK_BACKWARDS));
        if (s->c.verdict == RULES_EXPIRED)
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
    struct txn_env env = { .cfg = &app->cfg, .tok = app->tok, .st = app->st };
    bool still_there = false;
    int n;

    if (ev != EV_KEYS_CHANGED || app->tok == NULL)
        return SCR_IGNORED;
    n = txn_keys_present(&env, s->c.key_serial, &still_there);
    if (s->c.nkeys > 1 || n > 1) {
        validity_read(app, s);      /* several in, or were: which is meant? read again */
        return SCR_REDRAW;
    }
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

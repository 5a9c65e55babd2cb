/*
 * screens/login.c - 柜员登录, the clerk sign-in of the window modes, and the
 * same form as the lock screen (init argument ses_lock_arg).
 *
 * Two fields: login (printable ASCII) and password (FIELD_MASK). Enter on
 * the password signs in through ses_login (kiosk/session.c), which checks
 * the store and writes the audit. A wrong login and a wrong password give
 * the same message. After too many failures a login (known or not) is
 * refused for a while and the message says for how many minutes
 * (kiosk/session.h, SES_LOCKED_OUT). On the lock screen the login is the locked clerk's,
 * the password unlocks (back to the screen that was in use); another
 * clerk's login and password end the first session and start from home.
 * The password buffer is cleansed after every attempt and when the screen
 * goes. Ctrl-U empties the field being typed in. Esc never leaves this screen; F10 quits
 * the kiosk (not while locked).
 */
#include <curses.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/field.h"
#include "kiosk/ui.h"
#include "screens/screens.h"

#define LOGIN_FIELD_W 32

struct login_state {
    bool lock;                  /* the lock screen of a signed-in clerk */
    struct field login;         /* login name */
    struct field pw;            /* password, masked */
    int focus;                  /* 0 login, 1 password */
    char error[512];            /* last failure, "" for none */
};

static void *
login_init(struct app *app, const void *arg)
{
    struct login_state *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->lock = arg == ses_lock_arg;
    field_init(&s->login, 32, FIELD_ASCII);
    field_init(&s->pw, 128, FIELD_MASK);
    if (s->lock) {
        field_set(&s->login, app->ses.login);
        s->focus = 1;
    }
    return s;
}

static void
login_draw(struct app *app, void *state)
{
    struct login_state *s = state;
    static const enum msg_id labels[] = { M_SES_LOGIN, M_SES_PASSWORD };
    const int x = 6, lw = ui_label_width(labels, 2), w = COLS - 2 * x;
    char buf[1024];
    int y = ui_frame(app, msg(s->lock ? M_SES_LOCK_TITLE : M_SES_LOGIN_TITLE),
                     msg(s->lock ? M_SES_LOCK_HINTS : M_SES_LOGIN_HINTS));
    int cy = 0, cx = 0;

    y += 2;
    if (s->lock) {
        msg_fmt(buf, sizeof buf, M_SES_LOCK_PROMPT, app->ses.login, app->ses.login);
        attron(A_BOLD);
        y += ui_wrap(y, x, w, TC_WARN, buf);
        attroff(A_BOLD);
    } else {
        y += ui_wrap(y, x, w, TC_NORMAL, msg(M_SES_LOGIN_PROMPT));
        if (app->cfg.login_note[0] != '\0')
            y += ui_wrap(y, x, w, TC_DIM, app->cfg.login_note);     /* the hall's own note ([hall] login_note) */
    }
    if (app->st == NULL)
        y += ui_wrap(y, x, w, TC_WARN, app->store_error);
    y += 1;
    ui_text(y, x, lw, TC_DIM, msg(M_SES_LOGIN));
    ui_input(y, x + lw, LOGIN_FIELD_W, &s->login, s->focus == 0, &cy, &cx);
    y += 2;
    ui_text(y, x, lw, TC_DIM, msg(M_SES_PASSWORD));
    ui_input(y, x + lw, LOGIN_FIELD_W, &s->pw, s->focus == 1, &cy, &cx);
    y += 2;
    ui_error_cursor(y, x, w, s->error, cy, cx);
}

/* Sign in with what was typed; returns the SCR_* flags. */
static int
login_submit(struct app *app, struct login_state *s)
{
    enum ses_result r;

    s->error[0] = '\0';
    if (field_chars(&s->login) == 0 || field_chars(&s->pw) == 0) {
        snprintf(s->error, sizeof s->error, "%s", msg(M_SES_EMPTY));
        s->focus = field_chars(&s->login) == 0 ? 0 : 1;
        return SCR_HANDLED;
    }
    r = ses_login(app, field_text(&s->login), field_text(&s->pw));
    OPENSSL_cleanse(&s->pw, sizeof s->pw);
    field_init(&s->pw, 128, FIELD_MASK);
    switch (r) {
    case SES_RESUMED:
        curs_set(0);
        return SCR_BACK;
    case SES_OK:
        curs_set(0);
        {
            char buf[256];
            app_flash(app, msg_fmt(buf, sizeof buf, M_SES_WELCOME, app->ses.name));
        }
        return SCR_HOME;
    case SES_WRONG_ROLE:
        /* The password was right: naming the account's role is no hint. */
        msg_fmt(s->error, sizeof s->error, M_SES_WRONG_ROLE, ses_role_of(app, field_text(&s->login)));
        s->focus = 0;
        return SCR_HANDLED;
    case SES_BUSY:
        snprintf(s->error, sizeof s->error, "%s", msg(M_SES_BUSY));
        s->focus = 1;
        return SCR_HANDLED;
    case SES_NO_STORE:
        msg_fmt(s->error, sizeof s->error, M_SES_NO_STORE, ses_store_problem(app));
        return SCR_HANDLED;
    case SES_LOCKED_OUT: {
        /* Same words for a real and an unknown login: says how long, not why. */
        long left = ses_lockout_left_typed(app, field_text(&s->login));
        msg_fmt(s->error, sizeof s->error, M_SES_LOCKED_OUT, left > 0 ? (left + 59) / 60 : 1L);
        s->focus = 1;
        return SCR_HANDLED;
    }
    case SES_BAD_CREDENTIALS:
    default: {
        /* warned before the lockout, not only after it */
        int tries = ses_tries_left(app, field_text(&s->login));
        if (tries > 0 && tries <= 2)
            msg_fmt(s->error, sizeof s->error, M_SES_BAD_CREDENTIALS_LEFT, tries, SES_LOCKOUT_S / 60);
        else
            snprintf(s->error, sizeof s->error, "%s", msg(M_SES_BAD_CREDENTIALS));
        s->focus = 1;
        return SCR_HANDLED;
    }
    }
}

static int
login_key(struct app *app, void *state, int key)
{
    struct login_state *s = state;
    struct field *f = s->focus == 0 ? &s->login : &s->pw;

    switch (key) {
    case '\t':
    case KEY_BTAB:
        s->focus = !s->focus;
        return SCR_HANDLED;
    case KEY_UP:
        s->focus = 0;
        return SCR_HANDLED;
    case KEY_DOWN:
        s->focus = 1;
        return SCR_HANDLED;
    case '\r':
    case '\n':
    case KEY_ENTER:
        if (s->focus == 0) {
            s->focus = 1;
            return SCR_HANDLED;
        }
        return login_submit(app, s);
    case KEY_BACKSPACE:
    case 127:
    case 8:
        field_backspace(f);
        return SCR_HANDLED;
    case KEY_DC:
        field_delete(f);
        return SCR_HANDLED;
    case KEY_LEFT:
        field_left(f);
        return SCR_HANDLED;
    case KEY_RIGHT:
        field_right(f);
        return SCR_HANDLED;
    case KEY_HOME:
        field_home(f);
        return SCR_HANDLED;
    case KEY_END:
        field_end(f);
        return SCR_HANDLED;
    case 21: /* Ctrl-U: empties the field being typed in, and stays there
              * (moving to the login name would have the password typed
              * next shown in clear there) */
        if (s->focus == 0) {
            field_clear(&s->login);
        } else {
            OPENSSL_cleanse(&s->pw, sizeof s->pw);
            field_init(&s->pw, 128, FIELD_MASK);
        }
        return SCR_HANDLED;
    case KEY_F(10):
        return s->lock ? SCR_IGNORED : SCR_QUIT;
    default:
        if (key >= 0x20 && key < 0x7f) {
            s->error[0] = '\0';
            return field_insert(f, (wchar_t)key) == 0 ? SCR_HANDLED : SCR_IGNORED;
        }
        return SCR_IGNORED;
    }
}

static void
login_free(void *state)
{
    curs_set(0);
    ses_cleanse_free(state, sizeof(struct login_state));
}

const struct screen screen_login = {
    .name = "login",
    .modes = MODE_CLERK,
    .init = login_init,
    .draw = login_draw,
    .key = login_key,
    .free = login_free,
    .access = SCR_LOGIN,
};

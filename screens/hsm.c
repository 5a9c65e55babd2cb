/*
 * screens/hsm.c - HSM解锁: the first screen of the day in every mode when
 * the HSM's PIN is not kept in a file ([token] hsm_pin_file empty). A
 * supervisor types the HSM's user PIN; the kiosk logs in to the HSM with it
 * (app_hsm_unlock), keeps it in one locked page that no core file holds
 * and wipes it at exit; nothing is ever written to disk. Until then the
 * session guard (kiosk/guard.c) keeps this screen on top: no login, no
 * transaction, no key work. Each attempt is audited. The field buffer is
 * cleansed after every attempt and when the screen goes. F10 quits in the
 * window modes (not at a self-service terminal).
 */
#include <curses.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/field.h"
#include "kiosk/ui.h"
#include "screens/screens.h"
#include "token/token.h"

#define HSM_FIELD_W 32

struct hsm_state {
    struct field pin;           /* masked */
    char error[512];
    int fails;
};

static void *
hsm_init(struct app *app, const void *arg)
{
    struct hsm_state *s = calloc(1, sizeof *s);

    (void)app;
    (void)arg;
    if (s != NULL)
        field_init(&s->pin, 128, FIELD_MASK);
    return s;
}

static void
hsm_draw(struct app *app, void *state)
{
    struct hsm_state *s = state;
    static const enum msg_id labels[] = { M_HSM_PIN };
    const int x = 6, lw = ui_label_width(labels, 1), w = COLS - 2 * x;
    int y = ui_frame(app, msg(M_HSM_TITLE), msg(app->mode == MODE_SELF ? M_HSM_HINTS_SELF : M_HSM_HINTS));
    int cy = 0, cx = 0;

    y += 2;
    y += ui_wrap(y, x, w, TC_NORMAL, msg(M_HSM_PROMPT));
    y += 1;
    ui_text(y, x, lw, TC_DIM, msg(M_HSM_PIN));
    ui_input(y, x + lw, HSM_FIELD_W, &s->pin, true, &cy, &cx);
    y += 2;
    ui_error_cursor(y, x, w, s->error, cy, cx);
}

static int
hsm_submit(struct app *app, struct hsm_state *s)
{
    char why[256];
    int rc;

    s->error[0] = '\0';
    if (field_chars(&s->pin) == 0) {
        snprintf(s->error, sizeof s->error, "%s", msg(M_HSM_EMPTY));
        return SCR_HANDLED;
    }
    rc = app_hsm_unlock(app, field_text(&s->pin), why, sizeof why);
    OPENSSL_cleanse(&s->pin, sizeof s->pin);
    field_init(&s->pin, 128, FIELD_MASK);
    if (rc == TOK_OK) {
        curs_set(0);
        app_flash(app, msg(M_HSM_UNLOCKED));
        return SCR_HOME;
    }
    if (rc == TOK_ERR_PIN_INCORRECT)
        msg_fmt(s->error, sizeof s->error, M_HSM_WRONG, ++s->fails);
    else
        msg_fmt(s->error, sizeof s->error, M_HSM_UNREACHABLE, why);
    return SCR_HANDLED;
}

static int
hsm_key(struct app *app, void *state, int key)
{
    struct hsm_state *s = state;

    switch (key) {
    case '\r':
    case '\n':
    case KEY_ENTER:
        return hsm_submit(app, s);
    case KEY_BACKSPACE:
    case 127:
    case 8:
        field_backspace(&s->pin);
        return SCR_HANDLED;
    case 21: /* Ctrl-U */
        OPENSSL_cleanse(&s->pin, sizeof s->pin);
        field_init(&s->pin, 128, FIELD_MASK);
        return SCR_HANDLED;
    case KEY_F(10):
        return app->mode == MODE_SELF ? SCR_IGNORED : SCR_QUIT;
    default:
        if (key >= 0x20 && key < 0x7f) {
            s->error[0] = '\0';
            return field_insert(&s->pin, (wchar_t)key) == 0 ? SCR_HANDLED : SCR_IGNORED;
        }
        return SCR_IGNORED;   /* Esc and the rest: this screen stays */
    }
}

static void
hsm_free(void *state)
{
    curs_set(0);
    ses_cleanse_free(state, sizeof(struct hsm_state));
}

const struct screen screen_hsm = {
    .name = "hsm",
    .modes = MODE_CLERK | MODE_SELF,
    .init = hsm_init,
    .draw = hsm_draw,
    .key = hsm_key,
    .free = hsm_free,
    .access = SCR_OPEN,
};

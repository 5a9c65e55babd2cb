/*
 * screens/new_key.c - 证书新办, step 7 (paid): "insert a blank key". The
 * first inserted UKey is examined; a key that already holds a certificate
 * is refused unless the clerk presses W and confirms with Y (its holder is
 * shown first). Nothing is written here: the wipe and initialisation
 * happen when issuing, after the PIN. A key left half-written by an
 * interrupted issuance of this order is offered for wiping the same way.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/ui.h"
#include "screens/txn.h"

enum key_phase {
    KP_WAIT,        /* no key */
    KP_BLANK,       /* a key without certificate: Enter continues */
    KP_HAS_CERT,    /* holds a certificate: refused, W to wipe */
    KP_CONFIRM,     /* W pressed: Y confirms the wipe */
    KP_WIPE_OK,     /* wipe confirmed: Enter continues */
};

struct key_state {
    struct txn_ui *ui;
    enum key_phase phase;
    struct tok_key key;
    struct tok_cert cert;       /* what the key holds (KP_HAS_CERT) */
    int cert_rc;
};

static void
key_scan(struct app *app, struct key_state *s)
{
    struct tok_key keys[8];
    size_t n = 0;

    if (app->tok == NULL || tok_keys(app->tok, keys, 8, &n) != TOK_OK || n == 0) {
        memset(&s->key, 0, sizeof s->key);
        s->phase = KP_WAIT;
        return;
    }
    if (s->phase != KP_WAIT && strcmp(keys[0].serial, s->key.serial) == 0)
        return; /* same key: keep the clerk's choice */
    s->key = keys[0];
    memset(&s->cert, 0, sizeof s->cert);
    s->cert_rc = TOK_ERR_NO_CERT;
    if (s->key.has_cert)
        s->cert_rc = tok_read_cert(app->tok, s->key.serial, &s->cert);
    s->phase = s->key.has_cert ? KP_HAS_CERT : KP_BLANK;
}

static void *
key_init(struct app *app, const void *arg)
{
    struct key_state *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->ui = (struct txn_ui *)arg;
    txn_pin_clear(&s->ui->t);
    key_scan(app, s);
    return s;
}

static void
key_draw(struct app *app, void *state)
{
    struct key_state *s = state;
    static const enum msg_id labels[] = { M_TXN_KEY_SERIAL, M_TXN_KEY_HOLDER, M_TXN_KEY_CERT };
    int y = txn_frame(app, s->ui, msg(M_TXN_HINTS_KEY)), lw = ui_label_width(labels, 3);
    bool ours = strcmp(s->key.serial, txn_get(&s->ui->t, "key_serial")) == 0 && txn_get_int(&s->ui->t, "issuing", 0);

    y++;
    if (app->tok == NULL) {
        ui_wrap(y, 4, COLS - 8, TC_WARN, app->tok_error);
        return;
    }
    if (s->phase == KP_WAIT) {
        ui_center(LINES / 2 - 1, TC_NORMAL, msg(M_TXN_KEY_INSERT));
        ui_center(LINES / 2 + 1, TC_DIM, msg(M_TXN_KEY_INSERT_HINT));
        return;
    }
    ui_field(y++, 4, lw, msg(M_TXN_KEY_SERIAL), TC_NORMAL, s->key.serial);
    y++;
    switch (s->phase) {
    case KP_BLANK:
        ui_wrap(y, 4, COLS - 8, TC_OK, msg(M_TXN_KEY_BLANK));
        break;
    case KP_HAS_CERT:
    case KP_CONFIRM:
        if (s->cert_rc == TOK_OK || s->cert_rc == TOK_ERR_FOREIGN_CERT) {
            ui_field(y++, 4, lw, msg(M_TXN_KEY_HOLDER), TC_NORMAL, s->cert.holder);
            ui_field(y++, 4, lw, msg(M_TXN_KEY_CERT), TC_NORMAL, s->cert.serial_hex);
        }
        y++;
        attron(A_BOLD);
        y += ui_wrap(y, 4, COLS - 8, TC_WARN, msg(ours ? M_TXN_KEY_HALF_WRITTEN : M_TXN_KEY_NOT_BLANK));
        attroff(A_BOLD);
        y++;
        ui_wrap(y, 4, COLS - 8, s->phase == KP_CONFIRM ? TC_WARN : TC_DIM,
                msg(s->phase == KP_CONFIRM ? M_TXN_KEY_WIPE_CONFIRM : M_TXN_KEY_WIPE_HINT));
        break;
    case KP_WIPE_OK:
        ui_wrap(y, 4, COLS - 8, TC_WARN, msg(M_TXN_KEY_WIPE_AGREED));
        break;
    default:
        break;
    }
}

static int
key_key(struct app *app, void *state, int key)
{
    struct key_state *s = state;

    switch (key) {
    case 27:
        return TXN_PREV;
    case 'w': case 'W':
        if (s->phase == KP_HAS_CERT)
            s->phase = KP_CONFIRM;
        return SCR_REDRAW;
    case 'y': case 'Y':
        if (s->phase == KP_CONFIRM)
            s->phase = KP_WIPE_OK;
        return SCR_REDRAW;
    case 'n': case 'N':
        if (s->phase == KP_CONFIRM)
            s->phase = KP_HAS_CERT;
        return SCR_REDRAW;
    case 'r': case 'R': case KEY_F(5):
        s->phase = KP_WAIT;
        key_scan(app, s);
        return SCR_REDRAW;
    case '\r': case '\n': case KEY_ENTER:
        if (s->phase != KP_BLANK && s->phase != KP_WIPE_OK)
            return SCR_REDRAW;
        txn_set(&s->ui->t, "key_serial", s->key.serial);
        txn_set_int(&s->ui->t, "wipe", s->phase == KP_WIPE_OK);
        return TXN_NEXT;
    default:
        return SCR_IGNORED;
    }
}

static int
key_event(struct app *app, void *state, enum scr_event ev)
{
    struct key_state *s = state;

    if (ev != EV_KEYS_CHANGED)
        return SCR_IGNORED;
    key_scan(app, s);
    return SCR_REDRAW;
}

static void
key_free(void *state)
{
    free(state);
}

const struct screen page_new_key = {
    .name = "new_key",
    .modes = MODE_W66,
    .init = key_init,
    .draw = key_draw,
    .key = key_key,
    .event = key_event,
    .free = key_free,
};

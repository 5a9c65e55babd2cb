/*
 * screens/home.c - the home menu: the transactions this counter mode may
 * start. Self-service lists only self-service transactions and has no quit
 * key; clerk modes quit with F10 and sign the clerk out with F9. An item is
 * listed only when the mode and the signed-in clerk may reach its screen
 * (ses_may_reach: the settlement is for supervisors).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/svc.h"
#include "kiosk/ui.h"
#include "screens/screens.h"
#include "screens/txn.h"

/* A transaction's item: the kind it opens (its title and modes: the kinds table). */
#define TXN_ITEM(k) { .scr = &screen_txn, .arg = &(const struct txn_open){ .kind = (k) } }

const struct home_item home_items[] = {
    { .label = M_HOME_VALIDITY, .scr = &screen_validity, .modes = MODE_ALL },
    TXN_ITEM(KIND_NEW),
    TXN_ITEM(KIND_RENEW),
    TXN_ITEM(KIND_SELFRENEW),
    TXN_ITEM(KIND_LOST),
    TXN_ITEM(KIND_DAMAGED),
    TXN_ITEM(KIND_CHANGE),
    TXN_ITEM(KIND_UNLOCK),
    TXN_ITEM(KIND_HOLD),
    TXN_ITEM(KIND_RELEASE),
    TXN_ITEM(KIND_REVOKE),
    TXN_ITEM(KIND_BIND),
    TXN_ITEM(KIND_CHGREC),
    TXN_ITEM(KIND_PIN),
    TXN_ITEM(KIND_SELFTEST),
    { .label = M_SEALW_MENU, .scr = &screen_seals, .modes = MODE_W68 },
    /* a window finds an order by the operator's ID number; the terminal
     * only by the company's key and its PIN */
    { .label = M_TXN_RESUME_TITLE, .scr = &screen_resume, .modes = MODE_CLERK },
    { .label = M_MINE_TITLE, .scr = &screen_myorders, .modes = MODE_SELF },
    { .label = M_RF_MENU, .scr = &screen_refunds, .modes = MODE_W66 },
    { .label = M_OUT_MENU, .scr = &screen_outbox, .modes = MODE_CLERK },
    { .label = M_SET_MENU, .scr = &screen_settle, .modes = MODE_CLERK },   /* supervisors only (ses_may_reach) */
};
const int home_nitems = sizeof(home_items) / sizeof(home_items[0]);

/* A transaction's menu text and modes come from the kinds table (the app's
 * mode bits are the kinds table's KIND_AT_* bits). */
static const struct kind_info *
home_item_kind(const struct home_item *it)
{
    return it->scr == &screen_txn ? kind_info(((const struct txn_open *)it->arg)->kind) : NULL;
}

static unsigned
home_item_modes(const struct home_item *it)
{
    return home_item_kind(it) != NULL ? home_item_kind(it)->modes : it->modes;
}

static enum msg_id
home_item_label(const struct home_item *it)
{
    return home_item_kind(it) != NULL ? home_item_kind(it)->title : it->label;
}

struct home_state {
    int sel;                 /* index into the visible items */
    int idx[24];             /* visible item -> home_items index */
    int n;                   /* visible items */
};

/* The items this mode and this clerk may open (the clerk changes under home). */
static void
home_items_visible(struct app *app, struct home_state *s)
{
    int i;

    s->n = 0;
    for (i = 0; i < home_nitems && s->n < 24; i++)
        if ((home_item_modes(&home_items[i]) & app->mode) && ses_may_reach(app, home_items[i].scr))
            s->idx[s->n++] = i;
    if (s->sel >= s->n)
        s->sel = s->n > 0 ? s->n - 1 : 0;
}

static void *
home_init(struct app *app, const void *arg)
{
    struct home_state *s = calloc(1, sizeof *s);

    (void)arg;
    if (s != NULL)
        home_items_visible(app, s);
    return s;
}

/* Name every service that is down, one line each, above the key hints. */
static void
home_draw_down(struct app *app)
{
    const char *down[4];
    int n = 0, i;

    if (app->tok == NULL)
        down[n++] = app->tok_error;
    else if (app->hsm == SVC_DOWN)
        down[n++] = msg(M_HSM_DOWN);
    if (app->st == NULL)
        down[n++] = app->store_error;
    if (app->printer == SVC_DOWN)
        down[n++] = msg(app->printer_msg);
    for (i = 0; i < n; i++)
        ui_text(LINES - 4 - n + i, 2, COLS - 4, TC_WARN, down[i]);
}

static void
home_draw(struct app *app, void *state)
{
    struct home_state *s = state;
    char line[256];
    int y = ui_frame(app, msg(M_HOME_TITLE), msg(app->mode & MODE_CLERK ? M_SES_HOME_HINTS : M_HOME_HINTS_SELF));
    int i;

    home_items_visible(app, s);
    if (app->ses.signed_in) {
        char at[16];
        struct tm tm;

        localtime_r(&app->ses.since, &tm);
        strftime(at, sizeof at, "%H:%M", &tm);
        msg_fmt(line, sizeof line, M_SES_CLERK_LINE, app->ses.name, app->ses.login,
                ses_role_label(app->ses.role), at);
        ui_text(y, 2, COLS - 4, TC_DIM, line);
        /* the supervisor is told in time that the CA certificate ends */
        if (strcmp(app->ses.role, "supervisor") == 0 && svc_ca_warning(app, line, sizeof line))
            y += ui_wrap(y + 1, 2, COLS - 4, TC_WARN, line);
    }
    y++;
    ui_center(y++, TC_NORMAL, msg(M_HOME_PROMPT));
    y++;
    for (i = 0; i < s->n; i++) {
        snprintf(line, sizeof line, " %d. %s ", i + 1, msg(home_item_label(&home_items[s->idx[i]])));
        ui_text(y + i, 10, COLS - 20, i == s->sel ? TC_SELECT : TC_NORMAL, line);
    }
    home_draw_down(app);
}

static int
home_key(struct app *app, void *state, int key)
{
    struct home_state *s = state;

    home_items_visible(app, s);
    if (ui_list_move(&s->sel, s->n, key))
        return SCR_HANDLED;
    switch (key) {
    case '\r':
    case '\n':
    case KEY_ENTER:
        if (s->n == 0)
            return SCR_HANDLED;
        app->next = home_items[s->idx[s->sel]].scr;
        app->next_arg = home_items[s->idx[s->sel]].arg;
        return SCR_PUSH;
    case KEY_F(10):
        return (app->mode & MODE_CLERK) ? SCR_QUIT : SCR_IGNORED;
    case KEY_F(9):
        if ((app->mode & MODE_CLERK) == 0 || !app->ses.signed_in)
            return SCR_IGNORED;
        ses_logout(app, "menu");     /* the session guard then shows the login screen */
        app_flash(app, msg(M_SES_LOGGED_OUT));
        return SCR_HANDLED;
    default:
        if (((key >= '1' && key <= '9' && key - '1' < s->n) || (key == '0' && s->n >= 10))) {
            s->sel = key == '0' ? 9 : key - '1';    /* 0 opens the 10th, as on a phone's keypad */
            app->next = home_items[s->idx[s->sel]].scr;
            app->next_arg = home_items[s->idx[s->sel]].arg;
            return SCR_PUSH;
        }
        return SCR_IGNORED;
    }
}

static void
home_free(void *state)
{
    free(state);
}

const struct screen screen_home = {
    .name = "home",
    .modes = MODE_ALL,
    .init = home_init,
    .draw = home_draw,
    .key = home_key,
    .free = home_free,
    .access = SCR_OPEN,
};

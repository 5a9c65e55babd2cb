/*
 * kiosk/app.h - the running kiosk: its configuration, the services it holds
 * (token, records, printer), the counter mode, and the screen stack driven
 * by the one input loop (kiosk/loop.c).
 */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include <stdbool.h>
#include <time.h>

#include "kiosk/kinds.h"
#include "kiosk/config.h"
#include "token/token.h"
#include "data/store.h"
#include "kiosk/session.h"

/* Counter modes; a screen lists the modes allowed to reach it. */
enum app_mode {
    MODE_W66 = KIND_AT_W66,   /* window 66: CA acceptance point (clerk) */
    MODE_W68 = KIND_AT_W68,   /* window 68: seal binding (clerk) */
    MODE_SELF = KIND_AT_SELF, /* hall self-service terminal */
};
#define MODE_CLERK (MODE_W66 | MODE_W68)
#define MODE_ALL (MODE_W66 | MODE_W68 | MODE_SELF)

/* Flags returned by screen hooks (htop's HandlerResult). */
enum scr_flags {
    SCR_IGNORED = 0,
    SCR_HANDLED = 1 << 0,  /* the key meant something */
    SCR_REDRAW = 1 << 1,   /* draw again */
    SCR_BACK = 1 << 2,     /* pop this screen */
    SCR_PUSH = 1 << 3,     /* push app->next (set by the hook) */
    SCR_HOME = 1 << 4,     /* pop back to the home screen */
    SCR_QUIT = 1 << 5,     /* leave the kiosk (clerk modes only) */
};

/* Events the loop delivers besides keys. */
enum scr_event {
    EV_KEYS_CHANGED,      /* a UKey was plugged or pulled */
    EV_TICK,              /* about every tick_ms while idle */
};

struct app;
struct prn_worker;

/*
 * A screen (tmux's window_mode, htop's PanelClass). Hooks a screen does not
 * need stay NULL. STATE is the screen's own, made by init, freed by free.
 */
/* Who may enter a screen in the clerk modes (kiosk/session.c, ses_may_reach). */
enum scr_access {
    SCR_SIGNED_IN = 0,       /* a signed-in, unlocked clerk (the default) */
    SCR_OPEN,                /* anyone (the home menu) */
    SCR_LOGIN,               /* the login / lock screen: clerk modes only */
};

struct screen {
    const char *name;        /* stable id, used in logs and tests */
    unsigned modes;          /* enum app_mode bits allowed to reach it */
    void *(*init)(struct app *app, const void *arg);
    void (*draw)(struct app *app, void *state);
    int (*key)(struct app *app, void *state, int key);
    int (*event)(struct app *app, void *state, enum scr_event ev);
    void (*free)(void *state);
    bool supervisor;         /* only a signed-in supervisor may reach it (kiosk/session.h) */
    enum scr_access access;  /* who may enter it in the clerk modes */
};

#define APP_STACK_MAX 16

struct app_frame {
    const struct screen *scr;
    void *state;
};

/* Status of a service the kiosk depends on, shown in the status bar. */
enum svc_state { SVC_UNKNOWN = 0, SVC_UP, SVC_DOWN };

struct app {
    struct kiosk_config cfg;
    enum app_mode mode;

    tok_ctx *tok;              /* NULL when the module could not load */
    char tok_error[256];       /* why tok is NULL */
    enum svc_state hsm;        /* HSM token present */
    bool hsm_locked;           /* no HSM PIN file: waiting for a supervisor to type it (screen_hsm) */
    store *st;                 /* NULL when the database could not open */
    char store_error[256];
    enum svc_state printer;    /* last known printer state */
    enum msg_id printer_msg;   /* what to tell the clerk about it */
    struct prn_worker *printer_worker; /* pumps the outbox off the loop (printing/worker.c) */
    int printer_queued;        /* jobs waiting in the outbox, as the worker last saw */

    struct app_frame stack[APP_STACK_MAX];
    int depth;
    const struct screen *next; /* set by a hook that returns SCR_PUSH */
    const char *next_name;     /* ... or the screen's name, resolved by the loop: a
                                * page need not know the screen it opens (no circles) */
    const void *next_arg;      /* argument for next->init */

    char flash[256];           /* one-line message for the status bar */
    time_t flash_until;
    time_t st_pinged;              /* when the records (a hall's server) were last asked whether they answer */
    time_t crl_checked;            /* window 66: when the CRL's age was last looked at */
    time_t last_input;         /* for idle handling */
    struct ses ses;            /* signed-in clerk, lock, self-service keys (kiosk/session.h) */
    bool exit_after_draw;      /* --exit-after-draw: benchmarks of start-up */
};

/* Open the services named in APP->cfg, noting what is down. Never fails. */
void app_open_services(struct app *app);

/*
 * The HSM unlocked with PIN, typed at the start of the day (no PIN file):
 * then the audit key is fetched and, at window 66, the CA key found. Each
 * attempt is audited (hsm.unlock, hsm.unlock.fail). Returns the token
 * status (TOK_OK, TOK_ERR_PIN_INCORRECT, ...); WHY (N bytes) says what
 * went wrong otherwise, technically.
 */
int app_hsm_unlock(struct app *app, const char *pin, char *why, size_t n);
void app_close_services(struct app *app);

/* Ask the print worker to send job JOB_ID (0 = whatever is due) now; never
 * waits on the printer. */
void app_print_wake(struct app *app, int64_t job_id);

/* Periodic upkeep from the loop's idle tick: the printer state the worker last saw. */
void app_tick_services(struct app *app);

/* Push SCR (with ARG) on top; returns false when the mode may not reach it. */
bool app_push(struct app *app, const struct screen *scr, const void *arg);
void app_pop(struct app *app);

/* Show a one-line message in the status bar for a few seconds. */
void app_flash(struct app *app, const char *text);

/* Run the input loop until quit; returns the exit status. */
int app_run(struct app *app);

/* Parse "window66" / "window68" / "self". */
int app_parse_mode(const char *s, enum app_mode *out);
const char *app_mode_name(enum app_mode m);

#endif

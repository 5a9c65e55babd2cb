/*
 * kiosk/session.h - who is at the counter: the signed-in clerk and role,
 * idle tracking, the screen lock, and the self-service privacy wipe.
 *
 * Window modes (window66, window68) are never usable without a clerk: the
 * session guard (ses_guard, run by the input loop after every key and tick)
 * keeps the login screen on top until a clerk of a fitting role signs in,
 * and the lock screen on top while the session is locked. app_push asks
 * ses_may_reach before any screen is entered.
 *
 * Self-service has no login. After self_idle_s without input, or when a
 * UKey is pulled, every screen above home is popped (their free hooks
 * cleanse what they held: see ses_cleanse_free) and home returns.
 *
 * Every login, failed login, refused login, lock, unlock and logout
 * appends an audit row (store_audit). Passwords never reach the audit.
 *
 * Failed sign-ins lock a login out: after SES_LOCKOUT_FAILS failures for
 * one login name within SES_LOCKOUT_WINDOW_S, that name is refused for
 * SES_LOCKOUT_S from the last of them, whatever the password, whether or
 * not the name exists (an unknown name is locked the same way: no hint).
 * The count comes from the audit rows (login.fail since the name's last
 * login or unlock); the lockout and every refused attempt are audited
 * (login.lockout, login.locked).
 */
#ifndef KIOSK_SESSION_H
#define KIOSK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "data/store.h"
#include "token/token.h"

struct app;
struct screen;

#define SES_KEYS_MAX 8

#define SES_LOCKOUT_FAILS 5            /* failed sign-ins ... */
#define SES_LOCKOUT_WINDOW_S (15 * 60) /* ... within this many seconds ... */
#define SES_LOCKOUT_S (15 * 60)        /* ... refuse the login for this long */

/* The counter's session, held in struct app (app->ses). */
struct ses {
    bool signed_in;                /* a clerk is signed in */
    bool locked;                   /* idle lock: the lock screen is on top */
    char login[33];                /* clerk login */
    char name[128];                /* clerk display name */
    char role[16];                 /* window66 | window68 | supervisor */
    time_t since;                  /* when the clerk signed in */
    /* UKeys seen at the last EV_KEYS_CHANGED (self-service wipe on pull). */
    char keys[SES_KEYS_MAX][TOK_SERIAL_MAX];
    size_t nkeys;
    bool keys_known;               /* keys[] filled at least once */
};

/* Results of ses_login. */
enum ses_result {
    SES_OK = 0,                    /* signed in (a new session) */
    SES_RESUMED = 1,               /* the locked clerk gave the password: unlocked */
    SES_BAD_CREDENTIALS = -1,      /* unknown login, wrong password or disabled: never say which */
    SES_WRONG_ROLE = -2,           /* right password, role does not fit this window */
    SES_NO_STORE = -3,             /* the records are down: nobody can sign in */
    SES_LOCKED_OUT = -4,           /* too many failures: refused for a while (ses_lockout_left) */
    SES_BUSY = -5,                 /* the outcome could not be recorded (the records busy): refused,
                                    * right password or wrong, nothing changed */
};

/* Argument given to screen_login's init to make it the lock screen. */
extern const char ses_lock_arg[];

/* Does a clerk of ROLE ("window66", "window68", "supervisor") fit counter MODE
 * (enum app_mode bits)? Supervisors fit both windows; nobody fits self. Pure. */
bool ses_role_fits(unsigned mode, const char *role);

/* Is a supervisor signed in (and not locked)? */
bool ses_is_supervisor(const struct app *app);

/*
 * Check LOGIN / PASSWORD with the store and sign in. While locked, the same
 * clerk resumes (SES_RESUMED) and another clerk ends the first session
 * (logout audited) and starts a new one (SES_OK). Writes the audit row
 * for success, failure and refusal. PASSWORD is not kept.
 */
enum ses_result ses_login(struct app *app, const char *login, const char *password);

/*
 * The password check every sign-in and every supervisor's confirmation
 * goes through (WHERE: the mode or "cli", for the audit): the lockout read
 * from its own record first (unreadable: refused), then the password; a
 * wrong one is counted and audited (login.fail, login.lockout) in one unit
 * before it is said. SES_OK (ROLE filled) is not recorded yet: the caller
 * records what the success is for with ses_record, and gives nothing if
 * that fails. SES_BUSY: the records could not take the outcome.
 */
enum ses_result ses_password(store *st, const char *where, const char *login, const char *password, char *role,
                             size_t rolelen);
/* Record a sign-in's outcome in one unit: the lockout's record (FAILED: one
 * more failure, *LEFT the lockout it makes; else cleared) and the audit row
 * ACTION with DETAIL. A store status. */
int ses_record(store *st, const char *where, const char *actor, bool failed, const char *action, const char *detail,
               long *left);

/*
 * Pure rule of the lockout: FAILS are the times of a login's failed
 * sign-ins since its last success, newest first (N of them). Returns the
 * seconds the login stays refused at NOW: some FAILS[i] ended a run of
 * SES_LOCKOUT_FAILS failures within SES_LOCKOUT_WINDOW_S and NOW is
 * before FAILS[i] + SES_LOCKOUT_S; else 0.
 */
long ses_lockout_rule(const time_t *fails, size_t n, time_t now);

/*
 * Seconds LOGIN stays refused now (the store's clock), read from the audit
 * rows; 0 when it may try, or when the records cannot be read.
 */
long ses_lockout_left(struct app *app, const char *login);

/* ses_lockout_left for what a clerk typed: a malformed login name is
 * counted under "?" (as ses_login records it), so the message is the same. */
long ses_lockout_left_typed(struct app *app, const char *typed);
/* The same for any store (the CLI's clerk list): seconds LOGIN stays locked out, 0 none. */
long ses_lockout_of(store *st, const char *login);
/* Wrong passwords the login name TYPED may still give before it is locked
 * out (SES_LOCKOUT_FAILS when none counts; the same for a login that does
 * not exist, so it tells nothing of which do). */
int ses_tries_left(struct app *app, const char *typed);

/* The role label of account LOGIN (after SES_WRONG_ROLE: the password was
 * right, so naming it is no hint); "" when unknown. */
const char *ses_role_of(struct app *app, const char *login);

/* What is wrong with the records, for SES_NO_STORE. Never NULL. */
const char *ses_store_problem(const struct app *app);

/* Audit one session event under ACTOR; a store fault is flashed, never fatal. */
void ses_audit(struct app *app, const char *actor, const char *action, const char *detail);

/* End the session (audited with REASON, e.g. "menu", "quit", "replaced"). No-op if nobody is in. */
void ses_logout(struct app *app, const char *reason);

/* Lock the session now (audited). No-op unless signed in and unlocked. */
void ses_lock(struct app *app);

/* ---- kiosk/guard.c: the session over the screen stack (the loop calls these) ---- */

/*
 * Self-service privacy wipe: pop every screen above home (their free hooks
 * cleanse their buffers) and audit it with REASON ("idle", "key pulled").
 * Returns true when something was wiped.
 */
bool ses_wipe(struct app *app, const char *reason);

/* Could SCR be entered now (role, sign-in and lock)? app_push asks this. */
bool ses_may_reach(const struct app *app, const struct screen *scr);

/*
 * Enforce the session after every key and tick: clerk modes without a clerk
 * get the login screen (everything above home popped first); a locked
 * session gets the lock screen on top. Returns SCR_* flags (REDRAW when it
 * changed the stack).
 */
int ses_guard(struct app *app);

/* Idle upkeep from the loop's tick: lock clerk modes after idle_lock_s,
 * wipe self-service after self_idle_s. Returns SCR_* flags. */
int ses_tick(struct app *app);

/* A UKey was plugged or pulled: self-service wipes when one was pulled.
 * Returns SCR_* flags. */
int ses_keys_changed(struct app *app);

/* Zero N bytes at P (OPENSSL_cleanse) and free P; for screens' free hooks. */
void ses_cleanse_free(void *p, size_t n);

/* Catalogue name of a role ("66号窗口柜员"...), for screens. */
const char *ses_role_label(const char *role);

#endif

/*
 * kiosk/engine.h - the transaction engine.
 *
 * A transaction (业务) is a const table of steps (struct txn_def). While it
 * runs, a struct txn holds the order (data/store.h) and the values entered so
 * far as key=value pairs. The order's step and the values are written to the
 * store at every step (txn_save), so an order interrupted anywhere - a key
 * pulled, the printer down, the power cut - is found again by the operator's
 * ID number and resumed at the right step (txn_resume, honouring each step's
 * resume_at) or cancelled (txn_cancel).
 *
 * Steps flagged TXN_STEP_PAID may only be entered once the order is paid:
 * no key is touched before the clerk has confirmed payment.
 *
 * PINs never enter the data: a step that needs one keeps it in txn.pin,
 * which txn_pin_clear() zeroes.
 *
 * The issuing of a new certificate (txn_new_*) lives here too, as functions
 * of the engine's environment (config, token context, store), so the screen,
 * the integration helper and the benchmark run exactly the same code.
 */
#ifndef KIOSK_ENGINE_H
#define KIOSK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "data/store.h"
#include "kiosk/config.h"
#include "kiosk/field.h"
#include "kiosk/keylife.h"
#include "kiosk/kinds.h"
#include "kiosk/msg.h"
#include "kiosk/rules.h"
#include "token/token.h"

struct prn_worker;

/* Step flags. */
enum txn_step_flags {
    TXN_STEP_PAID = 1 << 0,   /* may only be entered after payment */
    TXN_STEP_NOBACK = 1 << 1, /* Esc does not leave it (paid, or a key being written) */
    TXN_STEP_HOLDER_KEY = 1 << 2, /* PAGE_KEY: the holder's own key (the servicing view), not a blank one */
    TXN_STEP_NO_PAPERS = 1 << 4,  /* PAGE_FEE: nothing to sign (self-service): no forms printed */
    TXN_STEP_MAY_SKIP = 1 << 3,   /* PAGE_KEY: N goes on without a key (it does not read); value
                                   * "<step>_skipped" = 1 */
};

/* The kinds of page a step shows: screens/txn_host.c has one page for each,
 * so a new transaction is a table of steps, not a set of screens. */
enum txn_page {
    PAGE_FORM = 0,      /* fields entered (.form), checked as each is left and on submit */
    PAGE_CHOICE,        /* the certificate kind and the term in years */
    PAGE_MATERIALS,     /* the paper materials the clerk ticks: the kind's list (kinds table) */
    PAGE_FEE,           /* the quote (the kind's fee rule) and the papers printed to sign */
    PAGE_PAY,           /* payment: cash, POS or a QR code */
    PAGE_KEY,           /* the key, judged by the engine (the def's key_scan) */
    PAGE_PIN,           /* the applicant sets the PIN, twice; or types the current one (.pin) */
    PAGE_RUN,           /* the step's stages, one per tick (txn_advance) */
    PAGE_DONE,          /* what was done and where to go next */
    PAGE_CONFIRM,       /* a yes/no question with a warning for "yes" (.confirm) */
    PAGE_PICK,          /* one answer of a short list (.pick) */
    PAGE__COUNT
};

struct txn;
struct txn_env;

/* One field of a form page (kiosk/form.c edits it, CJK-correct). */
struct txn_field {
    const char *key;          /* txn value key it loads from / stores to */
    enum msg_id label;        /* label text */
    int max_chars;            /* limit in characters */
    unsigned field_flags;     /* enum field_flags (kiosk/field.h; FIELD_MASK for PINs) */
    bool required;            /* empty is an error (M_RULE_REQUIRED naming the label) */
    enum rules_status (*check)(const char *text); /* validator for a non-empty value, or NULL */
    const char *(*offer)(const struct txn_env *env); /* the value an empty field starts with (the profile's), or NULL */
};

/* A form page. */
struct txn_form {
    enum msg_id intro;                  /* line above the fields; 0 = the company's name */
    const char *note_key;               /* a value shown under the intro when set (NULL none) */
    const struct txn_field *fields;
    int nfields;
    /* Checked against the records when submitted (NULL = none): 0, or a
     * catalogue message with *field the key of the field it belongs to;
     * OTHER_ID (N bytes, may stay "") names an ID number whose unfinished
     * order the clerk may open instead (F6). */
    enum msg_id (*check)(const struct txn *t, const struct txn_env *env, const char **field, char *other_id,
                         size_t n);
};

/* What a run of one stage ended with. */
enum txn_run_result {
    RUN_OK = 0,         /* stage done; call again for the next one */
    RUN_DONE,           /* nothing left */
    RUN_TOKEN,          /* key trouble (tok_rc): the stage's on_key_fail step */
    RUN_STORE,          /* records trouble (store_rc): retry the stage */
    RUN_REFUSED,        /* a records rule refuses it now (why): cancel only */
};
struct txn_run {
    int stage;                  /* index of the stage that ran in the step's list */
    int tok_rc, store_rc;
    enum msg_id why;            /* RUN_REFUSED */
    char note[256];             /* e.g. receipt: printed or queued */
    bool note_warn;
};

/*
 * A piece of a step's paid work (PAGE_RUN runs a step's stages one per
 * tick). Whether it is done is read from the order's journal alone, so a
 * resumed order continues with the first stage not done. Its failure policy
 * is part of it: key trouble goes back to ON_KEY_FAIL, records trouble is
 * retried, a refusal leaves only cancelling.
 */
struct txn_stage {
    const char *name;                     /* stable: "init", "issue", "record", ... */
    enum msg_id title;                    /* the run page's list */
    bool (*done)(const struct txn *t);    /* done already, by the journal */
    enum txn_run_result (*run)(struct txn *t, const struct txn_env *env, struct txn_run *r);
    bool needs_pin;                       /* cannot run without the PIN typed in this visit */
    const char *on_key_fail;              /* the step to go back to on key trouble */
    enum msg_id done_note;                /* shown once it is done (0 = none) */
    enum msg_id store_fail_msg;           /* template (%s: why) when the records fail here;
                                           * 0 = M_TXN_ISSUE_FAILED */
};

/* What a PAGE_PIN step asks for. */
enum txn_pin_kind {
    TXN_PIN_NEW = 0,    /* a new PIN, twice (rules_pin_confirm) -> txn.pin */
    TXN_PIN_CURRENT,    /* the key's current PIN, checked and counted (txn_pin_check) -> txn.pin_old */
};

/* A question the applicant answers (PAGE_CONFIRM): N goes on (KEY=0); Y shows
 * WARNING, then C goes on anyway (KEY=1) or F8 cancels the order. */
struct txn_confirm {
    const char *key;
    enum msg_id question;
    enum msg_id warning;
};

/* One answer of a list (PAGE_PICK): KEY = 1..noptions, the option chosen. */
struct txn_pick {
    const char *key;
    enum msg_id question;
    const enum msg_id *options;
    int noptions;
    const struct txn_show *rows;  /* what the answer concerns, shown above it (may be NULL) */
    int nrows;
};

/* One step of a transaction: a page kind and its parameters. */
struct txn_step {
    const char *name;             /* stored in orders.step; stable, ASCII */
    enum msg_id title;            /* screen title */
    enum txn_page page;           /* the kind of page shown for it */
    const struct txn_form *form;  /* PAGE_FORM */
    const struct txn_stage *const *stages; /* PAGE_RUN: the work, in order */
    int nstages;
    unsigned flags;               /* enum txn_step_flags */
    const char *resume_at;        /* step to restart from when interrupted here, NULL = here */
    enum txn_pin_kind pin;        /* PAGE_PIN */
    const struct txn_confirm *confirm; /* PAGE_CONFIRM */
    const struct txn_pick *pick;  /* PAGE_PICK */
    /* Not shown for this order (NULL = always shown): e.g. the unopened-bids
     * question of a renewal that keeps the key pair. Read from its values. */
    bool (*skip)(const struct txn *t, const struct txn_env *env);
};

/* One line of the done page: the value KEY under LABEL (skipped when empty). */
enum txn_show_flags {
    TXN_SHOW_MASK_ID = 1 << 0,    /* an ID number: shown masked */
    TXN_SHOW_DATE = 1 << 1,       /* a time (seconds): shown as the local day */
};
struct txn_show {
    const char *key;
    enum msg_id label;
    unsigned flags;
};

/* The done page of a transaction. */
struct txn_done {
    enum msg_id headline;         /* "办理完成" ... */
    const struct txn_show *rows;
    int nrows;
    enum msg_id next;             /* where to go next, 0 = nothing */
    const char *alt_key;          /* when this value is set (not "" or "0"), next_alt instead of next */
    enum msg_id next_alt;
};

struct txn_key_view;



/* A transaction kind: its code in orders.txn and its steps in order. */
struct txn_def {
    enum txn_kind kind;           /* its row in the kinds table: code in orders.txn, title, fee, papers */
    const struct txn_step *steps;
    int nsteps;
    /* The transaction's own records besides the order (NULL = none): called
     * by txn_save in the same unit of work as the order row, after it is
     * written (t->order.id set). Returns a store status; a failure undoes
     * the order's save too. */
    int (*records)(struct txn *t, store *st);
    /* Where an interrupted order resumes when its journal says more than its
     * step (NULL = the step's resume_at): a step name, or NULL to keep it. */
    const char *(*resume_at)(const struct txn *t);
    /* Why the order may not be cancelled now (0 = it may), reading the world
     * through ENV (NULL = always allowed). */
    enum msg_id (*may_cancel)(const struct txn *t, const struct txn_env *env);
    /* Work to do in the cancel's unit of work (e.g. audit certificates
     * signed for the order and destroyed since); NULL = none. store status. */
    int (*on_cancel)(struct txn *t, const struct txn_env *env);
    /* The key page (PAGE_KEY): what the inserted key is to this order, and
     * taking it (0, or a catalogue message saying why not; WIPE: the clerk
     * agreed to erase it). */
    void (*key_scan)(const struct txn *t, const struct txn_env *env, struct txn_key_view *v);
    enum msg_id (*key_take)(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe);
    /* The done page (PAGE_DONE). */
    const struct txn_done *done;
    /* Servicing: the key is the holder's own, in use (unlock, PIN change,
     * self-test), not a blank one to issue onto. */
    bool servicing;
    /* The order is the key holder's own (self-service): no operator; saved
     * once quoted, after the key's PIN; found again only by the key and its
     * PIN (screens/myorders.c), never by an ID number. */
    bool holder_order;
    /* What the service does to the holder's key (kiosk/keylife.h), which its
     * state must allow at the key page and the PIN check: KEYEV_USE when 0;
     * KEYEV_UNLOCK, KEYEV_TAKE_BACK (a damaged key handed in), KEYEV_RELEASE
     * (解挂: the key is held and its certificate must be on hold). */
    enum key_event key_ev;
    /* The quote's inputs besides the term, judged from the records while
     * the order is unpaid (a damaged key's warranty), and why the quote is
     * what it is for the fee page (NOTE, N bytes; "" = nothing to say).
     * NULL = the term alone. */
    void (*quote_in)(struct txn *t, const struct txn_env *env, struct rules_quote_in *in, char *note, size_t n);
};

/* The key of T's current step (TXN_STEP_MAY_SKIP) does not read: the order
 * goes on without it, and says so (value "<step>_skipped" = 1). */
void txn_key_skip(struct txn *t);

/* Is the key of T's current step the holder's own (def servicing, or the
 * step flagged TXN_STEP_HOLDER_KEY)? */
bool txn_key_holder(const struct txn *t);

#define TXN_KV_MAX 48
#define TXN_KEY_MAX 24
#define TXN_VAL_MAX 256
#define TXN_PIN_MAX 32

struct txn_kv {
    char key[TXN_KEY_MAX];        /* [a-z_0-9] */
    char val[TXN_VAL_MAX];        /* UTF-8, no control characters */
};

/* A running transaction. */
struct txn {
    const struct txn_def *def;
    struct store_order order;     /* id 0 until first saved */
    int step;                     /* index into def->steps */
    struct txn_kv kv[TXN_KV_MAX];
    int nkv;
    char pin[TXN_PIN_MAX];        /* user PIN while it is needed; zeroed by txn_pin_clear */
    char pin_old[TXN_PIN_MAX];    /* the current PIN (TXN_PIN_CURRENT), checked; zeroed with pin */
    struct tok_cert cert;         /* certificate issued (TXN new, after txn_new_issue) */
    bool cert_recorded;           /* cert stored in the records */
};

/* What the engine works with. Any pointer may be NULL where not needed. */
struct txn_env {
    const struct kiosk_config *cfg;
    tok_ctx *tok;
    store *st;
    const char *window;           /* "window66" ... */
    const char *clerk;            /* clerk login, "" for none */
    time_t now;                   /* 0 = time(NULL) */
    /* The print worker that owns the printer (printing/worker.c). Set in the
     * kiosk: papers are queued and the worker woken, the input loop never
     * sends. NULL (commands, tests, benchmarks): the outbox is pumped here. */
    struct prn_worker *printer;
};

/* Who acts, for the audit: the signed-in clerk's login, else the terminal's window ("self"). */
const char *txn_actor(const struct txn_env *env);

/* The engine's clock: env->now, or time(NULL) when 0. */
time_t txn_now(const struct txn_env *env);

/*
 * Crash points for the crash sweep (tests/integration/crash_sweep.sh): when
 * the environment variable KIOSK_FAULT_KILL names POINT, the process kills
 * itself with SIGKILL right there, as a power cut would. Points of 证书新办:
 * papers pay wipe init keypair sign write record receipt. When
 * KIOSK_FAULT_TRACE names a file, each point passed is appended to it, one
 * name a line, so a sweep knows which points a transaction passes
 * (tests/integration/fault_sweep.sh).
 */
void txn_fault(const char *point);

/* Set KEY=VAL and save the order now (write-ahead of an effect, or its
 * outcome). On failure the old value is put back and the store status
 * returned: the effect must not happen. */
int txn_mark(struct txn *t, store *st, const char *key, const char *val);

/* Start T for DEF at its first step, nothing saved yet. */
void txn_begin(struct txn *t, const struct txn_def *def, const char *window, const char *clerk);

/* The step after FROM going DIR (+1 forward, -1 back), past the steps the
 * order skips (struct txn_step .skip): an index, -1 before the first, or
 * def->nsteps past the last. */
int txn_step_after(const struct txn *t, const struct txn_env *env, int from, int dir);

/* Index of the step named NAME in DEF, or -1. */
int txn_step_index(const struct txn_def *def, const char *name);

/* The step T is at. */
const struct txn_step *txn_cur(const struct txn *t);

/* Value of KEY, "" when unset. Never NULL. */
const char *txn_get(const struct txn *t, const char *key);
/* Set KEY to VAL (control characters become spaces, cut at TXN_VAL_MAX-1 on a
 * character boundary). Returns 0, or -1 when the table is full or KEY is bad. */
int txn_set(struct txn *t, const char *key, const char *val);
int txn_get_int(const struct txn *t, const char *key, int dflt);
int txn_set_int(struct txn *t, const char *key, int v);

/* Serialise the values into BUF as "key=value\n" lines. Returns 0 or -1 if it does not fit. */
int txn_data_encode(const struct txn *t, char *buf, size_t n);
/* Replace the values with those parsed from DATA. Returns the pairs read. */
int txn_data_decode(struct txn *t, const char *data);

/*
 * May T move to step IDX? 0, or a catalogue message saying why not
 * (M_TXN_NOT_PAID for a TXN_STEP_PAID step of an unpaid order).
 */
enum msg_id txn_may_enter(const struct txn *t, int idx);

/*
 * Move T to step IDX (txn_may_enter must allow it) and save. The order is
 * created by the first save that has an operator ID; until then nothing is
 * written. Returns STORE_OK, a store status (the step is still changed in
 * memory, so a retry with txn_save works), or STORE_ERR_CONFLICT when the
 * step may not be entered or the records refuse the order (the step is left
 * as it was: txn_save_refused says why).
 */
int txn_goto(struct txn *t, store *st, int idx);

/* What to tell the clerk when saving T failed with RC: the records busy, a
 * write failed, or (STORE_ERR_CONFLICT) the order was closed at another
 * counter, or another counter opened an order for the same operator or
 * company first (the hall-wide one-open-order rules). */
enum msg_id txn_save_refused(const struct txn *t, store *st, int rc);

/* Write the order (step, values, money) and the transaction's records
 * (def->records) now, in one unit of work: all or nothing. Creates the
 * order when needed (see txn_goto); a failed create leaves order.id 0. */
int txn_save(struct txn *t, store *st);

/*
 * The order's quote from the CA profile by its kind (rules_fee_quote): the
 * term (value "years") and the def's quote_in (a damaged key's warranty,
 * NOTE says why; NOTE may be NULL); the amount (value "amount", fen) set
 * from it while the order is unpaid. RULES_OK, or the rule's refusal (q
 * zeroed, amount untouched).
 */
enum rules_status txn_quote(struct txn *t, const struct txn_env *env, struct rules_quote *q, char *note, size_t n);

/* Record payment: METHOD cash|pos|qr, or "free" where the quote is 0 (the
 * order confirmed paid with no method and no payment row, audited
 * order.free; refused with STORE_ERR_CONFLICT when the amount is not 0), at NOW (0 = now): the order's
 * paid_at and a payment record (amount, clerk) in one unit of work. The
 * order must exist (saved with an operator ID): else STORE_ERR_NOT_FOUND.
 * On any failure T is left unpaid and nothing is written. */
int txn_pay(struct txn *t, store *st, const char *method, time_t now);

/* A payment the provider recorded for T's order since T last looked
 * (kiosk/engine_pay.c): taken into T (paid_at, method, amount); true when
 * it was. txn_save does it after every save. */
bool txn_pay_poll(struct txn *t, store *st);

/* The catalogue's name of a payment method code (cash, pos, qr; "" or
 * "free": free of charge). Never 0. */
enum msg_id txn_pay_method_msg(const char *code);

/* What a payment provider's confirmation came to (kiosk/engine_pay.c). */
enum txn_pay_verdict {
    PAYV_OK = 0,            /* taken: the order is paid */
    PAYV_UNKNOWN,           /* no such order */
    PAYV_CLOSED,            /* finished or cancelled, unpaid */
    PAYV_NOT_DUE,           /* not waiting at a payment page */
    PAYV_WRONG_AMOUNT,      /* not the order's quote */
    PAYV_DUPLICATE,         /* paid already */
};
/*
 * The provider ACTOR confirms that order NUMBER was paid AMOUNT fen (by QR)
 * at NOW (0 = now). *V says whether it was taken; a refusal is audited
 * (pay.refused, naming ACTOR and the reason). Returns a store status.
 */
int txn_pay_confirm(store *st, const char *number, long amount, const char *actor, time_t now,
                    enum txn_pay_verdict *v);
/* A verdict's stable code for the audit and the command's output ("wrong_amount"). */
const char *txn_pay_verdict_code(enum txn_pay_verdict v);

/*
 * Load order ID into T for DEF (whose code must match the order's txn) and
 * place it at the step where it must resume: the stored step, or that
 * step's resume_at; a TXN_STEP_PAID step of an unpaid order falls back to
 * the last step before payment. NOT_FOUND, CONFLICT (not OPEN / other txn).
 */
int txn_resume(struct txn *t, const struct txn_def *def, store *st, int64_t id);

/* The operator's unfinished order (ID number OPERATOR_ID) into O: STORE_OK,
 * STORE_ERR_NOT_FOUND or a store status. */
int txn_find_open(store *st, const char *operator_id, struct store_order *o);
/* An order by its number (NN-YYYYMMDD-NNNN: any state), else the OPEN order
 * of the operator ID number TEXT; NOT_FOUND. */
int txn_find_order(store *st, const char *text, struct store_order *o);
/* Print the receipt of finished order O again (a new outbox job from the
 * one printed), audited (print.reprint) as ENV's actor; the worker woken.
 * CONFLICT when O is not finished, NOT_FOUND when no receipt was printed. */
int txn_order_reprint(const struct txn_env *env, const struct store_order *o);

/* The jobs just queued are the printer's now: the worker woken (kiosk), or
 * the outbox pumped here (commands, tests). 0, or -1 with ERR saying they
 * wait in the outbox. */
int txn_print_kick(const struct txn_env *env, char *err, size_t errlen);

/* The kind's 办理材料清单 for T's applicant, queued (each time asked) and
 * the printer asked: 0, or -1 with ERR (not saved yet, or it waits). */
int txn_print_checklist(struct txn *t, const struct txn_env *env, char *err, size_t errlen);

/*
 * Pay back the money of cancelled order ORDER_ID: the refund recorded (the whole
 * payment, by the method it was paid, audited order.refund as ENV's actor)
 * and its 退款凭证 queued in one unit of work, then the printer asked.
 * STORE_OK (ERR, if not empty, says the slip waits in the outbox), CONFLICT
 * when it is not a cancelled, paid order or was refunded already,
 * NOT_FOUND, or a store status.
 */
struct store_refund;
int txn_refund(const struct txn_env *env, int64_t order_id, struct store_refund *out, char *err, size_t errlen);
/* The refunds due (store_orders_refund_due), for the counter's 待退款 list. */
int txn_refunds_due(const struct txn_env *env, struct store_order *out, size_t max, size_t *n);

/* Cancel T's order (if saved) with WHY; T is left at step 0 with values kept.
 * txn_cancel_as names ACTOR (a clerk login, or the terminal) in the audit
 * row; txn_cancel the order's own clerk. */
int txn_cancel(struct txn *t, store *st, const char *why);
int txn_cancel_as(struct txn *t, store *st, const char *why, const char *actor);

/*
 * What the counter in MODE (a KIND_AT_* bit) running as WINDOW ("window66",
 * "self" ...) may see and do with order O. An order started at another
 * window: the self-service terminal learns nothing of it (NONE), a counter
 * only where it is (ELSEWHERE). An order of this window (HERE): resumed
 * and cancelled where the kinds table allows (its resume_modes and
 * cancel_modes).
 */
enum txn_access { TXN_ACCESS_NONE = 0, TXN_ACCESS_ELSEWHERE, TXN_ACCESS_HERE };
struct txn_order_rights {
    enum txn_access access;
    bool resume, cancel;
};
void txn_order_rights(const struct store_order *o, unsigned mode, const char *window, struct txn_order_rights *r);

/*
 * Cancel as the clerk asks: refused with a catalogue message in *why when
 * def->may_cancel says so, else def->on_cancel (the compensation: 证书新办
 * revokes a certificate signed for the order) and the cancel in one unit of
 * work; a certificate revoked there is then published on the CRL.
 * Returns STORE_OK, STORE_ERR_CONFLICT with *why set, or a store status.
 */
int txn_cancel_checked(struct txn *t, const struct txn_env *env, const char *reason, enum msg_id *why);

/* Finish T's order: OPEN -> DONE, stored at the last step (the step reached). */
int txn_finish(struct txn *t, store *st);

/* The catalogue entry explaining token status STATUS (token/ reports its
 * own codes; the words for them live here, above it). */
enum msg_id txn_tok_msg(int status);

/* Zero the PIN buffer. */
void txn_pin_clear(struct txn *t);

/* ---- 有效期查询: the validity check (kiosk/engine_check.c) ----------------- */

struct txn_check {
    bool have_key;                   /* a key was inserted */
    char key_serial[TOK_SERIAL_MAX]; /* the key read */
    int status;                      /* token status of the read (txn_tok_msg) */
    struct tok_cert cert;            /* the certificate read */
    enum rules_validity verdict;     /* classification on the day of the read */
    long days_left;
    time_t read_at;                  /* when it was read (the kiosk's clock, env->now) */
    bool clock_suspect;              /* clock earlier than the last recorded check */
    bool record_failed;              /* the check could not be recorded */
    bool revoked;                    /* the records hold it revoked (or on hold): when and why below */
    bool held;                       /* on hold (reported lost), not yet revoked for good */
    time_t revoked_at;
    int reason;                      /* RFC 5280 CRLReason */
    enum key_state key_state;        /* the key's state in the records (BLANK when unknown);
                                        LOCKED too when its tries are used up or the token says so */
    int pin_left;                    /* PIN tries before it locks */
    int nkeys;                       /* keys inserted: more than one, none read (several[] says so) */
    char several[256];
};

/* Read the first inserted key's certificate, classify it with the profile's
 * rules and record the check (checks row + audit "validity_check" under
 * env->window). Nothing inserted: c->have_key false, nothing recorded. */
void txn_check_read(const struct txn_env *env, struct txn_check *c);

/* How many keys are inserted; *still_there when SERIAL is one of them. */
int txn_keys_present(const struct txn_env *env, const char *serial, bool *still_there);

/* The key a page acts on: the one inserted, or among several the order's
 * own (PREFER, its recorded serial; NULL or "" when it has none yet).
 * Returns how many are in: 0 none; 1 (or PREFER among them) with *KEY that
 * one; else more than one and none taken - nothing picks one of several
 * for the clerk - with WHY (N bytes, may be NULL) saying so and naming them
 * all (M_KEY_SEVERAL). */
int txn_one_key(const struct txn_env *env, const char *prefer, struct tok_key *key, char *why, size_t n);

/* ---- the transactions ---------------------------------------------------------- */

/* The transaction of kind K, or NULL when it is not built yet. The one table
 * of transactions (kiosk/engine_table.c), by kind. */
const struct txn_def *txn_def_of(enum txn_kind k);

/* ---- 证书新办: the new-certificate transaction (kiosk/engine_new.c) ------- */

/* Its steps, pages and hooks. */
extern const struct txn_def txn_new_cert;

/*
 * One certificate per enterprise and one open order per operator, checked
 * against the records: RULES-style catalogue message, or 0 when allowed.
 * *other (may be NULL) gets the operator's other open order's id.
 */
enum msg_id txn_new_check_uscc(store *st, const char *uscc);
/* The same, and no other unfinished order for the company than T's (T may be NULL). */
enum msg_id txn_new_check_company(store *st, const struct txn *t, const char *uscc);
enum msg_id txn_new_check_operator(store *st, const struct txn *t, const char *operator_id, int64_t *other);

/* A form's records check shared by every transaction with an operator: no
 * other unfinished order of the operator (value "operator_id"); the field
 * is operator_id and OTHER_ID names the ID whose order may be opened. */
enum msg_id txn_operator_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id,
                               size_t n);
/* A resident ID number (GB 11643) valid today (a form field's check). */
enum rules_status txn_resident_id_today(const char *s);
/* Empty fields of FORM on T start with what their offer() gives (txn_field.offer). */
void txn_form_offer(struct txn *t, const struct txn_env *env, const struct txn_form *form);
/* A legal representative's ID or passport number (rules_legal_id) as of today. */
enum rules_status txn_legal_id_today(const char *s);

/* Fill the printed documents' view of T (company, operator, money, key, cert). */
struct prn_order_doc;
void txn_new_doc(const struct txn *t, const struct txn_env *env, struct prn_order_doc *d);

/* Queue the application form and the seal-sampling sheet once per order:
 * the jobs and the value "forms_printed" in one unit of work. Then env->printer
 * (the print worker) is woken, or without one the outbox is pumped here.
 * Returns 0, or -1 with err (not queued: records trouble; or queued and the
 * printer not reachable, delivered later). */
int txn_new_print_forms(struct txn *t, const struct txn_env *env, char *err, size_t errlen);
/* What the papers print, as 16 hex digits (kept as forms_fpr when they are queued). */
void txn_forms_fpr(const struct txn *t, const struct txn_env *env, char out[17]);
/* The papers were printed and a value they print has changed since (gone back and changed). */
bool txn_forms_stale(const struct txn *t, const struct txn_env *env);
/* Stale papers: the old ones still in the outbox cancelled, those already
 * printed counted in *WITHDRAWN (the clerk collects and destroys them),
 * audited (papers.stale), and the papers printed again. As txn_new_print_forms. */
int txn_new_reprint_stale_forms(struct txn *t, const struct txn_env *env, int *withdrawn, char *err, size_t errlen);

/* Queue the receipt ("receipt_printed"). Same contract. */
int txn_new_print_receipt(struct txn *t, const struct txn_env *env, char *err, size_t errlen);

/*
 * The init stage on its own (benchmarks, tests): put the key named by value
 * "key_serial" in a state to be issued onto, written ahead (fx_key): when it
 * holds a certificate and WIPE is false, TOK_ERR_NOT_BLANK; otherwise one
 * token initialisation erases it and sets its diversified SO PIN, label = the
 * USCC, and the user PIN t->pin. Refused (TOK_ERR_INTERNAL) on an unpaid
 * order. tok status.
 */
int txn_new_init_key(struct txn *t, const struct txn_env *env, bool wipe);

/* The issue stage on its own: reserve the serial (fx_cert=sign, records
 * rules re-checked), generate the key pair on the key, have the CA sign
 * (validity from the profile's rules and value "years", algorithm
 * cfg->key_algo), write, read back, self-test, each outcome journaled.
 * Fills t->cert. tok status (TOK_ERR_INTERNAL also when the records refuse
 * or cannot be written). */
int txn_new_issue(struct txn *t, const struct txn_env *env);

/* Record the certificate issued (store_cert_put), the key (store_key_put:
 * holder, certificate, algorithm, first issue), audit "cert.issue" (ID
 * masked) and the order's journal (fx_cert=recorded; the stored step stays
 * the step reached), all in one unit of work, after checking again that the
 * company has no other active certificate (else STORE_ERR_CONFLICT). Safe to
 * call again after a failure: nothing of a failed call stays. store status. */
int txn_new_record(struct txn *t, const struct txn_env *env);

/* txn_new_cert's def->records: once the operator is confirmed (step "kind"
 * or later) the company (store_company_put) and the operator
 * (store_operator_put) from T's values; skipped while the USCC and company
 * name, or the ID number and operator name, are not both known. */
int txn_new_records(struct txn *t, store *st);
/* The company (values uscc, company, legal_rep, company_phone, office_phone,
 * website, address) and the operator (operator_id, operator_name, mobile,
 * email, wechat; their company uscc) as the order's values hold them, put
 * in the records; skipped while the key pair of names is not both known. */
int txn_company_record(const struct txn *t, store *st);
int txn_operator_record(const struct txn *t, store *st);

/* ---- 证书新办's paid work, written ahead ------------------------------------
 *
 * The order's values are its journal. Before each effect outside the
 * database its intent is saved, after it its outcome:
 *   fx_key   ""  -> wipe|init (intent) -> ready (initialised with the PIN)
 *   fx_cert  ""  -> sign (serial reserved in cert_serial, before the CA signs)
 *            -> signed (cert_fpr = SHA-256, the certificate exists)
 *            -> stored (written to the key) -> written (read back, self-test)
 *            -> recorded (certs, keys, audit)
 *   receipt_printed / forms_printed = 1 in the unit of work that queued them
 *   void_certs  serials signed for this order and destroyed since (audited)
 * The next stage is derived from the journal alone (struct txn_stage .done), so a
 * resumed order rolls forward: a key that already holds the order's reserved
 * serial is adopted, never wiped (txn_new_key_scan says KEY_OURS_ISSUED).
 */
/* The current step's first stage not yet done (an index into its list),
 * or its nstages when every one is done. */
int txn_stage_next(const struct txn *t);

/* Run the current step's next stage (write-ahead inside it). RUN_DONE when
 * none is left. The PIN is zeroed once the key is written, or on key trouble. */
enum txn_run_result txn_advance(struct txn *t, const struct txn_env *env, struct txn_run *r);

/* Stages every transaction may list (kiosk/engine.c). */
extern const struct txn_stage txn_stage_finish;     /* the order closed, stored at its last step */
extern const struct txn_stage txn_stage_receipt;    /* the receipt queued once (kiosk/engine_paper.c) */
bool txn_stage_receipt_done(const struct txn *t);
extern const struct txn_stage txn_stage_bind_paper; /* window 68's binding confirmation, queued once */

/* What the inserted key is to the order (txn_new_key_scan). */
enum txn_key_verdict {
    KEY_NONE = 0,       /* no key inserted */
    KEY_BLANK,          /* no certificate: usable */
    KEY_OURS_ISSUED,    /* holds this order's reserved certificate: adopt, never wipe */
    KEY_OURS_HALF,      /* this order's key, half-written: wipe agreed to retry */
    KEY_WIPEABLE,       /* foreign, revoked, expired or unrecorded certificate: wipe on confirmation */
    KEY_TAKEN,          /* an active certificate recorded for another order: never wiped */
    KEY_USABLE,         /* (servicing) our active certificate, the key's state allows the service */
    KEY_REFUSED,        /* (servicing) not this service's key: note says why and what to do */
};
struct txn_key_view {
    enum txn_key_verdict verdict;
    struct tok_key key;
    struct tok_cert cert;       /* what it holds (cert_rc TOK_OK / FOREIGN) */
    int cert_rc;
    bool has_cert;              /* a certificate object is on the key (cert_rc is not TOK_ERR_NO_CERT) */
    enum msg_id note;           /* why TAKEN (records down) or REFUSED, 0 else */
    bool known;                 /* (servicing) the records know the key */
    enum key_state state;       /* (servicing) its state in the records */
    int pin_left;               /* (servicing) PIN tries left before it locks; -1 unknown */
    char note_text[256];        /* the note with its details (a date ...), when set; else msg(note) */
};
/* The inserted key (txn_one_key: PREFER among several), its certificate read (v->key, v->cert) and found
 * in the records (*REC): true; else false with v->verdict KEY_NONE (no key,
 * or pulled during the read) or KEY_REFUSED with v->note saying why (blank,
 * unreadable, not in the records, records down). The servicing key page
 * and 我的订单 start here. */
bool txn_key_first_ours(const struct txn_env *env, const char *prefer, struct txn_key_view *v,
                        struct store_cert *rec);
/* Look at the inserted key for order T (txn_one_key, T's key_serial preferred). */
void txn_new_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v);
/* Take key V for T: KEY_BLANK/WIPEABLE (WIPE agreed)/OURS_HALF set key_serial
 * and wipe; KEY_OURS_ISSUED adopts the certificate on it (fx_key ready,
 * fx_cert written, saved) so issuing continues at the records. Returns 0, or
 * a catalogue message (TAKEN, wipe not agreed, records error). */
enum msg_id txn_new_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe);

/* txn_new_cert's def hooks: resume at "issue" once recorded; cancel refused
 * while a certificate signed for the order may be valid on its key (until
 * revocation exists) or once it is recorded; a cancel voids the reservation. */
const char *txn_new_resume_at(const struct txn *t);
int txn_new_on_cancel(struct txn *t, const struct txn_env *env);

/* ---- the key's life and its PIN (kiosk/engine_key.c) ----------------------- */

/*
 * Event EV happens to key SERIAL (kiosk/keylife.h): its state moves in the
 * records (refused when its state does not allow EV: STORE_ERR_CONFLICT, or
 * STORE_ERR_NOT_FOUND for a key the records do not know) and the audit row
 * "key.<event>" (DETAIL) is written, in one unit of work. ISSUE and UNLOCK
 * also clear the wrong-PIN counter. A store status.
 */
int txn_key_event(const struct txn_env *env, const char *serial, enum key_event ev, const char *detail);

/* The key's PIN as the records and the key itself see it. */
struct txn_pin_view {
    bool known;                 /* the records know the key */
    enum key_state state;
    int fails, max;             /* wrong PINs counted, [token] pin_max_tries */
    int left;                   /* tries before it locks: ours, or fewer when the token says so */
    bool token_locked;          /* CKF_USER_PIN_LOCKED */
    bool final_try;             /* one try left (ours or CKF_USER_PIN_FINAL_TRY) */
    bool count_low;             /* CKF_USER_PIN_COUNT_LOW */
    bool locked;                /* no login may be tried */
    int tok_rc;                 /* reading the key's flags: TOK_OK, or why not (flags then unknown) */
};
/* Read the view of key SERIAL (records and live token flags). A store status. */
int txn_pin_view(const struct txn_env *env, const char *serial, struct txn_pin_view *v);

/* What a counted PIN login ended with. */
enum txn_pin_result {
    PINR_OK = 0,        /* the PIN was right (and the operation done); the counter cleared */
    PINR_WRONG,         /* wrong PIN: .left tries remain */
    PINR_LOCKED,        /* the key is locked now (or was): the unlock service */
    PINR_CONFIRM,       /* one try left: the applicant must confirm first; nothing tried */
    PINR_REFUSED,       /* the key's state forbids it (.why) */
    PINR_STORE,         /* the counter could not be written: no login was tried (.store_rc) */
    PINR_TOKEN,         /* key trouble (.tok_rc); the try was counted */
};
struct txn_pin_outcome {
    enum txn_pin_result result;
    int left;
    enum msg_id why;
    int tok_rc, store_rc;
};

/* An operation that logs in with the user PIN (tok_pin_verify, tok_pin_change, tok_selftest ...). */
typedef int (*txn_pin_op)(tok_ctx *tok, const char *serial, const char *pin, void *arg);

/*
 * A counted PIN login on key SERIAL: the key's state must allow use; a key
 * the token says is locked, or whose tries are used up, is locked in the
 * records; at the last try nothing happens unless FINAL_OK (the applicant
 * confirmed); the try is counted durably (a busy or full database: no
 * login); then OP (NULL = tok_pin_verify) logs in; a success clears the
 * counter, a wrong PIN at the limit locks the key (audited).
 */
void txn_pin_counted(const struct txn_env *env, const char *serial, const char *pin, bool final_ok, txn_pin_op op,
                     void *arg, struct txn_pin_outcome *o);
/* The same, for a service EV other than use (解挂 logs in on a key still held). */
void txn_pin_counted_for(const struct txn_env *env, enum key_event ev, const char *serial, const char *pin,
                         bool final_ok, txn_pin_op op, void *arg, struct txn_pin_outcome *o);

/* A counted login's outcome as a stage's result: key trouble and a wrong PIN
 * go back (RUN_TOKEN), the records are retried (RUN_STORE), a lock or a
 * refusal only lets the order be left (RUN_REFUSED, r->why). */
enum txn_run_result txn_pin_run_result(const struct txn_pin_outcome *o, struct txn_run *r);

/* The catalogue's sentence for a counted login's outcome (PINR_OK: 0). */
enum msg_id txn_pin_msg(const struct txn_pin_outcome *o);

/*
 * The key page of a servicing transaction (unlock, PIN change, self-test):
 * the first inserted key is USABLE when it holds our certificate, the
 * records hold it active, its state allows the def's event (unlock:
 * KEYEV_UNLOCK, else KEYEV_USE) and, once the order names a company (value
 * "uscc"), the certificate is that company's; else REFUSED with why.
 */
void txn_svc_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v);
/* Take the USABLE key: key_serial, cert_serial, company, uscc, cert_end set. */
enum msg_id txn_svc_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe);

/* PAGE_PIN TXN_PIN_CURRENT: the counted check of PIN on the order's key
 * (value "key_serial"); on PINR_OK the PIN is kept in t->pin_old. */
void txn_pin_check(struct txn *t, const struct txn_env *env, const char *pin, bool final_ok,
                   struct txn_pin_outcome *o);

/* The servicing transactions (kiosk/engine_unlock.c, engine_pin.c, engine_selftest.c). */
extern const struct txn_def txn_unlock;
extern const struct txn_def txn_pin_change;
extern const struct txn_def txn_selftest;
/* 证书更新 renewal and 证书变更 information change (kiosk/engine_renew.c). */
extern const struct txn_def txn_renew;
extern const struct txn_def txn_selfrenew;
extern const struct txn_def txn_change;
/* 证书新办's issue and record stages, which a renewal runs too (engine_new.c):
 * a renewal is an order with value old_cert, the certificate it replaces. */
enum txn_run_result txn_new_issue_stage(struct txn *t, const struct txn_env *env, struct txn_run *r);
enum txn_run_result txn_new_record_stage(struct txn *t, const struct txn_env *env, struct txn_run *r);
/* 证书新办's key initialisation stage and its operator form, which a
 * replacement onto a blank key uses as they are. */
extern const struct txn_stage txn_new_stage_init;
extern const struct txn_stage txn_new_stage_record;
/* The certificate is on the key, checked (fx_cert written or recorded). */
bool txn_new_issue_done(const struct txn *t);
extern const struct txn_form txn_new_operator_form;
/* 证书补办 lost-key and 损坏补办 damaged-key replacement (kiosk/engine_replace.c). */
extern const struct txn_def txn_lost;
extern const struct txn_def txn_damaged;
/* What the replacements share with the status changes: the company by its
 * USCC and name, checked to hold a current certificate the order's kind
 * may act on (and no other unfinished order), and the records hook that
 * fills the papers from the company's record and records the operator. */
#define TXN_REPLACE_COMPANY_NFIELDS 2
/* Who comes with the holder's key (name, ID number, mobile; renewal,
 * change, seal binding), checked with txn_operator_check. */
#define TXN_APPLICANT_NFIELDS 3
extern const struct txn_field txn_applicant_fields[TXN_APPLICANT_NFIELDS];
/* 证书变更's company form (new name, USCC, legal representative; "nothing
 * changed" refused) and what it needs: the details before the change
 * (old_*, key_uscc from the company USCC's record), and what changed as
 * the form prints it (change_desc). Window 68's record of a change uses
 * them as they are (kiosk/engine_chgrec.c). */
extern const struct txn_form txn_change_form;
void txn_change_old_details(struct txn *t, const struct txn_env *env, const char *uscc);
void txn_change_describe(struct txn *t, store *st);
extern const struct txn_field txn_replace_company_fields[TXN_REPLACE_COMPANY_NFIELDS];
enum msg_id txn_replace_company_check(const struct txn *t, const struct txn_env *env, const char **field,
                                      char *other_id, size_t n);
int txn_replace_records(struct txn *t, store *st);
/* The status changes at window 66 (kiosk/engine_status.c): 证书撤销
 * revocation, 证书挂失 report lost (on hold), 证书解挂 release. */
extern const struct txn_def txn_revoke;
extern const struct txn_def txn_hold;
extern const struct txn_def txn_release;
/* 电子签章绑定 at window 68 (kiosk/engine_seal.c). */
extern const struct txn_def txn_bind;
/* 信息变更登记, the procurement center's record of a change (kiosk/engine_chgrec.c). */
extern const struct txn_def txn_chgrec;

/* ---- the CA: revocation and the CRL (kiosk/engine_ca.c) -------------------- */

/* The catalogue's words for an RFC 5280 revocation reason. */
enum msg_id txn_reason_msg(int reason);

/*
 * The current CRL as DER (OPENSSL_malloc'd): every certificate the records
 * hold revoked, the next CRL number, thisUpdate now, nextUpdate
 * [ca] crl_valid_h later, signed in the HSM. 0, or -1 with ERR.
 */
int txn_ca_crl(const struct txn_env *env, unsigned char **der, size_t *len, char *err, size_t errlen);

/* Publish the CRL and the CA certificate atomically to [ca] crl_dir. 0, or -1 with ERR. */
int txn_ca_publish(const struct txn_env *env, char *err, size_t errlen);

/* Publish when due: no CRL yet, or half of [ca] crl_valid_h gone since the
 * last one (well before its nextUpdate). 1 not due, 0 published, -1 with ERR. */
int txn_ca_publish_due(const struct txn_env *env, char *err, size_t errlen);

/*
 * A status change of SERIAL on behalf of ACTOR: CA_REVOKE (REASON, an RFC
 * 5280 code), CA_HOLD (挂失: on hold, certificateHold on the CRL; after
 * [ca] hold_days a publication revokes it, keyCompromise), CA_RELEASE
 * (解挂: back to active). The records and the audit entry in one unit of
 * work, then the CRL published (*PUBLISHED; when it fails, ERR says why and
 * `kiosk ca crl` redoes it). A store status: STORE_ERR_NOT_FOUND (unknown
 * serial), STORE_ERR_CONFLICT (not possible in its state), nothing changed
 * on any error.
 */
enum txn_ca_op { CA_REVOKE = 0, CA_HOLD, CA_RELEASE };
int txn_ca_change(const struct txn_env *env, enum txn_ca_op op, const char *serial, int reason, const char *actor,
                  bool *published, char *err, size_t errlen);

/* ---- 我的订单: the key holder's own orders at the terminal (kiosk/engine_mine.c) ---- */

/* The holder at the terminal: the key inserted, and whether its PIN was given. */
struct txn_holder {
    bool have_key;
    char serial[64];            /* the key */
    char uscc[32];              /* its certificate's company */
    char company[256];
    enum msg_id why;            /* the key cannot open anything here (blank, not ours): 0 if it can */
    char why_text[256];         /* WHY with its details, when it has them (several keys); else msg(why) */
    bool proven;                /* its PIN was right (counted): the company's orders may be shown */
};
/* Look at the inserted key (txn_one_key; nothing of the records is said). */
void txn_holder_key(const struct txn_env *env, struct txn_holder *h);
/* The key's PIN, counted (txn_pin_counted); sets h->proven on success. */
void txn_holder_prove(const struct txn_env *env, struct txn_holder *h, const char *pin, bool final_ok,
                      struct txn_pin_outcome *o);
/* The proven holder's company's orders at this terminal's window, newest first (NOT_FOUND unproven). */
int txn_holder_orders(const struct txn_env *env, const struct txn_holder *h, struct store_order *out, size_t max,
                      size_t *n);
/* What the proven holder may do with order ID here (NOT_FOUND: not theirs, or not taken here). */
int txn_holder_rights(const struct txn_env *env, const struct txn_holder *h, int64_t id, struct txn_order_rights *r);
/* Cancel the holder's unfinished order ID (the kind's may_cancel and on_cancel), audited as the
 * terminal; CONFLICT with *why when it may not be. */
int txn_holder_cancel(const struct txn_env *env, const struct txn_holder *h, int64_t id, enum msg_id *why);
/* Print the receipt of the holder's finished order ID again (a new outbox job), audited. */
int txn_holder_reprint(const struct txn_env *env, const struct txn_holder *h, int64_t id);

#endif

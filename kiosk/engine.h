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
#include "kiosk/msg.h"
#include "token/token.h"

struct screen;

/* Step flags. */
enum txn_step_flags {
    TXN_STEP_PAID = 1 << 0,   /* may only be entered after payment */
    TXN_STEP_NOBACK = 1 << 1, /* Esc does not leave it (paid, or a key being written) */
};

/* One step of a transaction. */
struct txn_step {
    const char *name;             /* stored in orders.step; stable, ASCII */
    enum msg_id title;            /* screen title */
    const struct screen *scr;     /* page shown for it (NULL in unit tests) */
    unsigned flags;               /* enum txn_step_flags */
    const char *resume_at;        /* step to restart from when interrupted here, NULL = here */
};

struct txn;

/* A transaction kind: its code in orders.txn and its steps in order. */
struct txn_def {
    const char *code;             /* "new", "renew", ... (prn_txn_code) */
    enum msg_id title;            /* menu / title text */
    const struct txn_step *steps;
    int nsteps;
    /* The transaction's own records besides the order (NULL = none): called
     * by txn_save in the same unit of work as the order row, after it is
     * written (t->order.id set). Returns a store status; a failure undoes
     * the order's save too. */
    int (*records)(struct txn *t, store *st);
};

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
};

/* Start T for DEF at its first step, nothing saved yet. */
void txn_begin(struct txn *t, const struct txn_def *def, const char *window, const char *clerk);

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
 * step may not be entered.
 */
int txn_goto(struct txn *t, store *st, int idx);

/* Write the order (step, values, money) and the transaction's records
 * (def->records) now, in one unit of work: all or nothing. Creates the
 * order when needed (see txn_goto); a failed create leaves order.id 0. */
int txn_save(struct txn *t, store *st);

/* Record payment: METHOD cash|pos|qr, at NOW (0 = now): the order's
 * paid_at and a payment record (amount, clerk) in one unit of work. The
 * order must exist (saved with an operator ID): else STORE_ERR_NOT_FOUND.
 * On any failure T is left unpaid and nothing is written. */
int txn_pay(struct txn *t, store *st, const char *method, time_t now);

/*
 * Load order ID into T for DEF (whose code must match the order's txn) and
 * place it at the step where it must resume: the stored step, or that
 * step's resume_at; a TXN_STEP_PAID step of an unpaid order falls back to
 * the last step before payment. NOT_FOUND, CONFLICT (not OPEN / other txn).
 */
int txn_resume(struct txn *t, const struct txn_def *def, store *st, int64_t id);

/* Cancel T's order (if saved) with WHY; T is left at step 0 with values kept. */
int txn_cancel(struct txn *t, store *st, const char *why);

/* Finish T's order (OPEN -> DONE). */
int txn_finish(struct txn *t, store *st);

/* Zero the PIN buffer. */
void txn_pin_clear(struct txn *t);

/* ---- 证书新办: the new-certificate transaction --------------------------- */

/* The steps of 证书新办 (screens/new_cert.c). */
extern const struct txn_def txn_new_cert;

/*
 * One certificate per enterprise and one open order per operator, checked
 * against the records: RULES-style catalogue message, or 0 when allowed.
 * *other (may be NULL) gets the operator's other open order's id.
 */
enum msg_id txn_new_check_uscc(store *st, const char *uscc);
enum msg_id txn_new_check_operator(store *st, const struct txn *t, const char *operator_id, int64_t *other);

/* Fill the printed documents' view of T (company, operator, money, key, cert). */
struct prn_order_doc;
void txn_new_doc(const struct txn *t, const struct txn_env *env, struct prn_order_doc *d);

/* Queue the application form and the seal-sampling sheet (once per order; the
 * value "forms_printed" remembers it) and try to print them now. Returns 0,
 * or -1 with err (printer trouble leaves the jobs queued for later). */
int txn_new_print_forms(struct txn *t, const struct txn_env *env, char *err, size_t errlen);

/* Queue the receipt and try to print it. Same contract. */
int txn_new_print_receipt(struct txn *t, const struct txn_env *env, char *err, size_t errlen);

/*
 * Put the key named by value "key_serial" in a state to be issued onto: when
 * it holds a certificate and WIPE is false, TOK_ERR_NOT_BLANK; otherwise the
 * key is erased (wiped when needed) and initialised with its diversified SO
 * PIN, label = the USCC, and the user PIN t->pin. Refused (TOK_ERR_INTERNAL)
 * on an unpaid order. tok status.
 */
int txn_new_init_key(struct txn *t, const struct txn_env *env, bool wipe);

/* Generate the key pair on the key, issue the certificate (validity from
 * the profile's rules and value "years", algorithm cfg->key_algo), self-test.
 * Fills t->cert. tok status. */
int txn_new_issue(struct txn *t, const struct txn_env *env);

/* Record the certificate issued (store_cert_put), the key (store_key_put:
 * holder, certificate, algorithm, first issue), audit "cert.issue" (ID
 * masked) and save the order with step "done", all in one unit of work
 * (t->step itself is left for the caller to move). Safe to call again after
 * a failure: nothing of a failed call stays. store status. */
int txn_new_record(struct txn *t, const struct txn_env *env);

/* txn_new_cert's def->records: once the operator is confirmed (step "kind"
 * or later) the company (store_company_put) and the operator
 * (store_operator_put) from T's values; skipped while the USCC and company
 * name, or the ID number and operator name, are not both known. */
int txn_new_records(struct txn *t, store *st);

/* Validity of a certificate issued on NOW for YEARS (local calendar days,
 * end from rules_validity_end, 23:59:59 local on the last day). */
void txn_validity(time_t now, int years, time_t *not_before, time_t *not_after);

#endif

/*
 * data/store.h - the kiosk's records: orders, certificates, keys, validity
 * checks, print jobs and the audit trail.
 *
 * The interface speaks of the counter's things, never of SQL or of one
 * database's habits: the embedded backend is SQLite (data/sqlite/, one file
 * per record type); a hall with many counter machines will put PostgreSQL
 * behind the same functions. tests/unit/test_store_contract.c is what any
 * backend must pass. Password hashing (data/password.c), ID masking and
 * the order-number format (kiosk/rules.c) are the same for every backend.
 *
 * Every function returns STORE_OK (0) or a negative enum store_status.
 * Times are UTC seconds since the epoch. Money is in fen (0.01 yuan).
 * ID numbers are stored as given but never written to the audit trail
 * unmasked.
 */
#ifndef DATA_STORE_H
#define DATA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct store store;

enum store_status {
    STORE_OK = 0,
    STORE_ERR_OPEN = -1,        /* cannot open or create the database */
    STORE_ERR_RETRY = -2,       /* try again: a lock held past the timeout, or (a shared
                                 * backend) a serialisation failure; nothing was written */
    STORE_ERR_NOT_FOUND = -3,   /* no such row */
    STORE_ERR_CONFLICT = -4,    /* a rule of the records refused it (e.g. duplicate) */
    STORE_ERR_SCHEMA = -5,      /* database newer than this program */
    STORE_ERR_IO = -6,          /* anything else (details in store_detail) */
};

/* Where the records live. */
enum store_backend {
    STORE_SQLITE = 0,           /* this machine's file (the embedded default) */
    STORE_POSTGRESQL,           /* a hall's shared server, reached over the network */
};

/* How to reach the records. */
struct store_opts {
    enum store_backend backend;
    const char *path;           /* the embedded database file (STORE_SQLITE) */
    const char *conninfo;       /* libpq connection string (STORE_POSTGRESQL), no password in it */
    const char *password_file;  /* a 0600 file holding the server's password; NULL or "" = libpq's own
                                 * (PGPASSFILE, ~/.pgpass) */
    int busy_ms;                /* how long a write waits for a lock before STORE_ERR_RETRY */
    const char *station;        /* this counter machine: print jobs it queues are its own ("" = one machine) */
    const char *witness;        /* STORE_POSTGRESQL: a file on this counter keeping the audit trail's head as
                                 * it last committed it (the SQLite file's DB-head, kept by every station):
                                 * rows cut off the server's trail are found here. NULL or "" = none */
};

/*
 * Open (creating if needed) the records OPTS name, apply pending migrations.
 * STORE_ERR_OPEN (err says why), STORE_ERR_SCHEMA (newer than this program).
 *
 * Units of work (store_begin .. store_commit) may fail at begin or at
 * commit with STORE_ERR_RETRY: the caller retries the whole unit. Nothing
 * here relies on a database-wide write lock: order numbers come from a
 * counter row, uniqueness rules are constraints.
 */
int store_open(store **out, const struct store_opts *opts, char *err, size_t errlen);
void store_close(store *st);

/* The schema version now in force (migrations applied). */
int store_schema_version(store *st);

/* What `kiosk db check` reports: the records OPTS name, looked at without
 * changing anything (no migration, nothing created). */
struct store_probe {
    bool reachable;             /* opened (the file) or connected (the server) */
    int schema;                 /* its schema version; 0 none yet */
    int program_schema;         /* the version this program migrates to */
    char server[128];           /* "SQLite 3.40.1", "PostgreSQL 15.18 ..." */
    char where[300];            /* the file, or host, port and database */
};
/* STORE_OK with *OUT filled (reachable or not: err says why not), or
 * STORE_ERR_OPEN when OPTS cannot even be tried (a password file that is
 * missing or readable by others: err says so). */
int store_probe(const struct store_opts *opts, struct store_probe *out, char *err, size_t errlen);

/* Bring the records OPTS name to this program's schema (creating it on a
 * new server or file) without opening them for a counter: `kiosk db
 * migrate`, run before a hall's counters open. *FROM the version found, *TO
 * the version left. STORE_ERR_SCHEMA: newer than this program, untouched.
 * Counters migrating together migrate once (a lock: the file's, the
 * server's advisory lock). */
int store_prepare(const struct store_opts *opts, int *from, int *to, char *err, size_t errlen);

/* Moving a hall onto a shared server (`kiosk db copy --to`): every record
 * of the SQLite file FROM names copied onto the server TO names, which must
 * hold none yet (STORE_ERR_CONFLICT, REP->target_rows: untouched), in one
 * unit of work there, then read back table by table and compared (the
 * number of rows and their content): STORE_ERR_CONFLICT, ERR naming the
 * table, when any differs. */
struct store_copy_report {
    size_t ntables;
    struct {
        char name[32];
        long long rows;         /* copied */
        bool same;              /* read back: the same rows */
    } tables[24];
    long long target_rows;      /* records the server already held (refused) */
};
int store_copy(const struct store_opts *from, const struct store_opts *to, struct store_copy_report *rep, char *err,
               size_t errlen);

/* The records answer as far as this connection knows (the file: always;
 * the server: its connection not lost - a lost one is found by the next
 * call, and reconnected by the one after, outside a unit of work). */
bool store_connected(const store *st);
/* Ask the records whether they answer (the server: a round trip, a lost
 * connection made again); nothing is asked inside a unit of work. */
int store_ping(store *st);

/* A technical detail of the last failure (for logs, not for screens). */
const char *store_detail(const store *st);

/*
 * Fix the store's clock at NOW (UTC seconds) for every later timestamp it
 * writes (orders, jobs, audit, clerks); 0 returns to the real clock. For
 * tests and benchmarks that need a given day.
 */
void store_set_now(store *st, time_t now);

/* The ID-number mask of kiosk/rules.c (rules_mask_id), for record writers. */
char *store_mask_id(const char *id, char *out, size_t n);

/* ---- validity checks (有效期查询) -------------------------------------- */

enum store_check_result {
    CHECK_VALID = 0,            /* valid, more than the warning period left */
    CHECK_EXPIRING = 1,         /* valid, fewer than renew_before_days left */
    CHECK_EXPIRED = 2,          /* not_after in the past */
    CHECK_NOT_YET_VALID = 3,    /* not_before in the future */
    CHECK_NO_CERT = 4,          /* the key holds no certificate */
    CHECK_FOREIGN = 5,          /* certificate from another issuer */
    CHECK_REMOVED = 6,          /* key pulled during the read */
    CHECK_ERROR = 7,            /* any other failure */
    CHECK_REVOKED = 8,          /* our certificate, revoked in the records */
};

struct store_check {
    int64_t id;                 /* set by store_check_add */
    time_t at;                  /* when the check ran */
    char mode[16];              /* window66 | window68 | self */
    char key_serial[32];        /* token serial */
    char cert_serial[80];       /* certificate serial (hex), "" if none */
    char holder[256];           /* company name, "" if none */
    char uscc[32];              /* USCC, "" if none */
    time_t not_after;           /* 0 if none */
    int days_left;              /* whole days left (negative when expired) */
    enum store_check_result result;
};

int store_check_add(store *st, struct store_check *c);
/* The most recent checks, newest first, at most MAX; *n set to the count. */
int store_check_recent(store *st, struct store_check *out, size_t max, size_t *n);

/* ---- certificates and keys -------------------------------------------- */

enum store_cert_state { CERT_ACTIVE = 0, CERT_REVOKED = 1, CERT_SUPERSEDED = 2 };

struct store_cert {
    char serial[80];            /* certificate serial (hex), primary key */
    char uscc[32];              /* company USCC */
    char holder[256];           /* company name */
    char subject[512];          /* full subject */
    char key_serial[32];        /* token serial of the key it lives on */
    char kind[16];              /* unit | legal */
    time_t not_before, not_after;
    time_t first_issue;         /* first issue of the media (warranty) */
    enum store_cert_state state;
    int64_t order_id;           /* order that issued it, 0 if imported */
    char fpr[65];               /* SHA-256 of its DER, hex ("" if unknown) */
    time_t revoked_at;          /* CERT_REVOKED: when */
    int reason;                 /* CERT_REVOKED: RFC 5280 CRLReason (enum store_reason), else -1 */
    const unsigned char *der;   /* store_cert_put: the certificate itself (kept for years), may be NULL */
    size_t der_len;
};

/* RFC 5280 CRLReason codes the CA gives (5.3.1). */
enum store_reason {
    REASON_NONE = -1,
    REASON_UNSPECIFIED = 0,
    REASON_KEY_COMPROMISE = 1,
    REASON_AFFILIATION_CHANGED = 3,
    REASON_SUPERSEDED = 4,
    REASON_CESSATION = 5,       /* cessationOfOperation */
    REASON_HOLD = 6,            /* certificateHold: reported lost (挂失), may be released */
};

int store_cert_put(store *st, const struct store_cert *c);
int store_cert_get(store *st, const char *serial, struct store_cert *out);
/* The ACTIVE certificate of a company (one per enterprise), or NOT_FOUND. */
int store_cert_active_for_uscc(store *st, const char *uscc, struct store_cert *out);
/* The company's current certificate: the ACTIVE one, else one on hold (挂失),
 * the latest ending; NOT_FOUND when it has neither. */
int store_cert_current_for_uscc(store *st, const char *uscc, struct store_cert *out);
int store_cert_set_state(store *st, const char *serial, enum store_cert_state state);
/*
 * Revoke SERIAL at AT for REASON (enum store_reason): an ACTIVE or
 * SUPERSEDED certificate becomes REVOKED, once. STORE_ERR_CONFLICT when it
 * is revoked already (nothing changed), STORE_ERR_NOT_FOUND.
 */
int store_cert_revoke(store *st, const char *serial, int reason, time_t at);
/*
 * Report lost (挂失): an ACTIVE certificate goes on hold at AT - listed on
 * the CRL as certificateHold (state REVOKED, reason REASON_HOLD); a held
 * certificate may be revoked for good (store_cert_revoke) or released.
 * STORE_ERR_CONFLICT when it is not active, STORE_ERR_NOT_FOUND.
 */
int store_cert_hold(store *st, const char *serial, time_t at);
/* Release a hold (解挂): back to ACTIVE. STORE_ERR_CONFLICT when it is not on hold
 * (or the company has another active certificate now). */
int store_cert_release(store *st, const char *serial);
/* The serials on hold since BEFORE or earlier (their hold period is over), at most MAX. */
int store_cert_holds_before(store *st, time_t before, char (*serials)[80], size_t max, size_t *n);
/* The certificate itself, as issued (DER, malloc'd; the caller frees). NOT_FOUND when not kept. */
int store_cert_der(store *st, const char *serial, unsigned char **der, size_t *len);
/* Every revoked certificate, in revocation order: FN(ARG, serial, revoked_at, reason); FN != 0 stops. */
int store_cert_revoked_each(store *st, int (*fn)(void *arg, const char *serial, time_t at, int reason), void *arg);
/* The next value of the counter NAME (1, 2, ...): "order:PREFIX:YYYY-MM-DD" for
 * order numbers, "crl" for CRL numbers. The row is the lock, not the database. */
int store_counter_next(store *st, const char *name, int64_t *out);

/* ---- orders ------------------------------------------------------------ */

enum store_order_state { ORDER_OPEN = 0, ORDER_DONE = 1, ORDER_CANCELLED = 2 };

struct store_order {
    int64_t id;                 /* set by store_order_create */
    char number[32];            /* printed order number, e.g. 66-20261122-0001 */
    char txn[24];               /* transaction kind: new, renew, lost, damaged, change, unlock, revoke, bind, check */
    char window[16];            /* window66 | window68 | self */
    char clerk[64];             /* clerk login, "" for self-service */
    char operator_id[32];       /* operator's ID number (stored; masked when shown) */
    char uscc[32];              /* company */
    char step[32];              /* last step reached, resumes there */
    char data[4096];            /* the transaction's entered values, as key=value lines */
    long amount;                /* fen */
    char pay_method[16];        /* cash | pos | qr | "" unpaid */
    time_t paid_at;             /* 0 when unpaid */
    enum store_order_state state;
    time_t created, updated;
};

/*
 * Create an OPEN order; fills id, number, created, updated. The number is
 * WINDOW-YYYYMMDD-NNNN: window digits (66, 68; 00 for self-service), the
 * local date and the day's sequence for that window. A second OPEN order
 * for the same non-empty operator_id is refused with STORE_ERR_CONFLICT.
 * Creating, paying (paid_at first set by store_order_update), finishing and
 * cancelling an order each append an audit row in the same transaction
 * (order.create / order.pay / order.finish / order.cancel, operator ID
 * masked); callers do not log them again.
 */
int store_order_create(store *st, struct store_order *o);
/*
 * Save step, data, uscc, operator_id, amount and payment fields of an OPEN
 * order. NOT_FOUND if no such order; CONFLICT if it is no longer OPEN or the
 * operator already has another OPEN order.
 */
int store_order_update(store *st, const struct store_order *o);
/*
 * Record that OPEN order ID was paid AMOUNT fen by METHOD at AT (0 = now)
 * when it was not paid yet and its quote is AMOUNT: paid_at, the payment
 * row (clerk = ACTOR) and the order.pay audit row naming ACTOR, in one unit.
 * NOT_FOUND; CONFLICT if it is no longer OPEN, is paid already, or its
 * quote is another amount. store_order_update never undoes a payment
 * recorded here: paid_at, pay_method and amount stay once set.
 */
int store_order_pay(store *st, int64_t id, long amount, const char *method, time_t at, const char *actor);
int store_order_get(store *st, int64_t id, struct store_order *out);
int store_order_by_number(store *st, const char *number, struct store_order *out);
/* The OPEN order of an operator ID, or NOT_FOUND. */
int store_order_open_for_operator(store *st, const char *operator_id, struct store_order *out);
/* The orders of company USCC taken at WINDOW, newest first, at most MAX; *n the count. */
int store_orders_of_company(store *st, const char *uscc, const char *window, struct store_order *out, size_t max,
                            size_t *n);
/* An OPEN order of company USCC other than order EXCEPT (0 = any), or NOT_FOUND. */
int store_order_open_for_uscc(store *st, const char *uscc, int64_t except, struct store_order *out);
/* OPEN -> DONE (CONFLICT if not OPEN). */
int store_order_finish(store *st, int64_t id);
/* OPEN -> CANCELLED, WHY kept with the order (CONFLICT if not OPEN). The
 * audit row names the order's clerk (store_order_cancel) or ACTOR, whoever
 * really cancelled it (a clerk login, or the terminal "self"). */
int store_order_cancel(store *st, int64_t id, const char *why);
int store_order_cancel_by(store *st, int64_t id, const char *why, const char *actor);

/* Money paid back for a cancelled order: the whole payment, by the method
 * it was paid, once per order. */
struct store_refund {
    int64_t id;
    int64_t order_id;
    char method[16];            /* cash | pos | qr: as the order was paid */
    long amount;                /* fen: the order's payment */
    time_t at;                  /* when paid out */
    char clerk[64];             /* who paid it out */
    char reason[256];           /* the order's cancellation reason */
};
/*
 * Record that the money of cancelled order ID was paid back by ACTOR, with
 * the order.refund audit row, in one unit; *OUT (may be NULL) what was
 * recorded. NOT_FOUND; CONFLICT when the order is not cancelled, was not
 * paid or paid nothing, or was refunded already.
 */
int store_order_refund(store *st, int64_t id, const char *actor, struct store_refund *out);
/* The refund of order ID, or NOT_FOUND. */
int store_refund_get(store *st, int64_t order_id, struct store_refund *out);
/* The refunds due: cancelled orders that were paid and not paid back, the
 * most recently cancelled first, at most MAX; *n the count. */
int store_orders_refund_due(store *st, struct store_order *out, size_t max, size_t *n);

/* ---- print outbox ------------------------------------------------------ */

enum store_job_state { JOB_QUEUED = 0, JOB_SENT = 1, JOB_DONE = 2, JOB_FAILED = 3, JOB_CANCELLED = 4 };

struct store_job {
    int64_t id;                 /* set by store_job_add */
    int64_t order_id;           /* 0 for a test page */
    char doc[24];               /* form | seal | receipt | checklist */
    char title[128];            /* job name shown by the printer */
    int copies;
    enum store_job_state state;
    int attempts;               /* submissions tried */
    time_t next_try;            /* when a QUEUED job is due again */
    char station[64];           /* the counter machine that owns it (store_opts.station) */
    int printer_job_id;         /* job id the printer gave, 0 if none */
    char last_error[256];       /* why the last attempt failed */
    time_t created, updated;
    char claim_owner[96];       /* the sender holding it (store_job_claim), "" if none */
    time_t claim_until;         /* when that claim lapses */
};

/* Record a job and its PDF before anything is sent. */
int store_job_add(store *st, struct store_job *j, const void *pdf, size_t pdf_len);
int store_job_update(store *st, const struct store_job *j);
int store_job_get(store *st, int64_t id, struct store_job *out);
/* The newest job of ORDER_ID printing DOC ("receipt" ...), or NOT_FOUND. */
int store_job_of_order(store *st, int64_t order_id, const char *doc, struct store_job *out);
/* The PDF of a job; *pdf is malloc'd, the caller frees it. */
int store_job_pdf(store *st, int64_t id, void **pdf, size_t *len);
/* QUEUED jobs due at NOW, oldest first: this station's (store_opts.station)
 * and those without an owner; a paper waits while an earlier paper of its
 * order is queued (an order's papers come out in the order queued). */
int store_job_due(store *st, time_t now, struct store_job *out, size_t max, size_t *n);
/* Every QUEUED job of this station (and without one) due now, whatever its
 * back-off: the printer is back. */
int store_job_wake(store *st);
/* Most recent jobs, newest first. */
int store_job_recent(store *st, struct store_job *out, size_t max, size_t *n);
/* Every job, newest first, a page at a time: MAX of them after the OFFSET
 * newest; *total the number of jobs there are. */
int store_job_page(store *st, size_t offset, struct store_job *out, size_t max, size_t *n, size_t *total);
/*
 * One sender per job, across threads, processes and counters: claim job ID
 * for OWNER until NOW + LEASE_S. Atomic (one conditional write): STORE_OK
 * with *OUT the job as it is now when nobody else holds an unexpired claim
 * (OWNER's own claim is renewed); STORE_ERR_CONFLICT when another owner
 * does; STORE_ERR_NOT_FOUND. A claim of a process that died lapses with its
 * lease. Job updates (store_job_update) leave the claim alone.
 */
int store_job_claim(store *st, int64_t id, const char *owner, time_t now, int lease_s, struct store_job *out);
/* Drop OWNER's claim on job ID; another owner's claim is left alone. */
int store_job_release(store *st, int64_t id, const char *owner);

/* ---- audit trail -------------------------------------------------------- */

/*
 * Append an entry: ACTOR (clerk login, "self", "admin"), ACTION (short verb,
 * e.g. "check", "login", "print"), DETAIL (free text, already masked).
 * Each row's hash covers the previous row's hash and this row's content.
 */
int store_audit(store *st, const char *actor, const char *action, const char *detail);

/*
 * The key the rows this store appends are keyed with: each row's hash is
 * then HMAC-SHA256(KEY, the row and the hash before it), its KEY_ID
 * written beside it, so a trail rewritten and rehashed by anyone without the
 * key fails store_audit_check. The key comes from the HSM (kiosk/auditkey.c);
 * the store keeps it in memory only and wipes it at close. KEY NULL: rows
 * unkeyed (plain SHA-256). KEY_ID at most 15 characters, LEN 32.
 */
int store_set_audit_key(store *st, const char *key_id, const unsigned char *key, size_t len);
/* The key this store appends with ("" = none), for the checks that need to know. */
const char *store_audit_key_id(const store *st);
/* TO appends with FROM's key too (another handle of the same process: the print worker's). */
int store_share_audit_key(const store *from, store *to);

/* Check the whole chain; returns STORE_OK or CONFLICT with *bad_id the first broken row. */
int store_audit_verify(store *st, int64_t *bad_id);

enum store_audit_fault {
    AUDIT_INTACT = 0,
    AUDIT_EDITED = 1,           /* the row's content no longer matches its hash */
    AUDIT_MISSING = 2,          /* rows before bad_id were deleted (id gap) */
    AUDIT_RELINKED = 3,         /* prev_hash does not match the row before it */
    AUDIT_UNKEYED = 4,          /* a keyed hall (the check holds the key) whose trail has no keyed row:
                                 * rewritten without the key */
    AUDIT_NO_KEY = 5,           /* keyed with a key this check does not hold (no HSM): not checked */
    AUDIT_TRUNCATED = 6,        /* the head kept outside the records (DB-head) names row bad_id, beyond their end */
};

struct store_audit_result {
    int64_t rows;               /* rows read */
    int64_t keyed;              /* of which keyed */
    int64_t head_outside;       /* the newest row as the file beside the records says (0: none) */
    int64_t unsealed;           /* the newest rows written unkeyed (the HSM could not be asked) since the
                                 * last keyed row: only the head beside the records vouches for them */
    int64_t bad_id;             /* first broken row, 0 when intact */
    enum store_audit_fault fault;
};

/*
 * store_audit_verify with the row count and the kind of fault. A deletion
 * is reported at the first row after the gap (the first id that does not
 * follow its predecessor). Deleting only the newest rows cannot be seen
 * from the chain alone. Keyed rows are checked with the store's key
 * (store_set_audit_key). An unkeyed row (written before keying began, or
 * while the HSM could not be asked) is sealed by the next keyed row, whose
 * HMAC covers the chain before it; the unkeyed newest rows are counted in
 * UNSEALED, vouched for only by the head beside the records (DB-head, whose
 * id and hash must match). A check holding the key that finds no keyed row
 * at all fails: the trail was rewritten without it.
 */
int store_audit_check(store *st, struct store_audit_result *res);

/*
 * The trail against the records (what a trail emptied, cut short or
 * rewritten without its records cannot hide): every certificate in the
 * records has its signature row (cert.sign, provision_cert; for a
 * reservation voided or revoked with its cancelled order, that row) and its
 * issue or end row (cert.issue, cert.void, cert.revoke, provision_cert);
 * every issue row names a certificate in the records; every signature row
 * names one, unless its order is still open (the work goes on); every
 * order has its order.create row and every such row its order. STORE_OK
 * when all hold, CONFLICT with the counts (and one example) when not.
 */
struct store_audit_cross {
    long certs, orders;                 /* in the records */
    long certs_unsigned;                /* no signature row */
    long certs_unissued;                /* no issue or end row */
    long issued_unrecorded;             /* an issue row, no certificate */
    long signed_unrecorded;             /* signed, never recorded, the order closed */
    long orders_unaudited;              /* no order.create row */
    long orders_gone;                   /* an order.create row, no order */
    char example[96];                   /* the first serial or order number found wanting */
};
int store_audit_crosscheck(store *st, struct store_audit_cross *x);

/* The newest audit rows, newest first (for screens and tests). */
struct store_audit_row {
    int64_t id;
    time_t at;
    char actor[64];
    char action[32];
    char detail[512];
};
int store_audit_recent(store *st, struct store_audit_row *out, size_t max, size_t *n);

/* ---- clerks ------------------------------------------------------------- */

#define STORE_PASSWORD_MIN 8    /* shortest password accepted */

struct store_clerk {
    char login[33];             /* [a-z0-9._-], 1..32 */
    char name[128];             /* display name */
    char role[16];              /* window66 | window68 | supervisor */
    bool disabled;
    time_t created, updated;
};

/*
 * Add a clerk with PASSWORD (hashed with scrypt, N=16384 r=8 p=1, random
 * 16-byte salt; the hash string keeps its parameters). CONFLICT if the login
 * exists; IO with store_detail naming the field (login, role, name,
 * password) when a value is refused.
 */
int store_clerk_add(store *st, const char *login, const char *role, const char *name,
                    const char *password);
int store_clerk_get(store *st, const char *login, struct store_clerk *out);
int store_clerk_set_password(store *st, const char *login, const char *password);
int store_clerk_disable(store *st, const char *login);
/* Every clerk, by login; at most MAX. */
int store_clerk_list(store *st, struct store_clerk *out, size_t max, size_t *n);
/*
 * Check a login's password in constant time. STORE_OK with the role copied
 * to ROLE; NOT_FOUND for an unknown login; CONFLICT for a wrong password or
 * a disabled clerk (store_detail says which; screens say neither).
 */
/*
 * The sign-in lockout's own record (schema 10): the newest failed sign-ins
 * of a login name (known or not), at most STORE_LOGIN_FAILS_MAX. The rule
 * that reads them is the session's (kiosk/session.h).
 */
#define STORE_LOGIN_FAILS_MAX 8
/* The failures of LOGIN, newest first; *n = 0 when none. */
int store_login_fails(store *st, const char *login, time_t *out, size_t max, size_t *n);
/* Record a failed sign-in of LOGIN at AT (0 = now). */
int store_login_failed(store *st, const char *login, time_t at);
/* A successful sign-in: the failures before it no longer count. */
int store_login_cleared(store *st, const char *login);
int store_clerk_verify_password(store *st, const char *login, const char *password,
                                char *role, size_t rolelen);

/* Why a value was refused: NULL if acceptable, else the field and the rule. */
const char *store_clerk_check(const char *login, const char *role, const char *name,
                              const char *password);

/* ---- daily settlement (日结) ---------------------------------------------- */

/*
 * One line of the settlement: the orders created on the day (local date,
 * the date in their number) by one window, clerk and transaction kind.
 * Amounts in fen.
 */
struct store_report_row {
    char window[16];
    char clerk[64];             /* "" for self-service */
    char txn[24];
    long done;                  /* orders finished */
    long cash, pos, qr;         /* amount taken by finished orders, per method */
    long free_count;            /* free replacements: finished at no charge, of a kind in FREE_KINDS */
    long open;                  /* still open at report time */
    long cancelled;             /* cancelled orders */
    long refunds;               /* cancelled after a payment of more than 0 and not paid back: refunds due */
    long refund_amount;
    long refunded;              /* refunds paid out that day (by the clerk who paid them) */
    long refunded_amount;
    long paid_open;             /* still open after a payment of more than 0 (an applicant who paid
                                 * and left): to finish, or to refund */
    long paid_open_amount;
};

/*
 * The settlement of DATE ("YYYY-MM-DD", local time): *rows malloc'd (caller
 * frees), sorted by window, clerk, txn; TOTAL the sum of every row.
 * FREE_KINDS lists the kinds whose finished orders at no charge count in
 * free_count, as ",code,code," (kind_free_codes: the rule is the kinds
 * table's, not the store's). IO with detail if DATE is malformed.
 */
int store_report_daily(store *st, const char *date, const char *free_kinds,
                       struct store_report_row **rows, size_t *n, struct store_report_row *total);

/* ---- audit anchors and per-actor queries (settlement anchor, login lockout) ---- */

/* The store's clock: the time fixed by store_set_now, else the real clock. */
time_t store_now(const store *st);

/*
 * The newest audit row: *id and its hash (64 hex characters). An empty
 * trail gives *id = 0 and hash "". The settlement prints it as an anchor.
 */
int store_audit_head(store *st, int64_t *id, char hash[65]);

/* The stored hash of audit row ID; NOT_FOUND when there is no such row. */
int store_audit_hash(store *st, int64_t id, char hash[65]);

/*
 * The audit rows of ACTOR written at or after SINCE whose action is one of
 * ACTIONS (a NULL-terminated list; NULL = any action), newest first, at
 * most MAX; *n set to the count. Walks back from the newest row and stops
 * at the first row (of any actor) older than SINCE, so the cost follows
 * the rows of that period, not the size of the trail (no index needed).
 */
int store_audit_by_actor(store *st, const char *actor, const char *const *actions, time_t since,
                         struct store_audit_row *out, size_t max, size_t *n);

/* ---- electronic seals bound at window 68 (schema 8) ------------------------ */

enum store_seal_state { SEAL_BOUND = 0, SEAL_SUPERSEDED = 1 };

/* One binding of an electronic seal (电子签章) to a certificate. */
struct store_seal {
    int64_t id;                 /* set by store_seal_bind */
    char seal_id[40];           /* the seal's number, unique (given by the caller) */
    char uscc[32];
    char company[256];
    char kind[16];              /* unit (单位电子公章) | legal (法定代表人名章及签名) */
    char name[128];             /* the seal's name as engraved */
    char cert_serial[80];       /* the certificate bound to (recorded) */
    char cert_fpr[65];          /* its SHA-256 */
    char key_serial[32];        /* the key it lives on */
    char image_sha256[65];      /* the scanned image's SHA-256, "" if none */
    char image_desc[128];       /* what the image is ("PNG 600x600, 12 KB"), "" if none */
    char clerk[64];             /* window-68 clerk */
    time_t bound_at;            /* set by the store */
    int64_t order_id;
    enum store_seal_state state;
    char superseded_by[40];     /* SEAL_SUPERSEDED: the seal_id that replaced it */
    /* read only: the certificate's state now (enum store_cert_state) and
     * reason, and whether the seal waits for a re-binding (bound, its
     * certificate superseded or revoked, not merely on hold) */
    int cert_state, cert_reason;
    bool waiting;
};

/*
 * Record binding S (fills id and bound_at) and, in the same statement
 * group, mark superseded every bound seal of the same company and kind on
 * a certificate that is no longer active and not on hold (the
 * re-binding). CONFLICT when a seal of that kind is bound to S's
 * certificate already, or the certificate is unknown; IO naming the field
 * for an empty seal_id, name or clerk. Call inside a unit of work with its
 * audit row.
 */
int store_seal_bind(store *st, struct store_seal *s);
/* The bindings of USCC, newest first, at most MAX; *n the count. */
int store_seal_list(store *st, const char *uscc, struct store_seal *out, size_t max, size_t *n);
/*
 * The bindings waiting for a re-binding (需重新绑定): bound, on a
 * certificate superseded or revoked (not merely on hold), newest first, at
 * most MAX.
 */
int store_seal_waiting(store *st, struct store_seal *out, size_t max, size_t *n);

/* ---- window 68's record of an information change (schema 9) --------------- */

struct store_chgrec {
    int64_t id;                 /* set by store_chgrec_add */
    char uscc[32];              /* the company's USCC before the change */
    char company[256];          /* its name before */
    char new_company[256];
    char new_uscc[32];
    char new_legal_rep[256];
    char description[512];      /* what changed, as printed */
    char clerk[64];
    time_t at;                  /* set by the store */
    int64_t order_id;
};
/* Record C (fills id and at). IO naming the field for an empty uscc, new
 * company, new USCC or clerk. */
int store_chgrec_add(store *st, struct store_chgrec *c);
/* The newest record for USCC made at or after SINCE, or NOT_FOUND. */
int store_chgrec_latest(store *st, const char *uscc, time_t since, struct store_chgrec *out);

/* ---- units of work, companies, operators, payments, keys (schema 2) ------- */

/*
 * A unit of work: every store call between store_begin and store_commit is
 * kept or lost together. store_begin takes the write lock at once
 * (STORE_ERR_RETRY after the busy timeout, nothing changed); a failing call
 * inside the unit undoes only its own part, so the caller decides:
 * store_rollback undoes the whole unit. Units nest (the inner one is part of
 * the outer). Keep them short: no token or printer work inside.
 */
int store_begin(store *st);
int store_commit(store *st);
void store_rollback(store *st);

/* A company (单位), as on the application form; the USCC is its key. */
struct store_company {
    char uscc[32];              /* 统一社会信用代码, primary key */
    char name[256];             /* 单位名称 */
    char legal_rep[256];        /* 法人代表 */
    char phone[32];             /* 联系电话 */
    char office_phone[32];      /* 办公电话, "" if none */
    char website[256];          /* 企业网址, "" if none */
    char address[256];          /* 邮寄地址 */
    char legal_rep_id[32];      /* 法定代表人身份证（护照）号, "" if never asked */
    char app_region[64];        /* 证书应用项目: 区域 */
    char app_category[64];      /*               类别 */
    char app_project[128];      /*               项目名称 */
    time_t created, updated;    /* set by the store */
};

/*
 * Create or update the company C->uscc with every field of C (created is
 * kept on an update). IO with store_detail naming the field when uscc or
 * name is empty.
 */
int store_company_put(store *st, const struct store_company *c);
/* The company with USCC, or NOT_FOUND. */
int store_company_get(store *st, const char *uscc, struct store_company *out);

/* An operator (经办人): the person who applies for a company. */
struct store_operator {
    char id_number[32];         /* 身份证号, primary key; stored, masked whenever shown (store_mask_id) */
    char name[128];             /* 经办人 */
    char mobile[24];
    char email[128];
    char wechat[64];            /* "" if none */
    char uscc[32];              /* company last applied for */
    time_t created, updated;    /* set by the store */
};

/* Create or update the operator P->id_number (created kept). IO naming the
 * field when id_number or name is empty. */
int store_operator_put(store *st, const struct store_operator *p);
/* The operator with ID_NUMBER, or NOT_FOUND (store_detail holds it masked). */
int store_operator_get(store *st, const char *id_number, struct store_operator *out);

/* Money taken for an order (one row per payment; the order's pay_method and
 * paid_at say it is paid). */
struct store_payment {
    int64_t id;                 /* set by store_payment_add */
    int64_t order_id;           /* the order paid */
    char method[16];            /* cash | pos | qr */
    long amount;                /* fen */
    time_t at;                  /* when confirmed; 0 = now (store clock) */
    char clerk[64];             /* clerk who confirmed, "" for self-service */
};

/* Record payment P (fills id, and at when 0). NOT on its own a payment of
 * the order: write it in the same unit as the order's paid_at. IO naming
 * the field for a zero order_id or an empty method; CONFLICT for a method
 * other than cash|pos|qr, a negative amount or an unknown order. */
int store_payment_add(store *st, struct store_payment *p);
/* The payments of ORDER_ID, oldest first, at most MAX; *n the count. */
int store_payment_list_for_order(store *st, int64_t order_id, struct store_payment *out, size_t max, size_t *n);

/* A UKey (the media) as the counter knows it. */
struct store_key {
    char serial[32];            /* token serial, primary key */
    char uscc[32];              /* holder's USCC, "" if unknown */
    char cert_serial[80];       /* certificate last issued onto it */
    char algo[16];              /* key pair algorithm: rsa2048 | p256 ... */
    time_t first_issue;         /* first issue of the media (warranty); the earliest non-zero is kept */
    time_t created, updated;    /* set by the store */
    int state;                  /* its life (enum key_state, kiosk/keylife.h); a new row is 1, issued */
    int pin_fails;              /* PIN logins begun and not proven right since the last success */
};

/* Create or update key K->serial (first_issue: the earliest non-zero wins).
 * IO when serial is empty. */
int store_key_put(store *st, const struct store_key *k);
/* The key with SERIAL, or NOT_FOUND. */
int store_key_get(store *st, const char *serial, struct store_key *out);

/*
 * The key's life (schema 7). The store keeps the state as a number and
 * knows no rules: the caller says which states the change may start from.
 *
 * store_key_state_set: key SERIAL moves to TO when its state is one of the
 * bits of FROM_MASK (1 << state), in one conditional write; CLEAR_FAILS also
 * zeroes its wrong-PIN counter. NOT_FOUND (no such key), CONFLICT (its
 * state is not in FROM_MASK; nothing changed).
 *
 * store_key_pin_try: before a PIN login on key SERIAL, count it: when the
 * counter is below MAX it is raised by one and *FAILS is the new value;
 * otherwise CONFLICT (the tries are used up: the key is locked) with *FAILS
 * the counter. Written durably before the login, so a crash or a pulled
 * key never gives a free try; RETRY (database busy) means no try may be
 * made. NOT_FOUND for a key the records do not know.
 *
 * store_key_pin_clear: the PIN was right: the counter back to 0.
 */
int store_key_state_set(store *st, const char *serial, unsigned from_mask, int to, bool clear_fails);
int store_key_pin_try(store *st, const char *serial, int max, int *fails);
int store_key_pin_clear(store *st, const char *serial);

#endif

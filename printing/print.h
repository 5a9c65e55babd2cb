/*
 * printing/print.h - the papers the counter hands out, and how they reach
 * the printer without being lost or printed twice.
 *
 * Three layers, each usable alone:
 *   1. Rendering (printing/render.c, doc_*.c): a plain struct prn_order_doc,
 *      filled by the transaction code, becomes a PDF in memory (cairo +
 *      pango, "WenQuanYi Micro Hei" embedded). Every document is a const
 *      template table of boxes, labels and fields in millimetres; all
 *      labels come from the catalogue (kiosk/msg_print.def) in the
 *      document's language.
 *   2. Submission (printing/cups.c): one PDF to one destination (a cupsd
 *      queue name or an ipp:// URI) with libcups, with bounded connect and
 *      I/O timeouts, and the job followed to completed or failed.
 *   3. The outbox (printing/outbox.c) on data/store.h's store_job_*: a job
 *      is recorded with its PDF before anything is sent; a job the printer
 *      did not take stays QUEUED and is retried with back-off by
 *      prn_outbox_pump(); jobs can be retried, cancelled, reprinted.
 *
 * Nothing here includes cairo or cups in its public interface.
 */
#ifndef PRINTING_PRINT_H
#define PRINTING_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "data/store.h"
#include "kiosk/config.h"
#include "kiosk/kinds.h"
#include "kiosk/msg.h"

/* ---- documents --------------------------------------------------------- */

enum prn_doc {
    PRN_DOC_FORM = 0,       /* 数字证书申请表, A4 */
    PRN_DOC_SEAL = 1,       /* 电子印章采样表, A4 */
    PRN_DOC_RECEIPT = 2,    /* 收据, 80 mm roll or A5 */
    PRN_DOC_CHECKLIST = 3,  /* materials to bring, receipt paper */
    PRN_DOC_BIND = 4,       /* 电子签章绑定确认单, receipt paper (window 68) */
    PRN_DOC_REFUND = 5,     /* 退款凭证, receipt paper: money paid back for a cancelled order */
    PRN_DOC__COUNT
};


enum prn_cert_kind { PRN_CERT_UNIT = 0, PRN_CERT_LEGAL = 1 };

enum prn_paper { PRN_PAPER_A5 = 0, PRN_PAPER_80MM = 1 };

/* The tick boxes of 操作类型 on the application form (seed 002 annex 1). */

/*
 * Everything printed about one order. Plain values only: the transaction
 * code fills it without knowing cairo. Empty strings print as empty fields;
 * times of 0 print as empty. Money in fen.
 */
struct prn_order_doc {
    enum msg_lang lang;             /* language of the paper */
    bool bilingual;                 /* receipt-paper documents: each line also in English, under it (--lang en) */
    char order_number[32];          /* printed and QR-encoded */
    enum txn_kind txn;               /* what is being done */
    char change_desc[256];          /* 变更事项 (for KIND_CHANGE), or the 其他 text */
    enum prn_cert_kind cert_kind;   /* unit / legal-person certificate with seal */

    /* company (单位信息) */
    char company[256];              /* 单位名称 */
    char uscc[32];                  /* 统一社会信用代码 */
    char legal_rep[64];             /* 法人代表 */
    char legal_rep_id[32];          /* 法定代表人身份证（护照） */
    char company_phone[32];         /* 联系电话 */
    char office_phone[32];          /* 办公电话 */
    char website[128];              /* 企业网址 */

    /* operator (经办人信息) */
    char operator_name[64];         /* 经办人 */
    char operator_id[32];           /* 申请人（联系人）身份证; masked on the receipt */
    char operator_mobile[16];       /* 手机号码 */
    char operator_email[128];       /* 邮箱 */
    char operator_wechat[64];       /* 微信号 */
    char mail_address[256];         /* 邮寄地址 */

    /* 证书应用项目 */
    char app_region[64];            /* 区域 */
    char app_category[64];          /* 类别 */
    char app_project[128];          /* 项目名称 */

    /* money */
    long media_fee;                 /* UKey media, fen (0 = no line) */
    long service_fee_per_year;      /* service fee per year, fen */
    int years;                      /* years of service (0 = no service line) */
    char pay_method[16];            /* cash | pos | qr | "" (unpaid / free) */
    long refund_amount;             /* 退款凭证: fen paid back (by pay_method) */
    char refund_reason[256];        /* 退款凭证: why the order was cancelled */

    /* certificate and key */
    char cert_serial[80];           /* hex */
    time_t not_before, not_after;   /* validity */
    char key_serial[32];            /* UKey serial */
    char cert_fpr[65];              /* certificate SHA-256, hex */

    /* electronic seal (window 68's binding) */
    char seal_id[40];               /* the binding's seal number */
    char seal_name[128];            /* the seal's name; its kind follows cert_kind */
    char seal_image[128];           /* the scanned image, described ("" none) */
    char rebind_of[40];             /* the seal number it replaces ("" a first binding) */

    /* counter */
    char ca_name[128];              /* CA display name (profile) */
    char hall[256];                 /* hall name */
    char window[16];                /* "66", "68"; "" = self-service terminal */
    char clerk[64];                 /* clerk login or name; "" for self-service */
    time_t created;                 /* order created */
    time_t printed;                 /* printed at (0 = now) */
};

/* A rendered document: malloc'd PDF bytes. */
struct prn_pdf {
    unsigned char *data;
    size_t len;
    int pages;
    int overflows;          /* text boxes whose text could not be fitted (0 expected) */
};

void prn_pdf_free(struct prn_pdf *pdf);

/*
 * Render DOC for the order IN into OUT (receipt and checklist on PAPER).
 * Returns 0, or -1 with a message in err (out left empty).
 */
int prn_render(enum prn_doc doc, const struct prn_order_doc *in, enum prn_paper paper,
               struct prn_pdf *out, char *err, size_t errlen);

/* "form", "seal", "receipt", "checklist" <-> enum; parse returns -1 if unknown. */
const char *prn_doc_name(enum prn_doc doc);
int prn_doc_parse(const char *s, enum prn_doc *out);
/* Paper from the config value "80mm" | "a5". */
enum prn_paper prn_paper_from_cfg(const struct kiosk_config *cfg);


/* Total charged: media + service per year x years. */
long prn_total(const struct prn_order_doc *in);

/* The job title of a document (readable, e.g. "收据 66-20261122-0001"). */
char *prn_job_title(char *buf, size_t n, enum prn_doc doc, const struct prn_order_doc *in);

/*
 * A filled sample order (installer's test page, tests, bench). VARIANT 0: a
 * new unit certificate; 1: a very long CJK company name and address; 2: a
 * legal-person certificate change; 3: a renewal. NOW stamps the times.
 */
void prn_sample_order(struct prn_order_doc *d, int variant, time_t now);

/* ---- submission ---------------------------------------------------------- */

enum prn_status {
    PRN_OK = 0,
    PRN_ERR_NOPRINTER = -1,   /* no printer configured */
    PRN_ERR_DOWN = -2,        /* cannot connect (refused, unreachable) */
    PRN_ERR_TIMEOUT = -3,     /* connected, no answer within the timeout */
    PRN_ERR_REJECTED = -4,    /* the printer answered and refused the job */
    PRN_ERR_FAILED = -5,      /* the printer took the job and then failed it */
    PRN_ERR_FORMAT = -6,      /* the printer or queue does not take PDF (a queue without cups-filters) */
    PRN_ERR_ABORTED = -7,     /* the printer aborted or cancelled a job it had taken */
    PRN_ERR_LOST = -8,        /* the printer no longer knows a job it had taken (restarted) */
};

/* The catalogue message explaining a status to the clerk. */
enum msg_id prn_status_msg(enum prn_status st);

/*
 * A job's last_error is kept as "#CODE DETAIL": CODE the enum prn_status
 * of the failure (what the clerk is told, from the catalogue), DETAIL the
 * technical text (for the log and the command line). The status of
 * LAST_ERROR (PRN_OK when empty, PRN_ERR_FAILED for a text without a code)
 * and, in *DETAIL when not NULL, where its technical text starts.
 */
enum prn_status prn_job_error(const char *last_error, const char **detail);

/*
 * The document-name sent for a job titled TITLE: the title with every space
 * made '_' (Debian 12's cupsd crashes when job-name and document-name both
 * contain one; the job-name keeps the title as it is).
 */
char *prn_document_name(char *buf, size_t n, const char *title);

struct prn_submit_opts {
    const char *dest;         /* ipp:// URI, or a queue on the CUPS server (CUPS_SERVER: host,
                                 host:port or a socket path; unset: the local default) */
    int timeout_ms;           /* connect timeout and per-read/write timeout */
    const char *title;        /* job-name */
    int copies;               /* >= 1 */
    /* Called once the printer has created the job (before the document is
     * sent): lets the outbox record the printer's job id first. May be NULL. */
    void (*on_created)(void *user, int printer_job_id);
    void *user;
};

/*
 * Send one PDF. On PRN_OK *printer_job_id is the printer's job id. On an
 * error, err says what happened, naming the destination. Never blocks longer
 * than about 4 x timeout_ms.
 */
enum prn_status prn_submit(const struct prn_submit_opts *o, const void *pdf, size_t len,
                           int *printer_job_id, char *err, size_t errlen);

enum prn_remote_job {
    PRN_RJOB_PENDING = 0,     /* pending or processing: it will print */
    PRN_RJOB_HELD,            /* created, waiting for its document (incomplete submission) */
    PRN_RJOB_COMPLETED,
    PRN_RJOB_FAILED,          /* aborted or canceled by the printer */
    PRN_RJOB_UNKNOWN,         /* no such job (or another job under that id) */
};

/*
 * Ask DEST for job PRINTER_JOB_ID. When NAME is not NULL the job's
 * job-name must equal it, else PRN_RJOB_UNKNOWN (ids restart with the
 * printer). Returns PRN_OK with *state, or a connection error.
 */
enum prn_status prn_job_state(const char *dest, int timeout_ms, int printer_job_id,
                              const char *name, enum prn_remote_job *state,
                              char *err, size_t errlen);

/* Cancel job PRINTER_JOB_ID at DEST (used on incomplete submissions). */
enum prn_status prn_job_cancel(const char *dest, int timeout_ms, int printer_job_id);

/* ---- printer state ------------------------------------------------------- */

enum prn_printer {
    PRN_PRINTER_READY = 0,    /* idle, accepting jobs */
    PRN_PRINTER_BUSY,         /* printing */
    PRN_PRINTER_STOPPED,      /* answers but stopped or not accepting (paper, jam...) */
    PRN_PRINTER_DOWN,         /* does not answer */
    PRN_PRINTER_NONE,         /* no printer configured */
};

/*
 * The state of the configured printer and the catalogue message to show the
 * clerk: M_PRN_STATE_*, or for a stopped printer (or an error reason) the
 * first of its printer-state-reasons the clerk can act on (prn_reason_msg:
 * a paused queue, paper, a jam...). DETAIL (may be NULL) gets a technical
 * detail with every reason keyword.
 */
enum prn_printer prn_printer_state(const struct kiosk_config *cfg, enum msg_id *msg_out,
                                   char *detail, size_t detaillen);

/* The catalogue message for a printer-state-reasons KEYWORD ("media-empty-error"...), 0 if none. */
enum msg_id prn_reason_msg(const char *keyword);

/* ---- outbox ------------------------------------------------------------------ */

/* Back-off before attempt ATTEMPTS+1 after ATTEMPTS failed attempts: 5 s, 15 s, 60 s, then 60 s. */
int prn_backoff_s(int attempts);

/*
 * Record a job (PDF included) as QUEUED and due now; fills *job_id. Nothing
 * is sent here: call prn_outbox_pump() (or prn_outbox_send()).
 */
int prn_outbox_add(store *st, int64_t order_id, enum prn_doc doc, const char *title,
                   int copies, const struct prn_pdf *pdf, time_t now, int64_t *job_id);

/* Like prn_outbox_add for any document kind named DOC_NAME (e.g. the settlement sheet). */
int prn_outbox_add_named(store *st, int64_t order_id, const char *doc_name, const char *title,
                         int copies, const struct prn_pdf *pdf, time_t now, int64_t *job_id);

/* Render DOC for IN and add it to the outbox (copies from the CA profile for the form). */
int prn_outbox_add_doc(store *st, const struct kiosk_config *cfg, int64_t order_id,
                       enum prn_doc doc, const struct prn_order_doc *in, time_t now,
                       int64_t *job_id, char *err, size_t errlen);

struct prn_pump_result {
    int sent;                 /* jobs the printer took during this pump */
    int done;                 /* jobs seen completed */
    int failed;               /* jobs the printer failed */
    int queued;               /* jobs still waiting (due later) */
    enum prn_status last;     /* status of the last attempt (PRN_OK if none failed) */
    int busy;                 /* due jobs left alone: another process was sending them */
    enum msg_id message;      /* what to tell the clerk (M_PRN_PUMP_*) */
    char detail[256];         /* technical detail of the last failure */
};

/*
 * Send every QUEUED job due at NOW, oldest first, and follow SENT jobs to
 * DONE or FAILED. A job that fails to reach the printer stays QUEUED with
 * attempts+1, next_try = now + back-off and last_error. Stops at the first
 * connection failure (the printer is down; the rest wait). Never prints a job
 * the printer already accepted (see printing/outbox.c). Returns 0 or a
 * negative store status.
 */
int prn_outbox_pump(store *st, const struct kiosk_config *cfg, time_t now,
                    struct prn_pump_result *res);

/* Send one job now whatever its next_try (clerk's "retry"); QUEUED or FAILED only. */
int prn_outbox_send(store *st, const struct kiosk_config *cfg, int64_t job_id, time_t now,
                    struct prn_pump_result *res);

/* Make a QUEUED or FAILED job due now again. STORE_ERR_CONFLICT for other states. */
int prn_outbox_retry(store *st, int64_t job_id, time_t now);

/* Cancel a QUEUED or FAILED job. STORE_ERR_CONFLICT if it already reached the printer. */
int prn_outbox_cancel(store *st, int64_t job_id, time_t now);

/* A new QUEUED job from the stored PDF of any past job; fills *new_id. */
int prn_outbox_reprint(store *st, int64_t job_id, time_t now, int64_t *new_id);

/*
 * Follow a SENT job until the printer reports it completed or failed, at
 * most WAIT_MS; *out is the job as last recorded.
 */
int prn_outbox_follow(store *st, const struct kiosk_config *cfg, int64_t job_id, int wait_ms,
                      struct store_job *out);

/* The job-name sent to the printer for outbox job J ("TITLE #kiosk-ID-CREATED"). */
char *prn_outbox_job_name(char *buf, size_t n, const struct store_job *j);

/* Catalogue name of a job state. */
enum msg_id prn_job_state_msg(enum store_job_state s);

/* ---- the daily settlement sheet (日结单, printing/doc_settle.c) ------------------ */

/* Outbox "doc" of a settlement job (not an order document: no enum prn_doc). */
#define PRN_DOC_SETTLE_NAME "settle"

/*
 * What the settlement sheet prints: the lines of store_report_daily for one
 * day and their total, and the head of the audit chain when it was printed
 * (the anchor a later `kiosk audit verify --anchor ID:HASH16` checks: rows
 * deleted from the end of the trail cannot be seen from the chain alone).
 */
struct prn_settle_doc {
    enum msg_lang lang;                     /* language of the sheet */
    char date[11];                          /* YYYY-MM-DD (local) */
    char ca_name[128];                      /* CA display name (profile) */
    char hall[256];                         /* hall name */
    char printed_by[64];                    /* supervisor login; "" from the command line */
    time_t printed;                         /* printed at (0 = now) */
    const struct store_report_row *rows;    /* sorted by window, clerk, txn */
    size_t n;
    struct store_report_row total;          /* sum of every row */
    int64_t audit_id;                       /* audit head: newest row id (0 = empty trail) */
    char audit_hash[65];                    /* its hash, hex */
};

/*
 * Fill D for DATE from the store: the report, the audit head, hall and CA
 * names from CFG, the current catalogue language. d->rows is malloc'd:
 * release with prn_settle_free. Returns a store status (detail in the
 * store; a malformed DATE gives STORE_ERR_IO with detail "date: ...").
 */
int prn_settle_load(store *st, const struct kiosk_config *cfg, const char *date,
                    struct prn_settle_doc *d);
void prn_settle_free(struct prn_settle_doc *d);

/* "ID:HASH16", the anchor as printed (first 16 hex characters of the hash). */
char *prn_settle_anchor(char *buf, size_t n, const struct prn_settle_doc *d);

/*
 * Render the sheet (A4 portrait; as many pages as the rows need, the total,
 * the money summary, the anchor and the signature boxes on the last).
 * Returns 0, or -1 with a message in err.
 */
int prn_render_settle(const struct prn_settle_doc *d, struct prn_pdf *out, char *err, size_t errlen);

/*
 * Render the sheet and record it in the outbox as QUEUED (doc "settle",
 * title "日结单 DATE"); fills *job_id. Nothing is sent here. Returns a
 * store status (err says what failed).
 */
int prn_outbox_add_settle(store *st, const struct prn_settle_doc *d, time_t now, int64_t *job_id,
                          char *err, size_t errlen);

/* ---- background pump (printing/worker.c) --------------------------------- */

/* What the background pump last saw, for the status bar. */
struct prn_worker_status {
    bool known;               /* the printer was probed or reached at least once */
    bool up;                  /* it answered the last time */
    enum msg_id message;      /* what to tell the clerk when it is down (M_PRN_*) */
    int queued;               /* jobs still waiting after the last pump */
    int sent;                 /* jobs sent since the worker started */
    unsigned generation;      /* bumped at every update */
};

struct prn_worker;

/*
 * Start a thread that pumps the outbox every PERIOD_S seconds on its own connection to cfg->db_path, and probes
 * the printer at start and while it is down. CFG is copied. Returns 0, or
 * -1 when no thread could be started (*out NULL: the caller pumps itself).
 */
/* KEY_FROM (NULL: none): a store of the same process, open while the worker
 * runs, whose audit key the worker's own records handle appends with. */
int prn_worker_start(struct prn_worker **out, const struct kiosk_config *cfg, int period_s, const store *key_from);

/* The last published status (zeroed for NULL). */
void prn_worker_status(struct prn_worker *w, struct prn_worker_status *out);

/* Stop the thread (waits for an attempt under way to end) and free W. NULL is fine. */
void prn_worker_stop(struct prn_worker *w);

/* Ask W to pump the outbox now (a job was queued, or a clerk pressed "print
 * now" / "retry"). Never waits for the printer. NULL is fine. */
void prn_worker_wake(struct prn_worker *w);
/* Wake W to send job JOB_ID first (a clerk's "retry" or "reprint"), then pump. */
void prn_worker_send(struct prn_worker *w, int64_t job_id);

#endif

/*
 * kiosk/cmd_report.c - `kiosk report daily --date YYYY-MM-DD [--csv]`: the
 * daily settlement (日结) of store_report_daily, as a table for the
 * supervisor (headers from the catalogue) or as CSV for accounting (fixed
 * English column names, amounts in yuan with two decimals, a final "total"
 * line).
 *
 * --out FILE.pdf writes the settlement sheet (printing/doc_settle.c, in the
 * --lang language, Chinese by default); --print records it in the print
 * outbox and sends it to the configured printer (a printer that is down
 * leaves it queued: the kiosk's outbox prints it later). Both print the
 * audit anchor (ID:HASH16) that the sheet carries, and --print is audited.
 * With --csv their messages go to stderr so the CSV stays clean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/auditkey.h"
#include "kiosk/kinds.h"
#include "data/store.h"
#include "kiosk/cli.h"
#include "kiosk/msg.h"
#include "printing/print.h"

/* How long --print follows the job to completion. */
#define REPORT_FOLLOW_MS 5000

/* Columns of a UTF-8 string: wide (East Asian) characters count two. */
static int
report_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int w = 0;

    while (*p != '\0') {
        unsigned int cp;
        int len;
        if (*p < 0x80) { cp = *p; len = 1; }
        else if ((*p & 0xe0) == 0xc0) { cp = *p & 0x1fu; len = 2; }
        else if ((*p & 0xf0) == 0xe0) { cp = *p & 0x0fu; len = 3; }
        else { cp = *p & 0x07u; len = 4; }
        for (int i = 1; i < len && p[i] != '\0'; i++)
            cp = (cp << 6) | (p[i] & 0x3fu);
        w += (cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3)
              || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60)
              || (cp >= 0xffe0 && cp <= 0xffe6))) ? 2 : 1;
        for (int i = 0; i < len && *p != '\0'; i++)
            p++;
    }
    return w;
}

/* Print S in a field of WIDTH columns, right-aligned when RIGHT. */
static void
report_cell(const char *s, int width, bool right)
{
    int pad = width - report_width(s);

    if (right)
        printf("%*s%s", pad > 0 ? pad : 0, "", s);
    else
        printf("%s%*s", s, pad > 0 ? pad : 0, "");
}

static void
report_money(char *buf, size_t n, long fen)
{
    snprintf(buf, n, "%s%ld.%02ld", fen < 0 ? "-" : "", labs(fen) / 100, labs(fen) % 100);
}

enum { RC_WINDOW, RC_CLERK, RC_TXN, RC_DONE, RC_CASH, RC_POS, RC_QR, RC_FREE, RC_OPEN,
       RC_CANCELLED, RC_REFUNDS, RC_REFUND_AMT, RC_N };

/* The cells of one row as text. */
static void
report_cells(const struct store_report_row *r, bool total, char cells[RC_N][64])
{
    char w[64];

    /* for people: the window and the transaction by name (the CSV keeps the codes) */
    snprintf(cells[RC_WINDOW], 64, "%s", total ? msg(M_DATA_REP_TOTAL) : kind_window_name(r->window, msg_get_lang(), w, sizeof w));
    snprintf(cells[RC_CLERK], 64, "%s", total ? "" : r->clerk[0] ? r->clerk : msg(M_DATA_REP_SELF));
    snprintf(cells[RC_TXN], 64, "%s", total ? "" : kind_title_in(r->txn, msg_get_lang()));
    snprintf(cells[RC_DONE], 64, "%ld", r->done);
    report_money(cells[RC_CASH], 64, r->cash);
    report_money(cells[RC_POS], 64, r->pos);
    report_money(cells[RC_QR], 64, r->qr);
    snprintf(cells[RC_FREE], 64, "%ld", r->free_count);
    snprintf(cells[RC_OPEN], 64, "%ld", r->open);
    snprintf(cells[RC_CANCELLED], 64, "%ld", r->cancelled);
    snprintf(cells[RC_REFUNDS], 64, "%ld", r->refunds);
    report_money(cells[RC_REFUND_AMT], 64, r->refund_amount);
}

static void
report_print_row(char cells[RC_N][64], const int widths[RC_N])
{
    for (int c = 0; c < RC_N; c++) {
        if (c > 0)
            printf("  ");
        report_cell(cells[c], widths[c], c >= RC_DONE);
    }
    printf("\n");
}

/* Widen WIDTHS to fit CELLS. */
static void
report_fit(char cells[RC_N][64], int widths[RC_N])
{
    for (int c = 0; c < RC_N; c++) {
        int w = report_width(cells[c]);
        if (w > widths[c])
            widths[c] = w;
    }
}

static void
report_table(const char *date, const struct store_report_row *rows, size_t n, const struct store_report_row *total)
{
    static const enum msg_id heads[RC_N] = { M_DATA_REP_WINDOW, M_DATA_REP_CLERK, M_DATA_REP_TXN, M_DATA_REP_DONE,
        M_DATA_REP_CASH, M_DATA_REP_POS, M_DATA_REP_QR, M_DATA_REP_FREE, M_DATA_REP_OPEN, M_DATA_REP_CANCELLED,
        M_DATA_REP_REFUNDS, M_DATA_REP_REFUND_AMT };
    char head[RC_N][64], cells[RC_N][64], line[256];
    int widths[RC_N] = { 0 };

    printf("%s\n\n", msg_fmt(line, sizeof line, M_DATA_REP_TITLE, date));
    if (n == 0) {
        printf("%s\n", msg_fmt(line, sizeof line, M_DATA_REP_EMPTY, date));
        return;
    }
    /* two passes: measure every cell, then print */
    for (int c = 0; c < RC_N; c++)
        snprintf(head[c], 64, "%s", msg(heads[c]));
    report_fit(head, widths);
    for (size_t i = 0; i < n; i++) {
        report_cells(&rows[i], false, cells);
        report_fit(cells, widths);
    }
    report_cells(total, true, cells);
    report_fit(cells, widths);
    report_print_row(head, widths);
    for (size_t i = 0; i < n; i++) {
        report_cells(&rows[i], false, cells);
        report_print_row(cells, widths);
    }
    report_cells(total, true, cells);
    report_print_row(cells, widths);
    if (total->paid_open > 0) {
        char a[32];
        report_money(a, sizeof a, total->paid_open_amount);
        printf("\n%s\n", msg_fmt(line, sizeof line, M_DATA_REP_PAID_OPEN, total->paid_open, a));
    }
}

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void
report_csv_field(const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s != '\0'; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void
report_csv_row(const char *date, const struct store_report_row *r, bool total)
{
    char cash[32], pos[32], qr[32], ref[32], po[32], rd[32];

    report_money(cash, sizeof cash, r->cash);
    report_money(pos, sizeof pos, r->pos);
    report_money(qr, sizeof qr, r->qr);
    report_money(ref, sizeof ref, r->refund_amount);
    report_money(po, sizeof po, r->paid_open_amount);
    report_money(rd, sizeof rd, r->refunded_amount);
    printf("%s,", date);
    report_csv_field(total ? "total" : r->window);
    putchar(',');
    report_csv_field(total ? "" : r->clerk);
    putchar(',');
    report_csv_field(total ? "" : r->txn);
    printf(",%ld,%s,%s,%s,%ld,%ld,%ld,%ld,%s,%ld,%s,%ld,%s\n", r->done, cash, pos, qr, r->free_count, r->open,
           r->cancelled, r->refunds, ref, r->paid_open, po, r->refunded, rd);
}

/* Write the sheet for DATE to OUT; 0 or 1. */
static int
report_sheet_out(store *st, const struct kiosk_config *cfg, const char *date, const char *out, FILE *msgs)
{
    struct prn_settle_doc d;
    struct prn_pdf pdf;
    char err[512], line[1024], anchor[96];
    FILE *f;

    if (prn_settle_load(st, cfg, date, &d) != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
        return 1;
    }
    if (prn_render_settle(&d, &pdf, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        prn_settle_free(&d);
        return 1;
    }
    f = fopen(out, "wb");
    if (f == NULL || fwrite(pdf.data, 1, pdf.len, f) != pdf.len || fclose(f) != 0) {
        char line[700];

        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_CANNOT_WRITE, "report daily", out));
        prn_pdf_free(&pdf);
        prn_settle_free(&d);
        return 1;
    }
    fprintf(msgs, "%s\n", msg_fmt(line, sizeof line, M_DATA_REP_WROTE, out, pdf.pages, pdf.len,
                                  prn_settle_anchor(anchor, sizeof anchor, &d)));
    prn_pdf_free(&pdf);
    prn_settle_free(&d);
    return 0;
}

/* Queue the sheet for DATE, send it and follow it; 0 printed (or taken), 1 not. */
static int
report_sheet_print(store *st, const struct kiosk_config *cfg, const char *date, FILE *msgs)
{
    struct prn_settle_doc d;
    struct prn_pump_result r;
    struct store_job j;
    char err[512], line[1024], anchor[96], detail[256];
    time_t now = time(NULL);
    int64_t id = 0;

    if (prn_settle_load(st, cfg, date, &d) != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
        return 1;
    }
    prn_settle_anchor(anchor, sizeof anchor, &d);
    if (prn_outbox_add_settle(st, &d, now, &id, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_REP_PRINT_FAILED, err));
        prn_settle_free(&d);
        return 1;
    }
    prn_settle_free(&d);
    snprintf(detail, sizeof detail, "doc=settle date=%s job=%lld anchor=%s", date, (long long)id, anchor);
    (void)store_audit(st, "admin", "print", detail);
    fprintf(msgs, "%s\n", msg_fmt(line, sizeof line, M_DATA_REP_QUEUED, (long long)id, anchor));
    memset(&r, 0, sizeof r);
    if (prn_outbox_send(st, cfg, id, now, &r) != STORE_OK ||
        prn_outbox_follow(st, cfg, id, REPORT_FOLLOW_MS, &j) != STORE_OK) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_REP_PRINT_FAILED, store_detail(st)));
        return 1;
    }
    fprintf(msgs, "%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_JOB_STATE, (long long)id, msg(prn_job_state_msg(j.state))));
    if (j.state == JOB_DONE || j.state == JOB_SENT)
        return 0;
    if (r.message == M_PRN_PUMP_WAITING)
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PRN_PUMP_WAITING, r.queued));
    else
        fprintf(stderr, "%s\n", msg(r.message));
    if (j.last_error[0] != '\0')
        fprintf(stderr, "  %s\n", j.last_error);
    return 1;
}

static int
report_daily_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_report_row *rows = NULL, total;
    const char *date = NULL, *out = NULL;
    bool csv = false, print = false;
    char err[768], line[1024];
    struct audit_key akey;
    struct store_opts so;
    store *st = NULL;
    size_t n = 0;
    int rc, i;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--csv") == 0)
            csv = true;
        else if (strcmp(argv[i], "--print") == 0)
            print = true;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
            date = argv[++i];
        else if (strncmp(argv[i], "--date=", 7) == 0)
            date = argv[i] + 7;
        else
            date = NULL, i = argc + 1;
    }
    if (date == NULL || i > argc) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DATA_USAGE, "report", "daily",
                "--date YYYY-MM-DD [--csv] [--print] [--out FILE.pdf]"));
        return 2;
    }
    audit_key_fetch(cfg, NULL, &akey);
    cfg_store_opts(cfg, &so);
    rc = store_open(&st, &so, err, sizeof err);
    if (rc != STORE_OK) {
        (void)audit_key_use(&akey, NULL);
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line,
                rc == STORE_ERR_SCHEMA ? M_DATA_DB_SCHEMA : M_DATA_DB_ERR, cfg->db_path, err));
        return 1;
    }
    (void)audit_key_use(&akey, st);
    rc = store_report_daily(st, date, kind_free_codes(), &rows, &n, &total);
    if (rc != STORE_OK) {
        bool bad_date = strncmp(store_detail(st), "date:", 5) == 0;
        if (bad_date)
            fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_BAD_DATE, date));
        else
            fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, store_detail(st)));
        store_close(st);
        return bad_date ? 2 : 1;
    }
    if (csv) {
        printf("date,window,clerk,txn,done,cash,pos,qr,free,open,cancelled,refunds,refund_amount,paid_open,paid_open_amount,refunded,refunded_amount\n");
        for (size_t k = 0; k < n; k++)
            report_csv_row(date, &rows[k], false);
        report_csv_row(date, &total, true);
    } else {
        report_table(date, rows, n, &total);
    }
    free(rows);
    fflush(stdout);
    rc = 0;
    if (out != NULL)
        rc |= report_sheet_out(st, cfg, date, out, csv ? stderr : stdout);
    if (print)
        rc |= report_sheet_print(st, cfg, date, csv ? stderr : stdout);
    store_close(st);
    return rc;
}

const struct cli_cmd cmd_report_daily = {
    .group = "report", .name = "daily", .usage = "--date YYYY-MM-DD [--csv] [--print] [--out FILE.pdf]", .help = M_CLI_H_REPORT_DAILY, .exec = report_daily_exec,
};

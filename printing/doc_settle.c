/*
 * printing/doc_settle.c - 日结单, the daily settlement sheet (A4 portrait):
 * one table row per window, clerk and transaction of store_report_daily
 * (orders done, amounts by payment method cash / POS / QR, free warranty
 * replacements, open, cancelled, refunds due and their amount), the total
 * row, the money summary, two signature boxes (prepared by / supervisor),
 * and on every page the head of the audit chain when it was printed
 * ("ID:HASH16", the anchor `kiosk audit verify --anchor` checks: deleting
 * the newest audit rows leaves a chain that is still consistent, only a
 * copy of its head kept elsewhere - this paper - shows they existed).
 *
 * Laid out from template tables like the other documents: the page
 * furniture (st_head, st_cont, st_foot, st_end) is a table of items in
 * millimetres, the table columns (st_cols) a table of widths and values.
 * Rows flow down the page; a page break repeats the column headings. The
 * layout runs twice: once dry to count pages ("page 1 of N"), then drawn.
 */
#include "kiosk/rules.h"
#include "printing/render.h"

#include <cairo-pdf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- templates ------------------------------------------------------------ */

/* Values the settlement templates print (resolved by st_value). */
enum st_val {
    SV_LABEL = 0,           /* the item's catalogue label */
    SV_CA,                  /* CA display name */
    SV_DATE,                /* 营业日期 */
    SV_HALL,                /* 营业厅 */
    SV_PRINTED,             /* 打印时间 */
    SV_BY,                  /* 打印人 */
    SV_CONT,                /* continuation page title */
    SV_ANCHOR,              /* 审计锚点 ID:HASH16 */
    SV_ANCHOR_NOTE,         /* how to check it */
    SV_PAGE,                /* page p of n */
    SV_MONEY,               /* money taken, by method */
    SV_COUNTS,              /* counts and refunds */
    SV_FRAME,               /* an empty frame (signature box) */
};

/* One item: y is from the top of the page, or from the end of the table for st_end. */
struct st_item {
    enum st_val val;
    enum msg_id label;      /* SV_LABEL */
    double x, y, w, h;      /* mm */
    double pt;
    unsigned flags;         /* PRN_* */
};

#define L(lbl, X, Y, W, H, PT, FL) { .val = SV_LABEL, .label = lbl, .x = X, .y = Y, .w = W, .h = H, .pt = PT, .flags = FL }
#define F(v, X, Y, W, H, PT, FL) { .val = v, .x = X, .y = Y, .w = W, .h = H, .pt = PT, .flags = FL }

#define ST_X 13.0           /* left edge of the table, mm */
#define ST_ROW_H 7.0        /* table row */
#define ST_HEAD_H 10.0      /* column headings (two lines) */
#define ST_BOTTOM 278.0     /* rows stop above the footer */

/* First page: title block; the column headings follow at ST_TABLE_Y1. */
static const struct st_item st_head[] = {
    F(SV_CA, 14, 9, 182, 7, 11, PRN_CENTER),
    L(M_PRN_ST_TITLE, 14, 16, 182, 12, 20, PRN_BOLD | PRN_CENTER),
    F(SV_DATE, 14, 30, 91, 7, 11, PRN_BOLD),
    F(SV_HALL, 105, 30, 91, 7, 10, PRN_RIGHT),
    F(SV_PRINTED, 14, 37, 91, 6, 9, 0),
    F(SV_BY, 105, 37, 91, 6, 9, PRN_RIGHT),
    L(M_PRN_ST_UNIT, 105, 43, 91, 5, 8, PRN_RIGHT),
};
#define ST_TABLE_Y1 48.0

/* Later pages: a one-line title; the headings follow at ST_TABLE_YN. */
static const struct st_item st_cont[] = {
    F(SV_CONT, 14, 10, 182, 8, 12, PRN_BOLD),
};
#define ST_TABLE_YN 20.0

/* Every page. */
static const struct st_item st_foot[] = {
    F(SV_ANCHOR, 14, 283, 80, 6, 8, 0),
    F(SV_PAGE, 94, 283, 40, 6, 8, PRN_CENTER),
    F(SV_PRINTED, 134, 283, 62, 6, 8, PRN_RIGHT),
};

/* After the total row (y relative to its bottom): summary and signatures. */
static const struct st_item st_end[] = {
    F(SV_MONEY, 14, 3, 182, 7, 10, PRN_BOLD),
    F(SV_COUNTS, 14, 10, 182, 7, 10, 0),
    F(SV_ANCHOR, 14, 18, 182, 7, 10, PRN_BOLD),
    F(SV_ANCHOR_NOTE, 14, 24, 182, 6, 8.5, 0),
    F(SV_FRAME, 14, 33, 88, 30, 0, 0),
    L(M_PRN_ST_MAKER, 15, 34, 60, 6, 10, 0),
    L(M_PRN_YMD_BLANK, 16, 55, 84, 7, 10, PRN_RIGHT),
    F(SV_FRAME, 108, 33, 88, 30, 0, 0),
    L(M_PRN_ST_SUPERVISOR, 109, 34, 60, 6, 10, 0),
    L(M_PRN_YMD_BLANK, 110, 55, 84, 7, 10, PRN_RIGHT),
};
#define ST_END_H 64.0

/* Values of a table cell. */
enum st_cell {
    SC_WINDOW, SC_CLERK, SC_TXN, SC_DONE, SC_CASH, SC_POS, SC_QR, SC_FREE, SC_OPEN, SC_CANC,
    SC_REFUNDS, SC_REFUND_AMT,
};

struct st_col {
    enum msg_id head;
    enum st_cell cell;
    double w;               /* mm */
    unsigned flags;         /* alignment of the values */
};

/* The columns, left to right (same order as `kiosk report daily --csv`). */
static const struct st_col st_cols[] = {
    { M_PRN_ST_COL_WINDOW, SC_WINDOW, 16, 0 },
    { M_PRN_ST_COL_CLERK, SC_CLERK, 16, 0 },
    { M_PRN_ST_COL_TXN, SC_TXN, 26, 0 },
    { M_PRN_ST_COL_DONE, SC_DONE, 12, PRN_RIGHT },
    { M_PRN_ST_COL_CASH, SC_CASH, 16, PRN_RIGHT },
    { M_PRN_ST_COL_POS, SC_POS, 16, PRN_RIGHT },
    { M_PRN_ST_COL_QR, SC_QR, 16, PRN_RIGHT },
    { M_PRN_ST_COL_FREE, SC_FREE, 12, PRN_RIGHT },
    { M_PRN_ST_COL_OPEN, SC_OPEN, 12, PRN_RIGHT },
    { M_PRN_ST_COL_CANC, SC_CANC, 12, PRN_RIGHT },
    { M_PRN_ST_COL_REFUNDS, SC_REFUNDS, 12, PRN_RIGHT },
    { M_PRN_ST_COL_REFUND_AMT, SC_REFUND_AMT, 18, PRN_RIGHT },
};
#define ST_NCOLS (sizeof st_cols / sizeof st_cols[0])
#define ST_CELL_PT 8.5

/* ---- values --------------------------------------------------------------- */

struct st_draw {
    struct prn_ctx c;
    const struct prn_settle_doc *d;
    int page;               /* current page, from 1 */
    int pages;              /* total pages (from the dry run) */
};

/* printf a catalogue template in the sheet's language. */
static const char *
st_fmt(const struct st_draw *s, char *buf, size_t n, enum msg_id id, ...)
{
    va_list ap;

    va_start(ap, id);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(buf, n, msg_in(id, s->d->lang), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    return buf;
}

char *
prn_settle_anchor(char *buf, size_t n, const struct prn_settle_doc *d)
{
    snprintf(buf, n, "%lld:%.16s", (long long)d->audit_id, d->audit_hash);
    return buf;
}

static const char *
st_value(const struct st_draw *s, const struct st_item *it, char *buf, size_t n)
{
    const struct prn_settle_doc *d = s->d;
    const struct store_report_row *t = &d->total;
    char a[64], b[64], c[64], e[64];
    time_t when = d->printed ? d->printed : time(NULL);
    struct tm tm;

    buf[0] = '\0';
    switch (it->val) {
    case SV_LABEL: return msg_in(it->label, d->lang);
    case SV_CA: return d->ca_name;
    case SV_DATE: return st_fmt(s, buf, n, M_PRN_ST_DATE, d->date);
    case SV_HALL: return d->hall[0] ? st_fmt(s, buf, n, M_PRN_ST_HALL, d->hall) : "";
    case SV_PRINTED:
        localtime_r(&when, &tm);
        strftime(a, sizeof a, "%Y-%m-%d %H:%M", &tm);
        return st_fmt(s, buf, n, M_PRN_PRINTED_AT, a);
    case SV_BY: return d->printed_by[0] ? st_fmt(s, buf, n, M_PRN_ST_BY, d->printed_by) : "";
    case SV_CONT: return st_fmt(s, buf, n, M_PRN_ST_CONT, d->date);
    case SV_ANCHOR:
        if (d->audit_id <= 0)
            return msg_in(M_PRN_ST_ANCHOR_NONE, d->lang);
        return st_fmt(s, buf, n, M_PRN_ST_ANCHOR, prn_settle_anchor(a, sizeof a, d));
    case SV_ANCHOR_NOTE:
        if (d->audit_id <= 0)
            return "";
        return st_fmt(s, buf, n, M_PRN_ST_ANCHOR_NOTE, prn_settle_anchor(a, sizeof a, d));
    case SV_PAGE: return st_fmt(s, buf, n, M_PRN_ST_PAGE, s->page, s->pages);
    case SV_MONEY:
    {
        char f[32], g[32];
        long taken = t->cash + t->pos + t->qr;
        return st_fmt(s, buf, n, M_PRN_ST_MONEY, rules_money_format(t->cash, a, sizeof a), rules_money_format(t->pos, b, sizeof b),
                      rules_money_format(t->qr, c, sizeof c), rules_money_format(taken, e, sizeof e), t->refunded,
                      rules_money_format(t->refunded_amount, f, sizeof f),
                      rules_money_format(taken - t->refunded_amount, g, sizeof g));
    }
    case SV_COUNTS:
        return st_fmt(s, buf, n, M_PRN_ST_COUNTS, t->done, t->free_count, t->open, t->cancelled, t->refunds,
                      rules_money_format(t->refund_amount, a, sizeof a), t->paid_open,
                      rules_money_format(t->paid_open_amount, b, sizeof b));
    case SV_FRAME: return "";
    }
    return "";
}

static const char *
st_cell_text(const struct st_draw *s, const struct store_report_row *r, bool total, enum st_cell cell,
             char *buf, size_t n)
{
    buf[0] = '\0';
    switch (cell) {
    case SC_WINDOW:
        if (total)
            return msg_in(M_PRN_ST_TOTAL, s->d->lang);
        return kind_window_name(r->window, s->d->lang, buf, n);
    case SC_CLERK: return total ? "" : r->clerk[0] ? r->clerk : "-";
    case SC_TXN: return total ? "" : kind_title_in(r->txn, s->d->lang);
    case SC_DONE: snprintf(buf, n, "%ld", r->done); return buf;
    case SC_CASH: return rules_money_format(r->cash, buf, n);
    case SC_POS: return rules_money_format(r->pos, buf, n);
    case SC_QR: return rules_money_format(r->qr, buf, n);
    case SC_FREE: snprintf(buf, n, "%ld", r->free_count); return buf;
    case SC_OPEN: snprintf(buf, n, "%ld", r->open); return buf;
    case SC_CANC: snprintf(buf, n, "%ld", r->cancelled); return buf;
    case SC_REFUNDS: snprintf(buf, n, "%ld", r->refunds); return buf;
    case SC_REFUND_AMT: return rules_money_format(r->refund_amount, buf, n);
    }
    return "";
}

/* ---- drawing ---------------------------------------------------------------- */

static void
st_items(struct st_draw *s, const struct st_item *items, size_t n, double y0)
{
    char buf[1024];
    size_t i;

    for (i = 0; i < n; i++) {
        const struct st_item *it = &items[i];
        if (it->val == SV_FRAME)
            prn_frame(&s->c, it->x, y0 + it->y, it->w, it->h, 0.4);
        else
            prn_text(&s->c, st_value(s, it, buf, sizeof buf), it->x, y0 + it->y, it->w, it->h, it->pt, it->flags);
    }
}

static double
st_headings(struct st_draw *s, double y)
{
    double x = ST_X;
    size_t i;

    for (i = 0; i < ST_NCOLS; i++) {
        prn_text(&s->c, msg_in(st_cols[i].head, s->d->lang), x, y, st_cols[i].w, ST_HEAD_H, ST_CELL_PT,
                 PRN_FRAME | PRN_BOLD | PRN_CENTER);
        x += st_cols[i].w;
    }
    return y + ST_HEAD_H;
}

static double
st_row(struct st_draw *s, const struct store_report_row *r, bool total, double y)
{
    char buf[128];
    double x = ST_X;
    size_t i;

    for (i = 0; i < ST_NCOLS; i++) {
        unsigned fl = PRN_FRAME | st_cols[i].flags | (total ? PRN_BOLD : 0);
        prn_text(&s->c, st_cell_text(s, r, total, st_cols[i].cell, buf, sizeof buf), x, y, st_cols[i].w,
                 ST_ROW_H, ST_CELL_PT, fl);
        x += st_cols[i].w;
    }
    return y + ST_ROW_H;
}

static double
st_table_width(void)
{
    double w = 0;
    size_t i;

    for (i = 0; i < ST_NCOLS; i++)
        w += st_cols[i].w;
    return w;
}

/* Finish the current page (footer) and start the next (title, headings). */
static double
st_new_page(struct st_draw *s)
{
    st_items(s, st_foot, sizeof st_foot / sizeof st_foot[0], 0);
    if (!s->c.dry)
        cairo_show_page(s->c.cr);
    s->page++;
    st_items(s, st_cont, sizeof st_cont / sizeof st_cont[0], 0);
    return st_headings(s, ST_TABLE_YN);
}

/* Lay out the whole sheet; returns the number of pages. */
static int
st_layout(struct st_draw *s)
{
    const struct prn_settle_doc *d = s->d;
    double y;
    size_t i;

    s->page = 1;
    st_items(s, st_head, sizeof st_head / sizeof st_head[0], 0);
    y = st_headings(s, ST_TABLE_Y1);
    if (d->n == 0) {
        prn_text(&s->c, msg_in(M_PRN_ST_EMPTY, d->lang), ST_X, y, st_table_width(), ST_ROW_H, ST_CELL_PT,
                 PRN_FRAME | PRN_CENTER);
        y += ST_ROW_H;
    }
    for (i = 0; i < d->n; i++) {
        if (y + ST_ROW_H > ST_BOTTOM)
            y = st_new_page(s);
        y = st_row(s, &d->rows[i], false, y);
    }
    /* the total row stays with the summary and the signatures */
    if (y + ST_ROW_H + ST_END_H > ST_BOTTOM)
        y = st_new_page(s);
    y = st_row(s, &d->total, true, y);
    st_items(s, st_end, sizeof st_end / sizeof st_end[0], y);
    st_items(s, st_foot, sizeof st_foot / sizeof st_foot[0], 0);
    if (!s->c.dry)
        cairo_show_page(s->c.cr);
    return s->page;
}

/* ---- output ------------------------------------------------------------------ */

static cairo_status_t
st_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct prn_pdf *p = closure;
    unsigned char *nd;

    if ((nd = realloc(p->data, p->len + len)) == NULL)
        return CAIRO_STATUS_WRITE_ERROR;
    memcpy(nd + p->len, data, len);
    p->data = nd;
    p->len += len;
    return CAIRO_STATUS_SUCCESS;
}

int
prn_render_settle(const struct prn_settle_doc *d, struct prn_pdf *out, char *err, size_t errlen)
{
    struct prn_order_doc od;        /* the drawing context wants an order: only its language is used */
    struct st_draw s;
    cairo_surface_t *surf;
    cairo_t *cr;
    cairo_status_t cst;
    char title[128];

    memset(out, 0, sizeof *out);
    memset(&od, 0, sizeof od);
    memset(&s, 0, sizeof s);
    od.lang = d->lang;
    s.d = d;
    surf = cairo_pdf_surface_create_for_stream(st_write, out, PRN_MM(210), PRN_MM(297));
    cr = cairo_create(surf);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(title, sizeof title, msg_in(M_PRN_ST_JOB, d->lang), d->date);
#pragma GCC diagnostic pop
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "kiosk " KIOSK_VERSION);
    if (prn_ctx_init(&s.c, cr, &od) != 0) {
        snprintf(err, errlen, "prn_render_settle: cannot set up pango with font \"%s\"", PRN_FONT);
        prn_ctx_fini(&s.c);
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        prn_pdf_free(out);
        return -1;
    }
    s.c.dry = 1;
    s.pages = 1;
    s.pages = st_layout(&s);
    s.c.dry = 0;
    s.c.overflows = 0;
    out->pages = st_layout(&s);
    out->overflows = s.c.overflows;
    prn_ctx_fini(&s.c);
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    cst = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (cst != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "prn_render_settle: %s: %s", d->date, cairo_status_to_string(cst));
        prn_pdf_free(out);
        return -1;
    }
    return 0;
}

/* ---- records ------------------------------------------------------------------ */

int
prn_settle_load(store *st, const struct kiosk_config *cfg, const char *date, struct prn_settle_doc *d)
{
    struct store_report_row *rows = NULL;
    int rc;

    memset(d, 0, sizeof *d);
    d->lang = msg_get_lang();
    snprintf(d->date, sizeof d->date, "%s", date != NULL ? date : "");
    if (cfg != NULL) {
        snprintf(d->ca_name, sizeof d->ca_name, "%s", cfg_profile(cfg)->display_name);
        snprintf(d->hall, sizeof d->hall, "%s", cfg->hall_name);
    }
    rc = store_report_daily(st, date, kind_free_codes(), &rows, &d->n, &d->total);
    if (rc != STORE_OK)
        return rc;
    d->rows = rows;
    rc = store_audit_head(st, &d->audit_id, d->audit_hash);
    if (rc != STORE_OK)
        prn_settle_free(d);
    return rc;
}

void
prn_settle_free(struct prn_settle_doc *d)
{
    free((void *)d->rows);
    d->rows = NULL;
    d->n = 0;
}

int
prn_outbox_add_settle(store *st, const struct prn_settle_doc *d, time_t now, int64_t *job_id,
                      char *err, size_t errlen)
{
    char title[128];
    struct prn_pdf pdf;
    int rc;

    if (prn_render_settle(d, &pdf, err, errlen) != 0)
        return STORE_ERR_IO;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(title, sizeof title, msg_in(M_PRN_ST_JOB, d->lang), d->date);
#pragma GCC diagnostic pop
    rc = prn_outbox_add_named(st, 0, PRN_DOC_SETTLE_NAME, title, 1, &pdf, now, job_id);
    if (rc != STORE_OK)
        snprintf(err, errlen, "print outbox: cannot record %s: %s", title, store_detail(st));
    prn_pdf_free(&pdf);
    return rc;
}

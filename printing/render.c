/*
 * printing/render.c - turns a template (printing/doc_*.c) and an order into
 * a PDF in memory: cairo PDF surface, pango text in "WenQuanYi Micro Hei"
 * (embedded as a subset by cairo), QR codes with libqrencode.
 *
 * Units: templates speak millimetres; cairo draws in PDF points (PRN_MM).
 * Text never leaves its box: it wraps (word, then character for CJK), then
 * shrinks; what still does not fit is clipped and counted in
 * prn_pdf.overflows so tests can insist on zero.
 */
#include "kiosk/rules.h"
#include "printing/render.h"

#include <cairo-pdf.h>
#include <dlfcn.h>
#include <stdint.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- context ---------------------------------------------------------------- */

/*
 * pango keeps a per-thread font map (and fontconfig its patterns) for the
 * life of the process: that cache is what makes every render after the first
 * fast. Release it at exit so leak checkers see only real leaks.
 */
static void
prn_release_fonts(void)
{
    void *fini;

    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    /* FcFini frees fontconfig's configuration; fontconfig comes in through
     * pango (no -lfontconfig on our link line), hence the lookup. */
    fini = dlsym(RTLD_DEFAULT, "FcFini");
    if (fini != NULL)
        ((void (*)(void))(uintptr_t)fini)();
}

int
prn_ctx_init(struct prn_ctx *c, cairo_t *cr, const struct prn_order_doc *in)
{
    cairo_font_options_t *fo;
    PangoContext *pc;

    static int registered;

    if (!registered) {
        registered = 1;
        atexit(prn_release_fonts);
    }
    memset(c, 0, sizeof *c);
    c->cr = cr;
    c->in = in;
    c->lang = in->lang;
    c->scale = 1.0;
    c->layout = pango_cairo_create_layout(cr);
    if (c->layout == NULL)
        return -1;
    /* Unhinted metrics: the same layout whatever the surface. */
    pc = pango_layout_get_context(c->layout);
    fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(c->layout);
    pango_layout_set_wrap(c->layout, PANGO_WRAP_WORD_CHAR);
    c->font = pango_font_description_from_string(PRN_FONT);
    return c->font != NULL ? 0 : -1;
}

void
prn_ctx_fini(struct prn_ctx *c)
{
    if (c->font != NULL)
        pango_font_description_free(c->font);
    if (c->layout != NULL)
        g_object_unref(c->layout);
    c->font = NULL;
    c->layout = NULL;
}

/* ---- fields -------------------------------------------------------------------- */

static void
fmt_time(char *buf, size_t n, time_t t, const char *fmt)
{
    struct tm tm;

    if (t == 0 || localtime_r(&t, &tm) == NULL) {
        buf[0] = '\0';
        return;
    }
    strftime(buf, n, fmt, &tm);
}

/* printf a catalogue template in the document's language. */
static const char *
cfmt(const struct prn_ctx *c, char *buf, size_t n, enum msg_id id, ...)
{
    va_list ap;

    va_start(ap, id);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(buf, n, msg_in(id, c->lang), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    return buf;
}

static enum msg_id
pay_msg(const char *code)
{
    if (strcmp(code, "cash") == 0)
        return M_PRN_PAY_CASH;
    if (strcmp(code, "pos") == 0)
        return M_PRN_PAY_POS;
    if (strcmp(code, "qr") == 0)
        return M_PRN_PAY_QR;
    return M_PRN_PAY_NONE;
}

const char *
prn_field_text(const struct prn_ctx *c, enum prn_field f, char *buf, size_t n)
{
    const struct prn_order_doc *d = c->in;
    const struct kind_info *ti = kind_info(d->txn);
    char a[128], b[128];

    buf[0] = '\0';
    switch (f) {
    case PF_NONE: return "";
    case PF_ORDER_NUMBER: return d->order_number;
    case PF_ORDER_LINE: return cfmt(c, buf, n, M_PRN_R_ORDER, d->order_number);
    case PF_CA_NAME: return d->ca_name;
    case PF_PRINTED_AT:
        fmt_time(a, sizeof a, d->printed ? d->printed : time(NULL), "%Y-%m-%d %H:%M");
        return cfmt(c, buf, n, M_PRN_PRINTED_AT, a);
    case PF_COMPANY: return d->company;
    case PF_USCC: return d->uscc;
    case PF_LEGAL_REP: return d->legal_rep;
    case PF_LEGAL_REP_ID: return d->legal_rep_id;
    case PF_COMPANY_PHONE: return d->company_phone;
    case PF_OFFICE_PHONE: return d->office_phone;
    case PF_WEBSITE: return d->website;
    case PF_OPERATOR: return d->operator_name;
    case PF_OPERATOR_ID: return d->operator_id;
    case PF_OPERATOR_MOBILE: return d->operator_mobile;
    case PF_OPERATOR_EMAIL: return d->operator_email;
    case PF_OPERATOR_WECHAT: return d->operator_wechat;
    case PF_MAIL_ADDRESS: return d->mail_address;
    case PF_APP_LINE:
        snprintf(buf, n, "%s%s　　%s%s　　%s%s\n%s%s",
                 msg_in(M_PRN_F_REGION, c->lang), d->app_region,
                 msg_in(M_PRN_F_CATEGORY, c->lang), d->app_category,
                 msg_in(M_PRN_F_PROJECT, c->lang), d->app_project,
                 msg_in(M_PRN_F_CERT_KIND, c->lang),
                 msg_in(d->cert_kind == PRN_CERT_LEGAL ? M_PRN_CERT_LEGAL : M_PRN_CERT_UNIT, c->lang));
        return buf;
    case PF_CHANGE_DESC:
        return ti->op == KIND_OP_CHANGE ? d->change_desc : "";
    case PF_OTHER_DESC:
        if (ti->op != KIND_OP_OTHER)
            return "";
        snprintf(buf, n, "%s%s%s", msg_in(ti->title, c->lang), d->change_desc[0] ? "：" : "", d->change_desc);
        return buf;
    case PF_DECL_3: return cfmt(c, buf, n, M_PRN_F_DECL_3, d->ca_name);
    case PF_SEAL_KIND:
        return msg_in(d->cert_kind == PRN_CERT_LEGAL ? M_PRN_S_KIND_LEGAL : M_PRN_S_KIND_UNIT, c->lang);
    case PF_HALL: return d->hall;
    case PF_R_WINDOW:
        if (d->window[0] == '\0')
            return msg_in(M_PRN_R_SELF, c->lang);
        return cfmt(c, buf, n, M_PRN_R_WINDOW, d->window);
    case PF_R_CLERK:
        return d->clerk[0] ? cfmt(c, buf, n, M_PRN_R_CLERK, d->clerk) : "";
    case PF_R_TIME:
        fmt_time(a, sizeof a, d->printed ? d->printed : time(NULL), "%Y-%m-%d %H:%M:%S");
        return cfmt(c, buf, n, M_PRN_R_TIME, a);
    case PF_R_ORDER: return cfmt(c, buf, n, M_PRN_R_ORDER, d->order_number);
    case PF_R_TXN: return cfmt(c, buf, n, M_PRN_R_TXN, msg_in(ti->title, c->lang));
    case PF_R_COMPANY: return d->company[0] ? cfmt(c, buf, n, M_PRN_R_COMPANY, d->company) : "";
    case PF_R_OPERATOR:
        if (d->operator_name[0] == '\0')
            return "";
        rules_mask_id(d->operator_id, a, sizeof a);
        return cfmt(c, buf, n, M_PRN_R_OPERATOR, d->operator_name, a);
    case PF_R_PAYMENT:
        if (prn_total(d) == 0)
            return "";
        return cfmt(c, buf, n, M_PRN_R_PAYMENT, msg_in(pay_msg(d->pay_method), c->lang));
    case PF_R_CERT_SERIAL:
        return d->cert_serial[0] ? cfmt(c, buf, n, M_PRN_R_CERT_SERIAL, d->cert_serial) : "";
    case PF_R_VALIDITY:
        if (d->not_after == 0)
            return "";
        fmt_time(a, sizeof a, d->not_before, "%Y-%m-%d");
        fmt_time(b, sizeof b, d->not_after, "%Y-%m-%d");
        return cfmt(c, buf, n, M_PRN_R_VALIDITY, a, b);
    case PF_R_KEY_SERIAL:
        return d->key_serial[0] ? cfmt(c, buf, n, M_PRN_R_KEY_SERIAL, d->key_serial) : "";
    case PF_C_INTRO: return cfmt(c, buf, n, M_PRN_C_INTRO, msg_in(ti->title, c->lang));
    case PF_C_FEE:
        if (prn_total(d) == 0)
            return "";
        rules_money_format(prn_total(d), a, sizeof a);
        return cfmt(c, buf, n, M_PRN_C_FEE, a);
    case PF_B_SEAL_ID: return d->seal_id[0] ? cfmt(c, buf, n, M_PRN_B_SEAL_ID, d->seal_id) : "";
    case PF_B_SEAL_KIND:
        return cfmt(c, buf, n, M_PRN_B_SEAL_KIND,
                    msg_in(d->cert_kind == PRN_CERT_LEGAL ? M_PRN_B_KIND_LEGAL : M_PRN_B_KIND_UNIT, c->lang));
    case PF_B_SEAL_NAME: return d->seal_name[0] ? cfmt(c, buf, n, M_PRN_B_SEAL_NAME, d->seal_name) : "";
    case PF_B_SEAL_IMAGE:
        return cfmt(c, buf, n, M_PRN_B_SEAL_IMAGE, d->seal_image[0] ? d->seal_image : msg_in(M_PRN_B_NO_IMAGE, c->lang));
    case PF_B_CERT_FPR: return d->cert_fpr[0] ? cfmt(c, buf, n, M_PRN_B_CERT_FPR, d->cert_fpr) : "";
    case PF_B_REBIND: return d->rebind_of[0] ? cfmt(c, buf, n, M_PRN_B_REBIND, d->rebind_of) : "";
    case PF_RF_AMOUNT:
        rules_money_format(d->refund_amount, a, sizeof a);
        return cfmt(c, buf, n, M_PRN_RF_AMOUNT, a, msg_in(pay_msg(d->pay_method), c->lang));
    case PF_RF_REASON: return d->refund_reason[0] ? cfmt(c, buf, n, M_PRN_RF_REASON, d->refund_reason) : "";
    case PF__COUNT: break;
    }
    return "";
}

/* ---- primitives ------------------------------------------------------------------- */

static void
set_font(struct prn_ctx *c, double pt, unsigned flags)
{
    pango_font_description_set_absolute_size(c->font, pt * PANGO_SCALE);
    pango_font_description_set_weight(c->font, (flags & PRN_BOLD) ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(c->layout, c->font);
}

double
prn_text(struct prn_ctx *c, const char *text, double x, double y, double w, double h,
         double pt, unsigned flags)
{
    const double pad = 1.2;     /* mm inside the box */
    double size = pt * c->scale, min = size * 0.6, avail = h - 2 * pad;
    int lw, lh;
    double th, yoff;

    if (flags & PRN_FRAME)
        prn_frame(c, x, y, w, h > 0 ? h : 0, 0.3);
    if (text == NULL || text[0] == '\0')
        return h > 0 ? h : 0;
    pango_layout_set_text(c->layout, text, -1);
    pango_layout_set_width(c->layout, (int)(PRN_MM(w - 2 * pad) * PANGO_SCALE));
    pango_layout_set_alignment(c->layout, (flags & PRN_CENTER) ? PANGO_ALIGN_CENTER
                               : (flags & PRN_RIGHT) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    for (;;) {
        set_font(c, size, flags);
        pango_layout_get_size(c->layout, &lw, &lh);
        th = (double)lh / PANGO_SCALE * 25.4 / 72.0;
        if (h <= 0 || th <= avail + 0.01 || size <= min)
            break;
        size -= 0.25;
    }
    if (h <= 0)
        h = th + 2 * pad, avail = th;
    if (c->dry)
        return h;
    cairo_save(c->cr);
    if (th > avail + 0.01) {
        c->overflows++;
        cairo_rectangle(c->cr, PRN_MM(x), PRN_MM(y), PRN_MM(w), PRN_MM(h));
        cairo_clip(c->cr);
    }
    yoff = (flags & PRN_TOP) || th > avail ? pad : pad + (avail - th) / 2;
    cairo_set_source_rgb(c->cr, 0, 0, 0);
    cairo_move_to(c->cr, PRN_MM(x + pad), PRN_MM(y + yoff));
    pango_cairo_show_layout(c->cr, c->layout);
    cairo_restore(c->cr);
    return h;
}

void
prn_frame(struct prn_ctx *c, double x, double y, double w, double h, double line_mm)
{
    if (c->dry || h <= 0)
        return;
    cairo_save(c->cr);
    cairo_set_source_rgb(c->cr, 0, 0, 0);
    cairo_set_line_width(c->cr, PRN_MM(line_mm));
    cairo_rectangle(c->cr, PRN_MM(x), PRN_MM(y), PRN_MM(w), PRN_MM(h));
    cairo_stroke(c->cr);
    cairo_restore(c->cr);
}

void
prn_checkbox(struct prn_ctx *c, double x, double y, double side, int ticked)
{
    if (c->dry)
        return;
    prn_frame(c, x, y, side, side, 0.3);
    if (!ticked)
        return;
    cairo_save(c->cr);
    cairo_set_line_width(c->cr, PRN_MM(0.5));
    cairo_move_to(c->cr, PRN_MM(x + side * 0.18), PRN_MM(y + side * 0.52));
    cairo_line_to(c->cr, PRN_MM(x + side * 0.42), PRN_MM(y + side * 0.78));
    cairo_line_to(c->cr, PRN_MM(x + side * 0.85), PRN_MM(y + side * 0.2));
    cairo_stroke(c->cr);
    cairo_restore(c->cr);
}

int
prn_qr(struct prn_ctx *c, const char *text, double x, double y, double side)
{
    QRcode *q;
    double m;
    int r, col;

    if (text == NULL || text[0] == '\0')
        return 0;
    if (c->dry)
        return 0;
    q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (q == NULL)
        return -1;
    m = side / q->width;
    cairo_save(c->cr);
    cairo_set_source_rgb(c->cr, 0, 0, 0);
    for (r = 0; r < q->width; r++)
        for (col = 0; col < q->width; col++)
            if (q->data[r * q->width + col] & 1)
                cairo_rectangle(c->cr, PRN_MM(x + col * m), PRN_MM(y + r * m), PRN_MM(m) + 0.02, PRN_MM(m) + 0.02);
    cairo_fill(c->cr);
    cairo_restore(c->cr);
    QRcode_free(q);
    return 0;
}

/* ---- page templates ------------------------------------------------------------------ */

void
prn_draw_page(struct prn_ctx *c, const struct prn_page_tpl *t)
{
    char buf[1024];
    size_t i;

    for (i = 0; i < t->n; i++) {
        const struct prn_item *it = &t->items[i];
        switch (it->kind) {
        case IT_TEXT:
            prn_text(c, msg_in(it->label, c->lang), it->x, it->y, it->w, it->h, it->pt, it->flags);
            break;
        case IT_FIELD:
            prn_text(c, prn_field_text(c, it->field, buf, sizeof buf), it->x, it->y, it->w, it->h, it->pt, it->flags);
            break;
        case IT_FRAME:
            prn_frame(c, it->x, it->y, it->w, it->h, 0.4);
            break;
        case IT_CHECK: {
            const double side = 3.2;
            int ticked = (it->flags & PRN_TICKABLE) && (int)kind_info(c->in->txn)->op == it->arg;
            const char *s = it->field != PF_NONE ? prn_field_text(c, it->field, buf, sizeof buf)
                                                 : msg_in(it->label, c->lang);
            prn_checkbox(c, it->x, it->y + ((it->flags & PRN_TOP) ? 1.4 : (it->h - side) / 2), side, ticked);
            prn_text(c, s, it->x + side + 0.5, it->y, it->w - side - 0.5, it->h,
                     it->pt, it->flags & ~(unsigned)PRN_FRAME);
            break;
        }
        case IT_QR:
            if (prn_qr(c, c->in->order_number, it->x, it->y, it->w) != 0)
                c->overflows++;
            break;
        }
    }
}

/* ---- flowing templates ---------------------------------------------------------------- */

static size_t
list_len(const enum msg_id *l)
{
    size_t n = 0;
    while (n < KIND_LIST_MAX && l[n] != 0)
        n++;
    return n;
}

/* One fee line: label left, amount right, same baseline band. */
static double
fee_line(struct prn_ctx *c, const char *label, long fen, double x, double y, double w, double pt, unsigned flags)
{
    char money[32], amount[64];
    double h1, h2;

    rules_money_format(fen, money, sizeof money);
    snprintf(amount, sizeof amount, msg_in(M_PRN_R_AMOUNT, c->lang), money);
    h1 = prn_text(c, label, x, y, w * 0.7, 0, pt, flags | PRN_TOP);
    h2 = prn_text(c, amount, x + w * 0.7, y, w * 0.3, 0, pt, flags | PRN_RIGHT | PRN_TOP);
    return h1 > h2 ? h1 : h2;
}

static double
draw_fees(struct prn_ctx *c, double x, double y, double w, double pt)
{
    const struct prn_order_doc *d = c->in;
    char label[256], money[32];
    double y0 = y;

    if (prn_total(d) == 0)
        return prn_text(c, msg_in(M_PRN_R_NO_FEE, c->lang), x, y, w, 0, pt, 0);
    y += prn_text(c, msg_in(M_PRN_R_FEES, c->lang), x, y, w, 0, pt, PRN_BOLD);
    if (d->media_fee > 0)
        y += fee_line(c, msg_in(M_PRN_R_MEDIA_FEE, c->lang), d->media_fee, x, y, w, pt, 0);
    if (d->years > 0 && d->service_fee_per_year > 0) {
        rules_money_format(d->service_fee_per_year, money, sizeof money);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(label, sizeof label, msg_in(M_PRN_R_SERVICE_FEE, c->lang), money, d->years);
#pragma GCC diagnostic pop
        y += fee_line(c, label, d->service_fee_per_year * d->years, x, y, w, pt, 0);
    }
    if (!c->dry) {
        cairo_save(c->cr);
        cairo_set_line_width(c->cr, PRN_MM(0.2));
        cairo_move_to(c->cr, PRN_MM(x), PRN_MM(y + 0.5));
        cairo_line_to(c->cr, PRN_MM(x + w), PRN_MM(y + 0.5));
        cairo_stroke(c->cr);
        cairo_restore(c->cr);
    }
    y += 1;
    y += fee_line(c, msg_in(M_PRN_R_TOTAL, c->lang), prn_total(d), x, y, w, pt * 1.15, PRN_BOLD);
    return y - y0;
}

static double
draw_list(struct prn_ctx *c, const enum msg_id *l, int boxes, double x, double y, double w, double pt)
{
    size_t i, n = list_len(l);
    double y0 = y, side = 3.0;

    for (i = 0; i < n; i++) {
        if (boxes) {
            prn_checkbox(c, x + 0.5, y + 1.6, side, 0);
            y += prn_text(c, msg_in(l[i], c->lang), x + side + 1.5, y, w - side - 1.5, 0, pt, PRN_TOP);
        } else {
            prn_text(c, "•", x, y, 4, 0, pt, PRN_TOP);
            y += prn_text(c, msg_in(l[i], c->lang), x + 3, y, w - 3, 0, pt, PRN_TOP);
        }
    }
    return y - y0;
}

/* A bilingual paper (--lang en): row R's text again in English, smaller,
 * under the Chinese line that stays the official one. Its height. */
static double
flow_english(struct prn_ctx *c, const struct prn_row *r, double x, double y, double w, char *buf, size_t n)
{
    enum msg_lang was = c->lang;
    const char *s = "";
    double h;

    if (!c->in->bilingual || was == LANG_EN)
        return 0;
    char zh[1024];

    /* the line as printed in Chinese: a name or a number says the same in both */
    if (r->kind == RW_FIELD)
        snprintf(zh, sizeof zh, "%s", prn_field_text(c, r->field, buf, n));
    else
        snprintf(zh, sizeof zh, "%s", r->label != 0 ? msg_in(r->label, was) : "");
    c->lang = LANG_EN;
    if (r->kind == RW_FIELD)
        s = prn_field_text(c, r->field, buf, n);
    else if (r->label != 0)
        s = msg_in(r->label, LANG_EN);
    h = s[0] != '\0' && strcmp(s, zh) != 0
            ? prn_text(c, s, x, y, w, 0, r->pt * 0.75,
                       r->kind == RW_TITLE ? PRN_CENTER : r->flags & (PRN_CENTER | PRN_RIGHT))
            : 0;
    c->lang = was;
    return h;
}

double
prn_draw_flow(struct prn_ctx *c, const struct prn_flow_tpl *t, double x, double y, double w)
{
    const struct kind_info *ti = kind_info(c->in->txn);
    char buf[1024];
    size_t i;

    for (i = 0; i < t->n; i++) {
        const struct prn_row *r = &t->rows[i];
        const char *s;
        switch (r->kind) {
        case RW_TITLE:
            y += prn_text(c, msg_in(r->label, c->lang), x, y, w, 0, r->pt, PRN_BOLD | PRN_CENTER);
            y += flow_english(c, r, x, y, w, buf, sizeof buf);
            break;
        case RW_TEXT:
            y += prn_text(c, msg_in(r->label, c->lang), x, y, w, 0, r->pt, r->flags);
            y += flow_english(c, r, x, y, w, buf, sizeof buf);
            break;
        case RW_FIELD:
            s = prn_field_text(c, r->field, buf, sizeof buf);
            if (s[0] != '\0') {
                y += prn_text(c, s, x, y, w, 0, r->pt, r->flags);
                y += flow_english(c, r, x, y, w, buf, sizeof buf);
            }
            break;
        case RW_HEADING:
            if (r->list == RW_NEXT && list_len(ti->next) == 0)
                break;
            if (r->list == RW_WARN && list_len(ti->warn) == 0)
                break;
            y += 1;
            y += prn_text(c, msg_in(r->label, c->lang), x, y, w, 0, r->pt, PRN_BOLD);
            y += flow_english(c, r, x, y, w, buf, sizeof buf);
            break;
        case RW_RULE:
            if (!c->dry) {
                cairo_save(c->cr);
                cairo_set_line_width(c->cr, PRN_MM(0.25));
                cairo_set_dash(c->cr, (double[]){ 2.0, 1.5 }, 2, 0);
                cairo_move_to(c->cr, PRN_MM(x), PRN_MM(y + 1.5));
                cairo_line_to(c->cr, PRN_MM(x + w), PRN_MM(y + 1.5));
                cairo_stroke(c->cr);
                cairo_restore(c->cr);
            }
            y += 3;
            break;
        case RW_FEES:
            y += draw_fees(c, x, y, w, r->pt);
            break;
        case RW_NEXT:
            y += draw_list(c, ti->next, 0, x, y, w, r->pt);
            break;
        case RW_WARN:
            y += draw_list(c, ti->warn, 0, x, y, w, r->pt);
            break;
        case RW_MATERIALS:
            y += draw_list(c, ti->materials, 1, x, y, w, r->pt);
            break;
        case RW_QR: {
            double side = w < 60 ? w * 0.45 : 28;
            y += 2;
            if (prn_qr(c, c->in->order_number, x + (w - side) / 2, y, side) != 0)
                c->overflows++;
            y += side + 2;
            break;
        }
        }
    }
    return y;
}

/* ---- PDF output ------------------------------------------------------------------------ */

struct membuf {
    unsigned char *data;
    size_t len, cap;
    int failed;
};

static cairo_status_t
mem_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct membuf *m = closure;

    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        unsigned char *p;
        while (cap < m->len + len)
            cap *= 2;
        p = realloc(m->data, cap);
        if (p == NULL) {
            m->failed = 1;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        m->data = p;
        m->cap = cap;
    }
    memcpy(m->data + m->len, data, len);
    m->len += len;
    return CAIRO_STATUS_SUCCESS;
}

void
prn_pdf_free(struct prn_pdf *pdf)
{
    free(pdf->data);
    memset(pdf, 0, sizeof *pdf);
}

/* Paper of the flowing documents: width, fixed height (0 = follows content), margin. */
static void
flow_paper(enum prn_paper paper, double *w, double *h, double *margin, double *scale)
{
    if (paper == PRN_PAPER_80MM) {
        *w = 80, *h = 0, *margin = 4, *scale = 0.85;
    } else {
        *w = 148, *h = 210, *margin = 12, *scale = 1.0;
    }
}

int
prn_render(enum prn_doc doc, const struct prn_order_doc *in, enum prn_paper paper,
           struct prn_pdf *out, char *err, size_t errlen)
{
    struct membuf mb = { 0 };
    struct prn_ctx c;
    cairo_surface_t *s;
    cairo_t *cr;
    cairo_status_t st;
    double pw = 210, ph = 297, margin = 0, scale = 1.0;
    const struct prn_page_tpl *page = NULL;
    const struct prn_flow_tpl *flow = NULL;
    char title[256];

    memset(out, 0, sizeof *out);
    switch (doc) {
    case PRN_DOC_FORM: page = &prn_tpl_form; break;
    case PRN_DOC_SEAL: page = &prn_tpl_seal; break;
    case PRN_DOC_RECEIPT: flow = &prn_tpl_receipt; break;
    case PRN_DOC_CHECKLIST: flow = &prn_tpl_checklist; break;
    case PRN_DOC_BIND: flow = &prn_tpl_bind; break;
    case PRN_DOC_REFUND: flow = &prn_tpl_refund; break;
    default:
        snprintf(err, errlen, "prn_render: unknown document %d", (int)doc);
        return -1;
    }
    if (page != NULL)
        pw = page->w, ph = page->h;
    else
        flow_paper(paper, &pw, &ph, &margin, &scale);

    s = cairo_pdf_surface_create_for_stream(mem_write, &mb, PRN_MM(pw), PRN_MM(ph > 0 ? ph : 297));
    cr = cairo_create(s);
    prn_job_title(title, sizeof title, doc, in);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "kiosk " KIOSK_VERSION);
    if (prn_ctx_init(&c, cr, in) != 0) {
        snprintf(err, errlen, "prn_render: cannot set up pango with font \"%s\"", PRN_FONT);
        prn_ctx_fini(&c);
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        free(mb.data);
        return -1;
    }
    if (page != NULL) {
        prn_draw_page(&c, page);
    } else {
        double bottom;
        /* Measure first: roll paper takes the content's height, A5 shrinks the text to fit. */
        c.dry = 1;
        c.scale = scale;
        for (;;) {
            bottom = prn_draw_flow(&c, flow, margin, margin, pw - 2 * margin);
            if (ph <= 0 || bottom + margin <= ph || c.scale < 0.55)
                break;
            c.scale -= 0.05;
        }
        if (ph <= 0)
            cairo_pdf_surface_set_size(s, PRN_MM(pw), PRN_MM(bottom + margin));
        c.dry = 0;
        c.overflows = (ph > 0 && bottom + margin > ph) ? 1 : 0;
        prn_draw_flow(&c, flow, margin, margin, pw - 2 * margin);
    }
    cairo_show_page(cr);
    out->overflows = c.overflows;
    out->pages = 1;
    prn_ctx_fini(&c);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS || mb.failed) {
        snprintf(err, errlen, "prn_render: %s: %s", prn_doc_name(doc),
                 mb.failed ? "out of memory" : cairo_status_to_string(st));
        free(mb.data);
        return -1;
    }
    out->data = mb.data;
    out->len = mb.len;
    return 0;
}

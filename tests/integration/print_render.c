/*
 * tests/integration/print_render.c - helper of tests/integration/print_docs.sh:
 * renders every document for every sample order into OUTDIR and writes,
 * beside each PDF, what the paper must show and must not show, taken from
 * the order itself (not hard-coded):
 *   vV_DOC.pdf      the document
 *   vV_DOC.values   one expected value a line (first line: the order number)
 *   vV_DOC.absent   values that must not appear (the unmasked ID on a receipt)
 * Usage: print_render OUTDIR [80mm|a5] [en]. Exit 1 if any text overflowed its box.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kiosk/rules.h"
#include "printing/print.h"

static void
line(FILE *f, const char *s)
{
    if (s != NULL && s[0] != '\0')
        fprintf(f, "%s\n", s);
}

static void
values(FILE *f, FILE *absent, enum prn_doc doc, const struct prn_order_doc *d)
{
    char buf[64], b2[64];
    struct tm tm;

    line(f, d->order_number);
    line(f, d->ca_name);
    switch (doc) {
    case PRN_DOC_FORM:
        line(f, d->company); line(f, d->uscc); line(f, d->legal_rep); line(f, d->legal_rep_id);
        line(f, d->company_phone); line(f, d->office_phone); line(f, d->website);
        line(f, d->operator_name); line(f, d->operator_id); line(f, d->operator_mobile);
        line(f, d->operator_email); line(f, d->operator_wechat); line(f, d->mail_address);
        line(f, d->app_region); line(f, d->app_category); line(f, d->app_project);
        if (d->txn == KIND_CHANGE)
            line(f, d->change_desc);
        break;
    case PRN_DOC_SEAL:
        line(f, d->company); line(f, d->operator_name);
        break;
    case PRN_DOC_RECEIPT:
        line(f, d->hall); line(f, d->window); line(f, d->clerk); line(f, d->company);
        line(f, d->operator_name); line(f, rules_mask_id(d->operator_id, buf, sizeof buf));
        line(absent, d->operator_id);
        if (d->media_fee > 0)
            line(f, rules_money_format(d->media_fee, buf, sizeof buf));
        if (d->years > 0 && d->service_fee_per_year > 0) {
            line(f, rules_money_format(d->service_fee_per_year, buf, sizeof buf));
            line(f, rules_money_format(d->service_fee_per_year * d->years, buf, sizeof buf));
        }
        if (prn_total(d) > 0)
            line(f, rules_money_format(prn_total(d), buf, sizeof buf));
        line(f, d->cert_serial); line(f, d->key_serial);
        if (d->not_after != 0) {
            localtime_r(&d->not_before, &tm);
            strftime(b2, sizeof b2, "%Y-%m-%d", &tm);
            line(f, b2);
            localtime_r(&d->not_after, &tm);
            strftime(b2, sizeof b2, "%Y-%m-%d", &tm);
            line(f, b2);
        }
        break;
    case PRN_DOC_BIND:
        line(f, d->hall); line(f, d->window); line(f, d->clerk); line(f, d->company);
        line(f, d->seal_id); line(f, d->seal_name); line(f, d->seal_image); line(f, d->rebind_of);
        line(f, d->cert_serial); line(f, d->cert_fpr); line(f, d->key_serial);
        break;
    case PRN_DOC_CHECKLIST:
        line(f, d->company);
        if (prn_total(d) > 0)
            line(f, rules_money_format(prn_total(d), buf, sizeof buf));
        break;
    default:
        break;
    }
}

int
main(int argc, char **argv)
{
    enum prn_paper paper = PRN_PAPER_A5;
    enum msg_lang lang = LANG_ZH;
    time_t now = time(NULL);
    int v, d, bad = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: print_render OUTDIR [80mm|a5] [en]\n");
        return 2;
    }
    if (argc > 2 && strcmp(argv[2], "80mm") == 0)
        paper = PRN_PAPER_80MM;
    if (argc > 3)
        (void)msg_parse_lang(argv[3], &lang);
    for (v = 0; v < 4; v++) {
        for (d = 0; d < PRN_DOC__COUNT; d++) {
            struct prn_order_doc o;
            struct prn_pdf pdf;
            char path[1024], err[256];
            FILE *f, *fv, *fa;

            prn_sample_order(&o, v, now);
            o.lang = lang;
            if (prn_render((enum prn_doc)d, &o, paper, &pdf, err, sizeof err) != 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
            }
            if (pdf.overflows > 0) {
                fprintf(stderr, "v%d %s: %d text(s) overflowed\n", v, prn_doc_name((enum prn_doc)d), pdf.overflows);
                bad = 1;
            }
            snprintf(path, sizeof path, "%s/v%d_%s.pdf", argv[1], v, prn_doc_name((enum prn_doc)d));
            f = fopen(path, "wb");
            if (f == NULL || fwrite(pdf.data, 1, pdf.len, f) != pdf.len || fclose(f) != 0) {
                perror(path);
                return 1;
            }
            snprintf(path, sizeof path, "%s/v%d_%s.values", argv[1], v, prn_doc_name((enum prn_doc)d));
            fv = fopen(path, "w");
            snprintf(path, sizeof path, "%s/v%d_%s.absent", argv[1], v, prn_doc_name((enum prn_doc)d));
            fa = fopen(path, "w");
            if (fv == NULL || fa == NULL) {
                perror(path);
                return 1;
            }
            values(fv, fa, (enum prn_doc)d, &o);
            fclose(fv);
            fclose(fa);
            prn_pdf_free(&pdf);
        }
    }
    return bad;
}

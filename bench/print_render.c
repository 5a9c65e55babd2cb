/*
 * bench/print_render.c - how long the counter's papers take: rendering each
 * document to PDF in memory, submitting to a printer (libcups, to the URI
 * given), and the three documents of a new certificate (form, seal sheet,
 * receipt) rendered and submitted one after another (target: under 60 ms).
 *
 *   build/bench/print_render [ROUNDS] [PRINTER_URI]
 *
 * Without a URI only rendering is measured (bench/print.sh starts a private
 * ippeveprinter and passes its URI). Prints medians and 90th percentiles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "printing/print.h"

static void
report(const char *what, double *v, int n)
{
    printf("%-44s median %7.2f ms   p90 %7.2f ms   (n=%d)\n", what, bench_percentile(v, n, 50), bench_percentile(v, n, 90), n);
}

int
main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    const char *uri = argc > 2 ? argv[2] : NULL;
    double *t = calloc((size_t)(rounds > 0 ? rounds : 1), sizeof *t), t0;
    struct prn_order_doc d;
    struct prn_pdf pdf;
    char err[512];
    int doc, i;
    size_t size[PRN_DOC__COUNT] = { 0 };

    if (rounds < 1 || t == NULL)
        return 2;
    prn_sample_order(&d, 0, time(NULL));
    /* First render loads fonts: measured apart. */
    t0 = bench_now_ms();
    if (prn_render(PRN_DOC_FORM, &d, PRN_PAPER_A5, &pdf, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("%-44s %7.2f ms\n", "first render (font loading)", bench_now_ms() - t0);
    prn_pdf_free(&pdf);

    for (doc = 0; doc < PRN_DOC__COUNT; doc++) {
        char what[64];
        for (i = 0; i < rounds; i++) {
            t0 = bench_now_ms();
            if (prn_render((enum prn_doc)doc, &d, PRN_PAPER_A5, &pdf, err, sizeof err) != 0)
                return 1;
            t[i] = bench_now_ms() - t0;
            size[doc] = pdf.len;
            prn_pdf_free(&pdf);
        }
        snprintf(what, sizeof what, "render %s (%zu KB)", prn_doc_name((enum prn_doc)doc), size[doc] / 1024);
        report(what, t, rounds);
    }
    if (uri != NULL) {
        struct prn_pdf docs[3];
        static const enum prn_doc set[3] = { PRN_DOC_FORM, PRN_DOC_SEAL, PRN_DOC_RECEIPT };
        int k, jid;
        for (k = 0; k < 3; k++)
            if (prn_render(set[k], &d, PRN_PAPER_A5, &docs[k], err, sizeof err) != 0)
                return 1;
        for (i = 0; i < rounds; i++) {
            struct prn_submit_opts o = { .dest = uri, .timeout_ms = 3000, .title = "bench", .copies = 1 };
            t0 = bench_now_ms();
            if (prn_submit(&o, docs[0].data, docs[0].len, &jid, err, sizeof err) != PRN_OK) {
                fprintf(stderr, "%s\n", err);
                return 1;
            }
            t[i] = bench_now_ms() - t0;
        }
        report("submit form (connect + IPP, one job)", t, rounds);
        for (i = 0; i < rounds; i++) {
            t0 = bench_now_ms();
            for (k = 0; k < 3; k++) {
                struct prn_pdf p;
                struct prn_submit_opts o = { .dest = uri, .timeout_ms = 3000, .title = "bench", .copies = 1 };
                if (prn_render(set[k], &d, PRN_PAPER_A5, &p, err, sizeof err) != 0
                    || prn_submit(&o, p.data, p.len, &jid, err, sizeof err) != PRN_OK) {
                    fprintf(stderr, "%s\n", err);
                    return 1;
                }
                prn_pdf_free(&p);
            }
            t[i] = bench_now_ms() - t0;
        }
        report("new certificate: 3 docs rendered + submitted", t, rounds);
        for (k = 0; k < 3; k++)
            prn_pdf_free(&docs[k]);
    }
    free(t);
    return 0;
}

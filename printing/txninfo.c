/*
 * printing/txninfo.c - the small formatting helpers of print.h (document
 * names, money, job titles). What the paper says for each transaction kind
 * (ticked box, next steps, warnings, materials) is the kinds table,
 * kiosk/kinds.c.
 */
#include "printing/render.h"

#include <stdio.h>
#include <string.h>

static const char *const doc_names[PRN_DOC__COUNT] = { "form", "seal", "receipt", "checklist", "bind", "refund" };

const char *
prn_doc_name(enum prn_doc doc)
{
    return (int)doc >= 0 && doc < PRN_DOC__COUNT ? doc_names[doc] : "?";
}

int
prn_doc_parse(const char *s, enum prn_doc *out)
{
    int i;

    for (i = 0; s != NULL && i < PRN_DOC__COUNT; i++)
        if (strcmp(s, doc_names[i]) == 0) {
            *out = (enum prn_doc)i;
            return 0;
        }
    return -1;
}

enum prn_paper
prn_paper_from_cfg(const struct kiosk_config *cfg)
{
    return strcmp(cfg->receipt_paper, "80mm") == 0 ? PRN_PAPER_80MM : PRN_PAPER_A5;
}

long
prn_total(const struct prn_order_doc *in)
{
    long svc = in->years > 0 ? in->service_fee_per_year * in->years : 0;
    return in->media_fee + svc;
}

char *
prn_job_title(char *buf, size_t n, enum prn_doc doc, const struct prn_order_doc *in)
{
    static const enum msg_id titles[PRN_DOC__COUNT] = {
        M_PRN_DOC_FORM, M_PRN_DOC_SEAL, M_PRN_DOC_RECEIPT, M_PRN_DOC_CHECKLIST, M_PRN_DOC_BIND, M_PRN_DOC_REFUND,
    };
    enum msg_id t = (int)doc >= 0 && doc < PRN_DOC__COUNT ? titles[doc] : M_PRN_DOC_FORM;

    snprintf(buf, n, "%s %s", msg_in(t, in->lang), in->order_number);
    return buf;
}

/*
 * printing/txninfo.c - what the paper says for each transaction (one const
 * table: the ticked box on the form, the receipt's next steps and warnings,
 * the materials to bring, from seeds 000/002/003/004), and the small
 * formatting helpers of print.h (money, masked IDs, names, job titles).
 */
#include "printing/render.h"

#include <stdio.h>
#include <string.h>

static const struct prn_txn_info txn_table[PRN_TXN__COUNT] = {
    [PRN_TXN_NEW] = {
        .name = M_PRN_TXN_NEW, .op = PRN_OP_APPLY,
        .next = { M_PRN_NEXT_BIND68 },
        .materials = { M_PRN_C_FORM2, M_PRN_C_LICENSE, M_PRN_C_SEALSHEET, M_PRN_C_LEGAL_ID,
                       M_PRN_C_OPERATOR_ID, M_PRN_C_MAIL_AUTH },
    },
    [PRN_TXN_RENEW] = {
        .name = M_PRN_TXN_RENEW, .op = PRN_OP_RENEW,
        .next = { M_PRN_NEXT_SELFTEST },
        .warn = { M_PRN_WARN_REENCRYPT },
        .materials = { M_PRN_C_FORM1, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY,
                       M_PRN_C_EXPIRED_FULL },
    },
    [PRN_TXN_LOST] = {
        .name = M_PRN_TXN_LOST, .op = PRN_OP_REPLACE,
        .next = { M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_OLD_REVOKED, M_PRN_WARN_REENCRYPT },
        .materials = { M_PRN_C_FORM1, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID },
    },
    [PRN_TXN_DAMAGED] = {
        .name = M_PRN_TXN_DAMAGED, .op = PRN_OP_REPLACE,
        .next = { M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_OLD_KEY, M_PRN_WARN_REENCRYPT },
        .materials = { M_PRN_C_FORM1, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_DAMAGED_KEY },
    },
    [PRN_TXN_CHANGE] = {
        .name = M_PRN_TXN_CHANGE, .op = PRN_OP_CHANGE,
        .next = { M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_REENCRYPT },
        .materials = { M_PRN_C_FORM1, M_PRN_C_LICENSE_NEW, M_PRN_C_CHANGE_NOTICE, M_PRN_C_OPERATOR_ID,
                       M_PRN_C_OLD_KEY },
    },
    [PRN_TXN_UNLOCK] = {
        .name = M_PRN_TXN_UNLOCK, .op = PRN_OP_UNLOCK,
        .next = { M_PRN_NEXT_NEWPIN },
        .materials = { M_PRN_C_FORM1, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY },
    },
    [PRN_TXN_REVOKE] = {
        .name = M_PRN_TXN_REVOKE, .op = PRN_OP_OTHER,
        .next = { M_PRN_NEXT_REVOKED },
        .materials = { M_PRN_C_FORM1, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY },
    },
    [PRN_TXN_BIND] = {
        .name = M_PRN_TXN_BIND, .op = PRN_OP_OTHER,
        .next = { M_PRN_NEXT_BOUND },
        .materials = { M_PRN_C_OLD_KEY, M_PRN_C_SEAL_FORM },
    },
};

const struct prn_txn_info *
prn_txn_info(enum prn_txn t)
{
    if ((int)t < 0 || t >= PRN_TXN__COUNT)
        t = PRN_TXN_NEW;
    return &txn_table[t];
}

enum prn_form_op
prn_form_op_for(enum prn_txn t)
{
    return prn_txn_info(t)->op;
}

static const char *const doc_names[PRN_DOC__COUNT] = { "form", "seal", "receipt", "checklist" };
static const char *const txn_codes[PRN_TXN__COUNT] = {
    "new", "renew", "lost", "damaged", "change", "unlock", "revoke", "bind",
};

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

const char *
prn_txn_code(enum prn_txn t)
{
    return (int)t >= 0 && t < PRN_TXN__COUNT ? txn_codes[t] : "?";
}

int
prn_txn_parse(const char *s, enum prn_txn *out)
{
    int i;

    for (i = 0; s != NULL && i < PRN_TXN__COUNT; i++)
        if (strcmp(s, txn_codes[i]) == 0) {
            *out = (enum prn_txn)i;
            return 0;
        }
    return -1;
}

enum prn_paper
prn_paper_from_cfg(const struct kiosk_config *cfg)
{
    return strcmp(cfg->receipt_paper, "80mm") == 0 ? PRN_PAPER_80MM : PRN_PAPER_A5;
}

char *
prn_money(char *buf, size_t n, long fen)
{
    const char *sign = fen < 0 ? "-" : "";

    if (fen < 0)
        fen = -fen;
    snprintf(buf, n, "%s%ld.%02ld", sign, fen / 100, fen % 100);
    return buf;
}

char *
prn_mask_id(char *buf, size_t n, const char *id)
{
    size_t len = strlen(id), i;

    if (n == 0)
        return buf;
    if (len <= 7) {
        /* Too short to show any part safely. */
        for (i = 0; i < len && i + 1 < n; i++)
            buf[i] = '*';
        buf[i] = '\0';
        return buf;
    }
    for (i = 0; i < len && i + 1 < n; i++)
        buf[i] = (i < 3 || i >= len - 4) ? id[i] : '*';
    buf[i] = '\0';
    return buf;
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
        M_PRN_DOC_FORM, M_PRN_DOC_SEAL, M_PRN_DOC_RECEIPT, M_PRN_DOC_CHECKLIST,
    };
    enum msg_id t = (int)doc >= 0 && doc < PRN_DOC__COUNT ? titles[doc] : M_PRN_DOC_FORM;

    snprintf(buf, n, "%s %s", msg_in(t, in->lang), in->order_number);
    return buf;
}

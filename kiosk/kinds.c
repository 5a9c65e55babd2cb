/*
 * kiosk/kinds.c - the one table of transaction kinds (see kinds.h). The
 * materials, next steps and warnings come from seeds 000/002/003/004.
 */
#include "kiosk/kinds.h"

#include <stdio.h>
#include <string.h>

#include <string.h>

#define W66 KIND_AT_W66
#define W68 KIND_AT_W68
#define SELF KIND_AT_SELF

static const struct kind_info kinds[KIND__COUNT] = {
    [KIND_NEW] = {
        .code = "new", .title = M_PRN_TXN_NEW, .op = KIND_OP_APPLY,
        .next = { M_PRN_NEXT_BIND68 },
        .materials = { M_PRN_C_FORM2, M_PRN_C_LICENSE, M_PRN_C_SEALSHEET, M_PRN_C_LEGAL_ID,
                       M_PRN_C_OPERATOR_ID, M_PRN_C_MAIL_AUTH },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = true,
    },
    [KIND_RENEW] = {
        .code = "renew", .title = M_PRN_TXN_RENEW, .op = KIND_OP_RENEW,
        .next = { M_PRN_NEXT_SELFTEST, M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_REENCRYPT },
        .materials = { M_RENEW_MAT_FORM, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY,
                       M_PRN_C_EXPIRED_FULL },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = true,
    },
    [KIND_LOST] = {
        .code = "lost", .title = M_PRN_TXN_LOST, .op = KIND_OP_REPLACE,
        .next = { M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_OLD_REVOKED, M_PRN_WARN_REENCRYPT },
        .materials = { M_LOST_MAT_FORM, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = true, .replacement = true,
    },
    [KIND_DAMAGED] = {
        .code = "damaged", .title = M_PRN_TXN_DAMAGED, .op = KIND_OP_REPLACE,
        .next = { M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_OLD_KEY, M_PRN_WARN_REENCRYPT },
        .materials = { M_LOST_MAT_FORM, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_DAMAGED_KEY },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = true, .replacement = true,
    },
    [KIND_CHANGE] = {
        .code = "change", .title = M_PRN_TXN_CHANGE, .op = KIND_OP_CHANGE,
        .next = { M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_REENCRYPT },
        .materials = { M_CHG_MAT_FORM, M_PRN_C_LICENSE_NEW, M_PRN_C_CHANGE_NOTICE, M_PRN_C_OPERATOR_ID,
                       M_PRN_C_OLD_KEY },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = false,
    },
    [KIND_UNLOCK] = {
        .code = "unlock", .title = M_PRN_TXN_UNLOCK, .op = KIND_OP_UNLOCK,
        .next = { M_PRN_NEXT_NEWPIN },
        .materials = { M_UNLOCK_MAT_FORM, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY },
        /* free (seeds 000, 003): the unlock table has no payment step */
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = false,
    },
    [KIND_REVOKE] = {
        .code = "revoke", .title = M_PRN_TXN_REVOKE, .op = KIND_OP_OTHER,
        .next = { M_PRN_NEXT_REVOKED },
        .materials = { M_REV_MAT_FORM, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = false,
    },
    /* 挂失 and 解挂 (beyond the seeds, issue 9): free, at the CA's counter */
    [KIND_HOLD] = {
        .code = "hold", .title = M_PRN_TXN_HOLD, .op = KIND_OP_OTHER,
        .next = { M_PRN_NEXT_HELD },
        .materials = { M_HOLD_MAT_FORM, M_PRN_C_LICENSE, M_PRN_C_OPERATOR_ID },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = false,
    },
    [KIND_RELEASE] = {
        .code = "release", .title = M_PRN_TXN_RELEASE, .op = KIND_OP_OTHER,
        .next = { M_PRN_NEXT_RELEASED },
        .materials = { M_REL_MAT_FORM, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY },
        .modes = W66, .resume_modes = W66, .cancel_modes = W66, .fee = false,
    },
    [KIND_BIND] = {
        .code = "bind", .title = M_PRN_TXN_BIND, .op = KIND_OP_OTHER,
        .next = { M_PRN_NEXT_BOUND },
        .materials = { M_PRN_C_OLD_KEY, M_PRN_C_SEAL_FORM, M_PRN_C_OPERATOR_ID },
        .modes = W68, .resume_modes = W68, .cancel_modes = W68, .fee = false,
    },
    [KIND_CHGREC] = {
        .code = "chgrec", .title = M_PRN_TXN_CHGREC, .op = KIND_OP_OTHER,
        .next = { M_PRN_NEXT_CHGREC },
        .materials = { M_PRN_C_LICENSE_NEW, M_PRN_C_CHANGE_NOTICE, M_PRN_C_OPERATOR_ID, M_PRN_C_OLD_KEY },
        .modes = W68, .resume_modes = W68, .cancel_modes = W68, .fee = false,
    },
    /* 证书更新 at the terminal (issue 12): the holder proves the key with its
     * PIN; only inside the renewal window, when no paper is needed; paid to
     * the payment provider by QR. Its orders are the holder's: found by the
     * key and its PIN, never by a window. */
    [KIND_SELFRENEW] = {
        .code = "selfrenew", .title = M_PRN_TXN_SELFRENEW, .op = KIND_OP_RENEW,
        .next = { M_PRN_NEXT_SELFTEST, M_PRN_NEXT_REBIND68 },
        .warn = { M_PRN_WARN_REENCRYPT },
        .materials = { M_PRN_C_OLD_KEY },
        .modes = SELF, .resume_modes = SELF, .cancel_modes = SELF, .fee = true,
    },
    /* The holder's own services on the key, at the counter or self-service:
     * no order (nothing to resume, pay or print), each audited. */
    [KIND_PIN] = {
        .code = "pin", .title = M_PRN_TXN_PIN, .op = KIND_OP_OTHER,
        .materials = { M_PRN_C_OLD_KEY },
        .modes = W66 | SELF, .fee = false,
    },
    [KIND_SELFTEST] = {
        .code = "selftest", .title = M_PRN_TXN_SELFTEST, .op = KIND_OP_OTHER,
        .materials = { M_PRN_C_OLD_KEY },
        .modes = W66 | SELF, .fee = false,
    },
};

const struct kind_info *
kind_info(enum txn_kind k)
{
    if ((int)k < 0 || k >= KIND__COUNT)
        k = KIND_NEW;
    return &kinds[k];
}

const char *
kind_code(enum txn_kind k)
{
    return (int)k >= 0 && k < KIND__COUNT ? kinds[k].code : "?";
}

int
kind_parse(const char *s, enum txn_kind *out)
{
    int i;

    for (i = 0; s != NULL && i < KIND__COUNT; i++)
        if (strcmp(s, kinds[i].code) == 0) {
            *out = (enum txn_kind)i;
            return 0;
        }
    return -1;
}

const char *
kind_title_of(const char *code)
{
    enum txn_kind k;

    return kind_parse(code, &k) == 0 ? msg(kinds[k].title) : NULL;
}

const char *
kind_free_codes(void)
{
    static char codes[KIND__COUNT * 12 + 2];

    if (codes[0] == '\0') {
        size_t len = 1;
        codes[0] = ',';
        codes[1] = '\0';
        for (int k = 0; k < KIND__COUNT; k++)
            if (kinds[k].replacement && len + strlen(kinds[k].code) + 2 <= sizeof codes) {
                memcpy(codes + len, kinds[k].code, strlen(kinds[k].code));
                len += strlen(kinds[k].code);
                codes[len++] = ',';
                codes[len] = '\0';
            }
    }
    return codes;
}

const char *
kind_title_in(const char *code, enum msg_lang lang)
{
    enum txn_kind t;

    return kind_parse(code, &t) == 0 ? msg_in(kind_info(t)->title, lang) : code;
}

const char *
kind_window_name(const char *window, enum msg_lang lang, char *buf, size_t n)
{
    if (strncmp(window, "window", 6) == 0 && window[6] != '\0') {
        snprintf(buf, n, msg_in(M_PRN_ST_WINDOW, lang), window + 6);
        return buf;
    }
    if (strcmp(window, "self") == 0)
        return msg_in(M_PRN_ST_SELF, lang);
    return window;
}

enum kind_material
kind_material_of(enum msg_id m)
{
    switch (m) {
    case M_PRN_C_FORM1:
    case M_PRN_C_FORM2:
    case M_PRN_C_SEALSHEET:
    case M_UNLOCK_MAT_FORM:
    case M_RENEW_MAT_FORM:
    case M_LOST_MAT_FORM:
    case M_CHG_MAT_FORM:
    case M_REV_MAT_FORM:
    case M_HOLD_MAT_FORM:
    case M_REL_MAT_FORM:
        return KIND_MAT_PRINTED;
    case M_PRN_C_MAIL_AUTH:
    case M_PRN_C_EXPIRED_FULL:
        return KIND_MAT_NOTE;
    default:
        return KIND_MAT_BRING;
    }
}

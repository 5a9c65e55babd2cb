/*
 * kiosk/engine_seal.c - 电子签章绑定, binding the electronic seal to a
 * company's certificate at window 68 (seed 000, step 5 and 重新绑定电子签章).
 *
 * Who comes (name, ID number, mobile: the order is found by it) -> the
 * holder's key inserted -> its certificate read, ours, active (not
 * revoked, on hold or expired) and the key's state allowing use -> the
 * company and certificate shown with the company's seals, newest first,
 * and the seal a re-binding replaces (one bound to a certificate since
 * superseded or revoked: 需重新绑定) -> the 电子印章采样表 received ->
 * the seal's name (the company's name for a unit certificate's company
 * seal, the legal representative's for a legal-person certificate's seal
 * and signature) and, optionally, a scanned image from [seal] scan_dir (a
 * PNG or PDF, named by its file name) -> the binding recorded with its
 * audit row and the order's journal in one unit of work (seal number,
 * company, certificate serial and fingerprint, key, clerk, time; the seal
 * replaced marked superseded) -> the binding confirmation printed -> done.
 *
 * Nothing outside the database is changed but the paper, which the outbox
 * prints once (bind_printed, set in the unit that queues it).
 */
#include "kiosk/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "kiosk/clock.h"

#define SEAL_LIST 3     /* the company's seals shown, newest first */

/* ---- the scanned image ------------------------------------------------------ */

/* What a scanned image is: its SHA-256 and a description ("PNG 600×600, 12 KB"). */
struct seal_image {
    char sha256[65];
    char desc[128];
};

static unsigned long
be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/*
 * The image NAME in the scan directory, read whole: 0 with *IMG filled, or
 * the catalogue's reason (a name with a path, missing, not a file, too
 * large, neither PNG nor PDF).
 */
static enum msg_id
seal_image_read(const struct txn_env *env, const char *name, struct seal_image *img)
{
    char path[CFG_PATH_MAX + 160];
    unsigned char *buf = NULL, md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    struct stat sb;
    ssize_t got;
    size_t len = 0, max = (size_t)env->cfg->seal_image_max_kb * 1024;
    enum msg_id why = 0;
    int fd;

    memset(img, 0, sizeof *img);
    if (strchr(name, '/') != NULL || name[0] == '.')
        return M_BIND_IMG_NAME;
    snprintf(path, sizeof path, "%s/%s", env->cfg->seal_scan_dir, name);
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return errno == ENOENT ? M_BIND_IMG_MISSING : M_BIND_IMG_NOT_FILE;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        why = M_BIND_IMG_NOT_FILE;
    else if ((size_t)sb.st_size > max)
        why = M_BIND_IMG_TOO_LARGE;
    else if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
        why = M_TXN_DB_ERROR;
    while (why == 0 && len < (size_t)sb.st_size && (got = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
        len += (size_t)got;
    close(fd);
    if (why == 0 && len != (size_t)sb.st_size)
        why = M_BIND_IMG_NOT_FILE;
    if (why == 0) {
        static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        if (len >= 24 && memcmp(buf, png, 8) == 0 && memcmp(buf + 12, "IHDR", 4) == 0)
            msg_fmt(img->desc, sizeof img->desc, M_BIND_IMG_PNG, name, be32(buf + 16), be32(buf + 20),
                    (unsigned long)((len + 1023) / 1024));
        else if (len >= 5 && memcmp(buf, "%PDF-", 5) == 0)
            msg_fmt(img->desc, sizeof img->desc, M_BIND_IMG_PDF, name, (unsigned long)((len + 1023) / 1024));
        else
            why = M_BIND_IMG_TYPE;
    }
    if (why == 0 && EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1)
        why = M_TXN_DB_ERROR;
    for (unsigned int i = 0; why == 0 && i < mdlen; i++)
        snprintf(img->sha256 + 2 * i, 3, "%02x", md[i]);
    free(buf);
    return why;
}

/* ---- the key ------------------------------------------------------------------ */

/* How a seal of the company stands, for the list. */
static enum msg_id
seal_status(const struct store_seal *s)
{
    if (s->state == SEAL_SUPERSEDED)
        return M_BIND_ST_SUPERSEDED;
    if (s->waiting)
        return M_BIND_ST_REBIND;
    return s->cert_state == CERT_ACTIVE ? M_BIND_ST_BOUND : M_BIND_ST_HELD;
}

static void
bind_key_scan(const struct txn *t, const struct txn_env *env, struct txn_key_view *v)
{
    txn_svc_key_scan(t, env, v);
    if (v->verdict == KEY_USABLE && v->cert.not_after < txn_now(env)) {
        v->verdict = KEY_REFUSED;
        v->note = M_BIND_EXPIRED;
    }
}

/* The key's certificate taken: its kind and fingerprint, the seal's
 * default name, the company's seals and the one a re-binding replaces. */
static enum msg_id
bind_key_take(struct txn *t, const struct txn_env *env, const struct txn_key_view *v, bool wipe)
{
    struct store_seal seals[16];
    struct store_cert rec;
    struct store_company co;
    size_t n = 0, i, shown = 0;
    enum msg_id why;
    char nb[24], line[512], day[16];

    if ((why = txn_svc_key_take(t, env, v, wipe)) != 0)
        return why;
    if (store_cert_get(env->st, txn_get(t, "cert_serial"), &rec) != STORE_OK ||
        store_seal_list(env->st, rec.uscc, seals, 16, &n) != STORE_OK)
        return M_TXN_DB_ERROR;
    txn_set(t, "kind", strcmp(rec.kind, "legal") == 0 ? "legal" : "unit");
    txn_set(t, "cert_fpr", rec.fpr);
    snprintf(nb, sizeof nb, "%lld", (long long)rec.not_before);
    txn_set(t, "cert_nb", nb);
    txn_set(t, "seal_kind_text", msg(strcmp(txn_get(t, "kind"), "legal") == 0 ? M_PRN_B_KIND_LEGAL : M_PRN_B_KIND_UNIT));
    txn_set(t, "rebind_of", "");
    for (i = 0; i < n; i++) {
        if (seals[i].state != SEAL_BOUND || strcmp(seals[i].kind, txn_get(t, "kind")) != 0)
            continue;
        if (strcmp(seals[i].cert_serial, rec.serial) == 0) {
            return M_BIND_ALREADY;      /* this certificate carries its seal already */
        }
        if (seals[i].waiting && txn_get(t, "rebind_of")[0] == '\0')
            txn_set(t, "rebind_of", seals[i].seal_id);
    }
    if (txn_get(t, "seal_name")[0] == '\0') {
        /* the name as engraved now (a changed company has a new seal) */
        if (strcmp(txn_get(t, "kind"), "legal") == 0 && store_company_get(env->st, rec.uscc, &co) == STORE_OK)
            txn_set(t, "seal_name", co.legal_rep);
        else
            txn_set(t, "seal_name", rec.holder);
    }
    for (i = 0; i < n && shown < SEAL_LIST; i++) {
        char key[16];
        struct rules_date d = clock_local_day(seals[i].bound_at);
        rules_date_format(d, day, sizeof day);
        snprintf(line, sizeof line, "%s  %s  %s  %s", seals[i].seal_id, seals[i].name, day, msg(seal_status(&seals[i])));
        snprintf(key, sizeof key, "seals_%zu", ++shown);
        txn_set(t, key, line);
    }
    if (shown == 0)
        txn_set(t, "seals_1", msg(M_BIND_NO_SEALS));
    return 0;
}

/* ---- the seal's form ------------------------------------------------------------ */

static enum msg_id
bind_seal_check(const struct txn *t, const struct txn_env *env, const char **field, char *other_id, size_t n)
{
    struct seal_image img;
    const char *name = txn_get(t, "seal_image");

    (void)other_id;
    (void)n;
    *field = "seal_image";
    return name[0] != '\0' ? seal_image_read(env, name, &img) : 0;
}

/* ---- the binding ------------------------------------------------------------------ */

static bool
bind_done(const struct txn *t)
{
    return txn_get(t, "seal_id")[0] != '\0';
}

static enum txn_run_result
bind_run(struct txn *t, const struct txn_env *env, struct txn_run *r)
{
    struct seal_image img;
    struct store_seal b;
    struct rules_date d = clock_local_day(txn_now(env));
    int64_t seq = 0;
    char detail[512];
    int rc;

    if (env->st == NULL)
        return r->store_rc = STORE_ERR_OPEN, RUN_STORE;
    memset(&img, 0, sizeof img);
    if (txn_get(t, "seal_image")[0] != '\0' && (r->why = seal_image_read(env, txn_get(t, "seal_image"), &img)) != 0)
        return RUN_REFUSED;     /* the file changed or went since the form: say so */
    memset(&b, 0, sizeof b);
    snprintf(b.uscc, sizeof b.uscc, "%s", txn_get(t, "uscc"));
    snprintf(b.company, sizeof b.company, "%s", txn_get(t, "company"));
    snprintf(b.kind, sizeof b.kind, "%s", txn_get(t, "kind"));
    snprintf(b.name, sizeof b.name, "%s", txn_get(t, "seal_name"));
    snprintf(b.cert_serial, sizeof b.cert_serial, "%s", txn_get(t, "cert_serial"));
    snprintf(b.cert_fpr, sizeof b.cert_fpr, "%s", txn_get(t, "cert_fpr"));
    snprintf(b.key_serial, sizeof b.key_serial, "%s", txn_get(t, "key_serial"));
    snprintf(b.image_sha256, sizeof b.image_sha256, "%s", img.sha256);
    snprintf(b.image_desc, sizeof b.image_desc, "%s", img.desc);
    snprintf(b.clerk, sizeof b.clerk, "%s", txn_actor(env));
    b.order_id = t->order.id;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return r->store_rc = rc, RUN_STORE;
    rc = store_counter_next(env->st, "seal", &seq);
    if (rc == STORE_OK) {
        snprintf(b.seal_id, sizeof b.seal_id, "QZ%04d%02d%02d-%06lld", d.y, d.m, d.d, (long long)seq);
        rc = store_seal_bind(env->st, &b);
    }
    if (rc == STORE_OK) {
        snprintf(detail, sizeof detail, "seal=%s uscc=%s kind=%s cert=%s key=%s rebind_of=%s image=%s", b.seal_id,
                 b.uscc, b.kind, b.cert_serial, b.key_serial, txn_get(t, "rebind_of")[0] ? txn_get(t, "rebind_of") : "-",
                 img.sha256[0] ? img.sha256 : "-");
        rc = store_audit(env->st, txn_actor(env), "seal.bind", detail);
    }
    if (rc == STORE_OK) {
        txn_set(t, "seal_id", b.seal_id);
        txn_set(t, "image_desc", img.desc);
        rc = txn_save(t, env->st);
    }
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    if (rc != STORE_OK) {
        store_rollback(env->st);
        txn_set(t, "seal_id", "");
        if (rc == STORE_ERR_CONFLICT) {
            r->why = M_BIND_ALREADY;    /* bound meanwhile, at another counter */
            return RUN_REFUSED;
        }
        return r->store_rc = rc, RUN_STORE;
    }
    txn_fault("bind");
    return RUN_OK;
}

static const struct txn_stage bind_stage = {
    .name = "bind", .title = M_BIND_S_BIND, .done = bind_done, .run = bind_run, .done_note = M_BIND_BOUND,
};
static const struct txn_stage *const bind_stages[] = { &bind_stage, &txn_stage_bind_paper, &txn_stage_finish };

/* Once bound there is nothing to undo: only finishing is right. */
static enum msg_id
bind_may_cancel(const struct txn *t, const struct txn_env *env)
{
    (void)env;
    return bind_done(t) ? M_BIND_NO_CANCEL : 0;
}

/* ---- the table ------------------------------------------------------------------------ */

static const struct txn_show bind_cert_rows[] = {
    { "company", M_TXN_F_COMPANY, 0 },
    { "uscc", M_TXN_F_USCC, 0 },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "cert_na", M_TXN_VALID_TO, TXN_SHOW_DATE },
    { "seal_kind_text", M_BIND_KIND, 0 },
    { "rebind_of", M_BIND_REBIND_OF, 0 },
    { "seals_1", M_BIND_SEALS, 0 },
    { "seals_2", M_BIND_SEALS, 0 },
    { "seals_3", M_BIND_SEALS, 0 },
};
static const enum msg_id bind_options[] = { M_BIND_OPT };
static const struct txn_pick bind_pick = {
    .key = "bind_pick", .question = M_BIND_Q, .options = bind_options,
    .noptions = sizeof bind_options / sizeof bind_options[0],
    .rows = bind_cert_rows, .nrows = sizeof bind_cert_rows / sizeof bind_cert_rows[0],
};

static const struct txn_field bind_seal_fields[] = {
    { .key = "seal_name", .label = M_BIND_F_NAME, .max_chars = 40, .required = true },
    { .key = "seal_image", .label = M_BIND_F_IMAGE, .max_chars = 100, .field_flags = FIELD_ASCII },
};
static const struct txn_form bind_seal_form = {
    .intro = M_BIND_SEAL_INTRO,
    .fields = bind_seal_fields,
    .nfields = sizeof bind_seal_fields / sizeof bind_seal_fields[0],
    .check = bind_seal_check,
};

static const struct txn_show bind_done_rows[] = {
    { "seal_id", M_BIND_SEAL_ID, 0 },
    { "seal_kind_text", M_BIND_KIND, 0 },
    { "seal_name", M_BIND_F_NAME, 0 },
    { "image_desc", M_BIND_F_IMAGE, 0 },
    { "rebind_of", M_BIND_REBIND_OF, 0 },
    { "company", M_TXN_F_COMPANY, 0 },
    { "cert_serial", M_TXN_KEY_CERT, 0 },
    { "key_serial", M_TXN_KEY_SERIAL, 0 },
};
static const struct txn_done bind_done_page = {
    .headline = M_BIND_DONE,
    .rows = bind_done_rows,
    .nrows = sizeof bind_done_rows / sizeof bind_done_rows[0],
    .next = M_BIND_NEXT,
};

static const struct txn_form bind_applicant_form = {
    .intro = M_BIND_APPLICANT_INTRO,
    .fields = txn_applicant_fields,
    .nfields = TXN_APPLICANT_NFIELDS,
    .check = txn_operator_check,
};

static const struct txn_step bind_steps[] = {
    { .name = "applicant", .title = M_UNLOCK_STEP_APPLICANT, .page = PAGE_FORM, .form = &bind_applicant_form },
    { .name = "key", .title = M_KEY_STEP_HOLDER, .page = PAGE_KEY },
    { .name = "confirm", .title = M_BIND_STEP_CONFIRM, .page = PAGE_PICK, .pick = &bind_pick },
    { .name = "materials", .title = M_TXN_STEP_MATERIALS, .page = PAGE_MATERIALS },
    { .name = "seal", .title = M_BIND_STEP_SEAL, .page = PAGE_FORM, .form = &bind_seal_form },
    { .name = "bind", .title = M_BIND_STEP_RUN, .page = PAGE_RUN, .flags = TXN_STEP_NOBACK,
      .stages = bind_stages, .nstages = sizeof bind_stages / sizeof bind_stages[0] },
    { .name = "done", .title = M_TXN_STEP_DONE, .page = PAGE_DONE, .flags = TXN_STEP_NOBACK },
};

const struct txn_def txn_bind = {
    .kind = KIND_BIND,
    .steps = bind_steps,
    .nsteps = sizeof bind_steps / sizeof bind_steps[0],
    .may_cancel = bind_may_cancel,
    .key_scan = bind_key_scan,
    .key_take = bind_key_take,
    .done = &bind_done_page,
    .servicing = true,
};

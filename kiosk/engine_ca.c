/*
 * kiosk/engine_ca.c - the CA keeps its word: revocation and the CRL.
 *
 * The records say what is revoked (store_cert_revoke, in the unit of work
 * that audits it); the CRL is derived from them, signed in the HSM
 * (token/tok_crl.c) and published atomically (a temporary file, fsync,
 * rename) to [ca] crl_dir as kiosk-ca.crl, beside kiosk-ca.crt (the CA
 * certificate, for authorityInfoAccess). Publishing is an effect outside
 * the database that can always be redone from the records: it follows every
 * revocation, and `kiosk ca crl` redoes it (at start, on a schedule before
 * nextUpdate, after a crash between a revocation and its publication).
 */
#include "kiosk/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "kiosk/rules.h"

struct revoked_list {
    struct tok_revoked *v;
    size_t n, cap;
};

static int
revoked_collect(void *arg, const char *serial, time_t at, int reason)
{
    struct revoked_list *l = arg;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct tok_revoked *nv = realloc(l->v, cap * sizeof *nv);
        if (nv == NULL)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    snprintf(l->v[l->n].serial_hex, sizeof l->v[l->n].serial_hex, "%s", serial);
    l->v[l->n].at = at;
    l->v[l->n].reason = reason;
    l->n++;
    return 0;
}

int
txn_ca_crl(const struct txn_env *env, unsigned char **der, size_t *len, char *err, size_t errlen)
{
    struct revoked_list l = { 0 };
    int64_t number = 0;
    time_t now = txn_now(env);
    int rc;

    *der = NULL;
    *len = 0;
    if (env->st == NULL || env->tok == NULL) {
        snprintf(err, errlen, "%s", env->st == NULL ? "the records are not open" : "the HSM is not open");
        return -1;
    }
    rc = store_cert_revoked_each(env->st, revoked_collect, &l);
    if (rc == STORE_OK)
        rc = store_counter_next(env->st, "crl", &number);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "records: %s", store_detail(env->st));
        free(l.v);
        return -1;
    }
    rc = tok_ca_crl(env->tok, l.v, l.n, now, now + (time_t)env->cfg->crl_valid_h * 3600, (long)number, der, len);
    free(l.v);
    if (rc != TOK_OK) {
        snprintf(err, errlen, "%s", tok_detail(env->tok));
        return -1;
    }
    return 0;
}

/* Write DATA to DIR/NAME atomically: a temporary file, fsync, rename, fsync the directory. */
static int
publish_file(const char *dir, const char *name, const unsigned char *data, size_t len, char *err, size_t errlen)
{
    char path[CFG_PATH_MAX + 64], tmp[CFG_PATH_MAX + 80];
    int fd, dfd;
    size_t off = 0;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.%d.tmp", dir, name, (int)getpid());
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}

static int ca_expire_holds(const struct txn_env *env);

int
txn_ca_publish(const struct txn_env *env, char *err, size_t errlen)
{
    unsigned char *der = NULL;
    size_t len = 0;
    int rc;

    if (env->st != NULL && ca_expire_holds(env) != STORE_OK) {
        snprintf(err, errlen, "records: %s", store_detail(env->st));
        return -1;
    }
    if (txn_ca_crl(env, &der, &len, err, errlen) != 0)
        return -1;
    rc = publish_file(env->cfg->crl_dir, "kiosk-ca.crl", der, len, err, errlen);
    OPENSSL_free(der);
    if (rc != 0)
        return -1;
    if (tok_ca_cert_der(env->tok, &der, &len) != TOK_OK) {
        snprintf(err, errlen, "%s", tok_detail(env->tok));
        return -1;
    }
    rc = publish_file(env->cfg->crl_dir, "kiosk-ca.crt", der, len, err, errlen);
    OPENSSL_free(der);
    return rc;
}

/* One status change of SERIAL and its audit row in one unit of work (a hold
 * that has run out is not released). */
static int
ca_change(const struct txn_env *env, enum txn_ca_op op, const char *serial, int reason, const char *actor)
{
    static const char *const actions[] = { [CA_REVOKE] = "cert.revoke", [CA_HOLD] = "cert.hold",
                                           [CA_RELEASE] = "cert.release" };
    char detail[256];
    struct store_cert before;
    bool known;
    int rc;

    if ((rc = store_begin(env->st)) != STORE_OK)
        return rc;
    known = store_cert_get(env->st, serial, &before) == STORE_OK;
    if (op == CA_RELEASE && known && before.state == CERT_REVOKED && before.reason == REASON_HOLD &&
        rules_hold_over(before.revoked_at, env->cfg->hold_days, txn_now(env))) {
        store_rollback(env->st);
        return STORE_ERR_CONFLICT;  /* the hold ran out: the next publication revokes it */
    }
    rc = op == CA_HOLD ? store_cert_hold(env->st, serial, txn_now(env))
       : op == CA_RELEASE ? store_cert_release(env->st, serial)
       : store_cert_revoke(env->st, serial, reason, txn_now(env));
    if (rc == STORE_OK) {
        snprintf(detail, sizeof detail, "cert=%s reason=%s", serial,
                 op == CA_REVOKE && rules_reason_name(reason) ? rules_reason_name(reason) : op == CA_REVOKE ? "?" : "-");
        rc = store_audit(env->st, actor != NULL ? actor : "", actions[op], detail);
    }
    if (rc == STORE_OK && known && before.key_serial[0] != '\0') {
        /* the key moves with its certificate (kiosk/keylife.c): 挂失 holds it,
         * 解挂 gives it back, a hold that ends in revocation loses it */
        struct txn_env as = *env;
        bool was_held = before.state == CERT_REVOKED && before.reason == REASON_HOLD;
        int ev = op == CA_HOLD ? KEYEV_HOLD : op == CA_RELEASE ? KEYEV_RELEASE : was_held ? KEYEV_LOSE : -1;
        as.clerk = actor;
        if (ev >= 0) {
            int krc = txn_key_event(&as, before.key_serial, (enum key_event)ev, detail);
            if (krc != STORE_ERR_CONFLICT && krc != STORE_ERR_NOT_FOUND)
                rc = krc;   /* a key in a state the table does not move stays as it is */
        }
    }
    if (rc == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    return rc;
}

/* Holds whose period ([ca] hold_days) is over become revocations (keyCompromise: the key stayed lost). */
static int
ca_expire_holds(const struct txn_env *env)
{
    char serials[64][80];
    size_t n = 0, i;
    int rc;

    do {
        rc = store_cert_holds_before(env->st, rules_hold_cutoff(txn_now(env), env->cfg->hold_days), serials, 64, &n);
        for (i = 0; rc == STORE_OK && i < n; i++)
            rc = ca_change(env, CA_REVOKE, serials[i], REASON_KEY_COMPROMISE, "ca");
    } while (rc == STORE_OK && n == 64);
    return rc;
}

int
txn_ca_change(const struct txn_env *env, enum txn_ca_op op, const char *serial, int reason, const char *actor,
              bool *published, char *err, size_t errlen)
{
    int rc;

    *published = false;
    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if ((rc = ca_change(env, op, serial, reason, actor)) != STORE_OK)
        return rc;
    /* changed in the records; the CRL follows (redone by `kiosk ca crl` if this fails) */
    err[0] = '\0';
    *published = env->tok != NULL && txn_ca_publish(env, err, errlen) == 0;
    return STORE_OK;
}

int
txn_ca_publish_due(const struct txn_env *env, char *err, size_t errlen)
{
    char path[CFG_PATH_MAX + 32];
    struct stat sb;

    snprintf(path, sizeof path, "%s/kiosk-ca.crl", env->cfg->crl_dir);
    if (stat(path, &sb) == 0 && txn_now(env) - sb.st_mtime < (time_t)env->cfg->crl_valid_h * 3600 / 2)
        return 1;
    return txn_ca_publish(env, err, errlen);
}

enum msg_id
txn_reason_msg(int reason)
{
    switch (reason) {
    case REASON_KEY_COMPROMISE: return M_CA_REASON_KEY_COMPROMISE;
    case REASON_AFFILIATION_CHANGED: return M_CA_REASON_AFFILIATION;
    case REASON_SUPERSEDED: return M_CA_REASON_SUPERSEDED;
    case REASON_CESSATION: return M_CA_REASON_CESSATION;
    case REASON_HOLD: return M_CA_REASON_HOLD;
    default: return M_CA_REASON_UNSPECIFIED;
    }
}

/* ---- cancelling an order that may have made a certificate --------------------
 * Here, beside the CRL, so that the engine's core (kiosk/engine.c) does not
 * call the CA and nothing calls round a circle. */

int
txn_cancel_checked(struct txn *t, const struct txn_env *env, const char *reason, enum msg_id *why)
{
    int rc;

    *why = 0;
    if (t->def->may_cancel != NULL && (*why = t->def->may_cancel(t, env)) != 0)
        return STORE_ERR_CONFLICT;
    if (t->order.id == 0 || t->def->on_cancel == NULL)
        return txn_cancel_as(t, env->st, reason, txn_actor(env));
    if (env->st == NULL)
        return STORE_ERR_OPEN;
    if ((rc = store_begin(env->st)) != STORE_OK)
        return rc;
    if ((rc = t->def->on_cancel(t, env)) == STORE_OK && (rc = txn_cancel_as(t, env->st, reason, txn_actor(env))) == STORE_OK)
        rc = store_commit(env->st);
    else
        store_rollback(env->st);
    if (rc != STORE_OK) {
        t->order.state = ORDER_OPEN;
        return rc;
    }
    /* a certificate revoked by the cancellation goes on the CRL now (the
     * records stand if this fails; `kiosk ca crl` publishes again) */
    if (txn_get_int(t, "crl_due", 0) != 0 && env->tok != NULL) {
        char err[256];
        (void)txn_ca_publish(env, err, sizeof err);
    }
    return rc;
}

/*
 * data/sqlite/audit.c - the SQLite records (data/store.h): the audit trail: a SHA-256 hash chain, checked, anchored and read per actor.
 * See data/sqlite/sqlite_int.h for what the files share and why it is built this way.
 */
#include "data/sqlite/sqlite_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* ---- audit --------------------------------------------------------------- */

/*
 * The hash of a row into out[65] (hex): SHA-256 of prev || canonical(id,
 * at, actor, action, detail); with KEY (32 bytes), HMAC-SHA256 under it of
 * the same bytes followed by the key's id, so a keyed row cannot be passed
 * off as made with another key.
 */
int
audit_hash(const char *prev, int64_t id, int64_t at, const char *actor, const char *action,
           const char *detail, const char *key_id, const unsigned char *key, char out[65])
{
    const char *fields[3] = { actor, action, detail };
    size_t cap = strlen(prev) + strlen(actor) + strlen(action) + strlen(detail) + strlen(key_id) + 160, len = 0;
    unsigned char *msg = malloc(cap), md[32];
    size_t mdlen = 0;
    int ok = msg != NULL, i;

    if (ok)
        len = (size_t)snprintf((char *)msg, cap, "%s\n%lld\n%lld\n", prev, (long long)id, (long long)at);
    /* length-prefixed, so no field can borrow bytes from its neighbour */
    for (i = 0; i < 3 && ok; i++)
        len += (size_t)snprintf((char *)msg + len, cap - len, "%zu:%s\n", strlen(fields[i]), fields[i]);
    if (ok && key != NULL)
        len += (size_t)snprintf((char *)msg + len, cap - len, "key:%s\n", key_id);
    ok = ok && len < cap;
    if (ok && key == NULL) {
        unsigned int l = 0;
        ok = EVP_Digest(msg, len, md, &l, EVP_sha256(), NULL) == 1;
        mdlen = l;
    } else if (ok) {
        ok = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, msg, len, md, sizeof md, &mdlen) != NULL;
    }
    free(msg);
    if (!ok || mdlen != 32)
        return -1;
    for (i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int
store_set_audit_key(store *st, const char *key_id, const unsigned char *key, size_t len)
{
    OPENSSL_cleanse(st->audit_key, sizeof st->audit_key);
    st->audit_key_id[0] = '\0';
    if (key == NULL)
        return STORE_OK;
    if (len != sizeof st->audit_key || key_id == NULL || key_id[0] == '\0' || strlen(key_id) >= sizeof st->audit_key_id)
        return STORE_ERR_IO;
    memcpy(st->audit_key, key, len);
    snprintf(st->audit_key_id, sizeof st->audit_key_id, "%s", key_id);
    return STORE_OK;
}

const char *
store_audit_key_id(const store *st)
{
    return st->audit_key_id;
}

int
store_share_audit_key(const store *from, store *to)
{
    if (from == NULL || to == NULL)
        return STORE_ERR_IO;
    return store_set_audit_key(to, from->audit_key_id, from->audit_key_id[0] != '\0' ? from->audit_key : NULL,
                               sizeof from->audit_key);
}

/* Take the chain's head: the new row's id and the hash it follows. */
static const char SQL_AUDIT_NEXT[] = "UPDATE audit_head SET id = id + 1 WHERE one = 1 RETURNING id, hash";
static const char SQL_AUDIT_HEAD_SET[] = "UPDATE audit_head SET hash = ? WHERE one = 1";
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash, key_id) VALUES (?,?,?,?,?,?,?,?)";

/* Append one audit row; the caller holds a unit of work. The head row
 * (audit_head) is taken first, so two appenders never follow one hash. */
int
audit_append_locked(store *st, const char *actor, const char *action, const char *detail)
{
    stmt *s = st_prep(st, SQL_AUDIT_NEXT);
    char prev[65] = AUDIT_GENESIS, hash[65];
    int64_t id = 1, at = (int64_t)st_now(st);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    rc = q_step(s);
    if (rc == Q_ROW) {
        id = q_col_int64(s, 0);
        st_text(s, 1, prev, sizeof prev);
        rc = q_step(s);
    }
    if (rc != Q_DONE) {
        int r = st_fail(st, rc, "audit: head");
        q_reset(s);
        return r;
    }
    q_reset(s);
    if (actor == NULL)
        actor = "";
    if (action == NULL)
        action = "";
    if (detail == NULL)
        detail = "";
    if (audit_hash(prev, id, at, actor, action, detail, st->audit_key_id,
                   st->audit_key_id[0] != '\0' ? st->audit_key : NULL, hash) != 0) {
        st_detail(st, "audit: SHA-256 failed");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_AUDIT_INSERT)) == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, id);
    q_bind_int(s, 2, at);
    q_bind_text(s, 3, actor);
    q_bind_text(s, 4, action);
    q_bind_text(s, 5, detail);
    q_bind_text(s, 6, prev);
    q_bind_text(s, 7, hash);
    q_bind_text(s, 8, st->audit_key_id);
    if ((rc = st_step_done(st, s, "audit: insert")) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_AUDIT_HEAD_SET)) == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, hash);
    if ((rc = st_step_done(st, s, "audit: head")) == STORE_OK)
        st->head_dirty = true;
    return rc;
}

/*
 * The chain's newest id and hash, as committed, kept beside the records in
 * DB-head ("ID HASH"): rows cut off the end of the trail leave this file
 * naming a row that is no longer there (store_audit_check). Written by
 * rename, never moved back (a slower writer's older head is not written over
 * a newer one). Best effort: a head not written only weakens the check.
 */
void
audit_head_write(store *st)
{
    char tmp[sizeof st->head_path + 8], hash[65] = "", old[96];
    int64_t id = 0;
    long long old_id = 0;
    stmt *s;
    FILE *f;

    if (st->head_path[0] == '\0' || (s = st_prep_once(st, "SELECT id, hash FROM audit_head WHERE one = 1")) == NULL)
        return;
    if (q_step(s) == Q_ROW) {
        id = q_col_int64(s, 0);
        st_text(s, 1, hash, sizeof hash);
    }
    q_finalize(s);
    if (id <= 0)
        return;
    if ((f = fopen(st->head_path, "r")) != NULL) {
        if (fgets(old, sizeof old, f) != NULL)
            old_id = strtoll(old, NULL, 10);
        fclose(f);
    }
    if (old_id >= id)
        return;
    snprintf(tmp, sizeof tmp, "%s.%d", st->head_path, (int)getpid());
    if ((f = fopen(tmp, "w")) == NULL)
        return;
    (void)fchmod(fileno(f), S_IRUSR | S_IWUSR);
    fprintf(f, "%lld %s\n", (long long)id, hash);
    if (fclose(f) != 0 || rename(tmp, st->head_path) != 0)
        (void)unlink(tmp);
}

int
store_audit(store *st, const char *actor, const char *action, const char *detail)
{
    int rc = st_begin(st);

    if (rc != STORE_OK)
        return rc;
    rc = audit_append_locked(st, actor, action, detail);
    if (rc != STORE_OK) {
        st_rollback(st);
        return rc;
    }
    return st_commit(st);
}

static const char SQL_AUDIT_ALL[] =
    "SELECT id, at, actor, action, detail, prev_hash, hash, key_id FROM audit ORDER BY id";

int
store_audit_check(store *st, struct store_audit_result *res)
{
    stmt *s = st_prep(st, SQL_AUDIT_ALL);
    char prev[65] = AUDIT_GENESIS, calc[65];
    int64_t want_id = 1, last_id = 0;
    long long hid = 0;
    char hh[80] = "";
    int rc;

    memset(res, 0, sizeof *res);
    if (st->head_path[0] != '\0') {
        FILE *f = fopen(st->head_path, "r");
        if (f != NULL) {
            if (fscanf(f, "%lld %64s", &hid, hh) != 2)
                hid = 0;
            fclose(f);
        }
    }
    if (s == NULL)
        return STORE_ERR_IO;
    while ((rc = q_step(s)) == Q_ROW) {
        int64_t id = q_col_int64(s, 0);
        int64_t at = q_col_int64(s, 1);
        const char *actor = (const char *)q_col_text(s, 2);
        const char *action = (const char *)q_col_text(s, 3);
        const char *detail = (const char *)q_col_text(s, 4);
        const char *prev_hash = (const char *)q_col_text(s, 5);
        const char *hash = (const char *)q_col_text(s, 6);
        const char *key_id = (const char *)q_col_text(s, 7);
        bool keyed = key_id != NULL && key_id[0] != '\0';

        res->rows++;
        if (id != want_id) {
            res->fault = AUDIT_MISSING;
        } else if (prev_hash == NULL || strcmp(prev_hash, prev) != 0) {
            res->fault = AUDIT_RELINKED;
        } else if (keyed && strcmp(key_id, st->audit_key_id) != 0) {
            res->fault = AUDIT_NO_KEY;
        } else if (audit_hash(prev, id, at, actor ? actor : "", action ? action : "", detail ? detail : "",
                              keyed ? key_id : "", keyed ? st->audit_key : NULL, calc) != 0) {
            q_reset(s);
            st_detail(st, "audit: SHA-256 failed");
            return STORE_ERR_IO;
        } else if (hash == NULL || strcmp(hash, calc) != 0) {
            res->fault = AUDIT_EDITED;
        } else if (id == hid && strcmp(hash, hh) != 0) {
            res->fault = AUDIT_EDITED;      /* not the row the head beside the records names: rewritten */
        }
        if (res->fault != AUDIT_INTACT) {
            res->bad_id = id;
            q_reset(s);
            st_detail(st, "audit row %lld: %s", (long long)id,
                      res->fault == AUDIT_MISSING ? "rows before it are missing"
                      : res->fault == AUDIT_RELINKED ? "previous hash does not match"
                      : res->fault == AUDIT_NO_KEY ? "keyed with a key this check does not hold"
                                                   : "content does not match its hash");
            return STORE_ERR_CONFLICT;
        }
        res->keyed += keyed;
        /* rows written while the HSM could not be asked: sealed by the next keyed row */
        res->unsealed = keyed ? 0 : res->keyed > 0 ? res->unsealed + 1 : 0;
        last_id = id;
        snprintf(prev, sizeof prev, "%s", hash);
        want_id = id + 1;
    }
    q_reset(s);
    if (rc != Q_DONE)
        return st_fail(st, rc, "audit: read");
    /* the head kept outside the records names a row beyond their end: rows cut off
     * (read before the rows: a head written since names rows this walk may not see) */
    if (hid > last_id) {
        res->fault = AUDIT_TRUNCATED;
        res->bad_id = hid;
        st_detail(st, "audit: the head outside the records is row %lld, the trail ends at %lld", hid,
                  (long long)last_id);
        return STORE_ERR_CONFLICT;
    }
    res->head_outside = hid;
    /* a keyed hall whose trail holds no keyed row: rewritten without the key */
    if (st->audit_key_id[0] != '\0' && last_id > 0 && res->keyed == 0) {
        res->fault = AUDIT_UNKEYED;
        res->bad_id = last_id;
        st_detail(st, "audit row %lld: no row of the trail is keyed", (long long)last_id);
        return STORE_ERR_CONFLICT;
    }
    return STORE_OK;
}

/* ---- the trail against the records ------------------------------------------- */

/* The value of "NAME=" in DETAIL (up to a blank) into OUT; false if absent. */
static bool
audit_ref(const char *detail, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = detail;

    while (p != NULL && *p != '\0') {
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t len = strcspn(p + nl + 1, " ");
            snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), p + nl + 1);
            return out[0] != '\0';
        }
        p = strchr(p, ' ');
        if (p != NULL)
            p++;
    }
    return false;
}

static const char SQL_CROSS_ROWS[] =
    "SELECT action, detail FROM audit WHERE action IN"
    " ('cert.sign','cert.issue','provision_cert','cert.void','cert.revoke','order.create')";
static const char SQL_CROSS_ADD[] = "INSERT INTO temp.audit_refs (kind, ref, ord) VALUES (?, ?, ?)";

/* One count of the cross-check: N, and the first example into EX. */
static int
audit_cross_count(store *st, const char *sql, long *n, char *ex, size_t exn)
{
    stmt *s = st_prep_once(st, sql);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    rc = q_step(s);
    if (rc == Q_ROW) {
        *n = (long)q_col_int64(s, 0);
        if (*n > 0 && ex != NULL && ex[0] == '\0' && q_col_text(s, 1) != NULL)
            snprintf(ex, exn, "%s", (const char *)q_col_text(s, 1));
    }
    q_finalize(s);
    return rc == Q_ROW ? STORE_OK : st_fail(st, rc, "audit: cross-check");
}

int
store_audit_crosscheck(store *st, struct store_audit_cross *x)
{
    stmt *s, *add;
    char ref[96], ord[40];
    int rc;

    memset(x, 0, sizeof *x);
    rc = st_exec(st, "CREATE TEMP TABLE IF NOT EXISTS audit_refs (kind TEXT NOT NULL, ref TEXT NOT NULL,"
                     " ord TEXT NOT NULL DEFAULT '');"
                     "CREATE INDEX IF NOT EXISTS temp.audit_refs_kr ON audit_refs(kind, ref);"
                     "DELETE FROM temp.audit_refs;");
    if (rc != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_CROSS_ROWS)) == NULL || (add = st_prep(st, SQL_CROSS_ADD)) == NULL)
        return STORE_ERR_IO;
    while ((rc = q_step(s)) == Q_ROW) {
        const char *action = (const char *)q_col_text(s, 0);
        const char *detail = (const char *)q_col_text(s, 1);
        /* a reservation voided, or revoked when its order was cancelled
         * (why=), stands for its signature: the CA may or may not have
         * signed it before a fault, and it is recorded revoked either way */
        static const struct { const char *action, *kind, *name, *need; } map[] = {
            { "cert.sign", "sign", "cert", NULL },     { "provision_cert", "sign", "cert", NULL },
            { "cert.void", "sign", "cert", NULL },     { "cert.revoke", "sign", "cert", "why" },
            { "cert.issue", "issue", "cert", NULL },   { "provision_cert", "issue", "cert", NULL },
            { "cert.void", "end", "cert", NULL },      { "cert.revoke", "end", "cert", NULL },
            { "order.create", "order", "order", NULL },
        };
        size_t i;

        for (i = 0; action != NULL && detail != NULL && i < sizeof map / sizeof map[0]; i++) {
            if (strcmp(action, map[i].action) != 0 || !audit_ref(detail, map[i].name, ref, sizeof ref) ||
                (map[i].need != NULL && !audit_ref(detail, map[i].need, ord, sizeof ord)))
                continue;
            if (!audit_ref(detail, "order", ord, sizeof ord))
                ord[0] = '\0';
            q_bind_text(add, 1, map[i].kind);
            q_bind_text(add, 2, ref);
            q_bind_text(add, 3, ord);
            rc = q_step(add);
            q_reset(add);
            if (rc != Q_DONE) {
                q_reset(s);
                return st_fail(st, rc, "audit: cross-check");
            }
        }
    }
    q_reset(s);
    if (rc != Q_DONE)
        return st_fail(st, rc, "audit: cross-check");
#define REF(k, col) "EXISTS (SELECT 1 FROM temp.audit_refs r WHERE r.kind = '" k "' AND r.ref = " col ")"
    if ((rc = audit_cross_count(st, "SELECT count(*), NULL FROM certs", &x->certs, NULL, 0)) != STORE_OK ||
        (rc = audit_cross_count(st, "SELECT count(*), NULL FROM orders", &x->orders, NULL, 0)) != STORE_OK ||
        (rc = audit_cross_count(st, "SELECT count(*), min(c.serial) FROM certs c WHERE NOT " REF("sign", "c.serial"),
                                &x->certs_unsigned, x->example, sizeof x->example)) != STORE_OK ||
        (rc = audit_cross_count(st, "SELECT count(*), min(c.serial) FROM certs c WHERE NOT " REF("issue", "c.serial")
                                    " AND NOT " REF("end", "c.serial"),
                                &x->certs_unissued, x->example, sizeof x->example)) != STORE_OK ||
        (rc = audit_cross_count(st, "SELECT count(*), min(r.ref) FROM temp.audit_refs r WHERE r.kind = 'issue'"
                                    " AND NOT EXISTS (SELECT 1 FROM certs c WHERE c.serial = r.ref)",
                                &x->issued_unrecorded, x->example, sizeof x->example)) != STORE_OK ||
        /* signed, not in the records, and its order no longer open: a
         * certificate the CA signed that nobody recorded */
        (rc = audit_cross_count(st, "SELECT count(*), min(r.ref) FROM temp.audit_refs r WHERE r.kind = 'sign'"
                                    " AND NOT EXISTS (SELECT 1 FROM certs c WHERE c.serial = r.ref)"
                                    " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.number = r.ord AND o.state = 0)",
                                &x->signed_unrecorded, x->example, sizeof x->example)) != STORE_OK ||
        (rc = audit_cross_count(st, "SELECT count(*), min(o.number) FROM orders o WHERE NOT " REF("order", "o.number"),
                                &x->orders_unaudited, x->example, sizeof x->example)) != STORE_OK ||
        (rc = audit_cross_count(st, "SELECT count(*), min(r.ref) FROM temp.audit_refs r WHERE r.kind = 'order'"
                                    " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.number = r.ref)",
                                &x->orders_gone, x->example, sizeof x->example)) != STORE_OK)
        return rc;
#undef REF
    (void)st_exec(st, "DELETE FROM temp.audit_refs;");
    return x->certs_unsigned || x->certs_unissued || x->issued_unrecorded || x->signed_unrecorded ||
                   x->orders_unaudited || x->orders_gone
               ? STORE_ERR_CONFLICT
               : STORE_OK;
}

int
store_audit_verify(store *st, int64_t *bad_id)
{
    struct store_audit_result r;
    int rc = store_audit_check(st, &r);

    if (bad_id != NULL)
        *bad_id = r.bad_id;
    return rc;
}

static const char SQL_AUDIT_RECENT[] =
    "SELECT id, at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?";

int
store_audit_recent(store *st, struct store_audit_row *out, size_t max, size_t *n)
{
    stmt *s = st_prep(st, SQL_AUDIT_RECENT);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, (int64_t)max);
    while ((rc = q_step(s)) == Q_ROW && *n < max) {
        struct store_audit_row *a = &out[(*n)++];
        a->id = q_col_int64(s, 0);
        a->at = (time_t)q_col_int64(s, 1);
        st_text(s, 2, a->actor, sizeof a->actor);
        st_text(s, 3, a->action, sizeof a->action);
        st_text(s, 4, a->detail, sizeof a->detail);
    }
    q_reset(s);
    if (rc != Q_DONE && rc != Q_ROW)
        return st_fail(st, rc, "audit: recent");
    return STORE_OK;
}

/* ---- audit anchors and per-actor queries ------------------------------------ */
/*
 * Rarely run (a printed settlement, `kiosk audit head|verify --anchor`, a
 * clerk sign-in): prepared per call, so they take no slot of the statement
 * cache.
 */

time_t
store_now(const store *st)
{
    return st_now(st);
}

int
store_audit_head(store *st, int64_t *id, char hash[65])
{
    stmt *s = st_prep_once(st, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
    int rc;

    *id = 0;
    hash[0] = '\0';
    if (s == NULL)
        return STORE_ERR_IO;
    rc = q_step(s);
    if (rc == Q_ROW) {
        *id = q_col_int64(s, 0);
        st_text(s, 1, hash, 65);
    }
    q_finalize(s);
    if (rc != Q_ROW && rc != Q_DONE)
        return st_fail(st, rc, "audit: head");
    return STORE_OK;
}

int
store_audit_hash(store *st, int64_t id, char hash[65])
{
    stmt *s = st_prep_once(st, "SELECT hash FROM audit WHERE id = ?");
    int rc;

    hash[0] = '\0';
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, id);
    rc = q_step(s);
    if (rc == Q_ROW)
        st_text(s, 0, hash, 65);
    q_finalize(s);
    if (rc == Q_DONE) {
        st_detail(st, "audit row %lld: no such row", (long long)id);
        return STORE_ERR_NOT_FOUND;
    }
    if (rc != Q_ROW)
        return st_fail(st, rc, "audit: hash of a row");
    return STORE_OK;
}

/* Is ACTION one of ACTIONS (NULL-terminated; NULL = any)? */
bool
audit_action_in(const unsigned char *action, const char *const *actions)
{
    if (actions == NULL)
        return true;
    for (; action != NULL && *actions != NULL; actions++)
        if (strcmp((const char *)action, *actions) == 0)
            return true;
    return false;
}

int
store_audit_by_actor(store *st, const char *actor, const char *const *actions, time_t since,
                     struct store_audit_row *out, size_t max, size_t *n)
{
    stmt *s = st_prep_once(st, "SELECT id, at, actor, action, detail FROM audit ORDER BY id DESC");
    int rc = Q_DONE;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    while (*n < max && (rc = q_step(s)) == Q_ROW) {
        const unsigned char *a = q_col_text(s, 2);
        struct store_audit_row *r;

        if ((time_t)q_col_int64(s, 1) < since)
            break;
        if (a == NULL || strcmp((const char *)a, actor) != 0 || !audit_action_in(q_col_text(s, 3), actions))
            continue;
        r = &out[(*n)++];
        r->id = q_col_int64(s, 0);
        r->at = (time_t)q_col_int64(s, 1);
        st_text(s, 2, r->actor, sizeof r->actor);
        st_text(s, 3, r->action, sizeof r->action);
        st_text(s, 4, r->detail, sizeof r->detail);
    }
    if (rc == Q_ROW)
        rc = Q_DONE;       /* stopped early: enough rows, or older than SINCE */
    q_finalize(s);
    if (rc != Q_DONE)
        return st_fail(st, rc, "audit: rows of an actor");
    return STORE_OK;
}


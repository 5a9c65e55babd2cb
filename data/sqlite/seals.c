/*
 * data/sqlite/seals.c - the SQLite records (data/store.h) of window 68:
 * electronic seals bound to certificates, and the record of an information
 * change. Whether a binding needs re-binding is
 * not stored: it is read from its certificate's state, so no transaction
 * that supersedes or revokes a certificate has to remember the seals.
 */
#include "data/sqlite/sqlite_int.h"

#include <stdio.h>
#include <string.h>

/* The one definition of a bound seal that waits for a re-binding: its
 * certificate c superseded (2) or revoked (1) for good - not on hold
 * (reason 6), which may yet be released. */
#define SEAL_CERT_GONE "(c.state = 2 OR (c.state = 1 AND c.reason <> 6))"

#define SEAL_COLS                                                                                          \
    "s.id, s.seal_id, s.uscc, s.company, s.kind, s.name, s.cert_serial, s.cert_fpr, s.key_serial,"          \
    " s.image_sha256, s.image_desc, s.clerk, s.bound_at, s.order_id, s.state, s.superseded_by,"             \
    " COALESCE(c.state, 1), COALESCE(c.reason, -1),"                                                       \
    " CASE WHEN s.state = 0 AND c.serial IS NOT NULL AND " SEAL_CERT_GONE " THEN 1 ELSE 0 END"

static const char SQL_SEAL_SUPERSEDE[] =
    "UPDATE seals SET state = 1, superseded_by = ?1"
    " WHERE state = 0 AND uscc = ?2 AND kind = ?3 AND cert_serial <> ?4 AND cert_serial IN"
    " (SELECT c.serial FROM certs c WHERE " SEAL_CERT_GONE ")";
static const char SQL_SEAL_ADD[] =
    "INSERT INTO seals (seal_id, uscc, company, kind, name, cert_serial, cert_fpr, key_serial, image_sha256,"
    " image_desc, clerk, bound_at, order_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id";
static const char SQL_SEAL_LIST[] =
    "SELECT " SEAL_COLS " FROM seals s LEFT JOIN certs c ON c.serial = s.cert_serial"
    " WHERE s.uscc = ? ORDER BY s.bound_at DESC, s.id DESC LIMIT ?";
static const char SQL_SEAL_WAITING[] =
    "SELECT " SEAL_COLS " FROM seals s JOIN certs c ON c.serial = s.cert_serial"
    " WHERE s.state = 0 AND " SEAL_CERT_GONE
    " ORDER BY s.bound_at DESC, s.id DESC LIMIT ?";

static void
seal_row(stmt *s, struct store_seal *o)
{
    memset(o, 0, sizeof *o);
    o->id = q_col_int64(s, 0);
    st_text(s, 1, o->seal_id, sizeof o->seal_id);
    st_text(s, 2, o->uscc, sizeof o->uscc);
    st_text(s, 3, o->company, sizeof o->company);
    st_text(s, 4, o->kind, sizeof o->kind);
    st_text(s, 5, o->name, sizeof o->name);
    st_text(s, 6, o->cert_serial, sizeof o->cert_serial);
    st_text(s, 7, o->cert_fpr, sizeof o->cert_fpr);
    st_text(s, 8, o->key_serial, sizeof o->key_serial);
    st_text(s, 9, o->image_sha256, sizeof o->image_sha256);
    st_text(s, 10, o->image_desc, sizeof o->image_desc);
    st_text(s, 11, o->clerk, sizeof o->clerk);
    o->bound_at = (time_t)q_col_int64(s, 12);
    o->order_id = q_col_int64(s, 13);
    o->state = (enum store_seal_state)q_col_int(s, 14);
    st_text(s, 15, o->superseded_by, sizeof o->superseded_by);
    o->cert_state = q_col_int(s, 16);
    o->cert_reason = q_col_int(s, 17);
    o->waiting = q_col_int(s, 18) != 0;
}

int
store_seal_bind(store *st, struct store_seal *b)
{
    stmt *s;
    int rc, i = 1;

    if (b->seal_id[0] == '\0' || b->name[0] == '\0' || b->clerk[0] == '\0') {
        st_detail(st, "seal: %s is empty", b->seal_id[0] == '\0' ? "seal_id" : b->name[0] == '\0' ? "name" : "clerk");
        return STORE_ERR_IO;
    }
    if ((rc = st_begin(st)) != STORE_OK)
        return rc;
    if ((s = st_prep(st, SQL_SEAL_SUPERSEDE)) == NULL) {
        st_rollback(st);
        return STORE_ERR_IO;
    }
    q_bind_text(s, 1, b->seal_id);
    q_bind_text(s, 2, b->uscc);
    q_bind_text(s, 3, b->kind);
    q_bind_text(s, 4, b->cert_serial);
    if ((rc = st_step_done(st, s, "seal: supersede")) != STORE_OK) {
        st_rollback(st);
        return rc;
    }
    if ((s = st_prep(st, SQL_SEAL_ADD)) == NULL) {
        st_rollback(st);
        return STORE_ERR_IO;
    }
    b->bound_at = st_now(st);
    q_bind_text(s, i++, b->seal_id);
    q_bind_text(s, i++, b->uscc);
    q_bind_text(s, i++, b->company);
    q_bind_text(s, i++, b->kind);
    q_bind_text(s, i++, b->name);
    q_bind_text(s, i++, b->cert_serial);
    q_bind_text(s, i++, b->cert_fpr);
    q_bind_text(s, i++, b->key_serial);
    q_bind_text(s, i++, b->image_sha256);
    q_bind_text(s, i++, b->image_desc);
    q_bind_text(s, i++, b->clerk);
    q_bind_int(s, i++, b->bound_at);
    q_bind_int(s, i++, b->order_id);
    if ((rc = st_step_id(st, s, "seal: bind", &b->id)) != STORE_OK) {
        st_rollback(st);
        return rc;
    }
    b->state = SEAL_BOUND;
    return st_commit(st);
}

static int
seal_query(store *st, const char *sql, const char *uscc, struct store_seal *out, size_t max, size_t *n)
{
    stmt *s = st_prep(st, sql);
    int rc = Q_DONE, i = 1;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    if (uscc != NULL)
        q_bind_text(s, i++, uscc);
    q_bind_int(s, i, (int64_t)max);
    while (*n < max && (rc = q_step(s)) == Q_ROW)
        seal_row(s, &out[(*n)++]);
    if (*n < max && rc != Q_DONE) {
        q_reset(s);
        return st_fail(st, rc, "seal: list");
    }
    q_reset(s);
    return STORE_OK;
}

int
store_seal_list(store *st, const char *uscc, struct store_seal *out, size_t max, size_t *n)
{
    return seal_query(st, SQL_SEAL_LIST, uscc, out, max, n);
}

int
store_seal_waiting(store *st, struct store_seal *out, size_t max, size_t *n)
{
    return seal_query(st, SQL_SEAL_WAITING, NULL, out, max, n);
}

/* ---- the record of an information change ------------------------------------------ */

static const char SQL_CHGREC_ADD[] =
    "INSERT INTO change_records (uscc, company, new_company, new_uscc, new_legal_rep, description, clerk, at,"
    " order_id) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id";
static const char SQL_CHGREC_LATEST[] =
    "SELECT id, uscc, company, new_company, new_uscc, new_legal_rep, description, clerk, at, order_id"
    " FROM change_records WHERE uscc = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT 1";

int
store_chgrec_add(store *st, struct store_chgrec *c)
{
    stmt *s;
    int i = 1;

    if (c->uscc[0] == '\0' || c->new_company[0] == '\0' || c->new_uscc[0] == '\0' || c->clerk[0] == '\0') {
        st_detail(st, "change record: %s is empty", c->uscc[0] == '\0' ? "uscc" : c->new_company[0] == '\0' ? "new_company"
                                                  : c->new_uscc[0] == '\0' ? "new_uscc" : "clerk");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_CHGREC_ADD)) == NULL)
        return STORE_ERR_IO;
    c->at = st_now(st);
    q_bind_text(s, i++, c->uscc);
    q_bind_text(s, i++, c->company);
    q_bind_text(s, i++, c->new_company);
    q_bind_text(s, i++, c->new_uscc);
    q_bind_text(s, i++, c->new_legal_rep);
    q_bind_text(s, i++, c->description);
    q_bind_text(s, i++, c->clerk);
    q_bind_int(s, i++, c->at);
    q_bind_int(s, i++, c->order_id);
    return st_step_id(st, s, "change record: add", &c->id);
}

int
store_chgrec_latest(store *st, const char *uscc, time_t since, struct store_chgrec *out)
{
    stmt *s = st_prep(st, SQL_CHGREC_LATEST);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, uscc);
    q_bind_int(s, 2, since);
    rc = q_step(s);
    if (rc == Q_ROW) {
        memset(out, 0, sizeof *out);
        out->id = q_col_int64(s, 0);
        st_text(s, 1, out->uscc, sizeof out->uscc);
        st_text(s, 2, out->company, sizeof out->company);
        st_text(s, 3, out->new_company, sizeof out->new_company);
        st_text(s, 4, out->new_uscc, sizeof out->new_uscc);
        st_text(s, 5, out->new_legal_rep, sizeof out->new_legal_rep);
        st_text(s, 6, out->description, sizeof out->description);
        st_text(s, 7, out->clerk, sizeof out->clerk);
        out->at = (time_t)q_col_int64(s, 8);
        out->order_id = q_col_int64(s, 9);
        q_reset(s);
        return STORE_OK;
    }
    q_reset(s);
    if (rc == Q_DONE) {
        st_detail(st, "change record for %s: not found", uscc);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, "change record: latest");
}

/*
 * data/sqlite/records.c - the SQLite records (data/store.h): companies, operators, payments and keys.
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

/* Fetch one row with SQL bound to the text KEY into ROW via FILL. */
static int
st_fetch_one(store *st, const char *sql, const char *key, const char *what,
             void (*fill)(stmt *, void *), void *row)
{
    stmt *s = st_prep(st, sql);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, key);
    rc = q_step(s);
    if (rc == Q_ROW) {
        fill(s, row);
        q_reset(s);
        return STORE_OK;
    }
    q_reset(s);
    if (rc == Q_DONE) {
        st_detail(st, "%s %s: not found", what, key);
        return STORE_ERR_NOT_FOUND;
    }
    return st_fail(st, rc, what);
}

static const char SQL_COMPANY_PUT[] =
    "INSERT INTO companies (uscc, name, legal_rep, phone, office_phone, website, address, created, updated,"
    " legal_rep_id, app_region, app_category, app_project)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT(uscc) DO UPDATE SET name = excluded.name, legal_rep = excluded.legal_rep,"
    " phone = excluded.phone, office_phone = excluded.office_phone, website = excluded.website,"
    " address = excluded.address, updated = excluded.updated,"
    /* a servicing order that never asked them keeps what the new certificate's order gave */
    " legal_rep_id = CASE WHEN excluded.legal_rep_id <> '' THEN excluded.legal_rep_id ELSE companies.legal_rep_id END,"
    " app_region = CASE WHEN excluded.app_region <> '' THEN excluded.app_region ELSE companies.app_region END,"
    " app_category = CASE WHEN excluded.app_category <> '' THEN excluded.app_category ELSE companies.app_category END,"
    " app_project = CASE WHEN excluded.app_project <> '' THEN excluded.app_project ELSE companies.app_project END";
static const char SQL_COMPANY_GET[] =
    "SELECT uscc, name, legal_rep, phone, office_phone, website, address, created, updated,"
    " legal_rep_id, app_region, app_category, app_project FROM companies WHERE uscc = ?";

int
store_company_put(store *st, const struct store_company *c)
{
    stmt *s;
    time_t now = st_now(st);

    if (c->uscc[0] == '\0' || c->name[0] == '\0') {
        st_detail(st, "company: %s is empty", c->uscc[0] == '\0' ? "uscc" : "name");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_COMPANY_PUT)) == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, c->uscc);
    q_bind_text(s, 2, c->name);
    q_bind_text(s, 3, c->legal_rep);
    q_bind_text(s, 4, c->phone);
    q_bind_text(s, 5, c->office_phone);
    q_bind_text(s, 6, c->website);
    q_bind_text(s, 7, c->address);
    q_bind_int(s, 8, now);
    q_bind_int(s, 9, now);
    q_bind_text(s, 10, c->legal_rep_id);
    q_bind_text(s, 11, c->app_region);
    q_bind_text(s, 12, c->app_category);
    q_bind_text(s, 13, c->app_project);
    return st_step_done(st, s, "company: put");
}

void
company_row(stmt *s, void *row)
{
    struct store_company *c = row;

    memset(c, 0, sizeof *c);
    st_text(s, 0, c->uscc, sizeof c->uscc);
    st_text(s, 1, c->name, sizeof c->name);
    st_text(s, 2, c->legal_rep, sizeof c->legal_rep);
    st_text(s, 3, c->phone, sizeof c->phone);
    st_text(s, 4, c->office_phone, sizeof c->office_phone);
    st_text(s, 5, c->website, sizeof c->website);
    st_text(s, 6, c->address, sizeof c->address);
    c->created = (time_t)q_col_int64(s, 7);
    c->updated = (time_t)q_col_int64(s, 8);
    st_text(s, 9, c->legal_rep_id, sizeof c->legal_rep_id);
    st_text(s, 10, c->app_region, sizeof c->app_region);
    st_text(s, 11, c->app_category, sizeof c->app_category);
    st_text(s, 12, c->app_project, sizeof c->app_project);
}

int
store_company_get(store *st, const char *uscc, struct store_company *out)
{
    return st_fetch_one(st, SQL_COMPANY_GET, uscc, "company", company_row, out);
}

static const char SQL_OPERATOR_PUT[] =
    "INSERT INTO operators (id_number, name, mobile, email, wechat, uscc, created, updated)"
    " VALUES (?,?,?,?,?,?,?,?)"
    " ON CONFLICT(id_number) DO UPDATE SET name = excluded.name, mobile = excluded.mobile,"
    " email = excluded.email, wechat = excluded.wechat, uscc = excluded.uscc, updated = excluded.updated";
static const char SQL_OPERATOR_GET[] =
    "SELECT id_number, name, mobile, email, wechat, uscc, created, updated FROM operators WHERE id_number = ?";

int
store_operator_put(store *st, const struct store_operator *p)
{
    stmt *s;
    time_t now = st_now(st);

    if (p->id_number[0] == '\0' || p->name[0] == '\0') {
        st_detail(st, "operator: %s is empty", p->id_number[0] == '\0' ? "id_number" : "name");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_OPERATOR_PUT)) == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, p->id_number);
    q_bind_text(s, 2, p->name);
    q_bind_text(s, 3, p->mobile);
    q_bind_text(s, 4, p->email);
    q_bind_text(s, 5, p->wechat);
    q_bind_text(s, 6, p->uscc);
    q_bind_int(s, 7, now);
    q_bind_int(s, 8, now);
    return st_step_done(st, s, "operator: put");
}

void
operator_row(stmt *s, void *row)
{
    struct store_operator *p = row;

    memset(p, 0, sizeof *p);
    st_text(s, 0, p->id_number, sizeof p->id_number);
    st_text(s, 1, p->name, sizeof p->name);
    st_text(s, 2, p->mobile, sizeof p->mobile);
    st_text(s, 3, p->email, sizeof p->email);
    st_text(s, 4, p->wechat, sizeof p->wechat);
    st_text(s, 5, p->uscc, sizeof p->uscc);
    p->created = (time_t)q_col_int64(s, 6);
    p->updated = (time_t)q_col_int64(s, 7);
}

int
store_operator_get(store *st, const char *id_number, struct store_operator *out)
{
    char masked[40];
    int rc = st_fetch_one(st, SQL_OPERATOR_GET, id_number, "operator", operator_row, out);

    if (rc == STORE_ERR_NOT_FOUND) /* the detail never holds the full ID number */
        st_detail(st, "operator %s: not found", store_mask_id(id_number, masked, sizeof masked));
    return rc;
}

static const char SQL_PAYMENT_ADD[] =
    "INSERT INTO payments (order_id, method, amount, at, clerk) VALUES (?,?,?,?,?) RETURNING id";
static const char SQL_PAYMENT_LIST[] =
    "SELECT id, order_id, method, amount, at, clerk FROM payments WHERE order_id = ? ORDER BY id";

int
store_payment_add(store *st, struct store_payment *p)
{
    stmt *s;

    if (p->order_id == 0 || p->method[0] == '\0') {
        st_detail(st, "payment: %s is empty", p->order_id == 0 ? "order_id" : "method");
        return STORE_ERR_IO;
    }
    if (p->at == 0)
        p->at = st_now(st);
    if ((s = st_prep(st, SQL_PAYMENT_ADD)) == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, p->order_id);
    q_bind_text(s, 2, p->method);
    q_bind_int(s, 3, p->amount);
    q_bind_int(s, 4, p->at);
    q_bind_text(s, 5, p->clerk);
    return st_step_id(st, s, "payment: add", &p->id);
}

int
store_payment_list_for_order(store *st, int64_t order_id, struct store_payment *out, size_t max, size_t *n)
{
    stmt *s = st_prep(st, SQL_PAYMENT_LIST);
    int rc;

    *n = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, order_id);
    while ((rc = q_step(s)) == Q_ROW && *n < max) {
        struct store_payment *p = &out[(*n)++];
        memset(p, 0, sizeof *p);
        p->id = q_col_int64(s, 0);
        p->order_id = q_col_int64(s, 1);
        st_text(s, 2, p->method, sizeof p->method);
        p->amount = (long)q_col_int64(s, 3);
        p->at = (time_t)q_col_int64(s, 4);
        st_text(s, 5, p->clerk, sizeof p->clerk);
    }
    q_reset(s);
    if (rc != Q_ROW && rc != Q_DONE)
        return st_fail(st, rc, "payment: list");
    return STORE_OK;
}

static const char SQL_KEY_PUT_FULL[] =
    "INSERT INTO keys (serial, first_issue, created, uscc, cert_serial, algo, updated) VALUES (?,?,?,?,?,?,?)"
    " ON CONFLICT(serial) DO UPDATE SET first_issue ="
    "  CASE WHEN keys.first_issue = 0 OR (excluded.first_issue <> 0 AND excluded.first_issue < keys.first_issue)"
    "  THEN excluded.first_issue ELSE keys.first_issue END,"
    " uscc = excluded.uscc, cert_serial = excluded.cert_serial, algo = excluded.algo, updated = excluded.updated";
static const char SQL_KEY_GET[] =
    "SELECT serial, uscc, cert_serial, algo, first_issue, created, updated, state, pin_fails FROM keys WHERE serial = ?";
static const char SQL_KEY_STATE[] =
    "UPDATE keys SET state = ?, updated = ?, pin_fails = CASE WHEN ? <> 0 THEN 0 ELSE pin_fails END"
    " WHERE serial = ? AND ((1 << CAST(state AS INTEGER)) & ?) <> 0";
static const char SQL_KEY_PIN_TRY[] =
    "UPDATE keys SET pin_fails = pin_fails + 1, updated = ? WHERE serial = ? AND pin_fails < ? RETURNING pin_fails";
static const char SQL_KEY_PIN_CLEAR[] = "UPDATE keys SET pin_fails = 0, updated = ? WHERE serial = ?";

int
store_key_put(store *st, const struct store_key *k)
{
    stmt *s;
    time_t now = st_now(st);

    if (k->serial[0] == '\0') {
        st_detail(st, "key: serial is empty");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_KEY_PUT_FULL)) == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, k->serial);
    q_bind_int(s, 2, k->first_issue);
    q_bind_int(s, 3, now);
    q_bind_text(s, 4, k->uscc);
    q_bind_text(s, 5, k->cert_serial);
    q_bind_text(s, 6, k->algo);
    q_bind_int(s, 7, now);
    return st_step_done(st, s, "key: put");
}

void
key_row(stmt *s, void *row)
{
    struct store_key *k = row;

    memset(k, 0, sizeof *k);
    st_text(s, 0, k->serial, sizeof k->serial);
    st_text(s, 1, k->uscc, sizeof k->uscc);
    st_text(s, 2, k->cert_serial, sizeof k->cert_serial);
    st_text(s, 3, k->algo, sizeof k->algo);
    k->first_issue = (time_t)q_col_int64(s, 4);
    k->created = (time_t)q_col_int64(s, 5);
    k->updated = (time_t)q_col_int64(s, 6);
    k->state = q_col_int(s, 7);
    k->pin_fails = q_col_int(s, 8);
}

int
store_key_get(store *st, const char *serial, struct store_key *out)
{
    return st_fetch_one(st, SQL_KEY_GET, serial, "key", key_row, out);
}


/* Nothing changed: NOT_FOUND when there is no such key, else CONFLICT (its detail says the state). */
static int
key_unchanged(store *st, const char *serial, const char *what)
{
    struct store_key k;

    if (store_key_get(st, serial, &k) != STORE_OK)
        return STORE_ERR_NOT_FOUND;
    st_detail(st, "key %s: %s does not apply (state %d, %d wrong PINs)", serial, what, k.state, k.pin_fails);
    return STORE_ERR_CONFLICT;
}

int
store_key_state_set(store *st, const char *serial, unsigned from_mask, int to, bool clear_fails)
{
    stmt *s = st_prep(st, SQL_KEY_STATE);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, to);
    q_bind_int(s, 2, st_now(st));
    q_bind_int(s, 3, clear_fails ? 1 : 0);
    q_bind_text(s, 4, serial);
    q_bind_int(s, 5, (int64_t)from_mask);
    if ((rc = st_step_done(st, s, "key: state")) != STORE_OK)
        return rc;
    return q_changes(st) == 0 ? key_unchanged(st, serial, "state change") : STORE_OK;
}

int
store_key_pin_try(store *st, const char *serial, int max, int *fails)
{
    stmt *s = st_prep(st, SQL_KEY_PIN_TRY);
    struct store_key k;
    int rc;

    *fails = 0;
    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, st_now(st));
    q_bind_text(s, 2, serial);
    q_bind_int(s, 3, max);
    rc = q_step(s);
    if (rc == Q_ROW) {
        *fails = q_col_int(s, 0);
        rc = q_step(s);
    }
    q_reset(s);
    if (rc != Q_DONE)
        return st_fail(st, rc, "key: PIN try");
    if (*fails > 0)
        return STORE_OK;
    if (store_key_get(st, serial, &k) != STORE_OK)
        return STORE_ERR_NOT_FOUND;
    *fails = k.pin_fails;
    st_detail(st, "key %s: %d wrong PINs, no try left", serial, k.pin_fails);
    return STORE_ERR_CONFLICT;
}

int
store_key_pin_clear(store *st, const char *serial)
{
    stmt *s = st_prep(st, SQL_KEY_PIN_CLEAR);
    int rc;

    if (s == NULL)
        return STORE_ERR_IO;
    q_bind_int(s, 1, st_now(st));
    q_bind_text(s, 2, serial);
    if ((rc = st_step_done(st, s, "key: PIN cleared")) != STORE_OK)
        return rc;
    return q_changes(st) == 0 ? STORE_ERR_NOT_FOUND : STORE_OK;
}

/*
 * data/copy.c - moving a hall (store_copy): every record of a single
 * machine's SQLite file onto a hall's server that holds none yet, in one
 * unit of work there (all or nothing), then read back and compared table by
 * table: the same number of rows and the same rows (an order-independent
 * digest: the XOR of each row's SHA-256 over its columns, NULLs and bytes
 * told apart). The two schemas are the same table for table and column for
 * column (tests/integration/db_check.sh holds them so), so the copy names
 * the columns as the file has them.
 */
#include "data/sqlite/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* In an order the references allow (a row's parents before it). */
static const char *const copy_tables[] = {
    "clerks", "orders", "keys", "certs", "checks", "jobs", "audit", "companies", "operators",
    "payments", "counters", "audit_head", "seals", "change_records", "login_guard", "refunds",
};
#define NTABLES (sizeof copy_tables / sizeof copy_tables[0])

struct table_cols {
    int n;
    char names[40][40];
    bool blob[40];
};

static int
copy_cols(store *src, const char *table, struct table_cols *c)
{
    char sql[128];
    sqlite3_stmt *s;

    memset(c, 0, sizeof *c);
    snprintf(sql, sizeof sql, "SELECT name, type FROM pragma_table_info('%s') ORDER BY cid", table);
    if (sqlite3_prepare_v2(src->db, sql, -1, &s, NULL) != SQLITE_OK)
        return STORE_ERR_IO;
    while (sqlite3_step(s) == SQLITE_ROW && c->n < 40) {
        snprintf(c->names[c->n], sizeof c->names[c->n], "%s", (const char *)sqlite3_column_text(s, 0));
        c->blob[c->n] = sqlite3_column_text(s, 1) != NULL && strcmp((const char *)sqlite3_column_text(s, 1), "BLOB") == 0;
        c->n++;
    }
    sqlite3_finalize(s);
    return c->n > 0 ? STORE_OK : STORE_ERR_IO;
}

/* "SELECT "a", "b" FROM t" or "INSERT INTO t ("a", "b") VALUES (?, ?)" */
static void
copy_sql(const char *table, const struct table_cols *c, bool insert, char *out, size_t n)
{
    size_t o = (size_t)snprintf(out, n, insert ? "INSERT INTO %s (" : "SELECT ", table);

    for (int i = 0; i < c->n && o < n; i++)
        o += (size_t)snprintf(out + o, n - o, "%s\"%s\"", i ? ", " : "", c->names[i]);
    if (insert) {
        o += (size_t)snprintf(out + o, n - o, ") VALUES (");
        for (int i = 0; i < c->n && o < n; i++)
            o += (size_t)snprintf(out + o, n - o, "%s?", i ? ", " : "");
        snprintf(out + o, n - o, ")");
    } else {
        snprintf(out + o, n - o, " FROM %s", table);
    }
}

/* Fold one column's value into the row's hash. */
static void
copy_hash_col(EVP_MD_CTX *h, const void *p, size_t len, bool null)
{
    unsigned char tag = null ? 0 : 1;
    uint64_t l = len;

    EVP_DigestUpdate(h, &tag, 1);
    EVP_DigestUpdate(h, &l, sizeof l);
    if (!null && len > 0)
        EVP_DigestUpdate(h, p, len);
}

static void
copy_hash_end(EVP_MD_CTX *h, unsigned char sum[32])
{
    unsigned char row[32];
    unsigned int n = 0;

    EVP_DigestFinal_ex(h, row, &n);
    for (int i = 0; i < 32; i++)
        sum[i] ^= row[i];
}

/* Copy one table's rows; its digest into SUM, its rows into *ROWS. */
static int
copy_table(store *src, store *dst, const char *table, const struct table_cols *c, unsigned char sum[32], long long *rows)
{
    char sel[2048], ins[2048];
    sqlite3_stmt *s;
    stmt *w;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    int rc = STORE_OK;

    copy_sql(table, c, false, sel, sizeof sel);
    copy_sql(table, c, true, ins, sizeof ins);
    if (h == NULL || sqlite3_prepare_v2(src->db, sel, -1, &s, NULL) != SQLITE_OK) {
        EVP_MD_CTX_free(h);
        st_detail(dst, "copy: reading %s: %s", table, sqlite3_errmsg(src->db));
        return STORE_ERR_IO;
    }
    if ((w = st_prep_once(dst, ins)) == NULL) {
        sqlite3_finalize(s);
        EVP_MD_CTX_free(h);
        return STORE_ERR_IO;
    }
    while (rc == STORE_OK && sqlite3_step(s) == SQLITE_ROW) {
        EVP_DigestInit_ex(h, EVP_sha256(), NULL);
        q_reset(w);
        for (int i = 0; i < c->n; i++) {
            int type = sqlite3_column_type(s, i);
            const void *p = type == SQLITE_BLOB ? sqlite3_column_blob(s, i) : (const void *)sqlite3_column_text(s, i);
            size_t len = (size_t)sqlite3_column_bytes(s, i);

            copy_hash_col(h, p, len, type == SQLITE_NULL);
            if (type == SQLITE_NULL)
                q_bind_null(w, i + 1);
            else if (type == SQLITE_INTEGER)
                q_bind_int(w, i + 1, sqlite3_column_int64(s, i));
            else if (type == SQLITE_BLOB || c->blob[i])
                q_bind_blob(w, i + 1, p, len);
            else
                q_bind_text(w, i + 1, (const char *)p);
        }
        copy_hash_end(h, sum);
        rc = st_step_done(dst, w, table);
        (*rows)++;
    }
    sqlite3_finalize(s);
    q_finalize(w);
    EVP_MD_CTX_free(h);
    return rc;
}

/* The digest of one table as the server has it. */
static int
copy_readback(store *dst, const char *table, const struct table_cols *c, unsigned char sum[32], long long *rows)
{
    char sel[2048];
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    stmt *r;
    int rc;

    copy_sql(table, c, false, sel, sizeof sel);
    if (h == NULL || (r = st_prep_once(dst, sel)) == NULL) {
        EVP_MD_CTX_free(h);
        return STORE_ERR_IO;
    }
    while ((rc = q_step(r)) == Q_ROW) {
        EVP_DigestInit_ex(h, EVP_sha256(), NULL);
        for (int i = 0; i < c->n; i++) {
            if (c->blob[i]) {
                const void *p = q_col_blob(r, i);
                size_t len = q_col_bytes(r, i);
                copy_hash_col(h, p, len, p == NULL && q_col_text(r, i) == NULL);
            } else {
                const unsigned char *t = q_col_text(r, i);
                copy_hash_col(h, t, t != NULL ? strlen((const char *)t) : 0, t == NULL);
            }
        }
        copy_hash_end(h, sum);
        (*rows)++;
    }
    q_finalize(r);
    EVP_MD_CTX_free(h);
    return rc == Q_DONE ? STORE_OK : st_fail(dst, rc, table);
}

/* Rows the server already holds (the audit head's own row aside). */
static int
copy_target_rows(store *dst, long long *n)
{
    char sql[128];

    *n = 0;
    for (size_t t = 0; t < NTABLES; t++) {
        stmt *s;
        int rc;
        snprintf(sql, sizeof sql, strcmp(copy_tables[t], "audit_head") == 0 ? "SELECT count(*) FROM %s WHERE id <> 0"
                                                                             : "SELECT count(*) FROM %s",
                 copy_tables[t]);
        if ((s = st_prep_once(dst, sql)) == NULL)
            return STORE_ERR_IO;
        rc = q_step(s);
        if (rc == Q_ROW)
            *n += q_col_int64(s, 0);
        q_finalize(s);
        if (rc != Q_ROW)
            return st_fail(dst, rc, "copy: the server's rows");
    }
    return STORE_OK;
}

int
store_copy(const struct store_opts *from, const struct store_opts *to, struct store_copy_report *rep, char *err,
           size_t errlen)
{
    unsigned char want[NTABLES][32], got[NTABLES][32];
    struct table_cols cols[NTABLES];
    store *src = NULL, *dst = NULL;
    long long there = 0;
    int rc;

    memset(rep, 0, sizeof *rep);
    memset(want, 0, sizeof want);
    memset(got, 0, sizeof got);
    if (from->backend != STORE_SQLITE || to->backend != STORE_POSTGRESQL) {
        snprintf(err, errlen, "a hall is copied from its SQLite file onto a PostgreSQL server");
        return STORE_ERR_IO;
    }
    if ((rc = store_open(&src, from, err, errlen)) != STORE_OK)
        return rc;
    if ((rc = store_open(&dst, to, err, errlen)) != STORE_OK) {
        store_close(src);
        return rc;
    }
    for (size_t t = 0; t < NTABLES && rc == STORE_OK; t++)
        if ((rc = copy_cols(src, copy_tables[t], &cols[t])) != STORE_OK)
            snprintf(err, errlen, "%s: no table %s", from->path, copy_tables[t]);
    if (rc == STORE_OK && (rc = copy_target_rows(dst, &there)) == STORE_OK && there > 0) {
        snprintf(err, errlen, "the server already holds %lld records: a hall is copied onto an empty one", there);
        rep->target_rows = there;
        rc = STORE_ERR_CONFLICT;
    }
    if (rc != STORE_OK)
        goto out;
    /* one unit of work on the server: all of it, or none */
    if ((rc = st_begin(dst)) != STORE_OK || (rc = st_exec(dst, "DELETE FROM audit_head")) != STORE_OK)
        goto fail;
    for (size_t t = 0; t < NTABLES; t++) {
        snprintf(rep->tables[t].name, sizeof rep->tables[t].name, "%s", copy_tables[t]);
        if ((rc = copy_table(src, dst, copy_tables[t], &cols[t], want[t], &rep->tables[t].rows)) != STORE_OK)
            goto fail;
        /* ids given from here on follow the copied ones */
        if (strcmp(cols[t].names[0], "id") == 0) {
            char sql[200];
            snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(max(id), 0) + 1, false) FROM %s",
                     copy_tables[t], copy_tables[t]);
            if ((rc = st_exec(dst, sql)) != STORE_OK)
                goto fail;
        }
    }
    rep->ntables = NTABLES;
    if ((rc = st_commit(dst)) != STORE_OK)
        goto fail;
    /* read back: the same rows, table by table */
    for (size_t t = 0; t < NTABLES; t++) {
        long long n = 0;
        if ((rc = copy_readback(dst, copy_tables[t], &cols[t], got[t], &n)) != STORE_OK)
            goto fail;
        rep->tables[t].same = n == rep->tables[t].rows && memcmp(want[t], got[t], 32) == 0;
        if (!rep->tables[t].same) {
            snprintf(err, errlen, "table %s: %lld rows copied, %lld read back, or their content differs", copy_tables[t],
                     rep->tables[t].rows, n);
            rc = STORE_ERR_CONFLICT;
        }
    }
    goto out;
fail:
    st_rollback(dst);
    snprintf(err, errlen, "%s", store_detail(dst));
out:
    store_close(src);
    store_close(dst);
    return rc;
}

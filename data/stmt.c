/*
 * data/stmt.c - the statement layer (data/stmt.h) on its two backends.
 *
 * SQLite: a thin veneer over sqlite3_stmt (cached, prepared persistent).
 *
 * PostgreSQL: the SQL is translated once (see data/stmt.h), prepared on the
 * server under a name on its first run in a connection, run with text
 * parameters (bytea in binary), and its whole answer kept until the next
 * reset: the record files read at most a few thousand rows at once. A write
 * outside a unit of work runs in a unit of its own (st_begin: the hall's
 * writer lock), as SQLite's would take the file's.
 */
#include "data/sqlite/sqlite_int.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define Q_MAXPARAMS 24          /* more than any statement of the records binds */

struct stmt {
    store *st;
    sqlite3_stmt *lite;         /* SQLite: the statement */
    /* PostgreSQL */
    char *sql;                  /* translated */
    char name[12];              /* server-side name; "" = run unnamed (an uncached statement) */
    unsigned epoch;             /* the connection it was prepared in (0 = not yet) */
    bool write;                 /* INSERT, UPDATE or DELETE */
    int nparams;
    char *vals[Q_MAXPARAMS];
    int lens[Q_MAXPARAMS], fmts[Q_MAXPARAMS];
    Oid types[Q_MAXPARAMS];
    PGresult *res;              /* the answer of the last run, NULL before */
    int row;                    /* the row last stepped to */
    unsigned char *blob;        /* a bytea column decoded, of (blob_row, blob_col) */
    size_t blob_len;
    int blob_row, blob_col;
};

#define OID_INT8 20
#define OID_BYTEA 17

/* ---- translation (PostgreSQL) ---------------------------------------------- */

/* SQL in the common dialect into PostgreSQL's: `?`/`?N` to `$N`, `INDEXED BY
 * name` dropped, instr( to strpos(, temp. dropped (temporary tables come first
 * in PostgreSQL's search path). Nothing inside '...' is touched. *NPARAMS the
 * highest parameter number. */
char *
pg_translate(const char *sql, int *nparams)
{
    size_t n = strlen(sql), o = 0;
    char *out = malloc(n * 2 + 16);
    bool quoted = false;
    int next = 0;

    *nparams = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n;) {
        char c = sql[i];
        bool word_start = i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_');

        if (c == '\'') {
            quoted = !quoted;
            out[o++] = c, i++;
            continue;
        }
        if (quoted) {
            out[o++] = c, i++;
            continue;
        }
        if (c == '?') {
            int k;
            i++;
            if (isdigit((unsigned char)sql[i])) {
                k = 0;
                while (isdigit((unsigned char)sql[i]))
                    k = k * 10 + (sql[i++] - '0');
            } else {
                k = ++next;
            }
            if (k > *nparams)
                *nparams = k;
            o += (size_t)sprintf(out + o, "$%d", k);
            continue;
        }
        if (word_start && strncmp(sql + i, "INDEXED BY ", 11) == 0) {
            i += 11;
            while (isalnum((unsigned char)sql[i]) || sql[i] == '_')
                i++;
            continue;
        }
        if (word_start && strncmp(sql + i, "instr(", 6) == 0) {
            memcpy(out + o, "strpos(", 7);
            o += 7, i += 6;
            continue;
        }
        if (word_start && strncmp(sql + i, "temp.", 5) == 0) {
            i += 5;
            continue;
        }
        out[o++] = c, i++;
    }
    out[o] = '\0';
    return out;
}

/* A lost connection made again, outside a unit of work (the server restarted,
 * or came back): a new session, its statements to be prepared again. */
void
pg_reconnect(store *st)
{
    time_t now = time(NULL);

    /* a server that does not answer costs a counter connect_timeout per try:
     * once a try fails, the calls of the next seconds are told at once */
    if (PQstatus(st->pg) != CONNECTION_OK && st->depth == 0 && now >= st->pg_retry_at) {
        PQreset(st->pg);
        st->pg_epoch++;
        st->pg_silent = false;
        st->pg_retry_at = PQstatus(st->pg) == CONNECTION_OK ? 0 : now + 3;
    }
}

static long long
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Every statement's answer comes through here. The server may be silent
 * while a unit waits for the hall's writer lock (lock_timeout = busy_ms,
 * then it says so) and is otherwise quick; a server that says nothing for
 * longer than that and 5 s more (a hung process, a network that swallows
 * packets without a reset) would hold the counter's screen for ever. Its
 * connection is shut instead: libpq then reports it lost, the clerk is told
 * "records server unreachable", the server rolls back what was open when it
 * notices, and the next call outside a unit connects again.
 */
PGresult *
pg_await(store *st, bool sent)
{
    PGresult *last = NULL, *r;
    long long quiet_since = mono_ms();

    if (!sent)
        return NULL;
    for (;;) {
        struct pollfd p = { .fd = PQsocket(st->pg), .events = POLLIN };
        long long left;

        while (!PQisBusy(st->pg)) {
            if ((r = PQgetResult(st->pg)) == NULL)
                return last;
            PQclear(last);
            last = r;
        }
        left = quiet_since + st->pg_silence_ms - mono_ms();
        if (p.fd < 0)
            break;
        if (left <= 0 && !st->pg_silent) {
            st->pg_silent = true;
            (void)shutdown(p.fd, SHUT_RDWR);    /* libpq finds it closed: lost */
        }
        int n = poll(&p, 1, left > 0 ? (int)left : 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            quiet_since = mono_ms();
        else if (n == 0 && !st->pg_silent)
            continue;                           /* silent so far: the next round shuts it */
        if (!PQconsumeInput(st->pg))
            break;
    }
    while ((r = PQgetResult(st->pg)) != NULL) {     /* what libpq says of the loss */
        PQclear(last);
        last = r;
    }
    return last;
}

/* ---- failures ---------------------------------------------------------------- */

/* PostgreSQL's answer R (NULL: no answer at all) as a store status, the detail set. */
int
pg_fail(store *st, PGresult *r, const char *what)
{
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r != NULL && PQresultErrorMessage(r)[0] != '\0' ? PQresultErrorMessage(r) : PQerrorMessage(st->pg);
    char silent[64];

    if (st->pg_silent && PQstatus(st->pg) != CONNECTION_OK) {
        snprintf(silent, sizeof silent, "no answer for %d s", st->pg_silence_ms / 1000);
        msg = silent;
    }

    st_detail(st, "%.*s (%s) in: %s", (int)strcspn(msg, "\n"), msg, state != NULL ? state : "-", what);
    if (PQstatus(st->pg) != CONNECTION_OK) {
        st_detail(st, "%s: records server unreachable: %.*s", what, (int)strcspn(msg, "\n"), msg);
        return STORE_ERR_IO;
    }
    if (state == NULL)
        return STORE_ERR_IO;
    if (strncmp(state, "23", 2) == 0)
        return STORE_ERR_CONFLICT;          /* integrity constraint violation */
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
        strcmp(state, "57014") == 0)
        return STORE_ERR_RETRY;             /* serialisation, deadlock, lock wait over */
    return STORE_ERR_IO;
}

/* Map a failed step's code to a store status, recording the detail: an
 * SQLite result code, or a status the PostgreSQL side has mapped already. */
int
st_fail(store *st, int rc, const char *what)
{
    if (rc < 0) {
        char had[sizeof st->detail];
        snprintf(had, sizeof had, "%s", st->detail);
        st_detail(st, "%s: %s", what, had);
        return rc;
    }
    st_detail(st, "%s: %s (%d)", what, st->db != NULL ? sqlite3_errmsg(st->db) : "?", rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_ERR_RETRY;
    case SQLITE_CONSTRAINT:
        return STORE_ERR_CONFLICT;
    default:
        return STORE_ERR_IO;
    }
}

/* ---- statements ------------------------------------------------------------ */

static stmt *
q_new(store *st, const char *sql, bool cached, int slot)
{
    stmt *s = calloc(1, sizeof *s);

    if (s == NULL) {
        st_detail(st, "out of memory");
        return NULL;
    }
    s->st = st;
    if (st->db != NULL) {
        int rc = cached ? sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->lite, NULL)
                        : sqlite3_prepare_v2(st->db, sql, -1, &s->lite, NULL);
        if (rc != SQLITE_OK) {
            st_detail(st, "prepare: %s: %s", sqlite3_errmsg(st->db), sql);
            sqlite3_finalize(s->lite);
            free(s);
            return NULL;
        }
        return s;
    }
    if ((s->sql = pg_translate(sql, &s->nparams)) == NULL || s->nparams > Q_MAXPARAMS) {
        st_detail(st, "prepare: %s: %s", s->sql == NULL ? "out of memory" : "too many parameters", sql);
        free(s->sql);
        free(s);
        return NULL;
    }
    {
        const char *p = sql;
        while (isspace((unsigned char)*p))
            p++;
        s->write = strncmp(p, "INSERT", 6) == 0 || strncmp(p, "UPDATE", 6) == 0 || strncmp(p, "DELETE", 6) == 0;
    }
    if (cached)
        snprintf(s->name, sizeof s->name, "k%d", slot);
    return s;
}

static void
q_clear_bindings(stmt *s)
{
    for (int i = 0; i < Q_MAXPARAMS; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
        s->lens[i] = s->fmts[i] = 0;
        s->types[i] = 0;
    }
}

stmt *
st_prep(store *st, const char *sql)
{
    int i;

    for (i = 0; i < STORE_NSTMTS && st->stmts[i].sql != NULL; i++) {
        if (st->stmts[i].sql == sql) {
            stmt *s = st->stmts[i].stmt;
            q_reset(s);
            if (s->lite != NULL)
                sqlite3_clear_bindings(s->lite);
            else
                q_clear_bindings(s);
            return s;
        }
    }
    if (i == STORE_NSTMTS) {
        st_detail(st, "statement cache full");
        return NULL;
    }
    if ((st->stmts[i].stmt = q_new(st, sql, true, i)) == NULL)
        return NULL;
    st->stmts[i].sql = sql;
    return st->stmts[i].stmt;
}

stmt *
st_prep_once(store *st, const char *sql)
{
    return q_new(st, sql, false, 0);
}

void
q_finalize(stmt *s)
{
    if (s == NULL)
        return;
    if (s->lite != NULL) {
        sqlite3_finalize(s->lite);
        s->lite = NULL;
    }
    q_reset(s);
    q_clear_bindings(s);
    free(s->sql);
    free(s);
}

void
st_stmts_free(store *st)
{
    for (int i = 0; i < STORE_NSTMTS; i++) {
        q_finalize(st->stmts[i].stmt);
        st->stmts[i].stmt = NULL;
        st->stmts[i].sql = NULL;
    }
}

int
q_nparams(stmt *s)
{
    return s->lite != NULL ? sqlite3_bind_parameter_count(s->lite) : s->nparams;
}

static void
pg_bind(stmt *s, int i, char *v, int len, int fmt, Oid type)
{
    if (i < 1 || i > Q_MAXPARAMS) {
        free(v);
        return;
    }
    free(s->vals[i - 1]);
    s->vals[i - 1] = v;
    s->lens[i - 1] = len;
    s->fmts[i - 1] = fmt;
    s->types[i - 1] = type;
}

void
q_bind_text(stmt *s, int i, const char *v)
{
    if (s->lite != NULL)
        sqlite3_bind_text(s->lite, i, v, -1, SQLITE_STATIC);
    else
        pg_bind(s, i, v != NULL ? strdup(v) : NULL, 0, 0, 0);
}

void
q_bind_int(stmt *s, int i, int64_t v)
{
    char buf[24];

    if (s->lite != NULL) {
        sqlite3_bind_int64(s->lite, i, v);
        return;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    pg_bind(s, i, strdup(buf), 0, 0, OID_INT8);
}

void
q_bind_null(stmt *s, int i)
{
    if (s->lite != NULL)
        sqlite3_bind_null(s->lite, i);
    else
        pg_bind(s, i, NULL, 0, 0, 0);
}

void
q_bind_blob(stmt *s, int i, const void *p, size_t n)
{
    char *copy;

    if (s->lite != NULL) {
        sqlite3_bind_blob64(s->lite, i, p, n, SQLITE_STATIC);
        return;
    }
    if ((copy = malloc(n > 0 ? n : 1)) != NULL && n > 0)
        memcpy(copy, p, n);
    pg_bind(s, i, copy, (int)n, 1, OID_BYTEA);
}

/* Run S on the server once (its answer kept in S->res). */
static int
pg_run(stmt *s)
{
    store *st = s->st;
    bool own = s->write && st->depth == 0;
    ExecStatusType es;
    int rc;

    pg_reconnect(st);
    if (PQstatus(st->pg) != CONNECTION_OK)
        return pg_fail(st, NULL, "records server");
    if (own && (rc = st_begin(st)) != STORE_OK)
        return rc;
    if (s->name[0] != '\0' && s->epoch != st->pg_epoch) {
        PGresult *p = pg_await(st, PQsendPrepare(st->pg, s->name, s->sql, s->nparams, s->types));
        if (PQresultStatus(p) != PGRES_COMMAND_OK) {
            rc = pg_fail(st, p, s->sql);
            PQclear(p);
            goto fail;
        }
        PQclear(p);
        s->epoch = st->pg_epoch;
    }
    s->res = pg_await(st, s->name[0] != '\0'
                              ? PQsendQueryPrepared(st->pg, s->name, s->nparams, (const char *const *)s->vals, s->lens,
                                                    s->fmts, 0)
                              : PQsendQueryParams(st->pg, s->sql, s->nparams, s->types, (const char *const *)s->vals,
                                                  s->lens, s->fmts, 0));
    es = PQresultStatus(s->res);
    if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
        rc = pg_fail(st, s->res, s->sql);
        PQclear(s->res);
        s->res = NULL;
        goto fail;
    }
    st->changes = atoi(PQcmdTuples(s->res));
    s->row = -1;
    if (own && (rc = st_commit(st)) != STORE_OK) {
        PQclear(s->res);
        s->res = NULL;
        return rc;
    }
    return STORE_OK;
fail:
    if (own)
        st_rollback(st);
    return rc;
}

int
q_step(stmt *s)
{
    if (s->lite != NULL)
        return sqlite3_step(s->lite);
    if (s->res == NULL) {
        int rc = pg_run(s);
        if (rc != STORE_OK)
            return rc;
    }
    if (s->row < PQntuples(s->res))
        s->row++;
    return s->row < PQntuples(s->res) ? Q_ROW : Q_DONE;
}

void
q_reset(stmt *s)
{
    if (s->lite != NULL) {
        sqlite3_reset(s->lite);
        return;
    }
    PQclear(s->res);
    s->res = NULL;
    PQfreemem(s->blob);
    s->blob = NULL;
    s->blob_len = 0;
}

static bool
pg_has(stmt *s, int i)
{
    return s->res != NULL && s->row >= 0 && s->row < PQntuples(s->res) && i >= 0 && i < PQnfields(s->res) &&
           !PQgetisnull(s->res, s->row, i);
}

int64_t
q_col_int64(stmt *s, int i)
{
    if (s->lite != NULL)
        return sqlite3_column_int64(s->lite, i);
    return pg_has(s, i) ? strtoll(PQgetvalue(s->res, s->row, i), NULL, 10) : 0;
}

int
q_col_int(stmt *s, int i)
{
    return (int)q_col_int64(s, i);
}

const unsigned char *
q_col_text(stmt *s, int i)
{
    if (s->lite != NULL)
        return sqlite3_column_text(s->lite, i);
    return pg_has(s, i) ? (const unsigned char *)PQgetvalue(s->res, s->row, i) : NULL;
}

/* Decode the bytea of column I of the current row (kept until the next step or reset). */
static void
pg_blob(stmt *s, int i)
{
    if (s->blob != NULL && s->blob_row == s->row && s->blob_col == i)
        return;
    PQfreemem(s->blob);
    s->blob = NULL;
    s->blob_len = 0;
    if (!pg_has(s, i))
        return;
    s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &s->blob_len);
    s->blob_row = s->row;
    s->blob_col = i;
}

const void *
q_col_blob(stmt *s, int i)
{
    if (s->lite != NULL)
        return sqlite3_column_blob(s->lite, i);
    pg_blob(s, i);
    return s->blob_len > 0 ? s->blob : NULL;
}

size_t
q_col_bytes(stmt *s, int i)
{
    if (s->lite != NULL)
        return (size_t)sqlite3_column_bytes(s->lite, i);
    pg_blob(s, i);
    return s->blob_len;
}

int
q_changes(store *st)
{
    return st->db != NULL ? sqlite3_changes(st->db) : st->changes;
}

/* ---- helpers of the record files ------------------------------------------- */

void
st_text(stmt *s, int i, char *out, size_t n)
{
    const unsigned char *t = q_col_text(s, i);
    snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

/* Run a statement that returns no rows; maps the result. */
int
st_step_done(store *st, stmt *s, const char *what)
{
    int rc = q_step(s);
    int r = rc == Q_DONE ? STORE_OK : st_fail(st, rc, what);
    q_reset(s);
    return r;
}

/* Run an INSERT ... RETURNING id: the new row's id into *ID. */
int
st_step_id(store *st, stmt *s, const char *what, int64_t *id)
{
    int rc = q_step(s);
    int r = STORE_OK;

    if (rc == Q_ROW)
        *id = q_col_int64(s, 0);
    else
        r = st_fail(st, rc == Q_DONE ? SQLITE_ERROR : rc, what);
    q_reset(s);
    return r;
}

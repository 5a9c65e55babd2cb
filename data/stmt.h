/*
 * data/stmt.h - the statement layer the record files speak: prepare a
 * static SQL text, bind its parameters, step through its rows, read their
 * columns. One set of record files (data/sqlite/) keeps the records on
 * either backend: SQLite (the embedded file) or PostgreSQL (a hall's
 * server), each behind these few calls (data/stmt.c).
 *
 * The SQL is written once, in the common ground of the two dialects:
 * `?` and `?N` parameters, "window" quoted, `RETURNING id` for a new row's
 * id, `ON CONFLICT ... DO UPDATE`, no boolean arithmetic. For PostgreSQL
 * the text is translated once per statement (parameters to `$N`, SQLite's
 * `INDEXED BY` hint dropped, `instr` to `strpos`, `temp.` to `pg_temp.`).
 *
 * Steps return Q_ROW, Q_DONE or a failure that st_fail() maps to a store
 * status (an SQLite result code, or a negative enum store_status already
 * mapped from PostgreSQL's SQLSTATE, the detail set).
 */
#ifndef DATA_STMT_H
#define DATA_STMT_H

#include <stddef.h>
#include <stdint.h>

#include "data/store.h"

typedef struct stmt stmt;

#define Q_ROW 100               /* a row is there to read (SQLITE_ROW) */
#define Q_DONE 101              /* no more rows; the statement ran (SQLITE_DONE) */

/* A reset, unbound, cached statement for SQL (a static string: the cache key
 * is its address), or NULL with the detail set. */
stmt *st_prep(store *st, const char *sql);
/* An uncached statement (freed by q_finalize). */
stmt *st_prep_once(store *st, const char *sql);
void q_finalize(stmt *s);

/* Parameters are numbered from 1; values are copied (or, on SQLite, held
 * until the next reset: keep them alive until the step). */
void q_bind_text(stmt *s, int i, const char *v);
void q_bind_int(stmt *s, int i, int64_t v);
void q_bind_null(stmt *s, int i);
void q_bind_blob(stmt *s, int i, const void *p, size_t n);

int q_step(stmt *s);
void q_reset(stmt *s);

int64_t q_col_int64(stmt *s, int i);
int q_col_int(stmt *s, int i);
/* NULL for an SQL NULL; valid until the next step or reset */
const unsigned char *q_col_text(stmt *s, int i);
const void *q_col_blob(stmt *s, int i);
size_t q_col_bytes(stmt *s, int i);

/* Rows the last INSERT, UPDATE or DELETE changed. */
int q_changes(store *st);

#endif

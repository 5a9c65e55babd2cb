/*
 * data/sqlite/report.c - the SQLite records (data/store.h): the daily settlement.
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

/* ---- daily settlement ------------------------------------------------------ */

/* The orders of the day by window, clerk and kind, and the refunds paid out
 * that day (by the clerk who paid them, under the order's window and kind).
 * A cancelled, paid order counts as a refund due until its refund is paid. */
static const char SQL_REPORT[] =
    "SELECT \"window\", clerk, txn, SUM(a), SUM(b), SUM(c), SUM(d), SUM(e), SUM(f), SUM(g), SUM(h), SUM(i), SUM(j),"
    " SUM(k), SUM(l), SUM(m) FROM ("
    " SELECT \"window\", clerk, txn,"
    "  CASE WHEN state = 1 THEN 1 ELSE 0 END AS a,"
    "  CASE WHEN state = 1 AND pay_method = 'cash' THEN amount ELSE 0 END AS b,"
    "  CASE WHEN state = 1 AND pay_method = 'pos' THEN amount ELSE 0 END AS c,"
    "  CASE WHEN state = 1 AND pay_method = 'qr' THEN amount ELSE 0 END AS d,"
    "  CASE WHEN state = 1 AND amount = 0 AND instr(?2, ',' || txn || ',') > 0 THEN 1 ELSE 0 END AS e,"
    "  CASE WHEN state = 0 THEN 1 ELSE 0 END AS f,"
    "  CASE WHEN state = 2 THEN 1 ELSE 0 END AS g,"
    "  CASE WHEN state = 2 AND paid_at <> 0 AND amount > 0 AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id)"
    "   THEN 1 ELSE 0 END AS h,"
    "  CASE WHEN state = 2 AND paid_at <> 0 AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id)"
    "   THEN amount ELSE 0 END AS i,"
    "  CASE WHEN state = 0 AND paid_at <> 0 AND amount > 0 THEN 1 ELSE 0 END AS j,"
    "  CASE WHEN state = 0 AND paid_at <> 0 THEN amount ELSE 0 END AS k,"
    "  0 AS l, 0 AS m"
    "  FROM orders o WHERE day = ?1"
    " UNION ALL"
    " SELECT o.\"window\", r.clerk, o.txn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, r.amount"
    "  FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.day = ?1"
    ") AS t GROUP BY \"window\", clerk, txn ORDER BY \"window\", clerk, txn";

bool
report_date_ok(const char *d)
{
    int y, m, dd, i;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (d == NULL || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
            return false;
    y = atoi(d);
    m = atoi(d + 5);
    dd = atoi(d + 8);
    if (y < 1970 || m < 1 || m > 12 || dd < 1 || dd > mdays[m - 1])
        return false;
    if (m == 2 && dd == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

int
store_report_daily(store *st, const char *date, const char *free_kinds, struct store_report_row **rows,
                   size_t *n, struct store_report_row *total)
{
    stmt *s;
    struct store_report_row *v = NULL;
    size_t cap = 0;
    int rc;

    *rows = NULL;
    *n = 0;
    memset(total, 0, sizeof *total);
    if (!report_date_ok(date)) {
        st_detail(st, "date: \"%s\" is not a valid YYYY-MM-DD", date ? date : "");
        return STORE_ERR_IO;
    }
    if ((s = st_prep(st, SQL_REPORT)) == NULL)
        return STORE_ERR_IO;
    q_bind_text(s, 1, date);
    q_bind_text(s, 2, free_kinds != NULL ? free_kinds : "");
    while ((rc = q_step(s)) == Q_ROW) {
        struct store_report_row *r;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct store_report_row *nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                q_reset(s);
                free(v);
                *n = 0;
                st_detail(st, "report: out of memory");
                return STORE_ERR_IO;
            }
            v = nv;
            cap = ncap;
        }
        r = &v[(*n)++];
        memset(r, 0, sizeof *r);
        st_text(s, 0, r->window, sizeof r->window);
        st_text(s, 1, r->clerk, sizeof r->clerk);
        st_text(s, 2, r->txn, sizeof r->txn);
        r->done = (long)q_col_int64(s, 3);
        r->cash = (long)q_col_int64(s, 4);
        r->pos = (long)q_col_int64(s, 5);
        r->qr = (long)q_col_int64(s, 6);
        r->free_count = (long)q_col_int64(s, 7);
        r->open = (long)q_col_int64(s, 8);
        r->cancelled = (long)q_col_int64(s, 9);
        r->refunds = (long)q_col_int64(s, 10);
        r->refund_amount = (long)q_col_int64(s, 11);
        r->paid_open = (long)q_col_int64(s, 12);
        r->paid_open_amount = (long)q_col_int64(s, 13);
        r->refunded = (long)q_col_int64(s, 14);
        r->refunded_amount = (long)q_col_int64(s, 15);
        total->done += r->done;
        total->cash += r->cash;
        total->pos += r->pos;
        total->qr += r->qr;
        total->free_count += r->free_count;
        total->open += r->open;
        total->cancelled += r->cancelled;
        total->refunds += r->refunds;
        total->refund_amount += r->refund_amount;
        total->paid_open += r->paid_open;
        total->paid_open_amount += r->paid_open_amount;
        total->refunded += r->refunded;
        total->refunded_amount += r->refunded_amount;
    }
    q_reset(s);
    if (rc != Q_DONE) {
        free(v);
        *n = 0;
        return st_fail(st, rc, "report: daily");
    }
    *rows = v;
    return STORE_OK;
}


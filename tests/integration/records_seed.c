/*
 * tests/integration/records_seed.c - helper for tests/integration/records.sh:
 * puts a known day of orders into the database at DB (through the store,
 * as the kiosk would) and prints the CSV total line that `kiosk report
 * daily --csv` must print for DATE, recounted here from the table below.
 *
 *   records_seed DB YYYY-MM-DD
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/auditkey.h"
#include "data/store.h"

struct seed {
    const char *window, *clerk, *txn, *method;  /* method "" = unpaid */
    long amount;                                /* fen */
    char end;                                   /* 'd' done, 'c' cancelled, 'o' open */
    int day_offset;                             /* 0 = DATE, 1 = the day after */
};

static const struct seed seeds[] = {
    { "window66", "li", "new", "cash", 20000, 'd', 0 },
    { "window66", "li", "renew", "pos", 15000, 'd', 0 },
    { "window66", "li", "new", "", 0, 'o', 0 },
    { "window66", "zhang", "damaged", "", 0, 'd', 0 },
    { "window66", "zhang", "lost", "qr", 5000, 'd', 0 },
    { "self", "", "renew", "qr", 15000, 'c', 0 },
    { "self", "", "selfrenew", "qr", 5000, 'o', 0 },     /* paid and left: to finish or refund */
    { "window68", "wang", "bind", "", 0, 'c', 0 },
    { "window66", "li", "new", "cash", 20000, 'd', 1 },
};

int
main(int argc, char **argv)
{
    struct audit_key akey;
    long done = 0, cash = 0, pos = 0, qr = 0, free_n = 0, open = 0, cancelled = 0, refunds = 0, refund_amt = 0;
    long paid_open = 0, paid_open_amt = 0;
    struct tm tm = { .tm_hour = 10, .tm_isdst = -1 };
    char err[512];
    store *st;
    size_t i;

    if (argc != 3 || sscanf(argv[2], "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) {
        fprintf(stderr, "usage: records_seed DB YYYY-MM-DD\n");
        return 2;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    {   /* the audit key before the records open (kiosk/auditkey.h) */
        struct kiosk_config base;
        cfg_defaults(&base, NULL);
        audit_key_fetch(&base, NULL, &akey);
    }
    if (store_open(&st, &(struct store_opts){ .path = argv[1], .busy_ms = 2000 }, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "records_seed: %s\n", err);
        return 1;
    }
    (void)audit_key_use(&akey, st);    /* its audit rows keyed as a counter's, when a hall is there */
    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        const struct seed *s = &seeds[i];
        struct tm t = tm;
        struct store_order o;
        int rc = STORE_OK;

        t.tm_mday += s->day_offset;
        t.tm_min = (int)i;
        store_set_now(st, mktime(&t));
        memset(&o, 0, sizeof o);
        snprintf(o.window, sizeof o.window, "%s", s->window);
        snprintf(o.clerk, sizeof o.clerk, "%s", s->clerk);
        snprintf(o.txn, sizeof o.txn, "%s", s->txn);
        if (store_order_create(st, &o) != STORE_OK)
            goto fail;
        if (s->method[0] != '\0') {
            o.amount = s->amount;
            snprintf(o.pay_method, sizeof o.pay_method, "%s", s->method);
            o.paid_at = mktime(&t);
            if (store_order_update(st, &o) != STORE_OK)
                goto fail;
        }
        if (s->end == 'd')
            rc = store_order_finish(st, o.id);
        else if (s->end == 'c')
            rc = store_order_cancel(st, o.id, "seed");
        if (rc != STORE_OK)
            goto fail;
        if (s->day_offset != 0)
            continue;
        if (s->end == 'd') {
            done++;
            cash += !strcmp(s->method, "cash") ? s->amount : 0;
            pos += !strcmp(s->method, "pos") ? s->amount : 0;
            qr += !strcmp(s->method, "qr") ? s->amount : 0;
            free_n += s->amount == 0 && (!strcmp(s->txn, "lost") || !strcmp(s->txn, "damaged"));
        } else if (s->end == 'c') {
            cancelled++;
            refunds += s->method[0] != '\0';
            refund_amt += s->method[0] != '\0' ? s->amount : 0;
        } else {
            open++;
            paid_open += s->method[0] != '\0' && s->amount > 0;
            paid_open_amt += s->method[0] != '\0' ? s->amount : 0;
        }
    }
    /* (the seed pays nothing back: no refunds paid out that day) */
    printf("%s,total,,,%ld,%ld.%02ld,%ld.%02ld,%ld.%02ld,%ld,%ld,%ld,%ld,%ld.%02ld,%ld,%ld.%02ld,0,0.00\n", argv[2], done,
           cash / 100, cash % 100, pos / 100, pos % 100, qr / 100, qr % 100, free_n, open, cancelled, refunds,
           refund_amt / 100, refund_amt % 100, paid_open, paid_open_amt / 100, paid_open_amt % 100);
    store_close(st);
    return 0;
fail:
    fprintf(stderr, "records_seed: %s\n", store_detail(st));
    store_close(st);
    return 1;
}

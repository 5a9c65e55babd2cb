/*
 * kiosk/engine_table.c - THE table of transactions, by kind (like tmux's
 * cmd_table): the kinds table (kiosk/kinds.c) says what each kind is, this
 * says which table of steps runs it. Adding a transaction is one file of
 * tables in the engine and one line here. It sits above every transaction
 * file and nothing in them calls it, so no calls run in a circle.
 */
#include "kiosk/engine.h"

#include <string.h>

static const struct txn_def *const txn_table[KIND__COUNT] = {
    [KIND_NEW] = &txn_new_cert,
    [KIND_RENEW] = &txn_renew,
    [KIND_SELFRENEW] = &txn_selfrenew,
    [KIND_LOST] = &txn_lost,
    [KIND_DAMAGED] = &txn_damaged,
    [KIND_CHANGE] = &txn_change,
    [KIND_REVOKE] = &txn_revoke,
    [KIND_HOLD] = &txn_hold,
    [KIND_BIND] = &txn_bind,
    [KIND_CHGREC] = &txn_chgrec,
    [KIND_RELEASE] = &txn_release,
    [KIND_UNLOCK] = &txn_unlock,
    [KIND_PIN] = &txn_pin_change,
    [KIND_SELFTEST] = &txn_selftest,
};

const struct txn_def *
txn_def_of(enum txn_kind k)
{
    return (int)k >= 0 && k < KIND__COUNT ? txn_table[k] : NULL;
}

/* Who may do what with an order: the kinds table, and whether this table has it. */
void
txn_order_rights(const struct store_order *o, unsigned mode, const char *window, struct txn_order_rights *r)
{
    enum txn_kind k;
    const struct kind_info *ki;

    memset(r, 0, sizeof *r);
    if (strcmp(o->window, window) != 0) {
        /* the terminal is told nothing of a counter's order; a counter is
         * told where another counter's order is, and nothing more */
        r->access = mode == KIND_AT_SELF ? TXN_ACCESS_NONE : TXN_ACCESS_ELSEWHERE;
        return;
    }
    r->access = TXN_ACCESS_HERE;
    if (kind_parse(o->txn, &k) != 0)
        return;
    ki = kind_info(k);
    r->resume = (ki->resume_modes & mode) != 0 && txn_def_of(k) != NULL;
    r->cancel = (ki->cancel_modes & mode) != 0;
}

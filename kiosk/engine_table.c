/*
 * kiosk/engine_table.c - THE table of transactions, by kind (like tmux's
 * cmd_table): the kinds table (kiosk/kinds.c) says what each kind is, this
 * says which table of steps runs it. Adding a transaction is one file of
 * tables in the engine and one line here. It sits above every transaction
 * file and nothing in them calls it, so no calls run in a circle.
 */
#include "kiosk/engine.h"

static const struct txn_def *const txn_table[KIND__COUNT] = {
    [KIND_NEW] = &txn_new_cert,
    [KIND_UNLOCK] = &txn_unlock,
    [KIND_PIN] = &txn_pin_change,
    [KIND_SELFTEST] = &txn_selftest,
};

const struct txn_def *
txn_def_of(enum txn_kind k)
{
    return (int)k >= 0 && k < KIND__COUNT ? txn_table[k] : NULL;
}

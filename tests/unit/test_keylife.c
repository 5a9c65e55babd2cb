/*
 * tests/unit/test_keylife.c - the key's transition table: every allowed
 * transition and every refused one, checked against an independent list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/keylife.h"

/* The expected outcome of each (state, event): the target, or -1 refused.
 * Written out by hand from the seeds' rules, not derived from the table. */
#define R -1
static const int expect[KEYST__COUNT][KEYEV__COUNT] = {
    /*               issue          use           lock           unlock        hold         release        lose          take_back        wipe         retire */
    [KEYST_BLANK] = { KEYST_ISSUED, R, R, R, R, R, R, R, R, KEYST_RETIRED },
    [KEYST_ISSUED] = { KEYST_ISSUED, KEYST_ISSUED, KEYST_LOCKED, KEYST_ISSUED, KEYST_HELD, R, KEYST_LOST,
                       KEYST_RETURNED, R, R },
    [KEYST_LOCKED] = { KEYST_ISSUED, R, KEYST_LOCKED, KEYST_ISSUED, KEYST_HELD, R, KEYST_LOST, KEYST_RETURNED, R, R },
    [KEYST_HELD] = { R, R, R, R, R, KEYST_ISSUED, KEYST_LOST, KEYST_RETURNED, R, R },
    [KEYST_LOST] = { R, R, R, R, R, R, R, KEYST_RETURNED, R, KEYST_RETIRED },
    [KEYST_RETURNED] = { R, R, R, R, R, R, R, R, KEYST_BLANK, KEYST_RETIRED },
    [KEYST_RETIRED] = { R, R, R, R, R, R, R, R, R, R },
};

static void
test_every_pair(void **state)
{
    (void)state;
    for (int s = 0; s < KEYST__COUNT; s++)
        for (int e = 0; e < KEYEV__COUNT; e++) {
            enum key_state to = KEYST__COUNT;
            int rc = keylife_next((enum key_state)s, (enum key_event)e, &to);
            if (expect[s][e] == R) {
                if (rc != -1)
                    fail_msg("%s --%s--> should be refused", keylife_state_name(s), keylife_event_name(e));
                assert_false(keylife_may((enum key_state)s, (enum key_event)e));
            } else {
                if (rc != 0 || (int)to != expect[s][e])
                    fail_msg("%s --%s--> expected %s", keylife_state_name(s), keylife_event_name(e),
                             keylife_state_name(expect[s][e]));
                assert_true(keylife_may((enum key_state)s, (enum key_event)e));
            }
        }
}

static void
test_table_has_no_duplicates(void **state)
{
    (void)state;
    for (size_t i = 0; i < keylife_ntable; i++)
        for (size_t j = i + 1; j < keylife_ntable; j++)
            assert_false(keylife_table[i].from == keylife_table[j].from && keylife_table[i].ev == keylife_table[j].ev);
}

/* Each event has one target and the mask of the states it may start from. */
static void
test_event_targets(void **state)
{
    (void)state;
    for (int e = 0; e < KEYEV__COUNT; e++) {
        enum key_state to;
        unsigned mask = 0, want = 0;
        int target = -2;
        for (int s = 0; s < KEYST__COUNT; s++)
            if (expect[s][e] != R) {
                want |= 1u << s;
                if (target != -2 && target != expect[s][e])
                    fail_msg("event %s leads to two states", keylife_event_name(e));
                target = expect[s][e];
            }
        assert_int_equal(keylife_event((enum key_event)e, &to, &mask), 0);
        assert_int_equal((int)to, target);
        assert_int_equal(mask, want);
    }
    {
        enum key_state to;
        unsigned mask;
        assert_int_equal(keylife_event(KEYEV__COUNT, &to, &mask), -1);
    }
}

/* The tries left at every boundary, with and without the token's own word. */
static void
test_pin_left(void **state)
{
    static const struct {
        int max, fails;
        bool final_try, locked;
        int left;
    } cases[] = {
        { 10, 0, false, false, 10 }, { 10, 1, false, false, 9 },  { 10, 7, false, false, 3 },
        { 10, 8, false, false, 2 },  { 10, 9, false, false, 1 },  { 10, 10, false, false, 0 },
        { 10, 11, false, false, 0 }, /* never below 0 */
        { 10, 0, true, false, 1 },   /* the token's final try wins over our 10 */
        { 10, 9, true, false, 1 },   { 10, 10, true, false, 0 },  /* ...but never raises 0 */
        { 10, 0, false, true, 0 },   /* the token's lock wins */
        { 10, 3, true, true, 0 },    { 1, 0, false, false, 1 },   { 1, 1, false, false, 0 },
        { 3, 2, false, false, 1 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (keylife_pin_left(cases[i].max, cases[i].fails, cases[i].final_try, cases[i].locked) != cases[i].left)
            fail_msg("case %zu: max %d fails %d final %d locked %d: expected %d", i, cases[i].max, cases[i].fails,
                     cases[i].final_try, cases[i].locked, cases[i].left);
}

static void
test_names_and_words(void **state)
{
    enum key_state s;

    (void)state;
    for (int i = 0; i < KEYST__COUNT; i++) {
        assert_int_equal(keylife_state_parse(keylife_state_name((enum key_state)i), &s), 0);
        assert_int_equal(s, i);
        assert_int_not_equal(keylife_refusal((enum key_state)i), M_KEYST_UNKNOWN);
        assert_int_not_equal(keylife_state_msg((enum key_state)i), M_KEYST_UNKNOWN);
    }
    for (int e = 0; e < KEYEV__COUNT; e++)
        assert_string_not_equal(keylife_event_name((enum key_event)e), "?");
    assert_int_equal(keylife_state_parse("nonsense", &s), -1);
    assert_string_equal(keylife_state_name(KEYST__COUNT), "?");
    assert_int_equal(keylife_next(KEYST__COUNT, KEYEV_USE, NULL), -1);
    /* the locked key's refusal names the unlock service */
    msg_set_lang(LANG_ZH);
    assert_non_null(strstr(msg(keylife_refusal(KEYST_LOCKED)), "解锁"));
}

static void
test_doc_lists_every_transition(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char row[128];

    (void)state;
    assert_non_null(f);
    keylife_doc(f);
    fclose(f);
    for (size_t i = 0; i < keylife_ntable; i++) {
        snprintf(row, sizeof row, "| `%s` | `%s` | `%s` |", keylife_state_name(keylife_table[i].from),
                 keylife_event_name(keylife_table[i].ev), keylife_state_name(keylife_table[i].to));
        assert_non_null(strstr(buf, row));
    }
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_table_has_no_duplicates),
        cmocka_unit_test(test_event_targets),
        cmocka_unit_test(test_pin_left),
        cmocka_unit_test(test_names_and_words),
        cmocka_unit_test(test_doc_lists_every_transition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

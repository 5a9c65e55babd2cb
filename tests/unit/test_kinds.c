/*
 * tests/unit/test_kinds.c - the one table of transaction kinds
 * (kiosk/kinds.c): codes unique and parsed back, every kind titled, with
 * materials and a form box, run somewhere, resumable and cancellable only
 * where it may be run or by the self-service terminal; the app's modes are
 * the table's bits; the fee rule and the papers follow the kind; the
 * settlement's free replacements are the table's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kiosk/app.h"
#include "kiosk/kinds.h"
#include "kiosk/rules.h"

static void
test_table(void **state)
{
    int i, j;
    enum txn_kind k;

    (void)state;
    for (i = 0; i < KIND__COUNT; i++) {
        const struct kind_info *ki = kind_info((enum txn_kind)i);
        assert_non_null(ki->code);
        assert_true(strlen(ki->code) > 0 && strlen(ki->code) < 24);   /* orders.txn */
        assert_int_equal(kind_parse(ki->code, &k), 0);
        assert_int_equal((int)k, i);
        assert_string_equal(kind_code((enum txn_kind)i), ki->code);
        assert_true(ki->title != 0);
        assert_non_null(kind_title_of(ki->code));
        assert_true((int)ki->op >= 0 && ki->op < KIND_OP__COUNT);
        assert_true(ki->materials[0] != 0);
        assert_true(ki->modes != 0);
        assert_int_equal(ki->resume_modes & ~(ki->modes | KIND_AT_SELF), 0);
        assert_int_equal(ki->cancel_modes & ~(ki->modes | KIND_AT_SELF), 0);
        for (j = i + 1; j < KIND__COUNT; j++)
            assert_string_not_equal(ki->code, kind_info((enum txn_kind)j)->code);
    }
    assert_int_equal(kind_parse("check", &k), -1);
    assert_int_equal(kind_parse(NULL, &k), -1);
    assert_null(kind_title_of("nope"));
    assert_string_equal(kind_code(KIND__COUNT), "?");
}

static void
test_modes_and_rules(void **state)
{
    struct cfg_profile p;
    struct rules_quote q;
    struct rules_quote_in in = { .years = 3 };

    (void)state;
    /* one set of mode bits */
    assert_int_equal(MODE_W66, KIND_AT_W66);
    assert_int_equal(MODE_W68, KIND_AT_W68);
    assert_int_equal(MODE_SELF, KIND_AT_SELF);
    /* seeds: new certificates at window 66, seal binding at window 68 */
    assert_int_equal(kind_info(KIND_NEW)->modes, KIND_AT_W66);
    assert_int_equal(kind_info(KIND_BIND)->modes, KIND_AT_W68);
    assert_int_equal(kind_info(KIND_NEW)->op, KIND_OP_APPLY);
    assert_int_equal(kind_info(KIND_CHANGE)->op, KIND_OP_CHANGE);
    /* a kind without a fee is quoted nothing, whatever the profile */
    memset(&p, 0, sizeof p);
    p.media_fee = 5000;
    p.service_fee_per_year = 5000;
    p.max_years = 5;
    assert_int_equal(rules_fee_quote(&p, KIND_NEW, &in, &q), RULES_OK);
    assert_int_equal(q.total, 20000);
    assert_true(kind_info(KIND_NEW)->fee);
    assert_false(kind_info(KIND_BIND)->fee);
    assert_int_equal(rules_fee_quote(&p, KIND_BIND, &in, &q), RULES_OK);
    assert_int_equal(q.total, 0);
}

/* seed 003: the settlement's free replacements are lost and damaged keys */
static void
test_free_codes(void **state)
{
    char want[128] = ",";

    (void)state;
    assert_string_equal(kind_free_codes(), ",lost,damaged,");
    for (int i = 0; i < KIND__COUNT; i++)
        if (kind_info((enum txn_kind)i)->replacement) {
            strcat(want, kind_code((enum txn_kind)i));
            strcat(want, ",");
        }
    assert_string_equal(kind_free_codes(), want);
    assert_null(strstr(kind_free_codes(), ",new,"));
    assert_null(strstr(kind_free_codes(), ",unlock,"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_modes_and_rules),
        cmocka_unit_test(test_free_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

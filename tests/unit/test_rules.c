/*
 * tests/unit/test_rules.c - table tests of kiosk/rules.c: identifiers with
 * real-world valid USCCs / ID numbers and every one-character mutation,
 * PIN policy, dates, validity, renewal windows, replacement and fees.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kiosk/config.h"
#include "kiosk/msg.h"
#include "kiosk/rules.h"

static const struct rules_date TODAY = { 2025, 6, 1 };

/* Published USCCs of well-known companies (from their business licences);
 * each one was checked with an independent script implementing GB 32100 /
 * GB 11714 before being put here, and is re-checked below. */
static const char *const good_uscc[] = {
    "91350100M000100Y43", /* the example in GB 32100-2015 */
    "914403001922038216", /* Huawei Technologies */
    "91330100716105852F", /* Alibaba (China) Network Technology */
    "91440300708461136T", /* Shenzhen Tencent Computer Systems */
    "91110000802100433B", /* Beijing Baidu Netcom */
    "91110108558521630L", /* Xiaomi Communications */
    "911100007109250324", /* China Mobile Communications Group */
    "911201163409833307",
};

static const char *const good_id[] = {
    "11010519491231002X", /* GB 11643-1999 example, X check */
    "440524188001010014", /* GB 11643-1999 example */
    "110101199003074477",
};

static const char uscc_alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static void
test_uscc_valid_and_mutations(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof good_uscc / sizeof good_uscc[0]; k++) {
        const char *u = good_uscc[k];
        char m[19];

        assert_int_equal(rules_uscc(u), RULES_OK);
        assert_int_equal(rules_uscc_check_char(u), u[17]);
        assert_int_equal(rules_orgcode_check_char(u + 8), u[16]);
        for (int i = 0; i < 18; i++) {
            for (const char *c = uscc_alpha; *c; c++) {
                if (*c == u[i])
                    continue;
                memcpy(m, u, 19);
                m[i] = *c;
                if (rules_uscc(m) == RULES_OK)
                    fail_msg("mutation %s of %s accepted", m, u);
            }
            /* characters outside the alphabet */
            memcpy(m, u, 19);
            m[i] = "IOSVZa-"[i % 7];
            assert_int_equal(rules_uscc(m), RULES_USCC_CHAR);
        }
        /* only the last character wrong: the USCC check is named */
        memcpy(m, u, 19);
        m[17] = u[17] == '0' ? '1' : '0';
        assert_int_equal(rules_uscc(m), RULES_USCC_CHECK);
    }
}

static void
test_uscc_statuses(void **state)
{
    char m[19];
    (void)state;
    assert_int_equal(rules_uscc(NULL), RULES_EMPTY);
    assert_int_equal(rules_uscc(""), RULES_EMPTY);
    assert_int_equal(rules_uscc("91350100M000100Y4"), RULES_USCC_LENGTH);
    assert_int_equal(rules_uscc("91350100M000100Y433"), RULES_USCC_LENGTH);
    assert_int_equal(rules_uscc("91350100m000100Y43"), RULES_USCC_CHAR);
    /* organization code body changed, USCC check recomputed: the org code check is named */
    memcpy(m, "91350100M000100Y43", 19);
    m[9] = '1';
    m[17] = rules_uscc_check_char(m);
    assert_int_equal(rules_uscc(m), RULES_USCC_ORG_CHECK);
    /* org code check 'X' (value 10) is accepted: build one */
    {
        char body[] = "91110000A0000000";
        char u[19];
        for (char c = '0'; c <= '9'; c++) {
            body[15] = c;
            if (rules_orgcode_check_char(body + 8) == 'X')
                break;
        }
        assert_int_equal(rules_orgcode_check_char(body + 8), 'X');
        snprintf(u, sizeof u, "%sX", body);
        u[17] = rules_uscc_check_char(u);
        u[18] = '\0';
        assert_int_equal(rules_uscc(u), RULES_OK);
    }
    assert_int_equal(rules_uscc_check_char("9135010OM000100Y4"), 0);
    assert_int_equal(rules_orgcode_check_char("M000100y"), 0);
}

static void
test_id_valid_and_mutations(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof good_id / sizeof good_id[0]; k++) {
        const char *s = good_id[k];
        char m[19];

        assert_int_equal(rules_resident_id(s, &TODAY), RULES_OK);
        assert_int_equal(rules_id_check_char(s), s[17]);
        for (int i = 0; i < 18; i++) {
            const char *alts = i == 17 ? "0123456789X" : "0123456789";
            for (const char *c = alts; *c; c++) {
                if (*c == s[i])
                    continue;
                memcpy(m, s, 19);
                m[i] = *c;
                enum rules_status st = rules_resident_id(m, &TODAY);
                if (st == RULES_OK)
                    fail_msg("mutation %s of %s accepted", m, s);
                /* outside the birth date a mutation can only break the check */
                if (i < 6 || i > 13)
                    assert_int_equal(st, RULES_ID_CHECK);
            }
        }
    }
}

/* An ID with birth date BIRTH (YYYYMMDD) and a correct check character. */
static void
make_id(char out[19], const char *birth)
{
    snprintf(out, 19, "110101%s123", birth);
    out[17] = rules_id_check_char(out);
    out[18] = '\0';
}

static void
test_id_statuses(void **state)
{
    static const struct {
        const char *birth;
        enum rules_status want;
    } cases[] = {
        { "20000229", RULES_OK },              /* leap year (div by 400) */
        { "19000229", RULES_ID_BIRTH_DATE },   /* 1900 not leap */
        { "20240229", RULES_OK },
        { "20230229", RULES_ID_BIRTH_DATE },
        { "19991301", RULES_ID_BIRTH_DATE },
        { "19990431", RULES_ID_BIRTH_DATE },
        { "19990100", RULES_ID_BIRTH_DATE },
        { "17991231", RULES_ID_BIRTH_DATE },
        { "20250601", RULES_OK },              /* born today */
        { "20250602", RULES_ID_BIRTH_FUTURE }, /* tomorrow */
    };
    char id[19];
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        make_id(id, cases[i].birth);
        if (rules_resident_id(id, &TODAY) != cases[i].want)
            fail_msg("%s: got %d want %d", id, rules_resident_id(id, &TODAY), cases[i].want);
    }
    make_id(id, "20250602");
    assert_int_equal(rules_resident_id(id, NULL), RULES_OK); /* no today: no future check */
    assert_int_equal(rules_resident_id("", &TODAY), RULES_EMPTY);
    assert_int_equal(rules_resident_id("11010519491231002", &TODAY), RULES_ID_LENGTH);
    assert_int_equal(rules_resident_id("11010519491231002x", &TODAY), RULES_ID_CHAR);
    assert_int_equal(rules_resident_id("1101051949123100X2", &TODAY), RULES_ID_CHAR);
    assert_int_equal(rules_id_check_char("1101051949123100A"), 0);
}

static void
test_canon(void **state)
{
    char s[] = "  11010519491231002x \t";
    (void)state;
    assert_string_equal(rules_canon_ident(s), "11010519491231002X");
    assert_int_equal(rules_resident_id(s, &TODAY), RULES_OK);
}

static void
test_mobile(void **state)
{
    static const struct { const char *s; enum rules_status want; } cases[] = {
        { "13800138000", RULES_OK },
        { "19912345678", RULES_OK },
        { "16612345678", RULES_OK },
        { "12800138000", RULES_MOBILE_PREFIX },
        { "10800138000", RULES_MOBILE_PREFIX },
        { "23800138000", RULES_MOBILE_PREFIX },
        { "1380013800", RULES_MOBILE_LENGTH },
        { "138001380001", RULES_MOBILE_LENGTH },
        { "1380013800a", RULES_MOBILE_CHAR },
        { "138-0013800", RULES_MOBILE_CHAR },
        { "", RULES_EMPTY },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (rules_mobile(cases[i].s) != cases[i].want)
            fail_msg("mobile '%s': got %d", cases[i].s, rules_mobile(cases[i].s));
}

/* What goes on the application form (issue 14): each validator at its edges. */
static void
test_form_fields(void **state)
{
    static const struct { enum rules_status (*fn)(const char *); const char *name, *s; enum rules_status want; } cases[] = {
        { rules_phone, "phone", "022-23456789", RULES_OK },
        { rules_phone, "phone", "0755-8601388", RULES_OK },        /* 4-digit area, 7 digits */
        { rules_phone, "phone", "022-23456789-801", RULES_OK },
        { rules_phone, "phone", "022-23456789-123456", RULES_OK },
        { rules_phone, "phone", "022-23456789-1234567", RULES_PHONE_FORM },
        { rules_phone, "phone", "400-123-4567", RULES_OK },
        { rules_phone, "phone", "13912345678", RULES_OK },
        { rules_phone, "phone", "12912345678", RULES_PHONE_FORM },
        { rules_phone, "phone", "022-1", RULES_PHONE_FORM },          /* the issue's */
        { rules_phone, "phone", "0755-8601388a", RULES_PHONE_FORM },  /* the issue's */
        { rules_phone, "phone", "abc", RULES_PHONE_FORM },            /* the issue's */
        { rules_phone, "phone", "022-123456", RULES_PHONE_FORM },     /* 6 digits */
        { rules_phone, "phone", "022-123456789", RULES_PHONE_FORM },  /* 9 digits */
        { rules_phone, "phone", "02223456789", RULES_PHONE_FORM },    /* no hyphen */
        { rules_phone, "phone", "00-23456789", RULES_PHONE_FORM },
        { rules_phone, "phone", "022-03456789", RULES_PHONE_FORM },   /* a local number starts 1-9 */
        { rules_phone, "phone", "", RULES_EMPTY },
        { rules_person_name, "name", "张三", RULES_OK },
        { rules_person_name, "name", "阿依古丽·买买提", RULES_OK },
        { rules_person_name, "name", "John Smith", RULES_OK },
        { rules_person_name, "name", "Mary-Jane O.", RULES_OK },
        { rules_person_name, "name", "A", RULES_NAME_FORM },           /* the issue's 经办人 A */
        { rules_person_name, "name", "张", RULES_NAME_FORM },
        { rules_person_name, "name", "😀😀", RULES_TEXT_CHAR },         /* the issue's */
        { rules_person_name, "name", "张三3", RULES_NAME_FORM },
        { rules_person_name, "name", "张  三", RULES_NAME_FORM },
        { rules_person_name, "name", "·张三", RULES_NAME_FORM },
        { rules_person_name, "name", "马马马马马马马马马马马马马马马马马马马马马马马马马马马马马马", RULES_OK },  /* 30 */
        { rules_person_name, "name", "马马马马马马马马马马马马马马马马马马马马马马马马马马马马马马马", RULES_NAME_FORM }, /* 31 */
        { rules_person_name, "name", "", RULES_EMPTY },
        { rules_company_name, "company", "天津市示范科技有限公司", RULES_OK },
        { rules_company_name, "company", "3M中国有限公司", RULES_OK },
        { rules_company_name, "company", "12345", RULES_COMPANY_FORM },  /* the issue's */
        { rules_company_name, "company", "天", RULES_COMPANY_FORM },
        { rules_company_name, "company", "天津😀公司", RULES_TEXT_CHAR },
        { rules_website, "website", "www.example.com", RULES_OK },
        { rules_website, "website", "https://www.tjca.cn/apply?x=1", RULES_OK },
        { rules_website, "website", "http://example.com:8080/", RULES_OK },
        { rules_website, "website", "www..com", RULES_WEBSITE_FORM },     /* the issue's */
        { rules_website, "website", "example", RULES_WEBSITE_FORM },
        { rules_website, "website", "example.c", RULES_WEBSITE_FORM },
        { rules_website, "website", "-a.com", RULES_WEBSITE_FORM },
        { rules_website, "website", "a.com/ b", RULES_WEBSITE_FORM },
        { rules_website, "website", "ftp://a.com", RULES_WEBSITE_FORM },
        { rules_text, "text", "天津市和平区1号", RULES_OK },
        { rules_text, "text", "a\tb", RULES_TEXT_CHAR },
        { rules_text, "text", "\xe2\x98\x80", RULES_TEXT_CHAR },          /* U+2600 */
        { rules_text, "text", "\xff", RULES_TEXT_CHAR },                  /* not UTF-8 */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum rules_status got = cases[i].fn(cases[i].s);
        if (got != cases[i].want)
            fail_msg("%s '%s': got %d, want %d", cases[i].name, cases[i].s, got, cases[i].want);
    }
}

static void
test_legal_id(void **state)
{
    static const struct { const char *s; enum rules_status want; } cases[] = {
        { "11010519491231002X", RULES_OK },
        { "11010519491231002Y", RULES_ID_CHAR },
        { "110105194912310021", RULES_ID_CHECK },
        { "E12345678", RULES_OK },          /* a Chinese passport */
        { "G1234567", RULES_OK },
        { "P1234", RULES_OK },              /* 5 */
        { "P123", RULES_LEGAL_ID_FORM },    /* 4 */
        { "PASSPORT", RULES_LEGAL_ID_FORM },/* no digit */
        { "e12345678", RULES_LEGAL_ID_FORM },
        { "E1234567890123456", RULES_OK },  /* 17 */
        { "", RULES_EMPTY },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (rules_legal_id(cases[i].s, &TODAY) != cases[i].want)
            fail_msg("legal id '%s': got %d", cases[i].s, rules_legal_id(cases[i].s, &TODAY));
}

static void
test_email(void **state)
{
    static const struct { const char *s; enum rules_status want; } cases[] = {
        { "a@b.cn", RULES_OK },
        { "zhang.san+bid@example.com.cn", RULES_OK },
        { "x_y@sub-domain.example.org", RULES_OK },
        { "O'Brien@EXAMPLE.COM", RULES_OK },
        { "plain", RULES_EMAIL_FORM },
        { "@example.com", RULES_EMAIL_FORM },
        { "a@", RULES_EMAIL_FORM },
        { "a@b", RULES_EMAIL_FORM },
        { "a@b.c", RULES_EMAIL_FORM },
        { "a@b.c1", RULES_EMAIL_FORM },
        { "a..b@example.com", RULES_EMAIL_FORM },
        { ".a@example.com", RULES_EMAIL_FORM },
        { "a.@example.com", RULES_EMAIL_FORM },
        { "a@-b.com", RULES_EMAIL_FORM },
        { "a@b-.com", RULES_EMAIL_FORM },
        { "a@b..com", RULES_EMAIL_FORM },
        { "a@.b.com", RULES_EMAIL_FORM },
        { "a@b.com.", RULES_EMAIL_FORM },
        { "a@@b.com", RULES_EMAIL_FORM },
        { "a@b@c.com", RULES_EMAIL_FORM },
        { "a b@example.com", RULES_EMAIL_FORM },
        { "张三@example.com", RULES_EMAIL_FORM },
        { "", RULES_EMPTY },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (rules_email(cases[i].s) != cases[i].want)
            fail_msg("email '%s': got %d", cases[i].s, rules_email(cases[i].s));
}

static void
test_pin(void **state)
{
    static const struct { const char *s; enum rules_status want; } cases[] = {
        { "123457", RULES_OK },
        { "a1b2c3", RULES_OK },
        { "Passw0rd!", RULES_OK },
        { "135792", RULES_OK },
        { "abcdeg", RULES_OK },
        { "1234567890abcdef", RULES_OK },      /* 16: mixed classes, not one run */
        { "123456", RULES_PIN_SEQUENCE },
        { "654321", RULES_PIN_SEQUENCE },
        { "567890", RULES_PIN_SEQUENCE },      /* 9 -> 0 wraps */
        { "abcdef", RULES_PIN_SEQUENCE },
        { "FEDCBA", RULES_PIN_SEQUENCE },
        { "aBcDeF", RULES_PIN_SEQUENCE },
        { "0123456789012345", RULES_PIN_SEQUENCE },
        { "111111", RULES_PIN_SAME },
        { "aaaaaaaaaaaa", RULES_PIN_SAME },
        { "12345", RULES_PIN_LENGTH },
        { "12345678901234567", RULES_PIN_LENGTH },
        { "12 3456", RULES_PIN_CHAR },
        { "密码1234", RULES_PIN_CHAR },
        { "", RULES_EMPTY },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (rules_pin(cases[i].s) != cases[i].want)
            fail_msg("pin '%s': got %d want %d", cases[i].s, rules_pin(cases[i].s), cases[i].want);
    assert_int_equal(rules_pin_confirm("a1b2c3", "a1b2c3"), RULES_OK);
    assert_int_equal(rules_pin_confirm("a1b2c3", "a1b2c4"), RULES_PIN_MISMATCH);
    assert_int_equal(rules_pin_confirm("123456", "123456"), RULES_PIN_SEQUENCE);
}

static void
test_required(void **state)
{
    (void)state;
    assert_int_equal(rules_required(NULL), RULES_EMPTY);
    assert_int_equal(rules_required(""), RULES_EMPTY);
    assert_int_equal(rules_required(" \t "), RULES_EMPTY);
    assert_int_equal(rules_required("\xe3\x80\x80 "), RULES_EMPTY); /* U+3000 */
    assert_int_equal(rules_required(" 天津 "), RULES_OK);
    assert_int_equal(rules_required("a"), RULES_OK);
}

static void
test_messages(void **state)
{
    char buf[256];
    (void)state;
    for (int st = 0; st < RULES_STATUS__COUNT; st++) {
        enum msg_id id = rules_msg((enum rules_status)st);
        assert_string_not_equal(msg_in(id, LANG_ZH), "?");
        assert_string_not_equal(msg_in(id, LANG_EN), "?");
        if (st != RULES_OK)
            assert_int_not_equal(id, M_RULE_OK);
        for (int o = 1; o < st; o++)   /* every status has its own text */
            assert_int_not_equal(id, rules_msg((enum rules_status)o));
    }
    assert_string_equal(msg_in(rules_msg(RULES_USCC_CHECK), LANG_ZH), "统一社会信用代码校验位错误");
    assert_string_equal(msg_in(rules_msg(RULES_USCC_CHECK), LANG_EN), "USCC check character is wrong");
    msg_set_lang(LANG_ZH);
    msg_fmt(buf, sizeof buf, rules_msg(RULES_EMPTY), "单位名称");
    assert_string_equal(buf, "单位名称不能为空");
    assert_int_equal(rules_msg((enum rules_status)999), M_RULE_UNKNOWN);
}

/* ------------------------------------------------------------------ dates */

static struct rules_date
D(int y, int m, int d)
{
    struct rules_date r = { y, m, d };
    return r;
}

static struct rules_date
plus(struct rules_date d, long n)
{
    return rules_civil_from_days(rules_days_from_civil(d) + n);
}

static void
assert_date(struct rules_date got, int y, int m, int d)
{
    if (got.y != y || got.m != m || got.d != d)
        fail_msg("got %04d-%02d-%02d want %04d-%02d-%02d", got.y, got.m, got.d, y, m, d);
}

static void
test_dates(void **state)
{
    struct rules_date p;
    char buf[16];
    (void)state;

    assert_int_equal(rules_days_from_civil(D(1970, 1, 1)), 0);
    assert_int_equal(rules_days_from_civil(D(1969, 12, 31)), -1);
    assert_int_equal(rules_days_from_civil(D(2000, 3, 1)) - rules_days_from_civil(D(2000, 2, 28)), 2);
    assert_int_equal(rules_days_from_civil(D(1900, 3, 1)) - rules_days_from_civil(D(1900, 2, 28)), 1);
    assert_int_equal(rules_days_between(D(2024, 1, 1), D(2025, 1, 1)), 366);
    assert_int_equal(rules_days_between(D(2025, 1, 1), D(2026, 1, 1)), 365);
    assert_int_equal(rules_days_between(D(2025, 6, 1), D(2025, 3, 3)), -90);
    /* round trip over 1800..2200, and day numbers are consecutive */
    for (long z = rules_days_from_civil(D(1800, 1, 1)); z < rules_days_from_civil(D(2200, 1, 1)); z += 1) {
        struct rules_date d = rules_civil_from_days(z);
        assert_true(rules_date_valid(d));
        assert_int_equal(rules_days_from_civil(d), z);
    }
    assert_true(rules_leap_year(2000));
    assert_false(rules_leap_year(1900));
    assert_true(rules_leap_year(2024));
    assert_false(rules_date_valid(D(2025, 2, 29)));
    assert_false(rules_date_valid(D(2025, 0, 1)));
    assert_int_equal(rules_date_parse("2024-02-29", &p), 0);
    assert_date(p, 2024, 2, 29);
    assert_int_equal(rules_date_parse("20240229", &p), 0);
    assert_int_equal(rules_date_parse("2023-02-29", &p), -1);
    assert_int_equal(rules_date_parse("2023/02/20", &p), -1);
    assert_int_equal(rules_date_parse("2023-2-20", &p), -1);
    assert_string_equal(rules_date_format(D(2025, 3, 7), buf, sizeof buf), "2025-03-07");
}

static void
test_add_years(void **state)
{
    (void)state;
    assert_date(rules_add_years(D(2024, 2, 29), 1), 2025, 2, 28);   /* our choice, see rules.c */
    assert_date(rules_add_years(D(2024, 2, 29), 4), 2028, 2, 29);
    assert_date(rules_add_years(D(2023, 2, 28), 1), 2024, 2, 28);
    assert_date(rules_add_years(D(2025, 6, 1), 3), 2028, 6, 1);
    assert_date(rules_validity_end(D(2025, 12, 31), 1), 2026, 12, 31);
    assert_date(rules_validity_end(D(2020, 2, 29), 3), 2023, 2, 28);
}

/* The two profiles exactly as configured by default (config.c). */
static struct kiosk_config cfg;
static const struct cfg_profile *TJ, *BJ;

static int
setup_cfg(void **state)
{
    (void)state;
    cfg_defaults(&cfg, "/nonexistent");
    TJ = &cfg.profiles[CFG_PROFILE_TIANJIN];
    BJ = &cfg.profiles[CFG_PROFILE_BJCA];
    return 0;
}

static void
test_validity_check(void **state)
{
    const struct rules_date start = D(2024, 6, 1), end = D(2025, 6, 1);
    static const struct { long off; enum rules_validity want; } cases[] = {
        /* offset of today from END; renew_before_days = 90 (seed 003: 有效期小于90天) */
        { -366, RULES_NOT_YET_VALID }, /* start - 1 */
        { -365, RULES_VALID },         /* start day */
        { -90, RULES_VALID },          /* exactly 90 left: not "fewer than 90" */
        { -89, RULES_EXPIRING },
        { 0, RULES_EXPIRING },         /* last valid day */
        { 1, RULES_EXPIRED },
        { 400, RULES_EXPIRED },
    };
    (void)state;
    assert_int_equal(BJ->renew_before_days, 90);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long left = 12345;
        enum rules_validity v = rules_validity_check(BJ, start, end, plus(end, cases[i].off), &left);
        if (v != cases[i].want)
            fail_msg("offset %ld: got %d want %d", cases[i].off, v, cases[i].want);
        assert_int_equal(left, -cases[i].off);
        assert_string_not_equal(msg_in(rules_validity_msg(v), LANG_ZH), "?");
    }
}

/* 挂失: a hold of D days runs out exactly D x 24 h after it was placed. */
static void
test_hold_over(void **state)
{
    static const struct {
        long after;     /* seconds since the hold was placed */
        int days;
        bool over;
    } cases[] = {
        { 0, 30, false },
        { 29L * 86400, 30, false },
        { 30L * 86400 - 1, 30, false },
        { 30L * 86400, 30, true },      /* the boundary: over */
        { 31L * 86400, 30, true },
        { 86400 - 1, 1, false },
        { 86400, 1, true },
        { 365L * 86400 - 1, 365, false },
        { 365L * 86400, 365, true },
    };
    const time_t held = 1796169600;     /* 2026-12-02 00:00 UTC */

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (rules_hold_over(held, cases[i].days, held + cases[i].after) != cases[i].over)
            fail_msg("case %zu: %ld s after, %d days: expected %s", i, cases[i].after, cases[i].days,
                     cases[i].over ? "over" : "not over");
        assert_true((held <= rules_hold_cutoff(held + cases[i].after, cases[i].days)) == cases[i].over);
    }
}

static void
test_renew_eligibility(void **state)
{
    const struct rules_date end = D(2025, 6, 1);
    static const struct { long off; enum rules_status want; } cases[] = {
        /* seed 003: 有效期小于90天 (strict) 或已过期且不超过1年（365天） (inclusive) */
        { -200, RULES_RENEW_TOO_EARLY },
        { -90, RULES_RENEW_TOO_EARLY },
        { -89, RULES_OK },
        { -1, RULES_OK },
        { 0, RULES_OK },
        { 1, RULES_OK },
        { 365, RULES_OK },
        { 366, RULES_RENEW_NEEDS_NEW },
        { 1000, RULES_RENEW_NEEDS_NEW },
    };
    (void)state;
    assert_int_equal(BJ->renew_after_expiry_days, 365);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum rules_status st = rules_renew_eligibility(BJ, end, plus(end, cases[i].off));
        if (st != cases[i].want)
            fail_msg("offset %ld: got %d want %d", cases[i].off, st, cases[i].want);
    }
    /* the same with literal dates: 2025-03-03 is 90 days before 2025-06-01 */
    assert_int_equal(rules_renew_eligibility(BJ, end, D(2025, 3, 3)), RULES_RENEW_TOO_EARLY);
    assert_int_equal(rules_renew_eligibility(BJ, end, D(2025, 3, 4)), RULES_OK);
    assert_int_equal(rules_renew_eligibility(BJ, end, D(2026, 6, 1)), RULES_OK);
    assert_int_equal(rules_renew_eligibility(BJ, end, D(2026, 6, 2)), RULES_RENEW_NEEDS_NEW);
}

static void
test_renew_end(void **state)
{
    (void)state;
    /* not yet expired: old end + term */
    assert_date(rules_renew_end(D(2025, 6, 1), D(2025, 4, 1), 1), 2026, 6, 1);
    assert_date(rules_renew_end(D(2025, 6, 1), D(2025, 6, 1), 1), 2026, 6, 1);
    assert_date(rules_renew_end(D(2025, 6, 1), D(2025, 4, 1), 3), 2028, 6, 1);
    /* expired: renewal date + term */
    assert_date(rules_renew_end(D(2025, 6, 1), D(2025, 6, 2), 1), 2026, 6, 2);
    assert_date(rules_renew_end(D(2025, 6, 1), D(2026, 1, 15), 3), 2029, 1, 15);
    assert_date(rules_renew_end(D(2023, 1, 1), D(2024, 2, 29), 1), 2025, 2, 28);
    /* lost replacement keeps the end */
    assert_date(rules_lost_end(D(2026, 9, 30)), 2026, 9, 30);
}

static void
test_damaged(void **state)
{
    const struct rules_date first = D(2024, 6, 1), end = D(2027, 6, 1);
    /* BJCA (seed 003): a media fault inside one year of the first issue;
     * Tianjin (seed 000): damage not by the user, casing intact, no time limit */
    static const struct { long off; bool fault; bool bj_free, tj_free; } cases[] = {
        { 0, true, true, true },
        { 364, true, true, true },
        { 365, true, true, true },    /* warranty_days = 365: day 365 still covered */
        { 366, true, false, true },
        { 3650, true, false, true },
        { 10, false, false, false },  /* not a media fault: human damage */
        { 900, false, false, false },
    };
    (void)state;
    assert_int_equal(BJ->warranty_days, 365);
    assert_int_equal(TJ->warranty_days, -1);
    for (int p = 0; p < 2; p++) {
        const struct cfg_profile *pr = p ? BJ : TJ;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            struct rules_damaged r =
                rules_damaged_replacement(pr, first, end, plus(first, cases[i].off), cases[i].fault);
            bool want = p ? cases[i].bj_free : cases[i].tj_free;
            assert_int_equal(r.free, want);
            assert_int_equal(r.fee, want ? 0 : pr->damaged_media_fee);
            assert_date(r.end, 2027, 6, 1);
        }
    }
}

static void
test_default_profiles_match_seeds(void **state)
{
    struct rules_quote q;
    struct rules_quote_in in = { .years = 3 };
    (void)state;
    /* domain.md fee table: Tianjin new 200 = 50 + 50 x 3; BJCA 260 per set (1 year) */
    assert_int_equal(rules_fee_quote(TJ, KIND_NEW, &in, &q), RULES_OK);
    assert_int_equal(q.total, 20000);
    in.years = 1;
    assert_int_equal(rules_fee_quote(BJ, KIND_NEW, &in, &q), RULES_OK);
    assert_int_equal(q.total, 26000);
    assert_int_equal(rules_fee_quote(BJ, KIND_RENEW, &in, &q), RULES_OK);
    assert_int_equal(q.total, 18000);
    in.years = 3;
    assert_int_equal(rules_fee_quote(TJ, KIND_RENEW, &in, &q), RULES_OK);
    assert_int_equal(q.total, 15000);
    assert_int_equal(rules_fee_quote(TJ, KIND_LOST, NULL, &q), RULES_OK);
    assert_int_equal(q.total, 5000);
    assert_int_equal(rules_fee_quote(BJ, KIND_LOST, NULL, &q), RULES_OK);
    assert_int_equal(q.total, 8000);
    assert_int_equal(rules_fee_quote(BJ, KIND_UNLOCK, NULL, &q), RULES_OK);
    assert_int_equal(q.total, 0);
    assert_int_equal(q.nlines, 0);
}

/* Fee arithmetic from the profile fields, for every transaction, every term
 * and both profiles. */
static void
test_fee_quote(void **state)
{
    struct cfg_profile odd = *BJ;
    const struct cfg_profile *profiles[] = { TJ, BJ, &odd };
    char buf[32], want[40];
    (void)state;

    odd.unlock_fee = 1234; /* a profile that charges for unlock */
    odd.media_fee = 0;     /* and gives the media away */
    for (size_t p = 0; p < 3; p++) {
        const struct cfg_profile *pr = profiles[p];
        for (int y = 0; y <= pr->max_years + 1; y++) {
            struct rules_quote_in in = { .years = y };
            struct rules_quote q;
            enum rules_status st = rules_fee_quote(pr, KIND_NEW, &in, &q);
            if (y < 1 || y > pr->max_years) {
                assert_int_equal(st, RULES_YEARS_RANGE);
                assert_int_equal(q.total, 0);
                assert_int_equal(rules_fee_quote(pr, KIND_RENEW, &in, &q), RULES_YEARS_RANGE);
                continue;
            }
            assert_int_equal(st, RULES_OK);
            assert_int_equal(q.total, pr->media_fee + pr->service_fee_per_year * y);
            {
                long sum = 0;
                for (int i = 0; i < q.nlines; i++) {
                    assert_int_equal(q.lines[i].amount, q.lines[i].unit * q.lines[i].qty);
                    sum += q.lines[i].amount;
                }
                assert_int_equal(sum, q.total);
            }
            /* the service line carries the years */
            assert_int_equal(q.lines[q.nlines - 1].label, M_RULE_FEE_SERVICE);
            assert_int_equal(q.lines[q.nlines - 1].qty, y);
            assert_int_equal(q.nlines, pr->media_fee ? 2 : 1);
            assert_int_equal(rules_fee_quote(pr, KIND_RENEW, &in, &q), RULES_OK);
            assert_int_equal(q.total, pr->renewal_fee_per_year * y);
            assert_int_equal(q.nlines, 1);
            assert_int_equal(q.lines[0].label, M_RULE_FEE_RENEWAL);
        }
        {
            struct rules_quote q;
            struct rules_quote_in freebie = { .damaged_free = true }, paid = { .damaged_free = false };
            assert_int_equal(rules_fee_quote(pr, KIND_LOST, NULL, &q), RULES_OK);
            assert_int_equal(q.total, pr->lost_media_fee);
            assert_int_equal(rules_fee_quote(pr, KIND_DAMAGED, &freebie, &q), RULES_OK);
            assert_int_equal(q.total, 0);
            assert_int_equal(rules_fee_quote(pr, KIND_DAMAGED, &paid, &q), RULES_OK);
            assert_int_equal(q.total, pr->damaged_media_fee);
            assert_int_equal(rules_fee_quote(pr, KIND_UNLOCK, NULL, &q), RULES_OK);
            assert_int_equal(q.total, pr->unlock_fee);
            assert_int_equal(q.nlines, pr->unlock_fee ? 1 : 0);
            assert_int_equal(rules_fee_quote(pr, KIND_CHANGE, NULL, &q), RULES_OK);
            assert_int_equal(q.total, 0);
            assert_int_equal(rules_fee_quote(pr, KIND_REVOKE, NULL, &q), RULES_OK);
            assert_int_equal(q.total, 0);
        }
    }
    assert_string_equal(rules_money_format(20000, buf, sizeof buf), "200.00");
    assert_string_equal(rules_money_format(5, buf, sizeof buf), "0.05");
    assert_string_equal(rules_money_format(-1250, buf, sizeof buf), "-12.50");
    /* the most negative long: formatted without overflowing its negation */
    snprintf(want, sizeof want, "-%lu.%02lu", (0UL - (unsigned long)LONG_MIN) / 100, (0UL - (unsigned long)LONG_MIN) % 100);
    assert_string_equal(rules_money_format(LONG_MIN, buf, sizeof buf), want);
}

/* Yuan as a cashier types them, at every edge of the form. */
static void
test_money_parse(void **state)
{
    static const struct { const char *in; int rc; long fen; } cases[] = {
        { "200", 0, 20000 }, { "200.00", 0, 20000 }, { "200.5", 0, 20050 }, { "0.05", 0, 5 },
        { "0", 0, 0 }, { "10000000", 0, RULES_MONEY_MAX }, { "10000000.00", 0, RULES_MONEY_MAX },
        { "10000000.01", -1, 0 }, { "99999999999999999999", -1, 0 }, { "200.001", -1, 0 }, { "200.", -1, 0 },
        { ".5", -1, 0 }, { "-1", -1, 0 }, { "+1", -1, 0 }, { " 200", -1, 0 }, { "200 ", -1, 0 }, { "", -1, 0 },
        { "2e2", -1, 0 }, { "200,00", -1, 0 },
    };
    size_t i;
    long fen;

    (void)state;
    assert_int_equal(rules_money_parse(NULL, &fen), -1);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fen = -7;
        assert_int_equal(rules_money_parse(cases[i].in, &fen), cases[i].rc);
        if (cases[i].rc == 0)
            assert_int_equal(fen, cases[i].fen);
    }
}

static void
test_one_per_enterprise_and_orders(void **state)
{
    (void)state;
    assert_int_equal(rules_new_cert_allowed(false), RULES_OK);
    assert_int_equal(rules_new_cert_allowed(true), RULES_ENTERPRISE_HAS_CERT);
    assert_int_equal(rules_new_order_allowed(false), RULES_OK);
    assert_int_equal(rules_new_order_allowed(true), RULES_ORDER_UNFINISHED);
    assert_non_null(strstr(msg_in(rules_msg(RULES_ENTERPRISE_HAS_CERT), LANG_ZH), "更新"));
    assert_non_null(strstr(msg_in(rules_msg(RULES_ENTERPRISE_HAS_CERT), LANG_EN), "renewal"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_parse),
        cmocka_unit_test(test_uscc_valid_and_mutations),
        cmocka_unit_test(test_uscc_statuses),
        cmocka_unit_test(test_id_valid_and_mutations),
        cmocka_unit_test(test_id_statuses),
        cmocka_unit_test(test_canon),
        cmocka_unit_test(test_mobile),
        cmocka_unit_test(test_form_fields),
        cmocka_unit_test(test_legal_id),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_pin),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_add_years),
        cmocka_unit_test(test_validity_check),
        cmocka_unit_test(test_hold_over),
        cmocka_unit_test(test_renew_eligibility),
        cmocka_unit_test(test_renew_end),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_default_profiles_match_seeds),
        cmocka_unit_test(test_fee_quote),
        cmocka_unit_test(test_one_per_enterprise_and_orders),
    };
    return cmocka_run_group_tests(tests, setup_cfg, NULL);
}

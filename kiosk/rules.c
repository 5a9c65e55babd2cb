/*
 * kiosk/rules.c - the counter's business rules (see rules.h). Pure: no I/O.
 *
 * Boundaries chosen from seed 003 (BJCA, 中直机关采购 manual), quoted:
 *  - "证书有效期小于90天或已过期且不超过1年（365天）的用户...可申请...更新":
 *    renewable when days_left < renew_before_days (strict: exactly 90 days
 *    left is NOT yet renewable, 89 is), or expired and today - end <=
 *    renew_after_expiry_days (inclusive: 365 days after the end date still
 *    renewable, 366 not).
 *  - "过期超过1年（365天）未更新的证书，用户需按照在线鉴证要求准备资料":
 *    more than 365 days -> RULES_RENEW_NEEDS_NEW.
 *  - "未过期证书进行在线更新，新证书有效期在旧证书截止日期的基础上顺延一年" /
 *    "已过期证书...从用户下载新证书之日起计算，向后顺延一年": renewal end is
 *    old end + term when today <= end, else today + term.
 *  - "证书介质质保期为一年，自证书初次发放日起计算 ... 质保期内的：证书免费
 *    办理，有效期与原证书一致": warranty inclusive of day warranty_days after
 *    first issue; the seed does not say whether the end day counts, we side
 *    with the applicant.
 *  - "证书丢失补办证书有效期不变": lost replacement keeps the end date.
 *  - Feb 29: the seed only says "顺延一年". We map Feb 29 + N years to Feb 28
 *    of a common year (not Mar 1), so a term never runs longer than N years;
 *    the choice is ours, not the seed's.
 *  - A certificate is valid on its end date (see the convention in rules.h),
 *    so "expired" starts the day after END.
 */
#include "kiosk/rules.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- messages */

static const enum msg_id rules_msgs[RULES_STATUS__COUNT] = {
    [RULES_OK] = M_RULE_OK,
    [RULES_EMPTY] = M_RULE_REQUIRED,
    [RULES_USCC_LENGTH] = M_RULE_USCC_LENGTH,
    [RULES_USCC_CHAR] = M_RULE_USCC_CHAR,
    [RULES_USCC_ORG_CHECK] = M_RULE_USCC_ORG_CHECK,
    [RULES_USCC_CHECK] = M_RULE_USCC_CHECK,
    [RULES_ID_LENGTH] = M_RULE_ID_LENGTH,
    [RULES_ID_CHAR] = M_RULE_ID_CHAR,
    [RULES_ID_BIRTH_DATE] = M_RULE_ID_BIRTH_DATE,
    [RULES_ID_BIRTH_FUTURE] = M_RULE_ID_BIRTH_FUTURE,
    [RULES_ID_CHECK] = M_RULE_ID_CHECK,
    [RULES_MOBILE_LENGTH] = M_RULE_MOBILE_LENGTH,
    [RULES_MOBILE_CHAR] = M_RULE_MOBILE_CHAR,
    [RULES_MOBILE_PREFIX] = M_RULE_MOBILE_PREFIX,
    [RULES_EMAIL_FORM] = M_RULE_EMAIL_FORM,
    [RULES_PIN_LENGTH] = M_RULE_PIN_LENGTH,
    [RULES_PIN_CHAR] = M_RULE_PIN_CHAR,
    [RULES_PIN_SAME] = M_RULE_PIN_SAME,
    [RULES_PIN_SEQUENCE] = M_RULE_PIN_SEQUENCE,
    [RULES_PIN_MISMATCH] = M_RULE_PIN_MISMATCH,
    [RULES_YEARS_RANGE] = M_RULE_YEARS_RANGE,
    [RULES_DATE_INVALID] = M_RULE_DATE_INVALID,
    [RULES_ENTERPRISE_HAS_CERT] = M_RULE_ENTERPRISE_HAS_CERT,
    [RULES_ORDER_UNFINISHED] = M_RULE_ORDER_UNFINISHED,
    [RULES_RENEW_TOO_EARLY] = M_RULE_RENEW_TOO_EARLY,
    [RULES_RENEW_NEEDS_NEW] = M_RULE_RENEW_NEEDS_NEW,
    [RULES_PHONE_FORM] = M_RULE_PHONE_FORM,
    [RULES_NAME_FORM] = M_RULE_NAME_FORM,
    [RULES_COMPANY_FORM] = M_RULE_COMPANY_FORM,
    [RULES_WEBSITE_FORM] = M_RULE_WEBSITE_FORM,
    [RULES_LEGAL_ID_FORM] = M_RULE_LEGAL_ID_FORM,
    [RULES_TEXT_CHAR] = M_RULE_TEXT_CHAR,
};

enum msg_id
rules_msg(enum rules_status st)
{
    if ((int)st < 0 || st >= RULES_STATUS__COUNT)
        return M_RULE_UNKNOWN;
    return rules_msgs[st];
}

/* ---------------------------------------------------------------- identifiers */

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

char *
rules_canon_ident(char *s)
{
    size_t start = 0, len;

    if (s == NULL)
        return s;
    while (is_blank(s[start]))
        start++;
    len = strlen(s + start);
    memmove(s, s + start, len + 1);
    while (len > 0 && is_blank(s[len - 1]))
        s[--len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (is_lower(s[i]))
            s[i] = (char)(s[i] - 'a' + 'A');
    return s;
}

/* GB 32100-2015 alphabet: the value of a character is its index (0..30). */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };

static int
uscc_value(char c)
{
    const char *p;

    if (c == '\0')
        return -1;
    p = strchr(uscc_alphabet, c);
    return p ? (int)(p - uscc_alphabet) : -1;
}

char
rules_uscc_check_char(const char *first17)
{
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        int v = uscc_value(first17[i]);
        if (v < 0)
            return 0;
        sum += v * uscc_weights[i];
    }
    return uscc_alphabet[(31 - sum % 31) % 31];
}

/* GB 11714-1997: digits are 0-9, letters A=10 .. Z=35. */
static const int org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

char
rules_orgcode_check_char(const char *body8)
{
    int sum = 0, c9;

    for (int i = 0; i < 8; i++) {
        char c = body8[i];
        int v;
        if (is_digit(c))
            v = c - '0';
        else if (is_upper(c))
            v = c - 'A' + 10;
        else
            return 0;
        sum += v * org_weights[i];
    }
    c9 = 11 - sum % 11;
    if (c9 == 10)
        return 'X';
    if (c9 == 11)
        return '0';
    return (char)('0' + c9);
}

enum rules_status
rules_uscc(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    if (strlen(s) != 18)
        return RULES_USCC_LENGTH;
    for (int i = 0; i < 18; i++)
        if (uscc_value(s[i]) < 0)
            return RULES_USCC_CHAR;
    /* chars 9-17 (1-based) = s[8..16]: 8 body chars + check ('X' allowed) */
    if (rules_orgcode_check_char(s + 8) != s[16])
        return RULES_USCC_ORG_CHECK;
    if (rules_uscc_check_char(s) != s[17])
        return RULES_USCC_CHECK;
    return RULES_OK;
}

static const int id_weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };

char
rules_id_check_char(const char *first17)
{
    static const char map[] = "10X98765432";
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        if (!is_digit(first17[i]))
            return 0;
        sum += (first17[i] - '0') * id_weights[i];
    }
    return map[sum % 11];
}

enum rules_status
rules_resident_id(const char *s, const struct rules_date *today)
{
    struct rules_date b;

    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    if (strlen(s) != 18)
        return RULES_ID_LENGTH;
    for (int i = 0; i < 17; i++)
        if (!is_digit(s[i]))
            return RULES_ID_CHAR;
    if (!is_digit(s[17]) && s[17] != 'X')
        return RULES_ID_CHAR;
    b.y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    b.m = (s[10] - '0') * 10 + (s[11] - '0');
    b.d = (s[12] - '0') * 10 + (s[13] - '0');
    if (b.y < 1800 || !rules_date_valid(b))
        return RULES_ID_BIRTH_DATE;
    if (today != NULL && rules_date_valid(*today) &&
        rules_days_from_civil(b) > rules_days_from_civil(*today))
        return RULES_ID_BIRTH_FUTURE;
    if (rules_id_check_char(s) != s[17])
        return RULES_ID_CHECK;
    return RULES_OK;
}

enum rules_status
rules_mobile(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    if (strlen(s) != 11)
        return RULES_MOBILE_LENGTH;
    for (int i = 0; i < 11; i++)
        if (!is_digit(s[i]))
            return RULES_MOBILE_CHAR;
    if (s[0] != '1' || s[1] < '3')
        return RULES_MOBILE_PREFIX;
    return RULES_OK;
}

/* Digits from *P on (advancing it): how many. */
static size_t
digits_run(const char **p)
{
    size_t n = 0;

    while (is_digit(**p)) {
        (*p)++;
        n++;
    }
    return n;
}

enum rules_status
rules_phone(const char *s)
{
    const char *p = s;
    size_t a, b, c;

    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    if (strchr(s, '-') == NULL && strlen(s) == 11 && s[0] == '1')
        return rules_mobile(s) == RULES_OK ? RULES_OK : RULES_PHONE_FORM;
    if (strncmp(s, "400-", 4) == 0 || strncmp(s, "800-", 4) == 0) {
        p = s + 4;
        if (digits_run(&p) != 3 || *p++ != '-' || digits_run(&p) != 4 || *p != '\0')
            return RULES_PHONE_FORM;
        return RULES_OK;
    }
    /* 0AA(A)-NNNNNNN(N)[-EXT] */
    if (s[0] != '0' || s[1] == '0')
        return RULES_PHONE_FORM;
    a = digits_run(&p);
    if ((a != 3 && a != 4) || *p++ != '-')
        return RULES_PHONE_FORM;
    b = digits_run(&p);
    if (b < 7 || b > 8 || (p[-(long)b] == '0'))
        return RULES_PHONE_FORM;
    if (*p == '\0')
        return RULES_OK;
    if (*p++ != '-')
        return RULES_PHONE_FORM;
    c = digits_run(&p);
    return c >= 1 && c <= 6 && *p == '\0' ? RULES_OK : RULES_PHONE_FORM;
}

/* The next UTF-8 code point of *P (advancing it); -1 for a malformed byte. */
static long
utf8_next(const char **p)
{
    const unsigned char *u = (const unsigned char *)*p;
    long cp;
    int n, i;

    if (u[0] < 0x80) {
        (*p)++;
        return u[0];
    }
    if ((u[0] & 0xe0) == 0xc0) { cp = u[0] & 0x1f; n = 1; }
    else if ((u[0] & 0xf0) == 0xe0) { cp = u[0] & 0x0f; n = 2; }
    else if ((u[0] & 0xf8) == 0xf0) { cp = u[0] & 0x07; n = 3; }
    else { (*p)++; return -1; }
    for (i = 1; i <= n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            *p += i;
            return -1;
        }
        cp = (cp << 6) | (u[i] & 0x3f);
    }
    *p += n + 1;
    return cp;
}

static bool cp_han(long c) { return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2ebef); }
static bool cp_latin(long c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* A character the form's fonts draw and a form may hold. */
static bool
cp_text(long c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        return false;                       /* controls */
    if (c >= 0xd800 && c <= 0xdfff)
        return false;                       /* surrogates */
    if (c >= 0xe000 && c <= 0xf8ff)
        return false;                       /* private use */
    if (c >= 0x2600 && c <= 0x27bf)
        return false;                       /* symbols and dingbats (emoji) */
    if (c >= 0xfe00 && c <= 0xfe0f)
        return false;                       /* variation selectors */
    if (c >= 0x1f000 && c <= 0x1faff)
        return false;                       /* emoji and pictographs */
    if (c > 0x2ffff)
        return false;
    return true;
}

enum rules_status
rules_text(const char *s)
{
    const char *p = s;

    if (s == NULL)
        return RULES_OK;
    while (*p != '\0') {
        long c = utf8_next(&p);
        if (c < 0 || !cp_text(c))
            return RULES_TEXT_CHAR;
    }
    return RULES_OK;
}

/* A free text field's first checks: RULES_EMPTY, RULES_TEXT_CHAR or RULES_OK. */
static enum rules_status
text_present(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    return rules_text(s);
}

/* What may stand between the parts of a name: a space, a dot, a hyphen, a middle dot (· ・). */
static bool name_sep(long c) { return c == ' ' || c == '.' || c == '-' || c == 0xb7 || c == 0x30fb; }

enum rules_status
rules_person_name(const char *s)
{
    const char *p = s;
    size_t n = 0;
    long prev = ' ';
    bool han = false, latin = false;
    enum rules_status r = text_present(s);

    if (r != RULES_OK)
        return r;
    while (*p != '\0') {
        long c = utf8_next(&p);
        n++;
        if (cp_han(c))
            han = true;
        else if (cp_latin(c))
            latin = true;
        else if (!name_sep(c))
            return RULES_NAME_FORM;
        if (name_sep(c) && name_sep(prev))
            return RULES_NAME_FORM;         /* no leading or doubled separator */
        prev = c;
    }
    if (name_sep(prev) && prev != '.')      /* "O." ends a name; a hanging space or hyphen does not */
        return RULES_NAME_FORM;
    if (n > 30 || (han && n < 2) || (latin && !han && n < 2) || (!han && !latin))
        return RULES_NAME_FORM;
    return RULES_OK;
}

enum rules_status
rules_company_name(const char *s)
{
    const char *p = s;
    size_t n = 0;
    bool word = false;
    enum rules_status r = text_present(s);

    if (r != RULES_OK)
        return r;
    while (*p != '\0') {
        long c = utf8_next(&p);
        n++;
        if (cp_han(c) || cp_latin(c))
            word = true;
    }
    return word && n >= 2 ? RULES_OK : RULES_COMPANY_FORM;
}

enum rules_status
rules_website(const char *s)
{
    const char *p = s, *label;
    size_t labels = 0;
    bool last_alpha = false;

    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    if (strncmp(p, "http://", 7) == 0)
        p += 7;
    else if (strncmp(p, "https://", 8) == 0)
        p += 8;
    for (;;) {
        bool alpha = true;
        label = p;
        while (is_digit(*p) || is_upper(*p) || is_lower(*p) || *p == '-') {
            if (is_digit(*p) || *p == '-')
                alpha = false;
            p++;
        }
        if (p == label || p - label > 63 || label[0] == '-' || p[-1] == '-')
            return RULES_WEBSITE_FORM;
        labels++;
        last_alpha = alpha && p - label >= 2;
        if (*p != '.')
            break;
        p++;
    }
    if (labels < 2 || !last_alpha)
        return RULES_WEBSITE_FORM;
    if (*p == ':') {            /* a port */
        const char *q = ++p;
        if (digits_run(&p) == 0 || p - q > 5)
            return RULES_WEBSITE_FORM;
    }
    if (*p != '\0' && *p != '/')
        return RULES_WEBSITE_FORM;
    for (; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~')
            return RULES_WEBSITE_FORM;
    return RULES_OK;
}

enum rules_status
rules_legal_id(const char *s, const struct rules_date *today)
{
    size_t i, len, digits = 0;

    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    len = strlen(s);
    if (len == 18 && is_digit(s[0]) && is_digit(s[16]))
        return rules_resident_id(s, today);     /* an ID number: what is wrong with it */
    if (len < 5 || len > 17)
        return RULES_LEGAL_ID_FORM;
    for (i = 0; i < len; i++) {
        if (is_digit(s[i]))
            digits++;
        else if (!is_upper(s[i]))
            return RULES_LEGAL_ID_FORM;
    }
    return digits > 0 ? RULES_OK : RULES_LEGAL_ID_FORM;
}

static bool
email_local_char(char c)
{
    return is_digit(c) || is_upper(c) || is_lower(c) ||
           (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL);
}

enum rules_status
rules_email(const char *s)
{
    const char *at, *p, *label, *last_label = NULL;
    size_t len, labels = 0;

    if (s == NULL || s[0] == '\0')
        return RULES_EMPTY;
    len = strlen(s);
    at = strchr(s, '@');
    if (len > 254 || at == NULL || strchr(at + 1, '@') != NULL)
        return RULES_EMAIL_FORM;
    /* local part */
    if (at == s || at - s > 64 || s[0] == '.' || at[-1] == '.')
        return RULES_EMAIL_FORM;
    for (p = s; p < at; p++)
        if (!email_local_char(*p) || (p[0] == '.' && p[1] == '.'))
            return RULES_EMAIL_FORM;
    /* domain: labels */
    label = at + 1;
    for (;;) {
        p = label;
        while (*p != '\0' && *p != '.') {
            if (!(is_digit(*p) || is_upper(*p) || is_lower(*p) || *p == '-'))
                return RULES_EMAIL_FORM;
            p++;
        }
        if (p == label || p - label > 63 || label[0] == '-' || p[-1] == '-')
            return RULES_EMAIL_FORM;
        labels++;
        last_label = label;
        if (*p == '\0')
            break;
        label = p + 1;
    }
    if (labels < 2)
        return RULES_EMAIL_FORM;
    for (p = last_label; *p != '\0'; p++)
        if (!(is_upper(*p) || is_lower(*p)))
            return RULES_EMAIL_FORM;
    if (p - last_label < 2)
        return RULES_EMAIL_FORM;
    return RULES_OK;
}

static char
lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

enum rules_status
rules_pin(const char *pin)
{
    size_t len;
    bool same = true, digits = true, letters = true, up = true, down = true;

    if (pin == NULL || pin[0] == '\0')
        return RULES_EMPTY;
    len = strlen(pin);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)pin[i] <= 0x20 || (unsigned char)pin[i] >= 0x7f)
            return RULES_PIN_CHAR;
    if (len < 6 || len > 16)
        return RULES_PIN_LENGTH;
    for (size_t i = 0; i < len; i++) {
        char c = lower(pin[i]);
        digits = digits && is_digit(c);
        letters = letters && is_lower(c);
        if (i > 0) {
            char prev = lower(pin[i - 1]);
            same = same && c == prev;
            /* digits wrap: 7890 and 1098 count as runs too */
            char nx = is_digit(prev) ? (char)('0' + (prev - '0' + 1) % 10) : (char)(prev + 1);
            char pv = is_digit(prev) ? (char)('0' + (prev - '0' + 9) % 10) : (char)(prev - 1);
            up = up && c == nx;
            down = down && c == pv;
        }
    }
    if (same)
        return RULES_PIN_SAME;
    if ((digits || letters) && (up || down))
        return RULES_PIN_SEQUENCE;
    return RULES_OK;
}

enum rules_status
rules_pin_confirm(const char *pin, const char *again)
{
    enum rules_status st = rules_pin(pin);

    if (st != RULES_OK)
        return st;
    if (again == NULL || strcmp(pin, again) != 0)
        return RULES_PIN_MISMATCH;
    return RULES_OK;
}

enum rules_status
rules_required(const char *s)
{
    if (s == NULL)
        return RULES_EMPTY;
    while (*s != '\0') {
        if (is_blank(*s))
            s++;
        else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
                 (unsigned char)s[2] == 0x80)
            s += 3; /* U+3000 ideographic space */
        else
            return RULES_OK;
    }
    return RULES_EMPTY;
}

/* ---------------------------------------------------------------- civil dates */

bool
rules_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
rules_days_in_month(int y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (m < 1 || m > 12)
        return 0;
    return m == 2 && rules_leap_year(y) ? 29 : dim[m - 1];
}

bool
rules_date_valid(struct rules_date d)
{
    return d.y >= 1 && d.y <= 9999 && d.d >= 1 && d.d <= rules_days_in_month(d.y, d.m);
}

/* Howard Hinnant's days_from_civil / civil_from_days (public domain). */
long
rules_days_from_civil(struct rules_date dt)
{
    long y = dt.y - (dt.m <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (dt.m + 9) % 12;
    long doy = (153 * mp + 2) / 5 + dt.d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct rules_date
rules_civil_from_days(long z)
{
    struct rules_date r;
    long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(yoe + era * 400 + (r.m <= 2));
    return r;
}

long
rules_days_between(struct rules_date from, struct rules_date to)
{
    return rules_days_from_civil(to) - rules_days_from_civil(from);
}

int
rules_date_parse(const char *s, struct rules_date *out)
{
    int v[8], n = 0;
    size_t len;
    struct rules_date d;

    if (s == NULL)
        return -1;
    len = strlen(s);
    if (len != 8 && len != 10)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (len == 10 && (i == 4 || i == 7)) {
            if (s[i] != '-')
                return -1;
            continue;
        }
        if (!is_digit(s[i]))
            return -1;
        v[n++] = s[i] - '0';
    }
    d.y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    d.m = v[4] * 10 + v[5];
    d.d = v[6] * 10 + v[7];
    if (!rules_date_valid(d))
        return -1;
    *out = d;
    return 0;
}

char *
rules_date_format(struct rules_date d, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d-%02d", d.y, d.m, d.d);
    return buf;
}

struct rules_date
rules_add_years(struct rules_date d, int years)
{
    struct rules_date r = { d.y + years, d.m, d.d };
    int dim = rules_days_in_month(r.y, r.m);

    if (r.d > dim)
        r.d = dim; /* Feb 29 -> Feb 28 */
    return r;
}

/* ---------------------------------------------------------------- validity */

struct rules_date
rules_validity_end(struct rules_date start, int years)
{
    return rules_add_years(start, years);
}

enum rules_validity
rules_validity_check(const struct cfg_profile *p, struct rules_date start, struct rules_date end,
                     struct rules_date today, long *days_left)
{
    long left = rules_days_between(today, end);

    if (days_left != NULL)
        *days_left = left;
    if (rules_days_between(start, today) < 0)
        return RULES_NOT_YET_VALID;
    if (left < 0)
        return RULES_EXPIRED;
    if (left < p->renew_before_days)
        return RULES_EXPIRING;
    return RULES_VALID;
}

enum msg_id
rules_validity_msg(enum rules_validity v)
{
    switch (v) {
    case RULES_VALID: return M_RULE_VALIDITY_VALID;
    case RULES_EXPIRING: return M_RULE_VALIDITY_EXPIRING;
    case RULES_EXPIRED: return M_RULE_VALIDITY_EXPIRED;
    case RULES_NOT_YET_VALID: return M_RULE_VALIDITY_NOT_YET;
    }
    return M_RULE_UNKNOWN;
}

enum rules_status
rules_renew_eligibility(const struct cfg_profile *p, struct rules_date end, struct rules_date today)
{
    long left = rules_days_between(today, end);

    if (left >= 0)
        return left < p->renew_before_days ? RULES_OK : RULES_RENEW_TOO_EARLY;
    return -left <= p->renew_after_expiry_days ? RULES_OK : RULES_RENEW_NEEDS_NEW;
}

struct rules_date
rules_renew_end(struct rules_date old_end, struct rules_date today, int years)
{
    if (rules_days_between(today, old_end) >= 0)
        return rules_add_years(old_end, years);
    return rules_add_years(today, years);
}

/* ---------------------------------------------------------------- replacement & fees */

struct rules_damaged
rules_damaged_replacement(const struct cfg_profile *p, struct rules_date first_issue,
                          struct rules_date old_end, struct rules_date today, bool media_fault)
{
    struct rules_damaged r;
    long since = rules_days_between(first_issue, today);

    r.free = media_fault && (p->warranty_days < 0 || since <= p->warranty_days);
    r.fee = r.free ? 0 : p->damaged_media_fee;
    r.end = old_end;
    return r;
}

struct rules_date
rules_lost_end(struct rules_date old_end)
{
    return old_end;
}

static void
quote_add(struct rules_quote *q, enum msg_id label, long unit, int qty)
{
    struct rules_fee_line *l;

    if (unit * qty == 0 || q->nlines >= RULES_QUOTE_LINES)
        return;
    l = &q->lines[q->nlines++];
    l->label = label;
    l->unit = unit;
    l->qty = qty;
    l->amount = unit * qty;
    q->total += l->amount;
}

enum rules_status
rules_fee_quote(const struct cfg_profile *p, enum txn_kind txn, const struct rules_quote_in *in,
                struct rules_quote *q)
{
    static const struct rules_quote_in none = { 0, false };

    memset(q, 0, sizeof *q);
    q->txn = txn;
    if (in == NULL)
        in = &none;
    if (txn == KIND_NEW || txn == KIND_RENEW || txn == KIND_SELFRENEW) {
        if (in->years < 1 || in->years > p->max_years)
            return RULES_YEARS_RANGE;
        q->years = in->years;
    }
    switch (txn) {
    case KIND_NEW:
        quote_add(q, M_RULE_FEE_MEDIA, p->media_fee, 1);
        quote_add(q, M_RULE_FEE_SERVICE, p->service_fee_per_year, in->years);
        break;
    case KIND_RENEW:
    case KIND_SELFRENEW:
        quote_add(q, M_RULE_FEE_RENEWAL, p->renewal_fee_per_year, in->years);
        break;
    case KIND_LOST:
        quote_add(q, M_RULE_FEE_MEDIA, p->lost_media_fee, 1);
        break;
    case KIND_DAMAGED:
        if (!in->damaged_free)
            quote_add(q, M_RULE_FEE_MEDIA, p->damaged_media_fee, 1);
        break;
    case KIND_UNLOCK:
        quote_add(q, M_RULE_FEE_UNLOCK, p->unlock_fee, 1);
        break;
    case KIND_CHANGE:
    case KIND_REVOKE:
    case KIND_HOLD:
    case KIND_RELEASE:
    case KIND_BIND:
    case KIND_CHGREC:
    case KIND_PIN:
    case KIND_SELFTEST:
    case KIND__COUNT:
        break;
    }
    return RULES_OK;
}

char *
rules_money_format(long fen, char *buf, size_t n)
{
    const char *sign = fen < 0 ? "-" : "";
    /* in unsigned arithmetic: -LONG_MIN does not fit a long */
    unsigned long a = fen < 0 ? 0UL - (unsigned long)fen : (unsigned long)fen;

    snprintf(buf, n, "%s%lu.%02lu", sign, a / 100, a % 100);
    return buf;
}

int
rules_money_parse(const char *s, long *fen)
{
    long yuan = 0;
    int i = 0, dec = 0;

    if (s == NULL || s[0] < '0' || s[0] > '9')
        return -1;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (yuan > RULES_MONEY_MAX / 100 / 10)
            return -1;
        yuan = yuan * 10 + (s[i] - '0');
    }
    *fen = yuan * 100;
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, dec++)
            if (dec < 2)
                *fen += (s[i] - '0') * (dec == 0 ? 10 : 1);
            else
                return -1;      /* no fraction of a fen */
        if (dec == 0)
            return -1;
    }
    return s[i] == '\0' && *fen <= RULES_MONEY_MAX ? 0 : -1;
}

enum rules_status
rules_new_cert_allowed(bool enterprise_has_active_cert)
{
    return enterprise_has_active_cert ? RULES_ENTERPRISE_HAS_CERT : RULES_OK;
}

enum rules_status
rules_new_order_allowed(bool operator_has_unfinished_order)
{
    return operator_has_unfinished_order ? RULES_ORDER_UNFINISHED : RULES_OK;
}

char *
rules_mask_id(const char *id, char *out, size_t n)
{
    size_t len = id != NULL ? strlen(id) : 0, keep_head, keep_tail, i, o = 0;

    if (n == 0)
        return out;
    if (len >= 11) {
        keep_head = 6;      /* region code */
        keep_tail = 4;
    } else {
        keep_head = 0;      /* too short to show any part safely */
        keep_tail = 0;
    }
    for (i = 0; i < len && o + 1 < n; i++)
        out[o++] = (i < keep_head || i >= len - keep_tail) ? id[i] : '*';
    out[o] = '\0';
    return out;
}

const char *
rules_order_prefix(const char *window)
{
    if (window != NULL && strcmp(window, "window66") == 0)
        return "66";
    if (window != NULL && strcmp(window, "window68") == 0)
        return "68";
    return "00";
}

char *
rules_order_number(char *out, size_t n, const char *prefix, const char *ymd, long seq)
{
    snprintf(out, n, "%s-%s-%04ld", prefix, ymd, seq);
    return out;
}

/* ---- revocation reasons (RFC 5280 5.3.1) ------------------------------------- */

static const struct {
    const char *name;
    int code;
} reasons[] = {
    { "unspecified", 0 },
    { "keyCompromise", 1 },
    { "affiliationChanged", 3 },
    { "superseded", 4 },
    { "cessationOfOperation", 5 },
};

int
rules_reason_parse(const char *name, int *code)
{
    size_t i;

    for (i = 0; name != NULL && i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(name, reasons[i].name) == 0) {
            *code = reasons[i].code;
            return 0;
        }
    return -1;
}

const char *
rules_reason_name(int code)
{
    size_t i;

    for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].code == code)
            return reasons[i].name;
    return NULL;
}

const char *
rules_reason_list(void)
{
    return "unspecified|keyCompromise|affiliationChanged|superseded|cessationOfOperation";
}

time_t
rules_hold_cutoff(time_t now, int hold_days)
{
    return now - (time_t)(hold_days > 0 ? hold_days : 0) * 86400;
}

bool
rules_hold_over(time_t held_at, int hold_days, time_t now)
{
    return held_at <= rules_hold_cutoff(now, hold_days);
}

/*
 * kiosk/rules.h - the counter's business rules as pure functions.
 *
 * Identifier validators (USCC, resident ID, mobile, e-mail, user PIN,
 * required fields), civil-date arithmetic, certificate validity, renewal
 * and replacement rules, and fee quotes from a CA profile.
 *
 * Everything here is pure: no ncurses, no file or network I/O, no clock and
 * no time zone. "Today" is always passed in by the caller. Sources: the
 * seeds in /work/shared/seeds (003 = BJCA, the most precise), GB 32100-2015,
 * GB 11714-1997, GB 11643-1999 / ISO 7064.
 *
 * Every failure is an enum rules_status; rules_msg() maps it to the
 * catalogue entry (kiosk/msg_txn.def) that names the field and what is wrong.
 */
#ifndef KIOSK_RULES_H
#define KIOSK_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "kiosk/config.h"
#include "kiosk/kinds.h"
#include "kiosk/msg.h"

/* Outcome of a validator or rule. RULES_OK is 0; every other value has a message. */
enum rules_status {
    RULES_OK = 0,
    RULES_EMPTY,             /* required field empty (message takes the field label, %s) */
    RULES_USCC_LENGTH,       /* USCC not 18 characters */
    RULES_USCC_CHAR,         /* character outside 0-9 A-H J-N P-R T-U W-Y */
    RULES_USCC_ORG_CHECK,    /* characters 9-17 (organization code) fail GB 11714 */
    RULES_USCC_CHECK,        /* 18th character (mod-31 check) wrong */
    RULES_ID_LENGTH,         /* resident ID not 18 characters */
    RULES_ID_CHAR,           /* not 17 digits + digit/X */
    RULES_ID_BIRTH_DATE,     /* characters 7-14 are not a real date */
    RULES_ID_BIRTH_FUTURE,   /* birth date after today */
    RULES_ID_CHECK,          /* 18th character (ISO 7064 MOD 11-2) wrong */
    RULES_MOBILE_LENGTH,     /* not 11 characters */
    RULES_MOBILE_CHAR,       /* a non-digit */
    RULES_MOBILE_PREFIX,     /* not 1[3-9]... */
    RULES_EMAIL_FORM,        /* not name@domain.tld */
    RULES_PIN_LENGTH,        /* not 6-16 characters */
    RULES_PIN_CHAR,          /* outside printable ASCII (no spaces) */
    RULES_PIN_SAME,          /* all one character */
    RULES_PIN_SEQUENCE,      /* 123456, 654321, abcdef ... */
    RULES_PIN_MISMATCH,      /* the two entries differ */
    RULES_YEARS_RANGE,       /* term outside 1..profile->max_years */
    RULES_DATE_INVALID,      /* a date argument is not a real date */
    RULES_ENTERPRISE_HAS_CERT, /* one certificate per enterprise: renew or replace instead */
    RULES_ORDER_UNFINISHED,  /* this ID number has an unfinished order: resume or cancel it */
    RULES_RENEW_TOO_EARLY,   /* renewal window not open yet */
    RULES_RENEW_NEEDS_NEW,   /* expired too long: full materials, as for new */
    RULES_PHONE_FORM,        /* not a landline (0AA-NNNNNNNN[-EXT]), a 400/800 number or a mobile */
    RULES_NAME_FORM,         /* a person's name: 2-30 Chinese characters (with ·) or Latin letters */
    RULES_COMPANY_FORM,      /* a company's name: at least 2 characters, letters or Chinese, no symbols */
    RULES_WEBSITE_FORM,      /* not [http(s)://]host.tld[/path] */
    RULES_LEGAL_ID_FORM,     /* neither a valid resident ID nor a passport number */
    RULES_TEXT_CHAR,         /* a character no form takes (emoji, control, private use) */
    RULES_STATUS__COUNT
};

/* The catalogue entry explaining ST (M_RULE_OK for RULES_OK). Never fails. */
enum msg_id rules_msg(enum rules_status st);

/* ---------------------------------------------------------------- identifiers */

/* Trim ASCII blanks at both ends and upper-case ASCII letters, in place
 * (for USCC / ID input typed with lower case 'x'). Returns s. */
char *rules_canon_ident(char *s);

/* USCC, GB 32100-2015: exactly 18 chars of 0-9 A-H J-N P-R T-U W-Y (upper
 * case), chars 9-17 a GB 11714 organization code (8 body chars + mod-11 check,
 * 'X' = 10), char 18 = mod-31 check. Checks length, then characters, then the
 * organization code, then the check character. */
enum rules_status rules_uscc(const char *s);

/* The mod-31 check character for the first 17 chars of a USCC, or 0 when one
 * of them is not in the USCC alphabet. */
char rules_uscc_check_char(const char *first17);

/* The GB 11714 check character ('0'-'9' or 'X') for 8 organization-code
 * body characters (digits / A-Z), or 0 when one is invalid. */
char rules_orgcode_check_char(const char *body8);

struct rules_date;

/* Resident ID, GB 11643-1999: 17 digits + digit or 'X'; chars 7-14 a real
 * birth date YYYYMMDD, not after *today (NULL = skip that check), year >= 1800;
 * char 18 the ISO 7064 MOD 11-2 check. */
enum rules_status rules_resident_id(const char *s, const struct rules_date *today);

/* The MOD 11-2 check character for 17 digits, or 0 if one is not a digit. */
char rules_id_check_char(const char *first17);

/* Mobile: 11 digits, "1" then 3-9. */
enum rules_status rules_mobile(const char *s);

/* E-mail, the usual form: local@domain; local 1-64 of A-Z a-z 0-9 and
 * !#$%&'*+/=?^_`{|}~.- with no leading/trailing/double dot; domain of >= 2
 * dot-separated labels of letters, digits, '-' (not at a label's ends,
 * 1-63 each), the last label >= 2 letters; total <= 254. */
enum rules_status rules_email(const char *s);

/*
 * What goes on the application form the applicant signs (issue 14):
 * rules_phone: a landline with its area code (0 and 2-3 digits, a hyphen,
 *   7-8 digits, an optional -extension of 1-6 digits), a 400/800 service
 *   number (400-NNN-NNNN) or a mobile number;
 * rules_person_name: 2-30 characters, Chinese (with the middle dot · of
 *   transliterated names) or Latin letters with single spaces, dots or
 *   hyphens between them;
 * rules_company_name: 2 characters or more, at least one Chinese character
 *   or letter, no character outside text (rules_text);
 * rules_website: an optional http:// or https://, a host of two or more
 *   labels (letters, digits, inner hyphens) ending in a letter label, an
 *   optional /path of printable ASCII;
 * rules_legal_id: a resident ID number valid today, or a passport number
 *   (5-17 letters and digits, with at least one digit);
 * rules_text: no control, emoji, private-use or unassigned-plane character
 *   (the form's font has none of them).
 */
enum rules_status rules_phone(const char *s);
enum rules_status rules_person_name(const char *s);
enum rules_status rules_company_name(const char *s);
enum rules_status rules_website(const char *s);
enum rules_status rules_legal_id(const char *s, const struct rules_date *today);
enum rules_status rules_text(const char *s);

/* User PIN policy: 6-16 printable ASCII characters without spaces, not all
 * one character, not a plain ascending/descending run of digits or letters
 * (123456, 654321, 567890, abcdef, FEDCBA; letters case-insensitive,
 * digits wrap 9->0). */
enum rules_status rules_pin(const char *pin);

/* rules_pin(pin), then the confirmation must be identical. */
enum rules_status rules_pin_confirm(const char *pin, const char *again);

/* Required field: RULES_EMPTY when NULL or only blanks (ASCII or U+3000). */
enum rules_status rules_required(const char *s);

/* ---------------------------------------------------------------- civil dates */

/* A calendar day (proleptic Gregorian), no time, no zone. */
struct rules_date {
    int y;  /* e.g. 2025 */
    int m;  /* 1..12 */
    int d;  /* 1..31 */
};

bool rules_leap_year(int y);
int  rules_days_in_month(int y, int m);          /* 0 for a bad month */
bool rules_date_valid(struct rules_date d);

/* Days since 1970-01-01 (negative before). d must be valid. */
long rules_days_from_civil(struct rules_date d);
struct rules_date rules_civil_from_days(long days);

/* to - from, in days (positive when to is later). */
long rules_days_between(struct rules_date from, struct rules_date to);

/* Parse "YYYY-MM-DD" or "YYYYMMDD"; 0 ok, -1 malformed or not a real date. */
int rules_date_parse(const char *s, struct rules_date *out);

/* Format as "YYYY-MM-DD" into buf (n >= 11). Returns buf. */
char *rules_date_format(struct rules_date d, char *buf, size_t n);

/* The same month and day N years later; Feb 29 becomes Feb 28 in a common
 * year (the term never exceeds N years; see rules.c). */
struct rules_date rules_add_years(struct rules_date d, int years);

/* ---------------------------------------------------------------- validity */

/*
 * Convention used by every rule below: a certificate issued on START for N
 * years has END = rules_add_years(START, N), the notAfter date; it is valid
 * on every day START <= day <= END. days_left = END - today (0 on the last
 * day); it has expired when today > END, for (today - END) days.
 */
struct rules_date rules_validity_end(struct rules_date start, int years);

enum rules_validity {
    RULES_VALID = 0,        /* valid, renew_before_days or more left */
    RULES_EXPIRING,         /* valid, fewer than renew_before_days left: warn */
    RULES_EXPIRED,          /* today > end */
    RULES_NOT_YET_VALID,    /* today < start */
};

/* Classify a certificate on TODAY; *days_left = end - today (negative when
 * expired, may be NULL). */
enum rules_validity rules_validity_check(const struct cfg_profile *p,
                                         struct rules_date start, struct rules_date end,
                                         struct rules_date today, long *days_left);

/* Catalogue label of a classification (M_RULE_VALIDITY_*). */
enum msg_id rules_validity_msg(enum rules_validity v);

/*
 * Revocation reasons the CA gives (RFC 5280 5.3.1 CRLReason): NAME as in
 * the RFC ("keyCompromise"...) -> *CODE, 0 or -1 for an unknown name;
 * rules_reason_name(CODE) -> NAME, NULL for a code the CA does not give.
 * rules_reason_list() is "unspecified|keyCompromise|...", for messages.
 */
int rules_reason_parse(const char *name, int *code);
const char *rules_reason_name(int code);
const char *rules_reason_list(void);

/* 挂失: a hold lasts HOLD_DAYS whole days (x 24 h) from the moment it was
 * placed. rules_hold_cutoff(NOW, D) is the latest placing time whose hold
 * has run out at NOW; rules_hold_over(HELD_AT, D, NOW) says whether the
 * hold placed at HELD_AT has (it can no longer be released; the next CRL
 * publication revokes it). */
time_t rules_hold_cutoff(time_t now, int hold_days);
bool rules_hold_over(time_t held_at, int hold_days, time_t now);

/* Renewal eligibility on TODAY for a certificate ending END:
 * RULES_OK when end - today < renew_before_days (not yet expired) or it
 * expired no more than renew_after_expiry_days ago; RULES_RENEW_TOO_EARLY
 * when more remain; RULES_RENEW_NEEDS_NEW when expired longer. */
enum rules_status rules_renew_eligibility(const struct cfg_profile *p,
                                          struct rules_date end, struct rules_date today);

/* New end date on renewal for YEARS: not yet expired (today <= end) ->
 * end + years; expired -> today + years (seed 003). */
struct rules_date rules_renew_end(struct rules_date old_end, struct rules_date today, int years);

/* ---------------------------------------------------------------- transactions & fees */


/* Outcome of a damaged-key replacement. */
struct rules_damaged {
    bool free;              /* inside the warranty and a media fault */
    long fee;               /* fen: 0 when free, else damaged_media_fee */
    struct rules_date end;  /* validity end: always the old end */
};

/* Damaged-key replacement on TODAY: free when MEDIA_FAULT and
 * today - first_issue <= warranty_days (inclusive; a negative warranty_days:
 * no time limit, seed 000's free swap), else damaged_media_fee.
 * Validity end unchanged either way. */
struct rules_damaged rules_damaged_replacement(const struct cfg_profile *p,
                                               struct rules_date first_issue,
                                               struct rules_date old_end,
                                               struct rules_date today, bool media_fault);

/* Lost-key replacement keeps the end date (returns old_end). */
struct rules_date rules_lost_end(struct rules_date old_end);

#define RULES_QUOTE_LINES 4

/* One line of a fee quote: LABEL (catalogue) unit x qty = amount. */
struct rules_fee_line {
    enum msg_id label;      /* M_RULE_FEE_* */
    long unit;              /* fen per unit */
    int  qty;               /* units (years for per-year lines) */
    long amount;            /* unit * qty, fen */
};

struct rules_quote {
    enum txn_kind txn;
    int  years;                                 /* term charged (0 when not per-year) */
    int  nlines;                                /* lines used; 0 = nothing to pay */
    struct rules_fee_line lines[RULES_QUOTE_LINES];
    long total;                                 /* fen */
};

/* Inputs that only some transactions use. */
struct rules_quote_in {
    int  years;                     /* NEW, RENEW: 1..p->max_years */
    bool damaged_free;              /* DAMAGED: result of rules_damaged_replacement */
};

/*
 * Fee quote for TXN from profile P:
 *   NEW     media_fee x1 + service_fee_per_year x years
 *   RENEW   renewal_fee_per_year x years
 *   LOST    lost_media_fee x1
 *   DAMAGED damaged_media_fee x1, or nothing when in->damaged_free
 *   UNLOCK  unlock_fee x1 (a 0 fee gives no line)
 *   CHANGE, REVOKE: nothing
 * Lines with a zero amount are left out. Returns RULES_OK or
 * RULES_YEARS_RANGE (q zeroed) for a bad term.
 */
enum rules_status rules_fee_quote(const struct cfg_profile *p, enum txn_kind txn,
                                  const struct rules_quote_in *in, struct rules_quote *q);

/* Format fen as yuan "1234.50" into buf. Returns buf. */
char *rules_money_format(long fen, char *buf, size_t n);
/* The largest amount rules_money_parse takes: 10 million yuan, in fen. */
#define RULES_MONEY_MAX 1000000000L
/* Yuan as typed ("200", "200.5", "200.00") into fen: 0, or -1 for anything
 * else (a sign, a blank, a third decimal, more than RULES_MONEY_MAX). */
int rules_money_parse(const char *s, long *fen);

/* One certificate per enterprise: a new certificate for a USCC that already
 * holds an active one is refused (RULES_ENTERPRISE_HAS_CERT: renew or
 * replace instead). */
enum rules_status rules_new_cert_allowed(bool enterprise_has_active_cert);

/* A new order for an operator ID with an unfinished order is refused until
 * that order is resumed or cancelled (RULES_ORDER_UNFINISHED, seed 003). */
enum rules_status rules_new_order_allowed(bool operator_has_unfinished_order);

/*
 * The one masking policy for ID numbers shown, printed or audited: 11
 * characters or more keep the first 6 (region) and the last 4
 * (110105********002X); shorter ones are masked whole. OUT (N bytes) is
 * always NUL-terminated; returns OUT.
 */
char *rules_mask_id(const char *id, char *out, size_t n);

/* The order number's window digits: "66", "68", and "00" for self-service
 * (any other window). Never NULL. */
const char *rules_order_prefix(const char *window);

/* The printed order number PREFIX-YYYYMMDD-NNNN (seq zero-padded to 4). */
char *rules_order_number(char *out, size_t n, const char *prefix, const char *ymd, long seq);

#endif

/*
 * kiosk/msg.h - the one catalogue of user-visible text.
 *
 * Every string a clerk, an applicant or an operator reads comes from here,
 * in Simplified Chinese (default) and English. The entries live in the
 * msg_*.def files, one per area, all folded into a single enum and a single
 * table by msg.c:
 *
 *     MSG(ID, "中文", "English")
 *
 * Entries that take arguments are printf templates; both languages take the
 * same arguments in the same order (checked by tests/unit/test_msg.c).
 */
#ifndef KIOSK_MSG_H
#define KIOSK_MSG_H

#include <stddef.h>

enum msg_lang { LANG_ZH = 0, LANG_EN = 1 };

enum msg_id {
#define MSG(id, zh, en) id,
#include "kiosk/msg_core.def"
#include "kiosk/msg_token.def"
#include "kiosk/msg_print.def"
#include "kiosk/msg_data.def"
#include "kiosk/msg_txn.def"
#undef MSG
    MSG__COUNT
};

/* Select the language for every later msg()/msg_fmt() call. */
void msg_set_lang(enum msg_lang lang);
enum msg_lang msg_get_lang(void);

/* Parse "zh"/"en" (also "zh_CN", "en_US"...); returns 0 and sets *out, or -1. */
int msg_parse_lang(const char *s, enum msg_lang *out);

/* The text of ID in the current language. Never NULL. */
const char *msg(enum msg_id id);

/* The text of ID in a given language (printing uses the document language). */
const char *msg_in(enum msg_id id, enum msg_lang lang);
/* The entry named NAME ("M_RUN_CLERKS"): 0 and *OUT, or -1. */
int msg_by_name(const char *name, enum msg_id *out);

/* Format the template ID into buf (always NUL-terminated); returns buf. */
char *msg_fmt(char *buf, size_t n, enum msg_id id, ...);

#endif

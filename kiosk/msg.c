/*
 * kiosk/msg.c - the catalogue table and language selection (see msg.h).
 */
#include "kiosk/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const msg_table[MSG__COUNT][2] = {
#define MSG(id, zh, en) [id] = { zh, en },
#include "kiosk/msg_core.def"
#include "kiosk/msg_token.def"
#include "kiosk/msg_print.def"
#include "kiosk/msg_data.def"
#include "kiosk/msg_txn.def"
#undef MSG
};

static const char *const msg_names[MSG__COUNT] = {
#define MSG(id, zh, en) [id] = #id,
#include "kiosk/msg_core.def"
#include "kiosk/msg_token.def"
#include "kiosk/msg_print.def"
#include "kiosk/msg_data.def"
#include "kiosk/msg_txn.def"
#undef MSG
};

static enum msg_lang msg_lang = LANG_ZH;

int
msg_by_name(const char *name, enum msg_id *out)
{
    int i;

    for (i = 0; i < MSG__COUNT; i++)
        if (msg_names[i] != NULL && strcmp(msg_names[i], name) == 0) {
            *out = (enum msg_id)i;
            return 0;
        }
    return -1;
}

void msg_set_lang(enum msg_lang lang) { msg_lang = lang; }
enum msg_lang msg_get_lang(void) { return msg_lang; }

int
msg_parse_lang(const char *s, enum msg_lang *out)
{
    if (s == NULL)
        return -1;
    if (strncasecmp(s, "zh", 2) == 0) {
        *out = LANG_ZH;
        return 0;
    }
    if (strncasecmp(s, "en", 2) == 0) {
        *out = LANG_EN;
        return 0;
    }
    return -1;
}

const char *
msg_in(enum msg_id id, enum msg_lang lang)
{
    if ((int)id < 0 || id >= MSG__COUNT || msg_table[id][lang] == NULL)
        return "?";
    return msg_table[id][lang];
}

const char *
msg(enum msg_id id)
{
    return msg_in(id, msg_lang);
}

char *
msg_fmt(char *buf, size_t n, enum msg_id id, ...)
{
    va_list ap;

    if (n == 0)
        return buf;
    va_start(ap, id);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(buf, n, msg(id), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    return buf;
}

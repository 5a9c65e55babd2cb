/*
 * kiosk/form.c - the form widget (see kiosk/form.h). Model work is
 * kiosk/field.c; this file adds the table of fields, the checks, the keys
 * and the drawing through kiosk/ui.h (never measuring with strlen).
 */
#include "kiosk/form.h"

#include <curses.h>
#include <string.h>

#include "kiosk/msg.h"
#include "kiosk/textw.h"
#include "kiosk/ui.h"

/*
 * Type WC into the focused field. Nothing typed disappears without a word:
 * a character the field does not take, or one past its limit, is said at
 * the field (naming it and why); the next character taken clears that.
 */
static bool
form_insert(struct form *fm, wchar_t wc)
{
    struct field *f = &fm->f[fm->focus];
    char ch[8] = "";
    size_t k;

    if (field_insert(f, wc) == 0) {
        if (fm->refused[fm->focus]) {
            fm->err[fm->focus][0] = '\0';
            fm->refused[fm->focus] = false;
        }
        return true;
    }
    if (wc < 0x20 || wc == 0x7f)
        return false;               /* a control key, not text */
    k = textw_encode(wc, ch);
    ch[k] = '\0';
    if (field_chars(f) >= f->max_chars)
        msg_fmt(fm->err[fm->focus], FORM_ERR_MAX, M_FORM_FULL, (int)f->max_chars, ch);
    else if (f->flags & FIELD_DIGITS)
        msg_fmt(fm->err[fm->focus], FORM_ERR_MAX, M_FORM_DIGITS_ONLY, ch);
    else if (f->flags & (FIELD_ASCII | FIELD_MASK))
        msg_fmt(fm->err[fm->focus], FORM_ERR_MAX, M_FORM_ASCII_ONLY, ch);
    else
        msg_fmt(fm->err[fm->focus], FORM_ERR_MAX, M_FORM_CHAR_REFUSED, ch);
    fm->refused[fm->focus] = true;
    return false;
}

void
form_init(struct form *fm, const struct txn_field *items, int n)
{
    int i;

    memset(fm, 0, sizeof *fm);
    fm->items = items;
    fm->n = n > FORM_MAX ? FORM_MAX : n;
    for (i = 0; i < fm->n; i++)
        field_init(&fm->f[i], (size_t)items[i].max_chars, items[i].field_flags);
}

void
form_load(struct form *fm, const struct txn *t)
{
    int i;

    for (i = 0; i < fm->n; i++)
        if (fm->items[i].key != NULL)
            field_set(&fm->f[i], txn_get(t, fm->items[i].key));
}

void
form_store(const struct form *fm, struct txn *t)
{
    int i;

    for (i = 0; i < fm->n; i++)
        if (fm->items[i].key != NULL)
            txn_set(t, fm->items[i].key, field_text(&fm->f[i]));
}

const char *
form_text(const struct form *fm, int i)
{
    return field_text(&fm->f[i]);
}

int
form_index(const struct form *fm, const char *key)
{
    int i;

    for (i = 0; i < fm->n; i++)
        if (fm->items[i].key != NULL && strcmp(fm->items[i].key, key) == 0)
            return i;
    return -1;
}

bool
form_check(struct form *fm, int i)
{
    const struct txn_field *it = &fm->items[i];
    char buf[FIELD_BUF];
    enum rules_status st = RULES_OK;

    snprintf(buf, sizeof buf, "%s", field_text(&fm->f[i]));
    if (it->field_flags & (FIELD_ASCII | FIELD_UPPER | FIELD_DIGITS)) {
        if (it->field_flags & FIELD_UPPER)
            rules_canon_ident(buf);
        else {
            /* trim blanks at both ends */
            size_t a = 0, b = strlen(buf);
            while (buf[a] == ' ')
                a++;
            while (b > a && buf[b - 1] == ' ')
                b--;
            memmove(buf, buf + a, b - a);
            buf[b - a] = '\0';
        }
        if (strcmp(buf, field_text(&fm->f[i])) != 0 && !(it->field_flags & FIELD_MASK))
            field_set(&fm->f[i], buf);
    }
    if (rules_required(buf) != RULES_OK) {
        if (it->required)
            st = RULES_EMPTY;
    } else if (it->check != NULL) {
        st = it->check(buf);
    }
    if (st == RULES_OK)
        fm->err[i][0] = '\0';
    else
        msg_fmt(fm->err[i], sizeof fm->err[i], rules_msg(st), msg(it->label));
    memset(buf, 0, sizeof buf);
    return st == RULES_OK;
}

int
form_check_all(struct form *fm)
{
    int i, first = -1;

    for (i = 0; i < fm->n; i++)
        if (!form_check(fm, i) && first < 0)
            first = i;
    if (first >= 0)
        fm->focus = first;
    return first;
}

void
form_set_error(struct form *fm, int i, const char *text)
{
    if (i < 0 || i >= fm->n)
        return;
    snprintf(fm->err[i], sizeof fm->err[i], "%s", text);
    fm->focus = i;
}

/* Feed one byte of a UTF-8 character; returns true when a character was inserted. */
static bool
form_byte(struct form *fm, int key)
{
    wchar_t wc;
    unsigned char c = (unsigned char)key;

    if (fm->npend == 0) {
        fm->pend_need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (fm->pend_need == 0)
            return false; /* a stray continuation byte */
    } else if ((c & 0xC0) != 0x80) {
        fm->npend = 0;
        return form_byte(fm, key);
    }
    fm->pend[fm->npend++] = (char)c;
    if (fm->npend < fm->pend_need)
        return false;
    fm->npend = 0;
    if (textw_decode(fm->pend, (size_t)fm->pend_need, &wc) == (size_t)fm->pend_need && wc != TEXTW_REPLACEMENT)
        return form_insert(fm, wc);
    return false;
}

enum form_result
form_key(struct form *fm, int key)
{
    struct field *f = &fm->f[fm->focus];

    if (key >= 0x80 && key <= 0xFF) {
        form_byte(fm, key);
        return FORM_CHANGED;
    }
    fm->npend = 0;
    switch (key) {
    case 27:
        return FORM_BACK;
    case '\t':
    case KEY_DOWN:
        form_check(fm, fm->focus);
        if (fm->focus + 1 < fm->n)
            fm->focus++;
        return FORM_CHANGED;
    case KEY_UP:
    case KEY_BTAB:
        form_check(fm, fm->focus);
        if (fm->focus > 0)
            fm->focus--;
        return FORM_CHANGED;
    case '\r':
    case '\n':
    case KEY_ENTER:
        if (!form_check(fm, fm->focus))
            return FORM_CHANGED;
        if (fm->focus + 1 < fm->n) {
            fm->focus++;
            return FORM_CHANGED;
        }
        return form_check_all(fm) < 0 ? FORM_SUBMIT : FORM_CHANGED;
    case KEY_LEFT: field_left(f); return FORM_CHANGED;
    case KEY_RIGHT: field_right(f); return FORM_CHANGED;
    case KEY_HOME: case 1: field_home(f); return FORM_CHANGED;
    case KEY_END: case 5: field_end(f); return FORM_CHANGED;
    case KEY_BACKSPACE: case 127: case 8: field_backspace(f); return FORM_CHANGED;
    case KEY_DC: field_delete(f); return FORM_CHANGED;
    case 21: /* Ctrl-U: clear the field */
        field_clear(f);
        return FORM_CHANGED;
    default:
        if (key >= 0x20 && key < 0x7f) {
            (void)form_insert(fm, (wchar_t)key);
            return FORM_CHANGED;
        }
        return FORM_NONE;
    }
}

int
form_draw(struct form *fm, int y, int x, int field_w)
{
    enum msg_id labels[FORM_MAX];
    struct field_view v;
    char label[128];
    int i, lw, cy = -1, cx = 0, ex;

    for (i = 0; i < fm->n; i++)
        labels[i] = fm->items[i].label;
    lw = ui_label_width(labels, fm->n) + 1;
    ex = x + lw + field_w + 3;
    for (i = 0; i < fm->n; i++) {
        snprintf(label, sizeof label, "%s%s", msg(fm->items[i].label), fm->items[i].required ? "*" : "");
        ui_text(y + i, x, lw, i == fm->focus ? TC_NORMAL : TC_DIM, label);
        field_view(&fm->f[i], field_w, &v);
        attron(A_UNDERLINE | (i == fm->focus ? A_BOLD : 0));
        mvhline(y + i, x + lw, ' ', field_w);
        ui_text(y + i, x + lw, field_w, TC_NORMAL, v.text);
        attroff(A_UNDERLINE | A_BOLD);
        if (v.more_left)
            ui_text(y + i, x + lw - 1, 1, TC_DIM, "<");
        if (v.more_right)
            ui_text(y + i, x + lw + field_w, 1, TC_DIM, ">");
        if (fm->err[i][0] != '\0')
            ui_text(y + i, ex, COLS - ex - 1, TC_ERROR, fm->err[i]);
        if (i == fm->focus) {
            cy = y + i;
            cx = x + lw + v.cursor_col;
        }
    }
    if (fm->focus >= 0 && fm->focus < fm->n && fm->err[fm->focus][0] != '\0')
        ui_wrap(LINES - 5, x, COLS - 2 * x, TC_ERROR, fm->err[fm->focus]);
    if (cy >= 0) {
        move(cy, cx);
        curs_set(1);
    }
    return fm->n;
}

void
form_wipe(struct form *fm)
{
    int i;

    for (i = 0; i < fm->n; i++) {
        volatile char *p = fm->f[i].buf;
        size_t k;
        for (k = 0; k < sizeof fm->f[i].buf; k++)
            p[k] = 0;
        field_clear(&fm->f[i]);
    }
    memset(fm->pend, 0, sizeof fm->pend);
}

/*
 * kiosk/field.h - a CJK-correct single-line edit field, as a model (no ncurses).
 *
 * The text is UTF-8 in a fixed buffer (no allocation, nothing to free); the
 * limit and the cursor count characters, never bytes; backspace removes one
 * character. A horizontal scroll offset keeps the cursor visible in a window
 * of W columns; field_view() gives the slice to draw and the cursor column.
 * With FIELD_MASK every character is drawn as '*' (PINs).
 *
 * Widths use textw (wcwidth): the caller must run under a UTF-8 LC_CTYPE.
 */
#ifndef KIOSK_FIELD_H
#define KIOSK_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#define FIELD_MAX_CHARS 255                 /* hard upper limit of max_chars */
#define FIELD_BUF (FIELD_MAX_CHARS * 4 + 1) /* bytes, worst case + NUL */

/* Behaviour flags for field_init(). */
enum field_flags {
    FIELD_MASK   = 1 << 0,   /* draw every character as '*'; implies printable ASCII, no space */
    FIELD_ASCII  = 1 << 1,   /* accept printable ASCII only (PIN, USCC, e-mail) */
    FIELD_DIGITS = 1 << 2,   /* accept 0-9 only (mobile) */
    FIELD_UPPER  = 1 << 3,   /* fold a-z to A-Z as typed (USCC, ID number 'x') */
};

struct field {
    char     buf[FIELD_BUF]; /* the text, UTF-8, NUL-terminated */
    size_t   len;            /* bytes used in buf */
    size_t   nchars;         /* characters in buf */
    size_t   max_chars;      /* limit, 1..FIELD_MAX_CHARS */
    size_t   cursor;         /* cursor position in characters, 0..nchars */
    size_t   scroll;         /* first visible character (kept by field_view) */
    unsigned flags;          /* enum field_flags */
};

/* What to draw: the visible slice and where the cursor goes. */
struct field_view {
    char text[FIELD_BUF];    /* visible slice, UTF-8 ('*'s when masked) */
    int  cols;               /* columns the slice takes (<= width) */
    int  cursor_col;         /* cursor column relative to the window, 0..width-1 */
    bool more_left;          /* characters hidden on the left */
    bool more_right;         /* characters hidden on the right */
};

/* Empty field holding at most MAX_CHARS characters (clamped to
 * 1..FIELD_MAX_CHARS), with FLAGS (enum field_flags). */
void field_init(struct field *f, size_t max_chars, unsigned flags);

/* Replace the text with S (bad bytes become U+FFFD, characters the flags
 * refuse are dropped, cut at max_chars). Cursor at the end, scroll reset.
 * Returns 0, or -1 when something was dropped or cut. */
int field_set(struct field *f, const char *s);

/* Empty the field (keeps limit and flags). */
void field_clear(struct field *f);

/* The text (NUL-terminated UTF-8). Never NULL. */
const char *field_text(const struct field *f);

/* Characters in the field. */
size_t field_chars(const struct field *f);

/* Insert WC at the cursor and move the cursor after it. Returns 0, or -1
 * when the field is full or WC is refused (control characters, and those the
 * flags exclude). */
int field_insert(struct field *f, wchar_t wc);

/* Insert every character of the UTF-8 string S (paste); stops at the first
 * refused one. Returns the number inserted. */
size_t field_insert_str(struct field *f, const char *s);

/* Editing and motion; each returns true when something changed. */
bool field_backspace(struct field *f);  /* delete the character before the cursor */
bool field_delete(struct field *f);     /* delete the character under the cursor */
bool field_left(struct field *f);
bool field_right(struct field *f);
bool field_home(struct field *f);
bool field_end(struct field *f);

/* Adjust the scroll offset so the cursor is visible in WIDTH columns
 * (WIDTH >= 1), and fill *v with the slice to draw from the window's left
 * edge and the cursor column. Scrolling is lazy: the offset moves only when
 * the cursor would leave the window, and moves back left when the text after
 * the offset no longer fills the window. */
void field_view(struct field *f, int width, struct field_view *v);

#endif

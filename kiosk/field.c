/*
 * kiosk/field.c - single-line edit field model (see field.h). Pure: no I/O.
 */
#include "kiosk/field.h"

#include <string.h>
#include <sys/mman.h>

#include "kiosk/textw.h"

void
field_init(struct field *f, size_t max_chars, unsigned flags)
{
    memset(f, 0, sizeof *f);
    if (max_chars < 1)
        max_chars = 1;
    if (max_chars > FIELD_MAX_CHARS)
        max_chars = FIELD_MAX_CHARS;
    f->max_chars = max_chars;
    f->flags = flags;
    /* a PIN or a password is kept out of swap (best effort: a limit on
     * locked memory leaves it as it was) */
    if (flags & FIELD_MASK)
        (void)mlock(f, sizeof *f);
}

void
field_clear(struct field *f)
{
    /* all of it, not only the first byte: a PIN typed here leaves nothing */
    explicit_bzero(f->buf, sizeof f->buf);
    f->len = f->nchars = f->cursor = f->scroll = 0;
}

const char *
field_text(const struct field *f)
{
    return f->buf;
}

size_t
field_chars(const struct field *f)
{
    return f->nchars;
}

/* Apply the flags to WC: returns the character to store, or 0 to refuse. */
static wchar_t
field_accept(const struct field *f, wchar_t wc)
{
    if (wc < 0x20 || wc == 0x7f || (wc >= 0x80 && wc < 0xa0))
        return 0;
    if ((f->flags & FIELD_UPPER) && wc >= 'a' && wc <= 'z')
        wc = wc - 'a' + 'A';
    if ((f->flags & FIELD_DIGITS) && !(wc >= '0' && wc <= '9'))
        return 0;
    if ((f->flags & (FIELD_ASCII | FIELD_MASK)) && wc > 0x7e)
        return 0;   /* a masked field takes ASCII only: the applicant cannot see what an IME produced */
    if ((f->flags & FIELD_MASK) && wc == ' ')
        return 0;
    if (wc != TEXTW_REPLACEMENT && textw_wcwidth(wc) == 0)
        return 0;   /* lone combining marks would make cursor motion ambiguous */
    return wc;
}

int
field_insert(struct field *f, wchar_t wc)
{
    char enc[4];
    size_t k, at;

    wc = field_accept(f, wc);
    if (wc == 0 || f->nchars >= f->max_chars)
        return -1;
    k = textw_encode(wc, enc);
    if (k == 0 || f->len + k >= sizeof f->buf)
        return -1;
    at = textw_byte_of_char(f->buf, f->cursor);
    memmove(f->buf + at + k, f->buf + at, f->len - at + 1);
    memcpy(f->buf + at, enc, k);
    f->len += k;
    f->nchars++;
    f->cursor++;
    return 0;
}

size_t
field_insert_str(struct field *f, const char *s)
{
    size_t i = 0, k, n = 0;
    wchar_t wc;

    while ((k = textw_decode(s + i, 4, &wc)) > 0) {
        if (field_insert(f, wc) < 0)
            break;
        i += k;
        n++;
    }
    return n;
}

int
field_set(struct field *f, const char *s)
{
    size_t i = 0, k;
    wchar_t wc;
    int rc = 0;

    field_clear(f);
    while ((k = textw_decode(s + i, 4, &wc)) > 0) {
        if (field_insert(f, wc) < 0)
            rc = -1;
        i += k;
    }
    f->cursor = f->nchars;
    return rc;
}

/* Remove character number CI. */
static void
field_remove(struct field *f, size_t ci)
{
    size_t a = textw_byte_of_char(f->buf, ci);
    size_t b = textw_byte_of_char(f->buf, ci + 1);

    memmove(f->buf + a, f->buf + b, f->len - b + 1);
    f->len -= b - a;
    f->nchars--;
}

bool
field_backspace(struct field *f)
{
    if (f->cursor == 0)
        return false;
    field_remove(f, f->cursor - 1);
    f->cursor--;
    return true;
}

bool
field_delete(struct field *f)
{
    if (f->cursor >= f->nchars)
        return false;
    field_remove(f, f->cursor);
    return true;
}

bool
field_left(struct field *f)
{
    if (f->cursor == 0)
        return false;
    f->cursor--;
    return true;
}

bool
field_right(struct field *f)
{
    if (f->cursor >= f->nchars)
        return false;
    f->cursor++;
    return true;
}

bool
field_home(struct field *f)
{
    if (f->cursor == 0)
        return false;
    f->cursor = 0;
    return true;
}

bool
field_end(struct field *f)
{
    if (f->cursor == f->nchars)
        return false;
    f->cursor = f->nchars;
    return true;
}

/* Column widths of every character (masked: 1 each), into w[]. */
static void
field_widths(const struct field *f, int *w)
{
    size_t i = 0, k, c = 0;
    wchar_t wc;

    while ((k = textw_decode(f->buf + i, 4, &wc)) > 0 && c < f->nchars) {
        w[c++] = (f->flags & FIELD_MASK) ? 1 : textw_wcwidth(wc);
        i += k;
    }
}

/* Columns of characters [a, b) plus the cursor cell when the cursor is at
 * the end (the cursor needs one cell after the last character). */
static int
span(const int *w, size_t a, size_t b)
{
    int c = 0;

    for (size_t i = a; i < b; i++)
        c += w[i];
    return c;
}

void
field_view(struct field *f, int width, struct field_view *v)
{
    int w[FIELD_MAX_CHARS + 1];
    size_t n = f->nchars, end, i, k, o = 0, ci;
    int cur_cell, cols = 0;
    wchar_t wc;

    if (width < 1)
        width = 1;
    field_widths(f, w);
    if (f->cursor > n)
        f->cursor = n;
    if (f->scroll > n)
        f->scroll = n;
    cur_cell = f->cursor < n ? w[f->cursor] : 1;

    /* 1. cursor left of the window: scroll to it */
    if (f->cursor < f->scroll)
        f->scroll = f->cursor;
    /* 2. cursor right of the window: scroll until it fits */
    while (f->scroll < f->cursor && span(w, f->scroll, f->cursor) + cur_cell > width)
        f->scroll++;
    /* 3. room on the right (text was deleted): bring hidden left text back */
    while (f->scroll > 0 &&
           span(w, f->scroll - 1, n) + (f->cursor == n ? 1 : 0) <= width)
        f->scroll--;

    /* the visible slice: whole characters from scroll that fit in width */
    for (end = f->scroll; end < n && cols + w[end] <= width; end++)
        cols += w[end];
    i = textw_byte_of_char(f->buf, f->scroll);
    for (ci = f->scroll; ci < end && (k = textw_decode(f->buf + i, 4, &wc)) > 0; ci++) {
        if (f->flags & FIELD_MASK) {
            v->text[o++] = '*';
        } else {
            char enc[4];
            size_t len = textw_encode(wc, enc);   /* re-encode: bad bytes show as U+FFFD */
            memcpy(v->text + o, enc, len);
            o += len;
        }
        i += k;
    }
    v->text[o] = '\0';
    v->cols = cols;
    v->cursor_col = span(w, f->scroll, f->cursor);
    if (v->cursor_col > width - 1)
        v->cursor_col = width - 1;   /* only when width < the cursor character's width */
    v->more_left = f->scroll > 0;
    v->more_right = end < n;
}

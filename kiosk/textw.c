/*
 * kiosk/textw.c - UTF-8 decoding and terminal column arithmetic (see textw.h).
 * Pure: the only global state read is the caller's LC_CTYPE (wcwidth).
 */
#include "kiosk/textw.h"

#include <string.h>

size_t
textw_decode(const char *s, size_t n, wchar_t *wc)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned long cp, min;
    size_t len;

    if (n == 0 || u[0] == 0) {
        *wc = 0;
        return 0;
    }
    if (u[0] < 0x80) {
        *wc = u[0];
        return 1;
    }
    if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        len = 2; cp = u[0] & 0x1F; min = 0x80;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        len = 3; cp = u[0] & 0x0F; min = 0x800;
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        len = 4; cp = u[0] & 0x07; min = 0x10000;
    } else {
        *wc = TEXTW_REPLACEMENT;
        return 1;
    }
    if (len > n) {
        *wc = TEXTW_REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *wc = TEXTW_REPLACEMENT;
            return 1;
        }
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *wc = TEXTW_REPLACEMENT;
        return 1;
    }
    *wc = (wchar_t)cp;
    return len;
}

size_t
textw_encode(wchar_t wc, char out[4])
{
    unsigned long c = (unsigned long)wc;

    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c >= 0xD800 && c <= 0xDFFF)
        return 0;
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    if (c <= 0x10FFFF) {
        out[0] = (char)(0xF0 | (c >> 18));
        out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[3] = (char)(0x80 | (c & 0x3F));
        return 4;
    }
    return 0;
}

int
textw_wcwidth(wchar_t wc)
{
    int w = wcwidth(wc);

    return w < 0 ? 1 : w;
}

/* Decode the char at s (NUL-terminated); returns its byte length (0 at end). */
static size_t
next(const char *s, wchar_t *wc)
{
    return textw_decode(s, 4, wc);   /* a NUL inside a sequence fails the 10xxxxxx test */
}

int
textw_width_n(const char *s, size_t nbytes)
{
    size_t i = 0, k;
    int cols = 0;
    wchar_t wc;

    while (i < nbytes && (k = next(s + i, &wc)) > 0) {
        cols += textw_wcwidth(wc);
        i += k;
    }
    return cols;
}

int
textw_width(const char *s)
{
    return textw_width_n(s, (size_t)-1);
}

size_t
textw_chars(const char *s)
{
    size_t i = 0, k, n = 0;
    wchar_t wc;

    while ((k = next(s + i, &wc)) > 0) {
        i += k;
        n++;
    }
    return n;
}

size_t
textw_byte_of_char(const char *s, size_t ci)
{
    size_t i = 0, k;
    wchar_t wc;

    while (ci > 0 && (k = next(s + i, &wc)) > 0) {
        i += k;
        ci--;
    }
    return i;
}

int
textw_col_of_byte(const char *s, size_t byte)
{
    return textw_width_n(s, byte);
}

size_t
textw_byte_of_col(const char *s, int col)
{
    size_t i = 0, k;
    int c = 0;
    wchar_t wc;

    if (col <= 0)
        return 0;
    while ((k = next(s + i, &wc)) > 0) {
        int w = textw_wcwidth(wc);
        if (w > 0 && c + w > col)
            return i;   /* col is the first or second cell of this character */
        c += w;
        i += k;
    }
    return i;
}

size_t
textw_clip(const char *s, int cols, int *used)
{
    size_t i = 0, k;
    int c = 0;
    wchar_t wc;

    while ((k = next(s + i, &wc)) > 0) {
        int w = textw_wcwidth(wc);
        if (c + w > cols)
            break;
        c += w;
        i += k;
    }
    if (used != NULL)
        *used = c;
    return i;
}

/* Append the bytes of one character if they fit (leaving room for NUL). */
static int
put(char *dst, size_t n, size_t *o, const char *bytes, size_t len)
{
    if (*o + len + 1 > n)
        return -1;
    memcpy(dst + *o, bytes, len);
    *o += len;
    return 0;
}

char *
textw_sanitize(char *dst, size_t n, const char *s)
{
    size_t i = 0, o = 0, k;
    wchar_t wc;
    char enc[4];

    if (n == 0)
        return dst;
    while ((k = next(s + i, &wc)) > 0) {
        if (wcwidth(wc) < 0)
            wc = TEXTW_REPLACEMENT;
        if (wc == TEXTW_REPLACEMENT) {
            size_t len = textw_encode(wc, enc);
            if (put(dst, n, &o, enc, len) < 0)
                break;
        } else if (put(dst, n, &o, s + i, k) < 0) {
            break;
        }
        i += k;
    }
    dst[o] = '\0';
    return dst;
}

static int
put_spaces(char *dst, size_t n, size_t *o, int count)
{
    for (int j = 0; j < count; j++)
        if (put(dst, n, o, " ", 1) < 0)
            return -1;
    return 0;
}

char *
textw_pad(char *dst, size_t n, const char *s, int cols, enum textw_align align)
{
    int used, left, right;
    size_t len, o = 0;

    if (n == 0)
        return dst;
    if (cols < 0)
        cols = 0;
    len = textw_clip(s, cols, &used);
    left = align == TEXTW_RIGHT ? cols - used : align == TEXTW_CENTER ? (cols - used) / 2 : 0;
    right = cols - used - left;
    dst[0] = '\0';
    if (put_spaces(dst, n, &o, left) == 0) {
        /* the text, one character at a time so truncation stays on a boundary */
        size_t i = 0, k;
        wchar_t wc;
        int ok = 1;
        while (i < len && (k = next(s + i, &wc)) > 0) {
            if (put(dst, n, &o, s + i, k) < 0) {
                ok = 0;
                break;
            }
            i += k;
        }
        if (ok)
            put_spaces(dst, n, &o, right);
    }
    dst[o] = '\0';
    return dst;
}

char *
textw_ellipsize(char *dst, size_t n, const char *s, int cols)
{
    static const char ell[] = "\xe2\x80\xa6"; /* U+2026, 1 column */
    size_t len, o = 0;
    int used;

    if (n == 0)
        return dst;
    if (textw_width(s) <= cols) {
        len = textw_clip(s, cols, &used);
    } else {
        len = cols > 0 ? textw_clip(s, cols - 1, &used) : 0;
    }
    dst[0] = '\0';
    {
        size_t i = 0, k;
        wchar_t wc;
        while (i < len && (k = next(s + i, &wc)) > 0) {
            if (put(dst, n, &o, s + i, k) < 0)
                break;
            i += k;
        }
        if (i == len && s[len] != '\0' && cols > 0)
            put(dst, n, &o, ell, 3);
    }
    dst[o] = '\0';
    return dst;
}

/*
 * kiosk/textw.h - terminal column helpers for UTF-8 text, so nobody lays
 * out with strlen.
 *
 * Decoding is strict UTF-8 done here (no locale needed): a byte that does not
 * start a well-formed sequence (stray continuation, overlong form, surrogate,
 * > U+10FFFF, truncated sequence) decodes as U+FFFD and consumes one byte.
 * Widths come from wcwidth(3), which needs a UTF-8 LC_CTYPE set by the caller
 * (the terminal module sets it; tests call setlocale(LC_ALL, "C.UTF-8")).
 * A character wcwidth calls non-printable (-1) counts as 1 column, the width
 * of the U+FFFD drawn in its place (see textw_sanitize).
 *
 * "Byte offsets" index the string; "columns" are terminal cells; "chars" are
 * decoded code points (bad bytes count one char each).
 */
#ifndef KIOSK_TEXTW_H
#define KIOSK_TEXTW_H

#include <stddef.h>
#include <wchar.h>

#define TEXTW_REPLACEMENT 0xFFFD

/* Decode one character from S (at most N bytes, N >= 1). Stores the code
 * point in *wc (U+FFFD for a bad byte) and returns the bytes consumed (1-4).
 * Returns 0 only when N == 0 or *s == '\0' (then *wc = 0). */
size_t textw_decode(const char *s, size_t n, wchar_t *wc);

/* Encode WC as UTF-8 into out[4]; returns 1-4, or 0 for a surrogate or a
 * value above U+10FFFF. */
size_t textw_encode(wchar_t wc, char out[4]);

/* Columns of one character: 0 (combining), 1 or 2; non-printable -> 1. */
int textw_wcwidth(wchar_t wc);

/* Columns of the NUL-terminated string S. */
int textw_width(const char *s);

/* Columns of the first NBYTES bytes of S (stops at NUL). */
int textw_width_n(const char *s, size_t nbytes);

/* Number of characters in S. */
size_t textw_chars(const char *s);

/* Byte offset of character number CI (clamped to strlen(s)). */
size_t textw_byte_of_char(const char *s, size_t ci);

/* Column at which the character starting at byte offset BYTE begins
 * (= textw_width_n(s, byte)). */
int textw_col_of_byte(const char *s, size_t byte);

/* Byte offset of the character covering column COL: when COL falls on the
 * right half of a wide character, the offset of that character. COL past the
 * end gives strlen(s); COL <= 0 gives 0. */
size_t textw_byte_of_col(const char *s, int col);

/* Byte length of the longest prefix of S that fits in COLS columns without
 * cutting a wide character in half (zero-width characters that follow the
 * last fitting character are kept with it). *used (may be NULL) gets the
 * columns that prefix takes. */
size_t textw_clip(const char *s, int cols, int *used);

/* Copy S into DST (size N) as valid UTF-8: every bad byte and every
 * non-printable character becomes U+FFFD. Truncated at a character
 * boundary when DST is too small. Returns DST. */
char *textw_sanitize(char *dst, size_t n, const char *s);

enum textw_align { TEXTW_LEFT = 0, TEXTW_RIGHT, TEXTW_CENTER };

/* Write S clipped to COLS columns and padded with spaces to exactly COLS
 * columns into DST (size N; ALIGN chooses where the padding goes). When DST
 * is too small the result is truncated at a character boundary. Returns DST. */
char *textw_pad(char *dst, size_t n, const char *s, int cols, enum textw_align align);

/* Clip S to COLS columns into DST (size N), appending "…" when something was
 * cut (the ellipsis counted inside COLS). Returns DST. */
char *textw_ellipsize(char *dst, size_t n, const char *s, int cols);

#endif

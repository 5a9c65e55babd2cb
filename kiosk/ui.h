/*
 * kiosk/ui.h - drawing helpers shared by every screen: the title and status
 * bars, text clipped by display columns (CJK-correct), boxes and menus.
 * Screens never lay out with strlen.
 */
#ifndef KIOSK_UI_H
#define KIOSK_UI_H

#include "kiosk/app.h"
#include "kiosk/msg.h"
#include "kiosk/term.h"

/* Draw TEXT at row Y, column X, clipped to WIDTH display columns, in COLOR. */
void ui_text(int y, int x, int width, enum term_color color, const char *text);

/*
 * Draw TEXT from row Y, column X, wrapped at WIDTH display columns (never
 * below the body area). Returns the rows used.
 */
int ui_wrap(int y, int x, int width, enum term_color color, const char *text);
/* The rows ui_wrap would take for TEXT at WIDTH, drawing nothing. */
int ui_wrap_lines(int width, const char *text);

/* Width of a label column fitting every label in LABELS (plus a gap). */
int ui_label_width(const enum msg_id *labels, int n);

/* Like ui_text, centred in the row. */
void ui_center(int y, enum term_color color, const char *text);

/* Display columns TEXT needs (invalid bytes count as one column). */
int ui_width(const char *text);

/*
 * Clear the screen and draw the frame: title bar (hall, mode, SCREEN TITLE),
 * status bar (services, flash message) and the key hints line.
 * Returns the first free row; the body ends at LINES - 3.
 */
int ui_frame(struct app *app, const char *title, const char *hints);
/* The same with KEEP (an order number) after the title: when the line is
 * too wide the hall's name goes first, then the counter's, then the title
 * is cut; KEEP never is. */
int ui_frame_keep(struct app *app, const char *title, const char *keep, const char *hints);

/*
 * Move a list selection *SEL (0..N-1) for KEY_UP / KEY_DOWN, stopping at the
 * ends. Returns true when KEY was one of those keys (moved or not).
 */
bool ui_list_move(int *sel, int n, int key);
/* The selected row's background, W columns from X on row Y (a list's cursor). */
void ui_select_bar(int y, int x, int w);

/* Draw the "terminal too small" notice (any size). */
void ui_too_small(void);

/* A labelled value: "LABEL  VALUE" with the label dimmed, at row Y. */
void ui_field(int y, int x, int label_w, const char *label, enum term_color color, const char *value);

/* An input field F at (Y, X) in W columns, reversed when FOCUSED (then its
 * cursor position into *CY, *CX), underlined otherwise. */
struct field;
void ui_input(int y, int x, int w, struct field *f, bool focused, int *cy, int *cx);

/* A sign-in form's last touch: ERROR (if any) in bold at (Y, X) wrapped to
 * W, and the cursor shown at (CY, CX), the focused field's. */
void ui_error_cursor(int y, int x, int w, const char *error, int cy, int cx);

#endif

/*
 * kiosk/ui.c - drawing helpers (see ui.h). Text goes through ui_text, which
 * measures by display columns so Chinese text is never cut in half.
 */
#include "kiosk/ui.h"
#include "kiosk/field.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "kiosk/msg.h"
#include "kiosk/textw.h"

int
ui_width(const char *text)
{
    return textw_width(text);
}

void
ui_text(int y, int x, int width, enum term_color color, const char *text)
{
    char clean[1024], shown[1024];

    if (width <= 0 || y < 0 || y >= LINES)
        return;
    if (x + width > COLS)
        width = COLS - x;
    textw_sanitize(clean, sizeof clean, text);
    textw_ellipsize(shown, sizeof shown, clean, width);    /* a cut says so: "…" */
    attron(COLOR_PAIR(color));
    mvaddstr(y, x, shown);
    attroff(COLOR_PAIR(color));
}

/* Does S start with punctuation a line must not begin with? */
static bool
ui_closing(const char *s)
{
    static const char *const marks[] = { "。", "，", "、", "；", "：", "？", "！", "）", "」", "』", "》", "…",
                                         ".", ",", ";", ":", "?", "!", ")" };

    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strncmp(s, marks[i], strlen(marks[i])) == 0)
            return true;
    return false;
}

static int ui_wrap_run(int y, int x, int width, enum term_color color, const char *text, bool draw);

/* A byte of a Latin word: ASCII, not a space. */
static bool
ui_latin(char c)
{
    return (unsigned char)c < 0x80 && c != ' ';
}

int
ui_wrap(int y, int x, int width, enum term_color color, const char *text)
{
    return ui_wrap_run(y, x, width, color, text, true);
}

int
ui_wrap_lines(int width, const char *text)
{
    return ui_wrap_run(0, 0, width, TC_NORMAL, text, false);
}

static int
ui_wrap_run(int y, int x, int width, enum term_color color, const char *text, bool draw)
{
    char clean[2048];
    const char *p = clean;
    int rows = 0;

    if (width <= 0)
        return 0;
    textw_sanitize(clean, sizeof clean, text);
    while (*p != '\0' && (!draw || y + rows < LINES - 3)) {
        size_t len = textw_clip(p, width, NULL), cut;
        if (len == 0)
            break;
        /* A Latin word is not cut: the line ends before it, at the space
         * or the Chinese character in front of it (Chinese itself breaks
         * anywhere; a word longer than the whole line is cut where it must be). */
        if (p[len] != '\0' && ui_latin(p[len]) && ui_latin(p[len - 1])) {
            for (cut = len; cut > 0 && ui_latin(p[cut - 1]); cut--)
                ;
            if (cut > 0)
                len = cut;
        }
        /* No line starts with closing punctuation (。，、）…): the character
         * before it goes down with it. */
        if (p[len] != '\0' && ui_closing(p + len) && len > 0) {
            size_t back = len - 1;
            while (back > 0 && (p[back] & 0xC0) == 0x80)
                back--;
            if (back > 0)
                len = back;
        }
        if (draw) {
            attron(COLOR_PAIR(color));
            mvaddnstr(y + rows, x, p, (int)len);
            attroff(COLOR_PAIR(color));
        }
        p += len;
        while (*p == ' ')
            p++;
        rows++;
    }
    return rows;
}

int
ui_label_width(const enum msg_id *labels, int n)
{
    int i, w = 0;

    for (i = 0; i < n; i++)
        if (ui_width(msg(labels[i])) > w)
            w = ui_width(msg(labels[i]));
    return w + 2;
}

void
ui_center(int y, enum term_color color, const char *text)
{
    int w = ui_width(text);
    int x = (COLS - w) / 2;

    ui_text(y, x < 0 ? 0 : x, COLS, color, text);
}

void
ui_field(int y, int x, int label_w, const char *label, enum term_color color, const char *value)
{
    ui_text(y, x, label_w, TC_DIM, label);
    ui_text(y, x + label_w, COLS - x - label_w - 1, color, value);
}

static const char *
ui_svc(enum svc_state s)
{
    return s == SVC_UP ? msg(M_SVC_UP) : s == SVC_DOWN ? msg(M_SVC_DOWN) : msg(M_SVC_UNKNOWN);
}

/*
 * The title line " hall · counter · TITLE · KEEP" made to fit COLS by rule:
 * first the hall's name goes, then the counter's, then TITLE is cut (with
 * "…"); KEEP (an order number) is never cut.
 */
static void
ui_title_line(struct app *app, const char *title, const char *keep, char *buf, size_t n)
{
    const char *mode = msg(app->mode == MODE_W66 ? M_MODE_W66 : app->mode == MODE_W68 ? M_MODE_W68 : M_MODE_SELF);
    char tail[128] = "";
    int room;

    if (keep != NULL && keep[0] != '\0')
        snprintf(tail, sizeof tail, " · %s", keep);
    snprintf(buf, n, " %s · %s · %s%s", app->cfg.hall_name, mode, title, tail);
    if (textw_width(buf) <= COLS)
        return;
    snprintf(buf, n, " %s · %s%s", mode, title, tail);
    if (textw_width(buf) <= COLS)
        return;
    snprintf(buf, n, " %s%s", title, tail);
    if (textw_width(buf) <= COLS)
        return;
    room = COLS - 1 - textw_width(tail) - 1;    /* the leading blank, the tail, the "…" */
    if (room < 1) {
        snprintf(buf, n, " %s", keep != NULL ? keep : title);
        return;
    }
    snprintf(buf, n, " %.*s…%s", (int)textw_clip(title, room, NULL), title, tail);
}

/* The key hints in WIDTH columns: their gaps narrowed (three spaces to
 * two, then to one) before anything is cut. */
static void
ui_hints(int y, int x, int width, const char *hints)
{
    char buf[512];
    size_t gap;

    snprintf(buf, sizeof buf, "%s", hints);
    for (gap = 3; gap >= 2 && textw_width(buf) > width; gap--) {
        char *r = buf, *w = buf;
        while (*r != '\0') {
            size_t run = strspn(r, " ");
            if (run >= gap) {
                memset(w, ' ', gap - 1);
                w += gap - 1;
                r += run;
            } else if (run > 0) {
                memmove(w, r, run);
                w += run;
                r += run;
            } else {
                *w++ = *r++;
            }
        }
        *w = '\0';
    }
    ui_text(y, x, width, TC_DIM, buf);
}

int
ui_frame_keep(struct app *app, const char *title, const char *keep, const char *hints)
{
    char buf[512];
    char status[512];

    erase();
    attron(COLOR_PAIR(TC_TITLE));
    mvhline(0, 0, ' ', COLS);
    attroff(COLOR_PAIR(TC_TITLE));
    ui_title_line(app, title, keep, buf, sizeof buf);
    attron(A_BOLD);
    ui_text(0, 0, COLS, TC_TITLE, buf);
    attroff(A_BOLD);

    /* a hall's shared records are named as the server they are, reachable or not */
    msg_fmt(status, sizeof status, strcmp(app->cfg.db_backend, "postgresql") == 0 ? M_STATUS_LINE_SERVER : M_STATUS_LINE,
            app->tok ? msg(M_SVC_UP) : msg(M_SVC_DOWN), ui_svc(app->hsm), ui_svc(app->printer),
            app->st != NULL && store_connected(app->st) ? msg(M_SVC_UP)
            : strcmp(app->cfg.db_backend, "postgresql") == 0 ? msg(M_SVC_UNREACHABLE) : msg(M_SVC_DOWN));
    mvhline(LINES - 2, 0, ACS_HLINE, COLS);
    if (app->flash[0] != '\0' && time(NULL) < app->flash_until)
        ui_text(LINES - 1, 0, COLS, TC_WARN, app->flash);
    else
        ui_text(LINES - 1, 0, COLS, TC_DIM, status);
    ui_hints(LINES - 3, 1, COLS - 2, hints);
    return 2;
}

int
ui_frame(struct app *app, const char *title, const char *hints)
{
    return ui_frame_keep(app, title, NULL, hints);
}

void
ui_select_bar(int y, int x, int w)
{
    attron(COLOR_PAIR(TC_SELECT));
    mvhline(y, x, ' ', w);
    attroff(COLOR_PAIR(TC_SELECT));
}

bool
ui_list_move(int *sel, int n, int key)
{
    if (key == KEY_UP) {
        if (*sel > 0)
            (*sel)--;
        return true;
    }
    if (key == KEY_DOWN) {
        if (*sel + 1 < n)
            (*sel)++;
        return true;
    }
    return false;
}

void
ui_too_small(void)
{
    char buf[256];

    erase();
    msg_fmt(buf, sizeof buf, M_TOO_SMALL, TERM_MIN_COLS, TERM_MIN_ROWS, COLS, LINES);
    mvaddnstr(LINES / 2, 0, buf, -1);
}

void
ui_input(int y, int x, int w, struct field *f, bool focused, int *cy, int *cx)
{
    struct field_view v;

    field_view(f, w, &v);
    attron(focused ? A_REVERSE : A_UNDERLINE);
    mvhline(y, x, ' ', w);
    mvaddstr(y, x, v.text);
    attroff(focused ? A_REVERSE : A_UNDERLINE);
    if (focused) {
        *cy = y;
        *cx = x + v.cursor_col;
    }
}

void
ui_error_cursor(int y, int x, int w, const char *error, int cy, int cx)
{
    if (error != NULL && error[0] != '\0') {
        attron(A_BOLD);
        ui_wrap(y, x, w, TC_ERROR, error);
        attroff(A_BOLD);
    }
    curs_set(1);
    move(cy, cx);
}

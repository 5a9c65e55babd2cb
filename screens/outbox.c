/*
 * screens/outbox.c - 打印队列, the clerk's view of the print outbox.
 *
 * Every job, newest first, a page at a time (svc_outbox_page; PgUp/PgDn,
 * or Up/Down past the page's edge), each with its state, attempts, title
 * and last error; the printer's state on top (as the
 * print worker last saw it), and when the printer cannot print a plain
 * sentence saying nothing is lost and the clerk can carry on. Keys on the
 * selected job: R retry now, C cancel and P reprint, the last two asked
 * first with Y, and a refusal says why in the job's own terms (kiosk/svc.c: each audited
 * under the signed-in clerk; retried and reprinted jobs are handed to the
 * print worker, so the input loop never waits on the printer). The list
 * follows the worker each tick.
 */
#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/svc.h"
#include "kiosk/ui.h"
#include "printing/print.h"
#include "screens/screens.h"

#define OUTBOX_ROWS 10

struct outbox_state {
    struct store_job jobs[OUTBOX_ROWS]; /* this page, newest first */
    size_t n;
    size_t offset;                     /* jobs newer than this page */
    size_t total;                      /* jobs in all */
    size_t sel;                        /* selected row */
    enum prn_printer printer;          /* last printer state */
    enum msg_id printer_msg;           /* its catalogue text */
    char note[512];                    /* result of the last action, "" none */
    bool note_bad;                     /* the note is a warning */
    int confirm;                       /* 'c' or 'p' pressed: Y does it, any other key not */
};

static void
outbox_load(struct app *app, struct outbox_state *s)
{
    int64_t keep = s->n > 0 ? s->jobs[s->sel].id : 0;
    size_t i;

    s->n = 0;
    if (svc_outbox_page(app, s->offset, s->jobs, OUTBOX_ROWS, &s->n, &s->total) != STORE_OK)
        s->n = 0;
    if (s->n == 0 && s->offset > 0) {          /* jobs gone from under the page: back to the first */
        s->offset = 0;
        if (svc_outbox_page(app, 0, s->jobs, OUTBOX_ROWS, &s->n, &s->total) != STORE_OK)
            s->n = 0;
    }
    s->sel = 0;
    for (i = 0; i < s->n; i++)
        if (s->jobs[i].id == keep)
            s->sel = i;
}

static void
outbox_check_printer(struct app *app, struct outbox_state *s)
{
    /* The print worker alone talks to the printer: show what it last saw. */
    s->printer = app->printer == SVC_DOWN ? PRN_PRINTER_DOWN : PRN_PRINTER_READY;
    s->printer_msg = app->printer == SVC_DOWN ? (app->printer_msg ? app->printer_msg : M_PRN_STATE_DOWN)
                                              : M_PRN_STATE_READY;
}

static void *
outbox_init(struct app *app, const void *arg)
{
    struct outbox_state *s = calloc(1, sizeof *s);

    (void)arg;
    if (s == NULL)
        return NULL;
    outbox_check_printer(app, s);
    outbox_load(app, s);
    return s;
}

static void
outbox_draw(struct app *app, void *state)
{
    struct outbox_state *s = state;
    char buf[512];
    int y = ui_frame(app, msg(M_OUT_TITLE), msg(M_OUT_HINTS));
    const int x = 2, w = COLS - 4;
    /* the document's title (with its order number) whole where there is room;
     * the reason for a failure beside it on a wide screen, else below */
    const int cx_id = x, cx_state = x + 7, cx_tries = x + 21, cx_doc = x + 27;
    const int doc_w = COLS >= 100 ? 34 : COLS - 2 - cx_doc, cx_err = cx_doc + doc_w + 1;
    bool down = s->printer != PRN_PRINTER_READY && s->printer != PRN_PRINTER_BUSY;
    size_t i;
    int waiting = 0;

    y++;
    msg_fmt(buf, sizeof buf, M_OUT_PRINTER, msg(s->printer_msg));
    attron(A_BOLD);
    y += ui_wrap(y, x, w, down ? TC_WARN : TC_OK, buf);
    if (down)
        y += ui_wrap(y, x, w, TC_WARN, msg(M_OUT_DOWN_PLAIN));
    attroff(A_BOLD);
    for (i = 0; i < s->n; i++)
        if (s->jobs[i].state == JOB_QUEUED)
            waiting++;
    if (waiting > 0)
        ui_text(y++, x, w, TC_WARN, msg_fmt(buf, sizeof buf, M_OUT_WAITING, waiting));
    y++;
    if (app->st == NULL) {
        ui_wrap(y, x, w, TC_WARN, app->store_error);
        return;
    }
    if (s->n == 0) {
        ui_text(y, x, w, TC_DIM, msg(M_OUT_EMPTY));
        return;
    }
    if (s->total > s->n)
        ui_text(y++, x, w, TC_DIM, msg_fmt(buf, sizeof buf, M_OUT_PAGE, (long)s->offset + 1, (long)(s->offset + s->n),
                                           (long)s->total));
    ui_text(y, cx_id, 6, TC_DIM, msg(M_OUT_COL_ID));
    ui_text(y, cx_state, 13, TC_DIM, msg(M_OUT_COL_STATE));
    ui_text(y, cx_tries, 5, TC_DIM, msg(M_OUT_COL_TRIES));
    ui_text(y, cx_doc, doc_w, TC_DIM, msg(M_OUT_COL_DOC));
    y++;
    for (i = 0; i < s->n && y < LINES - 5; i++, y++) {
        const struct store_job *j = &s->jobs[i];
        enum term_color c = i == s->sel ? TC_SELECT : TC_NORMAL;

        if (i == s->sel)
            ui_select_bar(y, x, w);
        snprintf(buf, sizeof buf, "%" PRId64, j->id);
        ui_text(y, cx_id, 6, c, buf);
        ui_text(y, cx_state, 13, i == s->sel ? c : j->state == JOB_QUEUED || j->state == JOB_FAILED ? TC_WARN : TC_OK,
                msg(svc_job_state_msg(j->state)));
        snprintf(buf, sizeof buf, "%d", j->attempts);
        ui_text(y, cx_tries, 5, c, buf);
        ui_text(y, cx_doc, doc_w, c, j->title[0] ? j->title : j->doc);
        if (j->last_error[0] != '\0' && j->state != JOB_DONE && COLS - 2 > cx_err + 8)
            ui_text(y, cx_err, COLS - 2 - cx_err, i == s->sel ? c : TC_DIM, msg(svc_job_error_msg(j)));
    }
    if (s->sel < s->n && s->jobs[s->sel].last_error[0] != '\0' && s->jobs[s->sel].state != JOB_DONE) {
        msg_fmt(buf, sizeof buf, M_OUT_ERROR, msg(svc_job_error_msg(&s->jobs[s->sel])));
        ui_text(LINES - 5, x, w, TC_WARN, buf);
    }
    if (s->note[0] != '\0')
        ui_text(LINES - 4, x, w, s->note_bad ? TC_WARN : TC_OK, s->note);
}

/* Audit a clerk's action on job ID. */
/* Job ID was handed to the print worker (svc_outbox_act); say so at once
 * when the printer is known down. */
static void
outbox_sent(struct app *app, struct outbox_state *s)
{
    outbox_check_printer(app, s);
    if (app->printer == SVC_DOWN) {
        size_t used = strlen(s->note);

        snprintf(s->note + used, sizeof s->note - used, "%s", msg(M_OUT_RETRY_QUEUED));
        s->note_bad = true;
    }
}

/* Why action KEY ('r' retry, 'c' cancel) was refused on a job in state NOW. */
static enum msg_id
outbox_why_not(int key, enum store_job_state now)
{
    bool cancel = key == 'c' || key == 'C';

    switch (now) {
    case JOB_SENT: return cancel ? M_OUT_WHY_SENT_CANCEL : M_OUT_WHY_SENT_RETRY;
    case JOB_DONE: return M_OUT_WHY_DONE;
    case JOB_CANCELLED: return M_OUT_WHY_CANCELLED;
    default: return M_OUT_NOT_NOW;
    }
}

static int
outbox_key(struct app *app, void *state, int key)
{
    struct outbox_state *s = state;
    int64_t id, new_id = 0;
    bool audit_failed = false;
    int rc, sel;

    if (s->confirm != 0) {
        /* cancelling a paper or printing one again: asked first */
        int what = s->confirm;
        s->confirm = 0;
        s->note[0] = '\0';
        if (key != 'y' && key != 'Y')
            return SCR_HANDLED;
        key = what;
    } else if ((key == 'c' || key == 'C' || key == 'p' || key == 'P') && s->n > 0 && app->st != NULL) {
        s->confirm = key == 'C' ? 'c' : key == 'P' ? 'p' : key;
        msg_fmt(s->note, sizeof s->note, s->confirm == 'c' ? M_OUT_CONFIRM_CANCEL : M_OUT_CONFIRM_REPRINT,
                (long long)s->jobs[s->sel].id);
        s->note_bad = true;
        return SCR_HANDLED;
    }
    /* paging: PgDn/PgUp, or Down/Up past the page's last or first row */
    if ((key == KEY_NPAGE || (key == KEY_DOWN && s->sel + 1 >= s->n)) && s->offset + s->n < s->total) {
        s->offset += OUTBOX_ROWS;
        s->n = 0;
        outbox_load(app, s);
        return SCR_HANDLED;
    }
    if ((key == KEY_PPAGE || (key == KEY_UP && s->sel == 0)) && s->offset > 0) {
        s->offset = s->offset > OUTBOX_ROWS ? s->offset - OUTBOX_ROWS : 0;
        s->n = 0;
        outbox_load(app, s);
        if (key == KEY_UP && s->n > 0)
            s->sel = s->n - 1;
        return SCR_HANDLED;
    }
    sel = (int)s->sel;
    if (ui_list_move(&sel, (int)s->n, key)) {
        s->sel = (size_t)sel;
        return SCR_HANDLED;
    }
    switch (key) {
    case 27:
    case KEY_BACKSPACE:
    case KEY_LEFT:
        return SCR_BACK;
    case KEY_F(5):
        outbox_check_printer(app, s);
        outbox_load(app, s);
        return SCR_HANDLED;
    case 'r': case 'R': case 'c': case 'C': case 'p': case 'P':
        break;
    default:
        return SCR_IGNORED;
    }
    if (app->st == NULL || s->n == 0)
        return SCR_HANDLED;
    id = s->jobs[s->sel].id;
    s->note_bad = false;
    switch (key) {
    case 'r': case 'R':
        rc = svc_outbox_act(app, SVC_JOB_RETRY, id, &new_id, &audit_failed);
        if (rc == STORE_OK) {
            msg_fmt(s->note, sizeof s->note, M_OUT_RETRIED, (long long)id);
            outbox_sent(app, s);
        }
        break;
    case 'c': case 'C':
        rc = svc_outbox_act(app, SVC_JOB_CANCEL, id, &new_id, &audit_failed);
        if (rc == STORE_OK)
            msg_fmt(s->note, sizeof s->note, M_OUT_CANCELLED, (long long)id);
        break;
    default:
        rc = svc_outbox_act(app, SVC_JOB_REPRINT, id, &new_id, &audit_failed);
        if (rc == STORE_OK) {
            msg_fmt(s->note, sizeof s->note, M_OUT_REPRINTED, (long long)id, (long long)new_id);
            outbox_sent(app, s);
        }
        break;
    }
    if (audit_failed)
        app_flash(app, msg(M_DB_WRITE_FAILED));
    outbox_load(app, s);
    if (rc == STORE_ERR_CONFLICT) {
        /* why, in the job's own terms, as it is now */
        enum store_job_state now = JOB_QUEUED;
        for (size_t i = 0; i < s->n; i++)
            if (s->jobs[i].id == id)
                now = s->jobs[i].state;
        msg_fmt(s->note, sizeof s->note, outbox_why_not(key, now), (long long)id);
        s->note_bad = true;
    } else if (rc != STORE_OK) {
        snprintf(s->note, sizeof s->note, "%s", msg(M_OUT_FAILED_OP));
        s->note_bad = true;
    }
    if (new_id != 0)
        s->sel = 0; /* the new job is the newest */
    return SCR_HANDLED;
}

static int
outbox_event(struct app *app, void *state, enum scr_event ev)
{
    struct outbox_state *s = state;

    if (ev != EV_TICK)
        return SCR_IGNORED;
    /* The loop pumps the outbox in the background: show what it did. */
    outbox_load(app, s);
    outbox_check_printer(app, s);
    return SCR_REDRAW;
}

static void
outbox_free(void *state)
{
    free(state);
}

const struct screen screen_outbox = {
    .name = "outbox",
    .modes = MODE_CLERK,
    .init = outbox_init,
    .draw = outbox_draw,
    .key = outbox_key,
    .event = outbox_event,
    .free = outbox_free,
};

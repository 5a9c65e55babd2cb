/*
 * kiosk/form.h - a reusable form widget: a const table of fields (label
 * from the catalogue, edit-field flags, validator), drawn one row per field
 * with the error beside its field (dialog's formbox).
 *
 * Editing is kiosk/field.h (CJK-correct: the cursor moves by columns,
 * backspace deletes a character, long text scrolls inside its field). The
 * loop's getch() delivers UTF-8 one byte at a time; the form reassembles the
 * characters. Tab/Down/Up move between fields (the field left is checked and
 * its error shown), Enter moves to the next field and on the last one submits
 * (every field checked; the focus goes to the first wrong one). Esc asks the
 * caller to go back. Nothing typed is ever dropped by a failed check.
 */
#ifndef KIOSK_FORM_H
#define KIOSK_FORM_H

#include <stdbool.h>

#include "kiosk/engine.h"
#include "kiosk/field.h"
#include "kiosk/msg.h"
#include "kiosk/rules.h"

#define FORM_MAX 12
#define FORM_ERR_MAX 256

/* One field of a form (every member used by form_*). */
/* Its items are the engine's struct txn_field (kiosk/engine.h). */

struct form {
    const struct txn_field *items;
    int n;
    struct field f[FORM_MAX];
    char err[FORM_MAX][FORM_ERR_MAX]; /* error beside each field, "" = none */
    bool refused[FORM_MAX];   /* err says a character was not taken (cleared by the next one taken) */
    int focus;
    char pend[4];             /* UTF-8 bytes of a character being typed */
    int npend;
    int pend_need;
};

enum form_result {
    FORM_NONE = 0,            /* key not for the form */
    FORM_CHANGED,             /* handled: redraw */
    FORM_SUBMIT,              /* Enter on the last field and every field is right */
    FORM_BACK,                /* Esc */
};

/* Empty form over ITEMS (N <= FORM_MAX). */
void form_init(struct form *fm, const struct txn_field *items, int n);

/* Fill the fields from T's values / store them back (items with a key). */
void form_load(struct form *fm, const struct txn *t);
void form_store(const struct form *fm, struct txn *t);

/* Text of field I. */
const char *form_text(const struct form *fm, int i);

/* Check field I (trimming ASCII blanks at the ends for FIELD_ASCII fields);
 * sets or clears its error. Returns true when right. */
bool form_check(struct form *fm, int i);

/* Check every field; focus the first wrong one. Returns its index, -1 when all right. */
int form_check_all(struct form *fm);

/* Put an error (e.g. from the records) beside field I and focus it. */
void form_set_error(struct form *fm, int i, const char *text);

/* Index of the item with KEY, or -1. */
int form_index(const struct form *fm, const char *key);

/* Handle KEY. */
enum form_result form_key(struct form *fm, int key);

/*
 * Draw from row Y at column X: label column sized to fit every label, the
 * field FIELD_W columns wide, the error beside it (clipped) and the focused
 * field's whole error wrapped on the line above the hints. Leaves the
 * terminal cursor in the focused field. Returns the rows used.
 */
int form_draw(struct form *fm, int y, int x, int field_w);

/* Zero every field (PIN forms). */
void form_wipe(struct form *fm);

#endif

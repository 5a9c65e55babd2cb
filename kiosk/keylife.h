/*
 * kiosk/keylife.h - THE table of a UKey's life (in the base).
 *
 * A key (the media, named by its token serial) is in one of a few states,
 * and everything that happens to it is an event. One const table of
 * transitions (kiosk/keylife.c) says which event may happen in which state
 * and where it leads; an event with no row from the key's state is refused,
 * with the state's own words saying why and what to do. Events that leave
 * the key where it is (using it: a PIN check, a PIN change, a self-test)
 * are rows too, so "may this key be used" is the same question.
 *
 * The records keep each key's state (data/store.h, keys.state); the engine
 * asks this table before it touches a key and writes the transition and
 * its audit row in one unit of work. `kiosk key states` prints the table as
 * docs/KEYS.md (tests/integration/keys.sh fails when the document drifts).
 */
#ifndef KIOSK_KEYLIFE_H
#define KIOSK_KEYLIFE_H

#include <stdbool.h>
#include <stddef.h>

#include "kiosk/msg.h"

/* The states (their numbers are stored: append only). */
enum key_state {
    KEYST_BLANK = 0,    /* no certificate of ours: may be issued onto */
    KEYST_ISSUED,       /* holds its holder's certificate, in the holder's hands */
    KEYST_LOCKED,       /* too many wrong PINs (ours or the token's own counter) */
    KEYST_HELD,         /* 挂失: reported lost, its certificate on hold */
    KEYST_LOST,         /* lost for good: its certificate revoked */
    KEYST_RETURNED,     /* damaged or found, taken back by the CA */
    KEYST_RETIRED,      /* out of service for good */
    KEYST__COUNT
};

/* What may happen to a key. */
enum key_event {
    KEYEV_ISSUE = 0,    /* a certificate issued onto it (new, renewal, change, replacement) */
    KEYEV_USE,          /* PIN check, PIN change, self-test, renewal's PIN */
    KEYEV_LOCK,         /* the PIN tries ran out */
    KEYEV_UNLOCK,       /* 解锁: a new PIN set through the SO PIN, the counter cleared */
    KEYEV_HOLD,         /* 挂失 */
    KEYEV_RELEASE,      /* 解挂 */
    KEYEV_LOSE,         /* the hold ran out, or a lost-key replacement revoked it */
    KEYEV_TAKE_BACK,    /* handed in to the CA (damaged replacement, found after a loss) */
    KEYEV_WIPE,         /* erased by the CA for reuse */
    KEYEV_RETIRE,       /* taken out of service */
    KEYEV__COUNT
};

struct key_transition {
    enum key_state from;
    enum key_event ev;
    enum key_state to;
};

/* The transition table, and its length. */
extern const struct key_transition keylife_table[];
extern const size_t keylife_ntable;

/* Where EV leads from FROM: 0 and *to set, or -1 when EV may not happen in FROM. */
int keylife_next(enum key_state from, enum key_event ev, enum key_state *to);

/* Every event leads to one state whatever it starts from: *TO, and the
 * states it may start from as bits (1 << state) in *FROM_MASK. -1 when EV
 * has no row. */
int keylife_event(enum key_event ev, enum key_state *to, unsigned *from_mask);

/* May EV happen to a key in state S? */
bool keylife_may(enum key_state s, enum key_event ev);

/*
 * PIN tries left before a key locks: MAX ([token] pin_max_tries) less the
 * wrong PINs FAILS counted in the records, never below 0; 1 when the token
 * itself says its next wrong PIN is the last (TOKEN_FINAL_TRY); 0 when the
 * token says it is locked (TOKEN_LOCKED).
 */
int keylife_pin_left(int max, int fails, bool token_final_try, bool token_locked);

/* Stable ASCII names (records, audit, documents): "blank", "issue", ... */
const char *keylife_state_name(enum key_state s);
const char *keylife_event_name(enum key_event ev);
/* The state named NAME: 0 and *out, or -1. */
int keylife_state_parse(const char *name, enum key_state *out);

/* The catalogue's name of a state (screens), and why a key in state S
 * refuses what was asked and what to do (M_KEYST_WHY_*). */
enum msg_id keylife_state_msg(enum key_state s);
enum msg_id keylife_refusal(enum key_state s);

/* The table as a Markdown document (docs/KEYS.md) into F (a FILE *). */
void keylife_doc(void *f);

#endif

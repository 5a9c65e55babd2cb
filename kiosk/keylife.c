/*
 * kiosk/keylife.c - the one table of a UKey's life (see keylife.h).
 */
#include "kiosk/keylife.h"

#include <stdio.h>
#include <string.h>

#define T(f, e, t) { KEYST_##f, KEYEV_##e, KEYST_##t }

const struct key_transition keylife_table[] = {
    T(BLANK, ISSUE, ISSUED),
    T(ISSUED, ISSUE, ISSUED),       /* renewal, change; or a new order over an inactive certificate */
    T(LOCKED, ISSUE, ISSUED),       /* re-initialised for a new certificate: the lock goes with the PIN */
    T(ISSUED, USE, ISSUED),
    T(ISSUED, LOCK, LOCKED),
    T(LOCKED, LOCK, LOCKED),        /* the token says so again: nothing changes */
    T(LOCKED, UNLOCK, ISSUED),
    T(ISSUED, UNLOCK, ISSUED),      /* a forgotten PIN reset before the key locked */
    T(ISSUED, HOLD, HELD),
    T(LOCKED, HOLD, HELD),
    T(HELD, RELEASE, ISSUED),
    T(HELD, LOSE, LOST),
    T(ISSUED, LOSE, LOST),
    T(LOCKED, LOSE, LOST),
    T(ISSUED, TAKE_BACK, RETURNED),
    T(LOCKED, TAKE_BACK, RETURNED),
    T(HELD, TAKE_BACK, RETURNED),
    T(LOST, TAKE_BACK, RETURNED),
    T(RETURNED, WIPE, BLANK),
    T(BLANK, RETIRE, RETIRED),
    T(RETURNED, RETIRE, RETIRED),
    T(LOST, RETIRE, RETIRED),
};
const size_t keylife_ntable = sizeof keylife_table / sizeof keylife_table[0];

static const struct {
    const char *name;
    enum msg_id label, why;
    const char *doc;
} states[KEYST__COUNT] = {
    [KEYST_BLANK] = { "blank", M_KEYST_BLANK, M_KEYST_WHY_BLANK,
                      "No certificate of ours: a certificate may be issued onto it." },
    [KEYST_ISSUED] = { "issued", M_KEYST_ISSUED, M_KEYST_WHY_ISSUED,
                       "Holds its holder's certificate and is in the holder's hands." },
    [KEYST_LOCKED] = { "locked", M_KEYST_LOCKED, M_KEYST_WHY_LOCKED,
                       "Too many wrong PINs ([token] pin_max_tries, or the token's own counter): "
                       "only 解锁 at window 66 gives it a new PIN." },
    [KEYST_HELD] = { "held", M_KEYST_HELD, M_KEYST_WHY_HELD,
                     "挂失: reported lost; its certificate is on hold (certificateHold on the CRL) "
                     "until released or [ca] hold_days have passed." },
    [KEYST_LOST] = { "lost", M_KEYST_LOST, M_KEYST_WHY_LOST,
                     "Lost for good: its certificate is revoked; if it turns up it is handed in." },
    [KEYST_RETURNED] = { "returned", M_KEYST_RETURNED, M_KEYST_WHY_RETURNED,
                         "Taken back by the CA (damaged, or found after a loss)." },
    [KEYST_RETIRED] = { "retired", M_KEYST_RETIRED, M_KEYST_WHY_RETIRED, "Out of service for good." },
};

static const struct {
    const char *name;
    const char *doc;
} events[KEYEV__COUNT] = {
    [KEYEV_ISSUE] = { "issue", "A certificate is issued onto the key (证书新办, renewal, change, replacement)." },
    [KEYEV_USE] = { "use", "The holder uses it at the counter: PIN check, PIN change, self-test." },
    [KEYEV_LOCK] = { "lock", "The PIN tries ran out (the kiosk's counter or the token's CKF_USER_PIN_LOCKED)." },
    [KEYEV_UNLOCK] = { "unlock", "解锁: SO login with the key's diversified SO PIN, a new user PIN, the counter cleared." },
    [KEYEV_HOLD] = { "hold", "挂失: the holder reports it lost." },
    [KEYEV_RELEASE] = { "release", "解挂: found again, the hold lifted." },
    [KEYEV_LOSE] = { "lose", "The hold ran out, or a lost-key replacement revoked its certificate." },
    [KEYEV_TAKE_BACK] = { "take_back", "Handed in to the CA: damaged-key replacement, or found after a loss." },
    [KEYEV_WIPE] = { "wipe", "Erased by the CA for reuse." },
    [KEYEV_RETIRE] = { "retire", "Taken out of service for good." },
};

int
keylife_next(enum key_state from, enum key_event ev, enum key_state *to)
{
    for (size_t i = 0; i < keylife_ntable; i++)
        if (keylife_table[i].from == from && keylife_table[i].ev == ev) {
            if (to != NULL)
                *to = keylife_table[i].to;
            return 0;
        }
    return -1;
}

int
keylife_event(enum key_event ev, enum key_state *to, unsigned *from_mask)
{
    int found = -1;

    *from_mask = 0;
    for (size_t i = 0; i < keylife_ntable; i++)
        if (keylife_table[i].ev == ev) {
            *to = keylife_table[i].to;
            *from_mask |= 1u << keylife_table[i].from;
            found = 0;
        }
    return found;
}

bool
keylife_may(enum key_state s, enum key_event ev)
{
    return keylife_next(s, ev, NULL) == 0;
}

int
keylife_pin_left(int max, int fails, bool token_final_try, bool token_locked)
{
    int left = max - fails;

    if (token_locked || left < 0)
        left = 0;
    if (token_final_try && left > 1)
        left = 1;
    return left;
}

const char *
keylife_state_name(enum key_state s)
{
    return (int)s >= 0 && s < KEYST__COUNT ? states[s].name : "?";
}

const char *
keylife_event_name(enum key_event ev)
{
    return (int)ev >= 0 && ev < KEYEV__COUNT ? events[ev].name : "?";
}

int
keylife_state_parse(const char *name, enum key_state *out)
{
    for (int i = 0; name != NULL && i < KEYST__COUNT; i++)
        if (strcmp(name, states[i].name) == 0) {
            *out = (enum key_state)i;
            return 0;
        }
    return -1;
}

enum msg_id
keylife_state_msg(enum key_state s)
{
    return (int)s >= 0 && s < KEYST__COUNT ? states[s].label : M_KEYST_UNKNOWN;
}

enum msg_id
keylife_refusal(enum key_state s)
{
    return (int)s >= 0 && s < KEYST__COUNT ? states[s].why : M_KEYST_UNKNOWN;
}

void
keylife_doc(void *fp)
{
    FILE *f = fp;
    int s, e;

    fputs("# The life of a UKey\n\n"
          "Generated by `kiosk key states` from the transition table in `kiosk/keylife.c`;\n"
          "do not edit (tests/integration/keys.sh fails when this file and the table differ).\n\n"
          "A key is named by its token serial. The records keep its state (`keys.state`) and its\n"
          "wrong-PIN counter (`keys.pin_fails`); every change is one unit of work with its audit row\n"
          "(`key.<event>`). An event with no row from the key's state is refused, with the state's\n"
          "words saying why and what to do.\n\n## States\n\n| state | meaning | refused with |\n|---|---|---|\n", f);
    for (s = 0; s < KEYST__COUNT; s++)
        fprintf(f, "| `%s` | %s | %s |\n", states[s].name, states[s].doc, msg_in(states[s].why, LANG_EN));
    fputs("\n## Events\n\n| event | what happens |\n|---|---|\n", f);
    for (e = 0; e < KEYEV__COUNT; e++)
        fprintf(f, "| `%s` | %s |\n", events[e].name, events[e].doc);
    fputs("\n## Transitions\n\nEvery allowed move; anything else is refused.\n\n| from | event | to |\n|---|---|---|\n", f);
    for (size_t i = 0; i < keylife_ntable; i++)
        fprintf(f, "| `%s` | `%s` | `%s` |\n", states[keylife_table[i].from].name, events[keylife_table[i].ev].name,
                states[keylife_table[i].to].name);
    fputs("\n## Allowed events by state\n\n| state |", f);
    for (e = 0; e < KEYEV__COUNT; e++)
        fprintf(f, " %s |", events[e].name);
    fputs("\n|---|", f);
    for (e = 0; e < KEYEV__COUNT; e++)
        fputs("---|", f);
    fputc('\n', f);
    for (s = 0; s < KEYST__COUNT; s++) {
        fprintf(f, "| `%s` |", states[s].name);
        for (e = 0; e < KEYEV__COUNT; e++) {
            enum key_state to;
            if (keylife_next((enum key_state)s, (enum key_event)e, &to) == 0)
                fprintf(f, " %s |", states[to].name);
            else
                fputs(" - |", f);
        }
        fputc('\n', f);
    }
}

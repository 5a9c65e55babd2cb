/*
 * token/token.h - the kiosk's public view of UKeys and the HSM.
 *
 * A small API over libp11 0.4.12 and its quirks (see ../shared/notes.md);
 * nothing above token/ includes libp11.h or touches PKCS#11 directly.
 * Keys are always named by their token serial number, never by slot.
 *
 * Presence: with a real reader a key is present when its slot reports a
 * token. In the embedded hall (ports_dir set) every SoftHSM token exists at
 * once, so a key counts as inserted only while ports_dir holds a marker file
 * named after its serial; `kiosk dev plug|unplug` writes and removes it.
 *
 * Every function returns TOK_OK (0) or a negative enum tok_status; the
 * catalogue text for a status is msg(tok_msg(status)).
 */
#ifndef TOKEN_TOKEN_H
#define TOKEN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "kiosk/msg.h"

typedef struct tok_ctx tok_ctx;

enum tok_status {
    TOK_OK = 0,
    TOK_ERR_MODULE = -1,        /* PKCS#11 module missing or failed to load */
    TOK_ERR_NO_KEY = -2,        /* no key with that serial is inserted */
    TOK_ERR_REMOVED = -3,       /* the key was pulled during the operation */
    TOK_ERR_NO_CERT = -4,       /* the key holds no certificate */
    TOK_ERR_FOREIGN_CERT = -5,  /* the certificate was not issued by our CA */
    TOK_ERR_PIN_INCORRECT = -6, /* wrong PIN */
    TOK_ERR_PIN_LOCKED = -7,    /* too many wrong PINs */
    TOK_ERR_PIN_POLICY = -8,    /* new PIN refused by policy */
    TOK_ERR_HSM = -9,           /* HSM or CA key not reachable */
    TOK_ERR_NOT_BLANK = -10,    /* key already holds a certificate */
    TOK_ERR_VERIFY = -11,       /* read-back or self-test mismatch */
    TOK_ERR_BAD_CERT = -12,     /* certificate cannot be parsed */
    TOK_ERR_INTERNAL = -13,     /* anything else (details in tok_detail) */
};

#define TOK_SERIAL_MAX 17       /* PKCS#11 serialNumber is 16 chars + NUL */

/* A UKey in a reader (the HSM is never listed). */
struct tok_key {
    char serial[TOK_SERIAL_MAX]; /* token serial, trailing blanks trimmed */
    char label[33];              /* token label, trimmed */
    bool initialized;            /* token initialised with a user PIN */
    bool has_cert;               /* at least one certificate object */
};

/* What the kiosk shows and records about a certificate. */
struct tok_cert {
    char subject[512];           /* one line, RFC 2253 */
    char holder[256];            /* company name: O, else CN */
    char uscc[32];               /* USCC from the subject (organizationIdentifier/serialNumber), or "" */
    char serial_hex[80];         /* certificate serial number, upper-case hex */
    char issuer[512];            /* one line, RFC 2253 */
    time_t not_before;           /* validity start, UTC */
    time_t not_after;            /* validity end, UTC */
    bool issued_by_ca;           /* signature verifies with the configured CA certificate */
};

/*
 * Load MODULE and enumerate its slots. PORTS_DIR is the embedded hall's
 * plug-marker directory, or NULL/"" for real readers. HSM_SERIAL names the
 * token that is the HSM (excluded from key lists), may be "". CA_CERT is the
 * issuing CA's PEM certificate used for issued_by_ca (may be NULL).
 * On failure *out is NULL and err says what (naming the module path).
 */
int tok_open(tok_ctx **out, const char *module, const char *ports_dir,
             const char *hsm_serial, const char *ca_cert, char *err, size_t errlen);

/* Log out, free every handle and unload the module. NULL is fine. */
void tok_close(tok_ctx *ctx);

/*
 * Cheap presence poll, meant to be called every ~200 ms from the input loop.
 * Returns 1 when the set of inserted keys changed since the last call
 * (re-enumerating as needed), 0 when not, negative on error.
 */
int tok_poll(tok_ctx *ctx);

/* The inserted UKeys, at most MAX of them, into OUT; *n is set to the count. */
int tok_keys(tok_ctx *ctx, struct tok_key *out, size_t max, size_t *n);

/* Read and parse the first certificate on key SERIAL (no login needed). */
int tok_read_cert(tok_ctx *ctx, const char *serial, struct tok_cert *out);

/* The catalogue entry explaining STATUS. */
enum msg_id tok_msg(int status);

/* A technical detail of the last failure (for logs, not for screens). */
const char *tok_detail(const tok_ctx *ctx);

/*
 * Embedded hall: mark the key named NAME (label or serial) as plugged into /
 * pulled out of the reader. Uses MODULE only to resolve a label to a serial.
 */
int tok_dev_plug(const char *module, const char *ports_dir, const char *name, char *err, size_t errlen);
int tok_dev_unplug(const char *module, const char *ports_dir, const char *name, char *err, size_t errlen);

#endif

/*
 * data/password.h - clerks' password hashes and account rules, backend
 * neutral (data/password.c). store_clerk_check is declared in data/store.h.
 */
#ifndef DATA_PASSWORD_H
#define DATA_PASSWORD_H

#include <stddef.h>

#include "data/store.h"

/* A new hash of PASSWORD into OUT (N bytes). 0, or -1 (no randomness, too small). */
int pw_hash_new(const char *password, char *out, size_t n);

/* Does PASSWORD match the stored hash STORED (the hash is computed in full
 * either way; the comparison is constant-time)? 1 yes, 0 no, -1 when STORED
 * is malformed. */
int pw_hash_match(const char *password, const char *stored);

#endif

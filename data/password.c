/*
 * data/password.c - clerks' passwords, the same for every backend: the
 * rules a login, role, name and password must meet (store_clerk_check) and
 * the password hash (scrypt, N=16384 r=8 p=1, 16-byte salt, 32-byte key,
 * stored as "scrypt$N$r$p$salt$key" in hex). No database here: a backend
 * stores the string and asks pw_hash_match.
 */
#include "data/password.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* scrypt parameters for new password hashes */
#define PW_N 16384u
#define PW_R 8u
#define PW_P 1u
#define PW_SALT 16
#define PW_LEN 32

const char *
store_clerk_check(const char *login, const char *role, const char *name, const char *password)
{
    size_t i;

    if (login != NULL) {
        size_t len = strlen(login);
        if (len == 0 || len > 32)
            return "login: must be 1 to 32 characters";
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)login[i];
            if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
                return "login: only a-z 0-9 . _ - allowed";
        }
    }
    if (role != NULL && strcmp(role, "window66") != 0 && strcmp(role, "window68") != 0
        && strcmp(role, "supervisor") != 0)
        return "role: must be window66, window68 or supervisor";
    if (name != NULL && (name[0] == '\0' || strlen(name) >= sizeof(((struct store_clerk *)0)->name)))
        return "name: must be 1 to 127 bytes";
    if (password != NULL) {
        if (strlen(password) < STORE_PASSWORD_MIN)
            return "password: must be at least 8 characters";
        if (strlen(password) > 1024)
            return "password: longer than 1024 characters";
    }
    return NULL;
}

static int
pw_scrypt(const char *password, const unsigned char *salt, size_t saltlen, uint64_t n, uint32_t r,
          uint32_t p, unsigned char *out, size_t outlen)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[6];
    int ok;

    EVP_KDF_free(kdf);
    if (ctx == NULL)
        return -1;
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)password, strlen(password));
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
    params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
    params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
    params[5] = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(ctx, out, outlen, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok ? 0 : -1;
}

static void
hex_encode(const unsigned char *in, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int
hex_decode(const char *in, unsigned char *out, size_t max, size_t *n)
{
    size_t len = strlen(in), i;

    if (len % 2 != 0 || len / 2 > max)
        return -1;
    for (i = 0; i < len / 2; i++) {
        unsigned int v;
        if (!isxdigit((unsigned char)in[2 * i]) || !isxdigit((unsigned char)in[2 * i + 1])
            || sscanf(in + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return 0;
}

/* "scrypt$N$r$p$salthex$hashhex" for PASSWORD into out. */
int
pw_hash_new(const char *password, char *out, size_t n)
{
    unsigned char salt[PW_SALT], dk[PW_LEN];
    char salthex[2 * PW_SALT + 1], dkhex[2 * PW_LEN + 1];

    if (RAND_bytes(salt, sizeof salt) != 1 || pw_scrypt(password, salt, sizeof salt, PW_N, PW_R, PW_P, dk, sizeof dk) != 0)
        return -1;
    hex_encode(salt, sizeof salt, salthex);
    hex_encode(dk, sizeof dk, dkhex);
    OPENSSL_cleanse(dk, sizeof dk);
    snprintf(out, n, "scrypt$%u$%u$%u$%s$%s", PW_N, PW_R, PW_P, salthex, dkhex);
    return 0;
}

/* 1 when PASSWORD matches STORED, 0 when not, -1 when STORED is malformed. */
int
pw_hash_match(const char *password, const char *stored)
{
    unsigned long long n;
    unsigned int r, p;
    char salthex[129], dkhex[257];
    unsigned char salt[64], want[128], got[128];
    size_t saltlen, dklen;
    int ok;

    if (sscanf(stored, "scrypt$%llu$%u$%u$%128[0-9a-f]$%256[0-9a-f]", &n, &r, &p, salthex, dkhex) != 5)
        return -1;
    if (n < 2 || n > (1u << 22) || r == 0 || r > 64 || p == 0 || p > 16)
        return -1;
    if (hex_decode(salthex, salt, sizeof salt, &saltlen) != 0 || hex_decode(dkhex, want, sizeof want, &dklen) != 0
        || dklen == 0)
        return -1;
    if (pw_scrypt(password, salt, saltlen, (uint64_t)n, r, p, got, dklen) != 0)
        return -1;
    ok = CRYPTO_memcmp(got, want, dklen) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok;
}


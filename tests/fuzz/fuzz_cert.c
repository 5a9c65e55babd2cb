/*
 * tests/fuzz/fuzz_cert.c - libFuzzer target: what a key returns as its
 * certificate, any bytes, parsed by OpenSSL and described by the token
 * layer (tok_cert_describe: holder, USCC, serial, validity, fingerprint,
 * the DER kept) as every read of a key does.
 */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/x509.h>

#include "token/tok_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tok_cert out;
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)size);

    if (x == NULL)
        return 0;
    (void)tok_cert_describe(NULL, x, &out);
    if (out.der_len > sizeof out.der)
        abort();
    X509_free(x);
    return 0;
}

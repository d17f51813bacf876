/* Random tokens from the OS CSPRNG (OpenSSL RAND_bytes), SHA-256 and HMAC-SHA256 in hex. */
#ifndef LOY_UTIL_RAND_H
#define LOY_UTIL_RAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fills buf with n cryptographically random bytes; returns 0, or -1 if the CSPRNG failed. */
int loy_random_bytes(void *buf, size_t n);

/* Writes a token of `bits` random bits (rounded up to a multiple of 5) in Crockford base32
 * (0-9 A-Z without I L O U), upper case, NUL-terminated. 128 bits -> 26 characters.
 * outsz must be >= bits/5 + 2. Returns 0 or -1. */
int loy_random_token(char *out, size_t outsz, int bits);

/* A token as a person or a link may give it (card, unsubscribe and survey tokens): ASCII letters
 * and digits only, 20 characters or more and fewer than outsz, upper-cased into out. False (out
 * "") for anything else, which then names no token. */
bool loy_token_upper(const char *in, char *out, size_t outsz);

/* Uniform random integer in [0, bound) (bound > 0). */
uint64_t loy_random_below(uint64_t bound);

/* Lower-case hex SHA-256 of data (out needs 65 bytes). */
void loy_sha256_hex(const void *data, size_t len, char out[65]);

/* Lower-case hex HMAC-SHA256(key, data) (out needs 65 bytes). */
void loy_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
                         char out[65]);

#endif

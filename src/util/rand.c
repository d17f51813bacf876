/* Random tokens, SHA-256 and HMAC-SHA256 on OpenSSL 3 (see rand.h). */
#include "util/rand.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int loy_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(p, chunk) != 1) return -1;
        p += chunk;
        n -= (size_t)chunk;
    }
    return 0;
}

int loy_random_token(char *out, size_t outsz, int bits)
{
    if (!out || outsz == 0) return -1;
    out[0] = '\0';
    if (bits <= 0 || bits > 4096) return -1;
    size_t nchars = ((size_t)bits + 4) / 5;
    if (outsz < nchars + 1) return -1;
    unsigned char raw[820];
    if (loy_random_bytes(raw, nchars) != 0) return -1;
    /* one byte per character: 256 is a multiple of 32, so the low five bits are uniform */
    for (size_t i = 0; i < nchars; i++) out[i] = crockford[raw[i] & 31];
    out[nchars] = '\0';
    OPENSSL_cleanse(raw, nchars);
    return 0;
}

uint64_t loy_random_below(uint64_t bound)
{
    if (bound <= 1) return 0;
    /* reject the low 2^64 mod bound values so every residue is equally likely */
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t r;
        if (loy_random_bytes(&r, sizeof(r)) != 0) return 0;
        if (r >= threshold) return r % bound;
    }
}

static void to_hex(const unsigned char *md, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * n] = '\0';
}

void loy_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(data ? data : "", len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
        out[0] = '\0';
        return;
    }
    to_hex(md, mdlen, out);
}

void loy_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t mdlen = 0;
    if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key ? key : "", keylen, data ? data : "",
                   len, md, sizeof(md), &mdlen) ||
        mdlen != 32) {
        out[0] = '\0';
        return;
    }
    to_hex(md, mdlen, out);
}

bool loy_token_upper(const char *in, char *out, size_t outsz)
{
    size_t len = in ? strlen(in) : 0;
    bool ok = outsz > 0 && len >= 20 && len < outsz;
    for (size_t i = 0; ok && i < len; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
        out[i] = c;
    }
    if (outsz) out[ok ? len : 0] = '\0';
    return ok;
}

/* Standard Webhooks signatures of a delivery (opt-in): the signed text and its HMAC. Pure but
 * for the hash, which is OpenSSL's (loaded on first use). */
#include "signature.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openssl_lib.h"

/* Decodes base64 into out (room for 3/4 of the input). Returns the length or -1. */
static int base64_decode(const openssl_fns *o, const char *in, unsigned char *out)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 != 0)
        return -1;
    int n = o->EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts the padding as zero bytes */
    for (size_t i = len; i > 0 && in[i - 1] == '='; i--)
        n--;
    return n;
}

bool standard_webhooks_sign(const char *secret, const char *id, long long timestamp, const char *body,
                            char out[SIGNATURE_MAX])
{
    static const char prefix[] = "whsec_";
    const openssl_fns *o = openssl();
    if (!o)
        return false;
    const unsigned char *key = (const unsigned char *)secret;
    int key_len = (int)strlen(secret);
    unsigned char *decoded = NULL;
    bool ok = false;
    char *message = NULL;
    if (strncmp(secret, prefix, sizeof prefix - 1) == 0) {
        const char *b64 = secret + sizeof prefix - 1;
        decoded = malloc(strlen(b64) / 4 * 3 + 3);
        key_len = decoded ? base64_decode(o, b64, decoded) : -1;
        key = decoded;
        if (key_len < 0)
            goto out;
    }
    if (asprintf(&message, "%s.%lld.%s", id, timestamp, body) < 0) {
        message = NULL;
        goto out;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!o->HMAC(o->EVP_sha256(), key, key_len, (const unsigned char *)message, strlen(message), mac, &mac_len))
        goto out;
    memcpy(out, "v1,", 3);
    o->EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)mac_len); /* 32 bytes -> 44 chars + NUL */
    ok = true;
out:
    free(message);
    free(decoded);
    return ok;
}

/* Ids and tokens: UUID v4 text from pooled getrandom bytes (formatted by libuuid), the check
 * of a UUID's text, and opaque tokens. Owns the pool and its lock. */
#include "ids.h"

#include <string.h>
#include <sys/random.h>
#include <uuid/uuid.h>

/* 128 random bits from a per-thread pool of the kernel's random bytes (one getrandom call per
 * 64 ids), made a version 4 UUID and written by libuuid. libuuid's own generator makes five
 * system calls per id (getrandom, getpid, getuid, gettid, getppid): more than a request costs. */
void id_new(char out[UUID_STR_LEN])
{
    static _Thread_local unsigned char pool[16 * 64];
    static _Thread_local size_t used = sizeof pool;
    uuid_t u;
    if (used == sizeof pool) {
        if (getrandom(pool, sizeof pool, 0) != (ssize_t)sizeof pool) {
            uuid_generate_random(u); /* no randomness at hand: libuuid knows other sources */
            uuid_unparse_lower(u, out);
            return;
        }
        used = 0;
    }
    memcpy(u, pool + used, sizeof u);
    used += sizeof u;
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    uuid_unparse_lower(u, out);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool id_is_uuid(const char *s, size_t len)
{
    if (len != 36)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool dash_pos = (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash_pos ? s[i] != '-' : !is_hex(s[i]))
            return false;
    }
    return true;
}

bool token_new(char out[TOKEN_STR_LEN])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[32];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return false;
    for (size_t i = 0; i < sizeof raw; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[64] = '\0';
    return true;
}

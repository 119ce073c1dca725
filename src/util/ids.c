#include "ids.h"

#include <sys/random.h>
#include <uuid/uuid.h>

void id_new(char out[UUID_STR_LEN])
{
    uuid_t u;
    uuid_generate_random(u);
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

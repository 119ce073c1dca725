/* Syntax of delivery addresses: http(s) URLs and STOMP broker addresses. Pure: checks text,
 * resolves and connects to nothing. */
#include "address.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == '~' || c == '%';
}

/* Parses "host[:port]" of exactly len bytes; host may be a bracketed IPv6 literal. */
static bool parse_authority(const char *s, size_t len, char host[ADDRESS_HOST_MAX], unsigned *port)
{
    const char *host_start = s, *host_end, *p;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close || close == s + 1)
            return false;
        host_start = s + 1;
        host_end = close;
        for (p = host_start; p < host_end; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') || *p == ':' ||
                  *p == '.'))
                return false;
        p = close + 1;
    } else {
        for (p = s; p < s + len && *p != ':'; p++)
            if (!is_host_char(*p))
                return false;
        host_end = p;
        if (host_end == host_start)
            return false;
    }
    size_t host_len = (size_t)(host_end - host_start);
    if (host_len >= ADDRESS_HOST_MAX)
        return false;
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';

    if (p == s + len)
        return true; /* no port: the caller's default stays */
    if (*p != ':' || p + 1 == s + len)
        return false;
    unsigned long v = 0;
    for (p++; p < s + len; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > 65535)
            return false;
    }
    if (v == 0)
        return false;
    *port = (unsigned)v;
    return true;
}

static bool has_control_or_space(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return true;
    return false;
}

bool http_url_is_valid(const char *url)
{
    size_t len = strlen(url);
    if (len > URL_MAX_LEN || has_control_or_space(url))
        return false;
    const char *rest;
    if (strncasecmp(url, "http://", 7) == 0)
        rest = url + 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        rest = url + 8;
    else
        return false;
    size_t auth_len = strcspn(rest, "/?#");
    /* userinfo ("user:pass@") is allowed before the host */
    const char *at = NULL;
    for (const char *p = rest; p < rest + auth_len; p++)
        if (*p == '@')
            at = p;
    if (at) {
        auth_len -= (size_t)(at + 1 - rest);
        rest = at + 1;
    }
    char host[ADDRESS_HOST_MAX];
    unsigned port = 0;
    return parse_authority(rest, auth_len, host, &port);
}

bool stomp_address_parse(const char *s, stomp_address *out)
{
    size_t len = strlen(s);
    if (len > URL_MAX_LEN || has_control_or_space(s))
        return false;
    const char *rest;
    if (strncasecmp(s, "stomp://", 8) == 0) {
        out->tls = false;
        out->port = STOMP_PORT_PLAIN;
        rest = s + 8;
    } else if (strncasecmp(s, "stomp+ssl://", 12) == 0) {
        out->tls = true;
        out->port = STOMP_PORT_TLS;
        rest = s + 12;
    } else {
        return false;
    }
    size_t auth_len = strlen(rest);
    if (auth_len > 0 && rest[auth_len - 1] == '/')
        auth_len--;
    return parse_authority(rest, auth_len, out->host, &out->port);
}

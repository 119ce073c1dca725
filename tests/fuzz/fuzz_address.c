/* The addresses an integration delivers to (address.h): webhook and SQS URLs and STOMP broker
 * addresses, any text a create body may carry. A URL taken has the http(s) scheme, no space or
 * control character, at most URL_MAX_LEN bytes; a STOMP address read has a host and a port,
 * and written again as stomp[+ssl]://host:port reads the same. */
#include <strings.h>

#include "address.h"
#include "fuzz.h"

static bool has_control_or_space(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);
    if (http_url_is_valid(s)) {
        FUZZ_ASSERT(strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0);
        FUZZ_ASSERT(strlen(s) <= URL_MAX_LEN && !has_control_or_space(s));
    }
    stomp_address a;
    if (stomp_address_parse(s, &a)) {
        FUZZ_ASSERT(a.tls == (strncasecmp(s, "stomp+ssl://", 12) == 0));
        FUZZ_ASSERT(a.host[0] && strlen(a.host) < ADDRESS_HOST_MAX);
        FUZZ_ASSERT(a.port >= 1 && a.port <= 65535);
        char again[ADDRESS_HOST_MAX + 32];
        bool literal = strchr(a.host, ':') != NULL;
        snprintf(again, sizeof again, "%s://%s%s%s:%u", a.tls ? "stomp+ssl" : "stomp", literal ? "[" : "", a.host,
                 literal ? "]" : "", a.port);
        stomp_address b;
        FUZZ_ASSERT(stomp_address_parse(again, &b));
        FUZZ_ASSERT(b.tls == a.tls && b.port == a.port && strcmp(b.host, a.host) == 0);
    }
    free(s);
    return 0;
}

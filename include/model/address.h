/* Syntax of the addresses an integration delivers to: http(s) URLs and STOMP broker addresses. Pure. */
#ifndef INTEGRATIONSD_ADDRESS_H
#define INTEGRATIONSD_ADDRESS_H

#include <stdbool.h>

#define ADDRESS_HOST_MAX 256
#define URL_MAX_LEN 2048
#define STOMP_PORT_PLAIN 61613
#define STOMP_PORT_TLS 61614

typedef struct stomp_address {
    bool tls;
    char host[ADDRESS_HOST_MAX]; /* without the brackets of an IPv6 literal */
    unsigned port;
} stomp_address;

/* true for "http://host[:port][/path…]" and "https://…" with a well-formed host and port. */
bool http_url_is_valid(const char *url);

/* Parses "stomp://host[:port]" or "stomp+ssl://host[:port]" (an optional trailing '/'). */
bool stomp_address_parse(const char *s, stomp_address *out);

#endif

/* The checks of a request's head (request line and headers) made before any route runs. */
#ifndef INTEGRATIONSD_REQUEST_HEAD_H
#define INTEGRATIONSD_REQUEST_HEAD_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

/* The largest request URL (path and query string) and header block answered by a route; larger
 * ones get 414 and 431. libmicrohttpd is given room beyond these (HEAD_MEMORY: a head of up to
 * about half of it) so that it is this server that answers them, in JSON, rather than
 * libmicrohttpd in HTML. The room costs on every request: libmicrohttpd zeroes the whole of it
 * after each one (256 KiB halved the rate of small GETs), and an idle keep-alive connection keeps
 * it. 64 KiB holds a head of about 30 KiB, or some 900 query parameters. */
#define URL_LIMIT 8192
#define HEADERS_LIMIT 16384
#define HEAD_MEMORY (64 * 1024)

typedef struct head_fault {
    error_code code;
    char detail[192];
} head_fault;

/* false with *fault set when the head must not reach a route: a URL or headers over their limit,
 * an HTTP/1.1 request without exactly one Host, a Host that is not a host name or address, a
 * Content-Length given twice or beside Transfer-Encoding (a body whose end two parties could
 * read differently). */
bool request_head_check(struct MHD_Connection *conn, const char *version, const char *url, head_fault *fault);

#endif

/* Owns the checks of a request's head: sizes, Host and body framing, decided from what
 * libmicrohttpd parsed and before any route runs. Reads the head; answers nothing itself. */
#include "request_head.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct head_tally {
    size_t header_bytes;
    size_t query_bytes;
    int hosts;
    int content_lengths;
    int transfer_encodings;
    const char *host;
} head_tally;

static enum MHD_Result tally_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    head_tally *t = cls;
    t->header_bytes += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    if (strcasecmp(key, "Host") == 0) {
        t->hosts++;
        t->host = value;
    } else if (strcasecmp(key, "Content-Length") == 0) {
        t->content_lengths++;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        t->transfer_encodings++;
    }
    return MHD_YES;
}

static enum MHD_Result tally_argument(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    head_tally *t = cls;
    t->query_bytes += strlen(key) + (value ? strlen(value) + 1 : 0) + 1; /* "=" and "&" */
    return MHD_YES;
}

/* A host name, an IPv4 address or a bracketed IPv6 one, with an optional port: the characters of
 * RFC 3986's host and port, nothing else (no space, no "/", "@" or byte above 0x7f). */
static bool is_host(const char *s)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%:[]";
    return s[0] && strspn(s, allowed) == strlen(s);
}

static bool fail(head_fault *fault, error_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(head_fault *fault, error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fault->detail, sizeof fault->detail, fmt, ap);
    va_end(ap);
    fault->code = code;
    return false;
}

bool request_head_check(struct MHD_Connection *conn, const char *version, const char *url, head_fault *fault)
{
    head_tally t = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, tally_header, &t);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, tally_argument, &t);
    size_t url_bytes = strlen(url) + t.query_bytes;
    if (url_bytes > URL_LIMIT)
        return fail(fault, ERR_URI_TOO_LONG, "The request URL is %zu bytes long; the limit is %d.", url_bytes, URL_LIMIT);
    if (t.header_bytes > HEADERS_LIMIT)
        return fail(fault, ERR_HEADERS_TOO_LARGE, "The request headers are %zu bytes; the limit is %d.",
                    t.header_bytes, HEADERS_LIMIT);
    if (t.hosts > 1)
        return fail(fault, ERR_BAD_REQUEST, "The request has more than one Host header.");
    if (t.hosts == 0 && strcmp(version, MHD_HTTP_VERSION_1_1) == 0)
        return fail(fault, ERR_BAD_REQUEST, "An HTTP/1.1 request needs a Host header.");
    if (t.host && !is_host(t.host))
        return fail(fault, ERR_BAD_REQUEST, "The Host header is not a host name or address with an optional port.");
    if (t.content_lengths > 1)
        return fail(fault, ERR_BAD_REQUEST, "The request has more than one Content-Length header.");
    if (t.content_lengths && t.transfer_encodings)
        return fail(fault, ERR_BAD_REQUEST, "The request has both Content-Length and Transfer-Encoding.");
    return true;
}

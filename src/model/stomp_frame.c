/* STOMP 1.2 frames: encoding, and incremental parsing of what a broker sends. Pure: the
 * sockets are src/delivery/stomp.c's. */
#include "stomp_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool frame_is_unescaped(const char *command)
{
    return strcmp(command, "CONNECT") == 0 || strcmp(command, "CONNECTED") == 0;
}

/* Appends s, escaped when escape is set; the buffer was sized for the worst case (2x). */
static size_t put_escaped(char *out, const char *s, bool escape)
{
    size_t o = 0;
    for (; *s; s++) {
        const char *rep = NULL;
        if (escape) {
            switch (*s) {
            case '\\': rep = "\\\\"; break;
            case '\n': rep = "\\n"; break;
            case '\r': rep = "\\r"; break;
            case ':': rep = "\\c"; break;
            default: break;
            }
        }
        if (rep) {
            out[o++] = rep[0];
            out[o++] = rep[1];
        } else {
            out[o++] = *s;
        }
    }
    return o;
}

char *stomp_frame_encode(const char *command, const char *const *headers, size_t header_count, const char *body,
                         size_t body_len, size_t *out_len)
{
    bool escape = !frame_is_unescaped(command);
    size_t cap = strlen(command) + 1 + body_len + 2;
    for (size_t i = 0; i < 2 * header_count; i++)
        cap += 2 * strlen(headers[i]) + 2;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0;
    o += put_escaped(out + o, command, false);
    out[o++] = '\n';
    for (size_t i = 0; i < header_count; i++) {
        o += put_escaped(out + o, headers[2 * i], escape);
        out[o++] = ':';
        o += put_escaped(out + o, headers[2 * i + 1], escape);
        out[o++] = '\n';
    }
    out[o++] = '\n';
    if (body_len)
        memcpy(out + o, body, body_len);
    o += body_len;
    out[o++] = '\0';
    *out_len = o;
    return out;
}

/* Unescapes s[0..len) into a new string; NULL for an undefined escape (a STOMP 1.2 error). */
static char *unescape(const char *s, size_t len, bool escaped)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (!escaped || s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        char c = ++i < len ? s[i] : '\0';
        switch (c) {
        case '\\': out[o++] = '\\'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 'c': out[o++] = ':'; break;
        default: free(out); return NULL;
        }
    }
    out[o] = '\0';
    return out;
}

/* The line starting at p (before end) without its "\n" or "\r\n"; NULL when not complete. */
static const char *line_end(const char *p, const char *end, size_t *line_len)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return NULL;
    *line_len = (size_t)(nl - p) - (nl > p && nl[-1] == '\r');
    return nl + 1;
}

stomp_parse_result stomp_frame_parse(const char *buf, size_t len, stomp_frame *out, size_t *consumed)
{
    memset(out, 0, sizeof *out);
    const char *p = buf, *end = buf + len;
    while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')))
        p += *p == '\r' ? 2 : 1; /* heart-beats */
    *consumed = (size_t)(p - buf);
    if (p == end || (end - p == 1 && *p == '\r'))
        return STOMP_PARSE_MORE;

    size_t n;
    const char *next = line_end(p, end, &n);
    if (!next)
        return (size_t)(end - p) > STOMP_MAX_FRAME ? STOMP_PARSE_MALFORMED : STOMP_PARSE_MORE;
    if (n == 0 || n > 64)
        return STOMP_PARSE_MALFORMED;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 'A' || p[i] > 'Z') /* every STOMP command is upper-case letters */
            return STOMP_PARSE_MALFORMED;
    out->command = strndup(p, n);
    if (!out->command) /* out of memory: the connection is given up like a malformed one */
        goto malformed;
    bool escaped = !frame_is_unescaped(out->command);
    p = next;

    const char *content_length = NULL;
    for (;;) {
        next = line_end(p, end, &n);
        if (!next)
            goto more;
        if (n == 0) {
            p = next;
            break;
        }
        const char *colon = memchr(p, ':', n);
        if (!colon || memchr(p, '\0', n) || out->header_count == STOMP_MAX_HEADERS)
            goto malformed;
        stomp_header *h = &out->headers[out->header_count];
        h->name = unescape(p, (size_t)(colon - p), escaped);
        h->value = unescape(colon + 1, n - (size_t)(colon - p) - 1, escaped);
        out->header_count++;
        if (!h->name || !h->value)
            goto malformed;
        if (!content_length && strcmp(h->name, "content-length") == 0)
            content_length = h->value;
        p = next;
    }

    size_t body_len;
    if (content_length) {
        char *digits_end;
        unsigned long long v = strtoull(content_length, &digits_end, 10);
        if (*content_length < '0' || *content_length > '9' || *digits_end || v > STOMP_MAX_FRAME)
            goto malformed;
        body_len = (size_t)v;
        if ((size_t)(end - p) < body_len + 1)
            goto more;
        if (p[body_len] != '\0')
            goto malformed;
    } else {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul)
            goto more;
        body_len = (size_t)(nul - p);
    }
    out->body = malloc(body_len + 1);
    if (!out->body)
        goto malformed;
    memcpy(out->body, p, body_len);
    out->body[body_len] = '\0';
    out->body_len = body_len;
    *consumed = (size_t)(p + body_len + 1 - buf);
    return STOMP_PARSE_FRAME;
more:
    stomp_frame_clear(out);
    return len - *consumed > STOMP_MAX_FRAME ? STOMP_PARSE_MALFORMED : STOMP_PARSE_MORE;
malformed:
    stomp_frame_clear(out);
    return STOMP_PARSE_MALFORMED;
}

const char *stomp_frame_header(const stomp_frame *f, const char *name)
{
    for (size_t i = 0; i < f->header_count; i++)
        if (f->headers[i].name && strcmp(f->headers[i].name, name) == 0)
            return f->headers[i].value;
    return NULL;
}

void stomp_frame_clear(stomp_frame *f)
{
    free(f->command);
    for (size_t i = 0; i < f->header_count; i++) {
        free(f->headers[i].name);
        free(f->headers[i].value);
    }
    free(f->body);
    memset(f, 0, sizeof *f);
}

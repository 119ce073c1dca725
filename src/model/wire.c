/* Owns the shape of a delivery record's request and response: header blocks read into objects,
 * bodies kept as valid UTF-8 up to WIRE_BODY_MAX. Pure: the capture is the transports'. */
#include "wire.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "strbuf.h"
#include "timestamp.h"

json_t *wire_http_headers(const char *block, size_t len, char *method, size_t method_size)
{
    json_t *headers = json_object();
    if (method && method_size)
        method[0] = '\0';
    bool first = method != NULL; /* a request line to read first */
    for (const char *p = block, *end = block + len; headers && p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((eol ? eol : end) - p);
        if (n && p[n - 1] == '\r')
            n--;
        if (first) {
            size_t word = strcspn(p, " \r\n");
            if (word > n)
                word = n;
            if (word < method_size) {
                memcpy(method, p, word);
                method[word] = '\0';
            }
            first = false;
        } else if (n) {
            const char *colon = memchr(p, ':', n);
            if (colon) {
                const char *value = colon + 1;
                while (value < p + n && (*value == ' ' || *value == '\t'))
                    value++;
                char *name = strndup(p, (size_t)(colon - p)), *text = strndup(value, (size_t)(p + n - value));
                char *name_ok = name ? utf8_clean(name, strlen(name), 1024) : NULL;
                char *text_ok = text ? utf8_clean(text, strlen(text), 8192) : NULL;
                if (name_ok && text_ok)
                    json_object_set_new(headers, name_ok, json_string(text_ok));
                free(name);
                free(text);
                free(name_ok);
                free(text_ok);
            }
        }
        p = eol ? eol + 1 : end;
    }
    return headers;
}

/* Sets "body" (and "truncated") of a record part. */
static bool put_body(json_t *part, const char *body, size_t len)
{
    size_t kept = len > WIRE_BODY_MAX ? WIRE_BODY_MAX : len;
    char *text = utf8_clean(body ? body : "", body ? kept : 0, WIRE_BODY_MAX);
    bool ok = text && json_object_set_new(part, "body", json_string(text)) == 0;
    free(text);
    if (ok && len > WIRE_BODY_MAX)
        ok = json_object_set_new(part, "truncated", json_true()) == 0;
    return ok;
}

static char *finish(json_t *part, const char *body, size_t len)
{
    char *text = part && put_body(part, body, len) ? json_dumps(part, JSON_COMPACT) : NULL;
    json_decref(part);
    return text;
}

char *wire_request(const char *method, const char *url, json_t *headers, const char *body, size_t body_len)
{
    json_t *part = json_pack("{s:s, s:s, s:o}", "method", method, "url", url ? url : "",
                             "headers", headers ? headers : json_object());
    return finish(part, body, body_len);
}

char *wire_response(int status, json_t *headers, const char *body, size_t body_len)
{
    json_t *part = json_pack("{s:o, s:o}", "status", status < 0 ? json_null() : json_integer(status),
                             "headers", headers ? headers : json_object());
    return finish(part, body, body_len);
}

/* "key": then the value as it comes: a string (escaped), or JSON text written here already. */
static void put_key(strbuf *out, const char *key)
{
    strbuf_lit(out, ",\"");
    strbuf_puts(out, key);
    strbuf_lit(out, "\":");
}

static void put_string(strbuf *out, const char *key, const char *value)
{
    put_key(out, key);
    strbuf_json_string(out, value ? value : "");
}

static void put_json(strbuf *out, const char *key, const char *json)
{
    put_key(out, key);
    strbuf_puts(out, json ? json : "null");
}

void delivery_record_write(strbuf *out, const delivery_record *d)
{
    char started[TIMESTAMP_LEN], finished[TIMESTAMP_LEN], number[32];
    timestamp_format(d->started_ms, started);
    timestamp_format(d->finished_ms, finished);
    strbuf_lit(out, "{\"id\":");
    strbuf_json_string(out, d->id);
    put_json(out, "type", "\"delivery\"");
    put_string(out, "job_id", d->job_id);
    put_string(out, "integration_id", d->integration_id);
    put_string(out, "trigger", d->trigger);
    snprintf(number, sizeof number, "%d", d->attempt);
    put_json(out, "attempt", number);
    put_string(out, "transport", d->transport);
    put_json(out, "succeeded", d->succeeded ? "true" : "false");
    put_json(out, "request", d->request); /* JSON written by wire_request */
    put_json(out, "response", d->response);
    put_string(out, "error_detail", d->error_detail);
    snprintf(number, sizeof number, "%.1f", d->duration_ms);
    put_json(out, "duration_ms", number);
    strbuf_lit(out, ",\"meta\":{\"timestamps\":{\"started_at\":");
    strbuf_json_string(out, started);
    put_string(out, "finished_at", finished);
    strbuf_lit(out, "}}}");
}

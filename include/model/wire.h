/* What went over the wire in one delivery attempt, as the emulator's delivery records show it:
 * the request (method, url, headers, body) and the peer's answer (status, headers, body), each a
 * JSON object's text, bodies cut at WIRE_BODY_MAX. Pure. */
#ifndef INTEGRATIONSD_WIRE_H
#define INTEGRATIONSD_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_BODY_MAX (64 * 1024)

struct strbuf;

/* A delivery record as the store keeps it (texts valid while the row is read). */
typedef struct delivery_record {
    const char *id; /* the log id of the attempt */
    const char *job_id;
    const char *integration_id;
    const char *trigger;
    const char *transport;
    int attempt;
    bool succeeded;
    const char *request;  /* JSON object text, or NULL */
    const char *response; /* JSON object text, or NULL */
    const char *error_detail;
    double duration_ms;
    int64_t started_ms;
    int64_t finished_ms;
} delivery_record;

/* Writes the record as the API shows it: {"id","type":"delivery",…,"meta":{"timestamps":…}}. */
void delivery_record_write(struct strbuf *out, const delivery_record *d);

/* Headers of an HTTP header block ("POST /x HTTP/1.1\r\nName: value\r\n…"): the object of its
 * header lines; the first line's first word into method (a buffer of method_size). With method
 * NULL the block has header lines only. */
json_t *wire_http_headers(const char *block, size_t len, char *method, size_t method_size);

/* {"method","url","headers","body"} (+ "truncated": true); headers is stolen. NULL when out of memory. */
char *wire_request(const char *method, const char *url, json_t *headers, const char *body, size_t body_len);

/* {"status","headers","body"} (+ "truncated": true); status < 0 is null (a STOMP frame's answer);
 * headers is stolen. */
char *wire_response(int status, json_t *headers, const char *body, size_t body_len);

#endif

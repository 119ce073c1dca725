/* libmicrohttpd glue: request bodies with a size limit, JSON responses, CORS, request ids.
 * Knows nothing of integrations: handlers come from the route table given to http_start. */
#ifndef INTEGRATIONSD_HTTP_H
#define INTEGRATIONSD_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "router.h"

typedef struct http_server http_server;

typedef struct http_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *body;      /* NUL-terminated; NULL when there was none */
    size_t body_len;
    route_params params;
} http_request;

typedef struct http_response {
    int status;
    json_t *json;          /* owned; NULL = no body (204) */
    char *text;            /* owned JSON text written by hand; sent instead of json when set */
} http_response;

typedef void (*http_handler)(void *app, const http_request *req, http_response *res);

typedef struct http_options {
    const char *bind;
    unsigned port;
    size_t max_body;
    unsigned threads;
    const route *routes;
    size_t route_count;
    void *app;
} http_options;

/* Binds and listens (nothing is served yet); NULL after printing why. */
http_server *http_bind(const http_options *opt);
/* The port actually bound (useful with port 0), known before serving starts. */
unsigned http_port(const http_server *s);
/* Starts answering requests; false after printing why. */
bool http_serve(http_server *s);
/* Stops accepting, lets the requests in flight finish (up to 3 s), frees everything. */
void http_stop(http_server *s);

/* Header or query value of the request, NULL when absent. */
const char *http_header(const http_request *req, const char *name);
const char *http_query(const http_request *req, const char *name);

/* Sets an error response with one error object. */
void http_error(http_response *res, int status, const char *title, const char *detail, const char *source);
/* Sets a response whose body is json (stolen). */
void http_json(http_response *res, int status, json_t *json);
/* Sets a response whose body is JSON text already written (stolen; NULL = out of memory: 500). */
void http_json_text(http_response *res, int status, char *text);

#endif

/* libmicrohttpd glue: request bodies with a size limit, JSON responses, CORS, request ids.
 * Knows nothing of integrations: handlers come from the route table given to http_start. */
#ifndef INTEGRATIONSD_HTTP_H
#define INTEGRATIONSD_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "router.h"

typedef struct http_server http_server;
typedef struct http_wait http_wait;

typedef struct http_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *body;      /* NUL-terminated; NULL when there was none */
    size_t body_len;
    route_params params;
    http_wait *wait;       /* the request's own slot for an answer given later (http_defer) */
} http_request;

/* A body that lives as long as the server (a file built into it): sent as it is, never copied. */
typedef struct http_static {
    const char *content_type;
    const void *data;
    size_t size;
} http_static;

typedef struct http_response {
    int status;
    json_t *json;          /* owned; with text NULL too, the answer has an empty body */
    char *text;            /* owned text written by hand; sent instead of json when set */
    const char *text_type; /* the Content-Type of text; NULL: JSON */
    http_static fixed;     /* sent when its data is set (http_static_body) */
    bool deferred;         /* set by http_defer: the answer comes later */
} http_response;

/* A handler, or the continuation of a deferred one: ctx is the app for a handler, the
 * handler's own state for a continuation. */
typedef route_handler *http_handler;

/* For a handler whose answer waits for something (a commit, a timer): the connection is set
 * aside without holding a thread until http_wake(the returned handle) is called, from any
 * thread; then resume(ctx, req, res) runs on an HTTP thread and answers, or defers again. When
 * the client has gone by then, discard(ctx) runs instead. The handler returns right after
 * arranging for the wake. */
http_wait *http_defer(const http_request *req, http_response *res, http_handler resume, void (*discard)(void *ctx),
                      void *ctx);
/* http_defer whose continuation runs once delay_ms have passed: one timer thread wakes every such
 * answer (none holds a thread while it waits); at shutdown they are woken at once. */
void http_defer_for(const http_request *req, http_response *res, int64_t delay_ms, http_handler resume,
                    void (*discard)(void *ctx), void *ctx);
/* fire(arg) once delay_ms have passed, on the timer thread (at once when the server is stopping):
 * for an answer that waits for one of two things, say a record or a time limit. */
void http_timer(const http_request *req, int64_t delay_ms, void (*fire)(void *arg), void *arg);
/* The deferred answer can be given now. Called once per http_defer. */
void http_wake(http_wait *w);

/* When set, runs instead of every matched route's handler, with that handler: it answers, defers,
 * or calls handler(ctx, req, res) (the emulator's forced answers and delays). */
typedef void http_intercept(void *ctx, route_handler *handler, const http_request *req, http_response *res);

typedef struct http_options {
    const char *bind;
    unsigned port;
    size_t max_body;
    unsigned threads;
    unsigned max_connections; /* open at once; more wait in the listen queue */
    int64_t header_timeout_ms; /* deadlines no trickle extends (deadlines.h) */
    int64_t body_timeout_ms;
    int64_t idle_timeout_ms;
    unsigned max_idle_connections; /* kept alive while idle; the oldest goes past it */
    const route *routes;
    size_t route_count;
    http_intercept *intercept; /* NULL: handlers run directly */
    void *app;
} http_options;

/* Binds and listens (nothing is served yet); NULL after printing why. */
http_server *http_bind(const http_options *opt);
/* The port actually bound (useful with port 0), known before serving starts. */
unsigned http_port(const http_server *s);
/* Starts answering requests; false after printing why. */
bool http_serve(http_server *s);
/* Stops accepting, lets the requests in flight finish (up to 3 s; a deferred answer is always
 * waited for), frees everything. */
void http_stop(http_server *s);

/* Header or query value of the request, NULL when absent. */
const char *http_header(const http_request *req, const char *name);
const char *http_query(const http_request *req, const char *name);
/* Calls visit(name, value, ctx) for every header, or every query argument, in the order received. */
typedef void http_visitor(const char *name, const char *value, void *ctx);
void http_each_header(const http_request *req, http_visitor *visit, void *ctx);
void http_each_query(const http_request *req, http_visitor *visit, void *ctx);

/* The caller's store, once a handler knows it: the access log shows it. */
void http_note_store(const http_request *req, const char *store_id);

/* Sets an error response with one error object (detail NULL = the error's own). */
void http_error(http_response *res, error_code code, const char *detail);
/* Sets an error response from an array of error objects (stolen): the status is the first's. */
void http_errors(http_response *res, json_t *errors);
/* Sets a response whose body is json (stolen; NULL, a document that could not be built: 500). */
void http_json(http_response *res, int status, json_t *json);
/* Sets a response whose body is text (stolen; NULL = out of memory: 500) of the given Content-Type. */
void http_text(http_response *res, int status, char *text, const char *content_type);
/* Sets a 204 without a body. */
void http_no_content(http_response *res);
/* Sets a response whose body is JSON text already written (stolen; NULL = out of memory: 500). */
void http_json_text(http_response *res, int status, char *text);
/* Sets a 200 whose body is body->data, which outlives the server. It may be kept by the browser
 * but is checked again each time (Cache-Control: no-cache); an HTML page may load only what this
 * server serves (Content-Security-Policy). */
void http_static_body(http_response *res, const http_static *body);

#endif

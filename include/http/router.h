/* Route matching (spec §4): literal segments before {captures}, trailing slash tolerated. Pure. */
#ifndef INTEGRATIONSD_ROUTER_H
#define INTEGRATIONSD_ROUTER_H

#include <stddef.h>

#define ROUTE_MAX_PARAMS 4
#define ROUTE_ALLOW_LEN 64

typedef struct route_param {
    const char *ptr; /* points into the request path; not NUL-terminated */
    size_t len;
} route_param;

typedef struct route_params {
    route_param v[ROUTE_MAX_PARAMS];
    size_t count;
} route_params;

struct http_request;
struct http_response;

/* A handler: ctx is the application's (http_options.app). The type of every route's handler and
 * of http.h's http_handler, so that a handler of another signature does not compile. */
typedef void route_handler(void *ctx, const struct http_request *req, struct http_response *res);

/* A route: method ("*": any), a pattern such as "/v2/integrations/{id}/logs", and its handler. */
typedef struct route {
    const char *method;
    const char *pattern;
    route_handler *handler;
} route;

typedef enum {
    ROUTE_FOUND,
    ROUTE_NO_PATH,   /* 404 */
    ROUTE_NO_METHOD  /* 405; allow holds "GET, POST" */
} route_result;

/* Finds the route for method+path. Among patterns that match the path, one whose segment is
 * literal wins over a capture at the first position where they differ. */
route_result router_match(const route *table, size_t n, const char *method, const char *path,
                          const route **found, route_params *params, char allow[ROUTE_ALLOW_LEN]);

#endif

/* The emulator's forced answers and delays on the real routes (`Prefer: code=…, delay=…`), for
 * front-end work on error and loading states. Installed as the HTTP layer's intercept unless
 * --no-emulator; it never touches the store, and a delay holds no thread (http_defer_for). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "prefer.h"

/* The routes of the real service that a Prefer header may act on: those under /v2/, and the token route. */
static bool preferable(const http_request *req, route_handler *handler)
{
    return handler == api_token || strncmp(req->path, "/v2/", 4) == 0;
}

static void forced_answer(http_response *res, int status)
{
    char detail[64];
    snprintf(detail, sizeof detail, "Forced by Prefer: code=%d", status);
    json_t *errors = json_array();
    errors_add_forced(errors, status, detail);
    http_errors(res, errors);
}

/* A request held back by `delay`, and what comes after it. */
typedef struct delayed {
    route_handler *handler;
    void *app;
    int code; /* 0: the request is done as usual */
} delayed;

static void delayed_answer(void *ctx, const http_request *req, http_response *res)
{
    delayed d = *(delayed *)ctx;
    free(ctx);
    if (d.code)
        forced_answer(res, d.code);
    else
        d.handler(d.app, req, res);
}

void api_intercept(void *ctx, route_handler *handler, const http_request *req, http_response *res)
{
    const char *header = preferable(req, handler) ? http_header(req, "Prefer") : NULL;
    if (!header) {
        handler(ctx, req, res);
        return;
    }
    prefer p;
    char why[160];
    if (!prefer_parse(header, &p, why, sizeof why)) {
        json_t *errors = json_array();
        errors_add(errors, ERR_BAD_REQUEST, why, "Prefer");
        http_errors(res, errors);
        return;
    }
    if (p.delay_ms == 0) {
        if (p.code)
            forced_answer(res, p.code); /* before anything else, authentication included */
        else
            handler(ctx, req, res);
        return;
    }
    delayed *d = malloc(sizeof *d);
    if (!d) {
        api_build_error(res);
        return;
    }
    *d = (delayed){handler, ctx, p.code};
    http_defer_for(req, res, p.delay_ms, delayed_answer, free, d);
}

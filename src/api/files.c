/* Serves the files built into the binary (embedded.h): the inspector page at /emulator/ui with
 * its script and style at /emulator/ui/{file}, and the OpenAPI document. No store, no token: a
 * page loads before it signs in, and a client reads the document before it has credentials. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "embedded.h"
#include "errors.h"

static const char *content_type_of(const char *path)
{
    static const struct {
        const char *suffix, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
    };
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t k = strlen(types[i].suffix);
        if (n > k && strcmp(path + n - k, types[i].suffix) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

/* The file at path (below the repository's root), or a 404 in res. */
static void send_file(const char *path, http_response *res)
{
    for (size_t i = 0; i < embedded_file_count; i++) {
        const embedded_file *f = &embedded_files[i];
        if (strcmp(f->path, path) == 0) {
            http_static_body(res, &(http_static){content_type_of(path), f->data, f->size});
            return;
        }
    }
    http_error(res, ERR_NO_ROUTE, NULL);
}

void api_ui_page(void *ctx, const http_request *req, http_response *res)
{
    (void)ctx;
    (void)req;
    send_file("ui/index.html", res);
}

void api_ui_file(void *ctx, const http_request *req, http_response *res)
{
    (void)ctx;
    char path[128];
    const route_param *name = &req->params.v[0];
    /* one segment of the router's: no "/" in it, so nothing outside ui/ can be named */
    if (name->len < sizeof path - 4 && !(name->len == 10 && memcmp(name->ptr, "index.html", 10) == 0)) {
        snprintf(path, sizeof path, "ui/%.*s", (int)name->len, name->ptr);
        send_file(path, res);
    } else {
        http_error(res, ERR_NO_ROUTE, NULL);
    }
}

void api_openapi(void *ctx, const http_request *req, http_response *res)
{
    (void)ctx;
    (void)req;
    send_file("openapi.json", res);
}

/* What every handler shares: JSON bodies, base URLs, page parameters, path ids, the
 * hand-off of a write to the committer (api_submit) and /health. Holds no state of its own but the
 * page cache it opens; never touches SQL or libmicrohttpd directly. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "page_cache.h"

json_t *api_parse_json(const http_request *req, http_response *res)
{
    json_error_t err;
    json_t *doc = json_loadb(req->body ? req->body : "", req->body_len, JSON_DECODE_ANY, &err);
    if (!doc) {
        char detail[JSON_ERROR_TEXT_LENGTH + 96];
        snprintf(detail, sizeof detail, "Request body is not valid JSON: %s at line %d column %d", err.text, err.line,
                 err.column);
        http_error(res, ERR_BAD_REQUEST, detail);
    }
    return doc;
}

void api_base_url(const app *a, const http_request *req, char out[BASE_URL_MAX])
{
    if (a->public_url[0]) {
        snprintf(out, BASE_URL_MAX, "%s", a->public_url);
        return;
    }
    const char *host = http_header(req, "Host");
    if (host && host[0] && strlen(host) < BASE_URL_MAX - 16)
        snprintf(out, BASE_URL_MAX, "http://%s", host);
    else
        snprintf(out, BASE_URL_MAX, "%s", a->default_base_url);
}

bool api_page(const http_request *req, http_response *res, page *p)
{
    json_t *errors = json_array();
    if (!page_parse_limit(http_query(req, "page[limit]"), &p->limit))
        errors_add(errors, ERR_BAD_REQUEST, "page[limit] must be a non-negative integer.", "page[limit]");
    if (!page_parse_offset(http_query(req, "page[offset]"), &p->offset))
        errors_add(errors, ERR_BAD_REQUEST, "page[offset] must be a non-negative integer.", "page[offset]");
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return true;
    }
    http_errors(res, errors);
    return false;
}

bool api_param_id(const http_request *req, size_t i, char out[UUID_STR_LEN])
{
    const route_param *p = &req->params.v[i];
    if (i >= req->params.count || !id_is_uuid(p->ptr, p->len))
        return false;
    for (size_t k = 0; k < p->len; k++)
        out[k] = (char)tolower((unsigned char)p->ptr[k]);
    out[p->len] = '\0';
    return true;
}

void api_list_begin(list_page *l, size_t expected)
{
    strbuf_reserve(&l->out, expected);
    page_list_begin(&l->out);
}

bool api_list_end(list_page *l, db_status read, const page *p, long total, const char *list_url, http_response *res,
                  char **text, size_t *len)
{
    if (read != DB_OK) {
        strbuf_free(&l->out);
        api_storage_error(res);
        return false;
    }
    page_list_end(&l->out, p, total, list_url);
    *len = l->out.len;
    *text = strbuf_take(&l->out);
    return true;
}

/* A whole number in [min, max] from the query parameter `name`; absent: true, *out untouched. */
bool api_query_number(const http_request *req, const char *name, long min, long max, long *out, json_t *errors)
{
    const char *v = http_query(req, name);
    if (!v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || n < min || n > max) {
        char detail[128];
        snprintf(detail, sizeof detail, "%s must be a whole number from %ld to %ld.", name, min, max);
        errors_add(errors, ERR_BAD_REQUEST, detail, name);
        return false;
    }
    *out = n;
    return true;
}

void api_storage_error(http_response *res)
{
    http_error(res, ERR_STORAGE, NULL);
}

void api_build_error(http_response *res)
{
    http_error(res, ERR_RESPONSE, NULL);
}

/* The committer's word that a write is done: the request waiting for it can answer. */
static void wake_request(db_write *w)
{
    http_wake(w->done_ctx);
}

void api_submit(app *a, const http_request *req, http_response *res, db_write *w, http_handler answer,
                void (*discard)(void *ctx), void *ctx)
{
    w->done = wake_request;
    w->done_ctx = http_defer(req, res, answer, discard, ctx);
    db_submit(a->db, w);
}

void api_health(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    app *a = ctx;
    if (a->db)
        http_json(res, 200, json_pack("{s:s}", "status", "ok"));
    else
        http_error(res, ERR_DB_CLOSED, NULL);
}

bool api_open(app *a)
{
    a->pages = page_cache_new();
    a->sinks = sinks_new();
    a->faults = faults_new();
    return a->pages && a->sinks && a->faults;
}

void api_close(app *a)
{
    page_cache_free(a->pages);
    sinks_free(a->sinks);
    faults_free(a->faults);
    a->pages = NULL;
    a->sinks = NULL;
    a->faults = NULL;
}

/* /v2/integrations: create, list, get, update, delete, attributes (spec §4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "strbuf.h"
#include "timestamp.h"

static void not_found(http_response *res)
{
    http_error(res, 404, "Integration not found", "No integration with this id exists in the store.", NULL);
}

/* {"data": <integration>}: the answer of create/get/update and the payload of its events. */
static json_t *integration_document(app *a, const http_request *req, const integration *it)
{
    char base[BASE_URL_MAX];
    api_base_url(a, req, base);
    return json_pack("{s:o}", "data", integration_render(it, base));
}

static char *to_text(const json_t *doc)
{
    return json_dumps(doc, JSON_COMPACT);
}

static void reject(http_response *res, json_t *errors)
{
    http_json(res, 400, errors_document(json_incref(errors)));
}

void api_integration_create(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    if (!api_authenticate(a, req, res, store_id))
        return;
    json_t *body = api_parse_json(req, res);
    if (!body)
        return;
    json_t *errors = json_array(), *doc = NULL;
    char *payload = NULL;
    integration it = {0};
    if (!integration_from_create(body, errors, &it)) {
        reject(res, errors);
        goto out;
    }
    id_new(it.id);
    it.created_at_ms = it.updated_at_ms = now_ms();
    doc = integration_document(a, req, &it);
    payload = to_text(doc);
    switch (db_integration_insert(a->db, store_id, &it, a->cfg->max_integrations, payload)) {
    case DB_OK:
        http_json(res, 201, json_incref(doc));
        break;
    case DB_LIMIT: {
        char title[96];
        snprintf(title, sizeof title, "You have reached the integration limit of %ld", a->cfg->max_integrations);
        http_error(res, 400, title, "Delete an integration before creating another.", NULL);
        break;
    }
    default:
        api_storage_error(res);
    }
out:
    integration_clear(&it);
    json_decref(errors);
    json_decref(body);
    json_decref(doc);
    free(payload);
}

/* {"data":[…items…],"links":…,"meta":…}: the envelope is built as usual with an empty data
 * array, then the items, written as text, go in its place (data is the first key). */
static char *list_text(const integration_listing *rows, size_t count, const page *p, long total, const char *base,
                       const char *list_url)
{
    static const char empty_data[] = "{\"data\":[]";
    json_t *shape = page_envelope(json_array(), p, total, list_url);
    char *envelope = json_dumps(shape, JSON_COMPACT);
    json_decref(shape);
    strbuf out = {0};
    if (!envelope || strncmp(envelope, empty_data, sizeof empty_data - 1) != 0) {
        free(envelope);
        return NULL;
    }
    strbuf_puts(&out, "{\"data\":[");
    for (size_t i = 0; i < count; i++) {
        if (i)
            strbuf_append(&out, ",", 1);
        integration_write_json(&out, &rows[i], base);
    }
    strbuf_puts(&out, envelope + sizeof empty_data - 2); /* from the closing ']' on */
    free(envelope);
    return strbuf_take(&out);
}

void api_integration_list(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN], base[BASE_URL_MAX], list_url[BASE_URL_MAX + 32];
    page p;
    if (!api_authenticate(a, req, res, store_id) || !api_page(req, res, &p))
        return;
    integration_listing rows[PAGE_LIMIT_MAX];
    size_t count = 0;
    long total = 0;
    if (db_integration_list(a->db, store_id, p.limit, p.offset, rows, &count, &total) != DB_OK) {
        api_storage_error(res);
        goto out;
    }
    api_base_url(a, req, base);
    snprintf(list_url, sizeof list_url, "%s/v2/integrations", base);
    http_json_text(res, 200, list_text(rows, count, &p, total, base, list_url));
out:
    for (size_t i = 0; i < count; i++)
        integration_listing_clear(&rows[i]);
}

/* Authenticates and loads the integration of the path; false with the answer in res. */
static bool load_integration(app *a, const http_request *req, http_response *res, char store_id[UUID_STR_LEN],
                             integration *it)
{
    char id[UUID_STR_LEN];
    if (!api_authenticate(a, req, res, store_id))
        return false;
    if (!api_param_id(req, 0, id)) {
        not_found(res);
        return false;
    }
    switch (db_integration_get(a->db, store_id, id, it)) {
    case DB_OK:
        return true;
    case DB_NOT_FOUND:
        not_found(res);
        return false;
    default:
        api_storage_error(res);
        return false;
    }
}

void api_integration_get(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    integration it = {0};
    if (load_integration(a, req, res, store_id, &it))
        http_json(res, 200, integration_document(a, req, &it));
    integration_clear(&it);
}

void api_integration_update(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    integration stored = {0}, merged = {0};
    json_t *body = NULL, *errors = json_array(), *doc = NULL;
    char *payload = NULL;
    if (!load_integration(a, req, res, store_id, &stored) || !(body = api_parse_json(req, res)))
        goto out;
    if (!integration_from_update(body, &stored, stored.id, errors, &merged)) {
        reject(res, errors);
        goto out;
    }
    int64_t now = now_ms();
    merged.updated_at_ms = now > stored.updated_at_ms ? now : stored.updated_at_ms + 1;
    doc = integration_document(a, req, &merged);
    payload = to_text(doc);
    switch (db_integration_update(a->db, store_id, &merged, payload)) {
    case DB_OK:
        http_json(res, 200, json_incref(doc));
        break;
    case DB_NOT_FOUND: /* deleted meanwhile */
        not_found(res);
        break;
    default:
        api_storage_error(res);
    }
out:
    integration_clear(&stored);
    integration_clear(&merged);
    json_decref(errors);
    json_decref(body);
    json_decref(doc);
    free(payload);
}

void api_integration_delete(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN], id[UUID_STR_LEN];
    if (!api_authenticate(a, req, res, store_id))
        return;
    if (!api_param_id(req, 0, id)) {
        not_found(res);
        return;
    }
    json_t *reference = json_pack("{s:s, s:s}", "type", "integration", "id", id);
    char *payload = to_text(reference);
    switch (db_integration_delete(a->db, store_id, id, payload)) {
    case DB_OK:
        http_json(res, 200, json_pack("{s:O}", "data", reference));
        break;
    case DB_NOT_FOUND:
        not_found(res);
        break;
    default:
        api_storage_error(res);
    }
    json_decref(reference);
    free(payload);
}

void api_integration_attributes(void *ctx, const http_request *req, http_response *res)
{
    char store_id[UUID_STR_LEN];
    if (api_authenticate(ctx, req, res, store_id))
        http_json(res, 200, integration_attributes());
}

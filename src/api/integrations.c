/* /v2/integrations: create, list, get, update, delete, attributes (spec §4).
 * A write reads like the spec: parse -> validate -> decide -> store -> render; its answer is given
 * once the store has committed it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "page_cache.h"
#include "strbuf.h"
#include "timestamp.h"

static void not_found(http_response *res)
{
    http_error(res, ERR_INTEGRATION_NOT_FOUND, NULL);
}

/* Answers the validation errors; their status is 400, or 500 when the request could not even be
 * read for want of memory. */
static void reject(http_response *res, json_t *errors)
{
    http_errors(res, json_incref(errors));
}

/* A change on its way to the store, and what its answer needs. */
typedef struct pending_change {
    db_integration_change op;
    app *a;
    char store_id[UUID_STR_LEN];
    integration before; /* as read: update, delete */
    integration after;  /* as validated: create, update */
    char *document;     /* the answer's body; for create and update also the event's payload */
    char *reference;    /* delete: {"type":"integration","id":…}, the event's payload */
    json_t *body;       /* the request document (create, update) */
    json_t *errors;     /* its validation errors */
} pending_change;

static void pending_change_free(void *ctx);

/* NULL, with the 500 in res, when out of memory. */
static pending_change *pending_change_new(app *a, http_response *res)
{
    pending_change *p = calloc(1, sizeof *p);
    if (p) {
        p->a = a;
        p->errors = json_array();
    }
    if (!p || !p->errors) {
        pending_change_free(p);
        api_build_error(res);
        return NULL;
    }
    return p;
}

static void pending_change_free(void *ctx)
{
    pending_change *p = ctx;
    if (!p)
        return;
    integration_clear(&p->before);
    integration_clear(&p->after);
    free(p->document);
    free(p->reference);
    json_decref(p->body);
    json_decref(p->errors);
    free(p);
}

/* The answer of every change, once the store is done with it. */
static void change_answer(void *ctx, const http_request *req, http_response *res)
{
    pending_change *p = ctx;
    app *a = p->a;
    change_kind kind = p->op.plan.kind;
    switch (p->op.write.status) {
    case DB_OK:
        http_json_text(res, kind == CHANGE_CREATE ? 201 : 200, p->document);
        p->document = NULL;
        break;
    case DB_CONFLICT: /* changed since it was read: read it again and decide again */
        pending_change_free(p);
        if (kind == CHANGE_DELETE)
            api_integration_delete(a, req, res);
        else
            api_integration_update(a, req, res);
        return;
    case DB_LIMIT: {
        char title[96];
        snprintf(title, sizeof title, "You have reached the integration limit of %ld", a->cfg->max_integrations);
        json_t *errors = json_array();
        errors_add_titled(errors, ERR_LIMIT_REACHED, title, NULL, NULL);
        http_errors(res, errors);
        break;
    }
    case DB_NOT_FOUND: /* deleted meanwhile */
        not_found(res);
        break;
    default:
        api_storage_error(res);
    }
    pending_change_free(p);
}

/* Decides what the change does and hands it to the store; the answer follows the commit. */
static void submit_change(pending_change *p, const http_request *req, http_response *res, const integration *before,
                          const integration *after, const char *event_payload)
{
    db_integration_change_init(&p->op);
    p->op.store_id = p->store_id;
    p->op.before = before;
    p->op.after = after;
    p->op.plan = integration_decide(before, after);
    p->op.event_payload = event_payload;
    p->op.max_per_store = p->a->cfg->max_integrations;
    api_submit(p->a, req, res, &p->op.write, change_answer, pending_change_free, p);
}

/* {"data": <integration>}: the answer of create, get and update, and the payload of their events. */
static char *document_text(app *a, const http_request *req, const integration *it)
{
    char base[BASE_URL_MAX];
    api_base_url(a, req, base);
    return integration_document_text(it, base);
}

void api_integration_create(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    pending_change *p = pending_change_new(a, res);
    if (!p)
        return;
    if (!api_authenticate(a, req, res, p->store_id) || !(p->body = api_parse_json(req, res)))
        goto out;
    if (!integration_from_create(p->body, p->errors, &p->after)) {
        reject(res, p->errors);
        goto out;
    }
    id_new(p->after.id);
    p->after.created_at_ms = p->after.updated_at_ms = now_ms();
    if (!(p->document = document_text(a, req, &p->after))) {
        api_build_error(res); /* before anything is stored: the client learns nothing was created */
        goto out;
    }
    submit_change(p, req, res, NULL, &p->after, p->document);
    return; /* the answer owns p now */
out:
    pending_change_free(p);
}

static void write_item(const integration *it, void *ctx)
{
    list_page *items = ctx;
    page_list_separator(&items->out, &items->count);
    integration_write(&items->out, it, items->base);
}

void api_integration_list(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN], base[BASE_URL_MAX], list_url[BASE_URL_MAX + 32], key[BASE_URL_MAX + 96];
    page p;
    if (!api_authenticate(a, req, res, store_id) || !api_page(req, res, &p))
        return;
    api_base_url(a, req, base);
    /* the same page, the same links, and nothing changed in the store since: as written then */
    snprintf(key, sizeof key, "%s %ld %ld %s", store_id, p.limit, p.offset, base);
    uint64_t version = db_store_version(a->db, store_id);
    size_t len;
    char *kept = page_cache_get(a->pages, key, version, &len);
    if (kept) {
        http_json_text(res, 200, kept);
        return;
    }
    snprintf(list_url, sizeof list_url, "%s/v2/integrations", base);
    list_page items = {.base = base};
    api_list_begin(&items, (size_t)p.limit * 640 + 1024); /* a page in one allocation, as a rule */
    long total = 0;
    db_status read = db_integration_list(a->db, store_id, p.limit, p.offset, write_item, &items, &total);
    char *text;
    if (!api_list_end(&items, read, &p, total, list_url, res, &text, &len))
        return;
    if (text)
        page_cache_put(a->pages, key, version, text, len);
    http_json_text(res, 200, text);
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
        http_json_text(res, 200, document_text(a, req, &it));
    integration_clear(&it);
}

void api_integration_update(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    pending_change *p = pending_change_new(a, res);
    if (!p)
        return;
    if (!load_integration(a, req, res, p->store_id, &p->before) || !(p->body = api_parse_json(req, res)))
        goto out;
    if (!integration_from_update(p->body, &p->before, p->before.id, p->errors, &p->after)) {
        reject(res, p->errors);
        goto out;
    }
    int64_t now = now_ms();
    p->after.updated_at_ms = now > p->before.updated_at_ms ? now : p->before.updated_at_ms + 1;
    if (!(p->document = document_text(a, req, &p->after))) {
        api_build_error(res);
        goto out;
    }
    submit_change(p, req, res, &p->before, &p->after, p->document);
    return;
out:
    pending_change_free(p);
}

void api_integration_delete(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    pending_change *p = pending_change_new(a, res);
    if (!p)
        return;
    if (!load_integration(a, req, res, p->store_id, &p->before)) {
        pending_change_free(p);
        return;
    }
    /* the id is a UUID: nothing to escape */
    if (asprintf(&p->reference, "{\"type\":\"integration\",\"id\":\"%s\"}", p->before.id) < 0)
        p->reference = NULL;
    else if (asprintf(&p->document, "{\"data\":%s}", p->reference) < 0)
        p->document = NULL;
    if (!p->document) {
        pending_change_free(p);
        api_build_error(res);
        return;
    }
    submit_change(p, req, res, &p->before, NULL, p->reference);
}

void api_integration_attributes(void *ctx, const http_request *req, http_response *res)
{
    char store_id[UUID_STR_LEN];
    if (api_authenticate(ctx, req, res, store_id))
        http_json(res, 200, integration_attributes());
}

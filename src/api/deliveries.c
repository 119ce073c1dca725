/* The emulator's wire journal: GET /emulator/v1/deliveries, what went over the wire in every
 * attempt of the caller's store, newest first, filtered, and able to wait (wait=S) for the first
 * record that matches instead of making the client sleep. A waiting reader holds no thread: it is
 * set aside and looks again when the store's delivery records move (db_delivery_version), at most
 * every WAIT_STEP_MS, until the time is up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "timestamp.h"

#define WAIT_STEP_MS 50

/* One reading of the list, kept while it waits. */
typedef struct deliveries_read {
    app *app;
    char store_id[UUID_STR_LEN];
    char integration_id[UUID_STR_LEN + 1];
    char job_id[UUID_STR_LEN + 1];
    char trigger[EVENT_KEY_MAX];
    delivery_filter filter;
    page p;
    char url[BASE_URL_MAX + 64];
    int64_t deadline_ms;   /* 0: no wait */
    uint64_t version_seen; /* of the store's records, at the last look */
} deliveries_read;

static void write_record(const delivery_record *d, void *ctx)
{
    list_page *items = ctx;
    page_list_separator(&items->out, &items->count);
    delivery_record_write(&items->out, d);
}

/* Answers the page, or (waiting, nothing yet) sets the request aside again; frees r when done. */
static void look(void *ctx, const http_request *req, http_response *res)
{
    deliveries_read *r = ctx;
    uint64_t version = db_delivery_version(r->app->db, r->store_id);
    bool waiting = r->deadline_ms && now_ms() < r->deadline_ms;
    if (waiting && version == r->version_seen) { /* nothing new in the store: not even a query */
        http_defer_for(req, res, WAIT_STEP_MS, look, free, r);
        return;
    }
    r->version_seen = version;
    list_page items = {0};
    api_list_begin(&items, 0);
    long total = 0;
    db_status read = db_delivery_list(r->app->db, &r->filter, r->p.limit, r->p.offset, write_record, &items, &total);
    if (read == DB_OK && total == 0 && waiting) {
        strbuf_free(&items.out);
        http_defer_for(req, res, WAIT_STEP_MS, look, free, r);
        return;
    }
    char *text;
    size_t len;
    if (api_list_end(&items, read, &r->p, total, r->url, res, &text, &len))
        http_json_text(res, 200, text);
    free(r);
}

/* Copies a filter parameter (absent: NULL in the filter); false when it is too long to match. */
static bool filter_text(const http_request *req, const char *name, char *out, size_t size, const char **slot,
                        json_t *errors)
{
    const char *v = http_query(req, name);
    *slot = NULL;
    if (!v)
        return true;
    if (strlen(v) >= size) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s is at most %zu characters.", name, size - 1);
        errors_add(errors, ERR_BAD_REQUEST, detail, name);
        return false;
    }
    memcpy(out, v, strlen(v) + 1);
    *slot = out;
    return true;
}

void api_deliveries(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    deliveries_read *r = calloc(1, sizeof *r);
    json_t *errors = json_array();
    if (!r || !errors) {
        api_build_error(res);
        goto out;
    }
    if (!api_authenticate(a, req, res, r->store_id) || !api_page(req, res, &r->p))
        goto out;
    r->app = a;
    r->filter.store_id = r->store_id;
    filter_text(req, "integration_id", r->integration_id, sizeof r->integration_id, &r->filter.integration_id, errors);
    filter_text(req, "job_id", r->job_id, sizeof r->job_id, &r->filter.job_id, errors);
    filter_text(req, "trigger", r->trigger, sizeof r->trigger, &r->filter.trigger, errors);
    const char *succeeded = http_query(req, "succeeded");
    r->filter.succeeded = -1;
    if (succeeded && strcmp(succeeded, "true") == 0)
        r->filter.succeeded = 1;
    else if (succeeded && strcmp(succeeded, "false") == 0)
        r->filter.succeeded = 0;
    else if (succeeded)
        errors_add(errors, ERR_BAD_REQUEST, "succeeded is true or false.", "succeeded");
    long wait_s = 0;
    if (api_query_number(req, "wait", 0, API_WAIT_MAX_S, &wait_s, errors) && wait_s > 0)
        r->deadline_ms = now_ms() + wait_s * 1000;
    if (json_array_size(errors) > 0) {
        http_errors(res, json_incref(errors));
        goto out;
    }
    char base[BASE_URL_MAX];
    api_base_url(a, req, base);
    snprintf(r->url, sizeof r->url, "%s/emulator/v1/deliveries", base);
    r->version_seen = db_delivery_version(a->db, r->store_id) - 1; /* the first look reads */
    look(r, req, res);
    r = NULL; /* look owns it */
out:
    free(r);
    json_decref(errors);
}

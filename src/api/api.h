/* Helpers shared by the API handlers (src/api only). */
#ifndef INTEGRATIONSD_API_H
#define INTEGRATIONSD_API_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"
#include "http.h"
#include "ids.h"
#include "pagination.h"
#include "strbuf.h"

#define BASE_URL_MAX 2200 /* holds a --public-url (URL_MAX_LEN) */

/* Checks the bearer token (spec §2.2). On success fills store_id and returns true; otherwise
 * the response holds the 401 or 403 and it returns false. */
bool api_authenticate(app *a, const http_request *req, http_response *res, char store_id[UUID_STR_LEN]);
/* The hex SHA-256 of a client secret (as stored); false when OpenSSL is not available. */
bool api_secret_hash(const char *secret, char out[65]);
/* Configured mode: one more client (a seeded one). false when out of memory. */
bool api_add_configured_client(app *a, const char *client_id, const char *secret_hash);

/* The store of the request's token when it is valid (any grant); false, answering nothing, when not. */
bool api_store_of_token(app *a, const http_request *req, char store_id[UUID_STR_LEN]);
/* A valid token of any client and grant (the sinks: what they record is not a store's); false with
 * the answer in res. */
bool api_any_token(app *a, const http_request *req, http_response *res);

/* Parses the body as JSON whatever its Content-Type. NULL (and a 400 in res) when it is not. */
json_t *api_parse_json(const http_request *req, http_response *res);

/* Absolute base URL for links: --public-url, else "http://" + Host, else the bind address. */
void api_base_url(const app *a, const http_request *req, char out[BASE_URL_MAX]);

/* Reads page[limit] and page[offset]; a 400 naming the bad parameters when they are invalid. */
bool api_page(const http_request *req, http_response *res, page *p);

/* The longest wait=S of a list that can wait for its first record (the sinks, the journal). */
#define API_WAIT_MAX_S 60
/* A whole number in [min, max] from the query parameter `name`; absent: true, *out untouched.
 * false after adding an error that names the parameter. */
bool api_query_number(const http_request *req, const char *name, long min, long max, long *out, json_t *errors);

/* Copies route parameter i as a lowercase UUID; false when it is not a UUID. */
bool api_param_id(const http_request *req, size_t i, char out[UUID_STR_LEN]);

/* 500 for a storage failure. */
void api_storage_error(http_response *res);
/* 500 for an answer that could not be built (out of memory). */
void api_build_error(http_response *res);

/* Hands a write to the store. The answer waits for its commit without holding a thread; then
 * answer(ctx, req, res) runs on an HTTP thread with w->status set, and answers; or, when the
 * client has gone, discard(ctx). */
void api_submit(app *a, const http_request *req, http_response *res, db_write *w, http_handler answer,
                void (*discard)(void *ctx), void *ctx);

/* One page of a list, written as the store reads it: api_list_begin, then each item after
 * page_list_separator(&out, &count), then api_list_end. */
typedef struct list_page {
    strbuf out;
    size_t count;
    const char *base; /* the base URL, for items that carry links */
} list_page;

/* Starts the page, with room for `expected` bytes. */
void api_list_begin(list_page *l, size_t expected);
/* Ends the page the store filled (`read`: how that went). true with the page's text in *text and
 * its length in *len (NULL when out of memory: http_json_text answers 500); false after freeing
 * the page and answering the storage error. */
bool api_list_end(list_page *l, db_status read, const page *p, long total, const char *list_url, http_response *res,
                  char **text, size_t *len);

/* The part of the seed that a store comes from, or NULL (state.c). */
const db_seed_store *api_seed_of_store(const app *a, const char *store_id);

/* The stores' fault rules, in memory (faults.c). */
faults *faults_new(void);
void faults_free(faults *f);
/* Drops a store's rules (its reset). */
void faults_clear(faults *f, const char *store_id);

/* The sinks' records, in memory (sinks.c). */
sinks *sinks_new(void);
void sinks_free(sinks *s);

/* The handlers of the route table (routes.c), one file per resource. */
route_handler api_token, api_health, api_integration_create, api_integration_list, api_integration_get,
    api_integration_update, api_integration_delete, api_integration_attributes, api_store_logs,
    api_integration_logs, api_integration_jobs, api_job_logs, api_emulator_event, api_emulator_reset,
    api_emulator_flush, api_sink_receive, api_sink_requests, api_sink_clear, api_faults_put, api_faults_get,
    api_faults_delete, api_state_get, api_state_put, api_deliveries, api_emulator_resend, api_openapi, api_ui_page,
    api_ui_file;

#endif

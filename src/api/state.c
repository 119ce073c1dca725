/* Known state for tests: the seed file applied at start (--seed), and GET/PUT
 * /emulator/v1/state (a store as a seed document of one store). Owns the seed kept for resets
 * (app.seed): a reset puts back what the seed gives the store. Nothing here raises an event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "array.h"
#include "errors.h"
#include "seed.h"

/* The seed as the store applies it, and what it leads to: kept for the life of the server. */
struct app_seed {
    seed doc;
    db_seed_store *stores;       /* store_id filled in by the apply */
    const char **client_ids;     /* all stores' clients, in a row */
    char (*hashes)[65];
    const char **hash_of;        /* per client: hashes[k] or NULL */
};

void api_seed_free(app *a)
{
    app_seed *s = a->seed;
    if (!s)
        return;
    free(s->stores);
    free(s->client_ids);
    free(s->hashes);
    free(s->hash_of);
    seed_clear(&s->doc); /* last: the rows above point into it */
    free(s);
    a->seed = NULL;
}

const db_seed_store *api_seed_of_store(const app *a, const char *store_id)
{
    for (size_t i = 0; a->seed && i < a->seed->doc.store_count; i++)
        if (strcmp(a->seed->stores[i].store_id, store_id) == 0)
            return &a->seed->stores[i];
    return NULL;
}

static void say(const char *path, const char *where, const char *why)
{
    fprintf(stderr, "integrationsd: seed %s: %s%s%s\n", path, where ? where : "", where ? ": " : "", why);
}

/* Lays out the parsed seed for the store (client ids and secret hashes in rows). */
static bool lay_out(app *a, app_seed *s, const char *path)
{
    size_t clients = 0;
    for (size_t i = 0; i < s->doc.store_count; i++)
        clients += s->doc.stores[i].client_count;
    s->stores = calloc(s->doc.store_count, sizeof *s->stores);
    s->client_ids = calloc(clients + 1, sizeof *s->client_ids);
    s->hashes = calloc(clients + 1, sizeof *s->hashes);
    s->hash_of = calloc(clients + 1, sizeof *s->hash_of);
    if (!s->stores || !s->client_ids || !s->hashes || !s->hash_of) {
        say(path, NULL, "out of memory");
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->doc.store_count; i++) {
        seed_store *from = &s->doc.stores[i];
        db_seed_store *to = &s->stores[i];
        to->client_ids = &s->client_ids[k];
        to->secret_hashes = &s->hash_of[k];
        to->client_count = from->client_count;
        to->integrations = from->integrations;
        to->integration_count = from->integration_count;
        for (size_t c = 0; c < from->client_count; c++, k++) {
            s->client_ids[k] = from->clients[c].client_id;
            if (from->clients[c].secret) {
                if (!api_secret_hash(from->clients[c].secret, s->hashes[k])) {
                    say(path, NULL, "client secrets cannot be hashed: OpenSSL is not available");
                    return false;
                }
                s->hash_of[k] = s->hashes[k];
            } else if (a->clients) {
                char where[96];
                snprintf(where, sizeof where, "stores[%zu].clients[%zu].client_secret", i, c);
                say(path, where, "configured mode (--clients) needs a secret for every client");
                return false;
            }
            if (a->clients && !api_add_configured_client(a, from->clients[c].client_id, s->hashes[k])) {
                say(path, NULL, "out of memory");
                return false;
            }
        }
    }
    return true;
}

bool api_seed_load(app *a, const char *path)
{
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e), *errors = json_array();
    app_seed *s = calloc(1, sizeof *s);
    bool ok = false;
    a->seed = s; /* freed on every way out but success */
    if (!doc) {
        char why[JSON_ERROR_TEXT_LENGTH + 64];
        snprintf(why, sizeof why, "not JSON: %s at line %d column %d", e.text, e.line, e.column);
        say(path, NULL, why);
        goto out;
    }
    if (!s || !errors) {
        say(path, NULL, "out of memory");
        goto out;
    }
    if (!seed_parse(doc, false, &s->doc, errors)) {
        size_t i;
        json_t *err;
        json_array_foreach(errors, i, err) {
            char why[512];
            snprintf(why, sizeof why, "%s (%s)", json_string_value(json_object_get(err, "detail")),
                     json_string_value(json_object_get(err, "title")));
            say(path, json_string_value(json_object_get(err, "source")), why);
        }
        goto out;
    }
    if (!lay_out(a, s, path))
        goto out;
    db_seed_apply op;
    db_seed_apply_init(&op);
    op.stores = s->stores;
    op.store_count = s->doc.store_count;
    op.max_per_store = a->cfg->max_integrations;
    switch (db_submit_wait(a->db, &op.write)) {
    case DB_OK:
        ok = true;
        break;
    case DB_CONFLICT: {
        char where[32];
        snprintf(where, sizeof where, "stores[%zu].clients", op.failed_store);
        say(path, where, "these clients belong to more than one store");
        break;
    }
    case DB_LIMIT: {
        char where[32], why[96];
        snprintf(where, sizeof where, "stores[%zu].integrations", op.failed_store);
        snprintf(why, sizeof why, "more than --max-integrations (%ld) in the store", a->cfg->max_integrations);
        say(path, where, why);
        break;
    }
    default:
        say(path, NULL, "the database could not store it");
    }
out:
    json_decref(doc);
    json_decref(errors);
    if (!ok)
        api_seed_free(a);
    return ok;
}

/* ---- GET and PUT /emulator/v1/state ---------------------------------------------------------- */

typedef struct collected {
    integration *items;
    size_t count, cap;
    bool failed;
} collected;

static void collect(const integration *it, void *ctx)
{
    collected *c = ctx;
    c->failed = c->failed || !array_room((void **)&c->items, &c->cap, c->count, sizeof *c->items, 16) ||
                !integration_copy(&c->items[c->count++], it);
}

/* The store's clients, as the state document lists them. */
typedef struct client_list {
    json_t *items; /* NULL when it could not be made: failed on the first client */
    bool failed;
} client_list;

static void collect_client(const char *client_id, void *ctx)
{
    client_list *c = ctx;
    c->failed = c->failed || json_array_append_new(c->items, seed_state_client(client_id)) != 0;
}

/* Answers the store's state document. */
static void answer_state(app *a, const char *store_id, http_response *res)
{
    collected its = {0};
    client_list clients = {.items = json_array()};
    long total = 0;
    db_status read = db_integration_list(a->db, store_id, a->cfg->max_integrations, 0, collect, &its, &total);
    if (read == DB_OK)
        read = db_client_list(a->db, store_id, collect_client, &clients);
    if (read != DB_OK)
        api_storage_error(res);
    else if (its.failed || clients.failed || !clients.items)
        api_build_error(res);
    else
        http_json(res, 200, seed_state_document(json_incref(clients.items), its.items, its.count));
    for (size_t i = 0; i < its.count; i++)
        integration_clear(&its.items[i]);
    free(its.items);
    json_decref(clients.items);
}

void api_state_get(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    if (api_authenticate(a, req, res, store_id))
        answer_state(a, store_id, res);
}

/* A state on its way to the store. */
typedef struct pending_state {
    db_state_replace op;
    app *app;
    char store_id[UUID_STR_LEN];
    seed doc;
} pending_state;

static void pending_state_free(void *ctx)
{
    pending_state *p = ctx;
    seed_clear(&p->doc);
    free(p);
}

static void state_answer(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    pending_state *p = ctx;
    char where[64], detail[128];
    json_t *errors;
    switch (p->op.write.status) {
    case DB_OK:
        answer_state(p->app, p->store_id, res);
        break;
    case DB_CONFLICT:
        errors = json_array();
        snprintf(where, sizeof where, "stores[0].integrations[%zu].id", p->op.failed_index);
        errors_add(errors, ERR_BAD_REQUEST, "This id belongs to an integration of another store.", where);
        http_errors(res, errors);
        break;
    case DB_LIMIT:
        errors = json_array();
        snprintf(detail, sizeof detail, "More than --max-integrations (%ld) integrations.",
                 p->app->cfg->max_integrations);
        errors_add(errors, ERR_BAD_REQUEST, detail, "stores[0].integrations");
        http_errors(res, errors);
        break;
    default:
        api_storage_error(res);
    }
    pending_state_free(p);
}

void api_state_put(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    json_t *body = NULL, *errors = json_array();
    pending_state *p = calloc(1, sizeof *p);
    if (!p || !errors) {
        api_build_error(res);
        goto out;
    }
    if (!api_authenticate(a, req, res, p->store_id) || !(body = api_parse_json(req, res)))
        goto out;
    if (!seed_parse(body, true, &p->doc, errors)) { /* every problem at once; nothing changes */
        http_errors(res, json_incref(errors));
        goto out;
    }
    p->app = a;
    db_state_replace_init(&p->op);
    p->op.store_id = p->store_id;
    p->op.integrations = p->doc.stores[0].integrations;
    p->op.integration_count = p->doc.stores[0].integration_count;
    p->op.max_per_store = a->cfg->max_integrations;
    api_submit(a, req, res, &p->op.write, state_answer, pending_state_free, p);
    p = NULL;
out:
    if (p)
        pending_state_free(p);
    json_decref(errors);
    json_decref(body);
}

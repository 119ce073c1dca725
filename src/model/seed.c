/* Owns the reading and writing of seed and state documents: their shape, the validation of every
 * integration (the create rules, errors moved to the path inside the document), unique ids and
 * clients. Pure: applying a seed is the store's, loading the file the API's. */
#include "seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "ids.h"
#include "timestamp.h"

static void fail(json_t *errors, const char *source, const char *detail)
{
    errors_add(errors, ERR_BAD_REQUEST, detail, source);
}

/* Moves the create validator's errors (sources "data…") under `prefix` into errors. */
static void move_errors(json_t *from, const char *prefix, json_t *errors)
{
    size_t i;
    json_t *e;
    json_array_foreach(from, i, e) {
        const char *source = json_string_value(json_object_get(e, "source"));
        if (source && strncmp(source, "data", 4) == 0) {
            char *moved = NULL;
            if (asprintf(&moved, "%s%s", prefix, source + 4) >= 0) {
                json_object_set_new(e, "source", json_string(moved));
                free(moved);
            }
        }
        json_array_append(errors, e);
    }
}

/* One integration of a store at `prefix`; its id must not be in seen (a JSON object of ids). */
static bool read_integration(const json_t *item, const char *prefix, json_t *seen, json_t *errors, integration *out)
{
    size_t before = json_array_size(errors);
    char source[160];
    if (!json_is_object(item)) {
        fail(errors, prefix, "An integration is an object.");
        return false;
    }
    json_t *data = json_deep_copy(item), *found = json_array();
    if (!json_object_get(data, "type"))
        json_object_set_new(data, "type", json_string("integration"));
    json_t *body = json_pack("{s:o}", "data", data);
    bool valid = body && found && integration_from_create(body, found, out);
    move_errors(found, prefix, errors);
    json_decref(found);
    json_decref(body);

    const char *id = json_string_value(json_object_get(item, "id"));
    char lower[UUID_STR_LEN] = ""; /* ids are shown lower case: "A…" and "a…" are one id */
    snprintf(source, sizeof source, "%.120s.id", prefix);
    if (id && id_is_uuid(id, strlen(id)))
        for (size_t k = 0; k < UUID_STR_LEN; k++)
            lower[k] = (char)(id[k] >= 'A' && id[k] <= 'F' ? id[k] - 'A' + 'a' : id[k]);
    if (!lower[0])
        fail(errors, source, "Every seeded integration has an id, a UUID: a seed without ids could not be applied twice.");
    else if (json_object_get(seen, lower))
        fail(errors, source, "This id is given twice.");
    else
        json_object_set_new(seen, lower, json_true());
    const json_t *created = json_object_get(item, "created_at");
    int64_t created_ms = 0;
    snprintf(source, sizeof source, "%.120s.created_at", prefix);
    if (created && !json_is_null(created) &&
        (!json_is_string(created) || !timestamp_parse(json_string_value(created), &created_ms)))
        fail(errors, source, "created_at is a time such as 2026-01-01T00:00:00.000Z.");
    if (!valid || json_array_size(errors) != before) {
        integration_clear(out);
        return false;
    }
    memcpy(out->id, lower, sizeof out->id);
    out->created_at_ms = out->updated_at_ms = created_ms;
    return true;
}

static bool read_client(const json_t *item, const char *prefix, json_t *seen, json_t *errors, seed_client *out)
{
    char source[160];
    const char *id = json_string_value(json_object_get(item, "client_id"));
    const json_t *secret = json_object_get(item, "client_secret");
    snprintf(source, sizeof source, "%.120s.client_id", prefix);
    if (!json_is_object(item) || !id || !id[0] || strlen(id) > 255) {
        fail(errors, json_is_object(item) ? source : prefix, "A client is {\"client_id\": 1 to 255 characters, \"client_secret\"}.");
        return false;
    }
    if (json_object_get(seen, id)) {
        fail(errors, source, "This client is given twice.");
        return false;
    }
    json_object_set_new(seen, id, json_true());
    snprintf(source, sizeof source, "%.120s.client_secret", prefix);
    if (secret && !json_is_null(secret) && (!json_is_string(secret) || !json_string_value(secret)[0])) {
        fail(errors, source, "client_secret is a non-empty string, or null.");
        return false;
    }
    out->client_id = strdup(id);
    out->secret = json_is_string(secret) ? strdup(json_string_value(secret)) : NULL;
    return out->client_id && (out->secret || !json_is_string(secret));
}

static bool read_store(const json_t *item, size_t s, bool state, json_t *ids, json_t *clients, json_t *errors,
                       seed_store *out)
{
    char prefix[64], source[160];
    snprintf(prefix, sizeof prefix, "stores[%zu]", s);
    if (!json_is_object(item)) {
        fail(errors, prefix, "A store is {\"clients\": [...], \"integrations\": [...]}.");
        return false;
    }
    const json_t *cl = json_object_get(item, "clients"), *its = json_object_get(item, "integrations");
    bool ok = true;
    if (!state) {
        snprintf(source, sizeof source, "%s.clients", prefix);
        if (json_array_size(cl) == 0) {
            fail(errors, source, "A store is known by its clients: give at least one.");
            ok = false;
        } else {
            out->clients = calloc(json_array_size(cl), sizeof *out->clients);
            for (size_t i = 0; out->clients && i < json_array_size(cl); i++) {
                snprintf(source, sizeof source, "%s.clients[%zu]", prefix, i);
                ok = read_client(json_array_get(cl, i), source, clients, errors, &out->clients[out->client_count]) && ok;
                out->client_count += out->clients[out->client_count].client_id != NULL;
            }
            ok = ok && out->clients;
        }
    }
    snprintf(source, sizeof source, "%s.integrations", prefix);
    if (its && !json_is_array(its)) {
        fail(errors, source, "integrations is an array.");
        return false;
    }
    out->integrations = calloc(json_array_size(its) + 1, sizeof *out->integrations);
    for (size_t i = 0; out->integrations && i < json_array_size(its); i++) {
        snprintf(source, sizeof source, "%s.integrations[%zu]", prefix, i);
        if (read_integration(json_array_get(its, i), source, ids, errors, &out->integrations[out->integration_count]))
            out->integration_count++;
        else
            ok = false;
    }
    return ok && out->integrations;
}

bool seed_parse(const json_t *doc, bool state, seed *out, json_t *errors)
{
    memset(out, 0, sizeof *out);
    const json_t *stores = json_is_object(doc) ? json_object_get(doc, "stores") : NULL;
    if (!json_is_array(stores) || json_array_size(stores) == 0 || (state && json_array_size(stores) != 1)) {
        fail(errors, "stores", state ? "The state is {\"stores\": [one store]}." : "A seed is {\"stores\": [store, ...]}.");
        return false;
    }
    json_t *ids = json_object(), *clients = json_object();
    out->stores = calloc(json_array_size(stores), sizeof *out->stores);
    bool ok = ids && clients && out->stores;
    for (size_t s = 0; out->stores && s < json_array_size(stores); s++) {
        ok = read_store(json_array_get(stores, s), s, state, ids, clients, errors, &out->stores[s]) && ok;
        out->store_count++;
    }
    json_decref(ids);
    json_decref(clients);
    if (!ok) {
        if (json_array_size(errors) == 0)
            errors_add(errors, ERR_OUT_OF_MEMORY, NULL, NULL);
        seed_clear(out);
    }
    return ok;
}

void seed_clear(seed *s)
{
    for (size_t i = 0; s->stores && i < s->store_count; i++) {
        seed_store *st = &s->stores[i];
        for (size_t c = 0; c < st->client_count; c++) {
            free(st->clients[c].client_id);
            free(st->clients[c].secret);
        }
        for (size_t k = 0; k < st->integration_count; k++)
            integration_clear(&st->integrations[k]);
        free(st->clients);
        free(st->integrations);
    }
    free(s->stores);
    memset(s, 0, sizeof *s);
}

json_t *seed_state_client(const char *client_id)
{
    return json_pack("{s:s, s:n}", "client_id", client_id, "client_secret");
}

json_t *seed_state_document(json_t *clients, const integration *its, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        const integration *it = &its[i];
        char created[TIMESTAMP_LEN];
        timestamp_format(it->created_at_ms, created);
        json_error_t e;
        json_t *configuration = json_loads(it->configuration, 0, &e), *observes = json_loads(it->observes, 0, &e);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s?, s:b, s:o, s:o, s:s}", "id", it->id,
                                              "integration_type", integration_type_name(it->type), "name", it->name,
                                              "description", it->description, "enabled", it->enabled,
                                              "configuration", configuration, "observes", observes,
                                              "created_at", created));
    }
    return json_pack("{s:[{s:o, s:o}]}", "stores", "clients", clients, "integrations", list);
}

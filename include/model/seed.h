/* Seed and state documents of the emulator: {"stores":[{"clients":[…],"integrations":[…]}]}, read
 * (every integration validated as a create) and written (one store's state). Pure. */
#ifndef INTEGRATIONSD_SEED_H
#define INTEGRATIONSD_SEED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "integration.h"

typedef struct seed_client {
    char *client_id;
    char *secret; /* NULL: none given (the first one presented is the client's) */
} seed_client;

typedef struct seed_store {
    seed_client *clients;
    size_t client_count;
    integration *integrations; /* with their ids; created_at given or 0 (the time they are stored) */
    size_t integration_count;
} seed_store;

typedef struct seed {
    seed_store *stores;
    size_t store_count;
} seed;

/* Reads a seed document into out. With `state` (PUT /emulator/v1/state) the document holds one
 * store and its clients are ignored. false with every problem in errors, each with the JSON path
 * inside the document as its source (stores[0].integrations[2].observes[0]); out is then empty. */
bool seed_parse(const json_t *doc, bool state, seed *out, json_t *errors);
void seed_clear(seed *s);

/* One client of a state document: client_secret is null, only a hash is kept. */
json_t *seed_state_client(const char *client_id);
/* The state document of one store: its clients (an array of seed_state_client, stolen) and its
 * integrations with their real configuration, id and created_at, in the order given. */
json_t *seed_state_document(json_t *clients, const integration *its, size_t count);

#endif

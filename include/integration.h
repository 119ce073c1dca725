/* The integration resource (spec §3, §4.1, §4.2): validation, masking, rendering. Pure. */
#ifndef INTEGRATIONSD_INTEGRATION_H
#define INTEGRATIONSD_INTEGRATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ids.h"

#define OBSERVES_MAX 5

typedef enum {
    INTEGRATION_WEBHOOK,
    INTEGRATION_AWS_SQS,
    INTEGRATION_STOMP,
    INTEGRATION_TYPE_COUNT
} integration_type;

typedef struct integration {
    char id[UUID_STR_LEN];
    integration_type type;
    char *name;
    char *description;     /* NULL renders as null */
    bool enabled;
    json_t *configuration; /* stored (unmasked) values, only the keys of the type */
    json_t *observes;      /* array of event keys */
    int64_t created_at_ms;
    int64_t updated_at_ms;
} integration;

/* Frees the owned members and zeroes the struct; safe on a zeroed struct. */
void integration_clear(integration *it);

const char *integration_type_name(integration_type t);
bool integration_type_parse(const char *s, integration_type *out);

/* Create (spec §4.1). body is the whole request document. On success fills `out` (id and
 * timestamps left to the caller) and returns true; otherwise appends one 400 error per
 * problem to `errors` in spec order and returns false. */
bool integration_from_create(const json_t *body, json_t *errors, integration *out);

/* Update (spec §4.2): merges body into `stored` and validates the result as a create.
 * path_id is the id of the URL. On success `out` holds the merged integration. */
bool integration_from_update(const json_t *body, const integration *stored, const char *path_id,
                             json_t *errors, integration *out);

/* The resource as every response shows it (masked secrets, links.self under base_url). */
json_t *integration_render(const integration *it, const char *base_url);

/* The configuration as responses show it (secrets masked), as compact JSON text. Stored beside
 * the real one, so that lists need neither parse nor mask. Newly allocated. */
char *integration_configuration_shown(const integration *it);

/* An integration as a list reads it: configuration (masked) and observes still JSON text. */
typedef struct integration_listing {
    char id[UUID_STR_LEN];
    integration_type type;
    char *name;
    char *description; /* NULL renders as null */
    bool enabled;
    char *configuration_shown;
    char *observes;
    int64_t created_at_ms;
    int64_t updated_at_ms;
} integration_listing;

void integration_listing_clear(integration_listing *it);

struct strbuf;
/* Appends the resource as compact JSON text, byte for byte what integration_render would give
 * through json_dumps(JSON_COMPACT), without building it as objects (the list's hot path). */
void integration_write_json(struct strbuf *out, const integration_listing *it, const char *base_url);

/* Masks all but the last 4 characters with '*'; strings of 4 or fewer become all '*'.
 * Returns a newly allocated string (the length in characters is kept). */
char *secret_mask(const char *value);

/* {"data":[…field descriptions…],"meta":{…}} of spec §4.3. */
json_t *integration_attributes(void);

#endif

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
    char *configuration;   /* compact JSON object: the real (unmasked) values of the type's keys, in the
                            * order of the type's table, exactly as the validator wrote it */
    char *observes;        /* compact JSON array of 1 to OBSERVES_MAX distinct event keys */
    int64_t created_at_ms;
    int64_t updated_at_ms;
} integration;

/* Frees the owned members and zeroes the struct; safe on a zeroed struct. */
void integration_clear(integration *it);
/* *out becomes a copy of *in that owns its texts; false (out cleared) when out of memory. */
bool integration_copy(integration *out, const integration *in);

const char *integration_type_name(integration_type t);
bool integration_type_parse(const char *s, integration_type *out);

/* Create (spec §4.1). body is the whole request document. On success fills `out` (id and
 * timestamps left to the caller) and returns true; otherwise appends one 400 error per
 * problem to `errors` in spec order and returns false. */
/* The longest name, description and configuration string (but URLs, which have URL_MAX_LEN, and
 * STOMP addresses) a create or an update accepts, in characters: set once at start
 * (--max-text-length), before any request. */
#define INTEGRATION_TEXT_MAX_DEFAULT 1024
void integration_set_text_max(size_t max_chars);

bool integration_from_create(const json_t *body, json_t *errors, integration *out);

/* Update (spec §4.2): merges body into `stored` and validates the result as a create.
 * path_id is the id of the URL. On success `out` holds the merged integration (id, created_at
 * and updated_at still those of `stored`). */
bool integration_from_update(const json_t *body, const integration *stored, const char *path_id,
                             json_t *errors, integration *out);

/* ---- what a change does (spec §7) ------------------------------------------------------ */

typedef enum { CHANGE_CREATE, CHANGE_UPDATE, CHANGE_DELETE } change_kind;

/* The plan of a create, update or delete, for the store to carry out in one transaction. */
typedef struct integration_change {
    change_kind kind;
    const char *trigger;      /* the event the change raises, once it is applied */
    bool cancel_pending_jobs; /* disabled or deleted: its pending jobs stop for good */
    bool unindex_before;      /* `before` stops observing its events */
    bool index_after;         /* `after` starts observing its events */
} integration_change;

/* Decides the plan from the integration before the change (NULL for a create) and after it
 * (NULL for a delete). */
integration_change integration_decide(const integration *before, const integration *after);

/* The event keys of it->observes as a JSON array (owned by the caller); NULL when out of memory. */
json_t *integration_observed_keys(const integration *it);

/* The stored configuration as a JSON object (owned by the caller); NULL when out of memory. */
json_t *integration_configuration_object(const integration *it);

/* ---- rendering: the one writer of the resource ----------------------------------------- */

struct strbuf;
/* Appends the resource as every answer and event payload shows it (spec §3): compact JSON, key
 * order of the spec, secrets masked, links.self under base_url. A failure (memory, or base_url
 * that is not UTF-8) marks `out` failed. */
void integration_write(struct strbuf *out, const integration *it, const char *base_url);

/* {"data":<resource>} as a newly allocated string; NULL when it cannot be built. */
char *integration_document_text(const integration *it, const char *base_url);

/* Masks all but the last 4 characters with '*'; strings of 4 or fewer become all '*'.
 * Returns a newly allocated string (the length in characters is kept). */
char *secret_mask(const char *value);

/* {"data":[…field descriptions…],"meta":{…}} of spec §4.3. */
json_t *integration_attributes(void);

#endif

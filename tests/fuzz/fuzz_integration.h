/* Checks of a validated integration, shared by the create and update harnesses: its fields are
 * what the create rules allow, it validates again as a create and as an empty update with the
 * same result, and it renders as JSON with its secrets masked. */
#ifndef INTEGRATIONSD_FUZZ_INTEGRATION_H
#define INTEGRATIONSD_FUZZ_INTEGRATION_H

#include "address.h"
#include "events.h"
#include "fuzz.h"
#include "integration.h"

#define FUZZ_ID "0f1e2d3c-4b5a-4697-8877-66554433aa22"
#define FUZZ_BASE "http://127.0.0.1:8080"

/* The configuration keys of each type (spec §3), as the validator keeps them. */
static const struct fuzz_key {
    integration_type type;
    const char *name;
    bool required, masked, url, addresses;
} fuzz_keys[] = {
    {INTEGRATION_WEBHOOK, "url", true, false, true, false},
    {INTEGRATION_WEBHOOK, "secret_key", false, false, false, false},
    {INTEGRATION_AWS_SQS, "url", true, false, true, false},
    {INTEGRATION_AWS_SQS, "aws_access_key_id", true, true, false, false},
    {INTEGRATION_AWS_SQS, "aws_secret_access_key", true, true, false, false},
    {INTEGRATION_AWS_SQS, "region", true, false, false, false},
    {INTEGRATION_STOMP, "addresses", true, false, false, true},
    {INTEGRATION_STOMP, "destination", true, false, false, false},
    {INTEGRATION_STOMP, "username", false, false, false, false},
    {INTEGRATION_STOMP, "password", false, true, false, false},
};

static inline const struct fuzz_key *fuzz_key_of(integration_type t, const char *name)
{
    for (size_t k = 0; k < sizeof fuzz_keys / sizeof fuzz_keys[0]; k++)
        if (fuzz_keys[k].type == t && strcmp(fuzz_keys[k].name, name) == 0)
            return &fuzz_keys[k];
    return NULL;
}

static inline bool fuzz_has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static inline size_t fuzz_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The fields of a valid integration. */
static inline void fuzz_check_fields(const integration *it)
{
    FUZZ_ASSERT((unsigned)it->type < INTEGRATION_TYPE_COUNT);
    FUZZ_ASSERT(it->name && it->name[0] && fuzz_is_utf8(it->name));
    FUZZ_ASSERT(!it->description || fuzz_is_utf8(it->description));

    json_t *cfg = integration_configuration_object(it);
    FUZZ_ASSERT(json_is_object(cfg));
    char *text = json_dumps(cfg, JSON_COMPACT); /* stored as jansson writes it */
    FUZZ_ASSERT(text && strcmp(text, it->configuration) == 0);
    free(text);
    for (size_t k = 0; k < sizeof fuzz_keys / sizeof fuzz_keys[0]; k++)
        if (fuzz_keys[k].type == it->type && fuzz_keys[k].required)
            FUZZ_ASSERT(json_object_get(cfg, fuzz_keys[k].name));
    const char *name;
    json_t *v;
    json_object_foreach(cfg, name, v) {
        const struct fuzz_key *key = fuzz_key_of(it->type, name);
        FUZZ_ASSERT(key); /* unknown keys are dropped */
        if (key->addresses) {
            FUZZ_ASSERT(json_is_array(v) && json_array_size(v) > 0);
            size_t i;
            json_t *a;
            json_array_foreach(v, i, a) {
                stomp_address addr;
                FUZZ_ASSERT(json_is_string(a) && stomp_address_parse(json_string_value(a), &addr));
            }
            continue;
        }
        const char *s = json_string_value(v);
        FUZZ_ASSERT(s && !fuzz_has_control(s));
        FUZZ_ASSERT(!key->required || s[0]);
        FUZZ_ASSERT(!key->url || http_url_is_valid(s));
    }
    json_decref(cfg);

    json_t *obs = integration_observed_keys(it);
    FUZZ_ASSERT(json_is_array(obs) && json_array_size(obs) >= 1 && json_array_size(obs) <= OBSERVES_MAX);
    text = json_dumps(obs, JSON_COMPACT);
    FUZZ_ASSERT(text && strcmp(text, it->observes) == 0);
    free(text);
    for (size_t i = 0; i < json_array_size(obs); i++) {
        const char *key = json_string_value(json_array_get(obs, i));
        FUZZ_ASSERT(key && event_key_is_observable(key));
        for (size_t j = 0; j < i; j++)
            FUZZ_ASSERT(strcmp(key, json_string_value(json_array_get(obs, j))) != 0);
    }
    json_decref(obs);
}

static inline void fuzz_check_same(const integration *a, const integration *b)
{
    FUZZ_ASSERT(a->type == b->type);
    FUZZ_ASSERT(strcmp(a->name, b->name) == 0);
    FUZZ_ASSERT((!a->description && !b->description) ||
                (a->description && b->description && strcmp(a->description, b->description) == 0));
    FUZZ_ASSERT(a->enabled == b->enabled);
    FUZZ_ASSERT(strcmp(a->configuration, b->configuration) == 0);
    FUZZ_ASSERT(strcmp(a->observes, b->observes) == 0);
}

/* The integration as a create request would give it. */
static inline json_t *fuzz_request_of(const integration *it)
{
    return json_pack("{s:{s:s, s:s, s:s, s:s?, s:b, s:o, s:o}}", "data", "type", "integration", "integration_type",
                     integration_type_name(it->type), "name", it->name, "description", it->description, "enabled",
                     it->enabled, "configuration", integration_configuration_object(it), "observes",
                     integration_observed_keys(it));
}

/* A valid result is a fixed point: created again from itself, or updated with nothing, it stays. */
static inline void fuzz_check_revalidates(const integration *it)
{
    json_t *body = fuzz_request_of(it), *errors = json_array();
    FUZZ_ASSERT(body && errors);
    integration again = {0};
    FUZZ_ASSERT(integration_from_create(body, errors, &again));
    FUZZ_ASSERT(json_array_size(errors) == 0);
    fuzz_check_same(it, &again);
    integration_clear(&again);
    json_decref(body);

    body = json_pack("{s:{s:s}}", "data", "type", "integration");
    FUZZ_ASSERT(integration_from_update(body, it, it->id, errors, &again));
    FUZZ_ASSERT(json_array_size(errors) == 0);
    fuzz_check_same(it, &again);
    FUZZ_ASSERT(strcmp(again.id, it->id) == 0);
    integration_clear(&again);
    json_decref(body);
    json_decref(errors);
}

/* The answer's document: JSON, the same fields, secrets masked to their last 4 characters. */
static inline void fuzz_check_rendering(const integration *it)
{
    char *text = integration_document_text(it, FUZZ_BASE);
    FUZZ_ASSERT(text);
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    FUZZ_ASSERT(doc);
    const json_t *data = json_object_get(doc, "data");
    FUZZ_ASSERT(strcmp(json_string_value(json_object_get(data, "id")), it->id) == 0);
    FUZZ_ASSERT(strcmp(json_string_value(json_object_get(data, "name")), it->name) == 0);
    FUZZ_ASSERT(strcmp(json_string_value(json_object_get(data, "integration_type")),
                       integration_type_name(it->type)) == 0);
    FUZZ_ASSERT(json_is_true(json_object_get(data, "enabled")) == it->enabled);
    json_t *obs = integration_observed_keys(it), *cfg = integration_configuration_object(it);
    FUZZ_ASSERT(json_equal(obs, json_object_get(data, "observes")));
    const json_t *shown = json_object_get(data, "configuration");
    FUZZ_ASSERT(json_object_size(shown) == json_object_size(cfg));
    const char *name;
    json_t *v;
    json_object_foreach(cfg, name, v) {
        const json_t *s = json_object_get(shown, name);
        const struct fuzz_key *key = fuzz_key_of(it->type, name);
        FUZZ_ASSERT(s && key);
        if (!key->masked) {
            FUZZ_ASSERT(json_equal(v, (json_t *)s));
            continue;
        }
        const char *real = json_string_value(v), *masked = json_string_value(s);
        size_t chars = fuzz_chars(real), hidden = chars <= 4 ? chars : chars - 4;
        FUZZ_ASSERT(masked && fuzz_chars(masked) == chars);
        for (size_t i = 0; i < hidden; i++)
            FUZZ_ASSERT(masked[i] == '*');
        if (chars > 4) /* the last 4 characters are shown */
            FUZZ_ASSERT(strcmp(masked + hidden, real + strlen(real) - strlen(masked + hidden)) == 0);
    }
    json_decref(obs);
    json_decref(cfg);
    json_decref(doc);
    free(text);
}

/* Everything a valid result must be. */
static inline void fuzz_check_integration(const integration *it)
{
    fuzz_check_fields(it);
    fuzz_check_revalidates(it);
    fuzz_check_rendering(it);
}

#endif

/* POST /emulator/v1/events: makes the store emit any event (spec §7, not part of the real API). */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "events.h"
#include "payload.h"
#include "validation.h"

/* Validates {"data":{"type":"event","trigger":…,"payload":…}}; errors in spec style. */
static bool read_event(const json_t *body, json_t *errors, const char **trigger, const json_t **payload)
{
    const json_t *data = require_data_object(body, errors);
    if (!data)
        return false;
    const json_t *type = json_object_get(data, "type");
    if (!type || json_is_null(type))
        fail_missing(errors, "data.type", "type");
    else if (!json_is_string(type))
        fail_type(errors, "data.type", type, "string");
    else if (strcmp(json_string_value(type), "event") != 0)
        fail_enum(errors, "data.type", json_string_value(type));

    const json_t *t = json_object_get(data, "trigger");
    *trigger = json_string_value(t);
    if (!t || json_is_null(t))
        fail_missing(errors, "data.trigger", "trigger");
    else if (!json_is_string(t))
        fail_type(errors, "data.trigger", t, "string");
    else if (strlen(*trigger) >= EVENT_KEY_MAX || !event_key_is_observable(*trigger))
        fail_enum(errors, "data.trigger", *trigger);

    *payload = json_object_get(data, "payload");
    if (*payload && !json_is_null(*payload) && !json_is_object(*payload))
        fail_type(errors, "data.payload", *payload, "object");
    if (*payload && json_is_null(*payload))
        *payload = NULL;
    return json_array_size(errors) == 0;
}

void api_emulator_event(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN], event_id[UUID_STR_LEN], resource_id[UUID_STR_LEN];
    if (!api_authenticate(a, req, res, store_id))
        return;
    json_t *body = api_parse_json(req, res);
    if (!body)
        return;
    json_t *errors = json_array(), *jobs = json_array(), *sample = NULL;
    char *payload_text = NULL;
    const char *trigger;
    const json_t *payload;
    if (!read_event(body, errors, &trigger, &payload)) {
        http_json(res, 400, errors_document(json_incref(errors)));
        goto out;
    }
    if (!payload) {
        id_new(resource_id);
        payload = sample = sample_payload(trigger, resource_id);
    }
    payload_text = json_dumps(payload, JSON_COMPACT);
    id_new(event_id);
    if (!payload_text || db_event_emit(a->db, store_id, trigger, payload_text, event_id, jobs) != DB_OK) {
        api_storage_error(res);
        goto out;
    }
    http_json(res, 202,
              json_pack("{s:{s:s, s:s, s:s, s:O}}", "data", "type", "event", "id", event_id, "trigger", trigger,
                        "jobs", jobs));
out:
    free(payload_text);
    json_decref(sample);
    json_decref(jobs);
    json_decref(errors);
    json_decref(body);
}

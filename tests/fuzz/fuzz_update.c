/* PUT /v2/integrations/{id}: the request body, read as JSON the way the server reads it, merged into
 * a stored integration of each type and validated (spec §4.2). A valid result keeps the stored id
 * and times, is checked by fuzz_check_integration, and the same update applied to it changes
 * nothing; a refusal has errors, each with status, title, detail and source. */
#include "fuzz_integration.h"

/* One stored integration per type, as a create makes them. */
static const char *const stored_bodies[] = {
    "{\"data\":{\"type\":\"integration\",\"integration_type\":\"webhook\",\"name\":\"Order shipping notification\","
    "\"description\":\"Old description\",\"enabled\":true,\"configuration\":{\"url\":\"https://127.0.0.1:9/hook\","
    "\"secret_key\":\"s3cr3t\"},\"observes\":[\"order.fulfilled\",\"order.paid\"]}}",
    "{\"data\":{\"type\":\"integration\",\"integration_type\":\"aws_sqs\",\"name\":\"Queue\",\"enabled\":false,"
    "\"configuration\":{\"url\":\"http://127.0.0.1:9324/000000000000/orders.fifo\",\"aws_access_key_id\":"
    "\"AKIAIOSFODNN7EXAMPLE\",\"aws_secret_access_key\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\","
    "\"region\":\"us-east-1\"},\"observes\":[\"order.created\"]}}",
    "{\"data\":{\"type\":\"integration\",\"integration_type\":\"stomp\",\"name\":\"Broker\",\"description\":null,"
    "\"enabled\":true,\"configuration\":{\"addresses\":[\"stomp://127.0.0.1:61613\",\"stomp+ssl://[::1]\"],"
    "\"destination\":\"/queue/orders\",\"username\":\"admin\",\"password\":\"pässwörd\"},"
    "\"observes\":[\"product.created\",\"product.updated\",\"product.deleted\"]}}",
};
#define STORED_COUNT (sizeof stored_bodies / sizeof stored_bodies[0])

static integration stored[STORED_COUNT];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < STORED_COUNT; i++) {
        json_t *body = json_loads(stored_bodies[i], 0, NULL), *errors = json_array();
        FUZZ_ASSERT(body && errors && integration_from_create(body, errors, &stored[i]));
        memcpy(stored[i].id, FUZZ_ID, sizeof stored[i].id);
        stored[i].created_at_ms = 1767225600000; /* 2026-01-01 */
        stored[i].updated_at_ms = 1767225600000 + 86400000;
        json_decref(body);
        json_decref(errors);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_json(data, size);
    if (!body)
        return 0;
    for (size_t i = 0; i < STORED_COUNT; i++) {
        const integration *before = &stored[i];
        json_t *errors = json_array();
        FUZZ_ASSERT(errors);
        integration out = {0};
        if (integration_from_update(body, before, before->id, errors, &out)) {
            FUZZ_ASSERT(json_array_size(errors) == 0);
            FUZZ_ASSERT(strcmp(out.id, before->id) == 0);
            FUZZ_ASSERT(out.created_at_ms == before->created_at_ms && out.updated_at_ms == before->updated_at_ms);
            fuzz_check_integration(&out);
            integration twice = {0}; /* an update is idempotent */
            FUZZ_ASSERT(integration_from_update(body, &out, out.id, errors, &twice));
            fuzz_check_same(&out, &twice);
            integration_clear(&twice);
        } else {
            fuzz_check_errors(errors);
            FUZZ_ASSERT(!out.name && !out.configuration && !out.observes && !out.description);
        }
        integration_clear(&out);
        json_decref(errors);
    }
    json_decref(body);
    return 0;
}

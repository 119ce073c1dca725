/* POST /v2/integrations: the request body, read as JSON the way the server reads it, through the
 * create validation (spec §4.1). A valid result is checked by fuzz_check_integration; a refusal
 * has errors, each with status, title, detail and source, and nothing half-built. */
#include "fuzz_integration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_json(data, size);
    if (!body)
        return 0;
    json_t *errors = json_array();
    FUZZ_ASSERT(errors);
    integration it = {0};
    if (integration_from_create(body, errors, &it)) {
        FUZZ_ASSERT(json_array_size(errors) == 0);
        memcpy(it.id, FUZZ_ID, sizeof it.id);
        it.created_at_ms = it.updated_at_ms = 1767225600000; /* 2026-01-01 */
        fuzz_check_integration(&it);
    } else {
        fuzz_check_errors(errors);
        FUZZ_ASSERT(!it.name && !it.configuration && !it.observes && !it.description);
    }
    integration_clear(&it);
    json_decref(errors);
    json_decref(body);
    return 0;
}

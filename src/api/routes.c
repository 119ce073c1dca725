#include "api.h"

/* Literal segments win over {captures} wherever both match (see router.h). */
const route api_routes[] = {
    {"POST", "/oauth/access_token", (route_fn)api_token},
    {"GET", "/health", (route_fn)api_health},
    {"GET", "/v2/integrations", (route_fn)api_integration_list},
    {"POST", "/v2/integrations", (route_fn)api_integration_create},
    {"GET", "/v2/integrations/logs", (route_fn)api_store_logs},
    {"GET", "/v2/integrations/attributes", (route_fn)api_integration_attributes},
    {"GET", "/v2/integrations/{id}", (route_fn)api_integration_get},
    {"PUT", "/v2/integrations/{id}", (route_fn)api_integration_update},
    {"DELETE", "/v2/integrations/{id}", (route_fn)api_integration_delete},
    {"GET", "/v2/integrations/{id}/logs", (route_fn)api_integration_logs},
    {"GET", "/v2/integrations/{id}/jobs", (route_fn)api_integration_jobs},
    {"GET", "/v2/integrations/{id}/jobs/{job_id}/logs", (route_fn)api_job_logs},
    {"POST", "/emulator/v1/events", (route_fn)api_emulator_event},
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

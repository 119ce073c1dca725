/* The route table of the whole API: method, path pattern, handler. Only data; the matching
 * is the router's (src/http/router.c). */
#include "api.h"

/* Literal segments win over {captures} wherever both match (see router.h). */
const route api_routes[] = {
    {"POST", "/oauth/access_token", api_token},
    {"GET", "/health", api_health},
    {"GET", "/v2/integrations", api_integration_list},
    {"POST", "/v2/integrations", api_integration_create},
    {"GET", "/v2/integrations/logs", api_store_logs},
    {"GET", "/v2/integrations/attributes", api_integration_attributes},
    {"GET", "/v2/integrations/{id}", api_integration_get},
    {"PUT", "/v2/integrations/{id}", api_integration_update},
    {"DELETE", "/v2/integrations/{id}", api_integration_delete},
    {"GET", "/v2/integrations/{id}/logs", api_integration_logs},
    {"GET", "/v2/integrations/{id}/jobs", api_integration_jobs},
    {"GET", "/v2/integrations/{id}/jobs/{job_id}/logs", api_job_logs},
    {"POST", "/emulator/v1/events", api_emulator_event},
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

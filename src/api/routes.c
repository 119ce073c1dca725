/* The route table of the whole API: method, path pattern, handler. Only data; the matching
 * is the router's (src/http/router.c). */
#include "api.h"

/* Literal segments win over {captures} wherever both match (see router.h). The real service's
 * routes come first, then the emulator's, which --no-emulator leaves out. */
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
    {"POST", "/emulator/v1/reset", api_emulator_reset},
    {"POST", "/emulator/v1/jobs/flush", api_emulator_flush},
    {"*", "/emulator/v1/sink/{name}", api_sink_receive},
    {"GET", "/emulator/v1/sinks/{name}/requests", api_sink_requests},
    {"DELETE", "/emulator/v1/sinks/{name}/requests", api_sink_clear},
    {"PUT", "/emulator/v1/faults", api_faults_put},
    {"GET", "/emulator/v1/faults", api_faults_get},
    {"DELETE", "/emulator/v1/faults", api_faults_delete},
    {"GET", "/emulator/v1/state", api_state_get},
    {"PUT", "/emulator/v1/state", api_state_put},
    {"GET", "/emulator/v1/deliveries", api_deliveries},
    {"POST", "/emulator/v1/jobs/{job_id}/resend", api_emulator_resend},
    {"GET", "/emulator/v1/openapi.json", api_openapi},
    {"GET", "/emulator/ui", api_ui_page},
    {"GET", "/emulator/ui/{file}", api_ui_file},
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];
const size_t api_emulator_route_count = 16; /* the last rows (test_router checks it) */

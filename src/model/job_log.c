#include "job_log.h"

#include "timestamp.h"

json_t *job_log_render(const job_log *log)
{
    char created[TIMESTAMP_LEN];
    timestamp_format(log->created_at_ms, created);
    json_t *status = log->status_code ? json_integer(log->status_code) : json_null();
    return json_pack("{s:s, s:s, s:b, s:i, s:f, s:s, s:o, s:s, s:{s:{s:{s:s, s:s}}, s:{s:{s:s, s:s}}}, s:{s:{s:s}}}",
                     "id", log->id, "type", "integration-log", "succeeded", log->succeeded, "attempt", log->attempt,
                     "processing_time", log->processing_time, "body", log->body, "status_code", status,
                     "error_detail", log->error_detail,
                     "relationships",
                     "integration", "data", "type", "integration", "id", log->integration_id,
                     "job", "data", "type", "integration-job", "id", log->job_id,
                     "meta", "timestamps", "created_at", created);
}

json_t *job_render(const char *job_id)
{
    return json_pack("{s:s, s:s}", "id", job_id, "type", "integration-job");
}

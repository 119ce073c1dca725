/* Jobs and delivery logs as the API shows them: one renderer each, for every list and page.
 * Pure: rows come in from the store, text goes out. */
#include "job_log.h"

#include <stdlib.h>

#include "strbuf.h"
#include "timestamp.h"

void job_log_write(strbuf *out, const job_log *log)
{
    char created[TIMESTAMP_LEN];
    timestamp_format(log->created_at_ms, created);
    json_t *status = log->status_code ? json_integer(log->status_code) : json_null();
    /* built with jansson: processing_time is a real, written as jansson writes reals */
    json_t *doc = json_pack("{s:s, s:s, s:b, s:i, s:f, s:s, s:o, s:s, s:{s:{s:{s:s, s:s}}, s:{s:{s:s, s:s}}}, s:{s:{s:s}}}",
                            "id", log->id, "type", "integration-log", "succeeded", log->succeeded, "attempt",
                            log->attempt, "processing_time", log->processing_time, "body", log->body, "status_code",
                            status, "error_detail", log->error_detail,
                            "relationships",
                            "integration", "data", "type", "integration", "id", log->integration_id,
                            "job", "data", "type", "integration-job", "id", log->job_id,
                            "meta", "timestamps", "created_at", created);
    strbuf_put_json(out, doc, JSON_REAL_PRECISION(10));
    json_decref(doc);
}

void job_write(strbuf *out, const char *job_id)
{
    strbuf_lit(out, "{\"id\":");
    strbuf_json_string(out, job_id);
    strbuf_lit(out, ",\"type\":\"integration-job\"}");
}

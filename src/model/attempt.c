/* Owns the life of a delivery_job (its parsed payload and configuration). Pure. */
#include "attempt.h"

#include <stdlib.h>
#include <string.h>

void delivery_job_clear(delivery_job *job)
{
    json_decref(job->payload);
    json_decref(job->configuration);
    integration_clear(&job->it);
    memset(job, 0, sizeof *job);
}

const char *job_config(const delivery_job *job, const char *key)
{
    return json_string_value(json_object_get(job->configuration, key));
}

void attempt_result_clear(attempt_result *r)
{
    free(r->body);
    free(r->wire_request);
    free(r->wire_response);
    memset(r, 0, sizeof *r);
}

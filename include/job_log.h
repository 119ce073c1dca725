/* One delivery attempt as the logs endpoints show it (spec §7 log object). Pure. */
#ifndef INTEGRATIONSD_JOB_LOG_H
#define INTEGRATIONSD_JOB_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ids.h"

typedef struct job_log {
    char id[UUID_STR_LEN];
    char job_id[UUID_STR_LEN];
    char integration_id[UUID_STR_LEN];
    int attempt;
    bool succeeded;
    double processing_time; /* seconds */
    const char *body;
    int status_code;        /* 0 = no HTTP answer (null) */
    const char *error_detail;
    int64_t created_at_ms;
} job_log;

json_t *job_log_render(const job_log *log);

#endif

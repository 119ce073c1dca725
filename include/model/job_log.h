/* Jobs and delivery attempts as the jobs and logs endpoints show them (spec §7). Pure. */
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

struct strbuf;
/* Appends the log object of spec §7 as compact JSON: the one renderer of a log, for every logs
 * list. A failure marks `out` failed. */
void job_log_write(struct strbuf *out, const job_log *log);

/* Appends a job as its list shows it: {"id":…,"type":"integration-job"}. */
void job_write(struct strbuf *out, const char *job_id);

#endif

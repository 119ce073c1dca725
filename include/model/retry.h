/* When a job is tried next (spec §7 attempts). Pure. */
#ifndef INTEGRATIONSD_RETRY_H
#define INTEGRATIONSD_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* After attempt number `attempt` (from 1) ended at `ended_ms`: the time of the next attempt in
 * unix ms, or -1 when the job is done (it succeeded, or the schedule has no attempt left).
 * schedule[k] is the delay in seconds before attempt k+1. */
int64_t retry_next_attempt(const double *schedule, size_t attempts, int attempt, bool succeeded, int64_t ended_ms);

#endif

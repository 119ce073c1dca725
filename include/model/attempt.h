/* One attempt of one job: what a transport is given (delivery_job) and what it answers
 * (attempt_result), the terms shared by the store, which loads jobs and records outcomes, and the
 * transports, which make the attempts. Pure. */
#ifndef INTEGRATIONSD_ATTEMPT_H
#define INTEGRATIONSD_ATTEMPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ids.h"
#include "integration.h"

#define EVENT_KEY_MAX 128
#define RESPONSE_BODY_MAX 4096

/* One attempt of one job, as the transports need it. */
typedef struct delivery_job {
    char id[UUID_STR_LEN];
    char store_id[UUID_STR_LEN];
    char trigger[EVENT_KEY_MAX];
    int attempt;     /* number of this attempt, from 1 */
    json_t *payload; /* the event's payload document */
    int64_t event_created_ms;
    integration it;         /* as stored: real secrets */
    json_t *configuration;  /* it.configuration parsed, for the transports */
    bool resend;            /* one more attempt asked for (the emulator's resend): it schedules nothing */
} delivery_job;

/* The outcome of one attempt, as its log records it. */
typedef struct attempt_result {
    bool succeeded;
    int status_code;        /* 0 = no HTTP answer */
    char *body;             /* valid UTF-8, at most RESPONSE_BODY_MAX bytes; owned */
    char error_detail[512];
    double processing_time; /* seconds */
    int64_t ended_ms;       /* unix ms when the attempt ended: its log's time, and the retry's start */
    int64_t started_ms;     /* unix ms when it began */
    const char *transport;  /* "webhook", "sqs" or "stomp" */
    char *wire_request;     /* what was sent (wire.h), JSON text; owned; NULL: nothing */
    char *wire_response;    /* what came back, JSON text; owned; NULL: nothing answered */
} attempt_result;

/* Frees the owned members and zeroes the struct. */
void attempt_result_clear(attempt_result *r);

void delivery_job_clear(delivery_job *job);

/* A string of the integration's stored configuration (real secrets); NULL when absent. */
const char *job_config(const delivery_job *job, const char *key);

#endif

/* What a delivery sends: the webhook body (spec §7.1) and sample event payloads (spec §7). Pure. */
#ifndef INTEGRATIONSD_PAYLOAD_H
#define INTEGRATIONSD_PAYLOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
} delivery_job;

/* The outcome of one attempt, as its log records it. */
typedef struct attempt_result {
    bool succeeded;
    int status_code;        /* 0 = no HTTP answer */
    char *body;             /* valid UTF-8, at most RESPONSE_BODY_MAX bytes; owned */
    char error_detail[512];
    double processing_time; /* seconds */
} attempt_result;

void delivery_job_clear(delivery_job *job);

/* A string of the integration's stored configuration (real secrets); NULL when absent. */
const char *job_config(const delivery_job *job, const char *key);

/* true for "*.deleted" triggers, whose payload is {"type","id"} rather than {"data":…}. */
bool trigger_is_deletion(const char *trigger);

/* The JSON body of a webhook POST; a newly allocated string. */
char *webhook_body(const delivery_job *job);

/* The CloudEvents 1.0 structured JSON message of SQS and STOMP deliveries (spec §7.2); source is
 * the server's public base URL. A newly allocated string. */
char *cloudevent_body(const delivery_job *job, const char *source);

/* A plausible payload for trigger: {"data":{"type":…,"id":id,…}}, or {"type","id"} for *.deleted. */
json_t *sample_payload(const char *trigger, const char *id);

/* Copies at most max bytes of in[0..len) as valid UTF-8: cut at a character boundary, invalid
 * bytes replaced by U+FFFD. Returns a newly allocated NUL-terminated string. */
char *utf8_clean(const char *in, size_t len, size_t max);

#endif

/* What a delivery sends: the webhook body (spec §7.1) and sample event payloads (spec §7). Pure. */
#ifndef INTEGRATIONSD_PAYLOAD_H
#define INTEGRATIONSD_PAYLOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"


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

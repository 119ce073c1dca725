/* Transports: one attempt of one job to the integration's peer. Each fills an attempt_result;
 * it returns false only when the attempt was interrupted by shutdown (nothing to log). */
#ifndef INTEGRATIONSD_TRANSPORT_H
#define INTEGRATIONSD_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "db.h"
#include "delivery.h"

bool webhook_deliver(const delivery_job *job, const delivery_settings *s, const atomic_bool *stopping,
                     attempt_result *r);
/* The TLS client context of STOMP: system trust store plus an optional PEM file of CAs. */
typedef struct stomp_tls stomp_tls;
stomp_tls *stomp_tls_new(const char *ca_file);
void stomp_tls_free(stomp_tls *t);

bool stomp_deliver(const delivery_job *job, const delivery_settings *s, stomp_tls *tls, const atomic_bool *stopping,
                   attempt_result *r);
bool sqs_deliver(const delivery_job *job, const delivery_settings *s, const atomic_bool *stopping,
                 attempt_result *r);

#endif

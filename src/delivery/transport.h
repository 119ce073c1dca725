/* Transports: one attempt of one job to the integration's peer (src/delivery only). Each fills an
 * attempt_result; it returns false only when the attempt was interrupted by shutdown. */
#ifndef INTEGRATIONSD_TRANSPORT_H
#define INTEGRATIONSD_TRANSPORT_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "delivery.h"
#include "payload.h"

/* The TLS client context of STOMP: system trust store plus an optional PEM file of CAs, loaded
 * on the first stomp+ssl connection (OpenSSL costs nothing until a broker needs it). */
typedef struct stomp_tls stomp_tls;
stomp_tls *stomp_tls_new(const char *ca_file);
void stomp_tls_free(stomp_tls *t);

/* What a worker lends to the attempts it runs. */
typedef struct transport_ctx {
    const delivery_settings *s;
    const atomic_bool *stopping; /* shutdown: cut the attempt short */
    CURL *curl;                  /* the worker's own, kept between attempts: connections to a host are reused */
    stomp_tls *tls;              /* shared by the workers */
} transport_ctx;

bool webhook_deliver(transport_ctx *t, const delivery_job *job, attempt_result *r);
bool sqs_deliver(transport_ctx *t, const delivery_job *job, attempt_result *r);
bool stomp_deliver(transport_ctx *t, const delivery_job *job, attempt_result *r);

#endif

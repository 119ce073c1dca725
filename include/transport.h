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

#endif

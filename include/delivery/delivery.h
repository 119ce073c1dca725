/* The job runner: a pool of workers that claim due jobs, run one attempt through the
 * integration's transport, log it and reschedule (spec §7). API requests never wait for it. */
#ifndef INTEGRATIONSD_DELIVERY_H
#define INTEGRATIONSD_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

typedef struct delivery_settings {
    const double *schedule;      /* seconds before attempt 1, 2, … */
    size_t attempts;             /* entries of schedule */
    double timeout;              /* seconds per attempt */
    bool sign_webhooks;
    const char *public_base_url; /* CloudEvents "source" */
    const char *stomp_ca_file;   /* extra CAs for stomp+ssl; NULL = system trust store only */
} delivery_settings;

typedef struct delivery delivery;

/* Starts `workers` threads; jobs left pending by an earlier run are resumed. NULL (after
 * printing why) when it cannot, e.g. an unreadable CA file. */
delivery *delivery_start(db *d, const delivery_settings *s, unsigned workers);
/* Cuts attempts under way short (each is logged as interrupted; its job stays pending for the
 * next start, on its schedule) and joins the workers. */
void delivery_stop(delivery *dl);

#endif

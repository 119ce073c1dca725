/* `integrationsd --healthcheck`: asks GET /health of the server the same flags describe, for a
 * container HEALTHCHECK. */
#ifndef INTEGRATIONSD_HEALTHCHECK_H
#define INTEGRATIONSD_HEALTHCHECK_H

#include "config.h"

/* 0 when the server answers 200 {"status":"ok"} within 3 s, else 1 (the reason on stderr). */
int healthcheck_run(const config *cfg);

#endif

/* The console's access log: one line a request and one a delivery attempt, as text or as JSON
 * lines, on standard output. Lines are gathered in memory and written by a thread of their own
 * within LOG_FLUSH_MS (or at once past LOG_BUFFER bytes), so that a request never waits on the
 * console. Off until access_log_start; --quiet leaves it off. */
#ifndef INTEGRATIONSD_ACCESS_LOG_H
#define INTEGRATIONSD_ACCESS_LOG_H

#include <stdbool.h>

void access_log_start(bool json);
/* Writes what is gathered, stops the thread. */
void access_log_stop(void);

/* A request answered: store_id NULL when none was known. */
void access_log_request(const char *method, const char *path, int status, double duration_ms, const char *request_id,
                        const char *store_id);
/* A delivery attempt ended: detail is its error ("" on success). */
void access_log_attempt(const char *trigger, const char *integration_id, const char *transport, int attempt,
                        bool succeeded, const char *detail);

#endif

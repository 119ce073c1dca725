/* The deadlines of the server's connections, which trickling bytes cannot extend (libmicrohttpd's
 * own timeout starts again at every byte). A connection is at any time in one of four states:
 *   fresh     accepted, its first request's headers not all in: --header-timeout from accept;
 *   reading   headers in, the body arriving: --body-timeout from the end of the headers;
 *   answering the whole request in: no deadline here (a deferred answer has its own limits);
 *   idle      answered, kept alive: --idle-timeout from the answer, for the next request whole
 *             headers included; idle ones are also closed first, oldest first, when the
 *             connections in use near the limit, and past --max-idle-connections (an idle
 *             connection keeps the memory libmicrohttpd gave it: up to HEAD_MEMORY).
 * A fresh or reading connection past its deadline gets a 408 and is shut down; an idle one is
 * shut down. Each state's connections are kept in the order of their deadlines, so a sweep looks
 * only at the expired ones. */
#ifndef INTEGRATIONSD_DEADLINES_H
#define INTEGRATIONSD_DEADLINES_H

#include <stdint.h>

typedef struct deadlines deadlines;
typedef struct conn_clock conn_clock;

/* The sweeping thread is started; NULL when it cannot be (or memory runs out). */
deadlines *deadlines_start(int64_t header_ms, int64_t body_ms, int64_t idle_ms, unsigned max_connections,
                           unsigned max_idle);
void deadlines_stop(deadlines *d);

/* A connection accepted on socket fd: fresh. NULL when memory runs out (it then has no deadline). */
conn_clock *deadlines_open(deadlines *d, int fd);
void deadlines_reading(deadlines *d, conn_clock *c);   /* its headers are in */
void deadlines_answering(deadlines *d, conn_clock *c); /* its whole request is in */
void deadlines_idle(deadlines *d, conn_clock *c);      /* its answer is sent, or given up */
void deadlines_close(deadlines *d, conn_clock *c);     /* it is closed: c is freed */

#endif

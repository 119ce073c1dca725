/* Work done at a time, mostly waking deferred answers (src/http only): one thread and a heap of
 * due times, so that a thousand delayed answers hold no thread each. */
#ifndef INTEGRATIONSD_TIMERS_H
#define INTEGRATIONSD_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"

typedef struct timers timers;

timers *timers_new(void);
/* fire(arg) on the timer thread once due_ms (CLOCK_MONOTONIC milliseconds, timers_now) has come;
 * false when out of memory (the caller fires it at once). */
bool timers_add(timers *t, int64_t due_ms, void (*fire)(void *arg), void *arg);
int64_t timers_now(void);
/* Fires every pending one now (shutdown answers them early), then stops the thread and frees. */
void timers_free(timers *t);

#endif

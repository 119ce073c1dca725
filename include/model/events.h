/* The catalogue of observable event keys (spec §6). Pure. */
#ifndef INTEGRATIONSD_EVENTS_H
#define INTEGRATIONSD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

/* true when key is a valid `observes` entry / event trigger. */
bool event_key_is_observable(const char *key);

#endif

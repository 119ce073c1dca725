/* Room for one more item in a growing array: the one growth rule of every such array. */
#ifndef INTEGRATIONSD_ARRAY_H
#define INTEGRATIONSD_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/* Makes room for item number count + 1 in *items (of *cap items of item_size bytes), doubling
 * from `first`; false when out of memory (the array is then as it was). */
bool array_room(void **items, size_t *cap, size_t count, size_t item_size, size_t first);

#endif

/* Owns the growth rule of arrays that grow an item at a time: doubling. */
#include "array.h"

#include <stdlib.h>

bool array_room(void **items, size_t *cap, size_t count, size_t item_size, size_t first)
{
    if (count < *cap)
        return true;
    size_t grown_cap = *cap ? *cap * 2 : first;
    void *grown = realloc(*items, grown_cap * item_size);
    if (!grown)
        return false;
    *items = grown;
    *cap = grown_cap;
    return true;
}

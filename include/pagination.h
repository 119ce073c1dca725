/* Page parameters and the list envelope of spec §5. Pure. */
#ifndef INTEGRATIONSD_PAGINATION_H
#define INTEGRATIONSD_PAGINATION_H

#include <jansson.h>
#include <stdbool.h>

#define PAGE_LIMIT_DEFAULT 25
#define PAGE_LIMIT_MAX 100

typedef struct page {
    long limit;
    long offset;
} page;

/* Parses one raw query value (NULL = absent). Returns false when it is not a non-negative integer. */
bool page_parse_limit(const char *raw, long *limit);
bool page_parse_offset(const char *raw, long *offset);

/* Builds {"data":data,"links":…,"meta":…,"results":…}; steals data. base_url is the absolute
 * URL of the list without query string. */
json_t *page_envelope(json_t *data, const page *p, long total, const char *base_url);

/* The envelope after the items, for a list whose items are written as text: the envelope of an
 * empty list from its "]" on ("],"links":…}"). Newly allocated; NULL when it cannot be built. */
char *page_envelope_tail(const page *p, long total, const char *base_url);

#endif

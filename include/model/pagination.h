/* Page parameters and the list envelope of spec §5. Pure. */
#ifndef INTEGRATIONSD_PAGINATION_H
#define INTEGRATIONSD_PAGINATION_H

#include <stdbool.h>
#include <stddef.h>

#define PAGE_LIMIT_DEFAULT 25
#define PAGE_LIMIT_MAX 100

typedef struct page {
    long limit;
    long offset;
} page;

/* Parses one raw query value (NULL = absent). Returns false when it is not a non-negative integer. */
bool page_parse_limit(const char *raw, long *limit);
bool page_parse_offset(const char *raw, long *offset);

struct strbuf;
/* Every list is written as text (spec §5): page_list_begin writes {"data":[ ; the caller writes
 * the items, separated by commas; page_list_end writes the rest: ],"links":…,"meta":…,"results":…}.
 * list_url is the absolute URL of the list without query string. */
void page_list_begin(struct strbuf *out);
/* Before each item: the comma, from the second on; *items counts them. */
void page_list_separator(struct strbuf *out, size_t *items);
void page_list_end(struct strbuf *out, const page *p, long total, const char *list_url);

#endif

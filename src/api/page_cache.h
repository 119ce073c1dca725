/* Pages of the integrations list kept in memory, each for one version of its store (src/api
 * only). A page is answered again as it was written as long as nothing changed the store's
 * integrations: the store's version (db_store_version) moves with every such commit, before that
 * write is answered, so a page is never older than the last answered change. Fixed slots: the
 * memory it takes is bounded. */
#ifndef INTEGRATIONSD_PAGE_CACHE_H
#define INTEGRATIONSD_PAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct page_cache page_cache;

page_cache *page_cache_new(void);
void page_cache_free(page_cache *c);
/* A copy (the caller's) of the page kept for key at version; NULL when there is none. */
char *page_cache_get(page_cache *c, const char *key, uint64_t version, size_t *len);
/* Keeps a copy of text for key at version (in place of whatever held its slot). */
void page_cache_put(page_cache *c, const char *key, uint64_t version, const char *text, size_t len);

#endif

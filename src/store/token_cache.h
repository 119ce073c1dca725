/* The tokens that requests presented lately, in memory: every request checks its token, and a
 * token never changes once stored, so most checks need no database read (src/store only). A
 * fixed number of slots: memory is bounded whatever the number of tokens. */
#ifndef INTEGRATIONSD_TOKEN_CACHE_H
#define INTEGRATIONSD_TOKEN_CACHE_H

#include <stdbool.h>

#include "db.h"

typedef struct token_cache token_cache;

token_cache *token_cache_new(void);
void token_cache_free(token_cache *c);
/* true with *out filled when the token is in the cache. */
bool token_cache_get(token_cache *c, const char *token, token_row *out);
/* Keeps a token read from the table (replacing whatever held its slot). */
void token_cache_put(token_cache *c, const char *token, const token_row *row);

#endif

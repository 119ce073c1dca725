/* Tokens already read, kept in memory: a stored token never changes, so a hit is the
 * table's answer. Striped locks; a new token takes over its slot. Knows no SQL. */
#include "token_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024   /* a power of two */
#define STRIPES 16   /* locks, so that threads rarely wait for one another */
#define TOKEN_MAX 64 /* the tokens this server issues; longer ones are never cached */

typedef struct slot {
    char token[TOKEN_MAX + 1]; /* "" = empty */
    token_row row;
} slot;

struct token_cache {
    pthread_mutex_t locks[STRIPES];
    slot slots[SLOTS];
};

/* FNV-1a: tokens are random, any spread will do. */
static size_t slot_of(const char *token)
{
    uint32_t h = 2166136261u;
    for (; *token; token++)
        h = (h ^ (unsigned char)*token) * 16777619u;
    return h & (SLOTS - 1);
}

token_cache *token_cache_new(void)
{
    token_cache *c = calloc(1, sizeof *c); /* untouched slots cost no memory */
    if (!c)
        return NULL;
    for (size_t i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    return c;
}

void token_cache_free(token_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c);
}

bool token_cache_get(token_cache *c, const char *token, token_row *out)
{
    if (strlen(token) > TOKEN_MAX)
        return false;
    size_t i = slot_of(token);
    pthread_mutex_t *lock = &c->locks[i % STRIPES];
    pthread_mutex_lock(lock);
    bool hit = strcmp(c->slots[i].token, token) == 0 && token[0];
    if (hit)
        *out = c->slots[i].row;
    pthread_mutex_unlock(lock);
    return hit;
}

void token_cache_put(token_cache *c, const char *token, const token_row *row)
{
    size_t len = strlen(token);
    if (len == 0 || len > TOKEN_MAX)
        return;
    size_t i = slot_of(token);
    pthread_mutex_t *lock = &c->locks[i % STRIPES];
    pthread_mutex_lock(lock);
    memcpy(c->slots[i].token, token, len + 1);
    c->slots[i].row = *row;
    pthread_mutex_unlock(lock);
}

/* The integrations list pages kept in memory, each valid for one version of its store. Owns
 * its slots and their locks; knows nothing of HTTP or SQL: a caller asks with a store version. */
#include "page_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 64                  /* pages kept at most */
#define PAGE_MAX (128 * 1024)     /* larger pages are written each time */

typedef struct slot {
    pthread_mutex_t mu;
    char *key; /* NULL = empty */
    uint64_t version;
    char *text;
    size_t len;
} slot;

struct page_cache {
    slot slots[SLOTS];
};

static size_t slot_of(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h % SLOTS;
}

page_cache *page_cache_new(void)
{
    page_cache *c = calloc(1, sizeof *c);
    if (c)
        for (size_t i = 0; i < SLOTS; i++)
            pthread_mutex_init(&c->slots[i].mu, NULL);
    return c;
}

void page_cache_free(page_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SLOTS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].text);
        pthread_mutex_destroy(&c->slots[i].mu);
    }
    free(c);
}

char *page_cache_get(page_cache *c, const char *key, uint64_t version, size_t *len)
{
    slot *s = &c->slots[slot_of(key)];
    char *copy = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->key && s->version == version && strcmp(s->key, key) == 0 && (copy = malloc(s->len + 1))) {
        memcpy(copy, s->text, s->len + 1);
        *len = s->len;
    }
    pthread_mutex_unlock(&s->mu);
    return copy;
}

void page_cache_put(page_cache *c, const char *key, uint64_t version, const char *text, size_t len)
{
    if (len > PAGE_MAX)
        return;
    char *key_copy = strdup(key), *text_copy = malloc(len + 1);
    if (!key_copy || !text_copy) {
        free(key_copy);
        free(text_copy);
        return;
    }
    memcpy(text_copy, text, len + 1);
    slot *s = &c->slots[slot_of(key)];
    pthread_mutex_lock(&s->mu);
    char *old_key = s->key, *old_text = s->text;
    s->key = key_copy;
    s->text = text_copy;
    s->len = len;
    s->version = version;
    pthread_mutex_unlock(&s->mu);
    free(old_key);
    free(old_text);
}

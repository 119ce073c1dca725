/* Route matching: splits a path into segments and picks the route whose literal segments win
 * over captures. Pure: no libmicrohttpd, no allocation. */
#include "router.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_SEGMENTS 16

typedef struct segments {
    const char *ptr[MAX_SEGMENTS];
    size_t len[MAX_SEGMENTS];
    size_t count;
} segments;

/* Splits "/a/b/" into a, b. Rejects empty inner segments ("//") and over-long paths. */
static bool split(const char *path, segments *out)
{
    out->count = 0;
    if (path[0] != '/')
        return false;
    const char *p = path + 1;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || out->count == MAX_SEGMENTS)
            return false;
        out->ptr[out->count] = p;
        out->len[out->count] = len;
        out->count++;
        if (!slash)
            break;
        p = slash + 1; /* a trailing slash ends the loop with *p == '\0' */
    }
    return true;
}

static bool is_capture(const char *seg, size_t len)
{
    return len >= 2 && seg[0] == '{' && seg[len - 1] == '}';
}

/* Returns a specificity score (literal segments earlier weigh more), or -1 when no match. */
static int64_t match_score(const segments *pat, const segments *path)
{
    if (pat->count != path->count)
        return -1;
    int64_t score = 0;
    for (size_t i = 0; i < pat->count; i++) {
        score <<= 1;
        if (is_capture(pat->ptr[i], pat->len[i]))
            continue;
        if (pat->len[i] != path->len[i] || memcmp(pat->ptr[i], path->ptr[i], pat->len[i]) != 0)
            return -1;
        score |= 1;
    }
    return score;
}

route_result router_match(const route *table, size_t n, const char *method, const char *path, const route **found,
                          route_params *params, char allow[ROUTE_ALLOW_LEN])
{
    segments path_segs, pat_segs;
    allow[0] = '\0';
    params->count = 0;
    if (!split(path, &path_segs))
        return ROUTE_NO_PATH;

    const char *best_pattern = NULL;
    int64_t best_score = -1;
    for (size_t i = 0; i < n; i++) {
        if (!split(table[i].pattern, &pat_segs))
            continue;
        int64_t score = match_score(&pat_segs, &path_segs);
        if (score > best_score) {
            best_score = score;
            best_pattern = table[i].pattern;
        }
    }
    if (!best_pattern)
        return ROUTE_NO_PATH;

    split(best_pattern, &pat_segs);
    for (size_t i = 0; i < pat_segs.count && params->count < ROUTE_MAX_PARAMS; i++) {
        if (is_capture(pat_segs.ptr[i], pat_segs.len[i])) {
            params->v[params->count].ptr = path_segs.ptr[i];
            params->v[params->count].len = path_segs.len[i];
            params->count++;
        }
    }

    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].pattern, best_pattern) != 0)
            continue;
        if (strcmp(table[i].method, method) == 0 || strcmp(table[i].method, "*") == 0) {
            *found = &table[i];
            return ROUTE_FOUND;
        }
        int w = snprintf(allow + used, ROUTE_ALLOW_LEN - used, "%s%s", used ? ", " : "", table[i].method);
        if (w > 0 && (size_t)w < ROUTE_ALLOW_LEN - used)
            used += (size_t)w;
    }
    return ROUTE_NO_METHOD;
}

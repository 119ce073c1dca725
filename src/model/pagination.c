#include "pagination.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_non_negative(const char *raw, long *out)
{
    if (raw[0] < '0' || raw[0] > '9') /* rejects "", "-1", "+1", " 1" */
        return false;
    char *end;
    errno = 0;
    long v = strtol(raw, &end, 10); /* all digits: too large saturates at LONG_MAX (ERANGE) */
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

bool page_parse_limit(const char *raw, long *limit)
{
    *limit = PAGE_LIMIT_DEFAULT;
    if (!raw)
        return true;
    long v;
    if (!parse_non_negative(raw, &v))
        return false;
    if (v == 0)
        v = PAGE_LIMIT_DEFAULT;
    else if (v > PAGE_LIMIT_MAX)
        v = PAGE_LIMIT_MAX;
    *limit = v;
    return true;
}

bool page_parse_offset(const char *raw, long *offset)
{
    *offset = 0;
    if (!raw)
        return true;
    return parse_non_negative(raw, offset);
}

static json_t *page_link(const char *base_url, long limit, long offset)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "%s?page[limit]=%ld&page[offset]=%ld", base_url, limit, offset);
    if (n < 0 || (size_t)n >= sizeof buf)
        return json_null();
    return json_string(buf);
}

json_t *page_envelope(json_t *data, const page *p, long total, const char *base_url)
{
    long limit = p->limit, offset = p->offset;
    long pages = total == 0 ? 0 : (total + limit - 1) / limit;
    long last_offset = pages == 0 ? 0 : (pages - 1) * limit;
    json_t *prev = offset > 0 ? page_link(base_url, limit, offset > limit ? offset - limit : 0) : json_null();
    json_t *next = offset <= LONG_MAX - limit && offset + limit < total ? page_link(base_url, limit, offset + limit)
                                                                          : json_null();
    return json_pack("{s:o, s:{s:o, s:o, s:o, s:o, s:o}, s:{s:{s:I, s:I, s:I, s:I}, s:{s:I}}, s:{s:I}}",
                     "data", data,
                     "links",
                     "current", page_link(base_url, limit, offset),
                     "first", page_link(base_url, limit, 0),
                     "last", page_link(base_url, limit, last_offset),
                     "prev", prev,
                     "next", next,
                     "meta",
                     "page", "limit", (json_int_t)limit, "offset", (json_int_t)offset,
                     "current", (json_int_t)(offset / limit + 1), "total", (json_int_t)pages,
                     "results", "total", (json_int_t)total,
                     "results", "total", (json_int_t)total);
}

char *page_envelope_tail(const page *p, long total, const char *base_url)
{
    static const char empty_data[] = "{\"data\":[]";
    const size_t tail = sizeof empty_data - 2; /* where "]" begins */
    json_t *shape = page_envelope(json_array(), p, total, base_url);
    char *text = shape ? json_dumps(shape, JSON_COMPACT) : NULL;
    json_decref(shape);
    if (!text || strncmp(text, empty_data, tail + 1) != 0) {
        free(text);
        return NULL;
    }
    memmove(text, text + tail, strlen(text + tail) + 1);
    return text;
}

/* Page parameters (page[limit], page[offset]) and the list envelope (meta, links). Pure. */
#include "pagination.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

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

/* "<url>?page[limit]=L&page[offset]=O" as a JSON string. */
static void write_link(strbuf *out, const char *url, long limit, long offset)
{
    char query[64];
    snprintf(query, sizeof query, "?page[limit]=%ld&page[offset]=%ld\"", limit, offset);
    strbuf_lit(out, "\"");
    strbuf_json_escape(out, url);
    strbuf_puts(out, query);
}

void page_list_begin(strbuf *out)
{
    strbuf_lit(out, "{\"data\":[");
}

void page_list_separator(strbuf *out, size_t *items)
{
    if ((*items)++)
        strbuf_lit(out, ",");
}

void page_list_end(strbuf *out, const page *p, long total, const char *list_url)
{
    long limit = p->limit, offset = p->offset;
    long pages = total == 0 ? 0 : (total + limit - 1) / limit;
    long last_offset = pages == 0 ? 0 : (pages - 1) * limit;
    /* saturates like the offset: page[limit]=1&page[offset]=LONG_MAX is page LONG_MAX, not LONG_MAX + 1 */
    long current = offset / limit < LONG_MAX ? offset / limit + 1 : LONG_MAX;
    char numbers[256];
    strbuf_lit(out, "],\"links\":{\"current\":");
    write_link(out, list_url, limit, offset);
    strbuf_lit(out, ",\"first\":");
    write_link(out, list_url, limit, 0);
    strbuf_lit(out, ",\"last\":");
    write_link(out, list_url, limit, last_offset);
    strbuf_lit(out, ",\"prev\":");
    if (offset > 0)
        write_link(out, list_url, limit, offset > limit ? offset - limit : 0);
    else
        strbuf_lit(out, "null");
    strbuf_lit(out, ",\"next\":");
    if (offset <= LONG_MAX - limit && offset + limit < total)
        write_link(out, list_url, limit, offset + limit);
    else
        strbuf_lit(out, "null");
    snprintf(numbers, sizeof numbers,
             "},\"meta\":{\"page\":{\"limit\":%ld,\"offset\":%ld,\"current\":%ld,\"total\":%ld},"
             "\"results\":{\"total\":%ld}},\"results\":{\"total\":%ld}}",
             limit, offset, current, pages, total, total);
    strbuf_puts(out, numbers);
}

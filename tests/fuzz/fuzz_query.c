/* The page parameters of every list (src/api/common.c api_page): page[limit] and page[offset] as
 * libmicrohttpd hands them over (decoded text, or absent), then the list envelope written with
 * them under a base URL that may come from the Host header. The input is up to four lines:
 * limit, offset, base URL, total; a missing line is an absent parameter. */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "pagination.h"
#include "strbuf.h"

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static void check_envelope(const page *p, long total, const char *url)
{
    strbuf out = {0};
    page_list_begin(&out);
    page_list_end(&out, p, total, url);
    char *text = strbuf_take(&out);
    if (!fuzz_is_utf8(url)) { /* JSON cannot carry it: the answer is refused, never sent broken */
        FUZZ_ASSERT(!text);
        return;
    }
    FUZZ_ASSERT(text);
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    FUZZ_ASSERT(doc);
    const json_t *pg = json_object_get(json_object_get(doc, "meta"), "page");
    FUZZ_ASSERT(json_integer_value(json_object_get(pg, "limit")) == p->limit);
    FUZZ_ASSERT(json_integer_value(json_object_get(pg, "offset")) == p->offset);
    long page_index = p->offset / p->limit; /* the page number saturates like the offset */
    FUZZ_ASSERT(json_integer_value(json_object_get(pg, "current")) == (page_index < LONG_MAX ? page_index + 1 : LONG_MAX));
    FUZZ_ASSERT(json_integer_value(json_object_get(pg, "total")) == (total + p->limit - 1) / p->limit);
    const json_t *links = json_object_get(doc, "links");
    char *want = NULL;
    FUZZ_ASSERT(asprintf(&want, "%s?page[limit]=%ld&page[offset]=%ld", url, p->limit, p->offset) > 0);
    FUZZ_ASSERT(strcmp(json_string_value(json_object_get(links, "current")), want) == 0);
    free(want);
    FUZZ_ASSERT(json_is_null(json_object_get(links, "prev")) == (p->offset == 0));
    FUZZ_ASSERT(json_is_null(json_object_get(links, "next")) == (p->offset >= total - p->limit));
    json_decref(doc);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    char *line[4] = {0}, *p = text;
    for (size_t i = 0; i < 4 && p; i++) {
        line[i] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }
    page pg;
    bool limit_ok = page_parse_limit(line[0], &pg.limit);
    bool offset_ok = page_parse_offset(line[1], &pg.offset);
    FUZZ_ASSERT(limit_ok == (!line[0] || all_digits(line[0])));
    FUZZ_ASSERT(offset_ok == (!line[1] || all_digits(line[1])));
    if (limit_ok)
        FUZZ_ASSERT(pg.limit >= 1 && pg.limit <= PAGE_LIMIT_MAX);
    if (limit_ok && line[0]) {
        errno = 0;
        long v = strtol(line[0], NULL, 10);
        FUZZ_ASSERT(pg.limit == (v == 0 ? PAGE_LIMIT_DEFAULT : v > PAGE_LIMIT_MAX ? PAGE_LIMIT_MAX : v));
    }
    if (offset_ok)
        FUZZ_ASSERT(pg.offset >= 0 && (line[1] || pg.offset == 0));
    if (limit_ok && offset_ok) {
        /* a total is the store's count of rows: never near LONG_MAX */
        long total = line[3] ? strtol(line[3], NULL, 10) : 0;
        if (total < 0 || total > (1L << 40))
            total = 0;
        check_envelope(&pg, total, line[2] ? line[2] : "http://127.0.0.1:8080/v2/integrations");
        check_envelope(&pg, 0, "http://127.0.0.1:8080/v2/integrations");
    }
    free(text);
    return 0;
}

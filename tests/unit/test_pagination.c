/* Unit tests of include/model/pagination.h: page parameters and the list envelope (spec §5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagination.h"
#include "strbuf.h"

/* The list as page_list_begin/page_list_end write it around the items of data, parsed back. */
static json_t *page_envelope(json_t *data, const page *p, long total, const char *url)
{
    strbuf out = {0};
    page_list_begin(&out);
    size_t i;
    json_t *item;
    json_array_foreach(data, i, item) {
        char *text = json_dumps(item, JSON_COMPACT);
        if (i)
            strbuf_puts(&out, ",");
        strbuf_puts(&out, text);
        free(text);
    }
    page_list_end(&out, p, total, url);
    json_decref(data);
    char *text = strbuf_take(&out);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return doc;
}

#define BASE "http://127.0.0.1:8080/v2/integrations"

/* ---- page_parse_limit / page_parse_offset -------------------------------------------------- */

typedef struct parse_row {
    const char *raw; /* NULL = parameter absent */
    bool ok;
    long value;      /* when ok */
} parse_row;

static const parse_row limit_rows[] = {
    {NULL, true, 25},   /* default */
    {"0", true, 25},    /* 0 means the default */
    {"1", true, 1},
    {"25", true, 25},
    {"99", true, 99},
    {"100", true, 100},
    {"101", true, 100}, /* clamped */
    {"1000000", true, 100},
    {"9223372036854775807", true, 100}, /* LONG_MAX is still an integer above 100 */
    {"-1", false, 0},
    {"abc", false, 0},
    {"", false, 0},
    {"1.5", false, 0},
    {"10abc", false, 0},
    {"1e2", false, 0},
    {"0x10", false, 0},
    {" 5", false, 0},
    {"5 ", false, 0},
};

static const parse_row offset_rows[] = {
    {NULL, true, 0},
    {"0", true, 0},
    {"1", true, 1},
    {"25", true, 25},
    {"1000000", true, 1000000},
    {"9223372036854775807", true, LONG_MAX},
    {"-1", false, 0},
    {"-25", false, 0},
    {"x", false, 0},
    {"", false, 0},
    {"2.0", false, 0},
    {"3four", false, 0},
    {" 1", false, 0},
};

static void run_parse_rows(const char *what, bool (*parse)(const char *, long *), const parse_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        long v = -12345;
        bool ok = parse(rows[i].raw, &v);
        if (ok != rows[i].ok || (ok && v != rows[i].value)) {
            print_error("%s(%s%s%s): got %s %ld, expected %s %ld\n", what, rows[i].raw ? "\"" : "",
                        rows[i].raw ? rows[i].raw : "NULL", rows[i].raw ? "\"" : "", ok ? "true" : "false", v,
                        rows[i].ok ? "true" : "false", rows[i].value);
            fail();
        }
    }
}

static void test_parse_limit(void **state)
{
    (void)state;
    run_parse_rows("page_parse_limit", page_parse_limit, limit_rows, sizeof limit_rows / sizeof limit_rows[0]);
}

static void test_parse_offset(void **state)
{
    (void)state;
    run_parse_rows("page_parse_offset", page_parse_offset, offset_rows, sizeof offset_rows / sizeof offset_rows[0]);
}

/* Spec §5: "above 100 is clamped to 100"; a limit beyond the range of long is still a
 * non-negative integer above 100, so it is clamped, not refused with a 400. */
static void test_parse_limit_overflow_is_clamped(void **state)
{
    (void)state;
    long v = -12345;
    assert_true(page_parse_limit("99999999999999999999", &v));
    assert_int_equal(v, 100);
}

/* An offset too large for any integer type either is refused or saturates; it never wraps. */
static void test_parse_offset_overflow(void **state)
{
    (void)state;
    long v = -12345;
    if (page_parse_offset("99999999999999999999", &v))
        assert_true(v >= LONG_MAX / 2);
    v = -12345;
    if (page_parse_offset("18446744073709551617", &v)) /* 2^64 + 1 */
        assert_true(v >= LONG_MAX / 2);
}

/* ---- page_envelope ------------------------------------------------------------------------- */

/* Reads page[limit] and page[offset] of an absolute link (raw or percent-encoded brackets). */
static bool link_page(const json_t *link, long *limit, long *offset)
{
    const char *s = json_string_value(link);
    if (!s || strncmp(s, BASE "?", strlen(BASE) + 1) != 0)
        return false;
    const char *l = strstr(s, "page[limit]=");
    const char *o = strstr(s, "page[offset]=");
    size_t ll = strlen("page[limit]="), ol = strlen("page[offset]=");
    if (!l) {
        l = strstr(s, "page%5Blimit%5D=");
        ll = strlen("page%5Blimit%5D=");
    }
    if (!o) {
        o = strstr(s, "page%5Boffset%5D=");
        ol = strlen("page%5Boffset%5D=");
    }
    if (!l || !o)
        return false;
    char *end;
    *limit = strtol(l + ll, &end, 10);
    if (*end != '\0' && *end != '&')
        return false;
    *offset = strtol(o + ol, &end, 10);
    return *end == '\0' || *end == '&';
}

typedef struct envelope_row {
    const char *name;
    long limit, offset, total;
    long pages, current;
    long last_offset;
    long prev_offset; /* -1 = null */
    long next_offset; /* -1 = null */
} envelope_row;

static const envelope_row envelope_rows[] = {
    {"first of 4 pages", 25, 0, 87, 4, 1, 75, -1, 25},
    {"second page", 25, 25, 87, 4, 2, 75, 0, 50},
    {"third page", 25, 50, 87, 4, 3, 75, 25, 75},
    {"last page", 25, 75, 87, 4, 4, 75, 50, -1},
    {"offset inside the first page", 25, 10, 87, 4, 1, 75, 0, 35},
    {"offset past the end", 25, 200, 87, 4, 9, 75, 175, -1},
    {"empty list", 25, 0, 0, 0, 1, 0, -1, -1},
    {"empty list with an offset", 25, 50, 0, 0, 3, 0, 25, -1},
    {"exactly one page", 25, 0, 25, 1, 1, 0, -1, -1},
    {"one more than a page", 25, 0, 26, 2, 1, 25, -1, 25},
    {"exactly four pages", 25, 0, 100, 4, 1, 75, -1, 25},
    {"one record", 100, 0, 1, 1, 1, 0, -1, -1},
    {"limit 1", 1, 2, 3, 3, 3, 2, 1, -1},
    {"limit 100, 101 records", 100, 0, 101, 2, 1, 100, -1, 100},
    {"limit 7, offset 13", 7, 13, 50, 8, 2, 49, 6, 20},
};

static void check_link(const char *row, const char *name, const json_t *link, long want_limit, long want_offset)
{
    if (want_offset < 0) {
        if (!json_is_null(link)) {
            print_error("%s: links.%s should be null\n", row, name);
            fail();
        }
        return;
    }
    long l = -1, o = -1;
    if (!link_page(link, &l, &o) || l != want_limit || o != want_offset) {
        print_error("%s: links.%s = %s, expected limit %ld offset %ld\n", row, name,
                    json_is_string(link) ? json_string_value(link) : "(not a string)", want_limit, want_offset);
        fail();
    }
}

static void run_envelope_row(const envelope_row *r)
{
    json_t *data = json_pack("[{s:s}]", "id", "x");
    json_t *want_data = json_deep_copy(data);
    page p = {r->limit, r->offset};
    json_t *doc = page_envelope(data, &p, r->total, BASE);
    assert_non_null(doc);
    assert_true(json_equal(json_object_get(doc, "data"), want_data)); /* the items as written */
    json_decref(want_data);

    const json_t *links = json_object_get(doc, "links");
    check_link(r->name, "current", json_object_get(links, "current"), r->limit, r->offset);
    check_link(r->name, "first", json_object_get(links, "first"), r->limit, 0);
    check_link(r->name, "last", json_object_get(links, "last"), r->limit, r->last_offset);
    check_link(r->name, "prev", json_object_get(links, "prev"), r->limit, r->prev_offset);
    check_link(r->name, "next", json_object_get(links, "next"), r->limit, r->next_offset);
    assert_non_null(json_object_get(links, "prev")); /* the keys are present even when null */
    assert_non_null(json_object_get(links, "next"));

    json_t *want_meta = json_pack("{s:{s:I, s:I, s:I, s:I}, s:{s:I}}", "page", "limit", (json_int_t)r->limit,
                                  "offset", (json_int_t)r->offset, "current", (json_int_t)r->current, "total",
                                  (json_int_t)r->pages, "results", "total", (json_int_t)r->total);
    json_t *want_results = json_pack("{s:I}", "total", (json_int_t)r->total);
    if (!json_equal(json_object_get(doc, "meta"), want_meta) ||
        !json_equal(json_object_get(doc, "results"), want_results)) {
        char *got = json_dumps(doc, JSON_COMPACT);
        char *want = json_dumps(want_meta, JSON_COMPACT);
        print_error("%s: envelope %s, expected meta %s and results.total %ld\n", r->name, got, want, r->total);
        free(got);
        free(want);
        json_decref(want_meta);
        json_decref(want_results);
        json_decref(doc);
        fail();
    }
    json_decref(want_meta);
    json_decref(want_results);
    json_decref(doc);
}

static void test_envelope_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof envelope_rows / sizeof envelope_rows[0]; i++)
        run_envelope_row(&envelope_rows[i]);
}

/* meta.page.offset/current are the real values, not cut to 32 bits (page[offset]=3000000000
 * is a valid non-negative integer; an offset above LONG_MAX saturates to LONG_MAX). */
static const envelope_row big_offset_rows[] = {
    {"offset 3000000000", 25, 3000000000L, 87, 4, 120000001L, 75, 2999999975L, -1},
    {"offset at LONG_MAX", 25, LONG_MAX, 87, 4, LONG_MAX / 25 + 1, 75, LONG_MAX - 25, -1},
    /* the page number LONG_MAX + 1 would overflow: it saturates too (found by tests/fuzz/fuzz_query.c) */
    {"offset at LONG_MAX, limit 1", 1, LONG_MAX, 87, 87, LONG_MAX, 86, LONG_MAX - 1, -1},
};

static void test_envelope_offsets_beyond_32_bits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof big_offset_rows / sizeof big_offset_rows[0]; i++)
        run_envelope_row(&big_offset_rows[i]);
}

static void test_envelope_key_order_and_links_shape(void **state)
{
    (void)state;
    page p = {25, 25};
    json_t *doc = page_envelope(json_array(), &p, 87, BASE);
    assert_non_null(doc);
    static const char *const keys[] = {"data", "links", "meta", "results"};
    static const char *const link_keys[] = {"current", "first", "last", "prev", "next"};
    size_t i = 0;
    for (void *it = json_object_iter(doc); it; it = json_object_iter_next(doc, it), i++) {
        assert_true(i < 4);
        assert_string_equal(json_object_iter_key(it), keys[i]);
    }
    assert_int_equal(i, 4);
    const json_t *links = json_object_get(doc, "links");
    assert_int_equal(json_object_size(links), 5);
    for (i = 0; i < 5; i++) {
        const char *s = json_string_value(json_object_get(links, link_keys[i]));
        assert_non_null(s);
        assert_true(strncmp(s, "http://", 7) == 0); /* absolute */
    }
    assert_true(json_is_array(json_object_get(doc, "data")));
    assert_int_equal(json_array_size(json_object_get(doc, "data")), 0);
    json_decref(doc);
}

/* A base URL with its own query-free path is kept verbatim in every link. */
static void test_envelope_keeps_base_url(void **state)
{
    (void)state;
    page p = {10, 0};
    const char *base = "https://api.example.com/v2/integrations/8cb9e689-ede7-4f6d-b61a-6aa970d572dd/logs";
    json_t *doc = page_envelope(json_array(), &p, 30, base);
    assert_non_null(doc);
    const char *first = json_string_value(json_object_get(json_object_get(doc, "links"), "first"));
    assert_non_null(first);
    assert_true(strncmp(first, base, strlen(base)) == 0);
    assert_int_equal(first[strlen(base)], '?');
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_limit),
        cmocka_unit_test(test_parse_limit_overflow_is_clamped),
        cmocka_unit_test(test_parse_offset),
        cmocka_unit_test(test_parse_offset_overflow),
        cmocka_unit_test(test_envelope_table),
        cmocka_unit_test(test_envelope_offsets_beyond_32_bits),
        cmocka_unit_test(test_envelope_key_order_and_links_shape),
        cmocka_unit_test(test_envelope_keeps_base_url),
    };
    return cmocka_run_group_tests_name("pagination", tests, NULL, NULL);
}

/* Unit tests of include/http/router.h against the real route table (include/api/app.h) and small
 * tables of our own: literal-first matching, captures, trailing slash, 404 and 405 (spec §1, §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "router.h"

/* The entry of the real table for method + pattern (the test fails when there is none). */
static const route *api_route(const char *method, const char *pattern)
{
    for (size_t i = 0; i < api_route_count; i++)
        if (strcmp(api_routes[i].method, method) == 0 && strcmp(api_routes[i].pattern, pattern) == 0)
            return &api_routes[i];
    print_error("no route %s %s in api_routes\n", method, pattern);
    fail();
    return NULL;
}

typedef struct match_row {
    const char *method, *path;
    route_result result;
    const char *pattern;  /* ROUTE_FOUND: the pattern that must win */
    const char *param0;   /* captures, NULL when none */
    const char *param1;
    const char *allow;    /* ROUTE_NO_METHOD: exact Allow value */
} match_row;

#define FOUND(m, p, pat, a, b) {m, p, ROUTE_FOUND, pat, a, b, NULL}
#define NO_PATH(m, p) {m, p, ROUTE_NO_PATH, NULL, NULL, NULL, NULL}
#define NO_METHOD(m, p, allow) {m, p, ROUTE_NO_METHOD, NULL, NULL, NULL, allow}

static const match_row api_rows[] = {
    FOUND("GET", "/v2/integrations", "/v2/integrations", NULL, NULL),
    FOUND("POST", "/v2/integrations", "/v2/integrations", NULL, NULL),
    FOUND("GET", "/v2/integrations/", "/v2/integrations", NULL, NULL),
    FOUND("GET", "/v2/integrations/logs", "/v2/integrations/logs", NULL, NULL),
    FOUND("GET", "/v2/integrations/logs/", "/v2/integrations/logs", NULL, NULL),
    FOUND("GET", "/v2/integrations/attributes", "/v2/integrations/attributes", NULL, NULL),
    FOUND("GET", "/v2/integrations/attributes/", "/v2/integrations/attributes", NULL, NULL),
    FOUND("GET", "/v2/integrations/8cb9e689-ede7-4f6d-b61a-6aa970d572dd", "/v2/integrations/{id}",
          "8cb9e689-ede7-4f6d-b61a-6aa970d572dd", NULL),
    FOUND("GET", "/v2/integrations/abc/", "/v2/integrations/{id}", "abc", NULL),
    FOUND("PUT", "/v2/integrations/abc", "/v2/integrations/{id}", "abc", NULL),
    FOUND("DELETE", "/v2/integrations/abc", "/v2/integrations/{id}", "abc", NULL),
    FOUND("GET", "/v2/integrations/logsx", "/v2/integrations/{id}", "logsx", NULL),
    FOUND("GET", "/v2/integrations/log", "/v2/integrations/{id}", "log", NULL),
    FOUND("GET", "/v2/integrations/abc/logs", "/v2/integrations/{id}/logs", "abc", NULL),
    FOUND("GET", "/v2/integrations/abc/logs/", "/v2/integrations/{id}/logs", "abc", NULL),
    FOUND("GET", "/v2/integrations/logs/logs", "/v2/integrations/{id}/logs", "logs", NULL),
    FOUND("GET", "/v2/integrations/abc/jobs", "/v2/integrations/{id}/jobs", "abc", NULL),
    FOUND("GET", "/v2/integrations/abc/jobs/def/logs", "/v2/integrations/{id}/jobs/{job_id}/logs", "abc", "def"),
    FOUND("GET", "/v2/integrations/abc/jobs/def/logs/", "/v2/integrations/{id}/jobs/{job_id}/logs", "abc", "def"),
    FOUND("POST", "/oauth/access_token", "/oauth/access_token", NULL, NULL),
    FOUND("GET", "/health", "/health", NULL, NULL),
    FOUND("POST", "/emulator/v1/events", "/emulator/v1/events", NULL, NULL),
    /* 405: the path is known, the method is not */
    NO_METHOD("DELETE", "/v2/integrations", "GET, POST"),
    NO_METHOD("PATCH", "/v2/integrations/", "GET, POST"),
    NO_METHOD("POST", "/v2/integrations/abc", "GET, PUT, DELETE"),
    NO_METHOD("PATCH", "/v2/integrations/abc", "GET, PUT, DELETE"),
    NO_METHOD("get", "/v2/integrations/abc", "GET, PUT, DELETE"), /* methods are case-sensitive */
    NO_METHOD("DELETE", "/v2/integrations/logs", "GET"),          /* the literal route wins, then 405 */
    NO_METHOD("POST", "/v2/integrations/attributes", "GET"),
    NO_METHOD("PUT", "/v2/integrations/abc/jobs", "GET"),
    NO_METHOD("POST", "/v2/integrations/abc/jobs/def/logs", "GET"),
    NO_METHOD("GET", "/oauth/access_token", "POST"),
    NO_METHOD("POST", "/health", "GET"),
    NO_METHOD("GET", "/emulator/v1/events", "POST"),
    /* 404 */
    NO_PATH("GET", "/v2/nope"),
    NO_PATH("GET", "/"),
    NO_PATH("GET", ""),
    NO_PATH("GET", "v2/integrations"),
    NO_PATH("GET", "/v2"),
    NO_PATH("GET", "/v2/"),
    NO_PATH("GET", "/v2/integrations//"),
    NO_PATH("GET", "//v2/integrations"),
    NO_PATH("GET", "/v2//integrations"),
    NO_PATH("GET", "/v2/integrations//abc"),
    NO_PATH("GET", "/v2/integrations/abc//logs"),
    NO_PATH("GET", "/v2/integrations/abc/nope"),
    NO_PATH("GET", "/v2/integrations/abc/jobs/def"),
    NO_PATH("GET", "/v2/integrations/abc/jobs/def/logs/x"),
    NO_PATH("GET", "/v2/Integrations"),
    NO_PATH("GET", "/oauth/access_token/x"),
    NO_PATH("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z"),
};

/* Same methods in an Allow value, whatever their order. */
static bool same_method_set(const char *a, const char *b)
{
    char x[ROUTE_ALLOW_LEN + 8], y[ROUTE_ALLOW_LEN + 8];
    snprintf(x, sizeof x, ", %s,", a);
    snprintf(y, sizeof y, ", %s,", b);
    if (strlen(x) != strlen(y))
        return false;
    for (const char *m = b; *m;) {
        size_t len = strcspn(m, ",");
        char needle[ROUTE_ALLOW_LEN + 8];
        snprintf(needle, sizeof needle, ", %.*s,", (int)len, m);
        if (!strstr(x, needle))
            return false;
        m += len;
        while (*m == ',' || *m == ' ')
            m++;
    }
    return true;
}

static void check_row(const route *table, size_t n, const match_row *r, bool real_table)
{
    const route *found = NULL;
    route_params params;
    char allow[ROUTE_ALLOW_LEN];
    memset(&params, 0xAB, sizeof params);
    memset(allow, 'Z', sizeof allow);
    route_result got = router_match(table, n, r->method, r->path, &found, &params, allow);
    if (got != r->result) {
        print_error("%s %s: result %d, expected %d\n", r->method, r->path, (int)got, (int)r->result);
        fail();
    }
    if (got == ROUTE_FOUND) {
        const route *want = NULL;
        if (real_table) {
            want = api_route(r->method, r->pattern);
        } else {
            for (size_t i = 0; i < n && !want; i++)
                if (strcmp(table[i].method, r->method) == 0 && strcmp(table[i].pattern, r->pattern) == 0)
                    want = &table[i];
        }
        if (found != want) {
            print_error("%s %s: matched %s, expected %s\n", r->method, r->path, found ? found->pattern : "nothing",
                        r->pattern);
            fail();
        }
        size_t want_count = (r->param0 != NULL) + (r->param1 != NULL);
        if (params.count != want_count) {
            print_error("%s %s: %zu captures, expected %zu\n", r->method, r->path, params.count, want_count);
            fail();
        }
        const char *want_params[2] = {r->param0, r->param1};
        for (size_t i = 0; i < want_count; i++) {
            if (params.v[i].len != strlen(want_params[i]) ||
                memcmp(params.v[i].ptr, want_params[i], params.v[i].len) != 0) {
                print_error("%s %s: capture %zu is \"%.*s\", expected \"%s\"\n", r->method, r->path, i,
                            (int)params.v[i].len, params.v[i].ptr, want_params[i]);
                fail();
            }
            /* captures point into the request path */
            assert_true(params.v[i].ptr >= r->path && params.v[i].ptr + params.v[i].len <= r->path + strlen(r->path));
        }
    } else if (got == ROUTE_NO_METHOD) {
        assert_non_null(memchr(allow, '\0', sizeof allow));
        if (real_table ? strcmp(allow, r->allow) != 0 : !same_method_set(allow, r->allow)) {
            print_error("%s %s: Allow \"%s\", expected \"%s\"\n", r->method, r->path, allow, r->allow);
            fail();
        }
    } else {
        assert_string_equal(allow, ""); /* 404 leaves an empty Allow */
    }
}

static void test_api_routes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof api_rows / sizeof api_rows[0]; i++)
        check_row(api_routes, api_route_count, &api_rows[i], true);
}

/* --no-emulator drops the last api_emulator_route_count rows: exactly the /emulator/ routes. */
static void test_emulator_routes_come_last(void **state)
{
    (void)state;
    assert_true(api_emulator_route_count > 0 && api_emulator_route_count < api_route_count);
    for (size_t i = 0; i < api_route_count; i++) {
        bool emulator = strncmp(api_routes[i].pattern, "/emulator/", 10) == 0;
        assert_int_equal(emulator, i >= api_route_count - api_emulator_route_count);
    }
}

/* Literal-first does not depend on the position of a route in the table: match again against
 * a reversed copy (the Allow list may then come in another order). */
static void test_api_routes_order_independent(void **state)
{
    (void)state;
    route reversed[64];
    assert_true(api_route_count <= 64);
    for (size_t i = 0; i < api_route_count; i++)
        reversed[i] = api_routes[api_route_count - 1 - i];
    for (size_t i = 0; i < sizeof api_rows / sizeof api_rows[0]; i++)
        check_row(reversed, api_route_count, &api_rows[i], false);
}

/* ---- a table of our own -------------------------------------------------------------------- */

static void h(void *ctx, const struct http_request *req, struct http_response *res)
{
    (void)ctx;
    (void)req;
    (void)res;
}

static const route own[] = {
    {"GET", "/a/{x}/c", h},
    {"GET", "/a/b/{y}", h},
    {"GET", "/{p}/{q}", h},
    {"GET", "/x/y", h},
    {"GET", "/items/{id}", h},
    {"POST", "/items/special", h},
    {"GET", "/r", h},
    {"POST", "/r", h},
    {"PUT", "/r", h},
    {"GET", "/{a}/{b}/{c}/{d}/e", h},
};

static const match_row own_rows[] = {
    /* literal wins at the first position where the patterns differ */
    FOUND("GET", "/a/b/c", "/a/b/{y}", "c", NULL),
    FOUND("GET", "/a/z/c", "/a/{x}/c", "z", NULL),
    FOUND("GET", "/a/b/d", "/a/b/{y}", "d", NULL),
    FOUND("GET", "/x/y", "/x/y", NULL, NULL),
    FOUND("GET", "/x/z", "/{p}/{q}", "x", "z"),
    FOUND("GET", "/items/7", "/items/{id}", "7", NULL),
    /* the literal /items/special wins the path, so GET there is 405, not the {id} route */
    NO_METHOD("GET", "/items/special", "POST"),
    NO_METHOD("DELETE", "/r", "GET, POST, PUT"),
    FOUND("PUT", "/r/", "/r", NULL, NULL),
    NO_PATH("GET", "/1/2/3/4/f"),
    NO_PATH("GET", "/a"),
};

static void test_own_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof own_rows / sizeof own_rows[0]; i++)
        check_row(own, sizeof own / sizeof own[0], &own_rows[i], false);
}

static void test_four_captures(void **state)
{
    (void)state;
    const route *found = NULL;
    route_params params;
    char allow[ROUTE_ALLOW_LEN];
    const char *path = "/one/two/three/four/e";
    assert_int_equal(router_match(own, sizeof own / sizeof own[0], "GET", path, &found, &params, allow), ROUTE_FOUND);
    assert_int_equal(params.count, 4);
    static const char *const want[] = {"one", "two", "three", "four"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(params.v[i].len, strlen(want[i]));
        assert_memory_equal(params.v[i].ptr, want[i], params.v[i].len);
    }
}

/* Many methods on one path: Allow is cut, never overflowed, and stays NUL-terminated. */
static void test_allow_does_not_overflow(void **state)
{
    (void)state;
    static const route many[] = {
        {"METHOD01", "/m", h}, {"METHOD02", "/m", h}, {"METHOD03", "/m", h}, {"METHOD04", "/m", h},
        {"METHOD05", "/m", h}, {"METHOD06", "/m", h}, {"METHOD07", "/m", h}, {"METHOD08", "/m", h},
        {"METHOD09", "/m", h}, {"METHOD10", "/m", h}, {"METHOD11", "/m", h}, {"METHOD12", "/m", h},
    };
    const route *found = NULL;
    route_params params;
    char buf[ROUTE_ALLOW_LEN + 16];
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(router_match(many, 12, "GET", "/m", &found, &params, buf), ROUTE_NO_METHOD);
    assert_non_null(memchr(buf, '\0', ROUTE_ALLOW_LEN));
    for (size_t i = ROUTE_ALLOW_LEN; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'Z');
    assert_true(strncmp(buf, "METHOD01, METHOD02", 18) == 0);
}

static void test_empty_table(void **state)
{
    (void)state;
    const route *found = NULL;
    route_params params;
    char allow[ROUTE_ALLOW_LEN];
    assert_int_equal(router_match(own, 0, "GET", "/x/y", &found, &params, allow), ROUTE_NO_PATH);
    assert_int_equal(params.count, 0);
}

/* ---- the OpenAPI document (openapi.json, read from the repository's root) ------------------- */

static const char *const openapi_methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
/* What route method "*" (any method) must be described as. */
static const char *const any_method[] = {"get", "post", "put", "patch", "delete"};

static json_t *load_openapi(void)
{
    json_error_t err;
    json_t *doc = json_load_file("openapi.json", 0, &err);
    if (!doc) {
        print_error("openapi.json: %s at line %d column %d (unit tests run from the repository's root)\n", err.text,
                    err.line, err.column);
        fail();
    }
    return doc;
}

/* Every route the server serves is in the document: its pattern in paths, its method there. */
static void test_openapi_describes_every_route(void **state)
{
    (void)state;
    json_t *doc = load_openapi();
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    size_t missing = 0;
    for (size_t i = 0; i < api_route_count; i++) {
        const route *r = &api_routes[i];
        json_t *item = json_object_get(paths, r->pattern);
        bool any = strcmp(r->method, "*") == 0;
        size_t n = any ? sizeof any_method / sizeof any_method[0] : 1;
        for (size_t k = 0; k < n; k++) {
            char lower[16];
            const char *m = any ? any_method[k] : r->method;
            size_t len = strlen(m);
            assert_true(len < sizeof lower);
            for (size_t c = 0; c <= len; c++)
                lower[c] = (char)(m[c] >= 'A' && m[c] <= 'Z' ? m[c] - 'A' + 'a' : m[c]);
            if (!json_is_object(json_object_get(item, lower))) {
                print_error("openapi.json lacks %s %s (route %s %s of src/api/routes.c)\n", lower, r->pattern, r->method,
                            r->pattern);
                missing++;
            }
        }
    }
    json_decref(doc);
    assert_int_equal(missing, 0);
}

/* Nothing invented: every operation of the document is a row of the table. */
static void test_openapi_invents_no_route(void **state)
{
    (void)state;
    json_t *doc = load_openapi();
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    const char *pattern;
    json_t *item;
    size_t invented = 0, operations = 0;
    json_object_foreach(paths, pattern, item) {
        for (size_t k = 0; k < sizeof openapi_methods / sizeof openapi_methods[0]; k++) {
            const char *m = openapi_methods[k];
            if (!json_object_get(item, m))
                continue;
            operations++;
            bool served = false;
            for (size_t i = 0; i < api_route_count && !served; i++) {
                const route *r = &api_routes[i];
                if (strcmp(r->pattern, pattern) != 0)
                    continue;
                if (strcasecmp(r->method, m) == 0)
                    served = true;
                for (size_t a = 0; strcmp(r->method, "*") == 0 && a < sizeof any_method / sizeof any_method[0]; a++)
                    served = served || strcmp(any_method[a], m) == 0;
            }
            if (!served) {
                print_error("openapi.json describes %s %s, which src/api/routes.c does not serve\n", m, pattern);
                invented++;
            }
        }
    }
    json_decref(doc);
    assert_int_equal(invented, 0);
    assert_true(operations >= api_route_count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_routes),
        cmocka_unit_test(test_api_routes_order_independent),
        cmocka_unit_test(test_emulator_routes_come_last),
        cmocka_unit_test(test_own_table),
        cmocka_unit_test(test_four_captures),
        cmocka_unit_test(test_allow_does_not_overflow),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_openapi_describes_every_route),
        cmocka_unit_test(test_openapi_invents_no_route),
    };
    return cmocka_run_group_tests_name("router_match", tests, NULL, NULL);
}

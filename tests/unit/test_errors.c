/* Unit tests of include/errors.h: the error envelope of spec §1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

static void assert_json_text(const json_t *got, const char *want_text)
{
    json_error_t e;
    json_t *want = json_loads(want_text, 0, &e);
    assert_non_null(want);
    if (!json_equal((json_t *)got, want)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        print_error("got      %s\nexpected %s\n", g ? g : "(NULL)", want_text);
        free(g);
        json_decref(want);
        fail();
    }
    json_decref(want);
}

static void assert_keys(const json_t *obj, const char *const *keys, size_t n)
{
    size_t i = 0;
    for (void *it = json_object_iter((json_t *)obj); it; it = json_object_iter_next((json_t *)obj, it), i++) {
        assert_true(i < n);
        assert_string_equal(json_object_iter_key(it), keys[i]);
    }
    assert_int_equal(i, n);
}

static void test_errors_add_full(void **state)
{
    (void)state;
    json_t *errors = json_array();
    errors_add(errors, 400, "Missing required property: name", "The property data.name is required.", "data.name");
    assert_int_equal(json_array_size(errors), 1);
    const json_t *e = json_array_get(errors, 0);
    assert_true(json_is_integer(json_object_get(e, "status"))); /* an integer, not "400" */
    assert_json_text(e, "{\"status\":400,\"title\":\"Missing required property: name\","
                        "\"detail\":\"The property data.name is required.\",\"source\":\"data.name\"}");
    static const char *const keys[] = {"status", "title", "detail", "source"};
    assert_keys(e, keys, 4);
    json_decref(errors);
}

static void test_errors_add_without_detail_or_source(void **state)
{
    (void)state;
    json_t *errors = json_array();
    errors_add(errors, 404, "Not Found", NULL, NULL);
    errors_add(errors, 401, "Unauthorized", "Bad secret.", NULL);
    errors_add(errors, 400, "Id mismatch", NULL, "data.id");
    assert_json_text(errors, "[{\"status\":404,\"title\":\"Not Found\"},"
                             "{\"status\":401,\"title\":\"Unauthorized\",\"detail\":\"Bad secret.\"},"
                             "{\"status\":400,\"title\":\"Id mismatch\",\"source\":\"data.id\"}]");
    assert_null(json_object_get(json_array_get(errors, 0), "detail"));
    assert_null(json_object_get(json_array_get(errors, 0), "source"));
    json_decref(errors);
}

static void test_error_document(void **state)
{
    (void)state;
    json_t *doc = error_document(404, "Not Found", "No route for GET /v2/nope", NULL);
    assert_json_text(doc, "{\"errors\":[{\"status\":404,\"title\":\"Not Found\",\"detail\":\"No route for GET /v2/nope\"}]}");
    json_decref(doc);
    doc = error_document(401, "Unable to validate access token", "The token has expired.", NULL);
    assert_int_equal(json_object_size(doc), 1);
    assert_int_equal(json_array_size(json_object_get(doc, "errors")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "errors"), 0), "status")),
                     401);
    json_decref(doc);
}

static void test_errors_document_steals_the_array(void **state)
{
    (void)state;
    json_t *errors = json_array();
    errors_add(errors, 400, "A", "a", "data.a");
    errors_add(errors, 400, "B", "b", "data.b");
    json_t *doc = errors_document(errors);
    assert_non_null(doc);
    assert_ptr_equal(json_object_get(doc, "errors"), errors);
    assert_int_equal(json_array_size(json_object_get(doc, "errors")), 2);
    json_decref(doc); /* frees the array too: ASan reports a leak otherwise */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_add_full),
        cmocka_unit_test(test_errors_add_without_detail_or_source),
        cmocka_unit_test(test_error_document),
        cmocka_unit_test(test_errors_document_steals_the_array),
    };
    return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}

/* Unit tests of include/model/errors.h: the error envelope of spec §1. */
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
    errors_add_titled(errors, ERR_INVALID, "Missing required property: name", "The property data.name is required.",
                      "data.name");
    assert_int_equal(json_array_size(errors), 1);
    const json_t *e = json_array_get(errors, 0);
    assert_true(json_is_integer(json_object_get(e, "status"))); /* an integer, not "400" */
    assert_json_text(e, "{\"status\":400,\"title\":\"Missing required property: name\","
                        "\"detail\":\"The property data.name is required.\",\"source\":\"data.name\"}");
    static const char *const keys[] = {"status", "title", "detail", "source"};
    assert_keys(e, keys, 4);
    json_decref(errors);
}

static void test_an_error_named_gets_its_status_title_and_detail(void **state)
{
    (void)state;
    json_t *errors = json_array();
    errors_add(errors, ERR_INTEGRATION_NOT_FOUND, NULL, NULL);
    errors_add(errors, ERR_UNAUTHORIZED, "Bad secret.", NULL);
    errors_add(errors, ERR_ID_MISMATCH, NULL, "data.id");
    assert_json_text(errors, "[{\"status\":404,\"title\":\"Integration not found\","
                             "\"detail\":\"No integration with this id exists in the store.\"},"
                             "{\"status\":401,\"title\":\"Unauthorized\",\"detail\":\"Bad secret.\"},"
                             "{\"status\":400,\"title\":\"Id mismatch\",\"detail\":\"data.id must equal the id of the URL.\","
                             "\"source\":\"data.id\"}]");
    assert_null(json_object_get(json_array_get(errors, 0), "source"));
    json_decref(errors);
}

/* Every name has a status, a title and a detail of its own. */
static void test_every_error_is_in_the_table(void **state)
{
    (void)state;
    for (int code = 0; code < ERR_COUNT; code++) {
        json_t *doc = error_document((error_code)code, NULL);
        const json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
        int status = error_status((error_code)code);
        assert_true(status >= 400 && status <= 599);
        assert_int_equal(json_integer_value(json_object_get(e, "status")), status);
        assert_true(json_string_length(json_object_get(e, "title")) > 0);
        assert_true(json_string_length(json_object_get(e, "detail")) > 0);
        json_decref(doc);
    }
}

/* The text sent when even an error cannot be built is the document of ERR_RESPONSE. */
static void test_the_unbuilt_response_text(void **state)
{
    (void)state;
    json_t *doc = error_document(ERR_RESPONSE, NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    assert_string_equal(text, error_unbuilt_document);
    free(text);
    json_decref(doc);
}

static void test_error_document(void **state)
{
    (void)state;
    json_t *doc = error_document(ERR_NO_ROUTE, "No route for GET /v2/nope");
    assert_json_text(doc, "{\"errors\":[{\"status\":404,\"title\":\"Not Found\",\"detail\":\"No route for GET /v2/nope\"}]}");
    json_decref(doc);
    doc = error_document(ERR_INVALID_TOKEN, "The token has expired.");
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
    errors_add_titled(errors, ERR_INVALID, "A", "a", "data.a");
    errors_add_titled(errors, ERR_INVALID, "B", "b", "data.b");
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
        cmocka_unit_test(test_an_error_named_gets_its_status_title_and_detail),
        cmocka_unit_test(test_every_error_is_in_the_table),
        cmocka_unit_test(test_the_unbuilt_response_text),
        cmocka_unit_test(test_error_document),
        cmocka_unit_test(test_errors_document_steals_the_array),
    };
    return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}

/* Unit tests of the answers a handler sets (include/http/http.h): a document that could not be
 * built is a 500, never an empty success; a 204 has no body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http.h"

static void test_a_document_that_could_not_be_built_is_a_500(void **state)
{
    (void)state;
    http_response res = {0};
    http_json(&res, 200, NULL);
    assert_int_equal(res.status, 500);
    json_t *first = json_array_get(json_object_get(res.json, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "status")), 500);
    assert_string_equal(json_string_value(json_object_get(first, "detail")), "The response could not be built.");
    json_decref(res.json);
}

static void test_no_content_has_no_body(void **state)
{
    (void)state;
    http_response res = {0};
    http_json(&res, 200, json_object());
    http_no_content(&res);
    assert_int_equal(res.status, 204);
    assert_null(res.json);
    assert_null(res.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_document_that_could_not_be_built_is_a_500),
        cmocka_unit_test(test_no_content_has_no_body),
    };
    return cmocka_run_group_tests_name("http answers", tests, NULL, NULL);
}

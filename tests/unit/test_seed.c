/* Unit tests of include/model/seed.h: seed and state documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "seed.h"

#define INTEGRATION(id)                                                                                  \
    "{\"id\":\"" id "\",\"integration_type\":\"webhook\",\"name\":\"n\",\"configuration\":{\"url\":"      \
    "\"http://127.0.0.1:9/\"},\"observes\":[\"order.paid\"]}"

static json_t *document(const char *integrations)
{
    char text[2048];
    snprintf(text, sizeof text, "{\"stores\":[{\"clients\":[{\"client_id\":\"a\"}],\"integrations\":[%s]}]}",
             integrations);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    return doc;
}

static void test_ids_are_lower_case(void **state)
{
    (void)state;
    json_t *doc = document(INTEGRATION("2DA46671-B4C2-44AC-B133-D1221AAFC77B")), *errors = json_array();
    seed s;
    assert_true(seed_parse(doc, false, &s, errors));
    assert_int_equal(s.store_count, 1);
    assert_int_equal(s.stores[0].integration_count, 1);
    assert_string_equal(s.stores[0].integrations[0].id, "2da46671-b4c2-44ac-b133-d1221aafc77b");
    seed_clear(&s);
    json_decref(errors);
    json_decref(doc);
}

/* One id in two cases is one id given twice: both would be stored as the same lower-case id.
 * Found by tests/fuzz/fuzz_seed.c. */
static void test_id_given_twice_in_two_cases(void **state)
{
    (void)state;
    static const char *const pairs[] = {
        INTEGRATION("2da46671-b4c2-44ac-b133-d1221aafc77b") "," INTEGRATION("2da46671-b4c2-44ac-b133-d1221aafc77b"),
        INTEGRATION("2DA46671-B4C2-44AC-B133-D1221AAFC77B") "," INTEGRATION("2da46671-b4c2-44ac-b133-d1221aafc77b"),
        INTEGRATION("2da46671-b4c2-44ac-b133-d1221aafc77b") "," INTEGRATION("2da46671-B4C2-44ac-b133-d1221aafc77B"),
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        json_t *doc = document(pairs[i]), *errors = json_array();
        seed s;
        if (seed_parse(doc, false, &s, errors)) {
            seed_clear(&s);
            fail_msg("pair %zu: an id given twice was taken", i);
        }
        assert_int_equal(s.store_count, 0);
        assert_int_equal(json_array_size(errors), 1);
        const json_t *e = json_array_get(errors, 0);
        assert_string_equal(json_string_value(json_object_get(e, "source")), "stores[0].integrations[1].id");
        assert_string_equal(json_string_value(json_object_get(e, "detail")), "This id is given twice.");
        json_decref(errors);
        json_decref(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_are_lower_case),
        cmocka_unit_test(test_id_given_twice_in_two_cases),
    };
    return cmocka_run_group_tests_name("seed_parse", tests, NULL, NULL);
}

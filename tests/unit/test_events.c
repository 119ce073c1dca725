/* Unit tests of include/model/events.h: the catalogue of observable event keys. The catalogue's table
 * is data, tests/data/events.json, shared with the black-box suite (tests/api/cases.py):
 * crud_resources x crud_actions and other_observable are observable, not_observable are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

#define EVENTS_DATA "tests/data/events.json"

static json_t *catalogue;

static const json_t *list(const char *name)
{
    const json_t *l = json_object_get(catalogue, name);
    assert_true(json_array_size(l) > 0);
    return l;
}

static void expect(const char *key, bool observable)
{
    if (event_key_is_observable(key) != observable) {
        print_error("\"%s\" should %sbe observable\n", key, observable ? "" : "not ");
        fail();
    }
}

static void test_every_crud_resource_and_action(void **state)
{
    (void)state;
    char key[96];
    size_t r, a;
    const json_t *resource, *action;
    json_array_foreach(list("crud_resources"), r, resource) {
        json_array_foreach(list("crud_actions"), a, action) {
            snprintf(key, sizeof key, "%s.%s", json_string_value(resource), json_string_value(action));
            expect(key, true);
        }
    }
}

static void test_every_other_key(void **state)
{
    (void)state;
    size_t i;
    const json_t *key;
    json_array_foreach(list("other_observable"), i, key)
        expect(json_string_value(key), true);
}

static void test_keys_not_in_the_catalogue(void **state)
{
    (void)state;
    size_t i;
    const json_t *key;
    json_array_foreach(list("not_observable"), i, key)
        expect(json_string_value(key), false);
}

/* Resources of the catalogue with an action they do not have. */
static void test_crud_resources_have_no_other_actions(void **state)
{
    (void)state;
    static const char *const others[] = {"paid", "fulfilled", "create", "Created", "refunded", ""};
    char key[96];
    size_t r;
    const json_t *resource;
    json_array_foreach(list("crud_resources"), r, resource) {
        for (size_t a = 0; a < sizeof others / sizeof others[0]; a++) {
            snprintf(key, sizeof key, "%s.%s", json_string_value(resource), others[a]);
            expect(key, false);
        }
    }
}

/* A valid key followed by more bytes, or cut short, is never valid. */
static void test_prefixes_and_extensions_of_valid_keys(void **state)
{
    (void)state;
    char key[128];
    size_t i;
    const json_t *valid;
    json_array_foreach(list("other_observable"), i, valid) {
        const char *k = json_string_value(valid);
        snprintf(key, sizeof key, "%sx", k);
        expect(key, false);
        snprintf(key, sizeof key, "%.*s", (int)strlen(k) - 1, k);
        expect(key, false);
    }
}

int main(void)
{
    json_error_t e;
    catalogue = json_load_file(EVENTS_DATA, 0, &e);
    if (!catalogue) {
        fprintf(stderr, "test_events: %s: %s (run from the repository's root)\n", EVENTS_DATA, e.text);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_crud_resource_and_action),
        cmocka_unit_test(test_every_other_key),
        cmocka_unit_test(test_keys_not_in_the_catalogue),
        cmocka_unit_test(test_crud_resources_have_no_other_actions),
        cmocka_unit_test(test_prefixes_and_extensions_of_valid_keys),
    };
    int failed = cmocka_run_group_tests_name("event_key_is_observable", tests, NULL, NULL);
    json_decref(catalogue);
    return failed;
}

/* Unit tests of include/model/form.h: application/x-www-form-urlencoded bodies (spec §2.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

typedef struct form_row {
    const char *body;
    const char *want; /* JSON text of the result; NULL = form_parse must return NULL */
} form_row;

static const form_row rows[] = {
    {"a=1&b=x+y", "{\"a\":\"1\",\"b\":\"x y\"}"},
    {"grant_type=client_credentials&client_id=abc&client_secret=s%26t%3Dx",
     "{\"grant_type\":\"client_credentials\",\"client_id\":\"abc\",\"client_secret\":\"s&t=x\"}"},
    {"%41=%62%2B", "{\"A\":\"b+\"}"},
    {"k=%2b%2B", "{\"k\":\"++\"}"},                    /* hex digits in either case */
    {"k=a%20b+c", "{\"k\":\"a b c\"}"},
    {"k=%C3%A9t%C3%A9", "{\"k\":\"\\u00e9t\\u00e9\"}"}, /* UTF-8 */
    {"k=%25", "{\"k\":\"%\"}"},
    {"k=%", NULL},
    {"k=%4", NULL},
    {"k=%zz", NULL},
    {"k=%4g", NULL},
    {"k=%g4", NULL},
    {"k=a%2&x=1", NULL},
    {"k=%00", NULL},                                   /* a NUL byte */
    {"%00=x", NULL},
    {"%zz=x", NULL},
    {"k=%C3", NULL},                                   /* not UTF-8 */
    {"k=%FF%FE", NULL},
    {"a=1&a=2", "{\"a\":\"1\"}"},                      /* the first of repeated keys wins */
    {"a=&a=2", "{\"a\":\"\"}"},
    {"", "{}"},
    {"&", "{}"},
    {"&&a=1&", "{\"a\":\"1\"}"},
    {"a", "{\"a\":\"\"}"},                             /* key without '=' */
    {"a&b=2", "{\"a\":\"\",\"b\":\"2\"}"},
    {"a=", "{\"a\":\"\"}"},
    {"a=b=c", "{\"a\":\"b=c\"}"},
    {"=x", "{\"\":\"x\"}"},
    {"a+b=c+d", "{\"a b\":\"c d\"}"},
    {"a%3Db=c", "{\"a=b\":\"c\"}"},
    {"a%26b=c", "{\"a&b\":\"c\"}"},
};

static void test_form_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *got = form_parse(rows[i].body, strlen(rows[i].body));
        json_t *want = rows[i].want ? json_loads(rows[i].want, 0, NULL) : NULL;
        bool ok = rows[i].want ? (want && got && json_equal(got, want)) : got == NULL;
        if (!ok) {
            char *g = got ? json_dumps(got, JSON_COMPACT) : NULL;
            print_error("form_parse(\"%s\") = %s, expected %s\n", rows[i].body, g ? g : "NULL",
                        rows[i].want ? rows[i].want : "NULL");
            free(g);
        }
        json_decref(got);
        json_decref(want);
        if (!ok)
            fail();
    }
}

/* len, not the NUL, ends the body: the buffer need not be terminated. */
static void test_length_bounds_the_body(void **state)
{
    (void)state;
    const char raw[] = {'a', '=', '1', '&', 'b', '=', '2'}; /* no NUL */
    json_t *got = form_parse(raw, sizeof raw);
    assert_non_null(got);
    assert_string_equal(json_string_value(json_object_get(got, "a")), "1");
    assert_string_equal(json_string_value(json_object_get(got, "b")), "2");
    json_decref(got);

    got = form_parse("a=1&b=2", 3);
    assert_non_null(got);
    assert_int_equal(json_object_size(got), 1);
    assert_string_equal(json_string_value(json_object_get(got, "a")), "1");
    json_decref(got);

    /* a %-escape cut by len is malformed even though the bytes after len would complete it */
    assert_null(form_parse("a=%41", 4));

    got = form_parse("", 0);
    assert_non_null(got);
    assert_int_equal(json_object_size(got), 0);
    json_decref(got);
}

/* A long body of many pairs. */
static void test_many_pairs(void **state)
{
    (void)state;
    char body[8192] = "";
    size_t used = 0;
    for (int i = 0; i < 500; i++)
        used += (size_t)snprintf(body + used, sizeof body - used, "%sk%d=v%d", i ? "&" : "", i, i);
    json_t *got = form_parse(body, used);
    assert_non_null(got);
    assert_int_equal(json_object_size(got), 500);
    assert_string_equal(json_string_value(json_object_get(got, "k499")), "v499");
    json_decref(got);
}

/* A raw NUL byte is refused like %00: the token route reads the fields as C strings, which would
 * end at it ("client_secret=right\0anything" read as "right"). Found by tests/fuzz/fuzz_form.c. */
static void test_raw_nul_refused(void **state)
{
    (void)state;
    const char value[] = "grant_type=client_credentials&client_secret=right\0anything";
    assert_null(form_parse(value, sizeof value - 1));
    const char key[] = "client_id\0x=abc";
    assert_null(form_parse(key, sizeof key - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_table),
        cmocka_unit_test(test_length_bounds_the_body),
        cmocka_unit_test(test_many_pairs),
        cmocka_unit_test(test_raw_nul_refused),
    };
    return cmocka_run_group_tests_name("form_parse", tests, NULL, NULL);
}

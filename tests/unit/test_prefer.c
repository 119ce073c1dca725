/* Unit tests of include/model/prefer.h: the emulator's Prefer header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "prefer.h"

static void test_values_taken(void **state)
{
    (void)state;
    static const struct {
        const char *header;
        int code;
        long delay_ms;
    } rows[] = {
        {"", 0, 0},
        {"code=503", 503, 0},
        {"delay=1500", 0, 1500},
        {"code=503, delay=800", 503, 800},
        {" delay = 0 ,code= 400 ", 400, 0},
        {"CODE=\"599\"; param=1", 599, 0},
        {"return=minimal, respond-async, wait=100", 0, 0},
        {"code=500, code=abc", 500, 0}, /* the first occurrence wins */
        {"delay=60000", 0, 60000},
        {"codes=200, xdelay=1", 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        prefer p;
        char why[160] = "";
        assert_true(prefer_parse(rows[i].header, &p, why, sizeof why));
        assert_int_equal(p.code, rows[i].code);
        assert_int_equal(p.delay_ms, rows[i].delay_ms);
    }
}

static void test_values_refused(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "code=399", "code=600", "code=", "code", "code=5x3", "code=\"503", "delay=-5", "delay=60001",
        "delay=", "delay=1.5", "code=503, delay=later", "code=99999999999999999999",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        prefer p;
        char why[160] = "";
        if (prefer_parse(rows[i], &p, why, sizeof why))
            fail_msg("\"%s\" was taken", rows[i]);
        assert_true(strncmp(why, "Prefer: ", 8) == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_taken),
        cmocka_unit_test(test_values_refused),
    };
    return cmocka_run_group_tests_name("prefer_parse", tests, NULL, NULL);
}

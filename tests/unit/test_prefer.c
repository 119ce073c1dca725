/* Unit tests of include/model/prefer.h: the emulator's Prefer header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "prefer.h"
#include "utf8.h"

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

/* The sentence quotes the value and becomes the detail of a JSON error: it stays UTF-8 whatever
 * the header holds (a byte that is not UTF-8, a character cut at the 32nd byte), or the error
 * could not be built and the client got a 500 with no error. Found by tests/fuzz/fuzz_prefer.c. */
static void test_refusal_is_utf8(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "code=\x83",
        "delay=\xff\xfe",
        "code=a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9", /* "a" and 16 "é": the 32nd byte is half an "é" */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        prefer p;
        char why[160] = "";
        assert_false(prefer_parse(rows[i], &p, why, sizeof why));
        size_t n = strlen(why);
        for (size_t k = 0; k < n;) {
            size_t seq = utf8_sequence((const unsigned char *)why + k, n - k);
            if (!seq)
                fail_msg("row %zu: byte %zu of \"%s\" is not UTF-8", i, k, why);
            k += seq;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_taken),
        cmocka_unit_test(test_values_refused),
        cmocka_unit_test(test_refusal_is_utf8),
    };
    return cmocka_run_group_tests_name("prefer_parse", tests, NULL, NULL);
}

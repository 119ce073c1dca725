/* Unit tests of include/util/timestamp.h: ISO 8601 UTC with milliseconds (spec §1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timestamp.h"

static void test_format_known_instants(void **state)
{
    (void)state;
    static const struct {
        int64_t ms;
        const char *text;
    } rows[] = {
        {INT64_C(1525080932202), "2018-04-30T09:35:32.202Z"}, /* the spec's example */
        {INT64_C(0), "1970-01-01T00:00:00.000Z"},
        {INT64_C(951782400000), "2000-02-29T00:00:00.000Z"},  /* leap day */
        {INT64_C(1525080932002), "2018-04-30T09:35:32.002Z"}, /* milliseconds zero-padded */
        {INT64_C(1525080932020), "2018-04-30T09:35:32.020Z"},
        {INT64_C(1234567890123), "2009-02-13T23:31:30.123Z"},
        {INT64_C(1700000000999), "2023-11-14T22:13:20.999Z"},
        {INT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[TIMESTAMP_LEN + 8];
        memset(out, 'Z', sizeof out);
        timestamp_format(rows[i].ms, out);
        assert_string_equal(out, rows[i].text);
        assert_int_equal(strlen(out), TIMESTAMP_LEN - 1);
        for (size_t k = TIMESTAMP_LEN; k < sizeof out; k++)
            assert_int_equal(out[k], 'Z'); /* nothing written past TIMESTAMP_LEN */
    }
}

/* Against the C library's gmtime_r over the whole four-digit range. */
static void test_format_matches_gmtime(void **state)
{
    (void)state;
    uint64_t x = 0; /* a 64-bit LCG: unsigned, so that its wrap-around is defined */
    for (int i = 0; i < 200000; i++) {
        x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        int64_t t = (int64_t)(x % UINT64_C(253402300800000)) - (i % 2 ? INT64_C(0) : INT64_C(62167219200000));
        char want[64], got[TIMESTAMP_LEN];
        time_t secs = (time_t)(t >= 0 ? t / 1000 : (t - 999) / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(t - (int64_t)secs * 1000));
        timestamp_format(t, got);
        assert_string_equal(got, want);
    }
}

static void test_now_ms(void **state)
{
    (void)state;
    int64_t a = now_ms();
    int64_t b = now_ms();
    assert_true(a > INT64_C(1577836800000)); /* after 2020-01-01 */
    assert_true(a < INT64_C(4102444800000)); /* before 2100-01-01: milliseconds, not microseconds */
    assert_true(b >= a);
    char out[TIMESTAMP_LEN];
    timestamp_format(a, out);
    assert_int_equal(out[4], '-');
    assert_int_equal(out[10], 'T');
    assert_int_equal(out[19], '.');
    assert_int_equal(out[23], 'Z');
}

/* Parsing gives back every instant the formatter writes, and refuses what is not one. */
static void test_parse(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t ms = (int64_t)(x % UINT64_C(253402300799999)) - (i % 2 ? INT64_C(62167219200000) : 0), back = 0;
        char text[TIMESTAMP_LEN];
        timestamp_format(ms, text);
        assert_true(timestamp_parse(text, &back));
        assert_int_equal(back, ms);
    }
    int64_t ms = 0;
    assert_true(timestamp_parse("2026-01-01T00:00:00Z", &ms));
    assert_int_equal(ms, INT64_C(1767225600000));
    assert_true(timestamp_parse("2024-02-29T23:59:59.999Z", &ms));
    static const char *const bad[] = {"", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00.0Z",
                                      "2026-13-01T00:00:00.000Z", "2025-02-29T00:00:00.000Z",
                                      "2026-01-01T24:00:00.000Z", "2026-01-01 00:00:00.000Z",
                                      "2026-01-01T00:00:00.000+01:00", "2026-1-01T00:00:00.000Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(timestamp_parse(bad[i], &ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_known_instants),
        cmocka_unit_test(test_format_matches_gmtime),
        cmocka_unit_test(test_now_ms),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests_name("timestamp", tests, NULL, NULL);
}

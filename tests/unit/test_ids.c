/* Unit tests of include/util/ids.h: UUID v4 ids (spec §1) and opaque tokens (spec §2.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void check_lowercase_v4(void (*make)(char out[UUID_STR_LEN]))
{
    char prev[UUID_STR_LEN] = "";
    for (int n = 0; n < 200; n++) {
        char id[UUID_STR_LEN];
        memset(id, 'X', sizeof id);
        make(id);
        assert_int_equal(strlen(id), 36);
        assert_true(id_is_uuid(id, strlen(id)));
        for (size_t i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                assert_int_equal(id[i], '-');
            else
                assert_true(is_lower_hex(id[i]));
        }
        assert_int_equal(id[14], '4');                   /* version 4 */
        assert_non_null(strchr("89ab", id[19]));         /* RFC 4122 variant */
        assert_true(strcmp(id, prev) != 0);
        memcpy(prev, id, sizeof id);
    }
}

/* Past several pools of random bytes (64 ids each), and different in every id. */
static void test_id_new_is_lowercase_v4(void **state)
{
    (void)state;
    check_lowercase_v4(id_new);
}

static void test_id_is_uuid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
    } rows[] = {
        {"8cb9e689-ede7-4f6d-b61a-6aa970d572dd", true},
        {"8CB9E689-EDE7-4F6D-B61A-6AA970D572DD", true},
        {"00000000-0000-0000-0000-000000000000", true},
        {"", false},
        {"8cb9e689-ede7-4f6d-b61a-6aa970d572d", false},    /* 35 */
        {"8cb9e689-ede7-4f6d-b61a-6aa970d572ddd", false},  /* 37 */
        {"8cb9e689ede74f6db61a6aa970d572dd", false},       /* no dashes */
        {"8cb9e689-ede74-f6d-b61a-6aa970d572dd", false},   /* dash misplaced */
        {"8cb9e689-ede7-4f6d-b61a-6aa970d572dg", false},   /* not hex */
        {"{cb9e689-ede7-4f6d-b61a-6aa970d572d}", false},
        {"8cb9e689 ede7 4f6d b61a 6aa970d572dd", false},
        {"8cb9e689-ede7-4f6d-b61a_6aa970d572dd", false},
        {"logs", false},
        {"attributes", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (id_is_uuid(rows[i].s, strlen(rows[i].s)) != rows[i].ok) {
            print_error("id_is_uuid(\"%s\") should be %s\n", rows[i].s, rows[i].ok ? "true" : "false");
            fail();
        }
    }
    /* only len bytes are looked at: a UUID inside a longer path segment */
    const char *path = "8cb9e689-ede7-4f6d-b61a-6aa970d572dd/logs";
    assert_true(id_is_uuid(path, 36));
    assert_false(id_is_uuid(path, 37));
    assert_false(id_is_uuid(path, 35));
}

static void test_token_new(void **state)
{
    (void)state;
    char a[TOKEN_STR_LEN], b[TOKEN_STR_LEN];
    memset(a, 'X', sizeof a);
    assert_true(token_new(a));
    assert_true(token_new(b));
    assert_int_equal(strlen(a), 64);
    for (size_t i = 0; i < 64; i++)
        assert_true(is_lower_hex(a[i]));
    assert_true(strcmp(a, b) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_new_is_lowercase_v4),
        cmocka_unit_test(test_id_is_uuid),
        cmocka_unit_test(test_token_new),
    };
    return cmocka_run_group_tests_name("ids", tests, NULL, NULL);
}

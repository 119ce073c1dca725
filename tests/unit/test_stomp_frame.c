/* STOMP 1.2 framing (spec §7.3): encoding, parsing, escaping both ways, heart-beats, and
 * malformed or hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stomp_frame.h"

#define LIT(s) (s), (sizeof(s) - 1)

static void test_encode_send_escapes_headers(void **state)
{
    (void)state;
    const char *h[] = {"destination", "/queue/a:b", "weird\nname", "back\\slash\r"};
    size_t len;
    char *f = stomp_frame_encode("SEND", h, 2, "{}", 2, &len);
    const char want[] = "SEND\ndestination:/queue/a\\cb\nweird\\nname:back\\\\slash\\r\n\n{}";
    assert_int_equal(len, sizeof want); /* including the final NUL */
    assert_memory_equal(f, want, sizeof want);
    free(f);
}

static void test_encode_connect_is_not_escaped(void **state)
{
    (void)state;
    const char *h[] = {"accept-version", "1.2", "passcode", "a:b\\c"};
    size_t len;
    char *f = stomp_frame_encode("CONNECT", h, 2, NULL, 0, &len);
    const char want[] = "CONNECT\naccept-version:1.2\npasscode:a:b\\c\n\n";
    assert_int_equal(len, sizeof want);
    assert_memory_equal(f, want, sizeof want);
    free(f);
}

static void test_parse_receipt_with_heartbeats(void **state)
{
    (void)state;
    const char in[] = "\n\r\n\nRECEIPT\nreceipt-id:job-1\n\n";
    stomp_frame f;
    size_t used;
    assert_int_equal(stomp_frame_parse(in, sizeof in, &f, &used), STOMP_PARSE_FRAME);
    assert_int_equal(used, sizeof in);
    assert_string_equal(f.command, "RECEIPT");
    assert_string_equal(stomp_frame_header(&f, "receipt-id"), "job-1");
    assert_int_equal(f.body_len, 0);
    stomp_frame_clear(&f);
}

static void test_parse_unescapes_and_first_header_wins(void **state)
{
    (void)state;
    const char in[] = "MESSAGE\nack:ID\\cvm-1\\c1\nx:first\nx:second\nmulti:a\\nb\\\\c\\r\n\nhello";
    stomp_frame f;
    size_t used;
    assert_int_equal(stomp_frame_parse(in, sizeof in, &f, &used), STOMP_PARSE_FRAME);
    assert_string_equal(stomp_frame_header(&f, "ack"), "ID:vm-1:1");
    assert_string_equal(stomp_frame_header(&f, "x"), "first");
    assert_string_equal(stomp_frame_header(&f, "multi"), "a\nb\\c\r");
    assert_string_equal(f.body, "hello");
    assert_null(stomp_frame_header(&f, "absent"));
    stomp_frame_clear(&f);
}

static void test_parse_connected_is_not_unescaped(void **state)
{
    (void)state;
    const char in[] = "CONNECTED\nserver:x\\cy\n\n";
    stomp_frame f;
    size_t used;
    assert_int_equal(stomp_frame_parse(in, sizeof in, &f, &used), STOMP_PARSE_FRAME);
    assert_string_equal(stomp_frame_header(&f, "server"), "x\\cy");
    stomp_frame_clear(&f);
}

static void test_parse_content_length_body_with_nul(void **state)
{
    (void)state;
    const char in[] = "ERROR\nmessage:bad\ncontent-length:5\n\na\0b\0c\0NEXT";
    stomp_frame f;
    size_t used;
    assert_int_equal(stomp_frame_parse(in, sizeof in - 1, &f, &used), STOMP_PARSE_FRAME);
    assert_int_equal(f.body_len, 5);
    assert_memory_equal(f.body, "a\0b\0c", 5);
    assert_int_equal(used, sizeof in - 1 - 4);
    stomp_frame_clear(&f);
}

static void test_parse_two_frames_in_one_buffer(void **state)
{
    (void)state;
    const char in[] = "CONNECTED\nversion:1.2\n\n\0\nRECEIPT\nreceipt-id:r\n\n";
    stomp_frame f;
    size_t used, total = sizeof in;
    assert_int_equal(stomp_frame_parse(in, total, &f, &used), STOMP_PARSE_FRAME);
    assert_string_equal(f.command, "CONNECTED");
    stomp_frame_clear(&f);
    size_t used2;
    assert_int_equal(stomp_frame_parse(in + used, total - used, &f, &used2), STOMP_PARSE_FRAME);
    assert_string_equal(f.command, "RECEIPT");
    assert_int_equal(used + used2, total);
    stomp_frame_clear(&f);
}

/* Every prefix of a valid frame asks for more; none is taken as a frame or as garbage. */
static void test_parse_every_prefix_needs_more(void **state)
{
    (void)state;
    const char in[] = "MESSAGE\ndestination:/queue/x\ncontent-length:3\n\nabc";
    for (size_t n = 0; n < sizeof in; n++) {
        stomp_frame f;
        size_t used;
        assert_int_equal(stomp_frame_parse(in, n, &f, &used), STOMP_PARSE_MORE);
    }
}

static void test_parse_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len;
    } cases[] = {
        {LIT("SEND\nno-colon-here\n\n\0")},
        {LIT("SEND\nbad:escape\\t\n\n\0")},
        {LIT("SEND\ntrailing:backslash\\\n\n\0")},
        {LIT("\0\n\n\0")},
        {LIT("SEND\ncontent-length:abc\n\nx\0")},
        {LIT("SEND\ncontent-length:-1\n\nx\0")},
        {LIT("SEND\ncontent-length:2\n\nabc\0")}, /* no NUL after the announced body */
        {LIT("SEND\ncontent-length:99999999999999999999\n\n")},
        {LIT("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\n\0")},
        {LIT("HTTP/1.1 400 Bad Request\r\n\r\n\0")},
        {LIT("connected\n\n\0")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        stomp_frame f;
        size_t used;
        assert_int_equal(stomp_frame_parse(cases[i].text, cases[i].len, &f, &used), STOMP_PARSE_MALFORMED);
        assert_null(f.command); /* nothing left to free */
    }
}

static void test_parse_too_many_headers(void **state)
{
    (void)state;
    char in[4096];
    size_t o = (size_t)sprintf(in, "MESSAGE\n");
    for (int i = 0; i < STOMP_MAX_HEADERS + 1; i++)
        o += (size_t)sprintf(in + o, "h%d:v\n", i);
    o += (size_t)sprintf(in + o, "\n");
    in[o++] = '\0';
    stomp_frame f;
    size_t used;
    assert_int_equal(stomp_frame_parse(in, o, &f, &used), STOMP_PARSE_MALFORMED);
}

static void test_parse_oversized_frame(void **state)
{
    (void)state;
    size_t n = STOMP_MAX_FRAME + 64;
    char *in = malloc(n);
    memcpy(in, "MESSAGE\n\n", 9);
    memset(in + 9, 'x', n - 9); /* a body that never ends */
    stomp_frame f;
    size_t used;
    assert_int_equal(stomp_frame_parse(in, n, &f, &used), STOMP_PARSE_MALFORMED);
    free(in);
}

/* Pseudo-random bytes, and random mutations of a valid frame: never a crash, always one of the
 * three answers, and a frame only with its command set. Run under ASan to catch overreads. */
static void test_parse_fuzz(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    const char valid[] = "MESSAGE\nsubscription:0\nmessage-id:ID\\c1\ncontent-length:4\n\nbody";
    char buf[256];
    for (int round = 0; round < 20000; round++) {
        size_t len;
        if (round % 2) {
            len = sizeof valid;
            memcpy(buf, valid, len);
            for (int k = 0; k < 3; k++) {
                seed = seed * 1103515245u + 12345u;
                buf[(seed >> 8) % len] = (char)(seed >> 16);
            }
        } else {
            seed = seed * 1103515245u + 12345u;
            len = (seed >> 8) % sizeof buf;
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = "\n\r:\\\0abcSEND"[(seed >> 16) % 13];
            }
        }
        char *copy = malloc(len ? len : 1); /* exact size, so ASan sees any overread */
        memcpy(copy, buf, len);
        stomp_frame f;
        size_t used = 0;
        stomp_parse_result r = stomp_frame_parse(copy, len, &f, &used);
        assert_true(r == STOMP_PARSE_FRAME || r == STOMP_PARSE_MORE || r == STOMP_PARSE_MALFORMED);
        assert_true(used <= len);
        if (r == STOMP_PARSE_FRAME)
            assert_non_null(f.command);
        stomp_frame_clear(&f);
        free(copy);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    const char *h[] = {"destination", "/queue/x", "odd", "a:b\nc\\d\re"};
    size_t len;
    char *enc = stomp_frame_encode("SEND", h, 2, "payload", 7, &len);
    stomp_frame f;
    size_t used;
    assert_int_equal(stomp_frame_parse(enc, len, &f, &used), STOMP_PARSE_FRAME);
    assert_int_equal(used, len);
    assert_string_equal(stomp_frame_header(&f, "odd"), "a:b\nc\\d\re");
    assert_string_equal(f.body, "payload");
    stomp_frame_clear(&f);
    free(enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_send_escapes_headers),
        cmocka_unit_test(test_encode_connect_is_not_escaped),
        cmocka_unit_test(test_parse_receipt_with_heartbeats),
        cmocka_unit_test(test_parse_unescapes_and_first_header_wins),
        cmocka_unit_test(test_parse_connected_is_not_unescaped),
        cmocka_unit_test(test_parse_content_length_body_with_nul),
        cmocka_unit_test(test_parse_two_frames_in_one_buffer),
        cmocka_unit_test(test_parse_every_prefix_needs_more),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_parse_too_many_headers),
        cmocka_unit_test(test_parse_oversized_frame),
        cmocka_unit_test(test_parse_fuzz),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests_name("stomp_frame", tests, NULL, NULL);
}

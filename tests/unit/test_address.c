/* Unit tests of include/model/address.h: webhook/SQS URLs and STOMP broker addresses (spec §3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"

static const struct {
    const char *url;
    bool valid;
} url_rows[] = {
    {"http://example.com", true},
    {"https://example.com", true},
    {"https://example.com/", true},
    {"https://yourwebsite.com/order-created-notification", true},
    {"http://127.0.0.1:8080/hook", true},
    {"http://localhost:1/", true},
    {"http://localhost:65535/", true},
    {"http://[::1]/", true},
    {"http://[::1]:9000/hook", true},
    {"http://[2001:db8::1]:443", true},
    {"https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo", true},
    {"http://example.com?x=1", true},
    {"http://example.com#frag", true},
    {"http://example.com/p?q=1&r=2#f", true},
    {"http://user:pass@example.com/hook", true},
    {"HTTP://EXAMPLE.COM/", true},
    {"Https://example.com/", true},
    {"http://my_host.local/", true},
    {"", false},
    {"example.com", false},
    {"//example.com", false},
    {"ftp://example.com/", false},
    {"stomp://example.com", false},
    {"mailto:a@example.com", false},
    {"http:/example.com", false},
    {"http:example.com", false},
    {"http://", false},
    {"https://", false},
    {"http:///path", false},
    {"http://?x=1", false},
    {"http://:80/", false},
    {"http://example.com:/", false},
    {"http://example.com:0/", false},
    {"http://example.com:65536/", false},
    {"http://example.com:99999999999999999999/", false},
    {"http://example.com:-1/", false},
    {"http://example.com:8o/", false},
    {"http://exa mple.com/", false},
    {"http://example.com/a b", false},
    {" http://example.com/", false},
    {"http://example.com/\n", false},
    {"http://example.com/\t", false},
    {"http://exa<mple.com/", false},
    {"http://[::1/", false},
    {"http://[]/", false},
    {"http://[::1]x/", false},
    {"http://[not-ipv6]/", false},
    {"http://user@/", false},
};

static void test_http_url_is_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof url_rows / sizeof url_rows[0]; i++) {
        if (http_url_is_valid(url_rows[i].url) != url_rows[i].valid) {
            print_error("http_url_is_valid(\"%s\") should be %s\n", url_rows[i].url,
                        url_rows[i].valid ? "true" : "false");
            fail();
        }
    }
}

static void test_http_url_length_limit(void **state)
{
    (void)state;
    const char *prefix = "http://example.com/";
    size_t n = URL_MAX_LEN + 10;
    char *url = malloc(n + 1);
    assert_non_null(url);
    strcpy(url, prefix);
    memset(url + strlen(prefix), 'a', n - strlen(prefix));
    url[URL_MAX_LEN] = '\0'; /* exactly the limit */
    assert_true(http_url_is_valid(url));
    memset(url + strlen(prefix), 'a', n - strlen(prefix));
    url[n] = '\0'; /* over the limit */
    assert_false(http_url_is_valid(url));
    free(url);
}

typedef struct stomp_row {
    const char *in;
    bool ok;
    bool tls;
    const char *host;
    unsigned port;
} stomp_row;

static const stomp_row stomp_rows[] = {
    {"stomp://broker.example.com", true, false, "broker.example.com", 61613},
    {"stomp+ssl://broker.example.com", true, true, "broker.example.com", 61614},
    {"stomp://broker.example.com:61617", true, false, "broker.example.com", 61617},
    {"stomp+ssl://broker.example.com:443", true, true, "broker.example.com", 443},
    {"stomp://broker.example.com/", true, false, "broker.example.com", 61613},
    {"stomp://broker.example.com:1234/", true, false, "broker.example.com", 1234},
    {"stomp://127.0.0.1:1", true, false, "127.0.0.1", 1},
    {"stomp://h:65535", true, false, "h", 65535},
    {"stomp://[::1]", true, false, "::1", 61613},
    {"stomp://[::1]:61620", true, false, "::1", 61620},
    {"stomp+ssl://[2001:db8::1]:61619/", true, true, "2001:db8::1", 61619},
    {"STOMP://Broker.Example.COM", true, false, "Broker.Example.COM", 61613},
    {"Stomp+SSL://h", true, true, "h", 61614},
    {"", false, false, NULL, 0},
    {"broker.example.com", false, false, NULL, 0},
    {"broker.example.com:61613", false, false, NULL, 0},
    {"http://broker.example.com", false, false, NULL, 0},
    {"tcp://broker.example.com:61613", false, false, NULL, 0},
    {"stomps://broker.example.com", false, false, NULL, 0},
    {"stomp+tls://broker.example.com", false, false, NULL, 0},
    {"ssl://broker.example.com", false, false, NULL, 0},
    {"stomp:/broker.example.com", false, false, NULL, 0},
    {"stomp://", false, false, NULL, 0},
    {"stomp+ssl://", false, false, NULL, 0},
    {"stomp:///", false, false, NULL, 0},
    {"stomp://:61613", false, false, NULL, 0},
    {"stomp://h:", false, false, NULL, 0},
    {"stomp://h:0", false, false, NULL, 0},
    {"stomp://h:65536", false, false, NULL, 0},
    {"stomp://h:99999999999999999999", false, false, NULL, 0},
    {"stomp://h:-1", false, false, NULL, 0},
    {"stomp://h:12a", false, false, NULL, 0},
    {"stomp://h//", false, false, NULL, 0},
    {"stomp://h/queue", false, false, NULL, 0},
    {"stomp://h?x=1", false, false, NULL, 0},
    {"stomp://user:pw@h", false, false, NULL, 0},
    {"stomp://h h", false, false, NULL, 0},
    {" stomp://h", false, false, NULL, 0},
    {"stomp://h\n", false, false, NULL, 0},
    {"stomp://[::1", false, false, NULL, 0},
    {"stomp://[]", false, false, NULL, 0},
    {"stomp://[::1]61613", false, false, NULL, 0},
    {"stomp://[xyz]", false, false, NULL, 0},
};

static void test_stomp_address_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof stomp_rows / sizeof stomp_rows[0]; i++) {
        const stomp_row *r = &stomp_rows[i];
        stomp_address a;
        memset(&a, 0, sizeof a);
        bool ok = stomp_address_parse(r->in, &a);
        if (ok != r->ok || (ok && (a.tls != r->tls || strcmp(a.host, r->host) != 0 || a.port != r->port))) {
            print_error("stomp_address_parse(\"%s\") = %s tls=%d host=\"%s\" port=%u; expected %s tls=%d host=\"%s\" "
                        "port=%u\n",
                        r->in, ok ? "true" : "false", a.tls, ok ? a.host : "", a.port, r->ok ? "true" : "false",
                        r->tls, r->host ? r->host : "", r->port);
            fail();
        }
    }
}

/* A host as long as the buffer allows, and one byte more. */
static void test_stomp_host_length(void **state)
{
    (void)state;
    char in[16 + ADDRESS_HOST_MAX + 8];
    strcpy(in, "stomp://");
    memset(in + 8, 'h', ADDRESS_HOST_MAX - 1);
    in[8 + ADDRESS_HOST_MAX - 1] = '\0';
    stomp_address a;
    assert_true(stomp_address_parse(in, &a));
    assert_int_equal(strlen(a.host), ADDRESS_HOST_MAX - 1);
    memset(in + 8, 'h', ADDRESS_HOST_MAX);
    in[8 + ADDRESS_HOST_MAX] = '\0';
    assert_false(stomp_address_parse(in, &a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_url_is_valid),
        cmocka_unit_test(test_http_url_length_limit),
        cmocka_unit_test(test_stomp_address_parse),
        cmocka_unit_test(test_stomp_host_length),
    };
    return cmocka_run_group_tests_name("address", tests, NULL, NULL);
}

/* The list's hand-written JSON (integration_write_json, strbuf_json_string) must be byte for
 * byte what jansson writes for the same resource (integration_render + compact dump). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "integration.h"
#include "strbuf.h"

static void check_same_text(const integration *it, const char *base)
{
    json_t *doc = integration_render(it, base);
    char *want = json_dumps(doc, JSON_COMPACT);
    integration_listing row = {0};
    memcpy(row.id, it->id, sizeof row.id);
    row.type = it->type;
    row.name = strdup(it->name);
    row.description = it->description ? strdup(it->description) : NULL;
    row.enabled = it->enabled;
    row.configuration_shown = integration_configuration_shown(it);
    row.observes = json_dumps(it->observes, JSON_COMPACT);
    row.created_at_ms = it->created_at_ms;
    row.updated_at_ms = it->updated_at_ms;
    strbuf out = {0};
    integration_write_json(&out, &row, base);
    char *got = strbuf_take(&out);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    free(want);
    json_decref(doc);
    integration_listing_clear(&row);
}

static void make(integration *it, integration_type type, const char *name, const char *description, json_t *cfg)
{
    memset(it, 0, sizeof *it);
    strcpy(it->id, "8cb9e689-ede7-4f6d-b61a-6aa970d572dd");
    it->type = type;
    it->name = strdup(name);
    it->description = description ? strdup(description) : NULL;
    it->enabled = type != INTEGRATION_STOMP;
    it->configuration = cfg;
    it->observes = json_pack("[s, s]", "order.fulfilled", "wishlist_ext.created");
    it->created_at_ms = 1525080932202;
    it->updated_at_ms = 1525080999999;
}

static void test_each_type_and_tricky_strings(void **state)
{
    (void)state;
    static const char *const names[] = {
        "Order shipping notification", "quote \" and backslash \\ and slash /", "tab\there\nnew line\r\b\f",
        "controls \x01\x02\x1f and DEL \x7f", "unicode é 日本 😀", "",
    };
    static const char *const bases[] = {"http://127.0.0.1:8080", "http://a\"b\\c", "https://x.example/base"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            integration it;
            make(&it, INTEGRATION_WEBHOOK, names[n], n % 2 ? names[n] : NULL,
                 json_pack("{s:s, s:s}", "url", "https://example.com/h?q=\"x\"", "secret_key", names[n]));
            check_same_text(&it, bases[b]);
            integration_clear(&it);
            make(&it, INTEGRATION_AWS_SQS, names[n], "d",
                 json_pack("{s:s, s:s, s:s, s:s}", "url", "https://sqs.eu-west-1.amazonaws.com/1/q.fifo",
                           "aws_access_key_id", "AKIAEXAMPLE1234", "aws_secret_access_key", "s€cr€t-ünïcödé",
                           "region", "eu-west-1"));
            check_same_text(&it, bases[b]);
            integration_clear(&it);
            make(&it, INTEGRATION_STOMP, names[n], NULL,
                 json_pack("{s:[s, s], s:s, s:s, s:s}", "addresses", "stomp://127.0.0.1", "stomp+ssl://[::1]:61614",
                           "destination", "/queue/a\\cb", "username", "moltin", "password", "abc"));
            check_same_text(&it, bases[b]);
            integration_clear(&it);
        }
    }
}

/* Every single-byte character and a few multi-byte ones, escaped as jansson escapes them. */
static void test_string_escaping_matches_jansson(void **state)
{
    (void)state;
    for (int c = 1; c < 0x80; c++) {
        char s[4] = {'a', (char)c, 'z', 0};
        json_t *js = json_string(s);
        char *want = json_dumps(js, JSON_ENCODE_ANY);
        strbuf out = {0};
        strbuf_json_string(&out, s);
        char *got = strbuf_take(&out);
        assert_string_equal(got, want);
        free(got);
        free(want);
        json_decref(js);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_type_and_tricky_strings),
        cmocka_unit_test(test_string_escaping_matches_jansson),
    };
    return cmocka_run_group_tests_name("listing", tests, NULL, NULL);
}

/* The one renderer of the resource (integration_write) writes, byte for byte, what jansson
 * writes for the same document built independently here (masking applied by the test), for every
 * type and for strings that need escaping; text that is not UTF-8 fails the render instead of
 * reaching a client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "integration.h"
#include "strbuf.h"
#include "timestamp.h"

/* The document as jansson writes it: the oracle. cfg_shown is the configuration with its
 * secrets already masked. */
static char *jansson_text(const integration *it, json_t *cfg_shown, const char *base)
{
    char created[TIMESTAMP_LEN], updated[TIMESTAMP_LEN], *self = NULL;
    timestamp_format(it->created_at_ms, created);
    timestamp_format(it->updated_at_ms, updated);
    assert_true(asprintf(&self, "%s/v2/integrations/%s", base, it->id) > 0);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:b, s:O, s:o, s:{s:s}, s:{s:{s:s, s:s}}}", "id", it->id,
                            "type", "integration", "integration_type", integration_type_name(it->type), "name",
                            it->name, "description", it->description, "enabled", it->enabled, "configuration",
                            cfg_shown, "observes", json_loads(it->observes, 0, NULL), "links", "self", self, "meta",
                            "timestamps", "created_at", created, "updated_at", updated);
    assert_non_null(doc);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    free(self);
    return text;
}

static void check_same_text(const integration *it, json_t *cfg_shown, const char *base)
{
    char *want = jansson_text(it, cfg_shown, base);
    strbuf out = {0};
    integration_write(&out, it, base);
    char *got = strbuf_take(&out);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void make(integration *it, integration_type type, const char *name, const char *description, json_t *cfg)
{
    memset(it, 0, sizeof *it);
    strcpy(it->id, "8cb9e689-ede7-4f6d-b61a-6aa970d572dd");
    it->type = type;
    it->name = strdup(name);
    it->description = description ? strdup(description) : NULL;
    it->enabled = type != INTEGRATION_STOMP;
    it->configuration = json_dumps(cfg, JSON_COMPACT);
    it->observes = strdup("[\"order.fulfilled\",\"wishlist_ext.created\"]");
    it->created_at_ms = 1525080932202;
    it->updated_at_ms = 1525080999999;
}

/* A copy of cfg with the values of `keys` masked as the spec says. */
static json_t *masked(json_t *cfg, const char *const *keys)
{
    json_t *shown = json_deep_copy(cfg);
    for (; *keys; keys++) {
        char *m = secret_mask(json_string_value(json_object_get(cfg, *keys)));
        json_object_set_new(shown, *keys, json_string(m));
        free(m);
    }
    return shown;
}

static void test_each_type_and_tricky_strings(void **state)
{
    (void)state;
    static const char *const names[] = {
        "Order shipping notification", "quote \" and backslash \\ and slash /", "tab\there\nnew line\r\b\f",
        "controls \x01\x02\x1f and DEL \x7f", "unicode é 日本 😀", "",
    };
    static const char *const bases[] = {"http://127.0.0.1:8080", "http://a\"b\\c", "https://x.example/base"};
    static const char *const sqs_secrets[] = {"aws_access_key_id", "aws_secret_access_key", NULL};
    static const char *const stomp_secrets[] = {"password", NULL};
    static const char *const none[] = {NULL};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            integration it;
            json_t *cfg = json_pack("{s:s, s:s}", "url", "https://example.com/h?q=\"x\"", "secret_key", names[n]);
            json_t *shown = masked(cfg, none);
            make(&it, INTEGRATION_WEBHOOK, names[n], n % 2 ? names[n] : NULL, cfg);
            check_same_text(&it, shown, bases[b]);
            integration_clear(&it);
            json_decref(cfg);
            json_decref(shown);

            cfg = json_pack("{s:s, s:s, s:s, s:s}", "url", "https://sqs.eu-west-1.amazonaws.com/1/q.fifo",
                            "aws_access_key_id", "AKIAEXAMPLE1234", "aws_secret_access_key", "s€cr€t-ünïcödé",
                            "region", "eu-west-1");
            shown = masked(cfg, sqs_secrets);
            make(&it, INTEGRATION_AWS_SQS, names[n], "d", cfg);
            check_same_text(&it, shown, bases[b]);
            integration_clear(&it);
            json_decref(cfg);
            json_decref(shown);

            cfg = json_pack("{s:[s, s], s:s, s:s, s:s}", "addresses", "stomp://127.0.0.1", "stomp+ssl://[::1]:61614",
                            "destination", "/queue/a\\cb", "username", "moltin", "password", "abc");
            shown = masked(cfg, stomp_secrets);
            make(&it, INTEGRATION_STOMP, names[n], NULL, cfg);
            check_same_text(&it, shown, bases[b]);
            integration_clear(&it);
            json_decref(cfg);
            json_decref(shown);
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

/* A base URL that is not UTF-8 (a Host header of raw bytes) cannot become JSON: the render fails
 * and the caller answers 500, never a broken or empty body. */
static void test_text_that_is_not_utf8_fails_the_render(void **state)
{
    (void)state;
    static const char *const bad[] = {"http://h\xff", "http://h\xc3", "http://h\xed\xa0\x80", "http://h\xc0\xaf"};
    json_t *cfg = json_pack("{s:s}", "url", "https://example.com/h");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        integration it;
        make(&it, INTEGRATION_WEBHOOK, "N", NULL, cfg);
        assert_null(integration_document_text(&it, bad[i]));
        integration_clear(&it);
    }
    json_decref(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_type_and_tricky_strings),
        cmocka_unit_test(test_string_escaping_matches_jansson),
        cmocka_unit_test(test_text_that_is_not_utf8_fails_the_render),
    };
    return cmocka_run_group_tests_name("renderer", tests, NULL, NULL);
}

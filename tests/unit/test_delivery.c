/* Pure parts of delivery: webhook body, sample payloads, UTF-8 cleaning, retry schedule and
 * Standard Webhooks signatures (spec §7, §7.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "payload.h"
#include "retry.h"
#include "signature.h"

static void make_job(delivery_job *job, const char *trigger, const char *payload, const char *secret)
{
    memset(job, 0, sizeof *job);
    strcpy(job->id, "0b7c5e0e-6f0f-4a4e-9d6c-2b7e8f1a2c3d");
    strcpy(job->store_id, "11111111-2222-4333-8444-555555555555");
    strcpy(job->trigger, trigger);
    job->attempt = 3;
    job->payload = json_loads(payload, 0, NULL);
    strcpy(job->it.id, "8cb9e689-ede7-4f6d-b61a-6aa970d572dd");
    job->it.type = INTEGRATION_WEBHOOK;
    job->it.name = strdup("Order shipping notification");
    job->it.description = NULL;
    job->configuration = secret ? json_pack("{s:s, s:s}", "url", "http://127.0.0.1:9/h", "secret_key", secret)
                                : json_pack("{s:s}", "url", "http://127.0.0.1:9/h");
    job->it.configuration = json_dumps(job->configuration, JSON_COMPACT);
    if (asprintf(&job->it.observes, "[\"%s\"]", trigger) < 0)
        job->it.observes = NULL;
}

static void test_webhook_body_normal_trigger(void **state)
{
    (void)state;
    delivery_job job;
    make_job(&job, "order.fulfilled", "{\"data\":{\"type\":\"order\",\"id\":\"o-1\"}}", "s3cret");
    char *text = webhook_body(&job);
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    const char *keys[] = {"id", "triggered_by", "attempt", "integration", "resources", "payload", "configuration",
                          "store_id"};
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        assert_true(i < 8);
        assert_string_equal(key, keys[i++]);
    }
    assert_int_equal(i, 8);
    assert_string_equal(json_string_value(json_object_get(body, "id")), job.id);
    assert_string_equal(json_string_value(json_object_get(body, "triggered_by")), "order.fulfilled");
    assert_int_equal(json_integer_value(json_object_get(body, "attempt")), 3);
    json_t *summary = json_object_get(body, "integration");
    assert_string_equal(json_string_value(json_object_get(summary, "integration_type")), "webhook");
    assert_true(json_is_null(json_object_get(summary, "description")));
    /* resources is the payload serialised as a string */
    const char *resources = json_string_value(json_object_get(body, "resources"));
    assert_non_null(resources);
    json_t *reparsed = json_loads(resources, 0, NULL);
    assert_true(json_equal(reparsed, job.payload));
    assert_true(json_equal(json_object_get(body, "payload"), job.payload));
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "configuration"), "secret_key")),
                        "s3cret");
    assert_string_equal(json_string_value(json_object_get(body, "store_id")), job.store_id);
    json_decref(reparsed);
    json_decref(body);
    free(text);
    delivery_job_clear(&job);
}

static void test_webhook_body_deleted_trigger(void **state)
{
    (void)state;
    delivery_job job;
    make_job(&job, "product.deleted", "{\"type\":\"product\",\"id\":\"p-1\"}", NULL);
    char *text = webhook_body(&job);
    json_t *body = json_loads(text, 0, NULL);
    json_t *resources = json_object_get(body, "resources");
    assert_true(json_is_object(resources));
    assert_true(json_equal(resources, job.payload));
    assert_null(json_object_get(json_object_get(body, "configuration"), "secret_key"));
    json_decref(body);
    free(text);
    delivery_job_clear(&job);
}

static void test_cloudevent(void **state)
{
    (void)state;
    delivery_job job;
    make_job(&job, "order.fulfilled", "{\"data\":{\"type\":\"order\",\"id\":\"o-1\"}}", NULL);
    job.event_created_ms = 1525080932202;
    char *text = cloudevent_body(&job, "http://127.0.0.1:8080");
    json_t *ev = json_loads(text, 0, NULL);
    const char *keys[] = {"specversion", "id", "type", "source", "time", "datacontenttype", "integrationid",
                          "storeid", "data"};
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach(ev, key, value) {
        assert_true(i < 9);
        assert_string_equal(key, keys[i++]);
    }
    assert_string_equal(json_string_value(json_object_get(ev, "specversion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(ev, "id")), job.id);
    assert_string_equal(json_string_value(json_object_get(ev, "type")), "order.fulfilled");
    assert_string_equal(json_string_value(json_object_get(ev, "source")), "http://127.0.0.1:8080");
    assert_string_equal(json_string_value(json_object_get(ev, "time")), "2018-04-30T09:35:32.202Z");
    assert_string_equal(json_string_value(json_object_get(ev, "integrationid")), job.it.id);
    assert_string_equal(json_string_value(json_object_get(ev, "storeid")), job.store_id);
    assert_true(json_equal(json_object_get(ev, "data"), json_object_get(job.payload, "data")));
    json_decref(ev);
    free(text);
    delivery_job_clear(&job);

    make_job(&job, "order.deleted", "{\"type\":\"order\",\"id\":\"o-2\"}", NULL);
    text = cloudevent_body(&job, "http://x");
    ev = json_loads(text, 0, NULL);
    assert_true(json_equal(json_object_get(ev, "data"), job.payload));
    json_decref(ev);
    free(text);
    delivery_job_clear(&job);
}

static void test_trigger_is_deletion(void **state)
{
    (void)state;
    assert_true(trigger_is_deletion("order.deleted"));
    assert_true(trigger_is_deletion("wishlist_ext.deleted"));
    assert_false(trigger_is_deletion("order.created"));
    assert_false(trigger_is_deletion("deleted"));
    assert_false(trigger_is_deletion("order.deletedx"));
}

static void test_sample_payloads(void **state)
{
    (void)state;
    static const char *const triggers[] = {"order.fulfilled", "cart.updated", "product.created", "customer.updated",
                                           "file.created", "subscription.paused", "wishlist_ext.created",
                                           "one-time-password-token-request.created"};
    static const char *const types[] = {"order", "cart", "product", "customer", "file", "subscription", "wishlist_ext",
                                        "one-time-password-token-request"};
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++) {
        json_t *p = sample_payload(triggers[i], "abc");
        json_t *data = json_object_get(p, "data");
        assert_non_null(data);
        assert_string_equal(json_string_value(json_object_get(data, "type")), types[i]);
        assert_string_equal(json_string_value(json_object_get(data, "id")), "abc");
        json_decref(p);
    }
    json_t *del = sample_payload("order.deleted", "xyz");
    assert_int_equal(json_object_size(del), 2);
    assert_string_equal(json_string_value(json_object_get(del, "type")), "order");
    assert_string_equal(json_string_value(json_object_get(del, "id")), "xyz");
    json_decref(del);
    json_t *order = sample_payload("order.paid", "o");
    assert_non_null(json_object_get(json_object_get(order, "data"), "status"));
    json_decref(order);
}

static void test_utf8_clean(void **state)
{
    (void)state;
    char *s = utf8_clean("plain", 5, 4096);
    assert_string_equal(s, "plain");
    free(s);
    /* "é" is 2 bytes: a cut inside it drops it whole */
    s = utf8_clean("ab\xC3\xA9", 4, 3);
    assert_string_equal(s, "ab");
    free(s);
    /* invalid bytes and NUL become U+FFFD */
    s = utf8_clean("a\xFF" "b\0c", 5, 100);
    assert_string_equal(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
    free(s);
    /* overlong encoding and surrogates are invalid */
    s = utf8_clean("\xC0\xAF\xED\xA0\x80", 5, 100);
    assert_null(strchr(s, '\xC0'));
    assert_null(strstr(s, "\xED\xA0\x80"));
    free(s);
    /* the result never exceeds max bytes */
    char big[10000];
    memset(big, 'x', sizeof big);
    s = utf8_clean(big, sizeof big, 4096);
    assert_int_equal(strlen(s), 4096);
    free(s);
}

static void test_retry_schedule(void **state)
{
    (void)state;
    const double schedule[] = {0, 5, 30, 120, 600, 1800};
    assert_int_equal(retry_next_attempt(schedule, 6, 1, false, 1000), 6000);
    assert_int_equal(retry_next_attempt(schedule, 6, 2, false, 1000), 31000);
    assert_int_equal(retry_next_attempt(schedule, 6, 5, false, 0), 1800000);
    assert_int_equal(retry_next_attempt(schedule, 6, 6, false, 0), -1); /* attempts run out */
    assert_int_equal(retry_next_attempt(schedule, 6, 1, true, 0), -1);  /* success ends the job */
    const double fast[] = {0, 0.25, 0.5};
    assert_int_equal(retry_next_attempt(fast, 3, 1, false, 100), 350);
    assert_int_equal(retry_next_attempt(fast, 3, 2, false, 100), 600);
    assert_int_equal(retry_next_attempt(fast, 3, 3, false, 100), -1);
    const double once[] = {0};
    assert_int_equal(retry_next_attempt(once, 1, 1, false, 100), -1);
}

/* The published Standard Webhooks test vector. */
static void test_signature_vector(void **state)
{
    (void)state;
    char sig[SIGNATURE_MAX];
    assert_true(standard_webhooks_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                       1614265330, "{\"test\": 2432232314}", sig));
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void test_signature_raw_secret_and_bad_base64(void **state)
{
    (void)state;
    char a[SIGNATURE_MAX], b[SIGNATURE_MAX];
    assert_true(standard_webhooks_sign("plain-secret", "id", 1, "{}", a));
    assert_true(standard_webhooks_sign("plain-secret", "id", 2, "{}", b));
    assert_memory_equal(a, "v1,", 3);
    assert_int_equal(strlen(a), 3 + 44);
    assert_string_not_equal(a, b); /* the timestamp is signed */
    assert_false(standard_webhooks_sign("whsec_not*base64", "id", 1, "{}", a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_body_normal_trigger),
        cmocka_unit_test(test_webhook_body_deleted_trigger),
        cmocka_unit_test(test_cloudevent),
        cmocka_unit_test(test_trigger_is_deletion),
        cmocka_unit_test(test_sample_payloads),
        cmocka_unit_test(test_utf8_clean),
        cmocka_unit_test(test_retry_schedule),
        cmocka_unit_test(test_signature_vector),
        cmocka_unit_test(test_signature_raw_secret_and_bad_base64),
    };
    return cmocka_run_group_tests_name("delivery", tests, NULL, NULL);
}

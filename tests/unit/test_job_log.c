/* Unit tests of include/model/job_log.h: the log object of spec §7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_log.h"
#include "strbuf.h"

/* The log as the renderer writes it, parsed back. */
static json_t *job_log_render(const job_log *log)
{
    strbuf out = {0};
    job_log_write(&out, log);
    char *text = strbuf_take(&out);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return doc;
}

#define LOG_ID "11111111-1111-4111-8111-111111111111"
#define JOB_ID "22222222-2222-4222-8222-222222222222"
#define INT_ID "33333333-3333-4333-8333-333333333333"

static job_log sample(void)
{
    job_log l;
    memset(&l, 0, sizeof l);
    strcpy(l.id, LOG_ID);
    strcpy(l.job_id, JOB_ID);
    strcpy(l.integration_id, INT_ID);
    l.attempt = 1;
    l.succeeded = false;
    l.processing_time = 0.25;
    l.body = "Not found";
    l.status_code = 404;
    l.error_detail = "Received a status code outside of 2xx range - treating webhook as a fail";
    l.created_at_ms = INT64_C(1525080932202);
    return l;
}

static void test_render_failed_attempt(void **state)
{
    (void)state;
    job_log l = sample();
    json_t *doc = job_log_render(&l);
    assert_non_null(doc);
    json_t *want = json_loads(
        "{\"id\":\"" LOG_ID "\",\"type\":\"integration-log\",\"succeeded\":false,\"attempt\":1,"
        "\"processing_time\":0.25,\"body\":\"Not found\",\"status_code\":404,"
        "\"error_detail\":\"Received a status code outside of 2xx range - treating webhook as a fail\","
        "\"relationships\":{\"integration\":{\"data\":{\"type\":\"integration\",\"id\":\"" INT_ID "\"}},"
        "\"job\":{\"data\":{\"type\":\"integration-job\",\"id\":\"" JOB_ID "\"}}},"
        "\"meta\":{\"timestamps\":{\"created_at\":\"2018-04-30T09:35:32.202Z\"}}}",
        0, NULL);
    assert_non_null(want);
    if (!json_equal(doc, want)) {
        char *g = json_dumps(doc, JSON_COMPACT);
        print_error("got %s\n", g);
        free(g);
        fail();
    }
    static const char *const keys[] = {"id", "type", "succeeded", "attempt", "processing_time", "body",
                                       "status_code", "error_detail", "relationships", "meta"};
    size_t i = 0;
    for (void *it = json_object_iter(doc); it; it = json_object_iter_next(doc, it), i++) {
        assert_true(i < 10);
        assert_string_equal(json_object_iter_key(it), keys[i]);
    }
    assert_int_equal(i, 10);
    json_decref(want);
    json_decref(doc);
}

/* No HTTP answer: status_code null, body "". */
static void test_render_no_http_answer(void **state)
{
    (void)state;
    job_log l = sample();
    l.status_code = 0;
    l.body = "";
    l.attempt = 6;
    l.error_detail = "Request timed out after 10s";
    json_t *doc = job_log_render(&l);
    assert_non_null(doc);
    assert_true(json_is_null(json_object_get(doc, "status_code")));
    assert_non_null(json_object_get(doc, "status_code"));
    assert_string_equal(json_string_value(json_object_get(doc, "body")), "");
    assert_int_equal(json_integer_value(json_object_get(doc, "attempt")), 6);
    assert_string_equal(json_string_value(json_object_get(doc, "error_detail")), "Request timed out after 10s");
    json_decref(doc);
}

static void test_render_success(void **state)
{
    (void)state;
    job_log l = sample();
    l.succeeded = true;
    l.status_code = 200;
    l.body = "{\"ok\":true}";
    l.error_detail = "";
    json_t *doc = job_log_render(&l);
    assert_non_null(doc);
    assert_true(json_is_true(json_object_get(doc, "succeeded")));
    assert_int_equal(json_integer_value(json_object_get(doc, "status_code")), 200);
    assert_string_equal(json_string_value(json_object_get(doc, "body")), "{\"ok\":true}"); /* a string, not JSON */
    assert_string_equal(json_string_value(json_object_get(doc, "error_detail")), "");
    assert_true(json_is_real(json_object_get(doc, "processing_time")));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_failed_attempt),
        cmocka_unit_test(test_render_no_http_answer),
        cmocka_unit_test(test_render_success),
    };
    return cmocka_run_group_tests_name("job_log_render", tests, NULL, NULL);
}

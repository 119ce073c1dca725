/* SQS request and answer texts (spec §7.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aws.h"

static void test_fifo_detection(void **state)
{
    (void)state;
    assert_true(sqs_queue_is_fifo("https://sqs.us-east-1.amazonaws.com/123/orders.fifo"));
    assert_true(sqs_queue_is_fifo("http://127.0.0.1:9324/000000000000/q.fifo?x=1"));
    assert_false(sqs_queue_is_fifo("https://sqs.us-east-1.amazonaws.com/123/orders"));
    assert_false(sqs_queue_is_fifo("https://sqs.us-east-1.amazonaws.com/123/fifo"));
    assert_false(sqs_queue_is_fifo(".fif"));
}

static void test_send_message_request(void **state)
{
    (void)state;
    char *text = sqs_send_message_request("http://q/1/events", "{\"a\":\"b\"}", NULL, NULL);
    json_t *req = json_loads(text, 0, NULL);
    assert_int_equal(json_object_size(req), 2);
    assert_string_equal(json_string_value(json_object_get(req, "QueueUrl")), "http://q/1/events");
    assert_string_equal(json_string_value(json_object_get(req, "MessageBody")), "{\"a\":\"b\"}");
    json_decref(req);
    free(text);
    text = sqs_send_message_request("http://q/1/e.fifo", "m", "group", "dedup");
    req = json_loads(text, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(req, "MessageGroupId")), "group");
    assert_string_equal(json_string_value(json_object_get(req, "MessageDeduplicationId")), "dedup");
    json_decref(req);
    free(text);
}

static void test_endpoint(void **state)
{
    (void)state;
    char out[256];
    assert_true(sqs_endpoint("http://127.0.0.1:9325/000000000000/events", out, sizeof out));
    assert_string_equal(out, "http://127.0.0.1:9325/");
    assert_true(sqs_endpoint("https://sqs.eu-west-1.amazonaws.com/123/q", out, sizeof out));
    assert_string_equal(out, "https://sqs.eu-west-1.amazonaws.com/");
    assert_true(sqs_endpoint("https://host", out, sizeof out));
    assert_string_equal(out, "https://host/");
    assert_false(sqs_endpoint("no-scheme", out, sizeof out));
    assert_false(sqs_endpoint("http://a-very-long-host-name/q", out, 8));
}

static void test_message_id(void **state)
{
    (void)state;
    assert_true(sqs_answer_has_message_id("{\"MD5OfMessageBody\":\"x\",\"MessageId\":\"5fea7756\"}"));
    assert_true(sqs_answer_has_message_id("<SendMessageResult><MessageId>1</MessageId></SendMessageResult>"));
    assert_false(sqs_answer_has_message_id("{}"));
    assert_false(sqs_answer_has_message_id(""));
    assert_false(sqs_answer_has_message_id("{\"MessageId\":5}"));
}

static void test_error_summary(void **state)
{
    (void)state;
    char out[512];
    assert_true(aws_error_summary("<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"
                                  "<Message>The request signature we calculated does not match</Message></Error>"
                                  "</ErrorResponse>",
                                  out, sizeof out));
    assert_string_equal(out, "SignatureDoesNotMatch: The request signature we calculated does not match");
    assert_true(aws_error_summary("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"no queue\"}", out,
                                  sizeof out));
    assert_string_equal(out, "QueueDoesNotExist: no queue");
    assert_true(aws_error_summary("{\"__type\":\"InvalidSignatureException\"}", out, sizeof out));
    assert_string_equal(out, "InvalidSignatureException");
    assert_false(aws_error_summary("Service Unavailable", out, sizeof out));
    assert_false(aws_error_summary("", out, sizeof out));
    assert_false(aws_error_summary("<Code>unterminated", out, sizeof out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_detection),     cmocka_unit_test(test_send_message_request),
        cmocka_unit_test(test_endpoint),           cmocka_unit_test(test_message_id),
        cmocka_unit_test(test_error_summary),
    };
    return cmocka_run_group_tests_name("aws", tests, NULL, NULL);
}

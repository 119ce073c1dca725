/* The answer of an SQS endpoint (src/delivery/sqs.c): the body as http_post keeps it (utf8_clean,
 * at most RESPONSE_BODY_MAX bytes), then sqs_answer_has_message_id and aws_error_summary, JSON or
 * XML, then the cleaning the runner gives an error detail. The kept body and the detail are valid
 * UTF-8 within their sizes; a summary is never empty. */
#include "attempt.h"
#include "aws.h"
#include "fuzz.h"
#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = utf8_clean((const char *)data, size, RESPONSE_BODY_MAX);
    FUZZ_ASSERT(body && strlen(body) <= RESPONSE_BODY_MAX && fuzz_is_utf8(body));
    char *in = fuzz_text(data, size);
    if (size <= RESPONSE_BODY_MAX && strlen(in) == size && fuzz_is_utf8(in))
        FUZZ_ASSERT(strcmp(body, in) == 0); /* text that is valid already is kept as it is */
    free(in);
    (void)sqs_answer_has_message_id(body);
    attempt_result r = {0};
    if (aws_error_summary(body, r.error_detail, sizeof r.error_detail)) {
        FUZZ_ASSERT(r.error_detail[0] && strlen(r.error_detail) < sizeof r.error_detail);
    } else {
        FUZZ_ASSERT(!r.error_detail[0]);
    }
    /* src/delivery/runner.c: a peer's words go into JSON */
    char *detail = utf8_clean(r.error_detail, strlen(r.error_detail), sizeof r.error_detail - 1);
    FUZZ_ASSERT(detail && strlen(detail) < sizeof r.error_detail && fuzz_is_utf8(detail));
    json_t *s = json_string(detail);
    FUZZ_ASSERT(s);
    json_decref(s);
    free(detail);
    free(body);
    return 0;
}

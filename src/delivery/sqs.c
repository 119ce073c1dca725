/* AWS SQS transport (spec §7.2): SendMessage over the JSON protocol, signed with SigV4 by
 * libcurl. Every parameter travels in the body: libcurl 7.88 signs an unsorted query string. */
#include <stdio.h>
#include <stdlib.h>

#include "aws.h"
#include "http_post.h"
#include "transport.h"

bool sqs_deliver(transport_ctx *t, const delivery_job *job, attempt_result *r)
{
    const char *queue_url = job_config(job, "url");
    char endpoint[2100], sigv4[160];
    char *message = cloudevent_body(job, t->s->public_base_url);
    bool fifo = sqs_queue_is_fifo(queue_url);
    char *request = message ? sqs_send_message_request(queue_url, message, fifo ? job->it.id : NULL,
                                                       fifo ? job->id : NULL)
                            : NULL;
    struct curl_slist *headers = curl_lib.slist_append(NULL, "Content-Type: application/x-amz-json-1.0");
    headers = curl_lib.slist_append(headers, "X-Amz-Target: AmazonSQS.SendMessage");
    /* No "Expect:" override here: libcurl 7.88 would sign the removed header (curl #11664). */
    bool completed = true;
    if (!request || !headers || !sqs_endpoint(queue_url, endpoint, sizeof endpoint)) {
        snprintf(r->error_detail, sizeof r->error_detail, "Cannot build the SendMessage request");
        goto out;
    }
    snprintf(sigv4, sizeof sigv4, "aws:amz:%.100s:sqs", job_config(job, "region"));
    http_post_request rq = {
        .url = endpoint,
        .headers = headers,
        .body = request,
        .aws_sigv4 = sigv4,
        .user = job_config(job, "aws_access_key_id"),
        .password = job_config(job, "aws_secret_access_key"),
    };
    bool answered;
    completed = http_post(t, &rq, r, &answered);
    if (answered) {
        r->succeeded = r->status_code == 200 && sqs_answer_has_message_id(r->body);
        if (!r->succeeded && !aws_error_summary(r->body, r->error_detail, sizeof r->error_detail))
            snprintf(r->error_detail, sizeof r->error_detail,
                     "Received a status code outside of 2xx range - treating message as a fail");
    }
out:
    curl_lib.slist_free_all(headers);
    free(request);
    free(message);
    return completed;
}

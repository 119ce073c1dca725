/* One HTTP POST of a delivery attempt with libcurl (webhook and SQS), src/delivery only. */
#ifndef INTEGRATIONSD_HTTP_POST_H
#define INTEGRATIONSD_HTTP_POST_H

#include <stdatomic.h>
#include <stdbool.h>

#include "curl_lib.h"
#include "transport.h"

typedef struct http_post_request {
    const char *url;
    struct curl_slist *headers;
    const char *body;
    const char *aws_sigv4; /* e.g. "aws:amz:us-east-1:sqs"; NULL = unsigned */
    const char *user;      /* SigV4 access key id */
    const char *password;  /* SigV4 secret */
} http_post_request;

/* Sends the POST on the worker's libcurl handle (no redirects followed, the settings' timeout). With an HTTP answer it sets
 * r->status_code and r->body (first RESPONSE_BODY_MAX bytes, valid UTF-8) and returns true with
 * *answered; without one it sets r->error_detail (timeout text or libcurl's message). Returns
 * false only when shutdown interrupted the attempt. */
bool http_post(transport_ctx *t, const http_post_request *rq, attempt_result *r, bool *answered);

#endif

/* AWS SQS request and answer texts (spec §7.2). Pure. */
#ifndef INTEGRATIONSD_AWS_H
#define INTEGRATIONSD_AWS_H

#include <stdbool.h>
#include <stddef.h>

/* true when the queue URL names a FIFO queue (its path ends in ".fifo"). */
bool sqs_queue_is_fifo(const char *queue_url);

/* The JSON body of SendMessage: QueueUrl and MessageBody, plus MessageGroupId and
 * MessageDeduplicationId for a FIFO queue. A newly allocated string. */
char *sqs_send_message_request(const char *queue_url, const char *message, const char *group_id,
                               const char *deduplication_id);

/* The endpoint a queue URL is served by: its scheme://host[:port]/ (SigV4 signs this POST). */
bool sqs_endpoint(const char *queue_url, char *out, size_t n);

/* true when a 2xx SendMessage answer carries a MessageId. */
bool sqs_answer_has_message_id(const char *body);

/* "<Code>: <Message>" from an AWS error answer, JSON ({"__type":"…#Code","message":…}) or XML
 * (<Code>…</Code><Message>…</Message>). false when the body carries no error code. */
bool aws_error_summary(const char *body, char *out, size_t n);

#endif

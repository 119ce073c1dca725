/* AWS SQS texts: the queue URL's parts, the SendMessage request body and the reading of its
 * answer. Pure: signing and sending are libcurl's, in src/delivery/sqs.c. */
#include "aws.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool sqs_queue_is_fifo(const char *queue_url)
{
    size_t path_end = strcspn(queue_url, "?#");
    return path_end >= 5 && strncmp(queue_url + path_end - 5, ".fifo", 5) == 0;
}

char *sqs_send_message_request(const char *queue_url, const char *message, const char *group_id,
                               const char *deduplication_id)
{
    json_t *req = json_pack("{s:s, s:s}", "QueueUrl", queue_url, "MessageBody", message);
    if (group_id)
        json_object_set_new(req, "MessageGroupId", json_string(group_id));
    if (deduplication_id)
        json_object_set_new(req, "MessageDeduplicationId", json_string(deduplication_id));
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return text;
}

bool sqs_endpoint(const char *queue_url, char *out, size_t n)
{
    const char *scheme_end = strstr(queue_url, "://");
    if (!scheme_end)
        return false;
    size_t host_end = (size_t)(scheme_end + 3 - queue_url) + strcspn(scheme_end + 3, "/?#");
    int w = snprintf(out, n, "%.*s/", (int)host_end, queue_url);
    return w > 0 && (size_t)w < n;
}

bool sqs_answer_has_message_id(const char *body)
{
    json_t *doc = json_loads(body, 0, NULL);
    bool ok = json_is_string(json_object_get(doc, "MessageId"));
    json_decref(doc);
    /* the Query (XML) protocol answers <MessageId>…</MessageId> */
    return ok || strstr(body, "<MessageId>") != NULL;
}

/* Copies the text between <tag> and </tag>; false when absent. */
static bool xml_text(const char *body, const char *tag, char *out, size_t n)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *start = strstr(body, open);
    const char *end = start ? strstr(start, close) : NULL;
    if (!end)
        return false;
    start += strlen(open);
    snprintf(out, n, "%.*s", (int)(end - start), start);
    return true;
}

bool aws_error_summary(const char *body, char *out, size_t n)
{
    char code[256] = "", message[768] = "";
    json_t *doc = json_loads(body, 0, NULL);
    const char *type = json_string_value(json_object_get(doc, "__type"));
    if (type) {
        const char *hash = strrchr(type, '#');
        snprintf(code, sizeof code, "%s", hash ? hash + 1 : type);
        const char *m = json_string_value(json_object_get(doc, "message"));
        if (!m)
            m = json_string_value(json_object_get(doc, "Message"));
        snprintf(message, sizeof message, "%s", m ? m : "");
    } else if (xml_text(body, "Code", code, sizeof code)) {
        xml_text(body, "Message", message, sizeof message);
    }
    json_decref(doc);
    if (!code[0])
        return false;
    if (message[0])
        snprintf(out, n, "%s: %s", code, message);
    else
        snprintf(out, n, "%s", code);
    return true;
}

/* What a delivery sends: the webhook body, the CloudEvents message of SQS and STOMP, and
 * sample payloads for emitted events. Pure. */
#include "payload.h"

#include <stdlib.h>
#include <string.h>

#include "timestamp.h"
#include "utf8.h"

bool trigger_is_deletion(const char *trigger)
{
    const char *dot = strrchr(trigger, '.');
    return dot && strcmp(dot + 1, "deleted") == 0;
}

char *webhook_body(const delivery_job *job)
{
    /* resources: the payload serialised as a string, except for deletions (the object itself) */
    json_t *resources;
    if (trigger_is_deletion(job->trigger)) {
        resources = json_incref(job->payload);
    } else {
        char *text = json_dumps(job->payload, JSON_COMPACT);
        resources = json_string(text ? text : "null");
        free(text);
    }
    const integration *it = &job->it;
    json_t *body = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s, s:s?}, s:o, s:O, s:O, s:s}",
                             "id", job->id, "triggered_by", job->trigger, "attempt", job->attempt,
                             "integration", "id", it->id, "integration_type", integration_type_name(it->type),
                             "name", it->name, "description", it->description,
                             "resources", resources, "payload", job->payload, "configuration", job->configuration,
                             "store_id", job->store_id);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

char *cloudevent_body(const delivery_job *job, const char *source)
{
    char time[TIMESTAMP_LEN];
    timestamp_format(job->event_created_ms, time);
    /* data: the resource itself, i.e. payload.data, or {"type","id"} for deletions */
    json_t *data = json_object_get(job->payload, "data");
    if (trigger_is_deletion(job->trigger) || !data)
        data = job->payload;
    json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "specversion", "1.0", "id", job->id,
                              "type", job->trigger, "source", source, "time", time, "datacontenttype",
                              "application/json", "integrationid", job->it.id, "storeid", job->store_id, "data", data);
    char *text = json_dumps(event, JSON_COMPACT);
    json_decref(event);
    return text;
}

/* Typical attributes of each resource type, so a sample looks like the real thing. */
static json_t *sample_attributes(const char *type)
{
    if (strcmp(type, "order") == 0)
        return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:{s:{s:i, s:s, s:b}}}}", "status", "complete",
                         "payment", "paid", "shipping", "fulfilled", "customer", "name", "Ron Swanson", "email",
                         "ron@swanson.com", "meta", "display_price", "with_tax", "amount", 10000, "currency", "USD",
                         "includes_tax", 1);
    if (strcmp(type, "cart") == 0)
        return json_pack("{s:s, s:s}", "name", "Cart", "description", "A sample cart");
    if (strcmp(type, "customer") == 0)
        return json_pack("{s:s, s:s}", "name", "Ron Swanson", "email", "ron@swanson.com");
    if (strcmp(type, "product") == 0)
        return json_pack("{s:{s:s, s:s, s:s, s:s}}", "attributes", "name", "Sample product", "sku", "SAMPLE-001",
                         "slug", "sample-product", "status", "live");
    if (strcmp(type, "transaction") == 0)
        return json_pack("{s:s, s:s, s:s, s:i, s:s}", "transaction-type", "purchase", "gateway", "manual", "status",
                         "complete", "amount", 10000, "currency", "USD");
    if (strcmp(type, "file") == 0)
        return json_pack("{s:s, s:s, s:i}", "file_name", "sample.png", "mime_type", "image/png", "file_size", 1024);
    if (strcmp(type, "currency") == 0)
        return json_pack("{s:s, s:f, s:s, s:b}", "code", "USD", "exchange_rate", 1.0, "format", "${price}", "default",
                         1);
    if (strcmp(type, "account") == 0 || strcmp(type, "brand") == 0 || strcmp(type, "category") == 0 ||
        strcmp(type, "collection") == 0 || strcmp(type, "integration") == 0)
        return json_pack("{s:s, s:s}", "name", "Sample", "description", "A sample resource");
    return json_object();
}

json_t *sample_payload(const char *trigger, const char *id)
{
    const char *dot = strrchr(trigger, '.');
    size_t type_len = dot ? (size_t)(dot - trigger) : strlen(trigger);
    char type[EVENT_KEY_MAX];
    if (type_len >= sizeof type)
        type_len = sizeof type - 1;
    memcpy(type, trigger, type_len);
    type[type_len] = '\0';
    if (trigger_is_deletion(trigger))
        return json_pack("{s:s, s:s}", "type", type, "id", id);
    json_t *data = json_pack("{s:s, s:s}", "type", type, "id", id);
    json_t *attributes = sample_attributes(type);
    json_object_update(data, attributes);
    json_decref(attributes);
    return json_pack("{s:o}", "data", data);
}

char *utf8_clean(const char *in, size_t len, size_t max)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    char *out = malloc(max + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < len;) {
        size_t seq = utf8_sequence(s + i, len - i);
        const char *src = seq ? in + i : replacement;
        size_t out_len = seq ? seq : 3;
        if (s[i] == 0) { /* a NUL byte would end the string early: replace it too */
            src = replacement;
            out_len = 3;
        }
        if (o + out_len > max)
            break;
        memcpy(out + o, src, out_len);
        o += out_len;
        i += seq ? seq : 1;
    }
    out[o] = '\0';
    return out;
}

/* Webhook transport (spec §7.1): one POST of the webhook body to configuration.url. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "http_post.h"
#include "signature.h"
#include "transport.h"

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
    char *line = NULL;
    if (asprintf(&line, "%s: %s", name, value) < 0)
        return list;
    struct curl_slist *grown = curl_lib.slist_append(list, line); /* copies line */
    free(line);
    return grown ? grown : list;
}

static struct curl_slist *request_headers(const delivery_job *job, const delivery_settings *s, const char *body)
{
    struct curl_slist *h = NULL;
    h = add_header(h, "Content-Type", "application/json");
    h = add_header(h, "X-MOLTIN-INTEGRATION-TRIGGER", job->trigger);
    h = add_header(h, "User-Agent", "integrationsd/" INTEGRATIONSD_VERSION);
    h = curl_lib.slist_append(h, "Expect:"); /* no 100-continue round trip */
    const char *secret = job_config(job, "secret_key");
    if (secret)
        h = add_header(h, "X-MOLTIN-SECRET-KEY", secret);
    char signature[SIGNATURE_MAX];
    long long now = (long long)time(NULL);
    if (s->sign_webhooks && secret && standard_webhooks_sign(secret, job->id, now, body, signature)) {
        char ts[32];
        snprintf(ts, sizeof ts, "%lld", now);
        h = add_header(h, "webhook-id", job->id);
        h = add_header(h, "webhook-timestamp", ts);
        h = add_header(h, "webhook-signature", signature);
    }
    return h;
}

bool webhook_deliver(transport_ctx *t, const delivery_job *job, attempt_result *r)
{
    char *body = webhook_body(job);
    if (!body) {
        snprintf(r->error_detail, sizeof r->error_detail, "Out of memory before sending the webhook");
        return true;
    }
    http_post_request rq = {
        .url = job_config(job, "url"),
        .headers = request_headers(job, t->s, body),
        .body = body,
    };
    bool answered;
    bool completed = http_post(t, &rq, r, &answered);
    if (answered) {
        r->succeeded = r->status_code >= 200 && r->status_code < 300;
        if (!r->succeeded)
            snprintf(r->error_detail, sizeof r->error_detail,
                     "Received a status code outside of 2xx range - treating webhook as a fail");
    }
    curl_lib.slist_free_all(rq.headers);
    free(body);
    return completed;
}

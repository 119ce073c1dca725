/* Webhook transport (spec §7.1): one POST with libcurl, redirects not followed. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "signature.h"
#include "transport.h"

typedef struct capture {
    char data[RESPONSE_BODY_MAX + 4]; /* a few bytes more, so a cut character can be seen whole */
    size_t len;
} capture;

/* Keeps the first bytes of the response; the rest is read and dropped. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    capture *c = userdata;
    size_t n = size * nmemb, room = sizeof c->data - c->len;
    memcpy(c->data + c->len, ptr, n < room ? n : room);
    c->len += n < room ? n : room;
    return n;
}

static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load((const atomic_bool *)clientp) ? 1 : 0; /* non-zero aborts the transfer */
}

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
    char line[1024];
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *grown = curl_slist_append(list, line);
    return grown ? grown : list;
}

static struct curl_slist *request_headers(const delivery_job *job, const delivery_settings *s, const char *body)
{
    struct curl_slist *h = NULL;
    h = add_header(h, "Content-Type", "application/json");
    h = add_header(h, "X-MOLTIN-INTEGRATION-TRIGGER", job->trigger);
    h = add_header(h, "User-Agent", "integrationsd/" INTEGRATIONSD_VERSION);
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    const char *secret = json_string_value(json_object_get(job->it.configuration, "secret_key"));
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

bool webhook_deliver(const delivery_job *job, const delivery_settings *s, const atomic_bool *stopping,
                     attempt_result *r)
{
    char *body = webhook_body(job);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    capture *cap = calloc(1, sizeof *cap);
    char errbuf[CURL_ERROR_SIZE] = "";
    bool completed = true;
    if (!body || !curl || !cap) {
        snprintf(r->error_detail, sizeof r->error_detail, "Out of memory before sending the webhook");
        goto out;
    }
    headers = request_headers(job, s, body);
    long timeout_ms = (long)(s->timeout * 1000);
    curl_easy_setopt(curl, CURLOPT_URL, json_string_value(json_object_get(job->it.configuration, "url")));
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, cap);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)stopping);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

    CURLcode rc = curl_easy_perform(curl);
    double total = 0;
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &total);
    r->processing_time = total;
    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        r->status_code = (int)status;
        r->body = utf8_clean(cap->data, cap->len, RESPONSE_BODY_MAX);
        r->succeeded = status >= 200 && status < 300;
        if (!r->succeeded)
            snprintf(r->error_detail, sizeof r->error_detail,
                     "Received a status code outside of 2xx range - treating webhook as a fail");
    } else if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(stopping)) {
        completed = false;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(r->error_detail, sizeof r->error_detail, "Request timed out after %gs", s->timeout);
    } else {
        snprintf(r->error_detail, sizeof r->error_detail, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
out:
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(cap);
    free(body);
    return completed;
}

/* One HTTP POST of a delivery attempt with libcurl, for the webhook and SQS transports: a
 * handle reused per worker, the peer's answer kept as an attempt_result. Decides nothing about
 * retries (the runner and the model do). */
#include "http_post.h"

#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What went over the wire: the request's header block as libcurl sent it (SigV4's Authorization
 * included), the answer's headers and the first bytes of its body. */
typedef struct capture {
    char data[WIRE_BODY_MAX + 4]; /* a few bytes more, so a cut character can be seen whole */
    size_t len;
    size_t seen;                  /* of the body, all of it */
    char sent[16384];             /* the request's header block */
    size_t sent_len;
    char got[16384];              /* the answer's header lines (after a 100 Continue, the final one's) */
    size_t got_len;
} capture;

/* Keeps the first bytes of the response; the rest is read and dropped. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    capture *c = userdata;
    size_t n = size * nmemb, room = sizeof c->data - c->len;
    size_t take = n < room ? n : room;
    memcpy(c->data + c->len, ptr, take);
    c->len += take;
    c->seen += n;
    return n;
}

/* Keeps the answer's header lines as they come (read into an object once, after the answer). */
static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
    capture *c = userdata;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) /* a new answer begins */
        c->got_len = 0;
    else if (n <= sizeof c->got - c->got_len) {
        memcpy(c->got + c->got_len, line, n);
        c->got_len += n;
    }
    return n;
}

static int on_debug(CURL *curl, curl_infotype type, char *data, size_t size, void *userdata)
{
    (void)curl;
    capture *c = userdata;
    if (type == CURLINFO_HEADER_OUT && size <= sizeof c->sent - c->sent_len) {
        memcpy(c->sent + c->sent_len, data, size);
        c->sent_len += size;
    }
    return 0;
}

static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load((const atomic_bool *)clientp) ? 1 : 0; /* non-zero aborts the transfer */
}

bool http_post(transport_ctx *t, const http_post_request *rq, attempt_result *r, bool *answered)
{
    *answered = false;
    const delivery_settings *s = t->s;
    CURL *curl = t->curl;
    capture *cap = malloc(sizeof *cap);
    char errbuf[CURL_ERROR_SIZE] = "";
    bool completed = true;
    if (!cap) {
        snprintf(r->error_detail, sizeof r->error_detail, "Out of memory before sending");
        goto out;
    }
    cap->len = cap->seen = cap->sent_len = cap->got_len = 0;
    /* every option of the last attempt goes; its open connections stay for the next */
    curl_lib.easy_reset(curl);
    long timeout_ms = (long)(s->timeout * 1000);
    curl_lib.easy_setopt(curl, CURLOPT_URL, rq->url);
    curl_lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_lib.easy_setopt(curl, CURLOPT_POSTFIELDS, rq->body);
    curl_lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
    curl_lib.easy_setopt(curl, CURLOPT_HTTPHEADER, rq->headers);
    curl_lib.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_lib.easy_setopt(curl, CURLOPT_WRITEDATA, cap);
    curl_lib.easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_lib.easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_lib.easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)t->stopping);
    curl_lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_lib.easy_setopt(curl, CURLOPT_HEADERDATA, cap);
    curl_lib.easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_lib.easy_setopt(curl, CURLOPT_DEBUGDATA, cap);
    curl_lib.easy_setopt(curl, CURLOPT_VERBOSE, 1L); /* what makes libcurl call on_debug */
    if (rq->aws_sigv4) {
        curl_lib.easy_setopt(curl, CURLOPT_AWS_SIGV4, rq->aws_sigv4);
        curl_lib.easy_setopt(curl, CURLOPT_USERNAME, rq->user);
        curl_lib.easy_setopt(curl, CURLOPT_PASSWORD, rq->password);
    }

    CURLcode rc = curl_lib.easy_perform(curl);
    double total = 0;
    curl_lib.easy_getinfo(curl, CURLINFO_TOTAL_TIME, &total);
    r->processing_time = total;
    if (cap->sent_len > 0) { /* the request went out (at least its headers) */
        char method[16];
        json_t *sent = wire_http_headers(cap->sent, cap->sent_len, method, sizeof method);
        r->wire_request = wire_request(method[0] ? method : "POST", rq->url, sent, rq->body, strlen(rq->body));
    }
    if (rc == CURLE_OK) {
        long status = 0;
        curl_lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        r->status_code = (int)status;
        r->body = utf8_clean(cap->data, cap->len, RESPONSE_BODY_MAX);
        r->wire_response =
            wire_response((int)status, wire_http_headers(cap->got, cap->got_len, NULL, 0), cap->data, cap->seen);
        *answered = true;
    } else if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(t->stopping)) {
        completed = false;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(r->error_detail, sizeof r->error_detail, "Request timed out after %gs", s->timeout);
    } else {
        snprintf(r->error_detail, sizeof r->error_detail, "%s", errbuf[0] ? errbuf : curl_lib.easy_strerror(rc));
    }
out:
    free(cap);
    return completed;
}

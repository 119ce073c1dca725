/* Owns the access log's buffer, its lock and the thread that writes it to standard output. */
#include "access_log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timestamp.h"
#include "worker_thread.h"

#define LOG_FLUSH_MS 100
#define LOG_BUFFER (64 * 1024)

static struct {
    worker_thread thread; /* its lock guards buf */
    char buf[LOG_BUFFER];
    size_t len;
    bool json;
    atomic_bool on;
} out;

/* Writes everything to fd 1 (the lock held: lines stay whole and in order). */
static void write_out(void)
{
    for (size_t done = 0; done < out.len;) {
        ssize_t n = write(STDOUT_FILENO, out.buf + done, out.len - done);
        if (n <= 0)
            break; /* a closed console: the lines are dropped, the server goes on */
        done += (size_t)n;
    }
    out.len = 0;
}

static void *flusher(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&out.thread.mu);
    while (!out.thread.stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += LOG_FLUSH_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&out.thread.wake, &out.thread.mu, &until);
        write_out();
    }
    write_out();
    pthread_mutex_unlock(&out.thread.mu);
    return NULL;
}

void access_log_start(bool json)
{
    worker_thread_init(&out.thread);
    out.json = json;
    if (worker_thread_start(&out.thread, flusher, NULL))
        atomic_store(&out.on, true);
}

void access_log_stop(void)
{
    if (!atomic_exchange(&out.on, false))
        return;
    worker_thread_stop(&out.thread);
}

/* Adds one line (the text of len bytes, newline included). */
static void add_line(const char *line, size_t len)
{
    pthread_mutex_lock(&out.thread.mu);
    if (out.len + len > sizeof out.buf)
        write_out(); /* full: this one caller writes, a rare wait */
    if (len <= sizeof out.buf) {
        memcpy(out.buf + out.len, line, len);
        out.len += len;
    }
    pthread_mutex_unlock(&out.thread.mu);
}

/* Adds a JSON object as one line (stolen). */
static void add_json(json_t *line)
{
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n'; /* the NUL goes: the length says where the line ends */
        add_line(text, n + 1);
    }
    free(text);
    json_decref(line);
}

void access_log_request(const char *method, const char *path, int status, double duration_ms, const char *request_id,
                        const char *store_id)
{
    if (!atomic_load(&out.on))
        return;
    char now[TIMESTAMP_LEN];
    timestamp_format(now_ms(), now);
    if (out.json) {
        add_json(json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:s?}", "time", now, "method", method, "path", path,
                           "status", status, "duration_ms", duration_ms, "request_id", request_id, "store",
                           store_id));
        return;
    }
    char line[512];
    int n = snprintf(line, sizeof line, "%s %s %.300s %d %.1fms request=%s%s%s\n", now, method, path, status,
                     duration_ms, request_id, store_id ? " store=" : "", store_id ? store_id : "");
    add_line(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

void access_log_attempt(const char *trigger, const char *integration_id, const char *transport, int attempt,
                        bool succeeded, const char *detail)
{
    if (!atomic_load(&out.on))
        return;
    char now[TIMESTAMP_LEN];
    timestamp_format(now_ms(), now);
    if (out.json) {
        add_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "time", now, "event", "delivery", "trigger",
                           trigger, "integration", integration_id, "transport", transport, "attempt", attempt,
                           "outcome", succeeded ? "succeeded" : "failed", "detail", detail));
        return;
    }
    char line[768];
    int n = snprintf(line, sizeof line, "%s delivery %s integration=%s %s attempt=%d %s%s%.300s\n", now, trigger,
                     integration_id, transport, attempt, succeeded ? "succeeded" : "failed", succeeded ? "" : ": ",
                     succeeded ? "" : detail);
    add_line(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

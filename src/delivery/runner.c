/* Workers claim due jobs from the database, so every decision survives a crash: a job is
 * pending until an attempt succeeds or the schedule runs out, and its attempt counter is
 * raised before sending, so a restart never repeats an attempt number.
 *
 * Nothing of this runs until a job is due: libcurl, OpenSSL and the worker threads start with
 * the first job (a server that only answers the API never pays for them). */
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "delivery.h"
#include "retry.h"
#include "timestamp.h"
#include "access_log.h"
#include "curl_lib.h"
#include "transport.h"

#define IDLE_WAKE_MS 60000 /* re-check now and then even when nothing is known to be due */


struct delivery {
    db *db;
    delivery_settings s;
    unsigned workers;
    stomp_tls *tls;
    pthread_t *threads;
    unsigned started;      /* threads running */
    bool engine_started;   /* the engine was started (under mu) */
    bool curl_loaded;      /* libcurl is loaded and initialised */
    pthread_mutex_t mu;
    pthread_cond_t wake;   /* new jobs, or a rescheduled one */
    unsigned long wakeups; /* changes under mu each time wake is signalled */
    atomic_bool stopping;
};

static void *worker(void *arg);

/* Starts libcurl and the workers; called under dl->mu. false after printing why. */
static bool start_engine(delivery *dl)
{
    if (dl->engine_started)
        return true;
    dl->engine_started = true;
    char err[256];
    if (!curl_lib_load(err, sizeof err)) {
        fprintf(stderr, "integrationsd: %s: deliveries are stopped\n", err);
        return false;
    }
    dl->curl_loaded = true;
    for (unsigned i = 0; i < dl->workers; i++) {
        if (pthread_create(&dl->threads[i], NULL, worker, dl) != 0) {
            fprintf(stderr, "integrationsd: cannot start delivery worker %u\n", i);
            break;
        }
        dl->started++;
    }
    return dl->started > 0;
}

static void wake_workers(void *ctx)
{
    delivery *dl = ctx;
    pthread_mutex_lock(&dl->mu);
    if (!atomic_load(&dl->stopping))
        start_engine(dl);
    dl->wakeups++;
    pthread_cond_broadcast(&dl->wake);
    pthread_mutex_unlock(&dl->mu);
}

/* One attempt through the integration's transport. false = interrupted by shutdown. */
static bool run_transport(transport_ctx *t, const delivery_job *job, attempt_result *r)
{
    switch (job->it.type) {
    case INTEGRATION_WEBHOOK:
        r->transport = "webhook";
        return webhook_deliver(t, job, r);
    case INTEGRATION_AWS_SQS:
        r->transport = "sqs";
        return sqs_deliver(t, job, r);
    case INTEGRATION_STOMP:
        r->transport = "stomp";
        return stomp_deliver(t, job, r);
    default:
        snprintf(r->error_detail, sizeof r->error_detail, "Unknown integration type");
        return true;
    }
}

/* One attempt of job; its outcome is written with the worker's next claim. */
static void attempt(delivery *dl, transport_ctx *t, const delivery_job *job, attempt_result *r, int64_t *next_at)
{
    r->started_ms = now_ms();
    if (!run_transport(t, job, r)) {
        /* Shutdown cut the attempt short: it may have reached the peer, so it counts and is
         * logged like any failed attempt; the next one follows the schedule after the restart. */
        snprintf(r->error_detail, sizeof r->error_detail, "Attempt interrupted: the server was shutting down");
        r->status_code = 0;
        free(r->body);
        r->body = NULL;
    }
    /* peers' words (ERROR headers, TLS and socket errors) go into JSON: keep them valid UTF-8 */
    char *detail = utf8_clean(r->error_detail, strlen(r->error_detail), sizeof r->error_detail - 1);
    if (detail) {
        memcpy(r->error_detail, detail, strlen(detail) + 1);
        free(detail);
    }
    r->ended_ms = now_ms();
    access_log_attempt(job->trigger, job->it.id, r->transport ? r->transport : "", job->attempt, r->succeeded,
                       r->error_detail);
    *next_at = retry_next_attempt(dl->s.schedule, dl->s.attempts, job->attempt, r->succeeded, r->ended_ms);
}

static void wait_until(delivery *dl, unsigned long seen, int64_t due_ms)
{
    int64_t now = now_ms();
    if (due_ms < 0 || due_ms - now > IDLE_WAKE_MS)
        due_ms = now + IDLE_WAKE_MS;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    int64_t wait_ms = due_ms - now;
    deadline.tv_sec += wait_ms / 1000;
    deadline.tv_nsec += (wait_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&dl->mu);
    while (!atomic_load(&dl->stopping) && dl->wakeups == seen)
        if (pthread_cond_timedwait(&dl->wake, &dl->mu, &deadline) != 0)
            break;
    pthread_mutex_unlock(&dl->mu);
}

static void *worker(void *arg)
{
    delivery *dl = arg;
    /* Deliveries yield the processor to API requests: a worker runs at the lowest priority (nice
     * 19; Linux: per thread). It still wakes at once for a new job (the idle scheduling class,
     * tried, would leave a job waiting whenever both cores are busy, and reorder deliveries). */
    setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
    transport_ctx t = {.s = &dl->s, .stopping = &dl->stopping, .curl = curl_lib.easy_init(), .tls = dl->tls};
    if (!t.curl) {
        fprintf(stderr, "integrationsd: a delivery worker cannot start libcurl\n");
        return NULL;
    }
    delivery_job job = {0}, next = {0};
    attempt_result result = {0};
    job_outcome outcome = {.job = &job, .result = &result};
    bool unwritten = false; /* an attempt made whose outcome is not stored yet */
    while (!atomic_load(&dl->stopping)) {
        pthread_mutex_lock(&dl->mu);
        unsigned long seen = dl->wakeups;
        pthread_mutex_unlock(&dl->mu);

        /* the outcome of the last attempt and the next claim: one transaction */
        int64_t next_due = -1;
        db_status st = db_job_next(dl->db, unwritten ? &outcome : NULL, now_ms(), &next, &next_due);
        if (st != DB_ERROR && unwritten) {
            /* idle workers may be waiting for this integration to be free, or sleeping past the
             * job's new due time */
            wake_workers(dl);
            delivery_job_clear(&job);
            attempt_result_clear(&result);
            unwritten = false;
        }
        if (st == DB_OK) {
            job = next;
            next = (delivery_job){0};
            attempt(dl, &t, &job, &result, &outcome.next_attempt_at);
            unwritten = true;
            continue;
        }
        if (st == DB_ERROR)
            next_due = now_ms() + 1000; /* storage trouble: back off, then try again */
        wait_until(dl, seen, next_due);
    }
    if (unwritten) /* shutdown: the last outcome is stored, nothing more is claimed */
        db_job_next(dl->db, &outcome, -1, NULL, NULL);
    delivery_job_clear(&job);
    attempt_result_clear(&result);
    curl_lib.easy_cleanup(t.curl);
    return NULL;
}

delivery *delivery_start(db *d, const delivery_settings *s, unsigned workers)
{
    delivery *dl = calloc(1, sizeof *dl);
    if (!dl)
        return NULL;
    dl->db = d;
    dl->s = *s;
    dl->workers = workers;
    atomic_init(&dl->stopping, false);
    pthread_mutex_init(&dl->mu, NULL);
    pthread_cond_init(&dl->wake, NULL);
    dl->threads = calloc(workers, sizeof *dl->threads);
    dl->tls = stomp_tls_new(s->stomp_ca_file);
    int64_t next_due = -1;
    if (!dl->threads || !dl->tls || db_jobs_recover(d, s->attempts, now_ms()) != DB_OK ||
        db_job_next_due(d, &next_due) != DB_OK) {
        delivery_stop(dl);
        return NULL;
    }
    db_set_job_listener(d, wake_workers, dl, (int64_t)(s->schedule[0] * 1000));
    if (next_due >= 0) /* jobs left by an earlier run */
        wake_workers(dl);
    return dl;
}

void delivery_stop(delivery *dl)
{
    if (!dl)
        return;
    db_set_job_listener(dl->db, NULL, NULL, 0); /* no new engine from a late commit */
    pthread_mutex_lock(&dl->mu);
    atomic_store(&dl->stopping, true);
    pthread_cond_broadcast(&dl->wake);
    pthread_mutex_unlock(&dl->mu);
    for (unsigned i = 0; i < dl->started; i++)
        pthread_join(dl->threads[i], NULL);
    if (dl->curl_loaded)
        curl_lib_unload();
    pthread_cond_destroy(&dl->wake);
    pthread_mutex_destroy(&dl->mu);
    stomp_tls_free(dl->tls);
    free(dl->threads);
    free(dl);
}

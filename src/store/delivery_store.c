/* Jobs and delivery logs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "timestamp.h"

db_status db_log_list(db *d, const log_filter *f, long limit, long offset, job_log_visitor visit, void *ctx,
                      long *total)
{
    statement count_stmt = STMT_LOG_COUNT_STORE, list_stmt = STMT_LOG_LIST_STORE;
    if (f->job_id) {
        count_stmt = STMT_LOG_COUNT_JOB;
        list_stmt = STMT_LOG_LIST_JOB;
    } else if (f->integration_id) {
        count_stmt = STMT_LOG_COUNT_INTEGRATION;
        list_stmt = STMT_LOG_LIST_INTEGRATION;
    }
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, count_stmt);
    db_bind_text(st, 1, f->store_id);
    if (f->integration_id)
        db_bind_text(st, 2, f->integration_id);
    if (f->job_id)
        db_bind_text(st, 3, f->job_id);
    db_status result = db_count(d, st, total);
    if (result == DB_OK) {
        st = db_stmt(d, list_stmt);
        db_bind_text(st, 1, f->store_id);
        if (f->integration_id)
            db_bind_text(st, 2, f->integration_id);
        if (f->job_id)
            db_bind_text(st, 3, f->job_id);
        sqlite3_bind_int64(st, 4, limit);
        sqlite3_bind_int64(st, 5, offset);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            job_log log = {0};
            db_column_id(st, 0, log.id);
            db_column_id(st, 1, log.job_id);
            db_column_id(st, 2, log.integration_id);
            log.attempt = sqlite3_column_int(st, 3);
            log.succeeded = sqlite3_column_int(st, 4) != 0;
            log.processing_time = sqlite3_column_double(st, 5);
            const unsigned char *body = sqlite3_column_text(st, 6);
            log.body = body ? (const char *)body : "";
            log.status_code = sqlite3_column_type(st, 7) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 7);
            const unsigned char *detail = sqlite3_column_text(st, 8);
            log.error_detail = detail ? (const char *)detail : "";
            log.created_at_ms = sqlite3_column_int64(st, 9);
            visit(&log, ctx);
        }
        if (rc != SQLITE_DONE) {
            db_report(d, "list logs");
            result = DB_ERROR;
        }
        sqlite3_reset(st);
    }
    db_unlock(d);
    return result;
}

db_status db_job_list(db *d, const char *store_id, const char *integration_id, long limit, long offset,
                      json_t *data, long *total)
{
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, STMT_JOB_COUNT);
    db_bind_text(st, 1, store_id);
    db_bind_text(st, 2, integration_id);
    db_status result = db_count(d, st, total);
    if (result == DB_OK) {
        st = db_stmt(d, STMT_JOB_LIST);
        db_bind_text(st, 1, store_id);
        db_bind_text(st, 2, integration_id);
        sqlite3_bind_int64(st, 3, limit);
        sqlite3_bind_int64(st, 4, offset);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            json_array_append_new(data, json_pack("{s:s, s:s}", "id", (const char *)sqlite3_column_text(st, 0),
                                                  "type", "integration-job"));
        if (rc != SQLITE_DONE) {
            db_report(d, "list jobs");
            result = DB_ERROR;
        }
        sqlite3_reset(st);
    }
    db_unlock(d);
    return result;
}

db_status db_job_exists(db *d, const char *store_id, const char *integration_id, const char *job_id)
{
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, STMT_JOB_EXISTS);
    db_bind_text(st, 1, job_id);
    db_bind_text(st, 2, store_id);
    db_bind_text(st, 3, integration_id);
    int rc = sqlite3_step(st);
    db_status result = rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOT_FOUND : DB_ERROR;
    sqlite3_reset(st);
    db_unlock(d);
    return result;
}

/* ---- events and the job runner ----------------------------------------------------------- */

db_status db_emit_locked(db *d, const char *store_id, const char *trigger, const char *payload,
                         const char *event_id, json_t *jobs, size_t *created)
{
    *created = 0;
    int64_t now = now_ms();
    /* Which integrations observe it: collected first, the statement is reused below. */
    char (*observers)[UUID_STR_LEN] = NULL;
    size_t n = 0, cap = 0;
    db_status result = DB_OK;
    sqlite3_stmt *st = db_stmt(d, STMT_OBSERVERS);
    db_bind_text(st, 1, store_id);
    db_bind_text(st, 2, trigger);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            void *grown = realloc(observers, cap * sizeof *observers);
            if (!grown) {
                result = DB_ERROR;
                break;
            }
            observers = grown;
        }
        db_column_id(st, 0, observers[n++]);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = DB_ERROR;
    sqlite3_reset(st);
    if (result != DB_OK || n == 0) /* an event that nobody observes is not kept */
        goto out;

    st = db_stmt(d, STMT_EVENT_INSERT);
    db_bind_text(st, 1, event_id);
    db_bind_text(st, 2, store_id);
    db_bind_text(st, 3, trigger);
    db_bind_text(st, 4, payload);
    sqlite3_bind_int64(st, 5, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        result = DB_ERROR;
    sqlite3_reset(st);
    for (size_t i = 0; i < n && result == DB_OK; i++) {
        char job_id[UUID_STR_LEN];
        id_new(job_id);
        st = db_stmt(d, STMT_JOB_INSERT);
        db_bind_text(st, 1, job_id);
        db_bind_text(st, 2, event_id);
        db_bind_text(st, 3, observers[i]);
        db_bind_text(st, 4, store_id);
        sqlite3_bind_int64(st, 5, now + d->first_attempt_delay_ms);
        if (sqlite3_step(st) != SQLITE_DONE)
            result = DB_ERROR;
        sqlite3_reset(st);
        if (jobs)
            json_array_append_new(jobs, json_pack("{s:s, s:s, s:s}", "type", "integration-job", "id", job_id,
                                                  "integration_id", observers[i]));
    }
    if (result == DB_OK)
        *created = n;
out:
    if (result != DB_OK)
        db_report(d, "record event");
    free(observers);
    return result;
}

db_status db_cancel_jobs_locked(db *d, const char *integration_id)
{
    sqlite3_stmt *st = db_stmt(d, STMT_JOBS_CANCEL);
    db_bind_text(st, 1, integration_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        db_report(d, "cancel jobs");
        return DB_ERROR;
    }
    return DB_OK;
}

db_status db_event_emit(db *d, const char *store_id, const char *trigger, const char *payload, const char *event_id,
                        json_t *jobs)
{
    size_t created = 0;
    db_lock(d);
    db_status result = db_exec_stmt(d, STMT_BEGIN);
    if (result == DB_OK)
        result = db_finish(d, db_emit_locked(d, store_id, trigger, payload, event_id, jobs, &created));
    db_unlock(d);
    db_announce_jobs(d, result == DB_OK ? created : 0);
    return result;
}

db_status db_jobs_recover(db *d, size_t max_attempts, int64_t now)
{
    db_lock(d);
    db_status result = db_exec_stmt(d, STMT_BEGIN);
    if (result != DB_OK)
        goto out;
    sqlite3_stmt *st = db_stmt(d, STMT_JOBS_RUNNING);
    int rc;
    while (result == DB_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char log_id[UUID_STR_LEN];
        id_new(log_id);
        int attempts = sqlite3_column_int(st, 3);
        sqlite3_stmt *log = db_stmt(d, STMT_LOG_INSERT);
        db_bind_text(log, 1, log_id);
        sqlite3_bind_value(log, 2, sqlite3_column_value(st, 0));
        sqlite3_bind_value(log, 3, sqlite3_column_value(st, 1));
        sqlite3_bind_value(log, 4, sqlite3_column_value(st, 2));
        sqlite3_bind_int(log, 5, attempts);
        sqlite3_bind_int(log, 6, 0);
        sqlite3_bind_double(log, 7, 0);
        db_bind_text(log, 8, "");
        db_bind_text(log, 10, "The server stopped during this attempt (crash or kill); its outcome is unknown");
        sqlite3_bind_int64(log, 11, now);
        if (sqlite3_step(log) != SQLITE_DONE)
            result = DB_ERROR;
        sqlite3_reset(log);
    }
    sqlite3_reset(st);
    if (result == DB_OK) {
        st = db_stmt(d, STMT_JOBS_RECOVER);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)max_attempts);
        sqlite3_bind_int64(st, 2, now);
        if (sqlite3_step(st) != SQLITE_DONE)
            result = DB_ERROR;
        sqlite3_reset(st);
    }
    if (result != DB_OK)
        db_report(d, "recover jobs");
    db_finish(d, result);
out:
    db_unlock(d);
    return result;
}

/* Reads the next due job into job (without its integration). Caller holds the lock. */
static db_status next_due_job(db *d, int64_t now, delivery_job *job, char integration_id[UUID_STR_LEN])
{
    sqlite3_stmt *st = db_stmt(d, STMT_JOB_DUE);
    sqlite3_bind_int64(st, 1, now);
    int rc = sqlite3_step(st);
    db_status result = rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOT_FOUND : DB_ERROR;
    if (result == DB_OK) {
        db_column_id(st, 0, job->id);
        job->attempt = sqlite3_column_int(st, 1) + 1;
        db_column_id(st, 2, job->store_id);
        db_column_id(st, 3, integration_id);
        const char *trigger = (const char *)sqlite3_column_text(st, 4);
        snprintf(job->trigger, sizeof job->trigger, "%s", trigger ? trigger : "");
        const char *payload = (const char *)sqlite3_column_text(st, 5);
        job->payload = payload ? json_loads(payload, 0, NULL) : NULL;
        if (!job->payload)
            job->payload = json_object();
        job->event_created_ms = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    return result;
}

static db_status run_on_job(db *d, statement s, const char *job_id)
{
    sqlite3_stmt *st = db_stmt(d, s);
    db_bind_text(st, 1, job_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DB_OK : DB_ERROR;
}

db_status db_job_claim(db *d, int64_t now, delivery_job *job, int64_t *next_due)
{
    db_status result;
    *next_due = -1;
    db_lock(d);
    for (;;) {
        char integration_id[UUID_STR_LEN];
        memset(job, 0, sizeof *job);
        result = next_due_job(d, now, job, integration_id);
        if (result != DB_OK)
            break;
        sqlite3_stmt *st = db_stmt(d, STMT_INTEGRATION_GET);
        db_bind_text(st, 1, integration_id);
        db_bind_text(st, 2, job->store_id);
        int rc = sqlite3_step(st);
        bool loaded = rc == SQLITE_ROW && db_row_to_integration(st, &job->it);
        sqlite3_reset(st);
        if (loaded && job->it.enabled) {
            result = run_on_job(d, STMT_JOB_START, job->id);
            break;
        }
        /* Gone or disabled: the job stops for good (normally already cancelled by that change). */
        char job_id[UUID_STR_LEN];
        memcpy(job_id, job->id, sizeof job_id);
        delivery_job_clear(job);
        if (run_on_job(d, STMT_JOB_CANCEL_ONE, job_id) != DB_OK) {
            result = DB_ERROR;
            break;
        }
    }
    if (result == DB_NOT_FOUND) {
        sqlite3_stmt *st = db_stmt(d, STMT_JOB_NEXT_DUE);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            *next_due = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    if (result == DB_ERROR) {
        db_report(d, "claim job");
        delivery_job_clear(job);
    }
    db_unlock(d);
    return result;
}

db_status db_job_finish(db *d, const delivery_job *job, const attempt_result *r, int64_t next_attempt_at)
{
    char log_id[UUID_STR_LEN];
    id_new(log_id);
    db_lock(d);
    db_status result = db_exec_stmt(d, STMT_BEGIN);
    if (result != DB_OK)
        goto out;
    sqlite3_stmt *st = db_stmt(d, STMT_LOG_INSERT);
    db_bind_text(st, 1, log_id);
    db_bind_text(st, 2, job->id);
    db_bind_text(st, 3, job->it.id);
    db_bind_text(st, 4, job->store_id);
    sqlite3_bind_int(st, 5, job->attempt);
    sqlite3_bind_int(st, 6, r->succeeded);
    sqlite3_bind_double(st, 7, r->processing_time);
    db_bind_text(st, 8, r->body ? r->body : "");
    if (r->status_code)
        sqlite3_bind_int(st, 9, r->status_code);
    db_bind_text(st, 10, r->error_detail);
    sqlite3_bind_int64(st, 11, now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        result = DB_ERROR;
    sqlite3_reset(st);
    if (result == DB_OK) {
        const char *state = r->succeeded ? "succeeded" : next_attempt_at < 0 ? "failed" : "pending";
        st = db_stmt(d, STMT_JOB_FINISH);
        db_bind_text(st, 1, job->id);
        db_bind_text(st, 2, state);
        sqlite3_bind_int64(st, 3, next_attempt_at);
        if (sqlite3_step(st) != SQLITE_DONE)
            result = DB_ERROR;
        sqlite3_reset(st);
    }
    if (result != DB_OK)
        db_report(d, "finish job");
    db_finish(d, result);
out:
    db_unlock(d);
    return result;
}


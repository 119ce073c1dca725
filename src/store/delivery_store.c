/* Events, jobs and delivery logs (spec §7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "timestamp.h"

/* ---- reads: logs and jobs of a store ------------------------------------------------------------ */

#define LOG_COLUMNS \
    "SELECT id, job_id, integration_id, attempt, succeeded, processing_time, body, status_code, error_detail, " \
    "created_at FROM logs "
DB_QUERY(q_log_count_store, "SELECT count(*) FROM logs WHERE store_id = ?1");
DB_QUERY(q_log_list_store, LOG_COLUMNS "WHERE store_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5");
DB_QUERY(q_log_count_integration, "SELECT count(*) FROM logs WHERE store_id = ?1 AND integration_id = ?2");
DB_QUERY(q_log_list_integration, LOG_COLUMNS "WHERE store_id = ?1 AND integration_id = ?2 "
                                             "ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5");
DB_QUERY(q_log_count_job, "SELECT count(*) FROM logs WHERE store_id = ?1 AND integration_id = ?2 AND job_id = ?3");
DB_QUERY(q_log_list_job, LOG_COLUMNS "WHERE store_id = ?1 AND integration_id = ?2 AND job_id = ?3 "
                                     "ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5");

/* Binds the filter (?1-?3) to a count or list statement. */
static void bind_filter(sqlite3_stmt *st, const log_filter *f)
{
    db_bind_text(st, 1, f->store_id);
    if (f->integration_id)
        db_bind_text(st, 2, f->integration_id);
    if (f->job_id)
        db_bind_text(st, 3, f->job_id);
}

/* Steps a bound `SELECT count(*)` statement. */
static db_status read_count(db_conn *c, sqlite3_stmt *st, long *out)
{
    db_status result = db_step_row(c, st);
    *out = 0;
    if (result == DB_OK) {
        *out = (long)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return result == DB_NOT_FOUND ? DB_ERROR : result;
}

db_status db_log_list(db *d, const log_filter *f, long limit, long offset, job_log_visitor visit, void *ctx,
                      long *total)
{
    const db_query *count_q = &q_log_count_store, *list_q = &q_log_list_store;
    if (f->job_id) {
        count_q = &q_log_count_job;
        list_q = &q_log_list_job;
    } else if (f->integration_id) {
        count_q = &q_log_count_integration;
        list_q = &q_log_list_integration;
    }
    db_conn *c = db_reader(d);
    if (!c || db_read_begin(c) != DB_OK)
        return DB_ERROR;
    sqlite3_stmt *st = db_prepare(c, count_q);
    if (st)
        bind_filter(st, f);
    db_status result = read_count(c, st, total);
    if (result == DB_OK && (st = db_prepare(c, list_q))) {
        bind_filter(st, f);
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
            db_report(c, "list logs");
            result = DB_ERROR;
        }
        sqlite3_reset(st);
    } else if (result == DB_OK) {
        result = DB_ERROR;
    }
    db_read_end(c);
    return result;
}

DB_QUERY(q_job_count, "SELECT count(*) FROM jobs WHERE integration_id = ?2 AND store_id = ?1");
DB_QUERY(q_job_list, "SELECT id FROM jobs WHERE integration_id = ?2 AND store_id = ?1 "
                     "ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4");

db_status db_job_list(db *d, const char *store_id, const char *integration_id, long limit, long offset,
                      job_visitor visit, void *ctx, long *total)
{
    db_conn *c = db_reader(d);
    if (!c || db_read_begin(c) != DB_OK)
        return DB_ERROR;
    sqlite3_stmt *st = db_prepare(c, &q_job_count);
    if (st) {
        db_bind_text(st, 1, store_id);
        db_bind_text(st, 2, integration_id);
    }
    db_status result = read_count(c, st, total);
    if (result == DB_OK && (st = db_prepare(c, &q_job_list))) {
        db_bind_text(st, 1, store_id);
        db_bind_text(st, 2, integration_id);
        sqlite3_bind_int64(st, 3, limit);
        sqlite3_bind_int64(st, 4, offset);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            visit((const char *)sqlite3_column_text(st, 0), ctx);
        if (rc != SQLITE_DONE) {
            db_report(c, "list jobs");
            result = DB_ERROR;
        }
        sqlite3_reset(st);
    } else if (result == DB_OK) {
        result = DB_ERROR;
    }
    db_read_end(c);
    return result;
}

DB_QUERY(q_job_exists, "SELECT 1 FROM jobs WHERE id = ?1 AND store_id = ?2 AND integration_id = ?3");

db_status db_job_exists(db *d, const char *store_id, const char *integration_id, const char *job_id)
{
    db_conn *c = db_reader(d);
    sqlite3_stmt *st = c ? db_prepare(c, &q_job_exists) : NULL;
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, job_id);
    db_bind_text(st, 2, store_id);
    db_bind_text(st, 3, integration_id);
    db_status result = db_step_row(c, st);
    if (result == DB_OK)
        sqlite3_reset(st);
    return result;
}

/* ---- events ----------------------------------------------------------------------------------- */

DB_QUERY(q_observers, "SELECT integration_id FROM observers WHERE store_id = ?1 AND trigger = ?2 "
                      "ORDER BY created_at, integration_id");
DB_QUERY(q_event_insert, "INSERT INTO events (id, store_id, trigger, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
DB_QUERY(q_job_insert, "INSERT INTO jobs (id, event_id, integration_id, store_id, state, next_attempt_at, created_at) "
                       "VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)");

/* The observers of trigger in the store, into a growing array of ids. */
static db_status find_observers(db_conn *c, const char *store_id, const char *trigger, char (**ids)[UUID_STR_LEN],
                                size_t *n)
{
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st = db_prepare(c, &q_observers);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, store_id);
    db_bind_text(st, 2, trigger);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            void *grown = realloc(*ids, cap * sizeof **ids);
            if (!grown) {
                rc = SQLITE_NOMEM;
                break;
            }
            *ids = grown;
        }
        db_column_id(st, 0, (*ids)[(*n)++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        db_report(c, "find observers");
        return DB_ERROR;
    }
    return DB_OK;
}

db_status db_emit_event(db_conn *c, db_write *w, const char *store_id, const char *trigger, const char *payload,
                        const char *event_id, json_t *jobs)
{
    char(*observers)[UUID_STR_LEN];
    size_t n;
    db_status result = find_observers(c, store_id, trigger, &observers, &n);
    if (result != DB_OK || n == 0) /* an event that nobody observes is not kept */
        goto out;
    int64_t now = now_ms(), due = db_first_attempt_at(c->owner, now);
    sqlite3_stmt *st = db_prepare(c, &q_event_insert);
    if (st) {
        db_bind_text(st, 1, event_id);
        db_bind_text(st, 2, store_id);
        db_bind_text(st, 3, trigger);
        db_bind_text(st, 4, payload);
        sqlite3_bind_int64(st, 5, now);
    }
    result = db_step_done(c, st);
    for (size_t i = 0; i < n && result == DB_OK; i++) {
        char job_id[UUID_STR_LEN];
        id_new(job_id);
        if ((st = db_prepare(c, &q_job_insert))) {
            db_bind_text(st, 1, job_id);
            db_bind_text(st, 2, event_id);
            db_bind_text(st, 3, observers[i]);
            db_bind_text(st, 4, store_id);
            sqlite3_bind_int64(st, 5, due);
            sqlite3_bind_int64(st, 6, now);
        }
        result = db_step_done(c, st);
        if (result == DB_OK && jobs &&
            json_array_append_new(jobs, json_pack("{s:s, s:s, s:s}", "type", "integration-job", "id", job_id,
                                                  "integration_id", observers[i])) != 0)
            result = DB_ERROR;
    }
    if (result == DB_OK)
        w->jobs_created += n;
out:
    free(observers);
    return result;
}

static db_status apply_event_emit(db_conn *c, db_write *w)
{
    db_event_emit *op = (db_event_emit *)w;
    if (op->jobs)
        json_array_clear(op->jobs); /* a second run (alone, after a failed batch) starts afresh */
    return db_emit_event(c, w, op->store_id, op->trigger, op->payload, op->event_id, op->jobs);
}

void db_event_emit_init(db_event_emit *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_event_emit);
}

DB_QUERY(q_jobs_cancel, "UPDATE jobs SET state = 'cancelled', next_attempt_at = NULL "
                        "WHERE integration_id = ?1 AND state = 'pending'");

db_status db_cancel_pending_jobs(db_conn *c, const char *integration_id)
{
    sqlite3_stmt *st = db_prepare(c, &q_jobs_cancel);
    if (st)
        db_bind_text(st, 1, integration_id);
    return db_step_done(c, st);
}

/* ---- the job runner ----------------------------------------------------------------------------- */

DB_QUERY(q_job_next_due, "SELECT min(next_attempt_at) FROM jobs WHERE state = 'pending' AND running = 0");

/* The time the next pending job is due, or -1. */
static db_status read_next_due(db_conn *c, int64_t *next_due)
{
    sqlite3_stmt *st = db_prepare(c, &q_job_next_due);
    db_status result = db_step_row(c, st);
    *next_due = -1;
    if (result == DB_OK) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            *next_due = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return result == DB_NOT_FOUND ? DB_OK : result;
}

db_status db_job_next_due(db *d, int64_t *next_due)
{
    db_conn *c = db_reader(d);
    *next_due = -1;
    return c ? read_next_due(c, next_due) : DB_ERROR;
}

DB_QUERY(q_jobs_running, "SELECT id, integration_id, store_id, attempts FROM jobs WHERE running = 1");
DB_QUERY(q_jobs_recover,
         "UPDATE jobs SET running = 0, "
         "state = CASE WHEN state = 'pending' AND attempts >= ?1 THEN 'failed' ELSE state END, "
         "next_attempt_at = CASE WHEN state = 'pending' AND attempts < ?1 THEN ?2 ELSE NULL END "
         "WHERE running = 1");
DB_QUERY(q_log_insert, "INSERT INTO logs (id, job_id, integration_id, store_id, attempt, succeeded, processing_time, "
                       "body, status_code, error_detail, created_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");

typedef struct jobs_recover {
    db_write write;
    size_t max_attempts;
    int64_t now;
} jobs_recover;

static db_status apply_jobs_recover(db_conn *c, db_write *w)
{
    jobs_recover *op = (jobs_recover *)w;
    sqlite3_stmt *st = db_prepare(c, &q_jobs_running);
    if (!st)
        return DB_ERROR;
    db_status result = DB_OK;
    int rc;
    while (result == DB_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char log_id[UUID_STR_LEN];
        id_new(log_id);
        sqlite3_stmt *log = db_prepare(c, &q_log_insert);
        if (log) {
            db_bind_text(log, 1, log_id);
            sqlite3_bind_value(log, 2, sqlite3_column_value(st, 0));
            sqlite3_bind_value(log, 3, sqlite3_column_value(st, 1));
            sqlite3_bind_value(log, 4, sqlite3_column_value(st, 2));
            sqlite3_bind_int(log, 5, sqlite3_column_int(st, 3));
            sqlite3_bind_int(log, 6, 0);
            sqlite3_bind_double(log, 7, 0);
            db_bind_text(log, 8, "");
            db_bind_text(log, 10, "The server stopped during this attempt (crash or kill); its outcome is unknown");
            sqlite3_bind_int64(log, 11, op->now);
        }
        result = db_step_done(c, log);
    }
    if (result == DB_OK && rc != SQLITE_DONE) {
        db_report(c, "recover jobs");
        result = DB_ERROR;
    }
    sqlite3_reset(st);
    if (result == DB_OK && (st = db_prepare(c, &q_jobs_recover))) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)op->max_attempts);
        sqlite3_bind_int64(st, 2, op->now);
        result = db_step_done(c, st);
    }
    return result;
}

db_status db_jobs_recover(db *d, size_t max_attempts, int64_t now)
{
    jobs_recover op = {.max_attempts = max_attempts, .now = now};
    db_write_setup(&op.write, apply_jobs_recover);
    return db_submit_wait(d, &op.write);
}

/* The jobs due, first due first: a claim looks at this many of them for one whose integration has
 * no recent attempt under way. */
#define CLAIM_LOOKAHEAD 16
/* An attempt under way for longer than this (a slow receiver) no longer holds back the next job of
 * its integration: a receiver that answers in time gets its events one at a time and in order; a
 * slow one gets them in parallel, up to --delivery-concurrency. */
#define SLOW_ATTEMPT_MS 250
DB_QUERY(q_job_due, "SELECT j.id, j.attempts, j.store_id, j.integration_id, e.trigger, e.payload, e.created_at "
                    "FROM jobs j JOIN events e ON e.id = j.event_id "
                    "WHERE j.state = 'pending' AND j.running = 0 AND j.next_attempt_at <= ?1 "
                    "ORDER BY j.next_attempt_at LIMIT 16");
/* A running job's next_attempt_at is the time its attempt started. */
DB_QUERY(q_integration_busy, "SELECT 1 FROM jobs WHERE integration_id = ?1 AND running = 1 AND next_attempt_at > ?2");
DB_QUERY(q_job_start, "UPDATE jobs SET running = 1, attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1");
DB_QUERY(q_job_cancel_one, "UPDATE jobs SET state = 'cancelled', next_attempt_at = NULL WHERE id = ?1");

/* What the claim reads, as texts: the JSON is parsed by the worker, not by the committer. */
typedef struct claimed {
    char *payload;      /* the event's payload document */
    char *integration_id;
} claimed;

/* An attempt of one of the integration's jobs started less than SLOW_ATTEMPT_MS ago and is under way. */
static db_status integration_busy(db_conn *c, const char *integration_id, int64_t now, bool *busy)
{
    sqlite3_stmt *st = db_prepare(c, &q_integration_busy);
    if (st) {
        db_bind_text(st, 1, integration_id);
        sqlite3_bind_int64(st, 2, now - SLOW_ATTEMPT_MS);
    }
    db_status result = db_step_row(c, st);
    *busy = result == DB_OK;
    if (result == DB_OK)
        sqlite3_reset(st);
    return result == DB_ERROR ? DB_ERROR : DB_OK;
}

/* Reads the job to attempt next into job and cl (without its integration): the first due whose
 * integration has no recent attempt under way, so that an integration's jobs go out one at a time
 * and in order. When CLAIM_LOOKAHEAD due jobs in a row all wait for their integrations (a backlog),
 * the first of them is taken all the same: a backlog is worked on in parallel. DB_NOT_FOUND when
 * none is due; *blocked then tells that due jobs wait for the attempts under way. */
static db_status next_due_job(db_conn *c, int64_t now, delivery_job *job, claimed *cl, bool *blocked)
{
    *blocked = false;
    sqlite3_stmt *st = db_prepare(c, &q_job_due);
    if (!st)
        return DB_ERROR;
    sqlite3_bind_int64(st, 1, now);
    int rc, seen = 0;
    bool take_first = false; /* a backlog: the first due, busy or not */
    db_status result = DB_NOT_FOUND;
    while (result == DB_NOT_FOUND && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        bool busy = false;
        if (!take_first && integration_busy(c, (const char *)sqlite3_column_text(st, 3), now, &busy) != DB_OK) {
            result = DB_ERROR;
            break;
        }
        if (busy) {
            *blocked = true;
            if (++seen == CLAIM_LOOKAHEAD) {
                take_first = true;
                sqlite3_reset(st); /* from the first row again, with the same bindings */
            }
            continue;
        }
        db_column_id(st, 0, job->id);
        job->attempt = sqlite3_column_int(st, 1) + 1;
        db_column_id(st, 2, job->store_id);
        const char *trigger = (const char *)sqlite3_column_text(st, 4);
        snprintf(job->trigger, sizeof job->trigger, "%s", trigger ? trigger : "");
        cl->integration_id = db_column_dup(st, 3);
        cl->payload = db_column_dup(st, 5);
        job->event_created_ms = sqlite3_column_int64(st, 6);
        result = cl->integration_id ? DB_OK : DB_ERROR;
    }
    if (result == DB_NOT_FOUND && rc != SQLITE_DONE)
        result = DB_ERROR;
    if (result == DB_ERROR)
        db_report(c, "claim a job");
    sqlite3_reset(st);
    return result;
}

static db_status run_on_job(db_conn *c, const db_query *q, const char *job_id)
{
    sqlite3_stmt *st = db_prepare(c, q);
    if (st)
        db_bind_text(st, 1, job_id);
    return db_step_done(c, st);
}

/* Takes the job to attempt next (next_due_job): it counts its attempt and is running. Jobs whose
 * integration is gone or disabled are cancelled on the way. */
static db_status claim(db_conn *c, int64_t now, delivery_job *job, claimed *cl, int64_t *next_due)
{
    for (;;) {
        delivery_job_clear(job);
        free(cl->payload);
        free(cl->integration_id);
        *cl = (claimed){0};
        bool blocked;
        db_status result = next_due_job(c, now, job, cl, &blocked);
        if (result == DB_NOT_FOUND && blocked) { /* due, but waiting: for an outcome, or to be slow */
            *next_due = now + SLOW_ATTEMPT_MS;
            return DB_NOT_FOUND;
        }
        if (result == DB_NOT_FOUND) {
            result = read_next_due(c, next_due);
            return result == DB_OK ? DB_NOT_FOUND : result;
        }
        if (result != DB_OK)
            return result;
        result = db_integration_read(c, job->store_id, cl->integration_id, &job->it);
        if (result == DB_ERROR)
            return result;
        if (result == DB_OK && job->it.enabled) {
            sqlite3_stmt *st = db_prepare(c, &q_job_start);
            if (st) {
                db_bind_text(st, 1, job->id);
                sqlite3_bind_int64(st, 2, now); /* while it runs: when its attempt started */
            }
            return db_step_done(c, st);
        }
        /* Gone or disabled: the job stops for good (normally already cancelled by that change). */
        if (run_on_job(c, &q_job_cancel_one, job->id) != DB_OK)
            return DB_ERROR;
    }
}

DB_QUERY(q_job_finish, "UPDATE jobs SET running = 0, "
                       "state = CASE WHEN state = 'pending' THEN ?2 ELSE state END, "
                       "next_attempt_at = CASE WHEN state = 'pending' AND ?2 = 'pending' THEN ?3 ELSE NULL END "
                       "WHERE id = ?1");

/* Writes the log of an attempt and reschedules its job. */
static db_status finish(db_conn *c, const job_outcome *o)
{
    const delivery_job *job = o->job;
    const attempt_result *r = o->result;
    char log_id[UUID_STR_LEN];
    id_new(log_id);
    sqlite3_stmt *st = db_prepare(c, &q_log_insert);
    if (st) {
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
    }
    db_status result = db_step_done(c, st);
    /* A job cancelled while its attempt ran stays cancelled. */
    if (result == DB_OK && (st = db_prepare(c, &q_job_finish))) {
        db_bind_text(st, 1, job->id);
        db_bind_text(st, 2, r->succeeded ? "succeeded" : o->next_attempt_at < 0 ? "failed" : "pending");
        sqlite3_bind_int64(st, 3, o->next_attempt_at);
        result = db_step_done(c, st);
    }
    return result;
}

typedef struct job_cycle {
    db_write write;
    const job_outcome *done; /* NULL: nothing to write */
    int64_t now;             /* claim a job due by then; < 0: claim none */
    delivery_job *job;
    claimed cl;
    int64_t next_due;
} job_cycle;

static db_status apply_job_cycle(db_conn *c, db_write *w)
{
    job_cycle *op = (job_cycle *)w;
    op->next_due = -1;
    db_status result = op->done ? finish(c, op->done) : DB_OK;
    if (result == DB_OK && op->now >= 0)
        result = claim(c, op->now, op->job, &op->cl, &op->next_due);
    return result;
}

db_status db_job_next(db *d, const job_outcome *done, int64_t now, delivery_job *job, int64_t *next_due)
{
    job_cycle op = {.done = done, .now = now, .job = job};
    db_write_setup(&op.write, apply_job_cycle);
    if (job)
        memset(job, 0, sizeof *job);
    db_status result = db_submit_wait(d, &op.write);
    if (next_due)
        *next_due = op.next_due;
    if (result == DB_OK && job && now >= 0) {
        /* parsed here, on the worker's thread: the committer only reads and writes rows */
        job->payload = op.cl.payload ? json_loads(op.cl.payload, 0, NULL) : NULL;
        if (!job->payload)
            job->payload = json_object();
        job->configuration = integration_configuration_object(&job->it);
        if (!job->payload || !job->configuration)
            result = DB_ERROR; /* out of memory: the job stays running until the next start */
    }
    if (result != DB_OK && job)
        delivery_job_clear(job);
    free(op.cl.payload);
    free(op.cl.integration_id);
    return result;
}

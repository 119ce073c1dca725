/* Events, jobs and delivery logs (spec §7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "db_internal.h"
#include "timestamp.h"

/* ---- reads: logs and jobs of a store ------------------------------------------------------------ */

#define LOG_COLUMNS \
    "SELECT id, job_id, integration_id, attempt, succeeded, processing_time, body, status_code, error_detail, " \
    "created_at FROM logs "
/* The totals are kept (sql/009): a list reads one row for its total, however long it is. */
DB_QUERY(q_log_count_store, "SELECT logs FROM counts WHERE store_id = ?1 AND integration_id = ''");
DB_QUERY(q_log_list_store, LOG_COLUMNS "WHERE store_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5");
DB_QUERY(q_log_count_integration, "SELECT logs FROM counts WHERE store_id = ?1 AND integration_id = ?2");
DB_QUERY(q_log_list_integration, LOG_COLUMNS "WHERE store_id = ?1 AND integration_id = ?2 "
                                             "ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5");
DB_QUERY(q_log_count_job, "SELECT log_count FROM jobs WHERE id = ?3 AND store_id = ?1 AND integration_id = ?2");
DB_QUERY(q_log_list_job, LOG_COLUMNS "WHERE store_id = ?1 AND integration_id = ?2 AND job_id = ?3 "
                                     "ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5");

/* The count, then the page, in one snapshot. count and page are bound statements (NULL: failed
 * to prepare); each row of the page goes to row(st, ctx). A count that finds no row (no kept
 * total yet) is 0. */
static db_status read_page(db_conn *c, sqlite3_stmt *count, sqlite3_stmt *page,
                           void (*row)(sqlite3_stmt *st, void *ctx), void *ctx, long *total)
{
    int64_t n = 0;
    db_status result = db_read_int(c, count, &n);
    if (result == DB_NOT_FOUND)
        result = DB_OK;
    *total = (long)n;
    if (result == DB_OK)
        result = db_each_row(c, page, row, ctx);
    else if (page)
        sqlite3_reset(page);
    db_read_end(c);
    return result == DB_NOT_FOUND ? DB_ERROR : result;
}

/* The caller's visitor of a list, carried through db_each_row. */
typedef struct list_visitor {
    union {
        job_log_visitor log;
        job_visitor job;
        delivery_visitor delivery;
    } visit;
    void *ctx;
} list_visitor;

/* The statements of a list at each scope (its total, its page), narrowest first. */
typedef struct scoped_list {
    struct {
        const db_query *count, *list;
    } job, integration, store;
} scoped_list;

/* The narrowest scope the filter names: a job, else an integration, else the store. */
static void pick_scope(const scoped_list *s, const char *job_id, const char *integration_id, const db_query **count,
                       const db_query **list)
{
    *count = job_id ? s->job.count : integration_id ? s->integration.count : s->store.count;
    *list = job_id ? s->job.list : integration_id ? s->integration.list : s->store.list;
}

static const scoped_list log_scopes = {{&q_log_count_job, &q_log_list_job},
                                       {&q_log_count_integration, &q_log_list_integration},
                                       {&q_log_count_store, &q_log_list_store}};

static void log_row(sqlite3_stmt *st, void *ctx)
{
    list_visitor *rows = ctx;
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
    rows->visit.log(&log, rows->ctx);
}

db_status db_log_list(db *d, const log_filter *f, long limit, long offset, job_log_visitor visit, void *ctx,
                      long *total)
{
    const db_query *count_q, *list_q;
    pick_scope(&log_scopes, f->job_id, f->integration_id, &count_q, &list_q);
    db_conn *c = db_reader(d);
    if (!c || db_read_begin(c) != DB_OK)
        return DB_ERROR;
    /* ?1-?3 the filter (a statement ignores those it has no use for), ?4 ?5 the page */
    sqlite3_stmt *count = db_bind(c, count_q, "ttt", f->store_id, f->integration_id, f->job_id);
    sqlite3_stmt *page = db_bind(c, list_q, "tttii", f->store_id, f->integration_id, f->job_id, (int64_t)limit,
                                 (int64_t)offset);
    list_visitor rows = {.visit.log = visit, .ctx = ctx};
    return read_page(c, count, page, log_row, &rows, total);
}

DB_QUERY(q_job_count, "SELECT jobs FROM counts WHERE store_id = ?1 AND integration_id = ?2");
DB_QUERY(q_job_list, "SELECT id FROM jobs WHERE integration_id = ?2 AND store_id = ?1 "
                     "ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4");

static void job_row(sqlite3_stmt *st, void *ctx)
{
    list_visitor *rows = ctx;
    rows->visit.job((const char *)sqlite3_column_text(st, 0), rows->ctx);
}

db_status db_job_list(db *d, const char *store_id, const char *integration_id, long limit, long offset,
                      job_visitor visit, void *ctx, long *total)
{
    db_conn *c = db_reader(d);
    if (!c || db_read_begin(c) != DB_OK)
        return DB_ERROR;
    sqlite3_stmt *count = db_bind(c, &q_job_count, "tt", store_id, integration_id);
    sqlite3_stmt *page = db_bind(c, &q_job_list, "ttii", store_id, integration_id, (int64_t)limit, (int64_t)offset);
    list_visitor rows = {.visit.job = visit, .ctx = ctx};
    return read_page(c, count, page, job_row, &rows, total);
}

/* The journal's filters: ?1 the store, ?2 integration, ?3 job, ?4 trigger (NULL: any), ?5
 * succeeded (< 0: any). Three forms, each read through its own index, newest first: by job, by
 * integration, by store. */
#define DELIVERY_FILTER \
    "store_id = ?1 AND (?2 IS NULL OR integration_id = ?2) AND (?3 IS NULL OR job_id = ?3) " \
    "AND (?4 IS NULL OR trigger = ?4) AND (?5 < 0 OR succeeded = ?5) "
#define DELIVERY_LIST \
    "SELECT id, job_id, integration_id, trigger, transport, request, response, error_detail, attempt, succeeded, " \
    "duration_ms, started_at, finished_at FROM deliveries WHERE "
#define DELIVERY_PAGE "ORDER BY started_at DESC, id DESC LIMIT ?6 OFFSET ?7"
DB_QUERY(q_delivery_list_job, DELIVERY_LIST "job_id = ?3 AND " DELIVERY_FILTER DELIVERY_PAGE);
DB_QUERY(q_delivery_list_integration, DELIVERY_LIST "integration_id = ?2 AND " DELIVERY_FILTER DELIVERY_PAGE);
DB_QUERY(q_delivery_list_store, DELIVERY_LIST DELIVERY_FILTER DELIVERY_PAGE);
/* Totals: kept for the store and for an integration (sql/009); with a job, a trigger or an
 * outcome among the filters, counted over the index entries of the job, the integration or the
 * store. */
DB_QUERY(q_delivery_total, "SELECT deliveries FROM counts WHERE store_id = ?1 AND integration_id = coalesce(?2, '')");
DB_QUERY(q_delivery_count_job, "SELECT count(*) FROM deliveries WHERE job_id = ?3 AND " DELIVERY_FILTER);
DB_QUERY(q_delivery_count_integration, "SELECT count(*) FROM deliveries WHERE integration_id = ?2 AND " DELIVERY_FILTER);
DB_QUERY(q_delivery_count_store, "SELECT count(*) FROM deliveries WHERE " DELIVERY_FILTER);
static const scoped_list delivery_scopes = {{&q_delivery_count_job, &q_delivery_list_job},
                                            {&q_delivery_count_integration, &q_delivery_list_integration},
                                            {&q_delivery_count_store, &q_delivery_list_store}};

static void delivery_row(sqlite3_stmt *st, void *ctx)
{
    list_visitor *rows = ctx;
    delivery_record d = {
        .attempt = sqlite3_column_int(st, 8),
        .succeeded = sqlite3_column_int(st, 9) != 0,
        .duration_ms = sqlite3_column_double(st, 10),
        .started_ms = sqlite3_column_int64(st, 11),
        .finished_ms = sqlite3_column_int64(st, 12),
    };
    /* the text columns, in the order DELIVERY_LIST selects them; NULL stays NULL */
    const char **texts[] = {&d.id,      &d.job_id,   &d.integration_id, &d.trigger,
                            &d.transport, &d.request, &d.response,      &d.error_detail};
    for (int i = 0; i < (int)(sizeof texts / sizeof texts[0]); i++)
        *texts[i] = (const char *)sqlite3_column_text(st, i);
    rows->visit.delivery(&d, rows->ctx);
}

db_status db_delivery_list(db *d, const delivery_filter *f, long limit, long offset, delivery_visitor visit, void *ctx,
                           long *total)
{
    const db_query *count_q, *list_q;
    pick_scope(&delivery_scopes, f->job_id, f->integration_id, &count_q, &list_q);
    if (!f->job_id && !f->trigger && f->succeeded < 0)
        count_q = &q_delivery_total;
    db_conn *c = db_reader(d);
    if (!c || db_read_begin(c) != DB_OK)
        return DB_ERROR;
    sqlite3_stmt *count = db_bind(c, count_q, "ttttiii", f->store_id, f->integration_id, f->job_id, f->trigger,
                                  (int64_t)f->succeeded, (int64_t)0, (int64_t)0);
    sqlite3_stmt *page = db_bind(c, list_q, "ttttiii", f->store_id, f->integration_id, f->job_id, f->trigger,
                                 (int64_t)f->succeeded, (int64_t)limit, (int64_t)offset);
    list_visitor rows = {.visit.delivery = visit, .ctx = ctx};
    return read_page(c, count, page, delivery_row, &rows, total);
}

DB_QUERY(q_job_exists, "SELECT 1 FROM jobs WHERE id = ?1 AND store_id = ?2 AND integration_id = ?3");

db_status db_job_exists(db *d, const char *store_id, const char *integration_id, const char *job_id)
{
    db_conn *c = db_reader(d);
    sqlite3_stmt *st = c ? db_bind(c, &q_job_exists, "ttt", job_id, store_id, integration_id) : NULL;
    db_status result = db_step_row(c, st);
    if (result == DB_OK)
        sqlite3_reset(st);
    return result;
}

/* ---- events ----------------------------------------------------------------------------------- */

DB_QUERY(q_observers, "SELECT integration_id FROM observers WHERE store_id = ?1 AND trigger = ?2 "
                      "ORDER BY created_at, integration_id");
DB_QUERY(q_event_insert, "INSERT INTO events (id, store_id, trigger, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
DB_QUERY(q_job_insert, "INSERT INTO jobs (id, event_id, integration_id, store_id, state, next_attempt_at, created_at, "
                       "last_activity_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6)");
/* The kept totals (sql/009): one more job for the store and for its integration. */
DB_QUERY(q_count_job_added, "INSERT INTO counts (store_id, integration_id, jobs) VALUES (?1, '', 1), (?1, ?2, 1) "
                            "ON CONFLICT (store_id, integration_id) DO UPDATE SET jobs = jobs + 1");

typedef struct id_array {
    char (*ids)[UUID_STR_LEN];
    size_t n, cap;
    bool out_of_memory;
} id_array;

static void add_id(sqlite3_stmt *st, void *ctx)
{
    id_array *a = ctx;
    if (!array_room((void **)&a->ids, &a->cap, a->n, sizeof *a->ids, 8)) {
        a->out_of_memory = true;
        return;
    }
    db_column_id(st, 0, a->ids[a->n++]);
}

/* The observers of trigger in the store (ids; the caller frees observers->ids). */
static db_status find_observers(db_conn *c, const char *store_id, const char *trigger, id_array *observers)
{
    *observers = (id_array){0};
    db_status result = db_each_row(c, db_bind(c, &q_observers, "tt", store_id, trigger), add_id, observers);
    return observers->out_of_memory ? DB_ERROR : result;
}

db_status db_emit_event(db_conn *c, db_write *w, const char *store_id, const char *trigger, const char *payload,
                        const char *event_id, json_t *jobs)
{
    id_array observers;
    db_status result = find_observers(c, store_id, trigger, &observers);
    if (result != DB_OK || observers.n == 0) /* an event that nobody observes is not kept */
        goto out;
    int64_t now = now_ms(), due = db_first_attempt_at(c->owner, now);
    result = db_step_done(c, db_bind(c, &q_event_insert, "tttti", event_id, store_id, trigger, payload, now));
    for (size_t i = 0; i < observers.n && result == DB_OK; i++) {
        char job_id[UUID_STR_LEN];
        id_new(job_id);
        result = db_step_done(c, db_bind(c, &q_job_insert, "ttttii", job_id, event_id, observers.ids[i], store_id,
                                         due, now));
        if (result == DB_OK)
            result = db_step_done(c, db_bind(c, &q_count_job_added, "tt", store_id, observers.ids[i]));
        if (result == DB_OK && jobs &&
            json_array_append_new(jobs, json_pack("{s:s, s:s, s:s}", "type", "integration-job", "id", job_id,
                                                  "integration_id", observers.ids[i])) != 0)
            result = DB_ERROR;
    }
    if (result == DB_OK)
        w->jobs_created += observers.n;
out:
    free(observers.ids);
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

DB_QUERY(q_jobs_cancel, "UPDATE jobs SET state = 'cancelled', next_attempt_at = NULL, last_activity_at = ?2 "
                        "WHERE integration_id = ?1 AND state = 'pending'");

db_status db_cancel_pending_jobs(db_conn *c, const char *integration_id)
{
    return db_step_done(c, db_bind(c, &q_jobs_cancel, "ti", integration_id, now_ms()));
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
         "next_attempt_at = CASE WHEN state = 'pending' AND attempts < ?1 THEN ?2 ELSE NULL END, "
         "last_activity_at = max(last_activity_at, ?2) WHERE running = 1");
DB_QUERY(q_log_insert, "INSERT INTO logs (id, job_id, integration_id, store_id, attempt, succeeded, processing_time, "
                       "body, status_code, error_detail, created_at) "
                       "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULLIF(?9, 0), ?10, ?11 "
                       "WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?2)");

/* The kept totals (sql/009): one more log, and ?3 (0 or 1) more delivery records, for the store
 * and for the integration. */
DB_QUERY(q_count_logged, "INSERT INTO counts (store_id, integration_id, logs, deliveries) VALUES (?1, '', 1, ?3), "
                         "(?1, ?2, 1, ?3) ON CONFLICT (store_id, integration_id) "
                         "DO UPDATE SET logs = logs + 1, deliveries = deliveries + excluded.deliveries");
/* The job's own count of logs and its last activity, for an attempt that does not finish it. */
DB_QUERY(q_job_logged, "UPDATE jobs SET log_count = log_count + 1, last_activity_at = max(last_activity_at, ?2) "
                       "WHERE id = ?1");

/* Writes the log of an attempt made at `when` (unix ms; status_code 0: no HTTP answer, stored as
 * NULL), unless its job is gone (a reset of its store while the attempt ran): *logged says which. */
static db_status insert_log(db_conn *c, const char *log_id, const char *job_id, const char *integration_id,
                            const char *store_id, int attempt, const attempt_result *r, int64_t when, bool *logged)
{
    db_status result = db_step_done(c, db_bind(c, &q_log_insert, "ttttiidtiti", log_id, job_id, integration_id,
                                               store_id, (int64_t)attempt, (int64_t)r->succeeded, r->processing_time,
                                               r->body ? r->body : "", (int64_t)r->status_code, r->error_detail,
                                               when));
    *logged = result == DB_OK && db_changes(c) > 0;
    return result;
}

/* Counts a log (and `deliveries` records, 0 or 1) written for the job in the store's totals. */
static db_status count_logged(db_conn *c, const char *store_id, const char *integration_id, int deliveries)
{
    return db_step_done(c, db_bind(c, &q_count_logged, "tti", store_id, integration_id, (int64_t)deliveries));
}

typedef struct jobs_recover {
    db_write write;
    size_t max_attempts;
    int64_t now;
} jobs_recover;

typedef struct recovered {
    db_conn *c;
    int64_t now;
    db_status result;
} recovered;

/* One job that was running when the server stopped: its attempt gets a log saying so. */
static void log_interrupted(sqlite3_stmt *st, void *ctx)
{
    recovered *rows = ctx;
    attempt_result r = {.error_detail = "The server stopped during this attempt (crash or kill); its outcome is unknown"};
    char log_id[UUID_STR_LEN];
    id_new(log_id);
    const char *job_id = (const char *)sqlite3_column_text(st, 0), *integration_id = (const char *)sqlite3_column_text(st, 1),
               *store_id = (const char *)sqlite3_column_text(st, 2);
    bool logged = false;
    if (rows->result == DB_OK)
        rows->result = insert_log(rows->c, log_id, job_id, integration_id, store_id, sqlite3_column_int(st, 3), &r,
                                  rows->now, &logged);
    if (rows->result == DB_OK && logged)
        rows->result = count_logged(rows->c, store_id, integration_id, 0);
    if (rows->result == DB_OK && logged)
        rows->result = db_step_done(rows->c, db_bind(rows->c, &q_job_logged, "ti", job_id, rows->now));
}

static db_status apply_jobs_recover(db_conn *c, db_write *w)
{
    jobs_recover *op = (jobs_recover *)w;
    recovered rows = {c, op->now, DB_OK};
    db_status result = db_each_row(c, db_bind(c, &q_jobs_running, ""), log_interrupted, &rows);
    if (result == DB_OK)
        result = rows.result;
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_jobs_recover, "ii", (int64_t)op->max_attempts, op->now));
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
/* The columns of a job to attempt, in the order read_job reads them: the due query and the
 * resend query both start with them. */
#define JOB_COLUMNS "j.id, j.store_id, j.integration_id, e.trigger, e.payload, e.created_at"
DB_QUERY(q_job_due, "SELECT " JOB_COLUMNS ", j.attempts + 1 "
                    "FROM jobs j JOIN events e ON e.id = j.event_id "
                    "WHERE j.state = 'pending' AND j.running = 0 AND j.next_attempt_at <= ?1 "
                    "ORDER BY j.next_attempt_at LIMIT 16");
/* A running job's next_attempt_at is the time its attempt started. */
DB_QUERY(q_integration_busy, "SELECT 1 FROM jobs WHERE integration_id = ?1 AND running = 1 AND next_attempt_at > ?2");
DB_QUERY(q_job_start, "UPDATE jobs SET running = 1, attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1");
DB_QUERY(q_job_cancel_one, "UPDATE jobs SET state = 'cancelled', next_attempt_at = NULL, last_activity_at = ?2 "
                           "WHERE id = ?1");

/* What the claim reads, as texts: the JSON is parsed by the worker, not by the committer. */
typedef struct claimed {
    char *payload;      /* the event's payload document */
    char *integration_id;
} claimed;

/* Reads the JOB_COLUMNS and the attempt after them; DB_ERROR when memory runs out. */
static db_status read_job(sqlite3_stmt *st, delivery_job *job, claimed *cl)
{
    db_column_id(st, 0, job->id);
    db_column_id(st, 1, job->store_id);
    cl->integration_id = db_column_dup(st, 2);
    const char *trigger = (const char *)sqlite3_column_text(st, 3);
    snprintf(job->trigger, sizeof job->trigger, "%s", trigger ? trigger : "");
    cl->payload = db_column_dup(st, 4);
    job->event_created_ms = sqlite3_column_int64(st, 5);
    job->attempt = sqlite3_column_int(st, 6);
    return cl->integration_id ? DB_OK : DB_ERROR;
}

/* An attempt of one of the integration's jobs started less than SLOW_ATTEMPT_MS ago and is under way. */
static db_status integration_busy(db_conn *c, const char *integration_id, int64_t now, bool *busy)
{
    sqlite3_stmt *st = db_bind(c, &q_integration_busy, "ti", integration_id, now - SLOW_ATTEMPT_MS);
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
    sqlite3_stmt *st = db_bind(c, &q_job_due, "i", now);
    if (!st)
        return DB_ERROR;
    int rc, seen = 0;
    bool take_first = false; /* a backlog: the first due, busy or not */
    db_status result = DB_NOT_FOUND;
    while (result == DB_NOT_FOUND && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        bool busy = false;
        if (!take_first && integration_busy(c, (const char *)sqlite3_column_text(st, 2), now, &busy) != DB_OK) {
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
        result = read_job(st, job, cl);
    }
    if (result == DB_NOT_FOUND && rc != SQLITE_DONE)
        result = DB_ERROR;
    if (result == DB_ERROR)
        db_report(c, "claim a job");
    sqlite3_reset(st);
    return result;
}

/* Takes the job to attempt next (next_due_job): it counts its attempt and is running. Jobs whose
 * integration is gone or disabled are cancelled on the way. */
DB_QUERY(q_resend_due, "SELECT " JOB_COLUMNS ", r.attempt, r.id "
                       "FROM resends r JOIN jobs j ON j.id = r.job_id JOIN events e ON e.id = j.event_id "
                       "WHERE r.due_at <= ?1 ORDER BY r.due_at LIMIT 1");
DB_QUERY(q_resend_delete, "DELETE FROM resends WHERE id = ?1");

/* The resend due first, into job and cl (without its integration), taken off the list; DB_NOT_FOUND
 * when none is due. */
static db_status next_resend(db_conn *c, int64_t now, delivery_job *job, claimed *cl)
{
    sqlite3_stmt *st = db_bind(c, &q_resend_due, "i", now);
    db_status result = db_step_row(c, st);
    if (result != DB_OK)
        return result;
    char resend_id[UUID_STR_LEN];
    db_column_id(st, 7, resend_id);
    result = read_job(st, job, cl);
    job->resend = true;
    sqlite3_reset(st);
    return result == DB_OK ? db_step_done(c, db_bind(c, &q_resend_delete, "t", resend_id)) : result;
}

static db_status claim(db_conn *c, int64_t now, delivery_job *job, claimed *cl, int64_t *next_due)
{
    for (;;) {
        delivery_job_clear(job);
        free(cl->payload);
        free(cl->integration_id);
        *cl = (claimed){0};
        /* a resend first: it was asked for now, and it waits for nothing */
        db_status resent = next_resend(c, now, job, cl);
        if (resent == DB_ERROR)
            return resent;
        if (resent == DB_OK) {
            resent = db_integration_read(c, job->store_id, cl->integration_id, &job->it);
            if (resent != DB_NOT_FOUND)
                return resent; /* gone since it was asked for: it is dropped, the next is looked for */
            continue;
        }
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
            /* while it runs, next_attempt_at is when its attempt started */
            return db_step_done(c, db_bind(c, &q_job_start, "ti", job->id, now));
        }
        /* Gone or disabled: the job stops for good (normally already cancelled by that change). */
        if (db_step_done(c, db_bind(c, &q_job_cancel_one, "ti", job->id, now)) != DB_OK)
            return DB_ERROR;
    }
}

DB_QUERY(q_job_finish, "UPDATE jobs SET running = 0, "
                       "state = CASE WHEN state = 'pending' THEN ?2 ELSE state END, "
                       "next_attempt_at = CASE WHEN state = 'pending' AND ?2 = 'pending' THEN ?3 ELSE NULL END, "
                       "log_count = log_count + ?4, last_activity_at = max(last_activity_at, ?5) WHERE id = ?1");

/* Writes the log of an attempt and reschedules its job. */
DB_QUERY(q_delivery_insert,
         "INSERT INTO deliveries (id, store_id, job_id, integration_id, trigger, attempt, transport, succeeded, request, "
         "response, error_detail, duration_ms, started_at, finished_at) "
         "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14 "
         "WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?3)");

/* What went over the wire in the attempt, under the id of its log (a job that is gone: nothing). */
static db_status insert_delivery(db_conn *c, const char *log_id, const delivery_job *job, const attempt_result *r)
{
    return db_step_done(c, db_bind(c, &q_delivery_insert, "tttttititttdii", log_id, job->store_id, job->id, job->it.id,
                                   job->trigger, (int64_t)job->attempt, r->transport ? r->transport : "",
                                   (int64_t)r->succeeded, r->wire_request, r->wire_response, r->error_detail,
                                   r->processing_time * 1000, r->started_ms, r->ended_ms));
}

static db_status finish(db_conn *c, db_write *w, const job_outcome *o)
{
    const delivery_job *job = o->job;
    const attempt_result *r = o->result;
    char log_id[UUID_STR_LEN];
    id_new(log_id);
    bool logged = false;
    db_status result = insert_log(c, log_id, job->id, job->it.id, job->store_id, job->attempt, r, r->ended_ms, &logged);
    if (result == DB_OK && logged) {
        result = insert_delivery(c, log_id, job, r);
        int records = result == DB_OK ? db_changes(c) : 0;
        w->delivered_store = job->store_id;
        if (result == DB_OK)
            result = count_logged(c, job->store_id, job->it.id, records);
    }
    if (job->resend) { /* one more attempt: the job's state and schedule stay as they are */
        if (result == DB_OK && logged)
            result = db_step_done(c, db_bind(c, &q_job_logged, "ti", job->id, r->ended_ms));
        return result;
    }
    /* A job cancelled while its attempt ran stays cancelled. */
    const char *state = r->succeeded ? "succeeded" : o->next_attempt_at < 0 ? "failed" : "pending";
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_job_finish, "ttiii", job->id, state, o->next_attempt_at,
                                         (int64_t)logged, r->ended_ms));
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
    db_status result = op->done ? finish(c, w, op->done) : DB_OK;
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

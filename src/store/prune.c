/* Retention: what is older than --retention goes, in the background, in small batches. A batch is
 * one write of the committer like any other (so it shares a commit with the writes around it and
 * never holds the write lock for long), and the next batch waits at least PAUSE_MIN_MS and eight
 * times as long as the last one took from submission to answer: the more the committer has to
 * do, the slower the pruning, and about a tenth of the committer's time at most goes to it.
 *
 * What goes: finished jobs (succeeded, failed, cancelled; no attempt under way, no resend waiting)
 * whose last activity is older than the retention, with their logs and delivery records, and
 * their event once it has no job left; expired tokens, a short grace after their expiry. A
 * pending job is never pruned, nor its logs. The kept totals (sql/009) follow every row. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "db_internal.h"
#include "timestamp.h"

/* Rows a batch deletes at most (one job with more logs than that goes alone, whole). */
#define PRUNE_BATCH_ROWS 500
/* Jobs a batch looks at (a job with one attempt is three rows: job, log, record). */
#define PRUNE_BATCH_JOBS 200
/* Between two batches while rows are left: at least this, and PAUSE_FACTOR times the last batch's time. */
#define PAUSE_MIN_MS 50
#define PAUSE_FACTOR 8
/* Between two passes: a tenth of the retention, within these bounds. */
#define INTERVAL_MIN_MS 100
#define INTERVAL_MAX_MS 60000
/* An expired token is kept this long (or the retention, when shorter) after its expiry. */
#define TOKEN_GRACE_MS 60000

DB_QUERY(q_prune_tokens, "DELETE FROM tokens WHERE token IN "
                         "(SELECT token FROM tokens WHERE expires < ?1 ORDER BY expires LIMIT ?2)");
DB_QUERY(q_prune_jobs, "SELECT id, store_id, integration_id, event_id, log_count FROM jobs "
                       "WHERE state <> 'pending' AND running = 0 AND last_activity_at < ?1 "
                       "AND NOT EXISTS (SELECT 1 FROM resends WHERE resends.job_id = jobs.id) "
                       "ORDER BY last_activity_at LIMIT ?2");
DB_QUERY(q_prune_logs, "DELETE FROM logs WHERE job_id = ?1");
DB_QUERY(q_prune_deliveries, "DELETE FROM deliveries WHERE job_id = ?1");
DB_QUERY(q_prune_job, "DELETE FROM jobs WHERE id = ?1");
DB_QUERY(q_prune_event, "DELETE FROM events WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM jobs WHERE event_id = ?1)");
DB_QUERY(q_prune_counts, "UPDATE counts SET jobs = jobs - 1, logs = logs - ?3, deliveries = deliveries - ?4 "
                         "WHERE store_id = ?1 AND integration_id IN ('', ?2)");
DB_QUERY(q_prune_counts_empty, "DELETE FROM counts WHERE store_id = ?1 AND integration_id = ?2 "
                               "AND jobs = 0 AND logs = 0 AND deliveries = 0");

typedef struct prune_job {
    char id[UUID_STR_LEN], store_id[UUID_STR_LEN], integration_id[UUID_STR_LEN], event_id[UUID_STR_LEN];
    int64_t logs;
} prune_job;

typedef struct prune_list {
    prune_job *jobs;
    size_t n, cap;
    bool out_of_memory;
} prune_list;

static void add_job(sqlite3_stmt *st, void *ctx)
{
    prune_list *l = ctx;
    if (!array_room((void **)&l->jobs, &l->cap, l->n, sizeof *l->jobs, PRUNE_BATCH_JOBS)) {
        l->out_of_memory = true;
        return;
    }
    prune_job *j = &l->jobs[l->n++];
    db_column_id(st, 0, j->id);
    db_column_id(st, 1, j->store_id);
    db_column_id(st, 2, j->integration_id);
    db_column_id(st, 3, j->event_id);
    j->logs = sqlite3_column_int64(st, 4);
}

typedef struct prune_batch {
    db_write write;
    int64_t jobs_before_ms;  /* finished jobs whose last activity is older; < 0: none */
    int64_t tokens_before_s; /* tokens that expired before */
    size_t budget;           /* rows at most (one job may pass it alone) */
    size_t rows;             /* out: rows deleted */
    bool more;               /* out: the budget or the jobs looked at ran out: rows may be left */
} prune_batch;

/* Deletes one job, its logs and records, and its event when it was the last job of it. */
static db_status prune_one(db_conn *c, const prune_job *j, size_t *rows)
{
    db_status result = db_step_done(c, db_bind(c, &q_prune_logs, "t", j->id));
    int64_t logs = result == DB_OK ? db_changes(c) : 0, records = 0;
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_prune_deliveries, "t", j->id));
    if (result == DB_OK)
        records = db_changes(c);
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_prune_job, "t", j->id));
    if (result == DB_OK && db_changes(c) != 1)
        return DB_ERROR; /* read in this transaction: cannot be gone */
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_prune_event, "t", j->event_id));
    size_t events = result == DB_OK ? (size_t)db_changes(c) : 0;
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_prune_counts, "ttii", j->store_id, j->integration_id, logs, records));
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_prune_counts_empty, "tt", j->store_id, j->integration_id));
    *rows += 1 + (size_t)logs + (size_t)records + events;
    return result;
}

static db_status apply_prune(db_conn *c, db_write *w)
{
    prune_batch *op = (prune_batch *)w;
    op->rows = 0; /* a second run (alone, after a failed batch) starts afresh */
    op->more = false;
    db_status result =
        db_step_done(c, db_bind(c, &q_prune_tokens, "ii", op->tokens_before_s, (int64_t)op->budget));
    if (result != DB_OK)
        return result;
    op->rows += (size_t)db_changes(c);
    op->more = op->rows >= op->budget;
    if (op->jobs_before_ms < 0 || op->more)
        return DB_OK;
    prune_list list = {0};
    result = db_each_row(c, db_bind(c, &q_prune_jobs, "ii", op->jobs_before_ms, (int64_t)PRUNE_BATCH_JOBS), add_job,
                         &list);
    if (list.out_of_memory)
        result = DB_ERROR;
    op->more = list.n == PRUNE_BATCH_JOBS;
    for (size_t i = 0; result == DB_OK && i < list.n; i++) {
        /* a job costs itself, its logs and about as many records */
        if (i > 0 && op->rows + 1 + 2 * (size_t)list.jobs[i].logs > op->budget) {
            op->more = true;
            break;
        }
        result = prune_one(c, &list.jobs[i], &op->rows);
    }
    free(list.jobs);
    return result;
}

/* One batch through the committer; *more: rows may be left. */
static db_status prune_batch_run(db *d, int64_t jobs_before_ms, int64_t tokens_before_s, size_t budget, size_t *rows,
                                 bool *more)
{
    prune_batch op = {.jobs_before_ms = jobs_before_ms, .tokens_before_s = tokens_before_s, .budget = budget};
    db_write_setup(&op.write, apply_prune);
    db_status result = db_submit_wait(d, &op.write);
    *rows = result == DB_OK ? op.rows : 0;
    *more = result == DB_OK && op.more;
    return result;
}

db_status db_prune_batch(db *d, int64_t jobs_before_ms, int64_t tokens_before_s, size_t budget, size_t *rows)
{
    bool more;
    return prune_batch_run(d, jobs_before_ms, tokens_before_s, budget, rows, &more);
}

/* ---- the pruning thread ---------------------------------------------------------------------- */

struct db_pruner {
    worker_thread thread; /* first (see worker_thread_new); its lock guards nothing but the wait */
    db *owner;
    int64_t retention_ms; /* 0: jobs and their rows are kept */
    int64_t token_grace_ms;
    int64_t interval_ms;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits ms (with the lock held) or until stopping; true when stopping. */
static bool pause_for(db_pruner *p, int64_t ms)
{
    int64_t end = monotonic_ms() + ms, left;
    while (!p->thread.stopping && (left = end - monotonic_ms()) > 0)
        worker_thread_wait_ms(&p->thread, left);
    return p->thread.stopping;
}

static void *pruner_main(void *arg)
{
    db_pruner *p = arg;
    pthread_mutex_lock(&p->thread.mu);
    while (!p->thread.stopping) {
        pthread_mutex_unlock(&p->thread.mu);
        int64_t now = now_ms(), started = monotonic_ms();
        size_t rows = 0;
        bool more = false;
        prune_batch_run(p->owner, p->retention_ms > 0 ? now - p->retention_ms : -1, (now - p->token_grace_ms) / 1000,
                        PRUNE_BATCH_ROWS, &rows, &more);
        int64_t took = monotonic_ms() - started;
        pthread_mutex_lock(&p->thread.mu);
        /* rows left: the next batch soon, paced by what this one cost; else the next pass. A
         * failed batch (reported) waits for the next pass too. */
        int64_t wait = more ? PAUSE_FACTOR * took : p->interval_ms;
        if (pause_for(p, wait < PAUSE_MIN_MS ? PAUSE_MIN_MS : wait))
            break;
    }
    pthread_mutex_unlock(&p->thread.mu);
    return NULL;
}

db_pruner *db_pruner_start(db *d, int64_t retention_ms)
{
    db_pruner *p = worker_thread_new(sizeof *p);
    if (p) {
        p->owner = d;
        p->retention_ms = retention_ms > 0 ? retention_ms : 0;
        p->token_grace_ms = p->retention_ms > 0 && p->retention_ms < TOKEN_GRACE_MS ? p->retention_ms : TOKEN_GRACE_MS;
        int64_t interval = p->retention_ms > 0 ? p->retention_ms / 10 : INTERVAL_MAX_MS;
        p->interval_ms = interval < INTERVAL_MIN_MS ? INTERVAL_MIN_MS
                         : interval > INTERVAL_MAX_MS ? INTERVAL_MAX_MS
                                                      : interval;
    }
    return worker_thread_run(p, pruner_main);
}

void db_pruner_stop(db_pruner *p)
{
    worker_thread_free(p);
}

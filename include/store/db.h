/* SQLite storage (WAL). Reads run on the calling thread's own connection, so they never wait
 * for a write. Every write is an operation handed to the committer thread, which applies all the
 * writes waiting at that moment in one transaction and one commit (group commit), then tells each
 * its outcome: a request is answered once its own change is durable, and a burst of writes costs
 * one commit, not one each. */
#ifndef INTEGRATIONSD_DB_H
#define INTEGRATIONSD_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids.h"
#include "integration.h"
#include "job_log.h"
#include "payload.h"
#include "wire.h"

typedef struct db db;
typedef struct db_conn db_conn;

typedef enum {
    DB_OK = 0,
    DB_NOT_FOUND,
    DB_LIMIT,    /* the store holds its maximum of integrations */
    DB_CONFLICT, /* what the write was based on changed meanwhile: read again and decide again */
    DB_ERROR     /* SQLite failed; reported on stderr */
} db_status;

/* Opens (creating if needed), migrates and starts the committer. ":memory:" is a fresh database
 * in a private temporary folder, removed by db_close. NULL after printing why. */
db *db_open(const char *path);
/* Applies the writes still queued, stops the committer, closes every connection. */
void db_close(db *d);

/* ---- writes --------------------------------------------------------------------------------- */

typedef struct db_write db_write;
struct db_write {
    /* the caller's */
    void (*done)(db_write *w); /* runs on the committer thread once the outcome is known; may free w */
    void *done_ctx;
    /* the outcome, when done runs */
    db_status status;
    size_t jobs_created;
    /* the operation's and the committer's */
    db_status (*apply)(db_conn *c, db_write *w);
    const char *changed_store; /* set by apply: whose integrations it changed (see db_store_version) */
    const char *delivered_store; /* set by apply: whose delivery records it added (db_delivery_version) */
    db_write *next;
};

/* Queues an operation (cleared and initialised by its db_*_init function, then filled in, done
 * set by the caller). It must stay valid until done(w) runs. */
void db_submit(db *d, db_write *w);
/* Queues an operation and waits for its outcome (done is set here). For start-up and the
 * delivery workers; a request never waits: it submits and answers from done. */
db_status db_submit_wait(db *d, db_write *w);

/* ---- clients, stores, tokens (spec §2) ------------------------------------------------------- */

typedef struct client_row {
    char store_id[UUID_STR_LEN];
    bool has_secret;
    char secret_hash[65]; /* hex SHA-256 of the secret */
} client_row;

db_status db_client_find(db *d, const char *client_id, client_row *out);
typedef void (*client_visitor)(const char *client_id, void *ctx);
/* Visits the clients of a store, oldest first. */
db_status db_client_list(db *d, const char *store_id, client_visitor visit, void *ctx);

typedef enum { GRANT_CLIENT_CREDENTIALS, GRANT_IMPLICIT } grant_type;

typedef struct token_row {
    char store_id[UUID_STR_LEN];
    grant_type grant;
    int64_t expires; /* unix seconds */
} token_row;

db_status db_token_find(db *d, const char *token, token_row *out);

/* Stores a token for a client, creating the client and its store on its first request. With a
 * secret_hash, a client that has no secret yet takes this one, and a client whose secret is
 * another one answers DB_CONFLICT without any change. */
typedef struct db_token_issue {
    db_write write;
    const char *client_id;
    const char *secret_hash; /* NULL: none presented (implicit grant) */
    const char *token;
    grant_type grant;
    int64_t expires; /* unix seconds */
    long max_stores; /* a new client_id makes a store: DB_LIMIT past this many (0: no limit) */
} db_token_issue;
void db_token_issue_init(db_token_issue *op);

/* Configured mode (start-up): the client exists with exactly this secret, keeping its store. */
db_status db_client_configure(db *d, const char *client_id, const char *secret_hash);
/* Start-up housekeeping: drops tokens that expired before `now` (unix seconds). */
db_status db_token_purge(db *d, int64_t now);
/* Deletes every token of a client that is not in client_ids_json (a JSON array of strings): the
 * tokens issued in open mode when the server starts in configured mode. */
db_status db_tokens_revoke_others(db *d, const char *client_ids_json);

/* ---- retention (prune.c) --------------------------------------------------------------------- */

/* Starts pruning in the background until db_close: finished jobs (succeeded, failed, cancelled;
 * no attempt under way, no resend waiting) whose last activity is older than retention_ms, with
 * their logs, delivery records and (once it has no job left) their event; and expired tokens,
 * min(60 s, retention) after their expiry (60 s when retention_ms is 0, which keeps every job).
 * In batches of at most 500 rows, each one write of the committer, paced by what the last one
 * cost. false when the thread cannot be started. */
bool db_prune_start(db *d, int64_t retention_ms);
/* One batch, now: tokens that expired before tokens_before_s (unix seconds), then finished jobs
 * whose last activity is before jobs_before_ms (unix ms; < 0: none) with what belongs to them,
 * about `budget` rows at most (a job goes whole). *rows: the rows deleted. */
db_status db_prune_batch(db *d, int64_t jobs_before_ms, int64_t tokens_before_s, size_t budget, size_t *rows);

/* ---- integrations (spec §3, §4) -------------------------------------------------------------- */

db_status db_integration_get(db *d, const char *store_id, const char *id, integration *out);

/* A number that moves whenever a write that changes the store's integrations commits, before
 * that write is answered: two reads that get the same number saw the same integrations (for
 * pages kept in memory). One memory read. */
uint64_t db_store_version(db *d, const char *store_id);
/* Moves, after the commit, with every delivery record a store gets (a waiting reader looks again). */
uint64_t db_delivery_version(db *d, const char *store_id);

/* Called for each integration of a page; the strings of `it` are valid during the call only. */
typedef void (*integration_visitor)(const integration *it, void *ctx);
/* One page of the store's integrations, oldest first; *total = integrations of the store. */
db_status db_integration_list(db *d, const char *store_id, long limit, long offset, integration_visitor visit,
                              void *ctx, long *total);

/* Carries out the plan of integration_decide(before, after) in one transaction: the row, the
 * store's count, the observers index, cancelled jobs and the event with its jobs (spec §7; jobs
 * are decided after the change: a new integration sees its own creation, a deleted one not its
 * deletion). Outcome: DB_OK; DB_LIMIT (a create past max_per_store); DB_NOT_FOUND (gone);
 * DB_CONFLICT (the row is no longer `before`: read it again). */
typedef struct db_integration_change {
    db_write write;
    const char *store_id;
    const integration *before; /* as read; NULL for a create */
    const integration *after;  /* NULL for a delete */
    integration_change plan;
    const char *event_payload; /* JSON text */
    long max_per_store;        /* checked by a create */
} db_integration_change;
void db_integration_change_init(db_integration_change *op);

/* ---- events, jobs and logs (spec §7) --------------------------------------------------------- */

/* The emulator's event: records it (event_id given) and one job per observer; jobs (a JSON
 * array, optional) gets {"type":"integration-job","id","integration_id"} per job. */
typedef struct db_event_emit {
    db_write write;
    const char *store_id;
    const char *trigger;
    const char *payload; /* JSON text */
    const char *event_id;
    json_t *jobs;
} db_event_emit;
void db_event_emit_init(db_event_emit *op);

/* One store of a seed, as the store applies it. */
typedef struct db_seed_store {
    const char *const *client_ids;
    const char *const *secret_hashes; /* per client; NULL: none given */
    size_t client_count;
    const integration *integrations;  /* created_at 0: the time they are stored */
    size_t integration_count;
    char store_id[UUID_STR_LEN];      /* out: the store its clients lead to */
} db_seed_store;

/* A seed, in one transaction: each store is the one of its first client that exists (or a new
 * one), its other clients join it, and every integration whose id is free is stored (no event).
 * DB_CONFLICT: a client of the store is in another store (failed_store tells which);
 * DB_LIMIT: past max_per_store. */
typedef struct db_seed_apply {
    db_write write;
    db_seed_store *stores;
    size_t store_count;
    long max_per_store;
    size_t failed_store;
} db_seed_apply;
void db_seed_apply_init(db_seed_apply *op);

/* The emulator's reset of a store: its integrations, events, jobs and logs go, in one
 * transaction; its clients and tokens stay. A job under way then leaves no log. Then the
 * integrations of `seed` (its part of the seed, or NULL) are stored again. */
typedef struct db_store_reset {
    db_write write;
    const char *store_id;
    const db_seed_store *seed;
    long max_per_store;
} db_store_reset;
void db_store_reset_init(db_store_reset *op);

/* PUT /emulator/v1/state: the store emptied as by a reset, then `integrations` stored, all or
 * nothing. DB_CONFLICT: the id of integrations[failed_index] belongs to another store. */
typedef struct db_state_replace {
    db_write write;
    const char *store_id;
    const integration *integrations;
    size_t integration_count;
    long max_per_store;
    size_t failed_index;
} db_state_replace;
void db_state_replace_init(db_state_replace *op);

/* The emulator's resend: one more attempt of the store's job now, whatever its state; the job
 * keeps its state and schedule. DB_NOT_FOUND: no such job in the store, or (integration_gone)
 * its integration is gone. attempt: the attempt number it takes. */
typedef struct db_job_resend {
    db_write write;
    const char *store_id;
    const char *job_id;
    int attempt;
    bool integration_gone;
} db_job_resend;
void db_job_resend_init(db_job_resend *op);

/* The emulator's flush: every pending job of the store is due now. jobs: how many. */
typedef struct db_jobs_flush {
    db_write write;
    const char *store_id;
    long jobs;
} db_jobs_flush;
void db_jobs_flush_init(db_jobs_flush *op);

/* The emulator's delivery records of a store, newest attempt first. */
typedef struct delivery_filter {
    const char *store_id;       /* always */
    const char *integration_id; /* NULL: any */
    const char *job_id;         /* NULL: any */
    const char *trigger;        /* NULL: any */
    int succeeded;              /* 0, 1; -1: any */
} delivery_filter;
typedef void (*delivery_visitor)(const delivery_record *d, void *ctx);
db_status db_delivery_list(db *d, const delivery_filter *f, long limit, long offset, delivery_visitor visit, void *ctx,
                           long *total);

typedef struct log_filter {
    const char *store_id;       /* always */
    const char *integration_id; /* NULL = every integration of the store */
    const char *job_id;         /* NULL = every job */
} log_filter;

typedef void (*job_log_visitor)(const job_log *log, void *ctx);
/* Visits one page of logs, newest first; *total = count matching the filter. */
db_status db_log_list(db *d, const log_filter *f, long limit, long offset, job_log_visitor visit, void *ctx,
                      long *total);
typedef void (*job_visitor)(const char *job_id, void *ctx);
/* Visits one page of an integration's jobs, newest first; *total = its jobs. */
db_status db_job_list(db *d, const char *store_id, const char *integration_id, long limit, long offset,
                      job_visitor visit, void *ctx, long *total);
db_status db_job_exists(db *d, const char *store_id, const char *integration_id, const char *job_id);

/* ---- the delivery runner -------------------------------------------------------------------- */

/* Called on the committer thread after a commit that created jobs. New jobs are first due
 * first_attempt_delay_ms after their event. */
typedef void (*db_job_listener)(void *ctx);
void db_set_job_listener(db *d, db_job_listener fn, void *ctx, int64_t first_attempt_delay_ms);

/* When the first pending job is due (unix ms), or -1 when none is pending. */
db_status db_job_next_due(db *d, int64_t *next_due);

/* Start-up: a job a previous process held when it died had an attempt under way. That attempt
 * gets its log (failed, "The server stopped during this attempt"); the job is due again at once,
 * or failed when it has no attempt left of max_attempts. */
db_status db_jobs_recover(db *d, size_t max_attempts, int64_t now);

/* The outcome of the attempt a worker has just made. */
typedef struct job_outcome {
    const delivery_job *job;
    const attempt_result *result;
    int64_t next_attempt_at; /* unix ms when it is to be tried again; -1: succeeded or out of attempts */
} job_outcome;

/* One step of a delivery worker, in one transaction: writes the log of the attempt just made and
 * reschedules its job (when done is not NULL), then takes the job due first (next_attempt_at <=
 * now; now < 0 takes none) among those whose integration has no attempt under way that started
 * less than 250 ms ago (a receiver that answers in time gets its events one at a time, in order;
 * past a backlog of 16 due jobs waiting this way, the first due is taken all the same), counts its
 * attempt and loads what the transports need. DB_NOT_FOUND when none can be taken (the outcome is
 * written all the same); *next_due is then when to try again in unix ms (the next pending job, or
 * shortly when due ones wait for attempts under way), or -1 when none is pending. Jobs whose
 * integration is gone or disabled are cancelled. DB_ERROR: nothing was written. */
db_status db_job_next(db *d, const job_outcome *done, int64_t now, delivery_job *job, int64_t *next_due);

#endif

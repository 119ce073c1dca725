/* SQLite storage: one connection serialised by a mutex, WAL, migrations embedded from sql/. */
#ifndef INTEGRATIONSD_DB_H
#define INTEGRATIONSD_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ids.h"
#include "integration.h"
#include "job_log.h"
#include "payload.h"

typedef struct db db;

typedef enum {
    DB_OK = 0,
    DB_NOT_FOUND,
    DB_LIMIT,      /* the store holds its maximum of integrations */
    DB_ERROR       /* SQLite failed; logged to stderr */
} db_status;

/* Opens (creating if needed) and migrates. Returns NULL after printing why. */
db *db_open(const char *path);
void db_close(db *d);
/* --- clients, stores, tokens ------------------------------------------------------------ */

typedef struct client_row {
    char store_id[UUID_STR_LEN];
    bool has_secret;
    char secret_hash[65]; /* hex SHA-256 of the secret */
} client_row;

/* Returns the client, creating it and its store on first use (secret_hash may be NULL). */
db_status db_client_ensure(db *d, const char *client_id, const char *secret_hash, client_row *out);
/* Sets the secret of a client that has none yet (first client_credentials after an implicit). */
db_status db_client_claim_secret(db *d, const char *client_id, const char *secret_hash);
/* Configured mode: the client gets this secret, keeping its store across restarts. */
db_status db_client_configure(db *d, const char *client_id, const char *secret_hash);

typedef enum { GRANT_CLIENT_CREDENTIALS, GRANT_IMPLICIT } grant_type;

typedef struct token_row {
    char store_id[UUID_STR_LEN];
    grant_type grant;
    int64_t expires; /* unix seconds */
} token_row;

db_status db_token_insert(db *d, const char *token, const char *client_id, const char *store_id,
                          grant_type grant, int64_t expires);
db_status db_token_find(db *d, const char *token, token_row *out);
/* Drops tokens that expired before `now` (start-up housekeeping). */
db_status db_token_purge(db *d, int64_t now);

/* --- integrations ----------------------------------------------------------------------- */
/* Insert, update and delete also raise integration.created / .updated / .deleted with the
 * given payload (JSON text) in the same transaction (spec §7): jobs are decided after the
 * change, so a new integration sees its own creation and a deleted one not its deletion.
 * Disabling or deleting an integration cancels its pending jobs. */

db_status db_integration_insert(db *d, const char *store_id, const integration *it, long max_per_store,
                                const char *event_payload);
db_status db_integration_get(db *d, const char *store_id, const char *id, integration *out);
db_status db_integration_update(db *d, const char *store_id, const integration *it, const char *event_payload);
db_status db_integration_delete(db *d, const char *store_id, const char *id, const char *event_payload);
/* One page of the store's integrations, oldest first, into page[0..*count) (room for `limit`;
 * the caller clears each, also after an error); *total = count in the store. Rendering is left
 * to the caller so that the lock is held only for the reads. */
db_status db_integration_list(db *d, const char *store_id, long limit, long offset, integration_listing *page,
                              size_t *count, long *total);

/* --- jobs and logs ---------------------------------------------------------------------- */

typedef struct log_filter {
    const char *store_id;       /* always */
    const char *integration_id; /* NULL = every integration of the store */
    const char *job_id;         /* NULL = every job */
} log_filter;

typedef void (*job_log_visitor)(const job_log *log, void *ctx);
/* Visits one page of logs, newest first; *total = count matching the filter. */
db_status db_log_list(db *d, const log_filter *f, long limit, long offset, job_log_visitor visit, void *ctx,
                      long *total);
/* Appends {"id","type":"integration-job"} of one page of jobs (newest first) to data. */
db_status db_job_list(db *d, const char *store_id, const char *integration_id, long limit, long offset,
                      json_t *data, long *total);
db_status db_job_exists(db *d, const char *store_id, const char *integration_id, const char *job_id);

/* --- delivery --------------------------------------------------------------------------- */

/* Called (from the committing thread, outside the lock) after jobs were created. New jobs are
 * first due first_attempt_delay_ms after their event. */
typedef void (*db_job_listener)(void *ctx);
void db_set_job_listener(db *d, db_job_listener fn, void *ctx, int64_t first_attempt_delay_ms);

/* Emulator events: records the event (id given) and its jobs; jobs gets one
 * {"type":"integration-job","id","integration_id"} per job. */
db_status db_event_emit(db *d, const char *store_id, const char *trigger, const char *payload, const char *event_id,
                        json_t *jobs);

/* Start-up: a job a previous process held when it died had an attempt under way. That attempt
 * gets its log (failed, "The server stopped during this attempt"); the job is due again at once,
 * or failed when it has no attempt left of max_attempts. */
db_status db_jobs_recover(db *d, size_t max_attempts, int64_t now);

/* Takes the job due first (next_attempt_at <= now), counts its attempt and loads what the
 * transports need. DB_NOT_FOUND when none is due; *next_due is then the time of the next
 * pending job in unix ms, or -1. Jobs whose integration is gone or disabled are cancelled. */
db_status db_job_claim(db *d, int64_t now, delivery_job *job, int64_t *next_due);

typedef struct attempt_result {
    bool succeeded;
    int status_code;        /* 0 = no HTTP answer */
    char *body;             /* valid UTF-8, at most RESPONSE_BODY_MAX bytes; owned */
    char error_detail[512];
    double processing_time; /* seconds */
} attempt_result;

/* Writes the log of the attempt and reschedules the job: next_attempt_at (unix ms) when it is
 * to be tried again, -1 when it succeeded or has no attempts left. */
db_status db_job_finish(db *d, const delivery_job *job, const attempt_result *r, int64_t next_attempt_at);

#endif

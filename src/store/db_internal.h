/* Shared by the files of src/store only. */
#ifndef INTEGRATIONSD_DB_INTERNAL_H
#define INTEGRATIONSD_DB_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "db.h"

typedef enum {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_STORE_INSERT,
    STMT_CLIENT_GET,
    STMT_CLIENT_INSERT,
    STMT_CLIENT_CLAIM,
    STMT_CLIENT_SET_SECRET,
    STMT_TOKEN_INSERT,
    STMT_TOKEN_GET,
    STMT_TOKEN_PURGE,
    STMT_INTEGRATION_COUNT,
    STMT_INTEGRATION_INSERT,
    STMT_INTEGRATION_GET,
    STMT_INTEGRATION_UPDATE,
    STMT_INTEGRATION_DELETE,
    STMT_INTEGRATION_LIST,
    STMT_INTEGRATION_UNSHOWN,
    STMT_INTEGRATION_SET_SHOWN,
    STMT_JOB_COUNT,
    STMT_JOB_LIST,
    STMT_JOB_EXISTS,
    STMT_LOG_COUNT_STORE,
    STMT_LOG_LIST_STORE,
    STMT_LOG_COUNT_INTEGRATION,
    STMT_LOG_LIST_INTEGRATION,
    STMT_LOG_COUNT_JOB,
    STMT_LOG_LIST_JOB,
    STMT_EVENT_INSERT,
    STMT_OBSERVERS,
    STMT_JOB_INSERT,
    STMT_JOBS_CANCEL,
    STMT_JOBS_RUNNING,
    STMT_JOBS_RECOVER,
    STMT_JOB_DUE,
    STMT_JOB_NEXT_DUE,
    STMT_JOB_START,
    STMT_JOB_CANCEL_ONE,
    STMT_JOB_FINISH,
    STMT_LOG_INSERT,
    STMT_COUNT
} statement;

struct db {
    sqlite3 *conn;
    pthread_mutex_t mu; /* one user of the connection and its statements at a time */
    sqlite3_stmt *stmts[STMT_COUNT];
    db_job_listener on_jobs; /* told after a commit that created jobs */
    void *on_jobs_ctx;
    int64_t first_attempt_delay_ms; /* from the retry schedule */
};

void db_lock(db *d);
void db_unlock(db *d);
/* The prepared statement, reset and with its bindings cleared. */
sqlite3_stmt *db_stmt(db *d, statement s);
/* Runs a statement that returns no rows we need (BEGIN, COMMIT, …). */
db_status db_exec_stmt(db *d, statement s);
/* Steps a bound `SELECT count(*)` statement. */
db_status db_count(db *d, sqlite3_stmt *st, long *out);
/* COMMIT when st is DB_OK, else ROLLBACK; returns st. */
db_status db_finish(db *d, db_status st);
/* Binds a string (SQLITE_STATIC: valid until the statement is stepped) or NULL. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);
void db_report(db *d, const char *what);
/* Copies an id column (at most UUID_STR_LEN - 1 bytes); "" for NULL. */
void db_column_id(sqlite3_stmt *st, int col, char out[UUID_STR_LEN]);

/* Records an event and one pending job per enabled integration of the store observing trigger,
 * inside the caller's transaction. jobs (optional) gets {"type","id","integration_id"} per job.
 * *created counts the jobs. Caller holds the lock. */
db_status db_emit_locked(db *d, const char *store_id, const char *trigger, const char *payload,
                         const char *event_id, json_t *jobs, size_t *created);
/* Cancels the pending jobs of an integration (disabled or deleted). Caller holds the lock. */
db_status db_cancel_jobs_locked(db *d, const char *integration_id);
/* Start-up: rows written before migration 003 get their shown (masked) configuration. */
db_status db_fill_shown_configuration(db *d);
/* Reads the columns of STMT_INTEGRATION_GET. */
bool db_row_to_integration(sqlite3_stmt *st, integration *it);
/* Tells the listener, if any, that jobs were committed. Call after db_unlock. */
void db_announce_jobs(db *d, size_t created);

#endif

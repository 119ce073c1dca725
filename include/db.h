/* SQLite storage: one connection serialised by a mutex, WAL, migrations embedded from sql/. */
#ifndef INTEGRATIONSD_DB_H
#define INTEGRATIONSD_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ids.h"
#include "integration.h"
#include "job_log.h"

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
/* The schema version the database is at (number of the last applied migration). */
int db_schema_version(db *d);
/* The highest migration version compiled into the binary. */
int db_latest_version(void);

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

db_status db_integration_insert(db *d, const char *store_id, const integration *it, long max_per_store);
db_status db_integration_get(db *d, const char *store_id, const char *id, integration *out);
db_status db_integration_update(db *d, const char *store_id, const integration *it);
db_status db_integration_delete(db *d, const char *store_id, const char *id);
typedef void (*integration_visitor)(const integration *it, void *ctx);
/* Visits one page of the store's integrations, oldest first; *total = count in the store. */
db_status db_integration_list(db *d, const char *store_id, long limit, long offset, integration_visitor visit,
                              void *ctx, long *total);

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

#endif

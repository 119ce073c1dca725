/* Connection, migrations and the statement cache. The queries of each resource live in
 * their own file (auth_store.c, integration_store.c, delivery_store.c). */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrations.h"

static const char *const statement_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_STORE_INSERT] = "INSERT INTO stores (id, created_at) VALUES (?1, ?2)",
    [STMT_CLIENT_GET] = "SELECT store_id, secret_hash FROM clients WHERE client_id = ?1",
    [STMT_CLIENT_INSERT] = "INSERT INTO clients (client_id, secret_hash, store_id, created_at) VALUES (?1, ?2, ?3, ?4)",
    [STMT_CLIENT_CLAIM] = "UPDATE clients SET secret_hash = ?2 WHERE client_id = ?1 AND secret_hash IS NULL",
    [STMT_CLIENT_SET_SECRET] = "UPDATE clients SET secret_hash = ?2 WHERE client_id = ?1",
    [STMT_TOKEN_INSERT] = "INSERT INTO tokens (token, client_id, store_id, grant_type, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
    [STMT_TOKEN_GET] = "SELECT store_id, grant_type, expires FROM tokens WHERE token = ?1",
    [STMT_TOKEN_PURGE] = "DELETE FROM tokens WHERE expires < ?1",
    [STMT_INTEGRATION_COUNT] = "SELECT count(*) FROM integrations WHERE store_id = ?1",
    [STMT_INTEGRATION_INSERT] =
        "INSERT INTO integrations (id, store_id, integration_type, name, description, enabled, configuration, "
        "observes, created_at, updated_at, configuration_shown) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [STMT_INTEGRATION_GET] =
        "SELECT id, integration_type, name, description, enabled, configuration, observes, created_at, updated_at "
        "FROM integrations WHERE id = ?1 AND store_id = ?2",
    [STMT_INTEGRATION_UPDATE] =
        "UPDATE integrations SET integration_type = ?3, name = ?4, description = ?5, enabled = ?6, "
        "configuration = ?7, observes = ?8, updated_at = ?9, configuration_shown = ?11 WHERE id = ?1 AND store_id = ?2",
    [STMT_INTEGRATION_DELETE] = "DELETE FROM integrations WHERE id = ?1 AND store_id = ?2",
    [STMT_INTEGRATION_LIST] =
        "SELECT id, integration_type, name, description, enabled, configuration_shown, observes, created_at, "
        "updated_at FROM integrations WHERE store_id = ?1 ORDER BY created_at, id LIMIT ?2 OFFSET ?3",
    [STMT_INTEGRATION_UNSHOWN] =
        "SELECT id, integration_type, name, description, enabled, configuration, observes, created_at, updated_at "
        "FROM integrations WHERE configuration_shown IS NULL",
    [STMT_INTEGRATION_SET_SHOWN] = "UPDATE integrations SET configuration_shown = ?2 WHERE id = ?1",
    [STMT_JOB_COUNT] = "SELECT count(*) FROM jobs WHERE store_id = ?1 AND integration_id = ?2",
    [STMT_JOB_LIST] = "SELECT id FROM jobs WHERE store_id = ?1 AND integration_id = ?2 "
                      "ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4",
    [STMT_JOB_EXISTS] = "SELECT 1 FROM jobs WHERE id = ?1 AND store_id = ?2 AND integration_id = ?3",
#define LOG_COLUMNS \
    "SELECT id, job_id, integration_id, attempt, succeeded, processing_time, body, status_code, error_detail, " \
    "created_at FROM logs "
    [STMT_LOG_COUNT_STORE] = "SELECT count(*) FROM logs WHERE store_id = ?1",
    [STMT_LOG_LIST_STORE] = LOG_COLUMNS "WHERE store_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5",
    [STMT_LOG_COUNT_INTEGRATION] = "SELECT count(*) FROM logs WHERE store_id = ?1 AND integration_id = ?2",
    [STMT_LOG_LIST_INTEGRATION] = LOG_COLUMNS "WHERE store_id = ?1 AND integration_id = ?2 "
                                              "ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5",
    [STMT_LOG_COUNT_JOB] = "SELECT count(*) FROM logs WHERE store_id = ?1 AND integration_id = ?2 AND job_id = ?3",
    [STMT_LOG_LIST_JOB] = LOG_COLUMNS "WHERE store_id = ?1 AND integration_id = ?2 AND job_id = ?3 "
                                      "ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5",
#undef LOG_COLUMNS
    [STMT_EVENT_INSERT] = "INSERT INTO events (id, store_id, trigger, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [STMT_OBSERVERS] = "SELECT id FROM integrations WHERE store_id = ?1 AND enabled = 1 AND EXISTS "
                       "(SELECT 1 FROM json_each(integrations.observes) WHERE json_each.value = ?2) "
                       "ORDER BY created_at, id",
    [STMT_JOB_INSERT] = "INSERT INTO jobs (id, event_id, integration_id, store_id, state, next_attempt_at, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
    [STMT_JOBS_CANCEL] = "UPDATE jobs SET state = 'cancelled', next_attempt_at = NULL "
                         "WHERE integration_id = ?1 AND state = 'pending'",
    [STMT_JOBS_RUNNING] = "SELECT id, integration_id, store_id, attempts FROM jobs WHERE running = 1",
    [STMT_JOBS_RECOVER] = "UPDATE jobs SET running = 0, "
                          "state = CASE WHEN state = 'pending' AND attempts >= ?1 THEN 'failed' ELSE state END, "
                          "next_attempt_at = CASE WHEN state = 'pending' AND attempts < ?1 THEN ?2 ELSE NULL END "
                          "WHERE running = 1",
    [STMT_JOB_DUE] = "SELECT j.id, j.attempts, j.store_id, j.integration_id, e.trigger, e.payload, e.created_at "
                     "FROM jobs j JOIN events e ON e.id = j.event_id "
                     "WHERE j.state = 'pending' AND j.running = 0 AND j.next_attempt_at <= ?1 "
                     "ORDER BY j.next_attempt_at LIMIT 1",
    [STMT_JOB_NEXT_DUE] = "SELECT min(next_attempt_at) FROM jobs WHERE state = 'pending' AND running = 0",
    [STMT_JOB_START] = "UPDATE jobs SET running = 1, attempts = attempts + 1 WHERE id = ?1",
    [STMT_JOB_CANCEL_ONE] = "UPDATE jobs SET state = 'cancelled', next_attempt_at = NULL WHERE id = ?1",
    /* A job cancelled while its attempt ran stays cancelled. */
    [STMT_JOB_FINISH] = "UPDATE jobs SET running = 0, "
                        "state = CASE WHEN state = 'pending' THEN ?2 ELSE state END, "
                        "next_attempt_at = CASE WHEN state = 'pending' AND ?2 = 'pending' THEN ?3 ELSE NULL END "
                        "WHERE id = ?1",
    [STMT_LOG_INSERT] = "INSERT INTO logs (id, job_id, integration_id, store_id, attempt, succeeded, processing_time, "
                        "body, status_code, error_detail, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
};

void db_report(db *d, const char *what)
{
    fprintf(stderr, "integrationsd: database: %s: %s\n", what, sqlite3_errmsg(d->conn));
}

void db_column_id(sqlite3_stmt *st, int col, char out[UUID_STR_LEN])
{
    const unsigned char *text = sqlite3_column_text(st, col);
    out[0] = '\0';
    if (text)
        strncat(out, (const char *)text, UUID_STR_LEN - 1);
}

sqlite3_stmt *db_stmt(db *d, statement s)
{
    sqlite3_stmt *st = d->stmts[s];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

db_status db_exec_stmt(db *d, statement s)
{
    sqlite3_stmt *st = db_stmt(d, s);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        db_report(d, statement_sql[s]);
        return DB_ERROR;
    }
    return DB_OK;
}

db_status db_count(db *d, sqlite3_stmt *st, long *out)
{
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        db_report(d, "count");
        return DB_ERROR;
    }
    return DB_OK;
}

db_status db_finish(db *d, db_status st)
{
    db_exec_stmt(d, st == DB_OK ? STMT_COMMIT : STMT_ROLLBACK);
    return st;
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void db_set_job_listener(db *d, db_job_listener fn, void *ctx, int64_t first_attempt_delay_ms)
{
    db_lock(d);
    d->on_jobs = fn;
    d->on_jobs_ctx = ctx;
    d->first_attempt_delay_ms = first_attempt_delay_ms;
    db_unlock(d);
}

void db_announce_jobs(db *d, size_t created)
{
    if (created && d->on_jobs)
        d->on_jobs(d->on_jobs_ctx);
}

void db_lock(db *d)
{
    pthread_mutex_lock(&d->mu);
}

void db_unlock(db *d)
{
    pthread_mutex_unlock(&d->mu);
}

static int db_latest_version(void)
{
    return migration_count ? migrations[migration_count - 1].version : 0;
}

static int read_user_version(sqlite3 *conn)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* Applies every migration newer than the database, each in its own transaction. */
static bool migrate(sqlite3 *conn)
{
    int current = read_user_version(conn);
    if (current < 0)
        return false;
    if (current > db_latest_version()) {
        fprintf(stderr, "integrationsd: database schema version %d is newer than this binary's %d\n", current,
                db_latest_version());
        return false;
    }
    for (size_t i = 0; i < migration_count; i++) {
        const migration *m = &migrations[i];
        if (m->version <= current)
            continue;
        char *err = NULL, set_version[64];
        snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", m->version);
        if (sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(conn, m->sql, NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(conn, set_version, NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(conn, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
            fprintf(stderr, "integrationsd: migration %s failed: %s\n", m->name, err ? err : "unknown error");
            sqlite3_free(err);
            sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
            return false;
        }
    }
    return true;
}

db *db_open(const char *path)
{
    db *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    pthread_mutex_init(&d->mu, NULL);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &d->conn, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "integrationsd: cannot open database %s: %s\n", path,
                d->conn ? sqlite3_errmsg(d->conn) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(d->conn, 5000);
    /* WAL + synchronous=NORMAL: durable across a process crash, a quarter of FULL's cost. */
    char *err = NULL;
    if (sqlite3_exec(d->conn, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                     NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "integrationsd: cannot configure database %s: %s\n", path, err ? err : "");
        sqlite3_free(err);
        goto fail;
    }
    if (!migrate(d->conn))
        goto fail;
    for (int i = 0; i < STMT_COUNT; i++) {
        if (sqlite3_prepare_v3(d->conn, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->stmts[i], NULL) !=
            SQLITE_OK) {
            db_report(d, statement_sql[i]);
            goto fail;
        }
    }
    if (db_fill_shown_configuration(d) != DB_OK)
        goto fail;
    return d;
fail:
    db_close(d);
    return NULL;
}

void db_close(db *d)
{
    if (!d)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(d->stmts[i]);
    if (d->conn)
        sqlite3_close(d->conn);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

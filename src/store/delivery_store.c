/* Jobs and delivery logs. */
#include <string.h>

#include "db_internal.h"

static void copy_id(char dst[UUID_STR_LEN], const unsigned char *src)
{
    dst[0] = '\0';
    if (src)
        strncat(dst, (const char *)src, UUID_STR_LEN - 1);
}

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
            copy_id(log.id, sqlite3_column_text(st, 0));
            copy_id(log.job_id, sqlite3_column_text(st, 1));
            copy_id(log.integration_id, sqlite3_column_text(st, 2));
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

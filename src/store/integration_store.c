/* Integrations of a store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

/* Reads the columns of STMT_INTEGRATION_GET (and _UNSHOWN) into it. */
bool db_row_to_integration(sqlite3_stmt *st, integration *it)
{
    memset(it, 0, sizeof *it);
    const char *id = (const char *)sqlite3_column_text(st, 0);
    const char *type = (const char *)sqlite3_column_text(st, 1);
    const char *name = (const char *)sqlite3_column_text(st, 2);
    const char *description = (const char *)sqlite3_column_text(st, 3);
    const char *cfg = (const char *)sqlite3_column_text(st, 5);
    const char *observes = (const char *)sqlite3_column_text(st, 6);
    if (!id || !type || !name || !cfg || !observes || !integration_type_parse(type, &it->type))
        return false;
    db_column_id(st, 0, it->id);
    it->name = strdup(name);
    it->description = description ? strdup(description) : NULL;
    it->enabled = sqlite3_column_int(st, 4) != 0;
    it->configuration = json_loads(cfg, 0, NULL);
    it->observes = json_loads(observes, 0, NULL);
    it->created_at_ms = sqlite3_column_int64(st, 7);
    it->updated_at_ms = sqlite3_column_int64(st, 8);
    if (!it->name || !it->configuration || !it->observes) {
        integration_clear(it);
        return false;
    }
    return true;
}

/* Steps a bound INSERT, UPDATE or DELETE; DB_NOT_FOUND when it touched no row. */
static db_status step_write(db *d, sqlite3_stmt *st, const char *what)
{
    db_status result = DB_OK;
    if (sqlite3_step(st) != SQLITE_DONE) {
        db_report(d, what);
        result = DB_ERROR;
    } else if (sqlite3_changes(d->conn) == 0) {
        result = DB_NOT_FOUND;
    }
    sqlite3_reset(st);
    return result;
}

/* The end of every change, in its transaction: cancel the integration's pending jobs when asked
 * (disabled or deleted), raise the event, commit or roll back, unlock, then wake the workers. */
static db_status end_change(db *d, db_status result, const char *store_id, const char *cancel_jobs_of,
                            const char *trigger, const char *payload)
{
    size_t jobs = 0;
    char event_id[UUID_STR_LEN];
    id_new(event_id);
    if (result == DB_OK && cancel_jobs_of)
        result = db_cancel_jobs_locked(d, cancel_jobs_of);
    if (result == DB_OK)
        result = db_emit_locked(d, store_id, trigger, payload, event_id, NULL, &jobs);
    db_finish(d, result);
    db_unlock(d);
    db_announce_jobs(d, result == DB_OK ? jobs : 0);
    return result;
}

/* Locks and opens the transaction of a change; false (unlocked) when it cannot. */
static bool begin_change(db *d)
{
    db_lock(d);
    if (db_exec_stmt(d, STMT_BEGIN) == DB_OK)
        return true;
    db_unlock(d);
    return false;
}

/* The JSON texts stored for an integration. */
typedef struct stored_texts {
    char *configuration;
    char *configuration_shown;
    char *observes;
} stored_texts;

static void stored_texts_free(stored_texts *t)
{
    free(t->configuration);
    free(t->configuration_shown);
    free(t->observes);
}

/* Binds ?3..?8 and ?11 (the mutable columns) of INSERT and UPDATE; t keeps the texts alive. */
static void bind_columns(sqlite3_stmt *st, const integration *it, stored_texts *t)
{
    t->configuration = json_dumps(it->configuration, JSON_COMPACT);
    t->configuration_shown = integration_configuration_shown(it);
    t->observes = json_dumps(it->observes, JSON_COMPACT);
    db_bind_text(st, 3, integration_type_name(it->type));
    db_bind_text(st, 4, it->name);
    db_bind_text(st, 5, it->description);
    sqlite3_bind_int(st, 6, it->enabled);
    db_bind_text(st, 7, t->configuration);
    db_bind_text(st, 8, t->observes);
    db_bind_text(st, 11, t->configuration_shown);
}

db_status db_integration_insert(db *d, const char *store_id, const integration *it, long max_per_store,
                                const char *event_payload)
{
    if (!begin_change(d))
        return DB_ERROR;
    stored_texts texts = {0};
    sqlite3_stmt *st = db_stmt(d, STMT_INTEGRATION_COUNT);
    db_bind_text(st, 1, store_id);
    long count;
    db_status result = db_count(d, st, &count);
    if (result == DB_OK && count >= max_per_store)
        result = DB_LIMIT;
    if (result == DB_OK) {
        st = db_stmt(d, STMT_INTEGRATION_INSERT);
        db_bind_text(st, 1, it->id);
        db_bind_text(st, 2, store_id);
        bind_columns(st, it, &texts);
        sqlite3_bind_int64(st, 9, it->created_at_ms);
        sqlite3_bind_int64(st, 10, it->updated_at_ms);
        result = step_write(d, st, "insert integration");
    }
    result = end_change(d, result, store_id, NULL, "integration.created", event_payload);
    stored_texts_free(&texts);
    return result;
}

db_status db_integration_get(db *d, const char *store_id, const char *id, integration *out)
{
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, STMT_INTEGRATION_GET);
    db_bind_text(st, 1, id);
    db_bind_text(st, 2, store_id);
    int rc = sqlite3_step(st);
    db_status result = DB_NOT_FOUND;
    if (rc == SQLITE_ROW)
        result = db_row_to_integration(st, out) ? DB_OK : DB_ERROR;
    else if (rc != SQLITE_DONE)
        result = DB_ERROR;
    if (result == DB_ERROR)
        db_report(d, "read integration");
    sqlite3_reset(st);
    db_unlock(d);
    return result;
}

db_status db_integration_update(db *d, const char *store_id, const integration *it, const char *event_payload)
{
    if (!begin_change(d))
        return DB_ERROR;
    stored_texts texts = {0};
    sqlite3_stmt *st = db_stmt(d, STMT_INTEGRATION_UPDATE);
    db_bind_text(st, 1, it->id);
    db_bind_text(st, 2, store_id);
    bind_columns(st, it, &texts);
    sqlite3_bind_int64(st, 9, it->updated_at_ms);
    db_status result = step_write(d, st, "update integration");
    result = end_change(d, result, store_id, it->enabled ? NULL : it->id, "integration.updated", event_payload);
    stored_texts_free(&texts);
    return result;
}

db_status db_integration_delete(db *d, const char *store_id, const char *id, const char *event_payload)
{
    if (!begin_change(d))
        return DB_ERROR;
    sqlite3_stmt *st = db_stmt(d, STMT_INTEGRATION_DELETE);
    db_bind_text(st, 1, id);
    db_bind_text(st, 2, store_id);
    db_status result = step_write(d, st, "delete integration");
    return end_change(d, result, store_id, id, "integration.deleted", event_payload);
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const char *text = (const char *)sqlite3_column_text(st, i);
    return text ? strdup(text) : NULL;
}

db_status db_integration_list(db *d, const char *store_id, long limit, long offset, integration_listing *page,
                              size_t *count, long *total)
{
    *count = 0;
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, STMT_INTEGRATION_COUNT);
    db_bind_text(st, 1, store_id);
    db_status result = db_count(d, st, total);
    if (result == DB_OK) {
        st = db_stmt(d, STMT_INTEGRATION_LIST);
        db_bind_text(st, 1, store_id);
        sqlite3_bind_int64(st, 2, limit);
        sqlite3_bind_int64(st, 3, offset);
        int rc = SQLITE_DONE;
        while ((long)*count < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            integration_listing *it = &page[(*count)++];
            memset(it, 0, sizeof *it);
            const char *type = (const char *)sqlite3_column_text(st, 1);
            db_column_id(st, 0, it->id);
            it->name = column_dup(st, 2);
            it->description = column_dup(st, 3);
            it->enabled = sqlite3_column_int(st, 4) != 0;
            it->configuration_shown = column_dup(st, 5);
            it->observes = column_dup(st, 6);
            it->created_at_ms = sqlite3_column_int64(st, 7);
            it->updated_at_ms = sqlite3_column_int64(st, 8);
            if (!type || !integration_type_parse(type, &it->type) || !it->name || !it->configuration_shown ||
                !it->observes) {
                result = DB_ERROR;
                break;
            }
        }
        if (result == DB_OK && (long)*count < limit && rc != SQLITE_DONE)
            result = DB_ERROR;
        if (result == DB_ERROR)
            db_report(d, "list integrations");
        sqlite3_reset(st);
    }
    db_unlock(d);
    return result;
}

db_status db_fill_shown_configuration(db *d)
{
    db_lock(d);
    db_status result = db_exec_stmt(d, STMT_BEGIN);
    sqlite3_stmt *st = db_stmt(d, STMT_INTEGRATION_UNSHOWN);
    int rc;
    while (result == DB_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        integration it = {0};
        char *shown = NULL;
        if (!db_row_to_integration(st, &it) || !(shown = integration_configuration_shown(&it))) {
            result = DB_ERROR;
        } else {
            sqlite3_stmt *set = db_stmt(d, STMT_INTEGRATION_SET_SHOWN);
            db_bind_text(set, 1, it.id);
            db_bind_text(set, 2, shown);
            if (sqlite3_step(set) != SQLITE_DONE)
                result = DB_ERROR;
            sqlite3_reset(set);
        }
        free(shown);
        integration_clear(&it);
    }
    sqlite3_reset(st);
    if (result != DB_OK)
        db_report(d, "fill shown configurations");
    db_finish(d, result);
    db_unlock(d);
    return result;
}

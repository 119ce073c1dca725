/* Integrations of a store: reads, and the writes that carry out an integration_change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

#define INTEGRATION_COLUMNS \
    "id, integration_type, name, description, enabled, configuration, observes, created_at, updated_at"

/* Points the fields of `it` at the columns of the current row (valid until the statement moves on).
 * false when a column the resource needs is missing. */
static bool row_view(sqlite3_stmt *st, integration *it)
{
    memset(it, 0, sizeof *it);
    const char *type = (const char *)sqlite3_column_text(st, 1);
    db_column_id(st, 0, it->id);
    it->name = (char *)sqlite3_column_text(st, 2);
    it->description = (char *)sqlite3_column_text(st, 3);
    it->enabled = sqlite3_column_int(st, 4) != 0;
    it->configuration = (char *)sqlite3_column_text(st, 5);
    it->observes = (char *)sqlite3_column_text(st, 6);
    it->created_at_ms = sqlite3_column_int64(st, 7);
    it->updated_at_ms = sqlite3_column_int64(st, 8);
    return type && integration_type_parse(type, &it->type) && it->name && it->configuration && it->observes;
}

/* A copy of the current row that the caller owns. */
static bool row_copy(sqlite3_stmt *st, integration *out)
{
    integration view;
    return row_view(st, &view) && integration_copy(out, &view);
}

DB_QUERY(q_integration_get, "SELECT " INTEGRATION_COLUMNS " FROM integrations WHERE id = ?1 AND store_id = ?2");

db_status db_integration_read(db_conn *c, const char *store_id, const char *id, integration *out)
{
    sqlite3_stmt *st = db_bind(c, &q_integration_get, "tt", id, store_id);
    db_status result = db_step_row(c, st);
    if (result == DB_OK) {
        if (!row_copy(st, out)) {
            db_report(c, "read integration");
            result = DB_ERROR;
        }
        sqlite3_reset(st);
    }
    return result;
}

db_status db_integration_get(db *d, const char *store_id, const char *id, integration *out)
{
    db_conn *c = db_reader(d);
    return c ? db_integration_read(c, store_id, id, out) : DB_ERROR;
}

DB_QUERY(q_store_count, "SELECT integration_count FROM stores WHERE id = ?1");
/* The page and, in its last column, the store's count (computed once): one statement, one read. */
DB_QUERY(q_integration_list, "SELECT " INTEGRATION_COLUMNS ", (SELECT integration_count FROM stores WHERE id = ?1) "
                             "FROM integrations WHERE store_id = ?1 ORDER BY created_at, id LIMIT ?2 OFFSET ?3");
#define LIST_TOTAL_COLUMN 9

typedef struct list_rows {
    integration_visitor visit;
    void *ctx;
    long total;   /* from the rows' last column; -1 while no row was seen */
    bool corrupt; /* a row lacked a column the resource needs: the rest are not shown */
} list_rows;

static void list_row(sqlite3_stmt *st, void *ctx)
{
    list_rows *rows = ctx;
    integration view;
    if (rows->corrupt)
        return;
    if (!row_view(st, &view)) {
        rows->corrupt = true;
        return;
    }
    rows->total = (long)sqlite3_column_int64(st, LIST_TOTAL_COLUMN);
    rows->visit(&view, rows->ctx);
}

db_status db_integration_list(db *d, const char *store_id, long limit, long offset, integration_visitor visit,
                              void *ctx, long *total)
{
    db_conn *c = db_reader(d);
    if (!c)
        return DB_ERROR;
    list_rows rows = {visit, ctx, -1, false};
    db_status result =
        db_each_row(c, db_bind(c, &q_integration_list, "tii", store_id, (int64_t)limit, (int64_t)offset), list_row,
                    &rows);
    if (result == DB_OK && rows.corrupt) {
        fprintf(stderr, "integrationsd: list integrations: a stored row lacks a column\n");
        result = DB_ERROR;
    }
    if (result != DB_OK || rows.total >= 0) {
        *total = rows.total;
        return result;
    }
    /* an empty page: the store's count all the same (a store without a row has none) */
    int64_t count = 0;
    result = db_read_int(c, db_bind(c, &q_store_count, "t", store_id), &count);
    *total = (long)count;
    return result == DB_NOT_FOUND ? DB_OK : result;
}

/* ---- changes ---------------------------------------------------------------------------------- */

DB_QUERY(q_store_take_slot,
         "UPDATE stores SET integration_count = integration_count + 1 WHERE id = ?1 AND integration_count < ?2");
DB_QUERY(q_store_free_slot, "UPDATE stores SET integration_count = integration_count - 1 WHERE id = ?1");
DB_QUERY(q_integration_insert,
         "INSERT INTO integrations (id, store_id, integration_type, name, description, enabled, configuration, "
         "observes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
DB_QUERY(q_integration_update,
         "UPDATE integrations SET integration_type = ?3, name = ?4, description = ?5, enabled = ?6, "
         "configuration = ?7, observes = ?8, updated_at = ?10 WHERE id = ?1 AND store_id = ?2 AND updated_at = ?11");
DB_QUERY(q_integration_delete, "DELETE FROM integrations WHERE id = ?1 AND store_id = ?2 AND updated_at = ?3");
DB_QUERY(q_integration_exists, "SELECT 1 FROM integrations WHERE id = ?1 AND store_id = ?2");
DB_QUERY(q_observer_insert,
         "INSERT INTO observers (store_id, trigger, created_at, integration_id) VALUES (?1, ?2, ?3, ?4)");
DB_QUERY(q_observer_delete,
         "DELETE FROM observers WHERE store_id = ?1 AND trigger = ?2 AND created_at = ?3 AND integration_id = ?4");

/* Runs a bound statement that changes at most one row; DB_NOT_FOUND when it changed none. */
static db_status change_one(db_conn *c, sqlite3_stmt *st)
{
    db_status result = db_step_done(c, st);
    return result == DB_OK && db_changes(c) == 0 ? DB_NOT_FOUND : result;
}

/* The row changed by nobody but us is gone (DB_NOT_FOUND) or is another version (DB_CONFLICT). */
static db_status why_unchanged(db_conn *c, const char *store_id, const char *id)
{
    sqlite3_stmt *st = db_bind(c, &q_integration_exists, "tt", id, store_id);
    db_status result = db_step_row(c, st);
    if (result == DB_OK) {
        sqlite3_reset(st);
        return DB_CONFLICT;
    }
    return result;
}

/* INSERT or UPDATE (q) bound with the columns a change sets (?1-?10) and, ?11, the version the
 * change was decided on (unused by INSERT). */
static sqlite3_stmt *bind_row(db_conn *c, const db_query *q, const char *store_id, const integration *it,
                              int64_t version)
{
    return db_bind(c, q, "tttttittiii", it->id, store_id, integration_type_name(it->type), it->name,
                   it->description, (int64_t)it->enabled, it->configuration, it->observes, it->created_at_ms,
                   it->updated_at_ms, version);
}

/* Adds (or removes) one row per event key `it` observes to the observers index. */
static db_status index_observers(db_conn *c, const char *store_id, const integration *it, const db_query *q)
{
    json_t *keys = integration_observed_keys(it);
    db_status result = keys ? DB_OK : DB_ERROR;
    size_t i;
    json_t *key;
    json_array_foreach(keys, i, key) {
        sqlite3_stmt *st = db_bind(c, q, "ttit", store_id, json_string_value(key), it->created_at_ms, it->id);
        if ((result = db_step_done(c, st)) != DB_OK)
            break;
    }
    json_decref(keys);
    return result;
}

DB_QUERY(q_integration_store_of, "SELECT store_id FROM integrations WHERE id = ?1");

db_status db_integration_store_of(db_conn *c, const char *id, char store_id[UUID_STR_LEN])
{
    sqlite3_stmt *st = db_bind(c, &q_integration_store_of, "t", id);
    db_status result = db_step_row(c, st);
    if (result == DB_OK) {
        db_column_id(st, 0, store_id);
        sqlite3_reset(st);
    }
    return result;
}

db_status db_integration_insert(db_conn *c, const char *store_id, const integration *it, long max_per_store)
{
    db_status result = change_one(c, db_bind(c, &q_store_take_slot, "ti", store_id, (int64_t)max_per_store));
    if (result != DB_OK)
        return result == DB_NOT_FOUND ? DB_LIMIT : result;
    result = db_step_done(c, bind_row(c, &q_integration_insert, store_id, it, 0));
    return result == DB_OK ? index_observers(c, store_id, it, &q_observer_insert) : result;
}

/* Writes the row itself: insert, update or delete. */
static db_status write_row(db_conn *c, const db_integration_change *op)
{
    db_status result;
    switch (op->plan.kind) {
    case CHANGE_CREATE:
        result = change_one(c, db_bind(c, &q_store_take_slot, "ti", op->store_id, (int64_t)op->max_per_store));
        if (result != DB_OK)
            return result == DB_NOT_FOUND ? DB_LIMIT : result;
        return db_step_done(c, bind_row(c, &q_integration_insert, op->store_id, op->after, 0));
    case CHANGE_UPDATE:
        result = change_one(c, bind_row(c, &q_integration_update, op->store_id, op->after, op->before->updated_at_ms));
        return result == DB_NOT_FOUND ? why_unchanged(c, op->store_id, op->before->id) : result;
    case CHANGE_DELETE:
        result = change_one(c, db_bind(c, &q_integration_delete, "tti", op->before->id, op->store_id,
                                       op->before->updated_at_ms));
        if (result == DB_NOT_FOUND)
            return why_unchanged(c, op->store_id, op->before->id);
        if (result != DB_OK)
            return result;
        return db_step_done(c, db_bind(c, &q_store_free_slot, "t", op->store_id));
    }
    return DB_ERROR;
}

static db_status apply_integration_change(db_conn *c, db_write *w)
{
    db_integration_change *op = (db_integration_change *)w;
    const integration_change *plan = &op->plan;
    const char *id = op->after ? op->after->id : op->before->id;
    db_status result = write_row(c, op);
    if (result == DB_OK)
        w->changed_store = op->store_id;
    if (result == DB_OK && plan->unindex_before)
        result = index_observers(c, op->store_id, op->before, &q_observer_delete);
    if (result == DB_OK && plan->index_after)
        result = index_observers(c, op->store_id, op->after, &q_observer_insert);
    if (result == DB_OK && plan->cancel_pending_jobs)
        result = db_cancel_pending_jobs(c, id);
    if (result == DB_OK) {
        char event_id[UUID_STR_LEN];
        id_new(event_id);
        result = db_emit_event(c, w, op->store_id, plan->trigger, op->event_payload, event_id, NULL);
    }
    return result;
}

void db_integration_change_init(db_integration_change *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_integration_change);
}

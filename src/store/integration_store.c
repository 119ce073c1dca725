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
    if (!row_view(st, &view))
        return false;
    *out = view;
    out->name = strdup(view.name);
    out->description = view.description ? strdup(view.description) : NULL;
    out->configuration = strdup(view.configuration);
    out->observes = strdup(view.observes);
    if (out->name && out->configuration && out->observes && (out->description || !view.description))
        return true;
    integration_clear(out);
    return false;
}

DB_QUERY(q_integration_get, "SELECT " INTEGRATION_COLUMNS " FROM integrations WHERE id = ?1 AND store_id = ?2");

db_status db_integration_read(db_conn *c, const char *store_id, const char *id, integration *out)
{
    sqlite3_stmt *st = db_prepare(c, &q_integration_get);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, id);
    db_bind_text(st, 2, store_id);
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

/* The store's count, for an empty page. */
static db_status read_store_count(db_conn *c, const char *store_id, long *total)
{
    sqlite3_stmt *st = db_prepare(c, &q_store_count);
    if (st)
        db_bind_text(st, 1, store_id);
    db_status result = db_step_row(c, st);
    *total = 0;
    if (result == DB_OK) {
        *total = (long)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return result == DB_NOT_FOUND ? DB_OK : result; /* a store without a row has no integrations */
}

db_status db_integration_list(db *d, const char *store_id, long limit, long offset, integration_visitor visit,
                              void *ctx, long *total)
{
    db_conn *c = db_reader(d);
    sqlite3_stmt *st = c ? db_prepare(c, &q_integration_list) : NULL;
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, store_id);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset);
    *total = -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        integration view;
        if (!row_view(st, &view)) {
            rc = SQLITE_CORRUPT;
            break;
        }
        *total = (long)sqlite3_column_int64(st, LIST_TOTAL_COLUMN);
        visit(&view, ctx);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        db_report(c, "list integrations");
        return DB_ERROR;
    }
    return *total < 0 ? read_store_count(c, store_id, total) : DB_OK;
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
    sqlite3_stmt *st = db_prepare(c, &q_integration_exists);
    if (st) {
        db_bind_text(st, 1, id);
        db_bind_text(st, 2, store_id);
    }
    db_status result = db_step_row(c, st);
    if (result == DB_OK) {
        sqlite3_reset(st);
        return DB_CONFLICT;
    }
    return result;
}

/* Binds the columns of INSERT and UPDATE that a change sets (?1-?10). */
static void bind_row(sqlite3_stmt *st, const char *store_id, const integration *it)
{
    db_bind_text(st, 1, it->id);
    db_bind_text(st, 2, store_id);
    db_bind_text(st, 3, integration_type_name(it->type));
    db_bind_text(st, 4, it->name);
    db_bind_text(st, 5, it->description);
    sqlite3_bind_int(st, 6, it->enabled);
    db_bind_text(st, 7, it->configuration);
    db_bind_text(st, 8, it->observes);
    sqlite3_bind_int64(st, 9, it->created_at_ms);
    sqlite3_bind_int64(st, 10, it->updated_at_ms);
}

/* Adds (or removes) one row per event key `it` observes to the observers index. */
static db_status index_observers(db_conn *c, const char *store_id, const integration *it, const db_query *q)
{
    json_t *keys = integration_observed_keys(it);
    db_status result = keys ? DB_OK : DB_ERROR;
    size_t i;
    json_t *key;
    json_array_foreach(keys, i, key) {
        sqlite3_stmt *st = db_prepare(c, q);
        if (st) {
            db_bind_text(st, 1, store_id);
            db_bind_text(st, 2, json_string_value(key));
            sqlite3_bind_int64(st, 3, it->created_at_ms);
            db_bind_text(st, 4, it->id);
        }
        if ((result = db_step_done(c, st)) != DB_OK)
            break;
    }
    json_decref(keys);
    return result;
}

/* Writes the row itself: insert, update or delete. */
static db_status write_row(db_conn *c, const db_integration_change *op)
{
    sqlite3_stmt *st;
    db_status result;
    switch (op->plan.kind) {
    case CHANGE_CREATE:
        st = db_prepare(c, &q_store_take_slot);
        if (st) {
            db_bind_text(st, 1, op->store_id);
            sqlite3_bind_int64(st, 2, op->max_per_store);
        }
        result = change_one(c, st);
        if (result != DB_OK)
            return result == DB_NOT_FOUND ? DB_LIMIT : result;
        st = db_prepare(c, &q_integration_insert);
        if (st)
            bind_row(st, op->store_id, op->after);
        return db_step_done(c, st);
    case CHANGE_UPDATE:
        st = db_prepare(c, &q_integration_update);
        if (st) {
            bind_row(st, op->store_id, op->after);
            sqlite3_bind_int64(st, 11, op->before->updated_at_ms);
        }
        result = change_one(c, st);
        return result == DB_NOT_FOUND ? why_unchanged(c, op->store_id, op->before->id) : result;
    case CHANGE_DELETE:
        st = db_prepare(c, &q_integration_delete);
        if (st) {
            db_bind_text(st, 1, op->before->id);
            db_bind_text(st, 2, op->store_id);
            sqlite3_bind_int64(st, 3, op->before->updated_at_ms);
        }
        result = change_one(c, st);
        if (result == DB_NOT_FOUND)
            return why_unchanged(c, op->store_id, op->before->id);
        if (result != DB_OK)
            return result;
        st = db_prepare(c, &q_store_free_slot);
        if (st)
            db_bind_text(st, 1, op->store_id);
        return db_step_done(c, st);
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

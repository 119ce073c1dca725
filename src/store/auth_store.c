/* Clients, their stores, and access tokens. */
#include <string.h>

#include "db_internal.h"
#include "timestamp.h"

/* Reads a client row; DB_NOT_FOUND when absent. Caller holds the lock. */
static db_status client_get(db *d, const char *client_id, client_row *out)
{
    sqlite3_stmt *st = db_stmt(d, STMT_CLIENT_GET);
    db_bind_text(st, 1, client_id);
    int rc = sqlite3_step(st);
    db_status result = DB_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        memset(out, 0, sizeof *out);
        db_column_id(st, 0, out->store_id);
        out->has_secret = hash != NULL;
        if (hash)
            strncpy(out->secret_hash, hash, sizeof out->secret_hash - 1);
        result = DB_OK;
    } else if (rc != SQLITE_DONE) {
        db_report(d, "read client");
        result = DB_ERROR;
    }
    sqlite3_reset(st);
    return result;
}

/* Creates a store and its client in one transaction. Caller holds the lock. */
static db_status client_create(db *d, const char *client_id, const char *secret_hash)
{
    char store_id[UUID_STR_LEN];
    id_new(store_id);
    int64_t now = now_ms();
    if (db_exec_stmt(d, STMT_BEGIN) != DB_OK)
        return DB_ERROR;
    sqlite3_stmt *st = db_stmt(d, STMT_STORE_INSERT);
    db_bind_text(st, 1, store_id);
    sqlite3_bind_int64(st, 2, now);
    db_status result = sqlite3_step(st) == SQLITE_DONE ? DB_OK : DB_ERROR;
    if (result == DB_OK) {
        st = db_stmt(d, STMT_CLIENT_INSERT);
        db_bind_text(st, 1, client_id);
        db_bind_text(st, 2, secret_hash);
        db_bind_text(st, 3, store_id);
        sqlite3_bind_int64(st, 4, now);
        result = sqlite3_step(st) == SQLITE_DONE ? DB_OK : DB_ERROR;
    }
    if (result != DB_OK)
        db_report(d, "create client");
    sqlite3_reset(st);
    return db_finish(d, result);
}

db_status db_client_ensure(db *d, const char *client_id, const char *secret_hash, client_row *out)
{
    db_lock(d);
    db_status result = client_get(d, client_id, out);
    if (result == DB_NOT_FOUND) {
        result = client_create(d, client_id, secret_hash);
        if (result == DB_OK)
            result = client_get(d, client_id, out);
    }
    db_unlock(d);
    return result;
}

static db_status set_secret(db *d, statement s, const char *client_id, const char *secret_hash)
{
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, s);
    db_bind_text(st, 1, client_id);
    db_bind_text(st, 2, secret_hash);
    db_status result = sqlite3_step(st) == SQLITE_DONE ? DB_OK : DB_ERROR;
    if (result == DB_OK && sqlite3_changes(d->conn) == 0)
        result = DB_NOT_FOUND;
    if (result == DB_ERROR)
        db_report(d, "set client secret");
    sqlite3_reset(st);
    db_unlock(d);
    return result;
}

db_status db_client_claim_secret(db *d, const char *client_id, const char *secret_hash)
{
    return set_secret(d, STMT_CLIENT_CLAIM, client_id, secret_hash);
}

db_status db_client_configure(db *d, const char *client_id, const char *secret_hash)
{
    client_row row;
    db_status result = db_client_ensure(d, client_id, secret_hash, &row);
    if (result == DB_OK && strcmp(row.secret_hash, secret_hash) != 0)
        result = set_secret(d, STMT_CLIENT_SET_SECRET, client_id, secret_hash);
    return result;
}

db_status db_token_insert(db *d, const char *token, const char *client_id, const char *store_id, grant_type grant,
                          int64_t expires)
{
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, STMT_TOKEN_INSERT);
    db_bind_text(st, 1, token);
    db_bind_text(st, 2, client_id);
    db_bind_text(st, 3, store_id);
    db_bind_text(st, 4, grant == GRANT_IMPLICIT ? "implicit" : "client_credentials");
    sqlite3_bind_int64(st, 5, expires);
    db_status result = sqlite3_step(st) == SQLITE_DONE ? DB_OK : DB_ERROR;
    if (result != DB_OK)
        db_report(d, "insert token");
    sqlite3_reset(st);
    db_unlock(d);
    return result;
}

db_status db_token_find(db *d, const char *token, token_row *out)
{
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, STMT_TOKEN_GET);
    db_bind_text(st, 1, token);
    int rc = sqlite3_step(st);
    db_status result = DB_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        const char *grant = (const char *)sqlite3_column_text(st, 1);
        memset(out, 0, sizeof *out);
        db_column_id(st, 0, out->store_id);
        out->grant = grant && strcmp(grant, "implicit") == 0 ? GRANT_IMPLICIT : GRANT_CLIENT_CREDENTIALS;
        out->expires = sqlite3_column_int64(st, 2);
        result = DB_OK;
    } else if (rc != SQLITE_DONE) {
        db_report(d, "read token");
        result = DB_ERROR;
    }
    sqlite3_reset(st);
    db_unlock(d);
    return result;
}

db_status db_token_purge(db *d, int64_t now)
{
    db_lock(d);
    sqlite3_stmt *st = db_stmt(d, STMT_TOKEN_PURGE);
    sqlite3_bind_int64(st, 1, now);
    db_status result = sqlite3_step(st) == SQLITE_DONE ? DB_OK : DB_ERROR;
    sqlite3_reset(st);
    db_unlock(d);
    return result;
}

/* Clients, their stores, and access tokens. */
#include <string.h>

#include "db_internal.h"
#include "token_cache.h"
#include "timestamp.h"

DB_QUERY(q_client_get, "SELECT store_id, secret_hash FROM clients WHERE client_id = ?1");

/* Reads a client row on connection c. */
static db_status client_get(db_conn *c, const char *client_id, client_row *out)
{
    sqlite3_stmt *st = db_bind(c, &q_client_get, "t", client_id);
    db_status result = db_step_row(c, st);
    if (result == DB_OK) {
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        memset(out, 0, sizeof *out);
        db_column_id(st, 0, out->store_id);
        out->has_secret = hash != NULL;
        if (hash)
            strncpy(out->secret_hash, hash, sizeof out->secret_hash - 1);
        sqlite3_reset(st);
    }
    return result;
}

db_status db_client_find_on(db_conn *c, const char *client_id, client_row *out)
{
    return client_get(c, client_id, out);
}

db_status db_client_find(db *d, const char *client_id, client_row *out)
{
    db_conn *c = db_reader(d);
    return c ? client_get(c, client_id, out) : DB_ERROR;
}

DB_QUERY(q_client_insert, "INSERT INTO clients (client_id, secret_hash, store_id, created_at) VALUES (?1, ?2, ?3, ?4)");
DB_QUERY(q_store_insert, "INSERT INTO stores (id, created_at) VALUES (?1, ?2)");

/* The client, created with a store of its own when it is new. */
static db_status client_ensure(db_conn *c, const char *client_id, const char *secret_hash, client_row *out)
{
    db_status result = client_get(c, client_id, out);
    if (result != DB_NOT_FOUND)
        return result;
    char store_id[UUID_STR_LEN];
    id_new(store_id);
    int64_t now = now_ms();
    result = db_step_done(c, db_bind(c, &q_store_insert, "ti", store_id, now));
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_client_insert, "ttti", client_id, secret_hash, store_id, now));
    return result == DB_OK ? client_get(c, client_id, out) : result;
}

db_status db_client_place(db_conn *c, const char *client_id, const char *secret_hash, char store_id[UUID_STR_LEN])
{
    client_row client;
    db_status result = client_get(c, client_id, &client);
    if (result == DB_OK) {
        if (store_id[0] && strcmp(store_id, client.store_id) != 0)
            return DB_CONFLICT;
        memcpy(store_id, client.store_id, UUID_STR_LEN);
        return DB_OK;
    }
    if (result != DB_NOT_FOUND)
        return result;
    if (!store_id[0]) {
        result = client_ensure(c, client_id, secret_hash, &client);
        if (result == DB_OK)
            memcpy(store_id, client.store_id, UUID_STR_LEN);
        return result;
    }
    return db_step_done(c, db_bind(c, &q_client_insert, "ttti", client_id, secret_hash, store_id, now_ms()));
}

DB_QUERY(q_client_list, "SELECT client_id FROM clients WHERE store_id = ?1 ORDER BY created_at, client_id");

typedef struct client_rows {
    client_visitor visit;
    void *ctx;
} client_rows;

static void client_row_visit(sqlite3_stmt *st, void *ctx)
{
    client_rows *rows = ctx;
    rows->visit((const char *)sqlite3_column_text(st, 0), rows->ctx);
}

db_status db_client_list(db *d, const char *store_id, client_visitor visit, void *ctx)
{
    db_conn *c = db_reader(d);
    client_rows rows = {visit, ctx};
    return c ? db_each_row(c, db_bind(c, &q_client_list, "t", store_id), client_row_visit, &rows) : DB_ERROR;
}

DB_QUERY(q_client_claim, "UPDATE clients SET secret_hash = ?2 WHERE client_id = ?1 AND secret_hash IS NULL");
DB_QUERY(q_token_insert,
         "INSERT INTO tokens (token, client_id, store_id, grant_type, expires) VALUES (?1, ?2, ?3, ?4, ?5)");

/* Stores are never deleted: the highest rowid is their number, read without counting rows. */
DB_QUERY(q_store_count, "SELECT coalesce(max(rowid), 0) FROM stores");

/* DB_LIMIT when the server already holds max_stores stores (0: no limit). */
static db_status room_for_a_store(db_conn *c, long max_stores)
{
    int64_t stores = 0;
    db_status result = max_stores > 0 ? db_read_int(c, db_bind(c, &q_store_count, ""), &stores) : DB_OK;
    return result == DB_OK && stores >= max_stores && max_stores > 0 ? DB_LIMIT : result;
}

static db_status apply_token_issue(db_conn *c, db_write *w)
{
    db_token_issue *op = (db_token_issue *)w;
    client_row client;
    db_status result = client_get(c, op->client_id, &client);
    if (result == DB_NOT_FOUND && (result = room_for_a_store(c, op->max_stores)) == DB_OK)
        result = client_ensure(c, op->client_id, op->secret_hash, &client);
    if (result != DB_OK)
        return result;
    if (op->secret_hash && !client.has_secret) { /* the first secret presented is the client's from then on */
        if (db_step_done(c, db_bind(c, &q_client_claim, "tt", op->client_id, op->secret_hash)) != DB_OK)
            return DB_ERROR;
        memcpy(client.secret_hash, op->secret_hash, sizeof client.secret_hash - 1);
        client.has_secret = true;
    }
    if (op->secret_hash && strcmp(client.secret_hash, op->secret_hash) != 0)
        return DB_CONFLICT;
    const char *grant = op->grant == GRANT_IMPLICIT ? "implicit" : "client_credentials";
    return db_step_done(c, db_bind(c, &q_token_insert, "tttti", op->token, op->client_id, client.store_id, grant,
                                   op->expires));
}

void db_token_issue_init(db_token_issue *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_token_issue);
}

DB_QUERY(q_client_set_secret, "UPDATE clients SET secret_hash = ?2 WHERE client_id = ?1");

typedef struct client_configure {
    db_write write;
    const char *client_id;
    const char *secret_hash;
} client_configure;

static db_status apply_client_configure(db_conn *c, db_write *w)
{
    client_configure *op = (client_configure *)w;
    client_row client;
    db_status result = client_ensure(c, op->client_id, op->secret_hash, &client);
    if (result != DB_OK || strcmp(client.secret_hash, op->secret_hash) == 0)
        return result;
    return db_step_done(c, db_bind(c, &q_client_set_secret, "tt", op->client_id, op->secret_hash));
}

db_status db_client_configure(db *d, const char *client_id, const char *secret_hash)
{
    client_configure op = {.client_id = client_id, .secret_hash = secret_hash};
    db_write_setup(&op.write, apply_client_configure);
    return db_submit_wait(d, &op.write);
}

DB_QUERY(q_token_get, "SELECT store_id, grant_type, expires FROM tokens WHERE token = ?1");

static db_status token_read(db *d, const char *token, token_row *out)
{
    db_conn *c = db_reader(d);
    sqlite3_stmt *st = c ? db_bind(c, &q_token_get, "t", token) : NULL;
    db_status result = db_step_row(c, st);
    if (result == DB_OK) {
        const char *grant = (const char *)sqlite3_column_text(st, 1);
        memset(out, 0, sizeof *out);
        db_column_id(st, 0, out->store_id);
        out->grant = grant && strcmp(grant, "implicit") == 0 ? GRANT_IMPLICIT : GRANT_CLIENT_CREDENTIALS;
        out->expires = sqlite3_column_int64(st, 2);
        sqlite3_reset(st);
    }
    return result;
}

db_status db_token_find(db *d, const char *token, token_row *out)
{
    /* A stored token never changes: what the cache holds is what the table holds. */
    if (token_cache_get(db_token_cache(d), token, out))
        return DB_OK;
    db_status result = token_read(d, token, out);
    if (result == DB_OK)
        token_cache_put(db_token_cache(d), token, out);
    return result;
}

DB_QUERY(q_token_purge, "DELETE FROM tokens WHERE expires < ?1");

typedef struct token_purge {
    db_write write;
    int64_t now;
} token_purge;

static db_status apply_token_purge(db_conn *c, db_write *w)
{
    return db_step_done(c, db_bind(c, &q_token_purge, "i", ((token_purge *)w)->now));
}

db_status db_token_purge(db *d, int64_t now)
{
    token_purge op = {.now = now};
    db_write_setup(&op.write, apply_token_purge);
    return db_submit_wait(d, &op.write);
}

DB_STARTUP_QUERY(q_token_revoke_others, "DELETE FROM tokens WHERE client_id NOT IN (SELECT value FROM json_each(?1))");

typedef struct token_revoke {
    db_write write;
    const char *client_ids_json;
} token_revoke;

static db_status apply_token_revoke(db_conn *c, db_write *w)
{
    return db_step_done(c, db_bind(c, &q_token_revoke_others, "t", ((token_revoke *)w)->client_ids_json));
}

db_status db_tokens_revoke_others(db *d, const char *client_ids_json)
{
    token_revoke op = {.client_ids_json = client_ids_json};
    db_write_setup(&op.write, apply_token_revoke);
    return db_submit_wait(d, &op.write);
}

/* Shared by the files of src/store only: connections, statements and the committer. */
#ifndef INTEGRATIONSD_DB_INTERNAL_H
#define INTEGRATIONSD_DB_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "db.h"
#include "worker_thread.h"

/* ---- statements ------------------------------------------------------------------------------
 * Each statement is declared with DB_QUERY next to the code that binds it. The linker gathers
 * every declaration of the program into the section `db_queries`, so that each query has an
 * index (its place in the section) for the per-connection cache of prepared statements, and a
 * test can list them all (EXPLAIN QUERY PLAN of every statement: tests/unit/test_store.c). */

typedef struct db_query {
    const char *sql;
    bool once_at_start; /* may read a whole table: run once at start, never on a request path */
} db_query;

#define DB_QUERY(name, text)                                                                                 \
    static const db_query name __attribute__((used, section("db_queries"), aligned(sizeof(void *)))) = {text, false}
/* A statement of the start-up's housekeeping, exempt from the store test's rule that no statement
 * reads more as the data grows. */
#define DB_STARTUP_QUERY(name, text)                                                                         \
    static const db_query name __attribute__((used, section("db_queries"), aligned(sizeof(void *)))) = {text, true}

extern const db_query __start_db_queries[];
extern const db_query __stop_db_queries[];

/* One SQLite connection and its prepared statements. Used by one thread at a time: each HTTP
 * thread reads on a connection of its own (WAL readers never wait for the writer), and the
 * committer thread owns the only connection that writes. */
struct db_conn {
    db *owner;
    sqlite3 *sql;
    sqlite3_stmt **stmts; /* indexed like the db_queries section; prepared on first use */
    struct db_conn *next; /* the db's list of connections, closed by db_close */
};

/* The statement of q, reset and with no bindings; NULL (reported) when it cannot be prepared. */
sqlite3_stmt *db_prepare(db_conn *c, const db_query *q);
/* Steps a bound statement that returns no rows we read, then resets it: DB_OK or DB_ERROR. */
db_status db_step_done(db_conn *c, sqlite3_stmt *st);
/* Steps a bound statement for its first row: DB_OK (the row is readable until the caller resets
 * the statement), DB_NOT_FOUND (reset already) or DB_ERROR (reported, reset already). */
db_status db_step_row(db_conn *c, sqlite3_stmt *st);
/* Reports the connection's last error on stderr. */
void db_report(db_conn *c, const char *what);
/* Rows changed by the last INSERT, UPDATE or DELETE of the connection. */
int db_changes(db_conn *c);

/* Binds a string (SQLITE_STATIC: it must outlive the step) or NULL. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* The statement of q with its parameters ?1, ?2, … bound in order from the arguments, one letter
 * of `types` each: 't' a string (const char *, NULL binds NULL; it must outlive the step),
 * 'i' an int64_t, 'd' a double; at least as many as the statement has parameters (a list may bind
 * more than a statement uses). NULL (reported) when it cannot be prepared. */
sqlite3_stmt *db_bind(db_conn *c, const db_query *q, const char *types, ...);
/* Steps st to its end, calling row(st, ctx) for each row, then resets it: DB_OK or DB_ERROR
 * (reported). A NULL st (a failed db_bind) is DB_ERROR. */
db_status db_each_row(db_conn *c, sqlite3_stmt *st, void (*row)(sqlite3_stmt *st, void *ctx), void *ctx);
/* The first column of st's one row as an integer, reset after: DB_OK, DB_NOT_FOUND or DB_ERROR. */
db_status db_read_int(db_conn *c, sqlite3_stmt *st, int64_t *out);
/* Copies an id column (at most UUID_STR_LEN - 1 bytes); "" for NULL. */
void db_column_id(sqlite3_stmt *st, int col, char out[UUID_STR_LEN]);
/* A copy of a text column; NULL for NULL (and when out of memory: check with the column type). */
char *db_column_dup(sqlite3_stmt *st, int col);

/* A read transaction on a reading connection, for reads that must see the same snapshot. */
db_status db_read_begin(db_conn *c);
void db_read_end(db_conn *c);

/* The cache of tokens in memory (auth_store.c). */
struct token_cache *db_token_cache(db *d);

/* The calling thread's reading connection, opened on its first read; NULL (reported) when it
 * cannot be opened. */
db_conn *db_reader(db *d);

/* ---- writes ------------------------------------------------------------------------------- */

/* What a write operation's init function sets: the change itself. It runs on the committer's
 * connection inside a transaction that other writes share, so it must leave nothing behind when
 * it answers anything but DB_OK (check first, then write), and may be run a second time (alone)
 * when another write of its batch failed. */
void db_write_setup(db_write *w, db_status (*apply)(db_conn *c, db_write *w));

/* Records an event and one pending job per enabled integration of the store observing trigger,
 * in the caller's transaction (spec §7). An event that nobody observes is not kept. jobs
 * (optional) gets {"type","id","integration_id"} per job; the number of jobs is added to
 * w->jobs_created. */
db_status db_emit_event(db_conn *c, db_write *w, const char *store_id, const char *trigger, const char *payload,
                        const char *event_id, json_t *jobs);

/* Reads one integration of the store on connection c into out (owned by the caller). */
db_status db_integration_read(db_conn *c, const char *store_id, const char *id, integration *out);
/* The store an integration id belongs to; DB_NOT_FOUND when the id is free. */
db_status db_integration_store_of(db_conn *c, const char *id, char store_id[UUID_STR_LEN]);
/* Stores an integration as it is (no event: seeds and state), within the store's limit: DB_OK,
 * DB_LIMIT or DB_ERROR. */
db_status db_integration_insert(db_conn *c, const char *store_id, const integration *it, long max_per_store);
/* A client's row, on connection c. */
db_status db_client_find_on(db_conn *c, const char *client_id, client_row *out);
/* The store of a client, made (with the client) when the client is new and store_id is "";
 * a new client joins store_id when it is given. DB_CONFLICT: the client is in another store. */
db_status db_client_place(db_conn *c, const char *client_id, const char *secret_hash, char store_id[UUID_STR_LEN]);

/* Cancels the pending jobs of an integration (disabled or deleted), in the caller's transaction. */
db_status db_cancel_pending_jobs(db_conn *c, const char *integration_id);

/* A new connection for one thread at a time, after running `setup` on it; NULL (reported). It is
 * closed by db_close. */
db_conn *db_connect(db *d, const char *setup);

/* The checkpointer (checkpoint.c): copies the WAL into the database file on a thread of its own,
 * started the first time the WAL grows large, so that no commit waits for the disk. */
typedef struct db_checkpointer db_checkpointer;
db_checkpointer *db_checkpointer_start(db *d, db_conn *writer);
void db_checkpointer_stop(db_checkpointer *c);
/* The frames the checkpoint thread has copied so far, and whether it is at it (for the store test). */
unsigned long db_checkpointer_frames(db_checkpointer *c, bool *copying);
unsigned long db_checkpoint_frames(db *d, bool *copying);

/* The pruner (prune.c): a thread that deletes what is older than the retention, in small
 * batches written through the committer. */
typedef struct db_pruner db_pruner;
db_pruner *db_pruner_start(db *d, int64_t retention_ms);
/* Stops the thread (NULL does nothing); before the committer stops. */
void db_pruner_stop(db_pruner *p);

/* The committer (commit.c): one thread, one connection, batches of writes per transaction. */
typedef struct db_committer db_committer;
db_committer *db_committer_start(db *d, db_conn *writer);
/* Applies what is queued, then stops the thread. */
void db_committer_stop(db_committer *c);
void db_committer_submit(db_committer *c, db_write *w);

/* Moves the store's version (called by the committer once a write that changed it committed). */
void db_bump_store_version(db *d, const char *store_id);
void db_bump_delivery_version(db *d, const char *store_id);

/* Tells the job listener, if any, that jobs were committed (called by the committer). */
void db_announce_jobs(db *d, size_t created);
/* When new jobs are first due, from now (unix ms). */
int64_t db_first_attempt_at(db *d, int64_t now);

#endif

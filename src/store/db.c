/* Connections, statements and migrations. The queries of each resource live in their own file
 * (auth_store.c, integration_store.c, delivery_store.c); the committer in commit.c. */
#include "db_internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrations.h"
#include "token_cache.h"
#include "timestamp.h"

struct db {
    char *path;                 /* the database file */
    char *temp_dir;             /* ":memory:": the private folder holding it; removed at close */
    db_conn *writer;            /* the committer's */
    db_committer *committer;
    db_checkpointer *checkpointer;
    db_pruner *pruner;          /* retention: started by db_prune_start */
    token_cache *tokens;        /* tokens presented lately */
    pthread_key_t reader_key;   /* each thread's reading connection */
    pthread_mutex_t conns_mu;   /* guards conns */
    db_conn *conns;             /* every connection open, closed by db_close */
    pthread_mutex_t listener_mu;
    db_job_listener on_jobs;    /* told after a commit that created jobs */
    void *on_jobs_ctx;
    int64_t first_attempt_delay_ms;
    /* db_store_version: one counter per slot; stores that share a slot share a version (an
     * extra change for both, never a missed one) */
    _Atomic uint64_t store_versions[4096];
    _Atomic uint64_t delivery_versions[4096]; /* the same, for a store's delivery records */
};

static size_t query_count(void)
{
    return (size_t)(__stop_db_queries - __start_db_queries);
}

/* ---- statements ----------------------------------------------------------------------------- */

void db_report(db_conn *c, const char *what)
{
    fprintf(stderr, "integrationsd: database: %s: %s\n", what, sqlite3_errmsg(c->sql));
}

sqlite3_stmt *db_prepare(db_conn *c, const db_query *q)
{
    size_t i = (size_t)(q - __start_db_queries);
    sqlite3_stmt *st = c->stmts[i];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(c->sql, q->sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[i], NULL) != SQLITE_OK) {
        db_report(c, q->sql);
        return NULL;
    }
    return c->stmts[i];
}

db_status db_step_done(db_conn *c, sqlite3_stmt *st)
{
    if (!st)
        return DB_ERROR;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        db_report(c, sqlite3_sql(st));
        return DB_ERROR;
    }
    return DB_OK;
}

db_status db_step_row(db_conn *c, sqlite3_stmt *st)
{
    if (!st)
        return DB_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return DB_OK;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return DB_NOT_FOUND;
    db_report(c, sqlite3_sql(st));
    return DB_ERROR;
}

int db_changes(db_conn *c)
{
    return sqlite3_changes(c->sql);
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

sqlite3_stmt *db_bind(db_conn *c, const db_query *q, const char *types, ...)
{
    sqlite3_stmt *st = db_prepare(c, q);
    if (!st)
        return NULL;
    if (strlen(types) < (size_t)sqlite3_bind_parameter_count(st)) { /* a parameter would stay NULL */
        fprintf(stderr, "integrationsd: %d parameters, %zu bound: %s\n", sqlite3_bind_parameter_count(st),
                strlen(types), q->sql);
        return NULL;
    }
    va_list ap;
    va_start(ap, types);
    for (int i = 1; types[i - 1]; i++) {
        switch (types[i - 1]) {
        case 't': db_bind_text(st, i, va_arg(ap, const char *)); break;
        case 'i': sqlite3_bind_int64(st, i, va_arg(ap, int64_t)); break;
        case 'd': sqlite3_bind_double(st, i, va_arg(ap, double)); break;
        default: abort(); /* a programming error: every call site is covered by the store tests */
        }
    }
    va_end(ap);
    return st;
}

db_status db_each_row(db_conn *c, sqlite3_stmt *st, void (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        row(st, ctx);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        db_report(c, sqlite3_sql(st));
        return DB_ERROR;
    }
    return DB_OK;
}

db_status db_read_int(db_conn *c, sqlite3_stmt *st, int64_t *out)
{
    db_status result = db_step_row(c, st);
    *out = 0;
    if (result == DB_OK) {
        *out = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return result;
}

void db_column_id(sqlite3_stmt *st, int col, char out[UUID_STR_LEN])
{
    const unsigned char *text = sqlite3_column_text(st, col);
    out[0] = '\0';
    if (text)
        strncat(out, (const char *)text, UUID_STR_LEN - 1);
}

char *db_column_dup(sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    return text ? strdup(text) : NULL;
}

DB_QUERY(q_read_begin, "BEGIN");
DB_QUERY(q_read_end, "COMMIT");

db_status db_read_begin(db_conn *c)
{
    return db_step_done(c, db_prepare(c, &q_read_begin));
}

void db_read_end(db_conn *c)
{
    db_step_done(c, db_prepare(c, &q_read_end));
}

/* ---- connections ------------------------------------------------------------------------------ */

static void conn_close(db_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < query_count(); i++)
        sqlite3_finalize(c->stmts[i]);
    free(c->stmts);
    sqlite3_close(c->sql);
    free(c);
}

db_conn *db_connect(db *d, const char *setup)
{
    db_conn *c = calloc(1, sizeof *c);
    if (!c || !(c->stmts = calloc(query_count(), sizeof *c->stmts))) {
        free(c);
        fprintf(stderr, "integrationsd: out of memory opening the database\n");
        return NULL;
    }
    c->owner = d;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    char *err = NULL;
    if (sqlite3_open_v2(d->path, &c->sql, flags, NULL) != SQLITE_OK ||
        sqlite3_exec(c->sql, setup, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "integrationsd: cannot open database %s: %s\n", d->path,
                err ? err : c->sql ? sqlite3_errmsg(c->sql) : "out of memory");
        sqlite3_free(err);
        conn_close(c);
        return NULL;
    }
    /* another process may hold the file briefly (a backup, a test reading it) */
    sqlite3_busy_timeout(c->sql, 5000);
    pthread_mutex_lock(&d->conns_mu);
    c->next = d->conns;
    d->conns = c;
    pthread_mutex_unlock(&d->conns_mu);
    return c;
}

/* Takes c out of the db's list and closes it. */
static void conn_release(db *d, db_conn *c)
{
    pthread_mutex_lock(&d->conns_mu);
    for (db_conn **p = &d->conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&d->conns_mu);
    conn_close(c);
}

/* A thread that read ends: its connection goes with it. */
typedef struct reader_slot {
    db *owner;
    db_conn *conn;
} reader_slot;

static void reader_thread_exit(void *p)
{
    reader_slot *slot = p;
    conn_release(slot->owner, slot->conn);
    free(slot);
}

db_conn *db_reader(db *d)
{
    reader_slot *slot = pthread_getspecific(d->reader_key);
    if (slot)
        return slot->conn;
    slot = malloc(sizeof *slot);
    if (!slot)
        return NULL;
    /* query_only: a reading connection can never write by mistake */
    slot->owner = d;
    slot->conn = db_connect(d, "PRAGMA query_only = 1;");
    if (!slot->conn || pthread_setspecific(d->reader_key, slot) != 0) {
        if (slot->conn)
            conn_release(d, slot->conn);
        free(slot);
        return NULL;
    }
    return slot->conn;
}

/* ---- migrations ------------------------------------------------------------------------------- */

static int latest_version(void)
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

/* Applies every migration newer than the database, all in one transaction. */
static bool migrate(sqlite3 *conn)
{
    int current = read_user_version(conn);
    if (current < 0)
        return false;
    if (current > latest_version()) {
        fprintf(stderr, "integrationsd: database schema version %d is newer than this binary's %d\n", current,
                latest_version());
        return false;
    }
    if (current == latest_version())
        return true;
    char *err = NULL, set_version[64];
    const char *failed = "BEGIN";
    if (sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < migration_count; i++) {
        if (migrations[i].version > current &&
            sqlite3_exec(conn, migrations[i].sql, NULL, NULL, &err) != SQLITE_OK) {
            failed = migrations[i].name;
            goto fail;
        }
    }
    snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", latest_version());
    failed = "COMMIT";
    if (sqlite3_exec(conn, set_version, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(conn, "COMMIT", NULL, NULL, &err) != SQLITE_OK)
        goto fail;
    return true;
fail:
    fprintf(stderr, "integrationsd: migration %s failed: %s\n", failed, err ? err : sqlite3_errmsg(conn));
    sqlite3_free(err);
    sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
    return false;
}

/* ---- open and close --------------------------------------------------------------------------- */

/* The six characters mkdtemp replaces with a unique name. */
#define MKDTEMP_PATTERN "XX" "XX" "XX"

/* ":memory:" is a file in a private folder, in memory (/dev/shm) where the system has it: every
 * thread's connection must see the same database, and WAL needs a file. */
static bool make_temporary_database(db *d)
{
    const char *tmp = getenv("TMPDIR");
    const char *const bases[] = {"/dev/shm", tmp && tmp[0] ? tmp : "/tmp"};
    for (size_t i = 0; i < 2 && !d->temp_dir; i++) {
        if (asprintf(&d->temp_dir, "%s/integrationsd-%s", bases[i], MKDTEMP_PATTERN) < 0) {
            d->temp_dir = NULL;
            return false;
        }
        if (!mkdtemp(d->temp_dir)) {
            free(d->temp_dir);
            d->temp_dir = NULL;
        }
    }
    if (!d->temp_dir) {
        fprintf(stderr, "integrationsd: cannot make a folder for the :memory: database: %s\n", strerror(errno));
        return false;
    }
    if (asprintf(&d->path, "%s/db.sqlite", d->temp_dir) < 0)
        d->path = NULL;
    return d->path != NULL;
}

static void remove_temporary_database(db *d)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *file = NULL;
        if (asprintf(&file, "%s%s", d->path, suffixes[i]) >= 0) {
            unlink(file);
            free(file);
        }
    }
    rmdir(d->temp_dir);
}

/* Process-wide SQLite settings, before its first use. */
static void configure_sqlite(void)
{
    /* Allocation statistics take a global lock on every allocation of every connection. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

db *db_open(const char *path)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, configure_sqlite);
    db *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    pthread_mutex_init(&d->conns_mu, NULL);
    pthread_mutex_init(&d->listener_mu, NULL);
    if (pthread_key_create(&d->reader_key, reader_thread_exit) != 0) {
        pthread_mutex_destroy(&d->conns_mu);
        pthread_mutex_destroy(&d->listener_mu);
        free(d);
        return NULL;
    }
    if (strcmp(path, ":memory:") == 0 ? !make_temporary_database(d) : !(d->path = strdup(path)))
        goto fail;
    if (!(d->tokens = token_cache_new()))
        goto fail;
    /* WAL + synchronous=NORMAL: a commit survives a crash of the process (kill -9) and costs a
     * quarter of FULL; readers never block the writer nor the writer them. */
    d->writer = db_connect(d, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    if (!d->writer || !migrate(d->writer->sql))
        goto fail;
    d->checkpointer = db_checkpointer_start(d, d->writer);
    d->committer = d->checkpointer ? db_committer_start(d, d->writer) : NULL;
    if (!d->committer)
        goto fail;
    return d;
fail:
    db_close(d);
    return NULL;
}

bool db_prune_start(db *d, int64_t retention_ms)
{
    if (!d->pruner)
        d->pruner = db_pruner_start(d, retention_ms);
    if (!d->pruner)
        fprintf(stderr, "integrationsd: cannot start the pruning thread\n");
    return d->pruner != NULL;
}

unsigned long db_checkpoint_frames(db *d, bool *copying)
{
    *copying = false;
    return d->checkpointer ? db_checkpointer_frames(d->checkpointer, copying) : 0;
}

void db_close(db *d)
{
    if (!d)
        return;
    db_pruner_stop(d->pruner); /* first: it writes through the committer */
    db_committer_stop(d->committer);
    db_checkpointer_stop(d->checkpointer);
    /* The threads that read are gone (HTTP and delivery stop first); what is left is the
     * calling thread's reader and the writer. */
    reader_slot *own = pthread_getspecific(d->reader_key);
    pthread_setspecific(d->reader_key, NULL);
    free(own);
    pthread_key_delete(d->reader_key);
    while (d->conns) {
        db_conn *c = d->conns;
        d->conns = c->next;
        conn_close(c);
    }
    if (d->temp_dir)
        remove_temporary_database(d);
    token_cache_free(d->tokens);
    free(d->temp_dir);
    free(d->path);
    pthread_mutex_destroy(&d->conns_mu);
    pthread_mutex_destroy(&d->listener_mu);
    free(d);
}

token_cache *db_token_cache(db *d)
{
    return d->tokens;
}

static size_t version_slot(const db *d, const char *store_id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *store_id; store_id++)
        h = (h ^ (unsigned char)*store_id) * 16777619u;
    return h % (sizeof d->store_versions / sizeof d->store_versions[0]);
}

uint64_t db_store_version(db *d, const char *store_id)
{
    return atomic_load(&d->store_versions[version_slot(d, store_id)]);
}

void db_bump_store_version(db *d, const char *store_id)
{
    atomic_fetch_add(&d->store_versions[version_slot(d, store_id)], 1);
}

uint64_t db_delivery_version(db *d, const char *store_id)
{
    return atomic_load(&d->delivery_versions[version_slot(d, store_id)]);
}

void db_bump_delivery_version(db *d, const char *store_id)
{
    atomic_fetch_add(&d->delivery_versions[version_slot(d, store_id)], 1);
}

/* ---- the job listener ------------------------------------------------------------------------- */

void db_set_job_listener(db *d, db_job_listener fn, void *ctx, int64_t first_attempt_delay_ms)
{
    pthread_mutex_lock(&d->listener_mu);
    d->on_jobs = fn;
    d->on_jobs_ctx = ctx;
    d->first_attempt_delay_ms = first_attempt_delay_ms;
    pthread_mutex_unlock(&d->listener_mu);
}

void db_announce_jobs(db *d, size_t created)
{
    if (!created)
        return;
    pthread_mutex_lock(&d->listener_mu);
    if (d->on_jobs)
        d->on_jobs(d->on_jobs_ctx);
    pthread_mutex_unlock(&d->listener_mu);
}

int64_t db_first_attempt_at(db *d, int64_t now)
{
    pthread_mutex_lock(&d->listener_mu);
    int64_t delay = d->first_attempt_delay_ms;
    pthread_mutex_unlock(&d->listener_mu);
    return now + delay;
}

/* ---- writes ----------------------------------------------------------------------------------- */

void db_write_setup(db_write *w, db_status (*apply)(db_conn *c, db_write *w))
{
    w->apply = apply;
    w->changed_store = NULL;
    w->status = DB_ERROR;
    w->jobs_created = 0;
    w->next = NULL;
}

void db_submit(db *d, db_write *w)
{
    db_committer_submit(d->committer, w);
}

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
} waiter;

static void wake_waiter(db_write *w)
{
    waiter *wt = w->done_ctx;
    pthread_mutex_lock(&wt->mu);
    wt->done = true;
    pthread_cond_signal(&wt->cv);
    pthread_mutex_unlock(&wt->mu);
}

db_status db_submit_wait(db *d, db_write *w)
{
    waiter wt = {.done = false};
    pthread_mutex_init(&wt.mu, NULL);
    pthread_cond_init(&wt.cv, NULL);
    w->done = wake_waiter;
    w->done_ctx = &wt;
    db_submit(d, w);
    pthread_mutex_lock(&wt.mu);
    while (!wt.done)
        pthread_cond_wait(&wt.cv, &wt.mu);
    pthread_mutex_unlock(&wt.mu);
    pthread_cond_destroy(&wt.cv);
    pthread_mutex_destroy(&wt.mu);
    return w->status;
}

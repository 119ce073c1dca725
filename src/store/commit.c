/* The committer: the one thread that writes. It takes every write waiting in its queue, applies
 * them in one transaction, commits once, then tells each its outcome. While it commits, new
 * writes gather for the next batch, so the cost of a commit is shared by all the writes that
 * arrived meanwhile (group commit). */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* A batch is bounded so that the first write of a long queue is not kept waiting for the last. */
#define BATCH_MAX 256

DB_QUERY(q_begin, "BEGIN IMMEDIATE");
DB_QUERY(q_commit, "COMMIT");
DB_QUERY(q_rollback, "ROLLBACK");

struct db_committer {
    worker_thread thread; /* first (see worker_thread_new); its lock guards the queue; woken when
                           * the queue is no longer empty */
    db *owner;
    db_conn *conn;
    db_write *head, *tail;
};

/* Runs the writes of the list in one transaction; true when it committed. A write that fails
 * (DB_ERROR) fails the transaction. */
static bool run_transaction(db_committer *c, db_write *first, db_write *end)
{
    if (db_step_done(c->conn, db_prepare(c->conn, &q_begin)) != DB_OK) {
        for (db_write *w = first; w != end; w = w->next)
            w->status = DB_ERROR;
        return false;
    }
    bool ok = true;
    for (db_write *w = first; ok && w != end; w = w->next) {
        w->jobs_created = 0;
        w->changed_store = NULL;
        w->delivered_store = NULL;
        w->status = w->apply(c->conn, w);
        ok = w->status != DB_ERROR;
    }
    if (ok && db_step_done(c->conn, db_prepare(c->conn, &q_commit)) == DB_OK)
        return true;
    /* a failed COMMIT may leave the transaction open: roll it back; "no transaction" is fine */
    sqlite3_stmt *rollback = db_prepare(c->conn, &q_rollback);
    if (rollback) {
        sqlite3_step(rollback);
        sqlite3_reset(rollback);
    }
    return false;
}

static void run_batch(db_committer *c, db_write *batch)
{
    if (!run_transaction(c, batch, NULL) && batch->next) {
        /* One write failed the shared transaction: each gets its own, so that only the writes
         * that fail by themselves fail. */
        for (db_write *w = batch; w; w = w->next)
            run_transaction(c, w, w->next);
    }
    /* before any answer: a read after an answered change must see the store's new version.
     * Committed is any outcome but DB_ERROR (a job cycle that wrote an outcome and found no job
     * to claim next is DB_NOT_FOUND). */
    for (db_write *w = batch; w; w = w->next) {
        if (w->status != DB_ERROR && w->changed_store)
            db_bump_store_version(c->owner, w->changed_store);
        if (w->status != DB_ERROR && w->delivered_store)
            db_bump_delivery_version(c->owner, w->delivered_store);
    }
    size_t jobs = 0;
    for (db_write *w = batch, *next; w; w = next) {
        next = w->next; /* done may free w */
        if (w->status == DB_ERROR)
            w->jobs_created = 0;
        jobs += w->jobs_created;
        w->done(w);
    }
    db_announce_jobs(c->owner, jobs);
}

static void *committer_main(void *arg)
{
    db_committer *c = arg;
    pthread_mutex_lock(&c->thread.mu);
    for (;;) {
        while (!c->head && !c->thread.stopping)
            pthread_cond_wait(&c->thread.wake, &c->thread.mu);
        if (!c->head)
            break; /* stopping, and nothing left to write */
        db_write *batch = c->head, *last = batch;
        for (size_t n = 1; n < BATCH_MAX && last->next; n++)
            last = last->next;
        c->head = last->next;
        if (!c->head)
            c->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&c->thread.mu);
        run_batch(c, batch);
        pthread_mutex_lock(&c->thread.mu);
    }
    pthread_mutex_unlock(&c->thread.mu);
    return NULL;
}

db_committer *db_committer_start(db *d, db_conn *writer)
{
    db_committer *c = worker_thread_new(sizeof *c);
    if (c) {
        c->owner = d;
        c->conn = writer;
    }
    if (!(c = worker_thread_run(c, committer_main)))
        fprintf(stderr, "integrationsd: cannot start the database writer thread\n");
    return c;
}

void db_committer_stop(db_committer *c)
{
    worker_thread_free(c); /* the thread writes what is left in its queue before it returns */
}

void db_committer_submit(db_committer *c, db_write *w)
{
    w->next = NULL;
    pthread_mutex_lock(&c->thread.mu);
    if (c->tail)
        c->tail->next = w;
    else
        c->head = w;
    c->tail = w;
    pthread_cond_signal(&c->thread.wake);
    pthread_mutex_unlock(&c->thread.mu);
}

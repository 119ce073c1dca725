/* Checkpoints mostly off the commit path. SQLite copies the WAL back into the database file
 * every 1000 pages, by default inside the commit that crosses the mark: every writer waits for
 * the copy and its fsyncs. Here a thread of its own, on a connection of its own, copies the bulk
 * while the committer goes on writing (a PASSIVE checkpoint never blocks a writer or a reader).
 * The frames committed meanwhile are copied by the committer itself after its next commit, a
 * short step, so that the WAL is then wholly in the database file: the next transaction starts
 * the WAL over from its beginning. Without that step the WAL would only grow, and writing to
 * fresh pages of a growing file costs far more than rewriting the ones it has. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* SQLite's own mark is 1000 pages. Each checkpoint ends with a short step on the committer and
 * its two fsyncs, a stall of every write: a larger WAL (16 MiB) makes them four times rarer. */
#define CHECKPOINT_PAGES 4000
#define LEFT_FOR_COMMITTER 64 /* frames: the committer's step stays short */
#define MAX_PASSES 16

struct db_checkpointer {
    worker_thread thread; /* first (see worker_thread_new); started the first time the WAL passes
                           * the mark; woken when it is due */
    db *owner;
    db_conn *conn;
    bool wanted;  /* the WAL passed the mark: copy it */
    bool copying; /* the thread is copying */
    bool copied;  /* it has: the committer finishes the checkpoint */
    unsigned long frames_copied; /* by the thread, in all: for the store test */
};

/* A checkpoint that leaves frames behind writes pages into the database file without syncing
 * it: the sync is left to the pass that copies the last frame, the committer's. Synced here, off
 * the commit path, the committer's sync has only its own few pages left to write. */
static void sync_database_file(db_conn *conn)
{
    sqlite3_file *file = NULL;
    if (sqlite3_file_control(conn->sql, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK && file &&
        file->pMethods)
        file->pMethods->xSync(file, SQLITE_SYNC_NORMAL);
}

static void *checkpointer_main(void *arg)
{
    db_checkpointer *c = arg;
    /* a connection learns that the database is in WAL mode at its first read: until then a
     * checkpoint on it does nothing, and says SQLITE_OK */
    c->conn = db_connect(c->owner, "PRAGMA schema_version;");
    if (!c->conn)
        return NULL; /* the WAL keeps growing; it is checkpointed when the database closes */
    pthread_mutex_lock(&c->thread.mu);
    for (;;) {
        while (!c->wanted && !c->thread.stopping)
            pthread_cond_wait(&c->thread.wake, &c->thread.mu);
        if (c->thread.stopping)
            break;
        c->wanted = false;
        c->copying = true;
        pthread_mutex_unlock(&c->thread.mu);
        /* Frames keep coming while a pass copies: pass again over those, until what is left
         * for the committer is a few frames (or after a bounded number of passes, when the
         * writes outrun the copy). */
        int rc, wal_frames = 0, copied_frames = 0, copied_before = 0;
        unsigned long frames = 0;
        for (int pass = 0; pass < MAX_PASSES; pass++, copied_before = copied_frames) {
            rc = sqlite3_wal_checkpoint_v2(c->conn->sql, NULL, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                           &copied_frames);
            if (rc == SQLITE_OK && copied_frames > copied_before)
                frames += (unsigned long)(copied_frames - copied_before);
            if (rc != SQLITE_OK || wal_frames - copied_before <= LEFT_FOR_COMMITTER)
                break;
        }
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            db_report(c->conn, "checkpoint");
        else
            sync_database_file(c->conn);
        pthread_mutex_lock(&c->thread.mu);
        c->copying = false;
        c->copied = rc == SQLITE_OK;
        c->frames_copied += frames;
    }
    pthread_mutex_unlock(&c->thread.mu);
    return NULL;
}

/* SQLite calls this on the committer's connection after each commit, with the WAL's size. */
static int after_commit(void *arg, sqlite3 *conn, const char *name, int wal_pages)
{
    db_checkpointer *c = arg;
    if (wal_pages < CHECKPOINT_PAGES)
        return SQLITE_OK;
    pthread_mutex_lock(&c->thread.mu);
    bool finish = c->copied;
    c->copied = false;
    if (!finish && !c->copying && !c->thread.stopping) {
        worker_thread_start(&c->thread, checkpointer_main, c); /* the first time the WAL grows this large */
        c->wanted = true;
        pthread_cond_signal(&c->thread.wake);
    }
    bool alone = !c->thread.started; /* no thread: do it all here, as SQLite would */
    pthread_mutex_unlock(&c->thread.mu);
    if (finish || alone)
        sqlite3_wal_checkpoint_v2(conn, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

unsigned long db_checkpointer_frames(db_checkpointer *c, bool *copying)
{
    pthread_mutex_lock(&c->thread.mu);
    unsigned long frames = c->frames_copied;
    *copying = c->copying || c->wanted;
    pthread_mutex_unlock(&c->thread.mu);
    return frames;
}

db_checkpointer *db_checkpointer_start(db *d, db_conn *writer)
{
    db_checkpointer *c = worker_thread_new(sizeof *c);
    if (!c)
        return NULL;
    c->owner = d;
    /* replaces SQLite's own automatic checkpoint on this connection */
    sqlite3_wal_hook(writer->sql, after_commit, c);
    return c;
}

void db_checkpointer_stop(db_checkpointer *c)
{
    worker_thread_free(c);
}

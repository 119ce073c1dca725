/* The emulator's controls on one store's data: reset (everything of the store but its clients and
 * tokens goes) and flush (its pending jobs are due now). Each is one write of the committer, so
 * one transaction: all or nothing. Nothing here touches another store. */
#include <string.h>

#include "db_internal.h"
#include "timestamp.h"

/* Children before parents: a job refers to its event. */
DB_QUERY(q_reset_logs, "DELETE FROM logs WHERE store_id = ?1");
DB_QUERY(q_reset_jobs, "DELETE FROM jobs WHERE store_id = ?1");
DB_QUERY(q_reset_events, "DELETE FROM events WHERE store_id = ?1");
DB_QUERY(q_reset_observers, "DELETE FROM observers WHERE store_id = ?1");
DB_QUERY(q_reset_integrations, "DELETE FROM integrations WHERE store_id = ?1");
DB_QUERY(q_reset_count, "UPDATE stores SET integration_count = 0 WHERE id = ?1");

static db_status apply_store_reset(db_conn *c, db_write *w)
{
    db_store_reset *op = (db_store_reset *)w;
    static const db_query *const steps[] = {&q_reset_logs,      &q_reset_jobs,         &q_reset_events,
                                            &q_reset_observers, &q_reset_integrations, &q_reset_count};
    db_status result = DB_OK;
    for (size_t i = 0; result == DB_OK && i < sizeof steps / sizeof steps[0]; i++)
        result = db_step_done(c, db_bind(c, steps[i], "t", op->store_id));
    if (result == DB_OK)
        w->changed_store = op->store_id; /* the list pages kept of it are stale */
    return result;
}

void db_store_reset_init(db_store_reset *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_store_reset);
}

/* min(): a job already due keeps its place in the queue. */
DB_QUERY(q_jobs_flush, "UPDATE jobs SET next_attempt_at = min(next_attempt_at, ?2) "
                       "WHERE store_id = ?1 AND state = 'pending' AND running = 0");

static db_status apply_jobs_flush(db_conn *c, db_write *w)
{
    db_jobs_flush *op = (db_jobs_flush *)w;
    db_status result = db_step_done(c, db_bind(c, &q_jobs_flush, "ti", op->store_id, now_ms()));
    op->jobs = result == DB_OK ? db_changes(c) : 0;
    w->jobs_created = (size_t)op->jobs; /* wakes the workers, as new jobs do */
    return result;
}

void db_jobs_flush_init(db_jobs_flush *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_jobs_flush);
}

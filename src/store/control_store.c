/* The emulator's controls on one store's data: seed (stores and integrations put in place at
 * start), reset (everything of the store but its clients and tokens goes, then its seed comes
 * back), state (the store's integrations replaced) and flush (its pending jobs are due now). Each
 * is one write of the committer, so one transaction: all or nothing. None raises an event, and
 * none touches a store other than its own. */
#include <string.h>

#include "db_internal.h"
#include "timestamp.h"

/* Children before parents: a job refers to its event. */
DB_QUERY(q_reset_logs, "DELETE FROM logs WHERE store_id = ?1");
DB_QUERY(q_reset_deliveries, "DELETE FROM deliveries WHERE store_id = ?1");
DB_QUERY(q_reset_resends, "DELETE FROM resends WHERE store_id = ?1");
DB_QUERY(q_reset_jobs, "DELETE FROM jobs WHERE store_id = ?1");
DB_QUERY(q_reset_events, "DELETE FROM events WHERE store_id = ?1");
DB_QUERY(q_reset_observers, "DELETE FROM observers WHERE store_id = ?1");
DB_QUERY(q_reset_integrations, "DELETE FROM integrations WHERE store_id = ?1");
DB_QUERY(q_reset_count, "UPDATE stores SET integration_count = 0 WHERE id = ?1");
DB_QUERY(q_reset_totals, "DELETE FROM counts WHERE store_id = ?1");

/* Everything of the store but its clients and tokens. */
static db_status empty_store(db_conn *c, const char *store_id)
{
    static const db_query *const steps[] = {&q_reset_logs,         &q_reset_deliveries, &q_reset_resends,
                                            &q_reset_jobs,         &q_reset_events,     &q_reset_observers,
                                            &q_reset_integrations, &q_reset_count,      &q_reset_totals};
    db_status result = DB_OK;
    for (size_t i = 0; result == DB_OK && i < sizeof steps / sizeof steps[0]; i++)
        result = db_step_done(c, db_bind(c, steps[i], "t", store_id));
    return result;
}

/* Stores an integration of a seed or a state document; created_at 0 is now. skip_taken: an id
 * taken already (by the store itself, or by another) is left as it is (a seed applied again);
 * else an id of another store is DB_CONFLICT. */
static db_status put_integration(db_conn *c, const char *store_id, const integration *given, long max,
                                 bool skip_taken)
{
    char owner[UUID_STR_LEN];
    db_status result = db_integration_store_of(c, given->id, owner);
    if (result == DB_OK)
        return skip_taken ? DB_OK : DB_CONFLICT;
    if (result != DB_NOT_FOUND)
        return result;
    integration it = *given; /* the same texts, a time of its own */
    if (it.created_at_ms == 0)
        it.created_at_ms = now_ms();
    it.updated_at_ms = it.created_at_ms;
    return db_integration_insert(c, store_id, &it, max);
}

static db_status apply_store_reset(db_conn *c, db_write *w)
{
    db_store_reset *op = (db_store_reset *)w;
    db_status result = empty_store(c, op->store_id);
    for (size_t i = 0; result == DB_OK && op->seed && i < op->seed->integration_count; i++)
        result = put_integration(c, op->store_id, &op->seed->integrations[i], op->max_per_store, true);
    if (result == DB_OK)
        w->changed_store = op->store_id; /* the list pages kept of it are stale */
    return result;
}

static db_status apply_seed(db_conn *c, db_write *w)
{
    db_seed_apply *op = (db_seed_apply *)w;
    db_status result = DB_OK;
    for (size_t s = 0; result == DB_OK && s < op->store_count; s++) {
        db_seed_store *st = &op->stores[s];
        st->store_id[0] = '\0';
        /* the store of the first client that exists, whatever their order */
        for (size_t k = 0; result == DB_OK && !st->store_id[0] && k < st->client_count; k++) {
            client_row row;
            result = db_client_find_on(c, st->client_ids[k], &row);
            if (result == DB_OK)
                memcpy(st->store_id, row.store_id, UUID_STR_LEN);
            else if (result == DB_NOT_FOUND)
                result = DB_OK;
        }
        for (size_t k = 0; result == DB_OK && k < st->client_count; k++)
            result = db_client_place(c, st->client_ids[k], st->secret_hashes[k], st->store_id);
        for (size_t i = 0; result == DB_OK && i < st->integration_count; i++)
            result = put_integration(c, st->store_id, &st->integrations[i], op->max_per_store, true);
        if (result != DB_OK)
            op->failed_store = s;
    }
    return result;
}

void db_seed_apply_init(db_seed_apply *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_seed);
}

static db_status apply_state_replace(db_conn *c, db_write *w)
{
    db_state_replace *op = (db_state_replace *)w;
    db_status result = empty_store(c, op->store_id);
    for (size_t i = 0; result == DB_OK && i < op->integration_count; i++) {
        result = put_integration(c, op->store_id, &op->integrations[i], op->max_per_store, false);
        if (result != DB_OK)
            op->failed_index = i;
    }
    if (result == DB_OK)
        w->changed_store = op->store_id;
    return result;
}

void db_state_replace_init(db_state_replace *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_state_replace);
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

DB_QUERY(q_resend_job, "SELECT integration_id, attempts FROM jobs WHERE id = ?1 AND store_id = ?2");
DB_QUERY(q_resend_count, "UPDATE jobs SET attempts = attempts + 1, last_activity_at = max(last_activity_at, ?2) "
                         "WHERE id = ?1");
DB_QUERY(q_resend_insert, "INSERT INTO resends (id, job_id, store_id, attempt, due_at) VALUES (?1, ?2, ?3, ?4, ?5)");

static db_status apply_job_resend(db_conn *c, db_write *w)
{
    db_job_resend *op = (db_job_resend *)w;
    sqlite3_stmt *st = db_bind(c, &q_resend_job, "tt", op->job_id, op->store_id);
    db_status result = db_step_row(c, st);
    if (result != DB_OK)
        return result;
    char integration_id[UUID_STR_LEN];
    db_column_id(st, 0, integration_id);
    op->attempt = sqlite3_column_int(st, 1) + 1; /* the next number: an attempt number is never sent twice */
    sqlite3_reset(st);
    char owner[UUID_STR_LEN];
    result = db_integration_store_of(c, integration_id, owner);
    op->integration_gone = result == DB_NOT_FOUND;
    if (result != DB_OK)
        return result;
    char resend_id[UUID_STR_LEN];
    id_new(resend_id);
    result = db_step_done(c, db_bind(c, &q_resend_count, "ti", op->job_id, now_ms()));
    if (result == DB_OK)
        result = db_step_done(c, db_bind(c, &q_resend_insert, "tttii", resend_id, op->job_id, op->store_id,
                                         (int64_t)op->attempt, now_ms()));
    if (result == DB_OK)
        w->jobs_created = 1; /* wakes a worker, as a new job does */
    return result;
}

void db_job_resend_init(db_job_resend *op)
{
    memset(op, 0, sizeof *op);
    db_write_setup(&op->write, apply_job_resend);
}

-- Lists that cost the same however many rows they page through, and the pruning of old rows.

-- The totals of the lists, kept in the transaction of every insert and delete of the rows they
-- count: one row per store (integration_id '') and one per integration of it that has jobs.
-- jobs: the integration's jobs (the store row: the store's); logs: the attempts' logs;
-- deliveries: the wire journal's records.
CREATE TABLE counts (
    store_id       TEXT NOT NULL,
    integration_id TEXT NOT NULL,          -- '' for the store's own totals
    jobs           INTEGER NOT NULL DEFAULT 0,
    logs           INTEGER NOT NULL DEFAULT 0,
    deliveries     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, integration_id)
) WITHOUT ROWID;
INSERT INTO counts (store_id, integration_id, jobs, logs, deliveries)
    SELECT store_id, integration_id, sum(j), sum(l), sum(d) FROM (
        SELECT store_id, integration_id, 1 AS j, 0 AS l, 0 AS d FROM jobs
        UNION ALL SELECT store_id, integration_id, 0, 1, 0 FROM logs
        UNION ALL SELECT store_id, integration_id, 0, 0, 1 FROM deliveries)
    GROUP BY store_id, integration_id;
INSERT INTO counts (store_id, integration_id, jobs, logs, deliveries)
    SELECT store_id, '', sum(jobs), sum(logs), sum(deliveries) FROM counts GROUP BY store_id;

-- A job's own count of logs (the job's log list), and its last activity (created, attempted,
-- cancelled, resent): a finished job is pruned once that is older than the retention.
ALTER TABLE jobs ADD COLUMN log_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN last_activity_at INTEGER NOT NULL DEFAULT 0;   -- unix milliseconds
UPDATE jobs SET log_count = (SELECT count(*) FROM logs WHERE logs.job_id = jobs.id),
                last_activity_at = max(created_at, coalesce((SELECT max(created_at) FROM logs WHERE logs.job_id = jobs.id), 0));

-- The finished jobs, oldest activity first: what the pruning reads.
CREATE INDEX jobs_finished ON jobs (last_activity_at) WHERE state <> 'pending';
-- An event goes with its last job; the foreign key of jobs.event_id is checked through this too
-- (deleting an event no longer reads every job).
CREATE INDEX jobs_by_event ON jobs (event_id);
-- The journal read, and pruned, by integration and by job; a job with a resend waiting is kept.
CREATE INDEX deliveries_by_integration ON deliveries (integration_id, started_at, id);
CREATE INDEX deliveries_by_job ON deliveries (job_id, started_at, id);
CREATE INDEX resends_by_job ON resends (job_id);

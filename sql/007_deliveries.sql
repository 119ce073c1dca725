-- The emulator's wire journal: what went over the wire in every delivery attempt, written in the
-- transaction of the attempt's log (its id is the log's).
CREATE TABLE deliveries (
    id             TEXT PRIMARY KEY,
    store_id       TEXT NOT NULL,
    job_id         TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    trigger        TEXT NOT NULL,
    attempt        INTEGER NOT NULL,
    transport      TEXT NOT NULL,
    succeeded      INTEGER NOT NULL,
    request        TEXT,                   -- JSON object; NULL when nothing was sent
    response       TEXT,                   -- JSON object; NULL when nothing answered
    error_detail   TEXT NOT NULL,
    duration_ms    REAL NOT NULL,
    started_at     INTEGER NOT NULL,       -- unix milliseconds
    finished_at    INTEGER NOT NULL
);

CREATE INDEX deliveries_by_store ON deliveries (store_id, started_at, id);

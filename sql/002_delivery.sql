-- Events, the jobs they create and the log of every delivery attempt (spec §7).
CREATE TABLE events (
    id         TEXT PRIMARY KEY,
    store_id   TEXT NOT NULL,
    trigger    TEXT NOT NULL,
    payload    TEXT NOT NULL,              -- JSON document
    created_at INTEGER NOT NULL
);

CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events(id),
    integration_id  TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,   -- attempts started so far (counted before sending)
    running         INTEGER NOT NULL DEFAULT 0,   -- 1 while a worker holds it; cleared at start-up
    next_attempt_at INTEGER,                      -- unix milliseconds, while pending
    created_at      INTEGER NOT NULL
);

CREATE INDEX jobs_by_integration ON jobs (integration_id, created_at);
CREATE INDEX jobs_pending ON jobs (next_attempt_at) WHERE state = 'pending' AND running = 0;

CREATE TABLE logs (
    id              TEXT PRIMARY KEY,
    job_id          TEXT NOT NULL,
    integration_id  TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    succeeded       INTEGER NOT NULL,
    processing_time REAL NOT NULL,         -- seconds
    body            TEXT NOT NULL,
    status_code     INTEGER,               -- NULL when there was no HTTP answer
    error_detail    TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE INDEX logs_by_store ON logs (store_id, created_at);
CREATE INDEX logs_by_integration ON logs (integration_id, created_at);
CREATE INDEX logs_by_job ON logs (job_id, created_at);

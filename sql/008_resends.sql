-- The emulator's resends: one more attempt of a job, now, whatever its state; its schedule and
-- state stay as they are.
CREATE TABLE resends (
    id       TEXT PRIMARY KEY,
    job_id   TEXT NOT NULL,
    store_id TEXT NOT NULL,
    attempt  INTEGER NOT NULL,   -- the job's attempt number it takes
    due_at   INTEGER NOT NULL    -- unix milliseconds
);

CREATE INDEX resends_due ON resends (due_at);
CREATE INDEX resends_by_store ON resends (store_id);

-- The emulator's controls on one store: its jobs and events found by store (reset, flush).
CREATE INDEX jobs_by_store ON jobs (store_id);
CREATE INDEX events_by_store ON events (store_id);

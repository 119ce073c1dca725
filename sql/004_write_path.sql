-- Writes that cost the same however large the store grows.

-- The per-store count of integrations, kept by every create and delete: the limit check reads
-- one row instead of counting the store.
ALTER TABLE stores ADD COLUMN integration_count INTEGER NOT NULL DEFAULT 0;
UPDATE stores SET integration_count = (SELECT count(*) FROM integrations WHERE integrations.store_id = stores.id);

-- Who observes what: one row per enabled integration and event key it observes, kept in the
-- transaction of every change. Ordered like the store's integrations (oldest first), so the jobs
-- of an event are created in that order.
CREATE TABLE observers (
    store_id       TEXT NOT NULL,
    trigger        TEXT NOT NULL,
    created_at     INTEGER NOT NULL,   -- the integration's
    integration_id TEXT NOT NULL,
    PRIMARY KEY (store_id, trigger, created_at, integration_id)
) WITHOUT ROWID;
INSERT INTO observers (store_id, trigger, created_at, integration_id)
    SELECT i.store_id, o.value, i.created_at, i.id FROM integrations i, json_each(i.observes) o WHERE i.enabled = 1;

-- Integrations kept in the order a list reads them: a page is one range of the table, not one
-- look-up per row. Responses render the masked configuration from the real one: nothing
-- pre-rendered is stored (configuration_shown of migration 003 goes).
CREATE TABLE integrations_v4 (
    store_id         TEXT NOT NULL REFERENCES stores(id),
    created_at       INTEGER NOT NULL,     -- unix milliseconds
    id               TEXT NOT NULL,
    integration_type TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT,
    enabled          INTEGER NOT NULL,
    configuration    TEXT NOT NULL,        -- JSON object, real (unmasked) values
    observes         TEXT NOT NULL,        -- JSON array of event keys
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (store_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO integrations_v4 (store_id, created_at, id, integration_type, name, description, enabled,
                                   configuration, observes, updated_at)
    SELECT store_id, created_at, id, integration_type, name, description, enabled, configuration, observes, updated_at
    FROM integrations;
DROP TABLE integrations;
ALTER TABLE integrations_v4 RENAME TO integrations;
CREATE UNIQUE INDEX integrations_by_id ON integrations (id);

-- Disabling or deleting an integration cancels its pending jobs without reading its history.
CREATE INDEX jobs_pending_by_integration ON jobs (integration_id) WHERE state = 'pending';
-- The attempts under way, by integration: an integration's jobs are attempted one at a time, and
-- start-up finds the attempts a crash interrupted without reading every job.
CREATE INDEX jobs_running ON jobs (integration_id) WHERE running = 1;
-- Start-up drops expired tokens without reading the live ones.
CREATE INDEX tokens_by_expiry ON tokens (expires);

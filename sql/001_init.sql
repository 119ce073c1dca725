-- Stores, the clients that own them, access tokens and integrations (spec §2, §3).
CREATE TABLE stores (
    id         TEXT PRIMARY KEY,           -- UUID, sent as store_id in deliveries
    created_at INTEGER NOT NULL            -- unix milliseconds
);

CREATE TABLE clients (
    client_id   TEXT PRIMARY KEY,
    secret_hash TEXT,                      -- hex SHA-256 of the secret; NULL until one is presented
    store_id    TEXT NOT NULL REFERENCES stores(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE tokens (
    token      TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    store_id   TEXT NOT NULL,
    grant_type TEXT NOT NULL CHECK (grant_type IN ('client_credentials', 'implicit')),
    expires    INTEGER NOT NULL            -- unix seconds
) WITHOUT ROWID;

CREATE TABLE integrations (
    id               TEXT PRIMARY KEY,
    store_id         TEXT NOT NULL REFERENCES stores(id),
    integration_type TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT,
    enabled          INTEGER NOT NULL,
    configuration    TEXT NOT NULL,        -- JSON object, real (unmasked) values
    observes         TEXT NOT NULL,        -- JSON array of event keys
    created_at       INTEGER NOT NULL,     -- unix milliseconds
    updated_at       INTEGER NOT NULL
);

CREATE INDEX integrations_by_store ON integrations (store_id, created_at, id);

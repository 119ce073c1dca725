-- The emulator's state of one store: its clients found by store.
CREATE INDEX clients_by_store ON clients (store_id, created_at, client_id);

-- The configuration as responses show it (secrets masked), so that a list reads text it can send
-- as it is. Filled for older rows at start-up (the masking rule lives in the C model).
ALTER TABLE integrations ADD COLUMN configuration_shown TEXT;

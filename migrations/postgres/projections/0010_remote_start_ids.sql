-- ../../projections/0010_remote_start_ids.sql in PostgreSQL's dialect.
ALTER TABLE commands ADD COLUMN remote_start_id BIGINT;
CREATE INDEX commands_by_remote_start_id ON commands (remote_start_id) WHERE remote_start_id IS NOT NULL;

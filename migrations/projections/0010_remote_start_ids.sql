-- OCPP 2.0.1: the remoteStartId each START_SESSION was sent with, so that the transaction a
-- station starts is bound to its command by the id it echoes, and ids are never reused.
ALTER TABLE commands ADD COLUMN remote_start_id INTEGER;
CREATE INDEX commands_by_remote_start_id ON commands (remote_start_id) WHERE remote_start_id IS NOT NULL;

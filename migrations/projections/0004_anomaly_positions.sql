-- Each anomaly carries the position of the last event that changed its subject, so operations
-- can ask what was raised or changed since a point in the log (`/ops/anomalies?since=`).
-- The projections that raise anomalies are folded again from position 0 on the next open (their
-- rows and checkpoints are reset here), so every anomaly gets the position a replay gives it.
ALTER TABLE anomalies ADD COLUMN position INTEGER;
CREATE INDEX anomalies_by_position ON anomalies (position);
DELETE FROM anomalies;
DELETE FROM commands;
DELETE FROM sessions;
DELETE FROM cdrs;
DELETE FROM authorizations;
UPDATE projection_checkpoints SET position = 0 WHERE name IN ('commands', 'sessions', 'cdrs', 'authorizations');

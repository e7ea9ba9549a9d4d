-- The charge point of each session as a column, so operations can page a charge point's sessions
-- with an index and in SQL both stores speak (no JSON functions). The sessions projection is
-- folded again from position 0 on the next open (its rows, anomalies and checkpoint reset here),
-- so every row gets the column a replay gives it.
ALTER TABLE sessions ADD COLUMN charge_point_id TEXT;
CREATE INDEX sessions_by_charge_point ON sessions (charge_point_id);
DELETE FROM anomalies WHERE subject LIKE 'sessions:%';
DELETE FROM sessions;
UPDATE projection_checkpoints SET position = 0 WHERE name = 'sessions';

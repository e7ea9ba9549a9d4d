-- Every published tariff with all its versions (TariffsProjection). Its checkpoint starts at 0:
-- on a ledger that already has events, the next open folds them into this table only.
CREATE TABLE tariffs (
    key          TEXT PRIMARY KEY,
    body         TEXT NOT NULL,
    withdrawn    INTEGER NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX tariffs_by_last_updated ON tariffs (withdrawn, last_updated, key);
INSERT INTO projection_checkpoints (name, position) VALUES ('tariffs', 0);

-- Sessions now keep their meter readings, not-charging spans and tariff (what a CDR is priced
-- from): the sessions projection is folded again from position 0 on the next open, as 0005 did.
DELETE FROM anomalies WHERE subject LIKE 'sessions:%';
DELETE FROM sessions;
UPDATE projection_checkpoints SET position = 0 WHERE name = 'sessions';

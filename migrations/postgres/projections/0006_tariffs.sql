-- ../../projections/0006_tariffs.sql in PostgreSQL's dialect: every published tariff with all its
-- versions, and the sessions projection folded again from position 0 (readings, not-charging
-- spans and tariff are now part of each session's state).
CREATE TABLE tariffs (
    key          TEXT COLLATE "C" PRIMARY KEY,
    body         TEXT COLLATE "C" NOT NULL,
    withdrawn    BIGINT NOT NULL,
    last_updated TEXT COLLATE "C" NOT NULL
);
CREATE INDEX tariffs_by_last_updated ON tariffs (withdrawn, last_updated, key);
INSERT INTO projection_checkpoints (name, position) VALUES ('tariffs', 0);

DELETE FROM anomalies WHERE subject LIKE 'sessions:%';
DELETE FROM sessions;
UPDATE projection_checkpoints SET position = 0 WHERE name = 'sessions';

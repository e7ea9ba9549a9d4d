-- ../../projections/0007_evse_statuses.sql in PostgreSQL's dialect: each EVSE's OCPI status as
-- last published, and the chargepoints projection folded again (it now keeps when a connection ended, until its EVSEs are published offline).
CREATE TABLE evse_statuses (
    key          TEXT COLLATE "C" PRIMARY KEY,
    body         TEXT COLLATE "C" NOT NULL,
    location_id  TEXT COLLATE "C" NOT NULL,
    last_updated TEXT COLLATE "C" NOT NULL
);
CREATE INDEX evse_statuses_by_location ON evse_statuses (location_id, key);
INSERT INTO projection_checkpoints (name, position) VALUES ('evse_statuses', 0);

ALTER TABLE chargepoints ADD COLUMN offline_since TEXT COLLATE "C";
CREATE INDEX chargepoints_offline ON chargepoints (offline_since) WHERE offline_since IS NOT NULL;
DELETE FROM chargepoints;
UPDATE projection_checkpoints SET position = 0 WHERE name = 'chargepoints';

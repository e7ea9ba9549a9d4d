-- Each EVSE's OCPI status as last published (EvseStatusesProjection). Its checkpoint starts at 0:
-- on a ledger that already has events, the next open folds them into this table only.
CREATE TABLE evse_statuses (
    key          TEXT PRIMARY KEY,
    body         TEXT NOT NULL,
    location_id  TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX evse_statuses_by_location ON evse_statuses (location_id, key);
INSERT INTO projection_checkpoints (name, position) VALUES ('evse_statuses', 0);

-- Charge points now keep when their connection ended, until their EVSEs are published offline:
-- the chargepoints projection is folded again from position 0 on the next open.
ALTER TABLE chargepoints ADD COLUMN offline_since TEXT;
CREATE INDEX chargepoints_offline ON chargepoints (offline_since) WHERE offline_since IS NOT NULL;
DELETE FROM chargepoints;
UPDATE projection_checkpoints SET position = 0 WHERE name = 'chargepoints';

-- A repeated OCPI command is recognised by its type and response_url (ocpi-2.1.1.md §2.6 [REC]).
ALTER TABLE commands ADD COLUMN response_url TEXT;
CREATE INDEX commands_by_response_url ON commands (command, response_url) WHERE response_url IS NOT NULL;

-- Charge points as OCPP reported them: connected or not, and each connector's status.
-- Its checkpoint starts at 0: on a ledger that already has events, the next open folds them
-- into this table only (the other projections skip what their own checkpoints have seen).
CREATE TABLE chargepoints (
    key       TEXT PRIMARY KEY,
    body      TEXT NOT NULL,
    connected INTEGER NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('chargepoints', 0);

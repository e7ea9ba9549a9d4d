-- Read models derived from the events (Sources/Projections). Each row's `body` is the entity's
-- state as canonical JSON; the other columns are copies kept for indexed queries. Everything here
-- can be rebuilt from the log: `ledger replay` does so and compares row by row.

-- The last position each projection reflects, written in the same transaction as its rows.
CREATE TABLE projection_checkpoints (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES
    ('commands', 0), ('sessions', 0), ('cdrs', 0), ('authorizations', 0), ('timers', 0), ('deliveries', 0);

CREATE TABLE commands (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    command TEXT NOT NULL,
    status TEXT NOT NULL,
    authorization_id TEXT,
    received_at TEXT NOT NULL
);
CREATE TABLE sessions (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    authorization_id TEXT,
    evse_uid TEXT NOT NULL,
    id_tag TEXT NOT NULL,
    start_datetime TEXT NOT NULL
);
CREATE TABLE cdrs (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    session_id TEXT NOT NULL,
    authorization_id TEXT,
    last_updated TEXT NOT NULL,
    issued_position INTEGER NOT NULL
);
CREATE TABLE authorizations (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE timers (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    deadline TEXT NOT NULL
);
CREATE TABLE deliveries (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    target TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    command_id TEXT,
    session_id TEXT
);

CREATE INDEX commands_by_authorization ON commands (authorization_id) WHERE authorization_id IS NOT NULL;
CREATE INDEX sessions_by_last_updated ON sessions (last_updated, key);
CREATE INDEX sessions_by_authorization ON sessions (authorization_id) WHERE authorization_id IS NOT NULL;
CREATE INDEX sessions_by_token ON sessions (id_tag);
CREATE INDEX cdrs_by_last_updated ON cdrs (last_updated, key);
CREATE INDEX cdrs_by_issued_position ON cdrs (issued_position);
CREATE INDEX cdrs_by_session ON cdrs (session_id);
CREATE INDEX timers_by_deadline ON timers (deadline);
-- The outbox: pending and parked deliveries in FIFO order per target.
CREATE INDEX deliveries_outbox ON deliveries (target, sequence) WHERE status IN ('pending', 'parked');
CREATE INDEX deliveries_by_command ON deliveries (command_id) WHERE command_id IS NOT NULL;
CREATE INDEX deliveries_by_session ON deliveries (session_id) WHERE session_id IS NOT NULL;

-- Flags for dispute handlers, derived from one entity each (`subject` is `<table>:<key>`).
CREATE TABLE anomalies (
    subject          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    detail           TEXT NOT NULL,
    authorization_id TEXT,
    PRIMARY KEY (subject, kind, detail)
);
CREATE INDEX anomalies_by_kind ON anomalies (kind);
CREATE INDEX anomalies_by_authorization ON anomalies (authorization_id) WHERE authorization_id IS NOT NULL;

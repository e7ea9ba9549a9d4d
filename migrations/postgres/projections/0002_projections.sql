-- The read models of ../0002_projections.sql to ../0005_session_charge_points.sql (SQLite) as one step, in PostgreSQL's dialect: the same tables,
-- columns in the same order, the same indexes. Each row's `body` is the entity's state as
-- canonical JSON text, byte for byte what SQLite stores; everything here is rebuilt from the log
-- by `ledger replay`, which compares row by row.

-- Text columns compare byte for byte (COLLATE "C"), as SQLite's BINARY collation does: keys,
-- times and ids sort, page and range the same on both stores, whatever the server's locale.

-- The last position each projection reflects, written in the same transaction as its rows.
CREATE TABLE projection_checkpoints (
    name     TEXT COLLATE "C" PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES
    ('commands', 0), ('sessions', 0), ('cdrs', 0), ('authorizations', 0), ('timers', 0), ('deliveries', 0), ('chargepoints', 0);

CREATE TABLE commands (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL,
    command TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    authorization_id TEXT COLLATE "C",
    received_at TEXT COLLATE "C" NOT NULL,
    response_url TEXT COLLATE "C"
);
CREATE TABLE sessions (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    last_updated TEXT COLLATE "C" NOT NULL,
    authorization_id TEXT COLLATE "C",
    evse_uid TEXT COLLATE "C" NOT NULL,
    id_tag TEXT COLLATE "C" NOT NULL,
    start_datetime TEXT COLLATE "C" NOT NULL,
    charge_point_id TEXT COLLATE "C"
);
CREATE TABLE cdrs (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL,
    session_id TEXT COLLATE "C" NOT NULL,
    authorization_id TEXT COLLATE "C",
    last_updated TEXT COLLATE "C" NOT NULL,
    issued_position BIGINT NOT NULL
);
CREATE TABLE authorizations (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL
);
CREATE TABLE timers (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL,
    deadline TEXT COLLATE "C" NOT NULL
);
CREATE TABLE deliveries (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    target TEXT COLLATE "C" NOT NULL,
    sequence BIGINT NOT NULL,
    command_id TEXT COLLATE "C",
    session_id TEXT COLLATE "C"
);
CREATE TABLE chargepoints (
    key       TEXT COLLATE "C" PRIMARY KEY,
    body      TEXT COLLATE "C" NOT NULL,
    connected BIGINT NOT NULL
);

CREATE INDEX commands_by_authorization ON commands (authorization_id) WHERE authorization_id IS NOT NULL;
CREATE INDEX commands_by_response_url ON commands (command, response_url) WHERE response_url IS NOT NULL;
CREATE INDEX sessions_by_last_updated ON sessions (last_updated, key);
CREATE INDEX sessions_by_authorization ON sessions (authorization_id) WHERE authorization_id IS NOT NULL;
CREATE INDEX sessions_by_token ON sessions (id_tag);
CREATE INDEX sessions_by_charge_point ON sessions (charge_point_id);
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
    subject          TEXT COLLATE "C" NOT NULL,
    kind             TEXT COLLATE "C" NOT NULL,
    detail           TEXT COLLATE "C" NOT NULL,
    authorization_id TEXT COLLATE "C",
    position         BIGINT,
    PRIMARY KEY (subject, kind, detail)
);
CREATE INDEX anomalies_by_kind ON anomalies (kind);
CREATE INDEX anomalies_by_authorization ON anomalies (authorization_id) WHERE authorization_id IS NOT NULL;
CREATE INDEX anomalies_by_position ON anomalies (position);

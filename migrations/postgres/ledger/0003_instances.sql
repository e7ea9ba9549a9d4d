-- Several `ledger serve` instances on one ledger (InstanceCoordination): PostgreSQL only — a
-- SQLite ledger has one server at a time. Not part of the log and not rebuilt from it: who is
-- alive and who owns what right now, kept current by the instances themselves.

-- One row per running instance, renewed by its heartbeat; a row whose `until_ms` has passed is
-- an instance that stopped (its charger connections are gone).
CREATE TABLE ledger_instances (
    instance    TEXT   PRIMARY KEY COLLATE "C",
    until_ms    BIGINT NOT NULL,
    started_ms  BIGINT NOT NULL
);

-- Leases on outbox lanes: one instance sends a lane's deliveries at a time, so two never POST
-- the same result or CDR. A lease whose `until_ms` has passed may be taken by another instance.
-- `claim` names the work holding it (one attempt): only that work's release frees the lane.
CREATE TABLE lane_leases (
    lane        TEXT   PRIMARY KEY COLLATE "C",
    instance    TEXT   NOT NULL COLLATE "C",
    claim       TEXT   NOT NULL,
    until_ms    BIGINT NOT NULL
);
CREATE INDEX lane_leases_by_instance ON lane_leases (instance);

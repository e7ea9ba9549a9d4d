-- The event log: the single source of truth. Everything else is rebuilt from it.
CREATE TABLE events (
    -- Global, gap-free order assigned by the single writer: the cursor for replay, billing and subscriptions.
    position        INTEGER PRIMARY KEY,
    stream_id       TEXT    NOT NULL CHECK (length(stream_id) > 0),
    stream_version  INTEGER NOT NULL CHECK (stream_version >= 1),
    -- A retried append with the same id is answered with the original position (idempotency).
    event_id        TEXT    NOT NULL UNIQUE,
    type            TEXT    NOT NULL CHECK (length(type) > 0),
    schema_version  INTEGER NOT NULL CHECK (schema_version >= 1),
    -- Canonical JSON (sorted keys, no insignificant whitespace) so hashes are reproducible.
    data            TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    -- ISO 8601 UTC with milliseconds, from the store's injected clock.
    recorded_at     TEXT    NOT NULL,
    -- SHA-256 over the previous row's hash and this row's fields: see EventHash.swift.
    hash            BLOB    NOT NULL CHECK (length(hash) = 32),
    correlation_id  TEXT GENERATED ALWAYS AS (json_extract(metadata, '$.correlation_id')) VIRTUAL,
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_by_correlation ON events (correlation_id, position) WHERE correlation_id IS NOT NULL;

-- Append-only at the SQL level, whoever connects: history is never rewritten.
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
END;

CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
END;

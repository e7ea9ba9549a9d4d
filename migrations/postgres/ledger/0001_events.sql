-- The event log on PostgreSQL: the columns, rules and hash chain of ../0001_events.sql (SQLite),
-- in PostgreSQL's dialect. Everything else is rebuilt from it.
CREATE TABLE events (
    -- Global, gap-free order, assigned under the append lock (PostgresEventStore): the cursor for
    -- replay, billing and subscriptions.
    position        BIGINT  PRIMARY KEY CHECK (position >= 1),
    stream_id       TEXT    NOT NULL CHECK (length(stream_id) > 0),
    stream_version  BIGINT  NOT NULL CHECK (stream_version >= 1),
    -- A retried append with the same id is answered with the original position (idempotency).
    event_id        TEXT    NOT NULL UNIQUE,
    type            TEXT    NOT NULL CHECK (length(type) > 0),
    schema_version  INTEGER NOT NULL CHECK (schema_version >= 1),
    -- Canonical JSON as text, byte for byte (jsonb would reorder and respace it, and the hash
    -- covers the bytes).
    data            TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    -- ISO 8601 UTC with milliseconds, from the store's injected clock.
    recorded_at     TEXT    NOT NULL,
    -- SHA-256 over the previous row's hash and this row's fields: see EventHash.swift.
    hash            BYTEA   NOT NULL CHECK (length(hash) = 32),
    correlation_id  TEXT GENERATED ALWAYS AS (metadata::jsonb ->> 'correlation_id') STORED,
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_by_correlation ON events (correlation_id, position) WHERE correlation_id IS NOT NULL;

-- Append-only at the SQL level, whoever connects: history is never rewritten. (Run the service as
-- a role that does not own the table, with INSERT and SELECT only, and the triggers cannot be
-- dropped by it either.)
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is refused', TG_OP;
END
$$;

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_are_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- The connection to the IOP as the credentials handshakes left it (IOPConnectionProjection).
CREATE TABLE iop_connection (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('iop_connection', 0);

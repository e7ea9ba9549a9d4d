-- The connection to the IOP as the credentials handshakes left it (IOPConnectionProjection), and each
-- Location as last published (below).
CREATE TABLE iop_connection (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('iop_connection', 0);

-- Each Location as last published (PublishedLocationsProjection): what a changed locations file is compared with.
CREATE TABLE published_locations (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('published_locations', 0);

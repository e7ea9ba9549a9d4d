-- ../../projections/0008_iop_connection_and_locations.sql in PostgreSQL's dialect.
CREATE TABLE iop_connection (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('iop_connection', 0);

CREATE TABLE published_locations (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('published_locations', 0);

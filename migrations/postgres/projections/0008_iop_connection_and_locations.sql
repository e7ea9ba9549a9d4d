-- ../../projections/0008_iop_connection.sql in PostgreSQL's dialect.
CREATE TABLE iop_connection (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('iop_connection', 0);

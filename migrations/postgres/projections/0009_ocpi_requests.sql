-- ../../projections/0009_ocpi_requests.sql in PostgreSQL's dialect.
CREATE TABLE ocpi_requests (
    key  TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('ocpi_requests', 0);

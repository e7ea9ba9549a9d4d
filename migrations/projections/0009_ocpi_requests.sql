-- Every OCPI 2.2.1 request by its X-Request-ID, received or sent (OCPIRequestsProjection):
-- `ledger audit --request-id`.
CREATE TABLE ocpi_requests (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('ocpi_requests', 0);

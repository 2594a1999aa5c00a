-- Keel outbox: operator actions (retry, discard, resume) with who did them and what came of it.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_audit" (
  id       bigserial PRIMARY KEY,
  at       timestamptz NOT NULL,
  actor    varchar(255) NOT NULL,
  action   varchar(32) NOT NULL,
  event_id uuid,
  lane     int,
  outcome  varchar(255) NOT NULL
);

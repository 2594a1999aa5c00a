-- Keel transactional outbox, PostgreSQL 13+.
-- Rows are appended in the caller's transaction; tx_id is the appending transaction's id, the
-- commit-order fence of the relay. They are deleted (or moved to the published table) by
-- the relay after Kafka acknowledged them. The table churns: autovacuum is tuned per table so
-- that dead tuples left by deletes are reclaimed quickly.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox" (
  id               bigserial PRIMARY KEY,
  lane             int NOT NULL,
  event_id         uuid NOT NULL UNIQUE,
  topic            text NOT NULL,
  event_key        text,
  event_type       text NOT NULL,
  contract_version int NOT NULL,
  headers          jsonb,
  payload          bytea NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  tx_id            xid8 NOT NULL DEFAULT pg_current_xact_id(),
  attempts         int NOT NULL DEFAULT 0,
  last_error       text
) WITH (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_insert_scale_factor = 0.0, autovacuum_vacuum_insert_threshold = 50000,
        autovacuum_analyze_scale_factor = 0.0, autovacuum_analyze_threshold = 5000);

CREATE INDEX IF NOT EXISTS "${keel_prefix}outbox_lane_id" ON ${keel_schema_prefix}"${keel_prefix}outbox" (lane, id);

-- Wake-up: one notification per inserting statement, delivered at commit.
CREATE OR REPLACE FUNCTION ${keel_schema_prefix}"${keel_prefix}outbox_notify"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('${keel_prefix}outbox', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS "${keel_prefix}outbox_notify" ON ${keel_schema_prefix}"${keel_prefix}outbox";
CREATE TRIGGER "${keel_prefix}outbox_notify" AFTER INSERT ON ${keel_schema_prefix}"${keel_prefix}outbox"
  FOR EACH STATEMENT EXECUTE FUNCTION ${keel_schema_prefix}"${keel_prefix}outbox_notify"();

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_lease" (
  lane       int PRIMARY KEY,
  owner      text,
  epoch      bigint NOT NULL DEFAULT 0,
  expires_at timestamptz,
  stopped    text
);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_member" (
  owner      text PRIMARY KEY,
  lanes      int NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_quarantine" (
  event_id         uuid PRIMARY KEY,
  original_id      bigint NOT NULL,
  lane             int NOT NULL,
  topic            text NOT NULL,
  event_key        text,
  event_type       text NOT NULL,
  contract_version int NOT NULL,
  headers          jsonb,
  payload          bytea NOT NULL,
  created_at       timestamptz NOT NULL,
  attempts         int NOT NULL,
  error            text NOT NULL,
  quarantined_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_published" (
  id               bigint PRIMARY KEY,
  lane             int NOT NULL,
  event_id         uuid NOT NULL,
  topic            text NOT NULL,
  event_key        text,
  event_type       text NOT NULL,
  contract_version int NOT NULL,
  headers          jsonb,
  payload          bytea NOT NULL,
  created_at       timestamptz NOT NULL,
  published_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}outbox_published_at" ON ${keel_schema_prefix}"${keel_prefix}outbox_published" (published_at);

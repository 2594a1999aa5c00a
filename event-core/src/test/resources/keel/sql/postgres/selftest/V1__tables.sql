CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}selftest" (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  headers jsonb,
  payload bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  tx_id xid8 DEFAULT pg_current_xact_id()
);
CREATE OR REPLACE FUNCTION ${keel_schema_prefix}"${keel_prefix}selftest_notify"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('${keel_prefix}selftest', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

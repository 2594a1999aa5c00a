-- Keel consumer-core, H2 2.x (unit tests of the SQL layer only). Inserted with INSERT ... WHERE NOT EXISTS.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}consumer_dedupe" (
  consumer_group VARCHAR(255) NOT NULL,
  event_id       VARCHAR(255) NOT NULL,
  processed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (consumer_group, event_id)
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}consumer_dedupe_age"
  ON ${keel_schema_prefix}"${keel_prefix}consumer_dedupe" (consumer_group, processed_at);
